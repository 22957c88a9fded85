"""The native on-disk index keeps document vectors in its segments (SPEC.md §10).

Each segment with rows has a ``vec-*.vec`` file listed in the manifest:
only added or changed specs are embedded, a merge carries the rows, an
interruption keeps what was committed, a damaged file is recomputed, and the
file of older versions (``native.vectors``) is reused, then removed.
"""

from __future__ import annotations

import fcntl
import mmap
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from specsearch import BuildOptions, Index, vectors
from specsearch.native import NativeBackend
from tests.embed.conftest import TINY

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from numpy.typing import NDArray

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "specs"


def _model_id(index: Index) -> str:
    return f"{TINY}|{index.encoder(TINY).dim}"


def _embed(
    index: Index,
    legacy: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    model_id: str | None = None,
) -> tuple[NDArray[np.float16], int]:
    """The index's document vectors and how many specs were embedded to get them."""
    backend = index._backend
    assert isinstance(backend, NativeBackend)
    segments = backend.vector_index()
    assert segments is not None
    rows, embedded = vectors.segment_rows(
        segments,
        backend.docs,
        index.encoder(TINY),
        model_id or _model_id(index),
        legacy=legacy,
        progress=progress,
    )
    return rows.array(), embedded


def _fresh(corpus: Path) -> NDArray[np.float16]:
    """The vectors of an index built in memory from scratch."""
    with Index.build([corpus], backend="native") as index:
        return index.doc_vectors(TINY)


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "specs"
    shutil.copytree(EXAMPLES, corpus)
    return corpus


def _open(corpus: Path, where: Path, merge_threshold: int = 8) -> Index:
    options = BuildOptions(merge_threshold=merge_threshold)
    return Index.open([corpus], index_dir=where, backend="native", options=options)


def test_only_added_or_changed_specs_are_embedded(tmp_path: Path) -> None:
    corpus, where = _corpus(tmp_path), tmp_path / "index"
    specs = sorted(corpus.rglob("*.md"))
    with _open(corpus, where) as index:
        first, embedded = _embed(index)
        assert embedded == index.stats().docs == len(specs)
    with _open(corpus, where) as index:
        again, embedded = _embed(index)
        assert embedded == 0
        assert np.array_equal(first, again)
    with specs[0].open("a", encoding="utf-8") as f:
        f.write("\nAlso reviews database migrations and rollback plans.\n")
    (corpus / "new-agent.md").write_text(
        "---\nname: new-agent\ndescription: Plans product launches.\n---\nBody.\n",
        encoding="utf-8",
    )
    with _open(corpus, where) as index:
        changed, embedded = _embed(index)
        assert embedded == 2
        assert np.array_equal(changed, _fresh(corpus))
    specs[1].rename(specs[1].with_name("renamed-" + specs[1].name))
    specs[2].unlink()
    with _open(corpus, where) as index:
        moved, embedded = _embed(index)
        assert embedded == 0  # the renamed spec's text, name included, is the same
        assert np.array_equal(moved, _fresh(corpus))
    with _open(corpus, where) as index:  # stats are those of the snapshot opened
        stats = index.vector_stats()
        assert stats is not None
        assert (stats.count, stats.dims, stats.model_id, stats.valid) == (
            len(moved),
            moved.shape[1],
            _model_id(index),
            True,
        )


def test_a_merge_carries_the_rows_and_the_result_is_mapped(tmp_path: Path) -> None:
    corpus, where = _corpus(tmp_path), tmp_path / "index"
    with _open(corpus, where, merge_threshold=2) as index:
        _, embedded = _embed(index)
        assert embedded == index.stats().docs
    for name in ("a", "b"):
        (corpus / f"agent-{name}.md").write_text(
            f"---\nname: agent-{name}\ndescription: Handles {name} requests.\n---\n",
            encoding="utf-8",
        )
        with _open(corpus, where, merge_threshold=2) as index:
            merged, embedded = _embed(index)
            assert embedded == 1
    assert index.update is not None
    with _open(corpus, where, merge_threshold=2) as index:
        assert index.stats().segments == 1  # the second addition merged all three
        mapped, embedded = _embed(index)
        assert embedded == 0
        assert np.array_equal(mapped, merged)
        assert np.array_equal(mapped, _fresh(corpus))
        base = mapped.base
        while isinstance(base, np.ndarray):
            base = base.base
        assert isinstance(base, memoryview)
        assert isinstance(base.obj, mmap.mmap)
    assert len(list((where / "native").glob("vec-*.vec"))) == 1


def test_an_interrupted_embedding_keeps_what_it_committed(
    tmp_path: Path, two_row_commits: None
) -> None:
    corpus, where = _corpus(tmp_path), tmp_path / "index"

    def stop(done: int, todo: int) -> None:
        if done >= 4:
            raise KeyboardInterrupt

    with _open(corpus, where) as index:
        n = index.stats().docs
        assert n >= 5
        with pytest.raises(KeyboardInterrupt):
            _embed(index, progress=stop)
    with _open(corpus, where) as index:
        kept = index.vector_stats()
        assert kept is not None
        assert (kept.count, kept.valid) == (2, True)
        done, embedded = _embed(index)
        assert embedded == n - 2
        assert np.array_equal(done, _fresh(corpus))


def test_a_damaged_vector_file_is_recomputed_not_an_error(tmp_path: Path) -> None:
    corpus, where = _corpus(tmp_path), tmp_path / "index"
    with _open(corpus, where) as index:
        first, _ = _embed(index)
    (stored,) = (where / "native").glob("vec-*.vec")
    data = bytearray(stored.read_bytes())
    data[len(data) // 2] ^= 0x40
    stored.write_bytes(bytes(data))
    with _open(corpus, where) as index:
        assert len(index.search("tokio")) > 0  # the index itself is sound
        stats = index.vector_stats()
        assert stats is not None
        assert not stats.valid
        again, embedded = _embed(index)
        assert embedded == index.stats().docs
        assert np.array_equal(again, first)
    with _open(corpus, where) as index:
        stats = index.vector_stats()
        assert stats is not None
        assert stats.valid
        assert not stored.exists()  # replaced by a new file, the damaged one collected


def test_the_file_of_older_versions_is_reused_then_removed(tmp_path: Path) -> None:
    corpus, where = _corpus(tmp_path), tmp_path / "index"
    legacy = where / "native.vectors"
    with _open(corpus, where) as index:
        backend = index._backend
        infos = backend.docs(range(backend.num_docs))
        vectors.stored_rows(infos, index.encoder(TINY), _model_id(index), str(legacy))
        assert legacy.is_file()
        moved, embedded = _embed(index, legacy=str(legacy))
        assert embedded == 0
        assert np.array_equal(moved, _fresh(corpus))
    assert not legacy.exists()
    with _open(corpus, where) as index:
        stats = index.vector_stats()
        assert stats is not None
        assert stats.count == index.stats().docs


def test_rows_stay_in_memory_while_another_writer_holds_the_lock(tmp_path: Path) -> None:
    corpus, where = _corpus(tmp_path), tmp_path / "index"
    with _open(corpus, where) as index, open(where / "native" / "LOCK", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        busy, embedded = _embed(index)
        assert embedded == index.stats().docs
        assert index.vector_stats() is None
        fcntl.flock(lock, fcntl.LOCK_UN)
        assert np.array_equal(busy, _fresh(corpus))


def test_another_model_replaces_the_rows(tmp_path: Path) -> None:
    corpus, where = _corpus(tmp_path), tmp_path / "index"
    with _open(corpus, where) as index:
        n = index.stats().docs
        _, embedded = _embed(index, model_id="first|32")
        assert embedded == n
    with _open(corpus, where) as index:
        _, embedded = _embed(index, model_id="second|32")
        assert embedded == n
    with _open(corpus, where) as index:
        stats = index.vector_stats()
        assert stats is not None
        assert (stats.model_id, stats.count) == ("second|32", n)
        _, embedded = _embed(index, model_id="second|32")
        assert embedded == 0


def test_a_rebuild_keeps_the_vectors_for_reuse(tmp_path: Path) -> None:
    corpus, where = _corpus(tmp_path), tmp_path / "index"
    with _open(corpus, where) as index:
        first, _ = _embed(index)
    old_files = set((where / "native").glob("vec-*.vec"))
    with Index.open([corpus], index_dir=where, backend="native", rebuild=True) as index:
        assert index.update is not None
        assert index.update.rebuilt
        again, embedded = _embed(index)
        assert embedded == 0
        assert np.array_equal(again, first)
    with _open(corpus, where) as index:
        stats = index.vector_stats()
        assert stats is not None
        assert stats.count == index.stats().docs
    # The kept files went with the first commit that stored vectors.
    assert not old_files & set((where / "native").glob("vec-*.vec"))


def test_an_index_rebuilt_after_damage_reuses_its_vectors(tmp_path: Path) -> None:
    corpus, where = _corpus(tmp_path), tmp_path / "index"
    with _open(corpus, where) as index:
        first, _ = _embed(index)
    for segment in (where / "native").glob("seg-*.seg"):
        data = bytearray(segment.read_bytes())
        data[20] ^= 0xFF  # in the header: found when the index is opened
        segment.write_bytes(bytes(data))
    notices: list[str] = []
    with Index.open([corpus], index_dir=where, backend="native", notice=notices.append) as index:
        assert index.update is not None
        assert index.update.rebuilt
        assert any("rebuilt the index" in n for n in notices)
        again, embedded = _embed(index)
        assert embedded == 0
        assert np.array_equal(again, first)


class _ReadOnly:
    """An index whose folder cannot be written: storing rows fails."""

    def __init__(self, index: vectors.SegmentVectors) -> None:
        self._index = index
        self.attempts = 0

    @property
    def num_docs(self) -> int:
        return self._index.num_docs

    def stored_vectors(
        self, model: str, dim: int
    ) -> tuple[bytes | None, tuple[str, int] | None, list[int]] | None:
        return self._index.stored_vectors(model, dim)

    def reuse_vectors(self, model: str, dim: int, keys: list[bytes]) -> list[bytes | None]:
        return self._index.reuse_vectors(model, dim, keys)

    def attach_vectors(
        self, model: str, dim: int, ids: list[int], keys: list[bytes], rows: bytes
    ) -> bool:
        self.attempts += 1
        raise PermissionError(13, "Permission denied", "LOCK")


def test_a_folder_that_cannot_be_written_still_routes(
    tmp_path: Path, two_row_commits: None
) -> None:
    corpus, where = _corpus(tmp_path), tmp_path / "index"
    with _open(corpus, where) as index:
        backend = index._backend
        assert isinstance(backend, NativeBackend)
        segments = backend.vector_index()
        assert segments is not None
        read_only = _ReadOnly(segments)
        rows, embedded = vectors.segment_rows(
            read_only, backend.docs, index.encoder(TINY), _model_id(index), legacy=None
        )
        assert embedded == index.stats().docs
        assert read_only.attempts == 1  # tried once, then kept in memory
        assert np.array_equal(rows.array(), _fresh(corpus))
        assert index.vector_stats() is None
    store = tmp_path / "not-a-folder"
    store.write_text("a file where the store's folder should be", encoding="utf-8")
    with Index.build([corpus], backend="python") as index:
        infos = index._backend.docs(range(index.stats().docs))
        rows, embedded = vectors.stored_rows(
            infos, index.encoder(TINY), "tiny", str(store / "python.vectors")
        )
        assert embedded == len(infos)
        assert rows.rows == len(infos)


class _CountingStore:
    """A store of ``n`` missing rows that counts what each commit rewrites."""

    def __init__(self, n: int, dim: int) -> None:
        self.n, self.dim = n, dim
        self.stored = 0
        self.rewritten = 0
        self.commits = 0

    def present(self) -> tuple[vectors.StoredRows, list[int]]:
        return vectors.StoredRows(bytes(2 * self.dim * self.n), 0, self.n, self.dim), list(
            range(self.n)
        )

    def reuse(self, keys: Sequence[bytes]) -> list[bytes | None]:
        return [None] * len(keys)

    def commit(self, ids: Sequence[int], keys: Sequence[bytes], rows: bytes) -> None:
        self.commits += 1
        self.stored += len(ids)
        self.rewritten += self.stored  # a commit writes every row stored so far


def test_commits_while_embedding_rewrite_a_linear_amount(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vectors, "BATCH", 1)
    monkeypatch.setattr(vectors, "COMMIT_EVERY", 1)
    with Index.build([EXAMPLES], backend="native") as index:
        encoder = index.encoder(TINY)
        n = 200
        store = _CountingStore(n, encoder.dim)
        _, embedded = vectors._fill(
            store, lambda ids: [("some text", "a summary")] * len(ids), encoder, None
        )
    assert embedded == store.stored == n
    assert store.commits < n // 4  # one per row at first, then a quarter of what is stored
    assert store.rewritten <= 6 * n
