//! `derivbench run`: every column of `accuracy.csv` recomputed from the others, row
//! counts per scenario and method, byte-identical reports for 1 and 2 threads, the
//! truncation and rounding slopes of finite differences, and the targets of the
//! lecture's function (Richardson, complex step, AD).

mod common;

use derivbench::measure::accuracy::RICHARDSON_LEVELS;
use derivbench::num::ulps_between;
use derivbench::report::{write_all, Staging};
use derivbench::results::{AccuracyRow, RunResults};
use derivbench::run::{run_all, RunOptions};
use derivbench::scenario::file::{load_dir, Limits};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn tmp(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("derivbench-run-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A small folder: three default scenarios and a smooth one with a dense step sweep.
fn folder(tag: &str) -> PathBuf {
    let d = tmp(tag);
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for f in [
        "lecture-example.toml",
        "fanout-3.toml",
        "product-20.toml",
        "sum-of-squares-1000.toml",
    ] {
        std::fs::copy(src.join(f), d.join(f)).unwrap();
    }
    std::fs::write(
        d.join("smooth.toml"),
        "name = \"smooth\"\ndescription = \"exp(x) sin(x) at 0.7\"\ninputs = [{ name = \"x\", value = 0.7 }]\n\
         outputs = [\"exp(x) * sin(x)\"]\nfd = { steps = { from = 1e-1, to = 1e-15, per_decade = 4 } }\n",
    )
    .unwrap();
    d
}

fn run(dir: &Path, jobs: usize) -> RunResults {
    let l = load_dir(dir, &Limits::default()).unwrap();
    assert!(l.errors.is_empty());
    let opts = RunOptions {
        jobs,
        wall_budget: Duration::ZERO,
        ..RunOptions::default()
    };
    run_all(&l.scenarios, &opts, Vec::new(), &|_| {})
}

fn write(r: &RunResults, tag: &str) -> PathBuf {
    let out = tmp(tag);
    let st = Staging::create(&out).unwrap();
    write_all(&st, r).unwrap();
    st.commit().unwrap();
    out
}

fn rows(r: &RunResults, sc: &str, method: &str) -> Vec<AccuracyRow> {
    r.scenarios
        .iter()
        .filter(|s| s.name == sc)
        .flat_map(|s| s.accuracy.iter())
        .filter(|a| a.method == method)
        .cloned()
        .collect()
}

#[test]
fn one_and_two_threads_write_identical_files_and_columns_mean_what_they_say() {
    let dir = folder("jobs");
    let r1 = run(&dir, 1);
    let r2 = run(&dir, 2);
    let (o1, o2) = (write(&r1, "j1"), write(&r2, "j2"));
    for f in [
        "accuracy.csv",
        "reference.csv",
        "cost.csv",
        "results.json",
        "summary.md",
    ] {
        let a = std::fs::read(o1.join(f)).unwrap();
        let b = std::fs::read(o2.join(f)).unwrap();
        assert!(a == b, "{f} differs between --jobs 1 and --jobs 2");
    }

    // every column recomputed from the CSV itself
    let mut rd = csv::Reader::from_path(o1.join("accuracy.csv")).unwrap();
    let header: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, derivbench::report::csv::ACCURACY_COLUMNS);
    let mut checked = 0;
    for rec in rd.records() {
        let rec = rec.unwrap();
        let num = |k: usize| -> Option<f64> {
            let s = &rec[k];
            (!s.is_empty()).then(|| s.parse::<f64>().unwrap())
        };
        let (h, value, reference) = (num(2), num(5), num(6).unwrap());
        let (abs, rel, bits) = (num(7), num(8), num(9));
        let method = &rec[1];
        if method.starts_with("fd-") && method != "fd-richardson" {
            assert!(h.is_some());
            if h == Some(0.0) {
                assert!(
                    value.is_none() && abs.is_none(),
                    "a vanished step has no value"
                );
                continue;
            }
            // truncation and rounding parts bracket the total: |t - r| <= abs <= t + r
            let (t, r) = (num(10).unwrap(), num(11).unwrap());
            let a = abs.unwrap();
            let slack = 4.0 * f64::EPSILON * (t + r);
            assert!(a <= t + r + slack && a + slack >= (t - r).abs(), "{rec:?}");
        }
        let (v, a) = (value.unwrap(), abs.unwrap());
        // abs_err is |value - reference| computed against the exact reference: it is
        // within half an ulp of the reference of the f64 difference
        let approx = (v - reference).abs();
        let ulp_ref = f64::EPSILON * reference.abs().max(f64::MIN_POSITIVE);
        assert!((a - approx).abs() <= ulp_ref + f64::EPSILON * a, "{rec:?}");
        let want_rel = if reference == 0.0 {
            a
        } else {
            a / reference.abs()
        };
        // rel_err is the ratio of the unrounded difference to the full reference,
        // rounded once; a / |reference| divides the two rounded (half an ulp each) and
        // rounds again: at most 2 ulps apart
        assert!(ulps_between(rel.unwrap(), want_rel) <= 2, "{rec:?}");
        let want_bits = ((ulps_between(v, reference) as f64) + 1.0).log2();
        assert!((bits.unwrap() - want_bits).abs() <= 5e-7, "{rec:?}");
        checked += 1;
    }
    assert!(checked > 1000, "{checked}");
    for d in [dir, o1, o2] {
        std::fs::remove_dir_all(d).unwrap();
    }
}

#[test]
fn row_counts_per_scenario_and_method() {
    let dir = folder("counts");
    let r = run(&dir, 0);
    let steps = 16; // 1e-1 .. 1e-16, one per decade
    for s in &r.scenarios {
        let k = s.sampled.len();
        let n = s.n;
        let m = s.m;
        let sweep = if s.name == "smooth" { 57 } else { steps };
        for fd in ["fd-forward", "fd-backward", "fd-central"] {
            assert_eq!(
                rows(&r, &s.name, fd).len(),
                sweep * k * m,
                "{} {fd}",
                s.name
            );
            assert_eq!(
                rows(&r, &s.name, &format!("{fd}@auto")).len(),
                k * m,
                "{} {fd}@auto",
                s.name
            );
        }
        for one in ["fd-richardson", "complex-step", "forward", "forward-vector"] {
            assert_eq!(rows(&r, &s.name, one).len(), k * m, "{} {one}", s.name);
        }
        assert_eq!(
            rows(&r, &s.name, "reverse").len(),
            n * m,
            "{} reverse",
            s.name
        );
        assert_eq!(s.reference.len(), n * m, "{} reference", s.name);
    }
    let ss = r
        .scenarios
        .iter()
        .find(|s| s.name == "sum-of-squares-1000")
        .unwrap();
    assert_eq!(ss.sampled.len(), 64);
    std::fs::remove_dir_all(dir).unwrap();
}

/// Least-squares slope of log10(err) against log10(h).
fn slope(points: &[(f64, f64)]) -> f64 {
    let n = points.len() as f64;
    let (sx, sy) = points
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x.log10(), b + y.log10()));
    let (mx, my) = (sx / n, sy / n);
    let (num, den) = points.iter().fold((0.0, 0.0), |(a, b), (x, y)| {
        let dx = x.log10() - mx;
        (a + dx * (y.log10() - my), b + dx * dx)
    });
    num / den
}

#[test]
fn truncation_follows_h_or_h_squared_and_rounding_one_over_h() {
    let dir = tmp("slopes");
    std::fs::write(
        dir.join("smooth.toml"),
        "name = \"smooth\"\ninputs = [{ name = \"x\", value = 0.7 }]\noutputs = [\"exp(x) * sin(x)\"]\n\
         fd = { steps = { from = 1e-1, to = 1e-15, per_decade = 4 } }\n",
    )
    .unwrap();
    let r = run(&dir, 0);
    let pick =
        |method: &str, lo: f64, hi: f64, col: fn(&AccuracyRow) -> Option<f64>| -> Vec<(f64, f64)> {
            rows(&r, "smooth", method)
                .iter()
                .filter_map(|a| Some((a.h?, col(a)?)))
                .filter(|(h, e)| *h >= lo && *h <= hi && *e > 0.0)
                .collect()
        };
    // truncation dominates at large steps: slope 1 (one-sided) and 2 (central)
    let tf = slope(&pick("fd-forward", 1e-5, 1e-1, |a| a.trunc_err));
    let tb = slope(&pick("fd-backward", 1e-5, 1e-1, |a| a.trunc_err));
    let tc = slope(&pick("fd-central", 1e-3, 1e-1, |a| a.trunc_err));
    assert!((tf - 1.0).abs() < 0.05, "forward truncation slope {tf}");
    assert!((tb - 1.0).abs() < 0.05, "backward truncation slope {tb}");
    assert!((tc - 2.0).abs() < 0.05, "central truncation slope {tc}");
    // rounding dominates at small steps: slope -1 on average (it is a rounding error,
    // so individual points scatter by a factor of a few)
    let rf = slope(&pick("fd-forward", 1e-15, 1e-10, |a| a.round_err));
    let rc = slope(&pick("fd-central", 1e-15, 1e-10, |a| a.round_err));
    assert!((rf + 1.0).abs() < 0.3, "forward rounding slope {rf}");
    assert!((rc + 1.0).abs() < 0.3, "central rounding slope {rc}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn lecture_function_targets_richardson_complex_step_and_ad() {
    let dir = folder("targets");
    let r = run(&dir, 0);
    for a in rows(&r, "lecture-example", "fd-richardson") {
        assert!(a.rel_err.unwrap() <= 1e-13, "richardson {a:?}");
    }
    // the same extrapolation, driven directly: at most 30 evaluations per component
    let lect = r
        .scenarios
        .iter()
        .find(|s| s.name == "lecture-example")
        .unwrap();
    let sc = common::suite::scenario("lecture-example");
    for j in 0..2 {
        let rr = derivbench::fd::richardson(&|x: &[f64]| sc.eval(x), &sc.x, j, RICHARDSON_LEVELS);
        assert!(rr.evals <= 30, "{} evaluations", rr.evals);
        let reference = lect.reference[j].reference;
        assert!(((rr.value[0] - reference) / reference).abs() <= 1e-13);
    }
    for m in [
        "complex-step",
        "forward",
        "forward-vector",
        "reverse",
        "symbolic",
    ] {
        for a in rows(&r, "lecture-example", m) {
            assert!(
                ulps_between(a.value.unwrap(), a.reference) <= 2,
                "{m} {a:?}"
            );
        }
    }
    let s = r
        .scenarios
        .iter()
        .find(|s| s.name == "sum-of-squares-1000")
        .unwrap();
    let summary = derivbench::report::summary::render(&r);
    assert!(
        summary.contains("The lecture's analysis, measured"),
        "summary lacks the lecture's case"
    );
    let auto = s
        .accuracy
        .iter()
        .find(|a| a.method == "fd-forward@auto" && a.input == 0)
        .unwrap();
    assert!(summary.contains(&format!("the quotient is {}", auto.value.unwrap())));
    // and the report page gives the same paragraph
    let lecture = derivbench::report::summary::lecture_sum_of_squares(s).unwrap();
    let html = derivbench::report::html::render_html(&r, &[]);
    assert!(html.contains(&derivbench::report::html::escape(&lecture)));
    std::fs::remove_dir_all(dir).unwrap();
}
