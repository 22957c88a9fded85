//! Field analysis: one spec's six fields → their terms, term frequencies,
//! positions and lengths ([`FieldTokens`]), in schema order. The in-memory
//! index and the segment builder both start from [`analyze_fields`], so the
//! two indexes see the same terms.

use std::cell::RefCell;
use std::ops::ControlFlow;

use std::hash::Hasher;

use hashbrown::HashTable;

use super::{is_term_key, scan_tokens, scan_tokens_from, KEY_SEPARATOR};
use crate::schema::Field;
use crate::spec::Spec;

/// One field of one analyzed doc: its distinct terms with their
/// frequencies in order of first appearance, their positions grouped by
/// term in the same order (ascending within a term), and the field length.
/// Keyed terms (§3) are terms like the others but do not count in the
/// length. The term texts sit back to back in one string, so a doc costs a
/// few allocations per field, not one per distinct term.
#[derive(Debug, Default)]
pub(crate) struct FieldTokens {
    /// The distinct terms' texts, back to back, in first-appearance order.
    text: String,
    /// Per term: where its text ends in `text`, and its frequency.
    ends_tfs: Vec<(u32, u32)>,
    pub(crate) positions: Vec<u32>,
    pub(crate) length: u32,
}

impl FieldTokens {
    /// The field length (tokens kept, keyed terms aside).
    pub(crate) fn length(&self) -> u32 {
        self.length
    }

    /// The distinct terms and their frequencies, in first-appearance order.
    pub(crate) fn terms(&self) -> impl Iterator<Item = (&str, u32)> + '_ {
        let mut start = 0usize;
        self.ends_tfs.iter().map(move |&(end, tf)| {
            let term = &self.text[start..end as usize];
            start = end as usize;
            (term, tf)
        })
    }
}

/// The distinct terms of the field being analyzed, interned without an
/// allocation per term: texts back to back in `text`, looked up by hash
/// (the table holds each term's hash and id).
#[derive(Default)]
struct Terms {
    text: String,
    /// Where each term id's text ends in `text`.
    ends: Vec<u32>,
    table: HashTable<(u64, u32)>,
    tfs: Vec<u32>,
    /// `(term id, position)` in the order the tokens came.
    seq: Vec<(u32, u32)>,
}

impl Terms {
    #[inline]
    fn add(&mut self, term: &str, pos: u32) {
        let hash = {
            let mut h = rustc_hash::FxHasher::default();
            h.write(term.as_bytes());
            h.finish()
        };
        let Self {
            text,
            ends,
            table,
            tfs,
            seq,
        } = self;
        let found = table.find(hash, |&(h, id)| {
            h == hash && {
                let id = id as usize;
                let start = if id == 0 { 0 } else { ends[id - 1] as usize };
                text.as_bytes()[start..ends[id] as usize] == *term.as_bytes()
            }
        });
        let id = if let Some(&(_, id)) = found {
            id
        } else {
            let id = tfs.len() as u32;
            text.push_str(term);
            // A field's text is far below 4 GiB (specs are capped in size).
            ends.push(text.len() as u32);
            table.insert_unique(hash, (hash, id), |&(h, _)| h);
            tfs.push(0);
            id
        };
        tfs[id as usize] += 1;
        seq.push((id, pos));
    }
}

/// Scratch space for analyzing docs, reused between fields.
#[derive(Default)]
struct FieldAnalyzer {
    terms: Terms,
    keyed: String,
}

impl FieldAnalyzer {
    /// A kept buffer larger than this (in items) is freed after a doc, so a
    /// huge file leaves no huge scratch space behind.
    const KEEP: usize = 1 << 16;

    /// Analyzes the six fields of a spec, in schema order.
    fn spec(&mut self, spec: &Spec) -> [FieldTokens; 6] {
        let out = Field::ALL.map(|f| match f {
            Field::Frontmatter => self.frontmatter(&spec.frontmatter),
            _ => self.text(&spec.field_text(f)),
        });
        if self.terms.seq.capacity() > Self::KEEP || self.terms.text.capacity() > Self::KEEP {
            *self = FieldAnalyzer::default();
        }
        out
    }

    /// Analyzes one plain field value.
    fn text(&mut self, text: &str) -> FieldTokens {
        let terms = &mut self.terms;
        let mut length = 0u32;
        scan_tokens(text, |t| {
            length += 1;
            terms.add(t.text, t.position);
            ControlFlow::Continue(())
        });
        self.finish(length)
    }

    /// Analyzes the frontmatter entries `K`, `V` in order, positions
    /// running on, with the keyed terms of each valid key.
    fn frontmatter(&mut self, entries: &[(String, String)]) -> FieldTokens {
        let Self { terms, keyed } = self;
        let mut length = 0u32;
        let mut pos = 0u32;
        for (k, v) in entries {
            pos = scan_tokens_from(k, pos, |t| {
                length += 1;
                terms.add(t.text, t.position);
                ControlFlow::Continue(())
            });
            let with_key = is_term_key(k);
            keyed.clear();
            if with_key {
                keyed.push_str(&k.to_ascii_lowercase());
                keyed.push(KEY_SEPARATOR);
            }
            let prefix = keyed.len();
            pos = scan_tokens_from(v, pos, |t| {
                length += 1;
                terms.add(t.text, t.position);
                if with_key {
                    keyed.truncate(prefix);
                    keyed.push_str(t.text);
                    terms.add(keyed, t.position);
                }
                ControlFlow::Continue(())
            });
        }
        self.finish(length)
    }

    fn finish(&mut self, length: u32) -> FieldTokens {
        let t = &mut self.terms;
        // Term ids are in first-appearance order, which keeps them
        // independent of hashing.
        let ends_tfs: Vec<(u32, u32)> = t.ends.iter().copied().zip(t.tfs.iter().copied()).collect();
        // Group positions by term (a counting sort keeps each term's
        // positions in token order, which is ascending).
        let cursor = &mut t.ends;
        let mut at = 0u32;
        for (c, &tf) in cursor.iter_mut().zip(&t.tfs) {
            *c = at;
            at += tf;
        }
        let mut positions = vec![0u32; t.seq.len()];
        for &(id, pos) in &t.seq {
            let c = &mut cursor[id as usize];
            positions[*c as usize] = pos;
            *c += 1;
        }
        // The buffers stay for the next field; the doc gets exact copies.
        let text = t.text.as_str().to_owned();
        t.text.clear();
        t.ends.clear();
        t.table.clear();
        t.tfs.clear();
        t.seq.clear();
        FieldTokens {
            text,
            ends_tfs,
            positions,
            length,
        }
    }
}

/// Analyzes the six fields of a spec, in schema order.
pub(crate) fn analyze_fields(spec: &Spec) -> [FieldTokens; 6] {
    thread_local! {
        /// Each thread's scratch space, kept from doc to doc.
        static ANALYZER: RefCell<FieldAnalyzer> = RefCell::default();
    }
    ANALYZER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut a) => a.spec(spec),
        // Not reached (analyzing a field analyzes nothing else), but a new
        // analyzer would do as well.
        Err(_) => FieldAnalyzer::default().spec(spec),
    })
}
