"""The semantic arm in Python: WordPiece, a numpy BERT encoder and score fusion.

The reference the Rust core (``rust/core/src/embed``) is tested against.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from specsearch.errors import ModelError
from specsearch.pure.embed.wordpiece import WordPiece

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    import numpy as np
    from numpy.typing import NDArray

    from specsearch.pure.spec import ParsedSpec

__all__ = [
    "DEFAULT_MAX_TOKENS",
    "DOCUMENT_TOKENS",
    "PART_CHARS",
    "PureEncoder",
    "combine_rows",
    "document_text",
    "document_texts",
    "summary_text",
]

#: The token budget when a model folder does not name one (as in Rust).
DEFAULT_MAX_TOKENS = 128
#: The token budget of a document vector, ``[CLS]`` and ``[SEP]`` included.
DOCUMENT_TOKENS = 128
#: At most this many characters of each part of a document text are kept.
PART_CHARS = 2048
# Unicode White_Space, what Rust's str::trim strips (str.strip() also strips \x1c-\x1f).
_WHITE_SPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + ("\u2028\u2029\u202f\u205f\u3000")
)


def _join(parts: Sequence[str]) -> str:
    stripped = (p.strip(_WHITE_SPACE) for p in parts)
    return "\n".join(p[:PART_CHARS] for p in stripped if p)


def document_text(spec: ParsedSpec) -> str:
    """The long text of a spec's document vector (``embed::document_text`` in Rust).

    Its name, description, ``<example>`` user requests and body, in that
    order, each stripped and cut at :data:`PART_CHARS` characters, empty parts
    left out, joined by line feeds. Embed it with a budget of
    :data:`DOCUMENT_TOKENS`.
    """
    return _join((spec.name, spec.description, spec.examples, spec.body))


def summary_text(spec: ParsedSpec) -> str:
    """The short text of a spec's document vector: its name and description.

    Stripped, cut and joined as in :func:`document_text` (``embed::summary_text``).
    """
    return _join((spec.name, spec.description))


def document_texts(spec: ParsedSpec) -> tuple[str, str]:
    """:func:`document_text` and :func:`summary_text` (``embed::document_texts``).

    A spec's vector is their embeddings' sum, normalised (:func:`combine_rows`).
    """
    return document_text(spec), summary_text(spec)


def combine_rows(parts: NDArray[np.float32]) -> NDArray[np.float32]:
    """``(n, parts, dim)`` embeddings -> ``(n, dim)``: each spec's rows summed, unit length.

    A zero sum stays zero (``embed::combine_rows`` in Rust).
    """
    import numpy as np  # noqa: PLC0415 - the package imports numpy only when it computes

    total = parts.astype(np.float32).sum(axis=1, dtype=np.float32)
    norm = np.sqrt((total * total).sum(axis=1, dtype=np.float32, keepdims=True))
    out: NDArray[np.float32] = np.divide(
        total, norm, out=np.zeros_like(total), where=norm > 0
    ).astype(np.float32)
    return out


class PureEncoder:
    """A sentence encoder in numpy, loaded from a sentence-transformers folder."""

    def __init__(self, model_dir: Path) -> None:
        """Load ``vocab.txt``, ``config.json``, ``model.safetensors`` from ``model_dir``.

        Raises:
            ModelError: a file does not fit.
            OSError: a file cannot be read.
        """
        # Imported here: document_text (the native route's path) needs no numpy.
        from specsearch.pure.embed.bert import Bert  # noqa: PLC0415

        vocab_path = model_dir / "vocab.txt"
        try:
            self._tokenizer = WordPiece.from_file(vocab_path)
        except ValueError as err:
            raise ModelError(str(vocab_path), str(err)) from err
        self._model = Bert(model_dir)
        if self._tokenizer.vocab_size > self._model.vocab_size:
            raise ModelError(
                str(vocab_path),
                f"{self._tokenizer.vocab_size} tokens, but the model embeds only "
                f"{self._model.vocab_size}",
            )
        st_config = model_dir / "sentence_bert_config.json"
        max_tokens = DEFAULT_MAX_TOKENS
        if st_config.is_file():
            try:
                value = json.loads(st_config.read_text(encoding="utf-8")).get("max_seq_length")
            except ValueError as err:
                raise ModelError(str(st_config), str(err)) from err
            if isinstance(value, int) and value >= 0:
                max_tokens = value
        self.max_tokens = min(max(max_tokens, 2), self._model.config.max_position_embeddings)
        self.dim = self._model.config.hidden_size

    def tokenize(self, text: str, max_tokens: int | None = None) -> list[int]:
        """Token ids of ``text``, ``[CLS]`` first and ``[SEP]`` last."""
        budget = self.max_tokens if max_tokens is None else min(max_tokens, self.max_tokens)
        return self._tokenizer.encode(text, budget)

    def embed(self, texts: Sequence[str], max_tokens: int | None = None) -> NDArray[np.float32]:
        """Unit-length embeddings of ``texts``, ``(len(texts), dim)`` float32."""
        import numpy as np  # noqa: PLC0415 - see __init__

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row] = self._model.embed(self.tokenize(text, max_tokens))
        return out
