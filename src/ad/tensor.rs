//! Reverse mode at the matrix level: a tape whose nodes are matrix operations, generic
//! over the scalar, for the network families written as the lecture's tensor program.
//!
//! # Operations
//!
//! Every node holds a row-major matrix. The recorded operations are those of the
//! lecture's matrix formulation and of the squared loss:
//!
//! | operation | value | adjoint step (G the node's adjoint) |
//! | --- | --- | --- |
//! | [`TensorTape::matmul`] | op(A) op(B), op = identity or transpose | Abar += G op(B)^T, Bbar += op(A)^T G |
//! | [`TensorTape::bias_add`] | Z + 1 b (b a row, broadcast over rows) | Zbar += G, bbar += sum over rows of G |
//! | [`TensorTape::unary`] | psi(A) elementwise | Abar += G o psi'(A) |
//! | [`TensorTape::add`], [`TensorTape::sub`] | A +- B | Abar += G, Bbar +-= G |
//! | [`TensorTape::hadamard`] | A o B | Abar += G o B, Bbar += G o A |
//! | [`TensorTape::sum_rows`] | the sum over axis 0 (a row) | Abar_ij += G_j |
//! | [`TensorTape::sum_all`] | the sum of all entries (1 x 1) | Abar_ij += G |
//! | [`TensorTape::scale`] | c A for a constant c | Abar += c G |
//!
//! plus inputs ([`TensorTape::input`]) and constant matrices ([`TensorTape::constant`],
//! [`TensorTape::sub_const`]). The products in both directions go through
//! [`Scalar::matmul`]: the naive left fold, blocked and vectorised on `f64` with the same
//! order of operations (so the same bits on every CPU), and as it is on every
//! other scalar, so the MPFR reference (`rug::Float`) and the counting scalar
//! ([`crate::num::Count`]) run through the same tape. Transposes in the adjoint products
//! (A^T G, G B^T) are strides (the f64 product packs its operands into buffers it
//! keeps per thread).
//!
//! # Layout
//!
//! One arena of values (`Vec<T>`, each node's matrix contiguous at its offset), one
//! vector of nodes (operation, two argument indices, offset, shape, whether the node
//! depends on an input) and an adjoint arena parallel to the values, allocated at the
//! first sweep and kept. [`TensorTape::clear`] keeps all the memory, so a warm tape
//! records and sweeps without allocating (except the gradient it returns). There is no
//! per-node reference counting or interior mutability: handles ([`Mat`]) are plain
//! indices with the shape. [`TensorTape::bytes`] reports the values stored plus the
//! per-node records.
//!
//! The sweep visits nodes from the output down. A node's adjoint is *written* by its
//! first contribution and accumulated by the later ones (a flag per node says which),
//! so nothing is zeroed; nodes the output does not reach, and nodes that depend on no
//! input (constants, products of constants), are skipped. As on the scalar tape, an
//! adjoint entry of exactly 0 passes 0 back through the elementwise rules (unary,
//! Hadamard, scale) and through each product of a matrix product also where the
//! partial is infinite, not 0 * inf = NaN. [`TensorTape::gradient`] sweeps plain and
//! reruns guarded, uncounted, only where an adjoint it returns is NaN; the guarded sweep
//! forms the adjoint products by the naive loop with each product guarded.
//!
//! # Counting
//!
//! ADDS, MULTS and NLOPS are whatever the operations execute on the counting scalar (the
//! default [`Scalar::matmul`] folds with the scalar's own products and sums). MOVES are
//! counted at the elemental boundaries of the scalar representation, per scalar elemental
//! inside each matrix operation, with the scalar tape's charges
//! ([`crate::ad::Tape`]): 1 per constant, 2 per univariate and 3 per bivariate elemental
//! in the forward sweep. In the adjoint sweep each scalar elemental reads its vbar and
//! sets it to 0 (2), and per argument that needs an adjoint (g of its two: 2, or 1 when
//! the other is data such as X or the targets) reads and writes that adjoint (2) and,
//! for a product, reads the other factor (1): 6 per addition or subtraction and 8 per
//! product when both arguments need adjoints, as on the scalar tape, 4 and 5 when one
//! does; 5 per univariate elemental, 4 for a negation (it reads no value). Per node,
//! with A r x c (or the product of an m x k and a k x n matrix):
//!
//! | operation | scalar elementals | forward moves | adjoint moves |
//! | --- | --- | --- | --- |
//! | input | - | 0 | 0 |
//! | constant | r c constants | r c | 0 |
//! | matmul | m n k products, m n (k - 1) sums | 3 m n (2k - 1) | (2 + 3 g) m n k + 6 m n (k - 1) |
//! | bias add, add, sub | r c sums | 3 r c | (2 + 2 g) r c |
//! | hadamard | r c products | 3 r c | (2 + 3 g) r c |
//! | unary | r c univariate | 2 r c | 5 r c (negation: 4 r c) |
//! | sum over axis 0 | (r - 1) c sums | 3 (r - 1) c | 6 (r - 1) c |
//! | sum of all | r c - 1 sums | 3 (r c - 1) | 6 (r c - 1) |
//! | scale | 1 constant, r c products | 1 + 3 r c | 5 r c (the constant needs no adjoint) |
//!
//! A skipped node charges no adjoint moves. The forward moves of a network are thus
//! those of the scalar tape recording the same elementals (fewer where the scalar
//! program makes a constant per use of a data value), and its adjoint moves are fewer
//! where an argument is data, for which the scalar tape still updates an adjoint; for
//! an MLP the forward sweep charges exactly the
//! WORK of the plain evaluation (`Eval<Count>`). What the matrix form saves shows in
//! ADDS (an adjoint of a sum is never propagated elemental by elemental: the k - 1
//! partial sums of a dot product share the adjoint of their result, and a first
//! contribution is written, not added), in MULTS (no adjoint for a constant operand,
//! such as the data X in X W^T) and in wall time.

use super::guard;
use crate::num::{Scalar, Unary};

/// The operation of a node.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Input,
    Const,
    MatMul { ta: bool, tb: bool },
    BiasAdd,
    Unary(Unary),
    Add,
    Sub,
    Hadamard,
    SumRows,
    SumAll,
    Scale(f64),
}

/// One recorded matrix operation.
#[derive(Clone, Copy, Debug)]
struct Node {
    op: Op,
    args: [u32; 2],
    /// offset of the value (and the adjoint) in the arenas
    off: usize,
    rows: usize,
    cols: usize,
    /// whether the node depends on an input (needs an adjoint)
    grad: bool,
}

impl Node {
    fn len(&self) -> usize {
        self.rows * self.cols
    }
    fn range(&self) -> std::ops::Range<usize> {
        self.off..self.off + self.len()
    }
}

/// A matrix recorded on a [`TensorTape`]: the node's index and its shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mat {
    id: u32,
    rows: usize,
    cols: usize,
}

impl Mat {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }
    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.rows * self.cols
    }
    /// True for a matrix without entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The index of the node on the tape.
    pub fn index(&self) -> usize {
        self.id as usize
    }
}

/// A recorded loss and the inputs it is differentiated with respect to, in the order of
/// the flat parameter vector.
#[derive(Clone, Debug)]
pub struct TensorLoss {
    /// the 1 x 1 loss
    pub loss: Mat,
    /// the parameter matrices, in the order of the flat parameters (each row-major)
    pub params: Vec<Mat>,
}

/// A tape of matrix operations over the scalar `T`; see the module documentation.
#[derive(Debug)]
pub struct TensorTape<T> {
    nodes: Vec<Node>,
    vals: Vec<T>,
    adj: Vec<T>,
    touched: Vec<bool>,
}

impl<T: Scalar> Default for TensorTape<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// Writes (`first`) or adds `f(i)` into each `dst[i]`.
#[inline]
fn put<T: Scalar>(dst: &mut [T], first: bool, f: impl Fn(usize) -> T) {
    if first {
        for (i, d) in dst.iter_mut().enumerate() {
            *d = f(i);
        }
    } else {
        for (i, d) in dst.iter_mut().enumerate() {
            *d = d.add(&f(i));
        }
    }
}

/// Writes (`first`) or adds `g[i]` into each `dst[i]`.
#[inline]
fn put_copy<T: Scalar>(dst: &mut [T], first: bool, g: &[T]) {
    if first {
        dst.clone_from_slice(g);
    } else {
        for (d, gi) in dst.iter_mut().zip(g) {
            *d = d.add(gi);
        }
    }
}

/// Writes (`first`) `-g[i]` or subtracts `g[i]` from each `dst[i]`.
#[inline]
fn put_neg<T: Scalar>(dst: &mut [T], first: bool, g: &[T]) {
    if first {
        for (d, gi) in dst.iter_mut().zip(g) {
            *d = gi.neg();
        }
    } else {
        for (d, gi) in dst.iter_mut().zip(g) {
            *d = d.sub(gi);
        }
    }
}

impl<T: Scalar> TensorTape<T> {
    /// An empty tape.
    pub fn new() -> Self {
        TensorTape {
            nodes: Vec::new(),
            vals: Vec::new(),
            adj: Vec::new(),
            touched: Vec::new(),
        }
    }

    /// Empties the tape, keeping its memory for the next recording.
    pub fn clear(&mut self) {
        self.nodes.clear();
        self.vals.clear();
        self.touched.clear();
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Number of scalar values stored (every node's matrix).
    pub fn values_len(&self) -> usize {
        self.vals.len()
    }

    /// Bytes held by the recording: the values stored plus the per-node records,
    /// adjoints excluded (for `T = f64`: 8 per value and [`Self::bytes_per_node`] per
    /// node).
    pub fn bytes(&self) -> usize {
        self.vals.len() * std::mem::size_of::<T>() + self.nodes.len() * Self::bytes_per_node()
    }

    /// Bytes of one node record (operation, arguments, offset, shape).
    pub fn bytes_per_node() -> usize {
        std::mem::size_of::<Node>()
    }

    /// Capacity of the value arena (for checking that a warm tape does not reallocate).
    pub fn values_capacity(&self) -> usize {
        self.vals.capacity()
    }

    fn node(&self, m: Mat) -> Node {
        let n = self.nodes[m.index()];
        debug_assert_eq!(
            (n.rows, n.cols),
            (m.rows, m.cols),
            "a handle of another tape"
        );
        n
    }

    /// Appends the node whose values were just pushed from `off` on.
    fn push(&mut self, op: Op, args: [u32; 2], off: usize, rows: usize, cols: usize) -> Mat {
        debug_assert_eq!(self.vals.len(), off + rows * cols);
        let grad = match op {
            Op::Input => true,
            Op::Const => false,
            Op::MatMul { .. } | Op::BiasAdd | Op::Add | Op::Sub | Op::Hadamard => {
                self.nodes[args[0] as usize].grad || self.nodes[args[1] as usize].grad
            }
            Op::Unary(_) | Op::SumRows | Op::SumAll | Op::Scale(_) => {
                self.nodes[args[0] as usize].grad
            }
        };
        let id = u32::try_from(self.nodes.len()).expect("tape longer than 2^32 nodes");
        self.nodes.push(Node {
            op,
            args,
            off,
            rows,
            cols,
            grad,
        });
        Mat { id, rows, cols }
    }

    /// Records an input (a differentiated matrix), rows x cols, row-major. Charges no
    /// moves, as the scalar tape's inputs.
    pub fn input(&mut self, rows: usize, cols: usize, data: &[T]) -> Mat {
        assert_eq!(data.len(), rows * cols, "input: data is not rows x cols");
        let off = self.vals.len();
        self.vals.extend_from_slice(data);
        self.push(Op::Input, [0, 0], off, rows, cols)
    }

    /// Records a constant matrix, rows x cols, row-major, at the precision of `like`.
    /// Charges one move per entry, as a constant elemental.
    pub fn constant(
        &mut self,
        rows: usize,
        cols: usize,
        data: impl IntoIterator<Item = f64>,
        like: &T,
    ) -> Mat {
        let off = self.vals.len();
        self.vals.extend(data.into_iter().map(|c| like.cst(c)));
        assert_eq!(
            self.vals.len() - off,
            rows * cols,
            "constant: data is not rows x cols"
        );
        T::note_moves((rows * cols) as u64);
        self.push(Op::Const, [0, 0], off, rows, cols)
    }

    /// The product op(A) op(B), op(A) = A^T when `trans_a` (likewise B): m x n from
    /// op(A) m x k and op(B) k x n, k >= 1.
    pub fn matmul(&mut self, a: Mat, trans_a: bool, b: Mat, trans_b: bool) -> Mat {
        let (na, nb) = (self.node(a), self.node(b));
        let (m, k) = if trans_a {
            (a.cols, a.rows)
        } else {
            (a.rows, a.cols)
        };
        let (k2, n) = if trans_b {
            (b.cols, b.rows)
        } else {
            (b.rows, b.cols)
        };
        assert_eq!(k, k2, "matmul: inner dimensions differ");
        assert!(k >= 1, "matmul: empty inner dimension");
        let off = self.vals.len();
        let zero = self.vals[na.off].cst(0.0);
        self.vals.resize(off + m * n, zero);
        let (old, new) = self.vals.split_at_mut(off);
        T::matmul(
            &old[na.range()],
            trans_a,
            &old[nb.range()],
            trans_b,
            new,
            m,
            k,
            n,
            false,
        );
        T::note_moves(3 * (m * n * (2 * k - 1)) as u64);
        self.push(
            Op::MatMul {
                ta: trans_a,
                tb: trans_b,
            },
            [a.id, b.id],
            off,
            m,
            n,
        )
    }

    /// Z + 1 b: the row `b` (1 x cols) added to every row of `z`.
    pub fn bias_add(&mut self, z: Mat, b: Mat) -> Mat {
        assert_eq!((b.rows, b.cols), (1, z.cols), "bias_add: b is not 1 x cols");
        let (nz, nb) = (self.node(z), self.node(b));
        let off = self.vals.len();
        self.vals.reserve(z.len());
        for i in 0..z.rows {
            for j in 0..z.cols {
                let v = self.vals[nz.off + i * z.cols + j].add(&self.vals[nb.off + j]);
                self.vals.push(v);
            }
        }
        T::note_moves(3 * z.len() as u64);
        self.push(Op::BiasAdd, [z.id, b.id], off, z.rows, z.cols)
    }

    /// An elementwise bivariate operation of two matrices of the same shape.
    fn zip(&mut self, op: Op, a: Mat, b: Mat, f: impl Fn(&T, &T) -> T) -> Mat {
        assert_eq!((a.rows, a.cols), (b.rows, b.cols), "shapes differ");
        let (na, nb) = (self.node(a), self.node(b));
        let off = self.vals.len();
        self.vals.reserve(a.len());
        for i in 0..a.len() {
            let v = f(&self.vals[na.off + i], &self.vals[nb.off + i]);
            self.vals.push(v);
        }
        T::note_moves(3 * a.len() as u64);
        self.push(op, [a.id, b.id], off, a.rows, a.cols)
    }

    /// A + B elementwise.
    pub fn add(&mut self, a: Mat, b: Mat) -> Mat {
        self.zip(Op::Add, a, b, |u, w| u.add(w))
    }

    /// A - B elementwise.
    pub fn sub(&mut self, a: Mat, b: Mat) -> Mat {
        self.zip(Op::Sub, a, b, |u, w| u.sub(w))
    }

    /// A o B, the elementwise (Hadamard) product.
    pub fn hadamard(&mut self, a: Mat, b: Mat) -> Mat {
        self.zip(Op::Hadamard, a, b, |u, w| u.mul(w))
    }

    /// A - C for a constant matrix C of the shape of A (row-major data): a constant
    /// node and a subtraction.
    pub fn sub_const(&mut self, a: Mat, data: impl IntoIterator<Item = f64>) -> Mat {
        let like = self.vals[self.node(a).off].clone();
        let c = self.constant(a.rows, a.cols, data, &like);
        self.sub(a, c)
    }

    /// psi(A) elementwise.
    pub fn unary(&mut self, a: Mat, op: Unary) -> Mat {
        let na = self.node(a);
        let off = self.vals.len();
        self.vals.reserve(a.len());
        for i in 0..a.len() {
            let v = self.vals[na.off + i].unary(op);
            self.vals.push(v);
        }
        T::note_moves(2 * a.len() as u64);
        self.push(Op::Unary(op), [a.id, 0], off, a.rows, a.cols)
    }

    /// The sum over axis 0: a row of column sums, each folded from the first row down.
    pub fn sum_rows(&mut self, a: Mat) -> Mat {
        assert!(a.rows >= 1, "sum_rows: no rows");
        let na = self.node(a);
        let off = self.vals.len();
        self.vals.reserve(a.cols);
        for j in 0..a.cols {
            let mut s = self.vals[na.off + j].clone();
            for i in 1..a.rows {
                s = s.add(&self.vals[na.off + i * a.cols + j]);
            }
            self.vals.push(s);
        }
        T::note_moves(3 * ((a.rows - 1) * a.cols) as u64);
        self.push(Op::SumRows, [a.id, 0], off, 1, a.cols)
    }

    /// The sum of all entries (1 x 1), folded in row-major order.
    pub fn sum_all(&mut self, a: Mat) -> Mat {
        assert!(!a.is_empty(), "sum_all: no entries");
        let na = self.node(a);
        let off = self.vals.len();
        let mut s = self.vals[na.off].clone();
        for i in 1..a.len() {
            s = s.add(&self.vals[na.off + i]);
        }
        self.vals.push(s);
        T::note_moves(3 * (a.len() - 1) as u64);
        self.push(Op::SumAll, [a.id, 0], off, 1, 1)
    }

    /// c A for a constant c.
    pub fn scale(&mut self, a: Mat, c: f64) -> Mat {
        let na = self.node(a);
        let off = self.vals.len();
        self.vals.reserve(a.len());
        for i in 0..a.len() {
            let v = self.vals[na.off + i].mul_f(c);
            self.vals.push(v);
        }
        T::note_moves(1 + 3 * a.len() as u64);
        self.push(Op::Scale(c), [a.id, 0], off, a.rows, a.cols)
    }

    /// The values of a recorded matrix, row-major.
    pub fn value(&self, m: Mat) -> &[T] {
        &self.vals[self.node(m).range()]
    }

    /// The adjoint sweep from the 1 x 1 output `y` with ybar = 1.
    pub fn backward(&mut self, y: Mat) {
        let one = self.unit_seed(y);
        self.backward_seeded(y, std::slice::from_ref(&one));
    }

    /// ybar = 1 for the 1 x 1 output `y`.
    fn unit_seed(&self, y: Mat) -> T {
        assert_eq!(
            (y.rows, y.cols),
            (1, 1),
            "backward: the output is not 1 x 1"
        );
        self.vals[self.node(y).off].cst(1.0)
    }

    /// The adjoint sweep from `y` with adjoint `ybar` (the shape of `y`, row-major):
    /// afterwards [`Self::grad`] gives ybar^T dy/dx for each input x. Every elementwise
    /// product is guarded (an adjoint entry of 0 passes 0 back); [`Self::gradient`]
    /// sweeps plain first and guarded only where an adjoint came out NaN.
    pub fn backward_seeded(&mut self, y: Mat, ybar: &[T]) {
        self.sweep::<true>(y, ybar)
    }

    /// The sweep, with the elementwise products guarded or as they are.
    fn sweep<const GUARD: bool>(&mut self, y: Mat, ybar: &[T]) {
        let ny = self.node(y);
        assert_eq!(ybar.len(), ny.len(), "backward: ybar is not the shape of y");
        let Self {
            nodes,
            vals,
            adj,
            touched,
        } = self;
        touched.clear();
        touched.resize(nodes.len(), false);
        if adj.len() < vals.len() {
            let zero = vals[ny.off].cst(0.0);
            adj.resize(vals.len(), zero);
        }
        if !ny.grad {
            return;
        }
        adj[ny.range()].clone_from_slice(ybar);
        touched[y.index()] = true;
        for id in (0..=y.index()).rev() {
            let node = nodes[id];
            if !touched[id] || !node.grad {
                continue;
            }
            let (lo, hi) = adj.split_at_mut(node.off);
            let g = &hi[..node.len()];
            let v = &vals[node.range()];
            let [ia, ib] = node.args.map(|i| i as usize);
            let (na, nb) = (nodes[ia], nodes[ib]);
            // each argument that needs an adjoint: its adjoint slice and whether this is
            // its first contribution (marks it as touched)
            macro_rules! target {
                ($i:expr, $n:expr) => {{
                    let first = !touched[$i];
                    touched[$i] = true;
                    (&mut lo[$n.range()], first)
                }};
            }
            let n = node.len() as u64;
            // moves as on the scalar tape, per scalar elemental inside the operation: it
            // reads vbar and sets it to 0 (2), and per argument that needs an adjoint it
            // reads and writes that adjoint (2) and, for a product, reads the other factor
            // (1); an argument without one (data) costs nothing, as nothing is done for it
            let grads = u64::from(na.grad) + u64::from(nb.grad);
            match node.op {
                Op::Input | Op::Const => {}
                Op::Add | Op::Sub => {
                    T::note_moves((2 + 2 * grads) * n);
                    if na.grad {
                        let (d, first) = target!(ia, na);
                        put_copy(d, first, g);
                    }
                    if nb.grad {
                        let (d, first) = target!(ib, nb);
                        if node.op == Op::Add {
                            put_copy(d, first, g);
                        } else {
                            put_neg(d, first, g);
                        }
                    }
                }
                Op::Hadamard => {
                    T::note_moves((2 + 3 * grads) * n);
                    if na.grad {
                        let w = &vals[nb.range()];
                        let (d, first) = target!(ia, na);
                        put(d, first, |i| guard::<GUARD, T>(g[i].mul(&w[i]), &g[i]));
                    }
                    if nb.grad {
                        let u = &vals[na.range()];
                        let (d, first) = target!(ib, nb);
                        put(d, first, |i| guard::<GUARD, T>(g[i].mul(&u[i]), &g[i]));
                    }
                }
                Op::BiasAdd => {
                    T::note_moves((2 + 2 * grads) * n);
                    if na.grad {
                        let (d, first) = target!(ia, na);
                        put_copy(d, first, g);
                    }
                    if nb.grad {
                        let (rows, cols) = (node.rows, node.cols);
                        let (d, first) = target!(ib, nb);
                        for (j, dj) in d.iter_mut().enumerate() {
                            let mut i0 = 0;
                            if first {
                                *dj = g[j].clone();
                                i0 = 1;
                            }
                            for i in i0..rows {
                                *dj = dj.add(&g[i * cols + j]);
                            }
                        }
                    }
                }
                Op::Unary(op) => {
                    // vbar, u, ubar read and written, vbar = 0; negation reads no value
                    T::note_moves(if op == Unary::Neg { 4 * n } else { 5 * n });
                    let u = &vals[na.range()];
                    let (d, first) = target!(ia, na);
                    if op == Unary::Neg {
                        put_neg(d, first, g);
                    } else {
                        put(d, first, |i| {
                            guard::<GUARD, T>(u[i].unary_deriv(op, &v[i]).mul(&g[i]), &g[i])
                        });
                    }
                }
                Op::SumRows => {
                    T::note_moves(6 * ((na.rows - 1) * na.cols) as u64);
                    let cols = na.cols;
                    let (d, first) = target!(ia, na);
                    put(d, first, |i| g[i % cols].clone());
                }
                Op::SumAll => {
                    T::note_moves(6 * (na.len() - 1) as u64);
                    let (d, first) = target!(ia, na);
                    put(d, first, |_| g[0].clone());
                }
                Op::Scale(c) => {
                    // vbar, c, ubar read and written, vbar = 0
                    T::note_moves(5 * n);
                    let (d, first) = target!(ia, na);
                    put(d, first, |i| guard::<GUARD, T>(g[i].mul_f(c), &g[i]));
                }
                Op::MatMul { ta, tb } => {
                    let (m, n) = (node.rows, node.cols);
                    let k = if ta { na.rows } else { na.cols };
                    // m n k products, whose arguments are the factors (data or not), and
                    // m n (k - 1) additions, whose arguments are products and partial
                    // sums, which always need their adjoints: 6 moves each
                    let (mnk, adds) = ((m * n * k) as u64, (m * n * (k - 1)) as u64);
                    T::note_moves((2 + 3 * grads) * mnk + 6 * adds);
                    let (a, b) = (&vals[na.range()], &vals[nb.range()]);
                    // the product of the adjoint G with a factor: the scalar's own
                    // (fast) product in the plain sweep, the naive loop with each
                    // product guarded on its entry of G in the guarded one
                    let adjoint_product =
                        |x: &[T], tx, y: &[T], ty, d: &mut [T], dims, acc, g_left| {
                            let (m, k, n) = dims;
                            if GUARD {
                                guarded_matmul(x, tx, y, ty, d, (m, k, n), acc, g_left);
                            } else {
                                T::matmul(x, tx, y, ty, d, m, k, n, acc);
                            }
                        };
                    if na.grad {
                        let (d, first) = target!(ia, na);
                        if ta {
                            // A is k x m: Abar += op(B) G^T
                            adjoint_product(b, tb, g, true, d, (k, n, m), !first, false);
                        } else {
                            // A is m x k: Abar += G op(B)^T
                            adjoint_product(g, false, b, !tb, d, (m, n, k), !first, true);
                        }
                    }
                    if nb.grad {
                        let (d, first) = target!(ib, nb);
                        if tb {
                            // B is n x k: Bbar += G^T op(A)
                            adjoint_product(g, true, a, ta, d, (n, m, k), !first, true);
                        } else {
                            // B is k x n: Bbar += op(A)^T G
                            adjoint_product(a, !ta, g, false, d, (k, m, n), !first, false);
                        }
                    }
                }
            }
        }
    }

    /// The adjoint of a matrix after a sweep, row-major (zeros when the output does not
    /// depend on it).
    pub fn grad(&self, x: Mat) -> Vec<T> {
        let nx = self.node(x);
        if self.touched.get(x.index()).copied().unwrap_or(false) && nx.grad {
            self.adj[nx.range()].to_vec()
        } else {
            vec![self.vals[nx.off].cst(0.0); nx.len()]
        }
    }

    /// The gradient of the 1 x 1 output `y` with respect to `xs`, concatenated in order.
    /// The sweep is plain; where an adjoint of `xs` is NaN it runs again guarded and
    /// uncounted (the plain sweep counted the same operations), as on the scalar tape.
    pub fn gradient(&mut self, y: Mat, xs: &[Mat]) -> Vec<T> {
        let one = [self.unit_seed(y)];
        self.sweep::<false>(y, &one);
        let out = self.grads(xs);
        if out.iter().any(|g| g.re().is_nan()) {
            return crate::num::uncounted(|| {
                self.sweep::<true>(y, &one);
                self.grads(xs)
            });
        }
        out
    }

    /// The adjoints of `xs` after a sweep, concatenated in order, as [`TensorTape::grad`]
    /// gives each, in one allocation.
    fn grads(&self, xs: &[Mat]) -> Vec<T> {
        let mut out = Vec::with_capacity(xs.iter().map(|x| x.len()).sum());
        for &x in xs {
            let nx = self.node(x);
            if self.touched.get(x.index()).copied().unwrap_or(false) && nx.grad {
                out.extend_from_slice(&self.adj[nx.range()]);
            } else {
                let zero = self.vals[nx.off].cst(0.0);
                out.extend(std::iter::repeat_n(zero, nx.len()));
            }
        }
        out
    }

    /// The loss value and its gradient with respect to the parameters, flat.
    pub fn loss_and_gradient(&mut self, r: &TensorLoss) -> (T, Vec<T>) {
        let l = self.value(r.loss)[0].clone();
        (l, self.gradient(r.loss, &r.params))
    }
}

/// [`Scalar::matmul`]'s naive loop, in its order of operations, with each product
/// guarded by [`super::still`] on its factor from the adjoint G (the left factor when
/// `g_left`): an adjoint entry of exactly 0 passes 0 through an infinite entry of the
/// other factor, as on the scalar tape, where each product is an elemental of its own.
/// Where no product is NaN its bits are the plain product's. Used by the guarded sweep
/// only, which is uncounted.
#[allow(clippy::too_many_arguments)]
fn guarded_matmul<T: Scalar>(
    a: &[T],
    trans_a: bool,
    b: &[T],
    trans_b: bool,
    c: &mut [T],
    (m, k, n): (usize, usize, usize),
    accumulate: bool,
    g_left: bool,
) {
    crate::num::naive_matmul(
        (a, trans_a),
        (b, trans_b),
        c,
        (m, k, n),
        accumulate,
        |x: &T, y: &T| super::still(x.mul(y), if g_left { x } else { y }),
    );
}

/// Records `record` on a fresh tape and returns the loss value.
pub fn eval_tensor_with<T: Scalar>(record: impl FnOnce(&mut TensorTape<T>) -> TensorLoss) -> T {
    let mut tape = TensorTape::new();
    let r = record(&mut tape);
    tape.value(r.loss)[0].clone()
}

/// Records `record` on a fresh tape, sweeps, and returns the loss and its gradient.
pub fn gradient_tensor_with<T: Scalar>(
    record: impl FnOnce(&mut TensorTape<T>) -> TensorLoss,
) -> (T, Vec<T>) {
    let mut tape = TensorTape::new();
    let r = record(&mut tape);
    tape.loss_and_gradient(&r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ad::Dual;
    use crate::num::{Count, Work, WorkCounter};
    use crate::scenario::rng::SplitMix64;
    use rug::Float;

    /// Unit roundoff of f64.
    const U: f64 = f64::EPSILON / 2.0;
    /// Precision of the MPFR checks, in bits.
    const BITS: u32 = 256;

    fn draw(n: usize, seed: u64, low: f64, high: f64) -> Vec<f64> {
        SplitMix64::new(seed).fill(n, low, high)
    }

    fn gamma(n: usize) -> f64 {
        n as f64 * U / (1.0 - n as f64 * U)
    }

    /// The f64 product (blocked above the small size, the naive loop below) and the naive
    /// fold of the default (run on `Count`, whose arithmetic is f64) are each within the
    /// bound gamma_k sum_p |a_ip b_pj| of the exact product (computed in MPFR, exact at
    /// 256 bits for these sizes); accumulating adds the old entry as one more term.
    #[test]
    fn f64_matmul_is_within_the_dot_product_bound_for_every_transpose() {
        // the last five: a single row or column, or an inner dimension of 1, above the
        // size where f64 switches to its blocked loop (512 products)
        for &(m, k, n) in &[
            (2, 3, 4),
            (1, 8, 8),
            (17, 33, 9),
            (32, 64, 64),
            (5, 1, 7),
            (1, 600, 1),
            (1, 1, 700),
            (700, 1, 1),
            (1, 40, 30),
            (30, 40, 1),
        ] {
            for ta in [false, true] {
                for tb in [false, true] {
                    for acc in [false, true] {
                        let a = draw(m * k, 1, -1.0, 1.0);
                        let b = draw(k * n, 2, -1.0, 1.0);
                        let c0 = draw(m * n, 3, -1.0, 1.0);
                        let mut c = c0.clone();
                        f64::matmul(&a, ta, &b, tb, &mut c, m, k, n, acc);
                        let ac: Vec<Count> = a.iter().map(|&v| Count(v)).collect();
                        let bc: Vec<Count> = b.iter().map(|&v| Count(v)).collect();
                        let mut cc: Vec<Count> = c0.iter().map(|&v| Count(v)).collect();
                        Count::matmul(&ac, ta, &bc, tb, &mut cc, m, k, n, acc);
                        let af: Vec<Float> = a.iter().map(|&v| Float::with_val(BITS, v)).collect();
                        let bf: Vec<Float> = b.iter().map(|&v| Float::with_val(BITS, v)).collect();
                        let mut cf: Vec<Float> =
                            c0.iter().map(|&v| Float::with_val(BITS, v)).collect();
                        Float::matmul(&af, ta, &bf, tb, &mut cf, m, k, n, acc);
                        // |op(A)| |op(B)| (+ |C0|): the same product on absolute values
                        let abs = |v: &[f64]| -> Vec<Count> {
                            v.iter().map(|x| Count(x.abs())).collect()
                        };
                        let mut sc = abs(&c0);
                        Count::matmul(&abs(&a), ta, &abs(&b), tb, &mut sc, m, k, n, acc);
                        let terms = k + acc as usize;
                        for i in 0..m * n {
                            // sum of |terms|, rounded up by the relative error of its own
                            // computation
                            let scale = sc[i].0 * (1.0 + gamma(terms));
                            let bound = gamma(terms) * scale;
                            for (name, got) in [("f64", c[i]), ("naive", cc[i].0)] {
                                let err = Float::with_val(BITS, got - &cf[i]).abs().to_f64();
                                assert!(
                                    err <= bound,
                                    "{name} ({m},{k},{n}) ta={ta} tb={tb} acc={acc} entry {i}: \
                                     error {err:e} > {bound:e}"
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn counting_matmul_counts_every_product_and_sum() {
        let (m, k, n) = (2, 3, 4);
        let a: Vec<Count> = draw(m * k, 1, -1.0, 1.0).into_iter().map(Count).collect();
        let b: Vec<Count> = draw(k * n, 2, -1.0, 1.0).into_iter().map(Count).collect();
        let mut c = vec![Count(0.5); m * n];
        for (acc, adds) in [(false, m * n * (k - 1)), (true, m * n * k)] {
            let (_, w) = WorkCounter::measure(|| {
                Count::matmul(&a, true, &b, false, &mut c[..], m, k, n, acc)
            });
            assert_eq!(
                w,
                Work {
                    moves: 0,
                    adds: adds as u64,
                    mults: (m * n * k) as u64,
                    nlops: 0
                }
            );
        }
    }

    /// The graphs of the backward-rule check: one operation (or a short chain) applied
    /// to the inputs `x` (split into the shapes of `shapes(case)`), weighted by a
    /// constant matrix R and summed, so that L = sum(R o out) has a dense, distinct
    /// gradient.
    fn shapes(case: usize) -> Vec<(usize, usize)> {
        match case {
            0 => vec![(3, 4), (4, 2)],
            1 => vec![(4, 3), (4, 2)],
            2 => vec![(3, 4), (2, 4)],
            3 => vec![(4, 3), (2, 4)],
            4 => vec![(3, 4)],
            5 => vec![(3, 4), (1, 4)],
            6..=17 => vec![(3, 4)],
            18..=20 => vec![(3, 4), (3, 4)],
            21..=24 => vec![(3, 4)],
            25 => vec![(2, 3), (1, 2)],
            26..=29 => vec![(3, 3), (3, 3)],
            30 => vec![(3, 4), (1, 4)],
            31 | 32 => vec![(3, 4)],
            33 => vec![(3, 4), (3, 4)],
            34 => vec![(1, 4), (1, 4)],
            35 => vec![(1, 3), (1, 4)],
            36 => vec![(4, 1), (3, 1)],
            37 => vec![(4, 1), (4, 1)],
            38 => vec![(1, 4), (1, 4)],
            39 => vec![(1, 4)],
            40 => vec![(1, 4), (4, 1)],
            41 => vec![(4, 1), (1, 4)],
            _ => vec![],
        }
    }

    const UNARY: [Unary; 12] = [
        Unary::Tanh,
        Unary::Sigmoid,
        Unary::Exp,
        Unary::Sin,
        Unary::Neg,
        Unary::Powi(2),
        Unary::Powi(3),
        Unary::Recip,
        Unary::Log,
        Unary::Sqrt,
        Unary::Atan,
        Unary::Cos,
    ];

    fn graph<T: Scalar>(case: usize, tape: &mut TensorTape<T>, x: &[T]) -> (Mat, Vec<Mat>) {
        let mut off = 0;
        let ins: Vec<Mat> = shapes(case)
            .into_iter()
            .map(|(r, c)| {
                let m = tape.input(r, c, &x[off..off + r * c]);
                off += r * c;
                m
            })
            .collect();
        let out = match case {
            0 => tape.matmul(ins[0], false, ins[1], false),
            1 => tape.matmul(ins[0], true, ins[1], false),
            2 => tape.matmul(ins[0], false, ins[1], true),
            3 => tape.matmul(ins[0], true, ins[1], true),
            // A A^T: the same operand on both sides
            4 => tape.matmul(ins[0], false, ins[0], true),
            5 => tape.bias_add(ins[0], ins[1]),
            6..=17 => tape.unary(ins[0], UNARY[case - 6]),
            18 => tape.add(ins[0], ins[1]),
            19 => tape.sub(ins[0], ins[1]),
            20 => tape.hadamard(ins[0], ins[1]),
            21 => tape.sum_rows(ins[0]),
            22 => tape.sum_all(ins[0]),
            23 => tape.scale(ins[0], -0.75),
            24 => {
                // A o A - C, then A + that: repeated operands and a constant
                let sq = tape.hadamard(ins[0], ins[0]);
                let d = tape.sub_const(sq, draw(12, 9, -1.0, 1.0));
                tape.add(ins[0], d)
            }
            25 => {
                // tanh(X W^T + b) with X constant: no adjoint for X
                let xc = tape.constant(4, 3, draw(12, 10, -1.0, 1.0), &x[0]);
                let z = tape.matmul(xc, false, ins[0], true);
                let z = tape.bias_add(z, ins[1]);
                tape.unary(z, Unary::Tanh)
            }
            // 26 to 33: each operand receives contributions from two nodes, so that every
            // rule runs both as the first contribution (a write) and accumulating
            26..=29 => {
                let (ta, tb) = ((case - 26) & 1 == 1, (case - 26) & 2 == 2);
                let p = tape.matmul(ins[0], ta, ins[1], tb);
                let q = tape.matmul(ins[1], ta, ins[0], tb);
                tape.add(p, q)
            }
            30 => {
                let p = tape.bias_add(ins[0], ins[1]);
                let s = tape.unary(ins[0], Unary::Sigmoid);
                let q = tape.bias_add(s, ins[1]);
                tape.add(p, q)
            }
            31 => {
                let s1 = tape.sum_rows(ins[0]);
                let t = tape.scale(ins[0], -1.5);
                let s2 = tape.sum_rows(t);
                let s3 = tape.sum_rows(ins[0]);
                let q = tape.add(s1, s2);
                tape.add(q, s3)
            }
            32 => {
                let s = tape.sum_all(ins[0]);
                let e = tape.unary(ins[0], Unary::Exp);
                let v = tape.sum_all(e);
                tape.add(s, v)
            }
            33 => {
                let n1 = tape.unary(ins[1], Unary::Neg);
                let d = tape.sub(ins[0], ins[1]);
                let n2 = tape.unary(ins[1], Unary::Neg);
                let q = tape.add(n1, d);
                tape.add(q, n2)
            }
            // single rows and columns: a dot product (1 x 1), outer products (inner
            // dimension 1), a batch of one row
            34 => tape.matmul(ins[0], false, ins[1], true),
            35 => tape.matmul(ins[0], true, ins[1], false),
            36 => tape.matmul(ins[0], false, ins[1], true),
            37 => tape.matmul(ins[0], true, ins[1], false),
            38 => tape.bias_add(ins[0], ins[1]),
            39 => {
                let s = tape.sum_rows(ins[0]);
                tape.unary(s, Unary::Tanh)
            }
            40 => tape.matmul(ins[0], false, ins[1], false),
            41 => tape.matmul(ins[0], true, ins[1], true),
            _ => unreachable!(),
        };
        let r = tape.constant(
            out.rows(),
            out.cols(),
            draw(out.len(), 11, -1.0, 1.0),
            &x[0],
        );
        let weighted = tape.hadamard(out, r);
        (tape.sum_all(weighted), ins)
    }

    /// Every backward rule against forward mode, both in MPFR at 256 bits: the gradient
    /// from the adjoint sweep equals, entry by entry, the tangent of L seeded with e_j.
    /// Both are 256-bit evaluations of the same derivative, so they agree to far more
    /// than 2^-200 of the gradient's scale; a wrong rule is off in the leading digits.
    #[test]
    fn every_backward_rule_matches_forward_mode_in_mpfr() {
        for case in 0..=41 {
            let n: usize = shapes(case).iter().map(|(r, c)| r * c).sum();
            // inputs in [0.5, 1.5): inside the domain of log, sqrt and 1/u
            let x: Vec<Float> = draw(n, 100 + case as u64, 0.5, 1.5)
                .into_iter()
                .map(|v| Float::with_val(BITS, v))
                .collect();
            let mut tape = TensorTape::new();
            let (l, ins) = graph(case, &mut tape, &x);
            let g = tape.gradient(l, &ins);
            assert_eq!(g.len(), n);
            let tangents: Vec<Float> = (0..n)
                .map(|j| {
                    let xd: Vec<Dual<Float>> = crate::ad::seeded(&x, j);
                    let mut t = TensorTape::new();
                    let (ld, _) = graph(case, &mut t, &xd);
                    t.value(ld)[0].d.clone()
                })
                .collect();
            let scale = tangents
                .iter()
                .map(|t| t.to_f64().abs())
                .fold(0.0, f64::max);
            assert!(scale > 0.1, "case {case}: degenerate");
            for (j, (gj, tj)) in g.iter().zip(&tangents).enumerate() {
                let d = Float::with_val(BITS, gj - tj).abs().to_f64();
                assert!(
                    d <= scale * 2f64.powi(-200),
                    "case {case}, entry {j}: adjoint {gj} vs tangent {tj}"
                );
            }
        }
    }

    /// The counting rule of the module documentation on a product and a sum.
    #[test]
    fn counting_rule_of_a_product_and_a_sum() {
        let (m, k, n) = (2u64, 3u64, 4u64);
        let a: Vec<Count> = draw(6, 1, -1.0, 1.0).into_iter().map(Count).collect();
        let b: Vec<Count> = draw(12, 2, -1.0, 1.0).into_iter().map(Count).collect();
        let mut tape = TensorTape::new();
        let ((l, ma, mb), fwd) = WorkCounter::measure(|| {
            let ma = tape.input(2, 3, &a);
            let mb = tape.input(3, 4, &b);
            let c = tape.matmul(ma, false, mb, false);
            (tape.sum_all(c), ma, mb)
        });
        let mn = m * n;
        assert_eq!(
            fwd,
            Work {
                moves: 3 * mn * (2 * k - 1) + 3 * (mn - 1),
                adds: mn * (k - 1) + (mn - 1),
                mults: mn * k,
                nlops: 0
            }
        );
        let (_, bwd) = WorkCounter::measure(|| tape.gradient(l, &[ma, mb]));
        // Abar = G B^T: m k dots of length n; Bbar = A^T G: k n dots of length m; each
        // written by its first contribution (no accumulation)
        assert_eq!(
            bwd,
            Work {
                moves: 6 * (mn - 1) + 8 * mn * k + 6 * mn * (k - 1),
                adds: m * k * (n - 1) + k * n * (m - 1),
                mults: 2 * mn * k,
                nlops: 0
            }
        );
        // the same product with A as data (a constant): nothing is done for Abar; the
        // products move as with one adjoint (5), the sums as before (6: their arguments,
        // products and partial sums, all need adjoints)
        let mut tape = TensorTape::new();
        let ma = tape.constant(2, 3, a.iter().map(|c| c.0), &a[0]);
        let mb = tape.input(3, 4, &b);
        let c = tape.matmul(ma, false, mb, false);
        let l = tape.sum_all(c);
        let (_, bwd) = WorkCounter::measure(|| tape.gradient(l, &[mb]));
        assert_eq!(
            bwd,
            Work {
                moves: 6 * (mn - 1) + 5 * mn * k + 6 * mn * (k - 1),
                adds: k * n * (m - 1),
                mults: mn * k,
                nlops: 0
            }
        );
        // a univariate node: 2 moves and psi forward; 5 moves, psi', a product and an
        // addition (none on a first contribution) per entry backward
        let mut tape = TensorTape::new();
        let x = tape.input(2, 3, &a);
        let (t, fwd) = WorkCounter::measure(|| tape.unary(x, Unary::Tanh));
        assert_eq!(
            fwd,
            Work {
                moves: 12,
                adds: 0,
                mults: 0,
                nlops: 6
            }
        );
        let s = tape.sum_all(t);
        let (_, bwd) = WorkCounter::measure(|| tape.gradient(s, &[x]));
        assert_eq!(
            bwd,
            Work {
                moves: 30 + 30,
                adds: 0,
                mults: 6,
                nlops: 6
            }
        );
        // a sum over axis 0 and then over all: (rows - 1) cols and cols - 1 additions,
        // 6 moves each backward, as on the scalar tape; their adjoints are copies of
        // vbar (first contributions), no additions
        let mut tape = TensorTape::new();
        let x = tape.input(3, 4, &b);
        let r = tape.sum_rows(x);
        let s = tape.sum_all(r);
        let (_, bwd) = WorkCounter::measure(|| tape.gradient(s, &[x]));
        assert_eq!(
            bwd,
            Work {
                moves: 6 * (2 * 4) + 6 * 3,
                adds: 0,
                mults: 0,
                nlops: 0
            }
        );
        // scaling by a constant: a product with one argument that needs an adjoint,
        // 5 moves per entry backward
        let mut tape = TensorTape::new();
        let x = tape.input(2, 3, &a);
        let t = tape.scale(x, 2.0);
        let s = tape.sum_all(t);
        let (_, bwd) = WorkCounter::measure(|| tape.gradient(s, &[x]));
        assert_eq!(
            bwd,
            Work {
                moves: 5 * 6 + 6 * 5,
                adds: 0,
                mults: 6,
                nlops: 0
            }
        );
    }

    /// L = sum(R o psi(X)) with a weight R_0 = 0 beside an entry X_0 = 0 where psi' is
    /// infinite (sqrt, log, 1/u) or, after a product, with a factor infinite: the term
    /// R_0 psi(X_0) is identically 0, so dL/dX_0 = 0 exactly, as the scalar tape gives
    /// it (an adjoint of exactly 0 passes 0 back); dL/dX_1 = R_1 psi'(X_1) = psi'(1) =
    /// 1/2, 1 and -1.
    /// The guarded rerun behind a NaN adjoint is uncounted: the gradient of
    /// sum(R o sqrt(X)) with R_0 = 0 counts the same at X_0 = 0 as at X_0 = 1.
    #[test]
    fn a_guarded_rerun_counts_as_the_plain_sweep() {
        let work = |x0: f64| {
            let mut tape: TensorTape<Count> = TensorTape::new();
            let xm = tape.input(1, 2, &[Count(x0), Count(1.0)]);
            let p = tape.unary(xm, Unary::Sqrt);
            let rm = tape.constant(1, 2, [0.0, 1.0], &Count(0.0));
            let w = tape.hadamard(rm, p);
            let l = tape.sum_all(w);
            WorkCounter::measure(|| tape.gradient(l, &[xm]))
        };
        let (g0, w0) = work(0.0);
        let (_, w1) = work(1.0);
        assert_eq!(g0, vec![Count(0.0), Count(0.5)]);
        assert_eq!(w0, w1);
    }

    #[test]
    fn a_zero_adjoint_passes_zero_through_an_infinite_partial_as_on_the_scalar_tape() {
        use crate::ad::Tape;
        let x = [0.0, 1.0];
        let r = [0.0, 1.0];
        for (op, want1) in [(Unary::Sqrt, 0.5), (Unary::Log, 1.0), (Unary::Recip, -1.0)] {
            let mut tape = TensorTape::new();
            let xm = tape.input(1, 2, &x);
            let p = tape.unary(xm, op);
            let rm = tape.constant(1, 2, r, &0.0);
            let w = tape.hadamard(rm, p);
            let l = tape.sum_all(w);
            let g = tape.gradient(l, &[xm]);
            let s = Tape::new();
            let xs = s.vars(&x);
            let y = xs[0]
                .unary(op)
                .mul_f(r[0])
                .add(&xs[1].unary(op).mul_f(r[1]));
            let gs = s.gradient(&y, &xs);
            let bits = |v: &[f64]| v.iter().map(|g| g.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&gs), bits(&[0.0, want1]), "{op:?}: scalar tape {gs:?}");
            assert_eq!(bits(&g), bits(&[0.0, want1]), "{op:?}: tensor tape {g:?}");
        }
        // the weight 0 on a product whose other factor is infinite: 1/X o X at X_0 = 0
        let mut tape = TensorTape::new();
        let xm = tape.input(1, 2, &x);
        let q = tape.unary(xm, Unary::Recip);
        let h = tape.hadamard(q, xm);
        let sc = tape.scale(h, 2.0);
        let rm = tape.constant(1, 2, r, &0.0);
        let w = tape.hadamard(sc, rm);
        let l = tape.sum_all(w);
        // d/dX_1 of 2 (1/X) X = 0 (within rounding: -2/X^2 X + 2/X = 0 at X = 1)
        assert_eq!(tape.gradient(l, &[xm]), vec![0.0, 0.0]);
    }

    /// L = sum(R o (op(A) op(B))) with a column of R zero where op(B) has an infinite
    /// entry: each product of that entry with a zero adjoint is 0 on the scalar tape,
    /// and so on the matrix tape (its guarded rerun), for every pair of transposes,
    /// where the plain product of the adjoints gives NaN. Small integers keep every sum
    /// exact, so the two tapes' bits are compared whatever their order of summation.
    #[test]
    fn a_zero_adjoint_passes_zero_through_an_infinite_factor_of_a_matrix_product() {
        use crate::ad::Tape;
        let a = [1.0, 2.0, 3.0, 4.0];
        let r = [0.0, 1.0, 0.0, 1.0];
        for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
            // op(B)[0][0] is infinite: stored at 0 either way
            let b = [f64::INFINITY, 5.0, 6.0, 7.0];
            let mut tape = TensorTape::new();
            let am = tape.input(2, 2, &a);
            let bm = tape.input(2, 2, &b);
            let p = tape.matmul(am, ta, bm, tb);
            let rm = tape.constant(2, 2, r, &0.0);
            let w = tape.hadamard(rm, p);
            let l = tape.sum_all(w);
            let g = tape.gradient(l, &[am, bm]);

            let s = Tape::new();
            let (xa, xb) = (s.vars(&a), s.vars(&b));
            let at = |i: usize, k: usize| &xa[if ta { k * 2 + i } else { i * 2 + k }];
            let bt = |k: usize, j: usize| &xb[if tb { j * 2 + k } else { k * 2 + j }];
            let y = (0..4)
                .map(|ij| {
                    let (i, j) = (ij / 2, ij % 2);
                    let pij = at(i, 0).mul(bt(0, j)).add(&at(i, 1).mul(bt(1, j)));
                    pij.mul_f(r[ij])
                })
                .reduce(|acc, t| acc.add(&t))
                .expect("four terms");
            let all: Vec<_> = xa.iter().chain(&xb).cloned().collect();
            let gs = s.gradient(&y, &all);
            assert!(gs.iter().all(|v| !v.is_nan()), "scalar tape {gs:?}");
            let bits = |v: &[f64]| v.iter().map(|g| g.to_bits()).collect::<Vec<_>>();
            assert_eq!(
                bits(&g),
                bits(&gs),
                "ta {ta}, tb {tb}: {g:?} against {gs:?}"
            );
        }
    }

    /// The lecture-style network of one hidden unit whose activation overflows: the
    /// output sigmoid saturates at 1 with slope exactly 0, so dL/dW2 = 0 (0 times the
    /// infinite hidden value), which the scalar tape gives and the matrix tape now too.
    #[test]
    fn a_saturated_network_has_the_scalar_tapes_zero_gradient() {
        use crate::scenario::file::{load_str, Limits};
        let text = "name = \"saturated\"\nfamily = \"mlp\"\nlayers = [1, 1, 1]\n\
                    activation = \"identity\"\noutput_activation = \"sigmoid\"\nbias = false\n\
                    x = [[1e300]]\nt = [[0.25]]\nweights = [[[1e10]], [[1.0]]]\n";
        let sc = load_str(
            std::path::Path::new("saturated.toml"),
            text,
            &Limits::default(),
        )
        .expect("the scenario loads")
        .0;
        let (_, g) = sc.model.gradient_tensor(&sc.x).expect("an MLP");
        let t = crate::ad::Tape::new();
        let xs = t.vars(&sc.x);
        let y = sc.eval(&xs);
        let gs = t.gradient(&y[0], &xs);
        assert_eq!(gs, vec![0.0, 0.0]);
        assert_eq!(g, gs);
    }

    #[test]
    fn unreached_inputs_and_constant_outputs_have_zero_gradients() {
        let mut tape = TensorTape::new();
        let a = tape.input(1, 2, &[1.0, 2.0]);
        let b = tape.input(1, 2, &[3.0, 4.0]);
        let s = tape.sum_all(a);
        assert_eq!(tape.gradient(s, &[a, b]), vec![1.0, 1.0, 0.0, 0.0]);
        let c = tape.constant(1, 1, [5.0], &1.0);
        assert_eq!(tape.gradient(c, &[a, b]), vec![0.0; 4]);
        // and a later sweep from s again sees nothing left over
        assert_eq!(tape.gradient(s, &[a, b]), vec![1.0, 1.0, 0.0, 0.0]);
    }

    #[test]
    fn reuse_keeps_memory_and_gives_the_same_gradient() {
        let x = draw(64 * 16, 1, -1.0, 1.0);
        let w = draw(8 * 16, 2, -1.0, 1.0);
        let b = draw(8, 3, -1.0, 1.0);
        let mut tape = TensorTape::new();
        let run = |tape: &mut TensorTape<f64>| {
            tape.clear();
            let xc = tape.constant(64, 16, x.iter().copied(), &0.0);
            let wm = tape.input(8, 16, &w);
            let bm = tape.input(1, 8, &b);
            let z = tape.matmul(xc, false, wm, true);
            let z = tape.bias_add(z, bm);
            let z = tape.unary(z, Unary::Tanh);
            let z = tape.sum_rows(z);
            let z = tape.unary(z, Unary::Powi(2));
            let l = tape.sum_all(z);
            tape.gradient(l, &[wm, bm])
        };
        let g1 = run(&mut tape);
        let kept = |tape: &TensorTape<f64>| {
            (
                tape.values_capacity(),
                tape.adj.capacity(),
                tape.nodes.capacity(),
                tape.touched.capacity(),
            )
        };
        let cap = kept(&tape);
        assert!(cap.0 > 0 && cap.1 > 0 && cap.2 > 0 && cap.3 > 0, "{cap:?}");
        // cleared, the tape still holds its memory (a run on a tape that freed it would
        // grow it back to the same capacities, so the check is made here)
        tape.clear();
        assert_eq!(kept(&tape), cap);
        let g2 = run(&mut tape);
        assert_eq!(
            g1.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            g2.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
        assert_eq!(kept(&tape), cap);
        // values: X, W, b, the product, the bias add, tanh, the column sums, squares, sum
        let values = 64 * 16 + 8 * 16 + 8 + 3 * 64 * 8 + 2 * 8 + 1;
        assert_eq!(tape.values_len(), values);
        assert_eq!(
            tape.bytes(),
            8 * values + 9 * TensorTape::<f64>::bytes_per_node()
        );
    }
}
