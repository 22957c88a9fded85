"""The native backend: a thin adapter over the Rust extension.

This is the only module that imports :mod:`specsearch._native`. It loads the
result value types (:mod:`specsearch.types`, :mod:`specsearch.reports`) where
it first makes one, not on import: the CLI imports it to start an index's open
(:meth:`NativeBackend.start_open`) and loads the rest while the open runs.
"""

from __future__ import annotations

import os

from specsearch import _native
from specsearch.closing import Closing
from specsearch.defaults import (
    DEFAULT_MAX_FILE_BYTES,
    DEFAULT_MEMORY_BUDGET,
    DEFAULT_MERGE_THRESHOLD,
    DEFAULT_THREADS,
)

#: ``typing.TYPE_CHECKING`` without importing ``typing`` (start-up cost); mypy reads it so.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    import numpy as np
    from numpy.typing import NDArray

    from specsearch.backend import BuildOptions, Progress
    from specsearch.reports import UpdateInfo
    from specsearch.schema import Weights
    from specsearch.stats import IndexStats
    from specsearch.types import (
        DocInfo,
        FusedScore,
        Problem,
        RouteExplanation,
        Snippet,
    )
    from specsearch.vectors import StoredRows

    _Opened = tuple[_native.Index, list[tuple[str, int | None, str]], dict[str, int], str | None]

__all__ = ["NativeBackend", "NativeEncoder", "StartedOpen", "fingerprint_files", "fuse_native"]


def _problems(raw: list[tuple[str, int | None, str]]) -> tuple[Problem, ...]:
    from specsearch.types import Problem  # noqa: PLC0415 (see the module's docstring)

    return tuple(Problem(path=p, line=line, message=m) for p, line, m in raw)


def fingerprint_files(paths: Sequence[str]) -> list[tuple[int | None, ...] | None]:
    """Near-duplicate fingerprints of files (:mod:`specsearch.dedup`), in parallel."""
    return [None if fp is None else tuple(fp) for fp in _native.fingerprint_files(list(paths))]


class NativeBackend(Closing):
    """An index built and searched by the Rust core."""

    __slots__ = ("_index", "_location", "_problems")

    def __init__(
        self, index: _native.Index, problems: tuple[Problem, ...], location: str | None = None
    ) -> None:
        """Wrap a native index (use :meth:`build`, :meth:`open` or :meth:`open_existing`)."""
        self._index = index
        self._problems = problems
        self._location = location

    @classmethod
    def build(cls, roots: Sequence[str], options: BuildOptions) -> NativeBackend:
        """Walk, parse and index ``roots`` (the current directory when empty), in memory."""
        index, raw = _native.Index.build(
            list(roots),
            max_file_bytes=options.max_file_bytes,
            threads=options.threads,
            hidden=options.hidden,
            no_ignore=options.no_ignore,
        )
        return cls(index, _problems(raw))

    @classmethod
    def open(
        cls,
        index_dir: str,
        roots: Sequence[str],
        options: BuildOptions,
        progress: Progress | None,
        *,
        rebuild: bool = False,
    ) -> tuple[NativeBackend, UpdateInfo]:
        """The on-disk index in ``index_dir``, created or brought up to date.

        With ``rebuild``, built afresh and committed over the old index (its
        stored document vectors stay reusable: SPEC.md §10).
        """
        opened = _native.Index.open(
            index_dir,
            list(roots),
            max_file_bytes=options.max_file_bytes,
            threads=options.threads,
            memory_budget=options.memory_budget,
            merge_threshold=options.merge_threshold,
            progress=progress,
            hidden=options.hidden,
            no_ignore=options.no_ignore,
            verify=options.verify,
            rebuild=rebuild,
        )
        return cls._opened(index_dir, opened)

    @classmethod
    def start_open(cls, index_dir: str, roots: Sequence[str], options: BuildOptions) -> StartedOpen:
        """:meth:`open` (without ``rebuild``), started on a thread of its own.

        It returns at once; the facade finishes it (``Index.open``'s
        ``started``), so that the caller can load the rest of its modules
        while the index is checked. Raises OSError when no thread can be made.
        """
        job = _native.Index.start_open(
            index_dir,
            list(roots),
            max_file_bytes=options.max_file_bytes,
            threads=options.threads,
            memory_budget=options.memory_budget,
            merge_threshold=options.merge_threshold,
            hidden=options.hidden,
            no_ignore=options.no_ignore,
            verify=options.verify,
        )
        return StartedOpen(job, index_dir, tuple(roots), options)

    @classmethod
    def start_walk(
        cls, index_dir: str, roots: Sequence[str], *, hidden: bool, no_ignore: bool
    ) -> StartedOpen:
        """:meth:`start_open` with ``BuildOptions(hidden=..., no_ignore=...)``, not made yet.

        The CLI starts a query's open with this before it loads
        ``dataclasses`` (:mod:`specsearch.cli_start`); the options are made
        when the facade asks for them (:attr:`StartedOpen.options`).
        """
        job = _native.Index.start_open(
            index_dir,
            list(roots),
            max_file_bytes=DEFAULT_MAX_FILE_BYTES,
            threads=DEFAULT_THREADS,
            memory_budget=DEFAULT_MEMORY_BUDGET,
            merge_threshold=DEFAULT_MERGE_THRESHOLD,
            hidden=hidden,
            no_ignore=no_ignore,
        )
        return StartedOpen(job, index_dir, tuple(roots), (hidden, no_ignore))

    @classmethod
    def _opened(cls, index_dir: str, opened: _Opened) -> tuple[NativeBackend, UpdateInfo]:
        from specsearch.reports import UpdateInfo  # noqa: PLC0415 (see the module's docstring)

        index, raw, counts, damage = opened
        info = UpdateInfo(
            added=counts["added"],
            changed=counts["changed"],
            deleted=counts["deleted"],
            unchanged=counts["unchanged"],
            rebuilt=bool(counts["rebuilt"]),
            committed=bool(counts["committed"]),
            damage=damage,
        )
        return cls(index, _problems(raw), index_dir), info

    @classmethod
    def open_existing(cls, index_dir: str) -> NativeBackend:
        """The on-disk index in ``index_dir`` as it is (read-only), with the problems it holds."""
        index, raw = _native.Index.open_existing(index_dir)
        return cls(index, _problems(raw), index_dir)

    @property
    def name(self) -> str:
        """``native``."""
        return "native"

    @property
    def num_docs(self) -> int:
        """How many specs are indexed."""
        return self._index.num_docs

    @property
    def problems(self) -> tuple[Problem, ...]:
        """The per-file problems found while building."""
        return self._problems

    def search(
        self, query: str, k: int, *, weights: Weights | None = None, strict: bool = False
    ) -> _native.TopDocs:
        """The best ``k`` docs for ``query`` (the GIL is released)."""
        return self._index.search(query, k, weights=weights, strict=strict)

    def search_many(
        self,
        queries: Sequence[str],
        k: int,
        *,
        weights: Weights | None = None,
        strict: bool = False,
    ) -> _native.BatchTopDocs:
        """Every query at once, on all cores with the GIL released."""
        return self._index.search_many(list(queries), k, weights=weights, strict=strict)

    def route(self, request: str, k: int) -> _native.TopDocs:
        """The best ``k`` docs for a request in natural language (the GIL is released)."""
        return self._index.route(request, k)

    def route_many(self, requests: Sequence[str], k: int) -> _native.BatchTopDocs:
        """Every request at once, on all cores with the GIL released."""
        return self._index.route_many(list(requests), k)

    def route_explain(self, request: str, ids: Sequence[int]) -> RouteExplanation:
        """The words ``route`` ranked with, and each id's contributions."""
        from specsearch.types import Contribution, RouteExplanation  # noqa: PLC0415

        words, filler, stopwords, why = self._index.route_explain(request, list(ids))
        return RouteExplanation(
            words=tuple(words),
            filler=tuple(filler),
            stopwords=tuple(stopwords),
            why=tuple(
                tuple(Contribution(word=w, field=f, score=s) for w, f, s in row) for row in why
            ),
        )

    def docs(self, ids: Sequence[int]) -> list[DocInfo]:
        """The stored fields of each doc id."""
        from specsearch.types import DocInfo  # noqa: PLC0415

        return [
            DocInfo(doc_id=i, path=p, name=n, description=d)
            for i, (p, n, d) in zip(ids, self._index.docs(list(ids)), strict=True)
        ]

    def fs_paths(self, ids: Sequence[int]) -> list[str]:
        """The path each doc's file was read from, its bytes kept (``os.fsdecode``)."""
        found = self._index.fs_paths(list(ids))
        missing = [i for i, p in zip(ids, found, strict=True) if p is None]
        if missing:
            raise IndexError(
                f"doc id {missing[0]} out of range (the index has {self.num_docs} docs)"
            )
        return [os.fspath(p) for p in found if p is not None]

    def snippets(
        self, ids: Sequence[int], query: str, *, strict: bool = False
    ) -> list[Snippet | None]:
        """The best matching line of each doc's file, with spans."""
        from specsearch.types import Snippet  # noqa: PLC0415

        return [
            None if s is None else Snippet(line=s[0], text=s[1], spans=tuple(s[2]))
            for s in self._index.snippets(list(ids), query, strict=strict)
        ]

    def doc_lengths(self, field: str) -> list[NDArray[np.uint32]]:
        """Read-only views into the index's length columns, one per segment.

        For an on-disk index each array views the memory-mapped file (no copy);
        its ``base`` keeps the mapping alive, even after :meth:`close`.
        """
        return self._index.doc_lengths(field)

    def stats(self) -> IndexStats:
        """Counts and sizes, as the engine reports them."""
        from specsearch.stats import IndexStats  # noqa: PLC0415 (see the module's docstring)

        raw = self._index.stats()
        return IndexStats(
            backend=self.name,
            docs=int(raw["docs"]),
            terms=int(raw["terms"]),
            segments=int(raw["segments"]),
            size_bytes=int(raw["size_bytes"]),
            location=self._location,
        )

    def vector_index(self) -> _native.Index | None:
        """The on-disk index, whose segments keep document vectors; None in memory."""
        return self._index if self._location is not None else None

    def vector_stats(self) -> dict[str, Any] | None:
        """What the segments' vector files hold (``_native.Index.vector_stats``)."""
        return self._index.vector_stats()

    def close(self) -> None:
        """Release the index."""
        self._index.close()


class NativeEncoder:
    """The Rust sentence encoder (documents spread over rayon, the GIL released)."""

    __slots__ = ("_encoder", "_matrix")

    def __init__(self, model_dir: str) -> None:
        """Load the model in ``model_dir`` (a sentence-transformers folder)."""
        self._encoder = _native.Encoder(model_dir)
        self._matrix: tuple[tuple[int, int, int], _native.DocMatrix, StoredRows] | None = None

    @property
    def dim(self) -> int:
        """The width of an embedding."""
        return self._encoder.dim

    @property
    def max_tokens(self) -> int:
        """The most tokens a text is truncated to, ``[CLS]`` and ``[SEP]`` included."""
        return self._encoder.max_tokens

    def tokenize(self, text: str, max_tokens: int | None = None) -> list[int]:
        """Token ids of ``text``, ``[CLS]`` first and ``[SEP]`` last."""
        return self._encoder.tokenize(text, max_tokens)

    def embed(self, texts: Sequence[str], max_tokens: int | None = None) -> NDArray[np.float32]:
        """Unit-length embeddings, ``(len(texts), dim)``, in a Rust-owned buffer (no copy)."""
        return self._encoder.embed(list(texts), max_tokens).array()

    def document_texts(self, infos: Sequence[DocInfo]) -> list[tuple[str, str]]:
        """The document texts (long, summary) of each spec, built by the Rust core.

        No numpy, no PyYAML.
        """
        return _native.document_texts([(i.path, i.name, i.description) for i in infos])

    def embed_f16(self, texts: Sequence[str], max_tokens: int | None = None) -> bytes:
        """Unit-length embeddings as float16 little-endian bytes, row after row (no numpy)."""
        return self._encoder.embed_f16(list(texts), max_tokens)

    def embed_documents_f16(self, pairs: Sequence[tuple[str, str]]) -> bytes:
        """Document vectors of ``(long, summary)`` text pairs as float16 bytes (no numpy)."""
        return self._encoder.embed_documents_f16(list(pairs))

    def route_fused(
        self,
        request: str,
        rows: StoredRows,
        backend: NativeBackend,
        *,
        alpha: float,
        feedback: tuple[float, float],
        k: int,
    ) -> tuple[ListTopDocs, list[FusedScore]]:
        """The hybrid route of ``request`` over ``backend`` and ``rows``, all in Rust (no numpy).

        The lexical route and the request's encoding run side by side; then
        the same formula as the numpy path (``specsearch.pure.embed.fuse``,
        ``route_scores``, with ``feedback`` = ``(tau, beta)``): the best ``k``
        by fused score, and each one's parts.
        """
        key = (id(rows.data), rows.offset, rows.rows)
        cached = self._matrix
        if cached is None or cached[0] != key:
            cached = (key, _native.DocMatrix(rows.data, rows.offset, rows.rows, rows.dim), rows)
            self._matrix = cached
        ids, fused, lex, sem, cos = self._encoder.route_hybrid(
            request, backend._index, cached[1], alpha, *feedback, k
        )
        from specsearch.types import FusedScore  # noqa: PLC0415

        parts = [
            FusedScore(lexical=a, semantic=b, cosine=c)
            for a, b, c in zip(lex, sem, cos, strict=True)
        ]
        return ListTopDocs(ids, fused), parts


class StartedOpen:
    """An open of an on-disk native index under way (:meth:`NativeBackend.start_open`).

    ``Index.open(..., started=...)`` finishes it when it is the open it would
    make (same backend, folder, roots and options, no rebuild); otherwise it
    waits for it to end, so that the two never contend for the writer lock,
    and makes its own.
    """

    __slots__ = ("_job", "_options", "_pending", "index_dir", "roots")

    def __init__(
        self,
        job: _native.OpenJob,
        index_dir: str,
        roots: tuple[str, ...],
        options: BuildOptions | tuple[bool, bool],
    ) -> None:
        """Hold ``job``, started for ``index_dir``, ``roots`` and ``options``.

        ``options`` may be the walk flags ``(hidden, no_ignore)`` alone, for
        an open started with every other build default
        (:meth:`NativeBackend.start_walk`).
        """
        self._job = job
        self._pending = True
        self.index_dir = index_dir
        self.roots = roots
        self._options = options

    @property
    def options(self) -> BuildOptions:
        """The build options this open was started with."""
        if isinstance(self._options, tuple):
            from specsearch.backend import BuildOptions  # noqa: PLC0415 (see start_walk)

            hidden, no_ignore = self._options
            self._options = BuildOptions(hidden=hidden, no_ignore=no_ignore)
        return self._options

    backend = "native"

    def finish(self, progress: Progress | None = None) -> tuple[NativeBackend, UpdateInfo]:
        """Wait for the open, as :meth:`NativeBackend.open` would return or raise.

        Raises:
            IndexStateError: it was already finished or waited for.
        """
        self._pending = False
        return NativeBackend._opened(self.index_dir, self._job.finish(progress))

    def wait(self) -> None:
        """Wait for the open to end, if not yet done, and drop what it gave (an error included)."""
        if self._pending:
            self._pending = False
            # Not contextlib.suppress: this module is imported before a
            # query's open starts, and contextlib is not otherwise loaded.
            try:  # noqa: SIM105
                self._job.finish()
            except Exception:  # what it gave is dropped, errors included
                pass


class ListTopDocs:
    """Ranked ids and scores in lists (numpy only when an array is asked for)."""

    __slots__ = ("_ids", "_scores")

    def __init__(self, ids: list[int], scores: list[float]) -> None:
        """Hold ``ids`` and ``scores`` (the same length)."""
        self._ids = ids
        self._scores = scores

    def __len__(self) -> int:
        return len(self._ids)

    def ids_list(self) -> list[int]:
        """Doc ids, best first."""
        return list(self._ids)

    def scores_list(self) -> list[float]:
        """Scores, best first."""
        return list(self._scores)

    def ids_array(self) -> NDArray[np.uint32]:
        """Doc ids as a numpy array."""
        import numpy as np  # noqa: PLC0415 - only the array API needs numpy

        return np.array(self._ids, dtype=np.uint32)

    def scores_array(self) -> NDArray[np.float32]:
        """Scores as a numpy array."""
        import numpy as np  # noqa: PLC0415 - only the array API needs numpy

        return np.array(self._scores, dtype=np.float32)


def fuse_native(
    lex_ids: Sequence[int], lex_scores: Sequence[float], cosine: Sequence[float], alpha: float
) -> tuple[list[float], list[float], list[float]]:
    """``(lexical, semantic, fused)`` per document, computed by the Rust core."""
    return _native.fuse(list(lex_ids), list(lex_scores), list(cosine), alpha)


def route_scores_native(
    vectors: NDArray[np.float32],
    query: NDArray[np.float32],
    lex_ids: Sequence[int],
    lex_scores: Sequence[float],
    alpha: float,
    *,
    tau: float,
    beta: float,
) -> tuple[list[float], list[float], list[float], list[float]]:
    """``(lexical, semantic, fused, cosine)`` per document after feedback, by the Rust core."""
    _, dim = vectors.shape
    return _native.route_scores(
        vectors.reshape(-1).tolist(),
        dim,
        query.tolist(),
        list(lex_ids),
        list(lex_scores),
        alpha,
        tau,
        beta,
    )
