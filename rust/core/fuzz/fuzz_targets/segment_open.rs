//! Any bytes as an index's segment file (a real index whose segment is then
//! replaced): opening and searching it gives an answer or an error, never a
//! panic, a hang or an out-of-bounds read.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use specsearch_core::{DiskIndex, DiskOptions, SearchIndex, SearchOptions};

const QUERIES: &[&str] = &["runner", "\"task group\"", "kube*", "concurency~1", "name:runner"];

/// A committed index of two specs, and its segment file.
fn index() -> &'static (tempfile::TempDir, PathBuf, PathBuf) {
    static INDEX: OnceLock<(tempfile::TempDir, PathBuf, PathBuf)> = OnceLock::new();
    INDEX.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let specs = dir.path().join("specs");
        std::fs::create_dir(&specs).expect("a folder");
        std::fs::write(specs.join("a.md"), "---\nname: runner\n---\nUse a task group.\n")
            .expect("a spec");
        std::fs::write(specs.join("b.md"), "---\nname: kube\n---\nkubectl concurrency\n")
            .expect("a spec");
        let ix = dir.path().join("ix");
        DiskIndex::open_or_update(&ix, &[specs], &DiskOptions::default(), None).expect("build");
        let seg = std::fs::read_dir(&ix)
            .expect("the index folder")
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == "seg"))
            .expect("a segment");
        (dir, ix, seg)
    })
}

fuzz_target!(|data: &[u8]| {
    let (_, ix, seg) = index();
    std::fs::write(seg, data).expect("replace the segment");
    let Ok(idx) = DiskIndex::open(ix) else {
        return;
    };
    for q in QUERIES {
        if let Ok(top) = SearchIndex::search(&idx, q, 10, &SearchOptions::default()) {
            for &id in &top.doc_ids {
                let _ = SearchIndex::doc(&idx, id);
            }
        }
    }
});
