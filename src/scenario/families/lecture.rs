//! The lecture's two-input example, written exactly as its evaluation trace:
//! v1 = x1/x2, v2 = sin v1, v3 = exp x2, v4 = v1 - v3, v5 = v2 + v4, v6 = v5 * v4.

use crate::num::Scalar;
use crate::scenario::{Model, Scenario};

/// f(x1, x2) = [sin(x1/x2) + x1/x2 - exp(x2)] * [x1/x2 - exp(x2)].
#[derive(Clone, Debug, Default)]
pub struct Lecture;

impl Lecture {
    /// y = v6 of the lecture's trace.
    pub fn eval<S: Scalar>(&self, x: &[S]) -> Vec<S> {
        let v1 = x[0].div(&x[1]);
        let v2 = v1.sin();
        let v3 = x[1].exp();
        let v4 = v1.sub(&v3);
        let v5 = v2.add(&v4);
        vec![v5.mul(&v4)]
    }

    /// The scenario at the lecture's point (1.5, 0.5).
    pub fn scenario() -> Scenario {
        Scenario::new(
            "lecture-example",
            "[sin(x1/x2) + x1/x2 - exp(x2)] * [x1/x2 - exp(x2)] at (1.5, 0.5)",
            Model::Lecture(Lecture),
            vec![1.5, 0.5],
            vec!["x1".into(), "x2".into()],
        )
    }
}
