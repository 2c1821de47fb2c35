//! The trace records on a tape of dual numbers, where the base of u^w at u = 0 carries a
//! tangent. Its adjoints must still take the zero-base limits, as reverse mode on f64
//! does: for f(x, y) = x^2 + x^y at (0, 1), df/dx = 2x + y x^(y-1) = 1 and
//! df/dy = x^y log x = 0 (the limit of x log x), exact values of the limits.

use derivbench::scenario::file::{load_str, Limits};
use derivbench::trace::trace;
use std::path::Path;

#[test]
fn trace_adjoints_at_a_zero_base_are_the_limits() {
    let text = "name = \"zero-base\"\n\
                inputs = [{ name = \"x\", value = 0.0 }, { name = \"y\", value = 1.0 }]\n\
                outputs = [\"pow(x, 2.0) + pow(x, y)\"]\n";
    let sc = load_str(Path::new("zero-base.toml"), text, &Limits::default())
        .unwrap()
        .0;
    for j in 0..2 {
        let t = trace(&sc, &sc.x, j).unwrap();
        let bits = |v: &[f64]| v.iter().map(|g| g.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(&t.gradient),
            bits(&[1.0, 0.0]),
            "direction {j}: {:?}",
            t.gradient
        );
        for r in &t.rows {
            assert!(!r.adjoint.is_nan(), "direction {j}: v{} {}", r.index, r.op);
        }
    }
}
