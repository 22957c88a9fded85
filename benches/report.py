"""Print a ratio table from a pytest-benchmark JSON file.

Usage: ``python benches/report.py results.json``. For each group (index,
query) it prints every backend's median, its ratio to native, and the work
done (docs indexed, hits returned), with the machine and versions.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    data: dict[str, Any] = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    machine = data.get("machine_info", {})
    print(
        f"machine: {machine.get('node', '?')}, {machine.get('cpu', {}).get('brand_raw', '?')}, "
        f"{machine.get('cpu', {}).get('count', '?')} cpus, "
        f"python {machine.get('python_version', '?')}; commit "
        f"{data.get('commit_info', {}).get('id', '?')[:12]}"
    )
    groups: dict[str, dict[str, dict[str, Any]]] = {}
    for bench in data.get("benchmarks", []):
        backend = bench.get("params", {}).get("backend", bench["name"])
        groups.setdefault(bench.get("group") or "?", {})[backend] = bench
    print(f"{'group':<8} {'backend':<8} {'median':>12} {'vs native':>10}  work")
    for group, by_backend in sorted(groups.items()):
        native = by_backend.get("native")
        base = native["stats"]["median"] if native else None
        for backend, bench in sorted(by_backend.items()):
            median = bench["stats"]["median"]
            ratio = f"{median / base:.1f}x" if base else "-"
            extra = bench.get("extra_info", {})
            work = ", ".join(f"{k}={v}" for k, v in sorted(extra.items()))
            unit = f"{median * 1e3:.2f} ms" if median < 10 else f"{median:.2f} s"
            print(f"{group:<8} {backend:<8} {unit:>12} {ratio:>10}  {work}")
        if "corpus_bytes" in (native or {}).get("extra_info", {}) and base:
            mb = native["extra_info"]["corpus_bytes"] / 1e6 if native else 0
            print(f"{'':<8} native indexing throughput: {mb / base:.1f} MB/s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
