//! The walk cache (issue 13, SPEC.md §10 "Walk cache") never changes a
//! walk's result: after any change, a walk that may replay the cache gives
//! exactly what a full walk gives, and an unchanged tree is replayed.
//!
//! Caches are recorded "as of" an hour from now, so that stats made by the
//! test are trusted (not racy); in exchange, after every change the test
//! gives each folder and file it touched a new, unique old mtime, as a
//! clock that moves on would (see [`Tree::age`]). The racy rule itself is
//! tested with the real start time.
#![allow(clippy::unwrap_used)] // tests
#![allow(clippy::many_single_char_names)] // folder, name, value... indexes of the random edits

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{assert_parity, write, Check};
use proptest::prelude::*;
use specsearch_core::walk::{
    collect_cached, collect_cached_as_of, collect_with, WalkOptions, WALK_CACHE_FILE,
};
use specsearch_core::{DiskIndex, DiskOptions};

/// The update's default size cap, so that a recorded cache fits `open_or_update`.
const MAX: u64 = specsearch_core::index::DEFAULT_MAX_FILE_BYTES;

fn now_ns() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos(),
    )
    .unwrap()
}

/// An hour from now: every stat the test makes is trusted.
fn later() -> i64 {
    now_ns() + 3_600_000_000_000
}

/// 2020-01-01: anything with an mtime after 2021 was touched by the test
/// since it last aged the tree.
const EPOCH_2020: u64 = 1_577_836_800;

/// A test tree and its walk cache.
struct Tree {
    dir: tempfile::TempDir,
    /// The next unique old mtime, in seconds after 2020-01-01.
    clock: u64,
    cache: Option<Vec<u8>>,
    options: WalkOptions,
}

impl Tree {
    fn new() -> Tree {
        Tree {
            dir: tempfile::tempdir().unwrap(),
            clock: 0,
            cache: None,
            options: WalkOptions::default(),
        }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Gives every folder and regular file whose mtime is recent (touched
    /// since the last call) a new, unique old mtime.
    fn age(&mut self) {
        let limit = SystemTime::UNIX_EPOCH + Duration::from_secs(EPOCH_2020 + 366 * 86_400);
        let mut stack = vec![self.root().to_path_buf()];
        let mut recent = Vec::new();
        while let Some(p) = stack.pop() {
            let Ok(meta) = fs::symlink_metadata(&p) else {
                continue;
            };
            if meta.is_dir() {
                for e in fs::read_dir(&p).unwrap() {
                    stack.push(e.unwrap().path());
                }
            }
            if (meta.is_dir() || meta.is_file()) && meta.modified().unwrap() > limit {
                recent.push(p);
            }
        }
        // Deepest first: setting a file's time does not touch its folder,
        // but keep the order stable anyway.
        recent.sort();
        for p in recent.into_iter().rev() {
            self.clock += 1;
            let t = SystemTime::UNIX_EPOCH + Duration::from_secs(EPOCH_2020 + self.clock);
            let f = fs::File::open(&p).unwrap();
            f.set_times(fs::FileTimes::new().set_modified(t)).unwrap();
        }
    }

    /// Ages the tree, then walks it both ways and asserts the same result;
    /// keeps any new cache. Returns whether the cache was replayed.
    fn check(&mut self, roots: &[PathBuf]) -> bool {
        self.age();
        self.check_now(roots)
    }

    /// [`Tree::check`] without ageing first.
    fn check_now(&mut self, roots: &[PathBuf]) -> bool {
        let full = collect_with(roots, MAX, self.options).unwrap();
        let got =
            collect_cached_as_of(roots, MAX, self.options, self.cache.as_deref(), later()).unwrap();
        assert_eq!(got.files, full.0, "files differ (replayed: {})", got.reused);
        assert_eq!(
            got.problems, full.1,
            "problems differ (replayed: {})",
            got.reused
        );
        if got.reused {
            assert!(got.record.is_none());
        } else if let Some(r) = got.record {
            self.cache = Some(r);
        }
        got.reused
    }

    /// Checks, and asserts the cache was not replayed; then that an
    /// unchanged tree replays the new cache.
    fn changed(&mut self) {
        let roots = [self.root().to_path_buf()];
        assert!(!self.check(&roots), "a change was not seen");
        assert!(self.check(&roots), "an unchanged tree was not replayed");
    }

    fn write(&self, rel: &str, text: &str) {
        write(self.root(), rel, text);
    }
}

/// A small tree: specs at three depths, an ignore file, hidden folders.
fn tree() -> Tree {
    let mut t = Tree::new();
    t.write("a.md", "---\nname: a\n---\nalpha\n");
    t.write("x/b.md", "---\nname: b\n---\nbeta\n");
    t.write("x/y/c.md", "---\nname: c\n---\ngamma\n");
    t.write("x/y/z/d.md", "---\nname: d\n---\ndelta\n");
    t.write("x/notes.txt", "not a spec\n");
    t.write("x/.gitignore", "skip.md\n");
    t.write("x/skip.md", "ignored\n");
    t.write(".hidden/h.md", "hidden\n");
    t.write("x/y/agent", "---\nname: agent\n---\n");
    t.write("x/y/LICENSE", "MIT\n");
    let roots = [t.root().to_path_buf()];
    assert!(!t.check(&roots));
    assert!(t.check(&roots), "an unchanged tree is replayed");
    t
}

#[test]
fn unchanged_tree_is_replayed_exactly() {
    let mut t = tree();
    let roots = [t.root().to_path_buf()];
    for _ in 0..3 {
        assert!(t.check(&roots));
    }
}

#[test]
fn added_removed_and_renamed_files_in_nested_folders_are_seen() {
    let mut t = tree();
    t.write("x/y/z/new.md", "new\n");
    t.changed();
    fs::remove_file(t.root().join("x/y/c.md")).unwrap();
    t.changed();
    fs::rename(t.root().join("x/y/z/d.md"), t.root().join("x/y/z/e.md")).unwrap();
    t.changed();
    // Moved to another folder: two folders change.
    fs::rename(t.root().join("x/y/z/e.md"), t.root().join("x/e.md")).unwrap();
    t.changed();
}

#[test]
fn content_edits_keep_the_listing_and_are_seen_by_the_spec_stat() {
    let mut t = tree();
    let b = t.root().join("x/b.md");
    let before = fs::metadata(&b).unwrap();
    fs::write(&b, "---\nname: B\n---\nbeta\n").unwrap();
    fs::File::options()
        .write(true)
        .open(&b)
        .unwrap()
        .set_modified(before.modified().unwrap())
        .unwrap();
    // No ageing: the file keeps its size and mtime, only the ctime moves.
    let roots = [t.root().to_path_buf()];
    assert!(t.check_now(&roots), "a content edit keeps every listing");
}

#[test]
fn ignore_file_changes_are_seen() {
    let mut t = tree();
    // Same size and mtime, other pattern: seen by the ctime.
    let gi = t.root().join("x/.gitignore");
    let before = fs::metadata(&gi).unwrap().modified().unwrap();
    fs::write(&gi, "b.md\n   \n").unwrap();
    let f = fs::File::options().write(true).open(&gi).unwrap();
    f.set_modified(before).unwrap();
    let roots = [t.root().to_path_buf()];
    assert!(!t.check_now(&roots));
    assert!(t.check(&roots));
    // An ignore file added deeper, then one that re-includes.
    t.write("x/y/.ignore", "c.md\n");
    t.changed();
    t.write(".specsearchignore", "!x/skip.md\n!.hidden/\n");
    t.changed();
    fs::remove_file(t.root().join("x/y/.ignore")).unwrap();
    t.changed();
}

#[test]
fn replaced_and_added_folders_are_seen() {
    let mut t = tree();
    let r = t.root().to_path_buf();
    // The same name, another folder with the same mtime.
    let mtime = fs::metadata(r.join("x/y/z")).unwrap().modified().unwrap();
    fs::create_dir(r.join("other")).unwrap();
    fs::write(r.join("other/d.md"), "other\n").unwrap();
    fs::remove_dir_all(r.join("x/y/z")).unwrap();
    fs::rename(r.join("other"), r.join("x/y/z")).unwrap();
    let f = fs::File::open(r.join("x/y/z")).unwrap();
    f.set_times(fs::FileTimes::new().set_modified(mtime))
        .unwrap();
    t.changed();
    t.write("x/y/z/w/v/new.md", "deep\n");
    t.changed();
    t.write("x/y/z/w/v/u/empty-folder-above/.keep", "");
    t.changed();
}

#[cfg(unix)]
#[test]
fn links_fifos_and_extensionless_files_are_seen() {
    use std::os::unix::fs::symlink;
    let mut t = tree();
    let r = t.root().to_path_buf();
    symlink(r.join("x"), r.join("x/y/loop")).unwrap();
    t.changed();
    // A spec replaced by a link to it.
    fs::rename(r.join("a.md"), r.join("x/a.md")).unwrap();
    symlink(r.join("x/a.md"), r.join("a.md")).unwrap();
    t.changed();
    let made_fifo = std::process::Command::new("mkfifo")
        .arg(r.join("x/pipe.md"))
        .status()
        .is_ok_and(|s| s.success());
    if made_fifo {
        t.changed();
    }
    // An extension-less file becomes an agent spec, and back.
    fs::write(r.join("x/y/LICENSE"), "---\n").unwrap();
    let roots = [r.clone()];
    assert!(!t.check(&roots));
    assert!(t.check(&roots));
    fs::write(r.join("x/y/agent"), "# not any more\n").unwrap();
    assert!(!t.check(&roots));
    assert!(t.check(&roots));
}

#[test]
fn other_roots_options_or_caps_do_not_use_the_cache() {
    let t = tree();
    let r = t.root().to_path_buf();
    let cache = t.cache.clone().unwrap();
    let walk = |roots: &[PathBuf], options: WalkOptions, max: u64| {
        let got = collect_cached_as_of(roots, max, options, Some(&cache), later()).unwrap();
        let full = collect_with(roots, max, options).unwrap();
        assert_eq!((got.files, got.problems), full);
        got.reused
    };
    assert!(walk(std::slice::from_ref(&r), WalkOptions::default(), MAX));
    assert!(!walk(&[r.join("x")], WalkOptions::default(), MAX));
    assert!(!walk(
        &[r.clone(), r.join("x")],
        WalkOptions::default(),
        MAX
    ));
    let hidden = WalkOptions {
        hidden: true,
        no_ignore: false,
    };
    assert!(!walk(std::slice::from_ref(&r), hidden, MAX));
    let no_ignore = WalkOptions {
        hidden: false,
        no_ignore: true,
    };
    assert!(!walk(std::slice::from_ref(&r), no_ignore, MAX));
    assert!(!walk(std::slice::from_ref(&r), WalkOptions::default(), 3));
    // A trailing slash is another root (other doc paths).
    let slashed = PathBuf::from(format!("{}/", r.display()));
    assert!(!walk(&[slashed], WalkOptions::default(), MAX));
}

#[test]
fn several_roots_and_file_roots_are_replayed() {
    let mut t = tree();
    let r = t.root().to_path_buf();
    let roots = [r.join("x/y"), r.join("a.md"), r.join("x")];
    assert!(!t.check(&roots));
    assert!(t.check(&roots));
    // A file root replaced by a folder.
    fs::remove_file(r.join("a.md")).unwrap();
    t.write("a.md/inside.md", "inside\n");
    assert!(!t.check(&roots));
    assert!(t.check(&roots));
    fs::remove_dir_all(r.join("x")).unwrap();
    let full = collect_with(&roots, MAX, WalkOptions::default());
    let got = collect_cached_as_of(
        &roots,
        MAX,
        WalkOptions::default(),
        t.cache.as_deref(),
        later(),
    );
    assert!(full.is_err() && got.is_err(), "a missing root is an error");
}

#[test]
fn odd_root_spellings_are_replayed_exactly() {
    let mut t = tree();
    let d = t.root().display().to_string();
    for root in [format!("{d}/"), format!("{d}//x"), format!("{d}/x/./y/")] {
        let roots = [PathBuf::from(root)];
        t.cache = None;
        assert!(!t.check(&roots));
        assert!(t.check(&roots), "{roots:?} was not replayed");
    }
}

#[test]
fn damaged_caches_are_ignored() {
    let t = tree();
    let r = [t.root().to_path_buf()];
    let cache = t.cache.clone().unwrap();
    let full = collect_with(&r, MAX, WalkOptions::default()).unwrap();
    let step = (cache.len() / 97).max(1);
    for at in (0..cache.len()).step_by(step) {
        let mut bad = cache.clone();
        bad[at] ^= 0x10;
        for bytes in [&bad[..], &cache[..at]] {
            let got = collect_cached_as_of(&r, MAX, WalkOptions::default(), Some(bytes), later())
                .unwrap();
            assert!(!got.reused, "damage at {at} was not seen");
            assert_eq!((got.files, got.problems), full.clone());
        }
    }
}

#[test]
fn racy_stats_are_not_trusted() {
    let t = tree();
    let r = [t.root().to_path_buf()];
    // Every folder's ctime is from just now (the test aged them): a cache
    // recorded now would not be trusted, so none is made.
    let now = collect_cached(&r, MAX, WalkOptions::default(), None).unwrap();
    assert!(now.record.is_none() && !now.reused);
    // Recorded as of one second from now: still within the window.
    let soon = now_ns() + 1_000_000_000;
    let got = collect_cached_as_of(&r, MAX, WalkOptions::default(), None, soon).unwrap();
    assert!(got.record.is_none());
    // Three seconds from now: out of it.
    let later = now_ns() + 3_000_000_000;
    let got = collect_cached_as_of(&r, MAX, WalkOptions::default(), None, later).unwrap();
    assert!(got.record.is_some());
}

/// The cache the update path writes is replayed and gives the same index
/// answers; a damaged or foreign one is ignored.
#[test]
fn open_or_update_replays_and_ignores_bad_caches() {
    let mut t = tree();
    let r = t.root().to_path_buf();
    let ix = tempfile::tempdir().unwrap();
    let ix = ix.path().join("ix");
    let opts = DiskOptions::default();
    let open = |ix: &Path| {
        let (d, p, s) =
            DiskIndex::open_or_update(ix, std::slice::from_ref(&r), &opts, None).unwrap();
        assert_parity(
            &d,
            &p,
            &r,
            &["alpha", "beta", "gamma", "delta"],
            Check::Scores,
        );
        s
    };
    assert!(open(&ix).committed);
    let plant = |t: &mut Tree| {
        t.cache = None;
        assert!(!t.check(std::slice::from_ref(&r)));
        fs::write(ix.join(WALK_CACHE_FILE), t.cache.as_ref().unwrap()).unwrap();
    };
    plant(&mut t);
    assert!(!open(&ix).committed);
    assert!(
        ix.join(WALK_CACHE_FILE).exists(),
        "a replayed cache is kept"
    );
    // A spec added: seen, committed.
    t.write("x/y/z/new.md", "---\nname: new\n---\nalpha beta\n");
    t.age();
    let s = open(&ix);
    assert_eq!((s.added, s.committed), (1, true));
    plant(&mut t);
    // A content edit: the listing is replayed, the edit seen by its stat.
    t.write("x/b.md", "---\nname: b\n---\nbeta gamma\n");
    t.age();
    let s = open(&ix);
    assert_eq!((s.changed, s.committed), (1, true));
    // Garbage, an empty file, a folder: a full walk, the right answer.
    fs::write(ix.join(WALK_CACHE_FILE), b"SPSWALK1 garbage").unwrap();
    assert!(!open(&ix).committed);
    // (The tree's ctimes are recent: the full walk records no trusted
    // cache, and the bad one is removed.)
    assert!(!ix.join(WALK_CACHE_FILE).exists());
    fs::write(ix.join(WALK_CACHE_FILE), b"").unwrap();
    assert!(!open(&ix).committed);
    assert!(!ix.join(WALK_CACHE_FILE).exists());
    fs::create_dir(ix.join(WALK_CACHE_FILE)).unwrap();
    assert!(!open(&ix).committed);
}

/// One random change to the tree of [`tree`]'s shape.
#[derive(Clone, Debug)]
enum Edit {
    Write(usize, usize, u8),
    Remove(usize, usize),
    Rename(usize, usize, usize, usize),
    Ignore(usize, usize, usize),
    Unignore(usize, usize),
    MakeFolder(usize),
    RemoveFolder(usize),
    Link(usize, usize, usize),
    Nothing,
}

const FOLDERS: &[&str] = &["", "x", "x/y", "x/y/z", ".h", "x/.h2", "ign"];
const NAMES: &[&str] = &["a.md", "b.MD", "agent", "notes.txt", ".dot.md", "c.mdx"];
const IGNORES: &[&str] = &[".gitignore", ".ignore", ".specsearchignore"];
const PATTERNS: &[&str] = &[
    "a.md", "*.md", "!b.MD", "y/", "!.h/", "!.dot.md", "ign/", "agent", "!*",
];

fn edit() -> impl Strategy<Value = Edit> {
    let f = 0..FOLDERS.len();
    let n = 0..NAMES.len();
    prop_oneof![
        4 => (f.clone(), n.clone(), any::<u8>()).prop_map(|(a, b, c)| Edit::Write(a, b, c)),
        2 => (f.clone(), n.clone()).prop_map(|(a, b)| Edit::Remove(a, b)),
        2 => (f.clone(), n.clone(), f.clone(), n.clone())
            .prop_map(|(a, b, c, d)| Edit::Rename(a, b, c, d)),
        3 => (f.clone(), 0..IGNORES.len(), 0..PATTERNS.len())
            .prop_map(|(a, b, c)| Edit::Ignore(a, b, c)),
        1 => (f.clone(), 0..IGNORES.len()).prop_map(|(a, b)| Edit::Unignore(a, b)),
        1 => f.clone().prop_map(Edit::MakeFolder),
        1 => f.clone().prop_map(Edit::RemoveFolder),
        1 => (f.clone(), n.clone(), f).prop_map(|(a, b, c)| Edit::Link(a, b, c)),
        2 => Just(Edit::Nothing),
    ]
}

fn apply(r: &Path, e: &Edit) {
    let at = |f: usize, n: &str| r.join(FOLDERS[f]).join(n);
    // Edits on paths that are not there (or not folders) just fail.
    match *e {
        Edit::Write(f, n, v) => {
            let _ = fs::create_dir_all(r.join(FOLDERS[f]));
            let text = if v % 3 == 0 {
                format!("---\nname: n{v}\n---\nbody {v}\n")
            } else {
                format!("text {v}\n")
            };
            let _ = fs::write(at(f, NAMES[n]), text);
        }
        Edit::Remove(f, n) => {
            let _ = fs::remove_file(at(f, NAMES[n]));
        }
        Edit::Rename(f, n, g, m) => {
            let _ = fs::rename(at(f, NAMES[n]), at(g, NAMES[m]));
        }
        Edit::Ignore(f, i, p) => {
            let path = at(f, IGNORES[i]);
            let mut text = fs::read_to_string(&path).unwrap_or_default();
            text.push_str(PATTERNS[p]);
            text.push('\n');
            let _ = fs::write(path, text);
        }
        Edit::Unignore(f, i) => {
            let _ = fs::remove_file(at(f, IGNORES[i]));
        }
        Edit::MakeFolder(f) => {
            let _ = fs::create_dir_all(r.join(FOLDERS[f]));
        }
        Edit::RemoveFolder(f) => {
            if f > 0 {
                let _ = fs::remove_dir_all(r.join(FOLDERS[f]));
            }
        }
        Edit::Link(f, n, g) => {
            #[cfg(unix)]
            {
                let path = at(f, NAMES[n]);
                let _ = fs::remove_file(&path);
                let _ = std::os::unix::fs::symlink(r.join(FOLDERS[g]), path);
            }
            #[cfg(not(unix))]
            let _ = (f, n, g);
        }
        Edit::Nothing => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// After any sequence of changes, a walk that may replay the cache
    /// gives what a full walk gives, and an unchanged tree is replayed.
    #[test]
    fn any_change_sequence_walks_as_a_full_walk(
        steps in prop::collection::vec(prop::collection::vec(edit(), 1..3), 1..10),
        hidden in any::<bool>(),
    ) {
        let mut t = tree();
        t.options.hidden = hidden;
        t.cache = None;
        let roots = [t.root().to_path_buf()];
        for step in &steps {
            for e in step {
                apply(t.root(), e);
            }
            t.check(&roots);
        }
        t.check(&roots);
        prop_assert!(t.check(&roots), "an unchanged tree is replayed");
    }
}
