//! Automatic differentiation: forward mode ([`Dual`], [`DualVec`]) and reverse mode
//! on an index-based tape ([`Tape`], [`Var`]), both generic over the scalar.

mod forward;
mod reverse;
mod tensor;

pub use forward::{jacobian_forward, jacobian_forward_vector, jvp, seeded, Dual, DualVec};
pub use reverse::{NodeKind, Tape, TapeNode, Var};
pub use tensor::{eval_tensor_with, gradient_tensor_with, Mat, TensorLoss, TensorTape};
