"""specsearch: a search engine for AI agent specs.

>>> import specsearch
>>> sorted(specsearch.BACKEND_NAMES)
['native', 'python', 'tantivy']
>>> specsearch.__version__[0].isdigit()
True
"""

import os
import re

from specsearch.backend import BACKEND_NAMES, BuildOptions
from specsearch.engine import BatchHits, Hits, Index
from specsearch.errors import (
    BackendUnavailableError,
    IndexFormatError,
    IndexLockedError,
    IndexStateError,
    QueryError,
    SchemaError,
    SpecsearchError,
)
from specsearch.types import DocInfo, Hit, Problem, Snippet

__all__ = [
    "BACKEND_NAMES",
    "BackendUnavailableError",
    "BatchHits",
    "BuildOptions",
    "DocInfo",
    "Hit",
    "Hits",
    "Index",
    "IndexFormatError",
    "IndexLockedError",
    "IndexStateError",
    "Problem",
    "QueryError",
    "SchemaError",
    "Snippet",
    "SpecsearchError",
    "__version__",
]


def _version() -> str:
    """The version, defined once in Cargo.toml: from the installed metadata or the tree."""
    from importlib import metadata  # noqa: PLC0415 (only when asked)

    try:
        return metadata.version("specsearch")
    except metadata.PackageNotFoundError:
        pass
    # Run from a source tree (PYTHONPATH=python): read the workspace's Cargo.toml.
    cargo = os.path.join(os.path.dirname(__file__), "..", "..", "Cargo.toml")
    try:
        with open(cargo, encoding="utf-8") as f:
            found = re.search(r'^version\s*=\s*"([^"]+)"', f.read(), re.MULTILINE)
    except OSError:
        found = None
    return found.group(1) if found else "0+unknown"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return _version()
    raise AttributeError(f"module 'specsearch' has no attribute {name!r}")
