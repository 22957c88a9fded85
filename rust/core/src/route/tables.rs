//! The routing data file, shared with the Python engine.
//!
//! `python/specsearch/data/routing.json` is the one place the filler
//! patterns, stop words, generic words and ranking parameters live; the
//! tuner (`python -m benches.relevance --tune`) writes its `params`.

use std::sync::OnceLock;

use rustc_hash::FxHashSet;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::schema::Field;

/// The shipped data file's text.
pub const ROUTING_JSON: &str = include_str!("../../../../python/specsearch/data/routing.json");

/// One field's BM25 parameters for routing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FieldParams {
    /// The field's weight.
    pub weight: f64,
    /// Term-frequency saturation.
    pub k1: f64,
    /// Length normalisation (at most 1).
    pub b: f64,
}

/// Every ranking parameter of `route` (the data file's `params`).
#[derive(Clone, Debug, PartialEq)]
pub struct RouteParams {
    /// Per field, in [`Field::ALL`] order.
    pub fields: [FieldParams; 6],
    /// The frequency a prefix match of a name word counts for (0: off).
    pub prefix_credit: f64,
    /// The shortest word, in code points, that takes part in a prefix match.
    pub prefix_min_chars: usize,
    /// A word whose IDF over the name and description fields is at least
    /// this keeps its full weight; below, that IDF divided by this (0: off).
    pub generic_idf: f64,
    /// The lowest corpus weight of a word.
    pub generic_floor: f64,
    /// The weight factor of the data file's generic words.
    pub generic_list_factor: f64,
    /// Whether filler patterns and stop words are removed.
    pub filler: bool,
}

/// An element of a filler pattern: the words it accepts, and whether it may be skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Element {
    /// The accepted words.
    pub choices: FxHashSet<String>,
    /// Whether the element is optional.
    pub optional: bool,
}

/// The data file, parsed.
#[derive(Clone, Debug)]
pub struct Tables {
    /// Filler patterns.
    pub patterns: Vec<Vec<Element>>,
    /// Stop words.
    pub stopwords: FxHashSet<String>,
    /// Generic words of the domain.
    pub generic: FxHashSet<String>,
    /// The ranking parameters.
    pub params: RouteParams,
}

fn schema(field: impl Into<String>, detail: impl Into<String>) -> Error {
    Error::Schema {
        field: field.into(),
        detail: detail.into(),
    }
}

fn number(raw: Option<&Value>, where_: &str) -> Result<f64> {
    match raw.and_then(Value::as_f64) {
        Some(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(schema(
            where_,
            format!(
                "expected a finite number >= 0, got {}",
                raw.map_or_else(|| "nothing".to_owned(), Value::to_string)
            ),
        )),
    }
}

fn words(raw: Option<&Value>, where_: &str) -> Result<Vec<String>> {
    let bad = || schema(where_, "expected a list of non-empty strings");
    let list = raw.and_then(Value::as_array).ok_or_else(bad)?;
    list.iter()
        .map(|v| match v.as_str() {
            Some(s) if !s.is_empty() => Ok(s.to_owned()),
            _ => Err(bad()),
        })
        .collect()
}

fn params(raw: Option<&Value>) -> Result<RouteParams> {
    let raw = raw
        .and_then(Value::as_object)
        .ok_or_else(|| schema("params", "expected an object"))?;
    let fields_raw: &Map<String, Value> = raw
        .get("fields")
        .and_then(Value::as_object)
        .filter(|m| m.len() == 6 && Field::ALL.iter().all(|f| m.contains_key(f.as_str())))
        .ok_or_else(|| schema("params.fields", "expected one object per field"))?;
    let mut fields = [FieldParams {
        weight: 0.0,
        k1: 0.0,
        b: 0.0,
    }; 6];
    for f in Field::ALL {
        let name = f.as_str();
        let entry = fields_raw
            .get(name)
            .and_then(Value::as_object)
            .ok_or_else(|| schema(format!("params.fields.{name}"), "expected an object"))?;
        fields[f.index()] = FieldParams {
            weight: number(entry.get("weight"), &format!("params.fields.{name}.weight"))?,
            k1: number(entry.get("k1"), &format!("params.fields.{name}.k1"))?,
            b: number(entry.get("b"), &format!("params.fields.{name}.b"))?.min(1.0),
        };
    }
    let min_chars = number(raw.get("prefix_min_chars"), "params.prefix_min_chars")?;
    Ok(RouteParams {
        fields,
        prefix_credit: number(raw.get("prefix_credit"), "params.prefix_credit")?,
        // A small count (checked finite and >= 0); truncated as Python's int() does.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        prefix_min_chars: min_chars as usize,
        generic_idf: number(raw.get("generic_idf"), "params.generic_idf")?,
        generic_floor: number(raw.get("generic_floor"), "params.generic_floor")?,
        generic_list_factor: number(raw.get("generic_list_factor"), "params.generic_list_factor")?,
        filler: true,
    })
}

impl Tables {
    /// Parses a routing data file.
    ///
    /// # Errors
    /// [`Error::Schema`] naming the field that is not as expected.
    pub fn parse(text: &str) -> Result<Tables> {
        let raw: Value = serde_json::from_str(text)
            .map_err(|e| schema("routing.json", format!("not JSON: {e}")))?;
        let raw = raw
            .as_object()
            .ok_or_else(|| schema("routing.json", "expected an object"))?;
        let list = raw
            .get("filler_patterns")
            .and_then(Value::as_array)
            .ok_or_else(|| schema("filler_patterns", "expected a list of patterns"))?;
        let mut patterns = Vec::with_capacity(list.len());
        for (i, pattern) in list.iter().enumerate() {
            let where_ = format!("filler_patterns[{i}]");
            let elements: Vec<Element> = words(Some(pattern), &where_)?
                .iter()
                .map(|e| Element {
                    choices: e
                        .strip_suffix('?')
                        .unwrap_or(e)
                        .split('|')
                        .map(str::to_owned)
                        .collect(),
                    optional: e.ends_with('?'),
                })
                .collect();
            if elements.iter().all(|e| e.optional) {
                return Err(schema(where_, "needs at least one required element"));
            }
            patterns.push(elements);
        }
        Ok(Tables {
            patterns,
            stopwords: words(raw.get("stopwords"), "stopwords")?
                .into_iter()
                .collect(),
            generic: words(raw.get("generic_words"), "generic_words")?
                .into_iter()
                .collect(),
            params: params(raw.get("params"))?,
        })
    }

    /// The shipped tables ([`ROUTING_JSON`]), parsed once.
    ///
    /// # Errors
    /// [`Error::Schema`] if the shipped file is invalid (a build defect that
    /// the tests rule out; reported, never a panic).
    pub fn shipped() -> Result<&'static Tables> {
        static SHIPPED: OnceLock<std::result::Result<Tables, String>> = OnceLock::new();
        SHIPPED
            .get_or_init(|| Tables::parse(ROUTING_JSON).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| schema("routing.json", e.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_file_parses() {
        let t = Tables::shipped().expect("the shipped routing.json is valid");
        assert!(!t.patterns.is_empty());
        assert!(t.stopwords.contains("the"));
        assert!(t.generic.contains("agent"));
        assert!(t.params.fields.iter().all(|f| f.b <= 1.0));
    }

    #[test]
    fn errors_name_the_field() {
        for (text, field) in [
            ("[]", "routing.json"),
            (
                r#"{"filler_patterns": [["x?"]], "stopwords": [], "generic_words": []}"#,
                "filler_patterns[0]",
            ),
            (
                r#"{"filler_patterns": [], "stopwords": [1], "generic_words": []}"#,
                "stopwords",
            ),
        ] {
            match Tables::parse(text) {
                Err(Error::Schema { field: got, .. }) => assert_eq!(got, field, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
    }
}
