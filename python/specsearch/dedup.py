"""Near-duplicate specs: one fingerprint per file, and groups of copies.

Collections copy each other, so the same spec often sits in several folders,
identical or with a changed line or two. This module decides which files are
copies of each other, from their text alone, so both engines give the same
groups by construction (it runs over the files, not over either index).

**Fingerprint** (one-permutation MinHash over word 3-shingles; the test
vectors in ``tests/vectors/dedup.json`` pin every step):

1. The file's bytes are split into words: maximal runs of ASCII letters and
   digits (every other byte separates words, so no decoding is needed),
   with ASCII letters lowercased.
2. The shingles are the runs of 3 consecutive words, joined by one space
   (a file of 1 or 2 words has one shingle: its words; a file with none has
   no fingerprint and is nobody's copy).
3. Each distinct shingle hashes to ``h = crc32(shingle)`` (the CRC-32 of
   zlib and of the ``crc32fast`` crate); it falls in bin ``h % 128`` with
   value ``h // 128``.
4. The fingerprint is the minimum value of each of the 128 bins (None for an
   empty bin).

**Similarity** of two fingerprints: the number of bins where both are
non-empty and equal, over the number of bins non-empty in either (an
estimate of the Jaccard similarity of the shingle sets).

**Copies**: two specs are copies when their similarity is at least
``THRESHOLD`` (0.8), or when they have the same name and the same
description (compared case-insensitively, runs of white space as one
space): that is how Claude Code tells agents apart, so such files are one
spec republished with its body edited or translated. Groups form greedily
and deterministically: taking the specs in order (rank for a result list,
path for ``specsearch dups``), each joins the group of the first earlier
spec with its name and description, else the first earlier group whose
*first* member it is a copy of, else starts a group; so a group never
chains dissimilar specs together.
"""

from __future__ import annotations

import operator
import re
import zlib
from dataclasses import dataclass

#: ``typing.TYPE_CHECKING`` without importing ``typing`` (start-up cost); mypy reads it so.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from specsearch.engine import Hits
    from specsearch.types import DocInfo, Hit

__all__ = [
    "BINS",
    "THRESHOLD",
    "Collapsed",
    "Fingerprint",
    "Group",
    "collapse",
    "fingerprint",
    "fingerprint_file",
    "fingerprint_files",
    "fold",
    "group",
    "group_docs",
    "identity",
    "pool",
    "similarity",
]

BINS = 128
THRESHOLD = 0.8
SHINGLE = 3
#: Bands x rows of the locality-sensitive hashing that finds candidate pairs.
_BANDS, _ROWS = 32, 4
#: ``by_key``'s mark for a key whose group is past :func:`group`'s ``limit``.
_LEFT_OUT = -1
_WORD = re.compile(rb"[a-z0-9]+")

Fingerprint = tuple[int | None, ...]


def fingerprint(data: bytes) -> Fingerprint | None:
    """The fingerprint of a file's bytes (None when it has no words).

    >>> fp = fingerprint(b"Review async Rust code")
    >>> sum(v is not None for v in fp)
    2
    >>> fingerprint("¡¡".encode()) is None
    True
    """
    words = _WORD.findall(data.lower())
    if not words:
        return None
    n = max(1, len(words) - SHINGLE + 1)
    shingles = {b" ".join(words[i : i + SHINGLE]) for i in range(n)}
    mins: list[int | None] = [None] * BINS
    crc = zlib.crc32
    for shingle in shingles:
        h = crc(shingle)
        b, v = h % BINS, h // BINS
        old = mins[b]
        if old is None or v < old:
            mins[b] = v
    return tuple(mins)


def fingerprint_file(path: str, max_bytes: int = 64 * 1024 * 1024) -> Fingerprint | None:
    """The fingerprint of the file at ``path`` (None when unreadable or empty)."""
    try:
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)
    except OSError:
        return None
    if len(data) > max_bytes:
        return None
    return fingerprint(data)


def fingerprint_files(paths: Sequence[str], *, native: bool = False) -> list[Fingerprint | None]:
    """The fingerprint of each file (None for one that cannot be read).

    ``native`` computes them in the Rust extension, in parallel (the same
    values: ``tests/vectors/dedup.json``).
    """
    if native:
        from specsearch.native import fingerprint_files as native_fingerprints  # noqa: PLC0415

        return native_fingerprints(paths)
    return [fingerprint_file(p) for p in paths]


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """The estimated Jaccard similarity of the shingles behind ``a`` and ``b``.

    The share of equal bins among those that are not empty in both.

    >>> a = fingerprint(b"one two three four five six")
    >>> similarity(a, a)
    1.0
    """
    return _similarity(a, b, _empty_bins(a), _empty_bins(b))


def _empty_bins(fp: Fingerprint) -> int:
    """A bit mask of the bins of ``fp`` that are empty (None)."""
    mask = 0
    for i, v in enumerate(fp):
        if v is None:
            mask |= 1 << i
    return mask


def _similarity(a: Fingerprint, b: Fingerprint, empty_a: int, empty_b: int) -> float:
    """:func:`similarity`, given each one's :func:`_empty_bins` (counted in C, not per bin)."""
    if len(a) != len(b):
        raise ValueError("fingerprints of different sizes")
    empty = (empty_a & empty_b).bit_count()
    either = len(a) - empty
    both = sum(map(operator.eq, a, b)) - empty  # None == None counts once per empty bin
    return both / either if either else 0.0


#: The bins :func:`_reaches` compares first.
_PREFIX = 32


def _reaches(
    a: Fingerprint, b: Fingerprint, empty_a: int, empty_b: int, threshold: float
) -> float | None:
    """:func:`_similarity` when it is at least ``threshold``, else None.

    The similarity is ``(either - unequal) / either``: each unequal bin (never
    one empty in both) lowers it by ``1 / either``. So when the first
    ``_PREFIX`` bins already hold so many unequal ones that the similarity
    cannot reach ``threshold``, the other bins are not compared, which is
    most pairs of a page of hits. Exact: the bound is divided as the
    similarity is, and division by the same positive number keeps order.
    """
    if len(a) != len(b):
        raise ValueError("fingerprints of different sizes")
    either = len(a) - (empty_a & empty_b).bit_count()
    if either:
        unequal = sum(map(operator.ne, a[:_PREFIX], b[:_PREFIX]))
        if (either - unequal) / either < threshold:
            return None
    score = _similarity(a, b, empty_a, empty_b)
    return score if score >= threshold else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Group:
    """Specs that are copies of one another.

    Attributes:
        members: Their indices in the input order; the first is the group's
            representative.
        similarity: Each member's similarity to the representative (1.0 for
            the representative itself).
    """

    members: tuple[int, ...]
    similarity: tuple[float, ...]


def _bands(fp: Fingerprint) -> Iterable[tuple[int, tuple[int | None, ...]]]:
    for band in range(_BANDS):
        rows = fp[band * _ROWS : (band + 1) * _ROWS]
        if any(v is not None for v in rows):
            yield band, rows


def identity(name: str, description: str) -> tuple[str, str] | None:
    """What makes two specs the same spec to Claude Code (None without both fields).

    >>> identity("Code-Reviewer", "Reviews  code.") == identity("code-reviewer", "reviews code.")
    True
    """
    key = (" ".join(name.split()).casefold(), " ".join(description.split()).casefold())
    return key if all(key) else None


def group(
    fingerprints: Sequence[Fingerprint | None],
    *,
    keys: Sequence[tuple[str, str] | None] | None = None,
    threshold: float = THRESHOLD,
    compare_all: bool = False,
    on_progress: Callable[[int], None] | None = None,
    limit: int | None = None,
) -> list[Group]:
    """Group ``fingerprints`` (in the order given) into copies; singletons included.

    Candidates come from banded locality-sensitive hashing (32 bands of 4
    bins), which at similarity 0.8 finds a pair with probability above
    0.9999; ``compare_all`` compares every pair instead (for short lists,
    such as a page of hits, where it is as fast and exact).

    ``limit`` gives the first ``limit`` groups only, the same as
    ``group(...)[:limit]``: a spec that would start a later group, or join
    one, is compared with the first groups alone and then left out.
    """
    empties = [0 if fp is None else _empty_bins(fp) for fp in fingerprints]
    reps: list[int] = []
    members: dict[int, list[tuple[int, float]]] = {}
    buckets: dict[tuple[int, tuple[int | None, ...]], list[int]] = {}
    # A key's group; _LEFT_OUT for a group past ``limit``.
    by_key: dict[tuple[str, str], int] = {}
    for i, fp in enumerate(fingerprints):
        if on_progress is not None:
            on_progress(i)
        home = None
        key = None if keys is None else keys[i]
        if key is not None and key in by_key:
            r = by_key[key]
            if r == _LEFT_OUT:
                continue
            rep = fingerprints[r]
            home = (
                r,
                0.0 if fp is None or rep is None else _similarity(fp, rep, empties[i], empties[r]),
            )
        elif fp is not None:
            if compare_all:
                candidates: Iterable[int] = reps
            else:
                seen: set[int] = set()
                for band in _bands(fp):
                    seen.update(buckets.get(band, ()))
                candidates = sorted(seen)
            for r in candidates:
                rep = fingerprints[r]
                if rep is None:
                    continue
                score = _reaches(fp, rep, empties[i], empties[r], threshold)
                if score is not None:
                    home = (r, score)
                    break
        if home is not None:
            members[home[0]].append((i, home[1]))
            if key is not None:
                by_key.setdefault(key, home[0])
            continue
        if limit is not None and len(reps) >= limit:
            # It starts or joins a group past the first ``limit`` (the
            # earlier groups' representatives are the first ones).
            if key is not None:
                by_key[key] = _LEFT_OUT
            continue
        if key is not None:
            by_key[key] = i
        reps.append(i)
        members[i] = [(i, 1.0)]
        if fp is not None and not compare_all:
            for band in _bands(fp):
                buckets.setdefault(band, []).append(i)
    return [
        Group(
            members=tuple(m for m, _ in members[r]),
            similarity=tuple(s for _, s in members[r]),
        )
        for r in reps
    ]


@dataclass(frozen=True, slots=True, kw_only=True)
class Collapsed:
    """A hit and the copies of it folded under it.

    Attributes:
        hit: The best-ranked copy, with its snippet.
        copies: The other copies, best first: stored fields, score and
            similarity to ``hit``.
    """

    hit: Hit
    copies: tuple[tuple[DocInfo, float, float], ...]


def group_docs(
    docs: Sequence[DocInfo],
    *,
    native: bool = False,
    threshold: float = THRESHOLD,
    compare_all: bool = False,
    limit: int | None = None,
) -> list[Group]:
    """:func:`group` over the files of ``docs``, keyed by their :func:`identity`."""
    prints = fingerprint_files([doc.path for doc in docs], native=native)
    keys = [identity(doc.name, doc.description) for doc in docs]
    return group(prints, keys=keys, threshold=threshold, compare_all=compare_all, limit=limit)


def pool(k: int) -> int:
    """Hits to fetch so that ``k`` remain once copies are folded away (at most 2**32 - 1)."""
    return min(k * 3 + 10, 2**32 - 1) if k else 0


def collapse(
    hits: Hits, k: int, *, native: bool = False, threshold: float = THRESHOLD
) -> list[Collapsed]:
    """The first ``k`` groups of copies among ``hits`` (in rank order), best copy first.

    Only the ``k`` hits shown get snippets (their files are read again).
    """
    infos = hits.infos()
    docs = [doc for doc, _ in infos]
    groups = group_docs(docs, native=native, threshold=threshold, compare_all=True, limit=k)
    shown = hits.select([g.members[0] for g in groups])
    return [
        Collapsed(
            hit=hit,
            copies=tuple(
                (*infos[m], s) for m, s in zip(g.members[1:], g.similarity[1:], strict=True)
            ),
        )
        for hit, g in zip(shown, groups, strict=True)
    ]


def fold(hits: Hits, k: int, *, native: bool, all_copies: bool = False) -> list[Collapsed]:
    """The first ``k`` results of ``hits`` fetched :func:`pool` deep, copies folded.

    What ``specsearch query``, ``route`` and the MCP tools show; ``all_copies``
    keeps every copy as a result of its own (``--all``).
    """
    if all_copies:
        return [Collapsed(hit=h, copies=()) for h in hits[:k]]
    return collapse(hits, k, native=native)
