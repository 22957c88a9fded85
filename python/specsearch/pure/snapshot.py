"""The python cache's snapshot: the built index, opened without reading it all.

``docs.jsonl`` (:mod:`specsearch.pure.store`) is the source of truth, but
building postings from it takes seconds on a few thousand specs. So once a
cache is built, its index is also written to ``snapshot.bin``, which a query
opens in a few milliseconds when no file changed:

- a fixed prefix: the magic bytes, the format version, the length and the
  CRC-32 of the head;
- the head (:mod:`marshal`): what every query needs (the stamp of each file,
  the stored fields and problems of each doc, and per field the doc
  lengths, the sorted term dictionary and the stem map, each packed in one
  blob and decoded term by term when a lookup needs it, and where each
  term's postings start), plus the trailer line of the ``docs.jsonl`` it
  was built from;
- the postings of every term, one after the other in term order, each
  ``[n, ids..., counts..., positions...]`` as uint32 in the machine's byte
  order, with its CRC-32 in the head. They are read (``pread``) only when a
  query asks for that term, and checked then: a mismatch is an
  :class:`~specsearch.errors.IndexFormatError` naming the file, field and
  term (the caller rebuilds). :func:`verify` checks them all.

A snapshot of another version or byte order, or built from another
``docs.jsonl`` (stale), is not used, and the store writes it again. One
whose prefix, head checksum or size does not match is damaged: :func:`load`
raises :class:`~specsearch.errors.IndexFormatError`, and the store says so
and writes it again. It is written like ``docs.jsonl``: a private temporary file,
synced, then renamed over the old one, so a reader or a crash sees the old
snapshot or the new one, never a mix. Old snapshot files of another name
(``snapshot.marshal``, version 1) are removed when a new one is written.
"""

from __future__ import annotations

import bisect
import contextlib
import itertools
import marshal
import os
import struct
import sys
import tempfile
import weakref
import zlib
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from specsearch.errors import IndexFormatError
from specsearch.pure.search import FieldIndex, Positions, Postings
from specsearch.schema import FIELDS

if TYPE_CHECKING:
    from collections.abc import Iterator

    from specsearch.types import Problem

__all__ = ["NAME", "VERSION", "Snapshot", "Stored", "load", "verify", "write"]

NAME = "snapshot.bin"
#: 4: the lazily read layout above, with a checksum per term's postings
#: (1 was ``snapshot.marshal``, read whole; 2 kept the term dictionaries and
#: stem maps unpacked; 3 had no postings checksums).
VERSION = 4
#: Names of older snapshot formats, removed when a snapshot is written.
_OLD_NAMES = ("snapshot.marshal",)
_MAGIC = b"specsearch-python-snapshot\n\0"
_PREFIX = struct.Struct(f"<{len(_MAGIC)}sIQI")  # magic, version, head length, head crc32
_ALIGN = 8
#: Lookups in a packed term dictionary before it is split into a list.
_LOOKUPS_BEFORE_SPLIT = 64


@dataclass(frozen=True, slots=True)
class Stored:
    """What the snapshot keeps of one file of the cache, in walk order.

    Attributes:
        path: The doc path.
        size: The size it was read at.
        mtime_ns: The modification time it was read at.
        fs_path: Where to read it again ("" for a skipped file).
        name: The spec's name ("" for a skipped file).
        description: The spec's description ("" for a skipped file).
        problems: The doc's problems as ``(line, message)``.
        skipped: Why the file is not a doc (``(line, message)``), or None.
    """

    path: str
    size: int
    mtime_ns: int
    fs_path: str
    name: str
    description: str
    problems: tuple[tuple[int | None, str], ...]
    skipped: tuple[int | None, str] | None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """An opened snapshot: the stored files and each field's index."""

    max_file_bytes: int
    files: tuple[Stored, ...]
    fields: dict[str, FieldIndex]


def _problem(problem: Problem) -> tuple[int | None, str]:
    return (problem.line, problem.message)


def _pack(postings: Postings) -> bytes:
    """``[n, ids..., counts..., positions...]`` as native-endian uint32."""
    counts = [len(p) for p in postings.positions]
    flat = [at for positions in postings.positions for at in positions]
    return array("I", [len(counts), *map(int, postings.doc_ids), *counts, *flat]).tobytes()


def _pack_strings(strings: list[str]) -> tuple[bytes, bytes]:
    """Sorted strings as one blob (NUL-separated) and where each one starts."""
    blob = "\0".join(strings).encode("utf-8", "surrogatepass")
    starts = array("Q", [0])
    for string in strings:
        starts.append(starts[-1] + len(string.encode("utf-8", "surrogatepass")) + 1)
    return blob, starts.tobytes()


class _Strings(Sequence[str]):
    """Sorted strings kept in one blob; the ``i``-th is decoded when asked for.

    A query looks up a handful of terms by bisection (a few decodes each);
    only prefix and fuzzy leaves walk them all (then they are split once).
    """

    __slots__ = ("_all", "_blob", "_lookups", "_starts")

    def __init__(self, packed: tuple[bytes, bytes]) -> None:
        self._blob, starts = packed
        self._lookups = 0
        self._starts = array("Q")
        self._starts.frombytes(starts)
        self._all: list[str] | None = None
        # n strings end at len(blob) + 1 (a NUL after each but the last); none is an empty blob.
        end = len(self._blob) + 1 if len(self._starts) > 1 else 0
        if not self._starts or self._starts[-1] != end:
            raise ValueError("string offsets do not match their blob")

    def __len__(self) -> int:
        return len(self._starts) - 1

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[str]: ...
    def __getitem__(self, i: int | slice) -> str | Sequence[str]:
        if isinstance(i, slice):
            return self._list()[i]
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(i)
        raw = self._blob[self._starts[i] : self._starts[i + 1] - 1]
        return raw.decode("utf-8", "surrogatepass")

    def _list(self) -> list[str]:
        if self._all is None:
            self._all = self._blob.decode("utf-8", "surrogatepass").split("\0") if self else []
        return self._all

    def __iter__(self) -> Iterator[str]:
        return iter(self._list())

    def find(self, item: object) -> int:
        """The rank of ``item``, or -1.

        The first lookups bisect the blob; past :data:`_LOOKUPS_BEFORE_SPLIT`
        (a snippet checks every word of its lines) the strings are split once
        and bisected as a list.
        """
        if not isinstance(item, str):
            return -1
        strings: Sequence[str] = self
        if self._all is not None:
            strings = self._all
        else:
            self._lookups += 1
            if self._lookups > _LOOKUPS_BEFORE_SPLIT:
                strings = self._list()
        i = bisect.bisect_left(strings, item)
        return i if i < len(strings) and strings[i] == item else -1

    def __contains__(self, item: object) -> bool:
        return self.find(item) >= 0

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


class _Stems(Mapping[str, tuple[str, ...]]):
    """A field's stem map: stem key -> its terms (as ranks in the field's sorted terms)."""

    __slots__ = ("_keys", "_ranks", "_starts", "_terms")

    def __init__(self, packed: tuple[tuple[bytes, bytes], bytes, bytes], terms: _Strings) -> None:
        keys, starts, ranks = packed
        self._keys = _Strings(keys)
        self._starts = array("I")
        self._starts.frombytes(starts)
        self._ranks = array("I")
        self._ranks.frombytes(ranks)
        self._terms = terms
        if len(self._starts) != len(self._keys) + 1 or self._starts[-1] != len(self._ranks):
            raise ValueError("stem offsets do not match their ranks")

    def __getitem__(self, key: str) -> tuple[str, ...]:
        i = self._keys.find(key)
        if i < 0:
            raise KeyError(key)
        terms = self._terms
        return tuple(terms[r] for r in self._ranks[self._starts[i] : self._starts[i + 1]])

    def __contains__(self, key: object) -> bool:
        return self._keys.find(key) >= 0

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def write(
    directory: str,
    *,
    trailer: bytes,
    max_file_bytes: int,
    files: Sequence[Stored],
    fields: Mapping[str, FieldIndex],
) -> None:
    """Write ``snapshot.bin`` atomically (temp file, fsync, rename) in ``directory``.

    Args:
        directory: The cache folder.
        trailer: The last line of the ``docs.jsonl`` the index was built from.
        max_file_bytes: The size limit the files were read with.
        files: Every file of the cache, in walk order.
        fields: Each field's index (built in memory: its postings are read whole).

    A term holding a NUL character (which the analyzer never makes) cannot be
    packed: then no snapshot is written.
    """
    if any("\0" in term for field in FIELDS for term in fields[field].postings):
        return  # never made by the analyzer; the snapshot is only a speed-up
    head_fields = []
    chunks: list[bytes] = []
    at = 0
    for field in FIELDS:
        built = fields[field]
        terms = sorted(built.postings)
        offsets = array("Q", [at])
        crcs = array("I")
        for term in terms:
            packed = _pack(built.postings[term])
            chunks.append(packed)
            crcs.append(zlib.crc32(packed))
            at += len(packed)
            offsets.append(at)
        rank = {term: i for i, term in enumerate(terms)}
        keys = sorted(built.stems)
        starts = array("I", [0])
        ranks = array("I")
        for key in keys:
            ranks.extend(rank[term] for term in built.stems[key])
            starts.append(len(ranks))
        head_fields.append(
            (
                array("I", [int(x) for x in built.lengths]).tobytes(),
                float(built.avgdl),
                _pack_strings(terms),
                offsets.tobytes(),
                crcs.tobytes(),
                (_pack_strings(keys), starts.tobytes(), ranks.tobytes()),
            )
        )
    head = marshal.dumps(
        {
            "byteorder": sys.byteorder,
            "trailer": trailer,
            "max_file_bytes": max_file_bytes,
            "postings_bytes": at,
            "files": [
                (
                    f.path,
                    f.size,
                    f.mtime_ns,
                    f.fs_path,
                    f.name,
                    f.description,
                    f.problems,
                    f.skipped,
                )
                for f in files
            ],
            "fields": head_fields,
        }
    )
    padding = b"\0" * (-(_PREFIX.size + len(head)) % _ALIGN)
    prefix = _PREFIX.pack(_MAGIC, VERSION, len(head), zlib.crc32(head))
    # mkstemp creates the file with O_EXCL (never through a planted link), mode 0600.
    fd, tmp = tempfile.mkstemp(prefix=".snapshot-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(prefix + head + padding)
            for chunk in chunks:
                file.write(chunk)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, os.path.join(directory, NAME))
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    for old in _OLD_NAMES:
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(directory, old))


class _Reader:
    """The open snapshot file; closed when the last postings using it go."""

    __slots__ = ("__weakref__", "fd", "path", "size")

    def __init__(self, path: str) -> None:
        self.path = path
        self.fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
        weakref.finalize(self, os.close, self.fd)
        self.size = os.fstat(self.fd).st_size

    def read(self, offset: int, length: int) -> bytes:
        data = os.pread(self.fd, length, offset)
        if len(data) != length:
            raise IndexFormatError(f"{self.path}: the snapshot is truncated", path=self.path)
        return data


class _LazyPostings(Mapping[str, Postings]):
    """A field's postings, read (and checked) from the snapshot when a query asks for a term."""

    __slots__ = ("_base", "_crcs", "_decoded", "_field", "_offsets", "_reader", "_terms")

    def __init__(
        self,
        reader: _Reader,
        base: int,
        *,
        field: str,
        terms: _Strings,
        offsets: array[int],
        crcs: array[int],
    ) -> None:
        self._reader = reader
        self._base = base
        self._field = field
        self._terms = terms
        self._offsets = offsets
        self._crcs = crcs
        self._decoded: dict[str, Postings] = {}

    def check(self, i: int, data: bytes | memoryview) -> None:
        """Raise :class:`IndexFormatError` unless ``data`` are term ``i``'s postings as written."""
        if zlib.crc32(data) != self._crcs[i]:
            path = self._reader.path
            raise IndexFormatError(
                f"{path}: postings of {self._terms[i]!r} in field {self._field}: checksum mismatch",
                path=path,
            )

    def verify(self) -> None:
        """Check every term's postings (read in one go) against its checksum."""
        offsets = self._offsets
        first = offsets[0]
        view = memoryview(self._reader.read(self._base + first, offsets[-1] - first))
        for i in range(len(self._terms)):
            self.check(i, view[offsets[i] - first : offsets[i + 1] - first])

    def __getitem__(self, term: str) -> Postings:
        found = self._decoded.get(term)
        if found is not None:
            return found
        i = self._terms.find(term)
        if i < 0:
            raise KeyError(term)
        start, end = self._offsets[i], self._offsets[i + 1]
        data = self._reader.read(self._base + start, end - start)
        self.check(i, data)
        raw = np.frombuffer(data, dtype=np.uint32)
        n = int(raw[0]) if len(raw) else -1
        counts = raw[1 + n : 1 + 2 * n]
        if n < 0 or len(counts) != n or 1 + 2 * n + int(counts.sum()) != len(raw):
            path = self._reader.path
            raise IndexFormatError(f"{path}: bad postings for {term!r}", path=path)
        found = Postings(
            raw[1 : 1 + n].copy(),
            counts.astype(np.float64),
            Positions(raw[1 + 2 * n :], counts),
        )
        self._decoded[term] = found
        return found

    def __contains__(self, term: object) -> bool:
        return self._terms.find(term) >= 0

    def __iter__(self) -> Iterator[str]:
        return iter(self._terms)

    def __len__(self) -> int:
        return len(self._terms)


def _head(reader: _Reader) -> tuple[dict[str, Any], int] | None:
    """The head of the snapshot and where its postings start; None if of another version.

    Raises:
        IndexFormatError: The prefix, the head's checksum or the file's size
            is not what was written.
    """
    path = reader.path

    def damaged(detail: str) -> IndexFormatError:
        return IndexFormatError(f"{path}: {detail}", path=path)

    prefix = os.pread(reader.fd, _PREFIX.size, 0)
    if len(prefix) != _PREFIX.size:
        raise damaged("truncated snapshot prefix")
    magic, version, length, crc = _PREFIX.unpack(prefix)
    if magic != _MAGIC:
        raise damaged("not a specsearch python snapshot (bad magic bytes)")
    if version != VERSION:
        return None
    base = _PREFIX.size + length
    base += -base % _ALIGN
    # The head and the zero padding after it (which no checksum covers).
    head_bytes = os.pread(reader.fd, base - _PREFIX.size, _PREFIX.size)
    head_bytes, padding = head_bytes[:length], head_bytes[length:]
    if len(head_bytes) != length or zlib.crc32(head_bytes) != crc:
        raise damaged("snapshot head checksum mismatch")
    if padding != bytes(base - _PREFIX.size - length):
        raise damaged("non-zero padding after the snapshot head")
    try:
        head = marshal.loads(head_bytes)
    except (EOFError, ValueError, TypeError) as err:
        raise damaged(f"unreadable snapshot head ({err})") from None
    if not isinstance(head, dict) or reader.size != base + head.get("postings_bytes", -1):
        raise damaged("snapshot size does not match its head")
    return head, base


def load(directory: str, *, trailer: bytes, max_file_bytes: int) -> Snapshot | None:
    """The snapshot in ``directory`` if it is of this version and of ``trailer``.

    Only its head is read: postings are read (and checked) when a query needs them.
    None when it is missing, of another version or byte order, or stale.

    Raises:
        IndexFormatError: The snapshot is damaged (see :func:`_head`), or its
            head does not hold what this version writes.
    """
    path = os.path.join(directory, NAME)
    try:
        reader = _Reader(path)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise IndexFormatError(f"{path}: cannot open the snapshot ({err})", path=path) from None
    found = _head(reader)
    if found is None:
        return None
    head, base = found
    try:
        if (
            head["byteorder"] != sys.byteorder
            or head["trailer"] != trailer
            or head["max_file_bytes"] != max_file_bytes
        ):
            return None
        files = tuple(
            Stored(path, size, mtime_ns, fs_path, name, description, tuple(problems), skipped)
            for path, size, mtime_ns, fs_path, name, description, problems, skipped in head["files"]
        )
        fields: dict[str, FieldIndex] = {}
        for field, (lengths, avgdl, terms, offsets, crcs, stems) in zip(
            FIELDS, head["fields"], strict=True
        ):
            sorted_terms = _Strings(terms)
            ends = array("Q")
            ends.frombytes(offsets)
            checks = array("I")
            checks.frombytes(crcs)
            if (
                len(ends) != len(sorted_terms) + 1
                or len(checks) != len(sorted_terms)
                or ends[-1] > head["postings_bytes"]
                or any(a > b for a, b in itertools.pairwise(ends))
            ):
                raise ValueError(f"postings offsets of field {field} do not match its terms")
            fields[field] = FieldIndex(
                postings=_LazyPostings(
                    reader, base, field=field, terms=sorted_terms, offsets=ends, crcs=checks
                ),
                stems=_Stems(stems, sorted_terms),
                sorted_terms=sorted_terms,
                lengths=np.frombuffer(lengths, dtype=np.uint32).astype(np.float64),
                avgdl=avgdl,
            )
    except (KeyError, ValueError, TypeError) as err:
        raise IndexFormatError(f"{path}: bad snapshot head ({err})", path=path) from None
    return Snapshot(max_file_bytes=max_file_bytes, files=files, fields=fields)


def verify(found: Snapshot) -> None:
    """Check the postings of every term of ``found`` against their checksums.

    Raises:
        IndexFormatError: At the first term whose postings do not match.
    """
    for field in FIELDS:
        postings = found.fields[field].postings
        if isinstance(postings, _LazyPostings):
            postings.verify()
