//! Figure `jacobian-cost` (one for the whole run): the cost of a full Jacobian
//! relative to the function, forward mode (n tangent sweeps) against reverse mode (m
//! adjoint sweeps), against n/m, by operation count and by wall time, with the
//! crossover marked. Points come from the `jacobian-forward` and `jacobian-reverse`
//! cost rows of the dense-jacobian scenarios: one function, y = tanh(A x + b), at
//! several shapes, so that the lines and the interpolated crossover follow n/m alone
//! (a point of another function, such as fanout's, would bend them by its own cost).

use super::style::{self, lg, Entry, Mark, BLUISH_GREEN, GREY, INK, PURPLE};
use super::{Figure, PlotError};
use crate::results::RunResults;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// The family whose Jacobian costs the figure compares, shape against shape.
pub const FAMILIES: [&str; 1] = ["dense-jacobian"];

/// One scenario's point.
#[derive(Clone, Debug, PartialEq)]
pub struct JacobianPoint {
    /// scenario name
    pub name: String,
    /// inputs
    pub n: usize,
    /// outputs
    pub m: usize,
    /// forward mode, op count / function
    pub fwd_ops: f64,
    /// reverse mode, op count / function
    pub rev_ops: f64,
    /// forward mode, wall time / function
    pub fwd_wall: f64,
    /// reverse mode, wall time / function
    pub rev_wall: f64,
}

impl JacobianPoint {
    /// n / m.
    pub fn ratio(&self) -> f64 {
        self.n as f64 / self.m as f64
    }
}

/// The points of the run, by n/m then name.
pub fn points(r: &RunResults) -> Vec<JacobianPoint> {
    let mut out: Vec<JacobianPoint> = r
        .scenarios
        .iter()
        .filter(|s| FAMILIES.contains(&s.family.as_str()) && s.n > 0 && s.m > 0)
        .filter_map(|s| {
            let f = s.cost.iter().find(|c| c.mode == "jacobian-forward")?;
            let b = s.cost.iter().find(|c| c.mode == "jacobian-reverse")?;
            Some(JacobianPoint {
                name: s.name.clone(),
                n: s.n,
                m: s.m,
                fwd_ops: f.ratio,
                rev_ops: b.ratio,
                fwd_wall: f.wall_ratio,
                rev_wall: b.wall_ratio,
            })
        })
        .collect();
    out.sort_by(|a, b| a.ratio().total_cmp(&b.ratio()).then(a.name.cmp(&b.name)));
    out
}

fn good(v: f64) -> bool {
    v.is_finite() && v > 0.0
}

/// Where forward and reverse cost the same: the first sign change of
/// ln(forward / reverse) along x (points with the same x averaged), interpolated
/// linearly in ln x. Input: (x, forward, reverse); `None` without a sign change.
pub fn crossover(pts: &[(f64, f64, f64)]) -> Option<f64> {
    let mut by_x: Vec<(f64, f64, usize)> = Vec::new();
    for &(x, f, b) in pts {
        if !(good(x) && good(f) && good(b)) {
            continue;
        }
        let r = (f / b).ln();
        match by_x.iter_mut().find(|e| e.0 == x) {
            Some(e) => {
                e.1 += r;
                e.2 += 1;
            }
            None => by_x.push((x, r, 1)),
        }
    }
    by_x.sort_by(|a, b| a.0.total_cmp(&b.0));
    let v: Vec<(f64, f64)> = by_x.iter().map(|e| (e.0, e.1 / e.2 as f64)).collect();
    for w in v.windows(2) {
        let ((xa, ra), (xb, rb)) = (w[0], w[1]);
        if ra == 0.0 {
            return Some(xa);
        }
        if ra * rb < 0.0 {
            let t = ra / (ra - rb);
            return Some((xa.ln() + t * (xb.ln() - xa.ln())).exp());
        }
    }
    v.last().filter(|l| l.1 == 0.0).map(|l| l.0)
}

/// Which mode is cheaper at the smallest n/m, and the crossover, for one measure.
fn verdict(pts: &[(f64, f64, f64)]) -> Option<String> {
    let first = pts.iter().find(|p| good(p.0) && good(p.1) && good(p.2))?;
    let (cheap, dear) = if first.1 <= first.2 {
        ("forward", "reverse")
    } else {
        ("reverse", "forward")
    };
    Some(match crossover(pts) {
        Some(x) => format!("{cheap} is cheaper below n/m ~ {}, {dear} above", short(x)),
        None => format!("{cheap} is cheaper at every measured n/m"),
    })
}

fn short(x: f64) -> String {
    if (0.01..1000.0).contains(&x) {
        format!("{x:.2}")
    } else {
        style::sci(x)
    }
}

fn ops(p: &[JacobianPoint]) -> Vec<(f64, f64, f64)> {
    p.iter()
        .map(|p| (p.ratio(), p.fwd_ops, p.rev_ops))
        .collect()
}

fn wall(p: &[JacobianPoint]) -> Vec<(f64, f64, f64)> {
    p.iter()
        .map(|p| (p.ratio(), p.fwd_wall, p.rev_wall))
        .collect()
}

/// One line reading the figure.
pub fn reading(r: &RunResults) -> Option<String> {
    let p = points(r);
    let o = verdict(&ops(&p))?;
    let mut s = format!("By operation count {o}");
    if let Some(w) = verdict(&wall(&p)) {
        s += &format!("; by wall time {w}");
    }
    s += &format!(" ({} scenarios).", p.len());
    Some(s)
}

/// The figure of the run.
#[derive(Debug)]
pub struct JacobianCost {
    points: Vec<JacobianPoint>,
}

impl JacobianCost {
    /// The figure of `r`, or `None` without dense-jacobian scenarios that have both
    /// Jacobian cost modes.
    pub fn new(r: &RunResults) -> Option<Self> {
        let points = points(r);
        let any = points.iter().any(|p| {
            (good(p.fwd_ops) && good(p.rev_ops)) || (good(p.fwd_wall) && good(p.rev_wall))
        });
        any.then_some(JacobianCost { points })
    }

    fn panel<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        area: &DrawingArea<DB, Shift>,
        pts: &[(f64, f64, f64)],
        wall: bool,
    ) -> Result<(), PlotError> {
        let (x0, x1) = style::decades(pts.iter().map(|p| p.0)).unwrap_or((-1.0, 1.0));
        let (y0, y1) = style::decades(pts.iter().flat_map(|p| [p.1, p.2])).unwrap_or((0.0, 1.0));
        let caption = if wall {
            "wall time (median of paired batches)"
        } else {
            "operation count"
        };
        let mut chart = ChartBuilder::on(area)
            .caption(caption, style::font(16))
            .margin(14)
            .x_label_area_size(52)
            .y_label_area_size(80)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        style::log_log_mesh(
            &mut chart,
            "n / m (inputs per output; log scale)",
            if wall {
                "full Jacobian / function, wall time (log scale)"
            } else {
                "full Jacobian / function, op count (log scale)"
            },
            (x0, x1),
            (y0, y1),
        )?;
        match crossover(pts) {
            Some(x) => {
                chart.draw_series(DashedLineSeries::new(
                    vec![(lg(x), y0), (lg(x), y1)],
                    8,
                    4,
                    style::line(INK, 2),
                ))?;
                let at = chart.backend_coord(&(lg(x), y1));
                root.draw(&Text::new(
                    format!("crossover n/m ~ {}", short(x)),
                    (at.0 + 6, at.1 + 8),
                    style::text(14, INK, HPos::Left, VPos::Top),
                ))?;
            }
            None => {
                let at = chart.backend_coord(&(x0, y1));
                let measured = pts.iter().any(|p| good(p.0) && good(p.1) && good(p.2));
                root.draw(&Text::new(
                    if measured {
                        "no crossover in the measured range"
                    } else {
                        super::NOT_MEASURED
                    },
                    (at.0 + 8, at.1 + 8),
                    style::text(14, INK, HPos::Left, VPos::Top),
                ))?;
            }
        }
        for (k, color) in [(1usize, BLUISH_GREEN), (2, PURPLE)] {
            let line: Vec<(f64, f64)> = pts
                .iter()
                .map(|p| (p.0, if k == 1 { p.1 } else { p.2 }))
                .filter(|p| good(p.0) && good(p.1))
                .map(|p| (lg(p.0), lg(p.1)))
                .collect();
            chart.draw_series(LineSeries::new(line.clone(), style::line(color, 2)))?;
            if k == 1 {
                chart.draw_series(line.iter().map(|&p| Circle::new(p, 5, color.filled())))?;
            } else {
                chart.draw_series(
                    line.iter()
                        .map(|&p| TriangleMarker::new(p, 7, color.filled())),
                )?;
            }
        }
        // the shape of each point, under it at the bottom of the panel
        let mut labels: Vec<(f64, String)> = Vec::new();
        for p in &self.points {
            let x = p.ratio();
            let l = format!("{}x{}", p.n, p.m);
            match labels.iter_mut().find(|e| e.0 == x) {
                Some(e) => {
                    e.1 += ", ";
                    e.1 += &l;
                }
                None => labels.push((x, l)),
            }
        }
        // alternate two rows so that labels of close points do not collide
        labels.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (row, (x, l)) in labels.into_iter().enumerate() {
            if !good(x) {
                continue;
            }
            let at = chart.backend_coord(&(lg(x), y0));
            root.draw(&Text::new(
                l,
                (at.0, at.1 - 8 - 16 * (row as i32 % 2)),
                style::text(12, GREY, HPos::Center, VPos::Bottom),
            ))?;
        }
        Ok(())
    }
}

impl Figure for JacobianCost {
    fn stem(&self) -> String {
        "jacobian-cost".into()
    }

    fn size(&self) -> (u32, u32) {
        (1300, 620)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let area = style::titled(root, "Full Jacobian: forward mode against reverse mode")?;
        let (w, _) = area.dim_in_pixel();
        let (panels, legend) = area.split_horizontally(w as i32 - 260);
        let (left, right) = {
            let (pw, _) = panels.dim_in_pixel();
            panels.split_horizontally(pw as i32 / 2)
        };
        self.panel(root, &left, &ops(&self.points), false)?;
        self.panel(root, &right, &wall(&self.points), true)?;
        let mut entries = vec![
            Entry::new("forward: n tangent sweeps", BLUISH_GREEN, Mark::LineDot),
            Entry::new("reverse: m adjoint sweeps", PURPLE, Mark::LineTriangle),
            Entry::new("crossover (interpolated)", INK, Mark::Dash(8, 4)),
            Entry::new("labels: n x m", GREY, Mark::None),
            Entry::new("scenarios:", INK, Mark::None),
        ];
        for p in &self.points {
            entries.push(Entry::new(format!("  {}", p.name), INK, Mark::None));
        }
        style::draw_legend(&legend, None, &entries)?;
        Ok(())
    }
}
