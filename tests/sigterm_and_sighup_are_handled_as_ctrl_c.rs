//! Through the binary: SIGTERM (`kill`, `timeout`, `docker stop`, a cancelled CI job)
//! and SIGHUP (the terminal closed) get the handling Ctrl-C gets. Before the move into
//! place the previous results stay intact; during the move the move completes first, so
//! that the folder never mixes two runs with a stale `results.json` that `check` would
//! pass. The exit code is 128 + the signal's number: 143 for SIGTERM, 129 for SIGHUP
//! (130 for SIGINT). The signals are real, sent at a precise moment by the debug builds'
//! test hook `DERIVBENCH_FAILPOINT=sigterm:POINT` or `sighup:POINT`
//! (`derivbench::run::ctrl_c_point`); release builds have no hook and skip these tests.
//! With standard error not a terminal, the message is the only line: no blank line
//! before it.

mod common;

use common::{
    assert_only_this_runs_reports, assert_plot_moved_completely, assert_previous_kept, names,
    previous, previous_for_plot, small_run, with_failpoint, REPORTS,
};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_derivbench");

/// Asserts that standard error is exactly one line: the interrupt's message.
#[track_caller]
fn one_line(err: &str, signal: &str) {
    assert!(
        err.starts_with(&format!("derivbench: interrupted by {signal}")),
        "{err:?}"
    );
    assert_eq!(err.lines().count(), 1, "{err:?}");
    assert!(err.ends_with('\n'), "{err:?}");
}

#[test]
fn sigterm_while_run_moves_its_reports_completes_the_move_and_exits_143() {
    if !cfg!(debug_assertions) {
        return;
    }
    let out = previous("sigterm-moving-run", &REPORTS);
    // after `plots` (the previous one moved to .old-plots) and before reference.csv,
    // summary.md and results.json: stopped there, the folder would mix the two runs
    let (o, err) = with_failpoint(
        small_run("lecture-example,perceptron", &out).arg("--no-wall"),
        "sigterm:moved-plots",
    );
    assert_eq!(o.status.code(), Some(143), "{err}");
    one_line(&err, "SIGTERM");
    assert!(
        err.contains("the reports of this run are complete in"),
        "{err}"
    );
    assert_only_this_runs_reports(&out, &["lecture-example", "perceptron"]);
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn sigterm_while_run_writes_its_reports_keeps_the_previous_results_and_exits_143() {
    if !cfg!(debug_assertions) {
        return;
    }
    let out = previous("sigterm-writing-run", &["results.json"]);
    let (o, err) = with_failpoint(
        small_run("lecture-example", &out).arg("--no-wall"),
        "sigterm:writing",
    );
    assert_eq!(o.status.code(), Some(143), "{err}");
    one_line(&err, "SIGTERM");
    let done = out.join(".partial/done");
    assert!(err.contains(&done.display().to_string()), "{err}");
    assert_previous_kept(&out);
    assert_eq!(names(&done), ["lecture-example.json"]);
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn ctrl_c_still_exits_130_with_its_message_alone() {
    if !cfg!(debug_assertions) {
        return;
    }
    let out = previous("sigint-writing-run", &["results.json"]);
    let (o, err) = with_failpoint(
        small_run("lecture-example", &out).arg("--no-wall"),
        "ctrl-c:writing",
    );
    assert_eq!(o.status.code(), Some(130), "{err}");
    one_line(&err, "SIGINT");
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn sighup_while_plot_moves_its_figures_completes_the_move_and_exits_129() {
    if !cfg!(debug_assertions) {
        return;
    }
    let out = previous_for_plot("sighup-moving-plot");
    let (o, err) = with_failpoint(
        Command::new(BIN).arg("plot").arg("--results").arg(&out),
        "sighup:moved-index.html",
    );
    assert_eq!(o.status.code(), Some(129), "{err}");
    one_line(&err, "SIGHUP");
    assert!(
        err.contains("the redrawn figures and index.html are complete in"),
        "{err}"
    );
    assert_plot_moved_completely(&out);
    std::fs::remove_dir_all(&out).unwrap();
}
