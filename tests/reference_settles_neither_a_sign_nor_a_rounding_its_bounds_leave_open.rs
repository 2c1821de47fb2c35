//! Two decisions that agreement between precisions cannot make.
//!
//! The sign of an infinity, or whether a result is a number at all, comes from the
//! signs of the operands: W = ((x + t) - x) - t/2 at x = 1, t = 2.4e-181, is +2^-601
//! exactly and -2^-601 at 256 and 512 bits, so W / 0 is -inf at both, and pow(0, W) is
//! inf; the reference settled on them. An operation whose result is not finite, with an
//! operand whose bound leaves its side of 0 open, is now a doubt, and so is a power at
//! a base of 0 whose exponent's sign is open.
//!
//! The f64 a value rounds to: 1 + 2^-53 + 2^-600 is 1 + 2^-53 at 256 and 512 bits, a
//! midpoint between two f64s, which rounds to even (1) while the exact value rounds up.
//! An entry settles only where no rounding boundary lies within what the precisions
//! and the bound leave open.

mod common;

use common::reference_of as reference;
use rug::Float;

const W: &str = "(((x + 2.409919865102884e-181) - x) - 1.204959932551442e-181)";
const Z: &str = "((x + 2.409919865102884e-181) - x)";
const XY: &str = "{ name = \"x\", value = 1.0 }, { name = \"y\", value = 0.5 }";

/// d/dy, settled.
#[track_caller]
fn d_dy(output: &str) -> f64 {
    let r = reference(XY, &format!("'''{output}'''"));
    let e = &r.entries[0][1];
    assert!(e.settled, "{output}: {e:?}");
    e.to_f64()
}

#[test]
fn the_sign_of_an_infinity_waits_for_the_sign_of_its_operand() {
    assert_eq!(d_dy(&format!("y * ({W} / 0)")), f64::INFINITY);
    // y * 0^W: 0^(+2^-601) = 0
    assert_eq!(d_dy(&format!("y * pow(0, {W})")), 0.0);
    // W times sqrt's infinite slope at y - 0.5 = 0
    assert_eq!(d_dy(&format!("{W} * sqrt(y - 0.5)")), f64::INFINITY);
}

#[test]
fn min_and_max_beside_an_open_infinity_take_the_right_argument() {
    // min(0.5, 0^W = 0) and max(0.5, Z / 0 = +inf) take their second arguments
    assert_eq!(d_dy(&format!("min(y, pow(0, {W}))")), 0.0);
    assert_eq!(d_dy(&format!("max(y, {Z} / 0)")), 0.0);
}

#[test]
fn a_value_at_an_f64_midpoint_at_two_precisions_is_not_rounded_on_agreement() {
    // d/dx = 1 + 2^-53 + 2^-600 and 1 + 3 2^-53 - 2^-600, whose absorbed terms decide
    // the rounding
    let cases = [
        (
            "x + x*1.1102230246251565e-16 + x*2.409919865102884e-181",
            2f64.powi(-53),
            1.0,
        ),
        (
            "x + x*3.3306690738754696e-16 - x*2.409919865102884e-181",
            3.0 * 2f64.powi(-53),
            -1.0,
        ),
    ];
    for (out, eps, sign) in cases {
        let r = reference("{ name = \"x\", value = 0.5 }", &format!("\"{out}\""));
        let e = &r.entries[0][0];
        assert!(e.settled, "{out}: {e:?}");
        let exact = Float::with_val(4096, 1.0)
            + Float::with_val(4096, eps)
            + Float::with_val(4096, sign * 2.409919865102884e-181);
        assert_eq!(e.to_f64(), exact.to_f64(), "{out}: {e:?}");
        assert!(e.precision >= 1024, "{out}: {e:?}");
    }
}
