//! Search options: the field weights (checked by
//! [`crate::schema::check_weights`]) and the parse mode.

use crate::error::Result;
use crate::query::ParseMode;
use crate::schema::DEFAULT_WEIGHTS;

/// How a search runs: the field weights and the parse mode.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SearchOptions {
    /// The weight of each field, indexed by [`Field::index`].
    pub weights: [f64; 6],
    /// How the query is parsed.
    pub mode: ParseMode,
}

impl Default for SearchOptions {
    /// The schema's default weights (§2), lenient parsing.
    fn default() -> Self {
        Self {
            weights: DEFAULT_WEIGHTS,
            mode: ParseMode::Lenient,
        }
    }
}

impl SearchOptions {
    /// Validated options: `weights` (the defaults when `None`) and `mode`.
    ///
    /// # Errors
    /// [`Error::Schema`] naming the field (`weight.<field>`) when a weight
    /// is not finite or is negative.
    pub fn new(weights: Option<[f64; 6]>, mode: ParseMode) -> Result<Self> {
        let opts = Self {
            weights: weights.unwrap_or(DEFAULT_WEIGHTS),
            mode,
        };
        opts.validate()?;
        Ok(opts)
    }

    /// Checks the weights (see [`SearchOptions::new`]).
    ///
    /// # Errors
    /// [`Error::Schema`] naming the first invalid weight.
    pub fn validate(&self) -> Result<()> {
        crate::schema::check_weights(&self.weights)
    }
}
