//! Scenarios: a function written once, generically over [`Scalar`], with the point at
//! which it is differentiated and the settings of the run.
//!
//! The built-in families live under `families/`; each is a struct holding the data
//! that is not differentiated, with an `eval<S: Scalar>(&self, x)` over the
//! differentiated inputs. [`Model`] gathers them so that every method can run any
//! scenario through one generic call, [`Model::eval`].

pub mod expr;
pub mod families;
pub mod file;
pub mod rng;

use crate::num::Scalar;
pub use families::{Activation, Lecture, Mlp, Perceptron, Product, SumOfSquares};
pub use families::{DenseJacobian, ElmanRnn, Fanout, GatedRnn};

/// A function R^n -> R^m written once over any scalar. Every method and measurement
/// takes one; [`Model`] implements it for the families, and tests may implement it for
/// functions of their own.
pub trait Function {
    /// Evaluates at `x` over any scalar.
    fn eval<S: Scalar>(&self, x: &[S]) -> Vec<S>;
}

impl Function for Model {
    fn eval<S: Scalar>(&self, x: &[S]) -> Vec<S> {
        Model::eval(self, x)
    }
}

/// The function of a scenario.
#[derive(Clone, Debug)]
pub enum Model {
    /// formulas from a scenario file, compiled to a straight-line program
    Expr(expr::Program),
    /// the lecture's f(x1, x2), written as the lecture's trace
    Lecture(Lecture),
    /// sum of x_i^2
    SumOfSquares(SumOfSquares),
    /// product of x_i
    Product(Product),
    /// sigma(sum w_i x_i)
    Perceptron(Perceptron),
    /// multilayer perceptron with squared loss
    Mlp(Mlp),
    /// y_j = sigmoid(w_j x): one input, many outputs
    Fanout(Fanout),
    /// the lecture's Elman network with squared loss over a seeded sequence
    ElmanRnn(ElmanRnn),
    /// the lecture's gated cell with squared loss over a seeded sequence
    GatedRnn(GatedRnn),
    /// y = tanh(A x + b) with seeded A and b: a full m x n Jacobian
    DenseJacobian(DenseJacobian),
}

impl Model {
    /// Evaluates the function at `x` (the differentiated inputs) over any scalar.
    pub fn eval<S: Scalar>(&self, x: &[S]) -> Vec<S> {
        match self {
            Model::Expr(p) => p.eval(x),
            Model::Lecture(m) => m.eval(x),
            Model::SumOfSquares(m) => m.eval(x),
            Model::Product(m) => m.eval(x),
            Model::Perceptron(m) => m.eval(x),
            Model::Mlp(m) => m.eval(x),
            Model::Fanout(m) => m.eval(x),
            Model::ElmanRnn(m) => m.eval(x),
            Model::GatedRnn(m) => m.eval(x),
            Model::DenseJacobian(m) => m.eval(x),
        }
    }

    /// The function's value and gradient by reverse mode on a tensor tape (a tape of
    /// matrix operations, [`crate::ad::TensorTape`]), for the families written as matrix
    /// programs (MLP, Elman and gated RNN); `None` for the others. The model must have
    /// one output.
    pub fn gradient_tensor<S: Scalar>(&self, x: &[S]) -> Option<(S, Vec<S>)> {
        match self {
            Model::Mlp(m) => Some(m.gradient_tensor(x)),
            Model::ElmanRnn(m) => Some(m.gradient_tensor(x)),
            Model::GatedRnn(m) => Some(m.gradient_tensor(x)),
            _ => None,
        }
    }

    /// The function's value evaluated as matrix operations on a tensor tape (the
    /// forward pass of [`Model::gradient_tensor`], without the sweep), for the network
    /// families; `None` for the others. The model must have one output.
    pub fn eval_tensor<S: Scalar>(&self, x: &[S]) -> Option<S> {
        match self {
            Model::Mlp(m) => Some(m.eval_tensor(x)),
            Model::ElmanRnn(m) => Some(m.eval_tensor(x)),
            Model::GatedRnn(m) => Some(m.eval_tensor(x)),
            _ => None,
        }
    }

    /// Records the function on a tensor tape (network families only; `None` for the
    /// others), for measuring the tape's size.
    pub fn record_tensor<S: Scalar>(
        &self,
        tape: &mut crate::ad::TensorTape<S>,
        x: &[S],
    ) -> Option<crate::ad::TensorLoss> {
        match self {
            Model::Mlp(m) => Some(m.record_tensor(tape, x)),
            Model::ElmanRnn(m) => Some(m.record_tensor(tape, x)),
            Model::GatedRnn(m) => Some(m.record_tensor(tape, x)),
            _ => None,
        }
    }

    /// The family name used in scenario files and listings.
    pub fn family(&self) -> &'static str {
        match self {
            Model::Expr(_) => "expr",
            Model::Lecture(_) => "lecture",
            Model::SumOfSquares(_) => "sum-of-squares",
            Model::Product(_) => "product",
            Model::Perceptron(_) => "perceptron",
            Model::Mlp(_) => "mlp",
            Model::Fanout(_) => "fanout",
            Model::ElmanRnn(_) => "elman-rnn",
            Model::GatedRnn(_) => "gated-rnn",
            Model::DenseJacobian(_) => "dense-jacobian",
        }
    }
}

/// The finite-difference step sweep: from `from` down to `to`, `per_decade` steps per
/// decade.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StepSweep {
    /// largest step
    pub from: f64,
    /// smallest step
    pub to: f64,
    /// steps per decade
    pub per_decade: u32,
}

impl Default for StepSweep {
    fn default() -> Self {
        StepSweep {
            from: 1e-1,
            to: 1e-16,
            per_decade: 1,
        }
    }
}

impl StepSweep {
    /// The steps, largest first.
    pub fn steps(&self) -> Vec<f64> {
        crate::fd::step_sweep(self.from, self.to, self.per_decade)
    }
}

/// A function, its point and its settings.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// id used in reports and `--only`
    pub name: String,
    /// one line for listings
    pub description: String,
    /// the function
    pub model: Model,
    /// the point: values of the differentiated inputs, in order
    pub x: Vec<f64>,
    /// a label per differentiated component, e.g. `x1`, `x[3]`, `W1[2,1]`
    pub labels: Vec<String>,
    /// number of outputs m
    pub m: usize,
    /// FD step sweep
    pub steps: StepSweep,
    /// starting MPFR precision of the reference, in bits
    pub precision: u32,
    /// how many components the n-scaling methods evaluate
    pub sample: usize,
}

/// Default number of sampled components for large n.
pub const DEFAULT_SAMPLE: usize = 64;

impl Scenario {
    /// A scenario with default settings; the number of outputs is found by evaluating.
    pub fn new(
        name: &str,
        description: &str,
        model: Model,
        x: Vec<f64>,
        labels: Vec<String>,
    ) -> Self {
        let m = model.eval(&x).len();
        let n = x.len();
        Scenario {
            name: name.to_string(),
            description: description.to_string(),
            model,
            x,
            labels,
            m,
            steps: StepSweep::default(),
            precision: 256,
            sample: n.min(DEFAULT_SAMPLE),
        }
    }

    /// Number of differentiated inputs.
    pub fn n(&self) -> usize {
        self.x.len()
    }

    /// The family name.
    pub fn family(&self) -> &'static str {
        self.model.family()
    }

    /// Evaluates the function over any scalar.
    pub fn eval<S: Scalar>(&self, x: &[S]) -> Vec<S> {
        self.model.eval(x)
    }

    /// The components that n-scaling methods evaluate: all when `sample >= n`, else
    /// `sample` components evenly spread, always including the first and the last.
    pub fn sampled_inputs(&self) -> Vec<usize> {
        sample_indices(self.n(), self.sample)
    }
}

/// `k` indices out of 0..n evenly spread, first and last included, increasing (so
/// two of them when k < 2 <= n).
pub fn sample_indices(n: usize, k: usize) -> Vec<usize> {
    if k >= n {
        return (0..n).collect();
    }
    if k <= 1 {
        // n >= 2 here: the first and the last are always in
        return vec![0, n - 1];
    }
    let mut v: Vec<usize> = (0..k)
        .map(|i| ((i as u128 * (n as u128 - 1)) / (k as u128 - 1)) as usize)
        .collect();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_keeps_first_and_last() {
        assert_eq!(sample_indices(5, 64), vec![0, 1, 2, 3, 4]);
        let s = sample_indices(1000, 64);
        assert_eq!(s.len(), 64);
        assert_eq!(s[0], 0);
        assert_eq!(*s.last().unwrap(), 999);
        assert!(s.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn a_sample_of_one_still_has_the_first_and_the_last() {
        assert_eq!(sample_indices(5, 1), vec![0, 4]);
        assert_eq!(sample_indices(5, 2), vec![0, 4]);
        assert_eq!(sample_indices(1, 1), vec![0]);
    }
}
