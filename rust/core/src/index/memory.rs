//! The in-memory index (SPEC.md §4).
//!
//! Per field: a term dictionary (term → term id), postings per term (doc
//! ids ascending with their term frequencies), a lengths column (tokens per
//! doc) and the total length. Per doc: its [`DocMeta`] and the path to read
//! for snippets. This is the layout the on-disk segments will have.
//!
//! [`MemoryIndex::build`] walks, then reads, parses and tokenizes the files
//! in parallel with rayon, then merges them in doc-id order, so the index is
//! the same whatever the number of threads.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::analysis::{analyze_fields, FieldTokens};
use crate::error::Result;
use crate::postings::{stem_entries, stem_range};
use crate::problem::Problem;
use crate::schema::{Field, Schema};
use crate::spec::{parse_spec, read_spec_bytes, DocMeta, Spec};
use crate::walk::{collect_with, SpecFile, WalkOptions};

/// The default `max_file_bytes`: 64 MiB.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Options of [`MemoryIndex::build`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuildOptions {
    /// Files larger than this are skipped and reported.
    pub max_file_bytes: u64,
    /// Worker threads for reading and parsing; 0 uses rayon's global pool.
    pub threads: usize,
    /// How directory roots are walked (hidden entries, ignore files).
    pub walk: WalkOptions,
}

impl Default for BuildOptions {
    fn default() -> Self {
        Self {
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            threads: 0,
            walk: WalkOptions::default(),
        }
    }
}

/// The postings of one term in one field: doc ids ascending, with term
/// frequencies and positions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Postings {
    /// Doc ids, strictly ascending.
    pub doc_ids: Vec<u32>,
    /// The term frequency in each doc, parallel to `doc_ids`.
    pub term_freqs: Vec<u32>,
    /// The positions of each doc, concatenated (`term_freqs[i]` of them for
    /// doc `i`, ascending).
    pub positions: Vec<u32>,
}

impl Postings {
    /// The number of docs containing the term (`n` in §5).
    #[must_use]
    pub fn doc_freq(&self) -> u32 {
        self.doc_ids.len() as u32
    }
}

/// One field's inverted index.
#[derive(Clone, Debug, Default)]
pub struct FieldIndex {
    /// Term → term ordinal (an index into `postings`), terms in byte order.
    pub(crate) dict: fst::Map<Vec<u8>>,
    /// `stem key \0 term` → term ordinal, for the terms that are not their
    /// own stem key.
    pub(crate) stems: fst::Map<Vec<u8>>,
    /// The postings of each term ordinal.
    pub(crate) postings: Vec<Postings>,
    /// Each doc's length in this field (its number of tokens).
    pub(crate) lengths: Vec<u32>,
    /// The sum of `lengths`.
    pub(crate) total_length: u64,
}

impl FieldIndex {
    /// The postings of a term, if any doc has it in this field.
    #[must_use]
    pub fn postings(&self, term: &str) -> Option<&Postings> {
        self.dict
            .get(term)
            .and_then(|id| self.postings.get(id as usize))
    }

    /// Each doc's length in this field.
    #[must_use]
    pub fn lengths(&self) -> &[u32] {
        &self.lengths
    }

    /// The sum of the field's lengths.
    #[must_use]
    pub fn total_length(&self) -> u64 {
        self.total_length
    }

    /// The number of distinct terms.
    #[must_use]
    pub fn num_terms(&self) -> usize {
        self.postings.len()
    }

    /// The terms whose stem key is `key` and that are not their own stem
    /// key, in byte order.
    #[must_use]
    pub fn stem_variants(&self, key: &str) -> Vec<String> {
        use fst::{IntoStreamer, Streamer};
        let (lo, hi) = stem_range(key);
        let mut out = Vec::new();
        let mut stream = self.stems.range().ge(&lo).lt(&hi).into_stream();
        while let Some((k, _)) = stream.next() {
            out.push(String::from_utf8_lossy(&k[lo.len()..]).into_owned());
        }
        out
    }
}
#[derive(Debug)]
struct AnalyzedDoc {
    meta: DocMeta,
    fs_path: PathBuf,
    fields: [FieldTokens; 6],
}

fn analyze_spec(meta: DocMeta, fs_path: PathBuf, spec: &Spec) -> AnalyzedDoc {
    AnalyzedDoc {
        meta,
        fs_path,
        fields: analyze_fields(spec),
    }
}

/// Appends one field's terms of every doc (in doc-id order) to a field
/// index, then orders its terms by bytes and builds its dictionaries.
fn merge_field(column: Vec<FieldTokens>) -> FieldIndex {
    let mut dict: FxHashMap<Box<str>, u32> = FxHashMap::default();
    let mut postings: Vec<Postings> = Vec::new();
    let mut lengths = Vec::with_capacity(column.len());
    let mut total_length = 0u64;
    for (doc_id, ft) in column.into_iter().enumerate() {
        let doc_id = doc_id as u32;
        lengths.push(ft.length);
        total_length += u64::from(ft.length);
        let mut at = 0usize;
        for (term, tf) in ft.terms() {
            let next = postings.len() as u32;
            let id = if let Some(&id) = dict.get(term) {
                id
            } else {
                dict.insert(term.into(), next);
                postings.push(Postings::default());
                next
            };
            let p = &mut postings[id as usize];
            p.doc_ids.push(doc_id);
            p.term_freqs.push(tf);
            let end = at + tf as usize;
            p.positions.extend_from_slice(&ft.positions[at..end]);
            at = end;
        }
    }
    let mut order: Vec<(Box<str>, u32)> = dict.into_iter().collect();
    order.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut sorted = Vec::with_capacity(order.len());
    let mut taken: Vec<Option<Postings>> = postings.into_iter().map(Some).collect();
    for (_, id) in &order {
        sorted.push(taken[*id as usize].take().unwrap_or_default());
    }
    let dict = build_fst(
        order
            .iter()
            .enumerate()
            .map(|(i, (t, _))| (t.as_bytes().to_vec(), i as u64)),
    );
    let stems = build_fst(stem_entries(order.iter().map(|(t, _)| &**t)));
    FieldIndex {
        dict,
        stems,
        postings: sorted,
        lengths,
        total_length,
    }
}

/// An in-memory `fst::Map` of sorted, distinct keys.
fn build_fst(entries: impl IntoIterator<Item = (Vec<u8>, u64)>) -> fst::Map<Vec<u8>> {
    let mut b = fst::MapBuilder::memory();
    for (k, v) in entries {
        // Keys come sorted and distinct (terms of a hash map, sorted), so
        // insertion cannot fail.
        let _ = b.insert(k, v);
    }
    let bytes = b.into_inner().unwrap_or_default();
    // A finished builder always holds a valid map; the empty map otherwise.
    fst::Map::new(bytes).unwrap_or_default()
}

/// Reads, parses and analyzes one file; `Err` when it is skipped.
fn process_file(file: &SpecFile, max: u64) -> (Option<AnalyzedDoc>, Vec<Problem>) {
    match read_spec_bytes(&file.fs_path, max, file.identity) {
        Ok(bytes) => {
            let (spec, problems) = parse_spec(&file.path, &bytes);
            let meta = DocMeta {
                path: file.path.clone(),
                name: spec.name.clone(),
                description: spec.description.clone(),
            };
            (
                Some(analyze_spec(meta, file.fs_path.clone(), &spec)),
                problems,
            )
        }
        Err(failure) => (None, vec![Problem::file(&file.path, failure.message(max))]),
    }
}

/// An immutable in-memory index over a set of specs.
#[derive(Clone, Debug)]
pub struct MemoryIndex {
    pub(crate) schema: Schema,
    pub(crate) fields: [FieldIndex; 6],
    pub(crate) docs: Vec<DocMeta>,
    pub(crate) fs_paths: Vec<PathBuf>,
    pub(crate) max_file_bytes: u64,
}

impl MemoryIndex {
    /// Walks `roots` (the current directory when empty) and indexes every
    /// spec with the default [`Schema`]. Files that cannot be indexed are
    /// skipped and get no doc id; doc ids are dense, in walk order.
    ///
    /// # Errors
    /// [`crate::Error::Io`] when a root does not exist. Problems with single
    /// files are returned next to the index, never as errors.
    pub fn build(roots: &[PathBuf], opts: &BuildOptions) -> Result<(MemoryIndex, Vec<Problem>)> {
        Self::build_with_schema(roots, opts, Schema::default())
    }

    /// Like [`MemoryIndex::build`], with a custom schema.
    ///
    /// # Errors
    /// [`crate::Error::Schema`] for an invalid schema, [`crate::Error::Io`]
    /// when a root does not exist.
    pub fn build_with_schema(
        roots: &[PathBuf],
        opts: &BuildOptions,
        schema: Schema,
    ) -> Result<(MemoryIndex, Vec<Problem>)> {
        schema.validate()?;
        let (files, mut problems) = collect_with(roots, opts.max_file_bytes, opts.walk)?;
        let max = opts.max_file_bytes;
        let work = || -> Vec<(Option<AnalyzedDoc>, Vec<Problem>)> {
            files.par_iter().map(|f| process_file(f, max)).collect()
        };
        let processed = if opts.threads > 0 {
            match rayon::ThreadPoolBuilder::new()
                .num_threads(opts.threads)
                .build()
            {
                Ok(pool) => pool.install(work),
                // A pool that cannot be made only costs parallelism.
                Err(_) => work(),
            }
        } else {
            work()
        };
        let mut docs = Vec::with_capacity(processed.len());
        for (doc, file_problems) in processed {
            problems.extend(file_problems);
            docs.extend(doc);
        }
        let mut index = Self::merge(docs, schema);
        index.max_file_bytes = max;
        Ok((index, problems))
    }

    /// Indexes already-parsed specs, in the order given (doc id = position).
    /// Snippets read `fs_path`; the file size cap is the default.
    ///
    /// # Errors
    /// [`crate::Error::Schema`] for an invalid schema.
    pub fn from_specs(specs: Vec<(DocMeta, PathBuf, Spec)>, schema: Schema) -> Result<MemoryIndex> {
        schema.validate()?;
        let docs = specs
            .into_iter()
            .map(|(meta, fs_path, spec)| analyze_spec(meta, fs_path, &spec))
            .collect();
        Ok(Self::merge(docs, schema))
    }

    fn merge(docs: Vec<AnalyzedDoc>, schema: Schema) -> MemoryIndex {
        let n = docs.len();
        let mut metas = Vec::with_capacity(n);
        let mut fs_paths = Vec::with_capacity(n);
        let mut per_field: [Vec<FieldTokens>; 6] = Default::default();
        for doc in docs {
            for (column, terms) in per_field.iter_mut().zip(doc.fields) {
                column.push(terms);
            }
            metas.push(doc.meta);
            fs_paths.push(doc.fs_path);
        }
        // Fields are independent: merge them in parallel, each in doc-id order.
        let mut fields: [FieldIndex; 6] = Default::default();
        fields
            .par_iter_mut()
            .zip(per_field)
            .for_each(|(field, column)| *field = merge_field(column));
        MemoryIndex {
            schema,
            fields,
            docs: metas,
            fs_paths,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
        }
    }

    /// The number of docs (N).
    #[must_use]
    pub fn num_docs(&self) -> u32 {
        self.docs.len() as u32
    }

    /// The metadata of a doc, if the id exists.
    #[must_use]
    pub fn doc(&self, id: u32) -> Option<&DocMeta> {
        self.docs.get(id as usize)
    }

    /// Every doc's metadata, by doc id.
    #[must_use]
    pub fn docs(&self) -> &[DocMeta] {
        &self.docs
    }

    /// The path read for a doc's snippet.
    #[must_use]
    pub fn fs_path(&self, id: u32) -> Option<&Path> {
        self.fs_paths.get(id as usize).map(PathBuf::as_path)
    }

    /// The schema the index scores with.
    #[must_use]
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The file size cap used when reading files (also for snippets).
    #[must_use]
    pub fn max_file_bytes(&self) -> u64 {
        self.max_file_bytes
    }

    /// One field's inverted index.
    #[must_use]
    pub fn field(&self, f: Field) -> &FieldIndex {
        &self.fields[f.index()]
    }

    /// The average length of a field (`avgdl`; 0 for an empty index).
    #[must_use]
    pub fn avg_field_length(&self, f: Field) -> f64 {
        if self.docs.is_empty() {
            0.0
        } else {
            self.fields[f.index()].total_length as f64 / self.docs.len() as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, body: &str) -> (DocMeta, PathBuf, Spec) {
        let s = Spec {
            name: name.into(),
            body: body.into(),
            ..Spec::default()
        };
        let meta = DocMeta {
            path: format!("{name}.md"),
            name: name.into(),
            description: String::new(),
        };
        (meta, PathBuf::from(format!("{name}.md")), s)
    }

    #[test]
    fn postings_lengths_and_stats() {
        let idx = MemoryIndex::from_specs(
            vec![spec("a", "x y x"), spec("b", "y z"), spec("c", "")],
            Schema::default(),
        )
        .unwrap();
        assert_eq!(idx.num_docs(), 3);
        let body = idx.field(Field::Body);
        assert_eq!(body.lengths(), [3, 2, 0]);
        assert_eq!(body.total_length(), 5);
        assert_eq!(body.num_terms(), 3);
        let y = body.postings("y").unwrap();
        assert_eq!(
            (y.doc_ids.as_slice(), y.term_freqs.as_slice()),
            (&[0, 1][..], &[1, 1][..])
        );
        assert_eq!(body.postings("x").unwrap().term_freqs, [2]);
        assert!(body.postings("w").is_none());
        assert_eq!(idx.field(Field::Name).lengths(), [1, 1, 1]);
        assert!((idx.avg_field_length(Field::Body) - 5.0 / 3.0).abs() < 1e-15);
        assert_eq!(idx.doc(1).unwrap().name, "b");
        assert!(idx.doc(3).is_none());
    }

    #[test]
    fn invalid_schema_is_rejected() {
        let schema = Schema {
            k1: -1.0,
            ..Schema::default()
        };
        assert!(MemoryIndex::from_specs(Vec::new(), schema).is_err());
    }
}
