//! Pruned top-k (`MaxScore` over block maxima) against exhaustive scoring:
//! the same ids, order and `f32` scores, on corpora large enough for the
//! block maxima to exist (terms in hundreds of docs), over several
//! segments with deleted docs.
#![allow(clippy::unwrap_used, clippy::cast_possible_truncation)]

use std::fs;
use std::path::Path;

use proptest::prelude::*;
use specsearch_core::{
    BuildOptions, DiskIndex, DiskOptions, MemoryIndex, SearchIndex, SearchOptions,
};

const WORDS: &[&str] = &[
    "alpha",
    "beta",
    "gamma",
    "delta",
    "review",
    "reviews",
    "reviewing",
    "code",
    "deploy",
    "kube",
    "python",
    "rust",
    "test",
    "tests",
    "agent",
    "security",
    "audit",
    "zeta",
];

/// A deterministic pseudo-random generator (xorshift).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// Stem variants in plenty: most keys have several terms in a segment.
const VARIANTS: &[&str] = &[
    "review",
    "reviews",
    "reviewed",
    "reviewing",
    "test",
    "tests",
    "testing",
    "tested",
    "code",
    "codes",
    "coding",
    "deploy",
    "deploys",
    "deployed",
    "deploying",
    "agent",
    "agents",
    "alpha",
    "zeta",
];

fn text_of(rng: &mut Rng, words: &[&str], max: usize, skew: usize) -> String {
    let n = 1 + rng.below(max);
    (0..n)
        .map(|_| {
            // Skewed: low indices are common.
            let i = rng.below(words.len()).min(rng.below(words.len() + skew));
            words[i.min(words.len() - 1)]
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn write_corpus(root: &Path, docs: usize, seed: u64) {
    write_corpus_of(root, WORDS, docs, seed);
}

fn write_corpus_of(root: &Path, words: &[&str], docs: usize, seed: u64) {
    let mut rng = Rng(seed | 1);
    for i in 0..docs {
        let name = text_of(&mut rng, words, 2, 4);
        let desc = text_of(&mut rng, words, 6, 8);
        let tools = ["Read", "Bash", "Edit"][rng.below(3)];
        let body = text_of(&mut rng, words, 60, 2);
        let spec = format!(
            "---\nname: {name} {i}\ndescription: {desc}\ntools: {tools}\nmodel: m{}\n---\n{body}\n",
            rng.below(3)
        );
        let p = root.join(format!("d{}/s{i:05}.md", i % 7));
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, spec).unwrap();
    }
}

fn queries(rng: &mut Rng) -> Vec<String> {
    queries_of(rng, WORDS)
}

fn queries_of(rng: &mut Rng, words: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = [
        "alpha",
        "review",
        "code review",
        "alpha beta gamma",
        "review AND code",
        "+review -kube",
        "kube AND python AND test",
        "tools:bash",
        "model:m1 review",
        "name:alpha",
        "description:beta",
        "reviewing tests",
        "alpha -beta",
        "zeta",
        "(alpha OR beta) AND code",
        "\"code review\"",
        // A common first must clause and a rarer one after it (its docs
        // are marked first: the exhaustive executor's rare gate).
        "alpha AND zeta",
        "alpha AND beta AND zeta",
        "+alpha +zeta gamma",
        "alpha AND zeta -beta",
        "alpha AND audit AND zeta",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for _ in 0..12 {
        let n = 1 + rng.below(4);
        let q: Vec<&str> = (0..n).map(|_| words[rng.below(words.len())]).collect();
        out.push(if rng.below(3) == 0 {
            q.join(" AND ")
        } else {
            q.join(" ")
        });
    }
    out
}

fn assert_same(disk: &DiskIndex, mem: &MemoryIndex, qs: &[String]) {
    let opts = SearchOptions::default();
    for q in qs {
        for k in [1, 2, 5, 10, 37, 100_000] {
            let b = SearchIndex::search(mem, q, k, &opts).unwrap();
            let sb: Vec<u32> = b.scores.iter().map(|s| s.to_bits()).collect();
            // As searched, pruned wherever the shape allows, exhaustive.
            for a in [
                SearchIndex::search(disk, q, k, &opts).unwrap(),
                disk.search_pruned(q, k, &opts).unwrap(),
                disk.search_exhaustive(q, k, &opts).unwrap(),
            ] {
                assert_eq!(a.doc_ids, b.doc_ids, "query {q:?} k {k}");
                let sa: Vec<u32> = a.scores.iter().map(|s| s.to_bits()).collect();
                assert_eq!(sa, sb, "query {q:?} k {k}");
            }
        }
        // And the disk index's own exhaustive path.
        let exact = disk.exact_scores(q, &opts).unwrap();
        let all = SearchIndex::search(disk, q, exact.len().max(1), &opts).unwrap();
        assert_eq!(all.len(), exact.len(), "query {q:?}");
    }
}

fn build(root: &Path, ix: &Path, budget: usize) -> DiskIndex {
    build_with(root, ix, budget, 100)
}

/// A build that merges once there are more than `threshold` segments.
fn build_with(root: &Path, ix: &Path, budget: usize, threshold: usize) -> DiskIndex {
    let mut o = DiskOptions::default();
    o.build.threads = 2;
    o.memory_budget_bytes = budget;
    o.merge_threshold = threshold;
    DiskIndex::open_or_update(ix, &[root.to_path_buf()], &o, None)
        .unwrap()
        .0
}

#[test]
fn pruned_top_k_equals_exhaustive_over_segments_and_deletions() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("specs");
    write_corpus(&root, 1500, 7);
    let ix = dir.path().join("ix");
    // One large segment: its common terms have block maxima.
    let disk = build(&root, &ix, 64 << 20);
    let (mem, _) =
        MemoryIndex::build(std::slice::from_ref(&root), &BuildOptions::default()).unwrap();
    let mut rng = Rng(99);
    let qs = queries(&mut rng);
    assert_same(&disk, &mem, &qs);
    // Delete and edit some files: deleted docs stay in the segments.
    for i in (0..1500).step_by(11) {
        let p = root.join(format!("d{}/s{i:05}.md", i % 7));
        if i % 2 == 0 {
            fs::remove_file(p).unwrap();
        } else {
            fs::write(p, "---\nname: review review\n---\nreview code alpha\n").unwrap();
        }
    }
    drop(disk);
    let disk = build(&root, &ix, 64 << 20);
    assert!(disk.num_segments() > 1, "the edits make a second segment");
    let (mem, _) =
        MemoryIndex::build(std::slice::from_ref(&root), &BuildOptions::default()).unwrap();
    assert_same(&disk, &mem, &qs);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn pruned_equals_exhaustive_on_random_corpora(seed in 1u64..u64::MAX, docs in 300usize..900) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("specs");
        write_corpus(&root, docs, seed);
        let disk = build(&root, &dir.path().join("ix"), 1 << 16);
        let (mem, _) = MemoryIndex::build(std::slice::from_ref(&root), &BuildOptions::default()).unwrap();
        let mut rng = Rng(seed);
        assert_same(&disk, &mem, &queries(&mut rng));
    }
}

/// Stem unions: sets of several variants per segment, pruned as one
/// cursor with the union's stored df, over merges and deletions.
#[test]
fn stem_unions_pruned_equal_exhaustive_over_merges_and_deletions() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("specs");
    write_corpus_of(&root, VARIANTS, 1200, 3);
    let ix = dir.path().join("ix");
    // Small segments, merged past the threshold.
    let disk = build_with(&root, &ix, 1 << 16, 2);
    let (mem, _) =
        MemoryIndex::build(std::slice::from_ref(&root), &BuildOptions::default()).unwrap();
    let mut rng = Rng(5);
    let mut qs = queries_of(&mut rng, VARIANTS);
    qs.extend(
        [
            "reviewing",
            "tests",
            "deploy",
            "agent code",
            "+testing -agents",
            "model:m1 coding",
        ]
        .iter()
        .map(|s| (*s).to_owned()),
    );
    assert_same(&disk, &mem, &qs);
    for i in (0..1200).step_by(7) {
        let p = root.join(format!("d{}/s{i:05}.md", i % 7));
        if i % 3 == 0 {
            fs::remove_file(p).unwrap();
        } else {
            fs::write(
                p,
                "---\nname: reviewed tests\n---\nreviews testing deployed\n",
            )
            .unwrap();
        }
    }
    drop(disk);
    // Unmerged: segments with deleted docs count the live union.
    let disk = build(&root, &ix, 1 << 16);
    let (mem, _) =
        MemoryIndex::build(std::slice::from_ref(&root), &BuildOptions::default()).unwrap();
    assert_same(&disk, &mem, &qs);
    drop(disk);
    // Merged: the deleted docs are dropped and the unions recounted.
    let disk = build_with(&root, &ix, 1 << 16, 1);
    assert!(disk.num_segments() <= 2);
    assert_same(&disk, &mem, &qs);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn stem_unions_pruned_equal_exhaustive_on_random_corpora(
        seed in 1u64..u64::MAX,
        docs in 300usize..900,
        budget in prop_oneof![Just(1usize << 15), Just(64usize << 20)],
    ) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("specs");
        write_corpus_of(&root, VARIANTS, docs, seed);
        let disk = build_with(&root, &dir.path().join("ix"), budget, 2);
        let (mem, _) = MemoryIndex::build(std::slice::from_ref(&root), &BuildOptions::default()).unwrap();
        let mut rng = Rng(seed);
        assert_same(&disk, &mem, &queries_of(&mut rng, VARIANTS));
    }
}
