"""Benchmark fixtures: the corpus to measure and the query set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def bench_corpus() -> Path:
    """$SPECSEARCH_BENCH_CORPUS, else ../shared/corpora."""
    configured = os.environ.get("SPECSEARCH_BENCH_CORPUS")
    path = Path(configured) if configured else ROOT.parent / "shared" / "corpora"
    if not path.is_dir():
        pytest.skip(f"no benchmark corpus at {path} (set SPECSEARCH_BENCH_CORPUS)")
    return path


@pytest.fixture(scope="session")
def rounds() -> int:
    """Rounds per benchmark ($SPECSEARCH_BENCH_ROUNDS, default 3)."""
    return int(os.environ.get("SPECSEARCH_BENCH_ROUNDS", "3"))
