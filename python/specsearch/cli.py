"""The ``specsearch`` command line.

Parses arguments, builds objects, calls the facade and prints. Exit codes
follow grep and ripgrep: 0 when something matched, 1 when nothing did, 2 on
an error, 130 when interrupted (Ctrl-C). Results go to stdout; errors,
notices, hints and file problems to stderr, each on one line.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
import re
import sys
import time
from typing import TYPE_CHECKING, Any, Literal, NoReturn, TypeVar

import click

from specsearch.backend import BuildOptions
from specsearch.config import Config, ConfigError, load_config, project_roots, user_roots
from specsearch.dedup import THRESHOLD, fold, group_docs, pool
from specsearch.engine import Index, query_text
from specsearch.errors import IndexFormatError, SpecsearchError
from specsearch.select import BACKEND_NAMES
from specsearch.window import SNIPPET_WIDTH, window

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from specsearch.dedup import Collapsed
    from specsearch.engine import RouteHits
    from specsearch.show import ShownSpec
    from specsearch.types import Contribution, Hit, Problem

__all__ = ["cli", "main"]

EXIT_MATCH, EXIT_NO_MATCH, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130
#: The largest ``-k``; a larger one is clamped (it asks for every hit anyway).
MAX_K = 2**32 - 1
_T = TypeVar("_T")
MIN_SNIPPET_WIDTH = 40
SPEC_SUFFIXES = (".md", ".markdown", ".mdx")


def _dumps(obj: object, **options: Any) -> str:
    """``json.dumps``, importing ``json`` on first use (``--json`` and a few commands)."""
    import json  # noqa: PLC0415 (start-up cost)

    return json.dumps(obj, **options)


def _fail(message: str) -> NoReturn:
    click.echo(f"specsearch: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _note(message: str) -> None:
    click.echo(f"specsearch: {message}", err=True)


def _describe(err: Exception) -> str:
    """One line for the user: ``path: reason`` for OS errors, the message otherwise."""
    if isinstance(err, OSError) and err.filename is not None:
        return f"{err.filename}: {err.strerror or err}"
    return str(err)


def _highlight(text: str, spans: Sequence[tuple[int, int]], *, color: bool) -> str:
    """``text`` with its spans in bold red when colouring, as ripgrep shows matches."""
    if not color:
        return text
    out: list[str] = []
    at = 0
    for a, b in spans:
        out.append(text[at:a])
        out.append(click.style(text[a:b], fg="red", bold=True))
        at = b
    out.append(text[at:])
    return "".join(out)


class _ProgressBar:
    """Shows indexing progress on stderr, only on a terminal and only once it is slow."""

    DELAY_SECONDS = 0.5

    def __init__(self, *, enabled: bool) -> None:
        self._enabled = enabled
        self._started = time.monotonic()
        self._bar: Any = None
        self._shown = 0

    def __call__(self, done: int, total: int) -> None:
        if not self._enabled or total <= 0:
            return
        if self._bar is None:
            if time.monotonic() - self._started < self.DELAY_SECONDS:
                return
            self._bar = click.progressbar(length=total, label="indexing", file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(done - self._shown)
        self._shown = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def _parse_weights(raw: Sequence[str]) -> dict[str, float] | None:
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
            _fail(f"--weight {item!r}: expected FIELD=NUMBER, e.g. --weight body=0.5")
    return weights


def _use_color(choice: str) -> bool:
    if choice == "auto":
        return sys.stdout.isatty() and "NO_COLOR" not in os.environ
    return choice == "always"


@dataclasses.dataclass(frozen=True, slots=True)
class _Scope:
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
        return {"hidden": self.hidden, "no_ignore": self.no_ignore}

    def display(self, path: str) -> str:
        """``path`` (as the engine stores it) under the root the user typed.

        >>> _Scope(("/p", "/p/.claude/agents"), (".", ".claude/agents"), False, False).display(
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
        return ", ".join(self.spelled)


def _scope(
    paths: Sequence[str],
    config: Config,
    *,
    user: bool | None,
    hidden: bool | None,
    no_ignore: bool | None,
) -> _Scope:
    """The roots to search: PATHs, else the project's (config.py), plus the user's."""
    hide = config.hidden if hidden is None else hidden
    spelled = list(paths) if paths else project_roots(hidden=hide, extra=config.roots)
    if config.user if user is None else user:
        spelled += user_roots(os.environ)
    roots: list[str] = []
    shown: list[str] = []
    for root in spelled:
        if not os.path.lexists(root):
            _fail(f"{root}: No such file or directory")
        canon = os.path.realpath(root)
        if canon not in roots:
            roots.append(canon)
            shown.append(root)
    return _Scope(
        tuple(roots),
        tuple(shown),
        hide,
        config.no_ignore if no_ignore is None else no_ignore,
    )


@dataclasses.dataclass(frozen=True, slots=True)
class _Where:
    """The options every command that opens an index shares: roots, walk, backend, index."""

    paths: tuple[str, ...]
    user: bool | None
    hidden: bool | None
    no_ignore: bool | None
    backend: str | None
    index_dir: str | None

    def scope(self, config: Config) -> _Scope:
        return _scope(
            self.paths, config, user=self.user, hidden=self.hidden, no_ignore=self.no_ignore
        )

    def folder(self, scope: _Scope) -> str:
        """``--index``, else the default folder of the roots (its last use recorded)."""
        from specsearch.cache import index_dir_for, record_use  # noqa: PLC0415

        if self.index_dir is not None:
            return self.index_dir
        folder = index_dir_for(scope.roots, os.environ, scope.walk)
        record_use(folder, scope.roots, scope.walk)
        return folder

    def backend_name(self, config: Config) -> str | None:
        """``--backend``, else ``$SPECSEARCH_BACKEND`` (read by the facade), else the config's."""
        if self.backend is not None or os.environ.get("SPECSEARCH_BACKEND"):
            return self.backend
        return config.backend

    def open(
        self, scope: _Scope, config: Config, *, rebuild: bool = False, writer: bool = False
    ) -> Index:
        """Open the persistent index, updating it first, with a progress bar when slow.

        A corrupt index (a checksum error, say) is rebuilt from the specs, once;
        while another process updates it, the facade answers from the last
        committed index and says so.
        """
        bar = _ProgressBar(enabled=sys.stderr.isatty())
        # `specsearch index` checks every checksum, so that it never calls a
        # corrupt index up to date; a query checks what it reads.
        options = BuildOptions(hidden=scope.hidden, no_ignore=scope.no_ignore, verify=writer)
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
                )
            except IndexFormatError as err:
                if rebuild:
                    raise
                _note(f"{_describe(err)}; rebuilding the index")
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

    def run(self, scope: _Scope, config: Config, body: Callable[[Index], _T]) -> _T:
        """``body`` on the open index; a corruption found while reading it rebuilds it, once."""
        try:
            with self.open(scope, config) as index:
                return body(index)
        except IndexFormatError as err:
            _note(f"{_describe(err)}; rebuilding the index")
            with self.open(scope, config, rebuild=True) as index:
                return body(index)


def _raw_paths(index: Index, hits: Sequence[Hit], scope: _Scope) -> list[str]:
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


def _report_problems(
    problems: Sequence[Problem], scope: _Scope, *, verbose: bool, changed: bool
) -> None:
    """Problems when the index changed (a count) or when asked for (the list)."""
    if not problems or not (verbose or changed):
        return
    if verbose:
        for p in problems:
            where = scope.display(p.path) + ("" if p.line is None else f":{p.line}")
            _note(f"warning: {where}: {p.message}")
        return
    files = len({p.path for p in problems})
    _note(f"{len(problems)} problem(s) in {files} file(s); list them with --problems")


def _width(prefix: int) -> int:
    """Characters left for a snippet after ``prefix`` on this output."""
    if sys.stdout.isatty():
        import shutil  # noqa: PLC0415 (start-up cost: shutil imports the compressors)

        columns = shutil.get_terminal_size((SNIPPET_WIDTH, 24)).columns
        return max(MIN_SNIPPET_WIDTH, columns - prefix - 1)
    return SNIPPET_WIDTH


def _context_lines(path: str, line: int, n: int) -> dict[int, str]:
    """Lines ``line - n`` to ``line + n`` of the file (none if it cannot be read)."""
    try:
        with open(path, "rb") as f:
            lines = f.read().decode("utf-8", "replace").split("\n")
    except OSError:
        return {}
    lo, hi = max(1, line - n), min(len(lines), line + n)
    return {i: lines[i - 1].rstrip("\r") for i in range(lo, hi + 1)}


def _print_human(results: Sequence[Collapsed], scope: _Scope, *, color: bool, context: int) -> None:
    width = len(str(len(results)))
    indent = " " * (width + 2)
    for rank, result in enumerate(results, start=1):
        hit = result.hit
        head = f"{click.style(f'{rank:>{width}}.', dim=True)} {click.style(hit.name, bold=True)}"
        copies = len(result.copies)
        more = click.style(f"  (+{copies} {'copy' if copies == 1 else 'copies'})", fg="cyan")
        click.echo(f"{head}  {hit.score:.3f}{more if copies else ''}", color=color)
        path = scope.display(hit.path)
        shown = click.style(path, fg="magenta")
        if hit.snippet is None:
            click.echo(f"{indent}{shown}", color=color)
            continue
        around = _context_lines(hit.path, hit.snippet.line, context) if context else {}
        for number, text in around.items():
            if number < hit.snippet.line:
                click.echo(f"{indent}{shown}-{number}-{text[: _width(len(path) + 8)]}", color=color)
        room = _width(len(indent) + len(path) + len(str(hit.snippet.line)) + 2)
        text, spans = window(hit.snippet, room)
        line = click.style(str(hit.snippet.line), fg="green")
        click.echo(f"{indent}{shown}:{line}:{_highlight(text, spans, color=color)}", color=color)
        for number, text in around.items():
            if number > hit.snippet.line:
                click.echo(f"{indent}{shown}-{number}-{text[: _width(len(path) + 8)]}", color=color)


def _score(score: float) -> float | None:
    """A score for JSON, which has no Infinity: one that overflowed float32 is null."""
    return score if math.isfinite(score) else None


def _hit_json(result: Collapsed, rank: int, scope: _Scope) -> dict[str, Any]:
    hit = result.hit
    return {
        "rank": rank,
        "doc_id": hit.doc_id,
        "path": scope.display(hit.path),
        "name": hit.name,
        "score": _score(hit.score),
        "description": hit.description,
        "line": None if hit.snippet is None else hit.snippet.line,
        "text": None if hit.snippet is None else hit.snippet.text,
        "spans": [] if hit.snippet is None else [list(s) for s in hit.snippet.spans],
        "copies": [
            {
                "path": scope.display(copy.path),
                "doc_id": copy.doc_id,
                "name": copy.name,
                "score": _score(score),
                "similarity": round(similarity, 4),
            }
            for copy, score, similarity in result.copies
        ],
    }


def _problems_json(problems: Sequence[Problem], scope: _Scope) -> list[dict[str, Any]]:
    return [{"path": scope.display(p.path), "line": p.line, "message": p.message} for p in problems]


#: The most words a query may have for ``did you mean``: each costs a fuzzy
#: search, and a long query that finds nothing is not a misspelling.
MAX_SUGGEST_WORDS = 8


def _suggest(index: Index, query: str) -> str | None:
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


def _where_options(command: Callable[..., None]) -> Callable[..., None]:
    """``[PATH...]``, ``--user``, ``--hidden``, ``--no-ignore``, ``--backend``, ``--index``.

    The command receives them as one ``where`` (a :class:`_Where`).
    """

    @functools.wraps(command)
    def wrapper(
        *args: Any,
        paths: tuple[str, ...],
        user: bool | None,
        hidden: bool | None,
        no_ignore: bool | None,
        backend: str | None,
        index_dir: str | None,
        **kwargs: Any,
    ) -> None:
        where = _Where(paths, user, hidden, no_ignore, backend, index_dir)
        command(*args, where=where, **kwargs)

    decorators = (
        click.option(
            "--index",
            "index_dir",
            type=click.Path(file_okay=False, path_type=str),
            default=None,
            help="Index folder [default: one per set of roots under $XDG_CACHE_HOME/specsearch].",
        ),
        click.option(
            "--backend",
            type=click.Choice(BACKEND_NAMES),
            default=None,
            help="Engine to use [default: $SPECSEARCH_BACKEND, else the config's, else native].",
        ),
        click.option(
            "--no-ignore/--ignore",
            "no_ignore",
            default=None,
            help="Do not honour .gitignore, .ignore and .specsearchignore files.",
        ),
        click.option(
            "--hidden/--no-hidden",
            default=None,
            help="Search hidden files and folders too (names starting with '.').",
        ),
        click.option(
            "--user/--no-user",
            default=None,
            help="Also search ~/.claude: agents, skills, commands and installed plugins.",
        ),
        _paths_argument,
    )
    decorated: Callable[..., None] = wrapper
    for decorate in decorators:
        decorated = decorate(decorated)
    return decorated


def _paths_argument(command: Callable[..., None]) -> Callable[..., None]:
    return click.argument("paths", nargs=-1, type=click.Path(path_type=str))(command)


def _json_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option("--json", "as_json", is_flag=True, help="Write one JSON object to stdout.")(
        command
    )


def _color_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--color",
        type=click.Choice(["auto", "always", "never"]),
        default=None,
        help="Colour the output [default: auto].",
    )(command)


def _problems_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--problems",
        "show_problems",
        is_flag=True,
        help="List every file problem (on stderr; in the JSON with --json).",
    )(command)


def _explain_nothing(scope: _Scope, text: str, *, empty: bool, suggestion: str | None) -> None:
    """Say why a query found nothing: no specs at all, or a likely misspelling."""
    if empty:
        _note(
            f"no specs under {scope.names()} (*.md, *.markdown, *.mdx; hidden "
            "and ignored files are skipped: see --hidden, --no-ignore)"
        )
    elif suggestion is not None:
        _note(f"no hits for {text!r}; did you mean: {suggestion}")


def _clamp_k(_ctx: click.Context, _param: click.Parameter, value: int | None) -> int | None:
    """``-k`` at most :data:`MAX_K`: any larger k asks for every hit anyway."""
    return None if value is None else min(value, MAX_K)


#: The keys of a hit in ``--json`` output, which ``--fields`` chooses from.
HIT_FIELDS = ("rank", "doc_id", "path", "name", "score", "description", "line", "text", "spans")


def _parse_fields(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> tuple[str, ...] | None:
    """``--fields name,path`` as a tuple of hit keys (None when not given)."""
    if value is None:
        return None
    chosen = tuple(f.strip() for f in value.split(",") if f.strip())
    unknown = [f for f in chosen if f not in HIT_FIELDS]
    if unknown or not chosen:
        raise click.BadParameter(
            f"{', '.join(unknown) or 'nothing'}: choose from {','.join(HIT_FIELDS)}"
        )
    return chosen


def _fields_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--fields",
        callback=_parse_fields,
        metavar="F1,F2",
        default=None,
        help='Compact JSON for agents: one line {"hits": [...]} with only these keys '
        f"of each hit ({','.join(HIT_FIELDS)}); no problems list. Implies --json.",
    )(command)


def _compact_json(rows: Sequence[dict[str, Any]], fields: Sequence[str]) -> str:
    """``{"hits": [...]}`` with only ``fields`` of each hit, without spaces."""
    picked = [{f: row[f] for f in fields} for row in rows]
    return _dumps({"hits": picked}, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


class _Group(click.Group):
    """A click group whose usage errors are one line, and Ctrl-C exits 130.

    The ``model`` commands are imported only when named (or listed): their
    module imports ``pathlib`` and the download code, which no query needs.
    """

    _LAZY = "model"

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command name, sorted, ``model`` among them."""
        return sorted({*super().list_commands(ctx), self._LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command ``cmd_name``, importing ``model``'s on demand."""
        if cmd_name == self._LAZY and cmd_name not in self.commands:
            from specsearch.model_cli import model  # noqa: PLC0415 (start-up cost)

            self.add_command(model)
        return super().get_command(ctx, cmd_name)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as err:
            where = err.ctx.command_path if err.ctx is not None else "specsearch"
            _note(f"error: {err.format_message()} (see `{where} --help`)")
            code = EXIT_ERROR
        except click.ClickException as err:
            _note(f"error: {err.format_message()}")
            code = err.exit_code
        except (click.Abort, KeyboardInterrupt):
            code = EXIT_INTERRUPTED
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else EXIT_MATCH)


class _QueryCommand(click.Command):
    """``query -- -draft PATH -k 3``: ``--`` guards the QUERY alone, not what follows."""

    _SLOT = "\x00specsearch-query\x00"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if "--" in args:
            at = args.index("--")
            if at + 1 < len(args):
                ctx.meta["specsearch.query"] = args[at + 1]
                args = [*args[:at], self._SLOT, *args[at + 2 :]]
        return super().parse_args(ctx, args)


def _query_text(ctx: click.Context, query: str) -> str:
    if query == _QueryCommand._SLOT:
        return str(ctx.meta["specsearch.query"])
    return query


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    import specsearch  # noqa: PLC0415

    click.echo(f"specsearch {specsearch.__version__}")
    ctx.exit()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-V",
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Search AI agent specs (Markdown with YAML frontmatter), ranked by BM25.

    With no PATH, searches the current folder and its .claude/agents,
    .claude/skills and .claude/commands; --user adds ~/.claude's. Defaults
    come from ~/.config/specsearch/config.toml (or $SPECSEARCH_CONFIG). The
    index is kept on disk and brought up to date on every use, so there is
    no separate index step to remember.
    """
    try:
        ctx.obj = load_config(os.environ)
    except ConfigError as err:
        _fail(str(err))


def _config() -> Config:
    config = click.get_current_context().find_object(Config)
    return config if config is not None else Config()


def _k_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "-k",
        "k",
        type=click.IntRange(min=0),
        callback=_clamp_k,
        default=None,
        help="How many hits [default: 10].",
    )(command)


def _all_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--all/--collapse",
        "all_copies",
        default=None,
        help="Show every copy of near-duplicate specs.",
    )(command)


QUERY_HELP = """Find the specs under PATHS that best match QUERY.

\b
QUERY syntax (bare words are ORed and ranked by BM25):
  "exact phrase"        words next to each other, not stemmed
  a AND b, a OR b       both / either (OR is the default)
  NOT a, -a, +a         must not / must contain
  (a OR b) AND c        grouping
  name:python*          a field: name, description, headings, body,
                        examples, frontmatter, or any frontmatter key
                        (model:opus, tools:read)
  concurr*              prefix
  concurency~1          fuzzy, edit distance 0-2
  -- -draft             a QUERY that starts with '-' goes after '--'

With no PATH: the current folder and its .claude/agents, .claude/skills and
.claude/commands. Near-identical specs (copies from several collections) show
as one hit with "+N copies"; --all shows each copy.
"""


@cli.command(cls=_QueryCommand, help=QUERY_HELP)
@click.argument("query")
@_where_options
@_k_option
@_json_option
@click.option("--jsonl", is_flag=True, help="Write one JSON object per hit, then a summary.")
@click.option(
    "-l",
    "--files-with-matches",
    "paths_only",
    is_flag=True,
    help="Print only the paths of the hits.",
)
@click.option(
    "-0",
    "--null",
    "null",
    is_flag=True,
    help="With -l, end each path with a NUL byte instead of a newline (for xargs -0).",
)
@click.option(
    "-q", "--quiet", is_flag=True, help="Print nothing; the exit code says if anything matched."
)
@click.option("--no-messages", is_flag=True, help="Do not report file problems.")
@click.option(
    "-C",
    "--context",
    type=click.IntRange(min=0),
    default=0,
    help="Lines of context around each snippet.",
)
@_all_option
@_color_option
@_problems_option
@click.option(
    "--weight",
    "weights",
    multiple=True,
    metavar="FIELD=W",
    help="Weight of a field (name, description, frontmatter, headings, body, examples); "
    "repeatable. Defaults: name=3 description=2 frontmatter=1 headings=1.5 body=1 examples=1.5.",
)
@click.option(
    "--strict", is_flag=True, help="Reject query syntax problems instead of repairing them."
)
@_fields_option
@click.pass_context
def query(
    ctx: click.Context,
    query: str,
    where: _Where,
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
) -> None:
    """Find the specs under PATHS that best match QUERY (help: ``QUERY_HELP``)."""
    # Bytes that are not UTF-8 arrive as lone surrogates: U+FFFD, as the engines see them.
    text = query_text(_query_text(ctx, query))
    config = _config()
    scope = where.scope(config)
    k = config.k if k is None else k
    every = config.all if all_copies is None else all_copies
    overrides = _parse_weights(weights)

    def answer(index: Index) -> list[Collapsed]:
        hits = index.search(text, k if every else pool(k), weights=overrides, strict=strict)
        results = fold(hits, k, all_copies=every, native=index.backend == "native")
        problems = index.problems
        changed = index.update is not None and index.update.committed
        suggestion = None if results or quiet else _suggest(index, text)
        empty = len(index) == 0
        if quiet:
            pass
        elif fields is not None:
            rows = [_hit_json(r, rank, scope) for rank, r in enumerate(results, start=1)]
            click.echo(_compact_json(rows, fields))
        elif jsonl:
            for rank, result in enumerate(results, start=1):
                click.echo(
                    _dumps(
                        {"type": "hit", "data": _hit_json(result, rank, scope)},
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
                summary["problems"] = _problems_json(problems, scope)
            click.echo(_dumps({"type": "summary", "data": summary}, ensure_ascii=False))
        elif as_json:
            doc: dict[str, Any] = {
                "query": text,
                "backend": index.backend,
                "hits": [_hit_json(r, rank, scope) for rank, r in enumerate(results, start=1)],
                "docs": len(index),
                "problem_count": len(problems),
                "suggestion": suggestion,
            }
            if show_problems:
                doc["problems"] = _problems_json(problems, scope)
            click.echo(_dumps(doc, ensure_ascii=False, allow_nan=False))
        else:
            if not no_messages:
                _report_problems(problems, scope, verbose=show_problems, changed=changed)
            if paths_only:
                raw = _raw_paths(index, [r.hit for r in results], scope)
                for path in raw:
                    # The file name's bytes as they are (as rg -l prints them),
                    # so `specsearch show "$(specsearch query -l ...)"` opens it.
                    click.echo(os.fsencode(path) + (b"\0" if null else b"\n"), nl=False)
            else:
                chosen = config.color if color is None else color
                _print_human(results, scope, color=_use_color(chosen), context=context)
            _explain_nothing(scope, text, empty=empty, suggestion=suggestion)
        return results

    try:
        results = where.run(scope, config, answer)
    except BrokenPipeError:
        # The reader went away (`specsearch query x | head -1`): stop quietly, as grep does.
        sys.stderr.close()
        sys.exit(EXIT_MATCH)
    except (SpecsearchError, OSError) as err:
        _fail(_describe(err))
    sys.exit(EXIT_MATCH if results else EXIT_NO_MATCH)


#: How many contributions ``route --explain`` shows per hit.
EXPLAIN_TOP = 6


def _why_json(why: Sequence[Contribution]) -> list[dict[str, Any]]:
    return [{"word": c.word, "field": c.field, "score": c.score} for c in why]


def _print_explained(
    hits: RouteHits, results: Sequence[Collapsed], scope: _Scope, *, color: bool
) -> None:
    explanation = hits.explain()
    why = {hit.doc_id: w for hit, w in zip(hits, explanation.why, strict=True)}
    removed = [*explanation.filler, *explanation.stopwords]
    click.echo(
        click.style("words: ", dim=True)
        + " ".join(explanation.words)
        + (click.style(f"  (removed: {' '.join(removed)})", dim=True) if removed else ""),
        color=color,
    )
    fused = {hit.doc_id: part for hit, part in zip(hits, explanation.fused, strict=False)}
    if explanation.alpha is not None:
        alpha = explanation.alpha
        click.echo(
            click.style(
                f"hybrid: {1 - alpha:.2f} x lexical + {alpha:.2f} x semantic"
                " (cosine with the request after one round of feedback)",
                dim=True,
            ),
            color=color,
        )
    width = len(str(len(results)))
    for rank, result in enumerate(results, start=1):
        hit = result.hit
        mark = click.style(f"{rank:>{width}}.", dim=True)
        click.echo(f"{mark} {click.style(hit.name, bold=True)}  {hit.score:.3f}", color=color)
        path = click.style(scope.display(hit.path), fg="magenta")
        click.echo(f"{' ' * (width + 2)}{path}", color=color)
        part = fused.get(hit.doc_id)
        if part is not None:
            click.echo(
                f"{' ' * (width + 2)}lexical {part.lexical:.3f}, semantic {part.semantic:.3f}"
                f" (cosine {part.cosine:.3f})",
                color=color,
            )
        mine = why.get(hit.doc_id, ())
        shown = ", ".join(f"{c.word} in {c.field} {c.score:.2f}" for c in mine[:EXPLAIN_TOP])
        more = f", +{len(mine) - EXPLAIN_TOP} more" if len(mine) > EXPLAIN_TOP else ""
        click.echo(f"{' ' * (width + 2)}why: {shown}{more}", color=color)


def _route_model(model_dir: str | None) -> Path | None:
    """The model folder for route's semantic arm, or None (lexical only, with a notice)."""
    from specsearch.model import NO_MODEL_NOTICE  # noqa: PLC0415 (route only)
    from specsearch.model import status as model_status  # noqa: PLC0415

    found = model_status(model_dir, os.environ)
    if found.present:
        return found.path
    if model_dir is not None or os.environ.get("SPECSEARCH_MODEL"):
        _fail(f"{found.path} ({found.origin}) lacks {', '.join(found.missing)}")
    click.echo(f"specsearch: lexical only: {NO_MODEL_NOTICE}", err=True)
    return None


ROUTE_HELP = """Find the specs under PATHS that should handle REQUEST.

\b
REQUEST is natural language, never query syntax, e.g.
  specsearch route "I need an agent to review my asyncio code for race conditions"
Conversational filler and stop words are left out, words that are common
in these specs count less, and --explain (or "why" in --json) shows
which words and fields made each hit rank. With a sentence-embedding model
(`specsearch model fetch`), the ranking also weighs meaning, not only words.
"""


@cli.command(help=ROUTE_HELP)
@click.argument("request")
@_where_options
@_k_option
@_json_option
@click.option("--explain", is_flag=True, help="Show which words and fields made each hit rank.")
@_all_option
@click.option("--no-messages", is_flag=True, help="Do not report file problems.")
@click.option(
    "--model",
    "model_dir",
    type=click.Path(file_okay=False),
    help="A sentence-transformers folder for the semantic arm "
    "(default: SPECSEARCH_MODEL, else the one `specsearch model fetch` cached).",
)
@_color_option
@_problems_option
@_fields_option
def route(
    request: str,
    where: _Where,
    k: int | None,
    as_json: bool,
    explain: bool,
    model_dir: str | None,
    all_copies: bool | None,
    no_messages: bool,
    color: str | None,
    show_problems: bool,
    fields: tuple[str, ...] | None,
) -> None:
    """Find the specs under PATHS that should handle REQUEST (help: ``ROUTE_HELP``)."""
    request = query_text(request)
    config = _config()
    scope = where.scope(config)
    k = config.k if k is None else k
    every = config.all if all_copies is None else all_copies
    model_path = _route_model(model_dir)
    try:
        with where.open(scope, config) as index:
            if model_path is not None:
                bar = _ProgressBar(enabled=sys.stderr.isatty())
                try:
                    index.update_vectors(model_path, progress=bar)
                finally:
                    bar.close()
            hits = index.route(request, k if every else pool(k), model=model_path)
            results = fold(hits, k, all_copies=every, native=index.backend == "native")
            problems = index.problems
            changed = index.update is not None and index.update.committed
            rows = [_hit_json(r, rank, scope) for rank, r in enumerate(results, start=1)]
            if fields is not None:
                click.echo(_compact_json(rows, fields))
            elif as_json:
                explanation = hits.explain()
                why = {h.doc_id: w for h, w in zip(hits, explanation.why, strict=True)}
                fused = {h.doc_id: p for h, p in zip(hits, explanation.fused, strict=False)}
                for row in rows:
                    row["why"] = _why_json(why.get(row["doc_id"], ()))
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
                    doc["problems"] = _problems_json(problems, scope)
                click.echo(_dumps(doc, ensure_ascii=False, allow_nan=False))
            else:
                if not no_messages:
                    _report_problems(problems, scope, verbose=show_problems, changed=changed)
                chosen = config.color if color is None else color
                if explain:
                    _print_explained(hits, results, scope, color=_use_color(chosen))
                else:
                    _print_human(results, scope, color=_use_color(chosen), context=0)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(EXIT_MATCH)
    except (SpecsearchError, OSError) as err:
        _fail(_describe(err))
    sys.exit(EXIT_MATCH if results else EXIT_NO_MATCH)


@cli.command()
@_where_options
@_json_option
@_problems_option
@click.option(
    "--rebuild", is_flag=True, help="Throw the index away and build it afresh from the specs."
)
def index(
    where: _Where,
    as_json: bool,
    show_problems: bool,
    rebuild: bool,
) -> None:
    """Create or update the index of the specs under PATHS.

    Only files added, changed or deleted since the last run are indexed
    (everything with --rebuild).
    """
    config = _config()
    scope = where.scope(config)
    started = time.monotonic()
    try:
        with where.open(scope, config, rebuild=rebuild, writer=True) as opened:
            info, stats, problems = opened.update, opened.stats(), opened.problems
    except (SpecsearchError, OSError) as err:
        _fail(_describe(err))
    seconds = time.monotonic() - started
    if as_json:
        doc: dict[str, Any] = {
            "update": None if info is None else dataclasses.asdict(info),
            "stats": dataclasses.asdict(stats),
            "seconds": seconds,
            "roots": list(scope.spelled),
            "problem_count": len(problems),
        }
        if show_problems:
            doc["problems"] = _problems_json(problems, scope)
        click.echo(_dumps(doc, ensure_ascii=False))
        return
    _report_problems(problems, scope, verbose=show_problems, changed=True)
    if info is not None:
        verb = "rebuilt" if info.rebuilt else ("updated" if info.committed else "up to date")
        click.echo(
            f"{verb}: {stats.docs} specs ({info.added} added, {info.changed} changed, "
            f"{info.deleted} deleted, {info.unchanged} unchanged) in {seconds:.2f} s"
        )
    click.echo(f"roots: {scope.names()}")
    click.echo(f"index: {stats.location}")


@cli.command()
@_where_options
@_json_option
def stats(
    where: _Where,
    as_json: bool,
) -> None:
    """Show the size of the index of PATHS, without changing it."""
    config = _config()
    scope = where.scope(config)
    folder = where.folder(scope)
    try:
        with Index.open_existing(
            scope.roots, index_dir=folder, backend=where.backend_name(config)
        ) as opened:
            numbers = opened.stats()
            vectors = opened.vector_stats()
    except FileNotFoundError as err:
        _fail(f"no index at {err.filename}; create one with `specsearch index`")
    except (SpecsearchError, OSError) as err:
        _fail(_describe(err))
    if as_json:
        doc = dataclasses.asdict(numbers)
        doc["vectors"] = None if vectors is None else dataclasses.asdict(vectors)
        click.echo(_dumps(doc))
        return
    click.echo(f"backend:  {numbers.backend}")
    click.echo(f"docs:     {numbers.docs}")
    click.echo(f"terms:    {numbers.terms}")
    click.echo(f"segments: {numbers.segments}")
    click.echo(f"size:     {numbers.size_bytes} bytes ({numbers.size_bytes / 1e6:.1f} MB)")
    click.echo(f"location: {numbers.location}")
    if vectors is not None:
        state = "" if vectors.valid else " (corrupt: recomputed on the next route)"
        click.echo(
            f"vectors:  {vectors.count} x {vectors.dims} {vectors.dtype}, "
            f"{vectors.size_bytes} bytes, model {vectors.model_id}{state}"
        )


def _print_spec(spec: ShownSpec, *, color: bool) -> None:
    click.echo(click.style(spec.path, fg="magenta"), color=color)
    click.echo(f"{click.style('name', bold=True)}: {spec.name}", color=color)
    click.echo(f"{click.style('description', bold=True)}: {spec.description}", color=color)
    for key, value in spec.frontmatter:
        click.echo(f"{click.style(key, bold=True)}: {value}", color=color)
    click.echo(click.style("---", dim=True), color=color)
    click.echo(spec.body)


def _looks_like_path(spec: str) -> bool:
    return os.sep in spec or "/" in spec or spec.lower().endswith(SPEC_SUFFIXES)


@cli.command()
@click.argument("spec")
@_where_options
@_json_option
@click.option("--all", "show_all", is_flag=True, help="Print every spec with that name.")
@_color_option
def show(
    spec: str,
    where: _Where,
    as_json: bool,
    show_all: bool,
    color: str | None,
) -> None:
    """Print the frontmatter fields and body of SPEC (a file, or a spec NAME).

    A NAME is looked up among the specs under PATHS, as `query` finds them;
    when several specs share it, the best-ranked is printed, then the paths
    of the others (--all prints them all).
    """
    from specsearch.show import read_shown, shown_json  # noqa: PLC0415 (not needed by `query`)

    config = _config()
    others: list[str] = []
    try:
        if os.path.isfile(spec):
            # A name that is not UTF-8 arrives with lone surrogates: shown with U+FFFD.
            shown = [read_shown(os.fsencode(spec).decode("utf-8", "replace"), spec)]
        elif _looks_like_path(spec):
            _fail(f"{spec}: the file does not exist")
        else:
            scope = where.scope(config)
            with where.open(scope, config) as index:
                found = index.find_ranked(spec)
                chosen = found if show_all else found[:1]
                fs_paths = index.fs_paths([d.doc_id for d in chosen])
            if not found:
                _note(f"no spec named {spec!r} under {scope.names()}")
                sys.exit(EXIT_NO_MATCH)
            shown = [
                read_shown(scope.display(d.path), fs)
                for d, fs in zip(chosen, fs_paths, strict=True)
            ]
            others = [] if show_all else [scope.display(d.path) for d in found[1:]]
    except (SpecsearchError, OSError) as err:
        _fail(_describe(err))
    if as_json:
        docs = [shown_json(s) for s in shown]
        if show_all:
            click.echo(_dumps(docs, ensure_ascii=False))
        else:
            click.echo(_dumps({**docs[0], "others": others}, ensure_ascii=False))
        return
    use_color = _use_color(config.color if color is None else color)
    for i, one in enumerate(shown):
        if i:
            click.echo()
        _print_spec(one, color=use_color)
    if others:
        click.echo()
        n = len(others)
        click.echo(f"{n} other spec{'s' if n > 1 else ''} share{'' if n > 1 else 's'} this name:")
        for path in others:
            click.echo(f"  {path}")


@cli.command()
@_where_options
@_json_option
def dups(
    where: _Where,
    as_json: bool,
) -> None:
    """List the groups of near-duplicate specs under PATHS, with their similarity.

    Two specs are copies when their estimated Jaccard similarity over word
    3-shingles is at least 0.8, or when they share their name and
    description (see specsearch.dedup). Exit code 0 when there is a group,
    1 when there is none.
    """
    config = _config()
    scope = where.scope(config)
    try:
        with where.open(scope, config) as index:
            docs = index.all_docs()
            native = index.backend == "native"
    except (SpecsearchError, OSError) as err:
        _fail(_describe(err))
    groups = [g for g in group_docs(docs, native=native) if len(g.members) > 1]
    if as_json:
        out = {
            "threshold": THRESHOLD,
            "groups": [
                [
                    {
                        "path": scope.display(docs[m].path),
                        "name": docs[m].name,
                        "similarity": round(s, 4),
                    }
                    for m, s in zip(g.members, g.similarity, strict=True)
                ]
                for g in groups
            ],
            "files": sum(len(g.members) for g in groups),
        }
        click.echo(_dumps(out, ensure_ascii=False))
    else:
        for g in groups:
            low = min(g.similarity)
            click.echo(
                f"{len(g.members)} copies of {docs[g.members[0]].name} (similarity >= {low:.2f}):"
            )
            for m, s in zip(g.members, g.similarity, strict=True):
                click.echo(f"  {s:.2f}  {scope.display(docs[m].path)}")
        files = sum(len(g.members) for g in groups)
        _note(f"{len(groups)} group(s) of near-duplicates, {files} files, among {len(docs)} specs")
    sys.exit(EXIT_MATCH if groups else EXIT_NO_MATCH)


@cli.group()
def cache() -> None:
    """List and remove the default index folders (one per set of roots)."""


def _age(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f}{unit}"
    return f"{seconds:.0f}s"


@cache.command("list")
@_json_option
def cache_list(as_json: bool) -> None:
    """Each index folder: size, last use and the roots it indexes."""
    from specsearch.cache import entries  # noqa: PLC0415

    found = entries(os.environ)
    if as_json:
        rows = [dataclasses.asdict(e) for e in found]
        click.echo(_dumps(rows, ensure_ascii=False))
        return
    now = time.time()
    for e in found:
        roots = ", ".join(e.roots) or "(unknown roots)"
        gone = f"  [gone: {', '.join(e.missing)}]" if e.missing else ""
        click.echo(f"{e.size_bytes / 1e6:8.1f} MB  {_age(now - e.last_used):>5} ago  {roots}{gone}")
        click.echo(f"{'':24}{e.path}")


def _remove_all(chosen: Sequence[Any], *, dry_run: bool) -> None:
    from specsearch.cache import remove  # noqa: PLC0415

    freed = 0
    for e in chosen:
        if not dry_run:
            try:
                remove(e, os.environ)
            except (OSError, ValueError) as err:
                _fail(_describe(err))
        freed += e.size_bytes
        click.echo(
            f"{'would remove' if dry_run else 'removed'} {e.path} ({', '.join(e.roots) or '?'})"
        )
    click.echo(f"{len(chosen)} index folder(s), {freed / 1e6:.1f} MB")


@cache.command()
@click.option(
    "--older-than",
    "days",
    type=click.FloatRange(min=0),
    default=None,
    metavar="DAYS",
    help="Also remove indexes unused for DAYS days.",
)
@click.option("-n", "--dry-run", is_flag=True, help="Say what would be removed, remove nothing.")
def prune(days: float | None, dry_run: bool) -> None:
    """Remove the indexes whose roots are gone (or unknown), or unused for DAYS."""
    from specsearch.cache import entries, stale  # noqa: PLC0415

    _remove_all(stale(entries(os.environ), older_than_days=days), dry_run=dry_run)


@cache.command()
@_paths_argument
@click.option("-n", "--dry-run", is_flag=True, help="Say what would be removed, remove nothing.")
def clear(paths: tuple[str, ...], dry_run: bool) -> None:
    """Remove every index, or those that index one of PATHS."""
    from specsearch.cache import entries  # noqa: PLC0415

    found = entries(os.environ)
    if paths:
        wanted = {os.path.realpath(p) for p in paths}
        found = [e for e in found if wanted & set(e.roots)]
    _remove_all(found, dry_run=dry_run)


MCP_HELP = """Serve the specs under PATHS to an agent over MCP, on stdin/stdout.

\b
Tools: route_request, search_specs, show_spec, list_specs.
Roots: PATHS; without them, the same roots as the other commands (the
config's too), taken from each of the client's roots when it offers
them, else from the current folder. --user adds ~/.claude's. The index
stays open and is brought up to date when a spec changes. Needs the
extra: pip install 'specsearch[mcp]'.
"""


@cli.command(help=MCP_HELP)
@_where_options
def mcp(where: _Where) -> None:
    """Serve the specs under PATHS to an agent over MCP, on stdin/stdout (help: ``MCP_HELP``)."""
    config = _config()
    config = dataclasses.replace(
        config,
        user=config.user if where.user is None else where.user,
        hidden=config.hidden if where.hidden is None else where.hidden,
        no_ignore=config.no_ignore if where.no_ignore is None else where.no_ignore,
    )
    try:
        from specsearch.mcp_tools import serve  # noqa: PLC0415 (the SDK loads only here)

        serve(
            where.paths,
            index_dir=where.index_dir,
            backend=where.backend_name(config),
            environ=os.environ,
            config=config,
            user_roots=user_roots(os.environ) if config.user else (),
        )
    except ModuleNotFoundError as err:
        if err.name is None or err.name.split(".")[0] not in {"mcp", "mcp_types"}:
            raise
        _fail("`specsearch mcp` needs the MCP SDK: pip install 'specsearch[mcp]'")
    except (SpecsearchError, OSError) as err:
        _fail(_describe(err))


def main() -> None:
    """Run the CLI (the ``specsearch`` entry point)."""
    cli(prog_name="specsearch")
