//! Times a full on-disk build and a no-change update over a corpus:
//! `cargo run --release --example diskbench -- INDEX_DIR ROOT... [--update-only]
//! [--build-only] [--threads=N] [--budget-mb=M] [--merge=N] [--runs=R]`.
//!
//! `--build-only` times `--runs` full on-disk builds (best and median, with
//! the corpus size in MB/s) and skips the in-memory build and the queries.
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

/// The bytes of the `.md` files under the roots (what the walk indexes, roughly).
fn corpus_bytes(roots: &[PathBuf]) -> u64 {
    fn walk(p: &std::path::Path, n: &mut u64) {
        let Ok(rd) = std::fs::read_dir(p) else { return };
        for e in rd.flatten() {
            let Ok(t) = e.file_type() else { continue };
            if t.is_dir() {
                walk(&e.path(), n);
            } else if e.path().extension().is_some_and(|x| x == "md") {
                *n += e.metadata().map_or(0, |m| m.len());
            }
        }
    }
    let mut n = 0;
    for r in roots {
        walk(r, &mut n);
    }
    n
}

/// User plus system CPU time of the process so far (getrusage via /proc).
fn cpu_time() -> std::time::Duration {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command (which is in parentheses): utime is the 12th, stime the 13th.
    let rest = s.rsplit_once(')').map_or("", |r| r.1);
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
    std::time::Duration::from_millis(ticks * 10)
}

/// Times `runs` full builds of `roots` into `index` and prints the best
/// and median wall and CPU times, MB/s and the segment count.
fn build_only_runs(index: &std::path::Path, roots: &[PathBuf], opts: &DiskOptions, runs: usize) {
    let threads = opts.build.threads;
    let bytes = corpus_bytes(roots);
    let mut times = Vec::new();
    let mut cpus = Vec::new();
    let mut segments = 0;
    for _ in 0..runs {
        let _ = std::fs::remove_dir_all(index);
        let t = Instant::now();
        let c = cpu_time();
        let (ix, _, stats) = DiskIndex::open_or_update(index, roots, opts, None).unwrap();
        times.push(t.elapsed());
        cpus.push(cpu_time().saturating_sub(c));
        segments = stats.segments;
        drop(ix);
    }
    times.sort();
    cpus.sort();
    let mbps = |d: std::time::Duration| bytes as f64 / 1e6 / d.as_secs_f64();
    println!(
        "build threads={threads} runs={runs}: best {:?} ({:.1} MB/s) median {:?} ({:.1} MB/s) cpu min {:?} median {:?} corpus {:.1} MB segments {segments} {}",
        times[0],
        mbps(times[0]),
        times[runs / 2],
        mbps(times[runs / 2]),
        cpus[0],
        cpus[runs / 2],
        bytes as f64 / 1e6,
        rss()
    );
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |args: &mut Vec<String>, name: &str| {
        let had = args.iter().any(|a| a == name);
        args.retain(|a| a != name);
        had
    };
    let value = |args: &mut Vec<String>, name: &str| {
        let prefix = format!("{name}=");
        let v = args
            .iter()
            .find_map(|a| a.strip_prefix(&prefix).map(|v| v.parse::<usize>().unwrap()));
        args.retain(|a| !a.starts_with(&prefix));
        v
    };
    let update_only = flag(&mut args, "--update-only");
    let build_only = flag(&mut args, "--build-only");
    let threads = value(&mut args, "--threads").unwrap_or(0);
    let budget = value(&mut args, "--budget-mb");
    let runs = value(&mut args, "--runs").unwrap_or(5).max(1);
    let merge = value(&mut args, "--merge");
    let index = PathBuf::from(&args[0]);
    let roots: Vec<PathBuf> = args[1..].iter().map(PathBuf::from).collect();
    let mut opts = DiskOptions::default();
    opts.build.threads = threads;
    if let Some(m) = merge {
        opts.merge_threshold = m.max(1);
    }
    if let Some(mb) = budget {
        opts.memory_budget_bytes = mb << 20;
    }
    if build_only {
        build_only_runs(&index, &roots, &opts, runs);
        return;
    }
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
    let (mem, _) = MemoryIndex::build(&roots, &BuildOptions::default()).unwrap();
    warm_latency(&ro, &mem, &opts);
}

/// Prints the warm latency per query, on disk and in memory.
fn warm_latency(ro: &DiskIndex, mem: &MemoryIndex, opts: &SearchOptions) {
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
                let _ = ix.search(q, 10, opts).unwrap();
            }
            let t = Instant::now();
            let n = 500;
            for _ in 0..n {
                let _ = ix.search(q, 10, opts).unwrap();
            }
            t.elapsed() / n
        };
        println!(
            "warm {q:<28} disk {:>10?}  memory {:>10?}",
            time(ro),
            time(mem)
        );
    }
}
