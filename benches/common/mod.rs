//! The code every bench shares: each mode of a scenario (function, tangent, gradient on
//! the scalar tape, FD gradient), written once and run on any scenario.
#![allow(dead_code)]

use criterion::{measurement::WallTime, BenchmarkGroup, BenchmarkId};
use derivbench::ad::{seeded, Tape};
use derivbench::fd::{fd_column, FdKind, Stencil};
use derivbench::scenario::file::{load_dir, Limits};
use derivbench::scenario::Scenario;
use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

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

/// Seconds per call of `f`, over a batch of `reps` calls.
pub fn per_call(reps: u32, mut f: impl FnMut()) -> f64 {
    let t = Instant::now();
    for _ in 0..reps {
        f();
    }
    t.elapsed().as_secs_f64() / f64::from(reps)
}

/// True under `cargo bench` (criterion's test mode, under `cargo test --benches`, passes
/// no `--bench`).
pub fn benchmarking() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// The paired measurement of two programs: alternating batches of about 2 ms each, 41
/// rounds, and the fastest batch of each side (seconds per call), so that both see the
/// same machine state.
pub fn paired(mut a: impl FnMut(), mut b: impl FnMut()) -> (f64, f64) {
    let probe = per_call(1, &mut a).max(1e-9);
    let reps_a = ((2e-3 / probe) as u32).clamp(1, 1_000_000);
    let probe = per_call(1, &mut b).max(1e-9);
    let reps_b = ((2e-3 / probe) as u32).clamp(1, 1_000_000);
    let (mut ta, mut tb) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..41 {
        ta = ta.min(per_call(reps_a, &mut a));
        tb = tb.min(per_call(reps_b, &mut b));
    }
    (ta, tb)
}
