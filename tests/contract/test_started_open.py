"""An open of the native index started ahead (``NativeBackend.start_open``).

The CLI starts its index's open on a thread of its own, then loads the rest
of itself; ``Index.open(..., started=...)`` finishes that open when it is the
one it would make, and otherwise waits for it and makes its own. Either way
the index answers as a plain ``Index.open`` does, and nothing is left running.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from specsearch import BuildOptions, Index, IndexLockedError, IndexStateError, SchemaError

native = pytest.importorskip("specsearch.native", reason="the native extension is not built")
NativeBackend = native.NativeBackend

ROOT = Path(__file__).resolve().parents[2]
QUERIES = ["rust", "concurrency tokio", "kubernetes operator", "security"]


def answers(index: Index) -> list[list[tuple[str, float]]]:
    return [[(h.path, h.score) for h in index.search(q, k=20)] for q in QUERIES]


def plain(corpus: Path, index_dir: Path) -> list[list[tuple[str, float]]]:
    with Index.open([str(corpus)], index_dir=index_dir, backend="native") as index:
        return answers(index)


@pytest.fixture
def corpus(tmp_path: Path, examples: Path) -> Path:
    root = tmp_path / "specs"
    shutil.copytree(examples, root)
    return root


def test_a_started_open_is_the_open(corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "idx"
    options = BuildOptions()
    started = NativeBackend.start_open(str(index_dir / "native"), [str(corpus)], options)
    notes: list[str] = []
    with Index.open(
        [str(corpus)], index_dir=index_dir, backend="native", started=started, notice=notes.append
    ) as index:
        assert index.update is not None
        assert (index.update.added, index.update.committed) == (7, True)
        assert answers(index) == plain(corpus, tmp_path / "reference")
    assert notes == []
    with pytest.raises(IndexStateError, match="already finished"):
        started.finish()
    started.wait()  # a no-op once finished


@pytest.mark.parametrize("differs", ["folder", "roots", "options", "backend", "rebuild"])
def test_an_open_started_for_something_else_is_waited_for(
    corpus: Path, tmp_path: Path, differs: str
) -> None:
    """It is never finished as this open; it ends before this open takes the
    writer lock (else this one would answer from a snapshot, with a notice)."""
    index_dir = tmp_path / "idx"
    (corpus / "more").mkdir()
    (corpus / "more" / "x.md").write_text("---\nname: x\n---\nrust tokio\n", encoding="utf-8")
    target, roots, options = str(index_dir / "native"), [str(corpus)], BuildOptions()
    if differs == "folder":
        target = str(tmp_path / "elsewhere" / "native")
    elif differs == "roots":
        roots = [str(corpus / "more")]
    elif differs == "options":
        options = BuildOptions(hidden=True)
        (corpus / ".hidden").mkdir()
        (corpus / ".hidden" / "y.md").write_text("---\nname: y\n---\nrust\n", encoding="utf-8")
    started = NativeBackend.start_open(target, roots, options)
    notes: list[str] = []
    with Index.open(
        [str(corpus)],
        index_dir=index_dir,
        backend="python" if differs == "backend" else "native",
        rebuild=differs == "rebuild",
        started=started,
        notice=notes.append,
    ) as index:
        got = answers(index)
        assert index.update is not None
        if differs in {"roots", "options"}:
            # The started open built this folder's index its way; this one made it right.
            assert index.update.committed
    assert notes == []
    assert got == plain(corpus, tmp_path / "reference")
    with pytest.raises(IndexStateError):
        started.finish()


def test_a_started_opens_error_is_the_opens(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing")
    started = NativeBackend.start_open(str(tmp_path / "idx" / "native"), [missing], BuildOptions())
    with pytest.raises(FileNotFoundError) as caught:
        Index.open([missing], index_dir=tmp_path / "idx", backend="native", started=started)
    with pytest.raises(FileNotFoundError) as plainly:
        Index.open([missing], index_dir=tmp_path / "idx2", backend="native")
    assert caught.value.filename == plainly.value.filename


def test_a_started_open_that_finds_the_lock_held_answers_from_the_snapshot(
    corpus: Path, tmp_path: Path
) -> None:
    index_dir = tmp_path / "idx"
    Index.open([str(corpus)], index_dir=index_dir, backend="native").close()
    before = plain(corpus, tmp_path / "reference")
    (corpus / "new.md").write_text("---\nname: new\n---\nrust rust rust\n", encoding="utf-8")
    fd = os.open(index_dir / "native" / "LOCK", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        started = NativeBackend.start_open(str(index_dir / "native"), [str(corpus)], BuildOptions())
        notes: list[str] = []
        with Index.open(
            [str(corpus)],
            index_dir=index_dir,
            backend="native",
            started=started,
            notice=notes.append,
        ) as index:
            assert answers(index) == before
        assert len(notes) == 1
        assert "answering from the last committed index" in notes[0]
        started2 = NativeBackend.start_open(
            str(index_dir / "native"), [str(corpus)], BuildOptions()
        )
        with pytest.raises(IndexLockedError):
            Index.open(
                [str(corpus)],
                index_dir=index_dir,
                backend="native",
                if_locked="raise",
                started=started2,
            )
    finally:
        os.close(fd)


def test_progress_is_reported_from_the_waiting_thread(corpus: Path, tmp_path: Path) -> None:
    started = NativeBackend.start_open(
        str(tmp_path / "idx" / "native"), [str(corpus)], BuildOptions()
    )
    seen: list[tuple[int, int]] = []
    backend, info = started.finish(lambda done, total: seen.append((done, total)))
    with backend:
        assert info.added == 7
    assert seen
    assert seen[-1] == (7, 7)
    assert all(0 <= done <= total == 7 for done, total in seen)


def test_a_started_open_left_unfinished_leaves_a_usable_index(tmp_path: Path) -> None:
    """A process that exits (an error, Ctrl-C) before finishing it: the open
    stops or completes, and the index is whole either way."""
    index_dir = tmp_path / "idx"
    code = (
        "import sys\n"
        "from specsearch import BuildOptions\n"
        "from specsearch.native import NativeBackend\n"
        f"NativeBackend.start_open({str(index_dir / 'native')!r}, {[str(ROOT / 'examples')]!r},"
        " BuildOptions())\n"
        "sys.exit(3)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 3, done.stderr
    with Index.open([str(ROOT / "examples")], index_dir=index_dir, backend="native") as index:
        assert index.search("rust", k=5)
        reference = tmp_path / "reference"
        with Index.open([str(ROOT / "examples")], index_dir=reference, backend="native") as ref:
            assert answers(index) == answers(ref)


def test_a_started_open_is_waited_for_when_the_call_fails_early(
    corpus: Path, tmp_path: Path
) -> None:
    started = NativeBackend.start_open(
        str(tmp_path / "idx" / "native"), [str(corpus)], BuildOptions()
    )
    with pytest.raises(SchemaError, match="if_locked"):
        Index.open(
            [str(corpus)],
            index_dir=tmp_path / "idx",
            backend="native",
            if_locked="maybe",  # type: ignore[arg-type]
            started=started,
        )
    with pytest.raises(IndexStateError):
        started.finish()
