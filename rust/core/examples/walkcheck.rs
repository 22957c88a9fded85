//! Times the walk alone, replayed from an index's walk cache against a
//! full walk, and the whole no-change check: `cargo run --release
//! --example walkcheck -- INDEX_DIR ROOT... [--runs=N]`.
//!
//! The index must be up to date and its `WALKCACHE` trusted (run
//! `freshcheck` once, more than 2 s after the last change to the tree).
//! Prints the minimum wall time of each over the runs, so the rest of the
//! check (opening the commit, classifying) is the difference.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use specsearch_core::walk::{collect_cached, collect_with, WalkOptions, WALK_CACHE_FILE};
use specsearch_core::{DiskIndex, DiskOptions};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let runs = args
        .iter()
        .position(|a| a.starts_with("--runs="))
        .map_or(20, |i| args.remove(i)[7..].parse().unwrap());
    let index = PathBuf::from(&args[0]);
    let roots: Vec<PathBuf> = args[1..].iter().map(PathBuf::from).collect();
    let opts = DiskOptions::default();
    let (max, walk) = (opts.build.max_file_bytes, WalkOptions::default());
    let cache = std::fs::read(index.join(WALK_CACHE_FILE)).unwrap();
    let mut best = [Duration::MAX; 3];
    for _ in 0..runs {
        let t = Instant::now();
        let replayed = collect_cached(&roots, max, walk, Some(&cache)).unwrap();
        best[0] = best[0].min(t.elapsed());
        assert!(replayed.reused, "the walk cache was not replayed");
        let t = Instant::now();
        let _ = collect_with(&roots, max, walk).unwrap();
        best[1] = best[1].min(t.elapsed());
        let t = Instant::now();
        let (ix, _, stats) = DiskIndex::open_or_update(&index, &roots, &opts, None).unwrap();
        best[2] = best[2].min(t.elapsed());
        assert!(!stats.committed, "not a no-change check: {stats:?}");
        drop(ix);
    }
    println!(
        "{runs} runs, minimum: replayed walk {:?}, full walk {:?}, whole no-change check {:?}",
        best[0], best[1], best[2]
    );
}
