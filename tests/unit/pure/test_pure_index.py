"""Index, BM25 search, docs and snippets (SPEC.md §4-§6)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pytest

from specsearch.errors import QueryError
from specsearch.pure import PureIndex
from specsearch.types import DocInfo, Snippet

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path


def corpus(tmp_path: Path, files: Mapping[str, str | bytes]) -> str:
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return str(tmp_path)


@pytest.fixture
def three(tmp_path: Path) -> PureIndex:
    root = corpus(
        tmp_path,
        {
            "a.md": "---\nname: alpha\n---\nrust rust python\n",
            "b.md": "---\nname: beta\n---\nrust\n",
            "c.md": "---\nname: gamma\n---\ngo\n",
        },
    )
    return PureIndex.build([root])


def test_hand_computed_bm25(three: PureIndex) -> None:
    # N = 3. Body lengths: a = 3, b = 1, c = 1 -> avgdl(body) = 5/3.
    # "rust" is in the body of a (tf 2) and b (tf 1): n = 2,
    #   idf = ln(1 + (3 - 2 + 0.5) / (2 + 0.5)) = ln(1.6) = 0.4700036292457356
    # a: norm = 1.2 * (0.25 + 0.75 * (3 / (5/3))) = 1.2 * 1.6 = 1.92
    #    score = 1.0 * idf * (2 * 2.2) / (2 + 1.92) = idf * 1.1224489795918366 = 0.527555...
    # b: norm = 1.2 * (0.25 + 0.75 * (1 / (5/3))) = 1.2 * 0.7 = 0.84
    #    score = 1.0 * idf * (1 * 2.2) / (1 + 0.84) = idf * 1.1956521739130435 = 0.561961...
    assert three.num_docs == 3
    ids, scores = three.search("Rust", 10)
    assert ids.dtype == np.uint32
    assert scores.dtype == np.float32
    assert ids.tolist() == [1, 0]
    idf = math.log(1.6)
    expected_b = 1.0 * idf * ((1 * 2.2) / (1 + 0.84))
    expected_a = 1.0 * idf * ((2 * 2.2) / (2 + 1.92))
    assert scores[0] == pytest.approx(0.5619608, abs=1e-6)
    assert scores[1] == pytest.approx(0.5275551, abs=1e-6)
    assert scores.tolist() == pytest.approx([expected_b, expected_a], rel=1e-6)


def test_multi_term_sums_over_terms_and_fields(three: PureIndex) -> None:
    # "alpha" is only in a's name: n = 1, idf = ln(1 + 2.5 / 1.5) = ln(8/3);
    # name lengths are all 1, so norm = 1.2 and the ratio is 2.2 / 2.2 = 1.
    # a = 3.0 * ln(8/3) + body score of "rust" for a.
    ids, scores = three.search("alpha rust", 3)
    assert ids.tolist() == [0, 1]
    rust_a = math.log(1.6) * (4.4 / 3.92)
    exact = 3.0 * math.log(8 / 3) * ((1 * 2.2) / (1 + 1.2 * (0.25 + 0.75 * (1 / 1.0)))) + rust_a
    assert scores[0] == np.float32(exact)
    assert float(scores[0]) == pytest.approx(2.9424878 + 0.5275551, abs=1e-6)


def test_scores_are_the_rounded_double(three: PureIndex) -> None:
    _, scores = three.search("rust", 1)
    idf = math.log(1.0 + (3 - 2 + 0.5) / (2 + 0.5))
    norm = 1.2 * ((1.0 - 0.75) + 0.75 * (1 / (5 / 3)))
    assert scores[0] == np.float32(2.0 * 0 + 1.0 * idf * ((1 * (1.2 + 1.0)) / (1 + norm)))


def test_ties_break_by_doc_id_and_k_truncates(tmp_path: Path) -> None:
    same = "---\nname: same\n---\nshared words\n"
    root = corpus(tmp_path, {f"{i}.md": same for i in range(5)} | {"x.md": "other"})
    index = PureIndex.build([root])
    ids, scores = index.search("shared", 3)
    assert ids.tolist() == [0, 1, 2]
    assert len(set(scores.tolist())) == 1
    assert index.search("shared", 0)[0].size == 0
    assert index.search("nomatch", 10)[0].size == 0
    assert index.search("shared other", 100)[0].tolist() == [5, 0, 1, 2, 3, 4]


def test_empty_query_is_an_error(three: PureIndex) -> None:
    with pytest.raises(QueryError) as caught:
        three.search(" -- ?! ", 10)
    assert caught.value.position == 0
    assert caught.value.detail == "the query has no searchable terms"


def test_skipped_files_get_no_doc_id_and_are_problems(tmp_path: Path) -> None:
    root = corpus(
        tmp_path,
        {
            "a.md": "alpha",
            "b.md": b"bin\x00ary alpha",
            "c.md": "alpha " * 100,
            "d.md": "---\nname: d\nalpha\n",
        },
    )
    index = PureIndex.build([root], max_file_bytes=100)
    assert index.num_docs == 2
    assert [d.path for d in index.docs([0, 1])] == [f"{root}/a.md", f"{root}/d.md"]
    by_path = {p.path.rsplit("/", 1)[1]: p for p in index.problems}
    assert set(by_path) == {"b.md", "c.md", "d.md"}
    assert "binary" in by_path["b.md"].message
    assert by_path["b.md"].line is None
    assert "larger" in by_path["c.md"].message
    assert by_path["d.md"].line == 1


def test_docs(three: PureIndex, tmp_path: Path) -> None:
    assert three.docs([2, 0]) == [
        DocInfo(doc_id=2, path=f"{tmp_path}/c.md", name="gamma", description=""),
        DocInfo(doc_id=0, path=f"{tmp_path}/a.md", name="alpha", description=""),
    ]
    with pytest.raises(IndexError):
        three.docs([3])


def test_snippets(tmp_path: Path) -> None:
    root = corpus(
        tmp_path,
        {
            "a.md": b"---\r\nname: first\r\n---\r\nintro\r\n"
            b"the Kubernetes line\r\nkubernetes again\r\n",
            "kubernetes.md": "nothing here",
            "gone.md": "kubernetes",
        },
    )
    index = PureIndex.build([root])
    (tmp_path / "gone.md").unlink()
    ids, _ = index.search("kubernetes", 10)
    assert sorted(ids.tolist()) == [0, 1, 2]
    assert index.snippets([0, 1, 2], "KUBERNETES deploy") == [
        Snippet(line=5, text="the Kubernetes line", spans=((4, 14),)),
        None,  # gone
        None,  # matched by its file name only
    ]
    assert index.snippets([0], "name") == [Snippet(line=2, text="name: first", spans=((0, 4),))]
    with pytest.raises(QueryError):
        index.snippets([0], "!!")
