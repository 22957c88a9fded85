"""The pure-Python backend's own on-disk cache, kept fresh incrementally.

The python backend does not read or write the native segment format. It
keeps, per index folder, one JSON-lines file of analyzed docs (each file's
name, description, per-field lengths and term positions — keyed frontmatter
terms included, so phrases and field filters work from the cache —, problems,
and the size, mtime and content hash it was read at), and builds its in-memory
postings from that on open. Because the postings are always built afresh
from per-file analyses, in walk order, an updated index is by construction
identical to a fresh build, which is what the native engine promises too.

Layout of ``<dir>``:

- ``docs.jsonl``: a header line ``{"format": "specsearch-python-cache",
  "version": 2, "analyzer": "standard-v2", "max_file_bytes": ...}``, then
  one line per file (a doc, or a skipped file with its problem), then a
  trailer line ``{"end": N, "sha256": ...}`` over everything before it. Anything else (truncated,
  edited, foreign) is not trusted: the cache is rebuilt from the corpus.
- ``LOCK``: held with ``flock`` while updating; a second writer gets
  :class:`~specsearch.errors.IndexLockedError`. The kernel drops the lock of
  a dead process, so a stale lock never blocks.

- ``snapshot.bin``: the built index of the cache (:mod:`specsearch.pure.snapshot`),
  tied to the trailer line of the ``docs.jsonl`` it was built from. When that
  trailer still matches and no file's size or mtime changed, a query opens
  the snapshot (reading only its head, then the postings of its own terms)
  instead of analysing ``docs.jsonl`` again (what made every query on 3,300
  specs take seconds). A snapshot that is missing, foreign, of another
  version or stale is ignored and written again; ``docs.jsonl`` stays the
  source of truth.

Writes go to a temporary file that is synced and renamed over
``docs.jsonl``, so a reader or a crash never sees a half-written cache.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import fcntl
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from specsearch.backend import UpdateInfo
from specsearch.errors import IndexFormatError, IndexLockedError
from specsearch.pure import snapshot
from specsearch.pure.analysis import ANALYZER_NAME, FieldTerms
from specsearch.pure.index import AnalyzedDoc, PureIndex, analyze, read_spec
from specsearch.pure.walk import SpecFile, collect
from specsearch.types import Problem

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from specsearch.backend import Progress

__all__ = [
    "CACHE_FORMAT",
    "CACHE_NAME",
    "CACHE_VERSION",
    "load_existing",
    "open_or_update",
]

CACHE_FORMAT = "specsearch-python-cache"
#: 2: the standard-v2 analysis (positions and keyed terms); 3: frontmatter
#: lexed as YAML 1.2 (a cache of 2 may hold a name with a lone surrogate,
#: which no output can encode). A cache of another version is not trusted,
#: so it is rebuilt.
CACHE_VERSION = 3
CACHE_NAME = "docs.jsonl"
LOCK_NAME = "LOCK"


@dataclass(frozen=True, slots=True)
class _Entry:
    """One cached file: a doc, or (``doc`` None) a skipped file."""

    path: str
    size: int
    mtime_ns: int
    digest: str
    doc: AnalyzedDoc | None
    skipped: Problem | None


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _problem_json(problem: Problem) -> list[Any]:
    return [problem.line, problem.message]


def _entry_json(entry: _Entry) -> dict[str, Any]:
    out: dict[str, Any] = {
        "path": entry.path,
        "size": entry.size,
        "mtime_ns": entry.mtime_ns,
        "digest": entry.digest,
    }
    if entry.doc is not None:
        out["fs_path"] = entry.doc.fs_path
        out["name"] = entry.doc.name
        out["description"] = entry.doc.description
        out["fields"] = [[length, positions] for length, positions in entry.doc.fields]
        out["problems"] = [_problem_json(p) for p in entry.doc.problems]
    if entry.skipped is not None:
        out["skipped"] = _problem_json(entry.skipped)
    return out


def _entry_from_json(raw: dict[str, Any]) -> _Entry:
    path = str(raw["path"])
    doc = None
    skipped = None
    if "fields" in raw:
        doc = AnalyzedDoc(
            path=path,
            fs_path=str(raw["fs_path"]),
            name=str(raw["name"]),
            description=str(raw["description"]),
            fields=tuple(
                FieldTerms(int(length), dict(positions)) for length, positions in raw["fields"]
            ),
            problems=tuple(
                Problem(path=path, line=line, message=str(message))
                for line, message in raw["problems"]
            ),
        )
    if "skipped" in raw:
        line, message = raw["skipped"]
        skipped = Problem(path=path, line=line, message=str(message))
    return _Entry(path, int(raw["size"]), int(raw["mtime_ns"]), str(raw["digest"]), doc, skipped)


def _load(cache: str) -> tuple[dict[str, _Entry], int] | None:
    """The cached entries by path and the size limit they were read with.

    None when the cache is absent or of another version or analyzer (it is
    rebuilt without a word).

    Raises:
        IndexFormatError: The cache is damaged (truncated, edited, foreign):
            its checksum or its lines are not what was written.
    """
    try:
        with open(cache, "rb") as file:
            data = file.read()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise IndexFormatError(f"{cache}: cannot read the cache ({err})", path=cache) from None
    body_end = data.rfind(b"\n", 0, len(data) - 1) + 1
    try:
        trailer = json.loads(data[body_end:])
        body = data[:body_end]
        if trailer.get("sha256") != hashlib.sha256(body).hexdigest():
            raise ValueError("checksum mismatch")
        lines = body.splitlines()
        header = json.loads(lines[0])
        if header.get("format") != CACHE_FORMAT:
            raise ValueError("not a specsearch python-backend cache")
        if not _is_current(header):
            return None
        max_file_bytes = int(header["max_file_bytes"])
        entries = [_entry_from_json(json.loads(line)) for line in lines[1:]]
        if trailer.get("end") != len(entries):
            raise ValueError("the trailer's count does not match the lines")
    except (ValueError, KeyError, TypeError, IndexError, AttributeError) as err:
        raise IndexFormatError(f"{cache}: {err}", path=cache) from None
    return {entry.path: entry for entry in entries}, max_file_bytes


def _write(directory: str, entries: Sequence[_Entry], max_file_bytes: int) -> None:
    """Write the cache atomically: temp file, fsync, rename, fsync the folder."""
    header = {
        "format": CACHE_FORMAT,
        "version": CACHE_VERSION,
        "analyzer": ANALYZER_NAME,
        "max_file_bytes": max_file_bytes,
    }
    lines = [json.dumps(header)] + [
        json.dumps(_entry_json(e), ensure_ascii=False, separators=(",", ":")) for e in entries
    ]
    # A file name that is not UTF-8 keeps its bytes as lone surrogates;
    # "surrogatepass" writes them, and json.loads reads them back the same way.
    body = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    trailer = json.dumps({"end": len(entries), "sha256": hashlib.sha256(body).hexdigest()})
    target = os.path.join(directory, CACHE_NAME)
    # mkstemp creates the file with O_EXCL (never through a planted link), mode 0600.
    fd, tmp = tempfile.mkstemp(prefix=".docs-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(body + trailer.encode("ascii") + b"\n")
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(error, OSError) and error.filename is None:
            # Name the file (a full disk's ENOSPC has none).
            raise OSError(error.errno, error.strerror, target) from error
        raise
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@contextlib.contextmanager
def _locked(directory: str) -> Iterator[None]:
    """Hold the writer lock of ``directory``, or raise IndexLockedError."""
    path = os.path.join(directory, LOCK_NAME)
    # Private, and never opened through a link planted in the folder.
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            if err.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
            written = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
            holder = int(written) if written.isdigit() else None
            raise IndexLockedError(
                f"{path}: another specsearch process (pid {written or '?'}) is updating this index",
                path=path,
                holder=holder,
            ) from err
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        yield
    finally:
        os.close(fd)


def discard(directory: str) -> None:
    """Remove a cache folder: renamed aside first, so no one opens it half-deleted."""
    aside = f"{directory}.discarded-{os.getpid()}"
    try:
        os.rename(directory, aside)
    except FileNotFoundError:
        return
    import shutil  # noqa: PLC0415 (rebuilds only; shutil pulls in compressors)

    shutil.rmtree(aside, ignore_errors=True)


def load_existing(directory: str) -> PureIndex:
    """The cached index in ``directory`` as it is: no walk, no update.

    Raises:
        FileNotFoundError: There is no cache in ``directory``.
        IndexFormatError: The cache is corrupt, foreign or of another version.
    """
    path = os.path.join(directory, CACHE_NAME)
    if not os.path.exists(path):
        raise FileNotFoundError(errno.ENOENT, "no python-backend index here", path)
    loaded = _load(path)
    if loaded is None:
        raise IndexFormatError(f"{path}: a python-backend cache of another version", path=path)
    entries, max_file_bytes = loaded
    return _index(list(entries.values()), [], max_file_bytes)


def _trailer(cache_path: str) -> bytes | None:
    """The last line of ``docs.jsonl`` (its checksum), read from the end.

    None when there is no cache, or it is of another version or analyzer:
    its snapshot then describes what this version would not build.
    """
    try:
        with open(cache_path, "rb") as file:
            header = file.readline(_HEADER_MAX)
            size = file.seek(0, os.SEEK_END)
            file.seek(max(0, size - 512))
            tail = file.read()
        if not _is_current(json.loads(header)):
            return None
    except (OSError, ValueError, AttributeError):
        return None
    return tail.rstrip(b"\n").rsplit(b"\n", 1)[-1]


#: The header line is far shorter (format, version, analyzer, size limit).
_HEADER_MAX = 1024


def _is_current(header: dict[str, object]) -> bool:
    """Whether a cache's header line is of this version and analyzer."""
    return (header.get("version"), header.get("analyzer")) == (CACHE_VERSION, ANALYZER_NAME)


def _write_snapshot(directory: str, index: PureIndex, entries: Sequence[_Entry]) -> None:
    """Write the snapshot of ``index``, built from the current ``docs.jsonl``."""
    trailer = _trailer(os.path.join(directory, CACHE_NAME))
    if trailer is None:
        return
    snapshot.write(
        directory,
        trailer=trailer,
        max_file_bytes=index.max_file_bytes,
        files=[
            snapshot.Stored(
                e.path,
                e.size,
                e.mtime_ns,
                "" if e.doc is None else e.doc.fs_path,
                "" if e.doc is None else e.doc.name,
                "" if e.doc is None else e.doc.description,
                () if e.doc is None else tuple((p.line, p.message) for p in e.doc.problems),
                None if e.skipped is None else (e.skipped.line, e.skipped.message),
            )
            for e in entries
        ],
        fields=index.field_indexes,
    )


def _from_snapshot(found: snapshot.Snapshot, walk_problems: list[Problem]) -> PureIndex:
    problems = list(walk_problems)
    docs: list[AnalyzedDoc] = []
    for stored in found.files:
        path = stored.path
        if stored.skipped is not None:
            line, message = stored.skipped
            problems.append(Problem(path=path, line=line, message=message))
            continue
        own = tuple(Problem(path=path, line=line, message=m) for line, m in stored.problems)
        problems.extend(own)
        docs.append(
            AnalyzedDoc(
                path=path,
                fs_path=stored.fs_path,
                name=stored.name,
                description=stored.description,
                fields=(),
                problems=own,
            )
        )
    return PureIndex.from_fields(docs, problems, found.max_file_bytes, found.fields)


def _stamp(spec_file: SpecFile) -> tuple[int, int] | None:
    """The size and mtime of a file: the walk's, else a fresh ``lstat``."""
    if spec_file.stamp is not None:
        return spec_file.stamp
    try:
        status = os.stat(spec_file.fs_path, follow_symlinks=False)
    except OSError:
        return None
    return status.st_size, status.st_mtime_ns


def _snapshot_answer(
    directory: str,
    files: Sequence[SpecFile],
    walk_problems: list[Problem],
    max_file_bytes: int,
    *,
    verify: bool,
) -> tuple[PureIndex, UpdateInfo] | None:
    """The index from the snapshot when no file changed since it was written.

    Only sizes and mtimes are compared (as :func:`_reusable` does): no file is
    read. With ``verify``, the whole ``docs.jsonl`` and every postings list of
    the snapshot are checked against their checksums first.

    Raises:
        IndexFormatError: The snapshot (or, with ``verify``, the cache) is damaged.
    """
    cache_path = os.path.join(directory, CACHE_NAME)
    trailer = _trailer(cache_path)
    if trailer is None:
        return None
    found = snapshot.load(directory, trailer=trailer, max_file_bytes=max_file_bytes)
    if found is None or len(found.files) != len(files):
        return None
    for spec_file, stored in zip(files, found.files, strict=True):
        if (
            spec_file.path != stored.path
            or stored.skipped is not None
            or _stamp(spec_file) != (stored.size, stored.mtime_ns)
        ):
            return None
    if verify:
        _load(cache_path)
        snapshot.verify(found)
    counts = UpdateInfo(
        added=0, changed=0, deleted=0, unchanged=len(files), rebuilt=False, committed=False
    )
    return _from_snapshot(found, walk_problems), counts


def _reusable(old: _Entry | None, status: os.stat_result | None) -> bool:
    """Whether a cached doc can be used without reading its file again.

    Skipped files are always looked at again: they are rare, and the reason
    (a permission, say) can change without the size or mtime changing.
    """
    return (
        old is not None
        and old.doc is not None
        and status is not None
        and (old.size, old.mtime_ns) == (status.st_size, status.st_mtime_ns)
    )


def open_or_update(
    directory: str,
    roots: Sequence[str],
    *,
    max_file_bytes: int,
    progress: Progress | None = None,
    hidden: bool = False,
    no_ignore: bool = False,
    verify: bool = False,
) -> tuple[PureIndex, UpdateInfo]:
    """Open the cache in ``directory``, bring it up to date with ``roots``, index.

    Files whose size and mtime match the cache are not read; the others are
    read and hashed, and only those whose content changed are parsed again.
    A damaged cache or snapshot is rebuilt, and the returned
    :attr:`UpdateInfo.damage` says what was wrong; with ``verify`` (every
    checksum checked first, as ``specsearch index`` does) it is an error.

    Raises:
        FileNotFoundError: A root does not exist.
        IndexLockedError: Another process is updating this cache.
        IndexFormatError: With ``verify``, the cache or its snapshot is damaged.
    """
    os.makedirs(directory, mode=0o700, exist_ok=True)
    files, walk_problems = collect(roots, max_file_bytes, hidden=hidden, no_ignore=no_ignore)
    damage: str | None = None
    try:
        quick = _snapshot_answer(directory, files, walk_problems, max_file_bytes, verify=verify)
    except IndexFormatError as err:
        if verify:
            raise
        damage, quick = str(err), None
    if quick is not None:
        return quick
    cache_path = os.path.join(directory, CACHE_NAME)
    existed = os.path.lexists(cache_path)
    try:
        loaded = _load(cache_path)
    except IndexFormatError as err:
        if verify:
            raise
        damage, loaded = damage or str(err), None
    index, info = _open_loaded(
        directory,
        files,
        walk_problems,
        loaded,
        max_file_bytes=max_file_bytes,
        progress=progress,
    )
    if info.rebuilt and not existed:
        # A first build is no rebuild (as in the native engine): nothing was thrown away.
        info = dataclasses.replace(info, rebuilt=False)
    return index, info if damage is None else dataclasses.replace(info, damage=damage)


def _open_loaded(
    directory: str,
    files: Sequence[SpecFile],
    walk_problems: list[Problem],
    loaded: tuple[dict[str, _Entry], int] | None,
    *,
    max_file_bytes: int,
    progress: Progress | None,
) -> tuple[PureIndex, UpdateInfo]:
    """:func:`open_or_update` once the cache is loaded (or found missing or damaged)."""
    # A cache read with another size limit may hold other files: start afresh.
    cached = loaded[0] if loaded is not None and loaded[1] == max_file_bytes else None
    plan: list[tuple[SpecFile, os.stat_result | None, _Entry | None]] = []
    for spec_file in files:
        try:
            status: os.stat_result | None = os.stat(spec_file.fs_path, follow_symlinks=False)
        except OSError:
            status = None
        old = None if cached is None else cached.get(spec_file.path)
        plan.append((spec_file, status, old))
    if (
        cached is not None
        and len(plan) == len(cached)
        and all(_reusable(old, status) for _, status, old in plan)
    ):
        entries = [old for _, _, old in plan if old is not None]
        counts = UpdateInfo(
            added=0, changed=0, deleted=0, unchanged=len(entries), rebuilt=False, committed=False
        )
        index = _index(entries, walk_problems, max_file_bytes)
        # Only a speed-up: a busy lock or a full disk leaves it for next time.
        with contextlib.suppress(IndexLockedError, OSError), _locked(directory):
            _write_snapshot(directory, index, entries)
        return index, counts
    with _locked(directory):
        return _update(
            directory,
            plan=plan,
            cached=cached,
            walk_problems=walk_problems,
            max_file_bytes=max_file_bytes,
            progress=progress,
        )


def _update(
    directory: str,
    *,
    plan: Sequence[tuple[SpecFile, os.stat_result | None, _Entry | None]],
    cached: dict[str, _Entry] | None,
    walk_problems: list[Problem],
    max_file_bytes: int,
    progress: Progress | None,
) -> tuple[PureIndex, UpdateInfo]:
    added = changed = unchanged = gone = 0
    # As the native update: skipped files count as no spec, and a commit is
    # written only when something differs from the cache (a skip too).
    dirty = cached is None
    entries: list[_Entry] = []
    for done, (spec_file, status, old) in enumerate(plan, start=1):
        if progress is not None:
            progress(done, len(plan))
        if old is not None and _reusable(old, status):
            entries.append(old)
            unchanged += 1
            continue
        data, problem = read_spec(spec_file, max_file_bytes)
        size = status.st_size if status is not None else -1
        mtime_ns = status.st_mtime_ns if status is not None else -1
        if data is None:
            entry = _Entry(spec_file.path, size, mtime_ns, "", None, problem)
            entries.append(entry)
            if old is not None and old.doc is not None:
                gone += 1  # an indexed spec that is now skipped leaves the index
            dirty = dirty or entry != old
            continue
        dirty = True
        digest = _digest(data)
        if old is not None and old.doc is not None and old.digest == digest:
            # Touched but identical: keep the analysis, remember the new mtime.
            entries.append(_Entry(spec_file.path, size, mtime_ns, digest, old.doc, None))
            unchanged += 1
            continue
        doc = analyze(spec_file, data)
        entries.append(_Entry(spec_file.path, size, mtime_ns, digest, doc, None))
        if old is None or old.doc is None:
            added += 1
        else:
            changed += 1
    current = {spec_file.path for spec_file, _, _ in plan}
    vanished = [] if cached is None else [e for p, e in cached.items() if p not in current]
    deleted = gone + sum(1 for e in vanished if e.doc is not None)
    index = _index(entries, walk_problems, max_file_bytes)
    if not (dirty or vanished):
        info = UpdateInfo(
            added=0, changed=0, deleted=0, unchanged=unchanged, rebuilt=False, committed=False
        )
        return index, info
    _write(directory, entries, max_file_bytes)
    _write_snapshot(directory, index, entries)
    counts = UpdateInfo(
        added=added,
        changed=changed,
        deleted=deleted,
        unchanged=unchanged,
        rebuilt=cached is None,
        committed=True,
    )
    return index, counts


def _index(
    entries: Sequence[_Entry], walk_problems: list[Problem], max_file_bytes: int
) -> PureIndex:
    """Build the in-memory index from entries in walk order (as a fresh build would)."""
    problems = list(walk_problems)
    docs: list[AnalyzedDoc] = []
    for entry in entries:
        if entry.skipped is not None:
            problems.append(entry.skipped)
        if entry.doc is not None:
            problems.extend(entry.doc.problems)
            docs.append(entry.doc)
    return PureIndex(docs, problems, max_file_bytes)
