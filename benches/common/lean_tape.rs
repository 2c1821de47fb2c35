//! The leanest elemental tape for sum of squares: a measuring stick for the scalar tape.
//!
//! Each entry holds its partial derivatives, computed while recording, so the adjoint
//! sweep is multiply-adds only; it stores no values, no kinds beyond a sentinel, and no
//! handle per variable (inputs are indices 0..n with no entry at all). It is f64 only
//! and records sum of squares by hand, because it cannot run scenario code (that needs
//! the `Scalar` trait and a handle per variable). It still records one entry per
//! elemental (the square and the running sum) and sweeps them back, so its time is a
//! floor for any tape that records elementals, ours included; `benches/sum_of_squares.rs`
//! sets it beside the function and the scalar tape.

/// One entry of the linearised tape: `adj[a] += partial * vbar` for a univariate entry
/// (`b == UNARY`); `adj[a] += vbar; adj[b] += vbar` for a sum.
#[derive(Clone, Copy, Debug)]
struct Lin {
    partial: f64,
    a: u32,
    b: u32,
}

const UNARY: u32 = u32::MAX;

/// A linearised tape, reused between gradients like the scalar tape.
#[derive(Debug, Default)]
pub struct LeanTape {
    ents: Vec<Lin>,
    adj: Vec<f64>,
}

impl LeanTape {
    /// An empty tape.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of sum_i x_i^2 (summed left to right, as the scenario does), and its
    /// gradient into `out`: records x_0^2, then x_i^2 and the running sum for each
    /// further input, and sweeps back from the last entry with ybar = 1.
    pub fn gradient_of_sum_of_squares(&mut self, x: &[f64], out: &mut Vec<f64>) -> f64 {
        let n = x.len();
        assert!(n >= 1 && 3 * n < UNARY as usize, "1 <= n < 2^32 / 3 inputs");
        self.ents.clear();
        // entry j has index n + j
        self.ents.push(Lin {
            partial: 2.0 * x[0],
            a: 0,
            b: UNARY,
        });
        let mut acc = n as u32;
        let mut value = x[0] * x[0];
        for (i, &xi) in x.iter().enumerate().skip(1) {
            self.ents.push(Lin {
                partial: 2.0 * xi,
                a: i as u32,
                b: UNARY,
            });
            let square = (n + self.ents.len() - 1) as u32;
            self.ents.push(Lin {
                partial: 1.0,
                a: acc,
                b: square,
            });
            value += xi * xi;
            acc = square + 1;
        }
        let m = n + self.ents.len();
        self.adj.clear();
        self.adj.resize(m, 0.0);
        self.adj[m - 1] = 1.0;
        let (adj, ents) = (&mut self.adj[..], &self.ents[..]);
        for (j, e) in ents.iter().enumerate().rev() {
            let vbar = adj[n + j];
            if e.b == UNARY {
                adj[e.a as usize] += e.partial * vbar;
            } else {
                adj[e.a as usize] += vbar;
                adj[e.b as usize] += vbar;
            }
        }
        out.clear();
        out.extend_from_slice(&adj[..n]);
        value
    }
}
