//! Multilayer perceptrons with the squared loss L = 1/2 sum (z - t)^2.

use crate::ad::{Mat, TensorLoss, TensorTape};
use crate::num::{Scalar, Unary};
use crate::scenario::{Model, Scenario};

/// An activation function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// 1 / (1 + exp(-u))
    Sigmoid,
    /// tanh(u)
    Tanh,
    /// u
    Identity,
}

impl Activation {
    /// Applies the activation.
    #[inline]
    pub fn apply<S: Scalar>(self, u: &S) -> S {
        match self {
            Activation::Sigmoid => u.sigmoid(),
            Activation::Tanh => u.tanh(),
            Activation::Identity => u.clone(),
        }
    }

    /// Applies the activation elementwise on a tensor tape (the identity records
    /// nothing).
    pub fn apply_tensor<S: Scalar>(self, tape: &mut TensorTape<S>, a: Mat) -> Mat {
        match self {
            Activation::Sigmoid => tape.unary(a, Unary::Sigmoid),
            Activation::Tanh => tape.unary(a, Unary::Tanh),
            Activation::Identity => a,
        }
    }

    /// Name as written in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Identity => "identity",
        }
    }
}

/// A fully connected network; the differentiated inputs are every weight, layer by
/// layer (W row-major: unit i, input j), each layer's biases after its weights.
#[derive(Clone, Debug)]
pub struct Mlp {
    /// widths: input, hidden..., output
    pub layers: Vec<usize>,
    /// hidden activation
    pub activation: Activation,
    /// output activation
    pub output_activation: Activation,
    /// whether each layer has biases
    pub bias: bool,
    /// batch rows, N x `layers[0]`
    pub x: Vec<Vec<f64>>,
    /// targets, N x `layers[last]`
    pub t: Vec<Vec<f64>>,
}

impl Mlp {
    /// Number of parameters.
    pub fn n_params(&self) -> usize {
        self.layers
            .windows(2)
            .map(|w| w[1] * w[0] + if self.bias { w[1] } else { 0 })
            .sum()
    }

    /// Labels of the parameters: `W1[i,j]`, `b1[i]` (1-based as in the lecture).
    pub fn labels(&self) -> Vec<String> {
        let mut out = Vec::with_capacity(self.n_params());
        for (l, w) in self.layers.windows(2).enumerate() {
            for i in 1..=w[1] {
                for j in 1..=w[0] {
                    out.push(format!("W{}[{i},{j}]", l + 1));
                }
            }
            if self.bias {
                for i in 1..=w[1] {
                    out.push(format!("b{}[{i}]", l + 1));
                }
            }
        }
        out
    }

    /// The loss at parameters `p`.
    pub fn eval<S: Scalar>(&self, p: &[S]) -> Vec<S> {
        self.eval_appending(p, S::push_to)
    }

    /// The loss at parameters `p`, each activation appended to its layer's vector by
    /// `append`: [`Mlp::eval`] appends by [`Scalar::push_to`], and
    /// `benches/forward_peer.rs` by `Vec::push`, to read what storing a dual number by
    /// two stores costs.
    #[inline]
    pub fn eval_appending<S: Scalar>(&self, p: &[S], append: impl Fn(S, &mut Vec<S>)) -> Vec<S> {
        let nl = self.layers.len() - 1;
        let mut loss: Option<S> = None;
        for (xr, tr) in self.x.iter().zip(&self.t) {
            let mut a: Vec<S> = xr.iter().map(|&v| p[0].cst(v)).collect();
            let mut off = 0;
            for l in 0..nl {
                let (nin, nout) = (self.layers[l], self.layers[l + 1]);
                let act = if l + 1 == nl {
                    self.output_activation
                } else {
                    self.activation
                };
                let bias_off = off + nout * nin;
                let mut next = Vec::with_capacity(nout);
                for i in 0..nout {
                    let row = &p[off + i * nin..off + (i + 1) * nin];
                    // the left fold w_0 a_0 + w_1 a_1 + ..., as a fold so that the sum
                    // stays in a register (an indexed loop kept it in memory for f64,
                    // a store and a reload on the chain of every multiply-add)
                    let mut s = row[1..]
                        .iter()
                        .zip(&a[1..])
                        .fold(row[0].mul(&a[0]), |s, (w, x)| s.add(&w.mul(x)));
                    if self.bias {
                        s = s.add(&p[bias_off + i]);
                    }
                    append(act.apply(&s), &mut next);
                }
                off = bias_off + if self.bias { nout } else { 0 };
                a = next;
            }
            for (z, &t) in a.iter().zip(tr) {
                let e = z.sub_f(t).powi(2);
                loss = Some(match loss {
                    None => e,
                    Some(acc) => acc.add(&e),
                });
            }
        }
        let loss = loss.expect("an MLP has at least one batch row and one output");
        vec![loss.mul_f(0.5)]
    }

    /// Records the loss on a tensor tape from the flat parameters `p` (the layout of
    /// [`Mlp::eval`]), with the batch as the rows of X (N x d): Z_1 = act(X W_1^T + b_1),
    /// ..., L = 1/2 sum((Z_L - T) o (Z_L - T)). Every product is the left fold of
    /// [`Mlp::eval`] in the same order, and the loss is summed row by row as there.
    pub fn record_tensor<S: Scalar>(&self, tape: &mut TensorTape<S>, p: &[S]) -> TensorLoss {
        assert_eq!(p.len(), self.n_params(), "mlp: wrong number of parameters");
        let nl = self.layers.len() - 1;
        let rows = self.x.len();
        let mut params = Vec::with_capacity(2 * nl);
        let mut a = tape.constant(
            rows,
            self.layers[0],
            self.x.iter().flatten().copied(),
            &p[0],
        );
        let mut off = 0;
        for l in 0..nl {
            let (nin, nout) = (self.layers[l], self.layers[l + 1]);
            let act = if l + 1 == nl {
                self.output_activation
            } else {
                self.activation
            };
            let w = tape.input(nout, nin, &p[off..off + nout * nin]);
            off += nout * nin;
            params.push(w);
            let mut z = tape.matmul(a, false, w, true);
            if self.bias {
                let b = tape.input(1, nout, &p[off..off + nout]);
                off += nout;
                params.push(b);
                z = tape.bias_add(z, b);
            }
            a = act.apply_tensor(tape, z);
        }
        let e = tape.sub_const(a, self.t.iter().flatten().copied());
        let e2 = tape.unary(e, Unary::Powi(2));
        let s = tape.sum_all(e2);
        let loss = tape.scale(s, 0.5);
        TensorLoss { loss, params }
    }

    /// The loss at `p` evaluated on a tensor tape (see [`Mlp::record_tensor`]).
    pub fn eval_tensor<S: Scalar>(&self, p: &[S]) -> S {
        crate::ad::eval_tensor_with(|tape| self.record_tensor(tape, p))
    }

    /// The loss at `p` and its gradient (flat, in the order of the parameters) by
    /// reverse mode on a tensor tape.
    pub fn gradient_tensor<S: Scalar>(&self, p: &[S]) -> (S, Vec<S>) {
        crate::ad::gradient_tensor_with(|tape| self.record_tensor(tape, p))
    }

    /// The lecture's 3-2-2-1 sigmoid network without biases (`seed-mlp`): one input row
    /// (1, 0.5, -0.5), target 0.25, weights drawn from SplitMix64 with seed 1 in [-1, 1).
    pub fn seed_mlp() -> Scenario {
        let mlp = Mlp {
            layers: vec![3, 2, 2, 1],
            activation: Activation::Sigmoid,
            output_activation: Activation::Sigmoid,
            bias: false,
            x: vec![vec![1.0, 0.5, -0.5]],
            t: vec![vec![0.25]],
        };
        let n = mlp.n_params();
        let w = crate::scenario::rng::SplitMix64::new(1).fill(n, -1.0, 1.0);
        let labels = mlp.labels();
        Scenario::new(
            "seed-mlp",
            "the lecture's 3-2-2-1 sigmoid network, no biases, squared loss",
            Model::Mlp(mlp),
            w,
            labels,
        )
    }
}
