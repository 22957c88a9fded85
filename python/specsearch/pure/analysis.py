"""The ``standard-v1`` analyzer: text to terms (ARCHITECTURE.md §3).

Word characters and case folding come only from the generated tables in
:mod:`specsearch.pure._tables`; the runtime's Unicode database is never used.

A token is either one ideographic character or a maximal run of
non-ideographic word characters; every other character separates tokens.
Tokens are folded character by character with simple case folding and
dropped when longer than :data:`MAX_TOKEN_CHARS` code points.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from specsearch.pure._tables import FOLD_PAIRS, WORD_RANGES

__all__ = [
    "ANALYZER_NAME",
    "MAX_TOKEN_CHARS",
    "Token",
    "fold",
    "query_terms",
    "terms",
    "tokenize",
]

ANALYZER_NAME = "standard-v1"
MAX_TOKEN_CHARS = 64

#: Blocks whose word characters are each a token by itself (inclusive ranges).
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

#: One ideographic character, or a maximal run of other word characters.
TOKEN_RE = re.compile(
    f"{_B_PLAIN}+(?:{_ASTRAL}{_A_PLAIN}{_B_PLAIN}*)*"
    f"|{_B_IDEO}"
    f"|{_ASTRAL}(?:{_A_IDEO}|{_A_PLAIN}(?:{_B_PLAIN}|{_ASTRAL}{_A_PLAIN})*)"
)
#: :data:`TOKEN_RE` for texts without astral characters.
_BMP_TOKEN_RE = re.compile(f"{_B_PLAIN}+|{_B_IDEO}")
#: A UTF-8 lead byte of an astral character.
_ASTRAL_LEAD_RE = re.compile(b"[\xf0-\xf4]")

#: ``str.translate`` table of the simple case folding (ASCII included).
FOLD_TABLE: dict[int, int] = dict(FOLD_PAIRS)

#: ``bytes.translate`` table folding the ASCII letters of UTF-8 text (every
#: byte of a non-ASCII character is >= 0x80 and is left alone).
_ASCII_FOLD_BYTES = bytes(FOLD_TABLE.get(b, b) for b in range(128)) + bytes(range(128, 256))


def fold(text: str) -> str:
    """Apply simple case folding to every character of ``text``.

    Args:
        text: Any text.

    Returns:
        The folded text, of the same length.

    >>> fold("ÉCOLE Straße")
    'école straße'
    """
    return text.translate(FOLD_TABLE)


def _token_re(encoded: bytes) -> re.Pattern[str]:
    """The token pattern for a text, given its UTF-8 encoding."""
    return TOKEN_RE if _ASTRAL_LEAD_RE.search(encoded) else _BMP_TOKEN_RE


class Token(NamedTuple):
    """One token of an analyzed text.

    Attributes:
        text: The folded token text.
        position: Its index among the kept tokens of the text, from 0.
        start: Character offset of its first character in the input.
        end: Character offset just past its last character.
    """

    text: str
    position: int
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into folded tokens with positions and character spans.

    Args:
        text: The text of one field value or query.

    Returns:
        The kept tokens, in order; ``fold(text[t.start:t.end]) == t.text``.

    >>> [t.text for t in tokenize("Snake_case v2.0 日本")]
    ['snake', 'case', 'v2', '0', '日', '本']
    """
    tokens: list[Token] = []
    for match in _token_re(text.encode("utf-8", "surrogatepass")).finditer(text):
        start, end = match.span()
        if end - start > MAX_TOKEN_CHARS:
            continue
        tokens.append(Token(fold(match.group()), len(tokens), start, end))
    return tokens


def terms(text: str) -> list[str]:
    """The folded token texts of ``text``, in order (the index-time fast path).

    Args:
        text: The text of one field value.

    Returns:
        Exactly ``[t.text for t in tokenize(text)]``, computed faster.
    """
    # Fast path: fold the ASCII letters of the whole text at once (bytes-level,
    # which keeps every character's class), split it, then fold the rare
    # tokens that still hold non-ASCII characters.
    encoded = text.encode("utf-8", "surrogatepass")
    ascii_folded = encoded.translate(_ASCII_FOLD_BYTES).decode("utf-8", "surrogatepass")
    return [
        token if token.isascii() else token.translate(FOLD_TABLE)
        for token in _token_re(encoded).findall(ascii_folded)
        if len(token) <= MAX_TOKEN_CHARS
    ]


def query_terms(text: str) -> list[str]:
    """The distinct terms of a query, in order of first appearance.

    Args:
        text: The query string.

    Returns:
        The distinct folded tokens; empty when the query has no word.

    >>> query_terms("Review the code, REVIEW it")
    ['review', 'the', 'code', 'it']
    """
    return list(dict.fromkeys(terms(text)))
