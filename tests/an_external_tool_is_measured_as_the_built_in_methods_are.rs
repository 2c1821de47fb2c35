//! `measure_external` measures another tool's derivatives as `run` measures its own
//! methods: given derivbench's forward mode as the other tool, it gives exactly the rows
//! of the `forward` method, and a tool off by a relative 2^-40 loses the 12 to 13 bits
//! that error is.

mod common;

use common::suite::scenario;
use derivbench::ad::{seeded, Dual};
use derivbench::measure::accuracy::measure_external;
use derivbench::measure::{measure_accuracy, AccuracyOptions, Method, RefOptions};
use derivbench::scenario::Scenario;

/// Column j of the Jacobian by derivbench's forward mode.
fn forward_column(sc: &Scenario, j: usize) -> Vec<f64> {
    sc.eval(&seeded(&sc.x, j))
        .iter()
        .map(|y: &Dual<f64>| y.d)
        .collect()
}

/// Scenarios of every shape: one output, several outputs (m > n and m < n), formula,
/// network and recurrent families, sampled and full columns.
const NAMES: [&str; 7] = [
    "lecture-example",
    "perceptron",
    "seed-mlp",
    "product-20",
    "fanout-3",
    "dense-jacobian-4x64",
    "elman-rnn-50",
];

#[test]
fn forward_mode_as_an_external_tool_gets_the_rows_of_the_forward_method() {
    for name in NAMES {
        let sc = scenario(name);
        let opts = AccuracyOptions {
            methods: vec![Method::Forward],
            quick: true,
            reference: RefOptions::default(),
        };
        let want = measure_accuracy(&sc, &opts).rows;
        let got = measure_external(&sc, "forward", &opts.reference, |j| forward_column(&sc, j))
            .expect("columns of the right length");
        assert!(!got.is_empty(), "{name}: no rows");
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn a_tool_off_by_a_relative_two_to_the_minus_40_loses_12_to_13_bits() {
    let scale = 1.0 + 2f64.powi(-40);
    for name in ["lecture-example", "seed-mlp", "fanout-3"] {
        let sc = scenario(name);
        let rows = measure_external(&sc, "off", &RefOptions::default(), |j| {
            forward_column(&sc, j).iter().map(|d| d * scale).collect()
        })
        .unwrap();
        for r in rows.iter().filter(|r| r.reference != 0.0) {
            let b = r.bits_err.unwrap();
            // 2^-40 relative is 2^12 to 2^13 ulps, give or take forward mode's own ulps
            assert!(
                (11.9..=13.1).contains(&b),
                "{name} d y{}/d x{}: {b} bits",
                r.output,
                r.input
            );
        }
    }
}

#[test]
fn a_column_of_the_wrong_length_is_an_error_naming_it() {
    let sc = scenario("fanout-3");
    let err = measure_external(&sc, "short", &RefOptions::default(), |j| {
        let mut c = forward_column(&sc, j);
        c.pop();
        c
    })
    .unwrap_err();
    assert!(err.contains("column 0 of short"), "{err}");
    assert!(
        err.contains("has 2 entries") && err.contains("3 outputs"),
        "{err}"
    );
}
