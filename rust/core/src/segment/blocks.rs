//! The term-block index of a field (section `7f + 6`): terms in blocks of
//! [`TERM_BLOCK`] ordinals, with the offsets and CRC-32s of each block's term
//! infos, postings and positions. Written by the builder and the merge
//! ([`BlockStream`], [`block_index`]), read by the reader ([`BlockEntry`]).

use super::{BLOCK_ENTRY, TERM_BLOCK};
use crate::container::u64_at;
use crate::postings::put_varint;

/// The per-block start offsets and CRC-32s of one of a field's term
/// streams (term infos, postings or positions), fed term by term.
#[derive(Default)]
pub(super) struct BlockStream {
    starts: Vec<u64>,
    crcs: Vec<u32>,
    hasher: crc32fast::Hasher,
    terms: usize,
    at: u64,
}

impl BlockStream {
    /// Starts the next term (and a new block every [`TERM_BLOCK`] terms).
    pub(super) fn term(&mut self) {
        if self.terms.is_multiple_of(TERM_BLOCK) {
            if self.terms > 0 {
                self.crcs.push(std::mem::take(&mut self.hasher).finalize());
            }
            self.starts.push(self.at);
        }
        self.terms += 1;
    }

    /// Appends bytes of the current term.
    pub(super) fn bytes(&mut self, b: &[u8]) {
        self.hasher.update(b);
        self.at += b.len() as u64;
    }

    /// The blocks' start offsets (with the end as a sentinel) and CRC-32s.
    fn finish(mut self) -> (Vec<u64>, Vec<u32>) {
        if self.terms > 0 {
            self.crcs.push(self.hasher.finalize());
        }
        self.starts.push(self.at);
        (self.starts, self.crcs)
    }
}

/// A field's term-block index (section `7f + 6`) from its three streams:
/// per block `u64` postings offset, `u64` positions offset, `u64` term-info
/// offset, `u32` CRC-32 of the block's term infos, of its postings and of
/// its positions, `u32` 0; then a sentinel entry holding the ends (CRCs 0).
pub(super) fn block_index(infos: BlockStream, post: BlockStream, pos: BlockStream) -> Vec<u8> {
    let (info_at, info_crc) = infos.finish();
    let (post_at, post_crc) = post.finish();
    let (prox_at, prox_crc) = pos.finish();
    let mut out = Vec::with_capacity(info_at.len() * BLOCK_ENTRY);
    for b in 0..info_at.len() {
        for v in [post_at[b], prox_at[b], info_at[b]] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [info_crc.get(b), post_crc.get(b), prox_crc.get(b), None] {
            out.extend_from_slice(&v.copied().unwrap_or(0).to_le_bytes());
        }
    }
    out
}

/// Appends a term's info: `varint(df)`, `varint(postings length)`,
/// `varint(positions length)`.
pub(super) fn put_info(out: &mut Vec<u8>, df: u32, post_len: u64, prox_len: u64) {
    put_varint(out, u64::from(df));
    put_varint(out, post_len);
    put_varint(out, prox_len);
}

/// One entry of a term-block index.
#[derive(Clone, Copy, Debug)]
pub(super) struct BlockEntry {
    pub(super) post: u64,
    pub(super) pos: u64,
    pub(super) info: u64,
    pub(super) info_crc: u32,
    pub(super) post_crc: u32,
    pub(super) prox_crc: u32,
}

impl BlockEntry {
    pub(super) fn at(index: &[u8], b: usize) -> Option<BlockEntry> {
        let e = index
            .get(b.checked_mul(BLOCK_ENTRY)?..)?
            .get(..BLOCK_ENTRY)?;
        let w = |i: usize| {
            e.get(i..i + 4)
                .and_then(|b| b.try_into().ok())
                .map(u32::from_le_bytes)
        };
        Some(BlockEntry {
            post: u64_at(e, 0)?,
            pos: u64_at(e, 1)?,
            info: u64_at(e, 2)?,
            info_crc: w(24)?,
            post_crc: w(28)?,
            prox_crc: w(32)?,
        })
    }
}
