//! `specsearch-core`: the specsearch engine.
//!
//! The data flows one way, one module per step (see `ARCHITECTURE.md`):
//! [`walk`] (which files) → [`spec`] (bytes → fields) → [`analysis`] (text →
//! terms) → `postings` (term lists and stem maps, encoded) → `segment`
//! (immutable index files) → [`index`] (the in-memory index, and the on-disk
//! one with its update path) → [`query`] (query string → tree) → [`search`]
//! (tree → plan → BM25 → top k, snippets) → [`route`] (a request in natural
//! language → ranking words → routing BM25 → top k). Problems with single files are
//! [`problem::Problem`]s; errors that stop an operation are
//! [`error::Error`]s.
//!
//! Module map:
//! - [`walk`]: which files are specs, in doc-id order;
//! - [`spec`]: bytes → the six fields and problems (YAML frontmatter with a
//!   lenient fallback); reading a spec file's bytes;
//! - [`analysis`]: the `standard-v2` analyzer (text → terms, stem keys) and
//!   field analysis (a spec → its terms per field);
//! - `postings`: postings and positions encoding; stem map helpers;
//! - `segment`: segment files (stored records, term blocks, builder, reader,
//!   merge);
//! - [`index`]: [`MemoryIndex`], [`DiskIndex`] (directory, manifest, doc map)
//!   and the update path (classify, build, commit);
//! - [`query`]: the query grammar (string → tree, lenient or strict);
//! - [`search`]: [`SearchIndex`], the plan, the executor, top-k and snippets;
//! - [`embed`]: the sentence encoder (`WordPiece`, BERT) and score fusion;
//! - [`route`]: [`RouteIndex`]: requests in natural language (request
//!   understanding from a shared data file, routing BM25, explanations);
//! - [`schema`], [`scoring`], [`error`], [`problem`] and `container` (the
//!   binary file container) are shared by every step;
//! - [`dedup`]: near-duplicate fingerprints of spec files (outside the flow:
//!   it reads files and nothing else of the crate).
//!
//! Layering: a module uses only the modules before it in the flow above
//! (and the shared ones), never one after it; `lib.rs` re-exports the public
//! surface. A unit test (`layering`) checks every `crate::` path against
//! this order.
#![warn(missing_docs)]

pub mod analysis;
mod container;
pub mod dedup;
pub mod embed;
pub mod error;
pub mod index;
mod postings;
pub mod problem;
pub mod query;
pub mod route;
pub mod schema;
pub mod scoring;
pub mod search;
mod segment;
pub mod spec;
pub mod walk;

#[cfg(test)]
mod layering;

pub use container::FORMAT_VERSION;
pub use error::{Error, Result};
pub use index::{BuildOptions, DiskIndex, DiskOptions, DocMeta, MemoryIndex, UpdateStats};
pub use problem::Problem;
pub use query::ParseMode;
pub use route::RouteIndex;
pub use schema::{Field, Schema, DEFAULT_WEIGHTS};
pub use search::{IndexStats, SearchIndex, SearchOptions, Snippet, TopDocs};
pub use spec::Spec;
