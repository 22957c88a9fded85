"""The shared test vectors (``tests/vectors/*.json``) against the Python side.

The same files are checked against the Rust core by
``rust/core/tests/vectors.rs``; ``tests/vectors/README.md`` says what each
holds and how to add a case. Query vectors run against both engines here
(the pure parser and ``_native.parse_query``); analysis and spec vectors
against the pure engine (the core's are the Rust test's); score vectors
against every backend, in memory and on disk. Scores must be bit-identical
(float32), as SPEC.md §5 promises.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from specsearch import Index, QueryError, _native
from specsearch.pure import decode_lines, parse_query, parse_spec, to_text
from specsearch.pure.analysis import stem_key, tokenize
from specsearch.schema import FIELDS

if TYPE_CHECKING:
    from specsearch.schema import Weights

VECTORS = Path(__file__).resolve().parent / "vectors"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VECTORS / name).read_text(encoding="utf-8"))
    return data


QUERY = load("query.json")
ANALYSIS = load("analysis.json")
SPEC = load("spec.json")
SCORES = load("scores.json")

Outcome = tuple[str, str | None] | tuple[str, int, str]


def _pure_parse(text: str, strict: bool) -> Outcome:
    try:
        tree = parse_query(text, strict=strict)
    except QueryError as err:
        error = err
    else:
        return ("ok", None if tree is None else to_text(tree))
    assert error.query == text
    return ("error", error.position, error.detail)


def _native_parse(text: str, strict: bool) -> Outcome:
    try:
        return ("ok", _native.parse_query(text, strict))
    except QueryError as err:
        error = err
    assert error.query == text
    return ("error", error.position, error.detail)


# --- query parse and repair (SPEC.md §11) -------------------------------------


@pytest.mark.parametrize("engine", [_pure_parse, _native_parse], ids=["python", "native"])
@pytest.mark.parametrize("case", QUERY["cases"], ids=lambda c: repr(c["query"])[:40])
def test_query_vector(case: dict[str, Any], engine: Any) -> None:
    text: str = case["query"]
    assert engine(text, False) == ("ok", case["lenient"])
    error = case.get("strict_error")
    expected = ("ok", case["lenient"]) if error is None else ("error", *error.values())
    assert engine(text, True) == expected


def test_query_vectors_cover_every_repair() -> None:
    errors = [c["strict_error"]["message"] for c in QUERY["cases"] if "strict_error" in c]
    assert len(QUERY["cases"]) > 100
    for message in (
        "the phrase opened here is never closed",
        "unbalanced ')'",
        "'(' is never closed",
        "'AND' has nothing to apply to",
        "':' has nothing to apply to",
        "'*' has no word before it",
        "the fuzzy distance is over 2",
        "empty group",
        "empty phrase",
    ):
        assert message in errors, message


# --- analysis (SPEC.md §3) ---------------------------------------------------


@pytest.mark.parametrize("case", ANALYSIS["cases"], ids=lambda c: repr(c["text"])[:40])
def test_analysis_vector(case: dict[str, Any]) -> None:
    got = [[t.text, t.position, t.start, t.end, t.whole] for t in tokenize(case["text"])]
    assert got == case["tokens"]


def test_stem_key_vectors() -> None:
    for term, key in ANALYSIS["stem_keys"]:
        assert stem_key(term) == key, term


# --- spec fields (SPEC.md §2) -------------------------------------------------


def spec_bytes(case: dict[str, Any]) -> bytes:
    if "hex" in case:
        return bytes.fromhex(case["hex"])
    text: str = case["text"]
    return text.encode("utf-8")


@pytest.mark.parametrize("case", SPEC["cases"], ids=lambda c: c["path"])
def test_spec_vector(case: dict[str, Any]) -> None:
    path = case["path"]
    spec, problems = parse_spec(path, "/nowhere/" + path, spec_bytes(case))
    assert all(p.path == path for p in problems)
    got = {
        "name": spec.name,
        "description": spec.description,
        "frontmatter": [list(entry) for entry in spec.frontmatter],
        "headings": spec.headings,
        "body": spec.body,
        "examples": spec.examples,
        "problem_lines": [p.line for p in problems],
    }
    assert got == case["expected"]
    assert decode_lines(spec_bytes(case))  # every input decodes


# --- BM25F scores (SPEC.md §5) ------------------------------------------------


@pytest.fixture(scope="module", params=sorted(SCORES["corpora"]))
def score_corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    name: str = request.param
    root = tmp_path_factory.mktemp("vectors") / name
    root.mkdir()
    for file_name, text in SCORES["corpora"][name]:
        (root / file_name).write_text(text, encoding="utf-8")
    return root


def _open(backend: str, kind: str, root: Path) -> Index:
    if kind == "memory":
        return Index.build([root], backend=backend)
    return Index.open([root], index_dir=root.parent / f"{root.name}-index", backend=backend)


@pytest.mark.parametrize("kind", ["memory", "disk"])
def test_score_vectors(score_corpus: Path, backend: str, kind: str) -> None:
    cases = [c for c in SCORES["cases"] if c["corpus"] == score_corpus.name]
    assert cases
    with _open(backend, kind, score_corpus) as index:
        for case in cases:
            weights: Weights | None = case.get("weights")
            overrides = None if weights is None else dict(zip(FIELDS, weights, strict=True))
            try:
                hits = index.search(
                    case["query"], 1000, weights=overrides, strict=case.get("strict", False)
                )
                got: Any = [[Path(h.path).name, h.score] for h in hits]
                scores = hits.scores
            except QueryError as err:
                got = {"position": err.position, "message": err.detail}
                scores = np.zeros(0, dtype=np.float32)
            if "error" in case:
                assert got == case["error"], case["query"]
                continue
            assert [name for name, _ in got] == [name for name, _ in case["hits"]], case["query"]
            # Bit-identical float32 scores, not merely close ones.
            expected = np.array([s for _, s in case["hits"]], dtype=np.float32)
            assert scores.tobytes() == expected.tobytes(), (case["query"], scores, expected)
