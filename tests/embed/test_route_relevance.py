"""The hybrid ``route``'s quality on the judged dev set may not drop below the committed figure.

The figure (``benches/relevance_results/fusion.json``, key ``hybrid``) is
written by ``python -m benches.relevance --tune-alpha``; a change of the
fusion, the document text or alpha that moves nDCG@10 down by more than
0.01 fails here. Needs the real model and ``../shared``. The indexes (and
their document vectors, so that only the first run embeds) are kept under
``target/relevance-index``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benches.relevance import (
    BASELINE_TOLERANCE,
    RESULTS,
    ROOT,
    K,
    _rel,
    load_queries,
    mean,
    mrr,
    ndcg,
    shared_dir,
)

from specsearch import Index

INDEXES = ROOT / "target" / "relevance-index"


@pytest.mark.corpora
def test_hybrid_route_holds_the_committed_figures(real_model: Path) -> None:
    shared = shared_dir()
    if shared is None:
        pytest.skip("../shared (or $SPECSEARCH_SHARED) with relevance/ and corpora/ is absent")
    want = json.loads((RESULTS / "fusion.json").read_text(encoding="utf-8"))["hybrid"]
    queries = load_queries(shared)
    got_ndcg: list[float] = []
    got_mrr: list[float] = []
    for name in sorted({q.collection for q in queries}):
        folder = shared / "corpora" / name
        with Index.open([str(folder)], index_dir=INDEXES / name, backend="native") as index:
            for q in (q for q in queries if q.collection == name):
                hits = index.route(q.text, k=K, model=real_model)
                ranked = [
                    _rel(Path(h.path) if Path(h.path).is_absolute() else folder / h.path, folder)
                    for h in hits
                ]
                got_ndcg.append(ndcg(ranked, q.grades))
                got_mrr.append(mrr(ranked, q.grades))
    assert mean(got_ndcg) >= want["ndcg"] - BASELINE_TOLERANCE, (
        f"hybrid route nDCG@10 {mean(got_ndcg):.4f}; committed {want['ndcg']:.4f}"
    )
    assert mean(got_mrr) >= want["mrr"] - BASELINE_TOLERANCE, (
        f"hybrid route MRR@10 {mean(got_mrr):.4f}; committed {want['mrr']:.4f}"
    )
