//! The lecture's worked examples, checked on the implementation: the perceptron's
//! gradient x_i * sigma'(v4), the 3-2-2-1 network's tangent for w11 against reverse mode
//! and the reference, and sum of squares at n = 1000 where AD is exact and forward
//! differences at the textbook step are not.

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
    // 2^-24 ~ 6e-8, larger than the true change 2h ~ 3e-8, so the quotient is a multiple
    // of ulp(f)/h: here 0 or about 4, never near the true 2.
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
