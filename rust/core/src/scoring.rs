//! BM25 per field (SPEC.md §5), shared by every index kind.
//!
//! The parameters live in [`Bm25`]; the collection statistics (N, df, the
//! average field length) are passed in by the caller, which knows how it
//! counts them (the in-memory index directly, the on-disk index over its live
//! docs only). The arithmetic is written once, here, in exactly the order
//! the contract states, so that every engine, the pure-Python one included,
//! computes bit-identical `f64` scores.
//!
//! Layering: shared; reads nothing else in the crate.

/// The BM25 parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bm25 {
    /// Term-frequency saturation (1.2 by default).
    pub k1: f64,
    /// Length normalisation (0.75 by default).
    pub b: f64,
}

impl Bm25 {
    /// Lucene's IDF: `ln(1 + (N - n + 0.5) / (n + 0.5))`.
    #[must_use]
    pub fn idf(n_docs: f64, doc_freq: f64) -> f64 {
        (1.0 + (n_docs - doc_freq + 0.5) / (doc_freq + 0.5)).ln()
    }

    /// The contribution of one field of one doc:
    /// `weight * idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * (dl / avgdl))))`.
    #[must_use]
    pub fn score(&self, weight_idf: f64, tf: f64, dl: f64, avgdl: f64) -> f64 {
        let norm = self.k1 * ((1.0 - self.b) + self.b * (dl / avgdl));
        weight_idf * ((tf * (self.k1 + 1.0)) / (tf + norm))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_formula_written_out() {
        let bm25 = Bm25 { k1: 1.2, b: 0.75 };
        let idf = Bm25::idf(3.0, 2.0);
        assert!((idf - (1.0f64 + 1.5 / 2.5).ln()).abs() < 1e-15);
        let avgdl = 8.0 / 3.0;
        let expected = 2.0 * idf * (2.0 * 2.2) / (2.0 + 1.2 * (0.25 + 0.75 * (3.0 / avgdl)));
        let got = bm25.score(2.0 * idf, 2.0, 3.0, avgdl);
        assert!((got - expected).abs() < 1e-12, "{got} != {expected}");
    }
}
