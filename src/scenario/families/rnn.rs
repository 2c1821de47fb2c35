//! Recurrent networks unrolled over a seeded sequence: the lecture's Elman network and
//! its gated cell, each with the squared loss summed over every step.
//!
//! Both are differentiated with respect to their weights; [`ElmanRnn::eval_with_h0`]
//! and [`GatedRnn::eval_with_h0`] also take the initial hidden state h_0 as inputs, so
//! that derivatives with respect to h_0 can be measured (for plots of vanishing and
//! exploding gradients as `steps` grows).
//!
//! Seeded data come from `SplitMix64::new(seed)`: first the weights (the point), in the
//! order of the differentiated inputs, then the sequence step by step (x_t, then z_t,
//! for t = 1..T). Changing `steps` therefore keeps the weights and extends or shortens
//! the same sequence. Each weight is a draw u uniform in [-1, 1) times 1/sqrt(k) for
//! the width k of the vector it multiplies (its fan-in), computed as
//! `u * (1.0 / (k as f64).sqrt())` (the product with the rounded reciprocal, which is
//! not always the quotient u / sqrt(k) rounded), each bias uniform in [-0.5, 0.5),
//! each x_t component uniform in [-1, 1), each target component uniform in [0, 1)
//! (the range of the sigmoid). With these scales each pre-activation is of
//! order 1, and the entries of a recurrent matrix have variance 1/(3 hidden), so its
//! spectral radius is near 1/sqrt(3) for wide layers (the circular law); the
//! activations' slopes (at most 1 for tanh, 1/4 for the sigmoid) shrink the products
//! further. Gradients through many steps therefore decay geometrically, but after 50
//! steps they are still far from underflow, and nothing overflows (tested).

use super::Activation;
use crate::ad::{Mat, TensorLoss, TensorTape};
use crate::num::{Scalar, Unary};
use crate::scenario::rng::SplitMix64;
use crate::scenario::{Model, Scenario};

/// Labels `name[i,j]`, row-major, 1-based.
fn matrix_labels(out: &mut Vec<String>, name: &str, rows: usize, cols: usize) {
    for i in 1..=rows {
        for j in 1..=cols {
            out.push(format!("{name}[{i},{j}]"));
        }
    }
}

/// Labels `name[i]`, 1-based.
fn vector_labels(out: &mut Vec<String>, name: &str, len: usize) {
    out.extend((1..=len).map(|i| format!("{name}[{i}]")));
}

/// Row-major weights u * (1 / sqrt(cols)), u uniform in [-1, 1), the reciprocal rounded
/// once and multiplied (see the module documentation).
fn draw_matrix(g: &mut SplitMix64, rows: usize, cols: usize) -> Vec<f64> {
    let scale = 1.0 / (cols as f64).sqrt();
    (0..rows * cols)
        .map(|_| g.uniform(-1.0, 1.0) * scale)
        .collect()
}

/// The sequence x_1..x_T (`input` wide, in [-1, 1)) and targets z_1..z_T (`output`
/// wide, in [0, 1)), drawn step by step: x_t then z_t.
fn draw_sequence(
    g: &mut SplitMix64,
    steps: usize,
    input: usize,
    output: usize,
) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let mut xs = Vec::with_capacity(steps);
    let mut zs = Vec::with_capacity(steps);
    for _ in 0..steps {
        xs.push(g.fill(input, -1.0, 1.0));
        zs.push(g.fill(output, 0.0, 1.0));
    }
    (xs, zs)
}

/// Adds `sum_j m[j] * x[j]` (x data) to `acc` term by term, left to right; starts the
/// fold with the first term when `acc` is `None`.
fn fold_data<S: Scalar>(acc: Option<S>, m: &[S], x: &[f64]) -> Option<S> {
    m.iter().zip(x).fold(acc, |acc, (mj, &xj)| {
        let t = mj.mul_f(xj);
        Some(match acc {
            None => t,
            Some(a) => a.add(&t),
        })
    })
}

/// Adds `sum_j m[j] * v[j]` (v differentiated) to `acc` term by term, left to right.
fn fold_vars<S: Scalar>(acc: Option<S>, m: &[S], v: &[S]) -> Option<S> {
    m.iter().zip(v).fold(acc, |acc, (mj, vj)| {
        let t = mj.mul(vj);
        Some(match acc {
            None => t,
            Some(a) => a.add(&t),
        })
    })
}

/// Adds (y - z)^2 for each unit to the running loss, left to right.
fn add_squared_errors<S: Scalar>(loss: Option<S>, y: &[S], z: &[f64]) -> Option<S> {
    y.iter().zip(z).fold(loss, |acc, (yi, &zi)| {
        let e = yi.sub_f(zi).powi(2);
        Some(match acc {
            None => e,
            Some(a) => a.add(&e),
        })
    })
}

/// Adds the squared errors sum_i (y_i - z_i)^2 of one step to the running loss on a
/// tensor tape: the step's sum, then one addition to the total (the factor 1/2 comes at
/// the end).
fn add_squared_errors_tensor<S: Scalar>(
    tape: &mut TensorTape<S>,
    loss: Option<Mat>,
    y: Mat,
    z: &[f64],
) -> Option<Mat> {
    let e = tape.sub_const(y, z.iter().copied());
    let e2 = tape.unary(e, Unary::Powi(2));
    let s = tape.sum_all(e2);
    Some(match loss {
        None => s,
        Some(l) => tape.add(l, s),
    })
}

/// The lecture's Elman network unrolled over T steps:
///
/// h_t = sigma_h(W x_t + U h_{t-1} + b_h), y_t = sigmoid(V h_t), t = 1..T,
/// L = 1/2 sum_t sum_k (y_{t,k} - z_{t,k})^2,
///
/// with W hidden x input, U hidden x hidden, V output x hidden, b_h of length hidden,
/// sigma_h = `activation` and h_0 = 0. There is no output bias. The differentiated
/// inputs are W, U, V (each row-major: row i, column j) and b_h, in this order; the
/// sequence x_t and the targets z_t are data. Each pre-activation is one left fold
/// W_i1 x_1 + ... + W_in x_n + U_i1 h_1 + ... + U_ih h_h + b_i; the loss is folded over
/// t, then over output units, and multiplied by 1/2 at the end.
#[derive(Clone, Debug)]
pub struct ElmanRnn {
    /// width of x_t
    pub input: usize,
    /// width of h_t
    pub hidden: usize,
    /// width of y_t
    pub output: usize,
    /// the hidden activation sigma_h
    pub activation: Activation,
    /// the sequence x_1..x_T, each `input` wide (data)
    pub xs: Vec<Vec<f64>>,
    /// the targets z_1..z_T, each `output` wide (data)
    pub zs: Vec<Vec<f64>>,
}

impl ElmanRnn {
    /// Number of steps T.
    pub fn steps(&self) -> usize {
        self.xs.len()
    }

    /// Number of differentiated parameters: hidden (input + hidden + output + 1).
    pub fn n_params(&self) -> usize {
        self.hidden * (self.input + self.hidden + self.output + 1)
    }

    /// Labels of the parameters: `W[i,j]`, `U[i,j]`, `V[i,j]`, `b_h[i]`, 1-based.
    pub fn labels(&self) -> Vec<String> {
        let mut out = Vec::with_capacity(self.n_params());
        matrix_labels(&mut out, "W", self.hidden, self.input);
        matrix_labels(&mut out, "U", self.hidden, self.hidden);
        matrix_labels(&mut out, "V", self.output, self.hidden);
        vector_labels(&mut out, "b_h", self.hidden);
        out
    }

    /// The loss `[L]` at parameters `p` (W, U, V, b_h) with h_0 = 0.
    pub fn eval<S: Scalar>(&self, p: &[S]) -> Vec<S> {
        let h0: Vec<S> = (0..self.hidden).map(|_| p[0].cst(0.0)).collect();
        self.eval_with_h0(p, &h0)
    }

    /// The loss `[L]` at parameters `p` (W, U, V, b_h) from the initial state `h0`
    /// (`hidden` values; other lengths of `h0` or `p` panic), so that h_0 can be
    /// differentiated too. `eval(p)` is this with h0 = 0 and computes the same
    /// operations.
    pub fn eval_with_h0<S: Scalar>(&self, p: &[S], h0: &[S]) -> Vec<S> {
        assert_eq!(
            p.len(),
            self.n_params(),
            "elman-rnn: wrong number of parameters"
        );
        assert_eq!(h0.len(), self.hidden, "elman-rnn: h0 is not `hidden` wide");
        let (ni, nh, no) = (self.input, self.hidden, self.output);
        let (w, rest) = p.split_at(nh * ni);
        let (u, rest) = rest.split_at(nh * nh);
        let (v, b) = rest.split_at(no * nh);
        let mut h: Vec<S> = h0.to_vec();
        let mut loss: Option<S> = None;
        for (x, z) in self.xs.iter().zip(&self.zs) {
            h = (0..nh)
                .map(|i| {
                    let acc = fold_data(None, &w[i * ni..(i + 1) * ni], x);
                    let acc = fold_vars(acc, &u[i * nh..(i + 1) * nh], &h);
                    let acc = acc.expect("input >= 1").add(&b[i]);
                    self.activation.apply(&acc)
                })
                .collect();
            let y: Vec<S> = (0..no)
                .map(|k| {
                    fold_vars(None, &v[k * nh..(k + 1) * nh], &h)
                        .expect("hidden >= 1")
                        .sigmoid()
                })
                .collect();
            loss = add_squared_errors(loss, &y, z);
        }
        vec![loss.expect("steps >= 1 and output >= 1").mul_f(0.5)]
    }

    /// Records the loss on a tensor tape from the flat parameters `p` (W, U, V, b_h, the
    /// layout of [`ElmanRnn::eval`]) with h_0 = 0, the states as 1 x hidden rows:
    /// h_t = sigma_h(x_t W^T + h_{t-1} U^T + b_h), y_t = sigmoid(h_t V^T). The
    /// pre-activation is the sum of two folds (W x, then U h) instead of one, the same
    /// number of operations as [`ElmanRnn::eval`] in another association.
    pub fn record_tensor<S: Scalar>(&self, tape: &mut TensorTape<S>, p: &[S]) -> TensorLoss {
        assert_eq!(
            p.len(),
            self.n_params(),
            "elman-rnn: wrong number of parameters"
        );
        let (ni, nh, no) = (self.input, self.hidden, self.output);
        let w = tape.input(nh, ni, &p[..nh * ni]);
        let u = tape.input(nh, nh, &p[nh * ni..nh * (ni + nh)]);
        let v = tape.input(no, nh, &p[nh * (ni + nh)..nh * (ni + nh + no)]);
        let b = tape.input(1, nh, &p[nh * (ni + nh + no)..]);
        let mut h = tape.constant(1, nh, std::iter::repeat_n(0.0, nh), &p[0]);
        let mut loss = None;
        for (x, z) in self.xs.iter().zip(&self.zs) {
            let xt = tape.constant(1, ni, x.iter().copied(), &p[0]);
            let wx = tape.matmul(xt, false, w, true);
            let uh = tape.matmul(h, false, u, true);
            let a = tape.add(wx, uh);
            let a = tape.bias_add(a, b);
            h = self.activation.apply_tensor(tape, a);
            let y = tape.matmul(h, false, v, true);
            let y = tape.unary(y, Unary::Sigmoid);
            loss = add_squared_errors_tensor(tape, loss, y, z);
        }
        let loss = tape.scale(loss.expect("steps >= 1"), 0.5);
        TensorLoss {
            loss,
            params: vec![w, u, v, b],
        }
    }

    /// The loss at `p` evaluated on a tensor tape (see [`ElmanRnn::record_tensor`]).
    pub fn eval_tensor<S: Scalar>(&self, p: &[S]) -> S {
        crate::ad::eval_tensor_with(|tape| self.record_tensor(tape, p))
    }

    /// The loss at `p` and its gradient (flat, in the order of the parameters) by
    /// reverse mode on a tensor tape.
    pub fn gradient_tensor<S: Scalar>(&self, p: &[S]) -> (S, Vec<S>) {
        crate::ad::gradient_tensor_with(|tape| self.record_tensor(tape, p))
    }

    /// The network drawn from `seed` (see the module documentation for the order and
    /// ranges of the draws), the point (W, U, V, b_h) and its labels, for a loader that
    /// builds the [`Scenario`] itself. Assumes every size >= 1.
    pub fn new(
        input: usize,
        hidden: usize,
        output: usize,
        steps: usize,
        activation: Activation,
        seed: u64,
    ) -> (Self, Vec<f64>, Vec<String>) {
        let mut g = SplitMix64::new(seed);
        let mut p = draw_matrix(&mut g, hidden, input);
        p.extend(draw_matrix(&mut g, hidden, hidden));
        p.extend(draw_matrix(&mut g, output, hidden));
        p.extend(g.fill(hidden, -0.5, 0.5));
        let (xs, zs) = draw_sequence(&mut g, steps, input, output);
        let rnn = ElmanRnn {
            input,
            hidden,
            output,
            activation,
            xs,
            zs,
        };
        let labels = rnn.labels();
        (rnn, p, labels)
    }

    /// The scenario drawn from `seed`; see [`ElmanRnn::new`].
    #[allow(clippy::too_many_arguments)]
    pub fn scenario(
        name: &str,
        description: &str,
        input: usize,
        hidden: usize,
        output: usize,
        steps: usize,
        activation: Activation,
        seed: u64,
    ) -> Scenario {
        let (rnn, p, labels) = ElmanRnn::new(input, hidden, output, steps, activation, seed);
        Scenario::new(name, description, Model::ElmanRnn(rnn), p, labels)
    }
}

/// The lecture's gated cell unrolled over T steps:
///
/// y_t = sigmoid(W x_t + U h_{t-1} + b_o),
/// s_t = sigmoid(V y_t + D x_t + b_h),
/// h_t = (1 - y_t) o h_{t-1} + y_t o s_t,  t = 1..T,
/// L = 1/2 sum_t sum_i (y_{t,i} - z_{t,i})^2,
///
/// with x_t of width `input`; h_t, y_t, s_t, z_t of width `hidden`; W and D
/// hidden x input, U and V hidden x hidden; h_0 = 0. The differentiated inputs are W,
/// U, V, D (each row-major), b_o, b_h, in this order; x_t and z_t are data. Each
/// pre-activation is one left fold in the order written (W x, then U h, then b_o;
/// V y, then D x, then b_h); h_t is computed as ((1 - y) h_{t-1}) + (y s). The loss
/// is folded over t, then over units, and multiplied by 1/2 at the end.
///
/// The loss reads y_t only, so s_T (and, when T = 1 with h_0 = 0, every weight of the
/// s and U paths) does not affect it: those gradient entries are exactly zero.
#[derive(Clone, Debug)]
pub struct GatedRnn {
    /// width of x_t
    pub input: usize,
    /// width of h_t, y_t, s_t and z_t
    pub hidden: usize,
    /// the sequence x_1..x_T, each `input` wide (data)
    pub xs: Vec<Vec<f64>>,
    /// the targets z_1..z_T, each `hidden` wide (data)
    pub zs: Vec<Vec<f64>>,
}

impl GatedRnn {
    /// Number of steps T.
    pub fn steps(&self) -> usize {
        self.xs.len()
    }

    /// Number of differentiated parameters: hidden (2 input + 2 hidden + 2).
    pub fn n_params(&self) -> usize {
        self.hidden * (2 * self.input + 2 * self.hidden + 2)
    }

    /// Labels of the parameters: `W[i,j]`, `U[i,j]`, `V[i,j]`, `D[i,j]`, `b_o[i]`,
    /// `b_h[i]`, 1-based.
    pub fn labels(&self) -> Vec<String> {
        let (ni, nh) = (self.input, self.hidden);
        let mut out = Vec::with_capacity(self.n_params());
        matrix_labels(&mut out, "W", nh, ni);
        matrix_labels(&mut out, "U", nh, nh);
        matrix_labels(&mut out, "V", nh, nh);
        matrix_labels(&mut out, "D", nh, ni);
        vector_labels(&mut out, "b_o", nh);
        vector_labels(&mut out, "b_h", nh);
        out
    }

    /// The loss `[L]` at parameters `p` (W, U, V, D, b_o, b_h) with h_0 = 0.
    pub fn eval<S: Scalar>(&self, p: &[S]) -> Vec<S> {
        let h0: Vec<S> = (0..self.hidden).map(|_| p[0].cst(0.0)).collect();
        self.eval_with_h0(p, &h0)
    }

    /// The loss `[L]` at parameters `p` (W, U, V, D, b_o, b_h) from the initial state
    /// `h0` (`hidden` values; other lengths of `h0` or `p` panic), so that h_0 can be
    /// differentiated too. `eval(p)` is this with h0 = 0 and computes the same
    /// operations.
    pub fn eval_with_h0<S: Scalar>(&self, p: &[S], h0: &[S]) -> Vec<S> {
        assert_eq!(
            p.len(),
            self.n_params(),
            "gated-rnn: wrong number of parameters"
        );
        assert_eq!(h0.len(), self.hidden, "gated-rnn: h0 is not `hidden` wide");
        let (ni, nh) = (self.input, self.hidden);
        let (w, rest) = p.split_at(nh * ni);
        let (u, rest) = rest.split_at(nh * nh);
        let (v, rest) = rest.split_at(nh * nh);
        let (d, rest) = rest.split_at(nh * ni);
        let (bo, bh) = rest.split_at(nh);
        let mut h: Vec<S> = h0.to_vec();
        let mut loss: Option<S> = None;
        for (x, z) in self.xs.iter().zip(&self.zs) {
            let y: Vec<S> = (0..nh)
                .map(|i| {
                    let acc = fold_data(None, &w[i * ni..(i + 1) * ni], x);
                    let acc = fold_vars(acc, &u[i * nh..(i + 1) * nh], &h);
                    acc.expect("input >= 1").add(&bo[i]).sigmoid()
                })
                .collect();
            let s: Vec<S> = (0..nh)
                .map(|i| {
                    let acc = fold_vars(None, &v[i * nh..(i + 1) * nh], &y);
                    let acc = fold_data(acc, &d[i * ni..(i + 1) * ni], x);
                    acc.expect("hidden >= 1").add(&bh[i]).sigmoid()
                })
                .collect();
            h = (0..nh)
                .map(|i| y[i].rsub_f(1.0).mul(&h[i]).add(&y[i].mul(&s[i])))
                .collect();
            loss = add_squared_errors(loss, &y, z);
        }
        vec![loss.expect("steps >= 1 and hidden >= 1").mul_f(0.5)]
    }

    /// Records the loss on a tensor tape from the flat parameters `p` (W, U, V, D, b_o,
    /// b_h, the layout of [`GatedRnn::eval`]) with h_0 = 0, the states as 1 x hidden
    /// rows:
    ///
    /// y_t = sigmoid(x_t W^T + h_{t-1} U^T + b_o),
    /// s_t = sigmoid(y_t V^T + x_t D^T + b_h),
    /// h_t = (1 - y_t) o h_{t-1} + y_t o s_t.
    ///
    /// Each pre-activation is the sum of two folds instead of one, the same number of
    /// operations as [`GatedRnn::eval`] in another association.
    pub fn record_tensor<S: Scalar>(&self, tape: &mut TensorTape<S>, p: &[S]) -> TensorLoss {
        assert_eq!(
            p.len(),
            self.n_params(),
            "gated-rnn: wrong number of parameters"
        );
        let (ni, nh) = (self.input, self.hidden);
        let mut off = 0;
        let mut take = |tape: &mut TensorTape<S>, rows: usize, cols: usize| {
            let m = tape.input(rows, cols, &p[off..off + rows * cols]);
            off += rows * cols;
            m
        };
        let w = take(tape, nh, ni);
        let u = take(tape, nh, nh);
        let v = take(tape, nh, nh);
        let d = take(tape, nh, ni);
        let bo = take(tape, 1, nh);
        let bh = take(tape, 1, nh);
        let mut h = tape.constant(1, nh, std::iter::repeat_n(0.0, nh), &p[0]);
        let ones = tape.constant(1, nh, std::iter::repeat_n(1.0, nh), &p[0]);
        let mut loss = None;
        for (x, z) in self.xs.iter().zip(&self.zs) {
            let xt = tape.constant(1, ni, x.iter().copied(), &p[0]);
            let wx = tape.matmul(xt, false, w, true);
            let uh = tape.matmul(h, false, u, true);
            let a = tape.add(wx, uh);
            let a = tape.bias_add(a, bo);
            let y = tape.unary(a, Unary::Sigmoid);
            let vy = tape.matmul(y, false, v, true);
            let dx = tape.matmul(xt, false, d, true);
            let c = tape.add(vy, dx);
            let c = tape.bias_add(c, bh);
            let s = tape.unary(c, Unary::Sigmoid);
            let keep = tape.sub(ones, y);
            let keep = tape.hadamard(keep, h);
            let new = tape.hadamard(y, s);
            h = tape.add(keep, new);
            loss = add_squared_errors_tensor(tape, loss, y, z);
        }
        let loss = tape.scale(loss.expect("steps >= 1"), 0.5);
        TensorLoss {
            loss,
            params: vec![w, u, v, d, bo, bh],
        }
    }

    /// The loss at `p` evaluated on a tensor tape (see [`GatedRnn::record_tensor`]).
    pub fn eval_tensor<S: Scalar>(&self, p: &[S]) -> S {
        crate::ad::eval_tensor_with(|tape| self.record_tensor(tape, p))
    }

    /// The loss at `p` and its gradient (flat, in the order of the parameters) by
    /// reverse mode on a tensor tape.
    pub fn gradient_tensor<S: Scalar>(&self, p: &[S]) -> (S, Vec<S>) {
        crate::ad::gradient_tensor_with(|tape| self.record_tensor(tape, p))
    }

    /// The cell drawn from `seed` (see the module documentation for the order and
    /// ranges of the draws; W and D are scaled by 1/sqrt(input), U and V by
    /// 1/sqrt(hidden)), the point (W, U, V, D, b_o, b_h) and its labels, for a loader
    /// that builds the [`Scenario`] itself. Assumes every size >= 1.
    pub fn new(
        input: usize,
        hidden: usize,
        steps: usize,
        seed: u64,
    ) -> (Self, Vec<f64>, Vec<String>) {
        let mut g = SplitMix64::new(seed);
        let mut p = draw_matrix(&mut g, hidden, input);
        p.extend(draw_matrix(&mut g, hidden, hidden));
        p.extend(draw_matrix(&mut g, hidden, hidden));
        p.extend(draw_matrix(&mut g, hidden, input));
        p.extend(g.fill(hidden, -0.5, 0.5));
        p.extend(g.fill(hidden, -0.5, 0.5));
        let (xs, zs) = draw_sequence(&mut g, steps, input, hidden);
        let rnn = GatedRnn {
            input,
            hidden,
            xs,
            zs,
        };
        let labels = rnn.labels();
        (rnn, p, labels)
    }

    /// The scenario drawn from `seed`; see [`GatedRnn::new`].
    pub fn scenario(
        name: &str,
        description: &str,
        input: usize,
        hidden: usize,
        steps: usize,
        seed: u64,
    ) -> Scenario {
        let (rnn, p, labels) = GatedRnn::new(input, hidden, steps, seed);
        Scenario::new(name, description, Model::GatedRnn(rnn), p, labels)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ad::Tape;
    use crate::scenario::families::testutil::{assert_methods_agree, tape_len, Measure};

    /// Unit roundoff of f64.
    const U: f64 = f64::EPSILON / 2.0;

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|f| f.to_bits()).collect()
    }

    fn bits2(v: &[Vec<f64>]) -> Vec<Vec<u64>> {
        v.iter().map(|r| bits(r)).collect()
    }

    /// Both networks, for tests that differentiate with respect to h0.
    trait WithH0 {
        fn eval_h0<S: Scalar>(&self, p: &[S], h0: &[S]) -> Vec<S>;
    }

    impl WithH0 for ElmanRnn {
        fn eval_h0<S: Scalar>(&self, p: &[S], h0: &[S]) -> Vec<S> {
            self.eval_with_h0(p, h0)
        }
    }

    impl WithH0 for GatedRnn {
        fn eval_h0<S: Scalar>(&self, p: &[S], h0: &[S]) -> Vec<S> {
            self.eval_with_h0(p, h0)
        }
    }

    /// The loss and its gradient with respect to (params, h0) by reverse mode.
    fn grad_with_h0(r: &impl WithH0, p: &[f64], h0: &[f64]) -> (f64, Vec<f64>) {
        let tape = Tape::new();
        let all: Vec<f64> = p.iter().chain(h0).copied().collect();
        let xs = tape.vars(&all);
        let y = r.eval_h0(&xs[..p.len()], &xs[p.len()..]).remove(0);
        (*y.value(), tape.gradient(&y, &xs))
    }

    #[test]
    fn elman_shape_and_labels() {
        let s = ElmanRnn::scenario("e", "test", 2, 3, 4, 5, Activation::Tanh, 1);
        assert_eq!(s.family(), "elman-rnn");
        assert_eq!((s.m, s.n()), (1, 3 * 2 + 3 * 3 + 4 * 3 + 3));
        let Model::ElmanRnn(r) = &s.model else {
            unreachable!()
        };
        assert_eq!(r.n_params(), s.n());
        assert_eq!(r.steps(), 5);
        assert_eq!(s.labels.len(), s.n());
        let l = &s.labels;
        assert_eq!((l[0].as_str(), l[5].as_str()), ("W[1,1]", "W[3,2]"));
        assert_eq!((l[6].as_str(), l[14].as_str()), ("U[1,1]", "U[3,3]"));
        assert_eq!((l[15].as_str(), l[26].as_str()), ("V[1,1]", "V[4,3]"));
        assert_eq!((l[27].as_str(), l[29].as_str()), ("b_h[1]", "b_h[3]"));
    }

    #[test]
    fn gated_shape_and_labels() {
        let s = GatedRnn::scenario("g", "test", 2, 3, 5, 1);
        assert_eq!(s.family(), "gated-rnn");
        assert_eq!((s.m, s.n()), (1, 2 * (3 * 2) + 2 * (3 * 3) + 2 * 3));
        let Model::GatedRnn(r) = &s.model else {
            unreachable!()
        };
        assert_eq!(r.n_params(), s.n());
        assert_eq!(r.steps(), 5);
        let l = &s.labels;
        assert_eq!(l.len(), 36);
        assert_eq!((l[0].as_str(), l[5].as_str()), ("W[1,1]", "W[3,2]"));
        assert_eq!((l[6].as_str(), l[14].as_str()), ("U[1,1]", "U[3,3]"));
        assert_eq!((l[15].as_str(), l[23].as_str()), ("V[1,1]", "V[3,3]"));
        assert_eq!((l[24].as_str(), l[29].as_str()), ("D[1,1]", "D[3,2]"));
        assert_eq!((l[30].as_str(), l[32].as_str()), ("b_o[1]", "b_o[3]"));
        assert_eq!((l[33].as_str(), l[35].as_str()), ("b_h[1]", "b_h[3]"));
    }

    #[test]
    fn seeded_data_is_reproducible_and_in_the_documented_order() {
        let (a, pa, _) = ElmanRnn::new(2, 3, 2, 6, Activation::Tanh, 9);
        let (b, pb, _) = ElmanRnn::new(2, 3, 2, 6, Activation::Tanh, 9);
        assert_eq!(bits(&pa), bits(&pb));
        assert_eq!(bits2(&a.xs), bits2(&b.xs));
        assert_eq!(bits2(&a.zs), bits2(&b.zs));
        // weights first: W[1,1] is the first draw, scaled by 1/sqrt(input)
        let mut g = SplitMix64::new(9);
        assert_eq!(pa[0], g.uniform(-1.0, 1.0) * (1.0 / 2f64.sqrt()));
        // then the sequence step by step: fewer steps keep the weights and the prefix
        let (c, pc, _) = ElmanRnn::new(2, 3, 2, 4, Activation::Tanh, 9);
        assert_eq!(bits(&pa), bits(&pc));
        assert_eq!(bits2(&a.xs[..4]), bits2(&c.xs));
        assert_eq!(bits2(&a.zs[..4]), bits2(&c.zs));
        assert!(a.zs.iter().flatten().all(|z| (0.0..1.0).contains(z)));
        let (_, pd, _) = ElmanRnn::new(2, 3, 2, 6, Activation::Tanh, 10);
        assert_ne!(bits(&pa), bits(&pd));

        let (a, pa, _) = GatedRnn::new(2, 3, 6, 9);
        let (b, pb, _) = GatedRnn::new(2, 3, 6, 9);
        assert_eq!(bits(&pa), bits(&pb));
        assert_eq!(bits2(&a.xs), bits2(&b.xs));
        assert_eq!(bits2(&a.zs), bits2(&b.zs));
        let mut g = SplitMix64::new(9);
        assert_eq!(pa[0], g.uniform(-1.0, 1.0) * (1.0 / 2f64.sqrt()));
        let (c, pc, _) = GatedRnn::new(2, 3, 4, 9);
        assert_eq!(bits(&pa), bits(&pc));
        assert_eq!(bits2(&a.xs[..4]), bits2(&c.xs));
        assert_eq!(bits2(&a.zs[..4]), bits2(&c.zs));
    }

    /// Every seeded value of both networks is the documented draw, in the documented
    /// order: the weights u * (1 / sqrt(fan-in)) with the reciprocal rounded once (for
    /// fan-ins 3 and 2 some differ from the quotient u / sqrt(fan-in)), the biases, then
    /// x_t and z_t step by step.
    #[test]
    fn every_seeded_value_is_the_documented_draw() {
        let (ni, nh, no, steps, seed) = (3, 2, 2, 4, 17);
        let mut differ = 0;
        let mut weights = |g: &mut SplitMix64, p: &[f64], k: usize| {
            for &w in p {
                let u = g.uniform(-1.0, 1.0);
                assert_eq!(w.to_bits(), (u * (1.0 / (k as f64).sqrt())).to_bits());
                differ += usize::from(w != u / (k as f64).sqrt());
            }
        };
        let rest = |g: &mut SplitMix64, p: &[f64], low: f64, high: f64| {
            for &v in p {
                assert_eq!(v.to_bits(), g.uniform(low, high).to_bits());
            }
        };
        let (e, p, _) = ElmanRnn::new(ni, nh, no, steps, Activation::Tanh, seed);
        let mut g = SplitMix64::new(seed);
        let (w, q) = p.split_at(nh * ni);
        let (u, q) = q.split_at(nh * nh);
        let (v, b) = q.split_at(no * nh);
        weights(&mut g, w, ni);
        weights(&mut g, u, nh);
        weights(&mut g, v, nh);
        rest(&mut g, b, -0.5, 0.5);
        for (x, z) in e.xs.iter().zip(&e.zs) {
            rest(&mut g, x, -1.0, 1.0);
            rest(&mut g, z, 0.0, 1.0);
        }
        let (r, p, _) = GatedRnn::new(ni, nh, steps, seed);
        let mut g = SplitMix64::new(seed);
        for (k, fan_in) in [ni, nh, nh, ni].into_iter().enumerate() {
            let (start, len) = match k {
                0 => (0, nh * ni),
                1 => (nh * ni, nh * nh),
                2 => (nh * (ni + nh), nh * nh),
                _ => (nh * (ni + 2 * nh), nh * ni),
            };
            weights(&mut g, &p[start..start + len], fan_in);
        }
        rest(&mut g, &p[2 * nh * (ni + nh)..], -0.5, 0.5);
        for (x, z) in r.xs.iter().zip(&r.zs) {
            rest(&mut g, x, -1.0, 1.0);
            rest(&mut g, z, 0.0, 1.0);
        }
        assert!(differ > 0);
    }

    /// A state h0 of another width (or a parameter vector of another length) would
    /// leave columns of U out of the first step, or read values past the parameters,
    /// and still return a loss.
    #[test]
    fn eval_with_h0_rejects_a_state_or_parameters_of_the_wrong_length() {
        let (e, pe, _) = ElmanRnn::new(2, 3, 2, 4, Activation::Tanh, 1);
        let (g, pg, _) = GatedRnn::new(2, 3, 4, 1);
        let panics =
            |f: &dyn Fn()| std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_err();
        for h0 in [vec![0.1; 2], vec![0.1; 4]] {
            assert!(
                panics(&|| drop(e.eval_with_h0(&pe, &h0))),
                "elman, h0 {h0:?}"
            );
            assert!(
                panics(&|| drop(g.eval_with_h0(&pg, &h0))),
                "gated, h0 {h0:?}"
            );
        }
        let h0 = [0.1; 3];
        let longer = |p: &[f64]| p.iter().copied().chain([0.5]).collect::<Vec<_>>();
        assert!(
            panics(&|| drop(e.eval_with_h0(&longer(&pe), &h0))),
            "elman, p"
        );
        assert!(
            panics(&|| drop(g.eval_with_h0(&longer(&pg), &h0))),
            "gated, p"
        );
        assert!(!panics(&|| drop(e.eval_with_h0(&pe, &h0))));
        assert!(!panics(&|| drop(g.eval_with_h0(&pg, &h0))));
    }

    #[test]
    fn eval_with_zero_h0_equals_eval() {
        for act in [Activation::Tanh, Activation::Sigmoid, Activation::Identity] {
            let (r, p, _) = ElmanRnn::new(2, 3, 2, 7, act, 4);
            let h0 = vec![0.0; 3];
            assert_eq!(
                r.eval(&p)[0].to_bits(),
                r.eval_with_h0(&p, &h0)[0].to_bits()
            );
            let tape = Tape::new();
            let xs = tape.vars(&p);
            let y = r.eval(&xs).remove(0);
            let g = tape.gradient(&y, &xs);
            let (v, gh) = grad_with_h0(&r, &p, &h0);
            assert_eq!(y.value().to_bits(), v.to_bits());
            assert_eq!(bits(&g), bits(&gh[..p.len()]));
        }
        let (r, p, _) = GatedRnn::new(2, 3, 7, 4);
        let h0 = vec![0.0; 3];
        assert_eq!(
            r.eval(&p)[0].to_bits(),
            r.eval_with_h0(&p, &h0)[0].to_bits()
        );
        let tape = Tape::new();
        let xs = tape.vars(&p);
        let y = r.eval(&xs).remove(0);
        let g = tape.gradient(&y, &xs);
        let (v, gh) = grad_with_h0(&r, &p, &h0);
        assert_eq!(y.value().to_bits(), v.to_bits());
        assert_eq!(bits(&g), bits(&gh[..p.len()]));
    }

    /// |a - b| <= tol u scale, with a message.
    fn close(name: &str, a: f64, b: f64, scale: f64, tol: f64) {
        assert!(
            (a - b).abs() <= tol * U * scale,
            "{name}: {a:e} vs {b:e} (scale {scale:e})"
        );
    }

    #[test]
    fn elman_one_step_one_unit_by_hand() {
        // h = tanh(w x + u h0 + b), y = sigmoid(v h), L = (y - z)^2 / 2:
        // dL/dv = e y (1 - y) h, and with g = e y (1 - y) v (1 - h^2):
        // dL/dw = g x, dL/du = g h0, dL/db = g, dL/dh0 = g u, where e = y - z.
        // Every partial is a product of at most 7 rounded factors, each within a few u,
        // computed in another order by the tape: 32 u covers it; an error in the model
        // or the chain rule is off in the leading digits.
        let (r, p, _) = ElmanRnn::new(1, 1, 1, 1, Activation::Tanh, 5);
        let (w, u, v, b) = (p[0], p[1], p[2], p[3]);
        let (x, z) = (r.xs[0][0], r.zs[0][0]);
        for h0 in [0.0, 0.3] {
            let h = (w * x + u * h0 + b).tanh();
            let y = 1.0 / (1.0 + (-(v * h)).exp());
            let e = y - z;
            let loss = 0.5 * e * e;
            let g = e * y * (1.0 - y) * v * (1.0 - h * h);
            let want = [g * x, g * h0, e * y * (1.0 - y) * h, g, g * u];
            let (l, got) = grad_with_h0(&r, &p, &[h0]);
            close("L", l, loss, loss, 8.0);
            for (k, name) in ["W", "U", "V", "b_h", "h0"].iter().enumerate() {
                close(name, got[k], want[k], want[k].abs(), 32.0);
            }
            assert!(e.abs() > 0.05 && want.iter().all(|d| d.is_finite()));
        }
        // with h0 = 0 through eval: the U partial is an exact zero
        let tape = Tape::new();
        let xs = tape.vars(&p);
        let y = r.eval(&xs).remove(0);
        assert_eq!(tape.gradient(&y, &xs)[1], 0.0);
    }

    #[test]
    fn gated_two_steps_one_unit_by_hand() {
        // t = 1: a1 = w x1 + u h0 + bo, y1 = s(a1), c1 = v y1 + d x1 + bh, s1 = s(c1),
        //        h1 = (1 - y1) h0 + y1 s1;  t = 2: y2 = s(w x2 + u h1 + bo).
        // L = ((y1 - z1)^2 + (y2 - z2)^2) / 2. Backwards:
        //   g2 = (y2 - z2) y2 (1 - y2) = dL/da2,  k = dL/dh1 = g2 u,
        //   q = dL/dc1 = k y1 s1 (1 - s1),
        //   g1 = dL/da1 = [(y1 - z1) + k (s1 - h0) + q v] y1 (1 - y1),
        //   dL/dw = g1 x1 + g2 x2, dL/du = g1 h0 + g2 h1, dL/dv = q y1, dL/dd = q x1,
        //   dL/dbo = g1 + g2, dL/dbh = q, dL/dh0 = g1 u + k (1 - y1).
        // Each partial is a short sum of products of at most about 10 rounded factors;
        // 64 u times the sum of the absolute values of its terms bounds the difference
        // between two orders of evaluation.
        let (r, p, _) = GatedRnn::new(1, 1, 2, 8);
        let (w, u, v, d, bo, bh) = (p[0], p[1], p[2], p[3], p[4], p[5]);
        let (x1, x2, z1, z2) = (r.xs[0][0], r.xs[1][0], r.zs[0][0], r.zs[1][0]);
        let sg = |a: f64| 1.0 / (1.0 + (-a).exp());
        let h0 = -0.4;
        let y1 = sg(w * x1 + u * h0 + bo);
        let s1 = sg(v * y1 + d * x1 + bh);
        let h1 = (1.0 - y1) * h0 + y1 * s1;
        let y2 = sg(w * x2 + u * h1 + bo);
        let loss = 0.5 * ((y1 - z1).powi(2) + (y2 - z2).powi(2));
        let g2 = (y2 - z2) * y2 * (1.0 - y2);
        let k = g2 * u;
        let q = k * y1 * s1 * (1.0 - s1);
        let dy1 = [y1 - z1, k * (s1 - h0), q * v];
        let g1 = (dy1[0] + dy1[1] + dy1[2]) * y1 * (1.0 - y1);
        let g1s = (dy1[0].abs() + dy1[1].abs() + dy1[2].abs()) * y1 * (1.0 - y1);
        // (value, sum of absolute values of its terms)
        let want = [
            (g1 * x1 + g2 * x2, (g1s * x1).abs() + (g2 * x2).abs()),
            (g1 * h0 + g2 * h1, (g1s * h0).abs() + (g2 * h1).abs()),
            (q * y1, (q * y1).abs()),
            (q * x1, (q * x1).abs()),
            (g1 + g2, g1s + g2.abs()),
            (q, q.abs()),
            (
                g1 * u + k * (1.0 - y1),
                (g1s * u).abs() + (k * (1.0 - y1)).abs(),
            ),
        ];
        let (l, got) = grad_with_h0(&r, &p, &[h0]);
        close("L", l, loss, loss, 16.0);
        for (kk, name) in ["W", "U", "V", "D", "b_o", "b_h", "h0"].iter().enumerate() {
            let (val, scale) = want[kk];
            assert!(val.abs() > 1e-3 * scale && val != 0.0, "{name} degenerate");
            close(name, got[kk], val, scale, 64.0);
        }
        // one step from h0 = 0: only y_1 enters the loss, so U, V, D and b_h have exact
        // zero partials
        let (r1, p1, _) = GatedRnn::new(1, 1, 1, 8);
        let tape = Tape::new();
        let xs = tape.vars(&p1);
        let y = r1.eval(&xs).remove(0);
        let g = tape.gradient(&y, &xs);
        assert_eq!([g[1], g[2], g[3], g[5]], [0.0; 4]);
        assert!(g[0] != 0.0 && g[4] != 0.0);
    }

    /// The bits allowed against the reference for an unrolled network recorded as K
    /// tape entries: rounding errors of K elementals reach a result at most once per
    /// path, and the tangent or adjoint sweep adds at most three roundings per elemental
    /// (the product rule u' w + u w' is three operations), so the first-order
    /// worst-case bound is 4 K u relative to the scale of the contributions, i.e.
    /// log2(1 + 4 K) bits. It grows with T only like log2(T): 13.5 bits for the
    /// 50-step Elman test network (K = 2978), 14.4 for the gated one (K = 5290), while
    /// the random-walk estimate log2(sqrt(4 K)) is 6 to 7 bits. The scale of the
    /// contributions is taken as the largest entry of the gradient ([`Measure::Normwise`]):
    /// an entry that cancels to a small value keeps the error of its large terms.
    fn rnn_bits(s: &Scenario) -> f64 {
        (1.0 + 4.0 * tape_len(s) as f64).log2()
    }

    #[test]
    fn elman_forward_reverse_and_mpfr_agree() {
        for (steps, seed) in [(1, 1), (5, 2), (50, 3), (50, 14)] {
            for act in [Activation::Tanh, Activation::Sigmoid] {
                let s = ElmanRnn::scenario("elman-test", "test", 2, 3, 2, steps, act, seed);
                assert_methods_agree(&s, rnn_bits(&s), Measure::Normwise);
            }
        }
    }

    #[test]
    fn gated_forward_reverse_and_mpfr_agree() {
        for (steps, seed) in [(1, 1), (5, 2), (50, 6), (50, 15)] {
            let s = GatedRnn::scenario("gated-test", "test", 2, 3, steps, seed);
            assert_methods_agree(&s, rnn_bits(&s), Measure::Normwise);
        }
    }

    #[test]
    fn fifty_steps_neither_overflow_nor_vanish() {
        // the gradient with respect to the weights and to h0 after 50 steps: finite and
        // nonzero for every component
        let check = |l: f64, g: &[f64]| {
            assert!(l.is_finite() && l > 0.0);
            assert!(g.iter().all(|v| v.is_finite() && *v != 0.0), "{g:?}");
        };
        for act in [Activation::Tanh, Activation::Sigmoid, Activation::Identity] {
            for seed in 0..4 {
                let (r, p, _) = ElmanRnn::new(3, 4, 2, 50, act, seed);
                let (l, g) = grad_with_h0(&r, &p, &[0.5; 4]);
                check(l, &g);
            }
        }
        for seed in 0..4 {
            let (r, p, _) = GatedRnn::new(3, 4, 50, seed);
            let (l, g) = grad_with_h0(&r, &p, &[0.5; 4]);
            check(l, &g);
        }
    }
}
