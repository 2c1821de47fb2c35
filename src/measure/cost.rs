//! Cost accounting: the WORK vector of every mode, counted by executing the real code
//! on the counting scalar, its TIME at the chosen weights, the ratios against the
//! function and the bounds of the cost model (w_tan <= 5/2, w_grad <= 4), tape memory,
//! and median wall times of the same modes in f64.
//!
//! The op counts are exact and deterministic; the wall times are measurements on a
//! shared machine and vary from run to run.

use crate::ad::{seeded, Dual, StatementTape, Tape};
use crate::num::{Count, Eval, Scalar, Work, WorkCounter};
use crate::results::{CostRow, WallRatio};
use crate::scenario::Scenario;
use rug::{Float, Integer, Rational};
use std::cmp::Ordering;
use std::time::{Duration, Instant};

/// The bound on the tangent ratio (w_tan).
pub const TANGENT_BOUND: f64 = 2.5;
/// The bound on the gradient ratio (w_grad, the cheap gradient principle).
pub const GRADIENT_BOUND: f64 = 4.0;

/// The bound of the cost model for a mode: 5/2 for `tangent`, 4 for `gradient` and
/// `gradient-tensor`, none otherwise. The statement-level tape has none: the bound is a
/// theorem about the elemental tape, whose sweep recomputes each partial from stored
/// values; a tape that forms and stores partials while recording is outside it
/// (docs/cost.md).
pub fn mode_bound(mode: &str) -> Option<f64> {
    match mode {
        "tangent" => Some(TANGENT_BOUND),
        "gradient" | "gradient-tensor" => Some(GRADIENT_BOUND),
        _ => None,
    }
}

/// Cost weights: TIME = mu*MOVES + ADDS + pi*MULTS + nu*NLOPS.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Weights {
    /// weight of a move
    pub mu: f64,
    /// weight of a multiplication
    pub pi: f64,
    /// weight of a nonlinear elemental
    pub nu: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            mu: 1.0,
            pi: 1.0,
            nu: 1.0,
        }
    }
}

/// A weight as the decimal it is written as, exactly: the shortest decimal that reads
/// back as the same f64 (what `--weights` was given, which [`Weights::parse`] makes
/// sure of, and what `results.json` holds), so that `1.2` is 6/5 and not the binary
/// 1.19999999999999995559... A non-finite weight, which neither accepts, is taken as 0.
fn decimal(w: f64) -> Rational {
    if !w.is_finite() {
        return Rational::new();
    }
    // Display of a finite f64 is its shortest round-trip decimal, without an exponent
    exact_decimal(&w.to_string()).expect("the decimal of a finite f64")
}

/// The exact value of a finite decimal as `str::parse::<f64>` reads it: an optional
/// sign, digits with an optional point (at least one digit), an optional exponent
/// (`e` or `E`, an optional sign, digits). `None` for any other text, and for a nonzero
/// value so far beyond the range of an f64 (an exponent beyond 10^-330 .. 10^330) that
/// no f64 is it.
fn exact_decimal(s: &str) -> Option<Rational> {
    let (negative, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !all_digits(int) || !all_digits(frac) {
        return None;
    }
    let exponent = match exponent {
        None => Some(0),
        Some(e) => {
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !all_digits(digits) {
                return None;
            }
            // an exponent beyond i64 is beyond any f64 (unless the digits are all 0)
            e.parse::<i64>().ok()
        }
    };
    let digits = format!("{int}{frac}");
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return Some(Rational::new());
    }
    // value = digits x 10^e, within [10^(e + len - 1), 10^(e + len)); the finite nonzero
    // f64s lie within 4.9e-324 .. 1.8e308
    let e = exponent?.checked_sub(i64::try_from(frac.len()).ok()?)?;
    let len = i64::try_from(digits.len()).ok()?;
    if e.checked_add(len)? < -330 || e > 330 {
        return None;
    }
    let m: Integer = digits.parse().ok()?;
    let ten_to = |k: i64| Integer::from(Integer::u_pow_u(10, k.unsigned_abs() as u32));
    let v = if e >= 0 {
        Rational::from(m * ten_to(e))
    } else {
        Rational::from((m, ten_to(e)))
    };
    Some(if negative { -v } else { v })
}

/// t / tf rounded once to the nearest f64; 1 where both are 0, infinite where only tf
/// is ([`Weights::ratio`]).
fn exact_ratio(t: &Rational, tf: &Rational) -> f64 {
    match (t.cmp0(), tf.cmp0()) {
        (Ordering::Equal, Ordering::Equal) => 1.0,
        (_, Ordering::Equal) => f64::INFINITY,
        _ => Float::with_val(53, Rational::from(t / tf)).to_f64(),
    }
}

/// t <= bound x tf, exactly ([`Weights::within`]).
fn exact_within(t: &Rational, tf: &Rational, bound: f64) -> bool {
    *t <= Rational::from_f64(bound).expect("a finite bound") * tf
}

impl Weights {
    /// TIME of a WORK vector, in f64 arithmetic (for estimates and budgets).
    pub fn time(&self, w: &Work) -> f64 {
        w.time(self.mu, self.pi, self.nu)
    }

    /// TIME of a WORK vector, exactly, at the weights as the decimals they are written
    /// as (see `decimal`).
    pub fn time_exact(&self, w: &Work) -> Rational {
        let term = |weight: f64, count: u64| decimal(weight) * Integer::from(count);
        term(self.mu, w.moves)
            + Integer::from(w.adds)
            + term(self.pi, w.mults)
            + term(self.nu, w.nlops)
    }

    /// TIME(mode) / TIME(function), computed exactly and rounded once to the nearest
    /// f64; 1 where both are 0 (a function that executes no elemental, nor do its modes),
    /// infinite where only TIME(function) is.
    pub fn ratio(&self, mode: &Work, function: &Work) -> f64 {
        exact_ratio(&self.time_exact(mode), &self.time_exact(function))
    }

    /// Whether TIME(mode) <= `bound` x TIME(function), decided exactly: a ratio that
    /// is exactly at the bound is within it, whatever the rounding of the f64 ratio.
    pub fn within(&self, mode: &Work, function: &Work, bound: f64) -> bool {
        exact_within(&self.time_exact(mode), &self.time_exact(function), bound)
    }

    /// Parses `mu,pi,nu`: three finite numbers from 0 to [`MAX_WEIGHT`], mu at least
    /// [`MIN_MU`] (every mode moves values, so TIME(F) >= mu and no ratio is infinite),
    /// each the shortest decimal of an f64, in any notation: the exact arithmetic takes a
    /// weight as the shortest decimal of its f64 (see `decimal`), which is what
    /// `results.json` keeps, so a decimal of more digits than an f64 holds
    /// (`0.59999999999999999999`, which reads as 0.6) or beyond its range (`1e-400`,
    /// which reads as 0) is refused rather than taken as another number.
    /// Weights outside the region where the cost model proves its bounds
    /// ([`Weights::bounds_proven`]) are accepted: the ratios are measured all the same,
    /// and the reports say the bounds are not proven there.
    pub fn parse(s: &str) -> Result<Weights, String> {
        let parts: Vec<&str> = s.split(',').map(str::trim).collect();
        let v: Vec<f64> = parts
            .iter()
            .map(|p| {
                p.parse::<f64>()
                    .map_err(|_| format!("'{p}' is not a number"))
            })
            .collect::<Result<_, _>>()?;
        if v.len() != 3
            || v.iter()
                .any(|x| !x.is_finite() || *x < 0.0 || *x > MAX_WEIGHT)
        {
            return Err(format!(
                "expected three numbers mu,pi,nu from 0 to {MAX_WEIGHT:e} (mu at least {MIN_MU:e})"
            ));
        }
        for (p, &x) in parts.iter().zip(&v) {
            if exact_decimal(p).as_ref() != Some(&decimal(x)) {
                let reads = x + 0.0;
                return Err(format!(
                    "'{p}' is not the shortest decimal of an f64: it reads as {reads}, which the \
                     reports and the exact arithmetic would take instead; give each weight as \
                     the shortest decimal of an f64 (here {reads}) or a decimal equal to it"
                ));
            }
        }
        // `-0` is 0: a weight is a non-negative number, and the reports print 0
        let w = Weights::from_array([v[0], v[1], v[2]]);
        if w.mu < MIN_MU {
            return Err(format!(
                "mu must be at least {MIN_MU:e}: every elemental moves values, so TIME(F) >= mu \
                 wherever F executes one, and no ratio is infinite"
            ));
        }
        Ok(w)
    }

    /// True where the bounds w_tan <= 5/2 and w_grad <= 4 hold for every elemental a
    /// scenario may execute ([`elemental_table`]), and so for every program of them at
    /// regular points (pow's special points run costlier rules, docs/cost.md):
    /// [`PROVEN_REGION`], decided exactly at the weights as written (see `decimal`).
    /// mu >= pi >= 1 is the cost model's; 2 nu >= 1 + pi - mu is the univariate row of
    /// its gradient table, 7 mu + 1 + pi + 2 nu <= 4 (2 mu + nu) (at nu = 0 and
    /// mu = pi = 1 a univariate's gradient costs 4.5 functions); the last two are u^w's
    /// tangent, 6 mu + 1 + 5 pi + 3 nu <= 5/2 (3 mu + pi + 2 nu), and gradient,
    /// 12 mu + 2 + 5 pi + 3 nu <= 4 (3 mu + pi + 2 nu). u^k and |u| cost as a univariate
    /// elemental; every other row holds given mu >= pi >= 1.
    pub fn bounds_proven(&self) -> bool {
        let (mu, pi, nu) = (decimal(self.mu), decimal(self.pi), decimal(self.nu));
        let one = Rational::from(1);
        let two_nu = Rational::from(2 * &nu);
        mu >= pi
            && pi >= one
            && two_nu >= Rational::from(&one + &pi) - &mu
            && &two_nu + Rational::from(3 * &mu) / 2 >= &one + Rational::from(5 * &pi) / 2
            && Rational::from(5 * &nu) >= 2 + pi
    }

    /// `(mu, pi, nu) = (1, 1, 1)`.
    pub fn describe(&self) -> String {
        format!("(mu, pi, nu) = ({}, {}, {})", self.mu, self.pi, self.nu)
    }

    /// The weights of a results file, `[mu, pi, nu]`; a weight of -0 (which a results
    /// file or `--weights` may hold) is 0.
    pub fn from_array(w: [f64; 3]) -> Weights {
        // x + 0 is x for every x but -0, which it makes +0
        Weights {
            mu: w[0] + 0.0,
            pi: w[1] + 0.0,
            nu: w[2] + 0.0,
        }
    }

    /// `[mu, pi, nu]`, as `results.json` holds them.
    pub fn to_array(&self) -> [f64; 3] {
        [self.mu, self.pi, self.nu]
    }
}

/// Largest weight `--weights` accepts: far beyond any machine's cost ratio, and small
/// enough that TIME of the largest count stays finite.
pub const MAX_WEIGHT: f64 = 1e6;

/// Smallest weight of a move `--weights` accepts.
pub const MIN_MU: f64 = 1e-6;

/// Where the cost model proves its bounds, for notes and reports.
pub const PROVEN_REGION: &str =
    "mu >= pi >= 1, 2 nu >= 1 + pi - mu, 4 nu >= 2 + 5 pi - 3 mu and 5 nu >= 2 + pi";

/// The op-count work of one mode.
#[derive(Clone, Debug)]
struct ModeWork {
    mode: &'static str,
    work: Work,
    tape_bytes: Option<u64>,
}

/// Largest estimated TIME of the two Jacobian modes together, (2.5 n + 4 m) x TIME(F)
/// (n tangent sweeps, m adjoint sweeps), for which they are executed in full. TIME(F) is
/// taken at unit weights, whatever the weights of the run: which modes are measured
/// depends on the scenario only, so results at other weights have the same modes.
pub const JACOBIAN_BUDGET: f64 = 5e7;

/// The estimate checked against [`JACOBIAN_BUDGET`]: the bounds of the cost model for n
/// tangent sweeps (forward) and m adjoint sweeps (reverse), with TIME(F) = `tf` (at unit
/// weights).
pub fn jacobian_estimate(tf: f64, n: usize, m: usize) -> f64 {
    tf * (2.5 * n as f64 + 4.0 * m as f64)
}

/// WORK of the function: one plain evaluation.
pub fn work_function(sc: &Scenario) -> Work {
    let x: Vec<Eval<Count>> = sc.x.iter().map(|&v| Eval(Count(v))).collect();
    WorkCounter::measure(|| sc.eval(&x)).1
}

/// WORK of F and one tangent sweep (direction e_j).
pub fn work_tangent(sc: &Scenario, j: usize) -> Work {
    let x: Vec<Count> = sc.x.iter().map(|&v| Count(v)).collect();
    let x = seeded(&x, j);
    WorkCounter::measure(|| sc.eval(&x)).1
}

/// WORK of F and one reverse sweep on the scalar tape (taping included), with
/// ybar = (1, ..., 1); and the tape bytes at the end of the forward sweep (f64 tape).
pub fn work_gradient(sc: &Scenario) -> (Work, u64) {
    let tape: Tape<Count> = Tape::new();
    let x: Vec<Count> = sc.x.iter().map(|&v| Count(v)).collect();
    let (_, w) = WorkCounter::measure(|| tape.gradient_of_sum(&x, |xs| sc.eval(xs)));
    (w, tape_bytes_f64(sc))
}

/// WORK of F and one reverse sweep on the statement-level tape (recording, the partials
/// formed while recording, and the sweep), with ybar = (1, ..., 1); and the bytes the
/// f64 statement tape holds when its sweep starts (statements and terms).
pub fn work_gradient_statement(sc: &Scenario) -> (Work, u64) {
    let tape: StatementTape<Count> = StatementTape::new();
    let x: Vec<Count> = sc.x.iter().map(|&v| Count(v)).collect();
    let (_, w) = WorkCounter::measure(|| tape.gradient_of_sum(&x, |xs| sc.eval(xs)));
    let tape: StatementTape<f64> = StatementTape::new();
    let _ = tape.gradient_of_sum(&sc.x, |xs| sc.eval(xs));
    (w, tape.bytes() as u64)
}

/// Bytes of the f64 tape after recording F.
pub fn tape_bytes_f64(sc: &Scenario) -> u64 {
    let tape: Tape<f64> = Tape::new();
    let xs = tape.vars(&sc.x);
    let _ = sc.eval(&xs);
    tape.bytes() as u64
}

/// WORK of F and the gradient on the matrix-level tape (network families), and the
/// bytes of the f64 tensor tape after recording F.
pub fn work_gradient_tensor(sc: &Scenario) -> Option<(Work, u64)> {
    let x: Vec<Count> = sc.x.iter().map(|&v| Count(v)).collect();
    let (g, w) = WorkCounter::measure(|| sc.model.gradient_tensor(&x));
    g?;
    let mut tape: crate::ad::TensorTape<f64> = crate::ad::TensorTape::new();
    sc.model.record_tensor(&mut tape, &sc.x)?;
    Some((w, tape.bytes() as u64))
}

/// WORK of F evaluated as matrix operations on the matrix-level tape (network
/// families): the forward pass of `gradient-tensor`.
pub fn work_function_tensor(sc: &Scenario) -> Option<Work> {
    let x: Vec<Count> = sc.x.iter().map(|&v| Count(v)).collect();
    let (v, w) = WorkCounter::measure(|| sc.model.eval_tensor(&x));
    v.map(|_| w)
}

fn work_jacobian_forward(sc: &Scenario) -> Work {
    let mut total = Work::default();
    for j in 0..sc.n() {
        let w = work_tangent(sc, j);
        total = total + w;
    }
    total
}

fn work_jacobian_reverse(sc: &Scenario) -> Work {
    let tape: Tape<Count> = Tape::new();
    WorkCounter::measure(|| {
        let xs = tape.vars(&sc.x.iter().map(|&v| Count(v)).collect::<Vec<_>>());
        let ys = sc.eval(&xs);
        tape.jacobian(&ys, &xs)
    })
    .1
}

/// Op counts of every mode of one scenario, as cost rows without wall times. Jacobian
/// modes are executed only when [`jacobian_estimate`] stays under [`JACOBIAN_BUDGET`].
pub fn cost_rows(sc: &Scenario, weights: &Weights) -> (Vec<CostRow>, Vec<String>) {
    let f = work_function(sc);
    let mut modes = vec![
        ModeWork {
            mode: "function",
            work: f,
            tape_bytes: None,
        },
        ModeWork {
            mode: "tangent",
            work: work_tangent(sc, 0),
            tape_bytes: None,
        },
    ];
    let (g, bytes) = work_gradient(sc);
    modes.push(ModeWork {
        mode: "gradient",
        work: g,
        tape_bytes: Some(bytes),
    });
    let (g, statement_bytes) = work_gradient_statement(sc);
    modes.push(ModeWork {
        mode: "gradient-statement",
        work: g,
        tape_bytes: Some(statement_bytes),
    });
    if let Some(w) = work_function_tensor(sc) {
        modes.push(ModeWork {
            mode: "function-tensor",
            work: w,
            tape_bytes: None,
        });
    }
    if let Some((w, bytes)) = work_gradient_tensor(sc) {
        modes.push(ModeWork {
            mode: "gradient-tensor",
            work: w,
            tape_bytes: Some(bytes),
        });
    }
    let mut notes = Vec::new();
    // at unit weights: the modes measured must not depend on the weights of the run
    let tf_unit = Weights::default().time(&f);
    let jac_cost = jacobian_estimate(tf_unit, sc.n(), sc.m);
    if jac_cost <= JACOBIAN_BUDGET {
        modes.push(ModeWork {
            mode: "jacobian-forward",
            work: work_jacobian_forward(sc),
            tape_bytes: None,
        });
        modes.push(ModeWork {
            mode: "jacobian-reverse",
            work: work_jacobian_reverse(sc),
            tape_bytes: Some(bytes),
        });
    } else {
        notes.push(format!(
            "jacobian modes not measured: n = {} tangent and m = {} adjoint sweeps of a function of TIME {tf_unit:.0} at unit weights (an estimated {jac_cost:.3e}) exceed the budget of {JACOBIAN_BUDGET:.0}",
            sc.n(),
            sc.m
        ));
    }
    let tf_exact = weights.time_exact(&f);
    let rows = modes
        .into_iter()
        .map(|m| {
            let t_exact = weights.time_exact(&m.work);
            let t = Float::with_val(53, &t_exact).to_f64();
            // a function that executes no elemental (y = x1) costs nothing, and so do its
            // modes: TIME(mode) <= w TIME(F) holds as 0 <= 0, and the ratio is 1, not 0/0
            let ratio = exact_ratio(&t_exact, &tf_exact);
            let bound = mode_bound(m.mode);
            CostRow {
                scenario: sc.name.clone(),
                mode: m.mode.to_string(),
                moves: m.work.moves,
                adds: m.work.adds,
                mults: m.work.mults,
                nlops: m.work.nlops,
                time: t,
                ratio,
                bound,
                within: bound.map(|b| exact_within(&t_exact, &tf_exact, b)),
                tape_bytes: m.tape_bytes,
                wall_ns: f64::NAN,
                wall_ratio: f64::NAN,
                wall_ratio_q1: f64::NAN,
                wall_ratio_q3: f64::NAN,
                wall_pairs: None,
            }
        })
        .collect();
    (rows, notes)
}

/// The shortest batch timed: one reading of the clock costs tens of nanoseconds, so
/// shorter functions are timed over batches of calls.
const MIN_BATCH: Duration = Duration::from_micros(20);

/// How long `f` runs before its batch is sized: cold code, first allocations (a tape's
/// memory) and caches settle first.
const WARM_UP: Duration = Duration::from_millis(1);

/// Calls per batch so that a batch of `f` lasts at least [`MIN_BATCH`] (at most 2^20),
/// after [`WARM_UP`]: each size is judged by the fastest of three batches, so that one
/// slow batch (a cold call, an interruption) does not settle the size.
fn batch_len(f: &mut impl FnMut()) -> u32 {
    let t = Instant::now();
    let mut calls = 0;
    while calls < 2 || t.elapsed() < WARM_UP {
        f();
        calls += 1;
    }
    let mut reps: u32 = 1;
    loop {
        let e = (0..3)
            .map(|_| per_call(reps, f) * f64::from(reps))
            .fold(f64::INFINITY, f64::min);
        if e >= MIN_BATCH.as_secs_f64() || reps >= 1 << 20 {
            return reps;
        }
        let grow = (MIN_BATCH.as_secs_f64() / e.max(1e-9))
            .ceil()
            .clamp(2.0, 1024.0);
        reps = ((f64::from(reps) * grow) as u32).min(1 << 20);
    }
}

/// Seconds per call of `f` over a batch of `reps` calls. Never inlined: the timed loop
/// of a program is then one piece of machine code, the same in every pairing it is in
/// (the function's, against each mode and against itself). Inlined into each pairing,
/// the same function's loop would be placed differently in each, which alone moves a
/// ratio by a few percent on functions of tens of nanoseconds.
#[inline(never)]
fn per_call(reps: u32, f: &mut impl FnMut()) -> f64 {
    let t = Instant::now();
    for _ in 0..reps {
        f();
    }
    t.elapsed().as_secs_f64() / f64::from(reps)
}

fn median(v: &mut [f64]) -> f64 {
    quartiles(v)[1]
}

/// The lower quartile, the median and the upper quartile of `v` (which it sorts), each
/// a sample itself: the one of rank `k len / 4` (from 0) for the k-th quartile, so the
/// median of an even count is the upper of the middle two.
fn quartiles(v: &mut [f64]) -> [f64; 3] {
    v.sort_by(f64::total_cmp);
    let at = |k: usize| v[k * v.len() / 4];
    [at(1), at(2), at(3)]
}

/// True while sampling goes on: at least 5 samples, then until `budget` has passed or
/// 1000 samples.
fn more(samples: usize, start: Instant, budget: Duration) -> bool {
    samples < 5 || (start.elapsed() < budget && samples < 1000)
}

/// `g` timed against `f` in alternating batches (each of at least 20 us), so that both
/// see the same state of the machine.
#[derive(Clone, Copy, Debug)]
pub struct Paired {
    /// median wall time per call of `f`
    pub f: Duration,
    /// median wall time per call of `g`
    pub g: Duration,
    /// over the pairs, the ratio of `g`'s time per call to `f`'s in the batch just
    /// before: its median, its lower and upper quartile (half the pairs lie between)
    /// and the number of pairs
    pub ratio: WallRatio,
    /// the fastest batch of `f`, per call: interference from the rest of a shared
    /// machine only adds time, so the fastest batches of both sides give the steadiest
    /// ratio of the two programs themselves (the benchmarks print it)
    pub f_min: Duration,
    /// the fastest batch of `g`, per call
    pub g_min: Duration,
}

impl Paired {
    /// The ratio of the fastest batches, `g_min / f_min`.
    pub fn fastest_ratio(&self) -> f64 {
        self.g_min.as_secs_f64() / self.f_min.as_secs_f64()
    }
}

/// Times `g` against `f` in alternating batches, each of at least 20 us (sized after a
/// warm-up by `batch_len`), pairs sampled until about `budget` has passed (at least 5
/// and at most 1000 pairs). Each batch follows one untimed call of its own program, so that neither side is timed in
/// the state of caches and predictors that the other left (a tape sweeps the
/// function's data out of the caches).
pub fn paired_wall(budget: Duration, mut f: impl FnMut(), mut g: impl FnMut()) -> Paired {
    let (rf, rg) = (batch_len(&mut f), batch_len(&mut g));
    let (mut tfs, mut tgs, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let start = Instant::now();
    while more(tgs.len(), start, budget) {
        f();
        let tf = per_call(rf, &mut f);
        g();
        let tg = per_call(rg, &mut g);
        tfs.push(tf);
        tgs.push(tg);
        ratios.push(tg / tf);
    }
    // `median` sorts, so the fastest batch is then the first
    let (f, g) = (median(&mut tfs), median(&mut tgs));
    let [q1, median, q3] = quartiles(&mut ratios);
    Paired {
        f: Duration::from_secs_f64(f),
        g: Duration::from_secs_f64(g),
        ratio: WallRatio {
            median,
            q1,
            q3,
            pairs: tgs.len() as u64,
        },
        f_min: Duration::from_secs_f64(tfs[0]),
        g_min: Duration::from_secs_f64(tgs[0]),
    }
}

/// Fills `wall_ns`, `wall_ratio` and its quartiles of the rows by timing the f64 version
/// of each mode against the function; for networks with both matrix modes among the rows,
/// returns the matrix tape's gradient timed against the function as matrix operations.
pub fn measure_wall(sc: &Scenario, rows: &mut [CostRow], budget: Duration) -> Option<WallRatio> {
    let x = sc.x.clone();
    let tape: Tape<f64> = Tape::new();
    let function = || {
        std::hint::black_box(sc.eval(std::hint::black_box(&x)));
    };
    let function_tensor = || {
        std::hint::black_box(sc.model.eval_tensor(std::hint::black_box(&x)));
    };
    let gradient_tensor = || {
        std::hint::black_box(sc.model.gradient_tensor(std::hint::black_box(&x)));
    };
    // each mode in alternating batches with the function, both sides called alike
    // (`paired_wall` is generic: a call through `dyn` on one side alone would cost it a
    // few percent on small functions)
    let wall = |mode: &str| -> Option<Paired> {
        Some(match mode {
            // the function against itself: 1 up to the pairing's noise and bias
            "function" => paired_wall(budget, function, function),
            "tangent" => {
                let xd = seeded(&x, 0);
                paired_wall(budget, function, || {
                    std::hint::black_box(sc.eval(std::hint::black_box(&xd)));
                })
            }
            "gradient" => paired_wall(budget, function, || {
                std::hint::black_box(tape.gradient_of_sum(&x, |xs| sc.eval(xs)));
            }),
            "gradient-statement" => {
                let st: StatementTape<f64> = StatementTape::new();
                paired_wall(budget, function, || {
                    std::hint::black_box(st.gradient_of_sum(&x, |xs| sc.eval(xs)));
                })
            }
            "function-tensor" => paired_wall(budget, function, function_tensor),
            "gradient-tensor" => paired_wall(budget, function, gradient_tensor),
            // n tangent sweeps, as the op counts count them: the seed moves along one
            // vector of duals, not rebuilt per column
            "jacobian-forward" => {
                let mut xd = seeded(&x, usize::MAX);
                paired_wall(budget, function, move || {
                    for j in 0..xd.len() {
                        xd[j].d = 1.0;
                        std::hint::black_box(sc.eval(std::hint::black_box(&xd)));
                        xd[j].d = 0.0;
                    }
                })
            }
            "jacobian-reverse" => paired_wall(budget, function, || {
                tape.clear();
                let xs = tape.vars(&x);
                let ys = sc.eval(&xs);
                std::hint::black_box(tape.jacobian(&ys, &xs));
            }),
            _ => return None,
        })
    };
    for r in rows.iter_mut() {
        if let Some(p) = wall(&r.mode) {
            r.wall_ns = p.g.as_nanos() as f64;
            let w = p.ratio;
            (r.wall_ratio_q1, r.wall_ratio, r.wall_ratio_q3) = (w.q1, w.median, w.q3);
            r.wall_pairs = Some(w.pairs);
        }
    }
    // the two matrix modes against each other: a quotient of their ratios to the
    // function would divide two timings taken apart
    let has = |m: &str| rows.iter().any(|r| r.mode == m);
    (has("function-tensor") && has("gradient-tensor"))
        .then(|| paired_wall(budget, function_tensor, gradient_tensor).ratio)
}

/// One line of the per-elemental table: the WORK of eval, tangent and gradient for one
/// elemental kind, measured from the implementation.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ElementalCost {
    /// `c`, `+/-`, `*`, `psi`, `psi (exp)` (the cost model's tables), then the other
    /// elementals scenarios may use: `/`, `u^w`, `u^c`, `u^k`, `|u|`, `min/max`, `-u`,
    /// `1/u`
    pub kind: &'static str,
    /// whether the cost model's tables specify this kind
    pub in_cost_model: bool,
    /// WORK of the plain elemental
    pub eval: Work,
    /// WORK of value and tangent together, with a tangent on every argument
    pub tangent: Work,
    /// WORK of the forward step and the adjoint step (none for a constant)
    pub gradient: Option<Work>,
}

/// The kinds of the cost model's tables.
const MODEL_KINDS: [&str; 5] = ["c", "+/-", "*", "psi", "psi (exp)"];
/// The other elementals a scenario may execute, each with its own row.
const OTHER_KINDS: [&str; 8] = ["/", "u^w", "u^c", "u^k", "|u|", "min/max", "-u", "1/u"];

/// Measures the WORK vector of each elemental kind in each mode: the cost model's
/// tables, reproduced from the instrumentation, then every other elemental the
/// scenarios may use. `psi` is sin (psi' = cos is a separate nonlinear elemental);
/// `psi (exp)` reuses its value as its derivative; `u^c` is a power with a constant
/// exponent (a constant elemental and the power), `u^k` an integer power. The tangent
/// is taken with a tangent on both arguments, the costlier case where a rule skips a
/// zero tangent (u^w with a constant exponent needs no log u).
pub fn elemental_table() -> Vec<ElementalCost> {
    fn apply<S: Scalar>(kind: &str, u: &S, w: &S) -> S {
        match kind {
            "c" => u.cst(2.0),
            "+/-" => u.add(w),
            "*" => u.mul(w),
            "psi" => u.sin(),
            "psi (exp)" => u.exp(),
            "/" => u.div(w),
            "u^w" => u.pow(w),
            "u^c" => u.pow(&u.cst(2.5)),
            "u^k" => u.powi(3),
            "|u|" => u.abs(),
            "min/max" => u.min(w),
            "-u" => u.neg(),
            "1/u" => u.recip(),
            _ => unreachable!("a kind of the table"),
        }
    }
    MODEL_KINDS
        .iter()
        .map(|&k| (k, true))
        .chain(OTHER_KINDS.iter().map(|&k| (k, false)))
        .map(|(kind, in_cost_model)| {
            let (u, w) = (Eval(Count(1.5)), Eval(Count(0.5)));
            let eval = WorkCounter::measure(|| apply(kind, &u, &w)).1;
            let (ud, wd) = (
                Dual::new(Count(1.5), Count(1.0)),
                Dual::new(Count(0.5), Count(1.0)),
            );
            let tangent = WorkCounter::measure(|| apply(kind, &ud, &wd)).1;
            let gradient = if kind == "c" {
                None
            } else {
                let tape: Tape<Count> = Tape::new();
                let xs = tape.vars(&[Count(1.5), Count(0.5)]);
                Some(
                    WorkCounter::measure(|| {
                        let y = apply(kind, &xs[0], &xs[1]);
                        tape.gradient(&y, &xs)
                    })
                    .1,
                )
            };
            ElementalCost {
                kind,
                in_cost_model,
                eval,
                tangent,
                gradient,
            }
        })
        .collect()
}

/// The per-elemental table as text, with the ratios at the given weights.
pub fn render_elemental_table(weights: &Weights) -> String {
    use std::fmt::Write;
    let t = elemental_table();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "WORK = (MOVES, ADDS, MULTS, NLOPS) per elemental, measured on the counting scalar; \
         weights mu = {}, pi = {}, nu = {}\n",
        weights.mu, weights.pi, weights.nu
    );
    let _ = writeln!(
        s,
        "{:<10} {:<16} {:<16} {:<16} {:>9} {:>9}",
        "elemental", "eval", "tangent", "gradient", "w_tan", "w_grad"
    );
    let fmt = |w: &Work| format!("({},{},{},{})", w.moves, w.adds, w.mults, w.nlops);
    for (k, e) in t.iter().enumerate() {
        if k > 0 && !e.in_cost_model && t[k - 1].in_cost_model {
            let _ = writeln!(s, "beyond the cost model's tables:");
        }
        let _ = writeln!(
            s,
            "{:<10} {:<16} {:<16} {:<16} {:>9.3} {:>9}",
            e.kind,
            fmt(&e.eval),
            fmt(&e.tangent),
            e.gradient.as_ref().map(fmt).unwrap_or_else(|| "-".into()),
            weights.ratio(&e.tangent, &e.eval),
            e.gradient
                .as_ref()
                .map(|g| format!("{:.3}", weights.ratio(g, &e.eval)))
                .unwrap_or_else(|| "-".into()),
        );
    }
    let _ = writeln!(
        s,
        "\nbounds: w_tan <= {TANGENT_BOUND}, w_grad <= {GRADIENT_BOUND} (for {PROVEN_REGION}). The gradient \
         column is the forward step plus the adjoint step of the incremental recursion, which \
         recomputes partials from the stored values."
    );
    if !weights.bounds_proven() {
        let _ = writeln!(
            s,
            "At these weights the bounds are not proven: a ratio above them is a property of \
             the weights, not of the code."
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn weights_are_the_decimals_as_written_or_refused() {
        // as written, 5 nu < 2 + pi: the bounds are not proven, and the f64 0.6 would
        // say they are
        let e = Weights::parse("2,1,0.59999999999999999999").unwrap_err();
        assert!(
            e.contains(
                "'0.59999999999999999999' is not the shortest decimal of an f64: it reads as 0.6"
            ),
            "{e}"
        );
        assert!(Weights::parse("2,1,0.6").is_ok_and(|w| w.bounds_proven()));
        let e = Weights::parse("1,1,1e-400").unwrap_err();
        assert!(
            e.contains("'1e-400' is not the shortest decimal of an f64: it reads as 0,"),
            "{e}"
        );
        assert!(Weights::parse("1,1,-1e-400").is_err());
        for bad in [
            "1,1,0.30000000000000001",
            "1.0000000000000000000001,1,1",
            "1,1,4.9e-325",
            "1,1,1e-99999999999999999999",
        ] {
            assert!(Weights::parse(bad).is_err(), "{bad}");
        }
        // any way of writing the decimal of an f64
        for (good, w) in [
            ("1.0,1,1", [1.0, 1.0, 1.0]),
            ("+1, 1E0, 10e-1", [1.0, 1.0, 1.0]),
            ("1.,.5,0.500", [1.0, 0.5, 0.5]),
            ("1,1,0e-99999999999999999999", [1.0, 1.0, 0.0]),
            ("1,1,5e-324", [1.0, 1.0, 5e-324]),
            ("1000000,1e6,0.1", [1e6, 1e6, 0.1]),
            ("1,1,0.30000000000000004", [1.0, 1.0, 0.30000000000000004]),
        ] {
            let p = Weights::parse(good).unwrap_or_else(|e| panic!("{good}: {e}"));
            assert_eq!(
                p.to_array().map(f64::to_bits),
                w.map(f64::to_bits),
                "{good}"
            );
        }
        assert_eq!(exact_decimal("-2.5e-1"), Some(Rational::from((-1, 4))));
        for not in [
            "", ".", "e5", "1e", "1e+", "1.2.3", "1_0", "inf", "nan", "0x10",
        ] {
            assert_eq!(exact_decimal(not), None, "{not}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Every weight in range, written as its shortest decimal with or without an
        /// exponent, is accepted as itself.
        #[test]
        fn every_f64_weight_written_as_its_shortest_decimal_is_accepted(
            bits in 0u64..=MAX_WEIGHT.to_bits(),
        ) {
            let x = f64::from_bits(bits);
            for text in [format!("{x}"), format!("{x:e}"), format!("{x:E}")] {
                let w = Weights::parse(&format!("1,1,{text}"));
                prop_assert_eq!(w.map(|w| w.nu.to_bits()), Ok(x.to_bits()), "{}", text);
            }
        }
    }

    #[test]
    fn a_weight_of_minus_zero_is_zero() {
        let w = Weights::parse("1,-0,-0.0e3").unwrap();
        assert_eq!(
            w.to_array().map(f64::to_bits),
            [1.0f64, 0.0, 0.0].map(f64::to_bits)
        );
        assert_eq!(w.describe(), "(mu, pi, nu) = (1, 0, 0)");
        assert!(render_elemental_table(&w).contains("weights mu = 1, pi = 0, nu = 0\n"));
        // a results file's -0 as well
        let w = Weights::from_array([1.0, -0.0, 1.0]);
        assert_eq!(w.pi.to_bits(), 0.0f64.to_bits());
        assert_eq!(w.describe(), "(mu, pi, nu) = (1, 0, 1)");
    }

    #[test]
    fn weights_are_parsed_within_their_range() {
        assert_eq!(Weights::parse("1,1,1").unwrap(), Weights::default());
        let w = Weights::parse("1, 2, 1").unwrap();
        assert_eq!((w.mu, w.pi, w.nu), (1.0, 2.0, 1.0));
        assert!(!w.bounds_proven(), "pi > mu");
        assert!(Weights::parse("1,1,0").is_ok_and(|w| !w.bounds_proven()));
        assert!(Weights::parse("2,1,0").is_ok_and(|w| !w.bounds_proven()));
        assert!(Weights::parse("2,1,0.6").is_ok_and(|w| w.bounds_proven()));
        assert!(Weights::parse("2,1,0.599").is_ok_and(|w| !w.bounds_proven()));
        assert!(Weights::default().bounds_proven());
        assert!(Weights::parse("1e-6,0,0").is_ok());
        for bad in [
            "0,1,1",
            "1e-320,0,0",
            "1e7,1,1",
            "1,inf,1",
            "1,-1,1",
            "1,1",
            "1,1,1,1",
            "a,1,1",
        ] {
            assert!(Weights::parse(bad).is_err(), "{bad}");
        }
    }

    /// Whether every elemental's tangent and gradient are within their bounds at `w`.
    fn every_elemental_within(w: &Weights) -> bool {
        elemental_table().iter().all(|e| {
            w.within(&e.tangent, &e.eval, TANGENT_BOUND)
                && e.gradient
                    .as_ref()
                    .is_none_or(|g| w.within(g, &e.eval, GRADIENT_BOUND))
        })
    }

    /// A weight of `k` thousandths: the f64 nearest to k / 1000, whose shortest decimal
    /// is k / 1000, as `--weights` would be given it.
    fn thousandths(k: i64) -> f64 {
        k as f64 / 1000.0
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Inside the region every elemental stays within both bounds; just below its
        /// edge in nu some elemental goes above one, so the region is not wider than it
        /// has to be. The weights are decimals of three places, and the edge is exact.
        #[test]
        fn the_bounds_hold_exactly_where_they_are_proven(
            pi in 1000u32..8000,
            dmu in 0u32..4000,
            dnu in 0u32..4000,
        ) {
            let (p, m) = (Rational::from((pi, 1000)), Rational::from((pi + dmu, 1000)));
            // the least nu of each condition: 2 nu >= 1 + pi - mu, 4 nu >= 2 + 5 pi - 3 mu,
            // 5 nu >= 2 + pi
            let edges: [Rational; 3] = [
                (1 + Rational::from(&p - &m)) / 2,
                (2 + Rational::from(5 * &p) - Rational::from(3 * &m)) / 4,
                (2 + p.clone()) / 5,
            ];
            let edge = edges.into_iter().max().unwrap().max(Rational::new());
            // in thousandths: the least at or above the edge, and the one below it
            let at = (edge * 1000u32).ceil().numer().to_i64().unwrap();
            let w = |nu: i64| Weights {
                mu: thousandths(i64::from(pi + dmu)),
                pi: thousandths(i64::from(pi)),
                nu: thousandths(nu),
            };
            let inside = w(at + i64::from(dnu));
            prop_assert!(inside.bounds_proven(), "{inside:?}");
            prop_assert!(every_elemental_within(&inside), "{inside:?}");
            if at >= 1 {
                let outside = w(at - 1);
                prop_assert!(!outside.bounds_proven(), "{outside:?}");
                prop_assert!(!every_elemental_within(&outside), "{outside:?}");
            }
        }
    }

    #[test]
    fn the_elementals_beyond_the_tables_are_counted_as_they_run() {
        let t = elemental_table();
        let get = |k: &str| t.iter().find(|e| e.kind == k).unwrap().clone();
        assert!(t.iter().filter(|e| e.in_cost_model).count() == MODEL_KINDS.len());
        // u^w: exp(w log u) and a product; its tangent takes log u again, and at unit
        // weights sits at 5/2 exactly
        let p = get("u^w");
        assert_eq!((p.eval, p.tangent), (w(3, 0, 1, 2), w(6, 1, 5, 3)));
        assert_eq!(p.gradient, Some(w(3 + 9, 2, 1 + 4, 2 + 1)));
        let u = Weights::default();
        assert_eq!(u.ratio(&p.tangent, &p.eval), 2.5);
        // u^c (a constant elemental and the power): neither mode takes log u, as the
        // exponent has no tangent and no adjoint; the adjoint step reads vbar, u, w and
        // v, reads and writes ubar and zeroes vbar (7 moves)
        let c = get("u^c");
        assert_eq!(c.eval, w(1 + 3, 0, 1, 2));
        assert_eq!(c.tangent, w(2 + 6, 0, 1 + 3, 2));
        assert_eq!(c.gradient, Some(w(1 + 3 + 7, 1, 1 + 3, 2)));
        // the others
        assert_eq!(get("/").gradient, Some(w(3 + 8, 2, 1 + 2, 0)));
        // min/max: the comparison, then in the adjoint step the comparison again and one
        // update (6 moves: vbar, u and w read, the selected adjoint read and written,
        // vbar = 0); its tangent compares again to pick udot or wdot
        let mm = get("min/max");
        assert_eq!(mm.tangent, w(6, 1 + 1, 0, 0));
        assert_eq!(mm.gradient, Some(w(3 + 6, 1 + 1 + 1, 0, 0)));
        assert_eq!(get("-u").gradient, Some(w(2 + 4, 1 + 1, 0, 0)));
        assert_eq!(get("1/u").tangent, w(4, 0, 1 + 2, 0));
        // every one within both bounds at unit weights
        assert!(every_elemental_within(&u));
    }

    #[test]
    fn a_ratio_exactly_at_its_bound_is_within_it() {
        // sin at (1.2, 1, 0.4): gradient (7, 1, 1, 2) against (2, 0, 0, 1) is
        // (8.4 + 2 + 0.8) / (2.4 + 0.4) = 4 exactly; in f64, 11.200000000000001 / 2.8
        let w = Weights::parse("1.2,1,0.4").unwrap();
        let (f, g) = (
            Work {
                moves: 2,
                adds: 0,
                mults: 0,
                nlops: 1,
            },
            Work {
                moves: 7,
                adds: 1,
                mults: 1,
                nlops: 2,
            },
        );
        assert!(
            w.time(&g) / w.time(&f) > GRADIENT_BOUND,
            "the f64 ratio is above 4"
        );
        assert!(w.within(&g, &f, GRADIENT_BOUND));
        assert_eq!(w.ratio(&g, &f), 4.0);
        // one step of the last decimal above: not within
        let w = Weights::parse("1.2,1,0.39999999").unwrap();
        assert!(!w.within(&g, &f, GRADIENT_BOUND));
        assert!(w.ratio(&g, &f) > 4.0);
        // the weights are the decimals they are written as
        assert_eq!(decimal(1.2), Rational::from((6, 5)));
        assert_eq!(decimal(1e-7), Rational::from((1, 10_000_000)));
        assert_eq!(decimal(3.0), 3);
        assert_eq!(decimal(f64::NAN), 0);
    }

    #[test]
    fn short_functions_are_timed_in_batches_of_at_least_20_us() {
        let mut f = || {
            std::hint::black_box(1.0f64.sqrt());
        };
        let reps = batch_len(&mut f);
        assert!(reps > 1, "a call of a few ns needs a batch");
        let t = Instant::now();
        for _ in 0..reps {
            f();
        }
        // the batch was sized by one timing; a repeat can only be faster by the noise of
        // the machine, so allow a factor of 4 on a shared machine
        assert!(
            t.elapsed() * 4 >= MIN_BATCH,
            "{reps} calls in {:?}",
            t.elapsed()
        );
    }

    #[test]
    fn pairing_measures_the_ratio_of_the_second_program_to_the_first() {
        fn work(n: u32) {
            let mut s = 0.0f64;
            for k in 0..n {
                s += std::hint::black_box(f64::from(k)).sqrt();
            }
            std::hint::black_box(s);
        }
        let p = paired_wall(Duration::from_millis(10), || work(200), || work(800));
        assert!(p.f > Duration::ZERO && p.g > p.f);
        assert!(p.f_min <= p.f && p.g_min <= p.g);
        assert!((2.0..8.0).contains(&p.fastest_ratio()), "{p:?}");
        let ratio = p.ratio.median;
        // four times the work: the median ratio is about 4; a factor of 2 either way
        // leaves room for a shared machine, an inverted or unpaired ratio does not fit
        assert!((2.0..8.0).contains(&ratio), "ratio {ratio}");
        let (q1, q3) = (p.ratio.q1, p.ratio.q3);
        assert!(q1 <= ratio && ratio <= q3, "{p:?}");
    }

    #[test]
    fn quartiles_are_samples_of_rank_a_quarter_a_half_and_three_quarters() {
        // ranks k len / 4 from 0: 1, 2, 3 of 5; 2, 4, 6 of 8; the median of an even
        // count is the upper of the middle two, as before quartiles were kept
        assert_eq!(quartiles(&mut [5.0, 1.0, 4.0, 2.0, 3.0]), [2.0, 3.0, 4.0]);
        let mut eight = [8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0];
        assert_eq!(quartiles(&mut eight), [3.0, 5.0, 7.0]);
        assert_eq!(quartiles(&mut [9.0]), [9.0; 3]);
        assert_eq!(median(&mut [2.0, 1.0]), 2.0);
    }

    #[test]
    fn jacobian_modes_are_left_out_when_many_outputs_would_exceed_the_budget() {
        // one input, many outputs: reverse mode makes m sweeps, which the budget must see
        // (n alone would call this cheap)
        use crate::scenario::DenseJacobian;
        let wide = DenseJacobian::scenario("wide", "", 1, 20_000, 1);
        let (rows, notes) = cost_rows(&wide, &Weights::default());
        assert!(
            rows.iter().all(|r| !r.mode.starts_with("jacobian")),
            "{:?}",
            rows.iter().map(|r| &r.mode).collect::<Vec<_>>()
        );
        assert!(
            notes.iter().any(|n| n.contains("m = 20000 adjoint sweeps")),
            "{notes:?}"
        );
        // a small one keeps them
        let small = DenseJacobian::scenario("small", "", 4, 64, 1);
        let (rows, notes) = cost_rows(&small, &Weights::default());
        assert!(notes.is_empty(), "{notes:?}");
        assert!(rows.iter().any(|r| r.mode == "jacobian-reverse"));
        // the estimate is the bounds' sum
        assert_eq!(
            jacobian_estimate(10.0, 4, 64),
            10.0 * (2.5 * 4.0 + 4.0 * 64.0)
        );
    }

    #[test]
    fn the_weights_do_not_decide_which_modes_are_measured() {
        // near the budget: within it at unit weights, beyond it if the estimate took
        // the weights of the run; the Jacobian modes must be measured at both, or a
        // check at other weights reports them missing from the baseline
        use crate::scenario::DenseJacobian;
        let sc = DenseJacobian::scenario("near", "", 1, 700, 1);
        let heavy = Weights {
            mu: 4.0,
            pi: 2.0,
            nu: 1.0,
        };
        let f = work_function(&sc);
        let unit = Weights::default();
        assert!(jacobian_estimate(unit.time(&f), sc.n(), sc.m) <= JACOBIAN_BUDGET);
        assert!(jacobian_estimate(heavy.time(&f), sc.n(), sc.m) > JACOBIAN_BUDGET);
        let modes = |w: &Weights| {
            let (rows, notes) = cost_rows(&sc, w);
            (rows.into_iter().map(|r| r.mode).collect::<Vec<_>>(), notes)
        };
        let (at_unit, notes) = modes(&unit);
        assert!(notes.is_empty(), "{notes:?}");
        assert!(at_unit.iter().any(|m| m == "jacobian-reverse"));
        assert_eq!(modes(&heavy), (at_unit, notes));
    }

    #[test]
    fn a_function_without_counted_work_has_ratios_of_one_within_the_bounds() {
        // y = x1 executes no elemental: TIME(F) = 0, and so does every mode; 0/0 would
        // make every ratio NaN, every bound fail and the gate unable to pass
        let text = "name = \"identity\"\ndescription = \"y = x1\"\n\
                    inputs = [ { name = \"x1\", value = 1.5 } ]\noutputs = [\"x1\"]\n";
        let (sc, _) = crate::scenario::file::load_str(
            std::path::Path::new("identity.toml"),
            text,
            &crate::scenario::file::Limits::default(),
        )
        .unwrap();
        let (rows, _) = cost_rows(&sc, &Weights::default());
        assert!(rows.len() >= 3);
        for r in &rows {
            assert_eq!(r.time, 0.0, "{}", r.mode);
            assert_eq!(r.ratio.to_bits(), 1.0f64.to_bits(), "{}", r.mode);
            assert_eq!(r.within, r.bound.map(|_| true), "{}", r.mode);
        }
    }

    fn w(moves: u64, adds: u64, mults: u64, nlops: u64) -> Work {
        Work {
            moves,
            adds,
            mults,
            nlops,
        }
    }

    /// The three tables of the cost model, reproduced by the instrumentation.
    #[test]
    fn elemental_table_matches_the_cost_model() {
        let t = elemental_table();
        let get = |k: &str| t.iter().find(|e| e.kind == k).unwrap().clone();
        let c = get("c");
        assert_eq!(
            (c.eval, c.tangent, c.gradient),
            (w(1, 0, 0, 0), w(2, 0, 0, 0), None)
        );
        let a = get("+/-");
        assert_eq!((a.eval, a.tangent), (w(3, 1, 0, 0), w(6, 2, 0, 0)));
        assert_eq!(a.gradient, Some(w(3 + 6, 1 + 2, 0, 0)));
        let m = get("*");
        assert_eq!((m.eval, m.tangent), (w(3, 0, 1, 0), w(6, 1, 3, 0)));
        assert_eq!(m.gradient, Some(w(3 + 8, 2, 1 + 2, 0)));
        let p = get("psi");
        assert_eq!((p.eval, p.tangent), (w(2, 0, 0, 1), w(4, 0, 1, 2)));
        assert_eq!(p.gradient, Some(w(2 + 5, 1, 1, 1 + 1)));
        let e = get("psi (exp)");
        assert_eq!(e.tangent, w(4, 0, 1, 1));
        // at unit weights: * gives 5/2 and 4, the upper ends of the bounds
        let u = Weights::default();
        assert_eq!(u.time(&m.tangent) / u.time(&m.eval), 2.5);
        assert_eq!(u.time(&m.gradient.unwrap()) / u.time(&m.eval), 4.0);
        assert_eq!(u.time(&a.tangent) / u.time(&a.eval), 2.0);
        assert_eq!(u.time(&a.gradient.unwrap()) / u.time(&a.eval), 3.0);
        assert_eq!(u.time(&p.tangent) / u.time(&p.eval), 7.0 / 3.0);
        assert_eq!(u.time(&p.gradient.unwrap()) / u.time(&p.eval), 11.0 / 3.0);
    }
}
