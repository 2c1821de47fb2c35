//! MPFR's exponent range is wide (2^±1073741823) but bounded, and it does not grow with
//! the precision: at x = 1e200, exp(x) overflows it to inf and exp(-x) underflows it to
//! 0 at every precision. A derivative computed through them agrees between precisions
//! on a wrong value (0 * inf = NaN where the derivative of exp(-x) exp(x) = 1 is 0;
//! log(0) = -inf where log(exp(-x)) = -x has the slope -1; a tie of 0 with 0 where
//! exp(-x) > 0 is no tie), so the reference settles nothing evaluated where an MPFR
//! operation overflowed or underflowed, and stops there: no precision widens the range.
//! Both paths of the reference are covered: reverse mode (m <= n) and forward mode
//! (m > n). A value that is not finite for a legitimate reason (log(-1), 1/0, an f64
//! overflow that MPFR holds) settles as before, and the notes name the cause instead of
//! calling the point outside the function's domain.

mod common;

use common::reference_of as reference;
use derivbench::measure::{measure_accuracy, AccuracyOptions, Method};
use derivbench::scenario::file::{load_str, Limits};
use std::path::Path;

const X: &str = "{ name = \"x\", value = 1e200 }";

/// exp(-x) exp(x) = 1 (both), log(exp(x)) = x (an overflow), log(exp(-x)) = -x (an
/// underflow), whose slopes the reference would settle as NaN at 1e200.
const OUTPUTS: [&str; 3] = [
    "\"exp(-x) * exp(x)\"",
    "\"log(exp(x))\"",
    "\"log(exp(-x))\"",
];

#[test]
fn reverse_mode_reference_is_unsettled_where_mpfr_overflows_or_underflows() {
    for out in OUTPUTS {
        let r = reference(X, out);
        let e = &r.entries[0][0];
        assert!(!e.settled, "{out}: {e:?}");
        assert!(r.exponent_range_exceeded, "{out}");
        assert!(!r.settled(), "{out}");
        // the range does not grow with the precision: no escalation past 256 and 512
        assert_eq!(
            (e.precision, r.max_precision_used),
            (512, 512),
            "{out}: {e:?}"
        );
    }
}

#[test]
fn a_finite_slope_behind_an_underflow_is_unsettled() {
    // min(exp(-x), y - 1) at (1e200, 1) is y - 1 = 0, since exp(-x) > 0: d/dy is 1. In
    // MPFR exp(-x) underflows to an exact-looking 0, min of 0 and 0 takes the left
    // argument, and every precision agrees on d/dy = 0
    let r = reference(
        &format!("{X}, {{ name = \"y\", value = 1.0 }}"),
        "\"min(exp(-x), y - 1)\"",
    );
    let (dx, dy) = (&r.entries[0][0], &r.entries[0][1]);
    assert!(!dx.settled && !dy.settled, "{dx:?} {dy:?}");
    assert!(r.exponent_range_exceeded);
}

#[test]
fn forward_mode_reference_is_unsettled_where_mpfr_overflows_or_underflows() {
    // three outputs of one input: the reference runs in forward mode
    let r = reference(X, &OUTPUTS.join(", "));
    assert!(r.exponent_range_exceeded);
    for (row, out) in r.entries.iter().zip(OUTPUTS) {
        assert!(!row[0].settled, "{out}: {:?}", row[0]);
    }
    // an overflow alone (exp(x) without its reciprocal), also in forward mode
    let r = reference(X, "\"log(exp(x))\", \"2 * log(exp(x))\"");
    assert!(r.exponent_range_exceeded);
    assert!(r.entries.iter().flatten().all(|e| !e.settled), "{r:?}");
}

#[test]
fn values_that_are_not_finite_for_a_reason_still_settle() {
    // outside the domain, at a pole, beyond f64's range but within MPFR's, and near the
    // top and the bottom of MPFR's range without leaving it
    for (x, out, want) in [
        ("-1.0", "\"log(x)\"", -1.0),
        ("0.0", "\"1 / x\"", f64::NEG_INFINITY),
        ("1e200", "\"x^2\"", 2e200),
        ("1e5", "\"exp(x)\"", f64::INFINITY),
        ("1e5", "\"exp(-x)\"", 0.0),
        ("7e8", "\"log(exp(x))\"", 1.0),
        ("7e8", "\"log(exp(-x))\"", -1.0),
    ] {
        let r = reference(&format!("{{ name = \"x\", value = {x} }}"), out);
        let e = &r.entries[0][0];
        assert!(!r.exponent_range_exceeded, "{out} at {x}");
        assert!(e.settled && e.to_f64() == want, "{out} at {x}: {e:?}");
    }
}

fn notes_at(formula: &str, x: f64) -> Vec<String> {
    let text = format!(
        "name = \"ovf\"\ninputs = [{{ name = \"x\", value = {x:e} }}]\noutputs = [\"{formula}\"]\n"
    );
    let (sc, _) = load_str(Path::new("ovf.toml"), &text, &Limits::default()).unwrap();
    let opts = AccuracyOptions {
        methods: vec![Method::Forward, Method::Reverse],
        ..AccuracyOptions::default()
    };
    measure_accuracy(&sc, &opts).notes
}

#[test]
fn notes_name_mpfrs_exponent_range_and_not_the_domain() {
    let notes = notes_at("exp(-x) * exp(x)", 1e200);
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("unsettled:") && n.contains("MPFR's exponent range")),
        "{notes:#?}"
    );
    assert!(
        !notes.iter().any(|n| n.contains("outside its domain")),
        "{notes:#?}"
    );
    let value = notes
        .iter()
        .find(|n| n.starts_with("nonfinite: at the point the function"))
        .unwrap_or_else(|| panic!("no note on the function's value in {notes:#?}"));
    assert!(
        value.contains("exponent range") && value.contains("outputs 0 (NaN)"),
        "{value}"
    );
    // outside the domain, the note stays as it was, and nothing names the range
    let notes = notes_at("log(x)", -1.0);
    assert!(
        notes.iter().any(|n| n.contains("outside its domain")),
        "{notes:#?}"
    );
    assert!(
        !notes.iter().any(|n| n.contains("exponent range")),
        "{notes:#?}"
    );
}

#[test]
fn a_trig_argument_too_large_to_reduce_is_an_exit_of_the_range() {
    // 2^16383 is reduced (MPFR's exponent of it is 16384, the cap); 2^16384 and
    // 2^(10^9), which MPFR would reduce with a billion bits of pi, are not
    let x2 = "{ name = \"x\", value = 2.0 }";
    for op in ["sin", "cos", "tan"] {
        let within = reference(x2, &format!("\"{op}(x ^ 16383)\""));
        assert!(!within.exponent_range_exceeded, "{op}");
        assert!(within.settled(), "{op}: {:?}", within.entries);
        for k in [16384u64, 1_000_000_000] {
            let r = reference(x2, &format!("\"{op}(x ^ {k})\""));
            assert!(r.exponent_range_exceeded, "{op} {k}");
            assert!(!r.entries[0][0].settled, "{op} {k}");
            assert_eq!(r.max_precision_used, 512, "{op} {k}: no escalation");
        }
    }
    // the FD quotients in MPFR give NaN there, not minutes of argument reduction: an FD
    // sweep whose large steps take y^x beyond the cap (and f64's y^x beyond 2^1024)
    let text = "name = \"big-steps\"\n\
                inputs = [{ name = \"x\", value = 2.0 }, { name = \"y\", value = 1.0000001 }]\n\
                outputs = [\"tan(pow(y, x))\"]\n\
                fd.steps = { from = 1e300, to = 1e-300, per_decade = 1 }\n";
    let (sc, _) = load_str(Path::new("big-steps.toml"), text, &Limits::default()).unwrap();
    let opts = AccuracyOptions {
        methods: vec![Method::FdForward],
        ..AccuracyOptions::default()
    };
    let m = measure_accuracy(&sc, &opts);
    let at = |h: f64| {
        m.rows
            .iter()
            .find(|r| r.input == 0 && r.h.is_some_and(|s| (s / h - 1.0).abs() < 1e-9))
            .unwrap_or_else(|| panic!("a row at h = {h:e}"))
    };
    // the truncation part is the MPFR quotient against the reference, whatever f64 gave
    // (f64's y^x overflowed from h = 1e10 on): y^(2 + 1e12) = e^(1e5 + ...) is beyond
    // 2^16384, so the MPFR quotient is NaN and there is no split; y^(2 + 1e11) =
    // e^(1e4 + ...) is within, and split as usual
    let beyond = at(1e12);
    assert!(beyond.trunc_err.is_none_or(f64::is_nan), "{beyond:?}");
    let within = at(1e11);
    assert!(within.value.is_none_or(f64::is_nan), "{within:?}");
    assert!(within.trunc_err.is_some_and(f64::is_finite), "{within:?}");
}
