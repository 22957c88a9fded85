"""The pure-Python backend: the readable reference engine (the oracle).

It implements ARCHITECTURE.md with the standard library, numpy, PyYAML and
snowballstemmer 2.2.0 only (its gitignore matching is a port of the Rust
`ignore` crate's).
Importing it imports numpy; ``specsearch`` itself does not.
"""

from __future__ import annotations

from specsearch.pure.index import PureIndex

__all__ = ["PureIndex"]
