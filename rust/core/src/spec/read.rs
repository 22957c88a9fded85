//! Reading a spec file's bytes: a regular file, at most `max` bytes, not
//! binary. Both indexes (memory and disk) and the snippet reader go through
//! [`read_spec_bytes`], so a file is skipped for the same reason everywhere.

use std::io::{ErrorKind, Read};
use std::path::Path;

use crate::walk::{open_regular, OpenError};

/// How many leading bytes are checked for a NUL to call a file binary.
pub const BINARY_CHECK_BYTES: usize = 8192;

/// Why a file could not be read as a spec.
pub(crate) enum ReadFailure {
    /// The OS error.
    Io(std::io::Error),
    /// More than the cap; the size when known.
    TooLarge(u64),
    /// Not a regular file.
    NotRegular,
    /// A symbolic link (not followed), or a file replaced since the walk.
    Refused(&'static str),
    /// A NUL byte in the first [`BINARY_CHECK_BYTES`] bytes.
    Binary,
}

impl ReadFailure {
    /// The problem message for a skipped file (the python engine words it
    /// the same: `pure/index.py`, `read_spec`).
    pub(crate) fn message(&self, max: u64) -> String {
        match self {
            ReadFailure::Io(e) => format!("cannot read file: {e}"),
            ReadFailure::TooLarge(size) => {
                format!("file is larger than max_file_bytes ({size} > {max} bytes): skipped")
            }
            ReadFailure::NotRegular => "not a regular file: skipped".to_owned(),
            ReadFailure::Refused(why) => format!("{why}: skipped"),
            ReadFailure::Binary => {
                "binary file (NUL byte in the first 8192 bytes): skipped".to_owned()
            }
        }
    }
}

/// Reads a spec file: a regular file of at most `max` bytes, not binary.
///
/// It is opened with [`open_regular`]: a link or FIFO swapped in is refused,
/// never followed or waited on, and with `identity` (the walk's `(device,
/// inode)`) so is a file replaced since the walk.
pub(crate) fn read_spec_bytes(
    path: &Path,
    max: u64,
    identity: Option<(u64, u64)>,
) -> std::result::Result<Vec<u8>, ReadFailure> {
    let (file, meta) = open_regular(path, Some(max), identity).map_err(|e| match e {
        OpenError::Io(e) => ReadFailure::Io(e),
        OpenError::NotRegular => ReadFailure::NotRegular,
        OpenError::TooLarge(size) => ReadFailure::TooLarge(size),
        OpenError::Link => ReadFailure::Refused("symbolic link"),
        OpenError::Replaced => ReadFailure::Refused("replaced while being indexed"),
    })?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    let mut limited = file.take(max.saturating_add(1));
    loop {
        match limited.read_to_end(&mut bytes) {
            Ok(_) => break,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(ReadFailure::Io(e)),
        }
    }
    if bytes.len() as u64 > max {
        return Err(ReadFailure::TooLarge(bytes.len() as u64));
    }
    if bytes[..bytes.len().min(BINARY_CHECK_BYTES)].contains(&0) {
        return Err(ReadFailure::Binary);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_failures() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.md");
        std::fs::write(&big, "0123456789").unwrap();
        assert!(read_spec_bytes(&big, 10, None).is_ok());
        assert!(matches!(
            read_spec_bytes(&big, 9, None),
            Err(ReadFailure::TooLarge(10))
        ));
        let bin = dir.path().join("bin.md");
        let mut bytes = vec![b'a'; 8191];
        bytes.push(0);
        std::fs::write(&bin, &bytes).unwrap();
        assert!(matches!(
            read_spec_bytes(&bin, 1 << 20, None),
            Err(ReadFailure::Binary)
        ));
        bytes.insert(0, b'a');
        std::fs::write(&bin, &bytes).unwrap();
        assert!(read_spec_bytes(&bin, 1 << 20, None).is_ok());
        assert!(matches!(
            read_spec_bytes(&dir.path().join("gone.md"), 10, None),
            Err(ReadFailure::Io(_))
        ));
        assert!(matches!(
            read_spec_bytes(dir.path(), 10, None),
            Err(ReadFailure::NotRegular)
        ));
    }
}
