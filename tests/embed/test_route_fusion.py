"""route's semantic arm: stored document vectors, fusion, parity of the two engines."""

from __future__ import annotations

import json
import mmap
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from specsearch import Index, vectors
from specsearch.cli import cli
from specsearch.encoder import load_encoder
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


def _mapped_file(array: np.ndarray) -> mmap.mmap:
    base = array.base
    while isinstance(base, np.ndarray):
        base = base.base
    assert isinstance(base, memoryview)
    assert isinstance(base.obj, mmap.mmap)
    return base.obj


@pytest.mark.parametrize("backend", ["native", "python"])
def test_open_keeps_the_vectors_and_maps_them(tmp_path: Path, backend: str) -> None:
    with Index.open([EXAMPLES], index_dir=tmp_path, backend=backend) as index:
        first = index.doc_vectors(TINY)
        assert first.shape == (index.stats().docs, index.encoder(TINY).dim)
        assert first.dtype == np.float16
        assert not first.flags.owndata
        assert not first.flags.writeable
    with Index.open([EXAMPLES], index_dir=tmp_path, backend=backend) as index:
        vectors = index.doc_vectors(TINY)
        assert np.array_equal(vectors, first)
        assert not vectors.flags.owndata
        assert not vectors.flags.writeable
        _mapped_file(vectors)
        wide = index.doc_vectors_f32(TINY)
        assert wide.dtype == np.float32
        assert np.array_equal(wide, vectors.astype(np.float32))
    if backend == "python":
        assert (tmp_path / "python.vectors").is_file()
    else:
        # In the index: one vector file per segment, none beside it.
        assert not (tmp_path / "native.vectors").exists()
        assert list((tmp_path / "native").glob("vec-*.vec"))


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


@pytest.mark.parametrize("backend", ["native", "python"])
def test_stats_reports_the_stored_vectors(tmp_path: Path, backend: str) -> None:
    where = [EXAMPLES, "--index", str(tmp_path / "i"), "--backend", backend]
    before = CliRunner().invoke(cli, ["stats", "--json", *where])
    routed = CliRunner().invoke(cli, ["route", "tokio tasks", "--model", str(TINY), *where])
    assert routed.exit_code == 0, routed.output
    after = CliRunner().invoke(cli, ["stats", "--json", *where])
    assert after.exit_code == 0, after.output
    doc = json.loads(after.stdout)
    vectors = doc["vectors"]
    assert vectors["count"] == doc["docs"] > 0
    assert (vectors["dims"], vectors["dtype"], vectors["valid"]) == (32, "float16", True)
    assert vectors["model_id"].endswith("|32")
    where_stored = Path(vectors["location"])
    files = list(where_stored.glob("vec-*.vec")) if where_stored.is_dir() else [where_stored]
    assert vectors["size_bytes"] == sum(f.stat().st_size for f in files) > 0
    text = CliRunner().invoke(cli, ["stats", *where])
    assert f"vectors:  {doc['docs']} x 32 float16" in text.stdout
    assert before.exit_code != 0 or json.loads(before.stdout)["vectors"] is None


def test_an_interrupted_embedding_keeps_what_it_committed(
    tmp_path: Path, two_row_commits: None
) -> None:
    store = str(tmp_path / "python.vectors")
    with Index.build([EXAMPLES], backend="python") as index:
        infos = index._backend.docs(range(index.stats().docs))
        assert len(infos) >= 5
        encoder = index.encoder(TINY)

        def stop(done: int, todo: int) -> None:
            if done >= 4:
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            spec_vectors(infos, encoder, "tiny", store, stop)
        kept = vectors.read_vector_stats(store)
        assert kept is not None
        assert kept.valid
        assert kept.count == 2
        done, embedded = spec_vectors(infos, encoder, "tiny", store)
        assert embedded == len(infos) - 2
        fresh, _ = spec_vectors(infos, encoder, "tiny", None)
        assert np.array_equal(done, fresh)


FUSION_REQUESTS = (
    "tokio tasks",
    "review my python concurrency",
    "optimise a slow sql query",
    "write a go service",
)


def test_the_native_hybrid_route_matches_the_numpy_fusion(tmp_path: Path) -> None:
    with Index.open([EXAMPLES], index_dir=tmp_path, backend="native") as index:
        for request in FUSION_REQUESTS:
            rust = index.route(request, k=5, model=TINY)
            numpy = index._route_fused_numpy(request, 5, TINY, vectors.FUSION["alpha"])
            got = [(h.doc_id, h.score) for h in rust]
            want = [(h.doc_id, h.score) for h in numpy]
            assert [d for d, _ in got] == [d for d, _ in want], request
            for (_, a), (_, b) in zip(got, want, strict=True):
                assert a == pytest.approx(b, abs=1e-5)
            for mine, ref in zip(rust.explain().fused, numpy.explain().fused, strict=True):
                assert (mine.lexical, mine.semantic, mine.cosine) == pytest.approx(
                    (ref.lexical, ref.semantic, ref.cosine), abs=1e-5
                )


def test_both_engines_read_each_others_vector_files(tmp_path: Path) -> None:
    store = str(tmp_path / "shared.vectors")
    with Index.build([EXAMPLES], backend="python") as index:
        infos = index._backend.docs(range(index.stats().docs))
        python_encoder = index.encoder(TINY)
        written, embedded = vectors.stored_rows(infos, python_encoder, "tiny", store)
        assert embedded == len(infos)
    native = load_encoder(TINY, "native")
    again, embedded = vectors.stored_rows(infos, native, "tiny", store)
    assert embedded == 0
    assert bytes(again.data[again.offset :]) == bytes(written.data[written.offset :])
    fresh = native.embed_f16(["the agent", "review python code"])  # type: ignore[attr-defined]
    assert fresh == native.embed(["the agent", "review python code"]).astype("<f2").tobytes()


def test_the_cli_route_never_imports_numpy(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from specsearch.cli import cli\n"
        "try:\n"
        "    cli(sys.argv[1:])\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code\n"
        "print('numpy' in sys.modules, file=sys.stderr)\n"
    )
    for _ in range(2):  # the first run embeds the specs, the second reads them
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                script,
                "route",
                "tokio tasks",
                EXAMPLES,
                "--backend",
                "native",
                "--model",
                str(TINY),
                "--explain",
                "--index",
                str(tmp_path / "i"),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        assert "async-rust-reviewer" in result.stdout
        assert "semantic " in result.stdout
        assert result.stderr.strip().splitlines()[-1] == "False", result.stderr
