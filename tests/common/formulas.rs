//! Random formulas for the property tests: every function and every operand order,
//! with arguments kept inside the domains, and their compiled programs.

use derivbench::scenario::expr::{Compiler, Env, Limits, Program, Shape};
use proptest::prelude::*;

/// The program of `outputs` over the scalar inputs `inputs`.
pub fn formula_program(inputs: &[&str], outputs: &[&str]) -> Program {
    let mut env = Env::new();
    for name in inputs {
        env.add_input(name, Shape::Scalar).unwrap();
    }
    let mut c = Compiler::new(&env, Limits::default());
    for o in outputs {
        c.add_output(o, &[])
            .unwrap_or_else(|e| panic!("{o}: {e:?}"));
    }
    c.finish()
}

/// Formulas in a, b, c that use every function and every operand order (e op e,
/// e op constant, constant op e), with arguments kept inside the domains: log and sqrt
/// see 1 + u^2, divisions divide by u^2 + 1.5, pow has base u^2 + 1 (or a positive
/// constant), tan sees atan(u), exp sees tanh(u).
pub fn formula() -> impl Strategy<Value = String> {
    let constant = (-2.0f64..2.0).prop_map(|c| format!("({c})"));
    let leaf = prop_oneof![
        Just("a".to_string()),
        Just("b".to_string()),
        Just("c".to_string()),
        constant,
    ];
    const UNARY: [&str; 16] = [
        "-({})",
        "sin({})",
        "cos({})",
        "tan(atan({}))",
        "exp(tanh({}))",
        "log(1 + ({})^2)",
        "sqrt(1 + ({})^2)",
        "tanh({})",
        "sigmoid({})",
        "atan({})",
        "abs({})",
        "({})^0",
        "({})^1",
        "({})^3",
        // u^-2 of something away from 0
        "(1 / (({})^2 + 1))^-2",
        "1 / (({})^2 + 1.5)",
    ];
    let un = |k: usize, e: &str| UNARY[k].replace("{}", e);
    // (left, right) -> text, for e op e, e op c and c op e alike
    let bin = |k: usize, l: &str, r: &str| match k {
        0 => format!("({l}) + ({r})"),
        1 => format!("({l}) - ({r})"),
        2 => format!("({l}) * ({r})"),
        3 => format!("({l}) / (({r})^2 + 1.5)"),
        4 => format!("pow(({l})^2 + 1, tanh({r}))"),
        5 => format!("min({l}, {r})"),
        _ => format!("max({l}, {r})"),
    };
    leaf.prop_recursive(6, 64, 2, move |inner| {
        let c = 0.25f64..3.0;
        prop_oneof![
            (0..UNARY.len(), inner.clone()).prop_map(move |(k, e)| un(k, &e)),
            (0..7usize, inner.clone(), inner.clone()).prop_map(move |(k, l, r)| bin(k, &l, &r)),
            (0..7usize, inner.clone(), c.clone()).prop_map(move |(k, e, c)| bin(
                k,
                &e,
                &format!("{c}")
            )),
            (0..7usize, inner.clone(), c.clone()).prop_map(move |(k, e, c)| bin(
                k,
                &format!("{c}"),
                &e
            )),
            // a positive constant base, and a variable base with a constant exponent
            (inner.clone(), c.clone()).prop_map(|(e, c)| format!("pow({c}, {e})")),
            (inner, c).prop_map(|(e, c)| format!("pow(({e})^2 + 1, {c})")),
        ]
    })
}
