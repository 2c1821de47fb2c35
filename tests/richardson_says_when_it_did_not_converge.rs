//! Ridders' extrapolation reports its own error estimate where it is not small against
//! its value: at x = 1e8 its first step, 0.1 |x|, spans a million periods of sin and the
//! extrapolated value is far off, which a note then says. Where no estimate was
//! accepted (the value is NaN) its row has no step.

use derivbench::measure::{measure_accuracy, Accuracy, AccuracyOptions, Method};
use derivbench::scenario::file::{load_str, Limits};
use std::path::Path;

fn richardson(outputs: &str, x: f64) -> Accuracy {
    let text = format!(
        "name = \"r\"\ninputs = [{{ name = \"x\", value = {x:?} }}]\noutputs = [{outputs}]\n"
    );
    let (sc, _) = load_str(Path::new("r.toml"), &text, &Limits::default()).unwrap();
    let opts = AccuracyOptions {
        methods: vec![Method::FdRichardson],
        quick: true,
        ..AccuracyOptions::default()
    };
    measure_accuracy(&sc, &opts)
}

fn unconverged(acc: &Accuracy) -> Option<&String> {
    acc.notes.iter().find(|n| n.starts_with("unconverged:"))
}

#[test]
fn an_extrapolation_far_from_its_value_is_named() {
    let acc = richardson("\"sin(x)\", \"x * x\"", 1e8);
    let row = |i: usize| {
        acc.rows
            .iter()
            .find(|r| r.method == "fd-richardson" && r.output == i)
            .unwrap()
    };
    // cos(1e8) = -0.363...: the extrapolation misses it by more than its own magnitude
    let (v, r) = (row(0).value.unwrap(), row(0).reference);
    assert!((v - r).abs() > 0.1, "value {v:e}, reference {r:e}");
    let note = unconverged(&acc).expect("a note on the unconverged entry");
    assert!(note.contains("for 1 of 2 entries"), "{note}");
    assert!(note.contains("output 0, input 0"), "{note}");
    // x^2 converged: its relative error is tiny
    assert!(row(1).rel_err.unwrap() < 1e-12);
}

#[test]
fn an_extrapolation_from_quotients_far_above_its_value_is_named() {
    // the first quotient, (e^100 - e^-100) / 0.2 = 1.3e44, would hide an estimate far
    // above the value; the quotient at the accepted step does not
    let acc = richardson("\"exp(1000 * x - 1000)\"", 1.0);
    let row = acc
        .rows
        .iter()
        .find(|r| r.method == "fd-richardson")
        .unwrap();
    assert!(row.rel_err.unwrap() > 1.0, "{row:?}");
    assert!(unconverged(&acc).is_some(), "{:?}", acc.notes);
}

#[test]
fn a_converged_extrapolation_has_no_note() {
    assert_eq!(unconverged(&richardson("\"sin(x) * exp(x)\"", 1.5)), None);
    assert_eq!(unconverged(&richardson("\"x^3\"", 0.0)), None);
    // a derivative of 0 where the first steps leave the domain (the first quotient NaN)
    assert_eq!(
        unconverged(&richardson("\"(x - 0.001)^3 + sqrt(x) - sqrt(x)\"", 0.001)),
        None
    );
}

#[test]
fn no_accepted_estimate_has_no_step() {
    // log at -1 is NaN at x itself: not waited for, reported NaN, with no step
    let acc = richardson("\"log(x)\"", -1.0);
    let row = acc
        .rows
        .iter()
        .find(|r| r.method == "fd-richardson")
        .unwrap();
    assert!(row.value.unwrap().is_nan());
    assert_eq!(row.h, None);
    assert_eq!(unconverged(&acc), None);
}
