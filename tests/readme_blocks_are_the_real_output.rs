//! The command blocks of README.md are the commands' whole output: `derivbench
//! cost-table` at the default weights, header and closing `bounds:` line included, and
//! `derivbench trace lecture-example` from the committed scenario file, and the table of
//! `examples/measure_your_ad.rs` on the default suite and on `examples/elementals/`.

#[path = "../examples/measure_your_ad.rs"]
mod measure_your_ad;

use derivbench::measure::cost::{render_elemental_table, Weights};
use derivbench::scenario::file::{load_file, Limits};
use derivbench::trace::trace;
use std::path::Path;

/// The README's block after `$ prompt`, to the end of the code block.
fn block(prompt: &str) -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let prompt = format!("$ {prompt}\n");
    let start = readme
        .find(&prompt)
        .unwrap_or_else(|| panic!("README.md shows `{prompt}`"))
        + prompt.len();
    let block = &readme[start..];
    block[..block.find("```").expect("the block ends")].to_string()
}

#[test]
fn readme_shows_the_whole_cost_table_output() {
    assert_eq!(
        block("derivbench cost-table").trim_end(),
        render_elemental_table(&Weights::default()).trim_end()
    );
}

#[test]
fn readme_shows_the_whole_trace_of_the_lecture_example() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/lecture-example.toml");
    let (sc, _) = load_file(&file, &Limits::default()).expect("the committed scenario loads");
    let t = trace(&sc, &sc.x, 0).expect("a small scenario");
    assert_eq!(
        block("derivbench trace lecture-example").trim_end(),
        t.to_string().trim_end()
    );
}

#[test]
fn readme_shows_the_whole_table_of_the_measure_your_ad_example() {
    let (table, errors) =
        measure_your_ad::table(&measure_your_ad::default_folder()).expect("the default suite");
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        block("cargo run --release --example measure_your_ad").trim_end(),
        table.trim_end()
    );
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/elementals");
    let (table, errors) = measure_your_ad::table(&dir).expect("the elementals folder");
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        block("cargo run --release --example measure_your_ad -- examples/elementals").trim_end(),
        table.trim_end()
    );
}
