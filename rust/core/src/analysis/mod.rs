//! The `standard-v2` analyzer (SPEC.md §3): text to terms.
//!
//! Word characters are ASCII letters and digits plus every non-ASCII code
//! point whose Unicode 14.0.0 general category is a letter, mark or number
//! (from the generated `tables` submodule). Ideographic characters (kana and
//! CJK ideographs) are single-character words; any other maximal run of word
//! characters is one word. Words joined by a single `_` or `-` form a
//! compound; each word splits further at ASCII case boundaries into parts.
//! A compound gives its parts, then (when it has two or more) its whole
//! text. Each character is simple-case-folded; tokens of more than
//! [`MAX_TOKEN_CHARS`] code points are dropped. Parts take consecutive
//! positions, a whole the position of its first part; each token carries
//! its byte span in the input.
//!
//! The hot path is [`scan_tokens`], which reuses two buffers and never
//! allocates per token; [`tokenize`] is built on it. [`stem_key`] gives a
//! term's English stem key (Snowball, `rust-stemmers`).
//!
//! Submodules: `tables` (generated Unicode tables) and `fields` (a spec's six
//! fields → terms, frequencies, positions and lengths, for both indexes).
//! Layering: `analysis` reads `spec` and `schema`; `postings`, `segment`,
//! `index` and `search` read it.

mod fields;
mod tables;

pub(crate) use fields::{analyze_fields, FieldTokens};

use std::borrow::Cow;
use std::ops::ControlFlow;
use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};

/// The name of the one analyzer, stored with indexes.
pub const ANALYZER_NAME: &str = "standard-v2";

/// Tokens of more than this many characters (code points) are dropped.
pub const MAX_TOKEN_CHARS: usize = 64;

/// The Unicode version the character tables were generated from.
pub const UNICODE_VERSION: &str = tables::UNICODE_VERSION;

/// One token of an analyzed text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The case-folded term.
    pub text: String,
    /// The token's position (§3: parts count from 0, a whole takes the
    /// position of its compound's first part).
    pub position: u32,
    /// The byte offset where the token starts in the input.
    pub start: usize,
    /// The byte offset just past the token's end in the input.
    pub end: usize,
    /// Whether this is the whole of a compound (not a part).
    pub whole: bool,
}

/// One token as the scanner hands it out: borrowed, valid during the call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tok<'a> {
    /// The case-folded term.
    pub text: &'a str,
    /// The token's position.
    pub position: u32,
    /// The byte offset where the token starts in the input.
    pub start: usize,
    /// The byte offset just past the token's end in the input.
    pub end: usize,
    /// Whether this is the whole of a compound.
    pub whole: bool,
}

/// The separator between a frontmatter key and a token in a keyed term.
pub const KEY_SEPARATOR: char = '\u{1f}';

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

/// Whether `c` is the connector of a compound.
#[inline]
fn is_connector(c: char) -> bool {
    c == '_' || c == '-'
}

/// The character at byte `i` of `text` (on a char boundary) and its class.
#[inline]
fn char_at(text: &str, i: usize) -> Option<(char, Class)> {
    let b = *text.as_bytes().get(i)?;
    if b < 0x80 {
        let c = char::from(b);
        let class = if b.is_ascii_alphanumeric() {
            Class::Word
        } else {
            Class::Separator
        };
        return Some((c, class));
    }
    let c = text[i..].chars().next()?;
    Some((c, classify(c)))
}

/// What a compound is made of, for the scanner's fast paths.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// ASCII lowercase letters and digits only: one part, already folded.
    Simple,
    /// ASCII only.
    Ascii,
    /// Some non-ASCII character.
    Unicode,
}

/// The end (byte offset) and shape of the compound that starts at `start`
/// with a non-ideographic word character.
#[inline]
fn compound_end(text: &str, start: usize) -> (usize, Shape) {
    let bytes = text.as_bytes();
    let mut i = start;
    let mut shape = Shape::Simple;
    loop {
        // A run of non-ideographic word characters, ASCII first.
        while i < bytes.len() {
            let b = bytes[i];
            if b < 0x80 {
                if b.is_ascii_lowercase() || b.is_ascii_digit() {
                    i += 1;
                    continue;
                }
                if b.is_ascii_uppercase() {
                    if shape == Shape::Simple {
                        shape = Shape::Ascii;
                    }
                    i += 1;
                    continue;
                }
                break;
            }
            match char_at(text, i) {
                Some((c, Class::Word)) => {
                    shape = Shape::Unicode;
                    i += c.len_utf8();
                }
                _ => break,
            }
        }
        // A single connector followed by another word character joins.
        if i < bytes.len()
            && (bytes[i] == b'_' || bytes[i] == b'-')
            && matches!(char_at(text, i + 1), Some((_, Class::Word)))
        {
            if shape == Shape::Simple {
                shape = Shape::Ascii;
            }
            i += 1;
            continue;
        }
        return (i, shape);
    }
}

/// The scanner's reusable state.
struct Scanner {
    part: String,
    whole: String,
    position: u32,
}

impl Scanner {
    /// Emits the tokens of the compound `text[start..end]`.
    fn compound<F>(
        &mut self,
        text: &str,
        (start, end, shape): (usize, usize, Shape),
        f: &mut F,
    ) -> ControlFlow<()>
    where
        F: FnMut(&Tok<'_>) -> ControlFlow<()>,
    {
        let s = &text[start..end];
        match shape {
            // One part, already folded: no copy.
            Shape::Simple if s.len() <= MAX_TOKEN_CHARS => {
                let position = self.position;
                self.position += 1;
                f(&Tok {
                    text: s,
                    position,
                    start,
                    end,
                    whole: false,
                })
            }
            Shape::Simple => ControlFlow::Continue(()),
            Shape::Ascii => self.ascii_compound(s, start, f),
            Shape::Unicode => self.unicode_compound(s, start, end, f),
        }
    }

    /// Emits the tokens of a compound `s` (at `text[start..end]`) with
    /// non-ASCII characters: its parts (split at connectors and ASCII case
    /// boundaries, each folded), then its whole when it has two parts or more.
    fn unicode_compound<F>(
        &mut self,
        s: &str,
        start: usize,
        end: usize,
        f: &mut F,
    ) -> ControlFlow<()>
    where
        F: FnMut(&Tok<'_>) -> ControlFlow<()>,
    {
        self.whole.clear();
        self.part.clear();
        let mut whole_chars = 0usize;
        let mut part_chars = 0usize;
        let mut part_start = 0usize;
        let mut parts = 0usize;
        let mut first: Option<u32> = None;
        let mut prev: Option<char> = None;
        let mut it = s.char_indices().peekable();
        while let Some((j, c)) = it.next() {
            if is_connector(c) {
                self.end_part(
                    start,
                    part_start,
                    j,
                    &mut part_chars,
                    &mut parts,
                    &mut first,
                    f,
                )?;
                whole_chars += 1;
                if whole_chars <= MAX_TOKEN_CHARS {
                    self.whole.push(c);
                }
                prev = None;
                continue;
            }
            if let Some(p) = prev {
                let split = (p.is_ascii_lowercase() && c.is_ascii_uppercase())
                    || (p.is_ascii_uppercase()
                        && c.is_ascii_uppercase()
                        && it.peek().is_some_and(|&(_, n)| n.is_ascii_lowercase()));
                if split {
                    self.end_part(
                        start,
                        part_start,
                        j,
                        &mut part_chars,
                        &mut parts,
                        &mut first,
                        f,
                    )?;
                }
            }
            if part_chars == 0 {
                part_start = j;
            }
            let folded = fold_char(c);
            part_chars += 1;
            if part_chars <= MAX_TOKEN_CHARS {
                self.part.push(folded);
            }
            whole_chars += 1;
            if whole_chars <= MAX_TOKEN_CHARS {
                self.whole.push(folded);
            }
            prev = Some(c);
        }
        self.end_part(
            start,
            part_start,
            s.len(),
            &mut part_chars,
            &mut parts,
            &mut first,
            f,
        )?;
        if parts >= 2 && whole_chars <= MAX_TOKEN_CHARS {
            // A kept whole implies kept parts (it is longer than each).
            if let Some(position) = first {
                f(&Tok {
                    text: &self.whole,
                    position,
                    start,
                    end,
                    whole: true,
                })?;
            }
        }
        ControlFlow::Continue(())
    }

    /// [`Scanner::compound`] for an ASCII compound: its parts are found
    /// byte by byte and each is folded as one slice; the whole, when there
    /// are two parts or more, is the compound folded (connectors kept).
    fn ascii_compound<F>(&mut self, text: &str, start: usize, emit: &mut F) -> ControlFlow<()>
    where
        F: FnMut(&Tok<'_>) -> ControlFlow<()>,
    {
        let bytes = text.as_bytes();
        let mut parts = 0usize;
        let mut first: Option<u32> = None;
        // The start of the current part, if one is open.
        let mut part: Option<usize> = None;
        for (j, &c) in bytes.iter().enumerate() {
            if c == b'_' || c == b'-' {
                if let Some(a) = part.take() {
                    self.ascii_part(text, start, (a, j), &mut parts, &mut first, emit)?;
                }
                continue;
            }
            match part {
                Some(a) => {
                    let p = bytes[j - 1];
                    let split = (p.is_ascii_lowercase() && c.is_ascii_uppercase())
                        || (p.is_ascii_uppercase()
                            && c.is_ascii_uppercase()
                            && bytes.get(j + 1).is_some_and(u8::is_ascii_lowercase));
                    if split {
                        self.ascii_part(text, start, (a, j), &mut parts, &mut first, emit)?;
                        part = Some(j);
                    }
                }
                None => part = Some(j),
            }
        }
        if let Some(a) = part {
            self.ascii_part(text, start, (a, bytes.len()), &mut parts, &mut first, emit)?;
        }
        if parts >= 2 && bytes.len() <= MAX_TOKEN_CHARS {
            if let Some(position) = first {
                self.whole.clear();
                self.whole.push_str(text);
                self.whole.make_ascii_lowercase();
                emit(&Tok {
                    text: &self.whole,
                    position,
                    start,
                    end: start + bytes.len(),
                    whole: true,
                })?;
            }
        }
        ControlFlow::Continue(())
    }

    /// Emits the part `text[a..b]` of an ASCII compound (at `start` in the
    /// input), folded, unless it is too long; counts it in `parts`.
    #[inline]
    fn ascii_part<F>(
        &mut self,
        text: &str,
        start: usize,
        (a, b): (usize, usize),
        parts: &mut usize,
        first: &mut Option<u32>,
        emit: &mut F,
    ) -> ControlFlow<()>
    where
        F: FnMut(&Tok<'_>) -> ControlFlow<()>,
    {
        *parts += 1;
        if b - a > MAX_TOKEN_CHARS {
            return ControlFlow::Continue(());
        }
        first.get_or_insert(self.position);
        self.part.clear();
        self.part.push_str(&text[a..b]);
        self.part.make_ascii_lowercase();
        let flow = emit(&Tok {
            text: &self.part,
            position: self.position,
            start: start + a,
            end: start + b,
            whole: false,
        });
        self.position += 1;
        flow
    }

    /// Ends the current part (if any) at byte `j` of the compound.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn end_part<F>(
        &mut self,
        start: usize,
        part_start: usize,
        j: usize,
        part_chars: &mut usize,
        parts: &mut usize,
        first: &mut Option<u32>,
        f: &mut F,
    ) -> ControlFlow<()>
    where
        F: FnMut(&Tok<'_>) -> ControlFlow<()>,
    {
        if *part_chars == 0 {
            return ControlFlow::Continue(());
        }
        *parts += 1;
        let kept = *part_chars <= MAX_TOKEN_CHARS;
        *part_chars = 0;
        let mut flow = ControlFlow::Continue(());
        if kept {
            first.get_or_insert(self.position);
            flow = f(&Tok {
                text: &self.part,
                position: self.position,
                start: start + part_start,
                end: start + j,
                whole: false,
            });
            self.position += 1;
        }
        self.part.clear();
        flow
    }
}

/// Scans `text` and calls `f` for each kept token, in order (a compound's
/// parts, then its whole), positions starting at `first_position`; `f` may
/// stop the scan early by returning [`ControlFlow::Break`]. Returns the
/// position after the last part.
pub fn scan_tokens_from<F>(text: &str, first_position: u32, mut f: F) -> u32
where
    F: FnMut(&Tok<'_>) -> ControlFlow<()>,
{
    let bytes = text.as_bytes();
    let mut sc = Scanner {
        part: String::with_capacity(64),
        whole: String::with_capacity(64),
        position: first_position,
    };
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            if !b.is_ascii_alphanumeric() {
                i += 1;
                continue;
            }
            let (end, shape) = compound_end(text, i);
            if sc.compound(text, (i, end, shape), &mut f).is_break() {
                return sc.position;
            }
            i = end;
            continue;
        }
        // `i` is always on a char boundary: it advances by whole chars.
        let Some((c, class)) = char_at(text, i) else {
            break;
        };
        let len = c.len_utf8();
        match class {
            Class::Separator => i += len,
            Class::Ideographic => {
                sc.part.clear();
                sc.part.push(fold_char(c));
                let flow = f(&Tok {
                    text: &sc.part,
                    position: sc.position,
                    start: i,
                    end: i + len,
                    whole: false,
                });
                sc.position += 1;
                if flow.is_break() {
                    return sc.position;
                }
                i += len;
            }
            Class::Word => {
                let (end, shape) = compound_end(text, i);
                if sc.compound(text, (i, end, shape), &mut f).is_break() {
                    return sc.position;
                }
                i = end;
            }
        }
    }
    sc.position
}

/// [`scan_tokens_from`] with positions from 0.
pub fn scan_tokens<F>(text: &str, f: F)
where
    F: FnMut(&Tok<'_>) -> ControlFlow<()>,
{
    scan_tokens_from(text, 0, f);
}

/// Calls `f(term, position)` for each kept token of `text` (parts and
/// wholes), in order, without allocating per token.
pub fn for_each_token<F>(text: &str, mut f: F)
where
    F: FnMut(&str, u32),
{
    scan_tokens(text, |t| {
        f(t.text, t.position);
        ControlFlow::Continue(())
    });
}

/// Analyzes `text` into its kept tokens, with positions and byte spans.
#[must_use]
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    scan_tokens(text, |t| {
        out.push(owned(t));
        ControlFlow::Continue(())
    });
    out
}

/// An owned copy of a scanned token.
fn owned(t: &Tok<'_>) -> Token {
    Token {
        text: t.text.to_owned(),
        position: t.position,
        start: t.start,
        end: t.end,
        whole: t.whole,
    }
}

fn stemmer() -> &'static Stemmer {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::create(Algorithm::English))
}

/// The stem key of a term (§3): its Snowball English stem when it is made
/// only of ASCII `a`–`z`, else the term itself. A keyed term `k\x1ft` has
/// the key `k\x1f` + the stem key of `t`.
#[must_use]
pub fn stem_key(term: &str) -> Cow<'_, str> {
    stem_key_with(term, |t| stem_changed(t).map(Cow::Owned))
}

/// [`stem_key`] with the stem keys of unkeyed terms from `plain`, which
/// must agree with [`stem_changed`] (as a cache of it does).
pub(crate) fn stem_key_with<'a>(
    term: &'a str,
    plain: impl FnOnce(&'a str) -> Option<Cow<'a, str>>,
) -> Cow<'a, str> {
    if let Some(i) = term.find(KEY_SEPARATOR) {
        let (key, rest) = term.split_at(i + KEY_SEPARATOR.len_utf8());
        return match plain(rest) {
            None => Cow::Borrowed(term),
            Some(s) => Cow::Owned(format!("{key}{s}")),
        };
    }
    plain(term).unwrap_or(Cow::Borrowed(term))
}

/// The stem key of a term without a frontmatter key, when it is not the
/// term itself: its Snowball English stem, for a term made only of ASCII
/// `a`–`z`.
pub(crate) fn stem_changed(term: &str) -> Option<String> {
    if term.is_empty() || !term.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let stem = stemmer().stem(term);
    (stem != term).then(|| stem.into_owned())
}

/// Whether `key` is a frontmatter key that gives keyed terms (§3):
/// `[A-Za-z_][A-Za-z0-9_.-]*`.
#[must_use]
pub fn is_term_key(key: &str) -> bool {
    let mut bytes = key.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn texts(s: &str) -> Vec<String> {
        tokenize(s).into_iter().map(|t| t.text).collect()
    }

    /// The tokens of one compound, scanned by `how` (0: the ASCII path,
    /// 1: the general one).
    fn compound_tokens(s: &str, how: u8) -> Vec<Token> {
        let mut sc = Scanner {
            part: String::new(),
            whole: String::new(),
            position: 3,
        };
        let mut out = Vec::new();
        let mut f = |t: &Tok<'_>| {
            out.push(owned(t));
            ControlFlow::Continue(())
        };
        let _ = if how == 0 {
            sc.ascii_compound(s, 5, &mut f)
        } else {
            sc.unicode_compound(s, 5, 5 + s.len(), &mut f)
        };
        out
    }

    proptest! {
        /// The ASCII fast path gives the general path's tokens (parts and
        /// whole, long parts and long compounds dropped alike).
        #[test]
        fn ascii_compounds_match_the_general_path(
            s in "[A-Za-z0-9]{1,70}([_-][A-Za-z0-9]{1,70}){0,3}|([a-zA-Z]{1,3}[_-]?){1,30}",
        ) {
            prop_assert_eq!(compound_tokens(&s, 0), compound_tokens(&s, 1));
        }
    }

    #[test]
    fn ascii_words_and_separators() {
        assert_eq!(
            texts("Hello, World! snake_case v2.0 x-y"),
            [
                "hello",
                "world",
                "snake",
                "case",
                "snake_case",
                "v2",
                "0",
                "x",
                "y",
                "x-y"
            ]
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

    fn toks(s: &str) -> Vec<(String, u32, bool)> {
        tokenize(s)
            .into_iter()
            .map(|t| (t.text, t.position, t.whole))
            .collect()
    }

    #[test]
    fn compounds_parts_and_wholes() {
        let t = |s: &str, p: u32, w: bool| (s.to_owned(), p, w);
        assert_eq!(
            toks("use TaskGroup now"),
            [
                t("use", 0, false),
                t("task", 1, false),
                t("group", 2, false),
                t("taskgroup", 1, true),
                t("now", 3, false)
            ]
        );
        assert_eq!(texts("HTTPServer"), ["http", "server", "httpserver"]);
        assert_eq!(texts("HTTP"), ["http"]);
        assert_eq!(texts("x86_64"), ["x86", "64", "x86_64"]);
        assert_eq!(texts("http2server"), ["http2server"]);
        assert_eq!(texts("a--b _a b_ c-"), ["a", "b", "a", "b", "c"]);
        assert_eq!(
            texts("kebab-case_mixedCase"),
            ["kebab", "case", "mixed", "case", "kebab-case_mixedcase"]
        );
        assert_eq!(
            texts("getHTTPResponseCode"),
            ["get", "http", "response", "code", "gethttpresponsecode"]
        );
        // Ideographs are compounds of their own; no connector joins them.
        assert_eq!(texts("a_日_b"), ["a", "日", "b"]);
        assert_eq!(texts("é_b"), ["é", "b", "é_b"]);
        assert_eq!(texts("ÀB"), ["àb"]);
    }

    #[test]
    fn long_parts_and_wholes_are_dropped() {
        let a40 = "a".repeat(40);
        let b30 = "b".repeat(30);
        let c70 = "c".repeat(70);
        // The whole (71 chars) is dropped, the parts kept.
        assert_eq!(
            toks(&format!("{a40}_{b30} z")),
            [
                (a40.clone(), 0, false),
                (b30.clone(), 1, false),
                ("z".into(), 2, false)
            ]
        );
        // A dropped part takes no position, and the whole goes with it.
        assert_eq!(
            toks(&format!("x_{c70}_y q")),
            [
                ("x".into(), 0, false),
                ("y".into(), 1, false),
                ("q".into(), 2, false)
            ]
        );
    }

    #[test]
    fn whole_spans_cover_the_compound() {
        let input = "ab snake_CASE";
        let got: Vec<(usize, usize, bool)> = tokenize(input)
            .iter()
            .map(|t| (t.start, t.end, t.whole))
            .collect();
        assert_eq!(
            got,
            [(0, 2, false), (3, 8, false), (9, 13, false), (3, 13, true)]
        );
    }

    #[test]
    fn stem_keys() {
        for w in ["concurrent", "concurrency", "concurrently"] {
            assert_eq!(stem_key(w), "concurr", "{w}");
        }
        assert_eq!(stem_key("running"), "run");
        assert_eq!(stem_key("run"), "run");
        // Only terms of ASCII a-z are stemmed.
        assert_eq!(stem_key("x86"), "x86");
        assert_eq!(stem_key("snake_cases"), "snake_cases");
        assert_eq!(stem_key("cafés"), "cafés");
        assert_eq!(stem_key("tools\u{1f}reading"), "tools\u{1f}read");
        assert_eq!(stem_key("tools\u{1f}x86"), "tools\u{1f}x86");
        assert!(is_term_key("allowed-tools") && is_term_key("_x.y"));
        assert!(!is_term_key("") && !is_term_key("1x") && !is_term_key("a b"));
    }

    #[test]
    fn scan_can_stop_early() {
        let mut seen = Vec::new();
        scan_tokens("a b c d", |t| {
            seen.push(t.text.to_owned());
            if t.text == "b" {
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
