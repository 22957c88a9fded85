//! Times the fusion of a hybrid route over N made-up unit vectors of DIM:
//! `cargo run --release --example fusecost -- [N] [DIM]`.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::cast_precision_loss)]

use std::time::Instant;

use specsearch_core::embed::{cosines, route_scores, Feedback};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(3320, |s| s.parse().unwrap());
    let dim: usize = args.next().map_or(384, |s| s.parse().unwrap());
    let docs: Vec<f32> = (0..n * dim)
        .map(|i| ((i * 7919 % 113) as f32 - 56.0) / 570.0)
        .collect();
    let query: Vec<f32> = (0..dim)
        .map(|i| ((i * 31 % 17) as f32 - 8.0) / 40.0)
        .collect();
    let ids: Vec<u32> = (0..n as u32).step_by(7).collect();
    let scores: Vec<f32> = ids.iter().map(|&i| (i % 13) as f32).collect();
    let reps = 200;
    let t = Instant::now();
    for _ in 0..reps {
        std::hint::black_box(cosines(&docs, dim, &query));
    }
    println!(
        "cosines: {:.3} ms",
        t.elapsed().as_secs_f64() * 1e3 / f64::from(reps)
    );
    for beta in [0.0, 1.0] {
        let t = Instant::now();
        for _ in 0..reps {
            std::hint::black_box(
                route_scores(
                    &docs,
                    dim,
                    &query,
                    &ids,
                    &scores,
                    0.55,
                    Feedback { tau: 0.75, beta },
                )
                .unwrap(),
            );
        }
        println!(
            "route_scores beta {beta}: {:.3} ms",
            t.elapsed().as_secs_f64() * 1e3 / f64::from(reps)
        );
    }
}
