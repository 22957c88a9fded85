"""Document vectors for the semantic arm of ``route``, stored beside the index.

Each spec is embedded from two texts, the same for both engines because they
are built here, once, by :func:`specsearch.pure.embed.document_texts` (the
mirror of Rust's ``embed::document_texts``): its name, its description, the
user requests of its ``<example>`` blocks and its body, each cut at 2,048
characters, one per line; and its name and description alone. The encoder
truncates each to :data:`DOC_TOKENS` (128) tokens, ``[CLS]`` and ``[SEP]``
included; the spec's vector is the sum of the two embeddings, normalised to
unit length (:func:`specsearch.pure.embed.combine_rows`). The native backend
embeds with the Rust encoder (all cores, GIL released), the python backend
with numpy.

The vectors are kept in ``<index folder>/<backend>.vectors`` so that only
added or changed specs are embedded: each row is keyed by the sha256 of its
text. The file (little-endian) is ``SSVECS01``, u32 dim, u32 rows, u16 length
and UTF-8 of the model id, rows x 32 key bytes, rows x dim float16, then the
sha256 of everything before it. It is written to a temporary file and renamed
over the old one, so an interrupted run keeps the last complete file; a file
that is missing, corrupt or of another model is recomputed, never an error.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import os
import struct
import tempfile
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import numpy as np
    from numpy.typing import NDArray

    from specsearch.encoder import Encoder
    from specsearch.types import DocInfo

__all__ = [
    "DOC_TOKENS",
    "FUSION",
    "document_vectors",
    "load_vectors",
    "save_vectors",
    "spec_vectors",
]

DOC_TOKENS = 128
"""The token budget of a document text (``DOCUMENT_TOKENS`` of both engines)."""
BATCH = 64
"""Texts embedded per call, between progress reports."""

FUSION: dict[str, float] = {
    key: float(value)
    for key, value in json.loads(
        importlib.resources.files("specsearch").joinpath("data/fusion.json").read_text("utf-8")
    ).items()
    if key == "alpha"
}
"""route's fusion parameter ``alpha``, from ``data/fusion.json``."""

_MAGIC = b"SSVECS01"
_HEAD = struct.Struct("<8sIIH")
_DIGEST = 32


def _spec_texts(info: DocInfo) -> tuple[str, str]:
    """The document texts of an indexed spec, read again from its file."""
    from specsearch.pure.embed import document_texts  # noqa: PLC0415 - imports numpy
    from specsearch.pure.spec import ParsedSpec, parse_spec  # noqa: PLC0415 - loads yaml

    try:
        with open(info.path, "rb") as f:
            parsed, _ = parse_spec(info.path, info.path, f.read())
    except OSError:
        parsed = ParsedSpec(
            name=info.name,
            description=info.description,
            frontmatter=(),
            headings="",
            body="",
            examples="",
        )
    return document_texts(parsed)


def _key(texts: tuple[str, str]) -> bytes:
    digest = hashlib.sha256()
    for text in texts:
        data = text.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "little") + data)
    return digest.digest()


def document_vectors(encoder: Encoder, texts: Sequence[tuple[str, str]]) -> NDArray[np.float32]:
    """The ``(len(texts), dim)`` vectors of specs from their :func:`_spec_texts`.

    Each text is embedded within :data:`DOC_TOKENS`; a spec's rows are
    summed and normalised (``Encoder::embed_documents`` in Rust).
    """
    from specsearch.pure.embed import combine_rows  # noqa: PLC0415 - imports numpy

    flat = [text for pair in texts for text in pair]
    rows = encoder.embed(flat, DOC_TOKENS)
    return combine_rows(rows.reshape(len(texts), 2, encoder.dim))


def load_vectors(path: str, model_id: str, dim: int) -> dict[bytes, NDArray[np.float16]]:
    """The stored rows by key; empty when the file is missing, corrupt or of another model."""
    import numpy as np  # noqa: PLC0415 - the lexical path never imports numpy

    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return {}
    if len(data) < _HEAD.size + _DIGEST:
        return {}
    body, digest = data[:-_DIGEST], data[-_DIGEST:]
    if hashlib.sha256(body).digest() != digest:
        return {}
    magic, file_dim, rows, id_len = _HEAD.unpack_from(body)
    at = _HEAD.size + id_len
    if magic != _MAGIC or file_dim != dim or body[_HEAD.size : at] != model_id.encode():
        return {}
    if len(body) != at + rows * (_DIGEST + 2 * dim):
        return {}
    keys = body[at : at + rows * _DIGEST]
    matrix = np.frombuffer(body, dtype="<f2", offset=at + rows * _DIGEST).reshape(rows, dim)
    return {keys[i * _DIGEST : (i + 1) * _DIGEST]: matrix[i] for i in range(rows)}


def save_vectors(
    path: str, model_id: str, keys: Sequence[bytes], matrix: NDArray[np.float16]
) -> None:
    """Write ``matrix`` (rows keyed by ``keys``) atomically: a temporary file, then a rename."""
    model = model_id.encode()
    head = _HEAD.pack(_MAGIC, matrix.shape[1], matrix.shape[0], len(model))
    body = head + model + b"".join(keys) + matrix.astype("<f2").tobytes()
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".vectors-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(body + hashlib.sha256(body).digest())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def spec_vectors(
    infos: Sequence[DocInfo],
    encoder: Encoder,
    model_id: str,
    path: str | None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[NDArray[np.float32], int]:
    """The ``(len(infos), dim)`` unit vectors of the specs, and how many were embedded now.

    Rows stored in ``path`` under the same text and model are reused; the
    others are embedded (``progress(done, todo)`` after each batch) and the
    file is rewritten when anything changed.
    """
    import numpy as np  # noqa: PLC0415 - the lexical path never imports numpy

    dim = encoder.dim
    all_texts = [_spec_texts(info) for info in infos]
    keys = [_key(text) for text in all_texts]
    stored = load_vectors(path, model_id, dim) if path is not None else {}
    matrix = np.zeros((len(infos), dim), dtype=np.float16)
    todo = [i for i, key in enumerate(keys) if key not in stored]
    for i, key in enumerate(keys):
        if key in stored:
            matrix[i] = stored[key]
    if todo:
        texts = [all_texts[i] for i in todo]
        for start in range(0, len(todo), BATCH):
            rows = todo[start : start + BATCH]
            matrix[rows] = document_vectors(encoder, texts[start : start + BATCH]).astype(
                np.float16
            )
            if progress is not None:
                progress(min(start + BATCH, len(todo)), len(todo))
    if path is not None and (todo or len(stored) != len(set(keys))):
        save_vectors(path, model_id, keys, matrix)
    out = matrix.astype(np.float32)
    out.flags.writeable = False
    return out, len(todo)
