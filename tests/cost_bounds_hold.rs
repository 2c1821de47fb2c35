//! The cost model checked on the implementation: the ratios of the lecture's function
//! and of sum of squares derived by hand from the per-elemental tables, every default
//! scenario within w_tan <= 5/2 and w_grad <= 4, and the Jacobian mode that wins
//! flipping between the 4x64 and 64x4 scenarios.

mod common;

use common::suite::{default_suite, scenario};
use derivbench::measure::cost::{cost_rows, Weights};
use derivbench::num::Work;
use derivbench::results::CostRow;

fn mode<'a>(rows: &'a [CostRow], m: &str) -> &'a CostRow {
    rows.iter()
        .find(|r| r.mode == m)
        .unwrap_or_else(|| panic!("no {m} row"))
}

fn work(r: &CostRow) -> Work {
    Work {
        moves: r.moves,
        adds: r.adds,
        mults: r.mults,
        nlops: r.nlops,
    }
}

#[test]
fn sum_of_squares_counts_follow_the_elemental_tables() {
    // n squares (univariate) and n - 1 additions
    let sc = scenario("sum-of-squares-1000");
    let n = 1000u64;
    let (rows, _) = cost_rows(&sc, &Weights::default());
    let f = Work {
        moves: 2 * n + 3 * (n - 1),
        adds: n - 1,
        mults: 0,
        nlops: n,
    };
    let t = Work {
        moves: 4 * n + 6 * (n - 1),
        adds: 2 * (n - 1),
        mults: n,
        nlops: 2 * n,
    };
    let g = Work {
        moves: f.moves + 5 * n + 6 * (n - 1),
        adds: f.adds + n + 2 * (n - 1),
        mults: n,
        nlops: 2 * n,
    };
    assert_eq!(work(mode(&rows, "function")), f);
    assert_eq!(work(mode(&rows, "tangent")), t);
    assert_eq!(work(mode(&rows, "gradient")), g);
    let u = Weights::default();
    assert_eq!(mode(&rows, "tangent").ratio, u.time(&t) / u.time(&f));
    assert_eq!(mode(&rows, "gradient").ratio, u.time(&g) / u.time(&f));
}

#[test]
fn lecture_function_counts_follow_the_elemental_tables() {
    // the formula compiles to the lecture's trace v1 = x1/x2, v2 = sin v1, v3 = exp x2,
    // v4 = v1 - v3, v5 = v2 + v4, v6 = v5 * v4: four bivariate elementals (one division,
    // one product, two additive) and two univariate (sin, exp)
    let sc = scenario("lecture-example");
    let (rows, _) = cost_rows(&sc, &Weights::default());
    let f = Work {
        moves: 4 * 3 + 2 * 2,
        adds: 2,
        mults: 2,
        nlops: 2,
    };
    // tangent: additive (6,2,0,0) x2, multiplicative (6,1,3,0) x2, sin (4,0,1,2), exp (4,0,1,1)
    let t = Work {
        moves: 4 * 6 + 2 * 4,
        adds: 2 * 2 + 2,
        mults: 2 * 3 + 2,
        nlops: 2 + 1,
    };
    // gradient: forward as f, then adjoints additive (6,2,0,0) x2, mult (8,2,2,0) x2,
    // sin (5,1,1,1), exp (5,1,1,0)
    let g = Work {
        moves: f.moves + 2 * 6 + 2 * 8 + 2 * 5,
        adds: f.adds + 2 * 2 + 2 * 2 + 2,
        mults: f.mults + 2 * 2 + 2,
        nlops: f.nlops + 1,
    };
    assert_eq!(work(mode(&rows, "function")), f);
    assert_eq!(work(mode(&rows, "tangent")), t);
    assert_eq!(work(mode(&rows, "gradient")), g);
    assert_eq!(mode(&rows, "tangent").ratio, 49.0 / 22.0);
    assert_eq!(mode(&rows, "gradient").ratio, 77.0 / 22.0);
}

#[test]
fn every_default_scenario_is_within_the_bounds_at_unit_weights() {
    for sc in default_suite() {
        let (rows, _) = cost_rows(&sc, &Weights::default());
        let t = mode(&rows, "tangent");
        let g = mode(&rows, "gradient");
        assert!(
            t.ratio <= 2.5 && t.within == Some(true),
            "{}: tangent {}",
            sc.name,
            t.ratio
        );
        assert!(
            g.ratio <= 4.0 && g.within == Some(true),
            "{}: gradient {}",
            sc.name,
            g.ratio
        );
        // tape: at most 24 bytes per elemental (17 for f64 by layout)
        let bytes = g.tape_bytes.unwrap();
        assert!(bytes > 0 && bytes % 17 == 0, "{}: {bytes}", sc.name);
    }
}

#[test]
fn the_cheaper_jacobian_mode_flips_between_4x64_and_64x4() {
    let time = |name: &str, m: &str| {
        let (rows, _) = cost_rows(&scenario(name), &Weights::default());
        mode(&rows, m).time
    };
    // n = 4 inputs, m = 64 outputs: 4 tangent sweeps beat 64 adjoint sweeps
    assert!(
        time("dense-jacobian-4x64", "jacobian-forward")
            < time("dense-jacobian-4x64", "jacobian-reverse")
    );
    // n = 64, m = 4: 4 adjoint sweeps beat 64 tangent sweeps
    assert!(
        time("dense-jacobian-64x4", "jacobian-reverse")
            < time("dense-jacobian-64x4", "jacobian-forward")
    );
}

#[test]
fn heavier_weights_on_moves_keep_the_bounds() {
    let w = Weights::parse("4,2,8").unwrap();
    let (rows, _) = cost_rows(&scenario("product-20"), &w);
    // product: all multiplications, the per-elemental worst case
    assert!(mode(&rows, "tangent").ratio <= 2.5);
    assert!(mode(&rows, "gradient").ratio <= 4.0);
}

#[test]
fn the_matrix_form_of_a_network_does_the_function_s_arithmetic() {
    // function-tensor, the forward pass of gradient-tensor, performs the same additions,
    // multiplications and nonlinear elementals as the scalar function; only its moves
    // may differ (a matrix operation charges them per operation). Other families have
    // no matrix form and no such row.
    let mut networks = 0;
    for sc in default_suite() {
        let (rows, _) = cost_rows(&sc, &Weights::default());
        let Some(ft) = rows.iter().find(|r| r.mode == "function-tensor") else {
            assert!(
                sc.model.eval_tensor(&sc.x).is_none()
                    && !rows.iter().any(|r| r.mode == "gradient-tensor"),
                "{}",
                sc.name
            );
            continue;
        };
        networks += 1;
        let (f, t) = (work(mode(&rows, "function")), work(ft));
        assert_eq!(
            (t.adds, t.mults, t.nlops),
            (f.adds, f.mults, f.nlops),
            "{}",
            sc.name
        );
        assert!(t.moves <= f.moves, "{}: {t:?} vs {f:?}", sc.name);
        assert!(ft.bound.is_none() && ft.within.is_none(), "{}", sc.name);
        // and it computes the function: the loss of gradient-tensor, bit for bit
        let v = sc.model.eval_tensor(&sc.x).unwrap();
        let (l, _) = sc.model.gradient_tensor(&sc.x).unwrap();
        assert_eq!(v.to_bits(), l.to_bits(), "{}", sc.name);
        let g = mode(&rows, "gradient-tensor");
        assert!(g.time > ft.time, "{}", sc.name);
    }
    assert_eq!(
        networks, 4,
        "seed-mlp, mlp-wide, elman-rnn-50, gated-rnn-50"
    );
}

/// An output listed twice (formulas are shared, so both are one entry of the tape) is
/// seeded twice; the seeds accumulate uncounted, as writing one is: the gradient of
/// [x1 x2, x1 x2] costs what that of [x1 x2] does, and that of [x1, x1], which executes
/// no elemental, nothing (ratio 1), on both scalar tapes.
#[test]
fn a_repeated_output_costs_its_gradient_nothing_more() {
    use derivbench::scenario::file::{load_str, Limits};
    let load = |outputs: &str| {
        let text = format!(
            "name = \"repeat\"\ninputs = [{{ name = \"x1\", value = 1.5 }}, {{ name = \"x2\", value = 0.5 }}]\noutputs = {outputs}\n"
        );
        let (sc, _) = load_str(
            std::path::Path::new("repeat.toml"),
            &text,
            &Limits::default(),
        )
        .expect("the scenario loads");
        cost_rows(&sc, &Weights::default()).0
    };
    let once = load("[\"x1 * x2\"]");
    let twice = load("[\"x1 * x2\", \"x1 * x2\"]");
    let bare = load("[\"x1\", \"x1\"]");
    for m in ["gradient", "gradient-statement"] {
        assert_eq!(work(mode(&twice, m)), work(mode(&once, m)), "{m}");
        assert_eq!(mode(&twice, m).ratio, mode(&once, m).ratio, "{m}");
        assert_eq!(work(mode(&bare, m)), Work::default(), "{m}");
        assert_eq!(mode(&bare, m).ratio, 1.0, "{m}");
    }
    assert_eq!(mode(&twice, "gradient").within, Some(true));
}
