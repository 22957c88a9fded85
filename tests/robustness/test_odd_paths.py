"""Odd roots and index folders through the API: the same answer from both engines."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from specsearch import Index
from specsearch.errors import SchemaError
from tests.robustness.helpers import TIMEOUT_SECONDS

if TYPE_CHECKING:
    from pathlib import Path


def test_a_nul_byte_in_a_path_is_a_schema_error(backend: str, tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="NUL byte") as caught:
        Index.build([str(tmp_path) + "/a\0b"], backend=backend)
    assert caught.value.field == "paths"
    for how in (Index.open, Index.open_existing):
        with pytest.raises(SchemaError, match="NUL byte") as caught:
            how([tmp_path], index_dir=str(tmp_path) + "/i\0x", backend=backend)
        assert caught.value.field == "index_dir"


def test_a_root_that_is_a_fifo_is_the_same_problem_in_both_engines(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    said = {}
    for backend in ("native", "python"):
        with Index.build([tmp_path / "pipe"], backend=backend) as index:
            said[backend] = [(p.path, p.line, p.message) for p in index.problems]
    assert said["native"] == said["python"]
    assert said["native"] == [(f"{tmp_path}/pipe", None, "not a regular file or directory")]


def test_an_empty_index_folder_is_refused_and_nothing_is_written_here(
    backend: str, tmp_path: Path, examples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)  # where an empty index folder would land
    for how in (Index.open, Index.open_existing):
        with pytest.raises(SchemaError, match="empty path") as caught:
            how([examples], index_dir="", backend=backend)
        assert caught.value.field == "index_dir"
    done = subprocess.run(
        [sys.executable, "-m", "specsearch", "query", "tokio", str(examples), "--index", ""],
        capture_output=True,
        cwd=here,
        timeout=TIMEOUT_SECONDS,
        check=False,
        env={**os.environ, "SPECSEARCH_BACKEND": backend},
    )
    assert done.returncode == 2
    assert b"empty path" in done.stderr
    assert list(here.iterdir()) == []
