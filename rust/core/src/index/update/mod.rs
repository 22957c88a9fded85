//! Incremental updates of an on-disk index (SPEC.md §10).
//!
//! [`DiskIndex::open_or_update`] walks the roots and compares each file with
//! the current commit's doc map: by stat first (size, mtime, ctime, inode
//! and device, as the walk saw them), then by content hash (xxh3-64) when
//! the stat differs or is racy, so a touched but identical file is not
//! indexed again and an edit that kept size and mtime is still seen. Only
//! added and changed files are read, parsed and analyzed, in parallel with
//! rayon: cut into contiguous ranges of the walk (one per thread when the
//! update is large enough, see `build::builders`), each range feeding its own
//! segment builder in walk order (the builders split the memory budget),
//! finished and written concurrently; a lone builder is fed by batches
//! analyzed in parallel. A builder is flushed to a new segment whenever its
//! estimated memory passes its budget; the new segments follow the old ones
//! in the manifest, range by range.
//! A new doc map gives every live doc its global id (its position among the
//! indexed files of the walk) and tombstones the rest; the manifest is then
//! replaced atomically. When there are more segments than the merge
//! threshold, all of them are merged into one, dropping deleted docs.
//! Nothing changed → nothing is written and no lock is taken.
//!
//! The update runs in three steps, one submodule each: `classify` compares
//! the walk with the snapshot (`UpdatePlan`: reuse, skip or process each
//! file), `build` reads the files to process into new segments, and
//! `commit` lays out the new commit (global ids, merge) and writes it.
//! (`UpdatePlan` is unrelated to the query plan of `search`.)

mod build;
mod classify;
mod commit;

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use classify::{assemble_problems, classify};
use commit::apply;
use rayon::prelude::*;

use super::directory::{create_private_dir, write_synced, DirLock};
use super::disk::DiskIndex;
use super::memory::BuildOptions;
use crate::error::{Error, Result};
use crate::problem::Problem;
use crate::walk::{collect_cached, CachedWalk, SpecFile, WALK_CACHE_FILE};

/// The default memory budget of the segment builder: 256 MiB.
pub const DEFAULT_MEMORY_BUDGET: usize = 256 * 1024 * 1024;

/// The default merge threshold: more segments than this are merged.
pub const DEFAULT_MERGE_THRESHOLD: usize = 8;

/// A file whose mtime is this close to (or after) the start of the commit
/// that recorded it is hashed again even when its stat is unchanged: it may
/// have changed again within the file system's timestamp granularity.
const RACY_NS: i64 = 2_000_000_000;

/// Options of [`DiskIndex::open_or_update`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DiskOptions {
    /// The file size cap and the worker threads (0: rayon's global pool).
    pub build: BuildOptions,
    /// The segment builder's memory budget, in bytes: a segment is written
    /// when its estimated size passes it (peak memory is a small multiple).
    pub memory_budget_bytes: usize,
    /// More segments than this are merged into one (at least 1).
    pub merge_threshold: usize,
    /// Give each thread a segment builder of its own even when one
    /// builder's segment would fit the budget: a faster build (about a fifth
    /// at 100 MB), but a segment per builder, which queries read slower
    /// (about a fifth at 100 MB). Off by default.
    pub split_small: bool,
    /// Build afresh from the files, ignoring the existing index (which is
    /// replaced by the new commit, never deleted first). Its document
    /// vectors stay available for reuse (SPEC.md §10).
    pub rebuild: bool,
}

impl Default for DiskOptions {
    fn default() -> Self {
        Self {
            build: BuildOptions::default(),
            memory_budget_bytes: DEFAULT_MEMORY_BUDGET,
            merge_threshold: DEFAULT_MERGE_THRESHOLD,
            split_small: false,
            rebuild: false,
        }
    }
}

/// What an [`DiskIndex::open_or_update`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UpdateStats {
    /// Files indexed that the previous commit did not have.
    pub added: u64,
    /// Files indexed again because their content changed.
    pub changed: u64,
    /// Docs of the previous commit that are gone (file removed, ignored or now skipped).
    pub deleted: u64,
    /// Docs kept as they were.
    pub unchanged: u64,
    /// Segments after the update.
    pub segments: u64,
    /// Whether the segments were merged.
    pub merged: bool,
    /// Whether the index was rebuilt from scratch because the existing one
    /// could not be read (or was made with another `max_file_bytes`).
    pub rebuilt: bool,
    /// Whether a commit was written.
    pub committed: bool,
    /// Why the existing index was rebuilt when it could not be read: the
    /// format error (file and detail) that was found, for a notice.
    pub damage: Option<String>,
}

/// Progress callback: `(files done, files to index)`.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

fn now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// `std::path::absolute(path)`, with the working directory looked up once
/// by the caller (`absolute` asks the OS on every call for a relative path)
/// and its component-wise normalization only for paths that need it (a
/// `.` component or a doubled `/`: the walk's paths have none). A path that
/// is already absolute and clean is borrowed, not copied (a 1 GB corpus
/// given by an absolute root: 128k copies, made and freed on every open).
fn absolute_in<'p>(cwd: Option<&Path>, path: &'p Path) -> Cow<'p, Path> {
    if clean_absolute(path) {
        return Cow::Borrowed(path);
    }
    let joined = match cwd {
        // As `c.join(path)`, without growing the working directory's
        // buffer into the path (two reallocations per spec).
        Some(c) if !path.is_absolute() => {
            let mut p = PathBuf::with_capacity(c.as_os_str().len() + 1 + path.as_os_str().len());
            p.push(c);
            p.push(path);
            p
        }
        _ => path.to_path_buf(),
    };
    Cow::Owned(if clean_absolute(&joined) {
        joined
    } else {
        std::path::absolute(&joined).unwrap_or_else(|_| path.to_path_buf())
    })
}

/// Whether `path` is absolute and needs no normalization.
fn clean_absolute(path: &Path) -> bool {
    path.is_absolute()
        && path
            .as_os_str()
            .as_encoded_bytes()
            .strip_prefix(b"/")
            .is_some_and(crate::walk::clean_components)
}

/// Walks of at least this many files are freed by [`free_later`].
const FREE_LATER_FILES: usize = 1 << 14;

/// Frees a walk's file list on a short-lived thread of its own when it is
/// long, so that the caller does not wait for it: at 1 GB (128k specs, two
/// paths each) it takes about 14 ms, a twentieth of a no-change check, all
/// of it on the command line's critical path. A short list, or one whose
/// thread cannot be made, is freed here.
fn free_later(files: Vec<SpecFile>) {
    if files.len() < FREE_LATER_FILES {
        return;
    }
    // A failed spawn drops its closure, and the list with it, here.
    let spawned = std::thread::Builder::new()
        .name("specsearch-free".to_owned())
        .spawn(move || drop(files));
    drop(spawned);
}

/// A walk cache larger than this is not read (a 1 GB corpus of 20 KB specs
/// makes about 6 MB).
const MAX_WALK_CACHE_BYTES: u64 = 256 << 20;

/// A walk cache file found in an index folder: its bytes, mapped, when it
/// has any and they could be mapped.
struct FoundCache(Option<memmap2::Mmap>);

/// The index's walk cache, if it has a plausible one (a regular file not
/// too large), mapped (not read: at 1 GB of specs the cache is about 18 MB,
/// which a read copies into fresh pages).
fn read_walk_cache(dir: &Path) -> Option<FoundCache> {
    let (file, meta) =
        crate::walk::open_regular(&dir.join(WALK_CACHE_FILE), Some(MAX_WALK_CACHE_BYTES), None)
            .ok()?;
    if meta.len() == 0 {
        return Some(FoundCache(None));
    }
    // SAFETY: the walk cache is only ever replaced whole (written to a
    // temporary file, synced, renamed over it: `store_walk_cache`), never
    // written in place, so the mapped file does not change; as for the
    // segments, another program truncating it would break the mapping.
    // Its bytes are checksummed before they are trusted.
    Some(FoundCache(unsafe { memmap2::Mmap::map(&file) }.ok()))
}

/// Replaces the index's walk cache with `record` (tmp file, fsync, rename),
/// or removes it when there is no record (`had`: there was a file). Best
/// effort, in an index folder that exists: a cache that cannot be written
/// only costs the next check a full walk, and a half-written one fails its
/// checksum.
fn store_walk_cache(dir: &Path, record: Option<&[u8]>, had: bool) {
    let path = dir.join(WALK_CACHE_FILE);
    match record {
        Some(bytes) if dir.is_dir() => {
            let tmp = dir.join(format!("{WALK_CACHE_FILE}.tmp"));
            if write_synced(&tmp, bytes).is_err() || std::fs::rename(&tmp, &path).is_err() {
                let _ = std::fs::remove_file(&tmp);
            }
        }
        None if had => {
            let _ = std::fs::remove_file(&path);
        }
        _ => {}
    }
}

fn run_in_pool<T: Send>(pool: Option<&rayon::ThreadPool>, work: impl FnOnce() -> T + Send) -> T {
    match pool {
        Some(p) => p.install(work),
        None => work(),
    }
}

/// Everything [`DiskIndex::open_or_update`] needs besides the snapshot.
struct Job<'a> {
    dir: &'a Path,
    files: &'a [SpecFile],
    abs: &'a [Cow<'a, Path>],
    walk_problems: &'a [Problem],
    opts: &'a DiskOptions,
    progress: Option<Progress<'a>>,
    pool: Option<&'a rayon::ThreadPool>,
    started: i64,
    /// Set by the caller to stop the update: no commit follows.
    cancel: Option<&'a AtomicBool>,
}

impl Job<'_> {
    /// Whether the caller asked to stop.
    fn cancelled(&self) -> bool {
        self.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
    }

    /// [`Error::Cancelled`] when the caller asked to stop.
    fn check_cancel(&self) -> Result<()> {
        if self.cancelled() {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }
}

impl DiskIndex {
    /// Opens the index in `index_dir` and brings it up to date with the
    /// specs under `roots` (building it when there is none), then returns
    /// it with the problems of the current files (walk problems first, then
    /// each file's in walk order) and what was done. When nothing changed,
    /// nothing is written and no lock is taken.
    ///
    /// The result is exactly what [`crate::MemoryIndex::build`] over the
    /// same roots returns: same doc ids, scores, docs, snippets and problems.
    ///
    /// # Errors
    /// [`Error::Io`] when a root does not exist or the folder cannot be
    /// written; [`Error::Locked`] when another writer holds the lock. An
    /// existing index that cannot be read is rebuilt (`rebuilt` is set).
    pub fn open_or_update(
        index_dir: &Path,
        roots: &[PathBuf],
        opts: &DiskOptions,
        progress: Option<Progress<'_>>,
    ) -> Result<(DiskIndex, Vec<Problem>, UpdateStats)> {
        Self::open_or_update_cancellable(index_dir, roots, opts, progress, None)
    }

    /// [`DiskIndex::open_or_update`] that stops soon after `cancel` is set
    /// (between files while indexing, and before merging or committing),
    /// leaving the last committed index as it was.
    ///
    /// # Errors
    /// As [`DiskIndex::open_or_update`], and [`Error::Cancelled`] once
    /// `cancel` is set before the commit.
    pub fn open_or_update_cancellable(
        index_dir: &Path,
        roots: &[PathBuf],
        opts: &DiskOptions,
        progress: Option<Progress<'_>>,
        cancel: Option<&AtomicBool>,
    ) -> Result<(DiskIndex, Vec<Problem>, UpdateStats)> {
        let started = now_ns();
        let max = opts.build.max_file_bytes;
        let pool = if opts.build.threads > 0 {
            rayon::ThreadPoolBuilder::new()
                .num_threads(opts.build.threads)
                .build()
                .ok()
        } else {
            None
        };
        let cache = read_walk_cache(index_dir);
        let walked = run_in_pool(pool.as_ref(), || {
            collect_cached(
                roots,
                max,
                opts.build.walk,
                cache.as_ref().and_then(|c| c.0.as_deref()),
            )
        })?;
        let CachedWalk {
            files,
            problems: walk_problems,
            reused,
            record,
        } = walked;
        let cwd = std::env::current_dir().ok();
        let abs: Vec<Cow<'_, Path>> = run_in_pool(pool.as_ref(), || {
            files
                .par_iter()
                .map(|f| absolute_in(cwd.as_deref(), &f.fs_path))
                .collect()
        });
        let job = Job {
            dir: index_dir,
            files: &files,
            abs: &abs,
            walk_problems: &walk_problems,
            opts,
            progress,
            pool: pool.as_ref(),
            started,
            cancel,
        };
        let result = Self::update_walked(&job);
        if result.is_ok() && !reused {
            // The walk cache describes the tree, not the commit: any walk
            // recorded here may replace it, whatever the update did.
            store_walk_cache(index_dir, record.as_deref(), cache.is_some());
        }
        drop(abs);
        free_later(files);
        result
    }

    /// The update after the walk: classify, and commit when anything changed.
    fn update_walked(job: &Job<'_>) -> Result<(DiskIndex, Vec<Problem>, UpdateStats)> {
        let (index_dir, files, abs, max) =
            (job.dir, job.files, job.abs, job.opts.build.max_file_bytes);
        let mut rebuilt = job.opts.rebuild;
        let mut damage: Option<String> = None;
        let mut locked: Option<DirLock> = None;
        // A format error in the existing index: rebuild it, and say why.
        let mut damaged = |e: &Error, rebuilt: &mut bool| {
            *rebuilt = true;
            damage.get_or_insert_with(|| e.to_string());
        };
        loop {
            let old = match Self::open(index_dir) {
                Ok(ix) if ix.max_file_bytes() == max && !rebuilt => Some(ix),
                Ok(_) => {
                    rebuilt = true;
                    None
                }
                Err(e @ Error::Format { .. }) => {
                    damaged(&e, &mut rebuilt);
                    None
                }
                Err(e) if e.is_not_found() => None,
                Err(e) => return Err(e),
            };
            let planned = run_in_pool(job.pool, || classify(old.as_ref(), files, abs, max));
            let planned = match planned {
                Ok(p) => p,
                Err(e @ Error::Format { .. }) if old.is_some() => {
                    damaged(&e, &mut rebuilt);
                    continue;
                }
                Err(e) => return Err(e),
            };
            if planned.is_noop() && !rebuilt {
                if let Some(old) = old {
                    let problems = match assemble_problems(job, Some(&old), &planned) {
                        Ok(p) => p,
                        Err(e @ Error::Format { .. }) => {
                            damaged(&e, &mut rebuilt);
                            continue;
                        }
                        Err(e) => return Err(e),
                    };
                    let stats = UpdateStats {
                        unchanged: planned.priors.len() as u64,
                        segments: old.num_segments() as u64,
                        ..UpdateStats::default()
                    };
                    return Ok((old, problems, stats));
                }
            }
            if locked.is_none() {
                create_private_dir(index_dir)?;
                locked = Some(DirLock::acquire(index_dir)?);
                // Another writer may have committed since we looked.
                continue;
            }
            match apply(job, old.as_ref(), &planned, rebuilt) {
                Err(e @ Error::Format { .. }) if old.is_some() => {
                    damaged(&e, &mut rebuilt);
                }
                Ok((index, problems, mut stats)) => {
                    stats.damage = damage;
                    return Ok((index, problems, stats));
                }
                Err(e) => return Err(e),
            }
        }
    }
}

#[cfg(test)]
mod tests;
