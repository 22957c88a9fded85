//! Document vectors stored with the segments (SPEC.md §10, *Document
//! vectors*).
//!
//! A segment's vectors are a file of their own, `vec-NNNNNNNNNN.vec`,
//! listed in the manifest with the segment they belong to. Like a segment,
//! the file is never changed once written: adding rows writes a new file and
//! a new commit (the segments and the doc map stay). A container (`SPSVECT1`,
//! its count the segment's docs, deleted ones included) of five sections,
//! each covered by its CRC-32, all verified when the file is opened:
//! 0. the model id, UTF-8;
//! 1. `u32` the dimension `dim`;
//! 2. one byte per local doc: 1 when it has a row, else 0;
//! 3. 32 bytes per local doc: the row's key (the sha256 of the texts it
//!    embeds, as the caller computed it), zero without a row;
//! 4. `dim` float16 (IEEE binary16, little-endian) per local doc, zero
//!    without a row.
//!
//! The rows of a segment live and die with it: a merge carries the rows of
//! the docs it keeps into the merged segment's file, and a segment dropped
//! from the commit takes its file with it. A vector file that cannot be
//! read is never an error: its rows count as missing and are computed again.

use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use super::directory::{
    collect_garbage, commit_manifest, read_manifest, vectors_name, write_synced, DirLock,
};
use super::disk::DiskIndex;
use super::docmap::DELETED;
use super::manifest::{FileEntry, SegmentEntry, SpareVectors, VectorEntry};
use crate::container::{self, Container};
use crate::error::{Error, Result};

/// The magic bytes of a document-vector file.
pub(crate) const VECTOR_MAGIC: &[u8; 8] = b"SPSVECT1";
/// The bytes of a row's key.
pub const KEY_BYTES: usize = 32;
const SECTIONS: usize = 5;

/// An opened and fully verified document-vector file.
pub(crate) struct VectorFile {
    c: Container,
    dim: usize,
    docs: usize,
}

impl VectorFile {
    /// Opens the vector file of `entry` for a segment of `docs` docs and
    /// checks every section (checksums, model, sizes, row count).
    pub(crate) fn open(dir: &Path, entry: &VectorEntry, docs: usize) -> Result<VectorFile> {
        let path = dir.join(&entry.file.file);
        let c = Container::open(&path, VECTOR_MAGIC, Some(entry.file.bytes))?;
        if c.header_crc() != entry.file.header_crc {
            return Err(c.error("header checksum differs from the manifest"));
        }
        c.verify_all()?;
        let dim = entry.dim as usize;
        let bad = |what: &str| Err(c.error(what.to_owned()));
        if c.count() as usize != docs || c.num_sections() != SECTIONS {
            return bad("doc or section count differs from the manifest");
        }
        if c.section_unchecked(0)? != entry.model.as_bytes() {
            return bad("model differs from the manifest");
        }
        if c.section_unchecked(1)? != entry.dim.to_le_bytes() {
            return bad("dimension differs from the manifest");
        }
        let present = c.section_unchecked(2)?;
        if present.len() != docs
            || c.section_len(3)? != docs * KEY_BYTES
            || c.section_len(4)? != docs * dim * 2
        {
            return bad("a section has the wrong length");
        }
        if present.iter().any(|&b| b > 1)
            || present.iter().map(|&b| usize::from(b)).sum::<usize>() != entry.rows as usize
        {
            return bad("row flags differ from the manifest");
        }
        Ok(VectorFile { c, dim, docs })
    }

    fn part(&self, section: usize, width: usize, local: usize) -> &[u8] {
        // The lengths were checked at open: `width` bytes per local doc.
        let bytes = self.c.section_unchecked(section).unwrap_or(&[]);
        bytes.get(local * width..(local + 1) * width).unwrap_or(&[])
    }

    /// Whether local doc `local` has a row.
    pub(crate) fn has(&self, local: usize) -> bool {
        self.part(2, 1, local) == [1]
    }

    /// The key of local doc `local` (zero without a row).
    pub(crate) fn key(&self, local: usize) -> &[u8] {
        self.part(3, KEY_BYTES, local)
    }

    /// The float16 row of local doc `local` (zero without a row).
    pub(crate) fn row(&self, local: usize) -> &[u8] {
        self.part(4, self.dim * 2, local)
    }
}

/// The rows of one segment's new vector file, being assembled.
pub(crate) struct VectorRows {
    dim: usize,
    present: Vec<u8>,
    keys: Vec<u8>,
    rows: Vec<u8>,
}

impl VectorRows {
    /// No rows yet, for a segment of `docs` docs.
    pub(crate) fn new(docs: usize, dim: usize) -> VectorRows {
        VectorRows {
            dim,
            present: vec![0; docs],
            keys: vec![0; docs * KEY_BYTES],
            rows: vec![0; docs * dim * 2],
        }
    }

    /// The rows of `file`, to add to.
    fn from_file(file: &VectorFile) -> VectorRows {
        let mut out = VectorRows::new(file.docs, file.dim);
        for local in (0..file.docs).filter(|&l| file.has(l)) {
            out.set(local, file.key(local), file.row(local));
        }
        out
    }

    /// Sets local doc `local`'s row (the caller checked the lengths).
    pub(crate) fn set(&mut self, local: usize, key: &[u8], row: &[u8]) {
        let width = self.dim * 2;
        if let (Some(p), Some(k), Some(r)) = (
            self.present.get_mut(local),
            self.keys
                .get_mut(local * KEY_BYTES..(local + 1) * KEY_BYTES),
            self.rows.get_mut(local * width..(local + 1) * width),
        ) {
            *p = 1;
            k.copy_from_slice(key);
            r.copy_from_slice(row);
        }
    }

    fn count(&self) -> u32 {
        // Every flag is 0 or 1.
        self.present.iter().map(|&b| u32::from(b)).sum()
    }

    /// Writes the file as number `number` (fsynced) and returns its entry.
    pub(crate) fn write(&self, dir: &Path, number: u64, model: &str) -> Result<VectorEntry> {
        let dim = self.dim as u32;
        let dim_bytes = dim.to_le_bytes();
        let bytes = container::encode(
            VECTOR_MAGIC,
            self.present.len() as u32,
            &[
                model.as_bytes(),
                &dim_bytes,
                &self.present,
                &self.keys,
                &self.rows,
            ],
        );
        let file = vectors_name(number);
        let path = dir.join(&file);
        write_synced(&path, &bytes)?;
        let header_crc =
            Container::open(&path, VECTOR_MAGIC, Some(bytes.len() as u64))?.header_crc();
        Ok(VectorEntry {
            file: FileEntry {
                file,
                bytes: bytes.len() as u64,
                header_crc,
            },
            model: model.to_owned(),
            dim,
            rows: self.count(),
        })
    }
}

/// The vector file of each of `entries`' segments that holds rows of
/// `model` and `dim` and can be read (`None` for the others).
fn open_files(
    dir: &Path,
    entries: &[SegmentEntry],
    model: &str,
    dim: usize,
) -> Vec<Option<VectorFile>> {
    entries
        .iter()
        .map(|e| match &e.vectors {
            Some(v) if v.model == model && v.dim as usize == dim => {
                VectorFile::open(dir, v, e.docs as usize).ok()
            }
            _ => None,
        })
        .collect()
}

/// The model and dimension with the most rows among `entries`' vector
/// files (ties to the smaller model id), or `None` when none has vectors.
fn most_rows(entries: &[SegmentEntry]) -> Option<(&str, u32)> {
    let mut counts: FxHashMap<(&str, u32), u64> = FxHashMap::default();
    for v in entries.iter().filter_map(|e| e.vectors.as_ref()) {
        *counts.entry((v.model.as_str(), v.dim)).or_default() += u64::from(v.rows);
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
        .map(|(key, _)| key)
}

/// For a merge: the vector file of the merged segment, whose doc `g` is
/// `order[g]` = (input segment, local id), with the rows those docs have in
/// the inputs' files (of the model with the most rows among them), written
/// as number `number`; `None` when no input doc kept has a row.
pub(crate) fn carry_into_merge(
    dir: &Path,
    entries: &[SegmentEntry],
    order: &[(u32, u32)],
    number: u64,
) -> Result<Option<VectorEntry>> {
    let Some((model, dim)) = most_rows(entries) else {
        return Ok(None);
    };
    let files = open_files(dir, entries, model, dim as usize);
    let mut rows = VectorRows::new(order.len(), dim as usize);
    for (g, &(s, l)) in order.iter().enumerate() {
        if let Some(Some(f)) = files.get(s as usize) {
            if f.has(l as usize) {
                rows.set(g, f.key(l as usize), f.row(l as usize));
            }
        }
    }
    if rows.count() == 0 {
        return Ok(None);
    }
    rows.write(dir, number, model).map(Some)
}

/// The vector files a new commit keeps for reuse (SPEC.md §10): after a
/// rebuild, every vector file the index on disk still lists (its manifest
/// may be readable when a segment is not), else the old commit's spares.
pub(crate) fn spares(dir: &Path, old: Option<&DiskIndex>, rebuilt: bool) -> Vec<SpareVectors> {
    if let Some(old) = old {
        return old.manifest.spare_vectors.clone();
    }
    if !rebuilt {
        return Vec::new();
    }
    let Ok(m) = read_manifest(dir) else {
        return Vec::new();
    };
    m.segments
        .iter()
        .filter_map(|e| {
            e.vectors.as_ref().map(|v| SpareVectors {
                vectors: v.clone(),
                docs: e.docs,
            })
        })
        .chain(m.spare_vectors)
        .filter(|s| VectorFile::open(dir, &s.vectors, s.docs as usize).is_ok())
        .collect()
}

/// The stored vectors of one model, as a snapshot sees them.
#[derive(Debug, Default)]
pub struct StoredVectors {
    /// `num_docs × dim` float16 values (little-endian) in global-id order,
    /// zero for a doc without a row; empty when `mapped` is set.
    pub rows: Vec<u8>,
    /// When every doc has a row and the rows are exactly one file's row
    /// section, in global-id order (one segment without deleted docs): that
    /// file and the section's byte offset, to map instead of copying.
    pub mapped: Option<(PathBuf, usize)>,
    /// The global ids without a row, ascending.
    pub missing: Vec<u32>,
}

/// What the stored vectors hold (`specsearch stats`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VectorStats {
    /// Live docs with a row of `model`.
    pub rows: u64,
    /// The dimension.
    pub dim: u32,
    /// The model id (of the most rows, when files disagree).
    pub model: String,
    /// The vector files' bytes.
    pub bytes: u64,
    /// The number of vector files.
    pub files: usize,
    /// Whether every vector file verified (checksums, sizes).
    pub valid: bool,
}

/// A row to store: a doc's global id, its key and its float16 row.
#[derive(Clone, Copy, Debug)]
pub struct VectorItem<'a> {
    /// The doc's global id in the snapshot the row was computed for.
    pub id: u32,
    /// [`KEY_BYTES`] bytes.
    pub key: &'a [u8],
    /// `dim` float16 values, little-endian.
    pub row: &'a [u8],
}

impl DiskIndex {
    /// The rows of `model` (`dim` wide) for every live doc, in global-id
    /// order, and the docs without one. Files that cannot be read count as
    /// holding no rows.
    ///
    /// # Errors
    /// [`Error::Format`] when the doc map is corrupt.
    pub fn stored_vectors(&self, model: &str, dim: usize) -> Result<StoredVectors> {
        let files = open_files(self.dir(), &self.manifest.segments, model, dim);
        let n = self.manifest.num_docs as usize;
        if let [Some(f)] = files.as_slice() {
            let globals = self.live_globals(0)?;
            let in_order = globals.len() == n
                && globals.iter().enumerate().all(|(l, &g)| g as usize == l)
                && (0..n).all(|l| f.has(l));
            if in_order {
                return Ok(StoredVectors {
                    rows: Vec::new(),
                    mapped: Some((f.c.path().to_path_buf(), f.c.section_offset(4)?)),
                    missing: Vec::new(),
                });
            }
        }
        let width = dim * 2;
        let mut out = StoredVectors {
            rows: vec![0; n * width],
            ..StoredVectors::default()
        };
        let mut have = vec![false; n];
        for (si, file) in files.iter().enumerate() {
            let Some(f) = file else { continue };
            for (l, &g) in self.live_globals(si)?.iter().enumerate() {
                if g != DELETED && f.has(l) {
                    let at = g as usize * width;
                    out.rows[at..at + width].copy_from_slice(f.row(l));
                    have[g as usize] = true;
                }
            }
        }
        out.missing = (0..n as u32).filter(|&g| !have[g as usize]).collect();
        Ok(out)
    }

    /// For each key, a stored row of `model` under that key, in any
    /// segment, of a live doc or a deleted one (a renamed spec, or an edit
    /// undone, is not embedded again), or in a vector file kept from the
    /// index this one was rebuilt from.
    #[must_use]
    pub fn reuse_vectors(&self, model: &str, dim: usize, keys: &[&[u8]]) -> Vec<Option<Vec<u8>>> {
        let mut files = open_files(self.dir(), &self.manifest.segments, model, dim);
        files.extend(self.manifest.spare_vectors.iter().map(|s| {
            let v = &s.vectors;
            (v.model == model && v.dim as usize == dim)
                .then(|| VectorFile::open(self.dir(), v, s.docs as usize).ok())
                .flatten()
        }));
        let mut by_key: FxHashMap<&[u8], &[u8]> = FxHashMap::default();
        for f in files.iter().flatten() {
            for l in (0..f.docs).filter(|&l| f.has(l)) {
                by_key.insert(f.key(l), f.row(l));
            }
        }
        keys.iter()
            .map(|k| by_key.get(k).map(|r| r.to_vec()))
            .collect()
    }

    /// What the stored vectors hold, or `None` when there are none.
    #[must_use]
    pub fn vector_stats(&self) -> Option<VectorStats> {
        let segments = &self.manifest.segments;
        let (model, dim) = most_rows(segments)?;
        let mut stats = VectorStats {
            model: model.to_owned(),
            dim,
            valid: true,
            ..VectorStats::default()
        };
        for (si, e) in segments.iter().enumerate() {
            let Some(v) = &e.vectors else { continue };
            stats.files += 1;
            stats.bytes += v.file.bytes;
            let Ok(f) = VectorFile::open(self.dir(), v, e.docs as usize) else {
                stats.valid = false;
                continue;
            };
            if v.model != model || v.dim != dim {
                continue;
            }
            let Ok(globals) = self.live_globals(si) else {
                stats.valid = false;
                continue;
            };
            stats.rows += globals
                .iter()
                .enumerate()
                .filter(|&(l, &g)| g != DELETED && f.has(l))
                .count() as u64;
        }
        Some(stats)
    }

    /// Stores `items` (rows of `model`, `dim` wide, for docs of this
    /// snapshot) in a new commit: for each segment they belong to, a new
    /// vector file with its stored rows (of the same model) and these,
    /// listed in a new manifest that changes nothing else. Rows of docs
    /// whose segment a later commit has merged away are dropped. Returns
    /// `false`, storing nothing, when another writer holds the lock.
    ///
    /// # Errors
    /// [`Error::Schema`] when a key or row has the wrong length;
    /// [`Error::Io`] when a write fails (the previous commit stays);
    /// [`Error::Format`] when the manifest or doc map is corrupt.
    pub fn attach_vectors(
        &self,
        model: &str,
        dim: usize,
        items: &[VectorItem<'_>],
    ) -> Result<bool> {
        let bad_length = items
            .iter()
            .any(|it| it.key.len() != KEY_BYTES || it.row.len() != dim * 2);
        if bad_length || dim == 0 || dim > u32::MAX as usize {
            return Err(Error::Schema {
                field: "vectors".to_owned(),
                detail: format!("each row needs a {KEY_BYTES}-byte key and {dim} float16 values"),
            });
        }
        let place = self.locate_table()?;
        let _lock = match DirLock::acquire(self.dir()) {
            Ok(lock) => lock,
            Err(Error::Locked { .. }) => return Ok(false),
            Err(e) => return Err(e),
        };
        let mut m = read_manifest(self.dir())?;
        let mut by_segment: FxHashMap<usize, Vec<(usize, &VectorItem<'_>)>> = FxHashMap::default();
        for it in items {
            let Some(&(s, l)) = place.get(it.id as usize) else {
                continue;
            };
            let name = &self.manifest.segments[s as usize].file.file;
            if let Some(j) = m.segments.iter().position(|e| e.file.file == *name) {
                by_segment.entry(j).or_default().push((l as usize, it));
            }
        }
        if by_segment.is_empty() {
            return Ok(true);
        }
        let mut touched: Vec<usize> = by_segment.keys().copied().collect();
        touched.sort_unstable();
        let mut written = Vec::new();
        let result = (|| {
            for j in touched {
                let e = &m.segments[j];
                let docs = e.docs as usize;
                let mut rows = match &e.vectors {
                    Some(v) if v.model == model && v.dim as usize == dim => {
                        VectorFile::open(self.dir(), v, docs)
                            .ok()
                            .map(|f| VectorRows::from_file(&f))
                    }
                    _ => None,
                }
                .unwrap_or_else(|| VectorRows::new(docs, dim));
                for (l, it) in &by_segment[&j] {
                    rows.set(*l, it.key, it.row);
                }
                let entry = rows.write(self.dir(), m.next_segment, model)?;
                written.push(self.dir().join(&entry.file.file));
                m.next_segment += 1;
                m.segments[j].vectors = Some(entry);
            }
            m.generation += 1;
            // The caller looked its keys up before embedding: spares kept
            // after a rebuild have given what they could.
            m.spare_vectors.clear();
            commit_manifest(self.dir(), &m)
        })();
        if let Err(e) = result {
            for path in written {
                let _ = std::fs::remove_file(path);
            }
            return Err(e);
        }
        collect_garbage(self.dir(), &m);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(docs: u32, vectors: Option<VectorEntry>) -> SegmentEntry {
        SegmentEntry {
            file: FileEntry {
                file: "seg-0000000001.seg".into(),
                bytes: 0,
                header_crc: 0,
            },
            docs,
            live: docs,
            terms: [0; 6],
            vectors,
        }
    }

    #[test]
    fn a_file_reads_back_and_any_flipped_byte_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut rows = VectorRows::new(3, 2);
        rows.set(1, &[7; KEY_BYTES], &[1, 2, 3, 4]);
        let e = rows.write(dir.path(), 5, "m|2").unwrap();
        assert_eq!(
            (e.rows, e.dim, e.file.file.as_str()),
            (1, 2, "vec-0000000005.vec")
        );
        let f = VectorFile::open(dir.path(), &e, 3).unwrap();
        assert!(!f.has(0) && f.has(1) && !f.has(2) && !f.has(3));
        assert_eq!(
            (f.key(1), f.row(1)),
            (&[7; KEY_BYTES][..], &[1, 2, 3, 4][..])
        );
        assert_eq!(f.row(0), &[0; 4]);
        drop(f);
        assert!(VectorFile::open(dir.path(), &e, 4).is_err());
        let other_model = VectorEntry {
            model: "n|2".into(),
            ..e.clone()
        };
        assert!(VectorFile::open(dir.path(), &other_model, 3).is_err());
        let path = dir.path().join(&e.file.file);
        let good = std::fs::read(&path).unwrap();
        for i in 0..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 0x01;
            std::fs::write(&path, &bad).unwrap();
            assert!(
                VectorFile::open(dir.path(), &e, 3).is_err(),
                "flip at byte {i}"
            );
        }
        std::fs::write(&path, &good[..good.len() - 8]).unwrap();
        assert!(VectorFile::open(dir.path(), &e, 3).is_err());
    }

    #[test]
    fn a_merge_carries_the_rows_of_the_docs_it_keeps() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = VectorRows::new(2, 1);
        a.set(0, &[1; KEY_BYTES], &[10, 0]);
        a.set(1, &[2; KEY_BYTES], &[20, 0]);
        let a = a.write(dir.path(), 1, "m|1").unwrap();
        let mut b = VectorRows::new(2, 1);
        b.set(1, &[4; KEY_BYTES], &[40, 0]);
        let b = b.write(dir.path(), 2, "m|1").unwrap();
        let entries = [segment(2, Some(a)), segment(2, Some(b)), segment(1, None)];
        // Doc 0 of the first segment is deleted; the third has no rows.
        let order = [(1, 1), (0, 1), (2, 0), (1, 0)];
        let merged = carry_into_merge(dir.path(), &entries, &order, 3)
            .unwrap()
            .unwrap();
        assert_eq!(merged.rows, 2);
        let f = VectorFile::open(dir.path(), &merged, 4).unwrap();
        assert_eq!((f.row(0), f.key(0)), (&[40, 0][..], &[4; KEY_BYTES][..]));
        assert_eq!(f.row(1), &[20, 0]);
        assert!(!f.has(2) && !f.has(3));
        let none = [segment(2, None)];
        assert!(carry_into_merge(dir.path(), &none, &[(0, 0)], 4)
            .unwrap()
            .is_none());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Well-formed containers (valid checksums) with any sections, and
        /// a manifest entry claiming anything: opening is an answer or an
        /// error, never a panic, and an opened file answers for any doc.
        #[test]
        fn any_container_and_claim_is_an_answer_or_an_error(
            sections in proptest::collection::vec(
                proptest::collection::vec(0u8..3, 0..80), 0..7),
            count in 0u32..12,
            docs in 0usize..12,
            dim in 0u32..5,
            rows in 0u32..12,
            model in "[a-z|]{0,3}",
            magic_ok: bool,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let parts: Vec<&[u8]> = sections.iter().map(Vec::as_slice).collect();
            let magic = if magic_ok { VECTOR_MAGIC } else { b"SPSEGMT1" };
            let bytes = container::encode(magic, count, &parts);
            let name = vectors_name(1);
            std::fs::write(dir.path().join(&name), &bytes).unwrap();
            let header_crc = Container::open(&dir.path().join(&name), magic, None)
                .map_or(0, |c| c.header_crc());
            let entry = VectorEntry {
                file: FileEntry { file: name, bytes: bytes.len() as u64, header_crc },
                model,
                dim,
                rows,
            };
            if let Ok(f) = VectorFile::open(dir.path(), &entry, docs) {
                for l in 0..docs + 2 {
                    if f.has(l) {
                        proptest::prop_assert_eq!(f.key(l).len(), KEY_BYTES);
                        proptest::prop_assert_eq!(f.row(l).len(), 2 * dim as usize);
                    }
                }
                let one = [segment(docs as u32, Some(entry))];
                let order: Vec<(u32, u32)> = (0..docs as u32).map(|l| (0, l)).collect();
                let _ = carry_into_merge(dir.path(), &one, &order, 2);
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Near-valid files (each part right or off by a little): those
        /// that open answer for every doc with rows of the right width.
        #[test]
        fn near_valid_files_open_or_fail_cleanly(
            docs in 0usize..9,
            dim in 1u32..4,
            flags in proptest::collection::vec(0u8..3, 0..10),
            off in proptest::collection::vec(0usize..2, 4),
            model_ok: bool,
            rows_delta in 0u32..2,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let mut present: Vec<u8> = flags.iter().map(|&b| u8::from(b == 1)).collect();
            if off[0] == 1 { present = flags.clone(); }
            present.resize(docs + off[1], 0);
            let keys = vec![7u8; docs * KEY_BYTES + off[2]];
            let rows = vec![1u8; docs * dim as usize * 2 + off[3]];
            let dim_bytes = dim.to_le_bytes();
            let bytes = container::encode(
                VECTOR_MAGIC,
                docs as u32,
                &[b"m|1", &dim_bytes, &present, &keys, &rows],
            );
            let name = vectors_name(1);
            std::fs::write(dir.path().join(&name), &bytes).unwrap();
            let header_crc = Container::open(&dir.path().join(&name), VECTOR_MAGIC, None)
                .unwrap()
                .header_crc();
            let ones = present.iter().map(|&b| u32::from(b == 1)).sum::<u32>();
            let entry = VectorEntry {
                file: FileEntry { file: name, bytes: bytes.len() as u64, header_crc },
                model: if model_ok { "m|1".into() } else { "m|2".into() },
                dim,
                rows: ones + rows_delta,
            };
            let fits = model_ok
                && rows_delta == 0
                && off[1..].iter().all(|&o| o == 0)
                && present.iter().all(|&b| b <= 1);
            let opened = VectorFile::open(dir.path(), &entry, docs);
            proptest::prop_assert_eq!(opened.is_ok(), fits);
            if let Ok(f) = opened {
                for (l, &flag) in present.iter().enumerate() {
                    proptest::prop_assert_eq!(f.has(l), flag == 1);
                    proptest::prop_assert_eq!(f.row(l).len(), 2 * dim as usize);
                }
                proptest::prop_assert!(!f.has(docs));
            }
        }
    }
}
