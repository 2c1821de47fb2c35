//! Derivatives whose rules, in their usual order of operations, overflow or underflow
//! f64 in an intermediate although the function, its operands and the derivative are
//! normal numbers (each case overflowing, and its mirror underflowing to 0): the slope k u^(k-1) of an integer power (u^(k-1) underflows, and f64's
//! powi forms it as 1 / u^(1-k), which overflows to 0), the tangent of pow (w udot / u
//! at a tiny base) and of a quotient (v wdot), the adjoint of a quotient ((vbar / w) v)
//! and of pow (vbar v w / u). Forward and reverse mode must both deliver the value that
//! mpmath gives at 3000 bits, rounded to f64, to 2 bits, and the reference must settle
//! on it. Last, what no order of operations fixes, as docs/methods.md says: a mode's own
//! intermediate derivative beyond f64's range, and a univariate slope that overflows
//! before it is multiplied.

mod common;

use derivbench::measure::{measure_accuracy, AccuracyOptions, Method};
use derivbench::num::bits_err;
use derivbench::scenario::file::{load_str, Limits};
use std::path::Path;

const AD: [Method; 3] = [Method::Forward, Method::ForwardVector, Method::Reverse];

/// Checks d(output 0)/d(input `wrt`) of the scenario with `inputs` (name, value) and
/// `output` against `want`.
fn check(inputs: &[(&str, f64)], output: &str, wrt: usize, want: f64) {
    let ins: Vec<String> = inputs
        .iter()
        .map(|(n, v)| format!("{{ name = \"{n}\", value = {v:?} }}"))
        .collect();
    let text = format!(
        "name = \"edge\"\ninputs = [{}]\noutputs = [{output:?}]\n",
        ins.join(", ")
    );
    let sc = load_str(Path::new("edge.toml"), &text, &Limits::default())
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .0;
    let what = format!("d/d{} {output} at {inputs:?}", inputs[wrt].0);
    common::check_entry(&sc, wrt, want, &AD, &what);
}

#[test]
fn an_integer_power_whose_slope_is_normal_though_u_to_the_k_minus_1_is_not() {
    // u^(k-1) = 2^-1024 and 2^-1025 are subnormal, and f64's powi gives 0 (as 1 / inf),
    // while the slopes -1023 2^-1024 and -24 2^-1025 = -3 2^-1022 are normal; at powers
    // of two the value u^k is exact, so that only the slope's rule can lose bits
    check(&[("x", 2.0)], "x^-1023", 0, -5.6906263931321675e-306);
    check(&[("x", 2f64.powi(41))], "x^-24", 0, -3.0 * 2f64.powi(-1022));
    // where v = 2.9e-313 is subnormal too, u^(k-1) formed whole kept only its own
    // subnormal bits (13.4 bits off the normal slope -2.1e-307)
    check(&[("x", 1.001)], "x^-720000", 0, -2.0946588913648397e-307);
    // k = i32::MIN, whose k - 1 is not an i32: f64's powi gives v = 0 (as 1 / inf),
    // and k v / u was a slope of -0 where it is -2.1e-300
    check(
        &[("x", 1.000000331317499)],
        "x^-2147483648",
        0,
        -2.1474834097769526e-300,
    );
    // where f64's powi of the value itself errs (1128.5^-100 by 8 ulps), the slope is no
    // longer 0 but -100 v / u, and pow(x, -100.0), whose value is within an ulp, gives it
    // to 2 bits
    check(
        &[("x", 1128.5)],
        "pow(x, -100.0)",
        0,
        -4.981293085942077e-307,
    );
}

#[test]
fn pow_at_a_tiny_base_in_forward_mode() {
    // w udot / u = 0.5 / 2.2e-316 overflows; v times it is 3.9e157
    check(
        &[("x", 1.0000000000000002e-300)],
        "pow(x - 1e-300, 0.5)",
        0,
        3.883315981561519e157,
    );
    check(&[("x", 1e-310)], "pow(x, 0.9)", 0, 8.99999999999986e30);
}

#[test]
fn a_quotient_whose_tangent_product_overflows() {
    // v wdot = 1e307 * 100 overflows in (udot - v wdot) / w
    check(
        &[("x", 1e308), ("y", 0.1)],
        "x / (y * 100)",
        1,
        -9.999999999999998e307,
    );
}

#[test]
fn a_quotient_whose_adjoint_over_w_overflows() {
    // vbar / w = 1e300 / 1e-10 overflows in (vbar / w) v
    check(&[("x", 1e-300), ("y", 1e-10)], "1e300 * (x / y)", 1, -1e20);
}

#[test]
fn pow_whose_adjoint_times_value_overflows() {
    // vbar v = 1e10 * 1e300 overflows in vbar v w / u; the slope is 30 x^29 * 1e10
    check(&[("x", 1e10)], "(x^30.0 - 1e300) * 1e10", 0, 3e301);
}

#[test]
fn products_of_the_rules_that_underflow_to_zero() {
    // vbar / w = 1e-300 / 1e100 underflows in (vbar / w) v of the adjoint
    check(
        &[("x", 1e300), ("y", 1e100)],
        "1e-300 * (x / y)",
        1,
        -1e-200,
    );
    // vbar v = 1e-275 * 1e-50 underflows in vbar v w / u of the adjoint
    check(
        &[("x", 1e-20)],
        "1e-275 * pow(x, 2.5)",
        0,
        2.4999999999999994e-305,
    );
    // v wdot = 1e-100 * 1e-200 underflows in (udot - v wdot) / w of the tangent
    check(
        &[("x", 1e-300), ("y", 1e100)],
        "x / (1e-200 * y)",
        1,
        -1e-300,
    );
}

/// The value of `method` for d(output 0)/dx of a one-input scenario at x.
fn value(output: &str, x: f64, method: Method) -> f64 {
    let text = format!(
        "name = \"edge\"\ninputs = [{{ name = \"x\", value = {x:?} }}]\noutputs = [{output:?}]\n"
    );
    let sc = load_str(Path::new("edge.toml"), &text, &Limits::default())
        .unwrap()
        .0;
    let opts = AccuracyOptions {
        methods: vec![method],
        quick: true,
        ..AccuracyOptions::default()
    };
    let acc = measure_accuracy(&sc, &opts);
    acc.rows[0].value.expect("a value")
}

#[test]
fn an_intermediate_derivative_beyond_f64s_range_overflows_in_its_mode_as_documented() {
    // the adjoint of 1e-160 x is -1e320; its tangent is 1e-160 (docs/methods.md)
    let d = value("1 / (x * 1e-160)", 1.0, Method::Forward);
    assert!(bits_err(d, -1e160) <= 2.0, "{d:e}");
    assert_eq!(
        value("1 / (x * 1e-160)", 1.0, Method::Reverse),
        f64::NEG_INFINITY
    );
    // the slope 1/u of log at u = 1e-310 overflows before it is multiplied, in both
    for m in AD {
        assert_eq!(
            value("log(x * 1e-310)", 1.0, m),
            f64::INFINITY,
            "{}",
            m.name()
        );
    }
}
