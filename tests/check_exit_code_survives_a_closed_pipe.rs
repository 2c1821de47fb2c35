//! `derivbench check 2>&1 | head -1`: the reader goes away while check still has notes
//! and violations to print. The exit code must stay the check's own (1 for a violation,
//! 0 for a pass with notes), not a panic's.

mod check_support;

use check_support::*;
use std::process::{Command, Stdio};

/// A pipe whose reading end is already closed: its writing end, twice (for standard
/// output and standard error).
fn closed_pipe() -> (Stdio, Stdio) {
    use std::os::fd::{FromRawFd, OwnedFd};
    let mut fds = [0; 2];
    // SAFETY: pipe fills two new file descriptors, owned from here on
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0, "a pipe");
    let (reader, writer) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(reader);
    let second = writer.try_clone().expect("a second handle");
    (Stdio::from(writer), Stdio::from(second))
}

/// Runs check with standard output and standard error on one pipe whose reading end is
/// already closed, and returns the exit code.
fn exit_code_into_a_closed_pipe(baseline: &std::path::Path, results: &std::path::Path) -> i32 {
    let (out, err) = closed_pipe();
    let status = Command::new(env!("CARGO_BIN_EXE_derivbench"))
        .args(["check", "--baseline"])
        .arg(baseline)
        .arg("--results")
        .arg(results)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .status()
        .expect("derivbench runs");
    status.code().expect("an exit code, not a signal")
}

#[test]
fn a_violation_still_exits_1_and_a_pass_with_notes_0() {
    let dir = tmp("closed-pipe");
    let r = run_pipeline(&dir);
    let results = dir.join("results");
    write_results(&results, &r);
    let path = dir.join("baseline.toml");
    let mut b = make_baseline(&path, &r);
    // a scenario of the results left out of the baseline: a note on standard error
    let name = b.scenarios.keys().next().unwrap().clone();
    b.scenarios.remove(&name);
    derivbench::check::write_baseline(&path, &b).unwrap();
    assert_eq!(exit_code_into_a_closed_pipe(&path, &results), 0);
    // and an allowance below the measured ratio: a violation on standard output
    let sb = b.scenarios.values_mut().next().unwrap();
    sb.cost.get_mut("jacobian-forward").unwrap().allowed = 0.5;
    derivbench::check::write_baseline(&path, &b).unwrap();
    assert_eq!(exit_code_into_a_closed_pipe(&path, &results), 1);
}
