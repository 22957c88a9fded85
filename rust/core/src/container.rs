//! The container of every binary index file (SPEC.md §10): magic
//! bytes, the format version, a table of sections, and a CRC-32 per section
//! and for the header.
//!
//! Header layout (all integers little-endian):
//!
//! ```text
//! 0   [u8; 8]  magic (which kind of file)
//! 8   u32      format version (FORMAT_VERSION)
//! 12  u32      count (docs in a segment, segments in a doc map)
//! 16  u32      number of sections S
//! 20  u32      0
//! 24  S × { u64 offset, u64 length, u32 crc32, u32 0 }   (24 bytes each)
//! 24+24S u32   crc32 of bytes [0, 24 + 24S)
//! ```
//!
//! Sections follow, each starting at an offset that is a multiple of 8, in
//! any order (a [`ContainerWriter`] writes them as they are produced and the
//! header last), with zero padding between them. Every offset and length
//! read from a file is checked against the file's size before use; the
//! header's checksum is verified when the file is opened, a section's on its
//! first use (once per reader) unless it is read with
//! [`Container::section_unchecked`] (its parts carry their own checksums).
//!
//! Layering: shared; reads only `error`. `segment` and `index::docmap` write
//! and read their files through it.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use memmap2::Mmap;

use crate::error::{Error, Result};

/// The version of the on-disk format this code reads and writes.
pub const FORMAT_VERSION: u32 = 6;

/// Sections start at offsets that are multiples of this.
pub(crate) const ALIGN: usize = 8;

const FIXED_HEADER: usize = 24;
const ENTRY: usize = 24;

/// Whether `bytes` have the CRC-32 `crc`. In `cargo fuzz` builds
/// (`cfg(fuzzing)`) every checksum passes, so that the fuzzer reaches the
/// decoders behind them; every other build verifies.
pub(crate) fn crc_ok(bytes: &[u8], crc: u32) -> bool {
    cfg!(fuzzing) || crc32fast::hash(bytes) == crc
}

/// Rounds `n` up to a multiple of [`ALIGN`].
fn align_up(n: usize) -> usize {
    n.div_ceil(ALIGN) * ALIGN
}

/// The header bytes for a table of `(offset, length, crc)` entries.
#[allow(clippy::trivially_copy_pass_by_ref)] // magic constants are statics
fn header_bytes(magic: &[u8; 8], count: u32, table: &[(u64, u64, u32)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(header_len(table.len()));
    out.extend_from_slice(magic);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&(table.len() as u32).to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    for &(off, len, crc) in table {
        out.extend_from_slice(&off.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
    }
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out.resize(header_len(table.len()), 0);
    out
}

/// The size of the header (padded) of a container of `n` sections.
fn header_len(n: usize) -> usize {
    align_up(FIXED_HEADER + ENTRY * n + 4)
}

/// Serializes a container with the given sections.
#[allow(clippy::trivially_copy_pass_by_ref)] // magic constants are statics
pub(crate) fn encode(magic: &[u8; 8], count: u32, sections: &[&[u8]]) -> Vec<u8> {
    let mut table = Vec::with_capacity(sections.len());
    let mut at = header_len(sections.len());
    for s in sections {
        table.push((at as u64, s.len() as u64, crc32fast::hash(s)));
        at = align_up(at + s.len());
    }
    let mut out = header_bytes(magic, count, &table);
    out.reserve(at - out.len());
    for (s, &(off, _, _)) in sections.iter().zip(&table) {
        out.resize(off as usize, 0);
        out.extend_from_slice(s);
    }
    out.resize(align_up(out.len()), 0);
    out
}

/// Writes a container file as a stream: sections are written one at a time
/// (in any order, each zero-padded to [`ALIGN`]) through a buffer, and the
/// header, whose size depends only on the number of sections, last.
pub(crate) struct ContainerWriter {
    path: PathBuf,
    out: BufWriter<File>,
    at: u64,
    table: Vec<(u64, u64, u32)>,
    /// The section being written: its index, start and running checksum.
    current: Option<(usize, u64, crc32fast::Hasher)>,
}

/// Creates a new index file: private (mode 0600), never through a link
/// planted in the folder. A file already there is unlinked first (a crashed
/// writer's leftover, or a link: the link goes, its target is untouched),
/// and the new one is created with `O_EXCL`, so nothing can be swapped in
/// between.
///
/// # Errors
/// The I/O error (kind `AlreadyExists` when a file reappeared meanwhile).
pub(crate) fn create_private(path: &Path) -> std::io::Result<File> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path)
}

impl ContainerWriter {
    /// Creates the new file `path` (private, see
    /// [`create_private`]) for a container of `sections` sections.
    ///
    /// # Errors
    /// [`Error::Io`].
    pub(crate) fn create(path: &Path, sections: usize) -> Result<ContainerWriter> {
        let file = create_private(path).map_err(|e| Error::io(path, e))?;
        let mut w = ContainerWriter {
            path: path.to_path_buf(),
            out: BufWriter::with_capacity(1 << 16, file),
            at: 0,
            table: vec![(0, 0, 0); sections],
            current: None,
        };
        let zeros = vec![0u8; header_len(sections)];
        w.raw(&zeros)?;
        Ok(w)
    }

    /// The file being written.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    fn raw(&mut self, bytes: &[u8]) -> Result<()> {
        self.out
            .write_all(bytes)
            .map_err(|e| Error::io(&self.path, e))?;
        self.at += bytes.len() as u64;
        Ok(())
    }

    /// Starts section `i` (ending the current one, if any).
    ///
    /// # Errors
    /// [`Error::Io`].
    pub(crate) fn begin(&mut self, i: usize) -> Result<()> {
        self.end();
        let pad = align_up(self.at as usize) - self.at as usize;
        self.raw(&[0u8; ALIGN][..pad])?;
        self.current = Some((i, self.at, crc32fast::Hasher::new()));
        Ok(())
    }

    /// Appends bytes to the current section.
    ///
    /// # Errors
    /// [`Error::Io`].
    pub(crate) fn put(&mut self, bytes: &[u8]) -> Result<()> {
        if let Some((_, _, h)) = self.current.as_mut() {
            h.update(bytes);
        }
        self.raw(bytes)
    }

    /// Writes section `i` whole.
    ///
    /// # Errors
    /// [`Error::Io`].
    pub(crate) fn section(&mut self, i: usize, bytes: &[u8]) -> Result<()> {
        self.begin(i)?;
        self.put(bytes)?;
        self.end();
        Ok(())
    }

    /// Copies the rest of `src` into the current section.
    ///
    /// # Errors
    /// [`Error::Io`].
    pub(crate) fn copy_from(&mut self, src: &mut impl Read) -> Result<()> {
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = match src.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::io(&self.path, e)),
            };
            self.put(&buf[..n])?;
        }
    }

    /// Ends the current section.
    pub(crate) fn end(&mut self) {
        if let Some((i, start, h)) = self.current.take() {
            if let Some(e) = self.table.get_mut(i) {
                *e = (start, self.at - start, h.finalize());
            }
        }
    }

    /// Pads the file, writes the header and fsyncs; returns the file size.
    ///
    /// # Errors
    /// [`Error::Io`].
    #[allow(clippy::trivially_copy_pass_by_ref)] // magic constants are statics
    pub(crate) fn finish(mut self, magic: &[u8; 8], count: u32) -> Result<u64> {
        self.end();
        let pad = align_up(self.at as usize) - self.at as usize;
        self.raw(&[0u8; ALIGN][..pad])?;
        // Sections never written are empty, at the end of the file.
        for e in &mut self.table {
            if e.0 == 0 {
                e.0 = self.at;
            }
        }
        let header = header_bytes(magic, count, &self.table);
        let path = self.path;
        let io = |e| Error::io(&path, e);
        let mut file = self.out.into_inner().map_err(|e| io(e.into_error()))?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        file.write_all(&header).map_err(io)?;
        file.sync_all().map_err(io)?;
        Ok(self.at)
    }
}

impl Write for ContainerWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.put(buf).map_err(std::io::Error::other)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One entry of the section table.
#[derive(Clone, Copy, Debug)]
struct Section {
    offset: usize,
    len: usize,
    crc: u32,
}

/// A read-only mapped container file whose header has been verified.
#[derive(Debug)]
pub(crate) struct Container {
    path: PathBuf,
    mmap: Arc<Mmap>,
    count: u32,
    header_crc: u32,
    sections: Vec<Section>,
    /// Per section: whether its checksum matched, computed on first use.
    verified: Vec<OnceLock<bool>>,
}

fn le_u32(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .map(u32::from_le_bytes)
}

fn le_u64(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at + 8)
        .and_then(|s| s.try_into().ok())
        .map(u64::from_le_bytes)
}

impl Container {
    /// Maps `path` and verifies its magic, version, section table and header
    /// checksum; `expected_len` (from the manifest) must match the file size
    /// when given. Section contents are not read.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be opened (kind `NotFound` when it
    /// has gone), [`Error::Format`] naming the file for anything else.
    #[allow(clippy::trivially_copy_pass_by_ref)] // magic constants are statics
    pub(crate) fn open(
        path: &Path,
        magic: &[u8; 8],
        expected_len: Option<u64>,
    ) -> Result<Container> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
        if let Some(want) = expected_len {
            if want != len {
                return Err(Error::format(
                    path,
                    format!("file is {len} bytes, the manifest says {want}"),
                ));
            }
        }
        if len < (FIXED_HEADER + 4) as u64 {
            return Err(Error::format(path, format!("file too short ({len} bytes)")));
        }
        // SAFETY: index files are immutable once written: a writer only
        // creates new files and deletes unreferenced ones (on Unix a mapped
        // file that is deleted stays valid). Nothing in specsearch writes to
        // a file after it is committed; another program truncating it would
        // break the mapping, as for any mmap-based store.
        let mmap = unsafe { Mmap::map(&file) }.map_err(|e| Error::io(path, e))?;
        let b: &[u8] = &mmap;
        let bad = |detail: String| Error::format(path, detail);
        if &b[..8] != magic {
            return Err(bad(format!(
                "bad magic bytes {:?} (expected {:?})",
                String::from_utf8_lossy(&b[..8]),
                String::from_utf8_lossy(magic)
            )));
        }
        let version = le_u32(b, 8).unwrap_or(0);
        if version != FORMAT_VERSION {
            return Err(bad(format!(
                "format version {version}, expected {FORMAT_VERSION}: rebuild"
            )));
        }
        let count = le_u32(b, 12).unwrap_or(0);
        let n = le_u32(b, 16).unwrap_or(0) as usize;
        let table_end = n
            .checked_mul(ENTRY)
            .and_then(|t| t.checked_add(FIXED_HEADER))
            .filter(|&t| t + 4 <= b.len())
            .ok_or_else(|| bad(format!("section table of {n} entries overruns the file")))?;
        let stored_crc = le_u32(b, table_end).unwrap_or(0);
        if !crc_ok(&b[..table_end], stored_crc) {
            return Err(bad("header checksum mismatch".into()));
        }
        let mut sections = Vec::with_capacity(n);
        for i in 0..n {
            let e = FIXED_HEADER + i * ENTRY;
            let (Some(off), Some(slen), Some(crc)) =
                (le_u64(b, e), le_u64(b, e + 8), le_u32(b, e + 16))
            else {
                return Err(bad(format!("section {i}: truncated entry")));
            };
            let end = off.checked_add(slen);
            if off % ALIGN as u64 != 0 || off < table_end as u64 || end.is_none_or(|e| e > len) {
                return Err(bad(format!(
                    "section {i}: offset {off} length {slen} outside the file ({len} bytes)"
                )));
            }
            sections.push(Section {
                offset: off as usize,
                len: slen as usize,
                crc,
            });
        }
        let verified = (0..n).map(|_| OnceLock::new()).collect();
        Ok(Container {
            path: path.to_path_buf(),
            mmap: Arc::new(mmap),
            count,
            header_crc: stored_crc,
            sections,
            verified,
        })
    }

    /// The file's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The header's count field.
    pub(crate) fn count(&self) -> u32 {
        self.count
    }

    /// The header's checksum (recorded in the manifest).
    pub(crate) fn header_crc(&self) -> u32 {
        self.header_crc
    }

    /// The number of sections.
    pub(crate) fn num_sections(&self) -> usize {
        self.sections.len()
    }

    /// The mapping (for zero-copy holders).
    pub(crate) fn mmap(&self) -> &Arc<Mmap> {
        &self.mmap
    }

    /// A section's length, without reading it.
    pub(crate) fn section_len(&self, i: usize) -> Result<usize> {
        self.sections
            .get(i)
            .map(|s| s.len)
            .ok_or_else(|| self.missing(i))
    }

    /// A section's file offset, without reading it.
    pub(crate) fn section_offset(&self, i: usize) -> Result<usize> {
        self.sections
            .get(i)
            .map(|s| s.offset)
            .ok_or_else(|| self.missing(i))
    }

    fn missing(&self, i: usize) -> Error {
        Error::format(&self.path, format!("section {i} is missing"))
    }

    /// A section's bytes, its checksum verified on first use.
    ///
    /// # Errors
    /// [`Error::Format`] when the section is missing or its checksum does not match.
    pub(crate) fn section(&self, i: usize) -> Result<&[u8]> {
        let s = *self.sections.get(i).ok_or_else(|| self.missing(i))?;
        // Bounds were checked against the file size at open.
        let bytes = &self.mmap[s.offset..s.offset + s.len];
        let ok = *self.verified[i].get_or_init(|| crc_ok(bytes, s.crc));
        if ok {
            Ok(bytes)
        } else {
            Err(Error::format(
                &self.path,
                format!("section {i}: checksum mismatch"),
            ))
        }
    }

    /// Checks every section's checksum (each once per reader), and that
    /// every byte no checksum covers (the padding between and after the
    /// header and the sections) is zero, as the writer left it: a flipped
    /// bit anywhere in the file is found.
    ///
    /// # Errors
    /// [`Error::Format`] at the first section whose checksum does not match,
    /// or at the first non-zero padding byte.
    pub(crate) fn verify_all(&self) -> Result<()> {
        for i in 0..self.sections.len() {
            self.section(i)?;
        }
        let b: &[u8] = &self.mmap;
        let header_end = FIXED_HEADER + ENTRY * self.sections.len() + 4;
        let mut spans: Vec<(usize, usize)> = self
            .sections
            .iter()
            .map(|s| (s.offset, s.offset + s.len))
            .collect();
        spans.push((0, header_end));
        spans.sort_unstable();
        let mut at = 0;
        for (start, end) in spans {
            if let Some(off) = (at..start.max(at)).find(|&o| b[o] != 0) {
                return Err(self.error(format!("byte {off}: non-zero padding")));
            }
            at = at.max(end);
        }
        if let Some(off) = (at..b.len()).find(|&o| b[o] != 0) {
            return Err(self.error(format!("byte {off}: non-zero padding")));
        }
        Ok(())
    }

    /// A section's bytes without checking its checksum: for sections whose
    /// parts carry their own checksums (postings, positions, term infos,
    /// stored records), verified as they are read.
    ///
    /// # Errors
    /// [`Error::Format`] when the section is missing.
    pub(crate) fn section_unchecked(&self, i: usize) -> Result<&[u8]> {
        let s = *self.sections.get(i).ok_or_else(|| self.missing(i))?;
        // Bounds were checked against the file size at open.
        Ok(&self.mmap[s.offset..s.offset + s.len])
    }

    /// A format error about this file.
    pub(crate) fn error(&self, detail: impl Into<String>) -> Error {
        Error::format(&self.path, detail)
    }

    /// A section as a column of little-endian `u32`s, borrowed from the map.
    ///
    /// # Errors
    /// [`Error::Format`] as for [`Container::section`], or when the length
    /// is not `4 × expected` or the data is misaligned.
    pub(crate) fn u32_column(&self, i: usize, expected: usize) -> Result<&[u32]> {
        let bytes = self.section(i)?;
        if bytes.len() != expected * 4 {
            return Err(self.error(format!(
                "section {i}: {} bytes, expected {}",
                bytes.len(),
                expected * 4
            )));
        }
        as_u32s(bytes).ok_or_else(|| self.error(format!("section {i}: misaligned u32 column")))
    }
}

/// `bytes` as native `u32`s when they are aligned and the target is
/// little-endian (the file stores little-endian).
pub(crate) fn as_u32s(bytes: &[u8]) -> Option<&[u32]> {
    if cfg!(target_endian = "big") {
        return None;
    }
    // SAFETY: every bit pattern is a valid u32; `align_to` only yields the
    // middle part at a correct alignment.
    let (pre, mid, post) = unsafe { bytes.align_to::<u32>() };
    (pre.is_empty() && post.is_empty()).then_some(mid)
}

/// A little-endian `u64` at index `i` of a column of them.
pub(crate) fn u64_at(bytes: &[u8], i: usize) -> Option<u64> {
    le_u64(bytes, i.checked_mul(8)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_checks() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        let bytes = encode(b"TESTMAGC", 7, &[b"hello", b"", &[1, 0, 0, 0, 2, 0, 0, 0]]);
        std::fs::write(&p, &bytes).unwrap();
        let c = Container::open(&p, b"TESTMAGC", Some(bytes.len() as u64)).unwrap();
        assert_eq!(c.count(), 7);
        assert_eq!(c.num_sections(), 3);
        assert_eq!(c.section(0).unwrap(), b"hello");
        assert_eq!(c.section(1).unwrap(), b"");
        assert_eq!(c.u32_column(2, 2).unwrap(), [1, 2]);
        assert!(c.section(3).is_err());
        assert!(matches!(
            Container::open(&p, b"OTHERMAG", None),
            Err(Error::Format { .. })
        ));
        let mut bad = bytes.clone();
        bad[8] = 1;
        std::fs::write(&p, &bad).unwrap();
        match Container::open(&p, b"TESTMAGC", None) {
            Err(Error::Format { detail, .. }) => {
                assert_eq!(
                    detail,
                    format!("format version 1, expected {FORMAT_VERSION}: rebuild")
                );
            }
            other => panic!("{other:?}"),
        }
        let mut bad = bytes;
        let off = c.section_offset(0).unwrap();
        bad[off] ^= 1;
        std::fs::write(&p, &bad).unwrap();
        let c = Container::open(&p, b"TESTMAGC", None).unwrap();
        assert!(matches!(c.section(0), Err(Error::Format { .. })));
    }

    /// `verify_all` finds a flipped bit at every byte of the file: in the
    /// header, in a section, and in the padding no checksum covers.
    #[test]
    fn verify_all_finds_a_flip_anywhere() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        let bytes = encode(b"TESTMAGC", 3, &[b"hello", b"", b"abc", &[9; 13]]);
        std::fs::write(&p, &bytes).unwrap();
        Container::open(&p, b"TESTMAGC", None)
            .unwrap()
            .verify_all()
            .unwrap();
        let mut padding = 0;
        for at in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[at] ^= 0x10;
            std::fs::write(&p, &bad).unwrap();
            let found = match Container::open(&p, b"TESTMAGC", None) {
                Err(Error::Format { .. }) => true,
                Err(other) => panic!("byte {at}: {other:?}"),
                Ok(c) => match c.verify_all() {
                    Err(Error::Format { detail, .. }) => {
                        padding += usize::from(detail.contains("padding"));
                        true
                    }
                    Err(other) => panic!("byte {at}: {other:?}"),
                    Ok(()) => false,
                },
            };
            assert!(found, "a flip at byte {at} of {} went unseen", bytes.len());
        }
        assert!(padding > 0, "the layout has padding");
    }
}
