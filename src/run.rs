//! The `run` pipeline: every scenario x method, in parallel, gathered in a fixed order
//! so that the output is identical for any thread count.

use crate::measure::accuracy::measure_accuracy_with;
use crate::measure::cost::{cost_rows, measure_wall, Weights, PROVEN_REGION};
use crate::measure::AccuracyOptions;
use crate::results::{Failure, RunResults, RunSettings, ScenarioResult};
use crate::scenario::Scenario;
use rayon::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Settings of a run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// accuracy settings (methods, quick, reference)
    pub accuracy: AccuracyOptions,
    /// worker threads (0: one per core)
    pub jobs: usize,
    /// cost weights
    pub weights: Weights,
    /// time budget per mode for the wall-clock medians (zero: skip wall times)
    pub wall_budget: std::time::Duration,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            accuracy: AccuracyOptions::default(),
            jobs: 0,
            weights: Weights::default(),
            wall_budget: std::time::Duration::from_millis(20),
        }
    }
}

/// A test hook of debug builds: panics when the environment variable
/// `DERIVBENCH_FAILPOINT` is `POINT:NAME` (`measure:SCENARIO`, `timing:SCENARIO`,
/// `command:run`), so that tests can drive the paths that handle a defect (which valid
/// input never reaches) through the binary: results kept, exit code 1. Release builds
/// compile it out.
#[doc(hidden)]
#[inline]
pub fn failpoint(point: &str, name: &str) {
    #[cfg(debug_assertions)]
    if std::env::var("DERIVBENCH_FAILPOINT").is_ok_and(|v| v == format!("{point}:{name}")) {
        panic!("failpoint {point}:{name}");
    }
    #[cfg(not(debug_assertions))]
    let _ = (point, name);
}

/// A test hook of debug builds: when the environment variable `DERIVBENCH_FAILPOINT` is
/// `hold:POINT:NAME` (`hold:measure:SCENARIO`, a part of the measurement, or
/// `hold:timing:SCENARIO`), waits at that point until the file that
/// the environment variable `DERIVBENCH_RELEASE` names exists, so that a test can watch
/// the program while it is busy there for as long as it needs (the progress bar redrawn
/// while one scenario takes long, say). Release builds compile it out.
#[doc(hidden)]
#[inline]
pub fn hold_point(point: &str, name: &str) {
    #[cfg(debug_assertions)]
    if std::env::var("DERIVBENCH_FAILPOINT").is_ok_and(|v| v == format!("hold:{point}:{name}")) {
        let release = std::env::var_os("DERIVBENCH_RELEASE")
            .expect("failpoint hold: DERIVBENCH_RELEASE names the file that releases it");
        let held = std::time::Instant::now();
        while !std::path::Path::new(&release).exists() {
            // not a timing assumption: a test releases the hold once it has seen what it
            // waits for, and ten minutes without that mean it never will
            assert!(
                held.elapsed() < std::time::Duration::from_secs(600),
                "failpoint hold:{point}:{name}: never released"
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = (point, name);
}

/// A test hook of debug builds: when the environment variable `DERIVBENCH_FAILPOINT` is
/// `ctrl-c:NAME`, sends the process SIGINT, as Ctrl-C does (`sigterm:NAME` SIGTERM,
/// `sighup:NAME` SIGHUP), and waits until its handler has taken it: the handler either
/// ends the process or, during a commit, defers the interrupt (see
/// [`crate::report::atomic::on_interrupt`]). The points are `writing` (`run`, once the
/// tables are written and before the figures are drawn) and `moved-ENTRY` (in a commit,
/// right after ENTRY, e.g. `plots`, is moved into place), so that tests can interrupt at
/// a precise moment. Release builds compile it out.
#[doc(hidden)]
#[inline]
pub fn ctrl_c_point(name: &str) {
    #[cfg(all(debug_assertions, unix))]
    if let Ok(v) = std::env::var("DERIVBENCH_FAILPOINT") {
        let signal = match v.split_once(':') {
            Some((kind, point)) if point == name => match kind {
                "ctrl-c" => Some(libc::SIGINT),
                "sigterm" => Some(libc::SIGTERM),
                "sighup" => Some(libc::SIGHUP),
                _ => None,
            },
            _ => None,
        };
        if let Some(signal) = signal {
            // SAFETY: getpid and kill have no preconditions
            unsafe {
                libc::kill(libc::getpid(), signal);
            }
            let sent = std::time::Instant::now();
            while !crate::report::atomic::interrupted_during_commit() {
                // not a timing assumption: the handler ends the process or defers, and a
                // minute without either means there is no handler
                assert!(
                    sent.elapsed() < std::time::Duration::from_secs(60),
                    "failpoint {v}: no handler took the signal"
                );
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        }
    }
    #[cfg(not(all(debug_assertions, unix)))]
    let _ = name;
}

/// Measures one scenario. A panic inside (a defect, never expected) becomes an error.
pub fn run_scenario(sc: &Scenario, opts: &RunOptions) -> Result<ScenarioResult, String> {
    run_scenario_with(sc, opts, &|_| {})
}

/// [`run_scenario`], with `part` called as each part of the measurement starts (those of
/// [`crate::measure::accuracy::measure_accuracy_with`], then `"cost"`, `"expression
/// swell"` (formulas, with the symbolic method) and `"recurrent series"` (recurrent
/// networks)), for a progress display. A test can hold the run at each part
/// ([`hold_point`], `hold:PART:SCENARIO`).
pub fn run_scenario_with(
    sc: &Scenario,
    opts: &RunOptions,
    part: &dyn Fn(&'static str),
) -> Result<ScenarioResult, String> {
    let part = |p: &'static str| {
        part(p);
        hold_point(p, &sc.name);
    };
    catch_unwind(AssertUnwindSafe(|| {
        failpoint("measure", &sc.name);
        hold_point("measure", &sc.name);
        let acc = measure_accuracy_with(sc, &opts.accuracy, &part);
        part("cost");
        let (cost, cost_notes) = cost_rows(sc, &opts.weights);
        let mut notes = acc.notes;
        notes.extend(cost_notes);
        for c in cost.iter().filter(|c| c.within == Some(false)) {
            notes.push(format!(
                "cost: the {} ratio {:.3} exceeds its bound {} at weights {}{}",
                c.mode,
                c.ratio,
                c.bound.unwrap_or(f64::NAN),
                opts.weights.describe(),
                if opts.weights.bounds_proven() {
                    // proven for programs at regular points: where a rule runs more than
                    // the tables (pow's slope at a base of 0, or where u^w is 0,
                    // subnormal or infinite), a ratio can pass its bound
                    ", where the cost model proves it only at regular points: pow's derivative rules at a base of 0, or where u^w is 0, subnormal or infinite, run more than its tables (docs/cost.md)".to_string()
                } else {
                    format!(", where the cost model does not prove it ({PROVEN_REGION})")
                }
            ));
        }
        let swell = match &sc.model {
            crate::scenario::Model::Expr(p)
                if opts
                    .accuracy
                    .methods
                    .contains(&crate::measure::Method::Symbolic) =>
            {
                part("expression swell");
                crate::symbolic::swell_within(p, opts.accuracy.symbolic_nodes)
            }
            _ => None,
        };
        if crate::measure::recurrent::has_series(sc) {
            part("recurrent series");
        }
        let recurrent = crate::measure::recurrent::recurrent_series_with(
            sc,
            &crate::measure::recurrent::DEFAULT_STEPS,
            &opts.accuracy.reference,
        );
        ScenarioResult {
            name: sc.name.clone(),
            family: sc.family().to_string(),
            description: sc.description.clone(),
            n: sc.n(),
            m: sc.m,
            sampled: acc.sampled,
            accuracy: acc.rows,
            reference: acc.reference,
            fd_theory: acc.theory,
            cost,
            notes,
            swell,
            recurrent,
            value_bits: acc.value_bits,
            tensor_wall: None,
        }
    }))
    .map_err(|p| format!("internal error while measuring: {}", panic_message(&*p)))
}

/// The message of a caught panic.
fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown panic".into())
}

/// The expression swell of the lecture's two examples over n = 2..1024.
pub fn symbolic_growth() -> crate::results::SymbolicGrowth {
    use crate::symbolic::{growth, lecture_ns, swell_series, SeriesKind, FIT_FROM};
    let ns = lecture_ns();
    let product = swell_series(SeriesKind::Product, &ns);
    let sum_of_squares = swell_series(SeriesKind::SumOfSquares, &ns);
    crate::results::SymbolicGrowth {
        product_exponents: growth(&product, FIT_FROM),
        sum_of_squares_exponents: growth(&sum_of_squares, FIT_FROM),
        product,
        sum_of_squares,
    }
}

/// What [`run_all_with`] is doing, for a progress display: each scenario is measured
/// (in parallel), then timed (one at a time, after every measurement; also when wall
/// times are skipped or the measurement failed, so that each scenario has both steps).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    /// the scenario's measurement starts
    Measuring(&'a str),
    /// a part of the scenario's measurement starts: the scenario, and the part (see
    /// [`run_scenario_with`])
    Part(&'a str, &'static str),
    /// the scenario's measurement has finished (or failed)
    Measured(&'a str),
    /// the scenario's wall-clock timing starts
    Timing(&'a str),
    /// the scenario's wall-clock timing has finished (or was skipped)
    Timed(&'a str),
}

/// Runs every scenario; `tick` is called with each scenario's name as it is measured,
/// and again as it is timed.
pub fn run_all(
    scenarios: &[Scenario],
    opts: &RunOptions,
    load_failures: Vec<Failure>,
    tick: &(dyn Fn(&str) + Sync),
) -> RunResults {
    let progress = |step: Step| {
        if let Step::Measured(name) | Step::Timed(name) = step {
            tick(name)
        }
    };
    run_all_with(scenarios, opts, load_failures, &progress, &|_| {})
}

/// [`run_all`], with `progress` called at each [`Step`], and `done` called on each
/// scenario's result as soon as it is measured (to keep partial results of a run that
/// may be interrupted).
pub fn run_all_with(
    scenarios: &[Scenario],
    opts: &RunOptions,
    load_failures: Vec<Failure>,
    progress: &(dyn Fn(Step) + Sync),
    done: &(dyn Fn(&ScenarioResult) + Sync),
) -> RunResults {
    let work = || -> Vec<Result<ScenarioResult, String>> {
        scenarios
            .par_iter()
            .map(|sc| {
                progress(Step::Measuring(&sc.name));
                let r = run_scenario_with(sc, opts, &|p| progress(Step::Part(&sc.name, p)));
                if let Ok(s) = &r {
                    done(s);
                }
                progress(Step::Measured(&sc.name));
                r
            })
            .collect()
    };
    let results = if opts.jobs > 0 {
        match rayon::ThreadPoolBuilder::new()
            .num_threads(opts.jobs)
            .build()
        {
            Ok(pool) => pool.install(work),
            Err(_) => work(),
        }
    } else {
        work()
    };
    let mut failures = load_failures;
    let mut done = Vec::new();
    for (sc, r) in scenarios.iter().zip(results) {
        progress(Step::Timing(&sc.name));
        hold_point("timing", &sc.name);
        match r {
            Ok(mut s) => {
                // wall times one scenario at a time, after the parallel phase, so that
                // the timed code does not compete with the other measurements; a panic
                // there keeps the scenario's other results (without wall times)
                if !opts.wall_budget.is_zero() {
                    let mut cost = s.cost.clone();
                    let timed = catch_unwind(AssertUnwindSafe(|| {
                        failpoint("timing", &sc.name);
                        measure_wall(sc, &mut cost, opts.wall_budget)
                    }));
                    match timed {
                        Ok(tensor) => {
                            s.cost = cost;
                            s.tensor_wall = tensor;
                        }
                        Err(p) => failures.push(Failure {
                            what: sc.name.clone(),
                            error: format!(
                                "internal error while timing (the other results are kept): {}",
                                panic_message(&*p)
                            ),
                            internal: true,
                        }),
                    }
                }
                done.push(s)
            }
            Err(e) => failures.push(Failure {
                what: sc.name.clone(),
                error: e,
                internal: true,
            }),
        }
        progress(Step::Timed(&sc.name));
    }
    RunResults {
        version: env!("CARGO_PKG_VERSION").to_string(),
        settings: RunSettings {
            methods: opts
                .accuracy
                .methods
                .iter()
                .map(|m| m.name().to_string())
                .collect(),
            quick: opts.accuracy.quick,
            weights: opts.weights.to_array(),
            agree_bits: opts.accuracy.reference.agree_bits,
            max_precision: opts.accuracy.reference.max_precision,
            // whole milliseconds, rounded up: a budget below 1 ms still timed something
            wall_ms: Some(opts.wall_budget.as_micros().div_ceil(1000) as u64),
        },
        scenarios: done,
        failures,
        symbolic_growth: opts
            .accuracy
            .methods
            .contains(&crate::measure::Method::Symbolic)
            .then(symbolic_growth),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::file::{load_str, Limits};
    use std::path::Path;

    #[test]
    fn a_ratio_above_its_bound_at_proven_weights_says_where_the_proof_stops() {
        // x^3 is subnormal at x = 1e-160: the adjoint step takes the slope w u^(w-1),
        // one more pow than w v / u, and the gradient costs 13/3 functions
        let text = "name = \"p\"\ninputs = [{ name = \"x\", value = 1e-160 }, { name = \"w\", value = 3.0 }]\noutputs = [\"pow(x, w)\"]\n";
        let (sc, _) = load_str(Path::new("p.toml"), text, &Limits::default()).unwrap();
        let r = run_scenario(&sc, &RunOptions::default()).unwrap();
        let note = r
            .notes
            .iter()
            .find(|n| n.starts_with("cost: the gradient ratio"))
            .expect("the gradient is above its bound");
        assert!(note.contains("exceeds its bound 4"), "{note}");
        assert!(note.contains("only at regular points"), "{note}");
        assert!(note.contains("subnormal"), "{note}");
    }
}
