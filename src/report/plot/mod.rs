//! The figures of a run: each drawn from [`RunResults`] alone, as SVG and PNG under
//! `plots/`, one source file per figure.
//!
//! | file | figure | drawn for |
//! | --- | --- | --- |
//! | `plots/error-step-NAME` | error of the FD quotients against the step, log-log | scenarios with an FD step sweep |
//! | `plots/bits-NAME` | worst and median bits of error per method | scenarios with accuracy rows |
//! | `plots/cost-NAME` | cost ratios against the bounds, op count and wall time | scenarios with cost rows |
//! | `plots/jacobian-cost` | full-Jacobian cost against n/m, forward against reverse | the run, when dense-jacobian scenarios have both Jacobian modes |
//! | `plots/recurrent` | dL/dh_0 and the AD and FD error against the number of steps | the run, when a scenario has a recurrent series |
//! | `plots/symbolic-swell` | node counts of the symbolic gradient (trees and shared DAG) and of the reverse tape against n, log-log, with exponents fitted over n >= 32 | the run, when it measured the lecture's product and sum of squares |
//!
//! `NAME` is the scenario name with every character outside `[A-Za-z0-9._-]` replaced
//! by `_`. Output is deterministic: the same results give byte-identical SVG files.
//! Text is set in the bundled DejaVu Sans (no system font library is needed); the SVG
//! files name the generic `sans-serif` family so that any browser renders them.

pub mod bits;
pub mod cost;
pub mod error_step;
pub mod jacobian_cost;
pub mod recurrent;
pub mod style;
pub mod swell;

use crate::results::RunResults;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// Errors while drawing or writing a figure.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// the bundled font could not be registered
    #[error("the bundled font could not be loaded")]
    Font,
    /// a file or folder could not be written
    #[error("{path}: {source}")]
    Io {
        /// the file or folder
        path: String,
        /// the cause
        source: std::io::Error,
    },
    /// the drawing backend failed
    #[error("{file}: drawing failed: {message}")]
    Draw {
        /// the figure being drawn (empty until known)
        file: String,
        /// what the backend reported
        message: String,
    },
}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for PlotError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        PlotError::Draw {
            file: String::new(),
            message: e.to_string(),
        }
    }
}

/// A figure that can be drawn on any plotters backend.
pub trait Figure {
    /// The file name without extension, e.g. `bits-perceptron`.
    fn stem(&self) -> String;
    /// The size in pixels (width, height).
    fn size(&self) -> (u32, u32);
    /// Draws the figure on `root` (the whole canvas).
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError>;
}

/// The file-name form of a scenario name: `[A-Za-z0-9._-]` kept, anything else `_`.
pub fn file_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// What a wall-time panel says when none of its points was measured (`--no-wall`).
pub const NOT_MEASURED: &str = "not measured (the run had --no-wall)";

/// Checks that every scenario name of `results` fits in a figure's file name: at most
/// [`crate::scenario::file::MAX_NAME_CHARS`] characters, as in scenario files (a
/// hand-edited `results.json` may hold anything), and no two of them under one file
/// name.
pub fn names_fit(results: &RunResults) -> Result<(), String> {
    let max = crate::scenario::file::MAX_NAME_CHARS;
    for s in &results.scenarios {
        let n = s.name.chars().count();
        if n > max {
            let head: String = s.name.chars().take(24).collect();
            return Err(format!(
                "scenario name '{head}...' has {n} characters; scenario names have at most {max}, since they name the figure files"
            ));
        }
    }
    // two names that one file name stands for (a hand-edited `a/b` beside `a_b`, or
    // the same name twice): the second scenario's figures would overwrite the first's
    let mut seen: std::collections::HashMap<String, &str> = std::collections::HashMap::new();
    for s in &results.scenarios {
        if let Some(first) = seen.insert(file_name(&s.name), &s.name) {
            return Err(format!(
                "scenarios '{first}' and '{}' would draw into the same figure files ({}): scenario names are unique and use letters, digits, '.', '_' and '-'",
                s.name,
                file_name(&s.name)
            ));
        }
    }
    Ok(())
}

fn io_err(path: &Path, e: std::io::Error) -> PlotError {
    PlotError::Io {
        path: path.display().to_string(),
        source: e,
    }
}

fn in_file(file: &str, e: PlotError) -> PlotError {
    match e {
        PlotError::Draw { file: f, message } if f.is_empty() => PlotError::Draw {
            file: file.to_string(),
            message,
        },
        other => other,
    }
}

/// Draws `fig` into `dir/plots/STEM.svg` and `dir/plots/STEM.png`; returns the two
/// paths relative to `dir` (SVG first).
pub fn write_figure<F: Figure>(fig: &F, dir: &Path) -> Result<Vec<PathBuf>, PlotError> {
    style::ensure_font()?;
    let plots = dir.join("plots");
    std::fs::create_dir_all(&plots).map_err(|e| io_err(&plots, e))?;
    let stem = fig.stem();
    let svg_rel = PathBuf::from("plots").join(format!("{stem}.svg"));
    let png_rel = PathBuf::from("plots").join(format!("{stem}.png"));

    let svg = render_svg(fig).map_err(|e| in_file(&svg_rel.display().to_string(), e))?;
    let svg_path = dir.join(&svg_rel);
    std::fs::write(&svg_path, svg.as_bytes()).map_err(|e| io_err(&svg_path, e))?;

    // drawn in memory and encoded here, so that a file that cannot be written is an
    // I/O error of its own (exit 2), not a failure of the drawing backend
    let png = render_png(fig).map_err(|e| in_file(&png_rel.display().to_string(), e))?;
    let png_path = dir.join(&png_rel);
    std::fs::write(&png_path, png).map_err(|e| io_err(&png_path, e))?;
    Ok(vec![svg_rel, png_rel])
}

/// The PNG bytes of a figure: drawn on an RGB buffer, then encoded as plotters' own
/// PNG writer encodes it (image's PNG encoder with its default settings).
pub fn render_png<F: Figure>(fig: &F) -> Result<Vec<u8>, PlotError> {
    use image::ImageEncoder;
    style::ensure_font()?;
    let (w, h) = fig.size();
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        fig.draw(&root)?;
        root.present()?;
    }
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(&rgb, w, h, image::ColorType::Rgb8)
        .map_err(|e| PlotError::Draw {
            file: String::new(),
            message: e.to_string(),
        })?;
    Ok(png)
}

/// The SVG text of a figure.
pub fn render_svg<F: Figure>(fig: &F) -> Result<String, PlotError> {
    style::ensure_font()?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, fig.size()).into_drawing_area();
        fig.draw(&root)?;
        root.present()?;
    }
    Ok(svg)
}

/// Writes every figure that the results support into `dir/plots/` (SVG and PNG; the
/// folder is made, empty if no figure applies) and returns the paths written, relative to `dir`, in a fixed order: per scenario (in
/// the order of the results) error against step, bits, cost; then the Jacobian cost,
/// the recurrent and the symbolic-swell figures of the whole run.
pub fn draw_all(results: &RunResults, dir: &Path) -> Result<Vec<PathBuf>, PlotError> {
    // the folder exists even when no figure applies: committed, it replaces the previous
    // run's figures instead of leaving them beside results they do not belong to
    let plots = dir.join("plots");
    std::fs::create_dir_all(&plots).map_err(|e| io_err(&plots, e))?;
    let mut out = Vec::new();
    for s in &results.scenarios {
        if let Some(f) = error_step::ErrorStep::new(s) {
            out.extend(write_figure(&f, dir)?);
        }
        if let Some(f) = bits::Bits::new(s) {
            out.extend(write_figure(&f, dir)?);
        }
        if let Some(f) = cost::Cost::new(s, results.settings.weights) {
            out.extend(write_figure(&f, dir)?);
        }
    }
    if let Some(f) = jacobian_cost::JacobianCost::new(results) {
        out.extend(write_figure(&f, dir)?);
    }
    if let Some(f) = recurrent::Recurrent::new(results) {
        out.extend(write_figure(&f, dir)?);
    }
    if let Some(f) = swell::SymbolicSwell::new(results) {
        out.extend(write_figure(&f, dir)?);
    }
    Ok(out)
}
