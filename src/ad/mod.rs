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

use crate::num::{Complex, Count, Eval, Ranged};
use rug::Float;

/// A scalar that the scalar tapes ([`Tape`], [`StatementTape`]) may record.
///
/// The tapes run the scalar's operations, and drop its values, while they hold their
/// storage exclusively, with no check on the hot path. This crate's scalars never
/// reach a tape from there; a scalar of another crate declares that it does not either.
///
/// # Safety
///
/// No method of the scalar (of [`crate::num::Scalar`], `Clone` or `Drop`) may record on,
/// sweep or otherwise call a [`Tape`] or a [`StatementTape`], by any route: a reference
/// it holds, a thread-local or a global. A tape re-entered from inside its own
/// operation would hand out two exclusive references to its storage.
///
/// A scalar of one's own is declared with `unsafe impl`, and is then recorded as this
/// crate's are:
///
/// ```
/// use derivbench::ad::{Tape, TapeScalar};
/// use derivbench::num::{Binary, Scalar, Unary};
///
/// #[derive(Clone, Debug)]
/// struct Mine(f64);
///
/// impl Scalar for Mine {
///     fn cst(&self, c: f64) -> Self { Mine(c) }
///     fn re(&self) -> f64 { self.0 }
///     fn unary(&self, op: Unary) -> Self { Mine(self.0.unary(op)) }
///     fn binary(&self, op: Binary, o: &Self) -> Self { Mine(self.0.binary(op, &o.0)) }
/// }
///
/// // SAFETY: its operations compute on its own value and never touch a tape.
/// unsafe impl TapeScalar for Mine {}
///
/// let tape: Tape<Mine> = Tape::new();
/// let x = tape.vars(&[Mine(3.0)]);
/// let y = x[0].mul(&x[0]);
/// assert_eq!(tape.gradient(&y, &x)[0].0, 6.0);
/// ```
///
/// Without the declaration the tape does not accept it:
///
/// ```compile_fail,E0277
/// use derivbench::ad::Tape;
/// use derivbench::num::{Binary, Scalar, Unary};
///
/// #[derive(Clone, Debug)]
/// struct Mine(f64);
///
/// impl Scalar for Mine {
///     fn cst(&self, c: f64) -> Self { Mine(c) }
///     fn re(&self) -> f64 { self.0 }
///     fn unary(&self, op: Unary) -> Self { Mine(self.0.unary(op)) }
///     fn binary(&self, op: Binary, o: &Self) -> Self { Mine(self.0.binary(op, &o.0)) }
/// }
///
/// let tape: Tape<Mine> = Tape::new();
/// ```
pub unsafe trait TapeScalar: Scalar {}

// SAFETY: plain numbers and this crate's wrappers of them: their operations compute on
// their own values (and count into a thread-local counter), and never touch a tape.
unsafe impl TapeScalar for f64 {}
// SAFETY: as above (MPFR)
unsafe impl TapeScalar for Float {}
// SAFETY: as above (MPFR with a rounding bound)
unsafe impl TapeScalar for Ranged {}
// SAFETY: as above (complex numbers)
unsafe impl TapeScalar for Complex {}
// SAFETY: as above (the counting scalar)
unsafe impl TapeScalar for Count {}
// SAFETY: the counted evaluation calls only `T`'s operations, which touch no tape
unsafe impl<T: TapeScalar> TapeScalar for Eval<T> {}
// SAFETY: dual numbers call only `T`'s operations, which touch no tape
unsafe impl<T: TapeScalar> TapeScalar for Dual<T> {}
// SAFETY: as for `Dual`
unsafe impl<T: TapeScalar> TapeScalar for DualVec<T> {}

pub use forward::{
    guard_runs, jacobian_forward, jacobian_forward_vector, jvp, seeded, Dual, DualVec,
};
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
/// Forward mode applies it to univariate elementals (written in line there, as
/// `forward::still_in_line`), and reruns a bivariate elemental with it where the plain
/// tangent came out NaN; reverse mode (the scalar and the matrix tape) reruns a whole
/// sweep with it where an adjoint it returns is NaN. Either rerun is uncounted, so that
/// the counts of the cost model do not depend on the point. Where it applies, it is one
/// NaN test; the rest is out of line.
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

/// Writes the seeds (entry, ybar) of a sweep into the adjoints, which are zero between
/// sweeps: a seed is written, not accumulated, and a repeated entry accumulates its
/// further seeds (found by a scan for a few seeds, by a set for many: m outputs seeded
/// at once are m seeds).
pub(crate) fn write_seeds<T: Scalar, I: Copy + Eq + std::hash::Hash>(
    adj: &mut [T],
    seeds: &[(I, T)],
    index: impl Fn(I) -> usize,
) {
    let mut seen = std::collections::HashSet::new();
    for (k, (i, ybar)) in seeds.iter().enumerate() {
        let repeated = if seeds.len() <= 16 {
            seeds[..k].iter().any(|(p, _)| p == i)
        } else {
            !seen.insert(*i)
        };
        let a = &mut adj[index(*i)];
        // the seed is not an operation of the cost model, written or accumulated: an
        // output listed twice costs its sweep no more
        *a = if repeated {
            crate::num::uncounted(|| a.add(ybar))
        } else {
            ybar.clone()
        };
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
