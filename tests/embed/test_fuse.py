"""Fusion in both engines against the shared vectors and each other."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from specsearch.errors import SchemaError
from specsearch.native import fuse_native, route_scores_native
from specsearch.pure.embed.fuse import fuse, route_scores, top_k
from tests.embed.conftest import read_vectors

CASES = read_vectors("embed_fuse.json")


@pytest.mark.parametrize("case", CASES["cases"])
def test_shared_vectors(case: dict[str, Any]) -> None:
    tol = CASES["tolerance"]
    args = (case["lex_ids"], case["lex_scores"], case["cosine"], case["alpha"])
    for got in (fuse(*args), fuse_native(*args)):
        for name, part in zip(("lexical", "semantic", "fused"), got, strict=True):
            np.testing.assert_allclose(np.asarray(part, dtype=np.float32), case[name], atol=tol)
    ranking = [i for i, _ in top_k(fuse(*args)[2], len(case["cosine"]))]
    assert ranking == case["ranking"]


@given(
    st.lists(st.floats(-1, 1, width=32), min_size=1, max_size=60),
    st.data(),
    st.floats(0, 1),
)
def test_engines_agree(cosine: list[float], data: st.DataObject, alpha: float) -> None:
    n = len(cosine)
    ids = data.draw(st.lists(st.integers(0, n - 1), unique=True, max_size=min(n, 50)))
    scores = data.draw(st.lists(st.floats(0, 50, width=32), min_size=len(ids), max_size=len(ids)))
    pure = fuse(ids, scores, cosine, alpha)
    native = fuse_native(ids, scores, cosine, alpha)
    for a, b in zip(pure, native, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)


@pytest.mark.parametrize(
    ("ids", "scores", "cosine", "alpha"),
    [
        ([], [], [0.0], 1.5),
        ([3], [1.0], [0.0], 0.5),
        ([0], [], [0.0], 0.5),
        ([0], [float("nan")], [0.0], 0.5),
    ],
)
def test_bad_input(ids: list[int], scores: list[float], cosine: list[float], alpha: float) -> None:
    with pytest.raises(SchemaError):
        fuse(ids, scores, cosine, alpha)
    with pytest.raises(SchemaError):
        fuse_native(ids, scores, cosine, alpha)


@pytest.mark.parametrize("case", CASES["feedback"])
def test_feedback_shared_vectors(case: dict[str, Any]) -> None:
    tol = CASES["feedback_tolerance"]
    vectors = np.asarray(case["vectors"], dtype=np.float32)
    query = np.asarray(case["query"], dtype=np.float32)
    args = (vectors, query, case["lex_ids"], case["lex_scores"], case["alpha"])
    params = {"tau": case["tau"], "beta": case["beta"]}
    for got in (route_scores(*args, **params), route_scores_native(*args, **params)):
        names = ("lexical", "semantic", "fused", "cosine")
        for name, part in zip(names, got, strict=True):
            np.testing.assert_allclose(np.asarray(part, dtype=np.float32), case[name], atol=tol)
    fused = np.asarray(route_scores_native(*args, **params)[2], dtype=np.float32)
    assert [i for i, _ in top_k(fused, len(fused))] == case["ranking"]


def _unit_rows(data: st.DataObject, n: int, dim: int) -> np.ndarray[Any, np.dtype[np.float32]]:
    raw = data.draw(st.lists(st.floats(-1, 1, width=32), min_size=n * dim, max_size=n * dim))
    rows = np.asarray(raw, dtype=np.float32).reshape(n, dim)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    assume(bool((norms > 0.1).all()))
    unit: np.ndarray[Any, np.dtype[np.float32]] = (rows / norms).astype(np.float32)
    return unit


@given(
    st.tuples(st.integers(1, 40), st.integers(1, 12)),
    st.data(),
    st.tuples(st.floats(0, 1), st.floats(0.05, 3), st.floats(0, 4)),
)
def test_feedback_engines_agree(
    shape: tuple[int, int], data: st.DataObject, params: tuple[float, float, float]
) -> None:
    (n, dim), (alpha, tau, beta) = shape, params
    vectors = _unit_rows(data, n, dim)
    query = _unit_rows(data, 1, dim)[0]
    ids = data.draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n))
    scores = data.draw(st.lists(st.floats(0, 50, width=32), min_size=len(ids), max_size=len(ids)))
    # Cosines a hair apart would make the z-scores magnify rounding.
    assume(float(np.ptp(vectors @ query)) > 0.05 or n == 1)
    args = (vectors, query, ids, scores, alpha)
    pure = route_scores(*args, tau=tau, beta=beta)
    native = route_scores_native(*args, tau=tau, beta=beta)
    for mine, theirs in zip(pure, native, strict=True):
        np.testing.assert_allclose(mine, np.asarray(theirs, dtype=np.float32), atol=1e-4)
    # beta 0 is the fusion without feedback, exactly.
    plain = fuse(ids, scores, vectors @ query, alpha)
    for unmoved, same in zip(plain, route_scores(*args, tau=tau, beta=0.0)[:3], strict=True):
        np.testing.assert_array_equal(unmoved, same)


@pytest.mark.parametrize(
    ("tau", "beta"),
    [(0.0, 1.0), (-1.0, 1.0), (float("inf"), 1.0), (1.0, -0.5), (1.0, float("nan"))],
)
def test_feedback_bad_parameters(tau: float, beta: float) -> None:
    vectors = np.eye(3, dtype=np.float32)
    query = vectors[0]
    with pytest.raises(SchemaError, match="tau" if beta == 1.0 else "beta"):
        route_scores(vectors, query, [0], [1.0], 0.5, tau=tau, beta=beta)
    with pytest.raises(SchemaError, match="tau" if beta == 1.0 else "beta"):
        route_scores_native(vectors, query, [0], [1.0], 0.5, tau=tau, beta=beta)
