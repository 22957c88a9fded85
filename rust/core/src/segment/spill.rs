//! Spill files: unnamed temporary files in the segment's folder that a
//! merge streams a section into before copying it into the segment, so a
//! merge's memory stays bounded.

use std::fs::File;
use std::io::{BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::container::ContainerWriter;
use crate::error::{Error, Result};

/// A temporary file a merge writes a section into before it is copied
/// into the segment (unnamed: it disappears when dropped).
pub(super) struct Spill {
    path: PathBuf,
    out: BufWriter<File>,
    pub(super) len: u64,
}

impl Spill {
    pub(super) fn new(dir: &Path) -> Result<Spill> {
        let file = tempfile::tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
        Ok(Spill {
            path: dir.to_path_buf(),
            out: BufWriter::with_capacity(1 << 16, file),
            len: 0,
        })
    }

    pub(super) fn put(&mut self, b: &[u8]) -> Result<()> {
        self.out
            .write_all(b)
            .map_err(|e| Error::io(&self.path, e))?;
        self.len += b.len() as u64;
        Ok(())
    }

    /// Copies the spill into section `i` of `w`.
    pub(super) fn copy_into(self, w: &mut ContainerWriter, i: usize) -> Result<()> {
        let path = self.path;
        let io = |e: std::io::Error| Error::io(&path, e);
        let mut file = self.out.into_inner().map_err(|e| io(e.into_error()))?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        w.begin(i)?;
        w.copy_from(&mut BufReader::with_capacity(1 << 16, file))?;
        w.end();
        Ok(())
    }
}

impl Write for Spill {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.write_all(buf)?;
        self.len += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
