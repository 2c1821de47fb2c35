//! The MPFR reference settles where precision resolves the derivative, and says
//! "unsettled" where no precision up to the cap does: here the derivative of 5000 steps of
//! the chaotic logistic map, which loses about a bit per step.

use derivbench::measure::{reference_jacobian, RefOptions};
use derivbench::num::Scalar;
use derivbench::scenario::Function;

struct Logistic {
    steps: usize,
}

impl Function for Logistic {
    fn eval<S: Scalar>(&self, x: &[S]) -> Vec<S> {
        let mut v = x[0].clone();
        for _ in 0..self.steps {
            v = v.mul(&v.rsub_f(1.0)).mul_f(4.0);
        }
        vec![v]
    }
}

#[test]
fn chaotic_map_is_reported_unsettled_at_the_cap() {
    let opts = RefOptions::default();
    let r = reference_jacobian(&Logistic { steps: 5000 }, &[0.3], &[0], &opts);
    assert!(!r.settled());
    let e = &r.entries[0][0];
    assert!(!e.settled);
    assert_eq!(e.precision, opts.max_precision);
    assert!(e.agreed_bits < opts.agree_bits);
}

#[test]
fn short_orbit_settles_at_the_first_precision_pair() {
    let r = reference_jacobian(
        &Logistic { steps: 20 },
        &[0.3],
        &[0],
        &RefOptions::default(),
    );
    assert!(r.settled());
    assert_eq!(r.max_precision_used, 512);
}

#[test]
fn orbit_longer_than_the_start_precision_needs_more_bits_and_settles() {
    // about 300 steps lose about 300 bits: 256 and 512 disagree, 1024 and 2048 agree
    let r = reference_jacobian(
        &Logistic { steps: 300 },
        &[0.3],
        &[0],
        &RefOptions::default(),
    );
    assert!(r.settled());
    assert!(r.max_precision_used >= 1024, "{}", r.max_precision_used);
}

#[test]
fn agreement_short_of_the_required_bits_raises_the_precision() {
    // 180 steps leave 256 bits with about 76 correct ones: 256 and 512 agree on more than
    // half the required 100 bits but not on 100, so the loop must go on to 1024, where it
    // agrees on some 330
    let opts = RefOptions::default();
    assert_eq!(opts.agree_bits, 100);
    let r = reference_jacobian(&Logistic { steps: 180 }, &[0.3], &[0], &opts);
    assert!(r.settled());
    assert_eq!(r.max_precision_used, 1024);
    let e = &r.entries[0][0];
    assert!(e.agreed_bits >= 100, "{}", e.agreed_bits);
    // and the pair it passed over agreed on between 50 and 100 bits
    let lo = reference_jacobian(
        &Logistic { steps: 180 },
        &[0.3],
        &[0],
        &RefOptions {
            max_precision: 512,
            ..opts
        },
    );
    let a = lo.entries[0][0].agreed_bits;
    assert!((50..100).contains(&a), "{a}");
}
