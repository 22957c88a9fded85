//! Times the benchmark's mixed query set on an on-disk index, pruned
//! (`search`) against exhaustive (`search_exhaustive`), and checks that both
//! give the same hits: `cargo run --release --example prunebench -- INDEX_DIR
//! [CORPUS_ROOT] [REPS]` (the index is built or updated from the root when
//! one is given).
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use specsearch_core::{DiskIndex, DiskOptions, SearchIndex, SearchOptions};

const MIXED: &[&str] = &[
    "concurrency",
    "kubernetes",
    "terraform",
    "security",
    "agent",
    "accessibility",
    "graphql",
    "microservices",
    "structured concurrency",
    "code review",
    "docker compose",
    "database migration",
    "prompt engineering",
    "react hooks performance",
    "sql injection prevention",
    "rust ownership borrow",
    "machine learning pipeline",
    "python AND asyncio",
    "kubernetes AND operator",
    "test AND automation",
    "security AND audit AND compliance",
    "\"code review\"",
    "\"use this agent\"",
    "\"need to\"",
    "\"error handling\"",
    "model:opus",
    "model:sonnet testing",
    "name:reviewer",
    "description:security",
    "tools:bash",
];

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Times the set as the harness does (`benches`' `test_query`): the queries
/// in turn, so that each finds the caches as the others left them.
fn cycle(ix: &DiskIndex, reps: usize, opts: &SearchOptions) {
    let mut per: Vec<Vec<Duration>> = vec![Vec::new(); MIXED.len()];
    for _ in 0..reps {
        for (i, q) in MIXED.iter().enumerate() {
            let t = Instant::now();
            let _ = ix.search(q, 10, opts).unwrap();
            per[i].push(t.elapsed());
        }
    }
    let all: Vec<Duration> = per.iter().flatten().copied().collect();
    for (q, ts) in MIXED.iter().zip(per) {
        println!("{q:<36} cycled {:>9.1?}", median(ts));
    }
    println!("p50 cycled {:?}", median(all));
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = Path::new(&args[0]);
    let ix = match args.get(1) {
        Some(root) if !root.is_empty() => {
            DiskIndex::open_or_update(dir, &[PathBuf::from(root)], &DiskOptions::default(), None)
                .unwrap()
                .0
        }
        _ => DiskIndex::open(dir).unwrap(),
    };
    let reps: usize = args.get(2).map_or(30, |s| s.parse().unwrap());
    let opts = SearchOptions::default();
    println!("{} docs, {} segments", ix.num_docs(), ix.num_segments());
    if std::env::var_os("PRUNEBENCH_CYCLE").is_some() {
        cycle(&ix, reps, &opts);
        return;
    }
    let (mut all_p, mut all_e) = (Vec::new(), Vec::new());
    for q in MIXED {
        let a = ix.search(q, 10, &opts).unwrap();
        let b = ix.search_exhaustive(q, 10, &opts).unwrap();
        assert_eq!(a, b, "query {q}");
        let (mut tp, mut te) = (Vec::new(), Vec::new());
        for _ in 0..reps {
            let t = Instant::now();
            let _ = ix.search(q, 10, &opts).unwrap();
            tp.push(t.elapsed());
            let t = Instant::now();
            let _ = ix.search_exhaustive(q, 10, &opts).unwrap();
            te.push(t.elapsed());
        }
        let (p, e) = (median(tp), median(te));
        all_p.push(p);
        all_e.push(e);
        println!(
            "{q:<36} pruned {:>9.1?} exhaustive {:>9.1?}  {:.2}x",
            p,
            e,
            e.as_secs_f64() / p.as_secs_f64()
        );
    }
    println!(
        "p50 pruned {:?} exhaustive {:?}",
        median(all_p),
        median(all_e)
    );
}
