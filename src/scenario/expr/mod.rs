//! The formula language of `family = "expr"` scenarios: lexer, parser and a compiled,
//! hash-consed straight-line program evaluated over any scalar.
//!
//! ```text
//! expr   := term (("+" | "-") term)*
//! term   := unary (("*" | "/") unary)*
//! unary  := "-" unary | power
//! power  := atom ("^" unary)?                 right-associative; -x^2 means -(x^2)
//! atom   := number | name | name "[" index "]" | call | "(" expr ")"
//! call   := func "(" expr ("," expr)* ")"
//!         | ("sum" | "prod") "(" ivar "," index "," index "," expr ")"
//! index  := integer expression over integer literals and loop variables: + - * ( )
//! number := decimal literal: 2, 1.5, .5, 1e-3, 2.5E+10
//! ```
//!
//! Functions: `sin cos tan exp log sqrt tanh sigmoid atan abs pow(a, b) min(a, b)
//! max(a, b)`, loops `sum(i, from, to, term)` and `prod(...)`; constants `pi` and `e`.
//! `x ^ k` with an integer literal k (`x^2`, `x^-2`, `x^(-2)`) is the elemental
//! [`Unary::Powi`](crate::num::Unary::Powi), any other power is
//! [`Binary::Pow`](crate::num::Binary::Pow). Indices are 1-based. A loop is a left fold
//! starting with its first term (`sum(i,1,3,t)` is `(t1 + t2) + t3`); an empty range
//! gives 0 for `sum` and 1 for `prod`; a loop variable used as a value is a constant.
//!
//! Choices of this implementation:
//! - a minus sign applied to a numeric literal is folded into it: `-2` (also `-(2)`)
//!   is the constant -2, not a negation; `-x` and `-(2^2)` are negations;
//! - loop variables never shadow: naming a loop variable like an input, a constant,
//!   `pi`, `e`, a function or an enclosing loop variable is an error;
//! - nothing else is folded or simplified, and every literal stays a `Const`.
//!
//! ```
//! use derivbench::scenario::expr::{Compiler, Env, Limits, Shape};
//!
//! let mut env = Env::new();
//! env.add_input("x", Shape::Vector(3)).unwrap();
//! let mut c = Compiler::new(&env, Limits::default());
//! c.add_output("sum(i, 1, 3, i * x[i]^2)", &[]).unwrap();
//! let p = c.finish();
//! assert_eq!(p.eval(&[1.0, 2.0, 3.0]), vec![1.0 + 8.0 + 27.0]);
//! ```

mod ast;
mod compiler;
mod env;
mod error;
mod lexer;
mod loops;
mod parser;
mod program;

pub use compiler::{Compiler, Limits};
pub use env::{Env, Shape};
pub use error::{ExprError, Span};
pub use program::{Instr, Program};

#[cfg(test)]
mod tests;
