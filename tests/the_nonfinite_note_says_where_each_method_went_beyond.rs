//! The note on NaN or infinite derivatives names, per method, how many values were not
//! finite and where the first was: sqrt at x = 1e-3, where the backward and central
//! quotients leave the domain (x - h < 0) at the steps 1e-1 and 1e-2 of the sweep.

use derivbench::measure::{measure_accuracy, AccuracyOptions, Method, RefOptions};
use derivbench::scenario::file::{load_str, Limits};
use std::path::Path;

#[test]
fn each_method_has_its_count_and_first_entry_and_step() {
    let text =
        "name = \"sq\"\ninputs = [{ name = \"x\", value = 1e-3 }]\noutputs = [\"sqrt(x)\"]\n";
    let (sc, _) = load_str(Path::new("sq.toml"), text, &Limits::default()).unwrap();
    let opts = AccuracyOptions {
        methods: vec![Method::FdForward, Method::FdBackward, Method::FdCentral],
        quick: false,
        reference: RefOptions::default(),
        ..AccuracyOptions::default()
    };
    let acc = measure_accuracy(&sc, &opts);
    // the steps 1e-1 and 1e-2 reach below 0; at 1e-3, sqrt(0) = 0 is finite
    let beyond = |m: &str| {
        acc.rows
            .iter()
            .filter(|r| r.method == m && r.value.is_some_and(|v| !v.is_finite()))
            .map(|r| r.h.unwrap())
            .collect::<Vec<_>>()
    };
    // the steps as used, which round 1e-2 a little up or down by stencil
    for m in ["fd-backward", "fd-central"] {
        let b = beyond(m);
        assert_eq!(b.len(), 2, "{m}: {b:?}");
        assert_eq!(b[0], 1e-1, "{m}");
        assert!(derivbench::num::ulps_between(b[1], 1e-2) <= 2, "{m}: {b:?}");
    }
    assert!(beyond("fd-forward").is_empty());
    let note = acc
        .notes
        .iter()
        .find(|n| n.starts_with("nonfinite: NaN or infinite derivatives"))
        .expect("the note");
    assert_eq!(
        note,
        "nonfinite: NaN or infinite derivatives from fd-backward (2 values, the first at entry \
         (output 0, input 0) with h = 1e-1), fd-central (2 values, the first at entry (output 0, \
         input 0) with h = 1e-1)"
    );
}
