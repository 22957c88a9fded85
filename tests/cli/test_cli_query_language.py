"""The CLI's query language, snippets, weights and `show` (issue 4)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from specsearch.cli import cli

if TYPE_CHECKING:
    from pathlib import Path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def names(examples: Path, query: str, backend: str, *extra: str) -> list[str]:
    code, out, err = run("query", query, str(examples), "--json", "--backend", backend, *extra)
    assert code in (0, 1), err
    return [h["name"] for h in json.loads(out)["hits"]]


@pytest.mark.parametrize(
    ("query", "expected", "absent"),
    [
        ('"structured concurrency"', "async-rust-reviewer", None),
        ("concurrent", "python-concurrency-expert", None),  # stemming
        ("task group", "python-concurrency-expert", None),  # code-aware: TaskGroup
        ("taskgroup", "python-concurrency-expert", None),
        ("concurrency -tokio", "python-concurrency-expert", "async-rust-reviewer"),
        ("concurrency AND NOT asyncio", "async-rust-reviewer", "python-concurrency-expert"),
        ("+kubernetes operator", "k8s-operator-engineer", "python-concurrency-expert"),
        ("model:sonnet AND concurrency", "python-concurrency-expert", None),
        ("tools:bash", "python-concurrency-expert", None),
        ("name:python*", "python-concurrency-expert", "async-rust-reviewer"),
        ("concurency~1", "python-concurrency-expert", None),
        ("kubernet*", "k8s-operator-engineer", None),
    ],
)
def test_query_forms(
    query: str, expected: str, absent: str | None, examples: Path, backend: str
) -> None:
    found = names(examples, query, backend)
    assert expected in found, (query, found)
    if absent is not None:
        assert absent not in found, (query, found)


def test_json_hits_carry_line_text_and_spans(examples: Path, backend: str) -> None:
    code, out, _ = run("query", "tokio cancellation", str(examples), "--json", "--backend", backend)
    assert code == 0
    for hit in json.loads(out)["hits"]:
        assert isinstance(hit["line"], int)
        text = hit["text"]
        assert hit["spans"], hit
        for start, end in hit["spans"]:
            # Stemmed: "cancelled" matches "cancellation" (both "cancel").
            assert text[start:end].lower().startswith(("tokio", "cancel")), (text, start, end)


def test_snippet_is_the_best_line_not_the_first(tmp_path: Path, backend: str) -> None:
    (tmp_path / "a.md").write_text(
        "---\nname: alpha\n---\nrust here\nnothing\nrust and tokio together\n", encoding="utf-8"
    )
    code, out, _ = run("query", "rust tokio", str(tmp_path), "--json", "--backend", backend)
    assert code == 0
    hit = json.loads(out)["hits"][0]
    assert (hit["line"], hit["text"]) == (6, "rust and tokio together")
    assert hit["spans"] == [[0, 4], [9, 14]]


def test_colour_highlights_the_matched_terms(examples: Path) -> None:
    code, out, _ = run("query", "tokio", str(examples), "--color", "always")
    assert code == 0
    assert "\x1b[31m\x1b[1mtokio\x1b[0m" in out.lower() or "\x1b[1m\x1b[31m" in out


def test_weights_reorder_hits(examples: Path, backend: str) -> None:
    default = names(examples, "concurrency", backend)
    body_only = names(
        examples,
        "concurrency",
        backend,
        *("--weight", "name=0", "--weight", "description=0", "--weight", "examples=0"),
    )
    assert sorted(default) == sorted(body_only)
    assert default != body_only


def test_strict_reports_the_position(examples: Path) -> None:
    code, out, err = run("query", 'rust "unclosed', str(examples), "--strict")
    assert (code, out) == (2, "")
    assert "position 5" in err
    # Lenient (the default) repairs it.
    code, _, _ = run("query", 'rust "unclosed', str(examples))
    assert code in (0, 1)


@pytest.mark.parametrize("query", [":", '"', "(((", ")", "AND", "\x07\x00", "x" * 10_000, "NOT"])
def test_odd_queries_never_crash(query: str, examples: Path) -> None:
    code, _, err = run("query", query, str(examples))
    assert code in (0, 1, 2)
    assert "Traceback" not in err


def test_show_by_name(examples: Path, backend: str) -> None:
    code, out, err = run("show", "python-concurrency-expert", str(examples), "--backend", backend)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].endswith("python-concurrency-expert.md")
    assert "name: python-concurrency-expert" in lines
    assert "model: sonnet" in lines
    assert "# Python concurrency expert" in lines


def test_show_by_file_as_json(examples: Path) -> None:
    path = str(examples / "security-auditor.md")
    code, out, _ = run("show", path, "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["name"] == "security-auditor"
    assert doc["path"] == path
    assert doc["body"]


def test_show_unknown_name_exits_1(examples: Path) -> None:
    code, out, err = run("show", "no-such-agent", str(examples))
    assert (code, out) == (1, "")
    assert "no spec named 'no-such-agent'" in err
