//! A full run tries every step of the sweep, a superset of a quick run's steps, so it
//! passes a baseline made from quick results: its best bits per entry are at least as
//! good, and its count of non-finite entries is no larger, also where some steps leave
//! the function's domain (log and sqrt at -1, 1/x at 0: a NaN or infinite quotient at
//! every step) or overflow it.

use derivbench::check::{self, Baseline};
use derivbench::results::RunResults;
use derivbench::run::{run_all, RunOptions};
use derivbench::scenario::file::{load_str, Limits};
use std::path::Path;
use std::time::Duration;

const SCENARIOS: [(&str, &str); 3] = [
    (
        "nan.toml",
        "name = \"nan\"\ninputs = [{ name = \"x\", value = -1.0 }]\noutputs = [\"log(x)\", \"sqrt(x)\", \"x * x\"]\n",
    ),
    (
        "pole.toml",
        "name = \"pole\"\ninputs = [{ name = \"x\", value = 0.0 }]\noutputs = [\"1 / x\", \"exp(x)\"]\n",
    ),
    (
        "edge.toml",
        "name = \"edge\"\ninputs = [{ name = \"x\", value = 0.05 }]\noutputs = [\"sqrt(x)\", \"log(x)\"]\n",
    ),
];

fn run(quick: bool) -> RunResults {
    let scenarios = SCENARIOS
        .iter()
        .map(|(file, text)| {
            load_str(Path::new(file), text, &Limits::default())
                .unwrap()
                .0
        })
        .collect::<Vec<_>>();
    let mut opts = RunOptions {
        wall_budget: Duration::ZERO,
        ..RunOptions::default()
    };
    opts.accuracy.quick = quick;
    let r = run_all(&scenarios, &opts, Vec::new(), &|_| {});
    assert!(r.failures.is_empty(), "{:?}", r.failures);
    r
}

#[test]
fn a_full_run_passes_the_baseline_of_a_quick_one() {
    let quick = run(true);
    let baseline: Baseline = check::update(None, &quick).unwrap().baseline;
    // the domain's edges give FD sweeps non-finite entries, gated at their quick count
    let nan = &baseline.scenarios["nan"].accuracy;
    assert_eq!(nan["fd-forward"].nonfinite, 2, "{nan:?}");
    let full = run(false);
    // more rows with non-finite quotients than the quick run has
    let rows = |r: &RunResults| {
        r.scenarios
            .iter()
            .flat_map(|s| &s.accuracy)
            .filter(|a| a.method.starts_with("fd-") && a.value.is_some_and(|v| !v.is_finite()))
            .count()
    };
    assert!(
        rows(&full) > rows(&quick),
        "{} {}",
        rows(&full),
        rows(&quick)
    );
    let report = check::check(&baseline, &full);
    assert!(report.passed(), "{:?}", report.violations);
}
