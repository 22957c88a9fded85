"""kill -9 an indexer at random moments; the index must stay openable and right.

After each kill, the index as it is on disk answers exactly as a fresh build
of either the corpus before the update or the corpus after it (never a mix),
and the next open brings it up to date.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING

from specsearch import Index

if TYPE_CHECKING:
    from pathlib import Path

WRITER = """
import sys
from specsearch import Index
Index.open([sys.argv[1]], index_dir=sys.argv[2], backend=sys.argv[3]).close()
print("done", flush=True)
"""
WORDS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "rust",
    "python",
    "tokio",
    "kubernetes",
    "operator",
    "security",
    "audit",
    "sql",
]
QUERIES = ["alpha", "rust tokio", "kubernetes operator", "security audit sql", "gamma delta"]
TRIALS = int(os.environ.get("SPECSEARCH_CRASH_TRIALS", "12"))

Answers = list[list[tuple[str, float]]]


def answers(index: Index) -> Answers:
    return [[(h.path, h.score) for h in index.search(q, k=20)] for q in QUERIES]


def fresh(root: Path, backend: str) -> Answers:
    with Index.build([root], backend=backend) as index:
        return answers(index)


def write_spec(root: Path, i: int, rng: random.Random) -> None:
    folder = root / f"group{i % 17}"
    folder.mkdir(exist_ok=True)
    body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 400)))
    description = " ".join(rng.choices(WORDS, k=8))
    (folder / f"spec{i}.md").write_text(
        f"---\nname: spec-{i}\ndescription: {description}\n---\n# Spec {i}\n{body}\n",
        encoding="utf-8",
    )


def mutate(root: Path, rng: random.Random, count: int) -> None:
    """Add, change and delete some specs."""
    existing = sorted(root.rglob("*.md"))
    for path in rng.sample(existing, min(len(existing) // 10, count)):
        path.unlink()
    for _ in range(count):
        write_spec(root, rng.randrange(count * 40), rng)


def run_writer(root: Path, index_dir: Path, backend: str, kill_after: float | None) -> bool:
    """Run the indexer; kill -9 it after ``kill_after`` seconds. True if it finished."""
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(root), str(index_dir), backend],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    if kill_after is None:
        out, _ = proc.communicate(timeout=300)
        return out.strip() == b"done"
    time.sleep(kill_after)
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate(timeout=60)
    return out.strip() == b"done"


def test_kill_minus_9_at_random_moments(backend: str, tmp_path: Path) -> None:
    rng = random.Random(f"crash-{backend}")
    root = tmp_path / "corpus"
    root.mkdir()
    for i in range(1500 if backend == "native" else 400):
        write_spec(root, i, rng)
    index_dir = tmp_path / "idx"
    # How long one full run takes here, so the kills land all over it.
    started = time.monotonic()
    assert run_writer(root, index_dir, backend, None)
    duration = time.monotonic() - started
    committed = fresh(root, backend)
    killed_midway = 0
    for trial in range(TRIALS):
        if trial % 4 == 0:
            # Sometimes crash the very first build, too.
            for path in index_dir.glob("*/*"):
                path.unlink()
        mutate(root, rng, count=40)
        wanted = fresh(root, backend)
        finished = run_writer(root, index_dir, backend, rng.uniform(0, duration * 1.2))
        killed_midway += not finished
        try:
            with Index.open_existing([root], index_dir=index_dir, backend=backend) as index:
                on_disk = answers(index)
        except FileNotFoundError:
            on_disk = None  # the first build never committed
        if on_disk is not None:
            assert on_disk in (committed, wanted), f"trial {trial}: a torn index"
        with Index.open([root], index_dir=index_dir, backend=backend) as index:
            assert answers(index) == wanted, f"trial {trial}"
        committed = wanted
    # The figures of the kill -9 profile (README, "Reliability profiles"): run with -s.
    print(f"{backend}: {TRIALS} trials passed, {killed_midway} killed before the writer finished")
    assert killed_midway > 0, "no kill landed before the writer finished: the test proves nothing"
