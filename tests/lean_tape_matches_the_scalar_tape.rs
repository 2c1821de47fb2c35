//! The bench's lean tape (`benches/common/lean_tape.rs`), the floor set beside the
//! scalar tape in `benches/sum_of_squares.rs`, computes the same value and gradient of
//! sum of squares as the scenario and the scalar tape, bit for bit.

#[path = "../benches/common/lean_tape.rs"]
mod lean_tape;

use derivbench::ad::Tape;
use derivbench::scenario::SumOfSquares;
use lean_tape::LeanTape;

fn inputs(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| 10.0 * ((i as f64) * 0.731 + 0.2).sin())
        .collect()
}

#[test]
fn lean_tape_value_and_gradient_equal_the_scalar_tape_bit_for_bit() {
    let mut lean = LeanTape::new();
    let tape: Tape<f64> = Tape::new();
    let mut grad = Vec::new();
    // n = 1 records no sum; the tapes are reused from one n to the next, largest first
    for n in [1000usize, 1, 2, 3, 17] {
        let x = inputs(n);
        let value = lean.gradient_of_sum_of_squares(&x, &mut grad);
        let want_value = SumOfSquares.eval(&x)[0];
        let want_grad = tape.gradient_of_sum(&x, |xs| SumOfSquares.eval(xs));
        assert_eq!(value.to_bits(), want_value.to_bits(), "value at n = {n}");
        assert_eq!(grad.len(), n);
        for (i, (g, w)) in grad.iter().zip(&want_grad).enumerate() {
            assert_eq!(g.to_bits(), w.to_bits(), "d/dx_{i} at n = {n}: {g} vs {w}");
            assert_eq!(*g, 2.0 * x[i], "d/dx_{i} at n = {n}");
        }
    }
}
