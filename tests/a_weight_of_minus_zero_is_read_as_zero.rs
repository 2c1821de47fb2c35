//! Through the binary: a cost weight written `-0` is the weight 0, in `cost-table` and in
//! every report of `run` (summary.md, index.html, results.json, the cost figure's
//! legend), never printed as "-0".

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_derivbench");

fn tmp(tag: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(tag);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn cost_table_prints_a_weight_of_minus_zero_as_0() {
    let o = Command::new(BIN)
        .args(["cost-table", "--weights", "1,-0,-0"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.contains("weights mu = 1, pi = 0, nu = 0\n"), "{out}");
    assert!(!out.contains("-0"), "{out}");
    // the same table as the weights written as 0
    let zero = Command::new(BIN)
        .args(["cost-table", "--weights", "1,0,0"])
        .output()
        .unwrap();
    assert_eq!(o.stdout, zero.stdout);
}

#[test]
fn run_reports_a_weight_of_minus_zero_as_0() {
    let d = tmp("minus-zero-weight");
    let out = d.join("out");
    let o = Command::new(BIN)
        .args([
            "run",
            "--quick",
            "--no-wall",
            "--methods",
            "forward",
            "--only",
            "lecture-example",
            "--weights",
            "1,-0,1",
        ])
        .arg("--scenarios")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let read = |f: &str| std::fs::read_to_string(out.join(f)).unwrap();
    let summary = read("summary.md");
    assert!(summary.contains("(mu, pi, nu) = (1, 0, 1)"), "{summary}");
    assert!(!summary.contains("(1, -0, 1)"), "{summary}");
    assert!(read("index.html").contains("(mu, pi, nu) = (1, 0, 1)"));
    let results: serde_json::Value = serde_json::from_str(&read("results.json")).unwrap();
    let w = &results["settings"]["weights"];
    let bits: Vec<u64> = (0..3).map(|k| w[k].as_f64().unwrap().to_bits()).collect();
    assert_eq!(bits, [1.0f64, 0.0, 1.0].map(f64::to_bits), "{w}");
    let svg = read("plots/cost-lecture-example.svg");
    assert!(svg.contains("(mu, pi, nu) = (1, 0, 1)"), "the legend");
    std::fs::remove_dir_all(&d).unwrap();
}
