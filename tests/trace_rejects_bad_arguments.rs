//! `derivbench trace` rejects a point of the wrong length, a non-finite point and an
//! input out of range with exit code 2 and a message naming the flag, and traces a
//! good point; a scenario too long to show exits 2 with the count of its tape entries.

use std::process::Command;

fn trace(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_derivbench"))
        .args(["trace", "lecture-example"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_points_and_inputs_exit_2_naming_the_flag() {
    for (args, needle) in [
        (
            &["--point", "1.5"][..],
            "--point: scenario 'lecture-example' has 2 inputs, got 1",
        ),
        (
            &["--point", "nan,0.5"][..],
            "--point: input 1 is NaN; the point must be finite",
        ),
        (
            &["--point", "1.5,1e400"][..],
            "--point: input 2 is inf; the point must be finite",
        ),
        (&["--input", "3"][..], "--input: must be in 1..=2, got 3"),
        (&["--input", "0"][..], "--input: must be in 1..=2, got 0"),
    ] {
        let (code, _, err) = trace(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn a_good_point_is_traced() {
    let (code, out, err) = trace(&["--point", "1.5,0.5", "--input", "2"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1.5"), "{out}");
}

#[test]
fn a_tape_too_long_to_show_exits_2_counting_its_entries() {
    let out = Command::new(env!("CARGO_BIN_EXE_derivbench"))
        .args(["trace", "sum-of-squares-1000"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    // 1000 inputs, 1000 squares and 999 sums
    assert!(
        err.contains(
            "scenario 'sum-of-squares-1000' records 2999 tape entries (inputs, constants, elementals); trace shows at most 2000"
        ),
        "{err}"
    );
}
