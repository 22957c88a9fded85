//! The [`Source`] trait: what planning and execution need of an index (live
//! docs, global doc ids, per-part dictionaries and postings). It is written
//! once here and implemented below for both [`MemoryIndex`] and
//! [`DiskIndex`], so the planner and the executor never see which kind they
//! run on, and the index modules never import `search`.

use fst::Map;

use crate::error::Result;
use crate::index::docmap::DELETED;
use crate::index::{DiskIndex, MemoryIndex};
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
    /// Whether every doc of a part is live (then every term of its
    /// dictionaries has a live posting).
    fn all_live(&self, part: usize) -> Result<bool>;
    /// A part's term dictionary of a field (term → ordinal).
    fn dict(&self, part: usize, f: Field) -> Result<&Map<Self::Bytes>>;
    /// A part's stem map of a field (`stem key \0 term` → ordinal).
    fn stems(&self, part: usize, f: Field) -> Result<&Map<Self::Bytes>>;
    /// Calls `g(global id, tf, dl)` for each live posting of a term.
    fn postings(&self, part: usize, f: Field, ord: u64, g: impl FnMut(u32, u32, u32))
        -> Result<()>;
    /// Calls `g(global id, dl, positions)` for each live posting of a term
    /// whose global id `want`s it (the others' positions are not decoded).
    fn positions(
        &self,
        part: usize,
        f: Field,
        ord: u64,
        want: impl Fn(u32) -> bool,
        g: impl FnMut(u32, u32, &[u32]),
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

    fn positions(
        &self,
        _part: usize,
        f: Field,
        ord: u64,
        want: impl Fn(u32) -> bool,
        mut g: impl FnMut(u32, u32, &[u32]),
    ) -> Result<()> {
        let field = &self.fields[f.index()];
        if let Some(p) = field.postings.get(ord as usize) {
            let mut at = 0usize;
            for (&d, &tf) in p.doc_ids.iter().zip(&p.term_freqs) {
                let end = at + tf as usize;
                if want(d) {
                    g(d, field.lengths[d as usize], &p.positions[at..end]);
                }
                at = end;
            }
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

    fn all_live(&self, part: usize) -> Result<bool> {
        self.part_all_live(part)
    }

    fn dict(&self, part: usize, f: Field) -> Result<&fst::Map<MapBytes>> {
        self.segments[part].dict(f)
    }

    fn stems(&self, part: usize, f: Field) -> Result<&fst::Map<MapBytes>> {
        self.segments[part].stems(f)
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
        seg.postings(f, &info, |local, tf| {
            let gid = map[local as usize];
            if gid != DELETED {
                g(gid, tf, lengths[local as usize]);
            }
        })
    }

    fn positions(
        &self,
        part: usize,
        f: Field,
        ord: u64,
        want: impl Fn(u32) -> bool,
        mut g: impl FnMut(u32, u32, &[u32]),
    ) -> Result<()> {
        let seg = &self.segments[part];
        let info = seg.info_at(f, ord)?;
        let lengths = seg.lengths(f)?;
        let map = self.live_globals(part)?;
        // `local < num_docs` is checked by the decoder, and both columns
        // have exactly num_docs entries (checked at open).
        seg.positions_where(
            f,
            &info,
            |local| {
                let gid = map[local as usize];
                gid != DELETED && want(gid)
            },
            |local, p| g(map[local as usize], lengths[local as usize], p),
        )
    }
}
