"""``route``'s quality on the judged dev set may not drift from the committed baseline.

The baseline (``benches/relevance_results/baseline.json``) is written by
``python -m benches.relevance``; a change that moves route's nDCG@10 by more
than 0.01 either way must update it in the same commit (and say why).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benches.relevance import (
    BASELINE_TOLERANCE,
    RESULTS,
    BackendRanker,
    load_queries,
    mean,
    run_queries,
    shared_dir,
)


@pytest.mark.corpora
def test_route_ndcg_holds_the_baseline() -> None:
    shared = shared_dir()
    if shared is None:
        pytest.skip("../shared (or $SPECSEARCH_SHARED) with relevance/ and corpora/ is absent")
    baseline = json.loads((RESULTS / "baseline.json").read_text(encoding="utf-8"))
    queries = load_queries(shared)
    rankers = {
        name: BackendRanker(Path(shared / "corpora" / name), "native", "route")
        for name in sorted({q.collection for q in queries})
    }
    got = mean(run_queries(rankers, queries).ndcg.values())
    assert abs(got - baseline["route/native"]["ndcg"]) <= BASELINE_TOLERANCE, (
        f"route nDCG@10 {got:.4f}; committed baseline {baseline['route/native']['ndcg']:.4f}"
    )
