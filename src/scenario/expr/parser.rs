//! The recursive-descent parser of the formula language: syntax, function names and
//! arities, integer-expression syntax of indices and loop bounds, and the nesting-depth
//! limit (counted on every recursive step, so that no input overflows the stack).
//!
//! ```text
//! expr   := term (("+" | "-") term)*
//! term   := unary (("*" | "/") unary)*
//! unary  := "-" unary | power
//! power  := atom ("^" unary)?
//! atom   := number | name | name "[" index "]" | call | "(" expr ")"
//! call   := func "(" expr ("," expr)* ")"
//!         | ("sum" | "prod") "(" ivar "," index "," index "," expr ")"
//! ```
//!
//! A minus sign applied to a numeric literal (`-2`, also `-(2)`) is folded into the
//! literal, which becomes the constant -2 rather than a negation of 2; `-2^2` still
//! means `-(2^2)`. An index or loop bound is parsed as an expression and then must be
//! an integer expression: integer literals and names combined with `+ - *`, unary minus
//! and parentheses (whether the names are loop variables is checked by the compiler).

use super::ast::{
    function, function_list, Func, IExpr, IKind, IndexNode, LoopNode, Node, NodeKind,
};
use super::error::{ExprError, Span};
use super::lexer::{Lexer, Tok, Token};
use crate::num::Binary;

/// What an index or loop bound must be, for messages.
pub(crate) const INTEGER_EXPRESSION: &str =
    "an integer expression (integer literals and loop variables with + - * and parentheses)";

/// Parses a whole formula. `max_depth` bounds the nesting of the formula (parentheses,
/// calls, indices, unary minus and exponents each add a level).
pub(crate) fn parse(text: &str, max_depth: usize) -> Result<Node, ExprError> {
    let mut p = Parser {
        text,
        lexer: Lexer::new(text),
        tok: Token {
            tok: Tok::Eof,
            span: Span::default(),
        },
        depth: 0,
        max_depth,
    };
    p.advance()?;
    let node = p.expr()?;
    match p.tok.tok {
        Tok::Eof => Ok(node),
        Tok::RParen => Err(ExprError::new(
            p.tok.span,
            "unbalanced parenthesis: ')' has no matching '('",
        )),
        Tok::RBracket => Err(ExprError::new(
            p.tok.span,
            "unbalanced bracket: ']' has no matching '['",
        )),
        _ => Err(ExprError::new(
            p.tok.span,
            format!(
                "trailing input: expected an operator or the end of the formula, found {}",
                p.tok.describe(text)
            ),
        )),
    }
}

struct Parser<'t> {
    text: &'t str,
    lexer: Lexer<'t>,
    /// the current (not yet consumed) token
    tok: Token,
    depth: usize,
    max_depth: usize,
}

impl<'t> Parser<'t> {
    fn advance(&mut self) -> Result<(), ExprError> {
        self.tok = self.lexer.next_token()?;
        Ok(())
    }

    fn slice(&self, span: Span) -> &'t str {
        &self.text[span.start..span.end]
    }

    fn found(&self) -> String {
        self.tok.describe(self.text)
    }

    /// expr := term (("+" | "-") term)*
    fn expr(&mut self) -> Result<Node, ExprError> {
        let first = self.term()?;
        self.chain(first, |t| match t {
            Tok::Plus => Some(Binary::Add),
            Tok::Minus => Some(Binary::Sub),
            _ => None,
        })
    }

    /// term := unary (("*" | "/") unary)*
    fn term(&mut self) -> Result<Node, ExprError> {
        let first = self.unary()?;
        self.chain(first, |t| match t {
            Tok::Star => Some(Binary::Mul),
            Tok::Slash => Some(Binary::Div),
            _ => None,
        })
    }

    /// The flat left-to-right chain after `first`; the operands of `+ -` are terms,
    /// those of `* /` are unaries.
    fn chain(&mut self, first: Node, op_of: fn(Tok) -> Option<Binary>) -> Result<Node, ExprError> {
        let mut rest = Vec::new();
        let mut span = first.span;
        while let Some(op) = op_of(self.tok.tok) {
            let op_span = self.tok.span;
            self.advance()?;
            let operand = match op {
                Binary::Add | Binary::Sub => self.term()?,
                _ => self.unary()?,
            };
            span = span.to(operand.span);
            rest.push((op, op_span, operand));
        }
        if rest.is_empty() {
            return Ok(first);
        }
        Ok(Node {
            kind: NodeKind::Chain {
                first: Box::new(first),
                rest,
            },
            span,
        })
    }

    /// unary := "-" unary | power, one nesting level.
    fn unary(&mut self) -> Result<Node, ExprError> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(ExprError::new(
                self.tok.span,
                format!(
                    "formula nested too deeply: more than {} levels (the formula is the \
                     first; each parenthesis, call, index, minus sign and exponent adds one) \
                     (raise with --limit max_depth=N)",
                    self.max_depth
                ),
            ));
        }
        let r = self.unary_inner();
        self.depth -= 1;
        r
    }

    fn unary_inner(&mut self) -> Result<Node, ExprError> {
        if self.tok.tok != Tok::Minus {
            return self.power();
        }
        let minus = self.tok.span;
        self.advance()?;
        let operand = self.unary()?;
        let span = minus.to(operand.span);
        let kind = match operand.kind {
            // fold the sign into a literal
            NodeKind::Num { value, int, plain } => NodeKind::Num {
                value: -value,
                // a literal's magnitude is at most i128::MAX: its negation fits
                int: int.map(|k| -k),
                plain,
            },
            kind => NodeKind::Neg(Box::new(Node {
                kind,
                span: operand.span,
            })),
        };
        Ok(Node { kind, span })
    }

    /// power := atom ("^" unary)?
    fn power(&mut self) -> Result<Node, ExprError> {
        let base = self.atom()?;
        if self.tok.tok != Tok::Caret {
            return Ok(base);
        }
        self.advance()?;
        let exponent = self.unary()?;
        let span = base.span.to(exponent.span);
        let kind = match exponent.kind {
            NodeKind::Num {
                int: Some(k),
                plain: true,
                ..
            } => match i32::try_from(k) {
                Ok(k) => NodeKind::Powi(Box::new(base), k),
                Err(_) => {
                    return Err(ExprError::new(
                        exponent.span,
                        format!(
                            "integer exponent {k} is out of range (an integer power takes \
                             exponents from {} to {})",
                            i32::MIN,
                            i32::MAX
                        ),
                    ))
                }
            },
            NodeKind::Num {
                int: None,
                plain: true,
                ..
            } => {
                return Err(ExprError::new(
                    exponent.span,
                    format!(
                        "integer exponent {} is out of range (an integer power takes \
                         exponents from {} to {})",
                        self.slice(exponent.span),
                        i32::MIN,
                        i32::MAX
                    ),
                ))
            }
            _ => NodeKind::Pow(Box::new(base), Box::new(exponent)),
        };
        Ok(Node { kind, span })
    }

    /// atom := number | name | name "[" index "]" | call | "(" expr ")"
    fn atom(&mut self) -> Result<Node, ExprError> {
        let tok = self.tok;
        match tok.tok {
            Tok::Number { value, int } => {
                self.advance()?;
                let s = self.slice(tok.span);
                let plain = s.bytes().all(|b| b.is_ascii_digit());
                Ok(Node {
                    kind: NodeKind::Num { value, int, plain },
                    span: tok.span,
                })
            }
            Tok::Name => {
                self.advance()?;
                let name = self.slice(tok.span);
                match self.tok.tok {
                    Tok::LParen => self.call(name, tok.span),
                    Tok::LBracket => self.index(name, tok.span),
                    _ => Ok(Node {
                        kind: NodeKind::Name(name.to_string()),
                        span: tok.span,
                    }),
                }
            }
            Tok::LParen => {
                self.advance()?;
                let mut inner = self.expr()?;
                match self.tok.tok {
                    Tok::RParen => {
                        inner.span = tok.span.to(self.tok.span);
                        self.advance()?;
                        Ok(inner)
                    }
                    Tok::Eof => Err(ExprError::new(
                        tok.span,
                        "unbalanced parenthesis: this '(' is never closed (unexpected end of \
                         formula)",
                    )),
                    _ => Err(ExprError::new(
                        self.tok.span,
                        format!(
                            "expected ')' or an operator, found {} (the '(' at character {} of \
                             the formula is not closed)",
                            self.found(),
                            self.text[..tok.span.start].chars().count() + 1
                        ),
                    )),
                }
            }
            Tok::Eof => Err(ExprError::new(
                tok.span,
                "unexpected end of formula: expected a number, a name, a function call or '('",
            )),
            _ => Err(ExprError::new(
                tok.span,
                format!(
                    "expected a number, a name, a function call or '(', found {}",
                    self.found()
                ),
            )),
        }
    }

    /// `name "[" index "]"`, the current token being the '['.
    fn index(&mut self, name: &str, name_span: Span) -> Result<Node, ExprError> {
        let open = self.tok.span;
        self.advance()?;
        let index = self.expr()?;
        let close = match self.tok.tok {
            Tok::RBracket => self.tok.span,
            Tok::Eof => {
                return Err(ExprError::new(
                    open,
                    "unbalanced bracket: this '[' is never closed (unexpected end of formula)",
                ))
            }
            _ => {
                return Err(ExprError::new(
                    self.tok.span,
                    format!(
                        "expected ']' after the index of '{name}', found {}",
                        self.found()
                    ),
                ))
            }
        };
        self.advance()?;
        let index = self.integer(&index, &format!("the index of '{name}'"))?;
        Ok(Node {
            kind: NodeKind::Index(Box::new(IndexNode {
                name: name.to_string(),
                name_span,
                index,
            })),
            span: name_span.to(close),
        })
    }

    /// A call `name(args)`, the current token being the '('.
    fn call(&mut self, name: &str, name_span: Span) -> Result<Node, ExprError> {
        let Some(func) = function(name) else {
            return Err(ExprError::new(
                name_span,
                format!("unknown function '{name}' (known: {})", function_list()),
            ));
        };
        let open = self.tok.span;
        self.advance()?;
        let mut args = Vec::new();
        let close;
        if self.tok.tok == Tok::RParen {
            close = self.tok.span;
        } else {
            loop {
                args.push(self.expr()?);
                match self.tok.tok {
                    Tok::Comma => self.advance()?,
                    Tok::RParen => {
                        close = self.tok.span;
                        break;
                    }
                    Tok::Eof => {
                        return Err(ExprError::new(
                            open,
                            format!(
                                "unbalanced parenthesis: the '(' of '{name}' is never closed \
                                 (unexpected end of formula)"
                            ),
                        ))
                    }
                    _ => {
                        return Err(ExprError::new(
                            self.tok.span,
                            format!(
                                "expected ',' or ')' in the arguments of '{name}', found {}",
                                self.found()
                            ),
                        ))
                    }
                }
            }
        }
        self.advance()?;
        let span = name_span.to(close);
        let (wanted, what) = match func {
            Func::Unary(_) => (1, ""),
            Func::Binary(_) => (2, ""),
            Func::Sum | Func::Prod => (4, " (loop variable, from, to, term)"),
        };
        if args.len() != wanted {
            let plural = if wanted == 1 { "" } else { "s" };
            return Err(ExprError::new(
                span,
                format!(
                    "{name} takes {wanted} argument{plural}{what}, got {}",
                    args.len()
                ),
            ));
        }
        let mut args = args.into_iter();
        let mut next = || Box::new(args.next().expect("arity checked"));
        let kind = match func {
            Func::Unary(op) => NodeKind::Call1(op, next()),
            Func::Binary(op) => NodeKind::Call2(op, next(), next()),
            Func::Sum | Func::Prod => {
                let var = next();
                // a bare name: `(i)` parses to the same node, but is no loop variable
                let bare = matches!(&var.kind, NodeKind::Name(v) if self.slice(var.span) == v);
                let (NodeKind::Name(var_name), true) = (var.kind, bare) else {
                    return Err(ExprError::new(
                        var.span,
                        format!(
                            "expected a loop variable name as the first argument of '{name}', \
                             found '{}'",
                            self.slice(var.span)
                        ),
                    ));
                };
                let from = self.integer(&next(), &format!("the lower bound of '{name}'"))?;
                let to = self.integer(&next(), &format!("the upper bound of '{name}'"))?;
                NodeKind::Loop(Box::new(LoopNode {
                    prod: func == Func::Prod,
                    var: var_name,
                    var_span: var.span,
                    from,
                    to,
                    body: *next(),
                }))
            }
        };
        Ok(Node { kind, span })
    }

    /// The integer expression that `node` must be; `what` names it in messages.
    fn integer(&self, node: &Node, what: &str) -> Result<IExpr, ExprError> {
        let fail = |span: Span, found: String| {
            Err(ExprError::new(
                span,
                format!("{what} must be {INTEGER_EXPRESSION}, found {found}"),
            ))
        };
        let kind = match &node.kind {
            NodeKind::Num {
                int: Some(k),
                plain: true,
                ..
            } if i64::try_from(*k).is_ok() => IKind::Lit(*k as i64),
            NodeKind::Num { plain: true, .. } => {
                return Err(ExprError::new(
                    node.span,
                    format!(
                        "integer literal '{}' is out of range ({} to {})",
                        self.slice(node.span),
                        i64::MIN,
                        i64::MAX
                    ),
                ))
            }
            NodeKind::Num { .. } => {
                return fail(node.span, format!("number '{}'", self.slice(node.span)))
            }
            NodeKind::Name(n) => IKind::Var(n.clone()),
            NodeKind::Neg(a) => IKind::Neg(Box::new(self.integer(a, what)?)),
            NodeKind::Chain { first, rest } => {
                let first = Box::new(self.integer(first, what)?);
                let mut out = Vec::with_capacity(rest.len());
                for (op, op_span, operand) in rest {
                    if *op == Binary::Div {
                        return fail(*op_span, "'/'".to_string());
                    }
                    out.push((*op, self.integer(operand, what)?));
                }
                IKind::Chain(first, out)
            }
            NodeKind::Powi(..) | NodeKind::Pow(..) => {
                return fail(node.span, "a power '^'".to_string())
            }
            NodeKind::Index(ix) => return fail(node.span, format!("an element of '{}'", ix.name)),
            NodeKind::Call1(op, _) => return fail(node.span, format!("a call of '{}'", op.name())),
            NodeKind::Call2(op, _, _) => {
                return fail(node.span, format!("a call of '{}'", op.name()))
            }
            NodeKind::Loop(l) => {
                let f = if l.prod { "prod" } else { "sum" };
                return fail(node.span, format!("a call of '{f}'"));
            }
        };
        Ok(IExpr {
            kind,
            span: node.span,
        })
    }
}
