//! Over MPFR, min, max and |u| must take their derivative from the branch that the
//! value itself takes by MPFR's exact comparison, not from the operands rounded to f64,
//! where values that differ below the f64 resolution tie (and a value below the f64
//! range is 0). Otherwise the reference settles on the slope of the other branch.
//!
//! The expected values are exact: at x = 1 + 2^-30, x^2 = 1 + 2^-29 + 2^-60 exceeds
//! 2x - 1 = 1 + 2^-29 by 2^-60, below half an f64 ulp (2^-53), so both round to
//! 1 + 2^-29; min(x^2, 2x - 1) is 2x - 1 near x, with slope 2, and max(x^2, 2x - 1) is
//! x^2, with slope 2x = 2 + 2^-29. And |u| at u = +-2^-1400 (nonzero, below the f64
//! range) has slope +-1.

use derivbench::ad::{jacobian_forward, Tape};
use derivbench::measure::{reference_jacobian, RefOptions};
use derivbench::num::Scalar;
use derivbench::scenario::file::{load_str, Limits};
use rug::Float;
use std::path::Path;

const BITS: u32 = 256;

fn x0() -> f64 {
    1.0 + 2f64.powi(-30)
}

fn branches<S: Scalar>(x: &[S]) -> Vec<S> {
    let sq = x[0].mul(&x[0]);
    let lin = x[0].mul_f(2.0).sub_f(1.0);
    vec![sq.min(&lin), sq.max(&lin), lin.max(&sq), lin.min(&sq)]
}

/// d/dx of `branches` at x0, exactly: min -> 2, max -> 2 x0.
fn want() -> [f64; 4] {
    [2.0, 2.0 * x0(), 2.0 * x0(), 2.0]
}

#[test]
fn min_and_max_over_mpfr_follow_the_branch_of_the_value() {
    let x = [Float::with_val(BITS, x0())];
    // the premise: the branches tie in f64 but not in MPFR
    let ys = branches(&x);
    assert_eq!(ys[0].to_f64(), ys[1].to_f64());
    assert!(ys[0] < ys[1]);
    let tape = Tape::new();
    let xs = tape.vars(&x);
    let ys = branches(&xs);
    let rev = tape.jacobian(&ys, &xs);
    let fwd = jacobian_forward(branches, &x, &[0]);
    for (i, w) in want().iter().enumerate() {
        assert_eq!(rev[i][0].to_f64(), *w, "reverse, output {i}: {}", rev[i][0]);
        assert_eq!(fwd[0][i].to_f64(), *w, "forward, output {i}: {}", fwd[0][i]);
    }
}

#[test]
fn the_reference_takes_the_slope_of_the_branch_of_the_value() {
    let text = format!(
        "name = \"branches\"\ninputs = [{{ name = \"x\", value = {:?} }}]\n\
         outputs = [\"min(x * x, 2 * x - 1)\", \"max(x * x, 2 * x - 1)\"]\n",
        x0()
    );
    let sc = load_str(Path::new("branches.toml"), &text, &Limits::default())
        .unwrap()
        .0;
    let r = reference_jacobian(&sc.model, &sc.x, &[0], &RefOptions::default());
    for (i, w) in [2.0, 2.0 * x0()].iter().enumerate() {
        let e = &r.entries[i][0];
        assert!(e.settled, "output {i}");
        assert_eq!(e.to_f64(), *w, "output {i}: {}", e.value);
    }
}

#[test]
fn abs_over_mpfr_has_slope_one_below_the_f64_range() {
    for s in [1.0, -1.0] {
        let u = Float::with_val(BITS, s) >> 1400u32;
        assert_eq!(u.to_f64(), 0.0);
        let tape = Tape::new();
        let xs = tape.vars(std::slice::from_ref(&u));
        let y = xs[0].abs();
        assert_eq!(
            tape.gradient(&y, &xs)[0].to_f64(),
            s,
            "reverse at {s} 2^-1400"
        );
        let fwd = jacobian_forward(|d| vec![d[0].abs()], std::slice::from_ref(&u), &[0]);
        assert_eq!(fwd[0][0].to_f64(), s, "forward at {s} 2^-1400");
    }
}
