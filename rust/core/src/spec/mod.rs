//! Spec parsing (SPEC.md §2): bytes to the six fields.
//!
//! [`parse_spec`] decodes the bytes (lossy UTF-8, BOM removed), splits lines,
//! finds the frontmatter (fenced, bare or none), reads it as YAML events (see
//! the private `yaml` module) or, when that fails, with the lenient line
//! scanner, then splits the body into headings and other lines (aware of code
//! fences) and collects the user requests of `<example>` blocks.
//!
//! Submodules: `yaml` (the frontmatter as YAML events) and `read` (a spec
//! file's bytes: size cap, binary check). Layering: `spec` reads only
//! `problem` and `schema`; `analysis`, `index` and `search` read it.

mod read;
mod yaml;

pub use read::BINARY_CHECK_BYTES;
pub(crate) use read::{read_spec_bytes, ReadFailure};

use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Component, Path};

use crate::problem::Problem;
use crate::schema::Field;

/// What a hit shows about its doc.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocMeta {
    /// The doc path (§1).
    pub path: String,
    /// The spec's name.
    pub name: String,
    /// The spec's description.
    pub description: String,
}

/// The fields of one parsed spec.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Spec {
    /// The name (frontmatter `name`, else derived from the path).
    pub name: String,
    /// The description, with literal `\n` sequences turned into line feeds.
    pub description: String,
    /// The other frontmatter entries `(K, V)`, in document order.
    pub frontmatter: Vec<(String, String)>,
    /// The heading texts, joined by `\n`.
    pub headings: String,
    /// The other body lines, joined by `\n`.
    pub body: String,
    /// The user requests of `<example>` blocks, joined by `\n`.
    pub examples: String,
}

impl Spec {
    /// The text of a field, as the analyzer sees it (the frontmatter field is
    /// each entry as `K\nV`, joined by `\n`).
    #[must_use]
    pub fn field_text(&self, f: Field) -> Cow<'_, str> {
        match f {
            Field::Name => Cow::Borrowed(&self.name),
            Field::Description => Cow::Borrowed(&self.description),
            Field::Frontmatter => {
                let mut out = String::new();
                for (i, (k, v)) in self.frontmatter.iter().enumerate() {
                    if i > 0 {
                        out.push('\n');
                    }
                    out.push_str(k);
                    out.push('\n');
                    out.push_str(v);
                }
                Cow::Owned(out)
            }
            Field::Headings => Cow::Borrowed(&self.headings),
            Field::Body => Cow::Borrowed(&self.body),
            Field::Examples => Cow::Borrowed(&self.examples),
        }
    }
}

/// Decodes file bytes as §2 says: lossy UTF-8, a leading BOM removed.
#[must_use]
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    // Valid UTF-8 (nearly every file) is checked by the faster validator.
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    };
    match text {
        Cow::Borrowed(s) => Cow::Borrowed(s.strip_prefix('\u{FEFF}').unwrap_or(s)),
        Cow::Owned(s) => match s.strip_prefix('\u{FEFF}') {
            Some(rest) => Cow::Owned(rest.to_owned()),
            None => Cow::Owned(s),
        },
    }
}

/// The lines of a decoded text: split on `\n`, a trailing `\r` removed.
pub fn lines(text: &str) -> impl Iterator<Item = &str> {
    // `text.split('\n')`, with the newlines found by `memchr` (SIMD): a
    // newline byte is always a char boundary.
    let mut start = 0;
    memchr::memchr_iter(b'\n', text.as_bytes())
        .chain(std::iter::once(text.len()))
        .map(move |end| {
            let line = &text[start..end];
            start = end + 1;
            line.strip_suffix('\r').unwrap_or(line)
        })
}

/// Strips leading and trailing spaces and tabs (only U+0020 and U+0009).
#[must_use]
pub fn strip(s: &str) -> &str {
    s.trim_matches([' ', '\t'])
}

/// The name a spec gets when its frontmatter has none: the file name of
/// `path` without its last extension, or, when that is `SKILL`
/// (ASCII case-insensitively), the name of the folder that holds the file
/// (resolved against the current directory, so `SKILL.md` at the root `.`
/// still gets its folder's name).
#[must_use]
pub fn fallback_name(path: &str) -> String {
    let p = Path::new(path);
    let stem = p
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if stem.eq_ignore_ascii_case("skill") {
        if let Some(parent) = parent_folder_name(p) {
            return parent;
        }
    }
    stem
}

/// The name of the folder holding `path`, after making it absolute and
/// resolving `.` and `..` lexically, as Python's `os.path.abspath` does.
fn parent_folder_name(path: &Path) -> Option<String> {
    let absolute = std::path::absolute(path).ok()?;
    let mut parts: Vec<Component<'_>> = Vec::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(parts.last(), Some(Component::Normal(_))) {
                    parts.pop();
                }
            }
            other => parts.push(other),
        }
    }
    parts.pop(); // the file itself
    match parts.last() {
        Some(Component::Normal(name)) => Some(name.to_string_lossy().into_owned()),
        _ => None,
    }
}

/// One frontmatter entry before assignment: key, value, and whether the
/// value may be a name (a scalar for YAML; always for the fallback).
struct RawEntry {
    key: String,
    value: String,
    may_be_name: bool,
}

/// Parses one spec file. `path` is the doc path (used in problems and for
/// the name fallback, see [`fallback_name`]). Never fails: what goes wrong
/// is returned as problems, and a panic inside a dependency becomes the
/// problem `internal error while parsing: ...`.
#[must_use]
pub fn parse_spec(path: &str, bytes: &[u8]) -> (Spec, Vec<Problem>) {
    match catch_unwind(AssertUnwindSafe(|| parse_spec_inner(path, bytes))) {
        Ok(r) => r,
        Err(payload) => {
            let spec = Spec {
                name: fallback_name(path),
                ..Spec::default()
            };
            let problem = Problem::file(
                path,
                format!("internal error while parsing: {}", panic_message(&*payload)),
            );
            (spec, vec![problem])
        }
    }
}

/// The message of a caught panic's payload.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_owned()
    }
}

fn parse_spec_inner(path: &str, bytes: &[u8]) -> (Spec, Vec<Problem>) {
    let text = decode(bytes);
    let all: Vec<&str> = lines(&text).collect();
    let mut problems = Vec::new();

    // (frontmatter lines, 1-based number of the first one, body lines)
    // `split` always yields at least one line, so `all[0]` exists.
    let (front, first_line, body): (&[&str], u32, &[&str]) = if strip(all[0]) == "---" {
        if let Some(i) = all[1..].iter().position(|l| strip(l) == "---") {
            (&all[1..=i], 2, &all[i + 2..])
        } else {
            problems.push(Problem::at_line(
                path,
                1,
                "frontmatter opened at line 1 is never closed",
            ));
            (&[], 1, &all[..])
        }
    } else if all[0].starts_with("name:") {
        match all.iter().position(|l| strip(l).is_empty()) {
            Some(i) => (&all[..i], 1, &all[i + 1..]),
            None => (&all[..], 1, &[]),
        }
    } else {
        (&[], 1, &all[..])
    };

    let entries = if front.is_empty() {
        Vec::new()
    } else {
        frontmatter_entries(path, front, first_line, &mut problems)
    };

    let mut spec = Spec::default();
    let mut name: Option<String> = None;
    let mut description: Option<String> = None;
    for e in entries {
        if e.key == "name" && name.is_none() && e.may_be_name && !strip(&e.value).is_empty() {
            name = Some(strip(&e.value).to_owned());
        } else if e.key == "description" && description.is_none() {
            description = Some(e.value.replace("\\n", "\n"));
        } else {
            spec.frontmatter.push((e.key, e.value));
        }
    }
    spec.name = name.unwrap_or_else(|| fallback_name(path));
    spec.description = description.unwrap_or_default();

    split_body(body, &mut spec);
    let body_text = body.join("\n");
    let mut requests: Vec<&str> = Vec::new();
    collect_requests(&spec.description, &mut requests);
    collect_requests(&body_text, &mut requests);
    spec.examples = requests.join("\n");
    (spec, problems)
}

/// Reads the frontmatter as YAML, or with the lenient fallback when that fails.
fn frontmatter_entries(
    path: &str,
    front: &[&str],
    first_line: u32,
    problems: &mut Vec<Problem>,
) -> Vec<RawEntry> {
    // Each frontmatter line ends with a line break, the last one too, as in
    // the file: a block scalar at the end keeps its final line break.
    let mut src = String::with_capacity(front.iter().map(|l| l.len() + 1).sum());
    for line in front {
        src.push_str(line);
        src.push('\n');
    }
    let parsed = catch_unwind(AssertUnwindSafe(|| yaml::parse(&src))).unwrap_or_else(|p| {
        Err(yaml::YamlFailure {
            line_offset: 0,
            message: format!("internal error while parsing: {}", panic_message(&*p)),
        })
    });
    match parsed {
        Ok(entries) => entries
            .into_iter()
            .map(|e| RawEntry {
                key: e.key,
                value: e.value,
                may_be_name: e.value_is_scalar,
            })
            .collect(),
        Err(failure) => {
            let offset = u32::try_from(failure.line_offset).unwrap_or(u32::MAX);
            problems.push(Problem::at_line(
                path,
                first_line.saturating_add(offset),
                format!("invalid YAML frontmatter: {}", failure.message),
            ));
            lenient_entries(front)
        }
    }
}

/// Matches `^([A-Za-z0-9_][A-Za-z0-9_.-]*)[ \t]*:(.*)$`, giving (key, value).
fn match_entry_line(line: &str) -> Option<(&str, &str)> {
    let b = line.as_bytes();
    let first = *b.first()?;
    if !(first.is_ascii_alphanumeric() || first == b'_') {
        return None;
    }
    let mut i = 1;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'.' | b'-')) {
        i += 1;
    }
    let key_end = i;
    while i < b.len() && matches!(b[i], b' ' | b'\t') {
        i += 1;
    }
    if b.get(i) == Some(&b':') {
        Some((&line[..key_end], &line[i + 1..]))
    } else {
        None
    }
}

/// The lenient fallback: `key: value` lines start entries, other lines
/// continue the current one; values are stripped and unquoted once.
fn lenient_entries(front: &[&str]) -> Vec<RawEntry> {
    let mut raw: Vec<(String, String)> = Vec::new();
    for line in front {
        if let Some((k, v)) = match_entry_line(line) {
            raw.push((k.to_owned(), v.to_owned()));
        } else if let Some(last) = raw.last_mut() {
            last.1.push('\n');
            last.1.push_str(line);
        } else {
            raw.push((String::new(), (*line).to_owned()));
        }
    }
    raw.into_iter()
        .map(|(key, value)| {
            let v = strip(&value);
            let v = unquote(v);
            RawEntry {
                key,
                value: v.to_owned(),
                may_be_name: true,
            }
        })
        .collect()
}

fn unquote(v: &str) -> &str {
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return &v[1..v.len() - 1];
        }
    }
    v
}

/// A code fence: its character and length.
#[derive(Clone, Copy)]
struct Fence {
    ch: u8,
    len: usize,
}

/// Up to three leading spaces, then the rest.
fn after_indent(line: &str) -> Option<&str> {
    let spaces = line.bytes().take(4).take_while(|&c| c == b' ').count();
    if spaces > 3 {
        None
    } else {
        Some(&line[spaces..])
    }
}

fn fence_open(line: &str) -> Option<Fence> {
    let rest = after_indent(line)?;
    let ch = *rest.as_bytes().first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let len = rest.bytes().take_while(|&c| c == ch).count();
    (len >= 3).then_some(Fence { ch, len })
}

fn fence_closes(line: &str, fence: Fence) -> bool {
    let Some(rest) = after_indent(line) else {
        return false;
    };
    let len = rest.bytes().take_while(|&c| c == fence.ch).count();
    len >= fence.len && rest[len..].bytes().all(|c| c == b' ' || c == b'\t')
}

/// Matches `^ {0,3}#{1,6}([ \t].*)?$`, giving the stripped heading text.
fn heading_text(line: &str) -> Option<&str> {
    let rest = after_indent(line)?;
    let hashes = rest.bytes().take_while(|&c| c == b'#').count();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let after = &rest[hashes..];
    match after.as_bytes().first() {
        None => Some(""),
        Some(b' ' | b'\t') => Some(strip(after)),
        Some(_) => None,
    }
}

/// Splits the body lines into the headings and body fields.
fn split_body(body: &[&str], spec: &mut Spec) {
    let mut headings: Vec<&str> = Vec::new();
    let mut others: Vec<&str> = Vec::new();
    let mut fence: Option<Fence> = None;
    for &line in body {
        if let Some(f) = fence {
            if fence_closes(line, f) {
                fence = None;
            }
            others.push(line);
        } else if let Some(f) = fence_open(line) {
            fence = Some(f);
            others.push(line);
        } else if let Some(h) = heading_text(line) {
            headings.push(h);
        } else {
            others.push(line);
        }
    }
    spec.headings = headings.join("\n");
    spec.body = others.join("\n");
}

/// ASCII case-insensitive search for `needle` (ASCII) in `hay` from `from`.
fn find_ascii_ci(hay: &str, needle: &str, from: usize) -> Option<usize> {
    let h = hay.as_bytes();
    let n = needle.as_bytes();
    let (&first, _) = n.split_first()?;
    let lower = first.to_ascii_lowercase();
    let upper = first.to_ascii_uppercase();
    let mut at = from;
    while at < h.len() {
        let i = at + memchr::memchr2(lower, upper, &h[at..])?;
        if h.len() - i >= n.len() && h[i..i + n.len()].eq_ignore_ascii_case(n) {
            return Some(i);
        }
        at = i + 1;
    }
    None
}

/// Appends the user requests of every `<example>` block of `text`.
fn collect_requests<'a>(text: &'a str, out: &mut Vec<&'a str>) {
    const OPEN: &str = "<example>";
    const CLOSE: &str = "</example>";
    let mut from = 0;
    while let Some(open) = find_ascii_ci(text, OPEN, from) {
        let start = open + OPEN.len();
        let (end, next) = match find_ascii_ci(text, CLOSE, start) {
            Some(close) => (close, close + CLOSE.len()),
            None => (text.len(), text.len()),
        };
        for line in text[start..end].split('\n') {
            if let Some(req) = user_request(line) {
                out.push(req);
            }
        }
        from = next;
    }
}

/// The request of a user line: after leading ` \t>*_-`, `user`
/// (ASCII case-insensitive), `[*_]*`, `[ \t]*`, `:`, the rest stripped.
fn user_request(line: &str) -> Option<&str> {
    let rest = line.trim_start_matches([' ', '\t', '>', '*', '_', '-']);
    let head = rest.as_bytes().get(..4)?;
    if !head.eq_ignore_ascii_case(b"user") {
        return None;
    }
    let rest = rest[4..].trim_start_matches(['*', '_']);
    let rest = rest.trim_start_matches([' ', '\t']);
    rest.strip_prefix(':').map(strip)
}

#[cfg(test)]
mod tests;
