//! Segments (ARCHITECTURE.md §10): immutable files holding the inverted
//! index, the field lengths and the stored fields of a set of docs.
//!
//! A segment is a [`crate::container`] file (magic `SPSEGMT1`, count = its
//! number of docs) with 44 sections: for each field `f` in schema order,
//! `7f + 0` the term dictionary (an `fst` map, term → term ordinal),
//! `7f + 1` the term infos (per term `varint(df)`, `varint(postings
//! length)`, `varint(positions length)`), `7f + 2` the postings, `7f + 3`
//! the positions (see [`crate::postings`]), `7f + 4` the doc lengths (`u32`
//! per local doc id), `7f + 5` the stem map (an `fst` map, `stem key \0
//! term` → term ordinal, for the terms that are not their own stem key),
//! `7f + 6` the term-block index (terms in blocks of [`TERM_BLOCK`]
//! ordinals: per block the offsets of its postings, positions and term
//! infos and a CRC-32 of each of the three, then a sentinel entry); then
//! `42` the stored-block index and `43` the stored records, in
//! LZ4-compressed blocks of [`STORED_BLOCK`] docs with a CRC-32 each. A
//! block's term infos, postings and positions are each verified once per
//! reader before any of their bytes are decoded, a stored block before it
//! is decompressed, the other sections whole on first use.
//!
//! Docs are numbered locally from 0; the doc map of the commit
//! ([`crate::docmap`]) gives each its global id or marks it deleted.

use std::fs::File;
use std::io::{BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, OnceLock};

use memmap2::Mmap;
use rustc_hash::FxHashMap;

use crate::analysis::{analyze_fields, FieldTokens};
use crate::container::{u64_at, Container, ContainerWriter};
use crate::error::{Error, Result};
use crate::postings::{
    decode_positions, decode_postings, put_bytes, put_positions, put_posting, put_varint,
    stem_entries, ByteReader,
};
use crate::problem::Problem;
use crate::schema::Field;
use crate::spec::DocMeta;
use crate::spec::Spec;

/// The magic bytes of a segment file.
pub(crate) const SEGMENT_MAGIC: &[u8; 8] = b"SPSEGMT1";

const SECTIONS_PER_FIELD: usize = 7;
const STORED_INDEX: usize = 42;
const STORED_DATA: usize = 43;
const NUM_SECTIONS: usize = 44;
/// Terms per term-info block.
const TERM_BLOCK: usize = 64;
/// Bytes per entry of a term-block index.
const BLOCK_ENTRY: usize = 40;
/// Records per stored block.
const STORED_BLOCK: usize = 16;
/// Bytes per entry of the stored-block index.
const STORED_ENTRY: usize = 16;
/// Per-block verification flags: term infos, postings, positions.
const INFO_OK: u8 = 1;
const POST_OK: u8 = 2;
const POS_OK: u8 = 4;

/// What a segment stores per doc besides the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StoredDoc {
    /// Path, name, description.
    pub(crate) meta: DocMeta,
    /// The absolute path of the file (for snippets and change detection).
    pub(crate) abs_path: PathBuf,
    /// xxh3-64 of the file's bytes.
    pub(crate) hash: u64,
    /// The file's problems, in order.
    pub(crate) problems: Vec<Problem>,
}

#[cfg(unix)]
fn path_bytes(p: &Path) -> &[u8] {
    use std::os::unix::ffi::OsStrExt;
    p.as_os_str().as_bytes()
}

#[cfg(not(unix))]
fn path_bytes(p: &Path) -> &[u8] {
    p.to_str().map_or(&[], str::as_bytes)
}

#[cfg(unix)]
#[allow(clippy::unnecessary_wraps)] // `None` for non-UTF-8 elsewhere
fn path_ref(b: &[u8]) -> Option<&Path> {
    use std::os::unix::ffi::OsStrExt;
    Some(Path::new(std::ffi::OsStr::from_bytes(b)))
}

#[cfg(not(unix))]
fn path_ref(b: &[u8]) -> Option<&Path> {
    std::str::from_utf8(b).ok().map(Path::new)
}

/// What change detection needs of a stored doc, borrowed from the map.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StoredKey<'a> {
    /// The doc path.
    pub(crate) path: &'a str,
    /// The absolute file path.
    pub(crate) abs_path: &'a Path,
    /// xxh3-64 of the file's bytes.
    pub(crate) hash: u64,
    /// How many problems the record holds.
    pub(crate) problems: u64,
}

#[cfg(unix)]
fn path_from_bytes(b: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(b))
}

#[cfg(not(unix))]
fn path_from_bytes(b: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(b).into_owned())
}

impl StoredDoc {
    /// Appends the record.
    fn encode(&self, out: &mut Vec<u8>) {
        put_bytes(out, self.meta.path.as_bytes());
        put_bytes(out, self.meta.name.as_bytes());
        put_bytes(out, self.meta.description.as_bytes());
        put_bytes(out, path_bytes(&self.abs_path));
        out.extend_from_slice(&self.hash.to_le_bytes());
        put_varint(out, self.problems.len() as u64);
        for p in &self.problems {
            put_bytes(out, p.path.as_bytes());
            put_varint(out, p.line.map_or(0, |l| u64::from(l) + 1));
            put_bytes(out, p.message.as_bytes());
        }
    }

    fn decode(b: &[u8]) -> Option<StoredDoc> {
        let mut r = ByteReader::new(b);
        let path = r.string()?.to_owned();
        let name = r.string()?.to_owned();
        let description = r.string()?.to_owned();
        let abs_path = path_from_bytes(r.len_prefixed()?);
        let hash = r.u64_le()?;
        let n = r.varint()?;
        let mut problems = Vec::new();
        for _ in 0..n {
            let path = r.string()?.to_owned();
            let line = match r.varint()? {
                0 => None,
                l => Some(u32::try_from(l - 1).ok()?),
            };
            let message = r.string()?.to_owned();
            problems.push(Problem {
                path,
                line,
                message,
            });
        }
        r.is_empty().then_some(StoredDoc {
            meta: DocMeta {
                path,
                name,
                description,
            },
            abs_path,
            hash,
            problems,
        })
    }
}

/// One analyzed file, ready for a [`SegmentBuilder`].
#[derive(Debug)]
pub(crate) struct DiskDoc {
    /// Its stored fields.
    pub(crate) stored: StoredDoc,
    /// Its analyzed fields, in schema order.
    pub(crate) fields: [FieldTokens; 6],
}

impl DiskDoc {
    /// Analyzes a parsed spec.
    pub(crate) fn new(stored: StoredDoc, spec: &Spec) -> DiskDoc {
        DiskDoc {
            stored,
            fields: analyze_fields(spec),
        }
    }
}

/// The per-block start offsets and CRC-32s of one of a field's term
/// streams (term infos, postings or positions), fed term by term.
#[derive(Default)]
struct BlockStream {
    starts: Vec<u64>,
    crcs: Vec<u32>,
    hasher: crc32fast::Hasher,
    terms: usize,
    at: u64,
}

impl BlockStream {
    /// Starts the next term (and a new block every [`TERM_BLOCK`] terms).
    fn term(&mut self) {
        if self.terms.is_multiple_of(TERM_BLOCK) {
            if self.terms > 0 {
                self.crcs.push(std::mem::take(&mut self.hasher).finalize());
            }
            self.starts.push(self.at);
        }
        self.terms += 1;
    }

    /// Appends bytes of the current term.
    fn bytes(&mut self, b: &[u8]) {
        self.hasher.update(b);
        self.at += b.len() as u64;
    }

    /// The blocks' start offsets (with the end as a sentinel) and CRC-32s.
    fn finish(mut self) -> (Vec<u64>, Vec<u32>) {
        if self.terms > 0 {
            self.crcs.push(self.hasher.finalize());
        }
        self.starts.push(self.at);
        (self.starts, self.crcs)
    }
}

/// A field's term-block index (section `7f + 6`) from its three streams:
/// per block `u64` postings offset, `u64` positions offset, `u64` term-info
/// offset, `u32` CRC-32 of the block's term infos, of its postings and of
/// its positions, `u32` 0; then a sentinel entry holding the ends (CRCs 0).
fn block_index(infos: BlockStream, post: BlockStream, pos: BlockStream) -> Vec<u8> {
    let (info_at, info_crc) = infos.finish();
    let (post_at, post_crc) = post.finish();
    let (prox_at, prox_crc) = pos.finish();
    let mut out = Vec::with_capacity(info_at.len() * BLOCK_ENTRY);
    for b in 0..info_at.len() {
        for v in [post_at[b], prox_at[b], info_at[b]] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [info_crc.get(b), post_crc.get(b), prox_crc.get(b), None] {
            out.extend_from_slice(&v.copied().unwrap_or(0).to_le_bytes());
        }
    }
    out
}

/// Appends a term's info: `varint(df)`, `varint(postings length)`,
/// `varint(positions length)`.
fn put_info(out: &mut Vec<u8>, df: u32, post_len: u64, prox_len: u64) {
    put_varint(out, u64::from(df));
    put_varint(out, post_len);
    put_varint(out, prox_len);
}

/// One entry of a term-block index.
#[derive(Clone, Copy, Debug)]
struct BlockEntry {
    post: u64,
    pos: u64,
    info: u64,
    info_crc: u32,
    post_crc: u32,
    prox_crc: u32,
}

impl BlockEntry {
    fn at(index: &[u8], b: usize) -> Option<BlockEntry> {
        let e = index
            .get(b.checked_mul(BLOCK_ENTRY)?..)?
            .get(..BLOCK_ENTRY)?;
        let w = |i: usize| {
            e.get(i..i + 4)
                .and_then(|b| b.try_into().ok())
                .map(u32::from_le_bytes)
        };
        Some(BlockEntry {
            post: u64_at(e, 0)?,
            pos: u64_at(e, 1)?,
            info: u64_at(e, 2)?,
            info_crc: w(24)?,
            post_crc: w(28)?,
            prox_crc: w(32)?,
        })
    }
}

/// Buffers stored records into blocks of [`STORED_BLOCK`], each LZ4-compressed
/// when it fills; the caller writes the compressed blocks in order.
#[derive(Default)]
struct StoredWriter {
    /// The current block: varint record lengths, then the records.
    lens: Vec<u8>,
    recs: Vec<u8>,
    count: usize,
    /// The block index so far (see [`SegmentReader::stored_block`]).
    index: Vec<u8>,
    /// Compressed bytes handed out so far.
    at: u64,
}

impl StoredWriter {
    /// Adds a record written by `encode`; returns a compressed block when
    /// one is complete.
    fn push(&mut self, encode: impl FnOnce(&mut Vec<u8>)) -> Option<Vec<u8>> {
        let start = self.recs.len();
        encode(&mut self.recs);
        put_varint(&mut self.lens, (self.recs.len() - start) as u64);
        self.count += 1;
        (self.count == STORED_BLOCK).then(|| self.flush())
    }

    fn flush(&mut self) -> Vec<u8> {
        self.lens.extend_from_slice(&self.recs);
        let comp = lz4_flex::block::compress(&self.lens);
        self.index.extend_from_slice(&self.at.to_le_bytes());
        self.index
            .extend_from_slice(&(self.lens.len() as u32).to_le_bytes());
        self.index
            .extend_from_slice(&crc32fast::hash(&comp).to_le_bytes());
        self.at += comp.len() as u64;
        self.lens.clear();
        self.recs.clear();
        self.count = 0;
        comp
    }

    /// The last (partial) block, if any, and the block index with its sentinel.
    fn finish(mut self) -> (Option<Vec<u8>>, Vec<u8>) {
        let last = (self.count > 0).then(|| self.flush());
        self.index.extend_from_slice(&self.at.to_le_bytes());
        self.index.extend_from_slice(&[0; 8]);
        (last, self.index)
    }

    /// Heap bytes held.
    fn heap(&self) -> usize {
        heap(self.lens.capacity()) + heap(self.recs.capacity()) + heap(self.index.capacity())
    }
}

#[allow(clippy::needless_pass_by_value)] // used as `map_err(fst_error)`
fn fst_error(e: fst::Error) -> Error {
    Error::Io {
        path: PathBuf::from("<fst>"),
        source: std::io::Error::other(e.to_string()),
    }
}

/// Writes a field's term dictionary (section `7f`) from terms in byte order.
fn write_fst<'t>(
    w: &mut ContainerWriter,
    f: Field,
    terms: impl Iterator<Item = &'t [u8]>,
) -> Result<()> {
    w.begin(section(f, 0))?;
    let mut b = fst::MapBuilder::new(&mut *w).map_err(fst_error)?;
    for (ord, t) in terms.enumerate() {
        b.insert(t, ord as u64).map_err(fst_error)?;
    }
    b.finish().map_err(fst_error)?;
    w.end();
    Ok(())
}

/// Writes a field's stem map (section `7f + 5`) from sorted entries.
fn write_stems(w: &mut ContainerWriter, f: Field, entries: &[(Vec<u8>, u64)]) -> Result<()> {
    w.begin(section(f, 5))?;
    let mut b = fst::MapBuilder::new(&mut *w).map_err(fst_error)?;
    for (k, v) in entries {
        b.insert(k, *v).map_err(fst_error)?;
    }
    b.finish().map_err(fst_error)?;
    w.end();
    Ok(())
}

/// A temporary file a merge writes a section into before it is copied
/// into the segment (unnamed: it disappears when dropped).
struct Spill {
    path: PathBuf,
    out: BufWriter<File>,
    len: u64,
}

impl Spill {
    fn new(dir: &Path) -> Result<Spill> {
        let file = tempfile::tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
        Ok(Spill {
            path: dir.to_path_buf(),
            out: BufWriter::with_capacity(1 << 16, file),
            len: 0,
        })
    }

    fn put(&mut self, b: &[u8]) -> Result<()> {
        self.out
            .write_all(b)
            .map_err(|e| Error::io(&self.path, e))?;
        self.len += b.len() as u64;
        Ok(())
    }

    /// Copies the spill into section `i` of `w`.
    fn copy_into(self, w: &mut ContainerWriter, i: usize) -> Result<()> {
        let path = self.path;
        let io = |e: std::io::Error| Error::io(&path, e);
        let mut file = self.out.into_inner().map_err(|e| io(e.into_error()))?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        w.begin(i)?;
        w.copy_from(&mut BufReader::with_capacity(1 << 16, file))?;
        w.end();
        Ok(())
    }
}

impl Write for Spill {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.write_all(buf)?;
        self.len += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[derive(Default)]
struct TermBuf {
    postings: Vec<u8>,
    positions: Vec<u8>,
    last: u32,
    df: u32,
}

#[derive(Default)]
struct FieldBuilder {
    dict: FxHashMap<Box<str>, u32>,
    terms: Vec<TermBuf>,
    lengths: Vec<u32>,
}

/// The heap bytes an allocation of `cap` bytes takes (malloc rounding and header).
fn heap(cap: usize) -> usize {
    if cap == 0 {
        0
    } else {
        (cap + 8).next_multiple_of(16).max(32)
    }
}

/// Builds a segment in memory from docs added in local-id order.
#[derive(Default)]
pub(crate) struct SegmentBuilder {
    fields: [FieldBuilder; 6],
    /// The compressed stored blocks written so far.
    stored: Vec<u8>,
    stored_w: StoredWriter,
    num_docs: u32,
    /// Heap bytes of the term keys and term buffers (kept up to date by `add`).
    term_heap: usize,
}

impl SegmentBuilder {
    /// The number of docs added.
    pub(crate) fn num_docs(&self) -> u32 {
        self.num_docs
    }

    /// The memory the builder holds: its allocations' capacities.
    pub(crate) fn estimated_bytes(&self) -> usize {
        let mut n = self.term_heap + heap(self.stored.capacity()) + self.stored_w.heap();
        for fb in &self.fields {
            n += heap(fb.dict.capacity() * (std::mem::size_of::<(Box<str>, u32)>() + 1))
                + heap(fb.terms.capacity() * std::mem::size_of::<TermBuf>())
                + heap(fb.lengths.capacity() * 4);
        }
        n
    }

    /// Adds a doc; returns its local id.
    pub(crate) fn add(&mut self, doc: DiskDoc) -> u32 {
        let local = self.num_docs;
        if let Some(block) = self.stored_w.push(|out| doc.stored.encode(out)) {
            self.stored.extend_from_slice(&block);
        }
        for (fb, ft) in self.fields.iter_mut().zip(doc.fields) {
            fb.lengths.push(ft.length);
            let mut prox_at = 0usize;
            for (term, tf) in ft.terms {
                let next = fb.terms.len() as u32;
                #[allow(clippy::single_match_else)] // the miss arm inserts
                let id = match fb.dict.get(&*term) {
                    Some(&id) => id,
                    None => {
                        self.term_heap += heap(term.len());
                        fb.dict.insert(term, next);
                        fb.terms.push(TermBuf::default());
                        next
                    }
                };
                let tb = &mut fb.terms[id as usize];
                let before = heap(tb.postings.capacity()) + heap(tb.positions.capacity());
                let delta = if tb.df == 0 { local } else { local - tb.last };
                put_posting(&mut tb.postings, delta, tf);
                let end = prox_at + tf as usize;
                put_positions(&mut tb.positions, &ft.positions[prox_at..end]);
                prox_at = end;
                tb.last = local;
                tb.df += 1;
                self.term_heap += heap(tb.postings.capacity()) + heap(tb.positions.capacity());
                self.term_heap -= before;
            }
        }
        self.num_docs += 1;
        local
    }

    /// Writes the segment file at `path` (streamed, fsynced), freeing the
    /// builder's buffers as they are written; returns the file size and
    /// each field's number of terms.
    ///
    /// # Errors
    /// [`Error::Io`].
    pub(crate) fn finish(mut self, path: &Path) -> Result<(u64, [u64; 6])> {
        let mut w = ContainerWriter::create(path, NUM_SECTIONS)?;
        let mut num_terms = [0u64; 6];
        for (f, fb) in Field::ALL.into_iter().zip(std::mem::take(&mut self.fields)) {
            let FieldBuilder {
                dict,
                mut terms,
                lengths,
            } = fb;
            let mut order: Vec<(Box<str>, u32)> = dict.into_iter().collect();
            order.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            // Per term: df, postings length, positions length.
            let mut infos = vec![(0u32, 0u64, 0u64); order.len()];
            let mut post = BlockStream::default();
            w.begin(section(f, 2))?;
            for ((_, id), info) in order.iter().zip(&mut infos) {
                let tb = &mut terms[*id as usize];
                *info = (tb.df, tb.postings.len() as u64, 0);
                post.term();
                post.bytes(&tb.postings);
                w.put(&tb.postings)?;
                tb.postings = Vec::new();
            }
            let mut pos = BlockStream::default();
            w.begin(section(f, 3))?;
            for ((_, id), info) in order.iter().zip(&mut infos) {
                let tb = &mut terms[*id as usize];
                info.2 = tb.positions.len() as u64;
                pos.term();
                pos.bytes(&tb.positions);
                w.put(&tb.positions)?;
                tb.positions = Vec::new();
            }
            drop(terms);
            let mut info_stream = BlockStream::default();
            let mut bytes = Vec::with_capacity(infos.len() * 4);
            for &(df, post_len, prox_len) in &infos {
                let start = bytes.len();
                put_info(&mut bytes, df, post_len, prox_len);
                info_stream.term();
                info_stream.bytes(&bytes[start..]);
            }
            w.section(section(f, 1), &bytes)?;
            drop(bytes);
            w.section(section(f, 6), &block_index(info_stream, post, pos))?;
            write_fst(&mut w, f, order.iter().map(|(t, _)| t.as_bytes()))?;
            write_stems(&mut w, f, &stem_entries(order.iter().map(|(t, _)| &**t)))?;
            num_terms[f.index()] = order.len() as u64;
            let lens: Vec<u8> = lengths.iter().flat_map(|l| l.to_le_bytes()).collect();
            w.section(section(f, 4), &lens)?;
        }
        let (last, index) = std::mem::take(&mut self.stored_w).finish();
        if let Some(block) = last {
            self.stored.extend_from_slice(&block);
        }
        w.section(STORED_INDEX, &index)?;
        w.section(STORED_DATA, &self.stored)?;
        let len = w.finish(SEGMENT_MAGIC, self.num_docs)?;
        Ok((len, num_terms))
    }
}

/// A term's entry in a segment.
#[derive(Clone, Copy, Debug)]
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

/// A read-only segment: its mapping and lazily verified sections.
pub(crate) struct SegmentReader {
    c: Container,
    fsts: [OnceLock<std::result::Result<fst::Map<MapBytes>, String>>; 6],
    stem_fsts: [OnceLock<std::result::Result<fst::Map<MapBytes>, String>>; 6],
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

fn section(f: Field, k: usize) -> usize {
    f.index() * SECTIONS_PER_FIELD + k
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

    fn fst_section<'s>(
        &'s self,
        cell: &'s OnceLock<std::result::Result<fst::Map<MapBytes>, String>>,
        i: usize,
        what: &str,
    ) -> Result<&'s fst::Map<MapBytes>> {
        let map = cell.get_or_init(|| {
            self.c.section(i).map_err(|e| e.to_string())?;
            let start = self.c.section_offset(i).map_err(|e| e.to_string())?;
            let len = self.c.section_len(i).map_err(|e| e.to_string())?;
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
        if crc32fast::hash(bytes) == crc {
            cell.fetch_or(flag, Ordering::Relaxed);
            Ok(())
        } else {
            Err(self
                .c
                .error(format!("section {i}: block {b}: checksum mismatch")))
        }
    }

    /// The info of a term by ordinal: found in its block of the term-block
    /// index, whose term infos are verified (once) before they are decoded.
    pub(crate) fn info_at(&self, f: Field, ord: u64) -> Result<TermInfo> {
        let index = self.c.section(section(f, 6))?;
        let out_of_range = || self.c.error(format!("term ordinal {ord} out of range"));
        let ord = usize::try_from(ord).map_err(|_| out_of_range())?;
        let (block, k) = (ord / TERM_BLOCK, ord % TERM_BLOCK);
        let (Some(entry), Some(next)) = (
            BlockEntry::at(index, block),
            BlockEntry::at(index, block.wrapping_add(1)),
        ) else {
            return Err(out_of_range());
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
        for i in 0..=k {
            let (Some(df), Some(post_len), Some(prox_len)) =
                (reader.varint_u32(), reader.varint(), reader.varint())
            else {
                return Err(out_of_range());
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
            if i == k {
                return Ok(TermInfo {
                    block,
                    post_block,
                    prox_block,
                    post_crc: entry.post_crc,
                    prox_crc: entry.prox_crc,
                    postings: (post_at, post_end),
                    positions: (prox_at, prox_end),
                    df,
                });
            }
            (post_at, prox_at) = (post_end, prox_end);
        }
        Err(out_of_range())
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
    fn postings_with_raw_positions<'s>(
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
    fn stored_block(&self, b: usize) -> Result<Vec<u8>> {
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
        if crc32fast::hash(comp) != crc {
            return Err(self.c.error(format!("stored block {b}: checksum mismatch")));
        }
        match lz4_flex::block::decompress(comp, raw_len) {
            Ok(raw) if raw.len() == raw_len => Ok(raw),
            _ => Err(self.c.error(format!("stored block {b}: cannot decompress"))),
        }
    }

    /// The record of doc `local` within its decompressed block.
    fn record_in<'b>(&self, block: &'b [u8], local: u32) -> Result<&'b [u8]> {
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
        if local >= self.num_docs() {
            return Err(self.c.error(format!("stored doc {local} out of range")));
        }
        let b = local as usize / STORED_BLOCK;
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
        let rec = self.stored_raw(local)?;
        StoredDoc::decode(rec).ok_or_else(|| {
            self.c
                .error(format!("stored doc {local}: malformed record"))
        })
    }
}

/// Merges live docs of several segments into one segment file at `path`.
/// `order` lists `(segment index, local id)` of the docs to keep, in their
/// new local order. The file is streamed (a field's positions, term infos
/// and dictionary go through unnamed temporary files in the same folder),
/// and the inputs' mapped pages are released as the merge goes, so memory
/// stays bounded by the largest term's postings. Returns the file size and
/// each field's term count.
///
/// # Errors
/// [`Error::Format`] when an input segment is corrupt, [`Error::Io`].
#[allow(clippy::too_many_lines)] // one field after the other, streamed
pub(crate) fn merge(
    segs: &[Arc<SegmentReader>],
    order: &[(u32, u32)],
    path: &Path,
) -> Result<(u64, [u64; 6])> {
    use fst::Streamer;
    /// Release the inputs' pages after this many bytes were read.
    const RELEASE_EVERY: usize = 32 << 20;
    let dir = path.parent().unwrap_or(Path::new("."));
    let release = || segs.iter().for_each(|s| s.release_pages());
    let mut new_id: Vec<Vec<u32>> = segs
        .iter()
        .map(|s| vec![u32::MAX; s.num_docs() as usize])
        .collect();
    for (new, &(s, l)) in order.iter().enumerate() {
        new_id[s as usize][l as usize] = new as u32;
    }
    let mut w = ContainerWriter::create(path, NUM_SECTIONS)?;
    let mut num_terms = [0u64; 6];
    let mut read = 0usize;
    for f in Field::ALL {
        let dicts: Vec<&fst::Map<MapBytes>> =
            segs.iter().map(|s| s.dict(f)).collect::<Result<_>>()?;
        let mut op = fst::map::OpBuilder::new();
        for d in &dicts {
            op = op.add(d.stream());
        }
        let mut union = op.union();
        let mut positions = Spill::new(dir)?;
        let mut infos = Spill::new(dir)?;
        let mut dict = fst::MapBuilder::new(Spill::new(dir)?).map_err(fst_error)?;
        let mut count = 0u64;
        let mut stems: Vec<(Vec<u8>, u64)> = Vec::new();
        let mut entries: Vec<(u32, u32, &[u8])> = Vec::new();
        let (mut post, mut info_bytes) = (Vec::new(), Vec::new());
        let (mut info_stream, mut post_stream, mut prox_stream) = (
            BlockStream::default(),
            BlockStream::default(),
            BlockStream::default(),
        );
        w.begin(section(f, 2))?;
        while let Some((term, ivs)) = union.next() {
            entries.clear();
            for iv in ivs {
                let seg = &segs[iv.index];
                let map = &new_id[iv.index];
                let info = seg.info_at(f, iv.value)?;
                seg.postings_with_raw_positions(f, &info, |local, tf, raw| {
                    read += raw.len() + 4;
                    let n = map[local as usize];
                    if n != u32::MAX {
                        entries.push((n, tf, raw));
                    }
                })?;
            }
            if !entries.is_empty() {
                entries.sort_unstable_by_key(|e| e.0);
                post.clear();
                let prox_start = positions.len;
                let mut last = 0;
                prox_stream.term();
                for &(n, tf, raw) in &entries {
                    put_posting(&mut post, n - last, tf);
                    positions.put(raw)?;
                    prox_stream.bytes(raw);
                    last = n;
                }
                post_stream.term();
                post_stream.bytes(&post);
                w.put(&post)?;
                info_bytes.clear();
                put_info(
                    &mut info_bytes,
                    entries.len() as u32,
                    post.len() as u64,
                    positions.len - prox_start,
                );
                info_stream.term();
                info_stream.bytes(&info_bytes);
                infos.put(&info_bytes)?;
                dict.insert(term, count).map_err(fst_error)?;
                if let Ok(t) = std::str::from_utf8(term) {
                    let key = crate::analysis::stem_key(t);
                    if key != t {
                        let mut k = key.into_owned().into_bytes();
                        k.push(0);
                        k.extend_from_slice(term);
                        stems.push((k, count));
                    }
                }
                count += 1;
            }
            if read >= RELEASE_EVERY {
                entries.clear();
                release();
                read = 0;
            }
        }
        w.end();
        positions.copy_into(&mut w, section(f, 3))?;
        infos.copy_into(&mut w, section(f, 1))?;
        w.section(
            section(f, 6),
            &block_index(info_stream, post_stream, prox_stream),
        )?;
        dict.into_inner()
            .map_err(fst_error)?
            .copy_into(&mut w, section(f, 0))?;
        stems.sort_unstable();
        write_stems(&mut w, f, &stems)?;
        drop(stems);
        num_terms[f.index()] = count;
        let mut lengths = Vec::with_capacity(order.len() * 4);
        for &(s, l) in order {
            let col = segs[s as usize].lengths(f)?;
            lengths.extend_from_slice(&col[l as usize].to_le_bytes());
        }
        w.section(section(f, 4), &lengths)?;
    }
    // Stored records: each input block is decompressed once (not cached:
    // docs come mostly in order) and the records recompressed.
    let mut stored = StoredWriter::default();
    let mut current: Option<(u32, usize, Vec<u8>)> = None;
    w.begin(STORED_DATA)?;
    for &(s, l) in order {
        let seg = &segs[s as usize];
        let b = l as usize / STORED_BLOCK;
        let raw = match current {
            Some((cs, cb, ref raw)) if (cs, cb) == (s, b) => raw,
            _ => {
                let raw = seg.stored_block(b)?;
                read += raw.len();
                &current.insert((s, b, raw)).2
            }
        };
        let rec = seg.record_in(raw, l)?;
        if let Some(block) = stored.push(|out| out.extend_from_slice(rec)) {
            w.put(&block)?;
        }
        if read >= RELEASE_EVERY {
            release();
            read = 0;
        }
    }
    let (last, index) = stored.finish();
    if let Some(block) = last {
        w.put(&block)?;
    }
    w.end();
    w.section(STORED_INDEX, &index)?;
    release();
    let len = w.finish(SEGMENT_MAGIC, order.len() as u32)?;
    Ok((len, num_terms))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(path: &str, body: &str) -> DiskDoc {
        let spec = Spec {
            name: path.into(),
            body: body.into(),
            ..Spec::default()
        };
        let stored = StoredDoc {
            meta: DocMeta {
                path: path.into(),
                name: path.into(),
                description: String::new(),
            },
            abs_path: PathBuf::from(format!("/x/{path}")),
            hash: 42,
            problems: vec![Problem::at_line(path, 3, "bad")],
        };
        DiskDoc::new(stored, &spec)
    }

    #[test]
    fn build_read_and_merge() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = SegmentBuilder::default();
        b.add(doc("a", "x y x"));
        b.add(doc("b", "y z"));
        let p = dir.path().join("s1");
        let (len, terms) = b.finish(&p).unwrap();
        assert_eq!(terms[Field::Body.index()], 3);
        let s = Arc::new(SegmentReader::open(&p, Some(len)).unwrap());
        assert_eq!(s.lengths(Field::Body).unwrap(), [3, 2]);
        let info = s.term(Field::Body, "x").unwrap().unwrap();
        let mut got = Vec::new();
        s.postings_with_positions(Field::Body, &info, |d, p| got.push((d, p.to_vec())))
            .unwrap();
        assert_eq!(got, [(0, vec![0, 2])]);
        assert!(s.term(Field::Body, "w").unwrap().is_none());
        let st = s.stored(1).unwrap();
        assert_eq!(st.meta.path, "b");
        assert_eq!(st.problems[0].line, Some(3));

        let p2 = dir.path().join("s2");
        merge(&[Arc::clone(&s)], &[(0, 1)], &p2).unwrap();
        let m = SegmentReader::open(&p2, None).unwrap();
        assert_eq!(m.num_docs(), 1);
        assert!(m.term(Field::Body, "x").unwrap().is_none());
        let info = m.term(Field::Body, "y").unwrap().unwrap();
        let mut got = Vec::new();
        m.postings_with_positions(Field::Body, &info, |d, p| got.push((d, p.to_vec())))
            .unwrap();
        assert_eq!(got, [(0, vec![0])]);
        assert_eq!(m.stored(0).unwrap().meta.path, "b");
    }

    /// Many docs and terms: term and stored blocks span several blocks,
    /// and a merge keeps every list and record.
    #[test]
    fn blocks_across_boundaries() {
        let dir = tempfile::tempdir().unwrap();
        let mut builder = SegmentBuilder::default();
        let n = 150u32;
        for d in 0..n {
            let body: Vec<String> = (0..=d % 7)
                .map(|k| format!("w{} common", d * 3 + k))
                .collect();
            builder.add(doc(&format!("d{d:03}"), &body.join(" ")));
        }
        let path = dir.path().join("s1");
        let (len, terms) = builder.finish(&path).unwrap();
        assert!(terms[Field::Body.index()] > 3 * u64::from(TERM_BLOCK as u32));
        let s = Arc::new(SegmentReader::open(&path, Some(len)).unwrap());
        let check = |s: &SegmentReader, keep: &dyn Fn(u32) -> Option<u32>| {
            for d in 0..n {
                let Some(local) = keep(d) else { continue };
                assert_eq!(s.stored(local).unwrap().meta.path, format!("d{d:03}"));
                let info = s
                    .term(Field::Body, &format!("w{}", d * 3))
                    .unwrap()
                    .unwrap();
                let mut got = Vec::new();
                s.postings_with_positions(Field::Body, &info, |l, p| got.push((l, p.to_vec())))
                    .unwrap();
                assert!(
                    got.iter().any(|(l, p)| *l == local && p == &[0]),
                    "{d}: {got:?}"
                );
            }
            let info = s.term(Field::Body, "common").unwrap().unwrap();
            let mut tfs = Vec::new();
            s.postings(Field::Body, &info, |_, tf| tfs.push(tf))
                .unwrap();
            assert_eq!(tfs.len(), (0..n).filter(|&d| keep(d).is_some()).count());
        };
        check(&s, &Some);
        let order: Vec<(u32, u32)> = (0..n).filter(|d| d % 3 != 1).map(|d| (0, d)).collect();
        let p2 = dir.path().join("s2");
        merge(&[Arc::clone(&s)], &order, &p2).unwrap();
        let m = SegmentReader::open(&p2, None).unwrap();
        check(&m, &|d| {
            order.iter().position(|&(_, l)| l == d).map(|i| i as u32)
        });
    }
}
