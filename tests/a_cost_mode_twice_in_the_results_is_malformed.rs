//! A scenario whose results list a cost mode twice (edited by hand, or assembled from
//! pieces) is malformed: exit 2 naming the scenario and the mode. The gate keeps one
//! figure per mode, so a second row would otherwise hide the first: a ratio above its
//! bound, or above the baseline's allowed ratio, followed by the run's own row passed.

mod check_support;

use check_support::*;

#[test]
fn a_cost_mode_twice_in_the_results_is_malformed() {
    let (_, r, b, results) = passing_results("cost-mode-twice");
    for (mode, ratio) in [("gradient", 50.0), ("jacobian-forward", 1e3)] {
        let mut twice = r.clone();
        let s = twice
            .scenarios
            .iter_mut()
            .find(|s| s.name == "perceptron")
            .expect("the perceptron");
        let row = s.cost.iter().find(|c| c.mode == mode).unwrap().clone();
        // the worse row first, the run's own after it
        let mut worse = row.clone();
        worse.ratio = ratio;
        worse.within = row.within.map(|_| false);
        s.cost.insert(0, worse);
        // the worse row alone fails
        let mut alone = twice.clone();
        alone.scenarios.iter_mut().for_each(|s| {
            if s.name == "perceptron" {
                let pos = s.cost.iter().rposition(|c| c.mode == mode).unwrap();
                s.cost.remove(pos);
            }
        });
        write_results(&results, &alone);
        let o = check_bin(&b, &results, &[]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        // with the run's row after it, the results are malformed, not passed
        write_results(&results, &twice);
        let o = check_bin(&b, &results, &[]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{mode}: {err} {:?}", lines(&o));
        assert!(o.stdout.is_empty(), "{:?}", lines(&o));
        assert!(
            err.contains(&format!(
                "results.json: scenario 'perceptron': cost mode {mode} appears twice"
            )),
            "{err}"
        );
    }
}
