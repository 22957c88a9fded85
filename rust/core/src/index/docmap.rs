//! The doc map of a commit (SPEC.md §10): for every segment, each
//! local doc's global id (or [`DELETED`]), and the size and mtime of its
//! file as last seen.
//!
//! A doc map is a [`crate::container`] file (magic `SPSDOCM1`, count = the
//! number of segments) with three sections per segment `i`, in manifest
//! order: `3i` global ids (`u32` × docs of the segment), `3i + 1` file sizes
//! (`u64`), `3i + 2` mtimes in nanoseconds since the epoch (`i64`). Global
//! ids are the docs' positions in the current walk order among indexed
//! files, so they are rewritten by every commit; the segments never are.
//! The sentinel doubles as the tombstone.

use std::path::Path;

use crate::container::{self, u64_at, Container};
use crate::error::Result;

/// The global id of a deleted doc.
pub const DELETED: u32 = u32::MAX;

/// The magic bytes of a doc map file.
pub(crate) const DOCMAP_MAGIC: &[u8; 8] = b"SPSDOCM1";

/// One segment's part of a doc map, being written.
#[derive(Clone, Debug, Default)]
pub(crate) struct SegmentMap {
    /// Global id per local doc.
    pub(crate) globals: Vec<u32>,
    /// File size per local doc.
    pub(crate) sizes: Vec<u64>,
    /// File mtime (ns) per local doc.
    pub(crate) mtimes: Vec<i64>,
}

impl SegmentMap {
    /// A map of `n` deleted docs.
    pub(crate) fn deleted(n: usize) -> Self {
        Self {
            globals: vec![DELETED; n],
            sizes: vec![0; n],
            mtimes: vec![0; n],
        }
    }
}

/// Encodes a doc map file.
pub(crate) fn encode(maps: &[SegmentMap]) -> Vec<u8> {
    let mut sections: Vec<Vec<u8>> = Vec::with_capacity(maps.len() * 3);
    for m in maps {
        sections.push(m.globals.iter().flat_map(|g| g.to_le_bytes()).collect());
        sections.push(m.sizes.iter().flat_map(|s| s.to_le_bytes()).collect());
        sections.push(m.mtimes.iter().flat_map(|t| t.to_le_bytes()).collect());
    }
    let refs: Vec<&[u8]> = sections.iter().map(Vec::as_slice).collect();
    container::encode(DOCMAP_MAGIC, maps.len() as u32, &refs)
}

/// A mapped doc map.
#[derive(Debug)]
pub(crate) struct DocMapReader {
    c: Container,
    sizes: Vec<usize>,
}

impl DocMapReader {
    /// Checks the checksum of every section.
    ///
    /// # Errors
    /// [`crate::Error::Format`] at the first section that does not match.
    pub(crate) fn verify(&self) -> Result<()> {
        self.c.verify_all()
    }

    /// Opens a doc map for segments of the given sizes (docs each).
    ///
    /// # Errors
    /// [`crate::Error::Io`] (`NotFound` when it has gone) or [`crate::Error::Format`].
    pub(crate) fn open(path: &Path, expected_len: Option<u64>, seg_docs: &[usize]) -> Result<Self> {
        let c = Container::open(path, DOCMAP_MAGIC, expected_len)?;
        if c.count() as usize != seg_docs.len() || c.num_sections() != seg_docs.len() * 3 {
            return Err(c.error(format!(
                "{} segments, the manifest lists {}",
                c.count(),
                seg_docs.len()
            )));
        }
        for (i, &n) in seg_docs.iter().enumerate() {
            if c.section_len(3 * i)? != n * 4
                || c.section_len(3 * i + 1)? != n * 8
                || c.section_len(3 * i + 2)? != n * 8
            {
                return Err(c.error(format!("segment {i}: sections do not match its {n} docs")));
            }
        }
        Ok(Self {
            c,
            sizes: seg_docs.to_vec(),
        })
    }

    /// The global ids of a segment's docs, borrowed from the map.
    ///
    /// # Errors
    /// [`crate::Error::Format`] when the section is corrupt.
    pub(crate) fn globals(&self, seg: usize) -> Result<&[u32]> {
        let n = self.sizes.get(seg).copied().unwrap_or(0);
        self.c.u32_column(3 * seg, n)
    }

    /// The `(size, mtime)` recorded for a doc.
    ///
    /// # Errors
    /// [`crate::Error::Format`] when a section is corrupt.
    pub(crate) fn stat(&self, seg: usize, local: u32) -> Result<(u64, i64)> {
        let sizes = self.c.section(3 * seg + 1)?;
        let mtimes = self.c.section(3 * seg + 2)?;
        match (
            u64_at(sizes, local as usize),
            u64_at(mtimes, local as usize),
        ) {
            (Some(s), Some(t)) => Ok((s, t.cast_signed())),
            _ => Err(self
                .c
                .error(format!("segment {seg} doc {local} out of range"))),
        }
    }

    /// The header checksum.
    pub(crate) fn header_crc(&self) -> u32 {
        self.c.header_crc()
    }

    /// The file's path.
    pub(crate) fn path(&self) -> &Path {
        self.c.path()
    }
}
