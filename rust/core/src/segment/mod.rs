//! Segments (SPEC.md §10): immutable files holding the inverted
//! index, the field lengths and the stored fields of a set of docs.
//!
//! A segment is a [`crate::container`] file (magic `SPSEGMT1`, count = its
//! number of docs) with these sections: for each field `f` in schema order,
//! `7f + 0` the term dictionary (an `fst` map, term → term ordinal),
//! `7f + 1` the term infos (per term `varint(df)`, `varint(postings
//! length)`, `varint(positions length)`), `7f + 2` the postings, `7f + 3`
//! the positions (see [`crate::postings`]), `7f + 4` the doc lengths (`u32`
//! per local doc id), `7f + 5` the stem map (an `fst` map, `stem key \0
//! term` → term ordinal, for the terms that are not their own stem key),
//! `7f + 6` the term-block index (terms in blocks of [`TERM_BLOCK`]
//! ordinals: per block the offsets of its postings, positions and term
//! infos and a CRC-32 of each of the three, then a sentinel entry); then
//! `42` the stored-block index and `43` the stored records, in
//! LZ4-compressed blocks of [`STORED_BLOCK`] docs with a CRC-32 each; then
//! `44 + f` the block maxima ([`blockmax`]) and `50 + f` the stem unions'
//! dfs ([`stemdf`]) of each field, 56 sections in all. A
//! block's term infos, postings and positions are each verified once per
//! reader before any of their bytes are decoded, a stored block before it
//! is decompressed, the other sections whole on first use.
//!
//! Docs are numbered locally from 0; the doc map of the commit
//! ([`crate::index::docmap`]) gives each its global id or marks it deleted.
//!
//! Module map: `stored` (the per-doc record and its LZ4 block writer),
//! `blocks` (the term-block index, written and read), `builder` (docs →
//! a new segment file, its memory estimate fixed by a model of its former
//! layout so segments are cut where they were), `intern` (the builder's
//! term interner: one table per field, texts back to back, short terms
//! compared in their slots), `arena` (the builder's per-term postings lists,
//! chained blocks in shared pages), `spill` (temporary files a merge streams sections
//! through), `reader` (a mapped segment, sections verified on first use)
//! and `merge` (live docs of several segments → one file). Layering:
//! `segment` reads `analysis`, `postings`, `container`, `schema` and `spec`;
//! only `index` (and `search` through it) reads `segment`.

mod arena;
mod blockmax;
mod blocks;
mod builder;
mod intern;
mod merge;
mod reader;
mod spill;
mod stemdf;
mod stored;

pub(crate) use blockmax::{prefetch_entries_of, BlockMax, Cursor, NO_DOC};
pub(crate) use builder::{DiskDoc, SegmentBuilder};
pub(crate) use merge::merge;
pub(crate) use reader::{BlockScratch, MapBytes, SegmentReader, TermInfo};
pub(crate) use stored::{path_bytes, path_ref, StoredDoc};

use crate::schema::Field;

/// The magic bytes of a segment file.
pub(crate) const SEGMENT_MAGIC: &[u8; 8] = b"SPSEGMT1";

const SECTIONS_PER_FIELD: usize = 7;
const STORED_INDEX: usize = 42;
const STORED_DATA: usize = 43;
/// Sections `44 + f`: the block maxima of field `f` ([`blockmax`], format 5).
const BLOCK_MAXIMA: usize = 44;
/// Sections `50 + f`: the stem unions' dfs of field `f` ([`stemdf`], format 6).
const STEM_UNIONS: usize = 50;
const NUM_SECTIONS: usize = 56;
/// Terms per term-info block.
const TERM_BLOCK: usize = 64;
/// Bytes per entry of a term-block index.
const BLOCK_ENTRY: usize = 40;
/// Records per stored block.
const STORED_BLOCK: usize = 16;
/// Bytes per entry of the stored-block index.
const STORED_ENTRY: usize = 16;
/// Per-block verification flags: term infos, postings, positions.
const INFO_OK: u8 = 1;
const POST_OK: u8 = 2;
const POS_OK: u8 = 4;

fn section(f: Field, k: usize) -> usize {
    f.index() * SECTIONS_PER_FIELD + k
}

/// The heap bytes an allocation of `cap` bytes takes (malloc rounding and header).
fn heap(cap: usize) -> usize {
    if cap == 0 {
        0
    } else {
        (cap + 8).next_multiple_of(16).max(32)
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;

    use super::*;
    use crate::problem::Problem;
    use crate::spec::{DocMeta, Spec};

    fn doc(path: &str, body: &str) -> DiskDoc {
        let spec = Spec {
            name: path.into(),
            body: body.into(),
            ..Spec::default()
        };
        let stored = StoredDoc {
            meta: DocMeta {
                path: path.into(),
                name: path.into(),
                description: String::new(),
            },
            abs_path: PathBuf::from(format!("/x/{path}")),
            hash: 42,
            problems: vec![Problem::at_line(path, 3, "bad")],
        };
        DiskDoc::new(stored, &spec)
    }

    #[test]
    fn build_read_and_merge() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = SegmentBuilder::default();
        b.add(doc("a", "x y x"));
        b.add(doc("b", "y z"));
        let p = dir.path().join("s1");
        let (len, terms) = b.finish(&p).unwrap();
        assert_eq!(terms[Field::Body.index()], 3);
        let s = Arc::new(SegmentReader::open(&p, Some(len)).unwrap());
        assert_eq!(s.lengths(Field::Body).unwrap(), [3, 2]);
        let info = s.term(Field::Body, "x").unwrap().unwrap();
        let mut got = Vec::new();
        s.postings_with_positions(Field::Body, &info, |d, p| got.push((d, p.to_vec())))
            .unwrap();
        assert_eq!(got, [(0, vec![0, 2])]);
        assert!(s.term(Field::Body, "w").unwrap().is_none());
        let st = s.stored(1).unwrap();
        assert_eq!(st.meta.path, "b");
        assert_eq!(st.problems[0].line, Some(3));

        let p2 = dir.path().join("s2");
        merge(&[Arc::clone(&s)], &[(0, 1)], &p2).unwrap();
        let m = SegmentReader::open(&p2, None).unwrap();
        assert_eq!(m.num_docs(), 1);
        assert!(m.term(Field::Body, "x").unwrap().is_none());
        let info = m.term(Field::Body, "y").unwrap().unwrap();
        let mut got = Vec::new();
        m.postings_with_positions(Field::Body, &info, |d, p| got.push((d, p.to_vec())))
            .unwrap();
        assert_eq!(got, [(0, vec![0])]);
        assert_eq!(m.stored(0).unwrap().meta.path, "b");
    }

    /// `stored_once` reads every record as `stored` does, in any order,
    /// through one scratch block, whether or not the segment has cached the
    /// block, and caches nothing itself.
    #[test]
    fn stored_once_reads_as_stored() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = SegmentBuilder::default();
        let n = 3 * STORED_BLOCK as u32 + 5;
        for d in 0..n {
            b.add(doc(&format!("d{d:03}"), "x"));
        }
        let p = dir.path().join("s1");
        let (len, _) = b.finish(&p).unwrap();
        let fresh = SegmentReader::open(&p, Some(len)).unwrap();
        let cached = SegmentReader::open(&p, Some(len)).unwrap();
        let order: Vec<u32> = (0..n)
            .chain((0..n).rev())
            .chain((0..n).step_by(7))
            .collect();
        let mut scratch = BlockScratch::default();
        for &d in &order {
            let want = cached.stored(d).unwrap();
            assert_eq!(fresh.stored_once(0, d, &mut scratch).unwrap(), want);
            assert_eq!(cached.stored_once(0, d, &mut scratch).unwrap(), want);
        }
        assert_eq!(fresh.cached_blocks(), 0, "stored_once cached a block");
        assert_eq!(cached.cached_blocks(), (n as usize).div_ceil(STORED_BLOCK));
        assert!(fresh.stored_once(0, n, &mut scratch).is_err());
    }

    /// Many docs and terms: term and stored blocks span several blocks,
    /// and a merge keeps every list and record.
    #[test]
    fn blocks_across_boundaries() {
        let dir = tempfile::tempdir().unwrap();
        let mut builder = SegmentBuilder::default();
        let n = 150u32;
        for d in 0..n {
            let body: Vec<String> = (0..=d % 7)
                .map(|k| format!("w{} common", d * 3 + k))
                .collect();
            builder.add(doc(&format!("d{d:03}"), &body.join(" ")));
        }
        let path = dir.path().join("s1");
        let (len, terms) = builder.finish(&path).unwrap();
        assert!(terms[Field::Body.index()] > 3 * u64::from(TERM_BLOCK as u32));
        let s = Arc::new(SegmentReader::open(&path, Some(len)).unwrap());
        let check = |s: &SegmentReader, keep: &dyn Fn(u32) -> Option<u32>| {
            for d in 0..n {
                let Some(local) = keep(d) else { continue };
                assert_eq!(s.stored(local).unwrap().meta.path, format!("d{d:03}"));
                let info = s
                    .term(Field::Body, &format!("w{}", d * 3))
                    .unwrap()
                    .unwrap();
                let mut got = Vec::new();
                s.postings_with_positions(Field::Body, &info, |l, p| got.push((l, p.to_vec())))
                    .unwrap();
                assert!(
                    got.iter().any(|(l, p)| *l == local && p == &[0]),
                    "{d}: {got:?}"
                );
            }
            let info = s.term(Field::Body, "common").unwrap().unwrap();
            let mut tfs = Vec::new();
            s.postings(Field::Body, &info, |_, tf| tfs.push(tf))
                .unwrap();
            assert_eq!(tfs.len(), (0..n).filter(|&d| keep(d).is_some()).count());
        };
        check(&s, &Some);
        // Infos read together are those read one by one: in any order,
        // within and across term blocks, repeated; an ordinal past the
        // field's terms is an error either way.
        let total = terms[Field::Body.index()];
        let last = total - 1;
        let ords = [5, 3, 64, 63, 65, 3, 0, 200, last, 130, 129, 127, 128, last];
        let many = s.infos_at(Field::Body, &ords).unwrap();
        assert_eq!(many.len(), ords.len());
        for (&o, info) in ords.iter().zip(&many) {
            assert_eq!(*info, s.info_at(Field::Body, o).unwrap(), "ordinal {o}");
        }
        assert!(s.infos_at(Field::Body, &[1, total]).is_err());
        assert!(s.info_at(Field::Body, total).is_err());
        let order: Vec<(u32, u32)> = (0..n).filter(|d| d % 3 != 1).map(|d| (0, d)).collect();
        let p2 = dir.path().join("s2");
        merge(&[Arc::clone(&s)], &order, &p2).unwrap();
        let m = SegmentReader::open(&p2, None).unwrap();
        check(&m, &|d| {
            order.iter().position(|&(_, l)| l == d).map(|i| i as u32)
        });
    }
}
