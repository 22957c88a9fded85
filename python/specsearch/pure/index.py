"""The in-memory index and BM25 search of the pure-Python backend.

This is the reference oracle (ARCHITECTURE.md §4-§6): it is written to be
read, and its scores are computed in exactly the order the contract states so
that they are bit-identical with the Rust engine's.
"""

from __future__ import annotations

import math
import os
import stat
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from specsearch.errors import QueryError, SchemaError
from specsearch.pure.analysis import query_terms, terms
from specsearch.pure.spec import FIELD_WEIGHTS, FIELDS, decode_lines, parse_spec
from specsearch.pure.walk import SpecFile, collect
from specsearch.types import DocInfo, Problem, Snippet

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["BINARY_SNIFF_BYTES", "K1", "AnalyzedDoc", "B", "PureIndex", "analyze", "read_spec"]

K1 = 1.2
B = 0.75
#: A NUL byte within this many leading bytes makes a file binary.
BINARY_SNIFF_BYTES = 8192

DocIds = npt.NDArray[np.uint32]
Scores = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Postings:
    """The docs holding one term in one field.

    Attributes:
        doc_ids: Doc ids, ascending (uint32).
        tfs: The term's frequency in each of those docs (float64, exact).
    """

    doc_ids: npt.NDArray[np.uint32]
    tfs: npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class FieldIndex:
    """One field's term dictionary and length column.

    Attributes:
        postings: term -> postings.
        lengths: Each doc's number of tokens in the field (float64, exact).
        avgdl: The average length, ``sum(lengths) / N``.
    """

    postings: dict[str, Postings]
    lengths: npt.NDArray[np.float64]
    avgdl: float


@dataclass(frozen=True, slots=True, kw_only=True)
class AnalyzedDoc:
    """One spec after parsing and analysis: everything the index needs of it.

    Attributes:
        path: The doc path (ARCHITECTURE.md §1).
        fs_path: Where to read the file again (snippets).
        name: The spec's name.
        description: The spec's description.
        fields: Per field of ``FIELDS``, in order: its length in tokens and
            its term frequencies.
        problems: The file's problems (YAML errors, an unclosed frontmatter).
    """

    path: str
    fs_path: str
    name: str
    description: str
    fields: tuple[tuple[int, dict[str, int]], ...]
    problems: tuple[Problem, ...]


def analyze(spec_file: SpecFile, data: bytes) -> AnalyzedDoc:
    """Parse and analyze one spec's bytes."""
    spec, problems = parse_spec(spec_file.path, spec_file.fs_path, data)
    fields: list[tuple[int, dict[str, int]]] = []
    for field in FIELDS:
        tokens = terms(spec.field_text(field))
        fields.append((len(tokens), dict(Counter(tokens))))
    return AnalyzedDoc(
        path=spec_file.path,
        fs_path=spec_file.fs_path,
        name=spec.name,
        description=spec.description,
        fields=tuple(fields),
        problems=tuple(problems),
    )


def read_spec(spec_file: SpecFile, max_file_bytes: int) -> tuple[bytes | None, Problem | None]:
    """Read one file's bytes, or say why it is skipped."""

    def skip(message: str) -> tuple[None, Problem]:
        return None, Problem(path=spec_file.path, line=None, message=message)

    try:
        with open(spec_file.fs_path, "rb") as file:
            status = os.fstat(file.fileno())
            if not stat.S_ISREG(status.st_mode):
                return skip("not a regular file: skipped")
            if status.st_size > max_file_bytes:
                return skip(f"file is larger than {max_file_bytes} bytes: skipped")
            data = file.read(max_file_bytes + 1)
    except OSError as error:
        return skip(f"cannot read: {error.strerror or error}")
    if len(data) > max_file_bytes:
        return skip(f"file is larger than {max_file_bytes} bytes: skipped")
    if b"\0" in data[:BINARY_SNIFF_BYTES]:
        return skip(f"binary file (NUL byte in the first {BINARY_SNIFF_BYTES} bytes): skipped")
    return data, None


class PureIndex:
    """An in-memory BM25 index over spec files, in pure Python and numpy."""

    __slots__ = ("_docs", "_fields", "_max_file_bytes", "_problems")

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
        n = len(self._docs)
        self._fields: dict[str, FieldIndex] = {}
        for i, field in enumerate(FIELDS):
            ids: dict[str, list[int]] = {}
            tfs: dict[str, list[int]] = {}
            lengths: list[int] = []
            for doc_id, doc in enumerate(self._docs):
                length, freqs = doc.fields[i]
                lengths.append(length)
                for term, tf in freqs.items():
                    if term in ids:
                        ids[term].append(doc_id)
                        tfs[term].append(tf)
                    else:
                        ids[term] = [doc_id]
                        tfs[term] = [tf]
            postings = {
                term: Postings(
                    np.array(doc_ids, dtype=np.uint32), np.array(tfs[term], dtype=np.float64)
                )
                for term, doc_ids in ids.items()
            }
            avgdl = sum(lengths) / n if n else 0.0
            self._fields[field] = FieldIndex(postings, np.array(lengths, dtype=np.float64), avgdl)

    @classmethod
    def build(cls, roots: Sequence[str], *, max_file_bytes: int = 64 * 1024 * 1024) -> PureIndex:
        """Walk the roots, parse every spec and index it.

        Args:
            roots: Files or folders (empty: the current folder).
            max_file_bytes: Larger files are skipped and reported.

        Returns:
            The index; doc ids are dense over the indexed files in walk order.

        Raises:
            FileNotFoundError: A root does not exist.
        """
        files, problems = collect(roots, max_file_bytes)
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
    def analyzed_docs(self) -> tuple[AnalyzedDoc, ...]:
        """The docs, in doc-id order."""
        return self._docs

    def doc_lengths(self, field: str) -> npt.NDArray[np.uint32]:
        """Each doc's length in tokens of ``field``, in doc-id order.

        Raises:
            SchemaError: ``field`` is not one of the six fields.
        """
        if field not in self._fields:
            raise SchemaError("field", f"unknown field {field!r}; fields are {FIELDS}")
        return self._fields[field].lengths.astype(np.uint32)

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

    def search(self, query: str, k: int) -> tuple[DocIds, Scores]:
        """Rank the docs for a query with BM25F-style per-field sums.

        Args:
            query: The query text; its distinct terms are ORed.
            k: How many hits to return at most (>= 0).

        Returns:
            Doc ids (uint32) and float32 scores, best first; ties by doc id.

        Raises:
            QueryError: The query has no searchable terms.
            ValueError: ``k`` is negative.
        """
        if k < 0:
            raise ValueError(f"k must be >= 0, got {k}")
        query_term_list = query_terms(query)
        if not query_term_list:
            raise QueryError(query, 0, "the query has no searchable terms")
        n = len(self._docs)
        if k == 0 or n == 0:
            return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.float32)
        scores = np.zeros(n, dtype=np.float64)
        matched = np.zeros(n, dtype=bool)
        for term in query_term_list:
            for field in FIELDS:
                index = self._fields[field]
                postings = index.postings.get(term)
                if postings is None:
                    continue
                docs, tf = postings.doc_ids, postings.tfs
                df = len(docs)
                idf = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
                dl = index.lengths[docs]
                norm = K1 * ((1.0 - B) + B * (dl / index.avgdl))
                w_idf = FIELD_WEIGHTS[field] * idf
                scores[docs] += w_idf * ((tf * (K1 + 1.0)) / (tf + norm))
                matched[docs] = True
        hit_ids = np.flatnonzero(matched).astype(np.uint32)
        hit_scores = scores[hit_ids].astype(np.float32)
        order = np.lexsort((hit_ids, -hit_scores))[:k]
        return hit_ids[order], hit_scores[order]

    def _doc(self, doc_id: int) -> AnalyzedDoc:
        if not 0 <= doc_id < len(self._docs):
            raise IndexError(f"doc id {doc_id} is out of range (num_docs={len(self._docs)})")
        return self._docs[doc_id]

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

    def snippets(self, ids: Sequence[int], query: str) -> list[Snippet | None]:
        """The first line of each doc's file that holds a query term.

        The files are read again now; a file that has gone or has no such
        line gives None.

        Args:
            ids: Doc ids.
            query: The query text (analyzed once).

        Returns:
            One snippet (or None) per id, in the same order.

        Raises:
            QueryError: The query has no searchable terms.
            IndexError: An id is not a doc of this index.
        """
        wanted = frozenset(query_terms(query))
        if not wanted:
            raise QueryError(query, 0, "the query has no searchable terms")
        return [self._snippet(self._doc(int(doc_id)), wanted) for doc_id in ids]

    def _snippet(self, doc: AnalyzedDoc, wanted: frozenset[str]) -> Snippet | None:
        # Read as at build time: a file that has gone, grown too large or
        # turned binary since then has no snippet.
        data, _ = read_spec(SpecFile(path=doc.path, fs_path=doc.fs_path), self._max_file_bytes)
        if data is None:
            return None
        for number, line in enumerate(decode_lines(data), start=1):
            if not wanted.isdisjoint(terms(line)):
                return Snippet(line=number, text=line)
        return None
