"""What ``specsearch mcp`` serves: the specs under the roots, shaped for a calling agent.

:class:`SpecService` holds one open :class:`~specsearch.engine.Index` between calls,
keeps it fresh (a spec edited between two calls is seen by the second), and
answers the four tools with small, JSON-ready values. It does not import the MCP
SDK: :mod:`specsearch.mcp_tools` wraps it in an MCP server, and only the ``mcp``
command imports that module.

Result size rules (README, "specsearch mcp"):

- a description is cut to :data:`DESCRIPTION_CHARS` characters (its first
  line only in ``list_specs``), a snippet to the CLI's snippet width, and a
  body to :data:`BODY_CHARS`;
- copies of one spec (files with identical bytes, e.g. the same agent vendored
  by several collections) are collapsed into one entry, the best-ranked copy,
  with ``copies`` (how many others) and up to :data:`COPY_PATHS` of their paths.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import logging
import os
import re
import sys
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from specsearch.engine import Index
from specsearch.errors import QueryError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence

    from specsearch.types import Contribution, DocInfo

__all__ = [
    "BODY_CHARS",
    "COPY_PATHS",
    "DESCRIPTION_CHARS",
    "KINDS",
    "MAX_K",
    "MAX_LIST",
    "MAX_TEXT_CHARS",
    "SpecService",
    "ToolInputError",
    "cut",
    "default_roots",
    "roots_from_uris",
    "spec_kind",
]

log = logging.getLogger("specsearch.mcp")

#: Longest description in a result, in characters (longer ones end in "…").
DESCRIPTION_CHARS = 200
#: Longest body ``show_spec`` returns, in characters.
BODY_CHARS = 20_000
#: Largest ``k`` a tool accepts.
MAX_K = 50
#: Largest page ``list_specs`` returns.
MAX_LIST = 500
#: Longest request or query accepted, in characters.
MAX_TEXT_CHARS = 2_000
#: How many paths of the collapsed copies a result lists.
COPY_PATHS = 3
#: The kinds of spec Claude Code knows.
KINDS = ("agent", "skill", "command")

# Candidates fetched per wanted hit, so that collapsing copies still fills k.
_OVERFETCH = 4


class ToolInputError(ValueError):
    """A tool was called with input it cannot answer; the message says why."""


def cut(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    r"""``text`` on one line, at most ``limit`` characters, cut at a word with "…".

    >>> cut("a  short\ntext")
    'a short text'
    >>> cut("one two three four", 12)
    'one two…'
    """
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    head = flat[: limit - 1]
    space = head.rfind(" ")
    if space > limit // 2:
        head = head[:space]
    return head.rstrip(" ,;:.-") + "…"


def first_line(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    r"""The first non-blank line of ``text``, cut to ``limit``.

    >>> first_line("\nUse for X.\nMore detail")
    'Use for X.'
    """
    for line in text.splitlines():
        if line.strip():
            return cut(line, limit)
    return ""


def spec_kind(path: str) -> str:
    """``agent``, ``skill`` or ``command``, from where Claude Code keeps each kind.

    A ``SKILL.md`` file is a skill; otherwise the nearest enclosing folder named
    ``agents``, ``skills`` or ``commands`` decides; anything else is an agent.

    >>> spec_kind("p/.claude/skills/pdf/SKILL.md")
    'skill'
    >>> spec_kind("plugins/x/commands/review.md")
    'command'
    >>> spec_kind("skills/pentest-commands/SKILL.md")
    'skill'
    >>> spec_kind("notes/reviewer.md")
    'agent'
    """
    parts = re.split(r"[\\/]", path)
    if parts[-1].casefold() == "skill.md":
        return "skill"
    for folder in reversed(parts[:-1]):
        match folder.casefold():
            case "agents":
                return "agent"
            case "skills":
                return "skill"
            case "commands":
                return "command"
    return "agent"


def default_roots(paths: Sequence[str], cwd: str) -> list[str]:
    """The folders to serve: ``paths`` when given, else ``cwd`` and its ``.claude`` folder.

    Hidden folders are skipped below a root, so the ``.claude`` folder where
    Claude Code keeps project agents, skills and commands is added as a root
    of its own.
    """
    if paths:
        return list(paths)
    roots = [cwd]
    claude = os.path.join(cwd, ".claude")
    if os.path.isdir(claude):
        roots.append(claude)
    return roots


def roots_from_uris(uris: Iterable[str]) -> list[str]:
    """The local folders among an MCP client's ``file://`` roots (others are ignored).

    >>> roots_from_uris(["file:///home/a/my%20proj", "https://example.org/x"])
    ['/home/a/my proj']
    """
    folders: list[str] = []
    for uri in uris:
        parsed = urlparse(uri)
        if parsed.scheme == "file" and parsed.path:
            folders.append(unquote(parsed.path))
    return folders


def _check_text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise ToolInputError(f"{what} must be a string, got {type(value).__name__}")
    text = value.strip()
    if not text:
        raise ToolInputError(f"{what} is empty: say what the specs should be about")
    if len(text) > MAX_TEXT_CHARS:
        raise ToolInputError(f"{what} is {len(text)} characters; the limit is {MAX_TEXT_CHARS}")
    return text


def _check_int(value: object, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ToolInputError(f"{what} must be an integer, got {value!r}")
    if not low <= value <= high:
        raise ToolInputError(f"{what} must be between {low} and {high}, got {value}")
    return value


@dataclass(frozen=True, slots=True)
class _Stamp:
    """What a file or folder looked like: enough to see that it changed."""

    mtime_ns: int
    size: int


def _stamp(path: str) -> _Stamp | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return _Stamp(st.st_mtime_ns, st.st_size)


class _Freshness:
    """Whether the roots changed since the index was opened, by a stat scan.

    The fallback of :class:`_Inotify`. It records the stat of every indexed
    file and problem file, and of every folder under the roots. Editing a file
    changes its own stamp; adding, removing or renaming one changes its
    folder's.
    """

    __slots__ = ("_stamps",)

    def __init__(self, roots: Sequence[str], files: Iterable[str]) -> None:
        paths = set(files)
        paths.update(_watched(roots))
        self._stamps = {p: _stamp(p) for p in paths}

    def changed(self) -> bool:
        return any(_stamp(p) != s for p, s in self._stamps.items())

    def close(self) -> None:
        self._stamps = {}


class _Inotify:
    """Linux: whether anything under the roots changed, by one non-blocking read.

    Every folder under the roots (and each root) is watched for writes,
    metadata changes, creation, deletion and moves. The kernel queues an event
    when the change happens, so a change made before a call is seen by that
    call, at the cost of one ``read``. :meth:`start` gives None where inotify
    is missing or the watch limit is reached; the stat scan is used instead.
    """

    # IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO
    # | IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF (<sys/inotify.h>)
    MASK = 0x2 | 0x4 | 0x8 | 0x40 | 0x80 | 0x100 | 0x200 | 0x400 | 0x800
    FLAGS = os.O_NONBLOCK | os.O_CLOEXEC  # IN_NONBLOCK and IN_CLOEXEC have these values

    __slots__ = ("_fd",)

    def __init__(self, fd: int) -> None:
        self._fd = fd

    @classmethod
    def start(cls, roots: Sequence[str]) -> _Inotify | None:
        if not sys.platform.startswith("linux"):
            return None
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            fd = libc.inotify_init1(cls.FLAGS)
        except (OSError, AttributeError):
            return None
        if fd < 0:
            return None
        for path in _watched(roots):
            if libc.inotify_add_watch(fd, os.fsencode(path), cls.MASK) < 0:
                if ctypes.get_errno() in (errno.ENOENT, errno.EACCES, errno.ENOTDIR):
                    continue  # gone or unreadable: the index reports it
                os.close(fd)  # ENOSPC (the watch limit) and the like
                return None
        return cls(fd)

    def changed(self) -> bool:
        try:
            return bool(os.read(self._fd, 65536))
        except BlockingIOError:
            return False

    def close(self) -> None:
        os.close(self._fd)


def _watched(roots: Sequence[str]) -> Iterator[str]:
    """Each root, and every folder below a root folder but hidden ones (as the index walks)."""
    for root in roots:
        if not os.path.isdir(root):
            yield root
            continue
        for folder, dirs, _files in os.walk(root):
            yield folder
            dirs[:] = [d for d in dirs if not d.startswith(".")]


class _Copies:
    """Groups specs whose files hold identical bytes (a content hash per file, cached).

    A cached hash is trusted while the index is unchanged (the freshness check
    covers every indexed file); :meth:`revalidate` drops the stale ones when
    the index is reopened.
    """

    __slots__ = ("_cache",)

    def __init__(self) -> None:
        self._cache: dict[str, tuple[_Stamp | None, str]] = {}

    def key(self, path: str) -> str:
        """A digest of the file's bytes (the path itself when it cannot be read)."""
        cached = self._cache.get(path)
        if cached is not None:
            return cached[1]
        stamp = _stamp(path)
        try:
            with open(path, "rb") as f:
                digest = hashlib.blake2b(f.read(), digest_size=16).hexdigest()
        except OSError:
            digest = "path:" + path
        self._cache[path] = (stamp, digest)
        return digest

    def revalidate(self) -> None:
        """Forget the hashes of files that changed since they were hashed."""
        self._cache = {p: v for p, v in self._cache.items() if _stamp(p) == v[0]}

    def collapse(self, docs: Sequence[DocInfo]) -> list[tuple[int, list[str]]]:
        """``(index of the first copy, paths of the other copies)``, in input order.

        The one place that decides what a copy is. Identical bytes only, for
        now: the near-duplicate groups of ``specsearch.dedup`` (branch ux:
        ``dedup.group`` over ``dedup.fingerprint_file`` of each path, keyed by
        ``dedup.identity(name, description)``) can replace this body as is.
        """
        groups: dict[str, tuple[int, list[str]]] = {}
        for i, doc in enumerate(docs):
            key = self.key(doc.path)
            if key in groups:
                groups[key][1].append(doc.path)
            else:
                groups[key] = (i, [])
        return sorted(groups.values(), key=lambda g: g[0])


def _copies_fields(others: Sequence[str]) -> dict[str, Any]:
    if not others:
        return {}
    return {"copies": len(others), "copy_paths": list(others[:COPY_PATHS])}


def _why(contributions: Sequence[Contribution], most: int = 5) -> str:
    """A short reason for a routed spec: its largest contributions, grouped by field.

    >>> from specsearch.types import Contribution as C
    >>> _why([C(word="tokio", field="name", score=9.0), C(word="cancel", field="body", score=2.0),
    ...       C(word="tasks", field="name", score=1.0)])
    'name: tokio, tasks; body: cancel'
    """
    fields: dict[str, list[str]] = {}
    for c in contributions[:most]:
        words = fields.setdefault(c.field, [])
        if c.word not in words:
            words.append(c.word)
    return "; ".join(f"{field}: {', '.join(words)}" for field, words in fields.items())


def route_ranking(index: Index, request: str, n: int) -> tuple[list[int], list[float]]:
    """Doc ids and scores of the ``n`` specs that best fit ``request``, best first.

    With :func:`route_reasons`, the one place that decides how a request is
    routed: :meth:`Index.route` (never query syntax; filler removed; tuned BM25F).
    """
    try:
        hits = index.route(request, n)
    except QueryError as err:
        raise ToolInputError(f"request: {err}") from err
    return [int(i) for i in hits.doc_ids], [float(x) for x in hits.scores]


def route_reasons(index: Index, request: str, docs: Sequence[DocInfo]) -> list[str]:
    """A short ``why`` for each routed spec in ``docs`` (the words that ranked it, by field)."""
    explained = index._backend.route_explain(request, [d.doc_id for d in docs])
    return [_why(contributions) or "ranked by its body" for contributions in explained.why]


class SpecService:
    """The four tools over one long-lived index of the roots.

    Args:
        paths: Roots given on the command line (none: the client's roots when it
            offers them, else the current folder and its ``.claude`` folder).
        index_dir: The index folder (default: one per set of roots in the cache).
        backend: The engine, as for :meth:`Index.open`.
        environ: Where :meth:`Index.open` reads its variables.
        cwd: The folder that stands for "here" when there are no roots.

    Every public method raises :class:`ToolInputError` for bad input and
    :class:`~specsearch.errors.SpecsearchError` or ``OSError`` when the index
    cannot answer; it never lets another exception out for valid input.
    """

    def __init__(
        self,
        paths: Sequence[str] = (),
        *,
        index_dir: str | None = None,
        backend: str | None = None,
        environ: Mapping[str, str] | None = None,
        cwd: str | None = None,
    ) -> None:
        self._paths = list(paths)
        self._index_dir = index_dir
        self._backend = backend
        self._environ = environ
        self._cwd = cwd or os.getcwd()
        self._client_roots: list[str] | None = None
        self._index: Index | None = None
        self._open_roots: list[str] = []
        self._fresh: _Inotify | _Freshness | None = None
        self._listing: dict[str | None, tuple[list[DocInfo], list[tuple[int, list[str]]]]] = {}
        self._copies = _Copies()
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ roots

    @property
    def wants_client_roots(self) -> bool:
        """True while no root was given and the client's roots are not known yet."""
        return not self._paths and self._client_roots is None

    def set_client_roots(self, uris: Iterable[str]) -> None:
        """Use the client's ``file://`` roots (when no root was given on the command line)."""
        folders = roots_from_uris(uris)
        with self._lock:
            self._client_roots = folders

    def forget_client_roots(self) -> None:
        """The client's roots changed: ask for them again before the next call."""
        with self._lock:
            self._client_roots = None

    def roots(self) -> list[str]:
        """The folders served now."""
        if self._paths:
            return list(self._paths)
        found: list[str] = []
        for root in self._client_roots or [self._cwd]:
            found.extend(default_roots((), root))
        return found

    # ------------------------------------------------------------------ index

    def index(self) -> Index:
        """The open index, reopened (incrementally) when a root's files changed."""
        with self._lock:
            roots = self.roots()
            index = self._index
            if (
                index is not None
                and roots == self._open_roots
                and self._fresh is not None
                and not self._fresh.changed()
            ):
                return index
            # Watch first, then open: a change made while opening is seen next time.
            watch = _Inotify.start(roots)
            reopened = Index.open(
                roots,
                index_dir=self._index_dir,
                backend=self._backend,
                environ=self._environ,
                notice=log.warning,
            )
            if index is not None:
                index.close()
            if self._fresh is not None:
                self._fresh.close()
            self._index, self._open_roots, self._listing = reopened, roots, {}
            if watch is None:
                files = [d.path for d in self._all_docs(reopened)]
                files.extend(p.path for p in reopened.problems)
                self._fresh = _Freshness(roots, files)
            else:
                self._fresh = watch
            self._copies.revalidate()
            if reopened.update is not None and reopened.update.committed:
                log.info("index of %s updated: %s", roots, reopened.update)
            return reopened

    @staticmethod
    def _all_docs(index: Index) -> list[DocInfo]:
        # The facade has no public "every doc" call; find() uses the same one.
        return index._backend.docs(range(len(index)))

    def close(self) -> None:
        """Close the index (and stop watching the roots)."""
        with self._lock:
            if self._index is not None:
                self._index.close()
                self._index = None
            if self._fresh is not None:
                self._fresh.close()
                self._fresh = None

    # ------------------------------------------------------------------ tools

    def _unique(
        self, index: Index, ids: Sequence[int], scores: Sequence[float], count: int
    ) -> list[tuple[DocInfo, float, list[str]]]:
        """The first ``count`` distinct specs of a ranking, each with its copies' paths."""
        docs = index._backend.docs(ids)
        groups = self._copies.collapse(docs)
        return [(docs[i], scores[i], others) for i, others in groups[:count]]

    def route(self, request: object, k: object = 5) -> dict[str, Any]:
        """Rank the specs that should handle a natural-language ``request``."""
        text = _check_text(request, "request")
        count = _check_int(k, "k", 1, MAX_K)
        with self._lock:
            index = self.index()
            ids, scores = route_ranking(index, text, count * _OVERFETCH)
            chosen = self._unique(index, ids, scores, count)
            reasons = route_reasons(index, text, [doc for doc, _, _ in chosen])
        results = [
            {
                "name": doc.name,
                "kind": spec_kind(doc.path),
                "path": doc.path,
                "description": cut(doc.description),
                "score": round(score, 3),
                "why": why,
                **_copies_fields(others),
            }
            for (doc, score, others), why in zip(chosen, reasons, strict=True)
        ]
        return {"results": results}

    def search(self, query: object, k: object = 10) -> dict[str, Any]:
        """Run ``query`` in the query language; hits with their best line."""
        # Imported here: the CLI's window logic is shared, not copied.
        from specsearch.cli import _window  # noqa: PLC0415

        text = _check_text(query, "query")
        count = _check_int(k, "k", 1, MAX_K)
        with self._lock:
            index = self.index()
            try:
                hits = index.search(text, count * _OVERFETCH)
            except QueryError as err:
                raise ToolInputError(f"query {text!r}: {err}") from err
            ids = [int(i) for i in hits.doc_ids]
            chosen = self._unique(index, ids, [float(x) for x in hits.scores], count)
            snippets = index._backend.snippets([doc.doc_id for doc, _, _ in chosen], text)
        results = []
        for (doc, score, others), snippet in zip(chosen, snippets, strict=True):
            item: dict[str, Any] = {
                "name": doc.name,
                "kind": spec_kind(doc.path),
                "path": doc.path,
                "description": cut(doc.description),
                "score": round(score, 3),
            }
            if snippet is not None:
                item["line"] = snippet.line
                item["snippet"] = _window(snippet)[0]
            item.update(_copies_fields(others))
            results.append(item)
        return {"results": results}

    def show(self, name_or_path: object) -> dict[str, Any]:
        """One indexed spec: its frontmatter as an object and its body."""
        from specsearch.show import read_shown  # noqa: PLC0415

        wanted = _check_text(name_or_path, "name_or_path")
        with self._lock:
            index = self.index()
            docs = self._lookup(index, wanted)
            if not docs:
                where = ", ".join(self.roots())
                raise ToolInputError(
                    f"no spec named or at {wanted!r} under {where}; "
                    "list_specs or route_request give the names"
                )
            first, others = docs[0], docs[1:]
            shown = read_shown(first.path, first.path)
        frontmatter: dict[str, str] = {"name": shown.name, "description": shown.description}
        frontmatter.update(shown.frontmatter)
        body = shown.body
        answer: dict[str, Any] = {
            "path": shown.path,
            "kind": spec_kind(shown.path),
            "frontmatter": frontmatter,
            "body": body[:BODY_CHARS],
        }
        if len(body) > BODY_CHARS:
            answer["body_truncated_at"] = BODY_CHARS
        if others:
            answer["same_name"] = [d.path for d in others[:10]]
        return answer

    def _lookup(self, index: Index, wanted: str) -> list[DocInfo]:
        """Docs at the path ``wanted`` (only indexed files are shown), else named ``wanted``."""
        if os.sep in wanted or "/" in wanted or wanted.endswith(".md"):
            target = os.path.realpath(wanted)
            docs = self._all_docs(index)
            at = [d for d in docs if d.path == wanted or os.path.realpath(d.path) == target]
            if at:
                return at
        return index.find(wanted)

    def list(self, kind: object = None, limit: object = 100, offset: object = 0) -> dict[str, Any]:
        """Every spec (or every one of a ``kind``), one short line each, copies collapsed."""
        if kind is not None and kind not in KINDS:
            raise ToolInputError(
                f"kind must be one of {', '.join(KINDS)} (or omitted), got {kind!r}"
            )
        size = _check_int(limit, "limit", 1, MAX_LIST)
        start = _check_int(offset, "offset", 0, sys.maxsize)
        with self._lock:
            index = self.index()
            if kind not in self._listing:  # built once per index version
                docs = sorted(self._all_docs(index), key=lambda d: (d.name.casefold(), d.path))
                docs = [d for d in docs if kind is None or spec_kind(d.path) == kind]
                self._listing[kind] = (docs, self._copies.collapse(docs))
            docs, groups = self._listing[kind]
        page = groups[start : start + size]
        items = [
            {
                "name": docs[i].name,
                "kind": spec_kind(docs[i].path),
                "path": docs[i].path,
                "description": first_line(docs[i].description),
                **({"copies": len(others)} if others else {}),
            }
            for i, others in page
        ]
        answer: dict[str, Any] = {"total": len(groups), "offset": start, "specs": items}
        if start + size < len(groups):
            answer["next_offset"] = start + size
        return answer


def serve(
    paths: Sequence[str],
    *,
    index_dir: str | None = None,
    backend: str | None = None,
) -> None:
    """Run the MCP server on stdin/stdout until the client hangs up.

    Raises:
        ImportError: the MCP SDK is not installed (``pip install 'specsearch[mcp]'``).
    """
    from specsearch.mcp_tools import build_server  # noqa: PLC0415 (needs the SDK)

    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="specsearch: %(message)s")
    service = SpecService(paths, index_dir=index_dir, backend=backend)
    try:
        build_server(service).run("stdio")
    finally:
        service.close()
