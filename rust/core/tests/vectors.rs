//! The shared test vectors: the cases both engines must agree on, kept once in
//! `tests/vectors/*.json` at the repository root. This file checks the Rust
//! core against them; `tests/test_vectors.py` checks the Python engines
//! against the same files (see `tests/vectors/README.md`).
//!
//! Scores are compared bit for bit (as `f32`, the type results are handed
//! out in): SPEC.md §5 fixes the order of every floating-point operation, so
//! every engine computes the same bits.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fmt::Write as _;

use serde::Deserialize;
use specsearch_core::analysis::{stem_key, tokenize};
use specsearch_core::query::parse;
use specsearch_core::spec::parse_spec;
use specsearch_core::{
    BuildOptions, DiskIndex, DiskOptions, Error, MemoryIndex, ParseMode, SearchIndex, SearchOptions,
};

const QUERY: &str = include_str!("../../../tests/vectors/query.json");
const ANALYSIS: &str = include_str!("../../../tests/vectors/analysis.json");
const SPEC: &str = include_str!("../../../tests/vectors/spec.json");
const SCORES: &str = include_str!("../../../tests/vectors/scores.json");

/// Fails with every mismatch at once, so one run shows the whole picture.
#[track_caller]
fn assert_no_failures(what: &str, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} {what} vector(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A query error as the vectors spell it.
#[derive(Debug, Deserialize, PartialEq, Eq)]
struct QueryErrorCase {
    position: usize,
    message: String,
}

fn query_error(err: Error) -> QueryErrorCase {
    match err {
        Error::Query {
            position, message, ..
        } => QueryErrorCase { position, message },
        other => panic!("expected a query error, got {other}"),
    }
}

// --- query parse and repair (SPEC.md §11) -----------------------------------

#[derive(Deserialize)]
struct QueryFile {
    cases: Vec<QueryCase>,
}

#[derive(Deserialize)]
struct QueryCase {
    query: String,
    lenient: Option<String>,
    #[serde(default)]
    strict_error: Option<QueryErrorCase>,
}

fn printed(query: &str, mode: ParseMode) -> Result<Option<String>, QueryErrorCase> {
    parse(query, mode)
        .map(|tree| tree.map(|t| t.to_string()))
        .map_err(query_error)
}

#[test]
fn query_vectors() {
    let file: QueryFile = serde_json::from_str(QUERY).expect("query.json");
    assert!(file.cases.len() > 100);
    let mut failures = Vec::new();
    for case in &file.cases {
        let lenient = printed(&case.query, ParseMode::Lenient);
        if lenient != Ok(case.lenient.clone()) {
            failures.push(format!("{:?} lenient: got {lenient:?}", case.query));
        }
        let strict = printed(&case.query, ParseMode::Strict);
        let expected = match &case.strict_error {
            Some(err) => Err(QueryErrorCase {
                position: err.position,
                message: err.message.clone(),
            }),
            None => Ok(case.lenient.clone()),
        };
        if strict != expected {
            failures.push(format!("{:?} strict: got {strict:?}", case.query));
        }
    }
    assert_no_failures("query", &failures);
}

// --- analysis (SPEC.md §3) ---------------------------------------------------

#[derive(Deserialize)]
struct AnalysisFile {
    cases: Vec<AnalysisCase>,
    stem_keys: Vec<(String, String)>,
}

/// `(term, position, start, end, whole)`; offsets in code points.
type TokenCase = (String, u32, usize, usize, bool);

#[derive(Deserialize)]
struct AnalysisCase {
    text: String,
    tokens: Vec<TokenCase>,
}

#[test]
fn analysis_vectors() {
    let file: AnalysisFile = serde_json::from_str(ANALYSIS).expect("analysis.json");
    let mut failures = Vec::new();
    for case in &file.cases {
        let chars = |byte: usize| case.text[..byte].chars().count();
        let got: Vec<TokenCase> = tokenize(&case.text)
            .into_iter()
            .map(|t| (t.text, t.position, chars(t.start), chars(t.end), t.whole))
            .collect();
        if got != case.tokens {
            failures.push(format!("{:?}: got {got:?}", case.text));
        }
    }
    for (term, key) in &file.stem_keys {
        let got = stem_key(term);
        if got != key.as_str() {
            failures.push(format!("stem_key({term:?}) = {got:?}, expected {key:?}"));
        }
    }
    assert_no_failures("analysis", &failures);
}

// --- spec fields (SPEC.md §2) ------------------------------------------------

#[derive(Deserialize)]
struct SpecFile {
    cases: Vec<SpecCase>,
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
struct SpecFields {
    name: String,
    description: String,
    frontmatter: Vec<(String, String)>,
    headings: String,
    body: String,
    examples: String,
    /// The line of each problem (messages are each engine's own words).
    problem_lines: Vec<Option<u32>>,
}

#[derive(Deserialize)]
struct SpecCase {
    path: String,
    /// The file's bytes as text, or `hex` when they are not UTF-8.
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    hex: Option<String>,
    expected: SpecFields,
}

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

#[test]
fn spec_vectors() {
    let file: SpecFile = serde_json::from_str(SPEC).expect("spec.json");
    let mut failures = Vec::new();
    for case in &file.cases {
        let bytes = match (&case.text, &case.hex) {
            (Some(text), None) => text.as_bytes().to_vec(),
            (None, Some(hex)) => unhex(hex),
            _ => panic!("{}: give text or hex", case.path),
        };
        let (spec, problems) = parse_spec(&case.path, &bytes);
        if problems.iter().any(|p| p.path != case.path) {
            failures.push(format!("{}: a problem names another path", case.path));
        }
        let got = SpecFields {
            name: spec.name,
            description: spec.description,
            frontmatter: spec.frontmatter,
            headings: spec.headings,
            body: spec.body,
            examples: spec.examples,
            problem_lines: problems.into_iter().map(|p| p.line).collect(),
        };
        if got != case.expected {
            failures.push(format!(
                "{}:\n  got      {got:?}\n  expected {:?}",
                case.path, case.expected
            ));
        }
    }
    assert_no_failures("spec", &failures);
}

// --- BM25F scores (SPEC.md §5) ----------------------------------------------

#[derive(Deserialize)]
struct ScoresFile {
    corpora: std::collections::BTreeMap<String, Vec<(String, String)>>,
    cases: Vec<ScoreCase>,
}

#[derive(Deserialize)]
struct ScoreCase {
    corpus: String,
    query: String,
    #[serde(default)]
    weights: Option<[f64; 6]>,
    #[serde(default)]
    strict: bool,
    /// `(file name, score)`, best first; absent when the query fails.
    #[serde(default)]
    hits: Option<Vec<(String, f32)>>,
    #[serde(default)]
    error: Option<QueryErrorCase>,
}

fn file_name(index: &dyn SearchIndex, id: u32) -> String {
    let path = index.doc(id).unwrap().expect("a hit's doc").path;
    path.rsplit('/').next().unwrap_or_default().to_owned()
}

/// The hits of one case, or its query error, with scores as bits.
fn run(index: &dyn SearchIndex, case: &ScoreCase) -> Result<Vec<(String, u32)>, QueryErrorCase> {
    let mode = if case.strict {
        ParseMode::Strict
    } else {
        ParseMode::Lenient
    };
    let options = SearchOptions::new(case.weights, mode).expect("valid weights");
    let top = index
        .search(&case.query, 1_000, &options)
        .map_err(query_error)?;
    Ok(top
        .doc_ids
        .iter()
        .zip(&top.scores)
        .map(|(&id, s)| (file_name(index, id), s.to_bits()))
        .collect())
}

#[test]
fn score_vectors() {
    let file: ScoresFile = serde_json::from_str(SCORES).expect("scores.json");
    let mut failures = Vec::new();
    for (name, docs) in &file.corpora {
        let dir = tempfile::tempdir().unwrap();
        for (file, text) in docs {
            common::write(dir.path(), file, text);
        }
        let roots = [dir.path().to_path_buf()];
        let (memory, _) = MemoryIndex::build(&roots, &BuildOptions::default()).unwrap();
        let index_dir = tempfile::tempdir().unwrap();
        let (disk, _, _) = DiskIndex::open_or_update(
            &index_dir.path().join("i"),
            &roots,
            &DiskOptions::default(),
            None,
        )
        .unwrap();
        let cases = file.cases.iter().filter(|c| &c.corpus == name);
        for case in cases {
            let expected = match (&case.hits, &case.error) {
                (Some(hits), None) => Ok(hits
                    .iter()
                    .map(|(n, s)| (n.clone(), s.to_bits()))
                    .collect::<Vec<_>>()),
                (None, Some(err)) => Err(QueryErrorCase {
                    position: err.position,
                    message: err.message.clone(),
                }),
                _ => panic!("{:?}: give hits or error", case.query),
            };
            for (kind, index) in [("memory", &memory as &dyn SearchIndex), ("disk", &disk)] {
                let got = run(index, case);
                if got != expected {
                    let mut line = format!("{name} {:?} ({kind}):", case.query);
                    let _ = write!(line, "\n  got      {got:?}\n  expected {expected:?}");
                    failures.push(line);
                }
            }
        }
    }
    assert_no_failures("score", &failures);
}

#[test]
fn every_score_case_names_a_corpus() {
    let file: ScoresFile = serde_json::from_str(SCORES).expect("scores.json");
    for case in &file.cases {
        assert!(file.corpora.contains_key(&case.corpus), "{}", case.corpus);
    }
}
