"""The ``specsearch`` command line.

Parses arguments, builds objects, calls the facade and prints. Exit codes
follow grep and ripgrep: 0 when something matched, 1 when nothing did, 2 on
an error. Results go to stdout; errors, notices and file problems to stderr.
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click

from specsearch.backend import BACKEND_NAMES, BuildOptions
from specsearch.engine import Index
from specsearch.errors import SpecsearchError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from specsearch.engine import Hits
    from specsearch.types import Problem

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


def _shorten(text: str) -> str:
    text = text.strip()
    return text if len(text) <= SNIPPET_WIDTH else text[: SNIPPET_WIDTH - 1] + "…"


def _print_human(hits: Hits, *, color: bool) -> None:
    width = len(str(len(hits)))
    for hit in hits:
        rank = click.style(f"{hit.rank:>{width}}.", dim=True)
        name = click.style(hit.name, bold=True)
        path = click.style(hit.path, fg="magenta")
        click.echo(f"{rank} {name}  {hit.score:.3f}  {path}", color=color)
        if hit.snippet is not None:
            line = click.style(str(hit.snippet.line), fg="green")
            click.echo(f"{' ' * (width + 2)}{line}: {_shorten(hit.snippet.text)}", color=color)


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
            }
            for hit in hits
        ],
        "problems": [{"path": p.path, "line": p.line, "message": p.message} for p in problems],
    }


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="specsearch")
def cli() -> None:
    """Search AI agent specs (Markdown with YAML frontmatter), ranked by BM25."""


@cli.command()
@click.argument("query")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "-k",
    "k",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="How many hits to show.",
)
@click.option("--json", "as_json", is_flag=True, help="Write one JSON object to stdout.")
@click.option(
    "-l",
    "--files-with-matches",
    "paths_only",
    is_flag=True,
    help="Print only the paths of the hits.",
)
@click.option(
    "--backend",
    type=click.Choice(BACKEND_NAMES),
    default=None,
    help="Engine to use [default: $SPECSEARCH_BACKEND, else native].",
)
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the output.",
)
@click.option(
    "--problems",
    "show_problems",
    is_flag=True,
    help="List every file problem on stderr, not just their count.",
)
def query(
    query: str,
    paths: tuple[str, ...],
    k: int,
    as_json: bool,
    paths_only: bool,
    backend: str | None,
    color: str,
    show_problems: bool,
) -> None:
    """Find the specs under PATHS (default: .) that best match QUERY."""
    try:
        with Index.build(paths, backend=backend, options=BuildOptions()) as index:
            hits = index.search(query, k)
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


def main() -> None:
    """Run the CLI (the ``specsearch`` entry point)."""
    cli(prog_name="specsearch")
