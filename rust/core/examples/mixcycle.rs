//! The mixed set's queries in turn, as the bench harness times them:
//! `mixcycle INDEX QUERIES_FILE [ROUNDS]` prints each query's median and
//! the median of all (run it with `RAYON_NUM_THREADS=1` to keep each query
//! on one thread).
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use specsearch_core::{DiskIndex, SearchIndex, SearchOptions};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let ix = DiskIndex::open(Path::new(&args[0])).unwrap();
    let text = std::fs::read_to_string(&args[1]).unwrap();
    let queries: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    let rounds: usize = args.get(2).map_or(20, |s| s.parse().unwrap());
    let opts = SearchOptions::default();
    let mut per: Vec<Vec<Duration>> = vec![Vec::new(); queries.len()];
    for r in 0..=rounds {
        for (q, ts) in queries.iter().zip(&mut per) {
            let t = Instant::now();
            let hits = ix.search(q, 10, &opts).unwrap();
            let e = t.elapsed();
            assert!(hits.doc_ids.len() <= 10);
            if r > 0 {
                ts.push(e);
            }
        }
    }
    let mut all: Vec<Duration> = per.iter().flatten().copied().collect();
    all.sort();
    for (q, ts) in queries.iter().zip(&mut per) {
        ts.sort();
        println!("{q:<36} {:>9.1?}", ts[ts.len() / 2]);
    }
    println!(
        "p50 {:?} p99 {:?}",
        all[all.len() / 2],
        all[all.len() * 99 / 100]
    );
}
