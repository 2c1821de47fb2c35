//! `max_steps` bounds the steps a scenario's `fd.steps` sweep gives: a sweep of exactly
//! `max_steps` steps loads, one more is refused, and the count in the refusal is the
//! sweep's own.

use derivbench::scenario::file::{load_str, Limits};
use std::path::Path;

fn file(from: &str, to: &str, per_decade: u32) -> String {
    format!(
        "name = \"s\"\nfamily = \"product\"\nn = 2\nfd.steps = {{ from = {from}, to = {to}, per_decade = {per_decade} }}\n"
    )
}

fn limits(max_steps: u64) -> Limits {
    let mut l = Limits::default();
    l.set("max_steps", &max_steps.to_string()).unwrap();
    l
}

#[test]
fn a_sweep_that_ends_between_grid_points_is_counted_as_it_runs() {
    // from 1.0 to 0.5 at one step per decade is the one step 1.0
    let text = file("1.0", "0.5", 1);
    let (sc, _) = load_str(Path::new("a.toml"), &text, &limits(1)).unwrap();
    assert_eq!(sc.steps.steps(), [1.0]);
    // 999.5 grid steps from 1.0 down to 10^-9.995: the steps k = 0..=999, 1000 of
    // them, which the default limit of 1000 allows
    let text = file("1.0", "1.0115794542599004e-10", 100);
    let (sc, _) = load_str(Path::new("a.toml"), &text, &Limits::default()).unwrap();
    assert_eq!(sc.steps.steps().len(), 1000);
    // one fewer allowed: refused, with the sweep's own count
    let e = load_str(Path::new("a.toml"), &text, &limits(999)).unwrap_err();
    assert_eq!((e.line, e.col), (4, 12), "{e}");
    assert!(
        e.message
            .starts_with("`fd.steps` gives 1000 steps, more than the limit of 999"),
        "{e}"
    );
}

#[test]
fn the_count_is_the_length_of_the_sweep() {
    let ends = [
        1.0, 0.7, 0.5, 0.3, 0.1, 0.07, 1e-3, 0.0123, 1e-16, 5e-17, 1e-310,
    ];
    for &from in &ends {
        for &to in &ends {
            for per in [1, 2, 3, 7, 10, 100] {
                let n = derivbench::fd::step_sweep(from, to, per).len() as u64;
                assert_eq!(
                    derivbench::fd::step_count(from, to, per),
                    n,
                    "{from} .. {to}, {per} per decade"
                );
            }
        }
    }
}
