"""Issue 15, item 1: a query that is not UTF-8 is answered, never a traceback."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from specsearch import Index
from specsearch.errors import QueryError
from tests.robustness.helpers import cli

if TYPE_CHECKING:
    from pathlib import Path

#: What a shell passes for $'\xff' and for Latin-1 "café": lone surrogates.
NOT_UTF8 = ["\udcff", "caf\udce9 tokio", "tokio\udcffcancellation", "\ud800"]


@pytest.mark.parametrize("query", NOT_UTF8)
def test_search_answers_both_engines_alike(query: str, examples: Path) -> None:
    answers: dict[str, object] = {}
    for backend in ("native", "python"):
        with Index.build([examples], backend=backend) as index:
            try:
                hits = index.search(query, k=5)
                answers[backend] = [(h.doc_id, h.path, h.snippet) for h in hits]
            except QueryError as error:
                answers[backend] = ("QueryError", error.position)
    assert answers["native"] == answers["python"]


def test_search_many_answers_the_other_queries(backend: str, examples: Path) -> None:
    with Index.build([examples], backend=backend) as index:
        batch = index.search_many(["\udcff", "tokio", "caf\udce9 tokio"], k=3)
        plain = index.search("tokio", k=3)
    assert set(batch.errors) == {0}
    assert batch.counts[1] == len(plain) > 0
    assert list(batch.doc_ids[1][: batch.counts[1]]) == list(plain.doc_ids)
    assert batch.counts[2] > 0


@pytest.mark.parametrize("raw", [b"\xff", b"caf\xe9 tokio", b"tokio\xff"])
def test_cli_query_with_bytes_that_are_not_utf8(backend: str, examples: Path, raw: bytes) -> None:
    for extra in ([], ["--json"]):
        done = cli("query", raw, os.fsencode(examples), "--backend", backend, *extra)
        assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
        assert done.returncode in (0, 1, 2), done.stderr
        if raw == b"\xff":
            assert done.returncode == 2
            assert b"no searchable terms" in done.stderr
        else:
            assert done.returncode == 0
            done.stdout.decode("utf-8")  # what is printed is UTF-8
