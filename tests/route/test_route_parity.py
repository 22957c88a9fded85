"""``route`` parity: the native engine against the pure-Python reference.

Same doc ids in the same order and scores within 1e-4 relative, on generated
corpora with generated requests (filler, syntax characters, generic words),
and on real collections of ``../shared/corpora`` with the judged requests of
``../shared/relevance``.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from specsearch import Index, QueryError
from tests.property.test_differential import WORDS, corpus

if TYPE_CHECKING:
    from collections.abc import Sequence

FILLER = [
    "I need an agent that",
    "can you help me",
    "please",
    "is there a specialist who can",
    "Thanks!",
    "help me with",
    "we want an expert for",
    "code",
    "task",
    "C++:",
    "AND",
    '"',
    "-flag",
    "tools:",
    "name:python*",
]
request = st.lists(st.sampled_from(WORDS + FILLER), min_size=0, max_size=14).map(" ".join)
requests = st.lists(st.one_of(request, st.text(max_size=40)), min_size=1, max_size=6)


def assert_same_routes(roots: Sequence[Path], texts: Sequence[str], k: int) -> None:
    with (
        Index.build(list(roots), backend="native") as native,
        Index.build(list(roots), backend="python") as python,
    ):
        for text in texts:
            try:
                expected = python.route(text, k)
            except QueryError:
                try:
                    native.route(text, k)
                except QueryError:
                    continue
                raise AssertionError(f"native routed {text!r}; python raised") from None
            got = native.route(text, k)
            assert got.doc_ids.tolist() == expected.doc_ids.tolist(), text
            np.testing.assert_allclose(got.scores, expected.scores, rtol=1e-4)
            assert got.explain().words == expected.explain().words, text
        batch_n = native.route_many(list(texts), k)
        batch_p = python.route_many(list(texts), k)
        assert batch_n.doc_ids.tolist() == batch_p.doc_ids.tolist()
        assert batch_n.counts == batch_p.counts
        assert set(batch_n.errors) == set(batch_p.errors)


@given(files=corpus, texts=requests, k=st.integers(min_value=0, max_value=8))
def test_generated(files: list[bytes], texts: list[str], k: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for i, data in enumerate(files):
            (root / f"spec{i}.md").write_bytes(data)
        assert_same_routes([root], texts, k)


@given(texts=requests)
def test_examples(examples: Path, texts: list[str]) -> None:
    assert_same_routes([examples], texts, 10)


def test_real_collections(corpora: Path) -> None:
    judged = corpora.parent / "relevance" / "queries.jsonl"
    lines = judged.read_text(encoding="utf-8").splitlines() if judged.is_file() else []
    by_collection: dict[str, list[str]] = {}
    for line in lines:
        if line.strip():
            raw = json.loads(line)
            by_collection.setdefault(raw["collection"], []).append(raw["query"])
    for name in ("lst97__claude-code-sub-agents", "0xfurai__claude-code-subagents"):
        texts = by_collection.get(name) or ["review my asyncio code for race conditions"]
        texts = [*texts, "I need an agent to review my asyncio code for race conditions"]
        assert_same_routes([corpora / name], texts, 10)
