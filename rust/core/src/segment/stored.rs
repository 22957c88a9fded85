//! Stored fields: the record each doc keeps besides the index (doc meta,
//! absolute path, content hash, problems), and the writer that groups the
//! records into LZ4-compressed blocks of [`STORED_BLOCK`] with a CRC-32 each.

use std::path::{Path, PathBuf};

use super::{heap, STORED_BLOCK};
use crate::postings::{put_bytes, put_varint, ByteReader};
use crate::problem::Problem;
use crate::spec::DocMeta;

/// What a segment stores per doc besides the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StoredDoc {
    /// Path, name, description.
    pub(crate) meta: DocMeta,
    /// The absolute path of the file (for snippets and change detection).
    pub(crate) abs_path: PathBuf,
    /// xxh3-64 of the file's bytes.
    pub(crate) hash: u64,
    /// The file's problems, in order.
    pub(crate) problems: Vec<Problem>,
}

#[cfg(unix)]
pub(crate) fn path_bytes(p: &Path) -> &[u8] {
    use std::os::unix::ffi::OsStrExt;
    p.as_os_str().as_bytes()
}

#[cfg(not(unix))]
pub(crate) fn path_bytes(p: &Path) -> &[u8] {
    p.to_str().map_or(&[], str::as_bytes)
}

#[cfg(unix)]
#[allow(clippy::unnecessary_wraps)] // `None` for non-UTF-8 elsewhere
pub(crate) fn path_ref(b: &[u8]) -> Option<&Path> {
    use std::os::unix::ffi::OsStrExt;
    Some(Path::new(std::ffi::OsStr::from_bytes(b)))
}

#[cfg(not(unix))]
pub(crate) fn path_ref(b: &[u8]) -> Option<&Path> {
    std::str::from_utf8(b).ok().map(Path::new)
}

/// What change detection needs of a stored doc, borrowed from the map.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StoredKey<'a> {
    /// The doc path.
    pub(crate) path: &'a str,
    /// The absolute file path.
    pub(crate) abs_path: &'a Path,
    /// xxh3-64 of the file's bytes.
    pub(crate) hash: u64,
    /// How many problems the record holds.
    pub(crate) problems: u64,
}

#[cfg(unix)]
fn path_from_bytes(b: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(b))
}

#[cfg(not(unix))]
fn path_from_bytes(b: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(b).into_owned())
}

impl StoredDoc {
    /// Appends the record.
    pub(super) fn encode(&self, out: &mut Vec<u8>) {
        put_bytes(out, self.meta.path.as_bytes());
        put_bytes(out, self.meta.name.as_bytes());
        put_bytes(out, self.meta.description.as_bytes());
        put_bytes(out, path_bytes(&self.abs_path));
        out.extend_from_slice(&self.hash.to_le_bytes());
        put_varint(out, self.problems.len() as u64);
        for p in &self.problems {
            put_bytes(out, p.path.as_bytes());
            put_varint(out, p.line.map_or(0, |l| u64::from(l) + 1));
            put_bytes(out, p.message.as_bytes());
        }
    }

    pub(super) fn decode(b: &[u8]) -> Option<StoredDoc> {
        let mut r = ByteReader::new(b);
        let path = r.string()?.to_owned();
        let name = r.string()?.to_owned();
        let description = r.string()?.to_owned();
        let abs_path = path_from_bytes(r.len_prefixed()?);
        let hash = r.u64_le()?;
        let n = r.varint()?;
        let mut problems = Vec::new();
        for _ in 0..n {
            let path = r.string()?.to_owned();
            let line = match r.varint()? {
                0 => None,
                l => Some(u32::try_from(l - 1).ok()?),
            };
            let message = r.string()?.to_owned();
            problems.push(Problem {
                path,
                line,
                message,
            });
        }
        r.is_empty().then_some(StoredDoc {
            meta: DocMeta {
                path,
                name,
                description,
            },
            abs_path,
            hash,
            problems,
        })
    }
}

/// Buffers stored records into blocks of [`STORED_BLOCK`], each LZ4-compressed
/// when it fills; the caller writes the compressed blocks in order.
#[derive(Default)]
pub(super) struct StoredWriter {
    /// The current block: varint record lengths, then the records.
    lens: Vec<u8>,
    recs: Vec<u8>,
    count: usize,
    /// The block index so far (see [`SegmentReader::stored_block`]).
    index: Vec<u8>,
    /// Compressed bytes handed out so far.
    at: u64,
}

impl StoredWriter {
    /// Adds a record written by `encode`; returns a compressed block when
    /// one is complete.
    pub(super) fn push(&mut self, encode: impl FnOnce(&mut Vec<u8>)) -> Option<Vec<u8>> {
        let start = self.recs.len();
        encode(&mut self.recs);
        put_varint(&mut self.lens, (self.recs.len() - start) as u64);
        self.count += 1;
        (self.count == STORED_BLOCK).then(|| self.flush())
    }

    fn flush(&mut self) -> Vec<u8> {
        self.lens.extend_from_slice(&self.recs);
        let comp = lz4_flex::block::compress(&self.lens);
        self.index.extend_from_slice(&self.at.to_le_bytes());
        self.index
            .extend_from_slice(&(self.lens.len() as u32).to_le_bytes());
        self.index
            .extend_from_slice(&crc32fast::hash(&comp).to_le_bytes());
        self.at += comp.len() as u64;
        self.lens.clear();
        self.recs.clear();
        self.count = 0;
        comp
    }

    /// The last (partial) block, if any, and the block index with its sentinel.
    pub(super) fn finish(mut self) -> (Option<Vec<u8>>, Vec<u8>) {
        let last = (self.count > 0).then(|| self.flush());
        self.index.extend_from_slice(&self.at.to_le_bytes());
        self.index.extend_from_slice(&[0; 8]);
        (last, self.index)
    }

    /// Heap bytes held.
    pub(super) fn heap(&self) -> usize {
        heap(self.lens.capacity()) + heap(self.recs.capacity()) + heap(self.index.capacity())
    }
}
