"""``Index.route``, ``Index.route_many`` and ``specsearch route``, over both backends."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

import numpy as np
import pytest
from click.testing import CliRunner

from specsearch import Index, QueryError, SchemaError
from specsearch.cli import cli

if TYPE_CHECKING:
    from pathlib import Path


def test_conversational_request_finds_the_specialist(examples: Path, backend: str) -> None:
    with Index.build([examples], backend=backend) as index:
        hits = index.route("Hi! Can you help me find an agent for cancelling tokio tasks?", 3)
        assert hits[0].name == "async-rust-reviewer"
        words = hits.explain().words
        assert "agent" not in words
        assert "help" not in words
        assert "tokio" in words


@pytest.mark.parametrize(
    "request_text",
    ["C++: memory leaks", "AND", "OR NOT", '"unclosed', "-flag", "tools:", "name:python*", "a~9"],
)
def test_query_syntax_is_words(examples: Path, backend: str, request_text: str) -> None:
    with Index.build([examples], backend=backend) as index:
        hits = index.route(request_text, 5)  # never a QueryError
        assert len(hits) <= 5


def test_syntax_words_rank_like_words(examples: Path, backend: str) -> None:
    with Index.build([examples], backend=backend) as index:
        plain = index.route("python concurrency", 5).doc_ids.tolist()
        dressed = index.route('name:python* "concurrency', 5).doc_ids.tolist()
        assert plain == dressed


@pytest.mark.parametrize("request_text", ["", "   ", "\n\t"])
def test_only_an_empty_request_is_an_error(examples: Path, backend: str, request_text: str) -> None:
    with Index.build([examples], backend=backend) as index, pytest.raises(QueryError):
        index.route(request_text, 3)


def test_negative_k(examples: Path, backend: str) -> None:
    with Index.build([examples], backend=backend) as index, pytest.raises(SchemaError):
        index.route("python", -1)


def test_explain_adds_up_to_the_score(examples: Path, backend: str) -> None:
    with Index.build([examples], backend=backend) as index:
        hits = index.route("review python asyncio code for race conditions", 5)
        explanation = hits.explain()
        assert len(explanation.why) == len(hits) > 0
        for hit, why in zip(hits, explanation.why, strict=True):
            assert why, hit.name
            assert [c.score for c in why] == sorted((c.score for c in why), reverse=True)
            assert math.isclose(sum(c.score for c in why), hit.score, rel_tol=1e-5)
            assert {c.word for c in why} <= set(explanation.words)


def test_route_many_rows_match_route(examples: Path, backend: str) -> None:
    requests = ["tokio cancellation", "  ", "kubernetes operator reconcile", "zzzz-nothing"]
    with Index.build([examples], backend=backend) as index:
        batch = index.route_many(requests, 4)
        assert batch.doc_ids.shape == batch.scores.shape == (4, 4)
        assert batch.doc_ids.dtype == np.int64
        assert not batch.doc_ids.flags.writeable
        assert not batch.doc_ids.flags.owndata
        assert set(batch.errors) == {1}
        for row, request in enumerate(requests):
            if row in batch.errors:
                assert batch.counts[row] == 0
                continue
            single = index.route(request, 4)
            count = batch.counts[row]
            assert batch.doc_ids[row, :count].tolist() == single.doc_ids.tolist()
            assert (batch.doc_ids[row, count:] == -1).all()


def test_route_many_rejects_one_string(examples: Path, backend: str) -> None:
    with Index.build([examples], backend=backend) as index, pytest.raises(SchemaError):
        index.route_many("tokio", 3)


def test_cli_route_json_says_why(examples: Path, backend: str, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "route",
            "I need an agent that reviews Rust async code using tokio",
            str(examples),
            "--json",
            "-k",
            "2",
            "--backend",
            backend,
            "--index",
            str(tmp_path / "ix"),
        ],
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["request"].startswith("I need an agent")
    assert "agent" in record["removed"]["filler"]
    assert record["hits"][0]["name"] == "async-rust-reviewer"
    why = record["hits"][0]["why"]
    assert why
    assert {"word", "field", "score"} <= set(why[0])
    assert math.isclose(sum(c["score"] for c in why), record["hits"][0]["score"], rel_tol=1e-5)


def test_cli_route_explain_and_exit_codes(examples: Path, backend: str, tmp_path: Path) -> None:
    runner = CliRunner()
    common = ["--backend", backend, "--index", str(tmp_path / "ix"), "--color", "never"]
    shown = runner.invoke(cli, ["route", "tokio tasks", str(examples), "--explain", *common])
    assert shown.exit_code == 0, shown.output
    assert "why: tokio in " in shown.stdout
    none = runner.invoke(cli, ["route", "qqqqzzzz", str(examples), *common])
    assert none.exit_code == 1
    empty = runner.invoke(cli, ["route", " ", str(examples), *common])
    assert empty.exit_code == 2
    assert "request is empty" in empty.stderr
    assert "Traceback" not in empty.output
