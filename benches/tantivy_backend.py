r"""A measuring adapter: tantivy-py (the tantivy engine's Python bindings) behind the Protocol.

It exists to measure specsearch against a mature engine doing the same work,
so it lives in ``benches/``, not in the product: the benchmark harness
(:mod:`benches.engines`) and its tests load it with :func:`load`. It needs
the optional ``tantivy`` package (the ``bench`` dependency group); without it,
:func:`require` raises :class:`~specsearch.errors.BackendUnavailableError`.
It uses only public API: :mod:`specsearch.pure` (the reference engine's
walk, reader, spec parser and query parser) and :mod:`specsearch.schema`.

What is the same as specsearch's engines:

- the walk, the file reading and the spec parser (the pure-Python ones, so
  the same files become the same six fields, SPEC.md §1-2);
- the six fields with their weights, as query boosts, and BM25 per field
  (tantivy's k1 = 1.2, b = 0.75), summed over fields and terms;
- the query language: the query is parsed by :func:`specsearch.pure.parse_query`
  (lenient or strict) and the tree is translated into tantivy queries
  (term, phrase, boolean, fuzzy, regex for prefixes); field filters on any
  frontmatter key (``model:opus``) search *keyed terms* ``key\\x1fterm``, as
  specsearch does (§3).

What differs (so hit counts can differ a little): tantivy's ``en_stem``
analyzer (split on non-alphanumerics, drop tokens over 40 bytes, lowercase,
Snowball English stemming) instead of ``standard-v2`` (no code-aware
compounds, a run of CJK ideographs is one token); phrases match stems, not
exact terms; prefix and fuzzy leaves score a constant per field; field
lengths (:meth:`TantivyBackend.doc_lengths`) count runs of alphanumerics;
there are no snippets. The persistent index (:meth:`TantivyBackend.open`)
re-indexes files whose size or mtime changed (no content hash).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from specsearch.closing import Closing
from specsearch.errors import (
    BackendUnavailableError,
    IndexFormatError,
    IndexLockedError,
    IndexStateError,
    QueryError,
)
from specsearch.pure import (
    And,
    ArrayBatchTopDocs,
    ArrayTopDocs,
    Fuzzy,
    Occur,
    Or,
    Phrase,
    Prefix,
    Term,
    collect,
    parse_query,
    parse_spec,
    read_spec,
)
from specsearch.reports import UpdateInfo
from specsearch.schema import FIELDS, check_field, weight_map
from specsearch.stats import IndexStats
from specsearch.types import DocInfo, Problem

try:
    import tantivy
except ImportError as _err:  # pragma: no cover - exercised without the bench group
    tantivy = None  # type: ignore[assignment]
    _MISSING: ImportError | None = _err
else:
    _MISSING = None

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray

    from specsearch.backend import BuildOptions, Progress
    from specsearch.protocols import BackendClass, BatchTopDocs
    from specsearch.pure import Node
    from specsearch.schema import Weights
    from specsearch.types import RouteExplanation, Snippet

__all__ = ["TantivyBackend", "load", "require"]

MANIFEST = "specsearch-tantivy.json"
FORMAT = 1
#: The field of keyed frontmatter terms (``key\x1fterm``, raw tokenizer).
KEYED = "keyed"
#: The stable doc id (indexed, stored: deletes and hits go through it).
DOC_ID = "doc_id"
#: What :meth:`TantivyBackend.doc_lengths` counts: runs of alphanumerics,
#: as tantivy's simple tokenizer splits.
_WORD = re.compile(r"[^\W_]+")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
_MIN_HEAP = 15_000_000  # tantivy's minimum writer memory per thread


def require() -> None:
    """Check that tantivy can be imported.

    Raises:
        BackendUnavailableError: the ``tantivy`` package is missing.
    """
    if _MISSING is not None:
        raise BackendUnavailableError(
            f"the tantivy backend needs the tantivy package ({_MISSING}); "
            "install it with `uv sync --group bench` or `pip install tantivy`"
        ) from _MISSING


def load() -> BackendClass:
    """The adapter's class, after checking that tantivy is importable.

    Raises:
        BackendUnavailableError: the ``tantivy`` package is missing.
    """
    require()
    return TantivyBackend


def _analyzer(*, stem: bool) -> Any:
    """The query-side twin of tantivy's ``en_stem`` (or without the stemmer)."""
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
    )
    if stem:
        builder = builder.filter(tantivy.Filter.stemmer("english"))
    return builder.build()


def _schema() -> Any:
    builder = tantivy.SchemaBuilder()
    for field in FIELDS:
        builder.add_text_field(field, stored=False, tokenizer_name="en_stem")
    builder.add_text_field(KEYED, stored=False, tokenizer_name="raw", index_option="freq")
    builder.add_unsigned_field(DOC_ID, stored=True, indexed=True)
    return builder.build()


def _dir_bytes(path: str) -> int:
    total = 0
    for folder, _, names in os.walk(path):
        for name in names:
            with contextlib.suppress(OSError):
                total += os.stat(os.path.join(folder, name)).st_size
    return total


class _Docs:
    """Per-doc data kept beside the tantivy index (the manifest)."""

    def __init__(self) -> None:
        # doc id -> [path, name, description, [6 field lengths]]
        self.docs: dict[int, list[Any]] = {}
        # path -> [size, mtime_ns, doc id]
        self.files: dict[str, list[int]] = {}
        # frontmatter key -> number of docs that have it
        self.keys: dict[str, int] = {}
        self.next_id = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "next_id": self.next_id,
            "docs": {str(k): v for k, v in self.docs.items()},
            "files": self.files,
            "keys": self.keys,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> _Docs:
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
        out = cls()
        out.next_id = int(data["next_id"])
        out.docs = {int(k): v for k, v in data["docs"].items()}
        out.files = {k: list(v) for k, v in data["files"].items()}
        out.keys = {k: int(v) for k, v in data["keys"].items()}
        return out


class TantivyBackend(Closing):
    """An index built and searched by tantivy-py, over specsearch's fields."""

    __slots__ = (
        "_analyzer",
        "_docs",
        "_index",
        "_location",
        "_plain",
        "_problems",
        "_schema",
        "_searcher",
        "timings",
    )

    def __init__(
        self,
        index: Any,
        docs: _Docs,
        problems: Sequence[Problem],
        location: str | None,
        timings: dict[str, float] | None = None,
    ) -> None:
        """Wrap an opened tantivy index (use :meth:`build`, :meth:`open` or :meth:`open_existing`).

        ``timings`` holds ``parse_seconds`` (walk, read, parse) and
        ``index_seconds`` (tantivy's indexing and commit alone) of the last
        build or update, for the benchmarks.
        """
        self._index: Any = index
        self._schema = index.schema
        self._docs = docs
        self._problems = tuple(problems)
        self._location = location
        self._analyzer = _analyzer(stem=True)
        self._plain = _analyzer(stem=False)
        index.reload()
        self._searcher: Any = index.searcher()
        self.timings: dict[str, float] = timings or {}

    # --- building ------------------------------------------------------------

    @staticmethod
    def _writer(index: Any, options: BuildOptions) -> Any:
        threads = options.threads or os.cpu_count() or 1
        heap = max(options.memory_budget, _MIN_HEAP * threads)
        try:
            return index.writer(heap, threads)
        except ValueError as err:
            if "lock" in str(err).lower():
                raise IndexLockedError(f"the tantivy index is locked: {err}") from err
            raise

    @staticmethod
    def _index_files(
        writer: Any,
        *,
        files: Sequence[Any],
        docs: _Docs,
        options: BuildOptions,
        problems: list[Problem],
        progress: Progress | None,
        streamed: bool,
    ) -> dict[str, float]:
        """Read, parse and add ``files`` (SpecFile) to ``writer``; returns the timings.

        By default every file is parsed into a document first (``parse_seconds``),
        and only then are the documents handed to tantivy (``index_seconds``
        counts from the first ``add_document``), so the engine's time is its
        own. ``streamed`` adds each document as soon as it is parsed, which
        holds less memory (the peak-RSS benchmark) but lets tantivy's indexing
        threads work during the parse: its ``index_seconds`` is then only
        the part of the engine's work the parse did not hide.
        """
        parse_s = 0.0
        analyzer = _analyzer(stem=True)
        total = len(files)
        held: list[Any] = []
        add = writer.add_document if streamed else held.append
        for done, spec_file in enumerate(files, start=1):
            t0 = time.perf_counter()
            document = TantivyBackend._document(spec_file, docs, options, problems, analyzer)
            parse_s += time.perf_counter() - t0
            if document is not None:
                add(document)
            if progress is not None:
                progress(done, total)
        t1 = time.perf_counter()
        for document in held:
            writer.add_document(document)
        return {"parse_seconds": parse_s, "index_seconds": time.perf_counter() - t1}

    @staticmethod
    def _document(
        spec_file: Any, docs: _Docs, options: BuildOptions, problems: list[Problem], analyzer: Any
    ) -> Any:
        """Read and parse one file into a tantivy document (None: unreadable)."""
        data, problem = read_spec(spec_file, options.max_file_bytes)
        if problem is not None:
            problems.append(problem)
        if data is None:
            return None
        spec, found = parse_spec(spec_file.path, spec_file.fs_path, data)
        problems.extend(found)
        doc_id = docs.next_id
        docs.next_id += 1
        texts = {field: spec.field_text(field) for field in FIELDS}
        document = tantivy.Document()
        document.add_unsigned(DOC_ID, doc_id)
        for field, text in texts.items():
            document.add_text(field, text)
        seen: set[str] = set()
        for key, value in spec.frontmatter:
            if not _KEY.match(key):
                continue
            lowered = key.lower()
            if lowered not in seen:
                seen.add(lowered)
                docs.keys[lowered] = docs.keys.get(lowered, 0) + 1
            for token in analyzer.analyze(value):
                document.add_text(KEYED, f"{lowered}\x1f{token}")
        lengths = [len(_WORD.findall(texts[field])) for field in FIELDS]
        docs.docs[doc_id] = [spec_file.path, spec.name, spec.description, lengths]
        with contextlib.suppress(OSError):
            st = os.stat(spec_file.fs_path)
            docs.files[spec_file.path] = [st.st_size, st.st_mtime_ns, doc_id]
        return document

    @staticmethod
    def _commit(writer: Any) -> float:
        t0 = time.perf_counter()
        writer.commit()
        writer.wait_merging_threads()
        return time.perf_counter() - t0

    @classmethod
    def build(cls, roots: Sequence[str], options: BuildOptions) -> TantivyBackend:
        """Walk, parse and index ``roots`` in a tantivy index in memory."""
        index = tantivy.Index(_schema())
        files, problems = collect(list(roots), options.max_file_bytes)
        docs = _Docs()
        writer = cls._writer(index, options)
        timings = cls._index_files(
            writer,
            files=files,
            docs=docs,
            options=options,
            problems=problems,
            progress=None,
            streamed=False,
        )
        timings["index_seconds"] += cls._commit(writer)
        return cls(index, docs, problems, None, timings)

    @classmethod
    def open(  # noqa: PLR0915
        cls,
        index_dir: str,
        roots: Sequence[str],
        options: BuildOptions,
        progress: Progress | None,
        *,
        rebuild: bool = False,
        streamed: bool = False,
    ) -> tuple[TantivyBackend, UpdateInfo]:
        """The tantivy index in ``index_dir``, created or brought up to date.

        A file is indexed again when its size or mtime changed; deleted files'
        docs are deleted; doc ids of unchanged files are kept. ``rebuild``
        removes the folder first; ``streamed`` is :meth:`_index_files`'s.
        """
        if rebuild:
            shutil.rmtree(index_dir, ignore_errors=True)
        files, problems = collect(list(roots), options.max_file_bytes)
        docs: _Docs | None = None
        manifest = os.path.join(index_dir, MANIFEST)
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            with open(manifest, encoding="utf-8") as f:
                docs = _Docs.from_json(json.load(f))
            if not tantivy.Index.exists(index_dir):
                docs = None
        rebuilt = docs is None
        if docs is None:
            if os.path.isdir(index_dir):
                for name in os.listdir(index_dir):
                    path = os.path.join(index_dir, name)
                    if os.path.isfile(path):
                        os.remove(path)
            os.makedirs(index_dir, exist_ok=True)
            docs = _Docs()
            index = tantivy.Index(_schema(), path=index_dir, reuse=False)
        else:
            index = tantivy.Index.open(index_dir)
        seen: set[str] = set()
        todo = []
        changed = unchanged = 0
        for spec_file in files:
            seen.add(spec_file.path)
            known = docs.files.get(spec_file.path)
            try:
                st = os.stat(spec_file.fs_path)
            except OSError:
                todo.append(spec_file)
                continue
            if known is not None and known[0] == st.st_size and known[1] == st.st_mtime_ns:
                unchanged += 1
                continue
            if known is not None:
                changed += 1
            todo.append(spec_file)
        gone = [path for path in docs.files if path not in seen]
        stale = [docs.files[p][2] for p in gone] + [
            docs.files[f.path][2] for f in todo if f.path in docs.files
        ]
        timings = {"parse_seconds": 0.0, "index_seconds": 0.0}
        committed = bool(todo or gone or rebuilt)
        if committed:
            writer = cls._writer(index, options)
            for doc_id in stale:
                # by query: by_term takes a Python int as i64, never matching this u64 field
                writer.delete_documents_by_query(
                    tantivy.Query.term_query(index.schema, DOC_ID, doc_id)
                )
                docs.docs.pop(doc_id, None)  # its keys stay known (a superset)
            for path in gone:
                del docs.files[path]
            timings = cls._index_files(
                writer,
                files=todo,
                docs=docs,
                options=options,
                problems=problems,
                progress=progress,
                streamed=streamed,
            )
            timings["index_seconds"] += cls._commit(writer)
            tmp = manifest + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(docs.to_json(), f)
            os.replace(tmp, manifest)
        info = UpdateInfo(
            added=len(todo) - changed,
            changed=changed,
            deleted=len(gone),
            unchanged=unchanged,
            rebuilt=rebuilt,
            committed=committed,
        )
        return cls(index, docs, problems, index_dir, timings), info

    @classmethod
    def open_existing(cls, index_dir: str) -> TantivyBackend:
        """The tantivy index in ``index_dir`` as it is."""
        manifest = os.path.join(index_dir, MANIFEST)
        if not os.path.exists(manifest):
            raise FileNotFoundError(f"no tantivy index in {index_dir}")
        try:
            with open(manifest, encoding="utf-8") as f:
                docs = _Docs.from_json(json.load(f))
            index = tantivy.Index.open(index_dir)
        except (ValueError, KeyError, TypeError) as err:
            raise IndexFormatError(f"{manifest}: not a readable tantivy index ({err})") from err
        return cls(index, docs, (), index_dir)

    # --- the Protocol --------------------------------------------------------

    def _live(self) -> Any:
        if self._index is None:
            raise IndexStateError("the index is closed")
        return self._searcher

    @property
    def name(self) -> str:
        """``tantivy``."""
        return "tantivy"

    @property
    def num_docs(self) -> int:
        """How many specs are indexed."""
        return int(self._live().num_docs)

    @property
    def problems(self) -> tuple[Problem, ...]:
        """The per-file problems found while building."""
        return self._problems

    def _leaf_fields(self, query: str, field: str | None, position: int) -> tuple[list[str], str]:
        """The fields a leaf searches, and its frontmatter key ('' for none)."""
        if field is None:
            return list(FIELDS), ""
        if field.lower() in FIELDS:
            return [field.lower()], ""
        key = field.lower()
        if key not in self._docs.keys:
            raise QueryError(query, position, f"unknown field '{field}'")
        return ["frontmatter"], key

    def _translate(self, node: Node, query: str, weights: dict[str, float]) -> Any | None:
        """A tantivy query for a tree node; None for an empty node (§5)."""
        if isinstance(node, Or):
            clauses = []
            positive = False
            for occur, child in node.clauses:
                sub = self._translate(child, query, weights)
                if sub is None:
                    continue
                if occur is Occur.MUST:
                    clauses.append((tantivy.Occur.Must, sub))
                    positive = True
                elif occur is Occur.MUST_NOT:
                    clauses.append((tantivy.Occur.MustNot, sub))
                else:
                    clauses.append((tantivy.Occur.Should, sub))
                    positive = True
            if not clauses:
                return None
            if not positive:  # only must-not: every other doc, score 0
                everything = tantivy.Query.const_score_query(tantivy.Query.all_query(), 0.0)
                clauses.append((tantivy.Occur.Must, everything))
            return tantivy.Query.boolean_query(clauses)
        if isinstance(node, And):
            subs = [self._translate(child, query, weights) for child in node.children]
            kept = [(tantivy.Occur.Must, s) for s in subs if s is not None]
            return tantivy.Query.boolean_query(kept) if kept else None
        return self._leaf(node, query, weights)

    def _leaf(
        self, node: Term | Phrase | Prefix | Fuzzy, query: str, weights: dict[str, float]
    ) -> Any | None:
        """A tantivy query for a leaf (boosted per field); None for an empty leaf."""
        schema = self._schema
        fields, key = self._leaf_fields(query, node.field, node.position)
        parts: list[Any] = []
        if isinstance(node, Term | Phrase):
            tokens = list(dict.fromkeys(self._analyzer.analyze(node.text)))
            if isinstance(node, Phrase):
                tokens = list(self._analyzer.analyze(node.text))
            if not tokens:
                return None
            if key:
                terms = [
                    tantivy.Query.term_query(schema, KEYED, f"{key}\x1f{t}", index_option="freq")
                    for t in dict.fromkeys(tokens)
                ]
                occur = tantivy.Occur.Must if isinstance(node, Phrase) else tantivy.Occur.Should
                inner = tantivy.Query.boolean_query([(occur, q) for q in terms])
                parts.append(tantivy.Query.boost_query(inner, weights["frontmatter"]))
            elif isinstance(node, Phrase) and len(tokens) > 1:
                for f in fields:
                    phrase = tantivy.Query.phrase_query(schema, f, tokens)
                    parts.append(tantivy.Query.boost_query(phrase, weights[f]))
            else:
                for t in tokens:
                    for f in fields:
                        term = tantivy.Query.term_query(schema, f, t)
                        parts.append(tantivy.Query.boost_query(term, weights[f]))
        else:
            # The index holds stems: a prefix is matched against them as written,
            # a fuzzy word by its stem (so `kubernetis~1` finds `kubernetes`).
            analyzer = self._plain if isinstance(node, Prefix) else self._analyzer
            plain = analyzer.analyze(node.text)
            if not plain:
                return None
            pattern = plain[-1]
            targets = [(KEYED, f"{key}\x1f{pattern}")] if key else [(f, pattern) for f in fields]
            for f, text in targets:
                if isinstance(node, Prefix):
                    sub = tantivy.Query.regex_query(schema, f, re.escape(text) + ".*")
                elif isinstance(node, Fuzzy) and node.distance == 0:
                    sub = tantivy.Query.term_query(schema, f, text)
                else:
                    assert isinstance(node, Fuzzy)
                    sub = tantivy.Query.fuzzy_term_query(
                        schema, f, text, distance=node.distance, transposition_cost_one=False
                    )
                w = weights["frontmatter" if f == KEYED else f]
                parts.append(tantivy.Query.boost_query(sub, w))
        if len(parts) == 1:
            return parts[0]
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, p) for p in parts])

    def query_for(self, query: str, *, weights: Weights | None = None, strict: bool = False) -> Any:
        """The tantivy query a query string becomes.

        Raises:
            QueryError: as :meth:`search`.
        """
        tree = parse_query(query, strict=strict)
        translated = None
        if tree is not None:
            translated = self._translate(tree, query, weight_map(weights))
        if translated is None:
            raise QueryError(query, 0, "the query has no searchable terms")
        return translated

    def _run(self, query: str, k: int, weights: Weights | None, strict: bool) -> tuple[Any, int]:
        searcher = self._live()
        translated = self.query_for(query, weights=weights, strict=strict)
        if k == 0:
            return [], 0
        result = searcher.search(translated, k, count=True)
        return result.hits, int(result.count)

    def _ids(self, hits: Sequence[Any]) -> tuple[NDArray[np.uint32], NDArray[np.float32]]:
        searcher = self._searcher
        ids = np.fromiter(
            (searcher.doc(address)[DOC_ID][0] for _, address in hits),
            dtype=np.uint32,
            count=len(hits),
        )
        scores = np.fromiter((s for s, _ in hits), dtype=np.float32, count=len(hits))
        return ids, scores

    def search(
        self, query: str, k: int, *, weights: Weights | None = None, strict: bool = False
    ) -> ArrayTopDocs:
        """The best ``k`` docs for ``query`` (tantivy's order for equal scores)."""
        hits, _ = self._run(query, k, weights, strict)
        ids, scores = self._ids(hits)
        return ArrayTopDocs(ids, scores)

    # tantivy-py has no request understanding: the relevance harness ranks a
    # request with it as an OR of the request's words (benches/relevance.py).
    def route(self, request: str, k: int) -> ArrayTopDocs:
        """Not offered: tantivy-py measures ``query`` only."""
        raise NotImplementedError("the tantivy-py adapter has no route")

    def route_many(self, requests: Sequence[str], k: int) -> BatchTopDocs:
        """Not offered: tantivy-py measures ``query`` only."""
        raise NotImplementedError("the tantivy-py adapter has no route")

    def route_explain(self, request: str, ids: Sequence[int]) -> RouteExplanation:
        """Not offered: tantivy-py measures ``query`` only."""
        raise NotImplementedError("the tantivy-py adapter has no route")

    def count(self, query: str, *, strict: bool = False) -> int:
        """How many docs match ``query`` (for the benchmarks' equal-work checks)."""
        return self._run(query, 1, None, strict)[1]

    def search_many(
        self,
        queries: Sequence[str],
        k: int,
        *,
        weights: Weights | None = None,
        strict: bool = False,
    ) -> ArrayBatchTopDocs:
        """Each query in turn (tantivy-py has no batch call)."""
        n = len(queries)
        ids = np.full((n, k), -1, dtype=np.int64)
        scores = np.full((n, k), np.nan, dtype=np.float32)
        counts = [0] * n
        errors: dict[int, QueryError] = {}
        for row, query in enumerate(queries):
            try:
                hits, _ = self._run(query, k, weights, strict)
            except QueryError as err:
                errors[row] = err
                continue
            row_ids, row_scores = self._ids(hits)
            ids[row, : len(hits)] = row_ids
            scores[row, : len(hits)] = row_scores
            counts[row] = len(hits)
        return ArrayBatchTopDocs(ids, scores, counts, errors)

    def fs_paths(self, ids: Sequence[int]) -> list[str]:
        """The stored path of each doc id (this adapter keeps no other)."""
        return [d.path for d in self.docs(ids)]

    def docs(self, ids: Sequence[int]) -> list[DocInfo]:
        """The stored fields of each doc id."""
        self._live()
        out = []
        for i in ids:
            path, name, description, _ = self._docs.docs[int(i)]
            out.append(DocInfo(doc_id=int(i), path=path, name=name, description=description))
        return out

    def snippets(
        self, ids: Sequence[int], query: str, *, strict: bool = False
    ) -> list[Snippet | None]:
        """No snippets: None for each doc."""
        self._live()
        del query, strict
        return [None] * len(ids)

    def doc_lengths(self, field: str) -> list[NDArray[np.uint32]]:
        """Each doc id's count of alphanumeric runs in ``field`` (0 for a deleted id)."""
        self._live()
        slot = FIELDS.index(check_field(field))
        lengths = np.zeros(self._docs.next_id, dtype=np.uint32)
        for doc_id, entry in self._docs.docs.items():
            lengths[doc_id] = entry[3][slot]
        lengths.flags.writeable = False
        return [lengths]

    def stats(self) -> IndexStats:
        """Docs, segments and the size on disk (``terms`` is not exposed by tantivy-py: 0)."""
        searcher = self._live()
        size = _dir_bytes(self._location) if self._location is not None else 0
        return IndexStats(
            backend=self.name,
            docs=int(searcher.num_docs),
            terms=0,
            segments=int(searcher.num_segments),
            size_bytes=size,
            location=self._location,
        )

    def close(self) -> None:
        """Release the index."""
        self._index = None
        self._searcher = None
