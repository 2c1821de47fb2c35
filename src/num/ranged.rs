//! MPFR with a running rounding bound: the scalar of the reference, which tells a
//! derivative that is determined at its precision from one lost below it.
//!
//! Agreement between two precisions cannot see a term that both absorb: in
//! (t + tiny) - t with tiny below 2^-2p t, precisions p and 2p both return 0 and agree
//! exactly, while the derivative is tiny. [`Ranged`] carries beside each MPFR value `v`
//! a first-order bound `m` on its rounding error in units of 2^-p (Wilkinson's running
//! error analysis: every operation whose rounding was inexact, by MPFR's ternary value,
//! adds |result|, and every operation passes on its arguments' bounds times its partial
//! derivatives), so that |v - exact| <= m 2^-p to first order. The reference accepts an
//! entry only when |v| is large against m 2^-p ([`Ranged::determined`]); the sum above
//! has m about 2t and is refused until the precision resolves tiny. A structural zero
//! (nothing summed into it) and a cancellation of exactly computed terms (1 - 1) have
//! m = 0 and are exact.
//!
//! The bound is a [`Bound`]: f64's digits with a wide exponent, so that it keeps its
//! size where values leave f64's range (a cancellation of terms of 1e600 has a bound of
//! 1e600 units, not an infinite one, and one of terms of 2^-3000 not a zero one).
//!
//! First order is not enough where a slope is flat at the value and the error is
//! large: at 256 bits (x + 1e200) - 1e200 is 0 with m ~ 1e200, and the slope of cos
//! at 0 is 0, so cos of it would seem exact. Each operation therefore passes a bound on
//! through the largest slope within the value's radius m 2^-p, a product adds the
//! product of the two errors, a quotient and a power take the denominator and the base
//! at the edge of their interval nearest 0, and where an interval reaches a pole the
//! bound is [`Bound::VAST`]: finite, so the value is not determined. A value that is
//! not a finite number is taken as it is (agreement decides), and so is its bound:
//! unknown (infinite). A finite value computed through it, or through a partial that
//! is not finite, has an unknown bound too, and is not determined. An operation that
//! decides on which side of its pole or domain edge its argument lies (log, sqrt, 1/u,
//! a negative power, tan, a quotient, a power's base and a negative base's integer
//! exponent) raises a doubt where the bound leaves that open ([`doubted`]).
//!
//! MPFR's own exponent range is wide but bounded, and no precision widens it: an
//! operation whose result leaves it (exp(1e200) = inf, exp(-1e200) = 0) is wrong by
//! more than any bound says, the same way at every precision. Each operation on a
//! [`Ranged`] value reads MPFR's overflow and underflow flags, and
//! [`beyond_exponent_range`] tells whether any did; the reference settles nothing
//! evaluated past one.

use super::{Binary, Scalar, Unary};
use gmp_mpfr_sys::mpfr;
use rug::float::Round;
use rug::ops::{AssignRound, Pow};
use rug::Float;
use std::cell::Cell;
use std::cmp::Ordering;

/// A nonnegative bound mant 2^exp: f64's 53 bits with an exponent of 64, so that a bound
/// keeps its size where values leave f64's range (a cancellation of terms of 1e600 has
/// a bound of 1e600 units, not an infinite one), without the allocation of an MPFR
/// number per operation. Infinite means unknown.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bound {
    /// in [0.5, 1), or 0 (with exp 0), or infinite (with exp 0)
    mant: f64,
    exp: i64,
}

impl Bound {
    /// No rounding error: an exact value.
    pub const ZERO: Bound = Bound { mant: 0.0, exp: 0 };
    /// An unknown bound (a partial that is not finite).
    pub const UNKNOWN: Bound = Bound {
        mant: f64::INFINITY,
        exp: 0,
    };

    /// |mant| 2^exp, normalised; NaN is unknown.
    fn new(mant: f64, exp: i64) -> Bound {
        let a = mant.abs();
        if a.is_nan() || a.is_infinite() {
            return Bound::UNKNOWN;
        }
        if a == 0.0 {
            return Bound::ZERO;
        }
        // a subnormal first scaled into the normal range
        let (a, exp) = if a < f64::MIN_POSITIVE {
            (a * 2f64.powi(64), exp - 64)
        } else {
            (a, exp)
        };
        let bits = a.to_bits();
        let e = ((bits >> 52) & 0x7ff) as i64 - 1022;
        let m = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
        Bound {
            mant: m,
            exp: exp.saturating_add(e),
        }
    }

    /// A bound too large to tell anything of the value, yet finite, so that the value is
    /// not determined ([`Ranged::determined`]) and the reference goes on to a higher
    /// precision (where an unknown bound would leave the decision to agreement): the
    /// bound past an operation whose argument's interval reaches a pole or leaves the
    /// domain (log, 1/u, sqrt, tan, a negative power, a quotient, a power's base).
    pub const VAST: Bound = Bound {
        mant: 0.5,
        exp: i64::MAX / 4,
    };

    /// |x|.
    pub fn from_f64(x: f64) -> Bound {
        Bound::new(x, 0)
    }

    /// |x| of an MPFR value, whatever its exponent; a non-number is unknown.
    pub fn of(x: &Float) -> Bound {
        if !x.is_finite() {
            return Bound::UNKNOWN;
        }
        if x.is_zero() {
            return Bound::ZERO;
        }
        let (m, e) = x.to_f64_exp();
        Bound::new(m, i64::from(e))
    }

    /// True for 0.
    pub fn is_zero(&self) -> bool {
        self.mant == 0.0
    }

    /// False for an unknown bound.
    pub fn is_finite(&self) -> bool {
        self.mant.is_finite()
    }

    /// The bound times 2^k.
    pub fn scaled(self, k: i64) -> Bound {
        if self.is_zero() || !self.is_finite() {
            self
        } else {
            Bound {
                mant: self.mant,
                exp: self.exp.saturating_add(k),
            }
        }
    }

    /// The bound as an MPFR number (64 bits; infinite when unknown).
    pub fn to_float(&self) -> Float {
        let mut f = Float::with_val(64, self.mant);
        if self.is_finite() && !self.is_zero() {
            let e = self.exp.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
            f <<= e;
        }
        f
    }

    /// The bound as an f64: infinite beyond f64's range (or when unknown), 0 below it.
    fn to_f64(self) -> f64 {
        if !self.is_finite() || self.exp > 1100 {
            f64::INFINITY
        } else if self.is_zero() || self.exp < -1100 {
            0.0
        } else {
            // two steps, so that neither factor leaves f64's range on its own
            let half = (self.exp / 2) as i32;
            self.mant * 2f64.powi(half) * 2f64.powi(self.exp as i32 - half)
        }
    }

    /// The smaller of two finite bounds.
    fn min(self, o: Bound) -> Bound {
        if self.to_f64() <= o.to_f64() {
            self
        } else {
            o
        }
    }

    /// The bound to the power n, by squaring (the exponent saturates).
    fn powi(self, mut n: u64) -> Bound {
        let (mut base, mut acc) = (self, Bound::from_f64(1.0));
        while n > 0 {
            if n & 1 == 1 {
                acc = acc.mul(base);
            }
            base = base.mul(base);
            n >>= 1;
        }
        acc
    }

    /// 1 / (1 - q) for a relative radius q < 1: how much a slope c / |t|, at a distance
    /// of at most q |u| from u, can exceed c / |u|; `None` for q >= 1 (the interval
    /// reaches 0) and for an unknown q.
    fn shrink(q: Bound) -> Option<Bound> {
        if q.is_zero() {
            return Some(Bound::from_f64(1.0));
        }
        let qf = q.to_f64();
        (qf < 1.0).then(|| Bound::from_f64(1.0 / (1.0 - qf)))
    }

    /// A bound on e^y for y >= 0 (1 + 2y up to y = 1, then a power of two), [`VAST`]
    /// beyond; also a bound on (e^y - 1) / y.
    ///
    /// [`VAST`]: Bound::VAST
    fn growth(y: Bound) -> Bound {
        let yf = y.to_f64();
        if yf <= 1.0 {
            Bound::from_f64(1.0 + 2.0 * yf)
        } else if yf < 1e18 {
            Bound::new(1.0, (yf * std::f64::consts::LOG2_E).ceil() as i64)
        } else {
            Bound::VAST
        }
    }

    fn mul(self, o: Bound) -> Bound {
        if !self.is_finite() || !o.is_finite() {
            return Bound::UNKNOWN;
        }
        Bound::new(self.mant * o.mant, self.exp.saturating_add(o.exp))
    }

    fn add(self, o: Bound) -> Bound {
        if !self.is_finite() || !o.is_finite() {
            return Bound::UNKNOWN;
        }
        if self.is_zero() {
            return o;
        }
        if o.is_zero() {
            return self;
        }
        let (hi, lo) = if self.exp >= o.exp {
            (self, o)
        } else {
            (o, self)
        };
        let d = lo.exp.saturating_sub(hi.exp);
        let low = if d < -1100 {
            0.0
        } else {
            lo.mant * 2f64.powi(d as i32)
        };
        Bound::new(hi.mant + low, hi.exp)
    }

    /// 1 / x: unknown at 0, 0 for an unknown (infinite) x, as 1 / inf.
    fn recip(self) -> Bound {
        if self.is_zero() {
            Bound::UNKNOWN
        } else if !self.is_finite() {
            Bound::ZERO
        } else {
            Bound::new(1.0 / self.mant, self.exp.saturating_neg())
        }
    }

    fn div(self, o: Bound) -> Bound {
        self.mul(o.recip())
    }

    fn max(self, o: Bound) -> Bound {
        if !self.is_finite() || !o.is_finite() {
            Bound::UNKNOWN
        } else if self.is_zero() {
            o
        } else if o.is_zero() || (self.exp, self.mant) >= (o.exp, o.mant) {
            self
        } else {
            o
        }
    }
}

/// |log x| for an MPFR value, correctly rounded to 64 bits by MPFR (also within 2^-53
/// of 1, where log x is below f64's resolution of x, and beyond f64's range); unknown
/// at 0, for x < 0 and for a non-number.
fn log_abs(x: &Float) -> Bound {
    if !x.is_finite() || x.is_zero() || x.is_sign_negative() {
        return Bound::UNKNOWN;
    }
    Bound::of(&Float::with_val(64, x.ln_ref()))
}

/// A bound on e^-a for a >= 0, also where e^-a is below f64's range.
fn exp_neg(a: f64) -> Bound {
    if a < 700.0 {
        // a is u rounded to f64 (a relative error of 2^-53, so at most 2^-43 in e^-a
        // for a < 700) and exp is within an ulp: one part in 2^40 covers both
        Bound::from_f64((-a).exp() * (1.0 + 2f64.powi(-40)))
    } else if a.is_finite() {
        Bound::new(1.0, (-a * std::f64::consts::LOG2_E).ceil() as i64)
    } else {
        Bound::new(1.0, i64::MIN / 4)
    }
}

/// A bound on 4 e / (1 + e)^2 with e = e^-a, a >= 0: sech^2 u with a = 2|u|, and 4
/// sigmoid'(u) with a = |u|, computed from e^-a rather than from the value 1 - tanh^2
/// or s (1 - s), which f64 rounds to 0 once tanh or s rounds to 1.
fn bell(a: f64) -> Bound {
    if a < 700.0 {
        let e = (-a).exp();
        // as in `exp_neg`, and the few roundings of the quotient
        Bound::from_f64(4.0 * e / ((1.0 + e) * (1.0 + e)) * (1.0 + 2f64.powi(-40)))
    } else {
        exp_neg(a).mul(Bound::from_f64(4.0))
    }
}

/// An MPFR value and a bound on its rounding error, in units of 2^-p (first order, with
/// the slopes taken over the value's interval).
#[derive(Clone, Debug)]
pub struct Ranged {
    /// the value, at its precision p
    pub v: Float,
    /// |v - exact| <= m 2^-p to first order: 0 for an exact value, infinite when
    /// unknown
    pub m: Bound,
}

impl Ranged {
    /// An exact value (an input or a constant): no rounding error.
    pub fn exact(v: Float) -> Ranged {
        Ranged { v, m: Bound::ZERO }
    }

    /// True when the bound says nothing against `agree_bits` leading bits of the value:
    /// |v| >= m 2^(agree_bits - p), or the bound is 0 (exact), or the value is not a
    /// finite number (taken as it is: agreement decides). A finite value with an
    /// unknown bound is not determined.
    pub fn determined(&self, agree_bits: u32) -> bool {
        if self.m.is_zero() || !self.v.is_finite() {
            return true;
        }
        if !self.m.is_finite() {
            // a finite value computed through a partial that is not finite (1 / inf
            // from an inexact inf, log |u| of a negative base): nothing bounds it
            return false;
        }
        let p = self.v.prec();
        let noise = self.m.scaled(i64::from(agree_bits) - i64::from(p));
        Float::with_val(p, self.v.abs_ref()) >= noise.to_float()
    }

    /// Half the width of the interval the bound leaves for the exact value, m 2^-p;
    /// `None` when the bound is unknown (infinite).
    pub fn radius(&self) -> Option<Float> {
        if !self.m.is_finite() {
            return None;
        }
        Some(self.m.scaled(-i64::from(self.v.prec())).to_float())
    }

    /// True when the bound leaves the exact value on the same side of `c`'s value as
    /// this value, or equal to it when both are exact: |v - c| > m 2^-p + m_c 2^-p. A
    /// value that is not a finite number is taken as it is.
    fn apart_from(&self, c: &Ranged) -> bool {
        if self.m.is_zero() && c.m.is_zero() || !self.v.is_finite() || !c.v.is_finite() {
            return true;
        }
        match (self.radius(), c.radius()) {
            (Some(a), Some(r)) => {
                let p = self.v.prec().max(c.v.prec()) + 64;
                let gap = Float::with_val(p, &self.v - &c.v).abs();
                gap > Float::with_val(p, &a + &r)
            }
            _ => false,
        }
    }

    /// True when the bound leaves open on which side of 0 the exact value lies (an exact
    /// value, and one that is not a finite number, are taken as they are).
    fn side_of_zero_open(&self) -> bool {
        !self.apart_from(&self.zero())
    }

    fn zero(&self) -> Ranged {
        Ranged::exact(Float::with_val(self.v.prec(), 0))
    }

    fn with(v: Float, m: Bound) -> Ranged {
        Ranged { v, m }
    }
}

thread_local! {
    /// Decisions taken on values whose bound did not settle them, on this thread.
    static DOUBTS: Cell<u64> = const { Cell::new(0) };
}

fn doubt() {
    DOUBTS.with(|d| d.set(d.get().wrapping_add(1)));
}

/// Runs `f` (on this thread) and tells whether a derivative rule or a value in it took a
/// decision on a [`Ranged`] value that its bound does not settle: a zero test on a 0
/// with a rounding bound (an absorbed term: sqrt's slope or pow's zero-base rule at
/// (a + b) - b), a sign within the bound of 0 (the slope of |u|), or min/max of two
/// values within their bounds of each other. Agreement between precisions cannot see
/// such a decision when both take it the same wrong way; the reference settles nothing
/// evaluated under a doubt.
pub fn doubted<R>(f: impl FnOnce() -> R) -> (R, bool) {
    let before = DOUBTS.with(Cell::get);
    let r = f();
    (r, DOUBTS.with(Cell::get) != before)
}

thread_local! {
    /// Kinks met exactly, on this thread: see [`kinked`].
    static KINKS: Cell<u64> = const { Cell::new(0) };
}

fn kink() {
    KINKS.with(|k| k.set(k.get().wrapping_add(1)));
}

/// Runs `f` (on this thread) and tells whether it evaluated an elemental exactly at its
/// kink, where the function has no derivative: min or max of two exact values that are
/// equal (max(x, 1) at x = 1), or |u| of an exact 0. The derivative rules then give a
/// convention's one-sided slope (a tie takes the left argument; |u| has slope 0 at 0),
/// which the reference settles on as the program's answer, while a difference quotient
/// straddles the kink. A tie or a 0 that the bounds leave open is a doubt instead.
pub fn kinked<R>(f: impl FnOnce() -> R) -> (R, bool) {
    let before = KINKS.with(Cell::get);
    let r = f();
    (r, KINKS.with(Cell::get) != before)
}

thread_local! {
    /// MPFR operations on [`Ranged`] values that overflowed or underflowed MPFR's
    /// exponent range, on this thread.
    static RANGE_EXITS: Cell<u64> = const { Cell::new(0) };
}

/// Runs `f` (on this thread) and tells whether an MPFR operation on a [`Ranged`] value in
/// it overflowed or underflowed MPFR's exponent range (|x| in [2^-1073741824,
/// 2^1073741823) by default): exp(1e200) rounds to inf, exp(-1e200) to 0, and what is
/// computed from them (0 * inf = NaN, log(0) = -inf, a tie of 0 with 0) can be wrong by
/// any amount, at every precision alike, since the range does not grow with the
/// precision. MPFR's own overflow and underflow flags tell, read around each operation
/// (they are thread-local: MPFR is built thread-safe, with TLS); a result that is not
/// finite for another reason (log(-1) = NaN, 1/0 = inf, exp(inf) = inf: exact special
/// values) raises neither.
pub fn beyond_exponent_range<R>(f: impl FnOnce() -> R) -> (R, bool) {
    let before = RANGE_EXITS.with(Cell::get);
    let r = f();
    (r, RANGE_EXITS.with(Cell::get) != before)
}

/// `|d| m`, with an exact argument (m = 0) passing nothing, also through an infinite
/// partial.
fn through(d: Bound, m: Bound) -> Bound {
    if m.is_zero() {
        Bound::ZERO
    } else {
        d.mul(m)
    }
}

impl Scalar for Ranged {
    fn cst(&self, c: f64) -> Self {
        Ranged::exact(self.v.cst(c))
    }
    fn re(&self) -> f64 {
        self.v.re()
    }
    // the decisions a rule takes on values (a zero, a sign, which argument of min/max)
    // are doubted where the bound does not settle them: see [`doubted`]
    fn passes_nothing(&self) -> bool {
        Scalar::is_zero(&self.v) && self.m.is_zero()
    }
    fn is_zero(&self) -> bool {
        let zero = Scalar::is_zero(&self.v);
        if zero && !self.m.is_zero() {
            doubt();
        }
        zero
    }
    fn selects_left_of(&self, op: Binary, o: &Self) -> bool {
        if !self.apart_from(o) {
            doubt();
        }
        self.v.selects_left_of(op, &o.v)
    }
    fn sign(&self) -> f64 {
        if self.side_of_zero_open() {
            doubt();
        }
        self.v.sign()
    }
    fn unary(&self, op: Unary) -> Self {
        let (x, p) = (&self.v, self.v.prec());
        // log and sqrt end, and 1/u and a negative power have a pole, at 0: which side
        // of 0 the argument lies on decides the value (a number or NaN, finite or not),
        // and where the bound leaves that open (log of (1 + t) - 1 with t absorbed),
        // the value is a doubt
        let pole_at_zero = matches!(op, Unary::Log | Unary::Sqrt | Unary::Recip)
            || matches!(op, Unary::Powi(k) if k < 0);
        if pole_at_zero && self.side_of_zero_open() {
            doubt();
        }
        // an argument of sin, cos or tan too large to reduce: NaN, counted as an exit of
        // the exponent range (an f64 evaluation overflowed long before)
        if super::float::trig_beyond(op, x) {
            RANGE_EXITS.with(|c| c.set(c.get().wrapping_add(1)));
            return Ranged::with(Float::with_val(p, f64::NAN), Bound::VAST);
        }
        // the value as `Float`'s own `unary` computes it, and how many of its roundings
        // were inexact (MPFR's ternary value): an exact result adds nothing to the bound
        let (v, inexact) = match op {
            Unary::Neg => (Float::with_val(p, -x), 0),
            Unary::Abs => {
                if self.m.is_zero() && x.is_zero() {
                    kink();
                }
                (Float::with_val(p, x.abs_ref()), 0)
            }
            Unary::Recip => rounded(p, x.recip_ref()),
            Unary::Exp => rounded(p, x.exp_ref()),
            Unary::Log => rounded(p, x.ln_ref()),
            Unary::Sqrt => rounded(p, x.sqrt_ref()),
            Unary::Sin => rounded(p, x.sin_ref()),
            Unary::Cos => rounded(p, x.cos_ref()),
            Unary::Tan => rounded(p, x.tan_ref()),
            Unary::Tanh => rounded(p, x.tanh_ref()),
            Unary::Atan => rounded(p, x.atan_ref()),
            Unary::Powi(k) => rounded(p, Pow::pow(x, k)),
            Unary::Sigmoid => {
                // 1 / (1 + exp(-u)), each step at precision p, as `Float` does; the
                // relative errors of the steps add (first order, each passed on with a
                // factor of at most 1)
                let m = Float::with_val(p, -x);
                let (e, i1) = rounded(p, m.exp_ref());
                let (d, i2) = rounded(p, &e + 1u32);
                let (v, i3) = rounded(p, d.recip_ref());
                (v, i1 + i2 + i3)
            }
        };
        // a bound on |psi'(t)| for t within the radius delta = m 2^-p of u: a value
        // whose rounding error is not small passes it on through the largest slope in
        // its interval, not through the slope at the value (at u = (x + 1e200) - 1e200
        // = 0 at 256 bits, the slope of cos is sin(0) = 0, and cos u would seem exact)
        let (u, r) = (Bound::of(x), Bound::of(&v));
        let delta = self.m.scaled(-i64::from(p));
        let one = Bound::from_f64(1.0);
        // |cos u| and |sin u|, correctly rounded by MPFR whatever the size of u
        let trig = |t: Float| Bound::from_f64(t.to_f64().abs().min(1.0));
        let cos_u = || trig(Float::with_val(53, x.cos_ref()));
        let sin_u = || trig(Float::with_val(53, x.sin_ref()));
        // c / |t| grown to its largest value at |t| >= |u| - delta, to the power k
        let near_pole = |c: Bound, k: u64| match Bound::shrink(delta.div(u)) {
            Some(s) => c.mul(s.powi(k)),
            None => Bound::VAST,
        };
        // an exact argument passes nothing on: no slope to bound (and no MPFR sin or cos)
        let d = if self.m.is_zero() {
            Bound::ZERO
        } else {
            match op {
                Unary::Neg | Unary::Abs => one,
                Unary::Recip => near_pole(r.mul(r), 2),
                Unary::Exp => r.mul(Bound::growth(delta)),
                Unary::Log => near_pole(u.recip(), 1),
                // 1 / (2 sqrt t) grows by at most 1 / (1 - q) where 1 / t grows by it
                Unary::Sqrt => near_pole(r.recip().mul(Bound::from_f64(0.5)), 1),
                Unary::Sin => cos_u().add(delta).min(one),
                Unary::Cos => sin_u().add(delta).min(one),
                // 1 / cos^2 t, with |cos t| >= |cos u| - delta
                Unary::Tan => {
                    let c = cos_u();
                    match Bound::shrink(delta.div(c)) {
                        Some(s) => one.add(r.mul(r)).mul(s.mul(s)),
                        None => {
                            // the interval reaches a pole: which side of it, the bound
                            // leaves open
                            doubt();
                            Bound::VAST
                        }
                    }
                }
                // tanh and sigmoid lie in [-1, 1] and [0, 1]; the slopes of tanh, sigmoid
                // and atan change by at most |t - u| (their second derivatives are at most
                // 0.77, 0.1 and 0.65), and are at most 1, 1/4 and 1
                Unary::Tanh => bell(2.0 * x.to_f64().abs()).add(delta).min(one),
                Unary::Sigmoid => bell(x.to_f64().abs())
                    .mul(Bound::from_f64(0.25))
                    .add(delta)
                    .min(Bound::from_f64(0.25)),
                Unary::Atan => one.add(u.mul(u)).recip().add(delta).min(one),
                // |k| |t|^(k-1): at |u| + delta for k >= 1, at |u| - delta for k < 0
                Unary::Powi(0) => Bound::ZERO,
                Unary::Powi(k) if k > 0 => Bound::from_f64(f64::from(k))
                    .mul(u.add(delta).powi(u64::from(k.unsigned_abs() - 1))),
                Unary::Powi(k) => near_pole(
                    Bound::from_f64(f64::from(k))
                        .mul(u.recip().powi(u64::from(k.unsigned_abs()) + 1)),
                    u64::from(k.unsigned_abs()) + 1,
                ),
            }
        };
        let m = through(d, self.m).add(own(inexact, r));
        Ranged::with(v, m)
    }
    fn binary(&self, op: Binary, o: &Self) -> Self {
        let (x, y) = (&self.v, &o.v);
        let p = x.prec().max(y.prec());
        // a quotient has a pole where its denominator is 0, and a power a special point
        // where its base is; a negative base has a real power only at an integer
        // exponent, which an exponent with a rounding bound leaves open ((-1.5)^w with
        // w = (2 / 0.9) * 0.9, 2 in real arithmetic, 2 + 1 ulp in MPFR): where the
        // bounds leave the side or the integer open, the value is a doubt
        match op {
            Binary::Div if o.side_of_zero_open() => doubt(),
            Binary::Pow => {
                if self.side_of_zero_open() {
                    doubt();
                }
                if x.cmp0() == Some(Ordering::Less) && !o.m.is_zero() {
                    doubt();
                }
                // at a base of 0 the exponent's sign decides between 0 and inf
                if x.is_zero() && o.side_of_zero_open() {
                    doubt();
                }
            }
            _ => {}
        }
        let (v, inexact) = match op {
            Binary::Add => rounded(p, x + y),
            Binary::Sub => rounded(p, x - y),
            Binary::Mul => rounded(p, x * y),
            Binary::Div => rounded(p, x / y),
            Binary::Pow => rounded(p, Pow::pow(x, y)),
            Binary::Min | Binary::Max => {
                // the value of the argument taken; where the bounds leave the choice
                // open (a doubt), within the larger of the two bounds
                let apart = self.apart_from(o);
                if !apart {
                    doubt();
                } else if self.m.is_zero() && o.m.is_zero() && x.is_finite() && x == y {
                    kink();
                }
                let t = if x.selects_left_of(op, y) { self } else { o };
                let m = if apart { t.m } else { self.m.max(o.m) };
                return Ranged::with(Float::with_val(p, &t.v), m);
            }
        };
        // a result that is not a finite number (x / 0, w inf, 0 / 0) takes its sign, or
        // whether it is a number at all, from the signs of its operands: where one of
        // them is inexact and its bound leaves its side of 0 open, so is the result's
        if matches!(op, Binary::Mul | Binary::Div | Binary::Pow)
            && !v.is_finite()
            && [self, o].iter().any(|z| z.side_of_zero_open())
        {
            doubt();
        }
        let (a, w, r) = (Bound::of(x), Bound::of(y), Bound::of(&v));
        // the relative radius of an argument, and 1 / (1 - it): how much 1 / |t| can
        // exceed 1 / |value| within its interval (`None`: the interval reaches 0)
        let shrink = |z: &Ranged, mag: Bound| {
            if z.m.is_zero() {
                Some(Bound::from_f64(1.0))
            } else {
                Bound::shrink(z.m.scaled(-i64::from(p)).div(mag))
            }
        };
        let passed = match op {
            Binary::Add | Binary::Sub => self.m.add(o.m),
            // the first-order terms, and the product of the two errors
            Binary::Mul => through(w, self.m)
                .add(through(a, o.m))
                .add(through(self.m, o.m).scaled(-i64::from(p))),
            // |u/w - u'/w'| <= (|u - u'| + |u'/w'| |w - w'|) / min |w|
            Binary::Div => match shrink(o, w) {
                Some(s) => through(w.recip(), self.m)
                    .add(through(r.div(w), o.m))
                    .mul(s),
                None => Bound::VAST,
            },
            // v = e^z with z = w log u: z is off by at most
            // dz = |w| dL + |log u| dw + dw dL, where dL <= (du / |u|) / (1 - du / |u|),
            // and e^z by at most |v| dz (e^dz - 1) / dz
            _ => match shrink(self, a) {
                Some(s) => {
                    let dl = if self.m.is_zero() {
                        Bound::ZERO
                    } else {
                        self.m.div(a).mul(s)
                    };
                    let dz = through(w, dl)
                        .add(through(log_abs(x), o.m))
                        .add(through(o.m, dl).scaled(-i64::from(p)));
                    through(r, dz).mul(Bound::growth(dz.scaled(-i64::from(p))))
                }
                None => Bound::VAST,
            },
        };
        let m = own(inexact, r).add(passed);
        Ranged::with(v, m)
    }
}

/// `val` rounded to nearest at precision p, and 1 when that rounding was inexact; an
/// overflow or underflow of MPFR's exponent range in it is counted
/// ([`beyond_exponent_range`]).
fn rounded<T>(p: u32, val: T) -> (Float, u32)
where
    Float: AssignRound<T, Round = Round, Ordering = Ordering>,
{
    // SAFETY: these only clear and read MPFR's flags, which are this thread's own
    unsafe {
        mpfr::clear_overflow();
        mpfr::clear_underflow();
    }
    let (v, dir) = Float::with_val_round(p, val, Round::Nearest);
    // SAFETY: as above
    if unsafe { mpfr::overflow_p() != 0 || mpfr::underflow_p() != 0 } {
        RANGE_EXITS.with(|c| c.set(c.get().wrapping_add(1)));
    }
    (v, u32::from(dir != Ordering::Equal))
}

/// The rounding error an operation adds, in units of 2^-p: |r| for each inexact rounding.
fn own(inexact: u32, r: Bound) -> Bound {
    if inexact == 0 {
        Bound::ZERO
    } else {
        r.mul(Bound::from_f64(f64::from(inexact)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bound_helpers_bound_what_they_say() {
        let b = |x: f64| Bound::from_f64(x);
        assert_eq!(b(3.0).powi(4).to_f64(), 81.0);
        assert_eq!(b(2.0).powi(0).to_f64(), 1.0);
        // the exponent saturates instead of wrapping
        assert!(Bound::VAST.powi(3).to_f64().is_infinite());
        assert_eq!(b(0.5).powi(3000).to_f64(), 0.0);
        assert!(!b(0.5).powi(3000).is_zero());
        assert_eq!(Bound::shrink(b(0.5)).map(|s| s.to_f64()), Some(2.0));
        assert_eq!(Bound::shrink(Bound::ZERO).map(|s| s.to_f64()), Some(1.0));
        assert!(Bound::shrink(b(1.0)).is_none());
        assert!(Bound::shrink(Bound::UNKNOWN).is_none());
        // e^y <= growth(y), and growth is 1 + 2y up to y = 1
        for y in [0.0, 1e-300, 1e-9, 0.5, 1.0, 1.5, 40.0, 700.0, 1e5] {
            let g = Bound::growth(b(y)).to_f64();
            assert!(g >= y.exp(), "{y}: {g}");
            if y <= 1.0 {
                assert_eq!(g, 1.0 + 2.0 * y);
            }
        }
        assert_eq!(Bound::growth(b(1e20)), Bound::VAST);
        assert_eq!(b(2.0).min(b(3.0)).to_f64(), 2.0);
        assert_eq!(b(1e300).scaled(100).to_f64(), f64::INFINITY);
        assert_eq!(b(1e-300).scaled(-100).to_f64(), 0.0);
        assert_eq!(b(6.0).scaled(-1).to_f64(), 3.0);
    }

    #[test]
    fn a_vast_bound_leaves_a_value_undetermined() {
        let r = Ranged::with(Float::with_val(256, 1.0), Bound::VAST);
        assert!(!r.determined(100));
        // so does an unknown bound on a finite value; a value that is not finite is
        // taken as it is
        let r = Ranged::with(Float::with_val(256, 1.0), Bound::UNKNOWN);
        assert!(!r.determined(100));
        let r = Ranged::with(Float::with_val(256, f64::INFINITY), Bound::UNKNOWN);
        assert!(r.determined(100));
    }
    use crate::ad::Tape;

    fn r(p: u32, x: f64) -> Ranged {
        Ranged::exact(Float::with_val(p, x))
    }

    /// A comparison is doubted where the other operand's bound reaches across the gap,
    /// also when the exact operand is on the left: 1 against 1 + 2^-250 whose bound,
    /// 1e3 2^-256, is wider than 2^-250.
    #[test]
    fn a_comparison_within_either_operands_bound_is_doubted() {
        let one = r(256, 1.0);
        let near = Ranged {
            v: Float::with_val(256, 1.0) + Float::with_val(256, Float::i_exp(1, -250)),
            m: Bound::from_f64(1e3),
        };
        for (u, w) in [(&one, &near), (&near, &one)] {
            assert!(doubted(|| u.min(w)).1);
            assert!(doubted(|| u.max(w)).1);
        }
        // with a bound narrower than the gap, no doubt
        let apart = Ranged {
            m: Bound::from_f64(1.0),
            ..near.clone()
        };
        assert!(!doubted(|| one.min(&apart)).1);
        assert!(!doubted(|| apart.min(&one)).1);
    }

    #[test]
    fn an_absorbed_term_is_not_determined() {
        // (1 + tiny) - 1 with tiny = 2^-600: 0 at 256 and at 512 bits, a bound of about
        // 2 in units of 2^-p, so 0 is refused; at 1024 bits tiny is resolved
        let tiny = 2f64.powi(-600);
        for p in [256, 512] {
            let s = r(p, 1.0).add(&r(p, tiny)).sub(&r(p, 1.0));
            assert!(Scalar::is_zero(&s.v), "{p}: {s:?}");
            assert!((1.0..=4.0).contains(&s.m.to_float().to_f64()), "{p}: {s:?}");
            assert!(!s.determined(100), "{p}: {s:?}");
        }
        let s = r(1024, 1.0).add(&r(1024, tiny)).sub(&r(1024, 1.0));
        assert_eq!(s.v.to_f64(), tiny);
        assert!(s.determined(100), "{s:?}");
    }

    #[test]
    fn exact_values_and_structural_zeros_are_determined() {
        let z = r(256, 0.0);
        assert!(z.determined(100));
        // no rounding takes place in 1 + 0.5 - 1.5, nor in the slope of (x + |x|) / 2
        // at x < 0 (0.5 - 0.5)
        let s = r(256, 1.0).add(&r(256, 0.5)).sub(&r(256, 1.5));
        assert!(Scalar::is_zero(&s.v) && s.m.is_zero(), "{s:?}");
        let tape: Tape<Ranged> = Tape::new();
        let xs = tape.vars(&[r(256, -0.75)]);
        let y = xs[0].add(&xs[0].abs()).mul_f(0.5);
        let g = tape.gradient(&y, &xs);
        assert!(Scalar::is_zero(&g[0].v) && g[0].m.is_zero(), "{:?}", g[0]);
        tape.clear();
        // d(2y)/dx on a tape: nothing is summed into x's adjoint
        let xs = tape.vars(&[r(256, 0.5), r(256, 3.0)]);
        let y = xs[1].mul_f(2.0).add(&xs[1].sin());
        let g = tape.gradient(&y, &xs);
        assert!(Scalar::is_zero(&g[0].v) && g[0].m.is_zero(), "{:?}", g[0]);
        assert!(g[0].determined(100));
        assert!(!g[1].m.is_zero() && g[1].determined(100), "{:?}", g[1]);
    }

    #[test]
    fn the_bound_covers_the_rounding_it_tracks() {
        // a chain of elementals at 64 bits against the same at 512: the difference is
        // within the bound of the 64-bit computation (in units of 2^-64)
        let chain = |p: u32| {
            let x = r(p, 0.7);
            let y = x.exp().sin().mul_f(3.1).div(&r(p, 0.9)).add(&x.sqrt());
            y.sub(&y.tanh().powi(3).atan())
        };
        let (lo, hi) = (chain(64), chain(512));
        let err = Float::with_val(600, &lo.v - &hi.v).abs();
        let bound = lo.m.scaled(-64).to_float();
        assert!(err > 0, "the 64-bit chain rounds");
        assert!(err <= bound, "{err} > {bound}");
    }

    #[test]
    fn bounds_keep_f64s_digits_with_a_wide_exponent() {
        let b = |x: f64| Bound::from_f64(x);
        // normalised: 3 = 0.75 2^2, a subnormal too
        assert_eq!(b(3.0), Bound { mant: 0.75, exp: 2 });
        assert_eq!(
            b(-5e-324),
            Bound {
                mant: 0.5,
                exp: -1073
            }
        );
        assert_eq!(b(3.0).mul(b(5.0)).to_float(), 15.0);
        assert_eq!(b(3.0).add(b(0.25)).to_float(), 3.25);
        assert_eq!(b(2.0).recip().to_float(), 0.5);
        assert_eq!(b(3.0).max(b(-7.0)).to_float(), 7.0);
        // beyond f64's range both ways, and back
        let big = b(1e300).mul(b(1e300));
        // the f64 product of the mantissas: 1e600 rounded to 53 bits
        assert_eq!(big.to_float(), Float::with_val(53, 1e300) * 1e300);
        // back in range, within the roundings of the f64 mantissa products (2 ulps)
        let near =
            |got: Bound, want: f64| crate::num::ulps_between(got.to_float().to_f64(), want) <= 2;
        assert!(near(big.div(b(1e300)), 1e300));
        let small = b(1e-300).mul(b(1e-300));
        assert!(near(small.mul(b(1e300)).mul(b(1e300)), 1.0));
        // 0 and unknown
        assert!(b(0.0).is_zero() && b(0.0).add(b(2.0)) == b(2.0));
        assert!(!b(f64::NAN).is_finite() && !b(1.0).mul(Bound::UNKNOWN).is_finite());
        assert!(Bound::ZERO.recip() == Bound::UNKNOWN && Bound::UNKNOWN.recip().is_zero());
        assert_eq!(Bound::of(&Float::with_val(64, 1e300).square()), big);
    }

    #[test]
    fn a_bound_beyond_f64s_range_keeps_its_size() {
        // (x^2 + 1) - x^2 at x = 1e300: terms of 1e600, 1 absorbed at 256 bits; the
        // bound is about 1e600 units of 2^-256, not an infinite one, so 0 is refused
        let x = r(256, 1e300);
        let s = x.mul(&x).add(&r(256, 1.0)).sub(&x.mul(&x));
        assert!(Scalar::is_zero(&s.v), "{s:?}");
        assert!(s.m.to_float().get_exp().is_some_and(|e| e > 1990), "{s:?}"); // above 2^1990 ~ 1e599
        assert!(!s.determined(100), "{s:?}");
        // and one below it: (q^2 + q^3) - q^2 at q = 2^-1000, q^3 absorbed
        let q = r(256, 2f64.powi(-1000));
        let t = q.mul(&q).add(&q.mul(&q).mul(&q)).sub(&q.mul(&q));
        assert!(Scalar::is_zero(&t.v) && !t.m.is_zero(), "{t:?}");
        assert!(!t.determined(100), "{t:?}");
    }

    #[test]
    fn min_of_values_its_bounds_do_not_order_is_doubted_and_bounded_by_both() {
        // (1 + 2^-600) - 1 is 0 at 256 bits with a bound of about 2: min with an exact
        // 0 cannot tell which is smaller, and its value carries the larger bound
        let z = r(256, 1.0).add(&r(256, 2f64.powi(-600))).sub(&r(256, 1.0));
        let (v, doubt) = doubted(|| z.min(&r(256, 0.0)));
        assert!(doubt && v.m == z.m && !v.m.is_zero(), "{v:?}");
        // apart by far more than the bounds: sure, and the bound of the one taken
        let one = r(256, 1.0).add(&r(256, 1e-30));
        let (v, doubt) = doubted(|| one.max(&z));
        assert!(!doubt && v.m == one.m && one.m != z.m, "{v:?}");
    }

    /// 2^(emax - 1) and 2^(emin - 1), the largest power of 2 and the smallest positive
    /// number in MPFR's exponent range.
    fn edges() -> (Ranged, Ranged) {
        let one = || Float::with_val(256, 1);
        let top = one() << (rug::float::exp_max() - 1);
        let bottom = one() >> (1 - rug::float::exp_min());
        assert!(top.is_finite() && !bottom.is_zero());
        (Ranged::exact(top), Ranged::exact(bottom))
    }

    #[test]
    fn every_elemental_that_leaves_mpfrs_exponent_range_is_caught() {
        let (top, bottom) = edges();
        let (big, ten) = (r(256, 1e200), r(256, 10.0));
        let cases: [(&str, &dyn Fn() -> Ranged); 16] = [
            ("exp over", &|| big.exp()),
            ("exp under", &|| big.neg().exp()),
            ("sigmoid over", &|| big.neg().sigmoid()),
            ("sigmoid under", &|| big.sigmoid()),
            ("pow over", &|| ten.pow(&big)),
            ("pow under", &|| ten.pow(&big.neg())),
            ("powi over", &|| top.powi(2)),
            ("powi under", &|| bottom.powi(3)),
            ("powi negative", &|| top.powi(-2)),
            ("mul over", &|| top.mul(&top)),
            ("mul under", &|| bottom.mul_f(0.25)),
            ("div over", &|| top.div(&bottom)),
            ("div under", &|| bottom.div(&top)),
            ("recip over", &|| bottom.recip()),
            ("add over", &|| top.add(&top)),
            ("sub over", &|| top.sub(&top.neg())),
        ];
        for (what, f) in cases {
            let (v, beyond) = beyond_exponent_range(f);
            assert!(beyond, "{what}: {v:?}");
        }
    }

    #[test]
    fn values_not_finite_for_a_reason_and_the_edges_of_the_range_are_not_caught() {
        let (top, bottom) = edges();
        let inf = r(256, f64::INFINITY);
        let cases: [(&str, &dyn Fn() -> Ranged); 13] = [
            ("log(-1)", &|| r(256, -1.0).ln()),
            ("log(0)", &|| r(256, 0.0).ln()),
            ("1/0", &|| r(256, 0.0).recip()),
            ("sqrt(-1)", &|| r(256, -1.0).sqrt()),
            ("exp(inf)", &|| inf.exp()),
            ("exp(-inf)", &|| inf.neg().exp()),
            ("inf - inf", &|| inf.sub(&inf)),
            ("0 * inf", &|| r(256, 0.0).mul(&inf)),
            ("exp(7e8)", &|| r(256, 7e8).exp()),
            ("exp(-7e8)", &|| r(256, -7e8).exp()),
            ("top + top / 2", &|| top.add(&top.mul_f(0.5))),
            ("bottom * 3 / 2", &|| bottom.mul_f(1.5)),
            ("top * bottom", &|| top.mul(&bottom)),
        ];
        for (what, f) in cases {
            let (v, beyond) = beyond_exponent_range(f);
            assert!(!beyond, "{what}: {v:?}");
        }
    }

    #[test]
    fn mpfrs_flags_are_per_thread() {
        // MPFR built thread-safe keeps its flags in thread-local storage: an overflow on
        // one thread is not seen by an evaluation on another
        // SAFETY: a query of how MPFR was built
        assert!(unsafe { mpfr::buildopt_tls_p() } != 0);
        let stop = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|s| {
            s.spawn(|| {
                let big = r(64, 1e200);
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    assert!(beyond_exponent_range(|| big.exp()).1);
                }
            });
            let x = r(64, 0.5);
            for _ in 0..20_000 {
                assert!(!beyond_exponent_range(|| x.exp().mul(&x)).1);
            }
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
        });
    }

    #[test]
    fn a_slope_unbounded_within_the_radius_leaves_the_value_undetermined() {
        // (1 + 2^-600) - 1 is 0 at 256 bits with a bound of about 2 units: sqrt's slope
        // is infinite at 0, within the radius, and the bound is vast, not unknown
        let z = r(256, 1.0).add(&r(256, 2f64.powi(-600))).sub(&r(256, 1.0));
        let s = z.sqrt();
        assert!(s.m.is_finite() && s.m.to_f64().is_infinite(), "{s:?}");
        assert!(!s.determined(100));
        // the same at 1024 bits, which keep 2^-600: a bound that is not vast
        let z = r(1024, 1.0)
            .add(&r(1024, 2f64.powi(-600)))
            .sub(&r(1024, 1.0));
        assert!(z.m.is_zero(), "{z:?}");
        assert!(z.sqrt().determined(100));
    }
}
