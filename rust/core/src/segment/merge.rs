//! Merging segments: the live docs of several segments, renumbered, into
//! one new segment file, streamed field by field.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::blockmax::BlockMaxWriter;
use super::blocks::{block_index, put_info, BlockStream};
use super::builder::{fst_error, write_stems};
use super::reader::{MapBytes, SegmentReader};
use super::spill::Spill;
use super::stored::StoredWriter;
use super::{
    section, stemdf, BLOCK_MAXIMA, NUM_SECTIONS, SEGMENT_MAGIC, STEM_UNIONS, STORED_BLOCK,
    STORED_DATA, STORED_INDEX,
};
use crate::container::ContainerWriter;
use crate::error::Result;
use crate::postings::{put_posting, stem_entry};
use crate::schema::Field;

/// A stem map's entries: `stem key \0 term` → ordinal, sorted.
type StemEntries = Vec<(Vec<u8>, u64)>;

/// Release the inputs' pages after this many bytes were read.
const RELEASE_EVERY: usize = 32 << 20;

/// Merges live docs of several segments into one segment file at `path`.
/// `order` lists `(segment index, local id)` of the docs to keep, in their
/// new local order. The file is streamed (a field's positions, term infos
/// and dictionary go through unnamed temporary files in the same folder),
/// and the inputs' mapped pages are released as the merge goes, so memory
/// stays bounded by the largest term's postings. Returns the file size and
/// each field's term count.
///
/// # Errors
/// [`Error::Format`] when an input segment is corrupt, [`Error::Io`].
pub(crate) fn merge(
    segs: &[Arc<SegmentReader>],
    order: &[(u32, u32)],
    path: &Path,
) -> Result<(u64, [u64; 6])> {
    let mut m = Inputs::new(segs, order);
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut w = ContainerWriter::create(path, NUM_SECTIONS)?;
    let mut num_terms = [0u64; 6];
    for f in Field::ALL {
        num_terms[f.index()] = m.merge_terms(&mut w, f, dir)?;
        m.merge_lengths(&mut w, f, order)?;
    }
    m.merge_stored(&mut w, order)?;
    m.release();
    let len = w.finish(SEGMENT_MAGIC, order.len() as u32)?;
    Ok((len, num_terms))
}

/// The input segments of a merge, each doc's new local id, and the bytes
/// read since their pages were last released.
struct Inputs<'s> {
    segs: &'s [Arc<SegmentReader>],
    /// Per input segment and local id: the new local id (`u32::MAX`: dropped).
    new_id: Vec<Vec<u32>>,
    /// `(input segment, local id)` of each doc of the output, in order.
    order: &'s [(u32, u32)],
    read: usize,
}

impl<'s> Inputs<'s> {
    fn new(segs: &'s [Arc<SegmentReader>], order: &'s [(u32, u32)]) -> Inputs<'s> {
        let mut new_id: Vec<Vec<u32>> = segs
            .iter()
            .map(|s| vec![u32::MAX; s.num_docs() as usize])
            .collect();
        for (new, &(s, l)) in order.iter().enumerate() {
            new_id[s as usize][l as usize] = new as u32;
        }
        Inputs {
            segs,
            new_id,
            order,
            read: 0,
        }
    }

    fn release(&self) {
        self.segs.iter().for_each(|s| s.release_pages());
    }

    /// Releases the inputs' pages once [`RELEASE_EVERY`] bytes were read.
    fn maybe_release(&mut self) {
        if self.read >= RELEASE_EVERY {
            self.release();
            self.read = 0;
        }
    }

    /// Writes field `f`'s postings (section `7f + 2`), positions, term
    /// infos, term-block index, dictionary and stem map from the union of
    /// the inputs' dictionaries; returns its term count.
    fn merge_terms(&mut self, w: &mut ContainerWriter, f: Field, dir: &Path) -> Result<u64> {
        use fst::Streamer;
        let segs = self.segs;
        let dicts: Vec<&fst::Map<MapBytes>> =
            segs.iter().map(|s| s.dict(f)).collect::<Result<_>>()?;
        let mut op = fst::map::OpBuilder::new();
        for d in &dicts {
            op = op.add(d.stream());
        }
        let mut union = op.union();
        // The field's lengths in the new order, for the block maxima.
        let mut lengths = Vec::new();
        for &(s, l) in self.order {
            let col = segs[s as usize].lengths(f)?;
            lengths.push(col.get(l as usize).copied().unwrap_or(0));
        }
        let mut out = TermsWriter::new(dir, lengths)?;
        // `(new local id, tf, raw positions)` of the term being merged.
        let mut entries: Vec<(u32, u32, &[u8])> = Vec::new();
        w.begin(section(f, 2))?;
        while let Some((term, ivs)) = union.next() {
            entries.clear();
            for iv in ivs {
                let map = &self.new_id[iv.index];
                let info = segs[iv.index].info_at(f, iv.value)?;
                let read = &mut self.read;
                segs[iv.index].postings_with_raw_positions(f, &info, |local, tf, raw| {
                    *read += raw.len() + 4;
                    let n = map[local as usize];
                    if n != u32::MAX {
                        entries.push((n, tf, raw));
                    }
                })?;
            }
            if !entries.is_empty() {
                entries.sort_unstable_by_key(|e| e.0);
                out.add(w, term, &entries)?;
            }
            if self.read >= RELEASE_EVERY {
                entries.clear();
                self.maybe_release();
            }
        }
        w.end();
        let (count, stems) = out.finish(w, f)?;
        let unions = stemdf::section_of_inputs(w.path(), segs, &self.new_id, f, &stems)?;
        w.section(STEM_UNIONS + f.index(), &unions)?;
        Ok(count)
    }

    /// Writes field `f`'s length column (section `7f + 4`) in the new order.
    fn merge_lengths(&self, w: &mut ContainerWriter, f: Field, order: &[(u32, u32)]) -> Result<()> {
        let mut lengths = Vec::with_capacity(order.len() * 4);
        for &(s, l) in order {
            let col = self.segs[s as usize].lengths(f)?;
            lengths.extend_from_slice(&col[l as usize].to_le_bytes());
        }
        w.section(section(f, 4), &lengths)
    }

    /// Writes the stored records in the new order: each input block is
    /// decompressed once (not cached: docs come mostly in order) and the
    /// records recompressed.
    fn merge_stored(&mut self, w: &mut ContainerWriter, order: &[(u32, u32)]) -> Result<()> {
        let mut stored = StoredWriter::default();
        let mut current: Option<(u32, usize, Vec<u8>)> = None;
        w.begin(STORED_DATA)?;
        for &(s, l) in order {
            let seg = &self.segs[s as usize];
            let b = l as usize / STORED_BLOCK;
            let raw = match current {
                Some((cs, cb, ref raw)) if (cs, cb) == (s, b) => raw,
                _ => {
                    let raw = seg.stored_block(b)?;
                    self.read += raw.len();
                    &current.insert((s, b, raw)).2
                }
            };
            let rec = seg.record_in(raw, l)?;
            if let Some(block) = stored.push(|out| out.extend_from_slice(rec)) {
                w.put(&block)?;
            }
            self.maybe_release();
        }
        let (last, index) = stored.finish();
        if let Some(block) = last {
            w.put(&block)?;
        }
        w.end();
        w.section(STORED_INDEX, &index)
    }
}

/// One field's merged terms: the postings go straight into the segment
/// (the open section), the positions, term infos and dictionary through
/// spill files, the stem map in memory.
struct TermsWriter {
    /// The folder of the spill files (for error messages).
    dir: PathBuf,
    positions: Spill,
    infos: Spill,
    dict: fst::MapBuilder<Spill>,
    stems: Vec<(Vec<u8>, u64)>,
    count: u64,
    post: Vec<u8>,
    info_bytes: Vec<u8>,
    info_stream: BlockStream,
    post_stream: BlockStream,
    prox_stream: BlockStream,
    maxima: BlockMaxWriter,
    /// The field's lengths by new local id.
    lengths: Vec<u32>,
}

impl TermsWriter {
    fn new(dir: &Path, lengths: Vec<u32>) -> Result<TermsWriter> {
        Ok(TermsWriter {
            dir: dir.to_path_buf(),
            positions: Spill::new(dir)?,
            infos: Spill::new(dir)?,
            dict: fst::MapBuilder::new(Spill::new(dir)?).map_err(fst_error(dir))?,
            stems: Vec::new(),
            count: 0,
            post: Vec::new(),
            info_bytes: Vec::new(),
            info_stream: BlockStream::default(),
            post_stream: BlockStream::default(),
            prox_stream: BlockStream::default(),
            maxima: BlockMaxWriter::default(),
            lengths,
        })
    }

    /// Adds a term with its postings (new local id ascending).
    fn add(
        &mut self,
        w: &mut ContainerWriter,
        term: &[u8],
        entries: &[(u32, u32, &[u8])],
    ) -> Result<()> {
        self.post.clear();
        let prox_start = self.positions.len;
        let mut last = 0;
        self.prox_stream.term();
        for &(n, tf, raw) in entries {
            put_posting(&mut self.post, n - last, tf);
            self.positions.put(raw)?;
            self.prox_stream.bytes(raw);
            last = n;
        }
        self.post_stream.term();
        self.post_stream.bytes(&self.post);
        self.maxima.term(
            u32::try_from(self.count).unwrap_or(u32::MAX),
            &self.post,
            entries.len() as u32,
            &self.lengths,
        );
        w.put(&self.post)?;
        self.info_bytes.clear();
        put_info(
            &mut self.info_bytes,
            entries.len() as u32,
            self.post.len() as u64,
            self.positions.len - prox_start,
        );
        self.info_stream.term();
        self.info_stream.bytes(&self.info_bytes);
        self.infos.put(&self.info_bytes)?;
        self.dict
            .insert(term, self.count)
            .map_err(fst_error(&self.dir))?;
        if let Ok(t) = std::str::from_utf8(term) {
            self.stems.extend(stem_entry(t, self.count));
        }
        self.count += 1;
        Ok(())
    }

    /// Copies the spilled sections into the segment and writes the block
    /// index and the stem map; returns the term count and the stem map's
    /// entries.
    fn finish(mut self, w: &mut ContainerWriter, f: Field) -> Result<(u64, StemEntries)> {
        self.positions.copy_into(w, section(f, 3))?;
        self.infos.copy_into(w, section(f, 1))?;
        w.section(
            section(f, 6),
            &block_index(self.info_stream, self.post_stream, self.prox_stream),
        )?;
        w.section(BLOCK_MAXIMA + f.index(), &self.maxima.finish())?;
        self.dict
            .into_inner()
            .map_err(fst_error(&self.dir))?
            .copy_into(w, section(f, 0))?;
        self.stems.sort_unstable();
        write_stems(w, f, &self.stems)?;
        Ok((self.count, self.stems))
    }
}
