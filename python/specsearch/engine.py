"""The public facade: :class:`Index` and its results, :class:`Hits`."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Self, overload

from specsearch.backend import BuildOptions, resolve_backend
from specsearch.errors import SchemaError
from specsearch.types import Hit

if TYPE_CHECKING:
    from types import TracebackType

    import numpy as np
    from numpy.typing import NDArray

    from specsearch.backend import Backend, TopDocs
    from specsearch.types import Problem

__all__ = ["Hits", "Index"]

PathArg = str | os.PathLike[str]


def _stderr_notice(message: str) -> None:
    print(message, file=sys.stderr)


class Hits(Sequence[Hit]):
    """The ranked result of one search.

    ``doc_ids`` and ``scores`` are numpy arrays that share the backend's
    buffers (for the native backend, Rust-owned memory: no copy). Iterating
    gives :class:`~specsearch.types.Hit` values; they are looked up in one
    batch on first use, so a caller that only wants the arrays pays nothing
    for paths, names or snippets.
    """

    __slots__ = ("_backend", "_doc_ids", "_hits", "_scores", "_top", "query")

    def __init__(self, query: str, top: TopDocs, backend: Backend) -> None:
        """Wrap ``top``, the backend's answer to ``query``."""
        self.query = query
        self._top = top
        self._backend = backend
        self._hits: tuple[Hit, ...] | None = None
        self._doc_ids: NDArray[np.uint32] | None = None
        self._scores: NDArray[np.float32] | None = None

    @property
    def backend(self) -> str:
        """The name of the backend that answered."""
        return self._backend.name

    @property
    def doc_ids(self) -> NDArray[np.uint32]:
        """Doc ids, best first: a read-only view of the backend's buffer."""
        if self._doc_ids is None:
            array = self._top.ids_array()
            array.flags.writeable = False
            self._doc_ids = array
        return self._doc_ids

    @property
    def scores(self) -> NDArray[np.float32]:
        """Scores, best first: a read-only view of the backend's buffer."""
        if self._scores is None:
            array = self._top.scores_array()
            array.flags.writeable = False
            self._scores = array
        return self._scores

    def _materialize(self) -> tuple[Hit, ...]:
        if self._hits is None:
            ids = self._top.ids_list()
            scores = self._top.scores_list()
            docs = self._backend.docs(ids)
            snippets = self._backend.snippets(ids, self.query)
            self._hits = tuple(
                Hit(
                    rank=rank,
                    doc_id=doc.doc_id,
                    score=score,
                    path=doc.path,
                    name=doc.name,
                    description=doc.description,
                    snippet=snippet,
                )
                for rank, (doc, score, snippet) in enumerate(
                    zip(docs, scores, snippets, strict=True), start=1
                )
            )
        return self._hits

    def __len__(self) -> int:
        return len(self._top)

    @overload
    def __getitem__(self, index: int) -> Hit: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Hit]: ...
    def __getitem__(self, index: int | slice) -> Hit | Sequence[Hit]:
        return self._materialize()[index]

    def __iter__(self) -> Iterator[Hit]:
        return iter(self._materialize())

    def __repr__(self) -> str:
        return f"Hits(query={self.query!r}, backend={self.backend!r}, len={len(self)})"


class Index:
    """A searchable index over a tree of agent specs.

    Build one with :meth:`build`; use it as a context manager to close it.

    >>> from specsearch import Index
    >>> with Index.build(["examples/specs"], backend="python") as index:
    ...     hits = index.search("structured concurrency with tokio", k=3)
    ...     hits[0].name
    'async-rust-reviewer'
    """

    __slots__ = ("_backend",)

    def __init__(self, backend: Backend) -> None:
        """Wrap a built backend (most callers want :meth:`build`)."""
        self._backend = backend

    @classmethod
    def build(
        cls,
        paths: Sequence[PathArg] = (),
        *,
        backend: str | None = None,
        options: BuildOptions | None = None,
        environ: Mapping[str, str] | None = None,
        notice: Callable[[str], None] = _stderr_notice,
    ) -> Self:
        """Index every spec under ``paths`` (the current directory when empty).

        Args:
            paths: Files and folders to index.
            backend: ``"native"`` or ``"python"``; when ``None``, the
                ``SPECSEARCH_BACKEND`` variable of ``environ``, else native.
            options: Build options (file size limit, threads).
            environ: Where to look up ``SPECSEARCH_BACKEND``; ``os.environ``
                when ``None``.
            notice: Called with a one-line message when the implicit native
                default falls back to python (default: print to stderr).

        Raises:
            BackendUnavailableError: the backend asked for cannot be loaded.
            FileNotFoundError: a path does not exist.
        """
        if isinstance(paths, str | os.PathLike):
            raise SchemaError(
                "paths", f"expected a sequence of paths, got the single path {paths!r}"
            )
        choice = resolve_backend(backend, os.environ if environ is None else environ)
        if choice.notice is not None:
            notice(choice.notice)
        roots = [os.fspath(p) for p in paths]
        return cls(choice.factory(roots, options or BuildOptions()))

    @property
    def backend(self) -> str:
        """The name of the backend in use."""
        return self._backend.name

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Files that were skipped or only partly understood, and why."""
        return self._backend.problems

    def __len__(self) -> int:
        return self._backend.num_docs

    def search(self, query: str, k: int = 10) -> Hits:
        """The ``k`` best specs for ``query``, best first.

        Raises:
            QueryError: the query has no searchable terms.
            SchemaError: ``k`` is negative.
            IndexStateError: the index is closed.
        """
        if k < 0:
            raise SchemaError("k", f"must be >= 0, got {k}")
        return Hits(query, self._backend.search(query, k), self._backend)

    def close(self) -> None:
        """Release the index. Using it afterwards raises ``IndexStateError``."""
        self._backend.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
