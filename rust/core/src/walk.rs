//! The walk (ARCHITECTURE.md §1): which files are specs, in doc-id order.
//!
//! Directory roots are walked with the `ignore` crate: `.specsearchignore`,
//! `.ignore` and `.gitignore` files inside the tree are honoured, strongest
//! first (nothing above the root, no git excludes), hidden entries are
//! skipped unless an ignore file re-includes them, links are not followed,
//! and only regular files are kept. A file root is always a spec. Each
//! directory root's files are sorted by the UTF-8 bytes of their
//! `/`-separated relative path, and the problems met inside it by path, so
//! the parallel walk gives the same output every time.
//!
//! Layering: the first step; it reads only `error` and `problem`.

use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::{Component, Path, PathBuf};

use std::sync::{Mutex, MutexGuard, PoisonError};

use ignore::{WalkBuilder, WalkState};

use crate::error::{Error, Result};
use crate::problem::Problem;

/// specsearch's own ignore file (gitignore syntax), stronger than `.ignore`
/// and `.gitignore`, as `.rgignore` is for ripgrep.
pub const CUSTOM_IGNORE_FILENAME: &str = ".specsearchignore";

/// One spec file found by the walk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecFile {
    /// The doc path (§1): the root joined with the relative path by `/`,
    /// or the relative path alone under the default root.
    pub path: String,
    /// The path to open.
    pub fs_path: PathBuf,
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
    let mut file = File::open(path)?;
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

/// Locks `m`; a panic on another walker thread cannot leave a `Vec` half-pushed,
/// so a poisoned lock is still consistent.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
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
/// file is read to check its first line.
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
    if roots.is_empty() {
        collect_root(
            Path::new("."),
            None,
            max_file_bytes,
            options,
            &mut files,
            &mut problems,
        )?;
    } else {
        for root in roots {
            let display = root.to_string_lossy().into_owned();
            collect_root(
                root,
                Some(&display),
                max_file_bytes,
                options,
                &mut files,
                &mut problems,
            )?;
        }
    }
    Ok((files, problems))
}

/// `display` is `None` for the default root, whose paths have no prefix.
fn collect_root(
    root: &Path,
    display: Option<&str>,
    max_file_bytes: u64,
    options: WalkOptions,
    files: &mut Vec<SpecFile>,
    problems: &mut Vec<Problem>,
) -> Result<()> {
    let meta = std::fs::metadata(root).map_err(|source| Error::Io {
        path: root.to_path_buf(),
        source,
    })?;
    let root_display = display.unwrap_or(".");
    if meta.is_file() {
        files.push(SpecFile {
            path: root_display.to_owned(),
            fs_path: root.to_path_buf(),
        });
        return Ok(());
    }
    if !meta.is_dir() {
        problems.push(Problem::file(
            root_display,
            "not a regular file or directory",
        ));
        return Ok(());
    }
    // Both cores walk: directory reads, ignore-file parsing and the first-line
    // checks run in parallel; the results are sorted afterwards, so the
    // output does not depend on the order the threads finish in.
    let walk = RootWalk {
        root,
        display,
        max_file_bytes,
        found: Mutex::new(Vec::new()),
        met: Mutex::new(Vec::new()),
    };
    let mut builder = WalkBuilder::new(root);
    if !options.no_ignore {
        builder.add_custom_ignore_filename(CUSTOM_IGNORE_FILENAME);
    }
    builder
        .hidden(!options.hidden)
        .git_ignore(!options.no_ignore)
        .ignore(!options.no_ignore)
        .parents(false)
        .git_global(false)
        .git_exclude(false)
        .require_git(false)
        .follow_links(false)
        .build_parallel()
        .run(|| {
            Box::new(|result| {
                walk.visit(result);
                WalkState::Continue
            })
        });
    let mut found = walk
        .found
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    let mut met = walk
        .met
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    // Problems in path order (stable, so one path's problems keep their order).
    met.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    problems.extend(met);
    found.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    files.extend(found.into_iter().map(|(rel, fs_path)| SpecFile {
        path: display_join(display, &rel),
        fs_path,
    }));
    Ok(())
}

/// A doc path: `rel` under the root's display prefix (none for the default root).
fn display_join(display: Option<&str>, rel: &str) -> String {
    match display {
        None => rel.to_owned(),
        Some(d) if d.is_empty() || d.ends_with('/') => format!("{d}{rel}"),
        Some(d) => format!("{d}/{rel}"),
    }
}

/// One root's parallel walk: what the walker threads share.
struct RootWalk<'a> {
    root: &'a Path,
    display: Option<&'a str>,
    max_file_bytes: u64,
    /// `(path relative to the root, fs path)` of each spec found.
    found: Mutex<Vec<(String, PathBuf)>>,
    /// The problems met.
    met: Mutex<Vec<Problem>>,
}

impl RootWalk<'_> {
    /// Records one walk entry: a spec file, a problem, or nothing.
    fn visit(&self, result: std::result::Result<ignore::DirEntry, ignore::Error>) {
        let entry = match result {
            Ok(entry) => entry,
            Err(err) => {
                let (path, line) = error_location(&err);
                let path = path
                    .and_then(|p| p.strip_prefix(self.root).ok())
                    .map_or_else(
                        || self.display.unwrap_or(".").to_owned(),
                        |rel| display_join(self.display, &slash_path(rel)),
                    );
                lock(&self.met).push(Problem {
                    path,
                    line: line.and_then(|l| u32::try_from(l).ok()),
                    message: err.to_string(),
                });
                return;
            }
        };
        if entry.depth() == 0 || !entry.file_type().is_some_and(|ft| ft.is_file()) {
            return;
        }
        let name = entry.file_name().to_string_lossy();
        let Ok(rel) = entry.path().strip_prefix(self.root).map(slash_path) else {
            return;
        };
        let is_spec = if has_spec_extension(&name) {
            true
        } else if name.contains('.') {
            false
        } else {
            match starts_with_fence_line(entry.path(), self.max_file_bytes) {
                Ok(yes) => yes,
                Err(e) => {
                    lock(&self.met).push(Problem::file(
                        &display_join(self.display, &rel),
                        format!("cannot read: {e}"),
                    ));
                    false
                }
            }
        };
        if is_spec {
            lock(&self.found).push((rel, entry.into_path()));
        }
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
    fn long_first_line_of_spaces() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        write(r, "spacey", &format!("{}---\nx", " ".repeat(10_000)));
        assert!(starts_with_fence_line(&r.join("spacey"), 1 << 20).unwrap());
        assert!(!starts_with_fence_line(&r.join("spacey"), 100).unwrap());
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
        assert_eq!(paths(&[r.to_path_buf()]), [format!("{d}/real/a.md")]);
    }
}
