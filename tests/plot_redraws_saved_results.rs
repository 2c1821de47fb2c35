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
