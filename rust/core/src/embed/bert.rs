//! A BERT encoder forward pass on the CPU: dense layers by [`super::dense`]
//! (AVX-512 tiles over weights packed into panels at load, else SIMD dot
//! products over the weights as stored), attention by `matrixmultiply`'s
//! sgemm.
//!
//! One sequence at a time, unpadded, so no attention mask is needed and the
//! result equals the padded, masked computation of `transformers`. The
//! numbers follow `BertModel` exactly: embeddings (word + position + token
//! type 0) → layer norm → per layer: self-attention (fused QKV), output dense,
//! residual + layer norm, intermediate dense, GELU (erf form), output dense,
//! residual + layer norm. [`Bert::embed`] then mean-pools over all tokens and
//! L2-normalises, as sentence-transformers does for all-MiniLM-L6-v2.
//!
//! `specsearch.pure.embed.bert` is the numpy mirror of this file; both use
//! the same erf approximation ([`erf`]).

use std::path::Path;

use rayon::prelude::*;
use safetensors::{Dtype, SafeTensors};
use serde::Deserialize;

#[cfg(target_arch = "x86_64")]
use super::dense::has_avx512;
use super::dense::{Weights, PANEL};
use crate::error::{Error, Result};

/// The subset of a `transformers` `config.json` the encoder reads.
#[derive(Debug, Clone, Deserialize)]
pub struct BertConfig {
    /// Width of the hidden states.
    pub hidden_size: usize,
    /// Number of transformer layers.
    pub num_hidden_layers: usize,
    /// Number of attention heads (divides `hidden_size`).
    pub num_attention_heads: usize,
    /// Width of the feed-forward layer.
    pub intermediate_size: usize,
    /// Longest sequence the position table covers.
    pub max_position_embeddings: usize,
    /// The layer norm epsilon.
    #[serde(default = "default_eps")]
    pub layer_norm_eps: f32,
    /// The activation; only `"gelu"` is supported.
    #[serde(default = "default_act")]
    pub hidden_act: String,
}

fn default_eps() -> f32 {
    1e-12
}

fn default_act() -> String {
    "gelu".to_owned()
}

/// One transformer layer's weights.
#[derive(Debug)]
struct Layer {
    qkv_w: Weights,
    qkv_b: Vec<f32>,
    attn_out_w: Weights,
    attn_out_b: Vec<f32>,
    ln1_g: Vec<f32>,
    ln1_b: Vec<f32>,
    inter_w: Weights,
    inter_b: Vec<f32>,
    out_w: Weights,
    out_b: Vec<f32>,
    ln2_g: Vec<f32>,
    ln2_b: Vec<f32>,
}

/// BERT weights in memory.
#[derive(Debug)]
pub struct Bert {
    config: BertConfig,
    word: Vec<f32>,
    position: Vec<f32>,
    token_type: Vec<f32>,
    emb_ln_g: Vec<f32>,
    emb_ln_b: Vec<f32>,
    layers: Vec<Layer>,
}

/// Reads tensors by name from a safetensors file, checking shapes.
struct Tensors<'a> {
    path: &'a Path,
    st: SafeTensors<'a>,
    prefix: &'static str,
}

impl Tensors<'_> {
    fn get(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>> {
        let full = format!("{}{name}", self.prefix);
        let view = self
            .st
            .tensor(&full)
            .map_err(|e| self.error(format!("{full}: {e}")))?;
        if view.dtype() != Dtype::F32 {
            return Err(self.error(format!("{full}: dtype {:?}, expected F32", view.dtype())));
        }
        if view.shape() != shape {
            return Err(self.error(format!(
                "{full}: shape {:?}, expected {shape:?}",
                view.shape()
            )));
        }
        Ok(view
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }

    /// A dense layer's `[m, k]` weights, refused when a value is finite but
    /// past binary16's range (the forward pass multiplies by the binary16
    /// rounding of each weight, which [`Weights::new`] makes once).
    fn dense(&self, name: &str, m: usize, k: usize) -> Result<Vec<f32>> {
        /// The least magnitude that rounds to an infinite binary16: halfway from
        /// 65504 (the largest binary16) to 65536, a tie that rounds up.
        const F16_OVERFLOW: f32 = 65520.0;
        let w = self.get(name, &[m, k])?;
        if let Some(at) = w
            .iter()
            .position(|&v| v.is_finite() && v.abs() >= F16_OVERFLOW)
        {
            return Err(self.error(format!(
                "{}{name}: value {} at index {at} is past the float16 range (±65504) \
                 the dense layers are computed in",
                self.prefix, w[at]
            )));
        }
        Ok(w)
    }

    fn rows(&self, name: &str) -> Result<usize> {
        let full = format!("{}{name}", self.prefix);
        let view = self
            .st
            .tensor(&full)
            .map_err(|e| self.error(format!("{full}: {e}")))?;
        match view.shape().first() {
            Some(&rows) if rows > 0 => Ok(rows),
            _ => Err(self.error(format!("{full}: empty tensor"))),
        }
    }

    fn error(&self, detail: String) -> Error {
        Error::Model {
            path: self.path.to_path_buf(),
            detail,
        }
    }
}

impl Bert {
    /// Loads `config.json` and `model.safetensors` from a model folder.
    ///
    /// # Errors
    /// [`Error::Io`] when a file cannot be read; [`Error::Model`] naming the
    /// file and tensor when the config or the weights do not fit.
    pub fn load(dir: &Path) -> Result<Self> {
        let config_path = dir.join("config.json");
        let text = std::fs::read_to_string(&config_path).map_err(|e| Error::io(&config_path, e))?;
        let config: BertConfig = serde_json::from_str(&text).map_err(|e| Error::Model {
            path: config_path.clone(),
            detail: e.to_string(),
        })?;
        let bad = |detail: String| Error::Model {
            path: config_path.clone(),
            detail,
        };
        if config.hidden_act != "gelu" {
            return Err(bad(format!(
                "hidden_act {:?} is not supported (only \"gelu\")",
                config.hidden_act
            )));
        }
        if config.num_attention_heads == 0
            || !config
                .hidden_size
                .is_multiple_of(config.num_attention_heads)
        {
            return Err(bad(format!(
                "hidden_size {} is not a multiple of num_attention_heads {}",
                config.hidden_size, config.num_attention_heads
            )));
        }
        let weights_path = dir.join("model.safetensors");
        let file = std::fs::File::open(&weights_path).map_err(|e| Error::io(&weights_path, e))?;
        // SAFETY: the map is read-only and dropped before this function
        // returns; the weights are copied out. A concurrent truncation of the
        // file by another process is outside the supported use.
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::io(&weights_path, e))?;
        let st = SafeTensors::deserialize(&map).map_err(|e| Error::Model {
            path: weights_path.clone(),
            detail: e.to_string(),
        })?;
        let prefix = if st.names().iter().any(|n| n.starts_with("bert.")) {
            "bert."
        } else {
            ""
        };
        let t = Tensors {
            path: &weights_path,
            st,
            prefix,
        };
        Self::from_tensors(config, &t)
    }

    fn from_tensors(config: BertConfig, t: &Tensors<'_>) -> Result<Self> {
        let h = config.hidden_size;
        let i = config.intermediate_size;
        let vocab = t.rows("embeddings.word_embeddings.weight")?;
        let types = t.rows("embeddings.token_type_embeddings.weight")?;
        // The layers are independent: converted in parallel (the float16
        // rounding and panel packing of 22M weights is most of a load).
        let layers = (0..config.num_hidden_layers)
            .into_par_iter()
            .map(|l| Self::layer_from_tensors(t, l, h, i))
            .collect::<Result<Vec<Layer>>>()?;
        Ok(Self {
            word: t.get("embeddings.word_embeddings.weight", &[vocab, h])?,
            position: t.get(
                "embeddings.position_embeddings.weight",
                &[config.max_position_embeddings, h],
            )?,
            token_type: t.get("embeddings.token_type_embeddings.weight", &[types, h])?,
            emb_ln_g: t.get("embeddings.LayerNorm.weight", &[h])?,
            emb_ln_b: t.get("embeddings.LayerNorm.bias", &[h])?,
            layers,
            config,
        })
    }

    /// Layer `layer`'s weights (`h` hidden, `i` intermediate).
    fn layer_from_tensors(t: &Tensors<'_>, layer: usize, h: usize, i: usize) -> Result<Layer> {
        let p = format!("encoder.layer.{layer}.");
        let mut qkv_w = t.dense(&format!("{p}attention.self.query.weight"), h, h)?;
        qkv_w.extend(t.dense(&format!("{p}attention.self.key.weight"), h, h)?);
        qkv_w.extend(t.dense(&format!("{p}attention.self.value.weight"), h, h)?);
        let mut qkv_b = t.get(&format!("{p}attention.self.query.bias"), &[h])?;
        qkv_b.extend(t.get(&format!("{p}attention.self.key.bias"), &[h])?);
        qkv_b.extend(t.get(&format!("{p}attention.self.value.bias"), &[h])?);
        Ok(Layer {
            qkv_w: Weights::new(qkv_w, 3 * h, h),
            qkv_b,
            attn_out_w: Weights::new(
                t.dense(&format!("{p}attention.output.dense.weight"), h, h)?,
                h,
                h,
            ),
            attn_out_b: t.get(&format!("{p}attention.output.dense.bias"), &[h])?,
            ln1_g: t.get(&format!("{p}attention.output.LayerNorm.weight"), &[h])?,
            ln1_b: t.get(&format!("{p}attention.output.LayerNorm.bias"), &[h])?,
            inter_w: Weights::new(
                t.dense(&format!("{p}intermediate.dense.weight"), i, h)?,
                i,
                h,
            ),
            inter_b: t.get(&format!("{p}intermediate.dense.bias"), &[i])?,
            out_w: Weights::new(t.dense(&format!("{p}output.dense.weight"), h, i)?, h, i),
            out_b: t.get(&format!("{p}output.dense.bias"), &[h])?,
            ln2_g: t.get(&format!("{p}output.LayerNorm.weight"), &[h])?,
            ln2_b: t.get(&format!("{p}output.LayerNorm.bias"), &[h])?,
        })
    }

    /// The model's configuration.
    #[must_use]
    pub fn config(&self) -> &BertConfig {
        &self.config
    }

    /// The number of rows of the word-embedding table.
    #[must_use]
    pub fn vocab_size(&self) -> usize {
        self.word.len() / self.config.hidden_size
    }

    /// The L2-normalised mean of the last hidden states of `ids`, written to
    /// `out` (`hidden_size` values).
    ///
    /// `ids` must be non-empty, no longer than `max_position_embeddings`, and
    /// every id below [`Bert::vocab_size`]; the tokenizer guarantees all three
    /// (the caller checks the vocabulary sizes agree on load). With `split`,
    /// each dense layer's output columns are shared between two rayon tasks
    /// (for one text at a time, when no other text keeps the pool busy), so
    /// each reads half of the weights; the result is the same either way.
    pub fn embed(&self, ids: &[u32], out: &mut [f32], split: bool) {
        let h = self.config.hidden_size;
        let n = ids.len().min(self.config.max_position_embeddings);
        let mut x = vec![0.0f32; n * h];
        for (t, &id) in ids[..n].iter().enumerate() {
            let word = &self.word[id as usize * h..(id as usize + 1) * h];
            let pos = &self.position[t * h..(t + 1) * h];
            let row = &mut x[t * h..(t + 1) * h];
            for j in 0..h {
                row[j] = word[j] + pos[j] + self.token_type[j];
            }
        }
        let eps = self.config.layer_norm_eps;
        layer_norm(&mut x, h, &self.emb_ln_g, &self.emb_ln_b, eps);
        let mut scratch = Scratch::new(n, &self.config);
        for layer in &self.layers {
            self.layer(layer, &mut x, n, &mut scratch, split);
        }
        out.fill(0.0);
        for row in x.chunks_exact(h) {
            for (o, v) in out.iter_mut().zip(row) {
                *o += v;
            }
        }
        let inv = 1.0 / n.max(1) as f32;
        for o in out.iter_mut() {
            *o *= inv;
        }
        let norm = out.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
        for o in out.iter_mut() {
            *o /= norm;
        }
    }

    #[allow(clippy::many_single_char_names, reason = "matrix notation")]
    fn layer(&self, w: &Layer, x: &mut [f32], n: usize, s: &mut Scratch, split: bool) {
        let h = self.config.hidden_size;
        let heads = self.config.num_attention_heads;
        let d = h / heads;
        let inter = self.config.intermediate_size;
        let eps = self.config.layer_norm_eps;
        linear(x, n, &w.qkv_w, &w.qkv_b, 3 * h, &mut s.qkv, split, None);
        let scale = 1.0 / (d as f32).sqrt();
        if split && heads >= 2 {
            // Half of the heads on each of two tasks, each with its own
            // scores; the second half's context is copied into place after.
            let mid = heads / 2;
            let width = h - mid * d;
            let mut right = vec![0.0f32; n * width];
            let (left_scores, right_scores) = s.scores.split_at_mut(n * n);
            let qkv = &s.qkv;
            let ctx = &mut s.ctx;
            rayon::join(
                || attend(qkv, n, h, d, 0..mid, scale, left_scores, ctx, h),
                || {
                    attend(
                        &qkv[mid * d..],
                        n,
                        h,
                        d,
                        0..heads - mid,
                        scale,
                        right_scores,
                        &mut right,
                        width,
                    );
                },
            );
            for (row, part) in s.ctx.chunks_exact_mut(h).zip(right.chunks_exact(width)) {
                row[mid * d..].copy_from_slice(part);
            }
        } else {
            attend(
                &s.qkv,
                n,
                h,
                d,
                0..heads,
                scale,
                &mut s.scores[..n * n],
                &mut s.ctx,
                h,
            );
        }
        linear(
            &s.ctx,
            n,
            &w.attn_out_w,
            &w.attn_out_b,
            h,
            &mut s.tmp,
            split,
            None,
        );
        add_in_place(x, &s.tmp);
        layer_norm(x, h, &w.ln1_g, &w.ln1_b, eps);
        linear(
            x,
            n,
            &w.inter_w,
            &w.inter_b,
            inter,
            &mut s.inter,
            split,
            Some(gelu_in_place),
        );
        linear(&s.inter, n, &w.out_w, &w.out_b, h, &mut s.tmp, split, None);
        add_in_place(x, &s.tmp);
        layer_norm(x, h, &w.ln2_g, &w.ln2_b, eps);
    }
}

/// Self-attention of `heads` (head `i` at columns `i * d` of each third of
/// `qkv`, rows of `3 * h`): head `i`'s context goes to columns
/// `(i - heads.start) * d` of `ctx`, rows of `ldc`. `scores` holds `n × n`.
#[allow(
    clippy::too_many_arguments,
    clippy::many_single_char_names,
    clippy::cast_possible_wrap,
    reason = "matrix notation; strides index allocated buffers, so they fit isize"
)]
fn attend(
    qkv: &[f32],
    n: usize,
    h: usize,
    d: usize,
    heads: std::ops::Range<usize>,
    scale: f32,
    scores: &mut [f32],
    ctx: &mut [f32],
    ldc: usize,
) {
    assert!(
        scores.len() >= n * n
            && ctx.len() >= (n.max(1) - 1) * ldc + heads.len() * d
            && qkv.len() >= (n.max(1) - 1) * 3 * h + 2 * h + heads.end * d,
        "attention: operand shorter than its shape"
    );
    for head in heads.clone() {
        let q = &qkv[head * d..];
        let k = &qkv[h + head * d..];
        let v = &qkv[2 * h + head * d..];
        let c = &mut ctx[(head - heads.start) * d..];
        // SAFETY: every pointer/stride pair below addresses elements inside
        // its buffer: rows step by 3h (or h, n) within n rows, columns stay
        // within one head's d columns or n score columns.
        unsafe {
            matrixmultiply::sgemm(
                n,
                d,
                n,
                scale,
                q.as_ptr(),
                (3 * h) as isize,
                1,
                k.as_ptr(),
                1,
                (3 * h) as isize,
                0.0,
                scores.as_mut_ptr(),
                n as isize,
                1,
            );
        }
        softmax_rows(&mut scores[..n * n], n);
        // SAFETY: as above; the output is head `head`'s d columns of ctx.
        unsafe {
            matrixmultiply::sgemm(
                n,
                n,
                d,
                1.0,
                scores.as_ptr(),
                n as isize,
                1,
                v.as_ptr(),
                (3 * h) as isize,
                1,
                0.0,
                c.as_mut_ptr(),
                ldc as isize,
                1,
            );
        }
    }
}

/// Work buffers of one forward pass.
struct Scratch {
    qkv: Vec<f32>,
    scores: Vec<f32>,
    ctx: Vec<f32>,
    tmp: Vec<f32>,
    inter: Vec<f32>,
}

impl Scratch {
    fn new(n: usize, c: &BertConfig) -> Self {
        let h = c.hidden_size;
        Self {
            qkv: vec![0.0; n * 3 * h],
            scores: vec![0.0; 2 * n * n],
            ctx: vec![0.0; n * h],
            tmp: vec![0.0; n * h],
            inter: vec![0.0; n * c.intermediate_size],
        }
    }
}

/// `out[n, m] = post(x[n, k] · w[m, k]ᵀ + b[m])`, `post` elementwise; with
/// `split`, the output columns are shared between two rayon tasks (cut at a
/// panel boundary), so that each reads half of the weights once and applies
/// `post` to its own half.
#[allow(
    clippy::many_single_char_names,
    clippy::too_many_arguments,
    reason = "a dense layer's operands, spelled out as in BLAS"
)]
fn linear(
    x: &[f32],
    n: usize,
    w: &Weights,
    b: &[f32],
    m: usize,
    out: &mut [f32],
    split: bool,
    post: Option<fn(&mut [f32])>,
) {
    if split && m >= 2 * BLOCK_SPLIT {
        let half = (m / 2).next_multiple_of(PANEL).min(m);
        let mut right = vec![0.0f32; n * (m - half)];
        rayon::join(
            || {
                w.apply(x, n, b, 0..half, out, m);
                if let Some(post) = post {
                    for row in out[..n * m].chunks_exact_mut(m) {
                        post(&mut row[..half]);
                    }
                }
            },
            || {
                w.apply(x, n, b, half..m, &mut right, m - half);
                if let Some(post) = post {
                    post(&mut right);
                }
            },
        );
        for (row, part) in out[..n * m]
            .chunks_exact_mut(m)
            .zip(right.chunks_exact((m - half).max(1)))
        {
            row[half..].copy_from_slice(part);
        }
    } else {
        w.apply(x, n, b, 0..m, out, m);
        if let Some(post) = post {
            post(&mut out[..n * m]);
        }
    }
}

/// The fewest output columns worth a second task.
const BLOCK_SPLIT: usize = 64;

fn add_in_place(x: &mut [f32], y: &[f32]) {
    for (a, b) in x.iter_mut().zip(y) {
        *a += b;
    }
}

fn layer_norm(x: &mut [f32], h: usize, g: &[f32], b: &[f32], eps: f32) {
    for row in x.chunks_exact_mut(h) {
        let mean = row.iter().sum::<f32>() / h as f32;
        let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / h as f32;
        let inv = 1.0 / (var + eps).sqrt();
        for ((v, g), b) in row.iter_mut().zip(g).zip(b) {
            *v = (*v - mean) * inv * g + b;
        }
    }
}

/// Each row of `n` values of `scores` made its softmax.
fn softmax_rows(scores: &mut [f32], n: usize) {
    #[cfg(target_arch = "x86_64")]
    if has_avx512() {
        // SAFETY: the CPU has AVX-512F (checked above).
        unsafe { softmax_rows_avx512(scores, n) };
        return;
    }
    softmax_rows_body(scores, n);
}

/// [`softmax_rows`] compiled for AVX-512, so that [`exp`] is vectorised.
///
/// # Safety
/// The CPU has AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn softmax_rows_avx512(scores: &mut [f32], n: usize) {
    softmax_rows_body(scores, n);
}

#[inline(always)]
#[allow(
    clippy::inline_always,
    reason = "inlined into the AVX-512 wrappers, so that it is compiled (vectorised) for them"
)]
fn softmax_rows_body(scores: &mut [f32], n: usize) {
    for row in scores.chunks_exact_mut(n.max(1)) {
        softmax(row);
    }
}

#[inline(always)]
#[allow(
    clippy::inline_always,
    reason = "inlined into the AVX-512 wrappers, so that it is compiled (vectorised) for them"
)]
fn softmax(row: &mut [f32]) {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    for v in row.iter_mut() {
        *v = exp(*v - max);
    }
    let sum: f32 = row.iter().sum();
    let inv = 1.0 / sum;
    for v in row.iter_mut() {
        *v *= inv;
    }
}

/// GELU of every value of `v`.
fn gelu_in_place(v: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if has_avx512() {
        // SAFETY: the CPU has AVX-512F (checked above).
        unsafe { gelu_avx512(v) };
        return;
    }
    gelu_body(v);
}

/// [`gelu_in_place`] compiled for AVX-512, so that [`exp`] is vectorised.
///
/// # Safety
/// The CPU has AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn gelu_avx512(v: &mut [f32]) {
    gelu_body(v);
}

#[inline(always)]
#[allow(
    clippy::inline_always,
    reason = "inlined into the AVX-512 wrapper, so that it is compiled (vectorised) for it"
)]
fn gelu_body(v: &mut [f32]) {
    for x in v {
        *x = gelu(*x);
    }
}

/// `e^x` in f32, branch-free so that loops over it vectorise: `2^i · p(r)`
/// with `x = i·ln 2 + r`, `|r| <= ln 2 / 2` (Cody-Waite reduction) and the
/// degree-6 polynomial of Cephes' `expf`; within 2 ulp of the exact value
/// for `x` in [-87, 88] (0 below, `+inf`-free: 88.7 and above give
/// `f32::MAX`'s neighbourhood). The numpy engine uses `np.exp`; the two
/// agree to a few ulp, well within the parity the embeddings are held to.
#[inline(always)]
#[allow(
    clippy::inline_always,
    reason = "inlined into the AVX-512 wrappers, so that it is compiled (vectorised) for them"
)]
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::excessive_precision,
    clippy::many_single_char_names,
    reason = "i is a small integer after the clamp; the constants and names are Cephes'"
)]
#[must_use]
pub fn exp(x: f32) -> f32 {
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    let x = x.clamp(-87.336_55, 88.376_26);
    let i = (x * std::f32::consts::LOG2_E + 0.5).floor();
    let r = x - i * LN2_HI - i * LN2_LO;
    let p = 1.987_569_1e-4_f32;
    let p = p.mul_add(r, 1.398_199_9e-3);
    let p = p.mul_add(r, 8.333_452e-3);
    let p = p.mul_add(r, 4.166_579_6e-2);
    let p = p.mul_add(r, 1.666_666_5e-1);
    let p = p.mul_add(r, 5.000_000_1e-1);
    let y = (p * r).mul_add(r, r) + 1.0;
    let scale = f32::from_bits(((i as i32 + 127) as u32) << 23);
    y * scale
}

/// erf by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7), the
/// formula the numpy engine uses too.
#[must_use]
#[inline(always)]
#[allow(
    clippy::inline_always,
    reason = "inlined into the AVX-512 wrappers, so that it is compiled (vectorised) for them"
)]
pub fn erf(x: f32) -> f32 {
    const P: f32 = 0.327_591_1;
    const A: [f32; 5] = [
        0.254_829_6,
        -0.284_496_74,
        1.421_413_7,
        -1.453_152_1,
        1.061_405_4,
    ];
    let sign = if x < 0.0 { -1.0 } else { 1.0 };
    let x = x.abs();
    let t = 1.0 / (1.0 + P * x);
    let poly = t * (A[0] + t * (A[1] + t * (A[2] + t * (A[3] + t * A[4]))));
    sign * (1.0 - poly * exp(-x * x))
}

/// GELU in its exact (erf) form, as BERT's `"gelu"`.
#[inline(always)]
#[allow(
    clippy::inline_always,
    reason = "inlined into the AVX-512 wrappers, so that it is compiled (vectorised) for them"
)]
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_matches_known_values() {
        for (x, want) in [
            (0.0f32, 0.0f32),
            (0.5, 0.520_499_9),
            (1.0, 0.842_700_8),
            (-2.0, -0.995_322_3),
            (4.0, 0.999_999_98),
        ] {
            assert!((erf(x) - want).abs() < 3e-7, "erf({x}) = {}", erf(x));
        }
    }

    #[test]
    fn exp_is_within_2_ulp() {
        let mut x = -87.0f32;
        while x < 88.0 {
            let (got, want) = (exp(x), f64::from(x).exp());
            #[allow(clippy::cast_possible_truncation, reason = "the f32 nearest")]
            let ulp = f64::from((want as f32).next_up() - (want as f32));
            assert!(
                (f64::from(got) - want).abs() <= 2.0 * ulp,
                "exp({x}) = {got}, want {want}"
            );
            x += 0.013_7;
        }
        assert!(exp(-1000.0) < 1e-37);
        assert!(exp(1000.0).is_finite());
    }

    #[test]
    fn softmax_sums_to_one() {
        let mut row = [1.0f32, 2.0, 3.0, -1000.0];
        softmax(&mut row);
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(row[2] > row[1] && row[1] > row[0] && row[3] >= 0.0);
    }
}
