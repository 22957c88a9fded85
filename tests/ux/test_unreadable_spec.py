"""Issue 12, point 10: a spec made unreadable after indexing costs its snippet, not the query.

Before the fix, the native engine's snippet read failed the whole query (exit
2). The query here answers from the last committed index, which still holds
the spec: another process holds the writer lock, as a running ``specsearch
index`` would, so the query does not walk the folder again (which would drop
the unreadable file from the index and hide the problem).
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

from tests.robustness.helpers import hold_writer_lock
from tests.ux.helpers import run, spec

if TYPE_CHECKING:
    from pathlib import Path


def make_unreadable(path: Path) -> str:
    """Make ``path`` unreadable as a file, whoever runs the test; say how."""
    if os.geteuid() != 0:
        path.chmod(0)
        return "chmod 000"
    # Root reads a chmod 000 file; nobody reads a folder as a file.
    path.unlink()
    path.mkdir()
    return "a folder in its place"


def test_a_spec_unreadable_after_indexing_loses_only_its_snippet(
    tmp_path: Path, backend: str
) -> None:
    root = tmp_path / "specs"
    gone = spec(root / "a.md", "a", "rust reviewer", "rust rust rust")
    kept = spec(root / "b.md", "b", "rust writer", "rust")
    index_dir = tmp_path / "index"
    where = [str(root), "--index", str(index_dir), "--backend", backend]
    assert run("index", *where)[0] == 0
    how = make_unreadable(gone)
    fd = hold_writer_lock(index_dir, backend)
    try:
        code, out, err = run("query", "rust", *where, "--json")
    finally:
        os.close(fd)
        if how == "chmod 000":
            gone.chmod(0o644)
    assert code == 0, (how, err)
    assert "last committed index" in err
    hits = {hit["path"]: hit for hit in json.loads(out)["hits"]}
    assert set(hits) == {str(gone), str(kept)}, how
    assert (hits[str(gone)]["line"], hits[str(gone)]["text"]) == (None, None), how
    assert hits[str(kept)]["text"] is not None
