"""The public facade: :class:`Index` and its results, :class:`Hits`."""

from __future__ import annotations

import dataclasses
import operator
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence

from specsearch.backend import BuildOptions
from specsearch.closing import Closing
from specsearch.errors import IndexFormatError, IndexLockedError, QueryError, SchemaError
from specsearch.pathargs import PathArg, index_folder, roots_arg
from specsearch.reports import UpdateInfo
from specsearch.schema import field_weights
from specsearch.select import resolve_backend
from specsearch.types import DocInfo, Hit, Snippet

#: ``typing.TYPE_CHECKING`` without importing ``typing`` (start-up cost); mypy reads it so.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Literal, Self, overload

    import numpy as np
    from numpy.typing import NDArray

    from specsearch.backend import Progress
    from specsearch.encoder import Encoder
    from specsearch.native import StartedOpen
    from specsearch.protocols import Backend, BackendClass, BatchTopDocs, TopDocs
    from specsearch.stats import IndexStats
    from specsearch.types import FusedScore, Problem, RouteExplanation
    from specsearch.vectors import StoredRows, VectorStats

__all__ = [
    "BatchHits",
    "Hits",
    "Index",
    "RouteHits",
    "default_index_dir",
    "field_weights",
    "query_text",
]

_SURROGATES = re.compile("[\ud800-\udfff]")


def _stderr_notice(message: str) -> None:
    print(message, file=sys.stderr)


def _cache_environ() -> dict[str, str]:
    """The one environment variable the API's default model path depends on."""
    cache = os.environ.get("XDG_CACHE_HOME")
    return {"XDG_CACHE_HOME": cache} if cache else {}


def query_text(query: str) -> str:
    r"""``query`` with every lone surrogate replaced by U+FFFD.

    A command-line argument that is not UTF-8 reaches Python with its bytes as
    surrogates (``\udcff``), which cannot cross into the native engine or be
    printed; both engines see the same replacement, so they still agree.

    >>> query_text("caf\udce9 tokio")
    'caf\ufffd tokio'
    """
    return _SURROGATES.sub("\ufffd", query)


def _snapshot(
    backend: BackendClass,
    target: str,
    *,
    roots: Sequence[str],
    options: BuildOptions | None,
    busy: IndexLockedError,
    notice: Callable[[str], None],
) -> tuple[Backend, UpdateInfo]:
    """The index to answer from while another process holds the writer lock."""
    opened: Backend
    try:
        opened = backend.open_existing(target)
        notice(f"specsearch: note: {busy}; answering from the last committed index")
    except (FileNotFoundError, IndexFormatError):
        opened = backend.build(roots, options or BuildOptions())
        notice(f"specsearch: note: {busy}; answering from an index built in memory")
    unchanged = opened.num_docs
    info = UpdateInfo(
        added=0, changed=0, deleted=0, unchanged=unchanged, rebuilt=False, committed=False
    )
    return opened, info


def default_index_dir(roots: Sequence[str], environ: Mapping[str, str]) -> str:
    """The folder that holds the index of ``roots`` unless one is given.

    ``$XDG_CACHE_HOME/specsearch/<key>`` (``~/.cache`` when the variable is
    unset), where the key hashes the roots canonicalised (absolute, links
    resolved: ``data``, ``./data`` and ``data/`` share one index), so each
    folder of specs gets its own index and the specs' folder is never written
    to. See :mod:`specsearch.cache`.

    >>> default_index_dir(["specs"], {"XDG_CACHE_HOME": "/c"}).startswith("/c/specsearch/")
    True
    """
    from specsearch.cache import index_dir_for  # noqa: PLC0415 (keeps start-up lean)

    return index_dir_for(roots, environ)


class Hits(Sequence[Hit]):
    """The ranked result of one search.

    ``doc_ids`` and ``scores`` are numpy arrays that share the backend's
    buffers (for the native backend, Rust-owned memory: no copy). Iterating
    gives :class:`~specsearch.types.Hit` values; they are looked up in one
    batch on first use, so a caller that only wants the arrays pays nothing
    for paths, names or snippets.
    """

    __slots__ = ("_backend", "_doc_ids", "_hits", "_scores", "_strict", "_top", "query")

    def __init__(self, query: str, top: TopDocs, backend: Backend, *, strict: bool = False) -> None:
        """Wrap ``top``, the backend's answer to ``query``."""
        self.query = query
        self._strict = strict
        self._top = top
        self._backend = backend
        self._hits: tuple[Hit, ...] | None = None
        self._doc_ids: NDArray[np.uint32] | None = None
        self._scores: NDArray[np.float32] | None = None

    @property
    def backend(self) -> str:
        """The name of the backend that answered."""
        return self._backend.name

    @property
    def doc_ids(self) -> NDArray[np.uint32]:
        """Doc ids, best first: a read-only view of the backend's buffer."""
        if self._doc_ids is None:
            array = self._top.ids_array()
            array.flags.writeable = False
            self._doc_ids = array
        return self._doc_ids

    @property
    def scores(self) -> NDArray[np.float32]:
        """Scores, best first: a read-only view of the backend's buffer."""
        if self._scores is None:
            array = self._top.scores_array()
            array.flags.writeable = False
            self._scores = array
        return self._scores

    def _materialize(self) -> tuple[Hit, ...]:
        if self._hits is None:
            ids = self._top.ids_list()
            scores = self._top.scores_list()
            docs = self._backend.docs(ids)
            snippets = self._snippets(ids)
            self._hits = tuple(
                Hit(
                    rank=rank,
                    doc_id=doc.doc_id,
                    score=score,
                    path=doc.path,
                    name=doc.name,
                    description=doc.description,
                    snippet=snippet,
                )
                for rank, (doc, score, snippet) in enumerate(
                    zip(docs, scores, snippets, strict=True), start=1
                )
            )
        return self._hits

    def _snippets(self, ids: list[int]) -> list[Snippet | None]:
        return self._backend.snippets(ids, self.query, strict=self._strict)

    def infos(self) -> list[tuple[DocInfo, float]]:
        """Each hit's stored fields and score, best first, without snippets (no file is read)."""
        return list(
            zip(self._backend.docs(self._top.ids_list()), self._top.scores_list(), strict=True)
        )

    def select(self, positions: Sequence[int]) -> list[Hit]:
        """The hits at 0-based ``positions``, with their snippets and their own ranks.

        Only their files are read for snippets, not every hit's.
        """
        if self._hits is not None:
            return [self._hits[i] for i in positions]
        ids = self._top.ids_list()
        scores = self._top.scores_list()
        chosen = [ids[i] for i in positions]
        docs = self._backend.docs(chosen)
        snippets = self._backend.snippets(chosen, self.query, strict=self._strict)
        return [
            Hit(
                rank=i + 1,
                doc_id=doc.doc_id,
                score=scores[i],
                path=doc.path,
                name=doc.name,
                description=doc.description,
                snippet=snippet,
            )
            for i, doc, snippet in zip(positions, docs, snippets, strict=True)
        ]

    def __len__(self) -> int:
        return len(self._top)

    if TYPE_CHECKING:  # `typing.overload` only for the type checker: start-up cost

        @overload
        def __getitem__(self, index: int) -> Hit: ...
        @overload
        def __getitem__(self, index: slice) -> Sequence[Hit]: ...

    def __getitem__(self, index: int | slice) -> Hit | Sequence[Hit]:
        return self._materialize()[index]

    def __iter__(self) -> Iterator[Hit]:
        return iter(self._materialize())

    def __repr__(self) -> str:
        return f"Hits(query={self.query!r}, backend={self.backend!r}, len={len(self)})"


class RouteHits(Hits):
    """The ranked result of :meth:`Index.route`: :class:`Hits`, plus why each one ranks.

    ``query`` is the request. Snippets show the lines holding the words that
    ranked (the request after filler and stop words are removed).
    """

    __slots__ = ("_explanation", "_fused")

    def __init__(
        self,
        request: str,
        top: TopDocs,
        backend: Backend,
        fused: tuple[float, tuple[FusedScore, ...]] | None = None,
    ) -> None:
        """Wrap ``top``, the backend's answer to ``request`` (``fused``: alpha and the parts)."""
        super().__init__(request, top, backend)
        self._explanation: RouteExplanation | None = None
        self._fused = fused

    def explain(self) -> RouteExplanation:
        """The words that ranked, the words removed, each hit's contributions and parts."""
        if self._explanation is None:
            lexical = self._backend.route_explain(self.query, self._top.ids_list())
            if self._fused is not None:
                alpha, parts = self._fused
                lexical = dataclasses.replace(lexical, alpha=alpha, fused=parts)
            self._explanation = lexical
        return self._explanation

    def _snippets(self, ids: list[int]) -> list[Snippet | None]:
        words = self.explain().words if ids else ()
        if not words:
            return [None] * len(ids)
        # Each word quoted: the request is never query syntax.
        quoted = " ".join('"' + w.replace('"', "") + '"' for w in words)
        return self._backend.snippets(ids, quoted)

    def __repr__(self) -> str:
        return f"RouteHits(request={self.query!r}, backend={self.backend!r}, len={len(self)})"


class BatchHits:
    """The results of :meth:`Index.search_many`: one row per query.

    ``doc_ids`` (int64, padded with -1) and ``scores`` (float32, padded with
    NaN) have shape ``(len(queries), k)`` and are read-only views of the
    backend's buffers (Rust-owned for the native backend: no copy).
    ``counts[i]`` is the number of hits of query i, and ``errors`` maps the
    row of each query that failed to its :class:`QueryError` (its row is
    padding); the other queries are answered.
    """

    __slots__ = ("_top", "counts", "doc_ids", "errors", "queries", "scores")

    def __init__(self, queries: Sequence[str], top: BatchTopDocs) -> None:
        """Wrap ``top``, the backend's answer to ``queries``."""
        self.queries = tuple(queries)
        self._top = top
        ids = top.ids_array()
        ids.flags.writeable = False
        scores = top.scores_array()
        scores.flags.writeable = False
        self.doc_ids: NDArray[np.int64] = ids
        self.scores: NDArray[np.float32] = scores
        self.counts: tuple[int, ...] = tuple(top.counts_list())
        self.errors: Mapping[int, QueryError] = dict(top.errors)

    def __len__(self) -> int:
        return len(self.queries)

    def __repr__(self) -> str:
        return f"BatchHits(queries={len(self.queries)}, k={self.doc_ids.shape[1]})"


class Index(Closing):
    """A searchable index over a tree of agent specs.

    Build one with :meth:`build`; use it as a context manager to close it.

    >>> from specsearch import Index
    >>> with Index.build(["examples/specs"], backend="python") as index:
    ...     hits = index.search("tokio cancellation", k=3)
    ...     hits[0].name
    'async-rust-reviewer'
    """

    __slots__ = ("_backend", "_encoder", "_update", "_vectors", "_vectors_path")

    def __init__(self, backend: Backend) -> None:
        """Wrap a built backend (most callers want :meth:`build` or :meth:`open`)."""
        self._backend = backend
        self._update: UpdateInfo | None = None
        self._encoder: tuple[str, Encoder] | None = None
        self._vectors: tuple[str, StoredRows, NDArray[np.float32] | None] | None = None
        self._vectors_path: str | None = None

    @classmethod
    def build(
        cls,
        paths: Sequence[PathArg] = (),
        *,
        backend: str | None = None,
        options: BuildOptions | None = None,
        environ: Mapping[str, str] | None = None,
        notice: Callable[[str], None] = _stderr_notice,
    ) -> Self:
        """Index every spec under ``paths`` (the current directory when empty).

        Args:
            paths: Files and folders to index.
            backend: ``"native"`` or ``"python"``; when ``None``, the
                ``SPECSEARCH_BACKEND`` variable of ``environ``, else native.
            options: Build options (file size limit, threads).
            environ: Where to look up ``SPECSEARCH_BACKEND``; ``os.environ``
                when ``None``.
            notice: Called with a one-line message when the implicit native
                default falls back to python (default: print to stderr).

        Raises:
            BackendUnavailableError: the backend asked for cannot be loaded.
            FileNotFoundError: a path does not exist.
        """
        roots = roots_arg(paths)
        choice = resolve_backend(backend, os.environ if environ is None else environ)
        if choice.notice is not None:
            notice(choice.notice)
        return cls(choice.backend.build(roots, options or BuildOptions()))

    @classmethod
    def open(
        cls,
        paths: Sequence[PathArg] = (),
        *,
        index_dir: PathArg | None = None,
        backend: str | None = None,
        options: BuildOptions | None = None,
        environ: Mapping[str, str] | None = None,
        notice: Callable[[str], None] = _stderr_notice,
        progress: Progress | None = None,
        rebuild: bool = False,
        if_locked: Literal["snapshot", "raise"] = "snapshot",
        started: StartedOpen | None = None,
    ) -> Self:
        """Open the persistent index of ``paths``, creating or updating it first.

        The index is brought up to date incrementally: only files added,
        changed (size and mtime, then content hash) or deleted since the last
        time are indexed. With nothing to do, nothing is written.

        Args:
            paths: Files and folders to index (the current directory when empty).
            index_dir: Where the index lives; by default a folder under the
                user cache directory chosen by :func:`default_index_dir`.
            backend: As for :meth:`build`.
            options: Build options.
            environ: Where to look up ``SPECSEARCH_BACKEND`` and the cache
                directory; ``os.environ`` when ``None``.
            notice: As for :meth:`build`.
            progress: Called with (files done, files to index) while indexing.
            rebuild: Throw the existing index away and build it afresh (after
                a checksum error, say).
            if_locked: What to do when another process holds the writer lock
                and the index needs an update: ``"snapshot"`` (a reader)
                answers as below; ``"raise"`` (a writer, as ``specsearch
                index``) raises :class:`~specsearch.errors.IndexLockedError`.
            started: This open, already under way
                (:meth:`specsearch.native.NativeBackend.start_open`, which the
                CLI calls before it has loaded the rest of itself). It is
                finished when it is the open this call makes (same backend,
                folder, roots and options, no ``rebuild``); else it is waited
                for, and this call makes its own. It is always waited for.

        While another process updates the index, this one does not wait: it
        answers from the last committed index (or, when there is none yet,
        from one built in memory), says so through ``notice``, and leaves
        the update to the other process.

        Raises:
            BackendUnavailableError: the backend asked for cannot be loaded.
            FileNotFoundError: a path does not exist.
            IndexLockedError: another process holds the writer lock and
                ``if_locked`` is ``"raise"``.
        """
        try:
            if if_locked not in ("snapshot", "raise"):
                raise SchemaError("if_locked", f"must be 'snapshot' or 'raise', got {if_locked!r}")
            options = options or BuildOptions()
            env = os.environ if environ is None else environ
            choice = resolve_backend(backend, env)
            if choice.notice is not None:
                notice(choice.notice)
            roots = roots_arg(paths)
            folder = (
                index_folder(index_dir) if index_dir is not None else default_index_dir(roots, env)
            )
            if index_dir is None:
                from specsearch.cache import record_use  # noqa: PLC0415

                record_use(folder, roots)
            target = os.path.join(folder, choice.name)
            if started is not None and (
                started.backend != choice.name
                or started.index_dir != target
                or started.roots != tuple(roots)
                or started.options != options
                or rebuild
            ):
                started.wait()
                started = None
            opened: Backend
            try:
                if started is not None:
                    opened, info = started.finish(progress)
                else:
                    opened, info = choice.backend.open(
                        target, roots, options, progress, rebuild=rebuild
                    )
                if info.damage is not None:
                    notice(f"{info.damage}; rebuilt the index")
            except IndexLockedError as busy:
                if if_locked == "raise":
                    raise
                opened, info = _snapshot(
                    choice.backend, target, roots=roots, options=options, busy=busy, notice=notice
                )
            index = cls(opened)
            index._update = info
            index._vectors_path = os.path.join(folder, f"{choice.name}.vectors")
            return index
        finally:
            if started is not None:
                started.wait()  # a no-op once finished

    @classmethod
    def open_existing(
        cls,
        paths: Sequence[PathArg] = (),
        *,
        index_dir: PathArg | None = None,
        backend: str | None = None,
        environ: Mapping[str, str] | None = None,
        notice: Callable[[str], None] = _stderr_notice,
    ) -> Self:
        """Open the persistent index of ``paths`` as it is, changing nothing.

        Raises:
            FileNotFoundError: there is no index yet.
            IndexFormatError: the index is corrupt or of another format version.
        """
        env = os.environ if environ is None else environ
        choice = resolve_backend(backend, env)
        if choice.notice is not None:
            notice(choice.notice)
        folder = (
            index_folder(index_dir)
            if index_dir is not None
            else default_index_dir(roots_arg(paths), env)
        )
        index = cls(choice.backend.open_existing(os.path.join(folder, choice.name)))
        index._vectors_path = os.path.join(folder, f"{choice.name}.vectors")
        return index

    @property
    def backend(self) -> str:
        """The name of the backend in use."""
        return self._backend.name

    @property
    def update(self) -> UpdateInfo | None:
        """What :meth:`open` did to bring the index up to date (None otherwise)."""
        return self._update

    def stats(self) -> IndexStats:
        """Counts and sizes of the index."""
        return self._backend.stats()

    def vector_stats(self) -> VectorStats | None:
        """What the stored document vectors hold, or None when none are stored.

        Read from the vector files' headers and checked (SPEC.md, *Document
        vectors*), without loading a model; ``valid`` says whether their
        checksums hold.
        """
        from specsearch.vectors import read_vector_stats, segment_vector_stats  # noqa: PLC0415

        native = getattr(self._backend, "vector_stats", None)
        if native is not None and self._vectors_path is not None:
            return segment_vector_stats(native(), self.stats().location or "")
        return None if self._vectors_path is None else read_vector_stats(self._vectors_path)

    def doc_lengths(self, field: str) -> list[NDArray[np.uint32]]:
        """Each doc's length in tokens of ``field``, one read-only array per segment.

        ``field`` is one of the six fields of SPEC.md §2. For the
        native on-disk index the arrays are views into the mapped index file,
        not copies.
        """
        return self._backend.doc_lengths(field)

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Files that were skipped or only partly understood, and why."""
        return self._backend.problems

    def __len__(self) -> int:
        return self._backend.num_docs

    def _top_k(self, k: object) -> int:
        """``k`` checked, and at most the number of specs (at least 1).

        No call finds more hits than there are specs; a batch's arrays are
        ``k`` wide, so ``search_many(..., k=10**9)`` would otherwise ask for
        gigabytes (the native engine aborts the process when refused).

        Raises:
            SchemaError: ``k`` is not an integer, or is negative.
        """
        try:
            n = operator.index(k)  # type: ignore[arg-type]
        except TypeError:
            raise SchemaError("k", f"expected an integer, got {k!r}") from None
        if n < 0:
            raise SchemaError("k", f"must be >= 0, got {n}")
        return min(n, max(len(self), 1))

    def search(
        self,
        query: str,
        k: int = 10,
        *,
        weights: Mapping[str, float] | None = None,
        strict: bool = False,
    ) -> Hits:
        """The ``k`` best specs for ``query``, best first.

        The query language (SPEC.md §11, §5): bare words are ORed and
        ranked, ``"exact phrase"``, ``AND``/``OR``/``NOT``, ``+must``,
        ``-must_not``, parentheses, ``field:term`` (``name``, ``description``,
        ``headings``, ``body``, ``examples``, ``frontmatter`` or any
        frontmatter key such as ``model`` or ``tools``), ``prefix*`` and
        ``fuzzy~1``.

        Args:
            query: The query.
            k: How many hits at most.
            weights: Field weights to use instead of the defaults
                (name 3, description 2, frontmatter 1, headings 1.5, body 1,
                examples 1.5), e.g. ``{"body": 0.5}``.
            strict: Raise on syntax problems instead of repairing them.

        Raises:
            QueryError: the query cannot run (no searchable terms, an unknown
                field, or, when strict, a syntax problem), with its position.
            SchemaError: ``k`` is negative, or a weight is invalid.
            IndexStateError: the index is closed.
        """
        k = self._top_k(k)
        query = query_text(query)
        top = self._backend.search(query, k, weights=field_weights(weights), strict=strict)
        return Hits(query, top, self._backend, strict=strict)

    def search_many(
        self,
        queries: Sequence[str],
        k: int = 10,
        *,
        weights: Mapping[str, float] | None = None,
        strict: bool = False,
    ) -> BatchHits:
        """Run many queries at once: ``(len(queries), k)`` arrays of ids and scores.

        ``k`` is at most the number of specs (no query finds more): the
        arrays are never wider than the index.

        The native backend runs them on every core with the GIL released, and
        the arrays are views of its buffers. A query that fails does not stop
        the others: see :attr:`BatchHits.errors`.

        Raises:
            SchemaError: ``k`` is negative, ``queries`` is a single string, or
                a weight is invalid.
            IndexStateError: the index is closed.
        """
        k = self._top_k(k)
        if isinstance(queries, str):
            raise SchemaError("queries", "expected a sequence of queries, got a single string")
        top = self._backend.search_many(
            [query_text(q) for q in queries], k, weights=field_weights(weights), strict=strict
        )
        return BatchHits(queries, top)

    def doc_vectors(
        self, model: PathArg, *, progress: Progress | None = None
    ) -> NDArray[np.float16]:
        """The unit embeddings of the indexed specs: a read-only ``(num_docs, dim)`` float16 array.

        Computed once per index and model; an index opened with :meth:`open`
        stores them (float16, checksummed; SPEC.md, *Document vectors*): the
        native index in its segments, one vector file each, the python
        backend in ``<index folder>/python.vectors``; only added or changed
        specs are embedded (:mod:`specsearch.vectors`). The array is never a
        copy (``flags.owndata`` is False): a view of the mapped file when one
        file holds every row in doc order, else of the buffer the rows were
        gathered into. :meth:`doc_vectors_f32` gives a float32 copy.
        ``progress`` is called with (specs done, specs to embed).

        Raises:
            ModelNotFoundError: ``model`` is not a usable model folder.
            ModelError: a model file does not fit.
        """
        return self._stored_rows(model, progress).array()

    def update_vectors(self, model: PathArg, *, progress: Progress | None = None) -> int:
        """Embed the specs that have no stored vector yet; how many specs have one.

        What :meth:`doc_vectors` does first, without numpy: ``specsearch
        route`` calls it to show a progress bar (``progress`` is called with
        specs done, specs to embed).

        Raises:
            ModelNotFoundError: ``model`` is not a usable model folder.
            ModelError: a model file does not fit.
        """
        return self._stored_rows(model, progress).rows

    def _stored_rows(self, model: PathArg, progress: Progress | None = None) -> StoredRows:
        """The document vectors' float16 rows (computed once per model; no numpy)."""
        from specsearch.vectors import segment_rows, stored_rows  # noqa: PLC0415 (route only)

        encoder = self.encoder(model)
        model_id = f"{os.fspath(model)}|{encoder.dim}"
        if self._vectors is None or self._vectors[0] != model_id:
            vector_index = getattr(self._backend, "vector_index", None)
            segments = vector_index() if vector_index is not None else None
            if segments is not None:
                # The native on-disk index keeps them in its segments; the
                # file beside it is where older versions kept them.
                rows, _ = segment_rows(
                    segments,
                    self._backend.docs,
                    encoder,
                    model_id,
                    legacy=self._vectors_path,
                    progress=progress,
                )
            else:
                infos = self._backend.docs(range(self._backend.num_docs))
                rows, _ = stored_rows(infos, encoder, model_id, self._vectors_path, progress)
            self._vectors = (model_id, rows, None)
        return self._vectors[1]

    def doc_vectors_f32(self, model: PathArg) -> NDArray[np.float32]:
        """:meth:`doc_vectors` converted to float32: a read-only copy, made once and kept."""
        self._stored_rows(model)
        assert self._vectors is not None  # set by _stored_rows
        model_id, rows, wide = self._vectors
        if wide is None:
            wide = rows.array().astype("float32")
            wide.flags.writeable = False
            self._vectors = (model_id, rows, wide)
        return wide

    def route(
        self,
        request: str,
        k: int = 10,
        *,
        model: PathArg | None = None,
        alpha: float | None = None,
    ) -> RouteHits:
        """The ``k`` specs that should handle a request in natural language, best first.

        The request is never parsed as query syntax (``C++: leaks``, ``AND``,
        quotes, ``-flag`` and ``tools:`` are words). Conversational filler
        ("can you help me", "I need an agent that") and stop words are
        removed, words generic in this corpus count less, and specs are
        ranked by per-field BM25 tuned for routing (README, *Routing*).
        :meth:`RouteHits.explain` says why each hit ranks.

        >>> with Index.build(["examples/specs"], backend="python") as index:
        ...     index.route("can you help me cancel tokio tasks cleanly?", k=1)[0].name
        'async-rust-reviewer'

        With ``model`` (a sentence-transformers folder) the ranking is hybrid:
        ``(1 - alpha) * lexical + alpha * semantic``, the routing BM25F and
        the request's cosine with each spec's vector (:meth:`doc_vectors`),
        each standardised (z-score) over all specs, after one round of
        feedback that moves the request's vector towards the specs that
        ranking puts first (SPEC.md §10, *Hybrid route*);
        ``alpha`` defaults to the tuned value in ``data/fusion.json``. Without
        it, the ranking is lexical only. The library never looks a model up by
        itself: the CLI passes ``--model``, ``SPECSEARCH_MODEL`` or the cache.

        Raises:
            QueryError: the request is empty (white space only).
            SchemaError: ``k`` is negative, or ``alpha`` is outside [0, 1].
            ModelNotFoundError: ``model`` is not a usable model folder.
            IndexStateError: the index is closed.
        """
        k = self._top_k(k)
        request = query_text(request)
        if model is None:
            return RouteHits(request, self._backend.route(request, k), self._backend)
        from specsearch.vectors import FUSION  # noqa: PLC0415 (semantic route only)

        return self._route_fused(request, k, model, FUSION["alpha"] if alpha is None else alpha)

    def _route_fused(self, request: str, k: int, model: PathArg, alpha: float) -> RouteHits:
        if not 0.0 <= alpha <= 1.0:
            raise SchemaError("alpha", f"must be within [0, 1], got {alpha}")
        encoder = self.encoder(model)
        route_fused = getattr(encoder, "route_fused", None)
        if route_fused is None or self._backend.name != "native":
            return self._route_fused_numpy(request, k, model, alpha)
        # The native encoder and index: lexical route, encoding, cosines,
        # fusion and top k in Rust, no numpy.
        from specsearch.vectors import FUSION  # noqa: PLC0415 (semantic route only)

        rows = self._stored_rows(model)
        feedback = (FUSION["feedback_tau"], FUSION["feedback_beta"])
        top, parts = route_fused(request, rows, self._backend, alpha=alpha, feedback=feedback, k=k)
        return RouteHits(request, top, self._backend, (alpha, tuple(parts)))

    def _route_fused_numpy(self, request: str, k: int, model: PathArg, alpha: float) -> RouteHits:
        import numpy as np  # noqa: PLC0415 - only the python engine's hybrid route needs numpy

        from specsearch.pure.backend import ArrayTopDocs  # noqa: PLC0415
        from specsearch.pure.embed.fuse import route_scores, top_k  # noqa: PLC0415
        from specsearch.vectors import FUSION  # noqa: PLC0415

        vectors = self.doc_vectors_f32(model)
        lexical = self._backend.route(request, len(vectors))
        query = self.encoder(model).embed([request])[0]
        lex, sem, fused, cosine = route_scores(
            vectors,
            query,
            lexical.ids_list(),
            lexical.scores_list(),
            alpha,
            tau=FUSION["feedback_tau"],
            beta=FUSION["feedback_beta"],
        )
        best = top_k(fused, min(k, fused.size))
        ids = np.array([i for i, _ in best], dtype=np.uint32)
        from specsearch.route_types import FusedScore  # noqa: PLC0415 (see specsearch.types)

        parts = tuple(
            FusedScore(lexical=float(lex[i]), semantic=float(sem[i]), cosine=float(cosine[i]))
            for i in ids
        )
        top = ArrayTopDocs(ids, fused[ids].astype(np.float32))
        return RouteHits(request, top, self._backend, (alpha, parts))

    def route_many(self, requests: Sequence[str], k: int = 10) -> BatchHits:
        """Route many requests at once: ``(len(requests), k)`` arrays of ids and scores.

        As :meth:`search_many`: read-only views of the backend's buffers; an
        empty request fails only its own row (:attr:`BatchHits.errors`).

        Raises:
            SchemaError: ``k`` is negative, or ``requests`` is a single string.
            IndexStateError: the index is closed.
        """
        k = self._top_k(k)
        if isinstance(requests, str):
            raise SchemaError("requests", "expected a sequence of requests, got a single string")
        clean = [query_text(r) for r in requests]
        return BatchHits(clean, self._backend.route_many(clean, k))

    def encoder(self, model: PathArg | None = None) -> Encoder:
        """The sentence encoder of this index's backend (loaded once, then kept).

        Args:
            model: A sentence-transformers folder; by default the one
                ``specsearch model fetch`` put in the user cache. The
                environment variable ``SPECSEARCH_MODEL`` is the CLI's, never
                read here.

        Raises:
            ModelNotFoundError: there is no model (the message says how to get it).
            ModelError: a model file does not fit.
        """
        # Imported here: only the semantic arm needs them, not start-up.
        from specsearch.encoder import load_encoder  # noqa: PLC0415
        from specsearch.model import resolve_model  # noqa: PLC0415

        # Never SPECSEARCH_MODEL: only the CLI reads it. XDG_CACHE_HOME says
        # where the default cache is, as for `specsearch model fetch`.
        path = resolve_model(model, _cache_environ())
        if self._encoder is None or self._encoder[0] != str(path):
            self._encoder = (str(path), load_encoder(path, self._backend.name))
        return self._encoder[1]

    def embed(self, texts: Sequence[str], *, model: PathArg | None = None) -> NDArray[np.float32]:
        """Unit-length sentence embeddings of ``texts``: a ``(len(texts), dim)`` float32 array.

        With the native backend the array views a Rust-owned buffer (no copy;
        ``flags.owndata`` is False) and the texts are encoded on all cores with
        the GIL released. Texts are truncated to the model's token budget
        (256 for all-MiniLM-L6-v2, ``[CLS]`` and ``[SEP]`` included).

        Raises:
            SchemaError: ``texts`` is a single string.
            ModelNotFoundError: there is no model.
            ModelError: a model file does not fit.
        """
        if isinstance(texts, str):
            raise SchemaError("texts", "expected a sequence of texts, got a single string")
        return self.encoder(model).embed(list(texts))

    def all_docs(self) -> list[DocInfo]:
        """The stored fields of every indexed spec, in doc-id order."""
        return self._backend.docs(range(self._backend.num_docs))

    def suggest(self, word: str) -> str | None:
        """The indexed word nearest to ``word`` (fuzzy, edit distance 1, 2 past 5 letters).

        It is taken from the matched spans of the best hits of ``word~N``:
        the most frequent matched word that is not ``word`` itself. None
        when nothing is near.
        """
        distance = 1 if len(word) <= 5 else 2
        try:
            hits = self.search(f"{word}~{distance}", 5)
        except (QueryError, SchemaError):
            return None
        counts: dict[str, int] = {}
        for hit in hits:
            if hit.snippet is None:
                continue
            for a, b in hit.snippet.spans:
                found = hit.snippet.text[a:b].casefold()
                if found != word.casefold() and found.isalnum():
                    counts[found] = counts.get(found, 0) + 1
        return max(sorted(counts), key=lambda w: counts[w]) if counts else None

    def fs_paths(self, ids: Sequence[int]) -> list[str]:
        """The path each doc's file was read from, its bytes kept.

        A doc's ``path`` shows a file name that is not UTF-8 with U+FFFD (so
        it prints); this one keeps its bytes as lone surrogates, as
        ``os.fsdecode`` gives them, so it opens the file and ``os.fsencode``
        gives the bytes back.
        """
        return self._backend.fs_paths(ids)

    def find_ranked(self, name: str) -> list[DocInfo]:
        """:meth:`find`, best first: ordered by their rank for ``name`` as a query."""
        found = self.find(name)
        if len(found) < 2:
            return found
        words = " ".join(re.findall(r"\w+", name))
        ranks: dict[int, int] = {}
        try:
            top = self._backend.search(words, self._backend.num_docs)
            ranks = {doc_id: rank for rank, doc_id in enumerate(top.ids_list())}
        except QueryError:
            pass
        return sorted(found, key=lambda d: (ranks.get(d.doc_id, len(ranks)), d.doc_id))

    def find(self, name: str) -> list[DocInfo]:
        """The specs whose name is ``name`` (exactly, else case-insensitively)."""
        wanted = name.strip()
        phrase = wanted.replace('"', " ")
        candidates: list[DocInfo] = []
        try:
            top = self._backend.search(query_text(f'name:"{phrase}"'), 1000)
            candidates = self._backend.docs(top.ids_list())
        except QueryError:
            candidates = self._backend.docs(range(self._backend.num_docs))
        exact = [d for d in candidates if d.name == wanted]
        if exact:
            return sorted(exact, key=lambda d: d.doc_id)
        folded = wanted.casefold()
        return sorted(
            (d for d in candidates if d.name.casefold() == folded), key=lambda d: d.doc_id
        )

    def close(self) -> None:
        """Release the index. Using it afterwards raises ``IndexStateError``."""
        self._backend.close()
