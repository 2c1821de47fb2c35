//! Our forward mode against num-dual's, side by side in one group, on the same
//! scenario code: num-dual's `Dual64` enters through a thin wrapper implementing our
//! `Scalar` trait, so both run the very same program.
//!
//! On a shared machine two criterion measurements taken seconds apart can differ by more
//! than the effect measured, so after the group this bench also prints a paired ratio per
//! scenario: the two forward modes run in alternating batches (`paired_wall`, as for the
//! wall ratios of `derivbench run`), and the ratio is taken of their fastest batches,
//! which interference from the rest of the machine can only slow. More paired ratios
//! read it: ours against ours (the same compiled scenario code on both sides,
//! from two timing loops, so any distance from 1 is the pairing's own), ours against a
//! separately compiled copy of ours (the same operations placed elsewhere in the binary:
//! what code placement alone moves), ours with num-dual's sigmoid rule against num-dual
//! (the share of the gap on sigmoid networks that is the sigmoid's rule), and ours
//! without the NaN guards of the tangent rules against num-dual (what the guards that
//! keep 0 * inf from turning a zero tangent into NaN cost; num-dual has none), and on
//! MLPs ours with each activation appended by a plain push against num-dual (what a
//! store-forwarding stall costs: see `Scalar::push_dual`).

mod common;

use common::num_dual_peer::Peer;
use criterion::{criterion_group, BenchmarkId, Criterion};
use derivbench::ad::{seeded, Dual};
use derivbench::measure::cost::{paired_wall, Paired};
use derivbench::num::{Binary, Scalar, Unary};
use derivbench::scenario::{Model, Scenario};
use num_dual::Dual64;
use std::hint::black_box;
use std::time::Duration;

/// Our dual numbers with one change: the sigmoid's tangent is num-dual's chain rule
/// through exp and the reciprocal, ((-udot) e) ((-r) r) with e = exp(-u) and
/// r = 1 / (1 + e), in num-dual's order of operations, instead of our slope v (1 - v)
/// times udot. Every other elemental is ours.
#[derive(Clone, Debug)]
#[repr(transparent)]
struct TheirSigmoid(Dual<f64>);

impl Scalar for TheirSigmoid {
    #[inline]
    fn cst(&self, c: f64) -> Self {
        TheirSigmoid(self.0.cst(c))
    }
    #[inline]
    fn re(&self) -> f64 {
        self.0.re()
    }
    #[inline]
    fn unary(&self, op: Unary) -> Self {
        TheirSigmoid(match op {
            Unary::Sigmoid => {
                let (u, ud) = (self.0.v, self.0.d);
                let e = (-u).exp();
                let r = (e + 1.0).recip();
                Dual::new(r, (-ud * e) * (-r * r))
            }
            _ => self.0.unary(op),
        })
    }
    #[inline]
    fn binary(&self, op: Binary, o: &Self) -> Self {
        TheirSigmoid(self.0.binary(op, &o.0))
    }
    #[inline(always)]
    fn push_to(self, out: &mut Vec<Self>) {
        let (v, d) = (self.0.v, self.0.d);
        push_packed(out, self, v, d)
    }
}

/// Our dual numbers without the guards of the tangent rules: the products of the
/// univariate chain rule and of the product rule are taken as they come, with no test
/// for a NaN (0 * inf) after each. Every rule is otherwise ours.
#[derive(Clone, Debug)]
#[repr(transparent)]
struct Unguarded(Dual<f64>);

impl Scalar for Unguarded {
    #[inline]
    fn cst(&self, c: f64) -> Self {
        Unguarded(self.0.cst(c))
    }
    #[inline]
    fn re(&self) -> f64 {
        self.0.re()
    }
    #[inline]
    fn unary(&self, op: Unary) -> Self {
        let (u, ud) = (self.0.v, self.0.d);
        Unguarded(match op {
            Unary::Neg => Dual::new(-u, -ud),
            _ => {
                let (v, dpsi) = u.unary_with_deriv(op);
                Dual::new(v, dpsi * ud)
            }
        })
    }
    #[inline]
    fn binary(&self, op: Binary, o: &Self) -> Self {
        let (u, ud, w, wd) = (self.0.v, self.0.d, o.0.v, o.0.d);
        Unguarded(match op {
            Binary::Mul => Dual::new(u * w, ud * w + u * wd),
            _ => self.0.binary(op, &o.0),
        })
    }
    #[inline(always)]
    fn push_to(self, out: &mut Vec<Self>) {
        let (v, d) = (self.0.v, self.0.d);
        push_packed(out, self, v, d)
    }
}

/// Our dual numbers unchanged, as a type of their own: the scenario code is compiled
/// once more for it, the same operations placed elsewhere in the binary, so ours against
/// it measures what the placement of the code alone moves.
#[derive(Clone, Debug)]
#[repr(transparent)]
struct Twin(Dual<f64>);

impl Scalar for Twin {
    #[inline]
    fn cst(&self, c: f64) -> Self {
        Twin(self.0.cst(c))
    }
    #[inline]
    fn re(&self) -> f64 {
        self.0.re()
    }
    #[inline]
    fn unary(&self, op: Unary) -> Self {
        Twin(self.0.unary(op))
    }
    #[inline]
    fn binary(&self, op: Binary, o: &Self) -> Self {
        Twin(self.0.binary(op, &o.0))
    }
    #[inline(always)]
    fn push_to(self, out: &mut Vec<Self>) {
        let (v, d) = (self.0.v, self.0.d);
        push_packed(out, self, v, d)
    }
}

/// Appends `w`, a `repr(transparent)` wrapper of a `Dual<f64>` with value `v` and
/// tangent `d`, to `out` as `Dual<f64>`'s own `push_to` does: by one 16-byte store on
/// x86-64, a push elsewhere. The wrappers below append through it, so that each reads
/// our dual numbers stored as they are.
#[inline(always)]
fn push_packed<W>(out: &mut Vec<W>, w: W, v: f64, d: f64) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_set_pd, _mm_storeu_pd};
        assert_eq!(std::mem::size_of::<W>(), 16, "not a wrapper of Dual<f64>");
        out.reserve(1);
        let len = out.len();
        // SAFETY: `reserve(1)` leaves room for one element at `len`; `W` wraps a
        // `repr(C)` `Dual<f64>` transparently, so the element is `v` and then `d`, 16
        // bytes written whole; `set_len` counts the element written, and `w` (plain
        // f64s) needs no drop
        unsafe {
            _mm_storeu_pd(out.as_mut_ptr().add(len).cast::<f64>(), _mm_set_pd(d, v));
            out.set_len(len + 1);
        }
        std::mem::forget(w);
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (v, d);
        out.push(w);
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
    let ours = seeded(&sc.x, 0);
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

/// The scenario evaluated on `f`'s numbers against it evaluated on `g`'s, paired.
fn pair<F: Scalar, G: Scalar>(sc: &Scenario, f: &[F], g: &[G]) -> Paired {
    paired_wall(
        common::PAIRED_BUDGET,
        || {
            black_box(sc.eval(black_box(f)));
        },
        || {
            black_box(sc.eval(black_box(g)));
        },
    )
}

/// The paired ratio per scenario.
fn paired() {
    let suite = common::default_suite();
    println!("paired (alternating batches, ratio of the fastest):");
    for name in NAMES {
        let Some(sc) = suite.iter().find(|s| s.name == name) else {
            continue;
        };
        let (ours, theirs) = both(sc);
        let mixed: Vec<TheirSigmoid> = ours.iter().cloned().map(TheirSigmoid).collect();
        let twin: Vec<Twin> = ours.iter().cloned().map(Twin).collect();
        let unguarded: Vec<Unguarded> = ours.iter().cloned().map(Unguarded).collect();
        let p = pair(sc, &theirs, &ours);
        println!(
            "forward-vs-num-dual paired {name}: derivbench {} ns, num-dual {} ns, ratio {:.2}",
            p.g_min.as_nanos(),
            p.f_min.as_nanos(),
            p.fastest_ratio()
        );
        println!(
            "  ours against ours {:.2}; against a separately compiled copy of ours {:.2}; \
             ours with num-dual's sigmoid rule against num-dual {:.2}",
            pair(sc, &ours, &ours).fastest_ratio(),
            pair(sc, &twin, &ours).fastest_ratio(),
            pair(sc, &theirs, &mixed).fastest_ratio()
        );
        println!(
            "  ours without the tangent rules' NaN guards against num-dual {:.2}",
            pair(sc, &theirs, &unguarded).fastest_ratio()
        );
        if let Model::Mlp(m) = &sc.model {
            // the family's loss with each activation appended by `Vec::push`, not
            // `Scalar::push_to`: compiled as a push, the value and the tangent were
            // written by two 8-byte stores, and the next layer reads the pair back by one
            // 16-byte load, which the processor cannot take from two pending stores (a
            // store-forwarding stall); `push_to` writes the pair by one store, as
            // num-dual's compiled code happens to
            let pushed_loss = |x: &[Dual<f64>]| m.eval_appending(x, |y, v| v.push(y));
            let (want, got) = (&sc.eval(&ours)[0], &pushed_loss(&ours)[0]);
            assert!(
                got.v.to_bits() == want.v.to_bits() && got.d.to_bits() == want.d.to_bits(),
                "{}: appending by push changed the loss",
                sc.name
            );
            let pushed = paired_wall(
                common::PAIRED_BUDGET,
                || {
                    black_box(sc.eval(black_box(theirs.as_slice())));
                },
                || {
                    black_box(pushed_loss(black_box(&ours)));
                },
            );
            println!(
                "  ours with each activation pushed (two 8-byte stores) against num-dual {:.2}",
                pushed.fastest_ratio()
            );
        }
    }
}

criterion_group!(benches, peer);

fn main() {
    benches();
    if common::benchmarking() {
        paired();
    }
    Criterion::default().configure_from_args().final_summary();
}
