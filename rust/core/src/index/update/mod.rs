//! Incremental updates of an on-disk index (ARCHITECTURE.md §10).
//!
//! [`DiskIndex::open_or_update`] walks the roots and compares each file with
//! the current commit: by size and mtime first, then by content hash
//! (xxh3-64), so a touched but identical file is not indexed again. Only
//! added and changed files are read, parsed and analyzed, in parallel with
//! rayon: cut into contiguous ranges of the walk (one per thread when the
//! update is large enough, see [`builders`]), each range feeding its own
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

use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use rayon::prelude::*;

use super::directory::{
    collect_garbage, commit_manifest, docmap_name, highest_file_number, segment_name, write_synced,
    DirLock,
};
use super::disk::DiskIndex;
use super::docmap::{self, SegmentMap, DELETED};
use super::manifest::{FileEntry, Manifest, SegmentEntry, SkippedEntry};
use super::memory::BuildOptions;
use crate::analysis::ANALYZER_NAME;
use crate::container::FORMAT_VERSION;
use crate::error::{Error, Result};
use crate::problem::Problem;
use crate::schema::Field;
use crate::segment::{self, DiskDoc, SegmentBuilder, SegmentReader, StoredDoc};
use crate::spec::parse_spec;
use crate::spec::{read_spec_bytes, DocMeta, ReadFailure};
use crate::walk::{collect, SpecFile};

/// The default memory budget of the segment builder: 256 MiB.
pub const DEFAULT_MEMORY_BUDGET: usize = 256 * 1024 * 1024;

/// The default merge threshold: more segments than this are merged.
pub const DEFAULT_MERGE_THRESHOLD: usize = 8;

/// Files read and analyzed per parallel batch.
const BATCH_FILES: usize = 512;

/// A file whose mtime is this close to (or after) the start of the commit
/// that recorded it is hashed again even when its stat is unchanged: it may
/// have changed again within the file system's timestamp granularity.
const RACY_NS: i64 = 2_000_000_000;

/// The mtime used when a file's mtime cannot be read: never trusted.
const UNKNOWN_MTIME: i64 = i64::MIN;

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
}

impl Default for DiskOptions {
    fn default() -> Self {
        Self {
            build: BuildOptions::default(),
            memory_budget_bytes: DEFAULT_MEMORY_BUDGET,
            merge_threshold: DEFAULT_MERGE_THRESHOLD,
        }
    }
}

/// What an [`DiskIndex::open_or_update`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
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
}

/// Progress callback: `(files done, files to index)`.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

fn now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// `(size, mtime ns)` of a file, following links as reading does.
fn stat(path: &Path) -> Option<(u64, i64)> {
    let m = std::fs::metadata(path).ok()?;
    let mtime = m
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(UNKNOWN_MTIME, |d| {
            i64::try_from(d.as_nanos()).unwrap_or(UNKNOWN_MTIME)
        });
    Some((m.len(), mtime))
}

fn is_not_found(e: &Error) -> bool {
    matches!(e, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
}

/// A live doc of the previous commit.
struct PriorDoc {
    seg: u32,
    local: u32,
    size: u64,
    mtime: i64,
    hash: u64,
    /// Whether its record holds problems (read only then).
    has_problems: bool,
}

impl PriorDoc {
    /// Appends the doc's stored problems.
    fn problems(&self, old: Option<&DiskIndex>, out: &mut Vec<Problem>) -> Result<()> {
        if let (true, Some(old)) = (self.has_problems, old) {
            out.extend(old.segments[self.seg as usize].stored(self.local)?.problems);
        }
        Ok(())
    }
}

/// What to do with one walked file.
enum Class {
    /// Keep prior doc `prior`; `stat` is the file's current `(size, mtime)`.
    Reuse { prior: usize, stat: (u64, i64) },
    /// Report the recorded skip again (`true`: its stat changed).
    Skip(SkippedEntry, bool),
    /// Read, parse and index it; `prior` is the doc it replaces, `stat` its
    /// `(size, mtime)` as the plan saw it, before reading it (`None` when
    /// it could not be read: the file is stat'ed again when processed).
    Process {
        prior: Option<usize>,
        stat: Option<(u64, i64)>,
    },
}

struct Plan {
    priors: Vec<PriorDoc>,
    classes: Vec<Class>,
    /// Whether the skipped table stays exactly the same.
    skipped_same: bool,
}

impl Plan {
    fn is_noop(&self) -> bool {
        let mut reused = 0;
        for c in &self.classes {
            match c {
                Class::Reuse { prior, stat } => {
                    let p = &self.priors[*prior];
                    if *stat != (p.size, p.mtime) {
                        return false;
                    }
                    reused += 1;
                }
                Class::Skip(_, changed) => {
                    if *changed {
                        return false;
                    }
                }
                Class::Process { .. } => return false,
            }
        }
        reused == self.priors.len() && self.skipped_same
    }
}

/// Compares the walked files with the snapshot `old`.
#[allow(clippy::too_many_lines)] // matching, then classifying, in one pass each
fn plan(old: Option<&DiskIndex>, files: &[SpecFile], abs: &[PathBuf], max: u64) -> Result<Plan> {
    let mut priors = Vec::new();
    // Keys borrowed from the stored records in the old segments' maps.
    let mut by_key: FxHashMap<(&str, &Path), Vec<usize>> = FxHashMap::default();
    let mut skipped_by_key: FxHashMap<(String, String), Vec<&SkippedEntry>> = FxHashMap::default();
    let mut started = i64::MIN;
    if let Some(old) = old {
        started = old.manifest.started_ns;
        for (si, seg) in old.segments.iter().enumerate() {
            let globals = old.docmap.globals(si)?;
            for (local, &g) in globals.iter().enumerate() {
                if g == DELETED {
                    continue;
                }
                let local = local as u32;
                let key = seg.stored_key(local)?;
                let (size, mtime) = old.docmap.stat(si, local)?;
                by_key
                    .entry((key.path, key.abs_path))
                    .or_default()
                    .push(priors.len());
                priors.push(PriorDoc {
                    seg: si as u32,
                    local,
                    size,
                    mtime,
                    hash: key.hash,
                    has_problems: key.problems > 0,
                });
            }
        }
        for e in &old.manifest.skipped {
            skipped_by_key
                .entry((e.path.clone(), e.abs.clone()))
                .or_default()
                .push(e);
        }
    }
    for v in by_key.values_mut() {
        v.reverse();
    }
    for v in skipped_by_key.values_mut() {
        v.reverse();
    }
    // Match walked files to prior docs and skips, in walk order.
    let mut matches: Vec<(Option<usize>, Option<SkippedEntry>)> = Vec::with_capacity(files.len());
    for (f, a) in files.iter().zip(abs) {
        let prior = by_key
            .get_mut(&(f.path.as_str(), a.as_path()))
            .and_then(Vec::pop);
        let skip = if prior.is_none() && !skipped_by_key.is_empty() {
            let lossy = a.to_string_lossy().into_owned();
            skipped_by_key
                .get_mut(&(f.path.clone(), lossy))
                .and_then(Vec::pop)
                .cloned()
        } else {
            None
        };
        matches.push((prior, skip));
    }
    let racy = |mtime: i64| mtime == UNKNOWN_MTIME || mtime >= started.saturating_sub(RACY_NS);
    let priors_ref = &priors;
    let classes: Vec<Class> = files
        .par_iter()
        .zip(matches)
        .map(|(f, (prior, skip))| {
            let now = stat(&f.fs_path);
            if let Some(pi) = prior {
                let p = &priors_ref[pi];
                let Some(now) = now else {
                    return Class::Process {
                        prior: Some(pi),
                        stat: None,
                    };
                };
                if now == (p.size, p.mtime) && !racy(now.1) {
                    return Class::Reuse {
                        prior: pi,
                        stat: now,
                    };
                }
                match read_spec_bytes(&f.fs_path, max) {
                    Ok(bytes) if xxhash_rust::xxh3::xxh3_64(&bytes) == p.hash => Class::Reuse {
                        prior: pi,
                        stat: now,
                    },
                    _ => Class::Process {
                        prior: Some(pi),
                        stat: Some(now),
                    },
                }
            } else if let Some(mut e) = skip {
                match now {
                    Some(now) if !e.recheck && now == (e.size, e.mtime_ns) && !racy(now.1) => {
                        Class::Skip(e, false)
                    }
                    Some(now) => match read_spec_bytes(&f.fs_path, max) {
                        // Still skipped for the same reason: report it again.
                        Err(failure) if failure.message(max) == e.message => {
                            let changed = now != (e.size, e.mtime_ns);
                            (e.size, e.mtime_ns) = now;
                            Class::Skip(e, changed)
                        }
                        _ => Class::Process {
                            prior: None,
                            stat: Some(now),
                        },
                    },
                    None => Class::Process {
                        prior: None,
                        stat: None,
                    },
                }
            } else {
                Class::Process {
                    prior: None,
                    stat: now,
                }
            }
        })
        .collect();
    let kept_skips = classes
        .iter()
        .filter(|c| matches!(c, Class::Skip(..)))
        .count();
    let skipped_same = old.is_none_or(|o| kept_skips == o.manifest.skipped.len());
    Ok(Plan {
        priors,
        classes,
        skipped_same,
    })
}

/// The result of reading one file.
enum Processed {
    Doc(Box<DiskDoc>, (u64, i64)),
    Skipped(SkippedEntry),
}

/// Reads, parses and analyzes a file; `seen` is its `(size, mtime)` when
/// the plan could stat it (before reading it, as recorded: a change after
/// that shows in the next update's stat).
fn process(file: &SpecFile, abs: &Path, max: u64, seen: Option<(u64, i64)>) -> Processed {
    let (size, mtime) = seen
        .or_else(|| stat(&file.fs_path))
        .unwrap_or((0, UNKNOWN_MTIME));
    match read_spec_bytes(&file.fs_path, max) {
        Ok(bytes) => {
            let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
            let (spec, problems) = parse_spec(&file.path, &bytes);
            let stored = StoredDoc {
                meta: DocMeta {
                    path: file.path.clone(),
                    name: spec.name.clone(),
                    description: spec.description.clone(),
                },
                abs_path: abs.to_path_buf(),
                hash,
                problems,
            };
            Processed::Doc(Box::new(DiskDoc::new(stored, &spec)), (size, mtime))
        }
        Err(failure) => Processed::Skipped(SkippedEntry {
            path: file.path.clone(),
            abs: abs.to_string_lossy().into_owned(),
            size,
            mtime_ns: mtime,
            recheck: matches!(failure, ReadFailure::Io(_) | ReadFailure::NotRegular),
            message: failure.message(max),
        }),
    }
}

/// [`process`] for walked file `i` of the plan.
fn process_file(job: &Job<'_>, plan: &Plan, i: usize) -> Processed {
    let seen = match plan.classes[i] {
        Class::Process { stat, .. } => stat,
        _ => None,
    };
    process(
        &job.files[i],
        &job.abs[i],
        job.opts.build.max_file_bytes,
        seen,
    )
}

/// Where a walked file's doc lives after the update.
enum Outcome {
    Old {
        prior: usize,
        stat: (u64, i64),
    },
    New {
        seg: u32,
        local: u32,
        stat: (u64, i64),
        prior: Option<usize>,
        lengths: [u32; 6],
    },
    Skipped(SkippedEntry),
}

/// A segment of the new commit.
struct NewSegment {
    reader: Arc<SegmentReader>,
    entry: SegmentEntry,
}

/// Writes a segment file with `write(path)` (which returns its size and
/// term counts) and opens it.
fn write_segment(
    dir: &Path,
    number: u64,
    write: impl FnOnce(&Path) -> Result<(u64, [u64; 6])>,
) -> Result<NewSegment> {
    let name = segment_name(number);
    let path = dir.join(&name);
    let (bytes, terms) = write(&path)?;
    let reader = SegmentReader::open(&path, Some(bytes))?;
    let entry = SegmentEntry {
        file: FileEntry {
            file: name,
            bytes,
            header_crc: reader.header_crc(),
        },
        docs: reader.num_docs(),
        live: 0,
        terms,
    };
    Ok(NewSegment {
        reader: Arc::new(reader),
        entry,
    })
}

fn run_in_pool<T: Send>(pool: Option<&rayon::ThreadPool>, work: impl FnOnce() -> T + Send) -> T {
    match pool {
        Some(p) => p.install(work),
        None => work(),
    }
}

/// A file to index: its walk index and its size as the plan saw it.
type Todo = (usize, u64);

/// A range of files to index gets its own segment builder only when it has
/// at least this many files...
const MIN_RANGE_FILES: usize = 256;

/// ... and this many bytes (smaller updates make one segment).
const MIN_RANGE_BYTES: u64 = 4 << 20;

/// ... and the builder this much of the budget at least.
const MIN_BUILDER_BUDGET: usize = 16 << 20;

/// What reading, parsing and adding a file costs besides its bytes, in bytes
/// (balances the ranges).
const FILE_COST: u64 = 2048;

/// A sequential range worker reports progress every this many files.
const PROGRESS_EVERY: usize = 64;

/// About how many bytes of builder memory a byte of spec text takes (measured
/// on the generated corpora: 1.0–1.2 for 200 MB builders, more for small ones).
const BUILDER_BYTES_PER_BYTE: f64 = 1.25;

/// How many segment builders index `files` (walk index, size) concurrently
/// with `threads` threads and a builders' `budget`, when `old_segments`
/// segments already exist: one per thread when every range is large
/// enough, else fewer (at least one).
///
/// Builders split the budget, so k builders make about k times as many
/// segments when the budget is what cuts them; k is kept low enough not to
/// pass `merge_threshold` (with a segment to spare) when one builder would
/// not: a merge rewrites the whole index and costs more than it saves.
fn builders(
    threads: usize,
    files: &[Todo],
    budget: usize,
    old_segments: usize,
    merge_threshold: usize,
) -> usize {
    let bytes: u64 = files.iter().map(|f| f.1).sum();
    let by_bytes = usize::try_from(bytes / MIN_RANGE_BYTES).unwrap_or(usize::MAX);
    let k = threads
        .min(files.len() / MIN_RANGE_FILES)
        .min(by_bytes)
        .min(budget / MIN_BUILDER_BUDGET)
        .max(1);
    // Segments one builder would make (a float estimate is plenty here).
    let one = (bytes as f64 * BUILDER_BYTES_PER_BYTE / budget as f64).ceil() as usize;
    let room = merge_threshold.saturating_sub(old_segments);
    if old_segments + one > merge_threshold + 1 {
        // A merge anyway: build as fast as possible.
        k
    } else {
        k.min(room / (one.max(1) + 1)).max(1)
    }
}

/// Cuts `files` into at most `k` non-empty contiguous ranges of about the
/// same cost (bytes plus [`FILE_COST`] per file).
fn split_ranges(files: &[Todo], k: usize) -> Vec<&[Todo]> {
    let cost = |f: &(usize, u64)| f.1.saturating_add(FILE_COST);
    let total: u128 = files.iter().map(|f| u128::from(cost(f))).sum();
    let mut out = Vec::with_capacity(k);
    let (mut start, mut acc) = (0usize, 0u128);
    for (j, f) in files.iter().enumerate() {
        acc += u128::from(cost(f));
        let cut = out.len() + 1;
        if cut < k && acc * k as u128 >= total * cut as u128 {
            out.push(&files[start..=j]);
            start = j + 1;
        }
    }
    out.push(&files[start..]);
    out.retain(|r| !r.is_empty());
    out
}

/// What the range workers share.
struct RangeCtx<'a> {
    job: &'a Job<'a>,
    plan: &'a Plan,
    /// Each builder's memory budget.
    budget: usize,
    /// Whether a worker reads and analyzes its files in parallel batches
    /// (threads to spare) rather than one by one.
    pipelined: bool,
    done: std::sync::Mutex<usize>,
    total: usize,
    /// Set when a worker failed: the others stop early.
    stop: std::sync::atomic::AtomicBool,
}

impl RangeCtx<'_> {
    /// Counts `n` more files done and reports the total (in order: under the lock).
    fn progress(&self, n: usize) {
        if let Some(p) = self.job.progress {
            let mut done = self
                .done
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            *done += n;
            p(*done, self.total);
        }
    }

    fn stopped(&self) -> bool {
        self.stop.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// A new segment and its file number.
struct NumberedSegment {
    number: u64,
    seg: NewSegment,
}

/// What a range worker made: its segments in order, the outcome of each of
/// its files (walk index; `seg` counts from the range's first segment) and
/// the problems of its new docs.
#[derive(Default)]
struct RangeOut {
    segs: Vec<NumberedSegment>,
    outcomes: Vec<(usize, Outcome)>,
    problems: Vec<(usize, Vec<Problem>)>,
}

/// One range's segment builder, flushed to a segment file whenever it
/// passes its budget.
struct RangeBuilder<'c, 'a> {
    ctx: &'c RangeCtx<'a>,
    /// The file number of the range's first segment, and the step to the next.
    numbers: (u64, u64),
    builder: SegmentBuilder,
    out: RangeOut,
}

impl RangeBuilder<'_, '_> {
    /// Adds the result of walked file `i`, in walk order.
    fn add(&mut self, i: usize, r: Processed) -> Result<()> {
        let prior = match self.ctx.plan.classes[i] {
            Class::Process { prior, .. } => prior,
            _ => None,
        };
        let outcome = match r {
            Processed::Doc(doc, stat) => {
                let mut lengths = [0u32; 6];
                for f in Field::ALL {
                    lengths[f.index()] = doc.fields[f.index()].length();
                }
                if !doc.stored.problems.is_empty() {
                    self.out.problems.push((i, doc.stored.problems.clone()));
                }
                let local = self.builder.add(*doc);
                Outcome::New {
                    seg: self.out.segs.len() as u32,
                    local,
                    stat,
                    prior,
                    lengths,
                }
            }
            Processed::Skipped(e) => Outcome::Skipped(e),
        };
        self.out.outcomes.push((i, outcome));
        if self.builder.estimated_bytes() >= self.ctx.budget {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes the builder's docs (if any) to the range's next segment.
    fn flush(&mut self) -> Result<()> {
        if self.builder.num_docs() == 0 {
            return Ok(());
        }
        let number = self.numbers.0 + self.numbers.1 * self.out.segs.len() as u64;
        let b = std::mem::take(&mut self.builder);
        let seg = write_segment(self.ctx.job.dir, number, |p| b.finish(p))?;
        self.out.segs.push(NumberedSegment { number, seg });
        Ok(())
    }
}

/// Reads, parses, analyzes and indexes a contiguous range of the files to
/// process, in walk order, into segments numbered `numbers.0`,
/// `numbers.0 + numbers.1`, … Runs inside the pool.
fn build_range(ctx: &RangeCtx<'_>, range: &[Todo], numbers: (u64, u64)) -> Result<RangeOut> {
    let (job, plan) = (ctx.job, ctx.plan);
    let mut rb = RangeBuilder {
        ctx,
        numbers,
        builder: SegmentBuilder::default(),
        out: RangeOut::default(),
    };
    if ctx.pipelined {
        // Batch k+1 is read and analyzed (in parallel) while batch k is
        // added to the builder, so that the spare threads work; the builder
        // sees the docs in walk order all the same.
        let batches: Vec<&[Todo]> = range.chunks(BATCH_FILES).collect();
        let mut pending: Option<(&[Todo], Vec<Processed>)> = None;
        for k in 0..=batches.len() {
            if ctx.stopped() {
                return Ok(rb.out);
            }
            let next = batches.get(k).copied();
            let rb = &mut rb;
            let (results, added) = rayon::join(
                || {
                    next.map(|batch| {
                        batch
                            .par_iter()
                            .map(|&(i, _)| process_file(job, plan, i))
                            .collect::<Vec<Processed>>()
                    })
                },
                || -> Result<usize> {
                    let Some((batch, results)) = pending.take() else {
                        return Ok(0);
                    };
                    for (&(i, _), r) in batch.iter().zip(results) {
                        rb.add(i, r)?;
                    }
                    Ok(batch.len())
                },
            );
            let added = added?;
            if added > 0 {
                ctx.progress(added);
            }
            pending = next.zip(results);
        }
    } else {
        // One thread per range: each file is added as soon as it is analyzed.
        let mut n = 0;
        for &(i, _) in range {
            if ctx.stopped() {
                return Ok(rb.out);
            }
            rb.add(i, process_file(job, plan, i))?;
            n += 1;
            if n == PROGRESS_EVERY {
                ctx.progress(n);
                n = 0;
            }
        }
        if n > 0 {
            ctx.progress(n);
        }
    }
    rb.flush()?;
    Ok(rb.out)
}

/// Everything [`DiskIndex::open_or_update`] needs besides the snapshot.
struct Job<'a> {
    dir: &'a Path,
    files: &'a [SpecFile],
    abs: &'a [PathBuf],
    walk_problems: &'a [Problem],
    opts: &'a DiskOptions,
    progress: Option<Progress<'a>>,
    pool: Option<&'a rayon::ThreadPool>,
    started: i64,
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
        let started = now_ns();
        let max = opts.build.max_file_bytes;
        let (files, walk_problems) = collect(roots, max)?;
        let abs: Vec<PathBuf> = files
            .iter()
            .map(|f| std::path::absolute(&f.fs_path).unwrap_or_else(|_| f.fs_path.clone()))
            .collect();
        let pool = if opts.build.threads > 0 {
            rayon::ThreadPoolBuilder::new()
                .num_threads(opts.build.threads)
                .build()
                .ok()
        } else {
            None
        };
        let job = Job {
            dir: index_dir,
            files: &files,
            abs: &abs,
            walk_problems: &walk_problems,
            opts,
            progress,
            pool: pool.as_ref(),
            started,
        };
        let mut rebuilt = false;
        let mut locked: Option<DirLock> = None;
        loop {
            let old = match Self::open(index_dir) {
                Ok(ix) if ix.max_file_bytes() == max && !rebuilt => Some(ix),
                Ok(_) | Err(Error::Format { .. }) => {
                    rebuilt = true;
                    None
                }
                Err(e) if is_not_found(&e) => None,
                Err(e) => return Err(e),
            };
            let planned = run_in_pool(job.pool, || plan(old.as_ref(), &files, &abs, max));
            let planned = match planned {
                Ok(p) => p,
                Err(Error::Format { .. }) if old.is_some() => {
                    rebuilt = true;
                    continue;
                }
                Err(e) => return Err(e),
            };
            if planned.is_noop() && !rebuilt {
                if let Some(old) = old {
                    let problems = match assemble_problems(&job, Some(&old), &planned) {
                        Ok(p) => p,
                        Err(Error::Format { .. }) => {
                            rebuilt = true;
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
                std::fs::create_dir_all(index_dir).map_err(|e| Error::io(index_dir, e))?;
                locked = Some(DirLock::acquire(index_dir)?);
                // Another writer may have committed since we looked.
                continue;
            }
            match execute(&job, old.as_ref(), &planned, rebuilt) {
                Err(Error::Format { .. }) if old.is_some() => {
                    rebuilt = true;
                }
                other => return other,
            }
        }
    }
}

/// The problems of an unchanged index, in walk order.
fn assemble_problems(job: &Job<'_>, old: Option<&DiskIndex>, plan: &Plan) -> Result<Vec<Problem>> {
    let mut out = job.walk_problems.to_vec();
    for c in &plan.classes {
        match c {
            Class::Reuse { prior, .. } => plan.priors[*prior].problems(old, &mut out)?,
            Class::Skip(e, _) => out.push(Problem::file(&e.path, e.message.clone())),
            Class::Process { .. } => {}
        }
    }
    Ok(out)
}

fn keep_where<T>(v: Vec<T>, keep: &[bool]) -> Vec<T> {
    v.into_iter()
        .zip(keep)
        .filter_map(|(x, &kp)| kp.then_some(x))
        .collect()
}

/// Indexes what the plan says, commits, and opens the result. The caller holds the lock.
#[allow(clippy::too_many_lines)] // one sequential procedure, easier to follow whole
fn execute(
    job: &Job<'_>,
    old: Option<&DiskIndex>,
    plan: &Plan,
    rebuilt: bool,
) -> Result<(DiskIndex, Vec<Problem>, UpdateStats)> {
    let dir = job.dir;
    let max = job.opts.build.max_file_bytes;
    // The builders get three quarters of the budget, split evenly: the rest
    // is for the docs in flight (two batches when a builder is fed by
    // parallel batches, one doc per builder otherwise).
    let budget = (job.opts.memory_budget_bytes - job.opts.memory_budget_bytes / 4).max(1);
    let mut next_segment = match old {
        Some(o) => o.manifest.next_segment,
        None => highest_file_number(dir) + 1,
    };
    let generation = match old {
        Some(o) => o.manifest.generation + 1,
        None => highest_file_number(dir) + 1,
    };
    let mut outcomes: Vec<Option<Outcome>> = Vec::with_capacity(plan.classes.len());
    let mut to_process: Vec<Todo> = Vec::new();
    for (i, c) in plan.classes.iter().enumerate() {
        outcomes.push(match c {
            Class::Reuse { prior, stat } => Some(Outcome::Old {
                prior: *prior,
                stat: *stat,
            }),
            Class::Skip(e, _) => Some(Outcome::Skipped(e.clone())),
            Class::Process { stat, .. } => {
                to_process.push((i, stat.map_or(0, |s| s.0)));
                None
            }
        });
    }
    let total = to_process.len();
    if let Some(p) = job.progress {
        p(0, total);
    }
    // The files to index are cut into contiguous ranges (in walk order),
    // one segment builder each, built concurrently; each range's segments
    // follow the previous range's in the manifest.
    let threads = run_in_pool(job.pool, rayon::current_num_threads);
    let k = builders(
        threads,
        &to_process,
        budget,
        old.map_or(0, |o| o.segments.len()),
        job.opts.merge_threshold.max(1),
    );
    let ranges = split_ranges(&to_process, k);
    let k = ranges.len().max(1);
    let stride = k as u64;
    let first_number = next_segment;
    let ctx = RangeCtx {
        job,
        plan,
        budget: (budget / k).max(1),
        pipelined: threads > k,
        done: std::sync::Mutex::new(0),
        total,
        stop: std::sync::atomic::AtomicBool::new(false),
    };
    let results: Vec<Result<RangeOut>> = run_in_pool(job.pool, || {
        ranges
            .into_par_iter()
            .with_max_len(1)
            .enumerate()
            .map(|(w, range)| {
                let numbers = (first_number + w as u64, stride);
                let r = build_range(&ctx, range, numbers);
                if r.is_err() {
                    ctx.stop.store(true, std::sync::atomic::Ordering::Relaxed);
                }
                r
            })
            .collect()
    });
    let mut new_segs: Vec<NewSegment> = Vec::new();
    let mut new_problems: FxHashMap<usize, Vec<Problem>> = FxHashMap::default();
    for r in results {
        let out = r?;
        let base = new_segs.len() as u32;
        for (i, mut o) in out.outcomes {
            if let Outcome::New { seg, .. } = &mut o {
                *seg += base;
            }
            outcomes[i] = Some(o);
        }
        new_problems.extend(out.problems);
        for s in out.segs {
            next_segment = next_segment.max(s.number + 1);
            new_segs.push(s.seg);
        }
    }
    // Every walked file now has an outcome.
    let outcomes: Vec<Outcome> = outcomes.into_iter().flatten().collect();
    // Problems: reused docs' from the old commit (read now, while it is
    // surely there), new ones as just parsed.
    let mut problems = job.walk_problems.to_vec();
    for (i, o) in outcomes.iter().enumerate() {
        match o {
            Outcome::Old { prior, .. } => plan.priors[*prior].problems(old, &mut problems)?,
            Outcome::Skipped(e) => problems.push(Problem::file(&e.path, e.message.clone())),
            Outcome::New { .. } => problems.extend(new_problems.remove(&i).unwrap_or_default()),
        }
    }

    // Segments of the new commit: the old ones (in order), then the new ones.
    let old_count = old.map_or(0, |o| o.segments.len());
    let mut readers: Vec<Arc<SegmentReader>> = Vec::new();
    let mut entries: Vec<SegmentEntry> = Vec::new();
    if let Some(o) = old {
        readers.extend(o.segments.iter().cloned());
        entries.extend(o.manifest.segments.iter().cloned());
    }
    for s in new_segs {
        readers.push(s.reader);
        entries.push(s.entry);
    }
    let mut maps: Vec<SegmentMap> = readers
        .iter()
        .map(|r| SegmentMap::deleted(r.num_docs() as usize))
        .collect();
    let mut field_lengths = [0u64; 6];
    let mut order: Vec<(u32, u32)> = Vec::new();
    let mut stats = UpdateStats {
        rebuilt,
        committed: true,
        ..UpdateStats::default()
    };
    let mut old_lengths: Vec<Option<[&[u32]; 6]>> = vec![None; old_count];
    for o in &outcomes {
        let global = order.len() as u32;
        let (seg, local, stat) = match o {
            Outcome::Old { prior, stat } => {
                let p = &plan.priors[*prior];
                let si = p.seg as usize;
                if old_lengths[si].is_none() {
                    let r = &readers[si];
                    let mut cols: [&[u32]; 6] = [&[]; 6];
                    for f in Field::ALL {
                        cols[f.index()] = r.lengths(f)?;
                    }
                    old_lengths[si] = Some(cols);
                }
                if let Some(cols) = &old_lengths[si] {
                    for f in Field::ALL {
                        field_lengths[f.index()] += u64::from(cols[f.index()][p.local as usize]);
                    }
                }
                stats.unchanged += 1;
                (p.seg, p.local, *stat)
            }
            Outcome::New {
                seg,
                local,
                stat,
                prior,
                lengths,
            } => {
                for f in Field::ALL {
                    field_lengths[f.index()] += u64::from(lengths[f.index()]);
                }
                if prior.is_some() {
                    stats.changed += 1;
                } else {
                    stats.added += 1;
                }
                (old_count as u32 + seg, *local, *stat)
            }
            Outcome::Skipped(_) => continue,
        };
        let m = &mut maps[seg as usize];
        m.globals[local as usize] = global;
        m.sizes[local as usize] = stat.0;
        m.mtimes[local as usize] = stat.1;
        order.push((seg, local));
    }
    drop(old_lengths);
    stats.deleted = (plan.priors.len() as u64) - stats.unchanged - stats.changed;
    for (e, m) in entries.iter_mut().zip(&maps) {
        e.live = m.globals.iter().filter(|&&g| g != DELETED).count() as u32;
    }
    // Drop segments without live docs.
    let keep: Vec<bool> = entries.iter().map(|e| e.live > 0).collect();
    let mut seg_new_index = vec![u32::MAX; keep.len()];
    let mut k = 0u32;
    for (i, &kp) in keep.iter().enumerate() {
        if kp {
            seg_new_index[i] = k;
            k += 1;
        }
    }
    let mut readers = keep_where(readers, &keep);
    let mut entries = keep_where(entries, &keep);
    let mut maps = keep_where(maps, &keep);
    for o in &mut order {
        o.0 = seg_new_index[o.0 as usize];
    }
    if readers.len() > job.opts.merge_threshold.max(1) {
        let mut merged = write_segment(dir, next_segment, |p| segment::merge(&readers, &order, p))?;
        next_segment += 1;
        merged.entry.live = order.len() as u32;
        let mut m = SegmentMap::default();
        for (g, &(s, l)) in order.iter().enumerate() {
            let src = &maps[s as usize];
            m.globals.push(g as u32);
            m.sizes.push(src.sizes[l as usize]);
            m.mtimes.push(src.mtimes[l as usize]);
        }
        readers = vec![merged.reader];
        entries = vec![merged.entry];
        maps = vec![m];
        stats.merged = true;
    }
    drop(readers);
    let docmap_file = docmap_name(generation);
    let docmap_bytes = docmap::encode(&maps);
    let docmap_path = dir.join(&docmap_file);
    write_synced(&docmap_path, &docmap_bytes)?;
    let header_crc = {
        let sizes: Vec<usize> = entries.iter().map(|e| e.docs as usize).collect();
        docmap::DocMapReader::open(&docmap_path, None, &sizes)?.header_crc()
    };
    let skipped: Vec<SkippedEntry> = outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Skipped(e) => Some(e.clone()),
            _ => None,
        })
        .collect();
    let manifest = Manifest {
        format_version: FORMAT_VERSION,
        generation,
        analyzer: ANALYZER_NAME.to_owned(),
        max_file_bytes: max,
        num_docs: order.len() as u32,
        field_lengths,
        segments: entries,
        docmap: FileEntry {
            file: docmap_file,
            bytes: docmap_bytes.len() as u64,
            header_crc,
        },
        skipped,
        next_segment,
        started_ns: job.started,
    };
    commit_manifest(dir, &manifest)?;
    collect_garbage(dir, &manifest);
    let index = DiskIndex::open(dir)?;
    stats.segments = index.num_segments() as u64;
    Ok((index, problems, stats))
}
