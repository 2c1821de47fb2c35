//! Accuracy of every method against the reference, per Jacobian entry, with the
//! finite-difference error split into truncation and rounding, and the classic error
//! model of each difference quotient next to the measurement.

use super::method::Method;
use super::reference::{reference_jacobian, RefOptions, Reference};
use crate::ad::{jacobian_forward, jacobian_forward_vector, Dual, StatementTape, Tape};
use crate::fd::{self, FdKind, Stencil};
use crate::num::{bits_err, kinked, Complex, Ranged, Scalar};
use crate::results::{AccuracyRow, FdTheory, ReferenceRow};
use crate::scenario::Scenario;
use rayon::prelude::*;
use rug::Float;
use std::collections::HashMap;

/// The unit roundoff of f64, 2^-53: the relative error of one correctly rounded result.
pub const UNIT_ROUNDOFF: f64 = f64::EPSILON / 2.0;

/// Levels of Ridders' extrapolation (two evaluations each) from an output's first finite
/// level: 30 evaluations when the first step stays in f's domain.
pub const RICHARDSON_LEVELS: usize = 15;

/// Settings of the accuracy measurement.
#[derive(Clone, Debug)]
pub struct AccuracyOptions {
    /// the methods to run, in report order
    pub methods: Vec<Method>,
    /// fewer FD steps (every third step of the sweep)
    pub quick: bool,
    /// the reference loop (its start precision is the scenario's own)
    pub reference: RefOptions,
    /// the most nodes the symbolic method's derivative graph may hold
    /// ([`crate::symbolic::MAX_NODES`] unless `--limit max_symbolic_nodes` says otherwise)
    pub symbolic_nodes: usize,
}

impl Default for AccuracyOptions {
    fn default() -> Self {
        AccuracyOptions {
            methods: Method::ALL.to_vec(),
            quick: false,
            reference: RefOptions::default(),
            symbolic_nodes: crate::symbolic::MAX_NODES,
        }
    }
}

/// What the accuracy measurement of one scenario produces.
#[derive(Clone, Debug)]
pub struct Accuracy {
    /// rows of `accuracy.csv`
    pub rows: Vec<AccuracyRow>,
    /// rows of `reference.csv`
    pub reference: Vec<ReferenceRow>,
    /// FD error model against measurement
    pub theory: Vec<FdTheory>,
    /// the sampled inputs
    pub sampled: Vec<usize>,
    /// notable findings
    pub notes: Vec<String>,
    /// per output, the bits of error of f's own f64 value against the reference's
    pub value_bits: Vec<f64>,
}

/// One estimate before it is compared with the reference.
struct Estimate {
    method: String,
    h: Option<f64>,
    output: usize,
    input: usize,
    value: Option<f64>,
    /// the same quotient in MPFR (FD sweep methods)
    mpfr: Option<Float>,
    /// the method's own estimate of its error and the scale it is judged against
    /// (Ridders' extrapolation: its error estimate, and the larger of its value and the
    /// central difference at its accepted step)
    own_err: Option<(f64, f64)>,
}

/// The steps of the sweep, thinned in quick mode.
pub fn sweep_steps(sc: &Scenario, quick: bool) -> Vec<f64> {
    let all = sc.steps.steps();
    if quick {
        all.into_iter().step_by(3).collect()
    } else {
        all
    }
}

/// f evaluated at x with x_j replaced, cached by the f64 value of x_j.
struct Cache<'a, S> {
    sc: &'a Scenario,
    x: Vec<S>,
    j: usize,
    seen: HashMap<u64, Vec<S>>,
}

impl<'a, S: Scalar> Cache<'a, S> {
    fn new(sc: &'a Scenario, x: Vec<S>, j: usize) -> Self {
        Cache {
            sc,
            x,
            j,
            seen: HashMap::new(),
        }
    }
    fn at(&mut self, xj: f64) -> Vec<S> {
        if let Some(v) = self.seen.get(&xj.to_bits()) {
            return v.clone();
        }
        let v = fd::eval_at(&|p: &[S]| self.sc.eval(p), &self.x, self.j, xj);
        self.seen.insert(xj.to_bits(), v.clone());
        v
    }
}

/// Bits of the reference taken as resolved: the reference settles on 100 agreed bits
/// ([`RefOptions::agree_bits`]), so a truncation error below 2^-100 of it is not
/// resolved by the reference and needs no finer quotient.
const RESOLVED_REF_BITS: u32 = 100;

/// Bits to which the MPFR quotient resolves the errors it splits: f64's 53.
const SPLIT_BITS: u32 = 53;

/// The absolute floor of the MPFR quotient's tolerance, 2^-1075: half the smallest
/// subnormal f64. The truncation and rounding errors are written as f64 numbers, whose
/// finest spacing is 2^-1074, so an error known to within 2^-1075 is known to that
/// spacing, and a finer quotient changes neither figure by more than one step of it.
/// Without a floor, a quotient and a reference that are both exactly 0 have a tolerance
/// of 0, which no rounding bound meets: the central quotient of cos at 0, where cos(h)
/// and cos(-h) are the same MPFR value with a bound, stayed unresolved at every
/// precision up to the cap. With it they resolve at 2048 bits: the bound is of the
/// order of 2^-p |f| / h, below 2^-1075 at p = 2048 where |f| / h is below about 2^970,
/// and at p = 1024 only where |f| / h is below 2^-51. A floor at the quotient's own
/// scale, 2^-100 of one rounding of f over the step (2^-100 u |f| / h), would resolve
/// them at 256 bits, but truncation errors that the split does resolve lie far below
/// it: sigma at 100, central step 1.4e-14, has one of 1.3e-72, 2^-232 of u |f| / h,
/// which such a floor would leave with the error of a 256-bit quotient, up to about
/// 1e-63.
const F64_FLOOR_EXP: i32 = -1075;

/// FD sweep estimates of column j for the given kinds: at every step and at the
/// textbook step, in f64 and, at the same points, in MPFR; and how many MPFR quotients
/// stayed unresolved at `max_prec`.
///
/// The MPFR quotients split the f64 error into truncation (quotient - reference) and
/// rounding (f64 quotient - quotient), so each must resolve the truncation error to 53
/// bits, however much f(x + h) - f(x) cancels (a small step, or a derivative tiny
/// against the function), down to 2^-100 of the larger of the quotient and the
/// reference, which the reference itself does not resolve further, and to 2^-1075,
/// below which the f64 figures cannot tell ([`F64_FLOOR_EXP`]). They are computed over
/// [`Ranged`], MPFR with a bound on each value's rounding error, at `prec`, and the
/// whole column again at twice the precision (up to `max_prec`) while any quotient's
/// bound is above the larger of 2^-53 max(|quotient - reference|, 2^-100 max(|quotient|,
/// |reference|)) and 2^-1075 ([`resolved`]). The bound, not the
/// agreement of two precisions, decides: both precisions can lose the same term (1 -
/// sigmoid(400) is 0 at 256 and at 512 bits), and agreement to 64 bits says nothing of
/// a truncation error far below the quotient. Where the bound is not finite, two
/// successive precisions must agree to the same tolerance.
fn fd_column_estimates(
    sc: &Scenario,
    j: usize,
    kinds: &[FdKind],
    steps: &[f64],
    prec: u32,
    max_prec: u32,
    reference_col: &[Float],
) -> (Vec<Estimate>, usize) {
    let xj = sc.x[j];
    // (method, step reported, stencil) in report order; no stencil for a step that
    // vanished in f64 (reported as h = 0) or whose point overflowed f64 (h = inf)
    let mut runs: Vec<(String, f64, Option<Stencil>)> = Vec::new();
    for &kind in kinds {
        let auto = kind.textbook_step(xj);
        let named = steps
            .iter()
            .map(|&h| (kind.method().to_string(), h))
            .chain(std::iter::once((format!("{}@auto", kind.method()), auto)));
        for (method, h) in named {
            let st = Stencil::new(kind, xj, h);
            let shown = if st.vanished() {
                0.0
            } else if st.overflowed() {
                f64::INFINITY
            } else {
                st.h
            };
            let st = st.usable().then_some(st);
            runs.push((method, shown, st));
        }
    }
    let mut f64s = Cache::new(sc, sc.x.clone(), j);
    let values: Vec<Option<Vec<f64>>> = runs
        .iter()
        .map(|(_, _, st)| {
            st.map(|st| {
                let (hi, lo) = (f64s.at(st.hi), f64s.at(st.lo));
                (0..sc.m).map(|i| st.quotient(&hi[i], &lo[i])).collect()
            })
        })
        .collect();
    // the quotients of every run at precision p (None where the step vanished)
    let quotients = |p: u32| -> Vec<Option<Vec<Ranged>>> {
        let xm: Vec<Ranged> =
            sc.x.iter()
                .map(|&v| Ranged::exact(Float::with_val(p, v)))
                .collect();
        let mut mp = Cache::new(sc, xm, j);
        runs.iter()
            .map(|(_, _, st)| {
                st.map(|st| {
                    let (hi, lo) = (mp.at(st.hi), mp.at(st.lo));
                    (0..sc.m)
                        .map(|i| st.quotient_ranged(&hi[i], &lo[i]))
                        .collect()
                })
            })
            .collect()
    };
    let mut p = prec.max(2);
    let mut mpfr = quotients(p);
    let mut prev: Option<Vec<Option<Vec<Ranged>>>> = None;
    let unresolved = loop {
        let unresolved = mpfr
            .iter()
            .enumerate()
            .filter_map(|(r, q)| Some((r, q.as_ref()?)))
            .map(|(r, q)| {
                let before = prev.as_ref().and_then(|b| b[r].as_ref());
                (0..sc.m)
                    .filter(|&i| !resolved(before.map(|b| &b[i]), &q[i], &reference_col[i]))
                    .count()
            })
            .sum::<usize>();
        if unresolved == 0 || p >= max_prec {
            break unresolved;
        }
        p = (2 * p).min(max_prec);
        prev = Some(std::mem::replace(&mut mpfr, quotients(p)));
    };
    let mut out = Vec::new();
    for (((method, shown, _), value), q) in runs.iter().zip(values).zip(mpfr) {
        for i in 0..sc.m {
            out.push(Estimate {
                method: method.clone(),
                h: Some(*shown),
                output: i,
                input: j,
                value: value.as_ref().map(|v| v[i]),
                mpfr: q.as_ref().map(|q| q[i].v.clone()),
                own_err: None,
            });
        }
    }
    (out, unresolved)
}

/// True when the MPFR quotient `q` resolves the truncation and rounding errors it
/// splits: its error is at most 2^-53 of the larger of |q - r| and 2^-100 max(|q|, |r|),
/// r the reference, or at most 2^-1075 ([`F64_FLOOR_EXP`]). So the truncation error
/// |q - r| is known to 53 bits down to those floors, and the rounding error to the same
/// absolute amount (to 53 bits where it is at least the truncation error). The error is
/// `q`'s bound where that is finite; otherwise (an
/// unknown bound, or a quotient that is not a finite number) the difference from the
/// quotient at the previous precision `before`, which must then exist, and two
/// non-numbers must be the same (NaN twice, or the same infinity). Against a reference
/// that is not finite, every quotient is resolved: the truncation error is then
/// infinite or NaN whatever the quotient.
fn resolved(before: Option<&Ranged>, q: &Ranged, r: &Float) -> bool {
    if !r.is_finite() {
        return true;
    }
    let v = &q.v;
    let p = v.prec();
    let tolerance = || {
        let diff = Float::with_val(p, v - r).abs();
        let mut floor = Float::with_val(p, v.abs_ref()).max(&Float::with_val(p, r.abs_ref()));
        floor >>= RESOLVED_REF_BITS;
        let relative = diff.max(&floor) >> SPLIT_BITS;
        relative.max(&Float::with_val(p, Float::i_exp(1, F64_FLOOR_EXP)))
    };
    if v.is_finite() && q.m.is_finite() {
        // |v - exact| <= m 2^-p
        return q.m.scaled(-i64::from(p)).to_float() <= tolerance();
    }
    match before {
        None => false,
        Some(a) if !v.is_finite() || !a.v.is_finite() => {
            a.v.is_nan() && v.is_nan() || (v.is_infinite() && a.v == *v)
        }
        Some(a) => Float::with_val(p, &a.v - v).abs() <= tolerance(),
    }
}

/// Estimates of one non-sweep method for the sampled columns (all columns for reverse).
fn method_estimates(
    sc: &Scenario,
    method: Method,
    sampled: &[usize],
    opts: &AccuracyOptions,
) -> Vec<Estimate> {
    let name = method.name().to_string();
    let est = |h: Option<f64>, i: usize, j: usize, v: f64| Estimate {
        method: name.clone(),
        h,
        output: i,
        input: j,
        value: Some(v),
        mpfr: None,
        own_err: None,
    };
    // the Jacobian's columns `sampled`, in that order (forward mode), or its rows
    let push_columns = |out: &mut Vec<Estimate>, cols: &[Vec<f64>]| {
        for (&j, col) in sampled.iter().zip(cols) {
            for (i, v) in col.iter().enumerate() {
                out.push(est(None, i, j, *v));
            }
        }
    };
    let push_rows = |out: &mut Vec<Estimate>, rows: &[Vec<f64>]| {
        for (i, row) in rows.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                out.push(est(None, i, j, *v));
            }
        }
    };
    let mut out = Vec::new();
    match method {
        Method::FdRichardson => {
            let f = |p: &[f64]| sc.eval(p);
            for &j in sampled {
                let r = fd::richardson(&f, &sc.x, j, RICHARDSON_LEVELS);
                for (i, v) in r.value.iter().enumerate() {
                    // no step where no estimate was accepted (the value is then NaN)
                    let h = (!v.is_nan()).then_some(r.h[i]);
                    out.push(Estimate {
                        own_err: Some((r.err[i], v.abs().max(r.quotient[i].abs()))),
                        ..est(h, i, j, *v)
                    });
                }
            }
        }
        Method::ComplexStep => {
            let f = |p: &[Complex]| sc.eval(p);
            // an output that is NaN in f64 is outside its domain: there the principal
            // branch continues log and sqrt across the negative axis, and Im f / h is the
            // branch's imaginary part over h (pi / h for log x at x = -2), no derivative
            // of the real function
            let outside: Vec<bool> = sc.eval(&sc.x).iter().map(|y| y.is_nan()).collect();
            for &j in sampled {
                for (i, (v, h)) in fd::complex_step_column(&f, &sc.x, j)
                    .into_iter()
                    .enumerate()
                {
                    let v = if outside[i] { f64::NAN } else { v };
                    out.push(est(Some(h), i, j, v));
                }
            }
        }
        Method::Forward => push_columns(
            &mut out,
            &jacobian_forward(|d: &[Dual<f64>]| sc.eval(d), &sc.x, sampled),
        ),
        Method::ForwardVector => push_columns(
            &mut out,
            &jacobian_forward_vector(|d| sc.eval(d), &sc.x, sampled),
        ),
        Method::Reverse => {
            let tape = Tape::new();
            let xs = tape.vars(&sc.x);
            let ys = sc.eval(&xs);
            push_rows(&mut out, &tape.jacobian(&ys, &xs));
        }
        Method::ReverseStatement => {
            let tape = StatementTape::new();
            let xs = tape.vars(&sc.x);
            let ys = sc.eval(&xs);
            push_rows(&mut out, &tape.jacobian(&ys, &xs));
        }
        Method::Symbolic => {
            // formula scenarios only
            // (no rows where the derivative graph passes its budget: the symbolic check
            // says so in a note)
            if let crate::scenario::Model::Expr(p) = &sc.model {
                let Some(d) = crate::symbolic::differentiate_within(
                    p,
                    crate::symbolic::Sharing::Dag,
                    opts.symbolic_nodes,
                ) else {
                    return out;
                };
                for (i, row) in d.eval(&sc.x).iter().enumerate() {
                    for (j, v) in row.iter().enumerate() {
                        out.push(est(None, i, j, *v));
                    }
                }
            }
        }
        Method::ReverseTensor => {
            // network families only; other scenarios have no rows for this method
            if let Some((_, g)) = sc.model.gradient_tensor(&sc.x) {
                for (j, v) in g.iter().enumerate() {
                    out.push(est(None, 0, j, *v));
                }
            }
        }
        Method::FdForward | Method::FdBackward | Method::FdCentral => {
            unreachable!("sweep methods are handled per column")
        }
    }
    out
}

/// |a - b| in MPFR, rounded to f64.
fn mpfr_abs_diff(a: &Float, b: &Float) -> f64 {
    let p = a.prec().max(b.prec());
    Float::with_val(p, a - b).abs().to_f64()
}

fn to_row(sc: &Scenario, e: Estimate, r: &Reference) -> AccuracyRow {
    let refv = &r.entries[e.output][e.input];
    let reference = refv.to_f64();
    let (abs_err, rel_err, bits) = match e.value {
        None => (None, None, None),
        Some(v) => {
            // a NaN or infinite value or reference is no finite derivative delivered (64
            // bits of error), even where both are the same f64 infinity: the reference
            // may be finite beyond f64's range, or a true infinity that no value equals
            let p = refv.value.prec();
            let diff = (v.is_finite() && refv.value.is_finite())
                .then(|| Float::with_val(p, Float::with_val(p, v) - &refv.value).abs());
            let abs = diff.as_ref().map_or(f64::INFINITY, Float::to_f64);
            // against the full reference, also where it rounds to 0 or to inf in f64
            let rel = match &diff {
                Some(d) if !refv.value.is_zero() => {
                    Float::with_val(p, d / Float::with_val(p, refv.value.abs_ref())).to_f64()
                }
                _ => abs,
            };
            (Some(abs), Some(rel), Some(bits_err(v, reference)))
        }
    };
    let (trunc, round) = match (&e.mpfr, e.value) {
        // |a - b| as IEEE arithmetic has it, in MPFR: inf where one side is infinite or
        // the two are opposite infinities, NaN where both are the same infinity or one is
        // NaN (no difference is defined there)
        (Some(q), Some(v)) => (
            Some(mpfr_abs_diff(q, &refv.value)),
            Some(mpfr_abs_diff(&Float::with_val(q.prec(), v), q)),
        ),
        _ => (None, None),
    };
    AccuracyRow {
        scenario: sc.name.clone(),
        method: e.method,
        h: e.h,
        output: e.output,
        input: e.input,
        value: e.value,
        reference,
        abs_err,
        rel_err,
        bits_err: bits,
        trunc_err: trunc,
        round_err: round,
    }
}

/// Leading bits of |f|, |f''| and |f'''| the error model needs: it takes square and
/// cube roots of them for an optimal step and an error that are estimates, so a few.
const MODEL_BITS: u32 = 8;

/// |f|, |f''| and |f'''| along x_j for every output, by three nested dual numbers over
/// MPFR: x_j + e1 + e2 + e3 carries f' ,f'' and f''' in its mixed coefficients. They
/// run over [`Ranged`] from `prec`, doubling up to `max_prec` while a value is not
/// determined to 8 leading bits by its rounding bound: a value that cancels at one
/// precision (1 - sigmoid(400) is 0 at 256 bits) is taken at the precision that
/// resolves it.
pub fn higher_derivatives(
    sc: &Scenario,
    j: usize,
    prec: u32,
    max_prec: u32,
) -> Vec<(f64, f64, f64)> {
    type D3 = Dual<Dual<Dual<Ranged>>>;
    let mut p = prec.max(2);
    loop {
        let c = |v: f64| Ranged::exact(Float::with_val(p, v));
        let d1 = |v: f64, d: f64| Dual::new(c(v), c(d));
        let x: Vec<D3> =
            sc.x.iter()
                .enumerate()
                .map(|(k, &v)| {
                    let s = if k == j { 1.0 } else { 0.0 };
                    let b0 = Dual::new(d1(v, s), d1(s, 0.0));
                    let b1 = Dual::new(d1(s, 0.0), d1(0.0, 0.0));
                    Dual::new(b0, b1)
                })
                .collect();
        let ys = sc.eval(&x);
        fn parts(y: &D3) -> [&Ranged; 3] {
            [&y.v.v.v, &y.d.d.v, &y.d.d.d]
        }
        let determined = ys
            .iter()
            .all(|y| parts(y).iter().all(|r| r.determined(MODEL_BITS)));
        if determined || p >= max_prec {
            return ys
                .iter()
                .map(|y| {
                    let [f, d2, d3] = parts(y).map(|r| r.v.to_f64().abs());
                    (f, d2, d3)
                })
                .collect();
        }
        p = (2 * p).min(max_prec);
    }
}

/// The classic model: the optimal step and error of a difference quotient given |f|,
/// |f''| and |f'''|, with each evaluation of f rounded to u|f|.
///
/// One-sided: E(h) = |f''| h / 2 + 2u|f| / h, so h* = 2 sqrt(u|f|/|f''|) and
/// E* = 2 sqrt(u |f| |f''|), with the next order of the truncation, |f'''| h^2 / 6,
/// added: it moves the optimum only where |f''| is small against |f'''| h* (by 1.3e-7
/// relatively on the lecture's example, 5.3e-5 at most on the default suite), and where
/// f'' = 0 (sin x + 1 at 0) it alone
/// gives h* = (6u|f|/|f'''|)^(1/3) and E* = 3u|f| / h*, with no jump as f'' goes to 0.
/// Central: E(h) = |f'''| h^2 / 6 + u|f| / h, so h* = (3u|f|/|f'''|)^(1/3) and
/// E* = 3u|f| / (2h*). `None` when the truncation terms vanish (the model then has no
/// optimum: larger steps are better), or the rounding term does (f = 0: smaller steps
/// are better), or |f|, |f''| or |f'''| is not finite (beyond f64's range the model
/// has no f64 figure, and a term left out would not have vanished).
pub fn fd_model(kind: FdKind, f: f64, d2: f64, d3: f64) -> Option<(f64, f64)> {
    let u = UNIT_ROUNDOFF;
    // with f = 0 the rounding term vanishes and the model falls with h down to 0
    if f == 0.0 || !f.is_finite() || !d2.is_finite() || !d3.is_finite() {
        return None;
    }
    // |f'''| h^2 / 6 + c u|f| / h: h* = (3 c u|f| / |f'''|)^(1/3), E* = (3/2) c u|f| / h*,
    // in roots of each factor, so that no intermediate product leaves the f64 range
    let cubic = |c: f64| {
        if d3 == 0.0 {
            return None;
        }
        let (cf, cd) = (f.cbrt(), d3.cbrt());
        let h = (3.0 * c * u).cbrt() * (cf / cd);
        // (3/2) c u|f| / h = (3/2) cbrt(c^2 u^2 |f|^2 |f'''| / 3)
        Some((h, 1.5 * (c * c * u * u / 3.0).cbrt() * cf * (cf * cd)))
    };
    // |f''| h / 2 + 2u|f| / h alone
    let linear = || {
        if d2 == 0.0 {
            return None;
        }
        let (sf, sd) = (f.sqrt(), d2.sqrt());
        Some((2.0 * u.sqrt() * (sf / sd), 2.0 * u.sqrt() * (sf * sd)))
    };
    match kind {
        FdKind::Central => cubic(1.0),
        _ => match (linear(), cubic(2.0)) {
            (None, b) => b,
            (a, None) => a,
            (Some((ha, ea)), Some((hb, eb))) => Some(one_sided_optimum(ha, ea, hb, eb)),
        },
    }
}

/// The optimum of E(h) = |f''| h / 2 + |f'''| h^2 / 6 + 2u|f| / h from those of its two
/// parts: (ha, ea) of |f''| h / 2 + 2u|f| / h and (hb, eb) of |f'''| h^2 / 6 + 2u|f| / h.
/// With C = 2u|f|, E'(h) = 0 is (|f'''| / 3) h^3 + (|f''| / 2) h^2 = C; at h = t m,
/// m = min(ha, hb), that is a t^3 + b t^2 = 1 with a = (m / hb)^3 and b = (m / ha)^2, both
/// at most 1 and one of them 1, whose root lies in [1/2, 1] (the left side is at most
/// 3/8 at 1/2 and at least 1 at 1); bisection finds it. Then
/// E = (C / m) (1 + b t^2 + a t^3 / 2) / t, with C / ha = ea / 2 and C / hb = 2 eb / 3.
fn one_sided_optimum(ha: f64, ea: f64, hb: f64, eb: f64) -> (f64, f64) {
    let (m, c_over_m) = if ha <= hb {
        (ha, ea / 2.0)
    } else {
        (hb, 2.0 * eb / 3.0)
    };
    let (a, b) = ((m / hb).powi(3), (m / ha).powi(2));
    let g = |t: f64| a * t * t * t + b * t * t - 1.0;
    let (mut lo, mut hi) = (0.5f64, 1.0f64);
    for _ in 0..80 {
        let mid = 0.5 * (lo + hi);
        if g(mid) < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let t = 0.5 * (lo + hi);
    (
        t * m,
        c_over_m * (1.0 + b * t * t + a * t * t * t / 2.0) / t,
    )
}

/// For each output, sum_i c_i |dy/dv_i| |v_i| over the elementals of one f64 evaluation
/// at the scenario's point ([`Tape::rounding_weight`]): one recording and one adjoint
/// sweep per output, each from the output's entry down, or `None` where those sweeps
/// together would pass more than [`crate::measure::cost::JACOBIAN_BUDGET`] entries.
pub fn rounding_weights(sc: &Scenario) -> Option<Vec<f64>> {
    let tape: Tape<f64> = Tape::new();
    let xs = tape.vars(&sc.x);
    let ys = sc.eval(&xs);
    let passed: f64 = ys.iter().map(|y| y.index() as f64 + 1.0).sum();
    if passed > crate::measure::cost::JACOBIAN_BUDGET {
        return None;
    }
    Some(ys.iter().map(|y| tape.rounding_weight(y, &xs)).collect())
}

fn theory(
    sc: &Scenario,
    kinds: &[FdKind],
    sampled: &[usize],
    rows: &[AccuracyRow],
    prec: u32,
    max_prec: u32,
) -> Vec<FdTheory> {
    if kinds.is_empty() {
        // no FD method ran: no model to set beside it, and no higher derivatives to pay for
        return Vec::new();
    }
    let per_col: Vec<Vec<(f64, f64, f64)>> = sampled
        .par_iter()
        .map(|&j| higher_derivatives(sc, j, prec, max_prec))
        .collect();
    let weights = rounding_weights(sc);
    // one pass over the rows, by (method, output, input): each entry's best step (the
    // first of equal errors, in the sweep's order) and its first row
    let mut best: HashMap<(&str, usize, usize), (f64, f64)> = HashMap::new();
    let mut first: HashMap<(&str, usize, usize), &AccuracyRow> = HashMap::new();
    for r in rows {
        let key = (r.method.as_str(), r.output, r.input);
        first.entry(key).or_insert(r);
        if let (Some(h), Some(e)) = (r.h, r.abs_err) {
            if h > 0.0 && e.is_finite() {
                let b = best.entry(key).or_insert((h, e));
                if e.total_cmp(&b.1).is_lt() {
                    *b = (h, e);
                }
            }
        }
    }
    let mut out = Vec::new();
    for &kind in kinds {
        let name = kind.method();
        let auto_name = format!("{name}@auto");
        for (k, &j) in sampled.iter().enumerate() {
            for (i, &(f, d2, d3)) in per_col[k].iter().enumerate() {
                let best = best.get(&(name, i, j)).copied();
                let auto = first.get(&(auto_name.as_str(), i, j)).copied();
                let model = fd_model(kind, f, d2, d3);
                let weight = weights.as_ref().map(|w| w[i]).filter(|w| w.is_finite());
                let bounded = weight.and_then(|w| fd_model(kind, w.max(f), d2, d3));
                out.push(FdTheory {
                    method: name.to_string(),
                    output: i,
                    input: j,
                    f_abs: f,
                    d2_abs: d2,
                    d3_abs: d3,
                    predicted_h: model.map(|m| m.0),
                    predicted_err: model.map(|m| m.1),
                    measured_h: best.map(|b| b.0),
                    measured_err: best.map(|b| b.1),
                    auto_h: auto.and_then(|r| r.h),
                    auto_err: auto.and_then(|r| r.abs_err),
                    round_bound: weight.map(|w| UNIT_ROUNDOFF * w),
                    bound_h: bounded.map(|m| m.0),
                    bound_err: bounded.map(|m| m.1),
                });
            }
        }
    }
    out
}

/// A derivative method outside derivbench, measured as its own methods are: `column(j)`
/// returns column j of the Jacobian (d y_i / d x_j for every output i, in order) as the
/// other tool computes it, and each entry of the scenario's sampled columns is compared
/// with the reference, in rows of `accuracy.csv` named `method` and ordered as the
/// forward-mode rows of [`measure_accuracy`]. The reference is the one `run` computes
/// ([`run_reference`]), so that an entry equal to a built-in method's gets the same row.
/// A column of the wrong length is an error naming the column. To measure several tools
/// on one scenario, compute the reference once and use [`measure_external_against`].
///
/// ```
/// use derivbench::ad::{seeded, Dual};
/// use derivbench::measure::accuracy::measure_external;
/// use derivbench::measure::reference::RefOptions;
/// use derivbench::scenario::Lecture;
///
/// let sc = Lecture::scenario();
/// // forward mode, one tangent per column, standing for another tool
/// let column = |j: usize| -> Vec<f64> {
///     sc.eval(&seeded(&sc.x, j)).iter().map(|y: &Dual<f64>| y.d).collect()
/// };
/// let rows = measure_external(&sc, "my-tool", &RefOptions::default(), column).unwrap();
/// assert_eq!(rows.len(), 2); // one output, two inputs
/// assert!(rows.iter().all(|r| r.bits_err.unwrap() <= 1.0));
/// ```
pub fn measure_external(
    sc: &Scenario,
    method: &str,
    opts: &RefOptions,
    column: impl FnMut(usize) -> Vec<f64>,
) -> Result<Vec<AccuracyRow>, String> {
    measure_external_against(sc, &run_reference(sc, opts), method, column)
}

/// The bits of error of f(x) in f64 against the reference's values, per output: the
/// Jacobian's ladder stops when its entries settle, so a value it left unsettled (a term
/// absorbed at every precision it reached, (x + 1e200) - 1e200) is taken from a ladder of
/// the values alone ([`crate::measure::reference::reference_values`]); empty, no figure,
/// when a value settles at no precision up to the cap.
fn value_bits(
    sc: &Scenario,
    reference: &Reference,
    opts: &RefOptions,
    part: &dyn Fn(&'static str),
) -> Vec<f64> {
    let settled: Vec<Option<Float>> = if reference.values_settled.iter().all(|&s| s) {
        reference.values.iter().cloned().map(Some).collect()
    } else {
        part("values");
        let ropts = RefOptions {
            start_precision: sc.precision,
            ..*opts
        };
        let alone = crate::measure::reference::reference_values(&sc.model, &sc.x, &ropts);
        reference
            .values
            .iter()
            .zip(&reference.values_settled)
            .zip(alone)
            .map(|((v, &ok), a)| if ok { Some(v.clone()) } else { a })
            .collect()
    };
    if settled.iter().any(Option::is_none) {
        return Vec::new();
    }
    sc.eval(&sc.x)
        .iter()
        .zip(settled.into_iter().flatten())
        .map(|(v, r)| bits_err(*v, r.to_f64()))
        .collect()
}

/// The reference Jacobian that `run` computes for a scenario: every column, from the
/// scenario's own precision (its `reference.precision`) with `opts`' other settings (so
/// `opts.start_precision` is not used).
pub fn run_reference(sc: &Scenario, opts: &RefOptions) -> Reference {
    let all: Vec<usize> = (0..sc.n()).collect();
    let ropts = RefOptions {
        start_precision: sc.precision,
        ..*opts
    };
    reference_jacobian(&sc.model, &sc.x, &all, &ropts)
}

/// [`measure_external`] against a reference computed once ([`run_reference`]), which
/// must hold every column of the scenario's Jacobian.
pub fn measure_external_against(
    sc: &Scenario,
    reference: &Reference,
    method: &str,
    mut column: impl FnMut(usize) -> Vec<f64>,
) -> Result<Vec<AccuracyRow>, String> {
    holds_every_column(sc, reference)?;
    let mut est = Vec::new();
    for j in sc.sampled_inputs() {
        let col = column(j);
        if col.len() != sc.m {
            return Err(format!(
                "{}: column {j} of {method} has {}, where the scenario has {}",
                sc.name,
                crate::check::plural(col.len(), "entry", "entries"),
                crate::check::plural(sc.m, "output", "outputs")
            ));
        }
        est.extend(col.into_iter().enumerate().map(|(i, v)| (i, j, v)));
    }
    Ok(external_rows(sc, reference, method, est))
}

/// [`measure_external_against`] for a tool that delivers the Jacobian by rows, as reverse
/// mode does: `row(i)` returns the gradient of output i (d y_i / d x_j for every input j,
/// in order), and its entries in the scenario's sampled columns are measured, the same
/// entries as by columns. A row of the wrong length is an error naming the row.
pub fn measure_external_rows_against(
    sc: &Scenario,
    reference: &Reference,
    method: &str,
    mut row: impl FnMut(usize) -> Vec<f64>,
) -> Result<Vec<AccuracyRow>, String> {
    holds_every_column(sc, reference)?;
    let sampled = sc.sampled_inputs();
    let mut est = Vec::new();
    for i in 0..sc.m {
        let r = row(i);
        if r.len() != sc.n() {
            return Err(format!(
                "{}: row {i} of {method} has {}, where the scenario has {}",
                sc.name,
                crate::check::plural(r.len(), "entry", "entries"),
                crate::check::plural(sc.n(), "input", "inputs")
            ));
        }
        est.extend(sampled.iter().map(|&j| (i, j, r[j])));
    }
    Ok(external_rows(sc, reference, method, est))
}

/// An error unless `reference` holds every column of the scenario's Jacobian, as
/// [`run_reference`] computes it.
fn holds_every_column(sc: &Scenario, reference: &Reference) -> Result<(), String> {
    if reference.cols.len() != sc.n()
        || reference.cols.iter().enumerate().any(|(k, &j)| k != j)
        || reference.entries.len() != sc.m
    {
        return Err(format!(
            "{}: the reference does not hold every column of the {} x {} Jacobian",
            sc.name,
            sc.m,
            sc.n()
        ));
    }
    Ok(())
}

/// Another tool's entries (output, input, value) as rows of `accuracy.csv`, in the
/// order of the forward-mode rows.
fn external_rows(
    sc: &Scenario,
    reference: &Reference,
    method: &str,
    mut entries: Vec<(usize, usize, f64)>,
) -> Vec<AccuracyRow> {
    entries.sort_by_key(|&(i, j, _)| (i, j));
    entries
        .into_iter()
        .map(|(output, input, v)| {
            let e = Estimate {
                method: method.to_string(),
                h: None,
                output,
                input,
                value: Some(v),
                mpfr: None,
                own_err: None,
            };
            to_row(sc, e, reference)
        })
        .collect()
}

/// Measures every method on one scenario.
pub fn measure_accuracy(sc: &Scenario, opts: &AccuracyOptions) -> Accuracy {
    measure_accuracy_with(sc, opts, &|_| {})
}

/// [`measure_accuracy`], with `part` called as each part of the measurement starts, for a
/// progress display: `"reference"`, `"FD sweeps"` (the difference quotients over the
/// steps), `"other methods"` (AD, Richardson, the complex step, symbolic), `"FD model"`
/// (with an FD method), with the symbolic method on a formula, `"symbolic check"`, and
/// `"values"` where the function's values need precisions of their own.
pub fn measure_accuracy_with(
    sc: &Scenario,
    opts: &AccuracyOptions,
    part: &dyn Fn(&'static str),
) -> Accuracy {
    part("reference");
    let reference = run_reference(sc, &opts.reference);
    // the FD quotients in MPFR and the higher derivatives of the error model start at
    // the scenario's precision and double until they are resolved
    // (`fd_column_estimates`, `higher_derivatives`)
    let prec = sc.precision;
    let max_prec = opts.reference.max_precision.max(prec);
    let sampled = sc.sampled_inputs();
    let kinds: Vec<FdKind> = opts.methods.iter().filter_map(|m| m.fd_kind()).collect();
    let steps = sweep_steps(sc, opts.quick);

    // FD sweeps: one task per sampled column; other methods: one task each
    let fd_cols: Vec<(Vec<Estimate>, usize)> = if kinds.is_empty() {
        Vec::new()
    } else {
        part("FD sweeps");
        sampled
            .par_iter()
            .map(|&j| {
                let col: Vec<Float> = reference
                    .entries
                    .iter()
                    .map(|row| row[j].value.clone())
                    .collect();
                fd_column_estimates(sc, j, &kinds, &steps, prec, max_prec, &col)
            })
            .collect()
    };
    let unresolved: usize = fd_cols.iter().map(|(_, u)| u).sum();
    let fd_cols: Vec<Vec<Estimate>> = fd_cols.into_iter().map(|(e, _)| e).collect();
    if opts.methods.iter().any(|m| m.fd_kind().is_none()) {
        part("other methods");
    }
    let others: Vec<(Method, Vec<Estimate>)> = opts
        .methods
        .par_iter()
        .filter(|m| m.fd_kind().is_none())
        .map(|&m| (m, method_estimates(sc, m, &sampled, opts)))
        .collect();

    // gather in a fixed order: method, step (sweep order, then @auto), output, input
    let mut rows = Vec::new();
    let mut fd_cols: Vec<std::vec::IntoIter<Estimate>> =
        fd_cols.into_iter().map(|v| v.into_iter()).collect();
    let mut fd_by_method: Vec<Vec<Vec<Estimate>>> = Vec::new(); // [kind][col] -> estimates
    for _ in &kinds {
        let per_col: Vec<Vec<Estimate>> = fd_cols
            .iter_mut()
            .map(|it| it.by_ref().take((steps.len() + 1) * sc.m).collect())
            .collect();
        fd_by_method.push(per_col);
    }
    let unconverged = richardson_unconverged(&others);
    let mut others = others.into_iter();
    let mut fd_k = 0;
    for &m in &opts.methods {
        if m.fd_kind().is_some() {
            let per_col = std::mem::take(&mut fd_by_method[fd_k]);
            fd_k += 1;
            // per_col[col] is ordered step-major, output-minor; interleave the columns
            let mut iters: Vec<_> = per_col.into_iter().map(|v| v.into_iter()).collect();
            for _step in 0..=steps.len() {
                let mut block: Vec<Estimate> = Vec::new();
                for it in iters.iter_mut() {
                    block.extend(it.by_ref().take(sc.m));
                }
                block.sort_by_key(|e| (e.output, e.input));
                rows.extend(block.into_iter().map(|e| to_row(sc, e, &reference)));
            }
        } else {
            let (_, est) = others
                .next()
                .expect("one estimate list per non-sweep method");
            let mut est = est;
            if !matches!(
                m,
                Method::Reverse
                    | Method::ReverseStatement
                    | Method::ReverseTensor
                    | Method::Symbolic
            ) {
                est.sort_by_key(|e| (e.output, e.input));
            }
            rows.extend(est.into_iter().map(|e| to_row(sc, e, &reference)));
        }
    }

    if !kinds.is_empty() {
        part("FD model");
    }
    let theory = theory(sc, &kinds, &sampled, &rows, prec, max_prec);
    let refrows = reference_rows(sc, &reference);
    let mut notes = notes(sc, &rows, &reference);
    notes.extend(unconverged);
    if unresolved > 0 {
        notes.push(format!(
            "unresolved: {unresolved} FD quotients in MPFR do not resolve their truncation error to 53 bits (down to 2^-100 of the larger of the quotient and the reference, and to 2^-1075) at {max_prec} bits: trunc_err and round_err of those rows are uncertain"
        ));
    }
    if opts.methods.contains(&Method::Symbolic)
        && matches!(sc.model, crate::scenario::Model::Expr(_))
    {
        part("symbolic check");
        if let Some(n) = symbolic_check(sc, &reference, opts.symbolic_nodes) {
            notes.push(n);
        }
    }
    let value_bits = value_bits(sc, &reference, &opts.reference, part);
    Accuracy {
        rows,
        reference: refrows,
        theory,
        sampled,
        notes,
        value_bits,
    }
}

/// The symbolic derivatives evaluated in MPFR at the reference's precision, against the
/// reference: an independent check of the reference (formula scenarios).
fn symbolic_check(sc: &Scenario, r: &Reference, max: usize) -> Option<String> {
    let crate::scenario::Model::Expr(p) = &sc.model else {
        return None;
    };
    let prec = r.max_precision_used;
    let Some(d) = crate::symbolic::differentiate_within(p, crate::symbolic::Sharing::Dag, max)
    else {
        return Some(format!(
            "symbolic: not measured: the derivative graph passes {max} nodes (the outputs \
             times the program each reaches; raise with --limit max_symbolic_nodes=N); the \
             other methods are"
        ));
    };
    let x: Vec<Float> = sc.x.iter().map(|&v| Float::with_val(prec, v)).collect();
    let vals = d.eval(&x);
    // the worst agreement over the reference's finite entries; an infinite or NaN
    // entry has no leading bits to agree on: the same value there is counted apart
    let mut worst = u32::MAX;
    let mut equal_nonfinite = 0usize;
    for (i, row) in r.entries.iter().enumerate() {
        for (k, e) in row.iter().enumerate() {
            let s = &vals[i][r.cols[k]];
            let bits = super::reference::agreement(s, &e.value);
            if !e.value.is_finite() && bits > 0 {
                equal_nonfinite += 1;
            } else {
                worst = worst.min(bits);
            }
        }
    }
    let head = format!("symbolic: the symbolic derivatives evaluated in MPFR at {prec} bits");
    let apart = match equal_nonfinite {
        0 => String::new(),
        1 => "; they equal the reference's one infinite or NaN entry".to_string(),
        k => format!("; they equal the reference's {k} infinite or NaN entries"),
    };
    Some(match worst {
        0 => format!("{head} differ from the reference in the leading bit of some entry"),
        u32::MAX => format!(
            "{head} have no finite entry of the reference to compare with{apart}"
        ),
        w => format!(
            "{head} agree with the reference on at least {w} leading bits of each finite entry{apart}"
        ),
    })
}

fn reference_rows(sc: &Scenario, r: &Reference) -> Vec<ReferenceRow> {
    let mut out = Vec::new();
    for (i, row) in r.entries.iter().enumerate() {
        for (k, e) in row.iter().enumerate() {
            out.push(ReferenceRow {
                scenario: sc.name.clone(),
                output: i,
                input: r.cols[k],
                reference: e.to_f64(),
                precision_bits: e.precision,
                agreed_bits: e.agreed_bits,
                digits: e.digits(40),
                settled: e.settled,
            });
        }
    }
    out
}

fn notes(sc: &Scenario, rows: &[AccuracyRow], r: &Reference) -> Vec<String> {
    let mut notes = Vec::new();
    // the methods (each once, in report order) with a step of the sweep reported as h
    let with_step = |h: f64| -> Vec<&str> {
        let mut v: Vec<&str> = Vec::new();
        for r in rows.iter().filter(|r| r.h == Some(h)) {
            if !v.contains(&r.method.as_str()) {
                v.push(&r.method);
            }
        }
        v
    };
    let vanished = with_step(0.0);
    if !vanished.is_empty() {
        notes.push(format!(
            "the step sweep went below the spacing of x: some steps vanish in f64 (x + h, or x - h, rounds to x) for {}",
            vanished.join(", ")
        ));
    }
    let overflowed = with_step(f64::INFINITY);
    if !overflowed.is_empty() {
        notes.push(format!(
            "the step sweep went beyond f64: x + h or x - h overflows for some steps of {} (no figure at those steps)",
            overflowed.join(", ")
        ));
    }
    let unsettled = r.entries.iter().flatten().filter(|e| !e.settled).count();
    if unsettled > 0 {
        notes.push(format!(
            "unsettled: {unsettled} reference entries did not settle by {} bits",
            r.max_precision_used
        ));
    }
    if r.exponent_range_exceeded {
        notes.push(
            "unsettled: the reference overflowed or underflowed MPFR's exponent range (2^±1073741823), which no precision widens, or gave sin, cos or tan an argument beyond 2^16384, too large to reduce (NaN there): its values can be wrong by any amount (exp(1e200) is inf there, exp(-1e200) 0), and none of its entries settles from there on"
                .to_string(),
        );
    }
    // counted as `reference.csv` gives them, in f64 (as `check` counts them too); some
    // may be finite in MPFR and beyond f64's range
    let nonfinite_ref = r
        .entries
        .iter()
        .flatten()
        .filter(|e| !e.value.to_f64().is_finite())
        .collect::<Vec<_>>();
    if !nonfinite_ref.is_empty() {
        let beyond = nonfinite_ref.iter().filter(|e| e.value.is_finite()).count();
        notes.push(format!(
            "nonfinite: {} reference entries are not finite in f64 (NaN or infinite){}",
            nonfinite_ref.len(),
            if beyond > 0 {
                format!(", {beyond} of them finite in MPFR and beyond f64's range")
            } else {
                String::new()
            }
        ));
    }
    // per method, in report order: how many, and where the first is
    let mut nonfinite: Vec<(&str, usize, &AccuracyRow)> = Vec::new();
    for r in rows
        .iter()
        .filter(|r| r.value.is_some_and(|v| !v.is_finite()))
    {
        match nonfinite.iter_mut().find(|(m, _, _)| *m == r.method) {
            Some((_, k, _)) => *k += 1,
            None => nonfinite.push((r.method.as_str(), 1, r)),
        }
    }
    if !nonfinite.is_empty() {
        let each: Vec<String> = nonfinite
            .iter()
            .map(|(m, k, r)| {
                let at = r.h.map_or(String::new(), |h| format!(" with h = {h:e}"));
                format!(
                    "{m} ({k} {} entry (output {}, input {}){at})",
                    if *k == 1 {
                        "value, at"
                    } else {
                        "values, the first at"
                    },
                    r.output,
                    r.input
                )
            })
            .collect();
        notes.push(format!(
            "nonfinite: NaN or infinite derivatives from {}",
            each.join(", ")
        ));
    }
    // the function itself, in f64 and in MPFR: where it is not finite, the derivatives
    // mean something else (a NaN outside the domain: the rules' formal values; an f64
    // overflow: the quotients of inf are not finite, the derivative need not be)
    let fx = sc.eval(&sc.x);
    // 0: NaN in MPFR too; 1: infinite in MPFR too; 2: finite in MPFR; 3: not finite in
    // MPFR either, whose evaluation left its exponent range (inf - inf or 0 * inf from an
    // overflow tells nothing of the domain or of a pole)
    let class = |v: &Float| {
        if !v.is_finite() && r.exponent_range_exceeded {
            3
        } else if v.is_nan() {
            0
        } else if v.is_infinite() {
            1
        } else {
            2
        }
    };
    let mut outputs: [Vec<String>; 4] = Default::default();
    for (i, (f, v)) in fx.iter().zip(&r.values).enumerate() {
        if !f.is_finite() {
            outputs[class(v)].push(format!("{i} ({f})"));
        }
    }
    for (k, why) in [
        "is NaN in f64 and in MPFR, outside its domain: forward, reverse and the reference give the formal derivative that the elementals' rules compute there, the complex step NaN",
        "is infinite in f64 and in MPFR (a pole): its derivatives there are not finite or formal",
        "overflows f64 (it is finite in MPFR): its difference quotients are not finite, while its derivative may be",
        "is not finite in f64 nor in MPFR, whose evaluation overflowed or underflowed MPFR's exponent range (or gave sin, cos or tan an argument beyond 2^16384), which tells nothing of the function's domain or poles: the reference is unsettled",
    ]
    .iter()
    .enumerate()
    {
        if !outputs[k].is_empty() {
            notes.push(format!(
                "nonfinite: at the point the function {why} (outputs {})",
                outputs[k].join(", ")
            ));
        }
    }
    // an exact tie of min/max or an |u| of exactly 0, evaluated exactly: at the precision
    // the reference went to (at least 256 bits), where what the reference decided exactly
    // is exact too (max(x + 1e-100, 2 - x + 1e-100) at x = 1 ties exactly only from 386
    // bits on; at 256 its bounds leave it open)
    let prec = r.max_precision_used.max(KINK_PRECISION);
    let (_, kink) = kinked(|| {
        let xf: Vec<Ranged> =
            sc.x.iter()
                .map(|&v| Ranged::exact(Float::with_val(prec, v)))
                .collect();
        sc.eval(&xf)
    });
    if kink {
        notes.push(KINK_NOTE.to_string());
    }
    notes
}

/// Ridders' extrapolation is taken as converged where its own error estimate is at most
/// this fraction of the larger of its value and the central difference at its accepted
/// step.
pub const RICHARDSON_CONVERGED: f64 = 1e-6;

/// A note naming the Ridders estimates whose own error estimate is not small against
/// their scale, the larger of the value and the central difference at the accepted step
/// (the extrapolation did not converge: its first step, 0.1 max(1, |x_j|), can span many
/// periods of the function, sin x at x = 1e8), with the worst of them. The quotient
/// keeps a derivative of 0 out (x^3 at 0 extrapolates to -1.2e-18 with an estimate of
/// 1.2e-18, from quotients of h^2, 5.1e-3 at h = 0.1/1.4); unlike the first quotient it
/// is finite (the accepted estimate was extrapolated from it) and of the scale of the
/// estimate (exp(1000 x - 1000) at 1: 1.3e44 at the first step).
fn richardson_unconverged(others: &[(Method, Vec<Estimate>)]) -> Option<String> {
    let est = &others.iter().find(|(m, _)| *m == Method::FdRichardson)?.1;
    let finite = est.iter().filter(|e| e.value.is_some_and(f64::is_finite));
    let mut poor: Vec<(f64, &Estimate)> = finite
        .filter_map(|e| {
            let (err, scale) = e.own_err?;
            let converged = err <= RICHARDSON_CONVERGED * scale;
            // the error relative to the scale (inf for a scale of 0 with an error)
            (!converged).then_some((err / scale, e))
        })
        .collect();
    let total = est.len();
    // the worst first, ties in report order (output, then input)
    poor.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then((a.1.output, a.1.input).cmp(&(b.1.output, b.1.input)))
    });
    let (_, w) = poor.first()?;
    Some(format!(
        "unconverged: fd-richardson's own error estimate is above {RICHARDSON_CONVERGED:e} of the larger of its value and the central difference at its accepted step for {} of {total} entries (worst: output {}, input {}, value {:e}, estimate {:e}): its extrapolation did not converge there, and its first step, 0.1 max(1, |x_j|), may be large against the scale on which the function varies",
        poor.len(),
        w.output,
        w.input,
        w.value.unwrap_or(f64::NAN),
        w.own_err.map_or(f64::NAN, |(err, _)| err),
    ))
}

/// The least precision of the evaluation that looks for kinks met exactly.
const KINK_PRECISION: u32 = 256;

/// The note of a scenario evaluated at a kink.
pub const KINK_NOTE: &str = "kink: at the point a min or max takes two equal arguments, or an |u| an argument of exactly 0, where the function may have no derivative: forward, reverse, the complex step and the reference give the rules' one-sided slope (a tie takes the left argument, |u| has slope 0 at 0), and a difference quotient straddles the kink, so that its error is measured against that convention";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::num::Bound;
    use crate::scenario::Lecture;

    #[test]
    fn a_quotient_is_resolved_when_its_bound_is_2_to_the_minus_53_of_its_truncation() {
        // against r = 1, a quotient 1 + 2^-10 at 64 bits: its truncation error 2^-10 is
        // resolved to SPLIT_BITS = 53 bits once its rounding bound is at most 2^-63
        let p = 64;
        let r = Float::with_val(p, 1);
        let q = |bound: f64| Ranged {
            v: Float::with_val(p, 1) + Float::with_val(p, Float::i_exp(1, -10)),
            // |v - exact| <= m 2^-64
            m: Bound::from_f64(bound),
        };
        assert!(resolved(None, &q(0.0), &r));
        assert!(resolved(None, &q(2.0), &r), "2^-63: at the limit");
        assert!(!resolved(None, &q(2.5), &r), "above 2^-63");
        // 2^-54, resolved to 44 bits only: not enough
        assert!(!resolved(None, &q(1024.0), &r));
        // an unknown bound: the quotient at the previous precision decides
        assert!(!resolved(None, &q(f64::INFINITY), &r));
        // (1 + 2^-10 + 2^-63 is the next 64-bit value above 1 + 2^-10)
        let before = |d: i32| Ranged::exact(q(0.0).v + Float::with_val(p, Float::i_exp(1, d)));
        assert_ne!(before(-63).v, q(0.0).v);
        assert!(
            resolved(Some(&before(-63)), &q(f64::INFINITY), &r),
            "2^-63: at the limit"
        );
        assert!(!resolved(Some(&before(-62)), &q(f64::INFINITY), &r));
    }

    #[test]
    fn the_symbolic_check_says_when_it_differs_in_the_leading_bit_and_counts_infinities_apart() {
        let note = |output: &str, x: f64| {
            let text = format!(
                "name = \"s\"\ninputs = [{{ name = \"x\", value = {x:?} }}]\noutputs = [{output:?}]\n"
            );
            let (sc, _) = crate::scenario::file::load_str(
                std::path::Path::new("s.toml"),
                &text,
                &crate::scenario::file::Limits::default(),
            )
            .unwrap();
            let opts = AccuracyOptions {
                methods: vec![Method::Symbolic],
                quick: true,
                ..AccuracyOptions::default()
            };
            let acc = measure_accuracy(&sc, &opts);
            acc.notes
                .into_iter()
                .find(|n| n.starts_with("symbolic:"))
                .expect("a symbolic note")
        };
        // d/dx sqrt(x x) at 0: the symbolic 0 * inf against the reference's guarded 0
        let n = note("sqrt(x*x)", 0.0);
        assert!(
            n.contains("differ from the reference in the leading bit"),
            "{n}"
        );
        let n = note("sin(x) * x", 1.5);
        assert!(n.contains("agree with the reference on at least"), "{n}");
        assert!(!n.contains("infinite"), "{n}");
        // an infinite entry equal in both has no leading bits to agree on
        let n = note("sqrt(x)", 0.0);
        assert!(
            n.ends_with("have no finite entry of the reference to compare with; they equal the reference's one infinite or NaN entry"),
            "{n}"
        );
        assert!(!n.contains("agree"), "{n}");
    }

    #[test]
    fn model_optimum_minimises_the_model() {
        let (f, d2, d3) = (2.0, 3.0, 5.0);
        let (h, e) = fd_model(FdKind::Forward, f, d2, d3).unwrap();
        let u = UNIT_ROUNDOFF;
        let err = |h: f64| d2 * h / 2.0 + d3 * h * h / 6.0 + 2.0 * u * f / h;
        assert!((err(h) - e).abs() <= 1e-12 * e);
        assert!(err(h * 1.01) > e && err(h * 0.99) > e);
        // where both truncation terms count: f'' small against f''' h
        for (d2, d3) in [(1e-6, 1.0), (1e-9, 1e3), (1.0, 1e12)] {
            let (h, e) = fd_model(FdKind::Forward, f, d2, d3).unwrap();
            let err = |h: f64| d2 * h / 2.0 + d3 * h * h / 6.0 + 2.0 * u * f / h;
            assert!((err(h) - e).abs() <= 1e-12 * e, "{d2} {d3}");
            assert!(err(h * 1.001) > e && err(h * 0.999) > e, "{d2} {d3}");
        }
        let (hc, ec) = fd_model(FdKind::Central, f, d2, d3).unwrap();
        let errc = |h: f64| d3 * h * h / 6.0 + u * f / h;
        assert!((errc(hc) - ec).abs() <= 1e-12 * ec);
        assert!(errc(hc * 1.01) > ec && errc(hc * 0.99) > ec);
        assert_eq!(fd_model(FdKind::Central, 1.0, 1.0, 0.0), None);
        // f'' = 0: the one-sided quotient's truncation is |f'''| h^2 / 6
        for kind in [FdKind::Forward, FdKind::Backward] {
            let (h1, e1) = fd_model(kind, f, 0.0, d3).unwrap();
            let err1 = |h: f64| d3 * h * h / 6.0 + 2.0 * u * f / h;
            assert!((err1(h1) - e1).abs() <= 1e-12 * e1);
            assert!(err1(h1 * 1.01) > e1 && err1(h1 * 0.99) > e1);
            assert_eq!(fd_model(kind, f, 0.0, 0.0), None);
        }
    }

    #[test]
    fn model_has_no_optimum_where_f_vanishes() {
        // f(x) = 0 (sin at 0): the rounding term u|f|/h is 0, so the model's error
        // falls with h all the way down, like the quadratic's without truncation
        for kind in FdKind::ALL {
            assert_eq!(fd_model(kind, 0.0, 1.0, 1.0), None, "{kind:?}");
            assert_eq!(fd_model(kind, f64::NAN, 1.0, 1.0), None, "{kind:?}");
            assert_eq!(fd_model(kind, f64::INFINITY, 1.0, 1.0), None, "{kind:?}");
            // an f'' or f''' beyond f64's range has not vanished: no f64 figure
            for (d2, d3) in [(f64::INFINITY, 1.0), (1.0, f64::INFINITY), (f64::NAN, 1.0)] {
                assert_eq!(fd_model(kind, 1.0, d2, d3), None, "{kind:?} {d2} {d3}");
            }
        }
        // far from 1, u|f| / |f''| and the like leave the f64 range although the
        // optimum does not (mpmath at 300 bits, bisecting E'(h) = 0 of the one-sided
        // model with both truncation terms, rounded to f64)
        let want = [
            (
                1e-300,
                1e300,
                2.1073424255447013e-308,
                2.1073424255447017e-08,
            ),
            (
                1e-300,
                1e300,
                6.931764956787642e-206,
                2.402468270807459e-111,
            ),
            // here |f'''| h^2 / 6 outweighs |f''| h / 2 near the classic optimum, 2.1e292:
            // the optimum is the cubic's
            (1e300, 1e-300, 8.733476581980377e+194, 3.813680660399982e+89),
            (
                1e300,
                1e-300,
                6.931764956787643e+194,
                2.4024682708074593e+89,
            ),
        ];
        for (k, (f, d, h, e)) in want.into_iter().enumerate() {
            let kind = [FdKind::Forward, FdKind::Central][k % 2];
            let (mh, me) = fd_model(kind, f, d, d).unwrap();
            assert!(crate::num::bits_err(mh, h) <= 2.0, "{kind:?} h {mh} {h}");
            assert!(crate::num::bits_err(me, e) <= 2.0, "{kind:?} err {me} {e}");
        }
    }

    #[test]
    fn higher_derivatives_of_x_cubed() {
        let sc = Scenario::new(
            "cube",
            "",
            crate::scenario::Model::Product(crate::scenario::Product),
            vec![2.0, 3.0, 5.0],
            vec!["a".into(), "b".into(), "c".into()],
        );
        // f = abc: f along a is linear
        let d = higher_derivatives(&sc, 0, 128, 128);
        assert_eq!(d[0], (30.0, 0.0, 0.0));
        let _ = Lecture;
    }
}
