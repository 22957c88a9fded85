"""Soak `specsearch mcp` over the real corpora with the SDK's stdio client; report figures.

    uv run python -m benches.mcp_soak [--calls 2000] [--corpus DIR]  # default ../shared/corpora

Runs ``--calls`` tool calls round-robin over the four tools (route_request and
search_specs take the requests of ../shared/relevance/queries.jsonl), then
prints p50 and p99 per tool, the server's RSS at the start and the end, and the
size of a typical ``route_request`` answer next to the size of listing every
spec's name and description (what a client puts in the model's context
without a router). Figures are reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
from tests.conftest import corpora_dir
from tests.mcp.mcp_client import connect, rss_kib, server_params, server_pid, text_of

from specsearch.engine import Index


def requests_from(path: Path) -> list[str]:
    if not path.is_file():
        return ["review my asyncio code for race conditions", "terraform module for aws vpc"]
    return [json.loads(line)["query"] for line in path.read_text(encoding="utf-8").splitlines()]


def all_descriptions_bytes(corpus: Path, cache: Path) -> tuple[int, int]:
    """Bytes of {"name","description"} for every spec, as compact JSON, and the spec count."""
    with Index.open([str(corpus)], index_dir=str(cache / "listing")) as index:
        docs = index._backend.docs(range(len(index)))
    listing = [{"name": d.name, "description": d.description} for d in docs]
    text = json.dumps(listing, ensure_ascii=False, separators=(",", ":"))
    return len(text.encode("utf-8")), len(docs)


def rss_parts(pid: int) -> tuple[int, int]:
    """Anonymous and file-backed (the mapped index) resident KiB of ``pid``."""
    status = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return int(status["RssAnon"].split()[0]), int(status["RssFile"].split()[0])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def soak(corpus: Path, calls: int, requests: list[str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, (Path(tmp) / "stderr.txt").open("w+") as errlog:
        cache = Path(tmp)
        params = server_params([str(corpus)], cache)
        timings: dict[str, list[float]] = {
            t: [] for t in ("route_request", "search_specs", "show_spec", "list_specs")
        }
        route_sizes: list[int] = []
        async with connect(params, errlog) as session:
            pid = server_pid()
            started = time.perf_counter()
            first = await session.call_tool("list_specs", {"limit": 1})
            first_call = time.perf_counter() - started
            total = json.loads(text_of(first))["total"]
            rss = [rss_kib(pid)]
            parts = [rss_parts(pid)]
            names = [
                s["name"]
                for s in json.loads(text_of(await session.call_tool("list_specs", {"limit": 200})))[
                    "specs"
                ]
            ]
            for i in range(calls):
                tool = tuple(timings)[i % 4]
                request = requests[(i // 4) % len(requests)]
                choices: dict[str, dict[str, Any]] = {
                    "route_request": {"request": request},
                    "search_specs": {"query": request, "k": 10},
                    "show_spec": {"name_or_path": names[(i // 4) % len(names)]},
                    "list_specs": {"limit": 100, "offset": (i // 4) % max(1, total - 100)},
                }
                arguments = choices[tool]
                t0 = time.perf_counter()
                result = await session.call_tool(tool, arguments)
                timings[tool].append(time.perf_counter() - t0)
                if result.is_error:
                    raise SystemExit(f"{tool} {arguments}: {text_of(result)}")
                if tool == "route_request":
                    route_sizes.append(len(text_of(result).encode("utf-8")))
                if (i + 1) % max(1, calls // 8) == 0:
                    rss.append(rss_kib(pid))
            parts.append(rss_parts(pid))
        listing_bytes, docs = all_descriptions_bytes(corpus, cache)
    return {
        "calls": calls,
        "docs": docs,
        "unique_specs": total,
        "first_call_s": first_call,
        "rss_kib": rss,
        "rss_anon_file_kib": parts,
        "tools": {
            t: {
                "n": len(v),
                "p50_ms": statistics.median(v) * 1000,
                "p99_ms": percentile(v, 0.99) * 1000,
            }
            for t, v in timings.items()
        },
        "route_answer_bytes_median": statistics.median(route_sizes),
        "route_answer_bytes_max": max(route_sizes),
        "all_descriptions_bytes": listing_bytes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument(
        "--corpus", type=Path, default=corpora_dir(), help="default: ../shared/corpora"
    )
    parser.add_argument("--requests", type=Path, default=None, help="a queries.jsonl")
    args = parser.parse_args()
    if args.corpus is None or not args.corpus.is_dir():
        sys.exit("no corpus: pass --corpus or set SPECSEARCH_CORPORA")
    if args.requests is None:
        args.requests = args.corpus.parent / "relevance" / "queries.jsonl"
    report = anyio.run(soak, args.corpus, args.calls, requests_from(args.requests))
    print(json.dumps(report, indent=2))
    route, listing = report["route_answer_bytes_median"], report["all_descriptions_bytes"]
    print(
        f"route_request answer: {route:.0f} bytes (median, k=5); every name and description: "
        f"{listing} bytes for {report['docs']} specs ({listing / route:.0f}x)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
