"""Request analysis against the shared vectors (``tests/vectors/route_requests.json``).

The Rust side reads the same file (``rust/core/tests/route_vectors.rs``); here
the pure-Python analysis is checked directly, and the native one through the
words, filler and stop words it reports for a request.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from specsearch import Index, QueryError
from specsearch.errors import SchemaError
from specsearch.pure.route import EMPTY_REQUEST, analyze_request, load_tables, parse_tables

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "route_requests.json"
CASES: list[dict[str, Any]] = json.loads(VECTORS.read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["request"][:40] for c in CASES])
def test_python_analysis(case: dict[str, Any]) -> None:
    tables = load_tables()
    if "error" in case:
        with pytest.raises(QueryError, match=EMPTY_REQUEST):
            analyze_request(case["request"], tables)
        return
    got = analyze_request(case["request"], tables)
    assert [[t.key, t.text, t.generic] for t in got.terms] == case["terms"]
    assert list(got.filler) == case["filler"]
    assert list(got.stopwords) == case["stopwords"]
    assert got.fallback == case["fallback"]


def test_native_analysis(examples: Path) -> None:
    with Index.build([examples], backend="native") as index:
        for case in CASES:
            if "error" in case:
                with pytest.raises(QueryError):
                    index.route(case["request"], 3)
                continue
            hits = index.route(case["request"], 3)
            explained = hits.explain()
            assert list(explained.words) == [t[1] for t in case["terms"]], case["request"]
            assert list(explained.filler) == case["filler"], case["request"]
            assert list(explained.stopwords) == case["stopwords"], case["request"]


def test_filler_removal_changes_what_ranks() -> None:
    tables = load_tables()
    request = "I need an agent to review my asyncio code"
    kept = [t.text for t in analyze_request(request, tables).terms]
    unfiltered = [t.text for t in analyze_request(request, tables, filler=False).terms]
    assert "agent" not in kept
    assert "agent" in unfiltered
    assert "need" in unfiltered


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("[]", "routing.json"),
        (
            '{"filler_patterns": [["x?"]], "stopwords": [], "generic_words": []}',
            "filler_patterns[0]",
        ),
        ('{"filler_patterns": [], "stopwords": [1], "generic_words": []}', "stopwords"),
    ],
)
def test_bad_tables_name_the_field(text: str, field: str) -> None:
    with pytest.raises(SchemaError) as caught:
        parse_tables(text)
    assert caught.value.field == field
