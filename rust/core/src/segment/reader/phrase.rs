//! The docs of a phrase's candidates in one segment (SPEC.md §5): the
//! postings of its distinct terms are walked together, rarest first, and
//! positions are decoded only for the docs holding every term. The
//! positions of the docs passed over are never decoded: each walk counts
//! their varints and jumps over them when it next reads positions, so every
//! list is read at most once.

use super::{SegmentReader, TermInfo};
use crate::error::Result;
use crate::postings::{decode_positions_until, ByteReader, DocTerms};
use crate::schema::Field;

/// A walk's result: the error is a detail for [`crate::Error::Format`].
type Decoded<T> = std::result::Result<T, &'static str>;

/// The doc of an exhausted walk (local ids are below `num_docs`, so below
/// this).
const DONE: u32 = u32::MAX;

/// One term's postings and positions, walked in doc order.
struct Walk<'a> {
    post: &'a [u8],
    at: usize,
    /// Postings not read yet.
    left: u32,
    df: u32,
    num_docs: u32,
    /// The current doc ([`DONE`] when exhausted) and its term frequency.
    doc: u32,
    tf: u32,
    prox: &'a [u8],
    prox_at: usize,
    /// The number of position varints from `prox_at` to the current doc's
    /// positions (those of the docs passed over).
    skip: u64,
    /// The current doc's positions not decoded yet.
    unread: u32,
}

impl<'a> Walk<'a> {
    /// A walk on the first posting of a list of `df` postings.
    fn new(post: &'a [u8], prox: &'a [u8], df: u32, num_docs: u32) -> Decoded<Self> {
        let mut w = Walk {
            post,
            at: 0,
            left: df,
            df,
            num_docs,
            doc: 0,
            tf: 0,
            prox,
            prox_at: 0,
            skip: 0,
            unread: 0,
        };
        w.next()?;
        Ok(w)
    }

    /// Moves to the next posting (its bytes checked as
    /// [`crate::postings::decode_postings`] does).
    // Inlined into `seek`, its one hot caller (measured: 5% fewer
    // instructions per phrase than a call per posting).
    #[allow(clippy::inline_always)]
    #[inline(always)]
    fn next(&mut self) -> Decoded<()> {
        self.skip += u64::from(self.unread);
        self.unread = 0;
        if self.left == 0 {
            return self.end();
        }
        let first = self.left == self.df;
        self.left -= 1;
        // The common postings: tf 1 in one byte, or a one-byte delta and tf.
        let (delta, tf) = match self.post.get(self.at..self.at + 2) {
            Some(&[b, _]) if b & 0x81 == 1 => {
                self.at += 1;
                (u32::from(b >> 1), 1)
            }
            Some(&[b, c]) if b & 0x81 == 0 && c < 0x80 && c > 1 => {
                self.at += 2;
                (u32::from(b >> 1), u32::from(c))
            }
            _ => self.slow_posting()?,
        };
        let doc = if first {
            delta
        } else if delta == 0 {
            return Err("postings doc ids not increasing");
        } else {
            self.doc
                .checked_add(delta)
                .ok_or("postings: doc out of range")?
        };
        if doc >= self.num_docs {
            return Err("posting out of range");
        }
        self.doc = doc;
        self.tf = tf;
        self.unread = tf;
        Ok(())
    }

    /// Past the last posting: the list must end there.
    #[cold]
    fn end(&mut self) -> Decoded<()> {
        if self.doc != DONE && self.at != self.post.len() {
            return Err("trailing bytes after postings");
        }
        self.doc = DONE;
        Ok(())
    }

    /// Reads a posting of any length: `(delta, tf)`.
    #[inline(never)]
    fn slow_posting(&mut self) -> Decoded<(u32, u32)> {
        let mut r = ByteReader::new(self.post.get(self.at..).unwrap_or_default());
        let v = r.varint().ok_or("postings truncated")?;
        let tf = if v & 1 == 1 {
            1
        } else {
            match r.varint_u32() {
                Some(tf) if tf > 1 => tf,
                Some(_) => return Err("posting with tf 1 not flagged"),
                None => return Err("postings truncated"),
            }
        };
        self.at += r.offset();
        let delta = u32::try_from(v >> 1).map_err(|_| "postings: doc out of range")?;
        Ok((delta, tf))
    }

    /// Moves to the first posting whose doc is at least `target`.
    #[inline]
    fn seek(&mut self, target: u32) -> Decoded<()> {
        while self.doc < target {
            self.next()?;
        }
        Ok(())
    }

    /// Appends the current doc's positions to `out`, up to the first one
    /// above `until` (once per doc: the rest are passed over).
    fn read(&mut self, until: u64, out: &mut Vec<u32>) -> Decoded<()> {
        if self.skip > 0 {
            self.prox_at =
                skip_varints(self.prox, self.prox_at, self.skip).ok_or("positions truncated")?;
            self.skip = 0;
        }
        let mut r = ByteReader::new(self.prox.get(self.prox_at..).unwrap_or_default());
        let n = decode_positions_until(&mut r, self.unread, until, out)?;
        self.prox_at += r.offset();
        self.unread -= n;
        Ok(())
    }
}

/// The walks of a phrase's terms, all on the same doc, in a segment.
struct OnDoc<'w, 'a> {
    walks: &'w mut [Walk<'a>],
    seg: &'w SegmentReader,
}

impl DocTerms for OnDoc<'_, '_> {
    fn tf(&self, j: usize) -> u32 {
        self.walks.get(j).map_or(0, |w| w.tf)
    }

    fn positions(&mut self, j: usize, until: u64, out: &mut Vec<u32>) -> Result<()> {
        match self.walks.get_mut(j) {
            Some(w) => w
                .read(until, out)
                .map_err(|d| self.seg.c.error(d.to_owned())),
            None => Ok(()),
        }
    }
}

impl SegmentReader {
    /// Calls `g(local, terms)` for each doc of local id in `docs` holding
    /// every term of `infos` (distinct terms of field `f`) that `want`s it,
    /// `terms` giving the terms' frequencies and positions there (term `j`
    /// is `infos[j]`). Only the positions `g` asks for are decoded: the
    /// walks reach `docs.start` by decoding the postings before it, and
    /// pass over their positions without decoding them.
    ///
    /// # Errors
    /// [`crate::Error::Format`] when the postings or positions are corrupt,
    /// or the first error of `g`.
    pub(crate) fn phrase_docs(
        &self,
        f: Field,
        infos: &[TermInfo],
        docs: std::ops::Range<u32>,
        want: impl Fn(u32) -> bool,
        mut g: impl FnMut(u32, &mut dyn DocTerms) -> Result<()>,
    ) -> Result<()> {
        let mut walks = Vec::with_capacity(infos.len());
        for info in infos {
            let post = self.list(f, info, false)?;
            let prox = self.list(f, info, true)?;
            let walk = Walk::new(post, prox, info.df, self.num_docs());
            walks.push(walk.map_err(|d| self.c.error(d.to_owned()))?);
        }
        // The rarest term leads; every doc of the phrase is one of its.
        let mut order: Vec<usize> = (0..walks.len()).collect();
        order.sort_by_key(|&j| walks[j].df);
        let Some((&lead, rest)) = order.split_first() else {
            return Ok(());
        };
        let bad = |d: &str| self.c.error(d.to_owned());
        walks[lead].seek(docs.start).map_err(bad)?;
        'docs: loop {
            let doc = walks[lead].doc;
            if doc == DONE || doc >= docs.end {
                return Ok(());
            }
            for &j in rest {
                walks[j].seek(doc).map_err(bad)?;
                let at = walks[j].doc;
                if at != doc {
                    if at == DONE {
                        return Ok(());
                    }
                    walks[lead].seek(at).map_err(bad)?;
                    continue 'docs;
                }
            }
            if want(doc) {
                g(
                    doc,
                    &mut OnDoc {
                        walks: &mut walks,
                        seg: self,
                    },
                )?;
            }
            walks[lead].next().map_err(bad)?;
        }
    }
}

/// The offset after `n` varints of `bytes` from `at` (`None`: truncated),
/// eight bytes at a time while eight remain.
fn skip_varints(bytes: &[u8], at: usize, n: u64) -> Option<usize> {
    const LOW: u64 = 0x0101_0101_0101_0101;
    let mut left = n;
    let rest = bytes.get(at..)?;
    let mut words = rest.chunks_exact(8);
    let mut i = at;
    for w in words.by_ref() {
        if left == 0 {
            return Some(i);
        }
        // A varint ends at each byte whose high bit is clear: one bit
        // per byte, summed into the top byte by the multiplication.
        let w = u64::from_le_bytes(w.try_into().ok()?);
        let ends = !(w >> 7) & LOW;
        let count = ends.wrapping_mul(LOW) >> 56;
        if count < left {
            left -= count;
            i += 8;
            continue;
        }
        // The `left`-th end is in this word: drop the ends before it.
        let mut ends = ends;
        for _ in 1..left {
            ends &= ends - 1;
        }
        return Some(i + (ends.trailing_zeros() / 8) as usize + 1);
    }
    for &b in words.remainder() {
        if left == 0 {
            break;
        }
        i += 1;
        if b & 0x80 == 0 {
            left -= 1;
        }
    }
    (left == 0).then_some(i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::postings::put_varint;

    #[test]
    fn skip_varints_agrees_with_a_byte_scan() {
        let mut b = Vec::new();
        let values: Vec<u64> = (0..300u64).map(|i| (i * 7919) % (1 << (i % 30))).collect();
        let mut ends = vec![0usize];
        for &v in &values {
            put_varint(&mut b, v);
            ends.push(b.len());
        }
        for from in [0usize, 1, 5, 17, 100] {
            for n in 0..(values.len() - from) {
                assert_eq!(skip_varints(&b, ends[from], n as u64), Some(ends[from + n]));
            }
            assert_eq!(
                skip_varints(&b, ends[from], (values.len() - from + 1) as u64),
                None
            );
        }
    }
}
