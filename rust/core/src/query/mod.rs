//! The query language: a query string parsed into a tree (SPEC.md §11).
//!
//! [`parse`] turns a query into a [`Query`] tree in one of two [`ParseMode`]s:
//! lenient (repairs every syntax problem) or strict (a syntax problem is an
//! [`Error::Query`](crate::Error::Query) at its code-point position). The
//! [`Display`](std::fmt::Display) form of a tree is the canonical query
//! string: parsing it again in strict mode gives the same tree, positions
//! aside. Parsing only: how each node is matched and scored is decided when
//! the tree is planned.
//!
//! The parser is iterative (its stack is bounded by the 32-level nesting
//! limit), runs in linear time and never panics.
//!
//! Layering: `query` reads only `error`; `search` reads it.

use std::fmt;

mod parse;
#[cfg(test)]
mod tests;

pub use parse::{parse, MAX_DEPTH, MAX_QUERY_CHARS};

/// How a clause of an [`Query::Or`] takes part in a match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Occur {
    /// Optional (juxtaposition and `OR`).
    Should,
    /// Required (`+x`).
    Must,
    /// Excluded (`-x`, `NOT x`).
    MustNot,
}

impl Occur {
    /// The mark that prints this occurrence: `""`, `"+"` or `"-"`.
    #[must_use]
    pub fn mark(self) -> &'static str {
        match self {
            Occur::Should => "",
            Occur::Must => "+",
            Occur::MustNot => "-",
        }
    }
}

/// What a leaf matches: its text as written (escapes resolved), its field
/// and where it starts in the query.
///
/// Equality ignores [`position`](Leaf::position): two trees are equal when
/// they mean the same query, wherever their leaves were written.
#[derive(Clone, Debug, Eq)]
pub struct Leaf {
    /// The text, without field prefix, quotes, `*` or `~d`, escapes resolved.
    pub text: String,
    /// The field named by a `NAME:` prefix (or an enclosing `NAME:(…)`).
    pub field: Option<String>,
    /// The code-point offset in the query of the atom's first character
    /// (the field name when one is written, else the `"` of a phrase or the
    /// first character of a word).
    pub position: usize,
}

impl PartialEq for Leaf {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text && self.field == other.field
    }
}

impl Leaf {
    /// A leaf without field.
    #[must_use]
    pub fn new(text: impl Into<String>, position: usize) -> Self {
        Leaf {
            text: text.into(),
            field: None,
            position,
        }
    }

    /// A leaf of `field`.
    #[must_use]
    pub fn with_field(text: impl Into<String>, field: impl Into<String>, position: usize) -> Self {
        Leaf {
            text: text.into(),
            field: Some(field.into()),
            position,
        }
    }
}

/// A parsed query.
///
/// A parsed tree is normalised: an `Or` has two or more clauses or a single
/// clause that is not [`Occur::Should`]; an `And` has two or more children;
/// leaf texts are not empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Query {
    /// Clauses with their occurrence (an `expr`: juxtaposition or `OR`).
    Or(Vec<(Occur, Query)>),
    /// Children that must all match (`a AND b`).
    And(Vec<Query>),
    /// A word.
    Term(Leaf),
    /// A quoted phrase.
    Phrase(Leaf),
    /// A word ending in `*`.
    Prefix(Leaf),
    /// A word ending in `~` or `~d`, with its edit distance (0 to 2).
    Fuzzy(Leaf, u8),
}

/// Whether parse problems are repaired or raised.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ParseMode {
    /// Repair every syntax problem (SPEC.md §11, "Lenient repairs").
    #[default]
    Lenient,
    /// Raise the leftmost syntax problem as an `Error::Query`.
    Strict,
}

impl Query {
    /// The leaf of a leaf node.
    #[must_use]
    pub fn leaf(&self) -> Option<&Leaf> {
        match self {
            Query::Term(leaf)
            | Query::Phrase(leaf)
            | Query::Prefix(leaf)
            | Query::Fuzzy(leaf, _) => Some(leaf),
            Query::Or(_) | Query::And(_) => None,
        }
    }

    fn leaf_mut(&mut self) -> Option<&mut Leaf> {
        match self {
            Query::Term(leaf)
            | Query::Phrase(leaf)
            | Query::Prefix(leaf)
            | Query::Fuzzy(leaf, _) => Some(leaf),
            Query::Or(_) | Query::And(_) => None,
        }
    }

    /// Every leaf of the tree, in query order.
    #[must_use]
    pub fn leaves(&self) -> Vec<&Leaf> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            match node {
                Query::Or(clauses) => stack.extend(clauses.iter().rev().map(|(_, child)| child)),
                Query::And(children) => stack.extend(children.iter().rev()),
                leaf => out.extend(leaf.leaf()),
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------
// Printing: the canonical query string.

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// The index of the `:` that a word starting with `NAME:` has, if any.
fn name_colon(chars: &[char]) -> Option<usize> {
    if !chars.first().is_some_and(|&c| is_name_start(c)) {
        return None;
    }
    let end = chars.iter().position(|&c| !is_name_char(c))?;
    (chars[end] == ':').then_some(end)
}

/// Writes a word's text, escaping (`\`) every character that would otherwise
/// be read as syntax. `term` is false when a `*` or `~d` suffix follows;
/// `marked` when a `+` or `-` precedes; `fielded` when `NAME:` precedes.
fn write_word(
    f: &mut fmt::Formatter<'_>,
    text: &str,
    term: bool,
    marked: bool,
    fielded: bool,
) -> fmt::Result {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let mut escape: Vec<bool> = chars
        .iter()
        .map(|c| matches!(c, '\\' | '(' | ')' | '"'))
        .collect();
    if !marked && !fielded && matches!(chars.first(), Some('+' | '-')) {
        escape[0] = true;
    }
    if !fielded {
        if let Some(colon) = name_colon(&chars) {
            escape[colon] = true;
        }
    }
    if term {
        if !fielded && text == ":" {
            escape[0] = true;
        }
        if !marked && !fielded && matches!(text, "AND" | "OR" | "NOT") {
            escape[0] = true;
        }
        if matches!(chars.last(), Some('*' | '~')) {
            escape[n - 1] = true;
        } else if n >= 2 && chars[n - 2] == '~' && chars[n - 1].is_ascii_digit() {
            escape[n - 2] = true;
        }
    }
    for (c, escaped) in chars.into_iter().zip(escape) {
        if escaped {
            f.write_str("\\")?;
        }
        write!(f, "{c}")?;
    }
    Ok(())
}

/// Writes a leaf node; `marked` when an occurrence mark precedes it.
fn write_leaf(f: &mut fmt::Formatter<'_>, node: &Query, marked: bool) -> fmt::Result {
    let Some(leaf) = node.leaf() else {
        return write_node(f, node);
    };
    if let Some(field) = &leaf.field {
        write!(f, "{field}:")?;
    }
    let fielded = leaf.field.is_some();
    match node {
        Query::Phrase(_) => write!(f, "\"{}\"", leaf.text),
        Query::Term(_) => write_word(f, &leaf.text, true, marked, fielded),
        Query::Prefix(_) => {
            write_word(f, &leaf.text, false, marked, fielded)?;
            f.write_str("*")
        }
        Query::Fuzzy(_, distance) => {
            write_word(f, &leaf.text, false, marked, fielded)?;
            write!(f, "~{distance}")
        }
        Query::Or(_) | Query::And(_) => Ok(()),
    }
}

/// Writes one clause of an `Or`: its mark, then the node (in parentheses
/// unless it is a leaf or an unmarked `And`).
fn write_clause(f: &mut fmt::Formatter<'_>, occur: Occur, node: &Query) -> fmt::Result {
    f.write_str(occur.mark())?;
    match node {
        Query::And(_) if occur == Occur::Should => write_node(f, node),
        Query::Or(_) | Query::And(_) => {
            f.write_str("(")?;
            write_node(f, node)?;
            f.write_str(")")
        }
        _ => write_leaf(f, node, occur != Occur::Should),
    }
}

/// Writes one child of an `And`. A single marked clause is written as the
/// unary it came from (`a AND -b`), so printing adds no parentheses.
fn write_and_child(f: &mut fmt::Formatter<'_>, node: &Query) -> fmt::Result {
    match node {
        Query::Or(clauses) if clauses.len() == 1 && clauses[0].0 != Occur::Should => {
            write_clause(f, clauses[0].0, &clauses[0].1)
        }
        Query::Or(_) | Query::And(_) => {
            f.write_str("(")?;
            write_node(f, node)?;
            f.write_str(")")
        }
        _ => write_leaf(f, node, false),
    }
}

fn write_node(f: &mut fmt::Formatter<'_>, node: &Query) -> fmt::Result {
    match node {
        Query::Or(clauses) => {
            for (i, (occur, child)) in clauses.iter().enumerate() {
                if i > 0 {
                    f.write_str(" ")?;
                }
                write_clause(f, *occur, child)?;
            }
            Ok(())
        }
        Query::And(children) => {
            for (i, child) in children.iter().enumerate() {
                if i > 0 {
                    f.write_str(" AND ")?;
                }
                write_and_child(f, child)?;
            }
            Ok(())
        }
        _ => write_leaf(f, node, false),
    }
}

/// The canonical query string: `-` for must-not, `+` for must, a space
/// between clauses, ` AND ` between the children of an `And`, `~d` with an
/// explicit distance, `\` before each character that would be read as
/// syntax, and parentheses only where the tree needs them.
impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_node(f, self)
    }
}
