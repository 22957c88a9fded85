"""The protocol every search engine implements, and the values it trades in.

The facade (:mod:`specsearch.engine`) only ever talks to a :class:`Backend`,
made by a :class:`BackendClass`. This module holds Protocols and frozen value
types only; which backend is used is decided in :mod:`specsearch.select`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, Self

from specsearch.errors import SchemaError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import TracebackType

    import numpy as np
    from numpy.typing import NDArray

    from specsearch.errors import QueryError
    from specsearch.schema import Weights
    from specsearch.types import DocInfo, Problem, RouteExplanation, Snippet

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


class TopDocs(Protocol):
    """Ranked doc ids and scores, as lists or as numpy arrays."""

    def __len__(self) -> int:
        """The number of hits."""
        ...

    def ids_list(self) -> list[int]:
        """Doc ids, best first."""
        ...

    def scores_list(self) -> list[float]:
        """Scores, best first."""
        ...

    def ids_array(self) -> NDArray[np.uint32]:
        """Doc ids as a numpy array that shares the backend's buffer."""
        ...

    def scores_array(self) -> NDArray[np.float32]:
        """Scores as a numpy array that shares the backend's buffer."""
        ...


class BatchTopDocs(Protocol):
    """The results of ``search_many``: one row per query (SPEC.md §5)."""

    def ids_array(self) -> NDArray[np.int64]:
        """Doc ids, shape ``(n_queries, k)``, padded with -1; shares the backend's buffer."""
        ...

    def scores_array(self) -> NDArray[np.float32]:
        """Scores, shape ``(n_queries, k)``, padded with NaN; shares the backend's buffer."""
        ...

    def counts_list(self) -> list[int]:
        """The number of hits of each query."""
        ...

    @property
    def errors(self) -> dict[int, QueryError]:
        """The error of each query that failed (its row is empty), by row."""
        ...


class Backend(Protocol):
    """An index over a corpus of specs, made by a :class:`BackendClass`."""

    @property
    def name(self) -> str:
        """The backend's name, as selected (``native``, ``python``)."""
        ...

    @property
    def num_docs(self) -> int:
        """How many specs are indexed."""
        ...

    @property
    def problems(self) -> tuple[Problem, ...]:
        """The per-file problems found while building."""
        ...

    def search(
        self, query: str, k: int, *, weights: Weights | None = None, strict: bool = False
    ) -> TopDocs:
        """The best ``k`` docs for ``query`` (§5); default weights when None.

        Raises:
            QueryError: the query cannot run (strict syntax, unknown field,
                no searchable terms), with its character position.
        """
        ...

    def search_many(
        self,
        queries: Sequence[str],
        k: int,
        *,
        weights: Weights | None = None,
        strict: bool = False,
    ) -> BatchTopDocs:
        """``search`` for each query, in parallel where the backend can."""
        ...

    def route(self, request: str, k: int) -> TopDocs:
        """The best ``k`` specs for a request in natural language (never query syntax)."""
        ...

    def route_many(self, requests: Sequence[str], k: int) -> BatchTopDocs:
        """``route`` for each request, into ``(n, k)`` arrays."""
        ...

    def route_explain(self, request: str, ids: Sequence[int]) -> RouteExplanation:
        """The words ``route`` ranked with, and each id's contributions."""
        ...

    def docs(self, ids: Sequence[int]) -> list[DocInfo]:
        """The stored fields of each doc id."""
        ...

    def fs_paths(self, ids: Sequence[int]) -> list[str]:
        """The path each doc's file was read from, its bytes kept (``os.fsdecode``).

        A doc's ``path`` shows a file name that is not UTF-8 with U+FFFD; this
        one opens it.
        """
        ...

    def snippets(
        self, ids: Sequence[int], query: str, *, strict: bool = False
    ) -> list[Snippet | None]:
        """The best matching line of each doc for ``query``, with spans (§6)."""
        ...

    def stats(self) -> IndexStats:
        """Sizes and counts of the index."""
        ...

    def doc_lengths(self, field: str) -> list[NDArray[np.uint32]]:
        """Each doc's length in tokens of ``field``, one array per segment."""
        ...

    def close(self) -> None:
        """Release the index; later calls raise ``IndexStateError``."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


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


class BackendClass(Protocol):
    """How a backend is built or opened (implemented by its class)."""

    def build(self, roots: Sequence[str], options: BuildOptions) -> Backend:
        """An index over ``roots``, in memory."""
        ...

    def open(
        self,
        index_dir: str,
        roots: Sequence[str],
        options: BuildOptions,
        progress: Progress | None,
        *,
        rebuild: bool = False,
    ) -> tuple[Backend, UpdateInfo]:
        """The persistent index in ``index_dir``, brought up to date with ``roots``.

        With ``rebuild``, built afresh from the files, whatever is there.
        """
        ...

    def open_existing(self, index_dir: str) -> Backend:
        """The persistent index in ``index_dir`` as it is (read-only, no update)."""
        ...
