//! Fusion of the lexical and the semantic arm: a weighted sum of min-max
//! normalised scores.
//!
//! For a request, BM25F gives scores for its top hits (50 in `route`) and the
//! encoder gives a cosine for every spec. Each is min-max normalised over
//! the documents it scored (BM25F over its hits, spec outside them count 0;
//! cosine over all specs); a set whose scores are all equal normalises to 1.
//! `fused = (1 − α) · lexical + α · semantic`, so α = 0 is lexical only and
//! α = 1 semantic only. [`top_k`] ranks by fused score, then by doc id.
//! `specsearch.pure.embed.fuse` is the same arithmetic in numpy float32.

use crate::error::{Error, Result};

/// The normalised parts and the fused score of every document.
#[derive(Debug, Clone, PartialEq)]
pub struct Fused {
    /// Normalised BM25F per document (0 outside the lexical hits).
    pub lexical: Vec<f32>,
    /// Normalised cosine per document.
    pub semantic: Vec<f32>,
    /// `(1 − α) · lexical + α · semantic` per document.
    pub fused: Vec<f32>,
}

/// Min-max normalises `scores` in place; all-equal scores become 1.
fn min_max(scores: &mut [f32]) {
    let (lo, hi) = scores
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &s| {
            (lo.min(s), hi.max(s))
        });
    let range = hi - lo;
    for s in scores.iter_mut() {
        *s = if range > 0.0 { (*s - lo) / range } else { 1.0 };
    }
}

/// Fuses BM25F hits (`lex_ids`, `lex_scores`) with a cosine per document.
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
    let mut norm = lex_scores.to_vec();
    min_max(&mut norm);
    let mut lexical = vec![0.0f32; cosine.len()];
    for (&id, &s) in lex_ids.iter().zip(&norm) {
        let slot = lexical.get_mut(id as usize).ok_or_else(|| {
            bad(
                "lexical",
                format!("doc id {id} out of range for {} documents", cosine.len()),
            )
        })?;
        *slot = s;
    }
    let mut semantic = cosine.to_vec();
    min_max(&mut semantic);
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
    fn weighted_sum_of_normalised_parts() {
        let f = fuse(&[2, 0], &[10.0, 5.0], &[0.0, 0.25, 0.5], 0.5).expect("valid");
        assert_eq!(f.lexical, vec![0.0, 0.0, 1.0]);
        assert_eq!(f.semantic, vec![0.0, 0.5, 1.0]);
        assert_eq!(f.fused, vec![0.0, 0.25, 1.0]);
        assert_eq!(top_k(&f.fused, 2), vec![(2, 1.0), (1, 0.25)]);
    }

    #[test]
    fn equal_scores_normalise_to_one_and_ties_break_by_id() {
        let f = fuse(&[1], &[3.0], &[0.2, 0.2], 0.0).expect("valid");
        assert_eq!(f.fused, vec![0.0, 1.0]);
        let f = fuse(&[], &[], &[0.2, 0.2], 1.0).expect("valid");
        assert_eq!(top_k(&f.fused, 5), vec![(0, 1.0), (1, 1.0)]);
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(fuse(&[], &[], &[0.0], 1.5).is_err());
        assert!(fuse(&[3], &[1.0], &[0.0], 0.5).is_err());
        assert!(fuse(&[0], &[], &[0.0], 0.5).is_err());
        assert!(fuse(&[0], &[f32::NAN], &[0.0], 0.5).is_err());
    }
}
