"""The native on-disk index's pruned top-k against the pure-Python engine.

A corpus large enough for block maxima (terms in hundreds of docs) and full
of stem variants (``review``, ``reviews``, ``reviewing``…), so the native
search prunes sets of several variants as one cursor with the union df
stored in the segments (SPEC.md §5, §10); the python engine scores every
doc. Same ids in the same order, bit-identical float32 scores.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import numpy as np

from specsearch import Index

if TYPE_CHECKING:
    from pathlib import Path

VARIANTS = [
    "agent",
    "agents",
    "review",
    "reviews",
    "reviewed",
    "reviewing",
    "test",
    "tests",
    "testing",
    "code",
    "coding",
    "deploy",
    "deployed",
    "alpha",
    "zeta",
]

QUERIES = [
    "agent",
    "agents",
    "review",
    "reviewing",
    "tests",
    "model:m1 testing",
    "agent zeta",
    "+review -deployed",
    "code AND review",
    '"code review"',
    "description:agents",
]


def words(rng: random.Random, most: int) -> str:
    n = rng.randint(1, most)
    # Skewed: the first words are the commonest.
    return " ".join(VARIANTS[min(rng.randrange(len(VARIANTS)) for _ in range(2))] for _ in range(n))


def write_corpus(root: Path, docs: int, seed: int) -> None:
    rng = random.Random(seed)
    for i in range(docs):
        spec = (
            f"---\nname: {words(rng, 2)} {i}\ndescription: {words(rng, 6)}\n"
            f"model: m{rng.randrange(3)}\n---\n{words(rng, 50)}\n"
        )
        path = root / f"d{i % 5}" / f"s{i:04}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(spec, encoding="utf-8")


def test_pruned_stem_unions_rank_as_the_python_engine(tmp_path: Path) -> None:
    root = tmp_path / "specs"
    write_corpus(root, 3000, 11)
    with (
        Index.open([root], index_dir=tmp_path / "ix", backend="native") as native,
        Index.build([root], backend="python") as python,
    ):
        for query in QUERIES:
            for k in (1, 10, 1000):
                want = python.search(query, k)
                got = native.search(query, k)
                assert list(got.doc_ids) == list(want.doc_ids), (query, k)
                assert np.array_equal(
                    np.asarray(got.scores).view(np.uint32),
                    np.asarray(want.scores).view(np.uint32),
                ), (query, k)
