"""A process forked after its parent searched an index searches it too.

A child of a fork has its parent's thread pools but not their threads: the
index's helper thread (a query of two words or more over two segments and
32,768 docs or more, ARCHITECTURE.md `prune/split`) and rayon's global pool
(a batch of queries, a long phrase, a build). Its work must not wait for
threads that never come.
"""

from __future__ import annotations

import os
import signal
import time
from typing import TYPE_CHECKING

import pytest

from specsearch import _native

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

#: How long the child may take before it counts as hung (a guard, not a timing).
HANG_SECONDS = 120.0


def _in_child(work: Callable[[], bool]) -> None:
    """Runs ``work`` in a forked child, which must return True and not hang."""
    pid = os.fork()
    if pid == 0:  # the child: its verdict as its exit code
        try:
            os._exit(0 if work() else 1)
        except BaseException:  # any failure is the child's exit code
            os._exit(2)
    deadline = time.monotonic() + HANG_SECONDS
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail("the forked child hung")
        time.sleep(0.05)
    assert os.waitstatus_to_exitcode(status) == 0


def _write(root: Path, lo: int, hi: int) -> None:
    for i in range(lo, hi):
        word = "beta" if i % 2 else "gamma"
        spec = f"---\nname: s{i}\ndescription: alpha {word}\n---\nalpha {word} delta\n"
        (root / f"s{i:05}.md").write_text(spec, encoding="utf-8")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
def test_a_forked_child_searches_an_index_its_parent_searched(tmp_path: Path) -> None:
    root = tmp_path / "specs"
    root.mkdir()
    index_dir = str(tmp_path / "ix")
    _write(root, 0, 17_000)
    _native.Index.open(index_dir, [str(root)])
    _write(root, 17_000, 34_000)  # a second segment
    index = _native.Index.open(index_dir, [str(root)])[0]
    stats = index.stats()
    assert stats["segments"] == 2
    assert index.num_docs == 34_000
    query = "alpha beta"
    want = index.search(query, 10)
    want_ids = want.ids_array().tolist()
    assert len(want_ids) == 10
    _in_child(lambda: index.search(query, 10).ids_array().tolist() == want_ids)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
def test_a_forked_child_runs_a_batch_after_its_parent_ran_one(tmp_path: Path) -> None:
    root = tmp_path / "specs"
    root.mkdir()
    _write(root, 0, 300)
    index = _native.Index.open(str(tmp_path / "ix"), [str(root)])[0]
    queries = ["alpha", "beta", "gamma delta", "alpha AND beta"] * 50
    first = index.search_many(queries, 5)
    want = (first.ids_array().tolist(), first.counts_list())
    assert len(want[0]) > 0

    def batch() -> bool:
        got = index.search_many(queries, 5)
        return (got.ids_array().tolist(), got.counts_list()) == want

    _in_child(batch)
