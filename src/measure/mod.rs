//! Measurements: the MPFR reference.

pub mod reference;

pub use reference::{reference_jacobian, RefEntry, RefOptions, Reference};
