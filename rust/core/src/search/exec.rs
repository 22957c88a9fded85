//! Query execution (SPEC.md §5). Execution is bottom-up: every plan
//! node yields its matching docs with their exact `f64` scores, summed from
//! 0.0 in the order the contract states (keys outer and fields inner in a
//! leaf, clause order in a group), in dense scratch arrays indexed by
//! global doc id that are reused between queries.
//!
//! Identical leaves share a slot of the plan: each slot is expanded once
//! (`budget`) and scored once, and every occurrence adds that same result
//! in its own place, so a repeated leaf costs one addition per doc and the
//! sums are exactly those of scoring it again.

use std::cell::RefCell;
use std::rc::Rc;

use super::budget::{expand, Expansions};
use super::options::SearchOptions;
use super::plan::{plan, Kind, LeafPlan, Plan, Planned};
use super::source::Source;
use super::terms::{stem_set, Handle};
use crate::analysis::stem_key;
use crate::error::Result;
use crate::postings::DocTerms;
use crate::query::Occur;
use crate::schema::Field;
use crate::scoring::Bm25;

/// The docs a node matches (in no particular order), with their exact
/// scores.
#[derive(Debug, Default)]
pub(super) struct Matches {
    pub(super) docs: Vec<u32>,
    pub(super) scores: Vec<f64>,
}

/// Dense per-doc scratch arrays, all zero between uses.
#[derive(Default)]
struct Scratch {
    acc: Vec<f64>,
    seen: Vec<bool>,
    touched: Vec<u32>,
    tf: Vec<u32>,
    dl: Vec<u32>,
    tf_touched: Vec<u32>,
    cnt: Vec<u32>,
    flag: Vec<u8>,
    /// `(global id, tf, dl)` of one term set in one field.
    buf: Vec<(u32, u32, u32)>,
    handles: Vec<Handle>,
    /// Set while a query runs: an error midway leaves the arrays dirty.
    dirty: bool,
}

impl Scratch {
    fn prepare(&mut self, n: usize) {
        if self.dirty || self.acc.len() != n {
            *self = Scratch {
                acc: vec![0.0; n],
                seen: vec![false; n],
                tf: vec![0; n],
                dl: vec![0; n],
                cnt: vec![0; n],
                flag: vec![0; n],
                ..Scratch::default()
            };
        }
        self.dirty = true;
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

const SHOULD: u8 = 1;
const EXCLUDED: u8 = 2;
const CANDIDATE: u8 = 4;

struct Exec<'a, S> {
    src: &'a S,
    opts: &'a SearchOptions,
    bm25: Bm25,
    n: u32,
    s: &'a mut Scratch,
    /// The term handles of each prefix and fuzzy slot.
    expansions: &'a Expansions,
    /// The matches of each slot scored so far.
    memo: Vec<Option<Rc<Matches>>>,
    /// Term sets of stem keys already looked up (by the pruning planner).
    known: &'a [Known],
}

/// A stem key's term set in one field, looked up before the run:
/// `(field, prefixed stem key, its terms)`.
pub(super) type Known = (Field, String, Vec<Handle>);

impl<S: Source> Exec<'_, S> {
    fn node(&mut self, p: &Plan) -> Result<Rc<Matches>> {
        match p {
            Plan::Leaf(leaf) => self.leaf(leaf),
            Plan::Or(clauses) => {
                let mut done = Vec::with_capacity(clauses.len());
                for (occur, child) in clauses {
                    done.push((*occur, self.node(child)?));
                }
                Ok(self.or(done))
            }
            Plan::And(children) => {
                let mut done = Vec::with_capacity(children.len());
                for child in children {
                    done.push((Occur::Must, self.node(child)?));
                }
                Ok(self.or(done))
            }
        }
    }

    /// Combines clauses (an `And` is an `Or` of must clauses).
    fn or(&mut self, mut clauses: Vec<(Occur, Rc<Matches>)>) -> Rc<Matches> {
        if clauses.len() == 1 && clauses[0].0 != Occur::MustNot {
            // 0.0 + s == s: the single clause's scores are the group's.
            return clauses.pop().map(|c| c.1).unwrap_or_default();
        }
        if clauses.iter().all(|c| c.0 == Occur::Should) {
            return Rc::new(self.or_should(&clauses));
        }
        let s = &mut *self.s;
        let n_must = clauses.iter().filter(|c| c.0 == Occur::Must).count() as u32;
        let has_should = clauses.iter().any(|c| c.0 == Occur::Should);
        let mut touched: Vec<u32> = Vec::new();
        for (occur, m) in &clauses {
            for &d in &m.docs {
                let i = d as usize;
                if s.cnt[i] == 0 && s.flag[i] == 0 {
                    touched.push(d);
                }
                match occur {
                    Occur::Must => s.cnt[i] += 1,
                    Occur::Should => s.flag[i] |= SHOULD,
                    Occur::MustNot => s.flag[i] |= EXCLUDED,
                }
            }
        }
        let docs: Vec<u32> = if n_must > 0 {
            touched
                .iter()
                .copied()
                .filter(|&d| s.cnt[d as usize] == n_must && s.flag[d as usize] & EXCLUDED == 0)
                .collect()
        } else if has_should {
            touched
                .iter()
                .copied()
                .filter(|&d| s.flag[d as usize] & (SHOULD | EXCLUDED) == SHOULD)
                .collect()
        } else {
            (0..self.n)
                .filter(|&d| s.flag[d as usize] & EXCLUDED == 0)
                .collect()
        };
        for &d in &docs {
            s.flag[d as usize] |= CANDIDATE;
        }
        for (occur, m) in &clauses {
            if *occur == Occur::MustNot {
                continue;
            }
            for (&d, &score) in m.docs.iter().zip(&m.scores) {
                if s.flag[d as usize] & CANDIDATE != 0 {
                    s.acc[d as usize] += score;
                }
            }
        }
        let mut scores = Vec::with_capacity(docs.len());
        for &d in &docs {
            let i = d as usize;
            scores.push(s.acc[i]);
            s.acc[i] = 0.0;
            s.flag[i] = 0;
        }
        for &d in &touched {
            s.cnt[d as usize] = 0;
            s.flag[d as usize] = 0;
        }
        Rc::new(Matches { docs, scores })
    }

    /// The common case of [`Self::or`]: only should clauses, so a doc
    /// matches when any clause does, and its score is the sum of the
    /// clauses' scores in clause order (each doc's `f64` additions happen in
    /// that order, as in the general path).
    fn or_should(&mut self, clauses: &[(Occur, Rc<Matches>)]) -> Matches {
        let s = &mut *self.s;
        let mut docs: Vec<u32> =
            Vec::with_capacity(clauses.iter().map(|c| c.1.docs.len()).max().unwrap_or(0));
        for (_, m) in clauses {
            for (&d, &score) in m.docs.iter().zip(&m.scores) {
                let i = d as usize;
                if !s.seen[i] {
                    s.seen[i] = true;
                    docs.push(d);
                }
                s.acc[i] += score;
            }
        }
        let mut scores = Vec::with_capacity(docs.len());
        for &d in &docs {
            let i = d as usize;
            scores.push(s.acc[i]);
            s.acc[i] = 0.0;
            s.seen[i] = false;
        }
        Matches { docs, scores }
    }

    /// A leaf's matches: scored at its slot's first occurrence, then shared.
    fn leaf(&mut self, leaf: &LeafPlan) -> Result<Rc<Matches>> {
        if let Some(Some(done)) = self.memo.get(leaf.slot) {
            return Ok(Rc::clone(done));
        }
        let m = Rc::new(self.score_leaf(leaf)?);
        if let Some(at) = self.memo.get_mut(leaf.slot) {
            *at = Some(Rc::clone(&m));
        }
        Ok(m)
    }

    fn score_leaf(&mut self, leaf: &LeafPlan) -> Result<Matches> {
        let fields = leaf.fields();
        let prefix = leaf.key.as_deref().unwrap_or("");
        let mut handles = std::mem::take(&mut self.s.handles);
        match &leaf.kind {
            Kind::Term(keys) => {
                let mut full = String::new();
                for key in keys {
                    full.clear();
                    full.push_str(prefix);
                    full.push_str(key);
                    let own = stem_key(&full) == full;
                    for &f in fields {
                        handles.clear();
                        match self.known.iter().find(|k| k.0 == f && k.1 == full) {
                            Some(k) => handles.extend_from_slice(&k.2),
                            None => stem_set(self.src, f, &full, own, &mut handles)?,
                        }
                        self.add_set(f, &handles)?;
                    }
                }
            }
            Kind::Prefix(_) | Kind::Fuzzy(..) => {
                // `expand` filled every prefix and fuzzy slot before the
                // run; a slot without sets would have no terms.
                let sets = self
                    .expansions
                    .get(leaf.slot)
                    .and_then(Option::as_ref)
                    .map_or(&[][..], Vec::as_slice);
                for (&f, set) in fields.iter().zip(sets) {
                    self.add_set(f, set)?;
                }
            }
            Kind::Phrase(tokens) => {
                if let [(only, _)] = tokens.as_slice() {
                    let full = format!("{prefix}{only}");
                    for &f in fields {
                        handles.clear();
                        for part in 0..self.src.num_parts() {
                            if let Some(ord) = self.src.dict(part, f)?.get(&full) {
                                handles.push((part, ord));
                            }
                        }
                        self.add_set(f, &handles)?;
                    }
                } else {
                    for &f in fields {
                        self.add_phrase(f, prefix, tokens)?;
                    }
                }
            }
        }
        self.s.handles = handles;
        Ok(self.take_leaf())
    }

    /// Adds the contributions of one term set in one field.
    fn add_set(&mut self, f: Field, handles: &[Handle]) -> Result<()> {
        let mut buf = std::mem::take(&mut self.s.buf);
        buf.clear();
        if let [(part, ord)] = handles {
            self.src
                .postings(*part, f, *ord, |g, tf, dl| buf.push((g, tf, dl)))?;
        } else if !handles.is_empty() {
            let s = &mut *self.s;
            for &(part, ord) in handles {
                self.src.postings(part, f, ord, |g, tf, dl| {
                    let i = g as usize;
                    if s.tf[i] == 0 {
                        s.tf_touched.push(g);
                        s.dl[i] = dl;
                    }
                    s.tf[i] += tf;
                })?;
            }
            for &g in &s.tf_touched {
                let i = g as usize;
                buf.push((g, s.tf[i], s.dl[i]));
                s.tf[i] = 0;
            }
            s.tf_touched.clear();
        }
        self.add_tfs(f, &buf);
        self.s.buf = buf;
        Ok(())
    }

    /// Adds BM25 contributions for `(doc, tf, dl)` of one term set (or
    /// phrase) in one field; `n` is their number.
    fn add_tfs(&mut self, f: Field, buf: &[(u32, u32, u32)]) {
        if buf.is_empty() {
            return;
        }
        let idf = Bm25::idf(f64::from(self.n), buf.len() as f64);
        let weight_idf = self.opts.weights[f.index()] * idf;
        let avgdl = self.src.avgdl(f);
        let s = &mut *self.s;
        for &(g, tf, dl) in buf {
            let i = g as usize;
            s.acc[i] += self
                .bm25
                .score(weight_idf, f64::from(tf), f64::from(dl), avgdl);
            if !s.seen[i] {
                s.seen[i] = true;
                s.touched.push(g);
            }
        }
    }

    /// Adds the contributions of a phrase of two or more tokens in one field.
    fn add_phrase(&mut self, f: Field, prefix: &str, tokens: &[(String, u32)]) -> Result<()> {
        // Distinct terms, and each token's term index.
        let mut terms: Vec<String> = Vec::new();
        let mut which: Vec<usize> = Vec::with_capacity(tokens.len());
        for (t, _) in tokens {
            let full = format!("{prefix}{t}");
            let i = terms.iter().position(|x| *x == full).unwrap_or_else(|| {
                terms.push(full);
                terms.len() - 1
            });
            which.push(i);
        }
        let mut out: Vec<(u32, u32, u32)> = Vec::new();
        let mut m = Matcher::new(tokens, which, terms.len());
        let mut ords: Vec<u64> = Vec::with_capacity(terms.len());
        for part in 0..self.src.num_parts() {
            let dict = self.src.dict(part, f)?;
            ords.clear();
            for t in &terms {
                match dict.get(t) {
                    Some(ord) => ords.push(ord),
                    None => break,
                }
            }
            if ords.len() < terms.len() {
                continue;
            }
            self.src.phrase_docs(part, f, &ords, |g, dl, doc| {
                let count = m.occurrences(doc)?;
                if count > 0 {
                    out.push((g, count, dl));
                }
                Ok(())
            })?;
        }
        self.add_tfs(f, &out);
        Ok(())
    }

    /// The leaf's matches from the accumulator, which is reset.
    fn take_leaf(&mut self) -> Matches {
        let s = &mut *self.s;
        let docs = std::mem::take(&mut s.touched);
        let mut scores = Vec::with_capacity(docs.len());
        for &d in &docs {
            let i = d as usize;
            scores.push(s.acc[i]);
            s.acc[i] = 0.0;
            s.seen[i] = false;
        }
        Matches { docs, scores }
    }
}

/// Counts a phrase's occurrences in docs, with scratch reused between them.
struct Matcher {
    /// Per token: its term (an index into the distinct terms) and its
    /// position relative to the first token.
    tokens: Vec<(usize, u32)>,
    /// The largest relative position.
    span: u64,
    /// Per term: its positions in the doc, once read.
    positions: Vec<Vec<u32>>,
    read: Vec<bool>,
    /// The tokens, fewest positions first, and each token's positions count.
    order: Vec<usize>,
    tfs: Vec<u32>,
    /// The positions where an occurrence may still start.
    starts: Vec<u32>,
}

impl Matcher {
    /// A matcher for `tokens` (text, relative position), token `t` being
    /// term `which[t]` of `n_terms`.
    fn new(tokens: &[(String, u32)], which: Vec<usize>, n_terms: usize) -> Matcher {
        let tokens: Vec<(usize, u32)> = which.into_iter().zip(tokens.iter().map(|t| t.1)).collect();
        Matcher {
            span: tokens.iter().map(|t| u64::from(t.1)).max().unwrap_or(0),
            order: (0..tokens.len()).collect(),
            tfs: Vec::with_capacity(tokens.len()),
            tokens,
            positions: vec![Vec::new(); n_terms],
            read: vec![false; n_terms],
            starts: Vec::new(),
        }
    }

    /// The number of occurrences in one doc holding every term: the
    /// positions `q` such that each token is at `q` + its relative position
    /// (the first token's relative position is 0). Tokens are checked
    /// fewest positions first, and a term's positions are decoded only as
    /// far as a start left can reach.
    fn occurrences(&mut self, doc: &mut dyn DocTerms) -> Result<u32> {
        let tokens = &self.tokens;
        let tfs = &mut self.tfs;
        tfs.clear();
        tfs.extend(tokens.iter().map(|&(j, _)| doc.tf(j)));
        self.order.sort_unstable_by_key(|&t| tfs[t]);
        self.read.fill(false);
        let Some((&lead, rest)) = self.order.split_first() else {
            return Ok(0);
        };
        // Every position of the rarest token gives a start.
        let (j, rel) = tokens[lead];
        let lead_positions = &mut self.positions[j];
        lead_positions.clear();
        doc.positions(j, u64::MAX, lead_positions)?;
        self.read[j] = true;
        self.starts.clear();
        self.starts
            .extend(lead_positions.iter().filter_map(|&p| p.checked_sub(rel)));
        for &t in rest {
            let Some(&last) = self.starts.last() else {
                return Ok(0);
            };
            let (j, rel) = tokens[t];
            let ps = &mut self.positions[j];
            if !self.read[j] {
                // No start left needs a position past this.
                ps.clear();
                doc.positions(j, u64::from(last) + self.span, ps)?;
                self.read[j] = true;
            }
            // Both lists ascend: one merge keeps the starts with token t at
            // their relative position.
            let rel = u64::from(rel);
            let mut at = 0usize;
            let mut kept = 0usize;
            for i in 0..self.starts.len() {
                let q = self.starts[i];
                let want = u64::from(q) + rel;
                while ps.get(at).is_some_and(|&p| u64::from(p) < want) {
                    at += 1;
                }
                match ps.get(at) {
                    Some(&p) if u64::from(p) == want => {
                        self.starts[kept] = q;
                        kept += 1;
                    }
                    Some(_) => {}
                    None => break,
                }
            }
            self.starts.truncate(kept);
        }
        Ok(self.starts.len() as u32)
    }
}

/// The docs `query` matches (in no particular order), with their exact
/// `f64` scores.
pub(super) fn run<S: Source>(src: &S, query: &str, opts: &SearchOptions) -> Result<Matches> {
    let planned = plan(src, query, opts)?;
    let expansions = expand(src, &planned, query)?;
    run_planned(src, &planned, &expansions, opts, &[])
}

/// [`run`] for a query already planned and expanded (within the budget).
pub(super) fn run_planned<S: Source>(
    src: &S,
    planned: &Planned,
    expansions: &Expansions,
    opts: &SearchOptions,
    known: &[Known],
) -> Result<Matches> {
    let n = src.n_docs();
    SCRATCH.with(|cell| {
        let mut guard = cell.borrow_mut();
        let scratch = &mut *guard;
        scratch.prepare(n as usize);
        let mut exec = Exec {
            src,
            opts,
            bm25: src.bm25(),
            n,
            s: scratch,
            expansions,
            memo: vec![None; planned.slots],
            known,
        };
        let out = exec.node(&planned.root)?;
        drop(exec);
        scratch.dirty = false;
        Ok(Rc::try_unwrap(out).unwrap_or_else(|shared| Matches {
            docs: shared.docs.clone(),
            scores: shared.scores.clone(),
        }))
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;

    /// A doc's positions per term, read as far as asked (plus one).
    struct Lists(Vec<Vec<u32>>);

    impl DocTerms for Lists {
        fn tf(&self, j: usize) -> u32 {
            self.0[j].len() as u32
        }

        fn positions(&mut self, j: usize, until: u64, out: &mut Vec<u32>) -> Result<()> {
            for &p in &self.0[j] {
                out.push(p);
                if u64::from(p) > until {
                    break;
                }
            }
            Ok(())
        }
    }

    proptest! {
        /// The matcher counts what a scan of every start counts, whatever
        /// order it reads the terms in and however little of them.
        #[test]
        fn matcher_counts_as_a_scan(
            lists in prop::collection::vec(prop::collection::btree_set(0u32..80, 1..30), 1..4),
            tokens in prop::collection::vec((0usize..4, 0u32..4), 1..6),
        ) {
            let lists: Vec<Vec<u32>> = lists.into_iter().map(|s: BTreeSet<u32>| s.into_iter().collect()).collect();
            let which: Vec<usize> = tokens.iter().map(|t| t.0 % lists.len()).collect();
            // Relative positions: 0 for the first token, then ascending.
            let mut rel = 0u32;
            let tokens: Vec<(String, u32)> = tokens
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    if i > 0 {
                        rel += t.1;
                    }
                    (String::new(), rel)
                })
                .collect();
            let scan = lists[which[0]]
                .iter()
                .filter(|&&q| {
                    which
                        .iter()
                        .zip(&tokens)
                        .all(|(&j, t)| lists[j].contains(&(q + t.1)))
                })
                .count() as u32;
            let mut m = Matcher::new(&tokens, which, lists.len());
            prop_assert_eq!(m.occurrences(&mut Lists(lists.clone())).unwrap(), scan);
            // Scratch reused for the next doc.
            prop_assert_eq!(m.occurrences(&mut Lists(lists)).unwrap(), scan);
        }
    }
}
