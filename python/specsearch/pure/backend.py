"""The pure-Python backend: :class:`PureIndex` behind the backend protocol."""

from __future__ import annotations

import contextlib
import dataclasses
import os
from typing import TYPE_CHECKING

from specsearch.closing import Closing
from specsearch.errors import IndexStateError, QueryError
from specsearch.pure import store
from specsearch.pure.index import PureIndex
from specsearch.stats import IndexStats

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy as np
    from numpy.typing import NDArray

    from specsearch.backend import BuildOptions, Progress
    from specsearch.reports import UpdateInfo
    from specsearch.schema import Weights
    from specsearch.types import DocInfo, Problem, RouteExplanation, Snippet

__all__ = ["ArrayBatchTopDocs", "ArrayTopDocs", "PurePythonBackend"]


class ArrayTopDocs:
    """Ranked ids and scores held in (read-only) numpy arrays."""

    __slots__ = ("_ids", "_scores")

    def __init__(self, ids: NDArray[np.uint32], scores: NDArray[np.float32]) -> None:
        """Hold ``ids`` and ``scores``, which must have the same length."""
        if ids.shape != scores.shape:
            raise ValueError(f"ids {ids.shape} and scores {scores.shape} differ in shape")
        self._ids = ids
        self._scores = scores

    def __len__(self) -> int:
        return len(self._ids)

    def ids_list(self) -> list[int]:
        """Doc ids, best first."""
        return [int(i) for i in self._ids]

    def scores_list(self) -> list[float]:
        """Scores, best first."""
        return [float(s) for s in self._scores]

    def ids_array(self) -> NDArray[np.uint32]:
        """Doc ids (a view: the array is not copied)."""
        return self._ids.view()

    def scores_array(self) -> NDArray[np.float32]:
        """Scores (a view: the array is not copied)."""
        return self._scores.view()


class ArrayBatchTopDocs:
    """The rows of a ``search_many``: ids, scores, hit counts and errors (§5)."""

    __slots__ = ("_counts", "_errors", "_ids", "_scores")

    def __init__(
        self,
        ids: NDArray[np.int64],
        scores: NDArray[np.float32],
        counts: list[int],
        errors: dict[int, QueryError],
    ) -> None:
        """Hold ``(n, k)`` ids and scores, ``n`` counts and the errors by row."""
        if ids.shape != scores.shape or ids.shape[0] != len(counts):
            raise ValueError(
                f"ids {ids.shape}, scores {scores.shape} and {len(counts)} counts disagree"
            )
        self._ids = ids
        self._scores = scores
        self._counts = counts
        self._errors = errors

    def __len__(self) -> int:
        return len(self._counts)

    def ids_array(self) -> NDArray[np.int64]:
        """Doc ids, ``(n_queries, k)``, padded with -1 (a view: not copied)."""
        return self._ids.view()

    def scores_array(self) -> NDArray[np.float32]:
        """Scores, ``(n_queries, k)``, padded with NaN (a view: not copied)."""
        return self._scores.view()

    def counts_list(self) -> list[int]:
        """The number of hits in each row."""
        return list(self._counts)

    @property
    def errors(self) -> dict[int, QueryError]:
        """The error of each query that failed, by row."""
        return dict(self._errors)


class PurePythonBackend(Closing):
    """The reference engine, in Python and numpy."""

    __slots__ = ("_index", "_location")

    def __init__(self, index: PureIndex, location: str | None = None) -> None:
        """Wrap a built :class:`PureIndex` (use :meth:`build` or :meth:`open`)."""
        self._index: PureIndex | None = index
        self._location = location

    @classmethod
    def build(cls, roots: Sequence[str], options: BuildOptions) -> PurePythonBackend:
        """Walk, parse and index ``roots`` (the current directory when empty)."""
        return cls(
            PureIndex.build(
                list(roots),
                max_file_bytes=options.max_file_bytes,
                hidden=options.hidden,
                no_ignore=options.no_ignore,
            )
        )

    @classmethod
    def open(
        cls,
        index_dir: str,
        roots: Sequence[str],
        options: BuildOptions,
        progress: Progress | None,
        *,
        rebuild: bool = False,
    ) -> tuple[PurePythonBackend, UpdateInfo]:
        """The cache in ``index_dir`` (see :mod:`specsearch.pure.store`), brought up to date.

        With ``rebuild``, the cache is thrown away first.
        """
        if rebuild:
            store.discard(index_dir)
        index, info = store.open_or_update(
            index_dir,
            list(roots),
            max_file_bytes=options.max_file_bytes,
            progress=progress,
            hidden=options.hidden,
            no_ignore=options.no_ignore,
            verify=options.verify,
        )
        if rebuild:  # asked for: a rebuild even where there was no cache (as native)
            info = dataclasses.replace(info, rebuilt=True)
        return cls(index, index_dir), info

    @classmethod
    def open_existing(cls, index_dir: str) -> PurePythonBackend:
        """The cache in ``index_dir`` as it is."""
        index = store.load_existing(index_dir)
        return cls(index, index_dir)

    def _live(self) -> PureIndex:
        if self._index is None:
            raise IndexStateError("the index is closed")
        return self._index

    @property
    def name(self) -> str:
        """``python``."""
        return "python"

    @property
    def num_docs(self) -> int:
        """How many specs are indexed."""
        return self._live().num_docs

    @property
    def problems(self) -> tuple[Problem, ...]:
        """The per-file problems found while building."""
        return self._live().problems

    def search(
        self, query: str, k: int, *, weights: Weights | None = None, strict: bool = False
    ) -> ArrayTopDocs:
        """The best ``k`` docs for ``query`` (§5); default weights when None."""
        ids, scores = self._live().search(query, k, weights=weights, strict=strict)
        return ArrayTopDocs(ids, scores)

    def search_many(
        self,
        queries: Sequence[str],
        k: int,
        *,
        weights: Weights | None = None,
        strict: bool = False,
    ) -> ArrayBatchTopDocs:
        """``search`` for each query, one after the other."""
        ids, scores, counts, errors = self._live().search_many(
            queries, k, weights=weights, strict=strict
        )
        return ArrayBatchTopDocs(ids, scores, counts, errors)

    def route(self, request: str, k: int) -> ArrayTopDocs:
        """The best ``k`` docs for a request in natural language (:mod:`specsearch.pure.route`)."""
        ids, scores = self._live().router().route(request, k)
        return ArrayTopDocs(ids, scores)

    def route_many(self, requests: Sequence[str], k: int) -> ArrayBatchTopDocs:
        """``route`` for each request, one after the other."""
        ids, scores, counts, errors = self._live().router().route_many(requests, k)
        return ArrayBatchTopDocs(ids, scores, counts, errors)

    def route_explain(self, request: str, ids: Sequence[int]) -> RouteExplanation:
        """The words ``route`` ranked with, and each id's contributions."""
        return self._live().router().explain(request, ids)

    def docs(self, ids: Sequence[int]) -> list[DocInfo]:
        """The stored fields of each doc id."""
        return self._live().docs(ids)

    def fs_paths(self, ids: Sequence[int]) -> list[str]:
        """The path each doc's file was read from, its bytes kept (``os.fsdecode``)."""
        return self._live().fs_paths(ids)

    def snippets(
        self, ids: Sequence[int], query: str, *, strict: bool = False
    ) -> list[Snippet | None]:
        """The best matching line of each doc's file, with spans (§6)."""
        return self._live().snippets(ids, query, strict=strict)

    def doc_lengths(self, field: str) -> list[NDArray[np.uint32]]:
        """Each doc's length of ``field``, in doc-id order (one array: one segment)."""
        return [self._live().doc_lengths(field)]

    def stats(self) -> IndexStats:
        """Counts, and the size of the cache file when there is one."""
        index = self._live()
        size = 0
        if self._location is not None:
            with contextlib.suppress(OSError):
                size = os.path.getsize(os.path.join(self._location, store.CACHE_NAME))
        return IndexStats(
            backend=self.name,
            docs=index.num_docs,
            terms=index.num_terms,
            segments=1,
            size_bytes=size,
            location=self._location,
        )

    def close(self) -> None:
        """Release the index."""
        self._index = None
