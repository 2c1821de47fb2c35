//! The FD error split (truncation = MPFR quotient - reference, rounding = f64 quotient -
//! MPFR quotient) holds where the MPFR quotient at the starting precision loses a
//! term: the quotient runs at the precision its rounding bound asks for, at every step,
//! so an absorbed term is not reported as truncation, a large step gets the precision
//! it needs as well as the smallest, and a truncation error far below the quotient is
//! the quotient's, not MPFR's noise. A quotient and a reference that are both 0, and
//! rounding noise that no precision removes, resolve once the quotient's bound is below
//! 2^-1075, where the f64 figures cannot tell; what still is not resolved at the cap is
//! counted. The error model's |f| and the relative error are taken against values that
//! do not round away.

use derivbench::measure::{measure_accuracy, Accuracy, AccuracyOptions, Method};
use derivbench::scenario::file::{load_str, Limits};
use rug::Float;
use std::path::Path;

fn measure(name: &str, x: f64, output: &str, steps: &str, methods: &[Method]) -> Accuracy {
    let text = format!(
        "name = \"{name}\"\n\
         inputs = [{{ name = \"x\", value = {x:e} }}]\n\
         outputs = [\"{output}\"]\n\
         {steps}\n"
    );
    let (sc, _) = load_str(Path::new("t.toml"), &text, &Limits::default()).unwrap();
    let opts = AccuracyOptions {
        methods: methods.to_vec(),
        ..AccuracyOptions::default()
    };
    measure_accuracy(&sc, &opts)
}

const STEPS: &str = "fd.steps = { from = 1e-1, to = 1e-3, per_decade = 1 }";

/// (x + 1e300) - 1e300 is x: its exact quotient is 1 at every step, so the whole f64
/// error (the f64 program loses x and returns 0) is rounding. At 256 and 512 bits MPFR
/// loses x as well; the quotient's bound sends it to 2048 bits, where nothing rounds.
#[test]
fn an_absorbed_term_is_rounding_not_truncation() {
    let acc = measure(
        "absorbed",
        1.0,
        "(x + 1e300) - 1e300",
        STEPS,
        &[Method::FdForward, Method::FdCentral],
    );
    assert_eq!(acc.rows.len(), 8);
    for r in &acc.rows {
        assert_eq!(r.value, Some(0.0), "{r:?}");
        assert_eq!(r.trunc_err, Some(0.0), "{r:?}");
        assert_eq!(r.round_err, Some(1.0), "{r:?}");
    }
    assert!(
        acc.notes.iter().all(|n| !n.contains("unresolved")),
        "{:?}",
        acc.notes
    );
}

/// (exp(2000 (x - 1)) + x) - exp(2000 (x - 1)) is x too, but only the largest step
/// takes exp to 2^289, where 256 bits lose x: the smallest step is fine at 256 bits, and
/// a check of the smallest step alone kept 5.5 (central) and 11 (forward) as truncation
/// at h = 0.1.
#[test]
fn a_large_step_gets_the_precision_it_needs() {
    let acc = measure(
        "bigstep",
        1.0,
        "(exp(2000*(x-1)) + x) - exp(2000*(x-1))",
        STEPS,
        &[Method::FdForward, Method::FdCentral],
    );
    for r in acc.rows.iter().filter(|r| r.h.is_some_and(|h| h > 0.05)) {
        assert_eq!(r.trunc_err, Some(0.0), "{r:?}");
        let (v, round) = (r.value.unwrap(), r.round_err.unwrap());
        assert_eq!(round, (v - 1.0).abs(), "{r:?}");
        assert!(round > 1.0, "{r:?}");
    }
}

/// sigma at 100: the slope 3.7e-44 against a value of 1. The central quotient's
/// truncation error at h ~ 1e-14 is about 1e-72, some 95 bits below the quotient, where
/// a quotient that agrees with the next precision to 64 bits is noise. The oracle is
/// the same quotient at the same f64 points and the exact slope, in plain MPFR at 4096
/// bits. The tool resolves the truncation error to 53 bits of itself, or to 2^-100 of
/// the reference where it is smaller (which the reference does not resolve further).
#[test]
fn a_truncation_error_far_below_the_quotient_is_the_quotients() {
    let x = 100.0;
    let acc = measure(
        "sigma",
        x,
        "sigmoid(x)",
        "fd.steps = { from = 1e-11, to = 1e-14, per_decade = 2 }",
        &[Method::FdCentral],
    );
    let p = 4096;
    let sigma = |t: f64| {
        let e = Float::with_val(p, -Float::with_val(p, t)).exp();
        Float::with_val(p, 1u32 + e).recip()
    };
    let s = sigma(x);
    let slope = Float::with_val(p, &s * Float::with_val(p, 1u32 - &s));
    let mut checked = 0;
    for r in acc.rows.iter().filter(|r| r.method == "fd-central") {
        let h = r.h.unwrap();
        // the stencil's f64 points, as the tool forms them: symmetric, x -+ s with the
        // step s = (|x| + h) - |x| formed on |x|'s side
        let up = (x.abs() + h) - x.abs();
        let (hi, lo) = (x + up, x - up);
        let d = Float::with_val(p, Float::with_val(p, hi) - Float::with_val(p, lo));
        let q = Float::with_val(p, Float::with_val(p, sigma(hi) - sigma(lo)) / &d);
        let want = Float::with_val(p, &q - &slope).abs().to_f64();
        let got = r.trunc_err.unwrap();
        let tolerance = want * 2f64.powi(-52) + slope.to_f64() * 2f64.powi(-99);
        assert!(
            (got - want).abs() <= tolerance,
            "h = {h:e}: trunc_err {got:e}, oracle {want:e}"
        );
        checked += 1;
    }
    assert_eq!(checked, 7);
}

/// The central quotient of x^2 is exactly 2x at any symmetric stencil: no truncation
/// error at either sign of x, also where x + h enters a finer binade (x = -1: a step
/// formed on x's side, x - ((x + h) - x), rounds there, and the quotient then carries a
/// first-order term of about an ulp of x).
#[test]
fn a_quadratic_has_no_central_truncation_error_at_either_sign() {
    for x in [1.0, -1.0, -1024.0, -0.75] {
        let acc = measure(
            "square",
            x,
            "x * x",
            "fd.steps = { from = 1e-1, to = 1e-8, per_decade = 1 }",
            &[Method::FdCentral],
        );
        let rows: Vec<_> = acc
            .rows
            .iter()
            .filter(|r| r.method.starts_with("fd-central"))
            .collect();
        assert_eq!(rows.len(), 9, "x = {x}: 8 steps and the textbook one");
        for r in rows {
            assert_eq!(r.trunc_err, Some(0.0), "x = {x}: {r:?}");
        }
    }
}

/// 1 - sigmoid(400) is 1.9e-174, which 256 bits round to 0: the error model's |f| is
/// taken at the precision that resolves it (to its few leading bits), and the model
/// then has an optimum.
#[test]
fn the_error_model_sees_a_value_that_cancels_at_the_starting_precision() {
    let acc = measure(
        "one-minus-sigma",
        400.0,
        "1 - sigmoid(x)",
        STEPS,
        &[Method::FdCentral],
    );
    let p = 4096;
    let e = Float::with_val(p, 400u32).exp();
    let want = Float::with_val(p, 1u32 + e).recip().to_f64();
    let t = &acc.theory[0];
    assert!((t.f_abs - want).abs() <= want * 2f64.powi(-8), "{t:?}");
    assert!(t.predicted_h.is_some(), "{t:?}");
}

/// atan at 1e200: the slope 1e-400 is below f64's range. Reverse mode returns 0, whose
/// error relative to the reference is 1, not the absolute error (which rounds to 0).
#[test]
fn the_relative_error_is_taken_against_the_full_reference() {
    let acc = measure("tiny-slope", 1e200, "atan(x)", STEPS, &[Method::Reverse]);
    let r = &acc.rows[0];
    assert_eq!((r.value, r.reference), (Some(0.0), 0.0), "{r:?}");
    assert_eq!(r.abs_err, Some(0.0), "{r:?}");
    assert_eq!(r.rel_err, Some(1.0), "{r:?}");
}

/// cos at 0: the central quotient (cos(h) - cos(-h)) / 2h is exactly 0 in f64 and in
/// MPFR, and so is the reference, but the MPFR quotient carries the rounding bound of
/// cos(h), so a tolerance relative to |quotient - reference| and to the two values
/// themselves is 0 and was met at no precision up to the cap: every central row was
/// counted as unresolved. Both errors are exactly 0 (the exact quotient of an even
/// function at 0 is 0), which the f64 figures say once the bound is below 2^-1075.
#[test]
fn a_quotient_and_a_reference_both_exactly_zero_are_resolved() {
    let acc = measure("cos-at-0", 0.0, "cos(x)", "", &[Method::FdCentral]);
    let rows: Vec<_> = acc
        .rows
        .iter()
        .filter(|r| r.method.starts_with("fd-central"))
        .collect();
    // the default sweep, 1e-1 to 1e-16, and the textbook step
    assert_eq!(rows.len(), 17);
    for r in rows {
        assert_eq!(r.reference.to_bits(), 0f64.to_bits(), "{r:?}");
        assert_eq!(r.value.map(f64::to_bits), Some(0f64.to_bits()), "{r:?}");
        assert_eq!(r.trunc_err.map(f64::to_bits), Some(0f64.to_bits()), "{r:?}");
        assert_eq!(r.round_err.map(f64::to_bits), Some(0f64.to_bits()), "{r:?}");
    }
    assert!(
        acc.notes.iter().all(|n| !n.contains("unresolved")),
        "{:?}",
        acc.notes
    );
}

/// sin^2 + cos^2 is 1 up to rounding: its exact difference quotient is 0 at any two
/// points, and so is the reference, while every MPFR quotient is rounding noise, as
/// large as its bound. At 2048 bits the noise is below 2^-1075: the truncation error
/// is 0 as an f64, exactly, and the rounding error the f64 quotient itself. Before the
/// floor of 2^-1075 the noise was compared with itself, never resolved, and counted as
/// unresolved.
#[test]
fn rounding_noise_below_f64s_range_is_a_truncation_error_of_zero() {
    let acc = measure(
        "pythagoras",
        1.0,
        "sin(x)^2 + cos(x)^2",
        STEPS,
        &[Method::FdCentral],
    );
    let rows: Vec<_> = acc.rows.iter().filter(|r| r.trunc_err.is_some()).collect();
    assert_eq!(rows.len(), 4);
    for r in rows {
        let v = r.value.unwrap();
        assert_eq!(r.trunc_err.map(f64::to_bits), Some(0f64.to_bits()), "{r:?}");
        assert_eq!(
            r.round_err.map(f64::to_bits),
            Some(v.abs().to_bits()),
            "{r:?}"
        );
    }
    assert!(
        acc.notes.iter().all(|n| !n.contains("unresolved")),
        "{:?}",
        acc.notes
    );
}

/// (exp(5000 x) + x) - exp(5000 x) is x, but exp(5000 x) is above 2^6400 at every
/// point of the stencils (x >= 0.9): at 4096 bits, the cap, x + exp(5000 x) still rounds
/// to exp(5000 x), so every MPFR quotient is 0, with a bound above 2^2300 / h, against a
/// reference of exactly 1 (the adjoints of the shared exp(5000 x) cancel exactly). No precision up to the cap resolves them, and the scenario's notes
/// say how many such quotients there are, rather than passing them off as resolved.
#[test]
fn quotients_unresolved_at_the_cap_are_counted_in_the_notes() {
    let acc = measure(
        "deeper-than-the-cap",
        1.0,
        "(exp(5000*x) + x) - exp(5000*x)",
        STEPS,
        &[Method::FdCentral],
    );
    let rows: Vec<_> = acc.rows.iter().filter(|r| r.trunc_err.is_some()).collect();
    assert_eq!(rows.len(), 4);
    for r in rows {
        assert_eq!(r.reference, 1.0, "{r:?}");
        assert_eq!(r.trunc_err, Some(1.0), "{r:?}");
    }
    let note = acc
        .notes
        .iter()
        .find(|n| n.starts_with("unresolved:"))
        .unwrap_or_else(|| panic!("no unresolved note in {:?}", acc.notes));
    assert!(
        note.contains("4 FD quotients") && note.contains("4096 bits"),
        "{note}"
    );
}

/// The split does not depend on the precision the reference starts at: from 64 bits
/// the quotients of exp(1000 x) (f = e, a cancellation of about 2^20 at h = 1e-6) are
/// taken up to the precision that resolves their truncation errors to 53 bits, and
/// agree with those from 1024 bits to 2 ulps.
#[test]
fn the_split_is_resolved_to_53_bits_from_a_low_starting_precision() {
    let steps = "fd.steps = { from = 1e-6, to = 1e-7, per_decade = 1 }";
    let at = |bits: u32| {
        measure(
            "exp1000",
            0.001,
            "exp(1000 * x)",
            &format!("{steps}\nreference = {{ precision = {bits} }}"),
            &[Method::FdForward],
        )
    };
    let (lo, hi) = (at(64), at(1024));
    assert_eq!(lo.rows.len(), hi.rows.len());
    assert!(!lo.rows.is_empty());
    for (a, b) in lo.rows.iter().zip(&hi.rows) {
        assert_eq!(a.h, b.h);
        for (ea, eb) in [(a.trunc_err, b.trunc_err), (a.round_err, b.round_err)] {
            let (ea, eb) = (ea.unwrap(), eb.unwrap());
            assert!(
                derivbench::num::ulps_between(ea, eb) <= 2,
                "h = {:?}: {ea:e} from 64 bits, {eb:e} from 1024",
                a.h
            );
        }
    }
}

/// The error model reads f, f'' and f''' of the entry: x^4 at 1 has f = 1, f'' = 12 and
/// f''' = 24, so the central quotient's optimal step is (3u |f| / |f'''|)^(1/3) and the
/// forward quotient's 2 (u |f| / |f''|)^(1/2), u = 2^-53, with errors
/// |f'''| h^2 / 6 + u |f| / h and 2 (u |f| |f''|)^(1/2) there.
#[test]
fn the_error_model_reads_the_second_and_third_derivatives() {
    let acc = measure(
        "x4",
        1.0,
        "x^4",
        STEPS,
        &[Method::FdForward, Method::FdCentral],
    );
    let theory = |m: &str| acc.theory.iter().find(|t| t.method == m).unwrap();
    let (fw, ce) = (theory("fd-forward"), theory("fd-central"));
    for t in [fw, ce] {
        assert_eq!((t.f_abs, t.d2_abs, t.d3_abs), (1.0, 12.0, 24.0), "{t:?}");
    }
    let p = 256;
    let u = Float::with_val(p, Float::i_exp(1, -53));
    let h_ce = Float::with_val(p, Float::with_val(p, &u * 3u32) / 24u32).cbrt();
    let e_ce = Float::with_val(p, &h_ce * &h_ce) * 24u32 / 6u32 + Float::with_val(p, &u / &h_ce);
    // one-sided: E(h) = 12 h / 2 + 24 h^2 / 6 + 2u / h, whose optimum solves
    // 8 h^3 + 6 h^2 = 2u; Newton's method from the first-order optimum 2 sqrt(u / 12)
    let mut h_fw = Float::with_val(p, Float::with_val(p, &u / 12u32).sqrt() * 2u32);
    for _ in 0..40 {
        let h2 = Float::with_val(p, &h_fw * &h_fw);
        let g = Float::with_val(p, &h2 * &h_fw) * 8u32 + Float::with_val(p, &h2 * 6u32)
            - Float::with_val(p, &u * 2u32);
        let dg = Float::with_val(p, &h2 * 24u32) + Float::with_val(p, &h_fw * 12u32);
        h_fw -= Float::with_val(p, g / dg);
    }
    let e_fw = Float::with_val(p, &h_fw * 6u32)
        + Float::with_val(p, &h_fw * &h_fw) * 4u32
        + Float::with_val(p, Float::with_val(p, &u * 2u32) / &h_fw);
    for (got, want) in [
        (ce.predicted_h, h_ce),
        (ce.predicted_err, e_ce),
        (fw.predicted_h, h_fw),
        (fw.predicted_err, e_fw),
    ] {
        let (got, want) = (got.unwrap(), want.to_f64());
        assert!(
            derivbench::num::ulps_between(got, want) <= 4,
            "{got:e} against {want:e}"
        );
    }
}
