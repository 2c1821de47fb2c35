//! `derivbench check --update` rewrites the baseline with its own header: comments
//! written by hand are not kept, and a note on standard error says how many were dropped
//! and where the first was. A `#` inside a string (an exception's reason) is no comment,
//! and a baseline as `--update` wrote it drops nothing and gets no note.

mod check_support;

use check_support::*;

#[test]
fn check_update_says_which_comments_it_drops() {
    let dir = tmp("update-drops-comments");
    let r = run_pipeline(&dir);
    let b = dir.join("baseline.toml");
    make_baseline(&b, &r);
    let results = dir.join("results");
    write_results(&results, &r);
    // as written: nothing dropped, no note
    let o = check_bin(&b, &results, &["--update"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("not kept"), "{}", stderr(&o));
    // a comment on a line of its own, one after a value, and a reason with a `#`
    let text = std::fs::read_to_string(&b).unwrap();
    let mut edited = String::new();
    let mut marked = 0;
    let mut replaced = false;
    for line in text.lines() {
        if line == "[scenarios.perceptron.cost]" {
            edited.push_str("# the perceptron's gradient: see the tape layout\n");
            marked = edited.lines().count();
        }
        if line.starts_with("gradient = ") && marked > 0 && !replaced {
            replaced = true;
            edited.push_str(
                "gradient = { measured = 3.0, allowed = 4.5, reason = \"see #123\" } # by hand\n",
            );
            continue;
        }
        edited.push_str(line);
        edited.push('\n');
    }
    assert!(marked > 0 && edited.contains("see #123"), "{edited}");
    std::fs::write(&b, &edited).unwrap();
    let o = check_bin(&b, &results, &["--update"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains(&format!(
            "note: 2 comments of {} not kept: `--update` writes the baseline's own header \
             and no other comment (the first, line {marked}: # the perceptron's gradient: \
             see the tape layout)",
            b.display()
        )),
        "{err}"
    );
    let written = std::fs::read_to_string(&b).unwrap();
    assert!(!written.contains("tape layout") && !written.contains("# by hand"));
    assert!(written.contains("reason = \"see #123\""), "{written}");
    // the rewrite has no hand-written comment left: no note the next time
    let o = check_bin(&b, &results, &["--update"]);
    assert!(!stderr(&o).contains("not kept"), "{}", stderr(&o));
}
