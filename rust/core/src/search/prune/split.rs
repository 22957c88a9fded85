//! A query of two words or more over a large index of several segments
//! (parts), on two threads, from its term lookups on.
//!
//! Term at a time ([`super::taat`]), a run over some of the docs finds
//! their exact top `k`, and the best `k` of two runs over all the docs are
//! the query's. Before any run, every word is looked up in each field of
//! each part (its dictionary and stem-map walks, its terms' infos), and its
//! idf needs its df over every part: at 1 GB (five segments) the lookups are
//! about a fifth of a two-word query on one thread. So the helper is woken
//! first (the index's own thread, [`CursorSource::helper`], parked between
//! queries):
//!
//! 1. this thread looks the words up in the first parts while the helper
//!    wakes and looks them up in the others;
//! 2. the helper hands its term sets and their live dfs over and waits;
//!    this thread joins them to its own, decides whether pruning pays
//!    ([`taat::pays`], as on one thread) and weighs each set by its idf
//!    over every part;
//! 3. each thread scores half of the docs term at a time ([`Cut`]: a part
//!    is cut in two when the middle doc falls in it), with its own scratch,
//!    and this one merges the helper's `k` best hits. The two runs share a
//!    floor ([`Floor`]): either prunes against the better of their `k`-th
//!    best partials.
//!
//! The hits are those of one thread: the same sets, idfs and exact sums.

use std::ops::Range;
use std::sync::{mpsc, OnceLock};

use super::taat::{Floor, Piece, Share};
use super::{
    known, look_up, read_all, sets_of, taat, Clause, CursorSource, Found, Known, Scorer,
    SearchOptions, Set, Top, TopDocs,
};
use crate::error::Result;

#[cfg(test)]
thread_local! {
    /// Tests: whether [`cut`] cuts whatever the index's size and the pool,
    /// and how many queries were split.
    pub(super) static FORCE_SPLIT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    pub(super) static SPLITS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Below this many docs (deleted ones included) a query stays on one
/// thread: its lookups and lists are short, and starting a thread and
/// handing the sets over cost about 50-80 µs. Measured on the mixed set in
/// turn, 100 MB (12,682 docs) in three segments, split and unsplit taking
/// turns in one process: p50 323-334 µs split, 297-313 µs not; at 1 GB
/// (127,000 docs) the split wins. (Measured when a thread was started for
/// each query; waking the index's parked helper costs about 17 µs of the
/// 45 that starting one did.)
const MIN_SPLIT_DOCS: usize = 1 << 15;

/// Where a query is cut for two threads: this thread looks its words up
/// in the parts `..looked` and scores `first`; the helper looks them up in
/// the others and scores `second`.
pub(super) struct Cut {
    looked: usize,
    first: Vec<Piece>,
    second: Vec<Piece>,
}

/// Where to cut a query for two threads: when it goes term at a time
/// ([`taat::fits`]), has two clauses (words) or more, may fan out
/// ([`super::super::may_fan_out`]), and the index has two parts or more and
/// at least [`MIN_SPLIT_DOCS`] docs; at the middle doc, so that each thread
/// scores half of the docs (a part is cut in two when the middle falls in
/// it, as segments are few and of uneven sizes: at 1 GB, five of 66-83
/// MB). One word is not split: each run's own `k` best partials prune
/// less than the query's would (measured at 1 GB: `security` 0.75 -> 0.85
/// ms split).
///
/// # Errors
/// A malformed part.
pub(super) fn cut<S: CursorSource>(src: &S, cls: &[Clause<'_>]) -> Result<Option<Cut>> {
    #[cfg(test)]
    let forced = FORCE_SPLIT.with(std::cell::Cell::get);
    #[cfg(not(test))]
    let forced = false;
    let n_parts = src.num_parts();
    let words = cls.iter().filter(|c| !c.1.is_empty()).count() >= 2;
    if n_parts < 2 || !words || !taat::fits(cls) || !(forced || super::super::may_fan_out()) {
        return Ok(None);
    }
    let per = (0..n_parts)
        .map(|part| src.globals(part).map(<[u32]>::len))
        .collect::<Result<Vec<usize>>>()?;
    if per.iter().sum::<usize>() < MIN_SPLIT_DOCS && !forced {
        return Ok(None);
    }
    Ok(halves(&per))
}

/// The cut at the middle doc of parts of `per` docs (see [`cut`]).
fn halves(per: &[usize]) -> Option<Cut> {
    let mut left = per.iter().sum::<usize>() / 2;
    for (part, &len) in per.iter().enumerate() {
        if left < len {
            // Local ids are u32s: a part has fewer docs than that.
            let at = u32::try_from(left).unwrap_or(u32::MAX);
            let mut first: Vec<Piece> = (0..part).map(Piece::whole).collect();
            let looked = if at == 0 {
                part
            } else {
                first.push(Piece {
                    part,
                    lo: 0,
                    hi: at,
                });
                part + 1
            };
            let mut second = vec![Piece {
                part,
                lo: at,
                hi: u32::MAX,
            }];
            second.extend((part + 1..per.len()).map(Piece::whole));
            return Some(Cut {
                looked,
                first,
                second,
            });
        }
        left -= len;
    }
    None
}

/// One run of parts' term sets, looked up and read, and their live dfs
/// there.
type Half = (Vec<Found>, Vec<u64>);

/// The term sets of `cls` in the parts `parts`, read ([`Found::settle`]).
fn half<S: CursorSource>(src: &S, cls: &[Clause<'_>], parts: Range<usize>) -> Result<Half> {
    let mut found = look_up(src, cls, parts)?;
    read_all(src, &mut found, true)?;
    let live = found
        .iter()
        .map(|s| s.settle(src))
        .collect::<Result<Vec<u64>>>()?;
    Ok((found, live))
}

/// [`super::pruned`] of clauses `cls` (term at a time), cut at `cut` for a
/// helper thread; `None` when no thread can be started.
pub(super) fn pruned<S: CursorSource>(
    src: &S,
    cls: &[Clause<'_>],
    k: usize,
    opts: &SearchOptions,
    always: bool,
    cut: &Cut,
) -> Option<Result<std::result::Result<TopDocs, Vec<Known>>>> {
    let pool = src.helper()?;
    let n = src.num_parts();
    let plan: OnceLock<(Vec<Set>, Scorer)> = OnceLock::new();
    let shared = Floor::new();
    let floor = Some(&shared);
    taat::with_two(|mine, lent| {
        pool.in_place_scope(|s| {
            let (give, taken) = mpsc::sync_channel::<Result<Half>>(1);
            let (go, gone) = mpsc::sync_channel::<()>(1);
            let (done, result) = mpsc::sync_channel::<Result<Top>>(1);
            let plan = &plan;
            s.spawn(move |_| {
                // Hand over its sets even when the other thread is gone.
                let _ = give.send(half(src, cls, cut.looked..n));
                let mut top = Top::new(k);
                let run = || -> Result<Top> {
                    if gone.recv().is_ok() {
                        if let Some((sets, scorer)) = plan.get() {
                            let share = Share {
                                pieces: &cut.second,
                                floor,
                            };
                            taat::run_parts(src, cls, sets, scorer, share, lent, &mut top)?;
                        }
                    }
                    Ok(top)
                };
                let _ = done.send(run());
            });
            let mut helper = Some(result);
            let mut lead = || -> Result<std::result::Result<TopDocs, Vec<Known>>> {
                let (mut found, mut live) = half(src, cls, 0..cut.looked)?;
                // The helper sends before anything else, so it sent
                // nothing only when it panicked (the scope resumes that
                // when it ends): this thread looks its parts up.
                let (later, later_live) = if let Ok(got) = taken.recv() {
                    got?
                } else {
                    finish(&mut helper)?;
                    half(src, cls, cut.looked..n)?
                };
                let later = later.into_iter().zip(later_live);
                for ((s, l), (t, m)) in found.iter_mut().zip(&mut live).zip(later) {
                    s.append(t);
                    *l += m;
                }
                if !(always || taat::pays(&found)) {
                    return Ok(Err(known(found)));
                }
                let sets = sets_of(src, found, &live, opts)?;
                if taat::matches_nothing(cls, &sets) {
                    return Ok(Ok(TopDocs::default()));
                }
                let (sets, scorer) = plan.get_or_init(|| (sets, Scorer::of(src)));
                // The helper waits for this while it runs.
                let sent = helper.is_some() && go.send(()).is_ok();
                let mut top = Top::new(k);
                let share = Share {
                    pieces: &cut.first,
                    floor,
                };
                taat::run_parts(src, cls, sets, scorer, share, mine, &mut top)?;
                let theirs = finish(&mut helper)?;
                match theirs {
                    Some(t) if sent => top.merge(t),
                    // No helper to run them: this thread does.
                    _ => {
                        let share = Share {
                            pieces: &cut.second,
                            floor,
                        };
                        taat::run_parts(src, cls, sets, scorer, share, mine, &mut top)?;
                    }
                }
                #[cfg(test)]
                SPLITS.with(|n| n.set(n.get() + 1));
                Ok(Ok(top.into_docs()))
            };
            Some(lead())
        })
    })
}

/// Waits for the helper, once: its hits (`None` when it was waited for
/// already, or panicked: the scope resumes its panic when it ends), or its
/// error.
fn finish(helper: &mut Option<mpsc::Receiver<Result<Top>>>) -> Result<Option<Top>> {
    match helper.take().map(|r| r.recv()) {
        None | Some(Err(_)) => Ok(None),
        Some(Ok(top)) => top.map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each doc of each part falls in one piece, the first run's before the
    /// second's, the runs are within a doc of half, and the part cut in
    /// two is looked up by the first run.
    #[test]
    fn halves_cover_every_doc_once_at_the_middle() {
        let cases: [&[usize]; 7] = [
            &[80, 83, 82, 79, 66],
            &[10, 10],
            &[5, 5, 5, 5],
            &[100, 1],
            &[1, 100],
            &[0, 7, 0, 9],
            &[3],
        ];
        for per in cases {
            let cut = halves(per).unwrap_or_else(|| panic!("{per:?}"));
            let mut seen: Vec<Vec<u32>> = per.iter().map(|_| Vec::new()).collect();
            let mut sizes = [0usize; 2];
            for (run, pieces) in [&cut.first, &cut.second].into_iter().enumerate() {
                for p in pieces {
                    let len = u32::try_from(per[p.part]).unwrap_or(u32::MAX);
                    seen[p.part].extend(p.lo..p.hi.min(len));
                    sizes[run] += (p.lo..p.hi.min(len)).len();
                }
            }
            for (part, docs) in seen.iter().enumerate() {
                let all: Vec<u32> = (0..u32::try_from(per[part]).unwrap_or(0)).collect();
                assert_eq!(docs, &all, "{per:?} part {part}");
            }
            assert!(sizes[0].abs_diff(sizes[1]) <= 1, "{per:?}: {sizes:?}");
            let last_first = cut.first.last().map_or(0, |p| p.part + 1);
            assert!(cut.looked >= last_first, "{per:?}");
            assert!(
                cut.second.iter().all(|p| p.part + 1 >= cut.looked),
                "{per:?}"
            );
            assert!(
                cut.second
                    .iter()
                    .all(|p| p.lo == 0 || p.part + 1 == cut.looked),
                "{per:?}"
            );
        }
        assert!(halves(&[]).is_none() && halves(&[0, 0]).is_none());
    }
}
