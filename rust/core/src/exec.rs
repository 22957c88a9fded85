//! Query planning and execution (ARCHITECTURE.md §5) and snippet matching
//! (§6), written once over the small [`Source`] trait that both
//! [`crate::MemoryIndex`] and [`crate::DiskIndex`] implement.
//!
//! A parsed tree ([`crate::query::parse`]) is planned against the index:
//! each leaf gets its fields (or frontmatter key) and its analyzed form
//! (stem keys, phrase tokens, prefix or fuzzy pattern); empty leaves and
//! then empty groups are removed. Execution is bottom-up: every node yields
//! its matching docs with their exact `f64` scores, summed from
//! 0.0 in the order the contract states (keys outer and fields inner in a
//! leaf, clause order in a group), in dense scratch arrays indexed by
//! global doc id that are reused between queries.

use std::cell::RefCell;
use std::ops::ControlFlow;

use fst::automaton::{Levenshtein, Str};
use fst::{Automaton, IntoStreamer, Map, Streamer};

use crate::analysis::{scan_tokens, stem_key, tokenize, KEY_SEPARATOR};
use crate::error::{Error, Result};
use crate::postings::stem_range;
use crate::query::{parse, Occur, Query};
use crate::schema::Field;
use crate::scoring::Bm25;
use crate::search::{SearchOptions, Snippet};

/// What the executor needs of an index: live docs only, global doc ids.
pub(crate) trait Source: Sync {
    /// The bytes an `fst` map reads.
    type Bytes: AsRef<[u8]>;
    /// N: the number of live docs; global ids are `0..N`.
    fn n_docs(&self) -> u32;
    /// The average length of a field over the live docs.
    fn avgdl(&self, f: Field) -> f64;
    /// `k1` and `b`.
    fn bm25(&self) -> Bm25;
    /// The number of parts (segments) holding dictionaries.
    fn num_parts(&self) -> usize;
    /// A part's term dictionary of a field (term → ordinal).
    fn dict(&self, part: usize, f: Field) -> Result<&Map<Self::Bytes>>;
    /// A part's stem map of a field (`stem key \0 term` → ordinal).
    fn stems(&self, part: usize, f: Field) -> Result<&Map<Self::Bytes>>;
    /// Calls `g(global id, tf, dl)` for each live posting of a term.
    fn postings(&self, part: usize, f: Field, ord: u64, g: impl FnMut(u32, u32, u32))
        -> Result<()>;
    /// Calls `g(global id, dl, positions)` for each live posting of a term.
    fn positions(
        &self,
        part: usize,
        f: Field,
        ord: u64,
        g: impl FnMut(u32, u32, &[u32]),
    ) -> Result<()>;
}

// ---------------------------------------------------------------------------
// Planning.

/// What a leaf matches, analyzed.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
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
struct LeafPlan {
    kind: Kind,
    /// `None`: the six fields; else that one field.
    field: Option<Field>,
    /// The keyed-term prefix `lower(K)\x1f` of a frontmatter key.
    key: Option<String>,
    /// For snippets: leaves equal in kind, text and distance count once.
    ident: (u8, String, u8),
}

#[derive(Debug)]
enum Plan {
    Leaf(LeafPlan),
    Or(Vec<(Occur, Plan)>),
    And(Vec<Plan>),
}

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
fn key_range(prefix: &str) -> (Vec<u8>, Vec<u8>) {
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
}

impl<S: Source> Planner<'_, S> {
    /// Plans a node; `None` when it is empty.
    fn node(&self, q: &Query) -> Result<Option<Plan>> {
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
                    Plan::Leaf(LeafPlan {
                        kind,
                        field,
                        key,
                        ident: (tag, leaf.text.clone(), distance),
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
fn plan<S: Source>(src: &S, query: &str, opts: &SearchOptions) -> Result<Plan> {
    let empty = || query_error(query, 0, "the query has no searchable terms");
    let Some(tree) = parse(query, opts.mode)? else {
        return Err(empty());
    };
    Planner { src, query }.node(&tree)?.ok_or_else(empty)
}

// ---------------------------------------------------------------------------
// Term sets.

/// A term of one part: `(part, ordinal)`.
type Handle = (usize, u64);

/// Levenshtein distance in code points, when it is at most `max`.
fn levenshtein_within(a: &str, b: &str, max: usize) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > max {
            return false;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()] <= max
}

fn has_separator(term: &[u8]) -> bool {
    term.contains(&0x1f)
}

/// Collects the terms of a stream, skipping keyed terms when `unkeyed`.
fn collect_stream<I>(stream: I, part: usize, unkeyed: bool, out: &mut Vec<Handle>)
where
    I: for<'a> Streamer<'a, Item = (&'a [u8], u64)>,
{
    let mut stream = stream;
    while let Some((t, ord)) = stream.next() {
        if !(unkeyed && has_separator(t)) {
            out.push((part, ord));
        }
    }
}

/// The terms of field `f` whose stem key is `key` (already prefixed);
/// `own` tells whether `key` is its own stem key.
fn stem_set<S: Source>(
    src: &S,
    f: Field,
    key: &str,
    own: bool,
    out: &mut Vec<Handle>,
) -> Result<()> {
    let (lo, hi) = stem_range(key);
    for part in 0..src.num_parts() {
        if own {
            if let Some(ord) = src.dict(part, f)?.get(key) {
                out.push((part, ord));
            }
        }
        let stems = src.stems(part, f)?;
        if !stems.is_empty() {
            let mut stream = stems.range().ge(&lo).lt(&hi).into_stream();
            while let Some((_, ord)) = stream.next() {
                out.push((part, ord));
            }
        }
    }
    Ok(())
}

fn prefix_set<S: Source>(
    src: &S,
    f: Field,
    key: Option<&str>,
    pattern: &str,
    out: &mut Vec<Handle>,
) -> Result<()> {
    let full = format!("{}{pattern}", key.unwrap_or(""));
    for part in 0..src.num_parts() {
        let dict = src.dict(part, f)?;
        let aut = Str::new(&full).starts_with();
        collect_stream(dict.search(aut).into_stream(), part, key.is_none(), out);
    }
    Ok(())
}

fn fuzzy_set<S: Source>(
    src: &S,
    f: Field,
    key: Option<&str>,
    pattern: &str,
    d: u8,
    lev: Option<&Levenshtein>,
    out: &mut Vec<Handle>,
) -> Result<()> {
    let max = usize::from(d);
    for part in 0..src.num_parts() {
        let dict = src.dict(part, f)?;
        match (key, lev) {
            (None, Some(lev)) => {
                collect_stream(dict.search(lev).into_stream(), part, true, out);
            }
            (None, None) => {
                let mut stream = dict.stream();
                while let Some((t, ord)) = stream.next() {
                    if has_separator(t) {
                        continue;
                    }
                    if std::str::from_utf8(t).is_ok_and(|t| levenshtein_within(t, pattern, max)) {
                        out.push((part, ord));
                    }
                }
            }
            (Some(key), _) => {
                let (lo, hi) = key_range(key);
                let mut stream = dict.range().ge(&lo).lt(&hi).into_stream();
                while let Some((t, ord)) = stream.next() {
                    let rest = &t[lo.len()..];
                    if std::str::from_utf8(rest).is_ok_and(|t| levenshtein_within(t, pattern, max))
                    {
                        out.push((part, ord));
                    }
                }
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Execution.

/// The docs a node matches (in no particular order), with their exact
/// scores.
#[derive(Debug, Default)]
pub(crate) struct Matches {
    pub(crate) docs: Vec<u32>,
    pub(crate) scores: Vec<f64>,
}

/// Dense per-doc scratch arrays, all zero between uses.
#[derive(Default)]
struct Scratch {
    acc: Vec<f64>,
    seen: Vec<bool>,
    touched: Vec<u32>,
    tf: Vec<u32>,
    dl: Vec<u32>,
    tf_touched: Vec<u32>,
    cnt: Vec<u32>,
    flag: Vec<u8>,
    /// `(global id, tf, dl)` of one term set in one field.
    buf: Vec<(u32, u32, u32)>,
    handles: Vec<Handle>,
    /// Set while a query runs: an error midway leaves the arrays dirty.
    dirty: bool,
}

impl Scratch {
    fn prepare(&mut self, n: usize) {
        if self.dirty || self.acc.len() != n {
            *self = Scratch {
                acc: vec![0.0; n],
                seen: vec![false; n],
                tf: vec![0; n],
                dl: vec![0; n],
                cnt: vec![0; n],
                flag: vec![0; n],
                ..Scratch::default()
            };
        }
        self.dirty = true;
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

const SHOULD: u8 = 1;
const EXCLUDED: u8 = 2;
const CANDIDATE: u8 = 4;

struct Exec<'a, S> {
    src: &'a S,
    opts: &'a SearchOptions,
    bm25: Bm25,
    n: u32,
    s: &'a mut Scratch,
}

impl<S: Source> Exec<'_, S> {
    fn node(&mut self, p: &Plan) -> Result<Matches> {
        match p {
            Plan::Leaf(leaf) => self.leaf(leaf),
            Plan::Or(clauses) => {
                let mut done = Vec::with_capacity(clauses.len());
                for (occur, child) in clauses {
                    done.push((*occur, self.node(child)?));
                }
                Ok(self.or(done))
            }
            Plan::And(children) => {
                let mut done = Vec::with_capacity(children.len());
                for child in children {
                    done.push((Occur::Must, self.node(child)?));
                }
                Ok(self.or(done))
            }
        }
    }

    /// Combines clauses (an `And` is an `Or` of must clauses).
    fn or(&mut self, mut clauses: Vec<(Occur, Matches)>) -> Matches {
        if clauses.len() == 1 && clauses[0].0 != Occur::MustNot {
            // 0.0 + s == s: the single clause's scores are the group's.
            return clauses.pop().map(|c| c.1).unwrap_or_default();
        }
        if clauses.iter().all(|c| c.0 == Occur::Should) {
            return self.or_should(&clauses);
        }
        let s = &mut *self.s;
        let n_must = clauses.iter().filter(|c| c.0 == Occur::Must).count() as u32;
        let has_should = clauses.iter().any(|c| c.0 == Occur::Should);
        let mut touched: Vec<u32> = Vec::new();
        for (occur, m) in &clauses {
            for &d in &m.docs {
                let i = d as usize;
                if s.cnt[i] == 0 && s.flag[i] == 0 {
                    touched.push(d);
                }
                match occur {
                    Occur::Must => s.cnt[i] += 1,
                    Occur::Should => s.flag[i] |= SHOULD,
                    Occur::MustNot => s.flag[i] |= EXCLUDED,
                }
            }
        }
        let docs: Vec<u32> = if n_must > 0 {
            touched
                .iter()
                .copied()
                .filter(|&d| s.cnt[d as usize] == n_must && s.flag[d as usize] & EXCLUDED == 0)
                .collect()
        } else if has_should {
            touched
                .iter()
                .copied()
                .filter(|&d| s.flag[d as usize] & (SHOULD | EXCLUDED) == SHOULD)
                .collect()
        } else {
            (0..self.n)
                .filter(|&d| s.flag[d as usize] & EXCLUDED == 0)
                .collect()
        };
        for &d in &docs {
            s.flag[d as usize] |= CANDIDATE;
        }
        for (occur, m) in &clauses {
            if *occur == Occur::MustNot {
                continue;
            }
            for (&d, &score) in m.docs.iter().zip(&m.scores) {
                if s.flag[d as usize] & CANDIDATE != 0 {
                    s.acc[d as usize] += score;
                }
            }
        }
        let mut scores = Vec::with_capacity(docs.len());
        for &d in &docs {
            let i = d as usize;
            scores.push(s.acc[i]);
            s.acc[i] = 0.0;
            s.flag[i] = 0;
        }
        for &d in &touched {
            s.cnt[d as usize] = 0;
            s.flag[d as usize] = 0;
        }
        Matches { docs, scores }
    }

    /// The common case of [`Self::or`]: only should clauses, so a doc
    /// matches when any clause does, and its score is the sum of the
    /// clauses' scores in clause order (each doc's `f64` additions happen in
    /// that order, as in the general path).
    fn or_should(&mut self, clauses: &[(Occur, Matches)]) -> Matches {
        let s = &mut *self.s;
        let mut docs: Vec<u32> =
            Vec::with_capacity(clauses.iter().map(|c| c.1.docs.len()).max().unwrap_or(0));
        for (_, m) in clauses {
            for (&d, &score) in m.docs.iter().zip(&m.scores) {
                let i = d as usize;
                if !s.seen[i] {
                    s.seen[i] = true;
                    docs.push(d);
                }
                s.acc[i] += score;
            }
        }
        let mut scores = Vec::with_capacity(docs.len());
        for &d in &docs {
            let i = d as usize;
            scores.push(s.acc[i]);
            s.acc[i] = 0.0;
            s.seen[i] = false;
        }
        Matches { docs, scores }
    }

    fn fields(leaf: &LeafPlan) -> &'static [Field] {
        match leaf.field {
            None => &Field::ALL,
            Some(f) => &Field::ALL[f.index()..=f.index()],
        }
    }

    fn leaf(&mut self, leaf: &LeafPlan) -> Result<Matches> {
        let fields = Self::fields(leaf);
        let prefix = leaf.key.as_deref().unwrap_or("");
        let mut handles = std::mem::take(&mut self.s.handles);
        match &leaf.kind {
            Kind::Term(keys) => {
                let mut full = String::new();
                for key in keys {
                    full.clear();
                    full.push_str(prefix);
                    full.push_str(key);
                    let own = stem_key(&full) == full;
                    for &f in fields {
                        handles.clear();
                        stem_set(self.src, f, &full, own, &mut handles)?;
                        self.add_set(f, &handles)?;
                    }
                }
            }
            Kind::Prefix(pattern) => {
                for &f in fields {
                    handles.clear();
                    prefix_set(self.src, f, leaf.key.as_deref(), pattern, &mut handles)?;
                    self.add_set(f, &handles)?;
                }
            }
            Kind::Fuzzy(pattern, d) => {
                // fst's automaton misses matches when a pattern character
                // and a term character share a UTF-8 lead byte (`é~1` does
                // not find `è`); for ASCII patterns it is exact (checked
                // against a brute-force scan), so other patterns scan.
                let lev = if leaf.key.is_none() && pattern.is_ascii() {
                    Levenshtein::new(pattern, u32::from(*d)).ok()
                } else {
                    None
                };
                for &f in fields {
                    handles.clear();
                    fuzzy_set(
                        self.src,
                        f,
                        leaf.key.as_deref(),
                        pattern,
                        *d,
                        lev.as_ref(),
                        &mut handles,
                    )?;
                    self.add_set(f, &handles)?;
                }
            }
            Kind::Phrase(tokens) => {
                if let [(only, _)] = tokens.as_slice() {
                    let full = format!("{prefix}{only}");
                    for &f in fields {
                        handles.clear();
                        for part in 0..self.src.num_parts() {
                            if let Some(ord) = self.src.dict(part, f)?.get(&full) {
                                handles.push((part, ord));
                            }
                        }
                        self.add_set(f, &handles)?;
                    }
                } else {
                    for &f in fields {
                        self.add_phrase(f, prefix, tokens)?;
                    }
                }
            }
        }
        self.s.handles = handles;
        Ok(self.take_leaf())
    }

    /// Adds the contributions of one term set in one field.
    fn add_set(&mut self, f: Field, handles: &[Handle]) -> Result<()> {
        let mut buf = std::mem::take(&mut self.s.buf);
        buf.clear();
        if let [(part, ord)] = handles {
            self.src
                .postings(*part, f, *ord, |g, tf, dl| buf.push((g, tf, dl)))?;
        } else if !handles.is_empty() {
            let s = &mut *self.s;
            for &(part, ord) in handles {
                self.src.postings(part, f, ord, |g, tf, dl| {
                    let i = g as usize;
                    if s.tf[i] == 0 {
                        s.tf_touched.push(g);
                        s.dl[i] = dl;
                    }
                    s.tf[i] += tf;
                })?;
            }
            for &g in &s.tf_touched {
                let i = g as usize;
                buf.push((g, s.tf[i], s.dl[i]));
                s.tf[i] = 0;
            }
            s.tf_touched.clear();
        }
        self.add_tfs(f, &buf);
        self.s.buf = buf;
        Ok(())
    }

    /// Adds BM25 contributions for `(doc, tf, dl)` of one term set (or
    /// phrase) in one field; `n` is their number.
    fn add_tfs(&mut self, f: Field, buf: &[(u32, u32, u32)]) {
        if buf.is_empty() {
            return;
        }
        let idf = Bm25::idf(f64::from(self.n), buf.len() as f64);
        let weight_idf = self.opts.weights[f.index()] * idf;
        let avgdl = self.src.avgdl(f);
        let s = &mut *self.s;
        for &(g, tf, dl) in buf {
            let i = g as usize;
            s.acc[i] += self
                .bm25
                .score(weight_idf, f64::from(tf), f64::from(dl), avgdl);
            if !s.seen[i] {
                s.seen[i] = true;
                s.touched.push(g);
            }
        }
    }

    /// Adds the contributions of a phrase of two or more tokens in one field.
    fn add_phrase(&mut self, f: Field, prefix: &str, tokens: &[(String, u32)]) -> Result<()> {
        // Distinct terms, and each token's term index.
        let mut terms: Vec<String> = Vec::new();
        let mut which: Vec<usize> = Vec::with_capacity(tokens.len());
        for (t, _) in tokens {
            let full = format!("{prefix}{t}");
            let i = terms.iter().position(|x| *x == full).unwrap_or_else(|| {
                terms.push(full);
                terms.len() - 1
            });
            which.push(i);
        }
        let mut out: Vec<(u32, u32, u32)> = Vec::new();
        let mut flat: Vec<u32> = Vec::new();
        for part in 0..self.src.num_parts() {
            let dict = self.src.dict(part, f)?;
            let Some(ords) = terms
                .iter()
                .map(|t| dict.get(t))
                .collect::<Option<Vec<u64>>>()
            else {
                continue;
            };
            flat.clear();
            // Per term: (global id, dl, positions start, positions end), by id.
            let mut lists: Vec<Vec<(u32, u32, usize, usize)>> = Vec::with_capacity(ords.len());
            for &ord in &ords {
                let mut list = Vec::new();
                self.src.positions(part, f, ord, |g, dl, p| {
                    let a = flat.len();
                    flat.extend_from_slice(p);
                    list.push((g, dl, a, flat.len()));
                })?;
                list.sort_unstable_by_key(|e| e.0);
                lists.push(list);
            }
            let (first, others) = lists.split_at(1);
            'docs: for &(g, dl, a0, b0) in &first[0] {
                // The positions of each distinct term in doc g.
                let mut spans: Vec<(usize, usize)> = vec![(a0, b0)];
                for list in others {
                    match list.binary_search_by_key(&g, |e| e.0) {
                        Ok(i) => spans.push((list[i].2, list[i].3)),
                        Err(_) => continue 'docs,
                    }
                }
                let positions = |j: usize| &flat[spans[j].0..spans[j].1];
                let mut count = 0u32;
                for &q in positions(which[0]) {
                    // The first token sits at relative position 0.
                    let ok = tokens.iter().zip(&which).all(|((_, rel), &j)| {
                        q.checked_add(*rel)
                            .is_some_and(|p| positions(j).binary_search(&p).is_ok())
                    });
                    if ok {
                        count += 1;
                    }
                }
                if count > 0 {
                    out.push((g, count, dl));
                }
            }
        }
        self.add_tfs(f, &out);
        Ok(())
    }

    /// The leaf's matches from the accumulator, which is reset.
    fn take_leaf(&mut self) -> Matches {
        let s = &mut *self.s;
        let docs = std::mem::take(&mut s.touched);
        let mut scores = Vec::with_capacity(docs.len());
        for &d in &docs {
            let i = d as usize;
            scores.push(s.acc[i]);
            s.acc[i] = 0.0;
            s.seen[i] = false;
        }
        Matches { docs, scores }
    }
}

/// The docs `query` matches (in no particular order), with their exact
/// `f64` scores.
pub(crate) fn run<S: Source>(src: &S, query: &str, opts: &SearchOptions) -> Result<Matches> {
    let plan = plan(src, query, opts)?;
    let n = src.n_docs();
    SCRATCH.with(|cell| {
        let mut guard = cell.borrow_mut();
        let scratch = &mut *guard;
        scratch.prepare(n as usize);
        let mut exec = Exec {
            src,
            opts,
            bm25: src.bm25(),
            n,
            s: scratch,
        };
        let out = exec.node(&plan)?;
        scratch.dirty = false;
        Ok(out)
    })
}

// ---------------------------------------------------------------------------
// Snippets (§6).

/// The positive leaves of a query, for matching lines.
pub(crate) struct LineMatcher {
    leaves: Vec<Kind>,
}

/// Plans `query` (with the errors of a search) and keeps its distinct
/// positive leaves.
pub(crate) fn line_matcher<S: Source>(
    src: &S,
    query: &str,
    opts: &SearchOptions,
) -> Result<LineMatcher> {
    fn collect<'p>(p: &'p Plan, negated: bool, out: &mut Vec<&'p LeafPlan>) {
        match p {
            Plan::Leaf(leaf) => {
                if !negated && !out.iter().any(|l| l.ident == leaf.ident) {
                    out.push(leaf);
                }
            }
            Plan::Or(clauses) => {
                for (occur, child) in clauses {
                    collect(child, negated || *occur == Occur::MustNot, out);
                }
            }
            Plan::And(children) => {
                for child in children {
                    collect(child, negated, out);
                }
            }
        }
    }
    let plan = plan(src, query, opts)?;
    let mut leaves = Vec::new();
    collect(&plan, false, &mut leaves);
    Ok(LineMatcher {
        leaves: leaves.into_iter().map(|l| l.kind.clone()).collect(),
    })
}

struct LineTok {
    text: String,
    stem: String,
    position: u32,
    start: usize,
    end: usize,
}

impl LineMatcher {
    /// The number of leaves `line` matches and the byte spans of the tokens
    /// that match them.
    fn line(&self, line: &str, spans: &mut Vec<(usize, usize)>) -> usize {
        let mut toks: Vec<LineTok> = Vec::new();
        scan_tokens(line, |t| {
            toks.push(LineTok {
                text: t.text.to_owned(),
                stem: stem_key(t.text).into_owned(),
                position: t.position,
                start: t.start,
                end: t.end,
            });
            ControlFlow::Continue(())
        });
        let mut count = 0;
        for kind in &self.leaves {
            let before = spans.len();
            match kind {
                Kind::Term(keys) => spans.extend(
                    toks.iter()
                        .filter(|t| keys.contains(&t.stem))
                        .map(|t| (t.start, t.end)),
                ),
                Kind::Prefix(p) => spans.extend(
                    toks.iter()
                        .filter(|t| t.text.starts_with(p.as_str()))
                        .map(|t| (t.start, t.end)),
                ),
                Kind::Fuzzy(p, d) => spans.extend(
                    toks.iter()
                        .filter(|t| levenshtein_within(&t.text, p, usize::from(*d)))
                        .map(|t| (t.start, t.end)),
                ),
                Kind::Phrase(tokens) => {
                    let at = |pos: u32, text: &str| {
                        toks.iter().find(|t| t.position == pos && t.text == text)
                    };
                    for t0 in toks.iter().filter(|t| t.text == tokens[0].0) {
                        let p = t0.position;
                        let found: Option<Vec<&LineTok>> = tokens
                            .iter()
                            .map(|(text, rel)| p.checked_add(*rel).and_then(|q| at(q, text)))
                            .collect();
                        if let Some(found) = found {
                            spans.extend(found.iter().map(|t| (t.start, t.end)));
                        }
                    }
                }
            }
            if spans.len() > before {
                count += 1;
            }
        }
        count
    }

    /// The snippet of a file's text: its best line (§6), if any.
    pub(crate) fn snippet(&self, text: &str) -> Option<Snippet> {
        // (leaves matched, line index, line, byte spans) of the best line.
        type Best<'t> = (usize, usize, &'t str, Vec<(usize, usize)>);
        let mut best: Option<Best<'_>> = None;
        let mut spans = Vec::new();
        for (i, line) in crate::spec::lines(text).enumerate() {
            spans.clear();
            let count = self.line(line, &mut spans);
            if count > 0 && best.as_ref().is_none_or(|b| count > b.0) {
                best = Some((count, i, line, spans.clone()));
            }
        }
        let (_, i, line, mut spans) = best?;
        spans.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
        for (a, b) in spans {
            match merged.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        let chars = |b: usize| line[..b].chars().count() as u32;
        Some(Snippet {
            line: u32::try_from(i + 1).unwrap_or(u32::MAX),
            text: line.to_owned(),
            spans: merged
                .into_iter()
                .map(|(a, b)| (chars(a), chars(b)))
                .collect(),
        })
    }
}
