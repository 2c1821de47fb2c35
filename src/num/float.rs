//! `rug::Float` (MPFR) as a [`Scalar`]: the precision travels with the value.

use super::{selects_left, Binary, Scalar, Unary};
use rug::ops::Pow;
use rug::Float;

/// The largest binary exponent of an argument that sin, cos and tan hand to MPFR: far
/// beyond f64's range (2^1024), where an f64 evaluation has overflowed, and small enough
/// that MPFR's argument reduction stays cheap (reducing an argument near 2^e mod pi takes
/// about e bits of pi: sin(2^(10^9)) would take a billion bits, and minutes). Beyond it
/// the result is NaN, and [`crate::num::Ranged`] counts it as an exit of the exponent
/// range, so the reference does not settle from it.
pub const TRIG_MAX_EXP: i32 = 1 << 14;

/// Whether `x` is beyond [`TRIG_MAX_EXP`] for sin, cos and tan.
pub fn trig_beyond(op: Unary, x: &Float) -> bool {
    matches!(op, Unary::Sin | Unary::Cos | Unary::Tan)
        && x.get_exp().is_some_and(|e| e > TRIG_MAX_EXP)
}

impl Scalar for Float {
    fn cst(&self, c: f64) -> Self {
        Float::with_val(self.prec(), c)
    }
    fn re(&self) -> f64 {
        self.to_f64()
    }
    fn is_zero(&self) -> bool {
        // not through `re`: a value below the f64 range rounds to 0 there
        Float::is_zero(self)
    }
    fn unary(&self, op: Unary) -> Self {
        let p = self.prec();
        if trig_beyond(op, self) {
            return Float::with_val(p, f64::NAN);
        }
        match op {
            Unary::Neg => Float::with_val(p, -self),
            Unary::Recip => Float::with_val(p, self.recip_ref()),
            Unary::Exp => Float::with_val(p, self.exp_ref()),
            Unary::Log => Float::with_val(p, self.ln_ref()),
            Unary::Sqrt => Float::with_val(p, self.sqrt_ref()),
            Unary::Sin => Float::with_val(p, self.sin_ref()),
            Unary::Cos => Float::with_val(p, self.cos_ref()),
            Unary::Tan => Float::with_val(p, self.tan_ref()),
            Unary::Tanh => Float::with_val(p, self.tanh_ref()),
            Unary::Sigmoid => {
                // 1 / (1 + exp(-u)), each step at precision p
                let m = Float::with_val(p, -self);
                let e = Float::with_val(p, m.exp_ref());
                let d = Float::with_val(p, e + 1u32);
                Float::with_val(p, d.recip_ref())
            }
            Unary::Atan => Float::with_val(p, self.atan_ref()),
            Unary::Abs => Float::with_val(p, self.abs_ref()),
            Unary::Powi(k) => Float::with_val(p, Pow::pow(self, k)),
        }
    }
    fn binary(&self, op: Binary, o: &Self) -> Self {
        let p = self.prec().max(o.prec());
        match op {
            Binary::Add => Float::with_val(p, self + o),
            Binary::Sub => Float::with_val(p, self - o),
            Binary::Mul => Float::with_val(p, self * o),
            Binary::Div => Float::with_val(p, self / o),
            Binary::Pow => Float::with_val(p, Pow::pow(self, o)),
            Binary::Min | Binary::Max => {
                if self.selects_left_of(op, o) {
                    Float::with_val(p, self)
                } else {
                    Float::with_val(p, o)
                }
            }
        }
    }
    fn selects_left_of(&self, op: Binary, o: &Self) -> bool {
        // exactly, not through `re`: values that differ below the f64 resolution tie there
        match (self.is_nan(), o.is_nan()) {
            (false, false) => match op {
                Binary::Min => o >= self,
                _ => o <= self,
            },
            _ => selects_left(op, self.to_f64(), o.to_f64()),
        }
    }
    fn sign(&self) -> f64 {
        // not through `re`: a value below the f64 range rounds to 0 there
        if self.is_nan() || Float::is_zero(self) {
            0.0
        } else if self.is_sign_negative() {
            -1.0
        } else {
            1.0
        }
    }
    fn binary_f(&self, op: Binary, c: f64) -> Self {
        let p = self.prec();
        match op {
            Binary::Add => Float::with_val(p, self + c),
            Binary::Sub => Float::with_val(p, self - c),
            Binary::Mul => Float::with_val(p, self * c),
            Binary::Div => Float::with_val(p, self / c),
            _ => self.binary(op, &self.cst(c)),
        }
    }
    fn f_binary(&self, c: f64, op: Binary) -> Self {
        let p = self.prec();
        match op {
            Binary::Add => Float::with_val(p, c + self),
            Binary::Sub => Float::with_val(p, c - self),
            Binary::Mul => Float::with_val(p, c * self),
            Binary::Div => Float::with_val(p, c / self),
            _ => self.cst(c).binary(op, self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_below_the_f64_range_is_not_zero() {
        // 1e-600 rounds to 0 as an f64, but it is not an exact zero (the pow rules at a
        // zero base must not take it for one)
        let tiny = Float::with_val(256, 1e-300) * Float::with_val(256, 1e-300);
        assert_eq!(tiny.re(), 0.0);
        assert!(!Scalar::is_zero(&tiny));
        assert!(Scalar::is_zero(&Float::with_val(256, 0.0)));
        assert!(Scalar::is_zero(&Float::with_val(256, -0.0)));
    }

    #[test]
    fn constants_are_exact_and_keep_precision() {
        let x = Float::with_val(300, 1.5);
        let c = x.cst(0.1);
        assert_eq!(c.prec(), 300);
        assert_eq!(c.to_f64(), 0.1);
        // 0.1 enters as its exact binary value, not as the decimal 1/10
        assert_ne!(c, Float::with_val(300, Float::parse("0.1").unwrap()));
        assert_eq!(x.mul_f(2.0).prec(), 300);
    }

    #[test]
    fn elementals_match_f64_to_the_last_bit_where_correctly_rounded() {
        let x = Float::with_val(53, 0.7);
        // MPFR at 53 bits is correctly rounded, which the libm results are very close to
        for op in [Unary::Exp, Unary::Sqrt, Unary::Neg, Unary::Recip] {
            assert_eq!(x.unary(op).to_f64(), 0.7f64.unary(op), "{op:?}");
        }
        assert_eq!(x.binary(Binary::Div, &x.cst(3.0)).to_f64(), 0.7 / 3.0);
        assert_eq!(x.rsub_f(1.0).to_f64(), 1.0 - 0.7);
    }

    #[test]
    fn trig_of_an_argument_beyond_the_cap_is_nan_and_below_it_is_reduced() {
        // MPFR's exponent of 2^k is k + 1: 2^16383 is at the cap, 2^16384 beyond it
        let two = Float::with_val(256, 2);
        let at = Float::with_val(256, Pow::pow(&two, 16383u32));
        let beyond = Float::with_val(256, Pow::pow(&two, 16384u32));
        for op in [Unary::Sin, Unary::Cos, Unary::Tan] {
            assert!(!trig_beyond(op, &at) && trig_beyond(op, &beyond), "{op:?}");
            let v = at.unary(op);
            assert!(v.is_finite() && v.to_f64() != 0.0, "{op:?}: {v}");
            assert!(beyond.unary(op).is_nan(), "{op:?}");
            // negative arguments alike
            assert!(Float::with_val(256, -&beyond).unary(op).is_nan(), "{op:?}");
        }
        // other elementals of so large an argument are left to MPFR
        for op in [Unary::Atan, Unary::Tanh, Unary::Log, Unary::Sqrt] {
            assert!(!trig_beyond(op, &beyond), "{op:?}");
            assert!(beyond.unary(op).is_finite(), "{op:?}");
        }
    }
}
