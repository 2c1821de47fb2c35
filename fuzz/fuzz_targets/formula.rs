//! Fuzzes the formula compiler with two inputs, a vector and a scalar.
#![no_main]

use derivbench::scenario::expr::{Compiler, Env, Limits, Shape};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let mut env = Env::new();
        env.add_input("x", Shape::Vector(3)).unwrap();
        env.add_input("y", Shape::Scalar).unwrap();
        let mut c = Compiler::new(&env, Limits::default());
        if c.add_output(text, &[]).is_ok() {
            let p = c.finish();
            if p.len() < 100_000 {
                let _ = p.eval(&[0.5, -1.0, 2.0, 0.25]);
            }
        }
    }
});
