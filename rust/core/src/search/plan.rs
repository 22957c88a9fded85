//! Query planning (SPEC.md §5): a parsed tree
//! ([`crate::query::parse`]) is planned against the index. Each leaf gets its
//! fields (or frontmatter key) and its analyzed form (stem keys, phrase
//! tokens, prefix or fuzzy pattern); empty leaves and then empty groups are
//! removed. The plan is what `exec` runs and what `snippet` matches lines
//! against.

use std::ops::ControlFlow;

use fst::{IntoStreamer, Streamer};

use super::options::SearchOptions;
use super::source::Source;
use crate::analysis::{scan_tokens, stem_key, tokenize, KEY_SEPARATOR};
use crate::error::{Error, Result};
use crate::query::{parse, Occur, Query};
use crate::schema::Field;

/// What a leaf matches, analyzed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum Kind {
    /// Distinct stem keys, in order of first appearance.
    Term(Vec<String>),
    /// Tokens without the wholes, with positions relative to the first.
    Phrase(Vec<(String, u32)>),
    /// The pattern.
    Prefix(String),
    /// The pattern and the distance.
    Fuzzy(String, u8),
}

/// A planned leaf.
#[derive(Debug)]
pub(super) struct LeafPlan {
    pub(super) kind: Kind,
    /// `None`: the six fields; else that one field.
    pub(super) field: Option<Field>,
    /// The keyed-term prefix `lower(K)\x1f` of a frontmatter key.
    pub(super) key: Option<String>,
    /// For snippets: leaves equal in kind, text and distance count once.
    pub(super) ident: (u8, String, u8),
    /// The leaf's code-point position in the query (for budget errors).
    pub(super) position: usize,
    /// Identical leaves (same kind, analysis, field and key) share a slot:
    /// they are expanded and scored once per query (`0..Plan::slots`).
    pub(super) slot: usize,
}

impl LeafPlan {
    /// The fields the leaf searches, in schema order.
    pub(super) fn fields(&self) -> &'static [Field] {
        match self.field {
            None => &Field::ALL,
            Some(f) => &Field::ALL[f.index()..=f.index()],
        }
    }
}

#[derive(Debug)]
pub(super) enum Plan {
    Leaf(LeafPlan),
    Or(Vec<(Occur, Plan)>),
    And(Vec<Plan>),
}

impl Plan {
    /// Every leaf, in query order.
    pub(super) fn leaves(&self) -> Vec<&LeafPlan> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            match node {
                Plan::Leaf(leaf) => out.push(leaf),
                Plan::Or(clauses) => stack.extend(clauses.iter().rev().map(|(_, child)| child)),
                Plan::And(children) => stack.extend(children.iter().rev()),
            }
        }
        out
    }
}

/// A planned query: the tree and the number of distinct leaf slots.
#[derive(Debug)]
pub(super) struct Planned {
    pub(super) root: Plan,
    pub(super) slots: usize,
}

/// What makes two leaves the same leaf (§5, "Combining").
pub(super) type Identity = (Kind, Option<Field>, Option<String>);

fn query_error(query: &str, position: usize, message: impl Into<String>) -> Error {
    Error::Query {
        query: query.to_owned(),
        position,
        message: message.into(),
    }
}

/// Whether any live doc has a keyed term starting with `key` (`k\x1f`).
fn has_key<S: Source>(src: &S, key: &str) -> Result<bool> {
    let (lo, hi) = key_range(key);
    for part in 0..src.num_parts() {
        let dict = src.dict(part, Field::Frontmatter)?;
        let mut stream = dict.range().ge(&lo).lt(&hi).into_stream();
        while let Some((_, ord)) = stream.next() {
            let mut live = false;
            src.postings(part, Field::Frontmatter, ord, |_, _, _| live = true)?;
            if live {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// The range of terms that start with `prefix`: `[prefix, prefix + 1)` on
/// its last byte (`prefix` ends with U+001F, so the increment stays ASCII).
pub(super) fn key_range(prefix: &str) -> (Vec<u8>, Vec<u8>) {
    let lo = prefix.as_bytes().to_vec();
    let mut hi = lo.clone();
    if let Some(last) = hi.last_mut() {
        *last += 1;
    }
    (lo, hi)
}

struct Planner<'a, S> {
    src: &'a S,
    query: &'a str,
    slots: std::collections::HashMap<Identity, usize>,
}

impl<S: Source> Planner<'_, S> {
    /// Plans a node; `None` when it is empty.
    fn node(&mut self, q: &Query) -> Result<Option<Plan>> {
        match q {
            Query::Or(clauses) => {
                let mut out = Vec::with_capacity(clauses.len());
                for (occur, child) in clauses {
                    if let Some(p) = self.node(child)? {
                        out.push((*occur, p));
                    }
                }
                Ok((!out.is_empty()).then_some(Plan::Or(out)))
            }
            Query::And(children) => {
                let mut out = Vec::with_capacity(children.len());
                for child in children {
                    if let Some(p) = self.node(child)? {
                        out.push(p);
                    }
                }
                Ok((!out.is_empty()).then_some(Plan::And(out)))
            }
            Query::Term(leaf)
            | Query::Phrase(leaf)
            | Query::Prefix(leaf)
            | Query::Fuzzy(leaf, _) => {
                let (field, key) = match &leaf.field {
                    None => (None, None),
                    Some(name) => {
                        let lower = name.to_ascii_lowercase();
                        if let Some(f) = Field::from_name(&lower) {
                            (Some(f), None)
                        } else {
                            let mut key = lower;
                            key.push(KEY_SEPARATOR);
                            if !has_key(self.src, &key)? {
                                return Err(query_error(
                                    self.query,
                                    leaf.position,
                                    format!("unknown field '{name}'"),
                                ));
                            }
                            (Some(Field::Frontmatter), Some(key))
                        }
                    }
                };
                let (kind, tag, distance) = match q {
                    Query::Term(_) => (analyze_term(&leaf.text), 0, 0),
                    Query::Phrase(_) => (analyze_phrase(&leaf.text), 1, 0),
                    Query::Prefix(_) => (last_token(&leaf.text).map(Kind::Prefix), 2, 0),
                    Query::Fuzzy(_, d) => {
                        (last_token(&leaf.text).map(|p| Kind::Fuzzy(p, *d)), 3, *d)
                    }
                    Query::Or(_) | Query::And(_) => (None, 0, 0),
                };
                Ok(kind.map(|kind| {
                    let next = self.slots.len();
                    let slot = *self
                        .slots
                        .entry((kind.clone(), field, key.clone()))
                        .or_insert(next);
                    Plan::Leaf(LeafPlan {
                        kind,
                        field,
                        key,
                        ident: (tag, leaf.text.clone(), distance),
                        position: leaf.position,
                        slot,
                    })
                }))
            }
        }
    }
}

fn analyze_term(text: &str) -> Option<Kind> {
    let mut keys: Vec<String> = Vec::new();
    scan_tokens(text, |t| {
        let key = stem_key(t.text);
        if !keys.iter().any(|k| *k == key) {
            keys.push(key.into_owned());
        }
        ControlFlow::Continue(())
    });
    (!keys.is_empty()).then_some(Kind::Term(keys))
}

fn analyze_phrase(text: &str) -> Option<Kind> {
    let toks: Vec<_> = tokenize(text).into_iter().filter(|t| !t.whole).collect();
    let first = toks.first()?.position;
    Some(Kind::Phrase(
        toks.into_iter()
            .map(|t| (t.text, t.position - first))
            .collect(),
    ))
}

fn last_token(text: &str) -> Option<String> {
    let mut last: Option<String> = None;
    scan_tokens(text, |t| {
        let s = last.get_or_insert_with(String::new);
        s.clear();
        s.push_str(t.text);
        ControlFlow::Continue(())
    });
    last
}

/// Parses and plans a query; an empty plan is the §5 error.
pub(super) fn plan<S: Source>(src: &S, query: &str, opts: &SearchOptions) -> Result<Planned> {
    let empty = || query_error(query, 0, "the query has no searchable terms");
    let Some(tree) = parse(query, opts.mode)? else {
        return Err(empty());
    };
    let mut planner = Planner {
        src,
        query,
        slots: std::collections::HashMap::new(),
    };
    let root = planner.node(&tree)?.ok_or_else(empty)?;
    Ok(Planned {
        root,
        slots: planner.slots.len(),
    })
}
