//! Ranking for routing: per-field BM25 with one IDF per word over whole docs.
//!
//! For each request word, in order, and each field, in [`Field::ALL`] order,
//! every doc holding the word (any term with its stem key) gets
//! `(weight_f * (w * idf)) * (tf * (k1_f + 1)) / (tf + k1_f * ((1 - b_f) + b_f * dl / avgdl_f))`
//! added to its `f64` score, where `idf` counts the docs holding the word in
//! any field and `w` is the word's weight ([`term_weight`]). In the name
//! field, name words in a proper prefix relation with the request word (and
//! without its stem key) add `prefix_credit` times their frequency to `tf`.

use fst::automaton::Str;
use fst::{Automaton, IntoStreamer, Streamer};

use crate::analysis::stem_key;
use crate::error::Result;
use crate::route::request::{analyze_request, RequestAnalysis, RequestTerm};
use crate::route::tables::{RouteParams, Tables};
use crate::schema::Field;
use crate::scoring::Bm25;
use crate::search::{stem_set, top_k, Source, TopDocs};

/// One field's share of one request word in a hit's score.
#[derive(Clone, Debug, PartialEq)]
pub struct Contribution {
    /// The request word.
    pub word: String,
    /// The field it matched in.
    pub field: Field,
    /// What it added to the score.
    pub score: f64,
}

/// What the request became, and why each asked-about doc ranks.
#[derive(Clone, Debug, PartialEq)]
pub struct RouteExplanation {
    /// The request's analysis.
    pub analysis: RequestAnalysis,
    /// Per doc asked about, its contributions, largest first.
    pub why: Vec<Vec<Contribution>>,
}

/// `(doc, tf, field length)`.
type Posting = (u32, f64, u32);

/// Where one request word occurs.
struct Evidence<'t> {
    term: &'t RequestTerm,
    /// Per field: `(doc, tf, dl)` of the docs holding a term with its stem key.
    units: [Vec<Posting>; 6],
    /// `(doc, summed tf, dl)` of the name words in a prefix relation with it.
    prefix: Vec<Posting>,
    doc_freq: u32,
    name_desc_df: u32,
}

/// A word's weight: `min(1, max(floor, idf_nd / generic_idf))` (1 when
/// `generic_idf` is 0), times `generic_list_factor` for a listed generic word.
#[must_use]
pub fn term_weight(generic: bool, name_desc_df: u32, n_docs: u32, p: &RouteParams) -> f64 {
    let mut weight = 1.0;
    if p.generic_idf > 0.0 {
        let ratio = Bm25::idf(f64::from(n_docs), f64::from(name_desc_df)) / p.generic_idf;
        weight = ratio.max(p.generic_floor).min(1.0);
    }
    if generic {
        weight *= p.generic_list_factor;
    }
    weight
}

/// Sums the frequencies of some terms (`(part, ordinal)`) of a field per doc.
fn term_set<S: Source>(
    src: &S,
    f: Field,
    handles: &[(usize, u64)],
    dense: &mut [(u32, u32)],
    touched: &mut Vec<u32>,
) -> Result<Vec<Posting>> {
    for &(part, ord) in handles {
        src.postings(part, f, ord, |g, tf, dl| {
            let i = g as usize;
            if dense[i].0 == 0 {
                touched.push(g);
                dense[i].1 = dl;
            }
            dense[i].0 += tf;
        })?;
    }
    let out = touched
        .iter()
        .map(|&g| {
            let (tf, dl) = dense[g as usize];
            (g, f64::from(tf), dl)
        })
        .collect();
    for &g in touched.iter() {
        dense[g as usize] = (0, 0);
    }
    touched.clear();
    Ok(out)
}

/// The terms of field `f` whose stem key is `key`, as `search` finds them.
fn stem_handles<S: Source>(src: &S, f: Field, key: &str) -> Result<Vec<(usize, u64)>> {
    let mut out = Vec::new();
    stem_set(src, f, key, stem_key(key) == key, &mut out)?;
    Ok(out)
}

/// The name words in a proper prefix relation with `term.text` (either
/// way, the shorter at least `prefix_min_chars` code points), without
/// `term.key` as stem key; as handles over every part.
fn prefix_handles<S: Source>(
    src: &S,
    term: &RequestTerm,
    p: &RouteParams,
) -> Result<Vec<(usize, u64)>> {
    let text = term.text.as_str();
    if text.chars().count() < p.prefix_min_chars {
        return Ok(Vec::new());
    }
    let mut words: Vec<Vec<u8>> = Vec::new();
    for part in 0..src.num_parts() {
        let dict = src.dict(part, Field::Name)?;
        let mut stream = dict.search(Str::new(text).starts_with()).into_stream();
        while let Some((t, _)) = stream.next() {
            if t != text.as_bytes() {
                words.push(t.to_vec());
            }
        }
        for (count, (at, _)) in text.char_indices().enumerate() {
            if count >= p.prefix_min_chars && dict.get(&text[..at]).is_some() {
                words.push(text.as_bytes()[..at].to_vec());
            }
        }
    }
    words.sort_unstable();
    words.dedup();
    let mut out = Vec::new();
    for w in &words {
        let Ok(w) = std::str::from_utf8(w) else {
            continue; // terms are UTF-8; a corrupt one matches nothing
        };
        if stem_key(w) == term.key {
            continue;
        }
        for part in 0..src.num_parts() {
            if let Some(ord) = src.dict(part, Field::Name)?.get(w) {
                out.push((part, ord));
            }
        }
    }
    Ok(out)
}

fn evidence<'t, S: Source>(
    src: &S,
    analysis: &'t RequestAnalysis,
    p: &RouteParams,
) -> Result<Vec<Evidence<'t>>> {
    let n = src.n_docs() as usize;
    let mut dense = vec![(0u32, 0u32); n];
    let mut touched = Vec::new();
    let mut seen = vec![0u8; n];
    let mut out = Vec::with_capacity(analysis.terms.len());
    for term in &analysis.terms {
        let mut units: [Vec<Posting>; 6] = Default::default();
        for f in Field::ALL {
            let handles = stem_handles(src, f, &term.key)?;
            units[f.index()] = term_set(src, f, &handles, &mut dense, &mut touched)?;
        }
        // Docs holding the word anywhere (bit 1), in the name or description (bit 2).
        let (mut doc_freq, mut name_desc_df) = (0u32, 0u32);
        for f in Field::ALL {
            let bit = if matches!(f, Field::Name | Field::Description) {
                3
            } else {
                1
            };
            for &(d, _, _) in &units[f.index()] {
                let s = &mut seen[d as usize];
                if *s & 1 == 0 {
                    doc_freq += 1;
                }
                if bit & 2 != 0 && *s & 2 == 0 {
                    name_desc_df += 1;
                }
                *s |= bit;
            }
        }
        for unit in &units {
            for &(d, _, _) in unit {
                seen[d as usize] = 0;
            }
        }
        let handles = prefix_handles(src, term, p)?;
        let prefix = term_set(src, Field::Name, &handles, &mut dense, &mut touched)?;
        out.push(Evidence {
            term,
            units,
            prefix,
            doc_freq,
            name_desc_df,
        });
    }
    Ok(out)
}

/// Calls `g(word, field, doc, contribution)` for every contribution, in summation order.
fn contributions<S: Source>(
    src: &S,
    evidence: &[Evidence<'_>],
    p: &RouteParams,
    mut g: impl FnMut(&Evidence<'_>, Field, u32, f64),
) {
    let n = src.n_docs();
    let mut name_tf: Vec<(f64, u32)> = vec![(0.0, 0); n as usize];
    let mut name_docs: Vec<u32> = Vec::new();
    let mut merged: Vec<Posting> = Vec::new();
    for ev in evidence {
        if ev.doc_freq == 0 && ev.prefix.is_empty() {
            continue;
        }
        let weight = term_weight(ev.term.generic, ev.name_desc_df, n, p);
        // A word matched only by prefix counts as if one doc held it.
        let idf = Bm25::idf(f64::from(n), f64::from(ev.doc_freq.max(1)));
        let word = weight * idf;
        for f in Field::ALL {
            let fp = p.fields[f.index()];
            let unit = &ev.units[f.index()];
            let with_prefix = f == Field::Name && !ev.prefix.is_empty() && p.prefix_credit != 0.0;
            if with_prefix {
                // 0.0 + tf, then + credit * prefix tf: the reference's order.
                for &(d, tf, dl) in unit {
                    name_tf[d as usize] = (tf, dl);
                    name_docs.push(d);
                }
                for &(d, tf, dl) in &ev.prefix {
                    let slot = &mut name_tf[d as usize];
                    if slot.0 == 0.0 {
                        name_docs.push(d);
                        slot.1 = dl;
                    }
                    slot.0 += p.prefix_credit * tf;
                }
                merged.clear();
                for &d in &name_docs {
                    let (tf, dl) = name_tf[d as usize];
                    merged.push((d, tf, dl));
                    name_tf[d as usize] = (0.0, 0);
                }
                name_docs.clear();
            }
            let docs: &[Posting] = if with_prefix { &merged } else { unit };
            if docs.is_empty() || fp.weight == 0.0 {
                continue;
            }
            let avgdl = src.avgdl(f);
            let bm25 = Bm25 { k1: fp.k1, b: fp.b };
            let weight_idf = fp.weight * word;
            for &(d, tf, dl) in docs {
                g(ev, f, d, bm25.score(weight_idf, tf, f64::from(dl), avgdl));
            }
        }
    }
}

/// Every doc's `f64` score for an analysed request (the fusion seam): docs
/// with a positive score, in the order first touched, with their scores.
///
/// # Errors
/// [`crate::Error::Format`] when an on-disk index turns out corrupt.
pub(crate) fn scores_source<S: Source>(
    src: &S,
    analysis: &RequestAnalysis,
    p: &RouteParams,
) -> Result<(Vec<u32>, Vec<f64>)> {
    let evidence = evidence(src, analysis, p)?;
    let mut acc = vec![0.0f64; src.n_docs() as usize];
    let mut docs: Vec<u32> = Vec::new();
    let mut seen = vec![false; acc.len()];
    contributions(src, &evidence, p, |_, _, d, c| {
        let i = d as usize;
        acc[i] += c;
        if !seen[i] {
            seen[i] = true;
            docs.push(d);
        }
    });
    docs.retain(|&d| acc[d as usize] > 0.0);
    let scores = docs.iter().map(|&d| acc[d as usize]).collect();
    Ok((docs, scores))
}

/// The `k` best docs for a request, with the shipped tables.
///
/// # Errors
/// [`crate::Error::Query`] for an empty request; [`crate::Error::Format`].
pub(crate) fn route_source<S: Source>(src: &S, request: &str, k: usize) -> Result<TopDocs> {
    let tables = Tables::shipped()?;
    let analysis = analyze_request(request, tables, tables.params.filler)?;
    let (docs, scores) = scores_source(src, &analysis, &tables.params)?;
    Ok(top_k(&docs, &scores, k))
}

/// What the request became, and each doc's contributions (largest first;
/// ties by word, then field order).
///
/// # Errors
/// As [`route_source`].
pub(crate) fn explain_source<S: Source>(
    src: &S,
    request: &str,
    ids: &[u32],
) -> Result<RouteExplanation> {
    let tables = Tables::shipped()?;
    let p = &tables.params;
    let analysis = analyze_request(request, tables, p.filler)?;
    let mut why: Vec<Vec<Contribution>> = vec![Vec::new(); ids.len()];
    {
        let evidence = evidence(src, &analysis, p)?;
        let mut rows: rustc_hash::FxHashMap<u32, Vec<usize>> = rustc_hash::FxHashMap::default();
        for (row, &d) in ids.iter().enumerate() {
            rows.entry(d).or_default().push(row);
        }
        contributions(src, &evidence, p, |ev, f, d, c| {
            if let Some(found) = rows.get(&d) {
                for &row in found {
                    why[row].push(Contribution {
                        word: ev.term.text.clone(),
                        field: f,
                        score: c,
                    });
                }
            }
        });
    }
    for row in &mut why {
        row.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.word.cmp(&b.word))
                .then_with(|| a.field.cmp(&b.field))
        });
    }
    Ok(RouteExplanation { analysis, why })
}
