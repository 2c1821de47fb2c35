//! Through the binary: every timed mode's `wall_ratio` in `cost.csv` comes with the lower
//! and upper quartile of the ratios of its alternating batches and the number of pairs,
//! in columns added after the contract's thirteen, and the summary's cost table prints
//! the three ratios; the function's own row is the function timed against itself, with
//! its quartiles too; the reports state how long each mode was timed (`--wall-ms`), or
//! that nothing was.

mod common;

use common::small_run;
use std::path::Path;

fn results(out: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap()
}

#[test]
fn cost_csv_and_the_summary_carry_the_quartiles_of_each_wall_ratio() {
    let out = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("wall-quartiles");
    let _ = std::fs::remove_dir_all(&out);
    let o = small_run("lecture-example", &out)
        .args(["--wall-ms", "5"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let mut rd = csv::Reader::from_path(out.join("cost.csv")).unwrap();
    let header: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    // the contract's columns first, in its order; new ones only at the end
    let contract = "scenario,mode,moves,adds,mults,nlops,time,ratio,bound,within,tape_bytes,\
                    wall_ns,wall_ratio";
    assert_eq!(header[..13].join(","), contract);
    assert_eq!(
        header[13..],
        ["wall_ratio_q1", "wall_ratio_q3", "wall_pairs"]
    );

    // the CSV holds results.json's figures to 4 decimals
    let r = results(&out);
    let cost = r["scenarios"][0]["cost"].as_array().unwrap().clone();
    let mut paired = Vec::new();
    for (rec, c) in rd.records().zip(&cost) {
        let rec = rec.unwrap();
        let num = |k: &str| c[k].as_f64().unwrap_or_else(|| panic!("{k}: {c}"));
        let (ratio, q1, q3) = (
            num("wall_ratio"),
            num("wall_ratio_q1"),
            num("wall_ratio_q3"),
        );
        assert_eq!(&rec[1], c["mode"].as_str().unwrap());
        for (k, v) in [(12, ratio), (13, q1), (14, q3)] {
            assert_eq!(rec[k], format!("{v:.4}"), "{rec:?}");
        }
        // at least 5 pairs, whatever the budget
        let pairs = c["wall_pairs"].as_u64().unwrap_or_else(|| panic!("{c}"));
        assert!(pairs >= 5, "{c}");
        assert_eq!(rec[15], pairs.to_string());
        assert!(
            0.0 < q1 && q1 <= ratio && ratio <= q3 && q3.is_finite(),
            "{c}"
        );
        paired.push((rec[1].to_string(), ratio, q1, q3));
    }
    for mode in ["function", "tangent", "gradient"] {
        assert!(paired.iter().any(|p| p.0 == mode), "{mode}: {paired:?}");
    }
    assert!(r["scenarios"][0]["tensor_wall"].is_null(), "not a network");

    // the summary prints each mode's median with its quartiles, where they differ at two
    // decimals, and always for the function against itself
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    // the budget is recorded and stated
    let header = "wall times: each cost mode timed against the function in alternating \
                  batches for about 5 ms (at least 5 pairs; --wall-ms), the function against \
                  itself as a check of the pairing.";
    assert!(summary.contains(header), "{summary}");
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.contains(header), "index.html states it too");
    assert!(summary.contains("| wall ratio (quartiles) |"), "{summary}");
    for (mode, ratio, q1, q3) in &paired {
        let (q1, q3) = (format!("{q1:.2}"), format!("{q3:.2}"));
        let cell = if q1 == q3 && mode != "function" {
            format!("{ratio:.2}")
        } else {
            format!("{ratio:.2} ({q1} to {q3})")
        };
        let row = format!("| {mode} | ");
        let line = summary
            .lines()
            .find(|l| l.starts_with(&row))
            .unwrap_or_else(|| panic!("no row {mode}: {summary}"));
        assert!(line.contains(&format!("| {cell} |")), "{line}: want {cell}");
    }
    std::fs::remove_dir_all(&out).unwrap();

    // and where nothing was timed, the reports say so
    let o = small_run("lecture-example", &out)
        .arg("--no-wall")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(
        summary.contains("; wall times not measured (--no-wall)."),
        "{summary}"
    );
    let r = results(&out);
    assert_eq!(r["settings"]["wall_ms"], 0);
    let mut rd = csv::Reader::from_path(out.join("cost.csv")).unwrap();
    for rec in rd.records() {
        let rec = rec.unwrap();
        assert_eq!((&rec[12], &rec[15]), ("NaN", ""), "not timed: {rec:?}");
    }
    assert!(r["scenarios"][0]["cost"][0]["wall_pairs"].is_null());
    std::fs::remove_dir_all(out).unwrap();
}

#[test]
fn the_matrix_tape_s_gradient_is_timed_against_the_function_as_matrix_operations() {
    let out = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("wall-tensor");
    let _ = std::fs::remove_dir_all(&out);
    let o = small_run("seed-mlp", &out)
        .args(["--wall-ms", "5"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = results(&out);
    let w = &r["scenarios"][0]["tensor_wall"];
    let num = |k: &str| w[k].as_f64().unwrap_or_else(|| panic!("{k}: {w}"));
    let (q1, median, q3) = (num("q1"), num("median"), num("q3"));
    assert!(0.0 < q1 && q1 <= median && median <= q3, "{w}");
    assert!(w["pairs"].as_u64().unwrap() >= 5, "{w}");
    let cell = if format!("{q1:.2}") == format!("{q3:.2}") {
        format!("{median:.2}")
    } else {
        format!("{median:.2} ({q1:.2} to {q3:.2})")
    };
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    let want = format!("{cell} times in wall time (the two timed against each other).");
    assert!(summary.contains(&want), "want {want}: {summary}");
    std::fs::remove_dir_all(out).unwrap();
}
