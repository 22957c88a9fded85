"""Running the CLI in-process, and small spec files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from click.testing import CliRunner

from specsearch.cli import cli

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path


def run(*args: str, env: Mapping[str, str] | None = None) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``specsearch ARGS``."""
    result = CliRunner().invoke(cli, list(args), env=dict(env or {}))
    return result.exit_code, result.stdout, result.stderr


def spec(path: Path, name: str, description: str, body: str) -> Path:
    """Write a spec file (folders created) and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"---\nname: {name}\ndescription: {description}\n---\n\n# {name}\n\n{body}\n",
        encoding="utf-8",
    )
    return path
