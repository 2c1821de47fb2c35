//! Forward mode's guard against 0 * inf (a tangent of exactly 0 times an infinite
//! partial stays 0) runs where a tangent comes out NaN, and only there, and each run is
//! counted by `ad::guard_runs`. This file holds one test, so that its process counts
//! nothing else.

use derivbench::ad::{guard_runs, Dual};
use derivbench::num::Scalar;

#[test]
fn each_guarded_elemental_is_counted_once_and_no_other() {
    let start = guard_runs();
    // d/dx of x y at (1.5, 2): no NaN anywhere, no guard
    let (x, y) = (Dual::new(1.5, 1.0), Dual::new(2.0, 0.0));
    let p = x.mul(&y);
    assert_eq!((p.v, p.d), (3.0, 2.0));
    assert_eq!(guard_runs(), start);

    // sqrt(x - x) at x = 1: x - x has tangent 0, sqrt's slope at 0 is infinite; the
    // univariate guard keeps the tangent at 0, once
    let x = Dual::new(1.0, 1.0);
    let r = x.sub(&x).sqrt();
    assert_eq!((r.v, r.d.to_bits()), (0.0, 0.0f64.to_bits()));
    assert_eq!(guard_runs(), start + 1);

    // u w at u = 1 (tangent 0), w = inf (tangent 1): udot w = 0 * inf, kept at 0 by the
    // bivariate guard, plus u wdot = 1; once more
    let (u, w) = (Dual::new(1.0, 0.0), Dual::new(f64::INFINITY, 1.0));
    let q = u.mul(&w);
    assert_eq!((q.v, q.d), (f64::INFINITY, 1.0));
    assert_eq!(guard_runs(), start + 2);

    // a NaN that is not 0 * inf stays NaN, and the guard still ran
    let z = Dual::new(f64::NAN, 1.0).exp();
    assert!(z.v.is_nan() && z.d.is_nan());
    assert_eq!(guard_runs(), start + 3);
}
