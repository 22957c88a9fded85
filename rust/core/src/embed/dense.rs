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

use super::half::{f16_bits, f16_to_f32};

/// The bytes of weight rows a block holds, to stay in the L1 cache while
/// every token row passes over it.
const BLOCK_BYTES: usize = 32 * 1024;

/// Weight rows per cache block for rows of `k` floats: a multiple of `tm`.
fn block_rows(k: usize, tm: usize) -> usize {
    (BLOCK_BYTES / (4 * k.max(1)) / tm).max(1) * tm
}

pub(crate) fn has_avx512() -> bool {
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

/// Output columns per packed panel: two AVX-512 vectors.
pub(crate) const PANEL: usize = 32;

/// The weights of one dense layer, `w[out, in]`, rounded to binary16
/// (SPEC.md §10: both engines multiply by the same rounded values, and the
/// forward pass of a short request reads half the bytes): as stored, or,
/// when the AVX-512 kernel runs, packed in panels of [`PANEL`] output
/// columns as binary16 bits (the rows past the last whole panel kept as
/// stored, in f32).
#[derive(Debug)]
pub(crate) struct Weights {
    m: usize,
    k: usize,
    /// `panels` panels, each `[k][PANEL]`: column `c` of panel `p` is
    /// output `p * PANEL + c`, as binary16 bits.
    packed: Vec<u16>,
    panels: usize,
    /// The output rows from `panels * PANEL` on, `[out][k]` as stored.
    rows: Vec<f32>,
}

/// `v` rounded to the nearest binary16 value (ties to even), as numpy's
/// `astype(float16).astype(float32)`.
#[cfg(test)]
pub(crate) fn round_f16(v: f32) -> f32 {
    f16_to_f32(f16_bits(v))
}

impl Weights {
    /// Weights of `m` outputs × `k` inputs from their stored `[m, k]`
    /// layout, each rounded to binary16 once (ties to even, as numpy's
    /// `astype(float16)`; a value past binary16's range
    /// becomes infinite: the loader refuses such a tensor first).
    ///
    /// # Panics
    /// When `w` does not hold `m * k` values (an internal bug: the loader
    /// checks every tensor's shape).
    pub(crate) fn new(w: Vec<f32>, m: usize, k: usize) -> Self {
        assert_eq!(w.len(), m * k, "weights: {} values for {m} × {k}", w.len());
        let bits: Vec<u16> = w.iter().map(|&v| f16_bits(v)).collect();
        drop(w);
        let panels = if avx512_panels(k) { m / PANEL } else { 0 };
        let mut packed = vec![0u16; panels * k * PANEL];
        for (p, panel) in packed.chunks_exact_mut(k * PANEL).enumerate() {
            for (c, row) in bits[p * PANEL * k..(p + 1) * PANEL * k]
                .chunks_exact(k)
                .enumerate()
            {
                for (i, &v) in row.iter().enumerate() {
                    panel[i * PANEL + c] = v;
                }
            }
        }
        let rows = bits[panels * PANEL * k..]
            .iter()
            .map(|&b| f16_to_f32(b))
            .collect();
        Self {
            m,
            k,
            packed,
            panels,
            rows,
        }
    }

    /// `out[t * ldo + (j - cols.start)] = b[j] + x[t, ..k] · w[j, ..k]` for
    /// `t < n` and `j` in `cols`.
    ///
    /// # Panics
    /// When a slice is shorter than the shapes say, or `cols` goes past the
    /// outputs (an internal bug).
    #[allow(
        clippy::many_single_char_names,
        reason = "a dense layer's operands, spelled out as in BLAS"
    )]
    pub(crate) fn apply(
        &self,
        x: &[f32],
        n: usize,
        b: &[f32],
        cols: std::ops::Range<usize>,
        out: &mut [f32],
        ldo: usize,
    ) {
        let (m, k) = (self.m, self.k);
        if n == 0 || cols.is_empty() {
            return;
        }
        let width = cols.len();
        assert!(
            cols.end <= m
                && x.len() >= n * k
                && b.len() >= m
                && width <= ldo
                && out.len() >= (n - 1) * ldo + width,
            "dense: operand shorter than its shape"
        );
        let packed_end = self.panels * PANEL;
        let mut j = cols.start;
        #[cfg(target_arch = "x86_64")]
        while j < cols.end.min(packed_end) {
            let p = j / PANEL;
            let first = j - p * PANEL;
            let last = (cols.end - p * PANEL).min(PANEL);
            let panel = &self.packed[p * k * PANEL..(p + 1) * k * PANEL];
            // SAFETY: panels exist only when the CPU has AVX-512F
            // (`avx512_panels`); the panel holds k × PANEL values, the
            // biases p * PANEL + PANEL <= m, and the assert above bounds the
            // rows of x and the columns first..last of out written at
            // j - cols.start + (c - first) < width <= ldo.
            unsafe {
                avx512::panel(
                    x,
                    n,
                    k,
                    panel,
                    &b[p * PANEL..(p + 1) * PANEL],
                    first..last,
                    &mut out[j - cols.start..],
                    ldo,
                );
            }
            j = p * PANEL + last;
        }
        if j < cols.end {
            // The stored rows, from output `packed_end` on.
            let w = &self.rows;
            let b = &b[packed_end..];
            let start = j - packed_end;
            let end = cols.end - packed_end;
            dense(
                x,
                n,
                k,
                &w[start * k..],
                &b[start..],
                0..end - start,
                &mut out[j - cols.start..],
                ldo,
            );
        }
    }
}

/// Whether [`Weights`] packs panels for rows of `k` inputs: with AVX-512F.
fn avx512_panels(k: usize) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        k > 0 && has_avx512()
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = k;
        false
    }
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
        __m256i, __m512, _mm256_loadu_si256, _mm512_add_ps, _mm512_cvtph_ps, _mm512_fmadd_ps,
        _mm512_loadu_ps, _mm512_reduce_add_ps, _mm512_set1_ps, _mm512_setzero_ps, _mm512_storeu_ps,
    };

    use super::{block_rows, PANEL};

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

    /// The most token rows per panel tile: 12 × 2 accumulators, 2 weight
    /// vectors and a broadcast fit the 32 registers with room to spare.
    const PANEL_ROWS: usize = 12;

    /// One panel: `out[t * ldo + (c - cols.start)] = b[c] + x[t] · panel[.., c]`
    /// for `t < n` and `c` in `cols` (within `0..PANEL`).
    ///
    /// The rows are cut into as few tiles as fit the registers, of nearly
    /// equal heights (26 rows: 9 + 9 + 8, not 12 + 12 + 2), since
    /// each tile reads the whole panel.
    ///
    /// # Safety
    /// The CPU has AVX-512F; `x` holds `n` rows of `k`, `panel` `k × PANEL`
    /// values, `b` `PANEL`, and `out` `n` rows of `cols.len()` at stride `ldo`.
    #[target_feature(enable = "avx512f")]
    #[allow(
        clippy::too_many_arguments,
        clippy::many_single_char_names,
        reason = "a dense layer's operands, spelled out as in BLAS"
    )]
    pub(super) unsafe fn panel(
        x: &[f32],
        n: usize,
        k: usize,
        panel: &[u16],
        b: &[f32],
        cols: std::ops::Range<usize>,
        out: &mut [f32],
        ldo: usize,
    ) {
        let tiles = n.div_ceil(PANEL_ROWS);
        let mut t = 0;
        for i in 0..tiles {
            let rows = (n - t).div_ceil(tiles - i);
            // SAFETY (every arm): rows t..t + rows <= n of x and out, as this
            // function's contract.
            macro_rules! tile {
                ($($r:literal)*) => {
                    match rows {
                        $($r => unsafe {
                            panel_tile::<$r>(x, t, k, panel, b, cols.clone(), out, ldo)
                        },)*
                        _ => unreachable!("a tile has 1 to PANEL_ROWS rows"),
                    }
                };
            }
            tile!(1 2 3 4 5 6 7 8 9 10 11 12);
            t += rows;
        }
    }

    /// Rows `t0..t0 + R` of [`panel`].
    ///
    /// # Safety
    /// As [`panel`], with `t0 + R <= n`.
    #[inline]
    #[target_feature(enable = "avx512f")]
    #[allow(
        clippy::too_many_arguments,
        clippy::many_single_char_names,
        reason = "a dense layer's operands, spelled out as in BLAS"
    )]
    unsafe fn panel_tile<const R: usize>(
        x: &[f32],
        t0: usize,
        k: usize,
        panel: &[u16],
        b: &[f32],
        cols: std::ops::Range<usize>,
        out: &mut [f32],
        ldo: usize,
    ) {
        let xp = x[t0 * k..].as_ptr();
        let pp = panel.as_ptr();
        let mut acc = [[_mm512_setzero_ps(); 2]; R];
        for i in 0..k {
            // SAFETY: row i of the panel's k rows of PANEL = 2 × 16 binary16
            // values, 2 × 32 bytes; `loadu` needs no alignment.
            #[allow(
                clippy::cast_ptr_alignment,
                reason = "an unaligned load (`_mm256_loadu_si256`)"
            )]
            let (w0, w1) = unsafe {
                (
                    _mm512_cvtph_ps(_mm256_loadu_si256(pp.add(i * PANEL).cast::<__m256i>())),
                    _mm512_cvtph_ps(_mm256_loadu_si256(pp.add(i * PANEL + 16).cast::<__m256i>())),
                )
            };
            for (r, row) in acc.iter_mut().enumerate() {
                // SAFETY: row t0 + r < n of x, column i < k.
                let xb = _mm512_set1_ps(unsafe { *xp.add(r * k + i) });
                row[0] = _mm512_fmadd_ps(xb, w0, row[0]);
                row[1] = _mm512_fmadd_ps(xb, w1, row[1]);
            }
        }
        // SAFETY: b holds PANEL values.
        let (b0, b1) = unsafe {
            (
                _mm512_loadu_ps(b.as_ptr()),
                _mm512_loadu_ps(b.as_ptr().add(16)),
            )
        };
        let mut lanes = [0.0f32; PANEL];
        for (r, row) in acc.iter().enumerate() {
            // SAFETY: `lanes` holds PANEL = 2 × 16 floats.
            unsafe {
                _mm512_storeu_ps(lanes.as_mut_ptr(), _mm512_add_ps(row[0], b0));
                _mm512_storeu_ps(lanes.as_mut_ptr().add(16), _mm512_add_ps(row[1], b1));
            }
            let at = (t0 + r) * ldo;
            out[at..at + cols.len()].copy_from_slice(&lanes[cols.clone()]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::cast_precision_loss, reason = "small test values")]
    fn value(i: usize) -> f32 {
        ((i * 7919 % 113) as f32 - 56.0) / 57.0
    }

    /// `x[n, k]`, `w[m, k]` and `b[m]` of made-up values.
    fn operands(n: usize, k: usize, m: usize) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
        (
            (0..n * k).map(value).collect(),
            (0..m * k).map(|i| value(i + 3)).collect(),
            (0..m).map(|i| value(i + 11)).collect(),
        )
    }

    /// `b[j] + x[t, ..k] · w[j, ..k]`, summed in order.
    #[allow(clippy::many_single_char_names, reason = "matrix notation")]
    fn naive(x: &[f32], w: &[f32], b: &[f32], k: usize, t: usize, j: usize) -> f32 {
        b[j] + (0..k).map(|p| x[t * k + p] * w[j * k + p]).sum::<f32>()
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
            let (x, w, b) = operands(n, k, m);
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
                    let want = naive(&x, &w, &b, k, t, j);
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

    /// Packed panels, the stored tail rows past them, and column ranges that
    /// start or end inside a panel (how `linear` splits a layer) all give
    /// the naive product.
    #[test]
    fn weights_apply_matches_the_naive_product() {
        for &(n, k, m) in &[
            (1, 16, 1),
            (2, 16, 32),
            (5, 48, 33),
            (13, 32, 70),
            (26, 16, 96),
            (3, 8, 40),
        ] {
            let (x, w, b) = operands(n, k, m);
            let weights = Weights::new(w.clone(), m, k);
            let w: Vec<f32> = w.into_iter().map(round_f16).collect();
            if avx512_panels(k) {
                assert_eq!(weights.panels, m / PANEL, "({n},{k},{m})");
            }
            for cols in [0..m, 0..m / 2, m / 2..m, m / 3..m.min(m / 3 + 37)] {
                let width = cols.len();
                let mut out = vec![f32::NAN; n * width.max(1)];
                weights.apply(&x, n, &b, cols.clone(), &mut out, width.max(1));
                for t in 0..n {
                    for j in cols.clone() {
                        let want = naive(&x, &w, &b, k, t, j);
                        let got = out[t * width + j - cols.start];
                        assert!(
                            (got - want).abs() < 1e-4,
                            "({n},{k},{m}) cols {cols:?} [{t},{j}]: {got} vs {want}"
                        );
                    }
                }
            }
        }
    }
}
