"""Issue 15, item 6: a build that fills the disk fails cleanly.

It needs a small tmpfs, so it runs only where mounting one is allowed (as
root); elsewhere it is skipped with that reason.
"""

from __future__ import annotations

import contextlib
import subprocess
from typing import TYPE_CHECKING

import pytest

from specsearch import Index

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@contextlib.contextmanager
def small_tmpfs(where: Path) -> Iterator[Path]:
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=False)


def test_a_full_disk_fails_cleanly(backend: str, tmp_path: Path) -> None:
    root = tmp_path / "specs"
    root.mkdir()
    for i in range(600):
        words = " ".join(f"w{i}x{j}" for j in range(400))
        (root / f"s{i}.md").write_text(f"---\nname: s{i}\n---\n{words}\n", encoding="utf-8")
    with small_tmpfs(tmp_path / "disk") as disk:
        for _ in range(2):
            with pytest.raises(OSError, match=r"(?i)no space left") as caught:
                Index.open([root], index_dir=disk, backend=backend).close()
            assert caught.value.filename is not None
            assert str(disk) in str(caught.value.filename)
            left = sorted(p.name for p in (disk / backend).iterdir())
            assert left in ([], ["LOCK"]), left
