//! Committing: the new commit is laid out (the old segments in order, then
//! the new ones; every live doc numbered by its position among the indexed
//! files of the walk; segments without live docs dropped; all of them merged
//! into one past the merge threshold), then its doc map and manifest are
//! written and the manifest replaced atomically.

use std::path::Path;
use std::sync::Arc;

use super::build::{build, write_segment, Outcome};
use super::classify::UpdatePlan;
use super::{Job, UpdateStats};
use crate::analysis::ANALYZER_NAME;
use crate::container::FORMAT_VERSION;
use crate::error::Result;
use crate::index::directory::{
    collect_garbage, commit_manifest, docmap_name, highest_file_number, remove_uncommitted,
    write_synced,
};
use crate::index::disk::DiskIndex;
use crate::index::docmap::{self, DocRow, SegmentMap, DELETED};
use crate::index::manifest::{FileEntry, Manifest, SegmentEntry, SkippedEntry, SpareVectors};
use crate::index::vectors;
use crate::problem::Problem;
use crate::schema::Field;
use crate::segment::{self, BlockScratch, SegmentReader};

/// Builds what the plan says, commits, and opens the result. The caller
/// holds the lock.
pub(super) fn apply(
    job: &Job<'_>,
    old: Option<&DiskIndex>,
    plan: &UpdatePlan,
    rebuilt: bool,
) -> Result<(DiskIndex, Vec<Problem>, UpdateStats)> {
    let result = apply_or_leave_files(job, old, plan, rebuilt);
    if result.is_err() {
        // A failed build (a full disk, say) takes its partial files with it.
        remove_uncommitted(job.dir);
    }
    result
}

fn apply_or_leave_files(
    job: &Job<'_>,
    old: Option<&DiskIndex>,
    plan: &UpdatePlan,
    rebuilt: bool,
) -> Result<(DiskIndex, Vec<Problem>, UpdateStats)> {
    let dir = job.dir;
    let next_segment = match old {
        Some(o) => o.manifest.next_segment,
        None => highest_file_number(dir) + 1,
    };
    let generation = match old {
        Some(o) => o.manifest.generation + 1,
        None => highest_file_number(dir) + 1,
    };
    let built = build(job, old, plan, next_segment)?;
    let mut next_segment = built.next_segment;
    let problems = problems_in_walk_order(job, old, plan, &built.outcomes, built.problems)?;
    let mut stats = UpdateStats {
        rebuilt,
        committed: true,
        ..UpdateStats::default()
    };
    let mut layout = Layout::new(old, built.segs);
    layout.number_docs(old, plan, &built.outcomes, &mut stats)?;
    layout.drop_empty();
    job.check_cancel()?;
    if layout.readers.len() > job.opts.merge_threshold.max(1) {
        layout.merge(dir, &mut next_segment)?;
        stats.merged = true;
    }
    job.check_cancel()?;
    let spares = vectors::spares(dir, old, rebuilt);
    write_commit(
        job,
        layout,
        &built.outcomes,
        generation,
        next_segment,
        spares,
    )?;
    let index = DiskIndex::open(dir)?;
    stats.segments = index.num_segments() as u64;
    Ok((index, problems, stats))
}

/// Every walked file's problems in walk order, after the walk's: reused
/// docs' from the old commit (read now, while it is surely there), new
/// ones as just parsed.
fn problems_in_walk_order(
    job: &Job<'_>,
    old: Option<&DiskIndex>,
    plan: &UpdatePlan,
    outcomes: &[Outcome],
    mut new_problems: rustc_hash::FxHashMap<usize, Vec<Problem>>,
) -> Result<Vec<Problem>> {
    let mut problems = job.walk_problems.to_vec();
    let mut scratch = BlockScratch::default();
    for (i, o) in outcomes.iter().enumerate() {
        match o {
            Outcome::Old { prior, .. } => {
                plan.priors[*prior].problems(old, &mut problems, &mut scratch)?;
            }
            Outcome::Skipped(e) => problems.push(Problem::file(&e.path, e.message.clone())),
            Outcome::New { .. } => problems.extend(new_problems.remove(&i).unwrap_or_default()),
        }
    }
    Ok(problems)
}

/// The segments of the new commit with their doc maps, and its live docs.
struct Layout {
    /// How many of the segments come from the old commit (before
    /// `drop_empty`).
    old_count: usize,
    readers: Vec<Arc<SegmentReader>>,
    entries: Vec<SegmentEntry>,
    maps: Vec<SegmentMap>,
    /// `(segment, local id)` of each global id.
    order: Vec<(u32, u32)>,
    /// Each field's total length over the live docs.
    field_lengths: [u64; 6],
}

impl Layout {
    /// The old commit's segments (in order), then the new ones; every doc
    /// deleted until numbered.
    fn new(old: Option<&DiskIndex>, new_segs: Vec<super::build::NewSegment>) -> Layout {
        let mut readers: Vec<Arc<SegmentReader>> = Vec::new();
        let mut entries: Vec<SegmentEntry> = Vec::new();
        if let Some(o) = old {
            readers.extend(o.segments.iter().cloned());
            entries.extend(o.manifest.segments.iter().cloned());
        }
        let old_count = readers.len();
        for s in new_segs {
            readers.push(s.reader);
            entries.push(s.entry);
        }
        let maps = readers
            .iter()
            .map(|r| SegmentMap::deleted(r.num_docs() as usize))
            .collect();
        Layout {
            old_count,
            readers,
            entries,
            maps,
            order: Vec::new(),
            field_lengths: [0; 6],
        }
    }

    /// Gives each live doc its global id (walk order), records its row
    /// (stat as seen now, hash, problem count) and keys in the doc map,
    /// sums the field lengths, counts the docs in `stats` and each
    /// segment's live docs.
    fn number_docs(
        &mut self,
        old: Option<&DiskIndex>,
        plan: &UpdatePlan,
        outcomes: &[Outcome],
        stats: &mut UpdateStats,
    ) -> Result<()> {
        let mut old_lengths: Vec<Option<[&[u32]; 6]>> = vec![None; self.old_count];
        for o in outcomes {
            let global = self.order.len() as u32;
            let (seg, local, row, key) = match o {
                Outcome::Old { prior, stat } => {
                    let p = &plan.priors[*prior];
                    let si = p.seg as usize;
                    let key = match old {
                        Some(o) => {
                            let (path, abs) = o.docmap.segment(si)?.key(p.local)?;
                            (path.to_owned(), abs.to_path_buf())
                        }
                        None => Default::default(),
                    };
                    if old_lengths[si].is_none() {
                        let mut cols: [&[u32]; 6] = [&[]; 6];
                        for f in Field::ALL {
                            cols[f.index()] = self.readers[si].lengths(f)?;
                        }
                        old_lengths[si] = Some(cols);
                    }
                    if let Some(cols) = &old_lengths[si] {
                        for f in Field::ALL {
                            self.field_lengths[f.index()] +=
                                u64::from(cols[f.index()][p.local as usize]);
                        }
                    }
                    stats.unchanged += 1;
                    let row = DocRow {
                        stat: *stat,
                        ..p.row
                    };
                    (p.seg, p.local, row, key)
                }
                Outcome::New {
                    seg,
                    local,
                    stat,
                    prior,
                    lengths,
                } => {
                    for f in Field::ALL {
                        self.field_lengths[f.index()] += u64::from(lengths[f.index()]);
                    }
                    if prior.is_some() {
                        stats.changed += 1;
                    } else {
                        stats.added += 1;
                    }
                    let seg = self.old_count as u32 + seg;
                    let k = self.readers[seg as usize].stored_key(*local)?;
                    let row = DocRow {
                        stat: *stat,
                        hash: k.hash,
                        problems: k.problems,
                    };
                    (
                        seg,
                        *local,
                        row,
                        (k.path.to_owned(), k.abs_path.to_path_buf()),
                    )
                }
                Outcome::Skipped(_) => continue,
            };
            self.maps[seg as usize].set(local as usize, global, row, key);
            self.order.push((seg, local));
        }
        stats.deleted = (plan.priors.len() as u64) - stats.unchanged - stats.changed;
        for (e, m) in self.entries.iter_mut().zip(&self.maps) {
            e.live = m.globals.iter().filter(|&&g| g != DELETED).count() as u32;
        }
        Ok(())
    }

    /// Drops the segments without live docs.
    fn drop_empty(&mut self) {
        let keep: Vec<bool> = self.entries.iter().map(|e| e.live > 0).collect();
        let mut seg_new_index = vec![u32::MAX; keep.len()];
        let mut k = 0u32;
        for (i, &kp) in keep.iter().enumerate() {
            if kp {
                seg_new_index[i] = k;
                k += 1;
            }
        }
        self.readers = keep_where(std::mem::take(&mut self.readers), &keep);
        self.entries = keep_where(std::mem::take(&mut self.entries), &keep);
        self.maps = keep_where(std::mem::take(&mut self.maps), &keep);
        for o in &mut self.order {
            o.0 = seg_new_index[o.0 as usize];
        }
    }

    /// Merges every segment into one (file number `next`, then the merged
    /// document vectors' file, if any, `next + 1`), in global-id order,
    /// dropping deleted docs; advances `next` past the numbers used.
    fn merge(&mut self, dir: &Path, next: &mut u64) -> Result<()> {
        let order = &self.order;
        let mut merged = write_segment(dir, *next, |p| segment::merge(&self.readers, order, p))?;
        *next += 1;
        merged.entry.live = order.len() as u32;
        merged.entry.vectors = vectors::carry_into_merge(dir, &self.entries, order, *next)?;
        if merged.entry.vectors.is_some() {
            *next += 1;
        }
        let mut m = SegmentMap::default();
        for (g, &(s, l)) in order.iter().enumerate() {
            let src = &mut self.maps[s as usize];
            let key = std::mem::take(&mut src.keys[l as usize]);
            m.push(g as u32, src.rows[l as usize], key);
        }
        self.readers = vec![merged.reader];
        self.entries = vec![merged.entry];
        self.maps = vec![m];
        Ok(())
    }
}

fn keep_where<T>(v: Vec<T>, keep: &[bool]) -> Vec<T> {
    v.into_iter()
        .zip(keep)
        .filter_map(|(x, &kp)| kp.then_some(x))
        .collect()
}

/// Writes the doc map and the manifest of the laid-out commit, replaces the
/// manifest atomically and removes the files no commit lists.
fn write_commit(
    job: &Job<'_>,
    layout: Layout,
    outcomes: &[Outcome],
    generation: u64,
    next_segment: u64,
    spare_vectors: Vec<SpareVectors>,
) -> Result<()> {
    let dir = job.dir;
    let Layout {
        readers,
        entries,
        maps,
        order,
        field_lengths,
        ..
    } = layout;
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
        max_file_bytes: job.opts.build.max_file_bytes,
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
        spare_vectors,
    };
    commit_manifest(dir, &manifest)?;
    collect_garbage(dir, &manifest);
    Ok(())
}
