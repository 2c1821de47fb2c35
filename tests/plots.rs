//! The figures drawn from the hand-written results fixture: each figure for the
//! scenarios it applies to and for no other, byte-identical SVG when drawn twice, and
//! no failure on empty or partial data.

mod report_fixture;

use derivbench::report::plot::{self, bits, cost, error_step, jacobian_cost, recurrent};
use derivbench::results::{CostRow, RunResults};
use report_fixture::{fixture, fresh_dir};
use std::path::PathBuf;

fn both(stem: &str) -> [String; 2] {
    [format!("plots/{stem}.svg"), format!("plots/{stem}.png")]
}

#[test]
fn each_figure_is_drawn_for_the_scenarios_it_applies_to() {
    let r = fixture();
    let dir = fresh_dir("plots-each-figure");
    let written = plot::draw_all(&r, &dir).unwrap();
    let got: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    let mut want: Vec<String> = Vec::new();
    // scenarios in the fixture's (name) order; `unmeasured` has no rows at all
    for stem in [
        "bits-dense-jacobian-16x4",
        "cost-dense-jacobian-16x4",
        "bits-dense-jacobian-4x16",
        "cost-dense-jacobian-4x16",
        "bits-elman-rnn-small",
        "bits-fanout-3",
        "cost-fanout-3",
        "bits-gated-rnn-small",
        "bits-perceptron-costs",
        "cost-perceptron-costs",
        "error-step-sum-of-squares-10",
        "bits-sum-of-squares-10",
        "jacobian-cost",
        "recurrent",
    ] {
        want.extend(both(stem));
    }
    assert_eq!(got, want);
    for p in &written {
        let bytes = std::fs::read(dir.join(p)).unwrap();
        if p.extension().is_some_and(|e| e == "svg") {
            let text = String::from_utf8(bytes).unwrap();
            assert!(text.starts_with("<svg"), "{}", p.display());
            assert!(text.trim_end().ends_with("</svg>"), "{}", p.display());
            assert!(text.contains("<text"), "{} has no text", p.display());
        } else {
            assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}", p.display());
            assert!(bytes.len() > 5000, "{} is nearly empty", p.display());
            // it decodes, to the size of its SVG twin
            let img = image::load_from_memory(&bytes).unwrap();
            let svg = std::fs::read_to_string(dir.join(p.with_extension("svg"))).unwrap();
            let dims = format!("width=\"{}\" height=\"{}\"", img.width(), img.height());
            assert!(svg.contains(&dims), "{}: {dims}", p.display());
        }
    }
    // nothing else in plots/
    let mut on_disk: Vec<String> = std::fs::read_dir(dir.join("plots"))
        .unwrap()
        .map(|e| format!("plots/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    on_disk.sort();
    let mut listed = got.clone();
    listed.sort();
    assert_eq!(on_disk, listed);
}

#[test]
fn drawing_twice_gives_identical_svg_files() {
    let r = fixture();
    let (a, b) = (fresh_dir("plots-twice-a"), fresh_dir("plots-twice-b"));
    let pa = plot::draw_all(&r, &a).unwrap();
    let pb = plot::draw_all(&r, &b).unwrap();
    assert_eq!(pa, pb);
    let svgs: Vec<&PathBuf> = pa
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .collect();
    assert_eq!(svgs.len(), 14);
    for p in svgs {
        let x = std::fs::read(a.join(p)).unwrap();
        let y = std::fs::read(b.join(p)).unwrap();
        assert!(x == y, "{} differs between two drawings", p.display());
    }
}

#[test]
fn the_error_figure_marks_what_the_issue_asks_for() {
    let r = fixture();
    let s = r
        .scenarios
        .iter()
        .find(|s| s.name == "sum-of-squares-10")
        .unwrap();
    assert_eq!(error_step::representative_entry(s), Some((0, 0)));
    let f = error_step::ErrorStep::new(s).unwrap();
    let svg = plot::render_svg(&f).unwrap();
    for text in [
        "fd-forward: total error",
        "fd-backward: total error",
        "fd-central: total error",
        "truncation part",
        "rounding part",
        "textbook steps (named above the plot)",
        "model&apos;s optimal step h*",
        "h* with the rounding of f bounded",
        "reverse: 0 (at floor)",
        "fd-richardson: 4.0e-13",
        "exact zeros drawn here",
    ] {
        let t = text.replace("&apos;", "'");
        assert!(
            svg.contains(text) || svg.contains(&t),
            "the error figure lacks {text:?}"
        );
    }
    // the textbook steps named above the plot, each a text of its own
    for name in ["one-sided", "central"] {
        assert!(
            svg_texts(&svg).iter().any(|t| t == name),
            "the error figure does not name the textbook step {name:?}"
        );
    }
    let reading = error_step::reading(s).unwrap();
    assert!(
        reading.starts_with("Entry dy0/dx0: best fd-central error"),
        "{reading}"
    );
    assert!(reading.contains("the model predicted h* = "), "{reading}");
    assert!(
        reading.contains("; with the rounding bound h* = "),
        "{reading}"
    );
}

#[test]
fn readings_are_computed_from_the_data() {
    let r = fixture();
    let get = |n: &str| r.scenarios.iter().find(|s| s.name == n).unwrap();
    let b = bits::reading(get("sum-of-squares-10")).unwrap();
    assert!(
        b.contains(
            "Most accurate: complex-step, forward, forward-vector, reverse (worst entry 0.0 bits"
        ),
        "{b}"
    );
    let c = cost::reading(get("dense-jacobian-16x4")).unwrap();
    assert!(c.contains("tangent 2.31 (within the bound 2.5)"), "{c}");
    let c = cost::reading(get("perceptron-costs")).unwrap();
    assert!(c.contains("gradient 4.60 (above the bound 4)"), "{c}");
    let j = jacobian_cost::reading(&r).unwrap();
    assert!(
        j.starts_with("By operation count forward is cheaper below n/m ~ "),
        "{j}"
    );
    assert!(
        j.contains("by wall time forward is cheaper at every measured n/m"),
        "{j}"
    );
    let rr = recurrent::reading(&r).unwrap();
    assert!(
        rr.contains("elman-rnn-small: |dL_T/dh0| 4.1e-2 at T = 1"),
        "{rr}"
    );
    assert!(rr.contains("gated-rnn-small"), "{rr}");
    // the AD and FD errors are of the weight gradient of the whole loss, not of L_T
    assert!(
        rr.contains("weight gradient of L (the loss summed over the T steps, not L_T)"),
        "{rr}"
    );
    assert!(error_step::reading(get("dense-jacobian-16x4")).is_none());
    assert!(cost::reading(get("sum-of-squares-10")).is_none());
}

#[test]
fn the_crossover_is_interpolated_in_log_space() {
    // forward ~ n, reverse ~ 4 m: equal at n/m = 4
    let pts = [(0.25, 1.0, 16.0), (1.0, 4.0, 16.0), (16.0, 64.0, 16.0)];
    let x = jacobian_cost::crossover(&pts).unwrap();
    assert!((x - 4.0).abs() < 1e-9, "{x}");
    // exactly equal at a point
    assert_eq!(
        jacobian_cost::crossover(&[(1.0, 2.0, 2.0), (2.0, 5.0, 2.0)]),
        Some(1.0)
    );
    // no sign change, or unusable values
    assert_eq!(
        jacobian_cost::crossover(&[(1.0, 1.0, 2.0), (2.0, 1.0, 3.0)]),
        None
    );
    assert_eq!(
        jacobian_cost::crossover(&[(1.0, f64::NAN, 2.0), (2.0, 0.0, 3.0)]),
        None
    );
    // duplicates of x are averaged
    let x = jacobian_cost::crossover(&[(1.0, 1.0, 4.0), (1.0, 1.0, 1.0), (4.0, 8.0, 1.0)]).unwrap();
    assert!(x > 1.0 && x < 4.0, "{x}");
}

fn strip(mut r: RunResults) -> RunResults {
    for s in &mut r.scenarios {
        s.accuracy.clear();
        s.fd_theory.clear();
        s.cost.clear();
        s.recurrent.clear();
    }
    r
}

#[test]
fn empty_and_partial_results_draw_what_they_can() {
    // no rows at all: no figure, no error
    let r = strip(fixture());
    let dir = fresh_dir("plots-empty");
    assert!(plot::draw_all(&r, &dir).unwrap().is_empty());

    // cost rows with only the function, or with values that cannot be drawn
    let mut r = fixture();
    for s in &mut r.scenarios {
        s.recurrent.clear();
        if s.name == "dense-jacobian-16x4" {
            s.cost.retain(|c| c.mode == "function");
        }
        if s.name == "dense-jacobian-4x16" {
            for c in &mut s.cost {
                c.ratio = f64::NAN;
                c.wall_ratio = f64::INFINITY;
            }
        }
        if s.name == "fanout-3" {
            let mut odd: CostRow = s.cost[1].clone();
            odd.mode = "tangent-of-tomorrow".into();
            odd.bound = None;
            odd.within = None;
            s.cost.push(odd);
        }
        if s.name == "sum-of-squares-10" {
            // the swept rows of the entry lose their errors except one step
            let mut kept = false;
            for a in &mut s.accuracy {
                if a.method == "fd-central" && a.input == 0 {
                    if kept {
                        a.abs_err = None;
                    }
                    kept = true;
                }
            }
            s.fd_theory.clear();
        }
    }
    let got = drawn(&r, "plots-partial");
    assert!(
        !got.iter().any(|p| p.contains("cost-dense-jacobian-16x4")),
        "{got:?}"
    );
    assert!(
        !got.iter().any(|p| p.contains("cost-dense-jacobian-4x16")),
        "{got:?}"
    );
    assert!(
        got.contains(&"plots/cost-fanout-3.svg".to_string()),
        "{got:?}"
    );
    assert!(
        got.contains(&"plots/error-step-sum-of-squares-10.svg".to_string()),
        "{got:?}"
    );
    assert!(!got.iter().any(|p| p.contains("recurrent")), "{got:?}");
    // no dense-jacobian scenario has both Jacobian modes left: no Jacobian figure
    // (fanout-3 has them, but it is another function and not a point of that figure)
    assert!(!got.iter().any(|p| p.contains("jacobian-cost")), "{got:?}");

    // one dense-jacobian scenario with both Jacobian modes is still a figure (without a
    // crossover)
    let mut r = fixture();
    for s in &mut r.scenarios {
        s.recurrent.clear();
        if s.name == "dense-jacobian-4x16" {
            s.cost.retain(|c| c.mode == "function");
        }
    }
    let got = drawn(&r, "plots-one-jacobian");
    assert!(
        got.contains(&"plots/jacobian-cost.svg".to_string()),
        "{got:?}"
    );
}

#[test]
fn an_unwritable_folder_is_an_error_not_a_panic() {
    let r = fixture();
    let dir = fresh_dir("plots-unwritable");
    // a file where the plots folder should be
    std::fs::write(dir.join("plots"), b"not a folder").unwrap();
    let e = plot::draw_all(&r, &dir).unwrap_err();
    assert!(matches!(e, plot::PlotError::Io { .. }), "{e}");
    assert!(e.to_string().contains("plots"), "{e}");
}

/// A PNG that cannot be written is an I/O error naming it (exit 2 from the commands),
/// as the SVG beside it would be, not a failure of the drawing backend (exit 1).
#[test]
fn an_unwritable_png_is_an_io_error() {
    let r = fixture();
    let dir = fresh_dir("plots-unwritable-png");
    // a folder where the first figure's PNG should be
    let png = dir.join("plots").join("bits-dense-jacobian-16x4.png");
    std::fs::create_dir_all(&png).unwrap();
    let e = plot::draw_all(&r, &dir).unwrap_err();
    assert!(matches!(e, plot::PlotError::Io { .. }), "{e}");
    assert!(
        e.to_string().contains("bits-dense-jacobian-16x4.png"),
        "{e}"
    );
    // the SVG before it was written whole
    let svg = std::fs::read_to_string(dir.join("plots/bits-dense-jacobian-16x4.svg")).unwrap();
    assert!(svg.trim_end().ends_with("</svg>"));
}

#[test]
fn file_names_keep_only_safe_characters() {
    assert_eq!(
        plot::file_name("dense-jacobian-4x64"),
        "dense-jacobian-4x64"
    );
    assert_eq!(plot::file_name("a b/c\\d:é.x"), "a_b_c_d__.x");
}

/// The coordinates of an SVG's shapes and text that fall outside its canvas.
fn off_canvas(svg: &str) -> Vec<String> {
    let attr = |s: &str, name: &str| -> Option<i64> {
        let at = s.find(&format!(" {name}=\""))? + name.len() + 3;
        s[at..].split('"').next()?.parse().ok()
    };
    let (w, h) = (attr(svg, "width").unwrap(), attr(svg, "height").unwrap());
    let mut out = Vec::new();
    for el in svg.split('<').skip(2) {
        let tag = el.split_whitespace().next().unwrap_or("");
        let mut pts: Vec<(i64, i64)> = Vec::new();
        for (a, b) in [("x", "y"), ("x1", "y1"), ("x2", "y2"), ("cx", "cy")] {
            if let (Some(x), Some(y)) = (attr(el, a), attr(el, b)) {
                pts.push((x, y));
            }
        }
        if let Some(at) = el.find(" points=\"") {
            for p in el[at + 9..].split('"').next().unwrap().split_whitespace() {
                let (x, y) = p.split_once(',').unwrap();
                pts.push((x.parse().unwrap(), y.parse().unwrap()));
            }
        }
        for (x, y) in pts {
            if !(0..=w).contains(&x) || !(0..=h).contains(&y) {
                out.push(format!("<{tag}> at ({x}, {y}) on a {w}x{h} canvas"));
            }
        }
    }
    out.extend(text_off_canvas(svg));
    out
}

/// A conservative average advance of the figures' font (DejaVu Sans: digits and most
/// lowercase letters 0.64 em or less, the average of running text about 0.53 em), in
/// em of the SVG's `font-size`.
const AVERAGE_GLYPH_EM: f64 = 0.6;

/// The texts of an SVG whose estimated extent along the line of text (the number of
/// characters times [`AVERAGE_GLYPH_EM`] times the font size, from the anchor as
/// `text-anchor` and a rotation place it) leaves the canvas.
fn text_off_canvas(svg: &str) -> Vec<String> {
    let attr = |s: &str, name: &str| -> Option<String> {
        let at = s.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(s[at..].split('"').next()?.to_string())
    };
    let num = |s: &str, name: &str| -> Option<f64> { attr(s, name)?.parse().ok() };
    let (w, h) = (num(svg, "width").unwrap(), num(svg, "height").unwrap());
    let mut out = Vec::new();
    for el in svg.split("<text").skip(1) {
        let (tag, rest) = el.split_once('>').unwrap();
        let content = rest.split("</text>").next().unwrap().trim();
        let chars = content
            .replace("&apos;", "'")
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
            .chars()
            .count();
        let size = num(tag, "font-size").unwrap();
        let len = chars as f64 * AVERAGE_GLYPH_EM * size;
        let (x, y) = (num(tag, "x").unwrap(), num(tag, "y").unwrap());
        // the share of the text before the anchor
        let before = match attr(tag, "text-anchor").as_deref() {
            Some("end") => 1.0,
            Some("middle") => 0.5,
            _ => 0.0,
        };
        // the direction of the line of text: along x, or along y when rotated
        let rot = attr(tag, "transform")
            .and_then(|t| t.strip_prefix("rotate(")?.split(',').next()?.parse().ok())
            .unwrap_or(0);
        let (lo, hi, limit, axis) = match rot {
            0 => (x - before * len, x + (1.0 - before) * len, w, "x"),
            180 => (x - (1.0 - before) * len, x + before * len, w, "x"),
            90 => (y - before * len, y + (1.0 - before) * len, h, "y"),
            _ => (y - (1.0 - before) * len, y + before * len, h, "y"),
        };
        if lo < 0.0 || hi > limit {
            out.push(format!(
                "text {content:?} spans {axis} {lo:.0} to {hi:.0} on a {w}x{h} canvas"
            ));
        }
    }
    out
}

#[test]
fn the_fixture_figures_stay_on_their_canvas() {
    let r = fixture();
    let dir = fresh_dir("plots-on-canvas");
    for p in plot::draw_all(&r, &dir).unwrap() {
        if p.extension().is_some_and(|e| e == "svg") {
            let svg = std::fs::read_to_string(dir.join(&p)).unwrap();
            assert_eq!(off_canvas(&svg), Vec::<String>::new(), "{}", p.display());
        }
    }
}

#[test]
fn a_recurrent_series_without_a_usable_norm_or_on_one_decade_keeps_its_axes() {
    // every norm NaN, infinite or negative: nothing to draw on the left panel; every
    // norm exactly 1 or 1e-300: one decade holds them all
    for norm in [f64::NAN, f64::INFINITY, -1.0, 1.0, 1e-300] {
        let mut r = fixture();
        for s in &mut r.scenarios {
            for p in &mut s.recurrent {
                p.grad_h0_norm = norm;
            }
        }
        let f = recurrent::Recurrent::new(&r).unwrap();
        let svg = plot::render_svg(&f).unwrap();
        assert_eq!(off_canvas(&svg), Vec::<String>::new(), "norms {norm}");
    }
}

#[test]
fn bits_of_error_outside_0_to_64_are_drawn_at_the_ends_of_the_axis() {
    // a hand-edited or foreign results.json: `derivbench plot` must not panic on it
    for b in [1e300, -1e300, 65.0, -0.5] {
        let mut r = fixture();
        for s in &mut r.scenarios {
            for a in &mut s.accuracy {
                a.bits_err = Some(b);
            }
            for p in &mut s.recurrent {
                p.ad_bits = b;
                p.fd_bits = b;
            }
        }
        let s = r
            .scenarios
            .iter()
            .find(|s| s.name == "sum-of-squares-10")
            .unwrap();
        let svg = plot::render_svg(&bits::Bits::new(s).unwrap()).unwrap();
        assert_eq!(off_canvas(&svg), Vec::<String>::new(), "bits {b}");
        let svg = plot::render_svg(&recurrent::Recurrent::new(&r).unwrap()).unwrap();
        assert_eq!(off_canvas(&svg), Vec::<String>::new(), "bits {b}");
    }
}

#[test]
fn an_error_at_the_textbook_step_above_every_swept_error_sets_the_axis() {
    let mut r = fixture();
    let s = sum_of_squares_mut(&mut r);
    let entry = error_step::representative_entry(s).unwrap();
    let mut raised = 0;
    for a in &mut s.accuracy {
        if a.method.ends_with("@auto") && (a.output, a.input) == entry {
            a.abs_err = Some(1e30);
            raised += 1;
        }
    }
    assert!(raised > 0);
    let svg = plot::render_svg(&error_step::ErrorStep::new(s).unwrap()).unwrap();
    assert_eq!(off_canvas(&svg), Vec::<String>::new());
    // the error axis reaches 1e30: the markers are drawn at their value, not pinned to
    // the top of the panel
    let top = svg
        .split("</text>")
        .filter_map(|t| t.rsplit('>').next())
        .filter_map(|t| t.trim().strip_prefix("1e")?.parse::<i32>().ok())
        .max();
    assert!(top.is_some_and(|e| e >= 30), "{top:?}");
}

/// The fixture's `sum-of-squares-10`, to change.
fn sum_of_squares_mut(
    r: &mut derivbench::results::RunResults,
) -> &mut derivbench::results::ScenarioResult {
    r.scenarios
        .iter_mut()
        .find(|s| s.name == "sum-of-squares-10")
        .unwrap()
}

/// The files `draw_all` writes for `r` into a fresh folder named `tag`, as shown paths.
fn drawn(r: &derivbench::results::RunResults, tag: &str) -> Vec<String> {
    let dir = fresh_dir(tag);
    plot::draw_all(r, &dir)
        .unwrap()
        .iter()
        .map(|p| p.display().to_string())
        .collect()
}

#[test]
fn the_error_step_legend_says_when_the_model_has_no_optimum() {
    let text = |r: &derivbench::results::RunResults, tag: &str| {
        let dir = fresh_dir(tag);
        plot::draw_all(r, &dir).unwrap();
        std::fs::read_to_string(dir.join("plots/error-step-sum-of-squares-10.svg")).unwrap()
    };
    let r = fixture();
    let with = text(&r, "plots-optimum");
    // "model's optimal step h*" (the apostrophe is escaped in SVG)
    assert!(with.contains("s optimal step h*"));
    assert!(!with.contains("has no optimal step"));
    // the model found no optimum for any method (a product: no truncation term)
    let mut r = fixture();
    for s in &mut r.scenarios {
        for t in &mut s.fd_theory {
            t.predicted_h = None;
        }
    }
    let without = text(&r, "plots-no-optimum");
    assert!(without.contains("the error model has no optimal step h* here"));
    assert!(!without.contains("s optimal step h*"));
}

#[test]
fn bits_say_over_how_many_entries_when_methods_differ_in_them() {
    let mut r = fixture();
    let even = {
        let s = sum_of_squares_mut(&mut r);
        svg_texts(&plot::render_svg(&bits::Bits::new(s).unwrap()).unwrap())
    };
    assert!(!even.iter().any(|t| t.ends_with(" entries")), "{even:?}");
    // forward mode on the first input only (the other methods on 2, reverse mode on
    // every input)
    let s = sum_of_squares_mut(&mut r);
    s.accuracy
        .retain(|a| !a.method.starts_with("forward") || a.input < 1);
    let texts = svg_texts(&plot::render_svg(&bits::Bits::new(s).unwrap()).unwrap());
    let n = s.accuracy.iter().filter(|a| a.method == "reverse").count();
    assert!(texts.contains(&"1 entry".to_string()), "{texts:?}");
    assert!(texts.contains(&format!("{n} entries")), "{texts:?}");
    let b = bits::reading(s).unwrap();
    assert!(
        b.contains("the methods are measured over different entries"),
        "{b}"
    );
    // also where every method has the same worst entry
    for a in &mut s.accuracy {
        a.bits_err = Some(1.0);
    }
    let b = bits::reading(s).unwrap();
    assert!(
        b.contains("the methods are measured over different entries"),
        "{b}"
    );
    assert!(
        b.contains("over 1 or 2 entries") || b.contains("over 1 entry"),
        "{b}"
    );
}

#[test]
fn a_line_hidden_under_another_at_the_same_height_is_named_in_the_legend() {
    let legend = |fwd: f64, rev: f64| {
        let mut r = fixture();
        let s = sum_of_squares_mut(&mut r);
        for a in &mut s.accuracy {
            match a.method.as_str() {
                "forward" => a.abs_err = Some(fwd),
                "reverse" => a.abs_err = Some(rev),
                _ => {}
            }
        }
        let f = error_step::ErrorStep::new(s).unwrap();
        svg_words(&plot::render_svg(&f).unwrap())
    };
    // reverse, solid, is drawn after forward, solid: at the same height it hides it
    let same = legend(3e-16, 3e-16);
    assert!(same.contains("forward: 3.0e-16, under reverse"), "{same}");
    // a pixel apart (within 0.02 decades) is the same height
    let close = legend(3e-16, 3.1e-16);
    assert!(close.contains("forward: 3.0e-16, under reverse"), "{close}");
    // apart, both show; forward-vector is dashed, drawn over them, and hides nothing
    let apart = legend(3e-16, 6e-16);
    assert!(!apart.contains("under"), "{apart}");
    // a dashed line under a later one of the same dash: reverse-tensor, drawn with
    // forward-vector's pattern, at its height
    let mut r = fixture();
    let s = sum_of_squares_mut(&mut r);
    let tensor: Vec<_> = s
        .accuracy
        .iter()
        .filter(|a| a.method == "forward-vector")
        .map(|a| derivbench::results::AccuracyRow {
            method: "reverse-tensor".into(),
            ..a.clone()
        })
        .collect();
    s.accuracy.extend(tensor);
    let words = svg_words(&plot::render_svg(&error_step::ErrorStep::new(s).unwrap()).unwrap());
    assert!(
        words.contains("forward-vector: 0 (at floor), under reverse-tensor"),
        "{words}"
    );
}

/// The left edge and fill of each rectangle of an SVG whose height is not `skip` (the
/// legend's swatches).
fn rects(svg: &str, skip: &str) -> Vec<(f64, String)> {
    let attr = |r: &str, name: &str| -> Option<String> {
        Some(
            r.split(&format!(" {name}=\""))
                .nth(1)?
                .split('"')
                .next()?
                .to_string(),
        )
    };
    svg.split("<rect")
        .skip(1)
        .filter(|r| attr(r, "height").as_deref() != Some(skip))
        .filter_map(|r| Some((attr(r, "x")?.parse().ok()?, attr(r, "fill")?)))
        .collect()
}

fn hex(c: plotters::style::RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

#[test]
fn each_bound_is_marked_on_its_own_bar_in_the_op_count_panel_only() {
    let r = fixture();
    let mut figures = 0;
    for s in &r.scenarios {
        let Some(f) = cost::Cost::new(s, [1.0, 2.0, 3.0]) else {
            continue;
        };
        figures += 1;
        let svg = plot::render_svg(&f).unwrap();
        let width: f64 = svg
            .split("width=\"")
            .nth(1)
            .and_then(|w| w.split('"').next()?.parse().ok())
            .unwrap();
        // left of the legend (its 250 pixels on the right), one mark per mode with a
        // bound, in the op-count panel (the left half), none in the wall-time panel and
        // none across the modes without a bound
        let bounded = cost::mode_rows(s)
            .iter()
            .filter(|c| c.bound.is_some())
            .count();
        let marks: Vec<f64> = rects(&svg, "12")
            .into_iter()
            .filter(|(_, f)| *f == hex(cost::BOUND))
            .map(|(x, _)| x)
            .filter(|&x| x < width - 250.0)
            .collect();
        assert_eq!(marks.len(), bounded, "{}: marks at {marks:?}", s.name);
        assert!(
            marks.iter().all(|&x| x < width / 2.0),
            "{}: a mark at {marks:?}",
            s.name
        );
        // the legend names the weights the bounds and op counts are taken at (the text
        // of the figure, its wrapped lines joined)
        assert_eq!(
            svg_words(&svg).contains("weights (mu, pi, nu) = (1, 2, 3)"),
            bounded > 0,
            "{}",
            s.name
        );
    }
    assert!(figures > 0);
}

/// The contents of an SVG figure's text elements.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| t.split_once('>')?.1.split_once("</text>"))
        .map(|(inner, _)| inner.trim().to_string())
        .collect()
}

/// The text of an SVG figure: its text elements' contents, joined by spaces.
fn svg_words(svg: &str) -> String {
    svg_texts(svg).join(" ")
}

/// The cost figure of scenario `name`, as SVG.
fn cost_svg(r: &RunResults, name: &str) -> String {
    let s = r.scenarios.iter().find(|s| s.name == name).unwrap();
    plot::render_svg(&cost::Cost::new(s, r.settings.weights).unwrap()).unwrap()
}

#[test]
fn wall_time_panels_say_when_wall_time_was_not_measured() {
    // as after `run --no-wall`: every wall ratio is NaN
    let mut r = fixture();
    for s in &mut r.scenarios {
        for c in &mut s.cost {
            c.wall_ns = f64::NAN;
            c.wall_ratio = f64::NAN;
        }
    }
    let j = plot::render_svg(&jacobian_cost::JacobianCost::new(&r).unwrap()).unwrap();
    assert!(j.contains(plot::NOT_MEASURED), "{j}");
    assert!(!j.contains("no crossover"), "{j}");
    let c = cost_svg(&r, "dense-jacobian-16x4");
    assert!(c.contains(plot::NOT_MEASURED), "{c}");
    // with wall times, neither says so
    let r = fixture();
    let j = plot::render_svg(&jacobian_cost::JacobianCost::new(&r).unwrap()).unwrap();
    assert!(!j.contains(plot::NOT_MEASURED));
    let c = cost_svg(&r, "dense-jacobian-16x4");
    assert!(!c.contains(plot::NOT_MEASURED));
}

#[test]
fn the_least_accurate_method_is_the_one_with_the_larger_median_and_ties_are_named() {
    let mut r = fixture();
    let s = sum_of_squares_mut(&mut r);
    // forward and reverse share the worst entry (10 bits); reverse has the larger
    // median (7.5 against 6 over two entries) and complex-step the same figures as
    // reverse; every other method is exact
    for a in &mut s.accuracy {
        let rest = match a.method.as_str() {
            "forward" => 2.0,
            "reverse" | "complex-step" => 5.0,
            _ => 0.0,
        };
        a.bits_err = Some(if a.input == 0 && rest > 0.0 {
            10.0
        } else {
            rest
        });
    }
    let b = bits::reading(s).unwrap();
    assert!(
        b.contains("least: complex-step, reverse (worst 10.0 bits, median 7.5)")
            || b.contains("least: reverse, complex-step (worst 10.0 bits, median 7.5)"),
        "{b}"
    );
}

#[test]
fn methods_that_all_share_the_worst_entry_are_named_once() {
    let mut r = fixture();
    let s = sum_of_squares_mut(&mut r);
    // every method 64 bits off on its worst entry: no "most accurate" list that is also
    // the "least" one
    for a in &mut s.accuracy {
        a.bits_err = Some(if a.input == 0 { 64.0 } else { 0.0 });
    }
    let b = bits::reading(s).unwrap();
    assert!(!b.contains("Most accurate"), "{b}");
    assert!(b.starts_with("Every method ("), "{b}");
    assert!(
        b.contains("worst entry of 64.0 bits of error and a median of"),
        "{b}"
    );
    // the same worst entry, one method with a larger median: named as such
    for a in &mut s.accuracy {
        if a.method == "reverse" && a.input != 0 {
            a.bits_err = Some(9.0);
        }
    }
    let b = bits::reading(s).unwrap();
    assert!(b.contains("the largest median"), "{b}");
    assert!(b.contains("is reverse's"), "{b}");
}

/// The text of every SVG figure `draw_all` writes for `r` that leaves its canvas.
fn texts_off_canvas(r: &RunResults, tag: &str) -> Vec<String> {
    let dir = fresh_dir(tag);
    let mut out = Vec::new();
    for p in plot::draw_all(r, &dir).unwrap() {
        if p.extension().is_some_and(|e| e == "svg") {
            let svg = std::fs::read_to_string(dir.join(&p)).unwrap();
            out.extend(
                text_off_canvas(&svg)
                    .into_iter()
                    .map(|t| format!("{}: {t}", p.display())),
            );
        }
    }
    out
}

#[test]
fn legend_text_stays_on_the_canvas_when_errors_fall_below_the_floor() {
    // a rounding part far below every other error: the floor's legend line names "0
    // and smaller errors", the longest line of the legend
    let mut r = fixture();
    let s = sum_of_squares_mut(&mut r);
    let entry = error_step::representative_entry(s).unwrap();
    let a = s
        .accuracy
        .iter_mut()
        .find(|a| a.method == "fd-central" && (a.output, a.input) == entry && a.round_err.is_some())
        .unwrap();
    a.round_err = Some(1e-300);
    let svg = plot::render_svg(&error_step::ErrorStep::new(s).unwrap()).unwrap();
    assert!(svg.contains("smaller errors"), "{svg}");
    assert_eq!(text_off_canvas(&svg), Vec::<String>::new());
    assert_eq!(
        texts_off_canvas(&r, "plots-floor-text"),
        Vec::<String>::new()
    );
}

#[test]
fn titles_with_the_longest_scenario_name_stay_on_the_canvas() {
    let mut r = fixture();
    let long = "a".repeat(derivbench::scenario::file::MAX_NAME_CHARS);
    for (k, s) in r.scenarios.iter_mut().enumerate() {
        s.name = format!("{k}{}", &long[1..]);
    }
    assert!(plot::names_fit(&r).is_ok());
    assert_eq!(
        texts_off_canvas(&r, "plots-long-names"),
        Vec::<String>::new()
    );
}

#[test]
fn the_bits_guide_does_not_claim_a_relative_error() {
    let r = fixture();
    let s = r
        .scenarios
        .iter()
        .find(|s| s.name == "sum-of-squares-10")
        .unwrap();
    let svg = plot::render_svg(&bits::Bits::new(s).unwrap()).unwrap();
    assert!(!svg.contains("relative error ~ 1"), "{svg}");
    assert!(svg.contains("52 bits"), "{svg}");
    // the legend's explanation, wrapped over lines, says that 0 or the opposite sign
    // scores more
    assert!(bits::GUIDE_LABEL.contains("opposite sign"));
    assert!(svg.contains("opposite"), "{svg}");
    assert_eq!(text_off_canvas(&svg), Vec::<String>::new());
    // one method: the figure is tall enough for its legend
    let mut one = s.clone();
    one.accuracy.retain(|a| a.method == "reverse");
    let svg = plot::render_svg(&bits::Bits::new(&one).unwrap()).unwrap();
    assert_eq!(off_canvas(&svg), Vec::<String>::new());
}

#[test]
fn steps_that_vanish_in_f64_are_named_in_the_error_figure() {
    let svg = |r: &RunResults| {
        let s = r
            .scenarios
            .iter()
            .find(|s| s.name == "sum-of-squares-10")
            .unwrap();
        plot::render_svg(&error_step::ErrorStep::new(s).unwrap()).unwrap()
    };
    // the fixture's sweep went below the spacing of x on this entry: each swept
    // quotient has a step reported as h = 0, without a value
    let mut r = fixture();
    let s = sum_of_squares_mut(&mut r);
    let entry = error_step::representative_entry(s).unwrap();
    let vanished = |s: &derivbench::results::ScenarioResult| {
        s.accuracy
            .iter()
            .filter(|a| error_step::SWEEPS.contains(&a.method.as_str()))
            .filter(|a| (a.output, a.input) == entry && a.h == Some(0.0))
            .count()
    };
    let k = vanished(s);
    assert_eq!(k, 3);
    let text = svg(&r);
    assert!(text.contains("swept points not drawn:"), "{text}");
    assert!(
        text.contains(&format!("{k} whose step vanished in f64")),
        "{text}"
    );
    // without those rows, every point is drawn and no such line is written
    let s = sum_of_squares_mut(&mut r);
    s.accuracy.retain(|a| a.h != Some(0.0));
    let all = svg(&r);
    assert!(!all.contains("not drawn"), "{all}");
    // and with one step of fd-forward without a finite error, that one alone
    let s = sum_of_squares_mut(&mut r);
    let a = s
        .accuracy
        .iter_mut()
        .find(|a| a.method == "fd-forward" && (a.output, a.input) == entry && a.h != Some(0.0))
        .unwrap();
    a.value = Some(f64::NAN);
    a.abs_err = Some(f64::INFINITY);
    let u = error_step::undrawn(s, entry);
    assert_eq!((u.vanished, u.beyond, u.no_error), (0, 0, 1));
    let text = svg(&r);
    assert!(text.contains("swept points not drawn:"), "{text}");
    assert!(!text.contains("vanished"), "{text}");
    assert!(text.contains("1 without a finite error"), "{text}");
    assert_eq!(text_off_canvas(&text), Vec::<String>::new());
    assert!(error_step::missing_figure(sum_of_squares_mut(&mut r)).is_none());
}

#[test]
fn a_sweep_without_a_finite_error_says_why_it_has_no_figure() {
    let r = fixture();
    let get = |r: &RunResults| {
        r.scenarios
            .iter()
            .find(|s| s.name == "sum-of-squares-10")
            .unwrap()
            .clone()
    };
    assert_eq!(error_step::missing_figure(&get(&r)), None);
    // no sweep at all: nothing to say
    assert_eq!(
        error_step::missing_figure(r.scenarios.iter().find(|s| s.name == "fanout-3").unwrap()),
        None
    );
    let mut r = fixture();
    let s = sum_of_squares_mut(&mut r);
    let entry = error_step::representative_entry(s).unwrap();
    // every swept step that did not vanish gives NaN
    let (mut k, mut total) = (0, 0);
    for a in &mut s.accuracy {
        if error_step::SWEEPS.contains(&a.method.as_str()) && (a.output, a.input) == entry {
            total += 1;
            if a.h != Some(0.0) {
                a.value = Some(f64::NAN);
                a.abs_err = Some(f64::INFINITY);
                k += 1;
            }
        }
    }
    let v = total - k;
    assert!(v > 0 && k > 0);
    let s = get(&r);
    assert!(error_step::ErrorStep::new(&s).is_none());
    let note = error_step::missing_figure(&s).unwrap();
    // the page says it where the figure would be
    let page = derivbench::report::html::render_html(&r, &[]);
    assert!(
        page.contains(&derivbench::report::html::escape(&note)),
        "the page lacks {note}"
    );
    assert!(
        note.contains(&format!(
            "none of the {total} points of the FD step sweep on dy{}/dx{} can be drawn: {v} whose step vanished in f64 (below the spacing of x), {k} without a finite error",
            entry.0, entry.1
        )),
        "{note}"
    );
}

/// The fixture with its dense-jacobian points replaced by points at n x m with the given
/// forward and reverse op-count ratios (wall ratios equal to them).
fn jacobian_points(shapes: &[(usize, usize, f64, f64)]) -> RunResults {
    let mut r = fixture();
    let template = r
        .scenarios
        .iter()
        .find(|s| s.name == "dense-jacobian-16x4")
        .unwrap()
        .clone();
    r.scenarios.retain(|s| s.family != "dense-jacobian");
    for &(n, m, f, b) in shapes {
        let mut s = template.clone();
        s.name = format!("dense-jacobian-{n}x{m}");
        s.n = n;
        s.m = m;
        for c in &mut s.cost {
            match c.mode.as_str() {
                "jacobian-forward" => (c.ratio, c.wall_ratio) = (f, f),
                "jacobian-reverse" => (c.ratio, c.wall_ratio) = (b, b),
                _ => {}
            }
        }
        r.scenarios.push(s);
    }
    r
}

/// The x of every SVG text `content`.
fn text_xs(svg: &str, content: &str) -> Vec<f64> {
    svg.split("<text")
        .skip(1)
        .filter(|t| {
            t.split_once('>')
                .unwrap()
                .1
                .trim_start()
                .starts_with(content)
        })
        .filter_map(|t| t.split(" x=\"").nth(1)?.split('"').next()?.parse().ok())
        .collect()
}

#[test]
fn a_single_jacobian_point_lies_inside_its_panel_without_a_crossover_entry() {
    // as `run --only dense-jacobian-16x16 --methods forward --no-wall`: one point at
    // n/m = 1 (a whole decade), no wall time
    let mut r = jacobian_points(&[(16, 16, 16.5, 17.2)]);
    for s in &mut r.scenarios {
        for c in &mut s.cost {
            c.wall_ratio = f64::NAN;
        }
    }
    let svg = plot::render_svg(&jacobian_cost::JacobianCost::new(&r).unwrap()).unwrap();
    assert!(!svg.contains("crossover (interpolated)"), "{svg}");
    assert!(svg.contains("no crossover in the measured range"), "{svg}");
    // the label of the point stands clear of the y axis' tick labels (anchored at
    // their right end, just left of the axis)
    let labels = text_xs(&svg, "16x16");
    assert_eq!(labels.len(), 2, "{svg}");
    let ticks: Vec<f64> = svg
        .split("<text")
        .skip(1)
        .filter(|t| t.contains("text-anchor=\"end\""))
        .filter_map(|t| t.split(" x=\"").nth(1)?.split('"').next()?.parse().ok())
        .collect();
    assert!(!ticks.is_empty());
    for l in &labels {
        for t in &ticks {
            assert!((l - t).abs() > 40.0, "label at {l}, a tick at {t}");
        }
    }
    assert_eq!(off_canvas(&svg), Vec::<String>::new());
    assert_eq!(jacobian_cost::padded_decades([1.0]), Some((-1.0, 1.0)));
    assert_eq!(
        jacobian_cost::padded_decades([0.25, 16.0]),
        Some((-1.0, 2.0))
    );
    assert_eq!(jacobian_cost::padded_decades([f64::NAN, 0.0]), None);
    // with a crossover, the legend lists it
    let r = fixture();
    let svg = plot::render_svg(&jacobian_cost::JacobianCost::new(&r).unwrap()).unwrap();
    assert!(svg.contains("crossover (interpolated)"), "{svg}");
}

#[test]
fn a_cheaper_mode_that_flips_back_is_not_called_one_crossover() {
    // forward cheaper at n/m = 1/4, reverse at 1 and 4, forward again at 16
    let pts = [
        (0.25, 1.0, 2.0),
        (1.0, 4.0, 2.0),
        (4.0, 8.0, 2.0),
        (16.0, 1.0, 2.0),
    ];
    let xs = jacobian_cost::crossings(&pts);
    assert_eq!(xs.len(), 2, "{xs:?}");
    assert!(
        xs[0] > 0.25 && xs[0] < 1.0 && xs[1] > 4.0 && xs[1] < 16.0,
        "{xs:?}"
    );
    assert_eq!(jacobian_cost::crossover(&pts), None);
    // a touch (equal cost between two runs of the same mode) is no crossover; an equal
    // cost between the two modes is
    assert!(
        jacobian_cost::crossings(&[(1.0, 1.0, 2.0), (2.0, 2.0, 2.0), (4.0, 1.0, 2.0)]).is_empty()
    );
    assert_eq!(
        jacobian_cost::crossings(&[(1.0, 1.0, 2.0), (2.0, 2.0, 2.0), (4.0, 4.0, 2.0)]),
        [2.0]
    );

    let r = jacobian_points(&[
        (4, 16, 1.0, 2.0),
        (16, 16, 4.0, 2.0),
        (16, 4, 8.0, 2.0),
        (64, 4, 1.0, 2.0),
    ]);
    let j = jacobian_cost::reading(&r).unwrap();
    assert!(
        j.starts_with("By operation count the cheaper mode changes 2 times: forward at n/m = 0.25, reverse at n/m 1.00 to 4.00, forward at n/m = 16.00"),
        "{j}"
    );
    assert!(!j.contains("above"), "{j}");
    let svg = plot::render_svg(&jacobian_cost::JacobianCost::new(&r).unwrap()).unwrap();
    assert!(!svg.contains("crossover n/m"), "{svg}");
    // two crossings in each panel, each labelled with its n/m
    assert_eq!(
        svg.matches(">\nn/m ~ ").count() + svg.matches(">n/m ~ ").count(),
        4,
        "{svg}"
    );
    assert!(svg.contains("crossover (interpolated)"), "{svg}");
    assert_eq!(off_canvas(&svg), Vec::<String>::new());

    // one change: still named as one crossover, interpolated in ln(n/m) on
    // ln(forward / reverse) = ln 1/2 at 1/4 and ln 4 at 4: 1/4 * 16^(1/3) = 0.63
    let r = jacobian_points(&[(4, 16, 1.0, 2.0), (16, 4, 8.0, 2.0)]);
    let j = jacobian_cost::reading(&r).unwrap();
    assert!(
        j.starts_with("By operation count forward is cheaper below n/m ~ 0.63, reverse above"),
        "{j}"
    );
}

#[test]
fn the_best_step_on_a_tie_is_the_one_the_error_model_reports() {
    let mut r = fixture();
    let s = sum_of_squares_mut(&mut r);
    let entry = error_step::representative_entry(s).unwrap();
    // two steps of fd-central share the smallest error
    let hs: Vec<f64> = s
        .accuracy
        .iter()
        .filter(|a| a.method == "fd-central" && (a.output, a.input) == entry)
        .filter_map(|a| a.h)
        .collect();
    assert!(hs.len() >= 3, "{hs:?}");
    let tied = [hs[1], hs[2]];
    for a in &mut s.accuracy {
        if a.method == "fd-central" && (a.output, a.input) == entry {
            if a.h.is_some_and(|h| tied.contains(&h)) {
                a.abs_err = Some(1e-20);
            } else if a.abs_err.is_some() {
                a.abs_err = Some(1e-10);
            }
        }
    }
    // the rule of the error model's measured_h: the first of the rows with the
    // smallest error (Iterator::min_by keeps the first of equal elements)
    let first = s
        .accuracy
        .iter()
        .filter(|a| a.method == "fd-central" && (a.output, a.input) == entry)
        .filter_map(|a| Some((a.h?, a.abs_err?)))
        .filter(|(h, e)| *h > 0.0 && e.is_finite())
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap();
    assert_eq!(first.0, tied[0].max(tied[1]));
    let reading = error_step::reading(s).unwrap();
    let want = format!("best fd-central error 1.0e-20 at h = {:.1e}", first.0);
    assert!(reading.contains(&want), "{reading}");
}

#[test]
fn the_symbolic_swell_figure_says_what_its_exponents_are_fitted_over() {
    use derivbench::report::plot::swell;
    use derivbench::symbolic::FIT_FROM;
    let mut r = fixture();
    r.symbolic_growth = Some(derivbench::run::symbolic_growth());
    let g = r.symbolic_growth.as_ref().unwrap();
    let fitted: Vec<usize> = g
        .product
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| *n >= FIT_FROM)
        .collect();
    let range = format!(
        "n = {} to {} ({} points)",
        fitted[0],
        fitted[fitted.len() - 1],
        fitted.len()
    );
    let f = swell::SymbolicSwell::new(&r).unwrap();
    let svg = plot::render_svg(&f).unwrap();
    assert_eq!(
        svg.matches(&format!("exponents fitted over {range}"))
            .count(),
        2,
        "{svg}"
    );
    assert_eq!(off_canvas(&svg), Vec::<String>::new());
    let reading = swell::reading(&r).unwrap();
    assert!(
        reading.contains(&format!("(fitted over {range})")),
        "{reading}"
    );
    let written = drawn(&r, "plots-swell");
    assert!(
        written.contains(&"plots/symbolic-swell.svg".to_string()),
        "{written:?}"
    );
}

#[test]
fn every_figure_is_listed_in_the_module_table_and_the_readme() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let table = std::fs::read_to_string(root.join("src/report/plot/mod.rs")).unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut r = fixture();
    r.symbolic_growth = Some(derivbench::run::symbolic_growth());
    for p in drawn(&r, "plots-listed") {
        let stem = p.trim_end_matches(".svg").trim_end_matches(".png");
        // per scenario figures are listed as `plots/KIND-NAME`
        let kind = ["error-step", "bits", "cost"]
            .into_iter()
            .find(|k| stem.starts_with(&format!("plots/{k}-")))
            .map(|k| format!("`plots/{k}-NAME`"))
            .unwrap_or(format!("`{stem}`"));
        assert!(table.contains(&format!("//! | {kind} |")), "{kind}");
    }
    // the README's list of figures names the swell figure
    let outputs = readme
        .lines()
        .find(|l| l.starts_with("| `plots/*.svg`"))
        .unwrap();
    assert!(outputs.contains("symbolic gradient"), "{outputs}");
}

#[test]
fn a_scenario_without_a_description_reads_as_a_sentence_in_both_reports() {
    let mut r = fixture();
    sum_of_squares_mut(&mut r).description = String::new();
    let page = derivbench::report::html::render_html(&r, &[]);
    assert!(page.contains("<p>A scenario of family <code>"), "{page}");
    assert!(!page.contains("<p> (family"), "{page}");
    let md = derivbench::report::summary::render(&r);
    assert!(md.contains("\nA scenario of family `"), "{md}");
    assert!(!md.contains("\n (family"), "{md}");
}

/// The (x, y) anchor of every SVG text that reads exactly `content`.
fn text_anchors(svg: &str, content: &str) -> Vec<(f64, f64)> {
    let attr = |t: &str, name: &str| -> Option<f64> {
        t.split(&format!(" {name}=\""))
            .nth(1)?
            .split('"')
            .next()?
            .parse()
            .ok()
    };
    svg.split("<text")
        .skip(1)
        .filter(|t| {
            let body = t.split_once('>').unwrap().1;
            body.split('<').next().unwrap().trim() == content
        })
        .filter_map(|t| Some((attr(t, "x")?, attr(t, "y")?)))
        .collect()
}

#[test]
fn the_bits_guide_label_is_not_covered_by_a_bar_beyond_it() {
    // every entry 60 bits: each worst bar crosses the 52-bit guide, the top one too
    let mut r = fixture();
    for s in &mut r.scenarios {
        for a in &mut s.accuracy {
            a.bits_err = Some(60.0);
        }
    }
    let s = r
        .scenarios
        .iter()
        .find(|s| s.name == "sum-of-squares-10")
        .unwrap();
    let svg = plot::render_svg(&bits::Bits::new(s).unwrap()).unwrap();
    let labels = text_anchors(&svg, "52 bits");
    assert_eq!(labels.len(), 1, "{svg}");
    let (tx, ty) = labels[0];
    let attr = |r: &str, name: &str| -> f64 {
        r.split(&format!(" {name}=\""))
            .nth(1)
            .and_then(|v| v.split('"').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN)
    };
    use derivbench::report::plot::style::{DEEP_BLUE, VERMILLION};
    let fills = [hex(VERMILLION), hex(DEEP_BLUE)];
    let bars: Vec<[f64; 4]> = svg
        .split("<rect")
        .skip(1)
        .filter(|r| fills.iter().any(|f| r.contains(&format!("fill=\"{f}\""))))
        .map(|r| {
            [
                attr(r, "x"),
                attr(r, "y"),
                attr(r, "width"),
                attr(r, "height"),
            ]
        })
        .filter(|[x, ..]| *x <= tx)
        .collect();
    assert!(
        bars.iter().any(|[x, _, w, _]| x + w > tx),
        "no bar crosses the guide"
    );
    // the label lies above the highest bar
    for [x, y, w, _] in bars {
        if x + w > tx {
            assert!(ty < y, "label at y = {ty} on or below a bar's top {y}");
        }
    }
}

#[test]
fn a_subnormal_norm_puts_the_floor_a_decade_below_it_not_at_zero() {
    // a decade below 1e-323 is 1e-325, 0 in f64: its log was -inf, and drawing the axis
    // never ended. Beside a zero norm, the floor line and its legend sit a decade lower
    for zero in [false, true] {
        let mut r = fixture();
        for s in &mut r.scenarios {
            for (i, p) in s.recurrent.iter_mut().enumerate() {
                p.grad_h0_norm = if i == 0 {
                    5e-324
                } else if zero && i == 1 {
                    0.0
                } else {
                    1e-323
                };
            }
        }
        let f = recurrent::Recurrent::new(&r).unwrap();
        let svg = plot::render_svg(&f).unwrap();
        assert_eq!(off_canvas(&svg), Vec::<String>::new(), "zero {zero}");
        assert_eq!(svg.contains("floor 1.0e-325: zero norms"), zero, "{svg}");
        assert!(svg.contains("1e-324"), "no tick at the norms: {svg}");
    }
}

#[test]
fn the_figure_s_crossover_does_not_depend_on_the_order_of_points_at_the_same_n_over_m() {
    // three points at n/m = 1 whose forward / reverse ratios multiply to exactly 1
    // (5/2 x 1/3 x 6/5): their mean of ln(forward / reverse) is 0 or a rounding either
    // side of it depending on the order of the sum (an equal cost at the end of the
    // range, after forward at n/m = 1/4, is a crossing; forward there is none); the
    // crossings must not depend on it
    let at_one = [(1.0, 5.0, 2.0), (1.0, 10.0, 30.0), (1.0, 36.0, 30.0)];
    let first = [(0.25, 1.0, 2.0)];
    let mut seen = Vec::new();
    for order in [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ] {
        let pts: Vec<_> = first
            .iter()
            .copied()
            .chain(order.iter().map(|&k| at_one[k]))
            .collect();
        seen.push(jacobian_cost::crossings(&pts));
    }
    assert!(seen.windows(2).all(|w| w[0] == w[1]), "{seen:?}");
}

#[test]
fn the_figure_s_reading_says_where_scenarios_of_the_same_n_over_m_disagree() {
    // the reviewer's shapes: 1x1 forward, 7x7 reverse at n/m = 1, between forward at
    // 1/40 and reverse at 40
    let r = jacobian_points(&[
        (1, 40, 2.23, 45.15),
        (1, 1, 2.23, 3.15),
        (7, 7, 15.57, 9.84),
        (40, 1, 88.9, 3.22),
    ]);
    let j = jacobian_cost::reading(&r).unwrap();
    assert!(
        j.contains(
            "which disagree: at n/m = 1.00 forward is cheaper on dense-jacobian-1x1 and reverse \
             on dense-jacobian-7x7)"
        ),
        "{j}"
    );
    // in both measures (the fixture's wall ratios are the op-count ones)
    assert_eq!(j.matches("which disagree").count(), 2, "{j}");
    // points of the same n/m that agree are not named
    let r = jacobian_points(&[(1, 40, 2.0, 45.0), (1, 1, 2.0, 3.0), (7, 7, 2.0, 3.0)]);
    let j = jacobian_cost::reading(&r).unwrap();
    assert!(!j.contains("disagree"), "{j}");
}

/// The start-anchored texts of an SVG figure: (x, plotters' font size, content).
fn start_texts(svg: &str) -> Vec<(f64, u32, String)> {
    let attr = |s: &str, name: &str| -> Option<String> {
        let at = s.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(s[at..].split('"').next()?.to_string())
    };
    svg.split("<text")
        .skip(1)
        .filter_map(|el| {
            let (tag, rest) = el.split_once('>')?;
            (attr(tag, "text-anchor")? == "start").then_some(())?;
            let x: f64 = attr(tag, "x")?.parse().ok()?;
            // the SVG's font-size is plotters' size / 1.24
            let size: f64 = attr(tag, "font-size")?.parse().ok()?;
            let content = rest.split("</text>").next()?.trim().to_string();
            Some((x, (size * 1.24).round() as u32, content))
        })
        .collect()
}

#[test]
fn bits_value_labels_at_64_stay_clear_of_the_legend() {
    // 64 bits (NaN or infinite results), 63.96 (labelled 64.0), and hand-edited values
    // beyond the axis, drawn at its end with a longer label
    for b in [64.0, 63.96, 65.0, 999.9, 1e300] {
        let mut r = fixture();
        let s = sum_of_squares_mut(&mut r);
        for a in &mut s.accuracy {
            a.bits_err = Some(b);
        }
        let svg = plot::render_svg(&bits::Bits::new(s).unwrap()).unwrap();
        let texts = start_texts(&svg);
        // the value labels read as numbers; the legend's texts do not
        let (labels, legend): (Vec<_>, Vec<_>) = texts
            .into_iter()
            .partition(|(_, _, t)| t.parse::<f64>().is_ok());
        assert_eq!(labels.len(), 2 * bits::method_bits(s).len(), "bits {b}");
        let legend_left = legend
            .iter()
            .map(|(x, _, _)| *x)
            .fold(f64::INFINITY, f64::min);
        assert!(legend_left.is_finite(), "bits {b}: no legend in {svg}");
        for (x, size, t) in &labels {
            let right = x + plot::style::text_width(t, *size) as f64;
            assert!(
                right < legend_left,
                "bits {b}: label {t:?} spans {x} to {right}, the legend starts at {legend_left}"
            );
        }
        assert_eq!(off_canvas(&svg), Vec::<String>::new(), "bits {b}");
    }
}

#[test]
fn a_recurrent_series_of_one_point_reads_as_one_point() {
    let mut r = fixture();
    let s = r
        .scenarios
        .iter_mut()
        .find(|s| s.name == "elman-rnn-small")
        .unwrap();
    s.recurrent.retain(|p| p.steps == 1);
    assert_eq!(s.recurrent.len(), 1);
    let rr = recurrent::scenario_reading(s).unwrap();
    assert!(
        rr.starts_with("elman-rnn-small: |dL_T/dh0| 4.1e-2 at T = 1; the worst error"),
        "{rr}"
    );
}
