//! A step of the sweep that takes x + h or x - h beyond f64 (1.7e308 + 1e308 overflows
//! to inf) cannot be evaluated by any f64 program: its rows say h = inf with no value
//! and no errors, the notes say the sweep went beyond f64, and the steps that fit keep
//! their figures. A backward step at the same x stays in range and is measured.

use derivbench::measure::{measure_accuracy, AccuracyOptions, Method};
use derivbench::scenario::file::{load_str, Limits};
use std::path::Path;

#[test]
fn fd_steps_beyond_f64_have_no_figure() {
    let text = "name = \"top\"\n\
                inputs = [{ name = \"x\", value = 1.7e308 }, { name = \"z\", value = 1.7e308 }]\n\
                outputs = [\"x / 1e300 + z / 1e300\"]\n\
                fd = { steps = { from = 1e308, to = 1e306, per_decade = 1 } }\n";
    let (sc, _) = load_str(Path::new("top.toml"), text, &Limits::default()).unwrap();
    let opts = AccuracyOptions {
        methods: vec![Method::FdForward, Method::FdBackward, Method::FdCentral],
        ..AccuracyOptions::default()
    };
    let acc = measure_accuracy(&sc, &opts);
    let rows = |m: &str, j: usize| -> Vec<_> {
        acc.rows
            .iter()
            .filter(|r| r.method == m && r.input == j)
            .collect()
    };
    // 1.7e308 + 1e308 and 1.7e308 + 1e307 overflow; 1.7e308 + 1e306 does not
    for (m, j) in [
        ("fd-forward", 0),
        ("fd-central", 0),
        ("fd-forward", 1),
        ("fd-central", 1),
    ] {
        let r = rows(m, j);
        assert_eq!(r.len(), 3, "{m}");
        for over in &r[..2] {
            assert_eq!(over.h, Some(f64::INFINITY), "{over:?}");
            assert_eq!(over.value, None, "{over:?}");
            assert_eq!(over.bits_err, None, "{over:?}");
            assert_eq!(over.abs_err, None, "{over:?}");
        }
        let fits = r[2];
        assert!(fits.h.is_some_and(|h| h.is_finite() && h > 0.0), "{fits:?}");
        assert!(fits.bits_err.is_some_and(|b| b < 16.0), "{fits:?}");
    }
    for r in rows("fd-backward", 0)
        .into_iter()
        .chain(rows("fd-backward", 1))
    {
        assert!(r.h.is_some_and(f64::is_finite), "{r:?}");
        assert!(r.bits_err.is_some_and(|b| b < 16.0), "{r:?}");
    }
    let note = acc
        .notes
        .iter()
        .find(|n| n.contains("beyond f64"))
        .unwrap_or_else(|| panic!("no overflow note in {:?}", acc.notes));
    assert!(
        note.contains("fd-forward") && note.contains("fd-central"),
        "{note}"
    );
    assert!(!note.contains("fd-backward"), "{note}");
    assert!(
        !acc.notes.iter().any(|n| n.contains("NaN")),
        "{:?}",
        acc.notes
    );
}
