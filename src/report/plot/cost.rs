//! Figure `cost-NAME`: the cost of each derivative mode relative to the function on one
//! scenario, by operation count (`ratio`) and by wall time (`wall_ratio`) side by side,
//! each mode with a bound (`bound` in cost.csv: 5/2 for the tangent, 4 for the
//! gradients on the elemental and the matrix tape) marked on its own bar in the op-count panel (the bounds say nothing about
//! wall time), the run's weights in the legend.

use super::style::{
    self, Entry, Mark, BLUISH_GREEN, DEEP_BLUE, GREY, INK, LIGHT, OLIVE, ORANGE, PURPLE, SKY,
    VERMILLION,
};
use super::{file_name, Figure, PlotError};
use crate::results::{CostRow, ScenarioResult};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// The modes in the order of the figure; modes not listed follow in the order of the
/// rows.
pub const MODE_ORDER: [&str; 7] = [
    "tangent",
    "gradient",
    "gradient-statement",
    "function-tensor",
    "gradient-tensor",
    "jacobian-forward",
    "jacobian-reverse",
];

/// The colour of a mode's bound, marked across its bar.
pub const BOUND: RGBColor = INK;

/// The largest bound of the cost model: the op-count axis reaches at least this far,
/// so that bars are comparable between figures.
const LARGEST_BOUND: f64 = 4.0;

fn mode_color(mode: &str) -> RGBColor {
    match mode {
        "tangent" => DEEP_BLUE,
        "gradient" => VERMILLION,
        "gradient-statement" => ORANGE,
        "function-tensor" => SKY,
        "gradient-tensor" => OLIVE,
        "jacobian-forward" => BLUISH_GREEN,
        "jacobian-reverse" => PURPLE,
        _ => GREY,
    }
}

/// The cost rows of every mode but `function`, in figure order, keeping those with a
/// finite positive op-count or wall ratio.
pub fn mode_rows(s: &ScenarioResult) -> Vec<&CostRow> {
    let good = |v: f64| v.is_finite() && v > 0.0;
    let usable: Vec<&CostRow> = s
        .cost
        .iter()
        .filter(|c| c.mode != "function" && (good(c.ratio) || good(c.wall_ratio)))
        .collect();
    let mut out: Vec<&CostRow> = Vec::new();
    for m in MODE_ORDER {
        out.extend(usable.iter().copied().filter(|c| c.mode == m));
    }
    for c in &usable {
        if !MODE_ORDER.contains(&c.mode.as_str()) {
            out.push(c);
        }
    }
    out
}

/// The figure of one scenario.
#[derive(Debug)]
pub struct Cost<'a> {
    s: &'a ScenarioResult,
    rows: Vec<&'a CostRow>,
    /// the run's weights (mu, pi, nu), which the op counts and bounds are taken at
    weights: [f64; 3],
}

impl<'a> Cost<'a> {
    /// The figure of `s` at the run's `weights`, or `None` without cost rows other than
    /// `function`.
    pub fn new(s: &'a ScenarioResult, weights: [f64; 3]) -> Option<Self> {
        let rows = mode_rows(s);
        (!rows.is_empty()).then_some(Cost { s, rows, weights })
    }
}

/// One line reading the figure: each mode's op-count ratio against its bound, then
/// the wall-time ratios.
pub fn reading(s: &ScenarioResult) -> Option<String> {
    let rows = mode_rows(s);
    if rows.is_empty() {
        return None;
    }
    let ops: Vec<String> = rows
        .iter()
        .filter(|c| c.ratio.is_finite())
        .map(|c| {
            let mut p = format!("{} {:.2}", c.mode, c.ratio);
            if let Some(b) = c.bound {
                let verdict = match c.within {
                    Some(true) => "within",
                    Some(false) => "above",
                    None => "against",
                };
                p += &format!(" ({verdict} the bound {b})");
            }
            p
        })
        .collect();
    let wall: Vec<String> = rows
        .iter()
        .filter(|c| c.wall_ratio.is_finite() && c.wall_ratio > 0.0)
        .map(|c| format!("{} {}", c.mode, crate::report::summary::wall_text(c)))
        .collect();
    let mut out = format!(
        "Cost relative to the function, by op count: {}",
        ops.join(", ")
    );
    if !wall.is_empty() {
        out += &format!("; by wall time: {}", wall.join(", "));
    }
    out.push('.');
    Some(out)
}

fn value_label(c: &CostRow, wall: bool) -> String {
    let v = if wall { c.wall_ratio } else { c.ratio };
    let mut s = format!("{v:.2}");
    if !wall {
        match (c.bound, c.within) {
            (Some(b), Some(true)) => s += &format!(" <= {b}"),
            (Some(b), Some(false)) => s += &format!(" > {b}"),
            _ => {}
        }
    }
    s
}

/// The ratio axis: linear from 0 while the ratios stay small, else log10 (bars then
/// start at the function's 1).
#[derive(Clone, Copy, Debug)]
struct Axis {
    log: bool,
    lo: f64,
    hi: f64,
}

impl Axis {
    fn of(values: &[f64]) -> Axis {
        let max = values
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .fold(LARGEST_BOUND, f64::max);
        if max <= 12.0 {
            // room on the right for the value labels
            Axis {
                log: false,
                lo: 0.0,
                hi: (max * 1.45).ceil(),
            }
        } else {
            let (lo, hi) =
                style::decades(values.iter().copied().chain([1.0])).unwrap_or((0.0, 1.0));
            Axis {
                log: true,
                lo: lo.min(-0.5),
                hi: if max * 8.0 > 10f64.powf(hi) {
                    hi + 1.0
                } else {
                    hi
                },
            }
        }
    }

    /// The axis coordinate of a ratio.
    fn x(&self, v: f64) -> f64 {
        if self.log {
            style::lg(v)
        } else {
            v
        }
    }

    /// Where bars start: 0, or the function's 1 on a log axis.
    fn base(&self) -> f64 {
        if self.log {
            0.0
        } else {
            0.0f64.max(self.lo)
        }
    }
}

impl Cost<'_> {
    fn panel<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        area: &DrawingArea<DB, Shift>,
        axis: Axis,
        wall: bool,
    ) -> Result<(), PlotError> {
        let k = self.rows.len();
        let caption = if wall {
            "wall time / function (median of paired batches)"
        } else {
            "operation count / function"
        };
        let kf = k as f64;
        let mut chart = ChartBuilder::on(area)
            .caption(caption, style::font(16))
            .margin(12)
            .x_label_area_size(52)
            .y_label_area_size(135)
            .build_cartesian_2d(axis.lo..axis.hi, 0f64..kf)?;
        let desc = match (wall, axis.log) {
            (true, true) => "wall-time ratio (log scale)",
            (true, false) => "wall-time ratio",
            (false, true) => "op-count ratio (log scale)",
            (false, false) => "op-count ratio",
        };
        let linear = |v: &f64| format!("{v}");
        let mut mesh = chart.configure_mesh();
        mesh.x_desc(desc)
            .y_labels(0)
            .label_style(style::font(14))
            .axis_desc_style(style::font(15))
            .bold_line_style(LIGHT)
            .light_line_style(WHITE)
            .disable_y_mesh();
        if axis.log {
            mesh.x_labels(style::decade_ticks(axis.lo, axis.hi))
                .x_label_formatter(&style::exp_label);
        } else {
            mesh.x_labels((axis.hi as usize + 1).min(16))
                .x_label_formatter(&linear);
        }
        mesh.draw()?;
        chart.draw_series(LineSeries::new(
            vec![(axis.x(1.0), 0.0), (axis.x(1.0), kf)],
            style::line(GREY, 1),
        ))?;
        if wall
            && !self
                .rows
                .iter()
                .any(|c| c.wall_ratio.is_finite() && c.wall_ratio > 0.0)
        {
            let at = chart.backend_coord(&(axis.x(1.0), kf));
            root.draw(&Text::new(
                super::NOT_MEASURED,
                (at.0 + 8, at.1 + 8),
                style::text(14, INK, HPos::Left, VPos::Top),
            ))?;
        }
        // row r (first mode on top) spans [i, i + 1] with i = k - 1 - r
        for (r, c) in self.rows.iter().enumerate() {
            let i = (k - 1 - r) as f64;
            let at = chart.backend_coord(&(axis.lo, i + 0.5));
            root.draw(&Text::new(
                c.mode.clone(),
                (at.0 - 8, at.1),
                style::text(14, INK, HPos::Right, VPos::Center),
            ))?;
            let v = if wall { c.wall_ratio } else { c.ratio };
            let bar = (v.is_finite() && v > 0.0).then(|| axis.x(v).clamp(axis.lo, axis.hi));
            // the bound, on operation counts (none in the wall-time panel), marked 2
            // pixels wide across its own bar, over it
            let bound = c
                .bound
                .filter(|&b| !wall && b.is_finite() && b > 0.0)
                .map(|b| axis.x(b).clamp(axis.lo, axis.hi));
            if let Some(end) = bar {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(axis.base(), i + 0.8), (end, i + 0.2)],
                    mode_color(&c.mode).filled(),
                )))?;
            }
            if let Some(x) = bound {
                let top = chart.backend_coord(&(x, i + 0.94));
                let bottom = chart.backend_coord(&(x, i + 0.06));
                root.draw(&Rectangle::new(
                    [(top.0 - 1, top.1), (top.0 + 1, bottom.1)],
                    BOUND.filled(),
                ))?;
            }
            // the value right of the bar and of its bound's mark
            if let Some(end) = bar {
                let right = end.max(axis.base()).max(bound.unwrap_or(axis.base()));
                let at = chart.backend_coord(&(right, i + 0.5));
                root.draw(&Text::new(
                    value_label(c, wall),
                    (at.0 + 5, at.1),
                    style::text(13, INK, HPos::Left, VPos::Center),
                ))?;
            }
        }
        Ok(())
    }
}

impl Figure for Cost<'_> {
    fn stem(&self) -> String {
        format!("cost-{}", file_name(&self.s.name))
    }

    fn size(&self) -> (u32, u32) {
        (1300, 190 + 44 * self.rows.len() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let title = format!(
            "{}: cost of derivatives relative to the function (n = {}, m = {})",
            self.s.name, self.s.n, self.s.m
        );
        let area = style::titled(root, &title)?;
        let (w, _) = area.dim_in_pixel();
        let (panels, legend) = area.split_horizontally(w as i32 - 250);
        let (left, right) = {
            let (pw, _) = panels.dim_in_pixel();
            panels.split_horizontally(pw as i32 / 2)
        };
        // the bars and the bounds marked on them
        let values: Vec<f64> = self
            .rows
            .iter()
            .flat_map(|c| [c.ratio, c.wall_ratio, c.bound.unwrap_or(f64::NAN)])
            .filter(|v| v.is_finite() && *v > 0.0)
            .collect();
        let axis = Axis::of(&values);
        self.panel(root, &left, axis, false)?;
        self.panel(root, &right, axis, true)?;
        let mut entries: Vec<Entry> = Vec::new();
        for c in &self.rows {
            if !entries.iter().any(|e| e.label == c.mode) {
                entries.push(Entry::new(
                    c.mode.clone(),
                    mode_color(&c.mode),
                    Mark::Square,
                ));
            }
        }
        if self.rows.iter().any(|c| c.bound.is_some()) {
            let weights = crate::measure::cost::Weights::from_array(self.weights);
            entries.push(Entry::new(
                "bound on the op-count ratio (tangent 5/2, gradient 4)",
                BOUND,
                Mark::Tick,
            ));
            entries.push(Entry::new(
                format!("weights {}", weights.describe()),
                INK,
                Mark::None,
            ));
        }
        entries.push(Entry::new("function = 1", GREY, Mark::Line));
        style::draw_legend(&legend, None, &entries)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mode_has_a_colour_of_its_own_and_none_is_the_bounds_colour() {
        let colours: Vec<RGBColor> = MODE_ORDER.iter().map(|m| mode_color(m)).collect();
        for (i, a) in colours.iter().enumerate() {
            for b in &colours[i + 1..] {
                assert_ne!(a, b, "two modes share a colour");
            }
            assert_ne!(*a, BOUND, "a bar in the bounds' colour");
        }
        assert_ne!(mode_color("some-new-mode"), BOUND);
    }
}
