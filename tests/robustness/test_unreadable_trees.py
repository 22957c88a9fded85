"""Unreadable files, folders and ignore files: each said, in the same words by both engines.

Permissions do not stop root, so as root the walk runs in a child without
the capabilities that bypass them (``setpriv``); elsewhere it runs as is.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from specsearch import Index
from specsearch.backend import BuildOptions
from tests.robustness.helpers import TIMEOUT_SECONDS, spec

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

DENIED = "Permission denied (os error 13)"

WALK = """
import json, sys
from specsearch import Index
with Index.build([sys.argv[1]], backend=sys.argv[2]) as index:
    print(json.dumps({"docs": sorted(h.path for h in index.search("word", k=100)),
                      "problems": [[p.path, p.line, p.message] for p in index.problems]}))
"""


def without_privileges(*command: str) -> list[str]:
    """``command``, run so that file permissions apply (as root: without the bypass)."""
    if os.geteuid() != 0:
        return list(command)
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root, and setpriv (util-linux) is absent to drop the bypass")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", *command]


def walk(root: Path, backend: str) -> dict[str, list[object]]:
    done = subprocess.run(
        without_privileges(sys.executable, "-c", WALK, str(root), backend),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found: dict[str, list[object]] = json.loads(done.stdout)
    return found


def unreadable_tree(root: Path) -> None:
    spec(root / "ok" / "a.md", "a")
    spec(root / "ok" / "secret.md", "secret")
    (root / "ok" / ".gitignore").write_text("secret.md\n", encoding="utf-8")
    spec(root / "ok" / "unread.md", "unread")
    spec(root / "unlisted" / "x.md", "x")
    spec(root / "unsearchable" / "y.md", "y")
    (root / "noext").write_text("---\nname: noext\n---\nword\n", encoding="utf-8")
    modes = {
        "ok/.gitignore": 0o000,
        "ok/unread.md": 0o000,
        "noext": 0o000,
        "unlisted": 0o300,  # searchable, not listable
        "unsearchable": 0o600,  # listable, not searchable
    }
    for path, mode in modes.items():
        (root / path).chmod(mode)


@pytest.fixture
def tree(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "tree"
    unreadable_tree(root)
    yield root
    for folder in ("unlisted", "unsearchable"):
        (root / folder).chmod(0o700)  # so that pytest can remove it


def test_unreadable_files_folders_and_ignore_files_are_said_alike(tree: Path) -> None:
    native, python = walk(tree, "native"), walk(tree, "python")
    assert native == python
    assert native["docs"] == [f"{tree}/ok/a.md", f"{tree}/ok/secret.md"]
    assert native["problems"] == [  # the walk's, then each file's (SPEC.md §7)
        [f"{tree}/noext", None, f"cannot read: {DENIED}"],
        [f"{tree}/ok/.gitignore", None, f"ignore file not read: {DENIED}"],
        [f"{tree}/unlisted", None, f"cannot read directory: {DENIED}"],
        [f"{tree}/unsearchable/y.md", None, f"cannot stat: {DENIED}"],
        [f"{tree}/ok/unread.md", None, f"cannot read file: {DENIED}"],
    ]


def test_skipped_files_are_said_alike(tmp_path: Path) -> None:
    """The reasons a spec file is skipped, worded the same by both engines."""
    spec(tmp_path / "a.md", "a")
    (tmp_path / "binary.md").write_bytes(b"\x00binary")
    (tmp_path / "large.md").write_text("word " * 30_000, encoding="utf-8")
    said = {}
    for backend in ("native", "python"):
        options = BuildOptions(max_file_bytes=100_000)
        with Index.build([tmp_path], backend=backend, options=options) as index:
            said[backend] = [(p.path, p.line, p.message) for p in index.problems]
    assert (
        said["native"]
        == said["python"]
        == [
            (
                f"{tmp_path}/binary.md",
                None,
                "binary file (NUL byte in the first 8192 bytes): skipped",
            ),
            (
                f"{tmp_path}/large.md",
                None,
                "file is larger than max_file_bytes (150000 > 100000 bytes): skipped",
            ),
        ]
    )
