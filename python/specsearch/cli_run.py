"""What the CLI's commands run, without click: the output, the scope, ``query`` and ``route``.

:mod:`specsearch.cli` parses a plain ``query`` or ``route`` command line
itself (:mod:`specsearch.cli_args`) and calls :func:`run_query` or
:func:`run_route` without importing click, the largest part of a start-up;
:mod:`specsearch.cli_app` (the click commands) parses everything else and
calls the same functions. Output goes through :func:`echo` and
:func:`style`, which write what ``click.echo`` and ``click.style`` write:
the same ANSI codes, stripped the same way when not colouring.

Exit codes follow grep and ripgrep: 0 when something matched, 1 when nothing
did, 2 on an error, 130 when interrupted (Ctrl-C).
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
import time

from specsearch.backend import BuildOptions
from specsearch.cli_start import start_open
from specsearch.errors import IndexFormatError, SpecsearchError
from specsearch.roots import search_roots
from specsearch.window import SNIPPET_WIDTH, window

#: ``typing.TYPE_CHECKING`` without importing ``typing`` (start-up cost); mypy reads it so.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from pathlib import Path
    from typing import Any, Literal, NoReturn, TypeVar

    from specsearch.config import Config
    from specsearch.dedup import Collapsed
    from specsearch.engine import Index, RouteHits
    from specsearch.native import StartedOpen
    from specsearch.types import Contribution, Hit, Problem

    _T = TypeVar("_T")

EXIT_MATCH, EXIT_NO_MATCH, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130

#: What ``click.echo`` strips from a message that is not coloured.
_ANSI = re.compile(r"\033\[[;?0-9]*[a-zA-Z]")
#: ``click.style``'s colour codes, for the colours the CLI uses.
_FG = {"red": 31, "green": 32, "magenta": 35, "cyan": 36}


def style(text: str, *, fg: str | None = None, bold: bool = False, dim: bool = False) -> str:
    r"""``text`` in ANSI colour and weight, as ``click.style`` writes it.

    >>> style("x", fg="red", bold=True)
    '\x1b[31m\x1b[1mx\x1b[0m'
    """
    codes = [f"\033[{_FG[fg]}m"] if fg is not None else []
    if bold:
        codes.append("\033[1m")
    if dim:
        codes.append("\033[2m")
    return "".join(codes) + text + "\033[0m"


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except Exception:  # as click: a stream that cannot say is no terminal
        return False


def echo(
    message: str | bytes, *, err: bool = False, nl: bool = True, color: bool | None = None
) -> None:
    """Write ``message`` and a newline to stdout (stderr with ``err``), then flush.

    As ``click.echo``: ANSI codes are stripped unless ``color`` is True, or
    it is None and the stream is a terminal; bytes go to the binary stream.
    """
    stream = sys.stderr if err else sys.stdout
    if stream is None:
        return
    if isinstance(message, bytes):
        stream.flush()
        stream.buffer.write(message + (b"\n" if nl else b""))
        stream.buffer.flush()
        return
    if not color and (color is not None or not _isatty(stream)):
        message = _ANSI.sub("", message)
    stream.write(message + ("\n" if nl else ""))
    stream.flush()


MIN_SNIPPET_WIDTH = 40


def dumps(obj: object, **options: Any) -> str:
    """``json.dumps``, importing ``json`` on first use (``--json`` and a few commands)."""
    import json  # noqa: PLC0415 (start-up cost)

    return json.dumps(obj, **options)


def fail(message: str) -> NoReturn:
    """Say ``message`` as an error on stderr and exit 2."""
    echo(f"specsearch: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def note(message: str) -> None:
    """Say ``message`` on stderr, on one line."""
    echo(f"specsearch: {message}", err=True)


def describe(err: Exception) -> str:
    """One line for the user: ``path: reason`` for OS errors, the message otherwise."""
    if isinstance(err, OSError) and err.filename is not None:
        return f"{err.filename}: {err.strerror or err}"
    return str(err)


def highlight(text: str, spans: Sequence[tuple[int, int]], *, color: bool) -> str:
    """``text`` with its spans in bold red when colouring, as ripgrep shows matches."""
    if not color:
        return text
    out: list[str] = []
    at = 0
    for a, b in spans:
        out.append(text[at:a])
        out.append(style(text[a:b], fg="red", bold=True))
        at = b
    out.append(text[at:])
    return "".join(out)


class ProgressBar:
    """Shows indexing progress on stderr, only on a terminal and only once it is slow."""

    DELAY_SECONDS = 0.5

    def __init__(self, *, enabled: bool) -> None:
        self._enabled = enabled
        self._started = time.monotonic()
        self._bar: Any = None
        self._shown = 0

    def __call__(self, done: int, total: int) -> None:
        """Progress: ``done`` of ``total`` specs."""
        if not self._enabled or total <= 0:
            return
        if self._bar is None:
            if time.monotonic() - self._started < self.DELAY_SECONDS:
                return
            import click  # noqa: PLC0415 (only a slow build on a terminal shows a bar)

            self._bar = click.progressbar(length=total, label="indexing", file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(done - self._shown)
        self._shown = done

    def close(self) -> None:
        """Take the bar down, if it was shown."""
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def parse_weights(raw: Sequence[str]) -> dict[str, float] | None:
    """``FIELD=W`` options as a mapping (checked further by the facade)."""
    if not raw:
        return None
    weights: dict[str, float] = {}
    for item in raw:
        field, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError
            weights[field.strip()] = float(value)
        except ValueError:
            fail(f"--weight {item!r}: expected FIELD=NUMBER, e.g. --weight body=0.5")
    return weights


def use_color(choice: str) -> bool:
    """Whether to colour stdout, for ``--color`` auto, always or never."""
    if choice == "auto":
        return sys.stdout.isatty() and "NO_COLOR" not in os.environ
    return choice == "always"


@dataclasses.dataclass(frozen=True, slots=True)
class Scope:
    """What to search: canonical roots for the engine, and how to show their paths.

    The engines are given each root canonicalised (absolute, links resolved),
    so one folder has one index however it is spelled; paths are shown back
    under the root as the user spelled it (``.`` shows relative paths alone).
    """

    roots: tuple[str, ...]
    spelled: tuple[str, ...]
    hidden: bool
    no_ignore: bool

    @property
    def walk(self) -> dict[str, bool]:
        """The walk options, as the cache keys an index folder by them."""
        return {"hidden": self.hidden, "no_ignore": self.no_ignore}

    def display(self, path: str) -> str:
        """``path`` (as the engine stores it) under the root the user typed.

        >>> Scope(("/p", "/p/.claude/agents"), (".", ".claude/agents"), False, False).display(
        ...     "/p/.claude/agents/a.md"
        ... )
        '.claude/agents/a.md'
        """
        best: tuple[str, str] | None = None
        for canon, shown in zip(self.roots, self.spelled, strict=True):
            inside = path == canon or path.startswith(canon.rstrip("/") + "/")
            if inside and (best is None or len(canon) > len(best[0])):
                best = (canon, shown)
        if best is None:
            return path
        canon, shown = best
        rest = path[len(canon) :].lstrip("/")
        if shown in (".", "./"):
            return rest or "."
        if not rest:
            return shown
        return shown + rest if shown.endswith("/") else f"{shown}/{rest}"

    def names(self) -> str:
        """The roots as the user typed them, for messages."""
        return ", ".join(self.spelled)


def make_scope(
    paths: Sequence[str],
    config: Config,
    *,
    user: bool | None,
    hidden: bool | None,
    no_ignore: bool | None,
) -> Scope:
    """The roots to search: PATHs, else the project's (config.py), plus the user's."""
    hide = config.hidden if hidden is None else hidden
    try:
        roots, shown = search_roots(
            paths,
            os.environ,
            hidden=hide,
            user=config.user if user is None else user,
            extra=config.roots,
        )
    except FileNotFoundError as err:
        fail(f"{err.filename}: No such file or directory")
    return Scope(roots, shown, hide, config.no_ignore if no_ignore is None else no_ignore)


@dataclasses.dataclass(frozen=True, slots=True)
class Where:
    """The options every command that opens an index shares: roots, walk, backend, index."""

    paths: tuple[str, ...]
    user: bool | None
    hidden: bool | None
    no_ignore: bool | None
    backend: str | None
    index_dir: str | None

    def scope(self, config: Config) -> Scope:
        """The roots to search, and how to walk them, with the config's defaults."""
        return make_scope(
            self.paths, config, user=self.user, hidden=self.hidden, no_ignore=self.no_ignore
        )

    def folder(self, scope: Scope) -> str:
        """``--index``, else the roots' default folder (its last use recorded)."""
        if self.index_dir is not None:
            return self.index_dir
        from specsearch.cache import index_dir_for, record_use  # noqa: PLC0415 (start-up cost)

        folder = index_dir_for(scope.roots, os.environ, scope.walk)
        record_use(folder, scope.roots, scope.walk)
        return folder

    def backend_name(self, config: Config) -> str | None:
        """``--backend``, else ``$SPECSEARCH_BACKEND`` (read by the facade), else the config's."""
        if self.backend is not None or os.environ.get("SPECSEARCH_BACKEND"):
            return self.backend
        return config.backend

    @staticmethod
    def options(scope: Scope, *, writer: bool) -> BuildOptions:
        """The build options of ``scope``'s index.

        ``specsearch index`` (a ``writer``) checks every checksum, so that it
        never calls a corrupt index up to date; a query checks what it reads.
        """
        return BuildOptions(hidden=scope.hidden, no_ignore=scope.no_ignore, verify=writer)

    def start(self, scope: Scope, config: Config) -> StartedOpen | None:
        """A query's open of its native index, started now on a thread of its own.

        The command loads the rest of itself (the facade, the result types)
        while the index is checked; on two cores that hides most of a
        no-change check. The open is the one :meth:`open` makes (see
        :func:`specsearch.cli_start.start_open`). Without a config file the
        entry point has started it already, from the command line alone
        (:func:`specsearch.cli_start.start_early`).
        """
        return start_open(
            scope.roots,
            os.environ,
            index_dir=self.index_dir,
            backend=self.backend_name(config),
            hidden=scope.hidden,
            no_ignore=scope.no_ignore,
        )

    def open(
        self,
        scope: Scope,
        config: Config,
        *,
        rebuild: bool = False,
        writer: bool = False,
        started: StartedOpen | None = None,
    ) -> Index:
        """Open the persistent index, updating it first, with a progress bar when slow.

        A corrupt index (a checksum error, say) is rebuilt from the specs, once;
        while another process updates it, the facade answers from the last
        committed index and says so. ``started`` is this open already under
        way (:meth:`start`).
        """
        from specsearch.engine import Index  # noqa: PLC0415 (loaded while a started open runs)

        bar = ProgressBar(enabled=sys.stderr.isatty())
        options = self.options(scope, writer=writer)
        folder = self.folder(scope)
        backend = self.backend_name(config)
        if_locked: Literal["snapshot", "raise"] = "raise" if writer else "snapshot"
        try:
            try:
                return Index.open(
                    scope.roots,
                    index_dir=folder,
                    backend=backend,
                    options=options,
                    progress=bar,
                    rebuild=rebuild,
                    if_locked=if_locked,
                    started=started,
                )
            except IndexFormatError as err:
                if rebuild:
                    raise
                note(f"{describe(err)}; rebuilding the index")
                return Index.open(
                    scope.roots,
                    index_dir=folder,
                    backend=backend,
                    options=options,
                    progress=bar,
                    rebuild=True,
                    if_locked=if_locked,
                )
        finally:
            bar.close()

    def run(
        self,
        scope: Scope,
        config: Config,
        body: Callable[[Index], _T],
        *,
        started: StartedOpen | None = None,
    ) -> _T:
        """``body`` on the open index; a corruption found while reading it rebuilds it, once."""
        try:
            with self.open(scope, config, started=started) as index:
                return body(index)
        except IndexFormatError as err:
            note(f"{describe(err)}; rebuilding the index")
            with self.open(scope, config, rebuild=True) as index:
                return body(index)


#: The parameters (as the command line names them) that make a :class:`Where`.
WHERE_PARAMS = ("paths", "user", "hidden", "no_ignore", "backend", "index_dir")


def split_where(params: dict[str, Any]) -> tuple[Where, dict[str, Any]]:
    """A command's parsed parameters as its :class:`Where` and the rest."""
    rest = dict(params)
    where = Where(*(rest.pop(name) for name in WHERE_PARAMS))
    return where, rest


def raw_paths(index: Index, hits: Sequence[Hit], scope: Scope) -> list[str]:
    """Each hit's path as shown, with the bytes of a file name that is not UTF-8 kept.

    A doc path shows such bytes as U+FFFD; its file system path keeps them
    (as lone surrogates), shown under the root the user typed.
    """
    lossy = [i for i, hit in enumerate(hits) if "\ufffd" in hit.path]
    shown = [scope.display(hit.path) for hit in hits]
    if lossy:
        fs_paths = index.fs_paths([hits[i].doc_id for i in lossy])
        for i, fs_path in zip(lossy, fs_paths, strict=True):
            shown[i] = scope.display(fs_path)
    return shown


def report_problems(
    problems: Sequence[Problem], scope: Scope, *, verbose: bool, changed: bool
) -> None:
    """Problems when the index changed (a count) or when asked for (the list)."""
    if not problems or not (verbose or changed):
        return
    if verbose:
        for p in problems:
            where = scope.display(p.path) + ("" if p.line is None else f":{p.line}")
            note(f"warning: {where}: {p.message}")
        return
    files = len({p.path for p in problems})
    note(f"{len(problems)} problem(s) in {files} file(s); list them with --problems")


def room_for(prefix: int) -> int:
    """Characters left for a snippet after ``prefix`` on this output."""
    if sys.stdout.isatty():
        import shutil  # noqa: PLC0415 (start-up cost: shutil imports the compressors)

        columns = shutil.get_terminal_size((SNIPPET_WIDTH, 24)).columns
        return max(MIN_SNIPPET_WIDTH, columns - prefix - 1)
    return SNIPPET_WIDTH


def context_lines(path: str, line: int, n: int) -> dict[int, str]:
    """Lines ``line - n`` to ``line + n`` of the file (none if it cannot be read).

    It is opened as the engines open a spec: a link or FIFO put in its place
    since it was indexed is not read (nor waited on).
    """
    from specsearch.pure.walk import UnsafeFile, open_regular  # noqa: PLC0415 (-C only)

    try:
        opened, _ = open_regular(path)
        with opened as f:
            lines = f.read().decode("utf-8", "replace").split("\n")
    except (UnsafeFile, OSError):
        return {}
    lo, hi = max(1, line - n), min(len(lines), line + n)
    return {i: lines[i - 1].rstrip("\r") for i in range(lo, hi + 1)}


def print_human(
    results: Sequence[Collapsed],
    scope: Scope,
    *,
    color: bool,
    context: int,
    files: Mapping[int, str] | None = None,
) -> None:
    """Each hit as ranked: name, score, path and its snippet line (``-C``: with context).

    ``files`` maps a doc id to its file's own name where the doc path is not
    it (bytes that are not UTF-8 show as U+FFFD): the context is read there.
    """
    width = len(str(len(results)))
    indent = " " * (width + 2)
    for rank, result in enumerate(results, start=1):
        hit = result.hit
        head = f"{style(f'{rank:>{width}}.', dim=True)} {style(hit.name, bold=True)}"
        copies = len(result.copies)
        more = style(f"  (+{copies} {'copy' if copies == 1 else 'copies'})", fg="cyan")
        echo(f"{head}  {hit.score:.3f}{more if copies else ''}", color=color)
        path = scope.display(hit.path)
        shown = style(path, fg="magenta")
        if hit.snippet is None:
            echo(f"{indent}{shown}", color=color)
            continue
        file = (files or {}).get(hit.doc_id, hit.path)
        around = context_lines(file, hit.snippet.line, context) if context else {}
        for number, text in around.items():
            if number < hit.snippet.line:
                echo(f"{indent}{shown}-{number}-{text[: room_for(len(path) + 8)]}", color=color)
        room = room_for(len(indent) + len(path) + len(str(hit.snippet.line)) + 2)
        text, spans = window(hit.snippet, room)
        line = style(str(hit.snippet.line), fg="green")
        echo(f"{indent}{shown}:{line}:{highlight(text, spans, color=color)}", color=color)
        for number, text in around.items():
            if number > hit.snippet.line:
                echo(f"{indent}{shown}-{number}-{text[: room_for(len(path) + 8)]}", color=color)


def json_score(score: float) -> float | None:
    """A score for JSON, which has no Infinity: one that overflowed float32 is null."""
    import math  # noqa: PLC0415 (JSON output only: start-up cost)

    return score if math.isfinite(score) else None


def hit_json(result: Collapsed, rank: int, scope: Scope) -> dict[str, Any]:
    """One hit of ``--json`` output."""
    hit = result.hit
    return {
        "rank": rank,
        "doc_id": hit.doc_id,
        "path": scope.display(hit.path),
        "name": hit.name,
        "score": json_score(hit.score),
        "description": hit.description,
        "line": None if hit.snippet is None else hit.snippet.line,
        "text": None if hit.snippet is None else hit.snippet.text,
        "spans": [] if hit.snippet is None else [list(s) for s in hit.snippet.spans],
        "copies": [
            {
                "path": scope.display(copy.path),
                "doc_id": copy.doc_id,
                "name": copy.name,
                "score": json_score(score),
                "similarity": round(similarity, 4),
            }
            for copy, score, similarity in result.copies
        ],
    }


def problems_json(problems: Sequence[Problem], scope: Scope) -> list[dict[str, Any]]:
    """The ``problems`` of ``--json`` output."""
    return [{"path": scope.display(p.path), "line": p.line, "message": p.message} for p in problems]


#: The most words a query may have for ``did you mean``: each costs a fuzzy
#: search, and a long query that finds nothing is not a misspelling.
MAX_SUGGEST_WORDS = 8


def suggest(index: Index, query: str) -> str | None:
    """The query with each unknown plain word replaced by its nearest indexed word."""
    if not re.fullmatch(r"[\w\s-]+", query):
        return None
    words = query.split()
    if len(words) > MAX_SUGGEST_WORDS:
        return None
    fixed = [index.suggest(w) if len(w) >= 3 else None for w in words]
    if not any(fixed):
        return None
    return " ".join(f or w for f, w in zip(fixed, words, strict=True))


def explain_nothing(scope: Scope, text: str, *, empty: bool, suggestion: str | None) -> None:
    """Say why a query found nothing: no specs at all, or a likely misspelling."""
    if empty:
        note(
            f"no specs under {scope.names()} (*.md, *.markdown, *.mdx; hidden "
            "and ignored files are skipped: see --hidden, --no-ignore)"
        )
    elif suggestion is not None:
        note(f"no hits for {text!r}; did you mean: {suggestion}")


def compact_json(rows: Sequence[dict[str, Any]], fields: Sequence[str]) -> str:
    """``{"hits": [...]}`` with only ``fields`` of each hit, without spaces."""
    picked = [{f: row[f] for f in fields} for row in rows]
    return dumps({"hits": picked}, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


#: How many contributions ``route --explain`` shows per hit.
EXPLAIN_TOP = 6


def why_json(why: Sequence[Contribution]) -> list[dict[str, Any]]:
    """``route --json``'s ``why`` of one hit."""
    return [{"word": c.word, "field": c.field, "score": c.score} for c in why]


def print_explained(
    hits: RouteHits, results: Sequence[Collapsed], scope: Scope, *, color: bool
) -> None:
    """``route --explain``: each hit with the words and fields that made it rank."""
    explanation = hits.explain()
    why = {hit.doc_id: w for hit, w in zip(hits, explanation.why, strict=True)}
    removed = [*explanation.filler, *explanation.stopwords]
    echo(
        style("words: ", dim=True)
        + " ".join(explanation.words)
        + (style(f"  (removed: {' '.join(removed)})", dim=True) if removed else ""),
        color=color,
    )
    fused = {hit.doc_id: part for hit, part in zip(hits, explanation.fused, strict=False)}
    if explanation.alpha is not None:
        alpha = explanation.alpha
        echo(
            style(
                f"hybrid: {1 - alpha:.2f} x lexical + {alpha:.2f} x semantic"
                " (cosine with the request after one round of feedback)",
                dim=True,
            ),
            color=color,
        )
    width = len(str(len(results)))
    for rank, result in enumerate(results, start=1):
        hit = result.hit
        mark = style(f"{rank:>{width}}.", dim=True)
        echo(f"{mark} {style(hit.name, bold=True)}  {hit.score:.3f}", color=color)
        path = style(scope.display(hit.path), fg="magenta")
        echo(f"{' ' * (width + 2)}{path}", color=color)
        part = fused.get(hit.doc_id)
        if part is not None:
            echo(
                f"{' ' * (width + 2)}lexical {part.lexical:.3f}, semantic {part.semantic:.3f}"
                f" (cosine {part.cosine:.3f})",
                color=color,
            )
        mine = why.get(hit.doc_id, ())
        shown = ", ".join(f"{c.word} in {c.field} {c.score:.2f}" for c in mine[:EXPLAIN_TOP])
        more = f", +{len(mine) - EXPLAIN_TOP} more" if len(mine) > EXPLAIN_TOP else ""
        echo(f"{' ' * (width + 2)}why: {shown}{more}", color=color)


def route_model(model_dir: str | None) -> Path | None:
    """The model folder for route's semantic arm, or None (lexical only, with a notice)."""
    from specsearch.model import NO_MODEL_NOTICE  # noqa: PLC0415 (route only)
    from specsearch.model import status as model_status  # noqa: PLC0415

    found = model_status(model_dir, os.environ)
    if found.present:
        return found.path
    if model_dir is not None or os.environ.get("SPECSEARCH_MODEL"):
        fail(f"{found.path} ({found.origin}) lacks {', '.join(found.missing)}")
    echo(f"specsearch: lexical only: {NO_MODEL_NOTICE}", err=True)
    return None


def exit_after(answer: Callable[[], Sequence[object]]) -> NoReturn:
    """Run ``answer`` and exit as grep does: 0 when it found something, 1 when not.

    A reader that went away (``specsearch query x | head -1``) stops it
    quietly; an error is one line on stderr and exit 2.
    """
    try:
        results = answer()
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(EXIT_MATCH)
    except (SpecsearchError, OSError) as err:
        fail(describe(err))
    sys.exit(EXIT_MATCH if results else EXIT_NO_MATCH)


def run_query(
    config: Config,
    *,
    query: str,
    where: Where,
    k: int | None,
    as_json: bool,
    jsonl: bool,
    paths_only: bool,
    null: bool,
    quiet: bool,
    no_messages: bool,
    context: int,
    all_copies: bool | None,
    color: str | None,
    show_problems: bool,
    weights: tuple[str, ...],
    strict: bool,
    fields: tuple[str, ...] | None,
    early: StartedOpen | None = None,
) -> NoReturn:
    """``specsearch query``: find the specs that best match ``query``, print them, exit.

    ``early`` is its index's open, started by the entry point (:mod:`specsearch.cli_start`).
    """
    scope = where.scope(config)
    started = early if early is not None else where.start(scope, config)
    from specsearch.dedup import fold, pool  # noqa: PLC0415 (loaded while the open runs)
    from specsearch.engine import query_text  # noqa: PLC0415

    # Bytes that are not UTF-8 arrive as lone surrogates: U+FFFD, as the engines see them.
    text = query_text(query)
    k = config.k if k is None else k
    every = config.all if all_copies is None else all_copies
    overrides = parse_weights(weights)

    def answer(index: Index) -> list[Collapsed]:
        hits = index.search(text, k if every else pool(k), weights=overrides, strict=strict)
        results = fold(hits, k, all_copies=every, native=index.backend == "native")
        problems = index.problems
        changed = index.update is not None and index.update.committed
        suggestion = None if results or quiet else suggest(index, text)
        empty = len(index) == 0
        if quiet:
            pass
        elif fields is not None:
            rows = [hit_json(r, rank, scope) for rank, r in enumerate(results, start=1)]
            echo(compact_json(rows, fields))
        elif jsonl:
            for rank, result in enumerate(results, start=1):
                echo(
                    dumps(
                        {"type": "hit", "data": hit_json(result, rank, scope)},
                        ensure_ascii=False,
                        allow_nan=False,
                    )
                )
            summary: dict[str, Any] = {
                "query": text,
                "backend": index.backend,
                "hits": len(results),
                "docs": len(index),
                "problem_count": len(problems),
                "suggestion": suggestion,
            }
            if show_problems:
                summary["problems"] = problems_json(problems, scope)
            echo(dumps({"type": "summary", "data": summary}, ensure_ascii=False))
        elif as_json:
            doc: dict[str, Any] = {
                "query": text,
                "backend": index.backend,
                "hits": [hit_json(r, rank, scope) for rank, r in enumerate(results, start=1)],
                "docs": len(index),
                "problem_count": len(problems),
                "suggestion": suggestion,
            }
            if show_problems:
                doc["problems"] = problems_json(problems, scope)
            echo(dumps(doc, ensure_ascii=False, allow_nan=False))
        else:
            if not no_messages:
                report_problems(problems, scope, verbose=show_problems, changed=changed)
            if paths_only:
                raw = raw_paths(index, [r.hit for r in results], scope)
                for path in raw:
                    # The file name's bytes as they are (as rg -l prints them),
                    # so `specsearch show "$(specsearch query -l ...)"` opens it.
                    echo(os.fsencode(path) + (b"\0" if null else b"\n"), nl=False)
            else:
                chosen = config.color if color is None else color
                lossy = [r.hit.doc_id for r in results if context and "\ufffd" in r.hit.path]
                files = dict(zip(lossy, index.fs_paths(lossy), strict=True))
                print_human(results, scope, color=use_color(chosen), context=context, files=files)
            explain_nothing(scope, text, empty=empty, suggestion=suggestion)
        return results

    exit_after(lambda: where.run(scope, config, answer, started=started))


def run_route(
    config: Config,
    *,
    request: str,
    where: Where,
    k: int | None,
    as_json: bool,
    explain: bool,
    model_dir: str | None,
    all_copies: bool | None,
    no_messages: bool,
    color: str | None,
    show_problems: bool,
    fields: tuple[str, ...] | None,
    early: StartedOpen | None = None,
) -> NoReturn:
    """``specsearch route``: find the specs that should handle ``request``, print them, exit.

    ``early`` is its index's open, started by the entry point (:mod:`specsearch.cli_start`).
    """
    scope = where.scope(config)
    started = early if early is not None else where.start(scope, config)
    from specsearch.dedup import fold, pool  # noqa: PLC0415 (loaded while the open runs)
    from specsearch.engine import query_text  # noqa: PLC0415

    request = query_text(request)
    k = config.k if k is None else k
    every = config.all if all_copies is None else all_copies
    model_path = route_model(model_dir)

    def answer() -> list[Collapsed]:
        with where.open(scope, config, started=started) as index:
            if model_path is not None:
                bar = ProgressBar(enabled=sys.stderr.isatty())
                try:
                    index.update_vectors(model_path, progress=bar)
                finally:
                    bar.close()
            hits = index.route(request, k if every else pool(k), model=model_path)
            results = fold(hits, k, all_copies=every, native=index.backend == "native")
            problems = index.problems
            changed = index.update is not None and index.update.committed
            rows = [hit_json(r, rank, scope) for rank, r in enumerate(results, start=1)]
            if fields is not None:
                echo(compact_json(rows, fields))
            elif as_json:
                explanation = hits.explain()
                why = {h.doc_id: w for h, w in zip(hits, explanation.why, strict=True)}
                fused = {h.doc_id: p for h, p in zip(hits, explanation.fused, strict=False)}
                for row in rows:
                    row["why"] = why_json(why.get(row["doc_id"], ()))
                    if row["doc_id"] in fused:
                        part = fused[row["doc_id"]]
                        row["lexical"], row["semantic"] = part.lexical, part.semantic
                doc: dict[str, Any] = {
                    "request": request,
                    "backend": index.backend,
                    "words": list(explanation.words),
                    "removed": {
                        "filler": list(explanation.filler),
                        "stopwords": list(explanation.stopwords),
                    },
                    "hits": rows,
                    "docs": len(index),
                    "problem_count": len(problems),
                }
                if show_problems:
                    doc["problems"] = problems_json(problems, scope)
                echo(dumps(doc, ensure_ascii=False, allow_nan=False))
            else:
                if not no_messages:
                    report_problems(problems, scope, verbose=show_problems, changed=changed)
                chosen = config.color if color is None else color
                if explain:
                    print_explained(hits, results, scope, color=use_color(chosen))
                else:
                    print_human(results, scope, color=use_color(chosen), context=0)
        return results

    exit_after(answer)
