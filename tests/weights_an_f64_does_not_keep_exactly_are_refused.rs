//! Through the binary: `--weights` are taken as the decimals they are written as, and a
//! decimal an f64 does not keep exactly (more digits than it holds, or beyond its range)
//! is refused with exit 2 and one message naming it, by `cost-table` and by `run` before
//! any work, instead of being rounded to another weight (0.59999999999999999999 to 0.6,
//! which would call the bounds proven where, as written, 5 nu < 2 + pi).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_derivbench");

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn cost_table(weights: &str) -> Output {
    Command::new(BIN)
        .args(["cost-table", "--weights", weights])
        .output()
        .unwrap()
}

#[test]
fn cost_table_refuses_weights_an_f64_does_not_keep() {
    for (weights, written, reads) in [
        (
            "2,1,0.59999999999999999999",
            "0.59999999999999999999",
            "0.6",
        ),
        ("1,1,1e-400", "1e-400", "0"),
        ("1.00000000000000000001,1,1", "1.00000000000000000001", "1"),
    ] {
        let o = cost_table(weights);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{weights}: {err}");
        assert!(o.stdout.is_empty(), "{weights}");
        assert!(
            err.contains(&format!(
                "--weights: '{written}' is not the shortest decimal of an f64: it reads as {reads},"
            )),
            "{weights}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    // the decimal an f64 keeps, in any notation, is accepted, and the bounds are proven
    // at 2,1,0.6 as written
    for weights in ["2,1,0.6", "2.0,1,6e-1", "2,1,0.600"] {
        let o = cost_table(weights);
        assert!(o.status.success(), "{weights}: {}", stderr(&o));
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.contains("weights mu = 2, pi = 1, nu = 0.6\n"), "{out}");
        assert!(!out.contains("not proven"), "{out}");
    }
}

#[test]
fn run_refuses_weights_an_f64_does_not_keep_before_any_work() {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("inexact-weights");
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    let out = d.join("out");
    let o = Command::new(BIN)
        .args(["run", "--quick", "--no-wall", "--only", "lecture-example"])
        .args(["--weights", "2,1,0.59999999999999999999"])
        .arg("--scenarios")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--weights: '0.59999999999999999999' is not the shortest decimal of an f64"),
        "{err}"
    );
    assert!(!out.exists(), "nothing is written");
    std::fs::remove_dir_all(&d).unwrap();
}
