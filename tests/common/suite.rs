//! Loading the default suite in tests.
#![allow(dead_code)]

use derivbench::scenario::file::{load_dir, Limits};
use derivbench::scenario::Scenario;
use std::path::Path;

/// The default suite, loaded from `scenarios/`.
pub fn default_suite() -> Vec<Scenario> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let l = load_dir(&dir, &Limits::default()).expect("the scenario folder");
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    l.scenarios
}

/// One scenario of the default suite.
pub fn scenario(name: &str) -> Scenario {
    default_suite()
        .into_iter()
        .find(|s| s.name == name)
        .expect("a default scenario")
}
