//! Times the analyzer over every `.md` file under a root:
//! `cargo run --release --example tokbench -- ROOT`.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::Instant;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "md") {
            out.push(p);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::args().nth(1).unwrap());
    let mut list = Vec::new();
    files(&root, &mut list);
    let texts: Vec<String> = list
        .iter()
        .map(|p| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned())
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    for _ in 0..3 {
        let t = Instant::now();
        let mut n = 0usize;
        for s in &texts {
            specsearch_core::analysis::for_each_token(s, |_, _| n += 1);
        }
        let e = t.elapsed();
        println!(
            "{n} tokens, {bytes} bytes in {e:?} ({:.0} MB/s)",
            bytes as f64 / e.as_secs_f64() / 1e6
        );
    }
}
