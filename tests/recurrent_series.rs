//! The recurrent series: which scenarios have one, which steps it covers, and that a
//! shorter series is the same network with its sequence cut.

use derivbench::ad::Tape;
use derivbench::measure::recurrent::{recurrent_series, recurrent_series_with, DEFAULT_STEPS};
use derivbench::measure::{reference_jacobian, RefOptions};
use derivbench::num::bits_err;
use derivbench::scenario::{Activation, ElmanRnn, GatedRnn, Scenario, SumOfSquares};

fn elman(steps: usize) -> Scenario {
    ElmanRnn::scenario("elman", "test", 3, 4, 2, steps, Activation::Tanh, 5)
}

fn gated(steps: usize) -> Scenario {
    GatedRnn::scenario("gated", "test", 3, 4, steps, 6)
}

#[test]
fn other_families_have_no_series() {
    let s = SumOfSquares::scenario("sos", 10);
    assert!(recurrent_series(&s, &DEFAULT_STEPS).is_empty());
}

#[test]
fn steps_beyond_the_sequence_are_left_out() {
    for s in [elman(20), gated(20)] {
        let p = recurrent_series(&s, &[0, 1, 5, 20, 50]);
        let steps: Vec<usize> = p.iter().map(|q| q.steps).collect();
        assert_eq!(steps, vec![1, 5, 20], "{}", s.name);
    }
}

#[test]
fn a_shorter_series_is_the_network_rebuilt_with_fewer_steps() {
    for (long, short) in [(elman(20), elman(5)), (gated(20), gated(5))] {
        let a = recurrent_series(&long, &[5]);
        let b = recurrent_series(&short, &[5]);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].steps, 5);
        assert_eq!(a[0].grad_h0_norm.to_bits(), b[0].grad_h0_norm.to_bits());
        assert_eq!(a[0].ad_bits.to_bits(), b[0].ad_bits.to_bits());
        assert_eq!(a[0].fd_bits.to_bits(), b[0].fd_bits.to_bits());
    }
}

#[test]
fn reverse_mode_is_accurate_and_central_differences_are_not() {
    for s in [elman(50), gated(50)] {
        let p = recurrent_series(&s, &DEFAULT_STEPS);
        assert_eq!(p.len(), 6, "{}: T = 100 is beyond the sequence", s.name);
        for q in &p {
            eprintln!("{} {:?}", s.name, q);
            assert!(q.grad_h0_norm.is_finite() && q.grad_h0_norm > 0.0, "{q:?}");
            // the bound of the families' own tests: log2(1 + 4 K) for K tape entries,
            // at most about 14 bits for these sizes
            assert!(q.ad_bits <= 16.0, "{q:?}");
            assert!(q.fd_bits > q.ad_bits && q.fd_bits < 52.0, "{q:?}");
        }
    }
}

/// The worst bits of error of reverse mode over the weight gradient of `sc`'s own loss,
/// the sum of every step's loss.
fn reverse_bits(sc: &Scenario) -> f64 {
    let tape = Tape::new();
    let xs = tape.vars(&sc.x);
    let y = sc.eval(&xs).remove(0);
    let g = tape.gradient(&y, &xs);
    let cols: Vec<usize> = (0..sc.n()).collect();
    let r = reference_jacobian(&sc.model, &sc.x, &cols, &RefOptions::default());
    g.iter()
        .zip(&r.entries[0])
        .map(|(v, e)| bits_err(*v, e.to_f64()))
        .fold(0.0, f64::max)
}

/// The AD error of each point is that of the gradient of the loss summed over its T
/// steps, the function of the network rebuilt with T steps, as the figure's reading
/// says (not that of the last step's loss L_T, whose gradient with respect to h_0 the
/// point's norm is).
#[test]
fn the_ad_error_is_that_of_the_loss_over_every_step() {
    for t in [1, 5, 20] {
        let long = recurrent_series(&elman(20), &[t]);
        assert_eq!(long[0].ad_bits.to_bits(), reverse_bits(&elman(t)).to_bits());
        let long = recurrent_series(&gated(20), &[t]);
        assert_eq!(long[0].ad_bits.to_bits(), reverse_bits(&gated(t)).to_bits());
    }
}

#[test]
fn the_series_starts_from_the_scenario_s_own_precision() {
    // L_T = L(T) - L(T - 1) cancels nearly all of L's slope in h_0: at T = 100 a
    // reference held to 64 bits (which compares 64 with 128 and stops) reads another
    // f64 than one from 256 bits up. So the scenario's precision is the series' start,
    // and the options given are the series' own
    let capped = RefOptions {
        max_precision: 64,
        ..RefOptions::default()
    };
    let mut low = elman(100);
    low.precision = 64;
    let a = recurrent_series_with(&low, &[100], &capped);
    let b = recurrent_series_with(&elman(100), &[100], &RefOptions::default());
    let c = recurrent_series(&elman(100), &[100]);
    assert_eq!(b[0].grad_h0_norm.to_bits(), c[0].grad_h0_norm.to_bits());
    assert_ne!(a[0].grad_h0_norm.to_bits(), b[0].grad_h0_norm.to_bits());
}
