"""Odd environments: the cache folder is a file, or another `cache clear` ran meanwhile."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from specsearch import cache
from tests.robustness.helpers import cli

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize("command", [["list"], ["list", "--json"], ["prune"], ["clear"]])
def test_cache_commands_when_the_cache_folder_is_a_file(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "specsearch").write_text("not a folder", encoding="utf-8")
    done = cli("cache", *command, env={"XDG_CACHE_HOME": str(tmp_path)})
    assert done.returncode == 2
    assert b"Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        f"specsearch: error: {tmp_path}/specsearch: Not a directory".encode()
    ]


def test_a_cache_folder_removed_while_listing_is_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "specsearch"
    kept, gone = root / ("a" * 20), root / ("b" * 20)
    for folder in (kept, gone):
        folder.mkdir(parents=True)
    real_entry = cache._entry

    def entry_after_removal(folder: str) -> cache.CacheEntry:
        if folder == str(gone):
            os.rmdir(gone)  # as another process's `cache clear` would, just now
        return real_entry(folder)

    monkeypatch.setattr(cache, "_entry", entry_after_removal)
    found = cache.entries({"XDG_CACHE_HOME": str(tmp_path)})
    assert [e.path for e in found] == [str(kept)]
