//! Where the function itself is not finite at the point, the notes say so and why,
//! since the derivatives then mean something else: log(x) at x = -1 is NaN in f64 and
//! in MPFR (outside the domain; AD and the reference give the rule's formal 1/x = -1,
//! in agreement), 1/x at 0 is infinite in both (a pole), and x^2 at 1e200 overflows
//! f64 only (its derivative 2e200 is finite, and AD gets it exactly, while the
//! difference quotients of inf are not finite). At the pole a finite difference quotient
//! has an infinite truncation error, not a NaN one.

use derivbench::measure::{measure_accuracy, AccuracyOptions, Method};
use derivbench::scenario::file::{load_str, Limits};
use std::path::Path;

fn notes_and_rows(formula: &str, x: f64) -> (Vec<String>, Vec<derivbench::results::AccuracyRow>) {
    let text = format!(
        "name = \"nf\"\ninputs = [{{ name = \"x\", value = {x:e} }}]\noutputs = [\"{formula}\"]\n"
    );
    let (sc, _) = load_str(Path::new("nf.toml"), &text, &Limits::default()).unwrap();
    let opts = AccuracyOptions {
        methods: vec![Method::Forward, Method::Reverse, Method::FdCentral],
        ..AccuracyOptions::default()
    };
    let acc = measure_accuracy(&sc, &opts);
    (acc.notes, acc.rows)
}

fn note<'a>(notes: &'a [String], what: &str) -> &'a str {
    notes
        .iter()
        .find(|n| n.starts_with("nonfinite: at the point the function") && n.contains(what))
        .unwrap_or_else(|| panic!("no note with '{what}' in {notes:#?}"))
}

#[test]
fn notes_say_where_the_function_is_not_finite() {
    let (notes, rows) = notes_and_rows("log(x)", -1.0);
    assert!(note(&notes, "outside its domain").contains("outputs 0 (NaN)"));
    for r in rows
        .iter()
        .filter(|r| r.method == "forward" || r.method == "reverse")
    {
        assert_eq!((r.value, r.reference), (Some(-1.0), -1.0), "{r:?}");
    }

    let (notes, rows) = notes_and_rows("1 / x", 0.0);
    assert!(note(&notes, "a pole").contains("outputs 0 (inf)"));
    // the central quotient (1/h + 1/h) / 2h is finite, the reference -inf: the truncation
    // error |FD in MPFR - reference| is inf, the rounding error a finite number
    let central: Vec<_> = rows
        .iter()
        .filter(|r| r.method == "fd-central" && r.value.is_some_and(f64::is_finite))
        .collect();
    assert!(!central.is_empty());
    for r in central {
        assert_eq!(r.reference, f64::NEG_INFINITY, "{r:?}");
        assert_eq!(r.trunc_err, Some(f64::INFINITY), "{r:?}");
        assert!(r.round_err.is_some_and(f64::is_finite), "{r:?}");
    }

    let (notes, rows) = notes_and_rows("x^2", 1e200);
    assert!(note(&notes, "overflows f64").contains("outputs 0 (inf)"));
    for r in rows
        .iter()
        .filter(|r| r.method == "forward" || r.method == "reverse")
    {
        assert_eq!((r.value, r.reference), (Some(2e200), 2e200), "{r:?}");
        assert_eq!(r.bits_err, Some(0.0), "{r:?}");
    }
    assert!(rows
        .iter()
        .filter(|r| r.method.starts_with("fd-central"))
        .all(|r| r.value.is_none_or(|v| !v.is_finite())));

    // a finite function has none of these notes
    let (notes, _) = notes_and_rows("x^2", 3.0);
    assert!(
        !notes
            .iter()
            .any(|n| n.contains("at the point the function")),
        "{notes:?}"
    );
}
