"""A process forked after its parent searched a large index searches it too.

A query of two words or more over an index of two segments or more and
32,768 docs or more hands half of its work to the index's helper thread
(ARCHITECTURE.md, `prune/split`). A child forked after that thread started has the
pool but not the thread: its queries must run on one thread, not wait for
a helper that never comes.
"""

from __future__ import annotations

import os
import signal
import time
from typing import TYPE_CHECKING

import pytest

from specsearch import _native

if TYPE_CHECKING:
    from pathlib import Path

#: How long the child may take before it counts as hung (a guard, not a timing).
HANG_SECONDS = 120.0


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
    pid = os.fork()
    if pid == 0:  # the child: same hits, or a code the parent reports
        try:
            got = index.search(query, 10).ids_array().tolist()
            os._exit(0 if got == want_ids else 1)
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
            pytest.fail(f"the forked child hung on {query!r}")
        time.sleep(0.05)
    assert os.waitstatus_to_exitcode(status) == 0
