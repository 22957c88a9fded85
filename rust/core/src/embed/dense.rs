//! The dense layers of the encoder: `out[n, m] = x[n, k] · w[m, k]ᵀ + b[m]`
//! with the weights in their stored `[out, in]` layout.
//!
//! Every output is a dot product of a token row with a weight row, both
//! contiguous, so the weights are read in place (no packing per call, which
//! is what a general sgemm spends most of its time on for the few rows of a
//! short request). A tile of a few token rows × a few weight rows is
//! accumulated in AVX2/FMA registers when the CPU has them (checked once at
//! run time), or AVX-512 ones when it has those, else by a portable loop
//! the compiler vectorises. Tiles walk the weights in blocks of about 32 KiB
//! so that a block stays in the L1 cache while all token rows pass over it.

use std::sync::OnceLock;

/// The bytes of weight rows a block holds, to stay in the L1 cache while
/// every token row passes over it.
const BLOCK_BYTES: usize = 32 * 1024;

/// Weight rows per cache block for rows of `k` floats: a multiple of `tm`.
fn block_rows(k: usize, tm: usize) -> usize {
    (BLOCK_BYTES / (4 * k.max(1)) / tm).max(1) * tm
}

fn has_avx512() -> bool {
    static FOUND: OnceLock<bool> = OnceLock::new();
    *FOUND.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            std::arch::is_x86_feature_detected!("avx512f")
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    })
}

fn has_avx2_fma() -> bool {
    static FOUND: OnceLock<bool> = OnceLock::new();
    *FOUND.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    })
}

/// `out[t * ldo + j] = b[j] + x[t, ..k] · w[j, ..k]` for `t < n` and `j` in
/// `cols` (`out` is row-major with row stride `ldo`).
///
/// # Panics
/// When a slice is shorter than the shapes say (an internal bug).
#[allow(
    clippy::many_single_char_names,
    clippy::too_many_arguments,
    reason = "a dense layer's operands, spelled out as in BLAS"
)]
pub(crate) fn dense(
    x: &[f32],
    n: usize,
    k: usize,
    w: &[f32],
    b: &[f32],
    cols: std::ops::Range<usize>,
    out: &mut [f32],
    ldo: usize,
) {
    if n == 0 || cols.is_empty() {
        return;
    }
    assert!(
        x.len() >= n * k
            && w.len() >= cols.end * k
            && b.len() >= cols.end
            && out.len() >= (n - 1) * ldo + cols.end
            && cols.end <= ldo,
        "dense: operand shorter than its shape"
    );
    #[cfg(target_arch = "x86_64")]
    if k.is_multiple_of(16) && has_avx512() {
        // SAFETY: the CPU has AVX-512F (checked above) and the assert bounds
        // every row the kernel reads or writes.
        unsafe { avx512::dense(x, n, k, w, b, cols, out, ldo) };
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if k.is_multiple_of(8) && has_avx2_fma() {
        // SAFETY: the CPU has AVX2 and FMA (checked above) and the assert
        // bounds every row the kernel reads or writes.
        unsafe { avx::dense(x, n, k, w, b, cols, out, ldo) };
        return;
    }
    portable(x, n, k, w, b, cols, out, ldo);
}

#[allow(
    clippy::many_single_char_names,
    clippy::too_many_arguments,
    reason = "a dense layer's operands, spelled out as in BLAS"
)]
fn portable(
    x: &[f32],
    n: usize,
    k: usize,
    w: &[f32],
    b: &[f32],
    cols: std::ops::Range<usize>,
    out: &mut [f32],
    ldo: usize,
) {
    for j in cols {
        let wr = &w[j * k..(j + 1) * k];
        for t in 0..n {
            let xr = &x[t * k..(t + 1) * k];
            let mut acc = [0.0f32; 8];
            let mut xc = xr.chunks_exact(8);
            let mut wc = wr.chunks_exact(8);
            for (xa, wa) in (&mut xc).zip(&mut wc) {
                for l in 0..8 {
                    acc[l] = xa[l].mul_add(wa[l], acc[l]);
                }
            }
            let mut sum: f32 = acc.iter().sum();
            for (a, c) in xc.remainder().iter().zip(wc.remainder()) {
                sum += a * c;
            }
            out[t * ldo + j] = b[j] + sum;
        }
    }
}

/// The tile kernel, its row loop and its driver, for one instruction set:
/// `$feature` (the `target_feature`s), `$vec` holding `$lanes` floats, and its
/// zero, unaligned load and fused multiply-add. The module that expands it
/// defines `TN`, `TM` and `hsum`.
#[cfg(target_arch = "x86_64")]
macro_rules! kernels {
    ($feature:literal, $vec:ty, $lanes:literal, $zero:ident, $load:ident, $fma:ident) => {
        /// One tile: `R` token rows from `xp` × `C` weight rows from `wp`.
        ///
        /// # Safety
        /// The CPU has the features of the kernel; `xp` addresses `R` rows and `wp` `C` rows
        /// of `k` floats (a multiple of the lanes); `op` addresses `R` rows of `C`
        /// writable floats at stride `ldo`; `bp` addresses `C` floats.
        #[inline]
        #[target_feature(enable = $feature)]
        #[allow(
            clippy::many_single_char_names,
            reason = "a dense layer's operands, spelled out as in BLAS"
        )]
        unsafe fn tile<const R: usize, const C: usize>(
            xp: *const f32,
            wp: *const f32,
            bp: *const f32,
            op: *mut f32,
            k: usize,
            ldo: usize,
        ) {
            let mut acc = [[$zero(); C]; R];
            let mut p = 0;
            while p < k {
                let mut wv = [$zero(); C];
                for (c, slot) in wv.iter_mut().enumerate() {
                    // SAFETY: row c of C, column p..p + lanes < k (the caller's bounds).
                    *slot = unsafe { $load(wp.add(c * k + p)) };
                }
                for (r, row) in acc.iter_mut().enumerate() {
                    // SAFETY: row r of R, column p..p + lanes < k.
                    let xv = unsafe { $load(xp.add(r * k + p)) };
                    for (a, wv) in row.iter_mut().zip(&wv) {
                        *a = $fma(xv, *wv, *a);
                    }
                }
                p += $lanes;
            }
            for (r, row) in acc.iter().enumerate() {
                for (c, a) in row.iter().enumerate() {
                    // SAFETY: within the R × C output tile and the C biases.
                    unsafe { *op.add(r * ldo + c) = *bp.add(c) + hsum(*a) };
                }
            }
        }

        /// Tiles of `R` rows across a block of weight rows `j0..j1`.
        ///
        /// # Safety
        /// As [`tile`], for rows `t0..t0 + R` and weight rows `j0..j1`.
        #[target_feature(enable = $feature)]
        #[allow(
            clippy::too_many_arguments,
            clippy::many_single_char_names,
            reason = "a dense layer's operands, spelled out as in BLAS"
        )]
        unsafe fn row_block<const R: usize>(
            x: &[f32],
            t0: usize,
            k: usize,
            w: &[f32],
            b: &[f32],
            j0: usize,
            j1: usize,
            out: &mut [f32],
            ldo: usize,
        ) {
            let xp = x[t0 * k..].as_ptr();
            let op = out[t0 * ldo..].as_mut_ptr();
            let mut j = j0;
            // SAFETY (all calls): rows t0..t0 + R of x and out and weight rows
            // j..j + C < j1 are in bounds (checked by `super::dense`).
            while j + TM <= j1 {
                unsafe {
                    tile::<R, TM>(xp, w[j * k..].as_ptr(), b[j..].as_ptr(), op.add(j), k, ldo)
                };
                j += TM;
            }
            while j < j1 {
                unsafe {
                    tile::<R, 1>(xp, w[j * k..].as_ptr(), b[j..].as_ptr(), op.add(j), k, ldo)
                };
                j += 1;
            }
        }

        /// See [`super::dense`].
        ///
        /// # Safety
        /// The CPU has the features of the kernel, `k` is a multiple of the lanes, and the operands
        /// are as long as `super::dense` asserts.
        #[target_feature(enable = $feature)]
        #[allow(
            clippy::too_many_arguments,
            clippy::many_single_char_names,
            reason = "a dense layer's operands, spelled out as in BLAS"
        )]
        pub(super) unsafe fn dense(
            x: &[f32],
            n: usize,
            k: usize,
            w: &[f32],
            b: &[f32],
            cols: std::ops::Range<usize>,
            out: &mut [f32],
            ldo: usize,
        ) {
            let mut j0 = cols.start;
            while j0 < cols.end {
                let j1 = (j0 + block_rows(k, TM)).min(cols.end);
                let mut t = 0;
                // SAFETY (all calls): as this function's contract.
                while t + TN <= n {
                    unsafe { row_block::<TN>(x, t, k, w, b, j0, j1, out, ldo) };
                    t += TN;
                }
                while t < n {
                    unsafe { row_block::<1>(x, t, k, w, b, j0, j1, out, ldo) };
                    t += 1;
                }
                j0 = j1;
            }
        }
    };
}

#[cfg(target_arch = "x86_64")]
mod avx {
    use std::arch::x86_64::{
        __m256, _mm256_castps256_ps128, _mm256_extractf128_ps, _mm256_fmadd_ps, _mm256_loadu_ps,
        _mm256_setzero_ps, _mm_add_ps, _mm_add_ss, _mm_cvtss_f32, _mm_movehl_ps, _mm_shuffle_ps,
    };

    use super::block_rows;

    /// Token rows per tile (3 × 3 accumulators and their operands fit the
    /// 16 registers).
    const TN: usize = 3;
    /// Weight rows per tile.
    const TM: usize = 3;

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn hsum(v: __m256) -> f32 {
        let lo = _mm256_castps256_ps128(v);
        let hi = _mm256_extractf128_ps::<1>(v);
        let s = _mm_add_ps(lo, hi);
        let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        let s = _mm_add_ss(s, _mm_shuffle_ps::<1>(s, s));
        _mm_cvtss_f32(s)
    }

    kernels!(
        "avx2,fma",
        __m256,
        8,
        _mm256_setzero_ps,
        _mm256_loadu_ps,
        _mm256_fmadd_ps
    );
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::{
        __m512, _mm512_fmadd_ps, _mm512_loadu_ps, _mm512_reduce_add_ps, _mm512_setzero_ps,
    };

    use super::block_rows;

    /// Token rows per tile (4 × 4 accumulators and their operands fit the
    /// 32 registers).
    const TN: usize = 4;
    /// Weight rows per tile.
    const TM: usize = 4;

    #[inline]
    #[target_feature(enable = "avx512f")]
    fn hsum(v: __m512) -> f32 {
        _mm512_reduce_add_ps(v)
    }

    kernels!(
        "avx512f",
        __m512,
        16,
        _mm512_setzero_ps,
        _mm512_loadu_ps,
        _mm512_fmadd_ps
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::cast_precision_loss, reason = "small test values")]
    fn value(i: usize) -> f32 {
        ((i * 7919 % 113) as f32 - 56.0) / 57.0
    }

    #[test]
    fn dense_matches_the_naive_product() {
        for &(n, k, m) in &[
            (1, 8, 1),
            (5, 16, 7),
            (7, 24, 130),
            (4, 12, 9),
            (9, 64, 200),
        ] {
            let x: Vec<f32> = (0..n * k).map(value).collect();
            let w: Vec<f32> = (0..m * k).map(|i| value(i + 3)).collect();
            let b: Vec<f32> = (0..m).map(|i| value(i + 11)).collect();
            let mut out = vec![0.0f32; n * m];
            dense(&x, n, k, &w, &b, 0..m, &mut out, m);
            let mut port = vec![0.0f32; n * m];
            portable(&x, n, k, &w, &b, 0..m, &mut port, m);
            let mut narrow = port.clone();
            #[cfg(target_arch = "x86_64")]
            if k.is_multiple_of(8) && has_avx2_fma() {
                // SAFETY: AVX2 and FMA checked; the shapes fit the buffers.
                unsafe { avx::dense(&x, n, k, &w, &b, 0..m, &mut narrow, m) };
            }
            for t in 0..n {
                for j in 0..m {
                    let want: f32 = b[j] + (0..k).map(|p| x[t * k + p] * w[j * k + p]).sum::<f32>();
                    assert!(
                        (out[t * m + j] - want).abs() < 1e-4,
                        "({n},{k},{m}) [{t},{j}]"
                    );
                    assert!(
                        (port[t * m + j] - want).abs() < 1e-4,
                        "({n},{k},{m}) [{t},{j}]"
                    );
                    assert!(
                        (narrow[t * m + j] - want).abs() < 1e-4,
                        "({n},{k},{m}) [{t},{j}]"
                    );
                }
            }
        }
    }
}
