"""The default index folders: one per set of search roots, listed and removed safely.

An index that is not given a folder lives in ``<cache>/specsearch/<key>/``,
where ``<cache>`` is ``$XDG_CACHE_HOME`` (``~/.cache`` when unset) and
``<key>`` hashes the roots *canonicalised* (absolute, symbolic links
resolved), so ``data``, ``./data``, ``data/`` and ``/abs/data`` share one
index. Each folder holds ``meta.json`` (the canonical roots and walk
options) whose modification time is the index's last use.

Removal (:func:`remove`) only ever deletes a folder directly under
``<cache>/specsearch/`` whose name is a key: never a spec folder, never a
folder given with ``--index``.
"""

from __future__ import annotations

import os
import time

#: ``typing.TYPE_CHECKING`` without importing ``typing`` (start-up cost): a
#: query without ``--index`` reads its folder from here, before it loads
#: ``dataclasses`` (:mod:`specsearch.cli_start`). mypy reads it so.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from specsearch.stats import CacheEntry

__all__ = [
    "CacheEntry",
    "cache_root",
    "canonical_roots",
    "entries",
    "index_dir_for",
    "record_use",
    "remove",
]

META_NAME = "meta.json"
_HEX = frozenset("0123456789abcdef")


def _is_key(name: str) -> bool:
    """Whether ``name`` is a folder key (20 lowercase hex digits; no ``re`` at start-up)."""
    return len(name) == 20 and _HEX.issuperset(name)


def __getattr__(name: str) -> object:
    """:class:`~specsearch.stats.CacheEntry`, on first use (see ``TYPE_CHECKING``)."""
    if name == "CacheEntry":
        from specsearch import stats  # noqa: PLC0415 (start-up cost: dataclasses)

        return stats.CacheEntry
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def cache_root(environ: Mapping[str, str]) -> str:
    """``<cache>/specsearch``.

    >>> cache_root({"XDG_CACHE_HOME": "/c"})
    '/c/specsearch'
    """
    cache = environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(cache):
        # The XDG spec: a relative path is invalid and is ignored.
        cache = os.path.join(environ.get("HOME") or os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "specsearch")


def canonical_roots(roots: Sequence[str]) -> list[str]:
    """Each root as an absolute path with links resolved (``.`` when empty).

    >>> canonical_roots(["/tmp/x/"]) == canonical_roots(["/tmp/./x"])
    True
    """
    return [os.path.realpath(r) for r in (list(roots) or ["."])]


def _key(canonical: Sequence[str], options: Mapping[str, bool]) -> str:
    """The folder key: sha256 of the JSON text of ``[canonical, sorted options]``.

    Built without the ``json`` and ``hashlib`` packages, which every CLI
    query would otherwise import (``hashlib`` loads OpenSSL): the text is
    what ``json.dumps(..., ensure_ascii=False)`` writes, from the C string
    encoder that ``json`` wraps, and the digest comes from CPython's
    built-in SHA-256. ``tests/unit/test_startup.py`` checks both against
    the packages.
    """
    from _json import encode_basestring  # noqa: PLC0415 (start-up cost)

    roots = ", ".join(encode_basestring(r) for r in canonical)
    flags = ", ".join(
        f"{encode_basestring(k)}: {'true' if v else 'false'}" for k, v in sorted(options.items())
    )
    spec = f"[[{roots}], {{{flags}}}]"
    return _sha256_hex(spec.encode("utf-8", "surrogateescape"))[:20]


def _sha256_hex(data: bytes) -> str:
    """SHA-256 of ``data`` in hex, from CPython's built-in module when it has one."""
    try:
        from _sha256 import sha256  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415
    except ImportError:
        try:
            from _sha2 import sha256  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415
        except ImportError:
            from hashlib import sha256  # noqa: PLC0415
    digest: str = sha256(data).hexdigest()
    return digest


def index_dir_for(
    roots: Sequence[str], environ: Mapping[str, str], options: Mapping[str, bool] | None = None
) -> str:
    """The default index folder of ``roots`` walked with ``options``.

    >>> a = index_dir_for(["/tmp/d"], {"XDG_CACHE_HOME": "/c"})
    >>> a == index_dir_for(["/tmp/d/"], {"XDG_CACHE_HOME": "/c"})
    True
    """
    canonical = canonical_roots(roots)
    on = {k: v for k, v in (options or {}).items() if v}
    return os.path.join(cache_root(environ), _key(canonical, on))


def record_use(
    folder: str, roots: Sequence[str], options: Mapping[str, bool] | None = None
) -> None:
    """Write (or touch) ``folder``'s ``meta.json``; failures are ignored.

    The index works without it; only ``specsearch cache list`` reads it.
    """
    meta = os.path.join(folder, META_NAME)
    # Not contextlib.suppress: a query without --index calls this, and
    # contextlib is not otherwise loaded.
    try:
        if os.path.isfile(meta):
            os.utime(meta)
            return
        os.makedirs(folder, mode=0o700, exist_ok=True)
        doc = {
            "roots": canonical_roots(roots),
            "options": {k: v for k, v in (options or {}).items() if v},
        }
        tmp = f"{meta}.{os.getpid()}.tmp"
        import json  # noqa: PLC0415 (first use only)

        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False)
        os.replace(tmp, meta)
    except OSError:
        return


def _size(folder: str) -> int:
    import contextlib  # noqa: PLC0415 (``cache`` commands only)

    total = 0
    for parent, _, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(parent, name)).st_size
    return total


def _entry(folder: str) -> CacheEntry:
    import json  # noqa: PLC0415 (``cache list`` only)

    from specsearch.stats import CacheEntry  # noqa: PLC0415 (see ``TYPE_CHECKING``)

    meta = os.path.join(folder, META_NAME)
    roots: tuple[str, ...] = ()
    try:
        with open(meta, encoding="utf-8") as f:
            raw = json.load(f)
        roots = tuple(str(r) for r in raw.get("roots", []))
        last = os.stat(meta).st_mtime
    except (OSError, ValueError, AttributeError):
        last = os.stat(folder).st_mtime
    return CacheEntry(
        path=folder,
        roots=roots,
        size_bytes=_size(folder),
        last_used=last,
        missing=tuple(r for r in roots if not os.path.exists(r)),
    )


def entries(environ: Mapping[str, str]) -> list[CacheEntry]:
    """Every default index folder, most recently used first.

    Raises:
        OSError: The cache folder exists but cannot be listed (a file, say).
    """
    root = cache_root(environ)
    try:
        names = os.listdir(root)
    except FileNotFoundError:
        return []
    import contextlib  # noqa: PLC0415 (``cache`` commands only)

    found = []
    for name in names:
        folder = os.path.join(root, name)
        if _is_key(name) and os.path.isdir(folder):
            # A folder removed meanwhile (another `cache clear`) is not listed.
            with contextlib.suppress(FileNotFoundError):
                found.append(_entry(folder))
    return sorted(found, key=lambda e: (-e.last_used, e.path))


def remove(entry: CacheEntry, environ: Mapping[str, str]) -> None:
    """Delete ``entry``'s folder, after checking that it is a default index folder.

    Raises:
        ValueError: the folder is not directly under :func:`cache_root` with a key name.
        OSError: it cannot be deleted.
    """
    parent, name = os.path.split(os.path.normpath(entry.path))
    if os.path.realpath(parent) != os.path.realpath(cache_root(environ)) or not _is_key(name):
        raise ValueError(f"{entry.path}: not a specsearch index folder; left alone")
    import shutil  # noqa: PLC0415 (``cache`` commands only)

    shutil.rmtree(entry.path)


def stale(found: Sequence[CacheEntry], *, older_than_days: float | None) -> list[CacheEntry]:
    """The entries ``cache prune`` removes: a root is gone, or unused for too long."""
    limit = None if older_than_days is None else time.time() - older_than_days * 86400
    return [
        e for e in found if e.missing or not e.roots or (limit is not None and e.last_used < limit)
    ]
