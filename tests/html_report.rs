//! The report page rendered from the fixture: self-contained, every figure drawn is on
//! the page with a reading, every table of the summary is there, text is escaped.

mod report_fixture;

use derivbench::report::html::{escape, render_html};
use derivbench::report::plot;
use report_fixture::{fixture, fresh_dir};
use std::path::PathBuf;

#[test]
fn the_page_is_self_contained_and_shows_every_figure() {
    let r = fixture();
    let dir = fresh_dir("html-structure");
    let plots = plot::draw_all(&r, &dir).unwrap();
    let html = render_html(&r, &plots);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    for bad in ["http://", "https://", "<script", "<link", "@import", "url("] {
        assert!(!html.contains(bad), "the page contains {bad:?}");
    }
    // each SVG once as an image, each PNG once as a link
    for p in &plots {
        let rel = p.display().to_string();
        let needle = if rel.ends_with(".svg") {
            format!("<img src=\"{rel}\"")
        } else {
            format!("<a href=\"{rel}\">PNG</a>")
        };
        assert_eq!(html.matches(&needle).count(), 1, "{needle}");
    }
    assert_eq!(html.matches("<img ").count(), 14);
    assert_eq!(html.matches("<figcaption>").count(), 14);
    // readings, not placeholders
    assert!(html.contains("Entry dy0/dx0: best fd-central error"));
    assert!(html.contains("By operation count forward is cheaper below n/m ~ "));
    assert!(html.contains("settles at"));
    // the summary's tables
    assert!(html.contains("Overview: worst bits of error per scenario and method"));
    assert!(html.contains("<th>predicted best h</th>"));
    assert!(html.contains("<td class=\"l\">jacobian-reverse</td>"));
    // a section per scenario, also without figures
    for s in &r.scenarios {
        assert!(
            html.contains(&format!("<section id=\"s-{}\">", s.name)),
            "{}",
            s.name
        );
    }
    // the data files beside the page, linked by relative paths
    for f in [
        "accuracy.csv",
        "reference.csv",
        "cost.csv",
        "results.json",
        "summary.md",
    ] {
        assert!(html.contains(&format!("<a href=\"{f}\">{f}</a>")), "{f}");
    }
    // the failure message is escaped, and the failures are linked from the contents
    assert!(html.contains("unknown key `sede` &lt;&amp; &quot;quoted&quot;&gt;"));
    assert!(html.contains(&format!(
        "<li><a href=\"#failures\">Failures ({})</a></li>",
        r.failures.len()
    )));
    assert!(html.contains("<h2 id=\"failures\">"));
}

#[test]
fn figures_not_drawn_are_left_out() {
    let r = fixture();
    let html = render_html(&r, &[]);
    assert!(!html.contains("<img"));
    assert!(!html.contains("<figure"));
    assert!(!html.contains("Across scenarios"));
    // PNG only: the PNG is the image
    let png = vec![PathBuf::from("plots/recurrent.png")];
    let html = render_html(&r, &png);
    assert!(html.contains("<img src=\"plots/recurrent.png\""));
    assert_eq!(html.matches("<img").count(), 1);
}

#[test]
fn escaping() {
    assert_eq!(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
}

#[test]
fn the_page_and_the_summary_state_the_cost_weights() {
    let mut r = fixture();
    let sentence = "cost weights (mu, pi, nu) = (1, 1, 1)";
    for text in [
        render_html(&r, &[]),
        derivbench::report::summary::render(&r),
    ] {
        assert!(text.contains(sentence), "{text}");
        assert!(!text.contains("where the cost model proves its bounds"));
    }
    // weights where the bounds are not proven are named as such
    r.settings.weights = [1.0, 1.0, 0.0];
    for text in [
        render_html(&r, &[]),
        derivbench::report::summary::render(&r),
    ] {
        assert!(
            text.contains("cost weights (mu, pi, nu) = (1, 1, 0) (outside mu &gt;= pi")
                || text.contains("cost weights (mu, pi, nu) = (1, 1, 0) (outside mu >= pi"),
            "{text}"
        );
    }
}
