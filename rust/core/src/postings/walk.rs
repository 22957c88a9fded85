//! Walks of `fst` maps along keys, many at a time: the dictionary, stem-map
//! and stem-union lookups of a query, in every part, go in turns so that
//! their cache misses overlap ([`walk_in_turns`]).

use fst::raw::{CompiledAddr, Fst, Output};

use super::prefetch;

/// A walk of an `fst` along a key, a byte at a time ([`walk_in_turns`]).
pub(crate) struct Walk<'a, D> {
    fst: &'a Fst<D>,
    key: &'a [u8],
    /// The node reached (`None`: the key leaves the automaton, or the walk
    /// has not started).
    at: Option<CompiledAddr>,
    /// The output along the way.
    out: Output,
}

impl<'a, D: AsRef<[u8]>> Walk<'a, D> {
    /// A walk of `fst` along `key`, to start at its root
    /// ([`walk_in_turns`]).
    pub(crate) fn new(fst: &'a Fst<D>, key: &'a [u8]) -> Self {
        Walk {
            fst,
            key,
            at: None,
            out: Output::zero(),
        }
    }

    /// Takes the `i`-th byte of its key (none past its end), and asks for
    /// the next node's bytes to be brought in.
    fn step(&mut self, i: usize) {
        let (Some(addr), Some(&b)) = (self.at, self.key.get(i)) else {
            return;
        };
        let node = self.fst.node(addr);
        self.at = node.find_input(b).map(|j| {
            let t = node.transition(j);
            self.out = self.out.cat(t.out);
            prefetch_node(self.fst.as_bytes(), t.addr);
            t.addr
        });
    }

    /// The value of its key, when the key is in the map (after the walk).
    pub(crate) fn value(&self) -> Option<u64> {
        let node = self.fst.node(self.at?);
        node.is_final()
            .then(|| self.out.cat(node.final_output()).value())
    }

    /// Calls `g(value)` for each key of the map that starts with its key,
    /// in key order (after the walk): the subtree below its node is listed
    /// depth first, smallest byte first (what a range stream gives, without
    /// its allocations and bound checks per key).
    pub(crate) fn below(&self, mut g: impl FnMut(u64)) {
        let Some(at) = self.at else {
            return;
        };
        let mut stack: Vec<(CompiledAddr, Output)> = vec![(at, self.out)];
        while let Some((addr, value)) = stack.pop() {
            let node = self.fst.node(addr);
            if node.is_final() {
                g(value.cat(node.final_output()).value());
            }
            for i in (0..node.len()).rev() {
                let t = node.transition(i);
                stack.push((t.addr, value.cat(t.out)));
            }
        }
    }
}

/// Walks every walk of `walks` to the end of its key, in turns: a byte of
/// each, then the next byte of each. One walk's nodes are a chain of
/// dependent reads, each a cache miss when the index is cold (a large
/// index, many queries); the walks of a query's words, fields and parts are
/// not, so each one's next node is prefetched while the others step, and
/// their misses overlap.
pub(crate) fn walk_in_turns<D: AsRef<[u8]>>(walks: &mut [Walk<'_, D>]) {
    // An automaton's root is written last, just before its footer.
    for w in walks.iter() {
        let bytes = w.fst.as_bytes();
        for line in 1..=ROOT_LINES {
            prefetch(bytes, bytes.len().saturating_sub(line * 64));
        }
    }
    for w in walks.iter_mut() {
        w.at = Some(w.fst.root().addr());
    }
    let longest = walks.iter().map(|w| w.key.len()).max().unwrap_or(0);
    for i in 0..longest {
        for w in walks.iter_mut() {
            w.step(i);
        }
    }
}

/// The lines before an automaton's end [`walk_in_turns`] asks for: its
/// root node, large when the root has many transitions.
const ROOT_LINES: usize = 4;

/// Asks for the bytes of the `fst` node at `addr` to be brought in: a
/// node's bytes end at its address, so the line of its address and the one
/// before it.
fn prefetch_node(bytes: &[u8], addr: CompiledAddr) {
    prefetch(bytes, addr);
    prefetch(bytes, addr.saturating_sub(64));
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use fst::{IntoStreamer, Map, Streamer};
    use proptest::prelude::*;

    use super::*;

    fn map_of(entries: &BTreeMap<Vec<u8>, u64>) -> Map<Vec<u8>> {
        Map::from_iter(entries.iter().map(|(k, &v)| (k, v))).unwrap_or_else(|e| panic!("{e}"))
    }

    proptest! {
        /// Walks of several maps along keys of different lengths, in
        /// turns, find what each map's own lookup and prefix range find:
        /// present, absent, empty and prefix keys, empty maps.
        #[test]
        fn walks_in_turns_find_what_each_lookup_finds(
            maps in prop::collection::vec(
                prop::collection::btree_map(prop::collection::vec(0u8..4, 0..5), 0u64..1000, 0..40),
                1..5,
            ),
            keys in prop::collection::vec((0usize..5, prop::collection::vec(0u8..4, 0..5)), 1..12),
        ) {
            let maps: Vec<Map<Vec<u8>>> = maps.iter().map(map_of).collect();
            let keys: Vec<(usize, Vec<u8>)> =
                keys.into_iter().map(|(m, k)| (m % maps.len(), k)).collect();
            let mut walks: Vec<Walk<'_, Vec<u8>>> =
                keys.iter().map(|(m, k)| Walk::new(maps[*m].as_fst(), k)).collect();
            walk_in_turns(&mut walks);
            for ((m, k), w) in keys.iter().zip(&walks) {
                let map = &maps[*m];
                prop_assert_eq!(w.value(), map.get(k));
                let mut want = Vec::new();
                let mut stream = map.range().ge(k).into_stream();
                while let Some((key, v)) = stream.next() {
                    if !key.starts_with(k) {
                        break;
                    }
                    want.push(v);
                }
                let mut got = Vec::new();
                w.below(|v| got.push(v));
                prop_assert_eq!(got, want);
            }
        }
    }
}
