//! The on-disk index (SPEC.md §10): a read-only snapshot of one
//! commit, searched exactly like [`crate::MemoryIndex`].
//!
//! Opening reads the manifest and the headers of the files it lists (their
//! checksums verified), and maps the files; every section is checked on its
//! first use. Scores are summed into a dense `f64` array indexed by global
//! doc id, in the term and field order of §5, with N, the doc frequencies
//! and the average lengths counted over live docs only, so that the result
//! is bit-identical to a fresh [`crate::MemoryIndex::build`] over the same
//! files.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use super::directory::{read_manifest, MANIFEST_FILE};
use super::docmap::{DocMapReader, DELETED};
use super::manifest::Manifest;
use crate::analysis::ANALYZER_NAME;
use crate::error::{Error, Result};
use crate::problem::Problem;
use crate::schema::{Field, Schema};
use crate::segment::{SegmentReader, StoredDoc};
use crate::spec::panic_message;

/// A read-only snapshot of an on-disk index.
#[derive(Debug)]
pub struct DiskIndex {
    dir: PathBuf,
    pub(crate) manifest: Manifest,
    pub(crate) segments: Vec<Arc<SegmentReader>>,
    pub(crate) docmap: DocMapReader,
    pub(crate) schema: Schema,
    pub(crate) size_bytes: u64,
    /// Global id → (segment, local id), built on first use.
    locate: OnceLock<std::result::Result<Locate, String>>,
    /// Per segment, whether none of its docs is deleted (on first use).
    all_live: OnceLock<std::result::Result<Vec<bool>, String>>,
    /// The thread a query hands half of its work to, and the id of the
    /// process that started it (see [`DiskIndex::helper`]).
    helper: OnceLock<Option<(u32, rayon::ThreadPool)>>,
}

/// Global id → (segment, local id) of every live doc, and per segment its
/// base when its global ids are `base + local id`, none deleted.
#[derive(Debug)]
struct Locate {
    table: Vec<(u32, u32)>,
    bases: Vec<Option<u32>>,
}

impl DiskIndex {
    /// Opens the current commit of the index in `dir`, read-only: no walk,
    /// no lock, nothing written. When a writer deletes a listed file while
    /// this runs, the manifest is read again.
    ///
    /// # Errors
    /// [`Error::Io`] of kind `NotFound` when `dir` holds no index;
    /// [`Error::Format`] naming the file when a file is corrupt, foreign, of
    /// another format version or missing.
    pub fn open(dir: &Path) -> Result<DiskIndex> {
        let mut manifest = read_manifest(dir)?;
        loop {
            match Self::open_manifest(dir, manifest.clone()) {
                Err(e) if e.is_not_found() => {
                    // A writer may have committed and collected the files
                    // this manifest lists: look again.
                    let again = read_manifest(dir)?;
                    if again.generation == manifest.generation {
                        let Error::Io { path, .. } = e else {
                            return Err(e);
                        };
                        return Err(Error::format(
                            &path,
                            "a file listed in the manifest is missing",
                        ));
                    }
                    manifest = again;
                }
                other => return other,
            }
        }
    }

    fn open_manifest(dir: &Path, manifest: Manifest) -> Result<DiskIndex> {
        let mpath = dir.join(MANIFEST_FILE);
        if manifest.analyzer != ANALYZER_NAME {
            return Err(Error::format(
                &mpath,
                format!("analyzer {:?} is not {ANALYZER_NAME}", manifest.analyzer),
            ));
        }
        let mut size_bytes = std::fs::metadata(&mpath).map_or(0, |m| m.len());
        let mut segments = Vec::with_capacity(manifest.segments.len());
        for s in &manifest.segments {
            let path = dir.join(&s.file.file);
            let seg = SegmentReader::open(&path, Some(s.file.bytes))?;
            check_header(&path, seg_header_crc(&seg), s.file.header_crc)?;
            if seg.num_docs() != s.docs {
                return Err(Error::format(&path, "doc count differs from the manifest"));
            }
            size_bytes += s.file.bytes;
            segments.push(Arc::new(seg));
        }
        let sizes: Vec<usize> = manifest.segments.iter().map(|s| s.docs as usize).collect();
        let dpath = dir.join(&manifest.docmap.file);
        let docmap = DocMapReader::open(&dpath, Some(manifest.docmap.bytes), &sizes)?;
        check_header(&dpath, docmap.header_crc(), manifest.docmap.header_crc)?;
        size_bytes += manifest.docmap.bytes;
        Ok(DiskIndex {
            dir: dir.to_path_buf(),
            manifest,
            segments,
            docmap,
            schema: Schema::default(),
            size_bytes,
            locate: OnceLock::new(),
            all_live: OnceLock::new(),
            helper: OnceLock::new(),
        })
    }

    /// The thread a query of several words over a large index hands half
    /// of its work to: started on the first such query, parked between
    /// queries, stopped when the index is dropped (`None`: it could not be
    /// started; such queries then run on one thread). Starting a thread for
    /// each query cost about 45 µs before it ran here (2 vCPUs), waking a
    /// parked one about 17 µs. A process forked after it started has the
    /// pool but not its thread: there it is `None` too.
    pub(crate) fn helper(&self) -> Option<&rayon::ThreadPool> {
        let (pid, pool) = self
            .helper
            .get_or_init(|| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(1)
                    .thread_name(|_| "specsearch-helper".to_owned())
                    .build()
                    .ok()
                    .map(|pool| (std::process::id(), pool))
            })
            .as_ref()?;
        (*pid == std::process::id()).then_some(pool)
    }

    /// The index folder.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The commit generation.
    #[must_use]
    pub fn generation(&self) -> u64 {
        self.manifest.generation
    }

    /// The `max_file_bytes` the files were read with (also for snippets).
    #[must_use]
    pub fn max_file_bytes(&self) -> u64 {
        self.manifest.max_file_bytes
    }

    /// The number of segments.
    #[must_use]
    pub fn num_segments(&self) -> usize {
        self.segments.len()
    }

    /// The mapping of a segment's file, for zero-copy holders.
    #[must_use]
    pub fn segment_mmap(&self, seg: usize) -> Option<&Arc<memmap2::Mmap>> {
        self.segments.get(seg).map(|s| s.mmap())
    }

    /// Whether no doc of segment `part` is deleted (counted once).
    pub(crate) fn part_all_live(&self, part: usize) -> Result<bool> {
        let flags = self.all_live.get_or_init(|| {
            (0..self.segments.len())
                .map(|si| {
                    let globals = self.docmap.globals(si).map_err(Error::into_detail)?;
                    Ok(!globals.contains(&DELETED))
                })
                .collect()
        });
        match flags {
            Ok(v) => Ok(v.get(part).copied().unwrap_or(false)),
            Err(d) => Err(Error::format(self.docmap.path(), d.clone())),
        }
    }

    /// Global id → (segment, local id) of every live doc, checked once.
    pub(crate) fn locate_table(&self) -> Result<&[(u32, u32)]> {
        self.locate().map(|l| l.table.as_slice())
    }

    /// The locate table and the segments' bases, built and checked once.
    fn locate(&self) -> Result<&Locate> {
        let locate = self.locate.get_or_init(|| {
            let n = self.manifest.num_docs as usize;
            let mut table = vec![(u32::MAX, u32::MAX); n];
            let mut bases = Vec::with_capacity(self.segments.len());
            for si in 0..self.segments.len() {
                let globals = self.docmap.globals(si).map_err(Error::into_detail)?;
                let first = globals.first().copied().unwrap_or(0);
                let mut contiguous = first != DELETED;
                for (local, &g) in globals.iter().enumerate() {
                    contiguous &= u64::from(g) == u64::from(first) + local as u64;
                    if g == DELETED {
                        continue;
                    }
                    match table.get_mut(g as usize) {
                        Some(slot) if slot.0 == u32::MAX => *slot = (si as u32, local as u32),
                        _ => return Err(format!("global id {g} out of range or repeated")),
                    }
                }
                bases.push(contiguous.then_some(first));
            }
            if table.iter().any(|s| s.0 == u32::MAX) {
                return Err("the doc map does not cover every doc".into());
            }
            Ok(Locate { table, bases })
        });
        locate
            .as_ref()
            .map_err(|d| Error::format(self.docmap.path(), d.clone()))
    }

    /// `Some(base)` when segment `part`'s docs are all live, with global ids
    /// `base + local id` (as a fresh build leaves them): the global id of a
    /// posting is then an addition, not a load.
    pub(crate) fn live_base(&self, part: usize) -> Result<Option<u32>> {
        Ok(self.locate()?.bases.get(part).copied().flatten())
    }

    /// The stored fields of a doc by global id.
    pub(crate) fn stored(&self, id: u32) -> Result<Option<StoredDoc>> {
        let Some(&(s, l)) = self.locate_table()?.get(id as usize) else {
            return Ok(None);
        };
        self.segments[s as usize].stored(l).map(Some)
    }

    /// Every doc's problems as stored, in doc-id order.
    ///
    /// # Errors
    /// [`Error::Format`] when a stored record is corrupt.
    pub fn doc_problems(&self) -> Result<Vec<Problem>> {
        let mut out = Vec::new();
        for id in 0..self.manifest.num_docs {
            if let Some(d) = self.stored(id)? {
                out.extend(d.problems);
            }
        }
        Ok(out)
    }

    /// Checks the checksum of every section of every file of this commit
    /// (a query checks only what it reads, on first use), so that a
    /// corruption anywhere is found now (`specsearch index`).
    ///
    /// # Errors
    /// [`Error::Format`] naming the file and section that does not match.
    pub fn verify(&self) -> Result<()> {
        self.docmap.verify()?;
        for seg in &self.segments {
            seg.verify()?;
        }
        Ok(())
    }

    /// The problems of the last commit as the index holds them, without a
    /// walk (what `Index.open_existing(...).problems` reports): each doc's
    /// stored problems and each skipped file's, in walk order (docs in
    /// doc-id order, a skipped file before the first doc whose path sorts
    /// after its path). The walk's own problems (an unreadable folder, an
    /// ignore file over its caps) are not kept, in either engine.
    ///
    /// # Errors
    /// [`Error::Format`] when a stored record is corrupt.
    pub fn stored_problems(&self) -> Result<Vec<Problem>> {
        let mut out = Vec::new();
        let mut skipped = self.manifest.skipped.iter().peekable();
        for id in 0..self.manifest.num_docs {
            if let Some(d) = self.stored(id)? {
                while let Some(e) = skipped.next_if(|e| e.path < d.meta.path) {
                    out.push(Problem::file(&e.path, e.message.clone()));
                }
                out.extend(d.problems);
            }
        }
        out.extend(skipped.map(|e| Problem::file(&e.path, e.message.clone())));
        Ok(out)
    }

    /// The global ids of a segment's local docs, checked to be in range.
    pub(crate) fn live_globals(&self, part: usize) -> Result<&[u32]> {
        // The locate table checks once that every live global id is in
        // range and unique.
        self.locate_table()?;
        self.docmap.globals(part)
    }

    /// Calls `g(global id, positions)` for every live doc with `term` in
    /// field `f` (positions are kept for phrase queries).
    ///
    /// # Errors
    /// [`Error::Format`] when a section is corrupt.
    pub fn positions(&self, f: Field, term: &str, mut g: impl FnMut(u32, &[u32])) -> Result<()> {
        self.guard_reads(|| {
            for (si, seg) in self.segments.iter().enumerate() {
                let map = self.docmap.globals(si)?;
                if let Some(info) = seg.term(f, term)? {
                    seg.postings_with_positions(f, &info, |local, p| {
                        let gid = map[local as usize];
                        if gid != DELETED {
                            g(gid, p);
                        }
                    })?;
                }
            }
            Ok(())
        })
    }

    /// Runs `read`, turning a panic into [`Error::Format`] on the index
    /// folder. The `fst` crate trusts its bytes: a term dictionary that is
    /// malformed but matches its checksums (crafted) makes it index out of
    /// bounds (found by the `segment_open` fuzz target). Every read that
    /// walks a dictionary (search, snippets, positions, routing) goes
    /// through this.
    pub(crate) fn guard_reads<T>(&self, read: impl FnOnce() -> Result<T>) -> Result<T> {
        catch_unwind(AssertUnwindSafe(read)).unwrap_or_else(|payload| {
            Err(Error::format(
                &self.dir,
                format!("internal error while reading: {}", panic_message(&*payload)),
            ))
        })
    }
}

fn seg_header_crc(seg: &SegmentReader) -> u32 {
    seg.header_crc()
}

fn check_header(path: &Path, got: u32, want: u32) -> Result<()> {
    if got == want {
        Ok(())
    } else {
        Err(Error::format(
            path,
            "header checksum differs from the manifest (not the file of this commit)",
        ))
    }
}
