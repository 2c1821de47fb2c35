//! The built-in scenario families, one file each.

mod lecture;
mod mlp;
mod simple;

pub use lecture::Lecture;
pub use mlp::{Activation, Mlp};
pub use simple::{Perceptron, Product, SumOfSquares};
