"""The ``specsearch`` command line.

Parses arguments, builds objects, calls the facade and prints. Exit codes
follow grep and ripgrep: 0 when something matched, 1 when nothing did, 2 on
an error. Results go to stdout; errors, notices and file problems to stderr.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from typing import TYPE_CHECKING, Any, NoReturn

import click

from specsearch.engine import Index
from specsearch.errors import SpecsearchError
from specsearch.model import NO_MODEL_NOTICE
from specsearch.model import status as model_status
from specsearch.model_cli import model
from specsearch.select import BACKEND_NAMES

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from specsearch.engine import Hits, RouteHits
    from specsearch.show import ShownSpec
    from specsearch.types import Problem, Snippet

__all__ = ["cli", "main"]

EXIT_MATCH, EXIT_NO_MATCH, EXIT_ERROR = 0, 1, 2
SNIPPET_WIDTH = 160


def _fail(message: str) -> NoReturn:
    click.echo(f"specsearch: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _describe(err: Exception) -> str:
    """One line for the user: ``path: reason`` for OS errors, the message otherwise."""
    if isinstance(err, OSError) and err.filename is not None:
        return f"{err.filename}: {err.strerror or err}"
    return str(err)


def _use_color(choice: str) -> bool:
    if choice == "auto":
        return sys.stdout.isatty() and "NO_COLOR" not in os.environ
    return choice == "always"


def _report_problems(problems: Sequence[Problem], *, verbose: bool) -> None:
    if not problems:
        return
    if verbose:
        for problem in problems:
            click.echo(f"specsearch: warning: {problem}", err=True)
        return
    files = len({p.path for p in problems})
    click.echo(
        f"specsearch: {len(problems)} problem(s) in {files} file(s); list them with --problems",
        err=True,
    )


def _window(snippet: Snippet) -> tuple[str, list[tuple[int, int]]]:
    """The part of a snippet line to show, with the spans moved into it.

    At most ``SNIPPET_WIDTH`` characters, around the first match.

    >>> from specsearch.types import Snippet
    >>> _window(Snippet(line=1, text="  use tokio", spans=((6, 11),)))
    ('use tokio', [(4, 9)])
    """
    text = snippet.text
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    if end - start > SNIPPET_WIDTH:
        first = snippet.spans[0][0] if snippet.spans else start
        start = max(start, min(first - SNIPPET_WIDTH // 4, end - SNIPPET_WIDTH))
        # Start at a word when one begins shortly after (never past the match).
        space = text.find(" ", start, min(first, start + 20))
        start = space + 1 if space >= 0 else start
        end = min(end, start + SNIPPET_WIDTH)
    lead = "…" if start > len(text) - len(text.lstrip()) else ""
    tail = "…" if end < len(text.rstrip()) else ""
    shift = start - len(lead)
    spans = [
        (max(a, start) - shift, min(b, end) - shift)
        for a, b in snippet.spans
        if a < end and b > start
    ]
    return lead + text[start:end] + tail, spans


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


def _print_human(hits: Hits, *, color: bool) -> None:
    width = len(str(len(hits)))
    for hit in hits:
        rank = click.style(f"{hit.rank:>{width}}.", dim=True)
        name = click.style(hit.name, bold=True)
        click.echo(f"{rank} {name}  {hit.score:.3f}", color=color)
        path = click.style(hit.path, fg="magenta")
        if hit.snippet is None:
            click.echo(f"{' ' * (width + 2)}{path}", color=color)
            continue
        line = click.style(str(hit.snippet.line), fg="green")
        text, spans = _window(hit.snippet)
        shown = _highlight(text, spans, color=color)
        click.echo(f"{' ' * (width + 2)}{path}:{line}:{shown}", color=color)


def _as_json(hits: Hits, problems: Sequence[Problem]) -> dict[str, Any]:
    return {
        "query": hits.query,
        "backend": hits.backend,
        "hits": [
            {
                "rank": hit.rank,
                "doc_id": hit.doc_id,
                "path": hit.path,
                "name": hit.name,
                "score": hit.score,
                "description": hit.description,
                "line": None if hit.snippet is None else hit.snippet.line,
                "text": None if hit.snippet is None else hit.snippet.text,
                "spans": [] if hit.snippet is None else [list(s) for s in hit.snippet.spans],
            }
            for hit in hits
        ],
        "problems": [{"path": p.path, "line": p.line, "message": p.message} for p in problems],
    }


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


def _backend_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--backend",
        type=click.Choice(BACKEND_NAMES),
        default=None,
        help="Engine to use [default: $SPECSEARCH_BACKEND, else native].",
    )(command)


def _index_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--index",
        "index_dir",
        type=click.Path(file_okay=False, path_type=str),
        default=None,
        help="Index folder [default: a folder per search root under $XDG_CACHE_HOME/specsearch].",
    )(command)


def _paths_argument(command: Callable[..., None]) -> Callable[..., None]:
    return click.argument("paths", nargs=-1, type=click.Path(path_type=str))(command)


def _json_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option("--json", "as_json", is_flag=True, help="Write one JSON object to stdout.")(
        command
    )


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


def _k_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "-k",
        "k",
        type=click.IntRange(min=0),
        default=10,
        show_default=True,
        help="How many hits to show.",
    )(command)


def _problems_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--problems",
        "show_problems",
        is_flag=True,
        help="List every file problem on stderr, not just their count.",
    )(command)


def _color_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--color",
        type=click.Choice(["auto", "always", "never"]),
        default="auto",
        show_default=True,
        help="Colour the output.",
    )(command)


def _open(paths: Sequence[str], index_dir: str | None, backend: str | None) -> Index:
    """Open the persistent index, updating it first, with a progress bar when slow."""
    bar = _ProgressBar(enabled=sys.stderr.isatty())
    try:
        return Index.open(paths, index_dir=index_dir, backend=backend, progress=bar)
    finally:
        bar.close()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="specsearch")
def cli() -> None:
    """Search AI agent specs (Markdown with YAML frontmatter), ranked by BM25.

    The index is kept on disk and brought up to date on every use, so there is
    no separate index step to remember.
    """


@cli.command()
@click.argument("query")
@_paths_argument
@_k_option
@_json_option
@click.option(
    "-l",
    "--files-with-matches",
    "paths_only",
    is_flag=True,
    help="Print only the paths of the hits.",
)
@_backend_option
@_index_option
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
def query(
    query: str,
    paths: tuple[str, ...],
    k: int,
    as_json: bool,
    paths_only: bool,
    backend: str | None,
    index_dir: str | None,
    color: str,
    show_problems: bool,
    weights: tuple[str, ...],
    strict: bool,
) -> None:
    r"""Find the specs under PATHS (default: .) that best match QUERY.

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
    """
    overrides = _parse_weights(weights)
    try:
        with _open(paths, index_dir, backend) as index:
            hits = index.search(query, k, weights=overrides, strict=strict)
            if as_json:
                click.echo(json.dumps(_as_json(hits, index.problems), ensure_ascii=False))
            else:
                _report_problems(index.problems, verbose=show_problems)
                if paths_only:
                    for hit in hits:
                        click.echo(hit.path)
                else:
                    _print_human(hits, color=_use_color(color))
    except BrokenPipeError:
        # The reader went away (`specsearch query x | head -1`): stop quietly, as grep does.
        sys.stderr.close()
        sys.exit(EXIT_MATCH)
    except (SpecsearchError, OSError) as err:
        _fail(_describe(err))
    sys.exit(EXIT_MATCH if len(hits) else EXIT_NO_MATCH)


#: How many contributions ``route --explain`` shows per hit.
EXPLAIN_TOP = 6


def _route_json(hits: RouteHits, problems: Sequence[Problem]) -> dict[str, Any]:
    record = _as_json(hits, problems)
    explanation = hits.explain()
    record["request"] = record.pop("query")
    record["words"] = list(explanation.words)
    record["removed"] = {
        "filler": list(explanation.filler),
        "stopwords": list(explanation.stopwords),
    }
    for hit, why in zip(record["hits"], explanation.why, strict=True):
        hit["why"] = [{"word": c.word, "field": c.field, "score": c.score} for c in why]
    record["alpha"] = explanation.alpha
    for hit, part in zip(record["hits"], explanation.fused, strict=False):
        hit["lexical"], hit["semantic"], hit["cosine"] = part.lexical, part.semantic, part.cosine
    return record


def _print_explained(hits: RouteHits, *, color: bool) -> None:
    explanation = hits.explain()
    removed = [*explanation.filler, *explanation.stopwords]
    click.echo(
        click.style("words: ", dim=True)
        + " ".join(explanation.words)
        + (click.style(f"  (removed: {' '.join(removed)})", dim=True) if removed else ""),
        color=color,
    )
    alpha = explanation.alpha
    if alpha is not None:
        click.echo(
            click.style(f"hybrid: {1 - alpha:.2f} x lexical + {alpha:.2f} x semantic", dim=True),
            color=color,
        )
    width = len(str(len(hits)))
    parts = explanation.fused or (None,) * len(hits)
    for hit, why, part in zip(hits, explanation.why, parts, strict=True):
        rank = click.style(f"{hit.rank:>{width}}.", dim=True)
        click.echo(f"{rank} {click.style(hit.name, bold=True)}  {hit.score:.3f}", color=color)
        click.echo(f"{' ' * (width + 2)}{click.style(hit.path, fg='magenta')}", color=color)
        if part is not None:
            click.echo(
                f"{' ' * (width + 2)}lexical {part.lexical:.3f}, semantic {part.semantic:.3f}"
                f" (cosine {part.cosine:.3f})",
                color=color,
            )
        shown = ", ".join(f"{c.word} in {c.field} {c.score:.2f}" for c in why[:EXPLAIN_TOP])
        more = f", +{len(why) - EXPLAIN_TOP} more" if len(why) > EXPLAIN_TOP else ""
        click.echo(f"{' ' * (width + 2)}why: {shown}{more}", color=color)


@cli.command()
@click.argument("request")
@_paths_argument
@_k_option
@_json_option
@click.option("--explain", is_flag=True, help="Show which words and fields made each hit rank.")
@click.option(
    "--model",
    "model_dir",
    type=click.Path(file_okay=False),
    help="A sentence-transformers folder for the semantic arm "
    "(default: SPECSEARCH_MODEL, else the one `specsearch model fetch` cached).",
)
@_backend_option
@_index_option
@_color_option
@_problems_option
def route(
    request: str,
    paths: tuple[str, ...],
    k: int,
    as_json: bool,
    explain: bool,
    model_dir: str | None,
    backend: str | None,
    index_dir: str | None,
    color: str,
    show_problems: bool,
) -> None:
    r"""Find the specs under PATHS (default: .) that should handle REQUEST.

    \b
    REQUEST is natural language, never query syntax, e.g.
      specsearch route "I need an agent to review my asyncio code for race conditions"
    Conversational filler and stop words are left out, words that are common
    in these specs count less, and --explain (or "why" in --json) shows
    which words and fields made each hit rank.
    """
    found = model_status(model_dir, os.environ)
    if not found.present:
        if model_dir is not None or os.environ.get("SPECSEARCH_MODEL"):
            _fail(f"{found.path} ({found.origin}) lacks {', '.join(found.missing)}")
        click.echo(f"specsearch: lexical only: {NO_MODEL_NOTICE}", err=True)
    try:
        with _open(paths, index_dir, backend) as index:
            if found.present:
                bar = _ProgressBar(enabled=sys.stderr.isatty())
                try:
                    index.doc_vectors(found.path, progress=bar)
                finally:
                    bar.close()
            hits = index.route(request, k, model=found.path if found.present else None)
            if as_json:
                click.echo(json.dumps(_route_json(hits, index.problems), ensure_ascii=False))
            else:
                _report_problems(index.problems, verbose=show_problems)
                if explain:
                    _print_explained(hits, color=_use_color(color))
                else:
                    _print_human(hits, color=_use_color(color))
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(EXIT_MATCH)
    except (SpecsearchError, OSError) as err:
        _fail(_describe(err))
    sys.exit(EXIT_MATCH if len(hits) else EXIT_NO_MATCH)


@cli.command()
@_paths_argument
@_backend_option
@_index_option
@_json_option
@_problems_option
def index(
    paths: tuple[str, ...],
    backend: str | None,
    index_dir: str | None,
    as_json: bool,
    show_problems: bool,
) -> None:
    """Create or update the index of the specs under PATHS (default: .).

    Only files added, changed or deleted since the last run are indexed.
    """
    started = time.monotonic()
    try:
        with _open(paths, index_dir, backend) as opened:
            info, stats, problems = opened.update, opened.stats(), opened.problems
    except (SpecsearchError, OSError) as err:
        _fail(_describe(err))
    seconds = time.monotonic() - started
    if as_json:
        doc = {
            "update": None if info is None else dataclasses.asdict(info),
            "stats": dataclasses.asdict(stats),
            "seconds": seconds,
            "problems": [{"path": p.path, "line": p.line, "message": p.message} for p in problems],
        }
        click.echo(json.dumps(doc, ensure_ascii=False))
        return
    _report_problems(problems, verbose=show_problems)
    if info is not None:
        verb = "rebuilt" if info.rebuilt else ("updated" if info.committed else "up to date")
        click.echo(
            f"{verb}: {stats.docs} specs ({info.added} added, {info.changed} changed, "
            f"{info.deleted} deleted, {info.unchanged} unchanged) in {seconds:.2f} s"
        )
    click.echo(f"index: {stats.location}")


@cli.command()
@_paths_argument
@_backend_option
@_index_option
@_json_option
def stats(
    paths: tuple[str, ...], backend: str | None, index_dir: str | None, as_json: bool
) -> None:
    """Show the size of the index of PATHS (default: .), without changing it."""
    try:
        with Index.open_existing(paths, index_dir=index_dir, backend=backend) as opened:
            numbers = opened.stats()
    except FileNotFoundError as err:
        _fail(f"no index at {err.filename}; create one with `specsearch index`")
    except (SpecsearchError, OSError) as err:
        _fail(_describe(err))
    if as_json:
        click.echo(json.dumps(dataclasses.asdict(numbers)))
        return
    click.echo(f"backend:  {numbers.backend}")
    click.echo(f"docs:     {numbers.docs}")
    click.echo(f"terms:    {numbers.terms}")
    click.echo(f"segments: {numbers.segments}")
    click.echo(f"size:     {numbers.size_bytes} bytes ({numbers.size_bytes / 1e6:.1f} MB)")
    click.echo(f"location: {numbers.location}")


def _print_spec(spec: ShownSpec, *, color: bool) -> None:
    click.echo(click.style(spec.path, fg="magenta"), color=color)
    click.echo(f"{click.style('name', bold=True)}: {spec.name}", color=color)
    click.echo(f"{click.style('description', bold=True)}: {spec.description}", color=color)
    for key, value in spec.frontmatter:
        click.echo(f"{click.style(key, bold=True)}: {value}", color=color)
    click.echo(click.style("---", dim=True), color=color)
    click.echo(spec.body)


@cli.command()
@click.argument("spec")
@_paths_argument
@_json_option
@_backend_option
@_index_option
@_color_option
def show(
    spec: str,
    paths: tuple[str, ...],
    as_json: bool,
    backend: str | None,
    index_dir: str | None,
    color: str,
) -> None:
    """Print the frontmatter fields and body of SPEC (a file or a spec NAME).

    A NAME is looked up among the specs under PATHS (default: .), as `query`
    finds them.
    """
    from specsearch.show import read_shown  # noqa: PLC0415 (not needed by `query`)

    try:
        if os.path.isfile(spec):
            shown = [read_shown(spec, spec)]
        else:
            with _open(paths, index_dir, backend) as index:
                found = index.find(spec)
            if not found:
                where = " ".join(paths) or "."
                click.echo(f"specsearch: no spec named {spec!r} under {where}", err=True)
                sys.exit(EXIT_NO_MATCH)
            shown = [read_shown(d.path, d.path) for d in found]
    except (SpecsearchError, OSError) as err:
        _fail(_describe(err))
    if as_json:
        click.echo(json.dumps([dataclasses.asdict(s) for s in shown], ensure_ascii=False))
        return
    for i, one in enumerate(shown):
        if i:
            click.echo()
        _print_spec(one, color=_use_color(color))


cli.add_command(model)


def main() -> None:
    """Run the CLI (the ``specsearch`` entry point)."""
    cli(prog_name="specsearch")
