//! Near-duplicate fingerprints: one-permutation `MinHash` over word 3-shingles.
//!
//! The algorithm is specified in `python/specsearch/dedup.py` (the Python
//! implementation, which also groups the fingerprints) and pinned by
//! `tests/vectors/dedup.json`, which both test suites read. This module only
//! computes fingerprints, fast and in parallel, for the native backend.
//!
//! 1. Words are maximal runs of ASCII letters and digits of the file's bytes,
//!    ASCII-lowercased (every other byte separates words).
//! 2. Shingles are runs of [`SHINGLE`] consecutive words joined by one space
//!    (a file of fewer words has one shingle: all its words).
//! 3. Each distinct shingle hashes to `h = crc32(shingle)` and falls in bin
//!    `h % BINS` with value `h / BINS`; a fingerprint is the minimum value of
//!    each bin (`None` when the bin is empty), and a file without words has
//!    none.

use std::path::Path;

use rayon::prelude::*;

/// Bins of a fingerprint.
pub const BINS: usize = 128;
/// Words per shingle.
pub const SHINGLE: usize = 3;

/// A fingerprint: the minimum value of each bin, `None` for an empty bin.
pub type Fingerprint = Vec<Option<u32>>;

/// The fingerprint of a file's bytes (`None` when it has no words).
///
/// A shingle seen twice changes no minimum, so none is remembered. The
/// words are written once, lowercased and joined by one space, so that each
/// shingle is one slice of that text, hashed in one call.
#[must_use]
pub fn fingerprint(bytes: &[u8]) -> Option<Fingerprint> {
    let mut joined: Vec<u8> = Vec::with_capacity(bytes.len());
    // Word i is `joined[spans[i].0..spans[i].1]`.
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut in_word = false;
    for &b in bytes {
        if b.is_ascii_alphanumeric() {
            if !in_word {
                if !joined.is_empty() {
                    joined.push(b' ');
                }
                spans.push((joined.len(), 0));
                in_word = true;
            }
            joined.push(b.to_ascii_lowercase());
        } else if in_word {
            in_word = false;
            if let Some(last) = spans.last_mut() {
                last.1 = joined.len();
            }
        }
    }
    if let (true, Some(last)) = (in_word, spans.last_mut()) {
        last.1 = joined.len();
    }
    if spans.is_empty() {
        return None;
    }
    let windows = spans.len().saturating_sub(SHINGLE - 1).max(1);
    let mut mins: Fingerprint = vec![None; BINS];
    // (A new hasher looks up the CPU's features; a clone does not.)
    let fresh = crc32fast::Hasher::new();
    for first in 0..windows {
        let last = (first + SHINGLE).min(spans.len()) - 1;
        let mut hasher = fresh.clone();
        hasher.update(&joined[spans[first].0..spans[last].1]);
        let h = hasher.finalize();
        // BINS is 128, so the bin index fits any usize and the value a u32.
        let bin = (h % 128) as usize;
        let value = h / 128;
        let slot = &mut mins[bin];
        if slot.is_none_or(|old| value < old) {
            *slot = Some(value);
        }
    }
    Some(mins)
}

/// The fingerprint of each file, in parallel: `None` for a file that cannot
/// be read, is larger than `max_bytes`, or has no words.
#[must_use]
pub fn fingerprint_files(paths: &[&Path], max_bytes: u64) -> Vec<Option<Fingerprint>> {
    paths
        .par_iter()
        .map(|path| {
            let meta = std::fs::metadata(path).ok()?;
            if !meta.is_file() || meta.len() > max_bytes {
                return None;
            }
            fingerprint(&std::fs::read(path).ok()?)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shared vectors: every case's fingerprint, bin by bin.
    #[test]
    fn matches_the_shared_vectors() {
        let doc: serde_json::Value =
            serde_json::from_str(include_str!("../../../tests/vectors/dedup.json")).unwrap();
        assert_eq!(doc["bins"].as_u64(), Some(BINS as u64));
        let cases = doc["cases"].as_array().unwrap();
        assert!(cases.len() >= 5);
        for case in cases {
            let text = case["text"].as_str().unwrap();
            let got = fingerprint(text.as_bytes());
            match case["bins"].as_object() {
                None => assert!(got.is_none(), "{}", case["name"]),
                Some(bins) => {
                    let got = got.unwrap();
                    let filled = got.iter().filter(|v| v.is_some()).count();
                    assert_eq!(filled, bins.len(), "{}", case["name"]);
                    for (bin, value) in bins {
                        let bin: usize = bin.parse().unwrap();
                        assert_eq!(
                            got[bin].map(u64::from),
                            value.as_u64(),
                            "{} bin {bin}",
                            case["name"]
                        );
                    }
                }
            }
        }
    }

    /// The algorithm as the module docs state it: distinct joined shingles.
    fn reference(bytes: &[u8]) -> Option<Fingerprint> {
        let words: Vec<Vec<u8>> = bytes
            .split(|b| !b.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(<[u8]>::to_ascii_lowercase)
            .collect();
        if words.is_empty() {
            return None;
        }
        let windows = words.len().saturating_sub(SHINGLE - 1).max(1);
        let shingles: std::collections::BTreeSet<Vec<u8>> = (0..windows)
            .map(|s| words[s..(s + SHINGLE).min(words.len())].join(&b' '))
            .collect();
        let mut mins: Fingerprint = vec![None; BINS];
        for shingle in shingles {
            let h = crc32fast::hash(&shingle);
            let slot = &mut mins[(h % 128) as usize];
            *slot = Some(slot.map_or(h / 128, |old| old.min(h / 128)));
        }
        Some(mins)
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_the_stated_algorithm(
            words in proptest::collection::vec("[a-cA-C0-2]{0,3}", 0..40),
            seps in proptest::collection::vec("[ ,.\\-\n\u{e9}]{1,2}", 40),
        ) {
            let mut text = String::new();
            for (w, sep) in words.iter().zip(&seps) {
                text.push_str(w);
                text.push_str(sep);
            }
            proptest::prop_assert_eq!(fingerprint(text.as_bytes()), reference(text.as_bytes()));
        }
    }

    #[test]
    fn unreadable_and_empty_files_have_none() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("e.md");
        std::fs::write(&empty, "¡¡ --").unwrap();
        let words = dir.path().join("w.md");
        std::fs::write(&words, "Async, RUST!").unwrap();
        let gone = dir.path().join("gone.md");
        let got = fingerprint_files(&[&empty, &words, &gone, dir.path()], 1 << 20);
        assert!(got[0].is_none() && got[2].is_none() && got[3].is_none());
        let h = crc32fast::hash(b"async rust");
        assert_eq!(got[1].as_ref().unwrap()[(h % 128) as usize], Some(h / 128));
    }
}
