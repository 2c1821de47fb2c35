//! `--jobs 0` runs on rayon's global pool, whose size is the environment variable
//! `RAYON_NUM_THREADS` where that is set and one thread per core otherwise: `run --help`
//! and docs/outputs.md say so, rather than "one per core" alone.

use std::process::Command;

#[test]
fn run_help_and_the_docs_name_rayon_num_threads_for_jobs_0() {
    let out = Command::new(env!("CARGO_BIN_EXE_derivbench"))
        .args(["run", "--help"])
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    let jobs = help
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("--jobs"))
        .take_while(|l| !l.trim_start().starts_with("--weights"))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        jobs.contains("0 (the default) is one per core, or RAYON_NUM_THREADS where that is set"),
        "{jobs}"
    );
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/outputs.md"))
        .expect("docs/outputs.md");
    assert!(
        docs.contains(
            "`--jobs 0` (the default) is one worker per core, or as many as the environment \
             variable `RAYON_NUM_THREADS` names where it is set"
        ),
        "docs/outputs.md"
    );
}
