"""The python fallback's CLI query on ``../shared/corpora``, cache up to date (a bench row).

Group ``cli-python-fallback``: the README's "without Rust" command, process start
to exit, cycling over :data:`benches.python_fallback.WORDS`; ``extra_info`` has
the CPU seconds (user + sys) of each run. Skipped when ``../shared`` is absent.
``python -m benches.python_fallback`` prints the same figures as a table.
"""

from __future__ import annotations

import itertools
import statistics
import sys
from typing import TYPE_CHECKING

import pytest

from benches.python_fallback import WORDS, command, environment, run_once, skip_reason

if TYPE_CHECKING:
    from pathlib import Path

    from pytest_benchmark.fixture import BenchmarkFixture


def test_python_fallback_cli(benchmark: BenchmarkFixture, rounds: int, tmp_path: Path) -> None:
    """``PYTHONPATH=python python -m specsearch query WORD ../shared/corpora --backend python``."""
    reason = skip_reason()
    if reason is not None:
        pytest.skip(reason)
    benchmark.group = "cli-python-fallback"
    env = environment(str(tmp_path / "cache"))
    for word in WORDS:  # builds the cache, which every measured run finds up to date
        run_once(command(sys.executable, word), env)
    order = itertools.cycle(WORDS)
    cpu: list[float] = []

    def run() -> None:
        cpu.append(run_once(command(sys.executable, next(order)), env)[0])

    benchmark.pedantic(run, rounds=len(WORDS) * rounds, iterations=1, warmup_rounds=0)
    benchmark.extra_info.update(
        engine="python",
        command=" ".join(["PYTHONPATH=python", *command("python3", "WORD")]),
        cpu_seconds=cpu,
        cpu_seconds_min=min(cpu),
        cpu_seconds_median=statistics.median(cpu),
    )
