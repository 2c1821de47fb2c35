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
    /// The angle of a nonzero or real number, with a real part of -0 taken as +0: -0
    /// is in the real domain of log and pow as over f64, where atan2(0, -0) = pi would
    /// put an angle of pi into an unperturbed value (pi / h in the complex step of a
    /// term that does not depend on the input stepped).
    #[inline]
    fn arg(self) -> f64 {
        let re = if self.re == 0.0 { 0.0 } else { self.re };
        self.im.atan2(re)
    }
    fn ln(self) -> Self {
        Complex::new(self.re.hypot(self.im).ln(), self.arg())
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
    /// u^w on the principal branch, from the modulus and the angle of u.
    fn pow(self, w: Self) -> Self {
        let (a, b, c, d) = (self.re, self.im, w.re, w.im);
        let m = a.hypot(b);
        // 0^w = 0 for Re w > 0, whatever Im w (whose angle d log|u| is infinite)
        if m == 0.0 && c > 0.0 {
            return Complex::new(0.0, 0.0);
        }
        let arg = self.arg();
        // u^w = |u|^c e^(-d arg u) (cos t + i sin t), t = c arg u + d log|u|: |u|^c is
        // powf's, and the complex step's tiny angle t (c b / a + d log a) carries only the
        // rounding of its few terms, where exp(w log u) turned the rounding of w log u into
        // a relative error |w log u| eps of the result. A product with an exactly zero
        // factor is 0, so that real arguments give powf's value also where c, log|u| or
        // arg u is infinite or NaN.
        let mul0 = |x: f64, y: f64| if x == 0.0 || y == 0.0 { 0.0 } else { x * y };
        let t = mul0(c, arg) + mul0(d, m.ln());
        let mut r = m.powf(c);
        let da = mul0(d, arg);
        if da != 0.0 {
            let p = r * (-da).exp();
            // where a factor over- or underflows but the product need not, one exponential
            r = if p.is_normal() {
                p
            } else {
                (c * m.ln() - da).exp()
            };
        }
        if t == 0.0 {
            // a real power: no inf * 0 in the imaginary part when r overflows
            Complex::new(r, 0.0)
        } else {
            let (sin, cos) = t.sin_cos();
            Complex::new(r * cos, r * sin)
        }
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
            // outside the real domain (a negative real part) NaN, as over f64: the
            // principal branch would carry on across the negative axis, with an imaginary
            // part of pi (log) that is no step's, and min/max would then take it where
            // f64's NaN loses the comparison
            Unary::Log | Unary::Sqrt if z.re < 0.0 => Complex::new(f64::NAN, f64::NAN),
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
            // through the modulus and the angle of u; a negative or zero base with a real
            // integer exponent is the integer power (arg u would be pi, or pi / 2 at 0,
            // whose rounding swamps the step)
            Binary::Pow
                if u.re <= 0.0
                    && w.im == 0.0
                    && w.re.fract() == 0.0
                    && w.re.abs() <= f64::from(i32::MAX) =>
            {
                u.powi(w.re as i32)
            }
            // a negative base to any other power is NaN over f64, and likewise here (an
            // exponent with an imaginary part is a perturbed one: its power has no real
            // derivative in it at a negative base)
            Binary::Pow if u.re < 0.0 && (w.im != 0.0 || w.re.fract() != 0.0) => {
                Complex::new(f64::NAN, f64::NAN)
            }
            Binary::Pow => u.pow(w),
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
    use crate::fd::complex_step_size;
    use crate::num::ulps_between;
    use rug::ops::Pow;
    use rug::Float;

    const PREC: u32 = 256;

    fn fl(x: f64) -> Float {
        Float::with_val(PREC, x)
    }

    /// Complex-step derivative of each elemental against the analytic derivative.
    #[test]
    fn complex_step_reproduces_elemental_derivatives() {
        let h = 1e-30;
        let x = 0.3;
        let ops: [Unary; 14] = Unary::with_powers([3, -2]);
        for op in ops {
            let z = Complex::new(x, h).unary(op);
            let v = x.unary(op);
            let d = x.unary_deriv(op, &v);
            assert!(crate::num::bits_err(z.re, v) <= 1.0, "{op:?} value");
            let bits = crate::num::bits_err(z.im / h, d);
            assert!(bits <= 2.0, "{op:?}: {} vs {d} ({bits} bits)", z.im / h);
        }
    }

    /// Outside the real domain the complex step follows f64: NaN for log and sqrt of a
    /// negative real part and for a negative base to a power that is not a real integer,
    /// so that min and max discard it as over f64 (max(0, log x) at x = -2 is 0 with
    /// derivative 0, where the principal branch gave pi / h = 5.9e50).
    #[test]
    fn outside_the_real_domain_is_nan_as_in_f64() {
        let h = complex_step_size(-2.0);
        let x = Complex::new(-2.0, h);
        for op in [Unary::Log, Unary::Sqrt] {
            let z = x.unary(op);
            assert!(z.re.is_nan() && z.im.is_nan(), "{op:?}: {z:?}");
            assert!((-2.0f64).unary(op).is_nan());
        }
        for w in [Complex::new(0.5, 0.0), Complex::new(3.0, h)] {
            let z = Complex::new(-2.0, 0.0).binary(Binary::Pow, &w);
            assert!(z.re.is_nan() && z.im.is_nan(), "(-2)^{w:?}: {z:?}");
        }
        // a real integer power of a negative base is defined, and so is its slope
        let z = x.binary(Binary::Pow, &Complex::new(3.0, 0.0));
        assert_eq!((z.re, z.im / h), (-8.0, 12.0));
        // max(0, log x): the left argument, as f64's max takes it past a NaN
        let zero = Complex::new(0.0, 0.0);
        let z = zero.binary(Binary::Max, &x.unary(Unary::Log));
        assert_eq!((z.re, z.im), (0.0, 0.0));
        assert_eq!(0.0f64.binary(Binary::Max, &(-2.0f64).ln()), 0.0);
        // -0 is in the domain: sqrt(-0) = -0, log(-0) = -inf, as over f64, with no
        // imaginary part where nothing is perturbed (an angle of pi would be pi / h in the
        // complex step of log(z) + x in x)
        for im in [0.0, -0.0] {
            let z = Complex::new(-0.0, im).unary(Unary::Log);
            assert_eq!(z.re, f64::NEG_INFINITY);
            assert_eq!(z.im.to_bits(), im.to_bits(), "log(-0 + {im}i)");
        }
        assert_eq!(Complex::new(-0.0, 0.0).unary(Unary::Sqrt).re, 0.0);
        // perturbed, -0 and +0 are the same base: log(-0 + ih) = log h + i pi / 2
        let z = Complex::new(-0.0, h).unary(Unary::Log);
        assert_eq!((z.re, z.im), (h.ln(), std::f64::consts::FRAC_PI_2));
        // a power of -0 is the power of +0, unperturbed (0^-0.5 = inf, no angle)
        for w in [-0.5, 0.5, 2.5] {
            let neg = Complex::new(-0.0, 0.0).binary(Binary::Pow, &Complex::new(w, 0.0));
            let pos = Complex::new(0.0, 0.0).binary(Binary::Pow, &Complex::new(w, 0.0));
            assert_eq!(neg, pos, "(-0)^{w}");
            assert_eq!(neg.im, 0.0, "(-0)^{w}");
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

    /// u^w against its exact value, and the complex-step derivative Im(u^w) / h against
    /// the exact slope, both rounded from MPFR: a line in `bad` where the value is off by
    /// more than 1 ulp or the slope by more than 2.
    fn check_step(
        bad: &mut Vec<String>,
        what: &str,
        uw: (Complex, Complex),
        h: f64,
        vs: (Float, Float),
    ) {
        let z = uw.0.binary(Binary::Pow, &uw.1);
        let (v, s) = (vs.0.to_f64(), vs.1.to_f64());
        let (ev, es) = (ulps_between(z.re, v), ulps_between(z.im / h, s));
        if ev > 1 || es > 2 {
            bad.push(format!(
                "{what}: value {:e} vs {v:e} ({ev} ulps), slope {:e} vs {s:e} ({es} ulps)",
                z.re,
                z.im / h
            ));
        }
    }

    /// At a large |w log u|, where exp(w log u) is off by up to about |w log u| ulps in the
    /// value and the slope (up to 262 ulps in these cases), pow is exact to 2 ulps in the
    /// slope and 1 in the value.
    #[test]
    fn complex_step_of_pow_is_exact_to_a_few_ulps() {
        let mut bad = Vec::new();
        // x^x at 100: x^x (log x + 1), both arguments perturbed
        let x = 100.0;
        let h = complex_step_size(x);
        let v = fl(x).pow(&fl(x));
        let s = Float::with_val(PREC, &v * (fl(x).ln() + 1u32));
        let z = Complex::new(x, h);
        check_step(&mut bad, "x^x at 100", (z, z), h, (v, s));
        // 2^(8x) at 100: 8 log 2 2^(8x), the exponent perturbed through the product
        let w = Complex::new(8.0, 0.0).binary(Binary::Mul, &z);
        let v = fl(2.0).pow(800u32);
        let s = Float::with_val(PREC, &v * (fl(2.0).ln() * 8u32));
        check_step(
            &mut bad,
            "2^(8x) at 100",
            (Complex::new(2.0, 0.0), w),
            h,
            (v, s),
        );
        // x^c: c x^(c-1), the base perturbed
        for (x, c) in [(7.0, 2.5), (3.0, -0.5), (7.0, 150.5), (50.0, -100.0)] {
            let h = complex_step_size(x);
            let v = fl(x).pow(&fl(c));
            let s = Float::with_val(PREC, &v * fl(c) / fl(x));
            let uw = (Complex::new(x, h), Complex::new(c, 0.0));
            check_step(&mut bad, &format!("x^{c} at {x}"), uw, h, (v, s));
        }
        // b^x: b^x log b, the exponent perturbed
        for (b, x) in [(10.0, 40.0), (0.3, 2.5), (0.3, -300.0)] {
            let h = complex_step_size(x);
            let v = fl(b).pow(&fl(x));
            let s = Float::with_val(PREC, &v * fl(b).ln());
            let uw = (Complex::new(b, 0.0), Complex::new(x, h));
            check_step(&mut bad, &format!("{b}^x at {x}"), uw, h, (v, s));
        }
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }

    /// General complex arguments against the principal value computed in MPFR, to a
    /// few units of rounding of |u^w| (an angle t far from 0 is rounded to u |t|).
    #[test]
    fn pow_of_general_complex_arguments_is_the_principal_value() {
        for (u, w) in [
            ((1.5, -0.7), (0.3, 2.1)),
            ((0.5, 3.0), (-2.0, 0.0)),
            ((-2.0, 0.0), (0.5, 0.0)),
            ((-3.0, -0.5), (1.5, -0.25)),
            ((0.0, 2.0), (2.5, 0.0)),
            ((1e300, 1e300), (0.5, 0.0)),
            // |u|^40 = 1e400 overflows, e^(-100 arg u) = 2.6e-137 brings it back
            ((-1e10, 1.0), (40.0, 100.0)),
        ] {
            let z = Complex::new(u.0, u.1).pow(Complex::new(w.0, w.1));
            let (a, b, c, d) = (fl(u.0), fl(u.1), fl(w.0), fl(w.1));
            let m = Float::with_val(PREC, a.hypot_ref(&b)).ln();
            let arg = b.atan2(&a);
            let r = Float::with_val(PREC, &c * &m - &d * &arg).exp();
            let t = Float::with_val(PREC, &c * &arg + &d * &m);
            let re = Float::with_val(PREC, &r * t.clone().cos()).to_f64();
            let im = Float::with_val(PREC, &r * t.clone().sin()).to_f64();
            let tol = 4.0 * f64::EPSILON * r.to_f64() * t.to_f64().abs().max(1.0);
            let what = format!("{u:?}^{w:?}: {z:?} vs ({re:e}, {im:e})");
            assert!(z.re.is_finite() && z.im.is_finite(), "{what}");
            assert!(
                (z.re - re).abs() <= tol && (z.im - im).abs() <= tol,
                "{what}"
            );
        }
    }

    /// A real base >= 0 to a real exponent is f64's powf with imaginary part 0, also
    /// where powf is infinite, 0 or 1 at an infinite or NaN argument.
    #[test]
    fn pow_of_real_arguments_is_powf() {
        for (u, w) in [
            (2.0, 0.5),
            (100.0, 100.0),
            (2.0, 2000.0),
            (2.0, f64::INFINITY),
            (0.5, f64::INFINITY),
            (0.0, -2.5),
            (0.0, 2.5),
            (1.0, f64::NAN),
            (f64::NAN, 0.0),
            (f64::NAN, 2.5),
        ] {
            let z = Complex::new(u, 0.0).binary(Binary::Pow, &Complex::new(w, 0.0));
            let v = u.powf(w);
            let same = z.re.to_bits() == v.to_bits() || (z.re.is_nan() && v.is_nan());
            assert!(same && (z.im == 0.0 || v.is_nan()), "{u}^{w}: {z:?} vs {v}");
        }
    }

    /// 0^w = 0 for Re w > 0 also with the exponent perturbed (the slope in w is 0 there, as
    /// in forward mode), where exp(w log u) is NaN (0 * log 0).
    #[test]
    fn zero_base_to_a_positive_power_is_zero() {
        for w in [Complex::new(2.5, 0.0), Complex::new(1.5, 1e-50)] {
            let z = Complex::new(0.0, 0.0).binary(Binary::Pow, &w);
            assert_eq!((z.re, z.im), (0.0, 0.0), "0^{w:?}");
        }
    }
}
