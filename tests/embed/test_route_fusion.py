"""route's semantic arm: stored document vectors, fusion, parity of the two engines."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from specsearch import Index
from specsearch.cli import cli
from specsearch.pure.embed import DOCUMENT_TOKENS
from specsearch.vectors import DOC_TOKENS, spec_vectors
from tests.embed.conftest import TINY

EXAMPLES = str(Path(__file__).resolve().parents[2] / "examples" / "specs")
REQUESTS = (
    "can you help me cancel tokio tasks cleanly?",
    "my database queries are slow",
    "review this code for injection holes",
    "deploy something to the cluster",
    "the dashboard should update within seconds",
)
TIE = 1e-4


def _routes(backend: str, model: Path) -> list[list[tuple[int, float]]]:
    with Index.build([EXAMPLES], backend=backend) as index:
        return [[(h.doc_id, h.score) for h in index.route(r, k=10, model=model)] for r in REQUESTS]


def _same_ranking(a: list[tuple[int, float]], b: list[tuple[int, float]]) -> bool:
    """Same ids in the same order, except between hits whose scores are within TIE."""
    if sorted(i for i, _ in a) != sorted(i for i, _ in b):
        return False
    score = dict(b)
    return all(score[a[j][0]] + TIE >= score[a[j + 1][0]] for j in range(len(a) - 1))


def _parity(model: Path) -> None:
    native, python = _routes("native", model), _routes("python", model)
    for got, want in zip(native, python, strict=True):
        assert _same_ranking(got, want)
        assert max(abs(s - dict(want)[i]) for i, s in got) < TIE


def test_engines_agree_on_the_tiny_model() -> None:
    _parity(TINY)


def test_engines_agree_on_the_real_model(real_model: Path) -> None:
    _parity(real_model)


def test_hybrid_ranks_every_spec_and_explains_both_parts() -> None:
    with Index.build([EXAMPLES], backend="python") as index:
        hits = index.route("tokio tasks", k=100, model=TINY, alpha=0.3)
        why = hits.explain()
        assert len(hits) == index.stats().docs
        assert why.alpha == 0.3
        assert len(why.fused) == len(hits)
        for hit, part in zip(hits, why.fused, strict=True):
            assert hit.score == pytest.approx(0.7 * part.lexical + 0.3 * part.semantic, abs=1e-6)
        lexical_only = index.route("tokio tasks", k=1, model=TINY, alpha=0.0)
        assert lexical_only[0].doc_id == index.route("tokio tasks", k=1)[0].doc_id
        assert index.route("tokio tasks", k=1).explain().fused == ()


def test_vectors_are_stored_incrementally_and_survive_corruption(tmp_path: Path) -> None:
    store = str(tmp_path / "python.vectors")
    with Index.build([EXAMPLES], backend="python") as index:
        infos = index._backend.docs(range(index.stats().docs))
        encoder = index.encoder(TINY)
        first, embedded = spec_vectors(infos, encoder, "tiny", store)
        assert embedded == len(infos) > 0
        again, embedded = spec_vectors(infos, encoder, "tiny", store)
        assert embedded == 0
        assert np.array_equal(first, again)
        assert not again.flags.writeable
        _, embedded = spec_vectors(infos, encoder, "another model", store)
        assert embedded == len(infos)
        data = bytearray(Path(store).read_bytes())
        data[40] ^= 0xFF
        Path(store).write_bytes(bytes(data))
        fixed, embedded = spec_vectors(infos, encoder, "another model", store)
        assert embedded == len(infos)
        assert np.array_equal(first, fixed)
        _, embedded = spec_vectors(infos[:-1], encoder, "another model", store)
        assert embedded == 0


def test_open_keeps_vectors_beside_the_index(tmp_path: Path) -> None:
    with Index.open([EXAMPLES], index_dir=tmp_path, backend="native") as index:
        vectors = index.doc_vectors(TINY)
        assert vectors.shape == (index.stats().docs, index.encoder(TINY).dim)
    assert (tmp_path / "native.vectors").is_file()


def test_cli_without_a_model_says_how_to_get_one(tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path), "SPECSEARCH_MODEL": ""}
    result = CliRunner().invoke(
        cli, ["route", "tokio tasks", EXAMPLES, "--index", str(tmp_path / "i")], env=env
    )
    assert result.exit_code == 0, result.output
    assert "specsearch model fetch" in result.stderr
    assert "async-rust-reviewer" in result.stdout


def test_cli_model_explain_shows_both_parts(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "route",
            "tokio tasks",
            EXAMPLES,
            "--model",
            str(TINY),
            "--explain",
            "--index",
            str(tmp_path / "i"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "hybrid:" in result.stdout
    assert "lexical " in result.stdout
    assert "semantic " in result.stdout


def test_the_token_budget_is_the_encoders_document_budget() -> None:
    assert DOC_TOKENS == DOCUMENT_TOKENS
