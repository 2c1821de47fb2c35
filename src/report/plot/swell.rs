//! Figure `symbolic-swell` (one for the whole run): node counts of the symbolic
//! gradient against n, as trees without sharing and as a shared DAG, next to the
//! reverse tape, for the lecture's `prod(i, 1, n, x[i])` and `sum(i, 1, n, x[i]^2)`,
//! log-log, with the fitted exponents and the range of n they are fitted over in the
//! legend.

use super::style::{self, lg, DEEP_BLUE, INK, LIGHT, ORANGE, VERMILLION};
use super::{Figure, PlotError};
use crate::results::{RunResults, SymbolicGrowth};
use crate::symbolic::{Swell, FIT_FROM};
use plotters::coord::Shift;
use plotters::prelude::*;

/// The figure.
pub struct SymbolicSwell<'a> {
    growth: &'a SymbolicGrowth,
}

impl<'a> SymbolicSwell<'a> {
    /// The figure of a run that measured the swell; `None` otherwise.
    pub fn new(r: &'a RunResults) -> Option<Self> {
        let g = r.symbolic_growth.as_ref()?;
        (!g.product.is_empty()).then_some(SymbolicSwell { growth: g })
    }
}

/// The range of n the exponents are fitted over, as the legend and the reading say it:
/// "n = 32 to 1024 (6 points)", from the points with n >= [`FIT_FROM`]; `None` when fewer
/// than two distinct n are that large (no exponent is fitted).
pub fn fit_range(pts: &[(usize, Swell)]) -> Option<String> {
    let mut ns: Vec<usize> = pts
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| *n >= FIT_FROM)
        .collect();
    ns.sort_unstable();
    ns.dedup();
    match ns[..] {
        [a, .., b] => Some(format!("n = {a} to {b} ({} points)", ns.len())),
        _ => None,
    }
}

/// The three sizes drawn, with their colours, dashes and exponent accessors.
type Size = (
    &'static str,
    RGBColor,
    bool,
    fn(&Swell) -> f64,
    fn(&crate::symbolic::Growth) -> f64,
);

const SIZES: [Size; 3] = [
    (
        "gradient, trees (no sharing)",
        VERMILLION,
        false,
        |w| w.gradient_tree as f64,
        |g| g.gradient_tree,
    ),
    (
        "gradient, shared DAG",
        DEEP_BLUE,
        false,
        |w| w.gradient_dag as f64,
        |g| g.gradient_dag,
    ),
    (
        "reverse tape",
        ORANGE,
        true,
        |w| w.tape_len as f64,
        |g| g.tape_len,
    ),
];

impl Figure for SymbolicSwell<'_> {
    fn stem(&self) -> String {
        "symbolic-swell".into()
    }

    fn size(&self) -> (u32, u32) {
        (1200, 560)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        root.fill(&WHITE)?;
        let root = root.titled(
            "Symbolic gradient against AD: node counts against n (log-log)",
            style::font(22),
        )?;
        let panels = root.split_evenly((1, 2));
        let series = [
            (
                "prod(i, 1, n, x[i])",
                &self.growth.product,
                &self.growth.product_exponents,
            ),
            (
                "sum(i, 1, n, x[i]^2)",
                &self.growth.sum_of_squares,
                &self.growth.sum_of_squares_exponents,
            ),
        ];
        for (panel, (title, pts, exps)) in panels.iter().zip(series) {
            let values = pts
                .iter()
                .flat_map(|(_, w)| SIZES.iter().map(move |s| (s.3)(w)));
            let (lo, hi) = style::decades(values).unwrap_or((0.0, 1.0));
            let (xlo, xhi) =
                style::decades(pts.iter().map(|(n, _)| *n as f64)).unwrap_or((0.0, 1.0));
            // n ends at 1024, just past 10^3: not an axis to 10^4
            let xhi = style::axis_end(pts.iter().map(|(n, _)| *n as f64).fold(0.0, f64::max), xhi);
            let mut chart = ChartBuilder::on(panel)
                .caption(title, style::font(16))
                .margin(12)
                .x_label_area_size(44)
                .y_label_area_size(64)
                .build_cartesian_2d(xlo..xhi, lo..hi)?;
            chart
                .configure_mesh()
                .light_line_style(LIGHT)
                .x_labels(style::decade_ticks(xlo, xhi))
                .y_labels(style::decade_ticks(lo, hi))
                .x_label_formatter(&style::exp_label)
                .y_label_formatter(&style::exp_label)
                .x_desc("n (number of inputs; log scale)")
                .y_desc("nodes (log scale)")
                .label_style(style::font(13))
                .axis_desc_style(style::font(14))
                .draw()?;
            for (name, color, dashed, size, exp) in SIZES {
                let line: Vec<(f64, f64)> = pts
                    .iter()
                    .filter(|(n, w)| *n > 0 && size(w) > 0.0)
                    .map(|(n, w)| (lg(*n as f64), lg(size(w))))
                    .collect();
                let label = format!("{name}: n^{:.2}", exp(exps));
                let style = style::line(color, 2);
                if dashed {
                    chart
                        .draw_series(DashedLineSeries::new(line.clone(), 8, 5, style))?
                        .label(label)
                        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
                } else {
                    chart
                        .draw_series(LineSeries::new(line.clone(), style))?
                        .label(label)
                        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
                }
                chart.draw_series(line.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
            }
            let fit = match fit_range(pts) {
                Some(r) => format!("exponents fitted over {r}"),
                None => format!("no fit: fewer than two n >= {FIT_FROM}"),
            };
            chart
                .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
                .label(fit)
                .legend(|(x, y)| EmptyElement::at((x, y)));
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .background_style(WHITE.mix(0.9))
                .border_style(INK)
                .label_font(style::font(13))
                .draw()?;
        }
        Ok(())
    }
}

/// One sentence: the fitted exponents of the product's gradient.
pub fn reading(r: &RunResults) -> Option<String> {
    let g = r.symbolic_growth.as_ref()?;
    let e = &g.product_exponents;
    let range = fit_range(&g.product)?;
    Some(format!(
        "Product of n inputs: the symbolic gradient without sharing grows like n^{:.2}, \
         with sharing like n^{:.2}, the reverse tape like n^{:.2} (fitted over {range}).",
        e.gradient_tree, e.gradient_dag, e.tape_len
    ))
}
