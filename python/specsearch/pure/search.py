r"""Planning and running a parsed query against the fields (SPEC.md §5, §6).

A query tree (:mod:`specsearch.pure.query`) is turned into a plan in three
steps:

1. every leaf's field is resolved (:func:`resolve_targets`): the six fields,
   one field, or the frontmatter field through the keyed terms of a key (an
   unknown key is a :class:`~specsearch.errors.QueryError`);
2. every leaf's text is analyzed (:func:`analyze_leaf`): a term gives its
   stem keys, a phrase its tokens without the wholes, a prefix or fuzzy leaf
   its pattern; a leaf without tokens is empty and :func:`prune` removes it
   (and every ``Or`` / ``And`` left without children);
3. :func:`execute` turns each leaf into per-field term sets (or phrases),
   scores them with BM25 into dense per-doc arrays and combines the arrays
   up the tree, summing in exactly the order of §5.

:func:`line_match` matches the same analyzed leaves against the tokens of one
line, for snippets (§6).
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

import numpy as np
import numpy.typing as npt

from specsearch.errors import QueryError
from specsearch.pure.analysis import KEY_SEPARATOR, key_prefix, stem_key, tokenize
from specsearch.pure.query import And, Fuzzy, Occur, Or, Phrase, Prefix, Term
from specsearch.schema import FIELDS, K1, B

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from specsearch.pure.analysis import Token
    from specsearch.pure.query import Leaf, Node

__all__ = [
    "EMPTY_QUERY",
    "MAX_EXPANSION_TERMS",
    "MIN_FUZZY_COST",
    "MIN_PREFIX_COST",
    "PHRASE_COST",
    "Expansions",
    "FieldIndex",
    "LeafQuery",
    "PatternQuery",
    "PhraseQuery",
    "Plan",
    "Postings",
    "StemKeyMatch",
    "Target",
    "TermQuery",
    "analyze_leaf",
    "execute",
    "expand_patterns",
    "levenshtein",
    "line_match",
    "merge_spans",
    "positive_leaves",
    "prune",
    "resolve_targets",
]

#: The message of the QueryError for a query without searchable terms.
EMPTY_QUERY = "the query has no searchable terms"

#: The most ``(field, term)`` pairs the distinct prefix and fuzzy leaves of
#: one query may expand to (SPEC.md §5, "Cost"); as ``MAX_EXPANSION_TERMS``
#: in ``rust/core/src/search/budget.rs``.
MAX_EXPANSION_TERMS = 65_536

#: What a distinct fuzzy or prefix leaf counts at least (as in Rust): a
#: query holds at most 16 distinct fuzzy words and 512 distinct prefix words.
MIN_FUZZY_COST = 4_096
MIN_PREFIX_COST = 128
#: What a distinct phrase of two or more tokens counts: at most 64 per query.
PHRASE_COST = 1_024

Bools = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]
DocIds = npt.NDArray[np.uint32]


# --------------------------------------------------------------------------
# The index side: what a search reads of one field


@dataclass(frozen=True, slots=True)
class Postings:
    """The docs holding one term in one field.

    Attributes:
        doc_ids: Doc ids, ascending (uint32).
        tfs: The term's frequency in each of those docs (float64, exact).
        positions: The term's positions in each of those docs, ascending.
    """

    doc_ids: DocIds
    tfs: Floats
    positions: tuple[Sequence[int], ...]


@dataclass(frozen=True, slots=True)
class FieldIndex:
    """One field's term dictionary, stem map and length column (§4).

    Attributes:
        postings: Exact term -> postings.
        stems: Stem key -> the terms with that stem key, for the terms that
            are not their own stem key.
        sorted_terms: Every term, sorted by code points (for prefixes).
        lengths: Each doc's length of the field (float64, exact).
        avgdl: The average length, ``sum(lengths) / N``.
    """

    postings: Mapping[str, Postings]
    stems: Mapping[str, tuple[str, ...]]
    sorted_terms: Sequence[str]
    lengths: Floats
    avgdl: float

    def with_stem_key(self, key: str) -> tuple[str, ...]:
        """Every term of the field whose stem key is ``key``."""
        own = (key,) if key in self.postings and stem_key(key) == key else ()
        return own + self.stems.get(key, ())

    def has_prefix(self, prefix: str) -> bool:
        """Whether some term of the field starts with ``prefix``."""
        terms = self.sorted_terms
        i = bisect.bisect_left(terms, prefix)
        return i < len(terms) and terms[i].startswith(prefix)

    def with_prefix(self, prefix: str) -> list[str]:
        """Every term of the field that starts with ``prefix`` (code points)."""
        terms = self.sorted_terms
        found: list[str] = []
        for i in range(bisect.bisect_left(terms, prefix), len(terms)):
            if not terms[i].startswith(prefix):
                break
            found.append(terms[i])
        return found


# --------------------------------------------------------------------------
# Leaves: fields and analysis


@dataclass(frozen=True, slots=True)
class Target:
    r"""Where a leaf searches.

    Attributes:
        fields: The fields, in schema order.
        key: ``lower(K) + "\x1f"`` for a frontmatter key K, else ``""``.
    """

    fields: tuple[str, ...]
    key: str


@dataclass(frozen=True, slots=True)
class TermQuery:
    """A term leaf: its distinct stem keys, in order of first appearance."""

    keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PhraseQuery:
    """A phrase leaf: its tokens without the wholes, ``(term, relative position)``."""

    tokens: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class PatternQuery:
    """A prefix (``distance`` None) or fuzzy leaf: its pattern, the last token."""

    pattern: str
    distance: int | None


LeafQuery: TypeAlias = TermQuery | PhraseQuery | PatternQuery

#: The term sets of each distinct prefix or fuzzy leaf, one per field of its target.
Expansions: TypeAlias = dict[tuple[PatternQuery, Target], tuple[tuple[str, ...], ...]]


def resolve_targets(tree: Node | None, query: str, frontmatter: FieldIndex) -> dict[int, Target]:
    """The target of every leaf of ``tree``, by ``id(leaf)``.

    Args:
        tree: The parsed query.
        query: The query text (for errors).
        frontmatter: The frontmatter field, whose dictionary holds the keyed terms.

    Raises:
        QueryError: A leaf names a frontmatter key that no doc has: the first
            such leaf in tree order (empty leaves included), at its position.
    """
    targets: dict[int, Target] = {}
    known: dict[str, bool] = {}
    for leaf in _leaves(tree):
        if leaf.field is None:
            targets[id(leaf)] = Target(FIELDS, "")
            continue
        name = leaf.field.lower()  # a NAME is ASCII
        if name in FIELDS:
            targets[id(leaf)] = Target((name,), "")
            continue
        prefix = key_prefix(leaf.field)
        if prefix not in known:
            known[prefix] = frontmatter.has_prefix(prefix)
        if not known[prefix]:
            raise QueryError(query, leaf.position, f"unknown field '{leaf.field}'")
        targets[id(leaf)] = Target(("frontmatter",), prefix)
    return targets


def _leaves(node: Node | None) -> list[Leaf]:
    """The leaves of a tree, depth first, in clause order."""
    if node is None:
        return []
    if isinstance(node, Or):
        return [leaf for _, child in node.clauses for leaf in _leaves(child)]
    if isinstance(node, And):
        return [leaf for child in node.children for leaf in _leaves(child)]
    return [node]


def analyze_leaf(leaf: Leaf) -> LeafQuery | None:
    """What a leaf's text asks for (§5), or None when the text has no tokens.

    >>> analyze_leaf(Term("TaskGroups"))
    TermQuery(keys=('task', 'group', 'taskgroup'))
    >>> analyze_leaf(Phrase("task group"))
    PhraseQuery(tokens=(('task', 0), ('group', 1)))
    >>> analyze_leaf(Prefix("snake_ca"))
    PatternQuery(pattern='snake_ca', distance=None)
    """
    tokens = tokenize(leaf.text)
    if not tokens:
        return None
    if isinstance(leaf, Term):
        return TermQuery(tuple(dict.fromkeys(stem_key(t.text) for t in tokens)))
    if isinstance(leaf, Phrase):
        parts = [t for t in tokens if not t.whole]
        first = parts[0].position
        return PhraseQuery(tuple((t.text, t.position - first) for t in parts))
    if isinstance(leaf, Prefix):
        return PatternQuery(tokens[-1].text, None)
    assert isinstance(leaf, Fuzzy)
    return PatternQuery(tokens[-1].text, leaf.distance)


# --------------------------------------------------------------------------
# The plan: the tree without empty leaves


@dataclass(frozen=True, slots=True)
class PlanLeaf:
    """A non-empty leaf: the leaf as parsed, what it asks for and where."""

    leaf: Leaf
    query: LeafQuery
    target: Target


@dataclass(frozen=True, slots=True)
class PlanOr:
    """An ``Or`` with at least one clause left."""

    clauses: tuple[tuple[Occur, Plan], ...]


@dataclass(frozen=True, slots=True)
class PlanAnd:
    """An ``And`` with at least one child left."""

    children: tuple[Plan, ...]


Plan: TypeAlias = PlanLeaf | PlanOr | PlanAnd


def prune(node: Node, targets: Mapping[int, Target]) -> Plan | None:
    """Analyze the leaves and remove the empty ones, then the ``Or`` / ``And`` left empty.

    Args:
        node: A parsed tree.
        targets: Each leaf's target by ``id(leaf)`` (:func:`resolve_targets`).

    Returns:
        The plan, or None when nothing searchable is left.
    """
    if isinstance(node, Or):
        clauses = tuple(
            (occur, plan)
            for occur, child in node.clauses
            if (plan := prune(child, targets)) is not None
        )
        return PlanOr(clauses) if clauses else None
    if isinstance(node, And):
        children = tuple(
            plan for child in node.children if (plan := prune(child, targets)) is not None
        )
        return PlanAnd(children) if children else None
    query = analyze_leaf(node)
    if query is None:
        return None
    return PlanLeaf(node, query, targets[id(node)])


# --------------------------------------------------------------------------
# Running a plan


def levenshtein(a: str, b: str, limit: int) -> int:
    """The Levenshtein distance of two strings in code points, capped at ``limit + 1``.

    >>> levenshtein("concurency", "concurrency", 2)
    1
    >>> levenshtein("abc", "xyz", 1)
    2
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return min(previous[-1], limit + 1)


def _pattern_terms(index: FieldIndex, query: PatternQuery, key: str) -> list[str]:
    """The term set of a prefix or fuzzy leaf in one field."""
    pattern = key + query.pattern
    found: list[str]
    if query.distance is None:
        found = index.with_prefix(pattern)
    elif key:
        # Only the terms of that key; the key prefix is common, so the
        # distance is that of the rest.
        found = [
            term
            for term in index.with_prefix(key)
            if levenshtein(term[len(key) :], query.pattern, query.distance) <= query.distance
        ]
    else:
        found = [
            term
            for term in index.sorted_terms
            if levenshtein(term, pattern, query.distance) <= query.distance
        ]
    if not key:
        # Keyed terms are only matched through their key.
        found = [term for term in found if KEY_SEPARATOR not in term]
    return found


def _term_set_tf(index: FieldIndex, terms: Sequence[str], num_docs: int) -> tuple[DocIds, Floats]:
    """The docs holding some term of ``terms``, and the sum of their frequencies."""
    postings = [index.postings[term] for term in terms]
    if len(postings) == 1:
        return postings[0].doc_ids, postings[0].tfs
    tf = np.zeros(num_docs, dtype=np.float64)
    for p in postings:
        tf[p.doc_ids] += p.tfs  # a doc appears once per postings list
    docs = np.flatnonzero(tf > 0).astype(np.uint32)
    return docs, tf[docs]


def _phrase_tf(index: FieldIndex, tokens: Sequence[tuple[str, int]]) -> tuple[DocIds, Floats]:
    """The docs holding a phrase, and the number of its occurrences in each."""
    # Each distinct term once: a phrase may repeat one word thousands of times.
    lists: dict[str, Postings] = {}
    for term, _ in tokens:
        found = index.postings.get(term)
        if found is None:
            return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.float64)
        lists[term] = found
    postings = list(lists.values())
    candidates = postings[0].doc_ids
    for p in postings[1:]:
        candidates = np.intersect1d(candidates, p.doc_ids, assume_unique=True)
    docs: list[int] = []
    tfs: list[float] = []
    for doc in candidates.tolist():
        held = {
            term: set(p.positions[int(np.searchsorted(p.doc_ids, doc))])
            for term, p in lists.items()
        }
        at = [held[term] for term, _ in tokens]
        occurrences = sum(
            1
            for start in at[0]
            if all(start + rel in positions for (_, rel), positions in zip(tokens, at, strict=True))
        )
        if occurrences:
            docs.append(doc)
            tfs.append(float(occurrences))
    return np.array(docs, dtype=np.uint32), np.array(tfs, dtype=np.float64)


def _plan_leaves(plan: Plan) -> list[PlanLeaf]:
    """The leaves of a plan, in query order."""
    if isinstance(plan, PlanLeaf):
        return [plan]
    if isinstance(plan, PlanAnd):
        return [leaf for child in plan.children for leaf in _plan_leaves(child)]
    return [leaf for _, child in plan.clauses for leaf in _plan_leaves(child)]


def _check_budget(total: int, planned: PlanLeaf, query: str) -> None:
    if total > MAX_EXPANSION_TERMS:
        raise QueryError(
            query,
            planned.leaf.position,
            f"prefix, fuzzy and phrase words expand to more than {MAX_EXPANSION_TERMS} terms",
        )


def expand_patterns(plan: Plan, fields: Mapping[str, FieldIndex], query: str) -> Expansions:
    """Expand each distinct prefix and fuzzy leaf once, in query order, within the budget.

    Each counts its ``(field, term)`` pairs, a fuzzy leaf at least
    :data:`MIN_FUZZY_COST` and a prefix leaf :data:`MIN_PREFIX_COST`; each
    distinct phrase of two or more tokens counts :data:`PHRASE_COST`. The
    total is checked after each leaf.

    Raises:
        QueryError: The leaf whose terms take the total past
            :data:`MAX_EXPANSION_TERMS`, at its position.
    """
    expansions: Expansions = {}
    phrases: set[tuple[PhraseQuery, Target]] = set()
    total = 0
    for planned in _plan_leaves(plan):
        pattern, target = planned.query, planned.target
        if isinstance(pattern, PhraseQuery) and len(pattern.tokens) > 1:
            if (pattern, target) not in phrases:
                phrases.add((pattern, target))
                total += PHRASE_COST
                _check_budget(total, planned, query)
            continue
        if not isinstance(pattern, PatternQuery) or (pattern, target) in expansions:
            continue
        sets = tuple(
            tuple(_pattern_terms(fields[field], pattern, target.key)) for field in target.fields
        )
        count = sum(len(terms) for terms in sets)
        total += max(count, MIN_PREFIX_COST if pattern.distance is None else MIN_FUZZY_COST)
        _check_budget(total, planned, query)
        expansions[pattern, target] = sets
    return expansions


def _units(
    leaf: PlanLeaf,
    fields: Mapping[str, FieldIndex],
    num_docs: int,
    expansions: Expansions | None = None,
) -> list[tuple[str, DocIds, Floats]]:
    """Each ``(field, docs, tf)`` of a leaf, in summation order (§5)."""
    query, target = leaf.query, leaf.target
    units: list[tuple[str, DocIds, Floats]] = []
    if isinstance(query, TermQuery):
        for stem in query.keys:  # keys outer, fields inner
            for field in target.fields:
                terms = fields[field].with_stem_key(target.key + stem)
                if terms:
                    units.append((field, *_term_set_tf(fields[field], terms, num_docs)))
    elif isinstance(query, PhraseQuery):
        keyed = tuple((target.key + term, rel) for term, rel in query.tokens)
        for field in target.fields:
            units.append((field, *_phrase_tf(fields[field], keyed)))
    else:
        expanded = None if expansions is None else expansions.get((query, target))
        for i, field in enumerate(target.fields):
            matching = (
                _pattern_terms(fields[field], query, target.key)
                if expanded is None
                else expanded[i]
            )
            if matching:
                units.append((field, *_term_set_tf(fields[field], matching, num_docs)))
    return units


def _leaf_scores(
    leaf: PlanLeaf,
    fields: Mapping[str, FieldIndex],
    weights: Mapping[str, float],
    num_docs: int,
    expansions: Expansions | None,
) -> tuple[Bools, Floats]:
    matched = np.zeros(num_docs, dtype=bool)
    scores = np.zeros(num_docs, dtype=np.float64)
    for field, docs, tf in _units(leaf, fields, num_docs, expansions):
        n = len(docs)
        if n == 0:
            continue
        index = fields[field]
        idf = math.log(1.0 + (num_docs - n + 0.5) / (n + 0.5))
        dl = index.lengths[docs]
        norm = K1 * ((1.0 - B) + B * (dl / index.avgdl))
        w_idf = weights[field] * idf
        scores[docs] += w_idf * ((tf * (K1 + 1.0)) / (tf + norm))
        matched[docs] = True
    return matched, scores


def execute(
    plan: Plan,
    fields: Mapping[str, FieldIndex],
    weights: Mapping[str, float],
    num_docs: int,
    *,
    expansions: Expansions | None = None,
    memo: dict[tuple[LeafQuery, Target], tuple[Bools, Floats]] | None = None,
) -> tuple[Bools, Floats]:
    """Which docs a plan matches, and their float64 scores (0.0 where not matched).

    Identical leaves (same analysis and target) are scored once and their
    result added at each occurrence, which gives the same sums as scoring
    each occurrence.

    Args:
        plan: The pruned plan.
        fields: The index, by field.
        weights: The weight of each field.
        num_docs: N.
        expansions: The prefix and fuzzy term sets (:func:`expand_patterns`);
            expanded here when None.
        memo: The results of the leaves scored so far (filled here).

    Returns:
        A match mask and the scores, both dense over the doc ids.
    """
    if memo is None:
        memo = {}
    if isinstance(plan, PlanLeaf):
        slot = (plan.query, plan.target)
        done = memo.get(slot)
        if done is None:
            done = memo[slot] = _leaf_scores(plan, fields, weights, num_docs, expansions)
        return done
    scores = np.zeros(num_docs, dtype=np.float64)
    matched = np.ones(num_docs, dtype=bool)
    if isinstance(plan, PlanAnd):
        for child in plan.children:
            child_matched, child_scores = execute(
                child, fields, weights, num_docs, expansions=expansions, memo=memo
            )
            matched &= child_matched
            scores += np.where(child_matched, child_scores, 0.0)
    else:
        has_must = has_should = False
        any_should = np.zeros(num_docs, dtype=bool)
        for occur, child in plan.clauses:
            child_matched, child_scores = execute(
                child, fields, weights, num_docs, expansions=expansions, memo=memo
            )
            if occur is Occur.MUST_NOT:
                matched &= ~child_matched
                continue
            if occur is Occur.MUST:
                has_must = True
                matched &= child_matched
            else:
                has_should = True
                any_should |= child_matched
            scores += np.where(child_matched, child_scores, 0.0)
        if has_should and not has_must:
            matched &= any_should
    return matched, np.where(matched, scores, 0.0)


# --------------------------------------------------------------------------
# Snippets: leaves matched by the tokens of one line


def positive_leaves(plan: Plan) -> list[LeafQuery]:
    """The distinct leaves of a plan not under a must-not clause (§6), in tree order.

    Two leaves are the same when they are of the same kind, with the same
    text as written and the same fuzzy distance, whatever their fields.
    """

    def walk(node: Plan) -> list[PlanLeaf]:
        if isinstance(node, PlanLeaf):
            return [node]
        if isinstance(node, PlanAnd):
            return [leaf for child in node.children for leaf in walk(child)]
        return [
            leaf
            for occur, child in node.clauses
            if occur is not Occur.MUST_NOT
            for leaf in walk(child)
        ]

    distinct: dict[tuple[str, str, int | None], LeafQuery] = {}
    for planned in walk(plan):
        leaf = planned.leaf
        identity = (
            type(leaf).__name__,
            leaf.text,
            leaf.distance if isinstance(leaf, Fuzzy) else None,
        )
        distinct.setdefault(identity, planned.query)
    return list(distinct.values())


def line_match(
    query: LeafQuery, tokens: Sequence[Token], has_key: Callable[[str], bool] | None = None
) -> list[Token]:
    """The tokens of a line that match a leaf (fields and keys ignored).

    A term leaf matches the tokens with one of its stem keys; a prefix or
    fuzzy leaf the tokens that start with its pattern or are close enough;
    a phrase each token of each of its occurrences. ``has_key``, when
    given, says for a term leaf whether a token's stem key is one of its
    keys (a faster, equal answer: see :class:`StemKeyMatch`).
    """
    if isinstance(query, TermQuery):
        if has_key is not None:
            return [t for t in tokens if has_key(t.text)]
        return [t for t in tokens if stem_key(t.text) in query.keys]
    if isinstance(query, PatternQuery):
        pattern, distance = query.pattern, query.distance
        if distance is None:
            return [t for t in tokens if t.text.startswith(pattern)]
        return [t for t in tokens if levenshtein(t.text, pattern, distance) <= distance]
    at = {(t.text, t.position): t for t in tokens}
    found: list[Token] = []
    first = query.tokens[0][0]
    for token in tokens:
        if token.text != first:
            continue
        occurrence = [at.get((term, token.position + rel)) for term, rel in query.tokens]
        if all(t is not None for t in occurrence):
            found.extend(t for t in occurrence if t is not None)
    return found


class StemKeyMatch:
    """Whether a token's stem key is one of a term leaf's keys, mostly without stemming.

    Stemming is the slow step of a snippet (Snowball in pure Python), and
    the tokens of an indexed file are nearly all terms of the index, whose
    stem map already knows the answer: a term ``t`` of a field has its stem
    key in ``keys`` exactly when it is one of that field's
    :meth:`FieldIndex.with_stem_key` of those keys. So a token is looked up
    in the largest field's dictionary (the body's, in practice), and only a
    token that it does not hold is stemmed. Answers are remembered per
    token text.
    """

    __slots__ = ("_dictionary", "_keys", "_known", "_matching")

    def __init__(self, fields: Sequence[FieldIndex], keys: tuple[str, ...]) -> None:
        """Match the stem keys ``keys`` with the help of ``fields``' dictionaries."""
        self._dictionary = max(fields, key=lambda field: len(field.postings)).postings
        self._keys = keys
        self._matching = {
            term for field in fields for key in keys for term in field.with_stem_key(key)
        }
        self._known: dict[str, bool] = {}

    def __call__(self, text: str) -> bool:
        """Whether ``stem_key(text)`` is one of the keys."""
        found = self._known.get(text)
        if found is None:
            if text in self._matching:
                found = True
            elif text in self._dictionary:
                found = False
            else:
                found = stem_key(text) in self._keys
            self._known[text] = found
        return found


def merge_spans(spans: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Sort ``[start, end)`` spans by start and merge those that overlap or touch.

    >>> merge_spans([(5, 9), (0, 4), (4, 5), (12, 14), (13, 20)])
    ((0, 9), (12, 20))
    """
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)
