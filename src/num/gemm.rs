//! The f64 matrix product: the naive loop's order of operations, blocked and vectorised,
//! so that every CPU gives the same bits.
//!
//! Entry (i, j) of op(A) op(B) is the left fold a_i0 b_0j + a_i1 b_1j + ... over the inner
//! dimension, starting from the first product, then added to the old entry when
//! accumulating: exactly the default [`crate::num::Scalar::matmul`], so that the f64
//! product equals the counting scalar's bit for bit. The speed comes from computing a
//! block of 4 rows by 8 columns at once in registers, over op(B) packed into contiguous
//! panels, never from reordering a sum: each multiply and each add is a separate IEEE
//! operation (Rust does not fuse them), so a kernel compiled for AVX and one for the
//! x86-64 baseline give the same result. A BLAS kernel chosen at run time would not: one
//! with fused multiply-adds rounds once where one without rounds twice, and the figures
//! of `reverse-tensor` would then depend on the machine. The one exception is a NaN's
//! sign and payload, which IEEE arithmetic leaves to the hardware and the compiler
//! (which NaN operand propagates): a NaN entry is NaN in both, not always the same NaN.

use std::cell::RefCell;

/// Rows of a register block.
const MR: usize = 4;
/// Columns of a register block.
const NR: usize = 8;

thread_local! {
    /// op(A) row-major and op(B) in panels of NR columns, reused between products.
    static PACKED: RefCell<(Vec<f64>, Vec<f64>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// C = op(A) op(B), or C += op(A) op(B) when `accumulate`, with op(A) m x k at strides
/// (`rsa`, `csa`) in `a`, op(B) k x n at strides (`rsb`, `csb`) in `b`, and C m x n
/// row-major. The caller checks that the strides address elements inside the slices
/// (indexing panics otherwise); k >= 1.
#[allow(clippy::too_many_arguments)]
pub(crate) fn matmul(
    a: &[f64],
    (rsa, csa): (usize, usize),
    b: &[f64],
    (rsb, csb): (usize, usize),
    c: &mut [f64],
    (m, k, n): (usize, usize, usize),
    accumulate: bool,
) {
    debug_assert!(k >= 1);
    PACKED.with(|packed| {
        let (ap, bp) = &mut *packed.borrow_mut();
        ap.clear();
        ap.extend((0..m).flat_map(|i| (0..k).map(move |p| a[i * rsa + p * csa])));
        let panels = n / NR;
        bp.clear();
        bp.extend((0..panels).flat_map(|jb| {
            (0..k).flat_map(move |p| (0..NR).map(move |q| b[p * rsb + (jb * NR + q) * csb]))
        }));
        let shape = Shape {
            m,
            k,
            n,
            accumulate,
        };
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: the CPU has AVX, the only feature the function enables
            unsafe { blocks_avx(ap, bp, c, shape) };
        } else {
            blocks(ap, bp, c, shape);
        }
        #[cfg(not(target_arch = "x86_64"))]
        blocks(ap, bp, c, shape);
        // the columns beyond the last full panel, by the naive loop on op(B)
        for i in 0..m {
            for j in panels * NR..n {
                let row = &ap[i * k..(i + 1) * k];
                let mut s = row[0] * b[j * csb];
                for (p, &x) in row.iter().enumerate().skip(1) {
                    s += x * b[p * rsb + j * csb];
                }
                let cij = &mut c[i * n + j];
                *cij = if accumulate { *cij + s } else { s };
            }
        }
    });
}

/// The naive left fold, as the default [`crate::num::Scalar::matmul`] writes it, on f64:
/// for small products, where packing would cost more than it saves, and as the oracle of
/// [`matmul`]'s tests. The arguments are [`matmul`]'s.
#[allow(clippy::too_many_arguments)]
pub(crate) fn naive(
    a: &[f64],
    (rsa, csa): (usize, usize),
    b: &[f64],
    (rsb, csb): (usize, usize),
    c: &mut [f64],
    (m, k, n): (usize, usize, usize),
    accumulate: bool,
) {
    for i in 0..m {
        for j in 0..n {
            let mut s = a[i * rsa] * b[j * csb];
            for p in 1..k {
                s += a[i * rsa + p * csa] * b[p * rsb + j * csb];
            }
            let cij = &mut c[i * n + j];
            *cij = if accumulate { *cij + s } else { s };
        }
    }
}

/// The dimensions of a product.
#[derive(Clone, Copy)]
struct Shape {
    m: usize,
    k: usize,
    n: usize,
    accumulate: bool,
}

/// [`blocks`] compiled with AVX enabled (and no other feature: no fused multiply-add).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn blocks_avx(ap: &[f64], bp: &[f64], c: &mut [f64], shape: Shape) {
    blocks(ap, bp, c, shape)
}

/// The full panels of NR columns: MR rows at a time in registers, the rows beyond the
/// last full block of MR one at a time.
#[inline(always)]
fn blocks(
    ap: &[f64],
    bp: &[f64],
    c: &mut [f64],
    Shape {
        m,
        k,
        n,
        accumulate,
    }: Shape,
) {
    for (jb, panel) in bp.chunks_exact(k * NR).enumerate() {
        let j0 = jb * NR;
        let mut i0 = 0;
        while i0 + MR <= m {
            let rows = &ap[i0 * k..(i0 + MR) * k];
            let mut acc = [[0.0f64; NR]; MR];
            for (r, acc) in acc.iter_mut().enumerate() {
                let x = rows[r * k];
                for (s, &y) in acc.iter_mut().zip(&panel[..NR]) {
                    *s = x * y;
                }
            }
            for p in 1..k {
                let bs = &panel[p * NR..(p + 1) * NR];
                for (r, acc) in acc.iter_mut().enumerate() {
                    let x = rows[r * k + p];
                    for (s, &y) in acc.iter_mut().zip(bs) {
                        *s += x * y;
                    }
                }
            }
            for (r, acc) in acc.iter().enumerate() {
                store(&mut c[(i0 + r) * n + j0..][..NR], acc, accumulate);
            }
            i0 += MR;
        }
        for i in i0..m {
            let row = &ap[i * k..(i + 1) * k];
            let mut acc = [0.0f64; NR];
            for (s, &y) in acc.iter_mut().zip(&panel[..NR]) {
                *s = row[0] * y;
            }
            for (p, &x) in row.iter().enumerate().skip(1) {
                for (s, &y) in acc.iter_mut().zip(&panel[p * NR..(p + 1) * NR]) {
                    *s += x * y;
                }
            }
            store(&mut c[i * n + j0..][..NR], &acc, accumulate);
        }
    }
}

/// Writes a row of a block into C, or adds it to C's entries.
#[inline(always)]
fn store(c: &mut [f64], acc: &[f64; NR], accumulate: bool) {
    for (cij, &s) in c.iter_mut().zip(acc) {
        *cij = if accumulate { *cij + s } else { s };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draw(len: usize, seed: u64) -> Vec<f64> {
        let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..len)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                (s >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
            })
            .collect()
    }

    #[test]
    fn every_block_and_edge_equals_the_naive_fold_bit_for_bit() {
        // full blocks, rows and columns left over, one row or column, k = 1
        for &(m, k, n) in &[
            (4, 5, 8),
            (9, 7, 19),
            (32, 64, 64),
            (1, 30, 8),
            (5, 1, 17),
            (3, 3, 3),
        ] {
            for ta in [false, true] {
                for tb in [false, true] {
                    for acc in [false, true] {
                        let a = draw(m * k, 1);
                        let b = draw(k * n, 2);
                        let c0 = draw(m * n, 3);
                        let sa = if ta { (1, m) } else { (k, 1) };
                        let sb = if tb { (1, k) } else { (n, 1) };
                        let (mut c1, mut c2) = (c0.clone(), c0.clone());
                        matmul(&a, sa, &b, sb, &mut c1, (m, k, n), acc);
                        naive(&a, sa, &b, sb, &mut c2, (m, k, n), acc);
                        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                        assert_eq!(bits(&c1), bits(&c2), "{m}x{k}x{n} {ta} {tb} {acc}");
                    }
                }
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_avx_and_the_baseline_kernel_give_the_naive_loops_bits() {
        if !std::arch::is_x86_feature_detected!("avx") {
            return;
        }
        let (m, k, n) = (13, 37, 24);
        // values over many binades, so that the roundings of each step matter
        let a: Vec<f64> = draw(m * k, 4).iter().map(|x| x * 1e3f64.powf(*x)).collect();
        let b: Vec<f64> = draw(k * n, 5)
            .iter()
            .map(|x| x * 1e3f64.powf(-*x))
            .collect();
        let shape = Shape {
            m,
            k,
            n,
            accumulate: false,
        };
        let mut bp = Vec::new();
        for jb in 0..n / NR {
            for p in 0..k {
                bp.extend((0..NR).map(|q| b[p * n + jb * NR + q]));
            }
        }
        let (mut c1, mut c2) = (vec![0.0; m * n], vec![0.0; m * n]);
        blocks(&a, &bp, &mut c1, shape);
        // SAFETY: AVX is detected above
        unsafe { blocks_avx(&a, &bp, &mut c2, shape) };
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&c1), bits(&c2));
        assert!(c1.iter().all(|x| *x != 0.0));
        // and both are the naive loop's, written out here (a kernel that fused its
        // multiply-adds would differ from it while agreeing with a twin that fused too)
        let naive: Vec<f64> = (0..m * n)
            .map(|ij| {
                let (i, j) = (ij / n, ij % n);
                (1..k).fold(a[i * k] * b[j], |s, p| s + a[i * k + p] * b[p * n + j])
            })
            .collect();
        assert_eq!(bits(&c1), bits(&naive));
    }
}
