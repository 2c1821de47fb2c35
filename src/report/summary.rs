//! `summary.md`: the tables a person reads first.

use crate::check::NO_FIGURE_BITS;
use crate::measure::cost::Weights;
use crate::num::Work;
use crate::results::{AccuracyRow, CostRow, FdTheory, RunResults, ScenarioResult};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Text from a scenario file (a description, a message quoting one) as plain Markdown:
/// the characters that would start a heading, a table cell, emphasis, code, a link,
/// HTML (`<!--` would hide the rest of the file) or an entity or character reference
/// (`&lt;` would read as `<`) are escaped with a backslash, and line breaks become
/// spaces. For text that starts a line, see [`line_text`].
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// [`text`] for text that starts a line (a scenario's description, the item of a
/// list), where CommonMark also reads blocks: leading blanks are dropped (four would
/// start a code block) and a leading list marker followed by a blank or the end is
/// escaped (`- x`, `+ x`, `1. x` and `1) x` would start a list; what follows the text
/// on its line comes after a space).
pub fn line_text(s: &str) -> String {
    let s = s.trim_start_matches([' ', '\t', '\n', '\r']);
    let out = text(s);
    // an ordered list's number has at most 9 digits
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let marker = if s.starts_with(['-', '+']) {
        Some(0)
    } else if (1..=9).contains(&digits) && s[digits..].starts_with(['.', ')']) {
        Some(digits)
    } else {
        None
    };
    match marker {
        Some(at) if s[at + 1..].is_empty() || s[at + 1..].starts_with([' ', '\t', '\n', '\r']) => {
            // `text` leaves digits, `-`, `+`, `.` and `)` as they are: the marker is at
            // the same place in `out`
            format!("{}\\{}", &out[..at], &out[at..])
        }
        _ => out,
    }
}

/// Per method, the bits of error of each entry: for sweep methods the best over the
/// steps, for every other method (and `@auto`) the single value. An entry without any
/// figure (every step vanished in f64) or with NaN bits counts
/// [`NO_FIGURE_BITS`], as in the gate; a method without
/// rows has no list.
pub fn best_bits_per_entry(rows: &[AccuracyRow]) -> BTreeMap<String, Vec<f64>> {
    let mut out: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for ((m, _, _), b) in best_bits_by_entry(rows) {
        out.entry(m.to_string()).or_default().push(b);
    }
    out
}

/// [`best_bits_per_entry`] keyed by (method, output, input).
pub fn best_bits_by_entry(rows: &[AccuracyRow]) -> BTreeMap<(&str, usize, usize), f64> {
    let mut best: BTreeMap<(&str, usize, usize), Option<f64>> = BTreeMap::new();
    for r in rows {
        let e = best
            .entry((r.method.as_str(), r.output, r.input))
            .or_insert(None);
        if let Some(b) = r.bits_err {
            let b = if b.is_nan() { NO_FIGURE_BITS } else { b };
            *e = Some(e.map_or(b, |x: f64| x.min(b)));
        }
    }
    best.into_iter()
        .map(|(k, b)| (k, b.unwrap_or(NO_FIGURE_BITS)))
        .collect()
}

/// The sentence that introduces [`entries_compared`].
pub const ENTRIES_COMPARED: &str = "Entries compared: bits of error count the ulps of each \
    entry, so the overview compares like with like only on the same entries.";

/// Where the overview's columns cover different entries: on a scenario whose FD,
/// complex-step and forward methods evaluated a sample of the inputs while others
/// (reverse mode) delivered every input, the worst of those others on the sampled inputs
/// alone, which is the like-for-like comparison, and where their worst over every input
/// lies, with its size against the largest entry (bits of error count the ulps of each
/// entry, so a small entry's absolute error far below the largest entry's ulp can be
/// many bits). One sentence per such scenario.
pub fn entries_compared(r: &RunResults) -> Vec<String> {
    let mut out = Vec::new();
    for s in &r.scenarios {
        if s.sampled.len() >= s.n {
            continue;
        }
        let best = best_bits_by_entry(&s.accuracy);
        let sampled: std::collections::BTreeSet<usize> = s.sampled.iter().copied().collect();
        let mut wide: Vec<&str> = Vec::new();
        for &(m, _, j) in best.keys() {
            if !sampled.contains(&j) && !wide.contains(&m) {
                wide.push(m);
            }
        }
        if wide.is_empty() {
            continue;
        }
        wide.sort_by_key(|m| method_order(s).iter().position(|o| o == m));
        let worst = |m: &str, on_sample: bool| {
            best.iter()
                .filter(|((bm, _, j), _)| *bm == m && (!on_sample || sampled.contains(j)))
                .map(|((_, i, j), &b)| (b, *i, *j))
                .max_by(|a, b| a.0.total_cmp(&b.0))
        };
        let on_sample: Vec<String> = wide
            .iter()
            .filter_map(|&m| worst(m, true).map(|(b, _, _)| format!("{m} {b:.1}")))
            .collect();
        let reference = |i: usize, j: usize| {
            s.reference
                .iter()
                .find(|x| x.output == i && x.input == j)
                .map(|x| x.reference)
        };
        let entry = |i: usize, j: usize| {
            if s.m > 1 {
                format!("entry (output {i}, input {j})")
            } else {
                format!("input {j}")
            }
        };
        let largest = s
            .reference
            .iter()
            .filter(|x| x.reference.is_finite())
            .map(|x| x.reference.abs())
            .fold(0.0_f64, f64::max);
        // the ulp of the largest entry (f64 spacing at its binade)
        let ulp = (largest > 0.0 && largest.is_normal())
            .then(|| 2f64.powi(largest.log2().floor() as i32 - 52));
        let worse = |m: &str| {
            let w = worst(m, false);
            w.is_some_and(|(b, _, _)| b > worst(m, true).map_or(f64::NEG_INFINITY, |w| w.0))
        };
        let no_worse: Vec<&str> = wide.iter().copied().filter(|m| !worse(m)).collect();
        // only where the worst over every input is worse than on the sample
        let beyond: Vec<String> = wide
            .iter()
            .filter_map(|&m| {
                let (b, i, j) = worst(m, false)?;
                if !worse(m) {
                    return None;
                }
                let abs = s
                    .accuracy
                    .iter()
                    .filter(|x| x.method == m && x.output == i && x.input == j)
                    .find_map(|x| x.abs_err);
                let size = reference(i, j).map_or(String::new(), |v| {
                    let abs = abs.map_or(String::new(), |a| {
                        let of_largest = ulp.map_or(String::new(), |u| {
                            format!(", {:.2} ulps of the largest |derivative|", a / u)
                        });
                        format!(", absolute error {}{of_largest}", e(Some(a)))
                    });
                    format!(" (derivative {}{abs})", e(Some(v)))
                });
                Some(format!("{m} {b:.1} at {}{size}", entry(i, j)))
            })
            .collect();
        let overall = if beyond.is_empty() {
            "; no worse over every input".to_string()
        } else {
            let same = if no_worse.is_empty() {
                String::new()
            } else {
                format!("; {} no worse", join_and(&no_worse))
            };
            format!(
                ". Over every input: {}{same}; the largest |derivative| is {}",
                join_and(&beyond),
                e(Some(largest))
            )
        };
        out.push(format!(
            "{}: FD, complex-step and forward methods evaluated {} of the {} inputs, {} every \
             input. Worst bits on the same {} inputs: {}{overall}.",
            s.name,
            s.sampled.len(),
            s.n,
            join_and(&wide),
            s.sampled.len(),
            join_and(&on_sample),
        ));
    }
    out
}

/// The best single step of an FD sweep method on a scenario: the step of the sweep whose
/// worst entry is least bad (ties: the smaller median), the figure to expect when one
/// step serves every entry, where the method's line in the scenario's table takes each
/// entry at its own best step, which only the reference can pick.
#[derive(Clone, Debug, PartialEq)]
pub struct CommonStep {
    /// the FD method
    pub method: String,
    /// the step as used on the first entry where it did not vanish
    pub h: f64,
    /// the worst bits of error over the entries at that step
    pub worst: f64,
    /// the median bits of error over the entries at that step
    pub median: f64,
    /// the worst over the entries, each at its own best step
    pub each_best: f64,
    /// where the step is an end of the sweep, its worst entry is not exact and some
    /// step gave a finite error on some entry: the error may keep falling beyond it
    pub end: Option<SweepEnd>,
}

/// [`CommonStep`] per FD sweep method of the scenario, in report order. The rows of a
/// sweep method come step by step in sweep order, so the k-th row of an entry is its
/// k-th step; an entry without a figure at a step counts [`NO_FIGURE_BITS`]. Where no
/// step gives a finite error on any entry (NaN or infinite quotients or references
/// throughout), every step is as bad as every other: the first is given, and not as an
/// end of the sweep.
pub fn common_steps(s: &ScenarioResult) -> Vec<CommonStep> {
    let mut out = Vec::new();
    let each = best_bits_per_entry(&s.accuracy);
    for m in method_order(s) {
        let sweep: Vec<&AccuracyRow> = s
            .accuracy
            .iter()
            .filter(|r| r.method == m && r.h.is_some())
            .collect();
        // a sweep has several steps per entry (Ridders' extrapolation and the complex
        // step report one step each)
        let first = sweep.first().map(|r| (r.output, r.input));
        let per_entry = sweep
            .iter()
            .filter(|r| Some((r.output, r.input)) == first)
            .count();
        if per_entry < 2 || m.contains('@') {
            continue;
        }
        // bits[k][entry], and the step as used, per step of the sweep
        let mut seen: BTreeMap<(usize, usize), usize> = BTreeMap::new();
        let mut bits: Vec<Vec<f64>> = Vec::new();
        let mut steps: Vec<Option<f64>> = Vec::new();
        // a finite error at some step on some entry: without one, no step is best
        let mut any_figure = false;
        for r in sweep {
            any_figure |= r.abs_err.is_some_and(f64::is_finite);
            let k = seen.entry((r.output, r.input)).or_insert(0);
            if bits.len() <= *k {
                bits.push(Vec::new());
                steps.push(None);
            }
            let b = match r.bits_err {
                Some(b) if !b.is_nan() => b,
                _ => NO_FIGURE_BITS,
            };
            bits[*k].push(b);
            if steps[*k].is_none() && r.h.is_some_and(|h| h != 0.0) {
                steps[*k] = r.h;
            }
            *k += 1;
        }
        let best = bits
            .iter()
            .zip(&steps)
            .enumerate()
            .filter_map(|(k, (b, h))| h.map(|h| (k, h, worst_and_median(b))))
            .min_by(|a, b| {
                (a.2 .0)
                    .total_cmp(&b.2 .0)
                    .then((a.2 .1).total_cmp(&b.2 .1))
            });
        if let (Some((k, h, (worst, median))), Some(e)) = (best, each.get(&m)) {
            let end = if worst == 0.0 || bits.len() < 2 || !any_figure {
                None
            } else if k == 0 {
                Some(SweepEnd::Largest)
            } else if k + 1 == bits.len() {
                Some(SweepEnd::Smallest)
            } else {
                None
            };
            out.push(CommonStep {
                method: m.clone(),
                h,
                worst,
                median,
                each_best: worst_and_median(e).0,
                end,
            });
        }
    }
    out
}

/// The sentence on [`common_steps`] under a scenario's method table, if it has FD sweep
/// methods.
pub fn common_step_sentence(s: &ScenarioResult) -> Option<String> {
    let c = common_steps(s);
    if c.is_empty() {
        return None;
    }
    let parts: Vec<String> = c
        .iter()
        .map(|c| {
            format!(
                "{} at h = {}{}: worst {:.1} bits, median {:.1} (each entry at its own best step: worst {:.1})",
                c.method,
                e(Some(c.h)),
                c.end.map_or("", |e| match e {
                    SweepEnd::Largest => " (the largest step of the sweep: the error may keep falling beyond it)",
                    SweepEnd::Smallest => " (the smallest step of the sweep: the error may keep falling beyond it)",
                }),
                c.worst,
                c.median,
                c.each_best
            )
        })
        .collect();
    Some(format!(
        "One step for every entry, the step of the sweep whose worst entry is least bad: {}.",
        parts.join("; ")
    ))
}

/// What a finite-difference gradient or Jacobian costs in evaluations of f, set against
/// the AD rows of the scenario's cost table by op count: n + 1 evaluations for forward or
/// backward differences, 2n for central ones, up to 2 per level of Ridders'
/// extrapolation ([`crate::measure::accuracy::RICHARDSON_LEVELS`] levels per input), and
/// n in complex arithmetic for the complex step. None without a cost table.
pub fn fd_cost_sentence(s: &ScenarioResult) -> Option<String> {
    let ratio = |m: &str| s.cost.iter().find(|c| c.mode == m).map(|c| c.ratio);
    let ad = if s.m == 1 {
        format!(
            "reverse mode's gradient costs {:.2} times f",
            ratio("gradient")?
        )
    } else {
        let (f, b) = (ratio("jacobian-forward")?, ratio("jacobian-reverse")?);
        format!(
            "the whole Jacobian costs {f:.2} times f by forward mode and {b:.2} by reverse mode"
        )
    };
    let n = s.n;
    let levels = crate::measure::accuracy::RICHARDSON_LEVELS;
    Some(format!(
        "Finite differences take n + 1 = {} evaluations of f for the {} with forward or \
         backward differences, 2n = {} with central ones and up to {} with Ridders' \
         extrapolation (two per level and input, up to {levels} levels); the complex step takes n = {n} in \
         complex arithmetic. By op count, {ad}.",
        n + 1,
        if s.m == 1 { "gradient" } else { "Jacobian" },
        2 * n,
        2 * levels * n,
    ))
}

/// The bits of error of the function's own f64 value at the point, which AD
/// differentiates with its roundings: a derivative of a function that loses bits to
/// cancellation loses bits too. None without the figure (results written before it).
pub fn value_sentence(s: &ScenarioResult) -> Option<String> {
    let v = &s.value_bits;
    if v.is_empty() {
        return None;
    }
    let (worst, median) = worst_and_median(v);
    Some(if v.len() == 1 {
        format!("f(x) itself, evaluated in f64: {worst:.1} bits of error against the reference.")
    } else {
        format!(
            "f(x) itself, evaluated in f64: worst {worst:.1} bits of error over its {} outputs, median {median:.1}.",
            v.len()
        )
    })
}

/// "a", "a and b", "a, b and c".
fn join_and<S: AsRef<str>>(v: &[S]) -> String {
    match v {
        [] => String::new(),
        [a] => a.as_ref().to_string(),
        [rest @ .., last] => format!(
            "{} and {}",
            rest.iter()
                .map(|x| x.as_ref())
                .collect::<Vec<_>>()
                .join(", "),
            last.as_ref()
        ),
    }
}

/// The worst and the median of a list (the mean of the two middle values when the
/// count is even).
pub fn worst_and_median(v: &[f64]) -> (f64, f64) {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let worst = s.last().copied().unwrap_or(f64::NAN);
    let k = s.len() / 2;
    let median = match s.len() {
        0 => f64::NAN,
        l if l % 2 == 1 => s[k],
        _ => (s[k - 1] + s[k]) / 2.0,
    };
    (worst, median)
}

fn e(v: Option<f64>) -> String {
    match v {
        Some(x) => format!("{x:.2e}"),
        None => "-".into(),
    }
}

/// The method order of the report, whatever the map order.
fn method_order(s: &ScenarioResult) -> Vec<String> {
    let mut seen = Vec::new();
    for r in &s.accuracy {
        if !seen.contains(&r.method) {
            seen.push(r.method.clone());
        }
    }
    seen
}

fn theory_table(out: &mut String, t: &[FdTheory], rows: &[AccuracyRow]) {
    if t.is_empty() {
        return;
    }
    let first = (t[0].output, t[0].input);
    let _ = writeln!(
        out,
        "\nFinite differences on entry (output {}, input {}): the classic error model next to the measurement.\n",
        first.0, first.1
    );
    let _ = writeln!(out, "| method | predicted best h | predicted error | with the rounding bound: best h | error | measured best h | measured error | textbook h | error at textbook h |");
    let _ = writeln!(
        out,
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    );
    for r in t.iter().filter(|r| (r.output, r.input) == first) {
        let cells = theory_cells(r, rows).map(|c| text(&c));
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    if let Some(r) = t.first() {
        let _ = writeln!(out, "\n{}", rounding_sentence(r));
    }
    if let Some(note) = sweep_end_note(t, rows) {
        let _ = writeln!(out, "\n{note}");
    }
}

/// The cells of one row of the FD model table, as plain text: the method, the model's
/// step and error, the same with the rounding bound, the measured best step (marked at
/// an end of the sweep) and its error, the textbook step and its error (each error with
/// its bits where the row is there). The summary and index.html set them alike.
pub fn theory_cells(r: &FdTheory, rows: &[AccuracyRow]) -> [String; 9] {
    [
        r.method.clone(),
        e(r.predicted_h),
        e(r.predicted_err),
        e(r.bound_h),
        e(r.bound_err),
        e(r.measured_h) + sweep_end(r, rows).map_or("", SweepEnd::mark),
        e(r.measured_err) + &bits_of(measured_row(r, rows)),
        e(r.auto_h),
        e(r.auto_err) + &bits_of(auto_row(r, rows)),
    ]
}

/// The accuracy row of the measured best step of `r` (its method, entry and step).
pub fn measured_row<'a>(r: &FdTheory, rows: &'a [AccuracyRow]) -> Option<&'a AccuracyRow> {
    let h = r.measured_h?;
    rows.iter().find(|a| {
        a.method == r.method && (a.output, a.input) == (r.output, r.input) && a.h == Some(h)
    })
}

/// The accuracy row of the textbook step of `r` (its method's `@auto` row on its entry).
pub fn auto_row<'a>(r: &FdTheory, rows: &'a [AccuracyRow]) -> Option<&'a AccuracyRow> {
    let auto = format!("{}@auto", r.method);
    rows.iter()
        .find(|a| a.method == auto && (a.output, a.input) == (r.output, r.input))
}

/// ` (39.4 bits)`: the bits of error of a row, after its error in the FD model table;
/// empty without a row or a figure.
pub fn bits_of(row: Option<&AccuracyRow>) -> String {
    row.and_then(|a| a.bits_err)
        .map_or(String::new(), |b| format!(" ({b:.1} bits)"))
}

/// Which end of its sweep a measured best step lies at.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SweepEnd {
    /// the largest step of the sweep
    Largest,
    /// the smallest step of the sweep
    Smallest,
}

impl SweepEnd {
    /// The mark after the step in the FD model table.
    pub fn mark(self) -> &'static str {
        match self {
            SweepEnd::Largest => " (largest step)",
            SweepEnd::Smallest => " (smallest step)",
        }
    }
}

/// Whether the measured best step of `r` is the largest or the smallest step of its
/// sweep on the same entry that gave a quotient (from the accuracy rows of its method),
/// where there are at least two and its error is not 0: the error may keep falling
/// beyond that end.
pub fn sweep_end(r: &FdTheory, rows: &[AccuracyRow]) -> Option<SweepEnd> {
    let best = r.measured_h?;
    // an exact quotient cannot improve beyond the end
    if r.measured_err == Some(0.0) {
        return None;
    }
    // the steps that gave a quotient: a step that vanished in f64 is not a candidate
    let steps = rows
        .iter()
        .filter(|a| a.method == r.method && (a.output, a.input) == (r.output, r.input))
        .filter(|a| a.value.is_some())
        .filter_map(|a| a.h);
    let (lo, hi) = steps.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), h| {
        (lo.min(h), hi.max(h))
    });
    // (min and max skip NaN: lo and hi are never NaN)
    if lo >= hi {
        return None;
    }
    if best == hi {
        Some(SweepEnd::Largest)
    } else if best == lo {
        Some(SweepEnd::Smallest)
    } else {
        None
    }
}

/// The sentences under the FD model table when a measured best step of its entry lies
/// at an end of the sweep, one per end: at the largest step only rounding is left to
/// fall as h grows (a difference with no truncation error); at the smallest, truncation
/// still outweighs rounding, and the error falls as h shrinks.
pub fn sweep_end_note(t: &[FdTheory], rows: &[AccuracyRow]) -> Option<String> {
    let first = t.first().map(|r| (r.output, r.input))?;
    let at = |end: SweepEnd| -> Vec<&str> {
        t.iter()
            .filter(|r| (r.output, r.input) == first)
            .filter(|r| sweep_end(r, rows) == Some(end))
            .map(|r| r.method.as_str())
            .collect()
    };
    let (largest, smallest) = (at(SweepEnd::Largest), at(SweepEnd::Smallest));
    let mut parts = Vec::new();
    if !largest.is_empty() {
        parts.push(format!(
            "The measured best step of {} is the largest step of the sweep, so the error may keep falling as h grows beyond it: where a difference has no truncation error (a forward difference of a function linear in the input, as a product is in each, or a central difference of a quadratic), only rounding is left, and it falls as h grows.",
            largest.join(", ")
        ));
    }
    if !smallest.is_empty() {
        parts.push(format!(
            "The measured best step of {} is the smallest step of the sweep, so the error may keep falling as h shrinks below it: there truncation, which shrinks with h, still outweighs rounding, which grows as 1/h (f's higher derivatives are large against f, as exp(100 x)'s are), until rounding takes over at a smaller step.",
            smallest.join(", ")
        ));
    }
    (!parts.is_empty()).then(|| parts.join(" ") + " Widen the scenario's fd.steps to see.")
}

/// A mode's wall ratio with the lower and upper quartile of its pairs' ratios, `1.79
/// (1.74 to 1.85)`: the median alone where the quartiles are not known (results saved
/// before they were measured) or print as one number, except for the function's own
/// row, the function timed against itself.
pub(crate) fn wall_text(c: &CostRow) -> String {
    let (median, q1, q3) = (c.wall_ratio, c.wall_ratio_q1, c.wall_ratio_q3);
    // the function against itself shows its quartiles even where they print alike: they
    // say that the 1 was measured, not set
    if c.mode == "function" && q1.is_finite() && q3.is_finite() {
        return format!("{median:.2} ({q1:.2} to {q3:.2})");
    }
    ratio_text(median, q1, q3)
}

/// A paired ratio with its quartiles, `1.79 (1.74 to 1.85)`, or the median alone where
/// the quartiles are not known or print as one number.
fn ratio_text(median: f64, q1: f64, q3: f64) -> String {
    let (a, b) = (format!("{q1:.2}"), format!("{q3:.2}"));
    if q1.is_finite() && q3.is_finite() && a != b {
        format!("{median:.2} ({a} to {b})")
    } else {
        format!("{median:.2}")
    }
}

/// The matrix-level tape's gradient against the function evaluated as matrix
/// operations (`gradient-tensor` over `function-tensor`), by op count and in wall time
/// (the two timed against each other); `None` without both rows. The rows' own ratios are to the
/// scalar `function`, which a network evaluates more slowly than its matrix form.
pub fn tensor_sentence(s: &ScenarioResult) -> Option<String> {
    let row = |m: &str| s.cost.iter().find(|c| c.mode == m);
    let (f, g) = (row("function-tensor")?, row("gradient-tensor")?);
    let ops = if f.time > 0.0 {
        g.time / f.time
    } else {
        f64::NAN
    };
    // the two timed against each other; results saved before that was measured have
    // only each row's ratio to the scalar function, timed apart
    let apart = g.wall_ratio / f.wall_ratio;
    let wall = if let Some(w) = &s.tensor_wall {
        format!(
            "{} times in wall time (the two timed against each other)",
            ratio_text(w.median, w.q1, w.q3)
        )
    } else if apart.is_finite() && apart > 0.0 {
        format!("{apart:.2} times in wall time (the quotient of their ratios to `function`, timed apart)")
    } else {
        "not timed".to_string()
    };
    Some(format!(
        "On the matrix-level tape, the gradient costs {ops:.3} times the function evaluated as matrix operations (`function-tensor`) by op count, {wall}. The wall ratios in the table are to the scalar `function`, not to its matrix form."
    ))
}

/// What the two models charge each evaluation of f for rounding: u|f| (the classic
/// model) and the first-order bound from the adjoints of f's elementals.
pub fn rounding_sentence(r: &FdTheory) -> String {
    let classic = crate::measure::accuracy::UNIT_ROUNDOFF * r.f_abs;
    let head = format!(
        "Rounding charged per evaluation of f: u|f| = {} (classic model); ",
        e(Some(classic))
    );
    match r.round_bound {
        None => head + "the first-order bound over f's elementals was not computed (the sweeps would exceed the budget, the bound is not finite, or the results predate it).",
        Some(b) => {
            let ratio = if classic > 0.0 {
                format!(", {} times as much", e(Some(b / classic)))
            } else {
                String::new()
            };
            format!(
                "{head}u sum_i c_i |df/dv_i| |v_i| = {} over f's elementals v_i, each off by at most c_i u |v_i| (the first-order bound, from one reverse sweep){ratio}.",
                e(Some(b))
            )
        }
    }
}

/// A bound with three decimals from 1 up, and with three significant digits below (the
/// lecture's bound at n = 3 is 1.34e-7, not 0.000).
fn bound(x: f64) -> String {
    if x.abs() >= 1.0 {
        format!("{x:.3}")
    } else {
        format!("{x:.2e}")
    }
}

/// The sum-of-squares case next to the measurement: forward differences at the textbook
/// step on x_1, with x_1, its derivative 2 x_1 (the reference) and the step actually
/// used read from the results. The lecture's analysis, its bound n^3/3 sqrt(eps) and the
/// step sqrt(eps) = 2^-26, holds at its point x_i = i only, where it is given in full;
/// at other values the paragraph gives the measurement alone.
pub fn lecture_sum_of_squares(s: &ScenarioResult) -> Option<String> {
    if s.family != "sum-of-squares" {
        return None;
    }
    let auto = s
        .accuracy
        .iter()
        .find(|r| r.method == "fd-forward@auto" && r.input == 0 && r.output == 0)?;
    // d/dx_j sum x_i^2 = 2 x_j, exact in f64: the reference gives x back
    let derivative = auto.reference;
    let x1 = derivative / 2.0;
    let gradient: Vec<(usize, f64)> = s
        .reference
        .iter()
        .filter(|r| r.output == 0)
        .map(|r| (r.input, r.reference))
        .collect();
    let lectures_point =
        gradient.len() == s.n && gradient.iter().all(|&(j, d)| d == 2.0 * (j + 1) as f64);
    let measured = format!(
        "the quotient is {} at h = {} (error {}, rounding part {}, truncation part {})",
        auto.value
            .map(|v| format!("{v}"))
            .unwrap_or_else(|| "empty (the step vanished)".into()),
        e(auto.h),
        e(auto.abs_err),
        e(auto.round_err),
        e(auto.trunc_err),
    );
    if !lectures_point {
        return Some(format!(
            "Forward differences on x_1 = {x1} (exact derivative {derivative}) at the \
             textbook step sqrt(eps) max(1, |x_1|), for n = {}: {measured}. The lecture's \
             rounding bound n^3/3 * sqrt(eps) is for its point x_i = i and does not apply \
             here.",
            s.n,
        ));
    }
    let n = s.n as f64;
    Some(format!(
        "The lecture's analysis, measured: for n = {}, forward differences at h = sqrt(eps) \
         on x_1 = {x1} (exact derivative {derivative}). The lecture bounds the rounding \
         error by n^3/3 * sqrt(eps) and writes (1/3) * 1000^3 * 10^-8 = 33.3; that product \
         is 3.33 (10^9 * 10^-8 = 10, not 100). With eps = 2^-52, the machine epsilon of \
         the textbook step h = 2^-26, the bound is {} ({} with the unit roundoff 2^-53, \
         {} with the lecture's own eps = 2^-54, about 10^-16). Measured: {measured}.",
        s.n,
        bound(n.powi(3) / 3.0 * f64::EPSILON.sqrt()),
        bound(n.powi(3) / 3.0 * (f64::EPSILON / 2.0).sqrt()),
        bound(n.powi(3) / 3.0 * (f64::EPSILON / 4.0).sqrt()),
    ))
}

/// One scenario's full-Jacobian costs.
struct JacobianCosts<'a> {
    name: &'a str,
    /// `dense-jacobian` or `fanout`
    family: &'a str,
    n: usize,
    m: usize,
    /// forward and reverse op-count ratios, for display
    ratio: (f64, f64),
    /// forward and reverse wall ratios (NaN when not timed)
    wall: (f64, f64),
    /// whether reverse mode is cheaper by op count, decided on the exact TIMEs (the
    /// printed ratios are rounded, and two close TIMEs can round to the same ratio)
    reverse_cheaper_ops: bool,
}

impl JacobianCosts<'_> {
    fn n_over_m(&self) -> f64 {
        self.n as f64 / self.m as f64
    }

    /// n/m against `other`'s, exactly (two shapes of the same n/m, 1x1 and 7x7, are
    /// equal, whatever the rounding of n/m to an f64).
    fn cmp_n_over_m(&self, other: &JacobianCosts) -> std::cmp::Ordering {
        (self.n as u128 * other.m as u128).cmp(&(other.n as u128 * self.m as u128))
    }
}

/// The WORK vector of a cost row.
fn work_of(c: &CostRow) -> Work {
    Work {
        moves: c.moves,
        adds: c.adds,
        mults: c.mults,
        nlops: c.nlops,
    }
}

/// Forward against reverse mode for full Jacobians across n/m, and where the cheaper
/// mode flips, next to the lecture's prediction.
fn jacobian_section(out: &mut String, r: &RunResults) {
    let weights = Weights::from_array(r.settings.weights);
    let mut rows: Vec<JacobianCosts> = r
        .scenarios
        .iter()
        .filter(|s| s.family == "dense-jacobian" || s.family == "fanout")
        .filter_map(|s| {
            let f = s.cost.iter().find(|c| c.mode == "jacobian-forward")?;
            let b = s.cost.iter().find(|c| c.mode == "jacobian-reverse")?;
            Some(JacobianCosts {
                name: s.name.as_str(),
                family: s.family.as_str(),
                n: s.n,
                m: s.m,
                ratio: (f.ratio, b.ratio),
                wall: (f.wall_ratio, b.wall_ratio),
                reverse_cheaper_ops: weights.time_exact(&work_of(b))
                    < weights.time_exact(&work_of(f)),
            })
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    // by n/m, and rows at the same n/m by name: neither the table nor the verdict depends
    // on the order of the files
    rows.sort_by(|a, b| a.cmp_n_over_m(b).then_with(|| a.name.cmp(b.name)));
    let _ = writeln!(
        out,
        "\n## Full Jacobians: forward (n tangent sweeps) against reverse (m adjoint sweeps)\n"
    );
    let _ = writeln!(out, "| scenario | n/m | forward ratio | reverse ratio | cheaper by op count | forward wall | reverse wall | cheaper by wall time |");
    let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- | --- | --- |");
    // None where not measured, else whether reverse is cheaper
    let by_ops = |row: &JacobianCosts| Some(row.reverse_cheaper_ops);
    let by_wall = |row: &JacobianCosts| {
        let (f, b) = row.wall;
        (!f.is_nan() && !b.is_nan()).then_some(b < f)
    };
    let name = |reverse: Option<bool>| match reverse {
        None => "-",
        Some(false) => "forward",
        Some(true) => "reverse",
    };
    for row in &rows {
        let _ = writeln!(
            out,
            "| {} | {:.3} | {:.2} | {:.2} | {} | {:.2} | {:.2} | {} |",
            row.name,
            row.n_over_m(),
            row.ratio.0,
            row.ratio.1,
            name(by_ops(row)),
            row.wall.0,
            row.wall.1,
            name(by_wall(row))
        );
    }
    let ops = crossover(&rows, &by_ops);
    let wall = crossover(&rows, &by_wall);
    let _ = write!(
        out,
        "\nMeasured crossover by op count: {}. By wall time: {}. The lecture predicts forward \
         for n <= m and reverse for n > m, with the crossover shifted by the constant factors.",
        ops.describe(),
        wall.describe()
    );
    // why reverse can win at n = m by op count: said only where it does
    if rows
        .iter()
        .any(|r| r.n == r.m && r.n > 1 && r.reverse_cheaper_ops)
    {
        let _ = write!(
            out,
            " At n = m reverse mode is already cheaper by op count, against the lecture's \
             prediction: the adjoint sweep for y_i \
             starts at y_i's own entry, so where outputs are recorded one after another the m \
             sweeps cover about half the tape each."
        );
    }
    // where the two crossovers lie apart: said only where both are measured and simple
    if let (
        Crossover::At {
            reverse_from: a, ..
        },
        Crossover::At {
            reverse_from: b, ..
        },
    ) = (&ops, &wall)
    {
        if b > a {
            let _ = write!(
                out,
                " Reverse mode wins in wall time only from a larger n/m than by op count: \
                 an operation on the scalar tape costs more time than one of forward mode."
            );
        } else if b < a {
            let _ = write!(
                out,
                " Reverse mode wins in wall time from a smaller n/m than by op count: an \
                 operation of forward mode costs more time than one on the scalar tape."
            );
        }
    }
    let _ = writeln!(out);
    // the crossover above lies between measured scenarios, of both families; the
    // figure's is interpolated within one function, and may differ from it
    if rows.iter().any(|r| r.family != "dense-jacobian") {
        if let Some(fig) = crate::report::plot::jacobian_cost::reading(r) {
            let _ = writeln!(
                out,
                "
The table mixes two functions (fanout and dense-jacobian). Within the dense-jacobian family alone, one function at several shapes, the figure `jacobian-cost` reads: {fig}"
            );
        }
    }
}

/// Where the cheaper mode changes along the rows, sorted by n/m.
#[derive(Debug, PartialEq)]
enum Crossover {
    /// some row was not measured
    NotMeasured,
    /// reverse is cheaper at no row
    ForwardEverywhere,
    /// forward is cheaper at no row
    ReverseEverywhere,
    /// forward is cheaper at every n/m up to `forward_to`, reverse at every n/m from
    /// `reverse_from` (the next n/m measured)
    At { forward_to: f64, reverse_from: f64 },
    /// the cheaper mode changes more than once along n/m
    Mixed,
    /// rows at the same n/m disagree on the cheaper mode, so n/m alone does not decide
    /// it: each such n/m with the rows where forward and where reverse is cheaper
    Disagree(Vec<Tie>),
}

/// Rows of the same n/m that disagree on the cheaper mode.
#[derive(Debug, PartialEq)]
struct Tie {
    n_over_m: f64,
    /// names of the rows where forward is cheaper
    forward: Vec<String>,
    /// names of the rows where reverse is cheaper
    reverse: Vec<String>,
}

/// Where reverse becomes the cheaper mode along `rows` (sorted by n/m), by `reverse`.
/// Rows of the same n/m are one point of the verdict: where they agree, it is theirs;
/// where they disagree, there is no crossover along n/m to name, and the verdict says
/// where they disagree (whatever the order of the rows within the n/m).
fn crossover(
    rows: &[JacobianCosts],
    reverse: &dyn Fn(&JacobianCosts) -> Option<bool>,
) -> Crossover {
    let Some(verdicts) = rows.iter().map(reverse).collect::<Option<Vec<bool>>>() else {
        return Crossover::NotMeasured;
    };
    // the rows of each n/m, as ranges of `rows`
    let mut groups: Vec<std::ops::Range<usize>> = Vec::new();
    for k in 0..rows.len() {
        match groups.last_mut() {
            Some(g) if rows[g.start].cmp_n_over_m(&rows[k]).is_eq() => g.end = k + 1,
            _ => groups.push(k..k + 1),
        }
    }
    let ties: Vec<Tie> = groups
        .iter()
        .filter(|g| {
            verdicts[g.start..g.end]
                .iter()
                .any(|&r| r != verdicts[g.start])
        })
        .map(|g| {
            let names = |rev: bool| -> Vec<String> {
                let mut v: Vec<String> = g
                    .clone()
                    .filter(|&k| verdicts[k] == rev)
                    .map(|k| rows[k].name.to_string())
                    .collect();
                v.sort();
                v
            };
            Tie {
                n_over_m: rows[g.start].n_over_m(),
                forward: names(false),
                reverse: names(true),
            }
        })
        .collect();
    if !ties.is_empty() {
        return Crossover::Disagree(ties);
    }
    let per_n_over_m: Vec<bool> = groups.iter().map(|g| verdicts[g.start]).collect();
    match per_n_over_m.iter().position(|&r| r) {
        None => Crossover::ForwardEverywhere,
        Some(0) if per_n_over_m.iter().all(|&r| r) => Crossover::ReverseEverywhere,
        Some(k) if per_n_over_m[k..].iter().all(|&r| r) => Crossover::At {
            forward_to: rows[groups[k - 1].start].n_over_m(),
            reverse_from: rows[groups[k].start].n_over_m(),
        },
        Some(_) => Crossover::Mixed,
    }
}

impl Crossover {
    fn describe(&self) -> String {
        match self {
            Crossover::NotMeasured => "not measured".into(),
            Crossover::ForwardEverywhere => "forward is cheaper at every n/m measured".into(),
            Crossover::ReverseEverywhere => "reverse is cheaper at every n/m measured".into(),
            Crossover::At {
                forward_to,
                reverse_from,
            } => format!(
                "forward is cheaper up to n/m = {forward_to:.3}, reverse from n/m = {reverse_from:.3}"
            ),
            Crossover::Mixed => {
                "the cheaper mode changes more than once along n/m (see the table)".into()
            }
            Crossover::Disagree(ties) => {
                let at: Vec<String> = ties
                    .iter()
                    .map(|t| {
                        format!(
                            "at n/m = {:.3} forward is cheaper on {} and reverse on {}",
                            t.n_over_m,
                            t.forward.join(", "),
                            t.reverse.join(", ")
                        )
                    })
                    .collect();
                format!(
                    "none, as n/m alone does not decide the cheaper mode: {} (see the table)",
                    at.join("; ")
                )
            }
        }
    }
}

/// The symbolic gradient's growth on the lecture's two examples.
fn symbolic_section(out: &mut String, r: &RunResults) {
    let Some(g) = &r.symbolic_growth else { return };
    let _ = writeln!(out, "\n## Symbolic differentiation: expression swell\n");
    let _ = writeln!(
        out,
        "Node counts of the symbolic gradient of `prod(i, 1, n, x[i])` and \
         `sum(i, 1, n, x[i]^2)`: as trees without sharing, as a shared DAG, and the reverse \
         tape, with the exponent of a least-squares fit of log size against log n over \
         n >= 32. The lecture: built naively, the symbolic gradient consumes a lot of \
         memory, while AD reuses common subexpressions.\n"
    );
    let _ = writeln!(out, "| example | n | gradient tree | gradient DAG | tape |");
    let _ = writeln!(out, "| --- | --- | --- | --- | --- |");
    for (name, series, e) in [
        ("product", &g.product, &g.product_exponents),
        (
            "sum of squares",
            &g.sum_of_squares,
            &g.sum_of_squares_exponents,
        ),
    ] {
        for (n, w) in series.iter().filter(|(n, _)| [2, 32, 1024].contains(n)) {
            let _ = writeln!(
                out,
                "| {name} | {n} | {} | {} | {} |",
                w.gradient_tree, w.gradient_dag, w.tape_len
            );
        }
        let _ = writeln!(
            out,
            "| {name} | fitted exponent | {:.3} | {:.3} | {:.3} |",
            e.gradient_tree, e.gradient_dag, e.tape_len
        );
    }
}

/// Tape memory per scenario and the forward-mode space ratio.
fn memory_section(out: &mut String, r: &RunResults) {
    let rows: Vec<(&str, u64)> = r
        .scenarios
        .iter()
        .filter_map(|s| {
            Some((
                s.name.as_str(),
                s.cost.iter().find(|c| c.mode == "gradient")?.tape_bytes?,
            ))
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    let per = crate::ad::Tape::<f64>::bytes_per_entry();
    let _ = writeln!(out, "\n## Memory\n");
    let _ = writeln!(
        out,
        "The scalar tape holds {per} bytes per entry (input, constant or elemental) for f64 (a 1-byte kind, two 4-byte \
         argument indices and the 8-byte value; partials are recomputed, not stored), so at \
         most {per} bytes per binary elemental against the target of 24; adjoints are a \
         separate vector of 8 bytes per entry during the sweep. Forward mode carries one \
         value and one tangent: {} bytes per f64 value, a space ratio of {} against the \
         lecture's bound SPACE{{F, F'xdot}} <= 2 SPACE{{F}}.\n",
        std::mem::size_of::<crate::ad::Dual<f64>>(),
        std::mem::size_of::<crate::ad::Dual<f64>>() / std::mem::size_of::<f64>()
    );
    let _ = writeln!(
        out,
        "| scenario | tape bytes after the forward sweep | entries (inputs, constants, elementals) |"
    );
    let _ = writeln!(out, "| --- | --- | --- |");
    for (name, b) in rows {
        let _ = writeln!(out, "| {name} | {b} | {} |", b / per as u64);
    }
}

/// Renders the summary.
pub fn render(r: &RunResults) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# derivbench summary\n");
    let _ = writeln!(
        out,
        "derivbench {}; {} scenario(s); methods: {}{}; {}{}.\n",
        r.version,
        r.scenarios.len(),
        r.settings.methods.join(", "),
        if r.settings.quick {
            " (quick: every third FD step)"
        } else {
            ""
        },
        super::weights_sentence(&r.settings.weights),
        super::wall_sentence(&r.settings)
            .map(|w| format!("; {w}"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "Bits of error: log2(1 + number of f64 steps, or ulps, from the derivative to the MPFR \
         reference), 0 = exact, 64 = NaN or infinite, or no figure at all (every step of the \
         sweep vanished in f64). For FD sweep methods, each entry's best step. These are the \
         figures `derivbench check` gates; `-` in the overview: the method does not apply to \
         the scenario. Entries are named (output, input), counted from 0.\n"
    );
    if !r.failures.is_empty() {
        let _ = writeln!(out, "## Failures\n");
        for f in &r.failures {
            let _ = writeln!(out, "- {}", line_text(&f.line()));
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(
        out,
        "## Overview: worst bits of error per scenario and method\n"
    );
    let methods: Vec<String> = r.settings.methods.clone();
    let _ = writeln!(out, "| scenario | n | m | {} |", methods.join(" | "));
    let _ = writeln!(out, "| --- | --- | --- |{}", " --- |".repeat(methods.len()));
    for s in &r.scenarios {
        let bits = best_bits_per_entry(&s.accuracy);
        let cells: Vec<String> = methods
            .iter()
            .map(|m| {
                bits.get(m)
                    .map(|v| format!("{:.1}", worst_and_median(v).0))
                    .unwrap_or_else(|| "-".into())
            })
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            s.name,
            s.n,
            s.m,
            cells.join(" | ")
        );
    }
    let compared = entries_compared(r);
    if !compared.is_empty() {
        let _ = writeln!(out, "\n{ENTRIES_COMPARED}\n");
        for c in &compared {
            let _ = writeln!(out, "- {}", line_text(c));
        }
    }
    jacobian_section(&mut out, r);
    memory_section(&mut out, r);
    symbolic_section(&mut out, r);
    for s in &r.scenarios {
        let _ = writeln!(out, "\n## {}\n", s.name);
        let shape = format!("family `{}`, n = {}, m = {}", s.family, s.n, s.m);
        let _ = if s.description.trim().is_empty() {
            writeln!(out, "A scenario of {shape}.")
        } else {
            writeln!(out, "{} ({shape}).", line_text(&s.description))
        };
        if s.sampled.len() < s.n {
            let _ = writeln!(
                out,
                "FD, complex-step and forward methods evaluated {} of the {} inputs (first and last included).",
                s.sampled.len(),
                s.n
            );
        }
        let rows = super::plot::bits::method_bits(s);
        if rows.is_empty() {
            let _ = writeln!(
                out,
                "\nNo accuracy figures: none of the methods run applies to this scenario."
            );
        } else {
            let _ = writeln!(
                out,
                "\n| method | worst bits | worst at (output, input) | median bits | entries |"
            );
            let _ = writeln!(out, "| --- | --- | --- | --- | --- |");
            for r in rows {
                let _ = writeln!(
                    out,
                    "| {} | {:.1} | {} | {:.1} | {} |",
                    r.method,
                    r.worst,
                    r.worst_at_text(),
                    r.median,
                    r.entries
                );
            }
        }
        if let Some(t) = value_sentence(s) {
            let _ = writeln!(out, "\n{t}");
        }
        if let Some(t) = common_step_sentence(s) {
            let _ = writeln!(out, "\n{}", text(&t));
        }
        theory_table(&mut out, &s.fd_theory, &s.accuracy);
        if let Some(t) = lecture_sum_of_squares(s) {
            let _ = writeln!(out, "\n{t}");
        }
        if !s.cost.is_empty() {
            let _ = writeln!(
                out,
                "\n| cost mode | ratio (op count) | bound | within | wall ratio (quartiles) | tape bytes |"
            );
            let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- |");
            for c in &s.cost {
                let _ = writeln!(
                    out,
                    "| {} | {:.3} | {} | {} | {} | {} |",
                    c.mode,
                    c.ratio,
                    c.bound.map(|b| b.to_string()).unwrap_or_else(|| "-".into()),
                    c.within
                        .map(|b| b.to_string())
                        .unwrap_or_else(|| "-".into()),
                    wall_text(c),
                    c.tape_bytes
                        .map(|b| b.to_string())
                        .unwrap_or_else(|| "-".into()),
                );
            }
            if let Some(t) = tensor_sentence(s) {
                let _ = writeln!(out, "\n{t}");
            }
            if let Some(t) = fd_cost_sentence(s) {
                let _ = writeln!(out, "\n{t}");
            }
        }
        if let Some(w) = &s.swell {
            let _ = writeln!(
                out,
                "\nExpression swell: the function has {} nodes as a tree and {} as a DAG; its \
                 symbolic gradient {} nodes as trees without sharing and {} as a shared DAG; \
                 the reverse tape records {} entries (inputs, constants and elementals).",
                w.function_tree, w.function_dag, w.gradient_tree, w.gradient_dag, w.tape_len
            );
        }
        if !s.notes.is_empty() {
            let _ = writeln!(out, "\nNotes:\n");
            for n in &s.notes {
                let _ = writeln!(out, "- {n}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(worst_and_median(&[24.51, 21.46]), (24.51, 22.985));
        assert_eq!(worst_and_median(&[1.0, 0.0]), (1.0, 0.5));
        assert_eq!(worst_and_median(&[3.0, 1.0, 2.0]), (3.0, 2.0));
        let (w, m) = worst_and_median(&[]);
        assert!(w.is_nan() && m.is_nan());
    }

    fn sweep_row(method: &str, input: usize, h: Option<f64>) -> AccuracyRow {
        AccuracyRow {
            scenario: "s".into(),
            method: method.into(),
            h,
            output: 0,
            input,
            value: Some(1.0),
            reference: 1.0,
            abs_err: Some(0.0),
            rel_err: Some(0.0),
            bits_err: Some(0.0),
            trunc_err: None,
            round_err: None,
        }
    }

    fn theory(method: &str, measured_h: Option<f64>) -> FdTheory {
        FdTheory {
            method: method.into(),
            output: 0,
            input: 0,
            f_abs: 1.0,
            d2_abs: 0.0,
            d3_abs: 0.0,
            predicted_h: None,
            predicted_err: None,
            measured_h,
            measured_err: Some(1e-3),
            auto_err: None,
            auto_h: None,
            round_bound: None,
            bound_h: None,
            bound_err: None,
        }
    }

    #[test]
    fn a_best_step_at_an_end_of_its_sweep_is_marked_and_explained() {
        // the sweep of fd-forward on entry (0, 0) is 1e-8, 1e-4, 1e-1; other methods,
        // other entries and the textbook step have steps beyond both ends
        let mut rows: Vec<AccuracyRow> = [1e-8, 1e-4, 1e-1]
            .into_iter()
            .map(|h| sweep_row("fd-forward", 0, Some(h)))
            .collect();
        rows.push(sweep_row("fd-forward", 1, Some(1.0)));
        rows.push(sweep_row("fd-forward", 1, Some(1e-12)));
        rows.push(sweep_row("fd-central", 0, Some(10.0)));
        rows.push(sweep_row("fd-forward@auto", 0, Some(1e-9)));
        rows.push(sweep_row("forward", 0, None));
        let end = |h| sweep_end(&theory("fd-forward", h), &rows);
        assert_eq!(end(Some(1e-1)), Some(SweepEnd::Largest));
        assert_eq!(end(Some(1e-8)), Some(SweepEnd::Smallest));
        assert_eq!(end(Some(1e-4)), None);
        assert_eq!(end(None), None);
        // a sweep of one step has no end to speak of
        let one = [sweep_row("fd-forward", 0, Some(1e-4))];
        assert_eq!(sweep_end(&theory("fd-forward", Some(1e-4)), &one), None);
        // an exact quotient cannot improve beyond the end
        let mut exact = theory("fd-forward", Some(1e-1));
        exact.measured_err = Some(0.0);
        assert_eq!(sweep_end(&exact, &rows), None);
        // a step that vanished in f64 gave no quotient and is no end: the smallest step
        // that gave one is
        let mut vanished = rows.clone();
        let mut gone = sweep_row("fd-forward", 0, Some(1e-20));
        gone.value = None;
        vanished.push(gone);
        assert_eq!(
            sweep_end(&theory("fd-forward", Some(1e-8)), &vanished),
            Some(SweepEnd::Smallest)
        );

        let t = [
            theory("fd-forward", Some(1e-1)),
            theory("fd-central", Some(10.0)),
        ];
        let note = sweep_end_note(&t, &rows).expect("an end is noted");
        assert!(
            note.starts_with(
                "The measured best step of fd-forward is the largest step of the sweep, \
                 so the error may keep falling as h grows beyond it"
            ),
            "{note}"
        );
        assert!(!note.contains("smallest"), "{note}");
        assert_eq!(
            sweep_end_note(&[theory("fd-forward", Some(1e-4))], &rows),
            None
        );

        let mut out = String::new();
        theory_table(&mut out, &t, &rows);
        assert!(out.contains("| 1.00e-1 (largest step) |"), "{out}");
        assert!(out.contains("| 1.00e1 |"), "{out}");
        assert!(out.contains(&note), "{out}");
    }

    #[test]
    fn a_best_step_at_the_smallest_end_is_explained_by_truncation_not_by_a_growing_h() {
        // fd-forward's sweep on entry (0, 0) is 1e-3, 1e-4, 1e-5, 1e-6; its best step is
        // the smallest, as for exp(100 x) at 0.7, where truncation still dominates there
        let rows: Vec<AccuracyRow> = [1e-3, 1e-4, 1e-5, 1e-6]
            .into_iter()
            .flat_map(|h| {
                [
                    sweep_row("fd-forward", 0, Some(h)),
                    sweep_row("fd-central", 0, Some(h)),
                ]
            })
            .collect();
        let small = [theory("fd-forward", Some(1e-6))];
        let note = sweep_end_note(&small, &rows).expect("an end is noted");
        assert_eq!(
            note,
            "The measured best step of fd-forward is the smallest step of the sweep, so the \
             error may keep falling as h shrinks below it: there truncation, which shrinks \
             with h, still outweighs rounding, which grows as 1/h (f's higher derivatives are \
             large against f, as exp(100 x)'s are), until rounding takes over at a smaller \
             step. Widen the scenario's fd.steps to see."
        );
        assert!(!note.contains("as h grows"), "{note}");
        // one method at each end: a sentence for each, the largest end's first
        let both = [
            theory("fd-forward", Some(1e-6)),
            theory("fd-central", Some(1e-3)),
        ];
        let note = sweep_end_note(&both, &rows).expect("both ends are noted");
        let large = note
            .find("The measured best step of fd-central is the largest step of the sweep")
            .expect(&note);
        let small = note
            .find("The measured best step of fd-forward is the smallest step of the sweep")
            .expect(&note);
        assert!(large < small, "{note}");
        assert!(
            note.ends_with("Widen the scenario's fd.steps to see."),
            "{note}"
        );
        assert_eq!(note.matches("Widen").count(), 1, "{note}");
    }

    #[test]
    fn the_fd_model_table_gives_the_bits_of_the_measured_and_the_textbook_step() {
        let mut rows: Vec<AccuracyRow> = [(1e-8, 30.25), (1e-4, 12.5), (1e-1, 20.0)]
            .into_iter()
            .map(|(h, b)| {
                let mut r = sweep_row("fd-forward", 0, Some(h));
                r.bits_err = Some(b);
                r
            })
            .collect();
        // another entry's row at the same step, and the textbook step's row
        let mut other = sweep_row("fd-forward", 1, Some(1e-4));
        other.bits_err = Some(1.0);
        let mut auto = sweep_row("fd-forward@auto", 0, Some(1.49e-8));
        auto.bits_err = Some(41.04);
        rows.extend([other, auto]);
        let mut t = theory("fd-forward", Some(1e-4));
        (t.auto_h, t.auto_err) = (Some(1.49e-8), Some(2.5e-3));
        let mut out = String::new();
        theory_table(&mut out, &[t.clone()], &rows);
        assert!(
            out.contains("| 1.00e-4 | 1.00e-3 (12.5 bits) | 1.49e-8 | 2.50e-3 (41.0 bits) |"),
            "{out}"
        );
        // without the rows, the errors alone
        let mut out = String::new();
        theory_table(&mut out, &[t], &[]);
        assert!(
            out.contains("| 1.00e-4 | 1.00e-3 | 1.49e-8 | 2.50e-3 |"),
            "{out}"
        );
    }

    fn cost_row(mode: &str, adds: u64, ratio: f64) -> crate::results::CostRow {
        crate::results::CostRow {
            scenario: "j".into(),
            mode: mode.into(),
            moves: 1,
            adds,
            mults: 0,
            nlops: 0,
            time: ratio,
            ratio,
            bound: None,
            within: None,
            tape_bytes: None,
            wall_ns: f64::NAN,
            wall_ratio: f64::NAN,
            wall_ratio_q1: f64::NAN,
            wall_ratio_q3: f64::NAN,
            wall_pairs: None,
        }
    }

    #[test]
    fn a_wall_ratio_is_printed_with_its_quartiles_where_they_are_known_and_differ() {
        let mut c = cost_row("gradient", 1, 1.0);
        (c.wall_ratio_q1, c.wall_ratio, c.wall_ratio_q3) = (1.734, 1.7901, 1.851);
        assert_eq!(wall_text(&c), "1.79 (1.73 to 1.85)");
        // quartiles that print alike, or results saved before quartiles were kept
        c.wall_ratio_q1 = 1.8514;
        assert_eq!(wall_text(&c), "1.79");
        (c.wall_ratio_q1, c.wall_ratio_q3) = (f64::NAN, f64::NAN);
        assert_eq!(wall_text(&c), "1.79");
        // `run --no-wall`
        c.wall_ratio = f64::NAN;
        assert_eq!(wall_text(&c), "NaN");
        // the function against itself, measured: its quartiles are shown as they are
        let mut f = cost_row("function", 1, 1.0);
        (f.wall_ratio_q1, f.wall_ratio, f.wall_ratio_q3) = (0.999, 1.0, 1.002);
        assert_eq!(wall_text(&f), "1.00 (1.00 to 1.00)");
        (f.wall_ratio_q1, f.wall_ratio_q3) = (f64::NAN, f64::NAN);
        assert_eq!(wall_text(&f), "1.00");
    }

    #[test]
    fn the_cost_of_finite_differences_is_counted_in_evaluations_of_f() {
        // n = 4 inputs, m = 2 outputs: the whole Jacobian, by forward and reverse mode
        let r = results_of(vec![("d", 4, 2, 7, 9, 1.0, 1.0)]);
        assert_eq!(
            fd_cost_sentence(&r.scenarios[0]).unwrap(),
            "Finite differences take n + 1 = 5 evaluations of f for the Jacobian with forward \
             or backward differences, 2n = 8 with central ones and up to 120 with Ridders' \
             extrapolation (two per level and input, up to 15 levels); the complex step takes n = 4 in \
             complex arithmetic. By op count, the whole Jacobian costs 7.00 times f by forward \
             mode and 9.00 by reverse mode."
        );
        // one output: the gradient's row
        let mut r = results_of(vec![("g", 3, 1, 7, 9, 1.0, 1.0)]);
        assert_eq!(fd_cost_sentence(&r.scenarios[0]), None, "no gradient row");
        r.scenarios[0].cost.push(cost_row("gradient", 3, 3.25));
        let t = fd_cost_sentence(&r.scenarios[0]).unwrap();
        assert!(
            t.contains("n + 1 = 4 evaluations of f for the gradient"),
            "{t}"
        );
        assert!(
            t.ends_with("By op count, reverse mode's gradient costs 3.25 times f."),
            "{t}"
        );
    }

    #[test]
    fn the_function_s_own_error_is_one_figure_or_the_worst_and_median_of_its_outputs() {
        let mut r = results_of(vec![("d", 1, 1, 1, 1, 1.0, 1.0)]);
        assert_eq!(
            value_sentence(&r.scenarios[0]),
            None,
            "results without the figure"
        );
        r.scenarios[0].value_bits = vec![17.25];
        assert_eq!(
            value_sentence(&r.scenarios[0]).unwrap(),
            "f(x) itself, evaluated in f64: 17.2 bits of error against the reference."
        );
        r.scenarios[0].value_bits = vec![1.0, 0.0, 3.0];
        assert_eq!(
            value_sentence(&r.scenarios[0]).unwrap(),
            "f(x) itself, evaluated in f64: worst 3.0 bits of error over its 3 outputs, median 1.0."
        );
        assert!(render(&r).contains("\n\nf(x) itself, evaluated in f64: worst 3.0"));
    }

    #[test]
    fn the_matrix_tape_is_set_against_the_function_as_matrix_operations() {
        let mut r = results_of(vec![("net", 2, 1, 1, 1, 1.0, 1.0)]);
        let s = &mut r.scenarios[0];
        assert_eq!(tensor_sentence(s), None, "no matrix form");
        let mut f = cost_row("function-tensor", 0, 100.0);
        let mut g = cost_row("gradient-tensor", 0, 290.0);
        s.cost.push(f.clone());
        s.cost.push(g.clone());
        let t = tensor_sentence(s).unwrap();
        assert!(
            t.contains("costs 2.900 times the function evaluated as matrix operations"),
            "{t}"
        );
        assert!(t.contains("by op count, not timed."), "{t}");
        // results without the two timed against each other: the quotient of the rows'
        // ratios to the function (4.00), not of the two medians (1.80)
        (f.wall_ns, f.wall_ratio) = (500.0, 0.5);
        (g.wall_ns, g.wall_ratio) = (900.0, 2.0);
        s.cost.truncate(3);
        s.cost.extend([g, f]);
        let t = tensor_sentence(s).unwrap();
        assert!(
            t.contains(
                "4.00 times in wall time (the quotient of their ratios to `function`, timed apart)"
            ),
            "{t}"
        );
        assert!(!t.contains("1.80"), "{t}");
        // the two timed against each other, with the quartiles of the pairs
        s.tensor_wall = Some(crate::results::WallRatio {
            median: 1.834,
            q1: 1.811,
            q3: 1.862,
            pairs: 9,
        });
        let t = tensor_sentence(s).unwrap();
        assert!(
            t.contains("by op count, 1.83 (1.81 to 1.86) times in wall time (the two timed against each other)."),
            "{t}"
        );
        assert!(render(&r).contains(&t), "the summary shows it");
    }

    #[test]
    fn a_table_of_two_families_points_to_the_crossover_within_one() {
        // forward cheaper at n/m = 1/4, reverse at 4: both families in the table
        let mut r = results_of(vec![
            ("small", 1, 4, 2, 5, 2.0, 5.0),
            ("wide", 4, 1, 5, 2, 5.0, 2.0),
            ("tall", 8, 2, 9, 3, 9.0, 3.0),
        ]);
        let one = render(&r);
        assert!(one.contains("Measured crossover by op count"), "{one}");
        assert!(!one.contains("The table mixes two functions"), "{one}");
        r.scenarios[0].family = "fanout".into();
        let md = render(&r);
        let fig = crate::report::plot::jacobian_cost::reading(&r).expect("two dense points");
        assert!(fig.contains("2 dense-jacobian scenarios"), "{fig}");
        assert!(
            md.contains(&format!("Within the dense-jacobian family alone, one function at several shapes, the figure `jacobian-cost` reads: {fig}")),
            "{md}"
        );
    }

    fn jrow(n: usize, m: usize, reverse_ops: bool, wall: (f64, f64)) -> JacobianCosts<'static> {
        JacobianCosts {
            name: "j",
            family: "dense-jacobian",
            n,
            m,
            ratio: (1.0, 1.0),
            wall,
            reverse_cheaper_ops: reverse_ops,
        }
    }

    #[test]
    fn the_crossover_is_named_only_where_the_cheaper_mode_changes_once() {
        let ops = |r: &JacobianCosts| Some(r.reverse_cheaper_ops);
        let at = |v: &[bool]| {
            let rows: Vec<_> = v
                .iter()
                .enumerate()
                .map(|(k, &r)| jrow(k + 1, 4, r, (1.0, 1.0)))
                .collect();
            (crossover(&rows, &ops), crossover(&rows, &ops).describe())
        };
        assert_eq!(at(&[false, false]).0, Crossover::ForwardEverywhere);
        assert_eq!(at(&[true, true]).0, Crossover::ReverseEverywhere);
        let (c, text) = at(&[false, true, true]);
        assert_eq!(
            c,
            Crossover::At {
                forward_to: 0.25,
                reverse_from: 0.5
            }
        );
        assert_eq!(
            text,
            "forward is cheaper up to n/m = 0.250, reverse from n/m = 0.500"
        );
        // reverse, forward, reverse: no single crossover to name
        let (c, text) = at(&[true, false, true]);
        assert_eq!(c, Crossover::Mixed);
        assert!(text.contains("more than once"), "{text}");
        let (c, _) = at(&[false, true, false]);
        assert_eq!(c, Crossover::Mixed);
        // a row not timed: not measured
        let rows = [jrow(1, 1, true, (f64::NAN, 1.0))];
        let wall = |r: &JacobianCosts| {
            let (f, b) = r.wall;
            (!f.is_nan() && !b.is_nan()).then_some(b < f)
        };
        assert_eq!(crossover(&rows, &wall), Crossover::NotMeasured);
    }

    fn named(name: &'static str, n: usize, m: usize, reverse_ops: bool) -> JacobianCosts<'static> {
        JacobianCosts {
            name,
            ..jrow(n, m, reverse_ops, (1.0, 1.0))
        }
    }

    #[test]
    fn rows_of_the_same_n_over_m_that_disagree_are_named_whatever_their_order() {
        // 1x1 forward, 7x7 reverse: both at n/m = 1, between forward at 1/40 and
        // reverse at 40; sorted either way, the verdict is the same and names no crossover
        let ops = |r: &JacobianCosts| Some(r.reverse_cheaper_ops);
        let expected = Crossover::Disagree(vec![Tie {
            n_over_m: 1.0,
            forward: vec!["b-1x1".into()],
            reverse: vec!["a-7x7".into()],
        }]);
        for order in [["a-7x7", "b-1x1"], ["b-1x1", "a-7x7"]] {
            let rows: Vec<_> = [named("c-1x40", 1, 40, false)]
                .into_iter()
                .chain(order.map(|name| match name {
                    "a-7x7" => named(name, 7, 7, true),
                    _ => named(name, 1, 1, false),
                }))
                .chain([named("d-40x1", 40, 1, true)])
                .collect();
            let c = crossover(&rows, &ops);
            assert_eq!(c, expected, "{order:?}");
            assert_eq!(
                c.describe(),
                "none, as n/m alone does not decide the cheaper mode: at n/m = 1.000 forward \
                 is cheaper on b-1x1 and reverse on a-7x7 (see the table)"
            );
        }
        // rows of the same n/m that agree are one point: 1x2 and 2x4 both forward, then
        // reverse at 1
        let rows = [
            named("x", 1, 2, false),
            named("y", 2, 4, false),
            named("z", 3, 3, true),
        ];
        assert_eq!(
            crossover(&rows, &ops),
            Crossover::At {
                forward_to: 0.5,
                reverse_from: 1.0
            }
        );
    }

    #[test]
    fn the_summary_s_jacobian_verdict_does_not_depend_on_the_names() {
        // the reviewer's case: 1x40, 1x1, 7x7, 40x1, with the 7x7 named before and after
        // the 1x1; the table lists rows of the same n/m by name, the verdict is the same
        let costs = |seven: &'static str| {
            vec![
                ("dj-1x40", 1, 40, 2, 45, f64::NAN, f64::NAN),
                ("dj-1x1", 1, 1, 2, 3, f64::NAN, f64::NAN),
                (seven, 7, 7, 15, 9, f64::NAN, f64::NAN),
                ("dj-40x1", 40, 1, 88, 3, f64::NAN, f64::NAN),
            ]
        };
        let verdict = |md: &str, seven: &str| {
            let line = md
                .lines()
                .find(|l| l.starts_with("Measured crossover by op count"))
                .expect("the verdict")
                .to_string();
            line.replace(seven, "SEVEN")
        };
        let (a, z) = (
            render(&results_of(costs("da-7x7"))),
            render(&results_of(costs("zz-7x7"))),
        );
        let (va, vz) = (verdict(&a, "da-7x7"), verdict(&z, "zz-7x7"));
        assert_eq!(va, vz);
        assert!(
            va.contains(
                "none, as n/m alone does not decide the cheaper mode: at n/m = 1.000 forward is \
                 cheaper on dj-1x1 and reverse on SEVEN"
            ),
            "{va}"
        );
        assert!(!va.contains("more than once"), "{va}");
        assert!(
            !va.contains("up to n/m = 1.000, reverse from n/m = 1.000"),
            "{va}"
        );
        // listed by name within the n/m, either way
        let order = |md: &str, seven: &str| {
            let table = &md[md.find("## Full Jacobians").unwrap()..];
            table.find("| dj-1x1 |").unwrap() < table.find(&format!("| {seven} |")).unwrap()
        };
        assert!(!order(&a, "da-7x7"));
        assert!(order(&z, "zz-7x7"));
    }

    /// Run results of dense-jacobian scenarios (name, n, m, forward adds, reverse adds,
    /// forward wall ratio, reverse wall ratio): TIME(function) is 1 move, each mode one
    /// move and its adds, and its printed ratio its adds in f64.
    fn results_of(costs: Vec<(&str, usize, usize, u64, u64, f64, f64)>) -> RunResults {
        let scenarios = costs
            .into_iter()
            .map(|(name, n, m, fwd, rev, fw, bw)| {
                let mut f = cost_row("jacobian-forward", fwd, fwd as f64);
                let mut b = cost_row("jacobian-reverse", rev, rev as f64);
                (f.wall_ratio, b.wall_ratio) = (fw, bw);
                ScenarioResult {
                    name: name.into(),
                    family: "dense-jacobian".into(),
                    description: String::new(),
                    n,
                    m,
                    sampled: vec![],
                    accuracy: vec![],
                    reference: vec![],
                    fd_theory: vec![],
                    cost: vec![cost_row("function", 0, 1.0), f, b],
                    notes: vec![],
                    recurrent: vec![],
                    swell: None,
                    value_bits: vec![],
                    tensor_wall: None,
                }
            })
            .collect();
        RunResults {
            version: String::new(),
            settings: crate::results::RunSettings {
                methods: vec![],
                quick: true,
                weights: [1.0, 1.0, 1.0],
                agree_bits: 0,
                max_precision: 0,
                wall_ms: None,
            },
            scenarios,
            failures: vec![],
            symbolic_growth: None,
        }
    }

    /// One sampled scenario (inputs 0 and 2 of 3): forward on the sample, reverse on
    /// every input with its worst entry off the sample, with `rev` its bits per input.
    fn sampled_results(rev: [f64; 3]) -> RunResults {
        let mut r = results_of(vec![("s", 3, 1, 1, 1, 1.0, 1.0)]);
        let sc = &mut r.scenarios[0];
        sc.sampled = vec![0, 2];
        let row = |method: &str, input: usize, bits: f64| AccuracyRow {
            bits_err: Some(bits),
            abs_err: Some(bits * 1e-17),
            reference: 0.5 - input as f64,
            ..sweep_row(method, input, None)
        };
        sc.accuracy = vec![row("forward", 0, 1.0), row("forward", 2, 2.0)];
        sc.accuracy
            .extend((0..3).map(|j| row("reverse", j, rev[j])));
        sc.reference = (0..3)
            .map(|j| crate::results::ReferenceRow {
                scenario: "s".into(),
                output: 0,
                input: j,
                reference: 0.5 - j as f64,
                precision_bits: 256,
                agreed_bits: 256,
                digits: String::new(),
                settled: true,
            })
            .collect();
        r
    }

    #[test]
    fn the_overview_says_where_columns_cover_different_entries() {
        let c = entries_compared(&sampled_results([0.5, 9.0, 1.5]));
        assert_eq!(
            c,
            [
                "s: FD, complex-step and forward methods evaluated 2 of the 3 inputs, reverse \
              every input. Worst bits on the same 2 inputs: reverse 1.5. Over every input: \
              reverse 9.0 at input 1 (derivative -5.00e-1, absolute error 9.00e-17, 0.41 ulps \
              of the largest |derivative|); the largest |derivative| is 1.50e0."
            ]
        );
        // a second method on every input, no worse there than on the sample
        let mut r = sampled_results([0.5, 9.0, 1.5]);
        let tensor: Vec<AccuracyRow> = r.scenarios[0]
            .accuracy
            .iter()
            .filter(|x| x.method == "forward")
            .map(|x| AccuracyRow {
                method: "reverse-tensor".into(),
                input: if x.input == 0 { 1 } else { x.input },
                ..x.clone()
            })
            .chain(std::iter::once(AccuracyRow {
                method: "reverse-tensor".into(),
                input: 0,
                bits_err: Some(0.0),
                ..r.scenarios[0].accuracy[0].clone()
            }))
            .collect();
        r.scenarios[0].accuracy.extend(tensor);
        let c = entries_compared(&r);
        assert!(
            c[0].contains("reverse and reverse-tensor every input. Worst bits on the same 2 inputs: reverse 1.5 and reverse-tensor 2.0. Over every input: reverse 9.0 at input 1"),
            "{c:?}"
        );
        assert!(
            c[0].contains("of the largest |derivative|); reverse-tensor no worse; the largest"),
            "{c:?}"
        );
        let c = entries_compared(&sampled_results([0.5, 1.0, 1.5]));
        assert!(
            c[0].ends_with("reverse 1.5; no worse over every input."),
            "{c:?}"
        );
        // every input sampled: every column covers the same entries
        let mut r = sampled_results([0.5, 9.0, 1.5]);
        r.scenarios[0].sampled = vec![0, 1, 2];
        assert!(entries_compared(&r).is_empty());
        // and the summary shows the sentence under the overview
        let md = render(&sampled_results([0.5, 9.0, 1.5]));
        assert!(
            md.contains(&format!("{ENTRIES_COMPARED}\n\n- s: FD")),
            "{md}"
        );
    }

    #[test]
    fn each_method_s_line_says_where_its_worst_entry_is() {
        let md = render(&sampled_results([0.5, 9.0, 1.5]));
        assert!(
            md.contains("| forward | 2.0 | (0, 2) | 1.5 | 2 |\n"),
            "{md}"
        );
        assert!(
            md.contains("| reverse | 9.0 | (0, 1) | 1.5 | 3 |\n"),
            "{md}"
        );
        // a tie: the first entry in (output, input) order, and how many more
        let md = render(&sampled_results([9.0, 9.0, 1.5]));
        assert!(
            md.contains("| reverse | 9.0 | (0, 0) and 1 more | 9.0 | 3 |\n"),
            "{md}"
        );
        let md = render(&sampled_results([2.0, 2.0, 2.0]));
        assert!(
            md.contains("| reverse | 2.0 | every entry | 2.0 | 3 |\n"),
            "{md}"
        );
    }

    #[test]
    fn the_common_step_is_the_one_whose_worst_entry_is_least_bad() {
        let mut r = results_of(vec![("s", 2, 1, 1, 1, 1.0, 1.0)]);
        let sc = &mut r.scenarios[0];
        let row = |method: &str, input: usize, h: f64, bits: Option<f64>| AccuracyRow {
            bits_err: bits,
            ..sweep_row(method, input, Some(h))
        };
        // step by step, entry by entry, as `run` writes them: input 0 has 10, 5, 8 bits
        // at the three steps and input 1 has 4, 9, 3; the first step vanished on input 1
        for (k, h) in [1e-1, 1e-2, 1e-3].into_iter().enumerate() {
            sc.accuracy
                .push(row("fd-forward", 0, h, Some([10.0, 5.0, 8.0][k])));
            let b = [None, Some(9.0), Some(3.0)][k];
            sc.accuracy
                .push(row("fd-forward", 1, if k == 0 { 0.0 } else { h }, b));
        }
        // one step per entry: not a sweep
        sc.accuracy.push(row("fd-richardson", 0, 0.05, Some(1.0)));
        sc.accuracy.push(row("fd-richardson", 1, 0.05, Some(2.0)));
        let c = common_steps(&r.scenarios[0]);
        assert_eq!(
            c,
            [CommonStep {
                method: "fd-forward".into(),
                h: 1e-3,
                worst: 8.0,
                median: 5.5,
                each_best: 5.0,
                end: Some(SweepEnd::Smallest),
            }]
        );
        assert_eq!(
            common_step_sentence(&r.scenarios[0]).unwrap(),
            "One step for every entry, the step of the sweep whose worst entry is least bad: \
             fd-forward at h = 1.00e-3 (the smallest step of the sweep: the error may keep \
             falling beyond it): worst 8.0 bits, median 5.5 (each entry at its own best step: \
             worst 5.0)."
        );
        // the same sweep with input 1 at 4, 2, 9 bits: the middle step wins, no end; and
        // with input 0 at 1, 5, 8 and input 1 at 2, 9, 3: the largest step wins
        let end_of = |a: [f64; 3], b: [f64; 3]| {
            let mut r = results_of(vec![("s", 2, 1, 1, 1, 1.0, 1.0)]);
            for (k, h) in [1e-1, 1e-2, 1e-3].into_iter().enumerate() {
                r.scenarios[0]
                    .accuracy
                    .push(row("fd-forward", 0, h, Some(a[k])));
                r.scenarios[0]
                    .accuracy
                    .push(row("fd-forward", 1, h, Some(b[k])));
            }
            let c = common_steps(&r.scenarios[0]);
            (c[0].h, c[0].end)
        };
        assert_eq!(end_of([10.0, 5.0, 8.0], [4.0, 2.0, 9.0]), (1e-2, None));
        assert_eq!(
            end_of([1.0, 5.0, 8.0], [2.0, 9.0, 3.0]),
            (1e-1, Some(SweepEnd::Largest))
        );
        // an exact worst entry cannot improve beyond the end
        assert_eq!(end_of([0.0, 5.0, 8.0], [0.0, 9.0, 3.0]), (1e-1, None));
    }

    #[test]
    fn a_sweep_without_a_finite_error_at_any_step_has_no_end() {
        // sqrt(x) + sqrt(y) at (-1, -2): NaN quotients against NaN references, 64 bits
        // and an infinite error at every step; sqrt at 0: finite quotients against an
        // infinite reference; 1/x at 0: -inf against -inf
        let nan = AccuracyRow {
            value: Some(f64::NAN),
            reference: f64::NAN,
            abs_err: Some(f64::INFINITY),
            rel_err: Some(f64::INFINITY),
            bits_err: Some(NO_FIGURE_BITS),
            ..sweep_row("fd-forward", 0, None)
        };
        let inf_ref = AccuracyRow {
            value: Some(3.16),
            reference: f64::INFINITY,
            ..nan.clone()
        };
        let pole = AccuracyRow {
            value: Some(f64::NEG_INFINITY),
            reference: f64::NEG_INFINITY,
            ..nan.clone()
        };
        let common = |rows: &[AccuracyRow]| {
            let mut r = results_of(vec![("s", 2, 1, 1, 1, 1.0, 1.0)]);
            for h in [1e-1, 1e-2, 1e-3] {
                for (input, row) in rows.iter().enumerate() {
                    r.scenarios[0].accuracy.push(AccuracyRow {
                        h: Some(h),
                        input,
                        ..row.clone()
                    });
                }
            }
            let c = common_steps(&r.scenarios[0]);
            let sentence = common_step_sentence(&r.scenarios[0]).unwrap();
            (c[0].h, c[0].worst, c[0].end, sentence)
        };
        for rows in [
            vec![nan.clone(), nan.clone()],
            vec![inf_ref.clone(), inf_ref],
            vec![pole.clone(), nan.clone()],
        ] {
            let (h, worst, end, sentence) = common(&rows);
            assert_eq!((h, worst, end), (1e-1, NO_FIGURE_BITS, None));
            assert!(!sentence.contains("step of the sweep:"), "{sentence}");
        }
        // a finite error of 64 bits is a figure: the same sweep with a finite, wrong
        // quotient on one entry still has the largest step as its end
        let wrong = AccuracyRow {
            value: Some(-1.0),
            reference: 1.0,
            abs_err: Some(2.0),
            rel_err: Some(2.0),
            ..nan.clone()
        };
        assert_eq!(common(&[wrong, nan]).2, Some(SweepEnd::Largest));
    }

    #[test]
    fn a_description_is_plain_text_in_the_summary() {
        assert_eq!(
            text("## fake | section <!-- x_i [a](b)\nnext"),
            "\\#\\# fake \\| section \\<!-- x\\_i \\[a\\](b) next"
        );
        let mut r = results_of(vec![("d", 2, 2, 3, 3, 1.0, 1.0)]);
        r.scenarios[0].description = "## fake | section <!-- hidden".into();
        let md = render(&r);
        assert!(!md.lines().any(|l| l.starts_with("## fake")), "{md}");
        // no HTML comment but an escaped one hides the rest
        assert!(!md.replace("\\<", "").contains("<!--"), "{md}");
        assert!(
            md.contains("\\#\\# fake \\| section \\<!-- hidden (family"),
            "{md}"
        );
        // no description: no line that starts with a space
        r.scenarios[0].description = String::new();
        let md = render(&r);
        assert!(
            md.contains("\nA scenario of family `dense-jacobian`, n = 2, m = 2.\n"),
            "{md}"
        );
    }

    #[test]
    fn entity_references_and_line_start_markers_in_a_description_stay_plain_text() {
        // an entity or character reference would read as the character it names
        assert_eq!(
            text("&lt;b&gt; &amp; &#60; a & b"),
            "\\&lt;b\\&gt; \\&amp; \\&\\#60; a \\& b"
        );
        // at the start of a line: a list marker, an ordered list's number, indentation
        for (s, want) in [
            ("- item", "\\- item"),
            ("+ item", "\\+ item"),
            ("- ", "\\- "),
            ("+", "\\+"),
            ("1.", "1\\."),
            ("-1.5 at x", "-1.5 at x"),
            ("--x", "--x"),
            ("1. first", "1\\. first"),
            ("123456789) ninth", "123456789\\) ninth"),
            // ten digits start no list; neither does a number without its marker
            ("1234567890. ten", "1234567890. ten"),
            ("64-64-64-10 tanh network", "64-64-64-10 tanh network"),
            ("2.5 times", "2.5 times"),
            ("     indented code", "indented code"),
            ("\t\n - x", "\\- x"),
            ("* _ x", "\\* \\_ x"),
            ("", ""),
        ] {
            assert_eq!(line_text(s), want, "{s:?}");
        }
        let mut r = results_of(vec![("d", 2, 2, 3, 3, 1.0, 1.0)]);
        r.scenarios[0].description = "entities &lt;b&gt; &amp; x".into();
        let md = render(&r);
        assert!(
            md.contains("\nentities \\&lt;b\\&gt; \\&amp; x (family"),
            "{md}"
        );
        r.scenarios[0].description = "    1. not a list".into();
        let md = render(&r);
        assert!(md.contains("\n1\\. not a list (family"), "{md}");
        // a failure's line is a list item: its own start is escaped too
        r.failures.push(crate::results::Failure {
            what: "- a & b".into(),
            error: "bad".into(),
            internal: false,
        });
        let md = render(&r);
        assert!(md.contains("\n- \\- a \\& b: bad\n"), "{md}");
    }

    #[test]
    fn the_jacobian_prose_claims_only_what_the_data_show() {
        // no wall time, forward cheaper at n = m by op count: neither explanation
        let r = results_of(vec![("a", 4, 4, 10, 20, f64::NAN, f64::NAN)]);
        let mut out = String::new();
        jacobian_section(&mut out, &r);
        assert!(out.contains("By wall time: not measured."), "{out}");
        assert!(!out.contains("wall time only from"), "{out}");
        assert!(!out.contains("At n = m reverse"), "{out}");
        // reverse cheaper at n = m by op count, and from a larger n/m in wall time
        let r = results_of(vec![
            ("a", 1, 4, 10, 20, 1.0, 2.0),
            ("b", 4, 4, 20, 10, 1.0, 2.0),
            ("c", 16, 4, 40, 10, 4.0, 2.0),
        ]);
        let mut out = String::new();
        jacobian_section(&mut out, &r);
        assert!(
            out.contains("At n = m reverse mode is already cheaper"),
            "{out}"
        );
        assert!(
            out.contains("Reverse mode wins in wall time only from a larger n/m"),
            "{out}"
        );
    }

    #[test]
    fn the_cheaper_jacobian_mode_is_decided_on_exact_times_not_rounded_ratios() {
        // TIME(function) = 1 move; TIME(forward) = 2^54 + 2 and TIME(reverse) = 2^54 + 1
        // (one move and the rest adds): both ratios round to the same f64, 2^54, but
        // reverse executes one add fewer
        let (fwd, rev) = ((1u64 << 54) + 2, (1u64 << 54) + 1);
        assert_eq!(fwd as f64, rev as f64);
        let r = results_of(vec![("j", 2, 2, fwd - 1, rev - 1, f64::NAN, f64::NAN)]);
        let mut out = String::new();
        jacobian_section(&mut out, &r);
        let row = out.lines().find(|l| l.starts_with("| j |")).unwrap();
        assert_eq!(
            row.split('|').nth(5).map(str::trim),
            Some("reverse"),
            "{row}"
        );
        assert!(
            out.contains("by op count: reverse is cheaper at every n/m measured"),
            "{out}"
        );
    }
}
