//! Figure `recurrent` (one for the whole run): for each recurrent scenario, the norm
//! of dL_T/dh_0 (the gradient with respect to the initial hidden state) and the bits of
//! error of reverse mode and of central differences against the number of steps T,
//! Elman network against gated cell: the vanishing or exploding gradient, measured.

use super::style::{
    self, lg, Entry, Mark, BLUISH_GREEN, DEEP_BLUE, GREY, INK, LIGHT, ORANGE, PURPLE, SKY,
    VERMILLION,
};
use super::{Figure, PlotError};
use crate::results::{RecurrentPoint, RunResults, ScenarioResult};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Dash of the FD curves (dash, gap in pixels).
const FD_DASH: (u32, u32) = (8, 5);

/// The scenarios with a recurrent series, in the order of the results, each with its
/// finite points sorted by T.
pub fn series(r: &RunResults) -> Vec<(&ScenarioResult, Vec<&RecurrentPoint>)> {
    r.scenarios
        .iter()
        .filter_map(|s| {
            let mut p: Vec<&RecurrentPoint> = s.recurrent.iter().filter(|p| p.steps > 0).collect();
            p.sort_by_key(|p| p.steps);
            (!p.is_empty()).then_some((s, p))
        })
        .collect()
}

/// Colours by family: warm for Elman networks, cool for gated cells.
fn colors(r: &RunResults) -> Vec<RGBColor> {
    let (mut e, mut g, mut o) = (0usize, 0usize, 0usize);
    series(r)
        .iter()
        .map(|(s, _)| {
            let pick = |k: &mut usize, pal: &[RGBColor]| {
                let c = pal[*k % pal.len()];
                *k += 1;
                c
            };
            match s.family.as_str() {
                "elman-rnn" => pick(&mut e, &[VERMILLION, ORANGE, PURPLE]),
                "gated-rnn" => pick(&mut g, &[DEEP_BLUE, BLUISH_GREEN, SKY]),
                _ => pick(&mut o, &[INK, GREY]),
            }
        })
        .collect()
}

/// One sentence on one scenario's series: how the norm of dL_T/dh_0 behaves from the
/// shortest to the longest sequence (settling, or growing or decaying by a geometric
/// factor per step),
/// and the worst AD and FD errors; `None` without a series.
pub fn scenario_reading(s: &ScenarioResult) -> Option<String> {
    let mut p: Vec<&RecurrentPoint> = s.recurrent.iter().filter(|p| p.steps > 0).collect();
    p.sort_by_key(|p| p.steps);
    let (a, b) = (*p.first()?, *p.last()?);
    let mut t = format!(
        "{}: |dL_T/dh0| {} at T = {}",
        s.name,
        style::sci(a.grad_h0_norm),
        a.steps
    );
    // the first T from which every norm is within 1% of the last one
    let settle = (0..p.len())
        .find(|&k| {
            p[k..]
                .iter()
                .all(|q| (q.grad_h0_norm - b.grad_h0_norm).abs() <= 0.01 * b.grad_h0_norm.abs())
        })
        .map(|k| p[k].steps);
    let factor = (b.steps > a.steps && a.grad_h0_norm > 0.0 && b.grad_h0_norm > 0.0)
        .then(|| (b.grad_h0_norm / a.grad_h0_norm).powf(1.0 / (b.steps - a.steps) as f64));
    let ratio = b.grad_h0_norm / a.grad_h0_norm;
    match (settle, factor) {
        // one T: nothing to go to
        _ if b.steps == a.steps => {}
        (Some(k), _) if k > a.steps && k < b.steps => {
            t += &format!(
                ", settles at {} from T = {k} on",
                style::sci(b.grad_h0_norm)
            );
        }
        (_, Some(f)) if !(0.1..=10.0).contains(&ratio) => {
            let how = if f > 1.0 { "exploding" } else { "vanishing" };
            t += &format!(
                " to {} at T = {} (x{f:.3} per step: {how})",
                style::sci(b.grad_h0_norm),
                b.steps
            );
        }
        _ => {
            t += &format!(" to {} at T = {}", style::sci(b.grad_h0_norm), b.steps);
        }
    }
    // the worst of each over the series, and the first T where it is reached
    let worst = |bits: fn(&RecurrentPoint) -> f64| {
        p.iter()
            .map(|q| (bits(q), q.steps))
            .filter(|(b, _)| !b.is_nan())
            .fold(None, |w: Option<(f64, usize)>, (b, t)| match w {
                Some((wb, _)) if wb >= b => w,
                _ => Some((b, t)),
            })
    };
    let (ad, fd) = (worst(|q| q.ad_bits), worst(|q| q.fd_bits));
    let at = |w: Option<(f64, usize)>| {
        w.map_or("no figure".to_string(), |(b, t)| {
            format!("{b:.1} bits at T = {t}")
        })
    };
    t += &format!(
        "; the worst error of the weight gradient of L (the loss summed over the T steps, \
         not L_T) over the T of the series: {} by reverse mode (every weight), {} by central differences at the textbook step ({} \
         evenly spaced weights)",
        at(ad),
        at(fd),
        crate::measure::recurrent::FD_SAMPLE
    );
    Some(t)
}

/// One line reading the figure: [`scenario_reading`] of each recurrent scenario.
pub fn reading(r: &RunResults) -> Option<String> {
    let parts: Vec<String> = series(r)
        .iter()
        .filter_map(|(s, _)| scenario_reading(s))
        .collect();
    (!parts.is_empty()).then(|| format!("{}.", parts.join(". ")))
}

/// The figure of the run.
#[derive(Debug)]
pub struct Recurrent<'a> {
    r: &'a RunResults,
}

impl<'a> Recurrent<'a> {
    /// The figure of `r`, or `None` when no scenario has a recurrent series.
    pub fn new(r: &'a RunResults) -> Option<Self> {
        (!series(r).is_empty()).then_some(Recurrent { r })
    }
}

impl Figure for Recurrent<'_> {
    fn stem(&self) -> String {
        "recurrent".into()
    }

    fn size(&self) -> (u32, u32) {
        (1300, 620)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let area = style::titled(
            root,
            "Recurrent networks: the gradient through T steps, and its error",
        )?;
        let (w, _) = area.dim_in_pixel();
        let (panels, legend) = area.split_horizontally(w as i32 - 280);
        let (left, right) = {
            let (pw, _) = panels.dim_in_pixel();
            panels.split_horizontally(pw as i32 / 2)
        };
        let ser = series(self.r);
        let cols = colors(self.r);
        let steps = ser
            .iter()
            .flat_map(|(_, p)| p.iter().map(|q| q.steps as f64));
        let last = steps.clone().fold(0.0, f64::max);
        let (x0, x1) = style::decades(steps).unwrap_or((0.0, 1.0));
        // T ends at 50: not an axis to 100
        let x1 = style::axis_end(last, x1);

        // left: the norm of dL_T/dh_0
        let norms: Vec<f64> = ser
            .iter()
            .flat_map(|(_, p)| p.iter().map(|q| q.grad_h0_norm))
            .collect();
        let min_pos = norms
            .iter()
            .copied()
            .filter(|v| v.is_finite() && *v > 0.0)
            .fold(f64::INFINITY, f64::min);
        // the floor's decade, kept as an exponent: 10^-325, a decade below a subnormal
        // norm of 1e-323, is 0 in f64
        let floor = if min_pos.is_finite() {
            min_pos.log10().floor() - 1.0
        } else {
            -17.0
        };
        let has_zero = norms.contains(&0.0);
        let y1 = style::decades(norms.iter().copied()).map_or(floor + 1.0, |(_, b)| b);
        // a decade below the smallest norm's decade (a norm of 1.2e-20 would otherwise
        // sit on the axis), and one more for the floor line of zero norms
        let y0 = if has_zero { floor - 1.0 } else { floor };
        // at least one decade: norms all equal to a power of ten, or none positive and
        // finite, would otherwise leave an empty range
        let y1 = y1.max(y0 + 1.0);
        let mut chart = ChartBuilder::on(&left)
            .caption("norm of dL_T/dh_0 (MPFR reference)", style::font(16))
            .margin(14)
            .x_label_area_size(52)
            .y_label_area_size(78)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        style::log_log_mesh(
            &mut chart,
            "number of steps T (log scale)",
            "|dL_T/dh_0| (loss per unit of h; log scale)",
            (x0, x1),
            (y0, y1),
        )?;
        if has_zero {
            chart.draw_series(DashedLineSeries::new(
                vec![(x0, floor), (x1, floor)],
                2,
                4,
                style::line(GREY, 1),
            ))?;
        }
        for ((_, p), &c) in ser.iter().zip(&cols) {
            let pts: Vec<(f64, f64)> = p
                .iter()
                .filter(|q| q.grad_h0_norm.is_finite())
                .map(|q| (lg(q.steps as f64), lg(q.grad_h0_norm).max(floor)))
                .collect();
            chart.draw_series(LineSeries::new(pts.clone(), style::line(c, 2)))?;
            // squares here, dots for reverse mode on the right: the legend tells them apart
            chart
                .draw_series(pts.iter().map(|&q| {
                    EmptyElement::at(q) + Rectangle::new([(-4, -4), (4, 4)], c.filled())
                }))?;
        }

        // right: bits of error
        let bits = ser
            .iter()
            .flat_map(|(_, p)| p.iter().flat_map(|q| [q.ad_bits, q.fd_bits]))
            .filter(|v| v.is_finite())
            .fold(0.0f64, f64::max);
        let top = ((bits + 4.0) / 8.0).ceil() * 8.0;
        let top = top.clamp(8.0, 64.0);
        let mut chart = ChartBuilder::on(&right)
            .caption(
                "worst bits of error over the weight gradient",
                style::font(16),
            )
            .margin(14)
            .x_label_area_size(52)
            .y_label_area_size(60)
            .build_cartesian_2d(x0..x1, 0f64..top)?;
        chart
            .configure_mesh()
            .x_desc("number of steps T (log scale)")
            .y_desc("bits of error (0 = exact)")
            .x_labels(style::decade_ticks(x0, x1))
            .x_label_formatter(&style::exp_label)
            .y_label_formatter(&|v| format!("{v:.0}"))
            .label_style(style::font(14))
            .axis_desc_style(style::font(15))
            .bold_line_style(LIGHT)
            .light_line_style(WHITE)
            .draw()?;
        for ((_, p), &c) in ser.iter().zip(&cols) {
            let ad: Vec<(f64, f64)> = p
                .iter()
                .filter(|q| q.ad_bits.is_finite())
                .map(|q| (lg(q.steps as f64), q.ad_bits.clamp(0.0, top)))
                .collect();
            let fd: Vec<(f64, f64)> = p
                .iter()
                .filter(|q| q.fd_bits.is_finite())
                .map(|q| (lg(q.steps as f64), q.fd_bits.clamp(0.0, top)))
                .collect();
            chart.draw_series(LineSeries::new(ad.clone(), style::line(c, 2)))?;
            chart.draw_series(ad.iter().map(|&q| Circle::new(q, 4, c.filled())))?;
            chart.draw_series(DashedLineSeries::new(
                fd.clone(),
                FD_DASH.0,
                FD_DASH.1,
                style::line(c, 2),
            ))?;
            chart.draw_series(fd.iter().map(|&q| TriangleMarker::new(q, 6, c.filled())))?;
        }

        let mut entries: Vec<Entry> = ser
            .iter()
            .zip(&cols)
            .map(|((s, _), &c)| Entry::new(s.name.clone(), c, Mark::Square))
            .collect();
        entries.push(Entry::new("", INK, Mark::None));
        entries.push(Entry::new("|dL_T/dh_0| (left)", INK, Mark::LineSquare));
        entries.push(Entry::new("reverse mode (right)", INK, Mark::LineDot));
        entries.push(Entry::new(
            "central differences at the",
            INK,
            Mark::DashTriangle(FD_DASH.0, FD_DASH.1),
        ));
        entries.push(Entry::new("     textbook step (right),", INK, Mark::None));
        entries.push(Entry::new(
            format!(
                "     on {} sampled weights",
                crate::measure::recurrent::FD_SAMPLE
            ),
            INK,
            Mark::None,
        ));
        if has_zero {
            entries.push(Entry::new(
                format!("floor 1.0e{floor}: zero norms"),
                GREY,
                Mark::Dash(2, 4),
            ));
        }
        style::draw_legend(&legend, None, &entries)?;
        Ok(())
    }
}
