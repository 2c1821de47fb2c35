//! `measure_external` measures another tool's derivatives as `run` measures its own
//! methods: given derivbench's forward mode as the other tool, it gives exactly the rows
//! of the `forward` method, and a tool off by a relative 2^-40 loses the 12 to 13 bits
//! that error is; the scenario of `examples/elementals/` holds every rule of forward mode
//! within 2 ulps and shows a wrong one.

mod common;

use common::suite::scenario;
use derivbench::ad::{seeded, Dual};
use derivbench::measure::accuracy::{
    measure_external, measure_external_against, measure_external_rows_against, run_reference,
};
use derivbench::measure::{
    measure_accuracy, reference_jacobian, AccuracyOptions, Method, RefOptions,
};
use derivbench::num::{Binary, Scalar, Unary};
use derivbench::scenario::file::{load_file, Limits};
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
            ..AccuracyOptions::default()
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
    // a reference of some columns only is not the run's
    let sc = scenario("lecture-example");
    let part = reference_jacobian(&sc.model, &sc.x, &[1], &RefOptions::default());
    let err = measure_external_against(&sc, &part, "t", |j| forward_column(&sc, j)).unwrap_err();
    assert!(
        err.contains("does not hold every column of the 1 x 2 Jacobian"),
        "{err}"
    );
}

/// Our dual numbers with one wrong rule: d cos(u) = +sin(u) u'.
#[derive(Clone, Debug)]
struct WrongCos(Dual<f64>);

impl Scalar for WrongCos {
    fn cst(&self, c: f64) -> Self {
        WrongCos(self.0.cst(c))
    }
    fn re(&self) -> f64 {
        self.0.re()
    }
    fn unary(&self, op: Unary) -> Self {
        WrongCos(match op {
            Unary::Cos => Dual::new(self.0.v.cos(), self.0.v.sin() * self.0.d),
            _ => self.0.unary(op),
        })
    }
    fn binary(&self, op: Binary, o: &Self) -> Self {
        WrongCos(self.0.binary(op, &o.0))
    }
}

/// The scenario of `examples/elementals/`: one output per elemental.
fn elementals() -> Scenario {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/elementals/elementals.toml");
    load_file(&file, &Limits::default())
        .expect("the committed file")
        .0
}

#[test]
fn the_elementals_scenario_holds_our_rules_and_catches_a_wrong_one() {
    let sc = elementals();
    let reference = run_reference(&sc, &RefOptions::default());
    let ours =
        measure_external_against(&sc, &reference, "forward", |j| forward_column(&sc, j)).unwrap();
    // every entry: every input against every output, all within 2 ulps
    assert_eq!(ours.len(), sc.n() * sc.m);
    for r in &ours {
        assert!(r.bits_err.unwrap() <= 1.6, "{r:?}");
    }
    let wrong = measure_external_against(&sc, &reference, "wrong-cos", |j| {
        let x: Vec<WrongCos> = seeded(&sc.x, j).into_iter().map(WrongCos).collect();
        sc.eval(&x).iter().map(|y| y.0.d).collect()
    })
    .unwrap();
    // the seventh output of the file is cos(a)
    assert_eq!(sc.m, 23);
    let cos = 6;
    for r in &wrong {
        let b = r.bits_err.unwrap();
        if (r.output, r.input) == (cos, 0) {
            // +sin(0.7) against -sin(0.7): the sign, and every bit
            assert!(b >= 60.0, "{r:?}");
        } else {
            assert!(b <= 1.6, "{r:?}");
        }
    }
}

#[test]
fn a_tool_that_delivers_rows_is_measured_on_the_same_entries_as_by_columns() {
    for name in ["fanout-3", "dense-jacobian-4x64", "elman-rnn-50"] {
        let sc = scenario(name);
        let reference = run_reference(&sc, &RefOptions::default());
        let by_columns =
            measure_external_against(&sc, &reference, "t", |j| forward_column(&sc, j)).unwrap();
        // the same Jacobian handed out by rows
        let jac: Vec<Vec<f64>> = (0..sc.n()).map(|j| forward_column(&sc, j)).collect();
        let by_rows = measure_external_rows_against(&sc, &reference, "t", |i| {
            (0..sc.n()).map(|j| jac[j][i]).collect()
        })
        .unwrap();
        assert_eq!(by_rows, by_columns, "{name}");
    }
    let sc = scenario("fanout-3");
    let reference = run_reference(&sc, &RefOptions::default());
    let err =
        measure_external_rows_against(&sc, &reference, "wide", |_| vec![1.0, 2.0]).unwrap_err();
    assert!(
        err.contains("row 0 of wide has 2 entries, where the scenario has 1 input"),
        "{err}"
    );
}
