//! Reverse mode: an index-based tape in contiguous storage and the lecture's
//! incremental adjoint recursion, generic over the scalar.
//!
//! # Layout
//!
//! The tape is two arrays, one element per elemental v_i:
//!
//! | array | element | bytes (f64) |
//! | --- | --- | --- |
//! | `kinds` | [`NodeKind`], the elemental | 1 |
//! | `nodes` | the value v_i (the trace) and `[u32; 2]`, the indices of the arguments (the exponent k for u^k) | 8 + 8 |
//!
//! The kinds stand apart so that an entry needs no padding (a 1-byte kind beside a
//! 16-byte entry would round it up to 24), and value and arguments share one entry so
//! that recording writes two arrays, not three.
//!
//! so 17 bytes per elemental for f64, whatever its arity. The reverse sweep recomputes
//! the partial derivatives from the stored values (`ubar += vbar * w` reads w back from
//! the trace) instead of storing them: storing two partials would add 16 bytes and two
//! moves per bivariate elemental, which puts products above the cheap-gradient bound of 4
//! at unit weights. Adjoints live in a separate vector of the same length, allocated at
//! the first sweep and kept. Constants (`cst`, a plain f64 operand) are entries of kind
//! `Const`. [`Tape::clear`] empties the tape without freeing, so a warm tape records
//! without allocating.
//!
//! # The adjoint recursion
//!
//! For i = l down to 1, with vbar = adj[i]: `ubar += vbar * dphi/du`, `wbar += vbar *
//! dphi/dw`, then `vbar = 0` (the incremental form of the lecture). Zeroing as it goes
//! leaves the adjoint vector clean for the next sweep, so m sweeps for a Jacobian need
//! no refill; the input adjoints are read and reset at the end (every input's, also
//! those not asked for, so that none carries over into the next sweep or recording).
//! A sweep for one output also passes the entries it does not depend on (other
//! outputs'), with vbar = 0: their contributions stay 0 also where a partial is
//! infinite (not 0 * inf = NaN). The plain sweep has no test per product for that: when
//! an adjoint it returns is NaN, the sweep runs again with every product guarded (see
//! `still` in the parent module), uncounted, since the plain sweep counted the same
//! operations.

use super::{guard, TapeScalar};
use crate::num::{
    pow_partials_at_zero_base, pow_slope_from_the_base, pow_slope_in_base, scaled_product, Binary,
    Scalar, Unary,
};
use std::cell::UnsafeCell;

/// The elemental an entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum NodeKind {
    /// an independent variable
    Input,
    /// a constant
    Const,
    /// -u
    Neg,
    /// 1/u
    Recip,
    /// exp(u)
    Exp,
    /// log(u)
    Log,
    /// sqrt(u)
    Sqrt,
    /// sin(u)
    Sin,
    /// cos(u)
    Cos,
    /// tan(u)
    Tan,
    /// tanh(u)
    Tanh,
    /// sigmoid(u)
    Sigmoid,
    /// atan(u)
    Atan,
    /// |u|
    Abs,
    /// u^k, k in `args[1]`
    Powi,
    /// u + w
    Add,
    /// u - w
    Sub,
    /// u * w
    Mul,
    /// u / w
    Div,
    /// u^w
    Pow,
    /// min(u, w)
    Min,
    /// max(u, w)
    Max,
}

impl NodeKind {
    fn of_unary(op: Unary) -> (NodeKind, u32) {
        let k = match op {
            Unary::Neg => NodeKind::Neg,
            Unary::Recip => NodeKind::Recip,
            Unary::Exp => NodeKind::Exp,
            Unary::Log => NodeKind::Log,
            Unary::Sqrt => NodeKind::Sqrt,
            Unary::Sin => NodeKind::Sin,
            Unary::Cos => NodeKind::Cos,
            Unary::Tan => NodeKind::Tan,
            Unary::Tanh => NodeKind::Tanh,
            Unary::Sigmoid => NodeKind::Sigmoid,
            Unary::Atan => NodeKind::Atan,
            Unary::Abs => NodeKind::Abs,
            Unary::Powi(k) => return (NodeKind::Powi, k as u32),
        };
        (k, 0)
    }

    fn of_binary(op: Binary) -> NodeKind {
        match op {
            Binary::Add => NodeKind::Add,
            Binary::Sub => NodeKind::Sub,
            Binary::Mul => NodeKind::Mul,
            Binary::Div => NodeKind::Div,
            Binary::Pow => NodeKind::Pow,
            Binary::Min => NodeKind::Min,
            Binary::Max => NodeKind::Max,
        }
    }

    /// The univariate elemental, if this is one (`arg1` carries the exponent of u^k).
    pub fn unary(self, arg1: u32) -> Option<Unary> {
        Some(match self {
            NodeKind::Neg => Unary::Neg,
            NodeKind::Recip => Unary::Recip,
            NodeKind::Exp => Unary::Exp,
            NodeKind::Log => Unary::Log,
            NodeKind::Sqrt => Unary::Sqrt,
            NodeKind::Sin => Unary::Sin,
            NodeKind::Cos => Unary::Cos,
            NodeKind::Tan => Unary::Tan,
            NodeKind::Tanh => Unary::Tanh,
            NodeKind::Sigmoid => Unary::Sigmoid,
            NodeKind::Atan => Unary::Atan,
            NodeKind::Abs => Unary::Abs,
            NodeKind::Powi => Unary::Powi(arg1 as i32),
            _ => return None,
        })
    }

    /// The bivariate elemental, if this is one.
    pub fn binary(self) -> Option<Binary> {
        Some(match self {
            NodeKind::Add => Binary::Add,
            NodeKind::Sub => Binary::Sub,
            NodeKind::Mul => Binary::Mul,
            NodeKind::Div => Binary::Div,
            NodeKind::Pow => Binary::Pow,
            NodeKind::Min => Binary::Min,
            NodeKind::Max => Binary::Max,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug)]
struct Entry<T> {
    val: T,
    args: [u32; 2],
}

#[derive(Debug)]
struct Store<T> {
    kinds: Vec<NodeKind>,
    nodes: Vec<Entry<T>>,
    adj: Vec<T>,
    /// number of entries of kind `Input`
    inputs: usize,
    /// (first index, count) of the inputs when one [`Tape::vars`] recorded all of them
    bulk: (usize, usize),
    /// how many times the tape was cleared: a recording that outlives a clear is stale
    clears: u64,
}

/// A tape of elementals over the scalar `T`.
///
/// Record by computing with [`Var`]s made by [`Tape::var`]; then [`Tape::gradient`],
/// [`Tape::vjp`] or [`Tape::jacobian`] run the adjoint sweep.
#[derive(Debug)]
pub struct Tape<T> {
    /// The storage, behind an `UnsafeCell` rather than a `RefCell`: recording is the hot
    /// path and a borrow flag per elemental costs measurable time. Soundness: every
    /// access goes through [`Tape::with`], whose closures never call back into the tape
    /// (they only run the scalar's own arithmetic, which by the contract of
    /// [`TapeScalar`] never reaches a tape), and a `Tape` is not `Sync`, so no two
    /// accesses overlap.
    store: UnsafeCell<Store<T>>,
}

impl<T: TapeScalar> Default for Tape<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// One recorded entry, for display (the `trace` command).
#[derive(Clone, Debug)]
pub struct TapeNode<T> {
    /// the elemental
    pub kind: NodeKind,
    /// argument indices (for `Powi`, `args[1]` is the exponent)
    pub args: [u32; 2],
    /// the value
    pub value: T,
}

/// One update of the incremental adjoint recursion, as a recording sweep made it:
/// vbar_j += dv_i/dv_j * vbar_i, with i = `entry` and j = `arg` (tape indices).
#[derive(Clone, Debug)]
pub struct AdjointStep<T> {
    /// the entry i whose adjoint is passed back
    pub entry: usize,
    /// the argument j it is passed to
    pub arg: usize,
    /// dv_i/dv_j by the sweep's rule: what the update adds at vbar_i = 1
    pub partial: T,
    /// what the update added to vbar_j: dv_i/dv_j * vbar_i as the sweep rounds it
    /// (for u / w, (vbar / w) v, not (-v / w^2) vbar)
    pub increment: T,
    /// vbar_j after the update
    pub after: T,
}

/// Where a recording sweep writes: each entry's final adjoint, and each update (when
/// given).
type Recording<'a, T> = (&'a mut Vec<T>, Option<&'a mut Vec<AdjointStep<T>>>);

/// The adjoints a sweep reads out, and resets.
enum ReadOut<'a, 'v, T> {
    /// those of the variables given, in their order
    Vars(&'a [Var<'v, T>]),
    /// those of the n inputs of the tape's one [`Tape::vars`], in order: the caller made
    /// them and handed them out as a shared slice only ([`Tape::gradient_of_sum`])
    Bulk(usize),
}

// by hand: a derive would ask T: Copy
impl<T> Clone for ReadOut<'_, '_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for ReadOut<'_, '_, T> {}

/// A value recorded on a tape: its index and its value.
#[derive(Clone, Debug)]
pub struct Var<'t, T> {
    tape: &'t Tape<T>,
    idx: u32,
    v: T,
}

impl<'t, T: TapeScalar> Var<'t, T> {
    /// The value.
    pub fn value(&self) -> &T {
        &self.v
    }
    /// The index of the entry on the tape.
    pub fn index(&self) -> usize {
        self.idx as usize
    }
}

/// `d`, a product of the adjoint sweep, where it is a normal number; where it is not
/// (infinite, NaN, 0 or subnormal) though its factors (`num` over `den`) are finite and,
/// for a 0 or subnormal `d`, nonzero, the product again by [`scaled_product`], whose
/// intermediates overflow or underflow only where the result does: (vbar / w) v of u / w
/// at vbar = 1e300, w = 1e-10, v = 1e-290 (and at vbar = 1e-300, w = 1e100, v = 1e200,
/// where vbar / w underflows), or vbar v w / u of u^w. The rerun is not counted (the
/// rule counted its operations), and [`super::rescaled_or_plain`] chooses between the
/// two. Where vbar / w
/// overflows and v is 0, (vbar / w) v is NaN and the rerun gives the 0 that forward mode
/// gives.
#[inline(always)]
pub(super) fn finite_or_rescaled<T: Scalar>(d: T, num: &[&T], den: Option<&T>) -> T {
    let r = d.re();
    if r.abs() >= f64::MIN_POSITIVE && r.is_finite() {
        d
    } else {
        rescaled(d, num, den)
    }
}

#[cold]
#[inline(never)]
fn rescaled<T: Scalar>(d: T, num: &[&T], den: Option<&T>) -> T {
    let mut factors = num.iter().chain(den.iter());
    if !factors.clone().all(|s| s.re().is_finite())
        || (d.re().is_finite() && factors.any(|s| s.re() == 0.0))
    {
        return d;
    }
    let alt = crate::num::uncounted(|| scaled_product(num, den));
    super::rescaled_or_plain(d, alt)
}

impl<T: TapeScalar> Tape<T> {
    /// An empty tape.
    pub fn new() -> Self {
        Tape {
            store: UnsafeCell::new(Store {
                kinds: Vec::new(),
                nodes: Vec::new(),
                adj: Vec::new(),
                inputs: 0,
                bulk: (0, 0),
                clears: 0,
            }),
        }
    }

    /// Runs `f` with exclusive access to the storage. `f` must not touch the tape.
    #[inline]
    fn with<R>(&self, f: impl FnOnce(&mut Store<T>) -> R) -> R {
        // SAFETY: see the field's documentation; the only callers are this module's
        // methods, none of which re-enters `with` from inside `f`, and the scalar's
        // operations that `f` runs touch no tape (`TapeScalar`).
        f(unsafe { &mut *self.store.get() })
    }

    /// Empties the tape, keeping its memory for the next recording.
    pub fn clear(&self) {
        self.with(|s| {
            s.kinds.clear();
            s.nodes.clear();
            s.inputs = 0;
            s.bulk = (0, 0);
            s.clears = s.clears.wrapping_add(1);
        })
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.with(|s| s.nodes.len())
    }

    /// True when nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held by the recorded entries (kind, arguments, values), adjoints excluded.
    pub fn bytes(&self) -> usize {
        self.len() * Self::bytes_per_entry()
    }

    /// Bytes per entry: kind, two argument indices and the value.
    pub fn bytes_per_entry() -> usize {
        std::mem::size_of::<NodeKind>() + std::mem::size_of::<Entry<T>>()
    }

    /// A copy of the recorded entries, for display.
    pub fn nodes(&self) -> Vec<TapeNode<T>> {
        self.with(|s| {
            s.nodes
                .iter()
                .zip(&s.kinds)
                .map(|(e, &kind)| TapeNode {
                    kind,
                    args: e.args,
                    value: e.val.clone(),
                })
                .collect()
        })
    }

    fn push(&self, kind: NodeKind, args: [u32; 2], v: T) -> Var<'_, T> {
        let idx = self.with(|s| {
            let entry = Entry {
                val: v.clone(),
                args,
            };
            let len = s.nodes.len();
            debug_assert_eq!(len, s.kinds.len(), "an entry is a kind and a node");
            let idx = u32::try_from(len).expect("tape longer than 2^32 entries");
            if len == s.nodes.capacity() || len == s.kinds.capacity() {
                Self::grow(s);
            }
            // SAFETY: `kinds` and `nodes` hold `len` elements each (they grow together:
            // entries are added only here and in `vars`, which extends both by the same
            // count, and `clear` empties both) and have room for one more (checked
            // above), so each write goes to the first spare slot, which `set_len` then
            // counts as initialised. Nothing between the writes and `set_len` can panic.
            unsafe {
                s.kinds.as_mut_ptr().add(len).write(kind);
                s.nodes.as_mut_ptr().add(len).write(entry);
                s.kinds.set_len(len + 1);
                s.nodes.set_len(len + 1);
            }
            idx
        });
        Var { tape: self, idx, v }
    }

    /// Room for more entries, out of the recording's hot path. With `Vec::push` in
    /// `push`, its growth call on the path of every elemental kept a value that a
    /// recording carries from one elemental to the next (the running sum of sum of
    /// squares) in memory instead of a register, adding a store and a load to each link
    /// of a chain of dependent additions (`perf annotate` of `examples/tape_profile.rs`).
    #[cold]
    #[inline(never)]
    fn grow(s: &mut Store<T>) {
        let more = s.nodes.len().max(64);
        s.kinds.reserve(more);
        s.nodes.reserve(more);
    }

    /// Records an independent variable.
    pub fn var(&self, x: T) -> Var<'_, T> {
        self.with(|s| s.inputs += 1);
        self.push(NodeKind::Input, [0, 0], x)
    }

    /// Records independent variables.
    pub fn vars(&self, xs: &[T]) -> Vec<Var<'_, T>> {
        let first = self.with(|s| {
            let first = s.nodes.len();
            // the last index must fit in a u32, as in `push`
            u32::try_from((first + xs.len()).saturating_sub(1))
                .expect("tape longer than 2^32 entries");
            s.kinds.resize(first + xs.len(), NodeKind::Input);
            s.nodes.extend(xs.iter().map(|x| Entry {
                val: x.clone(),
                args: [0, 0],
            }));
            if s.inputs == 0 {
                s.bulk = (first, xs.len());
            }
            s.inputs += xs.len();
            first as u32
        });
        (0..xs.len())
            .map(|k| Var {
                tape: self,
                idx: first + k as u32,
                v: xs[k].clone(),
            })
            .collect()
    }

    /// Runs the incremental adjoint recursion from entry `from` down to entry 0, with
    /// `seeds` (index, ybar) added to the adjoints first. When `record` is given, it
    /// receives each entry's final adjoint as the sweep reaches it.
    /// The plain sweep lets 0 * inf = NaN through; `guard` runs the sweep with every
    /// product guarded by [`still`] (a recording sweep is always guarded).
    fn sweep(
        &self,
        from: usize,
        seeds: &[(usize, T)],
        record: Option<Recording<'_, T>>,
        guard: bool,
    ) {
        self.with(|s| Self::sweep_store(s, from, seeds, record, guard))
    }

    /// One plain sweep and the adjoints of `xs`; where one of them is NaN, the sweep runs
    /// again guarded and uncounted (the plain one counted the same operations), so that
    /// an entry with adjoint 0 passes 0 back also through an infinite partial, while the
    /// hot path carries no test per product.
    fn sweep_take(&self, from: usize, seeds: &[(usize, T)], xs: ReadOut<'_, '_, T>) -> Vec<T> {
        if let ReadOut::Vars(xs) = xs {
            // before the sweep, which resets the adjoint of every entry but the inputs as
            // it passes it: an intermediate variable would read a wrong 0
            self.with(|s| {
                for x in xs {
                    assert!(
                        s.kinds.get(x.index()) == Some(&NodeKind::Input),
                        "gradient with respect to a variable that is not an input of this \
                         tape (made by `var` or `vars` since its last `clear`)"
                    );
                }
            });
        }
        self.sweep(from, seeds, None, false);
        let out = self.take_adjoints(xs);
        if out.iter().any(|a| a.re().is_nan()) {
            return self.sweep_take_guarded(from, seeds, xs);
        }
        out
    }

    #[cold]
    #[inline(never)]
    fn sweep_take_guarded(
        &self,
        from: usize,
        seeds: &[(usize, T)],
        xs: ReadOut<'_, '_, T>,
    ) -> Vec<T> {
        crate::num::uncounted(|| {
            self.sweep(from, seeds, None, true);
            self.take_adjoints(xs)
        })
    }

    fn sweep_store(
        s: &mut Store<T>,
        from: usize,
        seeds: &[(usize, T)],
        mut record: Option<Recording<'_, T>>,
        guard: bool,
    ) {
        let n = s.nodes.len();
        if n == 0 {
            return;
        }
        if s.adj.len() < n {
            let zero = s.nodes[0].val.cst(0.0);
            s.adj.resize(n, zero);
        }
        super::write_seeds(&mut s.adj, seeds, |i| i);
        if let Some((r, steps)) = record.as_mut() {
            r.clear();
            r.resize(n, s.nodes[0].val.cst(0.0));
            if let Some(steps) = steps {
                steps.clear();
            }
        }
        let from = from.min(n - 1);
        match (record, guard) {
            (None, false) => Self::sweep_slices::<false, false, false>(
                &s.kinds[..=from],
                &s.nodes[..=from],
                &mut s.adj[..=from],
                &mut [],
                &mut Vec::new(),
            ),
            (None, true) => Self::sweep_slices::<false, false, true>(
                &s.kinds[..=from],
                &s.nodes[..=from],
                &mut s.adj[..=from],
                &mut [],
                &mut Vec::new(),
            ),
            (Some((r, Some(steps))), _) => Self::sweep_slices::<true, true, true>(
                &s.kinds[..=from],
                &s.nodes[..=from],
                &mut s.adj[..=from],
                &mut r[..=from],
                steps,
            ),
            (Some((r, None)), _) => Self::sweep_slices::<true, false, true>(
                &s.kinds[..=from],
                &s.nodes[..=from],
                &mut s.adj[..=from],
                &mut r[..=from],
                &mut Vec::new(),
            ),
        }
    }

    /// The recursion itself, over slices of equal length passed as arguments so that the
    /// compiler knows they do not overlap and keeps their bases in registers. Indexing
    /// stays bounds-checked: a variable left over from before [`Tape::clear`] panics
    /// instead of reading out of range.
    ///
    /// When `ADJ`, `record[i]` receives each entry's final adjoint; when `RECORD`, `steps` every
    /// update the sweep makes, with the partial derivative behind it: the same rules,
    /// applied once more at vbar = 1 (uncounted), before the update itself.
    #[inline(never)]
    fn sweep_slices<const ADJ: bool, const RECORD: bool, const GUARD: bool>(
        kinds: &[NodeKind],
        nodes: &[Entry<T>],
        adj: &mut [T],
        record: &mut [T],
        steps: &mut Vec<AdjointStep<T>>,
    ) {
        let zero = nodes[0].val.cst(0.0);
        // a product of an adjoint and a partial: guarded by `still`, or as it is; the
        // guard is keyed on the entry's adjoint vbar, also for a product formed in steps
        // (vbar v, then times w), whose intermediate may be 0 while vbar is not
        let g = guard::<GUARD, T>;
        // the partials of the entry at hand, in the order of its updates (RECORD only)
        let mut partials: Vec<T> = Vec::new();
        for i in (0..nodes.len()).rev() {
            let k = kinds[i];
            if ADJ {
                record[i] = adj[i].clone();
            }
            if k == NodeKind::Input {
                continue;
            }
            let vb = std::mem::replace(&mut adj[i], zero.clone());
            if vb.passes_nothing() {
                // (the reference's exact zeros only: see `Scalar::passes_nothing`)
                continue;
            }
            let [a, b] = nodes[i].args;
            let (a, b) = (a as usize, b as usize);
            // the updates ubar += d and ubar -= d, and their records
            macro_rules! give {
                ($j:expr, $d:expr) => {{
                    let (j, d): (usize, &T) = ($j, $d);
                    adj[j] = adj[j].add(d);
                    if RECORD {
                        Self::log(steps, &partials, i, j, d.clone(), &adj[j]);
                    }
                }};
            }
            macro_rules! take {
                ($j:expr, $d:expr) => {{
                    let (j, d): (usize, &T) = ($j, $d);
                    adj[j] = adj[j].sub(d);
                    if RECORD {
                        let inc = crate::num::uncounted(|| d.neg());
                        Self::log(steps, &partials, i, j, inc, &adj[j]);
                    }
                }};
            }
            // the same at vbar = 1, collecting the partials instead
            macro_rules! give_partial {
                ($j:expr, $d:expr) => {{
                    let (_, d): (usize, &T) = ($j, $d);
                    partials.push(d.clone());
                }};
            }
            macro_rules! take_partial {
                ($j:expr, $d:expr) => {{
                    let (_, d): (usize, &T) = ($j, $d);
                    partials.push(d.neg());
                }};
            }
            // the rules of entry i with adjoint $vbar, making the updates with $give and
            // $take
            macro_rules! rules {
                ($vbar:expr, $give:ident, $take:ident) => {{
                    let vbar: &T = $vbar;
                    macro_rules! univariate {
                        ($op:expr) => {{
                            T::note_moves(5);
                            let d = g(nodes[a].val.unary_deriv($op, &nodes[i].val).mul(vbar), vbar);
                            $give!(a, &d);
                        }};
                    }
                    match k {
                        NodeKind::Input | NodeKind::Const => {}
                        NodeKind::Add => {
                            T::note_moves(6);
                            $give!(a, vbar);
                            $give!(b, vbar);
                        }
                        NodeKind::Sub => {
                            T::note_moves(6);
                            $give!(a, vbar);
                            $take!(b, vbar);
                        }
                        NodeKind::Mul => {
                            T::note_moves(8);
                            let da = g(vbar.mul(&nodes[b].val), vbar);
                            let db = g(vbar.mul(&nodes[a].val), vbar);
                            $give!(a, &da);
                            $give!(b, &db);
                        }
                        NodeKind::Div => {
                            // v = u / w: ubar += vbar / w; wbar -= (vbar / w) * v
                            T::note_moves(8);
                            let (w, v) = (&nodes[b].val, &nodes[i].val);
                            let t = g(vbar.div(w), vbar);
                            let db = finite_or_rescaled(g(t.mul(v), vbar), &[vbar, v], Some(w));
                            $give!(a, &t);
                            $take!(b, &db);
                        }
                        NodeKind::Pow => {
                            // v = u^w: ubar += vbar * w * v / u (vbar * w u^(w-1) where v
                            // is not a normal number); wbar += vbar * v * log u (reads
                            // vbar, u, w and v; reads and writes both adjoints; vbar = 0)
                            // a constant exponent (u^c) gets no adjoint: nothing reads
                            // it, and its log u would be NaN for u < 0. Reads vbar, u, w
                            // and v; reads and writes ubar (and wbar); vbar = 0
                            let exponent_varies = kinds[b] != NodeKind::Const;
                            T::note_moves(if exponent_varies { 9 } else { 7 });
                            let (u, w, v) = (&nodes[a].val, &nodes[b].val, &nodes[i].val);
                            let (da, db) = if u.value_is_zero() {
                                let (du, dw) = pow_partials_at_zero_base(u, w, v);
                                (
                                    g(du.mul(vbar), vbar),
                                    exponent_varies.then(|| g(dw.mul(vbar), vbar)),
                                )
                            } else {
                                // for u < 0, log u is NaN: u^w has no derivative in w
                                // there. Every product is guarded by vbar: vbar v is 0
                                // also where only v underflowed, and the NaN of log u
                                // must then stay
                                let vv = g(vbar.mul(v), vbar);
                                let da = if pow_slope_from_the_base(u, v) {
                                    // v underflowed or overflowed: vbar * w u^(w-1)
                                    g(pow_slope_in_base(u, w).mul(vbar), vbar)
                                } else {
                                    let vw = g(vv.mul(w), vbar);
                                    finite_or_rescaled(g(vw.div(u), vbar), &[vbar, v, w], Some(u))
                                };
                                let db = || {
                                    let ln = u.ln();
                                    finite_or_rescaled(g(vv.mul(&ln), vbar), &[vbar, v, &ln], None)
                                };
                                (da, exponent_varies.then(db))
                            };
                            $give!(a, &da);
                            if let Some(db) = db {
                                $give!(b, &db);
                            }
                        }
                        NodeKind::Min | NodeKind::Max => {
                            // reads vbar, u and w (to compare them); reads and writes the
                            // selected adjoint; vbar = 0
                            T::note_moves(6);
                            let op = k.binary().expect("min/max is bivariate");
                            let t = if nodes[a].val.selects_left_of(op, &nodes[b].val) {
                                a
                            } else {
                                b
                            };
                            $give!(t, vbar);
                        }
                        NodeKind::Neg => {
                            // reads vbar, no value; reads and writes ubar; vbar = 0
                            T::note_moves(4);
                            $take!(a, vbar);
                        }
                        // univariate: ubar += vbar * psi'(u), one arm per elemental so
                        // that each derivative rule is specialised at compile time
                        NodeKind::Recip => univariate!(Unary::Recip),
                        NodeKind::Exp => univariate!(Unary::Exp),
                        NodeKind::Log => univariate!(Unary::Log),
                        NodeKind::Sqrt => univariate!(Unary::Sqrt),
                        NodeKind::Sin => univariate!(Unary::Sin),
                        NodeKind::Cos => univariate!(Unary::Cos),
                        NodeKind::Tan => univariate!(Unary::Tan),
                        NodeKind::Tanh => univariate!(Unary::Tanh),
                        NodeKind::Sigmoid => univariate!(Unary::Sigmoid),
                        NodeKind::Atan => univariate!(Unary::Atan),
                        NodeKind::Abs => univariate!(Unary::Abs),
                        NodeKind::Powi => univariate!(Unary::Powi(b as i32)),
                    }
                }};
            }
            if RECORD {
                partials.clear();
                crate::num::uncounted(|| rules!(&zero.cst(1.0), give_partial, take_partial));
            }
            rules!(&vb, give, take);
        }
    }

    /// Records one update of a recording sweep: entry `i` added `increment` to the
    /// adjoint of `j`, which is now `after`; its partial is the next of `partials`.
    fn log(
        steps: &mut Vec<AdjointStep<T>>,
        partials: &[T],
        i: usize,
        j: usize,
        increment: T,
        after: &T,
    ) {
        // the updates of entry i so far: this is its next partial
        let k = steps.iter().rev().take_while(|s| s.entry == i).count();
        steps.push(AdjointStep {
            entry: i,
            arg: j,
            partial: partials[k].clone(),
            increment,
            after: after.clone(),
        });
    }

    /// Reads the adjoints of `xs` after a sweep and resets every input's adjoint. The
    /// sweep leaves the inputs' adjoints in place for this read, so an input not in
    /// `xs` (a gradient with respect to some of the inputs, or an output that is an
    /// input) would otherwise carry its adjoint into the next sweep, also after
    /// [`Tape::clear`], where another entry takes its index. When `xs` are all the
    /// inputs in recording order (as [`Tape::vars`] returns them), resetting `xs` is
    /// enough; otherwise every input entry is reset.
    fn take_adjoints(&self, xs: ReadOut<'_, '_, T>) -> Vec<T> {
        self.with(|s| {
            let Some(first) = s.nodes.first() else {
                if let ReadOut::Vars(xs) = xs {
                    assert!(xs.is_empty(), "a variable from before `clear`");
                }
                return Vec::new();
            };
            let zero = first.val.cst(0.0);
            let (b0, bn) = s.bulk;
            // the common case: the inputs of the one `vars`, in order; known by
            // construction for `Bulk` (no pass over the variables to check their indices)
            let bulk = match xs {
                ReadOut::Bulk(n) => {
                    debug_assert_eq!(bn, n, "checked before the sweep");
                    true
                }
                ReadOut::Vars(xs) => {
                    bn == s.inputs
                        && xs.len() == bn
                        && xs.iter().enumerate().all(|(k, x)| x.index() == b0 + k)
                }
            };
            if bulk {
                let out = s.adj[b0..b0 + bn]
                    .iter_mut()
                    .map(|a| std::mem::replace(a, zero.clone()))
                    .collect();
                if bn != s.inputs {
                    // more inputs, recorded by `var` while recording: reset them too
                    Self::reset_inputs(s, &zero);
                }
                return out;
            }
            let ReadOut::Vars(xs) = xs else {
                unreachable!("a bulk read-out returned above")
            };
            // read, checking on the way that xs are the inputs in increasing order
            let mut all_inputs = xs.len() == s.inputs;
            let mut next = 0;
            let out: Vec<T> = xs
                .iter()
                .map(|x| {
                    let i = x.index();
                    all_inputs &= i >= next && s.kinds[i] == NodeKind::Input;
                    next = i + 1;
                    s.adj[i].clone()
                })
                .collect();
            if all_inputs {
                for x in xs {
                    s.adj[x.index()] = zero.clone();
                }
            } else {
                Self::reset_inputs(s, &zero);
            }
            out
        })
    }

    /// Resets the adjoint of every input entry.
    fn reset_inputs(s: &mut Store<T>, zero: &T) {
        for (k, a) in s.kinds.iter().zip(s.adj.iter_mut()) {
            if *k == NodeKind::Input {
                *a = zero.clone();
            }
        }
    }

    /// The gradient of `y` with respect to `xs` (ybar = 1).
    ///
    /// # Panics
    ///
    /// Where a variable of `xs` is not an input of this tape (made by [`Tape::var`] or
    /// [`Tape::vars`] since the last [`Tape::clear`]); so do [`Tape::vjp`] and
    /// [`Tape::jacobian`].
    pub fn gradient(&self, y: &Var<'_, T>, xs: &[Var<'_, T>]) -> Vec<T> {
        self.sweep_take(y.index(), &[(y.index(), y.v.cst(1.0))], ReadOut::Vars(xs))
    }

    /// Clears the tape, records `f` at `x` and runs one adjoint sweep with
    /// ybar = (1, ..., 1): the gradient of the sum of the outputs (of the output, when
    /// there is one). The gradient mode of the cost report and of the benchmarks.
    pub fn gradient_of_sum<'t>(
        &'t self,
        x: &[T],
        f: impl FnOnce(&[Var<'t, T>]) -> Vec<Var<'t, T>>,
    ) -> Vec<T> {
        self.clear();
        let xs = self.vars(x);
        let clears = self.with(|s| s.clears);
        // `f` sees the variables as a shared slice: they stay the inputs of this `vars`,
        // in order, and the gradient is read without checking their indices, unless `f`
        // cleared the tape (checked before the sweep touches any adjoint)
        let ys = f(&xs);
        assert_eq!(
            self.with(|s| s.clears),
            clears,
            "gradient_of_sum: the function cleared the tape while it was recording"
        );
        let seeds: Vec<(usize, T)> = ys.iter().map(|y| (y.index(), y.v.cst(1.0))).collect();
        let from = seeds.iter().map(|(i, _)| *i).max().unwrap_or(0);
        self.sweep_take(from, &seeds, ReadOut::Bulk(xs.len()))
    }

    /// The vector-Jacobian product ybar^T F'(x) in one sweep.
    pub fn vjp(&self, ys: &[Var<'_, T>], ybar: &[T], xs: &[Var<'_, T>]) -> Vec<T> {
        assert_eq!(ys.len(), ybar.len(), "vjp: ys and ybar differ in length");
        let from = ys.iter().map(|y| y.index()).max().unwrap_or(0);
        let seeds: Vec<(usize, T)> = ys
            .iter()
            .zip(ybar)
            .map(|(y, b)| (y.index(), b.clone()))
            .collect();
        self.sweep_take(from, &seeds, ReadOut::Vars(xs))
    }

    /// The m x n Jacobian (rows are outputs) by one adjoint sweep per output.
    pub fn jacobian(&self, ys: &[Var<'_, T>], xs: &[Var<'_, T>]) -> Vec<Vec<T>> {
        ys.iter().map(|y| self.gradient(y, xs)).collect()
    }

    /// The sweep for one output step by step (the lecture's incremental return): every
    /// entry's final adjoint dy/dv_i, and every update vbar_j += dv_i/dv_j * vbar_i in
    /// the order the sweep makes them. The sweep is guarded (0 * inf passes 0) and the
    /// partials are computed by the sweep's own rules at vbar_i = 1, uncounted.
    pub fn adjoint_steps(
        &self,
        y: &Var<'_, T>,
        xs: &[Var<'_, T>],
    ) -> (Vec<T>, Vec<AdjointStep<T>>) {
        let (mut rec, mut steps) = (Vec::new(), Vec::new());
        self.sweep(
            y.index(),
            &[(y.index(), y.v.cst(1.0))],
            Some((&mut rec, Some(&mut steps))),
            true,
        );
        self.take_adjoints(ReadOut::Vars(xs));
        (rec, steps)
    }

    /// Every entry's adjoint dy/dv_i for one output (the lecture's adjoint table), by a
    /// guarded sweep that keeps no record of the updates ([`Tape::adjoint_steps`] does).
    pub fn adjoint_table(&self, y: &Var<'_, T>, xs: &[Var<'_, T>]) -> Vec<T> {
        let mut rec = Vec::new();
        self.sweep(
            y.index(),
            &[(y.index(), y.v.cst(1.0))],
            Some((&mut rec, None)),
            true,
        );
        self.take_adjoints(ReadOut::Vars(xs));
        rec
    }

    /// The first-order bound on the rounding error of the recorded f64 evaluation of
    /// `y`, over u: sum_i c_i |dy/dv_i| |v_i| over the entries up to `y`, where the
    /// evaluation of entry i is off by at most c_i u |v_i| (`rounding_units`) and the
    /// error reaches y with weight dy/dv_i (the use of reverse mode Linnainmaa gave it
    /// first). Entries with adjoint 0 (other outputs', branches y does not use) and exact
    /// ones (c_i = 0) count nothing, also where their value is infinite or NaN; with
    /// nothing rounded the bound is +0 (never -0). It is at
    /// least |y| where y is a computed, rounded entry, and far above it where y cancels
    /// what it is computed from (1 - cos x at x = 1e-5: 5 cos x, against |y| = 5e-11).
    pub fn rounding_weight(&self, y: &Var<'_, T>, xs: &[Var<'_, T>]) -> f64 {
        let adj = self.adjoint_table(y, xs);
        self.with(|s| {
            let last = y.index().min(s.nodes.len().saturating_sub(1));
            (0..=last)
                .filter_map(|i| {
                    let a = adj[i].re();
                    let c = rounding_units(s.kinds[i], s.nodes[i].args, &s.kinds, &s.nodes);
                    (a != 0.0 && c != 0.0).then(|| c * (a * s.nodes[i].val.re()).abs())
                })
                // from +0: `sum` of no terms is -0.0, and a bound of nothing reads 0
                .fold(0.0, |acc, t| acc + t)
        })
    }
}

/// How many units u of |v| the f64 evaluation of an entry may be off, to first order:
/// 0 for what is exact (an input, a constant, -u, |u|, min, max, and a product or
/// quotient by a constant power of two, overflow and underflow aside); 1 for a
/// correctly rounded operation (+, -, *, /, 1/u, sqrt); [`LIBM_UNITS`] for exp, log, sin,
/// cos, tan, tanh, atan and pow, and 2 more for the sigmoid (1 / (1 + exp(-u)): an add
/// and a division after exp); and |k| - 1 for u^k, whose repeated squarings form a
/// product of |k| factors, plus 1 for the reciprocal when k < 0.
fn rounding_units<T: Scalar>(
    kind: NodeKind,
    args: [u32; 2],
    kinds: &[NodeKind],
    nodes: &[Entry<T>],
) -> f64 {
    let pow2_const = |j: u32| {
        let j = j as usize;
        kinds[j] == NodeKind::Const && {
            let c = nodes[j].val.re().abs();
            c.is_normal() && c.to_bits() & ((1u64 << 52) - 1) == 0
        }
    };
    match kind {
        NodeKind::Input
        | NodeKind::Const
        | NodeKind::Neg
        | NodeKind::Abs
        | NodeKind::Min
        | NodeKind::Max => 0.0,
        NodeKind::Mul if pow2_const(args[0]) || pow2_const(args[1]) => 0.0,
        NodeKind::Div if pow2_const(args[1]) => 0.0,
        NodeKind::Add
        | NodeKind::Sub
        | NodeKind::Mul
        | NodeKind::Div
        | NodeKind::Recip
        | NodeKind::Sqrt => 1.0,
        NodeKind::Exp
        | NodeKind::Log
        | NodeKind::Sin
        | NodeKind::Cos
        | NodeKind::Tan
        | NodeKind::Tanh
        | NodeKind::Atan
        | NodeKind::Pow => LIBM_UNITS,
        NodeKind::Sigmoid => LIBM_UNITS + 2.0,
        NodeKind::Powi => {
            let k = args[1] as i32;
            match k.unsigned_abs() {
                0 | 1 if k >= 0 => 0.0,
                m => f64::from(m - 1) + if k < 0 { 1.0 } else { 0.0 },
            }
        }
    }
}

/// The error of a library function (exp, log, sin, ...) in units u of its value: up to
/// 2 ulps from the correctly rounded value (glibc's published maxima for double are 0
/// to 2 ulps for these), plus the half ulp of that rounding, with an ulp at most 2u |v|.
const LIBM_UNITS: f64 = 5.0;

impl<'t, T: TapeScalar> Scalar for Var<'t, T> {
    fn cst(&self, c: f64) -> Self {
        T::note_moves(1);
        self.tape.push(NodeKind::Const, [0, 0], self.v.cst(c))
    }
    #[inline]
    fn re(&self) -> f64 {
        self.v.re()
    }
    #[inline]
    fn is_zero(&self) -> bool {
        self.v.is_zero()
    }
    super::value_queries!();
    fn unary(&self, op: Unary) -> Self {
        T::note_moves(2);
        let v = self.v.unary(op);
        let (kind, k) = NodeKind::of_unary(op);
        self.tape.push(kind, [self.idx, k], v)
    }
    fn binary(&self, op: Binary, o: &Self) -> Self {
        debug_assert!(
            std::ptr::eq(self.tape, o.tape),
            "operands on different tapes"
        );
        T::note_moves(3);
        let v = self.v.binary(op, &o.v);
        self.tape
            .push(NodeKind::of_binary(op), [self.idx, o.idx], v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::num::{Count, Work, WorkCounter};

    /// The gradient table of the cost model: forward sweep plus adjoint recursion.
    #[test]
    fn gradient_table_of_the_cost_model() {
        let w_ = |moves, adds, mults, nlops| Work {
            moves,
            adds,
            mults,
            nlops,
        };
        for (name, want) in [
            ("+", w_(3 + 6, 1 + 2, 0, 0)),
            ("-", w_(3 + 6, 1 + 2, 0, 0)),
            ("*", w_(3 + 8, 2, 1 + 2, 0)),
            ("sin", w_(2 + 5, 1, 1, 1 + 1)),
        ] {
            let tape = Tape::new();
            let xs = tape.vars(&[Count(1.5), Count(0.5)]);
            let (_, got) = WorkCounter::measure(|| {
                let y = match name {
                    "+" => xs[0].add(&xs[1]),
                    "-" => xs[0].sub(&xs[1]),
                    "*" => xs[0].mul(&xs[1]),
                    _ => xs[0].sin(),
                };
                tape.gradient(&y, &xs)
            });
            assert_eq!(got, want, "{name}");
        }
    }

    /// The moves of one adjoint step beyond the cost model's tables, by the same rule:
    /// vbar read and set to 0, each value the step reads, each adjoint read and written.
    #[test]
    fn adjoint_steps_move_what_they_read_and_write() {
        for (name, want) in [
            ("/", 8),   // vbar, w, v; ubar, wbar; vbar = 0
            ("pow", 9), // vbar, u, w, v; ubar, wbar; vbar = 0
            ("min", 6), // vbar, u, w (compared); the selected adjoint; vbar = 0
            ("max", 6),
            ("neg", 4), // vbar; ubar; vbar = 0
            ("^3", 5),  // vbar, u; ubar; vbar = 0
        ] {
            let tape = Tape::new();
            let xs = tape.vars(&[Count(1.5), Count(0.5)]);
            let y = match name {
                "/" => xs[0].div(&xs[1]),
                "pow" => xs[0].pow(&xs[1]),
                "min" => xs[0].min(&xs[1]),
                "max" => xs[0].max(&xs[1]),
                "neg" => xs[0].neg(),
                _ => xs[0].powi(3),
            };
            let (_, got) = WorkCounter::measure(|| tape.gradient(&y, &xs));
            assert_eq!(got.moves, want, "{name}");
        }
    }

    #[test]
    fn tape_reuse_does_not_reallocate_and_gives_the_same_gradient() {
        let tape = Tape::new();
        let run = |tape: &Tape<f64>| {
            tape.clear();
            let xs = tape.vars(&[2.0, 3.0]);
            let y = xs[0].mul(&xs[1]).sin().add(&xs[0].div(&xs[1]));
            tape.gradient(&y, &xs)
        };
        let g1 = run(&tape);
        let cap = tape.with(|s| s.nodes.capacity());
        let g2 = run(&tape);
        assert_eq!(g1, g2);
        assert_eq!(tape.with(|s| s.nodes.capacity()), cap);
    }

    #[test]
    fn inputs_recorded_in_bulk_follow_earlier_entries() {
        let tape = Tape::new();
        let a = tape.var(2.0);
        let c = a.cst(5.0);
        let xs = tape.vars(&[3.0, 7.0]);
        assert_eq!(
            xs.iter().map(Var::index).collect::<Vec<_>>(),
            vec![2, 3],
            "bulk inputs take the next indices"
        );
        let kinds: Vec<NodeKind> = tape.nodes().iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            vec![
                NodeKind::Input,
                NodeKind::Const,
                NodeKind::Input,
                NodeKind::Input
            ]
        );
        // y = a x0 x1 + c: dy/da = 21, dy/dx0 = 14, dy/dx1 = 6
        let y = a.mul(&xs[0]).mul(&xs[1]).add(&c);
        let all = [a, xs[0].clone(), xs[1].clone()];
        assert_eq!(tape.gradient(&y, &all), vec![21.0, 14.0, 6.0]);
    }

    #[test]
    fn gradient_of_sum_sums_the_outputs_and_starts_from_a_clear_tape() {
        let tape = Tape::new();
        // y1 = x0 x1, y2 = x0 + x1: the gradient of y1 + y2 is (x1 + 1, x0 + 1)
        fn f<'t>(xs: &[Var<'t, f64>]) -> Vec<Var<'t, f64>> {
            vec![xs[0].mul(&xs[1]), xs[0].add(&xs[1])]
        }
        let g = tape.gradient_of_sum(&[3.0, 5.0], f);
        assert_eq!(g, vec![6.0, 4.0]);
        let len = tape.len();
        assert_eq!(len, 4, "two inputs and two elementals");
        // a second call records afresh instead of appending
        assert_eq!(tape.gradient_of_sum(&[3.0, 5.0], f), g);
        assert_eq!(tape.len(), len);
    }

    #[test]
    #[should_panic(expected = "the function cleared the tape while it was recording")]
    fn gradient_of_sum_refuses_a_function_that_clears_the_tape() {
        // a new `vars` of the same length after the clear would otherwise pass for the
        // inputs, and their adjoint be returned as the gradient
        let tape = Tape::new();
        tape.gradient_of_sum(&[2.0], |xs| {
            tape.clear();
            let c = xs[0].cst(5.0);
            let v = tape.vars(&[7.0]);
            vec![v[0].mul(&c)]
        });
    }

    #[test]
    fn gradient_of_sum_resets_an_input_recorded_inside_the_function() {
        // y = x0 c with c = 3 a further input: its adjoint (x0 = 2) must not be left in
        // its slot, where the next recording puts an elemental
        let tape = Tape::new();
        let g = tape.gradient_of_sum(&[2.0], |xs| {
            let c = tape.var(3.0);
            vec![xs[0].mul(&c)]
        });
        assert_eq!(g, vec![3.0]);
        // y = sin(x0) x0: its entries take the slots of c and of the product
        fn f<'t>(xs: &[Var<'t, f64>]) -> Vec<Var<'t, f64>> {
            vec![xs[0].sin().mul(&xs[0])]
        }
        let fresh = Tape::new();
        let want = fresh.gradient_of_sum(&[2.0], f);
        assert_eq!(tape.gradient_of_sum(&[2.0], f), want);
        assert_eq!(want, vec![2.0 * 2f64.cos() + 2f64.sin()]);
    }

    #[test]
    fn a_repeated_output_accumulates_its_seeds() {
        // y = x * x at 3, seeded twice: ybar = 1 + 2 = 3, so xbar = 3 * 2x = 18
        let tape: Tape<f64> = Tape::new();
        let xs = tape.vars(&[3.0]);
        let y = xs[0].mul(&xs[0]);
        assert_eq!(
            tape.vjp(&[y.clone(), y.clone()], &[1.0, 2.0], &xs),
            vec![18.0]
        );
        // the same output twice in a gradient of the sum: twice its gradient
        let g = tape.gradient_of_sum(&[3.0], |xs| vec![xs[0].clone(), xs[0].clone()]);
        assert_eq!(g, vec![2.0]);
        // more seeds than the scan takes: y = x^2 seeded 1, ..., 20 (210 in all) and
        // z = x^3 seeded 1 twenty times: xbar = 210 * 2x + 20 * 3x^2 at x = 3
        let tape: Tape<f64> = Tape::new();
        let xs = tape.vars(&[3.0]);
        let y = xs[0].mul(&xs[0]);
        let z = y.mul(&xs[0]);
        let ys: Vec<_> = (0..20).flat_map(|_| [y.clone(), z.clone()]).collect();
        let ybar: Vec<f64> = (1..=20).flat_map(|k| [f64::from(k), 1.0]).collect();
        assert_eq!(tape.vjp(&ys, &ybar, &xs), vec![210.0 * 6.0 + 20.0 * 27.0]);
    }

    #[test]
    fn a_sweep_for_some_of_the_inputs_leaves_nothing_behind() {
        let bits = |g: Vec<f64>| g.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        // y = x0 x1 at (2, 3): dy/dx0 = 3, dy/dx1 = 2
        let tape = Tape::new();
        let xs = tape.vars(&[2.0, 3.0]);
        let y = xs[0].mul(&xs[1]);
        assert_eq!(tape.gradient(&y, &xs[..1]), vec![3.0]);
        assert_eq!(
            tape.gradient(&y, &xs),
            vec![3.0, 2.0],
            "x1 kept its adjoint"
        );
        // an output that is an input left out of xs
        assert_eq!(tape.gradient(&xs[1], &xs[..1]), vec![0.0]);
        assert_eq!(
            tape.jacobian(&[xs[1].clone(), y.clone()], &xs[..1]),
            [[0.0], [3.0]]
        );
        assert_eq!(tape.gradient(&y, &xs), vec![3.0, 2.0], "x1 kept its seed");
        assert_eq!(
            tape.vjp(std::slice::from_ref(&y), &[1.0], &xs[1..]),
            vec![2.0]
        );
        // a recording after `clear` reuses the indices: x0's adjoint 3 must not reach
        // the entry that now sits at index 0 or 1
        tape.clear();
        fn f<'t>(xs: &[Var<'t, f64>]) -> Var<'t, f64> {
            xs[0].sin().mul(&xs[0])
        }
        let xs = tape.vars(&[5.0]);
        let z = f(&xs);
        let fresh = Tape::new();
        let fxs = fresh.vars(&[5.0]);
        let want = fresh.gradient(&f(&fxs), &fxs);
        assert_eq!(bits(tape.gradient(&z, &xs)), bits(want));
    }

    #[test]
    fn a_tape_without_inputs_has_an_empty_gradient() {
        let tape: Tape<f64> = Tape::new();
        assert_eq!(tape.gradient_of_sum(&[], |_| vec![]), Vec::<f64>::new());
        assert_eq!(tape.vjp(&[], &[], &[]), Vec::<f64>::new());
    }

    /// The trace records on a tape of dual numbers, where the base of u^w at u = 0 has a
    /// nonzero tangent. The adjoints' values must be the zero-base limits that the f64
    /// tape takes: d(u^w)/du = w u^(w-1), 0 for w = 2 and 1 for w = 1; d(u^w)/dw =
    /// u^w log u, 0 where u^w = 0. Their tangents, in the direction of u, are the
    /// second derivatives: d^2(u^2)/du^2 = 2.
    #[test]
    fn pow_at_a_zero_base_on_a_tape_of_dual_numbers() {
        use crate::ad::{seeded, Dual};
        for (w, want) in [(2.0, [0.0f64, 0.0]), (1.0, [1.0, 0.0]), (3.0, [0.0, 0.0])] {
            for dir in 0..2 {
                let tape: Tape<Dual<f64>> = Tape::new();
                let xs = tape.vars(&seeded(&[0.0, w], dir));
                let y = xs[0].pow(&xs[1]);
                let g = tape.gradient(&y, &xs);
                for k in 0..2 {
                    assert_eq!(
                        g[k].v.to_bits(),
                        want[k].to_bits(),
                        "w = {w}, direction {dir}: d/dx{k} = {:?}",
                        g[k]
                    );
                }
                let f = Tape::new();
                let fx = f.vars(&[0.0, w]);
                let fg = f.gradient(&fx[0].pow(&fx[1]), &fx);
                assert_eq!(fg, want.to_vec(), "the f64 tape, w = {w}");
            }
        }
        let tape: Tape<Dual<f64>> = Tape::new();
        let xs = tape.vars(&seeded(&[0.0], 0));
        let y = xs[0].pow(&xs[0].cst(2.0));
        assert_eq!(tape.gradient(&y, &xs)[0], Dual::new(0.0, 2.0));
        // forward over forward: the tangent of u^2 at u = 0 and its own tangent
        let u = Dual::new(Dual::new(0.0, 1.0), Dual::new(1.0, 0.0));
        let v = u.pow(&u.cst(2.0));
        assert_eq!(v.d, Dual::new(0.0, 2.0));
    }

    /// A shorter ybar would leave outputs unseeded and still return a product.
    #[test]
    #[should_panic(expected = "vjp: ys and ybar differ in length")]
    fn vjp_rejects_a_ybar_of_another_length() {
        let tape: Tape<f64> = Tape::new();
        let xs = tape.vars(&[3.0]);
        let ys = [xs[0].mul(&xs[0]), xs[0].sin()];
        let _ = tape.vjp(&ys, &[1.0], &xs);
    }

    /// The sweep resets every adjoint but the inputs' as it passes: a gradient with
    /// respect to an intermediate variable read 0 (sin(v) in v = x^2), so it is refused,
    /// as the statement tape refuses it; the inputs' gradient is unchanged.
    #[test]
    fn a_gradient_with_respect_to_an_intermediate_variable_is_refused() {
        let tape: Tape<f64> = Tape::new();
        let x = tape.vars(&[0.7]);
        let v = x[0].mul(&x[0]);
        let y = v.sin();
        let mid = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            tape.gradient(&y, std::slice::from_ref(&v))
        }));
        let msg = mid.expect_err("refused");
        let msg = msg
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| msg.downcast_ref::<String>().cloned())
            .expect("a message");
        assert!(msg.contains("not an input of this tape"), "{msg}");
        let mid = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            tape.vjp(std::slice::from_ref(&y), &[1.0], &[x[0].clone(), v.clone()])
        }));
        assert!(mid.is_err());
        // refused before the sweep: the tape still gives the inputs' gradient, bit for
        // bit as a fresh tape does
        let fresh: Tape<f64> = Tape::new();
        let fx = fresh.vars(&[0.7]);
        let fy = fx[0].mul(&fx[0]).sin();
        assert_eq!(tape.gradient(&y, &x), fresh.gradient(&fy, &fx));
    }

    #[test]
    fn the_rounding_weight_sums_adjoint_times_value_over_computed_entries() {
        let tape = Tape::new();
        let xs = tape.vars(&[3.0, -5.0, 7.0]);
        // x y + z: the product (adjoint 1, value -15) and the sum (adjoint 1, value -8)
        let y = xs[0].mul(&xs[1]).add(&xs[2]);
        // recorded after y: adjoint 0 in y's sweep, and infinite
        let later = y.mul(&xs[0]);
        let inf = xs[2].mul_f(200.0).exp();
        assert!(inf.value().is_infinite());
        assert_eq!(tape.rounding_weight(&y, &xs), 15.0 + 8.0);
        // 2 ((x y + z) x): the constant and the product by a power of two are exact
        let c = later.mul_f(2.0);
        assert_eq!(
            tape.rounding_weight(&c, &xs),
            // dc/d(xy) = 2x = 6 (value -15), dc/dy = 6 (-8), dc/dlater = 2 (-24)
            6.0 * 15.0 + 6.0 * 8.0 + 2.0 * 24.0
        );
        // -|max(x y, z)| at 3, -5, 7: exact operations all; by 3, one rounding
        let m = xs[0].mul(&xs[1]).max(&xs[2]).abs().neg();
        // +0, not the -0 of an empty f64 sum (compared by bits: -0.0 == 0.0)
        assert_eq!(tape.rounding_weight(&m, &xs).to_bits(), 0.0f64.to_bits());
        let m3 = m.mul_f(3.0);
        assert_eq!(tape.rounding_weight(&m3, &xs), 21.0);
        // 1 - cos x at 1e-5: cos x (a library function, 5 units; adjoint -1, value
        // about 1) outweighs f = 5e-11 by 1e11
        let t2 = Tape::new();
        let x = t2.vars(&[1e-5]);
        let cx = x[0].cos();
        let f = cx.rsub_f(1.0);
        let (cv, fv) = (*cx.value(), *f.value());
        assert_eq!(t2.rounding_weight(&f, &x), 5.0 * cv + fv);
        // u^k: |k| - 1 products, and a reciprocal for k < 0; u^1 and u^0 are exact
        let t3 = Tape::new();
        let x = t3.vars(&[1.5]);
        for (k, units) in [(0, 0.0), (1, 0.0), (2, 1.0), (7, 6.0), (-1, 1.0), (-6, 6.0)] {
            let p = x[0].powi(k);
            let want = units * 1.5f64.powi(k);
            assert_eq!(t3.rounding_weight(&p, &x), want, "u^{k}");
        }
    }

    #[test]
    fn bytes_per_entry_for_f64() {
        assert_eq!(Tape::<f64>::bytes_per_entry(), 17);
    }

    #[test]
    fn repeated_operand_accumulates_both_partials() {
        let tape = Tape::new();
        let xs = tape.vars(&[3.0]);
        let y = xs[0].mul(&xs[0]);
        assert_eq!(tape.gradient(&y, &xs), vec![6.0]);
        let z = xs[0].div(&xs[0]);
        assert_eq!(tape.gradient(&z, &xs), vec![0.0]);
    }
}

#[cfg(test)]
mod sweep_tests {
    use super::*;
    use crate::num::{Count, WorkCounter};

    /// The adjoints are read in the order of `xs` and reset, whether `xs` are the
    /// inputs of one `vars` (the fast path), of two recordings, or reordered.
    #[test]
    fn adjoints_are_read_in_the_order_asked_and_reset() {
        fn f<'t>(xs: &[Var<'t, f64>]) -> Var<'t, f64> {
            xs[0].mul(&xs[1]).mul(&xs[2].mul_f(3.0))
        }
        // d/dx0 = 3 x1 x2, d/dx1 = 3 x0 x2, d/dx2 = 3 x0 x1 at (3, 2, 1)
        let want = [3.0 * 2.0 * 1.0, 3.0 * 3.0 * 1.0, 3.0 * 3.0 * 2.0];
        // one bulk recording, then a bulk and a single input
        let tape: Tape<f64> = Tape::new();
        let xs = tape.vars(&[3.0, 2.0, 1.0]);
        for _ in 0..2 {
            assert_eq!(tape.gradient(&f(&xs), &xs), want);
        }
        let rev: Vec<_> = xs.iter().rev().cloned().collect();
        let mut back = want;
        back.reverse();
        assert_eq!(tape.gradient(&f(&xs), &rev), back);
        assert_eq!(tape.gradient(&f(&xs), &xs), want);
        tape.clear();
        let mut xs = tape.vars(&[3.0, 2.0]);
        xs.push(tape.var(1.0));
        for _ in 0..2 {
            assert_eq!(tape.gradient(&f(&xs), &xs), want);
        }
    }

    /// A guard is keyed on the adjoint vbar of the entry, not on an intermediate
    /// product: where the value v of u^w underflowed to 0, vbar v is 0 although vbar is
    /// not, and a NaN partial (log u for u < 0, the factor v of u / w at u = w = inf)
    /// must come through as NaN, as forward mode gives it. An entry with vbar = 0 still
    /// passes 0.
    #[test]
    fn a_nan_partial_stays_nan_where_only_the_value_vanished() {
        use crate::ad::{jacobian_forward, Dual};
        fn case<S: Scalar>(i: usize, x: &[S]) -> S {
            match i {
                0 => x[0].cst(-2.0).pow(&x[0]),
                1 => x[0].pow(&x[0]),
                _ => x[0].div(&x[1]),
            }
        }
        let points = [
            vec![-1100.0],
            vec![-750.0],
            vec![f64::INFINITY, f64::INFINITY],
        ];
        let bits = |g: &[f64]| g.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        for (i, x) in points.iter().enumerate() {
            let cols: Vec<usize> = (0..x.len()).collect();
            let fwd: Vec<f64> = jacobian_forward(|d: &[Dual<f64>]| vec![case(i, d)], x, &cols)
                .into_iter()
                .map(|c| c[0])
                .collect();
            // the partial in the last input is NaN (d/dx of x / y, 1/inf, is not)
            assert!(fwd[x.len() - 1].is_nan(), "case {i}: forward {fwd:?}");
            let tape: Tape<f64> = Tape::new();
            let xs = tape.vars(x);
            let y = case(i, &xs);
            let rev = tape.gradient(&y, &xs);
            assert_eq!(
                bits(&rev),
                bits(&fwd),
                "case {i}: reverse {rev:?}, forward {fwd:?}"
            );
            // the sweep for 2 x, recorded after y, passes y's entries with vbar = 0
            let z = xs[0].mul_f(2.0);
            let mut want = vec![0.0; x.len()];
            want[0] = 2.0;
            assert_eq!(bits(&tape.gradient(&z, &xs)), bits(&want), "case {i}");
        }
    }

    /// d(2y)/dx of (sqrt(x), 2y) is 0 also at x = 0, where the sweep for 2y passes the
    /// entry sqrt(x) with adjoint 0 and partial inf; the guarded rerun that gives it is
    /// uncounted, so the gradient counts the same there as at x = 1.
    #[test]
    fn a_guarded_sweep_gives_zero_and_counts_as_the_plain_one() {
        let grad = |x: f64| {
            let tape: Tape<Count> = Tape::new();
            let xs = tape.vars(&[Count(x), Count(1.0)]);
            let ys = [xs[0].sqrt(), xs[1].mul_f(2.0)];
            WorkCounter::measure(|| tape.gradient(&ys[1], &xs))
        };
        let (g0, w0) = grad(0.0);
        let (g1, w1) = grad(1.0);
        assert_eq!(g0, vec![Count(0.0), Count(2.0)]);
        assert_eq!(g1, g0);
        assert_eq!(w0, w1);
    }
}
