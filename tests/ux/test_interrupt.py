"""Issue 12, point 7: Ctrl-C stops native indexing, keeps the last commit, exits 130."""

from __future__ import annotations

import json
import os
import pty
import random
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "specs"


def command() -> str:
    found = shutil.which("specsearch", path=str(Path(sys.executable).parent))
    assert found is not None, "the specsearch entry point is not installed next to this Python"
    return found


def many_specs(folder: Path, n: int, start: int = 0) -> None:
    """``n`` distinct specs of about 5 KB, from the examples and random words,
    numbered from ``start``."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.md"))]
    rnd = random.Random(12 + start)
    vocabulary = [f"w{rnd.randrange(10**6)}" for _ in range(5000)]
    for i in range(start, start + n):
        words = " ".join(rnd.choice(vocabulary) for _ in range(500))
        (folder / f"s{i:06}.md").write_text(f"{texts[i % len(texts)]}\n{words}\n", encoding="utf-8")


def _start_on_a_terminal(base: list[str]) -> tuple[subprocess.Popen[bytes], int]:
    """Starts ``base`` with stderr on a pty (so that the progress bar shows); its master."""
    master, slave = pty.openpty()
    # The indexer must start with SIGINT at its default, as from a terminal,
    # even when these tests run where it is ignored (a shell's background
    # job ignores it, and an ignored signal stays ignored across exec, so
    # Python would never raise KeyboardInterrupt): handle it here, and exec
    # resets a handled signal to its default in the child.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        proc = subprocess.Popen(base, stdout=subprocess.DEVNULL, stderr=slave)
    finally:
        signal.signal(signal.SIGINT, previous)
    os.close(slave)
    return proc, master


def _progress_shown(proc: subprocess.Popen[bytes], master: int) -> bytes:
    """What the indexer wrote to its terminal until its progress bar showed,
    or until it exited (a pty's master reads EIO once the child has gone)."""
    seen = b""
    while b"indexing" not in seen and proc.poll() is None:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            seen += os.read(master, 4096)
        except OSError:
            break
    return seen


def stats(root: Path, index: Path) -> dict[str, object]:
    proc = subprocess.run(
        [command(), "stats", str(root), "--index", str(index), "--backend", "native", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    doc: dict[str, object] = json.loads(proc.stdout)
    return doc


def test_sigint_while_indexing_exits_130_and_keeps_the_last_commit(tmp_path: Path) -> None:
    root = tmp_path / "specs"
    root.mkdir()
    index = tmp_path / "index"
    shutil.copy(EXAMPLES / "security-auditor.md", root)
    base = [command(), "index", str(root), "--index", str(index), "--backend", "native"]
    subprocess.run(base, check=True, capture_output=True)
    assert stats(root, index)["docs"] == 1
    # The progress bar shows only once indexing has run for a while; a fast
    # machine may index a batch before that. Then the batch is committed and
    # a bigger one is added, until one is slow enough to be interrupted.
    committed, total = 1, 1
    proc = None
    for batch in (8000, 16000, 32000):
        many_specs(root, batch, start=total)
        total += batch
        proc, master = _start_on_a_terminal(base)
        seen = _progress_shown(proc, master)
        if b"indexing" in seen:
            break
        assert proc.wait(timeout=120) == 0, seen
        os.close(master)
        committed = total
    assert proc is not None
    try:
        assert b"indexing" in seen, seen
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=120)
        # Reported, not asserted (no timing assertions in tests).
        print(f"exited {time.monotonic() - sent:.3f} s after SIGINT")
        while select.select([master], [], [], 0.2)[0]:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    assert code == 130, seen
    assert b"Traceback" not in seen
    assert stats(root, index)["docs"] == committed  # the last commit, intact
    done = subprocess.run(base, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert stats(root, index)["docs"] == total
