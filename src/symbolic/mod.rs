//! Symbolic differentiation of formula scenarios, and the expression swell it measures.
//!
//! [`differentiate`] turns a compiled [`Program`] into one derivative *expression* per
//! output i and input j, which [`Derivatives::eval`] then evaluates over any
//! [`Scalar`] (`f64` for accuracy, `rug::Float` to check the reference). The lecture's
//! contrast with AD is in the sizes: the same expressions written as plain trees
//! ([`Sharing::Tree`]) grow quadratically on the product of n inputs, while the
//! hash-consed DAG ([`Sharing::Dag`]) grows linearly, like the AD tape; [`swell`] and
//! [`swell_series`] measure it and [`fitted_exponent`] fits the growth.
//!
//! # Construction
//!
//! The chain rule is applied to expressions, from each output back to the inputs: the
//! adjoint expression dy/dv of every node v is the sum of its consumers'
//! contributions, each a local partial derivative times the consumer's adjoint
//! expression (`ubar += vbar * psi'(u)`), in the order of the reverse sweep of
//! [`crate::ad::Tape`] and with the same local partials written with the same
//! operations ([`crate::num::unary_deriv_generic`]). Evaluated in f64, the
//! expressions therefore give the reverse-mode numbers bit for bit, apart from the
//! sign of a zero. Where an adjoint of exactly 0 meets an infinite partial (d/dx1 of
//! max(x2, sqrt(x1)) at (0, 1), of exp(-1/x1^2) at 0), the tape keeps 0 by its guarded
//! rerun ([`crate::ad::Tape::gradient`]), and [`Derivatives::eval`] likewise evaluates
//! again, where an entry came out NaN, with each product of an adjoint guarded on that
//! adjoint. They are expressions, built once and evaluated at any point.
//! Adjoints are only propagated into nodes that depend on an input: the derivative of
//! a constant subexpression is 0 and is left out of every sum.
//!
//! The rules, in forward form (u' = du/dx_j) and as the adjoint contributions built:
//!
//! | elemental | derivative | contribution to the arguments' adjoints |
//! | --- | --- | --- |
//! | u + w, u - w | u' ± w' | ubar += vbar; wbar ±= vbar |
//! | u w | u' w + u w' | ubar += vbar w; wbar += vbar u |
//! | u / w | (u' - v w') / w | t = vbar / w: ubar += t; wbar -= t v |
//! | pow(u, w) | v (w' log u + w u' / u) | ubar += (vbar v) w / u (where v is not a normal f64 number: (u^(w-1) w) vbar); wbar += (vbar v) log u |
//! | min(u, w), max(u, w) | the derivative of the selected argument | select(picks u: vbar, 0) to u, select(picks u: 0, vbar) to w |
//! | -u | -u' | ubar -= vbar |
//! | 1/u | -v^2 u' | ubar += (-(v v)) vbar |
//! | exp u | v u' | ubar += v vbar |
//! | log u | u' / u, +inf u' at u = ±0 | ubar += (u == 0 ? recip(u + 0) : recip(u)) vbar |
//! | sqrt u | u' / (2 v), +inf u' at u = ±0 | ubar += (v == 0 ? recip((v + 0) 2) : recip(v 2)) vbar |
//! | sin u, cos u | cos u u', -sin u u' | ubar += cos(u) vbar, ubar += (-sin u) vbar |
//! | tan u | (1 + v^2) u' | ubar += (v v + 1) vbar |
//! | tanh u | (1 - v^2) u' for \|u\| <= 1/2, else 4e / (1 + e)^2 u' with e = exp(-2\|u\|) | ubar += select(\|u\| <= 1/2: 1 - v v, (e 4) / ((e + 1) (e + 1))) vbar |
//! | sigmoid u | v (1 - v) u' for u <= 1/2, else e / (1 + e)^2 u' with e = exp(-u) | ubar += select(u <= 1/2: v (1 - v), e / ((e + 1) (e + 1))) vbar |
//! | atan u | u' / (1 + u^2), for \|u\| > 1e150 r^2 / (r^2 + 1) u' with r = 1/u | ubar += select(\|u\| <= 1e150: recip(u u + 1), (r r) / (r r + 1)) vbar |
//! | abs u | sign(u) u' | ubar += sign(u) vbar |
//! | u^k | k u^(k-1) u' | ubar += (u^(k-1) k) vbar (k = 2: u 2; k = 1: 1; k = 0: 0) |
//!
//! Four node kinds exist only in derivatives: [`Node::Sign`], which evaluates to 1, -1
//! or 0 (also for NaN); [`Node::Select`], which picks one of two values by the
//! comparison min or max makes (ties and NaN pick the left argument);
//! [`Node::IfZero`], which picks one of two values by whether a value is exactly zero
//! (NaN is not), for the zero-base limits of pow; and [`Node::IfNotNormal`], which picks
//! by whether the f64 value of u^w is 0, subnormal or infinite at a finite base, for the
//! slope of pow in its base. All decide as the AD types do.
//!
//! # Simplification
//!
//! Only where it is exact, while building derivative nodes (the function's own nodes
//! are kept as compiled): constant folding when the f64 result is the exact real
//! result (so the folded constant means the same at every precision), `1*x = x*1 =
//! x/1 = x`, `--x = x`, `x + 0 = 0 + x = x - 0 = x` and `0 - x = -x` (exact except for
//! the sign of a zero result), and no adjoint for constant subexpressions. `x * 0` is
//! folded only when x is a constant (a finite one, by folding); with any other x it
//! stays, since 0 * inf and 0 * NaN are NaN. `docs/symbolic.md` gives the reasons.
//!
//! # Sizes
//!
//! One construction serves both variants: a tree is the DAG with every shared node
//! copied at each use, which computes the same operations in the same order. Its size
//! is counted, never built: the tree size of a node is 1 + the tree sizes of its
//! arguments (saturating `u128`). [`Sharing::Tree`] evaluates through the DAG too
//! (the numbers are identical); what differs is [`Derivatives::node_count`].
//!
//! ```
//! use derivbench::scenario::expr::{Compiler, Env, Limits, Shape};
//! use derivbench::symbolic::{differentiate, Sharing};
//!
//! let mut env = Env::new();
//! env.add_input("x", Shape::Vector(3)).unwrap();
//! let mut c = Compiler::new(&env, Limits::default());
//! c.add_output("prod(i, 1, 3, x[i])", &[]).unwrap();
//! let p = c.finish();
//! let d = differentiate(&p, Sharing::Dag);
//! assert_eq!(d.eval(&[2.0, 3.0, 5.0]), vec![vec![15.0, 10.0, 6.0]]);
//! assert_eq!(d.expression(0, 0, &["x1", "x2", "x3"], 100).unwrap(), "(x3 * x2)");
//! assert!(differentiate(&p, Sharing::Tree).node_count() > d.node_count());
//! ```

mod graph;
mod rules;
mod swell;

#[cfg(test)]
mod tests;

pub use graph::Node;
pub use swell::{
    fitted_exponent, growth, lecture_ns, swell, swell_series, swell_within, Growth, SeriesKind,
    Swell, FIT_FROM,
};

use crate::num::{Binary, Scalar, Unary};
use crate::scenario::expr::Program;
use graph::eval_node;

/// How the size of the derivative expressions is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Sharing {
    /// plain trees: every use of a subexpression is a copy (the naive symbolic
    /// derivative)
    Tree,
    /// one hash-consed DAG: each distinct subexpression once, shared by all entries and
    /// with the function
    Dag,
}

/// The derivative expressions d y_i / d x_j of a program, for every output i and input
/// j, as one hash-consed graph.
#[derive(Clone, Debug)]
pub struct Derivatives {
    sharing: Sharing,
    n_inputs: usize,
    /// the whole graph (function and derivative nodes)
    graph: Vec<Node>,
    /// roots[i][j]: node of d y_i / d x_j
    roots: Vec<Vec<usize>>,
    /// the nodes reachable from the roots, in order, with arguments renumbered to
    /// positions in this list: what one evaluation computes
    plan: Vec<Node>,
    /// roots as positions in `plan`
    plan_roots: Vec<Vec<usize>>,
    /// `plan_guards[p]`: the position of the adjoint that the product at position p is
    /// guarded on in a rerun ([`crate::ad::still`]), where it is one
    plan_guards: Vec<Option<usize>>,
    /// tree size of every node of `nodes`
    tree: Vec<u128>,
    tree_total: u128,
}

/// Differentiates every output of `program` with respect to every input.
///
/// The result is the same for both [`Sharing`] variants except for
/// [`Derivatives::node_count`] (and [`Derivatives::sharing`]).
pub fn differentiate(program: &Program, sharing: Sharing) -> Derivatives {
    differentiate_within(program, sharing, usize::MAX).expect("no budget")
}

/// The most nodes a derivative graph may hold in a run: a graph grows with the outputs times the program each reaches, which the limits of
/// scenario files bound only apart, so that a formula within them could otherwise
/// take all the memory there is (2000 outputs, each over 82,000 instructions).
pub const MAX_NODES: usize = 16_000_000;

/// [`differentiate`], or `None` once the graph holds more than `max_nodes` nodes.
pub fn differentiate_within(
    program: &Program,
    sharing: Sharing,
    max_nodes: usize,
) -> Option<Derivatives> {
    rules::build(program, None, max_nodes).map(|b| from_built(b, program.n_inputs(), sharing))
}

fn from_built(b: rules::Built, n_inputs: usize, sharing: Sharing) -> Derivatives {
    let keep = b.graph.reachable(b.roots.iter().flatten().copied());
    let tree = b.graph.tree_sizes();
    let graph = b.graph.nodes;
    let mut pos = vec![usize::MAX; graph.len()];
    for (p, &i) in keep.iter().enumerate() {
        pos[i] = p;
    }
    let plan = keep
        .iter()
        .map(|&i| graph[i].map_args(|a| pos[a]))
        .collect();
    let mut plan_guards = vec![None; keep.len()];
    for (&r, &t) in &b.guards {
        if pos[r] != usize::MAX && pos[t] != usize::MAX {
            plan_guards[pos[r]] = Some(pos[t]);
        }
    }
    let plan_roots = b
        .roots
        .iter()
        .map(|r| r.iter().map(|&i| pos[i]).collect())
        .collect();
    let tree_total = b
        .roots
        .iter()
        .flatten()
        .fold(0u128, |acc, &r| acc.saturating_add(tree[r]));
    Derivatives {
        sharing,
        n_inputs,
        graph,
        roots: b.roots,
        plan,
        plan_roots,
        plan_guards,
        tree,
        tree_total,
    }
}

impl Derivatives {
    /// Evaluates every derivative at `x`: `[output][input]`.
    ///
    /// One pass over the DAG computes all entries (they share it); the tree variant
    /// evaluates the same way, since its trees compute the same operations in the same
    /// order. Constants are built with `x[0].cst(c)`, so they inherit its precision.
    ///
    /// # Panics
    ///
    /// When `x.len()` is not the program's number of inputs.
    pub fn eval<S: Scalar>(&self, x: &[S]) -> Vec<Vec<S>> {
        assert_eq!(
            x.len(),
            self.n_inputs,
            "Derivatives::eval: expected {} inputs, got {}",
            self.n_inputs,
            x.len()
        );
        if x.is_empty() {
            // no inputs: every row of the Jacobian is empty
            return vec![Vec::new(); self.roots.len()];
        }
        let rows = self.eval_plan::<false, S>(x);
        if rows.iter().flatten().any(|e| e.re().is_nan()) {
            return crate::num::uncounted(|| self.eval_plan::<true, S>(x));
        }
        rows
    }

    /// One pass over the plan, with the adjoint products guarded when `GUARD`, as the
    /// tape's sweep reruns guarded where an adjoint it returns is NaN: a product that is
    /// NaN while the adjoint it is keyed on is exactly 0 is 0 (0 times an infinite
    /// partial, d/dx1 of max(x2, sqrt(x1)) at x1 = 0).
    fn eval_plan<const GUARD: bool, S: Scalar>(&self, x: &[S]) -> Vec<Vec<S>> {
        let mut v: Vec<S> = Vec::with_capacity(self.plan.len());
        for (node, guard) in self.plan.iter().zip(&self.plan_guards) {
            let r = eval_node(node, &v, x);
            let r = match guard {
                Some(t) if GUARD => crate::ad::still(r, &v[*t]),
                _ => r,
            };
            v.push(r);
        }
        self.plan_roots
            .iter()
            .map(|r| r.iter().map(|&p| v[p].clone()).collect())
            .collect()
    }

    /// The size of the derivatives: for [`Sharing::Dag`], the number of distinct nodes
    /// needed by all entries together (including the function's nodes they use); for
    /// [`Sharing::Tree`], the sum over the entries of their tree sizes (saturating at
    /// `u128::MAX`).
    pub fn node_count(&self) -> u128 {
        match self.sharing {
            Sharing::Dag => self.plan.len() as u128,
            Sharing::Tree => self.tree_total,
        }
    }

    /// How [`Derivatives::node_count`] counts.
    pub fn sharing(&self) -> Sharing {
        self.sharing
    }

    /// The number of outputs (rows).
    pub fn n_outputs(&self) -> usize {
        self.roots.len()
    }

    /// The number of inputs (columns).
    pub fn n_inputs(&self) -> usize {
        self.n_inputs
    }

    /// The tree size of the expression of d y_i / d x_j.
    pub fn tree_size(&self, i: usize, j: usize) -> u128 {
        self.tree[self.roots[i][j]]
    }

    /// The nodes needed by all entries, in evaluation order (arguments are positions
    /// in this list).
    pub fn nodes(&self) -> &[Node] {
        &self.plan
    }

    /// The position in [`Derivatives::nodes`] of d y_i / d x_j.
    pub fn root(&self, i: usize, j: usize) -> usize {
        self.plan_roots[i][j]
    }

    /// d y_i / d x_j written out as a tree, with `names[k]` for input k (`x[k]`,
    /// 0-based, when missing); `None` when the tree has more than `max_nodes` nodes.
    ///
    /// Every bivariate operation is parenthesised, and so is the base of a power where
    /// it is a power or a negative constant (`(x^2)^3`, `(-2.0)^2`); `sign(u)` is [`Node::Sign`],
    /// `(u <= w ? a : b)`, `(u >= w ? a : b)` are [`Node::Select`] for min and max, and
    /// `(u == 0.0 ? a : b)` is [`Node::IfZero`] and `(not_normal(v) && finite(u) ? a : b)`
    /// is [`Node::IfNotNormal`].
    pub fn expression(
        &self,
        i: usize,
        j: usize,
        names: &[&str],
        max_nodes: u128,
    ) -> Option<String> {
        let r = self.roots[i][j];
        if self.tree[r] > max_nodes {
            return None;
        }
        let mut s = String::new();
        write_tree(&self.graph, r, names, &mut s);
        Some(s)
    }
}

fn write_tree(nodes: &[Node], i: usize, names: &[&str], s: &mut String) {
    use std::fmt::Write;
    let w = |k: usize, s: &mut String| write_tree(nodes, k, names, s);
    match nodes[i] {
        Node::Input(k) => match names.get(k) {
            Some(n) => s.push_str(n),
            None => {
                let _ = write!(s, "x[{k}]");
            }
        },
        Node::Const(c) => {
            let _ = write!(s, "{c:?}");
        }
        Node::Unary(op, a) => match op {
            Unary::Neg => {
                s.push_str("(-");
                w(a, s);
                s.push(')');
            }
            Unary::Powi(k) => {
                // a power's base in parentheses where it would otherwise read as
                // something else: (x^2)^3 is not x^(2^3), (-2)^2 is not -(2^2)
                let wrap = match nodes[a] {
                    Node::Unary(Unary::Powi(_), _) => true,
                    Node::Const(c) => c.is_sign_negative(),
                    _ => false,
                };
                if wrap {
                    s.push('(');
                    w(a, s);
                    s.push(')');
                } else {
                    w(a, s);
                }
                let _ = write!(s, "^{k}");
            }
            _ => {
                let _ = write!(s, "{}(", op.name());
                w(a, s);
                s.push(')');
            }
        },
        Node::Binary(op, a, b) => match op {
            Binary::Add | Binary::Sub | Binary::Mul | Binary::Div => {
                s.push('(');
                w(a, s);
                let _ = write!(s, " {} ", op.name());
                w(b, s);
                s.push(')');
            }
            _ => {
                let _ = write!(s, "{}(", op.name());
                w(a, s);
                s.push_str(", ");
                w(b, s);
                s.push(')');
            }
        },
        Node::Sign(a) => {
            s.push_str("sign(");
            w(a, s);
            s.push(')');
        }
        Node::Select {
            op,
            u,
            w: wi,
            then,
            otherwise,
        } => {
            s.push('(');
            w(u, s);
            s.push_str(if op == Binary::Min { " <= " } else { " >= " });
            w(wi, s);
            s.push_str(" ? ");
            w(then, s);
            s.push_str(" : ");
            w(otherwise, s);
            s.push(')');
        }
        Node::IfZero { x, then, otherwise } => {
            s.push('(');
            w(x, s);
            s.push_str(" == 0.0 ? ");
            w(then, s);
            s.push_str(" : ");
            w(otherwise, s);
            s.push(')');
        }
        Node::IfNotNormal {
            v,
            u,
            then,
            otherwise,
        } => {
            s.push_str("(not_normal(");
            w(v, s);
            s.push_str(") && finite(");
            w(u, s);
            s.push_str(") ? ");
            w(then, s);
            s.push_str(" : ");
            w(otherwise, s);
            s.push(')');
        }
    }
}
