"""The in-memory index of the pure-Python backend, and its search API.

This is the reference oracle (SPEC.md §4-§6): it is written to be
read, and its scores are computed in exactly the order the contract states so
that they are bit-identical with the Rust engine's. Planning and running a
query live in :mod:`specsearch.pure.search`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from specsearch.errors import QueryError
from specsearch.pure.analysis import (
    FieldTerms,
    field_terms,
    frontmatter_terms,
    stem_key,
    tokenizer,
)
from specsearch.pure.query import parse
from specsearch.pure.route import Router, load_tables
from specsearch.pure.search import (
    EMPTY_QUERY,
    FieldIndex,
    LineMatcher,
    Postings,
    execute,
    expand_patterns,
    merge_spans,
    positive_leaves,
    prune,
    resolve_targets,
)
from specsearch.pure.spec import decode_lines, parse_spec, strip
from specsearch.pure.walk import SpecFile, UnsafeFile, collect, open_regular, os_reason
from specsearch.schema import FIELDS, check_field, weight_map
from specsearch.types import DocInfo, Problem, Snippet

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from specsearch.pure.search import Plan

__all__ = ["BINARY_SNIFF_BYTES", "AnalyzedDoc", "PureIndex", "analyze", "read_spec"]

#: A NUL byte within this many leading bytes makes a file binary.
BINARY_SNIFF_BYTES = 8192

DocIds = npt.NDArray[np.uint32]
Scores = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True, kw_only=True)
class AnalyzedDoc:
    """One spec after parsing and analysis: everything the index needs of it.

    Attributes:
        path: The doc path (SPEC.md §1).
        fs_path: Where to read the file again (snippets).
        name: The spec's name.
        description: The spec's description.
        fields: Per field of ``FIELDS``, in order: its length and each term's
            positions (keyed terms included in the frontmatter field).
        problems: The file's problems (YAML errors, an unclosed frontmatter).
    """

    path: str
    fs_path: str
    name: str
    description: str
    fields: tuple[FieldTerms, ...]
    problems: tuple[Problem, ...]


def analyze(spec_file: SpecFile, data: bytes) -> AnalyzedDoc:
    """Parse and analyze one spec's bytes."""
    spec, problems = parse_spec(spec_file.path, spec_file.fs_path, data)
    fields = tuple(
        frontmatter_terms(spec.frontmatter)
        if field == "frontmatter"
        else field_terms(spec.field_text(field))
        for field in FIELDS
    )
    return AnalyzedDoc(
        path=spec_file.path,
        fs_path=spec_file.fs_path,
        name=spec.name,
        description=spec.description,
        fields=fields,
        problems=tuple(problems),
    )


def read_spec(spec_file: SpecFile, max_file_bytes: int) -> tuple[bytes | None, Problem | None]:
    """Read one file's bytes, or say why it is skipped.

    The file is opened as :func:`~specsearch.pure.walk.open_regular` does: a
    link or FIFO swapped in since the walk is refused, never followed or
    waited on.
    """

    def skip(message: str) -> tuple[None, Problem]:
        return None, Problem(path=spec_file.path, line=None, message=message)

    def too_large(size: int) -> str:
        return f"file is larger than max_file_bytes ({size} > {max_file_bytes} bytes): skipped"

    try:
        opened, _ = open_regular(spec_file.fs_path, max_file_bytes, spec_file.identity)
        with opened as file:
            data = file.read(max_file_bytes + 1)
    except UnsafeFile as refused:
        if refused.size is not None:
            return skip(too_large(refused.size))
        return skip(f"{refused.reason}: skipped")
    except OSError as error:
        return skip(f"cannot read file: {os_reason(error)}")
    if len(data) > max_file_bytes:  # it grew since it was opened
        return skip(too_large(len(data)))
    if b"\0" in data[:BINARY_SNIFF_BYTES]:
        return skip(f"binary file (NUL byte in the first {BINARY_SNIFF_BYTES} bytes): skipped")
    return data, None


def title_lines(lines: Sequence[str]) -> list[bool]:
    """Which lines only name the spec, for snippets (SPEC.md §6).

    Those are the frontmatter's lines (its ``---`` fences included; a bare
    frontmatter runs from a first line starting with ``name:`` to the first
    blank line) other than a ``description:`` line and continuation lines
    (starting with a space or a tab), and the Markdown headings (lines whose
    first character after spaces and tabs is ``#``).

    >>> title_lines(["---", "name: a", "description: b", "  c", "---", "# A", "text"])
    [True, True, False, False, True, True, False]
    """
    end = 0
    if lines and strip(lines[0]) == "---":
        end = next((i + 1 for i in range(1, len(lines)) if strip(lines[i]) == "---"), 0)
    elif lines and lines[0].startswith("name:"):
        end = next((i for i in range(len(lines)) if not strip(lines[i])), len(lines))
    out: list[bool] = []
    for i, line in enumerate(lines):
        if i < end:
            out.append(not line.startswith(("description:", " ", "\t")))
        else:
            out.append(line.lstrip(" \t").startswith("#"))
    return out


class PureIndex:
    """An in-memory BM25 index over spec files, in pure Python and numpy."""

    __slots__ = ("_docs", "_fields", "_max_file_bytes", "_problems", "_router")

    def __init__(
        self,
        docs: Sequence[AnalyzedDoc],
        problems: Sequence[Problem],
        max_file_bytes: int,
    ) -> None:
        """Index analyzed docs; doc ids are their positions in ``docs``.

        Args:
            docs: The docs, in walk order.
            problems: Every problem met (walk, skipped files, parsing), in order.
            max_file_bytes: The size limit snippets re-read files with.
        """
        self._docs = tuple(docs)
        self._problems = tuple(problems)
        self._max_file_bytes = max_file_bytes
        self._fields: dict[str, FieldIndex] = {
            field: self._field_index(i) for i, field in enumerate(FIELDS)
        }
        self._router: Router | None = None

    @classmethod
    def from_fields(
        cls,
        docs: Sequence[AnalyzedDoc],
        problems: Sequence[Problem],
        max_file_bytes: int,
        fields: Mapping[str, FieldIndex],
    ) -> PureIndex:
        """An index whose field indexes are already built (a cache's snapshot).

        The docs need no term positions then: only their stored fields are used.
        """
        index = cls.__new__(cls)
        index._docs = tuple(docs)
        index._problems = tuple(problems)
        index._max_file_bytes = max_file_bytes
        index._fields = {field: fields[field] for field in FIELDS}
        index._router = None
        return index

    def field_index(self, field: str) -> FieldIndex:
        """The postings, stems and lengths of ``field``."""
        return self._fields[field]

    def _field_index(self, i: int) -> FieldIndex:
        """Postings, stem map and lengths of the ``i``-th field."""
        # term -> (doc id, positions) for each doc holding it, in doc-id order.
        holders: dict[str, list[tuple[int, list[int]]]] = {}
        lengths: list[int] = []
        for doc_id, doc in enumerate(self._docs):
            length, term_positions = doc.fields[i]
            lengths.append(length)
            for term, at in term_positions.items():
                found = holders.get(term)
                if found is None:
                    holders[term] = [(doc_id, at)]
                else:
                    found.append((doc_id, at))
        postings = {
            term: Postings(
                np.array([doc_id for doc_id, _ in held], dtype=np.uint32),
                np.array([len(at) for _, at in held], dtype=np.float64),
                tuple(at for _, at in held),
            )
            for term, held in holders.items()
        }
        stems: dict[str, list[str]] = {}
        for term in postings:
            key = stem_key(term)
            if key != term:
                stems.setdefault(key, []).append(term)
        n = len(self._docs)
        return FieldIndex(
            postings=postings,
            stems={key: tuple(terms) for key, terms in stems.items()},
            sorted_terms=tuple(sorted(postings)),
            lengths=np.array(lengths, dtype=np.float64),
            avgdl=sum(lengths) / n if n else 0.0,
        )

    @classmethod
    def build(
        cls,
        roots: Sequence[str],
        *,
        max_file_bytes: int = 64 * 1024 * 1024,
        hidden: bool = False,
        no_ignore: bool = False,
    ) -> PureIndex:
        """Walk the roots, parse every spec and index it.

        Args:
            roots: Files or folders (empty: the current folder).
            max_file_bytes: Larger files are skipped and reported.
            hidden: Walk hidden entries too (SPEC.md §1).
            no_ignore: Read no ignore file.

        Returns:
            The index; doc ids are dense over the indexed files in walk order.

        Raises:
            FileNotFoundError: A root does not exist.
        """
        files, problems = collect(roots, max_file_bytes, hidden=hidden, no_ignore=no_ignore)
        docs: list[AnalyzedDoc] = []
        for spec_file in files:
            data, problem = read_spec(spec_file, max_file_bytes)
            if problem is not None:
                problems.append(problem)
            if data is not None:
                doc = analyze(spec_file, data)
                problems.extend(doc.problems)
                docs.append(doc)
        return cls(docs, problems, max_file_bytes)

    @property
    def max_file_bytes(self) -> int:
        """The size limit the files were read with."""
        return self._max_file_bytes

    @property
    def analyzed_docs(self) -> tuple[AnalyzedDoc, ...]:
        """The docs, in doc-id order."""
        return self._docs

    def doc_lengths(self, field: str) -> npt.NDArray[np.uint32]:
        """Each doc's length in tokens of ``field``, in doc-id order.

        Raises:
            SchemaError: ``field`` is not one of the six fields.
        """
        return self._fields[check_field(field)].lengths.astype(np.uint32)

    def router(self) -> Router:
        """The router over this index, with the shipped tables (made on first use)."""
        if self._router is None:
            self._router = Router(self._fields, len(self._docs), load_tables())
        return self._router

    @property
    def field_indexes(self) -> Mapping[str, FieldIndex]:
        """Each field's index, by field name (what routing reads)."""
        return self._fields

    @property
    def num_terms(self) -> int:
        """The number of distinct terms, summed over the fields."""
        return sum(len(index.postings) for index in self._fields.values())

    @property
    def problems(self) -> tuple[Problem, ...]:
        """The problems met while building, in the order met."""
        return self._problems

    @property
    def num_docs(self) -> int:
        """N, the number of indexed docs."""
        return len(self._docs)

    def _plan(self, query: str, strict: bool) -> Plan:
        """Parse and plan a query (§5, §11).

        Raises:
            QueryError: A syntax problem (strict mode), an unknown field, or
                no searchable terms.
        """
        tree = parse(query, strict=strict)
        targets = resolve_targets(tree, query, self._fields["frontmatter"])
        plan = None if tree is None else prune(tree, targets)
        if plan is None:
            raise QueryError(query, 0, EMPTY_QUERY)
        return plan

    def _run(self, plan: Plan, weights: Mapping[str, float], query: str) -> tuple[DocIds, Scores]:
        """Every doc the plan matches, best first (float32 score desc, doc id asc).

        Raises:
            QueryError: The prefix and fuzzy leaves expand past the budget.
        """
        n = len(self._docs)
        expansions = expand_patterns(plan, self._fields, query)
        matched, scores = execute(plan, self._fields, weights, n, expansions=expansions)
        hit_ids = np.flatnonzero(matched).astype(np.uint32)
        hit_scores = scores[hit_ids].astype(np.float32)
        order = np.lexsort((hit_ids, -hit_scores))
        return hit_ids[order], hit_scores[order]

    def search(
        self,
        query: str,
        k: int,
        *,
        weights: Sequence[float] | None = None,
        strict: bool = False,
    ) -> tuple[DocIds, Scores]:
        """Rank the docs for a query (SPEC.md §5).

        Args:
            query: The query (§11).
            k: How many hits to return at most (>= 0).
            weights: One weight per field of ``FIELDS``, in order (default:
                ``DEFAULT_WEIGHTS`` of :mod:`specsearch.schema`).
            strict: Raise syntax problems instead of repairing them.

        Returns:
            Doc ids (uint32) and float32 scores, best first; ties by doc id.

        Raises:
            QueryError: A syntax problem (strict mode), an unknown field, or
                no searchable terms.
            ValueError: ``k`` is negative.
            SchemaError: not six weights, or one that is not finite or < 0
                (field ``weight.<field>``).
        """
        if k < 0:
            raise ValueError(f"k must be >= 0, got {k}")
        ids, scores = self._run(self._plan(query, strict), weight_map(weights), query)
        return ids[:k], scores[:k]

    def search_many(
        self,
        queries: Sequence[str],
        k: int,
        *,
        weights: Sequence[float] | None = None,
        strict: bool = False,
    ) -> tuple[npt.NDArray[np.int64], Scores, list[int], dict[int, QueryError]]:
        """:meth:`search` for each query, into ``(len(queries), k)`` arrays (§5).

        Args:
            queries: The queries.
            k: The row length (>= 0).
            weights: As for :meth:`search`.
            strict: As for :meth:`search`.

        Returns:
            Doc ids (int64, padded with -1), scores (float32, padded with
            NaN), the number of hits in each row, and the error of each query
            that failed (by row; its row is empty).

        Raises:
            ValueError: ``k`` is negative.
            SchemaError: not six weights, or one that is not finite or < 0
                (field ``weight.<field>``).
        """
        if k < 0:
            raise ValueError(f"k must be >= 0, got {k}")
        field_weights = weight_map(weights)
        ids = np.full((len(queries), k), -1, dtype=np.int64)
        scores = np.full((len(queries), k), np.nan, dtype=np.float32)
        counts: list[int] = []
        errors: dict[int, QueryError] = {}
        for row, query in enumerate(queries):
            try:
                row_ids, row_scores = self._run(self._plan(query, strict), field_weights, query)
            except QueryError as error:
                errors[row] = error
                counts.append(0)
                continue
            count = min(k, len(row_ids))
            ids[row, :count] = row_ids[:count]
            scores[row, :count] = row_scores[:count]
            counts.append(count)
        return ids, scores, counts, errors

    def _doc(self, doc_id: int) -> AnalyzedDoc:
        if not 0 <= doc_id < len(self._docs):
            raise IndexError(f"doc id {doc_id} is out of range (num_docs={len(self._docs)})")
        return self._docs[doc_id]

    def fs_paths(self, ids: Sequence[int]) -> list[str]:
        """The path each doc's file was read from (undecodable bytes as lone surrogates).

        Raises:
            IndexError: An id is not a doc of this index.
        """
        return [self._doc(int(i)).fs_path for i in ids]

    def docs(self, ids: Sequence[int]) -> list[DocInfo]:
        """The stored fields of some docs.

        Args:
            ids: Doc ids.

        Returns:
            One :class:`DocInfo` per id, in the same order.

        Raises:
            IndexError: An id is not a doc of this index.
        """
        infos: list[DocInfo] = []
        for raw_id in ids:
            doc_id = int(raw_id)
            doc = self._doc(doc_id)
            infos.append(
                DocInfo(doc_id=doc_id, path=doc.path, name=doc.name, description=doc.description)
            )
        return infos

    def snippets(
        self, ids: Sequence[int], query: str, *, strict: bool = False
    ) -> list[Snippet | None]:
        """The best matching line of each doc's file, with its spans (§6).

        The query is parsed and planned as for :meth:`search` (same errors);
        then fields and keys play no part. The files are read again now; a
        file that has gone or has no matching line gives None.

        Args:
            ids: Doc ids.
            query: The query (§11).
            strict: Raise syntax problems instead of repairing them.

        Returns:
            One snippet (or None) per id, in the same order.

        Raises:
            QueryError: A syntax problem (strict mode), an unknown field, or
                no searchable terms.
            IndexError: An id is not a doc of this index.
        """
        leaves = positive_leaves(self._plan(query, strict))
        if not leaves:
            return [None] * len(ids)
        # One matcher, shared by the docs: it remembers its answers.
        matcher = LineMatcher(list(self._fields.values()), leaves)
        return [self._snippet(self._doc(int(doc_id)), matcher) for doc_id in ids]

    def _snippet(self, doc: AnalyzedDoc, matcher: LineMatcher) -> Snippet | None:
        # Read as at build time: a file that has gone, grown too large or
        # turned binary since then has no snippet.
        data, _ = read_spec(SpecFile(path=doc.path, fs_path=doc.fs_path), self._max_file_bytes)
        if data is None:
            return None
        lines = decode_lines(data)
        titles = title_lines(lines)
        tokenize = tokenizer("".join(lines))

        best: Snippet | None = None
        best_key = (False, 0)  # (a content line, leaves matched): the larger wins
        for number, line in enumerate(lines, start=1):
            tokens = tokenize(line)
            if not tokens:
                continue
            count, spans = matcher.match(tokens)
            key = (not titles[number - 1], count)
            if count and key > best_key:
                best, best_key = Snippet(line=number, text=line, spans=merge_spans(spans)), key
        return best
