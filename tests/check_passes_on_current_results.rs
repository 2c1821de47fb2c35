//! The gate passes on results produced by the current code: the real pipeline runs on a
//! small scenario folder, the update function makes a baseline from it, and `derivbench
//! check` accepts the results (exit 0); updating again changes nothing. The committed
//! baseline is well-formed and names only scenarios of the default suite.

mod check_support;

use check_support::*;
use derivbench::check::{self, Baseline};
use std::path::Path;

#[test]
fn baseline_made_from_current_results_passes() {
    let dir = tmp("passes");
    let r = run_pipeline(&dir);
    let results = dir.join("results");
    write_results(&results, &r);
    let baseline = dir.join("baseline.toml");
    let b = make_baseline(&baseline, &r);

    // every scenario and method is in the baseline, every bounded mode at its bound
    for s in &r.scenarios {
        let sb = &b.scenarios[&s.name];
        // every method that produced rows for this scenario (reverse-tensor and symbolic
        // apply to some families only)
        for m in &r.settings.methods {
            if s.accuracy.iter().any(|a| &a.method == m) {
                assert!(sb.accuracy.contains_key(m), "{} {m}", s.name);
            }
        }
        assert!(sb.accuracy.contains_key("fd-central@auto"));
        assert_eq!(sb.cost["tangent"].allowed, 2.5);
        assert_eq!(sb.cost["gradient"].allowed, 4.0);
        // AD is exact up to rounding on these scenarios: a couple of bits at most
        assert!(sb.accuracy["reverse"].allowed <= 4.0, "{}", s.name);
    }

    // in the library
    let report = check::check(&Baseline::load(&baseline).unwrap(), &r);
    assert!(report.passed(), "{:?}", report.violations);
    assert!(report.ungated.is_empty(), "{:?}", report.ungated);

    // and through the binary, reading what was written
    let o = check_bin(&baseline, &results, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        lines(&o),
        [format!("check: 3 scenarios within {}", baseline.display())]
    );

    // an update from the same results changes nothing, byte for byte
    let before = std::fs::read_to_string(&baseline).unwrap();
    let o = check_bin(&baseline, &results, &["--update"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = lines(&o);
    assert_eq!(out.len(), 1, "{out:?}");
    assert!(
        out[0].ends_with("0 new, 0 loosened, 0 tightened, 0 removed"),
        "{out:?}"
    );
    assert_eq!(std::fs::read_to_string(&baseline).unwrap(), before);
}

#[test]
fn a_rerun_of_the_pipeline_passes_the_same_baseline() {
    // the figures are deterministic: a second run, with another thread count, passes
    let dir = tmp("rerun");
    let r = run_pipeline(&dir);
    let b = check::update(None, &r).unwrap().baseline;
    let loaded = derivbench::scenario::file::load_dir(
        &dir.join("scenarios"),
        &derivbench::scenario::file::Limits::default(),
    )
    .unwrap();
    let mut opts = derivbench::run::RunOptions {
        wall_budget: std::time::Duration::ZERO,
        jobs: 1,
        ..Default::default()
    };
    opts.accuracy.quick = true;
    let again = derivbench::run::run_all(&loaded.scenarios, &opts, Vec::new(), &|_| {});
    let report = check::check(&b, &again);
    assert!(report.passed(), "{:?}", report.violations);
}

#[test]
fn update_from_nothing_lists_every_entry_as_new() {
    let dir = tmp("update-new");
    let r = run_pipeline(&dir);
    let results = dir.join("results");
    write_results(&results, &r);
    let baseline = dir.join("nested/baseline.toml");
    let o = check_bin(&baseline, &results, &["--update"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = lines(&o);
    let b = Baseline::load(&baseline).unwrap();
    let entries: usize = b
        .scenarios
        .values()
        .map(|s| s.accuracy.len() + s.cost.len())
        .sum();
    assert_eq!(out.len(), entries + 1);
    assert!(out[..entries].iter().all(|l| l.starts_with("new: ")));
    assert!(
        out.contains(&"new: accuracy: perceptron reverse: allowed 2.0 (measured 0.0)".to_string())
    );
    assert!(
        out.contains(&"new: cost: perceptron tangent: allowed 2.5 (measured 2.2692)".to_string()),
        "{out:?}"
    );
}

#[test]
fn committed_baseline_is_well_formed_and_names_the_default_suite() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let b = Baseline::load(&root.join(check::DEFAULT_BASELINE)).expect("reports/baseline.toml");
    assert!(
        b.quick,
        "the committed baseline is made from --quick results"
    );
    assert_eq!(b.policy, check::Policy::default());
    let suite = derivbench::scenario::file::load_dir(
        &root.join("scenarios"),
        &derivbench::scenario::file::Limits::default(),
    )
    .unwrap();
    let names: Vec<&str> = suite.scenarios.iter().map(|s| s.name.as_str()).collect();
    for (name, sb) in &b.scenarios {
        assert!(
            names.contains(&name.as_str()),
            "{name} is not in scenarios/"
        );
        assert!(sb.accuracy.contains_key("reverse"), "{name}");
        assert!(sb.cost.contains_key("gradient"), "{name}");
    }
    // and rendering it again gives the same file: it was written by the update
    let text = std::fs::read_to_string(root.join(check::DEFAULT_BASELINE)).unwrap();
    assert_eq!(b.render(), text);
}
