//! A derivative rule that decides on a value (is it zero, its sign, which argument of
//! min/max) can decide wrongly at every precision where a term is absorbed: at a =
//! 2^-700, (a + 1) - 1 is 0 at 256, 512 and 1024 bits. Agreement between two such
//! precisions proves nothing, so the reference settles nothing evaluated under a
//! decision that the values' rounding bounds leave open, and goes on to the precision
//! that resolves the term. Both of its paths are covered: reverse mode (m <= n) and
//! forward mode (m > n). A decision the bounds do settle (an exact tie) costs nothing.

mod common;

use common::reference_of as reference;
use rug::Float;

/// 2^-700, below the resolution of 1 at up to 700 bits.
const A: f64 = 1.90109156629516e-211;

fn inputs() -> String {
    format!("{{ name = \"a\", value = {A:e} }}, {{ name = \"b\", value = 1.0 }}")
}

/// d/da of min(a, 0), |a|, sqrt(a) and a^1.5 at a = 2^-700, by MPFR at 4096 bits.
fn exact() -> [f64; 4] {
    let a = Float::with_val(4096, A);
    let sqrt = Float::with_val(4096, a.sqrt_ref());
    [
        0.0,
        1.0,
        Float::with_val(4096, Float::with_val(4096, sqrt.recip_ref()) / 2u32).to_f64(),
        Float::with_val(4096, sqrt * 1.5f64).to_f64(),
    ]
}

const OUTPUTS: [&str; 4] = [
    "\"min((a + b) - b, 0)\"",
    "\"abs((a + b) - b)\"",
    "\"sqrt((a + b) - b)\"",
    "\"pow((a + b) - b, 1.5)\"",
];

#[test]
fn reverse_mode_reference_resolves_an_absorbed_term_behind_a_decision() {
    for (out, want) in OUTPUTS.iter().zip(exact()) {
        let r = reference(&inputs(), out);
        let (da, db) = (&r.entries[0][0], &r.entries[0][1]);
        assert!(da.settled && db.settled, "{out}: {da:?} {db:?}");
        assert_eq!(da.to_f64(), want, "{out}: {da:?}");
        // the function does not depend on b
        assert_eq!(db.to_f64(), 0.0, "{out}: {db:?}");
        assert!(da.precision >= 2048, "{out}: {da:?}");
    }
}

#[test]
fn forward_mode_reference_resolves_an_absorbed_term_behind_a_decision() {
    // four outputs of two inputs: the reference runs in forward mode
    let r = reference(&inputs(), &OUTPUTS.join(", "));
    for ((row, out), want) in r.entries.iter().zip(OUTPUTS).zip(exact()) {
        assert!(row[0].settled, "{out}: {:?}", row[0]);
        assert_eq!(row[0].to_f64(), want, "{out}: {:?}", row[0]);
        assert_eq!(row[1].to_f64(), 0.0, "{out}: {:?}", row[1]);
    }
}

#[test]
fn a_decision_the_bounds_settle_costs_nothing() {
    // min(x^2, y) at (3, 9): an exact tie, which takes the left argument; |x - 2| at 3
    let r = reference(
        "{ name = \"x\", value = 3.0 }, { name = \"y\", value = 9.0 }",
        "\"min(x^2, y) + abs(x - 2) * exp(y)\"",
    );
    let e = &r.entries[0];
    assert!(e.iter().all(|e| e.settled && e.precision == 512), "{e:?}");
    let exp9 = Float::with_val(256, 9u32).exp();
    assert_eq!(e[0].to_f64(), Float::with_val(256, 6u32 + &exp9).to_f64());
    assert_eq!(e[1].to_f64(), exp9.to_f64());
    // a sign the bound settles: exp(3) - 20 = 0.09, rounded, is far from 0
    let r = reference("{ name = \"x\", value = 3.0 }", "\"abs(exp(x) - 20)\"");
    let e = &r.entries[0][0];
    assert!(e.settled && e.precision == 512, "{e:?}");
    assert_eq!(e.to_f64(), Float::with_val(256, 3u32).exp().to_f64());
}

#[test]
fn a_doubt_in_one_outputs_sweep_holds_that_output_only() {
    // the sign of exp(log(x)) - x at 2 is a cancellation of rounded terms: no precision
    // decides it, so the slope of abs there never settles. In reverse mode y^2's sweep
    // passes that output's entries with adjoint exactly 0 and decides nothing on them:
    // its own entries, 6 and a structural 0, settle at the first comparison
    let r = reference(
        "{ name = \"x\", value = 2.0 }, { name = \"y\", value = 3.0 }",
        "\"abs(exp(log(x)) - x)\", \"y * y\"",
    );
    let (abs, square) = (&r.entries[0], &r.entries[1]);
    assert!(abs.iter().all(|e| !e.settled), "{abs:?}");
    assert!(square.iter().all(|e| e.settled), "{square:?}");
    assert_eq!(square[1].to_f64(), 6.0);
    assert_eq!(square[0].to_f64(), 0.0);
    assert!(square.iter().all(|e| e.precision == 512), "{square:?}");
}

#[test]
fn a_doubt_while_recording_holds_every_output() {
    // the value of min(exp(log(x)), x) at 2 is decided while recording, on two values
    // whose bounds overlap: whatever follows may depend on it, and nothing settles
    let r = reference(
        "{ name = \"x\", value = 2.0 }, { name = \"y\", value = 3.0 }",
        "\"min(exp(log(x)), x)\", \"y * y\"",
    );
    assert!(r.entries.iter().flatten().all(|e| !e.settled), "{r:?}");
}
