//! Problems: anything wrong with one file (SPEC.md §7).
//!
//! A problem never stops a build: the file is indexed as far as it can be, or
//! skipped, and the problem is returned next to the index.
//!
//! Layering: shared; reads nothing else in the crate.

use std::fmt;

/// Something wrong with one file: its path, a 1-based line when known, and a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The doc path of the file (as in §1), or the path a walk error names.
    pub path: String,
    /// The 1-based line in the file, when the problem has one.
    pub line: Option<u32>,
    /// What is wrong.
    pub message: String,
}

impl Problem {
    /// A problem with a line number.
    #[must_use]
    pub fn at_line(path: &str, line: u32, message: impl Into<String>) -> Self {
        Self {
            path: path.to_owned(),
            line: Some(line),
            message: message.into(),
        }
    }

    /// A problem about a whole file.
    #[must_use]
    pub fn file(path: &str, message: impl Into<String>) -> Self {
        Self {
            path: path.to_owned(),
            line: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path, line, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_includes_line_when_known() {
        assert_eq!(
            Problem::at_line("a.md", 3, "bad").to_string(),
            "a.md:3: bad"
        );
        assert_eq!(Problem::file("a.md", "binary").to_string(), "a.md: binary");
    }
}
