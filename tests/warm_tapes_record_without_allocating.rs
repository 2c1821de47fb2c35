//! Once warm, both scalar tapes record every elemental without allocating, and the
//! adjoint sweep allocates only what it returns (and, on the statement tape, the list
//! of the inputs' indices); so does the matrix-level tape on a network's loss: the
//! allocator of this test binary counts the allocations made on the test's own thread.

use derivbench::ad::{StatementTape, Tape, TensorTape};
use derivbench::num::{Binary, Scalar, Unary};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The system allocator, counting the allocations and reallocations of each thread.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn note() {
    // `try_with`: a thread being torn down has no counter left, and is not counted
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: every call is passed on to the system allocator unchanged; counting touches
// only a thread-local cell with a const initialiser, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        System.realloc(ptr, layout, new_size)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The allocations `f` makes on this thread, and its result.
fn allocations<R>(f: impl FnOnce() -> R) -> (usize, R) {
    let before = ALLOCATIONS.with(Cell::get);
    let r = f();
    (ALLOCATIONS.with(Cell::get) - before, r)
}

/// Every univariate and bivariate elemental, in chains long enough to grow a cold tape
/// many times over: each unary elemental on an argument in its domain, each binary one
/// in both operand orders, folded into a running sum (a long pending combination on the
/// statement tape) and a running product.
fn every_elemental<S: Scalar>(x: &[S]) -> S {
    let (a, b) = (&x[0], &x[1]);
    let mut sum = a.clone();
    let mut prod = b.clone();
    for round in 0..200 {
        let t = a.mul_f(1.0 + 1e-3 * f64::from(round));
        for op in Unary::with_powers::<15, 3>([2, 5, -3]) {
            // log, sqrt and 1/u on a positive argument away from 0
            let u = t.mul(&t).add_f(0.5);
            sum = sum.add(&u.unary(op));
        }
        for op in Binary::ALL {
            let (u, w) = (t.mul(&t).add_f(0.25), b.mul(b).add_f(0.75));
            sum = sum.add(&u.binary(op, &w)).add(&w.binary(op, &u));
        }
        prod = prod.mul(&t.sin().add_f(2.0));
    }
    sum.add(&prod)
}

const X: [f64; 2] = [0.7, -1.3];

/// A test that `$tape`, warmed by one recording and sweep, records [`every_elemental`]
/// again without allocating (`$size` counts what it recorded), and that its sweep
/// allocates `$sweep` times and gives the cold tape's gradient.
macro_rules! warm_tape_test {
    ($name:ident, $tape:ty, $size:ident, $sweep:expr, $what:expr) => {
        #[test]
        fn $name() {
            let tape = <$tape>::new();
            let cold = {
                let xs = tape.vars(&X);
                let y = every_elemental(&xs);
                tape.gradient(&y, &xs)
            };
            tape.clear();
            let xs = tape.vars(&X);
            let (recording, y) = allocations(|| every_elemental(&xs));
            assert!(tape.$size() > 10_000, "the chain is long: {}", tape.$size());
            assert_eq!(recording, 0, "allocations while recording on a warm tape");
            let (sweep, warm) = allocations(|| tape.gradient(&y, &xs));
            assert_eq!(sweep, $sweep, "the sweep allocates only {}", $what);
            assert_eq!(warm, cold, "the warm tape's gradient is the cold one's");
        }
    };
}

warm_tape_test!(
    a_warm_elemental_tape_records_without_allocating,
    Tape<f64>,
    len,
    1,
    "the gradient it returns"
);

warm_tape_test!(
    a_warm_statement_tape_records_without_allocating,
    StatementTape<f64>,
    terms,
    2,
    "the gradient it returns and the inputs' indices"
);

/// The matrix-level tape, warmed by one recording and sweep and cleared, records a
/// network's loss again (constants, inputs, products in every transpose, bias add,
/// activations, Hadamard product, sums) without allocating, and its sweep allocates only
/// the gradient it returns, equal to the cold tape's.
#[test]
fn a_warm_matrix_tape_records_without_allocating() {
    let fill = |n: usize, s: f64| -> Vec<f64> { (0..n).map(|i| (i as f64 * s).sin()).collect() };
    let (x, w1, b1, w2) = (
        fill(32 * 16, 0.37),
        fill(8 * 16, 0.91),
        fill(8, 1.3),
        fill(8 * 4, 0.53),
    );
    let t = fill(32 * 4, 0.77);
    let mut tape: TensorTape<f64> = TensorTape::new();
    let record = |tape: &mut TensorTape<f64>| {
        let xc = tape.constant(32, 16, x.iter().copied(), &0.0);
        let w1m = tape.input(8, 16, &w1);
        let b1m = tape.input(1, 8, &b1);
        let w2m = tape.input(8, 4, &w2);
        let h = tape.matmul(xc, false, w1m, true);
        let h = tape.bias_add(h, b1m);
        let h = tape.unary(h, Unary::Tanh);
        let z = tape.matmul(h, false, w2m, false);
        let z = tape.unary(z, Unary::Sigmoid);
        let tc = tape.constant(32, 4, t.iter().copied(), &0.0);
        let e = tape.sub(z, tc);
        let e2 = tape.hadamard(e, e);
        let cols = tape.sum_rows(e2);
        let l = tape.sum_all(cols);
        (l, [w1m, b1m, w2m])
    };
    let (l, ps) = record(&mut tape);
    let cold = tape.gradient(l, &ps);
    tape.clear();
    let (recording, (l, ps)) = allocations(|| record(&mut tape));
    assert!(
        tape.len() >= 14,
        "the program is recorded: {} nodes",
        tape.len()
    );
    assert_eq!(
        recording, 0,
        "allocations while recording on a warm matrix tape"
    );
    let (sweep, warm) = allocations(|| tape.gradient(l, &ps));
    assert_eq!(sweep, 1, "the sweep allocates only the gradient it returns");
    assert_eq!(warm, cold, "the warm tape's gradient is the cold one's");
}

#[test]
fn a_cold_tape_allocates_as_it_grows() {
    // the counter sees the tape's allocations at all: the tests above can fail
    let tape: Tape<f64> = Tape::new();
    let (recording, _) = allocations(|| {
        let xs = tape.vars(&X);
        every_elemental(&xs).re()
    });
    assert!(recording > 2, "a cold tape grows: {recording} allocations");
}
