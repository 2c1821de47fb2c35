//! Through the binary: `derivbench plot` on a hand-edited `results.json` whose scenario
//! name could not name a figure file (longer than scenario files allow) exits 2 with a
//! message that says so, before writing anything; so does one with two scenarios whose
//! figures one file name would hold.

use std::path::PathBuf;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_derivbench");

#[test]
fn plot_exits_2_on_a_scenario_name_over_64_characters() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("plot-long-name");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/results-fixture.json");
    let mut r: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture).unwrap()).unwrap();
    r["scenarios"][0]["name"] = "a".repeat(300).into();
    std::fs::write(dir.join("results.json"), r.to_string()).unwrap();

    let out = Command::new(BIN)
        .args(["plot", "--results", dir.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("has 300 characters") && err.contains("at most 64"),
        "{err}"
    );
    let names: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(names.len(), 1, "plot wrote something");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn plot_exits_2_on_two_scenarios_that_one_file_name_stands_for() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("plot-same-file-name");
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/results-fixture.json");
    // `a/b` is drawn into `a_b`'s files; and one name twice
    for (first, second) in [("a/b", "a_b"), ("same", "same")] {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut r: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&fixture).unwrap()).unwrap();
        r["scenarios"][0]["name"] = first.into();
        r["scenarios"][1]["name"] = second.into();
        std::fs::write(dir.join("results.json"), r.to_string()).unwrap();
        let out = Command::new(BIN)
            .args(["plot", "--results", dir.to_str().unwrap()])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("the same figure files"), "{err}");
        let names: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(names.len(), 1, "plot wrote something");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
