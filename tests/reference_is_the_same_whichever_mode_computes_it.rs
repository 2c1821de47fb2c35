//! The reference runs reverse mode when m <= n and forward mode otherwise. Both apply
//! the chain rule with the same guard (a tangent or an adjoint of exactly 0 passes
//! nothing, also through an infinite partial), and each can meet inf * 0 or inf - inf
//! where the other does not: an entry that one mode gives as NaN is taken from the
//! other when that is a number, so that adding an unrelated output, which switches the
//! mode, does not change the reference (x^(0 y) at x = -2, the third case of
//! docs/methods.md, is in `reference_settles_or_says_unsettled.rs`).

mod common;

use common::reference_of as reference;

const X: &str = "{ name = \"x\", value = 1.5 }";
const X0: &str = "{ name = \"x\", value = 0.0 }";

/// The entry d y_0 / d x_0, settled.
fn first(inputs: &str, outputs: &str) -> f64 {
    let r = reference(inputs, outputs);
    let e = &r.entries[0][0];
    assert!(e.settled, "{outputs}: {e:?}");
    e.to_f64()
}

#[test]
fn sqrt_of_an_exact_zero_difference_has_derivative_zero_in_either_mode() {
    // reverse mode alone: inf - inf, the adjoints of x through both operands of x - x
    let alone = first(X, "\"sqrt(x - x)\"");
    // two outputs of one input: forward mode, where x - x has a tangent of exactly 0
    let beside = first(X, "\"sqrt(x - x)\", \"x\"");
    assert_eq!(alone.to_bits(), 0.0f64.to_bits());
    assert_eq!(beside.to_bits(), 0.0f64.to_bits());
}

#[test]
fn a_zero_factor_times_sqrt_at_zero_has_derivative_zero_in_either_mode() {
    // forward mode: (x - x) times the tangent of sqrt(x) at 0, 0 * inf
    let beside = first(X0, "\"(x - x) * sqrt(x)\", \"x\"");
    // reverse mode: sqrt(x) gets an adjoint of exactly 0 and passes nothing
    let alone = first(X0, "\"(x - x) * sqrt(x)\"");
    assert_eq!(alone.to_bits(), 0.0f64.to_bits());
    assert_eq!(beside.to_bits(), 0.0f64.to_bits());
}

#[test]
fn a_nan_of_both_modes_stays_nan() {
    // sqrt(-x) at x = 1.5 is outside its domain in every mode
    assert!(first(X, "\"sqrt(-x)\"").is_nan());
    assert!(first(X, "\"sqrt(-x)\", \"x\"").is_nan());
}
