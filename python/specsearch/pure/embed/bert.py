"""BERT forward pass in numpy: the reference for ``rust/core/src/embed/bert.rs``.

One sequence at a time, unpadded; embeddings, self-attention, GELU (the same
erf approximation as the Rust engine), LayerNorm, then mean pooling over all
tokens and L2 normalisation, all in float32, with each dense layer's
weights rounded to their nearest float16 values as the Rust engine keeps
them. The weights are read from
``model.safetensors`` with numpy alone, following the documented format
(8-byte little-endian header length, a JSON header, then raw little-endian
tensors).
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from specsearch.errors import ModelError

if TYPE_CHECKING:
    from pathlib import Path

    from numpy.typing import NDArray

    F32 = NDArray[np.float32]

_DTYPES = {"F32": np.dtype("<f4")}


def read_safetensors(path: Path) -> dict[str, F32]:
    """The float32 tensors of a safetensors file (other dtypes are skipped).

    Raises:
        ModelError: the file is not valid safetensors.
    """
    data = path.read_bytes()
    if len(data) < 8:
        raise ModelError(str(path), "shorter than a safetensors header")
    (size,) = struct.unpack("<Q", data[:8])
    if size > len(data) - 8:
        raise ModelError(str(path), f"header length {size} past the end of the file")
    try:
        header = json.loads(data[8 : 8 + size])
    except ValueError as err:
        raise ModelError(str(path), f"header is not JSON: {err}") from err
    base = 8 + size
    out: dict[str, F32] = {}
    for name, info in header.items():
        if name == "__metadata__" or info.get("dtype") not in _DTYPES:
            continue
        start, end = info["data_offsets"]
        shape = tuple(info["shape"])
        if not 0 <= start <= end <= len(data) - base or end - start != 4 * int(np.prod(shape)):
            raise ModelError(str(path), f"{name}: data offsets {start}..{end} do not fit")
        array = np.frombuffer(
            data, dtype=_DTYPES["F32"], count=(end - start) // 4, offset=base + start
        )
        out[name] = array.reshape(shape).astype(np.float32)
    return out


def erf(x: F32) -> F32:
    """Abramowitz & Stegun 7.1.26, as ``bert::erf`` in Rust (error below 1.5e-7)."""
    p = np.float32(0.3275911)
    a = [np.float32(v) for v in (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)]
    sign = np.where(x < 0, np.float32(-1.0), np.float32(1.0))
    ax = np.abs(x)
    t = np.float32(1.0) / (np.float32(1.0) + p * ax)
    poly = t * (a[0] + t * (a[1] + t * (a[2] + t * (a[3] + t * a[4]))))
    result: F32 = sign * (np.float32(1.0) - poly * np.exp(-ax * ax))
    return result


def _gelu(x: F32) -> F32:
    """GELU in its exact (erf) form, as BERT's ``"gelu"``."""
    out: F32 = (x * np.float32(0.5)) * (np.float32(1.0) + erf(x * np.float32(np.sqrt(0.5))))
    return out


def _layer_norm(x: F32, g: F32, b: F32, eps: float) -> F32:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    out: F32 = (x - mean) / np.sqrt(var + np.float32(eps)) * g + b
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class BertConfig:
    """The subset of ``config.json`` the encoder reads."""

    hidden_size: int
    num_hidden_layers: int
    num_attention_heads: int
    intermediate_size: int
    max_position_embeddings: int
    layer_norm_eps: float = 1e-12


class Bert:
    """BERT weights and the forward pass."""

    def __init__(self, model_dir: Path) -> None:
        """Load ``config.json`` and ``model.safetensors`` from a model folder.

        Raises:
            ModelError: the config or the weights do not fit.
        """
        config_path = model_dir / "config.json"
        try:
            raw = json.loads(config_path.read_text(encoding="utf-8"))
            act = raw.get("hidden_act", "gelu")
            self.config = BertConfig(
                hidden_size=int(raw["hidden_size"]),
                num_hidden_layers=int(raw["num_hidden_layers"]),
                num_attention_heads=int(raw["num_attention_heads"]),
                intermediate_size=int(raw["intermediate_size"]),
                max_position_embeddings=int(raw["max_position_embeddings"]),
                layer_norm_eps=float(raw.get("layer_norm_eps", 1e-12)),
            )
        except (ValueError, KeyError, TypeError) as err:
            raise ModelError(str(config_path), f"{type(err).__name__}: {err}") from err
        if act != "gelu":
            raise ModelError(str(config_path), f'hidden_act {act!r} is not supported (only "gelu")')
        c = self.config
        if c.num_attention_heads <= 0 or c.hidden_size % c.num_attention_heads:
            raise ModelError(
                str(config_path),
                f"hidden_size {c.hidden_size} is not a multiple of "
                f"num_attention_heads {c.num_attention_heads}",
            )
        weights_path = model_dir / "model.safetensors"
        tensors = read_safetensors(weights_path)
        prefix = "bert." if any(k.startswith("bert.") for k in tensors) else ""

        def get(name: str) -> F32:
            try:
                return tensors[prefix + name]
            except KeyError:
                raise ModelError(str(weights_path), f"no tensor {prefix + name}") from None

        self.word = get("embeddings.word_embeddings.weight")
        self.position = get("embeddings.position_embeddings.weight")
        self.token_type = get("embeddings.token_type_embeddings.weight")
        self.emb_ln = (get("embeddings.LayerNorm.weight"), get("embeddings.LayerNorm.bias"))

        def dense(name: str) -> F32:
            # The dense layers multiply by the float16 rounding of each weight,
            # as the Rust engine does (SPEC.md §10); a finite weight past
            # float16's range is refused rather than made infinite.
            w = get(name)
            with np.errstate(over="ignore"):
                rounded = w.astype(np.float16).astype(np.float32)
            bad = np.flatnonzero(np.isfinite(w) & ~np.isfinite(rounded))
            if bad.size:
                at = int(bad[0])
                raise ModelError(
                    str(weights_path),
                    f"{prefix}{name}: value {float(w.flat[at])} at index {at} is past the "
                    "float16 range (±65504) the dense layers are computed in",
                )
            return rounded

        self.layers = []
        for i in range(c.num_hidden_layers):
            p = f"encoder.layer.{i}."
            self.layers.append(
                {
                    name: (dense if name.endswith("_w") else get)(p + key)
                    for name, key in (
                        ("q_w", "attention.self.query.weight"),
                        ("q_b", "attention.self.query.bias"),
                        ("k_w", "attention.self.key.weight"),
                        ("k_b", "attention.self.key.bias"),
                        ("v_w", "attention.self.value.weight"),
                        ("v_b", "attention.self.value.bias"),
                        ("ao_w", "attention.output.dense.weight"),
                        ("ao_b", "attention.output.dense.bias"),
                        ("ln1_g", "attention.output.LayerNorm.weight"),
                        ("ln1_b", "attention.output.LayerNorm.bias"),
                        ("i_w", "intermediate.dense.weight"),
                        ("i_b", "intermediate.dense.bias"),
                        ("o_w", "output.dense.weight"),
                        ("o_b", "output.dense.bias"),
                        ("ln2_g", "output.LayerNorm.weight"),
                        ("ln2_b", "output.LayerNorm.bias"),
                    )
                }
            )

    @property
    def vocab_size(self) -> int:
        """The number of rows of the word-embedding table."""
        return int(self.word.shape[0])

    def embed(self, ids: list[int]) -> F32:
        """The L2-normalised mean of the last hidden states of ``ids``."""
        c = self.config
        n = min(len(ids), c.max_position_embeddings)
        eps = c.layer_norm_eps
        x = self.word[np.asarray(ids[:n], dtype=np.intp)] + self.position[:n] + self.token_type[0]
        x = _layer_norm(x, *self.emb_ln, eps)
        heads = c.num_attention_heads
        d = c.hidden_size // heads
        scale = np.float32(1.0 / np.sqrt(np.float32(d)))
        for w in self.layers:
            q = (x @ w["q_w"].T + w["q_b"]).reshape(n, heads, d).transpose(1, 0, 2)
            k = (x @ w["k_w"].T + w["k_b"]).reshape(n, heads, d).transpose(1, 0, 2)
            v = (x @ w["v_w"].T + w["v_b"]).reshape(n, heads, d).transpose(1, 0, 2)
            scores = (q @ k.transpose(0, 2, 1)) * scale
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            ctx = (scores @ v).transpose(1, 0, 2).reshape(n, c.hidden_size)
            x = _layer_norm(x + ctx @ w["ao_w"].T + w["ao_b"], w["ln1_g"], w["ln1_b"], eps)
            hidden = x @ w["i_w"].T + w["i_b"]
            hidden = _gelu(hidden)
            x = _layer_norm(x + hidden @ w["o_w"].T + w["o_b"], w["ln2_g"], w["ln2_b"], eps)
        pooled = x.mean(axis=0)
        norm = max(float(np.sqrt((pooled * pooled).sum())), 1e-12)
        out: F32 = (pooled / np.float32(norm)).astype(np.float32)
        return out
