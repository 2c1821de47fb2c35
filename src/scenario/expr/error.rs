//! Error reporting of the formula language: byte spans into the formula text and the
//! error type every stage (lexing, parsing, checking, expansion) returns.

use std::fmt;

/// A byte range `start..end` in the formula text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// first byte
    pub start: usize,
    /// one past the last byte
    pub end: usize,
}

impl Span {
    /// The span `start..end`.
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both `self` and `other`.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A formula error: where it is and what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprError {
    /// the offending bytes of the formula text (empty at the end of the text for an
    /// unexpected end of formula)
    pub span: Span,
    /// what went wrong and what was expected
    pub message: String,
}

impl ExprError {
    /// An error at `span`.
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        ExprError {
            span,
            message: message.into(),
        }
    }

    /// The message with the formula and a marker under the offending bytes, for
    /// terminal output:
    ///
    /// ```text
    /// unknown function 'sinh' (known: ...)
    ///   sinh(x)
    ///   ^^^^
    /// ```
    ///
    /// Tabs and other control characters of the formula are shown as spaces so that
    /// the marker lines up; columns count characters, not bytes.
    pub fn render(&self, text: &str) -> String {
        let clean: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let start = clamp_to_char(text, self.span.start);
        let end = clamp_to_char(text, self.span.end.max(start));
        let col = text[..start].chars().count();
        let width = text[start..end].chars().count().max(1);
        format!(
            "{}\n  {}\n  {}{}",
            self.message,
            clean,
            " ".repeat(col),
            "^".repeat(width)
        )
    }
}

/// `i` clamped to the text and moved back to a character boundary.
fn clamp_to_char(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (at bytes {}..{})",
            self.message, self.span.start, self.span.end
        )
    }
}

impl std::error::Error for ExprError {}
