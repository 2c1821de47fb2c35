//! `index.html`: one page that needs no network (inline style, no script, no font or
//! resource from the network) with the summary tables rendered from the results, the
//! figures of the whole run, and a section per scenario with its figures, each under a
//! one-line reading computed from the data. Figures are referenced by their relative
//! paths (`plots/NAME.svg`, with a link to the PNG).

use crate::report::plot::{bits, cost, error_step, file_name, jacobian_cost, recurrent, swell};
use crate::report::summary::{
    best_bits_per_entry, common_step_sentence, entries_compared, fd_cost_sentence,
    lecture_sum_of_squares, sweep_end_note, tensor_sentence, theory_cells, value_sentence,
    wall_text, worst_and_median, ENTRIES_COMPARED,
};
use crate::results::{AccuracyRow, FdTheory, RunResults, ScenarioResult};
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body { font-family: 'DejaVu Sans', Verdana, Arial, sans-serif; margin: 0 auto; max-width: 1340px; padding: 0 24px 48px; color: #111; line-height: 1.45; }
h1 { margin-top: 28px; }
h2 { border-bottom: 1px solid #bbb; padding-bottom: 4px; margin-top: 40px; }
table { border-collapse: collapse; margin: 12px 0; font-size: 14px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th { background: #eee; }
td.l, th.l { text-align: left; }
td.b0 { background: #ffffff; }
td.b1 { background: #e8eef5; }
td.b2 { background: #c7d4e3; }
td.b3 { background: #9fb3cc; }
figure { margin: 18px 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { font-size: 15px; margin-top: 4px; }
figcaption a { font-size: 13px; margin-left: 8px; }
nav ul { columns: 3; font-size: 14px; }
.muted { color: #555; font-size: 14px; }
code { background: #f3f3f3; padding: 0 3px; }
";

/// The HTML id of a scenario's section.
fn anchor(name: &str) -> String {
    format!("s-{}", file_name(name))
}

/// The class of an overview cell, by bits of error (lighter is more accurate).
fn bits_class(b: f64) -> &'static str {
    if b < 8.0 {
        "b0"
    } else if b < 24.0 {
        "b1"
    } else if b < 40.0 {
        "b2"
    } else {
        "b3"
    }
}

/// The path of the figure `stem` in `plots` as a URL (SVG preferred), and the PNG.
fn find_plot(plots: &[PathBuf], stem: &str) -> (Option<String>, Option<String>) {
    let url = |p: &Path| {
        p.components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/")
    };
    let with = |ext: &str| {
        plots
            .iter()
            .find(|p| {
                p.file_stem().is_some_and(|s| s == stem) && p.extension().is_some_and(|e| e == ext)
            })
            .map(|p| url(p))
    };
    (with("svg"), with("png"))
}

fn figure(out: &mut String, plots: &[PathBuf], stem: &str, alt: &str, reading: Option<String>) {
    let (svg, png) = find_plot(plots, stem);
    let Some(src) = svg.clone().or_else(|| png.clone()) else {
        return;
    };
    let _ = writeln!(
        out,
        "<figure id=\"fig-{}\"><img src=\"{}\" alt=\"{}\">",
        escape(stem),
        escape(&src),
        escape(alt)
    );
    let _ = write!(
        out,
        "<figcaption>{}",
        escape(reading.as_deref().unwrap_or(alt))
    );
    if let (Some(_), Some(p)) = (svg, png) {
        let _ = write!(out, " <a href=\"{}\">PNG</a>", escape(&p));
    }
    let _ = writeln!(out, "</figcaption></figure>");
}

fn method_table(out: &mut String, s: &ScenarioResult) {
    let rows = bits::method_bits(s);
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<table><tr><th class=\"l\">method</th><th>worst bits</th><th>worst at (output, input)</th><th>median bits</th><th>entries</th></tr>"
    );
    for r in rows {
        let _ = writeln!(
            out,
            "<tr><td class=\"l\">{}</td><td>{:.1}</td><td>{}</td><td>{:.1}</td><td>{}</td></tr>",
            escape(&r.method),
            r.worst,
            r.worst_at_text(),
            r.median,
            r.entries
        );
    }
    let _ = writeln!(out, "</table>");
}

fn theory_table(out: &mut String, t: &[FdTheory], rows: &[AccuracyRow]) {
    let Some(first) = t.first().map(|r| (r.output, r.input)) else {
        return;
    };
    let _ = writeln!(
        out,
        "<p>Finite differences on entry (output {}, input {}): the classic error model next to the measurement.</p>",
        first.0, first.1
    );
    let _ = writeln!(
        out,
        "<table><tr><th class=\"l\">method</th><th>predicted best h</th><th>predicted error</th><th>with the rounding bound: best h</th><th>error</th><th>measured best h</th><th>measured error</th><th>textbook h</th><th>error at textbook h</th></tr>"
    );
    for r in t.iter().filter(|r| (r.output, r.input) == first) {
        let cells = theory_cells(r, rows).map(|c| escape(&c));
        let _ = writeln!(
            out,
            "<tr><td class=\"l\">{}</td><td>{}</td></tr>",
            cells[0],
            cells[1..].join("</td><td>")
        );
    }
    let _ = writeln!(out, "</table>");
    if let Some(r) = t.first() {
        let _ = writeln!(
            out,
            "<p>{}</p>",
            escape(&crate::report::summary::rounding_sentence(r))
        );
    }
    if let Some(note) = sweep_end_note(t, rows) {
        let _ = writeln!(out, "<p>{}</p>", escape(&note));
    }
}

fn cost_table(out: &mut String, s: &ScenarioResult) {
    if s.cost.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<table><tr><th class=\"l\">cost mode</th><th>ratio (op count)</th><th>bound</th><th>within</th><th>wall ratio (quartiles)</th><th>tape bytes</th></tr>"
    );
    let opt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    for c in &s.cost {
        let _ = writeln!(
            out,
            "<tr><td class=\"l\">{}</td><td>{:.3}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&c.mode),
            c.ratio,
            opt(c.bound.map(|b| b.to_string())),
            opt(c.within.map(|b| b.to_string())),
            wall_text(c),
            opt(c.tape_bytes.map(|b| b.to_string())),
        );
    }
    let _ = writeln!(out, "</table>");
    if let Some(t) = tensor_sentence(s) {
        let _ = writeln!(out, "<p>{}</p>", escape(&t.replace('`', "")));
    }
    if let Some(t) = fd_cost_sentence(s) {
        let _ = writeln!(out, "<p>{}</p>", escape(&t));
    }
}

fn overview(out: &mut String, r: &RunResults) {
    let methods = &r.settings.methods;
    let _ = writeln!(
        out,
        "<h2 id=\"overview\">Overview: worst bits of error per scenario and method</h2>"
    );
    let _ = write!(
        out,
        "<table><tr><th class=\"l\">scenario</th><th>n</th><th>m</th>"
    );
    for m in methods {
        let _ = write!(out, "<th>{}</th>", escape(m));
    }
    let _ = writeln!(out, "</tr>");
    for s in &r.scenarios {
        let bits = best_bits_per_entry(&s.accuracy);
        let _ = write!(
            out,
            "<tr><td class=\"l\"><a href=\"#{}\">{}</a></td><td>{}</td><td>{}</td>",
            escape(&anchor(&s.name)),
            escape(&s.name),
            s.n,
            s.m
        );
        for m in methods {
            match bits.get(m) {
                Some(v) => {
                    let w = worst_and_median(v).0;
                    let _ = write!(out, "<td class=\"{}\">{w:.1}</td>", bits_class(w));
                }
                None => out.push_str("<td>-</td>"),
            }
        }
        let _ = writeln!(out, "</tr>");
    }
    let _ = writeln!(out, "</table>");
    let _ = writeln!(
        out,
        "<p class=\"muted\">Shading: lighter is more accurate (under 8, 8 to 24, 24 to 40, 40 and more bits).</p>"
    );
    let compared = entries_compared(r);
    if !compared.is_empty() {
        let _ = writeln!(out, "<p>{}</p><ul>", escape(ENTRIES_COMPARED));
        for c in &compared {
            let _ = writeln!(out, "<li>{}</li>", escape(c));
        }
        let _ = writeln!(out, "</ul>");
    }
}

fn scenario_section(out: &mut String, s: &ScenarioResult, plots: &[PathBuf], run_figs: &[&str]) {
    let _ = writeln!(
        out,
        "<section id=\"{}\"><h2>{}</h2>",
        escape(&anchor(&s.name)),
        escape(&s.name)
    );
    let shape = format!(
        "family <code>{}</code>, n = {}, m = {}",
        escape(&s.family),
        s.n,
        s.m
    );
    let _ = if s.description.trim().is_empty() {
        writeln!(out, "<p>A scenario of {shape}.</p>")
    } else {
        writeln!(out, "<p>{} ({shape}).</p>", escape(&s.description))
    };
    if s.sampled.len() < s.n {
        let _ = writeln!(
            out,
            "<p class=\"muted\">FD, complex-step and forward methods evaluated {} of the {} inputs (first and last included).</p>",
            s.sampled.len(),
            s.n
        );
    }
    method_table(out, s);
    if let Some(t) = value_sentence(s) {
        let _ = writeln!(out, "<p>{}</p>", escape(&t));
    }
    if let Some(t) = common_step_sentence(s) {
        let _ = writeln!(out, "<p>{}</p>", escape(&t));
    }
    theory_table(out, &s.fd_theory, &s.accuracy);
    if let Some(t) = lecture_sum_of_squares(s) {
        let _ = writeln!(out, "<p>{}</p>", escape(&t));
    }
    cost_table(out, s);
    if !s.notes.is_empty() {
        let _ = writeln!(out, "<p>Notes:</p><ul>");
        for n in &s.notes {
            let _ = writeln!(out, "<li>{}</li>", escape(n));
        }
        let _ = writeln!(out, "</ul>");
    }
    let name = file_name(&s.name);
    figure(
        out,
        plots,
        &format!("error-step-{name}"),
        &format!("{}: error against the finite-difference step", s.name),
        error_step::reading(s),
    );
    // a sweep whose figure could not be drawn says why, rather than leaving no trace
    if let Some(why) = error_step::missing_figure(s) {
        let _ = writeln!(out, "<p>{}</p>", escape(&why));
    }
    figure(
        out,
        plots,
        &format!("bits-{name}"),
        &format!("{}: bits of error by method", s.name),
        bits::reading(s),
    );
    figure(
        out,
        plots,
        &format!("cost-{name}"),
        &format!("{}: cost ratios against the bounds", s.name),
        cost::reading(s),
    );
    if let Some(t) = recurrent::scenario_reading(s) {
        if run_figs.contains(&"recurrent") {
            let _ = writeln!(
                out,
                "<p>{}. <a href=\"#fig-recurrent\">Recurrent figure</a>.</p>",
                escape(&t)
            );
        }
    }
    let in_jacobian = jacobian_cost::FAMILIES.contains(&s.family.as_str())
        && s.cost.iter().any(|c| c.mode == "jacobian-forward")
        && s.cost.iter().any(|c| c.mode == "jacobian-reverse");
    if in_jacobian && run_figs.contains(&"jacobian-cost") {
        let _ = writeln!(
            out,
            "<p>Its full-Jacobian cost is a point of the <a href=\"#fig-jacobian-cost\">Jacobian figure</a>.</p>"
        );
    }
    let _ = writeln!(out, "</section>");
}

/// Renders the report page. `plots` are the figure paths relative to the report's
/// folder (as [`crate::report::plot::draw_all`] returns them); figures not listed are
/// left out, so the page is valid whatever was drawn.
pub fn render_html(results: &RunResults, plots: &[PathBuf]) -> String {
    let r = results;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>derivbench report</title>\n<style>{STYLE}</style>\n</head>\n<body>"
    );
    let _ = writeln!(out, "<h1>derivbench report</h1>");
    let _ = writeln!(
        out,
        "<p>derivbench {}; {} scenario(s); methods: {}{}; {}{}.</p>",
        escape(&r.version),
        r.scenarios.len(),
        escape(&r.settings.methods.join(", ")),
        if r.settings.quick {
            " (quick: every third FD step)"
        } else {
            ""
        },
        escape(&super::weights_sentence(&r.settings.weights)),
        super::wall_sentence(&r.settings)
            .map(|w| format!("; {}", escape(&w)))
            .unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "<p>Bits of error: log2(1 + number of f64 steps, or ulps, from the derivative to the MPFR reference), 0 = exact, 64 = NaN or infinite, or no figure at all (every step of the sweep vanished in f64). For FD sweep methods, each entry's best step. These are the figures <code>derivbench check</code> gates; a dash in the overview: the method does not apply to the scenario. Entries are named (output, input), counted from 0. The reference is settled when two precisions agree on {} bits (precision cap {} bits, or twice a scenario's own <code>reference.precision</code> where that is higher).</p>",
        r.settings.agree_bits, r.settings.max_precision
    );
    let _ = writeln!(
        out,
        "<p>The data beside this page: <a href=\"accuracy.csv\">accuracy.csv</a>, <a href=\"reference.csv\">reference.csv</a>, <a href=\"cost.csv\">cost.csv</a>, <a href=\"results.json\">results.json</a>; the tables across scenarios (full Jacobians, tape memory, expression swell) are in <a href=\"summary.md\">summary.md</a>.</p>"
    );
    let _ = writeln!(out, "<nav><ul>");
    if !r.failures.is_empty() {
        let _ = writeln!(
            out,
            "<li><a href=\"#failures\">Failures ({})</a></li>",
            r.failures.len()
        );
    }
    let _ = writeln!(out, "<li><a href=\"#overview\">Overview</a></li>");
    let has_run_figs = ["jacobian-cost", "recurrent", "symbolic-swell"]
        .iter()
        .any(|st| find_plot(plots, st).0.is_some() || find_plot(plots, st).1.is_some());
    if has_run_figs {
        let _ = writeln!(out, "<li><a href=\"#across\">Across scenarios</a></li>");
    }
    for s in &r.scenarios {
        let _ = writeln!(
            out,
            "<li><a href=\"#{}\">{}</a></li>",
            escape(&anchor(&s.name)),
            escape(&s.name)
        );
    }
    let _ = writeln!(out, "</ul></nav>");
    if !r.failures.is_empty() {
        let _ = writeln!(out, "<h2 id=\"failures\">Failures</h2><ul>");
        for f in &r.failures {
            let _ = writeln!(out, "<li>{}</li>", escape(&f.line()));
        }
        let _ = writeln!(out, "</ul>");
    }
    overview(&mut out, r);
    let mut run_figs: Vec<&str> = Vec::new();
    if has_run_figs {
        let _ = writeln!(out, "<h2 id=\"across\">Across scenarios</h2>");
        for (stem, alt, reading) in [
            (
                "jacobian-cost",
                "Full Jacobian: forward mode against reverse mode, against n/m",
                jacobian_cost::reading(r),
            ),
            (
                "recurrent",
                "Recurrent networks: dL_T/dh_0 and the error of AD and FD against the number of steps",
                recurrent::reading(r),
            ),
            (
                "symbolic-swell",
                "Symbolic gradient against AD: node counts against n",
                swell::reading(r),
            ),
        ] {
            let (svg, png) = find_plot(plots, stem);
            if svg.is_some() || png.is_some() {
                run_figs.push(stem);
                figure(&mut out, plots, stem, alt, reading);
            }
        }
    }
    for s in &r.scenarios {
        scenario_section(&mut out, s, plots, &run_figs);
    }
    let _ = writeln!(out, "</body>\n</html>");
    out
}
