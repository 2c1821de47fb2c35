//! Unit tests of symbolic differentiation: the rules as expressions, every elemental
//! and operand order against the tape and forward mode, every rule deliberately broken
//! and caught, the exact simplifications and the node counts.

use super::graph::{fold_binary, fold_unary};
use super::rules::{build, Mutation, Op};
use super::*;
use crate::ad::{jacobian_forward, Tape};
use crate::scenario::expr::{Compiler, Env, Instr, Limits, Shape};
use rug::Float;

fn compile(inputs: &[&str], outputs: &[&str]) -> Program {
    let mut env = Env::new();
    for name in inputs {
        env.add_input(name, Shape::Scalar).unwrap();
    }
    let mut c = Compiler::new(&env, Limits::default());
    for o in outputs {
        c.add_output(o, &[]).unwrap();
    }
    c.finish()
}

fn program(instrs: Vec<Instr>, outputs: Vec<usize>, n_inputs: usize) -> Program {
    Program {
        instrs,
        outputs,
        n_inputs,
    }
}

/// d y / d x_j of a one-output formula in x (and y), written out.
fn d(formula: &str, j: usize) -> String {
    let p = compile(&["x", "y"], &[formula]);
    differentiate(&p, Sharing::Dag)
        .expression(0, j, &["x", "y"], 1000)
        .unwrap()
}

#[test]
fn every_rule_as_an_expression() {
    for (f, want) in [
        ("sin(x)", "cos(x)"),
        ("cos(x)", "(-sin(x))"),
        ("tan(x)", "((tan(x) * tan(x)) + 1.0)"),
        (
            "tanh(x)",
            "(abs(x) <= 0.5 ? (1.0 - (tanh(x) * tanh(x))) : ((exp((abs(x) * -2.0)) * 4.0) / ((exp((abs(x) * -2.0)) + 1.0) * (exp((abs(x) * -2.0)) + 1.0))))",
        ),
        (
            "sigmoid(x)",
            "(x <= 0.5 ? (sigmoid(x) * (1.0 - sigmoid(x))) : (exp((-x)) / ((exp((-x)) + 1.0) * (exp((-x)) + 1.0))))",
        ),
        (
            "atan(x)",
            "(abs(x) <= 1e150 ? recip(((x * x) + 1.0)) : ((recip(x) * recip(x)) / ((recip(x) * recip(x)) + 1.0)))",
        ),
        ("exp(x)", "exp(x)"),
        ("log(x)", "(x == 0.0 ? recip((x + 0.0)) : recip(x))"),
        (
            "sqrt(x)",
            "(sqrt(x) == 0.0 ? recip(((sqrt(x) + 0.0) * 2.0)) : recip((sqrt(x) * 2.0)))",
        ),
        ("abs(x)", "sign(x)"),
        ("x^3", "(x^2 * 3.0)"),
        ("x^2", "(x * 2.0)"),
        ("x^1", "1.0"),
        ("x^0", "0.0"),
        ("x^-2", "(x^-3 * -2.0)"),
        ("-x", "-1.0"),
        ("-(-x)", "1.0"),
        ("x * x", "(x + x)"),
        ("x / y", "(1.0 / y)"),
        // at x = 0 exactly (NaN is not 0), the limit y x^(y-1), 0 where y = 0
        (
            "pow(x, y)",
            "(x == 0.0 ? (y == 0.0 ? 0.0 : (pow(x, (y - 1.0)) * y)) : (not_normal(pow(x, y)) && finite(x) ? (pow(x, (y - 1.0)) * y) : ((pow(x, y) * y) / x)))",
        ),
        ("min(x, y)", "(x <= y ? 1.0 : 0.0)"),
        ("max(x, y)", "(x >= y ? 1.0 : 0.0)"),
        ("x + y", "1.0"),
        ("x - y", "1.0"),
        ("y", "0.0"),
        ("3", "0.0"),
        // the chain rule: adjoint times local partial
        ("sin(x * y)", "(cos((x * y)) * y)"),
        ("exp(sin(x))", "(cos(x) * exp(sin(x)))"),
    ] {
        assert_eq!(d(f, 0), want, "d/dx {f}");
    }
    for (f, want) in [
        ("x / y", "(-((1.0 / y) * (x / y)))"),
        (
            "pow(x, y)",
            "(x == 0.0 ? (pow(x, y) == 0.0 ? 0.0 : (pow(x, y) * log(x))) : (pow(x, y) * log(x)))",
        ),
        ("min(x, y)", "(x <= y ? 0.0 : 1.0)"),
        ("max(x, y)", "(x >= y ? 0.0 : 1.0)"),
        ("x - y", "-1.0"),
        ("sin(x * y)", "(cos((x * y)) * x)"),
    ] {
        assert_eq!(d(f, 1), want, "d/dy {f}");
    }
}

/// A power of a power, or of a negative constant, is written with its base in
/// parentheses: x^2^3 would read as x^(2^3) = x^8, -2.0^2 as -(2^2).
#[test]
fn the_base_of_a_power_is_parenthesised_where_it_would_read_otherwise() {
    // d/dx (x^2)^4 = (x 2) ((x^2)^3 4): the slope of x^2 times its adjoint
    assert_eq!(d("(x^2)^4", 0), "((x * 2.0) * ((x^2)^3 * 4.0))");
    // d/dx x (-2)^2 is the function's own (-2)^2
    assert_eq!(d("x * (-2)^2", 0), "(-2.0)^2");
    assert_eq!(d("x * 2^2", 0), "2.0^2");
    assert_eq!(d("(-x)^3", 0), "(-((-x)^2 * 3.0))");
}

#[test]
fn only_exact_simplifications() {
    // 1/4 is exact and folded; 1/3 is not exact and stays an operation
    assert_eq!(d("x / 4", 0), "0.25");
    assert_eq!(d("x / 3", 0), "(1.0 / 3.0)");
    // a product with a constant factor: 1 * 2 = 2, then 2 * 3 = 6, exact
    assert_eq!(d("2 * (3 * x)", 0), "6.0");
    assert_eq!(d("0.1 * (0.3 * x)", 0), "(0.1 * 0.3)");
    // x * 0 with a constant x folds; with cos(x), which may be inf or NaN, it stays
    assert_eq!(d("x * 0", 0), "0.0");
    assert_eq!(d("0 * x", 0), "0.0");
    assert_eq!(d("sin(x) * 0", 0), "(cos(x) * 0.0)");
    // a zero contribution is left out of a sum
    assert_eq!(d("x * 0 + sin(x)", 0), "cos(x)");
    // the function's own constant subexpressions are kept as compiled
    assert_eq!(d("(1 / 4) * x", 0), "(1.0 / 4.0)");

    assert_eq!(fold_binary(Binary::Div, 1.0, 4.0), Some(0.25));
    assert_eq!(fold_binary(Binary::Div, 1.0, 3.0), None);
    assert_eq!(fold_binary(Binary::Add, 0.1, 0.2), None);
    assert_eq!(fold_binary(Binary::Sub, 0.1, 0.1), Some(0.0));
    assert_eq!(fold_binary(Binary::Mul, 1e200, 1e200), None, "overflow");
    assert_eq!(fold_binary(Binary::Mul, 1e-200, 1e-200), None, "underflow");
    assert_eq!(fold_binary(Binary::Div, 1.0, 0.0), None, "infinite");
    assert_eq!(fold_binary(Binary::Pow, 2.0, 10.0), Some(1024.0));
    assert_eq!(fold_binary(Binary::Pow, 2.0, 0.5), None);
    assert_eq!(fold_unary(Unary::Exp, 0.0), Some(1.0));
    assert_eq!(fold_unary(Unary::Exp, 1.0), None);
    assert_eq!(fold_unary(Unary::Sqrt, 4.0), Some(2.0));
    assert_eq!(fold_unary(Unary::Sqrt, 2.0), None);
    assert_eq!(fold_unary(Unary::Recip, 3.0), None);
    assert_eq!(fold_unary(Unary::Powi(-2), 2.0), Some(0.25));
    assert_eq!(fold_unary(Unary::Log, 1.0), Some(0.0));
    assert_eq!(fold_unary(Unary::Sigmoid, 0.0), None);
    let z = fold_unary(Unary::Neg, 0.0).unwrap();
    assert!(z == 0.0 && z.is_sign_negative());
    let z = fold_binary(Binary::Mul, -3.0, 0.0).unwrap();
    assert!(
        z == 0.0 && z.is_sign_negative(),
        "folding keeps the sign of zero"
    );
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

/// The two checks of a derivative graph at `x`: (f64 values equal the reverse sweep's,
/// MPFR values at 256 bits agree with forward mode at 256 bits to >= 64 bits).
fn check(p: &Program, d: &Derivatives, x: &[f64]) -> (bool, bool) {
    let n = x.len();
    let sym = d.eval(x);
    let tape = Tape::new();
    let xs = tape.vars(x);
    let ys = p.eval(&xs);
    let rev = tape.jacobian(&ys, &xs);
    let same = |a: f64, b: f64| a == b || (a.is_nan() && b.is_nan());
    let tape_ok = (0..p.n_outputs()).all(|i| (0..n).all(|j| same(sym[i][j], rev[i][j])));
    let xf: Vec<Float> = x.iter().map(|&v| Float::with_val(256, v)).collect();
    let symf = d.eval(&xf);
    let cols: Vec<usize> = (0..n).collect();
    let fwd = jacobian_forward(|v| p.eval(v), &xf, &cols);
    let mpfr_ok =
        (0..p.n_outputs()).all(|i| (0..n).all(|j| agree_bits(&symf[i][j], &fwd[j][i]) >= 64));
    (tape_ok, mpfr_ok)
}

const UNARY: [Unary; 17] = Unary::with_powers([0, 1, 2, 3, -2]);
const BINARY: [Binary; 7] = Binary::ALL;

/// y = op(x0 x1) x1: the elemental's adjoint is an expression (x1), not the constant
/// 1, and no other elemental of the same kind is involved.
fn unary_program(op: Unary) -> Program {
    use Instr::*;
    let mul = crate::num::Binary::Mul;
    program(
        vec![
            Input(0),
            Input(1),
            Binary(mul, 0, 1),
            Unary(op, 2),
            Binary(mul, 3, 1),
        ],
        vec![4],
        2,
    )
}

/// The operand orders of a bivariate elemental: variable op variable, variable op
/// constant, constant op variable, a variable with itself; each under exp.
fn binary_programs(op: Binary) -> Vec<Program> {
    use Instr::*;
    let e = crate::num::Unary::Exp;
    vec![
        program(
            vec![Input(0), Input(1), Binary(op, 0, 1), Unary(e, 2)],
            vec![3],
            2,
        ),
        program(
            vec![
                Input(0),
                Const(1.25),
                Binary(op, 0, 1),
                Unary(e, 2),
                Input(1),
            ],
            vec![3],
            2,
        ),
        program(
            vec![
                Const(1.25),
                Input(0),
                Binary(op, 0, 1),
                Unary(e, 2),
                Input(1),
            ],
            vec![3],
            2,
        ),
        program(vec![Input(0), Binary(op, 0, 0), Unary(e, 1)], vec![2], 1),
    ]
}

/// Points inside every domain used (positive bases, x0 < x1 and x0 > x1 for min/max).
/// Points whose product x y, the argument of each unary elemental in
/// [`unary_program`], falls on either side of the switches of tanh and sigmoid at 1/2
/// (0.3 on the near side, 0.76 to 1.56 beyond).
const POINTS: [[f64; 2]; 4] = [[0.7, 1.3], [1.9, 0.4], [1.25, 1.25], [0.6, 0.5]];

#[test]
fn every_elemental_and_operand_order_matches_the_tape_and_forward_mode() {
    let mut programs: Vec<Program> = UNARY.iter().map(|&op| unary_program(op)).collect();
    for op in BINARY {
        programs.extend(binary_programs(op));
    }
    // two outputs sharing subexpressions, an unused input, an output that is an input
    programs.push(compile(
        &["x", "y", "z"],
        &["sin(x*y) + x/y", "x", "pow(x, y) * sin(x*y)", "2"],
    ));
    for p in &programs {
        for sharing in [Sharing::Dag, Sharing::Tree] {
            let d = differentiate(p, sharing);
            for pt in POINTS {
                let mut x = vec![pt[0], pt[1], 0.3];
                x.truncate(p.n_inputs());
                assert_eq!(check(p, &d, &x), (true, true), "{p:?} at {x:?}");
            }
        }
    }
}

#[test]
fn every_wrong_rule_is_caught() {
    let mut cases: Vec<(Op, usize, Program)> = Vec::new();
    for op in UNARY {
        // a zero partial cannot be caught by a sign: d u^0 = 0
        if op != Unary::Powi(0) {
            cases.push((Op::Unary(op), 0, unary_program(op)));
        }
    }
    for op in BINARY {
        for arg in 0..2 {
            cases.push((Op::Binary(op), arg, binary_programs(op).remove(0)));
        }
    }
    for (op, arg, p) in cases {
        let right = differentiate(&p, Sharing::Dag);
        let wrong = from_built(
            build(&p, Some(Mutation { op, arg }), usize::MAX).expect("no budget"),
            p.n_inputs(),
            Sharing::Dag,
        );
        // a point where min/max select either argument
        let mut caught_tape = false;
        let mut caught_mpfr = false;
        for pt in POINTS {
            assert_eq!(check(&p, &right, &pt), (true, true), "{op:?}");
            let (t, m) = check(&p, &wrong, &pt);
            caught_tape |= !t;
            caught_mpfr |= !m;
        }
        assert!(caught_tape && caught_mpfr, "{op:?} argument {arg}");
    }
}

#[test]
fn signs_of_zero_selections_and_nan() {
    let p = compile(&["x", "y"], &["abs(x) + min(x, y) * 3 + max(x, y)"]);
    let d = differentiate(&p, Sharing::Dag);
    // at x = 0: sign 0; ties pick the left argument
    assert_eq!(d.eval(&[0.0, 0.0]), vec![vec![4.0, 0.0]]);
    assert_eq!(d.eval(&[-1.0, 2.0]), vec![vec![-1.0 + 3.0, 1.0]]);
    assert_eq!(d.eval(&[1.0, -2.0]), vec![vec![1.0 + 1.0, 3.0]]);
    // NaN: sign 0, min/max pick the left argument, as the AD types do
    let g = d.eval(&[f64::NAN, 1.0]);
    let tape = Tape::new();
    let xs = tape.vars(&[f64::NAN, 1.0]);
    let y = p.eval(&xs).remove(0);
    assert_eq!(g[0], tape.gradient(&y, &xs));
}

#[test]
fn sizes_of_the_lecture_examples_at_n_4() {
    let s = swell(&SeriesKind::Product.program(4));
    // ((x1 x2) x3) x4; dy/dx1 = (x4 x3) x2, dy/dx2 = (x4 x3) x1, dy/dx3 = x4 (x1 x2),
    // dy/dx4 = (x1 x2) x3
    assert_eq!(
        s,
        Swell {
            function_tree: 7,
            function_dag: 7,
            gradient_tree: 20,
            gradient_dag: 10,
            tape_len: 7,
        }
    );
    let s = swell(&SeriesKind::SumOfSquares.program(4));
    // dy/dx_k = x_k 2
    assert_eq!(
        s,
        Swell {
            function_tree: 11,
            function_dag: 11,
            gradient_tree: 12,
            gradient_dag: 9,
            tape_len: 11,
        }
    );
    let p = SeriesKind::Product.program(3);
    let d = differentiate(&p, Sharing::Tree);
    assert_eq!(d.node_count(), 3 + 3 + 3);
    assert_eq!(d.tree_size(0, 2), 3);
    assert_eq!(differentiate(&p, Sharing::Dag).node_count(), 3 + 3);
}

#[test]
fn tree_and_dag_evaluate_identically() {
    let p = compile(&["x", "y"], &["sin(x*y) * (x*y) + exp(x*y) / y"]);
    let (t, g) = (
        differentiate(&p, Sharing::Tree),
        differentiate(&p, Sharing::Dag),
    );
    assert_eq!(t.eval(&[0.3, 1.7]), g.eval(&[0.3, 1.7]));
    assert!(t.node_count() > g.node_count());
    assert_eq!(t.sharing(), Sharing::Tree);
    assert_eq!((t.n_outputs(), t.n_inputs()), (1, 2));
    let nodes = g.nodes();
    assert_eq!(nodes.len() as u128, g.node_count());
    assert!(nodes
        .iter()
        .enumerate()
        .all(|(i, n)| n.args().all(|a| a < i)));
}

#[test]
fn tree_sizes_saturate() {
    // x, x*x, (x*x)*(x*x), ...: a DAG of 141 nodes, trees of 2^141 - 1 nodes
    let mut instrs = vec![Instr::Input(0)];
    for k in 0..140 {
        instrs.push(Instr::Binary(Binary::Mul, k, k));
    }
    let p = program(instrs, vec![140], 1);
    let s = swell(&p);
    assert_eq!(s.function_tree, u128::MAX);
    assert_eq!(s.function_dag, 141);
    assert_eq!(s.gradient_tree, u128::MAX);
    assert!(s.gradient_dag < 600, "{}", s.gradient_dag);
    assert_eq!(s.tape_len, 141);
    assert_eq!(
        differentiate(&p, Sharing::Dag).expression(0, 0, &[], 1000),
        None
    );
}

#[test]
fn swell_serialises_with_u128() {
    let s = swell(&SeriesKind::Product.program(8));
    let json = serde_json::to_string(&s).unwrap();
    assert!(json.contains("\"gradient_tree\""), "{json}");
    assert_eq!(serde_json::from_str::<Swell>(&json).unwrap(), s);
    let big = Swell {
        function_tree: u128::MAX,
        ..s
    };
    let json = serde_json::to_string(&big).unwrap();
    assert_eq!(serde_json::from_str::<Swell>(&json).unwrap(), big);
}

#[test]
fn fitted_exponent_of_power_laws() {
    let pts: Vec<(f64, f64)> = (1..8)
        .map(|k| (k as f64, 3.0 * (k as f64).powi(2)))
        .collect();
    assert!((fitted_exponent(&pts) - 2.0).abs() < 1e-12);
    let pts: Vec<(f64, f64)> = (1..8).map(|k| (k as f64, 5.0 * k as f64)).collect();
    assert!((fitted_exponent(&pts) - 1.0).abs() < 1e-12);
    assert!(fitted_exponent(&[(2.0, 1.0)]).is_nan());
    assert!(fitted_exponent(&[(2.0, 1.0), (2.0, 3.0)]).is_nan());
    assert_eq!(lecture_ns(), vec![2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]);
}

#[test]
fn no_inputs_and_unused_inputs() {
    let p = program(vec![Instr::Const(2.0)], vec![0], 0);
    let d = differentiate(&p, Sharing::Dag);
    assert_eq!(d.eval::<f64>(&[]), vec![Vec::<f64>::new()]);
    assert_eq!(d.node_count(), 0);
    assert_eq!(swell(&p).tape_len, 0);
    let p = compile(&["x", "y"], &["sin(x)"]);
    assert_eq!(
        differentiate(&p, Sharing::Dag).eval(&[0.0, 5.0]),
        vec![vec![1.0, 0.0]]
    );
}

#[test]
fn a_nan_base_or_exponent_of_pow_is_not_taken_for_a_zero() {
    // log(-1) is NaN: the tape's zero-base test (`value_is_zero`) is false for NaN, so
    // its partials are the general w v / u and v log u, NaN; the symbolic derivative
    // must not turn them into the zero-base limits (0 or a finite w u^(w-1))
    let p = compile(&["x", "y"], &["pow(log(x), y)"]);
    let d = differentiate(&p, Sharing::Dag);
    for pt in [[-1.0, 2.0], [-1.0, 1.0], [f64::NAN, 1.0]] {
        let g = d.eval(&pt);
        assert!(g[0].iter().all(|v| v.is_nan()), "at {pt:?}: {g:?}");
        assert_eq!(check(&p, &d, &pt), (true, true), "at {pt:?}");
    }
    // a zero base with a NaN exponent: w u^(w-1) is NaN, not the limit 0 of w = 0
    let p = compile(&["x", "y"], &["pow(x, log(y))"]);
    let d = differentiate(&p, Sharing::Dag);
    let pt = [0.0, -1.0];
    assert!(d.eval(&pt)[0][0].is_nan(), "{:?}", d.eval(&pt));
    assert_eq!(check(&p, &d, &pt), (true, true));
}

#[test]
fn the_slopes_of_sqrt_and_log_at_minus_zero_are_plus_infinity_as_on_the_tape() {
    for f in ["sqrt(x)", "log(x)"] {
        let p = compile(&["x", "y"], &[f]);
        let d = differentiate(&p, Sharing::Dag);
        for x in [-0.0, 0.0] {
            assert_eq!(
                d.eval(&[x, 1.0])[0][0].to_bits(),
                f64::INFINITY.to_bits(),
                "{f} at {x}"
            );
            assert_eq!(check(&p, &d, &[x, 1.0]), (true, true), "{f} at {x}");
        }
        assert_eq!(d.eval(&[4.0, 1.0])[0][0], 0.25, "{f}");
    }
    // log(-x): the slope 1/x tends to -inf from the domain side
    let p = compile(&["x", "y"], &["log(-x)"]);
    let d = differentiate(&p, Sharing::Dag);
    for x in [-0.0, 0.0] {
        assert_eq!(d.eval(&[x, 1.0])[0][0], f64::NEG_INFINITY, "at {x}");
    }
}

#[test]
fn a_graph_past_its_budget_is_refused_and_one_within_it_is_the_same() {
    let p = compile(&["x", "y"], &["sin(x * y) * exp(x / y)", "x * y + sin(x)"]);
    let whole = differentiate(&p, Sharing::Dag);
    let nodes = whole.graph.len();
    // the budget is checked as the graph grows, so one node short of the whole graph
    // is refused and the whole graph's size is enough
    assert!(differentiate_within(&p, Sharing::Dag, nodes - 1).is_none());
    let within = differentiate_within(&p, Sharing::Dag, nodes).expect("within its budget");
    let x = [0.7, 1.3];
    assert_eq!(within.eval(&x), whole.eval(&x));
    assert!(swell_within(&p, nodes - 1).is_none());
    assert_eq!(swell_within(&p, nodes), Some(swell(&p)));
}

/// Where an adjoint of exactly 0 meets an infinite partial (the unselected branch of
/// min/max, exp(-1/x^2) at 0), the tape keeps 0 by its guarded rerun, and so do the
/// expressions by theirs, in f64 and in MPFR; elsewhere the rerun does not run.
#[test]
fn a_zero_adjoint_through_an_infinite_partial_gives_the_tapes_zero() {
    for (inputs, formula, x) in [
        (&["x1", "x2"][..], "max(x2, sqrt(x1))", &[0.0, 1.0][..]),
        (&["x1", "x2"], "min(x2, 1/x1)", &[0.0, 1.0]),
        (&["x1"], "exp(-1/x1^2)", &[0.0]),
        (
            &["x1", "x2"],
            "x2 * sqrt(x1) + max(x2, log(x1))",
            &[0.0, 1.0],
        ),
    ] {
        let p = compile(inputs, &[formula]);
        let d = differentiate(&p, Sharing::Dag);
        let got = d.eval(x);
        let t = Tape::new();
        let xs = t.vars(x);
        let y = p.eval(&xs);
        let want = t.gradient(&y[0], &xs);
        // equal, up to the sign of a zero (the expressions' sums start from their first
        // term, the tape's from 0)
        assert!(want.iter().all(|g| !g.is_nan()), "{formula}: tape {want:?}");
        assert_eq!(got[0], want, "{formula}");
        // in MPFR as well
        let xf: Vec<Float> = x.iter().map(|&v| Float::with_val(128, v)).collect();
        let gf = d.eval(&xf);
        let back: Vec<f64> = gf[0].iter().map(|g| g.to_f64()).collect();
        assert!(back.iter().all(|g| !g.is_nan()), "{formula}: MPFR {back:?}");
    }
}

/// The guarded rerun zeroes a product of an adjoint whose adjoint is 0, as the tape's
/// does, and no other value: not the function's own x / y that the product vbar / w of
/// x (x / y) is (d/dx reads it as a value), nor the product e^u w guarded on the adjoint
/// e^u of the pow w where d/du reads it as the product of w, the adjoint of e^u. Both
/// derivatives are NaN on the tape, in forward mode and by the reference.
#[test]
fn a_guard_leaves_the_values_that_the_guarded_product_shares_a_node_with() {
    for (formula, x) in [
        ("x * (x / y)", [0.0, 0.0]),
        ("exp(y / x) * pow(2, x / x)", [0.0, -1.0]),
    ] {
        let p = compile(&["x", "y"], &[formula]);
        let t = Tape::new();
        let xs = t.vars(&x);
        let y = p.eval(&xs);
        let want = t.gradient(&y[0], &xs);
        assert!(want[0].is_nan(), "{formula}: tape {want:?}");
        let forward = jacobian_forward(|v| p.eval(v), &x, &[0]);
        assert!(forward[0][0].is_nan(), "{formula}: forward {forward:?}");
        for sharing in [Sharing::Dag, Sharing::Tree] {
            let d = differentiate(&p, sharing);
            let got = d.eval(&x);
            for (g, w) in got[0].iter().zip(&want) {
                assert!(
                    g == w || (g.is_nan() && w.is_nan()),
                    "{formula}: {got:?}, tape {want:?}"
                );
            }
            let xf: Vec<Float> = x.iter().map(|&v| Float::with_val(128, v)).collect();
            assert!(d.eval(&xf)[0][0].is_nan(), "{formula}: MPFR");
        }
    }
}
