//! The reverse sweep for one output passes, with adjoint 0, the entries of the outputs
//! recorded before it; where such an entry's partial is infinite (sqrt, log, 1/u at 0),
//! 0 * inf must not put NaN into the adjoint of an input. The MPFR reference runs that
//! sweep when there are no more outputs than inputs, so it settled on NaN for
//! d(2y)/dx beside sqrt(x) at x = 0 (and forward mode, which it runs otherwise, had
//! the same 0 * inf in the tangents). The expected values are exact: the Jacobian of
//! (sqrt x, log x, 1/x, 2y) at (0, 1) is (inf, 0; inf, 0; -inf, 0; 0, 2).

use derivbench::measure::RefOptions;
use derivbench::measure::{measure_accuracy, reference_jacobian, AccuracyOptions, Method};
use derivbench::scenario::file::{load_str, Limits};
use std::path::Path;

const WANT: [[f64; 2]; 4] = [
    [f64::INFINITY, 0.0],
    [f64::INFINITY, 0.0],
    [f64::NEG_INFINITY, 0.0],
    [0.0, 2.0],
];

/// Checks the reference and every AD method on the outputs `rows` of WANT.
fn check(rows: &[usize]) {
    let names = ["sqrt(x)", "log(x)", "1 / x", "2 * y"];
    let outs: Vec<String> = rows.iter().map(|&i| format!("{:?}", names[i])).collect();
    let text = format!(
        "name = \"beside\"\n\
         inputs = [{{ name = \"x\", value = 0.0 }}, {{ name = \"y\", value = 1.0 }}]\n\
         outputs = [{}]\n",
        outs.join(", ")
    );
    let sc = load_str(Path::new("beside.toml"), &text, &Limits::default())
        .unwrap()
        .0;
    let r = reference_jacobian(&sc.model, &sc.x, &[0, 1], &RefOptions::default());
    for (k, &i) in rows.iter().enumerate() {
        for (j, w) in WANT[i].iter().enumerate() {
            let e = &r.entries[k][j];
            assert!(e.settled, "{}: reference d/dx{j} unsettled", names[i]);
            assert_eq!(
                e.to_f64().to_bits(),
                w.to_bits(),
                "{}: reference d/dx{j} = {}",
                names[i],
                e.value
            );
        }
    }
    let methods = [
        Method::Forward,
        Method::ForwardVector,
        Method::Reverse,
        Method::Symbolic,
    ];
    let acc = measure_accuracy(
        &sc,
        &AccuracyOptions {
            methods: methods.to_vec(),
            quick: true,
            ..AccuracyOptions::default()
        },
    );
    for m in methods {
        for (k, &i) in rows.iter().enumerate() {
            for (j, w) in WANT[i].iter().enumerate() {
                let got = acc
                    .rows
                    .iter()
                    .find(|r| r.method == m.name() && r.output == k && r.input == j)
                    .and_then(|r| r.value)
                    .unwrap_or_else(|| panic!("{}: no value for {} d/dx{j}", m.name(), names[i]));
                assert_eq!(
                    got.to_bits(),
                    w.to_bits(),
                    "{}: {} d/dx{j}",
                    m.name(),
                    names[i]
                );
            }
        }
    }
}

#[test]
fn the_reference_and_every_ad_method_give_the_exact_jacobian() {
    // two outputs, two inputs: the reference runs the tape
    check(&[0, 3]);
    check(&[1, 3]);
    check(&[2, 3]);
    // four outputs: the reference runs forward mode
    check(&[0, 1, 2, 3]);
}
