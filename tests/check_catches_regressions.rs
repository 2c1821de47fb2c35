//! The gate fails, naming scenario, method or mode, figure and allowed value, on results
//! doctored to be worse than the baseline made from the current code: a reverse-mode
//! entry off by 0.1%, a gradient ratio of 5, unsettled references, a missing scenario,
//! a NaN derivative. Exceptions with a reason let a ratio exceed its bound; the update
//! lists what loosened and refuses what no baseline allows.

mod check_support;

use check_support::*;
use derivbench::check::{self, Baseline, CostAllowance};
use derivbench::results::{RunResults, ScenarioResult};

fn scenario<'a>(r: &'a mut RunResults, name: &str) -> &'a mut ScenarioResult {
    r.scenarios.iter_mut().find(|s| s.name == name).unwrap()
}

/// Worsens results three ways; returns the expected reverse-mode line.
fn doctor(r: &mut RunResults, b: &Baseline) -> String {
    // a reverse-mode entry off by 0.1%
    let fan = scenario(r, "fanout-3");
    let row = fan
        .accuracy
        .iter_mut()
        .find(|a| a.method == "reverse" && a.output == 1)
        .unwrap();
    let v = row.value.unwrap() * 1.001;
    set_value(row, v);
    let bits = row.bits_err.unwrap();
    assert!(bits > 40.0, "0.1% is about 2^43 ulps: {bits}");
    // the other outputs' references do not settle
    for rr in &mut fan.reference {
        rr.settled = false;
    }
    // a gradient ratio of 5
    let per = scenario(r, "perceptron");
    let g = per.cost.iter_mut().find(|c| c.mode == "gradient").unwrap();
    g.time *= 5.0 / g.ratio;
    g.ratio = 5.0;
    g.within = Some(false);
    format!(
        "accuracy: fanout-3 reverse: worst bits of error {bits:.1} > allowed {:?}",
        b.scenarios["fanout-3"].accuracy["reverse"].allowed
    )
}

#[test]
fn doctored_results_fail_with_one_line_per_violation() {
    let dir = tmp("doctored");
    let mut r = run_pipeline(&dir);
    let baseline = dir.join("baseline.toml");
    let b = make_baseline(&baseline, &r);
    let reverse_line = doctor(&mut r, &b);
    let expected = vec![
        "reference: fanout-3: 3 entries unsettled".to_string(),
        reverse_line,
        "cost: perceptron gradient: ratio 5.000 > bound 4 (no exception in the baseline)"
            .to_string(),
    ];

    let lib: Vec<String> = check::check(&b, &r)
        .violations
        .iter()
        .map(|v| v.to_string())
        .collect();
    assert_eq!(lib, expected);

    let results = dir.join("results");
    write_results(&results, &r);
    let o = check_bin(&baseline, &results, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(lines(&o), expected);
    assert!(
        stderr(&o).contains("check failed: 3 violations"),
        "{}",
        stderr(&o)
    );

    // the update refuses: no baseline allows unsettled references or a broken bound
    let before = std::fs::read_to_string(&baseline).unwrap();
    let o = check_bin(&baseline, &results, &["--update"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(lines(&o), [expected[0].clone(), expected[2].clone()]);
    assert!(stderr(&o).contains("not written"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("(a bound needs an exception with a reason, written by hand)"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_to_string(&baseline).unwrap(), before);

    // with the bound kept, the refusal names no bound
    let per = scenario(&mut r, "perceptron");
    let g = per.cost.iter_mut().find(|c| c.mode == "gradient").unwrap();
    g.ratio = 3.5;
    g.within = Some(true);
    write_results(&results, &r);
    let o = check_bin(&baseline, &results, &["--update"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(lines(&o), [expected[0].clone()]);
    assert!(stderr(&o).contains("not written"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("bound"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&baseline).unwrap(), before);
}

#[test]
fn an_exception_with_a_reason_allows_a_ratio_above_its_bound() {
    let dir = tmp("exception");
    let mut r = run_pipeline(&dir);
    let baseline = dir.join("baseline.toml");
    let mut b = make_baseline(&baseline, &r);
    doctor(&mut r, &b);
    for rr in &mut scenario(&mut r, "fanout-3").reference {
        rr.settled = true;
    }
    let reason = "test: the taped activation stores its partials";
    b.scenarios.get_mut("perceptron").unwrap().cost.insert(
        "gradient".into(),
        CostAllowance {
            measured: Some(5.0),
            allowed: 5.0,
            reason: Some(reason.into()),
        },
    );
    check::write_baseline(&baseline, &b).unwrap();
    let results = dir.join("results");
    write_results(&results, &r);
    let o = check_bin(&baseline, &results, &[]);
    assert_eq!(o.status.code(), Some(1));
    let out = lines(&o);
    assert_eq!(out.len(), 1, "{out:?}");
    assert!(
        out[0].starts_with("accuracy: fanout-3 reverse: "),
        "{out:?}"
    );

    // the update loosens the reverse entry, says so, and keeps the exception
    let o = check_bin(&baseline, &results, &["--update"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = lines(&o);
    assert_eq!(out.len(), 2, "{out:?}");
    assert!(
        out[0].starts_with("loosened: accuracy: fanout-3 reverse: allowed "),
        "{out:?}"
    );
    assert!(
        out[1].contains("0 new, 1 loosened, 0 tightened, 0 removed"),
        "{out:?}"
    );
    let text = std::fs::read_to_string(&baseline).unwrap();
    assert!(text.contains(&format!("reason = \"{reason}\"")), "{text}");
    let o = check_bin(&baseline, &results, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    // a ratio above the exception's allowed value is still caught
    let g = scenario(&mut r, "perceptron")
        .cost
        .iter_mut()
        .find(|c| c.mode == "gradient")
        .unwrap();
    g.ratio = 5.25;
    let b = Baseline::load(&baseline).unwrap();
    let v: Vec<String> = check::check(&b, &r)
        .violations
        .iter()
        .map(|v| v.to_string())
        .collect();
    assert_eq!(
        v,
        [format!(
            "cost: perceptron gradient: ratio 5.250 > allowed 5.0 (exception: {reason})"
        )]
    );
}

#[test]
fn missing_scenarios_methods_and_nonfinite_values_are_violations() {
    let dir = tmp("missing");
    let mut r = run_pipeline(&dir);
    let b = check::update(None, &r).unwrap().baseline;
    r.scenarios.retain(|s| s.name != "lecture-example");
    let per = scenario(&mut r, "perceptron");
    per.accuracy.retain(|a| a.method != "fd-richardson");
    per.cost.retain(|c| c.mode != "jacobian-forward");
    let row = per
        .accuracy
        .iter_mut()
        .find(|a| a.method == "forward")
        .unwrap();
    set_value(row, f64::NAN);
    let v: Vec<String> = check::check(&b, &r)
        .violations
        .iter()
        .map(|v| v.to_string())
        .collect();
    assert_eq!(
        v,
        [
            "missing: lecture-example: scenario in the baseline, not in the results",
            "missing: perceptron fd-richardson: method in the baseline, not in the results",
            "missing: perceptron jacobian-forward: cost mode in the baseline, not in the results",
            "accuracy: perceptron forward: worst bits of error 64.0 > allowed 2.0",
            "nonfinite: perceptron forward: 1 non-finite entry > allowed 0",
        ]
    );
}

#[test]
fn a_failed_scenario_is_a_violation() {
    let dir = tmp("failed");
    let mut r = run_pipeline(&dir);
    let b = check::update(None, &r).unwrap().baseline;
    r.scenarios.retain(|s| s.name != "perceptron");
    r.failures.push(derivbench::results::Failure {
        what: "perceptron".into(),
        error: "internal error while measuring: boom".into(),
        internal: true,
    });
    let v: Vec<String> = check::check(&b, &r)
        .violations
        .iter()
        .map(|v| v.to_string())
        .collect();
    assert_eq!(v, ["run: perceptron: internal error while measuring: boom"]);
}

#[test]
fn a_worse_op_count_of_an_unbounded_mode_is_a_violation() {
    let dir = tmp("unbounded");
    let mut r = run_pipeline(&dir);
    let b = check::update(None, &r).unwrap().baseline;
    let c = scenario(&mut r, "lecture-example")
        .cost
        .iter_mut()
        .find(|c| c.mode == "jacobian-reverse")
        .unwrap();
    let allowed = b.scenarios["lecture-example"].cost["jacobian-reverse"].allowed;
    c.ratio = allowed + 0.001;
    let v: Vec<String> = check::check(&b, &r)
        .violations
        .iter()
        .map(|v| v.to_string())
        .collect();
    assert_eq!(
        v,
        [format!(
            "cost: lecture-example jacobian-reverse: ratio {:.3} > allowed {allowed:?}",
            allowed + 0.001
        )]
    );
}

/// The gradient row of `perceptron`.
fn perceptron_gradient(r: &mut RunResults) -> &mut derivbench::results::CostRow {
    scenario(r, "perceptron")
        .cost
        .iter_mut()
        .find(|c| c.mode == "gradient")
        .unwrap()
}

#[test]
fn a_ratio_just_above_its_bound_is_a_violation_and_one_at_it_is_not() {
    let dir = tmp("at-the-bound");
    let mut r = run_pipeline(&dir);
    let b = make_baseline(&dir.join("baseline.toml"), &r);
    // a ratio of exactly 4 passes its bound (the baseline then allows it, at its bound)
    let g = perceptron_gradient(&mut r);
    g.ratio = 4.0;
    g.within = Some(true);
    assert!(check::check(&b, &r).passed());
    // 4.001 fails it, whatever the row's own `within` says
    perceptron_gradient(&mut r).ratio = 4.001;
    let lines: Vec<String> = check::check(&b, &r)
        .violations
        .iter()
        .map(|v| v.to_string())
        .collect();
    assert_eq!(
        lines,
        ["cost: perceptron gradient: ratio 4.001 > bound 4 (no exception in the baseline)"]
    );
    // and so does 4 where the run decided exactly that it is above (an exact ratio
    // less than half an ulp above 4 rounds to 4)
    let g = perceptron_gradient(&mut r);
    g.ratio = 4.0;
    g.within = Some(false);
    assert!(!check::check(&b, &r).passed());
}
