//! Segments (ARCHITECTURE.md §10): immutable files holding the inverted
//! index, the field lengths and the stored fields of a set of docs.
//!
//! A segment is a [`crate::container`] file (magic `SPSEGMT1`, count = its
//! number of docs) with 32 sections: for each field `f` in schema order,
//! `5f + 0` the term dictionary (an `fst` map, term → term ordinal),
//! `5f + 1` the term infos (24 bytes per ordinal: `u64` postings offset,
//! `u64` positions offset, `u32` postings length, `u32` doc frequency),
//! `5f + 2` the postings, `5f + 3` the positions (see [`crate::postings`]),
//! `5f + 4` the doc lengths (`u32` per local doc id); then `30` the stored
//! record offsets (`u64` × (docs + 1)) and `31` the stored records.
//!
//! Docs are numbered locally from 0; the doc map of the commit
//! ([`crate::docmap`]) gives each its global id or marks it deleted.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use memmap2::Mmap;
use rustc_hash::FxHashMap;

use crate::analysis::for_each_token;
use crate::container::{self, u64_at, Container};
use crate::error::{Error, Result};
use crate::index::DocMeta;
use crate::postings::{
    decode_positions, decode_postings, put_bytes, put_positions, put_varint, ByteReader,
};
use crate::problem::Problem;
use crate::schema::Field;
use crate::spec::Spec;

/// The magic bytes of a segment file.
pub(crate) const SEGMENT_MAGIC: &[u8; 8] = b"SPSEGMT1";

const SECTIONS_PER_FIELD: usize = 5;
const STORED_OFFSETS: usize = 30;
const STORED_DATA: usize = 31;
const NUM_SECTIONS: usize = 32;
const TERM_INFO: usize = 24;

/// One field of one analyzed doc: distinct terms with their frequencies in
/// order of first appearance, their positions grouped by term in the same
/// order, and the field length.
#[derive(Debug, Default)]
pub(crate) struct FieldTokens {
    terms: Vec<(Box<str>, u32)>,
    positions: Vec<u32>,
    length: u32,
}

impl FieldTokens {
    /// The field length (tokens kept).
    pub(crate) fn length(&self) -> u32 {
        self.length
    }
}

/// Analyzes one field value; `map` is scratch space reused between calls.
fn analyze_field(text: &str, map: &mut FxHashMap<Box<str>, u32>) -> FieldTokens {
    map.clear();
    let mut tfs: Vec<u32> = Vec::new();
    let mut seq: Vec<u32> = Vec::new();
    for_each_token(text, |term, _| {
        let id = if let Some(&id) = map.get(term) {
            id
        } else {
            let id = tfs.len() as u32;
            map.insert(term.into(), id);
            tfs.push(0);
            id
        };
        tfs[id as usize] += 1;
        seq.push(id);
    });
    let mut terms: Vec<(Box<str>, u32)> = Vec::with_capacity(tfs.len());
    let mut named: Vec<(u32, Box<str>)> = map.drain().map(|(t, id)| (id, t)).collect();
    named.sort_unstable_by_key(|e| e.0);
    for (id, t) in named {
        terms.push((t, tfs[id as usize]));
    }
    // Group positions by term (a counting sort keeps them ascending).
    let mut cursor: Vec<u32> = Vec::with_capacity(tfs.len());
    let mut at = 0u32;
    for &tf in &tfs {
        cursor.push(at);
        at += tf;
    }
    let mut positions = vec![0u32; seq.len()];
    for (pos, &id) in seq.iter().enumerate() {
        let c = &mut cursor[id as usize];
        positions[*c as usize] = pos as u32;
        *c += 1;
    }
    FieldTokens {
        terms,
        positions,
        length: seq.len() as u32,
    }
}

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
fn path_from_bytes(b: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(b))
}

#[cfg(not(unix))]
fn path_from_bytes(b: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(b).into_owned())
}

impl StoredDoc {
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
        let mut map = FxHashMap::default();
        let fields = Field::ALL.map(|f| analyze_field(&spec.field_text(f), &mut map));
        DiskDoc { stored, fields }
    }
}

/// Accepts a field's terms in byte order and produces its four sections.
#[derive(Default)]
struct FieldSections {
    fst: Option<fst::MapBuilder<Vec<u8>>>,
    infos: Vec<u8>,
    postings: Vec<u8>,
    positions: Vec<u8>,
    count: u64,
}

impl FieldSections {
    fn new() -> Self {
        Self {
            fst: Some(fst::MapBuilder::memory()),
            ..Self::default()
        }
    }

    /// Adds a term; terms must come in strictly increasing byte order.
    fn push(&mut self, term: &[u8], df: u32, postings: &[u8], positions: &[u8]) -> Result<()> {
        if let Some(b) = self.fst.as_mut() {
            b.insert(term, self.count).map_err(fst_error)?;
        }
        self.infos
            .extend_from_slice(&(self.postings.len() as u64).to_le_bytes());
        self.infos
            .extend_from_slice(&(self.positions.len() as u64).to_le_bytes());
        self.infos
            .extend_from_slice(&(postings.len() as u32).to_le_bytes());
        self.infos.extend_from_slice(&df.to_le_bytes());
        self.postings.extend_from_slice(postings);
        self.positions.extend_from_slice(positions);
        self.count += 1;
        Ok(())
    }

    fn finish(mut self) -> Result<[Vec<u8>; 4]> {
        let fst = match self.fst.take() {
            Some(b) => b.into_inner().map_err(fst_error)?,
            None => Vec::new(),
        };
        Ok([fst, self.infos, self.postings, self.positions])
    }
}

#[allow(clippy::needless_pass_by_value)] // used as `map_err(fst_error)`
fn fst_error(e: fst::Error) -> Error {
    Error::Io {
        path: PathBuf::from("<fst>"),
        source: std::io::Error::other(e.to_string()),
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

/// Builds a segment in memory from docs added in local-id order.
#[derive(Default)]
pub(crate) struct SegmentBuilder {
    fields: [FieldBuilder; 6],
    stored: Vec<u8>,
    stored_offsets: Vec<u64>,
    num_docs: u32,
    estimated: usize,
}

impl SegmentBuilder {
    /// The number of docs added.
    pub(crate) fn num_docs(&self) -> u32 {
        self.num_docs
    }

    /// A rough estimate of the memory the builder holds.
    pub(crate) fn estimated_bytes(&self) -> usize {
        self.estimated
    }

    /// Adds a doc; returns its local id.
    pub(crate) fn add(&mut self, doc: DiskDoc) -> u32 {
        let local = self.num_docs;
        self.stored_offsets.push(self.stored.len() as u64);
        let before = self.stored.len();
        doc.stored.encode(&mut self.stored);
        self.estimated += self.stored.len() - before + 8;
        for (fb, ft) in self.fields.iter_mut().zip(doc.fields) {
            fb.lengths.push(ft.length);
            self.estimated += 4;
            let mut pos_at = 0usize;
            for (term, tf) in ft.terms {
                let next = fb.terms.len() as u32;
                #[allow(clippy::single_match_else)] // the miss arm inserts
                let id = match fb.dict.get(&*term) {
                    Some(&id) => id,
                    None => {
                        // Key, map entry and TermBuf.
                        self.estimated += term.len() + 16 + 64;
                        fb.dict.insert(term, next);
                        fb.terms.push(TermBuf::default());
                        next
                    }
                };
                let tb = &mut fb.terms[id as usize];
                let (pl, ql) = (tb.postings.len(), tb.positions.len());
                let delta = if tb.df == 0 { local } else { local - tb.last };
                put_varint(&mut tb.postings, u64::from(delta));
                put_varint(&mut tb.postings, u64::from(tf));
                let end = pos_at + tf as usize;
                put_positions(&mut tb.positions, &ft.positions[pos_at..end]);
                pos_at = end;
                tb.last = local;
                tb.df += 1;
                self.estimated += tb.postings.len() - pl + tb.positions.len() - ql;
            }
        }
        self.num_docs += 1;
        local
    }

    /// The encoded segment file and each field's number of terms.
    pub(crate) fn finish(mut self) -> Result<(Vec<u8>, [u64; 6])> {
        self.stored_offsets.push(self.stored.len() as u64);
        let mut sections: Vec<Vec<u8>> = Vec::with_capacity(NUM_SECTIONS);
        let mut num_terms = [0u64; 6];
        for (i, fb) in self.fields.into_iter().enumerate() {
            let mut order: Vec<(Box<str>, u32)> = fb.dict.into_iter().collect();
            order.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            let mut fs = FieldSections::new();
            for (term, id) in &order {
                let tb = &fb.terms[*id as usize];
                fs.push(term.as_bytes(), tb.df, &tb.postings, &tb.positions)?;
            }
            num_terms[i] = fs.count;
            sections.extend(fs.finish()?);
            sections.push(fb.lengths.iter().flat_map(|l| l.to_le_bytes()).collect());
        }
        sections.push(
            self.stored_offsets
                .iter()
                .flat_map(|o| o.to_le_bytes())
                .collect(),
        );
        sections.push(self.stored);
        let refs: Vec<&[u8]> = sections.iter().map(Vec::as_slice).collect();
        Ok((
            container::encode(SEGMENT_MAGIC, self.num_docs, &refs),
            num_terms,
        ))
    }
}

/// A term's entry in a segment.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TermInfo {
    postings: (usize, usize),
    positions_start: usize,
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

    fn dict(&self, f: Field) -> Result<&fst::Map<MapBytes>> {
        let map = self.fsts[f.index()].get_or_init(|| {
            let i = section(f, 0);
            self.c.section(i).map_err(|e| e.to_string())?;
            let start = self.c.section_offset(i).map_err(|e| e.to_string())?;
            let len = self.c.section_len(i).map_err(|e| e.to_string())?;
            let bytes = MapBytes {
                mmap: Arc::clone(self.c.mmap()),
                start,
                end: start + len,
            };
            fst::Map::new(bytes).map_err(|e| format!("term dictionary: {e}"))
        });
        map.as_ref()
            .map_err(|d| Error::format(self.c.path(), d.clone()))
    }

    fn info_at(&self, f: Field, ord: u64) -> Result<TermInfo> {
        let infos = self.c.section(section(f, 1))?;
        let at = usize::try_from(ord)
            .ok()
            .and_then(|o| o.checked_mul(TERM_INFO))
            .filter(|&a| a + TERM_INFO <= infos.len())
            .ok_or_else(|| self.c.error(format!("term ordinal {ord} out of range")))?;
        let rec = &infos[at..at + TERM_INFO];
        let post_off = u64_at(rec, 0).unwrap_or(u64::MAX);
        let positions_off = u64_at(rec, 1).unwrap_or(u64::MAX);
        let post_len = u64::from(u32::from_le_bytes([rec[16], rec[17], rec[18], rec[19]]));
        let df = u32::from_le_bytes([rec[20], rec[21], rec[22], rec[23]]);
        let plen = self.c.section_len(section(f, 2))? as u64;
        let qlen = self.c.section_len(section(f, 3))? as u64;
        if post_off.checked_add(post_len).is_none_or(|e| e > plen) || positions_off > qlen {
            return Err(self
                .c
                .error(format!("term ordinal {ord}: offsets out of range")));
        }
        Ok(TermInfo {
            postings: (post_off as usize, (post_off + post_len) as usize),
            positions_start: positions_off as usize,
            df,
        })
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
        let data = self.c.section(section(f, 2))?;
        let bytes = &data[info.postings.0..info.postings.1];
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
        let mut docs = Vec::with_capacity(info.df as usize);
        self.postings(f, info, |d, tf| docs.push((d, tf)))?;
        let pos = self.c.section(section(f, 3))?;
        let mut r = ByteReader::new(&pos[info.positions_start..]);
        let mut buf = Vec::new();
        for (d, tf) in docs {
            buf.clear();
            decode_positions(&mut r, tf, &mut buf).map_err(|e| self.c.error(e))?;
            g(d, &buf);
        }
        Ok(())
    }

    /// The length column of a field (one `u32` per local doc), borrowed from the map.
    ///
    /// # Errors
    /// [`Error::Format`] when the section is corrupt.
    pub(crate) fn lengths(&self, f: Field) -> Result<&[u32]> {
        self.c.u32_column(section(f, 4), self.num_docs() as usize)
    }

    /// The raw stored record of a doc.
    pub(crate) fn stored_raw(&self, local: u32) -> Result<&[u8]> {
        let offsets = self.c.section(STORED_OFFSETS)?;
        let data = self.c.section(STORED_DATA)?;
        let i = local as usize;
        let (Some(a), Some(b)) = (u64_at(offsets, i), u64_at(offsets, i + 1)) else {
            return Err(self.c.error(format!("stored doc {local} out of range")));
        };
        if a > b || b > data.len() as u64 {
            return Err(self.c.error(format!("stored doc {local}: bad offsets")));
        }
        Ok(&data[a as usize..b as usize])
    }

    /// The stored fields of a doc.
    ///
    /// # Errors
    /// [`Error::Format`] when the record is corrupt.
    pub(crate) fn stored(&self, local: u32) -> Result<StoredDoc> {
        StoredDoc::decode(self.stored_raw(local)?).ok_or_else(|| {
            self.c
                .error(format!("stored doc {local}: malformed record"))
        })
    }
}

/// Merges live docs of several segments into one segment. `order` lists
/// `(segment index, local id)` of the docs to keep, in their new local
/// order. Returns the file bytes and each field's term count.
///
/// # Errors
/// [`Error::Format`] when an input segment is corrupt.
pub(crate) fn merge(
    segs: &[Arc<SegmentReader>],
    order: &[(u32, u32)],
) -> Result<(Vec<u8>, [u64; 6])> {
    use fst::Streamer;
    let mut new_id: Vec<Vec<u32>> = segs
        .iter()
        .map(|s| vec![u32::MAX; s.num_docs() as usize])
        .collect();
    for (new, &(s, l)) in order.iter().enumerate() {
        new_id[s as usize][l as usize] = new as u32;
    }
    let mut sections: Vec<Vec<u8>> = Vec::with_capacity(NUM_SECTIONS);
    let mut num_terms = [0u64; 6];
    for f in Field::ALL {
        let dicts: Vec<&fst::Map<MapBytes>> =
            segs.iter().map(|s| s.dict(f)).collect::<Result<_>>()?;
        let mut op = fst::map::OpBuilder::new();
        for d in &dicts {
            op = op.add(d.stream());
        }
        let mut union = op.union();
        let mut fs = FieldSections::new();
        let mut entries: Vec<(u32, Vec<u32>)> = Vec::new();
        let (mut post, mut pos) = (Vec::new(), Vec::new());
        while let Some((term, ivs)) = union.next() {
            entries.clear();
            for iv in ivs {
                let seg = &segs[iv.index];
                let map = &new_id[iv.index];
                let info = seg.info_at(f, iv.value)?;
                seg.postings_with_positions(f, &info, |local, p| {
                    let n = map[local as usize];
                    if n != u32::MAX {
                        entries.push((n, p.to_vec()));
                    }
                })?;
            }
            if entries.is_empty() {
                continue;
            }
            entries.sort_unstable_by_key(|e| e.0);
            post.clear();
            pos.clear();
            let mut last = 0;
            for (n, p) in &entries {
                put_varint(&mut post, u64::from(n - last));
                put_varint(&mut post, p.len() as u64);
                put_positions(&mut pos, p);
                last = *n;
            }
            fs.push(term, entries.len() as u32, &post, &pos)?;
        }
        num_terms[f.index()] = fs.count;
        sections.extend(fs.finish()?);
        let mut lengths = Vec::with_capacity(order.len() * 4);
        for &(s, l) in order {
            let col = segs[s as usize].lengths(f)?;
            lengths.extend_from_slice(&col[l as usize].to_le_bytes());
        }
        sections.push(lengths);
    }
    let mut offsets = Vec::with_capacity((order.len() + 1) * 8);
    let mut data = Vec::new();
    for &(s, l) in order {
        offsets.extend_from_slice(&(data.len() as u64).to_le_bytes());
        data.extend_from_slice(segs[s as usize].stored_raw(l)?);
    }
    offsets.extend_from_slice(&(data.len() as u64).to_le_bytes());
    sections.push(offsets);
    sections.push(data);
    let refs: Vec<&[u8]> = sections.iter().map(Vec::as_slice).collect();
    Ok((
        container::encode(SEGMENT_MAGIC, order.len() as u32, &refs),
        num_terms,
    ))
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
        let (bytes, terms) = b.finish().unwrap();
        assert_eq!(terms[Field::Body.index()], 3);
        let p = dir.path().join("s1");
        std::fs::write(&p, &bytes).unwrap();
        let s = Arc::new(SegmentReader::open(&p, Some(bytes.len() as u64)).unwrap());
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

        let (merged, _) = merge(&[Arc::clone(&s)], &[(0, 1)]).unwrap();
        let p2 = dir.path().join("s2");
        std::fs::write(&p2, &merged).unwrap();
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
