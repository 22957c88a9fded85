//! Block maxima and skipping cursors (ARCHITECTURE.md §10, format 5).
//!
//! A term's postings (see [`crate::postings`]) are cut into blocks of
//! [`BLOCK`] postings. For every term with at least [`MIN_DF`] postings a
//! field's block-maxima section holds one 16-byte entry per block: the
//! block's last local doc id, the end offset of its bytes in the term's
//! postings list, its largest term frequency and its smallest field length
//! (all little-endian `u32`). BM25 grows with the term frequency and falls
//! with the field length, so `score(max tf, min length)` bounds the score of
//! every doc of the block, whatever the collection statistics are at query
//! time; and the entries let a cursor jump over whole blocks without
//! decoding them. The section is `u32 n`, then `n` pairs `(u32 term
//! ordinal, u32 first entry)` by ordinal, then the entries; a term with
//! fewer postings has no entry (its bound is BM25's limit, `k1 + 1` times
//! its weighted idf).

use crate::postings::{prefetch, ByteReader};

/// Postings per block.
pub(crate) const BLOCK: u32 = 128;
/// Terms with fewer postings than this have no entries.
pub(crate) const MIN_DF: u32 = 256;
/// Bytes per entry.
const ENTRY: usize = 16;

fn u32_at(b: &[u8], i: usize) -> Option<u32> {
    b.get(i..i.checked_add(4)?)
        .and_then(|s| s.try_into().ok())
        .map(u32::from_le_bytes)
}

/// Builds a field's block-maxima section, term by term in ordinal order.
#[derive(Default)]
pub(crate) struct BlockMaxWriter {
    dir: Vec<u8>,
    entries: Vec<u8>,
    terms: u32,
    count: u32,
}

impl BlockMaxWriter {
    /// Adds the entries of term `ord`, whose `df` postings (well formed:
    /// the writer's own) are `post`; `lengths` is the field's length
    /// column, indexed by local doc id.
    pub(crate) fn term(&mut self, ord: u32, post: &[u8], df: u32, lengths: &[u32]) {
        if df < MIN_DF {
            return;
        }
        self.terms += 1;
        self.dir.extend_from_slice(&ord.to_le_bytes());
        self.dir.extend_from_slice(&self.count.to_le_bytes());
        let mut r = ByteReader::new(post);
        let (mut doc, mut max_tf, mut min_dl, mut in_block) = (0u32, 0u32, u32::MAX, 0u32);
        for i in 0..df {
            let Some(v) = r.varint() else { break };
            let tf = if v & 1 == 1 {
                1
            } else {
                r.varint_u32().unwrap_or(1)
            };
            doc = doc.wrapping_add(u32::try_from(v >> 1).unwrap_or(0));
            max_tf = max_tf.max(tf);
            min_dl = min_dl.min(lengths.get(doc as usize).copied().unwrap_or(0));
            in_block += 1;
            if in_block == BLOCK || i + 1 == df {
                let end = u32::try_from(r.offset()).unwrap_or(u32::MAX);
                for v in [doc, end, max_tf, min_dl] {
                    self.entries.extend_from_slice(&v.to_le_bytes());
                }
                self.count += 1;
                (max_tf, min_dl, in_block) = (0, u32::MAX, 0);
            }
        }
    }

    /// The section's bytes.
    pub(crate) fn finish(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(4 + self.dir.len() + self.entries.len());
        out.extend_from_slice(&self.terms.to_le_bytes());
        out.extend_from_slice(&self.dir);
        out.extend_from_slice(&self.entries);
        out
    }
}

/// The entries of term `ord` with `df` postings in a block-maxima section:
/// empty when the term has fewer than [`MIN_DF`] postings.
///
/// # Errors
/// `Err(detail)` when the section is malformed or lacks the term.
pub(crate) fn entries_of(section: &[u8], ord: u64, df: u32) -> Result<&[u8], String> {
    if df < MIN_DF {
        return Ok(&[]);
    }
    let bad = || format!("block maxima of term {ord} missing or out of range");
    let n = u32_at(section, 0).ok_or_else(bad)? as usize;
    let dir_end = n
        .checked_mul(8)
        .and_then(|x| x.checked_add(4))
        .ok_or_else(bad)?;
    let dir = section.get(4..dir_end).ok_or_else(bad)?;
    let ord = u32::try_from(ord).map_err(|_| bad())?;
    // Binary search over the (ordinal, first entry) pairs.
    let (mut lo, mut hi) = (0usize, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let o = u32_at(dir, mid * 8).ok_or_else(bad)?;
        if o < ord {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if lo == n || u32_at(dir, lo * 8) != Some(ord) {
        return Err(bad());
    }
    let first = u32_at(dir, lo * 8 + 4).ok_or_else(bad)? as usize;
    let blocks = df.div_ceil(BLOCK) as usize;
    let start = first
        .checked_mul(ENTRY)
        .and_then(|x| x.checked_add(dir_end))
        .ok_or_else(bad)?;
    let end = blocks
        .checked_mul(ENTRY)
        .and_then(|x| x.checked_add(start))
        .ok_or_else(bad)?;
    section.get(start..end).ok_or_else(bad)
}

/// A binary search of [`prefetch_entries_of`]: its section, the section's
/// directory, the ordinal sought, and the range `lo..hi` left.
type Search<'a> = (&'a [u8], &'a [u8], u32, usize, usize);

/// Asks for what [`entries_of`] reads for each `(section, ord, df)` of
/// `asks`: the probes of its binary search and its first entries. The
/// searches go in turns, a probe of each at a time, each one's next probe
/// asked for while the others step, so that their misses overlap. A hint:
/// nothing for a malformed section.
pub(crate) fn prefetch_entries_of(asks: &[(&[u8], u64, u32)]) {
    let mut searches: Vec<Search<'_>> = asks
        .iter()
        .filter(|a| a.2 >= MIN_DF)
        .filter_map(|&(section, ord, _)| {
            let n = u32_at(section, 0)? as usize;
            let dir = section.get(4..n.checked_mul(8)?.checked_add(4)?)?;
            Some((section, dir, u32::try_from(ord).ok()?, 0, n))
        })
        .collect();
    let mut going = true;
    while going {
        going = false;
        for (_, dir, ord, lo, hi) in &mut searches {
            if lo >= hi {
                continue;
            }
            let mid = *lo + (*hi - *lo) / 2;
            match u32_at(dir, mid * 8) {
                Some(o) if o < *ord => *lo = mid + 1,
                Some(_) => *hi = mid,
                None => *hi = *lo,
            }
            prefetch(dir, (*lo + (*hi - *lo) / 2) * 8);
            going = true;
        }
    }
    for (section, dir, _, lo, _) in &searches {
        if let Some(first) = u32_at(dir, lo * 8 + 4) {
            prefetch(
                section,
                (first as usize)
                    .saturating_mul(ENTRY)
                    .saturating_add(dir.len() + 4),
            );
        }
    }
}

/// One block's entry: last doc, end offset, largest tf, smallest length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BlockMax {
    pub(crate) last: u32,
    pub(crate) end: u32,
    pub(crate) max_tf: u32,
    pub(crate) min_dl: u32,
}

fn entry(entries: &[u8], b: usize) -> Option<BlockMax> {
    let at = b.checked_mul(ENTRY)?;
    Some(BlockMax {
        last: u32_at(entries, at)?,
        end: u32_at(entries, at + 4)?,
        max_tf: u32_at(entries, at + 8)?,
        min_dl: u32_at(entries, at + 12)?,
    })
}

/// A short posting after the first, at `pos` after doc `doc` of a list of
/// docs below `num_docs`: a one-byte delta with tf 1, or a one-byte delta
/// and a one-byte tf. `(its length, its doc, its tf)`, or `None` when the
/// posting is longer, missing or malformed (a zero delta, a tf below 2
/// written out, a doc out of range): those are [`Cursor::next_long`]'s.
#[inline]
fn short(bytes: &[u8], pos: usize, doc: u32, num_docs: u32) -> Option<(usize, u32, u32)> {
    let b = *bytes.get(pos)?;
    let delta = u32::from(b >> 1);
    let (len, tf) = match b & 0x81 {
        1 => (1, 1),
        0 => match bytes.get(pos + 1) {
            Some(&t) if (2..0x80).contains(&t) => (2, u32::from(t)),
            _ => return None,
        },
        _ => return None,
    };
    let next = doc.saturating_add(delta);
    (delta > 0 && next < num_docs).then_some((len, next, tf))
}

/// The doc id of an exhausted cursor.
pub(crate) const NO_DOC: u32 = u32::MAX;

/// A cursor over one term's postings in one segment, in local doc order,
/// that skips whole blocks when it has block maxima. Decoding is
/// bounds-checked: a malformed list is an error, never a panic.
#[derive(Clone, Debug)]
pub(crate) struct Cursor<'a> {
    bytes: &'a [u8],
    blocks: &'a [u8],
    df: u32,
    num_docs: u32,
    pos: usize,
    read: u32,
    /// The current doc ([`NO_DOC`] when exhausted).
    pub(crate) doc: u32,
    /// Its term frequency.
    pub(crate) tf: u32,
    /// The last [`Self::block_max_at`] answer: the first block whose last
    /// doc is at least `probe.1` is `probe.0` (targets only grow, so a
    /// later search starts there).
    probe: (usize, u32),
}

impl<'a> Cursor<'a> {
    /// A cursor on the first posting of a list of `df` postings.
    ///
    /// # Errors
    /// `Err(detail)` when the first posting is malformed.
    pub(crate) fn new(
        bytes: &'a [u8],
        blocks: &'a [u8],
        df: u32,
        num_docs: u32,
    ) -> Result<Self, String> {
        let mut c = Cursor {
            bytes,
            blocks,
            df,
            num_docs,
            pos: 0,
            read: 0,
            doc: 0,
            tf: 0,
            probe: (0, 0),
        };
        c.next()?;
        Ok(c)
    }

    /// Calls `f(docs, tfs)` for every posting of docs `lo..hi` of the list,
    /// whatever the cursor's position, [`crate::postings::BATCH`] at a time
    /// (the tight decoder of [`crate::postings::decode_postings`]): from its
    /// first posting when `lo` is 0, else entered at `lo` by jumping over
    /// blocks ([`Self::advance`] on a new cursor); left at `hi`.
    ///
    /// # Errors
    /// `Err(detail)` when the list is malformed up to `hi`.
    pub(crate) fn each_batch_in(
        &self,
        lo: u32,
        hi: u32,
        f: impl FnMut(&[u32], &[u32]),
    ) -> Result<(), String> {
        use crate::postings::{decode_batched_until, Resume};
        if lo == 0 {
            return decode_batched_until(
                self.bytes,
                self.df,
                self.num_docs,
                None,
                Resume::START,
                hi,
                f,
            );
        }
        let mut c = Cursor::new(self.bytes, self.blocks, self.df, self.num_docs)?;
        c.advance(lo)?;
        if c.doc >= hi {
            return Ok(());
        }
        let from = Resume {
            pos: c.pos,
            read: c.read,
            doc: c.doc,
        };
        decode_batched_until(
            self.bytes,
            self.df,
            self.num_docs,
            Some((c.doc, c.tf)),
            from,
            hi,
            f,
        )
    }

    /// The number of postings of the list.
    pub(crate) fn df(&self) -> u32 {
        self.df
    }

    /// `(largest tf, smallest length)` over the whole list, when it has
    /// block maxima.
    pub(crate) fn list_max(&self) -> Option<(u32, u32)> {
        if self.blocks.is_empty() {
            return None;
        }
        let mut out = (0u32, u32::MAX);
        let mut b = 0;
        while let Some(e) = entry(self.blocks, b) {
            out = (out.0.max(e.max_tf), out.1.min(e.min_dl));
            b += 1;
        }
        Some(out)
    }

    /// Moves to the next posting.
    ///
    /// # Errors
    /// `Err(detail)` when the list is malformed.
    #[inline]
    pub(crate) fn next(&mut self) -> Result<(), String> {
        if self.read > 0 && self.read < self.df {
            if let Some((len, doc, tf)) = short(self.bytes, self.pos, self.doc, self.num_docs) {
                self.pos += len;
                self.read += 1;
                self.doc = doc;
                self.tf = tf;
                return Ok(());
            }
        }
        self.next_long()
    }

    /// [`Self::next`] for any posting (and the end of the list).
    fn next_long(&mut self) -> Result<(), String> {
        if self.read >= self.df {
            if self.doc != NO_DOC && self.pos != self.bytes.len() {
                return Err("trailing bytes after postings".into());
            }
            self.doc = NO_DOC;
            return Ok(());
        }
        // The common posting: one byte, tf 1.
        if let Some(&b) = self.bytes.get(self.pos) {
            if b & 0x81 == 1 {
                return self.step(u32::from(b >> 1), 1, 1);
            }
        }
        let mut r = ByteReader::new(&self.bytes[self.pos.min(self.bytes.len())..]);
        let v = r.varint().ok_or("postings truncated")?;
        let tf = if v & 1 == 1 {
            1
        } else {
            match r.varint_u32() {
                Some(tf) if tf > 1 => tf,
                _ => return Err("postings: bad term frequency".into()),
            }
        };
        let delta = u32::try_from(v >> 1).map_err(|_| "postings: doc out of range")?;
        self.step(delta, tf, r.offset())
    }

    /// Moves to the posting `delta` after the current one with `tf`, whose
    /// bytes were `len`.
    fn step(&mut self, delta: u32, tf: u32, len: usize) -> Result<(), String> {
        let doc = if self.read == 0 {
            delta
        } else if delta == 0 {
            return Err("postings doc ids not increasing".into());
        } else {
            self.doc
                .checked_add(delta)
                .ok_or("postings: doc out of range")?
        };
        if doc >= self.num_docs {
            return Err(format!("posting ({doc}, tf {tf}) out of range"));
        }
        self.pos += len;
        self.read += 1;
        self.doc = doc;
        self.tf = tf;
        Ok(())
    }

    /// The block of the current posting.
    fn block(&self) -> usize {
        (self.read.saturating_sub(1) / BLOCK) as usize
    }

    /// Moves to the first posting whose doc is at least `target` (jumping
    /// over blocks that end before it).
    ///
    /// # Errors
    /// `Err(detail)` when the list or its block maxima are malformed.
    pub(crate) fn advance(&mut self, target: u32) -> Result<(), String> {
        if self.doc >= target {
            return Ok(());
        }
        if !self.blocks.is_empty() {
            let here = self.block();
            let mut b = self.hint(here, target);
            loop {
                let Some(e) = entry(self.blocks, b) else {
                    // Past the last block: nothing is left.
                    self.read = self.df;
                    self.pos = self.bytes.len();
                    self.doc = NO_DOC;
                    return Ok(());
                };
                if e.last >= target {
                    break;
                }
                b += 1;
            }
            if b > here {
                let prev = entry(self.blocks, b - 1).ok_or("block maxima out of range")?;
                let pos = prev.end as usize;
                let read = u32::try_from(b)
                    .ok()
                    .and_then(|b| b.checked_mul(BLOCK))
                    .filter(|&r| r < self.df)
                    .ok_or("block maxima out of range")?;
                if pos > self.bytes.len() || prev.last < self.doc || prev.last >= self.num_docs {
                    return Err("block maxima out of range".into());
                }
                self.pos = pos;
                self.read = read;
                self.doc = prev.last;
                self.next()?;
            }
        }
        self.scan_to(target)
    }

    /// Moves forward posting by posting to the first doc at least `target`:
    /// the short postings ([`short`]) are decoded here, in registers;
    /// anything else (the first posting, a longer one, the end, or a
    /// malformed one, which is then reported) by [`Self::next_long`].
    ///
    /// # Errors
    /// `Err(detail)` when the list is malformed.
    fn scan_to(&mut self, target: u32) -> Result<(), String> {
        let (bytes, df, num_docs) = (self.bytes, self.df, self.num_docs);
        loop {
            let (mut pos, mut read, mut doc, mut tf) = (self.pos, self.read, self.doc, self.tf);
            while doc < target && read > 0 && read < df {
                let Some((len, next, t)) = short(bytes, pos, doc, num_docs) else {
                    break;
                };
                (pos, read, doc, tf) = (pos + len, read + 1, next, t);
            }
            (self.pos, self.read, self.doc, self.tf) = (pos, read, doc, tf);
            if self.doc >= target {
                return Ok(());
            }
            self.next_long()?;
        }
    }

    /// The index and entry of the block holding the current posting
    /// (`None`: no block maxima, or no posting left).
    pub(crate) fn current_block(&self) -> Option<(usize, BlockMax)> {
        if self.blocks.is_empty() || self.doc == NO_DOC {
            return None;
        }
        let b = self.block();
        entry(self.blocks, b).map(|e| (b, e))
    }

    /// The entry of the block holding the first posting at or after
    /// `target`, without decoding (`None`: no block maxima, or no posting
    /// left).
    pub(crate) fn block_max_at(&mut self, target: u32) -> Option<BlockMax> {
        if self.blocks.is_empty() || self.doc == NO_DOC {
            return None;
        }
        let target = target.max(self.doc);
        let mut b = self.hint(self.block(), target);
        loop {
            let e = entry(self.blocks, b)?;
            if e.last >= target {
                self.probe = (b, target);
                return Some(e);
            }
            b += 1;
        }
    }

    /// Where to start looking for the first block whose last doc is at
    /// least `target`, from block `from`: the last probe's block when its
    /// target was no larger (every block before it ends before that target,
    /// so before `target` too).
    fn hint(&self, from: usize, target: u32) -> usize {
        if target >= self.probe.1 {
            from.max(self.probe.0)
        } else {
            from
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::postings::{decode_postings, put_posting};

    fn list(docs: &[(u32, u32)]) -> Vec<u8> {
        let mut b = Vec::new();
        let mut prev = 0;
        for &(d, tf) in docs {
            put_posting(&mut b, d - prev, tf);
            prev = d;
        }
        b
    }

    /// The postings of doc gaps and tfs (the first doc at its gap - 1).
    fn from_gaps(gaps: &[(u32, u32)]) -> Vec<(u32, u32)> {
        let mut d = 0u32;
        let mut docs = Vec::with_capacity(gaps.len());
        for (i, &(g, tf)) in gaps.iter().enumerate() {
            d += if i == 0 { g - 1 } else { g };
            docs.push((d, tf));
        }
        docs
    }

    #[test]
    fn cursor_skips_blocks_and_agrees_with_a_scan() {
        let n = 5000u32;
        let docs: Vec<(u32, u32)> = (0..n)
            .filter(|d| d % 3 != 1)
            .map(|d| (d, 1 + d % 5))
            .collect();
        let lengths: Vec<u32> = (0..n).map(|d| 10 + d % 97).collect();
        let bytes = list(&docs);
        let df = docs.len() as u32;
        let mut w = BlockMaxWriter::default();
        w.term(7, &bytes, df, &lengths);
        let section = w.finish();
        let blocks = entries_of(&section, 7, df).unwrap();
        assert_eq!(blocks.len(), df.div_ceil(BLOCK) as usize * ENTRY);
        assert!(entries_of(&section, 8, df).is_err());
        assert!(entries_of(&section, 8, 10).unwrap().is_empty());
        let mut c = Cursor::new(&bytes, blocks, df, n).unwrap();
        assert_eq!(c.list_max(), Some((5, 10)));
        for target in [0, 1, 2, 400, 401, 1000, 3999, 4998, 4999] {
            c.advance(target).unwrap();
            let want = docs.iter().find(|e| e.0 >= target).copied();
            assert_eq!(want.map_or(NO_DOC, |e| e.0), c.doc, "target {target}");
            if let Some(w) = want {
                assert_eq!(w.1, c.tf);
                let bm = c.block_max_at(target).unwrap();
                assert!(bm.max_tf >= c.tf && bm.min_dl <= lengths[c.doc as usize]);
                assert!(bm.last >= c.doc);
            }
        }
        c.advance(n).unwrap();
        assert_eq!(c.doc, NO_DOC);
        // Without block maxima, the same walk.
        let mut plain = Cursor::new(&bytes, &[], df, n).unwrap();
        plain.advance(3999).unwrap();
        assert_eq!(plain.doc, 3999);
        assert!(
            Cursor::new(&bytes, blocks, df, 10).is_err() || {
                let mut c = Cursor::new(&bytes, blocks, df, 10).unwrap();
                c.advance(4000).is_err()
            }
        );
    }

    proptest! {
        /// The hint reads nothing it should not: any bytes, ordinals and
        /// dfs (directories too short, counts past the end) end the
        /// searches without a panic.
        #[test]
        fn prefetch_of_entries_takes_any_bytes(
            sections in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..80), 1..4),
            asks in prop::collection::vec((0usize..4, any::<u64>(), any::<u32>()), 0..8),
        ) {
            let asks: Vec<(&[u8], u64, u32)> = asks
                .iter()
                .map(|&(i, ord, df)| (sections[i % sections.len()].as_slice(), ord, df.max(MIN_DF)))
                .collect();
            prefetch_entries_of(&asks);
        }
    }

    proptest! {
        /// `next` and `advance` (short postings decoded in place, long ones
        /// and block jumps apart) walk the list the plain decoder reads,
        /// with or without block maxima, whatever the deltas and tfs.
        #[test]
        fn cursor_walks_what_the_decoder_reads(
            gaps in prop::collection::vec((1u32..300, prop_oneof![Just(1u32), 2u32..5, 100u32..200]), 1..700),
            targets in prop::collection::vec(0u32..400, 1..40),
        ) {
            let docs = from_gaps(&gaps);
            let d = docs.last().map_or(0, |e| e.0);
            let n = d + 1;
            let bytes = list(&docs);
            let df = docs.len() as u32;
            let mut want = Vec::new();
            decode_postings(&bytes, df, n, |d, tf| want.push((d, tf))).unwrap();
            prop_assert_eq!(&want, &docs);
            let lengths: Vec<u32> = (0..n).map(|d| 1 + d % 13).collect();
            let mut w = BlockMaxWriter::default();
            w.term(0, &bytes, df, &lengths);
            let section = w.finish();
            let blocks = entries_of(&section, 0, df).unwrap();
            for blocks in [blocks, &[][..]] {
                let mut c = Cursor::new(&bytes, blocks, df, n).unwrap();
                let mut walked = Vec::new();
                while c.doc != NO_DOC {
                    walked.push((c.doc, c.tf));
                    c.next().unwrap();
                }
                prop_assert_eq!(&walked, &docs);
                let mut c = Cursor::new(&bytes, blocks, df, n).unwrap();
                let mut target = 0u32;
                for &step in &targets {
                    target = target.saturating_add(step);
                    c.advance(target).unwrap();
                    let at = docs.iter().find(|e| e.0 >= target).copied();
                    prop_assert_eq!(at.map_or(NO_DOC, |e| e.0), c.doc);
                    if let Some(e) = at {
                        prop_assert_eq!(e.1, c.tf);
                    }
                }
            }
        }
    }

    proptest! {
        /// `each_batch_in` hands over exactly the postings of docs
        /// `lo..hi`, in order, in batches, with or without block maxima
        /// (entered by a block jump or a scan), and at `lo` 0 and `hi`
        /// past the last doc, the whole list.
        #[test]
        fn batches_in_a_range_are_the_range_of_the_list(
            gaps in prop::collection::vec((1u32..300, prop_oneof![Just(1u32), 2u32..5, 100u32..200]), 1..700),
            lo in 0u32..60_000,
            width in 0u32..60_000,
        ) {
            let docs = from_gaps(&gaps);
            let d = docs.last().map_or(0, |e| e.0);
            let n = d + 1;
            let bytes = list(&docs);
            let df = docs.len() as u32;
            let lengths: Vec<u32> = (0..n).map(|d| 1 + d % 13).collect();
            let mut w = BlockMaxWriter::default();
            w.term(0, &bytes, df, &lengths);
            let section = w.finish();
            let blocks = entries_of(&section, 0, df).unwrap();
            let lo = lo % (n + 2);
            let hi = lo.saturating_add(width);
            for blocks in [blocks, &[][..]] {
                let c = Cursor::new(&bytes, blocks, df, n).unwrap();
                for (lo, hi) in [(lo, hi), (0, hi), (lo, u32::MAX), (0, u32::MAX)] {
                    let mut got = Vec::new();
                    c.each_batch_in(lo, hi, |ds, ts| {
                        assert!(!ds.is_empty() && ds.len() <= crate::postings::BATCH);
                        got.extend(ds.iter().copied().zip(ts.iter().copied()));
                    }).unwrap();
                    let want: Vec<(u32, u32)> =
                        docs.iter().copied().filter(|e| (lo..hi).contains(&e.0)).collect();
                    prop_assert_eq!(&got, &want, "lo {} hi {}", lo, hi);
                }
            }
            // A malformed tail is an error only when the range reaches it.
            let mut bad = bytes.clone();
            bad.push(0x80);
            let c = Cursor::new(&bad, &[], df, n).unwrap();
            let whole = c.each_batch_in(0, u32::MAX, |_, _| ());
            let before_last = c.each_batch_in(0, d, |_, _| ());
            prop_assert!(whole.is_err() && before_last.is_ok());
        }
    }

    /// Malformed short postings are errors, whether read by `next` or on
    /// the way of an `advance`, never a wrong doc or a panic.
    #[test]
    fn cursor_reports_malformed_short_postings() {
        // (doc 0, tf 1), then: a zero delta; a tf of 1 written out; a doc
        // past the end.
        for tail in [&[0x01u8][..], &[0x02, 0x01], &[0x02, 0x00], &[0x15]] {
            let mut bytes = vec![0x01u8, 0x03];
            bytes.extend_from_slice(tail);
            let mut c = Cursor::new(&bytes, &[], 3, 8).unwrap();
            c.next().unwrap();
            assert_eq!(c.doc, 1);
            assert!(c.next().is_err(), "next over {tail:?}");
            let mut c = Cursor::new(&bytes, &[], 3, 8).unwrap();
            assert!(c.advance(7).is_err(), "advance over {tail:?}");
        }
    }
}
