"""Typed errors. Both backends raise exactly these classes.

I/O failures are the built-in ``FileNotFoundError``, ``PermissionError`` and
``OSError``; everything else specsearch raises derives from
:class:`SpecsearchError`.
"""

from __future__ import annotations

__all__ = [
    "BackendUnavailableError",
    "IndexFormatError",
    "IndexLockedError",
    "IndexStateError",
    "ModelError",
    "ModelNotFoundError",
    "QueryError",
    "SchemaError",
    "SpecsearchError",
]


class SpecsearchError(Exception):
    """Base class of every error specsearch raises (other than OS errors)."""


class SchemaError(SpecsearchError, ValueError):
    """An invalid schema or option.

    Attributes:
        field: The offending field or option name.
        detail: What is wrong with it.
    """

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"{field}: {detail}")
        self.field = field
        self.detail = detail


class QueryError(SpecsearchError, ValueError):
    """A query that cannot be run.

    Attributes:
        query: The query text.
        position: The character offset in ``query`` where the problem is.
        detail: What is wrong.

    >>> str(QueryError("", 0, "the query has no searchable terms"))
    'invalid query at position 0: the query has no searchable terms'
    """

    def __init__(self, query: str, position: int, detail: str) -> None:
        super().__init__(f"invalid query at position {position}: {detail}")
        self.query = query
        self.position = position
        self.detail = detail


class IndexFormatError(SpecsearchError):
    """An index file that is corrupt, foreign or of an unknown format version.

    Attributes:
        path: The file that cannot be read, when known.

    >>> IndexFormatError("idx/seg: bad magic", path="idx/seg").path
    'idx/seg'
    """

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class IndexLockedError(SpecsearchError):
    """Another writer holds the index lock.

    Attributes:
        path: The lock file, when known.
        holder: The pid of the process holding the lock, when it could be read.

    >>> IndexLockedError("idx/LOCK: locked", path="idx/LOCK", holder=42).holder
    42
    """

    def __init__(self, message: str, path: str | None = None, holder: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.holder = holder


class IndexStateError(SpecsearchError, RuntimeError):
    """An operation on a closed or consumed handle."""


class BackendUnavailableError(SpecsearchError):
    """A backend was asked for by name but cannot be loaded here."""


class ModelError(SpecsearchError):
    """A model folder whose weights, config or vocabulary cannot be used.

    Attributes:
        path: The file at fault.
        detail: What is wrong with it.
    """

    def __init__(self, path: str, detail: str) -> None:
        super().__init__(f"{path}: not a usable model file: {detail}")
        self.path = path
        self.detail = detail


class ModelNotFoundError(SpecsearchError):
    """No sentence-embedding model is installed (``specsearch model fetch`` gets one)."""
