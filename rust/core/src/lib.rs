//! `specsearch-core`: the specsearch engine.
//!
//! The data flows one way, one module per step (see `ARCHITECTURE.md`):
//! [`walk`] (which files) → [`spec`] (bytes → fields) → [`analysis`] (text →
//! terms) → [`index`] (terms → postings) → [`search`] (query → plan → BM25
//! → top k, snippets; the query language is [`query`]). The persistent index is [`disk::DiskIndex`] (segments,
//! manifest and doc map: see `ARCHITECTURE.md` §10). Problems with single files are [`problem::Problem`]s; errors
//! that stop an operation are [`error::Error`]s.
#![warn(missing_docs)]

pub mod analysis;
mod container;
pub mod error;
pub mod index;
mod postings;
pub mod problem;
pub mod query;
pub mod schema;
pub mod scoring;
pub mod search;
mod segment;
pub mod spec;
pub mod walk;

pub use container::FORMAT_VERSION;
pub use error::{Error, Result};
pub use index::{BuildOptions, DiskIndex, DiskOptions, DocMeta, MemoryIndex, UpdateStats};
pub use problem::Problem;
pub use query::ParseMode;
pub use schema::{Field, Schema, DEFAULT_WEIGHTS};
pub use search::{IndexStats, SearchIndex, SearchOptions, Snippet, TopDocs};
pub use spec::Spec;
