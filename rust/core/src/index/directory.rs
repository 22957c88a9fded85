//! The index folder (SPEC.md §10): file names, the writer lock, the
//! atomic commit and garbage collection.
//!
//! A commit writes its new files (each fsynced), writes the manifest to
//! `MANIFEST.tmp`, fsyncs it, renames it over `MANIFEST` and fsyncs the
//! folder. Only then are files no longer referenced deleted. Writers hold an
//! advisory `flock` on `LOCK` (released by the kernel when the process
//! dies), with the holder's pid written in it for the error message.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::manifest::Manifest;
use crate::container::create_private;
use crate::error::{Error, Result};

/// The manifest's file name.
pub const MANIFEST_FILE: &str = "MANIFEST";
/// The lock file's name.
pub const LOCK_FILE: &str = "LOCK";
const MANIFEST_TMP: &str = "MANIFEST.tmp";

/// The file name of segment number `n`.
pub(crate) fn segment_name(n: u64) -> String {
    format!("seg-{n:010}.seg")
}

/// The file name of the doc map of generation `g`.
pub(crate) fn docmap_name(g: u64) -> String {
    format!("docmap-{g:010}.dm")
}

/// The file name of document-vector file number `n` (numbered from the
/// segments' counter).
pub(crate) fn vectors_name(n: u64) -> String {
    format!("vec-{n:010}.vec")
}

/// The number in one of our file names, if it is one.
fn file_number(name: &str) -> Option<u64> {
    let n = name
        .strip_prefix("seg-")
        .and_then(|r| r.strip_suffix(".seg"))
        .or_else(|| {
            name.strip_prefix("docmap-")
                .and_then(|r| r.strip_suffix(".dm"))
        })
        .or_else(|| {
            name.strip_prefix("vec-")
                .and_then(|r| r.strip_suffix(".vec"))
        })?;
    n.parse().ok()
}

/// Reads the manifest of `dir`.
///
/// # Errors
/// [`Error::Io`] (kind `NotFound` when there is no index), [`Error::Format`].
pub(crate) fn read_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join(MANIFEST_FILE);
    let bytes = fs::read(&path).map_err(|e| Error::io(&path, e))?;
    Manifest::decode(&path, &bytes)
}

/// Creates an index folder and its missing parents, private (mode 0700).
///
/// # Errors
/// [`Error::Io`].
pub(crate) fn create_private_dir(path: &Path) -> Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path).map_err(|e| Error::io(path, e))
}

/// Writes a whole new file (see [`create_private`]) and fsyncs it.
pub(crate) fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |e| Error::io(path, e);
    let mut f = create_private(path).map_err(io)?;
    f.write_all(bytes).map_err(io)?;
    f.sync_all().map_err(io)
}

/// Fsyncs a folder so that renames and new entries in it are durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::io(dir, e))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Publishes `m` atomically as the index's current state.
///
/// # Errors
/// [`Error::Io`] when a write, fsync or the rename fails; the previous
/// manifest is then still in place.
pub(crate) fn commit_manifest(dir: &Path, m: &Manifest) -> Result<()> {
    let tmp = dir.join(MANIFEST_TMP);
    write_synced(&tmp, &m.encode())?;
    let target = dir.join(MANIFEST_FILE);
    fs::rename(&tmp, &target).map_err(|e| Error::io(&target, e))?;
    sync_dir(dir)
}

/// Deletes the files of ours in `dir` that `m` does not reference (older
/// commits' files, and files a crashed writer left behind). Best effort.
pub(crate) fn collect_garbage(dir: &Path, m: &Manifest) {
    let live: HashSet<&str> = m
        .segments
        .iter()
        .flat_map(|s| {
            [
                Some(s.file.file.as_str()),
                s.vectors.as_ref().map(|v| v.file.file.as_str()),
            ]
        })
        .flatten()
        .chain(m.spare_vectors.iter().map(|v| v.vectors.file.file.as_str()))
        .chain([m.docmap.file.as_str()])
        .collect();
    remove_ours_except(dir, &live);
}

/// After a failed update (a full disk, say): deletes every file of ours that
/// the committed manifest does not reference, or all of them when nothing
/// was ever committed, so a failed build leaves no partial files behind.
/// The caller holds the writer lock. Best effort.
pub(crate) fn remove_uncommitted(dir: &Path) {
    match read_manifest(dir) {
        Ok(m) => collect_garbage(dir, &m),
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            remove_ours_except(dir, &HashSet::new());
        }
        // A manifest that cannot be read: leave the files for a rebuild.
        Err(_) => {}
    }
}

fn remove_ours_except(dir: &Path, live: &HashSet<&str>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if (file_number(name).is_some() && !live.contains(name)) || name == MANIFEST_TMP {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The highest number used by a segment or doc map file in `dir` (0 when none).
pub(crate) fn highest_file_number(dir: &Path) -> u64 {
    fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .filter_map(|e| e.file_name().to_str().and_then(file_number))
            .max()
            .unwrap_or(0)
    })
}

/// The writer lock of an index folder, held until dropped.
#[derive(Debug)]
pub struct DirLock {
    file: File,
    path: PathBuf,
}

impl DirLock {
    /// Takes the lock without waiting.
    ///
    /// # Errors
    /// [`Error::Locked`] with the holder's pid when another writer (in this
    /// or another process) holds it; [`Error::Io`] when the file cannot be
    /// opened.
    pub fn acquire(dir: &Path) -> Result<DirLock> {
        let path = dir.join(LOCK_FILE);
        let io = |e| Error::io(&path, e);
        // Not truncated: the holder's pid must survive until we own the lock.
        // Private, and never through a link planted in the folder.
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
        }
        let mut file = options.open(&path).map_err(io)?;
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(fs4::TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                return Err(Error::Locked {
                    path,
                    holder: text.trim().parse().ok(),
                });
            }
            Err(fs4::TryLockError::Error(e)) => return Err(io(e)),
        }
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        write!(file, "{}", std::process::id()).map_err(io)?;
        let _ = file.flush();
        Ok(DirLock { file, path })
    }

    /// The lock file's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        // The kernel releases the lock when the file is closed anyway.
        let _ = fs4::FileExt::unlock(&self.file);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_is_refused_with_the_pid_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let a = DirLock::acquire(dir.path()).unwrap();
        match DirLock::acquire(dir.path()) {
            Err(Error::Locked { holder, path }) => {
                assert_eq!(holder, Some(std::process::id()));
                assert_eq!(path, dir.path().join(LOCK_FILE));
            }
            other => panic!("expected Locked, got {other:?}"),
        }
        drop(a);
        assert!(DirLock::acquire(dir.path()).is_ok());
    }

    /// Issue 15: links planted in the index folder are never written through,
    /// and index files are private.
    #[cfg(unix)]
    #[test]
    fn planted_links_are_not_written_through() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "keep").unwrap();
        let index = dir.path().join("index");
        create_private_dir(&index).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&index), 0o700);
        std::os::unix::fs::symlink(&victim, index.join(LOCK_FILE)).unwrap();
        std::os::unix::fs::symlink(&victim, index.join(MANIFEST_TMP)).unwrap();
        assert!(DirLock::acquire(&index).is_err());
        fs::remove_file(index.join(LOCK_FILE)).unwrap();
        let lock = DirLock::acquire(&index).unwrap();
        assert_eq!(mode(&index.join(LOCK_FILE)), 0o600);
        let m = Manifest {
            format_version: 1,
            generation: 1,
            analyzer: "a".into(),
            max_file_bytes: 1,
            num_docs: 0,
            field_lengths: [0; 6],
            segments: vec![],
            docmap: crate::index::manifest::FileEntry {
                file: docmap_name(1),
                bytes: 0,
                header_crc: 0,
            },
            skipped: vec![],
            next_segment: 1,
            started_ns: 0,
            spare_vectors: vec![],
        };
        commit_manifest(&index, &m).unwrap();
        assert_eq!(mode(&index.join(MANIFEST_FILE)), 0o600);
        drop(lock);
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");
        let seg = index.join(segment_name(1));
        std::os::unix::fs::symlink(&victim, &seg).unwrap();
        write_synced(&seg, b"x").unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");
        assert_eq!(fs::read(&seg).unwrap(), b"x");
        assert_eq!(mode(&seg), 0o600);
    }

    #[test]
    fn names() {
        assert_eq!(file_number(&segment_name(12)), Some(12));
        assert_eq!(file_number(&docmap_name(3)), Some(3));
        assert_eq!(file_number(&vectors_name(7)), Some(7));
        assert_eq!(file_number("MANIFEST"), None);
    }
}
