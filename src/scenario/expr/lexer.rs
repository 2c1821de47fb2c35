//! The lexer of the formula language: turns the text into tokens with byte spans, one
//! token at a time, so that the leftmost error of a formula is the one reported.

use super::error::{ExprError, Span};

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Tok {
    /// a decimal literal; `int` is its value when written as a plain integer (digits
    /// only, no '.' and no exponent) that fits an `i128`, so that the magnitude of
    /// every `i64` (and of every negated literal that is one) is kept
    Number {
        value: f64,
        int: Option<i128>,
    },
    /// a name: `[A-Za-z_][A-Za-z0-9_]*`, its text is the token's span
    Name,
    Plus,
    Minus,
    Star,
    Slash,
    Caret,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    /// the end of the text
    Eof,
}

/// A token and where it is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub span: Span,
}

impl Token {
    /// The token as shown in messages: `'y'`, `number '1.5'`, `end of formula`.
    pub fn describe(&self, text: &str) -> String {
        let s = &text[self.span.start..self.span.end];
        match self.tok {
            Tok::Number { .. } => format!("number '{s}'"),
            Tok::Name => format!("name '{s}'"),
            Tok::Eof => "end of formula".to_string(),
            _ => format!("'{s}'"),
        }
    }
}

/// Produces the tokens of a formula one by one.
pub(crate) struct Lexer<'t> {
    text: &'t str,
    pos: usize,
}

impl<'t> Lexer<'t> {
    /// A lexer at the start of `text`.
    pub fn new(text: &'t str) -> Self {
        Lexer { text, pos: 0 }
    }

    /// The next token, skipping white space; `Eof` (with an empty span at the end of
    /// the text) once the text is exhausted, as often as asked.
    pub fn next_token(&mut self) -> Result<Token, ExprError> {
        let bytes = self.text.as_bytes();
        while self.pos < bytes.len() && bytes[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
        let start = self.pos;
        let Some(&b) = bytes.get(start) else {
            return Ok(Token {
                tok: Tok::Eof,
                span: Span::new(start, start),
            });
        };
        let single = |tok| Some(tok);
        let punct = match b {
            b'+' => single(Tok::Plus),
            b'-' => single(Tok::Minus),
            b'*' => single(Tok::Star),
            b'/' => single(Tok::Slash),
            b'^' => single(Tok::Caret),
            b'(' => single(Tok::LParen),
            b')' => single(Tok::RParen),
            b'[' => single(Tok::LBracket),
            b']' => single(Tok::RBracket),
            b',' => single(Tok::Comma),
            _ => None,
        };
        if let Some(tok) = punct {
            self.pos += 1;
            return Ok(Token {
                tok,
                span: Span::new(start, start + 1),
            });
        }
        if b.is_ascii_alphabetic() || b == b'_' {
            while self.pos < bytes.len()
                && (bytes[self.pos].is_ascii_alphanumeric() || bytes[self.pos] == b'_')
            {
                self.pos += 1;
            }
            return Ok(Token {
                tok: Tok::Name,
                span: Span::new(start, self.pos),
            });
        }
        if b.is_ascii_digit() || b == b'.' {
            return self.number();
        }
        // an unexpected character, possibly several bytes long
        let c = self.text[start..].chars().next().unwrap_or('\u{fffd}');
        let span = Span::new(start, start + c.len_utf8());
        Err(ExprError::new(
            span,
            format!(
                "unexpected character '{}' (expected a number, a name, an operator + - * / ^, \
                 a parenthesis, a bracket or a comma)",
                c.escape_debug()
            ),
        ))
    }

    /// A decimal literal: `digits [. digits?] [e|E [+|-] digits]` or
    /// `. digits [e|E [+|-] digits]`.
    fn number(&mut self) -> Result<Token, ExprError> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let digits = |pos: &mut usize| {
            let s = *pos;
            while *pos < bytes.len() && bytes[*pos].is_ascii_digit() {
                *pos += 1;
            }
            *pos - s
        };
        let mut pos = start;
        let int_digits = digits(&mut pos);
        let mut plain_integer = true;
        if pos < bytes.len() && bytes[pos] == b'.' {
            plain_integer = false;
            pos += 1;
            let frac_digits = digits(&mut pos);
            if int_digits == 0 && frac_digits == 0 {
                self.pos = pos;
                return Err(ExprError::new(
                    Span::new(start, pos),
                    "malformed number '.': expected digits before or after the decimal point",
                ));
            }
        }
        if pos < bytes.len() && (bytes[pos] == b'e' || bytes[pos] == b'E') {
            plain_integer = false;
            pos += 1;
            if pos < bytes.len() && (bytes[pos] == b'+' || bytes[pos] == b'-') {
                pos += 1;
            }
            if digits(&mut pos) == 0 {
                // include a following name-like tail in the span, e.g. `1ex`
                while pos < bytes.len()
                    && (bytes[pos].is_ascii_alphanumeric() || bytes[pos] == b'_')
                {
                    pos += 1;
                }
                self.pos = pos;
                let s = &self.text[start..pos];
                return Err(ExprError::new(
                    Span::new(start, pos),
                    format!("malformed number '{s}': expected digits in the exponent"),
                ));
            }
        }
        self.pos = pos;
        let span = Span::new(start, pos);
        let s = &self.text[start..pos];
        let value: f64 = s
            .parse()
            .map_err(|_| ExprError::new(span, format!("malformed number '{s}'")))?;
        if !value.is_finite() {
            return Err(ExprError::new(
                span,
                format!("number '{s}' is too large for an f64"),
            ));
        }
        let int = if plain_integer {
            s.parse::<i128>().ok()
        } else {
            None
        };
        Ok(Token {
            tok: Tok::Number { value, int },
            span,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex(text: &str) -> Result<Vec<Tok>, ExprError> {
        let mut l = Lexer::new(text);
        let mut out = Vec::new();
        loop {
            let t = l.next_token()?;
            if t.tok == Tok::Eof {
                return Ok(out);
            }
            out.push(t.tok);
        }
    }

    fn num(text: &str) -> (f64, Option<i128>) {
        match lex(text).unwrap()[..] {
            [Tok::Number { value, int }] => (value, int),
            ref other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(num("2"), (2.0, Some(2)));
        assert_eq!(num("1.5"), (1.5, None));
        assert_eq!(num(".5"), (0.5, None));
        assert_eq!(num("2."), (2.0, None));
        assert_eq!(num("1e-3"), (1e-3, None));
        assert_eq!(num("2.5E+10"), (2.5e10, None));
        assert_eq!(num("0.1"), (0.1, None));
        assert_eq!(num("1e-400"), (0.0, None));
        // too large for i64, still an integer
        assert_eq!(
            num("99999999999999999999"),
            (1e20, Some(99999999999999999999))
        );
        // too large for i128, still a number
        assert_eq!(num(&format!("1{}", "0".repeat(40))), (1e40, None));
    }

    #[test]
    fn tokens_and_spans() {
        let mut l = Lexer::new(" x1 +\tsum_2[3]");
        let t = l.next_token().unwrap();
        assert_eq!((t.tok, t.span), (Tok::Name, Span::new(1, 3)));
        assert_eq!(l.next_token().unwrap().span, Span::new(4, 5));
        assert_eq!(l.next_token().unwrap().span, Span::new(6, 11));
        assert_eq!(l.next_token().unwrap().tok, Tok::LBracket);
        assert_eq!(
            l.next_token().unwrap().tok,
            Tok::Number {
                value: 3.0,
                int: Some(3)
            }
        );
        assert_eq!(l.next_token().unwrap().tok, Tok::RBracket);
        let eof = l.next_token().unwrap();
        assert_eq!((eof.tok, eof.span), (Tok::Eof, Span::new(14, 14)));
        assert_eq!(l.next_token().unwrap().tok, Tok::Eof);
    }

    #[test]
    fn bad_input() {
        let e = lex("x # y").unwrap_err();
        assert_eq!(e.span, Span::new(2, 3));
        assert!(e.message.starts_with("unexpected character '#'"));
        let e = lex("x + é").unwrap_err();
        assert_eq!(e.span, Span::new(4, 6));
        let e = lex("1e+").unwrap_err();
        assert_eq!(e.span, Span::new(0, 3));
        assert!(e.message.contains("exponent"), "{}", e.message);
        let e = lex("1e400").unwrap_err();
        assert!(e.message.contains("too large"), "{}", e.message);
        let e = lex("x + . ").unwrap_err();
        assert_eq!(e.span, Span::new(4, 5));
    }
}
