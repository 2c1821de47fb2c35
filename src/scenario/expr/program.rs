//! The compiled form of formulas: a straight-line, hash-consed program of elementals in
//! evaluation order, evaluated over any [`Scalar`].

use crate::num::{Binary, Scalar, Unary};

/// One instruction; arguments are indices of earlier instructions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Instr {
    /// slot `k` of the flat input vector x
    Input(usize),
    /// a constant (a literal, constant data, `pi`, `e` or a loop variable's value)
    Const(f64),
    /// a univariate elemental applied to an earlier instruction
    Unary(Unary, usize),
    /// a bivariate elemental applied to two earlier instructions (left, right)
    Binary(Binary, usize, usize),
}

/// Compiled formulas: one straight-line program with one or more outputs.
///
/// Each distinct instruction occurs once (common subexpressions are shared, also across
/// outputs), so that reverse mode records each shared subexpression once. Nothing is
/// folded or simplified: the program computes exactly the f64 operations the formulas
/// describe, left to right as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    pub(crate) instrs: Vec<Instr>,
    pub(crate) outputs: Vec<usize>,
    pub(crate) n_inputs: usize,
}

impl Program {
    /// Evaluates every output at `x`, over any scalar.
    ///
    /// `x` holds the flat inputs (its length is the [`super::Env::n_inputs`] of the
    /// environment the program was compiled in). Constants are built with `x[0].cst(c)`,
    /// so that they inherit its precision or tape; a program with constants therefore
    /// needs at least one input.
    ///
    /// # Panics
    ///
    /// When `x` has the wrong length, or is empty while the program has constants.
    pub fn eval<S: Scalar>(&self, x: &[S]) -> Vec<S> {
        assert_eq!(
            x.len(),
            self.n_inputs,
            "Program::eval: expected {} inputs, got {}",
            self.n_inputs,
            x.len()
        );
        let mut v: Vec<S> = Vec::with_capacity(self.instrs.len());
        for ins in &self.instrs {
            let r = match *ins {
                Instr::Input(k) => x[k].clone(),
                Instr::Const(c) => x
                    .first()
                    .expect("Program::eval: constants are built from x[0], which is missing")
                    .cst(c),
                Instr::Unary(op, a) => v[a].unary(op),
                Instr::Binary(op, a, b) => v[a].binary(op, &v[b]),
            };
            v.push(r);
        }
        self.outputs.iter().map(|&i| v[i].clone()).collect()
    }

    /// The number of outputs.
    pub fn n_outputs(&self) -> usize {
        self.outputs.len()
    }

    /// The number of inputs the program expects (the length of x).
    pub fn n_inputs(&self) -> usize {
        self.n_inputs
    }

    /// The number of instructions.
    pub fn len(&self) -> usize {
        self.instrs.len()
    }

    /// True when the program has no instructions (no outputs were compiled).
    pub fn is_empty(&self) -> bool {
        self.instrs.is_empty()
    }

    /// The instructions, in evaluation order.
    pub fn instructions(&self) -> &[Instr] {
        &self.instrs
    }

    /// The instruction index of each output.
    pub fn outputs(&self) -> &[usize] {
        &self.outputs
    }
}
