//! Prints the forward difference of sum of squares (n = 1000, x_i = i) on x_1 at the
//! textbook step and across a sweep: the lecture's finite-difference example, measured.
use derivbench::fd::{fd_column, step_sweep, FdKind, Stencil};
use derivbench::scenario::SumOfSquares;

fn main() {
    let sc = SumOfSquares::scenario("sum-of-squares-1000", 1000);
    let f = |x: &[f64]| sc.eval(x);
    let h = FdKind::Forward.textbook_step(1.0);
    let st = Stencil::new(FdKind::Forward, 1.0, h);
    let v = fd_column(&f, &sc.x, 0, &st)[0];
    println!("f(x) = {:e}", sc.eval(&sc.x)[0]);
    println!(
        "textbook step h = {:e}: fd-forward d/dx1 = {v} (exact 2), error {:e}",
        st.h,
        (v - 2.0).abs()
    );
    for h in step_sweep(1e-1, 1e-16, 1) {
        let st = Stencil::new(FdKind::Forward, 1.0, h);
        let v = fd_column(&f, &sc.x, 0, &st)[0];
        println!("h = {:>8.1e} (used {:e}): {v}", h, st.h);
    }
}
