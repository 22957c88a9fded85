"""Native vs numpy embeddings (cosine >= 0.9999), zero copy, errors."""

from __future__ import annotations

import json
import shutil
import struct
from typing import TYPE_CHECKING

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from specsearch import Index
from specsearch.encoder import load_encoder
from specsearch.errors import ModelError, ModelNotFoundError, SchemaError
from tests.embed.conftest import TINY, read_vectors

if TYPE_CHECKING:
    from pathlib import Path

    from specsearch.encoder import Encoder

MIN_COSINE = read_vectors("embed_tiny.json")["min_cosine"]


@pytest.mark.parametrize("engine", ["native", "python"])
def test_shared_vectors(tiny_encoders: dict[str, Encoder], engine: str) -> None:
    cases = read_vectors("embed_tiny.json")["cases"]
    got = tiny_encoders[engine].embed([c["text"] for c in cases])
    want = np.array([c["embedding"] for c in cases], dtype=np.float32)
    assert got.shape == want.shape == (len(cases), 32)
    assert got.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert (got * want).sum(axis=1).min() >= MIN_COSINE


@given(st.lists(st.text(max_size=200), min_size=1, max_size=6))
def test_engines_agree_on_generated_text(texts: list[str]) -> None:
    native = load_encoder(TINY, "native").embed(texts)
    pure = load_encoder(TINY, "python").embed(texts)
    assert (native * pure).sum(axis=1).min() >= MIN_COSINE


def test_index_embed_is_zero_copy(examples: Path, backend: str) -> None:
    with Index.build([str(examples)], backend=backend) as index:
        out = index.embed(["the agent", "review python code"], model=TINY)
        assert out.shape == (2, 32)
        assert out.dtype == np.float32
        if backend == "native":
            assert not out.flags.owndata
            assert type(out.base).__name__ == "Embeddings"
        assert index.encoder(TINY) is index.encoder(TINY)
        with pytest.raises(SchemaError):
            index.embed("a single string", model=TINY)


def test_the_api_never_reads_specsearch_model(
    examples: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPECSEARCH_MODEL", str(TINY))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with Index.build([str(examples)], backend="python") as index:
        with pytest.raises(ModelNotFoundError, match=str(tmp_path)):
            index.embed(["x"])
        assert index.embed(["x"], model=TINY).shape == (1, 32)


def test_no_model_is_a_clear_error(
    examples: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with (
        Index.build([str(examples)], backend="python") as index,
        pytest.raises(ModelNotFoundError, match="specsearch model fetch"),
    ):
        index.embed(["x"])


@pytest.mark.parametrize("engine", ["native", "python"])
def test_broken_model_files(tmp_path: Path, engine: str) -> None:
    for name in ("vocab.txt", "config.json", "sentence_bert_config.json"):
        shutil.copy(TINY / name, tmp_path / name)
    (tmp_path / "model.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json}")
    with pytest.raises(ModelError, match=r"model\.safetensors"):
        load_encoder(tmp_path, engine)
    (tmp_path / "config.json").write_text('{"hidden_size": 32}', encoding="utf-8")
    with pytest.raises(ModelError, match=r"config\.json"):
        load_encoder(tmp_path, engine)
    (tmp_path / "vocab.txt").unlink()
    with pytest.raises(FileNotFoundError):
        load_encoder(tmp_path, engine)


@pytest.mark.parametrize("engine", ["native", "python"])
def test_a_dense_weight_past_float16_is_refused(tmp_path: Path, engine: str) -> None:
    """The dense layers run on float16-rounded weights: one that would round
    to infinity is refused, naming the tensor and the index, in both engines."""
    for name in ("vocab.txt", "config.json", "sentence_bert_config.json"):
        shutil.copy(TINY / name, tmp_path / name)
    data = bytearray((TINY / "model.safetensors").read_bytes())
    (size,) = struct.unpack_from("<Q", data)
    header = json.loads(data[8 : 8 + size])
    tensor = "encoder.layer.1.intermediate.dense.weight"
    start = 8 + size + header[tensor]["data_offsets"][0]
    struct.pack_into("<f", data, start + 4 * 5, 70000.0)  # float16's largest is 65504
    (tmp_path / "model.safetensors").write_bytes(bytes(data))
    with pytest.raises(ModelError, match=rf"{tensor}: value 70000(\.0)? at index 5 is past"):
        load_encoder(tmp_path, engine)
    struct.pack_into("<f", data, start + 4 * 5, 65504.0)
    (tmp_path / "model.safetensors").write_bytes(bytes(data))
    assert load_encoder(tmp_path, engine).dim == 32


@pytest.mark.corpora
def test_real_model_parity_on_real_specs(real_model: Path, corpora: Path) -> None:
    files = sorted(corpora.rglob("*.md"))[::300]
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in files]
    texts += ["Product wants clicks to show up on the dashboard within seconds", ""]
    native = load_encoder(real_model, "native").embed(texts)
    pure = load_encoder(real_model, "python").embed(texts)
    assert native.shape == (len(texts), 384)
    assert (native * pure).sum(axis=1).min() >= MIN_COSINE
