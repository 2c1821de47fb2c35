//! Measurements: the MPFR reference and the accuracy of every method against it.

pub mod accuracy;
pub mod method;
pub mod recurrent;
pub mod reference;

pub use accuracy::{measure_accuracy, Accuracy, AccuracyOptions};
pub use method::Method;
pub use reference::{reference_jacobian, RefEntry, RefOptions, Reference};
