"""Issue 15, items 2, 3, 5 and 10: hostile file names, ignore files, links and FIFOs.

Each case runs in a child process where it used to hang or abort the engine.
"""

from __future__ import annotations

import json
import os
import threading
from typing import TYPE_CHECKING

import pytest

from specsearch import Index
from specsearch.backend import BuildOptions
from specsearch.pure.index import read_spec
from specsearch.pure.walk import MAX_IGNORE_LINES, SpecFile
from tests.robustness.helpers import cli, python, spec

if TYPE_CHECKING:
    from pathlib import Path

BACKENDS = ("native", "python")


def listing(index: Index) -> list[str]:
    return [hit.path for hit in index.search("word", k=100)]


def problems(index: Index) -> list[tuple[str, int | None, str]]:
    return [(p.path, p.line, p.message) for p in index.problems]


def tree_with_a_bad_name(root: Path, text: bytes) -> bytes:
    """``root/good.md`` and ``root/bad\\xffname.md`` holding ``text``; the bad name's bytes."""
    spec(root / "good.md", "good")
    bad = os.fsencode(root) + b"/bad\xffname.md"
    with open(bad, "wb") as file:
        file.write(text)
    return bad


def test_a_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    root = tmp_path / "d"
    tree_with_a_bad_name(root, b"---\nname: b\n---\nword\n")
    for backend in BACKENDS:
        index_dir = tmp_path / f"index-{backend}"
        for _ in range(2):  # a fresh build, then from the cache
            done = cli(
                "query",
                "word",
                os.fsencode(root),
                "--backend",
                backend,
                "--json",
                "--index",
                os.fsencode(index_dir),
            )
            assert done.returncode == 0, done.stderr.decode(errors="replace")
            paths = [hit["path"] for hit in json.loads(done.stdout)["hits"]]
            assert sorted(paths) == [f"{root}/bad\ufffdname.md", f"{root}/good.md"]
            assert b"Traceback" not in done.stderr


def test_show_opens_what_query_lists_for_a_name_that_is_not_utf8(tmp_path: Path) -> None:
    root = tmp_path / "d"
    bad = tree_with_a_bad_name(root, b"---\nname: odd-one\n---\nword unusual\n")
    for backend in BACKENDS:
        where: list[str | bytes] = [
            "--backend",
            backend,
            "--index",
            os.fsencode(tmp_path / f"index-{backend}"),
        ]
        listed = cli("query", "unusual", os.fsencode(root), "-l", *where)
        assert listed.returncode == 0, listed.stderr.decode(errors="replace")
        # The name's bytes as they are (as rg -l prints them), not U+FFFD.
        assert listed.stdout == bad + b"\n"
        shown = cli("show", listed.stdout.rstrip(b"\n"), *where)
        assert shown.returncode == 0, shown.stderr.decode(errors="replace")
        assert b"odd-one" in shown.stdout
        assert b"word unusual" in shown.stdout
        by_name = cli("show", "odd-one", os.fsencode(root), *where)
        assert by_name.returncode == 0, by_name.stderr.decode(errors="replace")
        assert b"word unusual" in by_name.stdout
        assert b"Traceback" not in listed.stderr + shown.stderr + by_name.stderr


def run_walk(root: Path, backend: str, max_file_bytes: int = 64 << 20) -> dict[str, object]:
    """Build ``root`` in a child process; its docs and problems as JSON."""
    code = f"""
import json
from specsearch import Index
from specsearch.backend import BuildOptions
with Index.build([{str(root)!r}], backend={backend!r},
                 options=BuildOptions(max_file_bytes={max_file_bytes})) as index:
    hits = index.search("word", k=100)
    print(json.dumps({{"docs": [h.path for h in hits],
                      "problems": [[p.path, p.line, p.message] for p in index.problems]}}))
"""
    done = python(code)
    assert done.returncode == 0, done.stderr
    loaded: dict[str, object] = json.loads(done.stdout)
    return loaded


def hostile_ignore_tree(root: Path) -> None:
    spec(root / "fifo" / "a.md", "a")
    os.mkfifo(root / "fifo" / ".gitignore")
    spec(root / "zero" / "b.md", "b")
    os.symlink("/dev/zero", root / "zero" / ".gitignore")
    spec(root / "big" / "c.md", "c")
    (root / "big" / ".ignore").write_text("c.md\n" * 13_000, encoding="utf-8")
    spec(root / "many" / "d.md", "d")
    (root / "many" / ".gitignore").write_text("# x\n" * MAX_IGNORE_LINES + "d.md\n")


def test_hostile_ignore_files_are_reported_alike(tmp_path: Path) -> None:
    hostile_ignore_tree(tmp_path)
    native, pure = (run_walk(tmp_path, b, max_file_bytes=60_000) for b in BACKENDS)
    assert native == pure
    assert sorted(native["docs"]) == [  # type: ignore[call-overload]
        f"{tmp_path}/{p}" for p in ("big/c.md", "fifo/a.md", "many/d.md", "zero/b.md")
    ]
    assert native["problems"] == [
        [f"{tmp_path}/big/.ignore", None, "ignore file not read: file is larger than 60000 bytes"],
        [f"{tmp_path}/fifo/.gitignore", None, "ignore file not read: not a regular file"],
        [
            f"{tmp_path}/many/.gitignore",
            MAX_IGNORE_LINES + 1,
            f"ignore file has more than {MAX_IGNORE_LINES} lines: the rest are not used",
        ],
        [f"{tmp_path}/zero/.gitignore", None, "ignore file not read: symbolic link"],
    ]


def test_links_and_fifos_in_the_tree_are_reported(tmp_path: Path) -> None:
    spec(tmp_path / "real" / "a.md", "a")
    outside = spec(tmp_path.parent / f"{tmp_path.name}-outside.md", "outside")
    os.symlink(outside, tmp_path / "link.md")
    os.symlink(tmp_path / "real", tmp_path / "real" / "loop")
    os.mkfifo(tmp_path / "pipe.md")
    os.symlink(tmp_path / "nowhere", tmp_path / ".hidden-link.md")  # hidden: not said
    native, pure = (run_walk(tmp_path, b) for b in BACKENDS)
    assert native == pure
    assert native["docs"] == [f"{tmp_path}/real/a.md"]
    assert native["problems"] == [
        [f"{tmp_path}/link.md", None, "symbolic link: not followed"],
        [f"{tmp_path}/pipe.md", None, "not a regular file: skipped"],
        [f"{tmp_path}/real/loop", None, "symbolic link: not followed"],
    ]


def test_read_spec_refuses_links_fifos_and_replaced_files(tmp_path: Path) -> None:
    real = spec(tmp_path / "real.md", "real")
    outside = spec(tmp_path / "outside.md", "outside")
    link = tmp_path / "link.md"
    os.symlink(outside, link)
    fifo = tmp_path / "fifo.md"
    os.mkfifo(fifo)
    status = real.stat()

    def message(path: Path, identity: tuple[int, int] | None = None) -> str | None:
        _data, problem = read_spec(
            SpecFile(path="p", fs_path=str(path), identity=identity), 1 << 20
        )
        return None if problem is None else problem.message

    assert message(real, (status.st_dev, status.st_ino)) is None
    assert message(link) == "symbolic link: skipped"
    assert message(fifo) == "not a regular file: skipped"  # and did not block
    assert (
        message(real, (status.st_dev, status.st_ino + 1)) == "replaced while being indexed: skipped"
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_open_index_never_reads_through_a_swapped_link_or_fifo(
    backend: str, tmp_path: Path
) -> None:
    root = tmp_path / "root"
    spec(root / "a.md", "a", body="word inside")
    spec(root / "b.md", "b", body="word inside")
    secret = spec(tmp_path / "secret.md", "secret", body="word SECRET")
    with Index.build([root], backend=backend) as index:
        hits = index.search("word", k=10)
        (root / "a.md").unlink()
        os.symlink(secret, root / "a.md")
        (root / "b.md").unlink()
        os.mkfifo(root / "b.md")
        shown: list[object] = []
        worker = threading.Thread(target=lambda: shown.extend(h.snippet for h in hits), daemon=True)
        worker.start()
        worker.join(60)
        if worker.is_alive():
            # Unblock the reader so the test run can end, then fail.
            with open(root / "b.md", "wb"):
                pass
            pytest.fail("iterating the hits blocked on a FIFO")
    assert shown == [None, None]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_build_never_indexes_a_file_outside_the_root(backend: str, tmp_path: Path) -> None:
    root = tmp_path / "root"
    spec(root / "in.md", "in")
    secret = spec(tmp_path / "secret.md", "secret", body="word SECRET")
    os.symlink(secret, root / "out.md")
    with Index.build([root], backend=backend, options=BuildOptions()) as index:
        assert listing(index) == [f"{root}/in.md"]
