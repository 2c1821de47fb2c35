//! A folder with a bad scenario file: `list`, `trace` and `run` all report the file with
//! its position and exit 2, after doing their work on the good files; `--only` naming a
//! scenario that is not among the loaded ones says it may be in a file that did not load,
//! and the run still measures and writes the others it names.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_derivbench");

fn folder(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("derivbench-badfile-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    let lecture = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/lecture-example.toml");
    std::fs::copy(lecture, d.join("a-lecture.toml")).unwrap();
    std::fs::write(
        d.join("b-bad.toml"),
        "name = \"broken\"\nfamily = \"nope\"\n",
    )
    .unwrap();
    d
}

fn run(args: &[&str], dir: &Path) -> (Output, String) {
    let o = Command::new(BIN)
        .args(args)
        .arg("--scenarios")
        .arg(dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    (o, err)
}

#[test]
fn trace_prints_the_good_scenario_and_exits_2() {
    let d = folder("trace");
    let (o, err) = run(&["trace", "lecture-example"], &d);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("1.5"), "{out}");
    assert!(err.contains("b-bad.toml:2:10: unknown family"), "{err}");
    // a bad argument is reported, and so is the bad file
    let (o, err) = run(&["trace", "lecture-example", "--input", "3"], &d);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("--input: must be in 1..=2, got 3"), "{err}");
    assert!(err.contains("b-bad.toml:2:10: unknown family"), "{err}");
    let (o, err) = run(&["list"], &d);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("b-bad.toml:2:10: unknown family"), "{err}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn only_naming_a_scenario_of_a_bad_file_points_at_the_errors() {
    let d = folder("only");
    let out = d.join("out");
    let o = Command::new(BIN)
        .args([
            "run",
            "--quick",
            "--no-wall",
            "--only",
            "broken,lecture-example",
        ])
        .arg("--scenarios")
        .arg(&d)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("b-bad.toml:2:10: unknown family"), "{err}");
    assert!(
        err.contains(
            "--only: no scenario named 'broken' in {} (perhaps in one of the 1 file(s) that \
             did not load, listed above); the others named are measured"
                .replace("{}", &d.display().to_string())
                .as_str()
        ),
        "{err}"
    );
    // the good scenario named is measured and written, beside the bad file's failure
    let csv = std::fs::read_to_string(out.join("accuracy.csv")).unwrap();
    assert!(
        csv.lines()
            .skip(1)
            .any(|l| l.starts_with("lecture-example,")),
        "{csv}"
    );
    let json = std::fs::read_to_string(out.join("results.json")).unwrap();
    assert!(json.contains("b-bad.toml"), "{json}");
    // naming only scenarios that did not load (or a misspelt one) measures nothing: it is
    // refused before anything is written, and the reports of the run above stay
    let before = std::fs::read_to_string(out.join("accuracy.csv")).unwrap();
    for only in ["broken", "typo-name"] {
        let o = Command::new(BIN)
            .args(["run", "--quick", "--no-wall", "--only", only])
            .arg("--scenarios")
            .arg(&d)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&format!(
                "--only: no scenario named '{only}' in {} (perhaps in one of the 1 file(s) \
                     that did not load, listed above)",
                d.display()
            )),
            "{err}"
        );
        assert!(!err.contains("the others named are measured"), "{err}");
        assert!(!err.contains("scenario(s) measured"), "{err}");
        assert_eq!(
            std::fs::read_to_string(out.join("accuracy.csv")).unwrap(),
            before
        );
    }
    let _ = std::fs::remove_dir_all(&d);
}
