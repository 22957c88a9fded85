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
two texts. The file (little-endian) is ``SSVECS01``, u32 dim, u32 rows, u16 length
and UTF-8 of the model id, rows x 32 key bytes, rows x dim float16, then the
sha256 of everything before it (SPEC.md §10, *Document vectors*). It is
written to a temporary file, fsynced and renamed over the old one, every
:data:`COMMIT_EVERY` new rows while embedding and at the end, so an
interrupted run keeps what it committed; a file that is missing, corrupt or
of another model is recomputed, never an error.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.resources
import json
import mmap
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
    "StoredRows",
    "VectorStats",
    "document_vectors",
    "load_vectors",
    "read_vector_stats",
    "save_vectors",
    "spec_vectors",
    "stored_rows",
]

DOC_TOKENS = 128
"""The token budget of a document text (``DOCUMENT_TOKENS`` of both engines)."""
BATCH = 64
"""Texts embedded per call, between progress reports."""
COMMIT_EVERY = 512
"""New rows between two commits of the file while embedding (SPEC.md §10)."""

FUSION: dict[str, float] = {
    key: float(value)
    for key, value in json.loads(
        importlib.resources.files("specsearch").joinpath("data/fusion.json").read_text("utf-8")
    ).items()
    if key in ("alpha", "feedback_tau", "feedback_beta")
}
"""route's fusion parameters, from ``data/fusion.json``: ``alpha`` and the
feedback step's ``feedback_tau`` and ``feedback_beta`` (SPEC.md §10)."""

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


@dataclasses.dataclass(frozen=True, slots=True)
class VectorStats:
    """The header of a document-vector file (``specsearch stats``)."""

    count: int
    dims: int
    dtype: str
    model_id: str
    size_bytes: int
    valid: bool
    location: str


def read_vector_stats(path: str) -> VectorStats | None:
    """What the file at ``path`` holds, or None when there is none or it is not one."""
    data = _map(path)
    if data is None or len(data) < _HEAD.size + _DIGEST:
        return None
    with data:
        magic, dim, rows, id_len = _HEAD.unpack_from(data)
        if magic != _MAGIC:
            return None
        model_id = data[_HEAD.size : _HEAD.size + id_len].decode("utf-8", "replace")
        return VectorStats(
            count=rows,
            dims=dim,
            dtype="float16",
            model_id=model_id,
            size_bytes=len(data),
            valid=_parse(data, model_id, dim) is not None,
            location=path,
        )


def _map(path: str) -> mmap.mmap | None:
    try:
        with open(path, "rb") as f:
            return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # missing, unreadable, or empty (ValueError)
        return None


def _parse(data: mmap.mmap | bytes, model_id: str, dim: int) -> tuple[int, int] | None:
    """(rows, offset of the matrix) of a valid file of ``model_id`` and ``dim``, else None."""
    if len(data) < _HEAD.size + _DIGEST:
        return None
    body = memoryview(data)[:-_DIGEST]
    try:
        if hashlib.sha256(body).digest() != data[-_DIGEST:]:
            return None
        magic, file_dim, rows, id_len = _HEAD.unpack_from(body)
        at = _HEAD.size + id_len
        if magic != _MAGIC or file_dim != dim or bytes(body[_HEAD.size : at]) != model_id.encode():
            return None
        if len(body) != at + rows * (_DIGEST + 2 * dim):
            return None
        return rows, at
    finally:
        body.release()


@dataclasses.dataclass(frozen=True, slots=True)
class StoredRows:
    """Document vectors as float16 bytes: ``rows x dim`` values of ``data`` from ``offset``.

    ``data`` is the mapped file when the vectors are stored (no copy), else
    bytes. Neither building nor reading one imports numpy.
    """

    data: mmap.mmap | bytes
    offset: int
    rows: int
    dim: int

    def array(self) -> NDArray[np.float16]:
        """A read-only ``(rows, dim)`` float16 view of ``data`` (not a copy)."""
        import numpy as np  # noqa: PLC0415 - only the array API needs numpy

        flat = np.frombuffer(self.data, dtype="<f2", count=self.rows * self.dim, offset=self.offset)
        return flat.reshape(self.rows, self.dim)


def load_vectors(path: str, model_id: str, dim: int) -> tuple[list[bytes], StoredRows | None]:
    """The stored keys and rows of the mapped file (not copied).

    ``([], None)`` when the file is missing, corrupt or of another model.
    """
    data = _map(path)
    found = _parse(data, model_id, dim) if data is not None else None
    if data is None or found is None:
        return [], None
    rows, at = found
    keys = [data[at + i * _DIGEST : at + (i + 1) * _DIGEST] for i in range(rows)]
    return keys, StoredRows(data, at + rows * _DIGEST, rows, dim)


def _body(model_id: str, dim: int, keys: Sequence[bytes], rows: bytes) -> bytes:
    model = model_id.encode()
    return _HEAD.pack(_MAGIC, dim, len(keys), len(model)) + model + b"".join(keys) + rows


def save_vectors(path: str, model_id: str, dim: int, keys: Sequence[bytes], rows: bytes) -> None:
    """Write ``rows`` (float16 bytes keyed by ``keys``) atomically: a temporary file, renamed."""
    body = _body(model_id, dim, keys, rows)
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".vectors-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(body + hashlib.sha256(body).digest())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _embed_f16(encoder: Encoder, texts: list[tuple[str, str]]) -> bytes:
    """Float16 little-endian document vectors of ``(long, summary)`` text pairs.

    The Rust encoder combines and converts them itself, without numpy.
    """
    native = getattr(encoder, "embed_documents_f16", None)
    if native is not None:
        out: bytes = native(texts)
        return out
    return document_vectors(encoder, texts).astype("<f2").tobytes()


def stored_rows(
    infos: Sequence[DocInfo],
    encoder: Encoder,
    model_id: str,
    path: str | None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[StoredRows, int]:
    """The float16 unit vectors of the specs in doc order, and how many were embedded now.

    Rows stored in ``path`` under the same text and model are reused; the
    others are embedded (``progress(done, todo)`` after each batch) and the
    file is committed every :data:`COMMIT_EVERY` new rows and at the end.
    With ``path``, the rows are the mapped file's (no copy). Never imports
    numpy with the native encoder.
    """
    dim = encoder.dim
    width = 2 * dim
    native_texts = getattr(encoder, "document_texts", None)
    all_texts: list[tuple[str, str]] = (
        native_texts(infos) if native_texts is not None else [_spec_texts(i) for i in infos]
    )
    keys = [_key(text) for text in all_texts]
    stored_keys, stored = load_vectors(path, model_id, dim) if path is not None else ([], None)
    if stored is not None and stored_keys == keys:
        return stored, 0
    rows: list[bytes | None] = [None] * len(infos)
    if stored is not None:
        where = {key: i for i, key in enumerate(stored_keys)}
        for i, key in enumerate(keys):
            if key in where:
                at = stored.offset + where[key] * width
                rows[i] = stored.data[at : at + width]
    del stored
    todo = [i for i, row in enumerate(rows) if row is None]
    for start in range(0, len(todo), BATCH):
        batch = todo[start : start + BATCH]
        block = _embed_f16(encoder, [all_texts[i] for i in batch])
        for n, i in enumerate(batch):
            rows[i] = block[n * width : (n + 1) * width]
        if progress is not None:
            progress(min(start + BATCH, len(todo)), len(todo))
        if path is not None and len(todo) > start + BATCH and (start + BATCH) % COMMIT_EVERY == 0:
            # Commit what is done, so that an interrupted run keeps it.
            done = [i for i, row in enumerate(rows) if row is not None]
            save_vectors(
                path, model_id, dim, [keys[i] for i in done], b"".join(rows[i] or b"" for i in done)
            )
    matrix = b"".join(row or b"" for row in rows)
    if path is not None:
        save_vectors(path, model_id, dim, keys, matrix)
        mapped_keys, mapped = load_vectors(path, model_id, dim)
        if mapped is not None and mapped_keys == keys:
            return mapped, len(todo)
    return StoredRows(matrix, 0, len(infos), dim), len(todo)


def spec_vectors(
    infos: Sequence[DocInfo],
    encoder: Encoder,
    model_id: str,
    path: str | None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[NDArray[np.float16], int]:
    """:func:`stored_rows` as a read-only ``(len(infos), dim)`` float16 array (no copy)."""
    rows, embedded = stored_rows(infos, encoder, model_id, path, progress)
    return rows.array(), embedded
