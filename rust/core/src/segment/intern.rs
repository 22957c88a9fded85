//! The term interner of a segment builder's field: each distinct term gets
//! an id (in order of first appearance) and its text is kept once, back to
//! back with the others, so a new term costs no allocation of its own.
//!
//! The hash table holds, per term, its 64-bit hash, its length, up to
//! [`INLINE`] of its bytes and the caller's value for it (the segment
//! builder keeps none there: its slots stay small): a lookup of a short
//! term reads one slot, and a longer one compares the rest of its text only
//! when hash and length agree.

use std::hash::Hasher;

use hashbrown::hash_table::Entry;
use hashbrown::HashTable;

/// Bytes of a term kept in its slot.
const INLINE: usize = 19;

struct Slot<V> {
    hash: u64,
    id: u32,
    len: u8,
    /// The term's first bytes, zero-padded.
    head: [u8; INLINE],
    value: V,
}

/// The term's first bytes, zero-padded.
#[inline]
fn head_of(term: &[u8]) -> [u8; INLINE] {
    let mut head = [0u8; INLINE];
    let n = term.len().min(INLINE);
    head[..n].copy_from_slice(&term[..n]);
    head
}

/// The interner's hash of a term.
#[inline]
fn hash_of(term: &[u8]) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    h.write(term);
    h.finish()
}

/// The text of term `id`, given the interner's texts and their ends.
#[inline]
fn text_of<'t>(text: &'t str, ends: &[usize], id: u32) -> &'t str {
    let id = id as usize;
    let start = if id == 0 { 0 } else { ends[id - 1] };
    &text[start..ends[id]]
}

/// A term as its slot is looked up: its hash, length and first bytes.
struct Probe<'t> {
    term: &'t str,
    hash: u64,
    /// Terms are at most 64 characters (256 bytes) plus a key: a length
    /// that does not fit a byte is compared in full.
    len: u8,
    head: [u8; INLINE],
}

impl<'t> Probe<'t> {
    #[inline]
    fn of(term: &'t str) -> Self {
        Probe {
            term,
            hash: hash_of(term.as_bytes()),
            len: u8::try_from(term.len()).unwrap_or(u8::MAX),
            head: head_of(term.as_bytes()),
        }
    }

    /// Whether `s` is this term's slot (a short term is all in its head).
    #[inline]
    fn holds<V>(&self, s: &Slot<V>, text: &str, ends: &[usize]) -> bool {
        s.hash == self.hash
            && s.len == self.len
            && s.head == self.head
            && (self.term.len() <= INLINE || text_of(text, ends, s.id) == self.term)
    }
}

/// Distinct terms, numbered in order of first appearance, each with a value.
pub(super) struct Interner<V> {
    table: HashTable<Slot<V>>,
    /// The terms' texts back to back, in id order.
    text: String,
    /// Where each term's text ends in `text`.
    ends: Vec<usize>,
}

impl<V> Default for Interner<V> {
    fn default() -> Self {
        Interner {
            table: HashTable::new(),
            text: String::new(),
            ends: Vec::new(),
        }
    }
}

impl<V: Default> Interner<V> {
    /// The number of distinct terms.
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The memory the interner holds.
    #[cfg(test)]
    pub(super) fn heap(&self) -> usize {
        self.table.capacity() * (std::mem::size_of::<Slot<V>>() + 1)
            + self.text.capacity()
            + self.ends.capacity() * std::mem::size_of::<usize>()
    }

    /// The text of term `id`.
    pub(super) fn term(&self, id: u32) -> &str {
        text_of(&self.text, &self.ends, id)
    }

    /// The id of `term`, if it was interned (a hash lookup).
    #[inline]
    pub(super) fn find(&self, term: &str) -> Option<u32> {
        let p = Probe::of(term);
        self.table
            .find(p.hash, |s| p.holds(s, &self.text, &self.ends))
            .map(|s| s.id)
    }

    /// The id of `term`, its value (the default for a new term), and
    /// whether it is new.
    #[inline]
    pub(super) fn intern(&mut self, term: &str) -> (u32, &mut V, bool) {
        let p = Probe::of(term);
        let Self { table, text, ends } = self;
        let entry = table.entry(p.hash, |s| p.holds(s, text, ends), |s| s.hash);
        match entry {
            Entry::Occupied(o) => {
                let s = o.into_mut();
                (s.id, &mut s.value, false)
            }
            Entry::Vacant(v) => {
                let id = ends.len() as u32;
                text.push_str(term);
                ends.push(text.len());
                let s = v
                    .insert(Slot {
                        hash: p.hash,
                        id,
                        len: p.len,
                        head: p.head,
                        value: V::default(),
                    })
                    .into_mut();
                (id, &mut s.value, true)
            }
        }
    }

    /// The terms' values, by id.
    #[cfg(test)]
    pub(super) fn values(&self) -> Vec<&V> {
        let mut out: Vec<Option<&V>> = vec![None; self.len()];
        for s in &self.table {
            out[s.id as usize] = Some(&s.value);
        }
        // Every id has its slot, so nothing is left out.
        out.into_iter().flatten().collect()
    }

    /// The term ids in byte order of their texts.
    pub(super) fn sorted(&self) -> Vec<u32> {
        // Sort by the first 8 bytes (big-endian, zero-padded: no term holds
        // a NUL, so padding sorts first as a shorter term does), then by
        // the rest.
        let mut keyed: Vec<(u64, u32)> = (0..self.len() as u32)
            .map(|id| {
                let t = self.term(id).as_bytes();
                let mut b = [0u8; 8];
                let n = t.len().min(8);
                b[..n].copy_from_slice(&t[..n]);
                (u64::from_be_bytes(b), id)
            })
            .collect();
        keyed.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| self.term(a.1).as_bytes().cmp(self.term(b.1).as_bytes()))
        });
        keyed.into_iter().map(|(_, id)| id).collect()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use proptest::prelude::*;

    fn term() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-c]{1,3}",
            "[a-z\u{1f}]{1,30}",
            "[a-b]{17,22}",
            "[ä-ü\u{4e00}-\u{4e05}x]{1,12}",
        ]
    }

    proptest! {
        /// The interner agrees with a `BTreeMap` reference: same ids for the
        /// same terms, ids in first-appearance order, texts kept, and the
        /// sorted order is the byte order.
        #[test]
        fn interner_matches_a_btreemap(terms in proptest::collection::vec(term(), 0..400)) {
            let mut it: Interner<u32> = Interner::default();
            let mut reference: BTreeMap<String, u32> = BTreeMap::new();
            for t in &terms {
                let next = reference.len() as u32;
                let want = *reference.entry(t.clone()).or_insert(next);
                let (id, count, new) = it.intern(t);
                *count += 1;
                prop_assert_eq!(id, want);
                prop_assert_eq!(new, want == next);
                prop_assert_eq!(it.term(id), t.as_str());
                prop_assert_eq!(it.find(t), Some(id));
            }
            prop_assert_eq!(it.find("\u{1f}absent"), None);
            prop_assert_eq!(it.len(), reference.len());
            let sorted: Vec<u32> = reference.values().copied().collect();
            prop_assert_eq!(it.sorted(), sorted);
            let mut counts = vec![0u32; reference.len()];
            for t in &terms {
                counts[reference[t] as usize] += 1;
            }
            prop_assert_eq!(it.values().into_iter().copied().collect::<Vec<u32>>(), counts);
        }
    }
}
