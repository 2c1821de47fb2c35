//! The reference's rounding bound keeps its size where the values leave f64's range: a
//! cancellation of terms of 1e600, or of 2^-2000, is refused until the precision
//! resolves it, as one in range is, instead of settling on the 0 that both precisions
//! agree on. Both paths of the reference are covered: reverse mode (m <= n) and forward
//! mode (m > n).

mod common;

use common::reference_of as reference;

#[test]
fn a_cancellation_above_f64s_range_is_resolved() {
    // (x^2 + 1) - x^2 = 1 exactly, with x^2 = 1e600: d/dy of y ((x^2 + 1) - x^2) is 1
    let r = reference(
        "{ name = \"x\", value = 1e300 }, { name = \"y\", value = 1.0 }",
        "\"y * ((x^2 + 1) - x^2)\"",
    );
    let e = &r.entries[0][1];
    assert!(e.settled && e.to_f64() == 1.0, "{e:?}");
    assert!(e.precision > 2048, "{e:?}");
}

#[test]
fn a_cancellation_below_f64s_range_is_resolved() {
    // q = 2^-1000: ((q^2 + q^3) - q^2) / q^3 = 1, with q^3 = 2^-3000
    let q = 2f64.powi(-1000);
    let r = reference(
        "{ name = \"x\", value = 1.0 }",
        &format!("\"x * ((({q:e}^2 + {q:e}^3) - {q:e}^2) / {q:e}^3)\""),
    );
    let e = &r.entries[0][0];
    assert!(e.settled && e.to_f64() == 1.0, "{e:?}");
}

#[test]
fn forward_mode_resolves_a_cancellation_above_f64s_range() {
    // two outputs of one input: the reference runs in forward mode
    let r = reference(
        "{ name = \"x\", value = 1e300 }",
        "\"((x*x + 1) - x*x) * x\", \"x\"",
    );
    let e = &r.entries[0][0];
    assert!(e.settled && e.to_f64() == 1.0, "{e:?}");
}
