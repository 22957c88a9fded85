"""Both engines over the real public collections in ../shared/corpora."""

from __future__ import annotations

import random
from collections import Counter
from typing import TYPE_CHECKING

import numpy as np
import pytest

from specsearch import Index
from specsearch.pure.analysis import query_terms

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.corpora

HAND_WRITTEN = [
    "concurrency",
    "structured concurrency",
    "kubernetes operator",
    "react hooks performance",
    "sql injection",
    "code review",
    "python asyncio",
    "rust ownership borrow checker",
    "terraform aws",
    "machine learning pipeline",
    "并发",
    "测试 自动化",
    "security audit",
    "TaskGroup",
    "snake_case",
    "CI/CD pipeline",
    "GraphQL schema",
    "docker compose",
    "accessibility WCAG",
    "pdf",
    "x86_64",
    "Σ",
    "🦀 rust",
]


@pytest.fixture(scope="module")
def engines(corpora: Path) -> tuple[Index, Index]:
    native = Index.build([corpora], backend="native")
    python = Index.build([corpora], backend="python")
    return native, python


def sample_queries(index: Index, count: int) -> list[str]:
    """Queries drawn from the corpus's own vocabulary, rare and common terms alike."""
    rng = random.Random(20261126)
    vocab: Counter[str] = Counter()
    for hit in index.search("agent skill use when", k=400):
        vocab.update(query_terms(f"{hit.name} {hit.description}"))
    terms = sorted(vocab)
    out = list(HAND_WRITTEN)
    while len(out) < count:
        out.append(" ".join(rng.sample(terms, rng.randint(1, 3))))
    return out


def test_every_file_is_indexed_or_reported(engines: tuple[Index, Index], corpora: Path) -> None:
    native, _ = engines
    md_files = [p for p in corpora.rglob("*") if p.is_file() and p.suffix.lower() == ".md"]
    reported = {p.path for p in native.problems}
    skipped = {p.path for p in native.problems if "skipped" in p.message}
    # The 3,317 specs, the corpora README and the extension-less flutter agent.
    assert len(native) + len(skipped) == len(md_files) + 1
    assert len(native) >= 3300
    assert len(reported) >= 28  # the malformed-YAML files the corpora README lists


def test_parity_over_many_queries(engines: tuple[Index, Index]) -> None:
    native, python = engines
    assert [(p.path, p.line) for p in native.problems] == [
        (p.path, p.line) for p in python.problems
    ]
    queries = sample_queries(python, 400)
    for query in queries:
        expected = python.search(query, k=20)
        got = native.search(query, k=20)
        assert got.doc_ids.tolist() == expected.doc_ids.tolist(), query
        np.testing.assert_array_equal(got.scores, expected.scores, err_msg=query)


def test_full_rankings_agree(engines: tuple[Index, Index]) -> None:
    native, python = engines
    for query in ["agent", "the", "use when", "python rust go java"]:
        expected = python.search(query, k=len(python))
        got = native.search(query, k=len(native))
        assert len(got) > 100
        assert got.doc_ids.tolist() == expected.doc_ids.tolist(), query
        np.testing.assert_array_equal(got.scores, expected.scores)
        assert [h.snippet for h in got[:50]] == [h.snippet for h in expected[:50]]
