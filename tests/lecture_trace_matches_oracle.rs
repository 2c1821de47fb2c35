//! The lecture's evaluation trace of f(x1, x2) at (1.5, 0.5): values, tangents for both
//! partials and adjoints, from the f64 tape of dual numbers and from MPFR, against the
//! independently computed 35-digit oracle.

mod common;

use common::{agreed_bits, assert_close, assert_close_scaled, lecture_oracle};
use derivbench::ad::{seeded, Dual, Tape};
use derivbench::measure::{reference_jacobian, RefOptions};
use derivbench::scenario::{Lecture, Model};
use derivbench::trace::trace;
use rug::Float;

/// Rows of the trace for tangent direction j, in f64.
fn f64_trace(j: usize) -> derivbench::trace::Trace {
    trace(&Lecture::scenario(), &[1.5, 0.5], j).unwrap()
}

#[test]
fn f64_values_tangents_and_adjoints_match_the_oracle_within_a_few_ulps() {
    let oracle = lecture_oracle();
    let t1 = f64_trace(0);
    let t2 = f64_trace(1);
    assert_eq!(t1.rows.len(), oracle.len());
    for (k, o) in oracle.iter().enumerate() {
        let (r1, r2) = (&t1.rows[k], &t2.rows[k]);
        assert_eq!(r1.index, o.i);
        let what = format!("v{}", o.i);
        // values pass through up to 6 roundings; sin and exp from libm add one ulp each
        assert_close(r1.value, o.value.to_f64(), 4, &format!("{what} value"));
        // tangents and adjoints of sums can cancel (v5dot = v2dot + v4dot = 0.02 from
        // -1.98 and 2): their rounding errors are relative to the operands' magnitude
        let scale = |col: fn(&common::OracleRow) -> &Float| {
            r1.args
                .iter()
                .filter_map(|a| a.strip_prefix('v')?.parse::<i64>().ok())
                .map(|i| col(&oracle[(i + 1) as usize]).to_f64().abs())
                .fold(0.0, f64::max)
        };
        let (s1, s2) = (scale(|o| &o.dot_x1), scale(|o| &o.dot_x2));
        assert_close_scaled(
            r1.tangent,
            o.dot_x1.to_f64(),
            s1,
            8.0,
            &format!("{what} dot_x1"),
        );
        assert_close_scaled(
            r2.tangent,
            o.dot_x2.to_f64(),
            s2,
            8.0,
            &format!("{what} dot_x2"),
        );
        assert_close(r1.adjoint, o.bar.to_f64(), 8, &format!("{what} bar"));
    }
    // the lecture prints y = 2.0167, the product of its 4-digit intermediates
    // 1.4924 * 1.3513 = 2.01668; the exact y = 2.016646669... rounds to 2.0166
    assert_eq!(format!("{:.4}", t1.y), "2.0166");
    assert_eq!(format!("{:.4}", 1.4924 * 1.3513), "2.0167");
    assert_eq!(format!("{:.4}", t1.ydot), "3.0118");
}

#[test]
fn adjoint_sweep_gradient_equals_forward_tangents() {
    let t1 = f64_trace(0);
    let t2 = f64_trace(1);
    assert_close(t1.gradient[0], t1.ydot, 2, "dy/dx1");
    assert_close(t1.gradient[1], t2.ydot, 2, "dy/dx2");
    // and the incremental adjoints of the inputs are the gradient
    assert_eq!(t1.rows[0].adjoint, t1.gradient[0]);
    assert_eq!(t1.rows[1].adjoint, t1.gradient[1]);
}

#[test]
fn mpfr_trace_agrees_with_the_oracle_to_its_35_digits() {
    let oracle = lecture_oracle();
    for (j, dots) in [(0usize, 0usize), (1, 1)] {
        let x: Vec<Dual<Float>> = seeded(&[1.5, 0.5].map(|v| Float::with_val(256, v)), j);
        let tape: Tape<Dual<Float>> = Tape::new();
        let xs = tape.vars(&x);
        let y = Lecture.eval(&xs).remove(0);
        let adj = tape.adjoint_table(&y, &xs);
        for (k, (node, o)) in tape.nodes().iter().zip(&oracle).enumerate() {
            let want_dot = if dots == 0 { &o.dot_x1 } else { &o.dot_x2 };
            // the oracle carries 35 significant digits (116 bits)
            assert!(
                agreed_bits(&node.value.v, &o.value) >= 110,
                "v{} value",
                o.i
            );
            if *want_dot != 0 {
                assert!(
                    agreed_bits(&node.value.d, want_dot) >= 110,
                    "v{} tangent",
                    o.i
                );
            } else {
                assert_eq!(node.value.d, 0);
            }
            assert!(agreed_bits(&adj[k].v, &o.bar) >= 110, "v{} adjoint", o.i);
        }
    }
}

#[test]
fn reference_settles_and_matches_the_oracle_gradient() {
    let oracle = lecture_oracle();
    let r = reference_jacobian(
        &Model::Lecture(Lecture),
        &[1.5, 0.5],
        &[0, 1],
        &RefOptions::default(),
    );
    assert!(r.settled());
    assert_eq!(r.max_precision_used, 512);
    assert!(agreed_bits(&r.entries[0][0].value, &oracle[0].bar) >= 110);
    assert!(agreed_bits(&r.entries[0][1].value, &oracle[1].bar) >= 110);
    assert!(r.entries[0][0].agreed_bits >= 100);
}

#[test]
fn the_trace_sets_both_modes_against_the_reference_in_ulps() {
    let oracle = lecture_oracle();
    for j in [0usize, 1] {
        let t = f64_trace(j);
        assert_eq!(t.reference.len(), 2);
        for (k, r) in t.reference.iter().enumerate() {
            assert!(r.settled);
            let digits = Float::with_val(512, Float::parse(&r.digits).unwrap());
            assert!(agreed_bits(&digits, &oracle[k].bar) >= 110, "{}", r.digits);
            assert_eq!(r.value, oracle[k].bar.to_f64());
        }
        // the ulps printed are the distances of each mode's f64 from the oracle's
        let ulps = |v: f64, k: usize| derivbench::num::ulps_between(v, oracle[k].bar.to_f64());
        let text = t.to_string();
        for k in 0..2 {
            let forward = if k == j {
                format!("forward {}, ", ulps(t.ydot, k))
            } else {
                String::new()
            };
            let line = format!(
                "  d y / d x{} = {}: {forward}reverse {}\n",
                k + 1,
                t.reference[k].digits,
                ulps(t.gradient[k], k)
            );
            assert!(text.contains(&line), "{line}\n{text}");
        }
        // both modes within 1 ulp of the reference here (the README's example)
        assert!(ulps(t.ydot, j) <= 1 && ulps(t.gradient[0], 0) <= 1 && ulps(t.gradient[1], 1) <= 1);
    }
}

#[test]
fn a_derivative_beyond_f64_s_range_has_no_distance_in_ulps() {
    // at (1e300, 1) dy/dx2 is about -1.4e600: -inf in f64, where the reference, finite
    // in MPFR, also rounds to -inf; two infinities are not an exact derivative
    let t = trace(&Lecture::scenario(), &[1e300, 1.0], 0).unwrap();
    assert_eq!(t.gradient[1], f64::NEG_INFINITY);
    assert!(t.reference[1].settled && t.reference[1].digits.ends_with("e600"));
    let text = t.to_string();
    assert!(
        text.contains(&format!(
            "  d y / d x2 = {}: reverse -inf (not finite in f64)\n",
            t.reference[1].digits
        )),
        "{text}"
    );
    // the finite entry keeps its count
    assert!(text.contains(": forward 0, reverse 0\n"), "{text}");
}

#[test]
fn a_finite_derivative_whose_reference_is_beyond_f64_s_range_says_so() {
    // the constant 1.0000000000000002 * 0.99999999999999989 - 1 is 0 in f64 (the product
    // rounds to 1) and 2^-53 - 2^-105 in MPFR, so that dy/dx is 0 in forward mode and
    // 1.1e310 in the reference, which rounds to inf in f64: 0 is not 1 ulp from inf
    let text = r#"
name = "beyond"
inputs = [{ name = "x", value = 1.0 }]
outputs = ["x * (1.0000000000000002 * 0.99999999999999989 - 1) * 1e163 * 1e163"]
"#;
    let (sc, _) = derivbench::scenario::file::load_str(
        std::path::Path::new("beyond.toml"),
        text,
        &derivbench::scenario::file::Limits::default(),
    )
    .unwrap();
    let t = trace(&sc, &sc.x, 0).unwrap();
    assert_eq!(t.ydot, 0.0);
    assert!(t.reference[0].settled && t.reference[0].digits.ends_with("e310"));
    let text = t.to_string();
    assert!(
        text.contains(&format!(
            "  d y / d x = {}: forward 0 (the reference is not finite in f64), reverse",
            t.reference[0].digits
        )),
        "{text}"
    );
}
