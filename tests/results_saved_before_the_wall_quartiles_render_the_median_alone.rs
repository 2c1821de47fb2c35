//! Through the binary: `derivbench plot` on a `results.json` saved before the wall
//! ratios' quartiles, the timing budget and the matrix tapes' direct pairing were
//! recorded draws `index.html` with each wall ratio's median alone, no sentence on how the
//! wall times were taken, and the matrix tape's wall figure as the quotient of the two
//! rows' ratios to the function, said to be timed apart.

use std::path::PathBuf;
use std::process::Command;

#[test]
fn plot_on_old_results_prints_medians_and_says_the_matrix_figure_was_timed_apart() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/results-fixture.json");
    let mut r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    // the fixture predates the new fields
    assert!(r["settings"].get("wall_ms").is_none());
    let s = &mut r["scenarios"][0];
    assert!(s.get("tensor_wall").is_none());
    assert!(s["cost"][1].get("wall_ratio_q1").is_none());
    // a function-tensor row beside its gradient-tensor row (wall ratio 3.76, time 722)
    let mut f = s["cost"][0].clone();
    f["mode"] = "function-tensor".into();
    (f["time"], f["wall_ratio"]) = (361.0.into(), 1.6.into());
    s["cost"].as_array_mut().unwrap().push(f);

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("old-results-plot");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("results.json"), r.to_string()).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_derivbench"))
        .arg("plot")
        .arg("--results")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();

    assert!(!html.contains("wall times"), "no budget was recorded");
    // the medians alone: the gradient's 4.7, the function's 1
    assert!(html.contains("<td>4.70</td>"), "{html}");
    assert!(html.contains("<td>1.00</td>"), "{html}");
    assert!(!html.contains("(4.70 to"), "{html}");
    // 722 / 361 by op count, 3.76 / 1.6 in wall time
    assert!(
        html.contains(
            "costs 2.000 times the function evaluated as matrix operations (function-tensor) \
             by op count, 2.35 times in wall time (the quotient of their ratios to function, \
             timed apart)."
        ),
        "{html}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}
