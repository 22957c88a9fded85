"""Every query form, native vs python, over the real corpora (../shared/corpora).

For each form of the query language, QUERIES_PER_FORM queries are drawn
(seeded) from the corpus's own vocabulary; both engines must return the same
ids in the same order, bit-identical float32 scores (SPEC.md §12), and the same snippets
(line, text, spans) for the top hits.
"""

from __future__ import annotations

import itertools
import random
import re
from typing import TYPE_CHECKING

import numpy as np
import pytest

from specsearch import Index, QueryError

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

pytestmark = pytest.mark.corpora

QUERIES_PER_FORM = 40
K = 20
SNIPPETS = 5


@pytest.fixture(scope="module")
def engines(corpora: Path) -> tuple[Index, Index]:
    native = Index.build([corpora], backend="native")
    python = Index.build([corpora], backend="python")
    return native, python


@pytest.fixture(scope="module")
def vocab(engines: tuple[Index, Index]) -> list[str]:
    """Words of the corpus's names and descriptions, common and rare alike,
    and (after a blank entry) pairs of words that stand next to each other there.
    """
    _, python = engines
    words: set[str] = set()
    pairs: set[str] = set()
    for hit in python.search("agent skill use when", k=600):
        found = re.findall(r"[A-Za-z][A-Za-z_-]{2,}", f"{hit.name} {hit.description}")
        words.update(found)
        pairs.update(f"{a} {b}" for a, b in itertools.pairwise(found))
    return [*sorted(words), "", *sorted(pairs)]


def _words(v: list[str]) -> list[str]:
    return v[: v.index("")]


def _pairs(v: list[str]) -> list[str]:
    return v[v.index("") + 1 :]


def _typo(rng: random.Random, w: str) -> str:
    i = rng.randrange(len(w))
    return w[:i] + w[i + 1 :] if rng.random() < 0.5 else w[:i] + "x" + w[i:]


FORMS: dict[str, Callable[[random.Random, list[str]], str]] = {  # v: see vocab()
    "term": lambda r, v: r.choice(v),
    "or": lambda r, v: " ".join(r.sample(v, r.randint(2, 3))),
    "phrase": lambda r, v: '"' + r.choice(_pairs(v)) + '"',
    "and": lambda r, v: f"{r.choice(v)} AND {r.choice(v)}",
    "not": lambda r, v: f"{r.choice(v)} NOT {r.choice(v)}",
    "must": lambda r, v: f"+{r.choice(v)} {r.choice(v)} -{r.choice(v)}",
    "group": lambda r, v: f"({r.choice(v)} OR {r.choice(v)}) AND {r.choice(v)}",
    "field": lambda r, v: f"{r.choice(['name', 'description', 'body', 'headings'])}:{r.choice(v)}",
    "frontmatter_key": lambda r, v: (
        r.choice(["model:opus", "model:sonnet", "tools:read", "tools:bash", "color:blue"])
        + " "
        + r.choice(v)
    ),
    "prefix": lambda r, v: r.choice(v)[: r.randint(3, 5)] + "*",
    "fuzzy": lambda r, v: _typo(r, r.choice(v)) + f"~{r.randint(1, 2)}",
    "code": lambda r, v: r.choice(["TaskGroup", "snake_case", "kebab-case", "x86_64", "asyncio"]),
    "pure_negative": lambda r, v: f"-{r.choice(v)}",
}


def _error_position(index: Index, text: str) -> int | None:
    try:
        index.search(text, 0)
    except QueryError as err:
        return err.position
    return None


@pytest.mark.parametrize("form", sorted(FORMS))
def test_form_ranks_identically(engines: tuple[Index, Index], vocab: list[str], form: str) -> None:
    native, python = engines
    rng = random.Random(f"{form}-20261127")
    answered = 0
    for _ in range(QUERIES_PER_FORM):
        text = FORMS[form](rng, vocab if form == "phrase" else _words(vocab))
        expected_error = _error_position(python, text)
        if expected_error is not None:
            assert _error_position(native, text) == expected_error, text
            continue
        expected = python.search(text, K)
        got = native.search(text, K)
        assert got.doc_ids.tolist() == expected.doc_ids.tolist(), text
        np.testing.assert_array_equal(got.scores, expected.scores, err_msg=text)
        assert [h.snippet for h in got[:SNIPPETS]] == [h.snippet for h in expected[:SNIPPETS]]
        answered += len(got) > 0
    # The forms are drawn from the corpus's vocabulary: most find something.
    assert answered >= QUERIES_PER_FORM // 4, form


def test_weights_change_rankings_identically(engines: tuple[Index, Index]) -> None:
    native, python = engines
    for weights in ({"body": 5.0}, {"name": 0.0, "description": 0.0}, {"examples": 10.0}):
        expected = python.search("code review security", K, weights=weights)
        got = native.search("code review security", K, weights=weights)
        assert got.doc_ids.tolist() == expected.doc_ids.tolist(), weights
        np.testing.assert_array_equal(got.scores, expected.scores)
    default = native.search("code review security", K)
    body_heavy = native.search("code review security", K, weights={"body": 5.0})
    assert default.doc_ids.tolist() != body_heavy.doc_ids.tolist()


def test_batch_equals_single_searches(engines: tuple[Index, Index], vocab: list[str]) -> None:
    native, python = engines
    rng = random.Random(7)
    queries = [
        FORMS[f](rng, vocab if f == "phrase" else _words(vocab))
        for f in sorted(FORMS)
        for _ in range(5)
    ]
    batch = native.search_many(queries, K)
    assert batch.doc_ids.shape == (len(queries), K)
    assert batch.doc_ids.flags.owndata is False
    for row, text in enumerate(queries):
        if row in batch.errors:
            with pytest.raises(QueryError):
                python.search(text, K)
            continue
        n = batch.counts[row]
        single = python.search(text, K)
        assert batch.doc_ids[row, :n].tolist() == single.doc_ids.tolist(), text
