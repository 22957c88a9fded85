"""Query semantics of the pure engine: planning, combining, batches, snippets (§5, §6)."""

from __future__ import annotations

import hashlib
import json
import math
from typing import TYPE_CHECKING

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specsearch.errors import QueryError, SchemaError
from specsearch.pure import PureIndex, store
from specsearch.pure.analysis import tokenizer
from specsearch.pure.search import (
    LineMatcher,
    fuzzy_matches,
    levenshtein,
    line_match,
    merge_spans,
    positive_leaves,
)
from specsearch.types import Snippet

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path


def corpus(tmp_path: Path, files: Mapping[str, str]) -> str:
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return str(tmp_path)


def spec(name: str, body: str, **front: str) -> str:
    lines = [f"name: {name}"] + [f"{key}: {value}" for key, value in front.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + body + "\n"


@pytest.fixture
def docs(tmp_path: Path) -> PureIndex:
    # Doc ids follow the file names' walk order: a, b, c, d, e, f.
    return PureIndex.build(
        [
            corpus(
                tmp_path,
                {
                    "a.md": spec(
                        "alpha", "structured concurrency with asyncio TaskGroup", model="opus"
                    ),
                    "b.md": spec("beta", "a task group runs tasks concurrently", model="sonnet"),
                    "c.md": spec(
                        "gamma", "use taskgroup and snake_case names", tools="Read, Write"
                    ),
                    "d.md": spec("delta", "python web apps with django"),
                    "e.md": spec("epsilon", "python scripts and concurrent code"),
                    "f.md": spec("zeta", "draft notes about code review and review tools"),
                },
            )
        ]
    )


def ids(index: PureIndex, query: str, k: int = 10) -> list[int]:
    return [int(doc_id) for doc_id in index.search(query, k)[0]]


def test_stemming_finds_other_forms_but_phrases_are_exact(docs: PureIndex) -> None:
    # concurrency (a), concurrently (b), concurrent (e) share the key "concurr".
    assert sorted(ids(docs, "concurrent")) == [0, 1, 4]
    assert ids(docs, '"concurrent"') == [4]
    # "tasks" has the key "task": TaskGroup's part (a), "task" and "tasks" (b).
    assert sorted(ids(docs, "tasks")) == [0, 1]
    assert ids(docs, '"tasks"') == [1]


def test_code_aware_terms(docs: PureIndex) -> None:
    # TaskGroup: keys task, group, taskgroup -> "task group" (b), "taskgroup" (c).
    assert sorted(ids(docs, "TaskGroup")) == [0, 1, 2]
    assert ids(docs, "TaskGroup")[0] == 0  # all three keys
    assert sorted(ids(docs, '"task group"')) == [0, 1]
    assert ids(docs, '"TaskGroup"') == ids(docs, '"task group"')
    assert ids(docs, "snake_case") == [2]
    assert ids(docs, "snake") == [2]
    assert ids(docs, '"snake case"') == [2]


def test_prefix(docs: PureIndex) -> None:
    assert ids(docs, "snake_ca*") == [2]  # the pattern is the whole: snake_ca
    assert sorted(ids(docs, "TaskGr*")) == [0, 2]  # taskgr: taskgroup terms only
    assert sorted(ids(docs, "concurren*")) == [0, 1, 4]
    assert ids(docs, "djang*") == [3]
    # No stemming: "concurr" is a prefix of the terms, "concurrence*" of none.
    assert ids(docs, "concurrence*") == []


def test_fuzzy(docs: PureIndex) -> None:
    assert ids(docs, "concurency~1") == [0]
    assert ids(docs, "concurency~0") == []
    assert ids(docs, "djanga~1") == [3]
    assert ids(docs, "djnago~1") == []  # a transposition costs 2
    assert ids(docs, "djnago~2") == [3]
    assert ids(docs, "djnago~") == [3]  # a bare ~ is distance 2


def test_levenshtein_counts_code_points() -> None:
    assert levenshtein("é", "è", 1) == 1
    assert levenshtein("日本", "日", 2) == 1
    assert levenshtein("kitten", "sitting", 5) == 3
    assert levenshtein("kitten", "sitting", 2) == 3  # capped at limit + 1
    assert levenshtein("", "abc", 3) == 3


_LETTERS = st.sampled_from("abce\u00e9\U0010ffff")


@settings(max_examples=300, deadline=None)
@given(
    terms=st.lists(st.text(_LETTERS, max_size=7), max_size=40),
    pattern=st.text(_LETTERS, max_size=6),
    limit=st.integers(0, 3),
)
def test_fuzzy_matches_is_levenshtein_over_sorted_terms(
    terms: list[str], pattern: str, limit: int
) -> None:
    """The shared-prefix scan finds what a scan of every term finds, in order."""
    terms = sorted(set(terms))
    expected = [i for i, term in enumerate(terms) if levenshtein(term, pattern, limit) <= limit]
    assert fuzzy_matches(terms, pattern, limit) == expected


@pytest.mark.parametrize(
    "query",
    [
        "task group",
        "concurrency OR python OR review OR tools OR code",
        'task* taskgroup~1 "code review" python -django',
        "concurent~2 revie* asyncio snake_case",
        "body:python model:opus names",
    ],
)
def test_line_matcher_answers_as_line_match_leaf_by_leaf(docs: PureIndex, query: str) -> None:
    """All leaves at once: the same count of matching leaves and the same spans per line."""
    fields = list(docs._fields.values())
    leaves = positive_leaves(docs._plan(query, False))
    matcher = LineMatcher(fields, leaves)
    for doc_id in range(6):
        path = docs._doc(doc_id).fs_path
        with open(path, encoding="utf-8") as f:
            text = f.read()
        tokenize = tokenizer(text)
        for line in text.splitlines(keepends=True):
            tokens = tokenize(line)
            found = [line_match(leaf, tokens) for leaf in leaves]
            count, spans = matcher.match(tokens)
            assert count == sum(1 for f in found if f), (query, line)
            assert merge_spans(spans) == merge_spans([(t.start, t.end) for f in found for t in f])


def test_fuzzy_distance_is_in_code_points(tmp_path: Path) -> None:
    index = PureIndex.build([corpus(tmp_path, {"a.md": "è", "b.md": "q", "c.md": "zz"})])
    assert ids(index, "body:é~1") == [0, 1]


def test_field_filters(docs: PureIndex) -> None:
    assert ids(docs, "name:alpha") == [0]
    assert ids(docs, "NAME:alpha") == [0]
    assert ids(docs, "body:alpha") == []
    assert ids(docs, "model:opus") == [0]
    assert ids(docs, "Model:OPUS") == [0]
    assert ids(docs, "model:son*") == [1]
    assert ids(docs, "model:sonet~1") == [1]
    assert ids(docs, 'tools:"read write"') == [2]
    assert ids(docs, "tools:write") == [2]
    assert ids(docs, "tools:opus") == []
    assert ids(docs, "model:(opus sonnet)") == [0, 1]
    # A key's terms are its values only, not other keys' or other fields'.
    assert ids(docs, "model:read") == []
    assert ids(docs, "model:alpha") == []


def test_unknown_field_is_an_error_at_the_leaf(docs: PureIndex) -> None:
    with pytest.raises(QueryError) as caught:
        docs.search("opus  colour:red", 10)
    assert (caught.value.position, caught.value.detail) == (6, "unknown field 'colour'")
    # Even on an empty leaf, under a must-not clause, and the first one wins.
    for query, position, name in [
        ("foo:!!", 0, "foo"),
        ("opus -(x Foo:bar) bar:baz", 9, "Foo"),
    ]:
        with pytest.raises(QueryError) as caught:
            docs.search(query, 10)
        assert (caught.value.position, caught.value.detail) == (position, f"unknown field '{name}'")


def test_keyed_terms_need_their_key(docs: PureIndex) -> None:
    # The frontmatter holds "model" (key), "opus" and the keyed "model\x1fopus":
    # an unkeyed prefix finds "model" only, so it scores as the term "model".
    assert docs.search("frontmatter:model*", 10)[1].tolist() == (
        docs.search("frontmatter:model", 10)[1].tolist()
    )
    # "model\x1fopus" is 1 away from "modelopus", but only keyed filters see it.
    assert ids(docs, "frontmatter:modelopus~1") == []
    assert ids(docs, "modelopus~1") == []
    assert ids(docs, "frontmatter:model~0") == [0, 1]
    assert docs.doc_lengths("frontmatter").tolist() == [2, 2, 3, 0, 0, 0]


def test_boolean_operators(docs: PureIndex) -> None:
    assert ids(docs, "python") == [3, 4]
    assert ids(docs, "python -django") == [4]
    assert ids(docs, "python NOT django") == [4]
    assert ids(docs, "python AND django") == [3]
    assert ids(docs, "+python +django") == [3]
    assert ids(docs, "python OR review") == [5, 3, 4]
    # A must clause makes the should clauses optional (they only add score).
    assert ids(docs, "+python django") == [3, 4]
    assert ids(docs, "python AND -django") == [4]
    assert ids(docs, "(python review) AND code") == [5, 4]


def test_pure_negative_query_lists_the_other_docs_with_score_zero(docs: PureIndex) -> None:
    found, scores = docs.search("-draft", 10)
    assert found.tolist() == [0, 1, 2, 3, 4]
    assert scores.tolist() == [0.0] * 5
    assert ids(docs, "NOT python") == [0, 1, 2, 5]


def test_empty_queries(docs: PureIndex) -> None:
    for query in ["", "   ", "!!", "-!!", "() !!", "name:..."]:
        with pytest.raises(QueryError) as caught:
            docs.search(query, 10)
        assert (caught.value.position, caught.value.detail) == (
            0,
            "the query has no searchable terms",
        )
    # An empty leaf is dropped, the rest runs.
    assert ids(docs, "django !!") == [3]


def test_strict_mode(docs: PureIndex) -> None:
    # Lenient: the dangling AND is the word "and" (c, e, f hold it).
    assert ids(docs, "django AND") == [3, 4, 2, 5]
    with pytest.raises(QueryError) as caught:
        docs.search("django AND", 10, strict=True)
    assert caught.value.position == 7


def test_scores_sum_in_clause_order(tmp_path: Path) -> None:
    # Only the body holds a, b, c (the names are x1, x2, x3); N = 3.
    root = corpus(tmp_path, {"x1.md": "a b a b c", "x2.md": "b a", "x3.md": "c"})
    index = PureIndex.build([root])

    def bm25(n: int, tf: float, dl: float, avgdl: float, weight: float = 1.0) -> float:
        idf = math.log(1.0 + (3 - n + 0.5) / (n + 0.5))
        norm = 1.2 * ((1.0 - 0.75) + 0.75 * (dl / avgdl))
        return (weight * idf) * ((tf * (1.2 + 1.0)) / (tf + norm))

    avgdl = (5 + 2 + 1) / 3
    # Phrase "a b": 2 occurrences in a, none in b ("b a").
    found, scores = index.search('"a b"', 10)
    assert found.tolist() == [0]
    assert scores[0] == np.float32(0.0 + bm25(1, 2.0, 5, avgdl))
    # Term "a" then term "b" (keys outer, fields inner), each from 0.0 and
    # added in clause order to 0.0.
    found, scores = index.search("a b", 10)
    assert found.tolist() == [1, 0]  # "b a" is shorter
    leaf_a = 0.0 + bm25(2, 2.0, 5, avgdl)
    leaf_b = 0.0 + bm25(2, 2.0, 5, avgdl)
    assert scores[1] == np.float32((0.0 + leaf_a) + leaf_b)
    short = 0.0 + bm25(2, 1.0, 2, avgdl)
    assert scores[0] == np.float32((0.0 + short) + short)
    # A repeated clause adds its score again.
    _, twice = index.search("c c", 10)
    assert twice[0] == np.float32((0.0 + bm25(2, 1.0, 1, avgdl)) + bm25(2, 1.0, 1, avgdl))


def test_weights(docs: PureIndex) -> None:
    default = docs.search("alpha", 10)
    same = docs.search("alpha", 10, weights=(3.0, 2.0, 1.0, 1.5, 1.0, 1.5))
    assert default[1].tolist() == same[1].tolist()
    doubled = docs.search("alpha", 10, weights=(6.0, 2.0, 1.0, 1.5, 1.0, 1.5))
    assert doubled[1][0] == pytest.approx(2 * default[1][0], rel=1e-6)
    # A weight of 0 still matches (tf > 0), with a score of 0.
    zero = docs.search("alpha", 10, weights=(0.0, 2.0, 1.0, 1.5, 1.0, 1.5))
    assert zero[0].tolist() == [0]
    assert zero[1].tolist() == [0.0]
    for bad, field in [
        ((1.0, -1.0, 1.0, 1.0, 1.0, 1.0), "description"),
        ((1.0, 1.0, 1.0, 1.0, math.inf, 1.0), "body"),
        ((1.0, 1.0, 1.0, 1.0, 1.0, math.nan), "examples"),
    ]:
        with pytest.raises(SchemaError, match=field) as caught:
            docs.search("alpha", 10, weights=bad)
        assert caught.value.field == f"weight.{field}"
    with pytest.raises(SchemaError, match="6 weights"):
        docs.search("alpha", 10, weights=(1.0,))


def test_k_zero_still_raises_query_errors(docs: PureIndex) -> None:
    assert ids(docs, "python", k=0) == []
    with pytest.raises(QueryError):
        docs.search("nokey:x", 0)
    with pytest.raises(ValueError, match="k must be"):
        docs.search("python", -1)


def test_search_many(docs: PureIndex) -> None:
    queries = ["python", "nokey:x", "django", "!!", "python review code"]
    found, scores, counts, errors = docs.search_many(queries, 2)
    assert found.dtype == np.int64
    assert scores.dtype == np.float32
    assert found.shape == scores.shape == (5, 2)
    assert counts == [2, 0, 1, 0, 2]
    assert sorted(errors) == [1, 3]
    assert errors[1].detail == "unknown field 'nokey'"
    assert errors[3].detail == "the query has no searchable terms"
    for row, query in enumerate(queries):
        if row in errors:
            assert found[row].tolist() == [-1, -1]
            assert np.isnan(scores[row]).all()
            continue
        one_ids, one_scores = docs.search(query, 2)
        n = counts[row]
        assert found[row, :n].tolist() == one_ids.tolist()
        assert scores[row, :n].tolist() == one_scores.tolist()
        assert (found[row, n:] == -1).all()
        assert np.isnan(scores[row, n:]).all()


def test_merge_spans() -> None:
    assert merge_spans([]) == ()
    assert merge_spans([(4, 8), (0, 4), (0, 2), (10, 12), (11, 15)]) == ((0, 8), (10, 15))


def test_snippets_pick_the_line_with_most_leaves(tmp_path: Path) -> None:
    text = (
        "---\nname: x\n---\n"
        "python only here\n"  # line 4: python
        "django and python and asyncio TaskGroup\n"  # line 5: python, django, TaskGroup
        "python, django, TaskGroup again\n"  # line 6: same count: line 5 wins
    )
    index = PureIndex.build([corpus(tmp_path, {"a.md": text})])
    (snippet,) = index.snippets([0], "python django TaskGroup -nothing")
    assert snippet == Snippet(
        line=5,
        text="django and python and asyncio TaskGroup",
        spans=((0, 6), (11, 17), (30, 39)),
    )
    # A phrase spans each of its tokens (spans that only touch are merged).
    (snippet,) = index.snippets([0], '"python and asyncio" taskgroup')
    assert snippet is not None
    assert (snippet.line, snippet.spans) == (5, ((11, 17), (18, 21), (22, 29), (30, 39)))
    (snippet,) = index.snippets([0], '"asyncio task group"')
    assert snippet is not None
    assert (snippet.line, snippet.spans) == (5, ((22, 29), (30, 39)))
    # A must-not leaf does not count.
    (snippet,) = index.snippets([0], "only -django -python")
    assert snippet is not None
    assert snippet.line == 4
    assert snippet.spans == ((7, 11),)
    # A query without positive leaves has no snippet.
    assert index.snippets([0], "-python") == [None]


def test_snippet_leaves_are_counted_once(tmp_path: Path) -> None:
    text = "alpha alpha\nbeta gamma\n"
    index = PureIndex.build([corpus(tmp_path, {"a.md": text})])

    def line(query: str) -> int | None:
        (snippet,) = index.snippets([0], query)
        return None if snippet is None else snippet.line

    # However many tokens match it, a leaf counts once on a line.
    assert line("alpha beta") == 1
    assert line("alpha beta gamma") == 2
    # `alpha alpha` is one leaf: line 2 (beta, gamma) beats line 1 (alpha) ...
    assert line("alpha alpha beta gamma") == 2
    assert line("alpha name:alpha beta gamma") == 2
    # ... but `Alpha alpha` are two leaves (text as written), and so are a
    # term and a fuzzy leaf: line 1 ties line 2 with two, the first line wins.
    assert line("Alpha alpha beta gamma") == 1
    assert line("alpha alpha~0 beta gamma") == 1
    # Fields are ignored on lines, but an unknown key is still an error.
    assert line("body:beta") == 2
    with pytest.raises(QueryError, match="unknown field 'model'"):
        index.snippets([0], "model:beta")
    with pytest.raises(QueryError):
        index.snippets([0], "beta AND", strict=True)
    with pytest.raises(QueryError, match="no searchable terms"):
        index.snippets([0], "!!")


def test_the_cache_keeps_positions_and_keyed_terms(tmp_path: Path) -> None:
    root = corpus(
        tmp_path / "corpus",
        {"a.md": spec("alpha", "use TaskGroup now", model="opus"), "b.md": "task and group"},
    )
    cache_dir = str(tmp_path / "cache")
    fresh = PureIndex.build([root])
    built, info = store.open_or_update(cache_dir, [root], max_file_bytes=1 << 20)
    assert info.committed
    assert not info.rebuilt  # a first build
    loaded = store.load_existing(cache_dir)
    for query in ['"task group"', "model:opus", "TaskGroup", "task*", "-opus"]:
        expected = fresh.search(query, 10)
        for index in (built, loaded):
            got = index.search(query, 10)
            assert got[0].tolist() == expected[0].tolist()
            assert got[1].tolist() == expected[1].tolist()
    # A cache of the previous version is not trusted: it is rebuilt.
    cache_file = tmp_path / "cache" / store.CACHE_NAME
    lines = cache_file.read_bytes().splitlines()
    header = json.loads(lines[0])
    assert header["version"] == store.CACHE_VERSION == 3
    assert header["analyzer"] == "standard-v2"
    header["version"] = 1
    body = b"\n".join([json.dumps(header).encode(), *lines[1:-1]]) + b"\n"
    trailer = {"end": len(lines) - 2, "sha256": hashlib.sha256(body).hexdigest()}
    cache_file.write_bytes(body + json.dumps(trailer).encode() + b"\n")
    _, info = store.open_or_update(cache_dir, [root], max_file_bytes=1 << 20)
    assert info.rebuilt
