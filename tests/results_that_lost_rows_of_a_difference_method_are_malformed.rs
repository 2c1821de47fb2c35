//! The rows of the finite-difference methods, complex-step and Richardson must be whole,
//! as for the AD methods: a results file that lost the rows of one entry of such a
//! method, or gives an entry twice, would pass the gate on what is left (the worst entry
//! gone, or an entry counted with its better row). Each such file is malformed: exit 2
//! naming the scenario and the method, where the same file with the entry's own rows
//! fails the check (exit 1).

mod check_support;

use check_support::*;
use derivbench::results::RunResults;

/// `r` with the bits of error of `method`'s rows of entry (0, 0) of the lecture example
/// set to 40, far above what the baseline allows any method there.
fn worse(r: &RunResults, method: &str) -> RunResults {
    let mut w = r.clone();
    let s = w
        .scenarios
        .iter_mut()
        .find(|s| s.name == "lecture-example")
        .expect("the lecture example");
    let mut hit = 0;
    for a in s.accuracy.iter_mut() {
        if a.method == method && a.output == 0 && a.input == 0 {
            a.bits_err = Some(40.0);
            hit += 1;
        }
    }
    assert!(hit > 0, "{method} has rows for entry (0, 0)");
    w
}

#[test]
fn results_that_lost_rows_of_a_difference_method_are_malformed() {
    let (_, r, b, results) = passing_results("lost-difference-rows");
    assert_eq!(derivbench::check::complete(&r), Ok(()));
    let malformed = |r: &RunResults, needle: &str| {
        write_results(&results, r);
        let o = check_bin(&b, &results, &[]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err} {:?}", lines(&o));
        assert!(o.stdout.is_empty(), "{:?}", lines(&o));
        assert!(err.contains(needle), "lacks {needle:?}: {err}");
    };
    for (method, needle) in [
        (
            "fd-central",
            "scenario 'lecture-example': method fd-central does not hold each of its 1 x 2 \
             entries at each step of its sweep, over the 2 sampled inputs",
        ),
        (
            "fd-forward@auto",
            "scenario 'lecture-example': method fd-forward@auto does not hold each of its \
             1 x 2 entries once, over the 2 sampled inputs",
        ),
        (
            "complex-step",
            "method complex-step does not hold each of its 1 x 2 entries once",
        ),
        (
            "fd-richardson",
            "method fd-richardson does not hold each of its 1 x 2 entries once",
        ),
    ] {
        // the entry's rows worse: a violation
        let w = worse(&r, method);
        write_results(&results, &w);
        let o = check_bin(&b, &results, &[]);
        assert_eq!(o.status.code(), Some(1), "{method}: {}", stderr(&o));
        assert!(
            lines(&o)
                .iter()
                .any(|l| l.starts_with(&format!("accuracy: lecture-example {method}: "))),
            "{:?}",
            lines(&o)
        );
        // the same rows gone: malformed, not passed
        let mut lost = w.clone();
        let s = lost
            .scenarios
            .iter_mut()
            .find(|s| s.name == "lecture-example")
            .unwrap();
        s.accuracy
            .retain(|a| !(a.method == method && a.output == 0 && a.input == 0));
        malformed(&lost, needle);
        // the entry twice, its own row and a better one: malformed, not passed
        let mut twice = w.clone();
        let s = twice
            .scenarios
            .iter_mut()
            .find(|s| s.name == "lecture-example")
            .unwrap();
        let mut better = s
            .accuracy
            .iter()
            .find(|a| a.method == method && a.output == 0 && a.input == 0)
            .unwrap()
            .clone();
        better.bits_err = Some(0.0);
        s.accuracy.push(better);
        malformed(&twice, &format!("method {method} does not hold"));
    }
    // a sweep's rows of one entry at a step outside the sampled inputs
    let mut outside = r.clone();
    let s = outside
        .scenarios
        .iter_mut()
        .find(|s| s.name == "lecture-example")
        .unwrap();
    for a in s.accuracy.iter_mut() {
        if a.method == "fd-backward" && a.input == 1 {
            a.input = 2;
        }
    }
    malformed(&outside, "method fd-backward does not hold");
}
