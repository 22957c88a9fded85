"""Fixtures shared by the tests of `specsearch mcp`."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def specs(tmp_path: Path, examples: Path) -> Path:
    """A writable copy of the example specs (7 specs, one of them a skill)."""
    root = tmp_path / "specs"
    shutil.copytree(examples, root)
    return root
