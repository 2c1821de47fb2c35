//! `derivbench plot` on a folder whose last run was interrupted redraws the figures of
//! the saved results and leaves the interrupted run's partial results where the
//! interruption message said they are (`<out>/.partial/done/`).

use std::path::PathBuf;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_derivbench");

#[test]
fn plot_leaves_the_partial_folder_alone() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("plot-keeps-partial");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".partial/done")).unwrap();
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/results-fixture.json");
    std::fs::copy(&fixture, dir.join("results.json")).unwrap();
    let partial = dir.join(".partial/done/lecture-example.json");
    std::fs::write(&partial, b"{\"name\": \"lecture-example\"}").unwrap();

    let out = Command::new(BIN)
        .args(["plot", "--results", dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.join("index.html").is_file());
    assert!(dir.join("plots/bits-fanout-3.svg").is_file());
    assert_eq!(
        std::fs::read(&partial).unwrap(),
        b"{\"name\": \"lecture-example\"}",
        "the partial results of the interrupted run are gone"
    );
    // nothing of the redraw is left behind
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, [".partial", "index.html", "plots", "results.json"]);
    std::fs::remove_dir_all(&dir).unwrap();
}
