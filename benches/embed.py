"""Benchmark the semantic arm: request latency, document throughput, RSS.

Usage::

    uv run python -m benches.embed --corpus ../shared/corpora --docs 200 --out target/embed.json

Needs the model (``specsearch model fetch``). Reports, for the native encoder
(and a few documents through the numpy reference): model load time; request
encode latency (p50/p95, one request at a time, as ``route`` does); document
throughput over rayon at the document token budget (128) and at the model's
(256); the projected one-time cost of the whole corpus; peak RSS. With
``--route``: the measured one-time cost (index and document vectors of the
whole corpus through ``Index.open``) and ``Index.route`` latency with the
model, request encoding included. Each
figure is given in wall time and in CPU time (all threads), with the load
average: on a shared machine the wall figures overstate the cost, and
``2 x texts per CPU-second`` estimates two idle cores. Figures are reported,
never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from specsearch import Index
from specsearch.encoder import load_encoder
from specsearch.model import resolve_model

ROOT = Path(__file__).resolve().parents[1]
REQUESTS = ROOT.parent / "shared" / "relevance" / "queries.jsonl"
FALLBACK_REQUESTS = (
    "I need an agent to review my asyncio code for race conditions",
    "Product wants clicks to show up on the dashboard within seconds instead of the next morning",
    "help me write kubernetes manifests for a small web service",
)


def _requests() -> list[str]:
    if REQUESTS.is_file():
        lines = REQUESTS.read_text(encoding="utf-8").splitlines()
        out = []
        for line in lines:
            row = json.loads(line)
            text = row.get("query") or row.get("request") or row.get("text")
            if isinstance(text, str):
                out.append(text)
        if out:
            return out[:100]
    return list(FALLBACK_REQUESTS)


def _timed(fn: Any) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def _route_api(corpus: Path, model: Path, requests: list[str]) -> dict[str, Any]:
    """The one-time cost of a hybrid index of ``corpus``, then ``Index.route`` latency.

    The index (and its document vectors) is built in a temporary folder with
    ``Index.open``, as ``specsearch route`` does on its first run; then each
    request is routed through the API with the model, encoding included.
    """
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        holder: dict[str, Any] = {}
        wall, cpu = _timed(
            lambda: holder.update(
                index=Index.open([str(corpus)], index_dir=folder, backend="native")
            )
        )
        index = holder["index"]
        out["index_build"] = {"docs": len(index), "wall_s": wall, "cpu_s": cpu}
        wall, cpu = _timed(lambda: index.doc_vectors(model))
        out["doc_vectors_one_time"] = {
            "docs": len(index),
            "wall_s": wall,
            "cpu_s": cpu,
            "docs_per_s": len(index) / wall,
            "two_idle_cores_docs_per_s": 2 * len(index) / cpu,
            "bytes": os.path.getsize(os.path.join(folder, "native.vectors")),
        }
        wall, cpu = _timed(lambda: index.doc_vectors(model))
        out["doc_vectors_reopen_s"] = wall
        index.route(requests[0], k=10, model=model)
        walls, cpus = [], []
        for text in requests:
            wall, cpu = _timed(lambda t=text: index.route(t, k=10, model=model))
            walls.append(wall * 1e3)
            cpus.append(cpu * 1e3)
        out["route"] = {
            "count": len(requests),
            "p50_ms": statistics.median(walls),
            "p95_ms": statistics.quantiles(walls, n=20)[18],
            "cpu_p50_ms": statistics.median(cpus),
        }
        index.close()
    return out


def run(corpus: Path, docs: int, model: Path | None, *, route: bool = False) -> dict[str, Any]:
    path = resolve_model(model, os.environ)
    out: dict[str, Any] = {"model": str(path), "load_average_start": os.getloadavg()}
    holder: dict[str, Any] = {}
    out["load_native_s"] = _timed(lambda: holder.update(native=load_encoder(path, "native")))[0]
    native = holder["native"]
    requests = _requests()
    native.embed(requests[:2])
    walls, cpus = [], []
    for text in requests:
        wall, cpu = _timed(lambda t=text: native.embed([t]))
        walls.append(wall * 1e3)
        cpus.append(cpu * 1e3)
    out["request"] = {
        "count": len(requests),
        "mean_tokens": statistics.mean(len(native.tokenize(t)) for t in requests),
        "p50_ms": statistics.median(walls),
        "p95_ms": statistics.quantiles(walls, n=20)[18],
        "cpu_p50_ms": statistics.median(cpus),
    }
    files = sorted(corpus.rglob("*.md"))[:docs]
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in files]
    for budget in (128, 256):
        wall, cpu = _timed(lambda b=budget: native.embed(texts, max_tokens=b))
        out[f"docs_{budget}"] = {
            "docs": len(texts),
            "wall_s": wall,
            "cpu_s": cpu,
            "docs_per_s": len(texts) / wall,
            "docs_per_cpu_s": len(texts) / cpu,
            "two_idle_cores_docs_per_s": 2 * len(texts) / cpu,
        }
    total = sum(1 for _ in corpus.rglob("*.md"))
    out["corpus_docs"] = total
    out["one_time_cost_s_two_idle_cores_128"] = total / out["docs_128"]["two_idle_cores_docs_per_s"]
    pure = load_encoder(path, "python")
    few = texts[:4]
    wall, cpu = _timed(lambda: pure.embed(few, max_tokens=128))
    out["numpy_docs_128"] = {"docs": len(few), "wall_s": wall, "cpu_s": cpu}
    if route:
        out["route_api"] = _route_api(corpus, path, requests)
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["load_average_end"] = os.getloadavg()
    out["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version()}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--route",
        action="store_true",
        help="also index the whole corpus with its vectors (the one-time cost), "
        "then time Index.route with the model",
    )
    args = parser.parse_args()
    result = run(args.corpus, args.docs, args.model, route=args.route)
    text = json.dumps(result, indent=2)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
