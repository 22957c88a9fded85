"""The document-vector text recipe against the shared vectors."""

from __future__ import annotations

from specsearch.pure.embed import PART_CHARS, document_text
from specsearch.pure.spec import ParsedSpec
from tests.embed.conftest import read_vectors


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
