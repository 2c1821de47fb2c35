//! Tests of the formula language: values, sharing, precedence, loops, generated outputs,
//! errors with their spans, resource limits, robustness, and evaluation under AD.

use std::time::{Duration, Instant};

use proptest::prelude::*;

use super::*;
use crate::ad::{Dual, Tape};
use crate::num::{bits_err, ulps_between, Binary, Unary};

/// Inputs `x1`, `x2`, `a`, `b`, `c` (scalars) and `x` (length 3), then constants `w`
/// (length 3) and `k` (scalar). x = [x1, x2, a, b, c, x[1], x[2], x[3]].
fn env() -> Env {
    let mut env = Env::new();
    env.add_input("x1", Shape::Scalar).unwrap();
    env.add_input("x2", Shape::Scalar).unwrap();
    env.add_input("a", Shape::Scalar).unwrap();
    env.add_input("b", Shape::Scalar).unwrap();
    env.add_input("c", Shape::Scalar).unwrap();
    env.add_input("x", Shape::Vector(3)).unwrap();
    env.add_constant("w", vec![1.0, 2.0, 3.0], Shape::Vector(3))
        .unwrap();
    env.add_constant("k", vec![0.25], Shape::Scalar).unwrap();
    env
}

/// The point used by [`val`]: x1 = 1.5, x2 = 0.5, a = 10, b = 3, c = 2, x = (1, 10, 100).
const POINT: [f64; 8] = [1.5, 0.5, 10.0, 3.0, 2.0, 1.0, 10.0, 100.0];

fn compile_in(env: &Env, text: &str) -> Result<Program, ExprError> {
    let mut c = Compiler::new(env, Limits::default());
    c.add_output(text, &[])?;
    Ok(c.finish())
}

fn compile(text: &str) -> Program {
    compile_in(&env(), text).unwrap_or_else(|e| panic!("{text}: {}", e.render(text)))
}

/// The value of a one-output formula at [`POINT`].
fn val(text: &str) -> f64 {
    let p = compile(text);
    assert_eq!(p.n_outputs(), 1);
    p.eval(&POINT)[0]
}

/// Asserts an exact result, bit for bit.
fn exact(text: &str, want: f64) {
    let got = val(text);
    assert_eq!(
        got.to_bits(),
        want.to_bits(),
        "{text}: got {got}, want {want}"
    );
}

fn err_in(env: &Env, text: &str) -> ExprError {
    match compile_in(env, text) {
        Ok(p) => panic!("{text}: expected an error, got {p:?}"),
        Err(e) => e,
    }
}

fn err(text: &str) -> ExprError {
    err_in(&env(), text)
}

/// Asserts the error's message and the text its span covers.
fn err_is(text: &str, message: &str, spanned: &str) {
    let e = err(text);
    assert_eq!(e.message, message, "{text}");
    assert_eq!(&text[e.span.start..e.span.end], spanned, "{text}: {e:?}");
}

/// Asserts that the error's message contains `part` and its span covers `spanned`.
fn err_has(text: &str, part: &str, spanned: &str) {
    let e = err(text);
    assert!(e.message.contains(part), "{text}: {}", e.message);
    assert_eq!(&text[e.span.start..e.span.end], spanned, "{text}: {e:?}");
}

#[test]
fn literals_and_arithmetic() {
    exact("2", 2.0);
    exact("1.5", 1.5);
    exact(".5", 0.5);
    exact("1e-3", 1e-3);
    exact("2.5E+10", 2.5e10);
    exact("0.1", 0.1);
    exact("1 + 2 * 3", 7.0);
    exact("(1 + 2) * 3", 9.0);
    exact("x1 * x2 + a", 10.75);
    exact("a / b", 10.0 / 3.0);
    exact("k", 0.25);
    exact("w[2] * x[3]", 200.0);
    exact("w[1] + w[2] + w[3]", 6.0);
    // spaces, tabs and newlines are ignored
    exact(" x1\t*\n2 ", 3.0);
}

#[test]
fn precedence_and_associativity() {
    exact("2^3^2", 512.0);
    exact("(2^3)^2", 64.0);
    exact("-2^2", -4.0);
    exact("(-2)^2", 4.0);
    exact("-x1^2", -2.25);
    exact("a - b - c", 5.0);
    exact("a - (b - c)", 9.0);
    exact("a / b / c", 10.0 / 3.0 / 2.0);
    exact("a / (b / c)", 10.0 / (3.0 / 2.0));
    exact("2 * 3^2", 18.0);
    exact("a - b * c", 4.0);
    exact("-a * b", -30.0);
    exact("--a", 10.0);
    exact("a - -b", 13.0);
    exact("2^-1", 0.5);
    // b ^ -(1 ^ 2): the exponent is not a literal, so this is Binary::Pow
    exact("a * b ^ -1 ^ 2", 10.0 * 3.0f64.powf(-(1.0f64.powi(2))));
    // the evaluation order is exactly the parsed one: (a + b) - c rounds differently
    // from a + (b - c) at these values
    let p = compile("x[3] * 1e16 + x[1] - x[1]");
    assert_eq!(p.eval(&POINT)[0], (1e18 + 1.0) - 1.0);
}

#[test]
fn integer_powers_are_powi() {
    let p = compile("x1^-2");
    assert_eq!(p.instructions()[1], Instr::Unary(Unary::Powi(-2), 0));
    assert_eq!(p.eval(&POINT)[0], 1.5f64.powi(-2));
    for text in ["x1^(-2)", "x1^-(2)", "x1 ^ (((-2)))"] {
        assert_eq!(compile(text).instructions(), p.instructions(), "{text}");
    }
    assert_eq!(
        compile("x1^3").instructions()[1],
        Instr::Unary(Unary::Powi(3), 0)
    );
    assert_eq!(
        compile("x1^0").instructions()[1],
        Instr::Unary(Unary::Powi(0), 0)
    );
    // a literal with '.' or an exponent, or any non-literal, gives Binary::Pow
    for (text, exponent) in [("x1^2.0", 2.0), ("x1^2e0", 2.0), ("x1^.5", 0.5)] {
        let p = compile(text);
        assert_eq!(
            p.instructions(),
            [
                Instr::Input(0),
                Instr::Const(exponent),
                Instr::Binary(Binary::Pow, 0, 1)
            ],
            "{text}"
        );
    }
    let p = compile("x1^x2");
    assert_eq!(p.instructions()[2], Instr::Binary(Binary::Pow, 0, 1));
    exact("x1^x2", 1.5f64.powf(0.5));
    exact("pow(x1, 2)", 2.25);
    let p = compile("pow(x1, 2)");
    assert_eq!(p.instructions()[2], Instr::Binary(Binary::Pow, 0, 1));
}

#[test]
fn negative_literals_are_folded() {
    let p = compile("-2 * x1");
    assert_eq!(
        p.instructions(),
        [
            Instr::Const(-2.0),
            Instr::Input(0),
            Instr::Binary(Binary::Mul, 0, 1)
        ]
    );
    // also in parentheses, and twice
    for (f, c) in [("-(2) * x1", -2.0), ("-(-2) * x1", 2.0), ("- -2 * x1", 2.0)] {
        assert_eq!(compile(f).instructions()[0], Instr::Const(c), "{f}");
    }
    // a negated name or power is a negation
    let p = compile("-x1");
    assert_eq!(
        p.instructions(),
        [Instr::Input(0), Instr::Unary(Unary::Neg, 0)]
    );
    let p = compile("-2^2");
    assert_eq!(
        p.instructions(),
        [
            Instr::Const(2.0),
            Instr::Unary(Unary::Powi(2), 0),
            Instr::Unary(Unary::Neg, 1)
        ]
    );
    // subtraction of a literal is a subtraction
    let p = compile("x1 - 2");
    assert_eq!(p.instructions()[2], Instr::Binary(Binary::Sub, 0, 1));
    // -0 is the constant -0.0, distinct from 0.0
    let p = compile("x1 * 0 + x1 * -0");
    assert_eq!(p.instructions()[1], Instr::Const(0.0));
    assert!(p
        .instructions()
        .iter()
        .any(|i| matches!(i, Instr::Const(c) if c.to_bits() == (-0.0f64).to_bits())));
}

#[test]
fn every_function_and_constant() {
    let u = 0.7f64;
    let p = |s: &str| format!("{s}(x[1] * 0.7)");
    for (name, want) in [
        ("sin", u.sin()),
        ("cos", u.cos()),
        ("tan", u.tan()),
        ("exp", u.exp()),
        ("log", u.ln()),
        ("sqrt", u.sqrt()),
        ("tanh", u.tanh()),
        ("sigmoid", 1.0 / (1.0 + (-u).exp())),
        ("atan", u.atan()),
        ("abs", u),
    ] {
        // the same f64 operation as the scalar layer: bit for bit
        exact(&p(name), want);
    }
    // hand-derived values
    exact("sin(0)", 0.0);
    exact("cos(0)", 1.0);
    exact("tan(0)", 0.0);
    exact("exp(0)", 1.0);
    exact("log(1)", 0.0);
    exact("sqrt(a * 10 - 19)", 9.0);
    exact("tanh(0)", 0.0);
    exact("sigmoid(0)", 0.5);
    exact("atan(0)", 0.0);
    exact("abs(b - a)", 7.0);
    exact("abs(-2.5)", 2.5);
    exact("pow(2, 10)", 1024.0);
    exact("pow(x[3], 0.5)", 10.0);
    exact("min(a, b)", 3.0);
    exact("max(a, b)", 10.0);
    exact("min(-a, b) + max(-a, -b)", -13.0);
    exact("pi", std::f64::consts::PI);
    exact("e", std::f64::consts::E);
    exact(
        "2 * pi * e",
        2.0 * std::f64::consts::PI * std::f64::consts::E,
    );
    // close to the exact values
    assert!(bits_err(val("4 * atan(1)"), std::f64::consts::PI) <= 1.0);
    assert!(bits_err(val("exp(1)"), std::f64::consts::E) <= 1.0);
    assert!(bits_err(val("log(e)"), 1.0) <= 1.0);
    assert!(bits_err(val("sin(pi / 6)"), 0.5) <= 1.0);
    assert!(bits_err(val("cos(pi / 3)"), 0.5) <= 2.0);
    assert!(bits_err(val("tan(pi / 4)"), 1.0) <= 1.0);
    assert!(bits_err(val("tanh(log(2))"), 0.6) <= 1.0);
    assert!(bits_err(val("sigmoid(log(3))"), 0.75) <= 1.0);
    assert!(bits_err(val("x1^x2"), 1.5f64.sqrt()) <= 1.0);
    // the elementals of the instructions
    let p = compile("sin(x1) + cos(x1) + tan(x1) + exp(x1) + log(x1) + sqrt(x1) + tanh(x1) + sigmoid(x1) + atan(x1) + abs(x1) + pow(x1, x2) + min(x1, x2) + max(x1, x2)");
    let unary: Vec<Unary> = p
        .instructions()
        .iter()
        .filter_map(|i| match i {
            Instr::Unary(op, 0) => Some(*op),
            _ => None,
        })
        .collect();
    use Unary::*;
    assert_eq!(
        unary,
        [Sin, Cos, Tan, Exp, Log, Sqrt, Tanh, Sigmoid, Atan, Abs]
    );
    let binary: Vec<Binary> = p
        .instructions()
        .iter()
        .filter_map(|i| match i {
            Instr::Binary(op, 0, _) if *op != Binary::Add => Some(*op),
            _ => None,
        })
        .collect();
    assert_eq!(binary, [Binary::Pow, Binary::Min, Binary::Max]);
}

const LECTURE: &str = "(sin(x1/x2) + x1/x2 - exp(x2)) * (x1/x2 - exp(x2))";

fn lecture_program() -> Program {
    let mut env = Env::new();
    env.add_input("x1", Shape::Scalar).unwrap();
    env.add_input("x2", Shape::Scalar).unwrap();
    compile_in(&env, LECTURE).unwrap()
}

#[test]
fn lecture_formula_value_and_sharing() {
    let p = lecture_program();
    let y = p.eval(&[1.5, 0.5])[0];
    assert!(ulps_between(y, 2.0166466694282014) <= 1, "{y}");
    // x1/x2 and exp(x2) are computed once each
    use Instr::*;
    assert_eq!(
        p.instructions(),
        [
            Input(0),
            Input(1),
            Binary(crate::num::Binary::Div, 0, 1),
            Unary(crate::num::Unary::Sin, 2),
            Binary(crate::num::Binary::Add, 3, 2),
            Unary(crate::num::Unary::Exp, 1),
            Binary(crate::num::Binary::Sub, 4, 5),
            Binary(crate::num::Binary::Sub, 2, 5),
            Binary(crate::num::Binary::Mul, 6, 7),
        ]
    );
    assert_eq!(p.len(), 9);
    assert_eq!(p.outputs(), [8]);
    assert_eq!(p.n_inputs(), 2);
}

#[test]
fn lecture_gradient_reverse_equals_forward() {
    let p = lecture_program();
    let x = [1.5, 0.5];
    // forward mode: one sweep per direction
    let forward: Vec<f64> = (0..2)
        .map(|j| {
            let xd: Vec<Dual<f64>> = crate::ad::seeded(&x, j);
            let y = p.eval(&xd).remove(0);
            assert_eq!(y.v, p.eval(&x)[0]);
            y.d
        })
        .collect();
    // reverse mode: one recording and one adjoint sweep
    let tape = Tape::new();
    let xs = tape.vars(&x);
    let y = p.eval(&xs).remove(0);
    assert_eq!(*y.value(), p.eval(&x)[0]);
    // the tape holds the program once: the inputs are the recorded variables, and each
    // other instruction, shared subexpressions included, is one entry
    assert_eq!(tape.len(), p.len());
    let reverse = tape.gradient(&y, &xs);
    // the two modes associate the chain rule differently: equal up to rounding
    let family = crate::scenario::Lecture;
    for (j, (r, f)) in reverse.iter().zip(&forward).enumerate() {
        assert!(
            ulps_between(*r, *f) <= 2,
            "d/dx{}: reverse {r} forward {f}",
            j + 1
        );
        // and both agree with the built-in lecture scenario's forward mode
        let xd: Vec<Dual<f64>> = (0..2)
            .map(|i| Dual::new(x[i], if i == j { 1.0 } else { 0.0 }))
            .collect();
        let d = family.eval(&xd)[0].d;
        assert!(ulps_between(d, *f) <= 2, "d/dx{}: {d} {f}", j + 1);
    }
}

#[test]
fn evaluates_over_mpfr() {
    let p = lecture_program();
    let x = [
        rug::Float::with_val(200, 1.5),
        rug::Float::with_val(200, 0.5),
    ];
    let y = p.eval(&x).remove(0);
    assert_eq!(y.prec(), 200);
    assert!(ulps_between(y.to_f64(), 2.0166466694282014) <= 1);
}

#[test]
fn sharing_across_outputs() {
    let e = env();
    let mut c = Compiler::new(&e, Limits::default());
    c.add_output("sin(x1/x2)", &[]).unwrap();
    c.add_output("x1/x2 + 2", &[]).unwrap();
    c.add_output("x1/x2", &[]).unwrap();
    let p = c.finish();
    assert_eq!(p.n_outputs(), 3);
    // x1, x2, x1/x2, sin, 2, +
    assert_eq!(p.len(), 6);
    assert_eq!(p.outputs(), [3, 5, 2]);
    let y = p.eval(&POINT);
    assert_eq!(y, vec![3.0f64.sin(), 5.0, 3.0]);
    // identical constants are one instruction; different bit patterns are not
    let p = compile("x1 * 2 + x2 * 2 + x1 * 2.0 + x1 * 0.5");
    let consts = p
        .instructions()
        .iter()
        .filter(|i| matches!(i, Instr::Const(_)))
        .count();
    assert_eq!(consts, 2);
}

#[test]
fn loops() {
    // a left fold starting with the first term
    let p = compile("sum(i, 1, 3, x[i])");
    use Instr::*;
    assert_eq!(
        p.instructions(),
        [
            Input(5),
            Input(6),
            Binary(crate::num::Binary::Add, 0, 1),
            Input(7),
            Binary(crate::num::Binary::Add, 2, 3),
        ]
    );
    exact("sum(i, 1, 3, x[i])", 111.0);
    exact("prod(i, 1, 3, x[i])", 1000.0);
    exact("prod(i, 1, 4, i)", 24.0);
    exact("sum(i, 1, 3, i * x[i])", 321.0);
    exact("sum(i, 1, 3, w[i] * x[4 - i])", 100.0 + 20.0 + 3.0);
    exact("sum(i, -2, 2, i^2)", 10.0);
    exact("sum(i, 1, 1, x[i] + 1)", 2.0);
    // bounds are integer expressions
    exact("sum(i, 2 - 1, (1 + 1) * 2 - 1, x[(i)])", 111.0);
    exact("sum(i, --1, 3, x[-(-i)])", 111.0);
    // nested loops with dependent bounds
    exact(
        "sum(i, 1, 3, sum(j, i, 3, w[i] * x[j]))",
        111.0 + 2.0 * 110.0 + 300.0,
    );
    exact("sum(i, 1, 3, prod(j, 1, i, x[j]))", 1.0 + 10.0 + 1000.0);
    exact(
        "sum(i, 1, 3, sum(j, 1, i - 1, x[j] * x[i]))",
        10.0 + 100.0 + 1000.0,
    );
    // empty ranges: 0 for sum, 1 for prod, the body is not expanded
    exact("sum(i, 3, 1, x[i])", 0.0);
    exact("prod(i, 3, 1, x[i])", 1.0);
    exact("sum(i, 5, 4, x[i]) + prod(j, 0, -1, x[j])", 1.0);
    assert_eq!(compile("sum(i, 1, 0, x[i])").instructions(), [Const(0.0)]);
    // sibling loops may reuse a name
    exact("sum(i, 1, 2, x[i]) + sum(i, 2, 3, x[i])", 121.0);
    // a loop over a shared body shares it
    let p = compile("sum(i, 1, 3, x1 / x2)");
    assert_eq!(p.len(), 5);
    exact("sum(i, 1, 3, x1 / x2)", 9.0);
}

#[test]
fn generated_outputs_with_bindings() {
    let e = env();
    let mut c = Compiler::new(&e, Limits::default());
    for j in 1..=3 {
        c.add_output("x[j]^2 + j + sum(i, 1, j, w[i])", &[("j", j)])
            .unwrap();
    }
    c.add_output("n * m", &[("n", 6), ("m", -7)]).unwrap();
    let p = c.finish();
    assert_eq!(p.n_outputs(), 4);
    assert_eq!(p.eval(&POINT), vec![3.0, 105.0, 10009.0, -42.0]);

    let mut c = Compiler::new(&e, Limits::default());
    let e1 = c.add_output("x[j]", &[("x1", 1)]).unwrap_err();
    assert_eq!(e1.message, "the binding 'x1' shadows the input 'x1'");
    assert_eq!(e1.span, Span::new(0, 4));
    let e2 = c.add_output("j", &[("j", 1), ("j", 2)]).unwrap_err();
    assert_eq!(
        e2.message,
        "the binding 'j' shadows the enclosing loop variable 'j'"
    );
    let e3 = c.add_output("sum(j, 1, 2, x[j])", &[("j", 1)]).unwrap_err();
    assert_eq!(
        e3.message,
        "the loop variable 'j' shadows the enclosing loop variable 'j'"
    );
    let e4 = c.add_output("x[j]", &[("j", 4)]).unwrap_err();
    assert_eq!(e4.message, "index 4 out of range 1..=3 for 'x'");
    assert!(c.finish().is_empty());
}

#[test]
fn failed_outputs_leave_no_trace() {
    let e = env();
    let mut c = Compiler::new(&e, Limits::default());
    c.add_output("x1 + x2", &[]).unwrap();
    let before = c.finish();
    let mut c = Compiler::new(&e, Limits::default());
    c.add_output("x1 + x2", &[]).unwrap();
    // fails half-way through the expansion, after emitting instructions
    c.add_output("x1 * x2 + sum(i, 1, 4, sin(x[i]))", &[])
        .unwrap_err();
    assert_eq!(c.finish(), before);
}

#[test]
fn error_unknown_function() {
    err_is(
        "sinh(x1)",
        "unknown function 'sinh' (known: sin, cos, tan, exp, log, sqrt, tanh, sigmoid, atan, abs, pow, min, max, sum, prod)",
        "sinh",
    );
    err_has("2 * x(1)", "unknown function 'x'", "x");
    err_has("sum(i, 1, 2, i(1))", "unknown function 'i'", "i");
}

#[test]
fn error_undefined_name() {
    err_is("x1 + y", "undefined name 'y'", "y");
    err_is("y[2]", "undefined name 'y'", "y");
    // also inside a loop whose range is empty
    err_is("sum(i, 1, 0, z)", "undefined name 'z'", "z");
    // a loop variable is not visible outside its loop, nor in its own bounds
    err_is("sum(i, 1, 2, x1) + i", "undefined name 'i'", "i");
    err_has("sum(i, 1, i, x1)", "undefined name 'i'", "i");
    err_is(
        "sin + 1",
        "'sin' is a function: call it, e.g. 'sin(...)'",
        "sin",
    );
}

#[test]
fn error_loop_variable_shadowing() {
    err_is(
        "sum(x1, 1, 2, x1)",
        "the loop variable 'x1' shadows the input 'x1'",
        "x1",
    );
    err_is(
        "sum(w, 1, 2, 1)",
        "the loop variable 'w' shadows the constant 'w'",
        "w",
    );
    err_is(
        "sum(i, 1, 2, prod(i, 1, 2, i))",
        "the loop variable 'i' shadows the enclosing loop variable 'i'",
        "i",
    );
    err_is(
        "sum(pi, 1, 2, 1)",
        "the loop variable 'pi' shadows the built-in constant 'pi'",
        "pi",
    );
    err_is(
        "sum(sin, 1, 2, 1)",
        "the loop variable 'sin' is named like the function 'sin'",
        "sin",
    );
    err_is(
        "sum(x[1], 1, 2, 1)",
        "expected a loop variable name as the first argument of 'sum', found 'x[1]'",
        "x[1]",
    );
    err_is(
        "sum((i), 1, 2, i)",
        "expected a loop variable name as the first argument of 'sum', found '(i)'",
        "(i)",
    );
}

#[test]
fn error_arity() {
    err_is("pow(x1)", "pow takes 2 arguments, got 1", "pow(x1)");
    err_is(
        "1 + sin(x1, x2)",
        "sin takes 1 argument, got 2",
        "sin(x1, x2)",
    );
    err_is("exp()", "exp takes 1 argument, got 0", "exp()");
    err_is(
        "max(a, b, c)",
        "max takes 2 arguments, got 3",
        "max(a, b, c)",
    );
    err_is(
        "sum(i, 1, 3)",
        "sum takes 4 arguments (loop variable, from, to, term), got 3",
        "sum(i, 1, 3)",
    );
    err_is(
        "prod(i, 1, 3, x[i], 2)",
        "prod takes 4 arguments (loop variable, from, to, term), got 5",
        "prod(i, 1, 3, x[i], 2)",
    );
}

#[test]
fn error_index_out_of_range() {
    let mut e = Env::new();
    e.add_input("x", Shape::Vector(1000)).unwrap();
    let text = "sum(i, 1, 1001, x[i]^2)";
    let error = err_in(&e, text);
    assert_eq!(error.message, "index 1001 out of range 1..=1000 for 'x'");
    assert_eq!(&text[error.span.start..error.span.end], "i");
    err_is("x[0]", "index 0 out of range 1..=3 for 'x'", "0");
    err_is("x[2 * 2]", "index 4 out of range 1..=3 for 'x'", "2 * 2");
    err_is("w[-1]", "index -1 out of range 1..=3 for 'w'", "-1");
    err_is(
        "x[9223372036854775807 + 1]",
        "integer overflow: the value of this integer expression does not fit an i64",
        "9223372036854775807 + 1",
    );
    // an index without loop variables is checked where no iteration reaches it: inside
    // an empty loop, and in a loop nested in one
    err_is(
        "sum(i, 1, 0, x[100])",
        "index 100 out of range 1..=3 for 'x'",
        "100",
    );
    err_is(
        "prod(i, 2, 1, sum(j, 1, 2, w[4 - 5]))",
        "index -1 out of range 1..=3 for 'w'",
        "4 - 5",
    );
    // an index that uses a loop variable is checked only where the loop reaches it
    assert!(compile_in(&env(), "sum(i, 1, 0, x[i + 100])").is_ok());
}

#[test]
fn error_not_an_integer_expression() {
    let ie = "must be an integer expression (integer literals and loop variables with + - * and parentheses)";
    err_is(
        "x[1.5]",
        &format!("the index of 'x' {ie}, found number '1.5'"),
        "1.5",
    );
    err_is(
        "x[x1]",
        &format!("the index of 'x' {ie}, found the input 'x1'"),
        "x1",
    );
    err_is(
        "x[k]",
        &format!("the index of 'x' {ie}, found the constant 'k'"),
        "k",
    );
    err_is(
        "x[pi]",
        &format!("the index of 'x' {ie}, found the constant 'pi'"),
        "pi",
    );
    err_is(
        "sum(i, 1, x1, x[i])",
        &format!("the upper bound of 'sum' {ie}, found the input 'x1'"),
        "x1",
    );
    err_is(
        "prod(i, 0.5, 2, x[i])",
        &format!("the lower bound of 'prod' {ie}, found number '0.5'"),
        "0.5",
    );
    err_has("sum(i, 1, 3, x[i / 2])", "found '/'", "/");
    err_has("x[2^1]", "found a power '^'", "2^1");
    err_has("x[sin(1)]", "found a call of 'sin'", "sin(1)");
    err_has(
        "x[sum(i, 1, 2, i)]",
        "found a call of 'sum'",
        "sum(i, 1, 2, i)",
    );
    err_has("x[x[1]]", "found an element of 'x'", "x[1]");
    err_has("x[1e0]", "found number '1e0'", "1e0");
    err_has("x[m]", "undefined name 'm'", "m");
    err_has(
        "x[99999999999999999999]",
        "is out of range (-9223372036854775808 to 9223372036854775807)",
        "99999999999999999999",
    );
    // the smallest i64 is an integer literal, whose magnitude alone is not an i64; one
    // below it is not
    err_is(
        "x[-9223372036854775808]",
        "index -9223372036854775808 out of range 1..=3 for 'x'",
        "-9223372036854775808",
    );
    // also with the minus sign folded through parentheses, or written with leading
    // zeros, as every other literal is
    for text in [
        "x[-(9223372036854775808)]",
        "x[-( 09223372036854775808 )]",
        "x[-09223372036854775808]",
        "x[- -(-9223372036854775808)]",
    ] {
        let e = err(text);
        assert_eq!(
            e.message, "index -9223372036854775808 out of range 1..=3 for 'x'",
            "{text}"
        );
    }
    err_has(
        "x[-(9223372036854775809)]",
        "is out of range (-9223372036854775808 to 9223372036854775807)",
        "-(9223372036854775809)",
    );
    err_has(
        "x[-9223372036854775809]",
        "is out of range",
        "-9223372036854775809",
    );
    err_has(
        "x[9223372036854775808]",
        "is out of range",
        "9223372036854775808",
    );
}

#[test]
fn error_unbalanced() {
    err_is(
        "(x1 + 1",
        "unbalanced parenthesis: this '(' is never closed (unexpected end of formula)",
        "(",
    );
    err_is(
        "x1 + 1)",
        "unbalanced parenthesis: ')' has no matching '('",
        ")",
    );
    err_is(
        "2 * sin(x1",
        "unbalanced parenthesis: the '(' of 'sin' is never closed (unexpected end of formula)",
        "(",
    );
    err_is(
        "x[1",
        "unbalanced bracket: this '[' is never closed (unexpected end of formula)",
        "[",
    );
    err_is("x[1]]", "unbalanced bracket: ']' has no matching '['", "]");
    err_has("((x1)", "unbalanced parenthesis", "(");
    err_has("(x1]", "expected ')' or an operator, found ']'", "]");
    // the unclosed '(' is named by its character in the formula, not a byte offset
    err_has(
        "x1 + (x1 x1",
        "found name 'x1' (the '(' at character 6 of the formula is not closed)",
        "x1",
    );
    err_has(
        "x[1)",
        "expected ']' after the index of 'x', found ')'",
        ")",
    );
    err_has(
        "min(a b)",
        "expected ',' or ')' in the arguments of 'min', found name 'b'",
        "b",
    );
}

#[test]
fn error_shapes() {
    err_is("x1[1]", "'x1' is a scalar and cannot be indexed", "x1[1]");
    err_is("k[1]", "'k' is a scalar and cannot be indexed", "k[1]");
    err_is(
        "pi[1]",
        "'pi' is a scalar constant and cannot be indexed",
        "pi[1]",
    );
    err_is(
        "sum(i, 1, 2, i[1])",
        "'i' is a loop variable and cannot be indexed",
        "i[1]",
    );
    err_is(
        "1 + x",
        "'x' is a vector of length 3: use an element, e.g. 'x[1]'",
        "x",
    );
    err_has("w * 2", "'w' is a vector of length 3", "w");
}

#[test]
fn error_syntax() {
    err_has("x1 # 2", "unexpected character '#'", "#");
    err_has("x1 + µ", "unexpected character 'µ'", "µ");
    err_is(
        "x1 +",
        "unexpected end of formula: expected a number, a name, a function call or '('",
        "",
    );
    assert_eq!(err("x1 +").span, Span::new(4, 4));
    assert_eq!(err("").span, Span::new(0, 0));
    assert!(err("   ").message.starts_with("unexpected end of formula"));
    err_is(
        "x1 x2",
        "trailing input: expected an operator or the end of the formula, found name 'x2'",
        "x2",
    );
    err_has("x1 2", "trailing input", "2");
    err_has("(x1) (2)", "trailing input", "(");
    err_has(
        "x1 * * 2",
        "expected a number, a name, a function call or '(', found '*'",
        "*",
    );
    err_has("()", "found ')'", ")");
    err_has("1..2", "trailing input", ".2");
    err_has("x1 + 1e", "expected digits in the exponent", "1e");
    err_has("1e999", "too large for an f64", "1e999");
    err_has(
        "x1^3000000000",
        "integer exponent 3000000000 is out of range",
        "3000000000",
    );
    err_has(
        "x1^99999999999999999999",
        "is out of range",
        "99999999999999999999",
    );
}

#[test]
fn error_display_and_render() {
    let text = "x1 + sinh(x2)";
    let e = err(text);
    assert_eq!(e.span, Span::new(5, 9));
    assert!(e.to_string().ends_with("(at bytes 5..9)"));
    let r = e.render(text);
    let lines: Vec<&str> = r.lines().collect();
    assert_eq!(lines[1], "  x1 + sinh(x2)");
    assert_eq!(lines[2], "       ^^^^");
    let boxed: Box<dyn std::error::Error> = Box::new(e);
    assert!(boxed.to_string().starts_with("unknown function 'sinh'"));
}

#[test]
fn nesting_depth_limit() {
    let e = env();
    // the limit counts levels; 199 parentheses around x1 is 200 levels
    let ok = format!("{}x1{}", "(".repeat(199), ")".repeat(199));
    assert_eq!(compile_in(&e, &ok).unwrap().eval(&POINT), vec![1.5]);
    let over = format!("{}x1{}", "(".repeat(200), ")".repeat(200));
    let error = compile_in(&e, &over).unwrap_err();
    assert!(
        error.message.contains("nested too deeply"),
        "{}",
        error.message
    );
    assert_eq!(
        error.message,
        "formula nested too deeply: more than 200 levels (the formula is the first; each \
         parenthesis, call, index, minus sign and exponent adds one) (raise with --limit \
         max_depth=N)"
    );
    // deep nests return an error at once, without overflowing the stack
    for text in [
        "(".repeat(50_000),
        format!("{}x1{}", "(".repeat(50_000), ")".repeat(50_000)),
        "-".repeat(50_000) + "x1",
        "x1^".repeat(50_000) + "2",
        "sin(".repeat(50_000),
        "x[".repeat(50_000),
        "sum(i,1,2,".repeat(50_000),
    ] {
        let start = Instant::now();
        let error = compile_in(&e, &text).unwrap_err();
        assert!(
            error.message.contains("nested too deeply"),
            "{}",
            error.message
        );
        assert!(start.elapsed() < Duration::from_secs(2));
    }
    // a raised limit allows more
    let mut c = Compiler::new(
        &e,
        Limits {
            max_depth: 300,
            ..Limits::default()
        },
    );
    c.add_output(&over, &[]).unwrap();
    // long flat chains are not nesting
    let long = vec!["x1"; 100_000].join(" + ");
    let p = compile_in(&e, &long).unwrap();
    assert_eq!(p.len(), 100_000);
    assert_eq!(p.eval(&POINT), vec![150_000.0]);
    let long = vec!["x1"; 100_000].join(" * ");
    assert_eq!(compile_in(&e, &long).unwrap().len(), 100_000);
}

#[test]
fn loop_iteration_limit() {
    let mut e = Env::new();
    e.add_input("x", Shape::Vector(3)).unwrap();
    let start = Instant::now();
    let text = "sum(i,1,100000000000,x[1])";
    let error = err_in(&e, text);
    assert!(start.elapsed() < Duration::from_secs(1));
    assert_eq!(
        error.message,
        "too many loop iterations: expanding this loop (with the loops inside it) takes \
         100000000000 iterations, but only 10000000 of the limit of 10000000 loop iterations \
         are left (raise with --limit max_loop_iterations=N)"
    );
    assert_eq!(error.span, Span::new(0, text.len()));
    // the widest range there is
    let error = err_in(
        &e,
        "sum(i, -9223372036854775807 - 1, 9223372036854775807, x[1])",
    );
    assert!(
        error
            .message
            .contains("takes 18446744073709551616 iterations"),
        "{}",
        error.message
    );
    // a nest is counted before it is expanded: the product of the bounds
    for text in [
        "sum(i, 1, 100000, sum(j, 1, 100000, x[1] * j))",
        "prod(i, 1, 1000, 1 + sum(j, 1, 1000, prod(k, 1, 1000, x[1])))",
        "sum(i, 1, 2, 1) + sum(i, 1, 100000, sum(j, 1, 100000, x[1] * j))",
    ] {
        let start = Instant::now();
        let error = err_in(&e, text);
        assert!(start.elapsed() < Duration::from_secs(1), "{text}");
        assert!(
            error.message.starts_with("too many loop iterations"),
            "{text}"
        );
    }
    let error = err_in(&e, "sum(i, 1, 100000, sum(j, 1, 100000, x[1] * j))");
    assert!(error.message.contains("takes 10000100000 iterations"));
    // with dependent bounds the count stops early, also when fast
    let start = Instant::now();
    let error = err_in(&e, "sum(i, 1, 100000, sum(j, 1, i, x[1] * j))");
    assert!(start.elapsed() < Duration::from_secs(1));
    assert!(
        error.message.contains("takes at least 1000"),
        "{}",
        error.message
    );

    // the count is exact: 5 + 5 * 4 = 25 iterations
    let limits = |n| Limits {
        max_loop_iterations: n,
        ..Limits::default()
    };
    let mut c = Compiler::new(&e, limits(30));
    c.add_output("sum(i, 1, 5, sum(j, 1, 4, x[1] * i * j))", &[])
        .unwrap();
    // the total counts over outputs
    let error = c.add_output("sum(i, 1, 6, x[1])", &[]).unwrap_err();
    assert_eq!(
        error.message,
        "too many loop iterations: expanding this loop (with the loops inside it) takes 6 \
         iterations, but only 5 of the limit of 30 loop iterations are left (raise with \
         --limit max_loop_iterations=N)"
    );
    c.add_output("sum(i, 1, 5, x[1])", &[]).unwrap();
    // 3 + 3 * 10 = 33
    let mut c = Compiler::new(&e, limits(30));
    let error = c
        .add_output("sum(i, 1, 3, sum(j, 1, 10, x[1]))", &[])
        .unwrap_err();
    assert!(
        error.message.contains("takes 33 iterations"),
        "{}",
        error.message
    );
    // dependent bounds, exactly: 3 + (3 + 2 + 1) = 9, and 4 + (0 + 1 + 2 + 3) = 10
    for (text, need) in [
        ("sum(i, 1, 3, sum(j, i, 3, x[j]))", 9),
        ("sum(i, 1, 4, sum(j, 1, i - 1, x[1] * j))", 10),
        (
            "sum(i, 1, 2, sum(j, 1, i, sum(k, j, 2, x[k])))",
            2 + 3 + 2 + 1 + 2,
        ),
        (
            "sum(i, 1, 2, x[i]) * prod(i, 1, 3, sum(j, 1, 2, x[j]))",
            2 + 3 + 6,
        ),
    ] {
        let mut c = Compiler::new(&e, limits(need));
        c.add_output(text, &[]).unwrap();
        let mut c = Compiler::new(&e, limits(need - 1));
        let error = c.add_output(text, &[]).unwrap_err();
        assert!(
            error.message.starts_with("too many loop iterations"),
            "{text}: {}",
            error.message
        );
    }
    // the default allows 10^6 at once
    let p = compile_in(&e, "sum(i, 1, 1000000, x[1])").unwrap();
    assert_eq!(p.len(), 1_000_000);
}

#[test]
fn instruction_limit() {
    let mut e = Env::new();
    e.add_input("x", Shape::Vector(3)).unwrap();
    let limits = Limits {
        max_instructions: 10,
        ..Limits::default()
    };
    let mut c = Compiler::new(&e, limits);
    // x1, then 9 more: fits exactly
    c.add_output("sum(i, 1, 10, x[1])", &[]).unwrap();
    // shared instructions cost nothing
    c.add_output("x[1] + x[1]", &[]).unwrap();
    let error = c.add_output("x[2]", &[]).unwrap_err();
    assert_eq!(
        error.message,
        "program too large: more than 10 instructions (raise with --limit max_elementals=N)"
    );
    assert_eq!(c.finish().len(), 10);
}

#[test]
fn no_inputs_needed_for_parsing() {
    let e = Env::new();
    let p = compile_in(&e, "1 + 2").unwrap();
    assert_eq!(p.n_inputs(), 0);
    assert_eq!(p.len(), 3);
    assert_eq!(err_in(&e, "x").message, "undefined name 'x'");
}

/// Pieces of formulas, valid and not, for token soups.
const TOKENS: &[&str] = &[
    "x1",
    "x2",
    "a",
    "x",
    "w",
    "k",
    "i",
    "j",
    "pi",
    "e",
    "y",
    "sin",
    "pow",
    "min",
    "sum",
    "prod",
    "sinh",
    "(",
    ")",
    "[",
    "]",
    ",",
    "+",
    "-",
    "*",
    "/",
    "^",
    "0",
    "1",
    "2",
    "3",
    "-1",
    "1.5",
    ".5",
    "1e3",
    "1e",
    "99999999999999999999",
    "3000000000",
    "#",
    " ",
    "µ",
];

fn compile_quietly(text: &str) -> Result<Program, ExprError> {
    let e = env();
    let limits = Limits {
        max_depth: 200,
        max_loop_iterations: 10_000,
        max_instructions: 100_000,
        max_expanded: 10_000_000,
    };
    let mut c = Compiler::new(&e, limits);
    c.add_output(text, &[("j", 2)])?;
    Ok(c.finish())
}

fn check_outcome(text: &str, r: Result<Program, ExprError>) {
    match r {
        Ok(p) => {
            assert_eq!(p.n_outputs(), 1);
            let _ = p.eval(&POINT);
        }
        Err(e) => {
            // the span lies in the text, on character boundaries
            assert!(
                e.span.start <= e.span.end && e.span.end <= text.len(),
                "{e:?}"
            );
            assert!(text.is_char_boundary(e.span.start) && text.is_char_boundary(e.span.end));
            assert!(!e.message.is_empty());
            let _ = e.render(text);
        }
    }
}

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        check_outcome(&text, compile_quietly(&text));
    }

    #[test]
    fn random_ascii_never_panics(text in "[ -~]{0,80}") {
        check_outcome(&text, compile_quietly(&text));
    }

    #[test]
    fn token_soups_never_panic(
        picks in proptest::collection::vec(0..TOKENS.len(), 0..60),
        spaced in any::<bool>(),
    ) {
        let sep = if spaced { " " } else { "" };
        let text = picks.iter().map(|&i| TOKENS[i]).collect::<Vec<_>>().join(sep);
        check_outcome(&text, compile_quietly(&text));
    }
}

#[test]
fn deepest_allowed_nests_fit_the_stack() {
    let e = env();
    let n = 199;
    let nests = [
        "sin(".repeat(n) + "x1" + &")".repeat(n),
        "-".repeat(n) + "x1",
        "x1^".repeat(n) + "x2",
        (0..n)
            .map(|d| format!("sum(i{d}, 1, 1, "))
            .collect::<String>()
            + "i0 * x1 * i198"
            + &")".repeat(n),
        "x[".to_string() + &"(".repeat(n - 2) + "1" + &")".repeat(n - 2) + "]",
    ];
    for text in &nests {
        let p = compile_in(&e, text).unwrap_or_else(|e| panic!("{}", e.render(text)));
        let _ = p.eval(&POINT);
    }
    assert_eq!(compile_in(&e, &nests[3]).unwrap().eval(&POINT), vec![1.5]);
}

#[test]
fn program_is_shareable_across_threads() {
    fn assert_traits<T: Clone + std::fmt::Debug + Send + Sync>() {}
    assert_traits::<Program>();
    assert_traits::<Env>();
    assert_traits::<ExprError>();
    let p = lecture_program();
    let handle = std::thread::spawn(move || p.eval(&[1.5, 0.5])[0]);
    assert!(ulps_between(handle.join().unwrap(), 2.0166466694282014) <= 1);
}
