//! Stem unions' document frequencies (SPEC.md §10, format 6).
//!
//! A term leaf searches, per field, every term of one stem key (its stem
//! variants), and BM25 scores their summed term frequency with the idf of
//! their *union*: the number of docs holding any variant. That number is not
//! the sum of the variants' dfs, and counting it at query time means
//! decoding every variant's list whole, which is what pruning avoids. So a
//! segment stores it: per field (section `50 + f`), an `fst::Map` from each
//! stem key that has two or more terms in the field's dictionary to the
//! number of the segment's docs (deleted ones included) that hold one of
//! them. Builder and merge both compute it here, from the finished term
//! dictionary's stem entries and the postings, through [`union_dfs`].

use std::path::Path;
use std::sync::Arc;

use fst::{IntoStreamer, Streamer};

use super::builder::fst_error;
use super::reader::SegmentReader;
use crate::analysis::stem_key;
use crate::error::{Error, Result};
use crate::postings::{decode_postings, stem_range};
use crate::schema::Field;

/// A stem key with two or more terms: the key, and its terms (members).
pub(crate) struct Group<M> {
    pub(crate) key: Vec<u8>,
    pub(crate) members: Vec<M>,
}

/// The stem key of a stem map key (`stem key \0 term`).
fn key_of(entry: &[u8]) -> &[u8] {
    let end = entry.iter().position(|&b| b == 0).unwrap_or(entry.len());
    &entry[..end]
}

/// Whether `key` is its own stem key (then the term `key`, when the
/// dictionary holds it, belongs to its group).
pub(crate) fn own_key(key: &[u8]) -> bool {
    std::str::from_utf8(key).is_ok_and(|k| stem_key(k) == k)
}

/// The stem keys of sorted stem map entries (`stem key \0 term` → ordinal),
/// each with the ordinals of its entries, in key order.
pub(crate) fn keys_of(stems: &[(Vec<u8>, u64)]) -> Vec<(&[u8], Vec<u64>)> {
    let mut out: Vec<(&[u8], Vec<u64>)> = Vec::new();
    for (entry, ord) in stems {
        let key = key_of(entry);
        match out.last_mut() {
            Some((k, ords)) if *k == key => ords.push(*ord),
            _ => out.push((key, vec![*ord])),
        }
    }
    out
}

/// The groups of a dictionary with two or more terms: from its sorted stem
/// entries, and `own(key)`, the ordinal of the term `key` when the
/// dictionary holds it and it is its own stem key.
pub(crate) fn groups(
    stems: &[(Vec<u8>, u64)],
    own: impl Fn(&[u8]) -> Option<u64>,
) -> Vec<Group<u64>> {
    keys_of(stems)
        .into_iter()
        .filter_map(|(key, ords)| {
            let mut members: Vec<u64> = own(key).into_iter().collect();
            members.extend(ords);
            (members.len() >= 2).then(|| Group {
                key: key.to_vec(),
                members,
            })
        })
        .collect()
}

/// Each group's union df: the number of distinct docs `docs(member, g)`
/// hands to `g` over its members (doc ids below `num_docs`; others are
/// ignored), as `(key, df)` in the groups' (key) order.
///
/// # Errors
/// What `docs` returns.
pub(crate) fn union_dfs<M>(
    groups: &[Group<M>],
    num_docs: u32,
    mut docs: impl FnMut(&M, &mut dyn FnMut(u32)) -> Result<()>,
) -> Result<Vec<(Vec<u8>, u64)>> {
    let mut out = Vec::with_capacity(groups.len());
    if groups.is_empty() {
        return Ok(out);
    }
    // The stamp of the last group that counted each doc (0: none).
    let mut mark = vec![0u32; num_docs as usize];
    for (i, g) in groups.iter().enumerate() {
        let stamp = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let mut df = 0u64;
        for m in &g.members {
            docs(m, &mut |d| {
                if let Some(at) = mark.get_mut(d as usize) {
                    if *at != stamp {
                        *at = stamp;
                        df += 1;
                    }
                }
            })?;
        }
        out.push((g.key.clone(), df));
    }
    Ok(out)
}

/// The section's bytes: an `fst::Map`, key → union df (keys sorted, distinct).
///
/// # Errors
/// [`Error::Io`] naming `path` (an `fst` error).
pub(crate) fn encode(path: &Path, dfs: &[(Vec<u8>, u64)]) -> Result<Vec<u8>> {
    let mut b = fst::MapBuilder::memory();
    for (k, v) in dfs {
        b.insert(k, *v).map_err(fst_error(path))?;
    }
    b.into_inner().map_err(fst_error(path))
}

/// The section of a dictionary whose terms' postings are at hand (the
/// builder's): `find(term)` is a term's ordinal; `list(ord, buf)` puts a
/// term's postings in `buf` (cleared) and returns its df.
///
/// # Errors
/// [`Error::Format`] naming `path` when a list does not decode.
pub(crate) fn section_of_lists(
    path: &Path,
    stems: &[(Vec<u8>, u64)],
    find: impl Fn(&[u8]) -> Option<usize>,
    num_docs: u32,
    mut list: impl FnMut(u64, &mut Vec<u8>) -> u32,
) -> Result<Vec<u8>> {
    let gs = groups(stems, |k| find(k).filter(|_| own_key(k)).map(|o| o as u64));
    let mut buf = Vec::new();
    let dfs = union_dfs(&gs, num_docs, |&ord, g| {
        buf.clear();
        let df = list(ord, &mut buf);
        decode_postings(&buf, df, num_docs, |d, _| g(d)).map_err(|d| Error::format(path, d))
    })?;
    encode(path, &dfs)
}

/// The section of a merge's output, from its sorted stem entries and the
/// inputs (`new_id`: per input and local id, the new local id, `u32::MAX`
/// for a doc dropped). The output's docs are the inputs' kept docs, so a
/// group's union df is its count of distinct kept docs over the inputs'
/// terms of its stem key.
///
/// # Errors
/// [`Error::Format`] when an input is corrupt; [`Error::Io`] naming `path`.
pub(crate) fn section_of_inputs(
    path: &Path,
    segs: &[Arc<SegmentReader>],
    new_id: &[Vec<u32>],
    f: Field,
    stems: &[(Vec<u8>, u64)],
) -> Result<Vec<u8>> {
    let num_docs = new_id.iter().flatten().filter(|&&n| n != u32::MAX).count();
    let num_docs = u32::try_from(num_docs).unwrap_or(u32::MAX);
    let kept = |i: usize, ord: u64, g: &mut dyn FnMut(u32)| -> Result<()> {
        let seg = &segs[i];
        let info = seg.info_at(f, ord)?;
        let map = &new_id[i];
        seg.postings(f, &info, |local, _| {
            // `local < num_docs` is checked by the decoder, and `map` has
            // one entry per local doc.
            let n = map[local as usize];
            if n != u32::MAX {
                g(n);
            }
        })
    };
    let mut gs: Vec<Group<(usize, u64)>> = Vec::new();
    for (key, ords) in keys_of(stems) {
        let Ok(k) = std::str::from_utf8(key) else {
            continue;
        };
        let own = own_key(key);
        let (lo, hi) = stem_range(k);
        let mut members = Vec::new();
        let mut own_terms = Vec::new();
        for (i, seg) in segs.iter().enumerate() {
            if own {
                if let Some(ord) = seg.dict(f)?.get(key) {
                    own_terms.push((i, ord));
                }
            }
            let mut stream = seg.stems(f)?.range().ge(&lo).lt(&hi).into_stream();
            while let Some((_, ord)) = stream.next() {
                members.push((i, ord));
            }
        }
        // The term `key` is in the output when one of its docs is kept.
        let mut own_kept = false;
        if ords.len() == 1 {
            for &(i, ord) in &own_terms {
                kept(i, ord, &mut |_| own_kept = true)?;
            }
        }
        if ords.len() >= 2 || own_kept {
            members.extend(own_terms);
            gs.push(Group {
                key: key.to_vec(),
                members,
            });
        }
    }
    let dfs = union_dfs(&gs, num_docs, |&(i, ord), g| kept(i, ord, g))?;
    encode(path, &dfs)
}

/// Checks a decoded union df against the segment's doc count.
pub(crate) fn check(df: u64, num_docs: u32, key: &str) -> std::result::Result<u32, String> {
    u32::try_from(df)
        .ok()
        .filter(|&d| d <= num_docs && d > 0)
        .ok_or_else(|| format!("stem union of {key:?}: df {df} out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::postings::stem_entries;

    #[test]
    fn groups_and_union_dfs() {
        // Terms in byte order; "review" is its own stem key.
        let terms = [
            "review",
            "reviewed",
            "reviewing",
            "reviews",
            "solo",
            "tests",
        ];
        let stems = stem_entries(terms.iter().copied());
        let own = |k: &[u8]| {
            let k = std::str::from_utf8(k).ok()?;
            let ord = terms.iter().position(|t| *t == k)?;
            own_key(k.as_bytes()).then_some(ord as u64)
        };
        let gs = groups(&stems, own);
        let keys: Vec<&[u8]> = gs.iter().map(|g| g.key.as_slice()).collect();
        assert_eq!(keys, [b"review".as_slice()]);
        assert_eq!(gs[0].members.len(), 4);
        let lists: [&[u32]; 6] = [&[0, 2, 5], &[2, 3], &[7], &[0, 9], &[1], &[4]];
        let dfs = union_dfs(&gs, 10, |&m, g| {
            lists[m as usize].iter().for_each(|&d| g(d));
            Ok(())
        })
        .unwrap();
        assert_eq!(dfs, [(b"review".to_vec(), 6)]);
        let bytes = encode(Path::new("x"), &dfs).unwrap();
        let map = fst::Map::new(bytes).unwrap();
        assert_eq!(map.get("review"), Some(6));
        assert_eq!(map.get("solo"), None);
    }
}
