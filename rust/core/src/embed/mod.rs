//! The semantic arm: a sentence encoder (BERT + mean pooling + L2
//! normalisation, the all-MiniLM-L6-v2 recipe) and the fusion of its cosine
//! with BM25F.
//!
//! - [`wordpiece`]: text → token ids (`BertNormalizer`, `BertPreTokenizer`,
//!   `WordPiece`), identical to the `tokenizers` library on this model;
//! - [`bert`]: token ids → one unit vector (own forward pass: SIMD dense
//!   layers over the stored weights, attention over `matrixmultiply`, one
//!   sequence at a time, no padding);
//! - [`Encoder`]: both, loaded from a sentence-transformers folder, encoding
//!   many texts over rayon;
//! - [`fuse`]: min-max-normalised weighted sum of BM25F and cosine.
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
pub use fuse::{fuse, top_k, Fused};
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

/// The text a spec's document vector embeds: its name, description,
/// `<example>` user requests and body, in that order, each trimmed and cut
/// at [`PART_CHARS`] characters, empty parts left out, joined by line feeds.
/// Embed it with a budget of [`DOCUMENT_TOKENS`].
#[must_use]
pub fn document_text(spec: &Spec) -> String {
    let mut out = String::new();
    for part in [&spec.name, &spec.description, &spec.examples, &spec.body] {
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

/// The document text of the spec file at `path` (as [`document_text`] of
/// its parse), or of `name` and `description` alone when the file cannot be
/// read: what the index embeds for each spec, the same text
/// `specsearch.vectors` builds in Python.
#[must_use]
pub fn document_text_of_file(path: &str, name: &str, description: &str) -> String {
    let spec = match std::fs::read(path) {
        Ok(bytes) => crate::spec::parse_spec(path, &bytes).0,
        Err(_) => Spec {
            name: name.to_owned(),
            description: description.to_owned(),
            ..Spec::default()
        },
    };
    document_text(&spec)
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
