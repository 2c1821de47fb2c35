//! `accuracy.csv`, `reference.csv` and `cost.csv`, with the contract's columns. Floats
//! are printed with 17 significant digits (round-trip exact), except the wall-clock
//! measurements of `cost.csv` (`wall_ns` to the nanosecond, `wall_ratio` to 4 decimals);
//! a missing value is an empty field; NaN and infinities are `NaN`, `inf`, `-inf`.

use super::ReportError;
use crate::results::RunResults;
use std::path::Path;

/// Columns of `accuracy.csv`.
pub const ACCURACY_COLUMNS: [&str; 12] = [
    "scenario",
    "method",
    "h",
    "output",
    "input",
    "value",
    "reference",
    "abs_err",
    "rel_err",
    "bits_err",
    "trunc_err",
    "round_err",
];
/// Columns of `reference.csv`.
pub const REFERENCE_COLUMNS: [&str; 7] = [
    "scenario",
    "output",
    "input",
    "reference",
    "precision_bits",
    "agreed_bits",
    "digits",
];
/// Columns of `cost.csv`.
pub const COST_COLUMNS: [&str; 16] = [
    "scenario",
    "mode",
    "moves",
    "adds",
    "mults",
    "nlops",
    "time",
    "ratio",
    "bound",
    "within",
    "tape_bytes",
    "wall_ns",
    "wall_ratio",
    "wall_ratio_q1",
    "wall_ratio_q3",
    "wall_pairs",
];

/// A float with 17 significant digits.
pub fn num(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        }
    } else if v == 0.0 {
        if v.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        }
    } else {
        format!("{v:.16e}")
    }
}

/// An optional float: empty when absent.
pub fn opt(v: Option<f64>) -> String {
    v.map(num).unwrap_or_default()
}

fn writer(path: &Path) -> Result<::csv::Writer<std::fs::File>, ReportError> {
    ::csv::Writer::from_path(path).map_err(|e| ReportError::Csv {
        path: path.display().to_string(),
        source: e,
    })
}

fn write_rows(
    path: &Path,
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<(), ReportError> {
    let mut w = writer(path)?;
    let err = |e| ReportError::Csv {
        path: path.display().to_string(),
        source: e,
    };
    w.write_record(header).map_err(err)?;
    for r in rows {
        w.write_record(&r).map_err(err)?;
    }
    w.flush().map_err(|e| ReportError::Io {
        path: path.display().to_string(),
        source: e,
    })
}

/// Writes `accuracy.csv`.
pub fn write_accuracy(path: &Path, r: &RunResults) -> Result<(), ReportError> {
    let rows = r.scenarios.iter().flat_map(|s| &s.accuracy).map(|a| {
        vec![
            a.scenario.clone(),
            a.method.clone(),
            opt(a.h),
            a.output.to_string(),
            a.input.to_string(),
            opt(a.value),
            num(a.reference),
            opt(a.abs_err),
            opt(a.rel_err),
            a.bits_err.map(|b| format!("{b:.6}")).unwrap_or_default(),
            opt(a.trunc_err),
            opt(a.round_err),
        ]
    });
    write_rows(path, &ACCURACY_COLUMNS, rows)
}

/// Writes `reference.csv`.
pub fn write_reference(path: &Path, r: &RunResults) -> Result<(), ReportError> {
    let rows = r.scenarios.iter().flat_map(|s| &s.reference).map(|e| {
        vec![
            e.scenario.clone(),
            e.output.to_string(),
            e.input.to_string(),
            num(e.reference),
            e.precision_bits.to_string(),
            e.agreed_bits.to_string(),
            if e.settled {
                e.digits.clone()
            } else {
                format!("unsettled {}", e.digits)
            },
        ]
    });
    write_rows(path, &REFERENCE_COLUMNS, rows)
}

/// Writes `cost.csv`.
pub fn write_cost(path: &Path, r: &RunResults) -> Result<(), ReportError> {
    let rows = r.scenarios.iter().flat_map(|s| &s.cost).map(|c| {
        vec![
            c.scenario.clone(),
            c.mode.clone(),
            c.moves.to_string(),
            c.adds.to_string(),
            c.mults.to_string(),
            c.nlops.to_string(),
            num(c.time),
            num(c.ratio),
            c.bound.map(|b| b.to_string()).unwrap_or_default(),
            c.within.map(|b| b.to_string()).unwrap_or_default(),
            c.tape_bytes.map(|b| b.to_string()).unwrap_or_default(),
            format!("{:.0}", c.wall_ns),
            format!("{:.4}", c.wall_ratio),
            format!("{:.4}", c.wall_ratio_q1),
            format!("{:.4}", c.wall_ratio_q3),
            c.wall_pairs.map(|p| p.to_string()).unwrap_or_default(),
        ]
    });
    write_rows(path, &COST_COLUMNS, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seventeen_significant_digits_round_trip() {
        for v in [0.1, 1.0 / 3.0, 2.0166466694282014, -1e-300, 6.02e23] {
            let s = num(v);
            assert_eq!(s.parse::<f64>().unwrap(), v, "{s}");
        }
        assert_eq!(num(f64::NAN), "NaN");
        assert_eq!(num(f64::NEG_INFINITY), "-inf");
        assert_eq!(opt(None), "");
    }
}
