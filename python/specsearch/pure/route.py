"""Routing a request in natural language to the specs that should handle it.

``route`` is the job people bring ("which of my agents should handle
this?"). It differs from ``search`` in three ways (README, *Routing*):

1. **The request is text, never query syntax.** It is tokenized with the
   ``standard-v2`` analyzer; quotes, ``AND``, ``-flag`` and ``tools:`` are
   words.
2. **Request understanding** (:func:`analyze_request`): conversational filler
   ("can you help me", "I need an agent that") is removed by the patterns of
   the shared data file ``specsearch/data/routing.json``, then stop words;
   each remaining word gets a weight in ``(0, 1]`` that is low for words
   generic in *this* corpus (:func:`term_weight`: from the word's IDF in the
   name and description fields), and lower again for the few domain words
   the data file lists (agent, expert, help, code, ...).
3. **Ranking** (:func:`score`): per field BM25 with its own weight, ``k1`` and
   ``b``, and one IDF per word counted over whole docs (a word that is rare
   in names but everywhere in bodies is not rare); a request word that is a
   prefix of a word of a spec's name, or has one as a prefix, counts in the
   name field at a reduced frequency (``prefix_credit``); the examples field
   (the ``<example>`` user requests) is a field like the others, so a request
   like a spec's examples points to it.

Everything is computed in float64 in the order written here, the order the
Rust engine (``rust/core/src/route/``) uses, so both give the same scores
bit for bit. The parameters live in the data file and are chosen by
``python -m benches.relevance --tune``.

The lexical route is a seam for fusion: :meth:`Router.rank` returns the
float64 score of every matched doc, which a fusion step can normalise.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from specsearch.errors import QueryError, SchemaError
from specsearch.pure.analysis import stem_key, tokenize
from specsearch.schema import FIELDS
from specsearch.types import Contribution, RouteExplanation

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from specsearch.pure.search import FieldIndex

__all__ = [
    "EMPTY_REQUEST",
    "WHITE_SPACE",
    "FieldParams",
    "RequestAnalysis",
    "RequestTerm",
    "RouteParams",
    "Router",
    "RoutingTables",
    "TermEvidence",
    "analyze_request",
    "load_tables",
    "order",
    "parse_tables",
    "term_weight",
]

#: The message of the QueryError for an empty request.
EMPTY_REQUEST = "the request is empty"
#: Unicode ``White_Space`` (Rust's ``char::is_whitespace``): a request of
#: nothing else is empty. (``str.isspace`` differs: it takes U+001C-U+001F.)
WHITE_SPACE = frozenset(
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

Floats = npt.NDArray[np.float64]
DocIds = npt.NDArray[np.uint32]
Scores = npt.NDArray[np.float32]

_NAME = FIELDS.index("name")
_DESCRIPTION = FIELDS.index("description")


# --------------------------------------------------------------------------
# The shared tables


@dataclass(frozen=True, slots=True)
class FieldParams:
    """One field's BM25 parameters for routing."""

    weight: float
    k1: float
    b: float


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteParams:
    """Every ranking parameter of ``route`` (the data file's ``params``).

    Attributes:
        fields: One :class:`FieldParams` per field of ``FIELDS``, in order.
        prefix_credit: The frequency a prefix match of a name word counts for
            (an exact match counts 1); 0 turns prefix matching off.
        prefix_min_chars: The shortest word (in code points) that takes part
            in a prefix match, on either side.
        generic_idf: A word whose IDF over the name and description fields
            is at least this keeps its full weight; below, its weight is that
            IDF divided by this (0 turns corpus weighting off).
        generic_floor: The lowest corpus weight of a word.
        generic_list_factor: The weight factor of the data file's generic
            words (1 turns it off).
        filler: Whether filler patterns and stop words are removed (off only
            to measure what they bring).
    """

    fields: tuple[FieldParams, ...]
    prefix_credit: float
    prefix_min_chars: int
    generic_idf: float
    generic_floor: float
    generic_list_factor: float
    filler: bool = True

    def with_values(self, values: Mapping[str, float]) -> RouteParams:
        """A copy with some values changed, by flat name (``body.k1``, ``prefix_credit``)."""
        fields = list(self.fields)
        scalars: dict[str, Any] = {}
        for flat, value in values.items():
            field, dot, attribute = flat.partition(".")
            if dot:
                i = FIELDS.index(field)
                fields[i] = replace(fields[i], **{attribute: float(value)})
            elif flat == "prefix_min_chars":
                scalars[flat] = int(value)
            elif flat == "filler":
                scalars[flat] = bool(value)
            else:
                scalars[flat] = float(value)
        return replace(self, fields=tuple(fields), **scalars)

    def flat(self) -> dict[str, float]:
        """Every numeric value by flat name (the tuner's coordinates)."""
        values: dict[str, float] = {}
        for field, params in zip(FIELDS, self.fields, strict=True):
            values[f"{field}.weight"] = params.weight
            values[f"{field}.k1"] = params.k1
            values[f"{field}.b"] = params.b
        values["prefix_credit"] = self.prefix_credit
        values["prefix_min_chars"] = float(self.prefix_min_chars)
        values["generic_idf"] = self.generic_idf
        values["generic_floor"] = self.generic_floor
        values["generic_list_factor"] = self.generic_list_factor
        return values

    def to_json(self) -> dict[str, Any]:
        """The ``params`` object of the data file."""
        return {
            "fields": {
                field: {"weight": p.weight, "k1": p.k1, "b": p.b}
                for field, p in zip(FIELDS, self.fields, strict=True)
            },
            "prefix_credit": self.prefix_credit,
            "prefix_min_chars": self.prefix_min_chars,
            "generic_idf": self.generic_idf,
            "generic_floor": self.generic_floor,
            "generic_list_factor": self.generic_list_factor,
        }


Pattern = tuple[tuple[frozenset[str], bool], ...]


@dataclass(frozen=True, slots=True)
class RoutingTables:
    """The data file, parsed: filler patterns, stop words, generic words, parameters."""

    patterns: tuple[Pattern, ...]
    stopwords: frozenset[str]
    generic: frozenset[str]
    params: RouteParams


def _number(raw: object, where: str, *, minimum: float = 0.0) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise SchemaError(where, f"expected a number, got {raw!r}")
    value = float(raw)
    if not math.isfinite(value) or value < minimum:
        raise SchemaError(where, f"expected a finite number >= {minimum}, got {raw!r}")
    return value


def _words(raw: object, where: str) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(w, str) and w for w in raw):
        raise SchemaError(where, "expected a list of non-empty strings")
    return list(raw)


def _params(raw: object) -> RouteParams:
    if not isinstance(raw, dict):
        raise SchemaError("params", "expected an object")
    fields_raw = raw.get("fields")
    if not isinstance(fields_raw, dict) or set(fields_raw) != set(FIELDS):
        raise SchemaError("params.fields", f"expected one object per field of {FIELDS}")
    fields = []
    for field in FIELDS:
        entry = fields_raw[field]
        if not isinstance(entry, dict):
            raise SchemaError(f"params.fields.{field}", "expected an object")
        fields.append(
            FieldParams(
                weight=_number(entry.get("weight"), f"params.fields.{field}.weight"),
                k1=_number(entry.get("k1"), f"params.fields.{field}.k1"),
                b=min(1.0, _number(entry.get("b"), f"params.fields.{field}.b")),
            )
        )
    return RouteParams(
        fields=tuple(fields),
        prefix_credit=_number(raw.get("prefix_credit"), "params.prefix_credit"),
        prefix_min_chars=int(_number(raw.get("prefix_min_chars"), "params.prefix_min_chars")),
        generic_idf=_number(raw.get("generic_idf"), "params.generic_idf"),
        generic_floor=_number(raw.get("generic_floor"), "params.generic_floor"),
        generic_list_factor=_number(raw.get("generic_list_factor"), "params.generic_list_factor"),
    )


def parse_tables(text: str) -> RoutingTables:
    """Parse the routing data file.

    Raises:
        SchemaError: The text is not the expected JSON (names the field).
    """
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise SchemaError("routing.json", f"not JSON: {error}") from None
    if not isinstance(raw, dict):
        raise SchemaError("routing.json", "expected an object")
    patterns_raw = raw.get("filler_patterns")
    if not isinstance(patterns_raw, list):
        raise SchemaError("filler_patterns", "expected a list of patterns")
    patterns: list[Pattern] = []
    for i, pattern in enumerate(patterns_raw):
        elements = _words(pattern, f"filler_patterns[{i}]")
        parsed = tuple(
            (frozenset(e.removesuffix("?").split("|")), e.endswith("?")) for e in elements
        )
        if all(optional for _, optional in parsed):
            raise SchemaError(f"filler_patterns[{i}]", "needs at least one required element")
        patterns.append(parsed)
    return RoutingTables(
        patterns=tuple(patterns),
        stopwords=frozenset(_words(raw.get("stopwords"), "stopwords")),
        generic=frozenset(_words(raw.get("generic_words"), "generic_words")),
        params=_params(raw.get("params")),
    )


@functools.cache
def load_tables() -> RoutingTables:
    """The tables shipped in ``specsearch/data/routing.json`` (read once)."""
    text = importlib.resources.files("specsearch").joinpath("data/routing.json").read_text("utf-8")
    return parse_tables(text)


# --------------------------------------------------------------------------
# Request understanding


@dataclass(frozen=True, slots=True)
class RequestTerm:
    """A word of the request that takes part in ranking.

    Attributes:
        key: Its stem key (what it matches, as in ``search``).
        text: The first token text that gave this key (prefix matches use it).
        generic: Whether the data file lists it as a generic word.
    """

    key: str
    text: str
    generic: bool


@dataclass(frozen=True, slots=True)
class RequestAnalysis:
    """What :func:`analyze_request` made of a request.

    Attributes:
        terms: The ranking words, distinct by stem key, in order.
        filler: The token texts removed by a filler pattern, in order.
        stopwords: The token texts removed as stop words, in order.
        fallback: True when removal left nothing, so every token was kept.
    """

    terms: tuple[RequestTerm, ...]
    filler: tuple[str, ...]
    stopwords: tuple[str, ...]
    fallback: bool


def _match(pattern: Pattern, words: Sequence[str], start: int) -> int:
    """The length of the longest match of ``pattern`` at ``words[start]``, or -1."""

    def at(element: int, i: int) -> int:
        if element == len(pattern):
            return i
        choices, optional = pattern[element]
        best = -1
        if i < len(words) and words[i] in choices:
            best = at(element + 1, i + 1)
        if optional:
            best = max(best, at(element + 1, i))
        return best

    end = at(0, start)
    return end - start if end > start else -1


def analyze_request(request: str, tables: RoutingTables, *, filler: bool = True) -> RequestAnalysis:
    """Turn a request into ranking words (the same in both engines).

    1. Tokenize with ``standard-v2`` (parts and wholes).
    2. Over the parts, left to right, remove the longest match of any filler
       pattern starting at each part (a removed span is skipped); then remove
       stop words. A whole goes with the part at its position.
    3. If nothing is left, keep every token (``fallback``).
    4. The stem keys of what is left, distinct, in order.

    >>> request = "Can you help me find an agent for asyncio races?"
    >>> [x.key for x in analyze_request(request, load_tables()).terms]
    ['asyncio', 'race']

    Raises:
        QueryError: The request has nothing but white space.
    """
    if all(c in WHITE_SPACE for c in request):
        raise QueryError(request, 0, EMPTY_REQUEST)
    tokens = tokenize(request)
    parts = [t for t in tokens if not t.whole]
    words = [t.text for t in parts]
    removed_filler: set[int] = set()  # positions
    removed_stop: set[int] = set()
    if filler:
        i = 0
        while i < len(words):
            longest = max((_match(p, words, i) for p in tables.patterns), default=-1)
            if longest > 0:
                removed_filler.update(parts[j].position for j in range(i, i + longest))
                i += longest
            else:
                i += 1
        for part in parts:
            if part.position not in removed_filler and part.text in tables.stopwords:
                removed_stop.add(part.position)
    removed = removed_filler | removed_stop
    kept = [t for t in tokens if t.position not in removed]
    fallback = not kept
    if fallback:
        kept = tokens
    terms: dict[str, RequestTerm] = {}
    for token in kept:
        key = stem_key(token.text)
        if key not in terms:
            terms[key] = RequestTerm(key, token.text, token.text in tables.generic)
    return RequestAnalysis(
        terms=tuple(terms.values()),
        filler=tuple(p.text for p in parts if p.position in removed_filler),
        stopwords=tuple(p.text for p in parts if p.position in removed_stop),
        fallback=fallback,
    )


# --------------------------------------------------------------------------
# Ranking


def _idf(num_docs: float, doc_freq: float) -> float:
    return math.log(1.0 + (num_docs - doc_freq + 0.5) / (doc_freq + 0.5))


def term_weight(term: RequestTerm, name_desc_df: int, num_docs: int, params: RouteParams) -> float:
    """A request word's weight: low for words generic in this corpus.

    ``min(1, max(floor, idf_nd / generic_idf))``, where ``idf_nd`` is the
    word's IDF counted over the docs whose name or description holds it,
    times ``generic_list_factor`` for the data file's generic words.
    """
    weight = 1.0
    if params.generic_idf > 0.0:
        ratio = _idf(float(num_docs), float(name_desc_df)) / params.generic_idf
        weight = min(1.0, max(params.generic_floor, ratio))
    if term.generic:
        weight *= params.generic_list_factor
    return weight


@dataclass(frozen=True, slots=True)
class TermEvidence:
    """Where one request word occurs: what ranking reads of the index.

    Attributes:
        term: The word.
        units: Per field of ``FIELDS`` (index = field), the docs holding a
            word with its stem key and the summed frequency in each.
        prefix: The docs whose name holds a word that the request word is a
            proper prefix of, or that is a proper prefix of it (and has not
            its stem key), with the summed frequency of those words.
        doc_freq: How many docs hold it in some field (the union of ``units``).
        name_desc_df: How many docs hold it in the name or description field.
    """

    term: RequestTerm
    units: tuple[tuple[DocIds, Floats], ...]
    prefix: tuple[DocIds, Floats]
    doc_freq: int
    name_desc_df: int


_EMPTY_IDS: DocIds = np.zeros(0, dtype=np.uint32)
_EMPTY_TFS: Floats = np.zeros(0, dtype=np.float64)


class Router:
    """Routes requests over one index's fields (the pure-Python reference)."""

    __slots__ = ("_fields", "_num_docs", "_tables")

    def __init__(
        self, fields: Mapping[str, FieldIndex], num_docs: int, tables: RoutingTables
    ) -> None:
        """Route over ``fields`` (by name, all of ``FIELDS``) of ``num_docs`` docs."""
        self._fields = [fields[f] for f in FIELDS]
        self._num_docs = num_docs
        self._tables = tables

    @property
    def fields(self) -> Mapping[str, FieldIndex]:
        """The fields routed over, by name."""
        return dict(zip(FIELDS, self._fields, strict=True))

    @property
    def tables(self) -> RoutingTables:
        """The tables this router uses."""
        return self._tables

    def _term_set(self, field: int, terms: Sequence[str]) -> tuple[DocIds, Floats]:
        index = self._fields[field]
        if not terms:
            return _EMPTY_IDS, _EMPTY_TFS
        if len(terms) == 1:
            p = index.postings[terms[0]]
            return p.doc_ids, p.tfs
        tf = np.zeros(self._num_docs, dtype=np.float64)
        for term in terms:
            p = index.postings[term]
            tf[p.doc_ids] += p.tfs
        docs = np.flatnonzero(tf > 0).astype(np.uint32)
        return docs, tf[docs]

    def _prefix_terms(self, term: RequestTerm, params: RouteParams) -> list[str]:
        """Name words in a proper prefix relation with ``term.text``, without its stem key."""
        if len(term.text) < params.prefix_min_chars:
            return []
        name = self._fields[_NAME]
        found = [t for t in name.with_prefix(term.text) if t != term.text]
        for end in range(params.prefix_min_chars, len(term.text)):
            shorter = term.text[:end]
            if shorter in name.postings:
                found.append(shorter)
        return sorted(t for t in set(found) if stem_key(t) != term.key)

    def evidence(self, analysis: RequestAnalysis, params: RouteParams) -> list[TermEvidence]:
        """Look every request word up in the index (independent of the weights)."""
        found: list[TermEvidence] = []
        for term in analysis.terms:
            units = tuple(
                self._term_set(i, self._fields[i].with_stem_key(term.key))
                for i in range(len(FIELDS))
            )
            in_any = np.zeros(self._num_docs, dtype=bool)
            for docs, _ in units:
                in_any[docs] = True
            name_desc = np.zeros(self._num_docs, dtype=bool)
            name_desc[units[_NAME][0]] = True
            name_desc[units[_DESCRIPTION][0]] = True
            prefix = self._term_set(_NAME, self._prefix_terms(term, params))
            found.append(
                TermEvidence(
                    term=term,
                    units=units,
                    prefix=prefix,
                    doc_freq=int(in_any.sum()),
                    name_desc_df=int(name_desc.sum()),
                )
            )
        return found

    def _field_tf(self, ev: TermEvidence, field: int, params: RouteParams) -> tuple[DocIds, Floats]:
        docs, tf = ev.units[field]
        if field != _NAME or len(ev.prefix[0]) == 0 or params.prefix_credit == 0.0:
            return docs, tf
        dense = np.zeros(self._num_docs, dtype=np.float64)
        dense[docs] += tf
        dense[ev.prefix[0]] += params.prefix_credit * ev.prefix[1]
        hit = np.flatnonzero(dense > 0).astype(np.uint32)
        return hit, dense[hit]

    def _contributions(
        self, ev: TermEvidence, params: RouteParams
    ) -> list[tuple[int, DocIds, Floats]]:
        """Each field's contribution of one word: ``(field, docs, float64 scores)``."""
        if ev.doc_freq == 0 and len(ev.prefix[0]) == 0:
            return []
        n = float(self._num_docs)
        weight = term_weight(ev.term, ev.name_desc_df, self._num_docs, params)
        # A word matched only by prefix counts as if one doc held it.
        idf = _idf(n, float(max(ev.doc_freq, 1)))
        word = weight * idf
        out: list[tuple[int, DocIds, Floats]] = []
        for field, fp in enumerate(params.fields):
            docs, tf = self._field_tf(ev, field, params)
            if len(docs) == 0 or fp.weight == 0.0:
                continue
            index = self._fields[field]
            dl = index.lengths[docs]
            avgdl = index.avgdl
            norm = fp.k1 * ((1.0 - fp.b) + fp.b * (dl / avgdl))
            weight_idf = fp.weight * word
            out.append((field, docs, weight_idf * ((tf * (fp.k1 + 1.0)) / (tf + norm))))
        return out

    def score(self, evidence: Sequence[TermEvidence], params: RouteParams) -> Floats:
        """Every doc's float64 score (0.0 where no word matched), summed word by word."""
        scores = np.zeros(self._num_docs, dtype=np.float64)
        for ev in evidence:
            for _, docs, contribution in self._contributions(ev, params):
                scores[docs] += contribution
        return scores

    def rank(
        self, request: str, params: RouteParams | None = None
    ) -> tuple[DocIds, Floats, list[TermEvidence]]:
        """Every doc with a positive score, best first, with float64 scores (the fusion seam).

        Order: float32 score descending, then doc id ascending.

        Raises:
            QueryError: The request is empty.
        """
        params = params or self._tables.params
        analysis = analyze_request(request, self._tables, filler=params.filler)
        evidence = self.evidence(analysis, params)
        scores = self.score(evidence, params)
        ids, ordered = order(scores)
        return ids, ordered, evidence

    def route(self, request: str, k: int) -> tuple[DocIds, Scores]:
        """The best ``k`` docs for ``request``: ids and float32 scores.

        Raises:
            QueryError: The request is empty.
            ValueError: ``k`` is negative.
        """
        if k < 0:
            raise ValueError(f"k must be >= 0, got {k}")
        ids, scores, _ = self.rank(request)
        return ids[:k], scores[:k].astype(np.float32)

    def route_many(
        self, requests: Sequence[str], k: int
    ) -> tuple[npt.NDArray[np.int64], Scores, list[int], dict[int, QueryError]]:
        """:meth:`route` for each request, into ``(len(requests), k)`` arrays.

        Returns:
            Doc ids (int64, padded with -1), scores (float32, padded with NaN),
            the number of hits of each row, and the error of each empty
            request (by row; its row is padding).

        Raises:
            ValueError: ``k`` is negative.
        """
        if k < 0:
            raise ValueError(f"k must be >= 0, got {k}")
        ids = np.full((len(requests), k), -1, dtype=np.int64)
        scores = np.full((len(requests), k), np.nan, dtype=np.float32)
        counts: list[int] = []
        errors: dict[int, QueryError] = {}
        for row, request in enumerate(requests):
            try:
                row_ids, row_scores = self.route(request, k)
            except QueryError as error:
                errors[row] = error
                counts.append(0)
                continue
            ids[row, : len(row_ids)] = row_ids
            scores[row, : len(row_ids)] = row_scores
            counts.append(len(row_ids))
        return ids, scores, counts, errors

    def explain(self, request: str, ids: Sequence[int]) -> RouteExplanation:
        """What the request became, and why each doc ranks (largest contribution first).

        Raises:
            QueryError: The request is empty.
        """
        params = self._tables.params
        analysis = analyze_request(request, self._tables, filler=params.filler)
        evidence = self.evidence(analysis, params)
        wanted: dict[int, list[int]] = {}
        for row, doc in enumerate(ids):
            wanted.setdefault(int(doc), []).append(row)
        found: list[list[Contribution]] = [[] for _ in ids]
        for ev in evidence:
            for field, docs, contribution in self._contributions(ev, params):
                for doc, value in zip(docs.tolist(), contribution.tolist(), strict=True):
                    for row in wanted.get(doc, ()):
                        found[row].append(
                            Contribution(word=ev.term.text, field=FIELDS[field], score=value)
                        )
        return RouteExplanation(
            words=tuple(t.text for t in analysis.terms),
            filler=analysis.filler,
            stopwords=analysis.stopwords,
            why=tuple(tuple(sorted(row, key=_by_contribution)) for row in found),
        )


def _by_contribution(c: Contribution) -> tuple[float, str, int]:
    """Largest first; ties by word, then field order."""
    return (-c.score, c.word, FIELDS.index(c.field))


def order(scores: Floats) -> tuple[DocIds, Floats]:
    """The docs with a positive score, float32 score descending then doc id ascending."""
    ids = np.flatnonzero(scores > 0).astype(np.uint32)
    f32 = scores[ids].astype(np.float32)
    perm = np.lexsort((ids, -f32))
    return ids[perm], scores[ids][perm]
