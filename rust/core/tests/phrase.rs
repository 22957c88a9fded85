//! Phrase queries on an on-disk index (several segments, docs deleted and
//! edited between commits) score exactly as on a fresh in-memory build:
//! the disk path walks varint postings and positions together, the memory
//! path reads plain lists. Texts come from a few words, so phrases match
//! often, with repeated tokens, terms many times in a doc and position
//! gaps of one and two bytes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fs;
use std::path::Path;

use common::{assert_parity, write, Check};
use proptest::prelude::*;
use specsearch_core::{DiskIndex, DiskOptions};

const WORDS: &[&str] = &[
    "need",
    "to",
    "use",
    "this",
    "agent",
    "code",
    "review",
    "TaskGroup",
    "task",
    "group",
    "x",
];

/// A spec whose name, description and body are made of `WORDS`; a word
/// index past the list is a run of filler that pushes positions apart.
fn spec(words: &[u8]) -> String {
    let text = |ws: &[u8]| {
        ws.iter()
            .map(|&w| match WORDS.get(w as usize) {
                Some(w) => (*w).to_owned(),
                None => "filler ".repeat(usize::from(w) * 7).trim_end().to_owned(),
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let (head, body) = words.split_at(words.len().min(6));
    let (name, desc) = head.split_at(head.len().min(2));
    format!(
        "---\nname: {}\ndescription: {}\n---\n# {}\n{}\n",
        text(name),
        text(desc),
        text(name),
        text(body)
    )
}

fn doc_words() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop_oneof![12 => 0u8..11, 1 => 11u8..30], 0..200)
}

fn update(ix: &Path, root: &Path, o: &DiskOptions) -> (DiskIndex, Vec<specsearch_core::Problem>) {
    let (d, p, _) = DiskIndex::open_or_update(ix, &[root.to_path_buf()], o, None).unwrap();
    (d, p)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn phrases_on_disk_score_as_in_memory(
        docs in prop::collection::vec(doc_words(), 1..60),
        edits in prop::collection::vec((any::<u8>(), prop::option::of(doc_words())), 0..12),
        phrases in prop::collection::vec(prop::collection::vec(0u8..11, 2..5), 1..6),
        budget in prop_oneof![Just(1usize), Just(40_000), Just(1 << 28)],
    ) {
        let corpus = tempfile::tempdir().unwrap();
        let ixdir = tempfile::tempdir().unwrap();
        let r = corpus.path();
        let ix = ixdir.path().join("i");
        let o = DiskOptions { memory_budget_bytes: budget, merge_threshold: 64, ..DiskOptions::default() };
        let mut queries: Vec<String> = Vec::new();
        for p in &phrases {
            let words: Vec<&str> = p.iter().map(|&w| WORDS[w as usize]).collect();
            let text = words.join(" ");
            queries.push(format!("\"{text}\""));
            queries.push(format!("body:\"{text}\""));
            queries.push(format!("\"{text}\" {}", words[0]));
        }
        queries.push("\"need to need\"".into());
        queries.push("\"task group\"".into());
        queries.push("\"taskgroup x\"".into());
        let qrefs: Vec<&str> = queries.iter().map(String::as_str).collect();
        for (i, d) in docs.iter().enumerate() {
            write(r, &format!("f{i}.md"), &spec(d));
        }
        let (d, p) = update(&ix, r, &o);
        assert_parity(&d, &p, r, &qrefs, Check::Scores);
        // Deletions and edits leave dead docs in the older segments.
        for (n, edit) in &edits {
            let f = r.join(format!("f{}.md", usize::from(*n) % docs.len()));
            match edit {
                Some(words) => write(r, f.file_name().unwrap().to_str().unwrap(), &spec(words)),
                None => {
                    let _ = fs::remove_file(&f);
                }
            }
        }
        let (d, p) = update(&ix, r, &o);
        assert_parity(&d, &p, r, &qrefs, Check::Scores);
    }
}
