"""BERT's uncased WordPiece tokenizer: the mirror of ``rust/core/src/embed/wordpiece.rs``.

It reproduces what the ``tokenizers`` library does for all-MiniLM-L6-v2
(``BertNormalizer`` + ``BertPreTokenizer`` + ``WordPiece`` + the
``[CLS] ... [SEP]`` template), step for step as the module docs of the Rust
file describe, through the generated tables in ``_tables`` (one pinned Unicode
version for both engines). Pure Python: it imports no numpy.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING

from specsearch.pure.embed._tables import CLASS_RANGES, FOLD

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

#: Words longer than this many characters become ``[UNK]``.
MAX_WORD_CHARS = 100

_REMOVED, _SPACE, _CJK, _PUNCT = 1, 2, 3, 4
_SPECIAL = ("[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]")
_STARTS = tuple(lo for lo, _, _ in CLASS_RANGES)


def _class(ch: str) -> int:
    if ch.isascii() and ch.isalnum():
        return 0
    cp = ord(ch)
    i = bisect_right(_STARTS, cp) - 1
    if i >= 0 and CLASS_RANGES[i][1] >= cp:
        return CLASS_RANGES[i][2]
    return 0


def _folded(ch: str) -> str:
    if ch.isascii():
        return ch.lower()
    cp = ord(ch)
    if 0xAC00 <= cp <= 0xD7A3:
        # Hangul syllable: canonical decomposition by arithmetic (Unicode section 3.12).
        s = cp - 0xAC00
        jamo = chr(0x1100 + s // 588) + chr(0x1161 + (s % 588) // 28)
        return jamo + chr(0x11A7 + s % 28) if s % 28 else jamo
    return FOLD.get(cp, ch)


def normalize(text: str) -> str:
    """Drop controls, space out CJK ideographs, fold (strip accents, lowercase)."""
    out: list[str] = []
    for ch in text:
        cls = _class(ch)
        if cls == _REMOVED:
            continue
        if cls == _SPACE:
            out.append(" ")
        elif cls == _CJK:
            out.append(" " + _folded(ch) + " ")
        else:
            out.append(_folded(ch))
    return "".join(out)


def words(normalized: str) -> Iterator[str]:
    """Split normalized text on whitespace; each punctuation character stands alone."""
    start: int | None = None
    for i, ch in enumerate(normalized):
        cls = _class(ch)
        if cls in (_SPACE, _PUNCT):
            if start is not None:
                yield normalized[start:i]
                start = None
            if cls == _PUNCT:
                yield ch
        elif start is None:
            start = i
    if start is not None:
        yield normalized[start:]


class WordPiece:
    """A WordPiece vocabulary and the special ids."""

    def __init__(self, vocab_text: str) -> None:
        """Build from the text of a ``vocab.txt`` (one token a line; the line is the id).

        Raises:
            ValueError: the vocabulary lacks a special token.
        """
        vocab: dict[str, int] = {}
        for i, line in enumerate(vocab_text.splitlines()):
            vocab.setdefault(line.rstrip("\r"), i)
        for name in _SPECIAL:
            if name not in vocab:
                raise ValueError(f"vocab.txt has no {name} token")
        self._vocab = vocab
        self._special = tuple(vocab[name] for name in _SPECIAL)
        self._cls, self._sep, _, self._unk, _ = self._special

    @classmethod
    def from_file(cls, path: Path) -> WordPiece:
        """Read a ``vocab.txt``."""
        return cls(path.read_text(encoding="utf-8"))

    @property
    def vocab_size(self) -> int:
        """The number of entries in the vocabulary."""
        return len(self._vocab)

    def encode(self, text: str, max_tokens: int) -> list[int]:
        """Token ids, ``[CLS]`` first and ``[SEP]`` last, at most ``max_tokens`` (>= 2)."""
        budget = max(max_tokens, 2) - 2
        ids = [self._cls]
        rest = text
        while rest and len(ids) <= budget:
            found = [(at, k) for k, s in enumerate(_SPECIAL) if (at := rest.find(s)) >= 0]
            at, k = min(found) if found else (len(rest), -1)
            self._encode_plain(rest[:at], ids, budget + 1)
            if k < 0:
                break
            if len(ids) <= budget:
                ids.append(self._special[k])
            rest = rest[at + len(_SPECIAL[k]) :]
        del ids[budget + 1 :]
        ids.append(self._sep)
        return ids

    def _encode_plain(self, text: str, ids: list[int], cap: int) -> None:
        if not text:
            return
        for word in words(normalize(text)):
            if len(ids) >= cap:
                return
            self._encode_word(word, ids)

    def _encode_word(self, word: str, ids: list[int]) -> None:
        if len(word) > MAX_WORD_CHARS:
            ids.append(self._unk)
            return
        pieces: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                found = self._vocab.get(piece)
                if found is not None:
                    break
                end -= 1
            if found is None:
                ids.append(self._unk)
                return
            pieces.append(found)
            start = end
        ids.extend(pieces)
