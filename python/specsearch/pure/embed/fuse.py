"""Fusion of BM25F and cosine: the numpy mirror of ``rust/core/src/embed/fuse.rs``.

Each arm is standardised (z-score) over all documents, a document outside
the lexical hits counting BM25F 0; an arm whose scores are all equal
standardises to 0. The mean and standard deviation are taken in float64, the
parts and ``fused = (1 - alpha) * lexical + alpha * semantic`` are float32, so
alpha 0 is lexical only and 1 semantic only.

:func:`route_scores` fuses after one round of feedback in the vector space:
each spec weighted by the softmax of its first fused score at temperature
``tau``, the request moved to ``q + beta * (weighted mean of the spec
vectors)`` and made unit length (in float64, doc order), then its cosines
fused again (``rust/core/src/embed/fuse.rs``, ``route_scores``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from specsearch.errors import SchemaError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import ArrayLike, NDArray

__all__ = ["fuse", "route_scores", "top_k"]


def _standardise(scores: NDArray[np.float32]) -> NDArray[np.float32]:
    if scores.size == 0 or scores.min() >= scores.max():
        return np.zeros_like(scores)
    wide = scores.astype(np.float64)
    mean = wide.sum() / wide.size
    sd = np.sqrt(((wide - mean) ** 2).sum() / wide.size)
    out: NDArray[np.float32] = ((wide - mean) / sd).astype(np.float32)
    return out


def fuse(
    lex_ids: Sequence[int] | NDArray[np.uint32],
    lex_scores: ArrayLike,
    cosine: ArrayLike,
    alpha: float,
) -> tuple[NDArray[np.float32], NDArray[np.float32], NDArray[np.float32]]:
    """``(lexical, semantic, fused)`` per document.

    ``lex_ids`` and ``lex_scores`` are every document the request matches
    (the z-score is over the whole corpus).

    Raises:
        SchemaError: alpha outside [0, 1], a non-finite score, arrays of
            different lengths or a hit id out of range.
    """
    if not 0.0 <= alpha <= 1.0:
        raise SchemaError("alpha", f"must be within [0, 1], got {alpha}")
    ids = np.asarray(lex_ids, dtype=np.int64)
    lex = np.asarray(lex_scores, dtype=np.float32)
    cos = np.asarray(cosine, dtype=np.float32)
    if ids.shape != lex.shape:
        raise SchemaError("lexical", f"{ids.size} ids but {lex.size} scores")
    if not (np.isfinite(lex).all() and np.isfinite(cos).all()):
        raise SchemaError("scores", "must be finite")
    if ids.size and (ids.min() < 0 or ids.max() >= cos.size):
        raise SchemaError("lexical", f"doc id out of range for {cos.size} documents")
    lexical = np.zeros(cos.size, dtype=np.float32)
    lexical[ids] = lex
    lexical = _standardise(lexical)
    semantic = _standardise(cos)
    a = np.float32(alpha)
    fused: NDArray[np.float32] = (np.float32(1.0) - a) * lexical + a * semantic
    return lexical, semantic, fused


def route_scores(
    vectors: NDArray[np.float32],
    query: NDArray[np.float32],
    lex_ids: Sequence[int] | NDArray[np.uint32],
    lex_scores: ArrayLike,
    alpha: float,
    *,
    tau: float,
    beta: float,
) -> tuple[NDArray[np.float32], NDArray[np.float32], NDArray[np.float32], NDArray[np.float32]]:
    """``(lexical, semantic, fused, cosine)`` per document after one round of feedback.

    ``vectors`` are the ``(n, dim)`` unit spec vectors, ``query`` the
    request's; ``cosine`` is the moved request's (the request's own when
    ``beta`` is 0).

    Raises:
        SchemaError: as :func:`fuse`; ``tau`` not positive and finite, or
            ``beta`` negative or not finite.
    """
    if not (np.isfinite(tau) and tau > 0.0):
        raise SchemaError("tau", f"must be positive and finite, got {tau}")
    if not (np.isfinite(beta) and beta >= 0.0):
        raise SchemaError("beta", f"must be >= 0 and finite, got {beta}")
    cosine: NDArray[np.float32] = (vectors @ query).astype(np.float32)
    lexical, semantic, fused = fuse(lex_ids, lex_scores, cosine, alpha)
    if beta == 0.0 or cosine.size == 0:
        return lexical, semantic, fused, cosine
    first = fused.astype(np.float64)
    weights = np.exp((first - first.max()) / np.float64(np.float32(tau)))
    mean = weights @ vectors.astype(np.float64) / weights.sum()
    moved = query.astype(np.float64) + np.float64(np.float32(beta)) * mean
    moved = (moved / max(float(np.sqrt((moved * moved).sum())), 1e-12)).astype(np.float32)
    cosine = (vectors @ moved).astype(np.float32)
    lexical, semantic, fused = fuse(lex_ids, lex_scores, cosine, alpha)
    return lexical, semantic, fused, cosine


def top_k(scores: NDArray[np.float32], k: int) -> list[tuple[int, float]]:
    """The ``k`` best ``(doc id, score)`` pairs: score descending, then doc id."""
    order = np.lexsort((np.arange(scores.size), -scores))[:k]
    return [(int(i), float(scores[i])) for i in order]
