//! Indexes: the in-memory index and the on-disk one with its update path.
//!
//! Module map:
//! - `memory`: [`MemoryIndex`], built in one pass from a walk (or from
//!   parsed specs), held in memory;
//! - `directory`: the index folder (file names, the writer lock, atomic
//!   writes, garbage collection);
//! - `manifest`: the commit record (segments, doc map, skipped files);
//! - `docmap`: each segment doc's global id (or tombstone) and stat;
//! - `disk`: [`DiskIndex`], a read-only snapshot of one commit;
//! - `vectors`: the document vectors stored with the segments (one
//!   `vec-*.vec` file per segment that has some), read, reused, carried
//!   through merges and added by a commit of their own;
//! - `update`: [`DiskIndex::open_or_update`], in three steps: `classify`
//!   (each walked file against the snapshot: reuse, skip or process),
//!   `build` (process files into new segments, in parallel ranges) and
//!   `commit` (global ids, merge, doc map, manifest).
//!
//! Layering: `index` reads `walk`, `spec`, `analysis`, `postings`,
//! `segment`, `container`, `schema` and `problem`; it never reads `query` or
//! `search` (searching an index lives in `search`, which implements its
//! `Source` trait for both kinds here). Within it, `update` reads `disk`,
//! never the other way round.

pub mod directory;
mod disk;
pub mod docmap;
mod manifest;
mod memory;
mod update;
mod vectors;

pub use disk::DiskIndex;
pub use memory::{BuildOptions, FieldIndex, MemoryIndex, Postings, DEFAULT_MAX_FILE_BYTES};
pub use update::{
    DiskOptions, Progress, UpdateStats, DEFAULT_MEMORY_BUDGET, DEFAULT_MERGE_THRESHOLD,
};
pub use vectors::{StoredVectors, VectorItem, VectorStats, KEY_BYTES};

pub use crate::spec::{DocMeta, BINARY_CHECK_BYTES};
