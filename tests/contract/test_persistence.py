"""The persistent index: created on first use, kept fresh, atomic, locked.

Every check compares against a fresh in-memory build of the same files: an
updated index must answer exactly as if it had been built from scratch.
"""

from __future__ import annotations

import fcntl
import os
import random
import shutil
import threading
from typing import TYPE_CHECKING

import pytest

from specsearch import Index, IndexFormatError, IndexLockedError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

QUERIES = ["rust", "concurrency tokio", "kubernetes operator", "security", "zebra", "alpha beta"]


def snapshot(index: Index) -> list[tuple[str, list[tuple[str, float]]]]:
    """What an index answers, comparable across indexes."""
    out = []
    for query in QUERIES:
        hits = index.search(query, k=50)
        out.append((query, [(h.path, h.score) for h in hits]))
    return out


def fresh(root: Path, backend: str) -> list[tuple[str, list[tuple[str, float]]]]:
    with Index.build([root], backend=backend) as index:
        return snapshot(index)


@pytest.fixture
def corpus(tmp_path: Path, examples: Path) -> Path:
    root = tmp_path / "specs"
    shutil.copytree(examples, root)
    return root


def test_first_open_builds_then_reuses(backend: str, corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "idx"
    with Index.open([corpus], index_dir=index_dir, backend=backend) as first:
        assert first.update is not None
        assert first.update.committed
        assert first.update.added == 7
        assert snapshot(first) == fresh(corpus, backend)
    with Index.open([corpus], index_dir=index_dir, backend=backend) as second:
        assert second.update is not None
        assert not second.update.committed
        assert (second.update.added, second.update.changed, second.update.deleted) == (0, 0, 0)
        assert second.update.unchanged == 7
        assert snapshot(second) == fresh(corpus, backend)


def test_changes_are_reflected_in_the_next_open(backend: str, corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "idx"
    Index.open([corpus], index_dir=index_dir, backend=backend).close()
    (corpus / "zebra.md").write_text("---\nname: zebra\n---\nzebra alpha\n", encoding="utf-8")
    (corpus / "security-auditor.md").unlink()
    (corpus / "go-service-builder.md").write_text("# Go\nalpha beta rust\n", encoding="utf-8")
    (corpus / "sql-query-optimizer.md").rename(corpus / "sql.md")
    with Index.open([corpus], index_dir=index_dir, backend=backend) as index:
        info = index.update
        assert info is not None
        assert (info.added, info.changed, info.deleted) == (2, 1, 2)
        assert snapshot(index) == fresh(corpus, backend)
        assert [h.path for h in index.search("zebra")] == [f"{corpus}/zebra.md"]
        assert index.search("security auditor").doc_ids.tolist() == []


def test_touched_but_identical_files_are_not_reindexed(
    backend: str, corpus: Path, tmp_path: Path
) -> None:
    index_dir = tmp_path / "idx"
    Index.open([corpus], index_dir=index_dir, backend=backend).close()
    target = corpus / "k8s-operator-engineer.md"
    os.utime(target, ns=(1, 1))
    with Index.open([corpus], index_dir=index_dir, backend=backend) as index:
        assert index.update is not None
        assert (index.update.added, index.update.changed) == (0, 0)
        assert snapshot(index) == fresh(corpus, backend)


def test_stats_do_not_change_the_index(backend: str, corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "idx"
    with pytest.raises(FileNotFoundError):
        Index.open_existing([corpus], index_dir=index_dir, backend=backend)
    Index.open([corpus], index_dir=index_dir, backend=backend).close()
    before = {p: p.stat().st_mtime_ns for p in index_dir.rglob("*")}
    (corpus / "new.md").write_text("rust\n", encoding="utf-8")
    with Index.open_existing([corpus], index_dir=index_dir, backend=backend) as index:
        stats = index.stats()
        assert stats.docs == 7
        assert stats.terms > 100
        assert stats.segments >= 1
        assert stats.size_bytes > 0
        assert stats.backend == backend
    assert {p: p.stat().st_mtime_ns for p in index_dir.rglob("*")} == before


def test_default_location_is_the_user_cache(
    backend: str, corpus: Path, private_cache: Path
) -> None:
    with Index.open([corpus], backend=backend) as index:
        location = index.stats().location
    assert location is not None
    assert location.startswith(f"{private_cache}/specsearch/")
    assert not any(p.name.startswith(".specsearch") for p in corpus.iterdir())


@pytest.fixture
def held_lock(backend: str, corpus: Path, tmp_path: Path) -> Iterator[Path]:
    """An index whose writer lock another holder has."""
    index_dir = tmp_path / "idx"
    Index.open([corpus], index_dir=index_dir, backend=backend).close()
    fd = os.open(index_dir / backend / "LOCK", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        yield index_dir
    finally:
        os.close(fd)


def test_a_second_writer_gets_index_locked(backend: str, corpus: Path, held_lock: Path) -> None:
    # Nothing changed: reading needs no lock.
    Index.open([corpus], index_dir=held_lock, backend=backend).close()
    (corpus / "new.md").write_text("rust\n", encoding="utf-8")
    with pytest.raises(IndexLockedError):
        Index.open([corpus], index_dir=held_lock, backend=backend, if_locked="raise")


def test_index_locked_error_names_the_lock_and_its_holder(
    backend: str, corpus: Path, held_lock: Path
) -> None:
    lock = held_lock / backend / "LOCK"
    lock.write_text(str(os.getpid()), encoding="ascii")
    (corpus / "new.md").write_text("rust\n", encoding="utf-8")
    with pytest.raises(IndexLockedError) as caught:
        Index.open([corpus], index_dir=held_lock, backend=backend, if_locked="raise")
    assert caught.value.path == str(lock)
    assert caught.value.holder == os.getpid()
    assert str(os.getpid()) in str(caught.value)


def test_index_locked_error_without_a_readable_holder(
    backend: str, corpus: Path, held_lock: Path
) -> None:
    (held_lock / backend / "LOCK").write_text("not a pid", encoding="ascii")
    (corpus / "new.md").write_text("rust\n", encoding="utf-8")
    with pytest.raises(IndexLockedError) as caught:
        Index.open([corpus], index_dir=held_lock, backend=backend, if_locked="raise")
    assert caught.value.path == str(held_lock / backend / "LOCK")
    assert caught.value.holder is None


def test_the_lock_of_a_dead_writer_is_recovered(backend: str, corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "idx"
    Index.open([corpus], index_dir=index_dir, backend=backend).close()
    # A LOCK file left behind (with a pid that is not running) holds no lock.
    (index_dir / backend / "LOCK").write_text("999999999", encoding="ascii")
    (corpus / "new.md").write_text("rust\n", encoding="utf-8")
    with Index.open([corpus], index_dir=index_dir, backend=backend) as index:
        assert index.update is not None
        assert index.update.added == 1


def test_readers_keep_their_snapshot(backend: str, corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "idx"
    Index.open([corpus], index_dir=index_dir, backend=backend).close()
    before = fresh(corpus, backend)
    with Index.open_existing([corpus], index_dir=index_dir, backend=backend) as reader:
        for i in range(12):  # enough commits to trigger merges and old-file removal
            (corpus / f"extra{i}.md").write_text(f"alpha beta {i}\n", encoding="utf-8")
            Index.open([corpus], index_dir=index_dir, backend=backend).close()
        assert snapshot(reader) == before
    with Index.open_existing([corpus], index_dir=index_dir, backend=backend) as after:
        assert snapshot(after) == fresh(corpus, backend)


def corrupt(path: Path, rng: random.Random) -> str:
    data = bytearray(path.read_bytes())
    how = rng.choice(["truncate", "flip", "garbage", "empty"])
    if how == "truncate" and data:
        del data[rng.randrange(len(data)) :]
    elif how == "flip" and data:
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif how == "garbage":
        data = bytearray(rng.randbytes(max(len(data), 16)))
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    return how


Answers = list[tuple[str, list[tuple[str, float]]]]


def open_corrupted(corpus: Path, index_dir: Path, backend: str) -> Answers | Exception | None:
    """The answers of the index as it is, its format error, or None when it is gone."""
    try:
        with Index.open_existing([corpus], index_dir=index_dir, backend=backend) as index:
            return snapshot(index)
    except IndexFormatError as err:
        return err
    except FileNotFoundError:
        return None  # the manifest itself was destroyed: there is no index to open


@pytest.mark.parametrize("seed", range(12))
def test_corrupt_indexes_are_reported_or_rebuilt(
    backend: str, corpus: Path, tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    index_dir = tmp_path / "idx"
    Index.open([corpus], index_dir=index_dir, backend=backend).close()
    files = sorted(p for p in (index_dir / backend).iterdir() if p.name != "LOCK")
    victim = rng.choice(files)
    how = corrupt(victim, rng)
    expected = fresh(corpus, backend)
    outcome = open_corrupted(corpus, index_dir, backend)
    if isinstance(outcome, IndexFormatError):
        assert victim.name in str(outcome) or str(index_dir) in str(outcome), str(outcome)
    elif outcome is not None:
        # A change that breaks nothing (a flipped padding bit, say) must
        # still give the right answers.
        assert outcome == expected, (victim.name, how)
    # Opening for use rebuilds what it cannot read: the corpus is the truth.
    with Index.open([corpus], index_dir=index_dir, backend=backend) as index:
        assert snapshot(index) == expected, (victim.name, how)


def test_foreign_files_are_index_format_errors(backend: str, tmp_path: Path) -> None:
    folder = tmp_path / "idx" / backend
    folder.mkdir(parents=True)
    for name in ("MANIFEST", "docs.jsonl"):
        (folder / name).write_text("this is not an index\n", encoding="utf-8")
    with pytest.raises(IndexFormatError):
        Index.open_existing(index_dir=tmp_path / "idx", backend=backend)


def test_index_format_error_names_the_file(backend: str, tmp_path: Path) -> None:
    folder = tmp_path / "idx" / backend
    folder.mkdir(parents=True)
    for name in ("MANIFEST", "docs.jsonl"):
        (folder / name).write_text("this is not an index\n", encoding="utf-8")
    with pytest.raises(IndexFormatError) as caught:
        Index.open_existing(index_dir=tmp_path / "idx", backend=backend)
    path = caught.value.path
    assert path is not None
    assert os.path.dirname(path) == str(folder)
    assert os.path.basename(path) in {"MANIFEST", "docs.jsonl"}
    assert path in str(caught.value)


def test_a_concurrent_reader_sees_whole_commits_only(
    backend: str, corpus: Path, tmp_path: Path
) -> None:
    """A reader thread opens and searches while a writer commits, over and over."""
    index_dir = tmp_path / "idx"
    Index.open([corpus], index_dir=index_dir, backend=backend).close()
    states = [fresh(corpus, backend)]
    for i in range(6):
        (corpus / f"extra{i}.md").write_text(f"alpha beta rust {i}\n", encoding="utf-8")
        states.append(fresh(corpus, backend))
    for i in range(6):
        (corpus / f"extra{i}.md").unlink()
    stop = threading.Event()
    seen: list[Answers] = []
    failures: list[BaseException] = []

    def read() -> None:
        while not stop.is_set():
            try:
                with Index.open_existing(index_dir=index_dir, backend=backend) as reader:
                    seen.append(snapshot(reader))
            except BaseException as err:
                failures.append(err)
                return

    thread = threading.Thread(target=read)
    thread.start()
    try:
        for i in range(6):
            (corpus / f"extra{i}.md").write_text(f"alpha beta rust {i}\n", encoding="utf-8")
            Index.open([corpus], index_dir=index_dir, backend=backend).close()
    finally:
        stop.set()
        thread.join(timeout=60)
    assert not failures, failures
    assert seen
    assert all(answer in states for answer in seen)
