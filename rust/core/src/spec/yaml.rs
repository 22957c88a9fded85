//! Frontmatter YAML as an event stream (SPEC.md §2, "YAML").
//!
//! Nothing is constructed: the events of `saphyr-parser` are folded into
//! flattened texts with an explicit stack (no recursion), aliases contribute
//! no text, tags are ignored, and collections may nest at most
//! [`MAX_DEPTH`] levels. The whole stream is parsed (an error in any document
//! fails the parse), but only the first document gives entries.

use saphyr_parser::{Event, Parser};

/// The deepest allowed nesting of collections.
pub(crate) const MAX_DEPTH: usize = 32;

/// The message `saphyr-parser` gives for an alias to an unknown anchor.
/// `PyYAML`'s parser does not resolve anchors (its composer does), so the
/// contract treats such an alias as a plain alias: no text, no error.
const UNKNOWN_ANCHOR: &str = "while parsing node, found unknown anchor";

/// One top-level entry of the root mapping.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct YamlEntry {
    pub(crate) key: String,
    pub(crate) value: String,
    pub(crate) value_is_scalar: bool,
}

/// Why the YAML parse failed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct YamlFailure {
    /// 0-based line within the frontmatter text.
    pub(crate) line_offset: usize,
    pub(crate) message: String,
}

/// A collection being flattened.
struct Frame {
    text: String,
    children: usize,
}

/// What the first document is building.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DocState {
    /// No document has started yet, or the first one is complete.
    Outside,
    /// Inside the first document, before its root node.
    AwaitRoot,
    /// Inside the root mapping; `stack` holds the nested collections.
    InRoot,
}

fn failure_at_start(message: &str) -> YamlFailure {
    YamlFailure {
        line_offset: 0,
        message: message.to_owned(),
    }
}

/// The scanner's message when flow collections nest past its own limit.
const RECURSION_LIMIT: &str = "recursion limit exceeded";

fn too_deep() -> YamlFailure {
    failure_at_start("frontmatter nests deeper than 32 levels")
}

/// Folds events into the root mapping's entries.
struct Flattener {
    entries: Vec<YamlEntry>,
    pending_key: Option<String>,
    stack: Vec<Frame>,
    state: DocState,
    /// Nesting depth outside the first document (only checked, not built).
    other_depth: usize,
    documents: usize,
}

impl Flattener {
    fn new() -> Self {
        Self {
            entries: Vec::new(),
            pending_key: None,
            stack: Vec::new(),
            state: DocState::Outside,
            other_depth: 0,
            documents: 0,
        }
    }

    fn on_event(&mut self, event: Event<'_>) -> Result<(), YamlFailure> {
        let completed: (String, bool) = match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => return Ok(()),
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents == 1 {
                    self.state = DocState::AwaitRoot;
                }
                return Ok(());
            }
            Event::DocumentEnd => {
                self.state = DocState::Outside;
                return Ok(());
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                match self.state {
                    DocState::AwaitRoot => {
                        if matches!(event, Event::SequenceStart(..)) {
                            return Err(failure_at_start("frontmatter is not a mapping"));
                        }
                        self.state = DocState::InRoot;
                    }
                    DocState::InRoot => {
                        // The root mapping is level 1.
                        if self.stack.len() + 2 > MAX_DEPTH {
                            return Err(too_deep());
                        }
                        self.stack.push(Frame {
                            text: String::new(),
                            children: 0,
                        });
                    }
                    DocState::Outside => {
                        self.other_depth += 1;
                        if self.other_depth > MAX_DEPTH {
                            return Err(too_deep());
                        }
                    }
                }
                return Ok(());
            }
            Event::MappingEnd | Event::SequenceEnd => {
                if self.state != DocState::InRoot {
                    self.other_depth = self.other_depth.saturating_sub(1);
                    return Ok(());
                }
                let Some(frame) = self.stack.pop() else {
                    // The root mapping ends.
                    self.state = DocState::Outside;
                    return Ok(());
                };
                (frame.text, false)
            }
            Event::Scalar(value, ..) => (value.into_owned(), true),
            Event::Alias(_) => (String::new(), false),
        };
        self.on_node(completed.0, completed.1)
    }

    fn on_node(&mut self, text: String, is_scalar: bool) -> Result<(), YamlFailure> {
        match self.state {
            DocState::AwaitRoot => Err(failure_at_start("frontmatter is not a mapping")),
            DocState::Outside => Ok(()),
            DocState::InRoot => {
                if let Some(frame) = self.stack.last_mut() {
                    if frame.children > 0 {
                        frame.text.push('\n');
                    }
                    frame.text.push_str(&text);
                    frame.children += 1;
                } else if let Some(key) = self.pending_key.take() {
                    self.entries.push(YamlEntry {
                        key,
                        value: text,
                        value_is_scalar: is_scalar,
                    });
                } else {
                    self.pending_key = Some(text);
                }
                Ok(())
            }
        }
    }
}

/// Parses the frontmatter text; `Ok` holds the root mapping's entries in
/// document order (none when there is no document).
pub(crate) fn parse(src: &str) -> Result<Vec<YamlEntry>, YamlFailure> {
    let mut parser = Parser::new_from_str(src);
    let mut flat = Flattener::new();
    // Bounds the unknown-anchor recovery: each recovery consumes a token.
    let mut recoveries = 0usize;
    while let Some(next) = parser.next_event() {
        let event = match next {
            Ok((event, _span)) => event,
            Err(e) if e.info() == UNKNOWN_ANCHOR && recoveries <= src.len() => {
                // The parser has already consumed the alias token and popped
                // its state, so it can go on: treat it as an alias.
                recoveries += 1;
                Event::Alias(0)
            }
            // The scanner looks ahead, so past 256 levels it fails before
            // the events reach the depth check: it is the same failure.
            Err(e) if e.info() == RECURSION_LIMIT => return Err(too_deep()),
            Err(e) => {
                return Err(YamlFailure {
                    line_offset: line_of_char(src, e.marker().index()),
                    message: e.info().to_owned(),
                })
            }
        };
        flat.on_event(event)?;
    }
    Ok(flat.entries)
}

/// The 0-based `\n` line of `src` that holds its `index`-th character,
/// clamped to the last line. The scanner's own line count would not do: it
/// also breaks lines at a lone `\r`, which the spec's lines do not, and it
/// puts an error at the very end on the line after the last.
fn line_of_char(src: &str, index: usize) -> usize {
    let line = src.chars().take(index).filter(|&c| c == '\n').count();
    let last = src.trim_end_matches('\n').matches('\n').count();
    line.min(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(src: &str) -> Vec<(String, String, bool)> {
        parse(src)
            .unwrap()
            .into_iter()
            .map(|e| (e.key, e.value, e.value_is_scalar))
            .collect()
    }

    #[test]
    fn scalars_keep_their_text() {
        let got = entries("name: x\nversion: 2.10\nok: yes\nq: \"a\\tb\"\nn: null\ne:");
        assert_eq!(
            got,
            [
                ("name".into(), "x".into(), true),
                ("version".into(), "2.10".into(), true),
                ("ok".into(), "yes".into(), true),
                ("q".into(), "a\tb".into(), true),
                ("n".into(), "null".into(), true),
                ("e".into(), String::new(), true),
            ]
        );
    }

    #[test]
    fn collections_flatten_in_document_order() {
        let got = entries("tools: [a, b]\nmeta:\n  k: v\n  l:\n    - 1\n    - {x: y}\n");
        assert_eq!(got[0], ("tools".into(), "a\nb".into(), false));
        assert_eq!(got[1], ("meta".into(), "k\nv\nl\n1\nx\ny".into(), false));
    }

    #[test]
    fn aliases_give_no_text_and_tags_are_ignored() {
        let got = entries("a: &x hello\nb: *x\nc: [*x, z]\nd: !!python/object/apply:os.system [\"echo hi\"]\nu: *undefined");
        assert_eq!(got[1], ("b".into(), String::new(), false));
        assert_eq!(got[2], ("c".into(), "\nz".into(), false));
        assert_eq!(got[3], ("d".into(), "echo hi".into(), false));
        assert_eq!(got[4], ("u".into(), String::new(), false));
    }

    #[test]
    fn empty_and_non_mapping() {
        assert!(entries("").is_empty());
        assert!(entries("# just a comment").is_empty());
        let f = parse("just text").unwrap_err();
        assert_eq!(f.message, "frontmatter is not a mapping");
        assert_eq!(f.line_offset, 0);
        assert!(parse("- a\n- b").is_err());
    }

    #[test]
    fn depth_limit() {
        let ok = format!("a: {}{}", "[".repeat(31), "]".repeat(31));
        assert!(parse(&ok).is_ok());
        let deep = format!("a: {}{}", "[".repeat(32), "]".repeat(32));
        let f = parse(&deep).unwrap_err();
        assert!(f.message.contains("32"), "{}", f.message);
        let very = format!("a: {}", "[".repeat(10_000));
        assert!(parse(&very).is_err());
    }

    /// Issue 15: past the scanner's own limit (256), the same failure.
    #[test]
    fn very_deep_nesting_is_too_deep() {
        for depth in [255, 256, 300, 5000] {
            let deep = format!("a: {}{}", "[".repeat(depth), "]".repeat(depth));
            let f = parse(&deep).unwrap_err();
            assert_eq!(
                (f.line_offset, f.message.as_str()),
                (0, too_deep().message.as_str())
            );
        }
    }

    /// Issue 15 (found by `spec_parse`): the line is one the text has.
    #[test]
    fn error_lines_count_newlines_only_and_stop_at_the_last() {
        let f = parse("a: 1\rb: [\nc: 2\n").unwrap_err();
        assert_eq!(f.line_offset, 1, "{f:?}");
        let f = parse("name: a\nde s\n").unwrap_err();
        assert_eq!(f.line_offset, 1, "{f:?}");
    }

    #[test]
    fn error_line_is_zero_based() {
        let f = parse("name: x\ndescription: Use this. Examples: foo").unwrap_err();
        assert_eq!(f.line_offset, 1, "{f:?}");
    }
}
