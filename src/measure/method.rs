//! The methods a run compares, by their report names.

use std::fmt;
use std::str::FromStr;

/// A way of computing derivatives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    /// forward difference at every step of the sweep and at the textbook step
    FdForward,
    /// backward difference
    FdBackward,
    /// central difference
    FdCentral,
    /// Ridders' extrapolation of central differences
    FdRichardson,
    /// Im f(x + ih) / h
    ComplexStep,
    /// forward mode, one tangent per sweep
    Forward,
    /// forward mode, all tangents in one sweep
    ForwardVector,
    /// reverse mode on the scalar tape
    Reverse,
    /// reverse mode on the matrix-level tape (network families)
    ReverseTensor,
    /// reverse mode on the statement-level tape (partials formed while recording)
    ReverseStatement,
    /// symbolic differentiation of the formula (formula scenarios)
    Symbolic,
}

impl Method {
    /// Every method, in report order.
    pub const ALL: [Method; 11] = [
        Method::FdForward,
        Method::FdBackward,
        Method::FdCentral,
        Method::FdRichardson,
        Method::ComplexStep,
        Method::Forward,
        Method::ForwardVector,
        Method::Reverse,
        Method::ReverseTensor,
        Method::ReverseStatement,
        Method::Symbolic,
    ];

    /// The scenarios the method gives figures for, in words.
    pub fn applies_to(self) -> &'static str {
        match self {
            Method::ReverseTensor => "the network families mlp, elman-rnn and gated-rnn",
            Method::Symbolic => "formula scenarios",
            _ => "every scenario",
        }
    }

    /// The name used in reports and `--methods`.
    pub fn name(self) -> &'static str {
        match self {
            Method::FdForward => "fd-forward",
            Method::FdBackward => "fd-backward",
            Method::FdCentral => "fd-central",
            Method::FdRichardson => "fd-richardson",
            Method::ComplexStep => "complex-step",
            Method::Forward => "forward",
            Method::ForwardVector => "forward-vector",
            Method::Reverse => "reverse",
            Method::ReverseTensor => "reverse-tensor",
            Method::ReverseStatement => "reverse-statement",
            Method::Symbolic => "symbolic",
        }
    }

    /// The difference quotient of an FD sweep method.
    pub fn fd_kind(self) -> Option<crate::fd::FdKind> {
        use crate::fd::FdKind;
        match self {
            Method::FdForward => Some(FdKind::Forward),
            Method::FdBackward => Some(FdKind::Backward),
            Method::FdCentral => Some(FdKind::Central),
            _ => None,
        }
    }

    /// True for AD methods (exact up to rounding).
    pub fn is_ad(self) -> bool {
        matches!(
            self,
            Method::Forward | Method::ForwardVector | Method::Reverse | Method::ReverseStatement
        )
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Method {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Method::ALL
            .iter()
            .copied()
            .find(|m| m.name() == s)
            .ok_or_else(|| {
                let known: Vec<&str> = Method::ALL.iter().map(|m| m.name()).collect();
                format!("unknown method '{s}' (known: {})", known.join(", "))
            })
    }
}
