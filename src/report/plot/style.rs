//! The shared look of the figures: the bundled font, the Okabe-Ito palette (separable
//! by colour-blind readers), the method colours, log-axis ranges, number formats, and
//! legends drawn in their own panel beside the plot so that they never hide data.

use super::PlotError;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::sync::OnceLock;

/// The font family used by every figure (the bundled DejaVu Sans is registered under
/// this name; SVG files name it, and browsers map it to their sans-serif font).
pub const FONT: &str = "sans-serif";

static FONT_BYTES: &[u8] = include_bytes!("../../../assets/DejaVuSans.ttf");

/// Registers the bundled font once; every drawing function calls it first.
pub fn ensure_font() -> Result<(), PlotError> {
    static OK: OnceLock<bool> = OnceLock::new();
    let ok = *OK.get_or_init(|| {
        [FontStyle::Normal, FontStyle::Bold]
            .into_iter()
            .all(|st| plotters::style::register_font(FONT, st, FONT_BYTES).is_ok())
    });
    if ok {
        Ok(())
    } else {
        Err(PlotError::Font)
    }
}

/// Okabe-Ito black.
pub const INK: RGBColor = RGBColor(0, 0, 0);
/// Okabe-Ito orange.
pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
/// Okabe-Ito sky blue.
pub const SKY: RGBColor = RGBColor(86, 180, 233);
/// Okabe-Ito bluish green.
pub const BLUISH_GREEN: RGBColor = RGBColor(0, 158, 115);
/// Okabe-Ito yellow, darkened so that lines on white stay visible.
pub const OLIVE: RGBColor = RGBColor(181, 166, 0);
/// Okabe-Ito blue.
pub const DEEP_BLUE: RGBColor = RGBColor(0, 114, 178);
/// Okabe-Ito vermillion.
pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
/// Okabe-Ito reddish purple.
pub const PURPLE: RGBColor = RGBColor(204, 121, 167);
/// Neutral grey for guides (reference lines, floors).
pub const GREY: RGBColor = RGBColor(110, 110, 110);
/// Light grey for grid lines.
pub const LIGHT: RGBColor = RGBColor(225, 225, 225);

/// The colour of a method, the same in every figure.
pub fn method_color(method: &str) -> RGBColor {
    let base = method.split('@').next().unwrap_or(method);
    match base {
        "fd-forward" => ORANGE,
        "fd-backward" => SKY,
        "fd-central" => BLUISH_GREEN,
        "fd-richardson" => VERMILLION,
        "complex-step" => PURPLE,
        "forward" => DEEP_BLUE,
        "forward-vector" => DEEP_BLUE,
        "reverse" => INK,
        "reverse-tensor" => GREY,
        "reverse-statement" => INK,
        "symbolic" => OLIVE,
        _ => GREY,
    }
}

/// A dash pattern (dash, gap) in pixels, `None` for a solid line, so that methods
/// sharing a colour (or lying on top of each other) stay distinguishable.
pub fn method_dash(method: &str) -> Option<(u32, u32)> {
    match method {
        "forward-vector" => Some((8, 4)),
        "reverse-tensor" => Some((8, 4)),
        "reverse-statement" => Some((8, 4)),
        "complex-step" => Some((12, 4)),
        "symbolic" => Some((3, 3)),
        _ => None,
    }
}

/// A font of the figures' family.
pub fn font(size: u32) -> FontDesc<'static> {
    (FONT, size).into_font()
}

/// A text style of the figures' family with an anchor.
pub fn text(size: u32, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    font(size).color(&color).pos(Pos::new(h, v))
}

/// Number in short scientific notation: `1.1e-10`; `0` for zero.
pub fn sci(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else if !x.is_finite() {
        format!("{x}")
    } else {
        format!("{x:.1e}")
    }
}

/// log10 of a positive value: log axes are drawn as linear axes over log10 of the
/// data, so that the ticks fall on whole decades whatever the span.
pub fn lg(v: f64) -> f64 {
    v.log10()
}

/// Tick label of a log10 coordinate: `0.1`, `1`, `10`, `100` near 1, `1e-7` beyond;
/// empty between decades.
pub fn exp_label(v: &f64) -> String {
    let r = v.round();
    if (v - r).abs() > 1e-9 {
        return String::new();
    }
    let e = r as i32;
    match e {
        -2..=0 => format!("{}", 10f64.powi(e)),
        1..=3 => format!("{}", 10i32.pow(e as u32)),
        _ => format!("1e{e}"),
    }
}

/// How many ticks to ask for on a log10 axis from `lo` to `hi` (whole decades; every
/// second decade or more beyond 15).
pub fn decade_ticks(lo: f64, hi: f64) -> usize {
    ((hi - lo).round() as usize + 1).clamp(2, 16)
}

/// The decades bracketing the positive finite values, as exponents:
/// `(floor(log10 min), ceil(log10 max))`, at least one apart; `None` without such a
/// value.
pub fn decades(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for v in values {
        if v.is_finite() && v > 0.0 {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if hi == 0.0 {
        return None;
    }
    let a = lo.log10().floor();
    let mut b = hi.log10().ceil();
    if b <= a {
        b = a + 1.0;
    }
    Some((a, b))
}

/// The end of a log10 axis whose data end at `last` (a positive value) and whose whole
/// decades end at `hi`: a tenth of a decade after `last` where that is below `hi` (n up
/// to 1024 would otherwise take an axis to 10^4, a quarter of it empty), else `hi`.
pub fn axis_end(last: f64, hi: f64) -> f64 {
    if last > 0.0 && last.is_finite() && lg(last) + 0.1 < hi {
        lg(last) + 0.1
    } else {
        hi
    }
}

/// How a legend entry shows its series.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mark {
    /// a solid line
    Line,
    /// a solid line with a dot on it
    LineDot,
    /// a solid line with a filled triangle on it
    LineTriangle,
    /// a solid line with a filled square on it
    LineSquare,
    /// a dashed line (dash, gap in pixels) with a filled triangle on it
    DashTriangle(u32, u32),
    /// a dashed line (dash, gap in pixels)
    Dash(u32, u32),
    /// a filled square (a bar)
    Square,
    /// a cross (a marked point)
    Cross,
    /// a ring, an outlined circle (a marked point)
    Ring,
    /// a filled triangle (a marked point)
    Triangle,
    /// a short thick vertical line (a bound marked across a bar)
    Tick,
    /// nothing: a line of text
    None,
}

/// One legend entry.
#[derive(Clone, Debug)]
pub struct Entry {
    /// the text
    pub label: String,
    /// the colour of the mark
    pub color: RGBColor,
    /// the mark
    pub mark: Mark,
}

impl Entry {
    /// An entry.
    pub fn new(label: impl Into<String>, color: RGBColor, mark: Mark) -> Self {
        Entry {
            label: label.into(),
            color,
            mark,
        }
    }
}

/// Height of one legend line in pixels.
pub const LEGEND_LINE: i32 = 20;

/// Height of a legend entry's continuation line (a label wrapped to fit the panel).
pub const LEGEND_WRAP: i32 = 16;

/// An upper bound on the width in pixels of `text` set in the figures' font at `size`
/// (plotters' size: the text is drawn at `size` / 1.24 pixels, as the SVG's
/// `font-size` says). Each character counts 0.66 em, the widest (capitals, m, w,
/// arithmetic signs and anything outside ASCII) 1.05 em: above DejaVu Sans' advance
/// widths (digits and most lowercase 0.64 em, m 0.97 em, W 0.99 em, @ 1 em), so that
/// text measured to fit does fit.
pub fn text_width(text: &str, size: u32) -> i32 {
    let em: f64 = text
        .chars()
        .map(|c| {
            let wide = c.is_ascii_uppercase()
                || matches!(
                    c,
                    'm' | 'w' | '~' | '^' | '=' | '+' | '<' | '>' | '%' | '&' | '@' | '#'
                )
                || !c.is_ascii();
            if wide {
                1.05
            } else {
                0.66
            }
        })
        .sum();
    (em * size as f64 / 1.24).ceil() as i32
}

/// `text` broken at spaces into lines of at most `width` pixels by [`text_width`] at
/// `size`, each line starting with the leading spaces of `text` (an indent); a word
/// too long for a line of its own is broken between characters.
pub fn wrap(text: &str, size: u32, width: i32) -> Vec<String> {
    let body = text.trim_start_matches(' ');
    let indent = &text[..text.len() - body.len()];
    // the words, the ones too long for a line cut into pieces that fit
    let mut words: Vec<String> = Vec::new();
    for word in body.split(' ').filter(|w| !w.is_empty()) {
        let mut piece = String::new();
        for c in word.chars() {
            piece.push(c);
            if piece.chars().count() > 1 && text_width(&format!("{indent}{piece}"), size) > width {
                piece.pop();
                words.push(std::mem::replace(&mut piece, c.to_string()));
            }
        }
        words.push(piece);
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in words {
        let candidate = if line.is_empty() {
            format!("{indent}{word}")
        } else {
            format!("{line} {word}")
        };
        if !line.is_empty() && text_width(&candidate, size) > width {
            lines.push(std::mem::replace(&mut line, format!("{indent}{word}")));
        } else {
            line = candidate;
        }
    }
    lines.push(line);
    lines
}

/// The font size of legend text.
pub const LEGEND_SIZE: u32 = 13;

/// The space kept free right of legend text, in pixels.
const LEGEND_MARGIN: i32 = 6;

/// Draws `entries` top-down in `area` (a panel of its own beside the plot), under an
/// optional heading; a label wider than the panel is wrapped onto continuation lines.
pub fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    heading: Option<&str>,
    entries: &[Entry],
) -> Result<(), PlotError> {
    let mut y = 14;
    if let Some(h) = heading {
        area.draw(&Text::new(
            h.to_string(),
            (8, y),
            text(15, INK, HPos::Left, VPos::Center),
        ))?;
        y += LEGEND_LINE + 2;
    }
    let (x0, x1, tx) = (10, 40, 48);
    for e in entries {
        let st = ShapeStyle::from(&e.color).stroke_width(2);
        match e.mark {
            Mark::Line => {
                area.draw(&PathElement::new(vec![(x0, y), (x1, y)], st))?;
            }
            Mark::LineDot => {
                area.draw(&PathElement::new(vec![(x0, y), (x1, y)], st))?;
                area.draw(&Circle::new(((x0 + x1) / 2, y), 3, e.color.filled()))?;
            }
            Mark::LineSquare => {
                area.draw(&PathElement::new(vec![(x0, y), (x1, y)], st))?;
                let c = (x0 + x1) / 2;
                area.draw(&Rectangle::new(
                    [(c - 4, y - 4), (c + 4, y + 4)],
                    e.color.filled(),
                ))?;
            }
            Mark::LineTriangle => {
                area.draw(&PathElement::new(vec![(x0, y), (x1, y)], st))?;
                area.draw(&TriangleMarker::new(
                    ((x0 + x1) / 2, y),
                    5,
                    e.color.filled(),
                ))?;
            }
            Mark::Dash(d, g) => {
                area.draw(&DashedPathElement::new(
                    vec![(x0, y), (x1, y)],
                    d as i32,
                    g as i32,
                    st,
                ))?;
            }
            Mark::DashTriangle(d, g) => {
                area.draw(&DashedPathElement::new(
                    vec![(x0, y), (x1, y)],
                    d as i32,
                    g as i32,
                    st,
                ))?;
                area.draw(&TriangleMarker::new(
                    ((x0 + x1) / 2, y),
                    5,
                    e.color.filled(),
                ))?;
            }
            Mark::Square => {
                area.draw(&Rectangle::new(
                    [(x0 + 6, y - 6), (x1 - 6, y + 6)],
                    e.color.filled(),
                ))?;
            }
            Mark::Cross => {
                area.draw(&Cross::new(((x0 + x1) / 2, y), 6, st))?;
            }
            Mark::Ring => {
                area.draw(&Circle::new(((x0 + x1) / 2, y), 6, st))?;
            }
            Mark::Triangle => {
                area.draw(&TriangleMarker::new(
                    ((x0 + x1) / 2, y),
                    6,
                    e.color.filled(),
                ))?;
            }
            Mark::Tick => {
                let mid = (x0 + x1) / 2;
                area.draw(&Rectangle::new(
                    [(mid - 1, y - 7), (mid + 1, y + 7)],
                    e.color.filled(),
                ))?;
            }
            Mark::None => {}
        }
        let tx = if e.mark == Mark::None { x0 } else { tx };
        let width = area.dim_in_pixel().0 as i32 - tx - LEGEND_MARGIN;
        for (k, l) in wrap(&e.label, LEGEND_SIZE, width).into_iter().enumerate() {
            if k > 0 {
                y += LEGEND_WRAP;
            }
            // an indent is an offset, not spaces: SVG viewers collapse leading spaces
            let text_part = l.trim_start_matches(' ');
            let indent = text_width(&l[..l.len() - text_part.len()], LEGEND_SIZE);
            area.draw(&Text::new(
                text_part.to_string(),
                (tx + indent, y),
                text(LEGEND_SIZE, INK, HPos::Left, VPos::Center),
            ))?;
        }
        y += LEGEND_LINE;
    }
    Ok(())
}

/// Fills the canvas white and sets the title, at 20 pixels or smaller where a long
/// scenario name would take it past the canvas; returns the area below the title.
pub fn titled<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<DrawingArea<DB, Shift>, PlotError> {
    root.fill(&WHITE)?;
    let width = root.dim_in_pixel().0 as i32 - 20;
    let size = (10..=20)
        .rev()
        .find(|&s| text_width(title, s) <= width)
        .unwrap_or(10);
    Ok(root.titled(title, font(size).color(&INK))?)
}

/// Draws the grid and the axes of a log-log chart whose coordinates are log10 values:
/// a tick per decade labelled 10^k, the axis descriptions, light grid lines.
pub fn log_log_mesh<DB: DrawingBackend>(
    chart: &mut ChartContext<
        '_,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    x_desc: &str,
    y_desc: &str,
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
) -> Result<(), PlotError> {
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_labels(decade_ticks(x0, x1))
        .y_labels(decade_ticks(y0, y1))
        .x_label_formatter(&exp_label)
        .y_label_formatter(&exp_label)
        .label_style(font(14))
        .axis_desc_style(font(15))
        .bold_line_style(LIGHT)
        .light_line_style(WHITE)
        .draw()?;
    Ok(())
}

/// A line style.
pub fn line(color: RGBColor, width: u32) -> ShapeStyle {
    ShapeStyle::from(&color).stroke_width(width)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_axis_ends_a_tenth_of_a_decade_after_its_data_when_that_is_shorter() {
        // 1024 in decades (0, 4): the axis ends at lg 1024 + 0.1, not at 10^4
        assert!((axis_end(1024.0, 4.0) - (1024f64.log10() + 0.1)).abs() < 1e-15);
        assert!((axis_end(50.0, 2.0) - (50f64.log10() + 0.1)).abs() < 1e-15);
        // data at or just below a decade keep it: 10^3 ends at 3, 950 at 3 as well
        assert_eq!(axis_end(1000.0, 3.0), 3.0);
        assert_eq!(axis_end(950.0, 3.0), 3.0);
        // nothing to end at
        assert_eq!(axis_end(0.0, 2.0), 2.0);
        assert_eq!(axis_end(f64::NAN, 2.0), 2.0);
    }

    #[test]
    fn wrapping_keeps_the_indent_and_breaks_overlong_words() {
        assert_eq!(wrap("  a b", 13, 1000), ["  a b"]);
        let w = text_width("  aaaa bbbb", 13);
        assert_eq!(wrap("  aaaa bbbb cccc", 13, w), ["  aaaa bbbb", "  cccc"]);
        let long = "x".repeat(100);
        let lines = wrap(&long, 13, 100);
        assert!(lines.len() > 1, "{lines:?}");
        assert_eq!(lines.concat(), long);
        assert!(lines.iter().all(|l| text_width(l, 13) <= 100), "{lines:?}");
        assert_eq!(wrap("", 13, 100), [""]);
    }

    #[test]
    fn text_width_bounds_the_font_layout() {
        ensure_font().unwrap();
        let samples = [
            "floor 1.0e-30: 0 and smaller errors drawn here, not joined",
            "mmmmmmmmmm wwwwwwwwww",
            "MMMMWWWW@@@%%%",
            "0123456789 1.0e-16 2^52",
            "iiiiilllll.....,,,,,",
            "fd-richardson: 4.0e-13 (at floor)",
            "model's optimal step h*",
        ];
        for size in [12, 13, 14, 20] {
            for t in samples {
                let (w, _) = font(size).box_size(t).unwrap();
                eprintln!("{size} {t:?}: layout {w}, bound {}", text_width(t, size));
                assert!(w as i32 <= text_width(t, size), "{t:?} at {size}: {w}");
            }
        }
    }
}
