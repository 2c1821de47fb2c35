//! The differentiation rules, applied to expressions: for each output, the adjoint
//! expression dy/dv of every node v, accumulated from the output back to the inputs in
//! the order of the reverse sweep of [`crate::ad::Tape`], with the same local partial
//! derivatives written in the same order.

use super::graph::{Graph, Node};
use crate::num::{Binary, Unary, ACTIVATION_SWITCH, ATAN_SWITCH};
use crate::scenario::expr::{Instr, Program};

/// A deliberately wrong rule, for the tests that show a wrong rule is caught: the
/// contribution of elemental `op` to its argument `arg` (0 left, 1 right) is negated.
/// [`super::differentiate`] never sets one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Mutation {
    pub(crate) op: Op,
    pub(crate) arg: usize,
}

/// An elemental, for [`Mutation`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Op {
    Unary(Unary),
    Binary(Binary),
}

/// The derivative graph of a program.
#[derive(Clone, Debug)]
pub(crate) struct Built {
    /// the function's nodes and the derivative nodes, hash-consed together
    pub(crate) graph: Graph,
    /// roots[i][j]: the node of d y_i / d x_j
    pub(crate) roots: Vec<Vec<usize>>,
    /// the products of an adjoint, each with the adjoint (vbar) its guard is keyed on,
    /// as the tape's sweep keys `ad::guard` on vbar: in a rerun where an entry came out
    /// NaN, such a product that is NaN while its vbar is exactly 0 is 0
    pub(crate) guards: std::collections::HashMap<usize, usize>,
}

/// A sign in an adjoint sum: `Add` for `ubar += t`, `Sub` for `ubar -= t`.
type Term = (Binary, usize);

/// Where contributions go: non-input nodes by program index, inputs by slot.
struct Adjoints {
    nodes: Vec<Vec<Term>>,
    inputs: Vec<Vec<Term>>,
}

impl Adjoints {
    fn push(&mut self, program: &Program, i: usize, term: Term) {
        match program.instructions()[i] {
            Instr::Input(k) => self.inputs[k].push(term),
            _ => self.nodes[i].push(term),
        }
    }
}

/// The products of an adjoint that a rerun guards, each keyed on its adjoint.
struct Guards {
    /// product -> adjoint
    map: std::collections::HashMap<usize, usize>,
    /// the first node built by differentiation: the nodes before it are the function's
    function_nodes: usize,
}

/// The product `a op b` of the adjoint `vb` (`op` is `*` or `/`), recorded as guarded
/// on `vb`. A product that simplified away (times a constant 1: an operand) has nothing
/// to guard. The tape computes each product of an adjoint anew in its sweep and guards
/// it on its own adjoint; where the product is also one of the function's nodes (`vb /
/// w` where the function divides the same two values, as in d/dx of x (x / y)) or a
/// product already guarded on another adjoint (e^u w, the product of the adjoint w of
/// e^u and of the adjoint e^u of a pow w), a guard shared with those uses would change
/// their values (x (x / y) at x = y = 0 has a NaN derivative on the tape, not 0), so the
/// product is a node of its own, one for each adjoint.
fn product(g: &mut Graph, guards: &mut Guards, op: Binary, a: usize, b: usize, vb: usize) -> usize {
    let mut r = g.binary(op, a, b);
    if g.nodes[r] == Node::Binary(op, a, b) {
        let shared = r < guards.function_nodes || guards.map.get(&r).is_some_and(|&t| t != vb);
        if shared {
            r = g.copy_of(r, vb);
        }
        guards.map.entry(r).or_insert(vb);
    }
    r
}

/// The sum of the contributions in the order they arrived, as the tape accumulates
/// them: `((t1 ± t2) ± t3) ...`. The tape starts from 0 (`0 + t1`, `0 - t1`); the sum
/// starts from `t1` or `-t1`, which differs only in the sign of a zero.
fn sum(g: &mut Graph, terms: &[Term]) -> Option<usize> {
    let mut acc: Option<usize> = None;
    for &(op, t) in terms {
        acc = Some(match acc {
            None if op == Binary::Sub => g.neg(t),
            None => t,
            Some(a) => g.binary(op, a, t),
        });
    }
    acc
}

/// x + 0, built as it is (the simplification x + 0 = x would drop its point: -0 + 0 is
/// +0), for the one-sided slopes of sqrt and log at a zero of either sign.
fn plus_zero(g: &mut Graph, x: usize) -> usize {
    let c0 = g.cst(0.0);
    g.intern(Node::Binary(Binary::Add, x, c0))
}

/// psi'(u) for a univariate elemental v = psi(u), written exactly as
/// [`crate::num::unary_deriv_generic`] computes it (the same operations in the same
/// order, reusing the value node v where it does).
fn local(g: &mut Graph, op: Unary, u: usize, v: usize) -> usize {
    match op {
        Unary::Neg => g.cst(-1.0),
        // -v^2
        Unary::Recip => {
            let vv = g.mul(v, v);
            g.neg(vv)
        }
        Unary::Exp => v,
        // 1/u, with u + 0 = +0 for u at a value of ±0 (an `IfZero` node), as for sqrt
        Unary::Log => {
            let general = g.unary(Unary::Recip, u);
            let plus = plus_zero(g, u);
            let at_zero = g.unary(Unary::Recip, plus);
            g.if_zero(u, at_zero, general)
        }
        // 1 / (2 sqrt u), with v + 0 = +0 for v at a value of ±0 (an `IfZero` node)
        Unary::Sqrt => {
            let c2 = g.cst(2.0);
            let t = g.mul(v, c2);
            let general = g.unary(Unary::Recip, t);
            let plus = plus_zero(g, v);
            let t0 = g.mul(plus, c2);
            let at_zero = g.unary(Unary::Recip, t0);
            g.if_zero(v, at_zero, general)
        }
        Unary::Sin => g.unary(Unary::Cos, u),
        Unary::Cos => {
            let s = g.unary(Unary::Sin, u);
            g.neg(s)
        }
        // 1 + tan^2
        Unary::Tan => {
            let (vv, c1) = (g.mul(v, v), g.cst(1.0));
            g.add(vv, c1)
        }
        // |u| <= 1/2 ? 1 - v^2 : 4e / (1 + e)^2 with e = exp(-2|u|)
        Unary::Tanh => {
            let a = g.unary(Unary::Abs, u);
            let (c1, vv) = (g.cst(1.0), g.mul(v, v));
            let near = g.binary(Binary::Sub, c1, vv);
            let cm2 = g.cst(-2.0);
            let t = g.mul(a, cm2);
            let e = g.unary(Unary::Exp, t);
            let p = g.add(e, c1);
            let c4 = g.cst(4.0);
            let e4 = g.mul(e, c4);
            let pp = g.mul(p, p);
            let far = g.div(e4, pp);
            let switch = g.cst(ACTIVATION_SWITCH);
            g.select(Binary::Min, a, switch, near, far)
        }
        // u <= 1/2 ? v (1 - v) : e / (1 + e)^2 with e = exp(-u)
        Unary::Sigmoid => {
            let c1 = g.cst(1.0);
            let t = g.binary(Binary::Sub, c1, v);
            let near = g.mul(v, t);
            let nu = g.neg(u);
            let e = g.unary(Unary::Exp, nu);
            let p = g.add(e, c1);
            let pp = g.mul(p, p);
            let far = g.div(e, pp);
            let switch = g.cst(ACTIVATION_SWITCH);
            g.select(Binary::Min, u, switch, near, far)
        }
        // |u| <= 1e150 ? 1 / (1 + u^2) : r^2 / (r^2 + 1) with r = 1/u
        Unary::Atan => {
            let (uu, c1) = (g.mul(u, u), g.cst(1.0));
            let t = g.add(uu, c1);
            let near = g.unary(Unary::Recip, t);
            let r = g.unary(Unary::Recip, u);
            let rr = g.mul(r, r);
            let d = g.add(rr, c1);
            let far = g.div(rr, d);
            let a = g.unary(Unary::Abs, u);
            let switch = g.cst(ATAN_SWITCH);
            g.select(Binary::Min, a, switch, near, far)
        }
        Unary::Abs => g.sign(u),
        // k u^(k-1)
        Unary::Powi(k) => match k {
            0 => g.cst(0.0),
            1 => g.cst(1.0),
            2 => {
                let c2 = g.cst(2.0);
                g.mul(u, c2)
            }
            _ => match k.checked_sub(1) {
                Some(k1) => {
                    let p = g.unary(Unary::Powi(k1), u);
                    let ck = g.cst(f64::from(k));
                    g.mul(p, ck)
                }
                // u^(i32::MIN): k u^k / u, since k - 1 is not an i32
                None => {
                    let ck = g.cst(f64::from(k));
                    let t = g.mul(v, ck);
                    g.div(t, u)
                }
            },
        },
    }
}

/// `x == 0 ? then : otherwise`, the exact-zero test of
/// [`crate::num::Scalar::value_is_zero`] that the AD types make (a NaN is not zero).
fn if_zero(g: &mut Graph, x: usize, then: usize, otherwise: usize) -> usize {
    g.if_zero(x, then, otherwise)
}

/// Differentiates every output of `program` with respect to every input.
/// The derivative graph of `program`, or `None` once it holds more than `max_nodes`
/// nodes (checked after each rule, each of which adds a bounded number).
pub(crate) fn build(
    program: &Program,
    mutation: Option<Mutation>,
    max_nodes: usize,
) -> Option<Built> {
    let instrs = program.instructions();
    let n = program.n_inputs();
    let mut g = Graph::default();
    // the function's own nodes, as compiled (no simplification)
    let mut map: Vec<usize> = Vec::with_capacity(instrs.len());
    // active: depends on at least one input
    let mut active: Vec<bool> = Vec::with_capacity(instrs.len());
    for ins in instrs {
        let (node, act) = match *ins {
            Instr::Input(k) => (Node::Input(k), true),
            Instr::Const(c) => (Node::Const(c), false),
            Instr::Unary(op, a) => (Node::Unary(op, map[a]), active[a]),
            Instr::Binary(op, a, b) => (Node::Binary(op, map[a], map[b]), active[a] || active[b]),
        };
        map.push(g.intern(node));
        active.push(act);
    }

    // the contribution t of `op` to its argument `arg`, negated by a mutation
    let wrong = |g: &mut Graph, op: Op, arg: usize, t: usize| -> usize {
        match mutation {
            Some(m) if m.op == op && m.arg == arg => g.neg(t),
            _ => t,
        }
    };
    let (un, bin) = (Op::Unary, Op::Binary);

    let mut guards = Guards {
        map: std::collections::HashMap::new(),
        function_nodes: g.nodes.len(),
    };
    let one = g.cst(1.0);
    let zero = g.cst(0.0);
    let mut adj = Adjoints {
        nodes: vec![Vec::new(); instrs.len()],
        inputs: vec![Vec::new(); n],
    };
    let mut roots = Vec::with_capacity(program.n_outputs());
    for &y in program.outputs() {
        for t in adj.nodes.iter_mut().chain(adj.inputs.iter_mut()) {
            t.clear();
        }
        if active[y] {
            adj.push(program, y, (Binary::Add, one));
        }
        // the sweep: every consumer of a node has a larger index, so a node's adjoint
        // is complete when the sweep reaches it
        for i in (0..=y).rev() {
            if !active[i] || adj.nodes[i].is_empty() {
                continue;
            }
            if g.nodes.len() > max_nodes {
                return None;
            }
            let terms = std::mem::take(&mut adj.nodes[i]);
            let vb = sum(&mut g, &terms).expect("a non-empty sum");
            let v = map[i];
            match instrs[i] {
                Instr::Input(_) | Instr::Const(_) => {}
                Instr::Unary(Unary::Neg, a) => {
                    // ubar -= vbar
                    let t = wrong(&mut g, un(Unary::Neg), 0, vb);
                    adj.push(program, a, (Binary::Sub, t));
                }
                Instr::Unary(op, a) => {
                    // ubar += psi'(u) * vbar
                    let d = local(&mut g, op, map[a], v);
                    let t = product(&mut g, &mut guards, Binary::Mul, d, vb, vb);
                    let t = wrong(&mut g, un(op), 0, t);
                    adj.push(program, a, (Binary::Add, t));
                }
                Instr::Binary(op, a, b) => {
                    let (u, w) = (map[a], map[b]);
                    let (act_a, act_b) = (active[a], active[b]);
                    // each rule: (contribution to u, contribution to w), built only for
                    // the arguments that depend on an input
                    let (ta, tb): (Option<Term>, Option<Term>) = match op {
                        Binary::Add => (
                            act_a.then_some((Binary::Add, vb)),
                            act_b.then_some((Binary::Add, vb)),
                        ),
                        Binary::Sub => (
                            act_a.then_some((Binary::Add, vb)),
                            act_b.then_some((Binary::Sub, vb)),
                        ),
                        // ubar += vbar * w; wbar += vbar * u
                        Binary::Mul => (
                            act_a.then(|| {
                                (
                                    Binary::Add,
                                    product(&mut g, &mut guards, Binary::Mul, vb, w, vb),
                                )
                            }),
                            act_b.then(|| {
                                (
                                    Binary::Add,
                                    product(&mut g, &mut guards, Binary::Mul, vb, u, vb),
                                )
                            }),
                        ),
                        // t = vbar / w: ubar += t; wbar -= t * v
                        Binary::Div => {
                            let t = product(&mut g, &mut guards, Binary::Div, vb, w, vb);
                            (
                                act_a.then_some((Binary::Add, t)),
                                act_b.then(|| {
                                    (
                                        Binary::Sub,
                                        product(&mut g, &mut guards, Binary::Mul, t, v, vb),
                                    )
                                }),
                            )
                        }
                        // vv = vbar * v: ubar += vv * w / u, or vbar * w u^(w-1) where v
                        // is not a normal number (num::pow_slope_from_the_base); wbar +=
                        // vv * log u; at a base of exactly 0 the limits of
                        // num::pow_partials_at_zero_base
                        Binary::Pow => {
                            let vv = product(&mut g, &mut guards, Binary::Mul, vb, v, vb);
                            let ta = act_a.then(|| {
                                let t = product(&mut g, &mut guards, Binary::Mul, vv, w, vb);
                                let quotient = product(&mut g, &mut guards, Binary::Div, t, u, vb);
                                let c1 = g.cst(1.0);
                                let wm1 = g.binary(Binary::Sub, w, c1);
                                let p = g.binary(Binary::Pow, u, wm1);
                                let du = g.mul(p, w);
                                let direct = product(&mut g, &mut guards, Binary::Mul, du, vb, vb);
                                let general = g.if_not_normal(v, u, direct, quotient);
                                let du = if_zero(&mut g, w, zero, du);
                                let at_zero = product(&mut g, &mut guards, Binary::Mul, du, vb, vb);
                                (Binary::Add, if_zero(&mut g, u, at_zero, general))
                            });
                            let tb = act_b.then(|| {
                                let l = g.unary(Unary::Log, u);
                                let general = product(&mut g, &mut guards, Binary::Mul, vv, l, vb);
                                let dw = g.mul(v, l);
                                let dw = if_zero(&mut g, v, zero, dw);
                                let at_zero = product(&mut g, &mut guards, Binary::Mul, dw, vb, vb);
                                (Binary::Add, if_zero(&mut g, u, at_zero, general))
                            });
                            (ta, tb)
                        }
                        // the selected argument receives vbar, the other nothing (0)
                        Binary::Min | Binary::Max => (
                            act_a.then(|| (Binary::Add, g.select(op, u, w, vb, zero))),
                            act_b.then(|| (Binary::Add, g.select(op, u, w, zero, vb))),
                        ),
                    };
                    if let Some((s, t)) = ta {
                        let t = wrong(&mut g, bin(op), 0, t);
                        adj.push(program, a, (s, t));
                    }
                    if let Some((s, t)) = tb {
                        let t = wrong(&mut g, bin(op), 1, t);
                        adj.push(program, b, (s, t));
                    }
                }
            }
        }
        let row = (0..n)
            .map(|k| sum(&mut g, &adj.inputs[k]).unwrap_or(zero))
            .collect();
        roots.push(row);
    }
    (g.nodes.len() <= max_nodes).then_some(Built {
        graph: g,
        roots,
        guards: guards.map,
    })
}
