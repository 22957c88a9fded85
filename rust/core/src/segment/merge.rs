//! Merging segments: the live docs of several segments, renumbered, into
//! one new segment file, streamed field by field.

use std::path::Path;
use std::sync::Arc;

use super::blocks::{block_index, put_info, BlockStream};
use super::builder::{fst_error, write_stems};
use super::reader::{MapBytes, SegmentReader};
use super::spill::Spill;
use super::stored::StoredWriter;
use super::{section, NUM_SECTIONS, SEGMENT_MAGIC, STORED_BLOCK, STORED_DATA, STORED_INDEX};
use crate::container::ContainerWriter;
use crate::error::Result;
use crate::postings::put_posting;
use crate::schema::Field;

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
#[allow(clippy::too_many_lines)] // one field after the other, streamed
pub(crate) fn merge(
    segs: &[Arc<SegmentReader>],
    order: &[(u32, u32)],
    path: &Path,
) -> Result<(u64, [u64; 6])> {
    use fst::Streamer;
    /// Release the inputs' pages after this many bytes were read.
    const RELEASE_EVERY: usize = 32 << 20;
    let dir = path.parent().unwrap_or(Path::new("."));
    let release = || segs.iter().for_each(|s| s.release_pages());
    let mut new_id: Vec<Vec<u32>> = segs
        .iter()
        .map(|s| vec![u32::MAX; s.num_docs() as usize])
        .collect();
    for (new, &(s, l)) in order.iter().enumerate() {
        new_id[s as usize][l as usize] = new as u32;
    }
    let mut w = ContainerWriter::create(path, NUM_SECTIONS)?;
    let mut num_terms = [0u64; 6];
    let mut read = 0usize;
    for f in Field::ALL {
        let dicts: Vec<&fst::Map<MapBytes>> =
            segs.iter().map(|s| s.dict(f)).collect::<Result<_>>()?;
        let mut op = fst::map::OpBuilder::new();
        for d in &dicts {
            op = op.add(d.stream());
        }
        let mut union = op.union();
        let mut positions = Spill::new(dir)?;
        let mut infos = Spill::new(dir)?;
        let mut dict = fst::MapBuilder::new(Spill::new(dir)?).map_err(fst_error)?;
        let mut count = 0u64;
        let mut stems: Vec<(Vec<u8>, u64)> = Vec::new();
        let mut entries: Vec<(u32, u32, &[u8])> = Vec::new();
        let (mut post, mut info_bytes) = (Vec::new(), Vec::new());
        let (mut info_stream, mut post_stream, mut prox_stream) = (
            BlockStream::default(),
            BlockStream::default(),
            BlockStream::default(),
        );
        w.begin(section(f, 2))?;
        while let Some((term, ivs)) = union.next() {
            entries.clear();
            for iv in ivs {
                let seg = &segs[iv.index];
                let map = &new_id[iv.index];
                let info = seg.info_at(f, iv.value)?;
                seg.postings_with_raw_positions(f, &info, |local, tf, raw| {
                    read += raw.len() + 4;
                    let n = map[local as usize];
                    if n != u32::MAX {
                        entries.push((n, tf, raw));
                    }
                })?;
            }
            if !entries.is_empty() {
                entries.sort_unstable_by_key(|e| e.0);
                post.clear();
                let prox_start = positions.len;
                let mut last = 0;
                prox_stream.term();
                for &(n, tf, raw) in &entries {
                    put_posting(&mut post, n - last, tf);
                    positions.put(raw)?;
                    prox_stream.bytes(raw);
                    last = n;
                }
                post_stream.term();
                post_stream.bytes(&post);
                w.put(&post)?;
                info_bytes.clear();
                put_info(
                    &mut info_bytes,
                    entries.len() as u32,
                    post.len() as u64,
                    positions.len - prox_start,
                );
                info_stream.term();
                info_stream.bytes(&info_bytes);
                infos.put(&info_bytes)?;
                dict.insert(term, count).map_err(fst_error)?;
                if let Ok(t) = std::str::from_utf8(term) {
                    let key = crate::analysis::stem_key(t);
                    if key != t {
                        let mut k = key.into_owned().into_bytes();
                        k.push(0);
                        k.extend_from_slice(term);
                        stems.push((k, count));
                    }
                }
                count += 1;
            }
            if read >= RELEASE_EVERY {
                entries.clear();
                release();
                read = 0;
            }
        }
        w.end();
        positions.copy_into(&mut w, section(f, 3))?;
        infos.copy_into(&mut w, section(f, 1))?;
        w.section(
            section(f, 6),
            &block_index(info_stream, post_stream, prox_stream),
        )?;
        dict.into_inner()
            .map_err(fst_error)?
            .copy_into(&mut w, section(f, 0))?;
        stems.sort_unstable();
        write_stems(&mut w, f, &stems)?;
        drop(stems);
        num_terms[f.index()] = count;
        let mut lengths = Vec::with_capacity(order.len() * 4);
        for &(s, l) in order {
            let col = segs[s as usize].lengths(f)?;
            lengths.extend_from_slice(&col[l as usize].to_le_bytes());
        }
        w.section(section(f, 4), &lengths)?;
    }
    // Stored records: each input block is decompressed once (not cached:
    // docs come mostly in order) and the records recompressed.
    let mut stored = StoredWriter::default();
    let mut current: Option<(u32, usize, Vec<u8>)> = None;
    w.begin(STORED_DATA)?;
    for &(s, l) in order {
        let seg = &segs[s as usize];
        let b = l as usize / STORED_BLOCK;
        let raw = match current {
            Some((cs, cb, ref raw)) if (cs, cb) == (s, b) => raw,
            _ => {
                let raw = seg.stored_block(b)?;
                read += raw.len();
                &current.insert((s, b, raw)).2
            }
        };
        let rec = seg.record_in(raw, l)?;
        if let Some(block) = stored.push(|out| out.extend_from_slice(rec)) {
            w.put(&block)?;
        }
        if read >= RELEASE_EVERY {
            release();
            read = 0;
        }
    }
    let (last, index) = stored.finish();
    if let Some(block) = last {
        w.put(&block)?;
    }
    w.end();
    w.section(STORED_INDEX, &index)?;
    release();
    let len = w.finish(SEGMENT_MAGIC, order.len() as u32)?;
    Ok((len, num_terms))
}
