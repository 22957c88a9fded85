//! The crate's error type.
//!
//! Problems with single files are not errors: they are [`crate::problem::Problem`]s
//! returned next to the index. An [`Error`] stops the operation that raised it.
//!
//! Layering: shared; reads nothing else in the crate.

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
    /// An index file is corrupt, foreign, truncated or of an unknown format
    /// version (the file is named).
    #[error("{}: not a valid specsearch index file: {detail}", path.display())]
    Format {
        /// The file that cannot be read.
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },
    /// A model folder (weights, config or vocabulary) cannot be used.
    #[error("{}: not a usable model file: {detail}", path.display())]
    Model {
        /// The file at fault.
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },
    /// Another writer holds the index lock.
    #[error("{}: the index is locked by another writer{}", path.display(), holder.map(|p| format!(" (pid {p})")).unwrap_or_default())]
    Locked {
        /// The lock file.
        path: PathBuf,
        /// The pid written by the holder, when it could be read.
        holder: Option<u32>,
    },
    /// The caller cancelled an index update (Ctrl-C); nothing was committed,
    /// so the index is as it was.
    #[error("the index update was cancelled; the last committed index is unchanged")]
    Cancelled,
}

impl Error {
    /// A [`Error::Format`] about `path`.
    pub(crate) fn format(path: &std::path::Path, detail: impl Into<String>) -> Self {
        Error::Format {
            path: path.to_path_buf(),
            detail: detail.into(),
        }
    }

    /// An [`Error::Io`] about `path`.
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// What to say of this error under the name of its file: a
    /// [`Error::Format`]'s detail alone (the file is named once, by the
    /// error that wraps it), any other error whole.
    pub(crate) fn into_detail(self) -> String {
        match self {
            Error::Format { detail, .. } => detail,
            other => other.to_string(),
        }
    }

    /// Whether this is an [`Error::Io`] of kind `NotFound`.
    pub(crate) fn is_not_found(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }
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
