//! The doc map of a commit (SPEC.md §10): for every segment, each local
//! doc's global id (or [`DELETED`]), and its key: what the freshness check
//! compares with the walk, read in place from the mapped file, without
//! decompressing a stored record.
//!
//! A doc map is a [`crate::container`] file (magic `SPSDOCM2`, count = the
//! number of segments) with four sections per segment `i`, in manifest
//! order:
//! - `4i`: global ids (`u32` × docs of the segment);
//! - `4i + 1`: rows, [`ROW_BYTES`] per doc, seven little-endian 64-bit
//!   words: file size, mtime and ctime (ns since the epoch, signed), inode,
//!   device, the xxh3-64 of the file's bytes, the number of problems its
//!   stored record holds;
//! - `4i + 2`: key offsets, `u32` × (2 × docs + 1): where each doc's path
//!   and absolute path start in section `4i + 3`, then its end;
//! - `4i + 3`: key bytes: each doc's path (UTF-8), then its absolute path
//!   (the OS's bytes).
//!
//! Deleted docs have a zero row and empty keys. Global ids are the docs'
//! positions in the current walk order among indexed files, so the doc map
//! is rewritten by every commit; the segments never are. The sentinel
//! doubles as the tombstone. Every section has its CRC-32 in the container
//! table, checked on first use; offsets are checked before every slice.

use std::path::{Path, PathBuf};

use crate::container::{self, as_u32s, u64_at, Container};
use crate::error::Result;
use crate::segment::{path_bytes, path_ref};
use crate::walk::FileStat;

/// The global id of a deleted doc.
pub const DELETED: u32 = u32::MAX;

/// The magic bytes of a doc map file.
pub(crate) const DOCMAP_MAGIC: &[u8; 8] = b"SPSDOCM2";

/// The sections per segment.
const SECTIONS: usize = 4;

/// The bytes of one doc's row.
pub(crate) const ROW_BYTES: usize = 56;

/// What the doc map records of a live doc besides its keys.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct DocRow {
    /// The file's stat when it was last checked.
    pub(crate) stat: FileStat,
    /// xxh3-64 of the file's bytes, as indexed.
    pub(crate) hash: u64,
    /// How many problems its stored record holds.
    pub(crate) problems: u64,
}

impl DocRow {
    fn encode(&self, out: &mut Vec<u8>) {
        let s = &self.stat;
        for w in [
            s.size,
            s.mtime.cast_unsigned(),
            s.ctime.cast_unsigned(),
            s.ino,
            s.dev,
            self.hash,
            self.problems,
        ] {
            out.extend_from_slice(&w.to_le_bytes());
        }
    }

    fn decode(rows: &[u8], local: usize) -> Option<DocRow> {
        let w = |k: usize| u64_at(rows, local.checked_mul(ROW_BYTES / 8)? + k);
        Some(DocRow {
            stat: FileStat {
                size: w(0)?,
                mtime: w(1)?.cast_signed(),
                ctime: w(2)?.cast_signed(),
                ino: w(3)?,
                dev: w(4)?,
            },
            hash: w(5)?,
            problems: w(6)?,
        })
    }
}

/// One segment's part of a doc map, being written.
#[derive(Clone, Debug, Default)]
pub(crate) struct SegmentMap {
    /// Global id per local doc.
    pub(crate) globals: Vec<u32>,
    /// Row per local doc.
    pub(crate) rows: Vec<DocRow>,
    /// `(doc path, absolute path)` per local doc.
    pub(crate) keys: Vec<(String, PathBuf)>,
}

impl SegmentMap {
    /// A map of `n` deleted docs.
    pub(crate) fn deleted(n: usize) -> Self {
        Self {
            globals: vec![DELETED; n],
            rows: vec![DocRow::default(); n],
            keys: vec![(String::new(), PathBuf::new()); n],
        }
    }

    /// Sets local doc `local`: its global id, row and keys.
    pub(crate) fn set(&mut self, local: usize, global: u32, row: DocRow, key: (String, PathBuf)) {
        self.globals[local] = global;
        self.rows[local] = row;
        self.keys[local] = key;
    }

    /// Appends a doc.
    pub(crate) fn push(&mut self, global: u32, row: DocRow, key: (String, PathBuf)) {
        self.globals.push(global);
        self.rows.push(row);
        self.keys.push(key);
    }
}

/// Encodes a doc map file.
pub(crate) fn encode(maps: &[SegmentMap]) -> Vec<u8> {
    let mut sections: Vec<Vec<u8>> = Vec::with_capacity(maps.len() * SECTIONS);
    for m in maps {
        sections.push(m.globals.iter().flat_map(|g| g.to_le_bytes()).collect());
        let mut rows = Vec::with_capacity(m.rows.len() * ROW_BYTES);
        for r in &m.rows {
            r.encode(&mut rows);
        }
        sections.push(rows);
        let mut offsets = Vec::with_capacity((2 * m.keys.len() + 1) * 4);
        let mut bytes = Vec::new();
        for (path, abs) in &m.keys {
            for part in [path.as_bytes(), path_bytes(abs)] {
                offsets.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
                bytes.extend_from_slice(part);
            }
        }
        offsets.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        sections.push(offsets);
        sections.push(bytes);
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

/// One segment's part of a mapped doc map, its sections verified.
pub(crate) struct SegmentView<'a> {
    c: &'a Container,
    seg: usize,
    /// Global id per local doc.
    pub(crate) globals: &'a [u32],
    rows: &'a [u8],
    offsets: &'a [u32],
    bytes: &'a [u8],
}

impl<'a> SegmentView<'a> {
    /// A doc's row.
    ///
    /// # Errors
    /// [`crate::Error::Format`] when `local` is out of range.
    pub(crate) fn row(&self, local: u32) -> Result<DocRow> {
        DocRow::decode(self.rows, local as usize).ok_or_else(|| self.out_of_range(local))
    }

    /// A doc's `(doc path, absolute path)`, borrowed from the map.
    ///
    /// # Errors
    /// [`crate::Error::Format`] when `local` is out of range or its keys
    /// are malformed.
    pub(crate) fn key(&self, local: u32) -> Result<(&'a str, &'a Path)> {
        let (path, abs) = self.key_bytes(local)?;
        match (std::str::from_utf8(path).ok(), path_ref(abs)) {
            (Some(path), Some(abs)) => Ok((path, abs)),
            _ => Err(self.malformed(local)),
        }
    }

    /// A doc's keys as bytes, as [`Self::key`] without checking that the
    /// doc path is UTF-8: enough to compare them with a walk's (which a
    /// malformed path cannot equal).
    ///
    /// # Errors
    /// [`crate::Error::Format`] when `local` is out of range or its keys'
    /// offsets are malformed.
    pub(crate) fn key_bytes(&self, local: u32) -> Result<(&'a [u8], &'a [u8])> {
        let i = 2 * local as usize;
        let (Some(&a), Some(&b), Some(&e)) = (
            self.offsets.get(i),
            self.offsets.get(i + 1),
            self.offsets.get(i + 2),
        ) else {
            return Err(self.out_of_range(local));
        };
        let (a, b, e) = (a as usize, b as usize, e as usize);
        match (self.bytes.get(a..b), self.bytes.get(b..e)) {
            (Some(path), Some(abs)) => Ok((path, abs)),
            _ => Err(self.malformed(local)),
        }
    }

    fn malformed(&self, local: u32) -> crate::Error {
        self.c
            .error(format!("segment {} doc {local}: malformed keys", self.seg))
    }

    fn out_of_range(&self, local: u32) -> crate::Error {
        self.c
            .error(format!("segment {} doc {local} out of range", self.seg))
    }
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
        if c.count() as usize != seg_docs.len() || c.num_sections() != seg_docs.len() * SECTIONS {
            return Err(c.error(format!(
                "{} segments, the manifest lists {}",
                c.count(),
                seg_docs.len()
            )));
        }
        for (i, &n) in seg_docs.iter().enumerate() {
            let s = SECTIONS * i;
            if c.section_len(s)? != n * 4
                || c.section_len(s + 1)? != n * ROW_BYTES
                || c.section_len(s + 2)? != (2 * n + 1) * 4
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
        self.c.u32_column(SECTIONS * seg, n)
    }

    /// A segment's part of the map: global ids, rows and keys.
    ///
    /// # Errors
    /// [`crate::Error::Format`] when a section is corrupt.
    pub(crate) fn segment(&self, seg: usize) -> Result<SegmentView<'_>> {
        let n = self.sizes.get(seg).copied().unwrap_or(0);
        let s = SECTIONS * seg;
        let offsets = self.c.section(s + 2)?;
        let offsets = as_u32s(offsets)
            .ok_or_else(|| self.c.error(format!("section {}: misaligned", s + 2)))?;
        Ok(SegmentView {
            c: &self.c,
            seg,
            globals: self.globals(seg)?,
            rows: self.c.section(s + 1)?,
            offsets: offsets.get(..2 * n + 1).unwrap_or(&[]),
            bytes: self.c.section(s + 3)?,
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_rows_keys_and_corruption() {
        let row = DocRow {
            stat: FileStat {
                size: 7,
                mtime: -3,
                ctime: 1 << 60,
                ino: 42,
                dev: 9,
            },
            hash: u64::MAX,
            problems: 2,
        };
        let mut m = SegmentMap::deleted(3);
        m.set(2, 0, row, ("a/é.md".into(), PathBuf::from("/x/a/é.md")));
        m.set(
            0,
            1,
            DocRow::default(),
            ("b.md".into(), PathBuf::from("/b.md")),
        );
        let bytes = encode(&[m, SegmentMap::default()]);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("dm");
        std::fs::write(&p, &bytes).unwrap();
        let r = DocMapReader::open(&p, Some(bytes.len() as u64), &[3, 0]).unwrap();
        let v = r.segment(0).unwrap();
        assert_eq!(v.globals, [1, DELETED, 0]);
        assert_eq!(v.row(2).unwrap(), row);
        assert_eq!(v.key(2).unwrap(), ("a/é.md", Path::new("/x/a/é.md")));
        assert_eq!(v.key(0).unwrap(), ("b.md", Path::new("/b.md")));
        assert_eq!(v.key(1).unwrap(), ("", Path::new("")));
        assert!(v.row(3).is_err());
        assert!(v.key(3).is_err());
        assert!(r.segment(1).unwrap().globals.is_empty());
        assert!(DocMapReader::open(&p, None, &[2, 0]).is_err());
        assert!(DocMapReader::open(&p, None, &[3]).is_err());
        // A flipped byte in any section is caught by its checksum.
        let mut bad = bytes.clone();
        let at = bytes.windows(5).position(|w| w == b"/x/a/").unwrap();
        bad[at + 1] ^= 1;
        std::fs::write(&p, &bad).unwrap();
        let r = DocMapReader::open(&p, None, &[3, 0]).unwrap();
        assert!(r.segment(0).is_err());
    }
}
