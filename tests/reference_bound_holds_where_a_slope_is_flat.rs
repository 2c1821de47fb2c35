//! At 256 and 512 bits, (x + 1e200) - 1e200 is 0 (x is absorbed) with a rounding bound
//! of about 1e200 units, while the f64 program's exact value is x. A bound passed on
//! through the slope at the value alone would make the derivative rules' values exact:
//! the slope of cos at 0 is sin(0) = 0, so the slope cos(v) of sin, 1 - tanh(v)^2 and
//! 1 / (1 + v^2) would seem exact at 1, and both precisions agree on that wrong 1. The
//! reference passes a value's bound on through the largest slope within its radius, and
//! the product of two errors through a product, so it goes on to the precision where
//! x survives the sum, in both modes.

mod common;

use common::reference_of as reference;
use rug::Float;

const X: f64 = 1.5;

/// The derivative of each output at x = 1.5, by MPFR.
fn exact() -> Vec<(&'static str, f64)> {
    let x = Float::with_val(256, X);
    let sech2 = {
        let c = Float::with_val(256, x.cosh_ref());
        Float::with_val(256, c.square_ref()).recip()
    };
    let sig = {
        let e = Float::with_val(256, (-x.clone()).exp_ref()) + 1u32;
        e.recip()
    };
    vec![
        ("sin", Float::with_val(256, x.cos_ref()).to_f64()),
        ("cos", (-Float::with_val(256, x.sin_ref())).to_f64()),
        ("tanh", sech2.to_f64()),
        (
            "sigmoid",
            Float::with_val(256, &sig * Float::with_val(256, 1u32 - &sig)).to_f64(),
        ),
        (
            "atan",
            Float::with_val(256, Float::with_val(256, x.square_ref()) + 1u32)
                .recip()
                .to_f64(),
        ),
    ]
}

fn outputs() -> Vec<String> {
    exact()
        .iter()
        .map(|(f, _)| format!("\"{f}((x + 1e200) - 1e200)\""))
        .collect()
}

const INPUT: &str = "{ name = \"x\", value = 1.5 }";

#[test]
fn reverse_mode_goes_on_to_the_precision_that_keeps_x() {
    for (out, (f, want)) in outputs().iter().zip(exact()) {
        let r = reference(INPUT, out);
        let e = &r.entries[0][0];
        assert!(e.settled, "{f}: {e:?}");
        common::assert_close(e.to_f64(), want, 0, f);
        // x survives 1e200 + x from 666 bits on
        assert!(e.precision >= 1024, "{f}: {e:?}");
    }
}

#[test]
fn forward_mode_goes_on_to_the_precision_that_keeps_x() {
    // five outputs of one input: forward mode
    let r = reference(INPUT, &outputs().join(", "));
    for (row, (f, want)) in r.entries.iter().zip(exact()) {
        assert!(row[0].settled, "{f}: {:?}", row[0]);
        common::assert_close(row[0].to_f64(), want, 0, f);
        assert!(row[0].precision >= 1024, "{f}: {:?}", row[0]);
    }
}

#[test]
fn powers_products_and_quotients_of_an_absorbed_zero_settle_where_x_survives() {
    // d/dx of v^3 is 3 v^2, whose slope 2 v is 0 at v = 0: flat as well; the others
    // pass v's bound on through slopes that are not flat there
    let cases = [
        ("\"((x + 1e200) - 1e200)^3\"", 3.0 * X * X),
        ("\"((x + 1e200) - 1e200)^2\"", 2.0 * X),
        ("\"((x + 1e200) - 1e200) * ((x + 1e200) - 1e200)\"", 2.0 * X),
        ("\"exp((x + 1e200) - 1e200)\"", X.exp()),
        ("\"1 / (2 + ((x + 1e200) - 1e200))\"", -1.0 / 12.25),
    ];
    for (out, want) in cases {
        let r = reference(INPUT, out);
        let e = &r.entries[0][0];
        assert!(e.settled && e.precision >= 1024, "{out}: {e:?}");
        common::assert_close(e.to_f64(), want, 1, out);
    }
}
