//! Symbolic derivatives against forward mode, reverse mode and the MPFR reference, on
//! the default formula scenario, a scenario with vector inputs, constants, loops and
//! generated outputs, and random formulas that use every function and every operand
//! order; and the measured expression swell on the lecture's two examples.
//!
//! # The comparisons and their tolerances
//!
//! - **The rules, exactly.** The symbolic derivative evaluated in MPFR must agree with
//!   the reference (and with forward mode over MPFR, whose rules are written
//!   independently) to at least 64 leading bits. Forward mode sums in another order,
//!   and so may the reference (which takes an entry that reverse mode leaves unsettled
//!   from forward mode), so against either a derivative far below the terms summed
//!   into it may instead differ by no more than the f64 running bounds below, scaled
//!   from 2^-53 to 2^-p: (a + (b - a)) g sums g - g and a term of 1e-888412 in reverse
//!   order, where 4096 bits absorb the term. Both are evaluated at the precision at
//!   which the reference settled (256 bits or more): the reference's loop found that
//!   precision enough for the tape's operations, which are the symbolic derivatives'
//!   operations (a derivative through a subnormal value, or one that cancels, may need
//!   more than 256). There, the rounding is far below 2^-64, while a
//!   wrong rule is off by O(1): 64 bits leave room for honest cancellation and none
//!   for a wrong rule.
//! - **Same operations, same numbers.** The symbolic expressions are built in the
//!   order of the tape's reverse sweep with the same local partials, so the f64
//!   evaluation must equal reverse mode exactly (a zero may differ in sign, NaN equals
//!   NaN).
//! - **Rounding, by the size of the terms.** In f64, each evaluation is compared with
//!   the reference and with forward mode within a tolerance computed from the
//!   computation itself: a running error bound (Wilkinson's running error analysis,
//!   the `Bound` scalar) that adds, at every elemental, u times the size of its
//!   result and propagates the errors of its arguments by the elemental's partial
//!   derivatives. The tolerance is twice that first-order bound plus two ulps; it
//!   grows with the magnitudes the computation goes through, not with the answer.
//!   A first-order bound needs the f64 computation in its first-order regime: random
//!   cases whose f64 function leaves it (overflow, a pole) are left out, judged on the
//!   function alone, never on the derivatives.
//!
//! `a_wrong_rule_is_caught_by_every_comparison` shows that each comparison rejects
//! derivatives produced by wrong rules, including one wrong by a relative 1e-9; the
//! unit tests of `src/symbolic/` break each rule of the library in turn and catch it.

mod common;

use common::formulas::{formula, formula_program};
use derivbench::ad::{jacobian_forward, Tape};
use derivbench::measure::{reference_jacobian, RefOptions};
use derivbench::num::{selects_left, Binary, Scalar, Unary};
use derivbench::scenario::expr::{Instr, Program};
use derivbench::scenario::file::{load_file, load_str, Limits as FileLimits};
use derivbench::scenario::Model;
use derivbench::symbolic::{
    differentiate, fitted_exponent, growth, lecture_ns, swell, swell_series, SeriesKind, Sharing,
    Swell, FIT_FROM,
};
use proptest::prelude::*;
use rug::Float;
use std::path::Path;

const U: f64 = f64::EPSILON / 2.0;
/// The absolute rounding error of a result in the subnormal range is at most half the
/// smallest subnormal; this bounds it.
const ETA: f64 = f64::from_bits(1);

/// The rounding error of one operation that makes `v`: relative u, or the absolute
/// underflow error.
fn rounding(v: f64) -> f64 {
    U * v.abs() + ETA
}

/// A value with a first-order bound `e` on its accumulated rounding error (running
/// error analysis): inputs and constants are exact; each elemental adds the rounding of
/// its result (c (u |v| + eta), c = 1 for correctly rounded operations, 2 for libm
/// functions within an ulp, more for composites; eta for the subnormal range) and
/// propagates its arguments' errors through its partial derivatives.
#[derive(Clone, Debug)]
struct Bound {
    v: f64,
    e: f64,
}

impl Scalar for Bound {
    fn cst(&self, c: f64) -> Self {
        Bound { v: c, e: 0.0 }
    }
    fn re(&self) -> f64 {
        self.v
    }
    fn unary(&self, op: Unary) -> Self {
        let v = self.v.unary(op);
        let round = match op {
            Unary::Neg | Unary::Abs => 0.0,
            Unary::Recip | Unary::Sqrt => 1.0,
            // exp, negation, add, reciprocal
            Unary::Sigmoid => 5.0,
            // repeated multiplication, and a reciprocal for k < 0
            Unary::Powi(k) => 2.0 * f64::from(k.unsigned_abs()) + 2.0,
            _ => 2.0,
        };
        let dpsi = self.v.unary_deriv(op, &v).abs();
        let prop = if self.e == 0.0 { 0.0 } else { dpsi * self.e };
        Bound {
            v,
            e: prop + round * rounding(v),
        }
    }
    fn binary(&self, op: Binary, o: &Self) -> Self {
        let (a, b) = (self.v, o.v);
        let v = a.binary(op, &b);
        let r = rounding(v);
        let e = match op {
            Binary::Add | Binary::Sub => self.e + o.e + r,
            Binary::Mul => b.abs() * self.e + a.abs() * o.e + self.e * o.e + r,
            Binary::Div => (self.e + v.abs() * o.e) / b.abs() + r,
            Binary::Pow => {
                let ea = if self.e == 0.0 {
                    0.0
                } else {
                    (b * v / a).abs() * self.e
                };
                let eb = if o.e == 0.0 {
                    0.0
                } else {
                    (v * a.ln()).abs() * o.e
                };
                ea + eb + 2.0 * r
            }
            Binary::Min | Binary::Max => {
                if selects_left(op, a, b) {
                    self.e
                } else {
                    o.e
                }
            }
        };
        Bound { v, e }
    }
}

/// The spacing of f64 at `x`.
fn ulp(x: f64) -> f64 {
    (f64::EPSILON * x.abs()).max(f64::from_bits(1))
}

/// Leading bits on which two MPFR values agree (relative); the precision when equal.
fn agree_bits(a: &Float, b: &Float) -> u32 {
    let cap = a.prec().min(b.prec());
    if (a.is_nan() && b.is_nan()) || a == b {
        return cap;
    }
    if !a.is_finite() || !b.is_finite() {
        return 0;
    }
    let p = cap + 64;
    let diff = Float::with_val(p, a - b).abs();
    let scale = Float::with_val(p, a.abs_ref()).max(&Float::with_val(p, b.abs_ref()));
    let rel = Float::with_val(p, &diff / &scale);
    match rel.get_exp() {
        Some(e) => (-(e as i64)).clamp(0, cap as i64) as u32,
        None => cap,
    }
}

/// Everything a derivative is compared with, at one point: `[output][input]`.
struct Truth {
    /// the precision at which the reference settled, in bits: what the tape's own
    /// operations needed, hence also the symbolic derivatives' (the same operations)
    precision: u32,
    reference: Vec<Vec<Float>>,
    reverse: Vec<Vec<f64>>,
    forward: Vec<Vec<f64>>,
    forward_bound: Vec<Vec<f64>>,
    forward_mpfr: Vec<Vec<Float>>,
}

/// A candidate derivative at one point: f64 values, their running error bounds and
/// the values in MPFR, `[output][input]`.
struct Candidate {
    f64: Vec<Vec<f64>>,
    bound: Vec<Vec<f64>>,
    mpfr: Vec<Vec<Float>>,
}

/// Which comparisons failed, with a message for each.
#[derive(Debug, Default)]
struct Verdict {
    mpfr_vs_reference: Vec<String>,
    mpfr_vs_forward: Vec<String>,
    f64_vs_reverse: Vec<String>,
    f64_vs_reference: Vec<String>,
    f64_vs_forward: Vec<String>,
}

impl Verdict {
    fn ok(&self) -> bool {
        self.all_failures().is_empty()
    }
    fn all_failures(&self) -> Vec<&String> {
        self.mpfr_vs_reference
            .iter()
            .chain(&self.mpfr_vs_forward)
            .chain(&self.f64_vs_reverse)
            .chain(&self.f64_vs_reference)
            .chain(&self.f64_vs_forward)
            .collect()
    }
}

/// The truth for `p` at `x`, or `None` when the reference did not settle.
fn truth(p: &Program, x: &[f64]) -> Option<Truth> {
    let n = x.len();
    let cols: Vec<usize> = (0..n).collect();
    let model = Model::Expr(p.clone());
    let r = reference_jacobian(&model, x, &cols, &RefOptions::default());
    if !r.settled() {
        return None;
    }
    let reference = r
        .entries
        .iter()
        .map(|row| row.iter().map(|e| e.value.clone()).collect())
        .collect();
    let tape = Tape::new();
    let xs = tape.vars(x);
    let ys = p.eval(&xs);
    let reverse = tape.jacobian(&ys, &xs);
    let m = ys.len();
    let forward = transpose(jacobian_forward(|d| p.eval(d), x, &cols), m);
    let xb: Vec<Bound> = x.iter().map(|&v| Bound { v, e: 0.0 }).collect();
    let fb = jacobian_forward(|d| p.eval(d), &xb, &cols);
    let forward_bound = transpose(
        fb.into_iter()
            .map(|c| c.into_iter().map(|b| b.e).collect())
            .collect(),
        m,
    );
    let precision = r.max_precision_used;
    let xf: Vec<Float> = x.iter().map(|&v| Float::with_val(precision, v)).collect();
    let forward_mpfr = transpose(jacobian_forward(|d| p.eval(d), &xf, &cols), m);
    Some(Truth {
        precision,
        reference,
        reverse,
        forward,
        forward_bound,
        forward_mpfr,
    })
}

/// Columns (one per input, as forward mode gives them) to rows `[output][input]`.
fn transpose<T: Clone>(cols: Vec<Vec<T>>, m: usize) -> Vec<Vec<T>> {
    (0..m)
        .map(|i| cols.iter().map(|col| col[i].clone()).collect())
        .collect()
}

/// The symbolic derivatives of `p` at `x` as a candidate, in MPFR at `precision` bits.
fn symbolic(p: &Program, sharing: Sharing, x: &[f64], precision: u32) -> Candidate {
    let d = differentiate(p, sharing);
    let xb: Vec<Bound> = x.iter().map(|&v| Bound { v, e: 0.0 }).collect();
    let xf: Vec<Float> = x.iter().map(|&v| Float::with_val(precision, v)).collect();
    Candidate {
        f64: d.eval(x),
        bound: d
            .eval(&xb)
            .into_iter()
            .map(|r| r.into_iter().map(|b| b.e).collect())
            .collect(),
        mpfr: d.eval(&xf),
    }
}

/// Every comparison of the module documentation.
fn judge(t: &Truth, c: &Candidate) -> Verdict {
    let mut v = Verdict::default();
    for i in 0..t.reference.len() {
        for j in 0..t.reference[i].len() {
            let at = format!("d y{i} / d x{j}");
            let reference = &t.reference[i][j];
            let want = reference.to_f64();
            let bits = agree_bits(&c.mpfr[i][j], reference);
            let bound = 2.0 * c.bound[i][j];
            if bits < 64 && !within_mpfr(&c.mpfr[i][j], reference, bound, t.precision) {
                v.mpfr_vs_reference.push(format!(
                    "{at}: {} vs reference {reference}: {bits} bits",
                    c.mpfr[i][j]
                ));
            }
            let bits = agree_bits(&c.mpfr[i][j], &t.forward_mpfr[i][j]);
            // forward mode sums in another order: where the derivative lies far below
            // the terms summed into it (1 + (0 - 1) in one order, 1 + tiny - 1 in the
            // other, and tiny = 2.8e-507 absorbed at 512 bits), the two differ by the
            // rounding of those terms, bounded by the f64 running bounds scaled from
            // 2^-53 to 2^-p
            let bound = 2.0 * (c.bound[i][j] + t.forward_bound[i][j]);
            let (s, f) = (&c.mpfr[i][j], &t.forward_mpfr[i][j]);
            if bits < 64 && !within_mpfr(s, f, bound, t.precision) {
                v.mpfr_vs_forward.push(format!(
                    "{at}: {} vs forward {}: {bits} bits",
                    c.mpfr[i][j], t.forward_mpfr[i][j]
                ));
            }
            let (s, r) = (c.f64[i][j], t.reverse[i][j]);
            if !(s == r || (s.is_nan() && r.is_nan())) {
                v.f64_vs_reverse
                    .push(format!("{at}: {s:e} vs reverse {r:e}"));
            }
            let tol = 2.0 * c.bound[i][j] + 2.0 * ulp(want);
            if !within(s, want, tol) {
                v.f64_vs_reference.push(format!(
                    "{at}: {s:e} vs reference {want:e}: off by {:.3e} ulps, tolerance {:.3e} ulps",
                    (s - want).abs() / ulp(want),
                    tol / ulp(want)
                ));
            }
            let f = t.forward[i][j];
            let tol = 2.0 * (c.bound[i][j] + t.forward_bound[i][j]) + 2.0 * ulp(f);
            if !within(s, f, tol) {
                v.f64_vs_forward.push(format!(
                    "{at}: {s:e} vs forward {f:e}: off by {:.3e}, tolerance {tol:.3e}",
                    (s - f).abs()
                ));
            }
        }
    }
    v
}

/// Both sharing variants against the truth; panics with every failure.
fn assert_symbolic_matches(name: &str, p: &Program, x: &[f64]) {
    let t = truth(p, x).unwrap_or_else(|| panic!("{name}: the reference settles"));
    let dag = symbolic(p, Sharing::Dag, x, t.precision);
    let tree = symbolic(p, Sharing::Tree, x, t.precision);
    assert_eq!(
        bits(&dag.f64),
        bits(&tree.f64),
        "{name}: the tree computes the DAG's numbers"
    );
    let v = judge(&t, &dag);
    assert!(v.ok(), "{name}: {:#?}", v.all_failures());
}

/// The bit patterns, so that NaN equals NaN.
fn bits(v: &[Vec<f64>]) -> Vec<Vec<u64>> {
    v.iter()
        .map(|r| r.iter().map(|x| x.to_bits()).collect())
        .collect()
}

/// True when every instruction of `p` at `x` is finite in f64 and within its running
/// error bound (twice it, plus two ulps) of its value in MPFR at `precision` bits: the
/// f64 function is in the regime where a first-order bound holds. Near a pole it is
/// not: tan(atan(P)) for P = 5.4e24 is 1.6e16 in f64, since atan(P) rounds to the f64
/// nearest pi/2, while its first-order bound is 1.8e17.
fn first_order_regime(p: &Program, x: &[f64], precision: u32) -> bool {
    let mut b: Vec<Bound> = Vec::with_capacity(p.len());
    let mut f: Vec<Float> = Vec::with_capacity(p.len());
    for ins in p.instructions() {
        let (vb, vf) = match *ins {
            Instr::Input(k) => (Bound { v: x[k], e: 0.0 }, Float::with_val(precision, x[k])),
            Instr::Const(c) => (Bound { v: c, e: 0.0 }, Float::with_val(precision, c)),
            Instr::Unary(op, a) => (b[a].unary(op), f[a].unary(op)),
            Instr::Binary(op, a, c) => (b[a].binary(op, &b[c]), f[a].binary(op, &f[c])),
        };
        let exact = vf.to_f64();
        let ok = vb.v.is_finite()
            && exact.is_finite()
            && (vb.v - exact).abs() <= 2.0 * vb.e + 2.0 * ulp(exact);
        if !ok {
            return false;
        }
        b.push(vb);
        f.push(vf);
    }
    true
}

#[test]
fn the_default_formula_scenario() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/lecture-example.toml");
    let (sc, _) = load_file(&path, &FileLimits::default()).expect("the lecture example loads");
    let Model::Expr(p) = &sc.model else {
        panic!("lecture-example is a formula scenario")
    };
    assert_symbolic_matches(&sc.name, p, &sc.x);
    // its sizes: no constants, so the tape holds each instruction once
    let s = swell(p);
    eprintln!("lecture-example: {s:?}");
    assert_eq!(s.function_dag, p.len() as u64, "{s:?}");
    assert_eq!(s.tape_len, s.function_dag, "{s:?}");
    assert!(s.gradient_tree > s.gradient_dag as u128, "{s:?}");
    assert!(s.function_tree > s.function_dag as u128, "{s:?}");
}

#[test]
fn vector_inputs_constants_loops_and_generated_outputs() {
    let text = r#"
name = "gen"
inputs = [{ name = "x", values = [0.5, -1.0, 2.0] }, { name = "s", value = 3.0 }]
constants = [{ name = "a", values = [1.0, 2.0, 4.0] }]
outputs = { for = "j", from = 1, to = 3, expr = "sum(i, 1, j, a[i] * sin(x[i] * s)) * prod(i, 1, j, tanh(x[i] + s))" }
"#;
    let (sc, _) = load_str(Path::new("gen.toml"), text, &FileLimits::default()).unwrap();
    let Model::Expr(p) = &sc.model else {
        panic!("a formula scenario")
    };
    assert_eq!((p.n_outputs(), p.n_inputs()), (3, 4));
    assert_symbolic_matches(&sc.name, p, &sc.x);
}

/// Derivatives through tanh far out and through a subnormal value. The slope of tanh
/// at 106.7 (tanh of c's power) is about 1e-92: written 1 - tanh^2 it needed 1024 bits,
/// tanh rounding to 1 at 256 and 512; written 4e / (1 + e)^2 it cancels nowhere. The
/// second output's slope in b is subnormal, which needs more than 256 bits to settle.
#[test]
fn derivatives_that_cancel_or_underflow() {
    let p = formula_program(
        &["a", "b", "c"],
        &[
            "pow((0.25)^2 + 1, tanh(pow((c)^2 + 1, 2.905454456768127)))",
            "pow(0.6508593178918409, pow(((b) * (2.2883621158609495))^2 + 1, 2.543869292815195))",
        ],
    );
    let x = [1.2669865958801239, -1.8366671568608293, 1.997536391040176];
    assert_symbolic_matches("cancel or underflow", &p, &x);
    let t = truth(&p, &x).unwrap();
    assert!(t.precision > 256, "{}", t.precision);
    let r = t.reference[1][1].to_f64();
    assert!(r != 0.0 && r.abs() < f64::MIN_POSITIVE, "{r:e}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn random_formulas_match_forward_reverse_and_the_reference(
        f in formula(),
        g in formula(),
        x in prop::array::uniform3(-2.0f64..2.0),
    ) {
        // two outputs, so that derivatives share subexpressions across outputs
        let p = formula_program(&["a", "b", "c"], &[&f, &format!("({f}) * ({g})")]);
        let t = truth(&p, &x);
        prop_assume!(t.is_some());
        let t = t.unwrap();
        // overflow, NaN or a pole in the f64 function is numerical trouble that AD shares
        // (0 * inf in an adjoint, a first-order bound that no longer holds), not a wrong
        // rule: the f64 comparisons need the function in its first-order regime
        prop_assume!(first_order_regime(&p, &x, t.precision));
        prop_assume!(t.reference.iter().flatten().all(|r| r.is_finite()));
        prop_assume!(t.reverse.iter().flatten().all(|r| r.is_finite()));
        // forward mode can overflow where reverse mode does not (its tangent of pow
        // multiplies v ~ 1e80 by a sum before it is scaled down): f64 range trouble of
        // that mode, not a disagreement of rules
        prop_assume!(t.forward.iter().flatten().all(|r| r.is_finite()));
        let dag = symbolic(&p, Sharing::Dag, &x, t.precision);
        let tree = symbolic(&p, Sharing::Tree, &x, t.precision);
        // an intermediate that overflows (pow(2.7, 1e80) = inf, then atan(inf) = pi/2)
        // leaves the running error bound undefined (0 * inf): outside the first-order
        // regime the comparisons rely on
        prop_assume!(t.forward_bound.iter().chain(&dag.bound).flatten().all(|b| b.is_finite()));
        prop_assert_eq!(bits(&dag.f64), bits(&tree.f64));
        let v = judge(&t, &dag);
        prop_assert!(v.ok(), "{}\n{}\nat {:?}: {:#?}", f, g, x, v.all_failures());
    }
}

/// Each comparison rejects derivatives made by wrong rules: the candidate here is a
/// compiled formula for what the wrong rule gives, evaluated like the symbolic
/// derivatives; a correct formula written in another order passes every comparison
/// but the exact one against reverse mode.
#[test]
fn a_wrong_rule_is_caught_by_every_comparison() {
    let f = "sin(a * b) + a / b + log(a)";
    let p = formula_program(&["a", "b"], &[f]);
    let x = [0.7, 1.3];
    let t = truth(&p, &x).unwrap();
    let candidate = |da: &str, db: &str| {
        let q = formula_program(&["a", "b"], &[da, db]);
        let xb: Vec<Bound> = x.iter().map(|&v| Bound { v, e: 0.0 }).collect();
        let xf: Vec<Float> = x.iter().map(|&v| Float::with_val(t.precision, v)).collect();
        Candidate {
            f64: vec![q.eval(&x)],
            bound: vec![q.eval(&xb).into_iter().map(|b| b.e).collect()],
            mpfr: vec![q.eval(&xf)],
        }
    };
    let right_a = "cos(a * b) * b + 1 / b + 1 / a";
    let right_b = "cos(a * b) * a - a / b^2";
    // a correct derivative, written differently: only the exact comparison with the
    // tape's order of operations may fail
    let v = judge(&t, &candidate(right_a, right_b));
    assert!(
        v.mpfr_vs_reference.is_empty()
            && v.mpfr_vs_forward.is_empty()
            && v.f64_vs_reference.is_empty()
            && v.f64_vs_forward.is_empty(),
        "{v:#?}"
    );
    assert!(judge(&t, &symbolic(&p, Sharing::Dag, &x, t.precision)).ok());
    for (why, da, db) in [
        ("d sin = -cos", "-cos(a * b) * b + 1 / b + 1 / a", right_b),
        ("d(u/w)/dw = +u/w^2", right_a, "cos(a * b) * a + a / b^2"),
        (
            "d(uw) = u' w only",
            "cos(a * b) * b + 1 / b + 1 / a",
            "a / b^2 * -1",
        ),
        (
            "d log wrong by a relative 1e-9",
            "cos(a * b) * b + 1 / b + 1 / (a * 1.000000001)",
            right_b,
        ),
    ] {
        let v = judge(&t, &candidate(da, db));
        for (name, failures) in [
            ("MPFR vs reference", &v.mpfr_vs_reference),
            ("MPFR vs forward", &v.mpfr_vs_forward),
            ("f64 vs reverse", &v.f64_vs_reverse),
            ("f64 vs reference", &v.f64_vs_reference),
            ("f64 vs forward", &v.f64_vs_forward),
        ] {
            assert!(!failures.is_empty(), "{why}: {name} did not catch it");
        }
    }
}

/// |a - b| <= bound * 2^(53 - p), in MPFR: an f64 rounding bound at precision p bits;
/// false when any is NaN.
fn within_mpfr(a: &Float, b: &Float, bound: f64, p: u32) -> bool {
    let d = Float::with_val(a.prec().max(b.prec()), a - b).abs();
    let tol = Float::with_val(64, bound) >> (p.saturating_sub(53));
    d <= tol
}

/// |got - want| <= tol; false when any is NaN.
fn within(got: f64, want: f64, tol: f64) -> bool {
    (got - want).abs() <= tol
}

#[test]
fn the_measured_growth_of_the_lecture_examples() {
    let ns = lecture_ns();
    let product = swell_series(SeriesKind::Product, &ns);
    let squares = swell_series(SeriesKind::SumOfSquares, &ns);
    for (kind, series) in [("product", &product), ("sum of squares", &squares)] {
        for (n, s) in series.iter() {
            eprintln!(
                "{kind:>14} n={n:>4}: function tree {:>6} dag {:>6}; gradient tree {:>8} dag {:>6}; tape {:>6}",
                s.function_tree, s.function_dag, s.gradient_tree, s.gradient_dag, s.tape_len
            );
        }
    }
    let g = growth(&product, FIT_FROM);
    eprintln!("product growth {g:?}");
    assert!(within(g.gradient_tree, 2.0, 0.1), "{g:?}");
    assert!(within(g.gradient_dag, 1.0, 0.1), "{g:?}");
    assert!(within(g.tape_len, 1.0, 0.1), "{g:?}");
    assert!(within(g.function_tree, 1.0, 0.1), "{g:?}");
    assert!(within(g.function_dag, 1.0, 0.1), "{g:?}");
    let g = growth(&squares, FIT_FROM);
    eprintln!("sum of squares growth {g:?}");
    for e in [
        g.function_tree,
        g.function_dag,
        g.gradient_tree,
        g.gradient_dag,
        g.tape_len,
    ] {
        assert!(within(e, 1.0, 0.1), "{g:?}");
    }
    // the fit is the one of fitted_exponent over (n, size)
    let pts: Vec<(f64, f64)> = product
        .iter()
        .filter(|(n, _)| *n >= FIT_FROM)
        .map(|(n, s)| (*n as f64, s.gradient_tree as f64))
        .collect();
    assert_eq!(
        fitted_exponent(&pts),
        growth(&product, FIT_FROM).gradient_tree
    );
    // the symbolic derivatives of the largest product still evaluate correctly
    let (n, s): &(usize, Swell) = product.last().unwrap();
    let p = SeriesKind::Product.program(*n);
    let x: Vec<f64> = (0..*n).map(|k| 1.0 + (k as f64) / 4096.0).collect();
    let d = differentiate(&p, Sharing::Dag);
    assert_eq!(d.node_count(), s.gradient_dag as u128);
    let g = d.eval(&x).remove(0);
    let tape = Tape::new();
    let xs = tape.vars(&x);
    let y = p.eval(&xs).remove(0);
    assert_eq!(g, tape.gradient(&y, &xs));
}
