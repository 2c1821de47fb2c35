//! Forward mode: dual numbers carrying one tangent ([`Dual`]) or p tangents
//! ([`DualVec`]) through each elemental, generic over the scalar.
//!
//! Every univariate elemental goes through one chain-rule line,
//! vdot = psi'(u) * udot, with psi' from [`Scalar::unary_deriv`]; the bivariate ones have
//! one rule each. Each elemental reports the tangent moves of the cost model
//! (constant 2, univariate 4, bivariate 6) to the scalar, a no-op except when counting.

use super::still;
use crate::num::{
    pow_partials_at_zero_base, pow_slope_from_the_base, pow_slope_in_base, scaled_product, Binary,
    Scalar, Unary,
};
use std::sync::atomic::{AtomicU64, Ordering};

/// A value with one tangent: v + vdot * epsilon.
#[derive(Clone, Debug, PartialEq)]
#[repr(C)]
pub struct Dual<T> {
    /// the value v
    pub v: T,
    /// the tangent vdot
    pub d: T,
}

impl<T: Scalar> Dual<T> {
    /// A value with tangent `d`.
    pub fn new(v: T, d: T) -> Self {
        Dual { v, d }
    }
    /// An independent variable seeded with tangent 1.
    pub fn variable(v: T) -> Self {
        let d = v.cst(1.0);
        Dual { v, d }
    }
    /// A value with tangent 0.
    pub fn constant(v: T) -> Self {
        let d = v.cst(0.0);
        Dual { v, d }
    }
}

/// The tangent of a bivariate elemental from the operands' values and tangents and the
/// result's value. A NaN (nearly always 0 * inf: a tangent of exactly zero times an
/// infinite partial) sends the elemental to [`guarded_binary_tangent`], so that the
/// common path carries no test per product.
#[inline]
fn binary_tangent<T: Scalar>(op: Binary, u: &T, ud: &T, w: &T, wd: &T, v: &T) -> T {
    match op {
        // no product of a tangent and a partial: nothing to guard
        Binary::Add | Binary::Sub | Binary::Min | Binary::Max => {
            tangent_rule(op, u, ud, w, wd, v, |r, _| r)
        }
        _ => {
            let d = tangent_rule(op, u, ud, w, wd, v, |r, _| r);
            let r = d.re();
            if r.is_nan() {
                guarded_binary_tangent(op, u, ud, w, wd, v)
            } else if matches!(op, Binary::Div | Binary::Pow)
                && !(r.abs() >= f64::MIN_POSITIVE && r.is_finite())
            {
                rescaled_binary_tangent(op, u, ud, w, wd, v, d)
            } else {
                d
            }
        }
    }
}

/// The tangent of u / w or u^w again where the rule's order of operations may have
/// overflowed or underflowed though the operands, their tangents and the value are
/// finite (the tangent came out infinite, 0 or subnormal): v wdot in (udot - v wdot) / w
/// (x / (100 y) at x = 1e308, y = 0.1; x / (1e-200 y) at x = 1e-300, y = 1e100, where it
/// underflows), w udot / u in v (w udot / u) (u^0.5 at u = 1e-316). Each product of the
/// rule is then formed by [`scaled_product`], which overflows or underflows only where
/// that product does; the rerun is not counted (the rule counted the same operations),
/// and [`super::rescaled_or_plain`] chooses between the two. Both tangents 0 give 0 as
/// they are.
#[cold]
#[inline(never)]
fn rescaled_binary_tangent<T: Scalar>(op: Binary, u: &T, ud: &T, w: &T, wd: &T, v: &T, d: T) -> T {
    if ![u, ud, w, wd, v].iter().all(|s| s.re().is_finite()) || (ud.is_zero() && wd.is_zero()) {
        return d;
    }
    crate::num::uncounted(|| {
        let alt = match op {
            Binary::Div => ud.div(w).sub(&scaled_product(&[v, wd], Some(w))),
            Binary::Pow if !u.value_is_zero() && !pow_slope_from_the_base(u, v) => {
                let t = scaled_product(&[v, w, ud], Some(u));
                if wd.is_zero() {
                    t
                } else {
                    t.add(&scaled_product(&[v, &u.ln(), wd], None))
                }
            }
            _ => return d,
        };
        super::rescaled_or_plain(d, alt)
    })
}

/// [`binary_tangent`] again with every product guarded by [`still`], off the hot path
/// and uncounted (the fast path has counted the same operations already).
#[cold]
#[inline(never)]
fn guarded_binary_tangent<T: Scalar>(op: Binary, u: &T, ud: &T, w: &T, wd: &T, v: &T) -> T {
    GUARD_RUNS.fetch_add(1, Ordering::Relaxed);
    crate::num::uncounted(|| tangent_rule(op, u, ud, w, wd, v, still))
}

/// How many elementals of [`Dual`] in this process found their tangent NaN and went
/// through the guard that keeps a tangent of exactly 0 at 0 ([`super::still`]): a
/// diagnostic, counted where the guard runs, and the reason the univariate rule's guard
/// stays a branch ([`still_in_line`]).
static GUARD_RUNS: AtomicU64 = AtomicU64::new(0);

/// The number of elementals of [`Dual`] whose tangent came out NaN and went through the
/// guard that keeps a tangent of exactly 0 at 0 (`0 * inf`), since the process started,
/// over every thread.
pub fn guard_runs() -> u64 {
    GUARD_RUNS.load(Ordering::Relaxed)
}

/// [`still`] for the univariate rule of [`Dual`], with its rare path in line and
/// counted in [`GUARD_RUNS`]. Out of line, as [`still`] has it, the rare path is a call,
/// which kept the compiler from unrolling loops of elementals (sum of squares took 1.10
/// times num-dual's time in `cargo bench --bench forward_peer`, 1.04 in line); in line
/// without the count, the compiler computed it on every elemental as a select (2.2
/// times num-dual's time, measured with that version, which was not kept). The count is
/// a side effect the compiler cannot move ahead of the test, so the rare path stays a
/// branch off the loop's path.
#[inline(always)]
fn still_in_line<T: Scalar>(r: T, t: &T) -> T {
    if r.re().is_nan() {
        GUARD_RUNS.fetch_add(1, Ordering::Relaxed);
        if t.is_zero() {
            t.clone()
        } else {
            r
        }
    } else {
        r
    }
}

/// The tangent rules, with `g(product, tangent factor)` applied to each product of a
/// tangent and a partial: the identity, or [`still`].
#[inline(always)]
fn tangent_rule<T: Scalar>(
    op: Binary,
    u: &T,
    ud: &T,
    w: &T,
    wd: &T,
    v: &T,
    g: impl Fn(T, &T) -> T,
) -> T {
    match op {
        Binary::Add => ud.add(wd),
        Binary::Sub => ud.sub(wd),
        // udot * w + u * wdot
        Binary::Mul => g(ud.mul(w), ud).add(&g(u.mul(wd), wd)),
        // (udot - v * wdot) / w. The quotient may be keyed on n: it is NaN at n = 0 only
        // for w = 0 or NaN, where v is infinite or NaN, so that n is non-finite when
        // wdot != 0 and udot when wdot = 0; n = 0 there means both tangents are 0
        Binary::Div => {
            let n = ud.sub(&g(v.mul(wd), wd));
            g(n.div(w), &n)
        }
        // where v is 0, subnormal or infinite (u finite, not 0), v w udot / u loses the
        // bits v lost: w u^(w-1) udot, plus v log u wdot where wdot != 0
        Binary::Pow if !u.value_is_zero() && pow_slope_from_the_base(u, v) => {
            let t = g(pow_slope_in_base(u, w).mul(ud), ud);
            if wd.is_zero() {
                t
            } else {
                t.add(&g(v.mul(&u.ln()).mul(wd), wd))
            }
        }
        // v * w * udot / u, plus v * wdot * log u where wdot != 0: a constant exponent
        // needs no log u, and for u < 0 the result is then NaN (u^w has no derivative in
        // w there). The last product is keyed on the tangents, not on their combination
        // s, which may round to 0 while a tangent is not 0 (w udot / u underflows)
        Binary::Pow if !u.value_is_zero() => {
            let in_base = g(w.mul(ud), ud).div(u);
            if wd.is_zero() {
                g(v.mul(&in_base), ud)
            } else {
                let s = g(wd.mul(&u.ln()), wd).add(&in_base);
                g(v.mul(&s), wd)
            }
        }
        Binary::Pow => {
            let (du, dw) = pow_partials_at_zero_base(u, w, v);
            let t = g(du.mul(ud), ud);
            if wd.is_zero() {
                t
            } else {
                t.add(&g(dw.mul(wd), wd))
            }
        }
        Binary::Min | Binary::Max => {
            if u.selects_left_of(op, w) {
                ud.clone()
            } else {
                wd.clone()
            }
        }
    }
}

/// The value of a univariate elemental and its tangent psi'(u) * udot, with -udot for
/// negation.
#[inline]
fn unary_tangent<T: Scalar>(op: Unary, u: &T, ud: &T) -> (T, T) {
    match op {
        Unary::Neg => (u.unary(op), ud.neg()),
        _ => {
            let (v, dpsi) = u.unary_with_deriv(op);
            let d = still_in_line(dpsi.mul(ud), ud);
            (v, d)
        }
    }
}

impl<T: Scalar> Scalar for Dual<T> {
    #[inline]
    fn cst(&self, c: f64) -> Self {
        T::note_moves(2);
        Dual::constant(self.v.cst(c))
    }
    #[inline]
    fn re(&self) -> f64 {
        self.v.re()
    }
    #[inline]
    fn is_zero(&self) -> bool {
        self.v.is_zero() && self.d.is_zero()
    }
    super::value_queries!();
    #[inline]
    fn unary(&self, op: Unary) -> Self {
        T::note_moves(4);
        let (v, d) = unary_tangent(op, &self.v, &self.d);
        Dual { v, d }
    }
    #[inline]
    fn binary(&self, op: Binary, o: &Self) -> Self {
        T::note_moves(6);
        let v = self.v.binary(op, &o.v);
        let d = binary_tangent(op, &self.v, &self.d, &o.v, &o.d, &v);
        Dual { v, d }
    }
    #[inline(always)]
    fn push_to(self, out: &mut Vec<Self>) {
        T::push_dual(self, out)
    }
}

/// A value with p tangents, propagated together in one sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct DualVec<T> {
    /// the value v
    pub v: T,
    /// the tangents, one per direction
    pub d: Vec<T>,
}

impl<T: Scalar> DualVec<T> {
    /// A value with the given tangents.
    pub fn new(v: T, d: Vec<T>) -> Self {
        DualVec { v, d }
    }
}

impl<T: Scalar> Scalar for DualVec<T> {
    fn cst(&self, c: f64) -> Self {
        T::note_moves(1 + self.d.len() as u64);
        let v = self.v.cst(c);
        let d = vec![v.cst(0.0); self.d.len()];
        DualVec { v, d }
    }
    #[inline]
    fn re(&self) -> f64 {
        self.v.re()
    }
    fn is_zero(&self) -> bool {
        self.v.is_zero() && self.d.iter().all(Scalar::is_zero)
    }
    super::value_queries!();
    fn unary(&self, op: Unary) -> Self {
        let p = self.d.len() as u64;
        T::note_moves(2 + 2 * p);
        match op {
            Unary::Neg => DualVec {
                v: self.v.unary(op),
                d: self.d.iter().map(|t| t.neg()).collect(),
            },
            _ => {
                // psi'(u) once, then one product per direction
                let (v, dpsi) = self.v.unary_with_deriv(op);
                let d = self.d.iter().map(|t| still(dpsi.mul(t), t)).collect();
                DualVec { v, d }
            }
        }
    }
    fn binary(&self, op: Binary, o: &Self) -> Self {
        let p = self.d.len().max(o.d.len());
        T::note_moves(3 + 3 * p as u64);
        let v = self.v.binary(op, &o.v);
        let zero = v.cst(0.0);
        let d = (0..p)
            .map(|k| {
                let ud = self.d.get(k).unwrap_or(&zero);
                let wd = o.d.get(k).unwrap_or(&zero);
                binary_tangent(op, &self.v, ud, &o.v, wd, &v)
            })
            .collect();
        DualVec { v, d }
    }
}

/// `x` as dual numbers seeded in the direction e_j: input `j` carries tangent 1, every
/// other input tangent 0 (no input is seeded when `j >= x.len()`).
pub fn seeded<T: Scalar>(x: &[T], j: usize) -> Vec<Dual<T>> {
    x.iter()
        .enumerate()
        .map(|(k, v)| {
            if k == j {
                Dual::variable(v.clone())
            } else {
                Dual::constant(v.clone())
            }
        })
        .collect()
}

/// The Jacobian-vector product F'(x) xdot and the value F(x), by one tangent sweep.
pub fn jvp<T: Scalar>(
    f: impl Fn(&[Dual<T>]) -> Vec<Dual<T>>,
    x: &[T],
    xdot: &[T],
) -> (Vec<T>, Vec<T>) {
    assert_eq!(x.len(), xdot.len(), "jvp: x and xdot differ in length");
    let xs: Vec<Dual<T>> = x
        .iter()
        .zip(xdot)
        .map(|(v, d)| Dual::new(v.clone(), d.clone()))
        .collect();
    let ys = f(&xs);
    ys.into_iter().map(|y| (y.v, y.d)).unzip()
}

/// The full m x n Jacobian (rows are outputs) of the columns `cols` by one tangent
/// sweep per column; returns the columns in the order given.
pub fn jacobian_forward<T: Scalar>(
    f: impl Fn(&[Dual<T>]) -> Vec<Dual<T>>,
    x: &[T],
    cols: &[usize],
) -> Vec<Vec<T>> {
    cols.iter()
        .map(|&j| f(&seeded(x, j)).into_iter().map(|y| y.d).collect())
        .collect()
}

/// The columns `cols` of the Jacobian in one vector sweep with `cols.len()` tangents;
/// returns the columns in the order given.
pub fn jacobian_forward_vector<T: Scalar>(
    f: impl Fn(&[DualVec<T>]) -> Vec<DualVec<T>>,
    x: &[T],
    cols: &[usize],
) -> Vec<Vec<T>> {
    let p = cols.len();
    let xs: Vec<DualVec<T>> = x
        .iter()
        .enumerate()
        .map(|(k, v)| {
            let d = (0..p)
                .map(|q| v.cst(if cols[q] == k { 1.0 } else { 0.0 }))
                .collect();
            DualVec::new(v.clone(), d)
        })
        .collect();
    let ys = f(&xs);
    (0..p)
        .map(|q| ys.iter().map(|y| y.d[q].clone()).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::num::{Count, Work, WorkCounter};

    /// `push_to` of a dual number of f64 (one 16-byte store on x86-64) appends what
    /// `push` appends, bit for bit, value and tangent in their places: NaN payloads,
    /// signed zeros, infinities and subnormals, into a vector that grows as it goes.
    #[test]
    fn push_to_appends_what_push_appends_bit_for_bit() {
        let specials = [
            0.0,
            -0.0,
            1.5,
            -2.25e-310,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::from_bits(0x7ff8_0000_dead_beef),
            f64::from_bits(0xfff0_0000_0000_0001),
            f64::MAX,
        ];
        let mut by_push: Vec<Dual<f64>> = Vec::new();
        let mut by_push_to: Vec<Dual<f64>> = Vec::new();
        let mut capacities = std::collections::BTreeSet::new();
        for &v in &specials {
            for &d in &specials {
                by_push.push(Dual::new(v, d));
                Dual::new(v, d).push_to(&mut by_push_to);
                capacities.insert(by_push_to.capacity());
            }
        }
        assert!(capacities.len() > 2, "the vector never grew");
        assert_eq!(by_push.len(), by_push_to.len());
        for (a, b) in by_push.iter().zip(&by_push_to) {
            assert_eq!(
                (a.v.to_bits(), a.d.to_bits()),
                (b.v.to_bits(), b.d.to_bits())
            );
        }
        // after the values already there, into spare capacity
        let mut v = Vec::with_capacity(8);
        v.push(Dual::new(1.0, 2.0));
        Dual::new(3.0, -4.0).push_to(&mut v);
        assert_eq!(v, [Dual::new(1.0, 2.0), Dual::new(3.0, -4.0)]);
    }

    /// Dual numbers over other scalars append by `push` (the trait's default).
    #[test]
    fn push_to_of_other_scalars_is_push() {
        let mut v: Vec<Dual<Count>> = Vec::new();
        Dual::new(Count(1.0), Count(-0.0)).push_to(&mut v);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].v.0, 1.0);
        assert!(v[0].d.0 == 0.0 && v[0].d.0.is_sign_negative());
    }

    fn dual(v: f64, d: f64) -> Dual<Count> {
        Dual::new(Count(v), Count(d))
    }

    #[test]
    fn seeded_sets_one_tangent_to_one() {
        let x = [2.0, 3.0, 5.0];
        let d = |j| seeded(&x, j).iter().map(|e| (e.v, e.d)).collect::<Vec<_>>();
        assert_eq!(d(1), vec![(2.0, 0.0), (3.0, 1.0), (5.0, 0.0)]);
        assert_eq!(d(3), vec![(2.0, 0.0), (3.0, 0.0), (5.0, 0.0)]);
    }

    /// The tangent table of the cost model, reproduced from the instrumentation.
    #[test]
    fn tangent_table_of_the_cost_model() {
        let (u, w) = (dual(1.5, 1.0), dual(0.5, 0.0));
        let m = |f: &dyn Fn() -> Dual<Count>| WorkCounter::measure(f).1;
        let w_ = |moves, adds, mults, nlops| Work {
            moves,
            adds,
            mults,
            nlops,
        };
        assert_eq!(m(&|| u.cst(2.0)), w_(2, 0, 0, 0));
        assert_eq!(m(&|| u.add(&w)), w_(6, 2, 0, 0));
        assert_eq!(m(&|| u.sub(&w)), w_(6, 2, 0, 0));
        assert_eq!(m(&|| u.mul(&w)), w_(6, 1, 3, 0));
        assert_eq!(m(&|| u.sin()), w_(4, 0, 1, 2));
        // exp reuses its value as its derivative
        assert_eq!(m(&|| u.exp()), w_(4, 0, 1, 1));
    }

    /// Functions of (x, y) at x = 0, where a partial in x is infinite, with their exact
    /// Jacobians (each entry the limit of the textbook partial, as reverse mode gives it).
    /// In the direction of y, x does not move, so its elementals must not either: a
    /// tangent of exactly 0 times an infinite partial was NaN, and so was every entry
    /// downstream.
    fn singular_in_x<S: Scalar>(x: &[S]) -> Vec<S> {
        (0..SINGULAR_JACOBIAN.len())
            .map(|i| singular_output(x, i))
            .collect()
    }

    fn singular_output<S: Scalar>(x: &[S], i: usize) -> S {
        let (x, y) = (&x[0], &x[1]);
        match i {
            // d/dx = y / (2 sqrt x) = inf, d/dy = sqrt x = 0
            0 => x.sqrt().mul(y),
            // d/dx = 1/x = inf, d/dy = 1
            1 => x.ln().add(y),
            // d/dx = -y / x^2 = -inf, d/dy = 1/x = inf
            2 => y.div(x),
            // d/dx = -y / x^2 = -inf, d/dy = 1/x = inf
            3 => x.recip().mul(y),
            // d/dx = y / (2 sqrt x) = inf, d/dy = x^(1/2) = 0
            4 => x.pow(&x.cst(0.5)).mul(y),
            // d/dx = y^2 / (2 sqrt x) = inf, d/dy = 2 y sqrt x = 0: through two products
            _ => x.sqrt().mul(y).mul(y),
        }
    }

    const SINGULAR_JACOBIAN: [[f64; 2]; 6] = [
        [f64::INFINITY, 0.0],
        [f64::INFINITY, 1.0],
        [f64::NEG_INFINITY, f64::INFINITY],
        [f64::NEG_INFINITY, f64::INFINITY],
        [f64::INFINITY, 0.0],
        [f64::INFINITY, 0.0],
    ];

    #[test]
    fn a_direction_that_does_not_move_an_argument_ignores_its_infinite_partial() {
        let x = [0.0, 2.0];
        let want =
            |j: usize| -> Vec<u64> { SINGULAR_JACOBIAN.iter().map(|r| r[j].to_bits()).collect() };
        let bits = |c: &Vec<f64>| c.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        let cols = jacobian_forward(|d: &[Dual<f64>]| singular_in_x(d), &x, &[0, 1]);
        for (j, col) in cols.iter().enumerate() {
            assert_eq!(bits(col), want(j), "forward, column {j}: {col:?}");
        }
        // the vector sweep, with both directions, one, and one twice
        for dirs in [vec![0, 1], vec![1], vec![1, 0, 1]] {
            let cols = jacobian_forward_vector(|d: &[DualVec<f64>]| singular_in_x(d), &x, &dirs);
            for (q, &j) in dirs.iter().enumerate() {
                assert_eq!(bits(&cols[q]), want(j), "vector {dirs:?}, column {j}");
            }
        }
        // reverse mode, one output per tape, and all on one tape, where the sweep for
        // one output passes the earlier outputs' entries with adjoint 0
        for (i, want) in SINGULAR_JACOBIAN.iter().enumerate() {
            let tape = crate::ad::Tape::new();
            let xs = tape.vars(&x);
            let row = tape.gradient(&singular_output(&xs, i), &xs);
            assert_eq!(bits(&row), bits(&want.to_vec()), "reverse, row {i}");
        }
        let tape = crate::ad::Tape::new();
        let xs = tape.vars(&x);
        let rows = tape.jacobian(&singular_in_x(&xs), &xs);
        for (i, row) in rows.iter().enumerate() {
            let want = SINGULAR_JACOBIAN[i].to_vec();
            assert_eq!(
                bits(row),
                bits(&want),
                "reverse on one tape, row {i}: {row:?}"
            );
        }
    }

    /// The guarded recomputation of a NaN tangent is uncounted: an elemental counts the
    /// same where a zero tangent meets an infinite partial as at a regular point.
    #[test]
    fn a_guarded_tangent_counts_as_the_plain_one() {
        // y / x in the direction of y, (1 - inf * 0) / 0 unguarded; y * (1/x) in the
        // direction of x, 0 * inf + 2 * -inf unguarded; both NaN at x = 0
        let cases: [(Binary, f64, f64, f64); 2] = [
            (Binary::Div, 1.0, 0.0, f64::INFINITY),
            (Binary::Mul, 0.0, 1.0, f64::NEG_INFINITY),
        ];
        for (op, dy, dx, want) in cases {
            let work = |x: f64| {
                let y = dual(2.0, dy);
                let x = dual(x, dx);
                let w = if op == Binary::Mul { x.recip() } else { x };
                WorkCounter::measure(|| y.binary(op, &w))
            };
            let (at_zero, w0) = work(0.0);
            let (_, w1) = work(1.0);
            assert_eq!(at_zero.d.0, want, "{op:?}");
            assert_eq!(w0, w1, "{op:?}");
        }
    }

    /// The guarded rerun of a tangent keeps 0 only where the direction moves no
    /// argument: a product keyed on an intermediate that came out 0 while a tangent is
    /// not 0 hid a NaN. u^2 at u = inf is NaN in the direction of u (v w udot / u =
    /// inf * 0 as w udot / u rounds to 0), as reverse mode gives it; u^0.5 at u = -2 is
    /// NaN (no real power) also along a tangent so small that w udot / u rounds to -0.
    #[test]
    fn a_moving_direction_keeps_the_nan_of_a_pow_tangent() {
        fn f<S: Scalar>(i: usize, x: &[S]) -> S {
            match i {
                0 => x[0].pow(&x[0].cst(2.0)),
                _ => x[0].pow(&x[0].cst(0.5)),
            }
        }
        for (i, x, xdot) in [(0, f64::INFINITY, 1.0), (1, -2.0, f64::from_bits(1))] {
            let (_, d) = jvp(|d: &[Dual<f64>]| vec![f(i, d)], &[x], &[xdot]);
            assert!(d[0].is_nan(), "case {i}: forward {d:?}");
            let y = f(i, &[DualVec::new(x, vec![xdot, 0.0])]);
            assert!(y.d[0].is_nan() && y.d[1] == 0.0, "case {i}: vector {y:?}");
            let tape = crate::ad::Tape::new();
            let xs = tape.vars(&[x]);
            let g = tape.vjp(&[f(i, &xs)], &[xdot], &xs);
            assert!(g[0].is_nan(), "case {i}: reverse {g:?}");
        }
    }

    /// A shorter xdot would hand f fewer inputs than x has; a longer one would be cut.
    #[test]
    #[should_panic(expected = "jvp: x and xdot differ in length")]
    fn jvp_rejects_a_direction_of_another_length() {
        let _ = jvp(|x: &[Dual<f64>]| vec![x[0].clone()], &[1.0, 2.0], &[1.0]);
    }

    #[test]
    fn vector_sweep_equals_scalar_sweeps() {
        let f = |x: &[DualVec<f64>]| vec![x[0].mul(&x[1]).sin(), x[1].div(&x[0])];
        let g = |x: &[Dual<f64>]| vec![x[0].mul(&x[1]).sin(), x[1].div(&x[0])];
        let x = [0.7, -1.3];
        assert_eq!(
            jacobian_forward_vector(f, &x, &[0, 1]),
            jacobian_forward(g, &x, &[0, 1])
        );
    }
}
