//! Classifying: each walked file against the snapshot of the previous
//! commit, as recorded in its doc map (keys and rows, read in place: no
//! stored record is decompressed). A file whose doc path and absolute path
//! match a live doc is reused when its stat (size, mtime, ctime, inode,
//! device; taken by the walk) is unchanged and not racy, or else when its
//! content hash is; a file recorded as skipped is skipped again when it
//! still fails for the same reason; every other file is processed.

use std::borrow::Cow;
use std::path::Path;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::{run_in_pool, Job, RACY_NS};
use crate::error::Result;
use crate::index::disk::DiskIndex;
use crate::index::docmap::{DocRow, DELETED};
use crate::index::manifest::SkippedEntry;
use crate::problem::Problem;
use crate::segment::{path_bytes, BlockScratch};
use crate::spec::read_spec_bytes;
use crate::walk::{FileStat, SpecFile};

/// A live doc of the previous commit.
pub(super) struct PriorDoc {
    pub(super) seg: u32,
    pub(super) local: u32,
    /// Its row in the doc map: stat, hash, problem count.
    pub(super) row: DocRow,
}

impl PriorDoc {
    /// Appends the doc's stored problems (its block read through `scratch`:
    /// a pass over every doc keeps no decompressed blocks).
    pub(super) fn problems(
        &self,
        old: Option<&DiskIndex>,
        out: &mut Vec<Problem>,
        scratch: &mut BlockScratch,
    ) -> Result<()> {
        if let (true, Some(old)) = (self.row.problems > 0, old) {
            let seg = self.seg as usize;
            out.extend(
                old.segments[seg]
                    .stored_once(seg, self.local, scratch)?
                    .problems,
            );
        }
        Ok(())
    }
}

/// What to do with one walked file.
pub(super) enum Class {
    /// Keep prior doc `prior`; `stat` is the file's current stat.
    Reuse { prior: usize, stat: FileStat },
    /// Report the recorded skip again (`true`: its stat changed).
    Skip(Box<SkippedEntry>, bool),
    /// Read, parse and index it; `prior` is the doc it replaces, `stat` its
    /// stat as the walk saw it, before reading it (`None` when it could not
    /// be had: the file is stat'ed again when processed).
    Process {
        prior: Option<usize>,
        stat: Option<FileStat>,
    },
}

/// What an update does with each walked file, against the previous commit.
pub(super) struct UpdatePlan {
    /// The live docs of the previous commit.
    pub(super) priors: Vec<PriorDoc>,
    /// One class per walked file, in walk order.
    pub(super) classes: Vec<Class>,
    /// Whether the skipped table stays exactly the same.
    pub(super) skipped_same: bool,
}

impl UpdatePlan {
    /// Whether the update changes nothing (so nothing is written).
    pub(super) fn is_noop(&self) -> bool {
        let mut reused = 0;
        for c in &self.classes {
            match c {
                Class::Reuse { prior, stat } => {
                    if *stat != self.priors[*prior].row.stat {
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

/// No prior doc (the end of a chain).
const NONE: usize = usize::MAX;

/// The live docs of a snapshot, looked up by `(doc path, absolute path)`
/// (the bytes of both, borrowed from the mapped doc map), and its skipped
/// files by the same key. Docs with the same key (a file given twice) are
/// chained, so that each lookup takes the first left in commit order.
struct Snapshot<'o> {
    priors: Vec<PriorDoc>,
    /// Each prior doc's key, in commit order.
    keys: Vec<(&'o [u8], &'o [u8])>,
    skipped_by_key: FxHashMap<(String, String), Vec<&'o SkippedEntry>>,
    /// When the previous commit started (`i64::MIN` without one).
    started: i64,
}

impl<'o> Snapshot<'o> {
    /// Reads the doc map's keys and rows (never a stored record).
    fn read(old: Option<&'o DiskIndex>) -> Result<Snapshot<'o>> {
        let mut snap = Snapshot {
            priors: Vec::new(),
            keys: Vec::new(),
            skipped_by_key: FxHashMap::default(),
            started: i64::MIN,
        };
        let Some(old) = old else {
            return Ok(snap);
        };
        snap.started = old.manifest.started_ns;
        let live = old.manifest.num_docs as usize;
        snap.priors.reserve(live);
        snap.keys.reserve(live);
        // One segment per task (its doc map sections are checksummed on
        // first use, so that work is spread too), then in segment order.
        let per_segment: Vec<Rows<'o>> = (0..old.segments.len())
            .into_par_iter()
            .map(|si| -> Result<Rows<'o>> {
                let view = old.docmap.segment(si)?;
                let mut keys = Vec::with_capacity(view.globals.len());
                let mut priors = Vec::with_capacity(view.globals.len());
                for (local, &g) in view.globals.iter().enumerate() {
                    if g == DELETED {
                        continue;
                    }
                    let local = local as u32;
                    keys.push(view.key_bytes(local)?);
                    priors.push(PriorDoc {
                        seg: si as u32,
                        local,
                        row: view.row(local)?,
                    });
                }
                Ok((keys, priors))
            })
            .collect::<Result<_>>()?;
        for (keys, priors) in per_segment {
            snap.keys.extend(keys);
            snap.priors.extend(priors);
        }
        for e in &old.manifest.skipped {
            snap.skipped_by_key
                .entry((e.path.clone(), e.abs.clone()))
                .or_default()
                .push(e);
        }
        for v in snap.skipped_by_key.values_mut() {
            v.reverse();
        }
        Ok(snap)
    }

    /// Matches walked files to prior docs and skips, in walk order; gives
    /// back the prior docs and the start of the previous commit.
    fn match_files(
        mut self,
        files: &[SpecFile],
        abs: &[Cow<'_, Path>],
    ) -> (Vec<PriorDoc>, i64, Matches) {
        let matches = if self.aligned(files, abs) {
            (0..files.len()).map(|i| (Some(i), None)).collect()
        } else {
            self.match_by_key(files, abs)
        };
        (self.priors, self.started, matches)
    }

    /// Whether walked file i has prior doc i's key, for every i: the common
    /// case of a tree walked as it was committed. File i then matches prior
    /// doc i, as [`Self::match_by_key`] would match it (with duplicate keys
    /// too: each file takes the first prior doc left in commit order).
    fn aligned(&self, files: &[SpecFile], abs: &[Cow<'_, Path>]) -> bool {
        files.len() == self.keys.len()
            && files
                .par_iter()
                .zip(abs)
                .zip(&self.keys)
                .all(|((f, a), k)| (f.path.as_bytes(), path_bytes(a)) == *k)
    }

    /// Matches each walked file by its key: to the first prior doc with it
    /// that no earlier file took, or else to a recorded skip.
    fn match_by_key(&mut self, files: &[SpecFile], abs: &[Cow<'_, Path>]) -> Matches {
        // Backwards, so that each key's chain runs in commit order.
        let mut by_key: FxHashMap<(&[u8], &[u8]), usize> = FxHashMap::default();
        by_key.reserve(self.keys.len());
        let mut next_same = vec![NONE; self.keys.len()];
        for (i, &key) in self.keys.iter().enumerate().rev() {
            next_same[i] = by_key.insert(key, i).unwrap_or(NONE);
        }
        let mut skipped_by_key = std::mem::take(&mut self.skipped_by_key);
        let mut matches = Vec::with_capacity(files.len());
        for (f, a) in files.iter().zip(abs) {
            let prior = match by_key.get_mut(&(f.path.as_bytes(), path_bytes(a))) {
                Some(head) if *head != NONE => {
                    let found = *head;
                    *head = next_same[found];
                    Some(found)
                }
                _ => None,
            };
            let skip = if prior.is_none() && !skipped_by_key.is_empty() {
                let lossy = a.to_string_lossy().into_owned();
                skipped_by_key
                    .get_mut(&(f.path.clone(), lossy))
                    .and_then(Vec::pop)
                    .map(|e| Box::new(e.clone()))
            } else {
                None
            };
            matches.push((prior, skip));
        }
        matches
    }
}

/// One segment's live docs: their keys and prior docs, in commit order.
type Rows<'o> = (Vec<(&'o [u8], &'o [u8])>, Vec<PriorDoc>);

/// The prior doc and the recorded skip each walked file matched.
type Matches = Vec<(Option<usize>, Option<Box<SkippedEntry>>)>;

/// Whether `files` are aligned with `old`'s docs, and the prior doc each
/// file matches by key (a test of the aligned shortcut).
#[cfg(test)]
pub(super) fn matched_by_key(
    old: &DiskIndex,
    files: &[SpecFile],
    abs: &[Cow<'_, Path>],
) -> Result<(bool, Vec<Option<usize>>)> {
    let mut snap = Snapshot::read(Some(old))?;
    let aligned = snap.aligned(files, abs);
    let by_key = snap.match_by_key(files, abs);
    Ok((aligned, by_key.into_iter().map(|m| m.0).collect()))
}

/// Classifies one walked file, given the prior doc or the skip it matched.
/// `racy(stat)` tells whether an unchanged stat cannot be trusted.
fn classify_file(
    file: &SpecFile,
    max: u64,
    prior: Option<(usize, &PriorDoc)>,
    skip: Option<Box<SkippedEntry>>,
    racy: impl Fn(&FileStat) -> bool,
) -> Class {
    let now = file.stat.or_else(|| FileStat::of_path(&file.fs_path));
    if let Some((pi, p)) = prior {
        let Some(now) = now else {
            return Class::Process {
                prior: Some(pi),
                stat: None,
            };
        };
        if now == p.row.stat && !racy(&now) {
            return Class::Reuse {
                prior: pi,
                stat: now,
            };
        }
        // Changed or ambiguous: the content decides.
        match read_spec_bytes(&file.fs_path, max, file.identity) {
            Ok(bytes) if xxhash_rust::xxh3::xxh3_64(&bytes) == p.row.hash => Class::Reuse {
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
            Some(now)
                if !e.recheck && (now.size, now.mtime) == (e.size, e.mtime_ns) && !racy(&now) =>
            {
                Class::Skip(e, false)
            }
            Some(now) => match read_spec_bytes(&file.fs_path, max, file.identity) {
                // Still skipped for the same reason: report it again.
                Err(failure) if failure.message(max) == e.message => {
                    let changed = (now.size, now.mtime) != (e.size, e.mtime_ns);
                    (e.size, e.mtime_ns) = (now.size, now.mtime);
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
}

/// Compares the walked files with the snapshot `old` (files are stat'ed,
/// and read when needed, in parallel).
pub(super) fn classify(
    old: Option<&DiskIndex>,
    files: &[SpecFile],
    abs: &[Cow<'_, Path>],
    max: u64,
) -> Result<UpdatePlan> {
    let (priors, started, matches) = Snapshot::read(old)?.match_files(files, abs);
    // As git's racy check: a file changed within the timestamp granularity
    // of the last commit's start may have the stat it was recorded with.
    let after = started.saturating_sub(RACY_NS);
    let racy = |s: &FileStat| {
        s.mtime == FileStat::UNKNOWN_TIME
            || s.mtime >= after
            || (s.ctime != FileStat::UNKNOWN_TIME && s.ctime >= after)
    };
    let priors_ref = &priors;
    let classes: Vec<Class> = files
        .par_iter()
        .zip(matches)
        .map(|(f, (prior, skip))| {
            classify_file(f, max, prior.map(|pi| (pi, &priors_ref[pi])), skip, racy)
        })
        .collect();
    let kept_skips = classes
        .iter()
        .filter(|c| matches!(c, Class::Skip(..)))
        .count();
    let skipped_same = old.is_none_or(|o| kept_skips == o.manifest.skipped.len());
    Ok(UpdatePlan {
        priors,
        classes,
        skipped_same,
    })
}

/// The problems of an unchanged index, in walk order.
pub(super) fn assemble_problems(
    job: &Job<'_>,
    old: Option<&DiskIndex>,
    plan: &UpdatePlan,
) -> Result<Vec<Problem>> {
    // A reused doc's problems are in its stored record, whose block is
    // decompressed to read them: in parallel.
    let stored: Vec<Vec<Problem>> = run_in_pool(job.pool, || {
        plan.classes
            .par_iter()
            .map_init(BlockScratch::default, |scratch, c| {
                let mut got = Vec::new();
                if let Class::Reuse { prior, .. } = c {
                    plan.priors[*prior].problems(old, &mut got, scratch)?;
                }
                Ok(got)
            })
            .collect::<Result<_>>()
    })?;
    let mut out = job.walk_problems.to_vec();
    for (c, got) in plan.classes.iter().zip(stored) {
        match c {
            Class::Reuse { .. } => out.extend(got),
            Class::Skip(e, _) => out.push(Problem::file(&e.path, e.message.clone())),
            Class::Process { .. } => {}
        }
    }
    Ok(out)
}
