"""Document vectors for the semantic arm of ``route``, stored with the index.

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

Only added or changed specs are embedded: each row is keyed by the sha256
of its two texts. The native on-disk index keeps the rows in its segments,
one ``vec-*.vec`` file per segment (:func:`segment_rows`; the files are the
Rust core's, ``index::vectors``); the python backend and an in-memory index
keep them in ``<index folder>/python.vectors`` or in memory
(:func:`stored_rows`). That file (little-endian) is ``SSVECS01``, u32 dim,
u32 rows, u16 length and UTF-8 of the model id, rows x 32 key bytes, rows x
dim float16, then the sha256 of everything before it (SPEC.md §10,
*Document vectors*). Either store is committed every :data:`COMMIT_EVERY`
new rows while embedding and at the end, so an interrupted run keeps what
it committed; rows that are missing, corrupt or of another model are
recomputed, never an error.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib.resources
import json
import mmap
import os
import struct
import tempfile
from typing import TYPE_CHECKING, Any, Protocol

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
"""New rows between two commits while embedding, at least (SPEC.md §10): a
commit rewrites the rows stored so far, so once more than four times this
many are stored, a commit waits for a quarter of them in new rows (the
rewrites add up to a few times the final size, not its square)."""

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


def segment_vector_stats(raw: dict[str, Any] | None, location: str) -> VectorStats | None:
    """:class:`VectorStats` of the native index's vector files (``_native.Index.vector_stats``)."""
    if raw is None:
        return None
    return VectorStats(
        count=int(raw["rows"]),
        dims=int(raw["dim"]),
        dtype="float16",
        model_id=str(raw["model"]),
        size_bytes=int(raw["bytes"]),
        valid=bool(raw["valid"]),
        location=location,
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


def _rows_by_key(keys: Sequence[bytes], stored: StoredRows | None) -> dict[bytes, bytes]:
    """Each row of a loaded ``.vectors`` file (:func:`load_vectors`) by its key."""
    if stored is None:
        return {}
    width = 2 * stored.dim
    return {
        key: bytes(stored.data[stored.offset + i * width : stored.offset + (i + 1) * width])
        for i, key in enumerate(keys)
    }


class _Store(Protocol):
    """Where document vectors are kept: rows by doc id, and rows by key."""

    def present(self) -> tuple[StoredRows, list[int]]:
        """Every doc's row in doc order (zero for the missing), and the ids missing."""
        ...

    def reuse(self, keys: Sequence[bytes]) -> list[bytes | None]:
        """A stored row for each key, when there is one."""
        ...

    def commit(self, ids: Sequence[int], keys: Sequence[bytes], rows: bytes) -> None:
        """Store new rows (float16 bytes, one per id) so that an interruption keeps them."""
        ...


@dataclasses.dataclass
class _FileStore:
    """One ``.vectors`` file (or none: ``path`` None), rows keyed by their texts."""

    path: str | None
    model_id: str
    dim: int
    keys: list[bytes]
    rows: dict[int, bytes] = dataclasses.field(default_factory=dict)
    writable: bool = True

    def present(self) -> tuple[StoredRows, list[int]]:
        stored_keys, stored = (
            load_vectors(self.path, self.model_id, self.dim) if self.path else ([], None)
        )
        n, width = len(self.keys), 2 * self.dim
        if stored is not None and stored_keys == self.keys:
            return stored, []
        by_key = _rows_by_key(stored_keys, stored)
        matrix = bytearray(n * width)
        missing: list[int] = []
        for i, key in enumerate(self.keys):
            if key in by_key:
                self.rows[i] = by_key[key]
                matrix[i * width : (i + 1) * width] = self.rows[i]
            else:
                missing.append(i)
        return StoredRows(bytes(matrix), 0, n, self.dim), missing

    def reuse(self, keys: Sequence[bytes]) -> list[bytes | None]:
        return [None] * len(keys)  # present() already matched every stored key

    def commit(self, ids: Sequence[int], keys: Sequence[bytes], rows: bytes) -> None:
        width = 2 * self.dim
        for n, i in enumerate(ids):
            self.rows[i] = rows[n * width : (n + 1) * width]
        if self.path is not None and self.writable:
            done = sorted(self.rows)
            try:
                save_vectors(
                    self.path,
                    self.model_id,
                    self.dim,
                    [self.keys[i] for i in done],
                    b"".join(self.rows[i] for i in done),
                )
            except OSError:
                # As the native store: used from memory, embedded again next time.
                self.writable = False


def _fill(
    store: _Store,
    texts_of: Callable[[list[int]], list[tuple[str, str]]],
    encoder: Encoder,
    progress: Callable[[int, int], None] | None,
) -> tuple[StoredRows, int]:
    """The store's rows with the missing ones reused or embedded and committed."""
    rows, missing = store.present()
    if not missing:
        return rows, 0
    width = 2 * rows.dim
    texts = texts_of(missing)
    keys = [_key(text) for text in texts]
    found = store.reuse(keys)
    matrix = bytearray(rows.data[rows.offset : rows.offset + rows.rows * width])
    pending: list[int] = []
    committed = rows.rows - len(missing)  # rows already stored

    def commit() -> None:
        nonlocal committed
        store.commit(
            [missing[n] for n in pending],
            [keys[n] for n in pending],
            b"".join(matrix[missing[n] * width : (missing[n] + 1) * width] for n in pending),
        )
        committed += len(pending)
        pending.clear()

    for n, row in enumerate(found):
        if row is not None:
            matrix[missing[n] * width : (missing[n] + 1) * width] = row
            pending.append(n)
    todo = [n for n, row in enumerate(found) if row is None]
    for start in range(0, len(todo), BATCH):
        batch = todo[start : start + BATCH]
        block = _embed_f16(encoder, [texts[n] for n in batch])
        for j, n in enumerate(batch):
            at = missing[n] * width
            matrix[at : at + width] = block[j * width : (j + 1) * width]
            pending.append(n)
        if progress is not None:
            progress(min(start + BATCH, len(todo)), len(todo))
        if len(todo) > start + BATCH and len(pending) >= max(COMMIT_EVERY, committed // 4):
            commit()  # what is done so far, so that an interrupted run keeps it
    commit()
    return StoredRows(bytes(matrix), 0, rows.rows, rows.dim), len(todo)


def _spec_texts_of(
    docs: Callable[[list[int]], Sequence[DocInfo]], encoder: Encoder
) -> Callable[[list[int]], list[tuple[str, str]]]:
    """The document texts of the specs of some doc ids (their files read again)."""
    native_texts = getattr(encoder, "document_texts", None)

    def texts_of(ids: list[int]) -> list[tuple[str, str]]:
        chosen = docs(ids)
        if native_texts is not None:
            out: list[tuple[str, str]] = native_texts(chosen)
            return out
        return [_spec_texts(info) for info in chosen]

    return texts_of


def stored_rows(
    infos: Sequence[DocInfo],
    encoder: Encoder,
    model_id: str,
    path: str | None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[StoredRows, int]:
    """The float16 unit vectors of the specs in doc order, and how many were embedded now.

    Kept in the ``.vectors`` file ``path`` (the python backend's store, and
    an in-memory index's with ``path`` None): rows stored under the same
    text and model are reused; the others are embedded (``progress(done,
    todo)`` after each batch) and the file is committed every
    :data:`COMMIT_EVERY` new rows and at the end. When the file already
    holds every row, the rows are the mapped file's (no copy). Never
    imports numpy with the native encoder.
    """
    texts_of = _spec_texts_of(lambda ids: [infos[i] for i in ids], encoder)
    keys = [_key(text) for text in texts_of(list(range(len(infos))))]
    store = _FileStore(path, model_id, encoder.dim, keys)
    rows, embedded = _fill(store, texts_of, encoder, progress)
    if path is not None and embedded:
        mapped_keys, mapped = load_vectors(path, model_id, encoder.dim)
        if mapped is not None and mapped_keys == keys:
            return mapped, embedded
    return rows, embedded


@dataclasses.dataclass
class _SegmentStore:
    """The native on-disk index's store: a vector file per segment (SPEC.md §10)."""

    index: SegmentVectors
    model_id: str
    dim: int
    legacy: str | None
    stored: bool = True
    """Whether every commit stored its rows (no other writer held the lock)."""

    def present(self) -> tuple[StoredRows, list[int]]:
        found = self.index.stored_vectors(self.model_id, self.dim)
        if found is None:
            raise ValueError("an in-memory index keeps no document vectors")
        rows, mapped, missing = found
        n = self.index.num_docs
        if mapped is not None:
            data = _map(mapped[0])
            if data is not None:
                return StoredRows(data, mapped[1], n, self.dim), []
            # A later commit collected the file meanwhile: embed again.
            return StoredRows(bytes(2 * self.dim * n), 0, n, self.dim), list(range(n))
        if rows is None:
            raise ValueError("stored_vectors gave neither rows nor a mapped file")
        return StoredRows(rows, 0, n, self.dim), missing

    def reuse(self, keys: Sequence[bytes]) -> list[bytes | None]:
        found = self.index.reuse_vectors(self.model_id, self.dim, list(keys))
        if self.legacy is not None and any(row is None for row in found):
            # Rows of the file that held the vectors before they moved into
            # the index (native.vectors): reused rather than embedded again.
            by_key = _rows_by_key(*load_vectors(self.legacy, self.model_id, self.dim))
            found = [
                row if row is not None else by_key.get(key)
                for row, key in zip(found, keys, strict=True)
            ]
        return found

    def commit(self, ids: Sequence[int], keys: Sequence[bytes], rows: bytes) -> None:
        if not ids or not self.stored:
            return
        try:
            self.stored = self.index.attach_vectors(
                self.model_id, self.dim, list(ids), list(keys), rows
            )
        except OSError:
            # A folder that cannot be written (read-only, full): the rows
            # are used from memory, and embedded again next time.
            self.stored = False


class SegmentVectors(Protocol):
    """What the native on-disk index offers to store document vectors."""

    @property
    def num_docs(self) -> int:
        """The number of indexed specs."""
        ...

    def stored_vectors(
        self, model: str, dim: int
    ) -> tuple[bytes | None, tuple[str, int] | None, list[int]] | None:
        """``(rows, mapped, missing)`` as ``_native.Index.stored_vectors``."""
        ...

    def reuse_vectors(self, model: str, dim: int, keys: list[bytes]) -> list[bytes | None]:
        """A stored row for each key, or None."""
        ...

    def attach_vectors(
        self, model: str, dim: int, ids: list[int], keys: list[bytes], rows: bytes
    ) -> bool:
        """Store rows in a new commit; False when another writer holds the lock."""
        ...


def segment_rows(
    index: SegmentVectors,
    docs: Callable[[list[int]], Sequence[DocInfo]],
    encoder: Encoder,
    model_id: str,
    *,
    legacy: str | None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[StoredRows, int]:
    """:func:`stored_rows` for the native on-disk index, whose segments keep the vectors.

    ``docs`` gives the :class:`DocInfo` of doc ids: only the specs without a
    stored row are looked up and have their texts read; a row stored
    under the same key (a renamed spec, or one in ``legacy``, the old
    ``native.vectors`` file) is reused. The rows are a view of the mapped
    vector file when one file holds them all in doc order, else one buffer.
    """
    store = _SegmentStore(index, model_id, encoder.dim, legacy)
    rows, embedded = _fill(store, _spec_texts_of(docs, encoder), encoder, progress)
    if legacy is not None and store.stored:
        with contextlib.suppress(OSError):
            os.unlink(legacy)  # every row it could give is in the index now
    return rows, embedded


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
