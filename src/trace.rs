//! The evaluation trace of a small scenario, laid out like the lecture's tables: the
//! forward procedure (each v_i with its value and tangent) and the reverse incremental
//! adjoint table (each v_i's adjoint as the sweep reaches it, and the updates
//! vbar_j += dv_i/dv_j * vbar_i it makes to the adjoints of its arguments; then the
//! gradient, and its MPFR reference with each mode's distance from it in ulps).
//!
//! Numbering follows the lecture: the n inputs are v_{1-n} .. v_0, the elementals
//! v_1 .. v_l in evaluation order. Constants are not numbered; they appear as literals
//! among the arguments.

use crate::ad::{Dual, NodeKind, Tape};
use crate::measure::reference::{reference_jacobian, RefOptions};
use crate::num::ulps_between;
use crate::scenario::Scenario;
use std::fmt;

/// One row of the trace.
#[derive(Clone, Debug)]
pub struct TraceRow {
    /// the lecture's index i of v_i
    pub index: i64,
    /// `x1`, `sin`, `*`, ...
    pub op: String,
    /// the arguments, as `v_j` or literal constants
    pub args: Vec<String>,
    /// v_i
    pub value: f64,
    /// vdot_i for the chosen input
    pub tangent: f64,
    /// vbar_i = dy/dv_i for the first output
    pub adjoint: f64,
    /// the updates the sweep makes at this entry, in its order (none for an input; an
    /// argument that is a constant is left out, as its adjoint is never read)
    pub updates: Vec<TraceUpdate>,
}

/// One update of the incremental adjoint sweep: vbar_j += dv_i/dv_j * vbar_i.
#[derive(Clone, Debug)]
pub struct TraceUpdate {
    /// the lecture's index j of the argument v_j
    pub to: i64,
    /// dv_i/dv_j
    pub partial: f64,
    /// vbar_j after the update
    pub after: f64,
}

/// The forward and reverse tables of one scenario.
#[derive(Clone, Debug)]
pub struct Trace {
    /// scenario name
    pub scenario: String,
    /// label of the input whose tangent is shown
    pub input: String,
    /// the rows, inputs first
    pub rows: Vec<TraceRow>,
    /// the labels of the inputs
    pub labels: Vec<String>,
    /// the number of outputs; the tables follow the first
    pub outputs: usize,
    /// the gradient of the first output from the adjoint sweep
    pub gradient: Vec<f64>,
    /// y
    pub y: f64,
    /// ydot
    pub ydot: f64,
    /// the index of the input whose tangent is shown
    pub input_index: usize,
    /// the MPFR reference of the first output's gradient, one per input
    pub reference: Vec<TraceReference>,
}

/// The MPFR reference of one entry of the gradient the trace shows.
#[derive(Clone, Debug)]
pub struct TraceReference {
    /// 40 significant digits
    pub digits: String,
    /// rounded to f64
    pub value: f64,
    /// whether two precisions agreed on it (see `measure::reference`)
    pub settled: bool,
    /// the leading bits on which they agreed
    pub agreed_bits: u32,
}

/// Largest tape (entries: inputs, constants, elementals) for which a trace is printed.
pub const MAX_TRACE_LEN: usize = 2000;

/// Records the scenario at `x` on a tape of dual numbers (tangent of input `j`), then
/// runs the adjoint sweep for the first output. Errors when the tape is too long to show.
pub fn trace(sc: &Scenario, x: &[f64], j: usize) -> Result<Trace, String> {
    let tape: Tape<Dual<f64>> = Tape::new();
    let xd = crate::ad::seeded(x, j);
    let xs = tape.vars(&xd);
    let ys = sc.eval(&xs);
    if tape.len() > MAX_TRACE_LEN {
        return Err(format!(
            "scenario '{}' records {} tape entries (inputs, constants, elementals); trace shows at most {MAX_TRACE_LEN}",
            sc.name,
            tape.len()
        ));
    }
    let y = ys
        .first()
        .ok_or_else(|| format!("scenario '{}' has no output", sc.name))?;
    let (adj, steps) = tape.adjoint_steps(y, &xs);
    let nodes = tape.nodes();
    let n = x.len() as i64;
    // lecture index of each tape entry (None for constants)
    let mut number = vec![None; nodes.len()];
    let mut next = 1 - n;
    for (i, node) in nodes.iter().enumerate() {
        if node.kind != NodeKind::Const {
            number[i] = Some(next);
            next += 1;
        }
    }
    let arg = |a: u32| -> String {
        match number[a as usize] {
            Some(k) => format!("v{k}"),
            None => num(nodes[a as usize].value.v),
        }
    };
    let mut rows = Vec::new();
    // the row of each tape entry (None for constants)
    let mut row_of = vec![None; nodes.len()];
    for (i, node) in nodes.iter().enumerate() {
        let Some(index) = number[i] else { continue };
        let (op, args) = match node.kind {
            NodeKind::Input => (sc.labels[(index + n - 1) as usize].clone(), vec![]),
            NodeKind::Powi => (format!("^{}", node.args[1] as i32), vec![arg(node.args[0])]),
            k => match (k.unary(node.args[1]), k.binary()) {
                (Some(u), _) => (u.name().to_string(), vec![arg(node.args[0])]),
                (_, Some(b)) => (
                    b.name().to_string(),
                    vec![arg(node.args[0]), arg(node.args[1])],
                ),
                _ => unreachable!("constants are skipped"),
            },
        };
        rows.push(TraceRow {
            index,
            op,
            args,
            value: node.value.v,
            tangent: node.value.d,
            adjoint: adj[i].v,
            updates: Vec::new(),
        });
        row_of[i] = Some(rows.len() - 1);
    }
    for st in &steps {
        let (Some(r), Some(to)) = (row_of[st.entry], number[st.arg]) else {
            continue;
        };
        rows[r].updates.push(TraceUpdate {
            to,
            partial: st.partial.v,
            after: st.after.v,
        });
    }
    let gradient = tape.gradient(y, &xs).iter().map(|g| g.v).collect();
    let all: Vec<usize> = (0..x.len()).collect();
    // from the scenario's own starting precision, as `run` does
    let ropts = RefOptions {
        start_precision: sc.precision,
        ..RefOptions::default()
    };
    let r = reference_jacobian(&sc.model, x, &all, &ropts);
    let reference = r
        .entries
        .first()
        .map(|row| {
            row.iter()
                .map(|e| TraceReference {
                    digits: e.digits(40),
                    value: e.to_f64(),
                    settled: e.settled,
                    agreed_bits: e.agreed_bits,
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Trace {
        scenario: sc.name.clone(),
        input: sc.labels[j].clone(),
        rows,
        labels: sc.labels.clone(),
        outputs: ys.len(),
        gradient,
        y: y.value().v,
        ydot: y.value().d,
        input_index: j,
        reference,
    })
}

/// The shortest digits that read back as `x`: as a plain decimal from 1e-5 to 1e16, in
/// exponent form beyond (1e300 in 5 characters, not 301).
fn num(x: f64) -> String {
    let a = x.abs();
    if a == 0.0 || !a.is_finite() || (1e-5..1e16).contains(&a) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

impl fmt::Display for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Forward procedure of '{}' (tangent d/d{})",
            self.scenario, self.input
        )?;
        writeln!(
            f,
            "{:>6}  {:<10} {:<18} {:>24} {:>24}",
            "i", "op", "args", "v_i", "vdot_i"
        )?;
        for r in &self.rows {
            writeln!(
                f,
                "{:>6}  {:<10} {:<18} {:>24} {:>24}",
                format!("v{}", r.index),
                r.op,
                r.args.join(", "),
                num(r.value),
                num(r.tangent)
            )?;
        }
        // with several outputs, y is the first and the sweep seeds it alone
        let (y, seed) = if self.outputs > 1 {
            (
                format!("y1 (the first of {} outputs)", self.outputs),
                "ybar = (1, 0, ..., 0): the first output",
            )
        } else {
            ("y".to_string(), "ybar = 1")
        };
        writeln!(f, "{y} = {}, ydot = {}", num(self.y), num(self.ydot))?;
        writeln!(f)?;
        writeln!(
            f,
            "Reverse incremental adjoint sweep ({seed}), in sweep order:\n\
             vbar_i as the sweep reaches v_i, then vbar_j += dv_i/dv_j * vbar_i for each \
             argument v_j"
        )?;
        writeln!(
            f,
            "{:>6}  {:<10} {:>24} {:>6} {:>24} {:>24}",
            "i", "op", "vbar_i", "j", "dv_i/dv_j", "vbar_j after"
        )?;
        for r in self.rows.iter().rev() {
            write!(
                f,
                "{:>6}  {:<10} {:>24}",
                format!("v{}", r.index),
                r.op,
                num(r.adjoint)
            )?;
            if r.updates.is_empty() {
                writeln!(f)?;
            }
            for (k, u) in r.updates.iter().enumerate() {
                if k > 0 {
                    write!(f, "{:>6}  {:<10} {:>24}", "", "", "")?;
                }
                writeln!(
                    f,
                    " {:>6} {:>24} {:>24}",
                    format!("v{}", u.to),
                    num(u.partial),
                    num(u.after)
                )?;
            }
        }
        writeln!(f)?;
        writeln!(f, "Gradient from the adjoint sweep")?;
        for (l, g) in self.labels.iter().zip(&self.gradient) {
            writeln!(
                f,
                "  d {} / d {l} = {}",
                if self.outputs > 1 { "y1" } else { "y" },
                num(*g)
            )?;
        }
        if self.reference.len() == self.gradient.len() {
            writeln!(f)?;
            writeln!(
                f,
                "Against the MPFR reference (40 digits): f64 steps (ulps) from it rounded to f64\n\
                 (forward mode and the adjoint sweep round differently: their last bits may differ)"
            )?;
            let y = if self.outputs > 1 { "y1" } else { "y" };
            for (k, ((l, g), r)) in self
                .labels
                .iter()
                .zip(&self.gradient)
                .zip(&self.reference)
                .enumerate()
            {
                // a value or reference beyond f64's range has no distance in ulps (two
                // infinities of the same sign are not an exact derivative: see
                // `num::bits_err`)
                let ulps = |v: f64| {
                    if !v.is_finite() {
                        format!("{v} (not finite in f64)")
                    } else if !r.value.is_finite() {
                        format!("{} (the reference is not finite in f64)", num(v))
                    } else {
                        ulps_between(v, r.value).to_string()
                    }
                };
                let forward = if k == self.input_index {
                    format!("forward {}, ", ulps(self.ydot))
                } else {
                    String::new()
                };
                let unsettled = if r.settled {
                    String::new()
                } else {
                    format!(
                        " (not settled: two precisions agreed on {} bits)",
                        r.agreed_bits
                    )
                };
                writeln!(
                    f,
                    "  d {y} / d {l} = {}: {forward}reverse {}{unsettled}",
                    r.digits,
                    ulps(*g)
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Fanout;

    #[test]
    fn numbers_far_from_1_are_written_with_an_exponent() {
        for (x, want) in [
            (1e300, "1e300"),
            (-2.5e-300, "-2.5e-300"),
            (1.5, "1.5"),
            (1e-5, "0.00001"),
            (1e16, "1e16"),
            (0.0, "0"),
            (f64::NAN, "NaN"),
        ] {
            assert_eq!(num(x), want);
            if x.is_finite() {
                assert_eq!(num(x).parse::<f64>(), Ok(x), "reads back");
            }
        }
    }

    #[test]
    fn a_scenario_with_several_outputs_traces_the_first_and_says_so() {
        let sc = Fanout::scenario("fan", "", 0.5, vec![2.0, -1.0, 3.0]);
        let t = trace(&sc, &sc.x, 0).unwrap();
        assert_eq!(t.outputs, 3);
        // dy1/dx = w1 s1 (1 - s1), s1 = sigmoid(w1 x)
        let s1 = 1.0 / (1.0 + (-1.0f64).exp());
        let want = 2.0 * s1 * (1.0 - s1);
        assert!((t.gradient[0] - want).abs() <= 2.0 * f64::EPSILON * want);
        let text = t.to_string();
        assert!(text.contains("y1 (the first of 3 outputs) = "), "{text}");
        assert!(
            text.contains("adjoint sweep (ybar = (1, 0, ..., 0): the first output)"),
            "{text}"
        );
        assert!(text.contains("d y1 / d x = "), "{text}");
    }
}
