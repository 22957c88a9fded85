"""Run the benchmark suites at a chosen size and print the ratio table.

Usage::

    uv run --group bench python -m benches.report --size 100MB --out results.json
    uv run python -m benches.report --print results.json      # a saved run's table

The first form generates (once, cached under ``target/bench-corpora``) a
deterministic corpus of that size with ``benches/gen_corpus.py``, runs
``pytest benches --benchmark-only`` on it (every engine side by side, in one
run), saves pytest-benchmark's raw JSON to ``--out`` and prints the table:
per case, each engine's median, the ratio to native (peer time / native
time: above 1 means native is faster), throughput, index size, peak RSS and
the equal-work figures (hit counts, top-10 overlap with native), then the
machine and versions. ``--corpus DIR`` measures a folder instead.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

__all__ = ["ENGINE_ORDER", "load", "main", "render", "summarize"]

ENGINE_ORDER = ("native", "python", "tantivy", "sqlite-fts5", "bm25s", "rg")
GROUP_ORDER = (
    "index",
    "index-rss",
    "query",
    "query-paired",
    "batch",
    "batch-distinct",
    "cli",
    "freshness",
    "freshness-nochange",
    "startup",
)


def load(path: Path) -> dict[str, Any]:
    """A pytest-benchmark JSON file."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _engine(bench: dict[str, Any]) -> str:
    params = bench.get("params") or {}
    extra = bench.get("extra_info") or {}
    return str(
        extra.get("engine") or params.get("engine") or params.get("backend") or bench["name"]
    )


def summarize(data: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """Per group, per engine: the figures the table shows (seconds, bytes, ratios).

    Returns:
        ``{group: {engine: {"median": s, "ratio": peer/native or None, ...}}}``.
    """
    groups: dict[str, dict[str, dict[str, Any]]] = {}
    for bench in data.get("benchmarks", []):
        group = bench.get("group") or "?"
        extra = bench.get("extra_info") or {}
        stats = bench["stats"]
        row: dict[str, Any] = {"median": stats["median"], "rounds": stats.get("rounds")}
        corpus = extra.get("corpus_bytes")
        if group == "index":
            engine_only = extra.get("index_seconds_median") or stats["median"]
            row.update(
                mb_per_s=corpus / 1e6 / stats["median"] if corpus else None,
                engine_only_seconds=engine_only,
                engine_only_mb_per_s=corpus / 1e6 / engine_only if corpus else None,
                index_bytes=extra.get("index_bytes"),
                index_ratio=extra["index_bytes"] / corpus if corpus else None,
                docs=extra.get("docs"),
                parse_counted=extra.get("parse_counted"),
            )
        elif group == "index-rss":
            row.update(peak_rss_bytes=extra.get("peak_rss_bytes"))
        elif group == "query-paired":
            row.update(
                p50=extra.get("p50_seconds"),
                p99=extra.get("p99_seconds"),
                native_p50=extra.get("native_p50_seconds"),
                native_p99=extra.get("native_p99_seconds"),
            )
        elif group == "query":
            row.update(
                p50=extra.get("p50_seconds", stats["median"]),
                p99=extra.get("p99_seconds"),
                by_kind=extra.get("median_by_kind_seconds", {}),
            )
        elif group in {"batch", "batch-distinct"}:
            row.update(qps=extra.get("queries", 0) / stats["median"] if stats["median"] else None)
        elif group == "startup":
            row.update(importtime=extra.get("importtime_top_us"))
        elif group == "cli":
            row.update(
                peak_rss_bytes=extra.get("peak_rss_bytes"), files=extra.get("matching_files")
            )
        work = extra.get("equal_work")
        if work:
            row.update(
                same_hits=work.get("same_hit_count"),
                compared=work.get("compared"),
                overlap=work.get("mean_top10_overlap"),
            )
        groups.setdefault(group, {})[_engine(bench)] = row
    for group, rows in groups.items():
        native = rows.get("native")
        for row in rows.values():
            if group == "query-paired":  # each peer against its own native rounds
                row["ratio"] = _div(row.get("p50"), row.get("native_p50"))
                row["ratio_p99"] = _div(row.get("p99"), row.get("native_p99"))
            else:
                row["ratio"] = _div(row["median"], native["median"] if native else None)
            if group == "index" and row is not native:  # the peer's engine alone vs native whole
                row["engine_only_ratio"] = _div(
                    row.get("engine_only_seconds"), native["median"] if native else None
                )
    return groups


def _div(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _t(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def _mb(n: float | None) -> str:
    return "-" if n is None else f"{n / 2**20:.1f} MiB"


def _x(ratio: float | None) -> str:
    return "-" if ratio is None else f"{ratio:.2f}x"


def _work(row: dict[str, Any]) -> str:
    if row.get("compared") is None:
        return ""
    overlap = row.get("overlap")
    ov = "-" if overlap is None else f"{overlap:.0%}"
    return f"hits = native on {row['same_hits']}/{row['compared']} queries, top-10 overlap {ov}"


def _order(rows: dict[str, Any]) -> list[str]:
    known = [e for e in ENGINE_ORDER if e in rows]
    return known + sorted(e for e in rows if e not in ENGINE_ORDER)


def _row_text(group: str, engine: str, row: dict[str, Any]) -> str:
    """One engine's line(s) in a group's table."""
    head = f"  {engine:<12} median {_t(row['median']):>10}  ratio {_x(row['ratio']):>8}"
    if group == "index":
        head += (
            f"  {row['mb_per_s'] or 0:6.1f} MB/s"
            f"  engine-only {_t(row['engine_only_seconds'])} "
            f"({row['engine_only_mb_per_s'] or 0:.1f} MB/s)"
            f"  index {_mb(row['index_bytes'])} ({row['index_ratio'] or 0:.2f}x corpus)"
            + ("" if row.get("parse_counted") else "  [parse not counted]")
        )
        if row.get("engine_only_ratio") is not None:
            head += (
                f"\n  {'':<12} engine-only / native's whole build: {_x(row['engine_only_ratio'])}"
            )
    elif group in {"index-rss", "cli"}:
        head += f"  peak RSS {_mb(row.get('peak_rss_bytes'))}"
        if row.get("files"):
            head += f"  files per word {row['files']}"
    elif group == "query-paired":
        head = (
            f"  {engine:<12} p50 {_t(row['p50'])} (native {_t(row['native_p50'])},"
            f" ratio {_x(row['ratio'])})  p99 {_t(row['p99'])}"
            f" (native {_t(row['native_p99'])}, ratio {_x(row['ratio_p99'])})"
        )
    elif group == "query":
        kinds = ", ".join(f"{k} {_t(v)}" for k, v in row["by_kind"].items())
        head += f"  p50 {_t(row['p50'])}  p99 {_t(row['p99'])}  ({kinds})"
    elif group in {"batch", "batch-distinct"}:
        head += f"  {row['qps'] or 0:,.0f} queries/s"
    elif group == "startup" and row.get("importtime"):
        top = ", ".join(f"{m} {us / 1e3:.1f} ms" for m, us in row["importtime"])
        head += f"\n  {'':<12} -X importtime, cumulative: {top}"
    work = "" if engine == "native" else _work(row)
    if work:
        head += f"\n  {'':<12} {work}"
    return head


def render(data: dict[str, Any]) -> str:
    """The text report: ratio tables per case, then machine and versions."""
    groups = summarize(data)
    out: list[str] = []
    machine = data.get("machine_info", {})
    corpus = machine.get("corpus", {})
    index_rows = groups.get("index", {})
    first = next(iter(index_rows.values()), {})
    corpus_bytes = None
    for bench in data.get("benchmarks", []):
        corpus_bytes = (bench.get("extra_info") or {}).get("corpus_bytes") or corpus_bytes
    out.append(
        f"corpus: {corpus.get('path') or 'generated ' + str(corpus.get('size'))} "
        f"(seed {corpus.get('seed')}), {corpus_bytes or 0:,} bytes, {first.get('docs', '?')} docs"
    )
    out.append("ratio = engine's median / native's median (above 1: native is faster)")
    for group in (*GROUP_ORDER, *sorted(set(groups) - set(GROUP_ORDER))):
        rows = groups.get(group)
        if not rows:
            continue
        out.append("")
        out.append(f"[{group}]")
        out.extend(_row_text(group, engine, rows[engine]) for engine in _order(rows))
    cpu = machine.get("cpu", {})
    versions = machine.get("versions", {})
    ram = machine.get("ram_bytes")
    out.append("")
    cpus = machine.get("logical_cpus", cpu.get("count", "?"))
    out.append(
        f"machine: {cpu.get('brand_raw', '?')}, {cpus} "
        f"logical CPUs, {ram / 2**30 if ram else 0:.1f} GiB RAM, {machine.get('system', '?')} "
        f"{machine.get('kernel', '')}; threads used {machine.get('bench_threads', '?')}"
    )
    out.append("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items() if v))
    commit = data.get("commit_info", {})
    if commit.get("id"):
        dirty = " (dirty)" if commit.get("dirty") else ""
        out.append(f"commit: {commit['id'][:12]}{dirty}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Run the suites (or read a saved run) and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("saved", nargs="?", type=Path, help="a saved JSON: print its table only")
    parser.add_argument("--print", dest="print_only", type=Path, help="same as SAVED")
    parser.add_argument("--size", default="5MB", help="generated corpus size (1MB .. several GB)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--corpus", type=Path, help="measure this folder instead of generating")
    parser.add_argument("--out", type=Path, default=ROOT / "target" / "bench.json")
    parser.add_argument("--engines", help="comma list (default: all that are installed)")
    parser.add_argument("--rounds", type=int, help="rounds per benchmark (default 3)")
    parser.add_argument("-k", dest="select", help="pytest -k expression (a subset of the cases)")
    args = parser.parse_args(argv)
    saved = args.print_only or args.saved
    if saved is not None:
        print(render(load(saved)))
        return 0
    env = dict(os.environ)
    if args.corpus is not None:
        env["SPECSEARCH_BENCH_CORPUS"] = str(args.corpus.resolve())
    else:
        env.pop("SPECSEARCH_BENCH_CORPUS", None)
        env["SPECSEARCH_BENCH_SIZE"] = args.size
        env["SPECSEARCH_BENCH_SEED"] = str(args.seed)
    if args.engines:
        env["SPECSEARCH_BENCH_ENGINES"] = args.engines
    if args.rounds:
        env["SPECSEARCH_BENCH_ROUNDS"] = str(args.rounds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pytest", str(ROOT / "benches"), "--benchmark-only"]
    command += [f"--benchmark-json={args.out}", "-q", "-p", "no:cacheprovider", "-rs"]
    command += ["--benchmark-columns=median,min,max,rounds", "--benchmark-sort=name"]
    if args.select:
        command += ["-k", args.select]
    print("running:", " ".join(command), file=sys.stderr)
    code = subprocess.run(command, cwd=ROOT, env=env, check=False).returncode
    if not args.out.exists():
        print(f"no results (pytest exit {code})", file=sys.stderr)
        return code or 1
    print()
    print(render(load(args.out)))
    print(f"\nraw results: {args.out}")
    return code


if __name__ == "__main__":
    sys.exit(main())
