//! `route` without Python: request analysis against the shared vectors
//! (`tests/vectors/route_requests.json`, read by the Python tests too) and
//! ranking over the example specs.
#![allow(clippy::unwrap_used, clippy::float_cmp)]

use std::path::PathBuf;

use serde_json::Value;
use specsearch_core::route::{analyze_request, Tables};
use specsearch_core::{BuildOptions, DiskIndex, DiskOptions, Error, MemoryIndex, RouteIndex};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn analysis_matches_the_shared_vectors() {
    let text = std::fs::read_to_string(repo().join("tests/vectors/route_requests.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let tables = Tables::shipped().unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() > 10);
    for case in cases {
        let request = case["request"].as_str().unwrap();
        let got = analyze_request(request, tables, true);
        if case.get("error").is_some() {
            assert!(matches!(got, Err(Error::Query { .. })), "{request:?}");
            continue;
        }
        let got = got.unwrap();
        let terms: Vec<Value> = got
            .terms
            .iter()
            .map(|t| serde_json::json!([t.key, t.text, t.generic]))
            .collect();
        assert_eq!(Value::Array(terms), case["terms"], "{request:?}");
        assert_eq!(serde_json::json!(got.filler), case["filler"], "{request:?}");
        assert_eq!(
            serde_json::json!(got.stopwords),
            case["stopwords"],
            "{request:?}"
        );
        assert_eq!(Value::Bool(got.fallback), case["fallback"], "{request:?}");
    }
}

fn examples() -> PathBuf {
    repo().join("examples/specs")
}

#[test]
fn a_conversational_request_finds_the_specialist() {
    let (index, _) = MemoryIndex::build(&[examples()], &BuildOptions::default()).unwrap();
    let top = index
        .route(
            "Hi, can you help me find an agent for cancelling tokio tasks?",
            3,
        )
        .unwrap();
    let first = MemoryIndex::doc(&index, top.doc_ids[0]).unwrap();
    assert_eq!(first.name, "async-rust-reviewer");
}

#[test]
fn explanations_add_up_to_the_scores() {
    let (index, _) = MemoryIndex::build(&[examples()], &BuildOptions::default()).unwrap();
    let request = "review python asyncio code for race conditions";
    let top = index.route(request, 5).unwrap();
    assert!(!top.doc_ids.is_empty());
    let explained = index.route_explain(request, &top.doc_ids).unwrap();
    assert!(!explained.analysis.terms.iter().any(|t| t.text == "for"));
    for (score, why) in top.scores.iter().zip(&explained.why) {
        let sum: f64 = why.iter().map(|c| c.score).sum();
        assert!(
            (sum - f64::from(*score)).abs() <= 1e-4 * sum.abs(),
            "{sum} vs {score}"
        );
        assert!(why.windows(2).all(|w| w[0].score >= w[1].score));
    }
}

#[test]
fn syntax_is_words_and_only_an_empty_request_fails() {
    let (index, _) = MemoryIndex::build(&[examples()], &BuildOptions::default()).unwrap();
    for request in [
        "C++: memory leaks",
        "AND",
        "\"unclosed",
        "-flag",
        "tools:",
        "a~9 b*",
    ] {
        index.route(request, 5).unwrap();
    }
    assert!(matches!(index.route(" \t\n", 5), Err(Error::Query { .. })));
    let plain = index.route("python concurrency", 5).unwrap();
    let dressed = index.route("name:python* \"concurrency", 5).unwrap();
    assert_eq!(plain.doc_ids, dressed.doc_ids);
}

#[test]
fn disk_and_memory_route_alike() {
    let dir = tempfile::tempdir().unwrap();
    let (memory, _) = MemoryIndex::build(&[examples()], &BuildOptions::default()).unwrap();
    let (disk, _, _) =
        DiskIndex::open_or_update(dir.path(), &[examples()], &DiskOptions::default(), None)
            .unwrap();
    for request in [
        "I need an agent to review my asyncio code",
        "kubernetes operator",
        "sql",
    ] {
        let a = memory.route(request, 10).unwrap();
        let b = disk.route(request, 10).unwrap();
        assert_eq!(a.doc_ids, b.doc_ids, "{request}");
        assert_eq!(a.scores, b.scores, "{request}");
    }
    let many = disk.route_many(&["sql".to_owned(), " ".to_owned()], 3);
    assert!(many[0].is_ok());
    assert!(many[1].is_err());
}
