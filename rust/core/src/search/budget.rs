//! The expansion budget (SPEC.md §5, "Cost"): the prefix and fuzzy leaves
//! of a query are expanded before it runs, each distinct leaf once, in
//! query order, and the terms they expand to are counted (a fuzzy leaf at
//! least [`MIN_FUZZY_COST`], a prefix leaf at least [`MIN_PREFIX_COST`]);
//! each distinct phrase of two or more tokens counts [`PHRASE_COST`]. A query whose total passes
//! [`MAX_EXPANSION_TERMS`] is a query error at the leaf that passed it, so
//! no query can make the executor read an unbounded number of postings
//! lists or walk the dictionaries without end.

use std::collections::HashSet;
use std::sync::OnceLock;

use levenshtein_automata::{LevenshteinAutomatonBuilder, DFA};

use super::plan::{Kind, LeafPlan, Planned};
use super::source::Source;
use super::terms::{fuzzy_set, prefix_set, Handle};
use crate::error::{Error, Result};

/// The most `(field, term)` pairs the prefix and fuzzy leaves of one query
/// may expand to, summed over its distinct leaves. Chosen from
/// `../shared/corpora` (3,320 specs, 110,851 `(field, term)` pairs in all):
/// the widest single-letter prefix there (`s*`) expands to 10,328 and the
/// widest fuzzy word of one or two letters (`ai~2`) to 6,990, so a query
/// needs six of the widest one-letter prefixes to reach it (SPEC.md §5).
pub const MAX_EXPANSION_TERMS: usize = 65_536;

/// What a distinct fuzzy leaf counts at least: walking the dictionaries
/// with a Levenshtein automaton, and matching each line's tokens against it
/// for snippets, costs about as much as thousands of terms even when it
/// finds few, so one query holds at most 16 distinct fuzzy words.
pub const MIN_FUZZY_COST: usize = 4_096;

/// What a distinct prefix leaf counts at least (its postings and snippet
/// matching): one query holds at most 512 distinct prefix words.
pub const MIN_PREFIX_COST: usize = 128;

/// What a distinct phrase of two or more tokens counts (it decodes the
/// positions of each of its terms in each field, and `benches/hostile.py`
/// measured 256 distinct two-word phrases of frequent words at 0.39 s of
/// CPU): one query holds at most 64 of them.
pub const PHRASE_COST: usize = 1_024;

/// The term handles of each prefix or fuzzy slot, one list per field the
/// leaf searches (in [`LeafPlan::fields`] order); an empty list for a
/// phrase slot counted; `None` for other slots.
pub(super) type Expansions = Vec<Option<Vec<Vec<Handle>>>>;

/// The message of the budget's query error.
fn over_budget() -> String {
    format!("prefix, fuzzy and phrase words expand to more than {MAX_EXPANSION_TERMS} terms")
}

/// The budget's query error at `leaf` when `total` is past it.
fn check(total: usize, leaf: &LeafPlan, query: &str) -> Result<()> {
    if total > MAX_EXPANSION_TERMS {
        return Err(Error::Query {
            query: query.to_owned(),
            position: leaf.position,
            message: over_budget(),
        });
    }
    Ok(())
}

/// The fuzzy automaton of an unkeyed leaf: a Levenshtein DFA over UTF-8
/// bytes that counts characters, without transpositions, i.e. exactly what
/// the scan's `levenshtein_within` computes (tested below, any script); a
/// keyed leaf scans its key's range. The DFA is built from a parametric
/// automaton made once per distance and kept for the life of the process
/// (immutable tables, as a `const` would be): building one costs
/// milliseconds, a pattern's DFA then microseconds. (fst's own
/// `Levenshtein` took most of a fuzzy query's time, and missed matches when
/// a pattern character and a term character share a UTF-8 lead byte, so
/// non-ASCII patterns used to scan the whole dictionary.)
fn automaton(leaf: &LeafPlan, pattern: &str, d: u8) -> Option<DFA> {
    static BUILDERS: [OnceLock<LevenshteinAutomatonBuilder>; 3] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    if leaf.key.is_some() {
        return None;
    }
    let builder = BUILDERS
        .get(usize::from(d))?
        .get_or_init(|| LevenshteinAutomatonBuilder::new(d, false));
    Some(builder.build_dfa(pattern))
}

/// Expands every distinct prefix and fuzzy leaf of `planned` in query
/// order, counting the live terms (held by at least one live doc, each
/// term once per field however many segments hold it; a fuzzy or prefix
/// leaf counts at least [`MIN_FUZZY_COST`] or [`MIN_PREFIX_COST`]); the
/// total is checked after each leaf.
///
/// # Errors
/// [`Error::Query`] at the leaf that takes the total past
/// [`MAX_EXPANSION_TERMS`]; [`Error::Format`] when the index is corrupt.
pub(super) fn expand<S: Source>(src: &S, planned: &Planned, query: &str) -> Result<Expansions> {
    let mut out: Expansions = (0..planned.slots).map(|_| None).collect();
    let parts = src.num_parts();
    let all_live = (0..parts)
        .map(|p| src.all_live(p))
        .collect::<Result<Vec<bool>>>()?;
    let multi = parts > 1;
    let mut total = 0usize;
    let mut terms: Vec<Vec<u8>> = Vec::new();
    for leaf in planned.root.leaves() {
        if out.get(leaf.slot).is_none_or(Option::is_some) {
            continue;
        }
        let (pattern, distance) = match &leaf.kind {
            Kind::Prefix(p) => (p, None),
            Kind::Fuzzy(p, d) => (p, Some(*d)),
            Kind::Phrase(tokens) if tokens.len() > 1 => {
                out[leaf.slot] = Some(Vec::new());
                total += PHRASE_COST;
                check(total, leaf, query)?;
                continue;
            }
            Kind::Term(_) | Kind::Phrase(_) => continue,
        };
        let lev = distance.and_then(|d| automaton(leaf, pattern, d));
        let mut per_field = Vec::new();
        let mut count = 0usize;
        for &f in leaf.fields() {
            let mut handles: Vec<Handle> = Vec::new();
            terms.clear();
            let mut sink = |h: Handle, t: &[u8]| {
                handles.push(h);
                if multi {
                    terms.push(t.to_vec());
                }
            };
            let key = leaf.key.as_deref();
            match distance {
                None => prefix_set(src, f, key, pattern, &mut sink)?,
                Some(d) => fuzzy_set(src, f, key, pattern, d, lev.as_ref(), &mut sink)?,
            }
            let mut seen: HashSet<&[u8]> = HashSet::new();
            for (i, &(part, ord)) in handles.iter().enumerate() {
                let live = all_live[part] || {
                    let mut live = false;
                    src.postings(part, f, ord, |_, _, _| live = true)?;
                    live
                };
                if live && (!multi || terms.get(i).is_some_and(|t| seen.insert(t))) {
                    count += 1;
                }
            }
            per_field.push(handles);
        }
        total += count.max(if distance.is_some() {
            MIN_FUZZY_COST
        } else {
            MIN_PREFIX_COST
        });
        check(total, leaf, query)?;
        out[leaf.slot] = Some(per_field);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use fst::{IntoStreamer, Set, Streamer};
    use levenshtein_automata::LevenshteinAutomatonBuilder;

    use super::super::terms::levenshtein_within;

    /// The DFA a pattern is expanded with finds exactly the terms the scan
    /// finds (`levenshtein_within`), in any script (characters sharing a
    /// UTF-8 lead byte included), at every distance the query language allows.
    #[test]
    fn the_dfa_matches_the_scan() {
        const ALPHABET: &[char] = &['a', 'b', 'c', 'd', 'é', 'è', 'ß', '並', '-'];
        let mut state = 0x2545_F491_4F6C_DD1D_u64;
        let mut next = move |n: usize| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
        };
        let mut terms: Vec<String> = (0..3000)
            .map(|_| {
                let len = next(8);
                (0..len).map(|_| ALPHABET[next(ALPHABET.len())]).collect()
            })
            .collect();
        terms.sort();
        terms.dedup();
        let set = Set::from_iter(&terms).expect("sorted, distinct terms");
        for d in 0..=2u8 {
            let builder = LevenshteinAutomatonBuilder::new(d, false);
            for _ in 0..200 {
                let len = next(7);
                let pattern: String = (0..len).map(|_| ALPHABET[next(ALPHABET.len())]).collect();
                let dfa = builder.build_dfa(&pattern);
                let mut found = Vec::new();
                let mut stream = set.search(&dfa).into_stream();
                while let Some(t) = stream.next() {
                    found.push(String::from_utf8(t.to_vec()).expect("UTF-8 terms"));
                }
                let want: Vec<&String> = terms
                    .iter()
                    .filter(|t| levenshtein_within(t, &pattern, usize::from(d)))
                    .collect();
                assert_eq!(found.iter().collect::<Vec<_>>(), want, "{pattern:?} ~{d}");
            }
        }
    }
}
