//! Hostile input and faults: bad files exit 2 quickly with the file named and no panic,
//! numerical trouble is a result, an unwritable --out fails before any work, an
//! interrupted run leaves the previous results intact, and random input never panics
//! the loader.

use derivbench::scenario::file::{load_str, Limits};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_derivbench");

fn tmp(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("derivbench-hostile-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs the binary; returns (exit code, stderr).
fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The catalogue of bad files fed to the binary, one per folder.
fn catalogue() -> Vec<(&'static str, Vec<u8>)> {
    let deep = format!(
        "name = \"deep\"\ninputs = [{{ name = \"x\", value = 1.0 }}]\noutputs = [\"{}x{}\"]\n",
        "(".repeat(50_000),
        ")".repeat(50_000)
    );
    vec![
        ("toml-syntax", b"name = \"a\"\nfamily = = 1\n".to_vec()),
        ("unknown-key", b"name = \"a\"\nfamily = \"fanout\"\nx = 1.0\nw = [1.0]\nwidth = 3\n".to_vec()),
        ("unknown-family", b"name = \"a\"\nfamily = \"resnet\"\n".to_vec()),
        ("unknown-function", b"name = \"a\"\ninputs = [{ name = \"x\", value = 1.0 }]\noutputs = [\"sinh(x)\"]\n".to_vec()),
        ("undefined-name", b"name = \"a\"\ninputs = [{ name = \"x\", value = 1.0 }]\noutputs = [\"x + y\"]\n".to_vec()),
        ("duplicate-input", b"name = \"a\"\ninputs = [{ name = \"x\", value = 1.0 }, { name = \"x\", value = 2.0 }]\noutputs = [\"x\"]\n".to_vec()),
        ("wrong-arity", b"name = \"a\"\ninputs = [{ name = \"x\", value = 1.0 }]\noutputs = [\"pow(x)\"]\n".to_vec()),
        ("index-out-of-range", b"name = \"a\"\ninputs = [{ name = \"x\", values = [1.0, 2.0] }]\noutputs = [\"x[3]\"]\n".to_vec()),
        ("loop-bound-not-integer", b"name = \"a\"\ninputs = [{ name = \"x\", values = [1.0, 2.0] }]\noutputs = [\"sum(i, 1, 1.5, x[i])\"]\n".to_vec()),
        ("unbalanced-parenthesis", b"name = \"a\"\ninputs = [{ name = \"x\", value = 1.0 }]\noutputs = [\"(x + 1\"]\n".to_vec()),
        ("empty-outputs", b"name = \"a\"\ninputs = [{ name = \"x\", value = 1.0 }]\noutputs = []\n".to_vec()),
        ("invalid-name", b"name = \"Not Valid\"\nfamily = \"fanout\"\nx = 1.0\nw = [1.0]\n".to_vec()),
        ("mlp-shape", b"name = \"a\"\nfamily = \"mlp\"\nlayers = [2, 1]\nx = [[1.0, 2.0]]\nt = [[0.5]]\nweights = [[[1.0, 2.0, 3.0]]]\n".to_vec()),
        ("length-mismatch", b"name = \"a\"\nfamily = \"perceptron\"\nx = [1.0, 2.0]\nw = [1.0]\n".to_vec()),
        ("non-finite", b"name = \"a\"\nfamily = \"fanout\"\nx = inf\nw = [1.0]\n".to_vec()),
        ("non-numeric", b"name = \"a\"\nfamily = \"fanout\"\nx = \"one\"\nw = [1.0]\n".to_vec()),
        ("non-utf8", vec![b'n', b'a', b'm', b'e', 0xff, 0xfe, b'\n']),
        ("empty-file", Vec::new()),
        ("deep-parentheses", deep.into_bytes()),
        ("length-1e12", b"name = \"a\"\ninputs = [{ name = \"x\", len = 1000000000000, fill = \"index\" }]\noutputs = [\"x[1]\"]\n".to_vec()),
        ("loop-1e11", b"name = \"a\"\ninputs = [{ name = \"x\", value = 1.0 }]\noutputs = [\"sum(i, 1, 100000000000, x)\"]\n".to_vec()),
        ("precision-1e9", b"name = \"a\"\nfamily = \"fanout\"\nx = 1.0\nw = [1.0]\nreference = { precision = 1000000000 }\n".to_vec()),
        ("path-separators", b"name = \"../../etc/passwd\"\nfamily = \"fanout\"\nx = 1.0\nw = [1.0]\n".to_vec()),
        ("nan-value", b"name = \"a\"\nfamily = \"fanout\"\nx = 1.0\nw = [nan]\n".to_vec()),
        ("network-too-large", b"name = \"a\"\nfamily = \"dense-jacobian\"\nn = 100000\nm = 100000\n".to_vec()),
        ("too-many-steps", b"name = \"a\"\nfamily = \"fanout\"\nx = 1.0\nw = [1.0]\nfd = { steps = { from = 1e-1, to = 1e-16, per_decade = 1000 } }\n".to_vec()),
    ]
}

#[test]
fn every_bad_file_exits_2_quickly_naming_the_file_without_a_panic() {
    let cat = catalogue();
    assert_eq!(
        cat.len(),
        26,
        "the README quotes the size of this catalogue"
    );
    for (tag, bytes) in cat {
        let d = tmp(&format!("cat-{tag}"));
        let f = d.join(format!("{tag}.toml"));
        std::fs::write(&f, &bytes).unwrap();
        let start = Instant::now();
        let (code, err) = run(&["list", "--scenarios", d.to_str().unwrap()]);
        let took = start.elapsed();
        assert_eq!(code, 2, "{tag}: exit {code}, stderr {err}");
        assert!(
            err.contains(&format!("{tag}.toml")),
            "{tag}: the file is not named: {err}"
        );
        assert!(!err.contains("panicked"), "{tag}: {err}");
        assert!(took < Duration::from_secs(2), "{tag}: took {took:?}");
        std::fs::remove_dir_all(&d).unwrap();
    }
}

#[test]
fn numerical_trouble_is_a_result_flagged_in_the_reports() {
    let d = tmp("trouble");
    let sc = d.join("s");
    std::fs::create_dir_all(&sc).unwrap();
    let files = [
        ("log-negative", "log(x)", "-1.0"),
        ("sqrt-negative", "sqrt(x)", "-4.0"),
        ("divide-by-zero", "1 / x", "0.0"),
        ("overflow", "x^2", "1e200"),
        ("nan-inside", "(x - x) / (x - x) + x", "2.0"),
    ];
    for (name, f, x) in files {
        std::fs::write(
            sc.join(format!("{name}.toml")),
            format!("name = \"{name}\"\ninputs = [{{ name = \"x\", value = {x} }}]\noutputs = [\"{f}\"]\n"),
        )
        .unwrap();
    }
    let out = d.join("out");
    let (code, err) = run(&[
        "run",
        "--quick",
        "--no-wall",
        "--scenarios",
        sc.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let results: derivbench::results::RunResults =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    assert_eq!(results.scenarios.len(), files.len());
    for s in &results.scenarios {
        assert!(
            s.notes.iter().any(|n| n.starts_with("nonfinite")),
            "{}: {:?}",
            s.name,
            s.notes
        );
        let flagged = s
            .accuracy
            .iter()
            .filter(|a| a.bits_err == Some(64.0))
            .count();
        assert!(flagged > 0, "{}: no entry flagged with 64 bits", s.name);
    }
    // the reference says what it is: log(-1) has no real derivative, x^2 at 1e200 has 4e200
    let r = |n: &str| {
        results
            .scenarios
            .iter()
            .find(|s| s.name == n)
            .unwrap()
            .reference[0]
            .clone()
    };
    assert!(r("log-negative").reference.is_nan() || r("log-negative").reference == -1.0);
    assert_eq!(r("overflow").reference, 2e200);
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(summary.contains("nonfinite"));
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_run_over_good_and_bad_files_writes_the_good_results_and_exits_2() {
    let d = tmp("mixed");
    let sc = d.join("s");
    std::fs::create_dir_all(&sc).unwrap();
    std::fs::write(
        sc.join("a.toml"),
        "name = \"good\"\nfamily = \"fanout\"\nx = 0.5\nw = [1.0, -2.0]\n",
    )
    .unwrap();
    std::fs::write(sc.join("b.toml"), "name = \"bad\"\nfamily = \"nope\"\n").unwrap();
    std::fs::write(
        sc.join("c.toml"),
        "name = \"good-too\"\ninputs = [{ name = \"x\", value = 0.5 }]\noutputs = [\"sin(x)\"]\n",
    )
    .unwrap();
    let out = d.join("out");
    let (code, err) = run(&[
        "run",
        "--quick",
        "--no-wall",
        "--scenarios",
        sc.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("b.toml:2:10: unknown family"), "{err}");
    let acc = std::fs::read_to_string(out.join("accuracy.csv")).unwrap();
    assert!(acc.contains("\ngood,") && acc.contains("\ngood-too,"));
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(summary.contains("## Failures") && summary.contains("b.toml"));
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn an_unwritable_out_fails_before_any_work() {
    let d = tmp("unwritable");
    let blocker = d.join("a-file");
    std::fs::write(&blocker, "x").unwrap();
    let start = Instant::now();
    let (code, err) = run(&["run", "--out", blocker.join("sub").to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--out"), "{err}");
    assert!(start.elapsed() < Duration::from_secs(5));
    // the file itself as --out, and a link to itself: what is in the way, not that
    // something exists there
    let (code, err) = run(&["run", "--out", blocker.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("exists and is not a folder"), "{err}");
    #[cfg(unix)]
    {
        let looped = d.join("loop");
        std::os::unix::fs::symlink(&looped, &looped).unwrap();
        let (code, err) = run(&["run", "--out", looped.to_str().unwrap()]);
        assert_eq!(code, 2, "{err}");
        assert!(!err.contains("File exists"), "{err}");
        let dangling = d.join("dangling");
        std::os::unix::fs::symlink(d.join("nowhere"), &dangling).unwrap();
        let (code, err) = run(&["run", "--out", dangling.to_str().unwrap()]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("a link to nothing"), "{err}");
    }
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn an_interrupted_run_leaves_the_previous_results_intact() {
    let d = tmp("interrupt");
    let out = d.join("latest");
    std::fs::create_dir_all(&out).unwrap();
    for f in [
        "accuracy.csv",
        "reference.csv",
        "cost.csv",
        "results.json",
        "summary.md",
    ] {
        std::fs::write(out.join(f), format!("previous {f}")).unwrap();
    }
    let scen = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut child = Command::new(BIN)
        .args([
            "run",
            "--scenarios",
            scen.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    // SIGINT, as Ctrl-C sends
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();
    let mut err = String::new();
    use std::io::Read;
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(
        !status.success(),
        "the run finished before it was interrupted"
    );
    assert_eq!(status.code(), Some(130), "{err}");
    let done = out.join(".partial").join("done");
    assert!(
        err.contains("interrupted") && err.contains(&done.display().to_string()),
        "{err}"
    );
    assert!(done.is_dir());
    for f in [
        "accuracy.csv",
        "reference.csv",
        "cost.csv",
        "results.json",
        "summary.md",
    ] {
        assert_eq!(
            std::fs::read_to_string(out.join(f)).unwrap(),
            format!("previous {f}"),
            "{f} was touched"
        );
    }
    assert!(out.join(".partial").is_dir());
    std::fs::remove_dir_all(&d).unwrap();
}

/// Fragments from which random scenario files are assembled.
const TOKENS: [&str; 24] = [
    "name = \"a\"\n",
    "family = \"mlp\"\n",
    "family = \"expr\"\n",
    "inputs = [",
    "{ name = \"x\", value = 1.0 }",
    "]\n",
    "outputs = [\"",
    "\"]\n",
    "sum(i, 1, 3, x[i])",
    "x^-2",
    "((",
    "))",
    ",",
    "layers = [3, 1]\n",
    "x = [[1.0, 2.0, 3.0]]\n",
    "t = [[1.0]]\n",
    "weights = { seed = 1 }\n",
    "= =",
    "[[",
    "nan",
    "1e999",
    "\u{0}",
    "len = 99999999999999",
    "fill = \"random\"",
];

proptest! {
    #[test]
    fn random_bytes_never_panic_the_loader(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = load_str(Path::new("fuzz.toml"), &text, &Limits::default());
    }

    #[test]
    fn token_soups_never_panic_the_loader(picks in prop::collection::vec(0..TOKENS.len(), 0..40)) {
        let text: String = picks.iter().map(|&k| TOKENS[k]).collect();
        let _ = load_str(Path::new("fuzz.toml"), &text, &Limits::default());
    }
}

#[test]
fn formulas_nested_as_deep_as_the_limit_allows_load_without_overflowing_the_stack() {
    // recursive descent takes about 2 KB of stack per level: 20,000 levels overflowed
    // the main thread's 8 MB before the commands ran on a thread sized for the ceiling
    let dir = tmp("deep");
    let d = 20_000;
    let deep = format!(
        "name = \"deep\"\ninputs = [{{ name = \"x\", value = 1.5 }}]\noutputs = [\"{}x{}\"]\n",
        "sin(".repeat(d),
        ")".repeat(d)
    );
    std::fs::write(dir.join("deep.toml"), deep).unwrap();
    let dirs = dir.to_str().unwrap();
    let (code, text) = run(&["list", "--scenarios", dirs, "--limit", "max_depth=20001"]);
    assert_eq!(code, 0, "{text}");
    // one level too few: a positioned error, not a crash
    let (code, text) = run(&["list", "--scenarios", dirs, "--limit", "max_depth=19999"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("deep.toml:3:"), "{text}");
    // beyond the ceiling the limit itself is refused
    let (code, text) = run(&["list", "--scenarios", dirs, "--limit", "max_depth=100001"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("at most 100000"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}
