//! Every default scenario: the function alone, F and one tangent sweep, F and one
//! reverse sweep on the scalar tape (the elemental tape and the statement-level tape),
//! and the FD gradient (central differences on the
//! sampled components) and, for network families, the gradient on the matrix-level
//! tape, through the same generic code.

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use std::time::Duration;

fn scenarios(c: &mut Criterion) {
    for sc in common::default_suite() {
        let mut g = c.benchmark_group(format!("scenario/{}", sc.name));
        g.sample_size(20)
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(1));
        for mode in [
            "function",
            "tangent",
            "gradient",
            "gradient-statement",
            "fd-gradient",
        ] {
            common::bench_mode(&mut g, mode, &sc.name, &sc);
        }
        if sc.model.gradient_tensor(&sc.x[..]).is_some() {
            common::bench_mode(&mut g, "gradient-tensor", &sc.name, &sc);
        }
        g.finish();
    }
}

criterion_group!(benches, scenarios);
criterion_main!(benches);
