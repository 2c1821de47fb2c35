//! Fuzzes the scenario loader: any bytes must give a scenario or an error, never a
//! panic, a hang or a stack overflow.
#![no_main]

use derivbench::scenario::file::{load_str, Limits};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok((sc, _)) = load_str(Path::new("fuzz.toml"), text, &Limits::default()) {
            // a loaded scenario must also evaluate without panicking (small ones only)
            if sc.n() <= 64 {
                let _ = sc.eval(&sc.x);
            }
        }
    }
});
