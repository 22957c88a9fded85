"""The values a backend trades in, and (by name) the protocols it implements.

The facade (:mod:`specsearch.engine`) only ever talks to a
:class:`~specsearch.protocols.Backend`, made by a
:class:`~specsearch.protocols.BackendClass`; which backend is used is decided
in :mod:`specsearch.select`. This module holds the frozen value types.
The protocols are defined in :mod:`specsearch.protocols` and reached from
here as well, on first use: defining a ``Protocol`` imports ``typing``, which
a query's start-up does without. So are :class:`UpdateInfo` and
:class:`IndexStats`, defined in :mod:`specsearch.reports` and
:mod:`specsearch.stats`: a query starts its
index's open with :class:`BuildOptions` alone, and each dataclass made
before that start delays it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from specsearch.defaults import (
    DEFAULT_HIDDEN,
    DEFAULT_MAX_FILE_BYTES,
    DEFAULT_MEMORY_BUDGET,
    DEFAULT_MERGE_THRESHOLD,
    DEFAULT_NO_IGNORE,
    DEFAULT_THREADS,
)
from specsearch.errors import SchemaError

#: ``typing.TYPE_CHECKING`` without importing ``typing`` (start-up cost); mypy reads it so.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from specsearch.protocols import Backend, BackendClass, BatchTopDocs, TopDocs
    from specsearch.reports import UpdateInfo
    from specsearch.stats import IndexStats

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
    threads: int = DEFAULT_THREADS
    memory_budget: int = DEFAULT_MEMORY_BUDGET
    merge_threshold: int = DEFAULT_MERGE_THRESHOLD
    hidden: bool = DEFAULT_HIDDEN
    no_ignore: bool = DEFAULT_NO_IGNORE
    verify: bool = False

    def __post_init__(self) -> None:
        for name in ("max_file_bytes", "threads", "memory_budget"):
            value = getattr(self, name)
            if value < 0:
                raise SchemaError(name, f"must be >= 0, got {value}")
        if self.merge_threshold < 1:
            raise SchemaError("merge_threshold", f"must be >= 1, got {self.merge_threshold}")


Progress = Callable[[int, int], None]

#: The names defined in :mod:`specsearch.protocols`, imported on first use.
_PROTOCOLS = frozenset({"Backend", "BackendClass", "BatchTopDocs", "TopDocs"})


def __getattr__(name: str) -> object:
    """A protocol (see ``_PROTOCOLS``), ``UpdateInfo`` or ``IndexStats``, on first use."""
    if name in _PROTOCOLS:
        from specsearch import protocols  # noqa: PLC0415 (start-up cost: typing)

        return getattr(protocols, name)
    if name == "UpdateInfo":
        from specsearch.reports import UpdateInfo  # noqa: PLC0415 (see the module's docstring)

        return UpdateInfo
    if name == "IndexStats":
        from specsearch.stats import IndexStats  # noqa: PLC0415 (see the module's docstring)

        return IndexStats
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
