r"""The ``standard-v2`` analyzer: text to terms (SPEC.md §3).

Word characters and case folding come only from the generated tables in
:mod:`specsearch.pure._tables`; the runtime's Unicode database is never used.

A text is cut into **compounds**: one ideographic character, or words (maximal
runs of non-ideographic word characters) joined by single ``_`` or ``-``
connectors (``snake_case``, ``kebab-case``). Each word of a compound is split
at ASCII case boundaries into **parts** (``HTTPServer`` -> ``HTTP``,
``Server``). A compound gives its parts, then, when it has two or more, its
**whole** (``TaskGroup`` -> ``task``, ``group``, ``taskgroup``). Tokens are
folded character by character with simple case folding and dropped when
longer than :data:`MAX_TOKEN_CHARS` code points. Each kept part takes the next
position; a whole takes the position of its compound's first part.

A term's **stem key** is its Snowball English stem when it is made only of
ASCII ``a``-``z`` (:func:`stem_key`), else the term itself. In the
frontmatter field each token ``t`` of an entry's value also gives the **keyed
term** ``lower(K) + "\x1f" + t`` (:func:`frontmatter_terms`).
"""

from __future__ import annotations

import bisect
import functools
import re
from typing import TYPE_CHECKING, NamedTuple

from snowballstemmer import EnglishStemmer  # type: ignore[import-untyped]

from specsearch.pure._tables import FOLD_PAIRS, WORD_RANGES

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = [
    "ANALYZER_NAME",
    "KEY_SEPARATOR",
    "MAX_TOKEN_CHARS",
    "FieldTerms",
    "Token",
    "compound_re",
    "field_terms",
    "fold",
    "frontmatter_terms",
    "is_key",
    "key_prefix",
    "query_terms",
    "stem_key",
    "terms",
    "tokenize",
    "tokenizer",
]

ANALYZER_NAME = "standard-v2"
MAX_TOKEN_CHARS = 64
#: Separates the key from the token in a keyed term (never part of a token).
KEY_SEPARATOR = "\x1f"

#: Blocks whose word characters are each a word by itself (inclusive ranges).
IDEOGRAPHIC_BLOCKS: tuple[tuple[int, int], ...] = (
    (0x3040, 0x30FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x3134F),
)


def _split_ranges(
    ranges: tuple[tuple[int, int], ...], blocks: tuple[tuple[int, int], ...]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Split word ranges into (inside the blocks, outside the blocks)."""
    inside: list[tuple[int, int]] = []
    outside: list[tuple[int, int]] = []
    for lo, hi in ranges:
        cursor = lo
        for block_lo, block_hi in blocks:
            if block_hi < cursor or block_lo > hi:
                continue
            if block_lo > cursor:
                outside.append((cursor, block_lo - 1))
            inside.append((max(cursor, block_lo), min(hi, block_hi)))
            cursor = block_hi + 1
            if cursor > hi:
                break
        if cursor <= hi:
            outside.append((cursor, hi))
    return inside, outside


def _char_class(ranges: list[tuple[int, int]]) -> str:
    """A regex character class (``[...]``) for inclusive code-point ranges."""

    def esc(cp: int) -> str:
        return f"\\U{cp:08X}"

    parts = [esc(lo) if lo == hi else f"{esc(lo)}-{esc(hi)}" for lo, hi in ranges]
    return "[" + "".join(parts) + "]"


_IDEO_RANGES, _PLAIN_RANGES = _split_ranges(WORD_RANGES, IDEOGRAPHIC_BLOCKS)


def _bmp(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return [(lo, min(hi, 0xFFFF)) for lo, hi in ranges if lo <= 0xFFFF]


def _astral(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return [(max(lo, 0x10000), hi) for lo, hi in ranges if hi >= 0x10000]


# Python's ``re`` compiles a class of BMP characters into a fast bitmap, but
# tests a class holding astral ranges range by range. So every class below is
# split in its BMP part and its astral part, and the astral part is guarded by
# a cheap "any astral character" look-ahead. Texts without astral characters
# (nearly all) use a pattern with BMP classes only.
_ASTRAL = "(?=[\U00010000-\U0010ffff])"
_B_PLAIN, _A_PLAIN = _char_class(_bmp(_PLAIN_RANGES)), _char_class(_astral(_PLAIN_RANGES))
_B_IDEO, _A_IDEO = _char_class(_bmp(_IDEO_RANGES)), _char_class(_astral(_IDEO_RANGES))

#: The ASCII word characters (no ASCII character is ideographic).
_ASCII_PLAIN_RANGES = [(lo, min(hi, 0x7F)) for lo, hi in _PLAIN_RANGES if lo <= 0x7F]
_ASCII_PLAIN = _char_class(_ASCII_PLAIN_RANGES)


def _compound_source(plain: str, ideo: str | None) -> str:
    """The compound pattern over a class of plain word characters and one of ideographs."""
    words = f"{plain}+(?:[-_]{plain}+)*"
    return words if ideo is None else f"{words}|{ideo}"


#: The compound pattern for ASCII texts (queries, most lines): on a text made
#: only of ASCII it matches exactly as :func:`compound_re`, since a match
#: depends only on the classes' answers for the text's own characters.
_ASCII_COMPOUND_RE = re.compile(_compound_source(_ASCII_PLAIN, None))
_ASTRAL_CHAR_RE = re.compile("[\U00010000-\U0010ffff]")


@functools.cache
def compound_re() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The compound patterns: for any text, and for texts without astral characters.

    A compound is non-ideographic words joined by single ``_``/``-``
    connectors, or one ideographic character. Compiled on first use: the
    classes hold every word character, which takes ``re`` a good tenth of a
    second, and a query on a built index rarely needs them.
    """
    plain = f"(?:{_B_PLAIN}|{_ASTRAL}{_A_PLAIN})"
    every = re.compile(_compound_source(plain, f"{_B_IDEO}|{_ASTRAL}{_A_IDEO}"))
    return every, re.compile(_compound_source(_B_PLAIN, _B_IDEO))


_PLAIN_STARTS = [lo for lo, _ in _PLAIN_RANGES]
_IDEO_STARTS = [lo for lo, _ in _IDEO_RANGES]


def _within(code: int, starts: list[int], ranges: list[tuple[int, int]]) -> bool:
    i = bisect.bisect_right(starts, code) - 1
    return i >= 0 and code <= ranges[i][1]


@functools.lru_cache(maxsize=1024)
def _own_compound_re(chars: frozenset[str]) -> re.Pattern[str]:
    """The compound pattern for texts whose non-ASCII characters are among ``chars``.

    Its classes hold the ASCII word characters and those of ``chars``: on such
    a text it matches exactly as :func:`compound_re`, and it compiles in
    microseconds (what one snippet line or query needs).
    """
    codes = sorted(ord(c) for c in chars)
    plain = [(c, c) for c in codes if _within(c, _PLAIN_STARTS, _PLAIN_RANGES)]
    ideo = [(c, c) for c in codes if _within(c, _IDEO_STARTS, _IDEO_RANGES)]
    ideo_class = _char_class(ideo) if ideo else None
    return re.compile(_compound_source(_char_class(_ASCII_PLAIN_RANGES + plain), ideo_class))


#: Where a compound is cut into parts: at each connector, and at the ASCII case
#: boundaries (``aB`` and ``AB`` before ``c``, as in ``taskGroup``, ``HTTPServer``).
_PART_CUT_RE = re.compile(r"[-_]|(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

#: A term that has a Snowball stem: only ASCII lower-case letters.
_STEMMABLE_RE = re.compile(r"[a-z]+")
#: A frontmatter key that gives keyed terms.
_KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")

#: ``str.translate`` table of the simple case folding (ASCII included).
FOLD_TABLE: dict[int, int] = dict(FOLD_PAIRS)


def fold(text: str) -> str:
    """Apply simple case folding to every character of ``text``.

    Args:
        text: Any text.

    Returns:
        The folded text, of the same length.

    >>> fold("ÉCOLE Straße")
    'école straße'
    """
    # For ASCII text the simple case folding is exactly ASCII lower case.
    return text.lower() if text.isascii() else text.translate(FOLD_TABLE)


class Token(NamedTuple):
    """One token of an analyzed text.

    Attributes:
        text: The folded token text.
        position: Its position: parts count 0, 1, 2, ...; a whole has the
            position of its compound's first part.
        start: Character offset of its first character in the input.
        end: Character offset just past its last character.
        whole: Whether it is the whole of a compound of two or more parts
            (phrases leave wholes out).
    """

    text: str
    position: int
    start: int
    end: int
    whole: bool = False


def _part_spans(compound: str) -> list[tuple[int, int]]:
    """The ``[start, end)`` offsets of a compound's parts, in order."""
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in _PART_CUT_RE.finditer(compound):
        spans.append((start, cut.start()))
        start = cut.end()
    spans.append((start, len(compound)))
    return spans


class _Compound(NamedTuple):
    """The kept tokens of one compound (spans relative to the compound)."""

    parts: tuple[tuple[str, int, int], ...]
    whole: str | None


@functools.lru_cache(maxsize=1 << 18)
def _compound(compound: str) -> _Compound:
    """Split, fold and limit one compound (cached: compounds repeat a lot)."""
    folded = fold(compound)
    spans = _part_spans(compound)
    parts = tuple(
        (folded[start:end], start, end) for start, end in spans if end - start <= MAX_TOKEN_CHARS
    )
    # A whole longer than the limit is dropped; a kept whole is longer than
    # each of its parts, so they are all kept.
    whole = folded if len(spans) >= 2 and len(compound) <= MAX_TOKEN_CHARS else None
    return _Compound(parts, whole)


def _compound_re(text: str) -> re.Pattern[str]:
    """The pattern to cut ``text`` into compounds with (for a whole index's texts)."""
    if text.isascii():
        return _ASCII_COMPOUND_RE
    every, bmp = compound_re()
    return every if _ASTRAL_CHAR_RE.search(text) else bmp


def _own_pattern(text: str) -> re.Pattern[str]:
    """A compound pattern for ``text`` and any text made of its characters."""
    if text.isascii():
        return _ASCII_COMPOUND_RE
    return _own_compound_re(frozenset(c for c in set(text) if c > "\x7f"))


def tokenizer(sample: str) -> Callable[[str], list[Token]]:
    """:func:`tokenize` for texts made of the characters of ``sample`` (say, its lines).

    It cuts them with one small pattern made for ``sample``.
    """
    pattern = _own_pattern(sample)
    return lambda text: _analyze(text, 0, pattern)[0]


def _analyze(
    text: str, position: int, pattern: re.Pattern[str] | None = None
) -> tuple[list[Token], int]:
    """The tokens of ``text`` with positions from ``position``, and the next position."""
    tokens: list[Token] = []
    for match in (pattern or _own_pattern(text)).finditer(text):
        start, end = match.span()
        parts, whole = _compound(match.group())
        first_position = position
        for part, part_start, part_end in parts:
            tokens.append(Token(part, position, start + part_start, start + part_end))
            position += 1
        if whole is not None:
            tokens.append(Token(whole, first_position, start, end, whole=True))
    return tokens, position


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into folded tokens with positions and character spans.

    Args:
        text: The text of one field value, line or query leaf.

    Returns:
        The kept tokens, in order (each compound's parts, then its whole);
        ``fold(text[t.start:t.end]) == t.text``.

    >>> [(t.text, t.position) for t in tokenize("use TaskGroup now")]
    [('use', 0), ('task', 1), ('group', 2), ('taskgroup', 1), ('now', 3)]
    >>> [t.text for t in tokenize("snake_case v2.0 a--b 日本")]
    ['snake', 'case', 'snake_case', 'v2', '0', 'a', 'b', '日', '本']
    """
    return _analyze(text, 0)[0]


def terms(text: str) -> list[str]:
    """The token texts of ``text``, in order (parts and wholes).

    Args:
        text: Any text.

    Returns:
        ``[t.text for t in tokenize(text)]``.
    """
    return [token.text for token in tokenize(text)]


def query_terms(text: str) -> list[str]:
    """The distinct token texts of a text, in order of first appearance.

    Args:
        text: Any text.

    Returns:
        The distinct folded tokens; empty when the text has no word.

    >>> query_terms("Review the code, REVIEW it")
    ['review', 'the', 'code', 'it']
    """
    return list(dict.fromkeys(terms(text)))


@functools.lru_cache(maxsize=1 << 20)
def _snowball(term: str) -> str:
    # A fresh stemmer per call: cheap, and no stemmer state is shared.
    stem: str = EnglishStemmer().stemWord(term)
    return stem


def stem_key(term: str) -> str:
    r"""The stem key of a term (SPEC.md §3).

    A term made only of ASCII ``a``-``z`` gives its Snowball English
    (Porter2) stem, as computed by ``snowballstemmer`` 2.2.0; a keyed term
    ``k\x1ft`` gives ``k\x1f`` plus the stem key of ``t``; any other term
    is its own stem key.

    >>> [stem_key(t) for t in ("concurrent", "concurrency", "x86", "model\x1fopus")]
    ['concurr', 'concurr', 'x86', 'model\x1fopus']
    """
    key, separator, token = term.rpartition(KEY_SEPARATOR)
    if _STEMMABLE_RE.fullmatch(token) is None:
        return term
    return key + separator + _snowball(token)


def is_key(name: str) -> bool:
    """Whether a frontmatter key gives keyed terms (``[A-Za-z_][A-Za-z0-9_.-]*``)."""
    return _KEY_RE.fullmatch(name) is not None


def key_prefix(name: str) -> str:
    r"""``lower(name) + "\x1f"``: what every keyed term of that key starts with."""
    return name.lower() + KEY_SEPARATOR


class FieldTerms(NamedTuple):
    """One field value, analyzed for the index.

    Attributes:
        length: The number of tokens kept (parts and wholes; keyed terms
            are not counted).
        positions: Each term's positions, ascending (its frequency is their
            number).
    """

    length: int
    positions: dict[str, list[int]]


def _collect(
    text: str, position: int, positions: dict[str, list[int]], keyed: str | None = None
) -> tuple[int, int]:
    """Add the terms of ``text`` (from ``position``) to ``positions``.

    This is :func:`tokenize` without the spans, written for speed: it runs
    over every field of every doc. With ``keyed`` (a key prefix) each token
    also adds its keyed term.

    Returns:
        The next position and the number of tokens kept.
    """
    count = 0
    for compound in _compound_re(text).findall(text):
        parts, whole = _compound(compound)
        first_position = position
        for part, _, _ in parts:
            found = positions.get(part)
            if found is None:
                positions[part] = [position]
            else:
                found.append(position)
            if keyed is not None:
                positions.setdefault(keyed + part, []).append(position)
            position += 1
        count += len(parts)
        if whole is not None:
            found = positions.get(whole)
            if found is None:
                positions[whole] = [first_position]
            else:
                found.append(first_position)
            if keyed is not None:
                positions.setdefault(keyed + whole, []).append(first_position)
            count += 1
    return position, count


def field_terms(text: str) -> FieldTerms:
    """Analyze one field value (any field but the frontmatter).

    >>> field_terms("use TaskGroup now").positions
    {'use': [0], 'task': [1], 'group': [2], 'taskgroup': [1], 'now': [3]}
    """
    positions: dict[str, list[int]] = {}
    _, length = _collect(text, 0, positions)
    return FieldTerms(length, positions)


def frontmatter_terms(entries: Iterable[tuple[str, str]]) -> FieldTerms:
    r"""Analyze the frontmatter field: each entry's key then value, with keyed terms.

    Positions run on over the entries, so the terms are those of the field
    text (``K + "\n" + V`` joined by ``\n``); the value tokens of a key
    matching ``[A-Za-z_][A-Za-z0-9_.-]*`` also give keyed terms, which are
    not counted in the length.

    >>> sorted(frontmatter_terms([("Model", "opus")]).positions.items())
    [('model', [0]), ('model\x1fopus', [1]), ('opus', [1])]
    """
    positions: dict[str, list[int]] = {}
    length = 0
    position = 0
    for key, value in entries:
        position, key_count = _collect(key, position, positions)
        keyed = key_prefix(key) if is_key(key) else None
        position, value_count = _collect(value, position, positions, keyed)
        length += key_count + value_count
    return FieldTerms(length, positions)
