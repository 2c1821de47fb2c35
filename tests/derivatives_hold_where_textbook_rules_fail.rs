//! Points where the textbook derivative formulas lose every bit, checked against values
//! computed independently (mpmath at 2000 bits, rounded to f64): the slopes of sigmoid
//! and tanh far out (s (1 - s) and 1 - tanh^2 cancel once the value rounds to 1, in f64
//! and in MPFR alike), the integer power with exponent i32::MIN, pow at a negative or
//! zero base, and the complex step where its textbook formulas cancel (sigmoid of a
//! negative argument, tan near its pole), underflow (a step of 1e-100 against a
//! derivative of 1e-218) or break the convention of the real rules (abs at 0). Each
//! method must deliver the value to 2 bits, and the reference must settle on it.
//! Last, the truncation/rounding split of a difference quotient whose function cancels
//! 290 bits: the MPFR quotient must be computed at the precision that resolves it.

mod common;

use derivbench::measure::{measure_accuracy, AccuracyOptions, Method};
use derivbench::num::bits_err;
use derivbench::scenario::file::{load_str, Limits};
use derivbench::scenario::Scenario;
use std::path::Path;

fn scenario(outputs: &[&str], x: f64) -> Scenario {
    let outs: Vec<String> = outputs.iter().map(|o| format!("{o:?}")).collect();
    let text = format!(
        "name = \"edge\"\ninputs = [{{ name = \"x\", value = {x:?} }}]\noutputs = [{}]\n",
        outs.join(", ")
    );
    load_str(Path::new("edge.toml"), &text, &Limits::default())
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .0
}

/// Runs `methods` on the scenario of `outputs` at x and checks output 0 against `want`.
fn check(outputs: &[&str], x: f64, want: f64, methods: &[Method]) {
    let what = format!("d/dx {} at x = {x:e}", outputs[0]);
    common::check_entry(&scenario(outputs, x), 0, want, methods, &what);
}

const AD: [Method; 5] = [
    Method::Forward,
    Method::ForwardVector,
    Method::Reverse,
    Method::ComplexStep,
    Method::Symbolic,
];

#[test]
fn sigmoid_and_tanh_slopes_far_out() {
    check(&["sigmoid(x)"], 40.0, 4.248354255291589e-18, &AD);
    check(&["sigmoid(x)"], -40.0, 4.248354255291589e-18, &AD);
    // here s rounds to 1 even at 512 bits: 0 at two precisions had settled as the slope
    check(&["sigmoid(x)"], 400.0, 1.9151695967140057e-174, &AD);
    check(&["tanh(x)"], -20.0, 1.6993417021166355e-17, &AD);
    check(&["tanh(x)"], 200.0, 7.660678386856023e-174, &AD);
    // well before that, 1 - v^2 and v (1 - v) already lose 10 to 20 bits
    check(&["sigmoid(x)"], 6.0, 0.0024665092913600476, &AD);
    check(&["tanh(x)"], 6.0, 2.4576547405332702e-05, &AD);
    // on both sides of the switch between the forms (at 1/2)
    check(&["sigmoid(x)"], 0.3, 0.24445831169074586, &AD);
    check(&["tanh(x)"], -0.3, 0.9151369618266292, &AD);
    check(&["sigmoid(x)"], 0.75, 0.21789499376181404, &AD);
    check(&["tanh(x)"], 0.75, 0.5965858082813315, &AD);
}

/// The slope s (1 - s) of sigmoid at u, correctly rounded to f64, from MPFR at 2000 bits.
fn sigmoid_slope(u: f64) -> f64 {
    use rug::Float;
    let e = Float::with_val(2000, -Float::with_val(2000, u)).exp();
    let s = Float::with_val(2000, Float::with_val(2000, e + 1u32).recip_ref());
    let t = Float::with_val(2000, 1u32 - &s);
    (s * t).to_f64()
}

#[test]
fn sigmoid_slope_where_exp_of_minus_u_overflows() {
    // 1 / (1 + exp(-u)) is 1 / inf = 0 from u = -709.78, and so was its slope, while
    // both are subnormal numbers down to u = -745.1 (the complex step is left out: its
    // imaginary part h f' underflows there)
    let ad = [
        Method::Forward,
        Method::ForwardVector,
        Method::Reverse,
        Method::Symbolic,
    ];
    for u in [-720.0, -740.0, -745.0] {
        let want = sigmoid_slope(u);
        assert!(want > 0.0, "{u}");
        check(&["sigmoid(x)"], u, want, &ad);
    }
    check(&["sigmoid(x)"], -100.0, sigmoid_slope(-100.0), &AD);
}

#[test]
fn atan_slope_where_u_squared_overflows() {
    // 1 / (1 + u^2) is 1/inf = 0 from |u| ~ 1.3e154; the slope is subnormal there
    // (2.5e-309 is the correctly rounded value, by exact rational arithmetic: the
    // quotient lies 0.508 of a subnormal step above 2.499999999999997e-309)
    check(&["atan(x)"], 2e154, 2.5e-309, &AD);
    check(&["atan(x)"], 3e150, 1.111111111111111e-301, &AD);
}

#[test]
fn integer_power_with_exponent_i32_min() {
    // k u^(k-1) with k - 1 out of the i32 range: k u^k / u. The reference must be the
    // true slope; the f64 methods differentiate f64's own u^k, which 31 squarings leave
    // with ~26 bits of error (u^k = 5.444710317852295e-94 to 2000 bits), so they may miss
    // by that much and 2 bits more, no further.
    let x = 1.0000001f64;
    let k = i32::MIN;
    let value_bits = bits_err(
        std::hint::black_box(x).powi(std::hint::black_box(k)),
        5.444710317852295e-94,
    );
    assert!((20.0..40.0).contains(&value_bits), "{value_bits}");
    let sc = scenario(&["x^-2147483648"], x);
    let acc = measure_accuracy(
        &sc,
        &AccuracyOptions {
            methods: AD.to_vec(),
            quick: true,
            ..AccuracyOptions::default()
        },
    );
    let want = -1.1692425206442166e-84;
    assert!(acc.reference[0].settled);
    assert_eq!(acc.reference[0].reference, want);
    for row in &acc.rows {
        let bits = bits_err(row.value.unwrap(), want);
        assert!(bits <= value_bits + 2.0, "{}: {bits} bits", row.method);
    }
    // where u^k is exact, so is the slope
    check(&["x^-2147483648"], 1.0, -2147483648.0, &AD);
}

#[test]
fn pow_at_a_negative_or_zero_base() {
    // two outputs and one input: the reference runs forward mode, whose pow tangent
    // multiplied w' = 0 by log u = NaN
    let all = [
        Method::Forward,
        Method::ForwardVector,
        Method::Reverse,
        Method::ComplexStep,
        Method::Symbolic,
    ];
    check(&["pow(x, 3.0)", "2 * x"], -2.0, 12.0, &all);
    check(&["pow(x, 3.0)"], -2.0, 12.0, &all);
    // w v / u is 0/0 at u = 0: the limits w u^(w-1)
    check(&["pow(x, 2.0)"], 0.0, 0.0, &all);
    check(&["pow(x, 1.0)"], 0.0, 1.0, &all);
    check(&["pow(x, 2.0)", "2 * x"], 0.0, 0.0, &all);
    // a variable exponent at a zero base (the limit from the right; u < 0 to the left
    // has no real power, so the complex step, which sees both sides, is left out)
    check(&["pow(2 * x - 3, x)"], 1.5, 0.0, &all[..3]);
    check(&["pow(2 * x - 3, x)"], 1.5, 0.0, &all[4..]);
}

/// w x^(w-1) at x, correctly rounded to f64: the slope of x^w, from MPFR at 2000 bits.
fn pow_slope(x: f64, w: f64) -> f64 {
    use rug::Float;
    let x = Float::with_val(2000, x);
    let p = Float::with_val(2000, rug::ops::Pow::pow(&x, w - 1.0));
    (p * w).to_f64()
}

#[test]
fn pow_slope_where_the_power_is_subnormal_underflows_or_overflows() {
    // v w / u loses the bits that v lost: at x = 1e-160, x^2 is subnormal (1e-320, 36
    // bits lost) and x^2.5 underflows to 0 (every bit lost, a slope of 0 for 2.5e-240);
    // at x = 1e160, x^2.5 overflows (inf / x is inf, for a slope of 2.5e240). The
    // complex step is left out: its step 2^-167 (5.3e-51) is far above x = 1e-160
    let ad = [
        Method::Forward,
        Method::ForwardVector,
        Method::Reverse,
        Method::Symbolic,
    ];
    assert_eq!(pow_slope(1e-160, 2.0), 2e-160);
    check(&["pow(x, 2.0)"], 1e-160, 2e-160, &ad);
    check(&["pow(x, 2.5)"], 1e-160, pow_slope(1e-160, 2.5), &ad);
    check(&["pow(x, 2.5)"], 1e160, pow_slope(1e160, 2.5), &ad);
    // a negative base: (-0.01)^155 is -1e-310, subnormal, for a slope of 1.55e-306
    check(&["pow(x, 155.0)"], -0.01, pow_slope(-0.01, 155.0), &ad);
}

#[test]
// 1.5707963 is a point near the pole of tan, not an approximation of pi/2
#[allow(clippy::approx_constant)]
fn complex_step_where_its_textbook_formulas_fail() {
    let cs = [Method::ComplexStep, Method::Forward, Method::Reverse];
    // (1 + tanh(z/2)) / 2 cancels for Re z < 0 (13.7 bits at -10, garbage at -40)
    check(&["log(sigmoid(x))"], -10.0, 0.9999546021312976, &cs);
    check(&["log(sigmoid(x))"], -40.0, 1.0, &cs);
    // cosh 2a + cos 2b cancels next to the pole of tan
    check(&["tan(x)"], 1.5707963, 1392822678599449.8, &cs);
    // h f' underflowed with h = 1e-100
    check(&["exp(x)"], -500.0, 7.124576406741286e-218, &cs);
    // the real rules' convention: |u| has slope 0 at 0
    check(&["abs(x)"], 0.0, 0.0, &cs);
    // a step of 1e-50 |x| (7.6e-6 at 1e45, 2^33 at 1e60) truncated sin far above
    // rounding (16 bits at 1e45; inf at 1e60); 1e-50 sqrt|x| is 2^-96 at 1e45
    check(&["sin(x)"], 1e45, -0.9792292497353159, &cs);
    check(&["sin(x)"], 1e60, 0.8279603547229742, &cs);
    check(&["exp(x - 1e50)"], 1e50, 1.0, &cs);
    // and it grows enough that h f' stays normal where f' shrinks with x: a fixed 2^-167
    // loses 1/x at 1e300 (and 1/x^2 at 2e154: atan_slope_where_u_squared_overflows)
    check(&["log(x)"], 1e300, 1e-300, &cs);
    // slopes that fall faster than 1/x^2 underflow h f' at the square-root step; the
    // wide step 1e-50 |x| takes over where it agrees within the first's resolution
    check(&["x^-3"], 1e75, -3.000000000000001e-300, &cs);
    check(&["exp(-x)"], 600.0, -2.6503965530043108e-261, &cs);
    // outside the domain, NaN as over f64, which min and max pass over: the principal
    // branch gave pi / h = 2.9e50 for max(0, log x) at -2
    check(&["max(0, log(x))"], -2.0, 0.0, &cs);
    check(&["min(1, sqrt(x))"], -2.0, 0.0, &cs);
}

#[test]
fn complex_step_is_nan_where_the_function_is_outside_its_domain() {
    // log(-2 + ih) is log 2 + i(pi - h/2): Im f / h would be pi / h - 1/2 = 5.9e50 at
    // h = 2^-167, the branch cut's pi over the step. Forward and reverse mode give the
    // formal derivative of the rules there (1/u = -0.5 for log), which the complex step
    // cannot: its value carries the branch's imaginary part, not the step's
    for f in ["log(x)", "sqrt(x)", "log(x) * x + 1", "pow(x, 0.5)"] {
        let sc = scenario(&[f], -2.0);
        let opts = AccuracyOptions {
            methods: vec![Method::ComplexStep],
            quick: true,
            ..AccuracyOptions::default()
        };
        let acc = measure_accuracy(&sc, &opts);
        let row = acc
            .rows
            .iter()
            .find(|r| r.method == "complex-step")
            .unwrap_or_else(|| panic!("{f}: no complex-step row"));
        let v = row.value.expect("a value");
        assert!(v.is_nan(), "{f} at -2: complex-step gives {v:e}");
    }
}

#[test]
fn fd_split_resolves_a_slope_far_below_the_function() {
    // sigmoid(x +- h) rounds to 1 in f64 at every step, so the f64 quotient is 0 and its
    // whole error (the slope) is rounding. Here sigmoid(x) = 1 - e^-x to 87 (130) digits,
    // whose central quotient is the slope times sinh(h)/h: the truncation error is
    // |f'| (sinh(h)/h - 1). At 256 bits the MPFR quotient was 0 as well, which put the
    // whole error into truncation; at 300 the smallest steps need 1024 bits to resolve
    // the quotient to the documented 64 bits of the slope.
    split_case(200.0, 1.3838965267367376e-87);
    split_case(300.0, 5.148200222412013e-131);
}

fn split_case(x: f64, slope: f64) {
    let sc = scenario(&["sigmoid(x)"], x);
    let opts = AccuracyOptions {
        methods: vec![Method::FdCentral],
        quick: false,
        ..AccuracyOptions::default()
    };
    let acc = measure_accuracy(&sc, &opts);
    let rows: Vec<_> = acc
        .rows
        .iter()
        .filter(|r| r.method == "fd-central" && r.value.is_some())
        .collect();
    assert!(rows.len() >= 10, "{} rows", rows.len());
    for r in rows {
        let h = r.h.unwrap();
        let (abs, trunc, round) = (
            r.abs_err.unwrap(),
            r.trunc_err.unwrap(),
            r.round_err.unwrap(),
        );
        let what = format!("x = {x}, h = {h:e}: abs {abs:e}, trunc {trunc:e}, round {round:e}");
        assert_eq!(r.value, Some(0.0), "{what}");
        assert_eq!(abs, slope, "{what}");
        // sinh(h)/h - 1 = sum over k >= 1 of h^2k / (2k + 1)!, to far below 2^-64
        let (h2, mut term, mut series) = (h * h, 1.0, 0.0);
        for k in 1..=10 {
            term *= h2 / ((2 * k) as f64 * (2 * k + 1) as f64);
            series += term;
        }
        let model = slope * series;
        // the MPFR quotient is resolved to 2^-64 of the slope (2^-60 allows the model's
        // own f64 rounding), at every step, the smallest included
        let tol = slope * 2f64.powi(-60);
        assert!((trunc - model).abs() <= tol, "{what}: model {model:e}");
        // |Q_f64 - Q_mpfr| = |Q_mpfr| = slope + trunc, each rounded to f64 (an ulp)
        assert!(
            (round - (slope + model)).abs() <= slope * 2f64.powi(-51),
            "{what}"
        );
    }
}
