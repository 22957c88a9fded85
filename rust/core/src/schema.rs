//! The fields of a spec, their default weights and the BM25 parameters
//! (SPEC.md §2, §5): the one definition in Rust. Weights are chosen
//! per search (`SearchOptions`, defaulting to [`DEFAULT_WEIGHTS`]) and
//! checked by [`check_weights`] only; an index's [`Schema`] holds what is
//! fixed for the index, the BM25 parameters. Layering: `schema` reads only
//! `error`; every other module may read it.

use crate::error::{Error, Result};

/// A field of a spec, in schema order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// The spec's name.
    Name,
    /// The description.
    Description,
    /// The other frontmatter entries, `K\nV` each.
    Frontmatter,
    /// The heading texts.
    Headings,
    /// The other body lines.
    Body,
    /// The user requests of `<example>` blocks.
    Examples,
}

impl Field {
    /// Every field, in schema order (the order scores are summed in).
    pub const ALL: [Field; 6] = [
        Field::Name,
        Field::Description,
        Field::Frontmatter,
        Field::Headings,
        Field::Body,
        Field::Examples,
    ];

    /// The field's name: `name`, `description`, `frontmatter`, `headings`, `body`, `examples`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Description => "description",
            Field::Frontmatter => "frontmatter",
            Field::Headings => "headings",
            Field::Body => "body",
            Field::Examples => "examples",
        }
    }

    /// The field's index in [`Field::ALL`].
    #[must_use]
    pub fn index(self) -> usize {
        self as usize
    }

    /// The field's default weight (§2), from [`DEFAULT_WEIGHTS`].
    #[must_use]
    pub fn default_weight(self) -> f64 {
        DEFAULT_WEIGHTS[self.index()]
    }

    /// The field with that name, if any.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

/// The default weight of each field, in [`Field::ALL`] order (§2).
pub const DEFAULT_WEIGHTS: [f64; 6] = [3.0, 2.0, 1.0, 1.5, 1.0, 1.5];

/// An index's scoring parameters, `k1` and `b` (the field weights are
/// chosen per search).
///
/// [`Schema::default`] is the contract's schema; [`Schema::new`] validates custom values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Schema {
    /// BM25 term-frequency saturation.
    pub k1: f64,
    /// BM25 length normalization.
    pub b: f64,
}

impl Default for Schema {
    fn default() -> Self {
        Self { k1: 1.2, b: 0.75 }
    }
}

/// Checks field weights (in schema order): each finite and >= 0.
///
/// # Errors
/// [`Error::Schema`] naming the first invalid weight (`weight.<field>`).
pub(crate) fn check_weights(weights: &[f64; 6]) -> Result<()> {
    for f in Field::ALL {
        let w = weights[f.index()];
        if !(w.is_finite() && w >= 0.0) {
            return Err(Error::Schema {
                field: format!("weight.{}", f.as_str()),
                detail: format!("must be finite and >= 0, got {w}"),
            });
        }
    }
    Ok(())
}

impl Schema {
    /// A validated schema.
    ///
    /// # Errors
    /// [`Error::Schema`] when `k1` is negative or not finite, or `b` is
    /// outside `[0, 1]`.
    pub fn new(k1: f64, b: f64) -> Result<Self> {
        let s = Self { k1, b };
        s.validate()?;
        Ok(s)
    }

    /// Checks the values (see [`Schema::new`]).
    ///
    /// # Errors
    /// [`Error::Schema`] naming the first invalid value.
    pub fn validate(&self) -> Result<()> {
        if !(self.k1.is_finite() && self.k1 >= 0.0) {
            return Err(Error::Schema {
                field: "k1".into(),
                detail: format!("must be finite and >= 0, got {}", self.k1),
            });
        }
        if !(0.0..=1.0).contains(&self.b) {
            return Err(Error::Schema {
                field: "b".into(),
                detail: format!("must be between 0 and 1, got {}", self.b),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // exact equality is what is tested
mod tests {
    use super::*;

    #[test]
    fn field_order_and_names() {
        let names: Vec<&str> = Field::ALL.iter().map(|f| f.as_str()).collect();
        assert_eq!(
            names,
            [
                "name",
                "description",
                "frontmatter",
                "headings",
                "body",
                "examples"
            ]
        );
        for (i, f) in Field::ALL.into_iter().enumerate() {
            assert_eq!(f.index(), i);
            assert_eq!(Field::from_name(f.as_str()), Some(f));
        }
        assert_eq!(Field::from_name("nope"), None);
    }

    #[test]
    fn default_schema_matches_contract() {
        let s = Schema::default();
        assert_eq!(Field::Name.default_weight(), 3.0);
        assert_eq!(Field::Headings.default_weight(), 1.5);
        assert_eq!(Field::Examples.default_weight(), 1.5);
        assert!(check_weights(&DEFAULT_WEIGHTS).is_ok());
        assert_eq!((s.k1, s.b), (1.2, 0.75));
        assert!(s.validate().is_ok());
    }

    #[test]
    fn invalid_values_are_rejected() {
        let mut w = DEFAULT_WEIGHTS;
        w[2] = -1.0;
        let err = check_weights(&w).unwrap_err();
        assert!(matches!(&err, Error::Schema { field, .. } if field == "weight.frontmatter"));
        assert!(err.to_string().contains("-1"));
        assert!(Schema::new(f64::NAN, 0.75).is_err());
        assert!(Schema::new(1.2, 1.5).is_err());
        assert!(Schema::new(0.0, 0.0).is_ok());
    }
}
