//! The code every bench shares: each mode of a scenario (function, tangent, gradient on
//! the scalar tape and on the statement-level tape, FD gradient), written once and run
//! on any scenario.
#![allow(dead_code)]

pub mod lean_tape;
pub mod num_dual_peer;

use criterion::{measurement::WallTime, BenchmarkGroup, BenchmarkId};
use derivbench::ad::{seeded, StatementTape, Tape};
use derivbench::fd::{fd_column, FdKind, Stencil};
use derivbench::scenario::file::{load_dir, Limits};
use derivbench::scenario::Scenario;
use std::hint::black_box;
use std::path::Path;

/// The default suite.
pub fn default_suite() -> Vec<Scenario> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    load_dir(&dir, &Limits::default())
        .expect("the scenario folder")
        .scenarios
}

/// A mode of a scenario, benchmarked under `id` with parameter `param`.
pub fn bench_mode(g: &mut BenchmarkGroup<WallTime>, mode: &str, param: &str, sc: &Scenario) {
    let id = BenchmarkId::new(mode, param);
    match mode {
        "function" => {
            g.bench_with_input(id, &sc.x, |b, x| {
                b.iter(|| black_box(sc.eval(black_box(x))))
            });
        }
        "tangent" => {
            let xd = seeded(&sc.x, 0);
            g.bench_with_input(id, &xd, |b, x| b.iter(|| black_box(sc.eval(black_box(x)))));
        }
        "gradient" => {
            let tape: Tape<f64> = Tape::new();
            g.bench_with_input(id, &sc.x, |b, x| {
                b.iter(|| black_box(tape.gradient_of_sum(black_box(x), |xs| sc.eval(xs))))
            });
        }
        "gradient-statement" => {
            let tape: StatementTape<f64> = StatementTape::new();
            g.bench_with_input(id, &sc.x, |b, x| {
                b.iter(|| black_box(tape.gradient_of_sum(black_box(x), |xs| sc.eval(xs))))
            });
        }
        "function-tensor" => {
            // the function written as matrix operations (f64 matrix product), the fair
            // baseline of the matrix-level tape's gradient
            let derivbench::scenario::Model::Mlp(m) = &sc.model else {
                panic!("function-tensor is defined for MLPs")
            };
            g.bench_with_input(id, &sc.x, |b, x| {
                b.iter(|| black_box(m.eval_tensor(black_box(x))))
            });
        }
        "gradient-tensor" => {
            g.bench_with_input(id, &sc.x, |b, x| {
                b.iter(|| black_box(sc.model.gradient_tensor(black_box(x))))
            });
        }
        "fd-gradient" => {
            // central differences on the sampled components (all when n <= 64)
            let cols = sc.sampled_inputs();
            g.bench_with_input(id, &sc.x, |b, x| {
                b.iter(|| {
                    let f = |p: &[f64]| sc.eval(p);
                    let out: Vec<Vec<f64>> = cols
                        .iter()
                        .map(|&j| {
                            let st = Stencil::new(
                                FdKind::Central,
                                x[j],
                                FdKind::Central.textbook_step(x[j]),
                            );
                            fd_column(&f, x, j, &st)
                        })
                        .collect();
                    black_box(out)
                })
            });
        }
        other => panic!("unknown mode {other}"),
    }
}

/// True under `cargo bench` (criterion's test mode, under `cargo test --benches`, passes
/// no `--bench`).
pub fn benchmarking() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// How long each paired measurement samples (`derivbench::measure::cost::paired_wall`).
pub const PAIRED_BUDGET: std::time::Duration = std::time::Duration::from_millis(500);
