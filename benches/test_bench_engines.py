"""The benchmark suites: every engine side by side on one corpus, in one run.

Groups (``benchmark.group``), each parametrized by engine:

- ``index``: a fresh on-disk build (``extra_info``: corpus and index bytes,
  docs, the engine-only indexing seconds when the parse is separable);
- ``index-rss``: one build in a fresh process, for its peak RSS (``wait4``);
- ``query``: one call per query of the mixed set (:data:`benches.workload.MIXED`),
  top 10 ids and scores; the median over calls is p50, ``extra_info`` has
  p99, the median per kind of query, and the **equal-work** figures: each
  query's hit count and top-10 overlap with native;
- ``query-paired``: the same calls, native and one peer taking turns, so
  that the p50 and p99 ratios come from the same minutes;
- ``batch`` and ``batch-distinct``: :func:`benches.workload.batch_queries`
  (repeats) and :func:`benches.workload.distinct_batch_queries` (none) in one call (native and
  python ``search_many``, bm25s ``retrieve``; the others loop);
- ``cli``: ``specsearch query WORD CORPUS --index DIR`` on an up-to-date index,
  process start to exit, against ``rg -il WORD CORPUS``;
- ``freshness`` / ``freshness-nochange``: opening the persistent index after
  one file changed / after nothing changed;
- ``startup``: ``python -c "import specsearch.cli"`` (the entry point), and
  the modules a plain ``query`` run imports, against ``python -c "import
  click"`` (the floor a click CLI can reach) and ``python -c pass``
  (``extra_info``: the top imports by ``-X importtime``).

Nothing here asserts a timing. Run ``python -m benches.report`` (see the README).
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from benches.engines import (
    BACKENDS,
    backend_class_of,
    build_engine,
    measure_command,
    threads_default,
)
from benches.workload import CLI_WORDS, KINDS, MIXED, batch_queries, distinct_batch_queries
from specsearch.backend import BuildOptions

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from pytest_benchmark.fixture import BenchmarkFixture

    from benches.conftest import Corpus, Engines
    from benches.engines import Engine

QUERY_ENGINES = ["native", "python", "tantivy", "sqlite-fts5"]
INDEX_ENGINES = ["native", "python", "tantivy", "sqlite-fts5", "bm25s"]
BATCH_ENGINES = ["native", "python", "tantivy", "sqlite-fts5", "bm25s"]
# The CLI runs specsearch's own backends only (tantivy is a bench adapter).
CLI_ENGINES = ["native", "python", "rg"]
FRESH_ENGINES = list(BACKENDS)


def _reps() -> int:
    return int(os.environ.get("SPECSEARCH_BENCH_QUERY_REPS", "5"))


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _timings(benchmark: BenchmarkFixture) -> list[float]:
    stats: Any = benchmark.stats
    return list(stats.stats.data) if stats is not None else []


# --- index -----------------------------------------------------------------


@pytest.mark.parametrize("engine", INDEX_ENGINES)
def test_index(  # noqa: PLR0917
    benchmark: BenchmarkFixture,
    bench_corpus_info: Corpus,
    engines: Engines,
    enabled: Callable[[str], None],
    workdir: Path,
    rounds: int,
    engine: str,
) -> None:
    enabled(engine)
    benchmark.group = "index"
    parsed = None if engine in BACKENDS else engines.parsed()
    counter = itertools.count()
    builds: list[dict[str, Any]] = []

    def setup() -> tuple[tuple[Path], dict[str, Any]]:
        folder = workdir / f"index-{engine}-{next(counter)}"
        shutil.rmtree(folder, ignore_errors=True)
        return (folder,), {}

    def build(folder: Path) -> None:
        built = build_engine(engine, bench_corpus_info.path, folder, parsed=parsed)
        builds.append(
            {
                "docs": built.engine.num_docs,
                "parse_seconds": built.parse_seconds,
                "index_seconds": built.index_seconds,
                "index_bytes": built.index_bytes,
            }
        )
        built.engine.close()
        shutil.rmtree(folder, ignore_errors=True)

    n = 1 if engine == "python" else rounds
    benchmark.pedantic(build, setup=setup, rounds=n, iterations=1, warmup_rounds=0)
    last = builds[-1]
    parse_values = [b["parse_seconds"] for b in builds if b["parse_seconds"] is not None]
    benchmark.extra_info.update(
        engine=engine,
        corpus_bytes=bench_corpus_info.bytes,
        corpus_files=bench_corpus_info.files,
        docs=last["docs"],
        index_bytes=last["index_bytes"],
        threads=threads_default(),
        index_seconds_median=statistics.median(b["index_seconds"] for b in builds),
        parse_seconds_median=statistics.median(parse_values) if parse_values else None,
        parse_counted=engine in {"native", "python", "tantivy"},
    )
    assert last["docs"] > 0


@pytest.mark.parametrize("engine", INDEX_ENGINES)
def test_index_peak_rss(
    benchmark: BenchmarkFixture,
    bench_corpus_info: Corpus,
    enabled: Callable[[str], None],
    workdir: Path,
    engine: str,
) -> None:
    """One build in a child process: its wall time and peak resident memory."""
    enabled(engine)
    benchmark.group = "index-rss"
    folder = workdir / f"rss-{engine}"
    command = [sys.executable, "-m", "benches.engines", "index", engine]
    command += [str(bench_corpus_info.path), str(folder), "--threads", str(threads_default())]
    result: dict[str, Any] = {}

    def run() -> None:
        shutil.rmtree(folder, ignore_errors=True)
        done = measure_command(command, cwd=Path(__file__).resolve().parents[1])
        assert done.returncode == 0, f"{engine} build failed (exit {done.returncode})"
        record = json.loads(done.stdout.strip().splitlines()[-1])
        result.update(
            peak_rss_bytes=record["peak_rss_bytes"] or done.peak_rss_bytes,
            peak_rss_time_bytes=done.peak_rss_bytes,
            process_seconds=done.seconds,
        )
        shutil.rmtree(folder, ignore_errors=True)

    benchmark.pedantic(run, rounds=1, iterations=1, warmup_rounds=0)
    benchmark.extra_info.update(engine=engine, corpus_bytes=bench_corpus_info.bytes, **result)


# --- queries ---------------------------------------------------------------


def _equal_work(engine: Engine, native: Engine | None, queries: Sequence[str]) -> dict[str, Any]:
    """Hit counts and top-10 overlap with native, per query."""
    rows = []
    for query in queries:
        row: dict[str, Any] = {"query": query}
        try:
            row["hits"] = engine.count(query)
            top = engine.top(query, 10)
        except (ValueError, TypeError) as err:  # an engine that cannot run it (yet)
            row.update(hits=None, error=f"{type(err).__name__}: {err}")
            rows.append(row)
            continue
        if native is not None and native is not engine:
            try:
                ref_hits = native.count(query)
                ref_top = native.top(query, 10)
            except (ValueError, TypeError):
                ref_hits, ref_top = None, []
            row["native_hits"] = ref_hits
            if ref_top:
                row["top10_overlap"] = len(set(top) & set(ref_top)) / len(ref_top)
        rows.append(row)
    same = [r for r in rows if r.get("native_hits") is not None and r.get("hits") is not None]
    overlaps = [r["top10_overlap"] for r in rows if "top10_overlap" in r]
    return {
        "per_query": rows,
        "same_hit_count": sum(r["hits"] == r["native_hits"] for r in same),
        "compared": len(same),
        "mean_top10_overlap": statistics.fmean(overlaps) if overlaps else None,
    }


def _native_or_none(engines: Engines, enabled: Callable[[str], None]) -> Engine | None:
    try:
        enabled("native")
    except pytest.skip.Exception:
        return None
    return engines.get("native").engine


@pytest.mark.parametrize("engine", QUERY_ENGINES)
def test_query(
    benchmark: BenchmarkFixture,
    engines: Engines,
    enabled: Callable[[str], None],
    engine: str,
) -> None:
    """Single-query latency over the mixed set: one call is one query."""
    enabled(engine)
    benchmark.group = "query"
    eng = engines.get(engine).engine
    native = _native_or_none(engines, enabled)
    mixed = [(kind, q) for kind, q in MIXED if eng.supports(q)]
    work = _equal_work(eng, native, [q for _, q in mixed])
    runnable = [
        (k, q) for (k, q), row in zip(mixed, work["per_query"], strict=True) if "error" not in row
    ]
    assert runnable, f"{engine} ran none of the queries: {work['per_query'][:3]}"
    for _, q in runnable:  # warm-up
        eng.search_once(q, 10)
    order = itertools.cycle(runnable)
    kinds: list[str] = []

    def one() -> None:
        kind, query = next(order)
        kinds.append(kind)
        eng.search_once(query, 10)

    reps = max(1, _reps() if engine != "python" else _reps() // 2)
    benchmark.pedantic(one, rounds=len(runnable) * reps, iterations=1, warmup_rounds=0)
    data = _timings(benchmark)
    by_kind = {
        kind: statistics.median(t for t, k in zip(data, kinds, strict=False) if k == kind)
        for kind in KINDS
        if kind in kinds
    }
    if engine == "python" and native is not None:  # the two engines' claim: the same answers
        assert work["same_hit_count"] == work["compared"], work["per_query"]
    benchmark.extra_info.update(
        engine=engine,
        queries=len(runnable),
        p50_seconds=statistics.median(data),
        p99_seconds=_percentile(data, 0.99),
        median_by_kind_seconds=by_kind,
        equal_work=work,
    )


#: The peers ``query-paired`` runs against native (python is too slow to interleave).
PAIRED_ENGINES = ["tantivy", "sqlite-fts5"]
#: Timed passes over the mixed set per turn of ``query-paired``.
PAIRED_PASSES = 3


@pytest.mark.parametrize("engine", PAIRED_ENGINES)
def test_query_paired(
    benchmark: BenchmarkFixture,
    engines: Engines,
    enabled: Callable[[str], None],
    engine: str,
) -> None:
    """Single-query latency of a peer and native, taking turns.

    ``query`` times each engine in a block of its own, so a machine whose
    speed drifts between the blocks (a shared VM) moves their ratio. Here
    the engines take turns, native then peer, then peer then native, and so
    on: in each turn, one untimed pass over the mixed set (the other
    engine's turn has evicted this one's cached lines, which ``query`` does
    not measure either) and :data:`PAIRED_PASSES` timed passes. p50 and p99
    are over every timed call of each engine, so their ratios come from the
    same minutes.
    """
    enabled("native")
    enabled(engine)
    benchmark.group = "query-paired"
    native, peer = engines.get("native").engine, engines.get(engine).engine
    queries = []
    for _, query in MIXED:  # warm-up; a query either engine cannot run is left out
        try:
            native.search_once(query, 10)
            peer.search_once(query, 10)
        except (ValueError, TypeError):
            continue
        queries.append(query)
    assert queries, f"{engine} ran none of the queries"
    calls: dict[str, list[float]] = {"native": [], engine: []}

    orders = itertools.cycle([("native", engine), (engine, "native")])

    def pair() -> None:
        for name in next(orders):
            eng, out = (native, calls["native"]) if name == "native" else (peer, calls[engine])
            for query in queries:
                eng.search_once(query, 10)
            for _ in range(PAIRED_PASSES):
                for query in queries:
                    start = time.perf_counter()
                    eng.search_once(query, 10)
                    out.append(time.perf_counter() - start)

    benchmark.pedantic(pair, rounds=2 * max(1, _reps() // 2), iterations=1, warmup_rounds=0)
    p50 = {name: statistics.median(ts) for name, ts in calls.items()}
    p99 = {name: _percentile(ts, 0.99) for name, ts in calls.items()}
    benchmark.extra_info.update(
        engine=engine,
        queries=len(queries),
        p50_seconds=p50[engine],
        p99_seconds=p99[engine],
        native_p50_seconds=p50["native"],
        native_p99_seconds=p99["native"],
    )
    assert len(calls["native"]) == len(calls[engine]) > 0


@pytest.mark.parametrize("workload", ["repeated", "distinct"])
@pytest.mark.parametrize("engine", BATCH_ENGINES)
def test_batch(  # noqa: PLR0917
    benchmark: BenchmarkFixture,
    engines: Engines,
    enabled: Callable[[str], None],
    rounds: int,
    engine: str,
    workload: str,
) -> None:
    """A batch of OR queries in one call (queries per second = n / median).

    ``repeated``: the mixed set's OR queries cycled (group ``batch``), as
    measured since issue 5; ``distinct``: as many queries, none repeated
    (group ``batch-distinct``), since native answers a repeated query once.
    """
    enabled(engine)
    benchmark.group = "batch" if workload == "repeated" else "batch-distinct"
    eng = engines.get(engine).engine
    n = int(os.environ.get("SPECSEARCH_BENCH_BATCH", "1000"))
    if engine == "python":
        n = min(n, 200)
    queries = batch_queries(n) if workload == "repeated" else distinct_batch_queries(n)
    hits = benchmark.pedantic(
        eng.search_many, args=(queries, 10), rounds=rounds, iterations=1, warmup_rounds=1
    )
    native = _native_or_none(engines, enabled)
    distinct = list(dict.fromkeys(queries))
    benchmark.extra_info.update(
        engine=engine,
        queries=n,
        hits=hits,
        threads=threads_default(),
        equal_work=_equal_work(eng, native, distinct),
    )


# --- the CLI ---------------------------------------------------------------


def _cli_env() -> dict[str, str]:
    """The environment of a user's shell: Python caches its bytecode (CI images
    often set PYTHONDONTWRITEBYTECODE, which makes every start recompile click)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _specsearch_command() -> list[str]:
    script = Path(sys.executable).with_name("specsearch")
    return [str(script)] if script.exists() else [sys.executable, "-m", "specsearch"]


@pytest.mark.parametrize("engine", CLI_ENGINES)
def test_cli(  # noqa: PLR0917
    benchmark: BenchmarkFixture,
    bench_corpus_info: Corpus,
    engines: Engines,
    enabled: Callable[[str], None],
    rounds: int,
    engine: str,
) -> None:
    """Process start to exit: ``specsearch query WORD CORPUS`` (index up to date) vs ``rg -il``."""
    enabled(engine)
    benchmark.group = "cli"
    corpus = str(bench_corpus_info.path)
    if engine == "rg":

        def command(word: str) -> list[str]:
            return ["rg", "-il", word, corpus]

    else:
        index = str(engines.index_dir(engine))

        def command(word: str) -> list[str]:
            options = ["--index", index, "--backend", engine, "--color", "never"]
            return [*_specsearch_command(), "query", word, corpus, *options]

    counts: dict[str, int] = {}
    for word in CLI_WORDS:  # warm-up, and the index is brought up to date
        out = subprocess.run(
            command(word), capture_output=True, text=True, check=False, env=_cli_env()
        )
        assert out.returncode in {0, 1}, f"{command(word)} failed: {out.stderr[-500:]}"
        if engine == "rg":
            counts[word] = len(out.stdout.splitlines())
        else:
            counts[word] = engines.get(engine).engine.count(word)
    order = itertools.cycle(CLI_WORDS)

    def run() -> None:
        subprocess.run(command(next(order)), stdout=subprocess.DEVNULL, check=False, env=_cli_env())

    benchmark.pedantic(run, rounds=len(CLI_WORDS) * rounds, iterations=1, warmup_rounds=0)
    rss = measure_command(command(CLI_WORDS[0]))
    benchmark.extra_info.update(
        engine=engine,
        command=" ".join(command("WORD")),
        matching_files=counts,
        peak_rss_bytes=rss.peak_rss_bytes,
    )


# --- freshness -------------------------------------------------------------


def _victim(corpus: Path) -> Path:
    """The file the freshness suite changes (the first spec, in sorted order)."""
    return next(p for p in sorted(corpus.rglob("*.md")) if p.is_file())


@pytest.mark.parametrize("engine", FRESH_ENGINES)
@pytest.mark.parametrize("change", ["one-file", "none"])
def test_freshness(  # noqa: PLR0917
    benchmark: BenchmarkFixture,
    bench_corpus_info: Corpus,
    enabled: Callable[[str], None],
    workdir: Path,
    rounds: int,
    engine: str,
    change: str,
) -> None:
    """Opening the persistent index after one file changed (or none): what every query pays."""
    enabled(engine)
    benchmark.group = "freshness" if change == "one-file" else "freshness-nochange"
    backend_class = backend_class_of(engine)
    corpus = bench_corpus_info.path
    folder = str(workdir / f"fresh-{engine}")
    options = BuildOptions(threads=threads_default())
    backend_class.open(folder, [str(corpus)], options, None)[0].close()
    victim = _victim(corpus)
    original = victim.read_bytes()
    stat = victim.stat()
    flip = itertools.count()
    infos: list[Any] = []

    def setup() -> tuple[tuple[()], dict[str, Any]]:
        if change == "one-file":
            victim.write_bytes(original + f"\nfreshness edit {next(flip)}\n".encode())
        return (), {}

    def reopen() -> None:
        backend, info = backend_class.open(folder, [str(corpus)], options, None)
        infos.append(info)
        backend.close()

    try:
        benchmark.pedantic(reopen, setup=setup, rounds=rounds, iterations=1)
    finally:
        victim.write_bytes(original)
        os.utime(victim, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    last = infos[-1]
    benchmark.extra_info.update(
        engine=engine,
        change=change,
        changed=last.changed + last.added,
        unchanged=last.unchanged,
    )
    if change == "one-file":
        assert last.changed + last.added >= 1
    else:
        assert not last.committed


# --- start-up --------------------------------------------------------------

#: ``native``: the entry point; ``query-path``: what a plain ``query`` run
#: imports besides (parsing, running, printing, the facade, the extension),
#: which click used to be most of; ``click``: the floor a click CLI can reach.
STARTUP_CODE = {
    "native": "import specsearch.cli",
    "query-path": (
        "import specsearch.cli, specsearch.cli_args, specsearch.cli_run, specsearch.native"
    ),
    "click": "import click",
    "bare-python": "pass",
}


def importtime_top(code: str, n: int = 8) -> list[tuple[str, int]]:
    """The ``n`` costliest imports of ``code`` at depth 0 or 1, by cumulative µs.

    Parsed from ``python -X importtime`` (its stderr): the rows whose module
    name is indented at most once, i.e. imported by the script itself or by
    a module it imports directly.
    """
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=_cli_env(),
    ).stderr
    rows: list[tuple[str, int]] = []
    for line in out.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        name = parts[2].rstrip()
        depth = (len(name) - len(name.lstrip())) // 2
        if depth <= 1:
            rows.append((name.strip(), int(parts[1])))
    return sorted(rows, key=lambda r: -r[1])[:n]


@pytest.mark.parametrize("engine", list(STARTUP_CODE))
def test_startup(benchmark: BenchmarkFixture, rounds: int, engine: str) -> None:
    """A fresh interpreter importing the CLI, click alone, or nothing (bytecode cached)."""
    benchmark.group = "startup"
    command = [sys.executable, "-c", STARTUP_CODE[engine]]
    subprocess.run(command, check=True, env=_cli_env())  # bytecode cached

    def run() -> None:
        subprocess.run(command, check=True, env=_cli_env())

    benchmark.pedantic(run, rounds=10 * rounds, iterations=1, warmup_rounds=2)
    benchmark.extra_info.update(engine=engine, command=" ".join(command))
    if engine != "bare-python":
        benchmark.extra_info["importtime_top_us"] = importtime_top(STARTUP_CODE[engine])
