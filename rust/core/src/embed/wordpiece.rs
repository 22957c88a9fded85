//! BERT's uncased `WordPiece` tokenizer, as the `tokenizers` library runs it
//! for all-MiniLM-L6-v2 (`BertNormalizer` + `BertPreTokenizer` + `WordPiece`
//! + the `[CLS] … [SEP]` template).
//!
//! Steps, each mirrored line for line by `specsearch.pure.embed.wordpiece`:
//! 1. the special tokens (`[CLS]`, `[SEP]`, `[PAD]`, `[UNK]`, `[MASK]`) are
//!    matched in the raw text first, as `tokenizers` does for its added tokens;
//! 2. every other character is dropped (controls, U+0000, U+FFFD), turned
//!    into a space (whitespace), spaced out (CJK ideographs) or kept, and kept
//!    characters are folded (NFD, nonspacing marks dropped, lowercased) through
//!    the generated [`super::tables`] (one pinned Unicode version for both
//!    engines; Hangul syllables are decomposed by arithmetic);
//! 3. the text is split on whitespace and each punctuation character stands
//!    alone;
//! 4. each word becomes the longest vocabulary pieces first (`##` marks a
//!    continuation); a word longer than 100 characters, or one that cannot be
//!    covered, becomes `[UNK]`;
//! 5. the ids are truncated to `max_tokens - 2` and wrapped in `[CLS]`/`[SEP]`.
//!
//! The tables are Unicode 14's. Where the library's own tables differ, so do
//! the ids: it keeps (as `[UNK]`) 384 nonspacing marks that its older tables
//! do not know as marks, which these tables strip (U+08CA, for one), and it
//! does not space out some CJK ideographs (U+2B820). `tests/embed/
//! test_wordpiece.py` compares with the library on every text whose
//! characters both tables treat alike.

use std::path::Path;

use rustc_hash::FxHashMap;

use super::tables::{CLASS_RANGES, FOLD};
use crate::error::{Error, Result};

/// Words longer than this many characters become `[UNK]` (the `tokenizers` default).
pub const MAX_WORD_CHARS: usize = 100;

const REMOVED: u8 = 1;
const SPACE: u8 = 2;
const CJK: u8 = 3;
const PUNCT: u8 = 4;

/// The special tokens matched in raw text, longest first where one is a prefix of another.
const SPECIAL: [&str; 5] = ["[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]"];

/// The class of a character: 0 ordinary, or one of the constants above.
fn class(c: char) -> u8 {
    let cp = u32::from(c);
    if cp < 0x80 {
        // Fast path: ASCII letters and digits are ordinary.
        if c.is_ascii_alphanumeric() {
            return 0;
        }
    }
    // The last range starting at or before `cp`, if it reaches `cp`.
    let i = CLASS_RANGES.partition_point(|&(lo, _, _)| lo <= cp);
    match i.checked_sub(1).map(|j| CLASS_RANGES[j]) {
        Some((_, hi, cls)) if hi >= cp => cls,
        _ => 0,
    }
}

/// Appends the folded form of a kept character to `out`.
fn push_folded(c: char, out: &mut String) {
    let cp = u32::from(c);
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    if (0xAC00..=0xD7A3).contains(&cp) {
        // Hangul syllable: canonical decomposition by arithmetic (Unicode §3.12).
        let s = cp - 0xAC00;
        for jamo in [0x1100 + s / 588, 0x1161 + (s % 588) / 28] {
            out.extend(char::from_u32(jamo));
        }
        if s % 28 != 0 {
            out.extend(char::from_u32(0x11A7 + s % 28));
        }
        return;
    }
    match FOLD.binary_search_by_key(&cp, |&(from, _)| from) {
        Ok(i) => out.push_str(FOLD[i].1),
        Err(_) => out.push(c),
    }
}

/// Normalizes `text` (step 2 of the module docs).
fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match class(c) {
            REMOVED => {}
            SPACE => out.push(' '),
            CJK => {
                out.push(' ');
                push_folded(c, &mut out);
                out.push(' ');
            }
            _ => push_folded(c, &mut out),
        }
    }
    out
}

/// Calls `word` with each word of normalized text (step 3 of the module docs).
fn for_each_word(normalized: &str, mut word: impl FnMut(&str)) {
    let mut start = None;
    for (i, c) in normalized.char_indices() {
        match class(c) {
            SPACE => {
                if let Some(s) = start.take() {
                    word(&normalized[s..i]);
                }
            }
            PUNCT => {
                if let Some(s) = start.take() {
                    word(&normalized[s..i]);
                }
                word(&normalized[i..i + c.len_utf8()]);
            }
            _ => {
                if start.is_none() {
                    start = Some(i);
                }
            }
        }
    }
    if let Some(s) = start {
        word(&normalized[s..]);
    }
}

/// A `WordPiece` vocabulary and the special ids.
#[derive(Debug, Clone)]
pub struct WordPiece {
    vocab: FxHashMap<String, u32>,
    special: [u32; 5],
    unk: u32,
    cls: u32,
    sep: u32,
}

impl WordPiece {
    /// Reads a `vocab.txt` (one token a line; the line number is the id).
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read, [`Error::Model`] when it
    /// lacks a special token.
    pub fn from_vocab_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::from_vocab_text(&text).map_err(|detail| Error::Model {
            path: path.to_path_buf(),
            detail,
        })
    }

    /// Builds a tokenizer from the text of a `vocab.txt`.
    ///
    /// # Errors
    /// A message naming the special token the vocabulary lacks.
    pub fn from_vocab_text(text: &str) -> std::result::Result<Self, String> {
        let mut vocab = FxHashMap::default();
        for (id, line) in text.lines().enumerate() {
            let id = u32::try_from(id).map_err(|_| "vocabulary too large".to_owned())?;
            // The first occurrence of a duplicate wins, as in `tokenizers`' vocab.txt reader.
            vocab
                .entry(line.trim_end_matches('\r').to_owned())
                .or_insert(id);
        }
        let mut special = [0; 5];
        for (slot, name) in special.iter_mut().zip(SPECIAL) {
            *slot = *vocab
                .get(name)
                .ok_or_else(|| format!("vocab.txt has no {name} token"))?;
        }
        Ok(Self {
            unk: special[3],
            cls: special[0],
            sep: special[1],
            special,
            vocab,
        })
    }

    /// The number of entries in the vocabulary.
    #[must_use]
    pub fn vocab_size(&self) -> usize {
        self.vocab.len()
    }

    /// Token ids of `text`, `[CLS]` first and `[SEP]` last, at most
    /// `max_tokens` (at least 2) in all.
    #[must_use]
    pub fn encode(&self, text: &str, max_tokens: usize) -> Vec<u32> {
        let budget = max_tokens.max(2) - 2;
        let mut ids = vec![self.cls];
        let mut rest = text;
        while !rest.is_empty() && ids.len() <= budget {
            // Step 1: the next special token, if any, splits the text.
            let next = SPECIAL
                .iter()
                .enumerate()
                .filter_map(|(k, s)| rest.find(s).map(|at| (at, k)))
                .min();
            let (plain, special) = match next {
                Some((at, k)) => (&rest[..at], Some(k)),
                None => (rest, None),
            };
            self.encode_plain(plain, &mut ids, budget + 1);
            match special {
                Some(k) => {
                    if ids.len() <= budget {
                        ids.push(self.special[k]);
                    }
                    rest = &rest[plain.len() + SPECIAL[k].len()..];
                }
                None => rest = "",
            }
        }
        ids.truncate(budget + 1);
        ids.push(self.sep);
        ids
    }

    /// Appends the ids of text without special tokens, up to `cap` ids in all.
    fn encode_plain(&self, text: &str, ids: &mut Vec<u32>, cap: usize) {
        if text.is_empty() {
            return;
        }
        let normalized = normalize(text);
        let mut piece = String::new();
        for_each_word(&normalized, |word| {
            if ids.len() < cap {
                self.encode_word(word, ids, &mut piece);
            }
        });
    }

    /// Greedy longest-match-first pieces of one word (step 4).
    fn encode_word(&self, word: &str, ids: &mut Vec<u32>, piece: &mut String) {
        let bounds: Vec<usize> = word
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(word.len()))
            .collect();
        let n_chars = bounds.len() - 1;
        if n_chars > MAX_WORD_CHARS {
            ids.push(self.unk);
            return;
        }
        let mark = ids.len();
        let mut start = 0;
        while start < n_chars {
            let mut end = n_chars;
            let mut found = None;
            while start < end {
                piece.clear();
                if start > 0 {
                    piece.push_str("##");
                }
                piece.push_str(&word[bounds[start]..bounds[end]]);
                if let Some(&id) = self.vocab.get(piece.as_str()) {
                    found = Some(id);
                    break;
                }
                end -= 1;
            }
            let Some(id) = found else {
                ids.truncate(mark);
                ids.push(self.unk);
                return;
            };
            ids.push(id);
            start = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> WordPiece {
        let vocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\nrun\n##ning\nrunning\nca\n##fe\n!\n,\n中\nᄒ\n##ᅡ\n##ᆫ\n";
        WordPiece::from_vocab_text(vocab).expect("valid vocab")
    }

    #[test]
    fn longest_match_first_with_continuations() {
        let wp = tiny();
        // "running" is whole; "café" folds to "cafe" = ca ##fe; "runs" cannot be covered.
        assert_eq!(
            wp.encode("The RUNNING, Café!", 64),
            vec![2, 5, 8, 12, 9, 10, 11, 3]
        );
        assert_eq!(wp.encode("runs", 64), vec![2, 1, 3]);
    }

    #[test]
    fn cjk_is_spaced_and_hangul_decomposed() {
        let wp = tiny();
        assert_eq!(wp.encode("the中the", 64), vec![2, 5, 13, 5, 3]);
        // 한 = ᄒ ᅡ ᆫ.
        assert_eq!(wp.encode("한", 64), vec![2, 14, 15, 16, 3]);
    }

    #[test]
    fn special_tokens_in_raw_text_and_truncation() {
        let wp = tiny();
        assert_eq!(wp.encode("the[MASK]run", 64), vec![2, 5, 4, 6, 3]);
        assert_eq!(wp.encode("the the the the", 4), vec![2, 5, 5, 3]);
        assert_eq!(wp.encode("", 4), vec![2, 3]);
        assert_eq!(wp.encode("the", 0), vec![2, 3]);
    }

    #[test]
    fn controls_removed_and_long_words_unknown() {
        let wp = tiny();
        assert_eq!(wp.encode("t\u{0}he\u{200b}", 64), vec![2, 5, 3]);
        assert_eq!(wp.encode(&"a".repeat(101), 64), vec![2, 1, 3]);
    }

    #[test]
    fn a_vocab_without_special_tokens_is_refused() {
        let err = WordPiece::from_vocab_text("a\nb\n").expect_err("no specials");
        assert!(err.contains("[CLS]"), "{err}");
    }
}
