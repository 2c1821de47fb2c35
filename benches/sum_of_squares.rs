//! Sum of squares for n = 10^2 .. 10^5: function, tangent and scalar-tape gradient, on
//! the elemental tape (`gradient`) and on the statement-level tape
//! (`gradient-statement`). Targets: gradient <= 10x the function, tangent <= 2.5x at
//! n = 10^5.
//!
//! The group `sum-of-squares-phases` splits the scalar-tape gradient into its three
//! phases (recording the inputs, recording the function, the adjoint sweep with reading
//! the gradient out), each timed alone with `iter_custom`, so that the cost per input of
//! each phase can be set beside the function's. Beside them, `copy-working-set` copies a
//! buffer as large as the gradient's working set (the recorded tape, the vector of
//! variables and the adjoints): every one of those bytes is written and read back at
//! least once, so this copy is a floor under the gradient's time on the machine at hand.
//! A second floor, `lean-tape`, is the leanest elemental tape for this one function
//! (`common::lean_tape`: partials recorded with the entries, no handles, no values): what
//! any tape that records each square and each sum costs here.
//!
//! After the groups it prints paired ratios to the function (both gradients, tangent,
//! the lean tape and the copy): the fastest batches of alternating runs (`paired_wall`), which saw the same
//! machine state.

mod common;

use common::lean_tape::LeanTape;
use criterion::{criterion_group, BenchmarkId, Criterion};
use derivbench::ad::{StatementTape, Tape};
use derivbench::measure::cost::paired_wall;
use derivbench::scenario::{Scenario, SumOfSquares};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn sum_of_squares(c: &mut Criterion) {
    let mut g = c.benchmark_group("sum-of-squares");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for n in [100usize, 1_000, 10_000, 100_000] {
        let sc = SumOfSquares::scenario("sum-of-squares", n);
        for mode in ["function", "tangent", "gradient", "gradient-statement"] {
            common::bench_mode(&mut g, mode, &n.to_string(), &sc);
        }
    }
    g.finish();
}

/// Bytes in the working set of one gradient, from the tape as recorded: the entries, the
/// vector of variables and the adjoints.
fn working_set(sc: &Scenario, tape: &Tape<f64>) -> usize {
    tape.clear();
    let xs = tape.vars(&sc.x);
    let _ = sc.eval(&xs);
    tape.bytes()
        + xs.len() * std::mem::size_of::<derivbench::ad::Var<'_, f64>>()
        + tape.len() * std::mem::size_of::<f64>()
}

/// Which phase of the gradient a measurement times.
#[derive(Clone, Copy)]
enum Phase {
    Inputs,
    Record,
    Sweep,
}

fn phases(c: &mut Criterion) {
    let mut g = c.benchmark_group("sum-of-squares-phases");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for n in [1_000usize, 100_000] {
        let sc = SumOfSquares::scenario("sum-of-squares", n);
        let tape: Tape<f64> = Tape::new();
        for (name, phase) in [
            ("inputs", Phase::Inputs),
            ("record", Phase::Record),
            ("sweep", Phase::Sweep),
        ] {
            g.bench_with_input(BenchmarkId::new(name, n), &sc.x, |b, x| {
                b.iter_custom(|iters| {
                    let mut spent = Duration::ZERO;
                    for _ in 0..iters {
                        let t0 = Instant::now();
                        tape.clear();
                        let xs = tape.vars(black_box(x));
                        let t1 = Instant::now();
                        let ys = sc.eval(&xs);
                        let t2 = Instant::now();
                        let grad = tape.vjp(&ys, &[1.0], &xs);
                        let t3 = Instant::now();
                        black_box(grad);
                        spent += match phase {
                            Phase::Inputs => t1 - t0,
                            Phase::Record => t2 - t1,
                            Phase::Sweep => t3 - t2,
                        };
                    }
                    spent
                })
            });
        }
        let mut lean = LeanTape::new();
        let mut grad = Vec::new();
        g.bench_with_input(BenchmarkId::new("lean-tape", n), &sc.x, |b, x| {
            b.iter(|| black_box(lean.gradient_of_sum_of_squares(black_box(x), &mut grad)))
        });
        let bytes = working_set(&sc, &tape);
        let src = vec![1u8; bytes];
        let mut dst = vec![0u8; bytes];
        g.bench_function(BenchmarkId::new("copy-working-set", n), |b| {
            b.iter(|| {
                dst.copy_from_slice(black_box(&src));
                black_box(&dst);
            })
        });
    }
    g.finish();
}

/// The paired ratios to the function at each n.
fn paired() {
    println!("paired (alternating batches, ratio of the fastest) to the function:");
    for n in [100usize, 1_000, 10_000, 100_000] {
        let sc = SumOfSquares::scenario("sum-of-squares", n);
        let x = &sc.x;
        let function = || {
            black_box(sc.eval(black_box(x)));
        };
        let tape: Tape<f64> = Tape::new();
        let g = paired_wall(common::PAIRED_BUDGET, function, || {
            black_box(tape.gradient_of_sum(black_box(x), |xs| sc.eval(xs)));
        });
        let xd = derivbench::ad::seeded(x, 0);
        let t = paired_wall(common::PAIRED_BUDGET, function, || {
            black_box(sc.eval(black_box(&xd)));
        });
        let st: StatementTape<f64> = StatementTape::new();
        let s = paired_wall(common::PAIRED_BUDGET, function, || {
            black_box(st.gradient_of_sum(black_box(x), |xs| sc.eval(xs)));
        });
        let (mut lean, mut grad) = (LeanTape::new(), Vec::new());
        let l = paired_wall(common::PAIRED_BUDGET, function, || {
            black_box(lean.gradient_of_sum_of_squares(black_box(x), &mut grad));
        });
        let bytes = working_set(&sc, &tape);
        let (src, mut dst) = (vec![1u8; bytes], vec![0u8; bytes]);
        let c = paired_wall(common::PAIRED_BUDGET, function, || {
            dst.copy_from_slice(black_box(&src));
            black_box(&dst);
        });
        println!(
            "sum-of-squares paired n = {n}: gradient {:.1}, gradient-statement {:.1}, tangent {:.2}, lean-tape {:.1}, copy-working-set {:.1} (function {:.1} us)",
            g.fastest_ratio(),
            s.fastest_ratio(),
            t.fastest_ratio(),
            l.fastest_ratio(),
            c.fastest_ratio(),
            g.f_min.as_secs_f64() * 1e6
        );
    }
}

criterion_group!(benches, sum_of_squares, phases);

fn main() {
    benches();
    if common::benchmarking() {
        paired();
    }
    Criterion::default().configure_from_args().final_summary();
}
