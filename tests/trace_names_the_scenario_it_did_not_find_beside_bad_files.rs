//! `derivbench trace NAME` on a folder where NAME is in no file that loaded says that no
//! scenario has that name, also when some other file of the folder did not load (after
//! that file's own error, and with the hint that the name may be in it), and exits 2.

use std::path::PathBuf;
use std::process::Command;

/// A folder of this test's own with one good and one bad scenario file.
fn folder() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("derivbench-trace-missing-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("good.toml"),
        "name = \"good\"\ninputs = [{ name = \"x\", value = 0.5 }]\noutputs = [\"sin(x)\"]\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("bad.toml"),
        "name = \"bad\"\ninputs = [{ name = \"x\", value = 0.5 }]\noutputs = [\"sinh(x)\"]\n",
    )
    .unwrap();
    dir
}

fn trace(dir: &std::path::Path, name: &str) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_derivbench"))
        .args(["trace", name, "--scenarios"])
        .arg(dir)
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_name_no_file_gave_is_named_also_beside_a_bad_file() {
    let dir = folder();
    let shown = dir.display().to_string();
    for name in ["goood", "bad"] {
        let (code, err) = trace(&dir, name);
        assert_eq!(code, 2, "{name}: {err}");
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 2, "{name}: {err}");
        assert!(
            lines[0].contains("bad.toml:3:13: unknown function 'sinh'"),
            "{name}: {err}"
        );
        assert_eq!(
            lines[1],
            format!(
                "derivbench: no scenario named '{name}' in {shown} (perhaps in one of the 1 \
                 file(s) that did not load, listed above)"
            ),
            "{name}"
        );
    }
    // the good scenario is traced, and the bad file still fails the command
    let (code, err) = trace(&dir, "good");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("1 scenario file(s) are invalid"), "{err}");
    std::fs::remove_file(dir.join("bad.toml")).unwrap();
    let (code, err) = trace(&dir, "goood");
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        err,
        format!("derivbench: no scenario named 'goood' in {shown}\n")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
