//! Helpers shared by the `check_*` tests: a small scenario folder written by the test,
//! the real pipeline run on it in-process, results written as `derivbench run` writes
//! them, and the binary run for its exit code.
#![allow(dead_code)]

use derivbench::check::{self, Baseline};
use derivbench::results::{AccuracyRow, RunResults};
use derivbench::run::{run_all, RunOptions};
use derivbench::scenario::file::{load_dir, Limits};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

/// The scenarios of the test suite: small, quick, and covering sin (lecture-example),
/// several outputs (fanout-3) and a network (perceptron).
pub const SCENARIOS: [(&str, &str); 3] = [
    (
        "lecture-example.toml",
        r#"name = "lecture-example"
description = "[sin(x1/x2) + x1/x2 - exp(x2)] * [x1/x2 - exp(x2)] at (1.5, 0.5)"
inputs = [
  { name = "x1", value = 1.5 },
  { name = "x2", value = 0.5 },
]
outputs = ["(sin(x1/x2) + x1/x2 - exp(x2)) * (x1/x2 - exp(x2))"]
"#,
    ),
    (
        "fanout-3.toml",
        r#"name = "fanout-3"
description = "y_j = sigmoid(w_j x), one input, three outputs"
family = "fanout"
x = 0.5
w = [0.5, -1.0, 2.0]
"#,
    ),
    (
        "perceptron.toml",
        r#"name = "perceptron"
description = "y = sigmoid(w1 x1 + w2 x2 + w3 x3), gradient with respect to w"
family = "perceptron"
x = [1.0, -2.0, 0.5]
w = [0.5, 0.25, -1.0]
activation = "sigmoid"
"#,
    ),
];

/// A fresh, empty folder for one test.
pub fn tmp(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("check")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    dir
}

/// Writes the scenario files into `dir/scenarios` and returns that folder.
pub fn write_scenarios(dir: &Path) -> PathBuf {
    let s = dir.join("scenarios");
    std::fs::create_dir_all(&s).unwrap();
    for (file, text) in SCENARIOS {
        std::fs::write(s.join(file), text).unwrap();
    }
    s
}

/// Runs the real pipeline (as `derivbench run --quick --no-wall` does) on the scenario
/// files written into `dir`.
pub fn run_pipeline(dir: &Path) -> RunResults {
    let loaded = load_dir(&write_scenarios(dir), &Limits::default()).expect("the folder loads");
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let mut opts = RunOptions {
        wall_budget: Duration::ZERO,
        ..RunOptions::default()
    };
    opts.accuracy.quick = true;
    let r = run_all(&loaded.scenarios, &opts, Vec::new(), &|_| {});
    assert!(r.failures.is_empty(), "{:?}", r.failures);
    assert_eq!(r.scenarios.len(), SCENARIOS.len());
    r
}

/// Writes results into `dir` as `derivbench run` does (CSV, JSON, summary).
pub fn write_results(dir: &Path, r: &RunResults) {
    let st = derivbench::report::Staging::create(dir).unwrap();
    derivbench::report::write_all(&st, r).unwrap();
    st.commit().unwrap();
}

/// The baseline made from `r` by the update function, written to `path`.
pub fn make_baseline(path: &Path, r: &RunResults) -> Baseline {
    let u = check::update(None, r).expect("the current code breaks no rule");
    check::write_baseline(path, &u.baseline).unwrap();
    u.baseline
}

/// The pipeline's results in `tmp(name)`, a baseline made from them and the results
/// written beside it, which pass as written: (folder, results, baseline file, results
/// folder).
pub fn passing_results(name: &str) -> (PathBuf, RunResults, PathBuf, PathBuf) {
    let dir = tmp(name);
    let r = run_pipeline(&dir);
    let b = dir.join("baseline.toml");
    make_baseline(&b, &r);
    let results = dir.join("results");
    write_results(&results, &r);
    assert_eq!(check_bin(&b, &results, &[]).status.code(), Some(0));
    (dir, r, b, results)
}

/// Runs `derivbench` with `args`.
pub fn derivbench(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_derivbench"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// `derivbench check --baseline B --results R [extra]`.
pub fn check_bin(baseline: &Path, results: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "check",
        "--baseline",
        baseline.to_str().unwrap(),
        "--results",
        results.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    derivbench(&args)
}

/// Standard output as lines.
pub fn lines(o: &Output) -> Vec<String> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Replaces the value of an accuracy row and recomputes its errors as the pipeline
/// does (bits of error against the reference rounded to f64).
pub fn set_value(row: &mut AccuracyRow, v: f64) {
    row.value = Some(v);
    let abs = (v - row.reference).abs();
    row.abs_err = Some(abs);
    row.rel_err = Some(if row.reference == 0.0 {
        abs
    } else {
        abs / row.reference.abs()
    });
    row.bits_err = Some(derivbench::num::bits_err(v, row.reference));
}
