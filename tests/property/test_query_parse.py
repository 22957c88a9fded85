"""The query parser (SPEC.md §11): the Rust core against the reference.

Both engines must print the same canonical form for every query, or raise
the same ``QueryError`` (position and message), in both modes; the printed
form parses back (strictly) to the same tree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from specsearch import _native
from specsearch.errors import QueryError
from specsearch.pure import query as pq
from specsearch.pure.query import (
    MAX_DEPTH,
    MAX_QUERY_CHARS,
    And,
    Fuzzy,
    Occur,
    Or,
    Phrase,
    Prefix,
    Term,
)

if TYPE_CHECKING:
    from specsearch.pure.query import Node

Outcome = tuple[str, str | None] | tuple[str, int, str]


def native(text: str, strict: bool) -> Outcome:
    try:
        return ("ok", _native.parse_query(text, strict))
    except QueryError as err:
        error = err
    assert error.query == text
    return ("error", error.position, error.detail)


def pure(text: str, strict: bool) -> Outcome:
    try:
        tree = pq.parse(text, strict=strict)
    except QueryError as err:
        error = err
    else:
        return ("ok", None if tree is None else pq.to_text(tree))
    assert error.query == text
    return ("error", error.position, error.detail)


def is_limit(outcome: Outcome) -> bool:
    if len(outcome) != 3:
        return False
    message = outcome[2]
    return "nest deeper" in message or "longer than" in message


def check_same(text: str) -> None:
    for strict in (False, True):
        assert native(text, strict) == pure(text, strict), (text, strict)


def check_roundtrip(text: str) -> None:
    """Lenient never fails but for the limits; the printed tree parses back strictly."""
    outcome = pure(text, False)
    if outcome[0] == "error":
        assert is_limit(outcome), outcome
        return
    tree = pq.parse(text)
    if tree is None:
        return
    printed = pq.to_text(tree)
    if len(printed) <= MAX_QUERY_CHARS:
        assert pq.parse(printed, strict=True) == tree, (text, printed)
        assert pq.to_text(pq.parse(printed, strict=True)) == printed
    try:
        strict_tree = pq.parse(text, strict=True)
    except QueryError:
        return
    assert strict_tree == tree


# --- strategies --------------------------------------------------------------

SYNTAX = [
    "AND", "OR", "NOT", "and", "Or", "(", ")", "((", "))", '"', '""', "()", "+", "-", "+-",
    "--", "*", "~", "~1", "~2", "~3", "~9", ":", "::", "x:", "title:", "a.b-c:", "1x:",
    "\\", "\\\\", "\\(", "\\)", '\\"', "\\:", "\\*", "\\~", "\\-", "\\AND",
]  # fmt: skip
CONTROL = ["\x00", "\x07", "\t", "\n", "\r", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9f"]
UNICODE = ["é", "日本", "🦀", "\u00a0", "\u2028", "\u3000", "ǅ", "\u0301", "\U0010ffff", "ß"]

word = st.text(alphabet="abcXYZ019_.-é日", min_size=1, max_size=6)
field_name = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,4}", fullmatch=True)
valid_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cc"], exclude_characters=" "),
    min_size=1,
    max_size=4,
)
atom = st.one_of(
    word,
    word.map(lambda w: f'"{w} {w}"'),
    st.builds(lambda f, w: f"{f}:{w}", field_name, word),
    st.builds(lambda f, w: f'{f}:"{w}"', field_name, word),
    st.builds(lambda f, w: f"{f}:({w} {w})", field_name, word),
    st.builds(lambda w, s: w + s, word, st.sampled_from(["*", "~", "~0", "~1", "~2", "~5", "*x"])),
)
piece = st.one_of(
    st.sampled_from(SYNTAX),
    st.sampled_from(CONTROL),
    st.sampled_from(UNICODE),
    atom,
    st.builds(lambda m, a: m + a, st.sampled_from(["+", "-", "NOT "]), atom),
    valid_text,
    st.characters(codec="utf-8"),
)
grammar_query = st.lists(
    st.tuples(piece, st.sampled_from(["", " ", " ", "  ", "\t"])), max_size=30
).map(lambda parts: "".join(p + sep for p, sep in parts))
random_query = st.text(st.characters(codec="utf-8"), max_size=80)
long_query = st.builds(
    lambda unit, count: unit * count,
    st.one_of(grammar_query.filter(bool), st.sampled_from(["(", "a ", "NOT ", '"', ") ", "é"])),
    st.integers(1, 4_000),
)
any_query = st.one_of(grammar_query, random_query)


def _leaf(kind: str, text: str, field: str | None, distance: int) -> Node:
    if kind == "term":
        return Term(text, field)
    if kind == "prefix":
        return Prefix(text, field)
    return Fuzzy(text, distance, field)


word_text = st.one_of(
    st.text(alphabet="abc", min_size=1, max_size=3),
    st.sampled_from(["AND", "OR", "NOT", "-", "+", ":", "*", "~", "~1", "~7", "\\", "-x", "x:"]),
    st.text(alphabet='ab+-:*~09\\()"é', min_size=1, max_size=5),
    valid_text,
)
leaves = st.one_of(
    st.builds(
        _leaf,
        st.sampled_from(["term", "prefix", "fuzzy"]),
        word_text,
        st.none() | field_name,
        st.integers(0, 2),
    ),
    st.builds(
        Phrase,
        st.text(st.characters(codec="utf-8", exclude_characters='"'), min_size=1, max_size=6),
        st.none() | field_name,
    ),
)


def _or(clauses: list[tuple[Occur, Node]]) -> Node:
    if len(clauses) == 1 and clauses[0][0] is Occur.SHOULD:
        clauses = [(Occur.MUST, clauses[0][1])]
    return Or(tuple(clauses))


trees = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(st.tuples(st.sampled_from(Occur), inner), min_size=1, max_size=3).map(_or),
        st.lists(inner, min_size=2, max_size=3).map(lambda c: And(tuple(c))),
    ),
    max_leaves=12,
)


# --- properties --------------------------------------------------------------


@given(grammar_query)
@example("")
@example('title:"a b" AND -(c OR d*) NOT e~1')
@example("a AND AND b OR OR c NOT")
def test_engines_agree_on_query_like_text(text: str) -> None:
    check_same(text)


@given(random_query)
def test_engines_agree_on_random_text(text: str) -> None:
    check_same(text)


@given(long_query)
def test_engines_agree_on_long_text(text: str) -> None:
    check_same(text)
    check_roundtrip(text)


@given(any_query)
def test_printed_form_parses_back(text: str) -> None:
    check_roundtrip(text)


@given(trees)
def test_random_trees_round_trip(tree: Node) -> None:
    printed = pq.to_text(tree)
    assert pq.parse(printed, strict=True) == tree, printed
    assert _native.parse_query(printed, strict=True) == printed


@given(st.text(max_size=40))
def test_pure_parser_takes_any_str(text: str) -> None:
    """Lone surrogates (which Rust strings cannot hold) parse in Python too."""
    check_roundtrip(text)


# --- examples ----------------------------------------------------------------

# The table of printed forms, repairs, error positions and messages is the
# shared vector file tests/vectors/query.json (tests/test_vectors.py runs it
# against both engines, and rust/core/tests/vectors.rs against the core).


def test_tree_shapes_and_positions() -> None:
    assert pq.parse("a b") == Or(((Occur.SHOULD, Term("a")), (Occur.SHOULD, Term("b"))))
    assert pq.parse("a AND -b") == And((Term("a"), Or(((Occur.MUST_NOT, Term("b")),))))
    assert pq.parse("foo:bar") == Term("bar", "foo")
    assert pq.parse("x:(a y:b)") == Or(
        ((Occur.SHOULD, Term("a", "x")), (Occur.SHOULD, Term("b", "y")))
    )
    assert pq.parse("t:foo~1") == Fuzzy("foo", 1, "t")
    tree = pq.parse('é -"p q" +f:"r" x:(a  b*) \\-c AND')
    assert isinstance(tree, Or)
    found = []
    for _, node in tree.clauses:
        inner = node.clauses if isinstance(node, Or) else ((Occur.SHOULD, node),)
        for _, leaf in inner:
            assert isinstance(leaf, Term | Phrase | Prefix | Fuzzy)
            found.append((leaf.text, leaf.position))
    assert found == [
        ("é", 0),
        ("p q", 3),
        ("r", 10),
        ("a", 19),
        ("b", 22),
        ("-c", 26),
        ("AND", 30),
    ]


def test_ten_thousand_characters() -> None:
    words = "word " * 2_000
    assert len(words) == 10_000
    for strict in (False, True):
        assert native(words, strict) == pure(words, strict) == ("ok", words.strip())
    for text in [
        "NOT " * 2_500,
        "AND " * 2_500,
        '"' * 10_000,
        '(a AND "b ) x:' * 700,
        "é" * 10_000,
    ]:
        check_same(text)
        check_roundtrip(text)
    assert pure("NOT " * 2_500, False) == ("ok", "-NOT")
    assert pure("(" * 10_000, False)[1] == MAX_DEPTH


def test_limits() -> None:
    longest = "a" * MAX_QUERY_CHARS
    assert native(longest, True) == pure(longest, True) == ("ok", longest)
    too_long = "é " * (MAX_QUERY_CHARS // 2) + "x"
    for strict in (False, True):
        assert native(too_long, strict) == pure(too_long, strict)
        assert pure(too_long, strict)[:2] == ("error", MAX_QUERY_CHARS)
    deep = "(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH
    assert native(deep, True) == ("ok", "a")
    too_deep = "(" * (MAX_DEPTH + 1) + "a"
    for strict in (False, True):
        assert native(too_deep, strict) == pure(too_deep, strict)
        assert pure(too_deep, strict)[:2] == ("error", MAX_DEPTH)
    # Limits come before syntax problems, and count only real parentheses.
    late = ") " + "(" * (MAX_DEPTH + 1)
    assert pure(late, True)[:2] == ("error", 2 + MAX_DEPTH)
    assert pure('"' + "(" * 100 + '"', True)[0] == "ok"
    assert pure("\\(" * 100, True)[0] == "ok"


def test_native_default_is_lenient() -> None:
    assert _native.parse_query("a)") == "a"
    with pytest.raises(QueryError):
        _native.parse_query("a)", strict=True)
    assert _native.parse_query("") is None
