"""The python backend's cache: what an old or partly skipped cache gives the next open."""

from __future__ import annotations

from typing import TYPE_CHECKING

from specsearch import Index
from specsearch.pure import store
from tests.robustness.helpers import spec

if TYPE_CHECKING:
    from collections.abc import Callable
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


def counts(index: Index) -> tuple[int, int, int, int, bool]:
    info = index.update
    assert info is not None
    return (info.added, info.changed, info.deleted, info.unchanged, info.committed)


def test_skipped_files_are_counted_and_committed_as_the_native_engine_does(
    tmp_path: Path,
) -> None:
    """A binary file is no spec: never "added" or "changed", and no reason to write again."""
    root = tmp_path / "specs"
    good, bad = spec(root / "a.md", "a"), root / "b.md"
    bad.write_bytes(b"\x00binary")
    steps: list[Callable[[], object]] = [
        lambda: None,  # the first build
        lambda: None,  # nothing changed: up to date
        lambda: spec(bad, "b"),  # the skipped file is a spec now: added
        lambda: good.write_bytes(b"\x00binary again"),  # a spec becomes binary: deleted
        lambda: good.write_bytes(b"\x00binary, longer"),  # still skipped: not counted
        good.unlink,  # a skipped file removed: no spec deleted
        lambda: None,
    ]
    seen: dict[str, list[tuple[int, int, int, int, bool]]] = {"native": [], "python": []}
    for step in steps:
        step()
        for backend, found in seen.items():
            with Index.open([root], index_dir=tmp_path / "index", backend=backend) as index:
                found.append(counts(index))
    assert seen["python"] == seen["native"]
    assert [c[4] for c in seen["native"]] == [True, False, True, True, True, True, False]
    assert [c[:4] for c in seen["native"]][:4] == [
        (1, 0, 0, 0),
        (0, 0, 0, 1),
        (1, 0, 0, 1),
        (0, 0, 1, 1),
    ]


def test_a_first_build_is_no_rebuild_in_either_engine(tmp_path: Path) -> None:
    """`specsearch index` says "updated" for a first build and "rebuilt" when asked, alike."""
    spec(tmp_path / "specs" / "a.md", "a")
    seen: dict[str, list[tuple[bool, bool]]] = {}
    for backend in ("native", "python"):
        index_dir = tmp_path / f"index-{backend}"
        found = seen.setdefault(backend, [])
        for rebuild in (False, False, True):
            with Index.open(
                [tmp_path / "specs"], index_dir=index_dir, backend=backend, rebuild=rebuild
            ) as index:
                assert index.update is not None
                found.append((index.update.rebuilt, index.update.committed))
    assert seen["python"] == seen["native"] == [(False, True), (False, False), (True, True)]
