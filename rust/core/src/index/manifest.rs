//! The manifest (SPEC.md §10): the one mutable file of an index,
//! replaced atomically by each commit.
//!
//! Layout: `b"SPSMANI1"`, `u32` format version, `u32` CRC-32 of the body,
//! `u64` body length, then the body: UTF-8 JSON of [`Manifest`].

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::container::FORMAT_VERSION;
use crate::error::{Error, Result};

/// The magic bytes of the manifest.
pub(crate) const MANIFEST_MAGIC: &[u8; 8] = b"SPSMANI1";

/// A file the manifest refers to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FileEntry {
    /// The file name inside the index folder.
    pub(crate) file: String,
    /// Its size in bytes.
    pub(crate) bytes: u64,
    /// The CRC-32 of its header (as stored in the header).
    pub(crate) header_crc: u32,
}

/// One segment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SegmentEntry {
    /// The segment file.
    pub(crate) file: FileEntry,
    /// Its number of docs, deleted included.
    pub(crate) docs: u32,
    /// Its number of live docs.
    pub(crate) live: u32,
    /// Distinct terms per field.
    pub(crate) terms: [u64; 6],
    /// The segment's document vectors, when some are stored
    /// (`index::vectors`; absent from manifests written before them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) vectors: Option<VectorEntry>,
}

/// The document-vector file of a segment (SPEC.md §10, *Document vectors*).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct VectorEntry {
    /// The `vec-NNNNNNNNNN.vec` file.
    pub(crate) file: FileEntry,
    /// The model the rows were embedded with (`<model folder>|<dim>`).
    pub(crate) model: String,
    /// The dimension of a row.
    pub(crate) dim: u32,
    /// How many of the segment's docs have a row.
    pub(crate) rows: u32,
}

/// A file the walk found that was skipped (binary, too large, unreadable),
/// so that the same problem is reported without reading it again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SkippedEntry {
    /// The doc path.
    pub(crate) path: String,
    /// The absolute path (lossy UTF-8).
    pub(crate) abs: String,
    /// The size when it was checked.
    pub(crate) size: u64,
    /// The mtime (ns) when it was checked.
    pub(crate) mtime_ns: i64,
    /// Whether it must be checked again anyway (I/O failures).
    pub(crate) recheck: bool,
    /// The problem message.
    pub(crate) message: String,
}

/// The state of an index at one commit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Manifest {
    /// [`FORMAT_VERSION`].
    pub(crate) format_version: u32,
    /// The commit number, from 1.
    pub(crate) generation: u64,
    /// The analyzer the terms were made with.
    pub(crate) analyzer: String,
    /// The `max_file_bytes` the files were read with.
    pub(crate) max_file_bytes: u64,
    /// Live docs (N).
    pub(crate) num_docs: u32,
    /// Per field, the sum of the live docs' lengths.
    pub(crate) field_lengths: [u64; 6],
    /// The segments, in order.
    pub(crate) segments: Vec<SegmentEntry>,
    /// The doc map of this commit.
    pub(crate) docmap: FileEntry,
    /// Skipped files, in walk order.
    pub(crate) skipped: Vec<SkippedEntry>,
    /// The next free segment number.
    pub(crate) next_segment: u64,
    /// When the commit started (ns since the epoch).
    pub(crate) started_ns: i64,
    /// Vector files of an index this one was rebuilt from, kept only so
    /// that their rows are reused by key instead of embedded again; dropped
    /// by the next commit that stores vectors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) spare_vectors: Vec<SpareVectors>,
}

/// A vector file kept for reuse, with its segment's doc count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SpareVectors {
    /// The file.
    pub(crate) vectors: VectorEntry,
    /// The doc count of the segment it belonged to.
    pub(crate) docs: u32,
}

impl Manifest {
    /// Serializes the manifest file.
    pub(crate) fn encode(&self) -> Vec<u8> {
        // Serializing plain structs of strings and integers cannot fail.
        let body = serde_json::to_vec(self).unwrap_or_default();
        let mut out = Vec::with_capacity(body.len() + 24);
        out.extend_from_slice(MANIFEST_MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
        out.extend_from_slice(&(body.len() as u64).to_le_bytes());
        out.extend_from_slice(&body);
        out
    }

    /// Parses and checks a manifest file's bytes.
    ///
    /// # Errors
    /// [`Error::Format`] naming `path`.
    pub(crate) fn decode(path: &Path, b: &[u8]) -> Result<Manifest> {
        let bad = |d: String| Error::format(path, d);
        if b.len() < 24 || &b[..8] != MANIFEST_MAGIC {
            return Err(bad("not a specsearch manifest (bad magic bytes)".into()));
        }
        let word = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        let version = word(8);
        if version != FORMAT_VERSION {
            return Err(bad(format!(
                "format version {version}, expected {FORMAT_VERSION}: rebuild"
            )));
        }
        let crc = word(12);
        let len = u64::from(word(16)) | (u64::from(word(20)) << 32);
        if len != (b.len() - 24) as u64 {
            return Err(bad(format!(
                "body is {} bytes, header says {len}",
                b.len() - 24
            )));
        }
        let body = &b[24..];
        if crc32fast::hash(body) != crc {
            return Err(bad("checksum mismatch".into()));
        }
        let m: Manifest =
            serde_json::from_slice(body).map_err(|e| bad(format!("malformed body: {e}")))?;
        if m.format_version != FORMAT_VERSION {
            return Err(bad(format!(
                "format version {}, expected {FORMAT_VERSION}: rebuild",
                m.format_version
            )));
        }
        let live: u64 = m.segments.iter().map(|s| u64::from(s.live)).sum();
        if live != u64::from(m.num_docs) || m.segments.iter().any(|s| s.live > s.docs) {
            return Err(bad("live doc counts are inconsistent".into()));
        }
        let names_ok = |f: &FileEntry| {
            !f.file.is_empty()
                && f.file
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.')
                && !f.file.starts_with('.')
        };
        let segment_ok = |s: &SegmentEntry| {
            names_ok(&s.file) && s.vectors.as_ref().is_none_or(|v| names_ok(&v.file))
        };
        if !m.segments.iter().all(segment_ok)
            || !m.spare_vectors.iter().all(|v| names_ok(&v.vectors.file))
            || !names_ok(&m.docmap)
        {
            return Err(bad("bad file name".into()));
        }
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_corruption() {
        let m = Manifest {
            format_version: FORMAT_VERSION,
            generation: 3,
            analyzer: "standard-v1".into(),
            max_file_bytes: 10,
            num_docs: 0,
            field_lengths: [0; 6],
            segments: vec![],
            docmap: FileEntry {
                file: "docmap-3.dm".into(),
                bytes: 1,
                header_crc: 2,
            },
            skipped: vec![],
            next_segment: 1,
            started_ns: 5,
            spare_vectors: vec![],
        };
        let b = m.encode();
        let p = Path::new("MANIFEST");
        assert_eq!(Manifest::decode(p, &b).unwrap(), m);
        for i in 0..b.len() {
            let mut c = b.clone();
            c[i] ^= 0x10;
            assert!(Manifest::decode(p, &c).is_err(), "flip at {i}");
        }
        assert!(Manifest::decode(p, &b[..b.len() - 1]).is_err());
    }
}
