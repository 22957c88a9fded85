"""Fusion in both engines against the shared vectors and each other."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from specsearch.errors import SchemaError
from specsearch.native import fuse_native
from specsearch.pure.embed.fuse import fuse, top_k
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
