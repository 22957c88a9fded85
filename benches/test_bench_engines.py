"""Indexing and querying a corpus, native against pure Python, in one run.

Run with ``uv run pytest benches --benchmark-json=out.json`` and print the
ratios with ``uv run python benches/report.py out.json``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from benches.peers import QUERIES
from specsearch import Index

if TYPE_CHECKING:
    from pathlib import Path

    from pytest_benchmark.fixture import BenchmarkFixture

BACKENDS = ["native", "python"]


def corpus_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize("backend", BACKENDS)
def test_index(benchmark: BenchmarkFixture, bench_corpus: Path, rounds: int, backend: str) -> None:
    benchmark.group = "index"
    benchmark.extra_info["corpus_bytes"] = corpus_bytes(bench_corpus)

    def build() -> int:
        with Index.build([bench_corpus], backend=backend) as index:
            return len(index)

    docs = benchmark.pedantic(build, rounds=rounds, iterations=1, warmup_rounds=0)
    benchmark.extra_info["docs"] = docs
    assert docs > 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_query(benchmark: BenchmarkFixture, bench_corpus: Path, rounds: int, backend: str) -> None:
    """One round runs every query of the set once (top 10, ids and scores only)."""
    benchmark.group = "query"
    benchmark.extra_info["queries_per_round"] = len(QUERIES)
    with Index.build([bench_corpus], backend=backend) as index:

        def run_all() -> int:
            return sum(len(index.search(q, k=10)) for q in QUERIES)

        hits = benchmark.pedantic(run_all, rounds=max(rounds, 5), iterations=1, warmup_rounds=1)
    benchmark.extra_info["hits"] = hits
    assert hits > 0
