//! Unit tests of the update steps: classify, build, commit.

use std::borrow::Cow;
use std::fs;
use std::path::{Path, PathBuf};

use super::build::{build, builders, split_ranges, Outcome};
use super::classify::{classify, Class, UpdatePlan};
use super::commit::apply;
use super::{now_ns, DiskOptions, Job, UpdateStats};
use crate::error::Error;
use crate::index::disk::DiskIndex;
use crate::problem::Problem;
use crate::walk::{collect, SpecFile};

fn write(root: &Path, rel: &str, content: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, content).unwrap();
}

fn spec(name: &str, body: &str) -> String {
    format!("---\nname: {name}\ndescription: the {name} agent\n---\n{body}\n")
}

/// A root with `a.md`, `b.md`, `c.md` and an index of it.
fn indexed() -> (tempfile::TempDir, PathBuf, PathBuf, DiskIndex) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    let ix = tmp.path().join("ix");
    write(&root, "a.md", &spec("a", "alpha words"));
    write(&root, "b.md", &spec("b", "beta words"));
    write(&root, "c.md", &spec("c", "gamma words"));
    let (disk, stats) = update(&ix, &root);
    assert_eq!(stats.added, 3);
    (tmp, root, ix, disk)
}

/// `open_or_update` of `ix` from `root`, with the default options.
fn update(ix: &Path, root: &Path) -> (DiskIndex, UpdateStats) {
    let (disk, _, stats) =
        DiskIndex::open_or_update(ix, &[root.to_path_buf()], &DiskOptions::default(), None)
            .unwrap();
    (disk, stats)
}

/// The walk of `root` with absolute paths, as `open_or_update` makes it.
fn walk(root: &Path) -> (Vec<SpecFile>, Vec<Cow<'static, Path>>, Vec<Problem>) {
    let (files, problems) = collect(&[root.to_path_buf()], u64::MAX).unwrap();
    let abs = files
        .iter()
        .map(|f| Cow::Owned(std::path::absolute(&f.fs_path).unwrap()))
        .collect();
    (files, abs, problems)
}

/// The walk of `root` and its plan against `disk`.
fn planned(
    root: &Path,
    disk: &DiskIndex,
    opts: &DiskOptions,
) -> (
    Vec<SpecFile>,
    Vec<Cow<'static, Path>>,
    Vec<Problem>,
    UpdatePlan,
) {
    let (files, abs, walk_problems) = walk(root);
    let plan = classify(Some(disk), &files, &abs, opts.build.max_file_bytes).unwrap();
    (files, abs, walk_problems, plan)
}

fn job<'a>(
    dir: &'a Path,
    files: &'a [SpecFile],
    abs: &'a [Cow<'a, Path>],
    walk_problems: &'a [Problem],
    opts: &'a DiskOptions,
) -> Job<'a> {
    Job {
        dir,
        files,
        abs,
        walk_problems,
        opts,
        progress: None,
        pool: None,
        started: now_ns(),
        cancel: None,
    }
}

/// A doc path's file name (doc paths carry the root's display prefix).
fn name(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_owned()
}

/// The class of each walked file by doc path: `reuse`, `skip`, `added` or
/// `changed`.
fn classes(files: &[SpecFile], plan: &UpdatePlan) -> Vec<(String, &'static str)> {
    files
        .iter()
        .zip(&plan.classes)
        .map(|(f, c)| {
            let kind = match c {
                Class::Reuse { .. } => "reuse",
                Class::Skip(..) => "skip",
                Class::Process { prior: None, .. } => "added",
                Class::Process { prior: Some(_), .. } => "changed",
            };
            (name(&f.path), kind)
        })
        .collect()
}

/// Edits the indexed root: `b.md` changed, `c.md` removed, `a.md` renamed
/// to `z.md`, `d.md` added, `e.md` now binary (skipped).
fn edit(root: &Path) {
    write(
        root,
        "b.md",
        &spec("b", "beta words, now longer than before"),
    );
    fs::remove_file(root.join("c.md")).unwrap();
    fs::rename(root.join("a.md"), root.join("z.md")).unwrap();
    write(root, "d.md", &spec("d", "delta words"));
    fs::write(root.join("e.md"), b"bin\0ary").unwrap();
}

#[test]
fn classify_sees_added_changed_removed_and_renamed_files() {
    let (_tmp, root, _ix, disk) = indexed();
    let max = DiskOptions::default().build.max_file_bytes;
    let (files, abs, _) = walk(&root);
    let unchanged = classify(Some(&disk), &files, &abs, max).unwrap();
    assert_eq!(unchanged.priors.len(), 3);
    assert!(classes(&files, &unchanged).iter().all(|c| c.1 == "reuse"));
    assert!(unchanged.is_noop());

    edit(&root);
    let (files, abs, _) = walk(&root);
    let plan = classify(Some(&disk), &files, &abs, max).unwrap();
    assert!(!plan.is_noop());
    let want = [
        ("b.md", "changed"),
        ("d.md", "added"),
        ("e.md", "added"),
        // A renamed file is a new doc; its old doc is not reused.
        ("z.md", "added"),
    ];
    let got = classes(&files, &plan);
    let got: Vec<(&str, &str)> = got.iter().map(|(p, c)| (p.as_str(), *c)).collect();
    assert_eq!(got, want);
    // The removed and renamed files' docs are the priors nothing reuses.
    let reused = plan
        .classes
        .iter()
        .filter(|c| {
            matches!(
                c,
                Class::Reuse { .. } | Class::Process { prior: Some(_), .. }
            )
        })
        .count();
    assert_eq!(plan.priors.len() - reused, 2);
}

#[test]
fn classify_without_an_index_processes_everything() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "a.md", &spec("a", "alpha"));
    write(tmp.path(), "b.md", &spec("b", "beta"));
    let (files, abs, _) = walk(tmp.path());
    let plan = classify(None, &files, &abs, u64::MAX).unwrap();
    assert!(plan.priors.is_empty());
    assert!(classes(&files, &plan).iter().all(|c| c.1 == "added"));
    assert!(!plan.is_noop());
}

#[test]
fn build_makes_new_segments_for_processed_files_only() {
    let (_tmp, root, ix, disk) = indexed();
    edit(&root);
    let opts = DiskOptions::default();
    let (files, abs, walk_problems, plan) = planned(&root, &disk, &opts);
    let job = job(&ix, &files, &abs, &walk_problems, &opts);
    let first = disk.manifest.next_segment;
    let built = build(&job, Some(&disk), &plan, first).unwrap();
    assert_eq!(built.outcomes.len(), files.len());
    // b, d and z are indexed into one new segment (in walk order); e is skipped.
    assert_eq!(built.segs.len(), 1);
    assert_eq!(built.segs[0].reader.num_docs(), 3);
    assert_eq!(built.next_segment, first + 1);
    let kinds: Vec<String> = built
        .outcomes
        .iter()
        .map(|o| match o {
            Outcome::Old { .. } => "old".to_owned(),
            Outcome::New {
                seg, local, prior, ..
            } => format!("new {seg}/{local} {}", prior.is_some()),
            Outcome::Skipped(e) => format!("skipped {}", name(&e.path)),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "new 0/0 true",
            "new 0/1 false",
            "skipped e.md",
            "new 0/2 false"
        ]
    );
}

#[test]
fn commit_numbers_docs_in_walk_order_and_counts_the_changes() {
    let (_tmp, root, ix, disk) = indexed();
    edit(&root);
    let opts = DiskOptions::default();
    let (files, abs, walk_problems, plan) = planned(&root, &disk, &opts);
    let job = job(&ix, &files, &abs, &walk_problems, &opts);
    let (index, problems, stats) = apply(&job, Some(&disk), &plan, false).unwrap();
    assert_eq!(
        (stats.added, stats.changed, stats.deleted, stats.unchanged),
        (2, 1, 2, 0)
    );
    assert!(stats.committed && !stats.merged && !stats.rebuilt);
    // The old segment has no live doc left: only the new one remains.
    assert_eq!(index.num_segments(), 1);
    let paths: Vec<String> = (0..3)
        .map(|id| name(&index.stored(id).unwrap().unwrap().meta.path))
        .collect();
    assert_eq!(paths, ["b.md", "d.md", "z.md"]);
    assert!(index.stored(3).unwrap().is_none());
    assert_eq!(problems.len(), 1);
    assert_eq!(name(&problems[0].path), "e.md");
    assert_eq!(index.manifest.skipped.len(), 1);
    assert_eq!(index.generation(), disk.generation() + 1);
}

#[test]
fn commit_merges_past_the_threshold() {
    let (_tmp, root, ix, disk) = indexed();
    write(&root, "d.md", &spec("d", "delta words"));
    let opts = DiskOptions {
        merge_threshold: 1,
        ..DiskOptions::default()
    };
    let (files, abs, walk_problems, plan) = planned(&root, &disk, &opts);
    let job = job(&ix, &files, &abs, &walk_problems, &opts);
    let (index, _, stats) = apply(&job, Some(&disk), &plan, false).unwrap();
    assert!(stats.merged);
    assert_eq!((stats.added, stats.unchanged), (1, 3));
    assert_eq!(index.num_segments(), 1);
    let paths: Vec<String> = (0..4)
        .map(|id| name(&index.stored(id).unwrap().unwrap().meta.path))
        .collect();
    assert_eq!(paths, ["a.md", "b.md", "c.md", "d.md"]);
}

#[test]
fn ranges_are_contiguous_and_cover_every_file() {
    let files: Vec<(usize, u64)> = (0..10).map(|i| (i, 100 * (i as u64 + 1))).collect();
    for k in 1..=12 {
        let ranges = split_ranges(&files, k);
        assert!(!ranges.is_empty() && ranges.len() <= k);
        assert!(ranges.iter().all(|r| !r.is_empty()));
        let joined: Vec<(usize, u64)> = ranges.concat();
        assert_eq!(joined, files);
    }
    assert!(split_ranges(&[], 3).is_empty());
}

#[test]
fn small_updates_get_one_builder() {
    let few: Vec<(usize, u64)> = (0..10).map(|i| (i, 1000)).collect();
    assert_eq!(builders(8, &few, 256 << 20, 0, 8, false), 1);
    let many: Vec<(usize, u64)> = (0..4096).map(|i| (i, 64 << 10)).collect();
    let k = builders(4, &many, 256 << 20, 0, 8, false);
    assert!((1..=4).contains(&k));
}

#[test]
fn what_one_builder_fits_in_one_segment_gets_one_builder() {
    // 100 MB in 12,500 files: one builder's segment fits a 256 MiB budget.
    let files: Vec<(usize, u64)> = (0..12_500).map(|i| (i, 8000)).collect();
    assert_eq!(builders(2, &files, 256 << 20, 0, 8, false), 1);
    // Unless asked to split it.
    assert_eq!(builders(2, &files, 256 << 20, 0, 8, true), 2);
    // With a quarter of that budget one builder would cut two segments, so
    // two builders share the work.
    assert_eq!(builders(2, &files, 64 << 20, 0, 8, false), 2);
}

/// A cancelled update commits nothing: the last commit stays as it was.
#[test]
fn a_cancelled_update_leaves_the_last_commit() {
    let root = tempfile::tempdir().unwrap();
    let ix = tempfile::tempdir().unwrap();
    fs::write(root.path().join("a.md"), "---\nname: a\n---\nalpha\n").unwrap();
    let roots = [root.path().to_path_buf()];
    let opts = DiskOptions::default();
    let (_, _, first) = DiskIndex::open_or_update(ix.path(), &roots, &opts, None).unwrap();
    assert_eq!(first.added, 1);
    fs::write(root.path().join("b.md"), "---\nname: b\n---\nbeta\n").unwrap();
    let cancel = std::sync::atomic::AtomicBool::new(true);
    let got = DiskIndex::open_or_update_cancellable(ix.path(), &roots, &opts, None, Some(&cancel));
    assert!(matches!(got, Err(Error::Cancelled)), "{got:?}");
    DiskIndex::open(ix.path()).unwrap();
    // b.md is still new to the index: the cancelled update committed nothing.
    let (_, _, after) = DiskIndex::open_or_update(ix.path(), &roots, &opts, None).unwrap();
    assert_eq!((after.added, after.unchanged), (1, 1));
}

#[test]
fn absolute_paths_match_std() {
    let cwd = Path::new("/home/user/dir");
    for p in [
        "a/b.md",
        "./a/b.md",
        "a//b.md",
        "/x/y.md",
        "/x/./y.md",
        "a/../b.md",
        ".",
    ] {
        let p = Path::new(p);
        assert_eq!(
            super::absolute_in(Some(cwd), p),
            std::path::absolute(cwd.join(p)).unwrap(),
            "{p:?}"
        );
    }
    let here = std::env::current_dir().unwrap();
    assert_eq!(
        super::absolute_in(None, Path::new("a.md")),
        std::path::absolute(here.join("a.md")).unwrap()
    );
    // A clean absolute path is borrowed; one that needs work is made anew.
    assert!(matches!(
        super::absolute_in(Some(cwd), Path::new("/x/y.md")),
        Cow::Borrowed(_)
    ));
    for p in ["/x/./y.md", "/x//y.md", "a/b.md"] {
        assert!(
            matches!(super::absolute_in(Some(cwd), Path::new(p)), Cow::Owned(_)),
            "{p}"
        );
    }
}

#[test]
fn an_aligned_walk_matches_as_the_lookup_by_key_does() {
    use super::classify::matched_by_key;
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    let ix = tmp.path().join("ix");
    for name in ["a", "b", "c"] {
        write(&root, &format!("{name}.md"), &spec(name, "some words"));
    }
    // The root given twice: every key is held by two docs.
    let roots = [root.clone(), root.clone()];
    let opts = DiskOptions::default();
    let (disk, _, stats) = DiskIndex::open_or_update(&ix, &roots, &opts, None).unwrap();
    assert_eq!(stats.added, 6);
    let walk_both = || {
        let (files, _) = collect(&roots, u64::MAX).unwrap();
        let abs: Vec<Cow<'_, Path>> = files
            .iter()
            .map(|f| Cow::Owned(std::path::absolute(&f.fs_path).unwrap()))
            .collect();
        (files, abs)
    };
    let (files, abs) = walk_both();
    let (aligned, by_key) = matched_by_key(&disk, &files, &abs).unwrap();
    assert!(aligned);
    assert_eq!(by_key, (0..6).map(Some).collect::<Vec<_>>());
    let plan = classify(Some(&disk), &files, &abs, opts.build.max_file_bytes).unwrap();
    assert!(plan.is_noop());

    // A changed file is committed in a new segment, after the others: the
    // next walk is not in commit order, and is matched by key.
    write(&root, "b.md", &spec("b", "other words, longer than before"));
    let (disk, _, stats) = DiskIndex::open_or_update(&ix, &roots, &opts, None).unwrap();
    assert_eq!(stats.changed, 2);
    let (files, abs) = walk_both();
    let (aligned, by_key) = matched_by_key(&disk, &files, &abs).unwrap();
    assert!(!aligned);
    let plan = classify(Some(&disk), &files, &abs, opts.build.max_file_bytes).unwrap();
    assert!(plan.is_noop());
    let reused: Vec<Option<usize>> = plan
        .classes
        .iter()
        .map(|c| match c {
            Class::Reuse { prior, .. } => Some(*prior),
            _ => None,
        })
        .collect();
    assert_eq!(reused, by_key);
    assert!(by_key.iter().all(Option::is_some));
}

/// A fresh segment's global ids are its base plus the local id; a segment
/// with a deleted doc has no base (its ids are loaded). Searches over both
/// are tested in `search::prune::taat`.
#[test]
fn segments_have_a_base_while_their_ids_are_contiguous_and_live() {
    let (_tmp, root, ix, disk) = indexed();
    assert_eq!(disk.num_segments(), 1);
    assert_eq!(disk.live_base(0).unwrap(), Some(0));
    fs::remove_file(root.join("b.md")).unwrap();
    write(&root, "d.md", &spec("d", "delta words"));
    write(&root, "e.md", &spec("e", "epsilon words"));
    let (disk, stats) = update(&ix, &root);
    assert_eq!((stats.added, stats.deleted, disk.num_segments()), (2, 1, 2));
    // a, c in the first segment (b deleted), d, e after them.
    assert_eq!(disk.live_base(0).unwrap(), None);
    assert_eq!(disk.live_base(1).unwrap(), Some(2));
}
