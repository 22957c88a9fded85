"""specsearch: a search engine for AI agent specs.

>>> import specsearch
>>> sorted(specsearch.BACKEND_NAMES)
['native', 'python', 'tantivy']
"""

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
]
