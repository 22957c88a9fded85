"""Frozen value types shared by the facade and every backend."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True, kw_only=True)
class Contribution:
    """One field's share of one request word in a routed hit's score.

    Attributes:
        word: The request word (as folded by the analyzer).
        field: The field it matched in (``name``, ``description``, ...).
        score: What it added to the hit's score.
    """

    word: str
    field: str
    score: float


@dataclass(frozen=True, slots=True, kw_only=True)
class FusedScore:
    """The two arms of a hybrid route hit: ``score = (1 - alpha) * lexical + alpha * semantic``.

    Attributes:
        lexical: The hit's routing BM25F (0 when the request does not match
            it), standardised (z-score) over all specs.
        semantic: Its cosine with the request, standardised over all specs.
        cosine: The raw cosine, with the request vector after the feedback
            step (moved towards the specs both arms rank first; SPEC.md §10,
            *Hybrid route*).
    """

    lexical: float
    semantic: float
    cosine: float


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteExplanation:
    """What ``route`` made of a request, and why each hit ranks.

    Attributes:
        words: The words that ranked (after filler and stop words were removed).
        filler: The words removed as conversational filler.
        stopwords: The words removed as stop words.
        why: Per hit asked about, its contributions, largest first.
        alpha: The semantic arm's weight when the ranking was hybrid, else None.
        fused: Per hit, its lexical and semantic parts (empty when lexical only).
    """

    words: tuple[str, ...]
    filler: tuple[str, ...]
    stopwords: tuple[str, ...]
    why: tuple[tuple[Contribution, ...], ...]
    alpha: float | None = None
    fused: tuple[FusedScore, ...] = ()
