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

/// Which mode is cheaper at one n/m.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cheaper {
    /// forward mode costs less
    Forward,
    /// reverse mode costs less
    Reverse,
    /// the two cost the same
    Equal,
}

/// A run of consecutive measured n/m (in increasing order) with the same cheaper mode:
/// (mode, first n/m, last n/m, ln(forward / reverse) at the first and at the last).
type Run = (Cheaper, (f64, f64), (f64, f64));

/// The runs of the same cheaper mode along n/m. Input: (x, forward, reverse); points
/// with a value that is not a positive number are left out, and points with the same x
/// averaged (in ln(forward / reverse)).
fn runs(pts: &[(f64, f64, f64)]) -> Vec<Run> {
    let mut by_x: Vec<(f64, Vec<f64>)> = Vec::new();
    for &(x, f, b) in pts {
        if !(good(x) && good(f) && good(b)) {
            continue;
        }
        let r = (f / b).ln();
        match by_x.iter_mut().find(|e| e.0 == x) {
            Some(e) => e.1.push(r),
            None => by_x.push((x, vec![r])),
        }
    }
    by_x.sort_by(|a, b| a.0.total_cmp(&b.0));
    // the mean of each x summed in increasing order, so that it does not depend on the
    // order of the points (their names)
    let by_x = by_x.into_iter().map(|(x, mut rs)| {
        rs.sort_by(f64::total_cmp);
        let k = rs.len();
        (x, rs.into_iter().sum::<f64>(), k)
    });
    let mut out: Vec<Run> = Vec::new();
    for (x, sum, k) in by_x {
        let r = sum / k as f64;
        let mode = if r < 0.0 {
            Cheaper::Forward
        } else if r > 0.0 {
            Cheaper::Reverse
        } else {
            Cheaper::Equal
        };
        match out.last_mut() {
            Some(run) if run.0 == mode => run.2 = (x, r),
            _ => out.push((mode, (x, r), (x, r))),
        }
    }
    out
}

/// Where the cheaper mode changes, in increasing n/m: between a run of one mode and a
/// run of the other, interpolated linearly in ln x on ln(forward / reverse); at a run
/// of equal cost that lies between the two modes or at an end of the measured range
/// (the geometric middle of the run). A run of equal cost between two runs of the
/// same mode is a touch, not a change, and is left out.
pub fn crossings(pts: &[(f64, f64, f64)]) -> Vec<f64> {
    let v = runs(pts);
    let mut out = Vec::new();
    for (k, run) in v.iter().enumerate() {
        let (mode, (xa, _), (xb, _)) = *run;
        if mode == Cheaper::Equal {
            let before = k.checked_sub(1).map(|i| v[i].0);
            let after = v.get(k + 1).map(|r| r.0);
            let change = match (before, after) {
                (Some(a), Some(b)) => a != b,
                (None, None) => false,
                _ => true,
            };
            if change {
                out.push((xa * xb).sqrt());
            }
        } else if let Some(next) = v.get(k + 1).filter(|n| n.0 != Cheaper::Equal) {
            let ((xa, ra), (xb, rb)) = (run.2, next.1);
            let t = ra / (ra - rb);
            out.push((xa.ln() + t * (xb.ln() - xa.ln())).exp());
        }
    }
    out
}

/// Where forward and reverse cost the same, when the cheaper mode changes exactly once
/// along n/m (see [`crossings`]); `None` when it does not change, or changes more than
/// once. Input: (x, forward, reverse).
pub fn crossover(pts: &[(f64, f64, f64)]) -> Option<f64> {
    match crossings(pts)[..] {
        [x] => Some(x),
        _ => None,
    }
}

fn mode_name(m: Cheaper) -> &'static str {
    match m {
        Cheaper::Forward => "forward",
        Cheaper::Reverse => "reverse",
        Cheaper::Equal => "the same cost",
    }
}

/// Which mode is cheaper along n/m, for one measure: one mode everywhere, one
/// crossover between the two, or else every run of the same cheaper mode with its
/// range.
fn verdict(pts: &[(f64, f64, f64)]) -> Option<String> {
    let v = runs(pts);
    let modes: Vec<Cheaper> = v.iter().map(|r| r.0).collect();
    // changes between forward and reverse, equal runs aside
    let sides: Vec<Cheaper> = modes
        .iter()
        .copied()
        .filter(|m| *m != Cheaper::Equal)
        .collect();
    let changes = sides.windows(2).filter(|w| w[0] != w[1]).count();
    Some(match modes[..] {
        [] => return None,
        [Cheaper::Equal] => "forward and reverse cost the same at every measured n/m".into(),
        [m] => format!("{} is cheaper at every measured n/m", mode_name(m)),
        [a, b] | [a, Cheaper::Equal, b] if a != Cheaper::Equal && b != Cheaper::Equal && a != b => {
            let x = crossover(pts)?;
            format!(
                "{} is cheaper below n/m ~ {}, {} above",
                mode_name(a),
                short(x),
                mode_name(b)
            )
        }
        _ => {
            let list: Vec<String> = v
                .iter()
                .map(|&(m, (xa, _), (xb, _))| {
                    if xa == xb {
                        format!("{} at n/m = {}", mode_name(m), short(xa))
                    } else {
                        format!("{} at n/m {} to {}", mode_name(m), short(xa), short(xb))
                    }
                })
                .collect();
            if changes >= 2 {
                format!(
                    "the cheaper mode changes {changes} times: {}",
                    list.join(", ")
                )
            } else {
                format!("the cheaper mode along n/m: {}", list.join(", "))
            }
        }
    })
}

/// The whole decades around the positive finite values with at least a quarter of a
/// decade to spare on each side, as exponents, so that no point lies on an axis.
pub fn padded_decades(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values {
        if good(v) {
            lo = lo.min(lg(v));
            hi = hi.max(lg(v));
        }
    }
    (lo <= hi).then(|| ((lo - 0.25).floor(), (hi + 0.25).ceil()))
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

/// Where scenarios of the same n/m disagree on the cheaper mode by one measure
/// (`value`: forward, reverse), in increasing n/m: "at n/m = 1.00 forward is cheaper on
/// a and reverse on b". `p` is sorted by n/m then name ([`points`]).
fn disagreements(p: &[JacobianPoint], value: impl Fn(&JacobianPoint) -> (f64, f64)) -> Vec<String> {
    let mut out = Vec::new();
    let mut k = 0;
    while k < p.len() {
        let x = p[k].ratio();
        let same = p[k..].iter().take_while(|q| q.ratio() == x).count();
        let at = &p[k..k + same];
        k += same;
        let side = |reverse: bool| -> Vec<&str> {
            at.iter()
                .filter(|q| {
                    let (f, b) = value(q);
                    good(f) && good(b) && if reverse { b < f } else { f < b }
                })
                .map(|q| q.name.as_str())
                .collect()
        };
        let (forward, reverse) = (side(false), side(true));
        if !forward.is_empty() && !reverse.is_empty() {
            out.push(format!(
                "at n/m = {} forward is cheaper on {} and reverse on {}",
                short(x),
                forward.join(", "),
                reverse.join(", ")
            ));
        }
    }
    out
}

/// A measure's verdict, with where scenarios of the same n/m disagree: the figure's
/// crossover takes the geometric mean of their forward / reverse ratios there, which
/// hides that n/m alone does not decide the cheaper mode.
fn verdict_with_disagreements(
    p: &[JacobianPoint],
    pts: &[(f64, f64, f64)],
    value: impl Fn(&JacobianPoint) -> (f64, f64),
) -> Option<String> {
    let mut v = verdict(pts)?;
    let d = disagreements(p, value);
    if !d.is_empty() {
        v += &format!(
            " (taking the geometric mean of the forward / reverse ratios of scenarios at the \
             same n/m, which disagree: {})",
            d.join("; ")
        );
    }
    Some(v)
}

/// One line reading the figure.
pub fn reading(r: &RunResults) -> Option<String> {
    let p = points(r);
    let o = verdict_with_disagreements(&p, &ops(&p), |q| (q.fwd_ops, q.rev_ops))?;
    let mut s = format!("By operation count {o}");
    if let Some(w) = verdict_with_disagreements(&p, &wall(&p), |q| (q.fwd_wall, q.rev_wall)) {
        s += &format!("; by wall time {w}");
    }
    // the summary's crossover is the pair of measured points around it, over every
    // full-Jacobian scenario; this one is interpolated on the log axes, over the figure's
    s += &format!(
        " ({} dense-jacobian scenarios; a crossover is interpolated on the log axes between the points around it).",
        p.len()
    );
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
        let (x0, x1) = padded_decades(pts.iter().map(|p| p.0)).unwrap_or((-1.0, 1.0));
        let (y0, y1) = padded_decades(pts.iter().flat_map(|p| [p.1, p.2])).unwrap_or((0.0, 1.0));
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
        let xs = crossings(pts);
        for (k, &x) in xs.iter().enumerate() {
            chart.draw_series(DashedLineSeries::new(
                vec![(lg(x), y0), (lg(x), y1)],
                8,
                4,
                style::line(INK, 2),
            ))?;
            // beside the line, on the side with more room; several crossings
            // alternate two rows
            let at = chart.backend_coord(&(lg(x), y1));
            let right_half = lg(x) > (x0 + x1) / 2.0;
            let (dx, h) = if right_half {
                (-6, HPos::Right)
            } else {
                (6, HPos::Left)
            };
            let text = if xs.len() == 1 {
                format!("crossover n/m ~ {}", short(x))
            } else {
                format!("n/m ~ {}", short(x))
            };
            root.draw(&Text::new(
                text,
                (at.0 + dx, at.1 + 8 + 18 * (k as i32 % 2)),
                style::text(14, INK, h, VPos::Top),
            ))?;
        }
        if xs.is_empty() {
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
        ];
        // only where a panel draws one
        if [ops(&self.points), wall(&self.points)]
            .iter()
            .any(|p| !crossings(p).is_empty())
        {
            entries.push(Entry::new(
                "crossover (interpolated)",
                INK,
                Mark::Dash(8, 4),
            ));
        }
        entries.push(Entry::new("labels: n x m", GREY, Mark::None));
        entries.push(Entry::new("scenarios:", INK, Mark::None));
        for p in &self.points {
            entries.push(Entry::new(format!("  {}", p.name), INK, Mark::None));
        }
        style::draw_legend(&legend, None, &entries)?;
        Ok(())
    }
}
