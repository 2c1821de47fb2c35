//! Counting the iterations of a loop nest before expanding it takes memory in proportion
//! to the nest, also where every loop's bounds use the variable of the loop around it:
//! a nest of d such loops (a formula of a few bytes per loop, allowed with a raised
//! `max_depth`) must not hold d^2/2 names. The allocator of this test binary tracks the
//! peak of the bytes in use.

use derivbench::scenario::expr::{Compiler, Env, Limits, Shape};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// The system allocator, tracking the bytes in use and their peak.
struct Tracking;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = IN_USE.fetch_add(by, Relaxed) + by;
    PEAK.fetch_max(now, Relaxed);
}

// SAFETY: every call is passed on to the system allocator unchanged; tracking touches
// only atomics.
unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size >= layout.size() {
            grew(new_size - layout.size());
        } else {
            IN_USE.fetch_sub(layout.size() - new_size, Relaxed);
        }
        System.realloc(ptr, layout, new_size)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        IN_USE.fetch_sub(layout.size(), Relaxed);
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Tracking = Tracking;

/// `sum(a1, 1, 1, sum(a2, a1, a1, sum(a3, a2, a2, ... x)))`, `d` loops deep.
fn dependent_nest(d: usize) -> String {
    let mut f = String::new();
    for k in 1..=d {
        let bound = if k == 1 {
            "1".to_string()
        } else {
            format!("a{}", k - 1)
        };
        f.push_str(&format!("sum(a{k}, {bound}, {bound}, "));
    }
    f.push('x');
    f.push_str(&")".repeat(d));
    f
}

#[test]
fn a_nest_of_dependent_loops_is_counted_without_a_name_per_pair_of_loops() {
    let d = 4000;
    let text = dependent_nest(d);
    // the formula is parsed and checked recursively: a stack for its depth
    let peak = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let mut env = Env::new();
            env.add_input("x", Shape::Scalar).unwrap();
            let limits = Limits {
                max_depth: 2 * d + 10,
                ..Limits::default()
            };
            let mut c = Compiler::new(&env, limits);
            let base = IN_USE.load(Relaxed);
            PEAK.store(base, Relaxed);
            c.add_output(&text, &[]).unwrap();
            let peak = PEAK.load(Relaxed) - base;
            // one iteration per loop, each the input itself
            let p = c.finish();
            assert_eq!(p.eval(&[1.5]), vec![1.5]);
            peak
        })
        .unwrap()
        .join()
        .unwrap();
    // the syntax tree and the counter's table are a few hundred bytes per loop; a name
    // for each pair of loops would be 16 bytes times d^2/2 = 128 MB
    assert!(
        peak < 16 << 20,
        "{peak} bytes at the peak for a nest of {d} loops"
    );
}
