//! derivbench measures how accurate and how expensive derivatives are.
//!
//! Every scenario is written once, generically over [`num::Scalar`]; each method is a
//! choice of scalar type plus a driver: `f64` for the function and finite differences,
//! [`ad::Dual`] and [`ad::DualVec`] for forward mode, [`ad::Var`] on an [`ad::Tape`]
//! for reverse mode, `rug::Float` for the MPFR reference, [`num::Count`] for operation
//! counts.
//!
//! ```
//! use derivbench::ad::{Dual, Tape};
//! use derivbench::num::Scalar;
//! use derivbench::scenario::Lecture;
//!
//! // forward mode: seed x1 with tangent 1
//! let x = [Dual::variable(1.5), Dual::constant(0.5)];
//! let y = &Lecture.eval(&x)[0];
//! assert!((y.v - 2.0166466694282014).abs() < 1e-15);
//!
//! // reverse mode: record, then one adjoint sweep gives the whole gradient
//! let tape = Tape::new();
//! let xs = tape.vars(&[1.5, 0.5]);
//! let y = Lecture.eval(&xs).remove(0);
//! let g = tape.gradient(&y, &xs);
//! // dy/dx1 by the adjoint sweep equals the forward tangent
//! assert!((g[0] - Lecture.eval(&x)[0].d).abs() <= 4.0 * f64::EPSILON * g[0].abs());
//! ```
#![warn(missing_docs)]

pub mod ad;
pub mod check;
pub mod fd;
pub mod interrupt;
pub mod measure;
pub mod num;
pub mod report;
pub mod results;
pub mod run;
pub mod scenario;
pub mod symbolic;
pub mod trace;
