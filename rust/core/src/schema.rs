//! The fields of a spec and the BM25 parameters (ARCHITECTURE.md §2, §5).

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

    /// The field with that name, if any.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

/// The scoring parameters: a weight per field (in [`Field::ALL`] order), `k1` and `b`.
///
/// [`Schema::default`] is the contract's schema; [`Schema::new`] validates custom values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Schema {
    /// The weight of each field, indexed by [`Field::index`].
    pub weights: [f64; 6],
    /// BM25 term-frequency saturation.
    pub k1: f64,
    /// BM25 length normalization.
    pub b: f64,
}

impl Default for Schema {
    fn default() -> Self {
        Self {
            weights: [3.0, 2.0, 1.0, 1.5, 1.0, 1.5],
            k1: 1.2,
            b: 0.75,
        }
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
    /// [`Error::Schema`] when a weight or `k1` is negative or not finite, or
    /// `b` is outside `[0, 1]`.
    pub fn new(weights: [f64; 6], k1: f64, b: f64) -> Result<Self> {
        let s = Self { weights, k1, b };
        s.validate()?;
        Ok(s)
    }

    /// Checks the values (see [`Schema::new`]).
    ///
    /// # Errors
    /// [`Error::Schema`] naming the first invalid value.
    pub fn validate(&self) -> Result<()> {
        check_weights(&self.weights)?;
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

    /// The weight of a field.
    #[must_use]
    pub fn weight(&self, f: Field) -> f64 {
        self.weights[f.index()]
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
        assert_eq!(s.weight(Field::Name), 3.0);
        assert_eq!(s.weight(Field::Headings), 1.5);
        assert_eq!(s.weight(Field::Examples), 1.5);
        assert_eq!((s.k1, s.b), (1.2, 0.75));
        assert!(s.validate().is_ok());
    }

    #[test]
    fn invalid_values_are_rejected() {
        let mut w = Schema::default().weights;
        w[2] = -1.0;
        let err = Schema::new(w, 1.2, 0.75).unwrap_err();
        assert!(matches!(&err, Error::Schema { field, .. } if field == "weight.frontmatter"));
        assert!(err.to_string().contains("-1"));
        assert!(Schema::new(Schema::default().weights, f64::NAN, 0.75).is_err());
        assert!(Schema::new(Schema::default().weights, 1.2, 1.5).is_err());
        assert!(Schema::new(Schema::default().weights, 0.0, 0.0).is_ok());
    }
}
