//! Request understanding: a request in natural language becomes ranking words.
//!
//! 1. Tokenize with `standard-v2` (parts and wholes); the request is never
//!    query syntax.
//! 2. Over the parts, left to right, remove the longest match of any filler
//!    pattern starting at each part (a removed span is skipped); then remove
//!    stop words. A whole goes with the part at its position.
//! 3. If nothing is left, keep every token (`fallback`).
//! 4. The stem keys of what is left, distinct, in order of first appearance.

use rustc_hash::FxHashSet;

use crate::analysis::{stem_key, tokenize};
use crate::error::{Error, Result};
use crate::route::tables::{Element, Tables};

/// The message of the error for an empty request.
pub const EMPTY_REQUEST: &str = "the request is empty";

/// A word of the request that takes part in ranking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestTerm {
    /// Its stem key (what it matches).
    pub key: String,
    /// The first token text that gave this key (prefix matches use it).
    pub text: String,
    /// Whether the data file lists it as a generic word.
    pub generic: bool,
}

/// What [`analyze_request`] made of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestAnalysis {
    /// The ranking words, distinct by stem key, in order.
    pub terms: Vec<RequestTerm>,
    /// The token texts removed by a filler pattern, in order.
    pub filler: Vec<String>,
    /// The token texts removed as stop words, in order.
    pub stopwords: Vec<String>,
    /// Whether removal left nothing, so every token was kept.
    pub fallback: bool,
}

/// The end of the longest match of `pattern[element..]` at `words[i..]`, if any.
fn match_at(pattern: &[Element], words: &[&str], element: usize, i: usize) -> Option<usize> {
    let Some(e) = pattern.get(element) else {
        return Some(i);
    };
    let mut best = None;
    if i < words.len() && e.choices.contains(words[i]) {
        best = match_at(pattern, words, element + 1, i + 1);
    }
    if e.optional {
        best = best.max(match_at(pattern, words, element + 1, i));
    }
    best
}

/// The length of the longest match of `pattern` starting at `words[start]` (0: none).
fn match_len(pattern: &[Element], words: &[&str], start: usize) -> usize {
    match_at(pattern, words, 0, start).map_or(0, |end| end.saturating_sub(start))
}

/// Whether a request is empty: nothing but white space (Unicode `White_Space`).
#[must_use]
pub fn is_empty_request(request: &str) -> bool {
    request.chars().all(char::is_whitespace)
}

/// Turns a request into ranking words (the same in both engines).
///
/// # Errors
/// [`Error::Query`] when the request has nothing but white space.
pub fn analyze_request(request: &str, tables: &Tables, filler: bool) -> Result<RequestAnalysis> {
    if is_empty_request(request) {
        return Err(Error::Query {
            query: request.to_owned(),
            position: 0,
            message: EMPTY_REQUEST.to_owned(),
        });
    }
    let tokens = tokenize(request);
    let parts: Vec<&crate::analysis::Token> = tokens.iter().filter(|t| !t.whole).collect();
    let words: Vec<&str> = parts.iter().map(|t| t.text.as_str()).collect();
    let mut removed_filler: FxHashSet<u32> = FxHashSet::default();
    let mut removed_stop: FxHashSet<u32> = FxHashSet::default();
    if filler {
        let mut i = 0;
        while i < words.len() {
            let longest = tables
                .patterns
                .iter()
                .map(|p| match_len(p, &words, i))
                .max()
                .unwrap_or(0);
            if longest > 0 {
                removed_filler.extend(parts[i..i + longest].iter().map(|t| t.position));
                i += longest;
            } else {
                i += 1;
            }
        }
        for part in &parts {
            if !removed_filler.contains(&part.position) && tables.stopwords.contains(&part.text) {
                removed_stop.insert(part.position);
            }
        }
    }
    let removed = |p: u32| removed_filler.contains(&p) || removed_stop.contains(&p);
    let mut kept: Vec<&crate::analysis::Token> =
        tokens.iter().filter(|t| !removed(t.position)).collect();
    let fallback = kept.is_empty();
    if fallback {
        kept = tokens.iter().collect();
    }
    let mut terms: Vec<RequestTerm> = Vec::new();
    let mut seen: FxHashSet<String> = FxHashSet::default();
    for token in kept {
        let key = stem_key(&token.text).into_owned();
        if seen.insert(key.clone()) {
            terms.push(RequestTerm {
                key,
                text: token.text.clone(),
                generic: tables.generic.contains(&token.text),
            });
        }
    }
    let texts = |set: &FxHashSet<u32>| -> Vec<String> {
        parts
            .iter()
            .filter(|p| set.contains(&p.position))
            .map(|p| p.text.clone())
            .collect()
    };
    Ok(RequestAnalysis {
        terms,
        filler: texts(&removed_filler),
        stopwords: texts(&removed_stop),
        fallback,
    })
}
