//! A missing or malformed baseline or results folder ends `derivbench check` with exit
//! code 2 and a message naming the file, never a panic; `--update` leaves a malformed
//! baseline untouched.

mod check_support;

use check_support::*;
use std::path::{Path, PathBuf};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/check")
        .join(name)
}

/// Runs check and asserts exit code 2, nothing on stdout, no panic, and a message on
/// stderr containing each of `needles`.
#[track_caller]
fn exits_2(baseline: &Path, results: &Path, extra: &[&str], needles: &[&str]) {
    let o = check_bin(baseline, results, extra);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert!(o.stdout.is_empty(), "stdout: {:?}", lines(&o));
    assert!(!err.contains("panicked"), "{err}");
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}: {err}");
    }
}

#[test]
fn the_fixtures_pass_together() {
    let o = check_bin(&data("baseline-valid.toml"), &data("results-empty"), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn missing_baseline() {
    let dir = tmp("no-baseline");
    let b = dir.join("baseline.toml");
    exits_2(
        &b,
        &data("results-empty"),
        &[],
        &[&b.display().to_string(), "no such file", "--update"],
    );
}

#[test]
fn baseline_that_is_a_folder() {
    let dir = tmp("baseline-folder");
    exits_2(&dir, &data("results-empty"), &[], &["baseline"]);
}

#[test]
fn corrupt_baseline() {
    let b = data("baseline-corrupt.toml");
    exits_2(
        &b,
        &data("results-empty"),
        &[],
        &["baseline-corrupt.toml", "line 6"],
    );
}

#[test]
fn baseline_with_a_misspelt_field() {
    exits_2(
        &data("baseline-unknown-field.toml"),
        &data("results-empty"),
        &[],
        &["baseline-unknown-field.toml", "alowed"],
    );
}

#[test]
fn baseline_above_a_bound_without_a_reason() {
    exits_2(
        &data("baseline-bound-without-reason.toml"),
        &data("results-empty"),
        &[],
        &[
            "baseline-bound-without-reason.toml: line 6, column 40: ",
            "scenarios.perceptron.cost.gradient",
            "bound 4",
            "reason",
        ],
    );
}

#[test]
fn baseline_of_another_format() {
    exits_2(
        &data("baseline-future-format.toml"),
        &data("results-empty"),
        &[],
        &["baseline-future-format.toml: line 1, column 10: format 7"],
    );
}

#[test]
fn empty_baseline_file() {
    let dir = tmp("empty-baseline");
    let b = dir.join("baseline.toml");
    std::fs::write(&b, "").unwrap();
    exits_2(
        &b,
        &data("results-empty"),
        &[],
        &["baseline.toml", "format"],
    );
}

#[test]
fn missing_results_folder() {
    let dir = tmp("no-results");
    let r = dir.join("latest");
    exits_2(
        &data("baseline-valid.toml"),
        &r,
        &[],
        &[&r.display().to_string(), "no such folder"],
    );
}

#[test]
fn results_folder_without_results_json() {
    let dir = tmp("no-results-json");
    exits_2(
        &data("baseline-valid.toml"),
        &dir,
        &[],
        &["results.json", "no such file"],
    );
}

#[test]
fn truncated_results_json() {
    exits_2(
        &data("baseline-valid.toml"),
        &data("results-truncated"),
        &[],
        &["results-truncated/results.json", "not valid results"],
    );
}

#[test]
fn results_json_of_the_wrong_shape() {
    exits_2(
        &data("baseline-valid.toml"),
        &data("results-wrong-shape"),
        &[],
        &["results-wrong-shape/results.json", "not valid results"],
    );
}

#[test]
fn update_refuses_to_overwrite_a_malformed_baseline() {
    let dir = tmp("update-corrupt");
    let b = dir.join("baseline.toml");
    std::fs::copy(data("baseline-corrupt.toml"), &b).unwrap();
    let before = std::fs::read_to_string(&b).unwrap();
    exits_2(
        &b,
        &data("results-empty"),
        &["--update"],
        &["baseline.toml"],
    );
    assert_eq!(std::fs::read_to_string(&b).unwrap(), before);
}

#[test]
fn update_needs_readable_results() {
    let dir = tmp("update-no-results");
    let b = dir.join("baseline.toml");
    exits_2(
        &b,
        &data("results-truncated"),
        &["--update"],
        &["results.json"],
    );
    assert!(!b.exists());
}

#[test]
fn results_missing_rows_or_repeating_a_scenario_are_malformed() {
    let (_, r, b, results) = passing_results("incomplete-results");
    // a scenario twice
    let mut twice = r.clone();
    twice.scenarios.push(r.scenarios[0].clone());
    write_results(&results, &twice);
    exits_2(&b, &results, &[], &["results.json", "appears twice"]);
    // a reference without its entries: no unsettled entry is left to fail
    let mut empty = r.clone();
    empty.scenarios[0].reference.clear();
    write_results(&results, &empty);
    exits_2(&b, &results, &[], &["the reference does not hold"]);
    // the reverse-mode rows of input 0 gone: the worst entry may be among them
    let mut lost = r.clone();
    let s = lost
        .scenarios
        .iter_mut()
        .find(|s| s.n > 1 && s.accuracy.iter().any(|a| a.method == "reverse"))
        .expect("a scenario with reverse rows and two inputs");
    s.accuracy
        .retain(|a| !(a.method == "reverse" && a.input == 0));
    write_results(&results, &lost);
    exits_2(&b, &results, &[], &["method reverse does not hold"]);
}

/// The rows of forward mode, the difference methods and complex-step cover the sampled
/// inputs, reverse mode's every input, and the sampled inputs are the sampling rule's: a
/// file whose reverse rows were cut down to the sampled inputs, whose forward rows trade
/// a sampled input for another, or whose sampled list is not the rule's does not pass on
/// what is left.
#[test]
fn rows_cover_the_inputs_each_method_sweeps() {
    let dir = tmp("rows-cover-inputs");
    let r = run_pipeline(&dir);
    let b = dir.join("baseline.toml");
    make_baseline(&b, &r);
    let results = dir.join("results");
    let three = r
        .scenarios
        .iter()
        .position(|s| s.n == 3 && s.sampled == [0, 1, 2])
        .expect("a scenario of three inputs, all sampled");
    let is_forward = |m: &str| m == "forward" || m == "forward-vector";
    // the methods whose rows cover the sampled inputs only
    let is_sampled = |m: &str| {
        !matches!(
            m,
            "reverse" | "reverse-statement" | "reverse-tensor" | "symbolic"
        )
    };
    // sampled [0, 2], as sampling two of three gives: reverse keeps only those columns
    let mut cut = r.clone();
    let s = &mut cut.scenarios[three];
    s.sampled = vec![0, 2];
    s.accuracy
        .retain(|a| a.input != 1 || !(is_sampled(&a.method) || a.method == "reverse"));
    write_results(&results, &cut);
    exits_2(
        &b,
        &results,
        &[],
        &["method reverse does not hold each of its 1 x 3 entries once, over all 3 inputs"],
    );
    // the same with reverse whole passes the completeness test (other methods are
    // compared with the baseline as usual)
    let mut whole = r.clone();
    let s = &mut whole.scenarios[three];
    s.sampled = vec![0, 2];
    s.accuracy
        .retain(|a| a.input != 1 || !is_sampled(&a.method));
    assert_eq!(derivbench::check::complete(&whole), Ok(()));
    // forward rows for inputs 0 and 1 where 0 and 2 are sampled: as many rows, the
    // wrong columns
    let mut swapped = r.clone();
    let s = &mut swapped.scenarios[three];
    s.sampled = vec![0, 2];
    s.accuracy.retain(|a| {
        let dropped = if is_forward(&a.method) { 2 } else { 1 };
        a.input != dropped || !is_sampled(&a.method)
    });
    write_results(&results, &swapped);
    exits_2(
        &b,
        &results,
        &[],
        &["method forward does not hold each of its 1 x 2 entries once, over the 2 sampled inputs"],
    );
    // sampled [0, 1] is not what sampling two of three gives
    let mut skewed = whole.clone();
    skewed.scenarios[three].sampled = vec![0, 1];
    write_results(&results, &skewed);
    exits_2(
        &b,
        &results,
        &[],
        &["the sampled inputs are not the 2 that sampling spreads over its 3 inputs"],
    );
}

#[test]
fn baseline_with_a_margin_beyond_its_range() {
    // a ratio margin of 1e308 made `--update` write an allowed ratio of inf, which the
    // next check refused; margins are refused up front, and `--update` writes nothing
    let valid = std::fs::read_to_string(data("baseline-valid.toml")).unwrap();
    for (field, value, most) in [
        ("ratio_margin", "1e308", "1000000"),
        ("ad_margin_bits", "65.0", "64"),
        ("fd_margin_bits", "1e300", "64"),
    ] {
        let dir = tmp(&format!("margin-{field}"));
        let b = dir.join("baseline.toml");
        let text = valid
            .lines()
            .map(|l| {
                if l.starts_with(&format!("{field} =")) {
                    format!("{field} = {value}")
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        assert_ne!(text, valid, "{field} is in the fixture");
        std::fs::write(&b, &text).unwrap();
        for extra in [&[][..], &["--update"][..]] {
            exits_2(
                &b,
                &data("results-empty"),
                extra,
                &[&format!("policy.{field} must be a number from 0 to {most}")],
            );
            assert_eq!(
                std::fs::read_to_string(&b).unwrap(),
                text,
                "{field} {extra:?}"
            );
        }
    }
}
