//! The summary's sum-of-squares paragraph states the case that was measured: x_1, its
//! derivative 2 x_1 and the step actually used come from the results, and the lecture's
//! analysis (its bound n^3/3 sqrt(eps) and the step sqrt(eps) = 2^-26) is given only at
//! the lecture's point x_i = i, where it holds.

use derivbench::measure::Method;
use derivbench::results::RunResults;
use derivbench::run::{run_all, RunOptions};
use derivbench::scenario::file::{load_str, Limits};
use std::path::Path;

fn run(toml: &str) -> RunResults {
    let (sc, _) = load_str(Path::new("ss.toml"), toml, &Limits::default()).unwrap();
    let mut opts = RunOptions {
        wall_budget: std::time::Duration::ZERO,
        ..RunOptions::default()
    };
    opts.accuracy.methods = vec![Method::FdForward, Method::Reverse];
    opts.accuracy.quick = true;
    run_all(&[sc], &opts, Vec::new(), &|_| {})
}

/// x = (3, 4, 5): the derivative on x_1 is 6 and the textbook step
/// sqrt(eps) max(1, |x_1|) = 3 * 2^-26, used as (3 + h) - 3 = 4.47e-8; the lecture's
/// derivative 2, its step 2^-26 and its bound for x_i = i are not claimed.
#[test]
fn other_values_give_their_own_x1_derivative_and_step() {
    let r = run("name = \"ss\"\nfamily = \"sum-of-squares\"\nvalues = [3.0, 4.0, 5.0]\n");
    let text = derivbench::report::summary::render(&r);
    let s = &r.scenarios[0];
    let auto = s
        .accuracy
        .iter()
        .find(|a| a.method == "fd-forward@auto" && a.input == 0)
        .unwrap();
    // the oracle: the step as the stencil forms it, from the textbook step at 3
    let nominal = 3.0 * 2f64.powi(-26);
    let used = (3.0 + nominal) - 3.0;
    assert_eq!(auto.h.map(f64::to_bits), Some(used.to_bits()));
    assert_eq!(auto.reference.to_bits(), 6f64.to_bits());
    let want = format!(
        "Forward differences on x_1 = 3 (exact derivative 6) at the textbook step \
         sqrt(eps) max(1, |x_1|), for n = 3: the quotient is {} at h = {:.2e}",
        auto.value.unwrap(),
        used
    );
    assert!(text.contains(&want), "{want}\nnot in\n{text}");
    assert!(text.contains("h = 4.47e-8"), "{text}");
    for wrong in [
        "exact derivative 2",
        "The lecture's analysis",
        "h = 2^-26",
        "the bound is",
    ] {
        assert!(!text.contains(wrong), "{wrong:?} in\n{text}");
    }
}

/// x_i = i with n = 3: the lecture's point, so its analysis is given, with the bound
/// n^3/3 sqrt(eps) = 9 * 2^-26 = 1.34e-7 in three significant digits rather than
/// 0.000, and x_1 = 1 with its derivative 2 from the results.
#[test]
fn the_lectures_point_keeps_the_lectures_analysis() {
    let r = run("name = \"ss\"\nfamily = \"sum-of-squares\"\nn = 3\npoint = \"index\"\n");
    let text = derivbench::report::summary::render(&r);
    // mpmath: 9 * 2^-26 = 1.341104507446289e-7, 9 * 2^-26.5 = 9.48e-8, 9 * 2^-27 = 6.71e-8
    assert!(
        text.contains(
            "The lecture's analysis, measured: for n = 3, forward differences at \
             h = sqrt(eps) on x_1 = 1 (exact derivative 2)."
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "the bound is 1.34e-7 (9.48e-8 with the unit roundoff 2^-53, 6.71e-8 with the \
             lecture's own eps = 2^-54"
        ),
        "{text}"
    );
}
