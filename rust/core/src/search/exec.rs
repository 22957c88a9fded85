//! Query execution (SPEC.md §5). Execution is bottom-up: every plan
//! node yields its matching docs with their exact `f64` scores, summed from
//! 0.0 in the order the contract states (keys outer and fields inner in a
//! leaf, clause order in a group), in dense scratch arrays indexed by
//! global doc id that are reused between queries.
//!
//! A group adds its leaves straight from the leaf's scratch arrays into its
//! own, clause after clause, and scores a clause only on the docs that can
//! still match (those that every earlier must clause matched and no
//! must-not clause did, and, when a later must leaf is much rarer than the
//! first must clause, that leaf holds: its docs are marked first): each
//! doc's additions are those of the contract, in its order, whatever it
//! skips.
//!
//! Identical leaves share a slot of the plan: each slot is expanded once
//! (`budget`) and scored once, and every occurrence adds that same result
//! in its own place, so a repeated leaf costs one addition per doc and the
//! sums are exactly those of scoring it again.

use std::cell::RefCell;
use std::ops::Range;
use std::rc::Rc;

use super::budget::{expand, Expansions};
use super::collect::{top_k, top_k_of, TopDocs};
use super::options::SearchOptions;
use super::plan::{plan, Identity, Kind, LeafPlan, Plan, Planned};
use super::source::Source;
use super::terms::{prefixed, stem_set, Handle};
use crate::error::Result;
use crate::postings::{prefetch, worth_prefetching, DocTerms};
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
    /// A leaf's sums, whether a doc is among its docs, and its docs.
    acc: Vec<f64>,
    seen: Vec<bool>,
    touched: Vec<u32>,
    /// A term set's summed tf and its dl, per doc of a part with several
    /// of its terms, and those docs.
    tf: Vec<u32>,
    dl: Vec<u32>,
    tf_touched: Vec<u32>,
    /// A group's sums, its must clauses each doc matched so far, its flags
    /// per doc, and its docs.
    gacc: Vec<f64>,
    gcnt: Vec<u32>,
    gflag: Vec<u8>,
    gtouched: Vec<u32>,
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
                gacc: vec![0.0; n],
                gcnt: vec![0; n],
                gflag: vec![0; n],
                ..Scratch::default()
            };
        }
        self.dirty = true;
    }
}

/// A group's scratch arrays, borrowed apart from the others (so that hot
/// loops keep them in registers).
struct GroupArrays<'a> {
    acc: &'a mut [f64],
    cnt: &'a mut [u32],
    flag: &'a mut [u8],
    touched: &'a mut Vec<u32>,
}

impl GroupArrays<'_> {
    /// Adds one clause's score of doc `d` to the group.
    #[allow(clippy::inline_always)] // the loop body of `fill_group`: measured not inlined otherwise
    #[inline(always)]
    fn add(&mut self, d: u32, score: f64, must: bool) {
        let i = d as usize;
        if self.cnt[i] == 0 && self.flag[i] == 0 {
            self.touched.push(d);
        }
        self.acc[i] += score;
        if must {
            self.cnt[i] += 1;
        } else {
            self.flag[i] |= SHOULD;
        }
    }
}

/// Whether doc `i` can still match the group being combined: every must
/// clause before this one matched it (`need` of them, counted in `cnt`), no
/// must-not clause did, and, with `gate` [`RARE`], the group's rarest must
/// leaf holds it.
#[inline]
fn wanted(cnt: &[u32], flag: &[u8], i: usize, need: u32, gate: u8) -> bool {
    cnt[i] == need && flag[i] & (EXCLUDED | gate) == gate
}

/// Whether doc `i` matches a group of `n_must` must clauses (with should
/// clauses when there are none) once every clause was added.
#[inline]
fn matched(cnt: &[u32], flag: &[u8], i: usize, n_must: u32) -> bool {
    let ok = if n_must > 0 {
        cnt[i] == n_must
    } else {
        flag[i] & SHOULD != 0
    };
    ok && flag[i] & EXCLUDED == 0
}

/// A combined group: its matches, or, in the group's scratch arrays, its
/// number of must clauses and whether it has should clauses.
enum Filled {
    Matches(Rc<Matches>),
    Arrays(u32, bool),
}

/// The clauses of a group node (an `And`'s are must clauses); none for a
/// leaf.
fn group_clauses(p: &Plan) -> Vec<(Occur, &Plan)> {
    match p {
        Plan::Leaf(_) => Vec::new(),
        Plan::Or(clauses) => clauses.iter().map(|(o, c)| (*o, c)).collect(),
        Plan::And(children) => children.iter().map(|c| (Occur::Must, c)).collect(),
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// How many docs ahead [`Exec::add_tfs`] asks for a doc's lines.
const AHEAD: usize = 16;

const SHOULD: u8 = 1;
const EXCLUDED: u8 = 2;
/// A doc of the group's rarest must leaf, marked before any clause is
/// scored ([`Exec::mark_rare`]).
const RARE: u8 = 4;

/// A group's rarest must leaf is marked first when its postings are at
/// most this fraction of its first must clause's: the first clause is then
/// scored on the marked docs only instead of on all of its own, for the
/// price of reading the rare leaf's postings twice.
const RARE_RATIO: u64 = 4;

struct Exec<'a, S> {
    src: &'a S,
    opts: &'a SearchOptions,
    bm25: Bm25,
    n: u32,
    s: &'a mut Scratch,
    /// The term handles of each prefix and fuzzy slot.
    expansions: &'a Expansions,
    /// The matches of each slot scored so far (slots used more than once).
    memo: Vec<Option<Rc<Matches>>>,
    /// How many leaves of the plan each slot stands for.
    uses: Vec<u32>,
    /// While a group's leaf is scored: only the docs [`wanted`] with this
    /// `need` (and this `gate`) are scored.
    want: Option<u32>,
    gate: u8,
    /// Term sets of stem keys already looked up (by the pruning planner).
    known: &'a [Known],
}

/// A leaf's term set in one field: `(field, its terms)`.
type TermSet = (Field, Vec<Handle>);

/// A stem key's term set in one field, looked up before the run:
/// `(field, prefixed stem key, its terms)`.
pub(super) type Known = (Field, String, Vec<Handle>);

impl<S: Source> Exec<'_, S> {
    fn node(&mut self, p: &Plan) -> Result<Rc<Matches>> {
        match p {
            Plan::Leaf(leaf) => self.leaf(leaf),
            Plan::Or(_) | Plan::And(_) => match self.fill_group(&group_clauses(p))? {
                Filled::Matches(m) => Ok(m),
                Filled::Arrays(n_must, has_should) => {
                    Ok(Rc::new(self.take_group(n_must, has_should)))
                }
            },
        }
    }

    /// The `k` best hits of the plan: a group's straight from its scratch
    /// arrays.
    fn top(&mut self, p: &Plan, k: usize) -> Result<TopDocs> {
        let filled = match p {
            Plan::Leaf(_) => Filled::Matches(self.node(p)?),
            Plan::Or(_) | Plan::And(_) => self.fill_group(&group_clauses(p))?,
        };
        Ok(match filled {
            Filled::Matches(m) => top_k(&m.docs, &m.scores, k),
            Filled::Arrays(n_must, has_should) if n_must > 0 || has_should => {
                let s = &*self.s;
                let (gacc, gcnt, gflag) = (&s.gacc[..], &s.gcnt[..], &s.gflag[..]);
                let hits = s
                    .gtouched
                    .iter()
                    .filter(|&&d| matched(gcnt, gflag, d as usize, n_must))
                    .map(|&d| (d, gacc[d as usize]));
                let top = top_k_of(hits, k);
                self.reset_group();
                top
            }
            Filled::Arrays(n_must, has_should) => {
                let m = self.take_group(n_must, has_should);
                top_k(&m.docs, &m.scores, k)
            }
        })
    }

    /// Combines clauses (an `And` is an `Or` of must clauses) in the
    /// group's scratch arrays.
    fn fill_group(&mut self, clauses: &[(Occur, &Plan)]) -> Result<Filled> {
        if let [(occur, child)] = clauses {
            if *occur != Occur::MustNot {
                // 0.0 + s == s: the single clause's scores are the group's.
                return Ok(Filled::Matches(self.node(child)?));
            }
        }
        // Nested groups, repeated leaves and must-not clauses first, as
        // matches: the group's scratch is theirs until they return. The
        // other leaves are scored in their turn below.
        let mut done: Vec<Option<Rc<Matches>>> = Vec::with_capacity(clauses.len());
        for &(occur, child) in clauses {
            done.push(match child {
                Plan::Leaf(leaf)
                    if occur != Occur::MustNot && self.uses.get(leaf.slot) == Some(&1) =>
                {
                    None
                }
                _ => Some(self.node(child)?),
            });
        }
        // Must-not clauses add nothing: their docs are set aside first.
        let mut excluded = false;
        for (&(occur, _), m) in clauses.iter().zip(&done) {
            if let (Occur::MustNot, Some(m)) = (occur, m) {
                let s = &mut *self.s;
                for &d in &m.docs {
                    let i = d as usize;
                    if s.gcnt[i] == 0 && s.gflag[i] == 0 {
                        s.gtouched.push(d);
                    }
                    s.gflag[i] |= EXCLUDED;
                    excluded = true;
                }
            }
        }
        // A must leaf much rarer than the first must clause: its docs are
        // marked, and every clause is scored on them only (no other doc
        // can match), the first one included.
        let gate = if self.mark_rare(clauses, &done)? {
            RARE
        } else {
            0
        };
        // The others in clause order, each on the docs that can still match.
        let mut musts = 0u32;
        let mut has_should = false;
        for (&(occur, child), m) in clauses.iter().zip(&done) {
            let must = match occur {
                Occur::MustNot => continue,
                Occur::Must => true,
                Occur::Should => false,
            };
            has_should |= !must;
            let want = (musts > 0 || excluded || gate != 0).then_some(musts);
            if let (None, Plan::Leaf(leaf)) = (m, child) {
                self.want = want;
                self.gate = gate;
                self.fill_leaf(leaf)?;
                self.want = None;
                self.gate = 0;
            }
            let Scratch {
                acc,
                seen,
                touched,
                gacc,
                gcnt,
                gflag,
                gtouched,
                ..
            } = &mut *self.s;
            let mut group = GroupArrays {
                acc: gacc,
                cnt: gcnt,
                flag: gflag,
                touched: gtouched,
            };
            if let Some(m) = m {
                for (&d, &score) in m.docs.iter().zip(&m.scores) {
                    if want.is_none_or(|need| wanted(group.cnt, group.flag, d as usize, need, gate))
                    {
                        group.add(d, score, must);
                    }
                }
            } else {
                // A leaf scored just now: its docs are the wanted ones.
                for &d in touched.iter() {
                    let i = d as usize;
                    group.add(d, acc[i], must);
                    acc[i] = 0.0;
                    seen[i] = false;
                }
                touched.clear();
            }
            if must {
                musts += 1;
            }
        }
        Ok(Filled::Arrays(musts, has_should))
    }

    /// The group's matches (`n_must` must clauses, should clauses or not)
    /// from its scratch arrays, which are reset.
    fn take_group(&mut self, n_must: u32, has_should: bool) -> Matches {
        let s = &*self.s;
        let (gacc, gcnt, gflag) = (&s.gacc[..], &s.gcnt[..], &s.gflag[..]);
        let mut docs = Vec::new();
        let mut scores = Vec::new();
        if n_must == 0 && !has_should {
            // Only must-not clauses: every other doc, scored 0.
            docs = (0..self.n)
                .filter(|&d| gflag[d as usize] & EXCLUDED == 0)
                .collect();
            scores = vec![0.0; docs.len()];
        } else {
            docs.reserve(s.gtouched.len());
            scores.reserve(s.gtouched.len());
            for &d in &s.gtouched {
                if matched(gcnt, gflag, d as usize, n_must) {
                    docs.push(d);
                    scores.push(gacc[d as usize]);
                }
            }
        }
        self.reset_group();
        Matches { docs, scores }
    }

    /// Zeroes the group's scratch arrays.
    fn reset_group(&mut self) {
        let Scratch {
            gacc,
            gcnt,
            gflag,
            gtouched,
            ..
        } = &mut *self.s;
        for &d in gtouched.iter() {
            let i = d as usize;
            gacc[i] = 0.0;
            gcnt[i] = 0;
            gflag[i] = 0;
        }
        gtouched.clear();
    }

    /// A leaf's matches: scored at its slot's first occurrence, then shared.
    fn leaf(&mut self, leaf: &LeafPlan) -> Result<Rc<Matches>> {
        if let Some(Some(done)) = self.memo.get(leaf.slot) {
            return Ok(Rc::clone(done));
        }
        self.fill_leaf(leaf)?;
        let m = Rc::new(self.take_leaf());
        if let Some(at) = self.memo.get_mut(leaf.slot) {
            *at = Some(Rc::clone(&m));
        }
        Ok(m)
    }

    /// The term sets `(field, terms)` of a term leaf, keys outer and fields
    /// inner (`None` for other leaves).
    fn term_sets(&self, leaf: &LeafPlan) -> Result<Option<Vec<TermSet>>> {
        let Kind::Term(keys) = &leaf.kind else {
            return Ok(None);
        };
        let prefix = leaf.key.as_deref().unwrap_or("");
        let mut out = Vec::new();
        let mut full = String::new();
        for key in keys {
            let own = prefixed(&mut full, prefix, key);
            for &f in leaf.fields() {
                let mut handles = Vec::new();
                match self.known.iter().find(|k| k.0 == f && k.1 == full) {
                    Some(k) => handles.extend_from_slice(&k.2),
                    None => stem_set(self.src, f, &full, own, &mut handles)?,
                }
                out.push((f, handles));
            }
        }
        Ok(Some(out))
    }

    /// The postings of term sets (deleted docs included), or `None` when
    /// they are not known or more than `limit` (the sets are counted last
    /// first: a leaf's body sets, the largest, come last).
    fn postings_of(&self, sets: &[TermSet], limit: u64) -> Result<Option<u64>> {
        let mut n = 0u64;
        for (f, handles) in sets.iter().rev() {
            match self.src.raw_postings(*f, handles)? {
                Some(p) if n + p <= limit => n += p,
                _ => return Ok(None),
            }
        }
        Ok(Some(n))
    }

    /// When a group of two must clauses or more has a must term leaf (one
    /// scored in its turn) whose postings are at most 1 / [`RARE_RATIO`] of
    /// its first must clause's (a term leaf too), marks that leaf's docs
    /// [`RARE`] in the group's arrays: whether it did.
    fn mark_rare(
        &mut self,
        clauses: &[(Occur, &Plan)],
        done: &[Option<Rc<Matches>>],
    ) -> Result<bool> {
        let mut musts = clauses
            .iter()
            .zip(done)
            .filter(|((occur, _), _)| *occur == Occur::Must)
            .map(|((_, child), m)| match (child, m) {
                (Plan::Leaf(leaf), None) => Some(leaf),
                _ => None,
            });
        let Some(Some(first)) = musts.next() else {
            return Ok(false);
        };
        let Some(first_sets) = self.term_sets(first)? else {
            return Ok(false);
        };
        let Some(first_cost) = self.postings_of(&first_sets, u64::MAX)? else {
            return Ok(false);
        };
        let mut rare: Option<(u64, Vec<TermSet>)> = None;
        for leaf in musts.flatten() {
            let Some(sets) = self.term_sets(leaf)? else {
                continue;
            };
            // Below the limit and below the rarest so far, or not at all.
            let limit = rare.as_ref().map_or(first_cost / RARE_RATIO, |r| r.0);
            let Some(cost) = self.postings_of(&sets, limit)? else {
                continue;
            };
            if rare.as_ref().is_none_or(|r| cost < r.0) {
                rare = Some((cost, sets));
            }
        }
        let Some((_, sets)) = rare else {
            return Ok(false);
        };
        let Scratch {
            gcnt,
            gflag,
            gtouched,
            ..
        } = &mut *self.s;
        for (f, handles) in &sets {
            for &(part, ord) in handles {
                self.src.postings(part, *f, ord, |g, _, _| {
                    let i = g as usize;
                    if gcnt[i] == 0 && gflag[i] == 0 {
                        gtouched.push(g);
                    }
                    gflag[i] |= RARE;
                })?;
            }
        }
        Ok(true)
    }

    /// Scores a leaf into the leaf scratch arrays.
    fn fill_leaf(&mut self, leaf: &LeafPlan) -> Result<()> {
        let fields = leaf.fields();
        let prefix = leaf.key.as_deref().unwrap_or("");
        let mut handles = std::mem::take(&mut self.s.handles);
        match &leaf.kind {
            Kind::Term(keys) => {
                let mut full = String::new();
                for key in keys {
                    let own = prefixed(&mut full, prefix, key);
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
        Ok(())
    }

    /// Adds the contributions of one term set in one field.
    fn add_set(&mut self, f: Field, handles: &[Handle]) -> Result<()> {
        let mut buf = std::mem::take(&mut self.s.buf);
        buf.clear();
        // Handles come part by part, and parts hold distinct docs: a part
        // with one term of the set gives its postings as they are, the
        // terms of a part with several are summed per doc. (Handles out of
        // that order are summed all together.)
        let by_part = handles.windows(2).all(|w| w[0].0 <= w[1].0);
        let mut rest = handles;
        while let Some(&(first, _)) = rest.first() {
            let run = if by_part {
                rest.iter().take_while(|h| h.0 == first).count()
            } else {
                rest.len()
            };
            let (now, later) = rest.split_at(run);
            rest = later;
            if let [(part, ord)] = now {
                self.src
                    .postings(*part, f, *ord, |g, tf, dl| buf.push((g, tf, dl)))?;
                continue;
            }
            let Scratch {
                tf, dl, tf_touched, ..
            } = &mut *self.s;
            let (tf, dl) = (&mut tf[..], &mut dl[..]);
            for &(part, ord) in now {
                self.src.postings(part, f, ord, |g, t, l| {
                    let i = g as usize;
                    if tf[i] == 0 {
                        tf_touched.push(g);
                        dl[i] = l;
                    }
                    tf[i] += t;
                })?;
            }
            for &g in tf_touched.iter() {
                let i = g as usize;
                buf.push((g, tf[i], dl[i]));
                tf[i] = 0;
            }
            tf_touched.clear();
        }
        self.add_tfs(f, &buf);
        self.s.buf = buf;
        Ok(())
    }

    /// Adds BM25 contributions for `(doc, tf, dl)` of one term set (or
    /// phrase) in one field; `n` is their number. In a group, only the docs
    /// it [wants](Self::want) are scored (`n` still counts them all).
    fn add_tfs(&mut self, f: Field, buf: &[(u32, u32, u32)]) {
        if buf.is_empty() {
            return;
        }
        let idf = Bm25::idf(f64::from(self.n), buf.len() as f64);
        let weight_idf = self.opts.weights[f.index()] * idf;
        let avgdl = self.src.avgdl(f);
        let bm25 = self.bm25;
        let (gate, want) = (self.gate, self.want);
        let Scratch {
            acc,
            seen,
            touched,
            gcnt,
            gflag,
            ..
        } = &mut *self.s;
        let (acc, seen) = (&mut acc[..], &mut seen[..]);
        touched.reserve(buf.len());
        let far = worth_prefetching(acc.len());
        for (i, &(g, tf, dl)) in buf.iter().enumerate() {
            // On a large index, the lines of a doc a few ahead are asked
            // for, so that the cache misses of a cold index overlap.
            if let Some(&(ahead, _, _)) = buf.get(i + AHEAD).filter(|_| far) {
                let ahead = ahead as usize;
                if want.is_some() {
                    prefetch(gcnt, ahead);
                    prefetch(gflag, ahead);
                }
                prefetch(acc, ahead);
                prefetch(seen, ahead);
            }
            let i = g as usize;
            if let Some(need) = want {
                if !wanted(gcnt, gflag, i, need, gate) {
                    continue;
                }
            }
            acc[i] += bm25.score(weight_idf, f64::from(tf), f64::from(dl), avgdl);
            if !seen[i] {
                seen[i] = true;
                touched.push(g);
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
        // The parts holding every term, with the terms' ordinals there.
        let mut parts: Vec<(usize, Vec<u64>)> = Vec::new();
        for part in 0..self.src.num_parts() {
            let dict = self.src.dict(part, f)?;
            let ords: Vec<u64> = terms.iter().map_while(|t| dict.get(t)).collect();
            if ords.len() == terms.len() {
                parts.push((part, ords));
            }
        }
        // The parts' matches, in part and doc order. With several threads,
        // in as many runs of consecutive parts (or, with fewer parts than
        // threads, of one part's doc ids), all but the first on threads of
        // their own, scoped to the phrase: nothing is left running (or
        // spinning, as a pool's idle threads do) when it ends, to slow the
        // next query.
        let src = self.src;
        let run = |chunk: &[Unit<'_>]| -> Result<Vec<(u32, u32, u32)>> {
            let mut m = Matcher::new(tokens, which.clone(), terms.len());
            let mut out = Vec::new();
            for (part, ords, docs) in chunk {
                src.phrase_docs(*part, f, ords, docs.clone(), |g, dl, doc| {
                    let count = m.occurrences(doc)?;
                    if count > 0 {
                        out.push((g, count, dl));
                    }
                    Ok(())
                })?;
            }
            Ok(out)
        };
        let threads = self.phrase_threads(f, &parts)?;
        let units = phrase_units(&parts, threads, |p| src.part_docs(p));
        let chunks: Vec<&[Unit<'_>]> = units.chunks(units.len().div_ceil(threads).max(1)).collect();
        let out = match chunks.split_first() {
            None => Vec::new(),
            Some((first, [])) => run(first)?,
            Some((first, rest)) => std::thread::scope(|s| {
                let others: Vec<_> = rest
                    .iter()
                    .map(|&c| {
                        std::thread::Builder::new()
                            .spawn_scoped(s, move || run(c))
                            .map_err(|_| c)
                    })
                    .collect();
                let mut out = run(first)?;
                for other in others {
                    match other {
                        Ok(handle) => match handle.join() {
                            Ok(got) => out.extend(got?),
                            Err(panic) => std::panic::resume_unwind(panic),
                        },
                        // No thread to be had: this one matches the run.
                        Err(c) => out.extend(run(c)?),
                    }
                }
                Ok::<_, crate::error::Error>(out)
            })?,
        };
        self.add_tfs(f, &out);
        Ok(())
    }

    /// How many threads match a phrase's `parts` (each with its terms'
    /// ordinals): one, unless the query may fan out
    /// ([`super::may_fan_out`]: not in a batch) and the phrase's terms have
    /// at least [`super::PARALLEL_POSTINGS`] postings together (the walk
    /// reads every posting of every term, and the positions of the docs
    /// holding them all); then as many as rayon's pool has, but at most one
    /// per half of that many postings (starting and joining a thread costs
    /// about 50 µs: a many-core machine does not start dozens for a phrase
    /// of a millisecond).
    fn phrase_threads(&self, f: Field, parts: &[(usize, Vec<u64>)]) -> Result<usize> {
        let Some(n_terms) = parts.first().map(|p| p.1.len()) else {
            return Ok(1);
        };
        if !super::may_fan_out() {
            return Ok(1);
        }
        let mut total = 0u64;
        for j in 0..n_terms {
            let handles: Vec<(usize, u64)> = parts
                .iter()
                .filter_map(|(p, o)| o.get(j).map(|&ord| (*p, ord)))
                .collect();
            match self.src.raw_postings(f, &handles)? {
                Some(n) => total = total.saturating_add(n),
                None => return Ok(1),
            }
        }
        Ok(if total >= super::PARALLEL_POSTINGS {
            let worth = usize::try_from(total.saturating_mul(2) / super::PARALLEL_POSTINGS)
                .unwrap_or(usize::MAX);
            rayon::current_num_threads().min(worth)
        } else {
            1
        })
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

/// What decoding a doc's postings to pass over it costs, as a share of
/// matching it (measured at 100 MB: the second half of a body phrase took
/// 618 µs and the first 496 µs, so about a quarter).
const SEEK_SHARE: f64 = 0.25;

/// A part of a phrase's work: a part, its terms' ordinals, and a range of
/// its local doc ids.
type Unit<'p> = (usize, &'p [u64], Range<u32>);

/// The units of a phrase over `parts` (each with its terms' ordinals) for
/// `threads` threads: each part whole, or, with fewer parts than threads,
/// each part's doc ids (`docs(part)` of them) cut into that many ranges,
/// so that every thread has one. A range's walks first decode the postings
/// before it ([`SEEK_SHARE`] of the cost of matching them), so the ranges
/// shrink from the first to the last, for equal times: range `i` of `c`
/// ends at `(1 - (1 - s)^i) / (1 - (1 - s)^c)` of the part.
fn phrase_units(
    parts: &[(usize, Vec<u64>)],
    threads: usize,
    docs: impl Fn(usize) -> u32,
) -> Vec<Unit<'_>> {
    let cuts = if parts.is_empty() || parts.len() >= threads {
        1
    } else {
        threads.div_ceil(parts.len())
    };
    let keep = 1.0 - SEEK_SHARE;
    #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
    let whole = 1.0 - keep.powi(cuts as i32);
    let mut out = Vec::with_capacity(parts.len() * cuts);
    for (part, ords) in parts {
        let n = u64::from(docs(*part));
        let mut lo = 0u32;
        for i in 1..=cuts {
            // The last range ends past every id; the others inside the
            // part (below n, so below u32::MAX).
            let hi = if i == cuts {
                u32::MAX
            } else {
                #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
                let at = (1.0 - keep.powi(i as i32)) / whole;
                #[allow(clippy::cast_precision_loss, clippy::cast_sign_loss)]
                let hi = (n as f64 * at) as u64;
                u32::try_from(hi.min(n)).unwrap_or(u32::MAX)
            };
            out.push((*part, ords.as_slice(), lo..hi));
            lo = hi;
        }
    }
    out
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
    with_exec(src, planned, expansions, opts, known, |exec| {
        let out = exec.node(&planned.root)?;
        Ok(Rc::try_unwrap(out).unwrap_or_else(|shared| Matches {
            docs: shared.docs.clone(),
            scores: shared.scores.clone(),
        }))
    })
}

/// The matches of one term leaf of a planned query: what every query with
/// a leaf of the same [`cached_identity`] scores for it (a term leaf's
/// matches depend only on the index, the options and the leaf). `None`
/// for other leaves (prefix and fuzzy leaves depend on their query's
/// expansion budget).
pub(super) fn leaf_matches<S: Source>(
    src: &S,
    planned: &Planned,
    expansions: &Expansions,
    opts: &SearchOptions,
    leaf: &LeafPlan,
) -> Result<Option<Matches>> {
    if cached_identity(leaf).is_none() {
        return Ok(None);
    }
    with_exec(src, planned, expansions, opts, &[], |exec| {
        exec.fill_leaf(leaf)?;
        Ok(Some(exec.take_leaf()))
    })
}

/// A term leaf's identity (see [`leaf_matches`]); `None` for other leaves.
pub(super) fn cached_identity(leaf: &LeafPlan) -> Option<Identity> {
    matches!(leaf.kind, Kind::Term(_)).then(|| (leaf.kind.clone(), leaf.field, leaf.key.clone()))
}

/// The `k` best hits of `query` (§5).
pub(super) fn run_top<S: Source>(
    src: &S,
    query: &str,
    k: usize,
    opts: &SearchOptions,
) -> Result<TopDocs> {
    let planned = plan(src, query, opts)?;
    let expansions = expand(src, &planned, query)?;
    run_planned_top(src, &planned, &expansions, opts, &[], k)
}

/// [`run_top`] for a query already planned and expanded (within the budget).
pub(super) fn run_planned_top<S: Source>(
    src: &S,
    planned: &Planned,
    expansions: &Expansions,
    opts: &SearchOptions,
    known: &[Known],
    k: usize,
) -> Result<TopDocs> {
    with_exec(src, planned, expansions, opts, known, |exec| {
        exec.top(&planned.root, k)
    })
}

/// Runs `f` with an executor of the plan on this thread's scratch arrays.
fn with_exec<S: Source, R>(
    src: &S,
    planned: &Planned,
    expansions: &Expansions,
    opts: &SearchOptions,
    known: &[Known],
    f: impl FnOnce(&mut Exec<'_, S>) -> Result<R>,
) -> Result<R> {
    let n = src.n_docs();
    SCRATCH.with(|cell| {
        let mut guard = cell.borrow_mut();
        let scratch = &mut *guard;
        scratch.prepare(n as usize);
        let mut uses = vec![0u32; planned.slots];
        for leaf in planned.root.leaves() {
            if let Some(u) = uses.get_mut(leaf.slot) {
                *u += 1;
            }
        }
        let mut exec = Exec {
            src,
            opts,
            bm25: src.bm25(),
            n,
            s: scratch,
            expansions,
            memo: vec![None; planned.slots],
            uses,
            want: None,
            gate: 0,
            known,
        };
        let out = f(&mut exec)?;
        drop(exec);
        scratch.dirty = false;
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;

    /// A phrase's units cover each part's doc ids once, in part and doc
    /// order: whole parts when there are as many parts as threads, else
    /// each part cut into contiguous ranges, so that every thread has one.
    #[test]
    fn phrase_units_cover_each_part_once_in_order() {
        let parts: Vec<(usize, Vec<u64>)> = (0..3).map(|p| (p, vec![p as u64])).collect();
        let docs = |p: usize| [1000u32, 7, 0][p];
        for (n_parts, threads, cuts) in [
            (3, 1, 1),
            (3, 2, 1),
            (3, 3, 1),
            (1, 2, 2),
            (1, 4, 4),
            (2, 3, 2),
            (0, 2, 0),
        ] {
            let units = phrase_units(&parts[..n_parts], threads, docs);
            assert_eq!(units.len(), n_parts * cuts);
            for (part, ords) in &parts[..n_parts] {
                let mine: Vec<&Unit<'_>> = units.iter().filter(|u| u.0 == *part).collect();
                assert_eq!(
                    mine.len(),
                    cuts,
                    "part {part} of {n_parts}, {threads} threads"
                );
                assert!(mine.iter().all(|u| u.1 == ords.as_slice()));
                assert_eq!(mine.first().map(|u| u.2.start), Some(0));
                assert_eq!(mine.last().map(|u| u.2.end), Some(u32::MAX));
                for w in mine.windows(2) {
                    assert_eq!(w[0].2.end, w[1].2.start);
                    assert!(w[0].2.start <= w[0].2.end && w[0].2.end <= docs(*part));
                }
            }
            assert!(units.windows(2).all(|w| w[0].0 <= w[1].0));
        }
    }

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
