//! The counting scalar: f64 arithmetic that tallies the WORK vector of the cost model.
//!
//! [`Count`] charges ADDS, MULTS and NLOPS for every operation it executes. MOVES are
//! not operations of the number type but of the representation (a value, a dual
//! number, a tape entry, an adjoint), so the representations report them through
//! [`Scalar::note_moves`](super::Scalar::note_moves); a plain evaluation is counted
//! through [`Eval`], which charges the eval moves of each elemental. Counters are
//! thread-local, so parallel runs do not mix their tallies.

use super::{unary_deriv_generic, Binary, OpClass, Scalar, Unary};
use std::cell::Cell;

/// The WORK vector (MOVES, ADDS, MULTS, NLOPS) of the cost model.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Work {
    /// reads and writes of scalar values at elemental boundaries
    pub moves: u64,
    /// additions and subtractions
    pub adds: u64,
    /// multiplications and divisions
    pub mults: u64,
    /// nonlinear univariate elementals
    pub nlops: u64,
}

impl Work {
    /// TIME = mu*MOVES + ADDS + pi*MULTS + nu*NLOPS.
    pub fn time(&self, mu: f64, pi: f64, nu: f64) -> f64 {
        mu * self.moves as f64 + self.adds as f64 + pi * self.mults as f64 + nu * self.nlops as f64
    }
}

impl std::ops::Add for Work {
    type Output = Work;
    fn add(self, o: Work) -> Work {
        Work {
            moves: self.moves + o.moves,
            adds: self.adds + o.adds,
            mults: self.mults + o.mults,
            nlops: self.nlops + o.nlops,
        }
    }
}

impl std::ops::Sub for Work {
    type Output = Work;
    fn sub(self, o: Work) -> Work {
        Work {
            moves: self.moves - o.moves,
            adds: self.adds - o.adds,
            mults: self.mults - o.mults,
            nlops: self.nlops - o.nlops,
        }
    }
}

thread_local! {
    static WORK: Cell<Work> = const { Cell::new(Work { moves: 0, adds: 0, mults: 0, nlops: 0 }) };
}

fn bump(f: impl FnOnce(&mut Work)) {
    WORK.with(|w| {
        let mut v = w.get();
        f(&mut v);
        w.set(v);
    });
}

fn charge(class: OpClass) {
    bump(|w| match class {
        OpClass::Add => w.adds += 1,
        OpClass::Mul => w.mults += 1,
        OpClass::Nonlinear => w.nlops += 1,
    });
}

/// Runs `f` without counting its work on this thread: for a recomputation off the hot
/// path whose operations the hot path has counted already.
pub(crate) fn uncounted<R>(f: impl FnOnce() -> R) -> R {
    let before = WORK.with(|w| w.get());
    let r = f();
    WORK.with(|w| w.set(before));
    r
}

/// Measures the work done on this thread by a closure.
pub struct WorkCounter;

impl WorkCounter {
    /// Runs `f` and returns its result with the WORK it performed on this thread.
    pub fn measure<R>(f: impl FnOnce() -> R) -> (R, Work) {
        let before = WORK.with(|w| w.get());
        let r = f();
        let after = WORK.with(|w| w.get());
        (r, after - before)
    }
}

/// An f64 that counts the operations performed on it.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Count(pub f64);

impl Scalar for Count {
    #[inline]
    fn cst(&self, c: f64) -> Self {
        Count(c)
    }
    #[inline]
    fn re(&self) -> f64 {
        self.0
    }
    fn note_moves(n: u64) {
        bump(|w| w.moves += n);
    }
    fn unary(&self, op: Unary) -> Self {
        charge(op.class());
        Count(self.0.unary(op))
    }
    fn binary(&self, op: Binary, o: &Self) -> Self {
        if op == Binary::Pow {
            // exp(w * log u): two nonlinear elementals and a product
            bump(|w| {
                w.nlops += 2;
                w.mults += 1;
            });
        } else {
            charge(op.class());
        }
        Count(self.0.binary(op, &o.0))
    }
    /// The comparison that picks min's or max's argument, charged as the evaluation of
    /// min and max charges it (one ADD) wherever a derivative rule runs it again: the
    /// tangent's choice of udot or wdot, the adjoint step's choice of ubar or wbar.
    fn selects_left_of(&self, op: Binary, o: &Self) -> bool {
        charge(OpClass::Add);
        self.0.selects_left_of(op, &o.0)
    }
    fn unary_deriv(&self, op: Unary, v: &Self) -> Self {
        // psi'(u) as one nonlinear elemental, except where the cost model says otherwise:
        // exp reuses its value; -u has the constant derivative -1; 1/u needs -v*v.
        match op {
            Unary::Exp | Unary::Neg => {}
            Unary::Recip => charge(OpClass::Mul),
            _ => charge(OpClass::Nonlinear),
        }
        Count(unary_deriv_generic(&self.0, op, &v.0))
    }
}

/// A plain evaluation, counted: wraps a scalar and charges the eval moves of each
/// elemental (constant 1, univariate 2, bivariate 3) on top of the operations that the
/// inner scalar charges.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Eval<T>(pub T);

impl<T: Scalar> Scalar for Eval<T> {
    fn cst(&self, c: f64) -> Self {
        T::note_moves(1);
        Eval(self.0.cst(c))
    }
    fn re(&self) -> f64 {
        self.0.re()
    }
    fn is_zero(&self) -> bool {
        self.0.is_zero()
    }
    fn value_is_zero(&self) -> bool {
        self.0.value_is_zero()
    }
    fn selects_left_of(&self, op: Binary, o: &Self) -> bool {
        self.0.selects_left_of(op, &o.0)
    }
    fn sign(&self) -> f64 {
        self.0.sign()
    }
    fn note_moves(n: u64) {
        T::note_moves(n)
    }
    fn unary(&self, op: Unary) -> Self {
        T::note_moves(2);
        Eval(self.0.unary(op))
    }
    fn binary(&self, op: Binary, o: &Self) -> Self {
        T::note_moves(3);
        Eval(self.0.binary(op, &o.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pow_and_the_slope_of_recip_are_charged_as_the_cost_model_says() {
        // u^w = exp(w log u): two nonlinear elementals and a product
        let (_, p) = WorkCounter::measure(|| Count(2.0).pow(&Count(3.0)));
        assert_eq!(
            p,
            Work {
                moves: 0,
                adds: 0,
                mults: 1,
                nlops: 2
            }
        );
        // d(1/u) = -v^2: one product, no nonlinear elemental; d exp = v: nothing
        let (_, r) = WorkCounter::measure(|| Count(2.0).unary_deriv(Unary::Recip, &Count(0.5)));
        assert_eq!(
            r,
            Work {
                moves: 0,
                adds: 0,
                mults: 1,
                nlops: 0
            }
        );
        let (_, e) = WorkCounter::measure(|| Count(2.0).unary_deriv(Unary::Exp, &Count(7.4)));
        assert_eq!(e, Work::default());
        // any other slope: one nonlinear elemental
        let (_, t) = WorkCounter::measure(|| Count(2.0).unary_deriv(Unary::Tanh, &Count(0.96)));
        assert_eq!(
            t,
            Work {
                moves: 0,
                adds: 0,
                mults: 0,
                nlops: 1
            }
        );
    }

    #[test]
    fn eval_table_of_the_cost_model() {
        let u = Eval(Count(1.5));
        let w = Eval(Count(0.5));
        let (_, c) = WorkCounter::measure(|| u.cst(2.0));
        assert_eq!(
            c,
            Work {
                moves: 1,
                adds: 0,
                mults: 0,
                nlops: 0
            }
        );
        let (_, a) = WorkCounter::measure(|| u.add(&w));
        assert_eq!(
            a,
            Work {
                moves: 3,
                adds: 1,
                mults: 0,
                nlops: 0
            }
        );
        let (_, s) = WorkCounter::measure(|| u.sub(&w));
        assert_eq!(s, a);
        let (_, m) = WorkCounter::measure(|| u.mul(&w));
        assert_eq!(
            m,
            Work {
                moves: 3,
                adds: 0,
                mults: 1,
                nlops: 0
            }
        );
        let (_, p) = WorkCounter::measure(|| u.sin());
        assert_eq!(
            p,
            Work {
                moves: 2,
                adds: 0,
                mults: 0,
                nlops: 1
            }
        );
    }

    #[test]
    fn counters_are_per_thread() {
        let (_, w) = WorkCounter::measure(|| {
            std::thread::spawn(|| Eval(Count(1.0)).exp())
                .join()
                .unwrap();
        });
        assert_eq!(w, Work::default());
    }
}
