"""What an index reports: what its open did, its counts, a default folder.

:class:`UpdateInfo`, :class:`IndexStats` and :class:`CacheEntry` are public
as :mod:`specsearch.backend`'s names (and the package's) and
:mod:`specsearch.cache`'s, which load this module on first use: a query
starts its index's open before it makes any, and each dataclass made before
that start delays it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CacheEntry", "IndexStats", "UpdateInfo"]


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateInfo:
    """What opening a persistent index did to bring it up to date.

    Attributes:
        added: Specs indexed for the first time.
        changed: Specs whose content changed, indexed again.
        deleted: Specs that are gone.
        unchanged: Specs reused without being read.
        rebuilt: An existing index could not be used (unreadable, damaged, of
            another version or ``max_file_bytes``) and was built afresh; False
            for the first build of an index folder.
        committed: Something changed and a new index version was written.
        damage: Why the existing index was rebuilt when it could not be read
            (the corrupt file and what was wrong), else None.
    """

    added: int
    changed: int
    deleted: int
    unchanged: int
    rebuilt: bool
    committed: bool
    damage: str | None = None


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
