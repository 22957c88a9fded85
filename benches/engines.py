"""The engines the benchmark suites run side by side, behind one small interface.

- ``native``, ``python``, ``tantivy``: specsearch backends (the Backend
  Protocol, ``tantivy`` being the adapter :mod:`benches.tantivy_backend`), on disk,
  opened with ``BackendClass.open`` as the CLI does;
- ``sqlite-fts5``: one FTS5 table (stdlib ``sqlite3``) with the six fields as
  columns plus a column of keyed frontmatter terms, ``porter unicode61``
  tokenizer, ``bm25()`` with the field weights; queries are the same parsed
  tree translated into an FTS5 ``MATCH`` expression;
- ``bm25s``: one field (the six fields' text joined), Snowball English
  stemming, no stop words, BM25 (k1 1.2, b 0.75, Lucene IDF); plain OR
  queries only, for the batched case.

The peers (FTS5, bm25s) are fed the fields from specsearch's own Python
parser; that parse time is reported apart (``parse_seconds``) and not
counted in their indexing time. ``tantivy`` parses with the same parser
inside its build, every file before it hands the documents to the engine, so
its :attr:`Built.index_seconds` is the engine's own time, without the parse
(the peak-RSS build streams them instead; see :func:`build_engine`).

``python -m benches.engines index ENGINE CORPUS WORKDIR`` builds one index
in a fresh process and prints a JSON record: what :mod:`benches.test_bench_engines`
runs under ``wait4`` to measure peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benches import tantivy_backend
from specsearch.backend import BuildOptions
from specsearch.errors import QueryError
from specsearch.pure import (
    And,
    Fuzzy,
    Occur,
    Or,
    Phrase,
    Prefix,
    Term,
    collect,
    parse_spec,
    read_spec,
)
from specsearch.pure import parse_query as parse
from specsearch.schema import DEFAULT_WEIGHTS, FIELDS
from specsearch.select import load_backend

if TYPE_CHECKING:
    from collections.abc import Sequence

    from specsearch.protocols import Backend, BackendClass
    from specsearch.pure import Node

__all__ = [
    "BACKENDS",
    "ENGINES",
    "Built",
    "Engine",
    "backend_class_of",
    "build_engine",
    "dir_bytes",
    "is_plain_or",
    "measure_command",
    "self_peak_rss",
]

#: specsearch backends (Protocol implementations).
BACKENDS = ("native", "python", "tantivy")
#: Every engine the harness knows (ripgrep is only in the CLI case).
ENGINES = (*BACKENDS, "sqlite-fts5", "bm25s")
MAX_FILE_BYTES = 64 * 1024 * 1024


def dir_bytes(path: Path) -> int:
    """The total size of the files under a folder, or of one file."""
    if path.is_file():
        return path.stat().st_size
    total = 0
    for folder, _, names in os.walk(path):
        for name in names:
            try:
                total += (Path(folder) / name).stat().st_size
            except OSError:
                continue
    return total


def self_peak_rss() -> int | None:
    """This process's peak resident memory since its exec (``VmHWM``), in bytes.

    Unlike ``ru_maxrss`` of a child, it does not include the memory of the
    parent the process was forked from.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


@dataclass(frozen=True, slots=True)
class Measured:
    """A finished command: exit status, wall time, peak RSS (None if unknown), stdout."""

    returncode: int
    seconds: float
    peak_rss_bytes: int | None
    stdout: str


def measure_command(command: Sequence[str], cwd: Path | None = None) -> Measured:
    """Run a command and measure its peak RSS with GNU ``time`` (``/usr/bin/time``).

    ``wait4``'s ``ru_maxrss`` of a direct child is at least the parent's own
    peak at the fork (Linux carries the old address space's high-water mark
    across ``exec``), so a large benchmark process would hide the child's
    figure; ``time`` is a small process in between. Without it the peak is
    None.
    """
    timer = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    with tempfile.TemporaryDirectory(prefix="rss-") as tmp:
        out_file = Path(tmp) / "rss"
        full = [timer, "-f", "%M", "-o", str(out_file), *command] if timer else list(command)
        start = time.perf_counter()
        done = subprocess.run(full, cwd=cwd, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
        peak = None
        if timer and out_file.exists():
            lines = out_file.read_text(encoding="utf-8").split()
            if lines and lines[-1].isdigit():
                peak = int(lines[-1]) * 1024
    return Measured(done.returncode, seconds, peak, done.stdout)


def threads_default() -> int:
    """Indexing and batch threads: ``$SPECSEARCH_BENCH_THREADS``, else all cores."""
    return int(os.environ.get("SPECSEARCH_BENCH_THREADS", "0")) or os.cpu_count() or 1


# --- parsed fields for the peers ------------------------------------------


@dataclass(frozen=True, slots=True)
class ParsedDoc:
    """One spec's fields as texts, for the peers."""

    path: str
    fields: dict[str, str]
    keyed: str  # "key\x1fterm ..." (lowercased words of each frontmatter value)


_WORDS = re.compile(r"[^\W_]+")


def _fts_key(key: str) -> str:
    """A frontmatter key as one FTS5 token (``-`` and ``.`` would split it)."""
    return key.lower().replace("-", "\x1e").replace(".", "\x1e")


_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")


def parse_corpus(corpus: Path) -> tuple[list[ParsedDoc], float]:
    """Walk, read and parse every spec with specsearch's Python parser; (docs, seconds)."""
    start = time.perf_counter()
    files, _ = collect([str(corpus)], MAX_FILE_BYTES)
    docs: list[ParsedDoc] = []
    for spec_file in files:
        data, _problem = read_spec(spec_file, MAX_FILE_BYTES)
        if data is None:
            continue
        spec, _ = parse_spec(spec_file.path, spec_file.fs_path, data)
        keyed = " ".join(
            f"{_fts_key(key)}\x1f{word.lower()}"
            for key, value in spec.frontmatter
            if _KEY.match(key)
            for word in _WORDS.findall(value)
        )
        docs.append(ParsedDoc(spec_file.path, {f: spec.field_text(f) for f in FIELDS}, keyed))
    return docs, time.perf_counter() - start


# --- the interface ---------------------------------------------------------


@dataclass(slots=True)
class Built:
    """A built engine and what the build cost.

    Attributes:
        engine: The engine.
        seconds: Wall time of the whole build (from the files, for the
            specsearch backends; from parsed fields, for FTS5 and bm25s).
        parse_seconds: Walk, read and parse (None when not separable:
            native and python parse inside their build).
        index_seconds: Indexing alone (``seconds - parse_seconds``, or as
            the tantivy backend reports it).
        index_bytes: Size on disk (bm25s: its saved files).
    """

    engine: Engine
    seconds: float
    parse_seconds: float | None
    index_seconds: float
    index_bytes: int


class Engine:
    """One engine, searched by query strings; hits are spec paths."""

    name: str = "?"
    num_docs: int = 0

    def supports(self, query: str) -> bool:
        """Whether this engine can run ``query`` at all."""
        del query
        return True

    def top(self, query: str, k: int) -> list[str]:
        """The paths of the best ``k`` hits."""
        raise NotImplementedError

    def count(self, query: str) -> int:
        """How many specs match."""
        raise NotImplementedError

    def search_once(self, query: str, k: int) -> int:
        """One timed search: top ``k`` ids and scores, no paths; returns the hits."""
        raise NotImplementedError

    def search_many(self, queries: Sequence[str], k: int) -> int:
        """A batch; returns the total number of hits returned."""
        return sum(self.search_once(q, k) for q in queries)

    def close(self) -> None:
        """Release the engine."""


class BackendEngine(Engine):
    """A specsearch backend, on disk."""

    def __init__(self, name: str, backend: Backend) -> None:
        self.name = name
        self.backend = backend
        self.num_docs = backend.num_docs

    def top(self, query: str, k: int) -> list[str]:
        ids = self.backend.search(query, k).ids_list()
        return [doc.path for doc in self.backend.docs(ids)]

    def count(self, query: str) -> int:
        counter = getattr(self.backend, "count", None)
        if counter is not None:
            return int(counter(query))
        return len(self.backend.search(query, max(1, self.num_docs)))

    def search_once(self, query: str, k: int) -> int:
        top = self.backend.search(query, k)
        top.ids_array()
        top.scores_array()
        return len(top)

    def search_many(self, queries: Sequence[str], k: int) -> int:
        many = getattr(self.backend, "search_many", None)
        if many is None:  # an older build without batches: one by one
            return super().search_many(queries, k)
        batch = many(list(queries), k)
        return int(sum(batch.counts_list()))

    def close(self) -> None:
        self.backend.close()


def backend_class_of(name: str) -> BackendClass:
    """The class of a specsearch backend, or of the tantivy adapter.

    Raises:
        BackendUnavailableError: it cannot be loaded here.
    """
    if name == "tantivy":
        return tantivy_backend.load()
    return load_backend(name)


def _open_backend(
    name: str, corpus: Path, index_dir: Path, threads: int, *, streamed: bool
) -> Built:
    options = BuildOptions(threads=threads)
    backend: Backend
    if name == "tantivy":  # its own open, for ``streamed``
        tantivy_backend.require()
        start = time.perf_counter()
        backend, _info = tantivy_backend.TantivyBackend.open(
            str(index_dir), [str(corpus)], options, None, streamed=streamed
        )
    else:
        backend_class = backend_class_of(name)
        start = time.perf_counter()
        backend, _info = backend_class.open(str(index_dir), [str(corpus)], options, None)
    seconds = time.perf_counter() - start
    timings: dict[str, float] = getattr(backend, "timings", {})
    parse_s = timings.get("parse_seconds")
    index_s = timings.get("index_seconds", seconds)
    return Built(BackendEngine(name, backend), seconds, parse_s, index_s, dir_bytes(index_dir))


# --- SQLite FTS5 -----------------------------------------------------------

_COLUMNS = (*FIELDS, "keyed")


def _fts_quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


class Fts5Engine(Engine):
    """An FTS5 table: six field columns and a keyed-terms column."""

    name = "sqlite-fts5"

    def __init__(self, db: sqlite3.Connection, paths: list[str], keys: set[str]) -> None:
        self.db = db
        self.paths = paths
        self.keys = keys
        self.num_docs = len(paths)
        weights = ", ".join(str(DEFAULT_WEIGHTS[f]) for f in FIELDS) + ", 1.0"
        self._top_sql = (
            f"SELECT rowid FROM specs WHERE specs MATCH ? ORDER BY bm25(specs, {weights}) LIMIT ?"
        )
        self._count_sql = "SELECT count(*) FROM specs WHERE specs MATCH ?"

    @classmethod
    def build(cls, docs: Sequence[ParsedDoc], db_path: Path) -> tuple[Fts5Engine, float]:
        db = sqlite3.connect(db_path, check_same_thread=False)
        columns = ", ".join(_COLUMNS)
        db.execute(
            f"CREATE VIRTUAL TABLE specs USING fts5({columns}, "
            "tokenize = \"porter unicode61 tokenchars '\x1e\x1f'\", detail=full)"
        )
        marks = ", ".join("?" for _ in _COLUMNS)
        start = time.perf_counter()
        with db:
            db.executemany(
                f"INSERT INTO specs(rowid, {columns}) VALUES (?, {marks})",
                ((i, *(d.fields[f] for f in FIELDS), d.keyed) for i, d in enumerate(docs)),
            )
            db.execute("INSERT INTO specs(specs) VALUES ('optimize')")
        seconds = time.perf_counter() - start
        keys = {term.split("\x1f", 1)[0] for d in docs for term in d.keyed.split(" ") if term}
        return cls(db, [d.path for d in docs], keys), seconds

    def match(self, query: str) -> str | None:
        """The FTS5 expression for a query; None when FTS5 cannot express it."""
        tree = parse(query)
        return None if tree is None else self._expr(tree)

    def _expr(self, node: Node) -> str | None:
        if isinstance(node, Or):
            must: list[str] = []
            should: list[str] = []
            must_not: list[str] = []
            for occur, child in node.clauses:
                sub = self._expr(child)
                if sub is None:
                    continue
                {Occur.MUST: must, Occur.SHOULD: should, Occur.MUST_NOT: must_not}[occur].append(
                    sub
                )
            positive = " AND ".join(must) if must else " OR ".join(should)
            if not positive:
                return None  # a pure negation: FTS5 has no "every row"
            out = f"({positive})"
            if must_not:
                out += " NOT (" + " OR ".join(must_not) + ")"
            return out
        if isinstance(node, And):
            subs = [self._expr(c) for c in node.children]
            kept = [s for s in subs if s is not None]
            return "(" + " AND ".join(kept) + ")" if kept else None
        words = [w.lower() for w in _WORDS.findall(node.text)]
        if not words:
            return None
        field = node.field.lower() if node.field is not None else None
        if field is not None and field not in FIELDS:
            if _fts_key(field) not in self.keys:
                return None
            terms = [_fts_quote(f"{_fts_key(field)}\x1f{w}") for w in words]
            joiner = " AND " if isinstance(node, Phrase) else " OR "
            return "keyed : (" + joiner.join(terms) + ")"
        columns = "{" + " ".join(FIELDS if field is None else (field,)) + "}"
        if isinstance(node, Phrase):
            body = _fts_quote(" ".join(words))
        elif isinstance(node, Prefix):
            body = _fts_quote(words[-1]) + " *"
        elif isinstance(node, Fuzzy):  # no fuzzy matching in FTS5: the exact word
            body = _fts_quote(words[-1])
        else:
            assert isinstance(node, Term)
            body = "(" + " OR ".join(_fts_quote(w) for w in dict.fromkeys(words)) + ")"
        return f"{columns} : {body}"

    def supports(self, query: str) -> bool:
        return self.match(query) is not None

    def top(self, query: str, k: int) -> list[str]:
        expr = self.match(query)
        if expr is None:
            return []
        return [self.paths[r] for (r,) in self.db.execute(self._top_sql, (expr, k))]

    def count(self, query: str) -> int:
        expr = self.match(query)
        if expr is None:
            return 0
        return int(self.db.execute(self._count_sql, (expr,)).fetchone()[0])

    def search_once(self, query: str, k: int) -> int:
        expr = self.match(query)
        if expr is None:
            return 0
        return len(self.db.execute(self._top_sql, (expr, k)).fetchall())

    def close(self) -> None:
        self.db.close()


# --- bm25s -----------------------------------------------------------------


def is_plain_or(query: str) -> bool:
    """A query of bare words only (juxtaposed: OR), what a bag-of-words engine runs.

    >>> is_plain_or("code review"), is_plain_or("a AND b"), is_plain_or('"a b"')
    (True, False, False)
    """
    tree = parse(query)
    if isinstance(tree, Term):
        return tree.field is None
    if isinstance(tree, Or):
        return all(
            occur is Occur.SHOULD and isinstance(child, Term) and child.field is None
            for occur, child in tree.clauses
        )
    return False


class Bm25sEngine(Engine):
    """bm25s over the joined fields (one field: no weights)."""

    name = "bm25s"

    def __init__(self, retriever: Any, paths: list[str], threads: int) -> None:
        import snowballstemmer  # type: ignore[import-untyped]  # noqa: PLC0415

        self.retriever = retriever
        self.paths = paths
        self.num_docs = len(paths)
        self.threads = threads
        self.stemmer = snowballstemmer.stemmer("english")
        self.vocab: dict[str, int] = retriever.vocab_dict

    @staticmethod
    def _tokenize(texts: Sequence[str], stemmer: Any) -> Any:
        import bm25s  # type: ignore[import-untyped]  # noqa: PLC0415

        return bm25s.tokenize(
            list(texts), stopwords=None, stemmer=stemmer.stemWords, show_progress=False
        )

    @classmethod
    def build(cls, docs: Sequence[ParsedDoc], threads: int) -> tuple[Bm25sEngine, float]:
        import bm25s  # noqa: PLC0415
        import snowballstemmer  # noqa: PLC0415

        stemmer = snowballstemmer.stemmer("english")
        start = time.perf_counter()
        tokens = cls._tokenize(["\n".join(d.fields.values()) for d in docs], stemmer)
        retriever = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
        retriever.index(tokens, show_progress=False)
        seconds = time.perf_counter() - start
        return cls(retriever, [d.path for d in docs], threads), seconds

    def _query_tokens(self, queries: Sequence[str]) -> list[list[str]]:
        out = []
        for q in queries:
            words = [w.lower() for w in _WORDS.findall(q) if len(w) >= 2]
            stems = self.stemmer.stemWords(words)
            out.append([s for s in dict.fromkeys(stems) if s and s in self.vocab])
        return out

    def supports(self, query: str) -> bool:
        return is_plain_or(query)

    def _retrieve(self, queries: Sequence[str], k: int) -> Any:
        # A query with no known word gets a word bm25s does not know: no hits.
        tokens = [t or ["\x00"] for t in self._query_tokens(queries)]
        k = min(k, self.num_docs)
        return self.retriever.retrieve(
            tokens, k=k, show_progress=False, n_threads=self.threads if len(tokens) > 1 else 0
        )

    def top(self, query: str, k: int) -> list[str]:
        docs, scores = self._retrieve([query], k)
        return [self.paths[int(d)] for d, s in zip(docs[0], scores[0], strict=True) if s > 0]

    def count(self, query: str) -> int:
        (tokens,) = self._query_tokens([query])
        if not tokens:
            return 0
        return int((self.retriever.get_scores(tokens) > 0).sum())

    def search_once(self, query: str, k: int) -> int:
        return self.search_many([query], k)

    def search_many(self, queries: Sequence[str], k: int) -> int:
        _docs, scores = self._retrieve(queries, k)
        return int((scores > 0).sum())

    def save(self, folder: Path) -> int:
        self.retriever.save(str(folder))
        return dir_bytes(folder)


# --- building any engine ---------------------------------------------------


def build_engine(
    name: str,
    corpus: Path,
    workdir: Path,
    *,
    threads: int | None = None,
    parsed: tuple[list[ParsedDoc], float] | None = None,
    streamed: bool = False,
) -> Built:
    """Build engine ``name`` over ``corpus``, its files under ``workdir`` (made fresh).

    Args:
        name: One of :data:`ENGINES`.
        corpus: The corpus folder.
        workdir: An empty or missing folder for the index.
        threads: Indexing threads (default: :func:`threads_default`).
        parsed: The corpus already parsed (the peers), to skip parsing again.
        streamed: tantivy only: hand each document to the engine as soon as
            it is parsed (less memory held, for peak RSS) instead of parsing
            all first (so that ``index_seconds`` is the engine's own time).
    """
    threads = threads or threads_default()
    workdir.mkdir(parents=True, exist_ok=True)
    if name in BACKENDS:
        return _open_backend(name, corpus, workdir / name, threads, streamed=streamed)
    docs, parse_s = parsed if parsed is not None else parse_corpus(corpus)
    if name == "sqlite-fts5":
        engine, seconds = Fts5Engine.build(docs, workdir / "fts5.sqlite")
        return Built(engine, seconds, parse_s, seconds, dir_bytes(workdir / "fts5.sqlite"))
    if name == "bm25s":
        bm, seconds = Bm25sEngine.build(docs, threads)
        size = bm.save(workdir / "bm25s")
        return Built(bm, seconds, parse_s, seconds, size)
    raise ValueError(f"unknown engine {name!r}; choose one of {ENGINES}")


def main(argv: Sequence[str] | None = None) -> int:
    """``index ENGINE CORPUS WORKDIR``: build once, print a JSON record."""
    parser = argparse.ArgumentParser(description="build one engine's index (for peak RSS)")
    parser.add_argument("command", choices=["index"])
    parser.add_argument("engine", choices=ENGINES)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        # streamed: tantivy's peak RSS without the parsed corpus held in memory
        built = build_engine(
            args.engine, args.corpus, args.workdir, threads=args.threads or None, streamed=True
        )
    except QueryError as err:  # pragma: no cover - not raised by builds
        print(err, file=sys.stderr)
        return 2
    record = {
        "engine": args.engine,
        "docs": built.engine.num_docs,
        "seconds": built.seconds,
        "parse_seconds": built.parse_seconds,
        "index_seconds": built.index_seconds,
        "index_bytes": built.index_bytes,
        "peak_rss_bytes": self_peak_rss(),
    }
    built.engine.close()
    print(json.dumps(record))
    return 0


if __name__ == "__main__":
    sys.exit(main())
