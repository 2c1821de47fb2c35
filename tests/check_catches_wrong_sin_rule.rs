//! A real defect is caught: a scalar whose derivative rule for sin is wrong (sin' = -cos)
//! runs through the same drivers as the pipeline (the tape's Jacobian for `reverse`,
//! one tangent sweep per input for `forward`), its derivatives replace those methods'
//! rows, and the check against the baseline made from the correct code names the
//! scenario and both methods, and nothing else. With the correct rule the same
//! substitution reproduces the pipeline's values bit for bit and passes.

mod check_support;

use check_support::*;
use derivbench::ad::{jacobian_forward, Dual, Tape, TapeScalar};
use derivbench::check;
use derivbench::num::{unary_deriv_generic, Binary, Scalar, Unary};
use derivbench::results::RunResults;
use derivbench::scenario::file::{load_dir, Limits};
use derivbench::scenario::Scenario;

/// f64 arithmetic with the derivative rules of the library, except sin' = -cos when
/// `WRONG`.
#[derive(Clone, Debug)]
struct Rule<const WRONG: bool>(f64);

// SAFETY: its operations compute on its own values and never touch a tape.
unsafe impl<const WRONG: bool> TapeScalar for Rule<WRONG> {}

impl<const WRONG: bool> Scalar for Rule<WRONG> {
    fn cst(&self, c: f64) -> Self {
        Rule(c)
    }
    fn re(&self) -> f64 {
        self.0
    }
    fn unary(&self, op: Unary) -> Self {
        Rule(self.0.unary(op))
    }
    fn binary(&self, op: Binary, other: &Self) -> Self {
        Rule(self.0.binary(op, &other.0))
    }
    fn unary_deriv(&self, op: Unary, v: &Self) -> Self {
        match op {
            Unary::Sin if WRONG => self.cos().neg(),
            _ => unary_deriv_generic(self, op, v),
        }
    }
}

/// Replaces the `reverse` and `forward` rows of `sc` in `r` with derivatives computed on
/// `Rule<WRONG>`, the way the pipeline computes them on f64.
fn substitute<const WRONG: bool>(r: &mut RunResults, sc: &Scenario) {
    let x: Vec<Rule<WRONG>> = sc.x.iter().map(|&v| Rule(v)).collect();
    // reverse: record once, the whole Jacobian by one adjoint sweep per output
    let tape: Tape<Rule<WRONG>> = Tape::new();
    let xs = tape.vars(&x);
    let ys = sc.eval(&xs);
    let rev = tape.jacobian(&ys, &xs);
    // forward: one tangent sweep per sampled input
    let sampled = sc.sampled_inputs();
    let fwd = jacobian_forward(|d: &[Dual<Rule<WRONG>>]| sc.eval(d), &x, &sampled);
    let s = r.scenarios.iter_mut().find(|s| s.name == sc.name).unwrap();
    let mut replaced = 0;
    for row in &mut s.accuracy {
        let v = match row.method.as_str() {
            "reverse" => rev[row.output][row.input].0,
            "forward" => {
                let k = sampled.iter().position(|&j| j == row.input).unwrap();
                fwd[k][row.output].0
            }
            _ => continue,
        };
        set_value(row, v);
        replaced += 1;
    }
    assert_eq!(replaced, 2 * sc.n() * sc.m);
}

fn lecture(dir: &std::path::Path) -> Scenario {
    load_dir(&dir.join("scenarios"), &Limits::default())
        .unwrap()
        .scenarios
        .into_iter()
        .find(|s| s.name == "lecture-example")
        .unwrap()
}

#[test]
fn wrong_sin_rule_is_named_by_the_check() {
    let dir = tmp("wrong-sin");
    let correct = run_pipeline(&dir);
    let baseline = dir.join("baseline.toml");
    let b = make_baseline(&baseline, &correct);
    let sc = lecture(&dir);

    let mut wrong = correct.clone();
    substitute::<true>(&mut wrong, &sc);
    let report = check::check(&b, &wrong);
    let found: Vec<String> = report.violations.iter().map(|v| v.to_string()).collect();
    assert_eq!(found.len(), 2, "{found:?}");
    for (line, method) in found.iter().zip(["forward", "reverse"]) {
        let prefix = format!("accuracy: lecture-example {method}: worst bits of error ");
        assert!(line.starts_with(&prefix), "{line}");
        let allowed = b.scenarios["lecture-example"].accuracy[method].allowed;
        assert!(line.ends_with(&format!(" > allowed {allowed:?}")), "{line}");
        let figure: f64 = line[prefix.len()..]
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(figure > 40.0, "a wrong sign is far off: {line}");
    }

    // and through the binary, from written results
    let results = dir.join("results");
    write_results(&results, &wrong);
    let o = check_bin(&baseline, &results, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(lines(&o), found);
}

#[test]
fn correct_rule_reproduces_the_pipeline_and_passes() {
    let dir = tmp("right-sin");
    let correct = run_pipeline(&dir);
    let b = check::update(None, &correct).unwrap().baseline;
    let sc = lecture(&dir);
    let mut same = correct.clone();
    substitute::<false>(&mut same, &sc);
    let rows = |r: &RunResults| {
        r.scenarios
            .iter()
            .find(|s| s.name == "lecture-example")
            .unwrap()
            .accuracy
            .iter()
            .filter(|a| a.method == "reverse" || a.method == "forward")
            .map(|a| (a.method.clone(), a.output, a.input, a.value, a.bits_err))
            .collect::<Vec<_>>()
    };
    assert_eq!(rows(&same), rows(&correct));
    assert!(check::check(&b, &same).passed());
}
