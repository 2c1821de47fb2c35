//! The running rounding bound of the reference's scalar (`num::Ranged`) covers the
//! rounding it claims to: on random formulas that use every elemental and every operand
//! order, each function value and each derivative (forward mode and a reverse sweep
//! over `Ranged`) computed at 64 bits lies within twice its first-order bound m 2^-64
//! of the same computed at 1024 bits. A rule that passed on a partial derivative too
//! small, or skipped a rounding, would let the 64-bit error out of the bound; the
//! cases that leave the first-order regime (a value that is not finite, or a bound
//! that is not finite) are left out, and so are values outside f64's normal range,
//! where the bound, an f64, underflows or overflows and makes no claim. Twice: the
//! bound is first order; and the 1024-bit value carries its own (far smaller) error,
//! within its own bound.

mod common;

use common::formulas::{formula, formula_program};
use derivbench::ad::{jacobian_forward, Tape};
use derivbench::num::{Ranged, Scalar};
use derivbench::scenario::expr::Program;
use proptest::prelude::*;
use rug::Float;

/// The program of one formula in a, b and c.
fn program(f: &str) -> Program {
    formula_program(&["a", "b", "c"], &[f])
}

/// The values (the output, then the derivatives by forward mode, then by reverse mode)
/// of `p` at `x` with every input entering exactly at precision `prec`.
fn values(p: &Program, x: &[f64], prec: u32) -> Vec<Ranged> {
    let xr: Vec<Ranged> = x
        .iter()
        .map(|&v| Ranged::exact(Float::with_val(prec, v)))
        .collect();
    let mut out = p.eval(&xr);
    for col in jacobian_forward(|d| p.eval(d), &xr, &[0, 1, 2]) {
        out.extend(col);
    }
    let tape = Tape::new();
    let xs = tape.vars(&xr);
    let y = p.eval(&xs).remove(0);
    out.extend(tape.gradient(&y, &xs));
    out
}

/// True for 0 and for magnitudes in f64's normal range.
fn in_f64_range(v: &Float) -> bool {
    v.is_zero() || {
        let r = v.to_f64().abs();
        (f64::MIN_POSITIVE..=f64::MAX).contains(&r)
    }
}

/// |lo - hi| <= 2 m_lo 2^-p_lo + 2 m_hi 2^-p_hi: each value within twice its own
/// first-order bound of the exact one. The 1024-bit side's part is far smaller, and
/// matters only where the 64-bit side is exact (m_lo = 0): the derivative of
/// tan(atan(c)) - c is exactly 0, which 64 bits may compute exactly, while 1024 bits
/// leave a rounding of about 2^-1033 in it.
fn covered(lo: &Ranged, hi: &Ranged) -> bool {
    let (p, q) = (lo.v.prec(), hi.v.prec());
    let err = Float::with_val(q, &lo.v - &hi.v).abs();
    let bound = Float::with_val(q, lo.m.scaled(1 - i64::from(p)).to_float())
        + hi.m.scaled(1 - i64::from(q)).to_float();
    err <= bound
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_bound_at_64_bits_covers_the_distance_to_1024_bits(
        f in formula(),
        x in prop::array::uniform3(-2.0f64..2.0),
    ) {
        let p = program(&f);
        let (lo, hi) = (values(&p, &x, 64), values(&p, &x, 1024));
        for (k, (l, h)) in lo.iter().zip(&hi).enumerate() {
            // outside the first-order regime the bound makes no claim, nor outside f64's
            // normal range, where it is kept: a rounding of 1e-1496 adds |v| = 0
            if !(l.v.is_finite() && h.v.is_finite() && l.m.is_finite() && in_f64_range(&l.v))
            {
                continue;
            }
            prop_assert!(
                covered(l, h),
                "{f} at {x:?}, value {k}: {} at 64 bits, {} at 1024, bound {} * 2^-64",
                l.v,
                h.v.to_f64(),
                l.m.to_float()
            );
        }
    }
}

#[test]
fn a_bound_sixteen_times_too_small_is_caught() {
    // the comparison is not vacuous: the same formulas with every bound divided by 16
    // (as if most roundings had been skipped) leave some 64-bit error uncovered
    let mut caught = 0;
    for f in [
        "exp(a) * b + sin(a * b)",
        "log(1 + a^2) / (b^2 + 1.5)",
        "pow(a^2 + 1, tanh(b)) - sigmoid(a)",
        "atan(a * b) * cos(b) + sqrt(1 + a^2)",
    ] {
        let p = program(f);
        let x = [0.7, -1.3, 0.4];
        let (lo, hi) = (values(&p, &x, 64), values(&p, &x, 1024));
        for (l, h) in lo.iter().zip(&hi) {
            assert!(covered(l, h), "{f}: {l:?}");
            let small = Ranged {
                v: l.v.clone(),
                m: l.m.scaled(-4),
            };
            caught += usize::from(!covered(&small, h));
        }
    }
    assert!(caught > 0);
}

/// An ill-conditioned quotient, which the random formulas (whose divisors stay away
/// from 0) do not reach: t = (0.7 + 1e-8) - 0.7 keeps the rounding of 0.7 + 1e-8, about
/// 2^-64 relative to 0.7 and so 2^-64 0.7 / 1e-8 relative to t, and 1/t carries it
/// with its partial in t, 1/t^2. The bound must grow by that factor, 7e7.
#[test]
fn the_bound_of_a_quotient_covers_an_ill_conditioned_divisor() {
    let q = |p: u32| {
        let a = Ranged::exact(Float::with_val(p, 0.7));
        let t = a.add_f(1e-8).sub(&a);
        Ranged::exact(Float::with_val(p, 1.0)).div(&t)
    };
    let (lo, hi) = (q(64), q(1024));
    assert!(
        covered(&lo, &hi),
        "{} against {}: bound {:?}",
        lo.v,
        hi.v,
        lo.m
    );
}
