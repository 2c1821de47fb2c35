//! `derivbench run ... 2>&1 | head -1`: the reader of standard error goes away before the
//! command has said all it has to say. Its exit code must stay the command's own (0 for a
//! clean folder, 2 with a bad file), its reports must still be written, and help written
//! to a full standard output is an error of the environment (exit 2), not a success.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_derivbench");

/// The writing end of a pipe whose reading end is already closed.
fn closed_pipe() -> Stdio {
    use std::os::fd::{FromRawFd, OwnedFd};
    let mut fds = [0; 2];
    // SAFETY: pipe fills two new file descriptors, owned from here on
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0, "a pipe");
    let (reader, writer) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(reader);
    Stdio::from(writer)
}

/// A folder with the lecture's example, and with a bad file when `bad`.
fn folder(tag: &str, bad: bool) -> PathBuf {
    let d = std::env::temp_dir().join(format!("derivbench-closed-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("s")).unwrap();
    let lecture = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/lecture-example.toml");
    std::fs::copy(lecture, d.join("s/a-lecture.toml")).unwrap();
    if bad {
        std::fs::write(
            d.join("s/b-bad.toml"),
            "name = \"broken\"\nfamily = \"nope\"\n",
        )
        .unwrap();
    }
    d
}

/// The exit code of `args` on the folder's scenarios, with standard error open (read
/// to the end) and closed.
fn exit_codes(args: &[&str], d: &Path, out: &str) -> (i32, i32) {
    let cmd = |stderr: Stdio, out: &str| {
        Command::new(BIN)
            .args(args)
            .arg("--scenarios")
            .arg(d.join("s"))
            .args(if args[0] == "run" {
                vec!["--out".to_string(), d.join(out).display().to_string()]
            } else {
                vec![]
            })
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .status()
            .expect("derivbench runs")
            .code()
            .expect("an exit code, not a signal")
    };
    let open = cmd(Stdio::piped(), &format!("{out}-open"));
    let closed = cmd(closed_pipe(), out);
    (open, closed)
}

#[test]
fn run_keeps_its_exit_code_and_writes_its_reports() {
    for bad in [false, true] {
        let d = folder(&format!("run-{bad}"), bad);
        let (open, closed) = exit_codes(&["run", "--quick", "--no-wall"], &d, "out");
        assert_eq!(open, if bad { 2 } else { 0 }, "bad file {bad}");
        assert_eq!(closed, open, "bad file {bad}");
        for f in ["summary.md", "accuracy.csv", "results.json"] {
            assert!(d.join("out").join(f).is_file(), "bad file {bad}: no {f}");
        }
        std::fs::remove_dir_all(&d).unwrap();
    }
}

#[test]
fn list_with_a_bad_file_exits_2() {
    let d = folder("list", true);
    assert_eq!(exit_codes(&["list"], &d, "out"), (2, 2));
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn help_and_version_into_a_full_standard_output_exit_2() {
    let full = Path::new("/dev/full");
    if !full.exists() {
        return;
    }
    for arg in ["--help", "--version"] {
        let status = Command::new(BIN)
            .arg(arg)
            .stdout(std::fs::File::create(full).unwrap())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(2), "{arg}");
    }
    // and 0 where it can be written
    let o = Command::new(BIN).arg("--version").output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("derivbench"));
}
