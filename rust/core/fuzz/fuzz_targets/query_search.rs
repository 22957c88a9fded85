//! Any UTF-8 query against a small index (in memory), in both parse modes,
//! with snippets: never a panic; an error is only ever a query error; hits
//! are ordered by score, then doc id, and a batch answers as single searches.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use specsearch_core::query::ParseMode;
use specsearch_core::{BuildOptions, Error, MemoryIndex, SearchIndex, SearchOptions};

const SPECS: &[(&str, &str)] = &[
    (
        "a.md",
        "---\nname: runner\ndescription: Runs concurrent jobs\ntools: Read, Bash\nmodel: opus\n---\n# Usage\nUse TaskGroup now for concurrency.\n<example>\nuser: run my tasks\n</example>\n",
    ),
    ("b.md", "---\nname: grouper\ntools: [Grep, Glob]\n---\nConcurrently running a task group with snake_case and kebab-case names.\n"),
    ("c.md", "---\nname: kube\ndescription: Deploys to kubernetes\n---\nkubectl apply; draft notes. 并发 データ straße Σίσυφος naïve café è é\n"),
    ("d.md", "# Draft\nNothing about clusters here. x86_64 v2.0 HTTPServer code review review code\n"),
];

fn index() -> &'static (tempfile::TempDir, MemoryIndex) {
    static INDEX: OnceLock<(tempfile::TempDir, MemoryIndex)> = OnceLock::new();
    INDEX.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder");
        for (name, text) in SPECS {
            std::fs::write(dir.path().join(name), text).expect("write a spec");
        }
        let roots = [dir.path().to_path_buf()];
        let (index, _) = MemoryIndex::build(&roots, &BuildOptions::default()).expect("build");
        (dir, index)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (_, idx) = index();
    for mode in [ParseMode::Lenient, ParseMode::Strict] {
        let opts = SearchOptions { mode, ..SearchOptions::default() };
        match idx.search(text, 10, &opts) {
            Ok(top) => {
                for w in top.scores.windows(2) {
                    assert!(w[0] >= w[1], "{text:?}: {:?}", top.scores);
                }
                let snippets = idx.snippets(&top.doc_ids, text, &opts).expect("snippets");
                assert_eq!(snippets.len(), top.len());
                let batch = idx.search_many(&[text.to_owned()], 10, &opts);
                assert_eq!(batch[0].as_ref().ok(), Some(&top));
            }
            Err(Error::Query { .. }) => {}
            Err(other) => panic!("{text:?}: {other}"),
        }
    }
});
