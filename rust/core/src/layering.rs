//! The layering check: every `crate::<module>` path in the code of a
//! top-level module names a module of a lower layer (or its own), so the
//! dependencies flow one way (see the crate docs). Comments are not code.

use std::fs;
use std::path::{Path, PathBuf};

/// The layers, lowest first. A module may use the modules of its own layer
/// (itself) and of every lower one.
const LAYERS: &[&[&str]] = &[
    // Shared by every step: errors, problems, the schema, BM25, the file container.
    &["error", "problem", "schema", "scoring", "container"],
    &["walk"],
    &["spec"],
    &["analysis"],
    &["postings"],
    &["segment"],
    &["index"],
    &["query"],
    &["search"],
    &["embed"],
    &["route"],
    // Outside the flow: reads spec files, uses nothing of the crate.
    &["dedup"],
];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The top-level module a file under `src/` belongs to.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap_or(file);
    let first = rel.components().next().map_or_else(String::new, |c| {
        c.as_os_str().to_string_lossy().into_owned()
    });
    first.trim_end_matches(".rs").to_owned()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The modules named by `crate::<name>` in a line of code; `crate::Error`
/// and `crate::Result` (re-exports of `error`) count as `error`.
fn crate_paths(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `specsearch_crate::`, say
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        out.push(match name.as_str() {
            "Error" | "Result" => "error".to_owned(),
            _ => name,
        });
    }
    out
}

#[test]
fn dependencies_flow_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut wrong = Vec::new();
    let mut checked = 0;
    for file in &files {
        let from = module_of(&src, file);
        if from == "lib" || from == "layering" {
            continue;
        }
        let from_layer =
            layer(&from).unwrap_or_else(|| panic!("module `{from}` is in no layer: add it"));
        let text = fs::read_to_string(file).unwrap();
        for (i, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for to in crate_paths(line) {
                checked += 1;
                match layer(&to) {
                    Some(l) if l < from_layer || to == from || (l == 0 && from_layer == 0) => {}
                    _ => wrong.push(format!("{}:{}: {from} -> {to}", file.display(), i + 1)),
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} crate paths found");
    assert!(
        wrong.is_empty(),
        "imports against the layering:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn crate_paths_are_found() {
    assert_eq!(
        crate_paths("use crate::index::{DiskIndex, MemoryIndex}; crate::Error::Io"),
        ["index", "error"]
    );
    assert!(crate_paths("specsearch_crate::x").is_empty());
}
