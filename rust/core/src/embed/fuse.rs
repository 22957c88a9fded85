//! Fusion of the lexical and the semantic arm: a weighted sum of
//! standardised scores.
//!
//! For a request, BM25F scores every spec it matches and the encoder gives a
//! cosine for every spec. Each arm is standardised (z-score: minus its mean,
//! over its standard deviation) over all specs, a spec the lexical arm did
//! not match counting BM25F 0; an arm whose scores are all equal
//! standardises to 0. `fused = (1 − α) · lexical + α · semantic`, so α = 0 is
//! lexical only and α = 1 semantic only. [`top_k`] ranks by fused score, then
//! by doc id. `specsearch.pure.embed.fuse` is the same arithmetic in numpy
//! (the moments in f64, the parts and the sum in f32).
//!
//! Why z-scores and not min-max: min-max pins each arm to its extremes, so
//! one outlier (the worst cosine of the corpus, a lone strong BM25F hit)
//! decides the scale of the whole arm; a z-score measures how far a spec
//! stands out of the crowd in each arm, which is what makes the two
//! comparable (see README, *Routing*, for the figures).
//!
//! [`route_scores`] adds one round of pseudo-relevance feedback in the
//! vector space before the final fusion: every spec is weighted by the
//! softmax of its first fused score at temperature τ, the request vector
//! moves towards the weighted mean of the spec vectors (`q' = q + β · Σ wᵢ
//! dᵢ`, made unit length), and the cosines with `q'` are fused with BM25F
//! again. A request in other words than its spec is pulled towards the specs
//! both arms agree on first, whose vectors carry the domain's words.

use crate::error::{Error, Result};

/// The normalised parts and the fused score of every document.
#[derive(Debug, Clone, PartialEq)]
pub struct Fused {
    /// Standardised BM25F per document (BM25F 0 outside the lexical hits).
    pub lexical: Vec<f32>,
    /// Standardised cosine per document.
    pub semantic: Vec<f32>,
    /// `(1 − α) · lexical + α · semantic` per document.
    pub fused: Vec<f32>,
}

/// Standardises `scores` in place (z-score, moments in f64); all-equal
/// scores (and an empty slice) become 0.
fn standardise(scores: &mut [f32]) {
    let (lo, hi) = scores
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &s| {
            (lo.min(s), hi.max(s))
        });
    if lo >= hi {
        scores.fill(0.0);
        return;
    }
    #[allow(
        clippy::cast_precision_loss,
        reason = "a count of specs, far below 2^52"
    )]
    let n = scores.len() as f64;
    let mean = scores.iter().map(|&s| f64::from(s)).sum::<f64>() / n;
    let var = scores
        .iter()
        .map(|&s| (f64::from(s) - mean).powi(2))
        .sum::<f64>()
        / n;
    let sd = var.sqrt();
    for s in scores.iter_mut() {
        #[allow(clippy::cast_possible_truncation, reason = "a z-score fits f32")]
        let z = ((f64::from(*s) - mean) / sd) as f32;
        *s = z;
    }
}

/// Fuses BM25F hits (`lex_ids`, `lex_scores`: every spec the request
/// matches, for the z-score to be over the whole corpus) with a cosine per
/// document.
///
/// # Errors
/// [`Error::Schema`] when α is outside [0, 1], a score is not finite, the
/// hit arrays differ in length or a hit id is not below `cosine.len()`.
pub fn fuse(lex_ids: &[u32], lex_scores: &[f32], cosine: &[f32], alpha: f32) -> Result<Fused> {
    let bad = |field: &str, detail: String| Error::Schema {
        field: field.to_owned(),
        detail,
    };
    if !(0.0..=1.0).contains(&alpha) {
        return Err(bad("alpha", format!("must be within [0, 1], got {alpha}")));
    }
    if lex_ids.len() != lex_scores.len() {
        return Err(bad(
            "lexical",
            format!("{} ids but {} scores", lex_ids.len(), lex_scores.len()),
        ));
    }
    if let Some(s) = lex_scores.iter().chain(cosine).find(|s| !s.is_finite()) {
        return Err(bad("scores", format!("must be finite, got {s}")));
    }
    let mut lexical = vec![0.0f32; cosine.len()];
    for (&id, &s) in lex_ids.iter().zip(lex_scores) {
        let slot = lexical.get_mut(id as usize).ok_or_else(|| {
            bad(
                "lexical",
                format!("doc id {id} out of range for {} documents", cosine.len()),
            )
        })?;
        *slot = s;
    }
    standardise(&mut lexical);
    let mut semantic = cosine.to_vec();
    standardise(&mut semantic);
    let fused = lexical
        .iter()
        .zip(&semantic)
        .map(|(l, s)| (1.0 - alpha) * l + alpha * s)
        .collect();
    Ok(Fused {
        lexical,
        semantic,
        fused,
    })
}

/// The feedback step of [`route_scores`]: the softmax temperature `tau`
/// (> 0) over first fused scores, and the weight `beta` (>= 0; 0 turns
/// feedback off) of the weighted mean spec vector added to the request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Feedback {
    /// The softmax temperature over the first fused scores (z-score units).
    pub tau: f32,
    /// The weight of the weighted mean spec vector added to the request.
    pub beta: f32,
}

/// The fusion of a request's BM25F hits with the cosines of its vector
/// `query` (unit length) and the rows of `docs` (`dim` each), after one
/// round of [`Feedback`]: the [`Fused`] parts of every spec and the cosines
/// they were fused from (those of the moved request).
///
/// The softmax weights, their weighted mean of the rows and the moved
/// request are computed in f64 in doc order, then rounded to f32;
/// `specsearch.pure.embed.fuse.route_scores` is the same in numpy.
///
/// # Errors
/// As [`fuse`]; [`Error::Schema`] when `tau` is not positive and finite, or
/// `beta` is negative or not finite.
pub fn route_scores(
    docs: &[f32],
    dim: usize,
    query: &[f32],
    lex_ids: &[u32],
    lex_scores: &[f32],
    alpha: f32,
    feedback: Feedback,
) -> Result<(Fused, Vec<f32>)> {
    let Feedback { tau, beta } = feedback;
    if !(tau.is_finite() && tau > 0.0) {
        return Err(Error::Schema {
            field: "tau".to_owned(),
            detail: format!("must be positive and finite, got {tau}"),
        });
    }
    if !(beta.is_finite() && beta >= 0.0) {
        return Err(Error::Schema {
            field: "beta".to_owned(),
            detail: format!("must be >= 0 and finite, got {beta}"),
        });
    }
    let cosine = super::cosines(docs, dim, query);
    let first = fuse(lex_ids, lex_scores, &cosine, alpha)?;
    if beta == 0.0 || cosine.is_empty() {
        return Ok((first, cosine));
    }
    let top = first.fused.iter().fold(f32::NEG_INFINITY, |m, &f| m.max(f));
    let weights: Vec<f64> = first
        .fused
        .iter()
        .map(|&f| ((f64::from(f) - f64::from(top)) / f64::from(tau)).exp())
        .collect();
    let total: f64 = weights.iter().sum();
    let mut moved: Vec<f64> = query.iter().map(|&q| f64::from(q)).collect();
    let mean = weighted_sum(&weights, docs, dim);
    for (q, m) in moved.iter_mut().zip(&mean) {
        *q += f64::from(beta) * m / total;
    }
    let norm = moved.iter().map(|q| q * q).sum::<f64>().sqrt().max(1e-12);
    #[allow(
        clippy::cast_possible_truncation,
        reason = "a unit vector's components fit f32"
    )]
    let moved: Vec<f32> = moved.iter().map(|q| (q / norm) as f32).collect();
    let cosine = super::cosines(docs, dim, &moved);
    Ok((fuse(lex_ids, lex_scores, &cosine, alpha)?, cosine))
}

/// `Σᵢ weights[i] · rows[i]` in f64, rows of `dim` taken in order (each
/// component accumulated in doc order, as numpy's reference does).
fn weighted_sum(weights: &[f64], docs: &[f32], dim: usize) -> Vec<f64> {
    let mut sum = vec![0.0f64; dim];
    #[cfg(target_arch = "x86_64")]
    if super::dense::has_avx512() {
        // SAFETY: the CPU has AVX-512F (checked above).
        unsafe { weighted_sum_avx512(weights, docs, &mut sum) };
        return sum;
    }
    weighted_sum_body(weights, docs, &mut sum);
    sum
}

/// [`weighted_sum_body`] compiled for AVX-512 (eight f64 lanes; Rust never
/// fuses the multiply and the add, so the sums are the same bits).
///
/// # Safety
/// The CPU has AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn weighted_sum_avx512(weights: &[f64], docs: &[f32], sum: &mut [f64]) {
    weighted_sum_body(weights, docs, sum);
}

#[inline(always)]
#[allow(
    clippy::inline_always,
    reason = "inlined into the AVX-512 wrapper, so that it is compiled (vectorised) for it"
)]
fn weighted_sum_body(weights: &[f64], docs: &[f32], sum: &mut [f64]) {
    for (w, row) in weights.iter().zip(docs.chunks_exact(sum.len())) {
        for (m, &d) in sum.iter_mut().zip(row) {
            *m += w * f64::from(d);
        }
    }
}

/// The `k` best `(doc id, score)` pairs: score descending, then doc id ascending.
#[must_use]
pub fn top_k(scores: &[f32], k: usize) -> Vec<(u32, f32)> {
    let mut order: Vec<(u32, f32)> = scores
        .iter()
        .enumerate()
        .map(|(i, &s)| (i as u32, s))
        .collect();
    order.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    order.truncate(k);
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_sum_of_standardised_parts() {
        // BM25F [10, 0, 10, 0] and cosine [0, 0.5, 0.5, 1] have mean 5 / 0.5 and
        // standard deviation 5 / sqrt(1/8): z-scores ±1 and [-√2, 0, 0, √2].
        let f = fuse(&[2, 0], &[10.0, 10.0], &[0.0, 0.5, 0.5, 1.0], 0.5).expect("valid");
        assert_eq!(f.lexical, vec![1.0, -1.0, 1.0, -1.0]);
        let r = std::f32::consts::SQRT_2;
        assert_eq!(f.semantic, vec![-r, 0.0, 0.0, r]);
        let want = [(1.0 - r) / 2.0, -0.5, 0.5, (r - 1.0) / 2.0];
        for (got, want) in f.fused.iter().zip(want) {
            assert!((got - want).abs() < 1e-6, "{got} vs {want}");
        }
        assert_eq!(
            top_k(&f.fused, 2).iter().map(|h| h.0).collect::<Vec<_>>(),
            vec![2, 3]
        );
    }

    #[test]
    fn equal_scores_standardise_to_zero_and_ties_break_by_id() {
        let f = fuse(&[1], &[3.0], &[0.2, 0.2], 0.0).expect("valid");
        assert_eq!(f.fused, vec![-1.0, 1.0]);
        assert_eq!(f.semantic, vec![0.0, 0.0]);
        let f = fuse(&[], &[], &[0.2, 0.2], 1.0).expect("valid");
        assert_eq!(top_k(&f.fused, 5), vec![(0, 0.0), (1, 0.0)]);
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(fuse(&[], &[], &[0.0], 1.5).is_err());
        assert!(fuse(&[3], &[1.0], &[0.0], 0.5).is_err());
        assert!(fuse(&[0], &[], &[0.0], 0.5).is_err());
        assert!(fuse(&[0], &[f32::NAN], &[0.0], 0.5).is_err());
    }
}
