//! Property tests: on random expressions that use every elemental and every operand
//! order (variable op variable, variable op f64, f64 op variable), forward mode, the
//! vector forward mode, reverse mode on the elemental tape and on the statement-level
//! tape agree with each other and with the MPFR reference.
//!
//! What this proves: the f64 implementations of the modes (dual numbers, the vector of
//! tangents, the tape and its sweep) and the MPFR reference agree. It does not check the
//! derivative rules themselves: the reference runs the same rules over MPFR (forward or
//! reverse mode on `Ranged`), so a wrong rule would be wrong on both sides. The rules
//! are checked against oracles that do not use them: the symbolic derivatives and their
//! own rules (`symbolic::tests::every_wrong_rule_is_caught`,
//! `tests/symbolic_matches_ad.rs`), the complex step (`fd` tests), the lecture's
//! 35-digit trace (`tests/lecture_trace_matches_oracle.rs`) and hand-derived Jacobians
//! of the families.
//!
//! Tolerance: an f64 derivative can be far from the reference in ulps for honest
//! reasons (a derivative through log(1 + 1e-5) inherits the rounding of 1 + 1e-5,
//! amplified 10^5 times). The tolerance therefore comes from the computation's own
//! sensitivity to rounding, estimated as discrete stochastic arithmetic does (CESTAC,
//! CADNA): the same derivative is recomputed with every elemental result nudged at random
//! by one ulp, and the spread of those runs measures how far rounding can move it. A mode
//! passes when it is within a few spreads (plus a few ulps) of the reference; a wrong
//! derivative rule is off by O(1) and fails unless the computation is hopelessly
//! ill-conditioned.

use derivbench::ad::{jacobian_forward, jacobian_forward_vector, StatementTape, Tape, TapeScalar};
use derivbench::measure::{reference_jacobian, RefOptions};
use derivbench::num::{Binary, Scalar, Unary};
use derivbench::scenario::Function;
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum E {
    X(usize),
    C(f64),
    U(Unary, Box<E>),
    B(Binary, Box<E>, Box<E>),
    /// e op c
    Bf(Binary, Box<E>, f64),
    /// c op e
    Fb(f64, Binary, Box<E>),
}

/// Unary elementals, each wrapped so that its argument stays in its domain and away
/// from poles: log and sqrt see 1 + u^2, recip sees 2 + u^2 (well away from zero), tan
/// sees atan(u) (inside (-pi/2, pi/2)).
fn unary(op: Unary, e: &E) -> E {
    let b = |e: &E| Box::new(e.clone());
    let safe = |c: f64| E::Bf(Binary::Add, Box::new(E::U(Unary::Powi(2), b(e))), c);
    match op {
        Unary::Log | Unary::Sqrt => E::U(op, Box::new(safe(1.0))),
        Unary::Recip => E::U(op, Box::new(safe(2.0))),
        Unary::Tan => E::U(op, Box::new(E::U(Unary::Atan, b(e)))),
        Unary::Exp => E::U(op, Box::new(E::U(Unary::Tanh, b(e)))),
        _ => E::U(op, b(e)),
    }
}

fn binary(op: Binary, l: &E, r: &E) -> E {
    match op {
        // divide by something away from zero
        Binary::Div => E::B(
            op,
            Box::new(l.clone()),
            Box::new(E::Bf(
                Binary::Add,
                Box::new(E::U(Unary::Powi(2), Box::new(r.clone()))),
                1.5,
            )),
        ),
        // positive base
        Binary::Pow => E::B(
            op,
            Box::new(E::Bf(
                Binary::Add,
                Box::new(E::U(Unary::Powi(2), Box::new(l.clone()))),
                1.0,
            )),
            Box::new(E::U(Unary::Tanh, Box::new(r.clone()))),
        ),
        _ => E::B(op, Box::new(l.clone()), Box::new(r.clone())),
    }
}

fn eval<S: Scalar>(e: &E, x: &[S]) -> S {
    match e {
        E::X(k) => x[*k].clone(),
        E::C(c) => x[0].cst(*c),
        E::U(op, a) => eval(a, x).unary(*op),
        E::B(op, a, b) => eval(a, x).binary(*op, &eval(b, x)),
        E::Bf(op, a, c) => eval(a, x).binary_f(*op, *c),
        E::Fb(c, op, a) => eval(a, x).f_binary(*c, *op),
    }
}

struct F(E);

impl Function for F {
    fn eval<S: Scalar>(&self, x: &[S]) -> Vec<S> {
        vec![eval(&self.0, x)]
    }
}

const UNARY: [Unary; 14] = Unary::with_powers([3, -2]);
const BINARY: [Binary; 7] = Binary::ALL;

fn expr() -> impl Strategy<Value = E> {
    let leaf = prop_oneof![(0usize..3).prop_map(E::X), (-2.0f64..2.0).prop_map(E::C),];
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            (0..UNARY.len(), inner.clone()).prop_map(|(k, e)| unary(UNARY[k], &e)),
            (0..BINARY.len(), inner.clone(), inner.clone())
                .prop_map(|(k, l, r)| binary(BINARY[k], &l, &r)),
            (0..4usize, inner.clone(), 0.25f64..3.0).prop_map(|(k, e, c)| E::Bf(
                BINARY[k],
                Box::new(e),
                c
            )),
            (0..4usize, inner, 0.25f64..3.0).prop_map(|(k, e, c)| E::Fb(c, BINARY[k], Box::new(e))),
        ]
    })
}

/// An f64 whose every elemental result is nudged at random by one ulp (or not).
#[derive(Clone, Copy, Debug)]
struct Nudged(f64);

thread_local! {
    static RNG: std::cell::RefCell<derivbench::scenario::rng::SplitMix64> =
        std::cell::RefCell::new(derivbench::scenario::rng::SplitMix64::new(7));
}

fn nudge(v: f64) -> Nudged {
    let r = RNG.with(|g| g.borrow_mut().next_u64() % 3);
    Nudged(match r {
        0 => v.next_up(),
        1 => v.next_down(),
        _ => v,
    })
}

// SAFETY: its operations compute on its own values and never touch a tape.
unsafe impl TapeScalar for Nudged {}

impl Scalar for Nudged {
    fn cst(&self, c: f64) -> Self {
        Nudged(c)
    }
    fn re(&self) -> f64 {
        self.0
    }
    fn unary(&self, op: Unary) -> Self {
        nudge(self.0.unary(op))
    }
    fn binary(&self, op: Binary, o: &Self) -> Self {
        nudge(self.0.binary(op, &o.0))
    }
    fn unary_deriv(&self, op: Unary, v: &Self) -> Self {
        nudge(self.0.unary_deriv(op, &v.0))
    }
}

/// Which mode a spread is estimated for: the spread of one mode says how far rounding
/// can move that mode's own result.
#[derive(Clone, Copy)]
enum Mode {
    Forward,
    Reverse,
    Statement,
}

/// The spread of one mode's derivative under random one-ulp nudges.
fn rounding_spread(f: &F, x: &[f64], j: usize, mode: Mode) -> f64 {
    let xs: Vec<Nudged> = x.iter().map(|&v| Nudged(v)).collect();
    let runs: Vec<f64> = (0..16)
        .map(|_| match mode {
            Mode::Forward => jacobian_forward(|d| f.eval(d), &xs, &[j])[0][0].0,
            Mode::Reverse => {
                let tape = Tape::new();
                let vs = tape.vars(&xs);
                let y = f.eval(&vs).remove(0);
                tape.gradient(&y, &vs)[j].0
            }
            Mode::Statement => {
                let tape = StatementTape::new();
                let vs = tape.vars(&xs);
                let y = f.eval(&vs).remove(0);
                tape.gradient(&y, &vs)[j].0
            }
        })
        .collect();
    let lo = runs.iter().cloned().fold(f64::INFINITY, f64::min);
    let hi = runs.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    hi - lo
}

/// |got - want| <= 4 * spread + 4 ulps of want.
fn within(got: f64, want: f64, spread: f64) -> bool {
    let ulp = f64::EPSILON * want.abs().max(f64::MIN_POSITIVE);
    (got - want).abs() <= 4.0 * spread + 4.0 * ulp
}

proptest! {
    #[test]
    fn forward_vector_forward_reverse_and_statement_agree_with_the_reference(
        e in expr(),
        x in prop::array::uniform3(-2.0f64..2.0),
    ) {
        let f = F(e.clone());
        let cols = [0usize, 1, 2];
        let r = reference_jacobian(&f, &x, &cols, &RefOptions::default());
        prop_assume!(r.settled());
        // a pole at the point (f = inf) makes 0 * inf = NaN tangents: numerical trouble,
        // tested on its own elsewhere, not a disagreement of modes
        prop_assume!(r.values[0].is_finite() && f.eval(&x)[0].is_finite());
        let fwd = jacobian_forward(|d| f.eval(d), &x, &cols);
        let fwdv = jacobian_forward_vector(|d| f.eval(d), &x, &cols);
        let tape = Tape::new();
        let xs = tape.vars(&x);
        let y = f.eval(&xs).remove(0);
        let rev = tape.gradient(&y, &xs);
        let st = StatementTape::new();
        let sxs = st.vars(&x);
        let sy = f.eval(&sxs).remove(0);
        let stm = st.gradient(&sy, &sxs);
        for j in 0..3 {
            let want = r.entries[0][j].to_f64();
            prop_assume!(want.is_finite());
            let sf = rounding_spread(&f, &x, j, Mode::Forward);
            let sr = rounding_spread(&f, &x, j, Mode::Reverse);
            prop_assert!(within(fwd[j][0], want, sf), "forward d/dx{j}: {} vs {want} (spread {sf:e})", fwd[j][0]);
            prop_assert!(within(fwdv[j][0], want, sf), "vector d/dx{j}: {} vs {want} (spread {sf:e})", fwdv[j][0]);
            prop_assert!(within(rev[j], want, sr), "reverse d/dx{j}: {} vs {want} (spread {sr:e})", rev[j]);
            let ss = rounding_spread(&f, &x, j, Mode::Statement);
            prop_assert!(within(stm[j], want, ss), "statement d/dx{j}: {} vs {want} (spread {ss:e})", stm[j]);
        }
    }
}

/// The comparison is not vacuous: a derivative off by a sign, or by a relative 1e-12 on
/// a well-conditioned entry, fails it. (A wrong rule in the library would be wrong in
/// the reference too; see the module documentation for the tests that catch one.)
#[test]
fn the_comparison_rejects_a_wrong_sign_or_a_relative_1e_12() {
    // d/dx sin(x) computed as -cos(x) instead of cos(x)
    let f = F(E::U(Unary::Sin, Box::new(E::X(0))));
    let x = [0.7f64, 0.0, 0.0];
    let want = x[0].cos();
    let spread = rounding_spread(&f, &x, 0, Mode::Forward);
    assert!(
        spread <= 4.0 * f64::EPSILON,
        "a well-conditioned derivative has a small spread"
    );
    assert!(!within(-want, want, spread));
    assert!(!within(want * (1.0 + 1e-12), want, spread));
    assert!(within(want, want, spread));
}
