//! The `derivbench cost-table` block of README.md is the command's whole output at the
//! default weights, header and closing `bounds:` line included.

use derivbench::measure::cost::{render_elemental_table, Weights};
use std::path::Path;

#[test]
fn readme_shows_the_whole_cost_table_output() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let prompt = "$ derivbench cost-table\n";
    let start = readme
        .find(prompt)
        .expect("README.md shows `derivbench cost-table`")
        + prompt.len();
    let block = &readme[start..];
    let block = &block[..block.find("```").expect("the block ends")];
    assert_eq!(
        block.trim_end(),
        render_elemental_table(&Weights::default()).trim_end()
    );
}
