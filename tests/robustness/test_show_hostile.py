"""`specsearch show` and the MCP `show_spec` read one spec file: a FIFO in
its place is refused at once (never waited on), and a file past the size
limit is refused with the limit named, not read whole."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import TYPE_CHECKING, NoReturn

import pytest

from specsearch.show import read_shown

if TYPE_CHECKING:
    from pathlib import Path
    from types import FrameType

SPEC = "---\nname: alpha\ndescription: a spec\n---\nbody text\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs (nor SIGALRM) on this platform")
def test_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "alpha.md"
    os.mkfifo(fifo)

    def hung(signum: int, frame: FrameType | None) -> NoReturn:
        raise RuntimeError("read_shown waited on a FIFO that no one writes")

    # No writer ever opens it: a blocking open would hang for good, so an
    # alarm turns a hang into this test's failure.
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(30)
    try:
        with pytest.raises(OSError, match="not a regular file") as caught:
            read_shown("alpha.md", str(fifo))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert caught.value.filename == str(fifo)


def test_a_file_past_the_limit_is_refused_with_the_limit(tmp_path: Path) -> None:
    spec = tmp_path / "big.md"
    spec.write_text(SPEC + "x" * 200)
    with pytest.raises(OSError, match=r"larger than max_file_bytes \(100 bytes\)"):
        read_shown("big.md", str(spec), max_bytes=100)
    shown = read_shown("big.md", str(spec), max_bytes=len(SPEC) + 200)
    assert shown.name == "alpha"
    assert shown.body.startswith("body text")


def test_show_of_a_huge_file_is_one_line_naming_it(tmp_path: Path) -> None:
    """A sparse file past the default limit (64 MiB): exit 2 and one line."""
    spec = tmp_path / "huge.md"
    spec.write_text(SPEC)
    os.truncate(spec, 65 * 1024 * 1024)
    out = subprocess.run(
        [sys.executable, "-m", "specsearch", "show", str(spec)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert out.returncode == 2, out
    assert "Traceback" not in out.stderr
    assert str(spec) in out.stderr
    assert "larger than max_file_bytes" in out.stderr
    assert out.stdout == ""
