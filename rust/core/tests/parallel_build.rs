//! Several segment builders at once (one per thread over contiguous ranges
//! of the walk): the index answers exactly like a fresh `MemoryIndex` build,
//! whatever the thread count, after a full build and after updates.
#![allow(clippy::unwrap_used, clippy::float_cmp)]

mod common;

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use specsearch_core::{BuildOptions, DiskIndex, DiskOptions, Problem, SearchOptions};

const QUERIES: &[&str] = &[
    "w3 w17",
    "w1 w2 w3",
    "\"w5 w6\"",
    "w1* -w997",
    "+w4 w100",
    "w7~1",
    "tags:w9",
    "name:agent",
    "TaskGroup",
    "deploying kubernetes",
    "w250 OR w251",
];

/// A deterministic pseudo-random generator (a 64-bit LCG).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

/// A spec of about 16 KB whose words depend on `seed`; some have broken
/// YAML (a problem), a few are binary (skipped).
fn spec(seed: u64) -> Vec<u8> {
    let mut r = Lcg(seed);
    if seed % 97 == 5 {
        return b"\0binary".to_vec();
    }
    let mut s = String::new();
    if seed.is_multiple_of(13) {
        s.push_str("---\nname: [broken\n---\n");
    } else {
        let _ = write!(
            s,
            "---\nname: agent-{seed}\ndescription: deploying kubernetes w{}\ntags: [w{}, w{}]\n---\n",
            r.next() % 50,
            r.next() % 20,
            r.next() % 300
        );
    }
    s.push_str("# Title TaskGroup\n");
    while s.len() < 16_000 {
        // Zipf-ish: small word numbers are common, large ones rare.
        let w = (r.next() % 1000) * (r.next() % 1000) / 1000;
        let _ = write!(s, "w{w} ");
        if r.next().is_multiple_of(12) {
            s.push('\n');
        }
    }
    s.into_bytes()
}

fn write_corpus(root: &Path, files: u64, salt: u64) {
    for i in 0..files {
        let p = root.join(format!("d{}/s{i:04}.md", i % 7));
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, spec(i * 31 + salt)).unwrap();
    }
}

fn build(ix: &Path, root: &Path, threads: usize) -> (DiskIndex, Vec<Problem>, u64) {
    // Split: one builder per thread even though one would fit this corpus.
    let o = DiskOptions {
        build: BuildOptions {
            threads,
            ..BuildOptions::default()
        },
        split_small: true,
        ..DiskOptions::default()
    };
    let (d, p, s) = DiskIndex::open_or_update(ix, &[root.to_path_buf()], &o, None).unwrap();
    assert!(s.committed);
    (d, p, s.segments)
}

/// The common parity check, and every query matches something.
fn assert_parity(disk: &DiskIndex, problems: &[Problem], root: &Path) {
    common::assert_parity(disk, problems, root, QUERIES, common::Check::Scores);
    let opts = SearchOptions::default();
    for q in QUERIES {
        let a = disk.exact_scores(q, &opts).unwrap();
        assert!(!a.is_empty(), "query {q:?} matches nothing");
    }
}

#[test]
fn builders_in_parallel_answer_like_memory() {
    let corpus = tempfile::tempdir().unwrap();
    let ixdir = tempfile::tempdir().unwrap();
    let root = corpus.path();
    // 900 files of 16 KB: enough for three builders.
    write_corpus(root, 900, 0);
    let mut segments = Vec::new();
    for threads in [1, 2, 3] {
        let ix = ixdir.path().join(format!("t{threads}"));
        let (d, p, n) = build(&ix, root, threads);
        assert_parity(&d, &p, root);
        segments.push(n);
    }
    // One builder per thread: one segment each.
    assert_eq!(segments, [1, 2, 3]);

    // An update that changes files in every range, removes some and adds
    // some, with two threads over the three-segment index.
    let ix = ixdir.path().join("t3");
    for i in (0..900u64).step_by(3) {
        let p = root.join(format!("d{}/s{i:04}.md", i % 7));
        fs::write(p, spec(i * 31 + 7)).unwrap();
    }
    for i in (1..900u64).step_by(50) {
        fs::remove_file(root.join(format!("d{}/s{i:04}.md", i % 7))).unwrap();
    }
    let extra = root.join("extra");
    write_corpus(&extra, 40, 99);
    let (d, p, _) = build(&ix, root, 2);
    assert_parity(&d, &p, root);
    // Nothing changed: nothing written.
    let o = DiskOptions::default();
    let (d, p, s) = DiskIndex::open_or_update(&ix, &[root.to_path_buf()], &o, None).unwrap();
    assert!(!s.committed);
    assert_parity(&d, &p, root);
}
