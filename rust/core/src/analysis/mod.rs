//! The `standard-v1` analyzer (ARCHITECTURE.md §3): text to terms.
//!
//! Word characters are ASCII letters and digits plus every non-ASCII code
//! point whose Unicode 14.0.0 general category is a letter, mark or number
//! (from the generated `tables` submodule). Ideographic characters (kana and CJK
//! ideographs) are single-character tokens; any other maximal run of word
//! characters is one token. Each character is simple-case-folded; tokens of
//! more than [`MAX_TOKEN_CHARS`] code points are dropped. Positions count the
//! kept tokens from 0, and each token carries its byte span in the input.
//!
//! The hot path is [`for_each_token`], which reuses one buffer and never
//! allocates per token; [`tokenize`] and [`query_terms`] are built on it.

mod tables;

use std::ops::ControlFlow;

/// The name of the one analyzer, stored with indexes.
pub const ANALYZER_NAME: &str = "standard-v1";

/// Tokens of more than this many characters (code points) are dropped.
pub const MAX_TOKEN_CHARS: usize = 64;

/// The Unicode version the character tables were generated from.
pub const UNICODE_VERSION: &str = tables::UNICODE_VERSION;

/// One token of an analyzed text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The case-folded term.
    pub text: String,
    /// The index of this token among the kept tokens of the text, from 0.
    pub position: u32,
    /// The byte offset where the token starts in the input.
    pub start: usize,
    /// The byte offset just past the token's end in the input.
    pub end: usize,
}

/// Whether `c` is a word character (ASCII alphanumeric, or a non-ASCII
/// letter, mark or number).
#[must_use]
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    let cp = u32::from(c);
    tables::WORD_RANGES
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                std::cmp::Ordering::Less
            } else if lo > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Whether the code point lies in one of the ideographic blocks of §3 (the
/// caller checks that it is a word character).
fn in_ideographic_block(cp: u32) -> bool {
    matches!(
        cp,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x2_0000..=0x3_134F
    )
}

/// Whether `c` is an ideographic character: a word character in the kana or
/// CJK ideograph blocks, which is a token by itself.
#[must_use]
pub fn is_ideographic(c: char) -> bool {
    in_ideographic_block(u32::from(c)) && is_word_char(c)
}

/// The simple case folding of `c` (one character to one character).
#[must_use]
pub fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let cp = u32::from(c);
    match tables::FOLD_PAIRS.binary_search_by_key(&cp, |&(from, _)| from) {
        // The generated table maps valid scalar values to valid scalar values.
        Ok(i) => char::from_u32(tables::FOLD_PAIRS[i].1).unwrap_or(c),
        Err(_) => c,
    }
}

/// The classification of one character for the tokenizer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Separator,
    Word,
    Ideographic,
}

#[inline]
fn classify(c: char) -> Class {
    if c.is_ascii() {
        if c.is_ascii_alphanumeric() {
            Class::Word
        } else {
            Class::Separator
        }
    } else if !is_word_char(c) {
        Class::Separator
    } else if in_ideographic_block(u32::from(c)) {
        Class::Ideographic
    } else {
        Class::Word
    }
}

/// Scans `text` and calls `f(term, position, start, end)` for each kept
/// token, in order; `f` may stop the scan early by returning
/// [`ControlFlow::Break`]. The term is only valid during the call.
pub fn scan_tokens<F>(text: &str, mut f: F)
where
    F: FnMut(&str, u32, usize, usize) -> ControlFlow<()>,
{
    let bytes = text.as_bytes();
    let mut buf = String::with_capacity(32);
    let mut position: u32 = 0;
    // The current run of non-ideographic word characters: its start and
    // its length in characters.
    let mut run_start: Option<usize> = None;
    let mut run_chars: usize = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            if b.is_ascii_alphanumeric() {
                if run_start.is_none() {
                    run_start = Some(i);
                }
                // The ASCII inner loop: the common case.
                while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                    run_chars += 1;
                    if run_chars <= MAX_TOKEN_CHARS {
                        buf.push(char::from(bytes[i].to_ascii_lowercase()));
                    }
                    i += 1;
                }
                continue;
            }
            if let Some(start) = run_start.take() {
                if run_chars <= MAX_TOKEN_CHARS {
                    if f(&buf, position, start, i).is_break() {
                        return;
                    }
                    position += 1;
                }
                buf.clear();
                run_chars = 0;
            }
            i += 1;
            continue;
        }
        // `i` is always on a char boundary: it advances by whole chars.
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        let len = c.len_utf8();
        let class = classify(c);
        if class == Class::Word {
            if run_start.is_none() {
                run_start = Some(i);
            }
            run_chars += 1;
            if run_chars <= MAX_TOKEN_CHARS {
                buf.push(fold_char(c));
            }
        } else {
            if let Some(start) = run_start.take() {
                if run_chars <= MAX_TOKEN_CHARS {
                    if f(&buf, position, start, i).is_break() {
                        return;
                    }
                    position += 1;
                }
                buf.clear();
                run_chars = 0;
            }
            if class == Class::Ideographic {
                buf.push(fold_char(c));
                if f(&buf, position, i, i + len).is_break() {
                    return;
                }
                position += 1;
                buf.clear();
            }
        }
        i += len;
    }
    if let Some(start) = run_start {
        if run_chars <= MAX_TOKEN_CHARS {
            let _ = f(&buf, position, start, bytes.len());
        }
    }
}

/// Calls `f(term, position)` for each kept token of `text`, in order,
/// without allocating per token.
pub fn for_each_token<F>(text: &str, mut f: F)
where
    F: FnMut(&str, u32),
{
    scan_tokens(text, |term, pos, _, _| {
        f(term, pos);
        ControlFlow::Continue(())
    });
}

/// Analyzes `text` into its kept tokens, with positions and byte spans.
#[must_use]
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    scan_tokens(text, |term, position, start, end| {
        out.push(Token {
            text: term.to_owned(),
            position,
            start,
            end,
        });
        ControlFlow::Continue(())
    });
    out
}

/// The terms of a query: its distinct tokens in order of first appearance.
#[must_use]
pub fn query_terms(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for_each_token(text, |term, _| {
        if !out.iter().any(|t| t == term) {
            out.push(term.to_owned());
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        tokenize(s).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn ascii_words_and_separators() {
        assert_eq!(
            texts("Hello, World! snake_case v2.0 x-y"),
            ["hello", "world", "snake", "case", "v2", "0", "x", "y"]
        );
        assert!(texts("  ,.;:!?-_  ").is_empty());
        assert!(texts("").is_empty());
    }

    #[test]
    fn case_folding() {
        assert_eq!(texts("ΣΊΣΥΦΟΣ"), ["σίσυφοσ"]);
        assert_eq!(texts("Σ ς σ"), ["σ", "σ", "σ"]);
        assert_eq!(texts("Straße STRASSE"), ["straße", "strasse"]);
        assert_eq!(texts("ẞ"), ["ß"]);
        assert_eq!(texts("ÀÉÎ"), ["àéî"]);
        assert_eq!(fold_char('K'), 'k');
        assert_eq!(fold_char('\u{212A}'), 'k'); // KELVIN SIGN
    }

    #[test]
    fn ideographs_are_single_tokens() {
        assert_eq!(
            texts("日本語のテキスト"),
            ["日", "本", "語", "の", "テ", "キ", "ス", "ト"]
        );
        assert_eq!(texts("abc中def"), ["abc", "中", "def"]);
        // Hangul is not in the ideographic blocks: one run.
        assert_eq!(texts("한국어 텍스트"), ["한국어", "텍스트"]);
    }

    #[test]
    fn marks_stay_inside_words() {
        // e + COMBINING ACUTE ACCENT, not normalized.
        assert_eq!(texts("cafe\u{301} ok"), ["cafe\u{301}", "ok"]);
        // Devanagari with vowel signs (Mc/Mn).
        assert_eq!(texts("हिन्दी"), ["हिन्दी"]);
        // Non-ASCII numbers are word characters; symbols are not.
        assert_eq!(texts("x²€½"), ["x²", "½"]);
    }

    #[test]
    fn length_limit_and_positions() {
        let a64 = "a".repeat(64);
        let a65 = "b".repeat(65);
        let toks = tokenize(&format!("one {a65} {a64} two"));
        let got: Vec<(&str, u32)> = toks.iter().map(|t| (t.text.as_str(), t.position)).collect();
        assert_eq!(got, [("one", 0), (a64.as_str(), 1), ("two", 2)]);
        // The limit counts code points, not bytes.
        let e64 = "é".repeat(64);
        assert_eq!(texts(&e64), std::slice::from_ref(&e64));
        assert!(texts(&"é".repeat(65)).is_empty());
    }

    #[test]
    fn spans_slice_back_to_the_input() {
        let input = "Ünïcode ΣΑΣ 日本 snake_CASE x\u{301}y";
        for t in tokenize(input) {
            let slice = &input[t.start..t.end];
            let folded: String = slice.chars().map(fold_char).collect();
            assert_eq!(folded, t.text, "span {}..{}", t.start, t.end);
        }
        let toks = tokenize("ab 日c");
        assert_eq!((toks[0].start, toks[0].end), (0, 2));
        assert_eq!((toks[1].start, toks[1].end), (3, 6));
        assert_eq!((toks[2].start, toks[2].end), (6, 7));
    }

    #[test]
    fn query_terms_are_distinct_in_first_order() {
        assert_eq!(query_terms("B a b A c"), ["b", "a", "c"]);
        assert!(query_terms("!!! ---").is_empty());
    }

    #[test]
    fn scan_can_stop_early() {
        let mut seen = Vec::new();
        scan_tokens("a b c d", |t, _, _, _| {
            seen.push(t.to_owned());
            if t == "b" {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        assert_eq!(seen, ["a", "b"]);
    }

    #[test]
    fn word_table_lookups() {
        assert!(is_word_char('a'));
        assert!(!is_word_char('_'));
        assert!(is_word_char('ж'));
        assert!(!is_word_char('\u{2014}'));
        assert!(is_ideographic('中'));
        assert!(!is_ideographic('a'));
        assert!(!is_ideographic('\u{3000}')); // ideographic space: not a word char
    }
}
