//! The query language end to end (SPEC.md §5, §6): every form on a
//! small corpus, in memory and on disk (which must agree bit for bit).
#![allow(clippy::unwrap_used, clippy::float_cmp)]

mod common;

use std::path::Path;

use common::write;
use specsearch_core::{
    BuildOptions, DiskIndex, DiskOptions, Error, Field, MemoryIndex, ParseMode, SearchIndex,
    SearchOptions, Snippet,
};

/// Doc ids follow the sorted paths: 0 a.md, 1 b.md, 2 c.md, 3 d.md, 4 e.md.
fn corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    write(
        r,
        "a.md",
        "---\nname: runner\ndescription: Runs concurrent jobs\ntools: Read, Bash\nmodel: opus\n---\n# Usage\nUse TaskGroup now for concurrency.\n",
    );
    write(
        r,
        "b.md",
        "---\nname: grouper\ndescription: task group helper\ntools: Grep\n---\nConcurrently running a task group with snake_case names.\n",
    );
    write(
        r,
        "c.md",
        "---\nname: kube\ndescription: Deploys to kubernetes\n---\nkubectl apply; draft notes about taskgroup.\n",
    );
    write(
        r,
        "d.md",
        "# Draft\nNothing about clusters here. Ünïcode wörds.\n",
    );
    write(r, "e.md", "plain text, code review and review code\n");
    dir
}

fn ids(idx: &dyn SearchIndex, q: &str) -> Vec<u32> {
    let mut ids = idx
        .search(q, 100, &SearchOptions::default())
        .unwrap()
        .doc_ids;
    ids.sort_unstable();
    ids
}

fn indexes(dir: &Path, ix: &Path) -> (MemoryIndex, DiskIndex) {
    let roots = [dir.to_path_buf()];
    let (mem, _) = MemoryIndex::build(&roots, &BuildOptions::default()).unwrap();
    let (disk, _, _) =
        DiskIndex::open_or_update(ix, &roots, &DiskOptions::default(), None).unwrap();
    (mem, disk)
}

fn query_error(idx: &dyn SearchIndex, q: &str, mode: ParseMode) -> (usize, String) {
    let opts = SearchOptions::new(None, mode).unwrap();
    match idx.search(q, 10, &opts) {
        Err(Error::Query {
            query,
            position,
            message,
        }) => {
            assert_eq!(query, q);
            (position, message)
        }
        other => panic!("{q:?}: expected a query error, got {other:?}"),
    }
}

#[test]
fn every_form_matches_what_the_contract_says() {
    let dir = corpus();
    let ixdir = tempfile::tempdir().unwrap();
    let (mem, disk) = indexes(dir.path(), &ixdir.path().join("i"));
    for idx in [&mem as &dyn SearchIndex, &disk] {
        // Stems: concurrent ~ concurrency ~ concurrently.
        assert_eq!(ids(idx, "concurrently"), [0, 1]);
        assert_eq!(ids(idx, "running"), [0, 1]);
        // Code-aware terms: TaskGroup finds "task group" and "taskgroup".
        assert_eq!(ids(idx, "TaskGroup"), [0, 1, 2]);
        assert_eq!(ids(idx, "snake_case"), [1]);
        // Phrases are exact (no stems) but split code tokens.
        assert_eq!(ids(idx, "\"task group\""), [0, 1]);
        assert_eq!(ids(idx, "\"concurrent jobs\""), [0]);
        assert_eq!(ids(idx, "\"concurrency jobs\""), Vec::<u32>::new());
        assert_eq!(ids(idx, "\"review code\""), [4]);
        assert_eq!(ids(idx, "\"taskgroup now\""), Vec::<u32>::new());
        // Prefix and fuzzy: the pattern is the last token.
        assert_eq!(ids(idx, "kube*"), [2]);
        assert_eq!(ids(idx, "snake_ca*"), [1]);
        assert_eq!(ids(idx, "TaskGr*"), [0, 2]);
        assert_eq!(ids(idx, "kubernets~1"), [2]);
        assert_eq!(ids(idx, "kubernets~0"), Vec::<u32>::new());
        assert_eq!(ids(idx, "wörd~1"), [3]);
        // Fields and frontmatter keys.
        assert_eq!(ids(idx, "name:kube"), [2]);
        assert_eq!(ids(idx, "NAME:kube"), [2]);
        assert_eq!(ids(idx, "description:task"), [1]);
        assert_eq!(ids(idx, "tools:read"), [0]);
        assert_eq!(ids(idx, "Tools:READ"), [0]);
        assert_eq!(ids(idx, "tools:(grep bash)"), [0, 1]);
        assert_eq!(ids(idx, "model:opus"), [0]);
        assert_eq!(ids(idx, "model:op*"), [0]);
        assert_eq!(ids(idx, "model:opsu~2"), [0]);
        assert_eq!(ids(idx, "tools:\"read bash\""), [0]);
        // Unkeyed leaves never match keyed terms.
        assert_eq!(ids(idx, "frontmatter:opus"), [0]);
        assert_eq!(ids(idx, "tools*"), [0, 1]);
        // Occurrences and AND.
        assert_eq!(ids(idx, "task -kube"), [0, 1]);
        assert_eq!(ids(idx, "+task concurrency"), [0, 1]);
        assert_eq!(ids(idx, "-draft"), [0, 1, 4]);
        assert_eq!(ids(idx, "NOT draft"), [0, 1, 4]);
        assert_eq!(ids(idx, "task AND group AND helper"), [1]);
        assert_eq!(ids(idx, "(kubectl OR review) -code"), [2]);
        assert_eq!(ids(idx, "-(draft OR task)"), [4]);
        // Errors.
        assert_eq!(
            query_error(idx, "x foo:bar", ParseMode::Lenient),
            (2, "unknown field 'foo'".to_owned())
        );
        assert_eq!(
            query_error(idx, "!!! -- ()", ParseMode::Lenient),
            (0, "the query has no searchable terms".to_owned())
        );
        assert_eq!(
            query_error(idx, "a (b", ParseMode::Strict),
            (2, "'(' is never closed".to_owned())
        );
        assert_eq!(ids(idx, "a (kubectl"), [1, 2]);
    }
}

#[test]
fn scores_sum_leaves_in_clause_order_and_must_not_scores_zero() {
    let dir = corpus();
    let ixdir = tempfile::tempdir().unwrap();
    let (mem, disk) = indexes(dir.path(), &ixdir.path().join("i"));
    let o = SearchOptions::default();
    let one = |q: &str| mem.exact_scores(q, &o).unwrap();
    let task = one("task");
    let group = one("group");
    let both = one("task group");
    for (d, s) in &both {
        let t = task.iter().find(|e| e.0 == *d).map_or(0.0, |e| e.1);
        let g = group.iter().find(|e| e.0 == *d).map_or(0.0, |e| e.1);
        // Only clauses that match add, from 0.0, in clause order.
        let mut want = 0.0;
        if task.iter().any(|e| e.0 == *d) {
            want += t;
        }
        if group.iter().any(|e| e.0 == *d) {
            want += g;
        }
        assert_eq!(s.to_bits(), want.to_bits(), "doc {d}");
    }
    assert!(one("-draft").iter().all(|e| e.1 == 0.0));
    // Memory and disk agree bit for bit, for any weights.
    let w = SearchOptions::new(Some([0.0, 1.0, 2.5, 0.0, 1.0, 3.0]), ParseMode::Lenient).unwrap();
    for q in [
        "task group",
        "tools:read -x",
        "\"task group\" concurr*",
        "kubernets~2",
    ] {
        let a = mem.exact_scores(q, &w).unwrap();
        let b = disk.exact_scores(q, &w).unwrap();
        let bits = |v: &[(u32, f64)]| v.iter().map(|e| (e.0, e.1.to_bits())).collect::<Vec<_>>();
        assert_eq!(bits(&a), bits(&b), "{q}");
    }
    // A zero weight still matches, with a zero contribution.
    let name_only = SearchOptions::new(Some([0.0; 6]), ParseMode::Lenient).unwrap();
    let top = mem.search("kube", 10, &name_only).unwrap();
    assert_eq!(top.doc_ids, [2]);
    assert_eq!(top.scores, [0.0]);
}

#[test]
fn options_are_validated() {
    let mut w = SearchOptions::default().weights;
    w[Field::Headings.index()] = f64::NAN;
    match SearchOptions::new(Some(w), ParseMode::Strict) {
        Err(Error::Schema { field, .. }) => assert_eq!(field, "weight.headings"),
        other => panic!("{other:?}"),
    }
    w[Field::Headings.index()] = -1.0;
    assert!(SearchOptions::new(Some(w), ParseMode::Lenient).is_err());
    let o = SearchOptions::new(None, ParseMode::Strict).unwrap();
    assert_eq!(o.weights, SearchOptions::default().weights);
    assert_eq!(o.mode, ParseMode::Strict);
}

#[test]
fn search_many_keeps_order_and_isolates_errors() {
    let dir = corpus();
    let ixdir = tempfile::tempdir().unwrap();
    let (mem, disk) = indexes(dir.path(), &ixdir.path().join("i"));
    // Repeated queries (each searched once) keep their rows, errors too.
    let queries: Vec<String> = [
        "kube", "!!", "task", "nope:x", "review", "kube", "!!", "nope:x", "kube",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for idx in [&mem as &dyn SearchIndex, &disk] {
        let out = idx.search_many(&queries, 3, &SearchOptions::default());
        assert_eq!(out.len(), 9);
        for (q, r) in queries.iter().zip(&out) {
            match idx.search(q, 3, &SearchOptions::default()) {
                Ok(want) => assert_eq!(r.as_ref().unwrap(), &want),
                Err(e) => assert_eq!(r.as_ref().unwrap_err().to_string(), e.to_string()),
            }
        }
        assert!(out[1].is_err() && out[3].is_err() && out[6].is_err() && out[7].is_err());
        assert!(out[5].is_ok() && out[8].is_ok());
    }
}

fn snip(idx: &dyn SearchIndex, id: u32, q: &str) -> Option<Snippet> {
    idx.snippets(&[id], q, &SearchOptions::default())
        .unwrap()
        .remove(0)
}

#[test]
fn snippets_pick_the_line_with_most_leaves_and_give_char_spans() {
    let dir = corpus();
    let ixdir = tempfile::tempdir().unwrap();
    let (mem, disk) = indexes(dir.path(), &ixdir.path().join("i"));
    for idx in [&mem as &dyn SearchIndex, &disk] {
        // Stems match; the whole and its parts merge into one span.
        let s = snip(idx, 0, "concurrency taskgroup").unwrap();
        assert_eq!(s.line, 8);
        assert_eq!(s.text, "Use TaskGroup now for concurrency.");
        assert_eq!(s.spans, [(4, 13), (22, 33)]);
        // The first line wins a tie; the description line has one leaf.
        let s = snip(idx, 0, "concurrent").unwrap();
        assert_eq!((s.line, s.spans.as_slice()), (3, &[(18, 28)][..]));
        // Fields and keys are ignored; must-not leaves do not count.
        let s = snip(idx, 0, "tools:bash -usage").unwrap();
        assert_eq!((s.line, s.spans.as_slice()), (4, &[(13, 17)][..]));
        // A phrase: each token of each occurrence (not the same words
        // elsewhere on the line).
        let s = snip(idx, 4, "\"review code\"").unwrap();
        assert_eq!(s.spans, [(28, 34), (35, 39)]);
        let s = snip(idx, 4, "\"code review\" plain").unwrap();
        assert_eq!(s.spans, [(0, 5), (12, 16), (17, 23)]);
        // Parts are separate spans; a whole overlapping them merges.
        let s = snip(idx, 1, "snake case").unwrap();
        assert_eq!(s.spans, [(39, 44), (45, 49)]);
        let s = snip(idx, 1, "case snake_case").unwrap();
        assert_eq!(s.spans, [(39, 49)]);
        // Character offsets, prefix and fuzzy.
        let s = snip(idx, 3, "wörd~1 ünï*").unwrap();
        assert_eq!(s.spans, [(29, 36), (37, 42)]);
        assert_eq!(snip(idx, 3, "absent"), None);
        assert_eq!(snip(idx, 99, "kube"), None);
        assert!(idx
            .snippets(&[0], "nope:x", &SearchOptions::default())
            .is_err());
    }
}

#[test]
fn the_stem_map_lists_variants() {
    let dir = corpus();
    let (mem, _) =
        MemoryIndex::build(&[dir.path().to_path_buf()], &BuildOptions::default()).unwrap();
    let body = mem.field(Field::Body);
    assert_eq!(
        body.stem_variants("concurr"),
        ["concurrency", "concurrently"]
    );
    let fm = mem.field(Field::Frontmatter);
    assert_eq!(fm.stem_variants("tools\u{1f}read"), Vec::<String>::new());
    assert!(fm.postings("tools\u{1f}read").is_some());
    assert!(fm.postings("model\u{1f}opus").is_some());
    // Keyed terms do not count in the length: "tools Read Bash model opus".
    assert_eq!(fm.lengths()[0], 5);
}

#[test]
fn fuzzy_counts_code_points_for_any_script() {
    // fst's Levenshtein automaton misses `è` for `é~1` (a shared UTF-8 lead
    // byte); the engine must not.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.md", "è");
    write(dir.path(), "b.md", "q");
    write(dir.path(), "c.md", "éa");
    write(dir.path(), "d.md", "并发");
    let ix = tempfile::tempdir().unwrap();
    let (mem, disk) = indexes(dir.path(), ix.path());
    for idx in [&mem as &dyn SearchIndex, &disk] {
        assert_eq!(ids(idx, "body:é~1"), vec![0, 1, 2, 3]);
        assert_eq!(ids(idx, "body:发~1"), vec![0, 1, 3]);
        assert_eq!(ids(idx, "body:并发~0"), vec![3]);
    }
}
