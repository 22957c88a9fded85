//! Snippets (SPEC.md §6): a hit's best line for a query. The plan's
//! distinct positive leaves are matched against each line of the file; the
//! line matching the most leaves wins (the first on ties).

use std::collections::{HashMap, HashSet};

use rustc_hash::FxHashMap;
use std::ops::ControlFlow;

use super::options::SearchOptions;
use super::plan::{plan, Kind, LeafPlan, Plan};
use super::source::Source;
use super::terms::levenshtein_within;
use crate::analysis::{scan_tokens, stem_key};
use crate::error::Result;
use crate::query::Occur;
use crate::spec::{decode, read_spec_bytes};

/// The best line of a hit's file for a query (§6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    /// The 1-based line number in the file (frontmatter included).
    pub line: u32,
    /// The line's text, without its `\r`.
    pub text: String,
    /// `[start, end)` offsets in code points of the line of the matching
    /// tokens, sorted, merged where they overlap or touch.
    pub spans: Vec<(u32, u32)>,
}

/// The positive leaves of a query, for matching lines.
pub(super) struct LineMatcher {
    leaves: Vec<Kind>,
    /// Stem key → the term leaves (indexes into `leaves`) that hold it, so
    /// a line is matched against every term leaf in one pass.
    by_stem: FxHashMap<String, Vec<usize>>,
}

/// Plans `query` (with the errors of a search) and keeps its distinct
/// positive leaves.
pub(super) fn line_matcher<S: Source>(
    src: &S,
    query: &str,
    opts: &SearchOptions,
) -> Result<LineMatcher> {
    fn collect<'p>(
        p: &'p Plan,
        negated: bool,
        seen: &mut HashSet<&'p (u8, String, u8)>,
        out: &mut Vec<&'p LeafPlan>,
    ) {
        match p {
            Plan::Leaf(leaf) => {
                if !negated && seen.insert(&leaf.ident) {
                    out.push(leaf);
                }
            }
            Plan::Or(clauses) => {
                for (occur, child) in clauses {
                    collect(child, negated || *occur == Occur::MustNot, seen, out);
                }
            }
            Plan::And(children) => {
                for child in children {
                    collect(child, negated, seen, out);
                }
            }
        }
    }
    let plan = plan(src, query, opts)?;
    let mut leaves = Vec::new();
    collect(&plan.root, false, &mut HashSet::new(), &mut leaves);
    let leaves: Vec<Kind> = leaves.into_iter().map(|l| l.kind.clone()).collect();
    let mut by_stem: FxHashMap<String, Vec<usize>> = FxHashMap::default();
    for (i, kind) in leaves.iter().enumerate() {
        if let Kind::Term(keys) = kind {
            for key in keys {
                by_stem.entry(key.clone()).or_default().push(i);
            }
        }
    }
    Ok(LineMatcher { leaves, by_stem })
}

/// Token text → its stem key when a term leaf holds that key (see
/// [`LineMatcher::line`]); one per matcher, kept over the files it reads.
pub(super) type StemMemo = FxHashMap<String, Option<String>>;

struct LineTok {
    text: String,
    position: u32,
    start: usize,
    end: usize,
}

impl LineMatcher {
    /// The number of leaves `line` matches and the byte spans of the tokens
    /// that match them. `stems` remembers, for each token text met in the
    /// file so far, its stem key when a term leaf holds it (a file repeats
    /// most of its words, and stemming was most of a snippet's cost).
    fn line(&self, line: &str, spans: &mut Vec<(usize, usize)>, stems: &mut StemMemo) -> usize {
        let mut toks: Vec<LineTok> = Vec::new();
        scan_tokens(line, |t| {
            toks.push(LineTok {
                text: t.text.to_owned(),
                position: t.position,
                start: t.start,
                end: t.end,
            });
            ControlFlow::Continue(())
        });
        // Term leaves: one lookup per token.
        let mut terms_hit: Vec<usize> = Vec::new();
        for t in &toks {
            if !stems.contains_key(&t.text) {
                let stem = stem_key(&t.text);
                let held = self.by_stem.contains_key(stem.as_ref());
                stems.insert(t.text.clone(), held.then(|| stem.into_owned()));
            }
            let key = stems.get(&t.text).and_then(Option::as_deref);
            if let Some(leaves) = key.and_then(|k| self.by_stem.get(k)) {
                terms_hit.extend(leaves);
                spans.push((t.start, t.end));
            }
        }
        terms_hit.sort_unstable();
        terms_hit.dedup();
        let mut count = terms_hit.len();
        for kind in &self.leaves {
            let before = spans.len();
            match kind {
                Kind::Term(_) => continue,
                Kind::Prefix(p) => spans.extend(
                    toks.iter()
                        .filter(|t| t.text.starts_with(p.as_str()))
                        .map(|t| (t.start, t.end)),
                ),
                Kind::Fuzzy(p, d) => spans.extend(
                    toks.iter()
                        .filter(|t| levenshtein_within(&t.text, p, usize::from(*d)))
                        .map(|t| (t.start, t.end)),
                ),
                Kind::Phrase(tokens) => {
                    // The first token at each (position, text): one lookup
                    // each, so a line with many matches stays linear.
                    let mut index: HashMap<(u32, &str), &LineTok> = HashMap::new();
                    for t in &toks {
                        index.entry((t.position, t.text.as_str())).or_insert(t);
                    }
                    let at = |pos: u32, text: &str| index.get(&(pos, text)).copied();
                    for t0 in toks.iter().filter(|t| t.text == tokens[0].0) {
                        let p = t0.position;
                        let found: Option<Vec<&LineTok>> = tokens
                            .iter()
                            .map(|(text, rel)| p.checked_add(*rel).and_then(|q| at(q, text)))
                            .collect();
                        if let Some(found) = found {
                            spans.extend(found.iter().map(|t| (t.start, t.end)));
                        }
                    }
                }
            }
            if spans.len() > before {
                count += 1;
            }
        }
        count
    }

    /// The snippet of a file's text: its best line (§6), if any. `stems`
    /// is this matcher's memo (the hits of one query share most words).
    pub(super) fn snippet(&self, text: &str, stems: &mut StemMemo) -> Option<Snippet> {
        // ((a content line, leaves matched), line index, line, byte spans)
        // of the best line: content lines first, then the most leaves.
        type Best<'t> = ((bool, usize), usize, &'t str, Vec<(usize, usize)>);
        let lines: Vec<&str> = crate::spec::lines(text).collect();
        let titles = title_lines(&lines);
        let mut best: Option<Best<'_>> = None;
        let mut spans = Vec::new();
        for (i, &line) in lines.iter().enumerate() {
            spans.clear();
            let count = self.line(line, &mut spans, stems);
            let key = (!titles[i], count);
            if count > 0 && best.as_ref().is_none_or(|b| key > b.0) {
                best = Some((key, i, line, spans.clone()));
            }
        }
        let (_, i, line, mut spans) = best?;
        spans.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
        for (a, b) in spans {
            match merged.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        // Byte offsets to char offsets in one pass (the spans are sorted):
        // counting from the line start for each span was quadratic.
        let (mut byte, mut char_count) = (0usize, 0usize);
        let mut chars = |b: usize| {
            char_count += line[byte..b].chars().count();
            byte = b;
            u32::try_from(char_count).unwrap_or(u32::MAX)
        };
        let spans = merged
            .into_iter()
            .map(|(a, b)| {
                let a = chars(a);
                (a, chars(b))
            })
            .collect();
        Some(Snippet {
            line: u32::try_from(i + 1).unwrap_or(u32::MAX),
            text: line.to_owned(),
            spans,
        })
    }
}

/// Which lines only name the spec (§6): the frontmatter's lines (its `---`
/// fences included; a bare frontmatter runs from a first line starting with
/// `name:` to the first blank line) other than a `description:` line and
/// continuation lines (starting with a space or a tab), and the Markdown
/// headings (the first character after spaces and tabs is `#`). A snippet
/// comes from the other lines when any of them matches.
fn title_lines(lines: &[&str]) -> Vec<bool> {
    use crate::spec::strip;
    let end = match lines.first() {
        Some(first) if strip(first) == "---" => lines
            .iter()
            .enumerate()
            .skip(1)
            .find(|(_, l)| strip(l) == "---")
            .map_or(0, |(i, _)| i + 1),
        Some(first) if first.starts_with("name:") => lines
            .iter()
            .position(|l| strip(l).is_empty())
            .unwrap_or(lines.len()),
        _ => 0,
    };
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            if i < end {
                !(line.starts_with("description:") || line.starts_with([' ', '\t']))
            } else {
                line.trim_start_matches([' ', '\t']).starts_with('#')
            }
        })
        .collect()
}

/// The snippet of the file at `path` (read with the cap `max`). A file that
/// has gone, cannot be read, or is now binary or too large since it was
/// indexed has none, as in the python engine: the hit itself stands.
pub(super) fn snippet_in_file(
    path: &std::path::Path,
    max: u64,
    matcher: &LineMatcher,
    stems: &mut StemMemo,
) -> Option<Snippet> {
    let bytes = read_spec_bytes(path, max, None).ok()?;
    matcher.snippet(&decode(&bytes), stems)
}

#[cfg(test)]
mod title_tests {
    use super::title_lines;

    #[test]
    fn frontmatter_keys_and_headings_are_titles() {
        let lines = [
            "---",
            "name: a",
            "description: b",
            "  more of b",
            "model: x",
            "---",
            "# A",
            "  ## sub",
            "text #1",
        ];
        let want = [true, true, false, false, true, true, true, true, false];
        assert_eq!(title_lines(&lines), want);
        assert_eq!(
            title_lines(&["name: a", "tools: x", "", "body"]),
            [true, true, false, false]
        );
        // An unclosed fence opens no frontmatter.
        assert_eq!(title_lines(&["---", "never closed"]), [false, false]);
    }
}
