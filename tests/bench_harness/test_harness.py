"""The benchmark engines agree on a tiny corpus; the report JSON has what the table needs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from benches import report
from benches.engines import build_engine, is_plain_or
from benches.workload import BATCH, MIXED

if TYPE_CHECKING:
    from pathlib import Path


def test_workload_kinds() -> None:
    kinds = {kind for kind, _ in MIXED}
    assert kinds == {"term", "or", "and", "phrase", "field"}
    assert all(is_plain_or(q) for q in BATCH)
    assert not any(is_plain_or(q) for kind, q in MIXED if kind in {"and", "phrase", "field"})


@pytest.mark.parametrize("engine", ["sqlite-fts5", "bm25s", "tantivy"])
def test_peers_count_like_python(examples: Path, tmp_path: Path, engine: str) -> None:
    pytest.importorskip("bm25s" if engine == "bm25s" else "sqlite3")
    if engine == "tantivy":
        pytest.importorskip("tantivy")
    peer = build_engine(engine, examples, tmp_path / engine).engine
    reference = build_engine("python", examples, tmp_path / "python").engine
    try:
        for word in ("tokio", "kubernetes", "sql", "asyncio"):
            assert peer.count(word) == reference.count(word), word
            assert set(peer.top(word, 10)) == set(reference.top(word, 10)), word
        assert peer.search_many(["tokio", "sql"], 10) == 3
    finally:
        peer.close()
        reference.close()


def _bench(group: str, engine: str, median: float, **extra: Any) -> dict[str, Any]:
    return {
        "group": group,
        "name": f"test_{group}[{engine}]",
        "params": {"engine": engine},
        "stats": {"median": median, "rounds": 3},
        "extra_info": {"engine": engine, **extra},
    }


def test_report_summarizes_and_renders() -> None:
    work = {"same_hit_count": 2, "compared": 2, "mean_top10_overlap": 0.9, "per_query": []}
    data = {
        "machine_info": {"cpu": {"brand_raw": "CPU"}, "ram_bytes": 2**30, "versions": {}},
        "benchmarks": [
            _bench("index", "native", 1.0, corpus_bytes=10**7, index_bytes=10**6, docs=5),
            _bench(
                "index",
                "tantivy",
                2.0,
                corpus_bytes=10**7,
                index_bytes=10**6,
                docs=5,
                index_seconds_median=0.5,
            ),
            _bench("query", "native", 1e-4, p50_seconds=1e-4, p99_seconds=3e-4),
            _bench("query", "tantivy", 3e-4, p50_seconds=3e-4, equal_work=work),
            _bench(
                "query-paired",
                "tantivy",
                1.0,
                p50_seconds=3e-4,
                p99_seconds=2e-3,
                native_p50_seconds=1e-4,
                native_p99_seconds=4e-3,
            ),
            _bench("batch", "bm25s", 0.5, queries=1000),
            _bench("cli", "rg", 0.02, peak_rss_bytes=10**7),
        ],
    }
    groups = report.summarize(data)
    assert groups["index"]["tantivy"]["ratio"] == 2.0
    assert groups["index"]["native"]["mb_per_s"] == 10.0
    assert groups["index"]["tantivy"]["engine_only_ratio"] == 0.5
    assert "engine_only_ratio" not in groups["index"]["native"]
    assert groups["query"]["tantivy"]["overlap"] == 0.9
    # paired: each against its own native rounds, not the query group's native
    assert groups["query-paired"]["tantivy"]["ratio"] == pytest.approx(3.0)
    assert groups["query-paired"]["tantivy"]["ratio_p99"] == pytest.approx(0.5)
    assert groups["batch"]["bm25s"]["qps"] == 2000
    assert groups["batch"]["bm25s"]["ratio"] is None
    text = report.render(data)
    assert "[index]" in text
    assert "2.00x" in text
    assert "top-10 overlap 90%" in text
    assert "engine-only / native's whole build: 0.50x" in text
    assert "[query-paired]" in text
    assert "p50 300 µs (native 100 µs, ratio 3.00x)" in text
