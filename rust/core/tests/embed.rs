//! The semantic arm against the shared vectors (`tests/vectors/embed_*.json`)
//! and the committed tiny model, with no Python and no download.
#![allow(clippy::unwrap_used, clippy::float_cmp)]

use std::path::PathBuf;

use serde_json::Value;
use specsearch_core::embed::{fuse, route_scores, top_k, Encoder, Feedback};
use specsearch_core::Error;

fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors")
}

fn read(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(vectors().join(name)).unwrap()).unwrap()
}

fn tiny() -> Encoder {
    Encoder::load(&vectors().join("embed_tiny_model")).unwrap()
}

fn ids_of(v: &Value) -> Vec<u32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as u32)
        .collect()
}

fn floats(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

#[test]
fn token_ids_match_the_tokenizers_library() {
    let encoder = tiny();
    let cases = read("embed_tokens.json");
    let cases = cases["cases"].as_array().unwrap();
    assert!(cases.len() >= 20);
    for case in cases {
        let text = case["text"].as_str().unwrap();
        let max = case
            .get("max_tokens")
            .and_then(Value::as_u64)
            .map(|m| m as usize);
        let want: Vec<u32> = ids_of(&case["ids"]);
        assert_eq!(encoder.tokenize(text, max), want, "text {text:?}");
    }
}

#[test]
fn embeddings_match_the_numpy_reference() {
    let encoder = tiny();
    let data = read("embed_tiny.json");
    let min_cos = data["min_cosine"].as_f64().unwrap() as f32;
    let cases = data["cases"].as_array().unwrap();
    let texts: Vec<&str> = cases.iter().map(|c| c["text"].as_str().unwrap()).collect();
    let got = encoder.embed(&texts, None);
    let dim = encoder.dim();
    assert_eq!(got.len(), texts.len() * dim);
    for (row, case) in got.chunks_exact(dim).zip(cases) {
        let want = floats(&case["embedding"]);
        let cos: f32 = row.iter().zip(&want).map(|(a, b)| a * b).sum();
        let norm: f32 = row.iter().map(|a| a * a).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5, "norm {norm}");
        assert!(cos >= min_cos, "cosine {cos} for {:?}", case["text"]);
    }
}

#[test]
fn one_text_or_many_gives_the_same_rows() {
    let encoder = tiny();
    let texts = ["the agent", "review python code", "the agent"];
    let all = encoder.embed(&texts, None);
    let one = encoder.embed(&texts[1..2], None);
    let dim = encoder.dim();
    assert_eq!(&all[dim..2 * dim], &one[..]);
    assert_eq!(&all[..dim], &all[2 * dim..]);
    assert!(encoder.embed::<&str>(&[], None).is_empty());
}

#[test]
fn fusion_matches_the_vectors() {
    let data = read("embed_fuse.json");
    let tol = data["tolerance"].as_f64().unwrap() as f32;
    for case in data["cases"].as_array().unwrap() {
        let ids: Vec<u32> = ids_of(&case["lex_ids"]);
        let alpha = case["alpha"].as_f64().unwrap() as f32;
        let f = fuse(
            &ids,
            &floats(&case["lex_scores"]),
            &floats(&case["cosine"]),
            alpha,
        )
        .unwrap();
        for (name, got) in [
            ("lexical", &f.lexical),
            ("semantic", &f.semantic),
            ("fused", &f.fused),
        ] {
            let want = floats(&case[name]);
            assert_eq!(got.len(), want.len());
            for (g, w) in got.iter().zip(&want) {
                assert!((g - w).abs() <= tol, "{name}: {g} vs {w}");
            }
        }
        let ranking: Vec<u32> = top_k(&f.fused, usize::MAX)
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        let want: Vec<u32> = ids_of(&case["ranking"]);
        assert_eq!(ranking, want);
    }
}

#[test]
fn broken_model_folders_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let err = Encoder::load(dir.path()).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    let tiny_dir = vectors().join("embed_tiny_model");
    for name in ["vocab.txt", "config.json", "sentence_bert_config.json"] {
        std::fs::copy(tiny_dir.join(name), dir.path().join(name)).unwrap();
    }
    std::fs::write(dir.path().join("model.safetensors"), b"not safetensors").unwrap();
    let err = Encoder::load(dir.path()).unwrap_err();
    assert!(matches!(err, Error::Model { .. }), "{err}");
    assert!(err.to_string().contains("model.safetensors"), "{err}");
    std::fs::write(dir.path().join("config.json"), b"{\"hidden_size\": 32}").unwrap();
    let err = Encoder::load(dir.path()).unwrap_err();
    assert!(err.to_string().contains("config.json"), "{err}");
}

#[test]
fn document_texts_match_the_vectors() {
    use specsearch_core::embed::{document_text, summary_text, PART_CHARS};
    let data = read("embed_documents.json");
    assert_eq!(data["part_chars"].as_u64().unwrap() as usize, PART_CHARS);
    for case in data["cases"].as_array().unwrap() {
        let field = |k: &str| case[k].as_str().unwrap().to_owned();
        let repeat = |k: &str| case.get(k).and_then(Value::as_u64).unwrap_or(0) as usize;
        let mut body = field("body");
        if repeat("repeat_body") > 0 {
            body = body.repeat(repeat("repeat_body"));
        }
        let spec = specsearch_core::Spec {
            name: field("name"),
            description: field("description"),
            examples: field("examples"),
            body,
            ..Default::default()
        };
        let mut want = field("text");
        if repeat("repeat_text") > 0 {
            want.push_str(&"é".repeat(repeat("repeat_text")));
        }
        assert_eq!(document_text(&spec), want);
        assert_eq!(summary_text(&spec), field("summary"));
    }
}

#[test]
fn a_document_vector_is_the_normalised_sum_of_its_texts() {
    use specsearch_core::embed::{combine_rows, document_texts, DOCUMENT_TOKENS};
    let encoder = tiny();
    let dim = encoder.dim();
    let specs: Vec<specsearch_core::Spec> = ["cancel tokio tasks", "", "review SQL for injection"]
        .iter()
        .enumerate()
        .map(|(i, d)| specsearch_core::Spec {
            name: format!("agent-{i}"),
            description: (*d).to_owned(),
            body: "A long body about other things. ".repeat(40),
            ..Default::default()
        })
        .collect();
    let refs: Vec<&specsearch_core::Spec> = specs.iter().collect();
    let got = encoder.embed_documents(&refs);
    assert_eq!(got.len(), specs.len() * dim);
    for (spec, row) in specs.iter().zip(got.chunks_exact(dim)) {
        let parts = encoder.embed(&document_texts(spec), Some(DOCUMENT_TOKENS));
        let want = combine_rows(&parts, dim);
        assert_eq!(row, &want[..]);
        let norm: f32 = row.iter().map(|v| v * v).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5, "{norm}");
        // Neither text alone: the sum of two different embeddings.
        assert_ne!(row, &parts[..dim]);
    }
    assert_eq!(combine_rows(&[0.0; 4], 2), vec![0.0, 0.0]);
    assert_eq!(combine_rows(&[3.0, 0.0, 0.0, 4.0], 2), vec![0.6, 0.8]);
}

/// `route_scores` (fusion after one round of feedback) gives the numpy
/// reference's parts and ranking on the shared cases.
#[test]
fn feedback_matches_the_shared_vectors() {
    let data = read("embed_fuse.json");
    let tol = data["feedback_tolerance"].as_f64().unwrap() as f32;
    for case in data["feedback"].as_array().unwrap() {
        let rows = case["vectors"].as_array().unwrap();
        let dim = rows[0].as_array().unwrap().len();
        let vectors: Vec<f32> = rows.iter().flat_map(floats).collect();
        let ids: Vec<u32> = ids_of(&case["lex_ids"]);
        let param = |name: &str| case[name].as_f64().unwrap() as f32;
        let (f, cosine) = route_scores(
            &vectors,
            dim,
            &floats(&case["query"]),
            &ids,
            &floats(&case["lex_scores"]),
            param("alpha"),
            Feedback {
                tau: param("tau"),
                beta: param("beta"),
            },
        )
        .unwrap();
        for (name, got) in [
            ("lexical", &f.lexical),
            ("semantic", &f.semantic),
            ("fused", &f.fused),
            ("cosine", &cosine),
        ] {
            let want = floats(&case[name]);
            assert_eq!(got.len(), want.len(), "{name}");
            for (g, w) in got.iter().zip(&want) {
                assert!((g - w).abs() <= tol, "{name}: {g} vs {w}");
            }
        }
        let ranking: Vec<u64> = top_k(&f.fused, usize::MAX)
            .into_iter()
            .map(|(i, _)| u64::from(i))
            .collect();
        let want: Vec<u64> = case["ranking"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .collect();
        assert_eq!(ranking, want);
    }
}
