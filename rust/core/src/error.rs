//! The crate's error type.
//!
//! Problems with single files are not errors: they are [`crate::problem::Problem`]s
//! returned next to the index. An [`Error`] stops the operation that raised it.

use std::path::PathBuf;

/// An error that stops a build, a search or a snippet.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The query cannot be run (for example, it has no searchable terms).
    #[error("invalid query {query:?} at position {position}: {message}")]
    Query {
        /// The query as given.
        query: String,
        /// The character position in the query the message refers to.
        position: usize,
        /// What is wrong.
        message: String,
    },
    /// A schema parameter is invalid.
    #[error("invalid schema value for {field}: {detail}")]
    Schema {
        /// The parameter (`k1`, `b`, or `weight.<field>`).
        field: String,
        /// What is wrong, with the offending value.
        detail: String,
    },
    /// An I/O error on a path (a missing root, an unreadable file at search time).
    #[error("{}: {source}", path.display())]
    Io {
        /// The path the operation was on.
        path: PathBuf,
        /// The underlying error; its kind tells `NotFound` apart.
        #[source]
        source: std::io::Error,
    },
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_offending_value() {
        let e = Error::Query {
            query: "!!".into(),
            position: 0,
            message: "the query has no searchable terms".into(),
        };
        assert_eq!(
            e.to_string(),
            "invalid query \"!!\" at position 0: the query has no searchable terms"
        );
        let e = Error::Io {
            path: PathBuf::from("nope/x"),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "gone"),
        };
        assert_eq!(e.to_string(), "nope/x: gone");
        let e = Error::Schema {
            field: "k1".into(),
            detail: "must be finite and >= 0, got -1".into(),
        };
        assert!(e.to_string().contains("-1"));
    }
}
