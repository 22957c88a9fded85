//! Exact top-k with pruning over block maxima (ARCHITECTURE.md §5).
//!
//! The exhaustive executor ([`crate::exec`]) scores every matching doc. For
//! the common query shapes (a term leaf, or one group of term leaves with any
//! occurs) this module finds the same `k` best hits without scoring docs
//! that cannot enter them. Groups without a must-not clause go term at a
//! time over every segment at once ([`taat`]; on a large index of several
//! segments, two words or more on two threads, each over half of the docs:
//! [`split`]); the others doc at a time, segment by segment, as follows:
//!
//! - every (leaf, stem key, field) term set gets its exact idf first (its
//!   live df over every segment), so the scores are the exhaustive ones; a
//!   set with several stem variants in one segment is one cursor there
//!   ([`super::union`]: their merged lists, tfs summed), and its df there is
//!   the union's, stored in the segment ([`crate::segment`], format 6), or
//!   counted over the live docs when the segment has deleted ones;
//! - each term set's score is bounded, per segment and per block of 128
//!   postings, by BM25 at its largest term frequency and smallest field
//!   length ([`crate::blockmax`]);
//! - without must clauses, the sets whose bounds together cannot lift a
//!   doc into the current top `k` are *non-essential* (MaxScore): only the
//!   other sets' docs are candidates, and the non-essential sets are probed
//!   (jumping over blocks) only while the candidate can still enter; with
//!   must clauses, the cheapest must clause leads and the others are probed;
//! - when the essential (or leading) sets' current blocks together cannot
//!   lift a doc into the top `k`, the cursors jump past the first of those
//!   blocks to end without decoding them (block-max skipping);
//! - a doc that is scored gets its exact `f64` score, summed in the order
//!   the exhaustive executor sums it (sets in order within a leaf, from 0.0,
//!   then leaves in clause order, from 0.0), so ids, order and scores are
//!   identical.
//!
//! A doc is skipped only when its bound (inflated by a relative 1e-9 against
//! rounding) rounded to `f32`, with its doc id, ranks no better than the
//! current `k`-th hit: rounding is monotone, so its true hit ranks no better
//! either. Other shapes (phrases, prefixes, fuzzy leaves, nested groups, a
//! group of only must-not clauses) run exhaustively.

use std::collections::{BinaryHeap, HashMap, HashSet};
use std::ops::Range;

mod split;
mod taat;

use super::budget::{expand, Expansions};
use super::collect::{Ranked, TopDocs};
use super::exec::{self, Known};
use super::options::SearchOptions;
use super::plan::{plan, Identity, Kind, Plan, Planned};
use super::source::Source;
use super::terms::{prefixed, stem_sets_in, Handle};
use super::union::Union;
use crate::error::{Error, Result};
use crate::index::docmap::DELETED;
use crate::index::DiskIndex;
use crate::postings::{prefetch, walk_in_turns, Walk};
use crate::query::Occur;
use crate::schema::Field;
use crate::scoring::Bm25;
use crate::segment::{prefetch_entries_of, Cursor, TermInfo, NO_DOC};
use rayon::prelude::*;

/// What pruning needs of an index beyond [`Source`]: its segments' raw
/// postings as cursors.
pub(super) trait CursorSource: Source {
    /// Local → global id of a part ([`DELETED`] for a deleted doc).
    fn globals(&self, part: usize) -> Result<&[u32]>;
    /// `Some(base)` when a part's docs are all live with global ids
    /// `base + local id`.
    fn base(&self, part: usize) -> Result<Option<u32>>;
    /// A part's length column of a field, by local id.
    fn part_lengths(&self, part: usize, f: Field) -> Result<&[u32]>;
    /// Terms' infos in a part (their df there, deleted docs included, and
    /// where their postings are), in the order of `ords`.
    fn infos(&self, part: usize, f: Field, ords: &[u64]) -> Result<Vec<TermInfo>>;
    /// Asks for the infos of terms `(part, field, ordinals)` to be brought
    /// in, before [`Self::infos`] reads them: a hint.
    fn prefetch_infos(&self, asks: &[(usize, Field, &[u64])]);
    /// The union df of each stem key's terms `(part, field, key)` in a
    /// part, deleted docs included (`None`: the key has fewer than two
    /// terms there).
    fn union_dfs(&self, asks: &[(usize, Field, &str)]) -> Result<Vec<Option<u32>>>;
    /// Asks for what [`Self::cursor`] reads first for each term `(part,
    /// field, ordinal, info)`: a hint.
    fn prefetch_cursors(&self, asks: &[(usize, Field, u64, &TermInfo)]);
    /// A cursor on a term's postings in a part, given its info.
    fn cursor(&self, part: usize, f: Field, ord: u64, info: &TermInfo) -> Result<Cursor<'_>>;
    /// A format error about a part's file.
    fn part_error(&self, part: usize, detail: String) -> Error;
    /// The thread a query hands half of its work to ([`split`]; `None`:
    /// none).
    fn helper(&self) -> Option<&rayon::ThreadPool>;
}

/// A (leaf, key, field) term set: its clause and its scoring constants.
struct Set {
    clause: usize,
    f: Field,
    w_idf: f64,
    /// Its terms, grouped by part, and their infos.
    handles: Vec<Handle>,
    infos: Vec<TermInfo>,
}

impl Set {
    /// The cursors of its terms in part `part`.
    fn cursors<'a, S: CursorSource>(&self, src: &'a S, part: usize) -> Result<Vec<Cursor<'a>>> {
        self.handles
            .iter()
            .zip(&self.infos)
            .filter(|(h, _)| h.0 == part)
            .map(|(&(_, ord), info)| src.cursor(part, self.f, ord, info))
            .collect()
    }
}

/// A term set's cursor in one part: the union of its terms there.
struct SetCursor<'a> {
    set: usize,
    c: Union<'a>,
    /// The bound of its score in this part.
    ub: f64,
    /// The last doc and bound of its current stretch (cached: the bound
    /// holds for every doc from the current one up to that last doc).
    cur: Option<(u32, f64)>,
    /// A stretch `(first, last)` of docs and their bound (cached).
    at: Option<(u32, u32, f64)>,
}

impl SetCursor<'_> {
    fn doc(&self) -> u32 {
        self.c.doc
    }

    fn next(&mut self, src_err: &dyn Fn(String) -> Error) -> Result<()> {
        self.c.next().map_err(src_err)
    }

    fn advance(&mut self, target: u32, src_err: &dyn Fn(String) -> Error) -> Result<()> {
        self.c.advance(target).map_err(src_err)
    }
}

/// The clauses of a prunable plan: `(occur, keys, field, key prefix)`.
type Clause<'p> = (Occur, &'p [String], Option<Field>, &'p str);

fn clauses(p: &Plan) -> Option<Vec<Clause<'_>>> {
    fn leaf(p: &Plan) -> Option<(&[String], Option<Field>, &str)> {
        match p {
            Plan::Leaf(l) => match &l.kind {
                Kind::Term(keys) => Some((keys, l.field, l.key.as_deref().unwrap_or(""))),
                _ => None,
            },
            _ => None,
        }
    }
    let out: Vec<Clause<'_>> = match p {
        Plan::Leaf(_) => {
            let (k, f, pre) = leaf(p)?;
            vec![(Occur::Should, k, f, pre)]
        }
        Plan::Or(cs) => cs
            .iter()
            .map(|(o, c)| leaf(c).map(|(k, f, pre)| (*o, k, f, pre)))
            .collect::<Option<_>>()?,
        Plan::And(cs) => cs
            .iter()
            .map(|c| leaf(c).map(|(k, f, pre)| (Occur::Must, k, f, pre)))
            .collect::<Option<_>>()?,
    };
    out.iter().any(|c| c.0 != Occur::MustNot).then_some(out)
}

/// The live df of the term set of stem key `key` over the parts it was
/// looked up in (every part, or one thread's: [`split`]): a part with
/// several of its terms gives their union's df, stored in the segment when
/// every doc of the part is live, else counted over its live docs.
fn live_df<S: CursorSource>(src: &S, s: &Found) -> Result<u64> {
    let (f, key) = (s.f, s.key.as_str());
    let mut df = 0u64;
    let mut at = 0usize;
    for (run, &union) in s.handles.chunk_by(|a, b| a.0 == b.0).zip(&s.unions) {
        at += run.len();
        let part = run[0].0;
        let all_live = Source::all_live(src, part)?;
        let info_of = |i: usize| s.info(src, at - run.len() + i);
        if let [(_, ord)] = run {
            if all_live {
                df += u64::from(info_of(0)?.df);
            } else {
                let mut live = 0u64;
                src.postings(part, f, *ord, |_, _, _| live += 1)?;
                df += live;
            }
        } else if all_live {
            let union = union
                .ok_or_else(|| src.part_error(part, format!("stem union of {key:?} missing")))?;
            df += u64::from(union);
        } else {
            let globals = src.globals(part)?;
            let cs = run
                .iter()
                .enumerate()
                .map(|(i, &(_, ord))| src.cursor(part, f, ord, &info_of(i)?))
                .collect::<Result<Vec<_>>>()?;
            let lengths = src.part_lengths(part, f)?;
            let err = |d: String| src.part_error(part, d);
            let mut u = Union::new(cs, lengths).map_err(err)?;
            while u.doc != NO_DOC {
                if globals.get(u.doc as usize).is_some_and(|&g| g != DELETED) {
                    df += 1;
                }
                u.next().map_err(err)?;
            }
        }
    }
    Ok(df)
}

/// Whether BM25's bounds hold: the score grows with tf and falls with the
/// length only for `k1 >= 0` and `0 <= b <= 1`.
fn monotone(bm25: Bm25) -> bool {
    bm25.k1 >= 0.0 && (0.0..=1.0).contains(&bm25.b)
}

/// The `k` best hits, pruned when the plan's shape allows it and it pays
/// (or, with `always`, whenever the shape allows it), else from the
/// exhaustive executor (the same hits either way).
///
/// # Errors
/// As [`crate::SearchIndex::search`].
pub(super) fn search<S: CursorSource>(
    src: &S,
    query: &str,
    k: usize,
    opts: &SearchOptions,
    always: bool,
) -> Result<TopDocs> {
    let p = plan(src, query, opts)?;
    // The budget holds on both paths: an over-budget query is the same
    // QueryError whether or not it would be pruned.
    let expansions = expand(src, &p, query)?;
    search_planned(src, &p, &expansions, k, opts, always)
}

/// [`search`] of a query planned and expanded.
fn search_planned<S: CursorSource>(
    src: &S,
    p: &Planned,
    expansions: &Expansions,
    k: usize,
    opts: &SearchOptions,
    always: bool,
) -> Result<TopDocs> {
    let known = match pruned(src, &p.root, k, opts, always)? {
        Ok(top) => return Ok(top),
        Err(known) => known,
    };
    exec::run_planned_top(src, p, expansions, opts, &known, k)
}

/// The batch's shared leaves hold at most this many dense scores (one per
/// doc of the index per leaf: 32 MB), with their own lists (12 bytes per
/// doc a leaf matches) besides.
const BATCH_LEAF_ENTRIES: usize = 4 << 20;

/// A term leaf's matches kept for a batch: its docs and their scores,
/// largest score first, and its score by global doc id (0.0 where it does
/// not match; one entry per doc of the index).
struct DenseLeaf {
    docs: Vec<u32>,
    scores: Vec<f64>,
    by_doc: Vec<f64>,
}

impl DenseLeaf {
    fn new(m: &exec::Matches, n: usize) -> DenseLeaf {
        let mut by_doc = vec![0.0f64; n];
        let mut pairs: Vec<(f64, u32)> = Vec::with_capacity(m.docs.len());
        for (&d, &v) in m.docs.iter().zip(&m.scores) {
            if let Some(at) = by_doc.get_mut(d as usize) {
                *at = v;
            }
            pairs.push((v, d));
        }
        pairs.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        DenseLeaf {
            docs: pairs.iter().map(|p| p.1).collect(),
            scores: pairs.iter().map(|p| p.0).collect(),
            by_doc,
        }
    }
}

/// The `k` best hits of a should-only query of term leaves (`clauses`, in
/// clause order) from their cached matches, by Fagin's threshold algorithm:
/// the leaves' docs are read by rank, all leaves' `d`-th docs at depth `d`,
/// and a doc not seen yet is scored exactly (its leaves' scores summed from
/// 0.0 in clause order, as the exhaustive executor sums them; 0.0 for a
/// leaf it is not in changes no sum). A doc not met by depth `d` scores at
/// most what each leaf gives at depth `d` (as often as the leaf is given),
/// summed: the reading stops once that bound cannot enter the top `k`.
fn top_of_leaves(clauses: &[&DenseLeaf], k: usize, scored: &mut Vec<bool>) -> TopDocs {
    let Some(n) = clauses.first().map(|c| c.by_doc.len()).filter(|_| k > 0) else {
        return TopDocs::default();
    };
    let mut top = Top::new(k);
    // Each distinct leaf once, with how often it is given.
    let mut leaves: Vec<(&DenseLeaf, f64)> = Vec::with_capacity(clauses.len());
    for &c in clauses {
        match leaves.iter_mut().find(|(o, _)| std::ptr::eq(*o, c)) {
            Some((_, times)) => *times += 1.0,
            None => leaves.push((c, 1.0)),
        }
    }
    if scored.len() != n {
        *scored = vec![false; n];
    }
    let depth = leaves.iter().map(|(l, _)| l.docs.len()).max().unwrap_or(0);
    let mut touched: Vec<u32> = Vec::new();
    for d in 0..depth {
        let bound: f64 = leaves
            .iter()
            .map(|(l, times)| l.scores.get(d).map_or(0.0, |s| times * s))
            .sum();
        if top.closed_below(bound) {
            break;
        }
        for (leaf, _) in &leaves {
            let Some(&doc) = leaf.docs.get(d) else {
                continue;
            };
            let Some(seen) = scored.get_mut(doc as usize) else {
                continue;
            };
            if *seen {
                continue;
            }
            *seen = true;
            touched.push(doc);
            let total = clauses.iter().fold(0.0f64, |acc, c| {
                acc + c.by_doc.get(doc as usize).copied().unwrap_or(0.0)
            });
            if top.may_enter(total, doc) {
                top.push(total, doc);
            }
        }
    }
    for d in touched {
        scored[d as usize] = false;
    }
    let hits = top.heap.into_sorted_vec();
    TopDocs {
        doc_ids: hits.iter().map(|h| h.1).collect(),
        scores: hits.iter().map(|h| h.0).collect(),
    }
}

/// [`search`] of each of a batch's distinct `queries`, in parallel, in
/// order. The term leaves that several should-only queries of the batch
/// search are scored once each, in parallel (within
/// [`BATCH_LEAF_ENTRIES`]); a should-only query of such leaves only merges
/// their matches ([`top_of_leaves`]): the same hits as [`search`], for the
/// price of adding lists instead of reading them. Other queries are
/// searched as by [`search`].
pub(super) fn search_batch<S: CursorSource + Sync>(
    src: &S,
    queries: &[&str],
    k: usize,
    opts: &SearchOptions,
) -> Vec<Result<TopDocs>> {
    search_batch_merged(src, queries, k, opts)
        .into_iter()
        .map(|r| r.0)
        .collect()
}

/// [`search_batch`], with whether each query merged shared leaves.
fn search_batch_merged<S: CursorSource + Sync>(
    src: &S,
    queries: &[&str],
    k: usize,
    opts: &SearchOptions,
) -> Vec<(Result<TopDocs>, bool)> {
    let planned: Vec<Option<(Planned, Expansions)>> = queries
        .par_iter()
        .map(|q| {
            let p = plan(src, q, opts).ok()?;
            let e = expand(src, &p, q).ok()?;
            Some((p, e))
        })
        .collect();
    // How many should-only queries search each term leaf, and where the
    // first one is (query, leaf).
    let mut counts: HashMap<Identity, (u32, usize, usize)> = HashMap::new();
    for (qi, (p, _)) in planned
        .iter()
        .enumerate()
        .filter_map(|(i, x)| Some((i, x.as_ref()?)))
    {
        if !should_terms(p) {
            continue;
        }
        let mut ids: HashSet<Identity> = HashSet::new();
        for (li, leaf) in p.root.leaves().into_iter().enumerate() {
            if let Some(id) = exec::cached_identity(leaf) {
                if ids.insert(id.clone()) {
                    counts.entry(id).or_insert((0, qi, li)).0 += 1;
                }
            }
        }
    }
    let n = src.n_docs() as usize;
    let mut wanted: Vec<(Identity, usize, usize)> = counts
        .into_iter()
        .filter(|(_, c)| c.0 >= 2)
        .map(|(id, c)| (id, c.1, c.2))
        .collect();
    // The first queries' leaves first, up to the limit (an estimate: the
    // dense scores alone).
    wanted.sort_unstable_by_key(|w| (w.1, w.2));
    wanted.truncate((BATCH_LEAF_ENTRIES / n.max(1)).max(1));
    let shared: HashMap<Identity, DenseLeaf> = wanted
        .into_par_iter()
        .filter_map(|(id, qi, li)| {
            let (query, exp) = planned[qi].as_ref()?;
            let leaf = *query.root.leaves().get(li)?;
            let matches = exec::leaf_matches(src, query, exp, opts, leaf).ok()??;
            Some((id, DenseLeaf::new(&matches, n)))
        })
        .collect();
    planned
        .par_iter()
        .zip(queries)
        .map_init(Vec::new, |scored, (planned, q)| match planned {
            // An error is the single query's (and said the same way).
            None => (search(src, q, k, opts, false), false),
            Some((query, exp)) => {
                let clauses: Option<Vec<&DenseLeaf>> = should_terms(query)
                    .then(|| {
                        query
                            .root
                            .leaves()
                            .into_iter()
                            .map(|l| shared.get(&exec::cached_identity(l)?))
                            .collect()
                    })
                    .flatten();
                match clauses {
                    Some(c) => (Ok(top_of_leaves(&c, k, scored)), true),
                    None => (search_planned(src, query, exp, k, opts, false), false),
                }
            }
        })
        .collect()
}

/// Whether a planned query is should clauses of term leaves only.
fn should_terms(p: &Planned) -> bool {
    let term = |c: &Plan| matches!(c, Plan::Leaf(l) if exec::cached_identity(l).is_some());
    match &p.root {
        Plan::Leaf(_) => term(&p.root),
        Plan::Or(cs) => cs.iter().all(|(o, c)| *o == Occur::Should && term(c)),
        Plan::And(_) => false,
    }
}

/// Below this many postings over all its term sets, a query is scored
/// exhaustively: its lists are short, and pruning's bookkeeping per doc
/// costs more than it saves.
const MIN_PRUNED_POSTINGS: u64 = 4096;

/// A term set as looked up, and what pruning reads of it once.
struct Found {
    clause: usize,
    f: Field,
    /// Its prefixed stem key.
    key: String,
    /// Its terms, grouped by part.
    handles: Vec<Handle>,
    /// Per part holding terms (per run of `handles`): the stored df of
    /// their union, deleted docs included (`None`: a single term); and per
    /// term, its info. Both read by [`Found::read`] (empty before).
    unions: Vec<Option<u32>>,
    infos: Vec<Option<TermInfo>>,
}

/// Reads the union dfs of the sets of `found` (once), and the infos of
/// their terms not read yet: of every term with `all`, else of the parts
/// without a union df (what [`taat::pays`] counts). Their cold reads
/// overlap: the union maps' walks go in turns, and every term block is
/// asked for before any is decoded.
fn read_all<S: CursorSource>(src: &S, found: &mut [Found], all: bool) -> Result<()> {
    let fresh = |s: &Found| s.infos.len() != s.handles.len();
    let mut asks: Vec<(usize, Field, &str)> = Vec::new();
    for s in found.iter().filter(|s| fresh(s)) {
        for run in s
            .handles
            .chunk_by(|a, b| a.0 == b.0)
            .filter(|r| r.len() > 1)
        {
            asks.push((run[0].0, s.f, s.key.as_str()));
        }
    }
    let mut unions = src.union_dfs(&asks)?.into_iter();
    for s in found.iter_mut().filter(|s| fresh(s)) {
        s.unions = s
            .handles
            .chunk_by(|a, b| a.0 == b.0)
            .map(|run| {
                if run.len() > 1 {
                    unions.next().flatten()
                } else {
                    None
                }
            })
            .collect();
        s.infos = vec![None; s.handles.len()];
    }
    // (set, its first term, part, ordinals) of each run to read.
    let mut runs: Vec<(usize, usize, usize, Vec<u64>)> = Vec::new();
    for (i, s) in found.iter().enumerate() {
        let mut at = 0usize;
        for (run, union) in s.handles.chunk_by(|a, b| a.0 == b.0).zip(&s.unions) {
            let infos = &s.infos[at..at + run.len()];
            if (all || union.is_none()) && infos.iter().any(Option::is_none) {
                runs.push((i, at, run[0].0, run.iter().map(|h| h.1).collect()));
            }
            at += run.len();
        }
    }
    let asks: Vec<(usize, Field, &[u64])> = runs
        .iter()
        .map(|(i, _, part, ords)| (*part, found[*i].f, ords.as_slice()))
        .collect();
    src.prefetch_infos(&asks);
    for (i, at, part, ords) in &runs {
        let s = &mut found[*i];
        let read = src.infos(*part, s.f, ords)?;
        for (info, r) in s.infos[*at..*at + ords.len()].iter_mut().zip(read) {
            *info = Some(r);
        }
    }
    Ok(())
}

impl Found {
    /// The info of its term `i` (read now when it was not).
    fn info<S: CursorSource>(&self, src: &S, i: usize) -> Result<TermInfo> {
        if let Some(info) = self.infos.get(i).copied().flatten() {
            return Ok(info);
        }
        let (part, ord) = self.handles[i];
        let mut one = src.infos(part, self.f, &[ord])?;
        one.pop()
            .ok_or_else(|| src.part_error(part, format!("term ordinal {ord} out of range")))
    }

    /// Its raw df: its terms' dfs summed (deleted docs included, variants
    /// counted apart), once their infos are read.
    fn raw(&self) -> u64 {
        self.infos.iter().flatten().map(|i| u64::from(i.df)).sum()
    }

    /// Its live df in the parts it was looked up in (0 without terms),
    /// once [`read_all`] has read every info and union df.
    fn settle<S: CursorSource>(&self, src: &S) -> Result<u64> {
        if self.handles.is_empty() {
            return Ok(0);
        }
        live_df(src, self)
    }

    /// Takes in the same term set looked up and read in later parts.
    fn append(&mut self, later: Found) {
        self.handles.extend(later.handles);
        self.unions.extend(later.unions);
        self.infos.extend(later.infos);
    }
}

/// Whether pruning is expected to pay for a query whose shape pays
/// ([`shape_pays`]) and whose term sets, their infos read, are `found`,
/// over `n` docs. Pruning's cost grows with the docs times the
/// cursors it keeps; it saves the most when one set is so common that it
/// turns non-essential (`MaxScore`) and its list is skipped. Measured on the
/// benchmark's mixed set at 100 MB (`examples/prunebench`): a query with a
/// set of stem variants (several cursors merged) paid only without must
/// clauses, with a set in at least half the docs, and with at most
/// [`MAX_UNION_SETS`] sets (one word over the six fields, or a keyed clause
/// and a word); single-term sets paid from [`MIN_PRUNED_POSTINGS`].
fn pays(cls: &[Clause<'_>], found: &[Found], n: u32) -> bool {
    let positive: u64 = found
        .iter()
        .filter(|s| cls[s.clause].0 != Occur::MustNot)
        .map(Found::raw)
        .sum();
    if positive < MIN_PRUNED_POSTINGS {
        return false;
    }
    let largest = found.iter().map(Found::raw).max().unwrap_or(0);
    !has_union(found) || 2 * largest >= u64::from(n)
}

/// Whether one set of `found` has terms, one per part.
fn one_list(found: &[Found]) -> bool {
    found.iter().filter(|s| !s.handles.is_empty()).count() == 1 && !has_union(found)
}

/// Whether a term set has several terms (stem variants) in one part.
fn has_union(found: &[Found]) -> bool {
    found
        .iter()
        .any(|s| s.handles.windows(2).any(|w| w[0].0 == w[1].0))
}

/// The part of [`pays`] that needs no df: a query with a set of stem
/// variants has no must clause and at most [`MAX_UNION_SETS`] sets with
/// terms (every term of a dictionary has a posting).
fn shape_pays(cls: &[Clause<'_>], found: &[Found]) -> bool {
    let present = found.iter().filter(|s| !s.handles.is_empty()).count();
    !has_union(found) || (!cls.iter().any(|c| c.0 == Occur::Must) && present <= MAX_UNION_SETS)
}

/// The most term sets a query with stem unions is pruned with (see [`pays`]).
const MAX_UNION_SETS: usize = 8;

/// The `k` best hits of a planned query, or, when its shape is not pruned
/// or pruning would not pay, the term sets it looked up (for the
/// exhaustive run).
fn pruned<S: CursorSource>(
    src: &S,
    p: &Plan,
    k: usize,
    opts: &SearchOptions,
    always: bool,
) -> Result<std::result::Result<TopDocs, Vec<Known>>> {
    let bm25 = src.bm25();
    let Some(cls) = clauses(p).filter(|_| monotone(bm25) && k > 0) else {
        return Ok(Err(Vec::new()));
    };
    if let Some(cut) = split::cut(src, &cls)? {
        if let Some(out) = split::pruned(src, &cls, k, opts, always, &cut) {
            return out;
        }
    }
    let mut found = look_up(src, &cls, 0..src.num_parts())?;
    // No must-not clause: the term-at-a-time gate (its own estimate of
    // the postings). Others: the shape first (no df read), then the dfs.
    let mut at_a_time = taat::fits(&cls);
    let go = if always {
        true
    } else if at_a_time {
        read_all(src, &mut found, false)?;
        // One list per part (a field filter such as `model:opus`, or a word
        // in one field only, without stem variants) is read whole term at a
        // time; doc at a time, its blocks that cannot lift a doc into the
        // top k are skipped, ties included ([`run_part`]).
        taat::pays(&found) || {
            at_a_time = !(one_list(&found) && pays(&cls, &found, src.n_docs()));
            !at_a_time
        }
    } else if shape_pays(&cls, &found) {
        read_all(src, &mut found, true)?;
        pays(&cls, &found, src.n_docs())
    } else {
        false
    };
    if !go {
        return Ok(Err(known(found)));
    }
    read_all(src, &mut found, true)?;
    let live = found
        .iter()
        .map(|s| s.settle(src))
        .collect::<Result<Vec<u64>>>()?;
    let sets = sets_of(src, found, &live, opts)?;
    let mut top = Top::new(k);
    let scorer = Scorer::of(src);
    if at_a_time {
        taat::run(src, &cls, &sets, &scorer, &mut top)?;
    } else {
        for part in 0..src.num_parts() {
            run_part(src, part, &cls, &sets, &scorer, &mut top)?;
        }
    }
    Ok(Ok(top.into_docs()))
}

/// The term sets of `cls` in the parts `parts`, in the exhaustive order:
/// clause, key, field (their dfs and infos not read yet).
fn look_up<S: CursorSource>(
    src: &S,
    cls: &[Clause<'_>],
    parts: Range<usize>,
) -> Result<Vec<Found>> {
    let mut found: Vec<Found> = Vec::new();
    let mut owns: Vec<bool> = Vec::new();
    let mut full = String::new();
    for (ci, &(_, keys, field, prefix)) in cls.iter().enumerate() {
        let fields: &[Field] = match field {
            None => &Field::ALL,
            Some(f) => &Field::ALL[f.index()..=f.index()],
        };
        for key in keys {
            let own = prefixed(&mut full, prefix, key);
            for &f in fields {
                found.push(Found {
                    clause: ci,
                    f,
                    key: full.clone(),
                    handles: Vec::new(),
                    unions: Vec::new(),
                    infos: Vec::new(),
                });
                owns.push(own);
            }
        }
    }
    // Every set's walks at once, so that their cache misses overlap.
    let sets: Vec<(Field, &str, bool)> = found
        .iter()
        .zip(&owns)
        .map(|(s, &own)| (s.f, s.key.as_str(), own))
        .collect();
    let mut handles: Vec<Vec<Handle>> = vec![Vec::new(); found.len()];
    stem_sets_in(src, &sets, parts, &mut handles)?;
    for (s, h) in found.iter_mut().zip(handles) {
        s.handles = h;
    }
    Ok(found)
}

/// The term sets looked up, for the exhaustive run.
fn known(found: Vec<Found>) -> Vec<Known> {
    found.into_iter().map(|s| (s.f, s.key, s.handles)).collect()
}

/// The term sets `found` that match a doc (`live`: each one's live df
/// over every part, [`Found::settle`]), with their weighted idfs.
fn sets_of<S: CursorSource>(
    src: &S,
    found: Vec<Found>,
    live: &[u64],
    opts: &SearchOptions,
) -> Result<Vec<Set>> {
    let n = f64::from(src.n_docs());
    let mut sets: Vec<Set> = Vec::with_capacity(found.len());
    for (s, &df) in found.into_iter().zip(live) {
        // Every term of a dictionary has a posting: a set with terms has a
        // raw df, and only its live df tells whether it matches.
        if df == 0 {
            continue;
        }
        #[allow(clippy::cast_precision_loss)] // df < 2^32
        let idf = Bm25::idf(n, df as f64);
        sets.push(Set {
            clause: s.clause,
            f: s.f,
            w_idf: opts.weights[s.f.index()] * idf,
            infos: (0..s.handles.len())
                .map(|i| s.info(src, i))
                .collect::<Result<_>>()?,
            handles: s.handles,
        });
    }
    Ok(sets)
}

/// The hits kept so far: a max-heap whose top is the worst.
struct Top {
    heap: BinaryHeap<Ranked>,
    k: usize,
}

impl Top {
    fn new(k: usize) -> Top {
        Top {
            heap: BinaryHeap::with_capacity(k + 1),
            k,
        }
    }

    /// Its hits, best first.
    fn into_docs(self) -> TopDocs {
        let hits = self.heap.into_sorted_vec();
        TopDocs {
            doc_ids: hits.iter().map(|h| h.1).collect(),
            scores: hits.iter().map(|h| h.0).collect(),
        }
    }

    /// Offers every hit of `other` (of other docs).
    fn merge(&mut self, other: Top) {
        for hit in other.heap {
            self.push(f64::from(hit.0), hit.1);
        }
    }

    /// Whether a doc whose score is at most `bound` and whose id is `gid`
    /// or more could enter (ties go to the smaller id).
    fn may_enter(&self, bound: f64, gid: u32) -> bool {
        if self.heap.len() < self.k {
            return true;
        }
        #[allow(clippy::cast_possible_truncation)] // rounding to f32 is the contract
        let b = (bound * (1.0 + 1e-9)) as f32;
        self.heap.peek().is_none_or(|w| Ranked(b, gid) < *w)
    }

    fn is_full(&self) -> bool {
        self.heap.len() >= self.k
    }

    /// Whether no doc whose score is at most `bound` can enter, whatever
    /// its id.
    fn closed_below(&self, bound: f64) -> bool {
        if self.heap.len() < self.k {
            return false;
        }
        #[allow(clippy::cast_possible_truncation)]
        let b = (bound * (1.0 + 1e-9)) as f32;
        self.heap.peek().is_some_and(|w| b < w.0)
    }

    fn push(&mut self, score: f64, gid: u32) {
        #[allow(clippy::cast_possible_truncation)]
        let hit = Ranked(score as f32, gid);
        if self.heap.len() < self.k {
            self.heap.push(hit);
        } else if let Some(mut worst) = self.heap.peek_mut() {
            if hit < *worst {
                *worst = hit;
            }
        }
    }
}

#[cfg(test)]
thread_local! {
    /// Tests: the blocks [`run_part`] skipped whose bound ties the worst
    /// hit (skipped on their docs' ids).
    static TIE_SKIPS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Scores the candidates of one part.
#[allow(clippy::too_many_lines, clippy::too_many_arguments)]
fn run_part<S: CursorSource>(
    src: &S,
    part: usize,
    cls: &[Clause<'_>],
    sets: &[Set],
    scorer: &Scorer,
    top: &mut Top,
) -> Result<()> {
    let globals = src.globals(part)?;
    let base = src.base(part)?;
    let lengths = lengths_of(src, part)?;
    let fmt_err = |d: String| src.part_error(part, d);
    // Cursors of the sets present in this part.
    let mut pos: Vec<SetCursor<'_>> = Vec::new();
    let mut neg: Vec<SetCursor<'_>> = Vec::new();
    for (si, set) in sets.iter().enumerate() {
        let cs = set.cursors(src, part)?;
        if cs.is_empty() {
            continue;
        }
        let c = Union::new(cs, lengths[set.f.index()]).map_err(fmt_err)?;
        let ub = match c.list_max() {
            Some((t, d)) => scorer.score(set, t, d),
            None => scorer.limit(set),
        };
        let sc = SetCursor {
            set: si,
            c,
            ub,
            cur: None,
            at: None,
        };
        if cls[set.clause].0 == Occur::MustNot {
            neg.push(sc);
        } else {
            pos.push(sc);
        }
    }
    if pos.is_empty() {
        return Ok(());
    }
    let n_clauses = cls.len();
    let musts: Vec<usize> = (0..n_clauses)
        .filter(|&c| cls[c].0 == Occur::Must)
        .collect();
    // A must clause without a set here matches nothing in this part.
    if musts
        .iter()
        .any(|&c| !pos.iter().any(|s| sets[s.set].clause == c))
    {
        return Ok(());
    }
    // Per set (index into `pos`), its score at the current doc.
    let mut val: Vec<Option<f64>> = vec![None; pos.len()];
    let mut leaf: Vec<Option<f64>> = vec![None; n_clauses];
    let score_of = |s: &SetCursor<'_>, local: u32| -> f64 {
        let set = &sets[s.set];
        let dl = lengths[set.f.index()]
            .get(local as usize)
            .copied()
            .unwrap_or(0);
        scorer.score(set, s.c.tf, dl)
    };
    let exact = |val: &[Option<f64>], leaf: &mut [Option<f64>], pos: &[SetCursor<'_>]| {
        let sums = val
            .iter()
            .zip(pos)
            .filter_map(|(v, s)| v.map(|v| (sets[s.set].clause, v)));
        exact_total(leaf, sums)
    };
    let excluded = |neg: &mut [SetCursor<'_>], d: u32| -> Result<bool> {
        for s in neg {
            s.advance(d, &fmt_err)?;
            if s.doc() == d {
                return Ok(true);
            }
        }
        Ok(false)
    };
    // A set's bound over the block holding its first posting at or after
    // `d` (its list bound when it has no block maxima).
    let block_bound = |s: &mut SetCursor<'_>, d: u32| -> f64 {
        if s.doc() == NO_DOC {
            return 0.0;
        }
        if let Some((first, last, b)) = s.at {
            if first <= d && d <= last {
                return b;
            }
        }
        match s.c.block_max_at(d) {
            Some(e) => {
                let b = scorer.score(&sets[s.set], e.max_tf, e.min_dl);
                s.at = Some((d, e.last, b));
                b
            }
            None => s.ub,
        }
    };
    // A set's bound over its current block and that block's last doc
    // (`NO_DOC` when it has no block maxima: the bound is its list's).
    let current = |s: &mut SetCursor<'_>| -> (f64, u32) {
        if let Some((last, b)) = s.cur {
            if s.doc() <= last {
                return (b, last);
            }
        }
        match s.c.current_block() {
            Some(e) => {
                let b = scorer.score(&sets[s.set], e.max_tf, e.min_dl);
                s.cur = Some((e.last, b));
                (b, e.last)
            }
            None if s.doc() == NO_DOC => (0.0, NO_DOC),
            None => (s.ub, NO_DOC),
        }
    };
    // The bound of `base` plus the current blocks of sets `idxs`, and the
    // first last doc among those blocks: no doc up to it can score more.
    let group_skip = |pos: &mut [SetCursor<'_>], idxs: &[usize], base: f64| -> (f64, u32) {
        let (mut bound, mut upto) = (base, NO_DOC);
        for &i in idxs {
            let (b, last) = current(&mut pos[i]);
            bound += b;
            upto = upto.min(last);
        }
        (bound, upto)
    };
    let mut block: Vec<f64> = vec![0.0; pos.len()];
    // Sets by bound, ascending (pos indices): the MaxScore order.
    let mut order: Vec<usize> = (0..pos.len()).collect();
    order.sort_by(|&a, &b| pos[a].ub.total_cmp(&pos[b].ub));
    if musts.is_empty() {
        // MaxScore over should sets.
        let mut cum: Vec<f64> = Vec::with_capacity(order.len());
        let mut acc = 0.0;
        for &i in &order {
            acc += pos[i].ub;
            cum.push(acc);
        }
        let mut n_ness = 0usize;
        loop {
            while n_ness < order.len() && top.closed_below(cum[n_ness]) {
                n_ness += 1;
            }
            if n_ness == order.len() {
                break;
            }
            let d = order[n_ness..]
                .iter()
                .map(|&i| pos[i].doc())
                .min()
                .unwrap_or(NO_DOC);
            if d == NO_DOC {
                break;
            }
            let rest_ub = if n_ness > 0 { cum[n_ness - 1] } else { 0.0 };
            if top.is_full() {
                // Block-max skip: no doc up to the end of the essential
                // sets' current blocks can enter: none can score more than
                // the worst hit, and none that ties it has a smaller id
                // (the first doc's id bounds them when the part's ids are
                // its base plus the local ids).
                let (bound, upto) = group_skip(&mut pos, &order[n_ness..], rest_ub);
                let first = base.map_or(0, |b| b.saturating_add(d));
                if !top.may_enter(bound, first) {
                    #[cfg(test)]
                    if !top.closed_below(bound) {
                        TIE_SKIPS.with(|n| n.set(n.get() + 1));
                    }
                    if upto == NO_DOC {
                        break;
                    }
                    for &i in &order[n_ness..] {
                        pos[i].advance(upto + 1, &fmt_err)?;
                    }
                    continue;
                }
            }
            let gid = globals.get(d as usize).copied().unwrap_or(DELETED);
            let mut partial = 0.0;
            val.fill(None);
            if gid != DELETED {
                for &i in &order[n_ness..] {
                    if pos[i].doc() == d {
                        let s = score_of(&pos[i], d);
                        val[i] = Some(s);
                        partial += s;
                    }
                }
                let mut rest = rest_ub;
                let mut alive = top.may_enter(partial + rest, gid);
                if alive && n_ness > 0 {
                    // Tighter: the non-essential sets' block maxima at d.
                    rest = 0.0;
                    for &i in &order[..n_ness] {
                        block[i] = block_bound(&mut pos[i], d);
                        rest += block[i];
                    }
                    alive = top.may_enter(partial + rest, gid);
                }
                for j in (0..n_ness).rev() {
                    if !alive {
                        break;
                    }
                    let i = order[j];
                    pos[i].advance(d, &fmt_err)?;
                    rest -= block[i];
                    if pos[i].doc() == d {
                        let s = score_of(&pos[i], d);
                        val[i] = Some(s);
                        partial += s;
                    }
                    alive = top.may_enter(partial + rest.max(0.0), gid);
                }
                if alive && !excluded(&mut neg, d)? {
                    let total = exact(&val, &mut leaf, &pos);
                    top.push(total, gid);
                }
            }
            for &i in &order[n_ness..] {
                if pos[i].doc() == d {
                    pos[i].next(&fmt_err)?;
                }
            }
        }
        return Ok(());
    }
    // Must clauses: the cheapest leads, the others are probed.
    let cost = |c: usize| -> u64 {
        pos.iter()
            .filter(|s| sets[s.set].clause == c)
            .map(|s| u64::from(s.c.df()))
            .sum()
    };
    let lead_clause = musts
        .iter()
        .copied()
        .min_by_key(|&c| cost(c))
        .unwrap_or(musts[0]);
    let leaders: Vec<usize> = (0..pos.len())
        .filter(|&i| sets[pos[i].set].clause == lead_clause)
        .collect();
    let others_ub: f64 = (0..pos.len())
        .filter(|i| !leaders.contains(i))
        .map(|i| pos[i].ub)
        .sum();
    let total_ub: f64 = pos.iter().map(|s| s.ub).sum();
    loop {
        let d = leaders
            .iter()
            .map(|&i| pos[i].doc())
            .min()
            .unwrap_or(NO_DOC);
        if d == NO_DOC {
            break;
        }
        if top.is_full() {
            // Block-max skip over the leading sets' current blocks.
            let (bound, upto) = group_skip(&mut pos, &leaders, others_ub);
            if top.closed_below(bound) {
                if upto == NO_DOC {
                    break;
                }
                for &i in &leaders {
                    pos[i].advance(upto + 1, &fmt_err)?;
                }
                continue;
            }
        }
        let gid = globals.get(d as usize).copied().unwrap_or(DELETED);
        if gid != DELETED && top.may_enter(total_ub, gid) {
            val.fill(None);
            let mut ok = true;
            for &c in &musts {
                if c == lead_clause {
                    continue;
                }
                let mut hit = false;
                for s in pos.iter_mut().filter(|s| sets[s.set].clause == c) {
                    s.advance(d, &fmt_err)?;
                    hit |= s.doc() == d;
                }
                if !hit {
                    ok = false;
                    break;
                }
            }
            if ok && !excluded(&mut neg, d)? {
                for i in 0..pos.len() {
                    pos[i].advance(d, &fmt_err)?;
                    if pos[i].doc() == d {
                        val[i] = Some(score_of(&pos[i], d));
                    }
                }
                let total = exact(&val, &mut leaf, &pos);
                top.push(total, gid);
            }
        }
        for &i in &leaders {
            if pos[i].doc() == d {
                pos[i].next(&fmt_err)?;
            }
        }
    }
    Ok(())
}

/// Scores a term set's postings: BM25 with the fields' average lengths.
struct Scorer {
    avgdl: [f64; 6],
    bm25: Bm25,
}

impl Scorer {
    /// The scorer of `src`: its BM25 and its fields' average lengths.
    fn of<S: CursorSource>(src: &S) -> Scorer {
        Scorer {
            avgdl: std::array::from_fn(|i| src.avgdl(Field::ALL[i])),
            bm25: src.bm25(),
        }
    }

    /// The score of `set` at term frequency `tf` and field length `dl`.
    #[inline]
    fn score(&self, set: &Set, tf: u32, dl: u32) -> f64 {
        self.bm25.score(
            set.w_idf,
            f64::from(tf),
            f64::from(dl),
            self.avgdl[set.f.index()],
        )
    }

    /// BM25's limit for `set`: its score bound whatever the tf and length.
    fn limit(&self, set: &Set) -> f64 {
        set.w_idf * (self.bm25.k1 + 1.0)
    }
}

/// A part's length columns, by field.
fn lengths_of<S: CursorSource>(src: &S, part: usize) -> Result<Vec<&[u32]>> {
    Field::ALL
        .iter()
        .map(|&f| src.part_lengths(part, f))
        .collect()
}

/// A doc's exact score from its sets' scores `(clause, score)`, given in
/// set order: sets in order within a leaf, from 0.0, then leaves in clause
/// order, from 0.0, as the exhaustive executor sums them. `leaf` is scratch
/// (one entry per clause).
fn exact_total(leaf: &mut [Option<f64>], scored: impl Iterator<Item = (usize, f64)>) -> f64 {
    leaf.fill(None);
    for (clause, v) in scored {
        let l = leaf[clause].get_or_insert(0.0);
        *l += v;
    }
    let mut total = 0.0;
    for l in leaf.iter().flatten() {
        total += l;
    }
    total
}

impl CursorSource for DiskIndex {
    fn globals(&self, part: usize) -> Result<&[u32]> {
        self.live_globals(part)
    }

    fn base(&self, part: usize) -> Result<Option<u32>> {
        self.live_base(part)
    }

    fn part_lengths(&self, part: usize, f: Field) -> Result<&[u32]> {
        self.segments[part].lengths(f)
    }

    fn infos(&self, part: usize, f: Field, ords: &[u64]) -> Result<Vec<TermInfo>> {
        self.segments[part].infos_at(f, ords)
    }

    fn prefetch_infos(&self, asks: &[(usize, Field, &[u64])]) {
        // The block entries first, then the infos they point at: two
        // rounds of misses for all of them instead of two each.
        for &(part, f, ords) in asks {
            self.segments[part].prefetch_entries(f, ords);
        }
        for &(part, f, ords) in asks {
            self.segments[part].prefetch_infos(f, ords);
        }
    }

    fn union_dfs(&self, asks: &[(usize, Field, &str)]) -> Result<Vec<Option<u32>>> {
        let mut walks = Vec::with_capacity(asks.len());
        for &(part, f, key) in asks {
            walks.push(Walk::new(
                self.segments[part].union_map(f)?.as_fst(),
                key.as_bytes(),
            ));
        }
        walk_in_turns(&mut walks);
        asks.iter()
            .zip(&walks)
            .map(|(&(part, _, key), w)| {
                w.value()
                    .map(|df| self.segments[part].union_checked(df, key))
                    .transpose()
            })
            .collect()
    }

    fn prefetch_cursors(&self, asks: &[(usize, Field, u64, &TermInfo)]) {
        let mut searches = Vec::with_capacity(asks.len());
        for &(part, f, ord, info) in asks {
            if let Some((maxima, postings)) = self.segments[part].cursor_bytes(f, info) {
                prefetch(postings, 0);
                searches.push((maxima, ord, info.df));
            }
        }
        prefetch_entries_of(&searches);
    }

    fn cursor(&self, part: usize, f: Field, ord: u64, info: &TermInfo) -> Result<Cursor<'_>> {
        self.segments[part].cursor_at(f, ord, info)
    }

    fn part_error(&self, part: usize, detail: String) -> Error {
        self.segments[part].error(detail)
    }

    fn helper(&self) -> Option<&rayon::ThreadPool> {
        DiskIndex::helper(self)
    }
}
