//! Times the no-change freshness check alone: `cargo run --release
//! --example freshcheck -- INDEX_DIR ROOT... [--runs=N]`.
//!
//! The index must exist and be up to date (build it first, e.g. with
//! `diskbench --build-only`). Each run is one `DiskIndex::open_or_update`
//! that finds nothing to do; it prints the minimum and median wall time and
//! the process CPU time (user + system) per run, which a loaded machine
//! distorts less than the wall time.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use specsearch_core::{DiskIndex, DiskOptions};

/// User plus system CPU time of the process so far.
fn cpu_time() -> Duration {
    // SAFETY: getrusage only writes the struct it is given.
    let usage = unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &raw mut u);
        u
    };
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let runs = args
        .iter()
        .position(|a| a.starts_with("--runs="))
        .map_or(10, |i| args.remove(i)[7..].parse().unwrap());
    let index = PathBuf::from(&args[0]);
    let roots: Vec<PathBuf> = args[1..].iter().map(PathBuf::from).collect();
    let opts = DiskOptions::default();
    let mut walls = Vec::new();
    let mut cpus = Vec::new();
    for _ in 0..runs {
        let (t, c) = (Instant::now(), cpu_time());
        let (ix, _, stats) = DiskIndex::open_or_update(&index, &roots, &opts, None).unwrap();
        walls.push(t.elapsed());
        cpus.push(cpu_time().saturating_sub(c));
        assert!(!stats.committed, "not a no-change check: {stats:?}");
        drop(ix);
    }
    walls.sort();
    cpus.sort();
    println!(
        "no-change check, {runs} runs: wall min {:?} median {:?}; cpu min {:?} median {:?}",
        walls[0],
        walls[runs / 2],
        cpus[0],
        cpus[runs / 2]
    );
}
