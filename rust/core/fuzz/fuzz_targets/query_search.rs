//! Any bytes as a query (lossy UTF-8) against one small in-memory index,
//! built once: parse, search and snippets.
//!
//! The first byte picks the options (structured part): `k` (0–15), the
//! parse mode and a set of field weights; the rest is the query. Checks:
//! never a panic; an error is only ever a query error (strict mode, limits,
//! no searchable terms); at most `k` hits, distinct, existing ids, finite
//! scores ordered by score then id; the same hits in lenient mode when
//! strict mode accepts the query; a snippet is the named line of the
//! hit's file, its highlight spans sorted, merged and inside the line. (No
//! batch: `search_many` would start rayon's threads on every input.)
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use specsearch_core::query::ParseMode;
use specsearch_core::spec::{decode, lines};
use specsearch_core::{
    BuildOptions, Error, MemoryIndex, SearchIndex, SearchOptions, DEFAULT_WEIGHTS,
};

const SPECS: &[(&str, &str)] = &[
    (
        "a.md",
        "---\nname: runner\ndescription: Runs concurrent jobs\\nand more\ntools: Read, Bash\nmodel: opus\n---\n# Usage\nUse TaskGroup now for concurrency.\n<example>\nuser: run my tasks\n</example>\n",
    ),
    ("b.md", "---\nname: grouper\ntools: [Grep, Glob]\nmeta: {a: 1, b: [x, y]}\n---\nConcurrently running a task group with snake_case and kebab-case names.\r\nwordy wordy wordy wordy task task group group\n"),
    ("c.md", "---\nname: kube\ndescription: Deploys to kubernetes\n---\nkubectl apply; draft notes. 并发 データ straße Σίσυφος naïve café è é ǅ ﬁ İ\n```\ncode fence # not a heading\n```\n"),
    ("d.md", "# Draft\nNothing about clusters here. x86_64 v2.0 HTTPServer code review review code\n\u{feff}a\tb\u{7f}c\n"),
    ("skills/deploy/SKILL.md", "name: deploy\ntools: kubectl\n\nShip it with async rust and tokio; go services too.\n"),
];

const WEIGHTS: [[f64; 6]; 4] = [
    DEFAULT_WEIGHTS,
    [1.0; 6],
    [0.0, 0.0, 0.0, 0.0, 1.0, 0.0],
    [100.0, 0.5, 0.0, 3.0, 1.0, 2.0],
];

struct Fixture {
    _dir: tempfile::TempDir,
    index: MemoryIndex,
    /// Each doc's lines, by doc id.
    lines: Vec<Vec<String>>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder");
        std::fs::create_dir_all(dir.path().join("skills/deploy")).expect("a folder");
        for (name, text) in SPECS {
            std::fs::write(dir.path().join(name), text).expect("write a spec");
        }
        let roots = [dir.path().to_path_buf()];
        let (index, problems) =
            MemoryIndex::build(&roots, &BuildOptions::default()).expect("build");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(index.num_docs() as usize, SPECS.len());
        let lines = (0..index.num_docs())
            .map(|id| {
                let path = index.fs_path(id).expect("a file");
                let bytes = std::fs::read(path).expect("read a spec");
                lines(&decode(&bytes)).map(str::to_owned).collect()
            })
            .collect();
        Fixture {
            _dir: dir,
            index,
            lines,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let fx = fixture();
    let idx = &fx.index;
    let k = usize::from(flags & 0x0f);
    let mode = if flags & 0x10 == 0 {
        ParseMode::Lenient
    } else {
        ParseMode::Strict
    };
    let opts = SearchOptions {
        weights: WEIGHTS[usize::from(flags >> 5) % WEIGHTS.len()],
        mode,
    };
    let query = String::from_utf8_lossy(rest);

    let top = match SearchIndex::search(idx, &query, k, &opts) {
        Ok(top) => top,
        Err(Error::Query { position, .. }) => {
            assert!(
                position <= query.chars().count(),
                "{query:?}: position {position}"
            );
            return;
        }
        Err(other) => panic!("{query:?}: {other}"),
    };
    assert!(top.len() <= k && top.scores.len() == top.len());
    for (i, (&id, &score)) in top.doc_ids.iter().zip(&top.scores).enumerate() {
        assert!(
            id < idx.num_docs() && !top.doc_ids[..i].contains(&id),
            "{:?}",
            top.doc_ids
        );
        assert!(score.is_finite(), "{query:?}: {:?}", top.scores);
        if i > 0 {
            let (pid, ps) = (top.doc_ids[i - 1], top.scores[i - 1]);
            assert!(
                ps > score || (ps == score && pid < id),
                "{query:?}: {top:?}"
            );
        }
    }
    if mode == ParseMode::Strict {
        // A query strict mode accepts needs no repair: lenient agrees.
        let lenient = SearchOptions {
            mode: ParseMode::Lenient,
            ..opts
        };
        let other = SearchIndex::search(idx, &query, k, &lenient).expect("lenient accepts it");
        assert_eq!(other, top, "{query:?}");
    }
    let snippets = idx
        .snippets(&top.doc_ids, &query, &opts)
        .expect("snippets of a valid query");
    assert_eq!(snippets.len(), top.len());
    for (&id, snippet) in top.doc_ids.iter().zip(&snippets) {
        let Some(s) = snippet else { continue };
        let file = &fx.lines[id as usize];
        assert!(
            s.line >= 1 && s.line as usize <= file.len(),
            "{query:?}: {s:?}"
        );
        assert_eq!(s.text, file[s.line as usize - 1], "{query:?}");
        let chars = s.text.chars().count() as u32;
        let mut prev_end = None;
        for &(a, b) in &s.spans {
            assert!(a < b && b <= chars, "{query:?}: {s:?}");
            assert!(
                prev_end.is_none_or(|e| a > e),
                "{query:?}: spans not merged {s:?}"
            );
            prev_end = Some(b);
        }
    }
});
