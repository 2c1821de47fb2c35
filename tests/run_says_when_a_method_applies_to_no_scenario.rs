//! `--methods` naming a method that applies to none of the scenarios run (reverse-tensor
//! on a formula) still runs, and says why that method has no accuracy figures, instead of an
//! accuracy table silently without it. A method that applies says nothing.

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_derivbench");

#[test]
fn run_says_when_a_method_applies_to_no_scenario() {
    let out = std::env::temp_dir().join(format!("derivbench-methods-{}", std::process::id()));
    let scen = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let o = Command::new(BIN)
        .args(["run", "--quick", "--no-wall", "--only", "lecture-example"])
        .args(["--methods", "reverse-tensor,reverse"])
        .arg("--scenarios")
        .arg(&scen)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains("--methods reverse-tensor: no accuracy figures, since it applies to none of the scenarios measured (the network families mlp, elman-rnn and gated-rnn)"),
        "{err}"
    );
    assert!(!err.contains("--methods reverse:"), "{err}");
    let csv = std::fs::read_to_string(out.join("accuracy.csv")).unwrap();
    assert!(
        csv.lines().skip(1).all(|l| l.contains(",reverse,")),
        "{csv}"
    );
    assert!(csv.lines().count() > 1);
    let _ = std::fs::remove_dir_all(&out);
}
