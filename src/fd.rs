//! Finite differences: forward, backward and central quotients, the textbook steps,
//! Ridders' extrapolation and the complex step.
//!
//! The step actually used is the one the floating-point grid allows: for x + h computed
//! in f64, h_used = (x + h) - x (exact by Sterbenz's lemma when x + h is within a factor
//! of two of x: for steps up to |x| at x >= 0, up to |x| / 2 at x < 0; beyond, it is
//! rounded like any difference). The central stencil forms its step on |x|'s side,
//! s = (|x| + h) - |x|, so that its points x + s and x - s are both exact and
//! symmetric about x at either sign. The quotients divide by the difference of the
//! perturbed points, which is what the f64 program really differenced. The same quotient evaluated in MPFR at the same f64
//! points, with that difference taken exactly ([`Stencil::quotient_ranged`]), isolates
//! truncation from rounding.

use crate::num::{Complex, Ranged, Scalar};

/// A difference quotient.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum FdKind {
    /// (f(x+h) - f(x)) / h
    Forward,
    /// (f(x) - f(x-h)) / h
    Backward,
    /// (f(x+h) - f(x-h)) / 2h
    Central,
}

impl FdKind {
    /// All three, in report order.
    pub const ALL: [FdKind; 3] = [FdKind::Forward, FdKind::Backward, FdKind::Central];

    /// The method name in reports.
    pub fn method(self) -> &'static str {
        match self {
            FdKind::Forward => "fd-forward",
            FdKind::Backward => "fd-backward",
            FdKind::Central => "fd-central",
        }
    }

    /// Order of the truncation error in h.
    pub fn order(self) -> i32 {
        match self {
            FdKind::Central => 2,
            _ => 1,
        }
    }

    /// The textbook step: sqrt(eps)*max(1,|x|) one-sided, cbrt(eps)*max(1,|x|) central.
    pub fn textbook_step(self, x: f64) -> f64 {
        let scale = x.abs().max(1.0);
        match self {
            FdKind::Central => f64::EPSILON.cbrt() * scale,
            _ => f64::EPSILON.sqrt() * scale,
        }
    }
}

/// The f64 points at which a quotient evaluates f along component x, and the step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stencil {
    /// the kind of quotient
    pub kind: FdKind,
    /// the upper point (x + h, or x for backward)
    pub hi: f64,
    /// the lower point (x for forward, x - h otherwise)
    pub lo: f64,
    /// the step actually used, (x + h) - x in f64 (for backward, x - (x - h))
    pub h: f64,
}

impl Stencil {
    /// The stencil of `kind` at x with nominal step h (h > 0).
    pub fn new(kind: FdKind, x: f64, h: f64) -> Stencil {
        let up = (x + h) - x;
        let down = x - (x - h);
        match kind {
            FdKind::Forward => Stencil {
                kind,
                hi: x + up,
                lo: x,
                h: up,
            },
            FdKind::Backward => Stencil {
                kind,
                hi: x,
                lo: x - down,
                h: down,
            },
            // the step formed on |x|'s side, (|x| + h) - |x|: x + s and x - s are then
            // both exact, and the stencil symmetric, at negative x too, where x - up
            // rounds when x + h enters a finer binade (x = -1, h = 1e-5)
            FdKind::Central => {
                let a = x.abs();
                let s = (a + h) - a;
                Stencil {
                    kind,
                    hi: x + s,
                    lo: x - s,
                    h: s,
                }
            }
        }
    }

    /// True when the step vanished in f64 (x + h == x).
    pub fn vanished(&self) -> bool {
        self.hi == self.lo
    }

    /// True when an f64 program can evaluate the quotient: the step neither vanished
    /// nor took a point beyond f64.
    pub fn usable(&self) -> bool {
        !self.vanished() && !self.overflowed()
    }

    /// True when a point of the stencil overflowed f64 (x + h or x - h is infinite, for
    /// a step of the order of f64::MAX): no f64 program can evaluate f there.
    pub fn overflowed(&self) -> bool {
        !(self.hi.is_finite() && self.lo.is_finite())
    }

    /// The quotient (f_hi - f_lo) / (hi - lo) from the two function values, evaluated
    /// in the scalar of the values with hi - lo in f64, as an f64 program computes it:
    /// exact, since hi - lo is the step itself (forward, backward) or twice it
    /// (central), unless that overflows.
    pub fn quotient<S: Scalar>(&self, f_hi: &S, f_lo: &S) -> S {
        f_hi.sub(f_lo).div_f(self.hi - self.lo)
    }

    /// The quotient in MPFR over [`Ranged`], with the denominator hi - lo taken at the
    /// values' precision (exact for any two f64 points that are not hundreds of binades
    /// apart): the difference quotient at the stencil's points with no rounding of the
    /// step, whose distance to the derivative is all truncation, and a bound on its
    /// rounding error, from the bounds of the two values and the roundings of the
    /// difference, the denominator and the division.
    pub fn quotient_ranged(&self, f_hi: &Ranged, f_lo: &Ranged) -> Ranged {
        let p = f_hi.v.prec().max(f_lo.v.prec());
        let point = |x: f64| Ranged::exact(rug::Float::with_val(p, x));
        f_hi.sub(f_lo).div(&point(self.hi).sub(&point(self.lo)))
    }
}

/// Evaluates f with component `j` of `x` replaced by `xj`, in the scalar of `x`.
pub fn eval_at<S: Scalar>(f: &impl Fn(&[S]) -> Vec<S>, x: &[S], j: usize, xj: f64) -> Vec<S> {
    let mut p = x.to_vec();
    p[j] = x[j].cst(xj);
    f(&p)
}

/// The column j of the Jacobian by the difference quotient on `stencil`, over any
/// scalar (f64 for the method itself, MPFR for its truncation part).
pub fn fd_column<S: Scalar>(
    f: &impl Fn(&[S]) -> Vec<S>,
    x: &[S],
    j: usize,
    st: &Stencil,
) -> Vec<S> {
    let hi = eval_at(f, x, j, st.hi);
    let lo = eval_at(f, x, j, st.lo);
    hi.iter().zip(&lo).map(|(a, b)| st.quotient(a, b)).collect()
}

/// Result of Ridders' extrapolation for one component.
#[derive(Clone, Debug)]
pub struct Richardson {
    /// the extrapolated column (one entry per output)
    pub value: Vec<f64>,
    /// per output, the step of the central difference that produced the accepted
    /// estimate
    pub h: Vec<f64>,
    /// per output, the error estimate of the accepted entry (infinite when no level
    /// gave a finite estimate)
    pub err: Vec<f64>,
    /// function evaluations used
    pub evals: usize,
    /// per output, the central difference at the step of the accepted estimate (`h`):
    /// the scale of the quotients the estimate was extrapolated from
    pub quotient: Vec<f64>,
}

/// Ridders' method (Numerical Recipes' `dfridr`): central differences at steps
/// h0, h0/c, h0/c^2, ... extrapolated to h = 0 in a Neville table; stops when the
/// error estimate grows by more than `SAFE` over the best seen, or after `max_levels`
/// levels (2 evaluations each). h0 = 0.1 * max(1, |x|).
///
/// Every output is its own `dfridr` on the shared evaluations: it keeps its own best
/// estimate, error and stopping point, and the levels continue while an output has not
/// stopped. An entry that is not finite (f is NaN or infinite at x + h or x - h, a large
/// step having left the domain) has no error estimate: it is never accepted, and it does
/// not stop the extrapolation. An output's table starts at its first finite level and
/// runs `max_levels` levels from there: sqrt at x = 1e-3 is NaN at the first 14 steps
/// (down to 1.3e-3), so its extrapolation starts at the 15th. An output that is not
/// finite at x itself is not waited for, and none is waited for below the textbook
/// central step; one evaluation at x is spent when the first level has an entry that
/// is not finite.
pub fn richardson(
    f: &impl Fn(&[f64]) -> Vec<f64>,
    x: &[f64],
    j: usize,
    max_levels: usize,
) -> Richardson {
    const CON: f64 = 1.4;
    const CON2: f64 = CON * CON;
    const SAFE: f64 = 2.0;
    let max_levels = max_levels.max(2);
    let mut h = 0.1 * x[j].abs().max(1.0);
    let floor = FdKind::Central.textbook_step(x[j]);
    let mut evals = 0;
    let central = |h: f64, evals: &mut usize| {
        let st = Stencil::new(FdKind::Central, x[j], h);
        *evals += 2;
        (fd_column(f, x, j, &st), st.h)
    };
    // a[i][k]: Neville table, each entry a column over outputs; an entry built from a
    // level that is not finite for an output is not finite either, so each output's
    // table in effect starts at its first finite level
    let mut a: Vec<Vec<Vec<f64>>> = Vec::with_capacity(max_levels);
    let (c0, h0) = central(h, &mut evals);
    let m = c0.len();
    // per output, the level its table starts at (its first finite level)
    let mut start: Vec<Option<usize>> = c0.iter().map(|c| c.is_finite().then_some(0)).collect();
    let mut stopped = vec![false; m];
    if start.iter().any(Option::is_none) {
        // an output not finite at x has no derivative to wait for
        let fx = f(x);
        evals += 1;
        for (s, y) in stopped.iter_mut().zip(&fx) {
            *s |= !y.is_finite();
        }
    }
    a.push(vec![c0.clone()]);
    let mut quotient = c0.clone();
    let mut best = c0;
    let mut best_h = vec![h0; m];
    let mut err = vec![f64::INFINITY; m];
    let mut i = 0;
    while stopped.iter().any(|s| !s) {
        i += 1;
        h /= CON;
        let (ci, hi) = central(h, &mut evals);
        for o in 0..m {
            if start[o].is_none() && ci[o].is_finite() {
                start[o] = Some(i);
            }
        }
        let mut row = vec![ci];
        let mut fac = CON2;
        for k in 1..=i {
            let prev_same = &row[k - 1];
            let prev_up = &a[i - 1][k - 1];
            let next: Vec<f64> = prev_same
                .iter()
                .zip(prev_up)
                .map(|(p, q)| (p * fac - q) / (fac - 1.0))
                .collect();
            fac *= CON2;
            for o in 0..m {
                if stopped[o] {
                    continue;
                }
                let errt = (next[o] - prev_same[o])
                    .abs()
                    .max((next[o] - prev_up[o]).abs());
                // a NaN anywhere makes errt NaN (f64::max would drop it), never accepted
                let errt = if next[o].is_finite() && errt.is_finite() {
                    errt
                } else {
                    f64::NAN
                };
                if errt <= err[o] {
                    err[o] = errt;
                    best[o] = next[o];
                    best_h[o] = hi;
                    quotient[o] = row[0][o];
                }
            }
            row.push(next);
        }
        for o in 0..m {
            let jump = (row[i][o] - a[i - 1][i - 1][o]).abs();
            stopped[o] |= match start[o] {
                Some(s) => jump >= SAFE * err[o] || i + 1 - s >= max_levels,
                None => h < floor,
            };
        }
        a.push(row);
    }
    Richardson {
        value: best,
        h: best_h,
        err,
        evals,
        quotient,
    }
}

/// The complex-step derivative Im f(x + i h e_j) / h, for every output.
pub fn complex_step(
    f: &impl Fn(&[Complex]) -> Vec<Complex>,
    x: &[f64],
    j: usize,
    h: f64,
) -> Vec<f64> {
    let p: Vec<Complex> = x
        .iter()
        .enumerate()
        .map(|(k, &v)| Complex::new(v, if k == j { h } else { 0.0 }))
        .collect();
    f(&p).iter().map(|z| z.im / h).collect()
}

/// The complex step used: the power of two at or below 1e-50 sqrt(max(1, |x|)) (2^-167 =
/// 5.3e-51 for |x| <= 1). It balances the two ways the step fails. Truncation,
/// h^2 |f'''/f'| / 6 against rounding, needs h small on the scale of f's variation,
/// which is 1 for sin x or exp(x - c) wherever x is: a step that grew as 1e-50 |x| lost
/// 16 bits on sin x at x = 1e45. Underflow of the imaginary parts h f' needs h large
/// where f' is small, and slopes shrink with x (1/x, 1/x^2 for atan): a fixed step of
/// 2^-167 loses d/dx atan x = 2.5e-309 at 2e154 to 0. With the square root, sin x is
/// exact up to |x| ~ 4e84 and h f' stays normal for slopes down to 1/x^2 and ~4e-258 at
/// |x| <= 1 (docs/methods.md). A power of two makes the division Im f / h exact, so
/// that it adds no rounding to those of f's evaluation: with 1e-50 max(1, |x|) itself,
/// d/dx x^2 at 936 came out 1871.9999999999998.
pub fn complex_step_size(x: f64) -> f64 {
    // finite for every finite x: sqrt(f64::MAX) = 1.3e154
    power_of_two_at_or_below(1e-50 * x.abs().max(1.0).sqrt())
}

/// The step 1e-50 max(1, |x|) as a power of two: the complex step's second try where
/// an output's imaginary part underflowed at [`complex_step_size`].
pub fn complex_step_wide(x: f64) -> f64 {
    power_of_two_at_or_below(1e-50 * x.abs().max(1.0))
}

/// A positive normal number (or infinity) with its mantissa's bits cleared: the power of
/// two at or below it (infinity stays infinite).
fn power_of_two_at_or_below(h: f64) -> f64 {
    f64::from_bits(h.to_bits() & 0xfff0_0000_0000_0000)
}

/// The complex-step derivatives of every output in the direction e_j, each with the step
/// it used: [`complex_step_size`], and for an output whose imaginary part h f' came out
/// subnormal or 0 there (its slope below about 2.2e-308 / h), the wider step of
/// [`complex_step_wide`] where that one's derivative lies within the first's resolution
/// (2^-1074 / h, twice): the wider step can only add the bits the first lost to
/// underflow, and where it disagrees beyond them its truncation, h^2 |f'''| / 6, is
/// larger than that loss (a slope of 3e-320 from (x - c)^3 at 1e-160 from c, with
/// f''' = 6), and the first stands. d/dx x^-3 at 1e75 (-3e-300): the first step gives
/// 14 bits of error, the wide one none.
pub fn complex_step_column(
    f: &impl Fn(&[Complex]) -> Vec<Complex>,
    x: &[f64],
    j: usize,
) -> Vec<(f64, f64)> {
    let h = complex_step_size(x[j]);
    let first: Vec<(f64, f64)> = complex_step(f, x, j, h)
        .into_iter()
        .map(|d| (d, h))
        .collect();
    let underflowed = |d: f64| (d * h).abs() < f64::MIN_POSITIVE;
    let wide = complex_step_wide(x[j]);
    if wide <= h || !first.iter().any(|&(d, _)| underflowed(d)) {
        return first;
    }
    let resolution = 2.0 * (f64::from_bits(1) / h);
    let second = complex_step(f, x, j, wide);
    first
        .into_iter()
        .zip(second)
        .map(|((d, h), d2)| {
            let refines = underflowed(d) && d2 != d && (d2 - d).abs() <= resolution;
            if refines {
                (d2, wide)
            } else {
                (d, h)
            }
        })
        .collect()
}

/// Steps of a sweep from `from` down to `to` with `per_decade` steps per decade: the
/// powers 10^(e - k / per_decade) with e = log10(from), k = 0, 1, ... while the step is
/// at least `to`, where an e within 1e-9 of a multiple of 1/per_decade is taken as that
/// multiple (the f64 0.1 starts at exactly 10^-1), and so is a distance from `from` to
/// `to` within 1e-9 of a whole number of steps (the last step can then be below `to` by
/// a relative 2.3e-9 at most), each evaluated in MPFR and correctly rounded to f64, so that every run and
/// machine gets the same f64 steps (a libm's `powf` and `log10` may round differently
/// in the last bit), and a decade is the f64 nearest its power of ten (`1e-16`). Empty
/// where there is no such step: `from` below `to`, or either of them not a positive
/// finite number (scenario files refuse these sweeps with a position).
pub fn step_sweep(from: f64, to: f64, per_decade: u32) -> Vec<f64> {
    use rug::Float;
    let Some((a, count, per)) = sweep_grid(from, to, per_decade) else {
        return Vec::new();
    };
    (0..=count)
        .map(|k| {
            let e = Float::with_val(GRID_BITS, &a - k) / per;
            Float::with_val(GRID_BITS, Float::with_val(GRID_BITS, 10).pow(&e)).to_f64()
        })
        .collect()
}

/// The number of steps [`step_sweep`] gives, without computing them.
pub fn step_count(from: f64, to: f64, per_decade: u32) -> u64 {
    sweep_grid(from, to, per_decade).map_or(0, |(_, count, _)| count as u64 + 1)
}

/// The MPFR precision of the sweep's grid.
const GRID_BITS: u32 = 256;

/// The grid of a sweep: log10(from) * per (or its integer, within 1e-9), the index of
/// the last step and the steps per decade; `None` where the sweep is empty.
fn sweep_grid(from: f64, to: f64, per_decade: u32) -> Option<(rug::Float, i64, u32)> {
    use rug::Float;
    const P: u32 = GRID_BITS;
    let positive = |x: f64| x.is_finite() && x > 0.0;
    if !positive(from) || !positive(to) || from < to {
        return None;
    }
    let per = per_decade.max(1);
    // log10(x) * per, or its integer when it lies that close to one
    let grid = |x: f64| -> Float {
        let e = Float::with_val(P, Float::with_val(P, x).log10() * per);
        let r = e.to_f64().round();
        if (e.to_f64() - r).abs() < 1e-9 {
            Float::with_val(P, r)
        } else {
            e
        }
    };
    let (a, b) = (grid(from), grid(to));
    // the last step is the smallest of the grid at or above `to`: to itself when it is
    // on the grid, and the step a whole number of grid steps below `from` when `to` is
    // that far within the same 1e-9 (0.7 to 0.007: the f64 nearest 0.7 x 10^-2 for the
    // f64 0.7, 0.006999999999999999, 2 ulps below the f64 0.007)
    let distance = Float::with_val(P, &a - &b).to_f64();
    let whole = distance.round();
    let count = if (distance - whole).abs() < 1e-9 {
        whole
    } else {
        distance.floor()
    } as i64;
    Some((a, count.max(0), per))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_actually_used_is_representable() {
        let st = Stencil::new(FdKind::Forward, 1.5, 1e-5);
        assert_eq!(st.hi - st.lo, st.h);
        assert_ne!(st.h, 1e-5);
        assert_eq!((1.5 + st.h) - 1.5, st.h);
        let v = Stencil::new(FdKind::Forward, 1.5, 1e-17);
        assert!(v.vanished());
        assert_eq!(v.h, 0.0);
        assert!(!st.overflowed() && !v.overflowed());
    }

    #[test]
    fn each_stencil_takes_its_steps_as_f64_forms_them_and_central_is_symmetric() {
        // at x = 1 the step up, (1 + h) - 1, and the step down, 1 - (1 - h), differ
        let (x, h) = (1.0, 1e-5);
        let (up, down) = (1.000_000_000_006_551_2e-5, 9.999_999_999_954_49e-6);
        assert_eq!(((x + h) - x, x - (x - h)), (up, down));
        let c = Stencil::new(FdKind::Central, x, h);
        assert_eq!((c.hi, c.lo, c.h), (x + up, x - up, up));
        assert_eq!(
            c.hi - x,
            x - c.lo,
            "the central stencil is symmetric about x"
        );
        // and at negative x, where x + h enters a finer binade (and x - ((x + h) - x)
        // would round): the step is formed on |x|'s side
        for (x, h) in [
            (-1.0, 1e-5),
            (-1024.0, 0.1),
            (-1.0000001, 1e-5),
            (-0.75, 1e-3),
        ] {
            let c = Stencil::new(FdKind::Central, x, h);
            assert_eq!(c.hi - x, x - c.lo, "symmetric at x = {x}, h = {h}");
            assert_eq!(c.hi - x, c.h, "x = {x}, h = {h}");
            let m = Stencil::new(FdKind::Central, -x, h);
            assert_eq!(
                (c.hi, c.lo, c.h),
                (-m.lo, -m.hi, m.h),
                "mirrored at x = {x}"
            );
        }
        let f = Stencil::new(FdKind::Forward, x, h);
        assert_eq!((f.hi, f.lo, f.h), (x + up, x, up));
        let b = Stencil::new(FdKind::Backward, x, h);
        assert_eq!((b.hi, b.lo, b.h), (x, x - down, down));
    }

    #[test]
    fn a_step_beyond_f64_overflows_and_does_not_vanish() {
        // 1.7e308 + 1e307 > f64::MAX: forward and central reach +inf; backward does not
        for (kind, over) in [
            (FdKind::Forward, true),
            (FdKind::Central, true),
            (FdKind::Backward, false),
        ] {
            let st = Stencil::new(kind, 1.7e308, 1e307);
            assert_eq!(st.overflowed(), over, "{kind:?}: {st:?}");
            assert_eq!(st.usable(), !over, "{kind:?}");
            assert!(!st.vanished(), "{kind:?}");
        }
        assert!(Stencil::new(FdKind::Backward, -1.7e308, 1e307).overflowed());
    }

    #[test]
    fn exact_quotient_takes_the_distance_between_the_points_exactly() {
        // a step larger than |x| across 0, at negative x: the step formed on x's side,
        // x - ((x + h) - x), would make hi - lo round in f64 (1.6103120899717722, 2^-53
        // above the true distance); formed on |x|'s side it is 2 s, exactly
        let (x, h) = (-0.2600896669038415, 0.805156044985886);
        let up = (x + h) - x;
        assert_ne!(((x + up) - (x - up)), 2.0 * up);
        let st = Stencil::new(FdKind::Central, x, h);
        let point = |x: f64| Ranged::exact(rug::Float::with_val(256, x));
        let (hi, lo) = (point(st.hi), point(st.lo));
        let exact = rug::Float::with_val(256, &hi.v - &lo.v);
        assert_eq!(exact, st.hi - st.lo);
        assert_eq!(st.hi - st.lo, 2.0 * st.h);
        // f = x: the exact quotient and the f64 one are exactly 1
        assert_eq!(st.quotient_ranged(&hi, &lo).v, 1.0);
        assert_eq!(st.quotient(&hi.v, &lo.v), 1.0);
        assert_eq!(st.quotient(&st.hi, &st.lo), 1.0);
        // points whose f64 distance rounds (the ones formed on x's side): the MPFR
        // quotient still takes their exact distance, so f = x gives exactly 1 there,
        // where the f64-denominator quotient does not
        let skew = Stencil {
            kind: FdKind::Central,
            hi: x + up,
            lo: x - up,
            h: up,
        };
        let (hi, lo) = (point(skew.hi), point(skew.lo));
        assert_ne!(rug::Float::with_val(256, &hi.v - &lo.v), skew.hi - skew.lo);
        assert_eq!(skew.quotient_ranged(&hi, &lo).v, 1.0);
        assert_ne!(skew.quotient(&hi.v, &lo.v), 1.0);
        // where the points are close, both agree
        let near = Stencil::new(FdKind::Central, 1.5, 1e-3);
        let (hi, lo) = (point(near.hi), point(near.lo));
        assert_eq!(
            near.quotient_ranged(&hi, &lo).v,
            near.quotient(&hi.v, &lo.v)
        );
    }

    #[test]
    fn textbook_steps() {
        assert_eq!(FdKind::Forward.textbook_step(0.5), f64::EPSILON.sqrt());
        assert_eq!(
            FdKind::Central.textbook_step(-4.0),
            4.0 * f64::EPSILON.cbrt()
        );
    }

    #[test]
    fn forward_quotient_of_a_square_is_2x_plus_h() {
        let f = |x: &[f64]| vec![x[0] * x[0]];
        let st = Stencil::new(FdKind::Forward, 1.0, 0.25);
        // exact in f64: ((1.25)^2 - 1) / 0.25 = 2.25
        assert_eq!(fd_column(&f, &[1.0], 0, &st), vec![2.25]);
        let c = Stencil::new(FdKind::Central, 1.0, 0.25);
        assert_eq!(fd_column(&f, &[1.0], 0, &c), vec![2.0]);
    }

    #[test]
    fn the_complex_step_is_a_power_of_two_and_divides_exactly() {
        // the power of two at or below 1e-50 sqrt(max(1, |x|)): 2^-167 = 5.3e-51 up to
        // |x| = 1 (2^-166 = 1.07e-50 is above 1e-50), then one binade of h per two of x
        assert_eq!(complex_step_size(0.0), 2f64.powi(-167));
        assert_eq!(complex_step_size(-1.0), 2f64.powi(-167));
        assert_eq!(complex_step_size(0.75), 2f64.powi(-167));
        assert_eq!(complex_step_size(1.1), 2f64.powi(-167));
        assert_eq!(complex_step_size(1.2), 2f64.powi(-166));
        assert_eq!(complex_step_size(-4.0), 2f64.powi(-166));
        assert_eq!(complex_step_size(936.0), 2f64.powi(-162));
        assert_eq!(complex_step_size(1e300), 2f64.powi(332));
        assert_eq!(complex_step_size(f64::MAX), 2f64.powi(345));
        assert_eq!(complex_step_size(f64::INFINITY), f64::INFINITY);
        // sum of squares: Im (x_j + ih)^2 = 2 x_j h is exact for a power of two h, and so
        // is its division by h: the gradient 2 x_j to the bit (with the step
        // 1e-50 max(1, |x|) itself, 1871.9999999999998 at 936)
        let x = [3.0, 936.0, 1000.0, 1.5, -7.25, 0.1];
        let f = |p: &[Complex]| crate::scenario::SumOfSquares.eval(p);
        for j in 0..x.len() {
            let d = complex_step(&f, &x, j, complex_step_size(x[j]));
            assert_eq!(d[0].to_bits(), (2.0 * x[j]).to_bits(), "x_{j} = {}", x[j]);
        }
    }

    #[test]
    fn the_wide_complex_step_takes_over_only_within_the_first_steps_resolution() {
        // 1e-275 x + b (x - 1e20)^3 at x = 1e20, b = 1e-210 / 6: the slope 1e-275 makes
        // h f' subnormal at the first step (2^-133: 9.2e-316, 2^-1074 / h = 5.4e-284 to
        // the slope), whose truncation b h^2 = 1.4e-291 is below that; at the wide step
        // (2^-100) the truncation is 1.0e-271, far beyond it, and the first step stands
        let b = 1e-210 / 6.0;
        let f = |p: &[Complex]| vec![p[0].mul_f(1e-275).add(&p[0].sub_f(1e20).powi(3).mul_f(b))];
        let x = [1e20];
        let h = complex_step_size(x[0]);
        assert!(complex_step_wide(x[0]) > h);
        let [(d, used)] = complex_step_column(&f, &x, 0)[..] else {
            panic!("one output")
        };
        assert_eq!(used, h);
        assert!((d - 1e-275).abs() <= f64::from_bits(1) / h, "{d:e}");
        // x^-3 at 1e75: -3e-300 underflows h f' at the first step (2^-84: 1.6e-325, 0);
        // the wide step's derivative is within the first's resolution and takes over
        let inv_cube = |p: &[Complex]| vec![p[0].powi(-3)];
        let x = [1e75];
        let [(d, used)] = complex_step_column(&inv_cube, &x, 0)[..] else {
            panic!("one output")
        };
        assert_eq!(used, complex_step_wide(x[0]));
        assert!(
            crate::num::bits_err(d, -3.000000000000001e-300) <= 1.0,
            "{d:e}"
        );
    }

    #[test]
    fn sweep_is_decades() {
        let s = step_sweep(1e-1, 1e-16, 1);
        assert_eq!(s.len(), 16);
        assert_eq!(s[0], 0.1);
        assert_eq!(s[15], 1e-16);
        // every decade is the correctly rounded power of ten (the parsed literal)
        for (k, h) in s.iter().enumerate() {
            assert_eq!(*h, format!("1e-{}", k + 1).parse::<f64>().unwrap(), "{k}");
        }
        // half decades: 10^(-k/2) rounded to f64, by mpmath at 400 bits
        // (`float(mpmath.power(10, -mpf(k)/2))`, k = 2..6)
        assert_eq!(
            step_sweep(1e-1, 1e-3, 2),
            [0.1, 0.03162277660168379, 0.01, 0.0031622776601683794, 0.001]
        );
        // a `to` off the grid: the sweep stops at the last step above it
        assert_eq!(step_sweep(1e-1, 2.5e-3, 1), [0.1, 0.01]);
        assert_eq!(step_sweep(1e-1, 9.9e-3, 1), [0.1, 0.01]);
        assert_eq!(step_sweep(1e-1, 1.01e-2, 1), [0.1]);
        // one step where from is to; none where from is below to or either is not a
        // positive finite number
        assert_eq!(step_sweep(1e-3, 1e-3, 4), [1e-3]);
        let none: [f64; 0] = [];
        assert_eq!(step_sweep(1e-3, 1e-1, 1), none);
        for bad in [0.0, -1e-3, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(step_sweep(bad, 1e-3, 1), none, "from {bad}");
            assert_eq!(step_sweep(1e-1, bad, 1), none, "to {bad}");
        }
        // a `from` off the decades: its multiples by powers of ten
        assert_eq!(step_sweep(0.3, 0.003, 1), [0.3, 0.03, 0.003]);
        // from and to two decades apart within 1e-9, though not by their f64 values
        // (2 - 6e-17 decades): the last step is the f64 nearest 0.7 x 10^-2 for the f64
        // 0.7, just below 0.007; 0.007 (1 + 1.6e-11) is 7e-12 decades short of two, still
        // on the grid, and 0.007 (1 + 1e-8), 4e-9 short, is off it
        assert_eq!(
            step_sweep(0.7, 0.007, 1),
            [0.7, 0.06999999999999999, 0.006999999999999999]
        );
        assert_eq!(step_sweep(0.7, 0.007 * (1.0 + 1.6e-11), 1).len(), 3);
        assert_eq!(step_sweep(0.7, 0.007 * (1.0 + 1e-8), 1).len(), 2);
    }

    #[test]
    fn richardson_on_exp_is_near_exact() {
        let f = |x: &[f64]| vec![x[0].exp()];
        let r = richardson(&f, &[1.0], 0, 15);
        let want = 1f64.exp();
        // 4.1 bits from e rounded to f64 (17 ulps), within the method's own estimate
        assert!(crate::num::bits_err(r.value[0], want) <= 5.0, "{r:?}");
        assert!((r.value[0] - want).abs() <= r.err[0], "{r:?}");
        // accepted at the 5th level, the step 0.1 divided 4 times by 1.4 as f64 takes
        // it at x = 1, after 6 levels of 2 evaluations
        let h = Stencil::new(FdKind::Central, 1.0, 0.1 / 1.4 / 1.4 / 1.4 / 1.4).h;
        assert_eq!(r.h[0], h, "{r:?}");
        assert_eq!(r.evals, 12, "{r:?}");
    }

    #[test]
    fn richardson_starts_where_the_large_steps_leave_the_domain() {
        // sqrt at 0.05: the first steps (0.1, 0.071, 0.051) reach below 0, where sqrt
        // is NaN; the extrapolation must not accept those levels. Oracle: mpmath at
        // 200 bits, 1 / (2 sqrt(0.05)) with 0.05 the f64 value, rounded to f64.
        let want = [2.23606797749979, 1.0512710963760241];
        let f = |x: &[f64]| vec![x[0].sqrt(), x[0].exp()];
        let r = richardson(&f, &[0.05], 0, 15);
        // 1.6 and 4.3 bits
        for (v, w, bits) in [(r.value[0], want[0], 2.0), (r.value[1], want[1], 5.0)] {
            assert!(crate::num::bits_err(v, w) <= bits, "{v} against {w}: {r:?}");
        }
        // sqrt's table starts at the 4th level (0.1 / 1.4^3 = 0.036 < 0.05) and runs at
        // most 15 levels from there, and one evaluation is spent at x
        assert!(r.evals <= 2 * (3 + 15) + 1, "{r:?}");
        assert_eq!(r.evals, 37, "{r:?}");
        // the second output alone gets the same accuracy as beside the first
        let alone = richardson(&|x: &[f64]| vec![x[0].exp()], &[0.05], 0, 15);
        assert_eq!(alone.value[0], r.value[1], "{alone:?}");
    }

    #[test]
    fn richardson_runs_its_levels_from_an_outputs_first_finite_level() {
        // sqrt at 1e-3: h0 = 0.1 and the 13 levels below it (down to 1.3e-3) reach
        // below 0, so within 15 levels from h0 only one estimate would be finite and
        // nothing extrapolated (NaN). Oracle: mpmath at 200 bits, 1 / (2 sqrt(1e-3))
        // with 1e-3 the f64 value, rounded to f64.
        let want = 15.811388300841896;
        let f = |x: &[f64]| vec![x[0].sqrt()];
        let r = richardson(&f, &[1e-3], 0, 15);
        // 6.8 bits: the table starts at a step of 1.3e-3, near the edge of the domain
        assert!(crate::num::bits_err(r.value[0], want) <= 7.5, "{r:?}");
        assert!(r.err[0].is_finite(), "{r:?}");
        // 14 levels before the table starts, 15 from there, and one evaluation at x
        assert!(r.evals <= 59, "{r:?}");
        // an output NaN at x itself does not shrink the start of the others
        let g = |x: &[f64]| vec![x[0].exp(), (x[0] - 1.0).sqrt()];
        let both = richardson(&g, &[0.5], 0, 15);
        let alone = richardson(&|x: &[f64]| vec![x[0].exp()], &[0.5], 0, 15);
        assert_eq!(both.value[0], alone.value[0]);
        assert_eq!(both.h[0], alone.h[0]);
        assert!(both.value[1].is_nan() && both.err[1] == f64::INFINITY);
    }
}
