//! Our forward mode against num-dual's, side by side in one group, on the same
//! scenario code: num-dual's `Dual64` enters through a thin wrapper implementing our
//! `Scalar` trait, so both run the very same program.
//!
//! On a shared machine two criterion measurements taken seconds apart can differ by more
//! than the effect measured, so after the group this bench also prints a paired ratio per
//! scenario: the two forward modes run in alternating batches, 41 rounds each, and the
//! ratio is taken of their fastest batches, which both saw the same machine state.

mod common;

use criterion::{criterion_group, BenchmarkId, Criterion};
use derivbench::ad::Dual;
use derivbench::num::{selects_left, Binary, Scalar, Unary};
use derivbench::scenario::Scenario;
use num_dual::{Dual64, DualNum};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// num-dual's first-order dual number, as a `Scalar`.
#[derive(Clone, Copy, Debug)]
struct Peer(Dual64);

impl Scalar for Peer {
    #[inline]
    fn cst(&self, c: f64) -> Self {
        Peer(Dual64::from_re(c))
    }
    #[inline]
    fn re(&self) -> f64 {
        self.0.re
    }
    #[inline]
    fn unary(&self, op: Unary) -> Self {
        let x = self.0;
        Peer(match op {
            Unary::Neg => -x,
            Unary::Recip => x.recip(),
            Unary::Exp => x.exp(),
            Unary::Log => x.ln(),
            Unary::Sqrt => x.sqrt(),
            Unary::Sin => x.sin(),
            Unary::Cos => x.cos(),
            Unary::Tan => x.tan(),
            Unary::Tanh => x.tanh(),
            Unary::Sigmoid => ((-x).exp() + 1.0).recip(),
            Unary::Atan => x.atan(),
            Unary::Abs => num_dual::Dual64::new(x.re.abs(), x.eps * x.re.signum()),
            Unary::Powi(k) => x.powi(k),
        })
    }
    #[inline]
    fn binary(&self, op: Binary, o: &Self) -> Self {
        let (u, w) = (self.0, o.0);
        Peer(match op {
            Binary::Add => u + w,
            Binary::Sub => u - w,
            Binary::Mul => u * w,
            Binary::Div => u / w,
            Binary::Pow => u.powd(w),
            Binary::Min | Binary::Max => {
                if selects_left(op, u.re, w.re) {
                    u
                } else {
                    w
                }
            }
        })
    }
}

/// The scenarios compared.
const NAMES: [&str; 5] = [
    "lecture-example",
    "sum-of-squares-1000",
    "seed-mlp",
    "elman-rnn-50",
    "mlp-wide",
];

/// Our seeded dual numbers and num-dual's for the same point and direction e_0.
fn both(sc: &Scenario) -> (Vec<Dual<f64>>, Vec<Peer>) {
    let ours = common::seeded(&sc.x);
    let theirs: Vec<Peer> =
        sc.x.iter()
            .enumerate()
            .map(|(k, &v)| Peer(Dual64::new(v, if k == 0 { 1.0 } else { 0.0 })))
            .collect();
    // the same derivative, to the last bit or close: a sanity check before timing
    let a = sc.eval(&ours)[0].d;
    let b = sc.eval(&theirs)[0].0.eps;
    assert!(
        derivbench::num::bits_err(a, b) <= 4.0,
        "{}: {a} vs {b}",
        sc.name
    );
    (ours, theirs)
}

fn peer(c: &mut Criterion) {
    let suite = common::default_suite();
    let mut g = c.benchmark_group("forward-vs-num-dual");
    g.sample_size(30)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for name in NAMES {
        let Some(sc) = suite.iter().find(|s| s.name == name) else {
            continue;
        };
        let (ours, theirs) = both(sc);
        g.bench_with_input(BenchmarkId::new("derivbench", name), &ours, |bch, x| {
            bch.iter(|| black_box(sc.eval(black_box(x))))
        });
        g.bench_with_input(BenchmarkId::new("num-dual", name), &theirs, |bch, x| {
            bch.iter(|| black_box(sc.eval(black_box(x))))
        });
    }
    g.finish();
}

/// Seconds per call of `f`, over a batch of `reps` calls.
fn per_call(reps: u32, mut f: impl FnMut()) -> f64 {
    let t = Instant::now();
    for _ in 0..reps {
        f();
    }
    t.elapsed().as_secs_f64() / f64::from(reps)
}

/// The paired measurement: alternating batches of about 2 ms, the fastest of each side.
fn paired() {
    let suite = common::default_suite();
    println!("paired (alternating batches, fastest of 41 each):");
    for name in NAMES {
        let Some(sc) = suite.iter().find(|s| s.name == name) else {
            continue;
        };
        let (ours, theirs) = both(sc);
        let run_ours = || {
            black_box(sc.eval(black_box(&ours)));
        };
        let run_theirs = || {
            black_box(sc.eval(black_box(&theirs)));
        };
        // batch size from one probe call, for batches of about 2 ms
        let probe = per_call(1, run_ours).max(1e-9);
        let reps = ((2e-3 / probe) as u32).clamp(1, 1_000_000);
        let (mut a, mut b) = (f64::INFINITY, f64::INFINITY);
        for _ in 0..41 {
            a = a.min(per_call(reps, run_ours));
            b = b.min(per_call(reps, run_theirs));
        }
        println!(
            "forward-vs-num-dual paired {name}: derivbench {:.1} ns, num-dual {:.1} ns, ratio {:.2}",
            a * 1e9,
            b * 1e9,
            a / b
        );
    }
}

criterion_group!(benches, peer);

fn main() {
    benches();
    // only under `cargo bench` (criterion's own test mode passes no `--bench`)
    if std::env::args().any(|a| a == "--bench") {
        paired();
    }
    Criterion::default().configure_from_args().final_summary();
}
