//! An operation decides on which side of a pole or a domain edge its argument lies:
//! log and sqrt end at 0, 1/u and a quotient have a pole there, a negative base has a
//! real power only at an integer exponent. At t = 2.4e-181, ((1 + t) - 1) - t/2 is 0 or
//! a tiny negative at 256 and 512 bits, while the f64 program's exact value is t/2: the
//! reference took sqrt of it as NaN and 1/((1 + t) - 1) as inf at both precisions and
//! settled on them. Where the rounding bound leaves the side open, the value is now a
//! doubt, and the reference goes on to the precision that keeps t. Where no precision
//! settles the side (an exponent that is an integer in real arithmetic but not in
//! MPFR's), the entry is reported unsettled instead of settled on NaN.
//!
//! The slopes of tanh and sigmoid beyond the point where f64 rounds them to 1, and log u
//! within 2^-53 of 1, are bounded from e^-|u| and MPFR's log rather than from f64's
//! roundings, which gave 0 there and let an absorbed term settle.

mod common;

use common::reference_of as reference;
use rug::ops::Pow;
use rug::Float;

const P: u32 = 4096;
const T: f64 = 2.409919865102884e-181;

fn f(x: f64) -> Float {
    Float::with_val(P, x)
}

/// d/dy of the single output, which must settle on `want` (its nearest f64).
#[track_caller]
fn settles_on(inputs: &str, output: &str, want: &Float) {
    let r = reference(inputs, &format!("'''{output}'''"));
    let e = &r.entries[0][r.entries[0].len() - 1];
    assert!(e.settled, "{output}: {e:?}");
    common::assert_close(e.to_f64(), want.to_f64(), 0, output);
}

const Y: &str = "{ name = \"y\", value = 0.5 }";

#[test]
fn sqrt_and_reciprocal_of_an_absorbed_difference_settle_on_the_exact_value() {
    let half = Float::with_val(P, f(T) - f(T / 2.0));
    settles_on(
        Y,
        "y * sqrt(((1 + 2.409919865102884e-181) - 1) - 1.204959932551442e-181)",
        &Float::with_val(P, half.sqrt_ref()),
    );
    settles_on(
        Y,
        "y * (1/((1 + 2.409919865102884e-181) - 1))",
        &Float::with_val(P, f(T).recip_ref()),
    );
}

#[test]
fn min_beside_an_absorbed_pole_or_domain_edge_takes_the_right_argument() {
    // min(y, sqrt(t/2)) and min(y, -1/t) both take their second argument
    let zero = f(0.0);
    settles_on(
        Y,
        "min(y, sqrt(((1 + 2.409919865102884e-181) - 1) - 1.204959932551442e-181))",
        &zero,
    );
    settles_on(Y, "min(y, 1/((1 - 2.409919865102884e-181) - 1))", &zero);
}

#[test]
fn log_of_a_quotient_by_an_absorbed_subnormal_settles() {
    // x + log(40 / ((y + c) y)) with c = 8.095e-320 in real arithmetic: d/dy =
    // -1/(y + c) - 1/y
    let (y, c) = (f(2.0), f(8.095e-320));
    let yc = Float::with_val(P, &y + &c);
    let want = Float::with_val(
        P,
        -Float::with_val(P, yc.recip_ref()) - Float::with_val(P, y.recip_ref()),
    );
    settles_on(
        "{ name = \"x\", value = 20.0 }, { name = \"y\", value = 2.0 }",
        "(x + log((40 / ((((y + 1.0715086071862673e+301) + 8.095e-320) - 1.0715086071862673e+301) * y))))",
        &want,
    );
}

#[test]
fn tanh_sigmoid_and_log_near_one_pass_an_absorbed_term_on() {
    // y ((g(a + c) - g(a)) + k): d/dy = g(a + c) - g(a) + k, with c absorbed below
    // 1024 bits
    let c = f(4.464794497196387e-103);
    let k = f(3.8725919148493183e-121);
    let with = |g: &dyn Fn(&Float) -> Float, a: f64| {
        let a = f(a);
        let d = Float::with_val(P, g(&Float::with_val(P, &a + &c)) - g(&a));
        Float::with_val(P, d + &k)
    };
    let tanh = |u: &Float| Float::with_val(P, u.tanh_ref());
    let sigmoid = |u: &Float| {
        let e = Float::with_val(P, (-u.clone()).exp_ref());
        Float::with_val(P, e + 1u32).recip()
    };
    settles_on(
        Y,
        "y * ((tanh(((20 + 1.532495540865889e+54) + 4.464794497196387e-103) - 1.532495540865889e+54) - tanh(20)) + 3.8725919148493183e-121)",
        &with(&tanh, 20.0),
    );
    settles_on(
        Y,
        "y * ((sigmoid(((40 + 1.532495540865889e+54) + 4.464794497196387e-103) - 1.532495540865889e+54) - sigmoid(40)) + 3.8725919148493183e-121)",
        &with(&sigmoid, 40.0),
    );
    // a = 1 + 2^-60, whose log f64 would round to 0: d/dy = a^(3 + c2) - a^3 + k
    let a = Float::with_val(P, f(1.0) + f(8.673617379884035e-19));
    let c2 = f(3.3735033418337674e-80);
    let up = Float::with_val(P, (&a).pow(Float::with_val(P, f(3.0) + &c2)));
    let want = Float::with_val(P, up - Float::with_val(P, (&a).pow(3u32)));
    settles_on(
        Y,
        "y * ((pow((1 + 8.673617379884035e-19), (((3 + 1.8092513943330656e+75) + 3.3735033418337674e-80) - 1.8092513943330656e+75)) - pow((1 + 8.673617379884035e-19), 3)) + 4.464794497196387e-103)",
        &Float::with_val(P, want + f(4.464794497196387e-103)),
    );
}

#[test]
fn a_negative_base_to_an_inexact_integer_exponent_is_unsettled_not_nan() {
    // (y / 0.9) * 0.9 is 2 in real arithmetic and 2 + 1 ulp in MPFR: no precision tells
    // whether (-1.5)^w is a number
    let r = reference(
        "{ name = \"x\", value = -1.5 }, { name = \"y\", value = 2.0 }",
        "\"pow(x, (y/0.9)*0.9)\"",
    );
    for e in &r.entries[0] {
        assert!(!e.settled, "{e:?}");
    }
}
