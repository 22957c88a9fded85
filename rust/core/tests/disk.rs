//! The on-disk index: parity with `MemoryIndex::build` after any sequence of
//! updates, incremental behaviour, locking, crash safety and corruption.
#![allow(
    clippy::unwrap_used,
    clippy::float_cmp,
    clippy::many_single_char_names,
    clippy::case_sensitive_file_extension_comparisons,
    clippy::match_wild_err_arm
)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{assert_parity, write, Check};
use proptest::prelude::*;
use specsearch_core::index::directory::DirLock;
use specsearch_core::{
    BuildOptions, DiskIndex, DiskOptions, Error, Field, MemoryIndex, Problem, SearchIndex,
    SearchOptions,
};

const QUERIES: &[&str] = &[
    "kubernetes",
    "deploy app",
    "alpha beta gamma",
    "review code",
    "the",
    "python tests",
    "x",
    "zeta eta theta iota",
    "reviewing deployed",
    "\"review code\"",
    "review* kube*",
    "kubernets~1 pithon~2",
    "+review -python",
    "-kubernetes",
    "tools:read",
    "TaskGroup",
    "task group",
    "NAME:kube",
    "alpha AND beta",
    "(deploy OR review) -x",
    "tags:alpha",
];

fn opts() -> DiskOptions {
    DiskOptions::default()
}

fn update(
    idx: &Path,
    root: &Path,
    o: &DiskOptions,
) -> (DiskIndex, Vec<Problem>, specsearch_core::UpdateStats) {
    DiskIndex::open_or_update(idx, &[root.to_path_buf()], o, None).unwrap()
}

fn agent(name: &str, desc: &str, body: &str) -> Vec<u8> {
    format!("---\nname: {name}\ndescription: {desc}\n---\n# {name}\n{body}\n").into_bytes()
}

fn base_corpus(r: &Path) {
    write(
        r,
        "a/kube.md",
        &agent("kube", "Deploys to kubernetes", "deploy app kubectl"),
    );
    write(
        r,
        "a/review.md",
        b"---\nname: review\ndescription: Reviews code\ntools: Read, Grep\n---\n# review\nreview code python tests TaskGroup reviewing\n",
    );
    write(r, "b/SKILL.md", b"# Skill\nalpha beta gamma\n");
    write(
        r,
        "b/bad.md",
        b"---\nname: bad\ndescription: x: y: z\n---\nthe body\n",
    );
    write(r, "b/open.md", b"---\nname: open\nnever closed the x\n");
    write(r, "c/bin.md", b"abc\0def kubernetes");
    write(r, "c/noext", b"---\nname: noext\n---\nzeta eta theta\n");
    write(r, "c/LICENSE", b"kubernetes\n");
    write(r, ".gitignore", b"ignored/\n");
    write(r, "ignored/x.md", b"kubernetes");
}

#[test]
fn build_then_no_change_then_edits_keep_parity() {
    let corpus = tempfile::tempdir().unwrap();
    let ixdir = tempfile::tempdir().unwrap();
    let r = corpus.path();
    let ix = ixdir.path().join("index");
    base_corpus(r);

    let (d, p, s) = update(&ix, r, &opts());
    assert!(s.committed && !s.rebuilt && !s.merged);
    assert_eq!((s.added, s.changed, s.deleted, s.unchanged), (6, 0, 0, 0));
    assert_parity(&d, &p, r, QUERIES, Check::Full);
    let generation = d.generation();

    // No change: nothing written, same generation, no lock taken.
    let held = DirLock::acquire(&ix).unwrap();
    let (d, p, s) = update(&ix, r, &opts());
    drop(held);
    assert!(!s.committed);
    assert_eq!(s.unchanged, 6);
    assert_eq!(d.generation(), generation);
    assert_parity(&d, &p, r, QUERIES, Check::Full);

    // Touched but identical: no re-index, metadata committed.
    let f = fs::File::options()
        .write(true)
        .open(r.join("a/kube.md"))
        .unwrap();
    f.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5))
        .unwrap();
    drop(f);
    let (d, p, s) = update(&ix, r, &opts());
    assert_eq!((s.added, s.changed, s.deleted, s.unchanged), (0, 0, 0, 6));
    assert_parity(&d, &p, r, QUERIES, Check::Full);

    // Insert before everything (ids shift), modify, delete, make binary.
    write(r, "0first.md", &agent("first", "kubernetes first", "alpha"));
    write(
        r,
        "a/review.md",
        &agent("review", "Reviews kubernetes code", "more text x x x"),
    );
    fs::remove_file(r.join("b/SKILL.md")).unwrap();
    write(r, "c/noext", b"\0binary now");
    let (d, p, s) = update(&ix, r, &opts());
    assert_eq!((s.added, s.changed, s.deleted), (1, 1, 2), "{s:?}");
    assert_parity(&d, &p, r, QUERIES, Check::Full);

    // Binary file fixed, rename, a read-only snapshot keeps its answers.
    let snapshot = DiskIndex::open(&ix).unwrap();
    let before =
        SearchIndex::search(&snapshot, "kubernetes", 100, &SearchOptions::default()).unwrap();
    write(
        r,
        "c/bin.md",
        &agent("bin", "fixed", "kubernetes kubernetes"),
    );
    fs::rename(r.join("a/kube.md"), r.join("z/kube.md")).unwrap_or_else(|_| {
        fs::create_dir_all(r.join("z")).unwrap();
        fs::rename(r.join("a/kube.md"), r.join("z/kube.md")).unwrap();
    });
    let (d, p, _) = update(&ix, r, &opts());
    assert_parity(&d, &p, r, QUERIES, Check::Full);
    assert_eq!(
        SearchIndex::search(&snapshot, "kubernetes", 100, &SearchOptions::default()).unwrap(),
        before
    );

    // Stats.
    let st = d.stats();
    assert_eq!(st.kind, "disk");
    assert!(st.size_bytes > 0 && st.terms > 0);
    assert_eq!(st.generation, d.generation());
}

#[test]
fn merges_and_memory_budget() {
    let corpus = tempfile::tempdir().unwrap();
    let ixdir = tempfile::tempdir().unwrap();
    let r = corpus.path();
    let ix = ixdir.path().join("i");
    base_corpus(r);
    // A tiny budget: one segment per doc.
    let o = DiskOptions {
        memory_budget_bytes: 1,
        merge_threshold: 100,
        ..opts()
    };
    let (d, p, s) = update(&ix, r, &o);
    assert_eq!(s.segments, 6);
    assert_parity(&d, &p, r, QUERIES, Check::Full);
    let lens = d.doc_lengths(Field::Name).unwrap();
    assert_eq!(lens.len(), 6);
    for i in 0..4 {
        write(
            r,
            &format!("n{i}.md"),
            &agent(&format!("n{i}"), "kubernetes", "x"),
        );
        let (d, p, _) = update(&ix, r, &o);
        assert_parity(&d, &p, r, QUERIES, Check::Full);
    }
    fs::remove_file(r.join("n1.md")).unwrap();
    let o2 = DiskOptions {
        merge_threshold: 3,
        ..o
    };
    let (d, p, s) = update(&ix, r, &o2);
    assert!(s.merged);
    assert_eq!(s.segments, 1);
    assert_parity(&d, &p, r, QUERIES, Check::Full);
    // Only the live files are left on disk.
    let names: Vec<String> = fs::read_dir(&ix)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names.iter().filter(|n| n.ends_with(".seg")).count(),
        1,
        "{names:?}"
    );
    assert_eq!(
        names.iter().filter(|n| n.ends_with(".dm")).count(),
        1,
        "{names:?}"
    );
}

#[test]
fn second_writer_is_locked_out_and_open_existing_errors() {
    let corpus = tempfile::tempdir().unwrap();
    let ixdir = tempfile::tempdir().unwrap();
    let r = corpus.path();
    let ix = ixdir.path().join("i");
    match DiskIndex::open(&ix) {
        Err(Error::Io { source, .. }) => assert_eq!(source.kind(), std::io::ErrorKind::NotFound),
        other => panic!("{other:?}"),
    }
    base_corpus(r);
    update(&ix, r, &opts());
    write(r, "new.md", b"kubernetes");
    let held = DirLock::acquire(&ix).unwrap();
    match DiskIndex::open_or_update(&ix, &[r.to_path_buf()], &opts(), None) {
        Err(Error::Locked { holder, .. }) => assert_eq!(holder, Some(std::process::id())),
        other => panic!("expected Locked, got {other:?}"),
    }
    drop(held);
    let (d, p, _) = update(&ix, r, &opts());
    assert_parity(&d, &p, r, QUERIES, Check::Full);
}

#[test]
fn leftovers_of_a_crashed_writer_are_harmless() {
    let corpus = tempfile::tempdir().unwrap();
    let ixdir = tempfile::tempdir().unwrap();
    let r = corpus.path();
    let ix = ixdir.path().join("i");
    base_corpus(r);
    let (d, p, _) = update(&ix, r, &opts());
    let gen = d.generation();
    drop(d);
    // A writer killed mid-commit: partial new files and a partial manifest.
    fs::write(ix.join("seg-0000000099.seg"), b"SPSEGMT1 partial").unwrap();
    fs::write(ix.join("docmap-0000000099.dm"), b"").unwrap();
    fs::write(ix.join("MANIFEST.tmp"), b"SPSMANI1 half").unwrap();
    let d = DiskIndex::open(&ix).unwrap();
    assert_eq!(d.generation(), gen);
    assert_parity(&d, &p, r, QUERIES, Check::Full);
    write(r, "new.md", b"kubernetes");
    let (d, p, _) = update(&ix, r, &opts());
    assert_parity(&d, &p, r, QUERIES, Check::Full);
    assert!(!ix.join("seg-0000000099.seg").exists());
    assert!(!ix.join("MANIFEST.tmp").exists());
}

/// Corrupts every file of an index in many ways: open + search either
/// succeeds with the right answers or fails with `Error::Format`.
#[test]
#[allow(clippy::too_many_lines)] // one case per kind of damage, each a few lines, over one index
fn corruption_gives_format_errors_never_panics() {
    let corpus = tempfile::tempdir().unwrap();
    let r = corpus.path();
    base_corpus(r);
    let pristine = tempfile::tempdir().unwrap();
    let ix = pristine.path().join("i");
    let o = DiskOptions {
        memory_budget_bytes: 2000,
        ..opts()
    };
    update(&ix, r, &o);
    let (mem, _) = MemoryIndex::build(&[r.to_path_buf()], &BuildOptions::default()).unwrap();
    let files: Vec<PathBuf> = fs::read_dir(&ix)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.ends_with("LOCK"))
        .collect();
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut outcomes = [0usize; 2];
    for file in &files {
        let original = fs::read(file).unwrap();
        for case in 0..120 {
            let work = tempfile::tempdir().unwrap();
            let copy = work.path().join("i");
            fs::create_dir(&copy).unwrap();
            for f in &files {
                fs::copy(f, copy.join(f.file_name().unwrap())).unwrap();
            }
            let mut bytes = original.clone();
            match case % 5 {
                0 => bytes.truncate(rng.below(bytes.len())),
                1 => {
                    for _ in 0..=rng.below(3) {
                        let i = rng.below(bytes.len());
                        bytes[i] ^= 1 << rng.below(8);
                    }
                }
                2 => {
                    let n = rng.below(bytes.len() + 64);
                    bytes = (0..n).map(|_| rng.below(256) as u8).collect();
                }
                3 => {
                    // Wrong version.
                    if bytes.len() > 12 {
                        bytes[8] = bytes[8].wrapping_add(1 + rng.below(200) as u8);
                    }
                }
                _ => {
                    let i = rng.below(bytes.len());
                    bytes[i] = rng.below(256) as u8;
                }
            }
            let changed = bytes != original;
            fs::write(copy.join(file.file_name().unwrap()), &bytes).unwrap();
            let result = std::panic::catch_unwind(|| -> Result<(), Error> {
                let d = DiskIndex::open(&copy)?;
                for q in QUERIES {
                    let opts = SearchOptions::default();
                    match SearchIndex::search(&mem, q, 1000, &opts) {
                        Ok(want) => {
                            let top = SearchIndex::search(&d, q, 1000, &opts)?;
                            assert_eq!(top, want, "undetected corruption");
                        }
                        // A query error (an unknown key): the same error,
                        // unless the corruption is found first.
                        Err(want) => match SearchIndex::search(&d, q, 1000, &opts) {
                            Err(Error::Query { .. }) | Ok(_) => {
                                let got = SearchIndex::search(&d, q, 1000, &opts);
                                assert_eq!(
                                    got.map_err(|e| e.to_string()),
                                    Err(want.to_string()),
                                    "undetected corruption"
                                );
                            }
                            Err(e) => return Err(e),
                        },
                    }
                }
                for id in 0..mem.num_docs() {
                    assert_eq!(SearchIndex::doc(&d, id)?.as_ref(), mem.doc(id));
                }
                d.doc_problems()?;
                Ok(())
            });
            match result {
                Ok(Ok(())) => outcomes[0] += 1,
                Ok(Err(Error::Format { path, .. })) => {
                    assert!(changed);
                    assert!(path.starts_with(&copy), "{path:?}");
                    outcomes[1] += 1;
                }
                Ok(Err(e)) => panic!("{}: case {case}: unexpected error {e:?}", file.display()),
                Err(_) => panic!("{}: case {case}: panic", file.display()),
            }
            // Rebuilding over a corrupt index works and says so.
            if case % 10 == 0 {
                let (d, p, s) =
                    DiskIndex::open_or_update(&copy, &[r.to_path_buf()], &o, None).unwrap();
                if outcomes[1] > 0 && s.committed {
                    assert_parity(&d, &p, r, QUERIES, Check::Full);
                }
            }
        }
    }
    assert!(outcomes[1] > 0);
}

/// An index that cannot be read is rebuilt, and the update says why (for
/// the notice the CLI prints): the damaged file and what was wrong. A clean
/// update says nothing.
#[test]
fn a_rebuild_of_a_damaged_index_names_the_damage() {
    let corpus = tempfile::tempdir().unwrap();
    let r = corpus.path();
    base_corpus(r);
    let dir = tempfile::tempdir().unwrap();
    let ix = dir.path().join("i");
    let (_, _, first) = update(&ix, r, &opts());
    assert_eq!(first.damage, None);
    let seg = fs::read_dir(&ix)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "seg"))
        .unwrap();
    let mut bytes = fs::read(&seg).unwrap();
    bytes[30] ^= 0x01; // in the section table: the header's checksum fails
    fs::write(&seg, &bytes).unwrap();
    let (d, p, s) = update(&ix, r, &opts());
    assert!(s.rebuilt && s.committed, "{s:?}");
    let damage = s.damage.expect("the damage is named");
    assert!(damage.contains(&seg.display().to_string()), "{damage}");
    assert!(damage.contains("header checksum mismatch"), "{damage}");
    assert_parity(&d, &p, r, QUERIES, Check::Full);
    let (_, _, again) = update(&ix, r, &opts());
    assert!(!again.committed && again.damage.is_none(), "{again:?}");
}

/// A tiny deterministic RNG (xorshift64*), enough to corrupt bytes.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let v = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        if n == 0 {
            0
        } else {
            (v % n as u64) as usize
        }
    }
}

#[derive(Clone, Debug)]
enum Op {
    Add(u8, u8),
    Modify(u8, u8),
    Delete(u8),
    Rename(u8, u8),
    Touch(u8),
    Binary(u8),
}

const WORDS: &[&str] = &[
    "kubernetes",
    "deploying",
    "TaskGroup",
    "task_group",
    "reviews",
    "deploy",
    "app",
    "alpha",
    "beta",
    "gamma",
    "review",
    "code",
    "python",
    "tests",
    "the",
    "x",
    "zeta",
    "eta",
    "theta",
    "iota",
];

fn content(seed: u8) -> Vec<u8> {
    let s = seed as usize;
    let pick = |i: usize| WORDS[(s * 7 + i * 13) % WORDS.len()];
    let body: Vec<&str> = (0..(s % 9)).map(pick).collect();
    match s % 5 {
        0 => format!("# {}\n{}\n", pick(1), body.join(" ")).into_bytes(),
        1 => format!("---\nname: {}\n---\n{}\n", pick(2), body.join(" ")).into_bytes(),
        2 => format!(
            "---\nname: {}\ndescription: {} <example>user: {}</example>\ntags: [{}]\ntools: {}\n---\n## {}\n{}\n",
            pick(3),
            pick(4),
            pick(5),
            pick(6),
            pick(0),
            pick(7),
            body.join("\n")
        )
        .into_bytes(),
        3 => format!("---\nname: {}\ndescription: a: b: c\n---\n{}\n", pick(8), body.join(" "))
            .into_bytes(),
        _ => body.join(" ").into_bytes(),
    }
}

fn file_name(n: u8) -> String {
    let dirs = ["", "a/", "a/b/", "z/"];
    format!("{}f{}.md", dirs[(n % 4) as usize], n % 24)
}

fn op_strategy() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Op::Add(a, b)),
        3 => (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Op::Modify(a, b)),
        2 => any::<u8>().prop_map(Op::Delete),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Op::Rename(a, b)),
        1 => any::<u8>().prop_map(Op::Touch),
        1 => any::<u8>().prop_map(Op::Binary),
    ]
}

fn existing(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn apply(root: &Path, op: &Op) {
    let files = existing(root);
    let nth = |n: u8| (!files.is_empty()).then(|| files[n as usize % files.len()].clone());
    match op {
        Op::Add(n, c) => write(root, &file_name(*n), &content(*c)),
        Op::Modify(n, c) => {
            if let Some(f) = nth(*n) {
                fs::write(f, content(*c)).unwrap();
            }
        }
        Op::Delete(n) => {
            if let Some(f) = nth(*n) {
                fs::remove_file(f).unwrap();
            }
        }
        Op::Rename(n, m) => {
            if let Some(f) = nth(*n) {
                let to = root.join(file_name(*m));
                fs::create_dir_all(to.parent().unwrap()).unwrap();
                fs::rename(f, to).unwrap();
            }
        }
        Op::Touch(n) => {
            if let Some(f) = nth(*n) {
                let h = fs::File::options().write(true).open(f).unwrap();
                h.set_modified(
                    std::time::SystemTime::now() + std::time::Duration::from_secs(u64::from(*n)),
                )
                .unwrap();
            }
        }
        Op::Binary(n) => {
            if let Some(f) = nth(*n) {
                fs::write(f, b"bin\0ary").unwrap();
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// After any sequence of updates the disk index equals a fresh build.
    #[test]
    fn any_update_sequence_matches_a_fresh_build(
        steps in prop::collection::vec(prop::collection::vec(op_strategy(), 1..5), 1..6),
        budget in prop_oneof![Just(1usize), Just(3000), Just(1 << 28)],
        threshold in 1usize..5,
        queries in prop::collection::vec(
            prop::collection::vec((prop::sample::select(WORDS), 0u8..10), 1..4), 1..4),
    ) {
        let corpus = tempfile::tempdir().unwrap();
        let ixdir = tempfile::tempdir().unwrap();
        let r = corpus.path();
        let ix = ixdir.path().join("i");
        let o = DiskOptions { memory_budget_bytes: budget, merge_threshold: threshold, ..opts() };
        // Words with the operators of §11: prefix, fuzzy, must, must not,
        // field and key filters, phrases.
        let queries: Vec<String> = queries
            .iter()
            .map(|q| {
                q.iter()
                    .map(|(w, op)| match op {
                        1 => format!("{}*", &w[..w.len().min(4)]),
                        2 => format!("{w}~1"),
                        3 => format!("+{w}"),
                        4 => format!("-{w}"),
                        5 => format!("tools:{w}"),
                        6 => format!("body:{w}"),
                        7 => format!("\"{w} {w}\""),
                        _ => (*w).to_owned(),
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let qrefs: Vec<&str> = queries.iter().map(String::as_str).chain(QUERIES.iter().copied()).collect();
        for step in &steps {
            for op in step {
                apply(r, op);
            }
            let (d, p, _) = update(&ix, r, &o);
            assert_parity(&d, &p, r, &qrefs, Check::Full);
            let reopened = DiskIndex::open(&ix).unwrap();
            assert_eq!(reopened.generation(), d.generation());
        }
    }
}

/// The child side of `kill_9_at_any_moment_leaves_a_correct_index`: updates
/// the index named by the environment, then exits (does nothing otherwise).
#[test]
fn crash_child() {
    let (Ok(ix), Ok(root)) = (
        std::env::var("SPECSEARCH_CRASH_INDEX"),
        std::env::var("SPECSEARCH_CRASH_ROOT"),
    ) else {
        return;
    };
    let o = DiskOptions {
        memory_budget_bytes: 20_000,
        merge_threshold: 4,
        ..opts()
    };
    DiskIndex::open_or_update(Path::new(&ix), &[PathBuf::from(root)], &o, None).unwrap();
}

/// A writer killed with SIGKILL at random moments: the index always opens,
/// and holds either the previous commit or the new one, exactly.
#[cfg(unix)]
#[test]
fn kill_9_at_any_moment_leaves_a_correct_index() {
    let corpus = tempfile::tempdir().unwrap();
    let ixdir = tempfile::tempdir().unwrap();
    let r = corpus.path();
    let ix = ixdir.path().join("i");
    for i in 0..300u32 {
        write(r, &format!("d{}/f{i}.md", i % 7), &content((i % 251) as u8));
    }
    let (mut d, _, _) = update(&ix, r, &opts());
    let mut rng = XorShift(42);
    let mut killed = 0;
    for round in 0..12u32 {
        // The state before, to compare with if the commit did not land.
        let before: Vec<_> = QUERIES
            .iter()
            .map(|q| SearchIndex::search(&d, q, 1000, &SearchOptions::default()).unwrap())
            .collect();
        let generation = DiskIndex::open(&ix).unwrap().generation();
        for i in 0..40u32 {
            let n = rng.below(400) as u32;
            write(
                r,
                &format!("d{}/f{n}.md", n % 7),
                &content((n + round * 3 + i) as u8),
            );
        }
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "crash_child", "--test-threads=1", "--quiet"])
            .env("SPECSEARCH_CRASH_INDEX", &ix)
            .env("SPECSEARCH_CRASH_ROOT", r)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(rng.below(60) as u64));
        if child.kill().is_ok() {
            killed += 1;
        }
        let _ = child.wait();
        let now = DiskIndex::open(&ix).unwrap();
        if now.generation() == generation {
            for (q, want) in QUERIES.iter().zip(&before) {
                assert_eq!(
                    &SearchIndex::search(&now, q, 1000, &SearchOptions::default()).unwrap(),
                    want
                );
            }
        }
        // Either way, the next update brings it to the truth.
        let (d2, p, _) = update(&ix, r, &opts());
        assert_parity(&d2, &p, r, QUERIES, Check::Full);
        d = d2;
    }
    assert!(killed > 0);
}

/// A little-endian `u32` or `u64` at `at`.
fn le(b: &[u8], at: usize, n: usize) -> u64 {
    b[at..at + n]
        .iter()
        .rev()
        .fold(0, |acc, &x| (acc << 8) | u64::from(x))
}

/// Found by the `segment_open` fuzz target: a term dictionary that is
/// malformed yet matches every checksum (crafted: the root address of the
/// name field's `fst` points past its end) made the `fst` crate index out
/// of bounds, a panic out of `search` and `positions`. Now a format error.
#[test]
fn crafted_dictionary_with_valid_checksums_gives_format_error() {
    let corpus = tempfile::tempdir().unwrap();
    let r = corpus.path();
    write(r, "a.md", &agent("runner", "runs jobs", "task group"));
    write(r, "b.md", &agent("kube", "deploys", "kubectl apply"));
    let ix = corpus.path().join("ix");
    update(&ix, r, &opts());
    let seg = fs::read_dir(&ix)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "seg"))
        .unwrap();
    let mut b = fs::read(&seg).unwrap();
    // Section 0 is the name field's term dictionary (container layout:
    // a 24-byte header, then 24 bytes per section: offset, length, CRC).
    let (off, len) = (le(&b, 24, 8) as usize, le(&b, 32, 8) as usize);
    let end = off + len;
    // fst footer: ..., root address (u64), checksum (u32).
    b[end - 12..end - 4].copy_from_slice(&(3u64 << 32).to_le_bytes());
    let crc = crc32fast::hash(&b[off..end]);
    b[40..44].copy_from_slice(&crc.to_le_bytes());
    let table_end = 24 + 24 * le(&b, 16, 4) as usize;
    let header_crc = crc32fast::hash(&b[..table_end]);
    b[table_end..table_end + 4].copy_from_slice(&header_crc.to_le_bytes());
    fs::write(&seg, &b).unwrap();
    // The manifest records the header's checksum: the file of this commit.
    let m = fs::read(ix.join("MANIFEST")).unwrap();
    let mut body: serde_json::Value = serde_json::from_slice(&m[24..]).unwrap();
    body["segments"][0]["file"]["header_crc"] = header_crc.into();
    let body = serde_json::to_vec(&body).unwrap();
    let mut m = m[..24].to_vec();
    m[12..16].copy_from_slice(&crc32fast::hash(&body).to_le_bytes());
    m[16..24].copy_from_slice(&(body.len() as u64).to_le_bytes());
    m.extend_from_slice(&body);
    fs::write(ix.join("MANIFEST"), m).unwrap();

    let d = DiskIndex::open(&ix).unwrap();
    let opts = SearchOptions::default();
    for q in ["runner", "kube*", "runer~1"] {
        match SearchIndex::search(&d, q, 10, &opts) {
            Err(Error::Format { detail, .. }) => assert!(detail.contains("internal error")),
            other => panic!("{q}: {other:?}"),
        }
    }
    assert!(matches!(
        d.positions(Field::Name, "runner", |_, _| {}),
        Err(Error::Format { .. })
    ));
    // Snippets plan the query (a prefix walks the dictionary): an answer
    // or a format error.
    assert!(matches!(
        d.snippets(&[0], "kube* runer~1", &opts),
        Ok(_) | Err(Error::Format { .. })
    ));
}
