//! Helpers shared by the integration tests: ulp comparison and the lecture's oracle.
#![allow(dead_code)]

pub mod formulas;

use derivbench::measure::{reference_jacobian, RefOptions, Reference};
use derivbench::num::ulps_between;
use derivbench::scenario::file::{load_str, Limits};
use rug::Float;
use std::path::Path;
use std::process::Command;

/// The reference Jacobian, default options, of a formula scenario with the inputs and
/// outputs given as TOML (the insides of `inputs = [...]` and `outputs = [...]`).
pub fn reference_of(inputs: &str, outputs: &str) -> Reference {
    let text = format!("name = \"r\"\ninputs = [{inputs}]\noutputs = [{outputs}]\n");
    let (sc, _) = load_str(Path::new("r.toml"), &text, &Limits::default()).unwrap();
    let all: Vec<usize> = (0..sc.n()).collect();
    reference_jacobian(&sc.model, &sc.x, &all, &RefOptions::default())
}

/// Asserts that `got` is within `ulps` f64 steps of `want`.
#[track_caller]
pub fn assert_close(got: f64, want: f64, ulps: u64, what: &str) {
    let d = ulps_between(got, want);
    assert!(
        d <= ulps,
        "{what}: got {got:e}, want {want:e}: {d} ulps apart (allowed {ulps})"
    );
}

/// Asserts |got - want| <= ulps * ulp(scale): the error bound of a computation whose
/// rounding errors are relative to `scale` (the magnitude of the operands), not to the
/// result, as in a sum that cancels.
#[track_caller]
pub fn assert_close_scaled(got: f64, want: f64, scale: f64, ulps: f64, what: &str) {
    let scale = scale.abs().max(want.abs());
    let ulp = f64::EPSILON * 2f64.powi(scale.log2().floor() as i32);
    let err = (got - want).abs();
    assert!(
        err <= ulps * ulp,
        "{what}: got {got:e}, want {want:e}: error {err:e} exceeds {ulps} ulps of {scale:e}"
    );
}

/// One row of the lecture's trace oracle: i, value, dot_x1, dot_x2, bar (40 digits).
pub struct OracleRow {
    pub i: i64,
    pub value: Float,
    pub dot_x1: Float,
    pub dot_x2: Float,
    pub bar: Float,
}

/// The lecture's trace computed independently to 35+ digits.
pub fn lecture_oracle() -> Vec<OracleRow> {
    let text = include_str!("../data/lecture-trace-oracle.csv");
    let p = |s: &str| Float::with_val(256, Float::parse(s.trim()).expect("oracle number"));
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("i,") && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            OracleRow {
                i: f[0].parse().unwrap(),
                value: p(f[1]),
                dot_x1: p(f[2]),
                dot_x2: p(f[3]),
                bar: p(f[4]),
            }
        })
        .collect()
}

/// Leading bits on which an MPFR value agrees with an oracle value.
pub fn agreed_bits(a: &Float, b: &Float) -> i64 {
    if a == b {
        return i64::MAX;
    }
    let d = Float::with_val(512, a - b).abs();
    let r = Float::with_val(512, &d / b).abs();
    -(r.get_exp().unwrap_or(0) as i64)
}

pub mod suite;

/// The names in a folder, sorted.
pub fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// `derivbench run` of the default scenarios `only` (comma-separated) into `out`, quick,
/// on one worker and with forward and reverse mode only: the small run that the tests
/// of failed and interrupted runs start from (they add `--no-wall` and the failpoint).
pub fn small_run(only: &str, out: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_derivbench"));
    c.args(["run", "--quick", "--jobs", "1", "--only", only])
        .args(["--methods", "forward,reverse", "--scenarios"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"))
        .arg("--out")
        .arg(out);
    c
}

/// The reports `run` moves into its `--out` folder besides `plots/`.
pub const REPORTS: [&str; 6] = [
    "accuracy.csv",
    "cost.csv",
    "index.html",
    "reference.csv",
    "results.json",
    "summary.md",
];

/// A folder of the calling test's own holding `previous` in each of `files` and in
/// `plots/old.svg`: a previous run's reports, as far as an interrupted run can tell.
pub fn previous(tag: &str, files: &[&str]) -> std::path::PathBuf {
    let out = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(tag);
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(out.join("plots")).unwrap();
    std::fs::write(out.join("plots/old.svg"), "previous").unwrap();
    for f in files {
        std::fs::write(out.join(f), "previous").unwrap();
    }
    out
}

/// Asserts that `out` holds this run's reports alone, of `scenarios` in order: every
/// one of [`REPORTS`] and `plots/` and nothing else (nothing set aside or staged), none
/// of them the previous run's, and no previous figure.
#[track_caller]
pub fn assert_only_this_runs_reports(out: &Path, scenarios: &[&str]) {
    let mut all = REPORTS.map(String::from).to_vec();
    all.push("plots".into());
    all.sort();
    assert_eq!(names(out), all, "nothing is left aside or staged");
    for f in REPORTS {
        let text = std::fs::read_to_string(out.join(f)).unwrap();
        assert_ne!(text, "previous", "{f} is the previous run's");
    }
    let r: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    for (k, name) in scenarios.iter().enumerate() {
        assert_eq!(r["scenarios"][k]["name"], *name);
    }
    let plots = names(&out.join("plots"));
    assert!(!plots.contains(&"old.svg".to_string()), "{plots:?}");
}

/// Runs `cmd` with the debug builds' failpoint `point` (`ctrl-c:writing`,
/// `sigterm:moved-plots`, ...): its output and its standard error as text.
pub fn with_failpoint(cmd: &mut Command, point: &str) -> (std::process::Output, String) {
    let o = cmd.env("DERIVBENCH_FAILPOINT", point).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    (o, err)
}

/// Asserts that `out` still holds the previous run's reports of [`previous`]: its
/// `results.json` and its one figure, as they were.
#[track_caller]
pub fn assert_previous_kept(out: &Path) {
    assert_eq!(
        std::fs::read_to_string(out.join("results.json")).unwrap(),
        "previous"
    );
    assert_eq!(names(&out.join("plots")), ["old.svg"]);
}

/// A folder of the calling test's own for `plot`: a previous `index.html` and figure
/// (see [`previous`]) beside the saved results of `tests/data/results-fixture.json`.
pub fn previous_for_plot(tag: &str) -> std::path::PathBuf {
    let out = previous(tag, &["index.html"]);
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/results-fixture.json");
    std::fs::copy(fixture, out.join("results.json")).unwrap();
    out
}

/// Asserts that `plot` moved its redrawn files into `out` completely: the new
/// `index.html` and figures beside `results.json`, no previous figure, nothing set
/// aside; returns the figures' names.
#[track_caller]
pub fn assert_plot_moved_completely(out: &Path) -> Vec<String> {
    assert_eq!(names(out), ["index.html", "plots", "results.json"]);
    assert_ne!(
        std::fs::read_to_string(out.join("index.html")).unwrap(),
        "previous"
    );
    let plots = names(&out.join("plots"));
    assert!(!plots.contains(&"old.svg".to_string()), "{plots:?}");
    plots
}

/// Runs `methods` on `sc` (quick) and checks d(output 0)/d(input `wrt`): the reference
/// must settle on `want` exactly, and each method deliver it to 2 bits. `what` names the
/// entry in the messages.
pub fn check_entry(
    sc: &derivbench::scenario::Scenario,
    wrt: usize,
    want: f64,
    methods: &[derivbench::measure::Method],
    what: &str,
) {
    use derivbench::measure::{measure_accuracy, AccuracyOptions};
    let opts = AccuracyOptions {
        methods: methods.to_vec(),
        quick: true,
        ..AccuracyOptions::default()
    };
    let acc = measure_accuracy(sc, &opts);
    let r = acc
        .reference
        .iter()
        .find(|r| r.output == 0 && r.input == wrt)
        .expect("a reference entry");
    assert!(r.settled, "{what}: reference unsettled");
    assert_eq!(
        r.reference.to_bits(),
        want.to_bits(),
        "{what}: reference {:e} vs {want:e}",
        r.reference
    );
    for m in methods {
        let row = acc
            .rows
            .iter()
            .find(|row| row.method == m.name() && row.output == 0 && row.input == wrt)
            .unwrap_or_else(|| panic!("{what}: no row for {}", m.name()));
        let v = row.value.expect("a value");
        let bits = derivbench::num::bits_err(v, want);
        assert!(bits <= 2.0, "{what}: {} gives {v:e}, {bits} bits", m.name());
    }
}
