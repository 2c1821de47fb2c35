//! The `derivbench` command line: parses flags and calls into the library.

use anyhow::Result;
use clap::{Parser, Subcommand};
use derivbench::measure::cost::Weights;
use derivbench::run::RunOptions;
use derivbench::scenario::{self, Scenario};
use std::path::PathBuf;
use std::process::ExitCode;

/// Measures how accurate and how expensive derivatives are.
#[derive(Parser, Debug)]
#[command(name = "derivbench", version, about)]
struct Cli {
    /// set (raise or lower) a resource limit of scenario loading, e.g. --limit max_len=100000000
    /// (max_len, max_loop_iterations, max_depth, max_elementals, max_precision,
    /// max_steps, max_file_bytes, max_symbolic_nodes); repeatable
    #[arg(long = "limit", value_name = "KEY=VALUE", global = true)]
    limits: Vec<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run every scenario x method and write the reports into --out.
    Run {
        /// folder of scenario files
        #[arg(long, default_value = "scenarios")]
        scenarios: PathBuf,
        /// output folder
        #[arg(long, default_value = "reports/latest")]
        out: PathBuf,
        /// only these scenarios (comma-separated names)
        #[arg(long, value_delimiter = ',')]
        only: Option<Vec<String>>,
        /// only these methods (comma-separated)
        #[arg(long, value_delimiter = ',')]
        methods: Option<Vec<String>>,
        /// fewer FD steps (every third step of each sweep), for CI
        #[arg(long)]
        quick: bool,
        /// worker threads, at most 1024; 0 (the default) is one per core, or
        /// RAYON_NUM_THREADS where that is set. The results do not depend on it
        #[arg(long, default_value_t = 0, value_parser = parse_jobs)]
        jobs: usize,
        /// cost weights mu,pi,nu of TIME = mu*MOVES + ADDS + pi*MULTS + nu*NLOPS
        #[arg(long, default_value = "1,1,1", allow_hyphen_values = true)]
        weights: String,
        /// skip the wall-clock timings (cost.csv's wall columns hold NaN)
        #[arg(long)]
        no_wall: bool,
        /// how long each cost mode is timed against the function, in milliseconds
        /// (1 to 60000; at least 5 pairs of batches whatever the time): longer is steadier
        #[arg(
            long,
            default_value_t = 20,
            value_parser = clap::value_parser!(u64).range(1..=60_000),
            conflicts_with = "no_wall"
        )]
        wall_ms: u64,
    },
    /// Redraw every figure and index.html from a saved results folder, without
    /// recomputing.
    Plot {
        /// the results folder (with results.json)
        #[arg(long, default_value = "reports/latest")]
        results: PathBuf,
    },
    /// Print the WORK vector per elemental kind for eval, tangent and gradient, measured
    /// from the implementation, with the ratios at the chosen weights.
    CostTable {
        /// cost weights mu,pi,nu
        #[arg(long, default_value = "1,1,1", allow_hyphen_values = true)]
        weights: String,
    },
    /// List scenarios with family, n, m and description.
    List {
        /// folder of scenario files
        #[arg(long, default_value = "scenarios")]
        scenarios: PathBuf,
    },
    /// Print the evaluation trace of a small scenario: the forward table with tangents
    /// and the reverse incremental adjoint table, as in the lecture.
    Trace {
        /// the scenario's name
        name: String,
        /// folder of scenario files
        #[arg(long, default_value = "scenarios")]
        scenarios: PathBuf,
        /// the point, comma-separated (default: the scenario's own)
        #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
        point: Option<Vec<f64>>,
        /// the input whose tangent the forward table shows, 1-based (1 is the first input)
        #[arg(long, default_value_t = 1, allow_hyphen_values = true)]
        input: usize,
    },
    /// Compare results with the committed baseline: exit 0 when everything holds, 1 with
    /// one line per violation, 2 for a missing or malformed baseline or results folder.
    Check {
        /// the baseline file
        #[arg(long, default_value = derivbench::check::DEFAULT_BASELINE)]
        baseline: PathBuf,
        /// the results folder (its results.json is read)
        #[arg(long, default_value = derivbench::check::DEFAULT_RESULTS)]
        results: PathBuf,
        /// rewrite the baseline from the results, listing new and loosened entries
        #[arg(long)]
        update: bool,
    },
}

/// The most worker threads `--jobs` may ask for: far more than any machine has cores,
/// and few enough that starting them is quick.
const MAX_JOBS: usize = 1024;

/// Parses `--jobs`: 0 (one worker per core) to [`MAX_JOBS`].
fn parse_jobs(text: &str) -> Result<usize, String> {
    let jobs: usize = text
        .parse()
        .map_err(|_| format!("expected a whole number of worker threads, 0 to {MAX_JOBS}"))?;
    if jobs > MAX_JOBS {
        return Err(format!(
            "at most {MAX_JOBS} worker threads (0 is one per core)"
        ));
    }
    Ok(jobs)
}

/// Writes to standard output; a closed pipe (`derivbench trace x | head`) is not an
/// error, any other failure to write (a full disk) is one of the environment (exit 2).
fn emit(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(bad(format!(
            "the output could not be written to standard output: {e}"
        ))),
        _ => Ok(()),
    }
}

/// Writes to standard error, ignoring a closed pipe (`derivbench check 2>&1 | head`):
/// the exit code stays the command's own.
fn emit_err(text: &str) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|_| err.flush());
}

/// Bad input: exit code 2.
#[derive(Debug)]
struct BadInput(String);

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

fn bad(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(BadInput(msg.into()))
}

/// Loads the scenario folder; bad files are reported and the good ones returned.
fn load_all(dir: &std::path::Path) -> Result<(Vec<Scenario>, Vec<scenario::file::LoadError>)> {
    let limits = LIMITS.get().copied().unwrap_or_default();
    let loaded = scenario::file::load_dir(dir, &limits).map_err(|e| {
        // the default folder is relative: run from elsewhere, say where to point
        let hint = if dir.is_dir() || dir != std::path::Path::new("scenarios") {
            ""
        } else {
            "; name it with --scenarios DIR (the default, `scenarios`, is read from the current folder)"
        };
        bad(format!("{e}{hint}"))
    })?;
    Ok((loaded.scenarios, loaded.errors))
}

/// Prints the errors of bad scenario files and fails (exit 2) when there are any.
fn report_load_errors(errors: &[scenario::file::LoadError]) -> Result<()> {
    print_load_errors(errors);
    invalid_files(errors)
}

/// Prints the errors of bad scenario files, one line each.
fn print_load_errors(errors: &[scenario::file::LoadError]) {
    for e in errors {
        emit_err(&format!("derivbench: {e}\n"));
    }
}

/// That no scenario is named `name` in `dir`, and, where `bad_files` of the folder did
/// not load (listed before this), that it may be in one of them.
fn not_found(name: &str, dir: &std::path::Path, bad_files: usize) -> String {
    let maybe = if bad_files == 0 {
        String::new()
    } else {
        format!(" (perhaps in one of the {bad_files} file(s) that did not load, listed above)")
    };
    format!("no scenario named '{name}' in {}{maybe}", dir.display())
}

/// Fails (exit 2) when there are bad scenario files, once their errors are printed.
fn invalid_files(errors: &[scenario::file::LoadError]) -> Result<()> {
    if errors.is_empty() {
        return Ok(());
    }
    Err(bad(format!(
        "{} scenario file(s) are invalid",
        errors.len()
    )))
}

fn run_command(
    dir: &std::path::Path,
    out: &std::path::Path,
    only: Option<Vec<String>>,
    methods: Option<Vec<String>>,
    mut opts: RunOptions,
) -> Result<()> {
    use derivbench::measure::Method;
    use derivbench::report::{write_all, Staging};
    use derivbench::results::Failure;
    use derivbench::run::run_all_with;
    let explicit = methods.is_some();
    if let Some(ms) = methods {
        let mut parsed = Vec::new();
        for m in ms {
            parsed.push(
                m.parse::<Method>()
                    .map_err(|e| bad(format!("--methods: {e}")))?,
            );
        }
        parsed.sort();
        parsed.dedup();
        opts.accuracy.methods = parsed;
    }
    let (mut all, load_errors) = load_all(dir)?;
    for e in &load_errors {
        emit_err(&format!("derivbench: {e}\n"));
    }
    let load_failures: Vec<Failure> = load_errors
        .iter()
        .map(|e| Failure {
            what: e.file.display().to_string(),
            error: e.to_string(),
            internal: false,
        })
        .collect();
    if let Some(names) = &only {
        let missing: Vec<&String> = names
            .iter()
            .filter(|n| !all.iter().any(|s| &s.name == *n))
            .collect();
        // the files that did not load are already listed above
        let hint = |n: &str| format!("--only: {}", not_found(n, dir, load_errors.len()));
        // with no file that failed to load, a missing name is a mistake of the command
        // line, and so is a list of names none of which loaded: refused before anything
        // is written into --out; otherwise a missing name may be a scenario of a bad
        // file, which the run reports while it measures the others named
        if let Some(first) = missing.first() {
            if load_errors.is_empty() || missing.len() == names.len() {
                return Err(bad(hint(first)));
            }
        }
        for n in &missing {
            emit_err(&format!(
                "derivbench: {}; the others named are measured\n",
                hint(n)
            ));
        }
        all.retain(|s| names.contains(&s.name));
    }
    // fail before any work when the output folder cannot be written
    let staging = Staging::create(out).map_err(|e| bad(format!("--out: {e}")))?;
    let progress = Progress::new(all.len(), !opts.wall_budget.is_zero());
    // each scenario's result is kept in the staging folder as soon as it is measured, so
    // that an interrupted run leaves its partial results there until the reports are in
    // place (file names come only from validated scenario names; each file is written
    // under another name and renamed, so a file under its final name is complete)
    let partial = staging.kept_dir();
    let staging_dir = staging.dir().to_path_buf();
    std::fs::create_dir_all(&partial)
        .map_err(|e| bad(format!("--out: {}: {e}", partial.display())))?;
    let keep = |s: &derivbench::results::ScenarioResult| {
        if let Ok(json) = serde_json::to_vec(s) {
            let tmp = partial.join(format!(".{}.json", s.name));
            if std::fs::write(&tmp, json).is_ok() {
                let _ = std::fs::rename(&tmp, partial.join(format!("{}.json", s.name)));
            }
        }
    };
    // what an interrupt leaves in `--out`: its previous reports, or none at all
    let before = if out.join("results.json").is_file() {
        format!("the previous results in {} are intact", out.display())
    } else {
        format!("no reports were written into {}", out.display())
    };
    on_interrupt_signal(
        format!(
            "{before}, the partial results of this run are in {} (one JSON file per finished scenario)",
            partial.display()
        ),
        format!("the reports of this run are complete in {}", out.display()),
    );
    let results = run_all_with(
        &all,
        &opts,
        load_failures,
        &|step| progress.step(step),
        &keep,
    );
    progress.phase("writing the reports");
    write_all(&staging, &results).map_err(|e| report_error("--out", e))?;
    progress.advance();
    derivbench::run::ctrl_c_point("writing");
    progress.phase("drawing the figures");
    derivbench::report::write_figures(&staging, &results).map_err(|e| report_error("--out", e))?;
    progress.advance();
    progress.phase("moving the reports into place");
    staging.commit().map_err(|e| {
        bad(format!(
            "--out: {e}; moving the reports into place failed, so {} may mix this run's reports with the previous ones (the files not yet moved are in {}, the results of this run in {}, one JSON file per scenario)",
            out.display(),
            staging_dir.display(),
            partial.display()
        ))
    })?;
    progress.finish();
    exit_if_interrupted(&format!(
        "the reports of this run are complete in {}",
        out.display()
    ));
    emit_err(&format!(
        "derivbench: {} scenario(s) measured; reports in {}\n",
        results.scenarios.len(),
        out.display()
    ));
    if explicit {
        // a method asked for by name that gave nothing: it applies to none of these
        for m in &opts.accuracy.methods {
            let name = m.name();
            let used = results.scenarios.iter().any(|s| {
                s.accuracy
                    .iter()
                    .any(|r| r.method.split('@').next() == Some(name))
            });
            if !used && !results.scenarios.is_empty() {
                emit_err(&format!(
                    "derivbench: --methods {name}: no accuracy figures, since it applies to none of the scenarios measured ({})\n",
                    m.applies_to()
                ));
            }
        }
    }
    match failures_error(&results.failures) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// The progress bar of `run` on standard error when it is a terminal (nothing is drawn
/// otherwise): one step per scenario measured and one per scenario timed, then one for
/// the reports and one for the figures; redrawn every 200 ms with the elapsed time, its
/// message, on a line of its own, saying what is being done (the scenarios being
/// measured and the part of each, the one being timed, the reports written, ...).
/// [`Progress::finish`] leaves it full on the screen once the reports are in place; an
/// interrupt or an error clears it.
struct Progress {
    bar: indicatif::ProgressBar,
    /// whether the timing steps time anything (not with `--no-wall`)
    timing: bool,
    /// the scenarios being measured, in the order they started, with the part of the
    /// measurement each is in
    measuring: std::sync::Mutex<Vec<(String, Option<&'static str>)>>,
}

/// The progress bar being shown, for the interrupt handler to clear before it speaks.
static BAR: std::sync::Mutex<Option<indicatif::ProgressBar>> = std::sync::Mutex::new(None);

/// Takes the progress bar being shown off the screen; true when there was one.
fn clear_progress_bar() -> bool {
    let bar = BAR.lock().unwrap_or_else(|e| e.into_inner()).take();
    bar.map(|b| b.finish_and_clear()).is_some()
}

impl Progress {
    fn new(scenarios: usize, timing: bool) -> Progress {
        use std::io::IsTerminal;
        let len = 2 * scenarios as u64 + 2;
        let bar = if std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new(len);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} {bar:30} {pos}/{len} steps, {elapsed_precise}\n  {wide_msg}",
                )
                .expect("a valid progress template"),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(200));
            bar
        } else {
            indicatif::ProgressBar::hidden()
        };
        *BAR.lock().unwrap_or_else(|e| e.into_inner()) = Some(bar.clone());
        Progress {
            bar,
            timing,
            measuring: std::sync::Mutex::new(Vec::new()),
        }
    }

    fn step(&self, step: derivbench::run::Step) {
        use derivbench::run::Step;
        match step {
            Step::Measuring(name) | Step::Part(name, _) | Step::Measured(name) => {
                let mut measuring = self.measuring.lock().unwrap_or_else(|e| e.into_inner());
                match step {
                    Step::Measuring(_) => measuring.push((name.to_string(), None)),
                    Step::Part(_, part) => {
                        if let Some(m) = measuring.iter_mut().find(|m| m.0 == name) {
                            m.1 = Some(part);
                        }
                    }
                    _ => {
                        measuring.retain(|m| m.0 != name);
                        self.bar.inc(1);
                    }
                }
                if measuring.is_empty() {
                    // between the last measurement and the first timing (or the reports)
                    self.bar.set_message("measured");
                } else {
                    let each: Vec<String> = measuring
                        .iter()
                        .map(|(name, part)| match part {
                            Some(part) => format!("{name} ({part})"),
                            None => name.clone(),
                        })
                        .collect();
                    self.bar
                        .set_message(format!("measuring {}", each.join(", ")));
                }
            }
            Step::Timing(name) if self.timing => {
                self.bar.set_message(format!("timing {name}"));
            }
            Step::Timing(_) => {}
            Step::Timed(_) => self.bar.inc(1),
        }
    }

    /// Says what is being done after the scenarios (writing the reports, ...).
    fn phase(&self, what: &str) {
        self.bar.set_message(what.to_string());
    }

    /// Counts one step after the scenarios (the reports, the figures) as done.
    fn advance(&self) {
        self.bar.inc(1);
    }

    /// Leaves the bar full on the screen, the reports being in place.
    fn finish(&self) {
        BAR.lock().unwrap_or_else(|e| e.into_inner()).take();
        self.bar.finish_with_message("done");
        if !self.bar.is_hidden() {
            // the bar stays on its line: what follows goes on the next one
            emit_err("\n");
        }
    }
}

impl Drop for Progress {
    /// An error ends the command: the bar goes, before its message.
    fn drop(&mut self) {
        clear_progress_bar();
    }
}

/// The signal that interrupted the command (0: none).
static SIGNAL: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

/// Installs the handler of SIGINT (Ctrl-C), SIGTERM and SIGHUP of a command that writes
/// its files through a commit (`derivbench::report::Staging`): an interrupt before the
/// commit says `before`, after it `after`, and exits with code 128 + the signal's number
/// (130 for SIGINT); during the commit it is deferred until the commit completes (see
/// [`exit_if_interrupted`]).
fn on_interrupt_signal(before: String, after: String) {
    use derivbench::report::atomic::{on_interrupt, Moment};
    let _ = derivbench::interrupt::set_handler(move |signal| {
        SIGNAL.store(signal, std::sync::atomic::Ordering::SeqCst);
        on_interrupt(|moment| {
            use std::io::IsTerminal;
            let said = match moment {
                Moment::BeforeCommit => &before,
                Moment::AfterCommit => &after,
            };
            // off the line of the bar, or of the `^C` the terminal echoed
            let lead = if !clear_progress_bar() && std::io::stderr().is_terminal() {
                "\n"
            } else {
                ""
            };
            emit_err(&format!(
                "{lead}derivbench: interrupted by {}; {said}\n",
                derivbench::interrupt::name(signal)
            ));
            std::process::exit(derivbench::interrupt::exit_code(signal));
        })
    });
}

/// After a commit: when a signal came while it moved the files into place, says so with
/// `after` (what is now in place) and exits with code 128 + the signal's number.
fn exit_if_interrupted(after: &str) {
    if derivbench::report::atomic::interrupted_during_commit() {
        let signal = SIGNAL.load(std::sync::atomic::Ordering::SeqCst);
        emit_err(&format!(
            "derivbench: interrupted by {} while the files were moved into place; the move was completed first: {after}\n",
            derivbench::interrupt::name(signal)
        ));
        std::process::exit(derivbench::interrupt::exit_code(signal));
    }
}

/// A report that could not be written as the command's error, with one message (the
/// error's text names the file and the cause): a file that cannot be written is a
/// problem of the folder `flag` names (exit 2), anything else a defect (exit 1).
fn report_error(flag: &str, e: derivbench::report::ReportError) -> anyhow::Error {
    use derivbench::report::{plot::PlotError, ReportError};
    let io = match &e {
        ReportError::Io { .. } | ReportError::Plot(PlotError::Io { .. }) => true,
        ReportError::Csv { source, .. } => source.is_io_error(),
        _ => false,
    };
    if io {
        bad(format!("{flag}: {e}"))
    } else {
        anyhow::anyhow!("{e}")
    }
}

/// The error a run ends with when some scenarios failed: bad input (exit 2) when every
/// failure is a file that did not load, an internal error (exit 1) when any is a defect.
fn failures_error(failures: &[derivbench::results::Failure]) -> Option<anyhow::Error> {
    if failures.is_empty() {
        return None;
    }
    let lines: Vec<String> = failures.iter().map(|f| f.line()).collect();
    let msg = format!(
        "{} scenario(s) failed:\n  {}",
        lines.len(),
        lines.join("\n  ")
    );
    Some(if failures.iter().any(|f| f.internal) {
        anyhow::anyhow!("{msg}")
    } else {
        bad(msg)
    })
}

/// The resource limits of this invocation, from `--limit`.
static LIMITS: std::sync::OnceLock<scenario::file::Limits> = std::sync::OnceLock::new();

impl Command {
    /// The subcommand's name, as typed.
    fn name(&self) -> &'static str {
        match self {
            Command::Run { .. } => "run",
            Command::Plot { .. } => "plot",
            Command::List { .. } => "list",
            Command::Trace { .. } => "trace",
            Command::Check { .. } => "check",
            Command::CostTable { .. } => "cost-table",
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let mut limits = scenario::file::Limits::default();
    for kv in &cli.limits {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| bad(format!("--limit: expected KEY=VALUE, got '{kv}'")))?;
        limits
            .set(k.trim(), v.trim())
            .map_err(|e| bad(format!("--limit: {e}")))?;
    }
    let _ = LIMITS.set(limits);
    derivbench::run::failpoint("command", cli.command.name());
    match cli.command {
        Command::Run {
            scenarios,
            out,
            only,
            methods,
            quick,
            jobs,
            weights,
            no_wall,
            wall_ms,
        } => {
            let weights = Weights::parse(&weights).map_err(|e| bad(format!("--weights: {e}")))?;
            let mut opts = RunOptions {
                jobs,
                weights,
                ..RunOptions::default()
            };
            opts.wall_budget = if no_wall {
                std::time::Duration::ZERO
            } else {
                std::time::Duration::from_millis(wall_ms)
            };
            opts.accuracy.quick = quick;
            opts.accuracy.symbolic_nodes =
                usize::try_from(limits.max_symbolic_nodes).unwrap_or(usize::MAX);
            run_command(&scenarios, &out, only, methods, opts)?;
        }
        Command::Plot { results } => {
            // the messages of `check` for a file given for the folder, a missing folder
            // or results.json, and one that does not parse; unlike `check`, results that
            // are not whole (a scenario without its reference) are drawn as far as they go
            let r =
                derivbench::check::read_results_folder(&results).map_err(|e| bad(e.to_string()))?;
            derivbench::report::plot::names_fit(&r)
                .map_err(|e| bad(format!("{}: {e}", results.join("results.json").display())))?;
            let staging = derivbench::report::Staging::create_named(
                &results,
                derivbench::report::atomic::PLOT_STAGING,
            )
            .map_err(|e| bad(format!("--results: {e}")))?;
            let after = format!(
                "the redrawn figures and index.html are complete in {}",
                results.display()
            );
            on_interrupt_signal(
                format!(
                    "the figures and index.html in {} are unchanged",
                    results.display()
                ),
                after.clone(),
            );
            let plots = derivbench::report::write_figures(&staging, &r)
                .map_err(|e| report_error("--results", e))?;
            staging.commit().map_err(|e| {
                bad(format!(
                    "--results: {e}; moving the figures into place failed, so {} may mix redrawn figures with the previous ones",
                    results.display()
                ))
            })?;
            exit_if_interrupted(&after);
            emit_err(&format!(
                "derivbench: {} figure file(s) and index.html written in {}\n",
                plots.len(),
                results.display()
            ));
        }
        Command::CostTable { weights } => {
            let weights = Weights::parse(&weights).map_err(|e| bad(format!("--weights: {e}")))?;
            emit(&derivbench::measure::cost::render_elemental_table(&weights))?;
        }
        Command::List { scenarios } => {
            let (all, errors) = load_all(&scenarios)?;
            let mut text = format!(
                "{:<24} {:<16} {:>7} {:>4}  description\n",
                "name", "family", "n", "m"
            );
            for s in &all {
                text.push_str(&format!(
                    "{:<24} {:<16} {:>7} {:>4}  {}\n",
                    s.name,
                    s.family(),
                    s.n(),
                    s.m,
                    s.description
                ));
            }
            emit(&text)?;
            report_load_errors(&errors)?;
        }
        Command::Trace {
            name,
            scenarios,
            point,
            input,
        } => {
            let (all, errors) = load_all(&scenarios)?;
            let Some(sc) = all.iter().find(|s| s.name == name) else {
                // the folder's bad files first, then the name that was not found: it may
                // be the name of one of them
                print_load_errors(&errors);
                return Err(bad(not_found(&name, &scenarios, errors.len())));
            };
            // the folder's bad files are reported whatever happens to the trace; they
            // fail the command at the end, as in `run` and `list`
            print_load_errors(&errors);
            let x = match point {
                Some(p) if p.len() != sc.n() => {
                    return Err(bad(format!(
                        "--point: scenario '{name}' has {} inputs, got {}",
                        sc.n(),
                        p.len()
                    )))
                }
                Some(p) => {
                    // scenario files reject non-finite inputs; so does the command line
                    if let Some((k, v)) = p.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                        return Err(bad(format!(
                            "--point: input {} is {v}; the point must be finite",
                            k + 1
                        )));
                    }
                    p
                }
                None => sc.x.clone(),
            };
            if input == 0 || input > sc.n() {
                return Err(bad(format!(
                    "--input: must be in 1..={}, got {input}",
                    sc.n()
                )));
            }
            let t = derivbench::trace::trace(sc, &x, input - 1).map_err(bad)?;
            emit(&t.to_string())?;
            invalid_files(&errors)?;
        }
        Command::Check {
            baseline,
            results,
            update,
        } => {
            let o = derivbench::check::command(&baseline, &results, update)
                .map_err(|e| bad(e.to_string()))?;
            emit_err(&o.stderr);
            emit(&o.stdout)?;
            if let Some(failure) = o.failure {
                return Err(anyhow::anyhow!(failure));
            }
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // help and version go to standard output: a failure to write them there
            // (other than a closed pipe) is one of the environment, as for `emit`
            let code = if e.use_stderr() { 2 } else { 0 };
            return match e.print() {
                Err(w) if !e.use_stderr() && w.kind() != std::io::ErrorKind::BrokenPipe => {
                    emit_err(&format!(
                        "derivbench: the output could not be written to standard output: {w}\n"
                    ));
                    ExitCode::from(2)
                }
                _ => ExitCode::from(code),
            };
        }
    };
    // the command runs on a thread with a large stack: formulas are parsed recursively,
    // and `--limit max_depth` may allow them up to MAX_DEPTH_CEILING levels deep
    let outcome = std::thread::Builder::new()
        .name("derivbench".into())
        .stack_size(derivbench::scenario::file::LOADER_STACK_BYTES)
        .spawn(move || run(cli))
        .map_err(anyhow::Error::from)
        .and_then(|h| {
            // a panic is a defect: its message is already on standard error (the
            // default hook printed it); the exit code is 1, an internal error
            h.join().unwrap_or_else(|_| {
                Err(anyhow::anyhow!(
                    "internal error (a defect of derivbench): see the panic message above"
                ))
            })
        });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            emit_err(&format!("derivbench: {e:#}\n"));
            if e.downcast_ref::<BadInput>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use derivbench::results::Failure;

    fn failure(internal: bool) -> Failure {
        Failure {
            what: "s".into(),
            error: "e".into(),
            internal,
        }
    }

    #[test]
    fn failed_loads_are_bad_input_and_a_defect_is_an_internal_error() {
        assert!(failures_error(&[]).is_none());
        let loads = failures_error(&[failure(false), failure(false)]).unwrap();
        assert!(loads.downcast_ref::<BadInput>().is_some());
        let mixed = failures_error(&[failure(false), failure(true)]).unwrap();
        assert!(mixed.downcast_ref::<BadInput>().is_none());
        assert_eq!(mixed.to_string(), "2 scenario(s) failed:\n  s: e\n  s: e");
    }
}
