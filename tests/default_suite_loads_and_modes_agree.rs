//! The default suite: every scenario loads, its seeded data is the same on every run,
//! and forward mode, reverse mode and the MPFR reference agree on every family.

mod common;

use common::suite::{default_suite, scenario};
use derivbench::ad::{jacobian_forward, Dual, Tape};
use derivbench::measure::{reference_jacobian, RefOptions};
use derivbench::scenario::Mlp;

const NAMES: [&str; 12] = [
    "lecture-example",
    "sum-of-squares-1000",
    "product-20",
    "perceptron",
    "seed-mlp",
    "mlp-wide",
    "fanout-3",
    "elman-rnn-50",
    "gated-rnn-50",
    "dense-jacobian-4x64",
    "dense-jacobian-16x16",
    "dense-jacobian-64x4",
];

#[test]
fn every_default_scenario_is_present_with_its_family() {
    let suite = default_suite();
    for n in NAMES {
        assert!(suite.iter().any(|s| s.name == n), "missing {n}");
    }
    let families: std::collections::BTreeSet<&str> = suite.iter().map(|s| s.family()).collect();
    for f in [
        "expr",
        "sum-of-squares",
        "product",
        "perceptron",
        "mlp",
        "fanout",
        "elman-rnn",
        "gated-rnn",
        "dense-jacobian",
    ] {
        assert!(families.contains(f), "no default scenario of family {f}");
    }
}

#[test]
fn seeded_data_is_bit_identical_on_every_load_and_pinned() {
    let a = default_suite();
    let b = default_suite();
    for (x, y) in a.iter().zip(&b) {
        let bits = |v: &[f64]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&x.x), bits(&y.x), "{}", x.name);
        assert_eq!(bits(&x.eval(&x.x)), bits(&y.eval(&y.x)), "{}", x.name);
    }
    // the file's seed-mlp is the built-in one
    let file = scenario("seed-mlp");
    assert_eq!(file.x, Mlp::seed_mlp().x);
    // SplitMix64(1) in [-1, 1): pinned so that a change of generator cannot pass unnoticed
    let g = derivbench::scenario::rng::SplitMix64::new(1).fill(2, -1.0, 1.0);
    assert_eq!(file.x[..2], g[..]);
}

/// Forward (sampled columns), reverse (all columns) and the reference, compared
/// norm-wise: the error of a K-elemental program is bounded, to first order, by K
/// roundings of the largest magnitude it carries, so max |AD - ref| <= K u max |ref|.
#[test]
fn forward_reverse_and_reference_agree_on_every_family() {
    let u = f64::EPSILON / 2.0;
    for sc in default_suite() {
        if sc.name == "mlp-wide" {
            continue; // the same family as seed-mlp, 9,000 weights: covered by the run
        }
        let cols = sc.sampled_inputs();
        let all: Vec<usize> = (0..sc.n()).collect();
        let r = reference_jacobian(&sc.model, &sc.x, &all, &RefOptions::default());
        assert!(r.settled(), "{}", sc.name);
        let tape = Tape::new();
        let xs = tape.vars(&sc.x);
        let ys = sc.eval(&xs);
        let k = tape.len() as f64;
        let rev = tape.jacobian(&ys, &xs);
        let fwd = jacobian_forward(|d: &[Dual<f64>]| sc.eval(d), &sc.x, &cols);
        let scale = r
            .entries
            .iter()
            .flatten()
            .map(|e| e.to_f64().abs())
            .fold(0.0, f64::max);
        let bound = k * u * scale;
        for i in 0..sc.m {
            for (j, got) in rev[i].iter().enumerate() {
                let want = r.entries[i][j].to_f64();
                assert!(
                    (got - want).abs() <= bound,
                    "{} reverse ({i},{j}): {} vs {want}",
                    sc.name,
                    got
                );
            }
            for (c, &j) in cols.iter().enumerate() {
                let want = r.entries[i][j].to_f64();
                assert!(
                    (fwd[c][i] - want).abs() <= bound,
                    "{} forward ({i},{j}): {} vs {want}",
                    sc.name,
                    fwd[c][i]
                );
            }
        }
    }
}

#[test]
fn generated_outputs_and_nested_loops_give_the_right_jacobian() {
    let text = r#"
name = "gen"
inputs = [{ name = "x", values = [0.5, -1.0, 2.0] }, { name = "s", value = 3.0 }]
constants = [{ name = "a", values = [1.0, 2.0, 4.0] }]
outputs = { for = "j", from = 1, to = 3, expr = "sum(i, 1, j, a[i] * x[i]) * s" }
"#;
    let (sc, _) = derivbench::scenario::file::load_str(
        std::path::Path::new("gen.toml"),
        text,
        &derivbench::scenario::file::Limits::default(),
    )
    .unwrap();
    assert_eq!((sc.m, sc.n()), (3, 4));
    let tape = Tape::new();
    let xs = tape.vars(&sc.x);
    let ys = sc.eval(&xs);
    let jac = tape.jacobian(&ys, &xs);
    // y_j = s * sum_{i<=j} a_i x_i: dy_j/dx_i = s a_i for i <= j, dy_j/ds = the sum
    let want = [
        [3.0, 0.0, 0.0, 0.5],
        [3.0, 6.0, 0.0, 0.5 - 2.0],
        [3.0, 6.0, 12.0, 0.5 - 2.0 + 8.0],
    ];
    for i in 0..3 {
        assert_eq!(jac[i], want[i], "row {i}");
    }
}
