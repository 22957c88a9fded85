//! Collecting the top k (SPEC.md §5): exact scores are rounded to
//! `f32`, and hits are ordered by that score descending, then doc id
//! ascending; a bounded heap keeps the `k` best.

use std::cmp::Ordering;

/// The best hits of a search, best first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TopDocs {
    /// Doc ids, best first.
    pub doc_ids: Vec<u32>,
    /// The `f32` score of each doc, parallel to `doc_ids`.
    pub scores: Vec<f32>,
}

impl TopDocs {
    /// The number of hits.
    #[must_use]
    pub fn len(&self) -> usize {
        self.doc_ids.len()
    }

    /// Whether there are no hits.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.doc_ids.is_empty()
    }
}

/// The order of hits: score descending, then doc id ascending.
#[allow(clippy::trivially_copy_pass_by_ref)] // the signature sort_by wants
pub(super) fn hit_order(a: &(f32, u32), b: &(f32, u32)) -> Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

/// A hit ordered so that the worse of two is the greater (for a max-heap
/// whose top is the worst hit kept).
#[derive(Clone, Copy, PartialEq)]
pub(super) struct Ranked(pub(super) f32, pub(super) u32);

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        hit_order(&(self.0, self.1), &(other.0, other.1))
    }
}

/// Keeps the `k` best of the docs with their exact scores (parallel
/// slices): rounded to `f32`, score descending, then doc id ascending (§5).
pub(crate) fn top_k(docs: &[u32], scores: &[f64], k: usize) -> TopDocs {
    top_k_of(docs.iter().copied().zip(scores.iter().copied()), k)
}

/// [`top_k`] of `(doc, exact score)` pairs.
pub(crate) fn top_k_of(hits: impl Iterator<Item = (u32, f64)>, k: usize) -> TopDocs {
    if k == 0 {
        return TopDocs::default();
    }
    let mut heap: std::collections::BinaryHeap<Ranked> =
        std::collections::BinaryHeap::with_capacity(k.min(hits.size_hint().0) + 1);
    // Once the heap is full, the score of its worst hit: a hit scored
    // lower (`<` on floats implies the total order's) is worse, and turned
    // away with that one comparison.
    let mut floor = f32::NEG_INFINITY;
    for (d, s) in hits {
        #[allow(clippy::cast_possible_truncation)] // rounding to f32 is the contract
        let hit = Ranked(s as f32, d);
        if hit.0 < floor {
            continue;
        }
        if heap.len() < k {
            heap.push(hit);
        } else if let Some(mut worst) = heap.peek_mut() {
            if hit < *worst {
                *worst = hit;
            }
        }
        if heap.len() == k {
            floor = heap.peek().map_or(floor, |w| w.0);
        }
    }
    let hits = heap.into_sorted_vec();
    TopDocs {
        doc_ids: hits.iter().map(|h| h.1).collect(),
        scores: hits.iter().map(|h| h.0).collect(),
    }
}
