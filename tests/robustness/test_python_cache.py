"""The python backend's cache: what an old or partly skipped cache gives the next open."""

from __future__ import annotations

from typing import TYPE_CHECKING

from specsearch import Index
from specsearch.pure import store
from tests.robustness.helpers import spec

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def test_a_cache_of_another_version_is_not_answered_from_its_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new version (another parse, say) must not serve what the old one analyzed."""
    spec(tmp_path / "specs" / "a.md", "a")
    index_dir = tmp_path / "index"
    with Index.open([tmp_path / "specs"], index_dir=index_dir, backend="python") as index:
        assert index.update is not None
        assert index.update.committed
    monkeypatch.setattr(store, "CACHE_VERSION", store.CACHE_VERSION + 1)
    with Index.open([tmp_path / "specs"], index_dir=index_dir, backend="python") as index:
        assert index.update is not None
        assert index.update.rebuilt
        assert index.update.committed
        assert [h.name for h in index.search("word")] == ["a"]
