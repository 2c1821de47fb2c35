//! The built-in scenario families, one file each.

mod dense;
mod fanout;
mod lecture;
mod mlp;
mod rnn;
mod simple;
#[cfg(test)]
mod testutil;

pub use dense::DenseJacobian;
pub use fanout::Fanout;
pub use lecture::Lecture;
pub use mlp::{Activation, Mlp};
pub use rnn::{ElmanRnn, GatedRnn};
pub use simple::{Perceptron, Product, SumOfSquares};
