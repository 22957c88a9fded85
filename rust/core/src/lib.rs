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
pub mod directory;
pub mod disk;
pub mod docmap;
pub mod embed;
pub mod error;
mod exec;
pub mod index;
mod manifest;
mod postings;
pub mod problem;
pub mod query;
pub mod schema;
pub mod scoring;
pub mod search;
mod segment;
pub mod spec;
pub mod walk;
mod writer;

pub use container::FORMAT_VERSION;
pub use disk::{DiskIndex, DiskOptions, UpdateStats};
pub use error::{Error, Result};
pub use index::{BuildOptions, DocMeta, MemoryIndex};
pub use problem::Problem;
pub use query::ParseMode;
pub use schema::{Field, Schema};
pub use search::{IndexStats, SearchIndex, SearchOptions, Snippet, TopDocs};
pub use spec::Spec;
