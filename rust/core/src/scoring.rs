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
        self.saturate(weight_idf, tf, self.norm(dl, avgdl))
    }

    /// The length part of [`Self::score`]: `k1 * ((1 - b) + b * (dl / avgdl))`.
    #[inline]
    fn norm(&self, dl: f64, avgdl: f64) -> f64 {
        self.k1 * ((1.0 - self.b) + self.b * (dl / avgdl))
    }

    /// The rest of [`Self::score`], given its length part `norm`.
    #[inline]
    fn saturate(&self, weight_idf: f64, tf: f64, norm: f64) -> f64 {
        weight_idf * ((tf * (self.k1 + 1.0)) / (tf + norm))
    }
}

/// [`Bm25::score`] for one field (one average length), with its length
/// part (a division) precomputed for the field lengths below
/// [`FieldBm25::LENGTHS`]. The same operations on the same values, so the
/// scores are bit-identical to [`Bm25::score`]'s.
#[derive(Clone, Debug)]
pub struct FieldBm25 {
    bm25: Bm25,
    avgdl: f64,
    /// Per length: `norm`.
    norms: Vec<f64>,
}

impl FieldBm25 {
    /// Lengths with a precomputed entry.
    pub const LENGTHS: u32 = 4096;

    /// The table of `bm25` for a field of average length `avgdl`.
    #[must_use]
    pub fn new(bm25: Bm25, avgdl: f64) -> FieldBm25 {
        let norms = (0..Self::LENGTHS)
            .map(|dl| bm25.norm(f64::from(dl), avgdl))
            .collect();
        FieldBm25 { bm25, avgdl, norms }
    }

    /// `bm25.score(weight_idf, tf, dl, avgdl)`, bit for bit.
    #[inline]
    #[must_use]
    pub fn score(&self, weight_idf: f64, tf: u32, dl: u32) -> f64 {
        match self.norms.get(dl as usize) {
            Some(&norm) => self.bm25.saturate(weight_idf, f64::from(tf), norm),
            None => self
                .bm25
                .score(weight_idf, f64::from(tf), f64::from(dl), self.avgdl),
        }
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

    /// The table gives `score`'s bits at every length (in the table and
    /// past it) and tf, for several parameters and average lengths.
    #[test]
    fn field_table_is_bit_identical() {
        for (k1, b) in [(1.2, 0.75), (0.9, 0.4), (2.0, 1.0), (0.0, 0.0), (1.2, 0.3)] {
            let bm25 = Bm25 { k1, b };
            for avgdl in [1.0, 2.7, 13.0 / 7.0, 211.3, 1234.567] {
                let t = FieldBm25::new(bm25, avgdl);
                for w in [0.1, 1.0, 2.345_678_9, 17.25] {
                    for dl in (0..FieldBm25::LENGTHS + 300).chain([u32::MAX]) {
                        for tf in [1u32, 2, 3, 7, 100, u32::MAX] {
                            let want = bm25.score(w, f64::from(tf), f64::from(dl), avgdl);
                            let got = t.score(w, tf, dl);
                            assert_eq!(
                                got.to_bits(),
                                want.to_bits(),
                                "{k1} {b} {avgdl} {w} {dl} {tf}"
                            );
                        }
                    }
                }
            }
        }
    }
}
