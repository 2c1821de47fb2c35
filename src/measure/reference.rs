//! The arbitrary-precision reference: derivatives by AD over MPFR at rising precision.
//!
//! # The rule
//!
//! The scenario's own program is differentiated over `rug::Float` (reverse mode when
//! m <= n, forward mode otherwise; an entry that mode gives as NaN is taken from the
//! other mode where that gives a number, see `jacobian_at_unchecked`), with every input and literal entering as its exact
//! f64 value, so the reference is the exact derivative of the function that the f64
//! program computes. It is evaluated at precision p (default 256 bits) and at 2p. An
//! entry is *settled* when the two evaluations agree on at least
//! [`RefOptions::agree_bits`] leading bits (default 100, far beyond the 53 of f64) and
//! round to the same f64, with no f64 rounding boundary within their difference and the
//! rounding bound (see `rounds_surely`). While any entry is unsettled the precision doubles, up to
//! [`RefOptions::max_precision`] (default 4096); an entry still unsettled then is
//! reported as unsettled, never silently accepted. This is the ground-truth loop of
//! Herbie, applied to derivatives.
//!
//! Agreement between precisions is evidence, not proof: a term absorbed at both
//! precisions leaves both on the same wrong value. In f(a, b) = (a + (b - a))
//! tanh(232 a) at (1, 0.5), the sweep sums the adjoint of a as +t, 1.4e-199, -t with
//! t ~ 1: 0 at 256 and at 512 bits, while forward mode, summing 1 + (0 - 1) first,
//! keeps the small term. So the sweep runs over [`Ranged`], MPFR with a first-order
//! bound m on each value's rounding error in units of 2^-p, and an entry settles only
//! when its value is also large against that bound, |v| >= m 2^(agree_bits - p): the 0
//! above, with m ~ 2, is refused, and the loop goes on until the precision resolves
//! the term. A structural zero (nothing summed into it) and an exact cancellation (d/dx
//! of x - x, 1 - 1 with no rounding) have m = 0 and settle at once; a zero by
//! cancellation of rounded terms (d/dx of sin(x)^2 + cos(x)^2) cannot be told from a term
//! below the cap's resolution and is reported unsettled. The bound keeps its size beyond
//! f64's range, and it passes an error on through the largest slope within the value's
//! radius, not the slope at the value, which can be flat where the error is large
//! (cos at an absorbed 0); where a value is not finite, agreement alone decides. A rule's decision on a value (a zero, a sign,
//! the argument min/max takes) that the bounds leave open is a doubt
//! ([`crate::num::doubted`]): nothing evaluated under one settles, so an absorbed term
//! cannot turn a branch the same wrong way at both precisions. In reverse mode a doubt
//! in one output's sweep leaves the other outputs' entries free to settle (their
//! sweeps pass its entries with an adjoint of exactly 0, deciding nothing); a doubt
//! while recording, or in forward mode, holds every entry. MPFR's exponent range
//! (2^±1073741823) does not grow with the precision: where an operation overflows or
//! underflows it (exp(1e200) = inf, exp(-1e200) = 0, so that the slope of exp(-x) exp(x)
//! is 0 * inf = NaN at every precision), nothing settles, and the loop stops there
//! ([`crate::num::beyond_exponent_range`], [`Reference::exponent_range_exceeded`]).
//! The cap and the agreement threshold are reported with every entry so a reader can
//! judge.

use crate::ad::{jacobian_forward, Tape};
use crate::num::{beyond_exponent_range, doubted, Ranged};
use crate::scenario::Function;
use rug::Float;

/// Settings of the reference loop.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RefOptions {
    /// the first precision, in bits
    pub start_precision: u32,
    /// the largest precision tried, in bits
    pub max_precision: u32,
    /// leading bits two successive precisions must agree on
    pub agree_bits: u32,
}

impl Default for RefOptions {
    fn default() -> Self {
        RefOptions {
            start_precision: 256,
            max_precision: 4096,
            agree_bits: 100,
        }
    }
}

/// One Jacobian entry of the reference.
#[derive(Clone, Debug)]
pub struct RefEntry {
    /// the value at the higher of the two agreeing precisions (or the last tried)
    pub value: Float,
    /// the precision of `value`, in bits
    pub precision: u32,
    /// leading bits on which the last two precisions agreed
    pub agreed_bits: u32,
    /// true when the agreement reached the threshold and both rounded to the same f64
    pub settled: bool,
}

impl RefEntry {
    /// The reference rounded to the nearest f64.
    pub fn to_f64(&self) -> f64 {
        self.value.to_f64()
    }

    /// The reference with `digits` significant decimal digits.
    pub fn digits(&self, digits: usize) -> String {
        if !self.value.is_finite() {
            return format!("{}", self.value.to_f64());
        }
        self.value.to_string_radix(10, Some(digits))
    }
}

/// The reference Jacobian of a scenario at a point.
#[derive(Clone, Debug)]
pub struct Reference {
    /// `entries[i][k]`: d y_i / d x_j with j = `cols[k]`
    pub entries: Vec<Vec<RefEntry>>,
    /// the columns computed
    pub cols: Vec<usize>,
    /// the function values at the final precision
    pub values: Vec<Float>,
    /// `values_settled[i]`: value i settled by the rule of the entries (the last two
    /// precisions round it to the same f64 and agree on the required bits, its bound
    /// leaves no rounding boundary within reach, and no decision was doubted); the
    /// ladder stops when the entries settle, which a value may not have by then
    pub values_settled: Vec<bool>,
    /// the highest precision evaluated
    pub max_precision_used: u32,
    /// true when an MPFR operation overflowed or underflowed MPFR's exponent range in an
    /// evaluation ([`beyond_exponent_range`]): no entry settles from it on, and the
    /// values are not evidence of the function's domain or poles
    pub exponent_range_exceeded: bool,
}

impl Reference {
    /// True when every entry settled.
    pub fn settled(&self) -> bool {
        self.entries.iter().flatten().all(|e| e.settled)
    }
}

/// Leading bits on which `a` and `b` agree (the lower precision when equal).
pub fn agreement(a: &Float, b: &Float) -> u32 {
    let cap = a.prec().min(b.prec());
    if a.is_nan() && b.is_nan() {
        return cap;
    }
    if a == b {
        return cap;
    }
    if !a.is_finite() || !b.is_finite() {
        return 0;
    }
    let p = cap + 64;
    let diff = Float::with_val(p, a - b).abs();
    let scale = Float::with_val(p, a.abs_ref()).max(&Float::with_val(p, b.abs_ref()));
    let rel = Float::with_val(p, &diff / &scale);
    // -log2(rel), floored, clamped to [0, cap]
    match rel.get_exp() {
        Some(e) => (-(e as i64)).clamp(0, cap as i64) as u32,
        None => cap,
    }
}

/// The Jacobian columns and the values at one precision, and what makes them unfit to
/// settle whatever their agreement.
struct Evaluation {
    /// `rows[i][k]`: d y_i / d x_j with j = `cols[k]`
    rows: Vec<Vec<Ranged>>,
    values: Vec<Ranged>,
    /// `doubt[i]`: a rule's decision in row i was doubted ([`doubted`])
    doubt: Vec<bool>,
    /// an MPFR operation in them overflowed or underflowed its exponent range
    /// ([`beyond_exponent_range`])
    beyond_range: bool,
}

/// The Jacobian columns `cols` and the values at precision `prec`.
fn jacobian_at<F: Function>(
    model: &F,
    x: &[f64],
    cols: &[usize],
    prec: u32,
    m: usize,
    reverse: bool,
) -> Evaluation {
    let ((rows, values, doubt), beyond_range) =
        beyond_exponent_range(|| jacobian_at_unchecked(model, x, cols, prec, m, reverse));
    Evaluation {
        rows,
        values,
        doubt,
        beyond_range,
    }
}

/// The rows and values of [`Evaluation`], with the doubts of each row: in reverse mode
/// those of the recording (every row's: a decision on a value reaches whatever follows
/// it) and those of the row's own sweep, which passes the entries its output does not
/// reach with an adjoint of exactly 0 and makes no decision there
/// ([`crate::num::Scalar::passes_nothing`]); in forward mode every decision is every
/// row's.
///
/// An entry that comes out NaN is computed again in the other mode, whose value it takes
/// when that is a number (with that mode's doubts): both modes apply the chain rule with
/// the same guard, that a tangent or an adjoint of exactly 0 passes nothing on, also
/// through an infinite partial, and each can meet inf * 0 or inf - inf where the other's
/// order of accumulation does not. d/dx of sqrt(x - x) is 0 in forward mode (x - x has a
/// tangent of exactly 0) and NaN in reverse mode (inf - inf, the adjoints of x through
/// both operands); d/dx of (x - x) sqrt(x) at x = 0 is NaN in forward mode (0 * inf) and
/// 0 in reverse mode (sqrt(x) gets an adjoint of exactly 0). The reference is then the
/// same whichever mode m and n choose.
fn jacobian_at_unchecked<F: Function>(
    model: &F,
    x: &[f64],
    cols: &[usize],
    prec: u32,
    m: usize,
    reverse: bool,
) -> (Vec<Vec<Ranged>>, Vec<Ranged>, Vec<bool>) {
    let xf: Vec<Ranged> = x
        .iter()
        .map(|&v| Ranged::exact(Float::with_val(prec, v)))
        .collect();
    let (mut rows, values, mut doubt) = if reverse {
        let (rows, values, doubt) = reverse_rows(model, &xf, cols, &vec![true; m]);
        (rows, values, doubt)
    } else {
        let (values, rows, d) = forward_rows(model, &xf, cols);
        (rows, values, vec![d; m])
    };
    let nan = |rows: &[Vec<Ranged>], i: usize, k: usize| rows[i][k].v.is_nan();
    let nan_rows: Vec<bool> = (0..m)
        .map(|i| (0..cols.len()).any(|k| nan(&rows, i, k)))
        .collect();
    if !nan_rows.contains(&true) {
        return (rows, values, doubt);
    }
    // the other mode, for the entries that came out NaN
    let other: Vec<(usize, usize, Ranged, bool)> = if reverse {
        let ks: Vec<usize> = (0..cols.len())
            .filter(|&k| (0..m).any(|i| nan(&rows, i, k)))
            .collect();
        let sub: Vec<usize> = ks.iter().map(|&k| cols[k]).collect();
        let (_, fwd, d) = forward_rows(model, &xf, &sub);
        let mut out = Vec::new();
        for (c, &k) in ks.iter().enumerate() {
            for (i, row) in fwd.iter().enumerate() {
                if nan(&rows, i, k) {
                    out.push((i, k, row[c].clone(), d));
                }
            }
        }
        out
    } else {
        let (rev, _, d) = reverse_rows(model, &xf, cols, &nan_rows);
        let mut out = Vec::new();
        for (i, row) in rev.iter().enumerate() {
            for (k, e) in row.iter().enumerate() {
                if nan_rows[i] && nan(&rows, i, k) {
                    out.push((i, k, e.clone(), d[i]));
                }
            }
        }
        out
    };
    for (i, k, e, d) in other {
        if !e.v.is_nan() {
            rows[i][k] = e;
            doubt[i] |= d;
        }
    }
    (rows, values, doubt)
}

/// Reverse mode: one recording, then the sweep of each output i with `sweep[i]` (the
/// rows of the others are left NaN); the values, and each row's doubts.
fn reverse_rows<F: Function>(
    model: &F,
    xf: &[Ranged],
    cols: &[usize],
    sweep: &[bool],
) -> (Vec<Vec<Ranged>>, Vec<Ranged>, Vec<bool>) {
    let tape = Tape::new();
    let xs = tape.vars(xf);
    let (ys, recorded) = doubted(|| model.eval(&xs));
    let values = ys.iter().map(|y| y.value().clone()).collect();
    // a placeholder for the rows not swept, which the caller does not read
    let nan = || Ranged::exact(Float::with_val(64, f64::NAN));
    let (rows, doubt) = ys
        .iter()
        .zip(sweep)
        .map(|(y, &run)| {
            if !run {
                return (vec![nan(); cols.len()], recorded);
            }
            let (g, swept) = doubted(|| tape.gradient(y, &xs));
            (
                cols.iter().map(|&j| g[j].clone()).collect(),
                recorded || swept,
            )
        })
        .unzip();
    (rows, values, doubt)
}

/// Forward mode: the values, the rows of the columns `cols`, and whether any decision
/// was doubted.
fn forward_rows<F: Function>(
    model: &F,
    xf: &[Ranged],
    cols: &[usize],
) -> (Vec<Ranged>, Vec<Vec<Ranged>>, bool) {
    let ((values, colsv), d) = doubted(|| {
        let values: Vec<Ranged> = model.eval(xf);
        (values, jacobian_forward(|d| model.eval(d), xf, cols))
    });
    let m = values.len();
    let rows = (0..m)
        .map(|i| colsv.iter().map(|c| c[i].clone()).collect())
        .collect();
    (values, rows, d)
}

/// The largest number of sweeps (tangents, or adjoint sweeps) the reference spends on
/// computing its unsettled entries again in the other mode.
pub const RETRY_SWEEPS: usize = 64;

/// The reference Jacobian columns `cols` of `model` at `x`: in reverse mode when m <= n,
/// in forward mode otherwise. Entries left unsettled are computed again, up to
/// [`RETRY_SWEEPS`] sweeps, in the other mode, whose settled values they take: a
/// cancellation of rounded terms in one mode can be exact in the other (d/dx of x / x
/// sums the rounded adjoints 1/x and -x/x^2 in reverse mode, while forward mode's
/// tangent is (x - x) / x^2 with an exact 0 on top).
pub fn reference_jacobian<F: Function>(
    model: &F,
    x: &[f64],
    cols: &[usize],
    opts: &RefOptions,
) -> Reference {
    let m = model.eval(x).len();
    let reverse = m <= cols.len();
    let mut r = ladder(model, x, cols, opts, m, reverse);
    if r.exponent_range_exceeded || r.settled() {
        return r;
    }
    let unsettled = |r: &Reference, i: usize, k: usize| !r.entries[i][k].settled;
    // the columns (for forward mode) or every row (reverse mode sweeps each output)
    let ks: Vec<usize> = (0..cols.len())
        .filter(|&k| (0..m).any(|i| unsettled(&r, i, k)))
        .collect();
    let sweeps = if reverse { ks.len() } else { m };
    if sweeps > RETRY_SWEEPS {
        return r;
    }
    let sub: Vec<usize> = if reverse {
        ks.iter().map(|&k| cols[k]).collect()
    } else {
        cols.to_vec()
    };
    let other = ladder(model, x, &sub, opts, m, !reverse);
    for (c, &j) in sub.iter().enumerate() {
        let k = cols
            .iter()
            .position(|&jj| jj == j)
            .expect("a column of cols");
        for i in 0..m {
            if unsettled(&r, i, k) && other.entries[i][c].settled {
                r.entries[i][k] = other.entries[i][c].clone();
            }
        }
    }
    r.max_precision_used = r.max_precision_used.max(other.max_precision_used);
    r
}

/// True when the exact value rounds to the same f64 as `hi`'s value: no f64 rounding
/// boundary (the midpoint between two neighbouring f64s) lies within what the two
/// precisions and `hi`'s rounding bound leave open, |hi - lo| + m 2^-p around it.
/// Agreement on 100 bits does not decide the rounding of a value within 2^-100 of a
/// midpoint: 1 + 2^-53 + 2^-600 is 1 + 2^-53 at 256 and 512 bits, which rounds to even,
/// to 1, while the exact value rounds up. An exact value (equal at both precisions,
/// with no bound) rounds as it is; a value beyond f64's range, or not finite, is taken
/// as it is.
fn rounds_surely(hi: &Ranged, lo: &Float) -> bool {
    let v = &hi.v;
    let f = v.to_f64();
    if !v.is_finite() || !f.is_finite() || !lo.is_finite() {
        return true;
    }
    let Some(radius) = hi.radius() else {
        // an unknown bound: `determined` decides
        return true;
    };
    let p = v.prec().max(lo.prec()) + 64;
    let slack = Float::with_val(p, Float::with_val(p, v - lo).abs() + &radius);
    if slack.is_zero() {
        return true;
    }
    // the midpoints between f and its neighbours (beyond +-f64::MAX, the point where
    // rounding goes to the infinity of that sign)
    let mid = |g: f64| {
        let g = if g.is_finite() {
            Float::with_val(p, g)
        } else {
            let s = g.signum();
            Float::with_val(p, s * f64::MAX) + Float::with_val(p, s * 2f64.powi(970))
        };
        Float::with_val(p, (Float::with_val(p, f) + g) / 2u32)
    };
    let (below, above) = (mid(f.next_down()), mid(f.next_up()));
    let lo_end = Float::with_val(p, v - &slack);
    let hi_end = Float::with_val(p, v + &slack);
    lo_end > below && hi_end < above
}

/// Whether an entry evaluated at two successive precisions, `lo` then `hi`, whose
/// values agree on `agreed` leading bits, settles on `hi`'s value (no doubt and no
/// exponent overflow being presumed): the two round to the same f64 and agree on at
/// least `agree_bits` bits, and `hi`'s bound determines that many bits of its value and
/// leaves no f64 rounding boundary within reach (an exact zero settles whatever its sign
/// at either precision). Agreement is the evidence the loop
/// has besides the bound: where a bound is wrong (a rule that undercounts its
/// roundings), two precisions that disagree still hold the entry.
fn settles(lo: &Ranged, hi: &Ranged, agreed: u32, agree_bits: u32) -> bool {
    let (l, h) = (&lo.v, &hi.v);
    // +0 and -0 are the same f64 here: no error count tells them apart (`ulps_between`)
    let same_f64 = l.to_f64() == h.to_f64() || (l.is_nan() && h.is_nan());
    same_f64 && agreed >= agree_bits && hi.determined(agree_bits) && rounds_surely(hi, l)
}

/// The precision after `p`: twice it, but no more than the cap `max` where the cap lies
/// between the two (a start of 300 bits goes 600, 1200, 2400, then 4096, not 4800), so
/// that `max_precision` is the largest precision tried; a start at or above the cap
/// still doubles once, for the one pair of precisions that settling needs.
fn next_precision(p: u32, max: u32) -> u32 {
    let q = p.saturating_mul(2);
    if q > max && max > p {
        max
    } else {
        q
    }
}

/// Whether each value settles between two successive precisions, by the rule of the
/// entries ([`settles`]), with the doubts of its row and none past MPFR's exponent range.
fn value_settlement(
    lo: &[Ranged],
    hi: &[Ranged],
    doubt: &[bool],
    beyond_range: bool,
    opts: &RefOptions,
) -> Vec<bool> {
    lo.iter()
        .zip(hi)
        .zip(doubt)
        .map(|((l, h), &d)| {
            !d && !beyond_range && settles(l, h, agreement(&l.v, &h.v), opts.agree_bits)
        })
        .collect()
}

/// The function's values at `x` by themselves, each settled by the rule of the entries
/// (two successive precisions from `opts.start_precision` up to `opts.max_precision`,
/// no doubted decision, within MPFR's exponent range): `None` for a value that does not
/// settle by the cap. Cheaper than the Jacobian's ladder (no derivative is
/// formed), for the values that ladder left unsettled when its entries settled.
pub fn reference_values<F: Function>(
    model: &F,
    x: &[f64],
    opts: &RefOptions,
) -> Vec<Option<Float>> {
    let at = |p: u32| {
        let xf: Vec<Ranged> = x
            .iter()
            .map(|&v| Ranged::exact(Float::with_val(p, v)))
            .collect();
        beyond_exponent_range(|| doubted(|| model.eval(&xf)))
    };
    let mut p = opts.start_precision.max(64);
    let ((mut lo, _), mut beyond_range) = at(p);
    let mut out: Vec<Option<Float>> = vec![None; lo.len()];
    loop {
        let q = next_precision(p, opts.max_precision);
        let ((hi, doubt), beyond) = at(q);
        beyond_range |= beyond;
        let doubts = vec![doubt; hi.len()];
        for (i, settled) in value_settlement(&lo, &hi, &doubts, beyond_range, opts)
            .into_iter()
            .enumerate()
        {
            if settled && out[i].is_none() {
                out[i] = Some(hi[i].v.clone());
            }
        }
        if out.iter().all(Option::is_some) || q >= opts.max_precision || beyond_range {
            return out;
        }
        lo = hi;
        p = q;
    }
}

/// The precision ladder in one mode.
fn ladder<F: Function>(
    model: &F,
    x: &[f64],
    cols: &[usize],
    opts: &RefOptions,
    m: usize,
    reverse: bool,
) -> Reference {
    let mut p = opts.start_precision.max(64);
    let first = jacobian_at(model, x, cols, p, m, reverse);
    let mut lo = first.rows;
    let mut lo_values = first.values;
    let mut beyond_range = first.beyond_range;
    let mut entries: Vec<Vec<Option<RefEntry>>> = vec![vec![None; cols.len()]; m];
    let mut last_values;
    let mut values_settled;
    loop {
        let q = next_precision(p, opts.max_precision);
        let Evaluation {
            rows: hi,
            values,
            doubt,
            beyond_range: beyond,
        } = jacobian_at(model, x, cols, q, m, reverse);
        values_settled = value_settlement(&lo_values, &values, &doubt, beyond_range | beyond, opts);
        last_values = values;
        // the exponent range does not grow with the precision: past an overflow or an
        // underflow no precision settles, and the loop stops
        beyond_range |= beyond;
        let at_cap = q >= opts.max_precision || beyond_range;
        for i in 0..m {
            for k in 0..cols.len() {
                if entries[i][k].as_ref().is_some_and(|e| e.settled) {
                    continue;
                }
                let h = &hi[i][k].v;
                let agreed = agreement(&lo[i][k].v, h);
                let settled = !doubt[i]
                    && !beyond_range
                    && settles(&lo[i][k], &hi[i][k], agreed, opts.agree_bits);
                if settled || at_cap {
                    entries[i][k] = Some(RefEntry {
                        value: h.clone(),
                        precision: q,
                        agreed_bits: agreed,
                        settled,
                    });
                }
            }
        }
        let done = entries.iter().flatten().all(|e| e.is_some());
        if done || at_cap {
            p = q;
            break;
        }
        lo = hi;
        lo_values = std::mem::take(&mut last_values);
        p = q;
    }
    Reference {
        entries: entries
            .into_iter()
            .map(|r| {
                r.into_iter()
                    .map(|e| e.expect("every entry is set at the cap"))
                    .collect()
            })
            .collect(),
        cols: cols.to_vec(),
        values: last_values.into_iter().map(|v| v.v).collect(),
        values_settled,
        max_precision_used: p,
        exponent_range_exceeded: beyond_range,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_is_the_largest_precision_tried() {
        let ladder = |start: u32, max: u32| {
            let mut v = vec![start];
            while *v.last().unwrap() < max {
                v.push(next_precision(*v.last().unwrap(), max));
            }
            v
        };
        assert_eq!(ladder(256, 4096), [256, 512, 1024, 2048, 4096]);
        assert_eq!(ladder(300, 4096), [300, 600, 1200, 2400, 4096]);
        // a start at or above the cap doubles once
        assert_eq!(next_precision(4096, 4096), 8192);
        assert_eq!(next_precision(5000, 4096), 10000);
    }

    #[test]
    fn agreement_counts_leading_bits() {
        let a = Float::with_val(256, 1.0);
        let b = Float::with_val(256, 1.0) + Float::with_val(256, 2f64.powi(-100));
        assert_eq!(agreement(&a, &a), 256);
        assert!(
            (99..=100).contains(&agreement(&a, &b)),
            "{}",
            agreement(&a, &b)
        );
        let z = Float::with_val(256, 0.0);
        assert_eq!(agreement(&z, &a), 0);
    }

    #[test]
    fn two_precisions_that_disagree_hold_an_entry_whatever_its_bound_says() {
        use crate::num::Bound;
        // 1.1 at 512 bits with a bound that claims 2^-510: determined to 100 bits and
        // far from an f64 rounding boundary
        let value = |p: u32, off: i32| {
            let one = Float::with_val(p, 11) / 10u32;
            let v = Float::with_val(p, &one + Float::with_val(p, Float::i_exp(1, off)));
            Ranged {
                v,
                m: Bound::from_f64(4.0),
            }
        };
        let hi = value(512, -400);
        let agree = |lo: &Ranged| agreement(&lo.v, &hi.v);
        // at 256 bits 2^-400 away: they agree on every bit of the lower precision
        let lo = value(256, -400);
        assert!(agree(&lo) >= 100);
        assert!(settles(&lo, &hi, agree(&lo), 100));
        // 2^-70 away, the same f64, a bound that says nothing against it: 70 bits of
        // agreement are not 100, and the entry waits for the next precision
        let lo = value(256, -70);
        assert_eq!(lo.v.to_f64(), hi.v.to_f64());
        assert!((60..100).contains(&agree(&lo)), "{}", agree(&lo));
        assert!(!settles(&lo, &hi, agree(&lo), 100));
        assert!(settles(&lo, &hi, agree(&lo), 60));
    }

    #[test]
    fn exact_zeros_of_either_sign_settle() {
        use crate::num::Bound;
        let zero = |p: u32, z: f64| Ranged {
            v: Float::with_val(p, z),
            m: Bound::from_f64(0.0),
        };
        for (a, b) in [(0.0, -0.0), (-0.0, 0.0), (0.0, 0.0), (-0.0, -0.0)] {
            let (lo, hi) = (zero(256, a), zero(512, b));
            let agreed = agreement(&lo.v, &hi.v);
            assert_eq!(agreed, 256);
            assert!(settles(&lo, &hi, agreed, 100), "{a} then {b}");
        }
        // a zero against a value that is not zero does not settle
        let one = Ranged {
            v: Float::with_val(512, 1e-300),
            m: Bound::from_f64(0.0),
        };
        let lo = zero(256, 0.0);
        assert!(!settles(&lo, &one, agreement(&lo.v, &one.v), 100));
    }
}
