//! The matrix-level tape (reverse-tensor) against the scalar tape and an MPFR reference
//! on every network scenario of the default suite and on one-layer networks whose
//! gradients are derived by hand; and its op counts against the cheap gradient bound.
//!
//! # Tolerances
//!
//! The tensor tape sums in another order than the scalar tape (the adjoint of a matrix
//! product is a product of matrices, whose dot products run over the batch, where the
//! scalar tape adds each contribution as its sweep reaches it), so the two agree to
//! rounding, not bit for bit. The
//! tolerance is a running first-order error bound (Wilkinson's running error analysis):
//! the scalar [`Bounded`] carries with each f64 value v a bound e on its absolute
//! rounding error, propagated through every elemental (u is the unit roundoff):
//!
//! - u +- w: e_u + e_w + u |v|;  u w: |w| e_u + |u| e_w + e_u e_w + u |v|;
//!   u / w: (e_u + |v| e_w) / |w| + u |v|;
//! - psi(u): |psi'(u)| e_u + c u |v|, with c = 1 for 1/u and sqrt (correctly rounded),
//!   4 for the libm functions (at most 2 ulps), 8 for the sigmoid 1/(1 + exp(-u))
//!   (exp, a sum and a quotient), 2|k| for u^k, 0 for -u and |u|;
//! - a matrix product entry, a dot product of length k in *any* summation order:
//!   sum_p (|a_p| e_b + |b_p| e_a + e_a e_b) + gamma_k sum_p |a_p b_p|, with
//!   gamma_k = k u / (1 - k u) (Higham, Accuracy and Stability, eq. 3.5), and one more
//!   term when accumulating.
//!
//! A tape run over `Bounded` executes the same operations as over f64 (the derivative
//! formulas psi'(u) included, since they are written with the trait's operations), so
//! the e of each gradient entry bounds the error of the f64 run, the tensor tape's as
//! well as the scalar tape's. The tests allow 2e: the factor covers the second-order
//! terms that the first-order analysis drops, whose relative size is about the square of
//! the first-order bound's (the bounds found here stay below 1e-7 of the gradient, so
//! those terms are below 1e-14 of it). The same bound scaled to 256-bit roundoff (a
//! factor 2^-203) bounds the difference between the two tapes run in MPFR.

mod common;

use common::suite::default_suite;
use derivbench::ad::{Tape, TapeScalar};
use derivbench::measure::cost::{work_function, work_gradient, Weights};
use derivbench::num::{selects_left, unary_deriv_generic, Binary, Count, Scalar, Unary};
use derivbench::num::{ulps_between, Work, WorkCounter};
use derivbench::scenario::{Activation, Mlp, Model, Scenario};
use rug::Float;

/// Unit roundoff of f64.
const U: f64 = f64::EPSILON / 2.0;
/// Precision of the MPFR reference, in bits.
const BITS: u32 = 256;
/// The network scenarios of the default suite.
const NETWORKS: [&str; 4] = ["seed-mlp", "mlp-wide", "elman-rnn-50", "gated-rnn-50"];

fn gamma(k: usize) -> f64 {
    k as f64 * U / (1.0 - k as f64 * U)
}

/// An f64 with a running first-order bound on its absolute rounding error (see the
/// module documentation).
#[derive(Clone, Copy, Debug)]
struct Bounded {
    v: f64,
    e: f64,
}

impl Bounded {
    fn exact(v: f64) -> Self {
        Bounded { v, e: 0.0 }
    }
}

/// Relative error of one evaluation of psi, in units of u.
fn psi_error(op: Unary) -> f64 {
    match op {
        Unary::Neg | Unary::Abs => 0.0,
        Unary::Recip | Unary::Sqrt => 1.0,
        Unary::Powi(k) => 2.0 * k.unsigned_abs() as f64,
        Unary::Sigmoid => 8.0,
        _ => 4.0,
    }
}

// SAFETY: its operations compute on its two f64 fields alone and never touch a tape.
unsafe impl TapeScalar for Bounded {}

impl Scalar for Bounded {
    fn cst(&self, c: f64) -> Self {
        Bounded::exact(c)
    }
    fn re(&self) -> f64 {
        self.v
    }
    fn unary(&self, op: Unary) -> Self {
        let v = self.v.unary(op);
        let d = unary_deriv_generic(&self.v, op, &v);
        Bounded {
            v,
            e: d.abs() * self.e + psi_error(op) * U * v.abs(),
        }
    }
    fn binary(&self, op: Binary, o: &Self) -> Self {
        let v = self.v.binary(op, &o.v);
        let (a, b) = (self, o);
        let e = match op {
            Binary::Add | Binary::Sub => a.e + b.e + U * v.abs(),
            Binary::Mul => b.v.abs() * a.e + a.v.abs() * b.e + a.e * b.e + U * v.abs(),
            Binary::Div => (a.e + v.abs() * b.e) / b.v.abs() + U * v.abs(),
            // exp(w log u): d/du = w v / u, d/dw = v log u; exp and log within 2 ulps
            Binary::Pow => {
                v.abs() * ((b.v / a.v).abs() * a.e + a.v.ln().abs() * b.e) + 12.0 * U * v.abs()
            }
            Binary::Min | Binary::Max => {
                if selects_left(op, a.v, b.v) {
                    a.e
                } else {
                    b.e
                }
            }
        };
        Bounded { v, e }
    }
    fn matmul(
        a: &[Self],
        trans_a: bool,
        b: &[Self],
        trans_b: bool,
        c: &mut [Self],
        m: usize,
        k: usize,
        n: usize,
        accumulate: bool,
    ) {
        let ai = |i: usize, p: usize| if trans_a { p * m + i } else { i * k + p };
        let bi = |p: usize, j: usize| if trans_b { j * k + p } else { p * n + j };
        for i in 0..m {
            for j in 0..n {
                let (mut v, mut s, mut e) = (0.0, 0.0, 0.0);
                for p in 0..k {
                    let (x, y) = (a[ai(i, p)], b[bi(p, j)]);
                    v += x.v * y.v;
                    s += (x.v * y.v).abs();
                    e += x.v.abs() * y.e + y.v.abs() * x.e + x.e * y.e;
                }
                let mut terms = k;
                let cij = &mut c[i * n + j];
                if accumulate {
                    v += cij.v;
                    s += cij.v.abs();
                    e += cij.e;
                    terms += 1;
                }
                // s itself is computed with relative error at most gamma_terms
                *cij = Bounded {
                    v,
                    e: e + gamma(terms) * s * (1.0 + gamma(terms)),
                };
            }
        }
    }
}

fn network_scenarios() -> Vec<Scenario> {
    let all = default_suite();
    NETWORKS
        .iter()
        .map(|name| {
            all.iter()
                .find(|s| s.name == *name)
                .unwrap_or_else(|| panic!("{name} in the default suite"))
                .clone()
        })
        .collect()
}

/// Loss and gradient by the scalar tape.
fn scalar_tape<S: TapeScalar>(sc: &Scenario, x: &[S]) -> (S, Vec<S>) {
    let tape = Tape::new();
    let xs = tape.vars(x);
    let y = sc.eval(&xs).remove(0);
    (y.value().clone(), tape.gradient(&y, &xs))
}

/// Loss and gradient by the tensor tape.
fn tensor_tape<S: Scalar>(sc: &Scenario, x: &[S]) -> (S, Vec<S>) {
    sc.model
        .gradient_tensor(x)
        .unwrap_or_else(|| panic!("{} has a tensor form", sc.name))
}

fn floats(x: &[f64]) -> Vec<Float> {
    x.iter().map(|&v| Float::with_val(BITS, v)).collect()
}

fn bounded(x: &[f64]) -> Vec<Bounded> {
    x.iter().map(|&v| Bounded::exact(v)).collect()
}

/// |got - want| computed exactly (at the reference's precision).
fn err(got: f64, want: &Float) -> f64 {
    Float::with_val(BITS, got - want).abs().to_f64()
}

/// Asserts |got - want| <= 2 e and returns the error in units of e (0 for an exact
/// match).
#[track_caller]
fn within(what: &str, got: f64, want: &Float, e: f64) -> f64 {
    let d = err(got, want);
    assert!(
        d <= 2.0 * e,
        "{what}: {got:e} vs reference {want}: error {d:e} > 2 x bound {e:e}"
    );
    if d == 0.0 {
        0.0
    } else {
        d / e
    }
}

/// Both MPFR runs agree within the bound scaled to 256-bit roundoff.
#[track_caller]
fn mpfr_agree(what: &str, a: &Float, b: &Float, e: f64) {
    let d = Float::with_val(BITS, a - b).abs().to_f64();
    assert!(
        d <= 2.0 * e * 2f64.powi(-203),
        "{what}: MPFR runs differ by {d:e}, bound {e:e} x 2^-203"
    );
}

#[test]
fn tensor_tape_equals_the_scalar_tape_and_mpfr_on_every_network_scenario() {
    for sc in network_scenarios() {
        let n = sc.n();
        let (lt, gt) = tensor_tape(&sc, &sc.x);
        let (ls, gs) = scalar_tape(&sc, &sc.x);
        let (lbt, bt) = tensor_tape(&sc, &bounded(&sc.x));
        let (lbs, bs) = scalar_tape(&sc, &bounded(&sc.x));
        let (rt_l, rt) = tensor_tape(&sc, &floats(&sc.x));
        let (rs_l, rs) = scalar_tape(&sc, &floats(&sc.x));
        for g in [&gt, &gs] {
            assert_eq!(g.len(), n, "{}", sc.name);
        }
        assert_eq!((bt.len(), rt.len(), rs.len()), (n, n, n));
        mpfr_agree(&format!("{} loss", sc.name), &rt_l, &rs_l, lbt.e + lbs.e);
        within(&format!("{} tensor loss", sc.name), lt, &rt_l, lbt.e);
        within(&format!("{} scalar loss", sc.name), ls, &rt_l, lbs.e);
        let (mut worst_t, mut worst_s) = (0.0f64, 0.0f64);
        for j in 0..n {
            let what = format!("{} d/d{}", sc.name, sc.labels[j]);
            mpfr_agree(&what, &rt[j], &rs[j], bt[j].e + bs[j].e);
            worst_t = worst_t.max(within(&format!("{what} tensor"), gt[j], &rt[j], bt[j].e));
            worst_s = worst_s.max(within(&format!("{what} scalar"), gs[j], &rs[j], bs[j].e));
            // the two f64 tapes, each within its bound of the same reference
            assert!(
                (gt[j] - gs[j]).abs() <= 2.0 * (bt[j].e + bs[j].e),
                "{what}: tensor {:e} vs scalar {:e}",
                gt[j],
                gs[j]
            );
        }
        // the bound is meaningful: far below the gradient, which a wrong rule misses by
        // its own size
        let gmax = gt.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        let emax = bt.iter().fold(0.0f64, |a, v| a.max(v.e));
        assert!(
            emax < 1e-6 * gmax,
            "{}: bound {emax:e} vs |g| {gmax:e}",
            sc.name
        );
        let ulps = (0..n)
            .map(|j| ulps_between(gt[j], gs[j]))
            .max()
            .unwrap_or(0);
        let normwise = (0..n).fold(0.0f64, |a, j| a.max((gt[j] - gs[j]).abs())) / gmax;
        eprintln!(
            "{}: largest error / bound: tensor {worst_t:.3}, scalar {worst_s:.3}; \
             largest bound / largest |g|: {:.1e}; tensor vs scalar: at most {ulps} ulps \
             entrywise, {:.2} eps of the largest entry",
            sc.name,
            emax / gmax,
            normwise / f64::EPSILON
        );
    }
}

/// The hand-derived loss and gradient of a one-layer network (no hidden layer),
/// z_ri = act(a_ri), a_ri = sum_j W_ij x_rj (+ b_i), L = 1/2 sum_ri (z_ri - t_ri)^2:
/// with delta_ri = (z_ri - t_ri) act'(a_ri), where act' is z (1 - z) for the sigmoid,
/// 1 - z^2 for tanh and 1 for the identity,
/// dL/dW_ij = sum_r delta_ri x_rj and dL/db_i = sum_r delta_ri.
fn one_layer_by_hand<S: Scalar>(mlp: &Mlp, p: &[S]) -> (S, Vec<S>) {
    assert_eq!(mlp.layers.len(), 2);
    let (nin, nout) = (mlp.layers[0], mlp.layers[1]);
    let zero = p[0].cst(0.0);
    let mut loss = zero.clone();
    let mut g = vec![zero; p.len()];
    for (x, t) in mlp.x.iter().zip(&mlp.t) {
        for i in 0..nout {
            let mut a = p[i * nin].mul_f(x[0]);
            for j in 1..nin {
                a = a.add(&p[i * nin + j].mul_f(x[j]));
            }
            if mlp.bias {
                a = a.add(&p[nout * nin + i]);
            }
            let z = mlp.output_activation.apply(&a);
            let e = z.sub_f(t[i]);
            loss = loss.add(&e.mul(&e).mul_f(0.5));
            let slope = match mlp.output_activation {
                Activation::Sigmoid => z.mul(&z.rsub_f(1.0)),
                Activation::Tanh => z.mul(&z).rsub_f(1.0),
                Activation::Identity => z.cst(1.0),
            };
            let delta = e.mul(&slope);
            for j in 0..nin {
                g[i * nin + j] = g[i * nin + j].add(&delta.mul_f(x[j]));
            }
            if mlp.bias {
                g[nout * nin + i] = g[nout * nin + i].add(&delta);
            }
        }
    }
    (loss, g)
}

#[test]
fn one_layer_networks_match_the_gradient_derived_by_hand() {
    let cases = [
        (vec![3, 2], Activation::Sigmoid, true, 2),
        (vec![2, 1], Activation::Identity, false, 3),
        (vec![4, 3], Activation::Tanh, true, 1),
    ];
    for (case, (layers, act, bias, rows)) in cases.into_iter().enumerate() {
        let seed = 40 + 3 * case as u64;
        let mut g = derivbench::scenario::rng::SplitMix64::new(seed);
        let mlp = Mlp {
            x: (0..rows).map(|_| g.fill(layers[0], -1.0, 1.0)).collect(),
            t: (0..rows).map(|_| g.fill(layers[1], 0.0, 1.0)).collect(),
            layers,
            activation: act,
            output_activation: act,
            bias,
        };
        let p = g.fill(mlp.n_params(), -1.0, 1.0);
        let (lh, gh) = one_layer_by_hand(&mlp, &p);
        let (lhb, bh) = one_layer_by_hand(&mlp, &bounded(&p));
        let (lhf, rh) = one_layer_by_hand(&mlp, &floats(&p));
        let (lt, gt) = mlp.gradient_tensor(&p);
        let (ltb, bt) = mlp.gradient_tensor(&bounded(&p));
        let (ltf, rt) = mlp.gradient_tensor(&floats(&p));
        assert_eq!(gt.len(), mlp.n_params());
        let what = |s: &str| format!("case {case}: {s}");
        mpfr_agree(&what("loss"), &ltf, &lhf, ltb.e + lhb.e);
        within(&what("tensor loss"), lt, &lhf, ltb.e);
        within(&what("hand loss"), lh, &lhf, lhb.e);
        assert_eq!(mlp.eval_tensor(&p).to_bits(), lt.to_bits());
        for j in 0..gt.len() {
            mpfr_agree(
                &what(&format!("entry {j}")),
                &rt[j],
                &rh[j],
                bt[j].e + bh[j].e,
            );
            within(&what(&format!("tensor entry {j}")), gt[j], &rh[j], bt[j].e);
            within(&what(&format!("hand entry {j}")), gh[j], &rh[j], bh[j].e);
            assert!(gt[j].abs() > 1e-6, "case {case}: entry {j} degenerate");
        }
    }
}

#[test]
fn op_counts_of_the_tensor_tape_stay_within_the_cheap_gradient_bound() {
    let w = Weights::default();
    for sc in network_scenarios() {
        let f = work_function(&sc);
        let xc: Vec<Count> = sc.x.iter().map(|&v| Count(v)).collect();
        let (r, t) = WorkCounter::measure(|| sc.model.gradient_tensor(&xc));
        let (l, g) = r.expect("a network has a tensor form");
        assert_eq!(g.len(), sc.n());
        // on the counting scalar, the naive product folds as the scalar program does
        assert!(l.0.is_finite() && l.0 > 0.0);
        let (s, _) = work_gradient(&sc);
        let ratio = w.time(&t) / w.time(&f);
        let fmt = |x: &Work| format!("({}, {}, {}, {})", x.moves, x.adds, x.mults, x.nlops);
        eprintln!(
            "{}: function {}; tensor gradient {} ratio {ratio:.3}; scalar tape {} ratio {:.3}",
            sc.name,
            fmt(&f),
            fmt(&t),
            fmt(&s),
            w.time(&s) / w.time(&f)
        );
        assert!(ratio <= 4.0, "{}: ratio {ratio}", sc.name);
        // never more work of any kind than the scalar tape
        assert!(t.moves <= s.moves && t.adds <= s.adds, "{}", sc.name);
        assert!(t.mults <= s.mults, "{}", sc.name);
        assert!(t.nlops <= s.nlops, "{}", sc.name);
    }
}

/// For an MLP the tensor program is the scalar program regrouped: the same folds in the
/// same order, so on the counting scalar its forward sweep computes the same loss bit for
/// bit and, by the counting rule, charges exactly the WORK of the plain evaluation.
#[test]
fn mlp_forward_sweep_is_the_scalar_program_regrouped() {
    for sc in network_scenarios() {
        let Model::Mlp(m) = &sc.model else {
            continue;
        };
        let xc: Vec<Count> = sc.x.iter().map(|&v| Count(v)).collect();
        let (l, w) = WorkCounter::measure(|| m.eval_tensor(&xc));
        assert_eq!(w, work_function(&sc), "{}", sc.name);
        assert_eq!(l.0.to_bits(), m.eval(&xc)[0].0.to_bits(), "{}", sc.name);
        let xf = floats(&sc.x);
        assert_eq!(m.eval_tensor(&xf), m.eval(&xf)[0], "{}", sc.name);
    }
}

#[test]
fn only_the_network_families_have_a_tensor_form() {
    for sc in default_suite() {
        let has = sc.model.gradient_tensor(&sc.x).is_some();
        let network = matches!(
            sc.model,
            Model::Mlp(_) | Model::ElmanRnn(_) | Model::GatedRnn(_)
        );
        assert_eq!(has, network, "{}", sc.name);
    }
}
