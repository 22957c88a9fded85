"""Measure specsearch's peers (tantivy, SQLite FTS5) and specsearch on one corpus.

Usage::

    uv run python benches/measure_peers.py CORPUS_DIR [--json out.json] [--rounds 20]

Each engine runs in its own process (``benches/peers.py``), so that its peak
resident memory can be measured and one engine's memory does not carry over
to the next. Prints a table and writes the records as JSON (by default to
``/tmp/measure_peers-<corpus name>.json``).

Columns: ``parse s`` is the pure-Python walk+parse that feeds the peers (not
part of their index time); ``index s`` is the peer's indexing alone (commit
and merges included) and, for specsearch, its whole build from the files
(walk, parse, analysis, index); ``MB/s`` is corpus bytes over ``index s``;
``index bytes`` is the size on disk;
query latencies are top 10 over the six fields, per query; ``peak RSS`` is
the whole measuring process (the peers' includes the parsed corpus held in
Python); ``fresh ms`` is specsearch's no-change freshness check (opening the
index again over an unchanged corpus).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benches.peers import peak_rss

if TYPE_CHECKING:
    from collections.abc import Sequence

PEERS = Path(__file__).resolve().parent / "peers.py"


def configurations(with_python: bool) -> list[tuple[str, int]]:
    """The (engine, threads) pairs to measure."""
    cpus = os.cpu_count() or 1
    configs = [
        ("sqlite-fts5", 1),
        ("tantivy", 1),
        ("tantivy", 2),
        ("specsearch-native", 1),
        ("specsearch-native", cpus),
    ]
    if with_python:
        configs.append(("specsearch-python", 1))
    return configs


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def table(records: Sequence[dict[str, Any]]) -> str:
    """The records as a text table."""
    head = (
        f"{'engine':<18} {'thr':>3} {'parse s':>8} {'index s':>8} {'MB/s':>7} "
        f"{'index bytes':>12} {'B/corpus B':>10} {'p50 µs':>8} {'p95 µs':>8} {'peak RSS MB':>11}"
    )
    lines = [head, "-" * len(head)]
    for r in records:
        index_bytes = r.get("index_bytes")
        ratio = index_bytes / r["corpus_bytes"] if index_bytes is not None else None
        fresh = r.get("freshness_seconds")
        lines.append(
            f"{r['engine']:<18} {r['threads']:>3} {_fmt(r.get('parse_seconds'), '8.2f')} "
            f"{r['index_seconds']:>8.2f} {r['corpus_bytes'] / 1e6 / r['index_seconds']:>7.1f} "
            f"{_fmt(index_bytes, '12,d'):>12} {_fmt(ratio, '10.3f'):>10} "
            f"{r['query_p50_us']:>8.0f} {r['query_p95_us']:>8.0f} "
            f"{r['peak_rss_bytes'] / 2**20:>11.0f} "
            f"{_fmt(fresh * 1e3 if fresh is not None else None, '8.1f'):>8}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure every engine on the corpus, print the table, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--json", type=Path, help="where to write the records")
    parser.add_argument("--rounds", type=int, default=20, help="timed runs of each query")
    parser.add_argument("--with-python", action="store_true", help="also specsearch's pure Python")
    parser.add_argument("--workdir", type=Path, help="folder for index files (default: /tmp)")
    args = parser.parse_args(argv)
    corpus = args.corpus.resolve()
    out = args.json or Path(tempfile.gettempdir()) / f"measure_peers-{corpus.name}.json"
    records: list[dict[str, Any]] = []
    for engine, threads in configurations(args.with_python):
        command = [sys.executable, str(PEERS), str(corpus), "--engine", engine]
        command += ["--threads", str(threads), "--rounds", str(args.rounds)]
        if args.workdir:
            command += ["--workdir", str(args.workdir)]
        run = peak_rss(command)
        if run.returncode != 0:
            print(f"{engine} ({threads} threads) failed: exit {run.returncode}", file=sys.stderr)
            continue
        record = json.loads(run.stdout.strip().splitlines()[-1])
        record.update(peak_rss_bytes=run.peak_rss_bytes, process_seconds=run.seconds)
        records.append(record)
        print(f"measured {engine} ({threads} threads) in {run.seconds:.1f} s", file=sys.stderr)
    print(f"corpus {corpus}: {records[0]['docs'] if records else 0} docs, "
          f"{records[0]['corpus_bytes'] if records else 0:,} bytes")  # fmt: skip
    print(table(records))
    out.write_text(json.dumps(records, indent=1), encoding="utf-8")
    print(f"records written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
