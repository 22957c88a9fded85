"""Benchmark fixtures: the corpus, the engines to run, their built indexes.

Environment (all optional; ``python -m benches.report`` sets them):

- ``SPECSEARCH_BENCH_CORPUS``: a corpus folder to measure (else a generated one);
- ``SPECSEARCH_BENCH_SIZE`` (default ``5MB``), ``SPECSEARCH_BENCH_SEED`` (0):
  the generated corpus (``benches/gen_corpus.py``), cached under
  ``SPECSEARCH_BENCH_CACHE`` (default ``target/bench-corpora``);
- ``SPECSEARCH_BENCH_ENGINES``: a comma list of engines (default: all of
  native, python, tantivy, sqlite-fts5, bm25s, rg);
- ``SPECSEARCH_BENCH_PYTHON_MAX`` (default ``30MB``): the pure-Python
  backend runs only on corpora up to this size (it is slow);
- ``SPECSEARCH_BENCH_ROUNDS`` (3), ``SPECSEARCH_BENCH_QUERY_REPS`` (5),
  ``SPECSEARCH_BENCH_BATCH`` (1000), ``SPECSEARCH_BENCH_THREADS`` (all cores).
"""

from __future__ import annotations

import importlib.util
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from benches.engines import BACKENDS, build_engine, dir_bytes, parse_corpus, threads_default
from benches.gen_corpus import cached, parse_size

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from benches.engines import Built, ParsedDoc

ROOT = Path(__file__).resolve().parents[1]
ALL_ENGINES = ("native", "python", "tantivy", "sqlite-fts5", "bm25s", "rg")


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


@dataclass(frozen=True, slots=True)
class Corpus:
    """The corpus under measurement."""

    path: Path
    bytes: int
    files: int
    generated: bool
    size_label: str


@pytest.fixture(scope="session")
def bench_corpus_info() -> Corpus:
    """``$SPECSEARCH_BENCH_CORPUS``, else a generated corpus of ``$SPECSEARCH_BENCH_SIZE``."""
    configured = os.environ.get("SPECSEARCH_BENCH_CORPUS")
    if configured:
        path = Path(configured)
        if not path.is_dir():
            pytest.skip(f"no benchmark corpus at {path}")
        files = sum(1 for p in path.rglob("*") if p.is_file())
        return Corpus(path, dir_bytes(path), files, False, path.name)
    label = _env("SPECSEARCH_BENCH_SIZE", "5MB")
    cache = Path(_env("SPECSEARCH_BENCH_CACHE", str(ROOT / "target" / "bench-corpora")))
    folder, info = cached(cache, parse_size(label), int(_env("SPECSEARCH_BENCH_SEED", "0")))
    return Corpus(folder, info.bytes, info.files, True, label)


@pytest.fixture(scope="session")
def bench_corpus(bench_corpus_info: Corpus) -> Path:
    """The corpus folder."""
    return bench_corpus_info.path


@pytest.fixture(scope="session")
def rounds() -> int:
    """Rounds per benchmark ($SPECSEARCH_BENCH_ROUNDS, default 3)."""
    return int(_env("SPECSEARCH_BENCH_ROUNDS", "3"))


def _available(engine: str) -> str | None:
    """Why ``engine`` cannot run here, or None."""
    if engine == "native" and importlib.util.find_spec("specsearch._native") is None:
        return "the native extension is not built"
    if engine in {"tantivy", "bm25s"} and importlib.util.find_spec(engine) is None:
        return f"{engine} is not installed (uv sync --group bench)"
    if engine == "rg" and shutil.which("rg") is None:
        return "ripgrep (rg) is not on PATH (apt-get install ripgrep)"
    return None


@pytest.fixture(scope="session")
def enabled(bench_corpus_info: Corpus) -> Callable[[str], None]:
    """``enabled(engine)`` skips the calling test unless the engine runs in this session."""
    chosen = {e.strip() for e in _env("SPECSEARCH_BENCH_ENGINES", ",".join(ALL_ENGINES)).split(",")}
    python_max = parse_size(_env("SPECSEARCH_BENCH_PYTHON_MAX", "30MB"))

    def check(engine: str) -> None:
        if engine not in chosen:
            pytest.skip(f"{engine} not in SPECSEARCH_BENCH_ENGINES")
        if engine == "python" and bench_corpus_info.bytes > python_max:
            pytest.skip(f"python backend only up to {python_max:,} bytes of corpus")
        reason = _available(engine)
        if reason is not None:
            pytest.skip(reason)

    return check


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for every index of the session."""
    return tmp_path_factory.mktemp("bench")


@dataclass
class Engines:
    """Engines built once per session, on demand, for the query suites."""

    corpus: Path
    root: Path
    built: dict[str, Built] = field(default_factory=dict)
    _parsed: tuple[list[ParsedDoc], float] | None = None

    def parsed(self) -> tuple[list[ParsedDoc], float]:
        """The corpus parsed once by specsearch's Python parser (the peers' input)."""
        if self._parsed is None:
            self._parsed = parse_corpus(self.corpus)
        return self._parsed

    def get(self, name: str) -> Built:
        """Engine ``name``, built on first use."""
        if name not in self.built:
            peers = None if name in BACKENDS else self.parsed()
            self.built[name] = build_engine(name, self.corpus, self.root / name, parsed=peers)
        return self.built[name]

    def index_dir(self, name: str) -> Path:
        """The on-disk index folder a specsearch backend keeps (``--index`` of the CLI)."""
        self.get(name)
        return self.root / name

    def close(self) -> None:
        """Close every engine."""
        for built in self.built.values():
            built.engine.close()


@pytest.fixture(scope="session")
def engines(bench_corpus: Path, workdir: Path) -> Iterator[Engines]:
    """The session's built engines."""
    holder = Engines(bench_corpus, workdir / "session")
    yield holder
    holder.close()


def _version(command: list[str]) -> str | None:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return None
    return out.stdout.splitlines()[0].strip() if out.stdout else None


def _meminfo_bytes() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _package(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def pytest_benchmark_update_machine_info(config: Any, machine_info: dict[str, Any]) -> None:
    """Add memory, versions and the corpus to the JSON's ``machine_info``."""
    del config
    machine_info["ram_bytes"] = _meminfo_bytes()
    machine_info["logical_cpus"] = os.cpu_count()
    machine_info["bench_threads"] = threads_default()
    machine_info["kernel"] = platform.release()
    machine_info["versions"] = {
        "python": sys.version.split()[0],
        "specsearch": _package("specsearch"),
        "numpy": _package("numpy"),
        "tantivy": _package("tantivy"),
        "bm25s": _package("bm25s"),
        "sqlite": sqlite3.sqlite_version,
        "ripgrep": _version(["rg", "--version"]),
        "rustc": _version(["rustc", "--version"]),
    }
    configured = os.environ.get("SPECSEARCH_BENCH_CORPUS")
    machine_info["corpus"] = {
        "path": configured or None,
        "size": _env("SPECSEARCH_BENCH_SIZE", "5MB") if not configured else None,
        "seed": int(_env("SPECSEARCH_BENCH_SEED", "0")),
    }
