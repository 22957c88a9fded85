//! The stem map beside each field's term dictionary: `stem key \0 term` →
//! term ordinal, for the terms that are not their own stem key. Built the
//! same way by the in-memory index and by segments, read by the planner.

use std::borrow::Cow;

use crate::analysis::stem_key;

/// The stem map entries (`stem key \0 term` → ordinal, sorted) of terms
/// given in ordinal order; only terms that are not their own stem key.
pub(crate) fn stem_entries<'t>(terms: impl Iterator<Item = &'t str>) -> Vec<(Vec<u8>, u64)> {
    stem_entries_by(terms, stem_key)
}

/// [`stem_entries`] with the stem keys given by `key` (which must agree
/// with [`stem_key`]: a cache of it).
pub(crate) fn stem_entries_by<'t, 'k>(
    terms: impl Iterator<Item = &'t str>,
    key: impl Fn(&'t str) -> Cow<'k, str>,
) -> Vec<(Vec<u8>, u64)> {
    let mut out: Vec<(Vec<u8>, u64)> = terms
        .enumerate()
        .filter_map(|(ord, t)| entry_of(t, &key(t), ord as u64))
        .collect();
    out.sort_unstable();
    out
}

/// The stem map entry of term `t` with ordinal `ord`, unless `t` is its own
/// stem key.
pub(crate) fn stem_entry(t: &str, ord: u64) -> Option<(Vec<u8>, u64)> {
    entry_of(t, &stem_key(t), ord)
}

/// The stem map entry of term `t` with stem key `key` and ordinal `ord`,
/// unless `t` is its own stem key.
fn entry_of(t: &str, key: &str, ord: u64) -> Option<(Vec<u8>, u64)> {
    (key != t).then(|| {
        let mut k = Vec::with_capacity(key.len() + 1 + t.len());
        k.extend_from_slice(key.as_bytes());
        k.push(0);
        k.extend_from_slice(t.as_bytes());
        (k, ord)
    })
}

/// The range of stem map keys of one stem key: `[key \0, key \x01)`.
pub(crate) fn stem_range(key: &str) -> (Vec<u8>, Vec<u8>) {
    let mut lo = Vec::with_capacity(key.len() + 1);
    lo.extend_from_slice(key.as_bytes());
    let mut hi = lo.clone();
    lo.push(0);
    hi.push(1);
    (lo, hi)
}
