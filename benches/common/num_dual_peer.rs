//! num-dual's first-order dual number `Dual64` as a derivbench `Scalar`, so that every
//! scenario runs on it unchanged: the peer of `benches/forward_peer.rs`, and the other
//! tool that `examples/measure_your_ad.rs` measures against the reference.

use derivbench::num::{selects_left, Binary, Scalar, Unary};
use num_dual::{Dual64, DualNum};

/// num-dual's first-order dual number, as a `Scalar`.
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub Dual64);

impl Scalar for Peer {
    #[inline]
    fn cst(&self, c: f64) -> Self {
        Peer(Dual64::from_re(c))
    }
    #[inline]
    fn re(&self) -> f64 {
        self.0.re
    }
    #[inline]
    fn unary(&self, op: Unary) -> Self {
        let x = self.0;
        Peer(match op {
            Unary::Neg => -x,
            Unary::Recip => x.recip(),
            Unary::Exp => x.exp(),
            Unary::Log => x.ln(),
            Unary::Sqrt => x.sqrt(),
            Unary::Sin => x.sin(),
            Unary::Cos => x.cos(),
            Unary::Tan => x.tan(),
            Unary::Tanh => x.tanh(),
            Unary::Sigmoid => ((-x).exp() + 1.0).recip(),
            Unary::Atan => x.atan(),
            Unary::Abs => num_dual::Dual64::new(x.re.abs(), x.eps * x.re.signum()),
            Unary::Powi(k) => x.powi(k),
        })
    }
    #[inline]
    fn binary(&self, op: Binary, o: &Self) -> Self {
        let (u, w) = (self.0, o.0);
        Peer(match op {
            Binary::Add => u + w,
            Binary::Sub => u - w,
            Binary::Mul => u * w,
            Binary::Div => u / w,
            Binary::Pow => u.powd(w),
            Binary::Min | Binary::Max => {
                if selects_left(op, u.re, w.re) {
                    u
                } else {
                    w
                }
            }
        })
    }
}
