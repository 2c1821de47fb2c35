//! The FD error model's table (`fd_theory`) sets the model beside what was measured:
//! each entry's best swept step and its error (`measured_h`, `measured_err`: the row
//! with the smallest error, the first in the sweep's order among equal ones) and the
//! textbook step's (`auto_h`, `auto_err`: the `@auto` row). Both are checked here
//! against the accuracy rows they are chosen from, on scenarios where the sweep has a
//! clear V (the lecture's example) and where rounding dominates (sum of squares).

mod common;

use common::suite::scenario;
use derivbench::measure::{measure_accuracy, AccuracyOptions, Method};

#[test]
fn the_measured_and_textbook_columns_are_those_of_the_rows() {
    let opts = AccuracyOptions {
        methods: vec![Method::FdForward, Method::FdBackward, Method::FdCentral],
        ..AccuracyOptions::default()
    };
    for name in ["lecture-example", "sum-of-squares-1000"] {
        let acc = measure_accuracy(&scenario(name), &opts);
        assert!(!acc.theory.is_empty(), "{name}");
        for t in &acc.theory {
            let swept: Vec<(f64, f64)> = acc
                .rows
                .iter()
                .filter(|r| r.method == t.method && (r.output, r.input) == (t.output, t.input))
                .filter_map(|r| Some((r.h?, r.abs_err?)))
                .filter(|&(h, e)| h > 0.0 && e.is_finite())
                .collect();
            assert!(swept.len() >= 10, "{name} {}: {swept:?}", t.method);
            // the smallest error, the first of equal ones
            let mut best = swept[0];
            for &(h, e) in &swept[1..] {
                if e < best.1 {
                    best = (h, e);
                }
            }
            assert_eq!(
                (t.measured_h, t.measured_err),
                (Some(best.0), Some(best.1)),
                "{name} {} ({}, {})",
                t.method,
                t.output,
                t.input
            );
            // strictly the best: no swept error below it
            assert!(swept.iter().all(|&(_, e)| e >= best.1));
            let auto = acc
                .rows
                .iter()
                .find(|r| {
                    r.method == format!("{}@auto", t.method)
                        && (r.output, r.input) == (t.output, t.input)
                })
                .expect("an @auto row");
            assert_eq!(
                (t.auto_h, t.auto_err),
                (auto.h, auto.abs_err),
                "{name} {}",
                t.method
            );
        }
    }
}
