//! Through the binary: `derivbench plot` on a hand-edited `results.json` whose scenario
//! name could not name a figure file (longer than scenario files allow) exits 2 with a
//! message that says so, before writing anything; so does one with two scenarios whose
//! figures one file name would hold.

use std::path::PathBuf;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_derivbench");

/// Runs `plot` on the fixture's results with its first scenarios renamed to `names`, in
/// a fresh folder `tag`; returns the exit code, standard error and how many entries the
/// folder then holds (1: results.json alone).
fn plot_renamed(tag: &str, names: &[&str]) -> (Option<i32>, String, usize) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(tag);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/results-fixture.json");
    let mut r: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture).unwrap()).unwrap();
    for (k, name) in names.iter().enumerate() {
        r["scenarios"][k]["name"] = (*name).into();
    }
    std::fs::write(dir.join("results.json"), r.to_string()).unwrap();
    let out = Command::new(BIN)
        .args(["plot", "--results", dir.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let entries = std::fs::read_dir(&dir).unwrap().count();
    std::fs::remove_dir_all(&dir).unwrap();
    (out.status.code(), err, entries)
}

#[test]
fn plot_exits_2_on_a_scenario_name_over_64_characters() {
    let (code, err, entries) = plot_renamed("plot-long-name", &[&"a".repeat(300)]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("has 300 characters") && err.contains("at most 64"),
        "{err}"
    );
    assert_eq!(entries, 1, "plot wrote something");
}

#[test]
fn plot_exits_2_on_two_scenarios_that_one_file_name_stands_for() {
    // `a/b` is drawn into `a_b`'s files; and one name twice
    for (first, second) in [("a/b", "a_b"), ("same", "same")] {
        let (code, err, entries) = plot_renamed("plot-same-file-name", &[first, second]);
        assert_eq!(code, Some(2), "{err}");
        assert!(err.contains("the same figure files"), "{err}");
        assert_eq!(entries, 1, "plot wrote something");
    }
}
