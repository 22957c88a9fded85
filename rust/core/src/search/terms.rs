//! Term sets: the terms of one leaf in each part's dictionaries, as
//! `(part, ordinal)` handles (stem variants, prefixes, fuzzy matches).

use std::ops::Range;

use fst::automaton::Str;
use fst::{Automaton, IntoStreamer, Streamer};
use levenshtein_automata::DFA;

use super::plan::key_range;
use super::source::Source;
use crate::analysis::stem_key;
use crate::error::Result;
use crate::postings::{stem_range, walk_in_turns, Walk};
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

/// Sets `full` to stem key `key` under the key prefix `prefix` (a field
/// key's, or none), and tells whether it is its own stem key.
pub(crate) fn prefixed(full: &mut String, prefix: &str, key: &str) -> bool {
    full.clear();
    full.push_str(prefix);
    full.push_str(key);
    stem_key(full) == *full
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
    stem_set_in(src, f, key, own, 0..src.num_parts(), out)
}

/// [`stem_set`] in the parts `parts` only.
pub(crate) fn stem_set_in<S: Source>(
    src: &S,
    f: Field,
    key: &str,
    own: bool,
    parts: Range<usize>,
    out: &mut Vec<Handle>,
) -> Result<()> {
    stem_sets_in(src, &[(f, key, own)], parts, std::slice::from_mut(out))
}

/// [`stem_set_in`] of each `(field, key, own)` of `sets`, into the `outs`
/// of the same index: the dictionary and stem-map walks of all of them,
/// in every part, go in turns ([`walk_in_turns`]).
pub(crate) fn stem_sets_in<S: Source>(
    src: &S,
    sets: &[(Field, &str, bool)],
    parts: Range<usize>,
    outs: &mut [Vec<Handle>],
) -> Result<()> {
    let prefixes: Vec<Vec<u8>> = sets.iter().map(|&(_, key, _)| stem_range(key).0).collect();
    // Per set and part: its dictionary walk (when its key is its own stem
    // key), then its stem-map walk.
    let mut walks = Vec::with_capacity(sets.len() * parts.len() * 2);
    for (&(f, key, own), prefix) in sets.iter().zip(&prefixes) {
        for part in parts.clone() {
            if own {
                walks.push(Walk::new(src.dict(part, f)?.as_fst(), key.as_bytes()));
            }
            walks.push(Walk::new(src.stems(part, f)?.as_fst(), prefix));
        }
    }
    walk_in_turns(&mut walks);
    let mut walks = walks.iter();
    for (&(_, _, own), out) in sets.iter().zip(outs) {
        for part in parts.clone() {
            if own {
                if let Some(ord) = walks.next().and_then(Walk::value) {
                    out.push((part, ord));
                }
            }
            if let Some(w) = walks.next() {
                w.below(|ord| out.push((part, ord)));
            }
        }
    }
    Ok(())
}

/// Calls `g(value)` for each key of `map` that starts with `prefix`, in key
/// order ([`Walk::below`]).
#[cfg(test)]
fn with_prefix<D: AsRef<[u8]>>(map: &fst::Map<D>, prefix: &[u8], g: impl FnMut(u64)) {
    let mut walk = Walk::new(map.as_fst(), prefix);
    walk_in_turns(std::slice::from_mut(&mut walk));
    walk.below(g);
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use fst::{IntoStreamer, Map, Streamer};
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The prefix walk lists what a range stream over `[key \0, key
        /// \x01)` lists, in the same order, for present and absent keys,
        /// keys that prefix others, and the empty map.
        #[test]
        fn prefix_walk_equals_the_range_stream(
            entries in prop::collection::btree_map(
                (prop::collection::vec(0u8..4, 0..4), prop::collection::vec(0u8..5, 0..4)),
                0u64..1000,
                0..60,
            ),
            probe in prop::collection::vec(0u8..4, 0..4),
        ) {
            // `stem key \0 term` (bytes 0 only as the separator: keys from
            // `a`.., terms may hold any byte 0..5 shifted past it).
            let keyed: BTreeMap<Vec<u8>, u64> = entries
                .iter()
                .map(|((k, t), &v)| {
                    let mut e: Vec<u8> = k.iter().map(|b| b + b'a').collect();
                    e.push(0);
                    e.extend(t.iter().map(|b| b + 1));
                    (e, v)
                })
                .collect();
            let map = Map::from_iter(keyed).unwrap_or_else(|e| panic!("{e}"));
            let key: String = probe.iter().map(|b| char::from(b + b'a')).collect();
            let (lo, hi) = stem_range(&key);
            let mut want = Vec::new();
            let mut stream = map.range().ge(&lo).lt(&hi).into_stream();
            while let Some((_, v)) = stream.next() {
                want.push(v);
            }
            let mut got = Vec::new();
            with_prefix(&map, &lo, |v| got.push(v));
            prop_assert_eq!(got, want);
        }
    }
}
