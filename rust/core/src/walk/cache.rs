//! The walk cache (SPEC.md §10, "Walk cache"): a walk's result with what
//! it depended on, so that a walk of an unchanged tree can skip reading
//! folders and ignore files, in the spirit of git's untracked cache.
//!
//! A recorded walk notes, per directory root, every folder it entered with
//! its stat, the stat of every ignore file it read and of every
//! extension-less file whose first line it read, its spec files in walk
//! order and its problems. A later walk with the same roots, options, size
//! cap and process identity replays that result when every one of those
//! stats is unchanged and none is racy (its mtime or ctime within
//! [`RACY_NS`] of the recorded walk's start); it still `lstat`s every spec
//! file, since an edit does not change its folder. Anything else (no cache,
//! a bad one, a changed or racy stat, a file that is not what it was) falls
//! back to the full walk, which records a new cache. A walk that met
//! something a listing does not determine (an I/O error, a refused ignore
//! file) is not cached.
//!
//! Why a replay is exact: a folder's entries (names and kinds) change only
//! through its directory entries, and creating, removing or renaming one
//! sets the folder's mtime and ctime to the time of the change; setting the
//! mtime back sets the ctime. A change after the recorded walk started
//! therefore gives a time at or after that start (less the clock's coarse
//! tick, far below [`RACY_NS`]), which a trusted stat (both times earlier
//! than the start less [`RACY_NS`]) cannot have; a folder replaced by
//! another has another inode or device. The ignore files and first lines
//! are files: their content changes their mtime and ctime the same way. The
//! walk reads nothing else: no ignore file above a root, no git config, no
//! environment; links are not followed (a root is, and its followed stat is
//! compared). What it may read depends on the process's user and groups,
//! which are part of the key.
//!
//! The cache holds no global state: it is bytes in, bytes out.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use rayon::prelude::*;

use super::{
    clean_relative, collect_root, doc_path, for_each_root, relative, root_without_listing,
    FileStat, Output, RootWalk, SpecFile, WalkOptions, IGNORE_FILES,
};
use crate::error::Result;
use crate::problem::Problem;

/// The walk cache's file name in an index folder.
pub const WALK_CACHE_FILE: &str = "WALKCACHE";

const MAGIC: &[u8; 8] = b"SPSWALK1";
/// Bumped whenever the format or what the walk reads changes.
const VERSION: u32 = 1;

/// A stat whose mtime or ctime is this close to (or after) the start of
/// the recorded walk is not trusted: the folder may have changed again
/// within the file system's timestamp granularity (git's racy rule, the
/// same window as the update's).
const RACY_NS: i64 = 2_000_000_000;

/// What [`collect_cached`] found.
#[derive(Debug)]
pub struct CachedWalk {
    /// The spec files, exactly as [`super::collect_with`] gives them.
    pub files: Vec<SpecFile>,
    /// The problems, exactly as [`super::collect_with`] gives them.
    pub problems: Vec<Problem>,
    /// Whether the cache was replayed (no folder was read).
    pub reused: bool,
    /// The cache of this walk, to store, after a full walk that can be
    /// cached (`None` when the cache was replayed, or when this walk cannot
    /// be cached or would not be trusted).
    pub record: Option<Vec<u8>>,
}

fn now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// [`super::collect_with`], replaying `cache` (the bytes of a walk cache)
/// when it is valid for these arguments and nothing it depends on changed;
/// otherwise the full walk, recorded.
///
/// # Errors
/// As [`super::collect_with`].
pub fn collect_cached(
    roots: &[PathBuf],
    max_file_bytes: u64,
    options: WalkOptions,
    cache: Option<&[u8]>,
) -> Result<CachedWalk> {
    collect_cached_as_of(roots, max_file_bytes, options, cache, now_ns())
}

/// [`collect_cached`] that records `started` as the walk's start (ns since
/// the epoch) instead of the time now. Tests use a later time to make
/// fresh stats trusted; a caller that does so must itself change an mtime
/// with every change, or a replay may miss it.
///
/// # Errors
/// As [`super::collect_with`].
#[doc(hidden)]
pub fn collect_cached_as_of(
    roots: &[PathBuf],
    max_file_bytes: u64,
    options: WalkOptions,
    cache: Option<&[u8]>,
    started: i64,
) -> Result<CachedWalk> {
    let key = Key::of(roots, max_file_bytes, options);
    if let Some(walk) = cache
        .and_then(Cache::decode)
        .filter(|c| c.key == key)
        .and_then(|c| c.replay(roots))
    {
        return Ok(walk);
    }
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let mut entries: Option<Vec<RootEntry>> = Some(Vec::new());
    for_each_root(roots, |root, display| {
        let (f0, p0) = (files.len(), problems.len());
        let out = Output {
            files: &mut files,
            problems: &mut problems,
        };
        let walk = collect_root(root, display, max_file_bytes, options, out, true)?;
        let entry = RootEntry::of(root, display, walk, &files[f0..], &problems[p0..]);
        match (entry, entries.as_mut()) {
            (Some(e), Some(all)) => all.push(e),
            _ => entries = None,
        }
        Ok(())
    })?;
    let cache = entries.map(|roots| Cache {
        started,
        key,
        roots,
    });
    let record = cache.filter(Cache::trusted).map(|c| c.encode());
    Ok(CachedWalk {
        files,
        problems,
        reused: false,
        record,
    })
}

/// Raw path bytes, borrowed from a cache being replayed.
type Bytes<'a> = Cow<'a, [u8]>;

/// What a cache must match: the arguments of the walk and who walks.
#[derive(Debug, PartialEq, Eq)]
struct Key<'a> {
    max_file_bytes: u64,
    hidden: bool,
    no_ignore: bool,
    /// `None` for the default root.
    roots: Option<Vec<Bytes<'a>>>,
    /// Effective user, effective group, then the supplementary groups,
    /// sorted: what may be read depends on them.
    ids: Vec<u32>,
}

impl Key<'_> {
    fn of(roots: &[PathBuf], max_file_bytes: u64, options: WalkOptions) -> Key<'_> {
        Key {
            max_file_bytes,
            hidden: options.hidden,
            no_ignore: options.no_ignore,
            roots: (!roots.is_empty()).then(|| {
                roots
                    .iter()
                    .map(|r| Cow::Borrowed(r.as_os_str().as_encoded_bytes()))
                    .collect()
            }),
            ids: process_ids(),
        }
    }
}

#[cfg(unix)]
fn process_ids() -> Vec<u32> {
    // SAFETY: these calls only return numbers; getgroups writes at most
    // `n` entries into a buffer of `n`.
    let (uid, gid, mut groups) = unsafe {
        let n = libc::getgroups(0, std::ptr::null_mut());
        let mut groups: Vec<libc::gid_t> = vec![0; usize::try_from(n).unwrap_or(0)];
        let got = libc::getgroups(n.max(0), groups.as_mut_ptr());
        groups.truncate(usize::try_from(got).unwrap_or(0));
        (libc::geteuid(), libc::getegid(), groups)
    };
    groups.sort_unstable();
    groups.dedup();
    let mut ids = vec![uid, gid];
    ids.extend(groups);
    ids
}

#[cfg(not(unix))]
fn process_ids() -> Vec<u32> {
    Vec::new()
}

/// One root of a recorded walk.
#[derive(Debug, PartialEq, Eq)]
enum RootEntry<'a> {
    /// A file root (a spec, stat'ed again by a replay).
    File,
    /// Neither file nor folder (a problem, decided again by a replay).
    Other,
    Dir(DirRoot<'a>),
}

/// A folder root of a recorded walk. Paths are the bytes after the root's
/// (and a `/`), as the walker joins them.
#[derive(Debug, Default, PartialEq, Eq)]
struct DirRoot<'a> {
    /// Every folder entered, the root first (empty path, followed stat).
    folders: Vec<(Bytes<'a>, FileStat)>,
    /// Every ignore file read: its folder (an index into `folders`), its
    /// index in [`IGNORE_FILES`], its stat.
    ignore_files: Vec<(u32, u8, FileStat)>,
    /// Every extension-less file whose first line was read.
    first_lines: Vec<(Bytes<'a>, FileStat)>,
    /// The spec files, in walk order.
    specs: Vec<Bytes<'a>>,
    /// The root's problems, in order.
    problems: Vec<Problem>,
}

/// `path`'s bytes after `root`'s (and a `/`) when `root.join` of them gives
/// `path` back exactly.
fn below(root: &Path, path: &Path) -> Option<Vec<u8>> {
    let r = root.as_os_str().as_encoded_bytes();
    let p = path.as_os_str().as_encoded_bytes();
    let rest = p.strip_prefix(r)?;
    let rest = if r.ends_with(b"/") {
        rest
    } else {
        rest.strip_prefix(b"/")?
    };
    (!rest.is_empty() && join_bytes(root, rest)?.as_os_str().as_encoded_bytes() == p)
        .then(|| rest.to_vec())
}

/// `root` joined with the relative path `rel` (raw bytes).
#[cfg(unix)]
#[allow(clippy::unnecessary_wraps)] // `None` where paths are not raw bytes
fn join_bytes(root: &Path, rel: &[u8]) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    // As `root.join(rel)`, without growing the buffer on the way.
    let mut path = PathBuf::with_capacity(root.as_os_str().len() + 1 + rel.len());
    path.push(root);
    path.push(std::ffi::OsStr::from_bytes(rel));
    Some(path)
}

#[cfg(not(unix))]
fn join_bytes(_root: &Path, _rel: &[u8]) -> Option<PathBuf> {
    None
}

impl RootEntry<'static> {
    /// What the cache keeps of one root's recorded walk, which gave
    /// `files` and `problems`; `None` when it cannot be cached.
    fn of(
        root: &Path,
        display: Option<&str>,
        walk: RootWalk,
        files: &[SpecFile],
        problems: &[Problem],
    ) -> Option<RootEntry<'static>> {
        let (stat, record) = match walk {
            RootWalk::File => return Some(RootEntry::File),
            RootWalk::Other => return Some(RootEntry::Other),
            RootWalk::Dir { stat, record } => (stat, record?),
        };
        if record.uncacheable {
            return None;
        }
        let mut dir = DirRoot {
            folders: vec![(Cow::Borrowed(&[][..]), stat)],
            problems: problems.to_vec(),
            ..DirRoot::default()
        };
        let mut index: rustc_hash::FxHashMap<Vec<u8>, u32> = rustc_hash::FxHashMap::default();
        for (path, stat) in record.folders {
            let rel = below(root, &path)?;
            index.insert(rel.clone(), u32::try_from(dir.folders.len()).ok()?);
            dir.folders.push((Cow::Owned(rel), stat));
        }
        for (depth, folder, which, stat) in record.ignore_files {
            let at = if depth == 0 {
                0
            } else {
                *index.get(&below(root, &folder)?)?
            };
            dir.ignore_files.push((at, which, stat));
        }
        for (path, stat) in record.read_first_line {
            dir.first_lines
                .push((Cow::Owned(below(root, &path)?), stat));
        }
        for f in files {
            let rel = below(root, &f.fs_path)?;
            // A replay rebuilds the doc path from these bytes: make sure it
            // comes out the same.
            let again = doc_path(display, &relative(root, &join_bytes(root, &rel)?)?);
            if again != f.path {
                return None;
            }
            dir.specs.push(Cow::Owned(rel));
        }
        // Sorted for a compact, deterministic file; replays do not care.
        dir.ignore_files
            .sort_unstable_by_key(|&(at, which, _)| (at, which));
        dir.first_lines.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Some(RootEntry::Dir(dir))
    }
}

/// What a stat found: the kinds a replay tells apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Dir,
    File,
    Other,
}

/// Stats paths below a root through a descriptor of the root folder, so
/// that each lookup starts there instead of resolving the root again (the
/// lookups are most of a replay's time). Paths are the raw bytes of
/// [`DirRoot`]; the empty path is the root itself. Links are not followed.
#[cfg(target_os = "linux")]
struct Below {
    fd: std::os::fd::OwnedFd,
}

#[cfg(target_os = "linux")]
impl Below {
    fn open(root: &Path) -> Option<Below> {
        use std::os::unix::fs::OpenOptionsExt;
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC)
            .open(root)
            .ok()?;
        Some(Below { fd: file.into() })
    }

    /// `lstat` of `rel` below the root: the same [`FileStat`] as
    /// `FileStat::of(&symlink_metadata(root.join(rel)))`, built from the
    /// same `statx` fields the standard library reads. `buf` is scratch
    /// space for the NUL-terminated path, reused from call to call.
    fn stat(&self, rel: &[u8], buf: &mut Vec<u8>) -> Option<(FileStat, Kind)> {
        use std::os::fd::AsRawFd;
        if memchr::memchr(0, rel).is_some() {
            return None;
        }
        buf.clear();
        buf.extend_from_slice(rel);
        buf.push(0);
        // SAFETY: `buf` is `rel`, which holds no NUL (checked just above
        // with the SIMD search; `CStr::from_bytes_with_nul` scans again,
        // byte by byte), and one NUL after it.
        let path = unsafe { std::ffi::CStr::from_bytes_with_nul_unchecked(buf) };
        let flags = libc::AT_SYMLINK_NOFOLLOW
            | libc::AT_STATX_SYNC_AS_STAT
            | if rel.is_empty() {
                libc::AT_EMPTY_PATH
            } else {
                0
            };
        // SAFETY: `path` is NUL-terminated, `x` a valid out-buffer for the
        // one call, `fd` an open descriptor we own.
        let x = unsafe {
            let mut x: libc::statx = std::mem::zeroed();
            let r = libc::statx(
                self.fd.as_raw_fd(),
                path.as_ptr(),
                flags,
                libc::STATX_BASIC_STATS,
                &raw mut x,
            );
            if r != 0 || x.stx_mask & libc::STATX_BASIC_STATS != libc::STATX_BASIC_STATS {
                return None;
            }
            x
        };
        let ns = |t: libc::statx_timestamp| {
            t.tv_sec
                .checked_mul(1_000_000_000)
                .and_then(|s| s.checked_add(i64::from(t.tv_nsec)))
        };
        // As `FileStat::of`: an mtime before the epoch is unknown (it goes
        // through `SystemTime::duration_since`), a ctime is taken as is.
        let mtime = if x.stx_mtime.tv_sec >= 0 {
            ns(x.stx_mtime).unwrap_or(FileStat::UNKNOWN_TIME)
        } else {
            FileStat::UNKNOWN_TIME
        };
        let kind = match u32::from(x.stx_mode) & libc::S_IFMT {
            libc::S_IFDIR => Kind::Dir,
            libc::S_IFREG => Kind::File,
            _ => Kind::Other,
        };
        let stat = FileStat {
            size: x.stx_size,
            mtime,
            ctime: ns(x.stx_ctime).unwrap_or(FileStat::UNKNOWN_TIME),
            ino: x.stx_ino,
            dev: libc::makedev(x.stx_dev_major, x.stx_dev_minor),
        };
        Some((stat, kind))
    }
}

/// Elsewhere, paths below the root are stat'ed by path.
#[cfg(not(target_os = "linux"))]
struct Below {
    root: PathBuf,
}

#[cfg(not(target_os = "linux"))]
impl Below {
    #[allow(clippy::unnecessary_wraps)] // as the Linux one
    fn open(root: &Path) -> Option<Below> {
        Some(Below {
            root: root.to_path_buf(),
        })
    }

    fn stat(&self, rel: &[u8], _buf: &mut Vec<u8>) -> Option<(FileStat, Kind)> {
        let path = if rel.is_empty() {
            self.root.clone()
        } else {
            join_bytes(&self.root, rel)?
        };
        let m = std::fs::symlink_metadata(path).ok()?;
        let kind = if m.is_dir() {
            Kind::Dir
        } else if m.is_file() {
            Kind::File
        } else {
            Kind::Other
        };
        Some((FileStat::of(&m), kind))
    }
}

/// A recorded spec of a replayed root, as the walk would give it: `None`
/// when it is no longer a regular file (or its path cannot be made).
fn replayed_spec(
    below: &Below,
    root: &Path,
    display: Option<&str>,
    rel: &[u8],
    buf: &mut Vec<u8>,
) -> Option<SpecFile> {
    let (stat, kind) = below.stat(rel, buf)?;
    if kind != Kind::File {
        return None;
    }
    let fs_path = join_bytes(root, rel)?;
    // `relative(root, fs_path)` is `rel` itself when clean.
    let path = match clean_relative(rel) {
        Some(clean) => doc_path(display, clean),
        None => doc_path(display, &relative(root, &fs_path)?),
    };
    Some(SpecFile {
        path,
        fs_path,
        identity: Some((stat.dev, stat.ino)),
        stat: Some(stat),
    })
}

/// A decoded walk cache.
#[derive(Debug, PartialEq, Eq)]
struct Cache<'a> {
    /// When the recorded walk started (ns since the epoch).
    started: i64,
    key: Key<'a>,
    /// One entry per root (one for the default root).
    roots: Vec<RootEntry<'a>>,
}

impl<'a> Cache<'a> {
    /// Whether a stat can be trusted: both its times known and earlier than
    /// the recorded walk's start less [`RACY_NS`].
    fn trusts(&self, s: &FileStat) -> bool {
        let before = self.started.saturating_sub(RACY_NS);
        s.mtime != FileStat::UNKNOWN_TIME
            && s.ctime != FileStat::UNKNOWN_TIME
            && s.mtime < before
            && s.ctime < before
    }

    /// Whether every stat a replay compares is trusted (otherwise the
    /// cache would only be read to be rejected).
    fn trusted(&self) -> bool {
        self.roots.iter().all(|r| match r {
            RootEntry::File | RootEntry::Other => true,
            RootEntry::Dir(d) => {
                d.folders.iter().all(|(_, s)| self.trusts(s))
                    && d.ignore_files.iter().all(|(_, _, s)| self.trusts(s))
                    && d.first_lines.iter().all(|(_, s)| self.trusts(s))
            }
        })
    }

    /// The walk of `roots` from the cache, or `None` when anything it
    /// depends on is not as recorded (the caller then walks).
    fn replay(&self, roots: &[PathBuf]) -> Option<CachedWalk> {
        let mut files = Vec::new();
        let mut problems = Vec::new();
        let mut entries = self.roots.iter();
        let mut ok = true;
        let walked = for_each_root(roots, |root, display| {
            let entry = entries.next();
            if ok {
                ok = self.replay_root(root, display, entry, &mut files, &mut problems);
            }
            Ok(())
        });
        (walked.is_ok() && ok && entries.next().is_none()).then_some(CachedWalk {
            files,
            problems,
            reused: true,
            record: None,
        })
    }

    fn replay_root(
        &self,
        root: &Path,
        display: Option<&str>,
        entry: Option<&RootEntry>,
        files: &mut Vec<SpecFile>,
        problems: &mut Vec<Problem>,
    ) -> bool {
        let mut out = Output { files, problems };
        // An error (the root is gone, say) is the full walk's to report.
        let Ok(kind) = root_without_listing(root, display, &mut out) else {
            return false;
        };
        let (meta, dir) = match (kind, entry) {
            (Err(RootWalk::File), Some(RootEntry::File))
            | (Err(RootWalk::Other), Some(RootEntry::Other)) => return true,
            (Ok(meta), Some(RootEntry::Dir(dir))) => (meta, dir),
            _ => return false,
        };
        let Some((_, root_stat)) = dir.folders.first() else {
            return false;
        };
        // Everything below is stat'ed relative to this descriptor of the
        // root, checked to be the recorded root (not resolved again).
        let Some(below) = Below::open(root) else {
            return false;
        };
        let root_same = FileStat::of(&meta) == *root_stat
            && below
                .stat(b"", &mut Vec::new())
                .is_some_and(|(s, k)| k == Kind::Dir && s == *root_stat)
            && self.trusts(root_stat);
        if !root_same {
            return false;
        }
        // The listings' checks and the specs' stats at once (the specs'
        // are wasted only when the cache is rejected). The specs are
        // written straight into the list, in order; one that is not as
        // recorded leaves a placeholder and fails the replay.
        let failed = AtomicBool::new(false);
        let start = out.files.len();
        let files = &mut *out.files;
        let (listed_same, ()) = rayon::join(
            || self.listings_same(&below, dir),
            || {
                files.par_extend(dir.specs.par_iter().map_init(Vec::new, |buf, rel| {
                    replayed_spec(&below, root, display, rel, buf).unwrap_or_else(|| {
                        failed.store(true, Ordering::Relaxed);
                        SpecFile {
                            path: String::new(),
                            fs_path: PathBuf::new(),
                            identity: None,
                            stat: None,
                        }
                    })
                }));
            },
        );
        if !listed_same || failed.into_inner() {
            out.files.truncate(start);
            return false;
        }
        out.problems.extend(dir.problems.iter().cloned());
        true
    }

    /// Whether every folder below the root, ignore file and first line
    /// read of `dir` has its recorded, trusted stat (so every listing the
    /// walk would read, and every decision it would make from an ignore
    /// file or a first line, is as recorded).
    fn listings_same(&self, below: &Below, dir: &DirRoot<'_>) -> bool {
        let same = |buf: &mut Vec<u8>, rel: &[u8], want: &FileStat, kind: Kind| {
            below
                .stat(rel, buf)
                .is_some_and(|(s, k)| k == kind && s == *want && self.trusts(want))
        };
        dir.folders[1..]
            .par_iter()
            .map_init(Vec::new, |buf, (rel, stat)| same(buf, rel, stat, Kind::Dir))
            .all(|same| same)
            && dir.ignore_files.par_iter().all(|&(at, which, stat)| {
                let folder = dir.folders.get(at as usize);
                let name = IGNORE_FILES.get(usize::from(which));
                let (Some((rel, _)), Some(name)) = (folder, name) else {
                    return false;
                };
                let mut path = Vec::with_capacity(rel.len() + 1 + name.len());
                if !rel.is_empty() {
                    path.extend_from_slice(rel);
                    path.push(b'/');
                }
                path.extend_from_slice(name.as_bytes());
                same(&mut Vec::new(), &path, &stat, Kind::File)
            })
            && dir
                .first_lines
                .par_iter()
                .map_init(Vec::new, |buf, (rel, stat)| {
                    same(buf, rel, stat, Kind::File)
                })
                .all(|same| same)
    }

    fn encode(&self) -> Vec<u8> {
        let mut w = Writer(Vec::with_capacity(1 << 16));
        w.0.extend_from_slice(MAGIC);
        w.u32(VERSION);
        w.i64(self.started);
        let k = &self.key;
        w.u64(k.max_file_bytes);
        w.u8(u8::from(k.hidden));
        w.u8(u8::from(k.no_ignore));
        match &k.roots {
            None => w.u8(0),
            Some(roots) => {
                w.u8(1);
                w.len(roots.len());
                for r in roots {
                    w.bytes(r);
                }
            }
        }
        w.len(k.ids.len());
        for &id in &k.ids {
            w.u32(id);
        }
        w.len(self.roots.len());
        for r in &self.roots {
            match r {
                RootEntry::File => w.u8(1),
                RootEntry::Other => w.u8(2),
                RootEntry::Dir(d) => {
                    w.u8(0);
                    w.len(d.folders.len());
                    for (rel, s) in &d.folders {
                        w.bytes(rel);
                        w.stat(s);
                    }
                    w.len(d.ignore_files.len());
                    for (at, which, s) in &d.ignore_files {
                        w.u32(*at);
                        w.u8(*which);
                        w.stat(s);
                    }
                    w.len(d.first_lines.len());
                    for (rel, s) in &d.first_lines {
                        w.bytes(rel);
                        w.stat(s);
                    }
                    w.len(d.specs.len());
                    for rel in &d.specs {
                        w.bytes(rel);
                    }
                    w.len(d.problems.len());
                    for p in &d.problems {
                        w.bytes(p.path.as_bytes());
                        w.u32(p.line.map_or(0, |l| l.saturating_add(1)));
                        w.bytes(p.message.as_bytes());
                    }
                }
            }
        }
        let sum = xxhash_rust::xxh3::xxh3_64(&w.0);
        w.u64(sum);
        w.0
    }

    /// The cache in `bytes`, or `None` when they are not a whole, intact
    /// cache of this version.
    fn decode(bytes: &'a [u8]) -> Option<Cache<'a>> {
        let (body, sum) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
        if xxhash_rust::xxh3::xxh3_64(body).to_le_bytes() != sum {
            return None;
        }
        let mut r = Reader(body);
        if r.take(8)? != MAGIC || r.u32()? != VERSION {
            return None;
        }
        let started = r.i64()?;
        let max_file_bytes = r.u64()?;
        let hidden = r.flag()?;
        let no_ignore = r.flag()?;
        let roots = if r.flag()? {
            let n = r.len(4)?;
            let mut roots = Vec::with_capacity(n);
            for _ in 0..n {
                roots.push(Cow::Borrowed(r.bytes()?));
            }
            Some(roots)
        } else {
            None
        };
        let n = r.len(4)?;
        let ids = (0..n).map(|_| r.u32()).collect::<Option<Vec<u32>>>()?;
        let key = Key {
            max_file_bytes,
            hidden,
            no_ignore,
            roots,
            ids,
        };
        let n = r.len(1)?;
        let mut entries = Vec::with_capacity(n);
        for _ in 0..n {
            entries.push(match r.u8()? {
                0 => RootEntry::Dir(r.dir_root()?),
                1 => RootEntry::File,
                2 => RootEntry::Other,
                _ => return None,
            });
        }
        r.0.is_empty().then_some(Cache {
            started,
            key,
            roots: entries,
        })
    }
}

/// Little-endian encoding, lengths as `u32`.
struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn len(&mut self, n: usize) {
        // Counts and lengths in a walk are far below 4 Gi; a larger one
        // would be saturated, and the file then rejected by its decoder
        // (the trailing bytes do not parse), never misread.
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }
    fn bytes(&mut self, b: &[u8]) {
        self.len(b.len());
        self.0.extend_from_slice(b);
    }
    fn stat(&mut self, s: &FileStat) {
        self.u64(s.size);
        self.i64(s.mtime);
        self.i64(s.ctime);
        self.u64(s.ino);
        self.u64(s.dev);
    }
}

/// Bounds-checked reading of what [`Writer`] wrote: `None` past the end.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }
    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.array::<1>()?[0])
    }
    fn flag(&mut self) -> Option<bool> {
        match self.u8()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
    fn u32(&mut self) -> Option<u32> {
        self.array().map(u32::from_le_bytes)
    }
    fn u64(&mut self) -> Option<u64> {
        self.array().map(u64::from_le_bytes)
    }
    fn i64(&mut self) -> Option<i64> {
        self.array().map(i64::from_le_bytes)
    }
    /// A count of items of at least `min_size` bytes each: never more than
    /// the bytes left allow, so a corrupt count cannot allocate much.
    fn len(&mut self, min_size: usize) -> Option<usize> {
        let n = usize::try_from(self.u32()?).ok()?;
        (n.checked_mul(min_size)? <= self.0.len()).then_some(n)
    }
    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.len(1)?;
        self.take(n)
    }
    fn string(&mut self) -> Option<String> {
        std::str::from_utf8(self.bytes()?).ok().map(str::to_owned)
    }
    fn stat(&mut self) -> Option<FileStat> {
        Some(FileStat {
            size: self.u64()?,
            mtime: self.i64()?,
            ctime: self.i64()?,
            ino: self.u64()?,
            dev: self.u64()?,
        })
    }
    fn dir_root(&mut self) -> Option<DirRoot<'a>> {
        const STAT: usize = 40;
        let mut d = DirRoot::default();
        let n = self.len(4 + STAT)?;
        for _ in 0..n {
            d.folders.push((Cow::Borrowed(self.bytes()?), self.stat()?));
        }
        let n = self.len(5 + STAT)?;
        for _ in 0..n {
            d.ignore_files.push((self.u32()?, self.u8()?, self.stat()?));
        }
        let n = self.len(4 + STAT)?;
        for _ in 0..n {
            d.first_lines
                .push((Cow::Borrowed(self.bytes()?), self.stat()?));
        }
        let n = self.len(4)?;
        for _ in 0..n {
            d.specs.push(Cow::Borrowed(self.bytes()?));
        }
        let n = self.len(12)?;
        for _ in 0..n {
            let path = self.string()?;
            let line = self.u32()?.checked_sub(1);
            let message = self.string()?;
            d.problems.push(Problem {
                path,
                line,
                message,
            });
        }
        Some(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> Cache<'static> {
        let stat = |n: i64| FileStat {
            size: n.unsigned_abs(),
            mtime: 1_000 + n,
            ctime: 2_000 + n,
            ino: 77 + n.unsigned_abs(),
            dev: 3,
        };
        Cache {
            started: 10_000_000_000,
            key: Key {
                max_file_bytes: 1 << 20,
                hidden: false,
                no_ignore: true,
                roots: Some(vec![
                    Cow::Borrowed(b"a"),
                    Cow::Borrowed(b"b/"),
                    Cow::Borrowed(b"c.md"),
                ]),
                ids: vec![0, 0, 4],
            },
            roots: vec![
                RootEntry::Dir(DirRoot {
                    folders: vec![
                        (Cow::Borrowed(b""), stat(1)),
                        (Cow::Borrowed(b"x"), stat(2)),
                    ],
                    ignore_files: vec![(1, 2, stat(3))],
                    first_lines: vec![(Cow::Borrowed(b"x/agent"), stat(4))],
                    specs: vec![Cow::Borrowed(b"x/agent"), Cow::Borrowed(b"x/y.md")],
                    problems: vec![Problem {
                        path: "a/link.md".to_owned(),
                        line: None,
                        message: "symbolic link: not followed".to_owned(),
                    }],
                }),
                RootEntry::Dir(DirRoot::default()),
                RootEntry::File,
            ],
        }
    }

    #[test]
    fn round_trip() {
        let c = sample();
        assert_eq!(Cache::decode(&c.encode()), Some(c));
    }

    #[test]
    fn trusted_only_before_the_racy_window() {
        let c = sample();
        assert!(c.trusted());
        let mut s = FileStat {
            mtime: c.started - RACY_NS - 1,
            ctime: c.started - RACY_NS - 1,
            ..FileStat::default()
        };
        assert!(c.trusts(&s));
        s.ctime = c.started - RACY_NS;
        assert!(!c.trusts(&s));
        s.ctime = 0;
        s.mtime = c.started + 5;
        assert!(!c.trusts(&s));
        s.mtime = FileStat::UNKNOWN_TIME;
        assert!(!c.trusts(&s));
    }

    proptest! {
        /// Any truncation or flipped byte is rejected, never a panic.
        #[test]
        fn damage_is_rejected(at in any::<prop::sample::Index>(), bit in 0u8..8, cut in any::<bool>()) {
            let bytes = sample().encode();
            let i = at.index(bytes.len());
            let damaged = if cut {
                bytes[..i].to_vec()
            } else {
                let mut b = bytes.clone();
                b[i] ^= 1 << bit;
                b
            };
            prop_assert!(Cache::decode(&damaged).is_none());
        }

        /// Arbitrary bytes, with a valid checksum or not, never panic.
        #[test]
        fn garbage_never_panics(mut body in prop::collection::vec(any::<u8>(), 0..300), magic in any::<bool>()) {
            if magic {
                let mut b = MAGIC.to_vec();
                b.extend_from_slice(&VERSION.to_le_bytes());
                b.append(&mut body);
                body = b;
            }
            let sum = xxhash_rust::xxh3::xxh3_64(&body);
            body.extend_from_slice(&sum.to_le_bytes());
            let _ = Cache::decode(&body);
        }
    }
}
