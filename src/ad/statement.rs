//! Reverse mode on a statement-level tape: each entry is a linear combination of
//! earlier entries with partial derivatives computed while recording, so that sums
//! cost no entries at all.
//!
//! The elemental tape ([`super::Tape`]) records one entry per elemental and recomputes
//! the partials in the sweep. Expression-template tapes (Adept) record one entry per
//! statement instead: the statement's partials with respect to the variables it reads,
//! preaccumulated in forward mode while the statement is evaluated. Operator
//! overloading sees no statements, only operations, so this tape finds them itself: a
//! variable is either an entry, or a *pending* linear combination of entries, a range
//! of (index, partial) terms at the end of the tape that no entry owns yet.
//!
//! - A sum of two pending combinations whose ranges are adjacent is the union of the
//!   two ranges: no term is written. Adding a constant changes no term either.
//! - A product or a univariate elemental scales the terms by its partial (with
//!   [`super::still`]'s guard for 0 * inf keyed on that partial, as the sweep keys it
//!   on the adjoint: a zero partial passes 0, as on the elemental tape); u / w and u^w
//!   take their partials by the elemental tape's sweep rules at vbar = 1. One term is
//!   written for an entry, and a short pending combination (up to [`COPY_MAX`] terms) is
//!   copied scaled; a longer one first becomes an entry of its own, so that a variable
//!   used many times never copies its terms more than a few at a time, and is
//!   remembered (`Store::flushed`) so that a later use reads the same entry.
//! - An output becomes an entry when a sweep starts from it, once.
//!
//! So `acc + x_i^2` writes one term per input, 12 bytes for f64 (a `u32` index and the
//! partial 2 x_i), and the whole sum is one entry of n terms; the sweep then makes one
//! multiply-add per term, with no chain of dependent adjoints. The price is that
//! partials are formed and stored for every term, where the elemental tape stores only
//! values: the op counts of this tape are not the cost model's tables (a product
//! scales two terms, a univariate elemental one), its gradient ratio can pass the
//! cost model's bound of 4, which is proven for the elemental tape (products in a
//! chain: docs/cost.md), and the bits of a gradient can differ from the elemental
//! tape's by rounding, since the chain rule's products are associated the other way
//! (partial times partial while recording, then times the adjoint).
//!
//! # Layout
//!
//! | array | element | bytes (f64) |
//! | --- | --- | --- |
//! | `stmts` | a statement: the range `[start, end)` of its terms and its entry index | 12 |
//! | `args` | a term's entry index | 4 |
//! | `partials` | a term's partial derivative | 8 |
//! | `adj` | an entry's adjoint | 8 |
//!
//! Inputs are entries without a statement. The sweep runs over the statements from
//! last to first: vbar = adj[i] of the statement's entry i, then
//! adj[args[t]] += vbar * partials[t] for each of its terms t, and adj[i] = 0 (the
//! incremental recursion, as on the elemental tape). An adjoint that comes out NaN
//! sends the sweep to run again with every product guarded, uncounted, as on the
//! elemental tape.

use super::reverse::finite_or_rescaled;
use super::{guard, still, TapeScalar};
use crate::num::{
    pow_partials_at_zero_base, pow_slope_from_the_base, pow_slope_in_base, Binary, Scalar, Unary,
};
use std::cell::UnsafeCell;

/// The longest pending combination that an operation copies term by term; a longer
/// one becomes an entry first and contributes a single term.
pub const COPY_MAX: u32 = 2;

/// How many flushed ranges the tape remembers (`Store::flushed`).
const FLUSHED: usize = 64;

/// The `start` of an input entry's range, and of a variable that is an entry.
const NODE: u32 = u32::MAX;

/// What a variable is on the tape: the entry `end` (when `start == NODE`), or the
/// pending combination of the terms `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Lin {
    start: u32,
    end: u32,
}

impl Lin {
    fn node(i: u32) -> Lin {
        Lin {
            start: NODE,
            end: i,
        }
    }
    fn as_node(self) -> Option<u32> {
        (self.start == NODE).then_some(self.end)
    }
    /// No terms: a constant.
    fn is_empty(self) -> bool {
        self.start != NODE && self.start == self.end
    }
}

#[derive(Debug)]
struct Store<T> {
    /// number of entries, inputs and statements: the next entry's index
    count: u32,
    /// the statements in the order recorded: the range `[start, end)` of their terms and
    /// their index
    stmts: Vec<[u32; 3]>,
    args: Vec<u32>,
    partials: Vec<T>,
    adj: Vec<T>,
    /// the inputs, as (first index, count) of each [`StatementTape::vars`]
    runs: Vec<(u32, u32)>,
    /// The statements that flushed ranges became, by `end` modulo [`FLUSHED`]: a
    /// combination used again, or an output swept again, reads its entry instead of
    /// becoming a statement once more. A slot holds a statement's index in `stmts`,
    /// and counts only while `stmts` holds a statement of the same range at that
    /// index: the terms of a range never change within a recording, and a slot left
    /// from before a `clear` then names this recording's statement of the range or
    /// none. A slot taken by another range costs only a statement written twice.
    flushed: [u32; FLUSHED],
    /// how many times the tape was cleared: a recording that outlives a clear is stale
    clears: u64,
}

/// A statement-level tape over the scalar `T`.
///
/// Record by computing with [`SVar`]s made by [`StatementTape::vars`]; then
/// [`StatementTape::gradient`] or [`StatementTape::gradient_of_sum`] run the adjoint
/// sweep.
#[derive(Debug)]
pub struct StatementTape<T> {
    /// The storage, behind an `UnsafeCell` as on [`super::Tape`]: every access goes
    /// through [`StatementTape::with`], whose closures never call back into the tape,
    /// and the tape is not `Sync`.
    store: UnsafeCell<Store<T>>,
}

/// A value recorded on a [`StatementTape`]: an entry, or a pending combination of
/// entries, and its value.
#[derive(Clone, Debug)]
pub struct SVar<'t, T> {
    tape: &'t StatementTape<T>,
    lin: Lin,
    v: T,
}

impl<T: TapeScalar> SVar<'_, T> {
    /// The value.
    pub fn value(&self) -> &T {
        &self.v
    }
}

/// How a combination's terms are scaled: by 1 (copied as they are), or by a partial.
type Factor<'a, T> = Option<&'a T>;

/// The index of the term after `len` terms, below [`NODE`], which marks an entry (a
/// range may end at the tail); `None` where it would reach it.
#[inline]
fn term_index(len: usize) -> Option<u32> {
    u32::try_from(len).ok().filter(|&t| t < NODE)
}

/// The number of entries after `k` more than `count`, below [`NODE`], which marks an
/// entry; `None` where it would reach it.
fn entries_after(count: u32, k: usize) -> Option<u32> {
    u32::try_from(k)
        .ok()
        .and_then(|k| count.checked_add(k))
        .filter(|&c| c < NODE)
}

impl<T: TapeScalar> Store<T> {
    #[inline]
    fn tail(&self) -> u32 {
        term_index(self.args.len()).expect("statement tape longer than 2^32 - 1 terms")
    }

    /// `k` more entries, returning the first one's index.
    fn new_entries(&mut self, k: usize) -> u32 {
        let first = self.count;
        self.count = entries_after(first, k).expect("statement tape longer than 2^32 entries");
        first
    }

    fn is_input(&self, i: u32) -> bool {
        self.runs.iter().any(|&(f, c)| i >= f && i - f < c)
    }

    /// The entry that `x` is, recording one for a pending combination the first time it
    /// is flushed.
    fn flush(&mut self, x: Lin) -> u32 {
        if let Some(i) = x.as_node() {
            return i;
        }
        let slot = x.end as usize % FLUSHED;
        if let Some(&[s, e, k]) = self.stmts.get(self.flushed[slot] as usize) {
            if (s, e) == (x.start, x.end) {
                return k;
            }
        }
        let k = self.new_entries(1);
        self.flushed[slot] = self.stmts.len() as u32;
        self.stmts.push([x.start, x.end, k]);
        k
    }

    #[inline(always)]
    fn push_term(&mut self, i: u32, p: T) {
        T::note_moves(1);
        let len = self.args.len();
        debug_assert_eq!(len, self.partials.len(), "a term is an index and a partial");
        if len == self.args.capacity() || len == self.partials.capacity() {
            self.grow();
        }
        // SAFETY: both vectors hold `len` elements (they grow together: this is the only
        // place that adds to them, and `clear` empties both) and have room for one more
        // (checked just above), so each write goes to the first spare slot, which
        // `set_len` then counts as initialised.
        unsafe {
            self.args.as_mut_ptr().add(len).write(i);
            self.partials.as_mut_ptr().add(len).write(p);
            self.args.set_len(len + 1);
            self.partials.set_len(len + 1);
        }
    }

    /// Room for more terms, out of the recording's hot path, as on the elemental tape
    /// (`Tape::grow`): a running sum then stays in a register while recording.
    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        let more = self.args.len().max(64);
        self.args.reserve(more);
        self.partials.reserve(more);
    }

    /// Appends the terms of `g x` at the end of the tape.
    fn append(&mut self, x: Lin, g: Factor<'_, T>, one: &T) {
        if let Some(i) = x.as_node() {
            self.push_term(i, g.cloned().unwrap_or_else(|| one.clone()));
        } else if x.end - x.start <= COPY_MAX {
            for t in x.start as usize..x.end as usize {
                let (i, d) = (self.args[t], self.partials[t].clone());
                T::note_moves(1);
                // guarded on the factor, as the sweep guards on the adjoint: a zero
                // partial of the outer elemental passes 0 through an infinite term,
                // whether the combination is copied here or flushed and swept
                let p = match g {
                    None => d,
                    Some(g) => still(g.mul(&d), g),
                };
                self.push_term(i, p);
            }
        } else {
            let i = self.flush(x);
            self.push_term(i, g.cloned().unwrap_or_else(|| one.clone()));
        }
    }

    /// `g x` as a combination: `x` itself when `g` is 1.
    fn scale(&mut self, x: Lin, g: Factor<'_, T>, one: &T) -> Lin {
        if g.is_none() || x.is_empty() {
            return x;
        }
        let start = self.tail();
        self.append(x, g, one);
        Lin {
            start,
            end: self.tail(),
        }
    }

    /// `ga a + gb b` as a combination, reusing the terms of an unscaled operand whose
    /// range ends where the other's starts or at the end of the tape.
    fn combine(&mut self, a: Lin, ga: Factor<'_, T>, b: Lin, gb: Factor<'_, T>, one: &T) -> Lin {
        if b.is_empty() {
            return self.scale(a, ga, one);
        }
        if a.is_empty() {
            return self.scale(b, gb, one);
        }
        let tail = self.tail();
        let pending = |x: Lin, g: Factor<'_, T>| g.is_none() && x.as_node().is_none();
        if pending(a, ga) && pending(b, gb) && a.end == b.start {
            return Lin {
                start: a.start,
                end: b.end,
            };
        }
        let start = if pending(a, ga) && a.end == tail {
            self.append(b, gb, one);
            a.start
        } else if pending(b, gb) && b.end == tail {
            self.append(a, ga, one);
            b.start
        } else {
            self.append(a, ga, one);
            self.append(b, gb, one);
            tail
        };
        Lin {
            start,
            end: self.tail(),
        }
    }

    /// The incremental adjoint recursion from entry `from` down to entry 0, with the
    /// seeds (entry, ybar) written first.
    fn sweep<const GUARD: bool>(&mut self, from: u32, seeds: &[(u32, T)], zero: &T) {
        let n = self.count as usize;
        if self.adj.len() < n {
            self.adj.resize(n, zero.clone());
        }
        super::write_seeds(&mut self.adj, seeds, |i| i as usize);
        let g = guard::<GUARD, T>;
        // the statements up to `from`: those after it pass nothing to it
        let last = self.stmts.partition_point(|st| st[2] <= from);
        let (stmts, args, partials, adj) = (
            &self.stmts[..last],
            &self.args[..],
            &self.partials[..],
            &mut self.adj[..],
        );
        for &[s, e, i] in stmts.iter().rev() {
            T::note_moves(2);
            let vb = std::mem::replace(&mut adj[i as usize], zero.clone());
            if vb.passes_nothing() {
                continue;
            }
            let (s, e) = (s as usize, e as usize);
            for (&j, p) in args[s..e].iter().zip(&partials[s..e]) {
                T::note_moves(3);
                let d = g(vb.mul(p), &vb);
                let a = &mut adj[j as usize];
                *a = a.add(&d);
            }
        }
    }

    /// Reads the adjoints of `xs` (of every input, in order, for `None`) and resets
    /// every input's adjoint. The second value says whether one of them is NaN.
    fn take(&mut self, xs: Option<&[u32]>, zero: &T) -> (Vec<T>, bool) {
        // the inputs of the one `vars`, in order: known for `None`
        let run = match (&self.runs[..], xs) {
            ([], None) => return (Vec::new(), false),
            (&[(f, c)], None) => Some((f as usize, c as usize)),
            (&[(f, c)], Some(xs)) => (c as usize == xs.len()
                && xs.iter().zip(f..).all(|(&i, k)| i == k))
            .then_some((f as usize, c as usize)),
            (_, None) => panic!("gradient of every input: the inputs are not one `vars`"),
            (_, Some(_)) => None,
        };
        let nan_in = |v: &[T]| v.iter().any(|a| a.re().is_nan());
        match run {
            Some((f, c)) => {
                // a copy, then a fill: two passes the compiler turns into block moves
                let out = self.adj[f..f + c].to_vec();
                self.adj[f..f + c].fill(zero.clone());
                let nan = nan_in(&out);
                (out, nan)
            }
            None => {
                let xs = xs.unwrap_or_default();
                let out: Vec<T> = xs.iter().map(|&i| self.adj[i as usize].clone()).collect();
                for &(f, c) in &self.runs {
                    for a in &mut self.adj[f as usize..(f + c) as usize] {
                        *a = zero.clone();
                    }
                }
                let nan = nan_in(&out);
                (out, nan)
            }
        }
    }
}

impl<T: TapeScalar> Default for StatementTape<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: TapeScalar> StatementTape<T> {
    /// An empty tape.
    pub fn new() -> Self {
        StatementTape {
            store: UnsafeCell::new(Store {
                count: 0,
                stmts: Vec::new(),
                args: Vec::new(),
                partials: Vec::new(),
                adj: Vec::new(),
                runs: Vec::new(),
                flushed: [u32::MAX; FLUSHED],
                clears: 0,
            }),
        }
    }

    #[inline]
    fn with<R>(&self, f: impl FnOnce(&mut Store<T>) -> R) -> R {
        // SAFETY: see the field's documentation; no caller re-enters `with` from `f`, and
        // the scalar's operations that `f` runs touch no tape (`TapeScalar`).
        f(unsafe { &mut *self.store.get() })
    }

    /// Empties the tape, keeping its memory for the next recording.
    pub fn clear(&self) {
        self.with(|s| {
            s.count = 0;
            s.stmts.clear();
            s.args.clear();
            s.partials.clear();
            s.runs.clear();
            s.clears = s.clears.wrapping_add(1);
        })
    }

    /// Number of entries (inputs included).
    pub fn len(&self) -> usize {
        self.with(|s| s.count as usize)
    }

    /// True when nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of terms written, pending ones and copies that no entry reads included.
    pub fn terms(&self) -> usize {
        self.with(|s| s.args.len())
    }

    /// Number of statements: entries that are not inputs.
    pub fn statements(&self) -> usize {
        self.with(|s| s.stmts.len())
    }

    /// Bytes held by the recording: the statements and the terms, adjoints excluded.
    pub fn bytes(&self) -> usize {
        self.with(|s| {
            s.stmts.len() * std::mem::size_of::<[u32; 3]>()
                + s.args.len() * (std::mem::size_of::<u32>() + std::mem::size_of::<T>())
        })
    }

    /// Records independent variables.
    pub fn vars(&self, xs: &[T]) -> Vec<SVar<'_, T>> {
        let first = self.with(|s| {
            let first = s.new_entries(xs.len());
            s.runs.push((first, xs.len() as u32));
            first
        });
        xs.iter()
            .zip(first..)
            .map(|(x, i)| SVar {
                tape: self,
                lin: Lin::node(i),
                v: x.clone(),
            })
            .collect()
    }

    /// One plain sweep from the seeds and the adjoints of `xs`; where one is NaN, the
    /// sweep runs again guarded and uncounted.
    fn sweep_take(&self, seeds: &[(u32, T)], xs: Option<&[u32]>, zero: &T) -> Vec<T> {
        let from = seeds.iter().map(|(i, _)| *i).max().unwrap_or(0);
        let (out, nan) = self.with(|s| {
            s.sweep::<false>(from, seeds, zero);
            s.take(xs, zero)
        });
        if !nan {
            return out;
        }
        crate::num::uncounted(|| {
            self.with(|s| {
                s.sweep::<true>(from, seeds, zero);
                s.take(xs, zero).0
            })
        })
    }

    fn indices(&self, xs: &[SVar<'_, T>]) -> Vec<u32> {
        xs.iter()
            .map(|x| {
                x.lin
                    .as_node()
                    .filter(|&i| self.with(|s| s.is_input(i)))
                    .expect("gradient with respect to a variable that is not an input")
            })
            .collect()
    }

    /// The gradient of `y` with respect to the inputs `xs` (ybar = 1).
    pub fn gradient(&self, y: &SVar<'_, T>, xs: &[SVar<'_, T>]) -> Vec<T> {
        let zero = y.v.cst(0.0);
        let i = self.with(|s| s.flush(y.lin));
        let idx = self.indices(xs);
        self.sweep_take(&[(i, y.v.cst(1.0))], Some(&idx), &zero)
    }

    /// The m x n Jacobian (rows are outputs) by one adjoint sweep per output.
    pub fn jacobian(&self, ys: &[SVar<'_, T>], xs: &[SVar<'_, T>]) -> Vec<Vec<T>> {
        ys.iter().map(|y| self.gradient(y, xs)).collect()
    }

    /// Clears the tape, records `f` at `x` and runs one adjoint sweep with
    /// ybar = (1, ..., 1): the gradient of the sum of the outputs.
    pub fn gradient_of_sum<'t>(
        &'t self,
        x: &[T],
        f: impl FnOnce(&[SVar<'t, T>]) -> Vec<SVar<'t, T>>,
    ) -> Vec<T> {
        self.clear();
        let xs = self.vars(x);
        let clears = self.with(|s| s.clears);
        let ys = f(&xs);
        assert_eq!(
            self.with(|s| s.clears),
            clears,
            "gradient_of_sum: the function cleared the tape while it was recording"
        );
        let Some(first) = x.first() else {
            return Vec::new();
        };
        let zero = first.cst(0.0);
        let seeds: Vec<(u32, T)> = ys
            .iter()
            .map(|y| (self.with(|s| s.flush(y.lin)), y.v.cst(1.0)))
            .collect();
        if self.with(|s| s.runs.len()) == 1 {
            self.sweep_take(&seeds, None, &zero)
        } else {
            // `f` recorded inputs of its own
            let idx: Vec<u32> = xs.iter().map(|x| x.lin.end).collect();
            self.sweep_take(&seeds, Some(&idx), &zero)
        }
    }
}

/// The partial derivatives of v = u / w or v = u^w with respect to u (when `need_u`)
/// and w (when `need_w`): the elemental tape's sweep rules at vbar = 1, with their
/// limits at a zero base, their slope from the base where v underflowed or
/// overflowed, and their rescaled products where a partial alone would overflow.
fn quotient_or_power_partials<T: Scalar>(
    op: Binary,
    u: &T,
    w: &T,
    v: &T,
    need_u: bool,
    need_w: bool,
) -> (Option<T>, Option<T>) {
    if op == Binary::Div {
        // 1 / w, and -(1 / w) v
        let t = v.cst(1.0).div(w);
        let dw = need_w.then(|| finite_or_rescaled(t.mul(v), &[v], Some(w)).neg());
        return (need_u.then_some(t), dw);
    }
    debug_assert_eq!(op, Binary::Pow);
    if u.value_is_zero() {
        let (du, dw) = pow_partials_at_zero_base(u, w, v);
        return (need_u.then_some(du), need_w.then_some(dw));
    }
    let du = need_u.then(|| {
        if pow_slope_from_the_base(u, v) {
            // v underflowed or overflowed: w u^(w-1)
            pow_slope_in_base(u, w)
        } else {
            finite_or_rescaled(v.mul(w).div(u), &[v, w], Some(u))
        }
    });
    let dw = need_w.then(|| {
        let ln = u.ln();
        finite_or_rescaled(v.mul(&ln), &[v, &ln], None)
    });
    (du, dw)
}

impl<T: TapeScalar> SVar<'_, T> {
    fn with_lin(&self, lin: Lin, v: T) -> Self {
        SVar {
            tape: self.tape,
            lin,
            v,
        }
    }
}

impl<T: TapeScalar> Scalar for SVar<'_, T> {
    fn cst(&self, c: f64) -> Self {
        T::note_moves(1);
        let lin = self.tape.with(|s| {
            let t = s.tail();
            Lin { start: t, end: t }
        });
        self.with_lin(lin, self.v.cst(c))
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
    #[inline(always)]
    fn powi(&self, k: i32) -> Self {
        self.unary(Unary::Powi(k))
    }
    #[inline(always)]
    fn unary(&self, op: Unary) -> Self {
        T::note_moves(2);
        let (v, d) = self.v.unary_with_deriv(op);
        let lin = match self.lin.as_node() {
            // the common case: one term, the partial itself
            Some(i) => self.tape.with(|s| {
                let start = s.tail();
                s.push_term(i, d);
                Lin {
                    start,
                    end: start + 1,
                }
            }),
            None => {
                let one = d.cst(1.0);
                self.tape.with(|s| s.scale(self.lin, Some(&d), &one))
            }
        };
        self.with_lin(lin, v)
    }
    #[inline]
    fn binary(&self, op: Binary, o: &Self) -> Self {
        debug_assert!(
            std::ptr::eq(self.tape, o.tape),
            "operands on different tapes"
        );
        T::note_moves(3);
        let (a, b) = (self.lin, o.lin);
        let v = self.v.binary(op, &o.v);
        // the common case of a sum: two pending combinations side by side
        if op == Binary::Add && a.as_node().is_none() && b.as_node().is_none() && a.end == b.start {
            return self.with_lin(
                Lin {
                    start: a.start,
                    end: b.end,
                },
                v,
            );
        }
        let one = v.cst(1.0);
        let lin = match op {
            Binary::Add => self.tape.with(|s| s.combine(a, None, b, None, &one)),
            Binary::Sub => {
                let m = v.cst(-1.0);
                self.tape.with(|s| s.combine(a, None, b, Some(&m), &one))
            }
            Binary::Mul => self
                .tape
                .with(|s| s.combine(a, Some(&o.v), b, Some(&self.v), &one)),
            Binary::Min | Binary::Max => {
                if self.v.selects_left_of(op, &o.v) {
                    a
                } else {
                    b
                }
            }
            Binary::Div | Binary::Pow => {
                // partials only for an operand with terms: a constant exponent needs no
                // log u (NaN for u < 0)
                let (pa, pb) =
                    quotient_or_power_partials(op, &self.v, &o.v, &v, !a.is_empty(), !b.is_empty());
                self.tape.with(|s| {
                    // an operand without terms is not scaled; 1 stands in for its partial
                    s.combine(
                        a,
                        Some(pa.as_ref().unwrap_or(&one)),
                        b,
                        Some(pb.as_ref().unwrap_or(&one)),
                        &one,
                    )
                })
            }
        };
        self.with_lin(lin, v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ad::{jacobian_forward, Tape};
    use crate::num::{Count, WorkCounter};

    #[test]
    fn term_and_entry_indices_stop_below_the_entry_marker() {
        // a tape of 2^32 - 1 terms needs 16 GiB or more of terms: the bounds are checked
        // on the index arithmetic itself
        let top = NODE as usize;
        assert_eq!(term_index(0), Some(0));
        assert_eq!(term_index(top - 1), Some(NODE - 1));
        assert_eq!(term_index(top), None);
        assert_eq!(term_index(top + 1), None);
        assert_eq!(entries_after(0, 0), Some(0));
        assert_eq!(entries_after(NODE - 2, 1), Some(NODE - 1));
        assert_eq!(entries_after(NODE - 1, 1), None);
        assert_eq!(entries_after(1, top), None);
        assert_eq!(entries_after(0, usize::MAX), None);
    }

    /// Distance in units in the last place between two finite f64 of the same sign.
    fn ulps(a: f64, b: f64) -> u64 {
        let key = |v: f64| {
            let b = v.to_bits() as i64;
            if b < 0 {
                i64::MIN - b
            } else {
                b
            }
        };
        key(a).abs_diff(key(b))
    }

    /// The gradient on the statement tape and by forward mode, one column per input.
    fn statement_and_forward(
        f: &dyn for<'t> Fn(&[SVar<'t, f64>]) -> SVar<'t, f64>,
        g: &dyn Fn(&[crate::ad::Dual<f64>]) -> crate::ad::Dual<f64>,
        x: &[f64],
    ) -> (Vec<f64>, Vec<f64>) {
        let st = StatementTape::new();
        let xs = st.vars(x);
        let y = f(&xs);
        let got = st.gradient(&y, &xs);
        let cols: Vec<usize> = (0..x.len()).collect();
        let want = jacobian_forward(|d| vec![g(d)], x, &cols)
            .into_iter()
            .map(|c| c[0])
            .collect();
        (got, want)
    }

    /// The operand shapes a rule meets, over the inputs `x[o..o + 3]`: an input (an
    /// entry), a pending combination of one term, of two (copied when scaled) and of
    /// six (made an entry first), and a constant.
    fn shape<S: Scalar>(k: usize, x: &[S], o: usize) -> S {
        let x = &x[o..o + 3];
        match k {
            0 => x[0].clone(),
            1 => x[1].sin(),
            2 => x[0].mul(&x[1]),
            3 => {
                let mut acc = x[0].mul(&x[1]);
                for (a, b) in [(1, 2), (2, 0)] {
                    acc = acc.add(&x[a].mul(&x[b]));
                }
                acc
            }
            _ => x[0].cst(0.75),
        }
    }
    const SHAPES: usize = 5;

    /// Each elemental's rule on each operand shape and order, and the statement
    /// tape's gradient against forward mode's: the same partial derivatives, products
    /// associated the other way, so within a few ulps where nothing cancels (the two
    /// operands of a bivariate elemental read disjoint inputs, so that no derivative is
    /// a difference of two paths, as that of x0 x1 / x0 is).
    #[test]
    fn every_elemental_on_every_operand_shape_agrees_with_forward_mode() {
        let x = [0.7, 1.3, 0.4, 0.9, -0.6, 1.1];
        let mut cases = 0;
        for a in 0..SHAPES {
            let unary: [Unary; 14] = Unary::with_powers([3, -2]);
            for op in unary {
                // arguments kept in the domain: 1 + u^2 for log, sqrt and 1/u
                fn arg<S: Scalar>(op: Unary, u: S) -> S {
                    match op {
                        Unary::Log | Unary::Sqrt | Unary::Recip => u.powi(2).add_f(1.0),
                        _ => u,
                    }
                }
                let (got, want) = statement_and_forward(
                    &|x| arg(op, shape(a, x, 0)).unary(op),
                    &|x| arg(op, shape(a, x, 0)).unary(op),
                    &x,
                );
                for j in 0..6 {
                    assert!(
                        ulps(got[j], want[j]) <= 4,
                        "{op:?} of shape {a}, d/dx{j}: {} against {}",
                        got[j],
                        want[j]
                    );
                }
                cases += 1;
            }
            for b in 0..SHAPES {
                for op in Binary::ALL {
                    let (got, want) = statement_and_forward(
                        &|x| shape(a, x, 0).binary(op, &shape(b, x, 3)),
                        &|x| shape(a, x, 0).binary(op, &shape(b, x, 3)),
                        &x,
                    );
                    for j in 0..6 {
                        assert!(
                            ulps(got[j], want[j]) <= 4,
                            "shape {a} {op:?} shape {b}, d/dx{j}: {} against {}",
                            got[j],
                            want[j]
                        );
                    }
                    cases += 1;
                }
            }
            for op in [Binary::Sub, Binary::Div, Binary::Pow] {
                let (got, want) = statement_and_forward(
                    &|x| shape(a, x, 0).f_binary(1.5, op),
                    &|x| shape(a, x, 0).f_binary(1.5, op),
                    &x,
                );
                let (got2, want2) = statement_and_forward(
                    &|x| shape(a, x, 0).binary_f(op, 1.5),
                    &|x| shape(a, x, 0).binary_f(op, 1.5),
                    &x,
                );
                for j in 0..6 {
                    assert!(ulps(got[j], want[j]) <= 4, "1.5 {op:?} shape {a}, d/dx{j}");
                    assert!(
                        ulps(got2[j], want2[j]) <= 4,
                        "shape {a} {op:?} 1.5, d/dx{j}"
                    );
                }
                cases += 2;
            }
        }
        assert_eq!(cases, SHAPES * (14 + 7 * SHAPES + 6));
    }

    #[test]
    fn a_sum_of_squares_writes_one_term_per_input_and_one_statement() {
        let st = StatementTape::new();
        let x: Vec<f64> = (1..=100).map(f64::from).collect();
        let g = st.gradient_of_sum(&x, |xs| {
            let mut acc = xs[0].powi(2);
            for xi in &xs[1..] {
                acc = acc.add(&xi.powi(2));
            }
            vec![acc]
        });
        assert_eq!(st.terms(), 100);
        assert_eq!(st.statements(), 1);
        assert_eq!(st.len(), 101);
        let want: Vec<f64> = x.iter().map(|v| 2.0 * v).collect();
        assert_eq!(g, want);
    }

    /// A long combination used many times becomes one entry: its terms are written
    /// once, not once per use.
    #[test]
    fn a_long_combination_used_many_times_is_recorded_once() {
        let st = StatementTape::new();
        let x: Vec<f64> = (1..=10).map(|i| 0.1 * f64::from(i)).collect();
        let xs = st.vars(&x);
        let mut s = xs[0].mul(&xs[1]);
        for k in 1..10 {
            s = s.add(&xs[k].mul(&xs[(k + 1) % 10]));
        }
        assert_eq!(st.terms(), 20);
        let mut y = s.sin();
        for _ in 0..50 {
            y = y.add(&s.mul(&y));
        }
        // 20 terms of s, its entry, then per use at most two terms and one entry
        assert!(st.terms() <= 20 + 1 + 50 * 4, "{} terms", st.terms());
        let stmts = st.statements();
        let g = st.gradient(&y, &xs);
        // s became one statement, and each y one more: sin(s), then y + s y per use
        assert!(stmts <= 1 + 1 + 50, "{stmts} statements");
        // a second sweep from the same output records nothing
        assert_eq!(st.gradient(&y, &xs), g);
        assert_eq!(st.statements(), stmts + 1, "y became one statement, once");
        let t = Tape::new();
        let xe = t.vars(&x);
        let mut se = xe[0].mul(&xe[1]);
        for k in 1..10 {
            se = se.add(&xe[k].mul(&xe[(k + 1) % 10]));
        }
        let mut ye = se.sin();
        for _ in 0..50 {
            ye = ye.add(&se.mul(&ye));
        }
        let want = t.gradient(&ye, &xe);
        for j in 0..10 {
            assert!(
                ulps(g[j], want[j]) <= 64,
                "d/dx{j}: {} against {}",
                g[j],
                want[j]
            );
        }
    }

    /// Sweeps leave the adjoints at zero: a second gradient, a Jacobian of two outputs
    /// and a gradient with respect to some inputs in another order agree with fresh
    /// ones, and an output that is an input or a constant has the gradient it should.
    #[test]
    fn sweeps_leave_no_adjoint_behind() {
        let st = StatementTape::new();
        let x = [0.5, -1.25, 2.0];
        let xs = st.vars(&x);
        let y1 = xs[0].mul(&xs[1]).exp();
        let y2 = xs[2].div(&xs[0]).add(&xs[1]);
        let g1 = st.gradient(&y1, &xs);
        assert_eq!(st.gradient(&y1, &xs), g1);
        let jac = st.jacobian(&[y1.clone(), y2.clone()], &xs);
        assert_eq!(jac[0], g1);
        let p = (x[0] * x[1]).exp();
        assert_eq!(g1, vec![x[1] * p, x[0] * p, 0.0]);
        assert_eq!(jac[1], vec![-(x[2] / x[0]) / x[0], 1.0, 1.0 / x[0]]);
        let some = st.gradient(&y2, &[xs[2].clone(), xs[0].clone()]);
        assert_eq!(some, vec![jac[1][2], jac[1][0]]);
        assert_eq!(st.gradient(&y2, &xs), jac[1]);
        assert_eq!(st.gradient(&xs[1], &xs), vec![0.0, 1.0, 0.0]);
        assert_eq!(st.gradient(&xs[1].cst(3.0), &xs), vec![0.0; 3]);
    }

    /// An entry the output does not depend on passes 0 back also through an infinite
    /// partial (sqrt at 0), not 0 * inf = NaN: the sweep runs again guarded.
    #[test]
    fn an_infinite_partial_off_the_output_s_path_passes_zero() {
        let st = StatementTape::new();
        let xs = st.vars(&[0.5, 0.0]);
        let t = xs[1].sqrt().add(&xs[0].sin()).add(&xs[0].cos());
        let _other = t.exp();
        let y = xs[0].powi(2);
        assert_eq!(st.gradient(&y, &xs), vec![1.0, 0.0]);
        assert_eq!(st.gradient(&t, &xs)[1], f64::INFINITY);
    }

    /// Many outputs seeded at once, some of them the same entry, accumulate their seeds
    /// as on the elemental tape, past the length where repeats are found by a set.
    #[test]
    fn many_repeated_outputs_accumulate_their_seeds() {
        fn outputs<S: Scalar>(x: &[S]) -> Vec<S> {
            let y = x[0].mul(&x[1]);
            let s = x[0].add(&x[1]).add(&x[0].sin()).sin();
            (0..20)
                .flat_map(|k| [y.mul_f(f64::from(k)), s.clone()])
                .collect()
        }
        let x = [0.7, -1.3];
        let got = StatementTape::new().gradient_of_sum(&x, outputs);
        let want = Tape::new().gradient_of_sum(&x, outputs);
        for (g, w) in got.iter().zip(&want) {
            assert!(ulps(*g, *w) <= 4, "{got:?} against {want:?}");
        }
        // 20 seeds of the same sin(...): its part of the gradient counts 20 times
        let c = (0.7f64 - 1.3 + 0.7f64.sin()).cos();
        let dy0 = 190.0 * -1.3 + 20.0 * c * (1.0 + 0.7f64.cos());
        assert!(ulps(got[0], dy0) <= 8, "{} against {dy0}", got[0]);
    }

    /// 0 * inf passes 0 where the elemental tape passes 0 and NaN where it gives NaN,
    /// whether the combination scaled is short enough to be copied or becomes an entry
    /// first: the guard keys on the outer elemental's partial, as the sweep keys on the
    /// adjoint.
    #[test]
    fn zero_times_an_infinite_partial_is_the_elemental_tape_s_on_every_path() {
        fn cases<S: Scalar>(x: &[S]) -> Vec<S> {
            let r = x[0].sqrt();
            vec![
                r.mul_f(0.0),
                r.powi(2),
                x[2].mul(&r),
                r.add(&x[1]).mul_f(0.0),
                r.add(&x[1]).add(&x[2]).mul_f(0.0),
                x[1].mul(&x[2]).sqrt(),
            ]
        }
        let x = [0.0, 1.0, 0.0];
        let st = StatementTape::new();
        let xs = st.vars(&x);
        let got = st.jacobian(&cases(&xs), &xs);
        let t = Tape::new();
        let xe = t.vars(&x);
        let want = t.jacobian(&cases(&xe), &xe);
        for (k, (g, w)) in got.iter().zip(&want).enumerate() {
            for (a, b) in g.iter().zip(w) {
                assert!(
                    a.to_bits() == b.to_bits() || a.is_nan() && b.is_nan(),
                    "case {k}: {g:?} against the elemental tape's {w:?}"
                );
            }
        }
        // the cases reach both outcomes
        assert_eq!(want[0][0], 0.0);
        assert!(want[5][1].is_nan());
    }

    /// Partials are multiplied together while recording: where their product leaves
    /// f64's range though the derivative does not, it overflows as the elemental
    /// tape's adjoint does. d/dx 1 / (1e-160 x) at x = 1 is -1e160, which forward mode
    /// gives; here the partial -v / w = -1e320 of the quotient overflows before the
    /// term of x scales it by 1e-160.
    #[test]
    fn a_product_of_partials_beyond_f64_overflows_as_reverse_mode_does() {
        let st = StatementTape::new();
        let xs = st.vars(&[1.0]);
        let y = xs[0].mul_f(1e-160).rdiv_f(1.0);
        assert_eq!(st.gradient(&y, &xs), vec![f64::NEG_INFINITY]);
        let t = Tape::new();
        let xe = t.vars(&[1.0]);
        let ye = xe[0].mul_f(1e-160).rdiv_f(1.0);
        assert_eq!(t.gradient(&ye, &xe), vec![f64::NEG_INFINITY]);
        let d = jacobian_forward(|d| vec![d[0].mul_f(1e-160).rdiv_f(1.0)], &[1.0], &[0]);
        assert_eq!(d[0][0], -1e160);
    }

    /// The counting scalar sees what the tape executes: on sum of squares, per input
    /// the square and its slope (two nonlinear operations, as u^k counts) while
    /// recording, and one multiply-add in the sweep.
    #[test]
    fn counts_of_a_sum_of_squares() {
        let st: StatementTape<Count> = StatementTape::new();
        let x: Vec<Count> = (1..=10).map(|i| Count(f64::from(i))).collect();
        let (_, w) = WorkCounter::measure(|| {
            st.gradient_of_sum(&x, |xs| {
                let mut acc = xs[0].powi(2);
                for xi in &xs[1..] {
                    acc = acc.add(&xi.powi(2));
                }
                vec![acc]
            })
        });
        let (_, f) = WorkCounter::measure(|| {
            let mut acc = x[0].powi(2);
            for xi in &x[1..] {
                acc = acc.add(&xi.powi(2));
            }
            acc
        });
        assert_eq!(w.nlops, f.nlops + 10, "{w:?} against {f:?}");
        assert_eq!(w.mults, f.mults + 10);
        assert_eq!(w.adds, f.adds + 10);
    }
}
