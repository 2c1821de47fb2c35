//! Test helpers shared by the families: the Jacobian by forward mode, reverse mode (on
//! the elemental and on the statement-level tape) and the MPFR reference, and their
//! comparison in bits of error.

use crate::ad::{jacobian_forward, Dual, StatementTape, Tape};
use crate::num::bits_err;
use crate::scenario::Scenario;
use rug::Float;

/// Precision of the reference in the tests, in bits.
pub const REF_BITS: u32 = 256;

/// The m x n Jacobian (rows are outputs) of a scenario by three methods.
pub struct Jacobians {
    /// forward mode over `Dual<f64>`
    pub forward: Vec<Vec<f64>>,
    /// reverse mode over `Var<f64>`
    pub reverse: Vec<Vec<f64>>,
    /// reverse mode over `SVar<f64>`, the statement-level tape
    pub statement: Vec<Vec<f64>>,
    /// forward mode over `Dual<rug::Float>` at [`REF_BITS`], rounded to f64
    pub mpfr: Vec<Vec<f64>>,
}

/// Transposes n columns of length m into m rows of length n.
fn rows_of<T: Clone>(cols: Vec<Vec<T>>, m: usize) -> Vec<Vec<T>> {
    (0..m)
        .map(|i| cols.iter().map(|c| c[i].clone()).collect())
        .collect()
}

/// The Jacobian of `s` at its point by the three methods.
pub fn jacobians(s: &Scenario) -> Jacobians {
    let cols: Vec<usize> = (0..s.n()).collect();
    let forward = rows_of(
        jacobian_forward(|x: &[Dual<f64>]| s.eval(x), &s.x, &cols),
        s.m,
    );
    let tape = Tape::new();
    let xs = tape.vars(&s.x);
    let ys = s.eval(&xs);
    let reverse = tape.jacobian(&ys, &xs);
    let st = StatementTape::new();
    let sxs = st.vars(&s.x);
    let sys = s.eval(&sxs);
    let statement = st.jacobian(&sys, &sxs);
    let xf: Vec<Float> = s.x.iter().map(|&v| Float::with_val(REF_BITS, v)).collect();
    let mpfr_cols = jacobian_forward(|x: &[Dual<Float>]| s.eval(x), &xf, &cols);
    let mpfr = rows_of(mpfr_cols, s.m)
        .into_iter()
        .map(|r| r.iter().map(|v| v.to_f64()).collect())
        .collect();
    Jacobians {
        forward,
        reverse,
        statement,
        mpfr,
    }
}

/// Number of entries on the tape when `s` is recorded once at its point: the count K of
/// elemental operations (inputs and constants included) that rounding can affect.
pub fn tape_len(s: &Scenario) -> usize {
    let tape = Tape::new();
    let xs = tape.vars(&s.x);
    let _ = s.eval(&xs);
    tape.len()
}

/// How errors are measured against the reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// bits of error of each entry relative to itself
    Entrywise,
    /// bits of error relative to the larger of the entry and its row's largest entry:
    /// an entry that is a sum of contributions as large as the row's largest entry,
    /// cancelling to a small value, keeps the absolute error of those contributions, so
    /// it is allowed log2(row max / |entry|) extra bits
    Normwise,
}

/// Asserts the shapes (m x n for all four) and that every entry of forward mode and of
/// reverse mode on both tapes is within `max` bits of the reference, measured as
/// `measure` says; returns the Jacobians.
pub fn assert_methods_agree(s: &Scenario, max: f64, measure: Measure) -> Jacobians {
    let j = jacobians(s);
    for (name, a) in [
        ("forward", &j.forward),
        ("reverse", &j.reverse),
        ("statement", &j.statement),
        ("mpfr", &j.mpfr),
    ] {
        assert_eq!(a.len(), s.m, "{name}: rows");
        assert!(a.iter().all(|r| r.len() == s.n()), "{name}: columns");
    }
    for (name, a) in [
        ("forward", &j.forward),
        ("reverse", &j.reverse),
        ("statement", &j.statement),
    ] {
        for (i, (row, rrow)) in a.iter().zip(&j.mpfr).enumerate() {
            let row_max = rrow.iter().fold(0.0f64, |acc, v| acc.max(v.abs()));
            for (k, (&v, &r)) in row.iter().zip(rrow).enumerate() {
                let b = bits_err(v, r);
                let allowed = match measure {
                    Measure::Entrywise => max,
                    Measure::Normwise if r == 0.0 => {
                        // no relative scale: the absolute bound at the row's scale
                        if v.abs() <= max.exp2() * f64::EPSILON * row_max {
                            continue;
                        }
                        max
                    }
                    Measure::Normwise => max + (row_max / r.abs()).log2().max(0.0),
                };
                assert!(
                    b <= allowed,
                    "{}: {name} d y{} / d {} = {v:e}, reference {r:e}: {b:.1} bits > {allowed:.1}",
                    s.name,
                    i + 1,
                    s.labels[k]
                );
            }
        }
    }
    j
}
