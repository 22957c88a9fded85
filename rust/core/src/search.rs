//! BM25F-style scoring, top-k and snippets (ARCHITECTURE.md §5, §6).
//!
//! Scores are summed in double precision over the query terms in order of
//! first appearance and, for each, over the fields in schema order, with
//! exactly the operations of §5; the total is rounded to `f32`, and hits are
//! ordered by that score descending, then doc id ascending.

use std::cmp::Ordering;
use std::ops::ControlFlow;

use crate::analysis::{query_terms, scan_tokens};
use crate::error::{Error, Result};
use crate::index::{read_spec_bytes, DocMeta, MemoryIndex, ReadFailure};
use crate::schema::Field;
use crate::scoring::{Accumulator, Bm25};
use crate::spec::{decode, lines};

/// The best hits of a search, best first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TopDocs {
    /// Doc ids, best first.
    pub doc_ids: Vec<u32>,
    /// The `f32` score of each doc, parallel to `doc_ids`.
    pub scores: Vec<f32>,
}

impl TopDocs {
    /// The number of hits.
    #[must_use]
    pub fn len(&self) -> usize {
        self.doc_ids.len()
    }

    /// Whether there are no hits.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.doc_ids.is_empty()
    }
}

/// The first line of a file that contains a query term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    /// The 1-based line number in the file (frontmatter included).
    pub line: u32,
    /// The line's text, without its `\r`.
    pub text: String,
}

/// The order of hits: score descending, then doc id ascending.
#[allow(clippy::trivially_copy_pass_by_ref)] // the signature sort_by wants
fn hit_order(a: &(f32, u32), b: &(f32, u32)) -> Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

/// What an index holds, for `stats`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexStats {
    /// `"memory"` or `"disk"`.
    pub kind: &'static str,
    /// Live docs (N).
    pub docs: u64,
    /// The number of distinct terms summed over fields and segments (a term
    /// in two fields or in two segments counts twice).
    pub terms: u64,
    /// Segments (1 for an in-memory index).
    pub segments: u64,
    /// Bytes on disk of the manifest and every file it lists (0 in memory).
    pub size_bytes: u64,
    /// The commit generation (0 in memory).
    pub generation: u64,
    /// The on-disk format version (0 in memory).
    pub format_version: u32,
}

/// What every index offers a caller: the bindings use only this, so both
/// kinds of index behave the same.
pub trait SearchIndex: Send + Sync {
    /// The number of docs (N); doc ids are `0..N`.
    fn num_docs(&self) -> u32;

    /// The `k` best docs for `query`.
    ///
    /// # Errors
    /// [`Error::Query`] when the query has no terms; [`Error::Format`] when
    /// an on-disk index turns out corrupt.
    fn search(&self, query: &str, k: usize) -> Result<TopDocs>;

    /// The metadata of a doc; `None` when the id does not exist.
    ///
    /// # Errors
    /// [`Error::Format`] when an on-disk index turns out corrupt.
    fn doc(&self, id: u32) -> Result<Option<DocMeta>>;

    /// The snippets of docs for `query` (see [`MemoryIndex::snippet`]).
    ///
    /// # Errors
    /// As [`MemoryIndex::snippets`], and [`Error::Format`].
    fn snippets(&self, ids: &[u32], query: &str) -> Result<Vec<Option<Snippet>>>;

    /// The length columns of a field: one slice per segment, indexed by the
    /// segment's local doc id (deleted docs included), borrowed from the
    /// index (from the mapped file for an on-disk index).
    ///
    /// # Errors
    /// [`Error::Format`] when a column is corrupt.
    fn doc_lengths(&self, field: Field) -> Result<Vec<&[u32]>>;

    /// Counts for `stats`.
    fn stats(&self) -> IndexStats;
}

impl SearchIndex for MemoryIndex {
    fn num_docs(&self) -> u32 {
        MemoryIndex::num_docs(self)
    }

    fn search(&self, query: &str, k: usize) -> Result<TopDocs> {
        MemoryIndex::search(self, query, k)
    }

    fn doc(&self, id: u32) -> Result<Option<DocMeta>> {
        Ok(MemoryIndex::doc(self, id).cloned())
    }

    fn snippets(&self, ids: &[u32], query: &str) -> Result<Vec<Option<Snippet>>> {
        MemoryIndex::snippets(self, ids, query)
    }

    fn doc_lengths(&self, field: Field) -> Result<Vec<&[u32]>> {
        Ok(vec![self.field(field).lengths()])
    }

    fn stats(&self) -> IndexStats {
        IndexStats {
            kind: "memory",
            docs: u64::from(MemoryIndex::num_docs(self)),
            terms: Field::ALL
                .iter()
                .map(|&f| self.field(f).num_terms() as u64)
                .sum(),
            segments: 1,
            size_bytes: 0,
            generation: 0,
            format_version: 0,
        }
    }
}

/// Keeps the `k` best of `(doc id, exact score)` pairs: rounded to `f32`,
/// score descending, then doc id ascending (§5).
pub(crate) fn top_k(scored: Vec<(u32, f64)>, k: usize) -> TopDocs {
    if k == 0 {
        return TopDocs::default();
    }
    #[allow(clippy::cast_possible_truncation)] // rounding to f32 is the contract
    let mut hits: Vec<(f32, u32)> = scored.into_iter().map(|(d, s)| (s as f32, d)).collect();
    if k < hits.len() {
        hits.select_nth_unstable_by(k - 1, hit_order);
        hits.truncate(k);
    }
    hits.sort_unstable_by(hit_order);
    TopDocs {
        doc_ids: hits.iter().map(|h| h.1).collect(),
        scores: hits.iter().map(|h| h.0).collect(),
    }
}

/// The snippet of the file at `path` (read with the cap `max`) for `terms`.
pub(crate) fn snippet_in_file(
    path: &std::path::Path,
    max: u64,
    terms: &[String],
) -> Result<Option<Snippet>> {
    let bytes = match read_spec_bytes(path, max) {
        Ok(bytes) => bytes,
        Err(ReadFailure::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(ReadFailure::Io(source)) => {
            return Err(Error::Io {
                path: path.to_path_buf(),
                source,
            })
        }
        Err(_) => return Ok(None),
    };
    let text = decode(&bytes);
    for (i, line) in lines(&text).enumerate() {
        let mut hit = false;
        scan_tokens(line, |tok, _, _, _| {
            if terms.iter().any(|t| t == tok) {
                hit = true;
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        if hit {
            return Ok(Some(Snippet {
                line: u32::try_from(i + 1).unwrap_or(u32::MAX),
                text: line.to_owned(),
            }));
        }
    }
    Ok(None)
}

pub(crate) fn terms_of(query: &str) -> Result<Vec<String>> {
    let terms = query_terms(query);
    if terms.is_empty() {
        return Err(Error::Query {
            query: query.to_owned(),
            position: 0,
            message: "the query has no searchable terms".to_owned(),
        });
    }
    Ok(terms)
}

impl MemoryIndex {
    /// The exact `f64` score of every matching doc, as `(doc id, score)` in
    /// doc-id order, for the given query terms.
    fn score_terms(&self, terms: &[String]) -> Vec<(u32, f64)> {
        let n_docs = self.docs.len() as f64;
        let bm25 = Bm25 {
            k1: self.schema.k1,
            b: self.schema.b,
        };
        let mut acc = Accumulator::new(self.docs.len());
        for term in terms {
            for f in Field::ALL {
                let field = &self.fields[f.index()];
                let Some(postings) = field.postings(term) else {
                    continue;
                };
                let idf = Bm25::idf(n_docs, f64::from(postings.doc_freq()));
                let avgdl = field.total_length as f64 / n_docs;
                let lengths = &field.lengths;
                acc.add_postings(
                    &bm25,
                    self.schema.weights[f.index()],
                    idf,
                    avgdl,
                    postings
                        .doc_ids
                        .iter()
                        .zip(&postings.term_freqs)
                        .map(|(&doc, &tf)| (doc, tf, lengths[doc as usize])),
                );
            }
        }
        acc.into_scores()
    }

    /// The `f64` scores (before rounding) of every doc matching `query`, in
    /// doc-id order. Meant for tests and diagnostics.
    ///
    /// # Errors
    /// [`Error::Query`] when the query has no searchable terms.
    pub fn exact_scores(&self, query: &str) -> Result<Vec<(u32, f64)>> {
        Ok(self.score_terms(&terms_of(query)?))
    }

    /// The `k` best docs for `query` (fewer when fewer match; none for `k = 0`).
    ///
    /// # Errors
    /// [`Error::Query`] (position 0) when the query has no searchable terms.
    pub fn search(&self, query: &str, k: usize) -> Result<TopDocs> {
        let terms = terms_of(query)?;
        if k == 0 {
            return Ok(TopDocs::default());
        }
        Ok(top_k(self.score_terms(&terms), k))
    }

    /// The snippet of a doc for `query`: the first line of its file whose
    /// tokens include a query term. `Ok(None)` when the doc id does not
    /// exist, the file has gone (or is now binary or too large), or no line
    /// matches.
    ///
    /// # Errors
    /// [`Error::Query`] when the query has no searchable terms;
    /// [`Error::Io`] when the file exists but cannot be read.
    pub fn snippet(&self, id: u32, query: &str) -> Result<Option<Snippet>> {
        let terms = terms_of(query)?;
        self.snippet_for_terms(id, &terms)
    }

    /// [`MemoryIndex::snippet`] for many docs, analyzing the query once.
    ///
    /// # Errors
    /// As [`MemoryIndex::snippet`]; the first error stops the batch.
    pub fn snippets(&self, ids: &[u32], query: &str) -> Result<Vec<Option<Snippet>>> {
        let terms = terms_of(query)?;
        ids.iter()
            .map(|&id| self.snippet_for_terms(id, &terms))
            .collect()
    }

    fn snippet_for_terms(&self, id: u32, terms: &[String]) -> Result<Option<Snippet>> {
        let Some(path) = self.fs_paths.get(id as usize) else {
            return Ok(None);
        };
        snippet_in_file(path, self.max_file_bytes, terms)
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // exact equality is what is tested
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::index::DocMeta;
    use crate::schema::Schema;
    use crate::spec::Spec;

    fn doc(name: &str, description: &str, body: &str) -> (DocMeta, PathBuf, Spec) {
        let spec = Spec {
            name: name.into(),
            description: description.into(),
            body: body.into(),
            ..Spec::default()
        };
        let meta = DocMeta {
            path: format!("{name}.md"),
            name: name.into(),
            description: description.into(),
        };
        (meta, PathBuf::from(format!("/nonexistent/{name}.md")), spec)
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn bm25_matches_hand_computation() {
        // Three docs; fields name / description / body (others empty).
        //   0: name "alpha", description "kube deploy", body "kube kube helm"
        //   1: name "beta",  description "",            body "helm chart"
        //   2: name "kube",  description "",            body ""
        let idx = MemoryIndex::from_specs(
            vec![
                doc("alpha", "kube deploy", "kube kube helm"),
                doc("beta", "", "helm chart"),
                doc("kube", "", ""),
            ],
            Schema::default(),
        )
        .unwrap();
        let (k1, b) = (1.2f64, 0.75f64);
        let idf = |n: f64| (1.0 + (3.0 - n + 0.5) / (n + 0.5)).ln();
        let part = |w: f64, n: f64, tf: f64, dl: f64, avgdl: f64| {
            let norm = k1 * ((1.0 - b) + b * (dl / avgdl));
            w * idf(n) * ((tf * (k1 + 1.0)) / (tf + norm))
        };
        // "kube": description of doc 0 (n=1, tf=1, dl=2, avgdl=2/3),
        // body of doc 0 (n=1, tf=2, dl=3, avgdl=5/3), name of doc 2
        // (n=1, tf=1, dl=1, avgdl=1).
        let scores = idx.exact_scores("kube").unwrap();
        assert_eq!(scores.len(), 2);
        let s0 = part(2.0, 1.0, 1.0, 2.0, 2.0 / 3.0) + part(1.0, 1.0, 2.0, 3.0, 5.0 / 3.0);
        let s2 = part(3.0, 1.0, 1.0, 1.0, 1.0);
        assert_eq!(scores[0].0, 0);
        assert!(close(scores[0].1, s0), "{} vs {s0}", scores[0].1);
        assert_eq!(scores[1].0, 2);
        assert!(close(scores[1].1, s2));
        // Plain numbers: idf(1) = ln(1 + 2.5/1.5) = ln(8/3) ≈ 0.980829.
        assert!((idf(1.0) - 0.980_829_253_011_726).abs() < 1e-12);
        // doc 2: 3 * 0.980829 * (2.2 / (1 + 1.2)) = 2.942488.
        assert!((s2 - 2.942_487_759_035_178).abs() < 1e-12);

        // "helm kube": terms in order, doc 1 has only helm.
        let scores = idx.exact_scores("helm kube helm").unwrap();
        let helm1 = part(1.0, 2.0, 1.0, 2.0, 5.0 / 3.0);
        assert_eq!(scores.len(), 3);
        assert!(close(scores[1].1, helm1));
        let helm0 = part(1.0, 2.0, 1.0, 3.0, 5.0 / 3.0);
        assert!(close(scores[0].1, helm0 + s0));

        let top = idx.search("kube", 10).unwrap();
        #[allow(clippy::cast_possible_truncation)]
        let expected = vec![(s2 as f32).max(s0 as f32), (s2 as f32).min(s0 as f32)];
        assert_eq!(top.scores, expected);
        assert_eq!(top.doc_ids, if s2 > s0 { [2, 0] } else { [0, 2] });
    }

    #[test]
    fn ties_break_by_doc_id_and_k_truncates() {
        let specs = (0..10)
            .map(|i| doc(&format!("d{i}"), "", "same words here"))
            .collect();
        let idx = MemoryIndex::from_specs(specs, Schema::default()).unwrap();
        let top = idx.search("words", 4).unwrap();
        assert_eq!(top.doc_ids, [0, 1, 2, 3]);
        assert!(top.scores.windows(2).all(|w| w[0] == w[1]));
        assert_eq!(idx.search("words", 100).unwrap().len(), 10);
        assert!(idx.search("words", 0).unwrap().is_empty());
        assert!(idx.search("absent", 5).unwrap().is_empty());
    }

    #[test]
    fn top_k_selects_the_best() {
        let specs = (0..50)
            .map(|i| doc(&format!("d{i}"), "", &"x ".repeat(1 + (i * 7) % 13)))
            .collect();
        let idx = MemoryIndex::from_specs(specs, Schema::default()).unwrap();
        let all = idx.search("x", 1000).unwrap();
        for k in [1, 5, 17, 49, 50] {
            let top = idx.search("x", k).unwrap();
            assert_eq!(top.doc_ids, all.doc_ids[..k]);
            assert_eq!(top.scores, all.scores[..k]);
        }
        let mut pairs: Vec<(f32, u32)> = all.scores.iter().copied().zip(all.doc_ids).collect();
        let sorted = pairs.clone();
        pairs.sort_by(hit_order);
        assert_eq!(pairs, sorted);
    }

    #[test]
    fn empty_query_is_an_error() {
        let idx = MemoryIndex::from_specs(vec![doc("a", "", "x")], Schema::default()).unwrap();
        for q in ["", "  ", "--- !!"] {
            match idx.search(q, 5) {
                Err(Error::Query {
                    query,
                    position,
                    message,
                }) => {
                    assert_eq!(query, q);
                    assert_eq!(position, 0);
                    assert_eq!(message, "the query has no searchable terms");
                }
                other => panic!("expected a query error, got {other:?}"),
            }
        }
        assert!(idx.snippet(0, "!!").is_err());
    }

    #[test]
    fn snippets_read_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(
            &path,
            "\u{FEFF}---\r\nname: Alpha\r\n---\r\nUse KUBE here\r\nkube again\n",
        )
        .unwrap();
        let (meta, _, spec) = doc("a", "", "");
        let mut specs = vec![(meta, path.clone(), spec)];
        specs.push(doc("gone", "", ""));
        let idx = MemoryIndex::from_specs(specs, Schema::default()).unwrap();
        assert_eq!(
            idx.snippet(0, "kube").unwrap(),
            Some(Snippet {
                line: 4,
                text: "Use KUBE here".into()
            })
        );
        assert_eq!(idx.snippet(0, "alpha").unwrap().unwrap().line, 2);
        assert_eq!(idx.snippet(0, "---").ok(), None);
        assert_eq!(idx.snippet(0, "nothing").unwrap(), None);
        assert_eq!(idx.snippet(1, "kube").unwrap(), None);
        assert_eq!(idx.snippet(7, "kube").unwrap(), None);
        let batch = idx.snippets(&[1, 0], "again name").unwrap();
        assert_eq!(batch[0], None);
        assert_eq!(
            batch[1],
            Some(Snippet {
                line: 2,
                text: "name: Alpha".into()
            })
        );
    }
}
