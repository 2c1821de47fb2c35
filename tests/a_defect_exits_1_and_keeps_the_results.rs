//! Through the binary: a panic (a defect, which valid input never reaches) while
//! measuring one scenario, while timing one, or in the command itself exits with code 1
//! and says it is an internal error; a panic in one scenario keeps every other result,
//! and one while timing keeps that scenario's own measurements too. The panics come from
//! the debug builds' test hook `derivbench::run::failpoint` (`DERIVBENCH_FAILPOINT`).

mod common;

use common::small_run;
use std::path::{Path, PathBuf};
use std::process::Output;

/// Runs the lecture example and fanout-3 with the failpoint `point`, writing into a
/// folder of its own.
fn run_with(point: &str, tag: &str) -> (Output, PathBuf) {
    let out = std::env::temp_dir().join(format!("derivbench-defect-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let o = small_run("lecture-example,fanout-3", &out)
        .env("DERIVBENCH_FAILPOINT", point)
        .output()
        .unwrap();
    (o, out)
}

fn results(out: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap()
}

fn scenario<'a>(r: &'a serde_json::Value, name: &str) -> Option<&'a serde_json::Value> {
    r["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
}

/// True when every cost row of the scenario has a wall time (a number, not "NaN").
fn timed(s: &serde_json::Value) -> bool {
    let rows = s["cost"].as_array().unwrap();
    !rows.is_empty() && rows.iter().all(|c| c["wall_ns"].is_number())
}

/// Runs with the failpoint `point` and checks the exit code 1 and that standard error
/// says `says`; the results folder, or `None` in release builds, which have no hook.
fn defect(point: &str, tag: &str, says: &str) -> Option<PathBuf> {
    if !cfg!(debug_assertions) {
        return None;
    }
    let (o, out) = run_with(point, tag);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains(says), "{err}");
    Some(out)
}

#[test]
fn a_panic_while_measuring_keeps_the_other_scenario_and_exits_1() {
    let says = "fanout-3: internal error while measuring";
    let Some(out) = defect("measure:fanout-3", "measure", says) else {
        return;
    };
    let r = results(&out);
    assert!(scenario(&r, "fanout-3").is_none());
    let kept = scenario(&r, "lecture-example").expect("the other scenario is kept");
    assert!(!kept["accuracy"].as_array().unwrap().is_empty());
    assert!(timed(kept));
    let f = &r["failures"][0];
    assert_eq!(
        (f["what"].as_str(), f["internal"].as_bool()),
        (Some("fanout-3"), Some(true))
    );
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn a_panic_while_timing_keeps_that_scenarios_measurements_and_exits_1() {
    let says = "internal error while timing (the other results are kept)";
    let Some(out) = defect("timing:lecture-example", "timing", says) else {
        return;
    };
    let r = results(&out);
    let hit = scenario(&r, "lecture-example").expect("its measurements are kept");
    assert!(!hit["accuracy"].as_array().unwrap().is_empty());
    assert!(!hit["cost"].as_array().unwrap().is_empty() && !timed(hit));
    assert!(timed(scenario(&r, "fanout-3").unwrap()));
    assert_eq!(r["failures"][0]["internal"].as_bool(), Some(true));
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn a_panic_in_the_command_exits_1() {
    let says = "internal error (a defect of derivbench)";
    let Some(out) = defect("command:run", "command", says) else {
        return;
    };
    assert!(!out.join("results.json").exists());
    let _ = std::fs::remove_dir_all(&out);
    // without the hook the same run succeeds
    let (o, out) = run_with("none", "none");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let _ = std::fs::remove_dir_all(&out);
}
