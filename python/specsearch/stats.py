"""Counts and sizes: of an index (`IndexStats`), of a default index folder (`CacheEntry`).

Public as :mod:`specsearch.backend`'s and :mod:`specsearch.cache`'s names
(and the package's), which load this module on first use: ``stats`` and
``cache`` make these, a query none, and each dataclass costs start-up time.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CacheEntry", "IndexStats"]


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexStats:
    """Counts and sizes of an index.

    Attributes:
        backend: The backend's name.
        docs: Indexed specs.
        terms: Distinct terms, summed over the fields.
        segments: Segments (1 for an index in memory or in one file).
        size_bytes: Bytes on disk (0 for an index that lives in memory).
        location: The index folder, or None in memory.
    """

    backend: str
    docs: int
    terms: int
    segments: int
    size_bytes: int
    location: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class CacheEntry:
    """One default index folder.

    Attributes:
        path: The folder.
        roots: The canonical roots it indexes (empty when unknown).
        size_bytes: Bytes of every file in it.
        last_used: When it was last opened (seconds since the epoch).
        missing: Roots that no longer exist.
    """

    path: str
    roots: tuple[str, ...]
    size_bytes: int
    last_used: float
    missing: tuple[str, ...]
