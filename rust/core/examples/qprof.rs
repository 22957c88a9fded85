//! Repeats one query on an on-disk index, for profiling:
//! `cargo run --release --example qprof -- INDEX_DIR QUERY [N]` (with
//! `QPROF_EXHAUSTIVE=1` in the environment: without pruning; with
//! `QPROF_PRUNED=1`: pruned whenever the query's shape allows it).
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::path::Path;
use std::time::Instant;

use specsearch_core::{DiskIndex, SearchIndex, SearchOptions};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let ix = DiskIndex::open(Path::new(&args[0])).unwrap();
    let n: u32 = args.get(2).map_or(20_000, |s| s.parse().unwrap());
    let opts = SearchOptions::default();
    let exhaustive = std::env::var_os("QPROF_EXHAUSTIVE").is_some();
    let forced = std::env::var_os("QPROF_PRUNED").is_some();
    let t = Instant::now();
    for _ in 0..n {
        let _ = if forced {
            ix.search_pruned(&args[1], 10, &opts).unwrap()
        } else if exhaustive {
            ix.search_exhaustive(&args[1], 10, &opts).unwrap()
        } else {
            ix.search(&args[1], 10, &opts).unwrap()
        };
    }
    println!("{:?} per query", t.elapsed() / n);
}
