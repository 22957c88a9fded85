"""Issue 15, item 4: a snippet of a line with very many matches takes linear time.

Each engine answers in a thread that must finish within a generous bound (a
hang guard, not a timing measurement): the quadratic span conversion took
more than 120 s on the 12 MB line.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import pytest

from specsearch import Index

if TYPE_CHECKING:
    from pathlib import Path

    from specsearch.types import Snippet

GUARD_SECONDS = 120


def snippet_in_time(root: Path, backend: str, query: str) -> Snippet | None:
    found: list[Snippet | None] = []
    with Index.build([root], backend=backend) as index:
        hits = index.search(query, k=1)
        worker = threading.Thread(target=lambda: found.extend(h.snippet for h in hits))
        worker.start()
        worker.join(GUARD_SECONDS)
        assert not worker.is_alive(), f"no snippet within {GUARD_SECONDS} s"
    return found[0]


@pytest.mark.parametrize("query", ["wordy", '"wordy wordy"', "word*"])
def test_a_12_mb_line_of_matches(backend: str, tmp_path: Path, query: str) -> None:
    line = "wordy " * 2_000_000
    (tmp_path / "long.md").write_text(f"---\nname: long\n---\n{line}\n", encoding="utf-8")
    snippet = snippet_in_time(tmp_path, backend, query)
    assert snippet is not None
    assert snippet.line == 4
    assert snippet.spans[0] == (0, 5)
    assert snippet.spans[-1][1] == len(line) - 1


def test_char_offsets_agree_on_a_long_non_ascii_line(tmp_path: Path) -> None:
    line = "é wordy ünïcode wordy " * 5000
    (tmp_path / "long.md").write_text(f"---\nname: long\n---\n{line}\n", encoding="utf-8")
    native, python = (
        snippet_in_time(tmp_path, b, '"wordy ünïcode" wordy') for b in ("native", "python")
    )
    assert native == python
    assert native is not None
    assert len(native.spans) == 15_000  # three matched words per repeat
