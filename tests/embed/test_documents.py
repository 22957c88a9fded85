"""The document-vector text recipe against the shared vectors."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from specsearch.pure.embed import (
    PART_CHARS,
    combine_rows,
    document_text,
    document_texts,
    summary_text,
)
from specsearch.pure.spec import ParsedSpec
from specsearch.vectors import DOC_TOKENS, document_vectors
from tests.embed.conftest import read_vectors

if TYPE_CHECKING:
    from specsearch.encoder import Encoder


def test_document_texts_match_the_vectors() -> None:
    data = read_vectors("embed_documents.json")
    assert data["part_chars"] == PART_CHARS
    for case in data["cases"]:
        body = case["body"] * case.get("repeat_body", 1)
        spec = ParsedSpec(
            name=case["name"],
            description=case["description"],
            frontmatter=(),
            headings="",
            body=body,
            examples=case["examples"],
        )
        want = case["text"] + "é" * case.get("repeat_text", 0)
        assert document_text(spec) == want
        assert summary_text(spec) == case["summary"]


def test_combine_rows_sums_and_normalises() -> None:
    parts = np.array([[[3.0, 0.0], [0.0, 4.0]], [[0.0, 0.0], [0.0, 0.0]]], dtype=np.float32)
    want = np.array([[0.6, 0.8], [0.0, 0.0]], dtype=np.float32)
    np.testing.assert_array_equal(combine_rows(parts), want)


def test_document_vectors_agree_and_are_the_normalised_sum(
    tiny_encoders: dict[str, Encoder],
) -> None:
    specs = [
        ParsedSpec(
            name=f"agent-{i}",
            description=d,
            frontmatter=(),
            headings="",
            body="A long body about other things. " * 40,
            examples="",
        )
        for i, d in enumerate(("cancel tokio tasks", "", "review SQL for injection"))
    ]
    texts = [document_texts(s) for s in specs]
    got = {name: document_vectors(enc, texts) for name, enc in tiny_encoders.items()}
    for name, enc in tiny_encoders.items():
        long = enc.embed([t for t, _ in texts], DOC_TOKENS)
        short = enc.embed([t for _, t in texts], DOC_TOKENS)
        want = (long + short) / np.linalg.norm(long + short, axis=1, keepdims=True)
        np.testing.assert_allclose(got[name], want, atol=1e-6)
        assert not np.allclose(got[name], long, atol=1e-3)
    cosines = (got["native"] * got["python"]).sum(axis=1)
    assert cosines.min() >= 0.9999
