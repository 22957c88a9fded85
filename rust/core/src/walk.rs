//! The walk (SPEC.md §1): which files are specs, in doc-id order.
//!
//! Directory roots are walked with the `ignore` crate: `.specsearchignore`,
//! `.ignore` and `.gitignore` files inside the tree are honoured, strongest
//! first (nothing above the root, no git excludes), hidden entries are
//! skipped unless an ignore file re-includes them, links are not followed,
//! and only regular files are kept (links, FIFOs and devices are reported as
//! problems). A file root is always a spec. Each
//! directory root's files are sorted by the UTF-8 bytes of their
//! `/`-separated relative path, and the problems met inside it by path, so
//! the parallel walk gives the same output every time.
//!
//! The crate's walker lists the tree, but the ignore files are read here,
//! with [`open_regular`] and caps, and matched with the crate's `Gitignore`
//! in the crate's precedence: a FIFO, a link to `/dev/zero` or a huge file
//! named `.gitignore` is reported instead of hanging or exhausting memory.
//! Every file the engine reads (ignore files, specs, snippets) is opened
//! with [`open_regular`].
//!
//! Layering: the first step; it reads only `error` and `problem`.

use std::fs::{File, Metadata, OpenOptions};
use std::io::{ErrorKind, Read};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::{WalkBuilder, WalkState};
use rustc_hash::FxHashMap;

use crate::error::{Error, Result};
use crate::problem::Problem;

mod cache;

pub use cache::{collect_cached, collect_cached_as_of, CachedWalk, WALK_CACHE_FILE};

/// specsearch's own ignore file (gitignore syntax), stronger than `.ignore`
/// and `.gitignore`, as `.rgignore` is for ripgrep.
pub const CUSTOM_IGNORE_FILENAME: &str = ".specsearchignore";

/// An ignore file's lines beyond this many are not used (and reported).
pub const MAX_IGNORE_LINES: usize = 10_000;

/// The ignore files of a folder, strongest category first.
const IGNORE_FILES: [&str; 3] = [CUSTOM_IGNORE_FILENAME, ".ignore", ".gitignore"];

/// The problem of a link met (and not followed) by the walk.
const SYMLINK: &str = "symbolic link: not followed";
/// The problem of a FIFO, socket or device met by the walk.
const NOT_REGULAR: &str = "not a regular file: skipped";

/// One spec file found by the walk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecFile {
    /// The doc path (§1): the root joined with the relative path by `/`,
    /// or the relative path alone under the default root.
    pub path: String,
    /// The path to open.
    pub fs_path: PathBuf,
    /// `(device, inode)` as the walk saw the file (None for a file root):
    /// reading it checks that it is still the same file.
    pub identity: Option<(u64, u64)>,
    /// The file's stat as the walk saw it (`lstat` of a regular file, so
    /// the same as `stat`; `stat` of a file root), `None` when it failed.
    pub stat: Option<FileStat>,
}

/// What a freshness check compares of a file (SPEC.md §10): size, mtime,
/// ctime (nanoseconds since the epoch) and `(device, inode)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct FileStat {
    /// Size in bytes.
    pub size: u64,
    /// Last modification, ns since the epoch ([`FileStat::UNKNOWN_TIME`] when unknown).
    pub mtime: i64,
    /// Last status change, ns since the epoch ([`FileStat::UNKNOWN_TIME`] when unknown).
    pub ctime: i64,
    /// The inode number (0 where the platform has none).
    pub ino: u64,
    /// The device number (0 where the platform has none).
    pub dev: u64,
}

impl FileStat {
    /// A time that could not be read: such a stat is never trusted.
    pub const UNKNOWN_TIME: i64 = i64::MIN;

    /// The stat of `meta`.
    #[must_use]
    pub fn of(meta: &Metadata) -> FileStat {
        let (dev, ino) = file_identity(meta);
        #[cfg(unix)]
        let ctime = {
            use std::os::unix::fs::MetadataExt;
            meta.ctime()
                .checked_mul(1_000_000_000)
                .and_then(|s| s.checked_add(meta.ctime_nsec()))
                .unwrap_or(Self::UNKNOWN_TIME)
        };
        #[cfg(not(unix))]
        let ctime = Self::UNKNOWN_TIME;
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .and_then(|d| i64::try_from(d.as_nanos()).ok())
            .unwrap_or(Self::UNKNOWN_TIME);
        FileStat {
            size: meta.len(),
            mtime,
            ctime,
            ino,
            dev,
        }
    }

    /// The stat of `path`, following links as reading does.
    #[must_use]
    pub fn of_path(path: &Path) -> Option<FileStat> {
        std::fs::metadata(path).ok().map(|m| Self::of(&m))
    }
}

/// Why [`open_regular`] did not open a file.
#[derive(Debug)]
pub enum OpenError {
    /// A symbolic link (not followed).
    Link,
    /// A FIFO, socket, device or folder.
    NotRegular,
    /// Not the `(device, inode)` the walk saw: replaced since.
    Replaced,
    /// Larger than the cap (the file's size).
    TooLarge(u64),
    /// The open or `fstat` failed.
    Io(std::io::Error),
}

impl OpenError {
    /// A short phrase for a problem message (`symbolic link`, ...); `max` is
    /// the cap a [`OpenError::TooLarge`] file was over.
    #[must_use]
    pub fn reason(&self, max: u64) -> String {
        match self {
            OpenError::Link => "symbolic link".to_owned(),
            OpenError::NotRegular => "not a regular file".to_owned(),
            OpenError::Replaced => "replaced while being indexed".to_owned(),
            OpenError::TooLarge(_) => format!("file is larger than {max} bytes"),
            OpenError::Io(e) => format!("cannot read: {e}"),
        }
    }
}

/// Opens `path` to read it, only if it is a regular file, not through a link.
///
/// A symbolic link as the last component is not followed (`O_NOFOLLOW`) and
/// a FIFO does not block the open (`O_NONBLOCK`); `fstat` of the opened file
/// then decides: it must be a regular file, of at most `max_bytes` bytes,
/// and, when `identity` is given, the `(device, inode)` the walk saw.
///
/// # Errors
/// An [`OpenError`] saying which check failed, or the I/O error.
pub fn open_regular(
    path: &Path,
    max_bytes: Option<u64>,
    identity: Option<(u64, u64)>,
) -> std::result::Result<(File, Metadata), OpenError> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = match options.open(path) {
        Ok(file) => file,
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Err(OpenError::Link),
        Err(e) => return Err(OpenError::Io(e)),
    };
    let meta = file.metadata().map_err(OpenError::Io)?;
    if !meta.is_file() {
        return Err(OpenError::NotRegular);
    }
    if identity.is_some_and(|id| id != file_identity(&meta)) {
        return Err(OpenError::Replaced);
    }
    if max_bytes.is_some_and(|max| meta.len() > max) {
        return Err(OpenError::TooLarge(meta.len()));
    }
    Ok((file, meta))
}

/// `(device, inode)` of a file (zeros where the platform has none).
#[must_use]
pub fn file_identity(meta: &Metadata) -> (u64, u64) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        (meta.dev(), meta.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        (0, 0)
    }
}

/// Whether a file name has a spec extension (`.md`, `.markdown`, `.mdx`,
/// ASCII case-insensitively).
#[must_use]
pub fn has_spec_extension(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".md", ".markdown", ".mdx"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// Whether the first line of `bytes` (decoded as in §2, BOM removed, `\r`
/// removed) stripped of spaces and tabs is `---`. `bytes` may be a prefix
/// of the file; `None` means the prefix is too short to tell.
fn first_line_is_fence(bytes: &[u8]) -> Option<bool> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let (line, complete) = match bytes.iter().position(|&b| b == b'\n') {
        Some(i) => (&bytes[..i], true),
        None => (bytes, false),
    };
    // Only spaces, tabs, dashes and a final `\r` can make `---`.
    if line
        .iter()
        .any(|b| !matches!(b, b' ' | b'\t' | b'-' | b'\r'))
    {
        return Some(false);
    }
    if !complete {
        return None;
    }
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let trimmed: Vec<u8> = line
        .iter()
        .copied()
        .skip_while(|b| matches!(b, b' ' | b'\t'))
        .collect();
    let end = trimmed
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t'))
        .map_or(0, |i| i + 1);
    Some(&trimmed[..end] == b"---")
}

/// Reads as much of the first line of `path` as needed (at most `max`
/// bytes) to tell whether it is `---`.
///
/// # Errors
/// The I/O error of opening or reading the file.
pub fn starts_with_fence_line(path: &Path, max: u64) -> std::io::Result<bool> {
    let mut file = match open_regular(path, None, None) {
        Ok((file, _)) => file,
        Err(OpenError::Io(e)) => return Err(e),
        Err(_) => return Ok(false),
    };
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        let n = match file.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        buf.extend_from_slice(&chunk[..n]);
        if n == 0 || buf.len() as u64 >= max {
            // At the end of the file (or of what may be read), the partial
            // line is the first line.
            let mut complete = buf;
            complete.push(b'\n');
            return Ok(first_line_is_fence(&complete).unwrap_or(false));
        }
        if let Some(answer) = first_line_is_fence(&buf) {
            return Ok(answer);
        }
    }
}

/// `rel` as a `/`-separated string.
fn slash_path(rel: &Path) -> String {
    let mut out = String::new();
    for c in rel.components() {
        if let Component::Normal(part) = c {
            if !out.is_empty() {
                out.push('/');
            }
            out.push_str(&part.to_string_lossy());
        }
    }
    out
}

/// `path` (below `root`, as the walker joins it) relative to `root` as a
/// `/`-separated string: the bytes after `root` when they are clean UTF-8
/// (the walker appends plain names), else [`slash_path`] of the stripped path.
fn relative(root: &Path, path: &Path) -> Option<String> {
    let bytes = path.as_os_str().as_encoded_bytes();
    let fast = bytes
        .strip_prefix(root.as_os_str().as_encoded_bytes())
        .and_then(|rest| {
            if root.as_os_str().as_encoded_bytes().ends_with(b"/") {
                Some(rest)
            } else {
                rest.strip_prefix(b"/")
            }
        })
        .and_then(clean_relative);
    match fast {
        Some(rel) => Some(rel.to_owned()),
        None => path.strip_prefix(root).ok().map(slash_path),
    }
}

/// The bytes of a path below a root as the relative path string, when
/// [`relative`] would give them unchanged: clean UTF-8 names joined by
/// single `/`s, without `.` or `..`.
fn clean_relative(rest: &[u8]) -> Option<&str> {
    if clean_components(rest) {
        std::str::from_utf8(rest).ok()
    } else {
        None
    }
}

/// Whether `b` is names joined by single `/`s, none of them `.` or `..`:
/// no empty name, so no leading, trailing or doubled `/` (one pass: the
/// freshness check asks this of every spec's path).
pub(crate) fn clean_components(b: &[u8]) -> bool {
    let name_ok = |c: &[u8]| !c.is_empty() && c != b"." && c != b"..";
    let mut start = 0;
    for slash in memchr::memchr_iter(b'/', b) {
        if !name_ok(&b[start..slash]) {
            return false;
        }
        start = slash + 1;
    }
    name_ok(&b[start..])
}

/// The path an `ignore` error is about, and its line in an ignore file.
fn error_location(err: &ignore::Error) -> (Option<&Path>, Option<u64>) {
    match err {
        ignore::Error::WithPath { path, err } => {
            let (_, line) = error_location(err);
            (Some(path), line)
        }
        ignore::Error::WithDepth { err, .. } => error_location(err),
        ignore::Error::WithLineNumber { line, err } => {
            let (path, _) = error_location(err);
            (path, Some(*line))
        }
        ignore::Error::Loop { child, .. } => (Some(child), None),
        ignore::Error::Partial(errs) => errs.first().map_or((None, None), error_location),
        _ => (None, None),
    }
}

/// The OS error of an `ignore` error, worded as the python engine words it
/// (`Permission denied (os error 13)`: the error alone, its path is the problem's).
fn os_reason(err: &ignore::Error) -> String {
    err.io_error()
        .map_or_else(|| err.to_string(), ToString::to_string)
}

/// Locks `m`; a panic on another walker thread cannot leave a `Vec` half-pushed,
/// so a poisoned lock is still consistent.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The ignore files of one folder and of every folder above it (up to the
/// root): a persistent stack shared by the folders below.
struct Rules {
    /// This folder's matchers, in [`IGNORE_FILES`] order.
    own: [Option<Gitignore>; 3],
    parent: Option<Arc<Rules>>,
}

impl Rules {
    /// Whether an entry is skipped, as the crate's `Ignore::matched_dir_entry`
    /// decides: per category (strongest first), the deepest folder whose file
    /// has a matching pattern answers (ignore, or `!` whitelist); with no
    /// answer, hidden entries are skipped.
    fn ignored(&self, path: &Path, is_dir: bool, hidden: bool) -> bool {
        for category in 0..IGNORE_FILES.len() {
            let mut level = Some(self);
            while let Some(rules) = level {
                if let Some(gi) = &rules.own[category] {
                    let found = gi.matched(path, is_dir);
                    if found.is_ignore() {
                        return true;
                    }
                    if found.is_whitelist() {
                        return false;
                    }
                }
                level = rules.parent.as_deref();
            }
        }
        hidden
    }
}

/// A problem met while reading an ignore file: its path, line, message.
type IgnoreProblem = (PathBuf, Option<u32>, String);

/// What reading an ignore file found, for the walk cache: no file, a
/// regular file with this stat (as opened), or anything else (the cache
/// is then not written).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum IgnoreFileSeen {
    Absent,
    Read(FileStat),
    Other,
}

/// Reads the ignore file `path` of folder `dir` (if there is one) into a
/// matcher, as the crate would, but with [`open_regular`] and caps; `seen`
/// says what was there.
fn read_ignore_file(
    dir: &Path,
    path: &Path,
    max_bytes: u64,
    problems: &mut Vec<IgnoreProblem>,
    seen: &mut IgnoreFileSeen,
) -> Option<Gitignore> {
    let refused = |why: &str| format!("ignore file not read: {why}");
    *seen = IgnoreFileSeen::Other;
    let mut file = match open_regular(path, Some(max_bytes), None) {
        Ok((file, meta)) => {
            *seen = IgnoreFileSeen::Read(FileStat::of(&meta));
            file
        }
        Err(OpenError::Io(e)) => {
            if e.kind() == ErrorKind::NotFound {
                *seen = IgnoreFileSeen::Absent;
            } else if listed(dir, path) {
                // Unreadable: no patterns, and said, or the files it would
                // ignore are indexed without a word.
                problems.push((path.to_path_buf(), None, refused(&e.to_string())));
            }
            return None;
        }
        Err(e) => {
            problems.push((path.to_path_buf(), None, refused(&e.reason(max_bytes))));
            return None;
        }
    };
    let mut data = Vec::new();
    if let Err(e) = file
        .by_ref()
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut data)
    {
        *seen = IgnoreFileSeen::Other;
        problems.push((path.to_path_buf(), None, refused(&e.to_string())));
        return None;
    }
    if data.len() as u64 > max_bytes {
        let why = format!("file is larger than {max_bytes} bytes");
        problems.push((path.to_path_buf(), None, refused(&why)));
        return None;
    }
    let mut builder = GitignoreBuilder::new(dir);
    let mut lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    if data.ends_with(b"\n") {
        lines.pop();
    }
    for (number, raw) in lines.iter().enumerate() {
        if number == MAX_IGNORE_LINES {
            let message = format!(
                "ignore file has more than {MAX_IGNORE_LINES} lines: the rest are not used"
            );
            problems.push((path.to_path_buf(), u32::try_from(number + 1).ok(), message));
            break;
        }
        // As `BufRead::lines`: a line feed and one CR before it end a line;
        // a line that is not UTF-8 is skipped; the first loses its BOMs.
        let raw = if number + 1 < lines.len() || data.ends_with(b"\n") {
            raw.strip_suffix(b"\r").unwrap_or(raw)
        } else {
            raw
        };
        let Ok(line) = std::str::from_utf8(raw) else {
            continue;
        };
        let line = if number == 0 {
            line.trim_start_matches('\u{feff}')
        } else {
            line
        };
        // An invalid pattern is dropped on its own, as the crate does.
        let _ = builder.add_line(Some(path.to_path_buf()), line);
    }
    builder.build().ok()
}

/// Whether the listing of `dir` holds the name of `path`. Only asked when
/// opening `path` failed: a folder that can be listed but not searched
/// refuses even the ignore files it does not have, and the python engine
/// tries only the names it listed.
fn listed(dir: &Path, path: &Path) -> bool {
    let Some(name) = path.file_name() else {
        return false;
    };
    std::fs::read_dir(dir).is_ok_and(|entries| entries.flatten().any(|e| e.file_name() == name))
}

/// The shared state of one directory root's walk: ignore rules per folder.
struct IgnoreState {
    max_bytes: u64,
    options: WalkOptions,
    /// The rules of each folder whose entries were looked at, by the bytes
    /// of its path (hashing a `Path` parses its components: this lookup
    /// runs for every entry).
    rules: Mutex<FxHashMap<Vec<u8>, Arc<Rules>>>,
    problems: Mutex<Vec<IgnoreProblem>>,
    /// What the walk cache needs, when the walk is recorded.
    record: Option<Mutex<Record>>,
}

/// What a recorded walk of one directory root notes for the walk cache
/// (`cache`): the folders it entered and the files whose content decided
/// something, each with its stat, by path as the walker built it.
#[derive(Default)]
struct Record {
    /// Each folder entered below the root, with its `lstat`.
    folders: Vec<(PathBuf, FileStat)>,
    /// Each ignore file read: its folder's depth below the root (0: the
    /// root), the folder, its index in [`IGNORE_FILES`], its stat.
    ignore_files: Vec<(usize, PathBuf, u8, FileStat)>,
    /// Each extension-less file whose first line was read, with its stat.
    read_first_line: Vec<(PathBuf, FileStat)>,
    /// Set when the walk met something its folders' listings, the ignore
    /// files and those first lines do not determine (an I/O error, say):
    /// such a walk is not cached.
    uncacheable: bool,
}

impl IgnoreState {
    /// The rules in force in folder `dir`, at `depth` below the root.
    fn rules_for(&self, dir: &Path, depth: usize) -> Arc<Rules> {
        let mut cache = lock(&self.rules);
        self.rules_in(&mut cache, dir, depth)
    }

    fn rules_in(
        &self,
        cache: &mut FxHashMap<Vec<u8>, Arc<Rules>>,
        dir: &Path,
        depth: usize,
    ) -> Arc<Rules> {
        if let Some(found) = cache.get(dir.as_os_str().as_encoded_bytes()) {
            return Arc::clone(found);
        }
        let parent = match (depth, dir.parent()) {
            (1.., Some(up)) => Some(self.rules_in(cache, up, depth - 1)),
            _ => None,
        };
        let mut met = Vec::new();
        let mut seen = [IgnoreFileSeen::Absent; 3];
        // With `no_ignore`, no ignore file is read: every matcher is `None`.
        let mut i = 0;
        let own = IGNORE_FILES.map(|name| {
            let found = if self.options.no_ignore {
                None
            } else {
                read_ignore_file(dir, &dir.join(name), self.max_bytes, &mut met, &mut seen[i])
            };
            i += 1;
            found
        });
        if !met.is_empty() {
            lock(&self.problems).extend(met);
        }
        if let Some(record) = &self.record {
            let mut record = lock(record);
            for (k, s) in seen.into_iter().enumerate() {
                match s {
                    IgnoreFileSeen::Absent => {}
                    IgnoreFileSeen::Read(stat) => {
                        // k < 3: it indexes `IGNORE_FILES`.
                        record
                            .ignore_files
                            .push((depth, dir.to_path_buf(), k as u8, stat));
                    }
                    IgnoreFileSeen::Other => record.uncacheable = true,
                }
            }
        }
        let rules = Arc::new(Rules { own, parent });
        cache.insert(
            dir.as_os_str().as_encoded_bytes().to_vec(),
            Arc::clone(&rules),
        );
        rules
    }

    /// Whether the walk skips `entry` (never the root).
    fn skips(&self, entry: &ignore::DirEntry) -> bool {
        let depth = entry.depth();
        let (Some(dir), 1..) = (entry.path().parent(), depth) else {
            return false;
        };
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        // With `hidden`, a hidden entry is not skipped for being hidden.
        let hidden = !self.options.hidden && entry.file_name().as_encoded_bytes().starts_with(b".");
        self.rules_for(dir, depth - 1)
            .ignored(entry.path(), is_dir, hidden)
    }
}

/// What the walk makes of one entry below the root that is not ignored.
enum Seen {
    /// A spec, with its stat.
    Spec(FileStat),
    /// Not read, for this reason.
    Problem(String),
    /// A folder, or a file that is not a spec.
    Nothing,
}

/// What the walk makes of `entry`; `read_first_line` is set to the file's
/// stat when its first line was read to decide.
fn look_at(
    entry: &ignore::DirEntry,
    max_file_bytes: u64,
    read_first_line: &mut Option<FileStat>,
) -> Seen {
    let Some(file_type) = entry.file_type() else {
        return Seen::Nothing;
    };
    if file_type.is_dir() {
        return Seen::Nothing;
    }
    if !file_type.is_file() {
        // A link (never followed), FIFO, socket or device: said, not read.
        let what = if file_type.is_symlink() {
            SYMLINK
        } else {
            NOT_REGULAR
        };
        return Seen::Problem(what.to_owned());
    }
    let stat = match entry.metadata() {
        Ok(meta) => FileStat::of(&meta),
        Err(e) => return Seen::Problem(format!("cannot stat: {}", os_reason(&e))),
    };
    let name = entry.file_name().to_string_lossy();
    let is_spec = if has_spec_extension(&name) {
        true
    } else if name.contains('.') {
        false
    } else {
        *read_first_line = Some(stat);
        match starts_with_fence_line(entry.path(), max_file_bytes) {
            Ok(yes) => yes,
            Err(e) => return Seen::Problem(format!("cannot read: {e}")),
        }
    };
    if is_spec {
        Seen::Spec(stat)
    } else {
        Seen::Nothing
    }
}

/// How a directory root is walked, as ripgrep's `--hidden` and `--no-ignore`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WalkOptions {
    /// Walk hidden files and folders too (names starting with `.`).
    pub hidden: bool,
    /// Read no ignore file (`.specsearchignore`, `.ignore`, `.gitignore`).
    pub no_ignore: bool,
}

/// Finds the spec files under `roots` (the current directory when empty),
/// in doc-id order, and the problems met on the way, with the default
/// [`WalkOptions`]. `max_file_bytes` bounds how much of an extension-less
/// file is read to check its first line, and the size of an ignore file.
///
/// # Errors
/// [`Error::Io`] when a root does not exist (kind `NotFound`) or cannot be
/// inspected. Anything wrong inside a directory is a problem instead.
pub fn collect(roots: &[PathBuf], max_file_bytes: u64) -> Result<(Vec<SpecFile>, Vec<Problem>)> {
    collect_with(roots, max_file_bytes, WalkOptions::default())
}

/// [`collect`] with the given [`WalkOptions`].
///
/// # Errors
/// As [`collect`].
pub fn collect_with(
    roots: &[PathBuf],
    max_file_bytes: u64,
    options: WalkOptions,
) -> Result<(Vec<SpecFile>, Vec<Problem>)> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for_each_root(roots, |root, display| {
        let at = Output {
            files: &mut files,
            problems: &mut problems,
        };
        collect_root(root, display, max_file_bytes, options, at, false).map(|_| ())
    })?;
    Ok((files, problems))
}

/// Calls `f(root, display)` for each root in order: `(".", None)` when there
/// is none (its paths have no prefix), else each root with its display form.
fn for_each_root(
    roots: &[PathBuf],
    mut f: impl FnMut(&Path, Option<&str>) -> Result<()>,
) -> Result<()> {
    if roots.is_empty() {
        return f(Path::new("."), None);
    }
    for root in roots {
        let display = root.to_string_lossy();
        f(root, Some(&display))?;
    }
    Ok(())
}

/// Where a walk appends its spec files and problems.
struct Output<'a> {
    files: &'a mut Vec<SpecFile>,
    problems: &'a mut Vec<Problem>,
}

/// What a root turned out to be; for a folder, its stat (followed, as the
/// walk opens it) and, when the walk was recorded, what was noted.
enum RootWalk {
    File,
    Other,
    Dir {
        stat: FileStat,
        record: Option<Record>,
    },
}

/// The part of a root's walk that needs no listing: a file root is a spec
/// and a root that is neither file nor folder a problem (both are output
/// here); a folder root gives its metadata back.
fn root_without_listing(
    root: &Path,
    display: Option<&str>,
    out: &mut Output<'_>,
) -> Result<std::result::Result<Metadata, RootWalk>> {
    let meta = std::fs::metadata(root).map_err(|source| Error::Io {
        path: root.to_path_buf(),
        source,
    })?;
    let root_display = display.unwrap_or(".");
    if meta.is_file() {
        out.files.push(SpecFile {
            path: root_display.to_owned(),
            fs_path: root.to_path_buf(),
            identity: None,
            stat: Some(FileStat::of(&meta)),
        });
        return Ok(Err(RootWalk::File));
    }
    if !meta.is_dir() {
        out.problems.push(Problem::file(
            root_display,
            "not a regular file or directory",
        ));
        return Ok(Err(RootWalk::Other));
    }
    Ok(Ok(meta))
}

/// The doc path of `rel` under a root shown as `display` (§1).
fn doc_path(display: Option<&str>, rel: &str) -> String {
    let Some(d) = display else {
        return rel.to_owned();
    };
    let mut path = String::with_capacity(d.len() + 1 + rel.len());
    path.push_str(d);
    if !(d.is_empty() || d.ends_with('/')) {
        path.push('/');
    }
    path.push_str(rel);
    path
}

/// Walks one root. `display` is `None` for the default root, whose paths
/// have no prefix. With `record`, what the walk cache needs is noted too.
#[allow(clippy::too_many_lines)] // one walk: its visitor and filter closures share the state
fn collect_root(
    root: &Path,
    display: Option<&str>,
    max_file_bytes: u64,
    options: WalkOptions,
    mut out: Output<'_>,
    record: bool,
) -> Result<RootWalk> {
    let meta = match root_without_listing(root, display, &mut out)? {
        Ok(meta) => meta,
        Err(not_a_folder) => return Ok(not_a_folder),
    };
    let root_display = display.unwrap_or(".");
    let join = |rel: &str| doc_path(display, rel);
    let shown = |path: &Path| -> String {
        path.strip_prefix(root)
            .map_or_else(|_| root_display.to_owned(), |rel| join(&slash_path(rel)))
    };

    // Both cores walk: directory reads, ignore-file parsing and the first-line
    // checks run in parallel; the results are sorted afterwards, so the
    // output does not depend on the order the threads finish in.
    let state = Arc::new(IgnoreState {
        max_bytes: max_file_bytes,
        options,
        rules: Mutex::new(FxHashMap::default()),
        problems: Mutex::new(Vec::new()),
        record: record.then(|| Mutex::new(Record::default())),
    });
    // Relative paths until sorted.
    let found: Mutex<Vec<SpecFile>> = Mutex::new(Vec::new());
    let met: Mutex<Vec<Problem>> = Mutex::new(Vec::new());
    let visit = |result: std::result::Result<ignore::DirEntry, ignore::Error>| {
        let entry = match result {
            Ok(entry) => entry,
            Err(err) => {
                if let Some(r) = &state.record {
                    lock(r).uncacheable = true;
                }
                let (path, line) = error_location(&err);
                // Without links followed, the walker's errors are folders it
                // could not list.
                let message = match err.io_error() {
                    Some(io) => format!("cannot read directory: {io}"),
                    None => err.to_string(),
                };
                lock(&met).push(Problem {
                    path: path.map_or_else(|| root_display.to_owned(), shown),
                    line: line.and_then(|l| u32::try_from(l).ok()),
                    message,
                });
                return;
            }
        };
        if entry.depth() == 0 {
            return;
        }
        let mut read_first_line = None;
        let seen = look_at(&entry, max_file_bytes, &mut read_first_line);
        if let Some(r) = &state.record {
            note(r, &entry, &seen, read_first_line);
        }
        if matches!(seen, Seen::Nothing) {
            return;
        }
        let Some(rel) = relative(root, entry.path()) else {
            return;
        };
        match seen {
            Seen::Nothing => {}
            Seen::Problem(message) => lock(&met).push(Problem::file(&join(&rel), message)),
            Seen::Spec(stat) => lock(&found).push(found_spec(rel, entry, stat)),
        }
    };
    let filter = Arc::clone(&state);
    // The crate's own ignore-file reading is off: `IgnoreState` reads them.
    WalkBuilder::new(root)
        .standard_filters(false)
        .parents(false)
        .follow_links(false)
        .filter_entry(move |entry| !filter.skips(entry))
        .build_parallel()
        .run(|| {
            Box::new(|result| {
                visit(result);
                WalkState::Continue
            })
        });
    let mut found = found.into_inner().unwrap_or_else(PoisonError::into_inner);
    let mut met = met.into_inner().unwrap_or_else(PoisonError::into_inner);
    let ignore_problems = std::mem::take(&mut *lock(&state.problems));
    let record = state.record.as_ref().map(|r| {
        let mut r = std::mem::take(&mut *lock(r));
        // A refused ignore file depends on more than its stat.
        r.uncacheable |= !ignore_problems.is_empty();
        r
    });
    met.extend(
        ignore_problems
            .into_iter()
            .map(|(path, line, message)| Problem {
                path: shown(&path),
                line,
                message,
            }),
    );
    // Problems in path order (stable, so one path's problems keep their order).
    met.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    out.problems.extend(met);
    found.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    out.files.extend(found.into_iter().map(|f| SpecFile {
        path: join(&f.path),
        ..f
    }));
    Ok(RootWalk::Dir {
        stat: FileStat::of(&meta),
        record,
    })
}

/// Notes in `record` what the walk cache needs of a visited `entry`: a
/// folder's stat, an extension-less file's whose first line was read, and
/// whether what was seen depends on more than the folder's listing.
fn note(
    record: &Mutex<Record>,
    entry: &ignore::DirEntry,
    seen: &Seen,
    read_first_line: Option<FileStat>,
) {
    let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
    let folder = if is_dir {
        Some(entry.metadata().map(|m| FileStat::of(&m)))
    } else {
        None
    };
    // Links and FIFOs are known from the listing; other problems are not.
    let listed = match seen {
        Seen::Problem(m) => m == SYMLINK || m == NOT_REGULAR,
        Seen::Spec(_) | Seen::Nothing => true,
    };
    let mut r = lock(record);
    r.uncacheable |= !listed;
    match folder {
        Some(Ok(stat)) => r.folders.push((entry.path().to_path_buf(), stat)),
        Some(Err(_)) => r.uncacheable = true,
        None => {}
    }
    if let Some(stat) = read_first_line {
        r.read_first_line.push((entry.path().to_path_buf(), stat));
    }
}

/// A spec the walk found: its relative path (until sorted), its path to
/// open and the stat of its `lstat` (a regular file: the same as `stat`).
fn found_spec(rel: String, entry: ignore::DirEntry, stat: FileStat) -> SpecFile {
    SpecFile {
        path: rel,
        fs_path: entry.into_path(),
        identity: Some((stat.dev, stat.ino)),
        stat: Some(stat),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    fn paths(roots: &[PathBuf]) -> Vec<String> {
        let (files, problems) = collect(roots, 1 << 20).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        files.into_iter().map(|f| f.path).collect()
    }

    proptest::proptest! {
        /// The one-pass check is the rule written out: not empty, no
        /// leading, trailing or doubled `/`, no `.` or `..` name.
        #[test]
        fn clean_components_is_the_rule(s in "[a./]{0,12}") {
            let b = s.as_bytes();
            let rule = !b.is_empty()
                && !b.starts_with(b"/")
                && !b.ends_with(b"/")
                && !b.windows(2).any(|w| w == b"//")
                && b.split(|&c| c == b'/').all(|c| c != b"." && c != b"..");
            proptest::prop_assert_eq!(clean_components(b), rule);
        }
    }

    #[test]
    fn extensions_and_extensionless_files() {
        assert!(has_spec_extension("a.md"));
        assert!(has_spec_extension("A.MarkDown"));
        assert!(has_spec_extension("x.MDX"));
        assert!(!has_spec_extension("a.mdown"));
        assert!(!has_spec_extension("md"));
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        write(r, "agent", "  ---\t\r\nname: a\n---\n");
        write(r, "bom-agent", "\u{FEFF}---\n");
        write(r, "LICENSE", "MIT License\n---\n");
        write(r, "dashes", "----\n");
        write(r, "empty", "");
        write(r, "notes.txt", "---\n");
        write(r, "onlyfence", "---");
        assert_eq!(paths(&[r.to_path_buf()]).len(), 3);
        let got: Vec<String> = paths(&[r.to_path_buf()])
            .into_iter()
            .map(|p| p.rsplit('/').next().unwrap().to_owned())
            .collect();
        assert_eq!(got, ["agent", "bom-agent", "onlyfence"]);
    }

    #[test]
    fn relative_paths_match_the_component_wise_ones() {
        let cases = [
            ("corpus", "corpus/a/b.md"),
            ("corpus/", "corpus/a/b.md"),
            (".", "./x.md"),
            ("./c", "./c/d/e"),
            ("/abs/root", "/abs/root/é/ü.md"),
            ("a//b", "a//b/c.md"),
            ("a", "a/./b.md"),
            ("a", "a//b.md"),
        ];
        for (root, path) in cases {
            let (root, path) = (Path::new(root), Path::new(path));
            let slow = path.strip_prefix(root).ok().map(slash_path);
            assert_eq!(relative(root, path), slow, "{root:?} {path:?}");
        }
    }

    #[test]
    fn long_first_line_of_spaces() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        write(r, "spacey", &format!("{}---\nx", " ".repeat(10_000)));
        assert!(starts_with_fence_line(&r.join("spacey"), 1 << 20).unwrap());
        assert!(!starts_with_fence_line(&r.join("spacey"), 100).unwrap());
    }

    #[test]
    fn hidden_and_no_ignore_options() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        write(r, ".gitignore", "ignored.md\n");
        write(r, ".specsearchignore", "mine.md\n");
        write(r, "ignored.md", "x");
        write(r, "mine.md", "x");
        write(r, "seen.md", "x");
        write(r, ".claude/agents/a.md", "x");
        let d = r.to_string_lossy().into_owned();
        let rel = |hidden: bool, no_ignore: bool| -> Vec<String> {
            let options = WalkOptions { hidden, no_ignore };
            let (files, _) = collect_with(&[r.to_path_buf()], 1 << 20, options).unwrap();
            files
                .into_iter()
                .map(|f| f.path[d.len() + 1..].to_owned())
                .collect()
        };
        assert_eq!(rel(false, false), ["seen.md"]);
        assert_eq!(rel(true, false), [".claude/agents/a.md", "seen.md"]);
        assert_eq!(rel(false, true), ["ignored.md", "mine.md", "seen.md"]);
        assert_eq!(
            rel(true, true),
            [".claude/agents/a.md", "ignored.md", "mine.md", "seen.md"]
        );
    }

    #[test]
    fn ignore_rules_hidden_and_order() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        write(r, ".gitignore", "ignored/\n*.draft.md\n!keep.draft.md\n");
        write(r, "ignored/a.md", "x");
        write(r, "x.draft.md", "x");
        write(r, "keep.draft.md", "x");
        write(r, ".hidden/a.md", "x");
        write(r, ".dot.md", "x");
        write(r, "sub/.ignore", "local.md\n");
        write(r, "sub/.gitignore", "!local.md\nother.md\n");
        write(r, "sub/local.md", "x");
        write(r, "sub/other.md", "x");
        write(r, "sub/deeper/.gitignore", "!other.md\n");
        write(r, "sub/deeper/other.md", "x");
        write(r, "B.md", "x");
        write(r, "a.md", "x");
        write(r, "a-b.md", "x");
        write(r, "a/b.md", "x");
        let root = r.to_path_buf();
        let d = r.to_string_lossy().into_owned();
        let want: Vec<String> = [
            "B.md",
            "a-b.md",
            "a.md",
            "a/b.md",
            "keep.draft.md",
            "sub/deeper/other.md",
        ]
        .iter()
        .map(|p| format!("{d}/{p}"))
        .collect();
        assert_eq!(paths(&[root]), want);
    }

    /// The relative paths `paths` finds under the single root `r`.
    fn rel_paths(r: &Path) -> Vec<String> {
        let d = format!("{}/", r.to_string_lossy());
        paths(&[r.to_path_buf()])
            .into_iter()
            .map(|p| p.strip_prefix(&d).unwrap().to_owned())
            .collect()
    }

    #[test]
    fn specsearchignore_is_honoured() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        write(r, CUSTOM_IGNORE_FILENAME, "drafts/\n*.wip.md\n");
        write(r, "drafts/a.md", "x");
        write(r, "b.wip.md", "x");
        write(r, "c.md", "x");
        write(r, "sub/.specsearchignore", "/local.md\n");
        write(r, "sub/local.md", "x");
        write(r, "sub/deeper/local.md", "x");
        assert_eq!(rel_paths(r), ["c.md", "sub/deeper/local.md"]);
    }

    #[test]
    fn specsearchignore_beats_ignore_and_gitignore_at_any_depth() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        // A shallower .specsearchignore decides before deeper .ignore and
        // .gitignore files: categories first, then depth.
        write(r, CUSTOM_IGNORE_FILENAME, "!keep.md\ndrop.md\n");
        write(r, "sub/.ignore", "keep.md\n");
        write(r, "sub/.gitignore", "keep.md\n!drop.md\n");
        write(r, "sub/keep.md", "x");
        write(r, "sub/drop.md", "x");
        write(r, "sub/other.md", "x");
        // A deeper .specsearchignore beats a shallower one.
        write(r, "sub/deep/.specsearchignore", "!drop.md\n");
        write(r, "sub/deep/drop.md", "x");
        assert_eq!(
            rel_paths(r),
            ["sub/deep/drop.md", "sub/keep.md", "sub/other.md"]
        );
    }

    #[test]
    fn specsearchignore_can_reinclude_a_hidden_folder() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        write(r, CUSTOM_IGNORE_FILENAME, "!.agents/\n");
        write(r, ".agents/a.md", "x");
        write(r, ".other/b.md", "x");
        assert_eq!(rel_paths(r), [".agents/a.md"]);
    }

    #[test]
    fn roots_in_order_and_file_roots() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        write(r, "z/one.md", "x");
        write(r, "a/two.md", "x");
        write(r, "LICENSE", "x");
        let d = r.to_string_lossy().into_owned();
        let got = paths(&[r.join("z"), r.join("a"), r.join("LICENSE")]);
        assert_eq!(
            got,
            [
                format!("{d}/z/one.md"),
                format!("{d}/a/two.md"),
                format!("{d}/LICENSE")
            ]
        );
        // A trailing slash is not doubled.
        let got = paths(&[PathBuf::from(format!("{d}/z/"))]);
        assert_eq!(got, [format!("{d}/z/one.md")]);
    }

    #[test]
    fn missing_root_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        match collect(std::slice::from_ref(&missing), 1 << 20) {
            Err(Error::Io { path, source }) => {
                assert_eq!(path, missing);
                assert_eq!(source.kind(), ErrorKind::NotFound);
            }
            other => panic!("expected a NotFound error, got {other:?}"),
        }
    }

    #[cfg(unix)]
    #[test]
    fn links_and_fifos_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        write(r, "real/a.md", "x");
        std::os::unix::fs::symlink(r.join("real"), r.join("real/loop")).unwrap();
        std::os::unix::fs::symlink(r.join("real/a.md"), r.join("link.md")).unwrap();
        std::os::unix::fs::symlink(r.join("nowhere"), r.join("dangling.md")).unwrap();
        let status = std::process::Command::new("mkfifo")
            .arg(r.join("pipe.md"))
            .status();
        let made_fifo = matches!(status, Ok(s) if s.success());
        if made_fifo {
            assert!(r.join("pipe.md").exists());
        }
        let d = r.to_string_lossy().into_owned();
        let (files, problems) = collect(&[r.to_path_buf()], 1 << 20).unwrap();
        let files: Vec<String> = files.into_iter().map(|f| f.path).collect();
        assert_eq!(files, [format!("{d}/real/a.md")]);
        // Each is reported (issue 15), never followed or read.
        let mut want = vec![
            (format!("{d}/dangling.md"), SYMLINK),
            (format!("{d}/link.md"), SYMLINK),
            (format!("{d}/real/loop"), SYMLINK),
        ];
        if made_fifo {
            want.insert(2, (format!("{d}/pipe.md"), NOT_REGULAR));
        }
        let got: Vec<(String, &str)> = problems
            .iter()
            .map(|p| (p.path.clone(), want_message(&p.message)))
            .collect();
        assert_eq!(got, want);
    }

    fn want_message(m: &str) -> &'static str {
        match m {
            SYMLINK => SYMLINK,
            NOT_REGULAR => NOT_REGULAR,
            other => panic!("unexpected problem {other:?}"),
        }
    }

    /// The walk of `r` in a child thread, which must finish within a minute
    /// (a FIFO read used to block it forever).
    fn collect_in_time(r: &Path, max: u64) -> (Vec<SpecFile>, Vec<Problem>) {
        let (tx, rx) = std::sync::mpsc::channel();
        let root = r.to_path_buf();
        std::thread::spawn(move || {
            let _ = tx.send(collect(&[root], max));
        });
        rx.recv_timeout(std::time::Duration::from_secs(60))
            .expect("the walk hung")
            .unwrap()
    }

    /// Issue 15, item 3: hostile ignore files are reported, not read.
    #[cfg(unix)]
    #[test]
    fn hostile_ignore_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        write(r, "fifo/a.md", "x");
        let made_fifo = std::process::Command::new("mkfifo")
            .arg(r.join("fifo/.gitignore"))
            .status()
            .is_ok_and(|s| s.success());
        write(r, "zero/a.md", "x");
        std::os::unix::fs::symlink("/dev/zero", r.join("zero/.gitignore")).unwrap();
        write(r, "big/a.md", "x");
        write(r, "big/.ignore", &"a.md\n".repeat(300));
        let (files, problems) = collect_in_time(r, 1000);
        let d = r.to_string_lossy().into_owned();
        let listed: Vec<String> = files.into_iter().map(|f| f.path).collect();
        // No ignore file was used, so every spec is listed.
        assert_eq!(
            listed,
            [
                format!("{d}/big/a.md"),
                format!("{d}/fifo/a.md"),
                format!("{d}/zero/a.md")
            ]
        );
        let got: Vec<(String, String)> =
            problems.into_iter().map(|p| (p.path, p.message)).collect();
        let mut want = vec![(
            format!("{d}/big/.ignore"),
            "ignore file not read: file is larger than 1000 bytes".to_owned(),
        )];
        if made_fifo {
            want.push((
                format!("{d}/fifo/.gitignore"),
                "ignore file not read: not a regular file".to_owned(),
            ));
        }
        want.push((
            format!("{d}/zero/.gitignore"),
            "ignore file not read: symbolic link".to_owned(),
        ));
        assert_eq!(got, want);
    }

    #[test]
    fn ignore_lines_are_capped() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        let mut text = "# filler\n".repeat(MAX_IGNORE_LINES);
        text.push_str("dropped.md\n");
        write(r, ".gitignore", &text);
        write(r, "dropped.md", "x");
        let (files, problems) = collect_in_time(r, 1 << 20);
        assert_eq!(files.len(), 1, "the pattern past the cap is not used");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, Some(10_001));
        assert!(problems[0].message.contains("more than 10000 lines"));
    }
}
