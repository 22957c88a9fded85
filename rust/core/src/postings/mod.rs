//! Postings encoding (SPEC.md §10): LEB128 varints, doc-id deltas
//! with term frequencies, and position deltas.
//!
//! A term's postings are, for each of its `df` docs, the varint
//! `(doc − previous doc) << 1 | (tf == 1)` (the first delta is from 0),
//! followed by `varint(tf)` only when `tf > 1`. Its positions, in a separate
//! section so that scoring never decodes them, are for each posting in the
//! same order `tf` varints: the first position, then the gaps. Decoding is
//! bounds-checked: a malformed stream is an error, never a panic.
//!
//! The stem maps beside the term dictionaries are built and ranged by the
//! `stem` submodule ([`stem_entries`], [`stem_range`]).
//!
//! Layering: `postings` reads `analysis` (stem keys); `segment`, `index` and
//! `search` read it.

mod phrase;
mod stem;
mod walk;

pub(crate) use phrase::DocTerms;
pub(crate) use stem::{stem_entries, stem_entries_by, stem_entry, stem_range};
pub(crate) use walk::{walk_in_turns, Walk};

/// Appends `v` as an unsigned LEB128 varint.
pub(crate) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// The varint at `pos` in `bytes` and the position after it; `None` when
/// truncated or longer than 64 bits.
#[inline]
fn varint_at(bytes: &[u8], pos: usize) -> Option<(u64, usize)> {
    // Most varints (doc deltas, term frequencies, lengths) are one byte,
    // and most others two (the gaps of a long list's rarer docs).
    match bytes.get(pos) {
        Some(&b) if b < 0x80 => Some((u64::from(b), pos + 1)),
        Some(&b) => match bytes.get(pos + 1) {
            Some(&c) if c < 0x80 => Some((u64::from(b & 0x7f) | u64::from(c) << 7, pos + 2)),
            _ => varint_at_slow(bytes, pos),
        },
        None => None,
    }
}

/// [`varint_at`] of two bytes or more (or none).
#[inline(never)]
fn varint_at_slow(bytes: &[u8], mut pos: usize) -> Option<(u64, usize)> {
    let mut v: u64 = 0;
    let mut shift = 0u32;
    loop {
        let b = *bytes.get(pos)?;
        pos += 1;
        if shift >= 64 || (shift == 63 && b > 1) {
            return None;
        }
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some((v, pos));
        }
        shift += 7;
    }
}

/// A bounds-checked reader over bytes.
#[derive(Debug)]
pub(crate) struct ByteReader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> ByteReader<'a> {
    /// A reader at the start of `bytes`.
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    /// The number of bytes read so far.
    pub(crate) fn offset(&self) -> usize {
        self.pos
    }

    /// Whether everything was read.
    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    /// The next varint; `None` when truncated or longer than 64 bits.
    #[inline]
    pub(crate) fn varint(&mut self) -> Option<u64> {
        let (v, next) = varint_at(self.bytes, self.pos)?;
        self.pos = next;
        Some(v)
    }

    /// Skips `n` varints without decoding them (the reader's own lists,
    /// well formed); `None` when the bytes end first.
    #[inline]
    pub(crate) fn skip_varints(&mut self, mut n: u64) -> Option<()> {
        while n > 0 {
            let b = *self.bytes.get(self.pos)?;
            self.pos += 1;
            n -= u64::from(b < 0x80);
        }
        Some(())
    }

    /// The next varint, which must fit a `u32`.
    #[inline]
    pub(crate) fn varint_u32(&mut self) -> Option<u32> {
        self.varint().and_then(|v| u32::try_from(v).ok())
    }

    /// The next `n` bytes.
    pub(crate) fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    /// A varint length followed by that many bytes.
    pub(crate) fn len_prefixed(&mut self) -> Option<&'a [u8]> {
        let n = usize::try_from(self.varint()?).ok()?;
        self.bytes(n)
    }

    /// A length-prefixed UTF-8 string.
    pub(crate) fn string(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.len_prefixed()?).ok()
    }

    /// A little-endian `u64`.
    pub(crate) fn u64_le(&mut self) -> Option<u64> {
        self.bytes(8)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_le_bytes)
    }
}

/// Appends a varint length and the bytes.
pub(crate) fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

/// Appends one posting: the doc delta with the `tf == 1` flag, then `tf`
/// when it is not 1.
pub(crate) fn put_posting(out: &mut Vec<u8>, delta: u32, tf: u32) {
    if tf == 1 {
        put_varint(out, u64::from(delta) << 1 | 1);
    } else {
        put_varint(out, u64::from(delta) << 1);
        put_varint(out, u64::from(tf));
    }
}

/// Calls `f(doc, tf)` for each of the `df` postings in `bytes`. Doc ids
/// must be strictly increasing (after the first) and below `num_docs`, and
/// `tf` at least 1.
///
/// # Errors
/// `Err(detail)` when the stream is malformed.
pub(crate) fn decode_postings(
    bytes: &[u8],
    df: u32,
    num_docs: u32,
    f: impl FnMut(u32, u32),
) -> Result<(), String> {
    decode_postings_until(bytes, df, num_docs, Resume::START, u32::MAX, f)
}

/// Where a decode of a list starts: at byte `pos`, after `read` postings,
/// the last of them at `doc` (ignored when `read` is 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Resume {
    pub(crate) pos: usize,
    pub(crate) read: u32,
    pub(crate) doc: u32,
}

impl Resume {
    /// The list's start.
    pub(crate) const START: Resume = Resume {
        pos: 0,
        read: 0,
        doc: 0,
    };
}

/// [`decode_postings`] from `from`, stopping before the first doc at or
/// past `hi` (its bytes and the rest are then not checked).
///
/// # Errors
/// `Err(detail)` when the stream is malformed up to there.
pub(crate) fn decode_postings_until(
    bytes: &[u8],
    df: u32,
    num_docs: u32,
    from: Resume,
    hi: u32,
    mut f: impl FnMut(u32, u32),
) -> Result<(), String> {
    // The position is kept here rather than in a `ByteReader`, so that it
    // stays in a register.
    let mut pos = from.pos;
    let mut doc: u64 = if from.read == 0 {
        0
    } else {
        u64::from(from.doc)
    };
    // One test per posting for both the end of the range and a doc out of
    // range.
    let limit = u64::from(hi.min(num_docs));
    for i in from.read..df {
        let Some((v, next)) = varint_at(bytes, pos) else {
            return Err(format!("postings truncated at entry {i}"));
        };
        pos = next;
        let delta = v >> 1;
        let tf = if v & 1 == 1 {
            1
        } else {
            let read = varint_at(bytes, pos)
                .and_then(|(tf, next)| u32::try_from(tf).ok().map(|tf| (tf, next)));
            match read {
                Some((tf, next)) if tf > 1 => {
                    pos = next;
                    tf
                }
                Some((tf, _)) => return Err(format!("posting with tf {tf} not flagged")),
                None => return Err(format!("postings truncated at entry {i}")),
            }
        };
        if i > 0 && delta == 0 {
            return Err("postings doc ids not increasing".into());
        }
        doc = doc.saturating_add(delta);
        if doc >= limit || tf == 0 {
            if doc < u64::from(num_docs) && tf != 0 {
                return Ok(());
            }
            return Err(format!("posting ({doc}, tf {tf}) out of range"));
        }
        f(doc as u32, tf);
    }
    if pos < bytes.len() {
        return Err("trailing bytes after postings".into());
    }
    Ok(())
}

/// The postings [`decode_postings_batched`] hands over at once.
pub(crate) const BATCH: usize = 64;

/// [`decode_postings`], handing the postings over `BATCH` at a time (fewer
/// in the last batch) as `(local ids, tfs)`, so that the caller can fetch
/// what each needs (its global id, length, accumulator) for the whole batch
/// before using any: the cache misses of a cold index then overlap.
///
/// # Errors
/// As [`decode_postings`]; the batches before the malformed posting were
/// handed over.
pub(crate) fn decode_postings_batched(
    bytes: &[u8],
    df: u32,
    num_docs: u32,
    f: impl FnMut(&[u32], &[u32]),
) -> Result<(), String> {
    decode_batched_until(bytes, df, num_docs, None, Resume::START, u32::MAX, f)
}

/// [`decode_postings_batched`] of [`decode_postings_until`]'s postings,
/// after `first` (a posting decoded already) when given.
///
/// # Errors
/// As [`decode_postings_until`].
pub(crate) fn decode_batched_until(
    bytes: &[u8],
    df: u32,
    num_docs: u32,
    first: Option<(u32, u32)>,
    from: Resume,
    hi: u32,
    mut f: impl FnMut(&[u32], &[u32]),
) -> Result<(), String> {
    let (mut docs, mut tfs) = ([0u32; BATCH], [0u32; BATCH]);
    let mut n = 0usize;
    if let Some((d, tf)) = first {
        (docs[0], tfs[0]) = (d, tf);
        n = 1;
    }
    let out = decode_postings_until(bytes, df, num_docs, from, hi, |d, tf| {
        docs[n] = d;
        tfs[n] = tf;
        n += 1;
        if n == BATCH {
            f(&docs, &tfs);
            n = 0;
        }
    });
    if n > 0 {
        f(&docs[..n], &tfs[..n]);
    }
    out
}

/// Indexes with fewer docs than this keep their per-doc arrays (lengths,
/// global ids, a query's sums: a few bytes per doc each) in a core's L2
/// cache, where prefetching their lines costs instructions and saves
/// nothing (measured: 5-10% slower at 3,300 docs, 3-15% faster at 128,000).
/// The crate's unit tests take the large-index paths on their small
/// indexes; its integration tests and the Python tests, the small-index ones.
#[cfg(not(test))]
pub(crate) const PREFETCH_MIN_DOCS: usize = 1 << 15;
#[cfg(test)]
pub(crate) const PREFETCH_MIN_DOCS: usize = 1;

/// Whether an index of `n_docs` docs is worth [`prefetch`]ing for.
#[inline]
pub(crate) fn worth_prefetching(n_docs: usize) -> bool {
    n_docs >= PREFETCH_MIN_DOCS
}

/// Asks the CPU to bring the cache line of `slice[i]` in (nothing when `i`
/// is out of range, or off x86-64): a hint, never a read.
#[inline]
pub(crate) fn prefetch<T>(slice: &[T], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(x) = slice.get(i) {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: SSE is part of the x86-64 baseline, and a prefetch of a
        // valid reference's address reads nothing and cannot fault.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(x).cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (slice, i);
}

/// Decodes `tf` positions (first, then gaps) from `r` into `out`.
///
/// # Errors
/// `Err(detail)` when the stream is truncated or a position overflows.
pub(crate) fn decode_positions(
    r: &mut ByteReader<'_>,
    tf: u32,
    out: &mut Vec<u32>,
) -> Result<(), String> {
    decode_positions_until(r, tf, u64::MAX, out)
        .map(|_| ())
        .map_err(str::to_owned)
}

/// Decodes positions (first, then gaps) of a list of `tf` from `r` into
/// `out`, stopping after the first one above `until`: the number decoded.
///
/// # Errors
/// `Err(detail)` when the stream is truncated or a position overflows.
pub(crate) fn decode_positions_until(
    r: &mut ByteReader<'_>,
    tf: u32,
    until: u64,
    out: &mut Vec<u32>,
) -> Result<u32, &'static str> {
    // Each position takes at least one byte.
    out.reserve((tf as usize).min(r.bytes.len().saturating_sub(r.pos)));
    // The first position is a gap from 0.
    let mut pos: u64 = 0;
    let mut n = 0u32;
    while n < tf {
        // The common gaps: one or two bytes.
        let gap = match r.bytes.get(r.pos..r.pos + 2) {
            Some(&[b, _]) if b < 0x80 => {
                r.pos += 1;
                u64::from(b)
            }
            Some(&[b, c]) if c < 0x80 => {
                r.pos += 2;
                u64::from(b & 0x7f) | u64::from(c) << 7
            }
            _ => r.varint_u32().ok_or("positions truncated")?.into(),
        };
        pos += gap;
        let p = u32::try_from(pos).map_err(|_| "position overflow")?;
        out.push(p);
        n += 1;
        if pos > until {
            break;
        }
    }
    Ok(n)
}

/// Encodes positions (ascending) as the first then the gaps.
pub(crate) fn put_positions(out: &mut Vec<u8>, positions: &[u32]) {
    let mut prev = 0;
    for (i, &p) in positions.iter().enumerate() {
        put_varint(out, u64::from(if i == 0 { p } else { p - prev }));
        prev = p;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_roundtrip() {
        let mut b = Vec::new();
        for v in [0u64, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            put_varint(&mut b, v);
        }
        let mut r = ByteReader::new(&b);
        for v in [0u64, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            assert_eq!(r.varint(), Some(v));
        }
        assert!(r.is_empty());
        assert_eq!(r.varint(), None);
        assert_eq!(ByteReader::new(&[0xff; 11]).varint(), None);
    }

    #[test]
    fn skipped_varints_end_where_read_ones_do() {
        let vs = [
            0u64,
            1,
            127,
            128,
            300,
            16_384,
            u64::from(u32::MAX),
            u64::MAX,
        ];
        let mut b = Vec::new();
        for v in vs {
            put_varint(&mut b, v);
        }
        for n in 0..=vs.len() {
            let (mut read, mut skipped) = (ByteReader::new(&b), ByteReader::new(&b));
            for _ in 0..n {
                read.varint();
            }
            assert_eq!(skipped.skip_varints(n as u64), Some(()));
            assert_eq!(skipped.offset(), read.offset(), "{n}");
        }
        assert_eq!(ByteReader::new(&b).skip_varints(vs.len() as u64 + 1), None);
        assert_eq!(ByteReader::new(&[0x80, 0x80]).skip_varints(1), None);
    }

    #[test]
    fn postings_roundtrip_and_reject_garbage() {
        let mut b = Vec::new();
        let mut prev = 0;
        for (d, tf) in [(0u32, 1u32), (3, 2), (9, 1)] {
            put_posting(&mut b, d - prev, tf);
            prev = d;
        }
        assert_eq!(b, [1, 6, 2, 13]);
        let mut got = Vec::new();
        decode_postings(&b, 3, 10, |d, tf| got.push((d, tf))).unwrap();
        assert_eq!(got, [(0, 1), (3, 2), (9, 1)]);
        assert!(decode_postings(&b, 3, 9, |_, _| {}).is_err());
        assert!(decode_postings(&b, 4, 10, |_, _| {}).is_err());
        assert!(decode_postings(&b, 2, 10, |_, _| {}).is_err());
        let mut p = Vec::new();
        put_positions(&mut p, &[2, 5, 40]);
        let mut out = Vec::new();
        decode_positions(&mut ByteReader::new(&p), 3, &mut out).unwrap();
        assert_eq!(out, [2, 5, 40]);
        assert!(decode_positions(&mut ByteReader::new(&p), 4, &mut out).is_err());
    }

    /// The batches hold the postings `decode_postings` gives, in order, all
    /// of them full but the last; a malformed list is the same error, after
    /// the full batches before the malformed posting.
    #[test]
    fn batches_are_the_postings_in_order() {
        for n in [0u32, 1, 63, 64, 65, 128, 200] {
            let mut b = Vec::new();
            for i in 0..n {
                put_posting(&mut b, u32::from(i > 0) * (1 + i % 3), 1 + i % 4);
            }
            let num_docs = 4 * n + 1;
            let mut want = Vec::new();
            decode_postings(&b, n, num_docs, |d, tf| want.push((d, tf))).unwrap();
            let (mut got, mut sizes) = (Vec::new(), Vec::new());
            decode_postings_batched(&b, n, num_docs, |ds, ts| {
                assert_eq!(ds.len(), ts.len());
                sizes.push(ds.len());
                got.extend(ds.iter().copied().zip(ts.iter().copied()));
            })
            .unwrap();
            assert_eq!(got, want, "{n} postings");
            assert_eq!(sizes.iter().sum::<usize>(), n as usize);
            if let Some((last, full)) = sizes.split_last() {
                assert!(full.iter().all(|&s| s == BATCH) && (1..=BATCH).contains(last));
            }
            // One posting more than the list holds: truncated.
            let mut seen = 0;
            let err = decode_postings_batched(&b, n + 1, num_docs, |ds, _| seen += ds.len());
            assert_eq!(err, decode_postings(&b, n + 1, num_docs, |_, _| {}));
            assert!(err.is_err());
            assert_eq!(seen, n as usize);
        }
    }

    #[test]
    fn prefetch_out_of_range_is_nothing() {
        let v = [1u32, 2, 3];
        prefetch(&v, 0);
        prefetch(&v, 3);
        prefetch(&v, usize::MAX);
        prefetch::<u64>(&[], 0);
        assert_eq!(v, [1, 2, 3]);
    }
}
