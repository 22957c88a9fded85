//! Building: the files the plan processes are read, parsed and analyzed
//! (in parallel) and added in walk order to segment builders, one per
//! contiguous range of the walk; each builder is flushed to a new segment
//! file whenever it passes its share of the memory budget.

use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::classify::{Class, UpdatePlan};
use super::{run_in_pool, Job};
use crate::error::Result;
use crate::index::directory::segment_name;
use crate::index::disk::DiskIndex;
use crate::index::manifest::{FileEntry, SegmentEntry, SkippedEntry};
use crate::problem::Problem;
use crate::schema::Field;
use crate::segment::{DiskDoc, SegmentBuilder, SegmentReader, StoredDoc};
use crate::spec::{parse_spec, read_spec_bytes, DocMeta, ReadFailure};
use crate::walk::{FileStat, SpecFile};

/// Files read and analyzed per parallel batch.
const BATCH_FILES: usize = 512;

/// The result of reading one file.
enum Processed {
    Doc(Box<DiskDoc>, FileStat),
    Skipped(SkippedEntry),
}

/// Reads, parses and analyzes a file; `seen` is its stat when the plan had
/// it (before reading it, as recorded: a change after that shows in the
/// next update's stat).
fn process(file: &SpecFile, abs: &Path, max: u64, seen: Option<FileStat>) -> Processed {
    let stat = seen
        .or_else(|| FileStat::of_path(&file.fs_path))
        .unwrap_or(FileStat {
            mtime: FileStat::UNKNOWN_TIME,
            ctime: FileStat::UNKNOWN_TIME,
            ..FileStat::default()
        });
    match read_spec_bytes(&file.fs_path, max, file.identity) {
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
            Processed::Doc(Box::new(DiskDoc::new(stored, &spec)), stat)
        }
        Err(failure) => Processed::Skipped(SkippedEntry {
            path: file.path.clone(),
            abs: abs.to_string_lossy().into_owned(),
            size: stat.size,
            mtime_ns: stat.mtime,
            recheck: matches!(failure, ReadFailure::Io(_) | ReadFailure::NotRegular),
            message: failure.message(max),
        }),
    }
}

/// [`process`] for walked file `i` of the plan.
fn process_file(job: &Job<'_>, plan: &UpdatePlan, i: usize) -> Processed {
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
pub(super) enum Outcome {
    Old {
        prior: usize,
        stat: FileStat,
    },
    New {
        seg: u32,
        local: u32,
        stat: FileStat,
        prior: Option<usize>,
        lengths: [u32; 6],
    },
    Skipped(SkippedEntry),
}

/// A segment of the new commit.
pub(super) struct NewSegment {
    pub(super) reader: Arc<SegmentReader>,
    pub(super) entry: SegmentEntry,
}

/// Writes a segment file with `write(path)` (which returns its size and
/// term counts) and opens it.
pub(super) fn write_segment(
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
        vectors: None,
    };
    Ok(NewSegment {
        reader: Arc::new(reader),
        entry,
    })
}

/// A file to index: its walk index and its size as the plan saw it.
pub(super) type Todo = (usize, u64);

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
/// When one builder would make a single segment, one builder builds it
/// (its files are read and analyzed on the other threads), unless
/// `split_small`: a query looks its words up in every segment's
/// dictionaries, so one segment answers about a fifth faster than two (the
/// mixed set at 100 MB), for a build about a fifth slower there and as fast
/// at 26 MB.
pub(super) fn builders(
    threads: usize,
    files: &[Todo],
    budget: usize,
    old_segments: usize,
    merge_threshold: usize,
    split_small: bool,
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
    if one <= 1 && !split_small {
        1
    } else if old_segments + one > merge_threshold + 1 {
        // A merge anyway: build as fast as possible.
        k
    } else {
        k.min(room / (one.max(1) + 1)).max(1)
    }
}

/// Cuts `files` into at most `k` non-empty contiguous ranges of about the
/// same cost (bytes plus [`FILE_COST`] per file).
pub(super) fn split_ranges(files: &[Todo], k: usize) -> Vec<&[Todo]> {
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
    plan: &'a UpdatePlan,
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
        self.stop.load(std::sync::atomic::Ordering::Relaxed) || self.job.cancelled()
    }
}

/// Hands the free memory of every malloc arena back to the system
/// (glibc's `malloc_trim`; nothing elsewhere). A range worker calls it
/// after each segment it writes: glibc raises its mmap threshold (up to
/// 32 MiB) whenever a large mmapped block is freed, so a builder's large
/// buffers soon come from its thread's arena, and what a finished builder
/// frees there would otherwise stay resident where the other threads
/// cannot reuse it (a 1 GB build on two threads peaked 150 MB higher).
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` takes no pointer and only works on the
    // allocator's own free lists, under its locks: safe from any thread.
    unsafe {
        libc::malloc_trim(0);
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
        release_free_memory();
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

/// What the build step made: every walked file's outcome (in walk order),
/// the new segments in manifest order, the new docs' problems by walk
/// index, and the next free segment file number.
pub(super) struct Built {
    pub(super) outcomes: Vec<Outcome>,
    pub(super) segs: Vec<NewSegment>,
    pub(super) problems: FxHashMap<usize, Vec<Problem>>,
    pub(super) next_segment: u64,
}

/// Reads the files `plan` processes into new segments numbered from
/// `next_segment`, and gives every walked file its outcome.
pub(super) fn build(
    job: &Job<'_>,
    old: Option<&DiskIndex>,
    plan: &UpdatePlan,
    mut next_segment: u64,
) -> Result<Built> {
    // The builders get three quarters of the budget, split evenly: the rest
    // is for the docs in flight (two batches when a builder is fed by
    // parallel batches, one doc per builder otherwise).
    let budget = (job.opts.memory_budget_bytes - job.opts.memory_budget_bytes / 4).max(1);
    let mut outcomes: Vec<Option<Outcome>> = Vec::with_capacity(plan.classes.len());
    let mut to_process: Vec<Todo> = Vec::new();
    for (i, c) in plan.classes.iter().enumerate() {
        outcomes.push(match c {
            Class::Reuse { prior, stat } => Some(Outcome::Old {
                prior: *prior,
                stat: *stat,
            }),
            Class::Skip(e, _) => Some(Outcome::Skipped((**e).clone())),
            Class::Process { stat, .. } => {
                to_process.push((i, stat.map_or(0, |s| s.size)));
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
        job.opts.split_small,
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
    job.check_cancel()?;
    let mut segs: Vec<NewSegment> = Vec::new();
    let mut problems: FxHashMap<usize, Vec<Problem>> = FxHashMap::default();
    for r in results {
        let out = r?;
        let base = segs.len() as u32;
        for (i, mut o) in out.outcomes {
            if let Outcome::New { seg, .. } = &mut o {
                *seg += base;
            }
            outcomes[i] = Some(o);
        }
        problems.extend(out.problems);
        for s in out.segs {
            next_segment = next_segment.max(s.number + 1);
            segs.push(s.seg);
        }
    }
    Ok(Built {
        // Every walked file now has an outcome.
        outcomes: outcomes.into_iter().flatten().collect(),
        segs,
        problems,
        next_segment,
    })
}
