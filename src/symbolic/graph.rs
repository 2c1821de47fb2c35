//! The expression graph of symbolic derivatives: hash-consed nodes, the exact
//! simplifications applied while building, and node counts (as a DAG and as trees).

use std::cmp::Ordering;
use std::collections::HashMap;

use rug::float::Round;
use rug::ops::Pow;
use rug::Float;

use crate::num::{pow_slope_from_the_base, selects_left, Binary, Scalar, Unary};

/// One node of an expression graph; arguments are indices of earlier nodes, so the
/// nodes are in evaluation order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Node {
    /// slot `k` of the flat input vector x
    Input(usize),
    /// a constant
    Const(f64),
    /// a univariate elemental
    Unary(Unary, usize),
    /// a bivariate elemental (left, right)
    Binary(Binary, usize, usize),
    /// sign(u): 1 when u > 0, -1 when u < 0, 0 otherwise (u = ±0 or NaN), decided by
    /// [`Scalar::sign`] as the AD types decide it. The derivative of |u|.
    Sign(usize),
    /// `then` when `op` (min or max) picks its left argument for (u, w), `otherwise`
    /// when it picks the right one ([`Scalar::selects_left_of`]: ties and NaN pick the
    /// left). The
    /// derivative of min and max.
    Select {
        /// [`Binary::Min`] or [`Binary::Max`]
        op: Binary,
        /// the left argument of the min/max
        u: usize,
        /// the right argument of the min/max
        w: usize,
        /// the value when the left argument is picked
        then: usize,
        /// the value when the right argument is picked
        otherwise: usize,
    },
    /// `then` when the value of `x` is exactly zero (either sign), `otherwise` when it is
    /// not (NaN included), decided by [`Scalar::value_is_zero`] as the AD types decide
    /// it. The zero-base limits of the derivative of pow.
    IfZero {
        /// the value tested
        x: usize,
        /// the value when `x` is zero
        then: usize,
        /// the value when `x` is not zero
        otherwise: usize,
    },
    /// `then` when the f64 value of `v` is 0, subnormal or infinite and that of `u` is
    /// finite, `otherwise` when not (NaN included), decided by
    /// [`crate::num::pow_slope_from_the_base`] as the AD types decide it. The slope of
    /// u^w in u where v = u^w is not a normal number.
    IfNotNormal {
        /// the value v = u^w
        v: usize,
        /// the base u
        u: usize,
        /// the value when v is not a normal number and u is finite
        then: usize,
        /// the value otherwise
        otherwise: usize,
    },
}

impl Node {
    /// The argument indices, in order (up to four).
    pub fn args(&self) -> impl Iterator<Item = usize> {
        let (a, k) = match *self {
            Node::Input(_) | Node::Const(_) => ([0; 4], 0),
            Node::Unary(_, a) | Node::Sign(a) => ([a, 0, 0, 0], 1),
            Node::Binary(_, a, b) => ([a, b, 0, 0], 2),
            Node::Select {
                u,
                w,
                then,
                otherwise,
                ..
            } => ([u, w, then, otherwise], 4),
            Node::IfZero { x, then, otherwise } => ([x, then, otherwise, 0], 3),
            Node::IfNotNormal {
                v,
                u,
                then,
                otherwise,
            } => ([v, u, then, otherwise], 4),
        };
        a.into_iter().take(k)
    }

    /// The same node with every argument index mapped by `f`.
    pub(crate) fn map_args(self, mut f: impl FnMut(usize) -> usize) -> Node {
        match self {
            Node::Input(_) | Node::Const(_) => self,
            Node::Unary(op, a) => Node::Unary(op, f(a)),
            Node::Sign(a) => Node::Sign(f(a)),
            Node::Binary(op, a, b) => Node::Binary(op, f(a), f(b)),
            Node::Select {
                op,
                u,
                w,
                then,
                otherwise,
            } => Node::Select {
                op,
                u: f(u),
                w: f(w),
                then: f(then),
                otherwise: f(otherwise),
            },
            Node::IfZero { x, then, otherwise } => Node::IfZero {
                x: f(x),
                then: f(then),
                otherwise: f(otherwise),
            },
            Node::IfNotNormal {
                v,
                u,
                then,
                otherwise,
            } => Node::IfNotNormal {
                v: f(v),
                u: f(u),
                then: f(then),
                otherwise: f(otherwise),
            },
        }
    }
}

/// Evaluates one node over any scalar, given the values of its arguments through
/// `v`; `x` holds the inputs (constants are built from `x[0]`, which must exist).
#[inline]
pub(crate) fn eval_node<S: Scalar>(node: &Node, v: &[S], x: &[S]) -> S {
    match *node {
        Node::Input(k) => x[k].clone(),
        Node::Const(c) => x[0].cst(c),
        Node::Unary(op, a) => v[a].unary(op),
        Node::Binary(op, a, b) => v[a].binary(op, &v[b]),
        Node::Sign(a) => v[a].cst(v[a].sign()),
        Node::Select {
            op,
            u,
            w,
            then,
            otherwise,
        } => {
            if v[u].selects_left_of(op, &v[w]) {
                v[then].clone()
            } else {
                v[otherwise].clone()
            }
        }
        Node::IfZero { x, then, otherwise } => {
            if v[x].value_is_zero() {
                v[then].clone()
            } else {
                v[otherwise].clone()
            }
        }
        Node::IfNotNormal {
            v: p,
            u,
            then,
            otherwise,
        } => {
            if pow_slope_from_the_base(&v[u], &v[p]) {
                v[then].clone()
            } else {
                v[otherwise].clone()
            }
        }
    }
}

/// A node as a hash key: constants by their bit pattern (so -0 and +0 differ).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Key {
    Input(usize),
    Const(u64),
    Unary(Unary, usize),
    Binary(Binary, usize, usize),
    Sign(usize),
    Select(Binary, usize, usize, usize, usize),
    IfZero(usize, usize, usize),
    IfNotNormal(usize, usize, usize, usize),
}

impl Key {
    fn of(n: Node) -> Key {
        match n {
            Node::Input(k) => Key::Input(k),
            Node::Const(c) => Key::Const(c.to_bits()),
            Node::Unary(op, a) => Key::Unary(op, a),
            Node::Binary(op, a, b) => Key::Binary(op, a, b),
            Node::Sign(a) => Key::Sign(a),
            Node::Select {
                op,
                u,
                w,
                then,
                otherwise,
            } => Key::Select(op, u, w, then, otherwise),
            Node::IfZero { x, then, otherwise } => Key::IfZero(x, then, otherwise),
            Node::IfNotNormal {
                v,
                u,
                then,
                otherwise,
            } => Key::IfNotNormal(v, u, then, otherwise),
        }
    }
}

/// A hash-consed expression graph: each distinct node exists once.
///
/// [`Graph::intern`] adds a node as it is; the builders ([`Graph::unary`],
/// [`Graph::binary`], [`Graph::sign`], [`Graph::select`] and their shorthands) first
/// apply the exact simplifications of the module documentation.
#[derive(Clone, Debug, Default)]
pub(crate) struct Graph {
    pub(crate) nodes: Vec<Node>,
    memo: HashMap<Key, usize>,
    /// (node, tag) -> its copy made by [`Graph::copy_of`]
    copies: HashMap<(usize, usize), usize>,
}

impl Graph {
    /// The index of `node`, added if new; no simplification.
    pub(crate) fn intern(&mut self, node: Node) -> usize {
        debug_assert!(node.args().all(|a| a < self.nodes.len()));
        let key = Key::of(node);
        if let Some(&i) = self.memo.get(&key) {
            return i;
        }
        let i = self.nodes.len();
        self.nodes.push(node);
        self.memo.insert(key, i);
        i
    }

    /// Another node computing what node `i` computes, the same one at every call with
    /// the same `tag`: a value of its own, which the evaluation may treat apart from `i`
    /// (a product of an adjoint, guarded on the adjoint `tag`, that is also one of the
    /// function's nodes or a product guarded on another adjoint).
    pub(crate) fn copy_of(&mut self, i: usize, tag: usize) -> usize {
        if let Some(&c) = self.copies.get(&(i, tag)) {
            return c;
        }
        let c = self.nodes.len();
        self.nodes.push(self.nodes[i]);
        self.copies.insert((i, tag), c);
        c
    }

    /// The constant `c`.
    pub(crate) fn cst(&mut self, c: f64) -> usize {
        self.intern(Node::Const(c))
    }

    fn constant(&self, i: usize) -> Option<f64> {
        match self.nodes[i] {
            Node::Const(c) => Some(c),
            _ => None,
        }
    }

    fn is(&self, i: usize, c: f64) -> bool {
        self.constant(i).is_some_and(|v| v.to_bits() == c.to_bits())
    }

    fn is_zero(&self, i: usize) -> bool {
        self.constant(i) == Some(0.0)
    }

    /// op(a), simplified: an exact constant fold, or --x = x.
    pub(crate) fn unary(&mut self, op: Unary, a: usize) -> usize {
        if let Some(c) = self.constant(a) {
            if let Some(r) = fold_unary(op, c) {
                return self.cst(r);
            }
        }
        if let (Unary::Neg, Node::Unary(Unary::Neg, b)) = (op, self.nodes[a]) {
            return b;
        }
        self.intern(Node::Unary(op, a))
    }

    /// a op b, simplified: an exact constant fold, 1*x = x*1 = x/1 = x, x+0 = 0+x =
    /// x-0 = x, 0-x = -x.
    pub(crate) fn binary(&mut self, op: Binary, a: usize, b: usize) -> usize {
        if let (Some(c), Some(d)) = (self.constant(a), self.constant(b)) {
            if let Some(r) = fold_binary(op, c, d) {
                return self.cst(r);
            }
        }
        match op {
            Binary::Mul if self.is(a, 1.0) => return b,
            Binary::Mul | Binary::Div if self.is(b, 1.0) => return a,
            Binary::Add | Binary::Sub if self.is_zero(b) => return a,
            Binary::Add if self.is_zero(a) => return b,
            Binary::Sub if self.is_zero(a) => return self.unary(Unary::Neg, b),
            _ => {}
        }
        self.intern(Node::Binary(op, a, b))
    }

    /// sign(a), folded when `a` is a constant.
    pub(crate) fn sign(&mut self, a: usize) -> usize {
        match self.constant(a) {
            Some(c) => self.cst(crate::num::sign_of(c)),
            None => self.intern(Node::Sign(a)),
        }
    }

    /// The selection of the derivative of min/max; folded when both branches are the
    /// same node or both compared values are constants.
    pub(crate) fn select(
        &mut self,
        op: Binary,
        u: usize,
        w: usize,
        then: usize,
        otherwise: usize,
    ) -> usize {
        if then == otherwise {
            return then;
        }
        if let (Some(c), Some(d)) = (self.constant(u), self.constant(w)) {
            return if selects_left(op, c, d) {
                then
            } else {
                otherwise
            };
        }
        self.intern(Node::Select {
            op,
            u,
            w,
            then,
            otherwise,
        })
    }

    /// `x == 0 ? then : otherwise` by [`Scalar::value_is_zero`] (NaN is not zero); folded
    /// when both branches are the same node or `x` is a constant.
    pub(crate) fn if_zero(&mut self, x: usize, then: usize, otherwise: usize) -> usize {
        if then == otherwise {
            return then;
        }
        if let Some(c) = self.constant(x) {
            return if c.value_is_zero() { then } else { otherwise };
        }
        self.intern(Node::IfZero { x, then, otherwise })
    }

    /// `v not normal and u finite ? then : otherwise` by
    /// [`crate::num::pow_slope_from_the_base`]; folded when both branches are the same
    /// node or `v` and `u` are constants.
    pub(crate) fn if_not_normal(
        &mut self,
        v: usize,
        u: usize,
        then: usize,
        otherwise: usize,
    ) -> usize {
        if then == otherwise {
            return then;
        }
        if let (Some(p), Some(b)) = (self.constant(v), self.constant(u)) {
            return if pow_slope_from_the_base(&b, &p) {
                then
            } else {
                otherwise
            };
        }
        self.intern(Node::IfNotNormal {
            v,
            u,
            then,
            otherwise,
        })
    }

    pub(crate) fn add(&mut self, a: usize, b: usize) -> usize {
        self.binary(Binary::Add, a, b)
    }
    pub(crate) fn mul(&mut self, a: usize, b: usize) -> usize {
        self.binary(Binary::Mul, a, b)
    }
    pub(crate) fn div(&mut self, a: usize, b: usize) -> usize {
        self.binary(Binary::Div, a, b)
    }
    pub(crate) fn neg(&mut self, a: usize) -> usize {
        self.unary(Unary::Neg, a)
    }

    /// The nodes reachable from `roots` (the roots included), in increasing order.
    pub(crate) fn reachable(&self, roots: impl IntoIterator<Item = usize>) -> Vec<usize> {
        reachable(&self.nodes, roots, |n| n.args())
    }

    /// The size of each node as a tree (1 + the sizes of its arguments), saturating.
    pub(crate) fn tree_sizes(&self) -> Vec<u128> {
        tree_sizes(&self.nodes, |n| n.args())
    }
}

/// The items reachable from `roots` in a list whose arguments precede their users.
pub(crate) fn reachable<T, I: Iterator<Item = usize>>(
    items: &[T],
    roots: impl IntoIterator<Item = usize>,
    args: impl Fn(&T) -> I,
) -> Vec<usize> {
    let mut mark = vec![false; items.len()];
    for r in roots {
        mark[r] = true;
    }
    for i in (0..items.len()).rev() {
        if mark[i] {
            for a in args(&items[i]) {
                mark[a] = true;
            }
        }
    }
    (0..items.len()).filter(|&i| mark[i]).collect()
}

/// Tree sizes (1 + the sizes of the arguments) of every item of a list whose arguments
/// precede their users, saturating at `u128::MAX`.
pub(crate) fn tree_sizes<T, I: Iterator<Item = usize>>(
    items: &[T],
    args: impl Fn(&T) -> I,
) -> Vec<u128> {
    let mut size: Vec<u128> = Vec::with_capacity(items.len());
    for it in items {
        let s = args(it).fold(1u128, |acc, a| acc.saturating_add(size[a]));
        size.push(s);
    }
    size
}

/// The f64 result of `op(c)` when it is exactly the real-number result (so that the
/// folded constant means the same at every precision), else `None`.
pub(crate) fn fold_unary(op: Unary, c: f64) -> Option<f64> {
    // the very operation the f64 evaluation would perform
    let r = c.unary(op);
    let x = Float::with_val(53, c);
    let rn = Round::Nearest;
    let exact = match op {
        Unary::Neg | Unary::Abs => return r.is_finite().then_some(r),
        Unary::Recip => Float::with_val_round(53, x.recip_ref(), rn),
        Unary::Exp => Float::with_val_round(53, x.exp_ref(), rn),
        Unary::Log => Float::with_val_round(53, x.ln_ref(), rn),
        Unary::Sqrt => Float::with_val_round(53, x.sqrt_ref(), rn),
        Unary::Sin => Float::with_val_round(53, x.sin_ref(), rn),
        Unary::Cos => Float::with_val_round(53, x.cos_ref(), rn),
        Unary::Tan => Float::with_val_round(53, x.tan_ref(), rn),
        Unary::Tanh => Float::with_val_round(53, x.tanh_ref(), rn),
        Unary::Atan => Float::with_val_round(53, x.atan_ref(), rn),
        Unary::Powi(k) => Float::with_val_round(53, Pow::pow(&x, k), rn),
        // a composite elemental; never needed while differentiating
        Unary::Sigmoid => return None,
    };
    same_exact(exact, r)
}

/// The f64 result of `c op d` when it is exactly the real-number result, else `None`.
pub(crate) fn fold_binary(op: Binary, c: f64, d: f64) -> Option<f64> {
    let r = c.binary(op, &d);
    let (x, y) = (Float::with_val(53, c), Float::with_val(53, d));
    let rn = Round::Nearest;
    let exact = match op {
        Binary::Min | Binary::Max => return r.is_finite().then_some(r),
        Binary::Add => Float::with_val_round(53, &x + &y, rn),
        Binary::Sub => Float::with_val_round(53, &x - &y, rn),
        Binary::Mul => Float::with_val_round(53, &x * &y, rn),
        Binary::Div => Float::with_val_round(53, &x / &y, rn),
        Binary::Pow => Float::with_val_round(53, Pow::pow(&x, &y), rn),
    };
    same_exact(exact, r)
}

/// `Some(r)` when MPFR says its 53-bit result is exact and the f64 result `r` is that
/// same finite number with the same sign (no underflow to a subnormal, no overflow).
fn same_exact((m, ord): (Float, Ordering), r: f64) -> Option<f64> {
    let ok = ord == Ordering::Equal
        && r.is_finite()
        && m.is_finite()
        && m == r
        && m.is_sign_negative() == r.is_sign_negative();
    ok.then_some(r)
}
