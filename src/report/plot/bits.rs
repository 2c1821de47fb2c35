//! Figure `bits-NAME`: the worst and the median bits of error of every method on one
//! scenario, as horizontal bars (for swept FD methods, each entry's best step, as in
//! the summary). Where the methods are measured over different entries (the whole
//! Jacobian for reverse mode, the sampled inputs for the others on a large scenario),
//! each bar says over how many.

use super::style::{self, Entry, Mark, DEEP_BLUE, GREY, INK, LIGHT, VERMILLION};
use super::{file_name, Figure, PlotError};
use crate::report::summary::{best_bits_by_entry, worst_and_median};
use crate::results::ScenarioResult;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Bits of error of 2^52 f64 steps: at the spacing of the reference's binade, an error
/// about as large as the reference. A value in another binade is more or fewer steps
/// from it for the same error: 0, or a value of the opposite sign, scores well above
/// 52 bits, though its relative error is 1 or 2.
const GUIDE_BITS: f64 = 52.0;

/// The guide's legend entry.
pub const GUIDE_LABEL: &str =
    "52 bits: error ~ |reference| at the spacing of its binade; 0 or the opposite sign scores more";

/// The smallest height of the figure, so that its legend fits beside a few bars.
const MIN_HEIGHT: u32 = 320;

/// The size of the value labels at the ends of the bars.
const LABEL_SIZE: u32 = 12;

/// The gap between a bar's end and its value label, in pixels.
const LABEL_GAP: i32 = 5;

/// The chart's margin in pixels, and the least room it leaves right of the axis.
const MARGIN: i32 = 14;

/// The value label at the end of a bar: one decimal, and a hand-edited value far
/// outside the axis in short form.
fn value_label(v: f64) -> String {
    if v.abs() < 1000.0 {
        format!("{v:.1}")
    } else {
        style::sci(v)
    }
}

/// The room right of the axis end, in pixels, for the widest value label of `rows` at
/// a bar that reaches the end (64 bits, or beyond, drawn at 64): its gap and width and
/// 4 pixels to spare, and at least the chart's margin. The legend is drawn beside the
/// plot, so a label inside that room never reaches it.
fn label_room(rows: &[MethodBits]) -> i32 {
    let widest = rows
        .iter()
        .flat_map(|r| [r.worst, r.median])
        .map(|v| style::text_width(&value_label(v), LABEL_SIZE))
        .max()
        .unwrap_or(0);
    MARGIN.max(LABEL_GAP + widest + 4)
}

/// One bar pair.
#[derive(Clone, Debug, PartialEq)]
pub struct MethodBits {
    /// the method
    pub method: String,
    /// the worst entry's bits
    pub worst: f64,
    /// the median entry's bits
    pub median: f64,
    /// number of entries
    pub entries: usize,
    /// the (output, input) of the worst entry (the first in that order where several tie)
    pub worst_at: (usize, usize),
    /// how many entries have the worst bits
    pub ties: usize,
}

impl MethodBits {
    /// Where the worst entry is: `(i, j)`, `(i, j) and k more` where k more entries
    /// tie with it, `every entry` where all do.
    pub fn worst_at_text(&self) -> String {
        let (i, j) = self.worst_at;
        match self.ties {
            t if t == self.entries && t > 1 => "every entry".to_string(),
            t if t > 1 => format!("({i}, {j}) and {} more", t - 1),
            _ => format!("({i}, {j})"),
        }
    }
}

/// Per method, in the order the methods first appear in the accuracy rows, the worst
/// and median bits of error over the entries.
pub fn method_bits(s: &ScenarioResult) -> Vec<MethodBits> {
    let by_entry = best_bits_by_entry(&s.accuracy);
    let mut order: Vec<&str> = Vec::new();
    for r in &s.accuracy {
        if !order.contains(&r.method.as_str()) {
            order.push(&r.method);
        }
    }
    order
        .into_iter()
        .filter_map(|m| {
            // this method's entries, in (output, input) order
            let v: Vec<f64> = by_entry
                .iter()
                .filter(|((bm, _, _), _)| *bm == m)
                .map(|(_, &b)| b)
                .collect();
            if v.is_empty() {
                return None;
            }
            let (worst, median) = worst_and_median(&v);
            let mut at_worst = by_entry
                .iter()
                .filter(|((bm, _, _), &b)| *bm == m && b == worst)
                .map(|((_, i, j), _)| (*i, *j));
            let worst_at = at_worst.next()?;
            let ties = 1 + at_worst.count();
            (worst.is_finite() && median.is_finite()).then(|| MethodBits {
                method: m.to_string(),
                worst,
                median,
                entries: v.len(),
                worst_at,
                ties,
            })
        })
        .collect()
}

/// The figure of one scenario.
#[derive(Debug)]
pub struct Bits<'a> {
    s: &'a ScenarioResult,
    rows: Vec<MethodBits>,
}

impl<'a> Bits<'a> {
    /// The figure of `s`, or `None` when no method has bits of error.
    pub fn new(s: &'a ScenarioResult) -> Option<Self> {
        let rows = method_bits(s);
        (!rows.is_empty()).then_some(Bits { s, rows })
    }
}

/// Whether the methods are measured over different numbers of entries.
fn uneven(rows: &[MethodBits]) -> bool {
    rows.iter().any(|r| r.entries != rows[0].entries)
}

/// One line reading the figure: the most and the least accurate methods.
pub fn reading(s: &ScenarioResult) -> Option<String> {
    let rows = method_bits(s);
    let best = rows.iter().min_by(|a, b| {
        a.worst
            .total_cmp(&b.worst)
            .then(a.median.total_cmp(&b.median))
    })?;
    // the least accurate: the largest worst entry, then the largest median
    let worst = rows.iter().max_by(|a, b| {
        a.worst
            .total_cmp(&b.worst)
            .then(a.median.total_cmp(&b.median))
    })?;
    let ties: Vec<&str> = rows
        .iter()
        .filter(|r| r.worst == best.worst)
        .map(|r| r.method.as_str())
        .collect();
    let least: Vec<&str> = rows
        .iter()
        .filter(|r| r.worst == worst.worst && r.median == worst.median)
        .map(|r| r.method.as_str())
        .collect();
    // every method with the same worst entry: one sentence, not the same names twice
    if best.worst == worst.worst && !uneven(&rows) {
        let all = rows.len();
        return Some(if least.len() == all {
            format!(
                "Every method ({all}) has a worst entry of {:.1} bits of error and a median of {:.1}, over {} entries.",
                worst.worst, worst.median, worst.entries
            )
        } else {
            format!(
                "Every method ({all}) has a worst entry of {:.1} bits of error; the largest median, {:.1}, is {}'s, over {} entries.",
                worst.worst,
                worst.median,
                least.join(", "),
                worst.entries
            )
        });
    }
    if uneven(&rows) {
        let over = |names: &[&str]| -> String {
            let counts: std::collections::BTreeSet<usize> = names
                .iter()
                .filter_map(|n| rows.iter().find(|r| r.method == *n))
                .map(|r| r.entries)
                .collect();
            let one = counts.len() == 1 && counts.contains(&1);
            let counts: Vec<String> = counts.iter().map(|c| c.to_string()).collect();
            format!(
                "{} {}",
                counts.join(" or "),
                if one { "entry" } else { "entries" }
            )
        };
        return Some(format!(
            "Most accurate: {} (worst entry {:.1} bits of error, over {}); least: {} (worst {:.1} bits, median {:.1}, over {}); the methods are measured over different entries, so a worst entry over more of them can be worse.",
            ties.join(", "),
            best.worst,
            over(&ties),
            least.join(", "),
            worst.worst,
            worst.median,
            over(&least)
        ));
    }
    Some(format!(
        "Most accurate: {} (worst entry {:.1} bits of error); least: {} (worst {:.1} bits, median {:.1}) over {} entries.",
        ties.join(", "),
        best.worst,
        least.join(", "),
        worst.worst,
        worst.median,
        worst.entries
    ))
}

impl Figure for Bits<'_> {
    fn stem(&self) -> String {
        format!("bits-{}", file_name(&self.s.name))
    }

    fn size(&self) -> (u32, u32) {
        (1000, (150 + 36 * self.rows.len() as u32).max(MIN_HEIGHT))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let title = format!("{}: bits of error by method", self.s.name);
        let area = style::titled(root, &title)?;
        let (w, _) = area.dim_in_pixel();
        let (plot, legend) = area.split_horizontally(w as i32 - 300);
        let k = self.rows.len();
        let kf = k as f64;
        // the value labels of bars that reach 64 bits lie right of the axis: room for
        // them inside the plot, not over the legend
        let mut chart = ChartBuilder::on(&plot)
            .margin(MARGIN)
            .margin_right(label_room(&self.rows))
            .x_label_area_size(52)
            .y_label_area_size(150)
            .build_cartesian_2d(0f64..64f64, 0f64..kf)?;
        chart
            .configure_mesh()
            .x_desc("bits of error: log2(1 + f64 steps from the result to the reference)")
            .x_labels(9)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_labels(0)
            .label_style(style::font(14))
            .axis_desc_style(style::font(15))
            .bold_line_style(LIGHT)
            .light_line_style(WHITE)
            .disable_y_mesh()
            .draw()?;

        chart.draw_series(LineSeries::new(
            vec![(GUIDE_BITS, 0.0), (GUIDE_BITS, kf)],
            style::line(GREY, 1),
        ))?;
        // the guide's label in the margin above the plot, where no bar can cover it
        let top = chart.backend_coord(&(GUIDE_BITS, kf));
        root.draw(&Text::new(
            format!("{GUIDE_BITS:.0} bits"),
            (top.0, top.1 - 1),
            style::text(12, GREY, HPos::Center, VPos::Bottom),
        ))?;
        // row r (first method on top) spans [i, i + 1] with i = k - 1 - r: the worst
        // bar in the upper half, the median in the lower
        // bars end on the axis (0..64) whatever the saved value; the labels give it
        let bar = |v: f64| v.clamp(0.0, 64.0);
        for (r, row) in self.rows.iter().enumerate() {
            let i = (k - 1 - r) as f64;
            chart.draw_series([
                Rectangle::new(
                    [(0.0, i + 0.9), (bar(row.worst), i + 0.5)],
                    VERMILLION.filled(),
                ),
                Rectangle::new(
                    [(0.0, i + 0.5), (bar(row.median), i + 0.1)],
                    DEEP_BLUE.filled(),
                ),
            ])?;
            for (v, y) in [(row.worst, i + 0.7), (row.median, i + 0.3)] {
                let at = chart.backend_coord(&(bar(v), y));
                root.draw(&Text::new(
                    value_label(v),
                    (at.0 + LABEL_GAP, at.1),
                    style::text(LABEL_SIZE, INK, HPos::Left, VPos::Center),
                ))?;
            }
            let at = chart.backend_coord(&(0.0, i + 0.5));
            let counted = uneven(&self.rows);
            root.draw(&Text::new(
                row.method.clone(),
                (at.0 - 8, if counted { at.1 - 8 } else { at.1 }),
                style::text(14, INK, HPos::Right, VPos::Center),
            ))?;
            if counted {
                root.draw(&Text::new(
                    match row.entries {
                        1 => "1 entry".to_string(),
                        n => format!("{n} entries"),
                    },
                    (at.0 - 8, at.1 + 9),
                    style::text(12, GREY, HPos::Right, VPos::Center),
                ))?;
            }
        }
        let mut entries = vec![
            Entry::new("worst entry", VERMILLION, Mark::Square),
            Entry::new("median entry", DEEP_BLUE, Mark::Square),
            Entry::new(
                "0 bits: equal to the reference rounded to f64",
                INK,
                Mark::None,
            ),
            Entry::new("swept FD methods: each entry's best step", INK, Mark::None),
            Entry::new(GUIDE_LABEL, GREY, Mark::Line),
        ];
        if uneven(&self.rows) {
            entries.push(Entry::new(
                "the methods are measured over different entries (the count under each name): the whole Jacobian, or the sampled inputs",
                INK,
                Mark::None,
            ));
        }
        style::draw_legend(&legend, None, &entries)?;
        Ok(())
    }
}
