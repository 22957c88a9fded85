"""The values a backend trades in, and (by name) the protocols it implements.

The facade (:mod:`specsearch.engine`) only ever talks to a
:class:`~specsearch.protocols.Backend`, made by a
:class:`~specsearch.protocols.BackendClass`; which backend is used is decided
in :mod:`specsearch.select`. This module holds the frozen value types.
The protocols are defined in :mod:`specsearch.protocols` and reached from
here as well, on first use: defining a ``Protocol`` imports ``typing``, which
a query's start-up does without.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from specsearch.errors import SchemaError

#: ``typing.TYPE_CHECKING`` without importing ``typing`` (start-up cost); mypy reads it so.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from specsearch.protocols import Backend, BackendClass, BatchTopDocs, TopDocs

__all__ = [
    "DEFAULT_MAX_FILE_BYTES",
    "Backend",
    "BackendClass",
    "BatchTopDocs",
    "BuildOptions",
    "IndexStats",
    "Progress",
    "TopDocs",
    "UpdateInfo",
]

DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024
DEFAULT_MEMORY_BUDGET = 256 * 1024 * 1024
DEFAULT_MERGE_THRESHOLD = 8


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildOptions:
    """How to build an index.

    Attributes:
        max_file_bytes: Files larger than this are skipped and reported.
        threads: Worker threads for the native backend (0: all cores).
        memory_budget: Bytes the native writer may buffer before it flushes a
            segment, so memory does not grow with the corpus.
        merge_threshold: The native index merges its segments when it has
            more than this many.
        hidden: Walk hidden files and folders too (SPEC.md §1).
        no_ignore: Do not read ignore files (SPEC.md §1).
        verify: When opening an on-disk index, check the checksum of every
            part of it, not only of what is read (``specsearch index``); a
            mismatch is an ``IndexFormatError``. For the python cache: the
            whole ``docs.jsonl`` (sha256) and every postings list of its
            snapshot (CRC-32).
    """

    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    threads: int = 0
    memory_budget: int = DEFAULT_MEMORY_BUDGET
    merge_threshold: int = DEFAULT_MERGE_THRESHOLD
    hidden: bool = False
    no_ignore: bool = False
    verify: bool = False

    def __post_init__(self) -> None:
        for name in ("max_file_bytes", "threads", "memory_budget"):
            value = getattr(self, name)
            if value < 0:
                raise SchemaError(name, f"must be >= 0, got {value}")
        if self.merge_threshold < 1:
            raise SchemaError("merge_threshold", f"must be >= 1, got {self.merge_threshold}")


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


Progress = Callable[[int, int], None]

#: The names defined in :mod:`specsearch.protocols`, imported on first use.
_PROTOCOLS = frozenset({"Backend", "BackendClass", "BatchTopDocs", "TopDocs"})


def __getattr__(name: str) -> object:
    """A protocol (see ``_PROTOCOLS``), from :mod:`specsearch.protocols`, on first use."""
    if name in _PROTOCOLS:
        from specsearch import protocols  # noqa: PLC0415 (start-up cost: typing)

        return getattr(protocols, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
