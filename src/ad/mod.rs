//! Automatic differentiation: forward mode ([`Dual`], [`DualVec`]) and reverse mode
//! on an index-based tape ([`Tape`], [`Var`]), both generic over the scalar.

/// The [`Scalar`](crate::num::Scalar) methods that a wrapper of the scalar `T` (a dual
/// number, a tape variable) answers from its value `v` alone.
macro_rules! value_queries {
    () => {
        #[inline]
        fn value_is_zero(&self) -> bool {
            self.v.value_is_zero()
        }
        #[inline]
        fn selects_left_of(&self, op: Binary, o: &Self) -> bool {
            self.v.selects_left_of(op, &o.v)
        }
        #[inline]
        fn sign(&self) -> f64 {
            self.v.sign()
        }
        #[inline]
        fn note_moves(n: u64) {
            T::note_moves(n)
        }
    };
}
use value_queries;

mod forward;
mod reverse;
mod statement;
mod tensor;

pub use forward::{jacobian_forward, jacobian_forward_vector, jvp, seeded, Dual, DualVec};
pub use reverse::{AdjointStep, NodeKind, Tape, TapeNode, Var};
pub use statement::{SVar, StatementTape, COPY_MAX};
pub use tensor::{eval_tensor_with, gradient_tensor_with, Mat, TensorLoss, TensorTape};

use crate::num::Scalar;

/// `r`, a partial derivative times `t` (or a quotient of `t`), where `t` is a tangent or
/// an adjoint, except that a `t` of exactly zero stays zero where the factor is infinite
/// or NaN: what does not move in a direction moves by 0, and an entry that an output
/// does not depend on passes 0 back, not 0 * inf = NaN, which would spread to every
/// entry it reaches. `t` is the tangent or the adjoint itself, never an intermediate
/// product of it with a partial (vbar v of u^w), which may round to 0 while `t` is not:
/// a NaN partial must then stay NaN. The product is computed either way, so the count
/// of operations is the same.
///
/// Forward mode applies it to univariate elementals, and reruns a bivariate elemental
/// with it where the plain tangent came out NaN; reverse mode (the scalar and the matrix
/// tape) reruns a whole sweep with it where an adjoint it returns is NaN. Either rerun is uncounted, so that the counts
/// of the cost model do not depend on the point. Where it applies, it is one NaN test;
/// the rest is out of line.
#[inline(always)]
pub(crate) fn still<T: Scalar>(r: T, t: &T) -> T {
    if r.re().is_nan() {
        still_nan(r, t)
    } else {
        r
    }
}

#[cold]
#[inline(never)]
fn still_nan<T: Scalar>(r: T, t: &T) -> T {
    if t.is_zero() {
        t.clone()
    } else {
        r
    }
}

/// The result of a rule's rerun on rescaled factors (`alt`) or of the rule as it ran
/// (`d`): where `d` is infinite or NaN, `alt` unless it is NaN; where `d` is 0 or
/// subnormal, `alt` only where it is a normal number. A 0 may be an exact cancellation
/// (the tangent udot - v wdot of x / x), which the rerun, rounding its products in
/// another order, would turn into a rounding error in MPFR; it replaces only a result
/// that underflow took.
pub(crate) fn rescaled_or_plain<T: Scalar>(d: T, alt: T) -> T {
    let a = alt.re();
    let take = if d.re().is_finite() {
        a.is_finite() && a.abs() >= f64::MIN_POSITIVE
    } else {
        !a.is_nan()
    };
    if take {
        alt
    } else {
        d
    }
}

/// [`still`] when `GUARD`, the product as it is otherwise: the per-product rule of a
/// sweep compiled once plain (the hot path) and once guarded (the rerun).
#[inline(always)]
pub(crate) fn guard<const GUARD: bool, T: Scalar>(r: T, t: &T) -> T {
    if GUARD {
        still(r, t)
    } else {
        r
    }
}
