"""Write a tiny BERT sentence-embedding model for tests that need no download.

2 layers, 32 dimensions, 4 heads, a 64-wide feed-forward layer and a small
vocabulary (specials, common English words, letters, digits, ``##`` pieces and
punctuation), random weights from a fixed seed, laid out exactly like a
sentence-transformers folder (``config.json``, ``model.safetensors``,
``vocab.txt``, ``sentence_bert_config.json``). Both engines load it through the
same code paths as all-MiniLM-L6-v2.

Run: ``python scripts/make_tiny_model.py DIR`` (the committed copy lives in
``tests/vectors/embed_tiny_model``; the tests check it matches this script).
"""

from __future__ import annotations

import json
import string
import struct
import sys
from pathlib import Path

import numpy as np

SEED = 20261129
HIDDEN = 32
LAYERS = 2
HEADS = 4
INTERMEDIATE = 64
POSITIONS = 64
MAX_TOKENS = 48
WORDS = [
    "the",
    "a",
    "an",
    "and",
    "or",
    "of",
    "to",
    "in",
    "for",
    "on",
    "with",
    "is",
    "are",
    "be",
    "this",
    "that",
    "it",
    "agent",
    "agents",
    "spec",
    "code",
    "review",
    "test",
    "tests",
    "data",
    "stream",
    "streaming",
    "dashboard",
    "database",
    "query",
    "search",
    "python",
    "rust",
    "async",
    "race",
    "condition",
    "security",
    "api",
    "design",
    "write",
    "run",
    "build",
    "fix",
    "bug",
    "error",
    "request",
    "user",
    "clicks",
    "seconds",
    "morning",
    "product",
    "wants",
    "show",
    "up",
    "within",
    "instead",
    "next",
]


def vocabulary() -> list[str]:
    tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokens += list(string.punctuation)
    tokens += list(string.ascii_lowercase) + list(string.digits)
    tokens += ["##" + c for c in string.ascii_lowercase + string.digits]
    tokens += ["##ing", "##ed", "##er", "##ly", "é", "中", "文", "ᄒ", "##ᅡ", "##ᆫ"]
    tokens += WORDS
    # One id per token: a duplicate would make the vocabulary ambiguous.
    return list(dict.fromkeys(tokens))


def tensors(vocab_size: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(SEED)

    def normal(*shape: int, scale: float = 0.2) -> np.ndarray:
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    out = {
        "embeddings.word_embeddings.weight": normal(vocab_size, HIDDEN, scale=1.0),
        "embeddings.position_embeddings.weight": normal(POSITIONS, HIDDEN, scale=0.5),
        "embeddings.token_type_embeddings.weight": normal(2, HIDDEN, scale=0.5),
        "embeddings.LayerNorm.weight": 1 + normal(HIDDEN, scale=0.1),
        "embeddings.LayerNorm.bias": normal(HIDDEN, scale=0.1),
    }
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."
        for name in ("query", "key", "value"):
            out[f"{p}attention.self.{name}.weight"] = normal(HIDDEN, HIDDEN)
            out[f"{p}attention.self.{name}.bias"] = normal(HIDDEN, scale=0.1)
        out[f"{p}attention.output.dense.weight"] = normal(HIDDEN, HIDDEN)
        out[f"{p}attention.output.dense.bias"] = normal(HIDDEN, scale=0.1)
        out[f"{p}attention.output.LayerNorm.weight"] = 1 + normal(HIDDEN, scale=0.1)
        out[f"{p}attention.output.LayerNorm.bias"] = normal(HIDDEN, scale=0.1)
        out[f"{p}intermediate.dense.weight"] = normal(INTERMEDIATE, HIDDEN)
        out[f"{p}intermediate.dense.bias"] = normal(INTERMEDIATE, scale=0.1)
        out[f"{p}output.dense.weight"] = normal(HIDDEN, INTERMEDIATE)
        out[f"{p}output.dense.bias"] = normal(HIDDEN, scale=0.1)
        out[f"{p}output.LayerNorm.weight"] = 1 + normal(HIDDEN, scale=0.1)
        out[f"{p}output.LayerNorm.bias"] = normal(HIDDEN, scale=0.1)
    return out


def safetensors_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    blobs = []
    offset = 0
    for name in sorted(arrays):
        blob = arrays[name].astype("<f4").tobytes()
        header[name] = {
            "dtype": "F32",
            "shape": list(arrays[name].shape),
            "data_offsets": [offset, offset + len(blob)],
        }
        blobs.append(blob)
        offset += len(blob)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)
    return struct.pack("<Q", len(head)) + head + b"".join(blobs)


def write(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    vocab = vocabulary()
    (out_dir / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    config = {
        "architectures": ["BertModel"],
        "hidden_act": "gelu",
        "hidden_size": HIDDEN,
        "intermediate_size": INTERMEDIATE,
        "layer_norm_eps": 1e-12,
        "max_position_embeddings": POSITIONS,
        "model_type": "bert",
        "num_attention_heads": HEADS,
        "num_hidden_layers": LAYERS,
        "type_vocab_size": 2,
        "vocab_size": len(vocab),
    }
    (out_dir / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    (out_dir / "sentence_bert_config.json").write_text(
        json.dumps({"max_seq_length": MAX_TOKENS, "do_lower_case": False}) + "\n", encoding="utf-8"
    )
    (out_dir / "model.safetensors").write_bytes(safetensors_bytes(tensors(len(vocab))))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python scripts/make_tiny_model.py DIR")
    write(Path(sys.argv[1]))
