//! The MPFR reference settles where precision resolves the derivative, and says
//! "unsettled" where no precision up to the cap does: here the derivative of 5000 steps of
//! the chaotic logistic map, which loses about a bit per step. Two precisions that agree
//! on many bits but round to different f64s (a derivative just off a midpoint) do not
//! settle, nor do two that agree on a value whose rounding bound is larger than the
//! value (a term absorbed at both precisions).

use derivbench::measure::{reference_jacobian, RefOptions};
use derivbench::num::Scalar;
use derivbench::scenario::Function;

struct Logistic {
    steps: usize,
}

impl Function for Logistic {
    fn eval<S: Scalar>(&self, x: &[S]) -> Vec<S> {
        let mut v = x[0].clone();
        for _ in 0..self.steps {
            v = v.mul(&v.rsub_f(1.0)).mul_f(4.0);
        }
        vec![v]
    }
}

#[test]
fn chaotic_map_is_reported_unsettled_at_the_cap() {
    let opts = RefOptions::default();
    let r = reference_jacobian(&Logistic { steps: 5000 }, &[0.3], &[0], &opts);
    assert!(!r.settled());
    let e = &r.entries[0][0];
    assert!(!e.settled);
    assert_eq!(e.precision, opts.max_precision);
    assert!(e.agreed_bits < opts.agree_bits);
}

#[test]
fn short_orbit_settles_at_the_first_precision_pair() {
    let r = reference_jacobian(
        &Logistic { steps: 20 },
        &[0.3],
        &[0],
        &RefOptions::default(),
    );
    assert!(r.settled());
    assert_eq!(r.max_precision_used, 512);
}

#[test]
fn a_start_below_the_agreement_threshold_goes_on_until_it_is_met() {
    // `reference.precision = 64`: the pair 64/128 can agree on 64 bits at most, short of
    // the 100 required, so the loop goes on to 128/256
    let opts = RefOptions {
        start_precision: 64,
        ..RefOptions::default()
    };
    let r = reference_jacobian(&Logistic { steps: 20 }, &[0.3], &[0], &opts);
    assert!(r.settled());
    let e = &r.entries[0][0];
    assert_eq!(e.precision, 256, "{e:?}");
    assert!(e.agreed_bits >= 100, "{e:?}");
}

#[test]
fn orbit_longer_than_the_start_precision_needs_more_bits_and_settles() {
    // about 300 steps lose about 300 bits: 256 and 512 disagree, 1024 and 2048 agree
    let r = reference_jacobian(
        &Logistic { steps: 300 },
        &[0.3],
        &[0],
        &RefOptions::default(),
    );
    assert!(r.settled());
    assert!(r.max_precision_used >= 1024, "{}", r.max_precision_used);
}

#[test]
fn agreement_short_of_the_required_bits_raises_the_precision() {
    // 180 steps leave 256 bits with about 76 correct ones: 256 and 512 agree on more than
    // half the required 100 bits but not on 100, so the loop must go on to 1024, where it
    // agrees on some 330
    let opts = RefOptions::default();
    assert_eq!(opts.agree_bits, 100);
    let r = reference_jacobian(&Logistic { steps: 180 }, &[0.3], &[0], &opts);
    assert!(r.settled());
    assert_eq!(r.max_precision_used, 1024);
    let e = &r.entries[0][0];
    assert!(e.agreed_bits >= 100, "{}", e.agreed_bits);
    // and the pair it passed over agreed on between 50 and 100 bits
    let lo = reference_jacobian(
        &Logistic { steps: 180 },
        &[0.3],
        &[0],
        &RefOptions {
            max_precision: 512,
            ..opts
        },
    );
    let a = lo.entries[0][0].agreed_bits;
    assert!((50..100).contains(&a), "{a}");
}

/// f(x) = x (1 + 2^-53 + 2^-300): the derivative lies 2^-300 above the midpoint between
/// the f64s 1 and 1 + 2^-52.
struct NearMidpoint;

impl Function for NearMidpoint {
    fn eval<S: Scalar>(&self, x: &[S]) -> Vec<S> {
        let c = x[0].cst(1.0).add_f(2f64.powi(-53)).add_f(2f64.powi(-300));
        vec![x[0].mul(&c)]
    }
}

#[test]
fn precisions_that_agree_but_round_to_different_f64s_do_not_settle() {
    // at 256 bits the constant rounds to the midpoint itself, and the midpoint rounds to
    // the even f64 1; at 512 bits it is exact and rounds up. The two agree on about 300
    // bits, three times the required 100, but name different f64s: the loop must go on
    // to 1024 bits, where 512 and 1024 name the same f64
    let opts = RefOptions::default();
    assert_eq!(opts.start_precision, 256);
    let r = reference_jacobian(&NearMidpoint, &[0.5], &[0], &opts);
    assert!(r.settled());
    assert_eq!(r.max_precision_used, 1024);
    let e = &r.entries[0][0];
    assert_eq!(e.precision, 1024);
    assert!(e.agreed_bits >= 290, "{}", e.agreed_bits);
    assert_eq!(e.value.to_f64(), 1.0 + 2f64.powi(-52));
    // the pair it passed over: 256 bits alone gives the other f64
    let at_256 = NearMidpoint.eval(&[rug::Float::with_val(256, 0.5)]);
    let slope_256 = rug::Float::with_val(256, &at_256[0] * 2u32);
    assert_eq!(slope_256.to_f64(), 1.0);
}

/// f(a, b) = (a + (b - a)) tanh(232 a): df/da = (1 + (0 - 1)) tanh(232 a) + 0.5 * 232
/// sech^2(232 a) at (1, 0.5), 1.4e-199, where the reverse sweep sums the adjoint of a
/// as +t, then 1.4e-199, then -t with t = tanh(232) ~ 1.
struct AbsorbedTerm;

impl Function for AbsorbedTerm {
    fn eval<S: Scalar>(&self, x: &[S]) -> Vec<S> {
        let (a, b) = (&x[0], &x[1]);
        vec![a.add(&b.sub(a)).mul(&a.mul_f(232.0).tanh())]
    }
}

#[test]
fn a_term_absorbed_at_two_precisions_does_not_settle_on_their_agreement() {
    // 1.4e-199 is 2^-660 of t: 256 and 512 bits both absorb it and agree on 0; the
    // rounding bound of that 0 (about 2t in units of 2^-p) refuses it, and the loop
    // goes on until the precision resolves the term. Oracle: mpmath at 400 bits,
    // 0.5 * 232 * sech(232)^2, rounded to f64.
    let want = 1.42520841339631e-199;
    let r = reference_jacobian(&AbsorbedTerm, &[1.0, 0.5], &[0, 1], &RefOptions::default());
    assert!(r.settled(), "{r:?}");
    let e = &r.entries[0][0];
    assert_eq!(e.to_f64(), want, "{e:?}");
    // 512 bits absorb it, 1024 resolve it, 1024 and 2048 agree
    assert_eq!(e.precision, 2048, "{e:?}");
    // the derivative in b has no absorbed term and settles at the first pair
    assert_eq!(r.entries[0][1].precision, 512);
    // what the absorption does in f64: reverse mode loses the term, forward mode keeps it
    let tape = derivbench::ad::Tape::new();
    let xs = tape.vars(&[1.0, 0.5]);
    let y = AbsorbedTerm.eval(&xs).remove(0);
    assert_eq!(tape.gradient(&y, &xs)[0], 0.0);
    let fwd = derivbench::ad::jacobian_forward(|d| AbsorbedTerm.eval(d), &[1.0, 0.5], &[0]);
    assert!(
        derivbench::num::bits_err(fwd[0][0], want) <= 4.0,
        "{}",
        fwd[0][0]
    );
}

/// f(x) = ((x + tanh(232 x)) - x, 2x): more outputs than inputs, so the reference runs
/// forward mode, whose tangent of the first output sums 1 + 2.9e-199 - 1.
struct AbsorbedTangent;

impl Function for AbsorbedTangent {
    fn eval<S: Scalar>(&self, x: &[S]) -> Vec<S> {
        let t = x[0].mul_f(232.0).tanh();
        vec![x[0].add(&t).sub(&x[0]), x[0].mul_f(2.0)]
    }
}

#[test]
fn a_term_absorbed_in_a_tangent_does_not_settle_either() {
    // forward mode (m = 2 > n = 1): the tangent of x + tanh(232 x) is 1 + 2.9e-199,
    // which rounds to 1 at 256 and 512 bits. Oracle: mpmath at 400 bits,
    // 232 sech(232)^2, rounded to f64.
    let want = 2.85041682679262e-199;
    let r = reference_jacobian(&AbsorbedTangent, &[1.0], &[0], &RefOptions::default());
    assert!(r.settled(), "{r:?}");
    let e = &r.entries[0][0];
    assert_eq!(e.to_f64(), want, "{e:?}");
    assert!(e.precision > 1024, "{e:?}");
    assert_eq!(r.entries[1][0].to_f64(), 2.0);
}

/// f(x) = exp(x) - exp(x), and g(x) = x - x: df/dx = exp(x) - exp(x) cancels rounded
/// terms, dg/dx = 1 - 1 exact ones.
struct Cancels {
    rounded: bool,
}

impl Function for Cancels {
    fn eval<S: Scalar>(&self, x: &[S]) -> Vec<S> {
        let u = if self.rounded {
            x[0].exp()
        } else {
            x[0].clone()
        };
        let w = if self.rounded {
            x[0].exp()
        } else {
            x[0].clone()
        };
        vec![u.sub(&w)]
    }
}

#[test]
fn a_zero_by_cancellation_of_rounded_terms_is_unsettled_and_an_exact_zero_settles() {
    // exp(x) - exp(x) = 0 at every precision, as would be e + tiny - e with tiny below
    // the cap's resolution: the bound cannot see that both roundings are the same, so
    // the reference cannot tell the two apart and says so
    let opts = RefOptions::default();
    let r = reference_jacobian(&Cancels { rounded: true }, &[0.75], &[0], &opts);
    let e = &r.entries[0][0];
    assert!(!e.settled && e.precision == opts.max_precision, "{e:?}");
    assert_eq!(e.to_f64(), 0.0);
    // 1 - 1 is exact (MPFR says no rounding took place): 0 at the first pair
    let r = reference_jacobian(&Cancels { rounded: false }, &[0.75], &[0], &opts);
    assert!(r.settled(), "{r:?}");
    assert_eq!(r.entries[0][0].precision, 512);
    // d(2y)/dx: nothing is summed into x's adjoint, an exact 0 at the first pair
    let r = reference_jacobian(&Doubles, &[0.75, 3.0], &[0, 1], &opts);
    assert!(r.settled(), "{r:?}");
    assert_eq!(r.entries[0][0].to_f64(), 0.0);
    assert_eq!(r.entries[0][0].precision, 512);
}

/// f(x, y) = 2y.
struct Doubles;

impl Function for Doubles {
    fn eval<S: Scalar>(&self, x: &[S]) -> Vec<S> {
        vec![x[1].mul_f(2.0)]
    }
}

/// f(x, y) = x^(0 y): the exponent is recorded as a function of y whose derivative
/// happens to be 0.
struct NegativeBaseZeroExponent;

impl Function for NegativeBaseZeroExponent {
    fn eval<S: Scalar>(&self, x: &[S]) -> Vec<S> {
        vec![x[0].pow(&x[1].mul_f(0.0))]
    }
}

#[test]
fn a_zero_exponent_slope_over_a_negative_base_takes_the_forward_derivative() {
    // at x = -2 the adjoint sweep multiplies by log(-2) = NaN for dy, where forward mode
    // drops the term of an exponent whose tangent is exactly 0; the reference (m <= n:
    // reverse mode) computes the NaN entry again in forward mode and takes its 0
    // (docs/methods.md)
    let opts = RefOptions::default();
    let r = reference_jacobian(&NegativeBaseZeroExponent, &[-2.0, 1.0], &[0, 1], &opts);
    let (dx, dy) = (&r.entries[0][0], &r.entries[0][1]);
    assert!(dx.settled, "{dx:?}");
    assert_eq!(dx.value.to_f64(), 0.0);
    assert!(dy.settled && dy.value.to_f64() == 0.0, "{dy:?}");
    let x = derivbench::ad::seeded(&[-2.0, 1.0], 1);
    assert_eq!(NegativeBaseZeroExponent.eval(&x)[0].d, 0.0);
    // the f64 reverse mode keeps its NaN, and scores 64 bits against the reference
    let tape = derivbench::ad::Tape::new();
    let xs = tape.vars(&[-2.0, 1.0]);
    let y = NegativeBaseZeroExponent.eval(&xs);
    assert!(tape.gradient(&y[0], &xs)[1].is_nan());
}

#[test]
fn cancellations_in_formulas_settle_where_exact_and_not_where_rounded() {
    use derivbench::scenario::file::{load_str, Limits};
    let load = |inputs: &str, outputs: &str| {
        let text = format!("name = \"c\"\ninputs = [{inputs}]\noutputs = [{outputs}]\n");
        load_str(std::path::Path::new("c.toml"), &text, &Limits::default())
            .unwrap()
            .0
    };
    let opts = RefOptions::default();
    // reverse mode (m <= n): sin^2 + cos^2 sums the same rounded product with both
    // signs; exp(x) - exp(x) shares one exp(x), whose adjoint 1 - 1 cancels exactly
    let sc = load(
        "{ name = \"x\", value = 0.75 }, { name = \"y\", value = 0.5 }",
        "\"sin(x)^2 + cos(x)^2\", \"exp(x) - exp(x)\"",
    );
    let r = reference_jacobian(&sc.model, &sc.x, &[0, 1], &opts);
    assert!(!r.entries[0][0].settled, "{:?}", r.entries[0][0]);
    assert!(r.entries[1][0].settled, "{:?}", r.entries[1][0]);
    assert!(r.entries[0][1].settled && r.entries[1][1].settled);
    // forward mode (m > n): exp(x) - exp(x) subtracts two equal rounded tangents and
    // does not settle; the entry is computed again in reverse mode, which settles it
    let sc = load(
        "{ name = \"x\", value = 0.75 }",
        "\"exp(x) - exp(x)\", \"x - x\"",
    );
    let r = reference_jacobian(&sc.model, &sc.x, &[0], &opts);
    assert!(r.settled(), "{:?}", r.entries);
    for e in r.entries.iter().flatten() {
        assert_eq!(e.to_f64(), 0.0);
    }
    // and the other way round: d/dx of x / x sums the rounded adjoints 1/x and -x/x^2
    // in reverse mode, while forward mode's tangent has an exact 0 on top
    let sc = load(
        "{ name = \"x\", value = 0.7 }, { name = \"y\", value = 0.5 }",
        "\"x / x\"",
    );
    let r = reference_jacobian(&sc.model, &sc.x, &[0, 1], &opts);
    assert!(r.settled(), "{:?}", r.entries);
    assert_eq!(r.entries[0][0].to_f64(), 0.0);
    // sin^2 + cos^2 cancels rounded products in both modes, and stays unsettled
    let sc = load("{ name = \"x\", value = 0.75 }", "\"sin(x)^2 + cos(x)^2\"");
    let r = reference_jacobian(&sc.model, &sc.x, &[0], &opts);
    assert!(!r.entries[0][0].settled, "{:?}", r.entries[0][0]);
}

/// y ((z / 3) 3): d/dy is z to within the roundings of the division and the product,
/// which leave it a bound; at z = +-f64::MAX it rounds to +-f64::MAX, whose neighbour
/// beyond is the point where rounding goes to the infinity of its sign.
struct NearTheTop;

impl Function for NearTheTop {
    fn eval<S: Scalar>(&self, x: &[S]) -> Vec<S> {
        vec![x[1].mul(&x[0].div_f(3.0).mul_f(3.0))]
    }
}

#[test]
fn a_derivative_at_either_end_of_f64s_range_settles_alike() {
    for z in [f64::MAX, -f64::MAX, 1e308, -1e308] {
        let r = reference_jacobian(&NearTheTop, &[z, 1.0], &[1], &RefOptions::default());
        let e = &r.entries[0][0];
        assert!(e.settled, "z = {z:e}: {e:?}");
        assert_eq!(e.precision, 512, "z = {z:e}: {e:?}");
        assert_eq!(e.value.to_f64(), z, "z = {z:e}: {e:?}");
    }
}

/// The values alone settle by the rule of the entries: 20 steps of the logistic map at
/// the first pair of precisions, 5000 steps at none up to the cap.
#[test]
fn values_settle_alone_or_say_they_do_not() {
    use derivbench::measure::reference_values;
    let opts = RefOptions::default();
    let short = reference_values(&Logistic { steps: 20 }, &[0.3], &opts);
    let exact = Logistic { steps: 20 }.eval(&[rug::Float::with_val(4096, 0.3)]);
    assert_eq!(short.len(), 1);
    assert_eq!(
        short[0].as_ref().map(|v| v.to_f64()),
        Some(exact[0].to_f64())
    );
    assert_eq!(
        reference_values(&Logistic { steps: 5000 }, &[0.3], &opts),
        vec![None]
    );
}
