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
- copies of one spec (near-duplicates as :mod:`specsearch.dedup` and the CLI
  find them, e.g. the same agent vendored by several collections, edited or
  not) are collapsed into one entry, the best-ranked copy, with ``copies``
  (up to :data:`COPY_PATHS` of the others' paths) and ``more_copies`` (how
  many more); ``list_specs`` gives only how many.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import re
import sys
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from specsearch.backend import BuildOptions
from specsearch.config import Config, project_roots
from specsearch.dedup import fold, group_docs, pool
from specsearch.engine import Index, query_text
from specsearch.errors import QueryError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence

    from specsearch.dedup import Collapsed
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
    # JSON may carry lone surrogates ("\udcff"), which the native engine
    # cannot take: U+FFFD, as the CLI and the facade's search see them.
    text = query_text(value).strip()
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


def _copies_fields(others: Sequence[str]) -> dict[str, Any]:
    if not others:
        return {}
    more = len(others) - COPY_PATHS
    return {"copies": list(others[:COPY_PATHS]), **({"more_copies": more} if more > 0 else {})}


def _result(result: Collapsed) -> dict[str, Any]:
    """The fields every ranked result has: the best copy's, and the others' paths."""
    hit = result.hit
    return {
        "name": hit.name,
        "kind": spec_kind(hit.path),
        "path": hit.path,
        "description": cut(hit.description),
        "score": round(hit.score, 3),
        **_copies_fields([doc.path for doc, _, _ in result.copies]),
    }


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


def route_ranking(index: Index, request: str, k: int) -> list[Collapsed]:
    """The ``k`` specs that best fit ``request``, best first, copies folded as the CLI does.

    With :func:`route_reasons`, the one place that decides how a request is
    routed: :meth:`Index.route` (never query syntax; filler removed; tuned BM25F).
    """
    try:
        hits = index.route(request, pool(k))
    except QueryError as err:
        raise ToolInputError(f"request: {err}") from err
    if len(hits) == 0:  # e.g. no words: no snippet to look for either
        return []
    return fold(hits, k, native=index.backend == "native")


def route_reasons(index: Index, request: str, doc_ids: Sequence[int]) -> list[str]:
    """A short ``why`` for each routed spec in ``doc_ids`` (the words that ranked it, by field)."""
    explained = index._backend.route_explain(request, list(doc_ids))
    return [_why(contributions) or "ranked by its body" for contributions in explained.why]


class SpecService:
    """The four tools over one long-lived index of the roots.

    Args:
        paths: Roots given on the command line (none: the CLI's project roots,
            :func:`~specsearch.config.project_roots`, of each of the client's
            roots when it offers them, else of the current folder).
        index_dir: The index folder (default: one per set of roots in the cache).
        backend: The engine, as for :meth:`Index.open`.
        environ: Where :meth:`Index.open` reads its variables.
        cwd: The folder that stands for "here" when there are no roots.
        config: The CLI's config (its ``roots``, ``hidden`` and ``no_ignore``).
        user_roots: The user's spec folders, served too (``--user``).

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
        config: Config | None = None,
        user_roots: Sequence[str] = (),
    ) -> None:
        self._paths = list(paths)
        self._config = config or Config()
        self._user_roots = list(user_roots)
        self._index_dir = index_dir
        self._backend = backend
        self._environ = environ
        self._cwd = cwd or os.getcwd()
        self._client_roots: list[str] | None = None
        self._index: Index | None = None
        self._open_roots: list[str] = []
        self._fresh: _Inotify | _Freshness | None = None
        self._listing: dict[str | None, tuple[list[DocInfo], list[tuple[int, int]]]] = {}
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
        found = list(self._paths)
        if not found:
            for base in self._client_roots or [self._cwd]:
                config = self._config
                more = project_roots(hidden=config.hidden, extra=config.roots, base=base)
                found.extend(r for r in more if r not in found)
        return found + [r for r in self._user_roots if r not in found]

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
                options=BuildOptions(hidden=self._config.hidden, no_ignore=self._config.no_ignore),
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

    def route(self, request: object, k: object = 5) -> dict[str, Any]:
        """Rank the specs that should handle a natural-language ``request``."""
        text = _check_text(request, "request")
        count = _check_int(k, "k", 1, MAX_K)
        with self._lock:
            index = self.index()
            chosen = route_ranking(index, text, count)
            reasons = route_reasons(index, text, [r.hit.doc_id for r in chosen])
        results = [_result(r) | {"why": why} for r, why in zip(chosen, reasons, strict=True)]
        return {"results": results}

    def search(self, query: object, k: object = 10) -> dict[str, Any]:
        """Run ``query`` in the query language; hits with their best line."""
        # Imported here: the CLI's window logic is shared, not copied.
        from specsearch.window import window  # noqa: PLC0415

        text = _check_text(query, "query")
        count = _check_int(k, "k", 1, MAX_K)
        with self._lock:
            index = self.index()
            try:
                hits = index.search(text, pool(count))
            except QueryError as err:
                raise ToolInputError(f"query {text!r}: {err}") from err
            chosen = fold(hits, count, native=index.backend == "native")
        results = []
        for result in chosen:
            item = _result(result)
            snippet = result.hit.snippet
            if snippet is not None:
                item["line"] = snippet.line
                item["snippet"] = window(snippet)[0]
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
            # The file's own name: a doc path shows bytes that are not UTF-8 as U+FFFD.
            shown = read_shown(first.path, index.fs_paths([first.doc_id])[0])
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
        if "\0" not in wanted and (os.sep in wanted or "/" in wanted or wanted.endswith(".md")):
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
                found = group_docs(docs, native=index.backend == "native")
                self._listing[kind] = (docs, [(g.members[0], len(g.members) - 1) for g in found])
            docs, groups = self._listing[kind]
        page = groups[start : start + size]
        items = [
            {
                "name": docs[i].name,
                "kind": spec_kind(docs[i].path),
                "path": docs[i].path,
                "description": first_line(docs[i].description),
                **({"copies": others} if others else {}),
            }
            for i, others in page
        ]
        answer: dict[str, Any] = {"total": len(groups), "offset": start, "specs": items}
        if start + size < len(groups):
            answer["next_offset"] = start + size
        return answer
