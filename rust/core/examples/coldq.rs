//! Times one query after the caches were flushed (a 64 MB buffer touched
//! between runs): `coldq INDEX QUERY [N]`.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use specsearch_core::{DiskIndex, SearchIndex, SearchOptions};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let ix = DiskIndex::open(Path::new(&args[0])).unwrap();
    let n: usize = args.get(2).map_or(200, |s| s.parse().unwrap());
    let opts = SearchOptions::default();
    let mut junk = vec![0u64; 8 << 20];
    let mut ts: Vec<Duration> = Vec::new();
    let mut sum = 0u64;
    for r in 0..n {
        if std::env::var_os("COLDQ_WARM").is_none() {
            for (i, x) in junk.iter_mut().enumerate().step_by(8) {
                *x = x.wrapping_add(i as u64 ^ r as u64);
                sum = sum.wrapping_add(*x);
            }
        }
        let t = Instant::now();
        let _ = ix.search(&args[1], 10, &opts).unwrap();
        ts.push(t.elapsed());
    }
    ts.sort();
    println!("{} median {:?} ({sum})", args[1], ts[ts.len() / 2]);
}
