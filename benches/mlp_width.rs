//! MLPs width-w-w-10 (tanh, sigmoid outputs, biases) for w = 16 .. 64 at batch 32 and
//! 128, 256 at batch 64:
//! the function (scalar program, and as matrix operations), the scalar-tape gradient and
//! the matrix-level tape gradient (which includes the function). Target: gradient-tensor
//! / function-tensor <= 3.

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use derivbench::scenario::rng::SplitMix64;
use derivbench::scenario::{Activation, Mlp, Model, Scenario};
use std::time::Duration;

/// A w-w-w-10 network at batch `batch`, seeded.
pub fn mlp(w: usize, batch: usize) -> Scenario {
    let mut g = SplitMix64::new(w as u64);
    let m = Mlp {
        layers: vec![w, w, w, 10],
        activation: Activation::Tanh,
        output_activation: Activation::Sigmoid,
        bias: true,
        x: (0..batch).map(|_| g.fill(w, -1.0, 1.0)).collect(),
        t: (0..batch).map(|_| g.fill(10, 0.0, 1.0)).collect(),
    };
    let scale = 1.0 / (w as f64).sqrt();
    let p = g.fill(m.n_params(), -scale, scale);
    let labels = m.labels();
    Scenario::new(&format!("mlp-{w}"), "", Model::Mlp(m), p, labels)
}

fn mlp_width(c: &mut Criterion) {
    let mut g = c.benchmark_group("mlp-width");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    for (w, batch) in [(16usize, 32usize), (32, 32), (64, 32), (128, 64), (256, 64)] {
        let sc = mlp(w, batch);
        for mode in ["function", "function-tensor", "gradient", "gradient-tensor"] {
            common::bench_mode(&mut g, mode, &w.to_string(), &sc);
        }
    }
    g.finish();
}

criterion_group!(benches, mlp_width);
criterion_main!(benches);
