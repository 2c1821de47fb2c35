//! Reports: the CSV files, `results.json`, `summary.md`, the figures and `index.html`,
//! written atomically.

pub mod atomic;
pub mod csv;
pub mod html;
pub mod plot;
pub mod summary;

use crate::results::RunResults;
use std::path::Path;

pub use atomic::Staging;

/// Errors while writing or reading reports.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// a file could not be written or read
    #[error("{path}: {source}")]
    Io {
        /// the file
        path: String,
        /// the cause
        source: std::io::Error,
    },
    /// a CSV file could not be written
    #[error("{path}: {source}")]
    Csv {
        /// the file
        path: String,
        /// the cause
        source: ::csv::Error,
    },
    /// a figure could not be drawn
    #[error(transparent)]
    Plot(#[from] plot::PlotError),
    /// `results.json` could not be read or written
    #[error("{path}: {source}")]
    Json {
        /// the file
        path: String,
        /// the cause
        source: serde_json::Error,
    },
}

/// Writes every tabular report of `results` into the staging folder.
pub fn write_all(st: &Staging, results: &RunResults) -> Result<(), ReportError> {
    csv::write_accuracy(&st.path("accuracy.csv"), results)?;
    csv::write_reference(&st.path("reference.csv"), results)?;
    csv::write_cost(&st.path("cost.csv"), results)?;
    // streamed into the file: the text of a large run is not held in memory
    st.write_with("results.json", |w| {
        serde_json::to_writer_pretty(w, results).map_err(std::io::Error::from)
    })?;
    st.write("summary.md", summary::render(results).as_bytes())?;
    Ok(())
}

/// Draws every figure into the staging folder's `plots/` and writes `index.html`.
pub fn write_figures(
    st: &Staging,
    results: &RunResults,
) -> Result<Vec<std::path::PathBuf>, ReportError> {
    let plots = plot::draw_all(results, st.dir())?;
    st.write("index.html", html::render_html(results, &plots).as_bytes())?;
    Ok(plots)
}

/// Reads `results.json` from a results folder.
pub fn read_results(dir: &Path) -> Result<RunResults, ReportError> {
    let path = dir.join("results.json");
    let text = std::fs::read_to_string(&path).map_err(|e| ReportError::Io {
        path: path.display().to_string(),
        source: e,
    })?;
    serde_json::from_str(&text).map_err(|e| ReportError::Json {
        path: path.display().to_string(),
        source: e,
    })
}

/// How the wall times were taken, from the run's settings: `None` for results saved
/// before the budget was recorded.
pub fn wall_sentence(settings: &crate::results::RunSettings) -> Option<String> {
    Some(match settings.wall_ms? {
        0 => "wall times not measured (--no-wall)".to_string(),
        ms => format!(
            "wall times: each cost mode timed against the function in alternating batches \
             for about {ms} ms (at least 5 pairs; --wall-ms), the function against itself \
             as a check of the pairing"
        ),
    })
}

/// The cost weights of a run as the reports state them, e.g. `cost weights (mu, pi, nu)
/// = (1, 1, 1)`, with a warning when the cost model does not prove its bounds there.
pub fn weights_sentence(w: &[f64; 3]) -> String {
    let weights = crate::measure::cost::Weights::from_array(*w);
    let mut s = format!("cost weights {}", weights.describe());
    if !weights.bounds_proven() {
        s.push_str(&format!(
            " (outside {}, where the cost model proves its bounds: a ratio above a bound \
             there is a property of the weights)",
            crate::measure::cost::PROVEN_REGION
        ));
    }
    s
}
