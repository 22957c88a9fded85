"""The pure-Python backend: the readable reference engine (the oracle).

It implements SPEC.md with the standard library, numpy, PyYAML and
snowballstemmer 2.2.0 only (its gitignore matching is a port of the Rust
`ignore` crate's). Importing it imports numpy; ``specsearch`` itself does not.

The names below are its public API, for tools that reuse a step of the
engine (the benchmark harness parses specs and queries with them); the
submodules are internals.
"""

from __future__ import annotations

from specsearch.pure.backend import ArrayBatchTopDocs, ArrayTopDocs, PurePythonBackend
from specsearch.pure.index import PureIndex, read_spec
from specsearch.pure.query import And, Fuzzy, Leaf, Node, Occur, Or, Phrase, Prefix, Term, to_text
from specsearch.pure.query import parse as parse_query
from specsearch.pure.spec import ParsedSpec, decode_lines, parse_spec
from specsearch.pure.walk import SpecFile, collect

__all__ = [
    "And",
    "ArrayBatchTopDocs",
    "ArrayTopDocs",
    "Fuzzy",
    "Leaf",
    "Node",
    "Occur",
    "Or",
    "ParsedSpec",
    "Phrase",
    "Prefix",
    "PureIndex",
    "PurePythonBackend",
    "SpecFile",
    "Term",
    "collect",
    "decode_lines",
    "parse_query",
    "parse_spec",
    "read_spec",
    "to_text",
]
