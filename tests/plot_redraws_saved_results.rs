//! `derivbench plot` redraws every figure and index.html from a saved results folder,
//! without recomputing, and reproduces the files `run` wrote.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_derivbench");

fn svgs_and_html(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir.join("plots")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "svg") {
            out.insert(
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            );
        }
    }
    out.insert(
        "index.html".into(),
        std::fs::read(dir.join("index.html")).unwrap(),
    );
    out
}

#[test]
fn plot_on_saved_results_reproduces_the_same_files() {
    let out = std::env::temp_dir().join(format!("derivbench-plot-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let scen = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let st = Command::new(BIN)
        .args([
            "run",
            "--quick",
            "--no-wall",
            "--only",
            "lecture-example,fanout-3,dense-jacobian-4x64",
        ])
        .args([
            "--scenarios",
            scen.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(st.success());
    let first = svgs_and_html(&out);
    // every per-scenario figure, and the Jacobian figure (fanout and dense-jacobian)
    for name in ["lecture-example", "fanout-3", "dense-jacobian-4x64"] {
        for fig in ["error-step", "bits", "cost"] {
            assert!(
                first.contains_key(&format!("{fig}-{name}.svg")),
                "{fig}-{name}.svg missing"
            );
        }
    }
    assert!(first.contains_key("jacobian-cost.svg"));
    assert!(first.contains_key("symbolic-swell.svg"));
    // remove the figures, then redraw from results.json alone
    std::fs::remove_dir_all(out.join("plots")).unwrap();
    std::fs::remove_file(out.join("index.html")).unwrap();
    let st = Command::new(BIN)
        .args(["plot", "--results", out.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(st.success());
    let second = svgs_and_html(&out);
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (k, v) in &first {
        assert!(second[k] == *v, "{k} differs after redrawing");
    }
    // a folder without results.json is bad input
    let empty = out.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let code = Command::new(BIN)
        .args(["plot", "--results", empty.to_str().unwrap()])
        .status()
        .unwrap()
        .code();
    assert_eq!(code, Some(2));
    std::fs::remove_dir_all(&out).unwrap();
}

/// The figure files in `dir/plots`, which must exist.
fn figures(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir.join("plots"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join("plots").display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_run_or_redraw_without_figures_leaves_none_of_the_previous_ones() {
    let out = std::env::temp_dir().join(format!("derivbench-stale-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let scen = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let run = |scenarios: &Path, only: &[&str]| {
        Command::new(BIN)
            .args(["run", "--quick", "--no-wall"])
            .args(only)
            .args(["--methods", "reverse", "--scenarios"])
            .arg(scenarios)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap()
    };
    assert!(run(&scen, &["--only", "fanout-3"]).status.success());
    assert!(figures(&out).contains(&"cost-fanout-3.svg".to_string()));
    // a folder whose one scenario is invalid: exit 2, reports without scenarios
    let bad = out.join("bad-scenarios");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(
        bad.join("fanout-3.toml"),
        "name = \"fanout-3\"\nfamily = \n",
    )
    .unwrap();
    let o = run(&bad, &[]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let json = std::fs::read_to_string(out.join("results.json")).unwrap();
    assert!(
        json.contains("\"scenarios\":[]") || json.contains("\"scenarios\": []"),
        "{json}"
    );
    assert_eq!(
        figures(&out),
        Vec::<String>::new(),
        "the old figures are gone"
    );
    // and `plot` on such results, after figures were put back by hand
    std::fs::write(out.join("plots/cost-fanout-3.svg"), "<svg/>").unwrap();
    let st = Command::new(BIN)
        .args(["plot", "--results"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(st.success());
    assert_eq!(figures(&out), Vec::<String>::new());
    std::fs::remove_dir_all(&out).unwrap();
}
