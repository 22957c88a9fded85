"""Frozen value types shared by the facade and every backend.

Those of an explained or hybrid route (:class:`Contribution`,
:class:`FusedScore`, :class:`RouteExplanation`) are defined in
:mod:`specsearch.route_types` and given here on first use: making a
dataclass costs about 0.4 ms of start-up, and a query needs none of them.
"""

from __future__ import annotations

from dataclasses import dataclass

#: ``typing.TYPE_CHECKING`` without importing ``typing`` (start-up cost); mypy reads it so.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from specsearch.route_types import Contribution, FusedScore, RouteExplanation

__all__ = ["Contribution", "DocInfo", "FusedScore", "Hit", "Problem", "RouteExplanation", "Snippet"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """Something wrong with one input file; the rest of the corpus is indexed.

    Attributes:
        path: The file, as the index shows paths.
        line: The 1-based line the problem is on, when it has one.
        message: What is wrong, and what was done about it.

    >>> str(Problem(path="a.md", line=3, message="bad YAML"))
    'a.md:3: bad YAML'
    """

    path: str
    line: int | None
    message: str

    def __post_init__(self) -> None:
        if self.line is not None and self.line < 1:
            raise ValueError(f"line must be >= 1, got {self.line}")

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True, kw_only=True)
class DocInfo:
    """The stored fields of one indexed spec."""

    doc_id: int
    path: str
    name: str
    description: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Snippet:
    """The line of a file that best matches a query (SPEC.md §6).

    Attributes:
        line: Its 1-based line number.
        text: The line, without its line ending.
        spans: The ``[start, end)`` character offsets in ``text`` of the
            matched terms, sorted and merged.
    """

    line: int
    text: str
    spans: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        if self.line < 1:
            raise ValueError(f"line must be >= 1, got {self.line}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Hit:
    """One ranked result.

    Attributes:
        rank: 1-based position in the result list.
        doc_id: The spec's id in this index.
        score: Its BM25 score (float32 precision).
        path: The spec's path.
        name: The spec's name.
        description: The spec's description.
        snippet: The first line that matched, if any line did.
    """

    rank: int
    doc_id: int
    score: float
    path: str
    name: str
    description: str
    snippet: Snippet | None

    def __post_init__(self) -> None:
        if self.rank < 1:
            raise ValueError(f"rank must be >= 1, got {self.rank}")
        if self.doc_id < 0:
            raise ValueError(f"doc_id must be >= 0, got {self.doc_id}")


#: The names :func:`__getattr__` gives from :mod:`specsearch.route_types`.
_ROUTE_TYPES = frozenset({"Contribution", "FusedScore", "RouteExplanation"})


def __getattr__(name: str) -> object:
    """A route value type, from :mod:`specsearch.route_types` (loaded on first use)."""
    if name in _ROUTE_TYPES:
        from specsearch import route_types  # noqa: PLC0415 (see the module's docstring)

        return getattr(route_types, name)
    raise AttributeError(f"module 'specsearch.types' has no attribute {name!r}")
