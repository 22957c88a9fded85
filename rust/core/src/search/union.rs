//! A term set's postings in one part as one cursor: the merge of its
//! terms' cursors (its stem variants), whose term frequency at a doc is the
//! sum of theirs, as the exhaustive executor sums them (SPEC.md §5).
//!
//! Its bounds come from its terms' block maxima: BM25 grows with the term
//! frequency and falls with the field length, and a doc's length is the
//! same for every term of a field, so BM25 at (the sum of the terms' largest
//! tfs, the smallest of their smallest lengths) over any stretch of docs
//! bounds the set's score at each doc of it. A term without block maxima
//! (a short list) is bounded by its whole list's largest tf and smallest
//! length, read once when the cursor is made.

use crate::segment::{BlockMax, Cursor, NO_DOC};

/// The merged cursor of a term set's terms in one part.
pub(super) struct Union<'a> {
    cs: Vec<Cursor<'a>>,
    /// Per term, `(largest tf, smallest length)` over its whole list.
    lists: Vec<(u32, u32)>,
    /// The current doc ([`NO_DOC`] when every term is exhausted).
    pub(super) doc: u32,
    /// Its summed term frequency.
    pub(super) tf: u32,
}

/// Where a union's current stretch of docs ends, and its bound there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Stretch {
    /// The last doc of the stretch.
    pub(super) last: u32,
    /// The largest summed tf and the smallest length over it.
    pub(super) max_tf: u32,
    pub(super) min_dl: u32,
}

impl From<BlockMax> for Stretch {
    /// One term's block as a stretch: from its current doc to the block's end.
    fn from(e: BlockMax) -> Self {
        Stretch {
            last: e.last,
            max_tf: e.max_tf,
            min_dl: e.min_dl,
        }
    }
}

impl<'a> Union<'a> {
    /// The union of `cs` (at least one cursor, each on its first posting);
    /// `lengths` is the field's length column by local id.
    ///
    /// # Errors
    /// `Err(detail)` when a list without block maxima is malformed.
    pub(super) fn new(cs: Vec<Cursor<'a>>, lengths: &[u32]) -> Result<Self, String> {
        let mut lists = Vec::with_capacity(cs.len());
        if cs.len() > 1 {
            for c in &cs {
                let m = if let Some(m) = c.list_max() {
                    m
                } else {
                    let mut scan = c.clone();
                    let (mut tf, mut dl) = (0u32, u32::MAX);
                    while scan.doc != NO_DOC {
                        tf = tf.max(scan.tf);
                        dl = dl.min(lengths.get(scan.doc as usize).copied().unwrap_or(0));
                        scan.next()?;
                    }
                    (tf, dl)
                };
                lists.push(m);
            }
        }
        let mut u = Union {
            cs,
            lists,
            doc: NO_DOC,
            tf: 0,
        };
        u.refresh();
        Ok(u)
    }

    fn refresh(&mut self) {
        if let [c] = self.cs.as_slice() {
            (self.doc, self.tf) = (c.doc, c.tf);
            return;
        }
        let doc = self.cs.iter().map(|c| c.doc).min().unwrap_or(NO_DOC);
        let mut tf = 0u32;
        if doc != NO_DOC {
            for c in &self.cs {
                if c.doc == doc {
                    tf = tf.saturating_add(c.tf);
                }
            }
        }
        (self.doc, self.tf) = (doc, tf);
    }

    /// The number of postings of its terms (a doc of several counts for each).
    pub(super) fn df(&self) -> u32 {
        self.cs.iter().fold(0u32, |a, c| a.saturating_add(c.df()))
    }

    /// `(largest tf, smallest length)` over its whole lists (`None`: one
    /// term without block maxima).
    pub(super) fn list_max(&self) -> Option<(u32, u32)> {
        if let [c] = self.cs.as_slice() {
            return c.list_max();
        }
        Some(
            self.lists
                .iter()
                .fold((0u32, u32::MAX), |(t, d), &(lt, ld)| {
                    (t.saturating_add(lt), d.min(ld))
                }),
        )
    }

    /// Moves to the next doc.
    ///
    /// # Errors
    /// `Err(detail)` when a list is malformed.
    pub(super) fn next(&mut self) -> Result<(), String> {
        let doc = self.doc;
        for c in &mut self.cs {
            if c.doc == doc {
                c.next()?;
            }
        }
        self.refresh();
        Ok(())
    }

    /// Moves to the first doc at least `target`.
    ///
    /// # Errors
    /// `Err(detail)` when a list is malformed.
    pub(super) fn advance(&mut self, target: u32) -> Result<(), String> {
        if self.doc >= target {
            return Ok(());
        }
        for c in &mut self.cs {
            c.advance(target)?;
        }
        self.refresh();
        Ok(())
    }

    /// The stretch of docs from the current one to the first end of its
    /// terms' current blocks (`None`: no term has block maxima, or no doc
    /// is left).
    pub(super) fn current_block(&self) -> Option<Stretch> {
        if let [c] = self.cs.as_slice() {
            return c.current_block().map(|(_, e)| e.into());
        }
        if self.doc == NO_DOC {
            return None;
        }
        let per = self
            .cs
            .iter()
            .map(|c| (c.doc, c.current_block().map(|(_, e)| e)));
        stretch(&self.lists, per)
    }

    /// The stretch from `target` on up to the first end of the blocks
    /// holding its terms' first postings at or after `target` (`None`: no
    /// term has block maxima, or no doc is left).
    pub(super) fn block_max_at(&mut self, target: u32) -> Option<Stretch> {
        if let [c] = self.cs.as_mut_slice() {
            return c.block_max_at(target).map(Stretch::from);
        }
        if self.doc == NO_DOC {
            return None;
        }
        let per = self.cs.iter_mut().map(|c| {
            let e = if c.doc == NO_DOC {
                None
            } else {
                c.block_max_at(target)
            };
            (c.doc, e)
        });
        stretch(&self.lists, per)
    }
}

/// The stretch of several terms: per term `(its doc, its block)`, its block
/// bounding it up to the block's last doc, or, without one, its whole
/// list's bound (`lists`); exhausted terms count for nothing (`None`: no
/// term has a block).
fn stretch(
    lists: &[(u32, u32)],
    per: impl Iterator<Item = (u32, Option<BlockMax>)>,
) -> Option<Stretch> {
    let (mut last, mut tf, mut dl, mut any) = (NO_DOC, 0u32, u32::MAX, false);
    for ((doc, block), &(lt, ld)) in per.zip(lists) {
        if doc == NO_DOC {
            continue;
        }
        let (t, d) = match block {
            Some(e) => {
                any = true;
                last = last.min(e.last);
                (e.max_tf, e.min_dl)
            }
            None => (lt, ld),
        };
        tf = tf.saturating_add(t);
        dl = dl.min(d);
    }
    any.then_some(Stretch {
        last,
        max_tf: tf,
        min_dl: dl,
    })
}
