//! Through the binary: Ctrl-C while `run` or `plot` moves its files into place does not
//! stop the move half-way (some files new, some old, or no `plots` folder at all): the
//! move completes, every file is the new one, nothing is left aside, and the command
//! exits 130 saying that its files are complete. The interrupt is a real SIGINT, sent
//! right after one entry is moved by the debug builds' test hook
//! `DERIVBENCH_FAILPOINT=ctrl-c:moved-ENTRY` (`derivbench::run::ctrl_c_point`); release
//! builds have no hook and skip these tests.

mod common;

use common::{
    assert_only_this_runs_reports, assert_plot_moved_completely, names, previous,
    previous_for_plot, small_run, with_failpoint, REPORTS,
};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_derivbench");

fn with_ctrl_c_after(cmd: &mut Command, entry: &str) -> (Output, String) {
    with_failpoint(cmd, &format!("ctrl-c:moved-{entry}"))
}

#[test]
fn ctrl_c_while_run_moves_its_reports_completes_the_move_and_exits_130() {
    if !cfg!(debug_assertions) {
        return;
    }
    let out = previous("ctrl-c-moving-run", &REPORTS);
    // `plots` moves after index.html and before reference.csv, summary.md and
    // results.json: interrupted there, the folder would mix the two runs
    let (o, err) = with_ctrl_c_after(small_run("lecture-example", &out).arg("--no-wall"), "plots");
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(
        err.contains("the reports of this run are complete in"),
        "{err}"
    );
    assert_only_this_runs_reports(&out, &["lecture-example"]);
    let plots = names(&out.join("plots"));
    assert!(
        plots.contains(&"bits-lecture-example.svg".to_string()),
        "{plots:?}"
    );
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn ctrl_c_while_plot_moves_its_figures_completes_the_move_and_exits_130() {
    if !cfg!(debug_assertions) {
        return;
    }
    let out = previous_for_plot("ctrl-c-moving-plot");
    // index.html moves before plots: interrupted there, the page would show old figures
    let (o, err) = with_ctrl_c_after(
        Command::new(BIN).arg("plot").arg("--results").arg(&out),
        "index.html",
    );
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(
        err.contains("the redrawn figures and index.html are complete in"),
        "{err}"
    );
    let plots = assert_plot_moved_completely(&out);
    assert!(
        plots.contains(&"bits-fanout-3.svg".to_string()),
        "{plots:?}"
    );
    std::fs::remove_dir_all(&out).unwrap();
}
