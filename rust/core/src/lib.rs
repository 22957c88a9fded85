//! `specsearch-core`: the specsearch engine.
//!
//! The data flows one way, one module per step (see `ARCHITECTURE.md`):
//! [`walk`] (which files) → [`spec`] (bytes → fields) → [`analysis`] (text →
//! terms) → [`index`] (terms → postings) → [`search`] (query → BM25 → top k,
//! snippets). Problems with single files are [`problem::Problem`]s; errors
//! that stop an operation are [`error::Error`]s.
#![warn(missing_docs)]

pub mod analysis;
pub mod error;
pub mod index;
pub mod problem;
pub mod schema;
pub mod search;
pub mod spec;
pub mod walk;

pub use error::{Error, Result};
pub use index::{BuildOptions, DocMeta, MemoryIndex};
pub use problem::Problem;
pub use schema::{Field, Schema};
pub use search::{Snippet, TopDocs};
pub use spec::Spec;
