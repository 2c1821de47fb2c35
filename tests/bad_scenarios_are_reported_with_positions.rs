//! The catalogue of bad scenario files: each gets an error naming the file, the line
//! and column where it applies, and what was expected; none panics; a folder with bad
//! files still loads its good ones.

use derivbench::scenario::file::{load_dir, load_str, Limits, LoadError};
use std::path::Path;
use std::time::{Duration, Instant};

fn err(text: &str) -> LoadError {
    let start = Instant::now();
    let e = load_str(Path::new("scenarios/bad.toml"), text, &Limits::default())
        .map(|_| ())
        .expect_err("the file must be rejected");
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "rejected too slowly: {:?}",
        start.elapsed()
    );
    assert_eq!(e.file, Path::new("scenarios/bad.toml"));
    e
}

#[track_caller]
fn expect(text: &str, line: usize, col: usize, message: &str) {
    let e = err(text);
    assert!(
        e.message.contains(message),
        "message {:?} lacks {:?}",
        e.message,
        message
    );
    assert_eq!((e.line, e.col), (line, col), "{e}");
    let shown = e.to_string();
    assert!(
        shown.starts_with(&format!("scenarios/bad.toml:{line}:{col}: ")),
        "{shown}"
    );
}

const HEAD: &str = "name = \"bad\"\ninputs = [{ name = \"x1\", value = 1.5 }, { name = \"x\", values = [1.0, 2.0, 3.0] }]\n";

fn formula(f: &str) -> String {
    format!("{HEAD}outputs = [\"{f}\"]\n")
}

/// Column of the formula's first character on the `outputs` line.
const F: usize = 13;

#[test]
fn toml_syntax_error() {
    expect("name = \"bad\"\nfamily = = 3\n", 2, 10, "TOML syntax error");
}

#[test]
fn unknown_key() {
    expect(
        "name = \"bad\"\nfamily = \"fanout\"\nx = 1.0\nw = [1.0]\nwidth = 3\n",
        5,
        1,
        "unknown key `width` for family 'fanout' (allowed:",
    );
}

#[test]
fn a_misspelt_family_or_outputs_is_named_where_it_is() {
    expect(
        "name = \"bad\"\ninputs = [{ name = \"x\", value = 1.5 }]\noutptus = [\"sin(x)\"]\n",
        3,
        1,
        "unknown key `outptus` (did you mean `outputs`?); the file has neither `family` nor \
         `outputs` (for a formula scenario)",
    );
    expect(
        "name = \"bad\"\nfamliy = \"fanout\"\nx = 1.0\nw = [1.0]\n",
        2,
        1,
        "unknown key `famliy` (did you mean `family`?)",
    );
    // no key near a known one: no guess
    expect(
        "name = \"bad\"\nsomething = 1\n",
        2,
        1,
        "unknown key `something`; the file has neither",
    );
    // `output` is an elman-rnn key, and a typing error from `outputs`
    expect(
        "name = \"bad\"\ninputs = [{ name = \"x\", value = 1.0 }]\noutput = [\"x\"]\n",
        3,
        1,
        "key `output` in a file with neither `family` nor `outputs`: did you mean `outputs`? \
         (or give the `family` it belongs to)",
    );
    // a short key is near every short key: no guess
    for short in ["zz", "ab"] {
        let e = err(&format!("name = \"bad\"\n{short} = 1\n"));
        assert!(!e.message.contains("did you mean"), "{e}");
        assert_eq!((e.line, e.col), (2, 1), "{e}");
    }
    // with a family, a misspelt key of that family is suggested too
    expect(
        "name = \"bad\"\nfamily = \"expr\"\ninputs = [{ name = \"x\", value = 1.0 }]\noutptus = [\"x\"]\n",
        4,
        1,
        "unknown key `outptus` for family 'expr' (did you mean `outputs`?) (allowed:",
    );
    expect(
        "name = \"bad\"\nfamily = \"product\"\nn = 3\nsampel = 2\n",
        4,
        1,
        "unknown key `sampel` for family 'product' (did you mean `sample`?) (allowed:",
    );
    // every key known to some family, but neither `family` nor `outputs`
    expect(
        "name = \"bad\"\nn = 3\n",
        1,
        1,
        "missing key `family` (or `outputs` for a formula scenario)",
    );
}

#[test]
fn unknown_family() {
    expect(
        "name = \"bad\"\nfamily = \"resnet\"\n",
        2,
        10,
        "unknown family 'resnet' (known: expr, sum-of-squares",
    );
}

#[test]
fn unknown_function_lists_the_known_ones() {
    expect(&formula("sinh(x1)"), 3, F, "unknown function 'sinh' (known: sin, cos, tan, exp, log, sqrt, tanh, sigmoid, atan, abs, pow, min, max");
}

#[test]
fn undefined_name() {
    expect(&formula("x1 + y"), 3, F + 5, "'y'");
}

#[test]
fn duplicate_input_name() {
    let text = "name = \"bad\"\ninputs = [{ name = \"a\", value = 1.0 }, { name = \"a\", value = 2.0 }]\noutputs = [\"a\"]\n";
    expect(text, 2, 49, "'a' is declared twice");
}

#[test]
fn wrong_arity() {
    expect(&formula("pow(x1)"), 3, F, "pow takes 2 arguments, got 1");
}

#[test]
fn index_out_of_range_is_one_based() {
    expect(
        &formula("x[4]"),
        3,
        F + 2,
        "index 4 out of range 1..=3 for 'x'",
    );
    expect(
        &formula("x[0]"),
        3,
        F + 2,
        "index 0 out of range 1..=3 for 'x'",
    );
}

#[test]
fn loop_bound_that_is_not_an_integer() {
    let e = err(&formula("sum(i, 1, 1.5, x[1])"));
    assert_eq!((e.line, e.col), (3, F + 10), "{e}");
    assert!(e.message.contains("integer"), "{e}");
}

#[test]
fn unbalanced_parenthesis() {
    let e = err(&formula("(x1 + 1"));
    assert_eq!(e.line, 3);
    assert!(
        e.message.contains("')'") || e.message.to_lowercase().contains("parenthes"),
        "{e}"
    );
    let e = err(&formula("x1 + 1)"));
    assert_eq!((e.line, e.col), (3, F + 6), "{e}");
}

#[test]
fn empty_outputs() {
    expect(
        &format!("{HEAD}outputs = []\n"),
        3,
        11,
        "`outputs` must not be empty",
    );
}

#[test]
fn invalid_scenario_name() {
    expect(
        "name = \"Bad Name\"\nfamily = \"fanout\"\nx = 1.0\nw = [1.0]\n",
        1,
        8,
        "invalid scenario name 'Bad Name'",
    );
}

#[test]
fn name_with_path_separators() {
    expect(
        "name = \"../etc/passwd\"\nfamily = \"fanout\"\nx = 1.0\nw = [1.0]\n",
        1,
        8,
        "invalid scenario name",
    );
}

#[test]
fn mlp_matrix_shape_disagrees_with_layers() {
    let text = "name = \"bad\"\nfamily = \"mlp\"\nlayers = [2, 1]\nx = [[1.0, 2.0]]\nt = [[0.5]]\nweights = [[[1.0, 2.0, 3.0]]]\n";
    expect(
        text,
        6,
        13,
        "weight matrix 1 row 1 has 3 values but layers [2 -> 1] need 1 x 2 (out x in)",
    );
    // a matrix of the right width with a row too many, and one with a ragged row below
    // a good one
    let text = "name = \"bad\"\nfamily = \"mlp\"\nlayers = [2, 1]\nx = [[1.0, 2.0]]\nt = [[0.5]]\nweights = [[[1.0, 2.0], [3.0, 4.0]]]\n";
    expect(
        text,
        6,
        12,
        "weight matrix 1 is 2 x 2 but layers [2 -> 1] need 1 x 2 (out x in)",
    );
    let text = "name = \"bad\"\nfamily = \"mlp\"\nlayers = [2, 2]\nx = [[1.0, 2.0]]\nt = [[0.5, 0.5]]\nweights = [[\n  [1.0, 2.0],\n  [3.0, 4.0, 5.0],\n]]\n";
    expect(
        text,
        8,
        3,
        "weight matrix 1 row 2 has 3 values but layers [2 -> 2] need 2 x 2 (out x in)",
    );
    let text = "name = \"bad\"\nfamily = \"mlp\"\nlayers = [2, 1]\nx = [[1.0]]\nt = [[0.5]]\nweights = { seed = 1 }\n";
    expect(text, 4, 6, "`x` row 1 has 1 values but layers[0] = 2");
    // a ragged row of `x` or `t` written over lines is named where it is
    let text = "name = \"bad\"\nfamily = \"mlp\"\nlayers = [2, 1]\nx = [\n  [1.0, 0.5],\n  [1.0, 0.5],\n  [1.0],\n]\nt = [[0.25], [0.5], [0.5]]\nweights = { seed = 1 }\n";
    expect(text, 7, 3, "`x` row 3 has 1 values but layers[0] = 2");
    let text = "name = \"bad\"\nfamily = \"mlp\"\nlayers = [2, 1]\nx = [[1.0, 0.5], [1.0, 0.5]]\nt = [\n  [0.25],\n  [0.5, 0.1],\n]\nweights = { seed = 1 }\n";
    expect(
        text,
        7,
        3,
        "`t` row 2 has 2 values but the output width is 1",
    );
}

#[test]
fn vector_length_disagrees_with_its_declaration() {
    expect(
        "name = \"bad\"\nfamily = \"sum-of-squares\"\nn = 3\nvalues = [1.0, 2.0]\n",
        4,
        10,
        "`values` has 2 entries but `n` = 3",
    );
    expect(
        "name = \"bad\"\nfamily = \"perceptron\"\nx = [1.0, 2.0]\nw = [1.0]\n",
        4,
        5,
        "`w` has 1 entries but `x` has 2",
    );
}

#[test]
fn non_finite_value() {
    expect(
        "name = \"bad\"\nfamily = \"fanout\"\nx = inf\nw = [1.0]\n",
        3,
        5,
        "`x` must be finite",
    );
}

#[test]
fn nan_in_a_value() {
    expect(
        "name = \"bad\"\nfamily = \"fanout\"\nx = 1.0\nw = [1.0, nan]\n",
        4,
        11,
        "`w` must be finite, found NaN",
    );
}

#[test]
fn non_numeric_value() {
    expect(
        "name = \"bad\"\nfamily = \"fanout\"\nx = \"one\"\nw = [1.0]\n",
        3,
        5,
        "`x` must be a number, found string",
    );
}

#[test]
fn a_random_range_wider_than_f64() {
    expect(
        "name = \"bad\"\ninputs = [{ name = \"x\", len = 3, fill = \"random\", low = -1e308, high = 1e308 }]\noutputs = [\"x[1]\"]\n",
        2,
        72,
        "wider than f64 holds",
    );
    expect(
        "name = \"bad\"\nfamily = \"product\"\nn = 3\nfill = \"random\"\nlow = -1.7e308\nhigh = 1.7e308\n",
        6,
        8,
        "wider than f64 holds",
    );
}

/// `max_len` bounds a formula scenario's outputs and constants in all, not item by item:
/// several generators, or formulas written out after one, each within the limit, are
/// refused together where the total passes it, as are constants declared one by one.
#[test]
fn outputs_and_constants_are_limited_in_all() {
    let limits = Limits {
        max_len: 5,
        ..Limits::default()
    };
    let head = "name = \"bad\"\ninputs = [{ name = \"x\", value = 1.0 }]\n";
    for (body, line, col, message) in [
        (
            // 3 + 3 generated: refused at the second generator's `to`
            "outputs = [{ for = \"j\", from = 1, to = 3, expr = \"x\" },\n  { for = \"k\", from = 1, to = 3, expr = \"x\" }]\n",
            4,
            31,
            "more than 5 outputs (raise with --limit max_len=N)",
        ),
        (
            // 5 generated, then a sixth written out
            "outputs = [{ for = \"j\", from = 1, to = 5, expr = \"x\" }, \"x\"]\n",
            3,
            57,
            "more than 5 outputs (raise with --limit max_len=N)",
        ),
        (
            // two constants of 3 values each
            "constants = [{ name = \"a\", len = 3, fill = \"index\" },\n  { name = \"b\", len = 3, fill = \"index\" }]\noutputs = [\"x\"]\n",
            4,
            3,
            "the constants hold more than 5 values (raise with --limit max_len=N)",
        ),
    ] {
        let text = format!("{head}{body}");
        let e = load_str(Path::new("bad.toml"), &text, &limits)
            .map(|_| ())
            .expect_err(&text);
        assert!(e.message.contains(message), "{e}");
        assert_eq!((e.line, e.col), (line, col), "{e}");
    }
    // at the limit, each is accepted
    for body in [
        "outputs = [{ for = \"j\", from = 1, to = 3, expr = \"x\" }, \"x\", \"x\"]\n",
        "constants = [{ name = \"a\", len = 3, fill = \"index\" }, { name = \"b\", len = 2, fill = \"index\" }]\noutputs = [\"x\"]\n",
    ] {
        let text = format!("{head}{body}");
        assert!(load_str(Path::new("ok.toml"), &text, &limits).is_ok(), "{text}");
    }
}

/// Sharing keeps a loop of a repeated body, or many copies of one generated output, to
/// a few instructions, but each iteration and each output expands the formula anew:
/// that work is bounded too, at ten formula nodes per elemental allowed, and the
/// error says which limit raises it.
#[test]
fn the_work_of_expanding_formulas_is_limited() {
    let limits = Limits {
        max_elementals: 500,
        ..Limits::default()
    };
    // about 30 nodes per copy of the body, a handful of distinct instructions
    let body = "sin(x) + cos(x) * exp(x) - sin(x) * sin(x) + cos(x) / (1 + exp(x)) + x * x * x";
    let head = "name = \"bad\"\ninputs = [{ name = \"x\", value = 0.5 }]\n";
    for outputs in [
        format!("outputs = [\"sum(i, 1, 300, {body})\"]\n"),
        format!("outputs = {{ for = \"j\", from = 1, to = 300, expr = \"{body}\" }}\n"),
    ] {
        let text = format!("{head}{outputs}");
        let e = load_str(Path::new("bad.toml"), &text, &limits)
            .map(|_| ())
            .expect_err(&text);
        assert!(
            e.message
                .contains("the formulas expand to more than 5000 nodes")
                && e.message.contains("--limit max_elementals=N"),
            "{e}"
        );
        assert_eq!(e.line, 3, "{e}");
        // and within the default limits they load, to a few hundred instructions
        let (sc, _) = load_str(Path::new("ok.toml"), &text, &Limits::default()).expect(&text);
        assert!(sc.n() == 1);
    }
}

#[test]
fn limits_name_themselves_and_how_to_raise_them() {
    let limits = Limits {
        max_len: 5,
        ..Limits::default()
    };
    for (text, message) in [
        (
            "name = \"bad\"\nfamily = \"product\"\nvalues = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]\n",
            "`values` has 6 values, more than the limit of 5 (raise with --limit max_len=N)",
        ),
        (
            "name = \"bad\"\ninputs = [{ name = \"x\", value = 1.0 }]\noutputs = { for = \"j\", from = 1, to = 6, expr = \"x\" }\n",
            "more than 5 outputs (raise with --limit max_len=N)",
        ),
        (
            "name = \"bad\"\nfamily = \"mlp\"\nlayers = [3, 2, 1]\nx = { rows = 2, seed = 1 }\n",
            "`x` would hold 2 x 3 values, more than the limit of 5 (raise with --limit max_len=N)",
        ),
    ] {
        let e = load_str(Path::new("bad.toml"), text, &limits)
            .map(|_| ())
            .expect_err(text);
        assert!(e.message.contains(message), "{e}");
    }
    // every family counts its elementals against `max_elementals`
    let small = Limits {
        max_elementals: 10,
        ..Limits::default()
    };
    let w = ["1.0"; 6].join(", ");
    for text in [
        format!("name = \"bad\"\nfamily = \"perceptron\"\nx = [{w}]\nw = [{w}]\n"),
        format!("name = \"bad\"\nfamily = \"fanout\"\nx = 1.0\nw = [{w}]\n"),
        "name = \"bad\"\nfamily = \"sum-of-squares\"\nn = 6\n".to_string(),
        "name = \"bad\"\nfamily = \"product\"\nn = 11\n".to_string(),
    ] {
        let e = load_str(Path::new("bad.toml"), &text, &small)
            .map(|_| ())
            .expect_err(&text);
        assert!(
            e.message
                .contains("more than the limit of 10 (raise with --limit max_elementals=N)"),
            "{e}"
        );
    }
    assert!(load_str(
        Path::new("ok.toml"),
        "name = \"ok\"\nfamily = \"product\"\nn = 10\n",
        &small
    )
    .is_ok());
    // a sweep of more steps than `max_steps` (1000), or a decade of more
    expect(
        "name = \"bad\"\nfamily = \"product\"\nn = 2\nfd.steps = { from = 1e-1, to = 1e-16, per_decade = 100 }\n",
        4,
        12,
        "`fd.steps` gives 1501 steps, more than the limit of 1000 (raise with --limit max_steps=N)",
    );
    // a subnormal `to` (from / to overflows) and an infinite `from`
    expect(
        "name = \"bad\"\nfamily = \"product\"\nn = 2\nfd.steps = { from = 1.0, to = 1e-310, per_decade = 1000 }\n",
        4,
        12,
        "`fd.steps` gives 310001 steps, more than the limit of 1000",
    );
    expect(
        "name = \"bad\"\nfamily = \"product\"\nn = 2\nfd.steps = { from = inf, to = 1e-3 }\n",
        4,
        21,
        "`from` must be finite, found inf",
    );
    expect(
        "name = \"bad\"\nfamily = \"product\"\nn = 2\nfd.steps = { per_decade = 5000000000 }\n",
        4,
        27,
        "`per_decade` = 5000000000 is beyond 4294967295, the most steps per decade",
    );
    // a dense grid is held by the steps it gives: 2000 per decade over 2 decades is
    // 4001 steps, beyond the limit, while over a tenth of a decade it is 201
    expect(
        "name = \"bad\"\nfamily = \"product\"\nn = 2\nfd.steps = { from = 1e-3, to = 1e-5, per_decade = 2000 }\n",
        4,
        12,
        "`fd.steps` gives 4001 steps, more than the limit of 1000",
    );
}

#[test]
fn a_dense_grid_over_less_than_a_decade_is_held_by_the_steps_it_gives() {
    let text = "name = \"dense\"\nfamily = \"product\"\nn = 2\n\
                fd.steps = { from = 1e-3, to = 7.943282347242815e-4, per_decade = 2000 }\n";
    let (sc, _) = load_str(Path::new("dense.toml"), text, &Limits::default()).unwrap();
    assert_eq!(sc.steps.per_decade, 2000);
    assert_eq!(
        derivbench::fd::step_sweep(1e-3, 7.943282347242815e-4, 2000).len(),
        201
    );
}

#[test]
fn a_description_of_two_lines() {
    expect(
        "name = \"bad\"\ndescription = \"line one\\nline two\"\nfamily = \"product\"\nn = 2\n",
        2,
        15,
        "`description` must be one line",
    );
}

#[test]
fn empty_file() {
    let e = err("");
    assert!(e.message.contains("empty file"), "{e}");
    let e = err("  \n\n");
    assert!(e.message.contains("empty file"), "{e}");
}

#[test]
fn deeply_nested_parentheses_do_not_overflow_the_stack() {
    let deep = format!("{}x1{}", "(".repeat(50_000), ")".repeat(50_000));
    let e = err(&formula(&deep));
    assert_eq!(e.line, 3);
    assert!(e.message.contains("nest"), "{e}");
}

#[test]
fn a_length_of_ten_to_the_twelfth() {
    expect(
        "name = \"bad\"\ninputs = [{ name = \"x\", len = 1000000000000, fill = \"index\" }]\noutputs = [\"x[1]\"]\n",
        2,
        31,
        "exceeds the limit of 1000000",
    );
    expect(
        "name = \"bad\"\nfamily = \"sum-of-squares\"\nn = 1000000000000\n",
        3,
        5,
        "exceeds the limit",
    );
}

#[test]
fn a_loop_of_ten_to_the_eleventh_iterations() {
    let e = err(&formula("sum(i, 1, 100000000000, x[1])"));
    assert_eq!(e.line, 3);
    assert!(e.message.contains("iteration"), "{e}");
}

#[test]
fn a_precision_of_ten_to_the_ninth_bits() {
    expect(
        "name = \"bad\"\nfamily = \"fanout\"\nx = 1.0\nw = [1.0]\nreference = { precision = 1000000000 }\n",
        5,
        27,
        "`reference.precision` must be in 64..=65536 bits",
    );
}

#[test]
fn a_precision_below_64_bits_has_no_limit_to_raise() {
    let text =
        "name = \"bad\"\nfamily = \"fanout\"\nx = 1.0\nw = [1.0]\nreference = { precision = 2 }\n";
    expect(
        text,
        5,
        27,
        "`reference.precision` must be in 64..=65536 bits, found 2",
    );
    let e = err(text);
    assert!(!e.message.contains("--limit"), "{e}");
}

#[test]
fn a_literal_beyond_f64_is_named_in_its_own_digits() {
    expect(
        "name = \"bad\"\nfamily = \"fanout\"\nx = -1e400\nw = [1.0]\n",
        3,
        5,
        "`x` must be finite, found -1e400, which overflows f64",
    );
}

#[test]
fn too_many_fd_steps() {
    expect(
        "name = \"bad\"\nfamily = \"fanout\"\nx = 1.0\nw = [1.0]\nfd = { steps = { from = 1e-1, to = 1e-16, per_decade = 1000 } }\n",
        5,
        16,
        "more than the limit of 1000",
    );
}

#[test]
fn limits_can_be_raised() {
    let text = "name = \"ok\"\nfamily = \"fanout\"\nx = 1.0\nw = [1.0]\nreference = { precision = 100000 }\n";
    assert!(load_str(Path::new("a.toml"), text, &Limits::default()).is_err());
    let mut l = Limits::default();
    l.set("max_precision", "200000").unwrap();
    assert!(load_str(Path::new("a.toml"), text, &l).is_ok());
    assert!(l.set("max_nothing", "1").is_err());
}

#[test]
fn generated_outputs_report_positions_inside_their_formula() {
    let text =
        format!("{HEAD}outputs = {{ for = \"j\", from = 1, to = 4, expr = \"x[j] * x1\" }}\n");
    expect(&text, 3, 52, "index 4 out of range 1..=3 for 'x'");
}

fn tmpdir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("derivbench-bad-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn a_folder_with_bad_files_still_loads_the_good_ones() {
    let d = tmpdir("mixed");
    std::fs::write(
        d.join("a-good.toml"),
        "name = \"good\"\nfamily = \"fanout\"\nx = 1.0\nw = [1.0, 2.0]\n",
    )
    .unwrap();
    std::fs::write(d.join("b-bad.toml"), "name = \"bad\"\nfamily = \"nope\"\n").unwrap();
    std::fs::write(d.join("c-binary.toml"), [0x6e, 0x61, 0xff, 0xfe, 0x00]).unwrap();
    std::fs::write(
        d.join("d-dup.toml"),
        "name = \"good\"\nfamily = \"fanout\"\nx = 2.0\nw = [1.0]\n",
    )
    .unwrap();
    std::fs::write(
        d.join("e-good.toml"),
        "name = \"also-good\"\nfamily = \"dense-jacobian\"\nn = 2\nm = 3\nseed = 1\n",
    )
    .unwrap();
    std::fs::write(d.join("notes.txt"), "not a scenario").unwrap();
    // a link to nothing, and a link to a device that never ends: not readable, so
    // errors, neither left out nor read
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(d.join("nowhere"), d.join("f-dangling.toml")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", d.join("g-device.toml")).unwrap();
    }
    let l = load_dir(&d, &Limits::default()).unwrap();
    let names: Vec<&str> = l.scenarios.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["good", "also-good"]);
    #[cfg(unix)]
    {
        assert_eq!(l.errors.len(), 5);
        let e = l.errors[3].to_string();
        assert!(e.contains("f-dangling.toml: cannot read:"), "{e}");
        let e = l.errors[4].to_string();
        assert!(
            e.contains("g-device.toml: cannot read: not a regular file"),
            "{e}"
        );
    }
    #[cfg(not(unix))]
    assert_eq!(l.errors.len(), 3);
    assert!(
        l.errors[0]
            .to_string()
            .contains("b-bad.toml:2:10: unknown family"),
        "{}",
        l.errors[0]
    );
    assert!(
        l.errors[1]
            .to_string()
            .contains("c-binary.toml:1:3: invalid UTF-8"),
        "{}",
        l.errors[1]
    );
    assert!(
        l.errors[2]
            .to_string()
            .contains("d-dup.toml:1:8: duplicate scenario name 'good' (already defined in"),
        "{}",
        l.errors[2]
    );
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn positions_inside_strings_with_escapes() {
    // a line-ending backslash in a multi-line basic string: the error is where the
    // unknown name is, four lines down, not at the opening quotes
    let text =
        format!("{HEAD}outputs = [\"\"\"\nsin(x1) + \\\n  cos(x1) + \\\n  sinh(x1)\"\"\"]\n");
    expect(&text, 6, 3, "unknown function 'sinh'");
    // one-character escapes and \u escapes shift the columns of what follows them
    expect(
        &formula("x1 +\\tsinh(x1)"),
        3,
        F + 6,
        "unknown function 'sinh'",
    );
    expect(
        &formula("\\u0078\\u0031 + sinh(x1)"),
        3,
        F + 15,
        "unknown function 'sinh'",
    );
    // a literal string has no escapes: a backslash there is a character of the formula
    expect(
        &format!("{HEAD}outputs = ['x1 + \\ 2']\n"),
        3,
        F + 5,
        "unexpected character",
    );
}

#[test]
fn keys_that_do_not_apply_to_the_chosen_form_are_errors() {
    // a contradictory or ignored key would leave a benchmark other than the one written
    expect(
        "name = \"bad\"\nfamily = \"product\"\nn = 5\nvalues = [1.0, 2.0, 3.0]\n",
        4,
        10,
        "`values` has 3 entries but `n` = 5",
    );
    expect(
        "name = \"bad\"\nfamily = \"product\"\nn = 3\nseed = 7\n",
        4,
        8,
        "`seed` applies only with `fill = \"random\"`",
    );
    expect(
        "name = \"bad\"\nfamily = \"product\"\nn = 3\nfill = \"index\"\nhigh = 2.0\n",
        5,
        8,
        "`high` applies only with `fill = \"random\"`",
    );
    expect(
        "name = \"bad\"\nfamily = \"product\"\nvalues = [1.0, 2.0]\nfill = \"random\"\n",
        4,
        8,
        "`fill` applies only with `n`",
    );
    expect(
        "name = \"bad\"\nfamily = \"sum-of-squares\"\nvalues = [1.0, 2.0]\npoint = \"index\"\n",
        4,
        9,
        "`point` applies only with `n`",
    );
    expect(
        "name = \"bad\"\ninputs = [{ name = \"x\", value = 1.0, fill = \"random\", seed = 3 }]\noutputs = [\"x\"]\n",
        2,
        45,
        "`fill` applies only with `len`",
    );
    expect(
        "name = \"bad\"\ninputs = [{ name = \"v\", values = [1.0, 2.0], seed = 9 }]\noutputs = [\"v[1]\"]\n",
        2,
        53,
        "`seed` applies only with `fill = \"random\"`",
    );
}

#[test]
fn network_sizes_beyond_usize_products_hit_the_work_limit() {
    // with max_len raised past 2^32, the widths' products wrapped in usize and let the
    // network past the work check (then the allocation panicked)
    let limits = Limits {
        max_len: 100_000_000_000,
        ..Limits::default()
    };
    for text in [
        "name = \"bad\"\nfamily = \"elman-rnn\"\ninput = 4294967295\nhidden = 4294967296\noutput = 4294967296\nsteps = 1\n",
        "name = \"bad\"\nfamily = \"gated-rnn\"\ninput = 4294967296\nhidden = 4294967296\nsteps = 1\n",
    ] {
        let e = load_str(Path::new("scenarios/bad.toml"), text, &limits)
            .map(|_| ())
            .expect_err("the file must be rejected");
        assert!(e.message.contains("max_elementals"), "{text}: {e}");
    }
}

#[test]
fn the_variable_of_generated_outputs_is_checked_where_it_is_written() {
    let generated = |var: &str| {
        format!("{HEAD}outputs = {{ for = \"{var}\", from = 1, to = 2, expr = \"x1 * 2\" }}\n")
    };
    // the `for` value starts at column 19
    expect(
        &generated("1 j"),
        3,
        19,
        "the loop variable '1 j' is not a valid name",
    );
    expect(
        &generated(""),
        3,
        19,
        "the loop variable '' is not a valid name",
    );
    expect(
        &generated("x1"),
        3,
        19,
        "the loop variable 'x1' shadows the input 'x1'",
    );
    expect(&generated("sin"), 3, 19, "is named like the function 'sin'");
}

#[test]
fn an_empty_constants_list_is_an_error_like_every_empty_list() {
    expect(
        &format!("{HEAD}constants = []\noutputs = [\"x1\"]\n"),
        3,
        13,
        "`constants` must not be empty",
    );
}

#[test]
fn an_empty_seeded_range_points_at_its_bound() {
    // `high` given: the error points at it, not at the table's first key
    let text = "name = \"bad\"\ninputs = [{ name = \"x\", len = 3, fill = \"random\", low = 1.0, high = 0.0 }]\noutputs = [\"x[1]\"]\n";
    expect(text, 2, 69, "`low` = 1 must be below `high` = 0");
    // only `low` given, above the default `high` of 1
    let text = "name = \"bad\"\ninputs = [{ name = \"x\", len = 3, fill = \"random\", low = 2.0 }]\noutputs = [\"x[1]\"]\n";
    expect(text, 2, 57, "`low` = 2 must be below `high` = 1");
    // far from 1 in exponent form, not as 309 digits
    let text = "name = \"bad\"\ninputs = [{ name = \"x\", len = 3, fill = \"random\", low = 1e308, high = -1e308 }]\noutputs = [\"x[1]\"]\n";
    expect(text, 2, 71, "`low` = 1e308 must be below `high` = -1e308");
}

#[test]
fn too_many_generated_outputs_point_at_to() {
    let text = "name = \"bad\"\ninputs = [{ name = \"x\", value = 1.0 }]\noutputs = { for = \"j\", from = 1, to = 100000000000, expr = \"x*j\" }\n";
    expect(text, 3, 39, "more than 1000000 outputs");
    // the widest range i64 holds does not overflow the count
    let text = "name = \"bad\"\ninputs = [{ name = \"x\", value = 1.0 }]\noutputs = { for = \"j\", from = -9223372036854775808, to = 9223372036854775807, expr = \"x\" }\n";
    expect(text, 3, 58, "more than 1000000 outputs");
}

#[test]
fn a_byte_order_mark_is_not_a_column() {
    // the value of `name` starts in the 8th column an editor shows
    expect("\u{feff}name = 5\n", 1, 8, "`name` must be a string");
    // and it shifts no later line
    expect(
        "\u{feff}name = \"bad\"\nfamily = = 3\n",
        2,
        10,
        "TOML syntax error",
    );
}

#[test]
fn nesting_beyond_the_toml_parsers_limit_concerns_the_file_not_its_first_column() {
    // the parser's recursion limit comes without a position: line 0 (the whole file),
    // not 1:1
    let key = vec!["a"; 120].join(".");
    let e = err(&format!("name = \"bad\"\nx = 1\n{key} = 1\n"));
    assert!(e.message.contains("TOML syntax error"), "{e}");
    assert_eq!((e.line, e.col), (0, 0), "{e}");
    assert!(e.to_string().starts_with("scenarios/bad.toml: TOML"), "{e}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_file_larger_than_its_metadata_says_is_read_only_to_the_limit() {
    use derivbench::scenario::file::load_file;
    // /proc/self/status reports a size of 0 and holds about 1.5 kB
    let status = Path::new("/proc/self/status");
    if std::fs::metadata(status).map_or(true, |m| m.len() != 0) {
        return;
    }
    let limits = Limits {
        max_file_bytes: 100,
        ..Limits::default()
    };
    let e = load_file(status, &limits)
        .map(|_| ())
        .expect_err("beyond the limit");
    assert!(e.message.contains("exceeds the limit"), "{e}");
    assert_eq!(e.line, 0, "{e}");
}

#[test]
fn sizes_beyond_a_few_gigabytes_of_memory_are_refused_by_default() {
    // n = 10^7 would need about 29 GB for the reference and the rows of every method
    expect(
        "name = \"bad\"\nfamily = \"sum-of-squares\"\nn = 10000000\n",
        3,
        5,
        "exceeds the limit of 1000000 (raise with --limit max_len=N)",
    );
    // a dense Jacobian of 2000 x 2000, about 12 million elementals, bounded from its
    // sizes before anything is built
    let e = err("name = \"bad\"\nfamily = \"dense-jacobian\"\nn = 2000\nm = 2000\n");
    assert!(e.message.contains("max_elementals"), "{e}");
    // a loop longer than max_elementals allows is refused by its own limit, before any
    // instruction is generated
    let e = err(&formula("sum(i, 1, 5000000, x1)"));
    assert!(e.message.contains("max_loop_iterations"), "{e}");
    // n = 10^6 is within them
    let ok = "name = \"ok\"\nfamily = \"sum-of-squares\"\nn = 1000000\n";
    load_str(Path::new("ok.toml"), ok, &Limits::default()).expect("within the defaults");
}

#[test]
fn empty_generated_outputs_point_at_to() {
    let text = "name = \"bad\"\ninputs = [{ name = \"x\", value = 1.0 }]\noutputs = { for = \"j\", from = 1, to = 0, expr = \"x\" }\n";
    expect(text, 3, 39, "generated outputs from 1 to 0 are empty");
}

#[test]
fn the_forms_of_inputs_constants_and_outputs_are_named_as_they_are_allowed() {
    // an entry of a list is named as an entry, not as the list (which is an array)
    expect(
        "name = \"bad\"\ninputs = [\"x\"]\noutputs = [\"x\"]\n",
        2,
        11,
        "an entry of `inputs` must be a table such as { name = \"x\", value = 1.5 }, found string",
    );
    expect(
        &format!("{HEAD}constants = [{{ name = \"k\", value = 1.0 }}, 3]\noutputs = [\"x1\"]\n"),
        3,
        43,
        "an entry of `constants` must be a table such as { name = \"x\", value = 1.5 }, found integer",
    );
    // `outputs` may be a list or one generated list, its entries formulas or generated lists
    expect(
        &format!("{HEAD}outputs = \"x1\"\n"),
        3,
        11,
        "`outputs` must be a list of formulas or a generated list { for, from, to, expr }, found string",
    );
    expect(
        &format!("{HEAD}outputs = [\"x1\", [\"x1\"]]\n"),
        3,
        18,
        "an entry of `outputs` must be a formula (a string) or a generated list { for, from, to, expr }, found array",
    );
}
