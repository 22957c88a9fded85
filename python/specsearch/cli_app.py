"""The ``specsearch`` commands, as click builds and parses them.

:mod:`specsearch.cli` (the entry point) sends here every command line it
does not parse itself (see :mod:`specsearch.cli_args`): ``--help``, the
commands other than a plain ``query`` or ``route``, and anything unusual.
What ``query`` and ``route`` do lives in :mod:`specsearch.cli_run`, which
both paths call. Exit codes follow grep and ripgrep: 0 when something
matched, 1 when nothing did, 2 on an error, 130 when interrupted (Ctrl-C).
Results go to stdout; errors, notices, hints and file problems to stderr,
each on one line.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import sys
import time
from typing import TYPE_CHECKING, Any

import click

from specsearch.cli_args import HIT_FIELDS, MAX_K, parse_fields
from specsearch.cli_run import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_MATCH,
    EXIT_NO_MATCH,
    Where,
    describe,
    dumps,
    fail,
    note,
    problems_json,
    report_problems,
    run_query,
    run_route,
    use_color,
)
from specsearch.config import Config, ConfigError, load_config, user_roots
from specsearch.dedup import THRESHOLD, group_docs
from specsearch.engine import Index
from specsearch.errors import SpecsearchError
from specsearch.select import BACKEND_NAMES

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from specsearch.show import ShownSpec

__all__ = ["HIT_FIELDS", "cli"]

SPEC_SUFFIXES = (".md", ".markdown", ".mdx")


def _where_options(command: Callable[..., None]) -> Callable[..., None]:
    """``[PATH...]``, ``--user``, ``--hidden``, ``--no-ignore``, ``--backend``, ``--index``.

    The command receives them as one ``where`` (a :class:`Where`).
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
        where = Where(paths, user, hidden, no_ignore, backend, index_dir)
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


def _clamp_k(_ctx: click.Context, _param: click.Parameter, value: int | None) -> int | None:
    """``-k`` at most :data:`MAX_K`: any larger k asks for every hit anyway."""
    return None if value is None else min(value, MAX_K)


def _fields(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> tuple[str, ...] | None:
    """``--fields name,path`` as a tuple of hit keys (None when not given)."""
    if value is None:
        return None
    try:
        return parse_fields(value)
    except ValueError as err:
        raise click.BadParameter(str(err)) from None


def _fields_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--fields",
        callback=_fields,
        metavar="F1,F2",
        default=None,
        help='Compact JSON for agents: one line {"hits": [...]} with only these keys '
        f"of each hit ({','.join(HIT_FIELDS)}); no problems list. Implies --json.",
    )(command)


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
            note(f"error: {err.format_message()} (see `{where} --help`)")
            code = EXIT_ERROR
        except click.ClickException as err:
            note(f"error: {err.format_message()}")
            code = err.exit_code
        except (click.Abort, KeyboardInterrupt):
            code = EXIT_INTERRUPTED
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else EXIT_MATCH)


class _QueryCommand(click.Command):
    """``query -- -draft PATH -k 3``: ``--`` guards the QUERY alone, not what follows."""

    # Not a NUL byte: an option before `--` may take the slot as its value
    # (`--index -- x`), and a path with a NUL byte is a ValueError, not a usage error.
    _SLOT = "\ufdd0specsearch-query\ufdd0"

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
        fail(str(err))


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
def query(ctx: click.Context, /, query: str, where: Where, **options: Any) -> None:
    """Find the specs under PATHS that best match QUERY (help: ``QUERY_HELP``)."""
    run_query(_config(), query=_query_text(ctx, query), where=where, **options)


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
def route(request: str, where: Where, **options: Any) -> None:
    """Find the specs under PATHS that should handle REQUEST (help: ``ROUTE_HELP``)."""
    run_route(_config(), request=request, where=where, **options)


@cli.command()
@_where_options
@_json_option
@_problems_option
@click.option(
    "--rebuild", is_flag=True, help="Throw the index away and build it afresh from the specs."
)
def index(
    where: Where,
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
        fail(describe(err))
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
            doc["problems"] = problems_json(problems, scope)
        click.echo(dumps(doc, ensure_ascii=False))
        return
    report_problems(problems, scope, verbose=show_problems, changed=True)
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
    where: Where,
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
        fail(f"no index at {err.filename}; create one with `specsearch index`")
    except (SpecsearchError, OSError) as err:
        fail(describe(err))
    if as_json:
        doc = dataclasses.asdict(numbers)
        doc["vectors"] = None if vectors is None else dataclasses.asdict(vectors)
        click.echo(dumps(doc))
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
    where: Where,
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
            fail(f"{spec}: the file does not exist")
        else:
            scope = where.scope(config)
            with where.open(scope, config) as index:
                found = index.find_ranked(spec)
                chosen = found if show_all else found[:1]
                fs_paths = index.fs_paths([d.doc_id for d in chosen])
            if not found:
                note(f"no spec named {spec!r} under {scope.names()}")
                sys.exit(EXIT_NO_MATCH)
            shown = [
                read_shown(scope.display(d.path), fs)
                for d, fs in zip(chosen, fs_paths, strict=True)
            ]
            others = [] if show_all else [scope.display(d.path) for d in found[1:]]
    except (SpecsearchError, OSError) as err:
        fail(describe(err))
    if as_json:
        docs = [shown_json(s) for s in shown]
        if show_all:
            click.echo(dumps(docs, ensure_ascii=False))
        else:
            click.echo(dumps({**docs[0], "others": others}, ensure_ascii=False))
        return
    colored = use_color(config.color if color is None else color)
    for i, one in enumerate(shown):
        if i:
            click.echo()
        _print_spec(one, color=colored)
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
    where: Where,
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
        fail(describe(err))
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
        click.echo(dumps(out, ensure_ascii=False))
    else:
        for g in groups:
            low = min(g.similarity)
            click.echo(
                f"{len(g.members)} copies of {docs[g.members[0]].name} (similarity >= {low:.2f}):"
            )
            for m, s in zip(g.members, g.similarity, strict=True):
                click.echo(f"  {s:.2f}  {scope.display(docs[m].path)}")
        files = sum(len(g.members) for g in groups)
        note(f"{len(groups)} group(s) of near-duplicates, {files} files, among {len(docs)} specs")
    sys.exit(EXIT_MATCH if groups else EXIT_NO_MATCH)


@cli.group()
def cache() -> None:
    """List and remove the default index folders (one per set of roots)."""


def _age(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f}{unit}"
    return f"{seconds:.0f}s"


def _cache_entries() -> list[Any]:
    """Every default index folder (:func:`specsearch.cache.entries`), or exit 2 saying why not."""
    from specsearch.cache import entries  # noqa: PLC0415

    try:
        return entries(os.environ)
    except OSError as err:  # the cache folder is a file, or cannot be listed
        fail(describe(err))


@cache.command("list")
@_json_option
def cache_list(as_json: bool) -> None:
    """Each index folder: size, last use and the roots it indexes."""
    found = _cache_entries()
    if as_json:
        rows = [dataclasses.asdict(e) for e in found]
        click.echo(dumps(rows, ensure_ascii=False))
        return
    now = time.time()
    for e in found:
        roots = ", ".join(e.roots) or "(unknown roots)"
        gone = f"  [gone: {', '.join(e.missing)}]" if e.missing else ""
        click.echo(f"{e.size_bytes / 1e6:8.1f} MB  {_age(now - e.last_used):>5} ago  {roots}{gone}")
        click.echo(f"{'':24}{e.path}")


def _remove_all(chosen: Sequence[Any], *, dry_run: bool) -> None:
    """Remove each folder of ``chosen``, then exit 2 if any was left.

    One that cannot be removed is said, and the others still go.
    """
    from specsearch.cache import remove  # noqa: PLC0415

    freed = 0
    done = 0
    left: list[str] = []
    for e in chosen:
        if not dry_run:
            try:
                remove(e, os.environ)
            except (OSError, ValueError) as err:
                note(f"error: {describe(err)}")
                left.append(e.path)
                continue
        done += 1
        freed += e.size_bytes
        click.echo(
            f"{'would remove' if dry_run else 'removed'} {e.path} ({', '.join(e.roots) or '?'})"
        )
    click.echo(f"{done} index folder(s), {freed / 1e6:.1f} MB")
    if left:
        fail(f"{len(left)} index folder(s) could not be removed: {', '.join(left)}")


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
    from specsearch.cache import stale  # noqa: PLC0415

    _remove_all(stale(_cache_entries(), older_than_days=days), dry_run=dry_run)


@cache.command()
@_paths_argument
@click.option("-n", "--dry-run", is_flag=True, help="Say what would be removed, remove nothing.")
def clear(paths: tuple[str, ...], dry_run: bool) -> None:
    """Remove every index, or those that index one of PATHS."""
    found = _cache_entries()
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
def mcp(where: Where) -> None:
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
        fail("`specsearch mcp` needs the MCP SDK: pip install 'specsearch[mcp]'")
    except (SpecsearchError, OSError) as err:
        fail(describe(err))


def main() -> None:
    """Run the CLI (the ``specsearch`` entry point)."""
    cli(prog_name="specsearch")
