//! The bits of error of f's own f64 value at the point, beside the derivatives' (AD
//! differentiates the function's roundings with it): on a cancellation they are the
//! distance of the f64 value from the function computed in MPFR here, independently.

use derivbench::measure::{measure_accuracy, AccuracyOptions, Method, RefOptions};
use derivbench::num::bits_err;
use derivbench::scenario::file::{load_str, Limits};
use rug::Float;
use std::path::Path;

#[test]
fn a_cancelling_function_loses_the_bits_mpfr_says_it_does() {
    let text = r#"
name = "cancel"
inputs = [{ name = "x", value = 1e-3 }, { name = "y", value = 2.0 }]
outputs = ["(exp(x) - 1 - x) / x^2", "y * 3"]
"#;
    let (sc, _) = load_str(Path::new("cancel.toml"), text, &Limits::default()).unwrap();
    let opts = AccuracyOptions {
        methods: vec![Method::Forward],
        quick: true,
        reference: RefOptions::default(),
        ..AccuracyOptions::default()
    };
    let acc = measure_accuracy(&sc, &opts);
    // the function in MPFR at 300 bits on the same f64 input, and in f64
    let x = Float::with_val(300, 1e-3);
    let exact = (x.clone().exp() - 1u32 - &x) / x.clone().square();
    let f64_value = ((1e-3f64).exp() - 1.0 - 1e-3) / (1e-3f64).powi(2);
    let want = bits_err(f64_value, exact.to_f64());
    // exp(x) - 1 - x keeps about 33 of the 53 bits of exp(x)
    assert!(want > 15.0, "{want}");
    assert_eq!(acc.value_bits, vec![want, 0.0]);
}

/// (x + 1e200) - 1e200 at x = 1.5 is 1.5, which f64 rounds to 0, and so do 256 and 512
/// bits, where the derivative (1) has already settled: the value is not taken from
/// those precisions, which agree on a wrong 0, but from precisions that settle it.
#[test]
fn a_value_absorbed_where_the_derivatives_settle_is_settled_on_its_own() {
    let text = r#"
name = "absorbed"
inputs = [{ name = "x", value = 1.5 }]
outputs = ["(x + 1e200) - 1e200", "x * 3"]
"#;
    let (sc, _) = load_str(Path::new("absorbed.toml"), text, &Limits::default()).unwrap();
    let opts = AccuracyOptions {
        methods: vec![Method::Forward],
        quick: true,
        reference: RefOptions::default(),
        ..AccuracyOptions::default()
    };
    let acc = measure_accuracy(&sc, &opts);
    assert!(
        acc.reference.iter().all(|r| r.settled),
        "{:?}",
        acc.reference
    );
    // f64 gives 0 against the exact 1.5; x * 3 = 4.5 exactly
    assert_eq!(acc.value_bits, vec![bits_err(0.0, 1.5), 0.0]);
    assert!(acc.value_bits[0] > 60.0, "{:?}", acc.value_bits);
}
