"""Running specsearch in a child process, so a hang or an abort fails a test instead of the run."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

#: Long enough for a slow, shared machine; a hang is far longer.
TIMEOUT_SECONDS = 120
MD = "---\nname: {name}\ndescription: d\n---\nword body\n"


def cli(
    *args: str | bytes, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """``python -m specsearch ARGS`` with bytes output (arguments may be bytes)."""
    command: list[str | bytes] = [sys.executable, "-m", "specsearch", *args]
    return subprocess.run(
        command,
        capture_output=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
        env={**os.environ, **(env or {})},
    )


def python(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter (output as text)."""
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )


def spec(path: Path, name: str, body: str = "word body") -> Path:
    """Write a small spec at ``path`` (folders made as needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\nname: {name}\ndescription: d\n---\n{body}\n", encoding="utf-8")
    return path


def hold_writer_lock(index_dir: Path, backend: str) -> int:
    """Take the writer lock of an index folder, as another writer would (closing frees it)."""
    folder = index_dir / backend
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / "LOCK", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd
