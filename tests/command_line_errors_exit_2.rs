//! Through the binary: mistakes of the command line and of its environment end with exit
//! code 2 and one clear message (exit 1 is for a failed check or a defect): a `--jobs`
//! beyond the limit, standard output that cannot be written (a full disk), a file given
//! where `--results` takes a folder, a scenario folder that is not there (run from
//! elsewhere than the default's parent); and an error is reported once.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_derivbench");

fn tmp(tag: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(tag);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `derivbench run --quick --only lecture-example ARGS` on the default scenarios into
/// `out`.
fn run_lecture(out: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(["run", "--quick", "--only", "lecture-example"])
        .args(args)
        .arg("--scenarios")
        .arg(scenarios())
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

#[test]
fn jobs_beyond_the_limit_are_refused_before_any_work() {
    let d = tmp("jobs-limit");
    let out = d.join("out");
    let o = run_lecture(&out, &["--no-wall", "--jobs", "10000"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("--jobs"), "{err}");
    assert!(err.contains("at most 1024"), "{err}");
    assert!(!out.exists(), "nothing is written");
    // the limit itself is a valid value
    let o = run_lecture(
        &out,
        &["--no-wall", "--methods", "forward", "--jobs", "1024"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_wall_budget_outside_1_to_60000_ms_is_refused_before_any_work() {
    let d = tmp("wall-ms");
    let out = d.join("out");
    for bad in ["0", "60001", "1.5", "20ms"] {
        let o = run_lecture(&out, &["--wall-ms", bad]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{bad}: {err}");
        assert!(err.contains("--wall-ms"), "{bad}: {err}");
        assert!(!out.exists(), "{bad}: nothing is written");
    }
    // a budget for timings that are not taken is a contradiction, not a setting to drop
    let o = run_lecture(&out, &["--no-wall", "--wall-ms", "500"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--wall-ms") && err.contains("--no-wall"),
        "{err}"
    );
    assert!(!out.exists(), "nothing is written");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_missing_scenario_folder_says_how_to_name_one() {
    let d = tmp("no-scenarios");
    // every command that loads the folder, from a folder without `scenarios`
    for args in [
        &["run", "--quick", "--no-wall", "--out", "out"][..],
        &["list"][..],
        &["trace", "lecture-example"][..],
    ] {
        let o = Command::new(BIN)
            .args(args)
            .current_dir(&d)
            .output()
            .unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("cannot read the scenario folder"),
            "{args:?}: {err}"
        );
        assert!(err.contains("--scenarios DIR"), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(!d.join("out").exists(), "{args:?}: nothing is written");
    }
    // a folder named on the command line gets the error alone: no word of the default
    let o = Command::new(BIN)
        .args(["list", "--scenarios", "elsewhere"])
        .current_dir(&d)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("elsewhere: cannot read the scenario folder"),
        "{err}"
    );
    assert!(!err.contains("--scenarios DIR"), "{err}");
    std::fs::remove_dir_all(&d).unwrap();
}

/// Runs derivbench with standard output on /dev/full, where every write fails with
/// "no space left on device".
fn into_a_full_disk(args: &[&std::ffi::OsStr]) -> Option<Output> {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .ok()?;
    Some(
        Command::new(BIN)
            .args(args)
            .stdout(Stdio::from(full))
            .stderr(Stdio::piped())
            .output()
            .unwrap(),
    )
}

#[track_caller]
fn says_the_output_could_not_be_written(o: &Output) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("the output could not be written to standard output"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn standard_output_on_a_full_disk_exits_2() {
    let scen = scenarios();
    // systems without /dev/full have nothing to test here
    let Some(o) = into_a_full_disk(&["list".as_ref(), "--scenarios".as_ref(), scen.as_ref()])
    else {
        return;
    };
    says_the_output_could_not_be_written(&o);
    let o = into_a_full_disk(&["cost-table".as_ref()]).unwrap();
    says_the_output_could_not_be_written(&o);
    let o = into_a_full_disk(&[
        "trace".as_ref(),
        "lecture-example".as_ref(),
        "--scenarios".as_ref(),
        scen.as_ref(),
    ])
    .unwrap();
    says_the_output_could_not_be_written(&o);
    // check: a baseline with one entry more than the results, so that there is a
    // violation to print (which alone would exit 1)
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/check");
    let baseline = data.join("baseline-valid.toml");
    let results = data.join("results-empty");
    let o = into_a_full_disk(&[
        "check".as_ref(),
        "--baseline".as_ref(),
        baseline.as_ref(),
        "--results".as_ref(),
        results.as_ref(),
    ])
    .unwrap();
    says_the_output_could_not_be_written(&o);
}

#[test]
fn check_given_results_json_says_that_results_takes_the_folder() {
    let d = tmp("results-a-file");
    let file = d.join("results.json");
    std::fs::write(&file, "{}").unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/check");
    let o = Command::new(BIN)
        .arg("check")
        .arg("--baseline")
        .arg(data.join("baseline-valid.toml"))
        .arg("--results")
        .arg(&file)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(&file.display().to_string()), "{err}");
    assert!(err.contains("a file, not a folder"), "{err}");
    assert!(err.contains("--results takes the folder"), "{err}");
    assert!(!err.contains("no such folder"), "{err}");
    // and plot, which also takes the folder
    let o = Command::new(BIN)
        .arg("plot")
        .arg("--results")
        .arg(&file)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("--results takes the folder"), "{err}");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn plot_and_check_say_alike_how_to_write_missing_results() {
    let d = tmp("results-missing");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/check");
    let empty = d.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    for (folder, says) in [
        (d.join("nowhere"), "no such folder"),
        (empty, "no such file"),
    ] {
        for cmd in ["plot", "check"] {
            let mut c = Command::new(BIN);
            c.arg(cmd);
            if cmd == "check" {
                c.arg("--baseline").arg(data.join("baseline-valid.toml"));
            }
            let o = c.arg("--results").arg(&folder).output().unwrap();
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{cmd}: {err}");
            assert!(
                err.contains(&format!(
                    "{says} (write one with `derivbench run --out DIR`)"
                )),
                "{cmd}: {err}"
            );
        }
    }
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_scenario_that_does_not_load_is_reported_once() {
    let d = tmp("reported-once");
    let o = Command::new(BIN)
        .args(["run", "--quick", "--no-wall", "--limit", "max_depth=0"])
        .args(["--only", "lecture-example", "--scenarios"])
        .arg(scenarios())
        .arg("--out")
        .arg(d.join("out"))
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let file = scenarios().join("lecture-example.toml");
    let reports = err
        .lines()
        .filter(|l| l.starts_with(&format!("derivbench: {}", file.display())))
        .count();
    assert_eq!(reports, 1, "{err}");
    assert!(
        err.contains("--only: no scenario named 'lecture-example'"),
        "{err}"
    );
    // every line is different: nothing is said twice
    let mut lines: Vec<&str> = err.lines().collect();
    let all = lines.len();
    lines.sort();
    lines.dedup();
    assert_eq!(lines.len(), all, "{err}");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_negative_weight_or_input_written_as_its_own_word_gets_the_value_s_message() {
    for args in [
        &["cost-table", "--weights", "-1,1,1"][..],
        &["run", "--no-wall", "--weights", "-1,1,1"][..],
    ] {
        let o = Command::new(BIN).args(args).output().unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains("expected three numbers mu,pi,nu from 0 to 1e6 (mu at least 1e-6)"),
            "{args:?}: {err}"
        );
    }
    let o = Command::new(BIN)
        .args(["trace", "lecture-example", "--input", "-1", "--scenarios"])
        .arg(scenarios())
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("invalid value '-1' for '--input"), "{err}");
}
