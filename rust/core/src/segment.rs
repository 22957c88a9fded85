//! Segments (ARCHITECTURE.md §10): immutable files holding the inverted
//! index, the field lengths and the stored fields of a set of docs.
//!
//! A segment is a [`crate::container`] file (magic `SPSEGMT1`, count = its
//! number of docs) with 38 sections: for each field `f` in schema order,
//! `6f + 0` the term dictionary (an `fst` map, term → term ordinal),
//! `6f + 1` the term infos (40 bytes per ordinal: `u64` postings offset,
//! `u64` positions offset, `u32` postings length, `u32` positions length,
//! `u32` doc frequency, `u32` CRC-32 of the postings list, `u32` CRC-32 of
//! the positions list, `u32` CRC-32 of the 36 bytes before it),
//! `6f + 2` the postings, `6f + 3` the positions (see [`crate::postings`]),
//! `6f + 4` the doc lengths (`u32` per local doc id), `6f + 5` the stem map
//! (an `fst` map, `stem key \0 term` → term ordinal, for the terms that are
//! not their own stem key); then `36` the stored record offsets (`u64` ×
//! (docs + 1)) and `37` the stored records (each followed by its CRC-32). Term infos, lists and records are verified
//! when read, the other sections whole on first use.
//!
//! Docs are numbered locally from 0; the doc map of the commit
//! ([`crate::docmap`]) gives each its global id or marks it deleted.

use std::fs::File;
use std::io::{BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use memmap2::Mmap;
use rustc_hash::FxHashMap;

use crate::container::{u64_at, Container, ContainerWriter};
use crate::error::{Error, Result};
use crate::index::{analyze_fields, stem_entries, DocMeta, FieldTokens};
use crate::postings::{
    decode_positions, decode_postings, put_bytes, put_positions, put_varint, ByteReader,
};
use crate::problem::Problem;
use crate::schema::Field;
use crate::spec::Spec;

/// The magic bytes of a segment file.
pub(crate) const SEGMENT_MAGIC: &[u8; 8] = b"SPSEGMT1";

const SECTIONS_PER_FIELD: usize = 6;
const STORED_OFFSETS: usize = 36;
const STORED_DATA: usize = 37;
const NUM_SECTIONS: usize = 38;
const TERM_INFO: usize = 40;

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
    /// Appends the record and its CRC-32.
    fn encode(&self, out: &mut Vec<u8>) {
        let start = out.len();
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
        let crc = crc32fast::hash(&out[start..]);
        out.extend_from_slice(&crc.to_le_bytes());
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

/// A term's info record (see the module docs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct InfoRec {
    post_off: u64,
    pos_off: u64,
    post_len: u32,
    pos_len: u32,
    df: u32,
    post_crc: u32,
    pos_crc: u32,
}

impl InfoRec {
    fn put(&self, out: &mut Vec<u8>) {
        let start = out.len();
        out.extend_from_slice(&self.post_off.to_le_bytes());
        out.extend_from_slice(&self.pos_off.to_le_bytes());
        for v in [
            self.post_len,
            self.pos_len,
            self.df,
            self.post_crc,
            self.pos_crc,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        let crc = crc32fast::hash(&out[start..]);
        out.extend_from_slice(&crc.to_le_bytes());
    }

    /// Decodes a record of [`TERM_INFO`] bytes; `None` when its checksum fails.
    fn get(rec: &[u8]) -> Option<InfoRec> {
        let w = |i: usize| {
            rec.get(i..i + 4)
                .and_then(|b| b.try_into().ok())
                .map(u32::from_le_bytes)
        };
        if rec.len() != TERM_INFO || crc32fast::hash(&rec[..36]) != w(36)? {
            return None;
        }
        Some(InfoRec {
            post_off: u64_at(rec, 0)?,
            pos_off: u64_at(rec, 1)?,
            post_len: w(16)?,
            pos_len: w(20)?,
            df: w(24)?,
            post_crc: w(28)?,
            pos_crc: w(32)?,
        })
    }
}

#[allow(clippy::needless_pass_by_value)] // used as `map_err(fst_error)`
fn fst_error(e: fst::Error) -> Error {
    Error::Io {
        path: PathBuf::from("<fst>"),
        source: std::io::Error::other(e.to_string()),
    }
}

/// Writes a field's term dictionary (section `5f`) from terms in byte order.
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

/// Writes a field's stem map (section `6f + 5`) from sorted entries.
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
    stored: Vec<u8>,
    stored_offsets: Vec<u64>,
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
        let mut n = self.term_heap
            + heap(self.stored.capacity())
            + heap(self.stored_offsets.capacity() * 8);
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
        self.stored_offsets.push(self.stored.len() as u64);
        doc.stored.encode(&mut self.stored);
        for (fb, ft) in self.fields.iter_mut().zip(doc.fields) {
            fb.lengths.push(ft.length);
            let mut pos_at = 0usize;
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
                put_varint(&mut tb.postings, u64::from(delta));
                put_varint(&mut tb.postings, u64::from(tf));
                let end = pos_at + tf as usize;
                put_positions(&mut tb.positions, &ft.positions[pos_at..end]);
                pos_at = end;
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
        self.stored_offsets.push(self.stored.len() as u64);
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
            let mut infos = vec![InfoRec::default(); order.len()];
            w.begin(section(f, 2))?;
            for ((_, id), info) in order.iter().zip(&mut infos) {
                let tb = &mut terms[*id as usize];
                info.post_off = w.section_pos();
                info.post_len = tb.postings.len() as u32;
                info.post_crc = crc32fast::hash(&tb.postings);
                info.df = tb.df;
                w.put(&tb.postings)?;
                tb.postings = Vec::new();
            }
            w.begin(section(f, 3))?;
            for ((_, id), info) in order.iter().zip(&mut infos) {
                let tb = &mut terms[*id as usize];
                info.pos_off = w.section_pos();
                info.pos_len = tb.positions.len() as u32;
                info.pos_crc = crc32fast::hash(&tb.positions);
                w.put(&tb.positions)?;
                tb.positions = Vec::new();
            }
            drop(terms);
            let mut bytes = Vec::with_capacity(infos.len() * TERM_INFO);
            for i in &infos {
                i.put(&mut bytes);
            }
            w.section(section(f, 1), &bytes)?;
            drop(bytes);
            write_fst(&mut w, f, order.iter().map(|(t, _)| t.as_bytes()))?;
            write_stems(&mut w, f, &stem_entries(order.iter().map(|(t, _)| &**t)))?;
            num_terms[f.index()] = order.len() as u64;
            let lens: Vec<u8> = lengths.iter().flat_map(|l| l.to_le_bytes()).collect();
            w.section(section(f, 4), &lens)?;
        }
        let offs: Vec<u8> = self
            .stored_offsets
            .iter()
            .flat_map(|o| o.to_le_bytes())
            .collect();
        w.section(STORED_OFFSETS, &offs)?;
        w.section(STORED_DATA, &self.stored)?;
        let len = w.finish(SEGMENT_MAGIC, self.num_docs)?;
        Ok((len, num_terms))
    }
}

/// A term's entry in a segment.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TermInfo {
    postings: (usize, usize),
    positions: (usize, usize),
    post_crc: u32,
    pos_crc: u32,
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

/// A read-only segment: its mapping and lazily verified sections.
pub(crate) struct SegmentReader {
    c: Container,
    fsts: [OnceLock<std::result::Result<fst::Map<MapBytes>, String>>; 6],
    stem_fsts: [OnceLock<std::result::Result<fst::Map<MapBytes>, String>>; 6],
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
            if c.section_len(section(f, 4))? != n * 4
                || c.section_len(section(f, 1))? % TERM_INFO != 0
            {
                return Err(c.error(format!("field {}: bad section sizes", f.as_str())));
            }
        }
        if c.section_len(STORED_OFFSETS)? != (n + 1) * 8 {
            return Err(c.error("bad stored offsets size"));
        }
        Ok(SegmentReader {
            c,
            fsts: Default::default(),
            stem_fsts: Default::default(),
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

    /// The info of a term by ordinal.
    pub(crate) fn info_at(&self, f: Field, ord: u64) -> Result<TermInfo> {
        let infos = self.c.section_unchecked(section(f, 1))?;
        let at = usize::try_from(ord)
            .ok()
            .and_then(|o| o.checked_mul(TERM_INFO))
            .filter(|&a| a + TERM_INFO <= infos.len())
            .ok_or_else(|| self.c.error(format!("term ordinal {ord} out of range")))?;
        let rec = InfoRec::get(&infos[at..at + TERM_INFO]).ok_or_else(|| {
            self.c
                .error(format!("term ordinal {ord}: checksum mismatch"))
        })?;
        let plen = self.c.section_len(section(f, 2))? as u64;
        let qlen = self.c.section_len(section(f, 3))? as u64;
        let postings_end = rec.post_off.checked_add(u64::from(rec.post_len));
        let positions_end = rec.pos_off.checked_add(u64::from(rec.pos_len));
        if postings_end.is_none_or(|e| e > plen) || positions_end.is_none_or(|e| e > qlen) {
            return Err(self
                .c
                .error(format!("term ordinal {ord}: offsets out of range")));
        }
        // Both ends were just checked against section lengths (usize).
        Ok(TermInfo {
            postings: (
                rec.post_off as usize,
                rec.post_off as usize + rec.post_len as usize,
            ),
            positions: (
                rec.pos_off as usize,
                rec.pos_off as usize + rec.pos_len as usize,
            ),
            post_crc: rec.post_crc,
            pos_crc: rec.pos_crc,
            df: rec.df,
        })
    }

    /// The bytes of a postings or positions list, checked against its CRC-32.
    fn list(&self, i: usize, (a, b): (usize, usize), crc: u32) -> Result<&[u8]> {
        // `a..b` lies within the section (checked by `info_at`).
        let bytes = &self.c.section_unchecked(i)?[a..b];
        if crc32fast::hash(bytes) == crc {
            Ok(bytes)
        } else {
            Err(self
                .c
                .error(format!("section {i}: list at {a}: checksum mismatch")))
        }
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
        let bytes = self.list(section(f, 2), info.postings, info.post_crc)?;
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
        let pos = self.list(section(f, 3), info.positions, info.pos_crc)?;
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

    /// The raw stored record of a doc with its CRC-32 (checked).
    pub(crate) fn stored_raw(&self, local: u32) -> Result<&[u8]> {
        let offsets = self.c.section(STORED_OFFSETS)?;
        let data = self.c.section_unchecked(STORED_DATA)?;
        let i = local as usize;
        let (Some(a), Some(b)) = (u64_at(offsets, i), u64_at(offsets, i + 1)) else {
            return Err(self.c.error(format!("stored doc {local} out of range")));
        };
        if a.saturating_add(4) > b || b > data.len() as u64 {
            return Err(self.c.error(format!("stored doc {local}: bad offsets")));
        }
        let rec = &data[a as usize..b as usize];
        let (body, crc) = rec.split_at(rec.len() - 4);
        if crc32fast::hash(body).to_le_bytes() != crc {
            return Err(self
                .c
                .error(format!("stored doc {local}: checksum mismatch")));
        }
        Ok(rec)
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
        // `stored_raw` checked that the record ends with its 4-byte checksum.
        StoredDoc::decode(&rec[..rec.len() - 4]).ok_or_else(|| {
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
                let mut info = InfoRec {
                    post_off: w.section_pos(),
                    pos_off: positions.len,
                    df: entries.len() as u32,
                    ..InfoRec::default()
                };
                let mut last = 0;
                let mut pos_crc = crc32fast::Hasher::new();
                for &(n, tf, raw) in &entries {
                    put_varint(&mut post, u64::from(n - last));
                    put_varint(&mut post, u64::from(tf));
                    positions.put(raw)?;
                    pos_crc.update(raw);
                    last = n;
                }
                info.post_len = post.len() as u32;
                info.post_crc = crc32fast::hash(&post);
                info.pos_len = (positions.len - info.pos_off) as u32;
                info.pos_crc = pos_crc.finalize();
                w.put(&post)?;
                info_bytes.clear();
                info.put(&mut info_bytes);
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
    let mut offsets = Vec::with_capacity((order.len() + 1) * 8);
    w.begin(STORED_DATA)?;
    for &(s, l) in order {
        offsets.extend_from_slice(&w.section_pos().to_le_bytes());
        let raw = segs[s as usize].stored_raw(l)?;
        read += raw.len();
        w.put(raw)?;
        if read >= RELEASE_EVERY {
            release();
            read = 0;
        }
    }
    offsets.extend_from_slice(&w.section_pos().to_le_bytes());
    w.end();
    w.section(STORED_OFFSETS, &offsets)?;
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
}
