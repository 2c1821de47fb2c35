//! The regression gate: compares a run's `results.json` with the committed baseline
//! (`reports/baseline.toml`) and reports every figure that got worse than the baseline
//! allows, every complexity bound that broke, and every reference that did not settle.
//!
//! What is gated, per scenario:
//!
//! - accuracy, per method: the worst entry's bits of error. For the FD sweep methods
//!   (`fd-forward`, `fd-backward`, `fd-central`) each entry counts with its best step
//!   over the sweep; `fd-forward@auto` etc. (the textbook step) are methods of their
//!   own. An entry without any figure (every step vanished) counts [`NO_FIGURE_BITS`].
//! - non-finite derivative values per method, and non-finite reference values, beyond
//!   the count the baseline records;
//! - every reference entry settled, whatever the baseline says;
//! - cost, per mode: the op-count ratio TIME(mode) / TIME(function). Modes with a bound
//!   of the cost model (tangent 5/2, gradient and gradient-tensor 4) must stay within it
//!   unless the baseline lists an exception with a reason (then within the exception's
//!   allowed ratio); the other modes must stay within the ratio the baseline allows.
//!   Allowed ratios are compared only when the results were measured at the baseline's
//!   weights (at other weights a `settings:` note says that only the bounds are
//!   checked). Wall-clock figures are not gated (noise).
//! - scenarios, methods and cost modes of the baseline that are missing from the results,
//!   and scenarios that failed to run.
//!
//! [`update`] rewrites the baseline from results, keeping the policy and the exceptions
//! with their reasons, and lists what loosened. `docs/check.md` describes the policy.

use crate::measure::cost::{Weights, PROVEN_REGION};
use crate::report::atomic::{flush_file, flush_folder};
use crate::report::read_results;
use crate::report::summary::best_bits_per_entry;
use crate::results::{RunResults, ScenarioResult};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

/// Where `derivbench check` looks for the baseline.
pub const DEFAULT_BASELINE: &str = "reports/baseline.toml";
/// Where `derivbench check` looks for the results folder.
pub const DEFAULT_RESULTS: &str = "reports/latest";
/// The version of the baseline format this code reads and writes.
pub const FORMAT: u32 = 1;
/// Bits of error counted for an entry without any figure (no step gave a derivative):
/// the worst there is, as for NaN.
pub const NO_FIGURE_BITS: f64 = 64.0;

/// The largest relative margin on an op-count ratio that a baseline's policy may set.
pub const MAX_RATIO_MARGIN: f64 = 1e6;

/// The tolerance policy: how [`update`] turns measured figures into allowed ones. It is
/// stored in the baseline, and an update keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// bits added to the measured worst bits of error of AD methods and complex-step
    /// (every method whose name does not start with `fd-`)
    pub ad_margin_bits: f64,
    /// bits added for finite differences and Richardson (names starting with `fd-`)
    pub fd_margin_bits: f64,
    /// relative margin on the op-count ratio of modes without a bound (0: the counts are
    /// deterministic; the allowed ratio is only rounded up at the fourth decimal)
    pub ratio_margin: f64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            ad_margin_bits: 2.0,
            fd_margin_bits: 2.0,
            ratio_margin: 0.0,
        }
    }
}

impl Policy {
    /// The margin in bits for a method.
    pub fn margin_bits(&self, method: &str) -> f64 {
        if method.starts_with("fd-") {
            self.fd_margin_bits
        } else {
            self.ad_margin_bits
        }
    }
}

/// The committed baseline: what `reports/baseline.toml` holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// format version, [`FORMAT`]
    pub format: u32,
    /// whether the figures come from `--quick` results (informational)
    #[serde(default)]
    pub quick: bool,
    /// the cost weights (mu, pi, nu) the ratios were measured at
    pub weights: [f64; 3],
    /// the tolerance policy
    #[serde(default)]
    pub policy: Policy,
    /// per scenario, by name
    #[serde(default)]
    pub scenarios: BTreeMap<String, ScenarioBaseline>,
}

/// What the baseline allows for one scenario.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioBaseline {
    /// how many reference values may be NaN or infinite
    #[serde(default)]
    pub nonfinite_reference: u64,
    /// per method name (with `@auto` for the textbook step)
    #[serde(default)]
    pub accuracy: BTreeMap<String, AccuracyAllowance>,
    /// per cost mode
    #[serde(default)]
    pub cost: BTreeMap<String, CostAllowance>,
}

/// The allowed accuracy of one method on one scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccuracyAllowance {
    /// the worst bits of error when the baseline was made (informational)
    #[serde(default)]
    pub measured: Option<f64>,
    /// the worst bits of error allowed
    pub allowed: f64,
    /// how many derivative values may be NaN or infinite
    #[serde(default)]
    pub nonfinite: u64,
}

/// The allowed op-count ratio of one cost mode on one scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostAllowance {
    /// the ratio when the baseline was made (informational)
    #[serde(default)]
    pub measured: Option<f64>,
    /// the largest ratio allowed; above a mode's bound only with a reason
    pub allowed: f64,
    /// why this scenario may exceed the bound of its mode: the exception's reason
    #[serde(default)]
    pub reason: Option<String>,
}

impl CostAllowance {
    /// True when this entry is an exception (carries a reason).
    pub fn is_exception(&self) -> bool {
        self.reason.is_some()
    }
}

pub use crate::measure::cost::mode_bound;

impl Baseline {
    /// Parses and validates a baseline; the error says what is wrong and where.
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let b: Baseline = toml::from_str(text).map_err(|e| e.to_string().trim().to_string())?;
        b.validate().map_err(|e| match position(text, &e.path) {
            Some((line, column)) => format!("line {line}, column {column}: {}", e.message),
            None => e.message,
        })?;
        Ok(b)
    }

    /// Reads and parses a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, CheckError> {
        Baseline::load_with_text(path).map(|(b, _)| b)
    }

    /// [`Baseline::load`], with the text read.
    fn load_with_text(path: &Path) -> Result<(Baseline, String), CheckError> {
        let text = std::fs::read_to_string(path).map_err(|e| CheckError::Baseline {
            path: path.to_path_buf(),
            message: if e.kind() == std::io::ErrorKind::NotFound {
                "no such file (make one from results with `derivbench check --update`)".into()
            } else {
                e.to_string()
            },
        })?;
        let b = Baseline::parse(&text).map_err(|message| CheckError::Baseline {
            path: path.to_path_buf(),
            message,
        })?;
        Ok((b, text))
    }

    fn validate(&self) -> Result<(), Invalid> {
        if self.format != FORMAT {
            return Err(Invalid::at(
                &["format"],
                format!(
                    "format {} is not supported (this derivbench reads format {FORMAT})",
                    self.format
                ),
            ));
        }
        if self.weights.iter().any(|w| !w.is_finite() || *w < 0.0) {
            return Err(Invalid::at(
                &["weights"],
                "weights must be three non-negative numbers".into(),
            ));
        }
        let p = &self.policy;
        // beyond 64 bits a margin allows every figure; a ratio margin is capped so that
        // the allowed ratio it makes stays finite (a ratio of the run is below 1e9)
        for (name, v, most) in [
            ("ad_margin_bits", p.ad_margin_bits, NO_FIGURE_BITS),
            ("fd_margin_bits", p.fd_margin_bits, NO_FIGURE_BITS),
            ("ratio_margin", p.ratio_margin, MAX_RATIO_MARGIN),
        ] {
            if !v.is_finite() || !(0.0..=most).contains(&v) {
                return Err(Invalid::at(
                    &["policy", name],
                    format!("policy.{name} must be a number from 0 to {most}, got {v}"),
                ));
            }
        }
        for (s, sb) in &self.scenarios {
            for (m, a) in &sb.accuracy {
                if !a.allowed.is_finite() || a.allowed < 0.0 {
                    return Err(Invalid::at(
                        &["scenarios", s, "accuracy", m, "allowed"],
                        format!(
                            "scenarios.{s}.accuracy.{m}: allowed must be a non-negative number of bits, got {}",
                            a.allowed
                        ),
                    ));
                }
            }
            for (mode, c) in &sb.cost {
                if !c.allowed.is_finite() || c.allowed < 0.0 {
                    return Err(Invalid::at(
                        &["scenarios", s, "cost", mode, "allowed"],
                        format!(
                            "scenarios.{s}.cost.{mode}: allowed must be a non-negative ratio, got {}",
                            c.allowed
                        ),
                    ));
                }
                if let Some(r) = &c.reason {
                    if r.trim().is_empty() {
                        return Err(Invalid::at(
                            &["scenarios", s, "cost", mode, "reason"],
                            format!(
                                "scenarios.{s}.cost.{mode}: an exception needs a reason, got an empty one"
                            ),
                        ));
                    }
                }
                if let Some(bound) = mode_bound(mode) {
                    if c.allowed > bound && c.reason.is_none() {
                        return Err(Invalid::at(
                            &["scenarios", s, "cost", mode, "allowed"],
                            format!(
                                "scenarios.{s}.cost.{mode}: allowed {} is above the bound {bound} of the mode; \
                                 an exception needs `reason = \"...\"`",
                                c.allowed
                            ),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// The baseline as TOML, with a header explaining it: one line per method and mode.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let made = if self.quick {
            "`derivbench run --quick` results"
        } else {
            "`derivbench run` results (not --quick)"
        };
        let _ = write!(
            out,
            "# derivbench regression baseline, checked by `derivbench check`; see docs/check.md.\n\
             # Made from {made} by `derivbench check --update`; reviewed like code.\n\
             #\n\
             # accuracy: per method, the worst entry's bits of error (FD sweep methods: each\n\
             #   entry's best step over the sweep; `@auto` is the textbook step). `allowed` is\n\
             #   gated: measured + policy margin, rounded up to a tenth of a bit.\n\
             # cost: per mode, the op-count ratio TIME(mode) / TIME(function). tangent <= 2.5,\n\
             #   gradient and gradient-tensor <= 4 unless an exception gives a `reason`.\n\
             # `measured` is informational; wall-clock times are not gated.\n\n"
        );
        let _ = writeln!(out, "format = {}", self.format);
        let _ = writeln!(out, "quick = {}", self.quick);
        let _ = writeln!(
            out,
            "weights = [{}, {}, {}]",
            toml_f64(self.weights[0]),
            toml_f64(self.weights[1]),
            toml_f64(self.weights[2])
        );
        let _ = writeln!(out, "\n[policy]");
        let _ = writeln!(
            out,
            "ad_margin_bits = {}",
            toml_f64(self.policy.ad_margin_bits)
        );
        let _ = writeln!(
            out,
            "fd_margin_bits = {}",
            toml_f64(self.policy.fd_margin_bits)
        );
        let _ = writeln!(out, "ratio_margin = {}", toml_f64(self.policy.ratio_margin));
        for (name, sb) in &self.scenarios {
            let key = format!("scenarios.{}", toml_key(name));
            if sb.nonfinite_reference > 0 {
                let _ = writeln!(out, "\n[{key}]");
                let _ = writeln!(out, "nonfinite_reference = {}", sb.nonfinite_reference);
            }
            if !sb.accuracy.is_empty() {
                let _ = writeln!(out, "\n[{key}.accuracy]");
                for (m, a) in &sb.accuracy {
                    let mut fields = Vec::new();
                    if let Some(v) = a.measured {
                        fields.push(format!("measured = {}", toml_f64(v)));
                    }
                    fields.push(format!("allowed = {}", toml_f64(a.allowed)));
                    if a.nonfinite > 0 {
                        fields.push(format!("nonfinite = {}", a.nonfinite));
                    }
                    let _ = writeln!(out, "{} = {{ {} }}", toml_key(m), fields.join(", "));
                }
            }
            if !sb.cost.is_empty() {
                let _ = writeln!(out, "\n[{key}.cost]");
                for (mode, c) in &sb.cost {
                    let mut fields = Vec::new();
                    if let Some(v) = c.measured {
                        fields.push(format!("measured = {}", toml_f64(v)));
                    }
                    fields.push(format!("allowed = {}", toml_f64(c.allowed)));
                    if let Some(r) = &c.reason {
                        fields.push(format!("reason = {}", toml_string(r)));
                    }
                    let _ = writeln!(out, "{} = {{ {} }}", toml_key(mode), fields.join(", "));
                }
            }
        }
        out
    }
}

/// A baseline that parses but breaks a rule: the message, and the keys leading to the
/// offending value (for its line and column).
#[derive(Debug)]
struct Invalid {
    path: Vec<String>,
    message: String,
}

impl Invalid {
    fn at(path: &[&str], message: String) -> Invalid {
        Invalid {
            path: path.iter().map(|k| k.to_string()).collect(),
            message,
        }
    }
}

/// The 1-based line and column (in characters) of the value at `path` in a TOML text, or
/// of the deepest table on the way that is written in the text.
fn position(text: &str, path: &[String]) -> Option<(usize, usize)> {
    let doc = toml::de::DeTable::parse(text).ok()?;
    let mut table = doc.get_ref();
    let mut span = None;
    for key in path {
        let Some((_, v)) = table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key.as_str())
        else {
            break;
        };
        // a table made by a header or by dotted keys has no span of its own
        if v.span() != (0..0) {
            span = Some(v.span());
        }
        match v.get_ref() {
            toml::de::DeValue::Table(t) => table = t,
            _ => break,
        }
    }
    Some(crate::scenario::file::line_col(text, span?.start))
}

/// An f64 as a TOML float.
fn toml_f64(v: f64) -> String {
    if v.is_nan() {
        "nan".into()
    } else if v.is_infinite() {
        if v > 0.0 { "inf" } else { "-inf" }.into()
    } else {
        format!("{v:?}")
    }
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TOML key: bare when it can be, quoted otherwise (`"fd-forward@auto"`).
fn toml_key(k: &str) -> String {
    let bare = !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if bare {
        k.to_string()
    } else {
        toml_string(k)
    }
}

/// The gated accuracy figures of one method on one scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct MethodFigure {
    /// the worst entry's bits of error (FD sweep methods: each entry's best step)
    pub worst_bits: f64,
    /// number of Jacobian entries
    pub entries: usize,
    /// number of entries whose derivative is NaN or infinite in every row that has one
    /// (a sweep: at every step)
    pub nonfinite: u64,
}

/// The gated cost figures of one mode on one scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct CostFigure {
    /// TIME(mode) / TIME(function), from op counts
    pub ratio: f64,
    /// the bound of the mode, if it has one
    pub bound: Option<f64>,
    /// whether the ratio is within the bound, as the run decided it exactly from the op
    /// counts ([`crate::measure::cost::Weights::within`]); `None` without a bound
    pub within: Option<bool>,
}

impl CostFigure {
    /// Whether the ratio is within `bound`: the ratio, rounded once from the exact one,
    /// is at most the bound, and the run did not decide otherwise (an exact ratio less
    /// than half an ulp above the bound rounds to the bound itself).
    fn within(&self, bound: f64) -> bool {
        self.ratio <= bound && self.within != Some(false)
    }
}

/// Everything the gate reads from one scenario's results.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScenarioFigures {
    /// per method
    pub accuracy: BTreeMap<String, MethodFigure>,
    /// per cost mode
    pub cost: BTreeMap<String, CostFigure>,
    /// reference entries that did not settle
    pub unsettled: usize,
    /// reference values that are NaN or infinite
    pub nonfinite_reference: u64,
}

/// The gated figures of one scenario's results.
pub fn figures(s: &ScenarioResult) -> ScenarioFigures {
    // per method, the entries none of whose rows has a finite value while one has a
    // value at all (a sweep has a row per step: an entry counts when no step gave it a
    // finite quotient), so that a full run, whose steps are a superset of a quick run's,
    // counts no more than the quick run does
    let mut finite: BTreeMap<(&str, usize, usize), (bool, bool)> = BTreeMap::new();
    for r in &s.accuracy {
        let e = finite
            .entry((r.method.as_str(), r.output, r.input))
            .or_insert((false, false));
        if let Some(v) = r.value {
            *e = (true, e.1 || v.is_finite());
        }
    }
    let mut nonfinite: BTreeMap<&str, u64> = BTreeMap::new();
    for ((m, _, _), (valued, any_finite)) in finite {
        *nonfinite.entry(m).or_insert(0) += u64::from(valued && !any_finite);
    }
    // per entry the best bits over the rows (one row unless a sweep), the same figures
    // as the overview of summary.md
    let accuracy = best_bits_per_entry(&s.accuracy)
        .into_iter()
        .map(|(m, bits)| {
            let f = MethodFigure {
                worst_bits: bits.iter().copied().fold(0.0, f64::max),
                entries: bits.len(),
                nonfinite: nonfinite.get(m.as_str()).copied().unwrap_or(0),
            };
            (m, f)
        })
        .collect();
    let cost = s
        .cost
        .iter()
        .map(|c| {
            // the bound is the cost model's for the mode, not the one the file carries:
            // a file edited to a looser bound does not loosen the gate
            let bound = mode_bound(&c.mode);
            (
                c.mode.clone(),
                CostFigure {
                    ratio: c.ratio,
                    bound,
                    within: c.within.filter(|_| bound.is_some()),
                },
            )
        })
        .collect();
    ScenarioFigures {
        accuracy,
        cost,
        unsettled: s.reference.iter().filter(|r| !r.settled).count(),
        nonfinite_reference: s
            .reference
            .iter()
            .filter(|r| !r.reference.is_finite())
            .count() as u64,
    }
}

/// What a violation is about; violations sort in this order first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// a scenario failed to load or run
    Run,
    /// a scenario, method or mode of the baseline is missing from the results
    Missing,
    /// unsettled reference entries
    Reference,
    /// worse bits of error than allowed
    Accuracy,
    /// more NaN or infinite values than allowed
    Nonfinite,
    /// a ratio above its bound or its allowed value
    Cost,
}

impl Kind {
    /// The word a violation line starts with.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Run => "run",
            Kind::Missing => "missing",
            Kind::Reference => "reference",
            Kind::Accuracy => "accuracy",
            Kind::Nonfinite => "nonfinite",
            Kind::Cost => "cost",
        }
    }
}

/// One finding of the gate: renders as one line, e.g.
/// `accuracy: sum-of-squares-1000 reverse: worst bits of error 12.3 > allowed 2.0`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Violation {
    /// what it is about
    pub kind: Kind,
    /// the scenario (empty for a failure that names no scenario)
    pub scenario: String,
    /// the method or cost mode (empty when the whole scenario is concerned)
    pub subject: String,
    /// the figure against the allowed value
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.kind.name())?;
        match (self.scenario.is_empty(), self.subject.is_empty()) {
            (true, _) => {}
            (false, true) => write!(f, "{}: ", self.scenario)?,
            (false, false) => write!(f, "{} {}: ", self.scenario, self.subject)?,
        }
        f.write_str(&self.detail)
    }
}

fn violation(kind: Kind, scenario: &str, subject: &str, detail: String) -> Violation {
    Violation {
        kind,
        scenario: scenario.to_string(),
        subject: subject.to_string(),
        detail,
    }
}

/// `figure` with the fewest decimals (at least `min`) that still show it above `allowed`.
fn above(figure: f64, allowed: f64, min: usize) -> String {
    if !figure.is_finite() {
        return format!("{figure}");
    }
    for d in min..=9 {
        let s = format!("{figure:.d$}");
        if s.parse::<f64>().is_ok_and(|v| v > allowed) {
            return s;
        }
    }
    format!("{figure:?}")
}

/// A number as the baseline writes it (`2.0`, `3.6`, `37.5`).
fn num(v: f64) -> String {
    toml_f64(v)
}

/// `n` and the noun, singular for 1.
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The outcome of a check.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// the violations, sorted by kind, scenario, method or mode
    pub violations: Vec<Violation>,
    /// what the results have and the baseline does not (not gated), one line each
    pub ungated: Vec<String>,
    /// settings of the results that differ from the baseline's, one line each, e.g.
    /// `settings: cost weights ...`: what they keep from being compared, not violations
    pub settings: Vec<String>,
}

impl Report {
    /// True when nothing is violated.
    pub fn passed(&self) -> bool {
        self.violations.is_empty()
    }
}

/// The rules no baseline loosens: scenarios that failed, unsettled references, bounded
/// ratios above their bound without an exception (when the results' weights are where the
/// cost model proves its bounds), ratios that are not numbers.
/// `exceptions` gives the baseline's allowance of a (scenario, mode), if any.
fn absolute_rules<'b>(
    r: &RunResults,
    gate_bounds: bool,
    exception: impl Fn(&str, &str) -> Option<&'b CostAllowance>,
) -> Vec<Violation> {
    let mut v = Vec::new();
    for f in &r.failures {
        // `line` names the file or scenario once (a load error names its own file)
        v.push(violation(Kind::Run, "", "", f.line()));
    }
    for s in &r.scenarios {
        let fig = figures(s);
        if fig.unsettled > 0 {
            v.push(violation(
                Kind::Reference,
                &s.name,
                "",
                format!("{} unsettled", plural(fig.unsettled, "entry", "entries")),
            ));
        }
        for (mode, c) in &fig.cost {
            if !c.ratio.is_finite() {
                v.push(violation(
                    Kind::Cost,
                    &s.name,
                    mode,
                    format!("ratio {} is not a finite number", c.ratio),
                ));
                continue;
            }
            let Some(bound) = c.bound.filter(|_| gate_bounds) else {
                continue;
            };
            if c.within(bound) {
                continue;
            }
            // a ratio that rounded to the bound is above it only in the run's exact
            // decision from the op counts: no figure shows it above
            let ratio = if c.ratio > bound {
                format!("ratio {}", above(c.ratio, bound, 3))
            } else {
                format!(
                    "ratio {} rounded, exactly (from the op counts)",
                    num(c.ratio)
                )
            };
            match exception(&s.name, mode).filter(|a| a.is_exception()) {
                Some(_) => {} // gated against the exception's allowed ratio
                None => v.push(violation(
                    Kind::Cost,
                    &s.name,
                    mode,
                    format!("{ratio} > bound {bound} (no exception in the baseline)"),
                )),
            }
        }
    }
    v
}

/// True when the results were measured at weights where the cost model proves its bounds,
/// so that a ratio above a bound says something about the code.
fn bounds_gated(r: &RunResults) -> bool {
    Weights::from_array(r.settings.weights).bounds_proven()
}

/// Weights as the notes write them, `(1, 1, 1)`.
fn triple(w: &[f64; 3]) -> String {
    // -0 (in a file written by hand or by an older derivbench) is 0
    let [mu, pi, nu] = Weights::from_array(*w).to_array();
    format!("({mu}, {pi}, {nu})")
}

/// Compares results with the baseline.
pub fn check(b: &Baseline, r: &RunResults) -> Report {
    let allowance = |s: &str, mode: &str| b.scenarios.get(s).and_then(|sb| sb.cost.get(mode));
    let gate_bounds = bounds_gated(r);
    let mut v = absolute_rules(r, gate_bounds, allowance);
    let mut ungated = Vec::new();
    // op-count ratios measured at other weights say nothing against the baseline's: no
    // ratio is then compared with its allowed ratio, which the baseline measured at its
    // weights (an exception's allowed ratio, or one lowered by hand below the bound, no
    // more than a ratio without a bound); the bounds are still checked where the cost
    // model proves them, and an exception still lets its mode pass its bound
    let mut settings = Vec::new();
    let weights_match = r.settings.weights == b.weights;
    if !weights_match {
        settings.push(format!(
            "settings: cost weights (mu, pi, nu) = {} differ from the baseline's {}; \
             ratios are checked against their bounds only, not against the baseline's \
             allowed ratios",
            triple(&r.settings.weights),
            triple(&b.weights)
        ));
    }
    if !gate_bounds {
        settings.push(format!(
            "settings: cost weights (mu, pi, nu) = {} lie outside the region where the cost \
             model proves its bounds ({PROVEN_REGION}); the bounded ratios are not checked",
            triple(&r.settings.weights)
        ));
    }
    let failed: BTreeSet<&str> = r.failures.iter().map(|f| f.what.as_str()).collect();
    // a file that did not load is named by its path, not by the scenarios in it
    let unloaded = r.failures.iter().filter(|f| !f.internal).count();
    let missing_scenario = if unloaded == 0 {
        "scenario in the baseline, not in the results".to_string()
    } else {
        format!(
            "scenario in the baseline, not in the results (perhaps in one of the {unloaded} \
             scenario file(s) that did not load, listed above)"
        )
    };
    let by_name: BTreeMap<&str, &ScenarioResult> =
        r.scenarios.iter().map(|s| (s.name.as_str(), s)).collect();
    for (name, sb) in &b.scenarios {
        let Some(s) = by_name.get(name.as_str()) else {
            if !failed.contains(name.as_str()) {
                v.push(violation(Kind::Missing, name, "", missing_scenario.clone()));
            }
            continue;
        };
        let fig = figures(s);
        if fig.nonfinite_reference > sb.nonfinite_reference {
            v.push(violation(
                Kind::Nonfinite,
                name,
                "reference",
                format!(
                    "{} > allowed {}",
                    plural(
                        fig.nonfinite_reference as usize,
                        "non-finite value",
                        "non-finite values"
                    ),
                    sb.nonfinite_reference
                ),
            ));
        }
        for (m, a) in &sb.accuracy {
            let Some(f) = fig.accuracy.get(m) else {
                v.push(violation(
                    Kind::Missing,
                    name,
                    m,
                    "method in the baseline, not in the results".into(),
                ));
                continue;
            };
            if f.worst_bits > a.allowed || f.worst_bits.is_nan() {
                v.push(violation(
                    Kind::Accuracy,
                    name,
                    m,
                    format!(
                        "worst bits of error {} > allowed {}",
                        above(f.worst_bits, a.allowed, 1),
                        num(a.allowed)
                    ),
                ));
            }
            if f.nonfinite > a.nonfinite {
                v.push(violation(
                    Kind::Nonfinite,
                    name,
                    m,
                    format!(
                        "{} > allowed {}",
                        plural(
                            f.nonfinite as usize,
                            "non-finite entry",
                            "non-finite entries"
                        ),
                        a.nonfinite
                    ),
                ));
            }
        }
        for (mode, a) in &sb.cost {
            let Some(c) = fig.cost.get(mode) else {
                v.push(violation(
                    Kind::Missing,
                    name,
                    mode,
                    "cost mode in the baseline, not in the results".into(),
                ));
                continue;
            };
            if !c.ratio.is_finite() || !weights_match || (c.bound.is_some() && !gate_bounds) {
                // reported by the absolute rules, or measured at other weights
                continue;
            }
            let bounded_within = c.bound.is_some_and(|b| c.within(b));
            let exceeds = c.ratio > a.allowed;
            if !exceeds {
                continue;
            }
            match c.bound {
                // above the bound and not an exception: reported by the absolute rules
                Some(_) if !a.is_exception() && !bounded_within => {}
                Some(bound) if !a.is_exception() => v.push(violation(
                    Kind::Cost,
                    name,
                    mode,
                    format!(
                        "ratio {} > allowed {} (bound {bound})",
                        above(c.ratio, a.allowed, 3),
                        num(a.allowed)
                    ),
                )),
                Some(_) => v.push(violation(
                    Kind::Cost,
                    name,
                    mode,
                    format!(
                        "ratio {} > allowed {} (exception: {})",
                        above(c.ratio, a.allowed, 3),
                        num(a.allowed),
                        a.reason.as_deref().unwrap_or_default()
                    ),
                )),
                None => v.push(violation(
                    Kind::Cost,
                    name,
                    mode,
                    format!(
                        "ratio {} > allowed {}",
                        above(c.ratio, a.allowed, 3),
                        num(a.allowed)
                    ),
                )),
            }
        }
        for m in fig
            .accuracy
            .keys()
            .filter(|m| !sb.accuracy.contains_key(*m))
        {
            ungated.push(format!("{name} {m}: method not in the baseline"));
        }
        for mode in fig.cost.keys().filter(|m| !sb.cost.contains_key(*m)) {
            ungated.push(format!(
                "{name} {mode}: cost mode not in the baseline (its bound, if any, is still checked)"
            ));
        }
    }
    for s in r
        .scenarios
        .iter()
        .filter(|s| !b.scenarios.contains_key(&s.name))
    {
        ungated.push(format!(
            "{}: scenario not in the baseline (references and bounds are still checked)",
            s.name
        ));
    }
    v.sort();
    v.dedup();
    Report {
        violations: v,
        ungated,
        settings,
    }
}

/// `v` rounded up to a multiple of `1/scale`.
fn ceil_to(v: f64, scale: f64) -> f64 {
    let r = (v * scale).ceil() / scale;
    // guard against (v * scale) rounding below v
    if r < v {
        ((v * scale).ceil() + 1.0) / scale
    } else {
        r
    }
}

/// `v` rounded to a multiple of `1/scale`.
fn round_to(v: f64, scale: f64) -> f64 {
    (v * scale).round() / scale
}

/// The allowed worst bits for a measured figure under the policy: measured + margin,
/// rounded up to a tenth of a bit, at most 64.
pub fn allowed_bits(policy: &Policy, method: &str, measured: f64) -> f64 {
    ceil_to(measured + policy.margin_bits(method), 10.0).min(NO_FIGURE_BITS)
}

/// The allowed ratio of a mode without a bound: measured x (1 + margin), rounded up at
/// the fourth decimal.
pub fn allowed_ratio(policy: &Policy, measured: f64) -> f64 {
    ceil_to(measured * (1.0 + policy.ratio_margin), 1e4)
}

/// What an update changed, for one entry.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// an entry the old baseline did not have
    New,
    /// an entry whose allowed value went up
    Loosened,
    /// an entry of the old baseline the results no longer have
    Removed,
    /// a setting of the baseline
    Changed,
}

/// One line of what an update changed, e.g.
/// `loosened: accuracy: lecture-example reverse: allowed 2.0 -> 3.6 (measured 1.585)`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// new, loosened, removed or changed
    pub kind: ChangeKind,
    /// the rest of the line
    pub what: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let k = match self.kind {
            ChangeKind::New => "new",
            ChangeKind::Loosened => "loosened",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        };
        write!(f, "{k}: {}", self.what)
    }
}

/// A baseline made from results, with what changed against the old one.
#[derive(Clone, Debug, PartialEq)]
pub struct Update {
    /// the new baseline
    pub baseline: Baseline,
    /// new, loosened and removed entries, changed settings
    pub changes: Vec<Change>,
    /// number of entries whose allowed value went down
    pub tightened: usize,
    /// number of entries of the new baseline
    pub entries: usize,
}

/// Makes a baseline from results, keeping the old baseline's policy and exceptions (with
/// their reasons). Refuses, returning the findings, when the results break a rule no
/// baseline loosens: a failed scenario, an unsettled reference, a bounded ratio above
/// its bound without an exception in the old baseline (write one by hand, with a
/// reason, then update again).
pub fn update(old: Option<&Baseline>, r: &RunResults) -> Result<Update, Vec<Violation>> {
    let old_allowance = |s: &str, mode: &str| {
        old.and_then(|b| b.scenarios.get(s))
            .and_then(|sb| sb.cost.get(mode))
    };
    let gate_bounds = bounds_gated(r);
    let mut refused = absolute_rules(r, gate_bounds, old_allowance);
    if !gate_bounds {
        // the baseline gates the bounds; at these weights they are not proven, and the
        // baseline would record ratios above them as allowed
        refused.push(violation(
            Kind::Cost,
            "",
            "",
            format!(
                "weights (mu, pi, nu) = {} are outside the region where the cost model \
                 proves its bounds ({PROVEN_REGION}): measure the baseline at weights inside \
                 it",
                triple(&r.settings.weights)
            ),
        ));
    }
    if !refused.is_empty() {
        refused.sort();
        return Err(refused);
    }
    let policy = old.map(|b| b.policy.clone()).unwrap_or_default();
    let mut scenarios = BTreeMap::new();
    for s in &r.scenarios {
        let fig = figures(s);
        let mut sb = ScenarioBaseline {
            nonfinite_reference: fig.nonfinite_reference,
            ..ScenarioBaseline::default()
        };
        for (m, f) in &fig.accuracy {
            sb.accuracy.insert(
                m.clone(),
                AccuracyAllowance {
                    measured: Some(round_to(f.worst_bits, 1e3)),
                    allowed: allowed_bits(&policy, m, f.worst_bits),
                    nonfinite: f.nonfinite,
                },
            );
        }
        for (mode, c) in &fig.cost {
            let exception = old_allowance(&s.name, mode).filter(|a| a.is_exception());
            let reason = exception.and_then(|a| a.reason.clone());
            let allowed = match (c.bound, exception) {
                (Some(b), None) => b,
                // an exception only ever loosens: up to the new ratio, never below its
                // old allowed value or the bound
                (Some(b), Some(old)) => allowed_ratio(&policy, c.ratio).max(old.allowed).max(b),
                (None, _) => allowed_ratio(&policy, c.ratio),
            };
            sb.cost.insert(
                mode.clone(),
                CostAllowance {
                    measured: Some(round_to(c.ratio, 1e4)),
                    allowed,
                    reason,
                },
            );
        }
        scenarios.insert(s.name.clone(), sb);
    }
    let baseline = Baseline {
        format: FORMAT,
        quick: r.settings.quick,
        weights: Weights::from_array(r.settings.weights).to_array(),
        policy,
        scenarios,
    };
    let (changes, tightened) = diff(old, &baseline);
    let entries = baseline
        .scenarios
        .values()
        .map(|sb| sb.accuracy.len() + sb.cost.len())
        .sum();
    Ok(Update {
        baseline,
        changes,
        tightened,
        entries,
    })
}

/// The changes from `old` to `new`, and the number of tightened entries.
fn diff(old: Option<&Baseline>, new: &Baseline) -> (Vec<Change>, usize) {
    let empty = Baseline {
        format: FORMAT,
        quick: new.quick,
        weights: new.weights,
        policy: new.policy.clone(),
        scenarios: BTreeMap::new(),
    };
    let old = old.unwrap_or(&empty);
    let mut changes = Vec::new();
    let mut tightened = 0;
    let mut push = |kind: ChangeKind, what: String| changes.push(Change { kind, what });
    if old.weights != new.weights {
        push(
            ChangeKind::Changed,
            format!(
                "weights {:?} -> {:?} (the ratios are measured at the new weights)",
                old.weights, new.weights
            ),
        );
    }
    let none = ScenarioBaseline::default();
    let names: BTreeSet<&String> = old.scenarios.keys().chain(new.scenarios.keys()).collect();
    for name in names {
        let o = old.scenarios.get(name).unwrap_or(&none);
        let n = new.scenarios.get(name).unwrap_or(&none);
        if !old.scenarios.contains_key(name) && n.nonfinite_reference > 0 {
            push(
                ChangeKind::New,
                format!(
                    "nonfinite: {name} reference: allowed {}",
                    n.nonfinite_reference
                ),
            );
        } else if n.nonfinite_reference > o.nonfinite_reference {
            push(
                ChangeKind::Loosened,
                format!(
                    "nonfinite: {name} reference: allowed {} -> {}",
                    o.nonfinite_reference, n.nonfinite_reference
                ),
            );
        } else if n.nonfinite_reference < o.nonfinite_reference {
            tightened += 1;
        }
        let measured = |m: Option<f64>| {
            m.map(|v| format!(" (measured {})", num(v)))
                .unwrap_or_default()
        };
        let methods: BTreeSet<&String> = o.accuracy.keys().chain(n.accuracy.keys()).collect();
        for m in methods {
            match (o.accuracy.get(m), n.accuracy.get(m)) {
                (None, Some(a)) => push(
                    ChangeKind::New,
                    format!(
                        "accuracy: {name} {m}: allowed {}{}",
                        num(a.allowed),
                        measured(a.measured)
                    ),
                ),
                (Some(a), None) => push(
                    ChangeKind::Removed,
                    format!("accuracy: {name} {m}: was allowed {}", num(a.allowed)),
                ),
                (Some(a), Some(b)) => {
                    if b.allowed > a.allowed {
                        push(
                            ChangeKind::Loosened,
                            format!(
                                "accuracy: {name} {m}: allowed {} -> {}{}",
                                num(a.allowed),
                                num(b.allowed),
                                measured(b.measured)
                            ),
                        );
                    } else if b.allowed < a.allowed {
                        tightened += 1;
                    }
                    if b.nonfinite > a.nonfinite {
                        push(
                            ChangeKind::Loosened,
                            format!(
                                "nonfinite: {name} {m}: allowed {} -> {}",
                                a.nonfinite, b.nonfinite
                            ),
                        );
                    } else if b.nonfinite < a.nonfinite {
                        tightened += 1;
                    }
                }
                (None, None) => {}
            }
        }
        let modes: BTreeSet<&String> = o.cost.keys().chain(n.cost.keys()).collect();
        for mode in modes {
            let reason = |a: &CostAllowance| {
                a.reason
                    .as_ref()
                    .map(|r| format!(" [exception: {r}]"))
                    .unwrap_or_default()
            };
            match (o.cost.get(mode), n.cost.get(mode)) {
                (None, Some(a)) => push(
                    ChangeKind::New,
                    format!(
                        "cost: {name} {mode}: allowed {}{}{}",
                        num(a.allowed),
                        measured(a.measured),
                        reason(a)
                    ),
                ),
                (Some(a), None) => push(
                    ChangeKind::Removed,
                    format!(
                        "cost: {name} {mode}: was allowed {}{}",
                        num(a.allowed),
                        reason(a)
                    ),
                ),
                (Some(a), Some(b)) => {
                    if b.allowed > a.allowed {
                        push(
                            ChangeKind::Loosened,
                            format!(
                                "cost: {name} {mode}: allowed {} -> {}{}{}",
                                num(a.allowed),
                                num(b.allowed),
                                measured(b.measured),
                                reason(b)
                            ),
                        );
                    } else if b.allowed < a.allowed {
                        tightened += 1;
                    }
                }
                (None, None) => {}
            }
        }
    }
    (changes, tightened)
}

/// Errors that stop the gate before it compares anything (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// the baseline is missing, unreadable or malformed
    #[error("baseline {}: {message}", path.display())]
    Baseline {
        /// the baseline file
        path: PathBuf,
        /// what is wrong
        message: String,
    },
    /// the results folder or its `results.json` is missing, unreadable or malformed
    #[error("results {}: {message}", path.display())]
    Results {
        /// the file
        path: PathBuf,
        /// what is wrong
        message: String,
    },
    /// the new baseline could not be written
    #[error("cannot write the baseline {}: {source}", path.display())]
    Write {
        /// the baseline file
        path: PathBuf,
        /// the cause
        source: std::io::Error,
    },
}

/// Reads `results.json` from a results folder, with an error naming the file, and
/// checks that the results are whole ([`complete`]) for the gate.
pub fn load_results(dir: &Path) -> Result<RunResults, CheckError> {
    let r = read_results_folder(dir)?;
    complete(&r).map_err(|message| CheckError::Results {
        path: dir.join("results.json"),
        message,
    })?;
    Ok(r)
}

/// Reads `results.json` from a results folder, with an error naming the file and saying
/// how to write one where it is missing (`check` and `plot`).
pub fn read_results_folder(dir: &Path) -> Result<RunResults, CheckError> {
    let path = dir.join("results.json");
    if !dir.is_dir() {
        let message = if dir.exists() {
            "a file, not a folder: --results takes the folder that holds results.json"
        } else {
            "no such folder (write one with `derivbench run --out DIR`)"
        };
        return Err(CheckError::Results {
            path: dir.to_path_buf(),
            message: message.into(),
        });
    }
    read_results(dir).map_err(|e| {
        let message = match e {
            crate::report::ReportError::Io { source, .. }
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                "no such file (write one with `derivbench run --out DIR`)".into()
            }
            crate::report::ReportError::Io { source, .. } => source.to_string(),
            crate::report::ReportError::Json { source, .. } => {
                format!("not valid results: {source}")
            }
            other => other.to_string(),
        };
        CheckError::Results { path, message }
    })
}

/// Whether results are whole, as a run writes them: each scenario once, each of its cost
/// modes once, its reference with every entry of its Jacobian once, and each method
/// with each of its entries: reverse, reverse-statement, reverse-tensor and symbolic
/// once over every input; forward, forward-vector, complex-step, fd-richardson and the
/// textbook steps (`fd-forward@auto` ...) once over exactly the sampled inputs, which
/// must be those the sampling rule spreads over n ([`crate::scenario::sample_indices`]);
/// the FD sweeps (fd-forward, fd-backward, fd-central) over the sampled inputs with as
/// many rows (steps) for each entry. A results file that lost rows or repeats them
/// (edited by hand, or assembled from pieces) would otherwise pass the gate on what is
/// left: an empty reference has no unsettled entry, a method without its worst rows a
/// better worst, an entry given twice its better row.
pub fn complete(r: &RunResults) -> Result<(), String> {
    let mut names = BTreeSet::new();
    for s in &r.scenarios {
        if !names.insert(s.name.as_str()) {
            return Err(format!("scenario '{}' appears twice", s.name));
        }
        // bits of error and cost ratios are never negative: a negative one, which reads
        // as better than any bound, is not a run's
        if let Some(a) = s
            .accuracy
            .iter()
            .find(|a| a.bits_err.is_some_and(|b| b < 0.0))
        {
            return Err(format!(
                "scenario '{}': {} has negative bits of error ({})",
                s.name,
                a.method,
                a.bits_err.unwrap_or_default()
            ));
        }
        if let Some(c) = s.cost.iter().find(|c| c.ratio < 0.0) {
            return Err(format!(
                "scenario '{}': cost mode {} has a negative ratio ({})",
                s.name, c.mode, c.ratio
            ));
        }
        // one figure per mode is gated: a second row of a mode would hide the first
        let mut modes = BTreeSet::new();
        if let Some(c) = s.cost.iter().find(|c| !modes.insert(c.mode.as_str())) {
            return Err(format!(
                "scenario '{}': cost mode {} appears twice",
                s.name, c.mode
            ));
        }
        let whole = s.n * s.m;
        // the sampled inputs are the sampling rule's for n and their number: a list
        // shortened by hand would shorten the forward rows it asks for
        if s.sampled != crate::scenario::sample_indices(s.n, s.sampled.len()) {
            return Err(format!(
                "scenario '{}': the sampled inputs are not the {} that sampling spreads over its {} inputs",
                s.name,
                s.sampled.len(),
                s.n
            ));
        }
        let sampled: BTreeSet<usize> = s.sampled.iter().copied().collect();
        // the number of entries when each is once and in range (among `only`, where
        // given), else None
        let entries = |pairs: &mut dyn Iterator<Item = (usize, usize)>,
                       only: Option<&BTreeSet<usize>>|
         -> Option<usize> {
            let mut seen = BTreeSet::new();
            for (o, i) in pairs {
                if o >= s.m
                    || i >= s.n
                    || only.is_some_and(|set| !set.contains(&i))
                    || !seen.insert((o, i))
                {
                    return None;
                }
            }
            Some(seen.len())
        };
        let reference = entries(&mut s.reference.iter().map(|e| (e.output, e.input)), None);
        if reference != Some(whole) {
            return Err(format!(
                "scenario '{}': the reference does not hold each of its {} x {} entries once",
                s.name, s.m, s.n
            ));
        }
        use crate::measure::Method;
        // how a method's rows cover the Jacobian: once per entry over every input (reverse
        // mode, symbolic), once per entry over the sampled inputs (forward mode,
        // complex-step, Richardson, the textbook steps `@auto`), or once per step of the
        // sweep over the sampled inputs (the FD sweeps); None for a name of no method
        let cover = |m: &str| -> Option<Cover> {
            if let Some(kind) = m.strip_suffix("@auto") {
                return kind
                    .parse::<Method>()
                    .is_ok_and(|k| k.fd_kind().is_some())
                    .then_some(Cover::Sampled);
            }
            match m.parse::<Method>().ok()? {
                Method::Reverse
                | Method::ReverseStatement
                | Method::ReverseTensor
                | Method::Symbolic => Some(Cover::All),
                k if k.fd_kind().is_some() => Some(Cover::Sweep),
                _ => Some(Cover::Sampled),
            }
        };
        let methods: BTreeSet<&str> = s.accuracy.iter().map(|a| a.method.as_str()).collect();
        for m in methods {
            let Some(cover) = cover(m) else {
                continue;
            };
            let rows = s
                .accuracy
                .iter()
                .filter(|a| a.method == m)
                .map(|a| (a.output, a.input));
            let (n, over) = match cover {
                Cover::All => (s.n, format!("all {} inputs", s.n)),
                _ => (
                    sampled.len(),
                    format!("the {} sampled inputs", sampled.len()),
                ),
            };
            let covered = match cover {
                Cover::All => entries(&mut rows.clone(), None) == Some(whole),
                Cover::Sampled => {
                    entries(&mut rows.clone(), Some(&sampled)) == Some(s.m * sampled.len())
                }
                Cover::Sweep => {
                    // as many rows for each entry as the sweep has steps
                    let mut steps: BTreeMap<(usize, usize), usize> = BTreeMap::new();
                    let mut inside = true;
                    for (o, i) in rows.clone() {
                        inside &= o < s.m && sampled.contains(&i);
                        *steps.entry((o, i)).or_insert(0) += 1;
                    }
                    let counts: BTreeSet<usize> = steps.values().copied().collect();
                    inside && steps.len() == s.m * sampled.len() && counts.len() == 1
                }
            };
            if !covered {
                let once = if cover == Cover::Sweep {
                    "at each step of its sweep"
                } else {
                    "once"
                };
                return Err(format!(
                    "scenario '{}': method {m} does not hold each of its {} x {n} entries {once}, over {over}",
                    s.name, s.m,
                ));
            }
        }
    }
    Ok(())
}

/// How the rows of a method cover the Jacobian, for [`complete`].
#[derive(Clone, Copy, PartialEq)]
enum Cover {
    /// each entry once, over every input
    All,
    /// each entry once, over the sampled inputs
    Sampled,
    /// each entry once per step of the sweep, over the sampled inputs
    Sweep,
}

/// Writes the baseline through a temporary file in the same folder, so that an
/// interrupted update leaves the old file whole; a failed one leaves no temporary file.
/// A baseline that is a symbolic link is written where the link points, and the old
/// file's permissions are kept.
pub fn write_baseline(path: &Path, b: &Baseline) -> Result<(), CheckError> {
    let err = |source| CheckError::Write {
        path: path.to_path_buf(),
        source,
    };
    // a baseline that is a link is rewritten where it points, and the link kept
    let target = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(path).map_err(err)?,
        _ => path.to_path_buf(),
    };
    let path = target.as_path();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    // a name of this process's own, so that two updates at once do not share it
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".partial.{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    // flushed before the rename and the folder after it: a crash leaves the old
    // baseline or the new one, never an empty file; the old file's permissions are kept
    let placed = (|| {
        std::fs::write(&tmp, b.render())?;
        if let Ok(m) = std::fs::metadata(path) {
            std::fs::set_permissions(&tmp, m.permissions())?;
        }
        flush_file(&tmp)?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = placed {
        // nothing half-written is left beside the baseline
        let _ = std::fs::remove_file(&tmp);
        return Err(err(e));
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    flush_folder(dir).map_err(err)
}

/// The comments of a TOML text (`# ...`, as TOML reads them: not a `#` inside a string),
/// each with its 1-based line.
fn comments(text: &str) -> Vec<(usize, &str)> {
    let source = toml_parser::Source::new(text);
    source
        .lex()
        .filter(|t| t.kind() == toml_parser::lexer::TokenKind::Comment)
        .filter_map(|t| {
            let (start, end) = (t.span().start(), t.span().end());
            let line = text.get(..start)?.matches('\n').count() + 1;
            Some((line, text.get(start..end)?.trim_end()))
        })
        .collect()
}

/// The comments of an old baseline that a rewritten one does not have (the update writes
/// its own header and no other comment): one note naming their number and the first.
fn dropped_comments(path: &Path, old: &str, new: &str) -> Option<String> {
    let kept: BTreeSet<&str> = comments(new).into_iter().map(|(_, c)| c).collect();
    let dropped: Vec<(usize, &str)> = comments(old)
        .into_iter()
        .filter(|(_, c)| !kept.contains(c))
        .collect();
    let &(line, first) = dropped.first()?;
    Some(format!(
        "note: {} of {} not kept: `--update` writes the baseline's own header and no other \
         comment (the first, line {line}: {first}); an exception's reason belongs in its \
         `reason`\n",
        plural(dropped.len(), "comment", "comments"),
        path.display()
    ))
}

/// What `derivbench check` prints and whether it failed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    /// for standard output: one line per violation, or per new or loosened entry
    pub stdout: String,
    /// for standard error: notes about what is not gated
    pub stderr: String,
    /// `Some(message)` when the command fails (exit code 1)
    pub failure: Option<String>,
}

/// `derivbench check [--baseline FILE] [--results DIR] [--update]`. Errors are bad input
/// (exit code 2); an outcome with a failure is a violated baseline (exit code 1).
pub fn command(
    baseline: &Path,
    results: &Path,
    update_baseline: bool,
) -> Result<Outcome, CheckError> {
    let r = load_results(results)?;
    let mut o = Outcome::default();
    if update_baseline {
        // the old baseline, and its text for the comments the rewrite drops
        let (old, old_text) = if baseline.exists() {
            let (b, text) = Baseline::load_with_text(baseline)?;
            (Some(b), Some(text))
        } else {
            (None, None)
        };
        if !r.settings.quick {
            o.stderr.push_str(
                "note: these results are not from `derivbench run --quick`; the CI baseline is made from --quick results\n",
            );
        }
        match update(old.as_ref(), &r) {
            Err(found) => {
                for v in &found {
                    let _ = writeln!(o.stdout, "{v}");
                }
                let hint = if found
                    .iter()
                    .any(|v| v.kind == Kind::Cost && !v.scenario.is_empty())
                {
                    " (a bound needs an exception with a reason, written by hand)"
                } else {
                    ""
                };
                o.failure = Some(format!(
                    "{} not written: the results break {} that no baseline loosens{hint}",
                    baseline.display(),
                    plural(found.len(), "rule", "rules"),
                ));
            }
            Ok(u) => {
                write_baseline(baseline, &u.baseline)?;
                if let Some(note) = old_text
                    .as_deref()
                    .and_then(|t| dropped_comments(baseline, t, &u.baseline.render()))
                {
                    o.stderr.push_str(&note);
                }
                for c in &u.changes {
                    let _ = writeln!(o.stdout, "{c}");
                }
                let count = |k: ChangeKind| u.changes.iter().filter(|c| c.kind == k).count();
                let _ = writeln!(
                    o.stdout,
                    "baseline written to {}: {} entries; {} new, {} loosened, {} tightened, {} removed",
                    baseline.display(),
                    u.entries,
                    count(ChangeKind::New),
                    count(ChangeKind::Loosened),
                    u.tightened,
                    count(ChangeKind::Removed),
                );
            }
        }
        return Ok(o);
    }
    let b = Baseline::load(baseline)?;
    let report = check(&b, &r);
    for n in &report.settings {
        let _ = writeln!(o.stderr, "note: {n}");
    }
    for n in &report.ungated {
        let _ = writeln!(o.stderr, "note: not gated: {n}");
    }
    for v in &report.violations {
        let _ = writeln!(o.stdout, "{v}");
    }
    if report.passed() {
        let mut aside = Vec::new();
        if !report.settings.is_empty() {
            aside.push("other cost weights".to_string());
        }
        if !report.ungated.is_empty() {
            aside.push(format!("{} not gated", report.ungated.len()));
        }
        let ungated = if aside.is_empty() {
            String::new()
        } else {
            format!(" ({}, see the notes)", aside.join("; "))
        };
        let _ = writeln!(
            o.stdout,
            "check: {} within {}{ungated}",
            plural(r.scenarios.len(), "scenario", "scenarios"),
            baseline.display()
        );
    } else {
        o.failure = Some(format!(
            "check failed: {} of {} by the results in {}",
            plural(report.violations.len(), "violation", "violations"),
            baseline.display(),
            results.display()
        ));
    }
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::atomic::tests::names;
    use crate::results::{AccuracyRow, CostRow, Failure, ReferenceRow, RunSettings};

    fn scratch(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("derivbench-check-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn empty_baseline() -> Baseline {
        Baseline {
            format: FORMAT,
            quick: true,
            weights: [1.0, 1.0, 1.0],
            policy: Policy::default(),
            scenarios: BTreeMap::new(),
        }
    }

    #[test]
    fn a_failed_baseline_write_leaves_no_temporary_file() {
        let d = scratch("failed-write");
        // a folder with something in it where the baseline goes: the rename fails
        let path = d.join("baseline.toml");
        std::fs::create_dir_all(path.join("inside")).unwrap();
        assert!(write_baseline(&path, &empty_baseline()).is_err());
        assert_eq!(names(&d), vec!["baseline.toml"]);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_baseline_behind_a_link_is_written_where_it_points_with_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let d = scratch("linked");
        let real = d.join("real.toml");
        std::fs::write(&real, "old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = d.join("baseline.toml");
        std::os::unix::fs::symlink("real.toml", &link).unwrap();
        let b = empty_baseline();
        write_baseline(&link, &b).unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), b.render());
        let mode = std::fs::metadata(&real).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        assert_eq!(names(&d), vec!["baseline.toml", "real.toml"]);
        std::fs::remove_dir_all(&d).unwrap();
    }

    /// The violations of `r` against `b`, as `check` prints them.
    fn violation_lines(b: &Baseline, r: &RunResults) -> Vec<String> {
        check(b, r)
            .violations
            .iter()
            .map(|v| v.to_string())
            .collect()
    }

    fn acc(method: &str, h: Option<f64>, i: usize, j: usize, bits: Option<f64>) -> AccuracyRow {
        AccuracyRow {
            scenario: "s".into(),
            method: method.into(),
            h,
            output: i,
            input: j,
            value: bits.map(|_| 1.0),
            reference: 1.0,
            abs_err: None,
            rel_err: None,
            bits_err: bits,
            trunc_err: None,
            round_err: None,
        }
    }

    fn cost(mode: &str, ratio: f64) -> CostRow {
        let bound = mode_bound(mode);
        CostRow {
            scenario: "s".into(),
            mode: mode.into(),
            moves: 0,
            adds: 0,
            mults: 0,
            nlops: 0,
            time: ratio,
            ratio,
            bound,
            within: bound.map(|b| ratio <= b),
            tape_bytes: None,
            wall_ns: f64::NAN,
            wall_ratio: f64::NAN,
            wall_ratio_q1: f64::NAN,
            wall_ratio_q3: f64::NAN,
            wall_pairs: None,
        }
    }

    fn results() -> RunResults {
        let reference = ReferenceRow {
            scenario: "s".into(),
            output: 0,
            input: 0,
            reference: 1.0,
            precision_bits: 256,
            agreed_bits: 200,
            digits: "1".into(),
            settled: true,
        };
        RunResults {
            version: "0".into(),
            settings: RunSettings {
                methods: vec![],
                quick: true,
                weights: [1.0, 1.0, 1.0],
                agree_bits: 60,
                max_precision: 4096,
                wall_ms: None,
            },
            scenarios: vec![ScenarioResult {
                name: "s".into(),
                family: "f".into(),
                description: String::new(),
                n: 2,
                m: 1,
                sampled: vec![0, 1],
                accuracy: vec![
                    // sweep: entry (0,0) best 3, entry (0,1) best 5 -> worst 5
                    acc("fd-central", Some(1e-1), 0, 0, Some(20.0)),
                    acc("fd-central", Some(1e-1), 0, 1, Some(5.0)),
                    acc("fd-central", Some(1e-5), 0, 0, Some(3.0)),
                    acc("fd-central", Some(1e-5), 0, 1, Some(9.0)),
                    acc("fd-central", Some(0.0), 0, 1, None),
                    acc("fd-central@auto", Some(1e-5), 0, 0, Some(4.0)),
                    acc("fd-central@auto", Some(0.0), 0, 1, None),
                    acc("reverse", None, 0, 0, Some(0.0)),
                    acc("reverse", None, 0, 1, Some(1.0)),
                ],
                reference: vec![reference],
                fd_theory: vec![],
                cost: vec![
                    cost("function", 1.0),
                    cost("tangent", 2.25),
                    cost("gradient", 3.5),
                    cost("jacobian-forward", 4.5),
                ],
                notes: vec![],
                recurrent: vec![],
                swell: None,
                value_bits: vec![],
                tensor_wall: None,
            }],
            failures: vec![],
            symbolic_growth: None,
        }
    }

    #[test]
    fn figures_take_the_best_step_then_the_worst_entry() {
        let f = figures(&results().scenarios[0]);
        assert_eq!(f.accuracy["fd-central"].worst_bits, 5.0);
        assert_eq!(f.accuracy["fd-central"].entries, 2);
        // an entry whose only step vanished counts as no figure at all
        assert_eq!(f.accuracy["fd-central@auto"].worst_bits, NO_FIGURE_BITS);
        assert_eq!(f.accuracy["reverse"].worst_bits, 1.0);
        assert_eq!(f.unsettled, 0);
    }

    #[test]
    fn update_then_check_passes_and_roundtrips() {
        let r = results();
        let u = update(None, &r).unwrap();
        assert!(u.changes.iter().all(|c| c.kind == ChangeKind::New));
        assert_eq!(u.tightened, 0);
        let b = &u.baseline;
        let s = &b.scenarios["s"];
        assert_eq!(s.accuracy["reverse"].allowed, 3.0);
        assert_eq!(s.accuracy["fd-central"].allowed, 7.0);
        assert_eq!(s.accuracy["fd-central@auto"].allowed, 64.0);
        assert_eq!(s.cost["gradient"].allowed, 4.0);
        assert_eq!(s.cost["jacobian-forward"].allowed, 4.5);
        let text = b.render();
        assert!(text.contains("\"fd-central@auto\" = { measured = 64.0, allowed = 64.0 }"));
        let back = Baseline::parse(&text).unwrap();
        assert_eq!(&back, b);
        assert!(check(&back, &r).passed());
        // a second update changes nothing
        let again = update(Some(&back), &r).unwrap();
        assert!(again.changes.is_empty());
        assert_eq!(again.baseline, back);
    }

    #[test]
    fn a_new_scenario_with_nonfinite_reference_values_is_new_not_loosened() {
        let mut r = results();
        r.scenarios[0].reference[0].reference = f64::INFINITY;
        let u = update(None, &r).unwrap();
        assert_eq!(u.baseline.scenarios["s"].nonfinite_reference, 1);
        let lines: Vec<String> = u.changes.iter().map(|c| c.to_string()).collect();
        assert!(
            u.changes.iter().all(|c| c.kind == ChangeKind::New),
            "{lines:?}"
        );
        assert!(lines.contains(&"new: nonfinite: s reference: allowed 1".to_string()));
        // in a scenario the old baseline has, more non-finite values loosen it
        let mut old = u.baseline.clone();
        old.scenarios.get_mut("s").unwrap().nonfinite_reference = 0;
        let again = update(Some(&old), &r).unwrap();
        assert_eq!(
            again
                .changes
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>(),
            ["loosened: nonfinite: s reference: allowed 0 -> 1"]
        );
    }

    #[test]
    fn worse_figures_are_violations_with_readable_lines() {
        let r = results();
        let b = update(None, &r).unwrap().baseline;
        let mut worse = r.clone();
        let s = &mut worse.scenarios[0];
        s.accuracy[8].bits_err = Some(3.04);
        s.cost[2] = cost("gradient", 5.0);
        s.cost[3] = cost("jacobian-forward", 4.5001);
        s.reference[0].settled = false;
        let lines = violation_lines(&b, &worse);
        assert_eq!(
            lines,
            [
                "reference: s: 1 entry unsettled",
                "accuracy: s reverse: worst bits of error 3.04 > allowed 3.0",
                "cost: s gradient: ratio 5.000 > bound 4 (no exception in the baseline)",
                "cost: s jacobian-forward: ratio 4.5001 > allowed 4.5",
            ]
        );
    }

    #[test]
    fn the_bound_is_the_cost_models_not_the_files() {
        let r = results();
        let b = update(None, &r).unwrap().baseline;
        let mut edited = r.clone();
        let s = &mut edited.scenarios[0];
        // a gradient above 4, with the bound in the file raised to pass it
        s.cost[2] = CostRow {
            bound: Some(100.0),
            within: Some(true),
            ..cost("gradient", 5.0)
        };
        assert_eq!(
            violation_lines(&b, &edited),
            ["cost: s gradient: ratio 5.000 > bound 4 (no exception in the baseline)"]
        );
        // and a bound given to a mode that has none is not one
        let s = &mut edited.scenarios[0];
        s.cost[2] = cost("gradient", 3.5);
        s.cost[3] = CostRow {
            bound: Some(1.0),
            within: Some(false),
            ..cost("jacobian-forward", 4.5)
        };
        assert!(violation_lines(&b, &edited).is_empty());
    }

    #[test]
    fn exceptions_need_reasons_and_are_kept() {
        let r = results();
        let mut b = update(None, &r).unwrap().baseline;
        let g = b
            .scenarios
            .get_mut("s")
            .unwrap()
            .cost
            .get_mut("gradient")
            .unwrap();
        g.allowed = 4.5;
        let text = b.render();
        let err = Baseline::parse(&text).unwrap_err();
        assert!(err.contains("an exception needs"), "{err}");
        let g = b
            .scenarios
            .get_mut("s")
            .unwrap()
            .cost
            .get_mut("gradient")
            .unwrap();
        g.reason = Some("taped \"pow\" stores\\recomputes".into());
        let b = Baseline::parse(&b.render()).unwrap();
        let mut worse = r.clone();
        worse.scenarios[0].cost[2] = cost("gradient", 4.4);
        assert!(check(&b, &worse).passed());
        worse.scenarios[0].cost[2] = cost("gradient", 4.6);
        let lines = violation_lines(&b, &worse);
        assert_eq!(
            lines,
            ["cost: s gradient: ratio 4.600 > allowed 4.5 (exception: taped \"pow\" stores\\recomputes)"]
        );
        // update keeps the reason and loosens the exception's allowed ratio
        let u = update(Some(&b), &worse).unwrap();
        let g = &u.baseline.scenarios["s"].cost["gradient"];
        assert_eq!(g.reason, b.scenarios["s"].cost["gradient"].reason);
        assert_eq!(g.allowed, 4.6);
        assert_eq!(
            u.changes.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
            ["loosened: cost: s gradient: allowed 4.5 -> 4.6 (measured 4.6) [exception: taped \"pow\" stores\\recomputes]"]
        );
        // a lower ratio, within the exception or even within the bound, does not lower
        // the exception's allowed ratio
        for lower in [4.55, 3.5] {
            let mut better = worse.clone();
            better.scenarios[0].cost[2] = cost("gradient", lower);
            let again = update(Some(&u.baseline), &better).unwrap();
            let g = &again.baseline.scenarios["s"].cost["gradient"];
            assert_eq!(g.allowed, 4.6, "ratio {lower}");
            assert_eq!(g.measured, Some(lower));
            assert_eq!(g.reason, b.scenarios["s"].cost["gradient"].reason);
            assert!(again.changes.is_empty(), "{:?}", again.changes);
            assert_eq!(again.tightened, 0);
            assert!(check(&again.baseline, &better).passed());
        }
    }

    #[test]
    fn update_refuses_what_no_baseline_allows() {
        let mut r = results();
        r.scenarios[0].cost[1] = cost("tangent", 3.0);
        let found = update(None, &r).unwrap_err();
        assert_eq!(
            found.iter().map(|v| v.to_string()).collect::<Vec<_>>(),
            ["cost: s tangent: ratio 3.000 > bound 2.5 (no exception in the baseline)"]
        );
        // nor a baseline at weights where the bounds are not proven
        let mut r = results();
        r.settings.weights = [1.0, 1.0, 0.0];
        let found = update(None, &r).unwrap_err();
        assert_eq!(found.len(), 1);
        assert!(
            found[0].to_string().contains(
                "weights (mu, pi, nu) = (1, 1, 0) are outside the region where the cost model \
                 proves its bounds"
            ),
            "{}",
            found[0]
        );
    }

    /// A ratio that rounded to its bound, above it in the run's exact decision, fails
    /// with a line that does not claim the rounded figure is above the bound.
    #[test]
    fn a_ratio_rounded_to_its_bound_is_said_to_be_above_it_exactly() {
        let r = results();
        let b = update(None, &r).unwrap().baseline;
        let mut at = r.clone();
        let g = &mut at.scenarios[0].cost[2];
        assert_eq!(g.mode, "gradient");
        g.ratio = 4.0;
        g.within = Some(false);
        assert_eq!(
            violation_lines(&b, &at),
            [
                "cost: s gradient: ratio 4.0 rounded, exactly (from the op counts) > bound 4 \
              (no exception in the baseline)"
            ]
        );
        // one above the bound shows the figure
        at.scenarios[0].cost[2] = cost("gradient", 4.0f64.next_up());
        assert_eq!(
            violation_lines(&b, &at),
            ["cost: s gradient: ratio 4.000000000000001 > bound 4 (no exception in the baseline)"]
        );
    }

    #[test]
    fn missing_entries_and_settings_are_reported() {
        let r = results();
        let mut b = update(None, &r).unwrap().baseline;
        b.scenarios
            .insert("gone".into(), ScenarioBaseline::default());
        let mut fewer = r.clone();
        fewer.scenarios[0]
            .accuracy
            .retain(|a| a.method != "reverse");
        fewer.scenarios[0]
            .cost
            .retain(|c| c.mode != "jacobian-forward");
        fewer.settings.weights = [2.0, 1.0, 1.0];
        let lines = violation_lines(&b, &fewer);
        assert_eq!(
            lines,
            [
                "missing: gone: scenario in the baseline, not in the results",
                "missing: s jacobian-forward: cost mode in the baseline, not in the results",
                "missing: s reverse: method in the baseline, not in the results",
            ]
        );
        assert_eq!(
            check(&b, &fewer).settings,
            [
                "settings: cost weights (mu, pi, nu) = (2, 1, 1) differ from the baseline's \
              (1, 1, 1); ratios are checked against their bounds only, not against the baseline's allowed ratios"
            ]
        );
        // beside a file that did not load, which is named once, the missing scenario
        // points at it
        let mut broken = r.clone();
        broken.failures.push(Failure {
            what: "scenarios/gone.toml".into(),
            error: "scenarios/gone.toml:1:1: expected a key".into(),
            internal: false,
        });
        let lines = violation_lines(&b, &broken);
        assert_eq!(
            lines,
            [
                "run: scenarios/gone.toml:1:1: expected a key",
                "missing: gone: scenario in the baseline, not in the results (perhaps in one \
                 of the 1 scenario file(s) that did not load, listed above)"
            ],
        );
    }

    #[test]
    fn other_weights_are_a_note_and_leave_unbounded_ratios_uncompared() {
        let r = results();
        let b = update(None, &r).unwrap().baseline;
        let mut other = r.clone();
        other.settings.weights = [3.0, 1.0, 1.0];
        // at other weights every ratio moves; the unbounded one is not compared
        other.scenarios[0].cost[3] = cost("jacobian-forward", 9.0);
        let report = check(&b, &other);
        assert!(report.passed(), "{:?}", report.violations);
        assert_eq!(report.settings.len(), 1);
        assert!(report.settings[0].starts_with("settings: cost weights (mu, pi, nu) = (3, 1, 1)"));
        // the bounds still hold at weights where the cost model proves them
        other.scenarios[0].cost[2] = cost("gradient", 4.5);
        let lines = violation_lines(&b, &other);
        assert_eq!(
            lines,
            ["cost: s gradient: ratio 4.500 > bound 4 (no exception in the baseline)"]
        );
        // pi above mu: not proven, not gated, and a second note says so
        other.settings.weights = [1.0, 3.0, 1.0];
        let report = check(&b, &other);
        assert!(report.passed(), "{:?}", report.violations);
        assert_eq!(report.settings.len(), 2);
        assert!(report.settings[1].contains("the bounded ratios are not checked"));
    }

    #[test]
    fn rule_errors_name_the_line_and_column_of_the_value() {
        let err = |text: &str| Baseline::parse(text).unwrap_err();
        let head = "format = 1\nweights = [1.0, 1.0, 1.0]\n";
        assert_eq!(
            err("quick = true\n  format = 2\nweights = [1.0, 1.0, 1.0]\n"),
            "line 2, column 12: format 2 is not supported (this derivbench reads format 1)"
        );
        assert!(err("format = 1\nweights = [1.0, -1.0, 1.0]\n")
            .starts_with("line 2, column 11: weights"),);
        assert!(err(&format!(
            "{head}[policy]\nad_margin_bits = -1.0\nfd_margin_bits = 2.0\nratio_margin = 0.0\n"
        ))
        .starts_with("line 4, column 18: policy.ad_margin_bits"));
        assert!(err(&format!(
            "{head}\n[scenarios.s.accuracy]\nreverse = {{ allowed = -1.0 }}\n"
        ))
        .starts_with("line 5, column 23: scenarios.s.accuracy.reverse: allowed"));
        assert!(err(&format!(
            "{head}\n[scenarios.s.cost]\n\"tangent\" = {{ allowed = 2.6 }}\n"
        ))
        .starts_with(
            "line 5, column 25: scenarios.s.cost.tangent: allowed 2.6 is above the bound 2.5"
        ));
        assert!(err(&format!(
            "{head}scenarios.s.cost.gradient = {{ allowed = 5.0, reason = \" \" }}\n"
        ))
        .starts_with("line 3, column 55: scenarios.s.cost.gradient: an exception needs a reason"));
    }

    #[test]
    fn rounding_helpers() {
        assert_eq!(allowed_bits(&Policy::default(), "reverse", 0.0), 2.0);
        assert_eq!(
            allowed_bits(&Policy::default(), "reverse", 1.584962500721156),
            3.6
        );
        assert_eq!(allowed_bits(&Policy::default(), "fd-forward", 63.5), 64.0);
        // never below measured + margin where (measured + margin) * 10 rounds down to a
        // whole number in f64: 1.7000000000000002 * 10 = 17 and 3.3000000000000003 * 10
        // = 33, whose tenths are below the figure
        let no_margin = Policy {
            ad_margin_bits: 0.0,
            fd_margin_bits: 0.0,
            ratio_margin: 0.0,
        };
        assert_eq!(allowed_bits(&no_margin, "reverse", 1.7000000000000002), 1.8);
        assert_eq!(
            allowed_bits(&Policy::default(), "reverse", 1.3000000000000003),
            3.4
        );
        assert_eq!(
            allowed_ratio(&Policy::default(), 2142.9387755102043),
            2142.9388
        );
        assert_eq!(allowed_ratio(&Policy::default(), 37.5), 37.5);
        assert_eq!(above(2.001, 2.0, 1), "2.001");
        assert_eq!(above(12.34, 2.0, 1), "12.3");
        assert_eq!(toml_key("fd-forward@auto"), "\"fd-forward@auto\"");
        assert_eq!(toml_key("reverse"), "reverse");
    }
}
