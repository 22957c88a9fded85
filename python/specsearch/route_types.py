"""The value types of an explained or a hybrid route.

They are public as :mod:`specsearch.types`' names (``from specsearch.types
import RouteExplanation``), which loads this module on first use: a query
makes none of them, and each dataclass costs start-up time.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Contribution", "FusedScore", "RouteExplanation"]


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
