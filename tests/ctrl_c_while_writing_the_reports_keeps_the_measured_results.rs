//! Through the binary: Ctrl-C while a run writes its reports (after measuring, before
//! the figures) exits 130, leaves the previous results in `--out` as they were, and
//! leaves every finished scenario of the run in `<out>/.partial/done/`, one JSON file
//! each, where the message says they are; on a first run, the message says that no
//! reports were written rather than that previous ones are intact. The interrupt is a
//! real SIGINT, sent at that moment by the debug builds' test hook
//! `DERIVBENCH_FAILPOINT=ctrl-c:writing` (`derivbench::run::ctrl_c_point`); release
//! builds have no hook and skip the test.

mod common;

use common::{assert_previous_kept, names, previous, small_run, with_failpoint};

#[test]
fn ctrl_c_while_writing_the_reports_keeps_the_finished_scenarios() {
    if !cfg!(debug_assertions) {
        return;
    }
    let out = previous("ctrl-c-writing", &["results.json"]);
    let (o, err) = with_failpoint(
        small_run("lecture-example,fanout-3", &out).arg("--no-wall"),
        "ctrl-c:writing",
    );
    assert_eq!(o.status.code(), Some(130), "{err}");
    let done = out.join(".partial/done");
    assert!(err.contains(&done.display().to_string()), "{err}");
    assert!(
        err.contains(&format!(
            "the previous results in {} are intact",
            out.display()
        )),
        "{err}"
    );

    // the previous results are as they were
    assert_previous_kept(&out);

    // and the measured ones are where the message says, one JSON file each
    assert_eq!(names(&done), ["fanout-3.json", "lecture-example.json"]);
    for name in ["fanout-3", "lecture-example"] {
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(done.join(format!("{name}.json"))).unwrap())
                .unwrap();
        assert_eq!(json["name"], name);
        assert!(!json["accuracy"].as_array().unwrap().is_empty());
    }
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn ctrl_c_on_a_first_run_says_that_no_reports_were_written() {
    if !cfg!(debug_assertions) {
        return;
    }
    let out = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ctrl-c-first-run");
    let _ = std::fs::remove_dir_all(&out);
    let (o, err) = with_failpoint(
        small_run("lecture-example", &out).arg("--no-wall"),
        "ctrl-c:writing",
    );
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(
        err.contains(&format!(
            "no reports were written into {}, the partial results of this run are in {}",
            out.display(),
            out.join(".partial/done").display()
        )),
        "{err}"
    );
    assert!(!err.contains("previous results"), "{err}");
    assert!(!out.join("results.json").exists());
    std::fs::remove_dir_all(&out).unwrap();
}
