//! Search (SPEC.md §5, §6): the [`SearchIndex`] trait every index
//! implements, its options, results, top-k and snippets.
//!
//! Module map, in the order a query flows:
//! - `source`: the `Source` trait planning and execution read through, with
//!   its impls for [`MemoryIndex`] and [`DiskIndex`];
//! - `plan`: parsed tree → plan (leaves analyzed, empty nodes removed);
//! - `terms`: a leaf's term sets in each part's dictionaries;
//! - `exec`: plan → matching docs with exact `f64` scores;
//! - `collect`: the `k` best, rounded to `f32` ([`TopDocs`]);
//! - `snippet`: a hit's best line ([`Snippet`]);
//! - `options`: [`SearchOptions`].
//!
//! Layering: `search` is the top of the crate. It reads `index` (both kinds),
//! `query`, `analysis`, `postings`, `schema` and `scoring`; nothing below it
//! imports it. Its submodules are private: only the value types and
//! [`SearchIndex`] leave it.

mod budget;
mod collect;
mod exec;
mod options;
mod plan;
mod prune;
mod snippet;
mod source;
mod terms;
mod union;

use rayon::prelude::*;

pub use budget::{MAX_EXPANSION_TERMS, MIN_FUZZY_COST, MIN_PREFIX_COST, PHRASE_COST};
pub(crate) use collect::top_k;
pub use collect::TopDocs;
pub use options::SearchOptions;
pub use snippet::Snippet;
use snippet::{line_matcher, snippet_in_file, StemMemo};
pub(crate) use source::Source;
pub(crate) use terms::stem_set;

use crate::container::FORMAT_VERSION;
use crate::error::Result;
use crate::index::{DiskIndex, MemoryIndex};
use crate::schema::Field;
use crate::spec::DocMeta;

/// A phrase is matched on threads of its own (as many as rayon's pool
/// has), each over a run of segments or, with fewer segments than threads,
/// over a range of a segment's doc ids, when its terms have at least this
/// many postings together (below, starting the threads costs about what
/// they save: measured at 100 MB on one thread, the mixed set's phrases
/// of 11,900-22,100 postings in a field took 0.8-1.3 ms there, those of
/// 3,900-4,300 postings 70-160 µs, and starting and joining a scoped
/// thread takes about 50 µs).
/// The crate's unit tests take the parallel path on their small indexes.
/// A term query of two words or more over several segments is split in two
/// halves of the docs, from its term lookups on (`prune::split`); one word
/// stays on one thread.
#[cfg(not(test))]
const PARALLEL_POSTINGS: u64 = 1 << 13;
#[cfg(test)]
const PARALLEL_POSTINGS: u64 = 1;

/// Whether a query may spread its work over threads: rayon's pool has two
/// or more (`RAYON_NUM_THREADS=1` keeps every query on one), and the query
/// is not running on one of them (a batch's queries are its parallelism).
fn may_fan_out() -> bool {
    rayon::current_num_threads() > 1 && rayon::current_thread_index().is_none()
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

    /// The `k` best docs for `query` (§5): parsed in `opts.mode`, scored
    /// with `opts.weights`. `k = 0` gives no hits (the query is still
    /// checked).
    ///
    /// # Errors
    /// [`Error::Query`] for a syntax problem (strict mode), a limit, an
    /// unknown field or a query without searchable terms; [`Error::Format`]
    /// when an on-disk index turns out corrupt.
    fn search(&self, query: &str, k: usize, opts: &SearchOptions) -> Result<TopDocs>;

    /// [`SearchIndex::search`] for each query, in parallel (rayon), in the
    /// order given; a failing query fails only its own row. A query given
    /// several times is searched once (search is deterministic on one
    /// index), its hits copied to each of its rows.
    fn search_many(
        &self,
        queries: &[String],
        k: usize,
        opts: &SearchOptions,
    ) -> Vec<Result<TopDocs>> {
        let mut first: std::collections::HashMap<&str, usize> =
            std::collections::HashMap::with_capacity(queries.len());
        let mut distinct: Vec<&str> = Vec::new();
        let rows: Vec<usize> = queries
            .iter()
            .map(|q| {
                *first.entry(q.as_str()).or_insert_with(|| {
                    distinct.push(q);
                    distinct.len() - 1
                })
            })
            .collect();
        let done = self.search_distinct(&distinct, k, opts);
        rows.iter()
            .map(|&i| match &done[i] {
                Ok(top) => Ok(top.clone()),
                // An error is not `Clone`: its rows search again (and fail
                // the same way).
                Err(_) => self.search(distinct[i], k, opts),
            })
            .collect()
    }

    /// [`SearchIndex::search`] for each of `queries` (distinct), in
    /// parallel, in the order given: what [`SearchIndex::search_many`]
    /// runs.
    fn search_distinct(
        &self,
        queries: &[&str],
        k: usize,
        opts: &SearchOptions,
    ) -> Vec<Result<TopDocs>> {
        queries
            .par_iter()
            .map(|q| self.search(q, k, opts))
            .collect()
    }

    /// The metadata of a doc; `None` when the id does not exist.
    ///
    /// # Errors
    /// [`Error::Format`] when an on-disk index turns out corrupt.
    fn doc(&self, id: u32) -> Result<Option<DocMeta>>;

    /// The path the file of a doc was read from, its bytes as they are (the
    /// doc's `path` is lossy UTF-8); `None` when the id does not exist.
    ///
    /// # Errors
    /// [`Error::Format`] when an on-disk index turns out corrupt.
    fn fs_path(&self, id: u32) -> Result<Option<std::path::PathBuf>>;

    /// The snippet of each doc for `query` (§6): `None` for an id that
    /// does not exist, a file that has gone (or is now binary or too large)
    /// or that has no matching line.
    ///
    /// # Errors
    /// The [`Error::Query`] errors of [`SearchIndex::search`];
    /// [`Error::Io`] when a file exists but cannot be read;
    /// [`Error::Format`].
    fn snippets(
        &self,
        ids: &[u32],
        query: &str,
        opts: &SearchOptions,
    ) -> Result<Vec<Option<Snippet>>>;

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

/// Every doc matching `query` with its `f64` score (before rounding), in doc-id order.
fn exact_scores<S: Source>(src: &S, query: &str, opts: &SearchOptions) -> Result<Vec<(u32, f64)>> {
    let m = exec::run(src, query, opts)?;
    let mut out: Vec<(u32, f64)> = m.docs.into_iter().zip(m.scores).collect();
    out.sort_unstable_by_key(|e| e.0);
    Ok(out)
}

impl MemoryIndex {
    /// The exact `f64` score (before rounding) of every doc matching
    /// `query`, in doc-id order. Meant for tests and diagnostics.
    ///
    /// # Errors
    /// As [`SearchIndex::search`].
    pub fn exact_scores(&self, query: &str, opts: &SearchOptions) -> Result<Vec<(u32, f64)>> {
        exact_scores(self, query, opts)
    }
}

impl DiskIndex {
    /// The `f64` scores (before rounding) of every doc matching `query`, in
    /// doc-id order (as [`crate::MemoryIndex::exact_scores`]).
    ///
    /// # Errors
    /// [`Error::Query`], [`Error::Format`].
    pub fn exact_scores(&self, query: &str, opts: &SearchOptions) -> Result<Vec<(u32, f64)>> {
        self.guard_reads(|| exact_scores(self, query, opts))
    }

    /// [`SearchIndex::search`] without pruning: every matching doc is
    /// scored. Meant for tests and benchmarks (it gives the same hits).
    ///
    /// # Errors
    /// As [`SearchIndex::search`].
    pub fn search_exhaustive(
        &self,
        query: &str,
        k: usize,
        opts: &SearchOptions,
    ) -> Result<TopDocs> {
        self.guard_reads(|| search_source(self, query, k, opts))
    }

    /// [`SearchIndex::search`] pruned whenever the query's shape allows it,
    /// even where pruning is not expected to pay. Meant for tests and
    /// benchmarks (it gives the same hits).
    ///
    /// # Errors
    /// As [`SearchIndex::search`].
    #[doc(hidden)]
    pub fn search_pruned(&self, query: &str, k: usize, opts: &SearchOptions) -> Result<TopDocs> {
        self.guard_reads(|| prune::search(self, query, k, opts, true))
    }
}

impl SearchIndex for MemoryIndex {
    fn num_docs(&self) -> u32 {
        MemoryIndex::num_docs(self)
    }

    fn search(&self, query: &str, k: usize, opts: &SearchOptions) -> Result<TopDocs> {
        search_source(self, query, k, opts)
    }

    fn doc(&self, id: u32) -> Result<Option<DocMeta>> {
        Ok(MemoryIndex::doc(self, id).cloned())
    }

    fn fs_path(&self, id: u32) -> Result<Option<std::path::PathBuf>> {
        Ok(MemoryIndex::fs_path(self, id).map(std::path::Path::to_path_buf))
    }

    fn snippets(
        &self,
        ids: &[u32],
        query: &str,
        opts: &SearchOptions,
    ) -> Result<Vec<Option<Snippet>>> {
        let matcher = line_matcher(self, query, opts)?;
        let mut stems = StemMemo::default();
        ids.iter()
            .map(|&id| match self.fs_path(id) {
                Some(path) => Ok(snippet_in_file(
                    path,
                    self.max_file_bytes,
                    &matcher,
                    &mut stems,
                )),
                None => Ok(None),
            })
            .collect()
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

/// Runs a search over any source.
fn search_source<S: Source>(
    src: &S,
    query: &str,
    k: usize,
    opts: &SearchOptions,
) -> Result<TopDocs> {
    opts.validate()?;
    exec::run_top(src, query, k, opts)
}

impl SearchIndex for DiskIndex {
    fn num_docs(&self) -> u32 {
        self.manifest.num_docs
    }

    fn search(&self, query: &str, k: usize, opts: &SearchOptions) -> Result<TopDocs> {
        opts.validate()?;
        self.guard_reads(|| prune::search(self, query, k, opts, false))
    }

    fn search_distinct(
        &self,
        queries: &[&str],
        k: usize,
        opts: &SearchOptions,
    ) -> Vec<Result<TopDocs>> {
        // Bad options, or a read that failed inside the batch: each query
        // on its own, which says why for its row (errors are not `Clone`).
        let batch = opts
            .validate()
            .and_then(|()| self.guard_reads(|| Ok(prune::search_batch(self, queries, k, opts))));
        batch.unwrap_or_else(|_| {
            queries
                .par_iter()
                .map(|q| self.search(q, k, opts))
                .collect()
        })
    }

    fn doc(&self, id: u32) -> Result<Option<DocMeta>> {
        Ok(self.stored(id)?.map(|d| d.meta))
    }

    fn fs_path(&self, id: u32) -> Result<Option<std::path::PathBuf>> {
        Ok(self.stored(id)?.map(|d| d.abs_path))
    }

    fn snippets(
        &self,
        ids: &[u32],
        query: &str,
        opts: &SearchOptions,
    ) -> Result<Vec<Option<Snippet>>> {
        let matcher = self.guard_reads(|| line_matcher(self, query, opts))?;
        let mut stems = StemMemo::default();
        ids.iter()
            .map(|&id| match self.stored(id)? {
                Some(d) => Ok(snippet_in_file(
                    &d.abs_path,
                    self.manifest.max_file_bytes,
                    &matcher,
                    &mut stems,
                )),
                None => Ok(None),
            })
            .collect()
    }

    fn doc_lengths(&self, field: Field) -> Result<Vec<&[u32]>> {
        self.segments.iter().map(|s| s.lengths(field)).collect()
    }

    fn stats(&self) -> IndexStats {
        IndexStats {
            kind: "disk",
            docs: u64::from(self.manifest.num_docs),
            terms: self
                .manifest
                .segments
                .iter()
                .map(|s| s.terms.iter().sum::<u64>())
                .sum(),
            segments: self.segments.len() as u64,
            size_bytes: self.size_bytes,
            generation: self.manifest.generation,
            format_version: FORMAT_VERSION,
        }
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // exact equality is what is tested
mod tests {
    use std::path::PathBuf;

    use super::collect::hit_order;
    use super::*;
    use crate::error::Error;
    use crate::schema::Schema;
    use crate::spec::DocMeta;
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

    fn search(idx: &MemoryIndex, q: &str, k: usize) -> TopDocs {
        SearchIndex::search(idx, q, k, &SearchOptions::default()).unwrap()
    }

    fn snippet(idx: &MemoryIndex, id: u32, q: &str) -> Result<Option<Snippet>> {
        SearchIndex::snippets(idx, &[id], q, &SearchOptions::default()).map(|mut v| v.remove(0))
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
        let scores = idx.exact_scores("kube", &SearchOptions::default()).unwrap();
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
        // Each clause of the Or adds its own leaf score: helm counts twice.
        let scores = idx
            .exact_scores("helm kube helm", &SearchOptions::default())
            .unwrap();
        let helm1 = part(1.0, 2.0, 1.0, 2.0, 5.0 / 3.0);
        assert_eq!(scores.len(), 3);
        assert!(close(scores[1].1, helm1 + helm1));
        let helm0 = part(1.0, 2.0, 1.0, 3.0, 5.0 / 3.0);
        assert_eq!(scores[0].1, 0.0 + helm0 + s0 + helm0);

        let top = search(&idx, "kube", 10);
        #[allow(clippy::cast_possible_truncation)]
        let expected = vec![(s2 as f32).max(s0 as f32), (s2 as f32).min(s0 as f32)];
        assert_eq!(top.scores, expected);
        assert_eq!(top.doc_ids, if s2 > s0 { [2, 0] } else { [0, 2] });
    }

    #[test]
    fn a_repeated_leaf_adds_its_score_at_each_occurrence() {
        let idx = MemoryIndex::from_specs(
            vec![
                doc("alpha", "kube deploy", "kube kubelet helm"),
                doc("beta", "", "helm chart kubectl"),
                doc("gamma", "", "helmet"),
            ],
            Schema::default(),
        )
        .unwrap();
        let opts = SearchOptions::default();
        let one = |q: &str| -> Vec<f64> {
            let all = idx.exact_scores(q, &opts).unwrap();
            (0..3)
                .map(|d| all.iter().find(|e| e.0 == d).map_or(0.0, |e| e.1))
                .collect()
        };
        let (kub, helm, fuzzy) = (one("kub*"), one("helm"), one("helm~1"));
        let got = one("kub* helm kub* helm~1 kub* helm~1");
        for d in 0..3 {
            let want = 0.0 + kub[d] + helm[d] + kub[d] + fuzzy[d] + kub[d] + fuzzy[d];
            assert_eq!(got[d].to_bits(), want.to_bits(), "doc {d}");
        }
    }

    /// `q` followed by four letters: the `n`-th of them, base 26.
    fn word(mut n: usize) -> String {
        let mut out = vec![b'a'; 4];
        for at in (0..4).rev() {
            out[at] = b'a' + u8::try_from(n % 26).unwrap();
            n /= 26;
        }
        format!("q{}", String::from_utf8(out).unwrap())
    }

    #[test]
    fn expansions_past_the_budget_are_a_query_error_at_that_leaf() {
        let body: Vec<String> = (0..=MAX_EXPANSION_TERMS).map(word).collect();
        let idx = MemoryIndex::from_specs(vec![doc("a", "", &body.join(" "))], Schema::default())
            .unwrap();
        // qa*, qb*, qc* expand to 26^3 terms each, qd* to the rest (one
        // more than the budget in all); a repeated leaf counts once.
        assert_eq!(search(&idx, "qa* qb* qc* qa* qb~1", 5).len(), 1);
        let q = "x qa* qb*  qc* qb* qd*";
        match SearchIndex::search(&idx, q, 5, &SearchOptions::default()) {
            Err(Error::Query {
                position, message, ..
            }) => {
                assert_eq!(position, 19);
                assert_eq!(
                    message,
                    format!(
                        "prefix, fuzzy and phrase words expand to more than \
                         {MAX_EXPANSION_TERMS} terms"
                    )
                );
            }
            other => panic!("expected a query error, got {other:?}"),
        }
        // A must-not leaf is expanded too.
        assert!(
            SearchIndex::search(&idx, "qa* qb* qc* -qd*", 5, &SearchOptions::default()).is_err()
        );
    }

    #[test]
    fn ties_break_by_doc_id_and_k_truncates() {
        let specs = (0..10)
            .map(|i| doc(&format!("d{i}"), "", "same words here"))
            .collect();
        let idx = MemoryIndex::from_specs(specs, Schema::default()).unwrap();
        let top = search(&idx, "words", 4);
        assert_eq!(top.doc_ids, [0, 1, 2, 3]);
        assert!(top.scores.windows(2).all(|w| w[0] == w[1]));
        assert_eq!(search(&idx, "words", 100).len(), 10);
        assert!(search(&idx, "words", 0).is_empty());
        assert!(search(&idx, "absent", 5).is_empty());
    }

    #[test]
    fn top_k_selects_the_best() {
        let specs = (0..50)
            .map(|i| doc(&format!("d{i}"), "", &"x ".repeat(1 + (i * 7) % 13)))
            .collect();
        let idx = MemoryIndex::from_specs(specs, Schema::default()).unwrap();
        let all = search(&idx, "x", 1000);
        for k in [1, 5, 17, 49, 50] {
            let top = search(&idx, "x", k);
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
            match SearchIndex::search(&idx, q, 5, &SearchOptions::default()) {
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
        assert!(snippet(&idx, 0, "!!").is_err());
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
            snippet(&idx, 0, "kube").unwrap(),
            Some(Snippet {
                line: 4,
                text: "Use KUBE here".into(),
                spans: vec![(4, 8)],
            })
        );
        assert_eq!(snippet(&idx, 0, "alpha").unwrap().unwrap().line, 2);
        assert_eq!(snippet(&idx, 0, "---").ok(), None);
        assert_eq!(snippet(&idx, 0, "nothing").unwrap(), None);
        assert_eq!(snippet(&idx, 1, "kube").unwrap(), None);
        assert_eq!(snippet(&idx, 7, "kube").unwrap(), None);
        let batch =
            SearchIndex::snippets(&idx, &[1, 0], "again name", &SearchOptions::default()).unwrap();
        assert_eq!(batch[0], None);
        // A body line before a frontmatter key line with as many matches (§6).
        assert_eq!(
            batch[1],
            Some(Snippet {
                line: 5,
                text: "kube again".into(),
                spans: vec![(5, 10)],
            })
        );
    }
}
