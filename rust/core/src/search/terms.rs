//! Term sets: the terms of one leaf in each part's dictionaries, as
//! `(part, ordinal)` handles (stem variants, prefixes, fuzzy matches).

use fst::automaton::Str;
use fst::{Automaton, IntoStreamer, Streamer};
use levenshtein_automata::DFA;

use super::plan::key_range;
use super::source::Source;
use crate::error::Result;
use crate::postings::stem_range;
use crate::schema::Field;

/// A term of one part: `(part, ordinal)`.
pub(crate) type Handle = (usize, u64);

/// Levenshtein distance in code points, when it is at most `max`.
pub(super) fn levenshtein_within(a: &str, b: &str, max: usize) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > max {
            return false;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()] <= max
}

fn has_separator(term: &[u8]) -> bool {
    term.contains(&0x1f)
}

/// Hands each term of a stream to `out` (with its bytes), skipping keyed
/// terms when `unkeyed`.
fn collect_stream<I>(stream: I, part: usize, unkeyed: bool, out: &mut impl FnMut(Handle, &[u8]))
where
    I: for<'a> Streamer<'a, Item = (&'a [u8], u64)>,
{
    let mut stream = stream;
    while let Some((t, ord)) = stream.next() {
        if !(unkeyed && has_separator(t)) {
            out((part, ord), t);
        }
    }
}

/// The terms of field `f` whose stem key is `key` (already prefixed);
/// `own` tells whether `key` is its own stem key.
pub(crate) fn stem_set<S: Source>(
    src: &S,
    f: Field,
    key: &str,
    own: bool,
    out: &mut Vec<Handle>,
) -> Result<()> {
    let (lo, hi) = stem_range(key);
    for part in 0..src.num_parts() {
        if own {
            if let Some(ord) = src.dict(part, f)?.get(key) {
                out.push((part, ord));
            }
        }
        let stems = src.stems(part, f)?;
        if !stems.is_empty() {
            let mut stream = stems.range().ge(&lo).lt(&hi).into_stream();
            while let Some((_, ord)) = stream.next() {
                out.push((part, ord));
            }
        }
    }
    Ok(())
}

/// Hands each term of field `f` starting with `pattern` (after `key`) to
/// `out`, with its bytes.
pub(super) fn prefix_set<S: Source>(
    src: &S,
    f: Field,
    key: Option<&str>,
    pattern: &str,
    out: &mut impl FnMut(Handle, &[u8]),
) -> Result<()> {
    let full = format!("{}{pattern}", key.unwrap_or(""));
    for part in 0..src.num_parts() {
        let dict = src.dict(part, f)?;
        let aut = Str::new(&full).starts_with();
        collect_stream(dict.search(aut).into_stream(), part, key.is_none(), out);
    }
    Ok(())
}

/// Hands each term of field `f` within distance `d` of `pattern` (after
/// `key`) to `out`, with its bytes.
pub(super) fn fuzzy_set<S: Source>(
    src: &S,
    f: Field,
    key: Option<&str>,
    pattern: &str,
    d: u8,
    lev: Option<&DFA>,
    out: &mut impl FnMut(Handle, &[u8]),
) -> Result<()> {
    let max = usize::from(d);
    for part in 0..src.num_parts() {
        let dict = src.dict(part, f)?;
        match (key, lev) {
            (None, Some(lev)) => {
                collect_stream(dict.search(lev).into_stream(), part, true, out);
            }
            (None, None) => {
                let mut stream = dict.stream();
                while let Some((t, ord)) = stream.next() {
                    if has_separator(t) {
                        continue;
                    }
                    if std::str::from_utf8(t).is_ok_and(|t| levenshtein_within(t, pattern, max)) {
                        out((part, ord), t);
                    }
                }
            }
            (Some(key), _) => {
                let (lo, hi) = key_range(key);
                let mut stream = dict.range().ge(&lo).lt(&hi).into_stream();
                while let Some((t, ord)) = stream.next() {
                    let rest = &t[lo.len()..];
                    if std::str::from_utf8(rest).is_ok_and(|t| levenshtein_within(t, pattern, max))
                    {
                        out((part, ord), t);
                    }
                }
            }
        }
    }
    Ok(())
}
