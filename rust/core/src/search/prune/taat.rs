//! Exact top-k of queries of should and must clauses (no must-not), term
//! at a time over candidates.
//!
//! Each word of a query is a term set in each of the six fields, and a
//! common word's body list holds most of the query's postings while its
//! bound (a small idf times BM25's limit) is a sliver of the top scores.
//! `MaxScore` doc at a time ([`super::run_part`]) still walks every doc of
//! the essential sets, cursor by cursor; this strategy reads few postings
//! beyond the short lists:
//!
//! 1. the sets are read whole, largest bound first (but a must clause
//!    whose sets left cost fewer postings than the next set is read to its
//!    end first: [`reading_order`]), summing each doc's partial score (the
//!    scores of the sets read, a lower bound of its score) and keeping the
//!    `k` best partials, until the bounds of the sets left sum below the
//!    `k`-th best partial (a doc not seen by then cannot enter the top `k`:
//!    from then on, a set read whole only adds to the docs seen that can
//!    still enter, [`narrow`]) and reading the next set whole would cost
//!    more postings than jumping to each candidate's posting in it;
//! 2. the candidates are the docs seen whose partial plus those bounds can
//!    still reach the `k`-th best partial;
//! 3. each candidate is scored exactly: its scores in the sets read whole
//!    come from a log kept while reading, its postings in the others are
//!    reached by jumping over blocks ([`Cursor::advance`]) one set at a
//!    time, setting aside after each set the candidates that can no longer
//!    reach the `k`-th best partial, and the scores are summed in the
//!    exhaustive order ([`super::exact_total`]) and offered to the top `k`.
//!
//! Exactness: the `k` docs of the best partials score at least those
//! partials (their other sets add scores >= 0; summing in another order
//! moves a sum of a few dozen terms by far less than the relative 1e-9
//! allowed), so the `k`-th best score is at least the `k`-th best partial.
//! A doc is set aside only when its bound, inflated by 1e-9 and rounded to
//! `f32`, is *below* that partial, deflated by 1e-9 and rounded: rounding is
//! monotone, so its hit ranks below the `k`-th whatever its id. Deleted docs
//! are never seen; must-not clauses take the other strategies.
//!
//! Must clauses: a doc's partial bounds a hit's score from below only once
//! the doc matched every must clause, so only those docs count among the
//! `k` best partials; once every set of a must clause was read whole, no
//! new doc is seen (it cannot match) and reading stops as soon as probing
//! the docs seen costs less; a candidate that lacks a must clause whose
//! sets were all read or probed is set aside. A hit's score is the sum a
//! group of should clauses would give it (the same sets, summed in the same
//! order), so `a AND b` costs about what `a b` does, not an exhaustive
//! merge of both words' lists (at 1 GB, `test AND automation` 2.4 ms
//! against 8-14 ms exhaustively).

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use super::{exact_total, lengths_of, Clause, CursorSource, Scorer, Set, Top};
use crate::error::Result;
use crate::index::docmap::DELETED;
use crate::postings::{prefetch, worth_prefetching, BATCH};
use crate::query::Occur;
use crate::segment::Cursor;

/// No slot: the doc was not seen.
const UNSEEN: u32 = u32::MAX;

thread_local! {
    /// This thread's scratch, kept between queries, and a second one it
    /// lends to the thread it starts for half of a query's docs
    /// ([`super::split`]).
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
    static LENT: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// The last run on this thread, for tests.
#[cfg(test)]
#[derive(Clone, Copy, Debug, Default)]
struct Last {
    /// Sets read whole, and sets.
    read: usize,
    sets: usize,
    /// Candidates, and (candidate, set) probes made.
    cands: usize,
    probes: usize,
    /// Postings of docs not seen yet passed over in sets read whole.
    passed: usize,
    /// Docs seen, then set aside once no new doc could enter ([`narrow`]).
    narrowed: usize,
    /// Whether a must clause's sets were moved up ([`reading_order`]).
    closed_first: bool,
}

/// Records `f` of the last run on this thread ([`Last`]).
#[cfg(test)]
fn note(f: impl FnOnce(&mut Last)) {
    LAST.with(|l| {
        let mut last = l.get();
        f(&mut last);
        l.set(last);
    });
}

/// Counts a posting of a doc not seen passed over ([`Last::passed`]).
#[cfg(test)]
fn note_passed() {
    note(|l| l.passed += 1);
}

/// Counts a posting of global id `gid` passed over once no new doc can
/// enter, when its doc was not seen ([`Last::passed`]).
#[cfg(test)]
fn note_skipped(slots: &[u32], gid: u32) {
    if slots.get(gid as usize).is_none_or(|&s| s == UNSEEN) {
        note_passed();
    }
}

#[cfg(test)]
thread_local! {
    static LAST: std::cell::Cell<Last> = const {
        std::cell::Cell::new(Last {
            read: 0,
            sets: 0,
            cands: 0,
            probes: 0,
            passed: 0,
            narrowed: 0,
            closed_first: false,
        })
    };
}

/// Scratch arrays: by global doc id, each doc's slot among the docs seen
/// (`UNSEEN` between queries); by local doc id, a set's summed term
/// frequency (0 between queries); the docs seen and their partials; and
/// whether a query left the arrays dirty (it did not finish): then they are
/// refilled.
#[derive(Default)]
pub(super) struct Scratch {
    slots: Vec<u32>,
    tfs: Vec<u32>,
    touched: Vec<u32>,
    seen: Vec<Seen>,
    acc: Vec<f64>,
    /// Per doc seen, the must clauses it matched in the sets read (a bit
    /// per must clause, [`Musts`]).
    have: Vec<u32>,
    /// `(slot, set, score)` of every posting read whole, for the exact sums.
    log: Vec<(u32, u32, f64)>,
    /// Once no new doc can enter, the slots of the docs seen that still can
    /// ([`narrow`]), and a bit per global id of theirs (0 between queries).
    alive: Vec<u32>,
    alive_bits: Vec<u64>,
    dirty: bool,
}

/// The per-doc lists (docs seen, partials, log) are kept for the next query
/// up to this many entries (about 1 MB each); longer ones are let go, so
/// that a long-lived process (the MCP server, a batch's threads) does not
/// hold the largest query's memory.
const KEEP: usize = 1 << 16;

impl Scratch {
    /// Lets go of the per-doc lists longer than [`KEEP`].
    fn release_large(&mut self) {
        if self.log.capacity() > KEEP {
            self.log = Vec::new();
        }
        if self.seen.capacity() > KEEP {
            self.seen = Vec::new();
            self.acc = Vec::new();
            self.have = Vec::new();
        }
        if self.touched.capacity() > KEEP {
            self.touched = Vec::new();
        }
        if self.alive.capacity() > KEEP {
            self.alive = Vec::new();
        }
    }
}

/// Whether a query of these clauses takes this strategy: no must-not
/// clause, and at most 32 must clauses (a bit each, [`Musts`]).
pub(super) fn fits(cls: &[Clause<'_>]) -> bool {
    cls.iter().all(|c| c.0 != Occur::MustNot)
        && cls.iter().filter(|c| c.0 == Occur::Must).count() <= 32
}

/// The must clauses of a query as bits: a doc is a hit when it matched
/// every one (`all`; 0 without must clauses). Until then its partial is no
/// lower bound of a hit's score: only the partials of docs that matched
/// every must clause count among the `k` best ([`Best`]). Per set, the bit
/// of its clause (0 for a should clause); per position `j` in the order the
/// sets are read, the must clauses whose sets all come before `j`
/// (`closed[j]`): a doc that lacks one of them cannot match.
struct Musts {
    all: u32,
    bits: Vec<u32>,
    closed: Vec<u32>,
}

impl Musts {
    /// The bits of `sets` (clauses `cls`, every must clause with a set)
    /// read in `order`.
    fn new(cls: &[Clause<'_>], sets: &[Set], order: &[usize]) -> Musts {
        let mut bit_of = vec![0u32; cls.len()];
        let mut next = 1u32;
        for (b, c) in bit_of.iter_mut().zip(cls) {
            if c.0 == Occur::Must {
                *b = next;
                next = next.wrapping_shl(1);
            }
        }
        let all = bit_of.iter().fold(0, |a, b| a | b);
        let bits: Vec<u32> = sets.iter().map(|s| bit_of[s.clause]).collect();
        // A clause is closed after the last of its sets.
        let mut left = vec![0usize; cls.len()];
        for set in sets {
            left[set.clause] += 1;
        }
        let mut closed = Vec::with_capacity(order.len() + 1);
        let mut done = 0u32;
        closed.push(done);
        for &si in order {
            let c = sets[si].clause;
            left[c] -= 1;
            if left[c] == 0 {
                done |= bit_of[c];
            }
            closed.push(done);
        }
        Musts { all, bits, closed }
    }
}

/// Whether this strategy is expected to pay for term sets
/// `found`: when at least two sets have terms, and either they are of two
/// or more clauses (words) and hold at least [`MIN_WORDS_POSTINGS`]
/// postings, or they are one word's and hold at least
/// [`super::MIN_PRUNED_POSTINGS`] postings, and [`MIN_SET_POSTINGS`] per set
/// on average. One set is read whole either way (and its ties make every
/// doc a candidate); below those counts the exhaustive executor's one pass
/// costs less than this strategy's cursors per set and term (measured on the
/// benchmark's mixed set at 26 MB, 100 MB and 1 GB, `examples/prunebench`,
/// and for several words, taken in turn in one process, `examples/mixcycle`:
/// the top docs of several words hold most of them, so their partials
/// pass over the docs of one word alone early; one word's sets of a few
/// thousand postings lost 10-20% at 26 MB).
/// The postings are counted cheaply: per set and part, the stem union's
/// stored df for several terms (deleted docs included), else the term's
/// (both read by [`super::Found::read`]).
pub(super) fn pays(found: &[super::Found]) -> bool {
    let present = found.iter().filter(|s| !s.handles.is_empty()).count() as u64;
    if present < 2 {
        return false;
    }
    let mut positive = 0u64;
    for s in found {
        let mut at = 0usize;
        for (run, union) in s.handles.chunk_by(|a, b| a.0 == b.0).zip(&s.unions) {
            let infos = &s.infos[at..at + run.len()];
            at += run.len();
            positive += match union {
                Some(df) => u64::from(*df),
                None => infos.iter().flatten().map(|i| u64::from(i.df)).sum(),
            };
        }
    }
    // Two or more clauses (words) with terms.
    let with_terms = found.iter().filter(|s| !s.handles.is_empty());
    if several(with_terms.map(|s| s.clause)) {
        return positive >= MIN_WORDS_POSTINGS;
    }
    positive >= super::MIN_PRUNED_POSTINGS && positive >= MIN_SET_POSTINGS * present
}

/// Whether `clauses` (clause ids) are not all the first one's.
fn several(mut clauses: impl Iterator<Item = usize>) -> bool {
    let first = clauses.next();
    clauses.any(|c| Some(c) != first)
}

/// See [`pays`]: four blocks of postings.
const MIN_SET_POSTINGS: u64 = 512;

/// See [`pays`]: eight blocks of postings.
const MIN_WORDS_POSTINGS: u64 = 1024;

/// The `k` best partial scores so far, of distinct docs (by slot).
struct Best<'f> {
    k: usize,
    items: Vec<(f64, u32)>,
    /// Per slot, whether it is among `items`.
    held: Vec<bool>,
    /// The smallest of `items` once there are `k` of them.
    min: f64,
    /// The floor shared with the query's other run, and its value when
    /// last read.
    floor: Option<&'f Floor>,
    outer: f64,
}

impl<'f> Best<'f> {
    fn new(k: usize, floor: Option<&'f Floor>) -> Best<'f> {
        Best {
            k,
            items: Vec::with_capacity(k),
            held: Vec::new(),
            min: f64::NEG_INFINITY,
            floor,
            outer: floor.map_or(f64::NEG_INFINITY, Floor::get),
        }
    }

    /// Reads the shared floor again.
    #[inline]
    fn refresh(&mut self) {
        if let Some(f) = self.floor {
            self.outer = f.get();
        }
    }

    /// Slot `slot`'s partial grew to `v`.
    #[inline]
    fn offer(&mut self, slot: u32, v: f64) {
        let s = slot as usize;
        if s >= self.held.len() {
            self.held.resize(s + 1, false);
        }
        if self.held[s] {
            if let Some(item) = self.items.iter_mut().find(|i| i.1 == slot) {
                item.0 = v;
            }
        } else if self.items.len() < self.k {
            self.items.push((v, slot));
            self.held[s] = true;
        } else if v > self.min {
            // Evict a smallest partial: it is no larger than `v`, and every
            // doc not held has a partial no larger than it.
            let at = self
                .items
                .iter()
                .enumerate()
                .min_by(|a, b| a.1 .0.total_cmp(&b.1 .0))
                .map_or(0, |(i, _)| i);
            self.held[self.items[at].1 as usize] = false;
            self.items[at] = (v, slot);
            self.held[s] = true;
        } else {
            return;
        }
        if self.items.len() == self.k {
            self.min = self.items.iter().map(|i| i.0).fold(f64::INFINITY, f64::min);
            if self.min > self.outer {
                if let Some(f) = self.floor {
                    f.raise(self.min);
                }
            }
        }
    }

    /// Whether no doc whose score is at most `bound` can enter the top `k`:
    /// it is below the `k`-th best partial, or below the other run's floor
    /// as last read. Both are -inf until there is one, and nothing is below
    /// -inf.
    fn closed_below(&self, bound: f64) -> bool {
        below(bound, self.min.max(self.outer))
    }
}

/// A lower bound of a split query's `k`-th best score that its two runs
/// ([`super::split`]) share: the larger of their `k`-th best partials of
/// docs that matched every must clause (each bounds `k` distinct hits'
/// scores from below, whatever the other run's parts hold), so either run
/// prunes against the better of both. It only grows, so a stale read is a
/// smaller bound, still a bound.
pub(super) struct Floor(AtomicU64);

impl Floor {
    pub(super) fn new() -> Floor {
        Floor(AtomicU64::new(f64::NEG_INFINITY.to_bits()))
    }

    fn get(&self) -> f64 {
        f64::from_bits(self.0.load(Ordering::Relaxed))
    }

    /// Raises it to `v` when `v` is larger.
    fn raise(&self, v: f64) {
        let mut now = self.0.load(Ordering::Relaxed);
        while f64::from_bits(now) < v {
            match self.0.compare_exchange_weak(
                now,
                v.to_bits(),
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return,
                Err(seen) => now = seen,
            }
        }
    }
}

/// A doc seen: its part, local id and global id.
type Seen = (usize, u32, u32);

/// A set's terms' cursors in one part (its stem variants there).
type Terms<'a> = Vec<Cursor<'a>>;

/// Reading a set whole costs its postings; jumping to a candidate's posting
/// in it costs about this many postings decoded (half a block).
const PROBE_POSTINGS: u64 = 64;

/// Scores `sets` (clauses `cls`, no must-not clause) over every part into
/// `top`, on this thread.
///
/// # Errors
/// As [`crate::SearchIndex::search`]: a malformed part.
pub(super) fn run<S: CursorSource>(
    src: &S,
    cls: &[Clause<'_>],
    sets: &[Set],
    scorer: &Scorer,
    top: &mut Top,
) -> Result<()> {
    if matches_nothing(cls, sets) {
        return Ok(());
    }
    let pieces: Vec<Piece> = (0..src.num_parts()).map(Piece::whole).collect();
    SCRATCH.with(|cell| {
        let mut guard = cell.borrow_mut();
        let share = Share {
            pieces: &pieces,
            floor: None,
        };
        run_parts(src, cls, sets, scorer, share, &mut guard, top)
    })
}

/// Whether no doc can match: no set, or a must clause without one.
pub(super) fn matches_nothing(cls: &[Clause<'_>], sets: &[Set]) -> bool {
    let unmatched =
        |(c, cl): (usize, &Clause<'_>)| cl.0 == Occur::Must && !sets.iter().any(|s| s.clause == c);
    sets.is_empty() || cls.iter().enumerate().any(unmatched)
}

/// Calls `f` with this thread's scratch and the one it lends to a helper
/// thread ([`super::split`]).
pub(super) fn with_two<R>(f: impl FnOnce(&mut Scratch, &mut Scratch) -> R) -> R {
    SCRATCH.with(|one| {
        LENT.with(|two| {
            let mut one = one.borrow_mut();
            let mut two = two.borrow_mut();
            f(&mut one, &mut two)
        })
    })
}

/// The order sets of bounds `ub` and postings `cost` are read in (`must`:
/// per set, its clause when that is a must clause): by bound, largest
/// first, so that the `k`-th best partial rises fast; except that once the
/// sets left of a must clause cost fewer postings than the next set (of
/// another clause), they come first. No doc is seen after the last set of a
/// must clause (a doc that lacks it cannot match), so the next set then adds
/// to the docs seen that can still enter only ([`narrow`]), where it would
/// have seen its own docs, for fewer postings than it costs. Measured at
/// 100 MB: `python AND asyncio`, whose second word's body list (540
/// postings, a small bound) came after the first word's description list
/// (1,313): 103 -> 64 µs, the mixed set's other queries unchanged.
fn reading_order(ub: &[f64], cost: &[u64], must: &[Option<usize>]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..ub.len()).collect();
    order.sort_by(|&a, &b| ub[b].total_cmp(&ub[a]));
    // Per must clause, its sets left and their postings.
    let n = must.iter().flatten().map(|&c| c + 1).max().unwrap_or(0);
    let mut left = vec![(0usize, 0u64); n];
    for (m, &c) in must.iter().zip(cost) {
        if let Some(l) = m.and_then(|m| left.get_mut(m)) {
            *l = (l.0 + 1, l.1 + c);
        }
    }
    for j in 0..order.len() {
        let si = order[j];
        let cheapest = (0..n)
            .filter(|&c| left[c].0 > 0 && must[si] != Some(c))
            .min_by_key(|&c| left[c].1);
        if let Some(c) = cheapest.filter(|&c| left[c].1 < cost[si]) {
            // A stable sort: each part keeps its order by bound.
            order[j..].sort_by_key(|&sj| must[sj] != Some(c));
            #[cfg(test)]
            note(|l| l.closed_first = true);
            break;
        }
        if let Some(l) = must[si].and_then(|m| left.get_mut(m)) {
            *l = (l.0 - 1, l.1 - cost[si]);
        }
    }
    order
}

/// A run's share of a part: its docs of local ids `lo..hi`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Piece {
    pub(super) part: usize,
    pub(super) lo: u32,
    pub(super) hi: u32,
}

impl Piece {
    /// Every doc of part `part`.
    pub(super) fn whole(part: usize) -> Piece {
        Piece {
            part,
            lo: 0,
            hi: u32::MAX,
        }
    }
}

/// What one run scores: pieces of distinct parts, and the floor it shares
/// with the query's other run (none on one thread).
#[derive(Clone, Copy)]
pub(super) struct Share<'s> {
    pub(super) pieces: &'s [Piece],
    pub(super) floor: Option<&'s Floor>,
}

/// [`run`] over the pieces of `share`, with `scratch`: their `k` best hits
/// into `top`.
pub(super) fn run_parts<S: CursorSource>(
    src: &S,
    cls: &[Clause<'_>],
    sets: &[Set],
    scorer: &Scorer,
    share: Share<'_>,
    scratch: &mut Scratch,
    top: &mut Top,
) -> Result<()> {
    let Share { pieces, floor } = share;
    let n_parts = src.num_parts();
    let score = |set: &Set, tf: u32, dl: u32| scorer.score(set, tf, dl);
    let mut globals: Vec<&[u32]> = Vec::with_capacity(n_parts);
    let mut bases: Vec<Option<u32>> = Vec::with_capacity(n_parts);
    let mut lengths: Vec<Vec<&[u32]>> = Vec::with_capacity(n_parts);
    for part in 0..n_parts {
        globals.push(src.globals(part)?);
        bases.push(src.base(part)?);
        lengths.push(lengths_of(src, part)?);
    }
    let (mut terms, ub, cost, ranges) = open_sets(src, sets, scorer, pieces, &globals)?;
    #[cfg(test)]
    LAST.with(|l| l.set(Last::default()));
    // The order the sets are read in, and the bounds of the sets after each.
    let must_of: Vec<Option<usize>> = sets
        .iter()
        .map(|s| (cls[s.clause].0 == Occur::Must).then_some(s.clause))
        .collect();
    let order = reading_order(&ub, &cost, &must_of);
    let mut rest = vec![0.0f64; order.len() + 1];
    for j in (0..order.len()).rev() {
        rest[j] = rest[j + 1] + ub[order[j]];
    }
    let musts = Musts::new(cls, sets, &order);
    let n = src.n_docs() as usize;
    // Local ids are below their part's length, deleted docs included.
    let n_local = globals.iter().map(|g| g.len()).max().unwrap_or(0);
    if scratch.dirty || scratch.slots.len() != n || scratch.tfs.len() != n_local {
        // The bits go with the slots: a bit per doc.
        scratch.slots = vec![UNSEEN; n];
        scratch.tfs = vec![0; n_local];
        scratch.alive_bits = vec![0; n.div_ceil(64)];
    }
    scratch.dirty = true;
    scratch.seen.clear();
    scratch.acc.clear();
    scratch.have.clear();
    scratch.log.clear();
    scratch.alive.clear();
    let plan = Plan {
        sets,
        order: &order,
        rest: &rest,
        cost: &cost,
        terms: &terms,
        ranges: &ranges,
        globals: &globals,
        bases: &bases,
        lengths: &lengths,
        score: &score,
        musts: &musts,
        floor,
    };
    let out = scan(src, &plan, scratch, top.k);
    for &(_, _, gid) in &scratch.seen {
        scratch.slots[gid as usize] = UNSEEN;
    }
    for &slot in &scratch.alive {
        if let Some(&(_, _, gid)) = scratch.seen.get(slot as usize) {
            set_bit(&mut scratch.alive_bits, gid, false);
        }
    }
    // A scan that failed midway may leave summed tfs behind.
    scratch.dirty = out.is_err();
    let (read, mut best) = out?;
    best.refresh();
    #[cfg(test)]
    note(|l| (l.read, l.sets) = (read, sets.len()));
    let (cands, mut vals, mut have) =
        candidates(scratch, &best, rest[read], musts.closed[read], sets.len());
    scratch.release_large();
    let unread = &order[read..];
    let columns = Columns {
        lengths: &lengths,
        score: &score,
    };
    let probe = Probe {
        unread,
        after: &rest[read + 1..],
        closed: &musts.closed[read + 1..],
        musts: &musts,
        floor,
    };
    exact_top(
        src, sets, cls, &mut terms, &probe, &columns, &cands, &mut vals, &mut have, top,
    )?;
    Ok(())
}

/// What scoring a doc of a part needs: the parts' length columns by field,
/// and a set's score at a term frequency and a length.
struct Columns<'s, 'a, F> {
    lengths: &'s [Vec<&'a [u32]>],
    score: &'s F,
}

/// The sets not read whole, in the order they are probed (largest bound
/// first), and after each, the sum of the bounds of the sets after it and
/// the must clauses closed.
struct Probe<'s> {
    unread: &'s [usize],
    after: &'s [f64],
    closed: &'s [u32],
    musts: &'s Musts,
    floor: Option<&'s Floor>,
}

/// Scores each candidate (`width` of `vals` each, by set: its scores in the
/// sets read whole) exactly, and offers it to `top`. The candidates' postings
/// in the unread sets are reached by jumping over blocks, one set at a time
/// (`MaxScore`'s candidate pruning): after each set, a candidate whose partial
/// plus the bounds of the sets left is below the `k`-th best partial of the
/// candidates (a lower bound of the `k`-th best score) is set aside, by the
/// rule of [`Best::closed_below`], and not probed again. With must clauses,
/// `have` holds each candidate's (as in [`Scratch::have`]): only the
/// candidates that matched them all count among the `k` best partials, and
/// a candidate that lacks a closed one is set aside.
#[allow(clippy::too_many_arguments)]
fn exact_top<S: CursorSource, F: Fn(&Set, u32, u32) -> f64>(
    src: &S,
    sets: &[Set],
    cls: &[Clause<'_>],
    terms: &mut [Vec<Terms<'_>>],
    probe: &Probe<'_>,
    columns: &Columns<'_, '_, F>,
    cands: &[Seen],
    vals: &mut [Option<f64>],
    have: &mut [u32],
    top: &mut Top,
) -> Result<()> {
    let width = sets.len();
    let all = probe.musts.all;
    let k = top.k;
    // Each candidate's partial (any order of summing: it only prunes, with
    // the relative slack of `closed_below`), and the candidates still in.
    let mut partial: Vec<f64> = vals
        .chunks(width)
        .map(|row| row.iter().flatten().sum())
        .collect();
    let mut alive: Vec<usize> = (0..cands.len()).collect();
    let mut kth: Vec<f64> = Vec::new();
    for ((&si, &after), &closed) in probe.unread.iter().zip(probe.after).zip(probe.closed) {
        let set = &sets[si];
        let bit = probe.musts.bits[si];
        let lengths_of = |part: usize| columns.lengths[part][set.f.index()];
        #[cfg(test)]
        note(|l| {
            l.cands = cands.len();
            l.probes += alive.len();
        });
        for &c in &alive {
            let (part, local, _) = cands[c];
            let mut tf = 0u32;
            for cur in &mut terms[si][part] {
                cur.advance(local).map_err(|d| src.part_error(part, d))?;
                if cur.doc == local {
                    tf = tf.saturating_add(cur.tf);
                }
            }
            if tf > 0 {
                let dl = lengths_of(part).get(local as usize).copied().unwrap_or(0);
                let v = (columns.score)(set, tf, dl);
                vals[c * width + si] = Some(v);
                partial[c] += v;
                have[c] |= bit;
            }
        }
        if closed != 0 {
            alive.retain(|&c| have[c] & closed == closed);
        }
        // The `k`-th best partial of the candidates that matched every
        // must clause, or the other run's floor when larger.
        let mut t = probe.floor.map_or(f64::NEG_INFINITY, Floor::get);
        if alive.len() > k && k > 0 {
            kth.clear();
            kth.extend(
                alive
                    .iter()
                    .filter(|&&c| have[c] == all)
                    .map(|&c| partial[c]),
            );
            if kth.len() >= k {
                let (_, &mut own, _) = kth.select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a));
                if let Some(f) = probe.floor.filter(|_| own > t) {
                    f.raise(own);
                }
                t = t.max(own);
            }
        }
        if t > f64::NEG_INFINITY {
            alive.retain(|&c| !below(partial[c] + after, t));
        }
    }
    let mut leaf: Vec<Option<f64>> = vec![None; cls.len()];
    // Every must clause is closed once every set is read or probed: the
    // candidates left matched them all.
    for &c in &alive {
        let row = &vals[c * width..(c + 1) * width];
        let scored = row
            .iter()
            .zip(sets)
            .filter_map(|(v, set)| v.map(|v| (set.clause, v)));
        top.push(exact_total(&mut leaf, scored), cands[c].2);
    }
    Ok(())
}

/// Whether a doc whose score is at most `bound` ranks below every doc
/// scoring at least `kth`, whatever their ids: `bound` inflated and `kth`
/// deflated by a relative 1e-9, both rounded to `f32` (rounding is
/// monotone), compare strictly.
fn below(bound: f64, kth: f64) -> bool {
    #[allow(clippy::cast_possible_truncation)] // rounding to f32 is the contract
    let (b, t) = ((bound * (1.0 + 1e-9)) as f32, (kth * (1.0 - 1e-9)) as f32);
    b < t
}

/// Each set's cursors per part (those of `pieces`), its bound over all
/// parts (BM25 at its terms' summed largest tfs and smallest length when
/// they all have block maxima, else BM25's limit), and its postings in the
/// pieces (a piece of a part counts its share of the part's docs, of
/// which `globals` holds one id each); and per part, the local ids of its
/// piece.
#[allow(clippy::type_complexity)]
fn open_sets<'a, S: CursorSource>(
    src: &'a S,
    sets: &[Set],
    scorer: &Scorer,
    pieces: &[Piece],
    globals: &[&[u32]],
) -> Result<(Vec<Vec<Terms<'a>>>, Vec<f64>, Vec<u64>, Vec<(u32, u32)>)> {
    let n_parts = src.num_parts();
    let mut ranges = vec![(0u32, u32::MAX); n_parts];
    let mut share = vec![None::<f64>; n_parts];
    for p in pieces {
        let parts = (
            ranges.get_mut(p.part),
            share.get_mut(p.part),
            globals.get(p.part),
        );
        if let (Some(r), Some(sh), Some(g)) = parts {
            *r = (p.lo, p.hi);
            let len = g.len();
            let len32 = u32::try_from(len).unwrap_or(u32::MAX);
            let width = p.hi.min(len32).saturating_sub(p.lo);
            *sh = Some(if len == 0 {
                0.0
            } else {
                f64::from(width) / len as f64
            });
        }
    }
    let share_of = &share;
    let asks: Vec<_> = sets
        .iter()
        .flat_map(|set| {
            set.handles
                .iter()
                .zip(&set.infos)
                .filter(move |(h, _)| share_of.get(h.0).is_some_and(Option::is_some))
                .map(move |(&(part, ord), info)| (part, set.f, ord, info))
        })
        .collect();
    src.prefetch_cursors(&asks);
    let mut terms: Vec<Vec<Terms<'a>>> = Vec::with_capacity(sets.len());
    let mut ub: Vec<f64> = Vec::with_capacity(sets.len());
    let mut cost: Vec<u64> = Vec::with_capacity(sets.len());
    for set in sets {
        let mut per: Vec<Terms<'a>> = Vec::with_capacity(n_parts);
        let (mut bound, mut postings) = (0.0f64, 0.0f64);
        for (part, sh) in share.iter().enumerate() {
            let cs: Terms<'a> = match sh {
                Some(_) => set.cursors(src, part)?,
                None => Vec::new(),
            };
            if !cs.is_empty() {
                let maxima = cs.iter().try_fold((0u32, u32::MAX), |acc, c| {
                    c.list_max()
                        .map(|(t, d)| (acc.0.saturating_add(t), acc.1.min(d)))
                });
                bound = bound.max(match maxima {
                    Some((t, d)) => scorer.score(set, t, d),
                    None => scorer.limit(set),
                });
                let df: u64 = cs.iter().map(|c| u64::from(c.df())).sum();
                #[allow(clippy::cast_precision_loss)] // a count of postings
                let df = df as f64;
                postings += df * sh.unwrap_or(1.0);
            }
            per.push(cs);
        }
        terms.push(per);
        ub.push(bound);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // a count, >= 0
        cost.push(postings.round() as u64);
    }
    Ok((terms, ub, cost, ranges))
}

/// The candidates, by part and local id (the docs seen that matched the
/// must clauses `closed`, whose sets were all read whole, and whose partial
/// plus `rest`, the bounds of the sets not read whole, can still enter),
/// their scores in the sets read whole, from the log: `width` (the number
/// of sets) per candidate, by set; and the must clauses each matched.
fn candidates(
    scratch: &Scratch,
    best: &Best,
    rest: f64,
    closed: u32,
    width: usize,
) -> (Vec<Seen>, Vec<Option<f64>>, Vec<u32>) {
    let mut cands: Vec<(Seen, u32)> = scratch
        .seen
        .iter()
        .zip(&scratch.acc)
        .zip(&scratch.have)
        .zip(0u32..)
        .filter(|&(((_, &a), &h), _)| h & closed == closed && !best.closed_below(a + rest))
        .map(|(((seen, _), _), slot)| (*seen, slot))
        .collect();
    cands.sort_unstable();
    let mut row_of = vec![u32::MAX; scratch.seen.len()];
    for (row, &(_, slot)) in (0u32..).zip(&cands) {
        row_of[slot as usize] = row;
    }
    let mut vals: Vec<Option<f64>> = vec![None; cands.len() * width];
    for &(slot, set, v) in &scratch.log {
        let row = row_of[slot as usize];
        if row != u32::MAX {
            vals[row as usize * width + set as usize] = Some(v);
        }
    }
    let have = cands
        .iter()
        .map(|&(_, slot)| scratch.have[slot as usize])
        .collect();
    (
        cands.into_iter().map(|(seen, _)| seen).collect(),
        vals,
        have,
    )
}

/// What the term-at-a-time scan reads.
struct Plan<'s, 'a, F> {
    sets: &'s [Set],
    /// Sets by bound, largest first; the sum of the bounds from each on;
    /// each set's postings.
    order: &'s [usize],
    rest: &'s [f64],
    cost: &'s [u64],
    terms: &'s [Vec<Terms<'a>>],
    /// Per part, the local ids `lo..hi` of its piece.
    ranges: &'s [(u32, u32)],
    globals: &'s [&'a [u32]],
    /// Per part, its base when its global ids are `base + local id`.
    bases: &'s [Option<u32>],
    lengths: &'s [Vec<&'a [u32]>],
    score: &'s F,
    musts: &'s Musts,
    floor: Option<&'s Floor>,
}

/// The global ids of a batch of a part's `locals` into `gids`: its base
/// plus each local id, else loaded from `globals`. On a large index the
/// lines of their global ids, slots and lengths are asked for.
fn global_ids(
    locals: &[u32],
    base: Option<u32>,
    globals: &[u32],
    slots: &[u32],
    lengths: &[u32],
    gids: &mut [u32; BATCH],
) {
    let far = worth_prefetching(slots.len());
    if far && base.is_none() {
        // The loads below wait on these lines: asked for all at once.
        for &local in locals {
            prefetch(globals, local as usize);
        }
    }
    for (g, &local) in gids.iter_mut().zip(locals) {
        *g = global_id(local, base, globals);
        if far {
            prefetch(slots, *g as usize);
            prefetch(lengths, local as usize);
        }
    }
}

/// The global id of a part's local id `local`: its base plus the id, else
/// loaded from `globals` ([`DELETED`] past its end).
#[inline]
fn global_id(local: u32, base: Option<u32>, globals: &[u32]) -> u32 {
    match base {
        Some(base) => base.wrapping_add(local),
        None => globals.get(local as usize).copied().unwrap_or(DELETED),
    }
}

/// The slot of a doc not seen before (`(part, local id, global id)`),
/// with a partial of 0 and no must clause matched yet.
fn see((seen, acc, have): (&mut Vec<Seen>, &mut Vec<f64>, &mut Vec<u32>), doc: Seen) -> u32 {
    // Fewer docs are seen than there are global ids, which are u32s below
    // `UNSEEN`.
    #[allow(clippy::cast_possible_truncation)]
    let next = acc.len() as u32;
    seen.push(doc);
    acc.push(0.0);
    have.push(0);
    next
}

/// Once no new doc can enter: moves the postings of a batch (`locals` and
/// their tfs, their global ids in `gids`) whose docs still count
/// ([`counts`]: `alive` holds their bits, `slots` one slot per doc of the
/// index) to the front of `ls`, `ts` and `gids`, in a loop without
/// branches, and gives how many.
fn still_counted(
    (locals, tfs): (&[u32], &[u32]),
    gids: &mut [u32; BATCH],
    alive: &[u64],
    slots: &[u32],
    (ls, ts): (&mut [u32; BATCH], &mut [u32; BATCH]),
) -> usize {
    let mut m = 0usize;
    for (i, (&local, &tf)) in locals.iter().zip(tfs).enumerate() {
        let gid = gids[i];
        (ls[m], ts[m], gids[m]) = (local, tf, gid);
        let read = counts(alive, gid, slots.len());
        #[cfg(test)]
        if !read {
            note_skipped(slots, gid);
        }
        m += usize::from(read);
    }
    m
}

/// Sums the tfs of a set's stem variants `cs` in one part per local id
/// (of the ids `keep` keeps) into `sums` (0 between uses), listing the ids
/// in `touched`, in the order first seen; then hands them to `f` with their
/// sums, [`BATCH`] at a time, leaving `sums` at 0.
fn sum_variants(
    cs: &[Cursor<'_>],
    (lo, hi): (u32, u32),
    keep: impl Fn(u32) -> bool,
    (sums, touched): (&mut [u32], &mut Vec<u32>),
    mut f: impl FnMut(&[u32], &[u32]),
) -> std::result::Result<(), String> {
    touched.clear();
    let far = worth_prefetching(sums.len());
    for c in cs {
        c.each_batch_in(lo, hi, |locals, ts| {
            if far {
                for &local in locals {
                    prefetch(sums, local as usize);
                }
            }
            for (&local, &tf) in locals.iter().zip(ts) {
                if !keep(local) {
                    continue;
                }
                if let Some(t) = sums.get_mut(local as usize) {
                    if *t == 0 {
                        touched.push(local);
                    }
                    *t += tf;
                }
            }
        })?;
    }
    let mut ts = [0u32; BATCH];
    for locals in touched.chunks(BATCH) {
        for (t, &local) in ts.iter_mut().zip(locals) {
            *t = sums.get_mut(local as usize).map_or(0, std::mem::take);
        }
        f(locals, &ts[..locals.len()]);
    }
    Ok(())
}

/// Whether the bit of `id` is set (none is past the end).
#[inline]
fn bit_of(bits: &[u64], id: u32) -> bool {
    bits.get((id / 64) as usize)
        .is_some_and(|w| w >> (id % 64) & 1 == 1)
}

/// Whether a posting of global id `gid` is still read once no new doc can
/// enter: its doc still can (its bit in `alive` is set), or the id is not
/// below `n`, the index's docs (an error, reported when it is added).
#[inline]
fn counts(alive: &[u64], gid: u32, n: usize) -> bool {
    bit_of(alive, gid) || (gid != DELETED && gid as usize >= n)
}

/// Sets or clears the bit of `id` (within the bits).
fn set_bit(bits: &mut [u64], id: u32, on: bool) {
    if let Some(w) = bits.get_mut((id / 64) as usize) {
        let mask = 1u64 << (id % 64);
        if on {
            *w |= mask;
        } else {
            *w &= !mask;
        }
    }
}

/// Once no doc not seen can enter the top `k` (at a set whose bounds and
/// those after sum to `rest`, after the must clauses `closed`): keeps in
/// `scratch.alive` (and its bits) the docs seen that still can, those that
/// matched `closed` and whose partial plus `rest` is not below the `k`-th
/// best partial ([`Best::closed_below`]), and gives how many. No doc is seen
/// from then on, and a doc set aside cannot come back (its partial grows by
/// at most `rest`, which only shrinks, and the `k`-th best partial only
/// grows), so `again` (there was an earlier call this scan) narrows the
/// last call's docs. The sets read whole from then on add to these docs
/// only: the others' partials and logs are never used.
fn narrow(scratch: &mut Scratch, best: &Best, rest: f64, closed: u32, again: bool) -> usize {
    let Scratch {
        seen,
        acc,
        have,
        alive,
        alive_bits,
        ..
    } = scratch;
    let can = |slot: usize| have[slot] & closed == closed && !best.closed_below(acc[slot] + rest);
    #[cfg(test)]
    let before = if again { alive.len() } else { seen.len() };
    if again {
        alive.retain(|&slot| {
            let keep = can(slot as usize);
            if !keep {
                if let Some(&(_, _, gid)) = seen.get(slot as usize) {
                    set_bit(alive_bits, gid, false);
                }
            }
            keep
        });
    } else {
        for (slot, &(_, _, gid)) in (0u32..).zip(seen.iter()) {
            if can(slot as usize) {
                alive.push(slot);
                set_bit(alive_bits, gid, true);
            }
        }
    }
    #[cfg(test)]
    note(|l| l.narrowed += before - alive.len());
    alive.len()
}

/// Reads the sets whole, largest bound first, until no doc not yet seen can
/// enter the top `k` and reading the next set would cost more than jumping
/// to its candidates' postings: how many sets were read, and the `k` best
/// partials. The docs seen and their partials are in `s`.
fn scan<'s, S: CursorSource, F: Fn(&Set, u32, u32) -> f64>(
    src: &S,
    plan: &Plan<'s, '_, F>,
    scratch: &mut Scratch,
    k: usize,
) -> Result<(usize, Best<'s>)> {
    let mut best = Best::new(k, plan.floor);
    let all = plan.musts.all;
    let n = scratch.slots.len();
    // Whether no new doc could enter at an earlier set already.
    let mut shut = false;
    for (j, &si) in plan.order.iter().enumerate() {
        // A doc not seen yet scores at most its score here plus the bounds
        // of the sets after: it is passed over when that cannot lift it into
        // the top `k`, or when it lacks a must clause read whole. Once every
        // such doc is (this set's bound cannot), only the docs seen that
        // can still enter count.
        let closed = plan.musts.closed[j];
        best.refresh();
        let admit = closed == 0 && !best.closed_below(plan.rest[j]);
        if !admit {
            let cands = narrow(scratch, &best, plan.rest[j], closed, shut) as u64;
            shut = true;
            if plan.cost[si] > PROBE_POSTINGS * cands {
                return Ok((j, best));
            }
        }
        let after = plan.rest[j + 1];
        let bit = plan.musts.bits[si];
        let set = &plan.sets[si];
        // Sets are fewer than 2^32 (a query's terms times six fields).
        #[allow(clippy::cast_possible_truncation)]
        let set_id = si as u32;
        for (part, cs) in plan.terms[si].iter().enumerate() {
            let (lo, hi) = plan.ranges[part];
            let (globals, base) = (plan.globals[part], plan.bases[part]);
            let lengths = plan.lengths[part][set.f.index()];
            let err = |d: String| src.part_error(part, d);
            let Scratch {
                slots,
                tfs: sums,
                touched,
                seen,
                acc,
                have,
                log,
                alive_bits,
                ..
            } = scratch;
            let mut bad: Option<u32> = None;
            // A batch of postings in passes: their global ids (on a large
            // index, with their slots' and lengths' lines asked for, so that
            // the cache misses of a cold index overlap), their scores, then
            // each is added.
            let mut add = |locals: &[u32], tfs: &[u32]| {
                best.refresh();
                let mut gids = [DELETED; BATCH];
                global_ids(locals, base, globals, slots, lengths, &mut gids);
                // Once no new doc can enter, only the docs that still can,
                // in a loop without branches.
                let (mut ls, mut ts) = ([0u32; BATCH], [0u32; BATCH]);
                let (locals, tfs, gids) = if admit {
                    (locals, tfs, &gids[..locals.len()])
                } else {
                    let m = still_counted(
                        (locals, tfs),
                        &mut gids,
                        alive_bits,
                        slots,
                        (&mut ls, &mut ts),
                    );
                    (&ls[..m], &ts[..m], &gids[..m])
                };
                // The scores apart, in a loop without branches (its
                // divisions overlap).
                let mut scores = [0.0f64; BATCH];
                for ((v, &local), &tf) in scores.iter_mut().zip(locals).zip(tfs) {
                    let dl = lengths.get(local as usize).copied().unwrap_or(0);
                    *v = (plan.score)(set, tf, dl);
                }
                for ((&local, &gid), &score) in locals.iter().zip(gids).zip(&scores) {
                    if gid == DELETED {
                        continue;
                    }
                    let Some(slot) = slots.get_mut(gid as usize) else {
                        bad = Some(gid);
                        continue;
                    };
                    if *slot == UNSEEN {
                        if !admit || best.closed_below(score + after) {
                            #[cfg(test)]
                            note_passed();
                            continue;
                        }
                        *slot = see((seen, acc, have), (part, local, gid));
                    }
                    let at = *slot as usize;
                    acc[at] += score;
                    have[at] |= bit;
                    log.push((*slot, set_id, score));
                    // Only a doc that matched every must clause is a hit.
                    if have[at] == all {
                        best.offer(*slot, acc[at]);
                    }
                }
            };
            match cs.as_slice() {
                [] => {}
                [c] => c.each_batch_in(lo, hi, &mut add).map_err(err)?,
                cs => {
                    // Stem variants: their tfs summed per doc first, as the
                    // exhaustive executor sums them (once no new doc can
                    // enter, of the docs that still can only).
                    let keep = |local: u32| {
                        admit || counts(alive_bits, global_id(local, base, globals), n)
                    };
                    sum_variants(cs, (lo, hi), keep, (sums, touched), &mut add).map_err(err)?;
                }
            }
            if let Some(gid) = bad {
                return Err(err(format!("doc id {gid} out of range")));
            }
        }
    }
    Ok((plan.order.len(), best))
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::Path;

    use super::*;
    use crate::index::{BuildOptions, DiskIndex, DiskOptions, MemoryIndex};
    use crate::search::{SearchIndex, SearchOptions};

    #[test]
    fn best_keeps_the_k_largest_partials_of_distinct_docs() {
        let mut b = Best::new(2, None);
        b.offer(0, 1.0);
        assert!(!b.closed_below(0.0), "fewer than k: nothing is closed");
        b.offer(1, 3.0);
        assert!(b.closed_below(0.5) && !b.closed_below(1.0));
        // A held doc's partial grows: it is updated, not held twice.
        b.offer(0, 5.0);
        assert!(b.closed_below(2.9) && !b.closed_below(3.0));
        // A new doc above the smallest evicts it.
        b.offer(2, 4.0);
        assert!(b.closed_below(3.9) && !b.closed_below(4.0));
        // One below changes nothing.
        b.offer(3, 3.5);
        assert!(b.closed_below(3.9));
        // Equal after rounding to f32 is never closed (ties go by id).
        assert!(!b.closed_below(4.0 - 1e-12));
    }

    fn write(root: &Path, docs: usize) {
        for i in 0..docs {
            // A rare name word, a body word in every doc (long list, small
            // bound), and a mid word in the description.
            let name = if i % 97 == 0 { "rarename" } else { "other" };
            let desc = if i % 5 == 0 { "midword text" } else { "text" };
            let body = "common ".repeat(1 + i % 9);
            let spec = format!("---\nname: {name} {i}\ndescription: {desc}\n---\n{body} filler\n");
            let p = root.join(format!("d{}/s{i:05}.md", i % 3));
            fs::create_dir_all(p.parent().unwrap_or(root)).unwrap_or_else(|e| panic!("{e}"));
            fs::write(p, spec).unwrap_or_else(|e| panic!("{e}"));
        }
    }

    /// An on-disk index (default options) and an in-memory one of `root`.
    fn indexes(dir: &Path, root: &Path) -> (DiskIndex, MemoryIndex) {
        let roots = [root.to_path_buf()];
        let (disk, _, _) =
            DiskIndex::open_or_update(&dir.join("ix"), &roots, &DiskOptions::default(), None)
                .unwrap_or_else(|e| panic!("{e}"));
        let (mem, _) =
            MemoryIndex::build(&roots, &BuildOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        (disk, mem)
    }

    /// `n` specs, `spec(i)` the `i`-th (in file name order), on disk
    /// (default options) and in memory ([`indexes`]).
    fn corpus(
        n: usize,
        spec: impl Fn(usize) -> String,
    ) -> (tempfile::TempDir, DiskIndex, MemoryIndex) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let root = dir.path().join("specs");
        fs::create_dir_all(&root).unwrap_or_else(|e| panic!("{e}"));
        for i in 0..n {
            fs::write(root.join(format!("s{i:05}.md")), spec(i)).unwrap_or_else(|e| panic!("{e}"));
        }
        let (disk, mem) = indexes(dir.path(), &root);
        (dir, disk, mem)
    }

    /// An on-disk index of `root` in several segments (a small memory
    /// budget, two threads).
    /// 3,000 specs ([`write`]), on disk in several segments and in memory.
    fn fixture() -> (tempfile::TempDir, DiskIndex, MemoryIndex) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let root = dir.path().join("specs");
        write(&root, 3000);
        let disk = segmented(dir.path(), &root);
        let (mem, _) = MemoryIndex::build(std::slice::from_ref(&root), &BuildOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        (dir, disk, mem)
    }

    /// The pruned hits of `q`, checked against the in-memory index's, and
    /// what the run did.
    fn pruned_as_exhaustive(
        disk: &DiskIndex,
        mem: &MemoryIndex,
        q: &str,
        k: usize,
    ) -> (crate::search::TopDocs, Last) {
        let opts = SearchOptions::default();
        let got = disk
            .search_pruned(q, k, &opts)
            .unwrap_or_else(|e| panic!("{e}"));
        let last = LAST.with(std::cell::Cell::get);
        let want = SearchIndex::search(mem, q, k, &opts).unwrap_or_else(|e| panic!("{e}"));
        assert_same(&got, &want, &format!("{q:?} k {k}"));
        (got, last)
    }

    fn segmented(dir: &Path, root: &Path) -> DiskIndex {
        let mut o = DiskOptions::default();
        o.build.threads = 2;
        o.memory_budget_bytes = 1 << 18;
        let (disk, _, _) =
            DiskIndex::open_or_update(&dir.join("ix"), &[root.to_path_buf()], &o, None)
                .unwrap_or_else(|e| panic!("{e}"));
        assert!(disk.num_segments() > 1);
        disk
    }

    /// The same ids, and the same scores bit for bit.
    fn assert_same(got: &crate::search::TopDocs, want: &crate::search::TopDocs, what: &str) {
        assert_eq!(got.doc_ids, want.doc_ids, "{what}");
        let bits = |v: &[f32]| v.iter().map(|s| s.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&got.scores), bits(&want.scores), "{what}");
    }

    /// A batch's should-only queries of shared words merge the words'
    /// matches, scored once, and give the single queries' hits bit for bit
    /// at every k; the other queries (unshared words, must clauses,
    /// phrases, errors) are searched as on their own.
    #[test]
    fn a_batch_merges_shared_words_as_the_single_queries_score() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let root = dir.path().join("specs");
        write(&root, 1500);
        let disk = segmented(dir.path(), &root);
        let queries = [
            "rarename common",
            "midword common",
            "common",
            "rarename midword",
            "common common rarename",
            "text midword",
            "rarename text",
            "filler",
            "+common midword",
            "\"midword text\"",
            "nosuchword common",
            "name:rarename",
        ];
        let opts = SearchOptions::default();
        for k in [1, 3, 10, 200, 2000] {
            let rows = super::super::search_batch_merged(&disk, &queries, k, &opts);
            for (q, (got, merged)) in queries.iter().zip(&rows) {
                let want = disk.search(q, k, &opts).unwrap_or_else(|e| panic!("{e}"));
                let got = got.as_ref().unwrap_or_else(|e| panic!("{q}: {e}"));
                assert_same(got, &want, &format!("{q} at k={k}"));
                let shared = !matches!(
                    *q,
                    "filler"
                        | "+common midword"
                        | "\"midword text\""
                        | "nosuchword common"
                        | "name:rarename"
                );
                assert_eq!(*merged, shared, "{q}");
            }
        }
    }

    /// Phrases on several segments (matched in runs of segments) and on
    /// one (matched in ranges of its doc ids), on threads of their own (the
    /// unit tests' threshold sends every phrase there) and in turn (inside
    /// a pool of one thread, where a query does not spread), give the hits
    /// of the in-memory index searched in turn, bit for bit.
    #[test]
    fn phrases_on_threads_and_in_turn_equal_in_memory() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let root = dir.path().join("specs");
        write(&root, 1500);
        let several = segmented(&dir.path().join("several"), &root);
        let (single, mem) = indexes(&dir.path().join("single"), &root);
        assert_eq!(single.num_segments(), 1);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let opts = SearchOptions::default();
        for q in [
            "\"midword text\"",
            "\"common common\"",
            "\"common filler\"",
            "\"rarename 97\"",
        ] {
            for k in [1, 10, 2000] {
                let want = one
                    .install(|| SearchIndex::search(&mem, q, k, &opts))
                    .unwrap_or_else(|e| panic!("{e}"));
                assert!(!want.doc_ids.is_empty(), "{q}");
                for (disk, what) in [(&several, "segments"), (&single, "one segment")] {
                    let threads = disk.search(q, k, &opts).unwrap_or_else(|e| panic!("{e}"));
                    assert_same(&threads, &want, &format!("{q} k {k}, {what} on threads"));
                    let turn = one
                        .install(|| disk.search(q, k, &opts))
                        .unwrap_or_else(|e| panic!("{e}"));
                    assert_same(&turn, &want, &format!("{q} k {k}, {what} in turn"));
                }
                let threads =
                    SearchIndex::search(&mem, q, k, &opts).unwrap_or_else(|e| panic!("{e}"));
                assert_same(&threads, &want, &format!("{q} k {k}, in memory on threads"));
            }
        }
    }

    /// A phrase's docs over ranges of local ids, on disk and in memory,
    /// are the docs over the whole range, each once, in order.
    #[test]
    fn phrase_docs_over_ranges_join_to_the_whole() {
        use crate::search::source::Source;
        fn docs<S: Source>(src: &S, cuts: &[u32]) -> Vec<(u32, u32)> {
            let f = crate::schema::Field::Body;
            let dict = src.dict(0, f).unwrap_or_else(|e| panic!("{e}"));
            let ords: Vec<u64> = ["common", "filler"]
                .iter()
                .map(|t| dict.get(t).unwrap_or_else(|| panic!("{t}")))
                .collect();
            let mut out = Vec::new();
            for w in cuts.windows(2) {
                src.phrase_docs(0, f, &ords, w[0]..w[1], |g, _, terms| {
                    out.push((g, terms.tf(0)));
                    Ok(())
                })
                .unwrap_or_else(|e| panic!("{e}"));
            }
            out
        }
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let root = dir.path().join("specs");
        write(&root, 300);
        let (disk, mem) = indexes(dir.path(), &root);
        for n in [disk.part_docs(0), mem.part_docs(0)] {
            assert_eq!(n, 300);
        }
        let whole = docs(&disk, &[0, u32::MAX]);
        assert_eq!(whole.len(), 300);
        assert_eq!(docs(&mem, &[0, u32::MAX]).len(), 300);
        for cuts in [
            &[0, 150, u32::MAX][..],
            &[0, 1, 299, 300, u32::MAX],
            &[0, 0, 77, u32::MAX],
        ] {
            assert_eq!(docs(&disk, cuts), whole, "disk {cuts:?}");
            assert_eq!(
                docs(&mem, cuts),
                docs(&mem, &[0, u32::MAX]),
                "memory {cuts:?}"
            );
        }
    }

    /// With must clauses, only docs that matched them all count among the
    /// `k` best partials, and once a must clause's sets are read whole no
    /// new doc is seen: a common word's list is probed at the rare word's
    /// docs instead of read whole. The hits equal the in-memory index's.
    #[test]
    fn must_clauses_close_and_equal_exhaustive() {
        let (_dir, disk, mem) = fixture();
        for q in [
            "rarename AND common",
            "common AND rarename",
            "+midword common",
            "+common midword",
            "common AND midword AND rarename",
            "+rarename +midword common",
            "absentword AND common",
        ] {
            for k in [1, 3, 10, 50] {
                let (got, last) = pruned_as_exhaustive(&disk, &mem, q, k);
                if q.contains("absentword") {
                    assert!(got.doc_ids.is_empty(), "{q:?} k {k}");
                } else {
                    assert!(!got.doc_ids.is_empty(), "{q:?} k {k}");
                }
                if q.contains("rarename AND") || q.ends_with("AND rarename") {
                    assert!(last.read < last.sets, "{q:?} k {k}: {last:?}");
                }
            }
        }
    }

    /// Split over two threads, each over half of the docs (a part cut in
    /// two at the middle doc), the runs (each with its own scratch, bounds
    /// and `k` best partials, and a shared floor) give the exhaustive hits,
    /// bit for bit, and a query split again reuses the lent scratch.
    #[test]
    fn parts_on_two_threads_equal_exhaustive() {
        use super::super::split::{FORCE_SPLIT, SPLITS};
        let (_dir, disk, mem) = fixture();
        FORCE_SPLIT.with(|f| f.set(true));
        let before = SPLITS.with(std::cell::Cell::get);
        let qs = [
            "rarename common",
            "rarename midword common",
            "midword common",
            "rarename AND common",
            "common AND midword",
            "+rarename +midword common",
            "absentword AND common",
        ];
        for _ in 0..2 {
            for q in qs {
                for k in [1, 3, 10, 50, 5000] {
                    pruned_as_exhaustive(&disk, &mem, q, k);
                }
            }
        }
        // Every query but the one without a doc was split.
        let split = SPLITS.with(std::cell::Cell::get) - before;
        assert_eq!(split, 2 * (qs.len() - 1) * 5);
        // Through the gate: the words looked up on both threads and
        // joined give the exhaustive run its terms when pruning does not
        // pay (rare words), and the pruned hits when it does.
        let opts = SearchOptions::default();
        for q in [
            "rarename midword",
            "rarename AND midword",
            "midword common",
            "absentword rarename",
        ] {
            for k in [1, 10, 5000] {
                let got = SearchIndex::search(&disk, q, k, &opts).unwrap_or_else(|e| panic!("{e}"));
                let want = SearchIndex::search(&mem, q, k, &opts).unwrap_or_else(|e| panic!("{e}"));
                assert_same(&got, &want, &format!("gated {q:?} k {k}"));
            }
        }
        FORCE_SPLIT.with(|f| f.set(false));
    }

    /// A split query over corrupt segments is an error naming a segment
    /// file, from whichever thread met it: no panic, no hang, no hits.
    #[test]
    fn a_split_query_over_a_corrupt_segment_is_an_error() {
        use super::super::split::FORCE_SPLIT;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let root = dir.path().join("specs");
        write(&root, 3000);
        drop(segmented(dir.path(), &root));
        let ix = dir.path().join("ix");
        let mut segs: Vec<_> = fs::read_dir(&ix)
            .unwrap_or_else(|e| panic!("{e}"))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "seg"))
            .collect();
        segs.sort();
        assert!(segs.len() > 1);
        // Every byte of the postings' half of the last segment flipped: the
        // helper meets it (the last parts are the second run's).
        let last = segs.last().unwrap_or_else(|| panic!("no segment"));
        let mut bytes = fs::read(last).unwrap_or_else(|e| panic!("{e}"));
        let n = bytes.len();
        for b in &mut bytes[n / 8..n / 2] {
            *b = !*b;
        }
        fs::write(last, bytes).unwrap_or_else(|e| panic!("{e}"));
        let disk = DiskIndex::open(&ix).unwrap_or_else(|e| panic!("{e}"));
        FORCE_SPLIT.with(|f| f.set(true));
        let opts = SearchOptions::default();
        let mut errors = 0;
        for q in [
            "rarename common",
            "midword AND common",
            "common midword text",
        ] {
            match disk.search_pruned(q, 10, &opts) {
                Ok(_) => {}
                Err(e) => {
                    assert!(e.to_string().contains(".seg"), "{q:?}: {e}");
                    errors += 1;
                }
            }
        }
        FORCE_SPLIT.with(|f| f.set(false));
        assert!(errors > 0, "no query met the corrupt segment");
    }

    /// The strategy stops before the body's long list, and still gives the
    /// exhaustive hits, bit for bit, at every k.
    #[test]
    fn stops_early_and_equals_exhaustive() {
        let (_dir, disk, mem) = fixture();
        for q in [
            "rarename common",
            "rarename midword common",
            "midword common",
        ] {
            for k in [1, 3, 10, 50] {
                let (_, last) = pruned_as_exhaustive(&disk, &mem, q, k);
                let (read, sets) = (last.read, last.sets);
                if q.starts_with("rarename") && k <= 10 {
                    assert!(read < sets, "{q:?} k {k}: read {read} of {sets} sets whole");
                }
                // The body's docs without the mid word cannot enter: the
                // body's list is read, its other docs passed over.
                if q == "midword common" {
                    assert!(last.passed > 0, "{q:?} k {k}: {last:?}");
                }
            }
        }
    }

    /// With a doc deleted, a segment's global ids are loaded (it has no
    /// base) and the next segment's are its base plus the local id: both
    /// strategies and the exhaustive executor give the in-memory hits.
    #[test]
    fn segments_with_and_without_a_base_give_the_same_hits() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let root = dir.path().join("specs");
        write(&root, 900);
        let roots = [root.clone()];
        let open = || {
            DiskIndex::open_or_update(
                &dir.path().join("ix"),
                &roots,
                &DiskOptions::default(),
                None,
            )
            .unwrap_or_else(|e| panic!("{e}"))
            .0
        };
        drop(open());
        // The last two in walk order: the ids before them stay contiguous.
        for i in [896, 899] {
            let p = root.join(format!("d{}/s{i:05}.md", i % 3));
            fs::remove_file(p).unwrap_or_else(|e| panic!("{e}"));
        }
        fs::write(
            root.join("z.md"),
            "---\nname: rarename late\n---\ncommon midword\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let disk = open();
        assert_eq!(disk.num_segments(), 2);
        let (mem, _) =
            MemoryIndex::build(&roots, &BuildOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        let opts = SearchOptions::default();
        for q in ["rarename common", "midword common", "rarename", "common"] {
            for k in [1, 5, 50, 1000] {
                let want = SearchIndex::search(&mem, q, k, &opts).unwrap_or_else(|e| panic!("{e}"));
                for got in [
                    disk.search_pruned(q, k, &opts),
                    disk.search_exhaustive(q, k, &opts),
                ] {
                    let got = got.unwrap_or_else(|e| panic!("{e}"));
                    assert_same(&got, &want, &format!("{q:?} k {k}"));
                }
            }
        }
        assert_eq!(disk.live_base(0).unwrap_or_else(|e| panic!("{e}")), None);
        assert!(disk
            .live_base(1)
            .unwrap_or_else(|e| panic!("{e}"))
            .is_some());
    }

    /// A field filter, one list per segment, goes doc at a time: once the
    /// top `k` is full, the blocks whose docs can only tie the worst hit,
    /// with larger ids, are skipped. Its hits are the in-memory ones, bit
    /// for bit, at every `k`, in a segment with a base and, after deletions,
    /// in one without (where a tie is not skipped) beside a new one.
    #[test]
    fn a_field_filter_skips_the_blocks_that_tie_the_worst_hit() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let root = dir.path().join("specs");
        fs::create_dir_all(&root).unwrap_or_else(|e| panic!("{e}"));
        let spec = |i: usize| {
            // Every `opus` doc scores the same (a one-word field), 5,000
            // of them (a list long enough to be pruned).
            let model = if i.is_multiple_of(3) {
                "sonnet"
            } else {
                "opus"
            };
            format!("---\nname: s{i}\ndescription: d\nmodel: {model}\n---\nbody\n")
        };
        for i in 0..7500 {
            fs::write(root.join(format!("s{i:05}.md")), spec(i)).unwrap_or_else(|e| panic!("{e}"));
        }
        let opts = SearchOptions::default();
        let check = |disk: &DiskIndex| -> usize {
            let (mem, _) =
                MemoryIndex::build(std::slice::from_ref(&root), &BuildOptions::default())
                    .unwrap_or_else(|e| panic!("{e}"));
            let mut skipped = 0;
            for q in ["model:opus", "model:sonnet"] {
                for k in [1, 10, 100, 4000, 6000] {
                    super::super::TIE_SKIPS.with(|n| n.set(0));
                    let got = disk.search(q, k, &opts).unwrap_or_else(|e| panic!("{e}"));
                    skipped += super::super::TIE_SKIPS.with(std::cell::Cell::get);
                    let want =
                        SearchIndex::search(&mem, q, k, &opts).unwrap_or_else(|e| panic!("{e}"));
                    assert_same(&got, &want, &format!("{q:?} k {k}"));
                }
            }
            skipped
        };
        let open = || {
            DiskIndex::open_or_update(
                &dir.path().join("ix"),
                std::slice::from_ref(&root),
                &DiskOptions::default(),
                None,
            )
            .unwrap_or_else(|e| panic!("{e}"))
            .0
        };
        let disk = open();
        assert!(disk.live_base(0).ok().flatten().is_some());
        assert!(check(&disk) > 0, "no block skipped on a tie");
        drop(disk);
        for i in (1..7500).step_by(7) {
            fs::remove_file(root.join(format!("s{i:05}.md"))).unwrap_or_else(|e| panic!("{e}"));
        }
        for i in 7500..8100 {
            fs::write(root.join(format!("s{i:05}.md")), spec(i)).unwrap_or_else(|e| panic!("{e}"));
        }
        let disk = open();
        assert_eq!(disk.num_segments(), 2);
        assert!(disk.live_base(0).ok().flatten().is_none());
        check(&disk);
    }

    /// A doc seen only in a set with a smaller bound than the first's is
    /// still admitted while that set's bound can lift it into the top `k`
    /// (here, above docs with long names), and passed over after.
    #[test]
    fn admits_docs_while_the_sets_left_can_lift_them() {
        let long = long_name();
        let (_dir, disk, mem) = corpus(60, |i| {
            let (name, body) = match i {
                0 => ("rarename".to_owned(), "filler".to_owned()),
                1..=3 => (format!("rarename {long}"), "filler".to_owned()),
                4..=8 => (format!("other {i}"), "midword".to_owned()),
                // The mid word in a longer body, with a rarer word that
                // only some of these hold: low in the first body set, lifted
                // by the second.
                9..=20 => (
                    format!("other {i}"),
                    format!(
                        "midword {}{}",
                        if i % 2 == 0 { "tailword " } else { "" },
                        "filler ".repeat(i - 8)
                    ),
                ),
                _ => (
                    format!("other {i}"),
                    "filler text and more words here".to_owned(),
                ),
            };
            format!("---\nname: {name}\ndescription: text\n---\n{body}\n")
        });
        let opts = SearchOptions::default();
        let mut passed = 0;
        for (q, k) in
            (1..=12).flat_map(|k| [("rarename midword", k), ("rarename midword tailword", k)])
        {
            let got = disk
                .search_pruned(q, k, &opts)
                .unwrap_or_else(|e| panic!("{e}"));
            let want = SearchIndex::search(&mem, q, k, &opts).unwrap_or_else(|e| panic!("{e}"));
            assert_same(&got, &want, &format!("{q:?} k {k}"));
            passed += LAST.with(std::cell::Cell::get).passed;
        }
        assert!(passed > 0, "no doc was passed over");
    }

    /// By bound, largest first, until the sets left of a must clause cost
    /// fewer postings than the next set of another: then they come first,
    /// in their order by bound.
    #[test]
    fn reads_a_cheap_must_clause_to_its_end_before_a_costly_set() {
        // Must clauses 0 and 1 over three fields each, by bound: 0's name,
        // 1's name, 0's description (1,313 postings), 1's description,
        // 0's body (10,288), 1's body (540).
        let ub = [9.0, 8.0, 7.0, 6.0, 2.0, 3.0];
        let cost = [20, 4, 1313, 55, 10_288, 540];
        let must = [Some(0), Some(1), Some(0), Some(1), Some(0), Some(1)];
        // 1's sets left (55 + 540) cost fewer than 0's description.
        assert_eq!(reading_order(&ub, &cost, &must), [0, 1, 3, 5, 2, 4]);
        // Not when they cost more.
        let dear = [20, 4, 1313, 55, 10_288, 1300];
        assert_eq!(reading_order(&ub, &dear, &must), [0, 1, 2, 3, 5, 4]);
        // Should clauses are read by bound, whatever they cost.
        let should = [None, None, None, None, None, None];
        assert_eq!(reading_order(&ub, &cost, &should), [0, 1, 2, 3, 5, 4]);
        // A should clause's sets are not moved up with a must clause's.
        let mixed = [Some(0), None, Some(0), Some(1), Some(0), Some(1)];
        assert_eq!(reading_order(&ub, &cost, &mixed), [0, 1, 3, 5, 2, 4]);
        let none: [Option<usize>; 0] = [];
        assert!(reading_order(&[], &[], &none).is_empty());
    }

    /// A must clause's last sets read before a costly set of another word:
    /// the hits are still the exhaustive ones, bit for bit.
    #[test]
    fn a_cheap_must_clause_read_first_equals_exhaustive() {
        let filler = "filler ".repeat(50);
        let (_dir, disk, mem) = corpus(3000, |i| {
            // The rare word in five names and in 300 long bodies (a small
            // bound, after the other word's); the other word in half the
            // short descriptions (a larger bound, more postings).
            let name = if i % 600 == 0 { "rareword" } else { "other" };
            let desc = if i % 2 == 0 { "oftenword" } else { "text" };
            let body = if i % 10 == 3 {
                format!("rareword {filler}")
            } else {
                "filler".to_owned()
            };
            format!("---\nname: {name} {i}\ndescription: {desc}\n---\n{body}\n")
        });
        let mut first = 0;
        for q in ["rareword AND oftenword", "+oftenword +rareword other"] {
            for k in [1, 3, 10, 50] {
                let (_, last) = pruned_as_exhaustive(&disk, &mem, q, k);
                first += usize::from(last.closed_first);
            }
        }
        assert!(first > 0, "no must clause was read first");
    }

    /// Thirty words of a long name.
    fn long_name() -> String {
        (0..30)
            .map(|i| format!("x{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Once no new doc can enter, the sets read whole add to the docs seen
    /// that still can only: the postings of docs seen and set aside are
    /// passed over, and the hits are still the exhaustive ones, bit for bit.
    #[test]
    fn sets_aside_docs_seen_once_none_can_enter() {
        let long = long_name();
        let (_dir, disk, mem) = corpus(3000, |i| {
            // The rare name word in eight long names first (low scores:
            // seen while the top `k` fills, then, once the name's list is
            // read, their partials cannot reach the `k`-th best whatever
            // the body word adds) and alone in two names after (high); the
            // body word in 100 docs, those ten among them
            let name = match i {
                0..8 => format!("alphaword {long}"),
                8..10 => "alphaword".to_owned(),
                _ => format!("other {i}"),
            };
            // (two stem variants of it, so that the set is a union).
            let body = match i {
                0..60 => "betaword filler",
                60..100 => "betawords filler",
                _ => "filler",
            };
            format!("---\nname: {name}\ndescription: text\n---\n{body}\n")
        });
        let mut narrowed = 0;
        for q in ["alphaword betaword", "alphaword AND betaword"] {
            for k in [1, 2, 3, 10] {
                let (_, last) = pruned_as_exhaustive(&disk, &mem, q, k);
                narrowed += last.narrowed;
            }
        }
        assert!(narrowed > 0, "no doc seen was set aside");
    }

    /// Candidates whose partial after a probed set cannot reach the `k`-th
    /// best partial are not probed in the sets after it, and the hits are
    /// still the exhaustive ones, bit for bit.
    #[test]
    fn drops_candidates_between_probed_sets_and_equals_exhaustive() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let root = dir.path().join("specs");
        for i in 0..6000usize {
            // A rare name word (20 docs), and three body words in many docs
            // (long lists, small bounds: left unread). The first, in half
            // the docs, parts the rare docs' partials: by more than the
            // other two can add for the first four (set aside after it is
            // probed), by less for the others, where the other two (in odd
            // rare docs only) lift a doc above one that was ahead.
            let (rare, j) = (i % 300 == 0, i / 300);
            let name = if rare { "rarename" } else { "other" };
            let alpha = match (rare, j) {
                (true, 0..4) => "alpha ".to_owned(),
                (true, _) => "alpha ".repeat(4 + j / 2),
                (false, _) if i % 2 == 0 => "alpha ".repeat(1 + i % 7),
                _ => String::new(),
            };
            let (beta, gamma) = match (rare, j % 2 == 1) {
                (true, odd) => (odd, odd),
                (false, _) => (i % 10 != 1, i % 10 != 2),
            };
            let beta = if beta { "beta " } else { "" };
            let gamma = if gamma { "gamma " } else { "" };
            let spec = format!(
                "---\nname: {name} {i}\ndescription: text\n---\n{alpha}{beta}{gamma}filler\n"
            );
            let p = root.join(format!("s{i:05}.md"));
            fs::create_dir_all(&root).unwrap_or_else(|e| panic!("{e}"));
            fs::write(p, spec).unwrap_or_else(|e| panic!("{e}"));
        }
        let (disk, mem) = indexes(dir.path(), &root);
        let mut dropped = 0;
        for q in ["rarename alpha beta gamma", "rarename gamma beta alpha"] {
            for k in [1, 2, 5, 10, 19, 20, 21] {
                let (_, last) = pruned_as_exhaustive(&disk, &mem, q, k);
                let unread = last.sets - last.read;
                assert!(last.probes <= last.cands * unread, "{q:?} k {k}: {last:?}");
                if last.probes < last.cands * unread {
                    dropped += 1;
                }
            }
        }
        assert!(dropped > 0, "no candidate was ever set aside");
    }
}
