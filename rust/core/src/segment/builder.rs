//! Building a segment in memory from analyzed docs added in local-id order,
//! then writing it as one streamed, fsynced file.

use std::path::Path;

use rustc_hash::FxHashMap;

use super::blockmax::BlockMaxWriter;
use super::blocks::{block_index, put_info, BlockStream};
use super::stemdf;
use super::stored::{StoredDoc, StoredWriter};
use super::{
    heap, section, BLOCK_MAXIMA, NUM_SECTIONS, SEGMENT_MAGIC, STEM_UNIONS, STORED_DATA,
    STORED_INDEX,
};
use crate::analysis::{analyze_fields, FieldTokens};
use crate::container::ContainerWriter;
use crate::error::{Error, Result};
use crate::postings::{put_positions, put_posting, stem_entries};
use crate::schema::Field;
use crate::spec::Spec;

/// One analyzed file, ready for a [`SegmentBuilder`].
#[derive(Debug)]
pub(crate) struct DiskDoc {
    /// Its stored fields.
    pub(crate) stored: StoredDoc,
    /// Its analyzed fields, in schema order.
    pub(crate) fields: [FieldTokens; 6],
}

impl DiskDoc {
    /// Analyzes a parsed spec.
    pub(crate) fn new(stored: StoredDoc, spec: &Spec) -> DiskDoc {
        DiskDoc {
            stored,
            fields: analyze_fields(spec),
        }
    }
}

/// An `fst` builder's error as an [`Error::Io`] about the file written
/// (`map_err(fst_error(path))`): a full disk says so, and names the file.
pub(super) fn fst_error(path: &Path) -> impl Fn(fst::Error) -> Error + '_ {
    move |e| match e {
        fst::Error::Io(source) => Error::io(path, source),
        other @ fst::Error::Fst(_) => Error::io(path, std::io::Error::other(other.to_string())),
    }
}

/// Writes a field's term dictionary (section `7f`) from terms in byte order.
fn write_fst<'t>(
    w: &mut ContainerWriter,
    f: Field,
    terms: impl Iterator<Item = &'t [u8]>,
) -> Result<()> {
    w.begin(section(f, 0))?;
    let path = w.path().to_path_buf();
    let mut b = fst::MapBuilder::new(&mut *w).map_err(fst_error(&path))?;
    for (ord, t) in terms.enumerate() {
        b.insert(t, ord as u64).map_err(fst_error(&path))?;
    }
    b.finish().map_err(fst_error(&path))?;
    w.end();
    Ok(())
}

/// Writes a field's stem map (section `7f + 5`) from sorted entries.
pub(super) fn write_stems(
    w: &mut ContainerWriter,
    f: Field,
    entries: &[(Vec<u8>, u64)],
) -> Result<()> {
    w.begin(section(f, 5))?;
    let path = w.path().to_path_buf();
    let mut b = fst::MapBuilder::new(&mut *w).map_err(fst_error(&path))?;
    for (k, v) in entries {
        b.insert(k, *v).map_err(fst_error(&path))?;
    }
    b.finish().map_err(fst_error(&path))?;
    w.end();
    Ok(())
}

#[derive(Default)]
struct TermBuf {
    postings: Vec<u8>,
    positions: Vec<u8>,
    last: u32,
    df: u32,
}

impl TermBuf {
    /// Its postings and df.
    fn list(&self) -> (&[u8], u32) {
        (&self.postings, self.df)
    }
}

#[derive(Default)]
struct FieldBuilder {
    dict: FxHashMap<Box<str>, u32>,
    terms: Vec<TermBuf>,
    lengths: Vec<u32>,
}

/// Builds a segment in memory from docs added in local-id order.
#[derive(Default)]
pub(crate) struct SegmentBuilder {
    fields: [FieldBuilder; 6],
    /// The compressed stored blocks written so far.
    stored: Vec<u8>,
    stored_w: StoredWriter,
    num_docs: u32,
    /// Heap bytes of the term keys and term buffers (kept up to date by `add`).
    term_heap: usize,
}

impl SegmentBuilder {
    /// The number of docs added.
    pub(crate) fn num_docs(&self) -> u32 {
        self.num_docs
    }

    /// The memory the builder holds: its allocations' capacities.
    pub(crate) fn estimated_bytes(&self) -> usize {
        let mut n = self.term_heap + heap(self.stored.capacity()) + self.stored_w.heap();
        for fb in &self.fields {
            n += heap(fb.dict.capacity() * (std::mem::size_of::<(Box<str>, u32)>() + 1))
                + heap(fb.terms.capacity() * std::mem::size_of::<TermBuf>())
                + heap(fb.lengths.capacity() * 4);
        }
        n
    }

    /// Adds a doc; returns its local id.
    pub(crate) fn add(&mut self, doc: DiskDoc) -> u32 {
        let local = self.num_docs;
        if let Some(block) = self.stored_w.push(|out| doc.stored.encode(out)) {
            self.stored.extend_from_slice(&block);
        }
        for (fb, ft) in self.fields.iter_mut().zip(doc.fields) {
            fb.lengths.push(ft.length);
            let mut prox_at = 0usize;
            for (term, tf) in ft.terms() {
                let next = fb.terms.len() as u32;
                #[allow(clippy::single_match_else)] // the miss arm inserts
                let id = match fb.dict.get(term) {
                    Some(&id) => id,
                    None => {
                        self.term_heap += heap(term.len());
                        fb.dict.insert(term.into(), next);
                        fb.terms.push(TermBuf::default());
                        next
                    }
                };
                let tb = &mut fb.terms[id as usize];
                let before = heap(tb.postings.capacity()) + heap(tb.positions.capacity());
                let delta = if tb.df == 0 { local } else { local - tb.last };
                put_posting(&mut tb.postings, delta, tf);
                let end = prox_at + tf as usize;
                put_positions(&mut tb.positions, &ft.positions[prox_at..end]);
                prox_at = end;
                tb.last = local;
                tb.df += 1;
                self.term_heap += heap(tb.postings.capacity()) + heap(tb.positions.capacity());
                self.term_heap -= before;
            }
        }
        self.num_docs += 1;
        local
    }

    /// Writes the segment file at `path` (streamed, fsynced), freeing the
    /// builder's buffers as they are written; returns the file size and
    /// each field's number of terms.
    ///
    /// # Errors
    /// [`Error::Io`].
    pub(crate) fn finish(mut self, path: &Path) -> Result<(u64, [u64; 6])> {
        let mut w = ContainerWriter::create(path, NUM_SECTIONS)?;
        let mut num_terms = [0u64; 6];
        for (f, fb) in Field::ALL.into_iter().zip(std::mem::take(&mut self.fields)) {
            let FieldBuilder {
                dict,
                mut terms,
                lengths,
            } = fb;
            let mut order: Vec<(Box<str>, u32)> = dict.into_iter().collect();
            order.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            // Per term: df, postings length, positions length.
            let mut infos = vec![(0u32, 0u64, 0u64); order.len()];
            let mut post = BlockStream::default();
            let mut maxima = BlockMaxWriter::default();
            let stems = stem_entries(order.iter().map(|(t, _)| &**t));
            let unions = stemdf::section_of_lists(
                path,
                &stems,
                |t| order.binary_search_by(|e| e.0.as_bytes().cmp(t)).ok(),
                self.num_docs,
                |ord| terms[order[ord as usize].1 as usize].list(),
            )?;
            w.begin(section(f, 2))?;
            for (ord, ((_, id), info)) in order.iter().zip(&mut infos).enumerate() {
                let tb = &mut terms[*id as usize];
                *info = (tb.df, tb.postings.len() as u64, 0);
                maxima.term(ord as u32, &tb.postings, tb.df, &lengths);
                post.term();
                post.bytes(&tb.postings);
                w.put(&tb.postings)?;
                tb.postings = Vec::new();
            }
            let mut pos = BlockStream::default();
            w.begin(section(f, 3))?;
            for ((_, id), info) in order.iter().zip(&mut infos) {
                let tb = &mut terms[*id as usize];
                info.2 = tb.positions.len() as u64;
                pos.term();
                pos.bytes(&tb.positions);
                w.put(&tb.positions)?;
                tb.positions = Vec::new();
            }
            drop(terms);
            let mut info_stream = BlockStream::default();
            let mut bytes = Vec::with_capacity(infos.len() * 4);
            for &(df, post_len, prox_len) in &infos {
                let start = bytes.len();
                put_info(&mut bytes, df, post_len, prox_len);
                info_stream.term();
                info_stream.bytes(&bytes[start..]);
            }
            w.section(section(f, 1), &bytes)?;
            drop(bytes);
            w.section(section(f, 6), &block_index(info_stream, post, pos))?;
            w.section(BLOCK_MAXIMA + f.index(), &maxima.finish())?;
            write_fst(&mut w, f, order.iter().map(|(t, _)| t.as_bytes()))?;
            write_stems(&mut w, f, &stems)?;
            w.section(STEM_UNIONS + f.index(), &unions)?;
            num_terms[f.index()] = order.len() as u64;
            let lens: Vec<u8> = lengths.iter().flat_map(|l| l.to_le_bytes()).collect();
            w.section(section(f, 4), &lens)?;
        }
        let (last, index) = std::mem::take(&mut self.stored_w).finish();
        if let Some(block) = last {
            self.stored.extend_from_slice(&block);
        }
        w.section(STORED_INDEX, &index)?;
        w.section(STORED_DATA, &self.stored)?;
        let len = w.finish(SEGMENT_MAGIC, self.num_docs)?;
        Ok((len, num_terms))
    }
}
