//! A formula whose derivative graph passes `--limit max_symbolic_nodes` is measured
//! without the symbolic method: `run` completes, the other methods keep their rows, a
//! note says why the symbolic method has none, and the summary has no expression-swell
//! figure for it. Under a budget the graph fits, the same run has the symbolic rows.

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_derivbench");

const SCENARIO: &str = r#"name = "budget"
description = "a small formula for the symbolic budget"
inputs = [
  { name = "a", value = 0.7 },
  { name = "b", value = 1.3 },
]
outputs = ["sin(a * b) + exp(a) / b"]
"#;

/// Runs the scenario with the given limit; the output folder and standard error.
fn run(dir: &Path, tag: &str, limit: Option<&str>) -> (PathBuf, String) {
    let out = dir.join(tag);
    let mut cmd = Command::new(BIN);
    if let Some(l) = limit {
        cmd.args(["--limit", l]);
    }
    let o = cmd
        .args([
            "run",
            "--quick",
            "--no-wall",
            "--methods",
            "symbolic,reverse",
        ])
        .arg("--scenarios")
        .arg(dir.join("scenarios"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(0), "{err}");
    (out, err)
}

fn rows_of(out: &Path, method: &str) -> usize {
    let csv = std::fs::read_to_string(out.join("accuracy.csv")).unwrap();
    let needle = format!(",{method},");
    csv.lines().skip(1).filter(|l| l.contains(&needle)).count()
}

#[test]
fn a_symbolic_graph_past_its_budget_is_noted() {
    let dir = std::env::temp_dir().join(format!("derivbench-symbudget-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("scenarios")).unwrap();
    std::fs::write(dir.join("scenarios/budget.toml"), SCENARIO).unwrap();

    // the default budget: symbolic rows, no note, a swell figure
    let (fits, _) = run(&dir, "fits", None);
    assert_eq!(rows_of(&fits, "symbolic"), 2);
    assert_eq!(rows_of(&fits, "reverse"), 2);
    let json = std::fs::read_to_string(fits.join("results.json")).unwrap();
    assert!(!json.contains("symbolic: not measured"), "{json}");
    let summary = std::fs::read_to_string(fits.join("summary.md")).unwrap();
    assert!(
        summary.contains("Expression swell: the function has"),
        "{summary}"
    );

    // a budget of 5 nodes: the graph of this formula holds more
    let (over, _) = run(&dir, "over", Some("max_symbolic_nodes=5"));
    assert_eq!(rows_of(&over, "symbolic"), 0);
    assert_eq!(rows_of(&over, "reverse"), 2);
    let json = std::fs::read_to_string(over.join("results.json")).unwrap();
    assert!(
        json.contains(
            "symbolic: not measured: the derivative graph passes 5 nodes (the outputs times \
             the program each reaches; raise with --limit max_symbolic_nodes=N); the other \
             methods are"
        ),
        "{json}"
    );
    let summary = std::fs::read_to_string(over.join("summary.md")).unwrap();
    assert!(
        !summary.contains("Expression swell: the function has"),
        "{summary}"
    );
    assert!(summary.contains("symbolic: not measured"), "{summary}");

    // a limit that is not a number is a command-line error
    let o = Command::new(BIN)
        .args(["--limit", "max_symbolic_nodes=lots", "list"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("limit max_symbolic_nodes: 'lots' is not a non-negative integer"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
