"""The Index contract, for every backend."""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING

import pytest

from specsearch import Index, IndexStateError, QueryError, SchemaError

if TYPE_CHECKING:
    from pathlib import Path


def write(root: Path, rel: str, text: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def test_ranks_the_examples(backend: str, examples: Path) -> None:
    with Index.build([examples], backend=backend) as index:
        assert index.backend == backend
        assert len(index) == 7
        assert index.problems == ()
        hits = index.search("structured concurrency tokio", k=3)
        assert len(hits) == 3
        assert [h.rank for h in hits] == [1, 2, 3]
        assert hits[0].name == "async-rust-reviewer"
        assert hits[0].path == f"{examples}/async-rust-reviewer.md"
        scores = [h.score for h in hits]
        assert scores == sorted(scores, reverse=True)
        assert all(s > 0 for s in scores)
        assert hits[0].snippet is not None
        assert "concurrency" in hits[0].snippet.text.lower()


def test_k_limits_and_zero(backend: str, examples: Path) -> None:
    with Index.build([examples], backend=backend) as index:
        assert len(index.search("the", k=2)) == 2
        assert len(index.search("the", k=0)) == 0
        assert len(index.search("zzzunknownzzz", k=5)) == 0
        with pytest.raises(SchemaError):
            index.search("the", k=-1)


@pytest.mark.parametrize("query", ["", "   ", "!!! ---", "\x00\x01"])
def test_query_without_terms_is_a_query_error(backend: str, examples: Path, query: str) -> None:
    with Index.build([examples], backend=backend) as index, pytest.raises(QueryError) as err:
        index.search(query)
    assert err.value.position == 0
    assert isinstance(err.value, ValueError)


def test_closed_index_raises(backend: str, examples: Path) -> None:
    index = Index.build([examples], backend=backend)
    index.close()
    with pytest.raises(IndexStateError):
        index.search("rust")


def test_missing_path_is_file_not_found(backend: str, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        Index.build([tmp_path / "nope"], backend=backend)


def test_default_root_is_cwd_without_dot_prefix(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "a/one.md", "# Rust\nownership and borrowing\n")
    monkeypatch.chdir(tmp_path)
    with Index.build(backend=backend) as index:
        (hit,) = index.search("borrowing")
    assert hit.path == "a/one.md"
    assert hit.name == "one"
    assert hit.snippet is not None
    assert (hit.snippet.line, hit.snippet.text) == (2, "ownership and borrowing")


def test_bm25_matches_hand_computed_scores(backend: str, tmp_path: Path) -> None:
    # Three body-only docs: no frontmatter, so only `name` (the stem) and `body` have text.
    write(tmp_path, "a.md", "apple apple pear")
    write(tmp_path, "b.md", "apple")
    write(tmp_path, "c.md", "pear plum plum plum")
    with Index.build([tmp_path], backend=backend) as index:
        hits = index.search("apple", k=10)
        by_name = {h.name: h.score for h in hits}
    n_docs, k1, b, weight = 3, 1.2, 0.75, 1.0
    avgdl = (3 + 1 + 4) / 3
    idf = math.log(1 + (n_docs - 2 + 0.5) / (2 + 0.5))

    def bm25(tf: int, dl: int) -> float:
        return weight * idf * (tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * dl / avgdl))

    assert set(by_name) == {"a", "b"}
    assert by_name["a"] == pytest.approx(bm25(2, 3), rel=1e-6)
    assert by_name["b"] == pytest.approx(bm25(1, 1), rel=1e-6)
    # The name field (weight 3) adds to the body: "b" is the name of b.md.
    with Index.build([tmp_path], backend=backend) as index:
        (hit,) = index.search("b", k=10)
    name_idf = math.log(1 + (3 - 1 + 0.5) / (1 + 0.5))
    assert hit.score == pytest.approx(3.0 * name_idf * (1 * 2.2) / (1 + 1.2), rel=1e-6)


def test_ties_break_by_doc_id(backend: str, tmp_path: Path) -> None:
    for name in ["c", "a", "b"]:
        write(tmp_path, f"{name}.md", "same words here")
    with Index.build([tmp_path], backend=backend) as index:
        hits = index.search("words")
        assert [h.path for h in hits] == [f"{tmp_path}/{n}.md" for n in "abc"]
        assert len({h.score for h in hits}) == 1
        assert hits.doc_ids.tolist() == [0, 1, 2]


def test_bad_files_are_reported_and_the_rest_indexed(backend: str, tmp_path: Path) -> None:
    write(tmp_path, "good.md", "---\nname: good\ndescription: fine\n---\nkubernetes\n")
    write(
        tmp_path, "yaml.md", "---\nname: bad\ndescription: Use it. Examples: kubernetes\n---\nx\n"
    )
    write(tmp_path, "open.md", "---\nname: open\nkubernetes here\n")
    write(tmp_path, "bin.md", b"kubernetes\x00\x01\x02")
    write(tmp_path, "latin1.md", "caf\xe9 kubernetes".encode("latin-1"))
    with Index.build([tmp_path], backend=backend) as index:
        names = {h.name for h in index.search("kubernetes", k=10)}
        problems = {(os.path.basename(p.path), p.line) for p in index.problems}
        assert len(index.problems) == 3
    assert names == {"good", "bad", "open", "latin1"}
    assert ("yaml.md", 3) in problems
    assert ("open.md", 1) in problems
    assert any(path == "bin.md" for path, _ in problems)


def test_hits_repr_and_slicing(backend: str, examples: Path) -> None:
    with Index.build([examples], backend=backend) as index:
        hits = index.search("the", k=5)
        assert repr(hits) == f"Hits(query='the', backend='{backend}', len=5)"
        assert [h.rank for h in hits[1:3]] == [2, 3]
        assert hits[-1].rank == 5


def test_skill_files_are_named_after_their_folder(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    skill = tmp_path / "pdf-tables"
    write(skill, "SKILL.md", "# Tables\nextract tables from PDF files\n")
    write(skill, "nested/skill.md", "---\ndescription: no name here\n---\ntables\n")
    monkeypatch.chdir(skill)
    with Index.build(backend=backend) as index:
        names = sorted(h.name for h in index.search("tables"))
    assert names == ["nested", "pdf-tables"]
