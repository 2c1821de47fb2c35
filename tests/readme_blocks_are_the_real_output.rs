//! The command blocks of README.md are the commands' whole output: `derivbench
//! cost-table` at the default weights, header and closing `bounds:` line included, and
//! `derivbench trace lecture-example` from the committed scenario file.

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
