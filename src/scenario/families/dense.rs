//! A dense Jacobian: y = tanh(A x + b) with seeded A and b, where every entry of the
//! m x n Jacobian is nonzero.

use crate::num::Scalar;
use crate::scenario::rng::SplitMix64;
use crate::scenario::{Model, Scenario};

/// y = tanh(A x + b), differentiated with respect to x: n inputs, m outputs, Jacobian
/// dy_i/dx_j = (1 - y_i^2) A_ij.
///
/// Seeded data: A (m x n), b (m) and the point x (n) are drawn from
/// `SplitMix64::new(seed)` in this order: A row-major (row i, column j), each entry a
/// draw u uniform in [-1, 1) times 1/sqrt(n), computed as `u * (1.0 / (n as f64).sqrt())`
/// (the product with the rounded reciprocal, which is not always the quotient
/// u / sqrt(n) rounded); then b_1..b_m uniform in [-0.5, 0.5); then
/// x_1..x_n uniform in [-1, 1). The pre-activations are then of order 1, so tanh is
/// neither linear nor saturated.
#[derive(Clone, Debug)]
pub struct DenseJacobian {
    /// A, m rows of n entries (data)
    pub a: Vec<Vec<f64>>,
    /// b, m entries (data)
    pub b: Vec<f64>,
}

impl DenseJacobian {
    /// y_i = tanh(A_i1 x_1 + ... + A_in x_n + b_i), the sum a left fold in the order
    /// written.
    pub fn eval<S: Scalar>(&self, x: &[S]) -> Vec<S> {
        self.a
            .iter()
            .zip(&self.b)
            .map(|(row, &bi)| {
                let mut acc = x[0].mul_f(row[0]);
                for (xj, &aij) in x[1..].iter().zip(&row[1..]) {
                    acc = acc.add(&xj.mul_f(aij));
                }
                acc.add_f(bi).tanh()
            })
            .collect()
    }

    /// The family drawn from `seed`, the point x and its labels `x[1]`..`x[n]`, for a
    /// loader that builds the [`Scenario`] itself. Assumes n, m >= 1.
    pub fn new(n: usize, m: usize, seed: u64) -> (Self, Vec<f64>, Vec<String>) {
        let mut g = SplitMix64::new(seed);
        let scale = 1.0 / (n as f64).sqrt();
        let a = (0..m)
            .map(|_| {
                (0..n)
                    .map(|_| g.uniform(-1.0, 1.0) * scale)
                    .collect::<Vec<f64>>()
            })
            .collect();
        let b = g.fill(m, -0.5, 0.5);
        let x = g.fill(n, -1.0, 1.0);
        let labels = (1..=n).map(|j| format!("x[{j}]")).collect();
        (DenseJacobian { a, b }, x, labels)
    }

    /// The scenario with n inputs and m outputs drawn from `seed`.
    pub fn scenario(name: &str, description: &str, n: usize, m: usize, seed: u64) -> Scenario {
        let (model, x, labels) = DenseJacobian::new(n, m, seed);
        Scenario::new(name, description, Model::DenseJacobian(model), x, labels)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::families::testutil::{assert_methods_agree, jacobians, Measure};

    #[test]
    fn shape_and_labels() {
        let s = DenseJacobian::scenario("dense-test", "test", 7, 3, 11);
        assert_eq!((s.m, s.n()), (3, 7));
        assert_eq!(s.labels[0], "x[1]");
        assert_eq!(s.labels[6], "x[7]");
        assert_eq!(s.family(), "dense-jacobian");
        let j = jacobians(&s);
        for jac in [&j.forward, &j.reverse, &j.mpfr] {
            assert_eq!(jac.len(), 3);
            assert!(jac.iter().all(|r| r.len() == 7));
        }
    }

    #[test]
    fn seeded_data_is_reproducible() {
        let (m1, x1, _) = DenseJacobian::new(5, 4, 42);
        let (m2, x2, _) = DenseJacobian::new(5, 4, 42);
        let bits = |v: &[f64]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&x1), bits(&x2));
        assert_eq!(bits(&m1.b), bits(&m2.b));
        for (r1, r2) in m1.a.iter().zip(&m2.a) {
            assert_eq!(bits(r1), bits(r2));
        }
        // the documented order: A row-major, then b, then x
        let mut g = SplitMix64::new(42);
        assert_eq!(m1.a[0][0], g.uniform(-1.0, 1.0) * (1.0 / 5f64.sqrt()));
        let (_, x3, _) = DenseJacobian::new(5, 4, 43);
        assert_ne!(bits(&x1), bits(&x3));
    }

    /// Every seeded value is the documented draw, in the documented order: A's entries
    /// u * (1 / sqrt(n)) with the reciprocal rounded once, which for n = 5 differs from
    /// the quotient u / sqrt(n) in some entries (so a description as the quotient names
    /// other data), then b, then x.
    #[test]
    fn every_seeded_value_is_the_documented_draw() {
        let (n, m, seed) = (5, 9, 42);
        let (d, x, _) = DenseJacobian::new(n, m, seed);
        let mut g = SplitMix64::new(seed);
        let s = 1.0 / (n as f64).sqrt();
        let mut quotients_differ = 0;
        for row in &d.a {
            for &aij in row {
                let u = g.uniform(-1.0, 1.0);
                assert_eq!(aij.to_bits(), (u * s).to_bits());
                quotients_differ += usize::from(aij != u / (n as f64).sqrt());
            }
        }
        assert!(quotients_differ > 0);
        for &bi in &d.b {
            assert_eq!(bi.to_bits(), g.uniform(-0.5, 0.5).to_bits());
        }
        for &xj in &x {
            assert_eq!(xj.to_bits(), g.uniform(-1.0, 1.0).to_bits());
        }
    }

    /// Unit roundoff of f64.
    const U: f64 = f64::EPSILON / 2.0;

    /// A worst-case bound, in units of u, on the relative error of an entry computed in
    /// f64 (by forward mode, reverse mode, or the formula (1 - v^2) A_ij), when every
    /// |y_i| < 0.9.
    ///
    /// Entry (i, j) is (1 - v^2) A_ij with v = tanh(z), z = sum_j A_ij x_j + b_i. The
    /// tangent (or adjoint) of the sum is exactly A_ij (the other terms contribute exact
    /// zeros), so the error comes through v alone:
    /// - the sum of n + 1 rounded terms has absolute error at most (n + 1) u S, with
    ///   S = sum |A_ij x_j| + |b_i| <= sqrt(n) + 0.5; since d(1 - v^2)/dz =
    ///   -2 v (1 - v^2), it becomes a relative error of 2 |v| (n + 1) u S in 1 - v^2;
    /// - tanh (at most 2 ulps, i.e. 4 u |v|) and v^2 (u v^2) are magnified in 1 - v^2 by
    ///   2 v^2 / (1 - v^2) and v^2 / (1 - v^2), at most 8.53 and 4.27: 38.4 u;
    /// - 1 - v^2 and the product with A_ij: 2 u.
    fn bound_u(n: usize) -> f64 {
        let n = n as f64;
        2.0 * 0.9 * (n + 1.0) * (n.sqrt() + 0.5) + 38.4 + 2.0
    }

    #[test]
    fn entries_are_one_minus_y_squared_times_a() {
        let s = DenseJacobian::scenario("dense-test", "test", 6, 5, 3);
        let Model::DenseJacobian(d) = &s.model else {
            unreachable!()
        };
        let y = d.eval(&s.x);
        let j = jacobians(&s);
        // the f64 formula is within bound_u(6) u (about 77 u) of the exact value, the
        // rounded reference within u
        let tol = (bound_u(6) + 1.0) * U;
        for (i, row) in j.mpfr.iter().enumerate() {
            assert!(y[i].abs() < 0.9, "tanh not saturated");
            for (k, &v) in row.iter().enumerate() {
                let want = (1.0 - y[i] * y[i]) * d.a[i][k];
                assert!(want != 0.0);
                assert!((v - want).abs() <= tol * want.abs(), "{v} vs {want}");
            }
        }
    }

    #[test]
    fn forward_reverse_and_mpfr_agree() {
        // A relative error e is fewer than e / u ulps (an ulp is more than u relative),
        // so the bound is log2(1 + bound_u(n)) bits: 7.9 bits for n = 20 in the worst
        // case; rounding errors of a sum typically grow like sqrt(n), about 4 bits.
        let s = DenseJacobian::scenario("dense-test", "test", 20, 15, 7);
        let Model::DenseJacobian(d) = &s.model else {
            unreachable!()
        };
        assert!(
            d.eval(&s.x).iter().all(|y| y.abs() < 0.9),
            "tanh not saturated"
        );
        assert_methods_agree(&s, (1.0 + bound_u(20)).log2(), Measure::Entrywise);
    }
}
