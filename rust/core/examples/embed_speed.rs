//! Measures the encoder: `cargo run --release -p specsearch-core --example
//! embed_speed -- MODEL_DIR [WORDS] [COUNT]`. Prints the latency of one text
//! of WORDS words (single thread) and the throughput of COUNT such texts over
//! rayon's pool. `REPS=N` sets how many times the one text is encoded (20).
#![allow(clippy::print_stdout, reason = "an example prints its measurements")]

use std::path::PathBuf;
use std::time::Instant;

use specsearch_core::embed::Encoder;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .ok_or("usage: embed_speed MODEL_DIR [WORDS] [COUNT]")?,
    );
    let words: usize = args.next().map_or(Ok(12), |s| s.parse())?;
    let count: usize = args.next().map_or(Ok(64), |s| s.parse())?;
    let t = Instant::now();
    let encoder = Encoder::load(&dir)?;
    println!("load: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    let vocab = [
        "stream",
        "data",
        "dashboard",
        "review",
        "python",
        "code",
        "race",
        "the",
    ];
    let text: String = (0..words)
        .map(|i| vocab[i % vocab.len()])
        .collect::<Vec<_>>()
        .join(" ");
    let tokens = encoder.tokenize(&text, None).len();
    let one = [text.as_str()];
    let _ = encoder.embed(&one, None);
    let reps: u32 = std::env::var("REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let t = Instant::now();
    for _ in 0..reps {
        let _ = encoder.embed(&one, None);
    }
    println!(
        "one text, {tokens} tokens: {:.2} ms",
        t.elapsed().as_secs_f64() * 1e3 / f64::from(reps)
    );
    let texts = vec![text; count];
    let t = Instant::now();
    let _ = encoder.embed(&texts, None);
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{count} texts of {tokens} tokens over {} threads: {:.1} texts/s",
        rayon::current_num_threads(),
        count as f64 / secs
    );
    Ok(())
}
