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
line, for snippets (§6); :class:`LineMatcher` does it for all of a query's
leaves at once.
"""

from __future__ import annotations

import bisect
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias, overload

import numpy as np
import numpy.typing as npt

from specsearch.errors import QueryError
from specsearch.pure.analysis import KEY_SEPARATOR, key_prefix, stem_key, tokenize
from specsearch.pure.query import And, Fuzzy, Occur, Or, Phrase, Prefix, Term
from specsearch.schema import FIELDS, K1, B

if TYPE_CHECKING:
    from collections.abc import Mapping

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
    "LineMatcher",
    "PatternQuery",
    "PhraseQuery",
    "Plan",
    "Positions",
    "Postings",
    "Target",
    "TermQuery",
    "analyze_leaf",
    "execute",
    "expand_patterns",
    "fuzzy_matches",
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
    positions: Sequence[Sequence[int]]


class Positions(Sequence[list[int]]):
    """Each doc's positions of one term, as one flat array, made lists when asked for.

    Only a phrase reads positions, and it reads the flat array (see
    :func:`_phrase_tf`), so a term's postings read from a snapshot are never
    turned into lists of positions up front.
    """

    __slots__ = ("_counts", "_flat", "_starts")

    def __init__(self, flat: npt.NDArray[np.uint32], counts: npt.NDArray[np.uint32]) -> None:
        """Positions ``flat``, the first ``counts[0]`` the first doc's, and so on."""
        self._flat = flat
        self._counts = counts
        self._starts = np.concatenate(([0], np.cumsum(counts, dtype=np.int64)))

    @property
    def flat(self) -> npt.NDArray[np.uint32]:
        """Every doc's positions, one after the other."""
        return self._flat

    @property
    def counts(self) -> npt.NDArray[np.uint32]:
        """How many positions each doc has."""
        return self._counts

    def __len__(self) -> int:
        return len(self._starts) - 1

    @overload
    def __getitem__(self, i: int) -> list[int]: ...

    @overload
    def __getitem__(self, i: slice) -> list[list[int]]: ...

    def __getitem__(self, i: int | slice) -> list[int] | list[list[int]]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        positions: list[int] = self._flat[self._starts[i] : self._starts[i + 1]].tolist()
        return positions


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


def fuzzy_matches(terms: Sequence[str], pattern: str, limit: int) -> list[int]:
    """The indexes of the sorted ``terms`` within Levenshtein distance ``limit`` of ``pattern``.

    The same answers as :func:`levenshtein` term by term, in the order of
    ``terms``, but each dynamic-programming row is computed once per
    distinct prefix (sorted neighbours share theirs), and once a prefix's
    row is past ``limit`` everywhere, every term with that prefix is
    skipped: no extension can come closer.

    >>> fuzzy_matches(["concurency", "concurrency", "consensus", "zebra"], "concurrency", 1)
    [0, 1]
    """
    found: list[int] = []
    width = len(pattern)
    cap = limit + 1  # every value past the limit is as good as any other
    # rows[c]: the distances of prefix[:c] to each prefix of the pattern,
    # capped at `cap`; only the band |c - j| <= limit can be below it.
    rows: list[list[int]] = [[min(j, cap) for j in range(width + 1)]]
    prefix = ""
    i = 0
    while i < len(terms):
        term = terms[i]
        common = 0
        top = min(len(prefix), len(term))
        while common < top and prefix[common] == term[common]:
            common += 1
        del rows[common + 1 :]
        prefix = term[:common]
        dead = False
        for ch in term[common:]:
            last = rows[-1]
            depth = len(rows)
            row = [cap] * (width + 1)
            if depth <= limit:
                row[0] = depth
            for j in range(max(1, depth - limit), min(width, depth + limit) + 1):
                row[j] = min(cap, last[j] + 1, row[j - 1] + 1, last[j - 1] + (ch != pattern[j - 1]))
            rows.append(row)
            prefix += ch
            if min(row) > limit:
                dead = True
                break
        if dead:
            i = _past_prefix(terms, prefix, i + 1)
            continue
        if rows[-1][width] <= limit:
            found.append(i)
        i += 1
    return found


def _past_prefix(terms: Sequence[str], prefix: str, lo: int) -> int:
    """The first index from ``lo`` of the sorted ``terms`` that does not start with ``prefix``."""
    last = ord(prefix[-1])
    if last < sys.maxunicode:
        return bisect.bisect_left(terms, prefix[:-1] + chr(last + 1), lo)
    while lo < len(terms) and terms[lo].startswith(prefix):
        lo += 1
    return lo


def _pattern_terms(index: FieldIndex, query: PatternQuery, key: str) -> list[str]:
    """The term set of a prefix leaf, or a keyed fuzzy leaf, in one field.

    (:func:`expand_patterns` matches an unkeyed fuzzy leaf against all the
    fields at once.)
    """
    found: list[str]
    if query.distance is None:
        found = index.with_prefix(key + query.pattern)
    else:
        # Only the terms of that key; the key prefix is common, so the
        # distance is that of the rest (still in sorted order).
        keyed = index.with_prefix(key)
        rests = [term[len(key) :] for term in keyed]
        found = [keyed[i] for i in fuzzy_matches(rests, query.pattern, query.distance)]
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
    """The docs holding a phrase, and the number of its occurrences in each.

    An occurrence is a position ``s`` of the first term such that each
    token's term is at ``s`` plus its relative position. Positions are keyed
    ``doc << 32 | position`` (sorted, as the postings are), so the starts
    left after each token are one vectorised lookup in that term's keys.
    """
    # Each distinct term once: a phrase may repeat one word thousands of times.
    keys: dict[str, npt.NDArray[np.int64]] = {}
    for term, _ in tokens:
        if term not in keys:
            found = index.postings.get(term)
            if found is None:
                return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.float64)
            keys[term] = _position_keys(found)
    starts = keys[tokens[0][0]]
    for term, rel in tokens:
        if not len(starts):
            break
        held = keys[term]
        if not len(held):
            starts = starts[:0]
            break
        wanted = starts + rel
        at = np.minimum(np.searchsorted(held, wanted), len(held) - 1)
        starts = starts[held[at] == wanted]
    docs, counts = np.unique(starts >> 32, return_counts=True)
    return docs.astype(np.uint32), counts.astype(np.float64)


def _position_keys(postings: Postings) -> npt.NDArray[np.int64]:
    """``doc << 32 | position`` for every position of a postings list, ascending."""
    positions = postings.positions
    if isinstance(positions, Positions):
        flat = positions.flat.astype(np.int64)
        counts = positions.counts.astype(np.int64)
    else:
        counts = np.fromiter((len(at) for at in positions), dtype=np.int64, count=len(positions))
        flat = np.fromiter(
            (at for doc in positions for at in doc), dtype=np.int64, count=int(counts.sum())
        )
    return (np.repeat(postings.doc_ids.astype(np.int64), counts) << 32) | flat


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
    # The terms of each set of fields an unkeyed fuzzy word targets, sorted.
    vocabularies: dict[tuple[str, ...], list[str]] = {}
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
        if pattern.distance is not None and not target.key:
            # The fields share most of their terms: a fuzzy word is matched
            # once against all of them, then each field keeps its own.
            vocabulary = vocabularies.get(target.fields)
            if vocabulary is None:
                vocabulary = sorted(set().union(*(fields[f].sorted_terms for f in target.fields)))
                vocabularies[target.fields] = vocabulary
            # A term whose length is further than the distance from the
            # pattern's is never near; the rest are scanned in sorted order.
            low = len(pattern.pattern) - pattern.distance
            high = len(pattern.pattern) + pattern.distance
            sized = [term for term in vocabulary if low <= len(term) <= high]
            near = [
                sized[i]
                for i in fuzzy_matches(sized, pattern.pattern, pattern.distance)
                if KEY_SEPARATOR not in sized[i]
            ]
            sets = tuple(
                tuple(term for term in near if term in fields[field].postings)
                for field in target.fields
            )
        else:
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


def line_match(query: LeafQuery, tokens: Sequence[Token]) -> list[Token]:
    """The tokens of a line that match a leaf (fields and keys ignored).

    A term leaf matches the tokens with one of its stem keys; a prefix or
    fuzzy leaf the tokens that start with its pattern or are close enough;
    a phrase each token of each of its occurrences. :class:`LineMatcher`
    gives the same answers for all the leaves of a query at once.
    """
    if isinstance(query, TermQuery):
        return [t for t in tokens if stem_key(t.text) in query.keys]
    if isinstance(query, PatternQuery):
        return [t for t in tokens if _pattern_matches(query, t.text)]
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


def _pattern_matches(query: PatternQuery, text: str) -> bool:
    """Whether a token text starts with a prefix leaf's pattern or is near a fuzzy one's."""
    if query.distance is None:
        return text.startswith(query.pattern)
    return (
        abs(len(text) - len(query.pattern)) <= query.distance
        and levenshtein(text, query.pattern, query.distance) <= query.distance
    )


class LineMatcher:
    """Which of a query's leaves the tokens of a line match, as :func:`line_match` says.

    A line is matched against every leaf at once: each distinct token text
    is looked up once per query, giving the term, prefix and fuzzy leaves it
    matches, so a query of thousands of words costs a dictionary lookup per
    token, not one per token and leaf. Stemming is the slow step (Snowball
    in pure Python), and the tokens of an indexed file are nearly all terms
    of the index, whose stem maps already know the answer: a term of some
    field has its stem key among a leaf's keys exactly when it is one of
    that field's :meth:`FieldIndex.with_stem_key` of those keys. So a text
    that some leaf holds that way matches those leaves, a text in the
    largest field's dictionary (the body's, in practice) that none holds
    matches none, and only any other text is stemmed. Phrases are matched
    per line.
    """

    __slots__ = ("_by_key", "_by_term", "_dictionary", "_known", "_leaves", "_patterns", "_phrases")

    def __init__(self, fields: Sequence[FieldIndex], leaves: Sequence[LeafQuery]) -> None:
        """Match ``leaves`` with the help of ``fields``' dictionaries."""
        self._leaves = tuple(leaves)
        self._dictionary: Mapping[str, Postings] = (
            max(fields, key=lambda field: len(field.postings)).postings if fields else {}
        )
        self._by_term: dict[str, list[int]] = {}
        self._by_key: dict[str, list[int]] = {}
        self._patterns: list[tuple[int, PatternQuery]] = []
        self._phrases: list[int] = []
        for i, leaf in enumerate(self._leaves):
            if isinstance(leaf, TermQuery):
                for key in dict.fromkeys(leaf.keys):
                    self._by_key.setdefault(key, []).append(i)
                held = {
                    term
                    for field in fields
                    for key in leaf.keys
                    for term in field.with_stem_key(key)
                }
                for term in held:
                    self._by_term.setdefault(term, []).append(i)
            elif isinstance(leaf, PatternQuery):
                self._patterns.append((i, leaf))
            else:
                self._phrases.append(i)
        self._known: dict[str, tuple[int, ...]] = {}

    def _word_leaves(self, text: str) -> tuple[int, ...]:
        """The term, prefix and fuzzy leaves a token text matches (remembered)."""
        found = self._known.get(text)
        if found is None:
            terms = self._by_term.get(text)
            if terms is None:
                terms = [] if text in self._dictionary else self._by_key.get(stem_key(text), [])
            patterns = [i for i, leaf in self._patterns if _pattern_matches(leaf, text)]
            found = (*terms, *patterns)
            self._known[text] = found
        return found

    def match(self, tokens: Sequence[Token]) -> tuple[int, list[tuple[int, int]]]:
        """How many leaves a line's tokens match, and the spans of the matching tokens."""
        matched: set[int] = set()
        spans: list[tuple[int, int]] = []
        for token in tokens:
            leaves = self._word_leaves(token.text)
            if leaves:
                matched.update(leaves)
                spans.append((token.start, token.end))
        for i in self._phrases:
            found = line_match(self._leaves[i], tokens)
            if found:
                matched.add(i)
                spans.extend((t.start, t.end) for t in found)
        return len(matched), spans


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
