//! The [`Source`] trait: what planning and execution need of an index (live
//! docs, global doc ids, per-part dictionaries and postings). It is written
//! once here and implemented below for both [`MemoryIndex`] and
//! [`DiskIndex`], so the planner and the executor never see which kind they
//! run on, and the index modules never import `search`.

use std::ops::Range;

use fst::Map;

use crate::error::Result;
use crate::index::docmap::DELETED;
use crate::index::{DiskIndex, MemoryIndex};
use crate::postings::{prefetch, worth_prefetching, DocTerms};
use crate::schema::Field;
use crate::scoring::Bm25;
use crate::segment::MapBytes;

/// What the executor needs of an index: live docs only, global doc ids.
pub(crate) trait Source: Sync {
    /// The bytes an `fst` map reads.
    type Bytes: AsRef<[u8]>;
    /// N: the number of live docs; global ids are `0..N`.
    fn n_docs(&self) -> u32;
    /// The average length of a field over the live docs.
    fn avgdl(&self, f: Field) -> f64;
    /// `k1` and `b`.
    fn bm25(&self) -> Bm25;
    /// The number of parts (segments) holding dictionaries.
    fn num_parts(&self) -> usize;
    /// The number of local doc ids of a part (deleted docs included).
    fn part_docs(&self, part: usize) -> u32;
    /// Whether every doc of a part is live (then every term of its
    /// dictionaries has a live posting).
    fn all_live(&self, part: usize) -> Result<bool>;
    /// A part's term dictionary of a field (term → ordinal).
    fn dict(&self, part: usize, f: Field) -> Result<&Map<Self::Bytes>>;
    /// A part's stem map of a field (`stem key \0 term` → ordinal).
    fn stems(&self, part: usize, f: Field) -> Result<&Map<Self::Bytes>>;
    /// The number of postings of terms `handles` (part, ordinal) of field `f`, deleted docs
    /// included, when it is cheap to read (`None`: not known).
    ///
    /// # Errors
    /// As [`Self::postings`].
    fn raw_postings(&self, _f: Field, _handles: &[(usize, u64)]) -> Result<Option<u64>> {
        Ok(None)
    }
    /// Calls `g(global id, tf, dl)` for each live posting of a term.
    fn postings(&self, part: usize, f: Field, ord: u64, g: impl FnMut(u32, u32, u32))
        -> Result<()>;
    /// Calls `g(global id, dl, terms)` for each live doc of a part, of
    /// local id in `docs`, holding every term of `ords` (distinct terms of
    /// field `f`), `terms` giving their frequencies and positions there
    /// (term `j` is `ords[j]`). Only the positions `g` asks for are decoded.
    fn phrase_docs(
        &self,
        part: usize,
        f: Field,
        ords: &[u64],
        docs: Range<u32>,
        g: impl FnMut(u32, u32, &mut dyn DocTerms) -> Result<()>,
    ) -> Result<()>;
}

impl Source for MemoryIndex {
    type Bytes = Vec<u8>;

    fn n_docs(&self) -> u32 {
        self.docs.len() as u32
    }

    fn avgdl(&self, f: Field) -> f64 {
        self.avg_field_length(f)
    }

    fn bm25(&self) -> Bm25 {
        Bm25 {
            k1: self.schema.k1,
            b: self.schema.b,
        }
    }

    fn num_parts(&self) -> usize {
        1
    }

    fn part_docs(&self, _part: usize) -> u32 {
        self.n_docs()
    }

    fn all_live(&self, _part: usize) -> Result<bool> {
        Ok(true)
    }

    fn dict(&self, _part: usize, f: Field) -> Result<&fst::Map<Vec<u8>>> {
        Ok(&self.fields[f.index()].dict)
    }

    fn stems(&self, _part: usize, f: Field) -> Result<&fst::Map<Vec<u8>>> {
        Ok(&self.fields[f.index()].stems)
    }

    fn postings(
        &self,
        _part: usize,
        f: Field,
        ord: u64,
        mut g: impl FnMut(u32, u32, u32),
    ) -> Result<()> {
        let field = &self.fields[f.index()];
        if let Some(p) = field.postings.get(ord as usize) {
            for (&d, &tf) in p.doc_ids.iter().zip(&p.term_freqs) {
                g(d, tf, field.lengths[d as usize]);
            }
        }
        Ok(())
    }

    fn phrase_docs(
        &self,
        _part: usize,
        f: Field,
        ords: &[u64],
        docs: Range<u32>,
        mut g: impl FnMut(u32, u32, &mut dyn DocTerms) -> Result<()>,
    ) -> Result<()> {
        let field = &self.fields[f.index()];
        let Some(lists) = ords
            .iter()
            .map(|&o| field.postings.get(o as usize))
            .collect::<Option<Vec<_>>>()
        else {
            return Ok(());
        };
        let Some((lead, others)) = lists.split_first() else {
            return Ok(());
        };
        // Per other term: its next posting and where its positions start.
        let mut at = vec![(0usize, 0usize); others.len()];
        let mut doc = InMemory(Vec::with_capacity(lists.len()));
        let mut start = 0usize;
        'docs: for (&d, &tf) in lead.doc_ids.iter().zip(&lead.term_freqs) {
            let lead_at = start;
            start += tf as usize;
            if d < docs.start {
                continue;
            }
            if d >= docs.end {
                break;
            }
            for (p, (i, a)) in others.iter().zip(at.iter_mut()) {
                while p.doc_ids.get(*i).is_some_and(|&x| x < d) {
                    *a += p.term_freqs[*i] as usize;
                    *i += 1;
                }
                if p.doc_ids.get(*i) != Some(&d) {
                    continue 'docs;
                }
            }
            // The postings of an in-memory index are consistent: each doc's
            // `tf` positions are at the running sum of the `tf`s before it.
            doc.0.clear();
            doc.0.push(&lead.positions[lead_at..start]);
            for (p, &(i, a)) in others.iter().zip(&at) {
                doc.0.push(&p.positions[a..a + p.term_freqs[i] as usize]);
            }
            g(d, field.lengths[d as usize], &mut doc)?;
        }
        Ok(())
    }
}

impl Source for DiskIndex {
    type Bytes = MapBytes;

    fn n_docs(&self) -> u32 {
        self.manifest.num_docs
    }

    fn avgdl(&self, f: Field) -> f64 {
        self.manifest.field_lengths[f.index()] as f64 / f64::from(self.manifest.num_docs)
    }

    fn bm25(&self) -> Bm25 {
        Bm25 {
            k1: self.schema.k1,
            b: self.schema.b,
        }
    }

    fn num_parts(&self) -> usize {
        self.segments.len()
    }

    fn part_docs(&self, part: usize) -> u32 {
        self.segments.get(part).map_or(0, |s| s.num_docs())
    }

    fn all_live(&self, part: usize) -> Result<bool> {
        self.part_all_live(part)
    }

    fn dict(&self, part: usize, f: Field) -> Result<&fst::Map<MapBytes>> {
        self.segments[part].dict(f)
    }

    fn stems(&self, part: usize, f: Field) -> Result<&fst::Map<MapBytes>> {
        self.segments[part].stems(f)
    }

    fn raw_postings(&self, f: Field, handles: &[(usize, u64)]) -> Result<Option<u64>> {
        // A part's terms at once: each term block is decoded once for them.
        let mut n = 0u64;
        let mut ords: Vec<u64> = Vec::with_capacity(handles.len());
        for run in handles.chunk_by(|a, b| a.0 == b.0) {
            ords.clear();
            ords.extend(run.iter().map(|h| h.1));
            for info in self.segments[run[0].0].infos_at(f, &ords)? {
                n += u64::from(info.df);
            }
        }
        Ok(Some(n))
    }

    fn postings(
        &self,
        part: usize,
        f: Field,
        ord: u64,
        mut g: impl FnMut(u32, u32, u32),
    ) -> Result<()> {
        let seg = &self.segments[part];
        let info = seg.info_at(f, ord)?;
        let lengths = seg.lengths(f)?;
        let map = self.live_globals(part)?;
        // `local < num_docs` is checked by the decoder, and both columns
        // have exactly num_docs entries (checked at open).
        if !worth_prefetching(self.manifest.num_docs as usize) {
            // A small index stays in the caches: one pass.
            return seg.postings(f, &info, |local, tf| {
                let gid = map[local as usize];
                if gid != DELETED {
                    g(gid, tf, lengths[local as usize]);
                }
            });
        }
        // A batch's global ids and lengths are asked for before any is
        // used, so that their cache misses overlap; with a base (every doc
        // live, ids `base + local`, checked once) an id is an addition.
        let base = self.live_base(part)?;
        seg.postings_batched(f, &info, |locals, tfs| {
            for &local in locals {
                if base.is_none() {
                    prefetch(map, local as usize);
                }
                prefetch(lengths, local as usize);
            }
            for (&local, &tf) in locals.iter().zip(tfs) {
                let gid = base.map_or_else(|| map[local as usize], |b| b.wrapping_add(local));
                if gid != DELETED {
                    g(gid, tf, lengths[local as usize]);
                }
            }
        })
    }

    fn phrase_docs(
        &self,
        part: usize,
        f: Field,
        ords: &[u64],
        docs: Range<u32>,
        mut g: impl FnMut(u32, u32, &mut dyn DocTerms) -> Result<()>,
    ) -> Result<()> {
        let seg = &self.segments[part];
        let infos = ords
            .iter()
            .map(|&o| seg.info_at(f, o))
            .collect::<Result<Vec<_>>>()?;
        let lengths = seg.lengths(f)?;
        let map = self.live_globals(part)?;
        // `local < num_docs` is checked by the decoder, and both columns
        // have exactly num_docs entries (checked at open).
        seg.phrase_docs(
            f,
            &infos,
            docs,
            |local| map[local as usize] != DELETED,
            |local, terms| g(map[local as usize], lengths[local as usize], terms),
        )
    }
}

/// A doc's positions of a phrase's terms in a [`MemoryIndex`].
struct InMemory<'p>(Vec<&'p [u32]>);

impl DocTerms for InMemory<'_> {
    fn tf(&self, j: usize) -> u32 {
        self.0.get(j).map_or(0, |p| p.len() as u32)
    }

    fn positions(&mut self, j: usize, _until: u64, out: &mut Vec<u32>) -> Result<()> {
        out.extend_from_slice(self.0.get(j).copied().unwrap_or_default());
        Ok(())
    }
}
