//! Measurements: the MPFR reference, the accuracy of every method against it, and the
//! cost of every mode.

pub mod accuracy;
pub mod cost;
pub mod method;
pub mod recurrent;
pub mod reference;

pub use accuracy::{measure_accuracy, Accuracy, AccuracyOptions};
pub use method::Method;
pub use reference::{reference_jacobian, reference_values, RefEntry, RefOptions, Reference};
