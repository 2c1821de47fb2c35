//! MPFR with a running rounding bound: the scalar of the reference, which tells a
//! derivative that is determined at its precision from one lost below it.
//!
//! Agreement between two precisions cannot see a term that both absorb: in
//! (t + tiny) - t with tiny below 2^-2p t, precisions p and 2p both return 0 and agree
//! exactly, while the derivative is tiny. [`Ranged`] carries beside each MPFR value `v`
//! a first-order bound `m` on its rounding error in units of 2^-p (Wilkinson's running
//! error analysis: every operation whose rounding was inexact, by MPFR's ternary value,
//! adds |result|, and every operation passes on its arguments' bounds times its partial
//! derivatives), so that |v - exact| <= m 2^-p to first order. The reference accepts an
//! entry only when |v| is large against m 2^-p ([`Ranged::determined`]); the sum above
//! has m about 2t and is refused until the precision resolves tiny. A structural zero
//! (nothing summed into it) and a cancellation of exactly computed terms (1 - 1) have
//! m = 0 and are exact.
//!
//! The bound is kept in f64. Where it overflows, or a partial is not finite, it is
//! infinite, and where it underflows it is 0: in both cases it gives no evidence, and
//! the reference falls back on agreement alone (`determined` is true).

use super::{Binary, Scalar, Unary};
use rug::float::Round;
use rug::ops::{AssignRound, Pow};
use rug::Float;
use std::cell::Cell;
use std::cmp::Ordering;

/// An MPFR value and a first-order bound on its rounding error, in units of 2^-p.
#[derive(Clone, Debug)]
pub struct Ranged {
    /// the value, at its precision p
    pub v: Float,
    /// |v - exact| <= m 2^-p to first order; 0 for an exact value, infinite when unknown
    pub m: f64,
}

impl Ranged {
    /// An exact value (an input or a constant): no rounding error.
    pub fn exact(v: Float) -> Ranged {
        Ranged { v, m: 0.0 }
    }

    /// True when the bound says nothing against `agree_bits` leading bits of the value:
    /// |v| >= m 2^(agree_bits - p), or the bound is 0 (exact), infinite (unknown) or
    /// the value is not a finite number.
    pub fn determined(&self, agree_bits: u32) -> bool {
        if !(self.m > 0.0 && self.m.is_finite() && self.v.is_finite()) {
            return true;
        }
        let p = self.v.prec();
        let mut noise = Float::with_val(64, self.m);
        let shift = i64::from(p) - i64::from(agree_bits);
        if shift >= 0 {
            noise >>= shift.min(i64::from(u32::MAX)) as u32;
        } else {
            noise <<= (-shift).min(i64::from(u32::MAX)) as u32;
        }
        Float::with_val(p, self.v.abs_ref()) >= noise
    }

    /// Half the width of the interval the bound leaves for the exact value, m 2^-p, in
    /// MPFR (no f64 underflow); `None` when the bound is unknown (infinite).
    fn radius(&self) -> Option<Float> {
        if !self.m.is_finite() {
            return None;
        }
        let mut r = Float::with_val(64, self.m);
        r >>= self.v.prec();
        Some(r)
    }

    /// True when the bound leaves the exact value on the same side of `c`'s value as
    /// this value, or equal to it when both are exact: |v - c| > m 2^-p + m_c 2^-p. A
    /// value that is not a finite number is taken as it is.
    fn apart_from(&self, c: &Ranged) -> bool {
        if self.m == 0.0 && c.m == 0.0 || !self.v.is_finite() || !c.v.is_finite() {
            return true;
        }
        match (self.radius(), c.radius()) {
            (Some(a), Some(b)) => {
                let p = self.v.prec().max(c.v.prec()) + 64;
                let gap = Float::with_val(p, &self.v - &c.v).abs();
                gap > Float::with_val(p, &a + &b)
            }
            _ => false,
        }
    }

    fn zero(&self) -> Ranged {
        Ranged::exact(Float::with_val(self.v.prec(), 0))
    }

    fn with(&self, v: Float, m: f64) -> Ranged {
        Ranged {
            v,
            m: if m.is_nan() { f64::INFINITY } else { m },
        }
    }
}

thread_local! {
    /// Decisions taken on values whose bound did not settle them, on this thread.
    static DOUBTS: Cell<u64> = const { Cell::new(0) };
}

fn doubt() {
    DOUBTS.with(|d| d.set(d.get().wrapping_add(1)));
}

/// Runs `f` (on this thread) and tells whether a derivative rule or a value in it took a
/// decision on a [`Ranged`] value that its bound does not settle: a zero test on a 0
/// with a rounding bound (an absorbed term: sqrt's slope or pow's zero-base rule at
/// (a + b) - b), a sign within the bound of 0 (the slope of |u|), or min/max of two
/// values within their bounds of each other. Agreement between precisions cannot see
/// such a decision when both take it the same wrong way; the reference settles nothing
/// evaluated under a doubt.
pub fn doubted<R>(f: impl FnOnce() -> R) -> (R, bool) {
    let before = DOUBTS.with(Cell::get);
    let r = f();
    (r, DOUBTS.with(Cell::get) != before)
}

/// `d * m`, with an exact argument (m = 0) passing nothing, also through an infinite
/// partial.
fn through(d: f64, m: f64) -> f64 {
    if m == 0.0 {
        0.0
    } else {
        d.abs() * m
    }
}

impl Scalar for Ranged {
    fn cst(&self, c: f64) -> Self {
        Ranged::exact(self.v.cst(c))
    }
    fn re(&self) -> f64 {
        self.v.re()
    }
    // the decisions a rule takes on values (a zero, a sign, which argument of min/max)
    // are doubted where the bound does not settle them: see [`doubted`]
    fn is_zero(&self) -> bool {
        let zero = Scalar::is_zero(&self.v);
        if zero && self.m != 0.0 {
            doubt();
        }
        zero
    }
    fn selects_left_of(&self, op: Binary, o: &Self) -> bool {
        if !self.apart_from(o) {
            doubt();
        }
        self.v.selects_left_of(op, &o.v)
    }
    fn sign(&self) -> f64 {
        if !self.apart_from(&self.zero()) {
            doubt();
        }
        self.v.sign()
    }
    fn unary(&self, op: Unary) -> Self {
        let (x, p) = (&self.v, self.v.prec());
        // the value as `Float`'s own `unary` computes it, and how many of its roundings
        // were inexact (MPFR's ternary value): an exact result adds nothing to the bound
        let (v, inexact) = match op {
            Unary::Neg => (Float::with_val(p, -x), 0),
            Unary::Abs => (Float::with_val(p, x.abs_ref()), 0),
            Unary::Recip => rounded(p, x.recip_ref()),
            Unary::Exp => rounded(p, x.exp_ref()),
            Unary::Log => rounded(p, x.ln_ref()),
            Unary::Sqrt => rounded(p, x.sqrt_ref()),
            Unary::Sin => rounded(p, x.sin_ref()),
            Unary::Cos => rounded(p, x.cos_ref()),
            Unary::Tan => rounded(p, x.tan_ref()),
            Unary::Tanh => rounded(p, x.tanh_ref()),
            Unary::Atan => rounded(p, x.atan_ref()),
            Unary::Powi(k) => rounded(p, Pow::pow(x, k)),
            Unary::Sigmoid => {
                // 1 / (1 + exp(-u)), each step at precision p, as `Float` does; the
                // relative errors of the steps add (first order, each passed on with a
                // factor of at most 1)
                let m = Float::with_val(p, -x);
                let (e, i1) = rounded(p, m.exp_ref());
                let (d, i2) = rounded(p, &e + 1u32);
                let (v, i3) = rounded(p, d.recip_ref());
                (v, i1 + i2 + i3)
            }
        };
        let (u, r) = (x.to_f64(), v.to_f64());
        // |psi'(u)| in f64, from u and v = psi(u)
        let d = match op {
            Unary::Neg | Unary::Abs => 1.0,
            Unary::Recip => r * r,
            Unary::Exp => r,
            Unary::Log => 1.0 / u,
            Unary::Sqrt => 0.5 / r,
            Unary::Sin => u.cos(),
            Unary::Cos => u.sin(),
            Unary::Tan => 1.0 + r * r,
            Unary::Tanh => 1.0 - r * r,
            Unary::Sigmoid => r * (1.0 - r),
            Unary::Atan => 1.0 / (1.0 + u * u),
            Unary::Powi(k) => f64::from(k) * r / u,
        };
        let m = through(d, self.m) + own(inexact, r);
        self.with(v, m)
    }
    fn binary(&self, op: Binary, o: &Self) -> Self {
        let (x, y) = (&self.v, &o.v);
        let p = x.prec().max(y.prec());
        let (v, inexact) = match op {
            Binary::Add => rounded(p, x + y),
            Binary::Sub => rounded(p, x - y),
            Binary::Mul => rounded(p, x * y),
            Binary::Div => rounded(p, x / y),
            Binary::Pow => rounded(p, Pow::pow(x, y)),
            Binary::Min | Binary::Max => {
                let t = if x.selects_left_of(op, y) { self } else { o };
                return Ranged {
                    v: Float::with_val(p, &t.v),
                    m: t.m,
                };
            }
        };
        let (a, b, r) = (x.to_f64(), y.to_f64(), v.to_f64());
        let m = own(inexact, r)
            + match op {
                Binary::Add | Binary::Sub => self.m + o.m,
                Binary::Mul => through(b, self.m) + through(a, o.m),
                Binary::Div => through(1.0 / b, self.m) + through(r / b, o.m),
                _ => through(b * r / a, self.m) + through(r * a.ln(), o.m),
            };
        self.with(v, m)
    }
}

/// `val` rounded to nearest at precision p, and 1 when that rounding was inexact.
fn rounded<T>(p: u32, val: T) -> (Float, u32)
where
    Float: AssignRound<T, Round = Round, Ordering = Ordering>,
{
    let (v, dir) = Float::with_val_round(p, val, Round::Nearest);
    (v, u32::from(dir != Ordering::Equal))
}

/// The rounding error an operation adds, in units of 2^-p: |r| for each inexact rounding.
fn own(inexact: u32, r: f64) -> f64 {
    if inexact == 0 {
        0.0
    } else {
        f64::from(inexact) * r.abs()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ad::Tape;

    fn r(p: u32, x: f64) -> Ranged {
        Ranged::exact(Float::with_val(p, x))
    }

    #[test]
    fn an_absorbed_term_is_not_determined() {
        // (1 + tiny) - 1 with tiny = 2^-600: 0 at 256 and at 512 bits, a bound of about
        // 2 in units of 2^-p, so 0 is refused; at 1024 bits tiny is resolved
        let tiny = 2f64.powi(-600);
        for p in [256, 512] {
            let s = r(p, 1.0).add(&r(p, tiny)).sub(&r(p, 1.0));
            assert!(Scalar::is_zero(&s.v), "{p}: {s:?}");
            assert!((1.0..=4.0).contains(&s.m), "{p}: {s:?}");
            assert!(!s.determined(100), "{p}: {s:?}");
        }
        let s = r(1024, 1.0).add(&r(1024, tiny)).sub(&r(1024, 1.0));
        assert_eq!(s.v.to_f64(), tiny);
        assert!(s.determined(100), "{s:?}");
    }

    #[test]
    fn exact_values_and_structural_zeros_are_determined() {
        let z = r(256, 0.0);
        assert!(z.determined(100));
        // no rounding takes place in 1 + 0.5 - 1.5, nor in the slope of (x + |x|) / 2
        // at x < 0 (0.5 - 0.5)
        let s = r(256, 1.0).add(&r(256, 0.5)).sub(&r(256, 1.5));
        assert!(Scalar::is_zero(&s.v) && s.m == 0.0, "{s:?}");
        let tape: Tape<Ranged> = Tape::new();
        let xs = tape.vars(&[r(256, -0.75)]);
        let y = xs[0].add(&xs[0].abs()).mul_f(0.5);
        let g = tape.gradient(&y, &xs);
        assert!(Scalar::is_zero(&g[0].v) && g[0].m == 0.0, "{:?}", g[0]);
        tape.clear();
        // d(2y)/dx on a tape: nothing is summed into x's adjoint
        let xs = tape.vars(&[r(256, 0.5), r(256, 3.0)]);
        let y = xs[1].mul_f(2.0).add(&xs[1].sin());
        let g = tape.gradient(&y, &xs);
        assert!(Scalar::is_zero(&g[0].v) && g[0].m == 0.0, "{:?}", g[0]);
        assert!(g[0].determined(100));
        assert!(g[1].m > 0.0 && g[1].determined(100), "{:?}", g[1]);
    }

    #[test]
    fn the_bound_covers_the_rounding_it_tracks() {
        // a chain of elementals at 64 bits against the same at 512: the difference is
        // within the bound of the 64-bit computation (in units of 2^-64)
        let chain = |p: u32| {
            let x = r(p, 0.7);
            let y = x.exp().sin().mul_f(3.1).div(&r(p, 0.9)).add(&x.sqrt());
            y.sub(&y.tanh().powi(3).atan())
        };
        let (lo, hi) = (chain(64), chain(512));
        let err = Float::with_val(600, &lo.v - &hi.v).abs();
        let bound = Float::with_val(600, lo.m) >> 64u32;
        assert!(err > 0, "the 64-bit chain rounds");
        assert!(err <= bound, "{err} > {bound}");
    }

    #[test]
    fn unknown_bounds_give_no_evidence() {
        let big = r(256, 1e300).mul(&r(256, 1e300)).sub(&r(256, 1.0));
        assert!(big.m.is_infinite(), "{big:?}");
        assert!(big.determined(100));
    }
}
