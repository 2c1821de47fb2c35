//! One input fanned out to many outputs: y_j = sigmoid(w_j x), the case where forward
//! mode needs one sweep and reverse mode one sweep per output.

use crate::num::Scalar;
use crate::scenario::{Model, Scenario};

/// y_j = sigmoid(w_j x), j = 1..m: n = 1 differentiated input (x), m = `w.len()`
/// outputs; the weights `w` are data, not differentiated.
///
/// The Jacobian is the column dy_j/dx = w_j s_j (1 - s_j) with s_j = sigmoid(w_j x).
#[derive(Clone, Debug)]
pub struct Fanout {
    /// the weights w_1..w_m (data)
    pub w: Vec<f64>,
}

impl Fanout {
    /// The outputs sigmoid(x w_j) at `x = [x]`, in the order of `w`.
    pub fn eval<S: Scalar>(&self, x: &[S]) -> Vec<S> {
        self.w.iter().map(|&wj| x[0].mul_f(wj).sigmoid()).collect()
    }

    /// The family, its point `[x]` and its label `["x"]`, for a loader that builds the
    /// [`Scenario`] itself. Assumes `w` is not empty.
    pub fn new(x: f64, w: Vec<f64>) -> (Self, Vec<f64>, Vec<String>) {
        (Fanout { w }, vec![x], vec!["x".to_string()])
    }

    /// The scenario at `x` with weights `w`.
    pub fn scenario(name: &str, description: &str, x: f64, w: Vec<f64>) -> Scenario {
        let (model, point, labels) = Fanout::new(x, w);
        Scenario::new(name, description, Model::Fanout(model), point, labels)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::families::testutil::{assert_methods_agree, jacobians, Measure};

    fn sample() -> Scenario {
        Fanout::scenario("fanout-test", "test", 0.4, vec![1.0, -2.0, 0.5, 2.5, -0.25])
    }

    #[test]
    fn shape_is_m_by_one() {
        let s = sample();
        assert_eq!((s.m, s.n()), (5, 1));
        assert_eq!(s.labels, vec!["x"]);
        assert_eq!(s.family(), "fanout");
        let j = jacobians(&s);
        for jac in [&j.forward, &j.reverse, &j.mpfr] {
            assert_eq!(jac.len(), 5);
            assert!(jac.iter().all(|row| row.len() == 1));
        }
    }

    /// A worst-case bound, in units of u = 2^-53, on the relative error of an entry
    /// w_j s (1 - s) computed in f64, for |w_j x| <= 1.2 (x = 0.4, |w_j| <= 2.5): the computed s carries at
    /// most about 4 u (the product w_j x, exp, the addition, the division); 1 - s
    /// magnifies it by s / (1 - s) <= exp(1.2) < 3.33 and adds one rounding; the two
    /// products add two more: 4 + 4 * 3.33 + 3 = 20.3.
    const BOUND_U: f64 = 20.3;

    #[test]
    fn hand_derived_column() {
        // dy_j/dx = w_j s (1 - s) with s = sigmoid(w_j x); the reference, at 256 bits and
        // rounded (within u), must agree with this f64 formula (within BOUND_U u)
        let s = sample();
        let j = jacobians(&s);
        let x = s.x[0];
        let Model::Fanout(f) = &s.model else {
            unreachable!()
        };
        let tol = (BOUND_U + 1.0) * f64::EPSILON / 2.0;
        for (row, &wj) in j.mpfr.iter().zip(&f.w) {
            assert!((wj * x).abs() <= 1.2);
            let sj = 1.0 / (1.0 + (-(wj * x)).exp());
            let want = wj * sj * (1.0 - sj);
            assert!(
                (row[0] - want).abs() <= tol * want.abs(),
                "{} vs {want}",
                row[0]
            );
        }
    }

    #[test]
    fn forward_reverse_and_mpfr_agree() {
        // A relative error e is fewer than e / u ulps (an ulp is more than u relative):
        // log2(1 + 20.3) = 4.4 bits. A wrong derivative is off in its leading bits.
        assert_methods_agree(&sample(), (1.0 + BOUND_U).log2(), Measure::Entrywise);
    }
}
