//! A build over the shared real corpus (`../shared/corpora` beside the
//! checkout, or `$SPECSEARCH_CORPORA`), when present.
#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use specsearch_core::{BuildOptions, MemoryIndex, SearchIndex, SearchOptions};

/// `$SPECSEARCH_CORPORA`, else `shared/corpora` beside the repository root.
fn corpus_dir() -> PathBuf {
    std::env::var_os("SPECSEARCH_CORPORA").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora"),
        PathBuf::from,
    )
}

fn md_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let ft = entry.file_type().unwrap();
        if ft.is_dir() {
            md_files(&entry.path(), out);
        } else if ft.is_file() && name.to_ascii_lowercase().ends_with(".md") {
            out.push(entry.path());
        }
    }
}

#[test]
fn builds_over_the_shared_corpus() {
    let corpus = corpus_dir();
    let root = corpus.as_path();
    if !root.is_dir() {
        // The corpus is only on machines that have shared/; nothing to check.
        return;
    }
    let (idx, problems) =
        MemoryIndex::build(&[root.to_path_buf()], &BuildOptions::default()).unwrap();
    assert!(idx.num_docs() > 1000, "only {} docs", idx.num_docs());

    // Every .md file (outside hidden folders; the corpus has no ignore files
    // that exclude specs) is indexed or reported.
    let indexed: HashSet<&str> = idx.docs().iter().map(|d| d.path.as_str()).collect();
    let reported: HashSet<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    let mut files = Vec::new();
    md_files(root, &mut files);
    let has_ignore_files = walk_has_ignore_files(root);
    for f in &files {
        let p = f.to_string_lossy();
        assert!(
            has_ignore_files || indexed.contains(&*p) || reported.contains(&*p),
            "{p} is neither indexed nor reported"
        );
    }

    // Doc ids follow the sorted paths.
    let paths: Vec<&str> = idx.docs().iter().map(|d| d.path.as_str()).collect();
    assert!(paths.windows(2).all(|w| w[0].as_bytes() < w[1].as_bytes()));

    let top = SearchIndex::search(&idx, "kubernetes", 10, &SearchOptions::default()).unwrap();
    assert_eq!(top.len(), 10);
    assert!(top.scores.windows(2).all(|w| w[0] >= w[1]));
    let best = idx.doc(top.doc_ids[0]).unwrap();
    assert!(best.name.to_lowercase().contains("kubernetes") || best.path.contains("kubernetes"));
    let snippets =
        SearchIndex::snippets(&idx, &top.doc_ids, "kubernetes", &SearchOptions::default()).unwrap();
    assert!(snippets.iter().all(Option::is_some));
}

fn walk_has_ignore_files(dir: &Path) -> bool {
    std::fs::read_dir(dir).unwrap().any(|e| {
        let e = e.unwrap();
        let name = e.file_name();
        name == ".gitignore"
            || name == ".ignore"
            || (e.file_type().unwrap().is_dir()
                && !name.to_string_lossy().starts_with('.')
                && walk_has_ignore_files(&e.path()))
    })
}
