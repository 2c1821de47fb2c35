//! Measures another AD tool against derivbench's MPFR reference, entry by entry, as
//! `derivbench run` measures its own methods: here num-dual's forward mode (`Dual64`),
//! beside derivbench's own.
//!
//! ```sh
//! cargo run --release --example measure_your_ad            # the default suite
//! cargo run --release --example measure_your_ad -- FOLDER  # the scenario files in FOLDER
//! ```
//!
//! Any tool whose numbers implement `derivbench::num::Scalar` runs every scenario
//! unchanged (`benches/common/num_dual_peer.rs` is the whole wrapper for num-dual); a
//! tool with its own model of the function only has to return Jacobian columns to
//! `measure_external`. The README shows this program's output on the default suite, and
//! `tests/readme_blocks_are_the_real_output.rs` checks that it is the output.

#[path = "../benches/common/num_dual_peer.rs"]
mod num_dual_peer;

use derivbench::ad::{seeded, Dual};
use derivbench::measure::accuracy::{measure_external_against, run_reference};
use derivbench::measure::reference::RefOptions;
use derivbench::results::AccuracyRow;
use derivbench::scenario::file::{load_dir, Limits};
use derivbench::scenario::Scenario;
use num_dual::Dual64;
use num_dual_peer::Peer;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Column j of the Jacobian by num-dual: one forward sweep seeded on input j.
fn num_dual_column(sc: &Scenario, j: usize) -> Vec<f64> {
    let x: Vec<Peer> =
        sc.x.iter()
            .enumerate()
            .map(|(k, &v)| Peer(Dual64::new(v, if k == j { 1.0 } else { 0.0 })))
            .collect();
    sc.eval(&x).iter().map(|y| y.0.eps).collect()
}

/// Column j of the Jacobian by derivbench's forward mode.
fn our_column(sc: &Scenario, j: usize) -> Vec<f64> {
    sc.eval(&seeded(&sc.x, j))
        .iter()
        .map(|y: &Dual<f64>| y.d)
        .collect()
}

/// Median and largest bits of error of the rows, and the entry (output, input) of the
/// first largest.
fn bits(rows: &[AccuracyRow]) -> (f64, f64, String) {
    let mut b: Vec<f64> = rows.iter().filter_map(|r| r.bits_err).collect();
    b.sort_by(f64::total_cmp);
    let median = match b.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => b[n / 2],
        n => (b[n / 2 - 1] + b[n / 2]) / 2.0,
    };
    let worst = b.last().copied().unwrap_or(f64::NAN);
    let at = rows
        .iter()
        .find(|r| r.bits_err == Some(worst))
        .map_or("-".to_string(), |r| format!("y{}/x{}", r.output, r.input));
    (median, worst, at)
}

/// The table for the scenarios in `dir`: its lines, and the errors met (files that did
/// not load, tools that returned a column of the wrong length).
pub fn table(dir: &Path) -> Result<(String, Vec<String>), String> {
    let loaded = load_dir(dir, &Limits::default()).map_err(|e| e.to_string())?;
    let mut errors: Vec<String> = loaded.errors.iter().map(|e| e.to_string()).collect();
    let mut out = format!(
        "{:<32}{:<26}{}\n{:<22} {:>7}  {}{}differ\n",
        "",
        "num-dual, bits of error",
        "forward, bits of error",
        "scenario",
        "entries",
        "median   max  worst at     ",
        "median   max  worst at     ",
    );
    let opts = RefOptions::default();
    for sc in &loaded.scenarios {
        // one reference for both tools
        let reference = run_reference(sc, &opts);
        let theirs =
            measure_external_against(sc, &reference, "num-dual", |j| num_dual_column(sc, j));
        let ours = measure_external_against(sc, &reference, "forward", |j| our_column(sc, j));
        let (theirs, ours) = match (theirs, ours) {
            (Ok(t), Ok(o)) => (t, o),
            (Err(e), _) | (_, Err(e)) => {
                errors.push(e);
                continue;
            }
        };
        // entries where the two tools deliver different f64 values
        let differ = theirs
            .iter()
            .zip(&ours)
            .filter(|(t, o)| t.value.map(f64::to_bits) != o.value.map(f64::to_bits))
            .count();
        let cell = |(median, worst, at): (f64, f64, String)| {
            format!("{median:>6.1} {worst:>5.1}  {at:<13}")
        };
        out += &format!(
            "{:<22} {:>7}  {}{}{:>6}\n",
            sc.name,
            ours.len(),
            cell(bits(&theirs)),
            cell(bits(&ours)),
            differ
        );
    }
    Ok((out, errors))
}

/// The default suite's folder.
pub fn default_folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

#[allow(dead_code)]
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = match args.as_slice() {
        [] => default_folder(),
        [d] => PathBuf::from(d),
        _ => {
            eprintln!("usage: measure_your_ad [SCENARIO_FOLDER]");
            return ExitCode::from(2);
        }
    };
    match table(&dir) {
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Ok((out, errors)) => {
            print!("{out}");
            for e in &errors {
                eprintln!("error: {e}");
            }
            if errors.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
    }
}
