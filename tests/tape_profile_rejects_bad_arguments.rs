//! `examples/tape_profile.rs` answers bad arguments with its usage and exit status 2,
//! and runs each mode on good ones. `cargo test` builds the examples beside the test
//! binaries (`target/<profile>/examples/`), which is where this test finds it.

use std::path::PathBuf;
use std::process::Command;

fn example() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary");
    // target/<profile>/deps/<test> -> target/<profile>/examples/tape_profile
    let dir = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("target/<profile>");
    let path = dir
        .join("examples")
        .join(format!("tape_profile{}", std::env::consts::EXE_SUFFIX));
    assert!(path.exists(), "{} is not built", path.display());
    path
}

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(example()).args(args).output().expect("runs");
    (
        out.status.code().expect("an exit status"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_arguments_get_the_usage_and_exit_2() {
    for args in [
        &[][..],
        &["gradient"],
        &["gradient", "ten", "1"],
        &["gradient", "0", "1"],
        &["gradient", "10", "-1"],
        &["hessian", "10", "1"],
    ] {
        let (code, err) = run(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("tape_profile"), "{args:?}: {err}");
    }
}

#[test]
fn every_mode_runs() {
    for mode in ["function", "tangent", "gradient", "statement"] {
        let (code, err) = run(&[mode, "10", "3"]);
        assert_eq!(code, 0, "{mode}: {err}");
    }
}
