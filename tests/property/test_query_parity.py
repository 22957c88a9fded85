"""Differential tests of the query language: every query form, native vs python.

Queries are drawn from a grammar that covers every form of SPEC.md
§11 and §5 (bare terms, phrases, AND/OR/NOT, +/-, groups, field filters on
schema fields and frontmatter keys, unknown fields, prefix, fuzzy) plus
syntax problems, with random field weights; both engines must return the
same ids in the same order, bit-identical float32 scores (SPEC.md §12), the same snippets
(line, text and spans), and the same QueryError positions.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from specsearch import Index, QueryError
from specsearch.schema import FIELDS
from tests.property.test_differential import corpus

VOCAB = [
    "rust",
    "python",
    "concurrency",
    "concurrent",
    "concurrently",
    "async",
    "review",
    "reviewing",
    "reviews",
    "agent",
    "agents",
    "TaskGroup",
    "task",
    "group",
    "taskgroup",
    "snake_case",
    "kebab-case",
    "x86_64",
    "naïve",
    "并发",
    "straße",
    "example",
    "user",
    "opus",
    "sonnet",
    "Read",
    "Write",
]
FIELD_NAMES = [*FIELDS, "model", "tools", "color", "x-key", "NAME", "unknownfield"]


def _typo(word: str, i: int) -> str:
    if not word:
        return word
    i %= len(word)
    return word[:i] + word[i + 1 :]


vocab_word = st.sampled_from(VOCAB)
prefix = st.builds(lambda w, n: w[: max(1, n)] + "*", vocab_word, st.integers(1, 6))
fuzzy = st.builds(
    lambda w, i, d: f"{_typo(w, i)}~{d}",
    vocab_word,
    st.integers(0, 9),
    st.sampled_from(["", "0", "1", "2"]),
)
phrase = st.lists(vocab_word, min_size=1, max_size=3).map(lambda ws: '"' + " ".join(ws) + '"')
leaf = st.one_of(vocab_word, vocab_word, phrase, prefix, fuzzy)
fielded = st.builds(lambda f, x: f"{f}:{x}", st.sampled_from(FIELD_NAMES), leaf)


def _expr(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.lists(children, min_size=1, max_size=3).map(" ".join),
        st.builds(lambda a, b: f"{a} AND {b}", children, children),
        st.builds(lambda a, b: f"{a} OR {b}", children, children),
        st.builds(lambda a: f"NOT {a}", children),
        st.builds(lambda m, a: f"{m}{a}", st.sampled_from(["+", "-"]), children),
        children.map(lambda a: f"({a})"),
        st.builds(lambda f, a: f"{f}:({a})", st.sampled_from(FIELD_NAMES[:8]), children),
    )


query = st.one_of(
    st.recursive(st.one_of(leaf, fielded), _expr, max_leaves=6),
    # Syntax problems and odd input: lenient repairs, strict errors.
    st.sampled_from(
        [":", '"unclosed', "(a OR", "a)", "AND", "NOT", "*", "~", "", "  ", "\x00\x07"]
    ),
    st.text(st.sampled_from(list('ab "():*~+-\\x')), max_size=12),
)
weights = st.one_of(
    st.none(),
    st.dictionaries(
        st.sampled_from(FIELDS), st.floats(min_value=0, max_value=10, allow_nan=False), max_size=3
    ),
)


def outcome(index: Index, text: str, k: int, w: dict[str, float] | None, strict: bool) -> object:
    """What a search gives: its QueryError position, or ids, scores and snippets."""
    try:
        hits = index.search(text, k, weights=w, strict=strict)
        return (hits.doc_ids.tolist(), hits.scores.tolist(), [h.snippet for h in hits])
    except QueryError as err:
        return err.position


def assert_same(
    native: Index, python: Index, text: str, k: int, w: dict[str, float] | None
) -> None:
    for strict in (False, True):
        got = outcome(native, text, k, w, strict)
        expected = outcome(python, text, k, w, strict)
        if isinstance(expected, int) or isinstance(got, int):
            assert got == expected, (text, strict)
            continue
        assert isinstance(got, tuple)
        assert isinstance(expected, tuple)
        assert got[0] == expected[0], (text, strict)
        np.testing.assert_array_equal(got[1], expected[1], err_msg=text)
        assert got[2] == expected[2], (text, strict)


@given(
    files=corpus,
    query_list=st.lists(query, min_size=1, max_size=6),
    k=st.integers(min_value=0, max_value=10),
    w=weights,
)
def test_every_query_form_ranks_identically(
    files: list[bytes], query_list: list[str], k: int, w: dict[str, float] | None
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for i, data in enumerate(files):
            (root / f"spec{i}.md").write_bytes(data)
        with (
            Index.build([root], backend="native") as native,
            Index.build([root], backend="python") as python,
        ):
            for text in query_list:
                assert_same(native, python, text, k, w)
            # A batch gives, row by row, what single searches give.
            batch_n = native.search_many(query_list, k, weights=w)
            batch_p = python.search_many(query_list, k, weights=w)
            assert batch_n.doc_ids.tolist() == batch_p.doc_ids.tolist()
            assert batch_n.counts == batch_p.counts
            assert sorted(batch_n.errors) == sorted(batch_p.errors)
            for row, text in enumerate(query_list):
                single = outcome(native, text, k, w, False)
                if isinstance(single, int):
                    assert batch_n.errors[row].position == single
                    assert batch_n.counts[row] == 0
                    continue
                assert isinstance(single, tuple)
                n = batch_n.counts[row]
                assert batch_n.doc_ids[row, :n].tolist() == single[0]
                assert batch_n.scores[row, :n].tolist() == single[1]
                assert (batch_n.doc_ids[row, n:] == -1).all()
                assert all(math.isnan(x) for x in batch_n.scores[row, n:].tolist())
