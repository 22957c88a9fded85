"""Measure peer engines on a corpus, with specsearch's own fields.

The peers index the same six fields as specsearch (SPEC.md §2), with
the field text from the project's pure-Python spec parser, so only the
indexing and searching differ:

- **tantivy** (``tantivy`` on PyPI, the Rust engine's Python bindings): six
  text fields with positions, the default tokenizer (split on
  non-alphanumerics, lowercase, drop tokens over 40 bytes), BM25, the field
  weights as query boosts; writer with 1 or 2 threads;
- **sqlite-fts5** (stdlib ``sqlite3``): one FTS5 table of six columns,
  ``unicode61`` tokenizer, ``detail=full`` (positions), ``bm25()`` with the
  field weights;
- **specsearch** itself (native or pure Python), built from the files.

Parsing (walk, read, :func:`specsearch.pure.spec.parse_spec`) is timed apart
from each peer's indexing. Note the tokenizers differ on CJK: specsearch makes
each ideograph a token, tantivy and FTS5 keep a run of ideographs as one token.

One engine is measured per process: ``python benches/peers.py CORPUS --engine
tantivy --threads 2`` prints one JSON record. :func:`peak_rss` runs such a
command and reports its peak resident memory; ``benches/measure_peers.py``
runs them all and prints the table.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from specsearch.schema import DEFAULT_WEIGHTS

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = [
    "FIELDS",
    "QUERIES",
    "Build",
    "Parsed",
    "RunResult",
    "dir_bytes",
    "load_fields",
    "peak_rss",
    "sqlite_build",
    "sqlite_queries",
    "tantivy_build",
    "tantivy_queries",
]

#: The indexed fields and their BM25 weights (SPEC.md §2).
FIELDS: Mapping[str, float] = DEFAULT_WEIGHTS

#: The mixed query set every benchmark runs: single terms, multi-term OR,
#: rare and common words, and a Chinese one.
QUERIES: tuple[str, ...] = (
    "concurrency",
    "structured concurrency",
    "kubernetes operator",
    "react hooks performance",
    "sql injection prevention",
    "code review",
    "python asyncio taskgroup",
    "terraform",
    "rust ownership borrow checker",
    "machine learning pipeline",
    "security audit",
    "graphql schema design",
    "docker compose",
    "accessibility wcag",
    "pdf extraction",
    "database migration",
    "api design rest",
    "test automation",
    "mobile ios swift",
    "data visualization",
    "prompt engineering",
    "并发",
    "microservices",
    "golang",
    "agent",
)

MAX_FILE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Parsed:
    """The specs of a corpus as field texts.

    Attributes:
        docs: One dict per spec, field name to text, in doc-id order.
        corpus_bytes: The total size of the spec files read.
        seconds: Time to walk, read and parse them.
    """

    docs: list[dict[str, str]]
    corpus_bytes: int
    seconds: float


def load_fields(corpus: Path) -> Parsed:
    """Walk, read and parse a corpus with specsearch's pure-Python parser.

    Args:
        corpus: A folder of spec files.

    Returns:
        The field texts of every spec (files that are too large or binary
        are skipped, as specsearch does) and the time it took.
    """
    from specsearch.pure import collect, parse_spec  # noqa: PLC0415

    start = time.perf_counter()
    files, _ = collect([str(corpus)], MAX_FILE_BYTES)
    docs: list[dict[str, str]] = []
    total = 0
    for spec_file in files:
        try:
            data = Path(spec_file.fs_path).read_bytes()
        except OSError:
            continue
        if len(data) > MAX_FILE_BYTES or b"\0" in data[:8192]:
            continue
        total += len(data)
        spec, _ = parse_spec(spec_file.path, spec_file.fs_path, data)
        docs.append(
            {
                "name": spec.name,
                "description": spec.description,
                "frontmatter": "\n".join(f"{k}\n{v}" for k, v in spec.frontmatter),
                "headings": spec.headings,
                "body": spec.body,
                "examples": spec.examples,
            }
        )
    return Parsed(docs=docs, corpus_bytes=total, seconds=time.perf_counter() - start)


def dir_bytes(path: Path) -> int:
    """The total size of the files under a folder (``du -sb``), or of one file."""
    if path.is_file():
        return path.stat().st_size
    return sum(
        (Path(folder) / name).stat().st_size for folder, _, names in os.walk(path) for name in names
    )


@dataclass(frozen=True, slots=True)
class Build:
    """One index build.

    Attributes:
        seconds: Wall time of indexing alone (documents already parsed),
            commit and merges included.
        index_bytes: The index's size on disk.
    """

    seconds: float
    index_bytes: int


# --- tantivy ---------------------------------------------------------------


def tantivy_build(docs: Sequence[dict[str, str]], index_dir: Path, threads: int,
                  heap_bytes: int = 128_000_000) -> tuple[Any, Build]:  # fmt: skip
    """Index the docs with tantivy in ``index_dir``.

    Args:
        docs: Field texts per doc.
        index_dir: An empty folder for the index.
        threads: The writer's indexing threads.
        heap_bytes: The writer's total memory budget.

    Returns:
        The opened ``tantivy.Index`` and the build figures.
    """
    import tantivy  # noqa: PLC0415

    builder = tantivy.SchemaBuilder()
    for field in FIELDS:
        builder.add_text_field(field, stored=False, index_option="position")
    builder.add_unsigned_field("doc_id", stored=True)
    index = tantivy.Index(builder.build(), path=str(index_dir))
    start = time.perf_counter()
    writer = index.writer(heap_bytes, threads)
    for doc_id, doc in enumerate(docs):
        writer.add_document(tantivy.Document(doc_id=doc_id, **doc))
    writer.commit()
    writer.wait_merging_threads()
    seconds = time.perf_counter() - start
    index.reload()
    return index, Build(seconds=seconds, index_bytes=dir_bytes(index_dir))


def tantivy_queries(index: Any, queries: Sequence[str], rounds: int) -> tuple[list[float], int]:
    """Run each query ``rounds`` times (top 10 over the six fields, boosted).

    Args:
        index: An opened ``tantivy.Index``.
        queries: Query strings (terms ORed).
        rounds: Timed runs per query, after one warm-up.

    Returns:
        The latencies in seconds (parse, search and reading the hits' doc
        addresses) and the hits of one round.
    """
    searcher = index.searcher()
    names = list(FIELDS)
    latencies: list[float] = []
    hits = 0
    for round_ in range(rounds + 1):
        for text in queries:
            start = time.perf_counter()
            query = index.parse_query_lenient(text, names, FIELDS)[0]
            found = [address.doc for _, address in searcher.search(query, 10).hits]
            elapsed = time.perf_counter() - start
            if round_:
                latencies.append(elapsed)
            else:
                hits += len(found)
    return latencies, hits


# --- SQLite FTS5 -----------------------------------------------------------


def sqlite_build(docs: Sequence[dict[str, str]], db_path: Path) -> tuple[sqlite3.Connection, Build]:
    """Index the docs in an FTS5 table (one transaction, then ``optimize``).

    Args:
        docs: Field texts per doc.
        db_path: The database file to create.

    Returns:
        The open connection and the build figures.
    """
    db = sqlite3.connect(db_path)
    columns = ", ".join(FIELDS)
    db.execute(f"CREATE VIRTUAL TABLE specs USING fts5({columns}, tokenize='unicode61')")
    marks = ", ".join("?" for _ in FIELDS)
    start = time.perf_counter()
    with db:
        db.executemany(
            f"INSERT INTO specs(rowid, {columns}) VALUES (?, {marks})",
            ((i, *(doc[f] for f in FIELDS)) for i, doc in enumerate(docs)),
        )
        db.execute("INSERT INTO specs(specs) VALUES ('optimize')")
    seconds = time.perf_counter() - start
    return db, Build(seconds=seconds, index_bytes=dir_bytes(db_path))


def fts5_match(text: str) -> str:
    """An FTS5 MATCH expression ORing the words of a query, each quoted.

    >>> fts5_match("code review")
    '"code" OR "review"'
    """
    return " OR ".join('"' + word.replace('"', '""') + '"' for word in text.split())


def sqlite_queries(
    db: sqlite3.Connection, queries: Sequence[str], rounds: int
) -> tuple[list[float], int]:
    """Run each query ``rounds`` times: top 10 by ``bm25()`` with the field weights.

    Args:
        db: A connection from :func:`sqlite_build`.
        queries: Query strings (words ORed).
        rounds: Timed runs per query, after one warm-up.

    Returns:
        The latencies in seconds and the hits of one round.
    """
    weights = ", ".join(str(w) for w in FIELDS.values())
    sql = (
        f"SELECT rowid, bm25(specs, {weights}) AS score FROM specs "
        "WHERE specs MATCH ? ORDER BY score LIMIT 10"
    )
    latencies: list[float] = []
    hits = 0
    for round_ in range(rounds + 1):
        for text in queries:
            start = time.perf_counter()
            found = db.execute(sql, (fts5_match(text),)).fetchall()
            elapsed = time.perf_counter() - start
            if round_:
                latencies.append(elapsed)
            else:
                hits += len(found)
    return latencies, hits


# --- specsearch ------------------------------------------------------------


def specsearch_measure(
    corpus: Path, backend: str, rounds: int, index_dir: Path, threads: int
) -> dict[str, Any]:
    """Build specsearch's on-disk index from the files and query it.

    Args:
        corpus: The corpus folder.
        backend: ``"native"`` or ``"python"``.
        rounds: Timed runs per query.
        index_dir: Where the index is written (measured for its size).
        threads: Indexing threads (native; 0 for all cores).

    Returns:
        The record (index time covers walk, parse, indexing and commit).
    """
    from specsearch import BuildOptions, Index  # noqa: PLC0415

    start = time.perf_counter()
    index = Index.open(
        [corpus], index_dir=index_dir, backend=backend, options=BuildOptions(threads=threads)
    )
    seconds = time.perf_counter() - start
    freshness_start = time.perf_counter()
    Index.open([corpus], index_dir=index_dir, backend=backend).close()
    freshness = time.perf_counter() - freshness_start
    latencies: list[float] = []
    hits = 0
    with index:
        for round_ in range(rounds + 1):
            for text in QUERIES:
                t0 = time.perf_counter()
                found = index.search(text, k=10)
                elapsed = time.perf_counter() - t0
                if round_:
                    latencies.append(elapsed)
                else:
                    hits += len(found)
        docs = len(index)
    return {
        "docs": docs,
        "parse_seconds": None,
        "index_seconds": seconds,
        "index_bytes": dir_bytes(index_dir),
        "freshness_seconds": freshness,
        "hits": hits,
        **_latency_stats(latencies),
    }


def _latency_stats(latencies: Sequence[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "query_p50_us": statistics.median(ordered) * 1e6,
        "query_p95_us": ordered[int(0.95 * (len(ordered) - 1))] * 1e6,
        "query_mean_us": statistics.fmean(ordered) * 1e6,
    }


def measure(corpus: Path, engine: str, threads: int, rounds: int, workdir: Path) -> dict[str, Any]:
    """Measure one engine on a corpus (in this process).

    Args:
        corpus: The corpus folder.
        engine: ``tantivy``, ``sqlite-fts5``, ``specsearch-native`` or
            ``specsearch-python``.
        threads: Indexing threads (tantivy only; specsearch uses all cores,
            SQLite one).
        rounds: Timed runs per query.
        workdir: A folder for the index files.

    Returns:
        The record: docs, corpus bytes, parse and index seconds, index bytes,
        query latencies (µs) and the hits of one round.
    """
    record: dict[str, Any] = {"engine": engine, "threads": threads, "corpus": str(corpus)}
    if engine.startswith("specsearch-"):
        from specsearch.pure.walk import collect  # noqa: PLC0415

        files, _ = collect([str(corpus)], MAX_FILE_BYTES)
        record["corpus_bytes"] = sum(os.stat(f.fs_path).st_size for f in files)
        backend = engine.removeprefix("specsearch-")
        record.update(
            specsearch_measure(corpus, backend, rounds, workdir / f"specsearch-{backend}", threads)
        )
        return record
    parsed = load_fields(corpus)
    record.update(
        docs=len(parsed.docs), corpus_bytes=parsed.corpus_bytes, parse_seconds=parsed.seconds
    )
    if engine == "tantivy":
        index_dir = workdir / f"tantivy-{threads}"
        index_dir.mkdir(parents=True)
        index, build = tantivy_build(parsed.docs, index_dir, threads)
        del parsed
        latencies, hits = tantivy_queries(index, QUERIES, rounds)
    elif engine == "sqlite-fts5":
        db, build = sqlite_build(parsed.docs, workdir / "fts5.sqlite")
        del parsed
        latencies, hits = sqlite_queries(db, QUERIES, rounds)
        db.close()
    else:
        raise ValueError(f"unknown engine {engine!r}")
    record.update(index_seconds=build.seconds, index_bytes=build.index_bytes, hits=hits)
    record.update(_latency_stats(latencies))
    return record


# --- peak memory of a subprocess -------------------------------------------


@dataclass(frozen=True, slots=True)
class RunResult:
    """A finished subprocess.

    Attributes:
        returncode: Its exit status (negative: killed by that signal).
        seconds: Its wall time.
        peak_rss_bytes: Its peak resident set size (its own, not its
            children's), from ``wait4``'s ``ru_maxrss``.
        stdout: What it printed.
    """

    returncode: int
    seconds: float
    peak_rss_bytes: int
    stdout: str


def peak_rss(command: Sequence[str], **popen: Any) -> RunResult:
    """Run a command and report its peak resident memory.

    ``os.wait4`` gives the resource usage of that one child, so other
    children of this process do not mix in (as they would with
    ``RUSAGE_CHILDREN``).

    Args:
        command: The argv to run.
        **popen: More ``subprocess.Popen`` arguments (``cwd``, ``env``...).

    Returns:
        Its exit status, wall time, peak RSS and standard output.

    >>> r = peak_rss([sys.executable, "-c", "x = bytearray(50_000_000); print(len(x))"])
    >>> r.returncode, r.stdout.strip(), r.peak_rss_bytes > 50_000_000
    (0, '50000000', True)
    """
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(command, stdout=out, **popen)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        stdout = out.read().decode("utf-8", "replace")
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    scale = 1 if sys.platform == "darwin" else 1024
    return RunResult(proc.returncode, seconds, usage.ru_maxrss * scale, stdout)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure one engine and print its JSON record (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument(
        "--engine",
        required=True,
        choices=["tantivy", "sqlite-fts5", "specsearch-native", "specsearch-python"],
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=20, help="timed runs of each query")
    parser.add_argument("--workdir", type=Path, help="folder for index files (default: a temp dir)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="peers-", dir=args.workdir) as tmp:
        record = measure(args.corpus, args.engine, args.threads, args.rounds, Path(tmp))
    print(json.dumps(record))
    return 0


if __name__ == "__main__":
    sys.exit(main())
