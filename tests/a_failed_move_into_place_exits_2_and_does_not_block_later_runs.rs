//! Through the binary: problems of the output folder met while the reports move into
//! place are the folder's, not defects. A file where the `plots` folder goes, and a
//! `.old-plots` left by an earlier failure, are replaced; an I/O error during the move
//! exits 2 (not 1) with its message once, keeps this run's results in
//! `<out>/.partial/done/`, and the next run into the folder succeeds and leaves nothing
//! of the failed one. The I/O error is
//! injected by the debug builds' test hook `DERIVBENCH_FAILPOINT=io-error:moved-ENTRY`;
//! release builds have no hook and skip that test.

mod common;

use common::{names, small_run};
use std::path::{Path, PathBuf};
use std::process::Output;

/// An empty folder of this test's own.
fn folder(tag: &str) -> PathBuf {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(tag);
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    out
}

/// Runs the lecture example into `out` with `DERIVBENCH_FAILPOINT` = `failpoint`.
fn run(out: &Path, failpoint: &str) -> Output {
    small_run("lecture-example", out)
        .arg("--no-wall")
        .env("DERIVBENCH_FAILPOINT", failpoint)
        .output()
        .unwrap()
}

/// The files of a complete run, and nothing else.
fn complete(out: &Path) {
    assert_eq!(
        names(out),
        [
            "accuracy.csv",
            "cost.csv",
            "index.html",
            "plots",
            "reference.csv",
            "results.json",
            "summary.md"
        ]
    );
    assert!(out.join("plots/bits-lecture-example.svg").is_file());
}

#[test]
fn a_file_where_the_plots_folder_goes_and_a_leftover_are_replaced() {
    let out = folder("move-file-in-the-way");
    std::fs::write(out.join("plots"), "x").unwrap();
    std::fs::write(out.join(".old-plots"), "x").unwrap();
    let o = run(&out, "none");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    complete(&out);
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn an_io_error_while_moving_exits_2_once_and_the_next_run_succeeds() {
    if !cfg!(debug_assertions) {
        return;
    }
    let out = folder("move-io-error");
    // a previous run, whose plots folder the failing move sets aside
    let o = run(&out, "none");
    assert_eq!(o.status.code(), Some(0));
    let o = run(&out, "io-error:moved-plots");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(
        err.matches("failpoint io-error:moved-plots").count(),
        1,
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    let done = out.join(".partial/done");
    assert!(err.contains(&done.display().to_string()), "{err}");
    assert!(done.join("lecture-example.json").is_file());
    assert!(
        out.join(".old-plots").is_dir(),
        "the failure came after the move aside"
    );

    let o = run(&out, "none");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    complete(&out);
    std::fs::remove_dir_all(&out).unwrap();
}
