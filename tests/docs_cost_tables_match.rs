//! The op-count tables of docs/cost.md agree with the implementation: every ratio the
//! document prints (tangent and gradient per scenario, forward and reverse Jacobians,
//! the matrix-level tape, the statement-level tape) is recomputed from the counting
//! scalar and compared at the precision printed. Wall-time columns are measurements and are not checked.

mod common;

use common::suite::scenario;
use derivbench::measure::cost::{cost_rows, Weights};
use derivbench::results::CostRow;
use std::path::Path;

/// The rows (cells, trimmed) of the table whose header line is `header`.
fn table(doc: &str, header: &str) -> Vec<Vec<String>> {
    let mut lines = doc.lines().skip_while(|l| l.trim() != header);
    assert!(lines.next().is_some(), "docs/cost.md has no table {header}");
    lines
        .skip(1) // the separator
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect()
}

fn ratio(rows: &[CostRow], mode: &str) -> f64 {
    rows.iter()
        .find(|r| r.mode == mode)
        .unwrap_or_else(|| panic!("no {mode} row"))
        .ratio
}

/// Checks one table: for each row, each (column, mode, decimals) against the counts.
fn check(header: &str, columns: &[(usize, &str, usize)]) -> usize {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/cost.md"))
        .expect("docs/cost.md");
    let rows = table(&doc, header);
    assert!(!rows.is_empty(), "empty table {header}");
    for row in &rows {
        let sc = scenario(&row[0]);
        let (costs, _) = cost_rows(&sc, &Weights::default());
        for &(col, mode, decimals) in columns {
            let want = format!("{:.*}", decimals, ratio(&costs, mode));
            assert_eq!(
                row[col], want,
                "docs/cost.md, {}: the {mode} ratio is {want}, the document says {}",
                row[0], row[col]
            );
        }
    }
    rows.len()
}

#[test]
fn the_per_scenario_ratios_are_the_measured_op_counts() {
    let n = check(
        "| scenario | tangent ratio | gradient ratio | gradient wall ratio |",
        &[(1, "tangent", 3), (2, "gradient", 3)],
    );
    assert!(n >= 10, "the table lists the default suite");
}

#[test]
fn the_jacobian_ratios_are_the_measured_op_counts() {
    check(
        "| scenario | n/m | forward | reverse |",
        &[(2, "jacobian-forward", 1), (3, "jacobian-reverse", 1)],
    );
}

#[test]
fn the_matrix_tape_ratios_are_the_measured_op_counts() {
    check(
        "| scenario | gradient-tensor ratio | scalar-tape gradient ratio |",
        &[(1, "gradient-tensor", 3), (2, "gradient", 3)],
    );
}

#[test]
fn the_statement_tape_ratios_are_the_measured_op_counts() {
    let n = check(
        "| scenario | gradient-statement ratio | gradient ratio | gradient-statement wall ratio | gradient wall ratio |",
        &[(1, "gradient-statement", 3), (2, "gradient", 3)],
    );
    assert!(n >= 10, "the table lists the default suite");
}
