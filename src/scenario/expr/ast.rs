//! The syntax tree of a formula, as the parser builds it and the compiler expands it.
//!
//! Chains of `+ -` and of `* /` are stored flat (first operand plus a list), so that a
//! long sum of terms is not a deep tree: every recursion over the tree is bounded by the
//! nesting depth that the parser counts and limits.

use super::error::Span;
use crate::num::{Binary, Unary};

/// A node of a real-valued expression and the text it covers.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub kind: NodeKind,
    pub span: Span,
}

/// What a node is.
#[derive(Clone, Debug)]
pub(crate) enum NodeKind {
    /// a literal; `int` is its integer value when written as a plain integer (digits
    /// only, possibly negated) that fits an `i128`; `plain` says it was written with
    /// digits only (so a `plain` literal without `int` is an integer too large)
    Num {
        value: f64,
        int: Option<i128>,
        plain: bool,
    },
    /// a name used as a value: a scalar input or constant, a loop variable, `pi`, `e`
    Name(String),
    /// `name[index]`
    Index(Box<IndexNode>),
    /// `-u`
    Neg(Box<Node>),
    /// `first op1 a1 op2 a2 ...`, evaluated left to right; the span is the operator's
    Chain {
        first: Box<Node>,
        rest: Vec<(Binary, Span, Node)>,
    },
    /// `u ^ k` with an integer literal k
    Powi(Box<Node>, i32),
    /// `u ^ w` otherwise
    Pow(Box<Node>, Box<Node>),
    /// a univariate function
    Call1(Unary, Box<Node>),
    /// `pow`, `min`, `max`
    Call2(Binary, Box<Node>, Box<Node>),
    /// `sum(var, from, to, body)` or `prod(...)`
    Loop(Box<LoopNode>),
}

/// `name[index]` (boxed in [`NodeKind`] to keep nodes small: the parser and the
/// compiler recurse once per nesting level, and small nodes mean small stack frames).
#[derive(Clone, Debug)]
pub(crate) struct IndexNode {
    pub name: String,
    pub name_span: Span,
    pub index: IExpr,
}

/// `sum(var, from, to, body)` or `prod(...)`.
#[derive(Clone, Debug)]
pub(crate) struct LoopNode {
    pub prod: bool,
    pub var: String,
    pub var_span: Span,
    pub from: IExpr,
    pub to: IExpr,
    pub body: Node,
}

/// An integer expression (an index or a loop bound) and the text it covers.
#[derive(Clone, Debug)]
pub(crate) struct IExpr {
    pub kind: IKind,
    pub span: Span,
}

/// What an integer expression is.
#[derive(Clone, Debug)]
pub(crate) enum IKind {
    /// an integer literal
    Lit(i64),
    /// a loop variable
    Var(String),
    /// `-a`
    Neg(Box<IExpr>),
    /// `first op1 a1 ...` with `op` one of `Add`, `Sub`, `Mul`, left to right
    Chain(Box<IExpr>, Vec<(Binary, IExpr)>),
}

/// A function of the language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Func {
    /// sin, cos, ...: one argument
    Unary(Unary),
    /// pow, min, max: two arguments
    Binary(Binary),
    /// sum(var, from, to, body)
    Sum,
    /// prod(var, from, to, body)
    Prod,
}

/// Every function, by name, in the order shown in messages.
pub(crate) const FUNCTIONS: &[(&str, Func)] = &[
    ("sin", Func::Unary(Unary::Sin)),
    ("cos", Func::Unary(Unary::Cos)),
    ("tan", Func::Unary(Unary::Tan)),
    ("exp", Func::Unary(Unary::Exp)),
    ("log", Func::Unary(Unary::Log)),
    ("sqrt", Func::Unary(Unary::Sqrt)),
    ("tanh", Func::Unary(Unary::Tanh)),
    ("sigmoid", Func::Unary(Unary::Sigmoid)),
    ("atan", Func::Unary(Unary::Atan)),
    ("abs", Func::Unary(Unary::Abs)),
    ("pow", Func::Binary(Binary::Pow)),
    ("min", Func::Binary(Binary::Min)),
    ("max", Func::Binary(Binary::Max)),
    ("sum", Func::Sum),
    ("prod", Func::Prod),
];

/// The built-in constants and their f64 values.
pub(crate) const CONSTANTS: &[(&str, f64)] =
    &[("pi", std::f64::consts::PI), ("e", std::f64::consts::E)];

/// The function called `name`, if any.
pub(crate) fn function(name: &str) -> Option<Func> {
    FUNCTIONS.iter().find(|(n, _)| *n == name).map(|&(_, f)| f)
}

/// The value of the built-in constant `name`, if any.
pub(crate) fn constant(name: &str) -> Option<f64> {
    CONSTANTS.iter().find(|(n, _)| *n == name).map(|&(_, v)| v)
}

/// The function names, comma separated, for messages.
pub(crate) fn function_list() -> String {
    FUNCTIONS
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}
