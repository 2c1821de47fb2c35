//! The scalar layer: the one trait every scenario is written against, and its
//! implementations for `f64`, MPFR (`rug::Float`), complex numbers and the counting scalar.
//!
//! A scenario is generic over [`Scalar`]; each method (plain evaluation, finite
//! differences, forward and reverse AD, the MPFR reference, operation counting) is a
//! choice of scalar type plus a driver. Because `rug::Float` is not `Copy` and carries its
//! precision, the trait takes `&self`, returns owned values, and builds constants from an
//! existing value ([`Scalar::cst`]) so that they inherit its precision (or tape).
//!
//! Every elemental goes through two entry points, [`Scalar::unary`] and
//! [`Scalar::binary`], so a number type implements one chain rule per kind, not one copy
//! per function. The named methods (`sin`, `mul`, ...) are thin provided wrappers.

mod complex;
mod count;
mod float;
mod gemm;
mod ranged;

pub use complex::Complex;
pub(crate) use count::uncounted;
pub use count::{Count, Eval, Work, WorkCounter};
pub use float::{trig_beyond, TRIG_MAX_EXP};
pub use ranged::{beyond_exponent_range, doubted, kinked, Bound, Ranged};

/// Univariate elementals. `Powi(k)` is u^k for an integer k.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Unary {
    /// -u
    Neg,
    /// 1/u
    Recip,
    /// exp(u)
    Exp,
    /// natural logarithm
    Log,
    /// square root
    Sqrt,
    /// sine
    Sin,
    /// cosine
    Cos,
    /// tangent
    Tan,
    /// hyperbolic tangent
    Tanh,
    /// logistic sigmoid 1/(1+exp(-u)) (in f64, exp(u) below [`SIGMOID_EXP_BELOW`])
    Sigmoid,
    /// arctangent
    Atan,
    /// absolute value (derivative sign(u), 0 at 0)
    Abs,
    /// integer power u^k
    Powi(i32),
}

impl Unary {
    /// Every univariate elemental but the integer power, whose exponent is a parameter.
    pub const FIXED: [Unary; 12] = [
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
    ];

    /// [`Unary::FIXED`] followed by the integer powers u^k for each k of `powers`.
    pub const fn with_powers<const N: usize, const P: usize>(powers: [i32; P]) -> [Unary; N] {
        assert!(N == 12 + P, "N must be 12 + P");
        let mut all = [Unary::Neg; N];
        let mut i = 0;
        while i < N {
            all[i] = if i < 12 {
                Unary::FIXED[i]
            } else {
                Unary::Powi(powers[i - 12])
            };
            i += 1;
        }
        all
    }

    /// The elemental's class in the cost model.
    pub fn class(self) -> OpClass {
        match self {
            Unary::Neg => OpClass::Add,
            Unary::Recip => OpClass::Mul,
            _ => OpClass::Nonlinear,
        }
    }

    /// Lower-case name as used in formulas and traces.
    pub fn name(self) -> &'static str {
        match self {
            Unary::Neg => "neg",
            Unary::Recip => "recip",
            Unary::Exp => "exp",
            Unary::Log => "log",
            Unary::Sqrt => "sqrt",
            Unary::Sin => "sin",
            Unary::Cos => "cos",
            Unary::Tan => "tan",
            Unary::Tanh => "tanh",
            Unary::Sigmoid => "sigmoid",
            Unary::Atan => "atan",
            Unary::Abs => "abs",
            Unary::Powi(_) => "powi",
        }
    }
}

/// Bivariate elementals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Binary {
    /// u + w
    Add,
    /// u - w
    Sub,
    /// u * w
    Mul,
    /// u / w
    Div,
    /// u^w = exp(w log u)
    Pow,
    /// min(u, w) (the derivative follows the selected argument; ties pick u)
    Min,
    /// max(u, w) (ties pick u)
    Max,
}

impl Binary {
    /// Every bivariate elemental.
    pub const ALL: [Binary; 7] = [
        Binary::Add,
        Binary::Sub,
        Binary::Mul,
        Binary::Div,
        Binary::Pow,
        Binary::Min,
        Binary::Max,
    ];

    /// The elemental's class in the cost model.
    pub fn class(self) -> OpClass {
        match self {
            Binary::Add | Binary::Sub | Binary::Min | Binary::Max => OpClass::Add,
            Binary::Mul | Binary::Div => OpClass::Mul,
            Binary::Pow => OpClass::Nonlinear,
        }
    }

    /// Operator symbol or function name.
    pub fn name(self) -> &'static str {
        match self {
            Binary::Add => "+",
            Binary::Sub => "-",
            Binary::Mul => "*",
            Binary::Div => "/",
            Binary::Pow => "pow",
            Binary::Min => "min",
            Binary::Max => "max",
        }
    }
}

/// Cost-model class of an elemental: additive, multiplicative or nonlinear.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpClass {
    /// additions, subtractions, negation, min/max (ADDS)
    Add,
    /// multiplications, divisions, reciprocals (MULTS)
    Mul,
    /// nonlinear univariate functions (NLOPS)
    Nonlinear,
}

/// The numbers a scenario runs on.
///
/// Implementors: `f64`, `rug::Float`, [`Complex`], [`Count`], and the AD types
/// [`crate::ad::Dual`], [`crate::ad::DualVec`], [`crate::ad::Var`].
pub trait Scalar: Clone + std::fmt::Debug {
    /// A constant with value `c` (exact), at the precision (or on the tape) of `self`.
    fn cst(&self, c: f64) -> Self;
    /// The primal value rounded to f64 (used for branching: `abs`, `min`, `max`).
    fn re(&self) -> f64;
    /// Apply a univariate elemental.
    fn unary(&self, op: Unary) -> Self;
    /// Apply a bivariate elemental.
    fn binary(&self, op: Binary, other: &Self) -> Self;

    /// `self op c` with a plain f64 on the right. Implementations may specialise.
    #[inline]
    fn binary_f(&self, op: Binary, c: f64) -> Self {
        self.binary(op, &self.cst(c))
    }
    /// `c op self` with a plain f64 on the left. Implementations may specialise.
    #[inline]
    fn f_binary(&self, c: f64, op: Binary) -> Self {
        self.cst(c).binary(op, self)
    }

    /// True when the value is exactly zero in every component (a dual number's tangents
    /// included). Derivative rules use it to tell an exact zero from a small value.
    #[inline]
    fn is_zero(&self) -> bool {
        self.re() == 0.0
    }

    /// True when the primal value is exactly zero, whatever a dual number's tangents:
    /// the point-wise test of the zero-base limits of u^w (a base u = 0 with a nonzero
    /// tangent still makes w v / u and v log u 0/0 and 0 * -inf). The same as
    /// [`Scalar::is_zero`] except for the dual numbers and the tape's variables.
    #[inline]
    fn value_is_zero(&self) -> bool {
        self.is_zero()
    }

    /// Whether `min`/`max` (`op`) of `self` and `o` takes `self` (ties and NaN pick the
    /// left), by the scalar's own comparison, so that a derivative rule follows the
    /// argument the value took. The default compares the values rounded to f64
    /// ([`selects_left`]); MPFR compares exactly, since values that differ below the f64
    /// resolution round to a tie.
    #[inline]
    fn selects_left_of(&self, op: Binary, o: &Self) -> bool {
        selects_left(op, self.re(), o.re())
    }

    /// The sign of the value, the slope of |u|: 1, -1, or 0 at ±0 and NaN, by the
    /// scalar's own comparison (MPFR's, where a nonzero value below the f64 range would
    /// round to 0).
    #[inline]
    fn sign(&self) -> f64 {
        sign_of(self.re())
    }

    /// True when an adjoint equal to `self` certainly passes nothing back, so that the
    /// adjoint sweep skips the entry: an exact 0 of the reference's [`Ranged`], whose
    /// bound says no rounding error hides in it. The sweep then makes no decision on the
    /// entry's values (a sign, a zero, the argument min/max takes) that the entry's
    /// output does not need, and so no doubt about one. Every other scalar says false:
    /// their sweeps run every rule, as the op counts and timings assume (an entry with
    /// adjoint 0 then passes 0, its products guarded where a partial is infinite).
    #[inline]
    fn passes_nothing(&self) -> bool {
        false
    }

    /// Records `n` reads or writes of scalar values at an elemental boundary of a
    /// representation (the MOVES of the cost model). A no-op except for the counting
    /// scalar.
    #[inline]
    fn note_moves(_n: u64) {}

    /// The derivative psi'(u) of a univariate elemental at `self` = u, given v = psi(u).
    /// Written once over the elementals; the counting scalar overrides it to charge one
    /// nonlinear operation (none for exp, whose derivative is its value). Always inlined:
    /// as a call, its match over every elemental runs for each one, where inlined into a
    /// caller that knows the elemental (x.powi(2) in forward mode) it folds to one arm
    /// (sum of squares in forward mode took 3.9 times num-dual's time as a call).
    #[inline(always)]
    fn unary_deriv(&self, op: Unary, v: &Self) -> Self {
        unary_deriv_generic(self, op, v)
    }

    /// psi(u) and psi'(u) together: [`Scalar::unary`], then [`Scalar::unary_deriv`].
    /// f64 overrides it to compute the exp(-u) of the sigmoid once where both its value
    /// and its slope beyond [`ACTIVATION_SWITCH`] use it: the same operations on the
    /// same operands, so the same bits, with one exp fewer (forward mode).
    #[inline(always)]
    fn unary_with_deriv(&self, op: Unary) -> (Self, Self) {
        let v = self.unary(op);
        let d = self.unary_deriv(op, &v);
        (v, d)
    }

    /// Appends `self` to `out`, as `out.push(self)`. The MLP family appends each
    /// activation through it, which the next layer reads back at once, so that dual
    /// numbers can choose how they are stored: see [`Scalar::push_dual`].
    #[inline(always)]
    fn push_to(self, out: &mut Vec<Self>) {
        out.push(self)
    }

    /// Appends the dual number `x` over `Self` to `out`, as `out.push(x)`; the
    /// [`Scalar::push_to`] of [`crate::ad::Dual`]. f64 overrides it on x86-64 to write
    /// the value and the tangent by one 16-byte store. Compiled as a push, the two were
    /// written by two 8-byte stores, and the next layer's multiply reads the pair back by
    /// one 16-byte load, which the processor cannot take from two stores still pending:
    /// the load waits for both to reach the cache (a store-forwarding stall), on the
    /// chain of every layer (`cargo bench --bench forward_peer` reads what it costs).
    /// Where the reader takes the value and the tangent by two 8-byte loads instead, as
    /// the formula interpreter does, a push is the faster.
    #[inline(always)]
    fn push_dual(x: crate::ad::Dual<Self>, out: &mut Vec<crate::ad::Dual<Self>>) {
        out.push(x)
    }

    /// The matrix product C = op(A) op(B), or C += op(A) op(B) when `accumulate`, every
    /// matrix row-major. op(A) is m x k: `a` itself (m x k), or when `trans_a` the
    /// transpose of `a` stored k x m; op(B) is k x n: `b` (k x n), or when `trans_b` the
    /// transpose of `b` stored n x k. Transposes are strides: nothing is copied. `c` holds
    /// the m x n result and is read only when accumulating. Requires k >= 1.
    ///
    /// The default is the naive product written with the trait's own operations: entry
    /// (i, j) is the left fold a_i1 b_1j + a_i2 b_2j + ... over k starting from the first
    /// product, then added to the old entry when accumulating. The counting scalar
    /// therefore counts every product and sum: m n k products, m n (k - 1) additions, and
    /// m n more when accumulating. `f64` overrides it with a blocked and vectorised loop
    /// (`src/num/gemm.rs`) that keeps this order of operations, so its bits are the default's.
    #[allow(clippy::too_many_arguments)]
    fn matmul(
        a: &[Self],
        trans_a: bool,
        b: &[Self],
        trans_b: bool,
        c: &mut [Self],
        m: usize,
        k: usize,
        n: usize,
        accumulate: bool,
    ) {
        naive_matmul(
            (a, trans_a),
            (b, trans_b),
            c,
            (m, k, n),
            accumulate,
            |x, y| x.mul(y),
        );
    }

    /// u + w
    #[inline]
    fn add(&self, o: &Self) -> Self {
        self.binary(Binary::Add, o)
    }
    /// u - w
    #[inline]
    fn sub(&self, o: &Self) -> Self {
        self.binary(Binary::Sub, o)
    }
    /// u * w
    #[inline]
    fn mul(&self, o: &Self) -> Self {
        self.binary(Binary::Mul, o)
    }
    /// u / w
    #[inline]
    fn div(&self, o: &Self) -> Self {
        self.binary(Binary::Div, o)
    }
    /// u^w
    #[inline]
    fn pow(&self, o: &Self) -> Self {
        self.binary(Binary::Pow, o)
    }
    /// min(u, w)
    #[inline]
    fn min(&self, o: &Self) -> Self {
        self.binary(Binary::Min, o)
    }
    /// max(u, w)
    #[inline]
    fn max(&self, o: &Self) -> Self {
        self.binary(Binary::Max, o)
    }
    /// u + c
    #[inline]
    fn add_f(&self, c: f64) -> Self {
        self.binary_f(Binary::Add, c)
    }
    /// u - c
    #[inline]
    fn sub_f(&self, c: f64) -> Self {
        self.binary_f(Binary::Sub, c)
    }
    /// u * c
    #[inline]
    fn mul_f(&self, c: f64) -> Self {
        self.binary_f(Binary::Mul, c)
    }
    /// u / c
    #[inline]
    fn div_f(&self, c: f64) -> Self {
        self.binary_f(Binary::Div, c)
    }
    /// c - u
    #[inline]
    fn rsub_f(&self, c: f64) -> Self {
        self.f_binary(c, Binary::Sub)
    }
    /// c / u
    #[inline]
    fn rdiv_f(&self, c: f64) -> Self {
        self.f_binary(c, Binary::Div)
    }
    /// -u
    #[inline]
    fn neg(&self) -> Self {
        self.unary(Unary::Neg)
    }
    /// 1/u
    #[inline]
    fn recip(&self) -> Self {
        self.unary(Unary::Recip)
    }
    /// u^k
    #[inline]
    fn powi(&self, k: i32) -> Self {
        self.unary(Unary::Powi(k))
    }
    /// exp(u)
    #[inline]
    fn exp(&self) -> Self {
        self.unary(Unary::Exp)
    }
    /// log(u)
    #[inline]
    fn ln(&self) -> Self {
        self.unary(Unary::Log)
    }
    /// sqrt(u)
    #[inline]
    fn sqrt(&self) -> Self {
        self.unary(Unary::Sqrt)
    }
    /// sin(u)
    #[inline]
    fn sin(&self) -> Self {
        self.unary(Unary::Sin)
    }
    /// cos(u)
    #[inline]
    fn cos(&self) -> Self {
        self.unary(Unary::Cos)
    }
    /// tan(u)
    #[inline]
    fn tan(&self) -> Self {
        self.unary(Unary::Tan)
    }
    /// tanh(u)
    #[inline]
    fn tanh(&self) -> Self {
        self.unary(Unary::Tanh)
    }
    /// sigmoid(u)
    #[inline]
    fn sigmoid(&self) -> Self {
        self.unary(Unary::Sigmoid)
    }
    /// atan(u)
    #[inline]
    fn atan(&self) -> Self {
        self.unary(Unary::Atan)
    }
    /// |u|
    #[inline]
    fn abs(&self) -> Self {
        self.unary(Unary::Abs)
    }
}

/// Where the slopes of tanh (in |u|) and sigmoid (in u) switch from the forms in the
/// value v (1 - v^2, v (1 - v)) to the forms in exp(-|u|), which do not cancel as v
/// rounds towards 1.
pub const ACTIVATION_SWITCH: f64 = 0.5;

/// Below this u, the f64 sigmoid is exp(u) instead of 1 / (1 + exp(-u)). The exact
/// value exp(u) / (1 + exp(u)) is exp(u) (1 - exp(u) + ...), which differs from exp(u)
/// by a relative exp(u) < exp(-37) = 8.5e-17 < 2^-53: there 1 + exp(u) rounds to 1 in
/// f64 (from u = -53 log 2 = -36.7 down), and exp(u) is the value to within the
/// rounding of exp itself. 1 / (1 + exp(-u)) rounds twice there (exp(-u), then the
/// reciprocal), and from u = -709.78 down exp(-u) overflows and it is 0, where the
/// value is a subnormal number down to u = -745.1. From the threshold up the value is
/// 1 / (1 + exp(-u)).
pub const SIGMOID_EXP_BELOW: f64 = -37.0;

/// Where the slope of atan switches from 1 / (1 + u^2) to r^2 / (r^2 + 1), r = 1/u (in
/// |u|): far enough out that nothing changes where u^2 is finite in f64.
pub const ATAN_SWITCH: f64 = 1e150;

/// psi'(u) from u and v = psi(u), written with the trait's own operations.
#[inline(always)]
pub fn unary_deriv_generic<S: Scalar>(u: &S, op: Unary, v: &S) -> S {
    match op {
        Unary::Neg => u.cst(-1.0),
        // d(1/u) = -1/u^2 = -v^2
        Unary::Recip => v.mul(v).neg(),
        Unary::Exp => v.clone(),
        // d log(u) = 1/u; at u = -0 (log(-0) = -inf, as at +0) 1/u would be -inf, while
        // the one-sided slope at 0 is +inf: u + 0 = +0 takes the place of u, as for sqrt
        Unary::Log => {
            if u.value_is_zero() {
                u.add_f(0.0).recip()
            } else {
                u.recip()
            }
        }
        // d sqrt(u) = 1 / (2 sqrt u); at u = -0, sqrt u = -0 and 1 / (2 v) would be
        // -inf, while the one-sided slope at 0 is +inf: there v + 0 = +0 (the same
        // tangent) takes the place of v, a test on the value as at a zero base of pow
        Unary::Sqrt => {
            if v.value_is_zero() {
                v.add_f(0.0).mul_f(2.0).recip()
            } else {
                v.mul_f(2.0).recip()
            }
        }
        Unary::Sin => u.cos(),
        Unary::Cos => u.sin().neg(),
        // 1 + tan^2
        Unary::Tan => v.mul(v).add_f(1.0),
        // 1 - tanh^2 for |u| <= 1/2 (within an ulp there); beyond, 1 - v^2 cancels as
        // tanh u rounds towards 1 (all bits are lost from |u| ~ 19 in f64), and the rule
        // is 4e / (1 + e)^2 with e = exp(-2|u|) (within 3 ulps everywhere)
        Unary::Tanh => {
            if selects_left(Binary::Min, u.re().abs(), ACTIVATION_SWITCH) {
                v.mul(v).rsub_f(1.0)
            } else {
                let e = u.abs().mul_f(-2.0).exp();
                let p = e.add_f(1.0);
                e.mul_f(4.0).div(&p.mul(&p))
            }
        }
        // s (1 - s) for u <= 1/2 (within 2 ulps there: 1 - s >= 0.37 does not cancel);
        // beyond, 1 - s cancels as s rounds towards 1 (all bits are lost from u ~ 37 in
        // f64), and the rule is e / (1 + e)^2 with e = exp(-u) (within 4 ulps)
        Unary::Sigmoid => {
            if selects_left(Binary::Min, u.re(), ACTIVATION_SWITCH) {
                v.mul(&v.rsub_f(1.0))
            } else {
                let e = u.neg().exp();
                let p = e.add_f(1.0);
                e.div(&p.mul(&p))
            }
        }
        // 1 / (1 + u^2); beyond |u| = 1e150, where u^2 overflows f64 (from 1.3e154),
        // the same written r^2 / (r^2 + 1) with r = 1/u
        Unary::Atan => {
            if selects_left(Binary::Min, u.re().abs(), ATAN_SWITCH) {
                u.mul(u).add_f(1.0).recip()
            } else {
                let r = u.recip();
                let rr = r.mul(&r);
                rr.div(&rr.add_f(1.0))
            }
        }
        Unary::Abs => u.cst(u.sign()),
        Unary::Powi(k) => match k {
            0 => u.cst(0.0),
            1 => u.cst(1.0),
            2 => u.mul_f(2.0),
            _ => match k.checked_sub(1) {
                // where u^(k-1) is below f64's normal range (v / u is, in f64), k u^(k-1)
                // keeps only the bits that underflow leaves it, and none where f64's
                // powi forms it as 1 / u^(1-k) and u^(1-k) overflows (2^-1024 is 0, and
                // so is 1128.5^-101 = 5.0e-309): k v / u where v is a normal number (k v
                // does not underflow: |v| >= |v / u|), and u^(k-1) by pow otherwise
                Some(k1) if powi_slope_underflows(u, v) => {
                    if v.re().is_normal() {
                        v.mul_f(k as f64).div(u)
                    } else {
                        powi_slope_in_halves(u, k, k1)
                    }
                }
                Some(k1) => u.powi(k1).mul_f(k as f64),
                // u^(i32::MIN): k u^k / u, since k - 1 is not an i32; where v is not a
                // normal number (f64's powi forms u^(-2^31) as 1 / u^(2^31), which
                // overflows to 0 for |u| > 1 + 3.3e-7), k u^(k/2) u^(k/2) / u by halves
                None if powi_slope_underflows(u, v) && !v.re().is_normal() => {
                    let h = u.pow(&u.cst(f64::from(k / 2)));
                    scaled_product(&[&u.cst(f64::from(k)), &h, &h], Some(u))
                }
                None => v.mul_f(k as f64).div(u),
            },
        },
    }
}

/// k u^(k-1) where v = u^k is not a normal number either: u^(k-1) itself would keep
/// only the bits its subnormal form has (x^-720000 at 1.001: u^(k-1) = 2.9e-313, where
/// the slope is -2.1e-307), so it is formed as k u^a u^b with a + b = k - 1, each power
/// by pow (within an ulp, where f64's powi loses up to log2 |a| bits of a power's
/// repeated squarings) and multiplied by [`scaled_product`]. Wherever the slope is a
/// normal number, |u^(k-1)| >= 2^-1022 / |k| >= 2^-1053, so each half is at least
/// 2^-527 and normal.
#[inline(never)]
fn powi_slope_in_halves<S: Scalar>(u: &S, k: i32, k1: i32) -> S {
    let a = k1 / 2;
    let (ha, hb) = (
        u.pow(&u.cst(f64::from(a))),
        u.pow(&u.cst(f64::from(k1 - a))),
    );
    scaled_product(&[&u.cst(f64::from(k)), &ha, &hb], None)
}

/// Whether u^(k-1), the slope of v = u^k over k, lies below f64's normal range, by
/// v / u at finite values u != 0 and v: a test on the values rounded to f64, as for
/// pow ([`pow_slope_from_the_base`]).
#[inline]
fn powi_slope_underflows<S: Scalar>(u: &S, v: &S) -> bool {
    let (ur, vr) = (u.re(), v.re());
    ur.is_finite() && ur != 0.0 && vr.is_finite() && (vr / ur).abs() < f64::MIN_POSITIVE
}

/// `num[0] * num[1] * ... / den` (`den` 1 when `None`), formed from the factors scaled
/// by powers of two to [1, 2) and scaled back at the end, so that no intermediate
/// product or quotient overflows or underflows f64 unless the result does (which it then
/// does in one rounding). The rules' fallback where their own order of operations
/// overflowed though every operand is finite (`Scalar::re`; a factor of 0, or one beyond
/// f64's range, as over MPFR, is taken as it is). Powers of two scale exactly, so for
/// an f64 result in range this is the product of the scaled factors, rounded once per
/// operation as the rule's own order rounds.
pub fn scaled_product<S: Scalar>(num: &[&S], den: Option<&S>) -> S {
    // the exponent e of 2^e <= |r| < 2^(e+1), subnormal numbers included
    fn exponent(r: f64) -> i64 {
        let biased = ((r.abs().to_bits() >> 52) & 0x7ff) as i64;
        if biased == 0 {
            exponent(r * 2f64.powi(64)) - 64
        } else {
            biased - 1023
        }
    }
    // s 2^e, in steps that each stay within f64's exponent range
    fn times_pow2<S: Scalar>(mut s: S, mut e: i64) -> S {
        while e != 0 {
            let step = e.clamp(-1000, 1000);
            s = s.mul_f(2f64.powi(step as i32));
            e -= step;
        }
        s
    }
    let mut e = 0i64;
    let mut unit = |f: &S, sign: i64| -> S {
        let r = f.re();
        if r == 0.0 || !r.is_finite() {
            return f.clone();
        }
        let k = exponent(r);
        e += sign * k;
        times_pow2(f.clone(), -k)
    };
    let mut p = unit(num[0], 1);
    for f in &num[1..] {
        p = p.mul(&unit(f, 1));
    }
    if let Some(d) = den {
        p = p.div(&unit(d, -1));
    }
    times_pow2(p, e)
}

/// The partials (dv/du, dv/dw) of v = u^w at a base u whose value is exactly zero, where
/// the rules used elsewhere (w v / u and v log u) give 0/0 and 0 * -inf: dv/du =
/// w u^(w-1) (0 for w > 1, 1 for w = 1, infinite for 0 < w < 1, and 0 for w = 0, where
/// u^0 = 1); dv/dw = 0 where v = 0 (w > 0: u^w vanishes for every w nearby), v log u
/// otherwise. The tests are on the values ([`Scalar::value_is_zero`]), so that over dual
/// numbers the values of the partials are these limits whatever the tangents.
pub fn pow_partials_at_zero_base<S: Scalar>(u: &S, w: &S, v: &S) -> (S, S) {
    let du = if w.value_is_zero() {
        u.cst(0.0)
    } else {
        pow_slope_in_base(u, w)
    };
    let dw = if v.value_is_zero() {
        u.cst(0.0)
    } else {
        v.mul(&u.ln())
    };
    (du, dw)
}

/// dv/du = w u^(w-1) of v = u^w, written u^(w-1) * w: one more power than the rule
/// v w / u used where v is a normal f64 number.
pub fn pow_slope_in_base<S: Scalar>(u: &S, w: &S) -> S {
    u.pow(&w.sub_f(1.0)).mul(w)
}

/// Whether dv/du of v = u^w at a nonzero base u is w u^(w-1)
/// ([`pow_slope_in_base`]) rather than v w / u: where the f64 value of v is 0,
/// subnormal or infinite and that of u is finite. There v w / u loses the bits that v
/// lost to underflow (all of them where v is 0: at u = 1e-160, u^2.5 = 0 gives a slope
/// of 0 for 2.5e-240) or is infinite where the slope need not be (u^2.5 at u = 1e160),
/// while w u^(w-1) is computed afresh. A test on values, as at a zero base, taken on
/// the values rounded to f64 by every scalar type; where v is a normal number the rule
/// stays v w / u, and so do its counts.
#[inline]
pub fn pow_slope_from_the_base<S: Scalar>(u: &S, v: &S) -> bool {
    let r = v.re().abs();
    u.re().is_finite() && (r < f64::MIN_POSITIVE || r == f64::INFINITY)
}

/// 1, -1 or 0 (for ±0 and NaN): the slope of |u| at an f64 value.
#[inline]
pub fn sign_of(r: f64) -> f64 {
    if r > 0.0 {
        1.0
    } else if r < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// The naive matrix product of [`Scalar::matmul`] in its order of operations, with each
/// product of an entry of op(A) and one of op(B) formed by `product` (the plain product,
/// or one guarded on its adjoint factor in the matrix tape's guarded sweep).
pub(crate) fn naive_matmul<S: Scalar>(
    (a, trans_a): (&[S], bool),
    (b, trans_b): (&[S], bool),
    c: &mut [S],
    (m, k, n): (usize, usize, usize),
    accumulate: bool,
    product: impl Fn(&S, &S) -> S,
) {
    assert!(k >= 1, "matmul: the inner dimension must be at least 1");
    assert_eq!(a.len(), m * k, "matmul: A is not m x k");
    assert_eq!(b.len(), k * n, "matmul: B is not k x n");
    assert_eq!(c.len(), m * n, "matmul: C is not m x n");
    let ai = |i: usize, p: usize| if trans_a { p * m + i } else { i * k + p };
    let bi = |p: usize, j: usize| if trans_b { j * k + p } else { p * n + j };
    for i in 0..m {
        for j in 0..n {
            let mut s = product(&a[ai(i, 0)], &b[bi(0, j)]);
            for p in 1..k {
                s = s.add(&product(&a[ai(i, p)], &b[bi(p, j)]));
            }
            let cij = &mut c[i * n + j];
            *cij = if accumulate { cij.add(&s) } else { s };
        }
    }
}

/// Which argument `min`/`max` selects: `true` for the left one (ties pick the left).
#[inline]
pub fn selects_left(op: Binary, u: f64, w: f64) -> bool {
    match op {
        // NaN compares as unordered and keeps the left argument
        Binary::Min => w.partial_cmp(&u) != Some(std::cmp::Ordering::Less),
        Binary::Max => w.partial_cmp(&u) != Some(std::cmp::Ordering::Greater),
        _ => true,
    }
}

impl Scalar for f64 {
    #[inline]
    fn cst(&self, c: f64) -> Self {
        c
    }
    #[inline]
    fn re(&self) -> f64 {
        *self
    }
    #[inline]
    fn unary(&self, op: Unary) -> Self {
        let u = *self;
        match op {
            Unary::Neg => -u,
            Unary::Recip => 1.0 / u,
            Unary::Exp => u.exp(),
            Unary::Log => u.ln(),
            Unary::Sqrt => u.sqrt(),
            Unary::Sin => u.sin(),
            Unary::Cos => u.cos(),
            Unary::Tan => u.tan(),
            Unary::Tanh => u.tanh(),
            Unary::Sigmoid => {
                if u < SIGMOID_EXP_BELOW {
                    u.exp()
                } else {
                    1.0 / (1.0 + (-u).exp())
                }
            }
            Unary::Atan => u.atan(),
            Unary::Abs => u.abs(),
            Unary::Powi(k) => u.powi(k),
        }
    }
    #[inline(always)]
    fn unary_with_deriv(&self, op: Unary) -> (Self, Self) {
        let u = *self;
        match op {
            // beyond the switch: the value 1 / (1 + e) of `unary` (u > 1/2 is above
            // SIGMOID_EXP_BELOW) and the slope e / (1 + e)^2 of `unary_deriv_generic`,
            // with e = exp(-u) formed once for both
            Unary::Sigmoid if !selects_left(Binary::Min, u, ACTIVATION_SWITCH) => {
                let e = (-u).exp();
                let p = e + 1.0;
                (1.0 / p, e / (p * p))
            }
            _ => {
                let v = self.unary(op);
                (v, unary_deriv_generic(self, op, &v))
            }
        }
    }
    #[inline(always)]
    fn push_dual(x: crate::ad::Dual<f64>, out: &mut Vec<crate::ad::Dual<f64>>) {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_mm_set_pd, _mm_storeu_pd};
            out.reserve(1);
            let len = out.len();
            // SAFETY: `reserve(1)` leaves room for one element at `len`; `Dual` is
            // `repr(C)`, so an element is its value and then its tangent, 16 bytes that
            // the unaligned store writes whole (SSE2 is part of x86-64); `set_len` then
            // counts the element written
            unsafe {
                let slot = out.as_mut_ptr().add(len).cast::<f64>();
                _mm_storeu_pd(slot, _mm_set_pd(x.d, x.v));
                out.set_len(len + 1);
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        out.push(x)
    }
    #[inline]
    fn binary(&self, op: Binary, o: &Self) -> Self {
        let (u, w) = (*self, *o);
        match op {
            Binary::Add => u + w,
            Binary::Sub => u - w,
            Binary::Mul => u * w,
            Binary::Div => u / w,
            Binary::Pow => u.powf(w),
            Binary::Min | Binary::Max => {
                if selects_left(op, u, w) {
                    u
                } else {
                    w
                }
            }
        }
    }

    /// The naive loop (the default's order) for small products, where packing would
    /// cost more than it saves; above, the same order blocked and vectorised
    /// (`src/num/gemm.rs`): the same bits as the default, on every CPU.
    #[allow(clippy::too_many_arguments)]
    fn matmul(
        a: &[f64],
        trans_a: bool,
        b: &[f64],
        trans_b: bool,
        c: &mut [f64],
        m: usize,
        k: usize,
        n: usize,
        accumulate: bool,
    ) {
        assert!(k >= 1, "matmul: the inner dimension must be at least 1");
        assert_eq!(a.len(), m * k, "matmul: A is not m x k");
        assert_eq!(b.len(), k * n, "matmul: B is not k x n");
        assert_eq!(c.len(), m * n, "matmul: C is not m x n");
        // strides of op(A) and op(B) in their row-major storage
        let (rsa, csa) = if trans_a { (1, m) } else { (k, 1) };
        let (rsb, csb) = if trans_b { (1, k) } else { (n, 1) };
        let product = if m * k * n <= 512 {
            gemm::naive
        } else {
            gemm::matmul
        };
        product(a, (rsa, csa), b, (rsb, csb), c, (m, k, n), accumulate);
    }
}

/// The distance in ulps between `a` and `b`: how many f64 steps lead from one to the
/// other (0 when equal, also for -0 and +0; `u64::MAX` when either is NaN).
pub fn ulps_between(a: f64, b: f64) -> u64 {
    if a.is_nan() || b.is_nan() {
        return u64::MAX;
    }
    fn key(x: f64) -> i128 {
        let bits = x.to_bits() as i64;
        // map to a monotone integer line; -0.0 and +0.0 both map to 0
        if bits < 0 {
            -((bits & i64::MAX) as i128)
        } else {
            bits as i128
        }
    }
    (key(a) - key(b)).unsigned_abs() as u64
}

/// Bits of error in Herbie's sense: log2(1 + number of f64 steps, or ulps, from `value` to
/// `reference`), from 0 (equal) to 64; a NaN or infinite value or reference counts 64,
/// even when both are the same infinity (no finite derivative was delivered).
pub fn bits_err(value: f64, reference: f64) -> f64 {
    if !value.is_finite() || !reference.is_finite() {
        return 64.0;
    }
    let u = ulps_between(value, reference);
    ((u as f64) + 1.0).log2().min(64.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The f64 slopes of tanh and sigmoid hold the accuracy their rules document, on
    /// both sides of [`ACTIVATION_SWITCH`]: tanh within 1 ulp up to |u| = 1/2 and 3
    /// beyond, sigmoid within 2 ulps up to u = 1/2 and 4 beyond, against MPFR's
    /// 1 / cosh^2 u and s (1 - s) at 300 bits, on a grid of u from -40 to 40 that is
    /// fine around the switch.
    #[test]
    fn the_activation_slopes_hold_their_documented_ulps() {
        use rug::Float;
        let p = 300;
        let exact = |op: Unary, u: f64| -> f64 {
            let x = Float::with_val(p, u);
            match op {
                Unary::Tanh => Float::with_val(p, x.cosh_ref()).square().recip().to_f64(),
                _ => {
                    let s = Float::with_val(p, Float::with_val(p, (-x).exp_ref()) + 1u32).recip();
                    let t = Float::with_val(p, 1u32 - &s);
                    (s * t).to_f64()
                }
            }
        };
        let near = (1..=4000).map(|k| k as f64 * 0.0005); // 0.0005 .. 2
        let far = (1..=400).map(|k| k as f64 * 0.1); // 0.1 .. 40
        for a in near.chain(far) {
            for u in [a, -a] {
                for (op, inside, beyond) in [(Unary::Tanh, 1, 3), (Unary::Sigmoid, 2, 4)] {
                    let d = u.unary_deriv(op, &u.unary(op));
                    let on_the_value_side = match op {
                        Unary::Tanh => u.abs() <= ACTIVATION_SWITCH,
                        _ => u <= ACTIVATION_SWITCH,
                    };
                    let tol = if on_the_value_side { inside } else { beyond };
                    let e = exact(op, u);
                    assert!(
                        ulps_between(d, e) <= tol,
                        "{op:?}' at {u}: {d:e} against {e:e}, {} ulps",
                        ulps_between(d, e)
                    );
                }
            }
        }
    }

    #[test]
    fn ulps_and_bits() {
        assert_eq!(ulps_between(1.0, 1.0), 0);
        assert_eq!(ulps_between(1.0, 1.0 + f64::EPSILON), 1);
        assert_eq!(ulps_between(-0.0, 0.0), 0);
        assert_eq!(
            ulps_between(-f64::MIN_POSITIVE, f64::MIN_POSITIVE),
            2 * (1u64 << 52)
        );
        assert_eq!(bits_err(2.0, 2.0), 0.0);
        assert_eq!(bits_err(1.0, 1.0 + f64::EPSILON), 1.0);
        assert_eq!(bits_err(f64::NAN, 1.0), 64.0);
        assert_eq!(bits_err(f64::INFINITY, 1.0), 64.0);
        assert_eq!(bits_err(1.0, f64::NEG_INFINITY), 64.0);
        assert_eq!(bits_err(f64::INFINITY, f64::INFINITY), 64.0);
        assert_eq!(bits_err(f64::NAN, f64::NAN), 64.0);
        // 1 and -1 are each 0x3FF0_0000_0000_0000 steps from 0: 2^63 - 2^53 apart
        assert_eq!(ulps_between(1.0, -1.0), (1u64 << 63) - (1u64 << 53));
        // log2(1 + 2^53 * 1023), the 1 lost in f64's sum: 53 + log2(1023)
        assert!((bits_err(1.0, -1.0) - (53.0 + 1023f64.log2())).abs() < 1e-12);
    }

    #[test]
    fn the_slope_of_pow_comes_from_the_base_where_the_power_is_not_normal() {
        let from_base = |u: f64, v: f64| pow_slope_from_the_base(&u, &v);
        for v in [0.0, -0.0, 1e-320, -1e-320, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(from_base(2.0, v), "v = {v:e}");
            assert!(!from_base(f64::INFINITY, v), "u = inf, v = {v:e}");
            assert!(!from_base(f64::NAN, v), "u = NaN, v = {v:e}");
        }
        for v in [
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            1.0,
            f64::MAX,
            f64::NAN,
        ] {
            assert!(!from_base(2.0, v), "v = {v:e}");
        }
        // w u^(w-1) at u = 1e-160: exact for w = 2, where v w / u is 36 bits off
        let (u, w) = (1e-160f64, 2.0f64);
        assert_eq!(pow_slope_in_base(&u, &w).to_bits(), 2e-160f64.to_bits());
        assert!(bits_err(u.powf(w) * w / u, 2e-160) >= 36.0);
    }

    /// sigmoid(u) in MPFR at 300 bits, correctly rounded to f64 (subnormals included).
    fn sigmoid_oracle(u: f64) -> f64 {
        use rug::Float;
        let e = Float::with_val(300, -Float::with_val(300, u)).exp();
        Float::with_val(300, Float::with_val(300, e + 1u32).recip_ref()).to_f64()
    }

    #[test]
    fn sigmoid_far_left_is_its_subnormal_value_and_unchanged_from_minus_37_up() {
        let old = |u: f64| 1.0 / (1.0 + (-u).exp());
        // from u = -37 up: bit for bit the formula 1 / (1 + exp(-u)), on a grid of
        // spacing 1/64 and one that is not a binary fraction, up to where it is 1
        let mut grid: Vec<f64> = (0..=64 * 837).map(|k| -37.0 + k as f64 / 64.0).collect();
        grid.extend((0..100_000).map(|k| -37.0 + k as f64 * 0.008_37));
        grid.extend([-0.0, f64::MAX, f64::INFINITY, 1e-300, -1e-300]);
        for &u in &grid {
            assert_eq!(u.sigmoid().to_bits(), old(u).to_bits(), "u = {u:e}");
        }
        assert!(f64::NAN.sigmoid().is_nan());
        // below: exp(u), within an ulp of the exact value, also where exp(-u) overflows
        // (from -709.78) and 1 / (1 + exp(-u)) was 0
        let below = (1..=100_000).map(|k| -37.0 - k as f64 * 0.007_09);
        for u in below.chain([-720.0, -740.0, -744.4, -745.1, -800.0, f64::NEG_INFINITY]) {
            let (s, want) = (u.sigmoid(), sigmoid_oracle(u));
            assert!(
                ulps_between(s, want) <= 1,
                "u = {u:e}: {s:e}, want {want:e}"
            );
        }
        assert!((-720f64).sigmoid() > 2e-313, "{:e}", (-720f64).sigmoid());
    }

    /// The one-sided slopes of sqrt and log at 0 are +inf, at -0 as at +0 (where
    /// sqrt(-0) = -0 and 1 / (2 v) is -inf; log(-0) = -inf and 1/u is -inf), for every
    /// scalar type, as pow(x, 0.5) gives it for sqrt.
    #[test]
    fn the_slopes_of_sqrt_and_log_at_minus_zero_are_plus_infinity() {
        use crate::ad::{jacobian_forward, Dual, DualVec, Tape};
        use rug::Float;
        let inf = f64::INFINITY.to_bits();
        for op in [Unary::Sqrt, Unary::Log] {
            let slope = |u: f64| u.unary_deriv(op, &u.unary(op)).to_bits();
            assert_eq!(slope(-0.0), inf, "{op:?}");
            assert_eq!(slope(0.0), inf, "{op:?}");
            let c = Count(-0.0);
            assert_eq!(c.unary_deriv(op, &c.unary(op)).0.to_bits(), inf, "{op:?}");
            let d = Dual::new(-0.0, 1.0);
            assert_eq!(d.unary_deriv(op, &d.unary(op)).v.to_bits(), inf, "{op:?}");
            let d = DualVec::new(-0.0, vec![1.0, 0.0]);
            assert_eq!(d.unary_deriv(op, &d.unary(op)).v.to_bits(), inf, "{op:?}");
            let m = Float::with_val(256, -0.0);
            let sf = m.unary_deriv(op, &m.unary(op));
            assert!(sf.is_infinite() && sf.is_sign_positive(), "{op:?}: {sf}");
            let r = Ranged::exact(Float::with_val(256, -0.0));
            let sr = r.unary_deriv(op, &r.unary(op));
            assert!(
                sr.v.is_infinite() && sr.v.is_sign_positive(),
                "{op:?}: {sr:?}"
            );
            let tape = Tape::new();
            let xs = tape.vars(&[-0.0]);
            assert_eq!(
                tape.gradient(&xs[0].unary(op), &xs)[0].to_bits(),
                inf,
                "reverse, {op:?}"
            );
            let tape = Tape::new();
            let xs = tape.vars(&[Float::with_val(256, -0.0)]);
            let g = tape.gradient(&xs[0].unary(op), &xs);
            assert!(g[0].is_infinite() && g[0].is_sign_positive(), "MPFR tape");
        }
        assert_eq!(
            4f64.unary_deriv(Unary::Sqrt, &2.0).to_bits(),
            0.25f64.to_bits()
        );
        assert_eq!(
            4f64.unary_deriv(Unary::Log, &4f64.ln()).to_bits(),
            0.25f64.to_bits()
        );
        // forward mode, against pow(x, 0.5) for sqrt; log(-x) at x = 0 has the slope
        // 1/x -> -inf from the domain side x < 0
        for (name, f, want) in [
            (
                "sqrt",
                (|x: &Dual<f64>| x.sqrt()) as fn(&Dual<f64>) -> Dual<f64>,
                f64::INFINITY,
            ),
            ("pow", |x: &Dual<f64>| x.pow(&x.cst(0.5)), f64::INFINITY),
            ("log(-x)", |x: &Dual<f64>| x.neg().ln(), f64::NEG_INFINITY),
        ] {
            let d = jacobian_forward(|x: &[Dual<f64>]| vec![f(&x[0])], &[-0.0], &[0])[0][0];
            assert_eq!(d.to_bits(), want.to_bits(), "forward, {name}");
            let d = jacobian_forward(|x: &[Dual<f64>]| vec![f(&x[0])], &[0.0], &[0])[0][0];
            let want0 = if name == "log(-x)" {
                want
            } else {
                f64::INFINITY
            };
            assert_eq!(d.to_bits(), want0.to_bits(), "forward at +0, {name}");
        }
        let tape = Tape::new();
        let xs = tape.vars(&[0.0]);
        assert_eq!(
            tape.gradient(&xs[0].neg().ln(), &xs)[0].to_bits(),
            f64::NEG_INFINITY.to_bits(),
            "reverse, log(-x)"
        );
    }

    /// `Unary::FIXED` lists each elemental but the power once, in order: a new
    /// elemental fails to compile here until it is placed.
    #[test]
    fn the_fixed_elementals_are_every_one_but_the_power() {
        fn place(op: Unary) -> Option<usize> {
            Some(match op {
                Unary::Neg => 0,
                Unary::Recip => 1,
                Unary::Exp => 2,
                Unary::Log => 3,
                Unary::Sqrt => 4,
                Unary::Sin => 5,
                Unary::Cos => 6,
                Unary::Tan => 7,
                Unary::Tanh => 8,
                Unary::Sigmoid => 9,
                Unary::Atan => 10,
                Unary::Abs => 11,
                Unary::Powi(_) => return None,
            })
        }
        for (i, op) in Unary::FIXED.into_iter().enumerate() {
            assert_eq!(place(op), Some(i), "{op:?}");
        }
        let all: [Unary; 14] = Unary::with_powers([5, -1]);
        assert_eq!(&all[..12], &Unary::FIXED[..]);
        assert_eq!(all[12..], [Unary::Powi(5), Unary::Powi(-1)]);
    }

    #[test]
    fn binary_all_lists_every_elemental_once_in_declaration_order() {
        // exhaustive: a new elemental does not compile here until it is placed
        fn place(op: Binary) -> usize {
            match op {
                Binary::Add => 0,
                Binary::Sub => 1,
                Binary::Mul => 2,
                Binary::Div => 3,
                Binary::Pow => 4,
                Binary::Min => 5,
                Binary::Max => 6,
            }
        }
        for (i, op) in Binary::ALL.into_iter().enumerate() {
            assert_eq!(place(op), i, "{op:?}");
        }
    }

    /// f64's value and slope formed together are the bits of `unary` and of the generic
    /// slope, for every univariate elemental, on both sides of the switches and at the
    /// edges (signed zeros, infinities, NaN, the sigmoid's exp threshold).
    #[test]
    fn value_and_slope_together_are_the_bits_of_each_alone() {
        let mut us = vec![
            0.0,
            -0.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            ACTIVATION_SWITCH,
            ACTIVATION_SWITCH.next_up(),
            SIGMOID_EXP_BELOW,
            SIGMOID_EXP_BELOW.next_down(),
            709.8,
            -745.2,
            1e-310,
        ];
        us.extend((-800..=800).map(|k| k as f64 * 0.0625 + 0.01));
        let ops: [Unary; 15] = Unary::with_powers([-3, 2, 7]);
        for op in ops {
            for &u in &us {
                let (v, d) = u.unary_with_deriv(op);
                let v0 = u.unary(op);
                let d0 = unary_deriv_generic(&u, op, &v0);
                assert_eq!(v.to_bits(), v0.to_bits(), "{op:?} value at {u:e}");
                assert_eq!(d.to_bits(), d0.to_bits(), "{op:?} slope at {u:e}");
            }
        }
    }

    #[test]
    fn min_max_ties_pick_left() {
        assert!(selects_left(Binary::Min, 1.0, 1.0));
        assert!(selects_left(Binary::Max, 1.0, 1.0));
        assert!(!selects_left(Binary::Min, 2.0, 1.0));
        assert!(!selects_left(Binary::Max, 1.0, 2.0));
    }
}
