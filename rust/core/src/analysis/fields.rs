//! Field analysis: one spec's six fields → their terms, term frequencies,
//! positions and lengths ([`FieldTokens`]), in schema order. The in-memory
//! index and the segment builder both start from [`analyze_fields`], so the
//! two indexes see the same terms.

use std::ops::ControlFlow;

use rustc_hash::FxHashMap;

use super::{is_term_key, scan_tokens, scan_tokens_from, KEY_SEPARATOR};
use crate::schema::Field;
use crate::spec::Spec;

/// One field of one analyzed doc: its distinct terms with their
/// frequencies in order of first appearance, their positions grouped by
/// term in the same order (ascending within a term), and the field length.
/// Keyed terms (§3) are terms like the others but do not count in the
/// length.
#[derive(Debug, Default)]
pub(crate) struct FieldTokens {
    pub(crate) terms: Vec<(Box<str>, u32)>,
    pub(crate) positions: Vec<u32>,
    pub(crate) length: u32,
}

impl FieldTokens {
    /// The field length (tokens kept, keyed terms aside).
    pub(crate) fn length(&self) -> u32 {
        self.length
    }
}

/// Scratch space for analyzing docs, reused between fields.
#[derive(Default)]
struct FieldAnalyzer {
    ids: FxHashMap<Box<str>, u32>,
    tfs: Vec<u32>,
    /// `(term id, position)` in the order the tokens came.
    seq: Vec<(u32, u32)>,
    keyed: String,
}

impl FieldAnalyzer {
    #[inline]
    fn add(
        ids: &mut FxHashMap<Box<str>, u32>,
        tfs: &mut Vec<u32>,
        seq: &mut Vec<(u32, u32)>,
        term: &str,
        pos: u32,
    ) {
        let id = if let Some(&id) = ids.get(term) {
            id
        } else {
            let id = tfs.len() as u32;
            ids.insert(term.into(), id);
            tfs.push(0);
            id
        };
        tfs[id as usize] += 1;
        seq.push((id, pos));
    }

    /// Analyzes one plain field value.
    fn text(&mut self, text: &str) -> FieldTokens {
        let Self { ids, tfs, seq, .. } = self;
        let mut length = 0u32;
        scan_tokens(text, |t| {
            length += 1;
            Self::add(ids, tfs, seq, t.text, t.position);
            ControlFlow::Continue(())
        });
        self.finish(length)
    }

    /// Analyzes the frontmatter entries `K`, `V` in order, positions
    /// running on, with the keyed terms of each valid key.
    fn frontmatter(&mut self, entries: &[(String, String)]) -> FieldTokens {
        let Self {
            ids,
            tfs,
            seq,
            keyed,
        } = self;
        let mut length = 0u32;
        let mut pos = 0u32;
        for (k, v) in entries {
            pos = scan_tokens_from(k, pos, |t| {
                length += 1;
                Self::add(ids, tfs, seq, t.text, t.position);
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
                Self::add(ids, tfs, seq, t.text, t.position);
                if with_key {
                    keyed.truncate(prefix);
                    keyed.push_str(t.text);
                    Self::add(ids, tfs, seq, keyed, t.position);
                }
                ControlFlow::Continue(())
            });
        }
        self.finish(length)
    }

    fn finish(&mut self, length: u32) -> FieldTokens {
        let mut named: Vec<(u32, Box<str>)> = self.ids.drain().map(|(t, id)| (id, t)).collect();
        // First-appearance order keeps term ids independent of hashing.
        named.sort_unstable_by_key(|e| e.0);
        let terms: Vec<(Box<str>, u32)> = named
            .into_iter()
            .map(|(id, t)| (t, self.tfs[id as usize]))
            .collect();
        // Group positions by term (a counting sort keeps each term's
        // positions in token order, which is ascending).
        let mut cursor: Vec<u32> = Vec::with_capacity(self.tfs.len());
        let mut at = 0u32;
        for &tf in &self.tfs {
            cursor.push(at);
            at += tf;
        }
        let mut positions = vec![0u32; self.seq.len()];
        for &(id, pos) in &self.seq {
            let c = &mut cursor[id as usize];
            positions[*c as usize] = pos;
            *c += 1;
        }
        self.tfs.clear();
        self.seq.clear();
        FieldTokens {
            terms,
            positions,
            length,
        }
    }
}

/// Analyzes the six fields of a spec, in schema order.
pub(crate) fn analyze_fields(spec: &Spec) -> [FieldTokens; 6] {
    let mut a = FieldAnalyzer::default();
    Field::ALL.map(|f| match f {
        Field::Frontmatter => a.frontmatter(&spec.frontmatter),
        _ => a.text(&spec.field_text(f)),
    })
}
