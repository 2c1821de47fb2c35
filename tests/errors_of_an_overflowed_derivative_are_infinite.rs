//! A derivative that overflows f64 where the exact one is finite (exp at 709.9: the
//! MPFR reference is 2.0e308, beyond f64's largest 1.8e308) delivered no correct
//! figure: its bits of error are 64, and its absolute and relative errors, computed in
//! MPFR against the full reference (|inf - 2.0e308|), are infinite, not 0.

use derivbench::measure::{measure_accuracy, AccuracyOptions, Method};
use derivbench::scenario::file::{load_str, Limits};
use std::path::Path;

#[test]
fn errors_of_an_overflowed_derivative_are_infinite() {
    let text =
        "name = \"overflow\"\ninputs = [{ name = \"x\", value = 709.9 }]\noutputs = [\"exp(x)\"]\n";
    let (sc, _) = load_str(Path::new("overflow.toml"), text, &Limits::default()).unwrap();
    let opts = AccuracyOptions {
        methods: vec![Method::Forward, Method::Reverse],
        ..AccuracyOptions::default()
    };
    let acc = measure_accuracy(&sc, &opts);
    assert_eq!(acc.rows.len(), 2);
    for r in &acc.rows {
        assert_eq!(r.value, Some(f64::INFINITY), "{r:?}");
        assert_eq!(r.reference, f64::INFINITY, "{r:?}");
        assert_eq!(r.bits_err, Some(64.0), "{r:?}");
        assert_eq!(r.abs_err, Some(f64::INFINITY), "{r:?}");
        assert_eq!(r.rel_err, Some(f64::INFINITY), "{r:?}");
    }
}
