//! `derivbench check` on results measured at other cost weights than the baseline's:
//! one `settings:` note on standard error, the ratios without a bound not compared, and
//! no failure for it; at weights where the cost model does not prove its bounds, a
//! second note, and the bounded ratios are not checked either.

mod check_support;

use check_support::*;
use derivbench::check::{self, CostAllowance};
use derivbench::measure::cost::PROVEN_REGION;
use derivbench::results::{CostRow, RunResults};

/// The cost row of `lecture-example` for `mode`.
fn lecture_cost<'a>(r: &'a mut RunResults, mode: &str) -> &'a mut CostRow {
    r.scenarios
        .iter_mut()
        .find(|s| s.name == "lecture-example")
        .unwrap()
        .cost
        .iter_mut()
        .find(|c| c.mode == mode)
        .unwrap()
}

#[test]
fn other_weights_alone_pass_with_a_settings_note() {
    let dir = tmp("other-weights");
    let mut r = run_pipeline(&dir);
    let baseline = dir.join("baseline.toml");
    make_baseline(&baseline, &r);
    r.settings.weights = [2.0, 1.0, 1.0];
    // a ratio without a bound, far above what the baseline allows at its weights
    let c = lecture_cost(&mut r, "jacobian-reverse");
    c.ratio *= 10.0;
    let results = dir.join("results");
    write_results(&results, &r);
    let o = check_bin(&baseline, &results, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{:?}\n{err}", lines(&o));
    assert_eq!(
        lines(&o),
        [format!(
            "check: 3 scenarios within {} (other cost weights, see the notes)",
            baseline.display()
        )]
    );
    assert_eq!(
        err.lines()
            .filter(|l| l.starts_with("note: settings: "))
            .collect::<Vec<_>>(),
        [
            "note: settings: cost weights (mu, pi, nu) = (2, 1, 1) differ from the baseline's \
          (1, 1, 1); ratios are checked against their bounds only, not against the baseline's allowed ratios"
        ],
        "{err}"
    );
}

#[test]
fn weights_where_the_bounds_are_not_proven_do_not_gate_the_bounds() {
    let dir = tmp("unproven-weights");
    let mut r = run_pipeline(&dir);
    let baseline = dir.join("baseline.toml");
    make_baseline(&baseline, &r);
    // nonlinear operations free: a univariate's gradient costs 4.5 functions there
    r.settings.weights = [1.0, 1.0, 0.0];
    let c = lecture_cost(&mut r, "gradient");
    c.ratio = 4.5;
    c.within = Some(false);
    let results = dir.join("results");
    write_results(&results, &r);
    let o = check_bin(&baseline, &results, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{:?}\n{err}", lines(&o));
    assert!(
        err.contains(&format!(
            "note: settings: cost weights (mu, pi, nu) = (1, 1, 0) lie outside the region \
             where the cost model proves its bounds ({PROVEN_REGION}); the bounded ratios \
             are not checked"
        )),
        "{err}"
    );
    // at proven weights other than the baseline's, the same ratio fails on its bound
    r.settings.weights = [2.0, 1.0, 1.0];
    write_results(&results, &r);
    let o = check_bin(&baseline, &results, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        lines(&o)
            .iter()
            .any(|l| l.starts_with("cost: lecture-example gradient: ratio 4.5")),
        "{:?}",
        lines(&o)
    );
}

/// An exception's allowed ratio was measured at the baseline's weights: at other weights
/// it is not compared, and the exception still lets its mode pass the bound. At the
/// baseline's weights the same ratio fails on the allowed ratio.
#[test]
fn an_exception_is_not_held_to_its_allowed_ratio_at_other_weights() {
    let dir = tmp("exception-other-weights");
    let mut r = run_pipeline(&dir);
    let baseline = dir.join("baseline.toml");
    let mut b = make_baseline(&baseline, &r);
    let reason = "test: a gradient above its bound";
    b.scenarios.get_mut("lecture-example").unwrap().cost.insert(
        "gradient".into(),
        CostAllowance {
            measured: Some(5.0),
            allowed: 5.0,
            reason: Some(reason.into()),
        },
    );
    let c = lecture_cost(&mut r, "gradient");
    c.ratio = 5.25;
    c.within = Some(false);
    let violations = |b: &check::Baseline, r: &RunResults| -> Vec<String> {
        check::check(b, r)
            .violations
            .iter()
            .map(|v| v.to_string())
            .collect()
    };
    assert_eq!(
        violations(&b, &r),
        [format!(
            "cost: lecture-example gradient: ratio 5.250 > allowed 5.0 (exception: {reason})"
        )]
    );
    r.settings.weights = [2.0, 1.0, 1.0];
    let report = check::check(&b, &r);
    assert!(report.violations.is_empty(), "{:?}", report.violations);
    // without the exception, the bound still holds at those weights
    b.scenarios
        .get_mut("lecture-example")
        .unwrap()
        .cost
        .remove("gradient");
    assert_eq!(
        violations(&b, &r),
        ["cost: lecture-example gradient: ratio 5.250 > bound 4 (no exception in the baseline)"]
    );
}
