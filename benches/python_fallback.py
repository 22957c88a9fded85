"""The python fallback's CLI query on ``../shared/corpora``, cache up to date (issue 12, point 6).

Usage::

    uv run python -m benches.python_fallback [--rounds 5] [--python PY] [--source DIR] [--out FILE]

It runs the README's "without Rust" command as a user would, process start to
exit: ``PYTHONPATH=python PY -m specsearch query WORD ../shared/corpora
--backend python`` (the extension is never imported on that path), with a
private cache folder. The first run of each query builds the cache (and the
bytecode caches, which a user has after a first run too: they are not turned
off); every measured run then finds it up to date. For each run it records
the child's CPU time (user + sys, from ``getrusage``) and its wall time, and
prints per query the minimum and median of both: on a shared machine the
minimum is the figure least disturbed by other processes, CPU time less so
than wall time. ``--python`` picks the interpreter (say, a venv holding only
the four packages the README lists), ``--source`` the source tree whose
``python`` folder is on the path (say, an export of an older commit, for a
before/after figure). Nothing is asserted.

When ``../shared/corpora`` is absent it says so and exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
#: Queries of the issue's list, and its example.
WORDS = ("kubernetes helm deployment", "terraform", "code review", "postgres", "data pipeline")

__all__ = [
    "CORPORA",
    "WORDS",
    "command",
    "environment",
    "main",
    "measure",
    "render",
    "run_once",
    "skip_reason",
]


def skip_reason(corpora: Path = CORPORA) -> str | None:
    """Why the measurement cannot run here, or None."""
    if not corpora.is_dir():
        return f"no corpora at {corpora} (the shared folder next to the repository)"
    return None


def command(python: str, word: str, corpora: Path = CORPORA) -> list[str]:
    """The README's "without Rust" query command, for ``word``."""
    return [python, "-m", "specsearch", "query", word, str(corpora), "--backend", "python"]


def environment(cache: str, source: Path = ROOT) -> dict[str, str]:
    """The child's environment: ``source``'s python folder on the path, a private cache."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=str(source / "python"), XDG_CACHE_HOME=cache, NO_COLOR="1")
    return env


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """CPU seconds (user + sys) and wall seconds of one child, and its exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in {0, 1}:
        raise RuntimeError(f"{argv} failed ({done.returncode}): {done.stderr[-500:]!r}")
    return cpu, wall, done.returncode


def measure(
    python: str = sys.executable,
    rounds: int = 5,
    corpora: Path = CORPORA,
    source: Path = ROOT,
) -> dict[str, Any]:
    """Per query: the CPU and wall seconds of each measured run, and their summaries."""
    with tempfile.TemporaryDirectory(prefix="specsearch-fallback-") as cache:
        env = environment(cache, source)
        for word in WORDS:  # builds the cache once, then checks every query runs
            run_once(command(python, word, corpora), env)
        runs: dict[str, list[tuple[float, float]]] = {word: [] for word in WORDS}
        for _ in range(rounds):
            for word in WORDS:
                cpu, wall, _ = run_once(command(python, word, corpora), env)
                runs[word].append((cpu, wall))
    every = [run for word in WORDS for run in runs[word]]

    def summary(values: list[tuple[float, float]]) -> dict[str, float]:
        cpus, walls = [c for c, _ in values], [w for _, w in values]
        return {
            "cpu_min": min(cpus),
            "cpu_median": statistics.median(cpus),
            "wall_min": min(walls),
            "wall_median": statistics.median(walls),
        }

    return {
        "command": " ".join(["PYTHONPATH=python", *command("python3", "WORD", corpora)]),
        "python": python,
        "source": str(source),
        "rounds": rounds,
        "queries": {word: {"runs": runs[word], **summary(runs[word])} for word in WORDS},
        "all": summary(every),
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
            "python": platform.python_version(),
        },
    }


def render(result: dict[str, Any]) -> str:
    """The table: per query, CPU and wall seconds (minimum / median)."""
    lines = [
        f"command: {result['command']}",
        f"{'query':<28} {'cpu min':>8} {'cpu med':>8} {'wall min':>9} {'wall med':>9}",
    ]
    rows = [*result["queries"].items(), ("all", result["all"])]
    for word, row in rows:
        lines.append(
            f"{word:<28} {row['cpu_min']:8.3f} {row['cpu_median']:8.3f}"
            f" {row['wall_min']:9.3f} {row['wall_median']:9.3f}"
        )
    machine = result["machine"]
    load = ", ".join(f"{x:.1f}" for x in machine["load_average"])
    lines.append(
        f"{result['rounds']} rounds; {machine['cpus']} CPUs, load average {load} at the end;"
        f" Python {machine['python']}; {machine['platform']}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure and print (and save with ``--out``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--source", type=Path, default=ROOT)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    reason = skip_reason()
    if reason is not None:
        print(f"skipped: {reason}")
        return 0
    result = measure(args.python, args.rounds, source=args.source)
    if args.out is not None:
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
