//! Sum of squares for n = 10^2 .. 10^5: function, tangent and scalar-tape gradient.
//! Targets: gradient <= 10x the function, tangent <= 2.5x at n = 10^5.

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use derivbench::scenario::SumOfSquares;
use std::time::Duration;

fn sum_of_squares(c: &mut Criterion) {
    let mut g = c.benchmark_group("sum-of-squares");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for n in [100usize, 1_000, 10_000, 100_000] {
        let sc = SumOfSquares::scenario("sum-of-squares", n);
        for mode in ["function", "tangent", "gradient"] {
            common::bench_mode(&mut g, mode, &n.to_string(), &sc);
        }
    }
    g.finish();
}

criterion_group!(benches, sum_of_squares);
criterion_main!(benches);
