//! The semantic arm: a sentence encoder (BERT + mean pooling + L2
//! normalisation, the all-MiniLM-L6-v2 recipe) and the fusion of its cosine
//! with BM25F.
//!
//! - [`wordpiece`]: text → token ids (`BertNormalizer`, `BertPreTokenizer`,
//!   `WordPiece`), identical to the `tokenizers` library on this model;
//! - [`bert`]: token ids → one unit vector (own forward pass: SIMD dense
//!   layers, attention over `matrixmultiply`, one sequence at a time, no
//!   padding);
//! - [`Encoder`]: both, loaded from a sentence-transformers folder, encoding
//!   many texts over rayon;
//! - [`fuse`]: weighted sum of standardised (z-score) BM25F and cosine;
//!   [`route_scores`]: the same after one round of feedback in the vector
//!   space (`crate::route::hybrid` joins it with the lexical route).
//!
//! The Python reference engine (`specsearch.pure.embed`) mirrors each file;
//! `tests/vectors/embed_*.json` hold the cases both must agree on.

pub mod bert;
mod dense;
pub mod fuse;
pub mod half;
#[allow(clippy::unreadable_literal, reason = "generated code points")]
mod tables;
pub mod wordpiece;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use bert::{Bert, BertConfig};
pub use fuse::{fuse, route_scores, top_k, Feedback, Fused};
pub use wordpiece::WordPiece;

use crate::error::{Error, Result};
use crate::spec::Spec;

/// The token budget of a document vector (`[CLS]` and `[SEP]` included):
/// enough for the name, the description and usually the first example
/// requests, and what keeps document embedding above 30 specs/s on 2 cores.
pub const DOCUMENT_TOKENS: usize = 128;

/// At most this many characters of each part of a document text are kept,
/// far more than [`DOCUMENT_TOKENS`] tokens need, so a long body is never
/// normalized whole.
pub const PART_CHARS: usize = 2048;

/// Joins `parts`, each trimmed and cut at [`PART_CHARS`] characters, empty
/// parts left out, by line feeds.
fn join_parts(parts: &[&str]) -> String {
    let mut out = String::new();
    for part in parts {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        let end = part
            .char_indices()
            .nth(PART_CHARS)
            .map_or(part.len(), |(i, _)| i);
        out.push_str(&part[..end]);
    }
    out
}

/// The long text of a spec's document vector: its name, description,
/// `<example>` user requests and body, in that order, each trimmed and cut
/// at [`PART_CHARS`] characters, empty parts left out, joined by line feeds.
/// Embed it with a budget of [`DOCUMENT_TOKENS`].
#[must_use]
pub fn document_text(spec: &Spec) -> String {
    join_parts(&[&spec.name, &spec.description, &spec.examples, &spec.body])
}

/// The short text of a spec's document vector: its name and description,
/// trimmed, cut and joined as in [`document_text`].
#[must_use]
pub fn summary_text(spec: &Spec) -> String {
    join_parts(&[&spec.name, &spec.description])
}

/// The texts a spec's document vector is made of, [`document_text`] then
/// [`summary_text`]: the vector is their embeddings' sum, normalised to unit
/// length (see [`Encoder::embed_documents`]). The summary keeps the spec's
/// own words about what it is for from being drowned by a long body in the
/// truncated long text (README, *Routing*, has the figures).
#[must_use]
pub fn document_texts(spec: &Spec) -> [String; 2] {
    [document_text(spec), summary_text(spec)]
}

/// Adds `rows` (row-major, `dim` wide) into one row and normalises it to unit
/// length (a zero sum stays zero): how the embeddings of a spec's
/// [`document_texts`] become its vector.
#[must_use]
pub fn combine_rows(rows: &[f32], dim: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; dim];
    for row in rows.chunks_exact(dim.max(1)) {
        for (o, v) in out.iter_mut().zip(row) {
            *o += v;
        }
    }
    let norm = out.iter().map(|v| v * v).sum::<f32>().sqrt();
    if norm > 0.0 {
        for o in &mut out {
            *o /= norm;
        }
    }
    out
}

/// The dot product of each `dim`-wide row of `docs` with `query` (their
/// cosines, for unit vectors), by the dense kernel: one row of output per
/// document row; none when `query` is not `dim` wide.
#[must_use]
pub fn cosines(docs: &[f32], dim: usize, query: &[f32]) -> Vec<f32> {
    let rows = docs.len().checked_div(dim).unwrap_or(0);
    let mut out = vec![0.0f32; rows];
    if rows > 0 && query.len() == dim {
        let zeros = vec![0.0f32; rows];
        dense::dense(query, 1, dim, docs, &zeros, 0..rows, &mut out, rows);
    }
    out
}

/// The [`document_texts`] of the spec file at `path`, or those of `name` and
/// `description` alone when the file cannot be read: what the index embeds
/// for each spec, the same texts `specsearch.vectors` builds in Python.
#[must_use]
pub fn document_texts_of_file(path: &str, name: &str, description: &str) -> [String; 2] {
    let spec = match std::fs::read(path) {
        Ok(bytes) => crate::spec::parse_spec(path, &bytes).0,
        Err(_) => Spec {
            name: name.to_owned(),
            description: description.to_owned(),
            ..Spec::default()
        },
    };
    document_texts(&spec)
}

/// The token budget when a model folder does not name one
/// (`sentence_bert_config.json`'s `max_seq_length`): the `tokenizer.json`
/// truncation of all-MiniLM-L6-v2.
pub const DEFAULT_MAX_TOKENS: usize = 128;

/// A loaded sentence encoder.
#[derive(Debug)]
pub struct Encoder {
    tokenizer: WordPiece,
    model: Bert,
    max_tokens: usize,
    dir: PathBuf,
}

impl Encoder {
    /// Loads the encoder from a sentence-transformers folder holding
    /// `config.json`, `model.safetensors` and `vocab.txt` (and optionally
    /// `sentence_bert_config.json` for the token budget).
    ///
    /// # Errors
    /// [`Error::Io`] for a missing or unreadable file; [`Error::Model`] naming
    /// the file when its content does not fit.
    pub fn load(dir: &Path) -> Result<Self> {
        let tokenizer = WordPiece::from_vocab_file(&dir.join("vocab.txt"))?;
        let model = Bert::load(dir)?;
        if tokenizer.vocab_size() > model.vocab_size() {
            return Err(Error::Model {
                path: dir.join("vocab.txt"),
                detail: format!(
                    "{} tokens, but the model embeds only {}",
                    tokenizer.vocab_size(),
                    model.vocab_size()
                ),
            });
        }
        let st_config = dir.join("sentence_bert_config.json");
        let max_tokens = match std::fs::read_to_string(&st_config) {
            Ok(text) => serde_json::from_str::<serde_json::Value>(&text)
                .map_err(|e| Error::Model {
                    path: st_config.clone(),
                    detail: e.to_string(),
                })?
                .get("max_seq_length")
                .and_then(serde_json::Value::as_u64)
                .map_or(DEFAULT_MAX_TOKENS, |v| v as usize),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => DEFAULT_MAX_TOKENS,
            Err(e) => return Err(Error::io(&st_config, e)),
        };
        let max_tokens = max_tokens.clamp(2, model.config().max_position_embeddings);
        Ok(Self {
            tokenizer,
            model,
            max_tokens,
            dir: dir.to_path_buf(),
        })
    }

    /// The folder the encoder was loaded from.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The width of an embedding.
    #[must_use]
    pub fn dim(&self) -> usize {
        self.model.config().hidden_size
    }

    /// The most tokens a text is truncated to, `[CLS]` and `[SEP]` included.
    #[must_use]
    pub fn max_tokens(&self) -> usize {
        self.max_tokens
    }

    /// The tokenizer.
    #[must_use]
    pub fn tokenizer(&self) -> &WordPiece {
        &self.tokenizer
    }

    /// Token ids of `text` within `max_tokens` (the encoder's budget when `None`,
    /// never more than it).
    #[must_use]
    pub fn tokenize(&self, text: &str, max_tokens: Option<usize>) -> Vec<u32> {
        let budget = max_tokens.map_or(self.max_tokens, |m| m.min(self.max_tokens));
        self.tokenizer.encode(text, budget)
    }

    /// The document vectors of `specs`, row-major `specs.len() × dim`: for each
    /// spec, its [`document_texts`] embedded within [`DOCUMENT_TOKENS`] and
    /// combined by [`combine_rows`].
    #[must_use]
    pub fn embed_documents(&self, specs: &[&Spec]) -> Vec<f32> {
        let texts: Vec<[String; 2]> = specs.iter().map(|s| document_texts(s)).collect();
        self.embed_text_pairs(&texts)
    }

    /// The document vectors of specs given by their [`document_texts`],
    /// row-major `pairs.len() × dim`, as [`Encoder::embed_documents`] makes them.
    #[must_use]
    pub fn embed_text_pairs(&self, pairs: &[[String; 2]]) -> Vec<f32> {
        let dim = self.dim();
        let texts: Vec<&str> = pairs.iter().flatten().map(String::as_str).collect();
        let rows = self.embed(&texts, Some(DOCUMENT_TOKENS));
        rows.chunks_exact(2 * dim.max(1))
            .flat_map(|pair| combine_rows(pair, dim))
            .collect()
    }

    /// The unit-length embeddings of `texts`, row-major `texts.len() × dim`,
    /// computed in parallel over rayon's pool, one text per task (a single
    /// text shares its dense layers between two tasks instead).
    #[must_use]
    pub fn embed<S: AsRef<str> + Sync>(&self, texts: &[S], max_tokens: Option<usize>) -> Vec<f32> {
        let dim = self.dim();
        let mut out = vec![0.0f32; texts.len() * dim];
        let single = texts.len() == 1;
        out.par_chunks_mut(dim)
            .zip(texts.par_iter())
            .with_max_len(1)
            .for_each(|(row, text)| {
                let ids = self.tokenize(text.as_ref(), max_tokens);
                self.model.embed(&ids, row, single);
            });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::cosines;

    #[test]
    fn cosines_are_the_row_dot_products() {
        let dim = 48;
        #[allow(clippy::cast_precision_loss, reason = "small test values")]
        let docs: Vec<f32> = (0..5 * dim)
            .map(|i| ((i * 37 % 19) as f32 - 9.0) / 10.0)
            .collect();
        #[allow(clippy::cast_precision_loss, reason = "small test values")]
        let query: Vec<f32> = (0..dim)
            .map(|i| ((i * 11 % 7) as f32 - 3.0) / 4.0)
            .collect();
        let got = cosines(&docs, dim, &query);
        assert_eq!(got.len(), 5);
        for (row, got) in docs.chunks_exact(dim).zip(&got) {
            let want: f32 = row.iter().zip(&query).map(|(a, b)| a * b).sum();
            assert!((got - want).abs() < 1e-4, "{got} vs {want}");
        }
        assert_eq!(cosines(&docs, dim, &query[1..]), vec![0.0; 5]);
        assert!(cosines(&docs, 0, &[]).is_empty());
    }
}
