//! Helpers shared by the integration tests (each test crate uses a subset).
#![allow(dead_code)] // each test crate uses only some of the helpers

use std::fs;
use std::path::Path;

use specsearch_core::{
    BuildOptions, DiskIndex, Field, MemoryIndex, Problem, SearchIndex, SearchOptions,
};

/// Writes `content` at `root/rel`, creating the folders.
pub(crate) fn write(root: &Path, rel: &str, content: &(impl AsRef<[u8]> + ?Sized)) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, content.as_ref()).unwrap();
}

/// How much [`assert_parity`] compares.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    /// Problems, docs, exact scores and the top 20.
    Scores,
    /// Also the top k for several k, every hit's snippet and the stats.
    Full,
}

/// Asserts that `disk` answers exactly as a fresh in-memory build over `root`.
pub(crate) fn assert_parity(
    disk: &DiskIndex,
    problems: &[Problem],
    root: &Path,
    queries: &[&str],
    check: Check,
) {
    let (mem, mem_problems) =
        MemoryIndex::build(&[root.to_path_buf()], &BuildOptions::default()).unwrap();
    assert_eq!(problems, mem_problems.as_slice(), "problems differ");
    assert_eq!(SearchIndex::num_docs(disk), mem.num_docs());
    for id in 0..mem.num_docs() {
        assert_eq!(
            SearchIndex::doc(disk, id).unwrap().as_ref(),
            mem.doc(id),
            "doc {id}"
        );
    }
    assert_eq!(SearchIndex::doc(disk, mem.num_docs()).unwrap(), None);
    for q in queries {
        let opts = SearchOptions::default();
        let (a, b) = match (disk.exact_scores(q, &opts), mem.exact_scores(q, &opts)) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(a), Err(b)) => {
                // The same query error (an unknown frontmatter key, say).
                assert_eq!(a.to_string(), b.to_string(), "query {q:?}");
                continue;
            }
            (a, b) => panic!("query {q:?}: {a:?} vs {b:?}"),
        };
        assert_eq!(a.len(), b.len(), "query {q:?}");
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.0, y.0, "query {q:?}");
            assert_eq!(x.1.to_bits(), y.1.to_bits(), "query {q:?} doc {}", x.0);
        }
        let t1 = SearchIndex::search(disk, q, 20, &opts).unwrap();
        let t2 = SearchIndex::search(&mem, q, 20, &opts).unwrap();
        assert_eq!(t1.doc_ids, t2.doc_ids, "query {q:?}");
        if check == Check::Scores {
            continue;
        }
        for k in [1, 3, 1000] {
            let t1 = SearchIndex::search(disk, q, k, &SearchOptions::default()).unwrap();
            let t2 = SearchIndex::search(&mem, q, k, &SearchOptions::default()).unwrap();
            assert_eq!(t1.doc_ids, t2.doc_ids, "query {q:?}");
            let b1: Vec<u32> = t1.scores.iter().map(|s| s.to_bits()).collect();
            let b2: Vec<u32> = t2.scores.iter().map(|s| s.to_bits()).collect();
            assert_eq!(b1, b2, "query {q:?}");
        }
        let all = SearchIndex::search(&mem, q, 1000, &SearchOptions::default()).unwrap();
        assert_eq!(
            SearchIndex::snippets(disk, &all.doc_ids, q, &SearchOptions::default()).unwrap(),
            SearchIndex::snippets(&mem, &all.doc_ids, q, &SearchOptions::default()).unwrap()
        );
    }
    if check == Check::Scores {
        return;
    }
    // Stats are exact over live docs.
    let st = disk.stats();
    assert_eq!(st.docs, u64::from(mem.num_docs()));
    let cols = disk.doc_lengths(Field::Body).unwrap();
    assert_eq!(cols.len() as u64, st.segments);
}
