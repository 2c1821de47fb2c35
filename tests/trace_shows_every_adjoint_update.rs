//! The reverse table of `trace` is the lecture's incremental return: every update
//! vbar_j += dv_i/dv_j * vbar_i the sweep makes, with its partial and the adjoint after
//! it. The partials are checked against the 35-digit oracle through the chain rule (they
//! must carry the oracle's tangents from the arguments to each entry), the updates
//! against the oracle's adjoints, and the printed rows against the sweep.

mod common;

use common::{agreed_bits, lecture_oracle};
use derivbench::ad::{AdjointStep, Tape};
use derivbench::scenario::file::{load_str, Limits};
use derivbench::scenario::Lecture;
use derivbench::trace::trace;
use rug::Float;
use std::path::Path;

/// The sweep of the lecture's example at 256 bits, step by step.
fn mpfr_steps() -> (Vec<Float>, Vec<AdjointStep<Float>>) {
    let x = [1.5, 0.5].map(|v| Float::with_val(256, v));
    let tape: Tape<Float> = Tape::new();
    let xs = tape.vars(&x);
    let y = Lecture.eval(&xs).remove(0);
    assert_eq!(tape.len(), lecture_oracle().len(), "no constants");
    tape.adjoint_steps(&y, &xs)
}

#[test]
fn partials_carry_the_oracle_tangents_through_the_chain_rule() {
    let oracle = lecture_oracle();
    let (_, steps) = mpfr_steps();
    for (d, dot) in [
        (
            "d/dx1",
            (|o: &common::OracleRow| o.dot_x1.clone()) as fn(&common::OracleRow) -> Float,
        ),
        ("d/dx2", |o: &common::OracleRow| o.dot_x2.clone()),
    ] {
        for (i, o) in oracle.iter().enumerate().skip(2) {
            // vdot_i = sum over the arguments v_j of dv_i/dv_j vdot_j
            let mut sum = Float::with_val(256, 0);
            let mut args = 0;
            for st in steps.iter().filter(|st| st.entry == i) {
                sum += Float::with_val(256, &st.partial * &dot(&oracle[st.arg]));
                args += 1;
            }
            assert!((1..=2).contains(&args), "v{}: {args} updates", o.i);
            let want = dot(o);
            if want == 0 {
                assert_eq!(sum, 0, "{d} of v{}", o.i);
            } else {
                assert!(
                    agreed_bits(&sum, &want) >= 110,
                    "{d} of v{}: {sum} against {want}",
                    o.i
                );
            }
        }
    }
}

#[test]
fn updates_add_up_to_the_oracle_adjoints() {
    let oracle = lecture_oracle();
    let (adj, steps) = mpfr_steps();
    let mut running: Vec<Float> = (0..oracle.len()).map(|_| Float::new(256)).collect();
    running[oracle.len() - 1] = Float::with_val(256, 1);
    for (k, st) in steps.iter().enumerate() {
        // sweep order: an entry passes its adjoint back only once it is final
        assert!(
            steps[k..].iter().all(|later| later.arg != st.entry),
            "v{} updated after its own row",
            oracle[st.entry].i
        );
        assert!(agreed_bits(&adj[st.entry], &oracle[st.entry].bar) >= 110);
        // the increment is the partial times the entry's adjoint (as the sweep rounds
        // it), and the adjoint after is the one before plus the increment, exactly
        let product = Float::with_val(256, &st.partial * &oracle[st.entry].bar);
        assert!(
            agreed_bits(&st.increment, &product) >= 110,
            "v{} -> v{}",
            oracle[st.entry].i,
            oracle[st.arg].i
        );
        running[st.arg] += &st.increment;
        assert_eq!(running[st.arg], st.after);
    }
    for (j, o) in oracle.iter().enumerate() {
        assert!(agreed_bits(&running[j], &o.bar) >= 110, "v{}", o.i);
        assert_eq!(running[j], adj[j], "v{}: the sum of its updates", o.i);
    }
}

#[test]
fn the_f64_table_lists_each_argument_once_with_the_adjoint_it_reaches() {
    let t = trace(&Lecture::scenario(), &[1.5, 0.5], 0).unwrap();
    let mut last: std::collections::HashMap<i64, f64> = Default::default();
    let updates: usize = t.rows.iter().map(|r| r.updates.len()).sum();
    // two arguments for each bivariate elemental, one for each univariate one
    let want: usize = t.rows.iter().map(|r| r.args.len()).sum();
    assert_eq!(updates, want);
    for r in t.rows.iter().rev() {
        if let Some(a) = last.get(&r.index) {
            assert_eq!(a.to_bits(), r.adjoint.to_bits(), "v{}", r.index);
        }
        let to: Vec<String> = r.updates.iter().map(|u| format!("v{}", u.to)).collect();
        assert_eq!(to, r.args, "v{} {}", r.index, r.op);
        for u in &r.updates {
            last.insert(u.to, u.after);
        }
    }
    // dv/du and dv/dw of v1 = x1 / x2 at x2 = 0.5: 1/x2 = 2 and -v1/x2 = -6, exactly
    let v1 = t.rows.iter().find(|r| r.index == 1).unwrap();
    assert_eq!(v1.op, "/");
    let p: Vec<f64> = v1.updates.iter().map(|u| u.partial).collect();
    assert_eq!(p, [2.0, -6.0]);
    let text = t.to_string();
    assert!(text.contains("vbar_j += dv_i/dv_j * vbar_i"), "{text}");
}

#[test]
fn a_constant_argument_gets_no_row_of_its_own() {
    let text = "name = \"c\"\n\
                inputs = [{ name = \"x\", value = 0.5 }]\n\
                outputs = [\"3 * sin(x) - x / 4\"]\n";
    let sc = load_str(Path::new("c.toml"), text, &Limits::default())
        .unwrap()
        .0;
    let t = trace(&sc, &sc.x, 0).unwrap();
    for r in &t.rows {
        let numbered = r.args.iter().filter(|a| a.starts_with('v')).count();
        assert_eq!(r.updates.len(), numbered, "v{} {}", r.index, r.op);
    }
    // d/dx of 3 sin(x) - x/4 = 3 cos(x) - 1/4
    let want = 3.0 * 0.5f64.cos() - 0.25;
    assert!((t.gradient[0] - want).abs() <= 2.0 * f64::EPSILON);
    assert_eq!(t.rows[0].adjoint.to_bits(), t.gradient[0].to_bits());
}
