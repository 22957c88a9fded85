"""A deterministic, seeded generator of synthetic agent-spec corpora.

The corpora look like ``../shared/corpora`` (3,316 real agent and skill specs,
26 MB) at any size: the same file-size distribution, frontmatter keys and
their shares, broken YAML, files without frontmatter, ``<example>`` routing
blocks (double-escaped in the description, or in the body), Markdown section
structure (headings, lists, tables, fenced code), a vocabulary whose head is
the real corpus's 4,000 commonest words and whose tail is pseudo-words drawn
from a Zipf-Mandelbrot law (so the vocabulary keeps growing with the corpus,
as Heaps' law says real text does), Chinese files, emoji, CRLF files.

Every parameter below was measured once with :func:`profile` on the real
corpora (``python benches/gen_corpus.py --profile ../shared/corpora``) and is
hard-coded, so generating needs no corpus.

Library use::

    from benches.gen_corpus import generate
    info = generate(Path("/tmp/c100m"), 100_000_000, seed=0)

Command line::

    uv run python benches/gen_corpus.py /tmp/c1g --size 1GB --seed 0

Same seed, same numpy: byte-identical output. A smaller corpus is a prefix
of a larger one with the same seed (the same files, in the same order). Files
are generated one at a time and written at once, so memory stays small.
"""

from __future__ import annotations

import argparse
import collections
import functools
import itertools
import json
import math
import multiprocessing
import os
import random
import re
import shutil
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import GeneratorType
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

__all__ = ["CorpusInfo", "cached", "generate", "parse_size", "profile"]

# ---------------------------------------------------------------------------
# Parameters measured on ../shared/corpora (3,316 specs, 26,018,340 bytes).
# ---------------------------------------------------------------------------

#: File size (bytes) at cumulative probabilities; sampled log-linearly between
#: points. Median 6,752, mean 7,846, max 160,145 (real).
SIZE_QUANTILES: tuple[tuple[float, int], ...] = (
    (0.0, 140), (0.005, 907), (0.01, 1024), (0.02, 1108), (0.05, 1332), (0.1, 1689),
    (0.15, 2028), (0.2, 2312), (0.25, 2688), (0.3, 3381), (0.35, 4380), (0.4, 5361),
    (0.45, 6162), (0.5, 6752), (0.55, 7315), (0.6, 7896), (0.65, 8778), (0.7, 9608),
    (0.75, 10291), (0.8, 11451), (0.85, 12826), (0.9, 15011), (0.93, 17033), (0.95, 19377),
    (0.97, 23016), (0.98, 25298), (0.99, 31029), (0.995, 35573), (0.998, 52637),
    (0.999, 73938), (0.9995, 90072), (1.0, 160145),
)  # fmt: skip
#: Generated files overshoot their drawn size by part of a block; this scales
#: the drawn size so that the generated sizes match the real ones.
SIZE_SCALE = 0.94

#: Share of skills (``<name>/SKILL.md``) among specs (2,042 / 3,316).
SKILL_SHARE = 0.616
#: Files with no frontmatter at all (11), a bare ``name:`` header without
#: ``---`` (21), an unclosed/indented frontmatter (1), empty files (1).
NO_FRONTMATTER_SHARE = 11 / 3316
BARE_FRONTMATTER_SHARE = 21 / 3316
INDENTED_SHARE = 1 / 3316
EMPTY_SHARE = 1 / 3316
#: Frontmatter that PyYAML rejects (30 of 3,305, all agents, of 1,274): a plain
#: description holding ``: ``.
MALFORMED_SHARE = 30 / 3305
AGENT_MALFORMED_SHARE = 30 / 1274
#: Description styles among the other files (plain 2,511, double-quoted 746,
#: block 45, single-quoted 3); the double-escaped example descriptions are
#: double-quoted and come on top of these shares.
DESCRIPTION_STYLES: tuple[tuple[str, float], ...] = (
    ("plain", 2511), ("double", 746 - 154), ("block", 45), ("single", 3),
)  # fmt: skip
#: Files with ``<example>`` blocks in the description (158, 154 double-escaped)
#: and in the body (13); 511 user requests in 170 files (3 per file).
EXAMPLES_IN_DESCRIPTION_SHARE = 158 / 3316
AGENT_EXAMPLES_IN_DESCRIPTION_SHARE = 158 / 1274
EXAMPLES_IN_BODY_SHARE = 13 / 3316
#: Description length (characters) at the deciles, without and with examples.
DESCRIPTION_CHARS = (17, 88, 134, 170, 191, 213, 239, 274, 319, 394, 1929)
EXAMPLE_DESCRIPTION_CHARS = (691, 2017, 2393, 2602, 2821, 2978, 3104, 3291, 3435, 3664, 5705)
#: Names in display style (capitals, spaces: 90), names unlike the file stem (308).
DISPLAY_NAME_SHARE = 90 / 3316
NAME_NOT_STEM_SHARE = 308 / 3316
#: Files with CJK prose (323: the Chinese collection and one more), emoji (607),
#: CRLF line ends (4), no final newline (492).
CJK_SHARE = 323 / 3316
EMOJI_SHARE = 607 / 3316
CRLF_SHARE = 4 / 3316
NO_FINAL_NEWLINE_SHARE = 492 / 3316
#: Frontmatter keys besides name and description: share of agents / skills
#: that have each.
AGENT_KEYS: tuple[tuple[str, float], ...] = (
    ("tools", 0.471), ("model", 0.614), ("category", 0.093), ("color", 0.04),
    ("version", 0.019), ("maturity", 0.017), ("specialization", 0.017),
    ("permissionMode", 0.003), ("maxTurns", 0.001), ("hooks", 0.001),
)  # fmt: skip
SKILL_KEYS: tuple[tuple[str, float], ...] = (
    ("license", 0.151), ("version", 0.136), ("metadata", 0.171), ("source", 0.112),
    ("allowed-tools", 0.079), ("author", 0.075), ("tags", 0.06), ("risk", 0.05),
    ("date_added", 0.049), ("dependencies", 0.049), ("maturity", 0.026),
    ("specialization", 0.026), ("category", 0.009), ("compatibility", 0.005),
    ("tools", 0.004), ("user-invocable", 0.003), ("color", 0.003), ("displayName", 0.003),
    ("argument-hint", 0.002), ("disable-model-invocation", 0.001),
)  # fmt: skip
#: ``tools`` is a YAML list in 11 of 648 files, ``allowed-tools`` in 23 of 161.
TOOLS_LIST_SHARE = 11 / 648
ALLOWED_TOOLS_LIST_SHARE = 23 / 161
#: Body blocks per kB of body text (the block mix), and block sizes at deciles.
BLOCK_RATES: tuple[tuple[str, float], ...] = (
    ("para", 2.078), ("list", 1.606), ("h3", 1.135), ("h2", 0.909), ("code", 0.727),
    ("table", 0.105), ("h1", 0.04), ("h4", 0.071), ("quote", 0.018), ("h5", 0.001),
)  # fmt: skip
#: Share of files whose body starts with a ``#`` title (2,167 H1 in 3,316 files).
TITLE_SHARE = 0.6
LIST_ITEMS = (1, 2, 3, 4, 4, 5, 5, 7, 8, 8, 61)
ITEM_WORDS = (1, 2, 2, 3, 4, 5, 6, 7, 8, 10, 60)
PARAGRAPH_WORDS = (1, 1, 2, 2, 3, 5, 6, 9, 13, 23, 200)
HEADING_WORDS = (1, 1, 2, 2, 2, 2, 3, 3, 4, 5, 18)
CODE_LINES = (1, 3, 5, 7, 8, 11, 13, 16, 21, 31, 461)
TABLE_ROWS = (1, 5, 5, 6, 6, 6, 7, 7, 8, 10, 51)
TABLE_COLUMNS = (2, 2, 2, 2, 2, 3, 3, 3, 3, 4, 7)
#: Fence info strings (fence count).
CODE_LANGUAGES: tuple[tuple[str, float], ...] = (
    ("python", 5357), ("bash", 3640), ("", 2978), ("typescript", 940), ("json", 859),
    ("javascript", 741), ("markdown", 687), ("yaml", 684), ("html", 194), ("sql", 180),
    ("tsx", 111), ("latex", 101), ("powershell", 98), ("js", 80), ("css", 79), ("php", 66),
    ("toml", 64), ("hcl", 63), ("julia", 55), ("solidity", 52), ("mermaid", 51),
    ("csharp", 49), ("rust", 45), ("swift", 37), ("graphql", 36), ("c", 31), ("java", 26),
    ("go", 26), ("r", 25), ("dockerfile", 20),
)  # fmt: skip
#: Token classes of English text (analyzer tokens of the non-CJK text): the
#: 4,000 commonest words, rarer words, numbers, letters+digits.
HEAD_SHARE = 0.856
TAIL_SHARE = 0.105
NUMBER_SHARE = 0.03
#: The rest (0.009) are letter+digit tokens.
#: Rarer words: rank r drawn from P(rank > r) = (1 + r/q) ** -(s - 1) (a
#: Zipf-Mandelbrot law of exponent s), each rank a distinct pseudo-word.
#: s fitted to the growth of the real rare words (75,000 tokens hold 17,700
#: distinct ones, 322,000 hold 33,300: about tokens ** 0.45); q set so that a
#: 26 MB corpus has as many distinct terms as the real one (44,000), topics
#: (below) included.
TAIL_EXPONENT = 2.2
TAIL_OFFSET = 2400.0
#: Numbers follow the same law (125,000 number tokens, 1,306 distinct).
NUMBER_EXPONENT = 1.9
NUMBER_OFFSET = 3.0
#: Share of letter+digit tokens taken from the real ones (else made up).
REAL_ALNUM_SHARE = 0.8
#: Burstiness: each file draws TOPIC_WORDS words of its own (from the same
#: distribution) and takes TOPIC_SHARE of its tokens from them. Word
#: frequencies stay the same, but a word is in fewer files, as in real text
#: (without it 'kubernetes' is in 2.5 times as many files as in the real
#: corpus, 'agent' 3 times).
TOPIC_WORDS = 60
TOPIC_SHARE = 0.6
#: Share of CJK characters among the prose tokens of a Chinese file.
CJK_PROSE_SHARE = 0.65

# ---------------------------------------------------------------------------
# Tables built once from the embedded vocabulary (see the end of the file).
# ---------------------------------------------------------------------------


def _pairs(table: str) -> tuple[list[str], list[int]]:
    """Split an embedded ``item:count`` table."""
    items: list[str] = []
    counts: list[int] = []
    for field in table.split():
        item, _, count = field.rpartition(":")
        items.append(item)
        counts.append(int(count))
    return items, counts


@dataclass(frozen=True, slots=True)
class _Tables:
    head: np.ndarray[Any, np.dtype[np.object_]]
    head_cum: np.ndarray[Any, np.dtype[np.float64]]
    head_list: list[str]
    cjk: np.ndarray[Any, np.dtype[np.object_]]
    cjk_cum: np.ndarray[Any, np.dtype[np.float64]]
    alnum: list[str]
    alnum_cum: list[float]
    emoji: list[str]
    emoji_cum: list[float]


def _cumulative(counts: Sequence[float]) -> np.ndarray[Any, np.dtype[np.float64]]:
    cum: np.ndarray[Any, np.dtype[np.float64]] = np.cumsum(np.asarray(counts, dtype=np.float64))
    return cum / cum[-1]  # type: ignore[no-any-return]


@functools.cache
def _tables() -> _Tables:
    words, counts = _pairs(HEAD_WORDS)
    chars, char_counts = _pairs(CJK_CHARS)
    alnum, alnum_counts = _pairs(ALNUM_TOKENS)
    emoji, emoji_counts = _pairs(EMOJI)
    return _Tables(
        head=np.array(words, dtype=object),
        head_cum=_cumulative(counts),
        head_list=words,
        cjk=np.array(chars, dtype=object),
        cjk_cum=_cumulative(char_counts),
        alnum=alnum,
        alnum_cum=_cumulative(alnum_counts).tolist(),
        emoji=emoji,
        emoji_cum=_cumulative(emoji_counts).tolist(),
    )


_ONSETS = (
    "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "q", "r", "s", "t", "v", "w",
    "x", "z", "br", "ch", "cr", "dr", "fl", "gr", "pl", "pr", "sh", "st", "th", "tr",
)  # fmt: skip
_NUCLEI = ("a", "e", "i", "o", "u", "y", "ai", "ea", "io", "ou")
_SUFFIXES = ("", "s", "er", "ing", "ed", "al", "ize", "tion", "ment", "ity")
_SYLLABLES = tuple(o + n for o in _ONSETS for n in _NUCLEI)


@functools.lru_cache(maxsize=1 << 18)
def pseudo_word(rank: int) -> str:
    """The rare word of a tail rank: distinct ranks give distinct words.

    Args:
        rank: A rank of the Zipf-Mandelbrot tail, from 0.

    Returns:
        A pronounceable lowercase pseudo-word; higher ranks are longer.

    >>> pseudo_word(0), pseudo_word(1), pseudo_word(12345)
    ('baba', 'babas', 'pruboal')
    """
    rank, suffix = divmod(rank, len(_SUFFIXES))
    parts: list[str] = []
    while rank or len(parts) < 2:
        rank, digit = divmod(rank, len(_SYLLABLES))
        parts.append(_SYLLABLES[digit])
    return "".join(parts) + _SUFFIXES[suffix]


def _randint(rnd: random.Random, lo: int, hi: int) -> int:
    """A uniform integer in [lo, hi] (faster than ``Random.randint``)."""
    return lo + int(rnd.random() * (hi - lo + 1))


def _below(rnd: random.Random, n: int) -> int:
    """A uniform integer in [0, n)."""
    return int(rnd.random() * n)


def _pick(cum: Sequence[float], rnd: random.Random) -> int:
    """Index drawn from a cumulative distribution."""
    u = rnd.random()
    lo, hi = 0, len(cum) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cum[mid] < u:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _deciles(table: Sequence[int], rnd: random.Random) -> int:
    """A value drawn from a table of deciles (linear between them)."""
    x = rnd.random() * (len(table) - 1)
    i = int(x)
    lo, hi = table[i], table[min(i + 1, len(table) - 1)]
    t = x - i
    if i == len(table) - 2:
        t = t**12  # the last decile runs up to the maximum: keep its mean near the real one
    return max(1, round(lo + (hi - lo) * t))


def _weighted(table: Sequence[tuple[str, float]]) -> tuple[list[str], list[float]]:
    names = [name for name, _ in table]
    return names, _cumulative([w for _, w in table]).tolist()


_SIZE_PROBS = [p for p, _ in SIZE_QUANTILES]
_SIZE_LOGS = [math.log(s) for _, s in SIZE_QUANTILES]
_STYLE_NAMES, _STYLE_CUM = _weighted(DESCRIPTION_STYLES)
_BLOCK_NAMES, _BLOCK_CUM = _weighted(BLOCK_RATES)
_LANG_NAMES, _LANG_CUM = _weighted(CODE_LANGUAGES)


def _file_size(rnd: random.Random) -> int:
    u = rnd.random()
    i = max(0, next(k for k, p in enumerate(_SIZE_PROBS) if p >= u) - 1)
    p0, p1 = _SIZE_PROBS[i], _SIZE_PROBS[i + 1]
    t = (u - p0) / (p1 - p0) if p1 > p0 else 0.0
    return round(math.exp(_SIZE_LOGS[i] + (_SIZE_LOGS[i + 1] - _SIZE_LOGS[i]) * t))


# ---------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------


def _zipf_ranks(u: np.ndarray[Any, np.dtype[np.float64]], s: float, q: float) -> list[int]:
    """Ranks from 0 with P(rank > r) = (1 + r/q) ** -(s - 1), from uniforms u."""
    ranks = q * ((1.0 - u) ** (-1.0 / (s - 1.0)) - 1.0)
    return np.minimum(ranks, 2.0**62).astype(np.int64).tolist()  # type: ignore[no-any-return]


class _Words:
    """A stream of English tokens for one file, drawn in bulk with numpy."""

    def __init__(self, rng: np.random.Generator, rnd: random.Random, hint: int) -> None:
        self._rng = rng
        self._rnd = rnd
        self._hint = max(256, hint)
        self._buf: list[str] = []
        self._pos = 0
        self._topic: list[str] = []
        self._topic = self.take(TOPIC_WORDS)
        self._buf = []  # drawn without the topic: draw again

    def _refill(self) -> None:
        rng, tables, n = self._rng, _tables(), self._hint
        u = rng.random(n)
        out = np.empty(n, dtype=object)
        head = u < HEAD_SHARE
        out[head] = tables.head[np.searchsorted(tables.head_cum, rng.random(int(head.sum())))]
        tail = (u >= HEAD_SHARE) & (u < HEAD_SHARE + TAIL_SHARE)
        v = rng.random(int(tail.sum()))
        out[tail] = [pseudo_word(r) for r in _zipf_ranks(v, TAIL_EXPONENT, TAIL_OFFSET)]
        number = (u >= HEAD_SHARE + TAIL_SHARE) & (u < HEAD_SHARE + TAIL_SHARE + NUMBER_SHARE)
        v = rng.random(int(number.sum()))
        out[number] = [str(x) for x in _zipf_ranks(v, NUMBER_EXPONENT, NUMBER_OFFSET)]
        alnum = u >= HEAD_SHARE + TAIL_SHARE + NUMBER_SHARE
        out[alnum] = [self._alnum() for _ in range(int(alnum.sum()))]
        if self._topic:
            topical = rng.random(n) < TOPIC_SHARE
            picks = rng.integers(0, len(self._topic), size=int(topical.sum()))
            out[topical] = [self._topic[i] for i in picks.tolist()]
        self._buf = out.tolist()
        self._pos = 0

    def _alnum(self) -> str:
        rnd = self._rnd
        tables = _tables()
        if rnd.random() < REAL_ALNUM_SHARE:
            return tables.alnum[_pick(tables.alnum_cum, rnd)]
        word = tables.head_list[_below(rnd, 100)]
        return f"{word[: _randint(rnd, 1, 2)]}{_randint(rnd, 0, 20)}"

    def take(self, k: int) -> list[str]:
        """The next k tokens."""
        if self._pos + k > len(self._buf):
            rest = self._buf[self._pos :]
            while len(rest) < k:
                self._refill()
                rest += self._buf
            self._buf, self._pos = rest, 0
        out = self._buf[self._pos : self._pos + k]
        self._pos += k
        return out

    def word(self) -> str:
        """The next token."""
        return self.take(1)[0]


class _Cjk:
    """CJK 'words' (runs of 1-3 characters) drawn by character frequency."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._buf: list[str] = []
        self._pos = 0

    def take(self, k: int) -> list[str]:
        """The next k characters."""
        if self._pos + k > len(self._buf):
            tables = _tables()
            n = max(4096, 2 * k)
            idx = np.searchsorted(tables.cjk_cum, self._rng.random(n))
            self._buf = self._buf[self._pos :] + tables.cjk[idx].tolist()
            self._pos = 0
        out = self._buf[self._pos : self._pos + k]
        self._pos += k
        return out


# ---------------------------------------------------------------------------
# One file
# ---------------------------------------------------------------------------

_TOOLS = (
    "Read", "Write", "Edit", "MultiEdit", "Bash", "Glob", "Grep", "LS", "WebFetch",
    "WebSearch", "Task", "TodoWrite", "NotebookEdit",
)  # fmt: skip
_MODELS = (("sonnet", 0.6), ("opus", 0.2), ("haiku", 0.1), ("inherit", 0.1))
_COLORS = ("red", "blue", "green", "purple", "orange", "yellow", "cyan", "pink")
_LICENSES = (
    "MIT", "Apache-2.0", "MIT license", "BSD-3-Clause license", "Unknown",
    "Proprietary. LICENSE.txt has complete terms", "GPL-3.0 license",
)  # fmt: skip
_AGENT_SUFFIXES = (
    "expert", "pro", "specialist", "architect", "engineer", "reviewer", "developer",
    "analyst", "manager", "auditor", "optimizer", "coordinator",
)  # fmt: skip
#: Fullwidth comma (x3), ideographic full stop (x2), enumeration comma, colon, semicolon.
_CJK_PUNCT = ("\uff0c", "\uff0c", "\uff0c", "\u3002", "\u3002", "\u3001", "\uff1a", "\uff1b")


@dataclass(slots=True)
class _File:
    """The state of the file being written."""

    rnd: random.Random
    words: _Words
    cjk: _Cjk | None
    emoji: bool
    name: str
    size: int
    lines: list[str]
    nbytes: int = 0

    def add(self, line: str) -> None:
        self.lines.append(line)
        self.nbytes += len(line.encode()) + 1

    def emoji_char(self) -> str:
        tables = _tables()
        return tables.emoji[_pick(tables.emoji_cum, self.rnd)]

    def sentence(self, n: int, *, end: str = ".") -> str:
        """A sentence of about n tokens (CJK in Chinese files)."""
        rnd = self.rnd
        if self.cjk is not None and rnd.random() < 0.85:
            return self._cjk_sentence(n)
        ws = self.words.take(max(1, n))
        if len(ws) > 1 and rnd.random() < 0.25:
            i = _randint(rnd, 1, len(ws) - 1)
            ws[i] = f"`{ws[i]}`" if rnd.random() < 0.5 else f"**{ws[i]}**"
        if len(ws) > 6 and rnd.random() < 0.5:
            i = _randint(rnd, 2, len(ws) - 3)
            ws[i] += ","
        text = " ".join(ws)
        return text[:1].upper() + text[1:] + end

    def _cjk_sentence(self, n: int) -> str:
        assert self.cjk is not None
        rnd = self.rnd
        parts: list[str] = []
        total = max(2, round(n * 1.6))
        while total > 0:
            if rnd.random() < CJK_PROSE_SHARE:
                k = _randint(rnd, 2, 9)
                parts.append("".join(self.cjk.take(k)))
                if rnd.random() < 0.3:
                    parts.append(_CJK_PUNCT[_below(rnd, len(_CJK_PUNCT))])
            else:
                k = 1
                parts.append(f" {self.words.word()} ")
            total -= k
        return "".join(parts).strip() + "。"

    def text(self, n: int) -> str:
        """A run of sentences of n tokens in all."""
        out: list[str] = []
        while n > 0:
            k = min(n, _randint(self.rnd, 6, 22))
            out.append(self.sentence(k))
            n -= k
        return " ".join(out)

    def phrase(self, n: int) -> str:
        """A few words without final punctuation."""
        if self.cjk is not None and self.rnd.random() < 0.8:
            return "".join(self.cjk.take(max(2, n * 2)))
        return " ".join(self.words.take(max(1, n)))


def _slug(f: _File, n: int) -> str:
    words = [w for w in f.words.take(n + 2) if w.isalpha()][:n] or ["agent"]
    return "-".join(words)


def _title(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:] for w in text.split())


def _heading(f: _File, level: int) -> None:
    text = f.phrase(_deciles(HEADING_WORDS, f.rnd))
    if f.cjk is None:
        text = _title(text)
    if f.emoji and f.rnd.random() < 0.15:
        text = f"{f.emoji_char()} {text}"
    f.add("")
    f.add("#" * level + " " + text)
    f.add("")


def _paragraph(f: _File) -> None:
    n = _deciles(PARAGRAPH_WORDS, f.rnd)
    if n <= 3 and f.rnd.random() < 0.6:
        f.add(f"**{_title(f.phrase(n))}:**")
    else:
        f.add(f.text(n))
    f.add("")


def _list(f: _File) -> None:
    rnd = f.rnd
    items = _deciles(LIST_ITEMS, rnd)
    style = rnd.random()
    for i in range(items):
        n = _deciles(ITEM_WORDS, rnd)
        if style < 0.55:
            mark = "- "
        elif style < 0.75:
            mark = f"{i + 1}. "
        elif style < 0.85:
            mark = "- [ ] "
        else:
            mark = "* "
        indent = "  " if i and rnd.random() < 0.12 else ""
        if n > 3 and rnd.random() < 0.3:
            bold = _randint(rnd, 1, 2)
            body = f"**{_title(f.phrase(bold))}**: {f.sentence(n - bold)}"
        else:
            body = f.sentence(n, end="")
        if f.emoji and rnd.random() < 0.2:
            body = f"{f.emoji_char()} {body}"
        f.add(indent + mark + body)
    f.add("")


def _table(f: _File) -> None:
    rnd = f.rnd
    cols = _deciles(TABLE_COLUMNS, rnd)
    rows = max(1, _deciles(TABLE_ROWS, rnd) - 2)
    f.add("| " + " | ".join(_title(f.phrase(_randint(rnd, 1, 2))) for _ in range(cols)) + " |")
    f.add("|" + "|".join("---" for _ in range(cols)) + "|")
    for _ in range(rows):
        cells = []
        for c in range(cols):
            if c == 0:
                cells.append(f"`{f.words.word()}`" if rnd.random() < 0.3 else f.phrase(1))
            else:
                cells.append(f.phrase(_randint(rnd, 1, 5)))
        f.add("| " + " | ".join(cells) + " |")
    f.add("")


def _ident(ws: list[str], i: int) -> str:
    return f"{ws[i]}_{ws[i + 1]}"


def _camel(ws: list[str], i: int) -> str:
    return ws[i] + ws[i + 1][:1].upper() + ws[i + 1][1:]


_CodeLine = Callable[[list[str]], str]

_PYTHON: tuple[_CodeLine, ...] = (
    lambda w: f"def {_ident(w, 0)}({w[2]}, {w[3]}=None):",
    lambda w: f"    {w[0]} = {w[1]}.{w[2]}({w[3]})",
    lambda w: f"    return {w[0]}.{w[1]}",
    lambda w: f"from {w[0]}.{w[1]} import {w[2]}",
    lambda w: f"import {w[0]}",
    lambda w: f"class {w[0].capitalize()}({w[1].capitalize()}):",
    lambda w: f"    # {w[0]} {w[1]} {w[2]} {w[3]}",
    lambda w: f"    if {w[0]} is None:",
    lambda w: f'        raise ValueError("{w[0]} {w[1]} {w[2]}")',
    lambda w: f"{_ident(w, 0)} = {len(w[2]) * 16}",
    lambda w: f"    for {w[0]} in {w[1]}.{w[2]}():",
    lambda w: f'print(f"{w[0]}: {{{w[1]}}}")',
    lambda w: "    return None",
    lambda w: f"    {w[0]}()",
    lambda w: "",
)  # fmt: skip
_SHELL: tuple[_CodeLine, ...] = (
    lambda w: f"{w[0]} {w[1]} --{w[2]} {w[3]}",
    lambda w: f"cd {w[0]}/{w[1]}",
    lambda w: f"npm install {w[0]}-{w[1]}",
    lambda w: f"pip install {w[0]}",
    lambda w: f"export {w[0].upper()}_{w[1].upper()}={w[2]}",
    lambda w: f"# {w[0]} {w[1]} {w[2]}",
    lambda w: f"{w[0]} run {w[1]} | grep {w[2]}",
    lambda w: "fi",
    lambda w: f"{w[0]} --help",
)  # fmt: skip
_JS: tuple[_CodeLine, ...] = (
    lambda w: f"const {_camel(w, 0)} = await {w[2]}({w[3]});",
    lambda w: f"function {_camel(w, 0)}({w[2]}, {w[3]}) {{",
    lambda w: f"  return {w[0]}.{w[1]};",
    lambda w: "}",
    lambda w: "  });",
    lambda w: f"  {w[0]},",
    lambda w: f"import {{ {_camel(w, 0)} }} from '{w[2]}';",
    lambda w: f"// {w[0]} {w[1]} {w[2]} {w[3]}",
    lambda w: f"  if (!{w[0]}) throw new Error('{w[1]} {w[2]}');",
    lambda w: f"export interface {_camel(w, 0).capitalize()} {{ {w[2]}: string }}",
)  # fmt: skip
_DATA: tuple[_CodeLine, ...] = (
    lambda w: f"{w[0]}:",
    lambda w: "  ]",
    lambda w: f"  {w[0]}: true",
    lambda w: f"  {w[0]}: {w[1]}",
    lambda w: f"  - {w[0]}-{w[1]}",
    lambda w: f'  "{w[0]}": "{w[1]}",',
    lambda w: f'  "{w[0]}_{w[1]}": {len(w[2])},',
)  # fmt: skip
_SQL: tuple[_CodeLine, ...] = (
    lambda w: f"SELECT {w[0]}, {w[1]} FROM {w[2]} WHERE {w[3]} = 1;",
    lambda w: f"CREATE TABLE {w[0]} ({w[1]}_id INTEGER PRIMARY KEY, {w[2]} TEXT);",
    lambda w: f"  JOIN {w[0]} ON {w[0]}.{w[1]} = {w[2]}.{w[1]}",
    lambda w: f"-- {w[0]} {w[1]} {w[2]}",
)  # fmt: skip
_OTHER: tuple[_CodeLine, ...] = (
    lambda w: f"{w[0]}({w[2]}, {w[3]});",
    lambda w: f"let {w[0]} = {w[1]}::{w[2]}({w[3]});",
    lambda w: f"<{w[0]} class=\"{w[1]}-{w[2]}\">{w[3]}</{w[0]}>",
    lambda w: f"  {w[0]} {w[1]} {w[2]} {w[3]}",
    lambda w: f"{w[0]}.{w[1]} = {w[2]}",
)  # fmt: skip
_FAMILIES: dict[str, tuple[_CodeLine, ...]] = {
    "python": _PYTHON, "julia": _PYTHON, "r": _PYTHON,
    "bash": _SHELL, "powershell": _SHELL, "dockerfile": _SHELL,
    "typescript": _JS, "javascript": _JS, "tsx": _JS, "js": _JS, "jsx": _JS,
    "json": _DATA, "yaml": _DATA, "toml": _DATA, "hcl": _DATA,
    "sql": _SQL, "graphql": _SQL,
}  # fmt: skip


def _code(f: _File) -> None:
    rnd = f.rnd
    lang = _LANG_NAMES[_pick(_LANG_CUM, rnd)]
    lines = _deciles(CODE_LINES, rnd) - 1
    f.add("```" + lang)
    if lang in {"", "markdown", "mermaid", "latex"}:
        for _ in range(lines):
            if rnd.random() < 0.3:
                f.add(f"{'#' * _randint(rnd, 1, 3)} {f.phrase(3)}")
            elif rnd.random() < 0.5:
                f.add(f"- {f.phrase(_randint(rnd, 2, 6))}")
            else:
                f.add(f.phrase(_randint(rnd, 2, 9)))
    else:
        family = _FAMILIES.get(lang, _OTHER)
        for _ in range(lines):
            if rnd.random() < 0.12:
                f.add("")
            else:
                f.add(family[_below(rnd, len(family))](f.words.take(4)))
    f.add("```")
    f.add("")


def _quote(f: _File) -> None:
    f.add("> " + f.text(_deciles(PARAGRAPH_WORDS, f.rnd) + 4))
    f.add("")


_BLOCKS: dict[str, Callable[[_File], None]] = {
    "para": _paragraph,
    "list": _list,
    "code": _code,
    "table": _table,
    "quote": _quote,
    "h1": lambda f: _heading(f, 1),
    "h2": lambda f: _heading(f, 2),
    "h3": lambda f: _heading(f, 3),
    "h4": lambda f: _heading(f, 4),
    "h5": lambda f: _heading(f, 5),
}


def _example_block(f: _File, *, sep: str) -> str:
    rnd = f.rnd
    request = f.sentence(_randint(rnd, 6, 24), end="")
    if f.cjk is None and rnd.random() < 0.5:
        request = f"I need to {request[:1].lower()}{request[1:]}"
    lines = [
        "<example>",
        f"Context: {f.text(_randint(rnd, 15, 40))}",
        f'user: "{request}"',
        f'assistant: "I\'ll use the {f.name} agent to {f.phrase(_randint(rnd, 5, 14))}."',
        "<commentary>",
        f.text(_randint(rnd, 30, 90)),
        "</commentary>",
        "</example>",
    ]
    return sep.join(lines)


def _description(f: _File, *, examples: bool) -> str:
    """The description text (newlines as real line feeds)."""
    rnd = f.rnd
    if examples:
        target = _deciles(EXAMPLE_DESCRIPTION_CHARS, rnd)
        head = f"Use this agent when {f.text(_randint(rnd, 10, 30))[:-1].lower()}. Examples:"
        parts = [head]
        size = len(head)
        while size < target:
            block = _example_block(f, sep="\n")
            parts.append(block)
            size += len(block) + 2
        return "\n\n".join(parts)
    target = _deciles(DESCRIPTION_CHARS, rnd)
    text = "Use this agent when " if f.cjk is None and rnd.random() < 0.4 else ""
    while len(text) < target:
        text = (text + " " + f.sentence(_randint(rnd, 6, 20))).strip()
    if len(text) > target + 10:
        text = text[:target].rsplit(" ", 1)[0].rstrip(",") + "."
    return text


def _yaml_double(text: str, *, double_escape: bool) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\n", "\\\\n" if double_escape else "\\n")
    return f'"{escaped}"'


def _tools_value(f: _File, *, as_list: bool, sep: str = ", ") -> list[str]:
    rnd = f.rnd
    tools = rnd.sample(_TOOLS, _randint(rnd, 2, 7))
    if as_list:
        return ["", *(f"  - {t}" for t in tools)]
    return [sep.join(tools)]


def _key_lines(f: _File, key: str) -> list[str]:
    """The lines of one frontmatter entry (the first line follows ``key:``)."""
    rnd = f.rnd
    if key == "tools":
        return _tools_value(f, as_list=rnd.random() < TOOLS_LIST_SHARE)
    if key == "allowed-tools":
        return _tools_value(f, as_list=rnd.random() < ALLOWED_TOOLS_LIST_SHARE, sep=" ")
    if key == "model":
        return [_MODELS[_pick([0.6, 0.8, 0.9, 1.0], rnd)][0]]
    if key == "color":
        return [rnd.choice(_COLORS)]
    if key == "version":
        return [f'"{_randint(rnd, 1, 3)}.{_randint(rnd, 0, 9)}.{_randint(rnd, 0, 9)}"']
    if key == "license":
        return [rnd.choice(_LICENSES)]
    if key == "metadata":
        subs = ["skill-author", "version", "category", "domain", "tags", "updated"]
        return [""] + [f"    {k}: {f.phrase(_randint(rnd, 1, 3))}" for k in rnd.sample(subs, 2)]
    if key in {"tags", "dependencies"}:
        return ["[" + ", ".join(f.words.take(_randint(rnd, 2, 6))) + "]"]
    if key == "date_added":
        year, month, day = _randint(rnd, 24, 26), _randint(rnd, 1, 12), _randint(rnd, 1, 28)
        return [f'"20{year}-{month:02d}-{day:02d}"']
    if key == "risk":
        return [rnd.choice(("low", "medium", "high", "unknown", "safe"))]
    if key == "source":
        return [rnd.choice(("community", "self", f"https://github.com/{_slug(f, 1)}"))]
    if key in {"user-invocable", "disable-model-invocation"}:
        return [rnd.choice(("true", "false"))]
    if key == "maturity":
        return [f'"{_randint(rnd, 1, 5)}-Expert"']
    if key == "maxTurns":
        return [str(_randint(rnd, 5, 50))]
    if key == "hooks":
        return ["", "  PreToolUse:", f"    - matcher: {rnd.choice(_TOOLS)}"]
    return [f.phrase(_randint(rnd, 1, 4))]


def _frontmatter(f: _File, kind: str, rnd: random.Random) -> tuple[list[str], bool]:
    """Frontmatter lines (without fences) and whether the body gets examples."""
    in_description = kind == "agent" and rnd.random() < AGENT_EXAMPLES_IN_DESCRIPTION_SHARE
    malformed = kind == "agent" and rnd.random() < AGENT_MALFORMED_SHARE
    description = _description(f, examples=in_description)
    lines = [f"name: {f.name}"]
    if in_description:
        lines.append("description: " + _yaml_double(description, double_escape=True))
    elif malformed:
        extra = f"Examples: Context: {f.sentence(8)} user: {f.sentence(8)}"
        lines.append("description: " + description.replace("\n", " ") + " " + extra)
    else:
        style = _STYLE_NAMES[_pick(_STYLE_CUM, rnd)]
        if style == "double":
            lines.append("description: " + _yaml_double(description, double_escape=False))
        elif style == "single":
            lines.append("description: '" + description.replace("'", "''") + "'")
        elif style == "block":
            lines.append("description: |")
            lines.extend("  " + line for line in description.split("\n"))
        else:
            lines.append("description: " + description.replace(": ", " - ").replace(" #", " "))
    keys = AGENT_KEYS if kind == "agent" else SKILL_KEYS
    for key, share in keys:
        if rnd.random() < share:
            value = _key_lines(f, key)
            first = f"{key}: {value[0]}" if value[0] else f"{key}:"
            lines.append(first)
            lines.extend(value[1:])
    body_examples = rnd.random() < EXAMPLES_IN_BODY_SHARE
    return lines, body_examples


def _body(f: _File, title: str, body_examples: bool) -> None:
    rnd = f.rnd
    if rnd.random() < TITLE_SHARE:
        f.add(f"# {title}")
        f.add("")
    f.add(f.text(_randint(rnd, 15, 60)))
    f.add("")
    if body_examples:
        f.add("## Examples")
        f.add("")
        for _ in range(_randint(rnd, 1, 5)):
            f.lines.extend(_example_block(f, sep="\n").split("\n"))
            f.add("")
    while f.nbytes < f.size:
        _BLOCKS[_BLOCK_NAMES[_pick(_BLOCK_CUM, rnd)]](f)


def render_file(seed: int, collection: int, index: int, kind: str, stem: str) -> tuple[str, bytes]:
    """Generate one spec file.

    Args:
        seed: The corpus seed.
        collection: The collection number.
        index: The file's number inside the collection.
        kind: ``"agent"`` or ``"skill"``.
        stem: The file stem (agents) or folder name (skills) the layout chose.

    Returns:
        The spec's name and the file's bytes.
    """
    seq = np.random.SeedSequence([seed, 2, collection, index])
    rng = np.random.Generator(np.random.PCG64(seq))
    rnd = random.Random(int(seq.generate_state(2, np.uint64)[0]))
    size = max(120, round(_file_size(rnd) * SIZE_SCALE))
    cjk = rnd.random() < CJK_SHARE
    words = _Words(rng, rnd, size // 5)
    f = _File(
        rnd=rnd,
        words=words,
        cjk=_Cjk(rng) if cjk else None,
        emoji=rnd.random() < EMOJI_SHARE,
        name=stem,
        size=size,
        lines=[],
    )
    if rnd.random() < NAME_NOT_STEM_SHARE:
        f.name = f"{_slug(f, 1)}-{stem}"
    if rnd.random() < DISPLAY_NAME_SHARE:
        f.name = _title(f.name.replace("-", " "))
    if rnd.random() < EMPTY_SHARE:
        return f.name, b""
    u = rnd.random()
    title = _title(f.name.replace("-", " "))
    if u < NO_FRONTMATTER_SHARE:
        _body(f, title, body_examples=False)
    else:
        front, body_examples = _frontmatter(f, kind, rnd)
        if u < NO_FRONTMATTER_SHARE + BARE_FRONTMATTER_SHARE:
            f.lines.extend(front)
        else:
            f.lines.extend(["---", *front, "---"])
        f.nbytes += sum(len(x) + 1 for x in f.lines)
        f.add("")
        _body(f, title, body_examples)
    while f.lines and not f.lines[-1]:
        f.lines.pop()
    if rnd.random() < INDENTED_SHARE:
        f.lines = ["    " + line for line in f.lines]
    text = "\n".join(f.lines)
    if rnd.random() >= NO_FINAL_NEWLINE_SHARE:
        text += "\n"
    if rnd.random() < CRLF_SHARE:
        text = text.replace("\n", "\r\n")
    return f.name, text.encode("utf-8")


# ---------------------------------------------------------------------------
# Layout: collections of plugins, categories and skill folders
# ---------------------------------------------------------------------------

#: Layout styles of the real collections (how many there are of each). Every
#: collection mixes agents and skills (SKILL_SHARE), so that the share holds
#: in a small corpus too.
_LAYOUTS = (
    ("plugins", 3),  # <c>/plugins/<plugin>/agents/<n>.md, .../skills/<n>/SKILL.md
    ("components", 1),  # <c>/cli-tool/components/{agents,skills}/<category>/...
    ("categories", 1),  # <c>/categories/<NN-category>/<n>.md, <c>/skills/<n>/SKILL.md
    ("agents", 3),  # <c>/agents/<n>.md, <c>/skills/<n>/SKILL.md
    ("skills", 3),  # <c>/subagents/<n>.md, <c>/scientific-skills/<n>/SKILL.md
)
_LAYOUT_NAMES, _LAYOUT_CUM = _weighted(_LAYOUTS)


@dataclass(frozen=True, slots=True)
class _Slot:
    folder: str  # relative folder; the file is <folder>/<stem>.md or <folder>/<stem>/SKILL.md
    kind: str


def _collection_plan(seed: int, collection: int) -> tuple[str, Iterator[_Slot]]:
    """A collection's folder name and the folders of its files, in order."""
    seq = np.random.SeedSequence([seed, 1, collection])
    rnd = random.Random(int(seq.generate_state(2, np.uint64)[0]))
    head = _tables().head_list
    layout = _LAYOUT_NAMES[_pick(_LAYOUT_CUM, rnd)]
    size = min(4000, max(12, round(math.exp(rnd.gauss(math.log(250), 0.8)))))
    owner = f"{rnd.choice(head[:2000])}{collection}"
    name = f"{owner}__{rnd.choice(head[:2000])}-{rnd.choice(('agents', 'skills', 'subagents'))}"

    def group() -> str:
        return f"{rnd.choice(head[:3000])}-{rnd.choice(head[:3000])}"

    def slots() -> Iterator[_Slot]:
        done = 0
        number = 0
        while done < size:
            count = max(1, round(math.exp(rnd.gauss(math.log(12), 0.9))))
            number += 1
            g = group()
            for _ in range(min(count, size - done)):
                kind = "skill" if rnd.random() < SKILL_SHARE else "agent"
                if layout == "plugins":
                    folder = f"plugins/{g}/{kind}s"
                elif layout == "components":
                    folder = f"cli-tool/components/{kind}s/{g}"
                elif layout == "categories":
                    folder = f"categories/{number:02d}-{g}" if kind == "agent" else "skills"
                elif layout == "agents":
                    folder = "agents" if kind == "agent" else "skills"
                else:
                    folder = "subagents" if kind == "agent" else "scientific-skills"
                yield _Slot(folder, kind)
                done += 1

    return name, slots()


def _stem(seed: int, collection: int, index: int, kind: str) -> str:
    rnd = random.Random(f"{seed}/{collection}/{index}/stem")
    head = _tables().head_list
    words: list[str] = []
    while len(words) < 1 + (rnd.random() < 0.5):
        word = head[int(rnd.random() * rnd.choice((500, 2000, 4000)))]
        if len(word) >= 3:
            words.append(word)
    if kind == "agent" and rnd.random() < 0.6:
        words.append(rnd.choice(_AGENT_SUFFIXES))
    return "-".join(words)


@dataclass(frozen=True, slots=True)
class CorpusInfo:
    """What :func:`generate` wrote.

    Attributes:
        files: The number of spec files.
        bytes: Their total size.
    """

    files: int
    bytes: int


@dataclass(frozen=True, slots=True)
class _Task:
    path: str  # relative to the output folder
    seed: int
    collection: int
    index: int
    kind: str
    stem: str


def _tasks(seed: int) -> Iterator[_Task]:
    """Every file of the (endless) corpus, in order."""
    collection = 0
    while True:
        name, slots = _collection_plan(seed, collection)
        used: set[str] = set()
        for index, slot in enumerate(slots):
            stem = _stem(seed, collection, index, slot.kind)
            rel = f"{slot.folder}/{stem}"
            dup = 1
            while rel in used:
                dup += 1
                rel = f"{slot.folder}/{stem}-{dup}"
            used.add(rel)
            stem = rel.rsplit("/", 1)[1]
            path = f"{name}/{rel}/SKILL.md" if slot.kind == "skill" else f"{name}/{rel}.md"
            yield _Task(path, seed, collection, index, slot.kind, stem)
        collection += 1


def _render_task(task: _Task) -> bytes:
    return render_file(task.seed, task.collection, task.index, task.kind, task.stem)[1]


def _rendered(tasks: Iterator[_Task], jobs: int) -> Iterator[tuple[_Task, bytes]]:
    """The tasks with their bytes, in order, rendered by ``jobs`` processes."""
    if jobs <= 1:
        for task in tasks:
            yield task, _render_task(task)
        return
    batch_size = 64 * jobs
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        batch = list(itertools.islice(tasks, batch_size))
        pending = pool.map_async(_render_task, batch, chunksize=8)
        while True:
            upcoming = list(itertools.islice(tasks, batch_size))
            following = pool.map_async(_render_task, upcoming, chunksize=8)
            yield from zip(batch, pending.get(), strict=True)
            batch, pending = upcoming, following


def generate(
    out_dir: Path, target_bytes: int, seed: int = 0, *, jobs: int | None = None
) -> CorpusInfo:
    """Write a synthetic corpus of about ``target_bytes`` bytes.

    Files are written until the total reaches ``target_bytes`` (the last file
    crosses it). The same seed gives the same bytes, whatever ``jobs``; a
    smaller target gives a prefix (the same first files) of a larger one.

    Args:
        out_dir: The folder to write into (created; it should be empty).
        target_bytes: The total size to reach.
        seed: The seed.
        jobs: Processes rendering files (default: the number of CPUs; files
            are still written in order by this process).

    Returns:
        The number of files and bytes written.
    """
    if jobs is None:
        jobs = os.cpu_count() or 1
    if target_bytes < 20_000_000:
        jobs = 1  # not worth a pool
    out_dir.mkdir(parents=True, exist_ok=True)
    files = total = 0
    made: set[str] = set()
    rendered = _rendered(_tasks(seed), jobs)
    try:
        for task, data in rendered:
            if total >= target_bytes:
                break
            folder = task.path.rsplit("/", 1)[0]
            if folder not in made:
                (out_dir / folder).mkdir(parents=True, exist_ok=True)
                made.add(folder)
            (out_dir / task.path).write_bytes(data)
            files += 1
            total += len(data)
    finally:
        if isinstance(rendered, GeneratorType):
            rendered.close()
    return CorpusInfo(files=files, bytes=total)


#: The file :func:`cached` leaves in a finished corpus folder.
_DONE = ".specsearch-corpus.json"


def cached(cache_root: Path, target_bytes: int, seed: int = 0) -> tuple[Path, CorpusInfo]:
    """A generated corpus in ``cache_root``, made on first use and reused after.

    The folder is ``<cache_root>/gen-<target_bytes>-s<seed>``; a JSON marker
    (a hidden file, so the walk skips it) says it is complete. A corpus is
    generated in a folder of its own process and renamed into place once
    complete, so an interrupted generation is redone, never half-used, and
    two processes generating at once cannot delete each other's files (each
    gets the complete corpus: the first renamed in).

    Args:
        cache_root: Where generated corpora are kept.
        target_bytes: As for :func:`generate`.
        seed: As for :func:`generate`.

    Returns:
        The corpus folder and what it holds.
    """
    folder = cache_root / f"gen-{target_bytes}-s{seed}"
    done = _read_marker(folder)
    if done is not None:
        return folder, done
    cache_root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=cache_root))
    try:
        info = generate(work / "corpus", target_bytes, seed)
        (work / "corpus" / _DONE).write_text(
            json.dumps({"files": info.files, "bytes": info.bytes}), encoding="utf-8"
        )
        if folder.exists() and _read_marker(folder) is None:
            # Left by an interrupted generation: set aside (atomically), then deleted.
            folder.rename(work / "stale")
        try:
            (work / "corpus").rename(folder)
        except OSError:
            # Another process renamed its complete corpus in first.
            done = _read_marker(folder)
            if done is None:
                raise
            return folder, done
        return folder, info
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _read_marker(folder: Path) -> CorpusInfo | None:
    """What a complete corpus folder holds, from its marker (None: no marker)."""
    try:
        data = json.loads((folder / _DONE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return CorpusInfo(files=int(data["files"]), bytes=int(data["bytes"]))


_UNITS = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "KIB": 2**10, "MIB": 2**20}
_UNITS |= {"GIB": 2**30, "K": 10**3, "M": 10**6, "G": 10**9}


def parse_size(text: str) -> int:
    """Parse a size such as ``100MB``, ``1GB``, ``5GiB`` or ``250000``.

    Args:
        text: A number with an optional decimal (KB, MB, GB) or binary unit.

    Returns:
        The number of bytes.

    Raises:
        ValueError: Not a size.

    >>> parse_size("1GB"), parse_size("1.5MiB"), parse_size("26000000")
    (1000000000, 1572864, 26000000)
    """
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]*)?)\s*([A-Za-z]*)\s*", text)
    if match is None or match.group(2).upper() not in _UNITS:
        raise ValueError(f"not a size: {text!r}")
    return round(float(match.group(1)) * _UNITS[match.group(2).upper()])


# ---------------------------------------------------------------------------
# Profile: the statistics the parameters above come from
# ---------------------------------------------------------------------------

_EMOJI_RE = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\u2b50\u2b55]")
_CJK_RE = re.compile("[\u4e00-\u9fff\u3400-\u4dbf]")
_LIST_RE = re.compile(r"^\s*([-*+]|\d+[.)])\s")
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([A-Za-z0-9_+#-]*)")
_HEAD_RE = re.compile(r"^ {0,3}(#{1,6})([ \t].*)?$")


def _spec_files(root: Path) -> list[Path]:
    """The spec files of a corpus folder (license files and the top README left out)."""
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and p.parent != root and not p.name.upper().startswith("LICENSE")
    )


def _decile_list(values: Sequence[float]) -> list[float]:
    ordered = sorted(values) or [0.0]
    return [ordered[round(i * (len(ordered) - 1) / 10)] for i in range(11)]


def profile(root: Path, *, tables: bool = False) -> dict[str, Any]:  # noqa: PLR0915
    """Measure the statistics the generator models, on a corpus folder.

    Run once on ``../shared/corpora`` to get the parameters hard-coded above,
    and on a generated corpus to compare. Needs the project's pure-Python
    parser (``specsearch.pure``).

    Args:
        root: A corpus folder (collections of spec files).
        tables: Also return the vocabulary tables (commonest words, CJK
            characters, letter+digit tokens, emoji) with their counts.

    Returns:
        The statistics, JSON-serializable.
    """
    from specsearch.pure.analysis import terms  # noqa: PLC0415
    from specsearch.pure.spec import _examples, decode_lines, parse_spec  # noqa: PLC0415

    files = _spec_files(root)
    c: collections.Counter[str] = collections.Counter()
    keys: collections.Counter[str] = collections.Counter()
    blocks: collections.Counter[str] = collections.Counter()
    langs: collections.Counter[str] = collections.Counter()
    words: collections.Counter[str] = collections.Counter()
    classes: collections.Counter[str] = collections.Counter()
    alnum: collections.Counter[str] = collections.Counter()
    cjk_chars: collections.Counter[str] = collections.Counter()
    emoji: collections.Counter[str] = collections.Counter()
    sizes: list[int] = []
    desc_len: list[int] = []
    block_lines: dict[str, list[int]] = collections.defaultdict(list)
    body_bytes = code_bytes = requests = 0
    vocabulary: set[str] = set()
    heaps: list[tuple[int, int]] = []
    order = files[:]
    random.Random(0).shuffle(order)
    marks = [250_000 * 2**k for k in range(16)]
    for path in order:
        data = path.read_bytes()
        sizes.append(len(data))
        text = data.decode("utf-8", "replace")
        c["crlf"] += "\r\n" in text
        c["no_final_newline"] += bool(data) and not data.endswith(b"\n")
        found = _EMOJI_RE.findall(text)
        c["emoji"] += bool(found)
        emoji.update(found)
        cjk = _CJK_RE.findall(text)
        c["cjk"] += len(cjk) >= 50
        cjk_chars.update(cjk)
        lines = decode_lines(data)
        spec, problems = parse_spec(str(path), str(path), data)
        body_start = 0
        front: list[str] | None = None
        first = lines[0].strip(" \t")
        if first == "---":
            close = next((i for i in range(1, len(lines)) if lines[i].strip(" \t") == "---"), None)
            if close is not None:
                front, body_start = lines[1:close], close + 1
        elif lines[0].startswith("name:"):
            blank = next((i for i in range(len(lines)) if not lines[i].strip(" \t")), len(lines))
            front, body_start = lines[:blank], blank + 1
            c["bare_frontmatter"] += 1
        if front is None:
            c["no_frontmatter"] += 1
        else:
            c["frontmatter"] += 1
            c["malformed"] += any("never closed" not in p.message for p in problems)
            for line in front:
                key = re.match(r"([A-Za-z0-9_-]+):", line)
                if key:
                    keys[key.group(1)] += 1
                if line.startswith("description:") and "\\\\n" in line:
                    c["description_double_escaped"] += 1
        description_examples = _examples(spec.description)
        body_examples = _examples("\n".join(lines[body_start:]))
        c["examples_in_description"] += bool(description_examples)
        c["examples_in_body"] += bool(body_examples)
        c["examples"] += bool(description_examples or body_examples)
        requests += len(description_examples) + len(body_examples)
        if spec.description:
            desc_len.append(len(spec.description))
        fence: str | None = None
        previous, run = "", 0
        for line in lines[body_start:]:
            size = len(line.encode()) + 1
            body_bytes += size
            if fence is not None:
                code_bytes += size
                run += 1
                stripped = line.strip()
                if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
                    fence = None
                    block_lines["code"].append(run)
                    previous = ""
                continue
            opening = _FENCE_RE.match(line)
            if opening:
                fence, run = opening.group(1), 0
                langs[opening.group(2).lower()] += 1
                blocks["code"] += 1
                code_bytes += size
                continue
            heading = _HEAD_RE.match(line)
            if heading:
                kind = f"h{len(heading.group(1))}"
            elif not line.strip():
                kind = "blank"
            elif _LIST_RE.match(line):
                kind = "list"
            elif line.lstrip().startswith("|"):
                kind = "table"
            elif line.lstrip().startswith(">"):
                kind = "quote"
            else:
                kind = "para"
            if kind != previous:
                if previous in {"list", "table"}:
                    block_lines[previous].append(run)
                if kind != "blank":
                    blocks[kind] += 1
                run = 0
            run += 1
            previous = kind
        tokens = terms(text)
        for token in tokens:
            if _CJK_RE.fullmatch(token):
                classes["cjk"] += 1
            elif token.isdigit():
                classes["number"] += 1
            elif token.isascii() and token.isalpha():
                classes["word"] += 1
                words[token] += 1
            elif token.isascii():
                classes["alnum"] += 1
                alnum[token] += 1
            else:
                classes["other"] += 1
        c["tokens"] += len(tokens)
        vocabulary.update(tokens)
        while marks and sum(sizes) >= marks[0]:
            heaps.append((marks.pop(0), len(vocabulary)))
    n = len(files)
    head = words.most_common(4000)
    head_tokens = sum(count for _, count in head)
    english = c["tokens"] - classes["cjk"]
    result: dict[str, Any] = {
        "files": n,
        "bytes": sum(sizes),
        "median_size": sorted(sizes)[n // 2] if n else 0,
        "mean_size": sum(sizes) / max(1, n),
        "max_size": max(sizes, default=0),
        "share": {k: v / max(1, n) for k, v in sorted(c.items()) if k != "tokens"},
        "examples_user_requests": requests,
        "keys": {k: v for k, v in keys.most_common() if v >= max(2, n // 1000)},
        "description_chars_deciles": _decile_list(desc_len),
        "blocks_per_body_kb": {k: v * 1000 / max(1, body_bytes) for k, v in blocks.most_common()},
        "block_lines_deciles": {k: _decile_list(v) for k, v in sorted(block_lines.items())},
        "code_byte_share": code_bytes / max(1, body_bytes),
        "languages": dict(langs.most_common(12)),
        "tokens": c["tokens"],
        "bytes_per_token": sum(sizes) / max(1, c["tokens"]),
        "token_classes": {k: v / max(1, c["tokens"]) for k, v in classes.most_common()},
        "head4000_share_of_english_tokens": head_tokens / max(1, english),
        "distinct_terms": len(vocabulary),
        "heaps_bytes_distinct": [*heaps, (sum(sizes), len(vocabulary))],
    }
    if len(heaps) >= 2:
        (b0, v0), (b1, v1) = heaps[-2], (sum(sizes), len(vocabulary))
        result["heaps_beta_last_doubling"] = math.log(v1 / v0) / math.log(b1 / b0)
    if tables:
        result["tables"] = {
            "HEAD_WORDS": head,
            "CJK_CHARS": cjk_chars.most_common(1500),
            "ALNUM_TOKENS": alnum.most_common(200),
            "EMOJI": emoji.most_common(40),
        }
    return result


def _width(text: str) -> int:
    """Display width (wide and fullwidth characters count twice, as ruff counts)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _emit_tables(tables: dict[str, list[tuple[str, int]]]) -> str:
    """Python source of the vocabulary tables, as embedded at the end of this file."""
    out: list[str] = []
    for name, pairs in tables.items():
        out.append(f'{name} = """')
        line = ""
        for item, count in pairs:
            field = f"{item}:{count}"
            if _width(line) + _width(field) + 1 > 96:
                out.append(line)
                line = ""
            line = f"{line} {field}" if line else field
        out.extend([line, '"""', ""])
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", nargs="?", type=Path, help="folder to write the corpus into")
    parser.add_argument("--size", default="100MB", help="total size, e.g. 1MB, 100MB, 1GB, 5GB")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", type=Path, help="print the statistics of a corpus folder")
    parser.add_argument("--emit-tables", type=Path, help="with --profile: write the vocab tables")
    args = parser.parse_args(argv)
    if args.profile is not None:
        stats = profile(args.profile, tables=args.emit_tables is not None)
        if args.emit_tables is not None:
            args.emit_tables.write_text(_emit_tables(stats.pop("tables")), encoding="utf-8")
        print(json.dumps(stats, indent=1, ensure_ascii=False))
        return 0
    if args.out_dir is None:
        parser.error("give OUT_DIR (or --profile DIR)")
    start = time.perf_counter()
    info = generate(args.out_dir, parse_size(args.size), args.seed)
    seconds = time.perf_counter() - start
    print(
        f"{info.files} files, {info.bytes:,} bytes in {seconds:.1f} s "
        f"({info.bytes / 1e6 / seconds:.1f} MB/s) -> {args.out_dir}"
    )
    return 0


# ---------------------------------------------------------------------------
# Embedded vocabulary, measured by `--profile ../shared/corpora --emit-tables`:
# the 4,000 commonest words (analyzer tokens, ASCII letters only) with their
# counts, the 1,500 commonest CJK characters, 200 letter+digit tokens, 40 emoji.
# ---------------------------------------------------------------------------

HEAD_WORDS = """
and:61437 for:40870 the:30996 to:29343 with:28082 use:18423 in:17919 a:17826 data:16612 or:15066
from:12107 on:11389 of:10927 name:10794 user:10475 when:10030 is:9841 api:9503 python:9415
this:9016 md:8922 test:8734 if:8705 patterns:8681 code:8600 model:8436 performance:8105
security:7915 you:7721 analysis:7531 not:6896 id:6882 type:6812 design:6784 import:6778
optimization:6658 testing:6313 all:6149 error:6054 are:5978 description:5784 s:5771 context:5718
create:5659 as:5648 file:5646 that:5536 skill:5449 by:5333 management:5232 bash:5206 self:5193
integration:5134 query:5130 key:5021 specific:5002 references:5001 return:4974 t:4967 n:4965
json:4957 it:4930 agent:4813 get:4810 documentation:4747 content:4680 time:4665 example:4548
best:4522 your:4486 what:4413 output:4382 run:4353 database:4318 check:4316 review:4295
search:4235 no:4230 architecture:4178 quality:4153 practices:4132 x:4117 https:4068 step:4003
i:4000 tools:3997 service:3950 const:3947 implementation:3936 text:3920 system:3885 new:3807
using:3736 strategies:3724 before:3721 read:3684 workflow:3656 validation:3648 response:3641
be:3612 results:3562 based:3560 build:3555 comprehensive:3543 development:3527 files:3486
task:3482 state:3473 requirements:3468 only:3414 add:3413 ai:3408 list:3387 research:3339
async:3311 f:3297 com:3256 at:3248 project:3201 tool:3199 monitoring:3185 set:3175 multi:3169
scripts:3158 tests:3156 metrics:3150 app:3138 process:3137 value:3136 true:3132 def:3122
reference:3113 py:3100 version:3068 examples:3066 first:3057 deployment:3044 handling:3038
structure:3033 memory:3030 await:3021 cloud:3020 high:3005 access:2958 implement:2953 core:2896
size:2882 target:2880 compliance:2818 configuration:2812 e:2808 features:2798 format:2774
production:2755 request:2748 path:2744 users:2736 each:2710 pattern:2699 function:2694
result:2684 models:2662 expert:2657 document:2624 do:2615 status:2614 input:2610 write:2604
multiple:2596 common:2593 systems:2590 can:2550 generate:2540 page:2526 rate:2522 default:2517
event:2517 issues:2516 required:2509 github:2495 load:2492 workflows:2483 need:2473 custom:2446
start:2444 complete:2420 client:2418 usage:2417 url:2416 feature:2412 plan:2410 an:2407 any:2397
up:2391 product:2370 email:2360 prompt:2347 string:2334 image:2320 web:2315 setup:2291
server:2291 across:2289 current:2271 resource:2249 types:2242 strategy:2236 one:2230 config:2228
resources:2221 source:2221 clear:2214 react:2214 claude:2188 metadata:2182 detailed:2177
platform:2172 team:2166 critical:2165 node:2162 vs:2161 http:2140 always:2128 operations:2117
batch:2101 training:2080 ci:2078 support:2078 schema:2077 validate:2071 str:2055 analyze:2043
index:2043 full:2037 template:2034 don:2033 token:2032 per:2029 should:2022 tasks:2022 how:2021
processing:2018 print:2018 after:2009 js:2004 risk:1997 level:1994 verify:1993 class:1990
framework:1989 components:1980 automation:1973 install:1971 phase:1969 provide:1967
typescript:1967 identify:1964 application:1949 log:1946 docs:1946 information:1945 c:1941
work:1929 environment:1922 see:1913 changes:1903 network:1888 g:1863 include:1852 modern:1849
complex:1848 update:1847 without:1844 agents:1841 authentication:1836 technical:1826 steps:1811
into:1807 mcp:1805 control:1799 cost:1791 focus:1785 order:1778 building:1774 report:1768
issue:1766 through:1758 queries:1757 advanced:1750 apply:1742 generation:1732 pipeline:1727
guide:1724 real:1724 b:1717 approach:1717 single:1713 must:1711 coverage:1711 assessment:1708
script:1704 infrastructure:1691 detection:1686 next:1685 y:1682 business:1678 cache:1673
component:1673 my:1660 dependencies:1646 errors:1634 skills:1634 domain:1633 engineer:1628
where:1623 have:1619 checklist:1614 existing:1604 ensure:1603 max:1595 git:1581 main:1580
audit:1574 caching:1571 needs:1566 tracking:1564 cd:1562 different:1560 javascript:1560
find:1555 message:1551 needed:1549 action:1549 impact:1546 large:1545 aws:1541 automated:1535
export:1534 execution:1533 rules:1515 services:1512 sql:1509 cross:1504 visual:1500 style:1493
fix:1491 command:1491 title:1483 train:1482 post:1479 over:1476 values:1473 open:1466
summary:1462 proper:1459 date:1458 verification:1458 functions:1457 developer:1456 creating:1446
other:1441 end:1439 planning:1436 color:1433 ui:1429 optimize:1428 learning:1427 module:1425
mode:1424 backend:1417 templates:1416 distributed:1413 will:1407 field:1406 capabilities:1405
applications:1400 case:1400 p:1400 actions:1399 requests:1398 never:1396 azure:1391 ml:1387
flow:1386 number:1385 selection:1385 quick:1380 storage:1378 every:1369 parallel:1368
session:1368 cases:1365 d:1365 parameters:1362 llm:1351 communication:1350 available:1348
false:1348 appropriate:1347 market:1347 o:1345 native:1344 root:1344 language:1343
evaluation:1342 dependency:1334 none:1333 store:1330 success:1324 group:1319 customer:1317
avoid:1315 score:1313 problem:1310 knowledge:1307 they:1306 constraints:1300 standards:1297
principles:1292 scope:1289 migration:1289 local:1283 env:1282 more:1277 solution:1274 total:1272
google:1268 yaml:1267 html:1266 markdown:1263 tokens:1261 driven:1258 db:1256 item:1255
missing:1252 package:1250 protocol:1245 count:1245 external:1242 edge:1241 apis:1239
relevant:1235 follow:1235 decision:1220 etc:1218 show:1218 points:1212 method:1212 logic:1211
re:1210 role:1210 base:1205 writing:1204 like:1204 details:1200 safety:1199 filter:1196
scale:1196 change:1193 but:1191 select:1191 options:1182 updates:1180 guidance:1180 ask:1179
save:1172 top:1170 table:1170 public:1170 extract:1166 methods:1166 findings:1165 torch:1165
used:1163 items:1163 stack:1160 feedback:1154 progress:1153 between:1150 df:1149 auth:1148
section:1148 structured:1148 execute:1147 primary:1145 about:1144 out:1142 password:1140
secure:1140 implementing:1139 gpu:1138 then:1137 optional:1137 including:1132 via:1127
while:1126 techniques:1125 we:1123 images:1116 kubernetes:1116 working:1113 handle:1112 cli:1111
commentary:1111 container:1111 has:1108 line:1107 engineering:1106 evidence:1106 why:1105
manager:1105 r:1104 logging:1097 recommendations:1095 purpose:1094 connection:1087
understand:1085 mobile:1084 ready:1084 debugging:1083 directory:1082 guidelines:1079 null:1077
make:1076 pipelines:1076 events:1076 low:1071 auto:1063 instead:1062 payment:1062 m:1059
graphql:1057 than:1055 incident:1050 injection:1047 device:1047 sources:1043 loading:1042
go:1042 txt:1040 good:1035 call:1033 edit:1031 library:1028 configure:1024 architect:1024
ll:1022 medium:1022 solutions:1014 deploy:1010 them:1004 params:1002 fetch:999 which:999
pages:993 help:992 grep:991 pro:990 standard:987 datasets:985 job:984 policy:983 tree:981
org:980 io:980 checks:978 k:976 expertise:974 deep:974 non:969 behavior:969 instructions:968
src:968 pass:964 keep:962 simple:961 understanding:960 limit:959 latency:957 question:957
accessibility:954 questions:946 uses:945 map:940 track:939 frameworks:939 fields:938 these:938
background:938 modules:938 analytics:937 pip:936 latest:932 clean:932 most:930 define:929
commands:926 names:925 recovery:924 rest:923 inputs:921 outputs:921 failure:919 var:919
secrets:918 body:917 dataset:917 label:916 frontend:916 zero:912 their:912 browser:912
active:912 ts:911 link:908 form:907 related:904 uv:903 scaling:902 same:901 docker:901 tdd:900
experience:897 tuning:896 cpu:895 object:895 int:895 echo:892 profile:890 pdf:883 init:883
long:881 observability:879 consistent:879 criteria:878 creation:875 specialist:875 decisions:874
variables:874 reports:872 try:872 commit:870 does:869 just:868 address:866 works:864
sequence:862 layer:862 secret:860 safe:859 messages:858 info:857 npm:855 collection:855
optimized:854 assets:852 match:851 static:851 health:851 enable:850 statistical:850 returns:844
graph:844 actionable:843 paths:842 pre:841 efficient:837 category:837 consistency:837
scientific:837 both:835 logs:834 provides:828 complexity:828 length:826 monitor:824 copy:823
vulnerability:821 formats:818 comparison:817 button:817 procedures:816 visualization:811
labels:811 inference:811 layout:810 scan:809 diagrams:807 dev:805 documents:805 shared:804
plugin:804 troubleshooting:800 slide:797 author:796 gene:796 fast:795 accuracy:793 reporting:793
settings:792 overview:791 scanning:790 controls:789 block:789 array:788 windows:787 seo:787
basic:786 running:783 unit:783 cause:782 small:780 u:779 spec:778 budget:778 loss:776
enterprise:775 require:774 raw:774 np:774 modeling:772 sonnet:771 policies:770 traffic:763
consider:762 continuous:762 formatting:762 sh:758 console:757 authorization:756 improvement:754
discovery:754 point:754 retry:752 boundaries:751 interface:751 hooks:751 prompts:750 range:750
repository:749 tags:749 z:749 div:749 dict:747 sample:745 dynamic:741 stage:739 elements:738
well:738 minimal:738 specializing:738 priority:737 ids:736 systematic:735 min:734 css:734
headers:730 dashboard:730 protein:728 clinical:725 better:725 completed:724 right:724 human:724
excellence:723 orchestration:723 insights:722 png:719 figures:715 delivery:714 vector:711
automatically:711 may:708 final:707 resolution:706 csv:705 marketing:704 vulnerabilities:702
redis:701 targets:701 against:700 note:700 reliability:700 manual:698 failures:697 created:697
rollback:697 organization:693 platforms:693 let:693 jobs:692 launch:692 terraform:691
processes:691 rank:691 keys:690 parameter:690 goals:690 global:690 sections:689 scores:687
meta:687 built:687 recommended:683 found:683 expected:683 requires:682 glob:680 rule:680
databases:679 payload:677 confidence:676 tables:676 php:676 projects:675 net:673 license:673
now:671 skip:670 so:670 remove:670 timeout:669 following:668 reduce:665 free:663 generated:662
mapping:661 bad:659 regulatory:657 account:656 series:656 proactively:654 problems:652
column:652 protection:652 evaluate:652 admin:651 important:650 v:647 space:647 sdk:646 too:646
limits:645 record:645 properties:644 interactive:643 programming:643 provider:642 reviews:641
chain:641 correct:639 master:639 severity:639 repo:638 semantic:638 matrix:638 runs:637
explain:636 failed:635 calls:635 endpoints:634 loop:634 theme:633 prioritize:631 efficiency:631
interactions:630 routing:630 push:629 environments:628 company:628 identification:628 metric:627
split:627 assess:626 trigger:625 compatibility:623 limiting:623 improvements:622 mesh:618
num:617 regression:616 navigation:615 capture:614 plans:614 append:614 postgresql:614 args:614
goal:613 prevention:613 microservices:612 direct:611 concepts:608 internal:608 variable:608
else:605 reasoning:605 random:604 maintain:603 enabled:603 profiling:602 keyword:602 social:601
port:599 transform:598 endpoint:597 embedding:597 scalable:597 dir:597 login:596 credentials:595
diagram:595 cluster:594 slow:593 comments:593 calculate:592 extraction:591 llama:591 amount:590
side:590 len:590 machine:589 contract:589 cell:589 software:588 protocols:587 backup:587 h:586
entity:585 notes:585 shell:583 openai:582 installation:582 considerations:580 drug:580 areas:579
during:578 includes:578 history:578 mol:578 architectures:577 wait:577 conventions:576 depth:576
additional:575 conversion:575 responses:574 growth:574 duration:573 branch:572 fit:572
devops:571 pr:570 want:569 django:568 distribution:566 runtime:566 directly:565
architectural:564 initial:560 stream:560 robust:560 codebase:559 download:559 correlation:559
within:559 baseline:559 explicit:556 strict:556 stop:555 window:554 sync:554 citations:553
os:552 sum:552 release:551 day:551 share:551 tensor:551 lines:550 structures:550 blocks:549
functional:549 delete:549 deployments:548 gaps:548 scalability:548 configurations:548 flag:547
anthropic:546 filtering:546 sales:546 region:546 jwt:545 linear:545 join:544 technology:543
outcomes:543 timeline:543 possible:543 definition:541 answer:541 its:540 workspace:540
confirm:539 two:539 apps:539 days:539 columns:539 fixes:538 treatment:537 professional:536
our:535 site:535 links:534 done:534 community:533 hypothesis:533 price:533 alert:532 cuda:532
groups:531 yes:531 position:531 here:531 slack:531 font:531 many:529 optimizing:528 paper:527
industry:527 teams:526 expression:526 unique:525 versioning:525 entry:524 convert:524
strategic:523 already:522 header:521 view:520 anti:519 off:519 guides:519 focused:518
filters:518 microsoft:516 compare:516 layers:516 exists:513 once:512 prefer:512 choose:511
audio:511 adata:510 tracing:509 scenarios:509 approaches:509 location:507 debug:506
threshold:506 compute:506 live:504 exact:504 queue:504 channel:504 plot:503 green:502 brand:502
hook:501 rust:501 implemented:500 objects:500 webhook:500 transaction:499 private:499 box:499
availability:498 reviewer:498 seq:498 actual:497 everything:497 composition:497 display:497
classification:497 products:497 classes:496 automatic:496 bin:495 alignment:494 pytest:494
designing:493 specialized:493 mean:493 screen:493 route:492 syntax:491 posts:491 chunk:490
subagent:489 saga:489 competitive:489 privacy:488 last:488 q:488 contracts:487 ip:487 plt:487
improve:486 verified:486 packages:486 relationships:486 effective:485 optimizer:485 general:485
streaming:485 there:485 flows:484 thinking:484 nodes:484 embeddings:483 who:483 papers:483
shape:483 upgrade:482 publication:482 refactoring:482 colors:481 bundle:481 exception:481
molecular:481 setting:479 prevent:478 prediction:478 major:478 opportunities:477 under:476
pricing:476 citation:476 eval:476 topic:475 making:475 width:475 keywords:475 faster:475
retrieval:475 early:475 red:474 legacy:473 wrong:472 threat:472 describe:472 algorithms:472
documented:471 methodology:470 look:470 speed:469 interfaces:469 artifact:469 trust:469
identity:469 sequences:468 terms:468 versions:468 engine:468 suite:468 future:468 trace:467
hours:467 sensitive:466 explicitly:465 naming:465 potential:464 prometheus:464 registry:464
valid:464 present:463 namespace:463 hybrid:463 studies:462 handles:461 back:461 literature:461
send:461 playwright:461 w:461 figure:461 functionality:460 ecosystem:460 builder:459
maintenance:459 pool:459 gcp:459 checkout:458 migrations:458 host:457 clarity:457 senior:457
properly:457 generator:456 engagement:456 playbook:455 nuser:455 nassistant:455 pytorch:455
configured:455 coding:454 variant:454 was:454 ncontext:453 catch:453 fail:453 bug:453 jl:453
short:452 ref:452 revenue:452 notification:452 conditions:452 study:452 updated:451 fine:451
audience:451 coordinate:451 term:451 channels:450 merge:450 gateway:449 competitor:449 would:448
head:448 render:447 lazy:447 encryption:447 curl:446 alternative:445 connect:445 learn:445
router:445 me:444 numpy:444 lead:444 wants:443 states:443 clearly:442 remote:442 card:442
property:442 provided:441 circuit:441 routes:441 samples:441 expect:441 float:441 volume:440
option:440 sizes:440 req:440 poster:440 capacity:440 fastapi:439 transformers:439 completion:438
statistics:438 lifecycle:437 attention:436 rather:435 manage:435 libraries:435 row:435
alternatives:435 java:434 initialize:434 signal:433 gather:433 voice:433 railway:433
customers:432 frequency:432 indexes:432 ios:432 invoked:431 arguments:431 builds:430 perform:429
assumptions:429 suggest:428 some:428 res:427 jax:427 exit:426 timestamp:426 approval:425
rendering:425 activity:424 orders:424 video:424 weight:423 matching:423 doesn:423 reduction:423
interaction:422 linux:422 datetime:422 seconds:421 www:421 blue:420 art:420 algorithm:420
fails:419 similar:419 minutes:419 effect:419 ensuring:419 dashboards:418 power:418 times:418
permissions:415 middleware:415 smiles:415 click:414 benchmarks:414 force:414 patient:414 ssh:414
instance:413 xml:412 npx:412 minimum:412 year:412 schemas:411 genes:411 reusable:410
separate:410 smart:410 benchmark:410 down:409 detect:409 apache:409 above:409 dimensions:408
objective:408 strong:408 powershell:407 operational:407 doc:407 also:407 element:406 outside:406
records:406 media:406 attack:405 legal:404 phases:404 maintaining:404 vault:404 until:403
flags:403 langchain:403 operation:403 prisma:403 hash:402 intent:402 tier:401 managing:401
urls:401 maximum:401 optimal:401 inline:400 simulation:400 resume:400 rag:398 auditor:398
tested:398 promise:397 networking:395 stable:394 ds:394 grid:394 allowed:393 generic:393
three:392 mechanisms:392 philosophy:392 nx:392 game:391 descriptions:391 func:391 costs:390
implementations:390 onboarding:390 remediation:390 isolation:390 analyzing:389 similarity:389
invalid:389 lock:389 parse:389 signals:388 contrast:388 recent:388 openapi:388 words:388
fallback:387 retention:387 serverless:387 refactor:387 gitops:387 risks:386 experiment:385
numbers:385 transfer:385 readme:384 servers:384 categories:383 maintainable:383 left:383
original:383 finding:382 know:382 limitations:381 defined:381 mitigation:381 spring:381 saas:381
ux:380 compression:380 creates:379 schedule:379 world:379 lists:378 modal:378 chat:378 fixed:377
retrieve:377 hierarchy:375 oauth:375 owasp:375 frame:375 counts:375 fill:374 tooling:373
precision:373 concurrent:373 coordination:373 asks:372 brief:372 levels:372 angular:371 tech:371
managed:371 alerts:370 identified:370 least:370 beta:370 artifacts:370 connections:370 pd:370
progressive:369 pandas:369 clarify:369 sharing:368 mock:368 trends:367 checkpoint:367 fn:367
own:366 sub:366 second:365 official:365 below:365 responsive:365 height:363 indexing:363
leverage:363 cleanup:363 empty:363 submit:362 quantum:362 asyncio:362 l:362 partial:362
latex:362 grade:361 priorities:361 gdpr:361 alerting:361 annotations:361 debt:361 matches:360
combine:360 replace:359 balance:359 express:359 concurrency:359 close:359 applicable:358
draft:357 userid:357 checking:357 reward:357 validated:356 definitions:356 opus:356 increase:356
practice:356 alpha:355 age:355 supports:354 develop:354 establish:354 timing:354 pull:353
immediately:353 triggers:353 integrations:353 reading:353 seed:352 computing:351 us:351
subscription:351 tag:350 specifications:349 extension:349 spark:349 android:348 handler:348
creative:348 slides:348 cdn:348 bot:348 lambda:347 toml:347 tsx:347 logical:346 boolean:346
chart:344 zarr:344 gap:344 partner:343 temperature:343 blocking:343 month:343 scenario:342
sampling:342 thread:342 clustering:342 offer:341 objectives:341 specify:340 known:340
technologies:340 previous:340 detail:339 executive:339 trade:339 supported:339 fonts:339
academic:339 gget:339 higher:338 orm:338 sudo:337 program:337 cannot:336 medical:336
correctly:336 added:335 changed:335 governance:335 collaboration:335 starting:335 networks:335
kind:334 aria:334 lower:334 dns:333 factor:333 providers:332 hidden:332 username:332 binary:332
xss:332 bun:332 third:331 white:331 thoroughly:330 integrate:330 presentation:330 exploit:330
implements:330 worker:330 maintainability:329 bias:329 topics:329 dist:329 julia:329
essential:328 plugins:328 implications:328 resilience:327 trial:327 exist:327 actually:327
take:327 bottlenecks:326 materials:326 whether:326 covers:326 sort:326 allocation:326 plots:326
stripe:326 continue:325 mastery:325 utilities:325 principle:325 stats:325 financial:324
installed:324 logger:324 measure:324 span:323 recommend:323 effects:323 unless:322
incremental:322 readability:322 hardware:322 chunks:321 experimental:321 domains:320
accessible:320 optimizations:320 unrelated:319 distance:319 designs:319 throughput:319
startup:319 conduct:318 slo:318 subject:318 blog:317 bullet:317 schematics:317 istio:316
assert:316 condition:315 variants:315 entire:315 pooling:314 preprocessing:313 qa:313
experiments:313 except:312 pydantic:312 journal:312 resolve:311 intelligence:311 loops:311
sentence:311 masters:311 tissue:311 descriptive:310 party:310 analyst:309 ratio:309 break:308
synthesis:308 recommendation:308 flutter:307 screenshot:307 trend:307 requiring:307 idx:307
easy:306 col:306 spans:305 refresh:305 natural:305 throw:305 desktop:305 sequential:305
iteration:305 sns:305 tls:304 preparation:304 conversation:303 balancing:303 comment:303
sizing:303 move:303 kubectl:303 utilization:302 checklists:302 ad:302 raise:302 shows:301
void:301 yml:301 science:301 dense:301 websocket:300 predictions:300 adr:300 emphasis:299
diff:299 person:299 compile:299 friendly:298 visible:298 begin:298 escalation:298 pitfalls:297
folder:297 deliver:297 serving:297 ax:297 privilege:296 collaborate:295 monthly:295
determine:295 significant:295 styles:295 gpt:295 enumeration:295 conditional:295 lora:295
trainer:295 showing:294 rates:294 dark:294 typography:294 deepspeed:294 gates:293 typing:292
replication:292 val:292 transactions:291 mandatory:290 proxy:290 behavioral:290 activities:290
methodologies:289 gradient:289 week:289 localhost:289 gpus:289 reason:288 weights:288
independent:288 bool:288 integrity:287 manipulation:287 uuid:287 prepare:287 pci:287
containers:287 compound:286 concerns:286 activation:286 owner:284 permission:284 handlers:284
modify:284 contains:283 commits:283 roles:283 strings:283 notebook:283 requirement:282
grafana:282 entities:282 asset:282 scoring:282 attributes:282 offline:282 predict:282
automate:281 codes:281 achieved:281 quantization:281 mermaid:281 mask:281 tell:280 ok:280
throughout:280 rollout:280 neon:280 bucket:279 concise:279 nuse:279 splitting:279 motion:279
people:279 mit:278 styling:278 breaking:278 measurement:278 shap:278 drift:277 follows:277
detected:277 forms:277 could:276 extensions:276 enforcement:276 allow:275 ownership:275
analyzer:275 postgres:275 article:275 pathway:275 props:274 claims:274 regular:274 oci:274
refer:274 dataframe:274 tcp:273 mongodb:273 pretrained:273 nmap:273 concept:272 rows:272
limited:271 think:271 specification:271 disaster:271 later:271 defaults:270 still:270 iam:270
children:270 tenant:270 ms:270 interval:269 minimize:269 transformer:269 layouts:269
explanation:269 tips:269 workers:269 tokenizer:269 necessary:268 rationale:268 sessions:268
editing:268 encoding:268 assurance:268 edges:268 adoption:268 hypotheses:267 significance:267
meaningful:267 something:267 enum:267 capability:267 john:267 bit:267 visualizations:266
heavy:266 generating:266 story:266 upload:265 hard:265 staging:265 searches:265 penetration:265
iac:265 hipaa:265 reader:265 traces:264 benefits:264 verbose:264 forward:264 traits:264
credential:263 exploitation:263 processed:263 preview:263 writer:263 reliable:262 invoke:262
spacing:262 opentelemetry:261 readable:261 tex:261 toolkit:261 suggestions:261 dm:261
failing:260 signature:260 indicators:260 established:260 powered:260 often:260 outcome:259
virtual:259 pdb:259 submission:259 claim:259 cycle:258 disk:258 disease:258 devices:258 mark:257
exactly:257 reads:257 segmentation:257 being:257 measures:257 old:257 developers:257 msg:257
concrete:256 improving:256 views:256 pagination:256 bugs:256 vision:256 linkerd:255
requesting:255 accounts:255 transformations:255 duplicate:255 opportunity:255 consistently:254
effectiveness:254 assistant:254 modes:254 neural:254 warning:254 instances:254 retries:253
secondary:253 normal:253 needing:253 aggregation:253 vpc:253 wcag:253 reverse:253
positioning:253 ctx:253 successful:252 embedded:252 might:252 adding:252 specifically:251
identifying:251 abstract:251 effectively:250 segment:250 stakeholder:250 unknown:250 matters:250
operator:250 written:249 struct:249 proof:249 arrays:249 area:248 evolution:248 average:248
tailwind:248 workload:248 messaging:248 pm:248 physics:248 hello:247 years:247 mysql:247
catalog:247 backward:247 turbo:247 trees:247 pod:247 transitions:246 incidents:246 thorough:246
handoff:246 parallelism:246 authority:245 inventory:245 cookie:245 migrate:245 parsing:245
positive:245 swift:245 branches:245 fetching:244 factory:244 graphs:244 thought:244 cta:244
svg:244 math:243 scene:243 register:243 lm:243 vitals:243 dispatch:242 personal:242 temporal:242
surface:242 sc:242 gitlab:241 ve:241 dim:241 pain:241 bibtex:241 organized:240 iterate:240
matplotlib:240 classname:240 figma:240 characters:239 daily:239 animations:239 persistence:239
regions:239 ignore:238 languages:238 synchronization:238 landscape:238 webfetch:238 solve:238
scatter:238 analyses:237 bypass:237 drop:237 transition:237 molecules:237 transformation:237
units:237 diagnostics:237 conflict:236 notifications:236 dataloader:236 aware:236 touch:236
buffer:236 entries:236 summarize:235 switch:235 individual:235 tone:235 another:235 vue:235
compilation:235 focuses:235 fasta:235 canary:234 broken:234 patch:234 insert:234 grpc:234
posix:234 portfolio:234 remember:233 mentions:233 utils:233 pending:233 maintained:232 chaos:232
tracks:232 interview:232 exceptions:232 extends:232 vectors:232 accurate:232 dimension:231
assist:231 dd:231 effort:231 weak:231 spatial:231 researcher:231 roi:231 improved:230
contexts:230 say:230 velocity:230 overlap:229 proceed:229 immediate:229 peer:229
interpretation:229 lookup:229 bio:229 attacks:229 expectations:228 shift:228 animation:228
even:228 formula:228 word:228 started:228 comparisons:228 tab:227 practical:227 attacker:227
linkedin:227 imports:226 structural:226 pick:226 std:226 explore:226 census:226 offset:226
vpn:226 doi:226 various:225 threads:225 ads:225 getting:225 cat:225 normalization:225 noise:225
workloads:225 payments:225 umap:225 anomaly:224 align:224 repeat:224 apiversion:224
completeness:224 reproducibility:224 conductor:224 offs:223 months:223 material:223 hour:223
websearch:223 relevance:223 anything:223 rbac:223 expr:223 connectivity:222 repositories:222
calculations:222 boundary:222 helper:222 reduced:222 stability:222 fig:222 lr:222 iterations:222
benefit:222 queryinterface:222 sleep:221 audits:221 systematically:221 regularly:221 fully:221
choice:221 scroll:221 gemini:221 tmp:220 hardening:220 efficiently:220 writes:220 cmd:220
certificate:219 dask:219 sam:219 solid:219 shopify:219 innovation:218 orchestrator:218 jest:218
readiness:218 helm:218 markets:217 act:217 supporting:217 laravel:217 huggingface:217
clusters:217 affected:216 themes:216 investigation:216 less:216 turn:216 overall:216 hero:216
gb:215 macos:215 put:215 exports:215 period:215 demo:215 notion:215 flux:215 mlflow:214
hierarchical:214 watch:214 icon:214 operators:214 axes:214 kegg:214 designer:213 collect:213
species:213 enumerate:213 modular:213 ruby:213 explanations:213 sender:213 historical:213
ncbi:213 iso:213 worked:212 rails:212 quantity:212 charts:212 visuals:212 calculation:211
computational:211 bottom:211 covering:211 nvidia:211 vllm:211 conflicts:210 fault:210 passed:210
characteristics:210 actor:210 adjust:210 specified:210 rotation:210 been:210 because:210
compose:210 llms:210 contact:210 applied:209 graceful:209 gate:209 prefix:208 energy:208 exe:208
dtype:208 mutation:208 sla:208 signup:208 delay:207 timeouts:207 reviewing:207 pure:207
nested:207 lint:207 draw:207 partition:207 cursor:207 home:206 insufficient:206 horizontal:206
emerging:206 stores:206 attr:206 confirmation:205 vague:205 margin:205 care:205 keyboard:205
kernel:205 nosql:205 degradation:205 configs:205 disable:205 wordpress:205 organize:204
filename:204 nature:204 paid:204 disclosure:204 center:204 enables:204 enhancement:203
variations:203 profiles:203 few:203 behind:203 queues:203 passing:203 mixed:203 saved:203
unity:203 feel:202 integer:202 acceptance:202 named:202 ls:202 manifest:201 partitioning:201
descriptors:201 means:201 param:201 ray:201 deploying:201 preferred:200 attempt:200 sets:200
collections:200 helpful:200 vol:200 part:200 billing:200 federation:200 intelligent:200
modernization:200 made:199 commerce:199 confirmed:199 nn:199 implementer:199 icons:198
landing:198 double:198 physical:198 factors:198 conference:198 assessments:198 tf:198
realistic:197 special:197 leadership:197 very:197 stored:197 prioritization:197 sequelize:197
achieve:196 compensation:196 website:196 argument:196 visibility:195 deliverables:195 panel:195
recognition:195 profiler:195 consent:195 downtime:195 unnecessary:194 attribution:194 codex:194
beyond:194 place:194 cqrs:194 snapshot:194 img:194 dag:194 mlops:194 flash:193 fda:193 tune:193
ubuntu:193 sast:193 cart:193 obs:193 light:193 theory:192 awareness:192 separation:192 maps:192
pg:192 smaller:192 roadmap:192 fcs:192 outdated:191 targeted:191 ideas:191 etl:191 err:191
bulk:191 bound:191 did:191 flexible:191 statements:191 poor:191 apple:191 graphics:191 pairs:191
geo:191 relative:190 compatible:190 mechanism:190 symptoms:190 dom:190 bigquery:189
controlled:189 preferences:189 kafka:189 kotlin:189 minor:189 benchmarking:189 aligned:189
responsibility:189 sites:189 visualize:188 contents:188 preserve:188 adaptive:188 pixel:188
refine:188 generates:188 desc:188 designed:188 ssl:188 tutorials:188 transport:188 enough:187
backends:187 dump:187 palette:187 continuously:187 vendor:187 causes:187 reactive:187 inside:186
included:186 wide:186 reset:186 applies:186 thresholds:186 stale:186 smtp:186 unclear:185
releases:185 cohort:185 scheduled:185 inherit:185 relationship:185 cargo:185 usr:185
projections:185 analytical:185 dss:185 arxiv:185 dynamics:185 shodan:185 predictive:184
expensive:184 ops:184 warnings:184 sourcing:184 serve:184 appropriately:183 sigma:183
asynchronous:183 way:183 deterministic:183 since:183 reducing:182 unified:182 correctness:182
scratch:182 sparse:182 axis:182 sentences:182 regex:182 bam:182 requested:181 origin:181
shot:181 desired:181 useful:181 sanitization:181 molecule:181 contain:181 kwargs:181
schematic:181 prerequisites:180 exploration:180 overhead:180 absolute:180 cancer:180
campaign:180 frontmatter:180 haiku:180 co:180 threats:180 choices:179 were:179 boot:179
expressions:179 epoch:179 canvas:179 enforce:179 jsonb:179 exec:179 placeholder:178 wrapper:178
callback:178 responsibilities:178 distinct:178 scikit:178 iot:178 biological:178 worktree:178
stakeholders:177 intervals:177 summaries:177 shapes:177 positions:177 scaffold:176
satisfaction:176 terminal:176 answers:176 pubmed:176 vulnerable:176 isn:176 weekly:176
demand:176 reaction:176 pl:176 sre:176 constructor:176 refinement:176 bayesian:176 alt:176
signing:175 scheduling:175 protected:175 controllers:175 exponential:175 subscriptions:175
passwords:175 pb:175 destination:174 conn:174 checkpoints:174 dates:174 binding:174 budgets:174
gray:174 calling:173 things:173 win:173 proteins:173 persistent:173 dc:173 violations:173
micro:173 hot:172 integrating:172 aggregate:172 undefined:172 usestate:172 facts:172
negative:172 inc:172 preference:172 formatted:172 prior:172 mix:171 publish:171 loader:171
monorepo:171 auditing:171 customization:171 dynamodb:171 dry:171 bar:171 bytes:171
importance:171 healthcare:171 cut:170 suites:170 csrf:170 shellcheck:170 suspense:169
disabled:169 swiftui:169 journey:169 webhooks:169 cite:168 providing:168 manually:168
managers:168 reviewed:168 highlight:168 gin:168 counter:168 selected:168 plain:168 nothing:168
considers:168 identifier:168 compounds:168 smb:168 remaining:167 introduction:167 experts:167
en:167 vertical:167 terminology:167 stages:167 loaded:167 rapid:167 amazon:167 cac:167
directories:167 produce:166 annotation:166 considered:166 matter:166 density:166 gh:165
targeting:165 inter:165 searching:165 cover:165 hit:165 chem:165 coordinates:165 tip:165
referral:165 precise:164 compliant:164 buttons:164 chains:164 outline:164 tolerance:164 sign:164
bold:164 twitter:164 elif:164 emails:164 executing:164 argocd:164 burn:164 backoff:163
ethical:163 statement:163 perplexity:163 streams:163 mm:163 insight:163 engines:163 reach:163
sli:163 datadog:163 sqlmap:163 cls:163 integrated:162 jaeger:162 callbacks:162 child:162
discussion:162 mutations:162 expansion:162 cached:161 rna:161 challenges:161 larger:161
chrome:161 aa:161 autonomous:161 pathways:161 jpg:161 mocking:161 genomic:161 competitors:161
met:160 parent:160 matrices:160 programmatic:160 identifiers:160 padding:160 programs:160
others:160 around:160 tutorial:160 electron:160 changelog:160 depends:159 iterative:159
currency:159 forecasting:159 smooth:159 hand:159 differences:159 indices:159 registration:159
decomposition:159 avg:159 enhance:159 sufficient:159 semgrep:159 oriented:158 simplicity:158
gradual:158 discover:158 thing:158 opt:158 letter:158 idea:158 apm:158 filtered:158 backups:158
arm:158 vcf:158 instruction:157 deprecated:157 developing:157 yet:157 typically:157 expo:157
minute:157 sklearn:157 j:157 dt:157 bed:157 locations:156 makes:156 incomplete:156 clients:156
interest:156 exposure:156 myapp:156 attribute:156 override:155 specializes:155 narrative:155
screenshots:155 openrouter:155 ensures:155 computer:155 mistakes:155 cors:155 jira:155
benchling:155 feasibility:154 onclick:154 plus:154 blocked:154 ones:154 sharding:154 cron:154
href:154 moe:154 uniprot:154 again:153 batching:153 gen:153 constraint:153 arr:153 much:153
defense:153 conclusions:153 op:153 basemodel:153 percentage:152 prevents:152 performing:152
paragraph:152 aspect:152 encode:152 quantitative:152 todo:152 passes:152 atomic:152
abstraction:152 sm:152 breaks:151 consult:151 reproducible:151 foundation:151 chosen:151
typical:151 hints:151 construction:151 enhanced:151 yield:151 dataclass:151 parquet:151
locally:151 viewer:151 difficulty:151 cve:151 nccl:151 rigor:150 treat:150 expand:150
placement:150 estimation:150 frequently:150 tam:150 screening:150 clone:150 given:150
blockchain:150 play:149 direction:149 dpi:149 published:149 signatures:149 resolved:149
parameterized:149 rich:149 assume:149 pub:149 chemical:149 connected:149 computation:149
promotion:149 exclude:149 harness:149 says:148 attempts:148 fi:148 provisioning:148 give:148
proactive:148 alongside:148 quarterly:148 edits:148 linking:148 grpo:148 epochs:148 mols:148
delivered:147 performant:147 overflow:147 unexpected:147 black:147 race:147 rdkit:147
associations:147 accept:147 culture:147 helps:147 symbols:147 presentations:147 education:147
gcloud:147 approved:146 gathering:146 archive:146 pay:146 helpers:146 phone:146 extend:146
balances:146 stories:146 pause:146 spend:146 cognitive:146 firmware:146 golden:145 inspect:145
stay:145 tensorflow:145 leaks:145 controller:145 paypal:145 readonly:145 bib:145 please:144
alias:144 drive:144 obvious:144 cap:144 trials:144 protect:144 initialization:144 solving:144
trained:144 pruning:144 rl:144 ship:144 unsafe:144 guard:144 patent:144 achieving:143
ninvoke:143 swagger:143 specs:143 alphafold:143 consumer:143 truth:143 those:143 annual:143
scans:143 judge:143 dicom:143 markup:142 past:142 star:142 extra:142 evaluating:142 vercel:142
reactions:142 spot:142 broader:142 heatmap:142 plate:142 round:141 choosing:141 linked:141
soft:141 estimate:141 eslint:141 computed:141 inspection:141 unused:141 diverse:141 stress:141
correction:141 posters:141 eu:141 hyperparameter:141 markitdown:141 union:140 vitest:140
asking:140 algorithmic:140 loads:140 fresh:140 highly:140 lib:140 great:140 embed:140
excellent:140 abs:140 ranges:140 rel:140 packaging:140 conversations:140 together:139
configuring:139 normalize:139 tiles:139 cp:139 modified:139 ongoing:139 pipe:139 news:139
ide:139 headline:139 supply:139 likely:139 defer:139 cells:139 flowchart:139 flex:139
docking:139 pptx:139 lighthouse:139 uri:138 hardcoded:138 measurable:138 experiences:138
audiences:138 big:138 weeks:138 mrr:138 proposal:138 logits:138 csp:138 bg:138 character:137
broad:137 sonar:137 airflow:137 runbooks:137 checked:137 idiomatic:137 generators:137 paste:137
volumes:137 delegate:137 organism:137 restart:137 qc:137 prompting:136 breakers:136 city:136
pnpm:136 vite:136 linting:136 campaigns:136 gets:136 de:136 filesystem:136 workspaces:136
productivity:136 observation:136 delta:136 emphasizes:136 easily:136 wandb:136 validating:135
gracefully:135 ordering:135 conducting:135 repeated:135 compiler:135 scanner:135 assertions:135
scales:135 establishing:135 typed:135 population:135 loki:135 bicep:135 updating:134 seaborn:134
highest:134 near:134 border:134 receipt:134 assign:134 stat:134 moderate:134 temp:134 longer:134
extracted:134 due:134 itself:134 recall:134 ranking:134 organizational:134 supabase:134
marketplace:134 such:133 fact:133 leave:133 markers:133 adapt:133 conversions:133 causal:133
esm:133 delegation:133 sec:133 paragraphs:133 merged:133 simulations:133 meeting:133
duplicates:133 parallelization:133 prioritizes:133 nih:133 eax:133 flask:132 savings:132
observations:132 family:132 downloads:132 members:132 diversity:132 meet:132 projection:132
subagents:132 wallet:132 pair:132 mu:132 telegram:132 survival:132 cocoindex:132 assignment:131
boxes:131 tile:131 shutdown:131 breakdown:131 addresses:131 pyproject:131 happens:131 zip:131
bearer:131 starts:131 bats:131 idc:131 cold:130 exploratory:130 technique:130 traditional:130
encrypted:130 fixtures:130 bottleneck:130 elasticsearch:130 dimensional:130 fixing:130
applying:130 devsecops:130 oracle:130 ports:130 phoenix:130 brute:130 utility:130 preparing:129
changing:129 fits:129 candidate:129 utilize:129 adapter:129 pinecone:129 downstream:129
tensors:129 discord:129 publishing:128 combined:128 dedicated:128 mini:128 calibration:128
numeric:128 userservice:128 ignoring:128 friction:128 respond:127 rewrite:127 blast:127
enter:127 successfully:127 crash:127 failover:127 prioritized:127 backed:127 administrator:127
ensemble:127 maintains:127 ct:127 canonical:127 forecast:127 sim:127 proceeding:126
clarification:126 impacts:126 symbol:126 standardized:126 reduces:126 widget:126 bridge:126
malicious:126 testable:126 pt:126 deps:126 transforms:126 continuity:126 rowan:126
cloudflare:126 bazel:126 translation:125 lineage:125 adherence:125 dead:125 pred:125 attach:125
rf:125 credit:125 restful:125 copilot:125 replay:125 sandbox:124 inform:124 triggering:124
lives:124 restore:124 switching:124 generative:124 cutting:124 rm:124 maturity:124 translate:124
speech:124 headings:124 anndata:124 spline:124 milestones:123 processor:123 recording:123
baselines:123 deployed:123 ratios:123 geometric:123 arrow:123 migrating:123 mid:123 liquid:123
drizzle:123 colorblind:123 curation:123 scholar:123 curve:123 activate:122 completely:122
dbt:122 currently:122 hub:122 payloads:122 removed:122 handled:122 numerical:122 spawner:122
venue:122 scaffolding:122 compelling:122 strengths:122 customize:122 mathematical:122 astro:122
convex:122 outlines:121 opacity:121 breach:121 pid:121 publications:121 extensive:121
communicate:121 cosmic:121 sharp:121 diagnosis:121 intervention:121 shadow:121 whole:121
shadcn:121 cro:121 articles:121 nano:121 rewards:121 prod:120 comparing:120 inconsistent:120
meaning:120 containerization:120 devtools:120 won:120 emphasize:120 geographic:120 trait:120
leak:120 ground:120 meterpreter:120 joins:119 excel:119 gov:119 reuse:119 burp:119
documenting:119 titles:119 radius:119 runbook:119 sentry:119 educational:119 readers:119
abstractions:119 lag:119 dx:119 five:119 heading:119 solidity:119 subset:118 certification:118
asked:118 flat:118 sqlalchemy:118 doing:118 wins:118 super:118 quote:118 learned:118
invalidation:118 perfect:118 calculator:118 yourself:118 genome:118 trading:118 dictionary:118
atom:118 diagnostic:118 hosts:117 validator:117 convention:117 snippets:117 deck:117
visually:117 companies:117 grad:117 ca:117 usability:117 warn:117 hf:117 simplify:117 cc:117
sweep:117 gke:117 doe:117 exp:117 cpp:117 breaker:116 usually:116 segments:116 zone:116
magic:116 acquisition:116 suggested:116 inclusive:116 meets:116 crispr:116 unauthorized:116
probability:116 synthesize:116 sqlite:116 synthetic:116 balanced:116 accelerate:116 batches:116
lg:116 bus:116 gas:116 ftp:116 churn:115 vm:115 credibility:115 ssr:115 looks:115 uptime:115
trajectory:115 ensembl:115 fastq:115 propose:114 tracked:114 scientist:114 navigate:114
invoice:114 closed:114 isolated:114 flexibility:114 lightning:114 faq:114 contribution:114
money:114 converting:114 guarantees:114 fragment:114 rolling:114 drivers:114 either:114 proj:114
dpo:114 nextjs:114 cited:114 passwd:114 dspy:114 cycles:113 respect:113 propagation:113 wrap:113
triage:113 sanitize:113 uncertainty:113 modification:113 acceleration:113 difference:113
candidates:113 sent:113 scipy:113 acknowledge:113 assumption:113 firewall:113 interventions:113
selector:112 biases:112 hover:112 circular:112 ttl:112 acid:112 acceptable:112 digital:112
premium:112 timedelta:112 sans:112 dna:112 decode:112 timestamps:112 querying:112 student:112
demonstrate:111 measured:111 discovered:111 dive:111 vibeship:111 ltv:111 face:111 parts:111
genomics:111 gz:111 ddos:111 scoped:111 especially:110 containing:110 tokio:110 adds:110
leads:110 inject:110 replicas:110 mtls:110 four:110 leveraging:110 recurring:110 distances:110
banana:110 enrichment:110 lightweight:109 spaces:109 ambiguous:109 player:109 fewer:109
explaining:109 palettes:109 adam:109 online:109 posture:109 multimodal:109 declarative:109
langgraph:109 ranks:109 front:108 kpi:108 seamless:108 decide:108 upgrades:108 carefully:108
shown:108 taxonomy:108 lab:108 quotes:108 composite:108 rgb:108 blueprint:108 hosted:108
likelihood:108 gradients:108 rollouts:108 convergence:108 pydicom:108 pii:107 ram:107
mission:107 environ:107 blind:107 proposition:107 tokenization:107 celery:107 videos:107
headless:107 novel:107 shares:107 situation:107 machines:107 everywhere:107 spectrum:107
flowcharts:107 authors:107 neighbors:107 checkpointing:107 bullets:107 tight:107 teacher:107
redundancy:106 analyzes:106 prose:106 inheritance:106 ideal:106 cancel:106 guardrails:106
runner:106 redundant:106 mod:106 symfony:106 testability:106 differential:106 proposed:106
proven:106 localization:106 traversal:106 symptom:106 masks:106 otherwise:106 extended:106
regulations:106 pin:106 wiki:106 universal:106 associated:106 ocr:106 mov:106 flops:106
persona:105 grant:105 cs:105 nlp:105 coordinator:105 selectors:105 produces:105 topology:105
challenge:105 scrape:105 focusing:105 obj:105 sprint:105 valueerror:105 excessive:105
transparency:105 stays:105 mechanics:105 critique:105 attn:105 captions:105 eof:105 equity:105
lcp:105 pos:105 actp:105 informed:104 chunking:104 kpis:104 menu:104 useeffect:104 frames:104
ease:104 phrases:104 tsconfig:104 committed:104 slug:104 conf:104 typeorm:104 som:104
combining:104 stated:104 podcast:104 appear:104 sorted:104 pulumi:104 prs:104 idempotency:104
forces:104 sorting:104 consensus:104 gguf:104 course:104 auxiliary:104 rebase:104 bundled:103
investigate:103 ticket:103 operating:103 insecure:103 exceptional:103 approve:103 discipline:103
variation:103 reflection:103 forge:103 opentofu:103 al:103 distributions:103 qlora:103
circuits:103 ratings:102 significantly:102 instrumentation:102 mention:102 jq:102 uid:102
renders:102 venv:102 called:102 redux:102 spike:102 geometry:102 websockets:102 covered:102
clause:102 assisted:102 emit:102 board:102 bioinformatics:102 bi:101 accent:101 completions:101
retriever:101 duplication:101 refs:101 vars:101 immutable:101 enabling:101 stringify:101
variance:101 constrained:101 drugs:101 collaborative:101 exploits:101 finops:101 scaled:101
constant:101 scopes:100 warm:100 idle:100 validates:100 reject:100 manifests:100 memcached:100
imaging:100 transparent:100 exchange:100 preservation:100 primitives:100 zoom:100 talk:100
wp:100 sympy:100 snippet:99 hashicorp:99 anomalies:99 dataframes:99 notebooks:99 returned:99
curated:99 prd:99 specialization:99 facing:99 popup:99 entropy:99 firebase:99 ac:99
synchronous:99 jenkins:99 estimates:99 differentiation:99 uk:99 fps:99 postmortem:99
biomarker:99 defining:98 incrementally:98 law:98 sound:98 margins:98 restrictions:98 trails:98
bars:98 byte:98 engaging:98 presence:98 reconnaissance:98 cookies:98 organic:98 quickly:98
today:98 youtube:98 relic:98 preserving:98 funding:98 mc:98 scheme:98 alice:98 checker:98
tensorboard:98 az:98 guards:98 heads:98 studio:97 half:97 nestjs:97 decorators:97 rs:97 asp:97
zod:97 jit:97 executed:97 aesthetic:97 branching:97 shuffle:97 regressions:97 fs:97 recursive:97
preprocess:97 waf:97 bisect:97 editor:97 dockerfile:97 gdf:97 tiers:96 increment:96 signed:96
sentiment:96 estimated:96 simpler:96 grouping:96 planned:96 country:96 svelte:96 httpx:96
logged:96 relay:96 infer:96 autoscaling:96 sure:96 chemistry:96 takes:96 allows:96 codebases:96
codeql:96 instant:96 fundamentals:96 responder:96 transcription:96 member:96 dast:96 staged:96
room:95 resilient:95 extracting:95 evaluator:95 relations:95 behaviors:95 st:95 retrieved:95
pypi:95 facebook:95 ruff:95 cov:95 welcome:95 battery:95 exposed:95 engage:95 tweet:95
regardless:95 investment:95 sonarqube:95 zustand:95 executor:95 preload:95 feat:95 standalone:95
scripting:95 portal:95 subplots:95 cellxgene:95 nk:95 cirq:95 aspects:94 tail:94 escape:94
centered:94 modifications:94 temporary:94 rds:94 incorrect:94 prop:94 indexed:94 sft:94 fmt:94
jsx:94 transcript:94 reviewers:94 latch:94 fixture:94 worktrees:94 slos:93 implicit:93 advice:93
deadline:93 safely:93 international:93 powerful:93 biology:93 scheduler:93 caption:93 splits:93
conceptual:93 redirect:93 parser:93 strength:93 ipn:93 derived:93 standardize:93
automodelforcausallm:93 et:93 cash:93 ppo:93 pocketbase:93 forget:92 finance:92 tabs:92
centralized:92 journals:92 competing:92 described:92 debugger:92 idempotent:92 older:92
moment:92 pi:92 theoretical:92 tickets:92 justification:92 revision:92 mfa:92 tracer:92 chip:92
periods:91 malware:91 movement:91 rotate:91 qdrant:91 enzyme:91 listing:91 interrupt:91 pools:91
replacement:91 formal:91 milestone:91 tsv:91 callable:91 docx:91 chembl:91 office:91
authorized:91 bandwidth:91 histogram:91 collective:91 cra:91 hypogenic:91 ingress:90 receive:90
advisor:90 accessing:90 sequencing:90 conversational:90 transit:90 sensitivity:90 mkdir:90
clip:90 cloudformation:90 weighted:90 silently:90 deprecation:90 dot:90 groupby:90 normalized:90
chroma:90 categorical:90 serialization:90 procedure:90 peaks:90 proposals:90 assembly:90
press:90 cybersecurity:90 nft:90 figsize:90 sdf:90 locate:89 repos:89 survey:89 viral:89
deletion:89 reserved:89 axe:89 slices:89 improves:89 overlapping:89 alone:89 eks:89 ascii:89
optimizes:89 optimistic:89 typeof:89 lang:89 deleted:89 trl:89 cv:89 pp:89 ddp:89 reported:88
eq:88 hue:88 kit:88 constants:88 bounded:88 rigorous:88 apollo:88 entirely:88 prune:88 honest:88
verdict:88 upper:88 nemo:88 emoji:88 capa:88 weaknesses:87 px:87 infra:87 jump:87 hiring:87
literal:87 ingestion:87 isolate:87 worth:87 norm:87 dart:87 renderer:87 instagram:87 revert:87
splitter:87 addressing:87 scalar:87 median:87 fp:87 oklch:87 authenticated:86 opening:86
tester:86 addressed:86 garbage:86 intuitive:86 polars:86 silent:86 tanstack:86 panels:86
uploads:86 peak:86 combinations:86 come:86 tax:86 highlighting:86 someone:86 charge:86 arc:86
contained:86 sol:86 otp:86 nav:86 exercises:86 circle:86 succeeded:86 conferences:86 solver:86
solvers:86 photo:86 scala:86 wpscan:86 appears:85 dumps:85 escalate:85 idor:85 receipts:85
guess:85 varies:85 accurately:85 labeled:85 announce:85 contextual:85 guideline:85 cherry:85
bounds:85 clarifying:85 eda:85 mass:85 rabbitmq:85 chars:85 sha:85 webp:85 rpc:85 equations:85
calc:85 mental:85 conclusion:84 eliminate:84 dotnet:84 games:84 futures:84 footer:84
criterion:84 identifies:84 turborepo:84 ctas:84 grained:84 emergency:84 elixir:84 notify:84
causing:84 speedup:84 broadcast:84 cortex:84 career:84 degree:84 urgency:84 timesfm:84 trail:83
drafting:83 authoritative:83 ef:83 usecallback:83 selective:83 fullstack:83 orchestra:83
numbered:83
"""

CJK_CHARS = """
的:8406 和:8386 用:7154 性:4410 模:3859 测:3754 化:3717 式:3654 试:3502 使:3347 数:3334 分:3237
理:3138 实:2892 能:2854 全:2744 据:2615 动:2521 优:2520 构:2379 成:2332 设:2326 件:2307 安:2270
可:2260 于:2260 行:2252 务:2252 代:2110 计:2098 现:2048 建:1975 文:1933 工:1932 时:1867 证:1864
查:1818 有:1770 析:1750 应:1690 策:1648 验:1633 自:1612 定:1608 合:1605 作:1601 管:1596 标:1576
存:1562 在:1552 架:1542 略:1524 发:1504 流:1474 进:1468 程:1463 器:1459 系:1426 码:1414 集:1412
量:1395 本:1393 服:1368 统:1356 置:1356 生:1334 规:1328 为:1325 级:1275 型:1265 控:1253 库:1252
基:1240 户:1237 不:1197 要:1193 容:1184 与:1180 关:1177 部:1169 处:1157 一:1150 具:1131 提:1131
制:1120 中:1118 问:1113 配:1075 开:1070 态:1061 重:1052 检:1038 最:1037 个:1031 事:1025 入:1020
指:1020 内:1018 复:1004 施:1003 方:1001 类:999 更:974 专:969 创:966 通:938 组:936 调:927 多:918
包:907 新:907 法:891 注:888 题:884 间:878 以:878 响:876 示:868 高:867 错:853 单:851 持:844
求:844 技:841 源:835 误:832 接:828 监:826 网:819 解:812 档:810 度:806 资:804 义:795 特:794
目:787 缓:782 保:781 或:777 上:777 并:772 对:769 移:761 交:749 下:747 加:746 步:742 业:736
践:733 过:731 是:715 表:712 率:710 结:707 审:699 体:699 记:699 署:695 需:693 识:693 面:687
端:687 平:686 索:683 编:679 原:678 录:673 术:672 例:668 询:664 到:663 展:662 变:654 序:647
点:643 期:633 确:630 准:619 扩:614 清:614 功:606 任:606 预:604 所:604 后:603 回:598 引:593
护:593 密:591 云:586 状:582 环:573 格:566 考:562 前:561 信:558 主:554 异:545 载:545 佳:544
出:540 日:539 依:539 权:538 运:537 同:537 供:537 产:536 适:536 别:529 台:529 先:527 赖:527
布:526 支:524 划:521 踪:519 板:518 限:514 当:508 效:507 名:506 队:502 排:497 知:496 决:495
维:494 算:489 络:487 评:485 线:481 无:480 失:479 输:477 取:477 图:477 志:476 改:475 者:464
从:462 连:460 始:457 键:448 础:446 版:446 则:445 驱:445 虑:438 导:438 语:436 境:436 常:431
值:428 将:427 描:424 框:423 息:422 访:422 令:421 防:418 告:417 客:417 跨:413 机:412 障:412
操:411 估:410 视:410 速:409 完:408 大:408 而:408 列:407 向:404 整:403 选:400 议:398 小:397
边:396 执:395 每:395 负:392 路:390 段:388 份:387 储:385 协:382 位:382 精:382 参:381 影:379
约:378 故:378 质:378 致:376 果:374 项:373 观:373 长:372 命:372 含:372 力:367 字:365 消:364
元:361 跟:359 迁:359 相:357 地:353 获:353 非:352 会:350 转:347 请:345 认:345 区:345 层:345
块:339 增:337 道:335 函:333 收:332 家:332 续:329 报:329 比:328 如:327 范:326 除:326 何:324
人:319 杂:317 互:316 换:315 外:314 败:309 界:309 子:308 正:303 此:303 备:303 域:301 写:299
团:299 衡:298 之:298 等:297 心:297 付:294 场:293 推:292 案:289 漏:288 反:287 水:287 身:287
读:287 链:285 明:280 符:279 商:277 已:275 述:275 联:275 修:275 辑:271 快:270 牌:269 离:266
意:265 微:264 循:263 恢:262 括:262 洞:262 混:261 智:260 南:260 强:258 断:258 带:257 晰:255
留:253 警:252 钥:250 口:250 批:247 逻:246 阶:246 色:243 盖:242 见:241 因:239 情:236 按:234
核:233 添:232 手:232 搜:231 追:229 拟:229 否:228 及:228 止:228 风:228 由:226 传:225 覆:225
节:223 择:223 言:221 未:218 次:216 好:215 即:215 学:214 活:213 根:213 立:213 池:213 终:211
细:210 仅:209 威:207 你:205 订:204 品:204 金:204 扫:204 条:201 少:200 深:198 签:198 助:196
装:195 销:193 升:193 利:192 超:191 公:191 话:190 其:188 师:188 论:188 显:188 来:187 胁:187
该:185 空:185 第:183 阅:183 归:183 周:181 简:180 概:179 延:178 迟:178 市:178 必:177 征:177
险:176 滚:174 景:174 领:173 受:172 共:170 授:170 了:169 骤:167 避:167 费:167 象:167 感:167
假:166 觉:166 经:165 均:165 我:164 缘:164 员:164 释:163 替:163 企:161 价:161 仓:161 弹:160
竞:160 习:160 径:160 况:159 门:159 念:157 轮:157 属:157 隔:156 像:156 局:155 兼:155 免:155
靠:154 词:154 遵:153 仪:153 渐:153 低:152 脚:151 册:149 号:149 静:148 聚:146 总:146 映:145
契:144 启:144 得:143 嵌:143 月:142 击:142 页:141 严:140 做:140 素:140 投:139 样:139 电:138
易:138 势:137 这:137 享:137 缺:136 称:135 营:134 责:134 健:134 采:134 针:133 软:132 围:131
们:131 锁:129 射:128 头:128 找:127 职:127 争:127 差:127 零:127 放:126 织:126 您:126 察:125
角:125 么:124 馈:124 退:123 默:123 群:122 攻:121 什:120 综:120 隐:120 直:119 缩:119 难:119
年:118 天:118 阻:118 束:117 司:117 就:117 私:117 压:117 辅:115 补:113 达:113 栈:113 降:112
返:111 真:111 荐:109 航:109 画:107 物:105 初:105 较:104 片:104 没:102 滤:102 冲:101 串:101 尽:99
训:99 益:99 研:98 焦:98 详:98 减:98 种:97 久:96 触:96 停:96 灾:96 邮:95 演:95 频:95 匹:95 套:95
送:94 插:94 握:93 须:93 究:93 切:92 览:92 偏:92 捕:92 康:92 首:91 治:91 被:91 塞:91 掌:90 历:90
钟:89 跳:89 书:88 待:87 绿:87 虚:87 溯:86 练:86 然:85 早:85 染:85 额:84 战:84 他:84 且:84 都:84
措:83 三:82 友:82 答:82 幂:81 说:81 托:81 泄:81 敏:81 款:80 陷:80 坏:80 律:80 浏:79 删:79 远:78
给:78 播:78 盘:78 渲:78 账:77 突:77 足:77 闭:77 际:77 遗:76 独:76 卡:76 译:75 它:74 屏:74 摘:74
史:73 融:72 游:72 似:72 镜:72 永:71 售:71 露:71 雅:70 抽:70 兴:70 丝:69 雀:69 忽:68 趋:68 打:68
刷:68 形:68 教:67 凭:67 洁:67 热:66 弃:66 佣:66 沟:65 瓶:65 颈:65 旅:65 些:64 社:64 御:63 顺:62
硬:62 阱:61 希:61 碍:61 耗:60 许:59 沌:59 越:58 递:58 绪:58 幕:58 堆:58 只:58 余:57 声:57 起:57
慢:57 双:57 绝:56 音:56 雇:56 蓝:55 哈:55 二:55 偿:54 随:54 透:54 班:54 培:53 站:53 副:53 颜:53
章:52 逐:52 句:52 树:52 底:52 照:52 违:51 财:51 招:51 薪:51 叉:51 美:51 白:51 固:51 窗:51 继:50
去:50 擎:50 迭:50 短:49 造:49 满:49 距:49 看:48 媒:48 临:48 割:48 聘:47 税:47 破:47 百:47 但:47
禁:46 守:46 拥:46 万:45 邦:45 探:45 租:45 思:45 死:45 泛:45 戏:44 忆:44 稳:44 政:43 阈:43 址:43
损:43 近:43 承:42 截:42 债:42 灵:41 充:41 拉:41 至:40 里:40 垂:40 背:40 积:40 叠:40 彻:40 植:40
让:40 恶:40 秒:39 望:39 帮:39 潜:39 倡:39 途:39 拆:39 委:39 倍:39 漂:38 饰:38 红:38 唯:37 净:37
登:37 矩:37 阵:37 币:37 派:37 纯:36 哪:36 允:36 济:36 激:36 跃:36 钱:35 忘:35 熟:35 旧:34 国:34
宽:34 占:34 很:34 熔:34 撤:34 票:33 够:33 判:33 两:33 渗:33 汇:32 绩:32 良:32 英:32 壮:32 召:32
广:32 轻:32 箱:32 促:32 磁:32 紧:31 暴:31 粒:31 便:31 冗:31 吞:31 拒:31 轨:31 繁:30 溢:30 火:30
尝:29 烧:29 乐:29 众:29 齐:29 省:29 太:29 左:29 耦:28 钮:28 厂:28 丢:28 填:28 吐:28 糊:28 料:27
绕:27 尺:26 疑:26 纵:26 巧:26 典:26 淆:26 励:26 崩:25 溃:25 挑:25 酬:25 折:25 再:25 墙:25 壳:25
股:24 富:24 寸:24 摸:24 抛:24 垃:24 圾:24 箭:24 谨:23 跑:23 卓:23 店:23 暂:23 科:22 育:22 胜:22
渠:22 湖:22 桌:22 篡:22 顾:22 附:22 扣:21 干:21 厚:21 急:21 善:21 寻:21 披:21 累:21 伦:21 吗:21
惯:21 弱:21 寄:21 涵:20 官:20 辖:20 沿:20 贵:20 冷:20 懒:20 壁:19 张:19 愿:19 季:19 丁:19 昂:19
杀:19 各:19 幻:19 住:19 购:18 缝:18 贷:18 钩:18 献:18 极:18 渡:18 既:18 叙:18 绞:18 愈:18 谱:18
藏:18 滑:18 也:17 聊:17 贡:17 福:17 危:17 彩:17 陈:17 歧:17 缀:17 戳:17 伪:17 父:17 波:16 乘:16
还:16 货:16 几:16 诺:16 买:16 闪:16 救:16 抗:16 想:15 扇:15 慎:15 稀:15 借:15 剩:15 落:15 匿:15
亿:15 抢:15 散:15 气:15 笔:15 纪:15 校:15 抑:15 槽:15 裁:15 履:14 碑:14 咨:14 丰:14 灯:14 诊:14
介:14 六:14 敦:14 捷:14 裸:14 遥:14 劫:14 担:14 尾:14 毒:13 著:13 医:13 半:13 某:13 普:13 奖:13
鼓:13 症:13 尊:13 血:13 楚:13 桶:13 另:13 伴:12 诚:12 殊:12 病:12 篇:12 印:12 帧:12 擅:12 十:12
斗:12 叶:12 督:12 神:12 疗:12 脱:12 遇:12 讨:12 举:12 世:12 姓:12 鲜:12 宏:12 害:12 沙:12 封:11
仍:11 魔:11 伙:11 材:11 纲:11 欧:11 畅:11 翻:11 听:11 球:11 候:11 绘:11 坚:11 困:11 曲:11 毁:11
枚:11 舱:11 冒:11 芝:11 哥:11 逆:11 残:11 抖:11 拓:11 扑:11 润:11 秀:11 讲:11 草:11 毛:11 催:10
席:10 州:10 穿:10 倾:10 仔:10 族:10 着:10 纹:10 牲:10 劳:10 卷:10 拦:10 噪:10 黄:10 盾:10 遍:10
绑:10 桩:10 五:9 室:9 赢:9 德:9 贝:9 谁:9 谈:9 己:9 押:9 桥:9 倒:9 松:9 挂:9 歇:9 悉:9 拼:9 四:9
抓:9 揭:9 饱:9 卫:9 矛:9 浮:9 朗:9 盈:8 垒:8 吸:8 狱:8 赋:8 浪:8 惊:8 宣:8 花:8 玩:8 末:8 迹:8
牺:8 爆:8 栏:8 塔:8 右:8 荷:8 休:8 办:8 剪:8 峰:8 糟:8 糕:8 才:8 悬:8 窄:8 拣:8 扁:8 车:7 亏:7
稿:7 顶:7 撰:7 士:7 斥:7 横:7 澄:7 星:7 挖:7 掩:7 阴:7 又:7 炸:7 乏:7 瞬:7 坊:7 博:7 哲:7 西:7
惰:7 孤:7 味:7 扰:7 遏:7 盲:7 驻:7 侵:7 把:7 赛:7 般:7 亮:7 浅:7 抵:7 绍:7 晋:7 菜:7 宪:7 滞:6
海:6 呈:6 盟:6 剖:6 贯:6 擦:6 遮:6 光:6 欺:6 膨:6 胀:6 尖:6 钻:6 宗:6 烟:6 挥:6 闲:6 脑:6 秘:6
滥:6 韧:6 骨:6 疏:6 侧:6 奏:6 圈:6 罪:6 赏:6 揽:6 夏:6 污:6 隙:6 克:6 卸:6 拷:6 趣:6 母:6 犯:6
董:5 亚:5 坛:5 摩:5 幸:5 搭:5 韵:5 雪:5 掘:5 诈:5 仿:5 老:5 邻:5 颠:5 爬:5 欢:5 棕:5 纠:5 蔓:5
焰:5 宕:5 东:5 怎:5 柱:5 痛:5 洛:5 捉:5 午:5 剧:5 食:5 稍:5 那:5 马:5 暗:5 予:5 筛:5 侦:5 顿:5
烁:5 颁:5 柄:5 尚:4 怀:4 忙:4 挡:4 辨:4 摄:4 臂:4 虎:4 碳:4 北:4 庭:4 艺:4 房:4 迎:4 养:4 醒:4
往:4 乱:4 熵:4 疲:4 蒙:4 疾:4 迫:4 冻:4 儿:4 军:4 皮:4 恐:4 飞:4 蚕:4 锚:4 民:4 酒:4 谓:4 勿:4
扬:4 卖:4 拖:4 愉:4 斜:4 尔:4 洲:4 隧:4 尤:4 摊:4 荣:4 奇:4 幅:4 粘:4 豁:4 骚:4 诗:4 铸:4 涉:3
银:3 辩:3 府:3 筑:3 废:3 阐:3 耐:3 旋:3 剔:3 斯:3 鲁:3 棒:3 旁:3 粗:3 耕:3 券:3 匙:3 戴:3 氏:3
腐:3 革:3 晨:3 夹:3 洗:3 弦:3 匀:3 今:3 谢:3 温:3 刻:3 枝:3 谍:3 橡:3 鸭:3 慌:3 眼:3 妙:3 僵:3
闻:3 旨:3 坦:3 圆:3 伸:3 埋:3 舍:3 敌:3 讶:3 盒:3 屑:3 懂:3 携:3 巴:3 炼:3 盐:3 毫:3 龄:3 童:3
仲:3 居:3 挤:3 勒:3 木:3 窃:3 虫:3 惑:3 邀:3 紊:3 隆:3 垫:3 城:3 俗:2 纽:2 澳:2 忠:2 谐:2 罩:2
碰:2 撞:2 锐:2 森:2 林:2 篮:2 悲:2 迅:2 巨:2 矿:2 掉:2 央:2 畜:2 宠:2 恰:2 淹:2 裂:2 晚:2 夜:2
雄:2 抱:2 沮:2 丧:2 帖:2 黑:2 巩:2 鼠:2 撑:2 鱼:2 赶:2 粹:2 蒸:2 馏:2 梯:2 芯:2 冠:2 猜:2 弥:2
鸿:2 豪:2 华:2 誉:2 诉:2 滩:2 盗:2 剥:2 環:2 伤:2 陆:2 罗:2 甚:2 琐:2 尸:2 潮:2 迷:2 脆:2 悦:2
裹:2 笛:2 穷:2 黎:2 乎:2 幽:2 锻:2 诱:2 药:2 七:2 刀:2 夸:2 忧:2 挫:2 肤:2 玛:2 徽:2 瞻:2 贴:2
瀑:2 籍:2 岗:2 努:2 遣:2 辱:2 勤:2 旦:2 恩:2 圣:2 屉:2 廓:2 衰:2 刘:2 魂:2 蔽:2 狗:2
"""

ALNUM_TOKENS = """
v1:644 3d:404 v2:396 c4:387 uint256:380 s3:352 e2e:311 v4:273 7b:270 5m:236 h1:225 v3:193
python3:193 d3:191 context7:185 n8n:175 k8s:168 msf6:146 b2b:144 2f:135 oauth2:134 1m:133 8b:133
h2:131 2d:131 abc123:127 fp16:127 base64:123 1e:123 h5ad:122 p95:113 soc2:112 a100:106 100k:97
h3:95 f1:92 70b:92 k6:91 10x:89 neo4j:88 100ms:87 10k:87 ec2:86 v1beta1:85 web3:85 fp8:84 a1:84
2x:81 5s:79 q4:79 h100:78 4o:74 p99:72 2e:72 3x:71 a0:69 l1:68 x86:66 2s:65 bf16:65 hdf5:64
200ms:64 3f:64 float16:63 v0:61 2m:61 30s:59 500ms:58 5rem:57 gpt2:55 150k:55 x1:54 v7:54 4f:54
p1:53 uint8:52 esm3:52 m7:52 c10d:52 z0:50 ierc20:50 p50:49 50ms:49 p0:49 50k:49 t3:49 p2:48
28d:48 1h:47 user1:47 1s:46 deseq2:46 erc721:46 bm25:45 float32:45 auth0:45 p5:45 m0:45
apache2:44 1gb:43 q2:43 10m:43 system32:43 v5:42 x2:42 ete3:42 c2:42 500k:42 c4model:42
grnboost2:42 mp3:41 x64:41 1rem:41 tp53:41 3e:41 1k:40 q1:40 120k:40 t1:40 5x:39 es6:39 cv2:39
m3:39 addr1:39 chr1:39 token0:39 1b:39 nis2:39 m4:39 3s:38 ps1:38 200k:38 i18n:38 m365:37 5k:37
24pt:37 2b:37 qwen2:37 4x:36 int8:36 4bit:36 13b:36 token1:36 ga4:36 l2:35 y1:35 b2c:35 q3:34
60fps:33 f4:33 h5:33 y2:33 a11y:33 g2:33 100m:33 sha256:33 t2:33 1x:32 8px:32 md5:32 boto3:32
gsm8k:32 password123:32 180k:32 baselines3:32 df1:32 df2:32 int4:31 12px:31 25rem:31 bfloat16:31
brca1:31 t5:31 4k:30 uuid4:30 v8:30 00z:30 amount0:30 amount1:30 16px:29 1a:29 col2:29 r8:29
eth0:29 r2:29 5b:29 stm32:29 24h:29 x402:29 p3:28 log2:28 col1:28 c1:28 resilience4j:28
ed25519:28 task1:28 task2:28 central1:28 t4:28 grch38:28
"""

EMOJI = """
✅:2129 ❌:1517 ✓:335 ⚠:270 ★:104 ⭐:86 🔴:84 ✗:42 🎯:39 ☐:35 🟡:34 ⚡:33 🚀:32 📊:28 ✘:27 📋:26
💡:26 🎨:23 🔧:23 🟢:22 🧠:21 🔍:19 📚:19 🚨:17 🎉:15 📖:14 🔄:13 📝:13 🔗:12 📦:10 🤖:10 🔵:10
🐍:10 🟠:10 🚫:9 🔒:9 🛡:9 ⚙:9 ❓:8 🛠:7
"""


if __name__ == "__main__":
    sys.exit(main())
