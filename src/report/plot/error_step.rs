//! Figure `error-step-NAME`: the error of forward, backward and central differences
//! against the step h on one representative Jacobian entry, log-log (the V-shaped
//! curve of the lecture, measured), with their truncation and rounding parts, the
//! textbook steps, the error model's optimal steps, and every method without a step
//! (AD, complex step, Richardson) as a horizontal line.

use super::style::{self, lg, Entry, Mark, GREY, INK};
use super::{file_name, Figure, PlotError};
use crate::results::{FdTheory, ScenarioResult};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// The space above the plot, in pixels, where the textbook steps are named.
const TOP_MARGIN: u32 = 24;

/// The swept difference quotients, in drawing order.
pub const SWEEPS: [&str; 3] = ["fd-forward", "fd-backward", "fd-central"];

/// Errors below this are drawn at it (besides exact zeros, which a log axis cannot show).
const MIN_FLOOR: f64 = 1e-30;

/// The entry the figure shows: the one of the summary's theory table (the first entry
/// of the FD error model: the first sampled input, output 0), else output 0 and the
/// first sampled input.
pub fn representative_entry(s: &ScenarioResult) -> Option<(usize, usize)> {
    if let Some(t) = s.fd_theory.first() {
        return Some((t.output, t.input));
    }
    s.sampled.first().map(|&j| (0, j))
}

/// One swept quotient on the representative entry: (h, error) points, h increasing.
#[derive(Clone, Debug, Default)]
struct Sweep {
    method: &'static str,
    total: Vec<(f64, f64)>,
    trunc: Vec<(f64, f64)>,
    round: Vec<(f64, f64)>,
    /// the smallest error and its step; on ties the first row of the sweep (the larger
    /// step), the rule of the error model's `measured_h`
    best: Option<(f64, f64)>,
}

/// The points of the swept quotients on one entry that the figure cannot draw, by cause.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Undrawn {
    /// steps that vanished in f64 (x + h, or x - h, rounds to x; reported as h = 0)
    pub vanished: usize,
    /// steps that took x + h or x - h beyond f64 (reported as h = inf)
    pub beyond: usize,
    /// steps evaluated without a finite error (a NaN or infinite quotient)
    pub no_error: usize,
}

impl Undrawn {
    /// The number of points left out.
    pub fn total(&self) -> usize {
        self.vanished + self.beyond + self.no_error
    }

    /// The causes, e.g. "2 whose step vanished in f64, 1 without a finite error"; empty
    /// when nothing is left out.
    fn causes(&self) -> Vec<String> {
        let mut v = Vec::new();
        if self.vanished > 0 {
            v.push(format!(
                "{} whose step vanished in f64 (below the spacing of x)",
                self.vanished
            ));
        }
        if self.beyond > 0 {
            v.push(format!(
                "{} whose x + h or x - h is beyond f64",
                self.beyond
            ));
        }
        if self.no_error > 0 {
            v.push(format!(
                "{} without a finite error (NaN or infinite)",
                self.no_error
            ));
        }
        v
    }
}

/// The points of the swept quotients (fd-forward, fd-backward, fd-central, each step of
/// the sweep) on `entry` that cannot be drawn on a log-log error-step figure.
pub fn undrawn(s: &ScenarioResult, entry: (usize, usize)) -> Undrawn {
    let mut u = Undrawn::default();
    for r in s.accuracy.iter().filter(|r| (r.output, r.input) == entry) {
        if !SWEEPS.contains(&r.method.as_str()) {
            continue;
        }
        match r.h {
            Some(0.0) => u.vanished += 1,
            Some(h) if h == f64::INFINITY => u.beyond += 1,
            Some(h) if h.is_finite() && h > 0.0 && ok(r.abs_err).is_some() => {}
            _ => u.no_error += 1,
        }
    }
    u
}

/// Why a scenario with an FD step sweep has no error-step figure, as a sentence for the
/// page that lists its figures; `None` when the figure is drawn or there is no sweep on
/// the representative entry.
pub fn missing_figure(s: &ScenarioResult) -> Option<String> {
    if ErrorStep::new(s).is_some() {
        return None;
    }
    let entry = representative_entry(s)?;
    let u = undrawn(s, entry);
    (u.total() > 0).then(|| {
        format!(
            "No error-against-step figure, since none of the {} points of the FD step sweep on dy{}/dx{} can be drawn: {}.",
            u.total(),
            entry.0,
            entry.1,
            u.causes().join(", ")
        )
    })
}

/// The data of the figure for one scenario.
#[derive(Debug)]
pub struct ErrorStep<'a> {
    s: &'a ScenarioResult,
    entry: (usize, usize),
    sweeps: Vec<Sweep>,
    /// swept points left out
    undrawn: Undrawn,
    /// methods without a step: (method, |error|)
    lines: Vec<(String, f64)>,
    /// the `@auto` rows: (swept method, h, |error|)
    autos: Vec<(&'static str, f64, f64)>,
    theory: Vec<&'a FdTheory>,
    floor: f64,
    clamped_nonzero: bool,
}

fn ok(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite() && *x >= 0.0)
}

impl<'a> ErrorStep<'a> {
    /// The figure of `s`, or `None` when it has no FD step sweep on the representative
    /// entry.
    pub fn new(s: &'a ScenarioResult) -> Option<Self> {
        let entry = representative_entry(s)?;
        let mut sweeps: Vec<Sweep> = SWEEPS
            .iter()
            .map(|&m| Sweep {
                method: m,
                ..Sweep::default()
            })
            .collect();
        let mut lines = Vec::new();
        let mut autos = Vec::new();
        for r in s.accuracy.iter().filter(|r| (r.output, r.input) == entry) {
            if let Some(k) = SWEEPS.iter().position(|&m| m == r.method) {
                let Some(h) = r.h.filter(|h| h.is_finite() && *h > 0.0) else {
                    continue;
                };
                let sw = &mut sweeps[k];
                if let Some(e) = ok(r.abs_err) {
                    sw.total.push((h, e));
                    // in the order of the rows, a later step only when strictly better
                    if sw.best.is_none_or(|b| e < b.1) {
                        sw.best = Some((h, e));
                    }
                }
                if let Some(e) = ok(r.trunc_err) {
                    sw.trunc.push((h, e));
                }
                if let Some(e) = ok(r.round_err) {
                    sw.round.push((h, e));
                }
            } else if let Some(base) = r.method.strip_suffix("@auto") {
                if let (Some(k), Some(h), Some(e)) = (
                    SWEEPS.iter().position(|&m| m == base),
                    r.h.filter(|h| h.is_finite() && *h > 0.0),
                    ok(r.abs_err),
                ) {
                    autos.push((SWEEPS[k], h, e));
                }
            } else if !r.method.contains('@') {
                if let Some(e) = ok(r.abs_err) {
                    if !lines.iter().any(|(m, _)| m == &r.method) {
                        lines.push((r.method.clone(), e));
                    }
                }
            }
        }
        for sw in &mut sweeps {
            for v in [&mut sw.total, &mut sw.trunc, &mut sw.round] {
                v.sort_by(|a, b| a.0.total_cmp(&b.0));
            }
        }
        sweeps.retain(|sw| !sw.total.is_empty());
        if sweeps.is_empty() {
            return None;
        }
        let theory: Vec<&FdTheory> = s
            .fd_theory
            .iter()
            .filter(|t| (t.output, t.input) == entry)
            .collect();
        let mut values: Vec<f64> = Vec::new();
        for sw in &sweeps {
            for v in [&sw.total, &sw.trunc, &sw.round] {
                values.extend(v.iter().map(|p| p.1));
            }
        }
        values.extend(lines.iter().map(|l| l.1));
        values.extend(autos.iter().map(|a| a.2));
        values.extend(theory.iter().filter_map(|t| ok(t.predicted_err)));
        // errors below 2^-106 |reference| (double-double resolution) are noise of
        // the MPFR evaluation, not part of any curve: they do not set the floor
        let reference = s
            .accuracy
            .iter()
            .find(|r| (r.output, r.input) == entry)
            .map(|r| r.reference.abs())
            .filter(|r| r.is_finite())
            .unwrap_or(0.0);
        let noise = reference * 2f64.powi(-106);
        let min_pos = values
            .iter()
            .copied()
            .filter(|v| *v > 0.0 && *v >= noise)
            .fold(f64::INFINITY, f64::min);
        let floor = if min_pos.is_finite() {
            10f64.powf(min_pos.log10().floor() - 1.0).max(MIN_FLOOR)
        } else {
            1e-17
        };
        let clamped_nonzero = values.iter().any(|&v| v > 0.0 && v < floor);
        Some(ErrorStep {
            s,
            entry,
            sweeps,
            undrawn: undrawn(s, entry),
            lines,
            autos,
            theory,
            floor,
            clamped_nonzero,
        })
    }

    /// The textbook steps: (h, which), from the error model or the `@auto` rows.
    fn textbook_steps(&self) -> Vec<(f64, &'static str)> {
        let mut out: Vec<(f64, &'static str)> = Vec::new();
        for m in SWEEPS {
            let h = self
                .theory
                .iter()
                .find(|t| t.method == m)
                .and_then(|t| t.auto_h)
                .or_else(|| self.autos.iter().find(|a| a.0 == m).map(|a| a.1));
            let Some(h) = h.filter(|h| h.is_finite() && *h > 0.0) else {
                continue;
            };
            let which = if m == "fd-central" {
                "central"
            } else {
                "one-sided"
            };
            if !out.iter().any(|o| o.0 == h) {
                out.push((h, which));
            }
        }
        out
    }

    fn clamp(&self, v: f64) -> f64 {
        v.max(self.floor)
    }
}

/// Points (h, error) in log10 coordinates.
type Points = Vec<(f64, f64)>;

/// The (h, error) points of a curve in log10 coordinates: the runs of consecutive
/// points at or above `floor` (each a line of two points or more), and the points below
/// it, placed on the floor.
fn runs(v: &[(f64, f64)], floor: f64) -> (Vec<Points>, Points) {
    let (mut runs, mut below) = (Vec::new(), Vec::new());
    let mut run: Points = Vec::new();
    for &(h, e) in v {
        let p = (lg(h), lg(e.max(floor)));
        if e < floor {
            below.push(p);
            runs.push(std::mem::take(&mut run));
        } else {
            run.push(p);
        }
    }
    runs.push(run);
    runs.retain(|r| r.len() >= 2);
    (runs, below)
}

/// One line reading the figure, e.g. "best fd-central error 4.0e-12 at h = 1.0e-4
/// (the model predicted h* = 4.4e-5, error 2.6e-12)".
pub fn reading(s: &ScenarioResult) -> Option<String> {
    let f = ErrorStep::new(s)?;
    let mut parts = Vec::new();
    for m in ["fd-central", "fd-forward"] {
        let Some(sw) = f.sweeps.iter().find(|sw| sw.method == m) else {
            continue;
        };
        let Some((h, e)) = sw.best else { continue };
        let mut p = format!("best {m} error {} at h = {}", style::sci(e), style::sci(h));
        if let Some(t) = f.theory.iter().find(|t| t.method == m) {
            let bound = match (t.bound_h, t.bound_err) {
                (Some(bh), Some(be)) => format!(
                    "with the rounding bound h* = {}, error {}",
                    style::sci(bh),
                    style::sci(be)
                ),
                _ => String::new(),
            };
            match (t.predicted_h, t.predicted_err) {
                (Some(ph), Some(pe)) => {
                    p += &format!(
                        " (the model predicted h* = {}, error {}{}{bound})",
                        style::sci(ph),
                        style::sci(pe),
                        if bound.is_empty() { "" } else { "; " }
                    );
                }
                _ if !bound.is_empty() => p += &format!(" (the model predicted {bound})"),
                _ => {}
            }
        }
        if let Some(a) = f.autos.iter().find(|a| a.0 == m) {
            p += &format!(
                ", {} at the textbook h = {}",
                style::sci(a.2),
                style::sci(a.1)
            );
        }
        parts.push(p);
    }
    if let Some((m, e)) = f.lines.iter().min_by(|a, b| a.1.total_cmp(&b.1)) {
        parts.push(format!("{m}: {}", style::sci(*e)));
    }
    Some(format!(
        "Entry dy{}/dx{}: {}.",
        f.entry.0,
        f.entry.1,
        parts.join("; ")
    ))
}

impl Figure for ErrorStep<'_> {
    fn stem(&self) -> String {
        format!("error-step-{}", file_name(&self.s.name))
    }

    fn size(&self) -> (u32, u32) {
        (1150, 660)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let title = format!(
            "{}: error of dy{}/dx{} against the finite-difference step",
            self.s.name, self.entry.0, self.entry.1
        );
        let area = style::titled(root, &title)?;
        let (w, _) = area.dim_in_pixel();
        let (plot, legend) = area.split_horizontally(w as i32 - 340);

        let xs = self
            .sweeps
            .iter()
            .flat_map(|sw| sw.total.iter().map(|p| p.0))
            .chain(self.autos.iter().map(|a| a.1))
            .chain(self.theory.iter().filter_map(|t| t.predicted_h))
            .chain(self.theory.iter().filter_map(|t| t.bound_h))
            .chain(self.textbook_steps().into_iter().map(|t| t.0));
        let (x0, x1) = style::decades(xs).unwrap_or((-16.0, 0.0));
        let ys = self
            .sweeps
            .iter()
            .flat_map(|sw| {
                sw.total
                    .iter()
                    .chain(&sw.trunc)
                    .chain(&sw.round)
                    .map(|p| p.1)
            })
            .chain(self.lines.iter().map(|l| l.1))
            .chain(self.autos.iter().map(|a| a.2))
            .chain(
                self.theory
                    .iter()
                    .filter(|t| t.predicted_h.is_some())
                    .filter_map(|t| t.predicted_err),
            )
            .chain(
                self.theory
                    .iter()
                    .filter(|t| t.bound_h.is_some())
                    .filter_map(|t| t.bound_err),
            )
            .chain([self.floor]);
        let (_, y1) = style::decades(ys).unwrap_or((-17.0, 0.0));
        let floor = lg(self.floor);
        let y0 = floor - 1.0;
        // (h, error) in log10 coordinates, errors below the floor at the floor
        let at = |h: f64, e: f64| (lg(h), lg(self.clamp(e)));

        let mut chart = ChartBuilder::on(&plot)
            .margin(14)
            .margin_top(TOP_MARGIN)
            .x_label_area_size(52)
            .y_label_area_size(78)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        // the height of a pixel, in decades: lines closer than a line's width coincide
        let pixels = chart.backend_coord(&(x0, y0)).1 - chart.backend_coord(&(x0, y1)).1;
        let decades_per_pixel = (y1 - y0) / f64::from(pixels.max(1));
        style::log_log_mesh(
            &mut chart,
            "step h (units of the input x; log scale)",
            "absolute error of the derivative (units of dy/dx; log scale)",
            (x0, x1),
            (y0, y1),
        )?;

        // the floor where exact zeros are drawn
        chart.draw_series(DashedLineSeries::new(
            vec![(x0, floor), (x1, floor)],
            2,
            4,
            style::line(GREY, 1),
        ))?;
        // textbook steps, labelled above the plot, where no data is drawn
        for (h, which) in self.textbook_steps() {
            chart.draw_series(LineSeries::new(
                vec![(lg(h), y0), (lg(h), y1)],
                style::line(GREY, 1),
            ))?;
            let top = chart.backend_coord(&(lg(h), y1));
            root.draw(&Text::new(
                which.to_string(),
                (top.0, top.1 - 3),
                style::text(12, GREY, HPos::Center, VPos::Bottom),
            ))?;
        }
        // methods without a step, dashed ones over solid ones so that lines on top of
        // each other stay visible
        let mut order: Vec<&(String, f64)> = self.lines.iter().collect();
        order.sort_by_key(|(m, _)| style::method_dash(m).is_some());
        for (m, e) in order {
            let c = style::method_color(m);
            let y = lg(self.clamp(*e));
            let pts = vec![(x0, y), (x1, y)];
            match style::method_dash(m) {
                Some((d, g)) => {
                    chart.draw_series(DashedLineSeries::new(pts, d, g, style::line(c, 2)))?;
                }
                None => {
                    chart.draw_series(LineSeries::new(pts, style::line(c, 2)))?;
                }
            }
        }
        // the swept quotients: parts dashed, total solid with dots. A curve is joined
        // only between points above the floor: a point below it is drawn on the floor
        // (an open circle on a part, the total's dot) but not joined, since a line down
        // to the floor would show a slope that the data does not have
        for sw in &self.sweeps {
            let c = style::method_color(sw.method);
            for (v, dash) in [(&sw.trunc, (10, 5)), (&sw.round, (3, 3))] {
                let (runs, below) = runs(v, self.floor);
                for run in runs {
                    chart.draw_series(DashedLineSeries::new(
                        run,
                        dash.0,
                        dash.1,
                        style::line(c, 2),
                    ))?;
                }
                chart.draw_series(
                    below
                        .into_iter()
                        .map(|p| Circle::new(p, 3, style::line(c, 1))),
                )?;
            }
            for run in runs(&sw.total, self.floor).0 {
                chart.draw_series(LineSeries::new(run, style::line(c, 3)))?;
            }
            chart.draw_series(
                sw.total
                    .iter()
                    .map(|&(h, e)| Circle::new(at(h, e), 4, c.filled())),
            )?;
        }
        // measured at the textbook step (outlined triangles)
        for &(m, h, e) in &self.autos {
            let c = style::method_color(m);
            chart.draw_series([
                TriangleMarker::new(at(h, e), 11, INK.filled()),
                TriangleMarker::new(at(h, e), 8, c.filled()),
            ])?;
        }
        // the model's optimum (a cross), and the optimum with the rounding of f bounded
        // from its elementals' adjoints (a ring)
        for t in &self.theory {
            let c = style::method_color(&t.method);
            for (h, e, ring) in [
                (t.predicted_h, t.predicted_err, false),
                (t.bound_h, t.bound_err, true),
            ] {
                let (Some(h), Some(e)) = (ok(h), ok(e)) else {
                    continue;
                };
                if h <= 0.0 {
                    continue;
                }
                let p = at(h, e);
                if ring {
                    chart.draw_series([
                        Circle::new(p, 9, style::line(INK, 5)),
                        Circle::new(p, 9, style::line(c, 3)),
                    ])?;
                } else {
                    chart.draw_series([
                        Cross::new(p, 10, style::line(INK, 5)),
                        Cross::new(p, 9, style::line(c, 3)),
                    ])?;
                }
            }
        }

        let mut entries = Vec::new();
        for sw in &self.sweeps {
            entries.push(Entry::new(
                format!("{}: total error", sw.method),
                style::method_color(sw.method),
                Mark::LineDot,
            ));
        }
        entries.push(Entry::new("truncation part", INK, Mark::Dash(10, 5)));
        entries.push(Entry::new("rounding part", INK, Mark::Dash(3, 3)));
        entries.push(Entry::new("at the textbook step", INK, Mark::Triangle));
        // the cross only where some method has an optimum (none where the truncation
        // term vanishes, as for a product, or the rounding term does, at f = 0)
        let has_optimum = self.theory.iter().any(
            |t| matches!((ok(t.predicted_h), ok(t.predicted_err)), (Some(h), Some(_)) if h > 0.0),
        );
        entries.push(if has_optimum {
            Entry::new("model's optimal step h*", INK, Mark::Cross)
        } else {
            Entry::new(
                "the error model has no optimal step h* here",
                INK,
                Mark::None,
            )
        });
        if self
            .theory
            .iter()
            .any(|t| matches!((ok(t.bound_h), ok(t.bound_err)), (Some(h), Some(_)) if h > 0.0))
        {
            entries.push(Entry::new(
                "h* with the rounding of f bounded",
                INK,
                Mark::Ring,
            ));
        }
        entries.push(Entry::new(
            "textbook steps (named above the plot)",
            GREY,
            Mark::Line,
        ));
        if !self.lines.is_empty() {
            entries.push(Entry::new("methods without a step sweep:", INK, Mark::None));
            let under = self.covered_lines(2.0 * decades_per_pixel);
            for ((m, e), under) in self.lines.iter().zip(under) {
                let mut v = if *e < self.floor {
                    format!("{} (at floor)", style::sci(*e))
                } else {
                    style::sci(*e)
                };
                if let Some(top) = under {
                    v += &format!(", under {top}");
                }
                let mark = match style::method_dash(m) {
                    Some((d, g)) => Mark::Dash(d, g),
                    None => Mark::Line,
                };
                entries.push(Entry::new(
                    format!("{m}: {v}"),
                    style::method_color(m),
                    mark,
                ));
            }
        }
        let what = if self.clamped_nonzero {
            "0 and smaller errors"
        } else {
            "exact zeros"
        };
        entries.push(Entry::new(
            format!(
                "floor {}: {what} drawn here, not joined",
                style::sci(self.floor)
            ),
            GREY,
            Mark::Dash(2, 4),
        ));
        let causes = self.undrawn.causes();
        if !causes.is_empty() {
            entries.push(Entry::new("swept points not drawn:", INK, Mark::None));
            for c in causes {
                entries.push(Entry::new(format!("  {c}"), INK, Mark::None));
            }
        }
        style::draw_legend(&legend, None, &entries)?;
        Ok(())
    }
}

impl ErrorStep<'_> {
    /// For each method without a step sweep, the line drawn later at the same height
    /// (within `tolerance` decades: the lines' width) with the same pattern, which hides
    /// it: the legend names it. Solid lines are drawn first, then dashed ones, each in
    /// the order of the legend; a dashed line over a solid one, or over one of another
    /// dash, leaves it visible in its gaps.
    fn covered_lines(&self, tolerance: f64) -> Vec<Option<&str>> {
        let height = |e: f64| lg(self.clamp(e));
        (0..self.lines.len())
            .map(|k| {
                let (m, e) = &self.lines[k];
                let dash = style::method_dash(m);
                self.lines[k + 1..]
                    .iter()
                    .rev()
                    .find(|(t, f)| {
                        style::method_dash(t) == dash
                            && (height(*f) - height(*e)).abs() <= tolerance
                    })
                    .map(|(t, _)| t.as_str())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_curve_is_joined_only_between_points_above_the_floor() {
        let v = [
            (1e-1, 1e-5),
            (1e-2, 1e-7),
            (1e-3, 0.0),
            (1e-4, 1e-40),
            (1e-5, 1e-9),
            (1e-6, 1e-8),
            (1e-7, 1e-31),
        ];
        let (runs, below) = runs(&v, 1e-30);
        assert_eq!(
            runs,
            [
                vec![(-1.0, -5.0), (-2.0, -7.0)],
                vec![(-5.0, -9.0), (-6.0, -8.0)]
            ]
        );
        assert_eq!(below, [(-3.0, -30.0), (-4.0, -30.0), (-7.0, -30.0)]);
    }
}
