//! Sum of squares, product of inputs and the single-layer perceptron.

use crate::num::Scalar;
use crate::scenario::{Model, Scenario};

/// f(x) = sum_i x_i^2 (the lecture's finite-difference example).
#[derive(Clone, Debug, Default)]
pub struct SumOfSquares;

impl SumOfSquares {
    /// sum of x_i^2, summed left to right.
    pub fn eval<S: Scalar>(&self, x: &[S]) -> Vec<S> {
        let mut acc = x[0].powi(2);
        for xi in &x[1..] {
            acc = acc.add(&xi.powi(2));
        }
        vec![acc]
    }

    /// n inputs at x_i = i.
    pub fn scenario(name: &str, n: usize) -> Scenario {
        Scenario::new(
            name,
            &format!("sum of x_i^2 at x_i = i, n = {n}"),
            Model::SumOfSquares(SumOfSquares),
            (1..=n).map(|i| i as f64).collect(),
            (1..=n).map(|i| format!("x[{i}]")).collect(),
        )
    }
}

/// f(x) = prod_i x_i.
#[derive(Clone, Debug, Default)]
pub struct Product;

impl Product {
    /// product of x_i, left to right.
    pub fn eval<S: Scalar>(&self, x: &[S]) -> Vec<S> {
        let mut acc = x[0].clone();
        for xi in &x[1..] {
            acc = acc.mul(xi);
        }
        vec![acc]
    }
}

/// y = sigma(sum_i w_i x_i), differentiated with respect to w.
#[derive(Clone, Debug)]
pub struct Perceptron {
    /// the inputs x (data)
    pub x: Vec<f64>,
    /// the activation
    pub activation: super::Activation,
}

impl Perceptron {
    /// The lecture's trace: v_i = x_i w_i, summed left to right, then the activation.
    pub fn eval<S: Scalar>(&self, w: &[S]) -> Vec<S> {
        let mut acc = w[0].mul_f(self.x[0]);
        for (wi, &xi) in w[1..].iter().zip(&self.x[1..]) {
            acc = acc.add(&wi.mul_f(xi));
        }
        vec![self.activation.apply(&acc)]
    }

    /// The lecture's three-input perceptron with sigmoid, at a fixed point.
    pub fn scenario() -> Scenario {
        Scenario::new(
            "perceptron",
            "y = sigmoid(w1 x1 + w2 x2 + w3 x3), gradient with respect to w",
            Model::Perceptron(Perceptron {
                x: vec![1.0, -2.0, 0.5],
                activation: super::Activation::Sigmoid,
            }),
            vec![0.5, 0.25, -1.0],
            vec!["w1".into(), "w2".into(), "w3".into()],
        )
    }
}
