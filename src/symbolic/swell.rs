//! Expression swell: the sizes of a function and of its symbolic gradient, as trees and
//! as a DAG, next to the length of the reverse-mode tape, and their growth on the
//! lecture's two examples.

use super::graph::{reachable, tree_sizes};
use super::{differentiate_within, Sharing};
use crate::ad::Tape;
use crate::scenario::expr::{Compiler, Env, Instr, Limits, Program, Shape};

/// The sizes of one program and of its symbolic gradient (all outputs, all inputs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Swell {
    /// the function as trees: the sum over the outputs of their tree sizes
    /// (saturating at `u128::MAX`)
    pub function_tree: u128,
    /// the function as a DAG: distinct instructions needed by the outputs
    pub function_dag: u64,
    /// the symbolic derivatives as plain trees: the sum over all entries d y_i / d x_j
    /// of their tree sizes (saturating at `u128::MAX`)
    pub gradient_tree: u128,
    /// the symbolic derivatives as one hash-consed DAG: distinct nodes needed by all
    /// entries together, including the function's nodes they use
    pub gradient_dag: u64,
    /// entries of the reverse-mode tape after recording the function
    /// ([`Tape::len`]: one per input, constant and elemental); 0 for a program without
    /// inputs, which cannot be recorded
    pub tape_len: u64,
}

fn instr_args(ins: &Instr) -> std::iter::Take<std::array::IntoIter<usize, 2>> {
    let (a, k) = match *ins {
        Instr::Input(_) | Instr::Const(_) => ([0, 0], 0),
        Instr::Unary(_, a) => ([a, 0], 1),
        Instr::Binary(_, a, b) => ([a, b], 2),
    };
    a.into_iter().take(k)
}

/// The sizes of `program` and of its symbolic gradient.
pub fn swell(program: &Program) -> Swell {
    swell_within(program, usize::MAX).expect("no budget")
}

/// [`swell`], or `None` where the derivative graph passes `max_nodes` nodes
/// ([`super::differentiate_within`]).
pub fn swell_within(program: &Program, max_nodes: usize) -> Option<Swell> {
    let instrs = program.instructions();
    let outs = program.outputs();
    let ftree = tree_sizes(instrs, instr_args);
    let function_tree = outs
        .iter()
        .fold(0u128, |acc, &o| acc.saturating_add(ftree[o]));
    let function_dag = reachable(instrs, outs.iter().copied(), instr_args).len() as u64;
    // one construction, both counts
    let d = differentiate_within(program, Sharing::Dag, max_nodes)?;
    let gradient_dag = d.node_count() as u64;
    let gradient_tree = d.tree_total;
    let tape_len = if program.n_inputs() == 0 {
        0
    } else {
        let tape: Tape<f64> = Tape::new();
        let xs = tape.vars(&vec![0.5; program.n_inputs()]);
        let _ = program.eval(&xs);
        tape.len() as u64
    };
    Some(Swell {
        function_tree,
        function_dag,
        gradient_tree,
        gradient_dag,
        tape_len,
    })
}

/// The lecture's two examples of expression swell, over a vector input x of length n.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum SeriesKind {
    /// `prod(i, 1, n, x[i])`: the naive symbolic gradient grows like n^2
    Product,
    /// `sum(i, 1, n, x[i]^2)`: every size grows like n
    SumOfSquares,
}

impl SeriesKind {
    /// The formula for `n` inputs.
    pub fn formula(self, n: usize) -> String {
        match self {
            SeriesKind::Product => format!("prod(i, 1, {n}, x[i])"),
            SeriesKind::SumOfSquares => format!("sum(i, 1, {n}, x[i]^2)"),
        }
    }

    /// The compiled formula over the vector input `x` of length `n`.
    ///
    /// # Panics
    ///
    /// When `n` is 0 or beyond the compiler's default limits (10^7 instructions).
    pub fn program(self, n: usize) -> Program {
        let mut env = Env::new();
        env.add_input("x", Shape::Vector(n))
            .expect("a vector input of positive length");
        let mut c = Compiler::new(&env, Limits::default());
        c.add_output(&self.formula(n), &[])
            .expect("the series formula compiles");
        c.finish()
    }
}

/// The n of the lecture's series: 2, 4, ..., 1024.
pub fn lecture_ns() -> Vec<usize> {
    (1..=10).map(|k| 1usize << k).collect()
}

/// The smallest n used by [`growth`] for the fits on the lecture's series: the larger
/// n, where lower-order terms no longer bend the log-log line.
pub const FIT_FROM: usize = 32;

/// [`swell`] of `kind`'s formula for each n of `ns`.
pub fn swell_series(kind: SeriesKind, ns: &[usize]) -> Vec<(usize, Swell)> {
    ns.iter().map(|&n| (n, swell(&kind.program(n)))).collect()
}

/// The least-squares slope b of log(size) = a + b log(n) over `points` = (n, size):
/// the exponent of the growth size ~ n^b. Points with a non-positive or non-finite
/// coordinate are left out; NaN when fewer than two distinct n remain.
pub fn fitted_exponent(points: &[(f64, f64)]) -> f64 {
    let logs: Vec<(f64, f64)> = points
        .iter()
        .filter(|(n, s)| n.is_finite() && s.is_finite() && *n > 0.0 && *s > 0.0)
        .map(|(n, s)| (n.ln(), s.ln()))
        .collect();
    let k = logs.len() as f64;
    if logs.len() < 2 {
        return f64::NAN;
    }
    let mx = logs.iter().map(|p| p.0).sum::<f64>() / k;
    let my = logs.iter().map(|p| p.1).sum::<f64>() / k;
    let sxx: f64 = logs.iter().map(|p| (p.0 - mx) * (p.0 - mx)).sum();
    let sxy: f64 = logs.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    if sxx == 0.0 {
        return f64::NAN;
    }
    sxy / sxx
}

/// The fitted exponent of each size of a [`swell_series`].
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Growth {
    /// exponent of [`Swell::function_tree`]
    pub function_tree: f64,
    /// exponent of [`Swell::function_dag`]
    pub function_dag: f64,
    /// exponent of [`Swell::gradient_tree`]
    pub gradient_tree: f64,
    /// exponent of [`Swell::gradient_dag`]
    pub gradient_dag: f64,
    /// exponent of [`Swell::tape_len`]
    pub tape_len: f64,
}

/// The exponents fitted by [`fitted_exponent`] over the points of `series` with
/// n >= `from_n` (the lecture's fits use [`FIT_FROM`]).
pub fn growth(series: &[(usize, Swell)], from_n: usize) -> Growth {
    let fit = |f: &dyn Fn(&Swell) -> f64| {
        let pts: Vec<(f64, f64)> = series
            .iter()
            .filter(|(n, _)| *n >= from_n)
            .map(|(n, s)| (*n as f64, f(s)))
            .collect();
        fitted_exponent(&pts)
    };
    Growth {
        function_tree: fit(&|s| s.function_tree as f64),
        function_dag: fit(&|s| s.function_dag as f64),
        gradient_tree: fit(&|s| s.gradient_tree as f64),
        gradient_dag: fit(&|s| s.gradient_dag as f64),
        tape_len: fit(&|s| s.tape_len as f64),
    }
}
