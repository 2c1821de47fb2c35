//! The lecture's worked examples, checked on the implementation: the perceptron's
//! gradient x_i * sigma'(v4), the 3-2-2-1 network's tangent for w11 against reverse mode
//! and the reference, and sum of squares at n = 1000 where AD is exact and forward
//! differences at the textbook step are not (and why the quotient is 0 there).

mod common;

use common::assert_close;
use derivbench::ad::{jacobian_forward, jacobian_forward_vector, seeded, Dual, Tape};
use derivbench::fd::{fd_column, FdKind, Stencil};
use derivbench::measure::{reference_jacobian, RefOptions};
use derivbench::num::Scalar;
use derivbench::scenario::{Lecture, Mlp, Model, Perceptron, Scenario, SumOfSquares};
use rug::Float;

fn reverse_gradient(sc: &Scenario) -> Vec<f64> {
    let tape = Tape::new();
    let xs = tape.vars(&sc.x);
    let y = sc.eval(&xs).remove(0);
    tape.gradient(&y, &xs)
}

#[test]
fn perceptron_gradient_is_x_i_times_sigma_prime_of_v4() {
    let sc = Perceptron::scenario();
    let Model::Perceptron(p) = &sc.model else {
        unreachable!()
    };
    // sigma'(v4) in MPFR, rounded once
    let w: Vec<Float> = sc.x.iter().map(|&v| Float::with_val(256, v)).collect();
    let mut v4 = w[0].mul_f(p.x[0]);
    for (wi, &xi) in w[1..].iter().zip(&p.x[1..]) {
        v4 = v4.add(&wi.mul_f(xi));
    }
    let s = v4.sigmoid();
    let ds = s.mul(&s.rsub_f(1.0));
    let g = reverse_gradient(&sc);
    for (i, (gi, &xi)) in g.iter().zip(&p.x).enumerate() {
        let want = ds.mul_f(xi).to_f64();
        assert_close(*gi, want, 4, &format!("dy/dw{}", i + 1));
    }
}

#[test]
fn seed_mlp_tangent_for_w11_equals_reverse_gradient_and_reference() {
    let sc = Mlp::seed_mlp();
    assert_eq!(sc.n(), 3 * 2 + 2 * 2 + 2);
    assert_eq!(sc.labels[0], "W1[1,1]");
    let fwd = jacobian_forward(|x: &[Dual<f64>]| sc.eval(x), &sc.x, &[0])[0][0];
    let rev = reverse_gradient(&sc)[0];
    let r = reference_jacobian(&sc.model, &sc.x, &[0], &RefOptions::default());
    assert!(r.settled());
    let want = r.entries[0][0].to_f64();
    assert_close(fwd, want, 4, "forward d L / d w11");
    assert_close(rev, want, 4, "reverse d L / d w11");

    // the lecture's forward table for w11: vdot1 = x1, vdot2 = 0, vdot3 = v3 (1 - v3) x1
    let tape: Tape<Dual<f64>> = Tape::new();
    let x: Vec<Dual<f64>> = seeded(&sc.x, 0);
    let xs = tape.vars(&x);
    let _ = sc.eval(&xs);
    let nodes = tape.nodes();
    let Model::Mlp(m) = &sc.model else {
        unreachable!()
    };
    let x1 = m.x[0][0];
    // the first unit's net input v1 = sum_i w1i x_i is the first Add after the products
    let v1 = nodes
        .iter()
        .find(|n| n.kind == derivbench::ad::NodeKind::Add)
        .expect("v1");
    assert_eq!(v1.value.d, x1);
    let v3 = nodes
        .iter()
        .find(|n| n.kind == derivbench::ad::NodeKind::Sigmoid)
        .expect("v3");
    let s = v3.value.v;
    assert_close(v3.value.d, s * (1.0 - s) * x1, 2, "vdot3 = v3 (1 - v3) x1");
}

#[test]
fn sum_of_squares_ad_is_exactly_2i_and_textbook_forward_difference_is_not() {
    let sc = SumOfSquares::scenario("sum-of-squares-1000", 1000);
    let rev = reverse_gradient(&sc);
    for (i, g) in rev.iter().enumerate() {
        assert_eq!(*g, 2.0 * (i + 1) as f64, "reverse d/dx{}", i + 1);
    }
    let cols: Vec<usize> = vec![0, 499, 999];
    let fwd = jacobian_forward(|x: &[Dual<f64>]| sc.eval(x), &sc.x, &cols);
    let fwdv = jacobian_forward_vector(|x| sc.eval(x), &sc.x, &cols);
    for (k, &j) in cols.iter().enumerate() {
        assert_eq!(fwd[k][0], 2.0 * (j + 1) as f64);
        assert_eq!(fwdv[k][0], 2.0 * (j + 1) as f64);
    }

    // forward difference at the textbook step h = sqrt(eps) on x_1: f ~ 3.3e8 has an ulp of
    // 2^-24 ~ 6e-8, and both values of f lie in [2^28, 2^29), so the quotient is a
    // multiple of ulp(f)/h = 4, never near the true 2.
    let st = Stencil::new(FdKind::Forward, 1.0, FdKind::Forward.textbook_step(1.0));
    let fd = fd_column(&|x: &[f64]| sc.eval(x), &sc.x, 0, &st)[0];
    let ulp_f = 2f64.powi(-24);
    assert_eq!(
        fd % (ulp_f / st.h),
        0.0,
        "fd = {fd} is a whole number of ulp(f)/h"
    );
    assert!((fd - 2.0).abs() >= 1.0, "fd = {fd}");
}

/// README, "Where the lecture and the measurement differ": the textbook forward quotient
/// on x_1 of sum of squares at n = 1000 is 0 because of the order of the summation, not
/// because the change of f is below half an ulp. The exact change is 2^-25 + 2^-52, just
/// above half an ulp (2^-25): correctly rounded, f(x + h e_1) is f(x) + ulp and the
/// quotient 4. Summed left to right, x_1^2 = 1 + 2^-25 + 2^-52 is exact, adding 4 drops
/// the 2^-52, and the 2^-25 left is an exact tie from the partial sum that passes 2^28
/// (i = 930) on, which rounds to the even integer. The oracle is exact arithmetic in
/// MPFR; the quotient is never negative, since rounded summation is monotone in x_1.
#[test]
fn the_textbook_forward_quotient_of_sum_of_squares_is_0_by_the_summation_order() {
    const P: u32 = 256;
    let sc = SumOfSquares::scenario("sum-of-squares-1000", 1000);
    let h = FdKind::Forward.textbook_step(1.0);
    assert_eq!(h, 2f64.powi(-26));
    let st = Stencil::new(FdKind::Forward, 1.0, h);
    assert_eq!((st.hi, st.h), (1.0 + h, h));
    let f = |x1: f64| {
        let mut x = sc.x.clone();
        x[0] = x1;
        sc.eval(&x)[0]
    };
    let (fx, fh) = (f(1.0), f(st.hi));
    // f(x) = n(n + 1)(2n + 1)/6, exact; ulp 2^-24
    assert_eq!(fx, 333_833_500.0);
    assert_eq!(fx.to_bits() + 1, (fx + 2f64.powi(-24)).to_bits());
    // the quotient as the program computes it: exactly 0
    assert_eq!(
        fd_column(&|x: &[f64]| sc.eval(x), &sc.x, 0, &st)[0].to_bits(),
        0
    );
    assert_eq!(fh, fx);
    // the exact f(x + h e_1) - f(x): 2^-25 + 2^-52, above half an ulp
    let exact = |x1: f64| {
        let mut acc = Float::with_val(P, Float::with_val(P, x1).square());
        for i in 2..=1000u32 {
            acc += i * i;
        }
        acc
    };
    let change = Float::with_val(P, exact(st.hi) - exact(1.0));
    let want = Float::with_val(P, Float::i_exp(1, -25)) + Float::with_val(P, Float::i_exp(1, -52));
    assert_eq!(change, want);
    // correctly rounded, the quotient is 4: an error of +2 against the program's -2
    let rounded = exact(st.hi).to_f64();
    assert_eq!(rounded, fx + 2f64.powi(-24));
    assert_eq!((rounded - fx) / st.h, 4.0);
    // where the 2^-25 goes: the f64 partial sums of x_1^2 + 4 + 9 + ... against the
    // integer partial sums; the fraction is 2^-25 + 2^-52 at i = 1, 2^-25 from i = 2
    // (adding 4) to 929, and 0 from i = 930, the first partial sum at or above 2^28
    let mut acc = st.hi * st.hi;
    let mut integer: u64 = 1;
    let fraction = |acc: f64, integer: u64| Float::with_val(P, Float::with_val(P, acc) - integer);
    assert_eq!(fraction(acc, integer), want);
    for i in 2..=1000u64 {
        acc += (i * i) as f64;
        integer += i * i;
        let expected = if i < 930 { 2f64.powi(-25) } else { 0.0 };
        assert_eq!(fraction(acc, integer), expected, "i = {i}");
        assert_eq!(integer >= 1 << 28, i >= 930, "i = {i}");
    }
    // monotone: a larger x_1 never gives a smaller rounded sum, so no step gives a
    // negative quotient
    for k in 1..=60 {
        let st = Stencil::new(FdKind::Forward, 1.0, 2f64.powi(-k));
        if st.usable() {
            assert!(f(st.hi) >= fx, "h = 2^-{k}");
        }
    }
}

/// docs/methods.md, the error model on sum of squares (n = 1000, on x_1): the measured
/// best error is below the model's because f(x) is exact and the one rounded value,
/// f(x + h e_1), rounds by at most 3.97e-8 over a fine sweep (1000 steps per decade from
/// 1e-1 to 1e-8), against the model's 2u|f| = 7.41e-8; with ulp(f)/2 in its place the
/// model's optimum is 3.45e-4 at 1.73e-4, and the decade step 1e-4 measures 3.32e-4,
/// its rounding 2.32e-8 below ulp(f)/2. The oracle is exact arithmetic in MPFR; the
/// figures are checked as the doc prints them, to three significant digits.
#[test]
fn the_error_model_on_sum_of_squares_charges_more_rounding_than_there_is() {
    const P: u32 = 256;
    let sc = SumOfSquares::scenario("sum-of-squares-1000", 1000);
    let f = |x1: f64| {
        let mut x = sc.x.clone();
        x[0] = x1;
        sc.eval(&x)[0]
    };
    // f(x) = sum i^2, exact: every partial sum is an integer
    let sum: u64 = (1..=1000u64).map(|i| i * i).sum();
    let fx = f(1.0);
    assert_eq!(fx, sum as f64);
    // the rounding error of f64's f(x + h e_1) against the exact hi^2 + sum_{i>1} i^2
    let rounding = |hi: f64| {
        let exact = Float::with_val(P, Float::with_val(P, hi).square() + (sum - 1));
        Float::with_val(P, Float::with_val(P, f(hi)) - exact)
            .abs()
            .to_f64()
    };
    let sig = |x: f64| format!("{x:.2e}");
    let u = f64::EPSILON / 2.0;
    assert_eq!(sig(2.0 * u * fx), "7.41e-8");
    let worst = derivbench::fd::step_sweep(1e-1, 1e-8, 1000)
        .into_iter()
        .map(|h| rounding(Stencil::new(FdKind::Forward, 1.0, h).hi))
        .fold(0.0, f64::max);
    assert_eq!(sig(worst), "3.97e-8");
    // the model with one correctly rounded value: E(h) = h + c / h (f'' = 2), c = ulp/2
    let c = 2f64.powi(-25);
    assert_eq!(
        (sig(c.sqrt()), sig(2.0 * c.sqrt())),
        ("1.73e-4".into(), "3.45e-4".into())
    );
    assert_eq!(sig(1e-4 + c / 1e-4), "3.98e-4");
    // the classic model: h* = 2 sqrt(u|f| / |f''|), E* = 2 sqrt(u |f| |f''|)
    assert_eq!(sig(2.0 * (u * fx / 2.0).sqrt()), "2.72e-4");
    assert_eq!(sig(2.0 * (u * fx * 2.0).sqrt()), "5.45e-4");
    // measured at the decade step 1e-4: both parts have the same sign
    let st = Stencil::new(FdKind::Forward, 1.0, 1e-4);
    let q = fd_column(&|x: &[f64]| sc.eval(x), &sc.x, 0, &st)[0];
    assert_eq!(sig(q - 2.0), "3.32e-4");
    assert_eq!(sig(rounding(st.hi)), "2.32e-8");
    assert!(rounding(st.hi) < c);
}

#[test]
fn lecture_formula_gradient_matches_between_modes_and_reference() {
    let sc = Lecture::scenario();
    let r = reference_jacobian(&sc.model, &sc.x, &[0, 1], &RefOptions::default());
    let g = reverse_gradient(&sc);
    let f = jacobian_forward(|x: &[Dual<f64>]| sc.eval(x), &sc.x, &[0, 1]);
    for j in 0..2 {
        assert_close(g[j], r.entries[0][j].to_f64(), 2, "reverse");
        assert_close(f[j][0], r.entries[0][j].to_f64(), 2, "forward");
    }
}

/// The summary's reading of the lecture's error analysis for sum of squares at n = 1000:
/// the rounding bound n^3/3 sqrt(eps) at the three epsilons (mpmath: 333333333.33 x
/// 2^-26, 2^-26.5 and 2^-27), and the measured quotient 0 at the textbook step.
#[test]
fn the_summary_states_the_lecture_bound_at_each_epsilon_and_the_measured_quotient() {
    use derivbench::measure::Method;
    use derivbench::run::{run_all, RunOptions};
    let sc = SumOfSquares::scenario("sum-of-squares-1000", 1000);
    let mut opts = RunOptions {
        wall_budget: std::time::Duration::ZERO,
        ..RunOptions::default()
    };
    opts.accuracy.methods = vec![Method::FdForward];
    opts.accuracy.quick = true;
    let r = run_all(&[sc], &opts, Vec::new(), &|_| {});
    let text = derivbench::report::summary::render(&r);
    assert!(
        text.contains(
            "the bound is 4.967 (3.512 with the unit roundoff 2^-53, 2.484 with the lecture's \
             own eps = 2^-54, about 10^-16). Measured: the quotient is 0 at h = "
        ),
        "{text}"
    );
}
