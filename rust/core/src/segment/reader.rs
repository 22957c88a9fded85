//! Reading a segment: the file is mapped, its header checked at open, and
//! each section verified on first use (a term block's infos, postings and
//! positions each once per reader, a stored block before it is
//! decompressed).

use std::path::Path;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, OnceLock};

use memmap2::Mmap;

use super::blockmax::{entries_of, Cursor};
use super::blocks::BlockEntry;
use super::stemdf;
use super::stored::{path_ref, StoredDoc, StoredKey};
use super::{
    section, BLOCK_ENTRY, BLOCK_MAXIMA, INFO_OK, NUM_SECTIONS, POST_OK, POS_OK, SEGMENT_MAGIC,
    STEM_UNIONS, STORED_BLOCK, STORED_DATA, STORED_ENTRY, STORED_INDEX, TERM_BLOCK,
};
use crate::container::{self, u64_at, Container};
use crate::error::{Error, Result};
use crate::postings::{
    decode_positions, decode_postings, decode_postings_batched, prefetch, ByteReader,
};
use crate::schema::Field;

/// The lines of a term block's infos [`SegmentReader::prefetch_infos`] asks
/// for: a block's infos are a few bytes a term, 64 terms.
const PREFETCH_INFO_LINES: usize = 4;

mod phrase;

/// A term's entry in a segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TermInfo {
    /// Its block, the block's postings and positions ranges and CRC-32s.
    block: usize,
    post_block: (usize, usize),
    prox_block: (usize, usize),
    post_crc: u32,
    prox_crc: u32,
    /// Its own postings and positions ranges (within the blocks').
    postings: (usize, usize),
    positions: (usize, usize),
    /// The number of docs of the segment (deleted or not) with the term.
    pub(crate) df: u32,
}

/// The bytes of a section inside a shared mapping (what `fst` reads).
#[derive(Clone)]
pub(crate) struct MapBytes {
    mmap: Arc<Mmap>,
    start: usize,
    end: usize,
}

impl AsRef<[u8]> for MapBytes {
    fn as_ref(&self) -> &[u8] {
        &self.mmap[self.start..self.end]
    }
}

/// A stored block, decompressed on first use.
type StoredBlockCell = OnceLock<Box<[u8]>>;

/// The last stored block [`SegmentReader::stored_once`] decompressed, and
/// which (the caller's segment number, the block number).
#[derive(Default)]
pub(crate) struct BlockScratch {
    at: Option<(usize, usize)>,
    raw: Vec<u8>,
}

/// A read-only segment: its mapping and lazily verified sections.
pub(crate) struct SegmentReader {
    c: Container,
    fsts: [OnceLock<std::result::Result<fst::Map<MapBytes>, String>>; 6],
    stem_fsts: [OnceLock<std::result::Result<fst::Map<MapBytes>, String>>; 6],
    union_fsts: [OnceLock<std::result::Result<fst::Map<MapBytes>, String>>; 6],
    /// Per field and term block: which of its streams were verified
    /// ([`INFO_OK`], [`POST_OK`], [`POS_OK`]), allocated on first use.
    verified: [OnceLock<Box<[AtomicU8]>>; 6],
    /// Decompressed stored blocks, on first use.
    stored_blocks: OnceLock<Box<[StoredBlockCell]>>,
}

impl std::fmt::Debug for SegmentReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SegmentReader")
            .field("path", &self.c.path())
            .finish_non_exhaustive()
    }
}

impl SegmentReader {
    /// Opens a segment file, checking its header (not its sections).
    ///
    /// # Errors
    /// [`Error::Io`] (`NotFound` when it has gone) or [`Error::Format`].
    pub(crate) fn open(path: &Path, expected_len: Option<u64>) -> Result<SegmentReader> {
        let c = Container::open(path, SEGMENT_MAGIC, expected_len)?;
        if c.num_sections() != NUM_SECTIONS {
            return Err(c.error(format!(
                "{} sections, expected {NUM_SECTIONS}",
                c.num_sections()
            )));
        }
        let n = c.count() as usize;
        for f in Field::ALL {
            let blocks = c.section_len(section(f, 6))?;
            if c.section_len(section(f, 4))? != n * 4 || blocks % BLOCK_ENTRY != 0 || blocks == 0 {
                return Err(c.error(format!("field {}: bad section sizes", f.as_str())));
            }
        }
        if c.section_len(STORED_INDEX)? != (n.div_ceil(STORED_BLOCK) + 1) * STORED_ENTRY {
            return Err(c.error("bad stored index size"));
        }
        Ok(SegmentReader {
            c,
            fsts: Default::default(),
            stem_fsts: Default::default(),
            union_fsts: Default::default(),
            verified: Default::default(),
            stored_blocks: OnceLock::new(),
        })
    }

    /// The number of docs (deleted included).
    pub(crate) fn num_docs(&self) -> u32 {
        self.c.count()
    }

    /// The header checksum.
    pub(crate) fn header_crc(&self) -> u32 {
        self.c.header_crc()
    }

    /// The mapping.
    pub(crate) fn mmap(&self) -> &Arc<Mmap> {
        self.c.mmap()
    }

    /// A field's term dictionary (checked on first use).
    pub(crate) fn dict(&self, f: Field) -> Result<&fst::Map<MapBytes>> {
        self.fst_section(&self.fsts[f.index()], section(f, 0), "term dictionary")
    }

    /// A field's stem map (checked on first use).
    pub(crate) fn stems(&self, f: Field) -> Result<&fst::Map<MapBytes>> {
        self.fst_section(&self.stem_fsts[f.index()], section(f, 5), "stem map")
    }

    /// A field's stem-union map (stem key → union df; checked on first use).
    ///
    /// # Errors
    /// [`Error::Format`] when the section is corrupt.
    pub(crate) fn union_map(&self, f: Field) -> Result<&fst::Map<MapBytes>> {
        self.fst_section(
            &self.union_fsts[f.index()],
            STEM_UNIONS + f.index(),
            "stem unions",
        )
    }

    /// Union df `df` of stem key `key`, read from [`Self::union_map`], when
    /// it is one (at most the segment's docs).
    ///
    /// # Errors
    /// [`Error::Format`] when it is not.
    pub(crate) fn union_checked(&self, df: u64, key: &str) -> Result<u32> {
        stemdf::check(df, self.num_docs(), key).map_err(|d| self.c.error(d))
    }

    /// Asks for the term-block index entries of the blocks of terms `ords`
    /// of field `f` to be brought in: a hint, before [`Self::prefetch_infos`]
    /// and [`Self::infos_at`] (nothing for a bad section or ordinal).
    pub(crate) fn prefetch_entries(&self, f: Field, ords: &[u64]) {
        let Ok(index) = self.c.section_unchecked(section(f, 6)) else {
            return;
        };
        for &ord in ords {
            let b = usize::try_from(ord).map_or(usize::MAX, |o| o / TERM_BLOCK);
            prefetch(index, b.saturating_mul(BLOCK_ENTRY));
            prefetch(index, b.saturating_add(1).saturating_mul(BLOCK_ENTRY));
        }
    }

    /// Asks for the infos of the blocks of terms `ords` of field `f` to be
    /// brought in (their first lines): a hint, as [`Self::prefetch_entries`].
    pub(crate) fn prefetch_infos(&self, f: Field, ords: &[u64]) {
        let (Ok(index), Ok(infos)) = (
            self.c.section_unchecked(section(f, 6)),
            self.c.section_unchecked(section(f, 1)),
        ) else {
            return;
        };
        for &ord in ords {
            let b = usize::try_from(ord).map_or(usize::MAX, |o| o / TERM_BLOCK);
            if let Some(at) = BlockEntry::at(index, b).and_then(|e| usize::try_from(e.info).ok()) {
                for line in 0..PREFETCH_INFO_LINES {
                    prefetch(infos, at.saturating_add(line * 64));
                }
            }
        }
    }

    fn fst_section<'s>(
        &'s self,
        cell: &'s OnceLock<std::result::Result<fst::Map<MapBytes>, String>>,
        i: usize,
        what: &str,
    ) -> Result<&'s fst::Map<MapBytes>> {
        let map = cell.get_or_init(|| {
            self.c.section(i).map_err(Error::into_detail)?;
            let start = self.c.section_offset(i).map_err(Error::into_detail)?;
            let len = self.c.section_len(i).map_err(Error::into_detail)?;
            let bytes = MapBytes {
                mmap: Arc::clone(self.c.mmap()),
                start,
                end: start + len,
            };
            fst::Map::new(bytes).map_err(|e| format!("{what}: {e}"))
        });
        map.as_ref()
            .map_err(|d| Error::format(self.c.path(), d.clone()))
    }

    /// Checks `bytes`, stream `flag` of term block `b` of field `f` (in
    /// section `i`), against `crc`, once per reader.
    fn verify_block(
        &self,
        f: Field,
        b: usize,
        flag: u8,
        i: usize,
        bytes: &[u8],
        crc: u32,
    ) -> Result<()> {
        let flags = self.verified[f.index()].get_or_init(|| {
            let n = self.c.section_len(section(f, 6)).unwrap_or(0) / BLOCK_ENTRY;
            (0..n).map(|_| AtomicU8::new(0)).collect()
        });
        let cell = flags
            .get(b)
            .ok_or_else(|| self.c.error(format!("section {i}: block {b} out of range")))?;
        if cell.load(Ordering::Relaxed) & flag != 0 {
            return Ok(());
        }
        if container::crc_ok(bytes, crc) {
            cell.fetch_or(flag, Ordering::Relaxed);
            Ok(())
        } else {
            Err(self
                .c
                .error(format!("section {i}: block {b}: checksum mismatch")))
        }
    }

    /// Checks the checksum of every section of the file, block sections
    /// included (a whole section's checksum covers its blocks).
    ///
    /// # Errors
    /// [`Error::Format`] at the first section that does not match.
    pub(crate) fn verify(&self) -> Result<()> {
        self.c.verify_all()
    }

    /// The info of a term by ordinal: found in its block of the term-block
    /// index, whose term infos are verified (once) before they are decoded.
    pub(crate) fn info_at(&self, f: Field, ord: u64) -> Result<TermInfo> {
        let out_of_range = || self.c.error(format!("term ordinal {ord} out of range"));
        let ord = usize::try_from(ord).map_err(|_| out_of_range())?;
        let mut out = None;
        self.block_infos(f, ord / TERM_BLOCK, &[ord % TERM_BLOCK], |_, info| {
            out = Some(info);
        })?;
        out.ok_or_else(out_of_range)
    }

    /// The infos of terms by ordinal, in the order of `ords`: [`Self::info_at`]
    /// of each, with each term block decoded once for the terms in it.
    ///
    /// # Errors
    /// [`Error::Format`] when a section is corrupt or an ordinal out of range.
    pub(crate) fn infos_at(&self, f: Field, ords: &[u64]) -> Result<Vec<TermInfo>> {
        let out_of_range = |ord: u64| self.c.error(format!("term ordinal {ord} out of range"));
        let mut order: Vec<(usize, usize)> = Vec::with_capacity(ords.len());
        for (i, &ord) in ords.iter().enumerate() {
            order.push((usize::try_from(ord).map_err(|_| out_of_range(ord))?, i));
        }
        order.sort_unstable();
        let mut out: Vec<Option<TermInfo>> = vec![None; ords.len()];
        let mut ks: Vec<usize> = Vec::with_capacity(ords.len());
        for run in order.chunk_by(|a, b| a.0 / TERM_BLOCK == b.0 / TERM_BLOCK) {
            ks.clear();
            ks.extend(run.iter().map(|&(ord, _)| ord % TERM_BLOCK));
            self.block_infos(f, run[0].0 / TERM_BLOCK, &ks, |j, info| {
                out[run[j].1] = Some(info);
            })?;
        }
        ords.iter()
            .zip(out)
            .map(|(&ord, info)| info.ok_or_else(|| out_of_range(ord)))
            .collect()
    }

    /// Calls `g(j, info)` with the info of the `ks[j]`-th term of term
    /// block `block` of field `f`, for each `j` (`ks` ascending; a block or
    /// a `k` past the field's terms gets no call).
    fn block_infos(
        &self,
        f: Field,
        block: usize,
        ks: &[usize],
        mut g: impl FnMut(usize, TermInfo),
    ) -> Result<()> {
        let index = self.c.section(section(f, 6))?;
        let Some(&last) = ks.last() else {
            return Ok(());
        };
        let (Some(entry), Some(next)) = (
            BlockEntry::at(index, block),
            BlockEntry::at(index, block.wrapping_add(1)),
        ) else {
            return Ok(());
        };
        let bad = || {
            self.c
                .error(format!("term block {block}: offsets out of range"))
        };
        let range = |from: u64, to: u64, len: usize| -> Result<(usize, usize)> {
            match (usize::try_from(from), usize::try_from(to)) {
                (Ok(from), Ok(to)) if from <= to && to <= len => Ok((from, to)),
                _ => Err(bad()),
            }
        };
        let infos = self.c.section_unchecked(section(f, 1))?;
        let (info_start, info_end) = range(entry.info, next.info, infos.len())?;
        let post_block = range(entry.post, next.post, self.c.section_len(section(f, 2))?)?;
        let prox_block = range(entry.pos, next.pos, self.c.section_len(section(f, 3))?)?;
        let bytes = &infos[info_start..info_end];
        self.verify_block(f, block, INFO_OK, section(f, 1), bytes, entry.info_crc)?;
        let mut reader = ByteReader::new(bytes);
        let (mut post_at, mut prox_at) = (post_block.0, prox_block.0);
        let mut j = 0usize;
        for i in 0..=last {
            let (Some(df), Some(post_len), Some(prox_len)) =
                (reader.varint_u32(), reader.varint(), reader.varint())
            else {
                return Ok(());
            };
            let end = |at: usize, len: u64, limit: usize| {
                usize::try_from(len)
                    .ok()
                    .and_then(|l| at.checked_add(l))
                    .filter(|&e| e <= limit)
            };
            let (Some(post_end), Some(prox_end)) = (
                end(post_at, post_len, post_block.1),
                end(prox_at, prox_len, prox_block.1),
            ) else {
                return Err(bad());
            };
            while ks.get(j) == Some(&i) {
                g(
                    j,
                    TermInfo {
                        block,
                        post_block,
                        prox_block,
                        post_crc: entry.post_crc,
                        prox_crc: entry.prox_crc,
                        postings: (post_at, post_end),
                        positions: (prox_at, prox_end),
                        df,
                    },
                );
                j += 1;
            }
            (post_at, prox_at) = (post_end, prox_end);
        }
        Ok(())
    }

    /// The bytes of a term's postings (`positions` false) or positions,
    /// their block verified first (once).
    fn list(&self, f: Field, info: &TermInfo, positions: bool) -> Result<&[u8]> {
        let (which, flag, block, crc, list) = if positions {
            (3, POS_OK, info.prox_block, info.prox_crc, info.positions)
        } else {
            (2, POST_OK, info.post_block, info.post_crc, info.postings)
        };
        let sec_i = section(f, which);
        let sec = self.c.section_unchecked(sec_i)?;
        // Both ranges lie within the section (checked by `info_at`).
        self.verify_block(f, info.block, flag, sec_i, &sec[block.0..block.1], crc)?;
        Ok(&sec[list.0..list.1])
    }

    /// A cursor on a term's postings (by ordinal) with its block maxima,
    /// given its info ([`Self::info_at`]).
    ///
    /// # Errors
    /// [`Error::Format`] when a section is corrupt.
    pub(crate) fn cursor_at(&self, f: Field, ord: u64, info: &TermInfo) -> Result<Cursor<'_>> {
        let bytes = self.list(f, info, false)?;
        let maxima = self.c.section(BLOCK_MAXIMA + f.index())?;
        let blocks = entries_of(maxima, ord, info.df).map_err(|d| self.c.error(d))?;
        Cursor::new(bytes, blocks, info.df, self.num_docs()).map_err(|d| self.c.error(d))
    }

    /// The bytes [`Self::cursor_at`] reads first for a term of field `f`
    /// with info `info`: the field's block-maxima section (for
    /// [`super::prefetch_entries_of`]), and the term's postings, for a
    /// hint (`None` for a section that does not read).
    pub(crate) fn cursor_bytes(&self, f: Field, info: &TermInfo) -> Option<(&[u8], &[u8])> {
        let maxima = self.c.section_unchecked(BLOCK_MAXIMA + f.index()).ok()?;
        let postings = self.c.section_unchecked(section(f, 2)).ok()?;
        Some((maxima, postings.get(info.postings.0..info.postings.1)?))
    }

    /// A format error about this segment's file.
    pub(crate) fn error(&self, detail: String) -> Error {
        self.c.error(detail)
    }

    /// A term's info in a field, if the segment has it.
    ///
    /// # Errors
    /// [`Error::Format`] when a section is corrupt.
    pub(crate) fn term(&self, f: Field, term: &str) -> Result<Option<TermInfo>> {
        match self.dict(f)?.get(term) {
            Some(ord) => self.info_at(f, ord).map(Some),
            None => Ok(None),
        }
    }

    /// Calls `g(local, tf)` for each posting of a term.
    ///
    /// # Errors
    /// [`Error::Format`] when the postings are corrupt.
    pub(crate) fn postings(
        &self,
        f: Field,
        info: &TermInfo,
        g: impl FnMut(u32, u32),
    ) -> Result<()> {
        let bytes = self.list(f, info, false)?;
        decode_postings(bytes, info.df, self.num_docs(), g).map_err(|d| self.c.error(d))
    }

    /// [`Self::postings`], [`crate::postings::BATCH`] at a time, as
    /// `(local ids, tfs)`.
    ///
    /// # Errors
    /// [`Error::Format`] when the postings are corrupt.
    pub(crate) fn postings_batched(
        &self,
        f: Field,
        info: &TermInfo,
        g: impl FnMut(&[u32], &[u32]),
    ) -> Result<()> {
        let bytes = self.list(f, info, false)?;
        decode_postings_batched(bytes, info.df, self.num_docs(), g).map_err(|d| self.c.error(d))
    }

    /// Calls `g(local, positions)` for each posting of a term, with its positions.
    ///
    /// # Errors
    /// [`Error::Format`] when the postings or positions are corrupt.
    pub(crate) fn postings_with_positions(
        &self,
        f: Field,
        info: &TermInfo,
        mut g: impl FnMut(u32, &[u32]),
    ) -> Result<()> {
        self.for_each_positions(f, info, |d, _, positions, _| g(d, positions))
    }

    /// Calls `g(local, tf, encoded positions)` for each posting of a term.
    pub(super) fn postings_with_raw_positions<'s>(
        &'s self,
        f: Field,
        info: &TermInfo,
        mut g: impl FnMut(u32, u32, &'s [u8]),
    ) -> Result<()> {
        self.for_each_positions(f, info, |d, tf, _, raw| g(d, tf, raw))
    }

    /// Calls `g(local, tf, positions, encoded positions)` for each posting of
    /// a term, checking that the positions list holds nothing more.
    fn for_each_positions<'s>(
        &'s self,
        f: Field,
        info: &TermInfo,
        mut g: impl FnMut(u32, u32, &[u32], &'s [u8]),
    ) -> Result<()> {
        let mut docs = Vec::with_capacity(info.df as usize);
        self.postings(f, info, |d, tf| docs.push((d, tf)))?;
        let pos = self.list(f, info, true)?;
        let mut r = ByteReader::new(pos);
        let mut buf = Vec::new();
        for (d, tf) in docs {
            let start = r.offset();
            buf.clear();
            decode_positions(&mut r, tf, &mut buf).map_err(|e| self.c.error(e))?;
            g(d, tf, &buf, &pos[start..r.offset()]);
        }
        if r.is_empty() {
            Ok(())
        } else {
            Err(self.c.error("trailing bytes after positions"))
        }
    }

    /// Drops this process's mapped pages of the file (they are read again
    /// from the page cache on the next access), so that reading a whole
    /// segment once does not keep it resident.
    pub(crate) fn release_pages(&self) {
        #[cfg(unix)]
        {
            // SAFETY: the mapping is a read-only shared mapping of an
            // immutable file: MADV_DONTNEED only drops this process's page
            // table entries, and the next access maps the same bytes again.
            let _ = unsafe {
                self.c
                    .mmap()
                    .unchecked_advise(memmap2::UncheckedAdvice::DontNeed)
            };
        }
    }

    /// The length column of a field (one `u32` per local doc), borrowed from the map.
    ///
    /// # Errors
    /// [`Error::Format`] when the section is corrupt.
    pub(crate) fn lengths(&self, f: Field) -> Result<&[u32]> {
        self.c.u32_column(section(f, 4), self.num_docs() as usize)
    }

    /// Stored block `b` decompressed (not cached): its compressed bytes are
    /// checked against their CRC-32 first.
    pub(super) fn stored_block(&self, b: usize) -> Result<Vec<u8>> {
        let mut raw = Vec::new();
        self.stored_block_into(b, &mut raw)?;
        Ok(raw)
    }

    /// [`Self::stored_block`] into `raw` (its allocation reused).
    fn stored_block_into(&self, b: usize, raw: &mut Vec<u8>) -> Result<()> {
        let index = self.c.section(STORED_INDEX)?;
        let data = self.c.section_unchecked(STORED_DATA)?;
        let entry = |b: usize| {
            let at = b.checked_mul(STORED_ENTRY)?;
            let off = usize::try_from(u64_at(index, b.checked_mul(2)?)?).ok()?;
            let w = |i: usize| {
                index
                    .get(at + i..at + i + 4)
                    .and_then(|b| b.try_into().ok())
                    .map(u32::from_le_bytes)
            };
            Some((off, w(8)? as usize, w(12)?))
        };
        let (Some((a, raw_len, crc)), Some((z, _, _))) = (entry(b), entry(b.wrapping_add(1)))
        else {
            return Err(self.c.error(format!("stored block {b} out of range")));
        };
        if a > z || z > data.len() || raw_len > (z - a).saturating_mul(255) + 16 {
            return Err(self.c.error(format!("stored block {b}: bad offsets")));
        }
        let comp = &data[a..z];
        if !container::crc_ok(comp, crc) {
            return Err(self.c.error(format!("stored block {b}: checksum mismatch")));
        }
        raw.clear();
        raw.resize(raw_len, 0);
        match lz4_flex::block::decompress_into(comp, raw) {
            Ok(n) if n == raw_len => Ok(()),
            _ => {
                raw.clear();
                Err(self.c.error(format!("stored block {b}: cannot decompress")))
            }
        }
    }

    /// The record of doc `local` within its decompressed block.
    pub(super) fn record_in<'b>(&self, block: &'b [u8], local: u32) -> Result<&'b [u8]> {
        let i = local as usize;
        let count = (self.num_docs() as usize - i / STORED_BLOCK * STORED_BLOCK).min(STORED_BLOCK);
        let k = i % STORED_BLOCK;
        let rec = (|| {
            let mut r = ByteReader::new(block);
            let mut start = 0usize;
            let mut len = 0usize;
            for j in 0..count {
                let l = usize::try_from(r.varint()?).ok()?;
                if j < k {
                    start = start.checked_add(l)?;
                } else if j == k {
                    len = l;
                }
            }
            let at = r.offset().checked_add(start)?;
            block.get(at..at.checked_add(len)?)
        })();
        rec.ok_or_else(|| self.c.error(format!("stored doc {local}: malformed block")))
    }

    /// The stored record of a doc (its block decompressed and cached on
    /// first use).
    pub(crate) fn stored_raw(&self, local: u32) -> Result<&[u8]> {
        let b = self.stored_block_of(local)?;
        let blocks = self.stored_blocks.get_or_init(|| {
            (0..(self.num_docs() as usize).div_ceil(STORED_BLOCK))
                .map(|_| OnceLock::new())
                .collect()
        });
        // `b` < the number of blocks since `local` < num_docs.
        let cell = &blocks[b];
        let block = if let Some(block) = cell.get() {
            block
        } else {
            let raw = self.stored_block(b)?;
            cell.get_or_init(|| raw.into_boxed_slice())
        };
        self.record_in(block, local)
    }

    /// The stored fields of a doc, read once: from the segment's cached
    /// block when it has it, else from `scratch`, which keeps the last block
    /// it decompressed (`seg` names this segment to it) instead of the
    /// segment's cache, so that a pass over many docs keeps no blocks.
    ///
    /// # Errors
    /// [`Error::Format`] when the block or the record is corrupt.
    pub(crate) fn stored_once(
        &self,
        seg: usize,
        local: u32,
        scratch: &mut BlockScratch,
    ) -> Result<StoredDoc> {
        let b = self.stored_block_of(local)?;
        let cached = self
            .stored_blocks
            .get()
            .and_then(|blocks| blocks.get(b))
            .and_then(OnceLock::get);
        let block: &[u8] = if let Some(block) = cached {
            block
        } else {
            if scratch.at != Some((seg, b)) {
                scratch.at = None;
                self.stored_block_into(b, &mut scratch.raw)?;
                scratch.at = Some((seg, b));
            }
            &scratch.raw
        };
        self.decode_stored(local, self.record_in(block, local)?)
    }

    /// How many stored blocks the segment has decompressed and kept.
    #[cfg(test)]
    pub(super) fn cached_blocks(&self) -> usize {
        self.stored_blocks
            .get()
            .map_or(0, |b| b.iter().filter(|c| c.get().is_some()).count())
    }

    /// The path, absolute path, hash and problem count of a doc, without
    /// decoding the rest of its record.
    ///
    /// # Errors
    /// [`Error::Format`] when the record is corrupt.
    pub(crate) fn stored_key(&self, local: u32) -> Result<StoredKey<'_>> {
        let rec = self.stored_raw(local)?;
        let mut r = ByteReader::new(rec);
        let key = (|| {
            let path = r.string()?;
            r.len_prefixed()?;
            r.len_prefixed()?;
            let abs_path = path_ref(r.len_prefixed()?)?;
            let hash = r.u64_le()?;
            let problems = r.varint()?;
            Some(StoredKey {
                path,
                abs_path,
                hash,
                problems,
            })
        })();
        key.ok_or_else(|| {
            self.c
                .error(format!("stored doc {local}: malformed record"))
        })
    }

    /// The stored fields of a doc.
    ///
    /// # Errors
    /// [`Error::Format`] when the record is corrupt.
    pub(crate) fn stored(&self, local: u32) -> Result<StoredDoc> {
        self.decode_stored(local, self.stored_raw(local)?)
    }

    /// The stored block that holds doc `local`'s record.
    fn stored_block_of(&self, local: u32) -> Result<usize> {
        if local >= self.num_docs() {
            return Err(self.c.error(format!("stored doc {local} out of range")));
        }
        Ok(local as usize / STORED_BLOCK)
    }

    /// Doc `local`'s record decoded.
    fn decode_stored(&self, local: u32, rec: &[u8]) -> Result<StoredDoc> {
        StoredDoc::decode(rec).ok_or_else(|| {
            self.c
                .error(format!("stored doc {local}: malformed record"))
        })
    }
}
