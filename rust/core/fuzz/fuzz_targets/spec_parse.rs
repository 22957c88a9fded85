//! Any bytes as a spec file → fields and problems → analysis.
//!
//! Checks: no panic (libFuzzer's panic hook aborts even inside the parser's
//! own `catch_unwind`, so a caught panic is found too); every problem names
//! the file and, when it has a line, a line the file has; the name is set
//! and stripped; the fields are no larger than the input allows (no blow-up,
//! e.g. from YAML aliases); the analyzer's tokens of every field are
//! in-bounds, on char boundaries, in position order (parts before their
//! compound's whole) and within the token
//! length limit, and their stem keys (the first few per field) are
//! computed without a panic.
#![no_main]

use std::ops::ControlFlow;

use libfuzzer_sys::fuzz_target;
use specsearch_core::analysis::{scan_tokens, stem_key, MAX_TOKEN_CHARS};
use specsearch_core::schema::Field;
use specsearch_core::spec::{decode, lines, parse_spec};

const PATH: &str = "agents/fuzz.md";
/// Stemming is the slowest step: only the first tokens of a field are
/// stemmed (the stemmer sees a term, never its context).
const STEMMED_PER_FIELD: usize = 32;

fuzz_target!(|data: &[u8]| {
    let (spec, problems) = parse_spec(PATH, data);
    let text = decode(data);
    // A problem's line is one of the file's `lines()` (a YAML error counts
    // `\n` breaks only, not the YAML reader's lone `\r`, and stops at the
    // last line); line 1 of an empty file.
    let line_count = lines(&text).count().max(1);
    for p in &problems {
        assert_eq!(p.path, PATH);
        assert!(!p.message.is_empty());
        assert!(!p.message.contains("internal error"), "{}", p.message);
        if let Some(line) = p.line {
            assert!(
                line >= 1 && line as usize <= line_count,
                "problem at line {line} of a {line_count}-line file: {p}"
            );
        }
    }
    assert!(!spec.name.is_empty());
    assert_eq!(spec.name, spec.name.trim_matches([' ', '\t']));

    let total: usize = spec.name.len()
        + spec.description.len()
        + spec
            .frontmatter
            .iter()
            .map(|(k, v)| k.len() + v.len())
            .sum::<usize>()
        + spec.headings.len()
        + spec.body.len()
        + spec.examples.len();
    assert!(
        total <= 4 * text.len() + PATH.len(),
        "{total} bytes of fields from {} bytes of text",
        text.len()
    );

    for f in Field::ALL {
        let field = spec.field_text(f);
        // Parts come in position order; a compound's whole follows its
        // parts and takes the position of its first part.
        let mut next_part = 0u32;
        let mut stemmed = 0;
        scan_tokens(&field, |t| {
            assert!(t.start < t.end && t.end <= field.len(), "{t:?}");
            assert!(field.is_char_boundary(t.start) && field.is_char_boundary(t.end));
            if t.whole {
                assert!(
                    t.position < next_part,
                    "{t:?}: a whole after part {next_part}"
                );
            } else {
                assert!(t.position >= next_part, "{t:?}: a part before {next_part}");
                next_part = t.position + 1;
            }
            assert!(!t.text.is_empty() && t.text.chars().count() <= MAX_TOKEN_CHARS);
            if stemmed < STEMMED_PER_FIELD {
                stemmed += 1;
                assert!(!stem_key(t.text).is_empty());
            }
            ControlFlow::Continue(())
        });
    }
});
