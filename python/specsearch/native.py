"""The native backend: a thin adapter over the Rust extension.

This is the only module that imports :mod:`specsearch._native`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from specsearch import _native
from specsearch.types import DocInfo, Problem, Snippet

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import TracebackType

    from specsearch.backend import BuildOptions

__all__ = ["NativeBackend"]


class NativeBackend:
    """An index built and searched by the Rust core."""

    __slots__ = ("_index", "_problems")

    def __init__(self, index: _native.Index, problems: tuple[Problem, ...]) -> None:
        """Wrap a built native index (use :meth:`build`)."""
        self._index = index
        self._problems = problems

    @classmethod
    def build(cls, roots: Sequence[str], options: BuildOptions) -> NativeBackend:
        """Walk, parse and index ``roots`` (the current directory when empty)."""
        index, raw = _native.Index.build(
            list(roots), max_file_bytes=options.max_file_bytes, threads=options.threads
        )
        problems = tuple(Problem(path=p, line=line, message=m) for p, line, m in raw)
        return cls(index, problems)

    @property
    def name(self) -> str:
        """``native``."""
        return "native"

    @property
    def num_docs(self) -> int:
        """How many specs are indexed."""
        return self._index.num_docs

    @property
    def problems(self) -> tuple[Problem, ...]:
        """The per-file problems found while building."""
        return self._problems

    def search(self, query: str, k: int) -> _native.TopDocs:
        """The best ``k`` docs for ``query`` (the GIL is released)."""
        return self._index.search(query, k)

    def docs(self, ids: Sequence[int]) -> list[DocInfo]:
        """The stored fields of each doc id."""
        return [
            DocInfo(doc_id=i, path=p, name=n, description=d)
            for i, (p, n, d) in zip(ids, self._index.docs(list(ids)), strict=True)
        ]

    def snippets(self, ids: Sequence[int], query: str) -> list[Snippet | None]:
        """The first matching line of each doc's file."""
        return [
            None if s is None else Snippet(line=s[0], text=s[1])
            for s in self._index.snippets(list(ids), query)
        ]

    def close(self) -> None:
        """Release the index."""
        self._index.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
