//! The recurrent-network series: the same Elman network or gated cell unrolled over a
//! growing number of steps T, with the norm of dL_T/dh_0 (the gradient of the last
//! step's loss L_T with respect to the initial hidden state, from the MPFR reference:
//! the product of T Jacobians dh_t/dh_{t-1} that vanishes or explodes), and, for the
//! loss L = L_1 + ... + L_T of the network unrolled over T steps (the scenario's
//! function, not L_T alone), the worst bits of error of reverse mode over its weight
//! gradient and the worst bits of error of central differences at the textbook step
//! over a few sampled weights.
//!
//! # Which networks
//!
//! The weights of a recurrent scenario are drawn first and its sequence step by step
//! after them (see `scenario::families::rnn`), so the network with T steps is the
//! scenario's own network with its sequence cut to the first T steps: exactly what
//! rebuilding it from the same seed with T steps gives. The scenario keeps its own
//! sequence but not its seed, so a T larger than the scenario's number of steps has
//! no data and is left out of the series.

use crate::ad::Tape;
use crate::fd::{fd_column, FdKind, Stencil};
use crate::measure::{reference_jacobian, RefOptions};
use crate::num::{bits_err, Scalar};
use crate::results::RecurrentPoint;
use crate::scenario::{sample_indices, ElmanRnn, Function, GatedRnn, Model, Scenario};
use rug::Float;

/// The numbers of steps of the default series.
pub const DEFAULT_STEPS: [usize; 7] = [1, 2, 5, 10, 20, 50, 100];

/// How many weights the central differences are taken on (evenly spread, first and
/// last included).
pub const FD_SAMPLE: usize = 8;

/// A recurrent cell of either kind.
#[derive(Clone, Debug)]
enum Cell {
    Elman(ElmanRnn),
    Gated(GatedRnn),
}

impl Cell {
    fn of(model: &Model) -> Option<Cell> {
        match model {
            Model::ElmanRnn(r) => Some(Cell::Elman(r.clone())),
            Model::GatedRnn(r) => Some(Cell::Gated(r.clone())),
            _ => None,
        }
    }

    fn steps(&self) -> usize {
        match self {
            Cell::Elman(r) => r.steps(),
            Cell::Gated(r) => r.steps(),
        }
    }

    fn hidden(&self) -> usize {
        match self {
            Cell::Elman(r) => r.hidden,
            Cell::Gated(r) => r.hidden,
        }
    }

    /// The same cell with its sequence cut to the first `t` steps (`None` when it has
    /// fewer).
    fn truncated(&self, t: usize) -> Option<Cell> {
        if t == 0 || t > self.steps() {
            return None;
        }
        Some(match self {
            Cell::Elman(r) => {
                let mut c = r.clone();
                c.xs.truncate(t);
                c.zs.truncate(t);
                Cell::Elman(c)
            }
            Cell::Gated(r) => {
                let mut c = r.clone();
                c.xs.truncate(t);
                c.zs.truncate(t);
                Cell::Gated(c)
            }
        })
    }

    fn eval_with_h0<S: Scalar>(&self, p: &[S], h0: &[S]) -> Vec<S> {
        match self {
            Cell::Elman(r) => r.eval_with_h0(p, h0),
            Cell::Gated(r) => r.eval_with_h0(p, h0),
        }
    }
}

/// The loss as a function of the weights followed by h_0.
struct WithH0<'a> {
    cell: &'a Cell,
    n: usize,
}

impl Function for WithH0<'_> {
    fn eval<S: Scalar>(&self, x: &[S]) -> Vec<S> {
        self.cell.eval_with_h0(&x[..self.n], &x[self.n..])
    }
}

/// The loss of the last step alone, L_T = L(T) - L(T - 1), as a function of h_0 at fixed
/// weights. The difference is taken in the scalar itself: in MPFR the reference loop
/// raises the precision until it settles, so the cancellation costs nothing.
struct LastStep<'a> {
    full: &'a Cell,
    prev: Option<Cell>,
    p: &'a [f64],
}

impl Function for LastStep<'_> {
    fn eval<S: Scalar>(&self, h0: &[S]) -> Vec<S> {
        let p: Vec<S> = self.p.iter().map(|&v| h0[0].cst(v)).collect();
        let full = self.full.eval_with_h0(&p, h0).remove(0);
        match &self.prev {
            Some(c) => vec![full.sub(&c.eval_with_h0(&p, h0).remove(0))],
            None => vec![full],
        }
    }
}

/// The norm of dL_T/dh_0 at h_0 = 0, from the MPFR reference.
fn last_step_norm(cell: &Cell, p: &[f64], opts: &RefOptions) -> f64 {
    let nh = cell.hidden();
    let prev = cell.truncated(cell.steps() - 1);
    let f = LastStep {
        full: cell,
        prev,
        p,
    };
    let cols: Vec<usize> = (0..nh).collect();
    let r = reference_jacobian(&f, &vec![0.0; nh], &cols, opts);
    let prec = r.entries[0]
        .iter()
        .map(|e| e.precision)
        .max()
        .unwrap_or(256);
    let mut sq = Float::with_val(prec, 0);
    for e in &r.entries[0] {
        sq += Float::with_val(prec, &e.value * &e.value);
    }
    sq.sqrt().to_f64()
}

/// One point: the cell `cell` at weights `p`, from h_0 = 0.
fn point(cell: &Cell, p: &[f64], opts: &RefOptions) -> RecurrentPoint {
    let n = p.len();
    let nh = cell.hidden();
    let mut all = p.to_vec();
    all.extend(std::iter::repeat_n(0.0, nh));
    let cols: Vec<usize> = (0..n + nh).collect();
    let f = WithH0 { cell, n };
    let reference = reference_jacobian(&f, &all, &cols, opts);
    let row = &reference.entries[0];
    let refs: Vec<f64> = row.iter().map(|e| e.to_f64()).collect();

    let grad_h0_norm = last_step_norm(cell, p, opts);

    let tape = Tape::new();
    let xs = tape.vars(&all);
    let y = f.eval(&xs).remove(0);
    let g = tape.gradient(&y, &xs);
    let ad_bits = (0..n)
        .map(|j| bits_err(g[j], refs[j]))
        .fold(0.0f64, f64::max);

    let h0 = vec![0.0; nh];
    let loss = |q: &[f64]| cell.eval_with_h0(q, &h0);
    let fd_bits = sample_indices(n, FD_SAMPLE)
        .into_iter()
        .map(|j| {
            let st = Stencil::new(FdKind::Central, p[j], FdKind::Central.textbook_step(p[j]));
            if !st.usable() {
                return 64.0;
            }
            bits_err(fd_column(&loss, p, j, &st)[0], refs[j])
        })
        .fold(0.0f64, f64::max);

    RecurrentPoint {
        steps: cell.steps(),
        grad_h0_norm,
        ad_bits,
        fd_bits,
    }
}

/// Whether the scenario is a recurrent network, which has a series.
pub fn has_series(sc: &Scenario) -> bool {
    Cell::of(&sc.model).is_some()
}

/// The series of a recurrent scenario (`Model::ElmanRnn` or `Model::GatedRnn`) over
/// the numbers of steps `steps`, in the order given; empty for other scenarios. Each
/// point unrolls the scenario's network over T steps from h_0 = 0 at the scenario's
/// weights; a T of 0 or beyond the scenario's own number of steps is left out (see
/// the module documentation). Its references start from the scenario's own precision
/// (`reference.precision`), with the default settings otherwise.
pub fn recurrent_series(sc: &Scenario, steps: &[usize]) -> Vec<RecurrentPoint> {
    recurrent_series_with(sc, steps, &RefOptions::default())
}

/// [`recurrent_series`] with the references' settings `opts` (those of `run`'s
/// accuracy options), from the scenario's own precision: `opts.start_precision` is not
/// used, as in [`crate::measure::accuracy::run_reference`].
pub fn recurrent_series_with(
    sc: &Scenario,
    steps: &[usize],
    opts: &RefOptions,
) -> Vec<RecurrentPoint> {
    let Some(cell) = Cell::of(&sc.model) else {
        return Vec::new();
    };
    let opts = RefOptions {
        start_precision: sc.precision,
        ..*opts
    };
    steps
        .iter()
        .filter_map(|&t| cell.truncated(t))
        .map(|c| point(&c, &sc.x, &opts))
        .collect()
}
