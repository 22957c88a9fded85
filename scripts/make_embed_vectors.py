"""Write the semantic arm's shared test vectors (read by the Rust and Python tests).

- ``tests/vectors/embed_tokens.json``: text -> token ids under the tiny model's
  vocabulary, as the ``tokenizers`` library (the oracle) computes them with
  all-MiniLM-L6-v2's normalizer, pre-tokenizer and template;
- ``tests/vectors/embed_tiny.json``: text -> embedding of the tiny model
  (``tests/vectors/embed_tiny_model``, made by ``scripts/make_tiny_model.py``)
  computed by the numpy reference engine;
- ``tests/vectors/embed_fuse.json``: fusion cases and their expected parts, and
  fusion cases with feedback (``route_scores``).

Run: ``uv run python scripts/make_embed_vectors.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

from specsearch.pure.embed import PureEncoder
from specsearch.pure.embed.fuse import fuse, route_scores

ROOT = Path(__file__).resolve().parents[1]
VECTORS = ROOT / "tests" / "vectors"
TINY = VECTORS / "embed_tiny_model"
SPECIAL = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")

TEXTS = (
    "",
    "the agent",
    "Review the Python async code for race conditions!",
    "Product wants clicks to show up on the dashboard within seconds instead of the next morning",
    "Café résumé naïve ÉCOLE",
    "中文 and 中文text",
    "한국어 텍스트",
    "tabs\tand\nnewlines\r\nand  spaces",
    "zero\u200bwidth\u0000null\ufffdreplacement\u0085nel",
    "[CLS] raw [SEP] special [MASK] tokens [UNK][PAD]",
    "a" * 101,
    "a" * 100,
    "İstanbul ΣΊΣΥΦΟΣ straße ﬁle",
    "emoji 🙂 and symbols $5 + 3 = 8 ~ ^ | ` < >",
    "quotes “curly” \u2018single\u2019 — dash … ellipsis «guillemets»",
    "streaming data dashboard seconds " * 20,
    "numbers 123 4.56 7,890 1e10 0x1F",
    "unknownword xyzzy the",
    "UPPER lower MiXeD",
    "\u037e greek question mark and \u00b7 middle dot",
)


def oracle(vocab: list[str], max_tokens: int) -> Tokenizer:
    ids = {token: i for i, token in enumerate(vocab)}
    tok = Tokenizer(models.WordPiece(vocab=ids, unk_token="[UNK]", max_input_chars_per_word=100))
    tok.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True
    )
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        special_tokens=[("[CLS]", ids["[CLS]"]), ("[SEP]", ids["[SEP]"])],
    )
    tok.add_special_tokens(list(SPECIAL))
    tok.enable_truncation(max_tokens)
    return tok


def main() -> None:
    vocab = (TINY / "vocab.txt").read_text(encoding="utf-8").splitlines()
    encoder = PureEncoder(TINY)
    tok = oracle(vocab, encoder.max_tokens)
    tokens = [{"text": t, "ids": tok.encode(t).ids} for t in TEXTS]
    budget = 8
    short = oracle(vocab, budget)
    tokens += [{"text": t, "max_tokens": budget, "ids": short.encode(t).ids} for t in TEXTS[2:4]]
    (VECTORS / "embed_tokens.json").write_text(
        json.dumps(
            {"vocab": "embed_tiny_model/vocab.txt", "cases": tokens}, indent=1, ensure_ascii=False
        )
        + "\n",
        encoding="utf-8",
    )
    embeddings = encoder.embed(list(TEXTS))
    tiny = [
        {"text": t, "embedding": [round(float(v), 7) for v in row]}
        for t, row in zip(TEXTS, embeddings, strict=True)
    ]
    (VECTORS / "embed_tiny.json").write_text(
        json.dumps(
            {"model": "embed_tiny_model", "min_cosine": 0.9999, "cases": tiny}, ensure_ascii=False
        )
        + "\n",
        encoding="utf-8",
    )
    rng = np.random.default_rng(7)
    cases = [
        {"lex_ids": [2, 0], "lex_scores": [10.0, 5.0], "cosine": [0.0, 0.25, 0.5], "alpha": 0.5},
        # z-scores by hand: BM25F [10, 0, 10, 0] -> [1, -1, 1, -1]; cosine
        # [0, 0.5, 0.5, 1] -> [-sqrt 2, 0, 0, sqrt 2].
        {
            "lex_ids": [2, 0],
            "lex_scores": [10.0, 10.0],
            "cosine": [0.0, 0.5, 0.5, 1.0],
            "alpha": 0.5,
        },
        {"lex_ids": [1], "lex_scores": [3.0], "cosine": [0.2, 0.2], "alpha": 0.0},
        {"lex_ids": [], "lex_scores": [], "cosine": [0.2, 0.2, -0.1], "alpha": 1.0},
        {"lex_ids": [], "lex_scores": [], "cosine": [], "alpha": 0.5},
        {
            "lex_ids": [int(i) for i in rng.permutation(40)[:12]],
            "lex_scores": [round(float(s), 4) for s in rng.uniform(0, 20, 12)],
            "cosine": [round(float(c), 4) for c in rng.uniform(-0.2, 0.9, 40)],
            "alpha": 0.5,
        },
        {
            "lex_ids": [3, 4, 5],
            "lex_scores": [7.5, 7.5, 1.0],
            "cosine": [0.9, 0.1, 0.3, 0.3, 0.5, 0.5],
            "alpha": 0.3,
        },
    ]
    for case in cases:
        lexical, semantic, fused = fuse(
            case["lex_ids"], case["lex_scores"], case["cosine"], case["alpha"]
        )
        case["lexical"] = [float(v) for v in lexical]
        case["semantic"] = [float(v) for v in semantic]
        case["fused"] = [float(v) for v in fused]
        order = np.lexsort((np.arange(fused.size), -fused))
        case["ranking"] = [int(i) for i in order]
    feedback = [
        feedback_case(rng, shape, params)
        for shape, params in (
            ((6, 4, 3), (0.5, 0.75, 1.0)),
            ((30, 8, 10), (0.55, 0.75, 1.0)),
            ((30, 8, 0), (1.0, 0.2, 2.5)),
            ((12, 5, 12), (0.0, 1.0, 1.0)),
            ((9, 3, 4), (0.7, 0.5, 0.0)),
            ((1, 4, 1), (0.5, 0.75, 1.0)),
        )
    ]
    (VECTORS / "embed_fuse.json").write_text(
        json.dumps(
            {"tolerance": 1e-6, "cases": cases, "feedback_tolerance": 1e-5, "feedback": feedback},
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )


def feedback_case(
    rng: np.random.Generator, shape: tuple[int, int, int], params: tuple[float, float, float]
) -> dict[str, Any]:
    """A fusion case with feedback: unit spec vectors and request, BM25F hits, expected parts.

    ``shape`` is (specs, dimensions, BM25F hits), ``params`` (alpha, tau, beta).
    """
    n, dim, hits = shape
    alpha, tau, beta = params
    vectors = rng.normal(size=(n, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = np.round(vectors, 4).astype(np.float32)
    query = rng.normal(size=dim).astype(np.float32)
    query = np.round(query / np.linalg.norm(query), 4).astype(np.float32)
    ids = [int(i) for i in rng.permutation(n)[:hits]]
    scores = [round(float(s), 4) for s in rng.uniform(0, 20, hits)]
    lexical, semantic, fused, cosine = route_scores(
        vectors, query, ids, scores, alpha, tau=tau, beta=beta
    )
    order = np.lexsort((np.arange(fused.size), -fused))
    return {
        "vectors": vectors.tolist(),
        "query": query.tolist(),
        "lex_ids": ids,
        "lex_scores": scores,
        "alpha": alpha,
        "tau": tau,
        "beta": beta,
        "lexical": [float(v) for v in lexical],
        "semantic": [float(v) for v in semantic],
        "fused": [float(v) for v in fused],
        "cosine": [float(v) for v in cosine],
        "ranking": [int(i) for i in order],
    }


if __name__ == "__main__":
    main()
