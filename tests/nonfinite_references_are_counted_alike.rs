//! The reference entries that are not finite are counted alike by the summary's note,
//! `reference.csv` and the gate: in f64, as they are reported, also where MPFR holds a
//! finite value beyond f64's range (d/dx log x = 1/x = 2.0e323 at the smallest
//! subnormal, which f64 rounds to inf).

use derivbench::check::figures;
use derivbench::run::{run_all, RunOptions};
use derivbench::scenario::file::{load_str, Limits};
use std::path::Path;
use std::time::Duration;

fn counts(inputs: &str, outputs: &str) -> (u64, usize, Option<String>) {
    let text = format!("name = \"r\"\ninputs = [{inputs}]\noutputs = [{outputs}]\n");
    let (sc, _) = load_str(Path::new("r.toml"), &text, &Limits::default()).unwrap();
    let mut opts = RunOptions {
        wall_budget: Duration::ZERO,
        ..RunOptions::default()
    };
    opts.accuracy.quick = true;
    let r = run_all(&[sc], &opts, Vec::new(), &|_| {});
    let s = &r.scenarios[0];
    let in_csv = s
        .reference
        .iter()
        .filter(|e| !e.reference.is_finite())
        .count();
    let note = s
        .notes
        .iter()
        .find(|n| n.contains("reference entries are not finite"))
        .cloned();
    (figures(s).nonfinite_reference, in_csv, note)
}

#[test]
fn a_reference_beyond_f64_counts_as_not_finite_everywhere() {
    let (gate, csv, note) = counts("{ name = \"x\", value = 5e-324 }", "\"log(x)\"");
    assert_eq!((gate, csv), (1, 1));
    let note = note.expect("a note");
    assert!(
        note.contains("1 reference entries are not finite in f64")
            && note.contains("1 of them finite in MPFR"),
        "{note}"
    );
}

#[test]
fn a_pole_and_an_overflow_count_two() {
    // 1/x at 0: -1/x^2 is -inf in MPFR too; exp(y) at 710: finite in MPFR, inf in f64
    let (gate, csv, note) = counts(
        "{ name = \"x\", value = 0.0 }, { name = \"y\", value = 710.0 }",
        "\"1 / x\", \"exp(y)\"",
    );
    assert_eq!((gate, csv), (2, 2));
    let note = note.expect("a note");
    assert!(
        note.contains("2 reference entries are not finite in f64")
            && note.contains("1 of them finite in MPFR"),
        "{note}"
    );
}
