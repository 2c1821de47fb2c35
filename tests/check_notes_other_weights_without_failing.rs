//! `derivbench check` on results measured at other cost weights than the baseline's:
//! one `settings:` note on standard error, the ratios without a bound not compared, and
//! no failure for it.

mod check_support;

use check_support::*;

#[test]
fn other_weights_alone_pass_with_a_settings_note() {
    let dir = tmp("other-weights");
    let mut r = run_pipeline(&dir);
    let baseline = dir.join("baseline.toml");
    make_baseline(&baseline, &r);
    r.settings.weights = [2.0, 1.0, 1.0];
    // a ratio without a bound, far above what the baseline allows at its weights
    let c = r
        .scenarios
        .iter_mut()
        .find(|s| s.name == "lecture-example")
        .unwrap()
        .cost
        .iter_mut()
        .find(|c| c.mode == "jacobian-reverse")
        .unwrap();
    c.ratio *= 10.0;
    let results = dir.join("results");
    write_results(&results, &r);
    let o = check_bin(&baseline, &results, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{:?}\n{err}", lines(&o));
    assert_eq!(
        lines(&o),
        [format!(
            "check: 3 scenarios within {} (other cost weights, see the notes)",
            baseline.display()
        )]
    );
    assert_eq!(
        err.lines()
            .filter(|l| l.starts_with("note: settings: "))
            .collect::<Vec<_>>(),
        [
            "note: settings: cost weights (mu, pi, nu) = (2, 1, 1) differ from the baseline's \
          (1, 1, 1); ratios without a bound are not compared"
        ],
        "{err}"
    );
}
