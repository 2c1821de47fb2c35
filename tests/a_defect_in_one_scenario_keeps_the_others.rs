//! A panic while measuring one scenario (a defect, which valid input never reaches) is
//! reported as an internal failure of that scenario, and the others are measured and
//! kept. (`failures_error` in `src/main.rs` turns an internal failure into exit code 1,
//! bad input into 2; its unit test checks that.)

use derivbench::run::{run_all, RunOptions};
use derivbench::scenario::{Model, SumOfSquares};

#[test]
fn a_panicking_scenario_is_an_internal_failure_and_the_others_are_kept() {
    let good = SumOfSquares::scenario("good", 3);
    // a library caller may break a scenario's invariants: no inputs at all makes the
    // function index out of range
    let mut broken = SumOfSquares::scenario("broken", 3);
    broken.x.clear();
    assert!(matches!(broken.model, Model::SumOfSquares(_)));
    let opts = RunOptions {
        wall_budget: std::time::Duration::ZERO,
        ..RunOptions::default()
    };
    let r = run_all(&[broken, good], &opts, Vec::new(), &|_| {});
    assert_eq!(r.scenarios.len(), 1);
    assert_eq!(r.scenarios[0].name, "good");
    assert!(!r.scenarios[0].accuracy.is_empty());
    assert_eq!(r.failures.len(), 1);
    let f = &r.failures[0];
    assert_eq!(f.what, "broken");
    assert!(f.internal);
    assert!(
        f.error.starts_with("internal error while measuring: "),
        "{}",
        f.error
    );
    assert_eq!(f.line(), format!("broken: {}", f.error));
}

#[test]
fn a_failure_that_names_itself_is_not_named_twice() {
    let f = derivbench::results::Failure {
        what: "dir/bad.toml".into(),
        error: "dir/bad.toml:3:13: unknown function 'sinh'".into(),
        internal: false,
    };
    assert_eq!(f.line(), "dir/bad.toml:3:13: unknown function 'sinh'");
}

#[test]
fn results_without_the_internal_field_read_as_bad_input() {
    // results.json written before the field existed
    let f: derivbench::results::Failure =
        serde_json::from_str(r#"{"what": "a.toml", "error": "a.toml: empty file"}"#).unwrap();
    assert!(!f.internal);
}
