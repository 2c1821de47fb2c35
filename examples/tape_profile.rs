//! Runs one mode of sum of squares many times, for a profiler or an instruction counter.
//!
//! ```sh
//! cargo build --release --example tape_profile
//! valgrind --tool=callgrind target/release/examples/tape_profile gradient 1000 200
//! ```
//!
//! Arguments: the mode (`function`, `tangent`, `gradient` on the elemental tape or
//! `statement`, the gradient on the statement-level tape), n and the number of
//! repetitions. The difference between the instruction counts of two repetition counts,
//! divided by the difference and by n, is the mode's instructions per input, free of the
//! program's start-up.

use derivbench::ad::{seeded, StatementTape, Tape};
use derivbench::scenario::SumOfSquares;
use std::hint::black_box;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parsed = match args.as_slice() {
        [mode, n, reps] => n
            .parse::<usize>()
            .ok()
            .zip(reps.parse::<u32>().ok())
            .map(|nr| (mode.as_str(), nr)),
        _ => None,
    };
    let Some((mode, (n, reps))) = parsed.filter(|(_, (n, _))| *n >= 1) else {
        eprintln!("usage: tape_profile function|tangent|gradient|statement N REPETITIONS");
        return ExitCode::from(2);
    };
    let sc = SumOfSquares::scenario("sum-of-squares", n);
    let x = &sc.x;
    match mode {
        "function" => {
            for _ in 0..reps {
                black_box(sc.eval(black_box(x)));
            }
        }
        "tangent" => {
            let xd = seeded(x, 0);
            for _ in 0..reps {
                black_box(sc.eval(black_box(&xd)));
            }
        }
        "gradient" => {
            let tape: Tape<f64> = Tape::new();
            for _ in 0..reps {
                black_box(tape.gradient_of_sum(black_box(x), |xs| sc.eval(xs)));
            }
        }
        "statement" => {
            let tape: StatementTape<f64> = StatementTape::new();
            for _ in 0..reps {
                black_box(tape.gradient_of_sum(black_box(x), |xs| sc.eval(xs)));
            }
        }
        other => {
            eprintln!(
                "tape_profile: unknown mode '{other}' (function, tangent, gradient, statement)"
            );
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
