"""Differential tests: the native engine against the pure-Python reference.

Same doc ids in the same order, bit-identical float32 scores (SPEC.md §12), same problems,
on hypothesis-generated corpora and queries.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from specsearch import Index, Problem, QueryError

if TYPE_CHECKING:
    from collections.abc import Sequence

WORDS = [
    "rust",
    "python",
    "concurrency",
    "async",
    "tokio",
    "kubernetes",
    "operator",
    "review",
    "security",
    "audit",
    "sql",
    "index",
    "TaskGroup",
    "snake_case",
    "kebab-case",
    "Σίσυφος",
    "naïve",
    "café",
    "并发",
    "编程",
    "データ",
    "ß",
    "straße",
    "ǅemal",
    "x86_64",
    "v2.0",
    "🦀",
    "agent",
    "agents",
    "user",
    "example",
    "name",
    "description",
]
word = st.sampled_from(WORDS)
words = st.lists(word, min_size=0, max_size=12).map(" ".join)
free_text = st.text(st.characters(codec="utf-8"), max_size=60)
line = st.one_of(
    words,
    words.map(lambda w: f"# {w}"),
    words.map(lambda w: f"## {w} ##"),
    st.just("```"),
    st.just("~~~~"),
    words.map(lambda w: f"<example>\nuser: {w}\nassistant: ok\n</example>"),
    words.map(lambda w: f"**User**: {w}"),
    free_text,
)
body = st.lists(line, max_size=12).map("\n".join)
yaml_value = st.one_of(
    words,
    words.map(lambda w: f'"{w}"'),
    words.map(lambda w: f"{w}: {w}"),  # malformed: a plain value holding ': '
    words.map(lambda w: f"[{w}, x]"),
    words.map(lambda w: f"*{w}"),  # an alias that does not exist
    words.map(lambda w: f"|\n  {w}\n  {w}"),
    words.map(lambda w: f'"{w}\\\\n<example>\\\\nuser: {w}\\\\n</example>"'),
)
frontmatter = st.lists(
    st.tuples(
        st.sampled_from(["name", "description", "tools", "model", "color", "x-key"]), yaml_value
    ),
    max_size=5,
).map(lambda kv: "\n".join(f"{k}: {v}" for k, v in kv))


@st.composite
def spec_file(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["fenced", "bare", "none", "unterminated"]))
    fm, text = draw(frontmatter), draw(body)
    if kind == "fenced":
        doc = f"---\n{fm}\n---\n{text}"
    elif kind == "bare":
        doc = f"name: {draw(words)}\n{fm}\n\n{text}"
    elif kind == "unterminated":
        doc = f"---\n{fm}\n{text}"
    else:
        doc = text
    if draw(st.booleans()):
        doc = doc.replace("\n", "\r\n")
    data = doc.encode("utf-8")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    if draw(st.booleans()):
        data += draw(st.sampled_from([b"\xff\xfe bad", b"\xc3", b"\xe2\x82 x"]))
    return data


corpus = st.lists(spec_file(), min_size=1, max_size=8)
queries = st.lists(st.one_of(words, word, free_text), min_size=1, max_size=5)


def where(problems: Sequence[Problem]) -> list[tuple[str, int | None]]:
    return [(p.path, p.line) for p in problems]


def error_position(index: Index, query: str, k: int) -> int | None:
    """The position of the QueryError ``query`` raises, or None if it runs."""
    try:
        index.search(query, k)
    except QueryError as err:
        return err.position
    return None


def assert_same_answers(root: Path, query_list: list[str], k: int) -> None:
    with (
        Index.build([root], backend="native") as native,
        Index.build([root], backend="python") as python,
    ):
        assert len(native) == len(python)
        # Messages come from two YAML parsers and differ in wording; where is what counts.
        assert where(native.problems) == where(python.problems)
        for query in query_list:
            expected_error = error_position(python, query, k)
            if expected_error is not None:
                assert error_position(native, query, k) == expected_error, query
                continue
            expected = python.search(query, k)
            got = native.search(query, k)
            assert got.doc_ids.tolist() == expected.doc_ids.tolist(), query
            np.testing.assert_array_equal(got.scores, expected.scores, err_msg=query)
            assert [h.snippet for h in got] == [h.snippet for h in expected], query
            assert [(h.path, h.name, h.description) for h in got] == [
                (h.path, h.name, h.description) for h in expected
            ], query


@given(files=corpus, query_list=queries, k=st.integers(min_value=0, max_value=10))
def test_generated_corpora_rank_identically(
    files: list[bytes], query_list: list[str], k: int
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for i, data in enumerate(files):
            sub = root / ("skills" if i % 3 == 0 else "agents") / f"agent-{i}"
            sub.mkdir(parents=True)
            (sub / ("SKILL.md" if i % 3 == 0 else f"spec{i}.md")).write_bytes(data)
        assert_same_answers(root, query_list, k)
