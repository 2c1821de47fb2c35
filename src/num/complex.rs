//! Complex numbers over f64 as a [`Scalar`], for the complex-step derivative
//! Im f(x + ih) / h. Elementals are the analytic continuations; `abs`, `min` and `max`
//! branch on the real part, which keeps them analytic on each branch.

use super::{selects_left, Binary, Scalar, Unary};

/// A complex number re + i*im.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Complex {
    /// real part
    pub re: f64,
    /// imaginary part
    pub im: f64,
}

impl Complex {
    /// re + i*im
    pub const fn new(re: f64, im: f64) -> Self {
        Complex { re, im }
    }
    #[inline]
    fn add(self, o: Self) -> Self {
        Complex::new(self.re + o.re, self.im + o.im)
    }
    #[inline]
    fn mul(self, o: Self) -> Self {
        Complex::new(
            self.re * o.re - self.im * o.im,
            self.re * o.im + self.im * o.re,
        )
    }
    #[inline]
    fn div(self, o: Self) -> Self {
        // Smith's algorithm, robust against overflow in |o|^2
        if o.re.abs() >= o.im.abs() {
            let r = o.im / o.re;
            let d = o.re + o.im * r;
            Complex::new((self.re + self.im * r) / d, (self.im - self.re * r) / d)
        } else {
            let r = o.re / o.im;
            let d = o.re * r + o.im;
            Complex::new((self.re * r + self.im) / d, (self.im * r - self.re) / d)
        }
    }
    fn exp(self) -> Self {
        let e = self.re.exp();
        Complex::new(e * self.im.cos(), e * self.im.sin())
    }
    fn ln(self) -> Self {
        Complex::new(self.re.hypot(self.im).ln(), self.im.atan2(self.re))
    }
    fn sqrt(self) -> Self {
        if self.re == 0.0 && self.im == 0.0 {
            return Complex::new(0.0, self.im);
        }
        let m = self.re.hypot(self.im);
        let a = ((m + self.re.abs()) / 2.0).sqrt();
        if self.re >= 0.0 {
            Complex::new(a, self.im / (2.0 * a))
        } else {
            Complex::new(self.im.abs() / (2.0 * a), a.copysign(self.im))
        }
    }
    fn sin(self) -> Self {
        Complex::new(
            self.re.sin() * self.im.cosh(),
            self.re.cos() * self.im.sinh(),
        )
    }
    fn cos(self) -> Self {
        Complex::new(
            self.re.cos() * self.im.cosh(),
            -self.re.sin() * self.im.sinh(),
        )
    }
    fn tanh(self) -> Self {
        // tanh(a + ib) = (sinh 2a + i sin 2b) / (cosh 2a + cos 2b), with the denominator
        // written as 2 (sinh^2 a + cos^2 b): cosh 2a + cos 2b cancels where cos 2b ~ -1,
        // which is where tan z = -i tanh(iz) has its poles
        let (a, b) = (self.re, self.im);
        if a.abs() > 350.0 {
            return Complex::new(a.signum(), 0.0);
        }
        let (sa, cb) = (a.sinh(), b.cos());
        let d = 2.0 * (sa * sa + cb * cb);
        Complex::new((2.0 * a).sinh() / d, (2.0 * b).sin() / d)
    }
    fn powi(self, k: i32) -> Self {
        let mut base = if k < 0 {
            Complex::new(1.0, 0.0).div(self)
        } else {
            self
        };
        let mut e = k.unsigned_abs();
        let mut acc = Complex::new(1.0, 0.0);
        while e > 0 {
            if e & 1 == 1 {
                acc = acc.mul(base);
            }
            base = base.mul(base);
            e >>= 1;
        }
        acc
    }
}

impl Scalar for Complex {
    fn cst(&self, c: f64) -> Self {
        Complex::new(c, 0.0)
    }
    fn re(&self) -> f64 {
        self.re
    }
    fn is_zero(&self) -> bool {
        self.re == 0.0 && self.im == 0.0
    }
    fn unary(&self, op: Unary) -> Self {
        let z = *self;
        let one = Complex::new(1.0, 0.0);
        match op {
            Unary::Neg => Complex::new(-z.re, -z.im),
            Unary::Recip => one.div(z),
            Unary::Exp => z.exp(),
            Unary::Log => z.ln(),
            Unary::Sqrt => z.sqrt(),
            Unary::Sin => z.sin(),
            Unary::Cos => z.cos(),
            Unary::Tan => {
                // tan z = -i tanh(i z)
                let t = Complex::new(-z.im, z.re).tanh();
                Complex::new(t.im, -t.re)
            }
            Unary::Tanh => z.tanh(),
            Unary::Sigmoid => {
                // 1 / (1 + exp(-z)), or exp(z) / (1 + exp(z)) for Re z < 0: the exponential
                // never exceeds 1 in modulus (no overflow) and nothing cancels
                if z.re >= 0.0 {
                    one.div(one.add(Complex::new(-z.re, -z.im).exp()))
                } else {
                    let e = z.exp();
                    e.div(one.add(e))
                }
            }
            Unary::Atan => {
                // written without subtractive cancellation in the imaginary part:
                // Re = atan2(2a, 1 - a^2 - b^2) / 2, Im = log1p(4b / (a^2 + (1 - b)^2)) / 4,
                // the latter divided twice by hypot(a, 1 - b), which does not overflow
                // where a^2 does (the slope 1/a^2 is then subnormal, not 0)
                let (a, b) = (z.re, z.im);
                let re = 0.5 * (2.0 * a).atan2((1.0 - a * a) - b * b);
                let hyp = a.hypot(1.0 - b);
                let im = 0.25 * ((4.0 * b / hyp) / hyp).ln_1p();
                Complex::new(re, im)
            }
            // |u| with the derivative convention of the real rules: sign(u), 0 at u = 0
            Unary::Abs => {
                if z.re < 0.0 {
                    Complex::new(-z.re, -z.im)
                } else if z.re > 0.0 {
                    z
                } else if z.re == 0.0 {
                    Complex::new(0.0, 0.0)
                } else {
                    // NaN stays NaN, as |u| does over f64
                    Complex::new(f64::NAN, f64::NAN)
                }
            }
            Unary::Powi(k) => z.powi(k),
        }
    }
    fn binary(&self, op: Binary, o: &Self) -> Self {
        let (u, w) = (*self, *o);
        match op {
            Binary::Add => u.add(w),
            Binary::Sub => Complex::new(u.re - w.re, u.im - w.im),
            Binary::Mul => u.mul(w),
            Binary::Div => u.div(w),
            // exp(w log u); a negative or zero base with a real integer exponent is the
            // integer power (log u would carry i pi, or i pi / 2 at 0, whose rounding
            // swamps the step)
            Binary::Pow
                if u.re <= 0.0
                    && w.im == 0.0
                    && w.re.fract() == 0.0
                    && w.re.abs() <= f64::from(i32::MAX) =>
            {
                u.powi(w.re as i32)
            }
            Binary::Pow => w.mul(u.ln()).exp(),
            Binary::Min | Binary::Max => {
                if selects_left(op, u.re, w.re) {
                    u
                } else {
                    w
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Complex-step derivative of each elemental against the analytic derivative.
    #[test]
    fn complex_step_reproduces_elemental_derivatives() {
        let h = 1e-30;
        let x = 0.3;
        for op in [
            Unary::Neg,
            Unary::Recip,
            Unary::Exp,
            Unary::Log,
            Unary::Sqrt,
            Unary::Sin,
            Unary::Cos,
            Unary::Tan,
            Unary::Tanh,
            Unary::Sigmoid,
            Unary::Atan,
            Unary::Abs,
            Unary::Powi(3),
            Unary::Powi(-2),
        ] {
            let z = Complex::new(x, h).unary(op);
            let v = x.unary(op);
            let d = x.unary_deriv(op, &v);
            assert!(crate::num::bits_err(z.re, v) <= 1.0, "{op:?} value");
            let bits = crate::num::bits_err(z.im / h, d);
            assert!(bits <= 2.0, "{op:?}: {} vs {d} ({bits} bits)", z.im / h);
        }
    }

    #[test]
    fn abs_of_nan_is_nan_as_in_f64() {
        // |NaN| is NaN in every other number type; 0 here would turn a NaN derivative
        // into a finite one
        let z = Complex::new(f64::NAN, 1e-50).unary(Unary::Abs);
        assert!(z.re.is_nan() && z.im.is_nan(), "{z:?}");
        let z = Complex::new(0.0, 1e-50).unary(Unary::Abs);
        assert_eq!((z.re, z.im), (0.0, 0.0));
    }

    #[test]
    fn complex_step_reproduces_both_partials_of_pow() {
        let h = 1e-30;
        let (u, w) = (0.3f64, 2.5f64);
        let v = u.powf(w);
        // the base perturbed: w u^(w-1); the exponent perturbed: u^w log u
        let du = Complex::new(u, h).binary(Binary::Pow, &Complex::new(w, 0.0));
        let dw = Complex::new(u, 0.0).binary(Binary::Pow, &Complex::new(w, h));
        for (z, want, what) in [(du, w * u.powf(w - 1.0), "d/du"), (dw, v * u.ln(), "d/dw")] {
            assert!(
                crate::num::bits_err(z.re, v) <= 1.0,
                "{what} value {}",
                z.re
            );
            let bits = crate::num::bits_err(z.im / h, want);
            assert!(bits <= 2.0, "{what}: {} vs {want} ({bits} bits)", z.im / h);
        }
    }
}
