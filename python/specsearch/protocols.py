"""The protocol every search engine implements: :class:`Backend`, made by a :class:`BackendClass`.

The facade (:mod:`specsearch.engine`) only ever talks to a :class:`Backend`.
The values these protocols trade in are in :mod:`specsearch.backend` and
:mod:`specsearch.types`; which backend is used is decided in
:mod:`specsearch.select`. These names are also reachable from
:mod:`specsearch.backend`, where they were first defined. They live apart so
that a query's start-up does not import ``typing`` (its cost: SPEC.md, start-up).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, Self

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import TracebackType

    import numpy as np
    from numpy.typing import NDArray

    from specsearch.backend import BuildOptions, Progress
    from specsearch.errors import QueryError
    from specsearch.reports import UpdateInfo
    from specsearch.schema import Weights
    from specsearch.stats import IndexStats
    from specsearch.types import DocInfo, Problem, RouteExplanation, Snippet

__all__ = ["Backend", "BackendClass", "BatchTopDocs", "TopDocs"]


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
