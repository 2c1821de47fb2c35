//! The classic error model of a difference quotient charges each evaluation of f a
//! rounding of u|f|. Where f cancels what it is computed from, its evaluation rounds at
//! the scale of those terms, and the model's optimal step and error are far too small.
//! `fd_theory` also carries the first-order bound u sum_i |df/dv_i| |v_i| over f's
//! elementals, from one reverse sweep, and the model with that rounding in place of u|f|:
//! it must sit above the measured best error and near it, where the classic model is
//! below it by orders of magnitude.

use derivbench::measure::{measure_accuracy, AccuracyOptions, Method};
use derivbench::results::FdTheory;
use derivbench::scenario::file::{load_str, Limits};
use std::path::Path;

const U: f64 = f64::EPSILON / 2.0;

fn theory(x: f64, output: &str) -> Vec<FdTheory> {
    let text = format!(
        "name = \"t\"\ninputs = [{{ name = \"x\", value = {x:e} }}]\noutputs = [\"{output}\"]\n"
    );
    let (sc, _) = load_str(Path::new("t.toml"), &text, &Limits::default()).unwrap();
    let opts = AccuracyOptions {
        methods: vec![Method::FdForward, Method::FdCentral],
        ..AccuracyOptions::default()
    };
    measure_accuracy(&sc, &opts).theory
}

fn method<'a>(t: &'a [FdTheory], m: &str) -> &'a FdTheory {
    t.iter().find(|r| r.method == m).expect("a model row")
}

#[test]
fn one_minus_cos_near_zero_rounds_at_the_scale_of_cos() {
    let x = 1e-5f64;
    let t = theory(x, "1 - cos(x)");
    let (c, f) = (x.cos(), 1.0 - x.cos());
    for r in &t {
        // cos x enters with adjoint -1, the difference with 1; the constant 1 is exact
        assert_eq!(r.round_bound, Some(U * (c + f)), "{r:?}");
    }
    for m in ["fd-forward", "fd-central"] {
        let r = method(&t, m);
        let (measured, classic, bounded) = (
            r.measured_err.unwrap(),
            r.predicted_err.unwrap(),
            r.bound_err.unwrap(),
        );
        // classic: 1.5e-13 (forward) against a measured 3.1e-9
        assert!(classic < measured / 100.0, "{m}: {r:?}");
        // with the bound: above the measurement, and within a factor of 10 of it
        assert!(
            bounded >= measured && bounded <= 10.0 * measured,
            "{m}: {r:?}"
        );
        // and its step within a decade of the sweep's best
        let (h, hm) = (r.bound_h.unwrap(), r.measured_h.unwrap());
        assert!((h / hm).abs().log10().abs() <= 1.0, "{m}: {r:?}");
    }
}

#[test]
fn a_difference_that_is_exactly_zero_still_rounds_its_terms() {
    // x x - 1e16 at 1e8 is 0: the classic model has no rounding term and no optimum,
    // while f(x + h) rounds at ulp(1e16) = 2
    let t = theory(1e8, "x * x - 1e16");
    let r = method(&t, "fd-forward");
    assert_eq!(r.f_abs, 0.0);
    assert_eq!(r.predicted_h, None, "{r:?}");
    assert_eq!(r.round_bound, Some(U * 1e16), "{r:?}");
    assert!(r.bound_h.is_some() && r.bound_err.is_some(), "{r:?}");
}

#[test]
fn the_bound_is_never_below_the_classic_rounding() {
    for (x, formula) in [
        (1.5, "sin(x / 0.5) + x / 0.5 - exp(0.5)"),
        (0.7, "exp(x) * log(x + 2) - x^3"),
        (2.0, "1 / (1 + exp(-x)) * tanh(x)"),
        (1e-3, "sqrt(x) + atan(x) - x"),
    ] {
        for r in theory(x, formula) {
            let b = r.round_bound.expect("a bound");
            assert!(b >= U * r.f_abs, "{formula}: {r:?}");
            // and the model built on it never promises a smaller error than the classic
            if let (Some(be), Some(pe)) = (r.bound_err, r.predicted_err) {
                assert!(be >= pe, "{formula}: {r:?}");
            }
        }
    }
}
