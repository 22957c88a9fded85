"""`query -C N`: context lines of files whose names are not UTF-8, and of files swapped."""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

from specsearch.cli_run import context_lines
from tests.robustness.helpers import cli

if TYPE_CHECKING:
    from pathlib import Path

TEXT = b"---\nname: n\n---\nbefore line\nword here\nafter line\n"


def test_context_of_a_file_whose_name_is_not_utf8(backend: str, tmp_path: Path) -> None:
    root = tmp_path / "specs"
    root.mkdir()
    with open(os.fsencode(root) + b"/bad\xffname.md", "wb") as file:
        file.write(TEXT)
    done = cli(
        "query",
        "word",
        str(root),
        "-C",
        "1",
        "--backend",
        backend,
        "--index",
        str(tmp_path / "index"),
    )
    assert done.returncode == 0, done.stderr
    shown = done.stdout.decode("utf-8")
    assert "-4-before line" in shown
    assert ":5:word here" in shown
    assert "-6-after line" in shown


def test_context_is_never_read_through_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "swapped.md"
    os.mkfifo(fifo)
    found: list[dict[int, str]] = []
    worker = threading.Thread(target=lambda: found.append(context_lines(str(fifo), 5, 1)))
    worker.start()
    worker.join(60)
    if worker.is_alive():
        with open(fifo, "wb"):  # unblock the reader so that the run can end
            pass
    assert found == [{}]
