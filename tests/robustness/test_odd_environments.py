"""Odd environments: the cache folder is a file, or another `cache clear` ran meanwhile."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from specsearch import cache
from tests.robustness.helpers import cli

if TYPE_CHECKING:
    from collections.abc import Mapping
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


def test_cache_clear_goes_on_past_a_folder_it_cannot_remove(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, private_cache: Path
) -> None:
    """One folder that cannot be removed is said, the others still go, and the exit is 2."""
    from tests.ux.helpers import run, spec  # noqa: PLC0415 (in-process CLI)

    stuck, other = tmp_path / "stuck", tmp_path / "other"
    spec(stuck / "a.md", "a", "alpha", "alpha")
    spec(other / "b.md", "b", "beta", "beta")
    assert run("index", str(stuck))[0] == 0
    assert run("index", str(other))[0] == 0
    real_remove = cache.remove

    def refuse_stuck(entry: cache.CacheEntry, environ: Mapping[str, str]) -> None:
        if str(stuck.resolve()) in entry.roots:
            raise PermissionError(13, "Permission denied", entry.path)
        real_remove(entry, environ)

    monkeypatch.setattr(cache, "remove", refuse_stuck)
    code, out, err = run("cache", "clear")
    assert code == 2
    (left,) = cache.entries(os.environ)
    assert left.roots == (str(stuck.resolve()),)
    assert f"specsearch: error: {left.path}: Permission denied" in err.splitlines()
    assert err.splitlines()[-1] == (
        f"specsearch: error: 1 index folder(s) could not be removed: {left.path}"
    )
    assert out.splitlines()[-1].startswith("1 index folder(s)")
    assert f"({other.resolve()})" in out
