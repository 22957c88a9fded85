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

fn text(rng: &mut Rng, max: usize, skew: usize) -> String {
    let n = 1 + rng.below(max);
    (0..n)
        .map(|_| {
            // Skewed: low indices are common.
            let i = rng.below(WORDS.len()).min(rng.below(WORDS.len() + skew));
            WORDS[i.min(WORDS.len() - 1)]
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn write_corpus(root: &Path, docs: usize, seed: u64) {
    let mut rng = Rng(seed | 1);
    for i in 0..docs {
        let name = text(&mut rng, 2, 4);
        let desc = text(&mut rng, 6, 8);
        let tools = ["Read", "Bash", "Edit"][rng.below(3)];
        let body = text(&mut rng, 60, 2);
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
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for _ in 0..12 {
        let n = 1 + rng.below(4);
        let q: Vec<&str> = (0..n).map(|_| WORDS[rng.below(WORDS.len())]).collect();
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
            let a = SearchIndex::search(disk, q, k, &opts).unwrap();
            let b = SearchIndex::search(mem, q, k, &opts).unwrap();
            assert_eq!(a.doc_ids, b.doc_ids, "query {q:?} k {k}");
            let sa: Vec<u32> = a.scores.iter().map(|s| s.to_bits()).collect();
            let sb: Vec<u32> = b.scores.iter().map(|s| s.to_bits()).collect();
            assert_eq!(sa, sb, "query {q:?} k {k}");
        }
        // And the disk index's own exhaustive path.
        let exact = disk.exact_scores(q, &opts).unwrap();
        let all = SearchIndex::search(disk, q, exact.len().max(1), &opts).unwrap();
        assert_eq!(all.len(), exact.len(), "query {q:?}");
    }
}

fn build(root: &Path, ix: &Path, budget: usize) -> DiskIndex {
    let mut o = DiskOptions::default();
    o.build.threads = 2;
    o.memory_budget_bytes = budget;
    o.merge_threshold = 100;
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
