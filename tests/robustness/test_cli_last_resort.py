"""What the CLI writes when stdout cannot take a character, or a bug raises: never a traceback."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.robustness.helpers import cli, python, spec

if TYPE_CHECKING:
    from pathlib import Path


def test_an_ascii_stdout_gets_question_marks(backend: str, tmp_path: Path) -> None:
    spec(tmp_path / "specs" / "a.md", "café-agent", body="word naïve")
    for extra in ([], ["--json"]):
        done = cli(
            "query",
            "word",
            str(tmp_path / "specs"),
            "--backend",
            backend,
            "--index",
            str(tmp_path / "index"),
            *extra,
            env={"PYTHONIOENCODING": "ascii"},
        )
        assert done.returncode == 0, done.stderr
        assert b"caf?-agent" in done.stdout
        assert b"Traceback" not in done.stderr


BUG = """
import sys
from specsearch import cli_run
from specsearch.cli import main

def broken(*args, **kwargs):
    raise RuntimeError("a bug")

cli_run.run_query = broken
main(["query", "word", sys.argv[1]])
"""


def test_an_unexpected_error_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = python(BUG.replace("sys.argv[1]", repr(str(tmp_path))))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "specsearch: error: internal error: RuntimeError: a bug"
        " (set SPECSEARCH_DEBUG=1 for the traceback)"
    ]
