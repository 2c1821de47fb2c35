//! Helpers shared by the report tests: the hand-written results fixture and fresh
//! output folders under Cargo's temporary folder for integration tests.

#![allow(dead_code)]

use derivbench::results::RunResults;
use std::path::PathBuf;

/// The fixture `tests/data/results-fixture.json`.
pub fn fixture() -> RunResults {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/results-fixture.json");
    let text = std::fs::read_to_string(&path).expect("the fixture is readable");
    serde_json::from_str(&text).expect("the fixture parses as RunResults")
}

/// An empty folder `NAME` under the integration tests' temporary folder.
pub fn fresh_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the temporary folder can be created");
    dir
}
