//! The freshness check stays exact (issue 13): every added, removed,
//! renamed or changed spec is seen even when its size and mtime are those
//! recorded, through the ctime, the inode and the content hash; a touched
//! or moved-in identical file is not indexed again. Files get an old mtime
//! first, so that mtime alone is never racy here.
#![allow(clippy::unwrap_used)] // tests

mod common;

use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

use common::{assert_parity, write, Check};
use specsearch_core::{DiskIndex, DiskOptions, UpdateStats};

const QUERIES: &[&str] = &["alpha", "beta", "gamma", "delta", "NAME:one"];

fn old_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_577_836_800) // 2020-01-01
}

fn set_mtime(path: &Path, t: SystemTime) {
    fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(t)
        .unwrap();
}

/// Four specs of the same size, all with the same old mtime.
fn corpus(r: &Path) {
    for (name, word) in [
        ("one", "alpha"),
        ("two", "beta"),
        ("three", "gamma"),
        ("four", "delta"),
    ] {
        let text = format!("---\nname: {name:<5}\n---\n{word:<5} body\n");
        write(r, &format!("{name}.md"), &text);
        set_mtime(&r.join(format!("{name}.md")), old_time());
    }
}

fn update(ix: &Path, r: &Path) -> UpdateStats {
    let (d, p, s) =
        DiskIndex::open_or_update(ix, &[r.to_path_buf()], &DiskOptions::default(), None).unwrap();
    assert_parity(&d, &p, r, QUERIES, Check::Scores);
    s
}

fn counts(s: &UpdateStats) -> (u64, u64, u64, u64, bool) {
    (s.added, s.changed, s.deleted, s.unchanged, s.committed)
}

/// A corpus (see [`corpus`]) and its index, built once.
struct Fixture {
    corpus: tempfile::TempDir,
    ixdir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let f = Fixture {
            corpus: tempfile::tempdir().unwrap(),
            ixdir: tempfile::tempdir().unwrap(),
        };
        corpus(f.root());
        assert_eq!(f.update(), (4, 0, 0, 0, true));
        assert_eq!(f.update(), (0, 0, 0, 4, false));
        f
    }

    fn root(&self) -> &Path {
        self.corpus.path()
    }

    /// `(added, changed, deleted, unchanged, committed)` of an update.
    fn update(&self) -> (u64, u64, u64, u64, bool) {
        counts(&update(&self.ixdir.path().join("ix"), self.root()))
    }
}

#[test]
fn edits_keeping_size_and_mtime_are_seen() {
    let f = Fixture::new();
    let r = f.root();

    // Same size, same mtime, other content: the ctime differs.
    let one = r.join("one.md");
    let before = fs::read(&one).unwrap();
    write(r, "one.md", "---\nname: one  \n---\nomega body\n");
    assert_eq!(fs::metadata(&one).unwrap().len(), before.len() as u64);
    set_mtime(&one, old_time());
    assert_eq!(f.update(), (0, 1, 0, 3, true));
    assert_eq!(f.update(), (0, 0, 0, 4, false));
}

#[test]
fn touch_without_change_is_recorded_not_reindexed() {
    let f = Fixture::new();
    let r = f.root();
    set_mtime(&r.join("two.md"), old_time() + Duration::from_secs(60));
    // The new stat is committed; the doc is kept.
    assert_eq!(f.update(), (0, 0, 0, 4, true));
    assert_eq!(f.update(), (0, 0, 0, 4, false));
}

#[test]
fn inode_swaps_are_compared_by_content() {
    let f = Fixture::new();
    let r = f.root();

    // The same bytes moved in over a path (another inode, same size and
    // mtime): kept, with the new stat committed.
    let two = r.join("two.md");
    fs::write(r.join("two.tmp"), fs::read(&two).unwrap()).unwrap();
    set_mtime(&r.join("two.tmp"), old_time());
    fs::rename(r.join("two.tmp"), &two).unwrap();
    assert_eq!(f.update(), (0, 0, 0, 4, true));

    // Two files swap contents by renames (same sizes and mtimes).
    fs::rename(r.join("three.md"), r.join("swap.tmp")).unwrap();
    fs::rename(r.join("four.md"), r.join("three.md")).unwrap();
    fs::rename(r.join("swap.tmp"), r.join("four.md")).unwrap();
    assert_eq!(f.update(), (0, 2, 0, 2, true));
    assert_eq!(f.update(), (0, 0, 0, 4, false));
}

#[test]
fn added_removed_and_renamed_files_are_seen() {
    let f = Fixture::new();
    let r = f.root();
    fs::rename(r.join("one.md"), r.join("uno.md")).unwrap();
    fs::remove_file(r.join("two.md")).unwrap();
    write(r, "five.md", "---\nname: five\n---\nepsilon\n");
    set_mtime(&r.join("five.md"), old_time());
    // The rename is a removal plus an addition (the doc path is the key).
    assert_eq!(f.update(), (2, 0, 2, 2, true));
    assert_eq!(f.update(), (0, 0, 0, 4, false));
}
