//! The overview of `summary.md` shows, for every scenario and method, the worst bits of
//! error that `derivbench check` gates: an entry whose every FD step vanished counts 64
//! bits in both, and `-` is left for a method that does not apply to the scenario.

use derivbench::check::{figures, NO_FIGURE_BITS};
use derivbench::report::summary::render;
use derivbench::run::{run_all, RunOptions};
use derivbench::scenario::file::{load_dir, Limits};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

fn tmp(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("derivbench-overview-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The overview table of a summary: per scenario, per method column, the cell.
fn overview(summary: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut lines = summary
        .lines()
        .skip_while(|l| !l.starts_with("## Overview"))
        .skip(2);
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .trim_matches('|')
        .split('|')
        .map(|c| c.trim().to_string())
        .collect();
    lines
        .skip(1)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<String> = l
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect();
            let by_method = header[3..]
                .iter()
                .cloned()
                .zip(cells[3..].iter().cloned())
                .collect();
            (cells[0].clone(), by_method)
        })
        .collect()
}

#[test]
fn vanished_steps_count_64_bits_in_the_overview_as_in_the_gate() {
    let d = tmp("vanished");
    // at x = 1e200 every step of the sweep vanishes in f64: no FD figure at all
    std::fs::write(
        d.join("a.toml"),
        "name = \"overflow\"\ninputs = [{ name = \"x\", value = 1e200 }]\noutputs = [\"x^2\"]\n",
    )
    .unwrap();
    // the steps on x vanish, those on y do not: one entry of two without a figure
    std::fs::write(
        d.join("b.toml"),
        "name = \"half\"\ninputs = [{ name = \"x\", value = 1e200 }, { name = \"y\", value = 1.5 }]\n\
         outputs = [\"x * y\"]\n",
    )
    .unwrap();
    // a network: reverse-tensor applies here, not to the formulas
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-mlp.toml");
    std::fs::copy(src, d.join("c.toml")).unwrap();
    let l = load_dir(&d, &Limits::default()).unwrap();
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    let mut opts = RunOptions {
        jobs: 1,
        wall_budget: Duration::ZERO,
        ..RunOptions::default()
    };
    opts.accuracy.quick = true;
    let r = run_all(&l.scenarios, &opts, Vec::new(), &|_| {});
    assert!(r.failures.is_empty(), "{:?}", r.failures);
    let table = overview(&render(&r));
    assert_eq!(table.len(), 3, "{table:?}");
    for s in &r.scenarios {
        let gated = figures(s).accuracy;
        let row = &table[&s.name];
        assert_eq!(row.len(), r.settings.methods.len());
        for (m, cell) in row {
            match gated.get(m) {
                Some(f) => assert_eq!(cell, &format!("{:.1}", f.worst_bits), "{} {m}", s.name),
                None => {
                    assert_eq!(cell, "-", "{} {m}", s.name);
                    assert!(!s.accuracy.iter().any(|a| &a.method == m), "{} {m}", s.name);
                }
            }
        }
    }
    let cell = |s: &str, m: &str| table[s][m].clone();
    let nf = format!("{NO_FIGURE_BITS:.1}");
    for m in ["fd-forward", "fd-backward", "fd-central"] {
        assert_eq!(cell("overflow", m), nf, "{m}");
        assert_eq!(cell("half", m), nf, "{m}");
    }
    // the entries with a figure are not all 64
    assert_ne!(cell("seed-mlp", "fd-central"), nf);
    assert_ne!(cell("overflow", "reverse"), nf);
    assert_eq!(cell("overflow", "reverse-tensor"), "-");
    assert_ne!(cell("seed-mlp", "reverse-tensor"), "-");
    std::fs::remove_dir_all(&d).unwrap();
}
