//! Times a full on-disk build and a no-change update over a corpus:
//! `cargo run --release --example diskbench -- INDEX_DIR ROOT... [--update-only]`.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::path::PathBuf;
use std::time::Instant;

use specsearch_core::{
    BuildOptions, DiskIndex, DiskOptions, MemoryIndex, SearchIndex, SearchOptions,
};

/// Peak and current resident memory, from /proc (Linux).
fn rss() -> String {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let get = |k: &str| {
        s.lines()
            .find(|l| l.starts_with(k))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(0, |kb| kb / 1024)
    };
    format!("rss {} MB (peak {} MB)", get("VmRSS:"), get("VmHWM:"))
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let update_only = args.iter().any(|a| a == "--update-only");
    args.retain(|a| a != "--update-only");
    let index = PathBuf::from(&args[0]);
    let roots: Vec<PathBuf> = args[1..].iter().map(PathBuf::from).collect();
    let opts = DiskOptions::default();
    if !update_only {
        let _ = std::fs::remove_dir_all(&index);
    }
    if !update_only {
        let t = Instant::now();
        let (mem, _) = MemoryIndex::build(&roots, &BuildOptions::default()).unwrap();
        println!(
            "MemoryIndex::build: {:?} docs={}",
            t.elapsed(),
            mem.num_docs()
        );
    }
    let t = Instant::now();
    let (ix, problems, stats) = DiskIndex::open_or_update(&index, &roots, &opts, None).unwrap();
    println!(
        "first open_or_update: {:?} {stats:?} problems={} {}",
        t.elapsed(),
        problems.len(),
        rss()
    );
    println!("{:?}", ix.stats());
    let t = Instant::now();
    let (_, _, stats) = DiskIndex::open_or_update(&index, &roots, &opts, None).unwrap();
    println!(
        "no-change open_or_update: {:?} {stats:?} {}",
        t.elapsed(),
        rss()
    );
    let t = Instant::now();
    let ro = DiskIndex::open(&index).unwrap();
    println!("open (read-only): {:?}", t.elapsed());
    let t = Instant::now();
    let opts = SearchOptions::default();
    let top = ro.search("kubernetes deploy python", 10, &opts).unwrap();
    println!("search: {:?} hits={} {}", t.elapsed(), top.len(), rss());
    // Warm latency per query, on disk and in memory.
    let (mem, _) = MemoryIndex::build(&roots, &BuildOptions::default()).unwrap();
    let queries = [
        "kubernetes",
        "kubernetes deploy python",
        "react typescript testing",
        "the",
        "concurrency",
        "TaskGroup",
        "\"code review\"",
        "kube*",
        "kubernets~1",
        "+python -django",
        "tools:read",
        "-draft",
    ];
    for q in queries {
        let time = |ix: &dyn SearchIndex| {
            for _ in 0..50 {
                let _ = ix.search(q, 10, &opts).unwrap();
            }
            let t = Instant::now();
            let n = 500;
            for _ in 0..n {
                let _ = ix.search(q, 10, &opts).unwrap();
            }
            t.elapsed() / n
        };
        println!(
            "warm {q:<28} disk {:>10?}  memory {:>10?}",
            time(&ro),
            time(&mem)
        );
    }
}
