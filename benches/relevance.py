"""Routing quality: nDCG@10, MRR@10 and recall@10 on ``../shared/relevance``, and a tuner.

``python -m benches.relevance`` ranks the 150 hand-judged requests of
``../shared/relevance/queries.jsonl`` (each within its own collection of
``../shared/corpora``) with ``route`` and ``query`` in both engines, and with
tantivy-py and bm25s, and prints the figures overall, per style and per
collection. It also prints the **example-pair MRR@10**: for every spec of
``../shared/corpora`` with an ``<example>`` user request, the first such
request is removed from the file (a copy, in a temporary folder) and then
asked for; the spec (or an identical copy of it) should come first. Each
request is ranked within its own collection.

``python -m benches.relevance --tune`` chooses route's parameters by
coordinate ascent (fixed grids, fixed order: reproducible) on the objective
``nDCG@10(dev) + EXAMPLE_WEIGHT * example-pair MRR@10`` over the four judged
collections, writes them into ``python/specsearch/data/routing.json`` and the
tuner's output into ``benches/relevance_results/``. It also tunes once per
left-out collection and scores that collection with the values tuned on the
other three (leave-one-collection-out), so that overfitting shows.

The shared data is found at ``$SPECSEARCH_SHARED`` or ``../shared`` beside
the checkout.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from specsearch.pure.index import PureIndex
from specsearch.pure.route import (
    RouteParams,
    Router,
    TermEvidence,
    analyze_request,
    load_tables,
    order,
)
from specsearch.pure.spec import parse_spec
from specsearch.pure.walk import collect
from specsearch.schema import FIELDS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

NAME = 0


def _idf(num_docs: float, doc_freq: float) -> float:
    return math.log(1.0 + (num_docs - doc_freq + 0.5) / (doc_freq + 0.5))


ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benches" / "relevance_results"
DATA_FILE = ROOT / "python" / "specsearch" / "data" / "routing.json"
MAX_FILE_BYTES = 64 * 1024 * 1024
K = 10
#: How far route's dev nDCG@10 may move from the committed baseline.
BASELINE_TOLERANCE = 0.01
#: The share of the example-pair MRR in the tuner's objective (the dev set leads:
#: example requests share a template with the spec's other examples).
EXAMPLE_WEIGHT = 0.25

#: The tuner's coordinates and the values it tries, in order.
GRIDS: dict[str, tuple[float, ...]] = {}
for _field in ("name", "description", "frontmatter", "headings", "body", "examples"):
    GRIDS[f"{_field}.weight"] = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)
for _field in ("name", "description", "frontmatter", "headings", "body", "examples"):
    GRIDS[f"{_field}.k1"] = (0.3, 0.6, 0.9, 1.2, 1.6, 2.2, 3.0)
    GRIDS[f"{_field}.b"] = (0.0, 0.25, 0.5, 0.75, 0.9, 1.0)
GRIDS["prefix_credit"] = (0.0, 0.25, 0.5, 0.75, 1.0)
GRIDS["generic_idf"] = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)
GRIDS["generic_floor"] = (0.0, 0.1, 0.2, 0.4, 0.6)
GRIDS["generic_list_factor"] = (0.1, 0.25, 0.5, 0.75, 1.0)
ROUNDS = 2


def shared_dir() -> Path | None:
    """``$SPECSEARCH_SHARED`` or ``../shared`` beside the checkout, when it holds the data."""
    configured = os.environ.get("SPECSEARCH_SHARED")
    path = Path(configured) if configured else ROOT.parent / "shared"
    ok = (path / "relevance" / "queries.jsonl").is_file() and (path / "corpora").is_dir()
    return path if ok else None


# --- metrics ---------------------------------------------------------------


def ndcg(ranked: Sequence[str], grades: Mapping[str, int], k: int = K) -> float:
    """nDCG@k with linear gains; the ideal from the judged grades."""
    dcg = sum(grades.get(p, 0) / math.log2(i + 2) for i, p in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def mrr(ranked: Sequence[str], grades: Mapping[str, int], k: int = K) -> float:
    """1/rank of the first grade-2 spec in the top k (0 when none)."""
    for i, p in enumerate(ranked[:k]):
        if grades.get(p, 0) >= 2:
            return 1.0 / (i + 1)
    return 0.0


def recall(ranked: Sequence[str], grades: Mapping[str, int], k: int = K) -> float:
    """The share of the judged specs (grade >= 1) in the top k."""
    judged = [p for p, g in grades.items() if g > 0]
    if not judged:
        return 0.0
    top = set(ranked[:k])
    return sum(1 for p in judged if p in top) / len(judged)


# --- data ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Query:
    """One judged request."""

    id: str
    collection: str
    style: str
    text: str
    grades: dict[str, int]


def load_queries(shared: Path) -> list[Query]:
    """The judged requests of ``queries.jsonl``."""
    queries = []
    with (shared / "relevance" / "queries.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                raw = json.loads(line)
                queries.append(
                    Query(raw["id"], raw["collection"], raw["style"], raw["query"], raw["relevant"])
                )
    return queries


@dataclass(frozen=True, slots=True)
class Pair:
    """A held-out example request and the specs that should answer it."""

    collection: str
    text: str
    grades: dict[str, int]
    digest: str = ""


_LICENSES = {"LICENSE", "LICENSE.txt", "LICENSE.md"}


def _spec_files(folder: Path) -> list[tuple[str, Path]]:
    files, _ = collect([str(folder)], MAX_FILE_BYTES)
    return [(f.path, Path(f.fs_path)) for f in files if Path(f.fs_path).name not in _LICENSES]


def held_out_copy(collection: Path, target: Path) -> list[Pair]:
    """Copy ``collection`` to ``target`` without each spec's first example request.

    Returns:
        One pair per spec whose first example request was found verbatim in
        its file (a request written with escapes is skipped). Relevant: the
        spec and its byte-identical copies.
    """
    shutil.copytree(collection, target)
    specs = _spec_files(collection)
    root = collection.resolve()
    by_hash: dict[str, list[str]] = {}
    firsts: list[tuple[str, Path, str, bytes]] = []
    for _path, fs_path in specs:
        rel = fs_path.resolve().relative_to(root).as_posix()
        data = fs_path.read_bytes()
        by_hash.setdefault(hashlib.sha256(data).hexdigest(), []).append(rel)
        spec, _ = parse_spec(rel, str(fs_path), data)
        if spec.examples:
            firsts.append((rel, fs_path, spec.examples.split("\n")[0], data))
    pairs = []
    for rel, _fs_path, request, data in firsts:
        text = data.decode("utf-8", errors="surrogateescape")
        # As written in the file: plain, or inside a double-quoted YAML string.
        written = next(
            (w for w in (request, request.replace('"', '\\"')) if request.strip() and w in text),
            None,
        )
        if written is None:
            continue
        (target / rel).write_bytes(
            text.replace(written, "", 1).encode("utf-8", errors="surrogateescape")
        )
        digest = hashlib.sha256(data).hexdigest()
        pairs.append(Pair(collection.name, request, dict.fromkeys(by_hash[digest], 2), digest))
    return pairs


# --- engines ---------------------------------------------------------------


class Ranker:
    """Ranks requests over one collection; hits are paths relative to it."""

    name = "?"

    def top(self, text: str, k: int) -> list[str]:
        """The paths of the best ``k``."""
        raise NotImplementedError


def _relative(paths: Iterable[str], root: Path) -> list[str]:
    out = []
    for p in paths:
        path = Path(p)
        out.append(
            path.resolve().relative_to(root.resolve()).as_posix()
            if path.is_absolute()
            else path.as_posix().removeprefix(root.as_posix() + "/")
        )
    return out


class PureRoute(Ranker):
    """The pure-Python route (also the tuner's engine)."""

    name = "route/python"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.index = PureIndex.build([str(folder)])
        self.router = Router(self.index.field_indexes, self.index.num_docs, load_tables())
        docs = self.index.analyzed_docs
        self.paths = [_rel(Path(d.fs_path), folder) for d in docs]

    def top(self, text: str, k: int) -> list[str]:
        ids, _ = self.router.route(text, k)
        return [self.paths[int(i)] for i in ids]

    def evidence(self, text: str, params: RouteParams) -> list[TermEvidence]:
        """The request's evidence (cached by the tuner)."""
        analysis = analyze_request(text, self.router.tables, filler=params.filler)
        return self.router.evidence(analysis, params)

    def top_with(self, evidence: Sequence[TermEvidence], params: RouteParams, k: int) -> list[str]:
        """The best ``k`` for cached evidence under ``params``."""
        ids, _ = order(self.router.score(evidence, params))
        return [self.paths[int(i)] for i in ids[:k]]


def _rel(fs_path: Path, folder: Path) -> str:
    return fs_path.resolve().relative_to(folder.resolve()).as_posix()


_BUILT: dict[tuple[str, str], Any] = {}
_WORDS = re.compile(r"[^\W_]+")


class BackendRanker(Ranker):
    """``route`` or ``query`` through a specsearch :class:`~specsearch.Index`.

    ``query`` gets the request's words (lowercased, ORed), as the peers do.
    """

    def __init__(self, folder: Path, backend: str, method: str) -> None:
        from specsearch import Index  # noqa: PLC0415

        self.name = f"{method}/{backend}"
        self.folder = folder
        key = (backend, str(folder))
        if key not in _BUILT:  # route and query share one index per backend and folder
            _BUILT[key] = Index.build([str(folder)], backend=backend)
        self.index = _BUILT[key]
        self.method = method

    def top(self, text: str, k: int) -> list[str]:
        from specsearch.errors import QueryError  # noqa: PLC0415

        try:
            if self.method == "route":
                hits = self.index.route(text, k)
            else:
                # The request's words, ORed: quotes, "AND" or "tools:" in a request are not
                # meant as query syntax (and the peers get the same words).
                hits = self.index.search(" ".join(w.lower() for w in _WORDS.findall(text)), k)
        except QueryError:
            return []
        return [
            _rel(Path(h.path) if Path(h.path).is_absolute() else self.folder / h.path, self.folder)
            for h in hits
        ]


class TantivyRanker(Ranker):
    """tantivy-py over the same six fields and weights; the request as an OR of its words."""

    name = "tantivy-py"

    def __init__(self, folder: Path) -> None:
        from benches.tantivy_backend import TantivyBackend  # noqa: PLC0415
        from specsearch.backend import BuildOptions  # noqa: PLC0415

        self.folder = folder
        self.backend = TantivyBackend.build([str(folder)], BuildOptions())

    def top(self, text: str, k: int) -> list[str]:
        words = " ".join(f'"{w}"' for w in _WORDS.findall(text))
        if not words:
            return []
        ids = self.backend.search(words, k).ids_list()
        return [
            _rel(Path(d.path) if Path(d.path).is_absolute() else self.folder / d.path, self.folder)
            for d in self.backend.docs(ids)
        ]


class Bm25sRanker(Ranker):
    """bm25s over the joined fields (the adapter of :mod:`benches.engines`)."""

    name = "bm25s"

    def __init__(self, folder: Path) -> None:
        from benches.engines import Bm25sEngine, parse_corpus  # noqa: PLC0415

        self.folder = folder
        docs, _ = parse_corpus(folder)
        self.engine, _ = Bm25sEngine.build(docs, 1)

    def top(self, text: str, k: int) -> list[str]:
        paths = self.engine.top(text, k)
        return [
            _rel(Path(p) if Path(p).is_absolute() else self.folder / p, self.folder) for p in paths
        ]


# --- evaluation ------------------------------------------------------------


@dataclass(slots=True)
class Scores:
    """Per-query figures of one engine."""

    ndcg: dict[str, float] = field(default_factory=dict)
    mrr: dict[str, float] = field(default_factory=dict)
    recall: dict[str, float] = field(default_factory=dict)
    ranked: dict[str, list[str]] = field(default_factory=dict)


def run_queries(rankers: Mapping[str, Ranker], queries: Sequence[Query]) -> Scores:
    """Rank every query in its collection's ranker."""
    out = Scores()
    for q in queries:
        ranked = rankers[q.collection].top(q.text, K)
        out.ndcg[q.id] = ndcg(ranked, q.grades)
        out.mrr[q.id] = mrr(ranked, q.grades)
        out.recall[q.id] = recall(ranked, q.grades)
        out.ranked[q.id] = ranked
    return out


def slices(queries: Sequence[Query]) -> dict[str, list[str]]:
    """Query ids by slice: overall, each style, each collection."""
    out: dict[str, list[str]] = {"overall": [q.id for q in queries]}
    for style in ("full", "keyword", "symptom"):
        out[style] = [q.id for q in queries if q.style == style]
    for name in sorted({q.collection for q in queries}):
        out[name] = [q.id for q in queries if q.collection == name]
    return out


def mean(values: Iterable[float]) -> float:
    """The mean (0 for none)."""
    found = list(values)
    return sum(found) / len(found) if found else 0.0


def pair_mrr(rankers: Mapping[str, Ranker], pairs: Sequence[Pair]) -> dict[str, float]:
    """Example-pair MRR@10 per collection and overall."""
    per: dict[str, list[float]] = {}
    for p in pairs:
        per.setdefault(p.collection, []).append(mrr(rankers[p.collection].top(p.text, K), p.grades))
    out = {name: mean(v) for name, v in sorted(per.items())}
    out["overall"] = mean(v for values in per.values() for v in values)
    return out


# --- the tuner -------------------------------------------------------------


class FastCase:
    """One request's evidence flattened into arrays, scored in a few numpy operations.

    The tuner scores thousands of parameter sets; this evaluates the formula
    of :mod:`specsearch.pure.route` (per-field BM25, corpus and list word
    weights, name prefix credit) over all words at once. Sums may be done in
    another order than the engine's, so a final figure always comes from the
    engines themselves (the report).
    """

    __slots__ = (
        "collection",
        "dlr",
        "doc",
        "field",
        "generic",
        "grades",
        "idf",
        "idf_nd",
        "num_docs",
        "paths",
        "prefix_tf",
        "style",
        "term",
        "tf",
    )

    def __init__(
        self,
        ranker: PureRoute,
        evidence: Sequence[TermEvidence],
        grades: dict[str, int],
        collection: str,
        style: str = "",
    ) -> None:
        """Flatten ``evidence`` of a request over ``ranker``'s index."""
        router = ranker.router
        by_name = router.fields
        fields = [by_name[f] for f in FIELDS]
        n = ranker.index.num_docs
        docs_l, tf_l, pre_l, dlr_l, field_l, term_l = [], [], [], [], [], []
        generic, idf, idf_nd = [], [], []
        for t, ev in enumerate(evidence):
            generic.append(ev.term.generic)
            idf.append(_idf(n, max(ev.doc_freq, 1)))
            idf_nd.append(_idf(n, ev.name_desc_df))
            for f, (docs, tf) in enumerate(ev.units):
                dense_tf = np.zeros(n)
                dense_tf[docs] = tf
                dense_pre = np.zeros(n)
                if f == NAME:
                    dense_pre[ev.prefix[0]] = ev.prefix[1]
                hit = np.flatnonzero((dense_tf > 0) | (dense_pre > 0))
                docs_l.append(hit)
                tf_l.append(dense_tf[hit])
                pre_l.append(dense_pre[hit])
                dlr_l.append(fields[f].lengths[hit] / fields[f].avgdl)
                field_l.append(np.full(len(hit), f))
                term_l.append(np.full(len(hit), t))

        def cat(parts: list[Any], dtype: Any) -> Any:
            return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

        self.doc = cat(docs_l, np.int64)
        self.tf = cat(tf_l, np.float64)
        self.prefix_tf = cat(pre_l, np.float64)
        self.dlr = cat(dlr_l, np.float64)
        self.field = cat(field_l, np.int64)
        self.term = cat(term_l, np.int64)
        self.generic = np.array(generic, dtype=bool)
        self.idf = np.array(idf, dtype=np.float64)
        self.idf_nd = np.array(idf_nd, dtype=np.float64)
        self.num_docs = n
        self.grades = grades
        self.paths = ranker.paths
        self.collection = collection
        self.style = style

    def top(self, params: RouteParams, k: int = K) -> list[str]:
        """The best ``k`` paths under ``params``."""
        if params.generic_idf > 0:
            weight = np.minimum(
                1.0, np.maximum(params.generic_floor, self.idf_nd / params.generic_idf)
            )
        else:
            weight = np.ones(len(self.idf))
        weight = np.where(self.generic, weight * params.generic_list_factor, weight)
        word = weight * self.idf
        w = np.array([p.weight for p in params.fields])
        k1 = np.array([p.k1 for p in params.fields])
        b = np.array([p.b for p in params.fields])
        tf = self.tf + params.prefix_credit * self.prefix_tf
        f = self.field
        k1f = k1[f]
        part = (
            word[self.term]
            * w[f]
            * (tf * (k1f + 1.0))
            / (tf + k1f * ((1.0 - b[f]) + b[f] * self.dlr))
        )
        scores = np.bincount(self.doc, weights=part, minlength=self.num_docs)
        ids = np.flatnonzero(scores > 0)
        if len(ids) > k:
            cut = np.argpartition(-scores[ids], k)[: k + 8]
            ids = ids[cut]
        s32 = scores[ids].astype(np.float32)
        ids = ids[np.lexsort((ids, -s32))][:k]
        return [self.paths[int(i)] for i in ids]


@dataclass(slots=True)
class TuneCase:
    """A request's flattened evidence, with and without filler removal."""

    filtered: FastCase
    unfiltered: FastCase

    def top(self, params: RouteParams) -> list[str]:
        """The best 10 under ``params``."""
        return (self.filtered if params.filler else self.unfiltered).top(params)

    @property
    def collection(self) -> str:
        """Its collection."""
        return self.filtered.collection

    @property
    def grades(self) -> dict[str, int]:
        """Its grades."""
        return self.filtered.grades


@dataclass(slots=True)
class TuneData:
    """Everything the tuner scores: dev queries and example pairs, per collection."""

    collections: list[str]
    queries: list[TuneCase]
    pairs: list[TuneCase]


def build_tune_data(shared: Path, queries: Sequence[Query], workdir: Path) -> TuneData:
    """Index the judged collections (plain and without first examples) and flatten evidence."""
    params = load_tables().params
    unfiltered = params.with_values({"filler": 0.0})
    cases: list[TuneCase] = []
    pair_cases: list[TuneCase] = []
    names = sorted({q.collection for q in queries})
    for name in names:
        ranker = PureRoute(shared / "corpora" / name)
        for q in queries:
            if q.collection == name:
                cases.append(
                    TuneCase(
                        FastCase(ranker, ranker.evidence(q.text, params), q.grades, name, q.style),
                        FastCase(
                            ranker, ranker.evidence(q.text, unfiltered), q.grades, name, q.style
                        ),
                    )
                )
    for folder in sorted(p for p in (shared / "corpora").iterdir() if p.is_dir()):
        pairs = held_out_copy(folder, workdir / folder.name)
        if not pairs:
            continue
        held = PureRoute(workdir / folder.name)
        for p in pairs:
            pair_cases.append(
                TuneCase(
                    FastCase(held, held.evidence(p.text, params), p.grades, folder.name),
                    FastCase(held, held.evidence(p.text, unfiltered), p.grades, folder.name),
                )
            )
    return TuneData(names, cases, pair_cases)


def figures(
    data: TuneData, params: RouteParams, collections: Iterable[str] | None = None
) -> tuple[float, float, float]:
    """(dev nDCG@10, dev MRR@10, example-pair MRR@10) over some collections."""
    chosen = set(collections) if collections is not None else set(data.collections)
    n, m, e = [], [], []
    for case in data.queries:
        if case.collection in chosen:
            top = case.top(params)
            n.append(ndcg(top, case.grades))
            m.append(mrr(top, case.grades))
    # The example pairs come from other collections: every fold uses them all.
    e = [mrr(case.top(params), case.grades) for case in data.pairs]
    return mean(n), mean(m), mean(e)


def objective(values: tuple[float, float, float]) -> float:
    """What the tuner maximises."""
    return values[0] + EXAMPLE_WEIGHT * values[2]


def tune(
    data: TuneData,
    start: RouteParams,
    collections: Iterable[str] | None = None,
    log: Callable[[str], None] | None = None,
) -> tuple[RouteParams, list[dict[str, Any]]]:
    """Coordinate ascent over :data:`GRIDS`, :data:`ROUNDS` times; ties keep the current value."""
    chosen = list(collections) if collections is not None else None
    best = start
    best_value = objective(figures(data, best, chosen))
    history: list[dict[str, Any]] = [{"step": "start", "objective": best_value}]
    for round_ in range(ROUNDS):
        changed = False
        for name, grid in GRIDS.items():
            current = best.flat()[name]
            for value in grid:
                if value == current:
                    continue
                candidate = best.with_values({name: value})
                got = objective(figures(data, candidate, chosen))
                if got > best_value + 1e-9:
                    best, best_value, changed = candidate, got, True
            history.append(
                {
                    "round": round_,
                    "coordinate": name,
                    "value": best.flat()[name],
                    "objective": best_value,
                }
            )
            if log is not None:
                log(f"  round {round_} {name:24s} = {best.flat()[name]:<6g} J = {best_value:.4f}")
        if not changed:
            break
    return best, history


ABLATIONS: dict[str, dict[str, float]] = {
    "no filler removal": {"filler": 0.0},
    "no corpus generic weight": {"generic_idf": 0.0},
    "no generic list": {"generic_list_factor": 1.0},
    "no name prefix": {"prefix_credit": 0.0},
    "no examples field": {"examples.weight": 0.0},
    "k1 1.2 / b 0.75 in every field": {
        **{
            f"{f}.k1": 1.2
            for f in ("name", "description", "frontmatter", "headings", "body", "examples")
        },
        **{
            f"{f}.b": 0.75
            for f in ("name", "description", "frontmatter", "headings", "body", "examples")
        },
    },
}


def _word_lines(words: Sequence[str], indent: str, width: int = 100) -> list[str]:
    """JSON strings, comma-separated, wrapped at ``width``."""
    lines: list[str] = []
    line = indent
    for word in words:
        item = json.dumps(word, ensure_ascii=False) + ", "
        if len(line) + len(item) > width and line.strip():
            lines.append(line.rstrip())
            line = indent
        line += item
    lines.append(line.rstrip().removesuffix(","))
    return lines


def render_tables(raw: Mapping[str, Any]) -> str:
    """The data file's text: one pattern per line, word lists wrapped, params indented."""
    out = ["{"]
    keys = list(raw)
    for i, key in enumerate(keys):
        comma = "," if i < len(keys) - 1 else ""
        value = raw[key]
        name = json.dumps(key)
        if key == "filler_patterns":
            rows = [f"    {json.dumps(p, ensure_ascii=False)}" for p in value]
            out += [f"  {name}: [", ",\n".join(rows), f"  ]{comma}"]
        elif isinstance(value, list):
            out += [f"  {name}: [", *_word_lines(value, "    "), f"  ]{comma}"]
        elif key == "params":
            body = json.dumps(value, indent=2).replace("\n", "\n  ")
            out.append(f"  {name}: {body}{comma}")
        else:
            out.append(f"  {name}: {json.dumps(value, ensure_ascii=False)}{comma}")
    out.append("}")
    return "\n".join(out) + "\n"


def write_params(params: RouteParams) -> None:
    """Store the chosen values in the shared data file (the rest kept as is)."""
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    raw["params"] = params.to_json()
    DATA_FILE.write_text(render_tables(raw), encoding="utf-8")


#: Where the tuner starts (fixed, so that a run does not depend on the
#: committed values): the ``search`` weights, k1 1.2, b 0.75.
START = {
    "name.weight": 3.0,
    "description.weight": 2.0,
    "frontmatter.weight": 1.0,
    "headings.weight": 1.5,
    "body.weight": 1.0,
    "examples.weight": 1.5,
    **{
        f"{f}.k1": 1.2
        for f in ("name", "description", "frontmatter", "headings", "body", "examples")
    },
    **{
        f"{f}.b": 0.75
        for f in ("name", "description", "frontmatter", "headings", "body", "examples")
    },
    "prefix_credit": 0.5,
    "prefix_min_chars": 4.0,
    "generic_idf": 1.5,
    "generic_floor": 0.2,
    "generic_list_factor": 0.5,
}


def _fmt(values: tuple[float, float, float]) -> str:
    return f"nDCG@10 {values[0]:.3f}  MRR@10 {values[1]:.3f}  pairs MRR@10 {values[2]:.3f}"


def run_tune(shared: Path, out: Callable[[str], None]) -> dict[str, Any]:
    """Tune in sample and leave-one-collection-out; write the data file and results."""
    queries = load_queries(shared)
    start_time = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="specsearch-relevance-") as tmp:
        data = build_tune_data(shared, queries, Path(tmp))
        out(
            f"indexed in {time.perf_counter() - start_time:.1f} s; "
            f"{len(data.queries)} queries, {len(data.pairs)} example pairs"
        )
        start = load_tables().params.with_values(START)
        collections = data.collections
        out(f"start: {_fmt(figures(data, start))}")
        out("tuning on all collections")
        chosen, history = tune(data, start, log=out)
        in_sample = figures(data, chosen)
        out(f"in sample: {_fmt(in_sample)}")
        per_collection_in = {c: figures(data, chosen, [c]) for c in collections}
        cv: dict[str, Any] = {}
        for left_out in collections:
            rest = [c for c in collections if c != left_out]
            out(f"tuning without {left_out}")
            params, _ = tune(data, start, rest)
            cv[left_out] = {"figures": figures(data, params, [left_out]), "params": params.flat()}
            out(f"  {left_out}: in sample {_fmt(per_collection_in[left_out])}")
            out(f"  {left_out}: held out  {_fmt(cv[left_out]['figures'])}")
        counts = {c: sum(1 for q in queries if q.collection == c) for c in collections}
        total = sum(counts.values())
        cv_ndcg = sum(cv[c]["figures"][0] * counts[c] for c in collections) / total
        cv_mrr = sum(cv[c]["figures"][1] * counts[c] for c in collections) / total
        out(f"leave-one-collection-out: nDCG@10 {cv_ndcg:.3f}  MRR@10 {cv_mrr:.3f}")
        ablations = {}
        for label, change in ABLATIONS.items():
            got = figures(data, chosen.with_values(change))
            ablations[label] = got
            out(f"ablation {label:34s} {_fmt(got)}")
    write_params(chosen)
    record = {
        "command": "python -m benches.relevance --tune",
        "objective": f"nDCG@10(dev) + {EXAMPLE_WEIGHT} * example-pair MRR@10 "
        f"({len(data.pairs)} pairs)",
        "start": start.flat(),
        "chosen": chosen.flat(),
        "in_sample": {"overall": in_sample, **per_collection_in},
        "leave_one_collection_out": {"overall": (cv_ndcg, cv_mrr), **cv},
        "ablations": ablations,
        "history": history,
        "seconds": time.perf_counter() - start_time,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "tune.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record


# --- fusion: route's semantic arm ------------------------------------------

#: The alphas tried by the fusion tuner.
ALPHAS = tuple(round(0.05 * i, 2) for i in range(21))


def _fusion_inputs(
    shared: Path, queries: Sequence[Query], model: Path, out: Callable[[str], None]
) -> dict[str, tuple[list[str], Any, Any]]:
    """Per query: (rel paths by doc id, lexical (ids, scores) of every hit, (vectors, request))."""
    from specsearch import Index  # noqa: PLC0415

    inputs: dict[str, tuple[list[str], Any, Any]] = {}
    for name in sorted({q.collection for q in queries}):
        folder = shared / "corpora" / name
        index = Index.build([str(folder)], backend="native")
        started = time.perf_counter()
        vectors = index.doc_vectors_f32(model)
        seconds = time.perf_counter() - started
        out(f"{name}: {len(vectors)} specs embedded in {seconds:.1f} s")
        paths = [
            _rel(Path(d.path) if Path(d.path).is_absolute() else folder / d.path, folder)
            for d in index._backend.docs(range(len(vectors)))
        ]
        encoder = index.encoder(model)
        for q in queries:
            if q.collection == name:
                lexical = index._backend.route(q.text, len(vectors))
                request = encoder.embed([q.text])[0]
                inputs[q.id] = (
                    paths,
                    (lexical.ids_list(), lexical.scores_list()),
                    (vectors, request),
                )
    return inputs


def _fused_figures(
    inputs: Mapping[str, tuple[list[str], Any, Any]],
    queries: Sequence[Query],
    alpha: float,
    *,
    feedback: bool | tuple[float, float] = True,
) -> Scores:
    """Dev-set figures of route's hybrid ranking at ``alpha``, as ``Index.route`` ranks.

    ``feedback``: True for the feedback step of ``data/fusion.json``, False
    for none (beta 0), or an explicit ``(tau, beta)``.
    """
    from specsearch.pure.embed.fuse import route_scores, top_k  # noqa: PLC0415
    from specsearch.vectors import FUSION  # noqa: PLC0415

    if isinstance(feedback, tuple):
        tau, beta = feedback
    else:
        tau, beta = FUSION["feedback_tau"], FUSION["feedback_beta"] if feedback else 0.0
    scores = Scores()
    for q in queries:
        paths, (ids, lex), (vectors, request) = inputs[q.id]
        _, _, fused, _ = route_scores(vectors, request, ids, lex, alpha, tau=tau, beta=beta)
        ranked = [paths[i] for i, _ in top_k(fused, K)]
        scores.ndcg[q.id] = ndcg(ranked, q.grades)
        scores.mrr[q.id] = mrr(ranked, q.grades)
        scores.recall[q.id] = recall(ranked, q.grades)
    return scores


def _best_alpha(
    inputs: Mapping[str, tuple[list[str], Any, Any]], queries: Sequence[Query]
) -> float:
    """The alpha of the best mean nDCG@10 (ties: the smaller alpha)."""
    return max(
        ALPHAS,
        key=lambda a: (mean(_fused_figures(inputs, queries, a).ndcg.values()), -a),
    )


def _headline(scores: Scores, queries: Sequence[Query]) -> dict[str, float]:
    """Mean nDCG@10 and MRR@10 overall and on the symptom requests."""
    symptom = [q.id for q in queries if q.style == "symptom"]
    return {
        "ndcg": mean(scores.ndcg.values()),
        "mrr": mean(scores.mrr.values()),
        "symptom_ndcg": mean(scores.ndcg[i] for i in symptom),
    }


def run_tune_alpha(shared: Path, model: Path, out: Callable[[str], None]) -> dict[str, Any]:
    """Choose route's alpha on the dev set (in sample and leave-one-collection-out).

    The feedback step's tau and beta are read from ``data/fusion.json``, not tuned here.
    """
    from specsearch.vectors import FUSION  # noqa: PLC0415

    queries = load_queries(shared)
    inputs = _fusion_inputs(shared, queries, model, out)
    alpha = _best_alpha(inputs, queries)
    collections = sorted({q.collection for q in queries})
    held_out = Scores()
    cv_alpha: dict[str, float] = {}
    for left_out in collections:
        rest = [q for q in queries if q.collection != left_out]
        cv_alpha[left_out] = _best_alpha(inputs, rest)
        got = _fused_figures(
            inputs, [q for q in queries if q.collection == left_out], cv_alpha[left_out]
        )
        held_out.ndcg.update(got.ndcg)
        held_out.mrr.update(got.mrr)
        held_out.recall.update(got.recall)
    plain = max(
        ALPHAS,
        key=lambda a: (mean(_fused_figures(inputs, queries, a, feedback=False).ndcg.values()), -a),
    )
    rows = {
        "lexical": _fused_figures(inputs, queries, 0.0),
        f"hybrid a={plain}, no feedback": _fused_figures(inputs, queries, plain, feedback=False),
        f"hybrid a={alpha}": _fused_figures(inputs, queries, alpha),
        "hybrid LOCO": held_out,
    }
    groups = slices(queries)
    lines = table(rows, groups)
    for line in lines:
        out(line)
    out(f"alpha {alpha} (in sample); per held-out collection {cv_alpha}")
    path = Path(__file__).parent.parent / "python" / "specsearch" / "data" / "fusion.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["alpha"] = alpha
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    record = {
        "command": "python -m benches.relevance --tune-alpha",
        "alpha": alpha,
        "alpha_per_held_out_collection": cv_alpha,
        "table": lines,
        "feedback": {"tau": FUSION["feedback_tau"], "beta": FUSION["feedback_beta"]},
        "hybrid_without_feedback": {
            "alpha": plain,
            **_headline(rows[f"hybrid a={plain}, no feedback"], queries),
        },
        "hybrid": _headline(rows[f"hybrid a={alpha}"], queries),
        "hybrid_leave_one_collection_out": _headline(held_out, queries),
        "lexical": _headline(rows["lexical"], queries),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "fusion.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record


#: The feedback settings swept by ``--sweep-feedback``: (tau, beta).
FEEDBACK_GRID = tuple(
    (tau, beta) for tau in (0.1, 0.25, 0.5, 0.75, 1.0, 1.5) for beta in (0.5, 0.7, 1.0, 1.5, 2.0)
)


def run_sweep_feedback(shared: Path, model: Path, out: Callable[[str], None]) -> dict[str, Any]:
    """How route's feedback step (tau, beta) was chosen, reproducibly; writes no parameter.

    For every (tau, beta) of :data:`FEEDBACK_GRID`: the best alpha in sample
    and its figures. Then nested leave-one-collection-out: (tau, beta, alpha)
    chosen together on three collections, scored on the fourth, so the
    figure does not profit from picking the best point of the grid.
    """
    queries = load_queries(shared)
    inputs = _fusion_inputs(shared, queries, model, out)
    per: dict[tuple[float, float, float], Scores] = {
        (tau, beta, alpha): _fused_figures(inputs, queries, alpha, feedback=(tau, beta))
        for tau, beta in FEEDBACK_GRID
        for alpha in ALPHAS
    }

    def best(ids: set[str]) -> tuple[float, float, float]:
        return max(per, key=lambda key: (mean(per[key].ndcg[i] for i in ids), -key[2]))

    symptom = {q.id for q in queries if q.style == "symptom"}
    rows = []
    for tau, beta in FEEDBACK_GRID:
        alpha = max(ALPHAS, key=lambda a: (mean(per[(tau, beta, a)].ndcg.values()), -a))
        got = per[(tau, beta, alpha)]
        rows.append(
            {
                "tau": tau,
                "beta": beta,
                "alpha": alpha,
                "ndcg": mean(got.ndcg.values()),
                "mrr": mean(got.mrr.values()),
                "symptom_ndcg": mean(got.ndcg[i] for i in symptom),
            }
        )
        out(
            f"tau {tau:<5} beta {beta:<4} alpha {alpha:<5} nDCG@10 {rows[-1]['ndcg']:.3f}"
            f" MRR@10 {rows[-1]['mrr']:.3f} symptom {rows[-1]['symptom_ndcg']:.3f}"
        )
    held = Scores()
    picks: dict[str, list[float]] = {}
    for left_out in sorted({q.collection for q in queries}):
        key = best({q.id for q in queries if q.collection != left_out})
        picks[left_out] = list(key)
        for q in queries:
            if q.collection == left_out:
                held.ndcg[q.id] = per[key].ndcg[q.id]
                held.mrr[q.id] = per[key].mrr[q.id]
    nested = _headline(held, queries)
    out(
        f"nested LOCO over (tau, beta, alpha): nDCG@10 {nested['ndcg']:.3f}"
        f" MRR@10 {nested['mrr']:.3f} symptom {nested['symptom_ndcg']:.3f}; picks {picks}"
    )
    record = {
        "command": "python -m benches.relevance --sweep-feedback",
        "grid": rows,
        "nested_leave_one_collection_out": {**nested, "picks": picks},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "feedback_sweep.json").write_text(
        json.dumps(record, indent=2) + "\n", encoding="utf-8"
    )
    return record


# --- the report ------------------------------------------------------------

#: The engines of the report, in column order.
ENGINE_NAMES = (
    "route/native",
    "route/python",
    "query/native",
    "query/python",
    "tantivy-py",
    "bm25s",
)


def make_ranker(engine: str, folder: Path) -> Ranker:
    """Build one engine over one collection folder."""
    if engine == "tantivy-py":
        return TantivyRanker(folder)
    if engine == "bm25s":
        return Bm25sRanker(folder)
    method, backend = engine.split("/")
    return BackendRanker(folder, backend, method)


def table(rows: Mapping[str, Scores], groups: Mapping[str, list[str]]) -> list[str]:
    """Markdown lines: one row per slice, nDCG/MRR/recall per engine."""
    engines = list(rows)
    head = "| slice | n | " + " | ".join(f"{e} nDCG / MRR / R" for e in engines) + " |"
    lines = [head, "|---|---:|" + "---:|" * len(engines)]
    for label, ids in groups.items():
        cells = [
            f"{mean(rows[e].ndcg[i] for i in ids):.3f} / {mean(rows[e].mrr[i] for i in ids):.3f}"
            f" / {mean(rows[e].recall[i] for i in ids):.3f}"
            for e in engines
        ]
        lines.append(f"| {label} | {len(ids)} | " + " | ".join(cells) + " |")
    return lines


def run_report(
    shared: Path, engines: Sequence[str], pair_engines: Sequence[str], out: Callable[[str], None]
) -> dict[str, Any]:
    """The relevance table and the example-pair MRR; results written to ``RESULTS``."""
    queries = load_queries(shared)
    names = sorted({q.collection for q in queries})
    rows: dict[str, Scores] = {}
    for engine in engines:
        started = time.perf_counter()
        try:
            rankers = {c: make_ranker(engine, shared / "corpora" / c) for c in names}
        except (ImportError, AttributeError, ModuleNotFoundError) as error:
            out(f"{engine}: not measured ({error})")
            continue
        rows[engine] = run_queries(rankers, queries)
        out(f"{engine}: {time.perf_counter() - started:.1f} s")
    groups = slices(queries)
    lines = table(rows, groups)
    for line in lines:
        out(line)
    pairs_out: dict[str, dict[str, float]] = {}
    if pair_engines:
        with tempfile.TemporaryDirectory(prefix="specsearch-pairs-") as tmp:
            pairs: list[Pair] = []
            folders = sorted(p for p in (shared / "corpora").iterdir() if p.is_dir())
            everywhere: dict[str, list[str]] = {}  # digest -> "collection/path" of each copy
            for folder in folders:
                pairs.extend(held_out_copy(folder, Path(tmp) / folder.name))
                for _path, fs_path in _spec_files(folder):
                    digest = hashlib.sha256(fs_path.read_bytes()).hexdigest()
                    everywhere.setdefault(digest, []).append(
                        f"{folder.name}/{_rel(fs_path, folder)}"
                    )
            whole = [
                Pair(p.collection, p.text, dict.fromkeys(everywhere[p.digest], 2), p.digest)
                for p in pairs
            ]
            out(f"example pairs: {len(pairs)} over {len(folders)} collections")
            for engine in pair_engines:
                started = time.perf_counter()
                rankers = {f.name: make_ranker(engine, Path(tmp) / f.name) for f in folders}
                pairs_out[engine] = pair_mrr(rankers, pairs)
                one = make_ranker(engine, Path(tmp))
                pairs_out[engine]["one index"] = pair_mrr({f.name: one for f in folders}, whole)[
                    "overall"
                ]
                out(
                    f"example-pair MRR@10 {engine}: {pairs_out[engine]['overall']:.3f} ranked "
                    f"within each collection, {pairs_out[engine]['one index']:.3f} in one index "
                    f"of all ({time.perf_counter() - started:.1f} s)"
                )
    record = {
        "command": "python -m benches.relevance",
        "queries": len(queries),
        "figures": {
            e: {
                label: {
                    "ndcg": mean(rows[e].ndcg[i] for i in ids),
                    "mrr": mean(rows[e].mrr[i] for i in ids),
                    "recall": mean(rows[e].recall[i] for i in ids),
                }
                for label, ids in groups.items()
            }
            for e in rows
        },
        # Per query, for failure analysis: route and query (native), top 5.
        "per_query": {
            e: {i: {"ndcg": s.ndcg[i], "mrr": s.mrr[i], "top": s.ranked[i][:5]} for i in s.ndcg}
            for e, s in rows.items()
            if e.endswith("/native")
        },
        "example_pairs": pairs_out,
        "table": lines,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "report.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    # route's overall figures, kept per engine (a run of one engine keeps the other's).
    baseline_file = RESULTS / "baseline.json"
    baseline: dict[str, Any] = (
        json.loads(baseline_file.read_text(encoding="utf-8")) if baseline_file.is_file() else {}
    )
    for e in rows:
        if e.startswith("route/"):
            ids = groups["overall"]
            baseline[e] = {
                "ndcg": mean(rows[e].ndcg[i] for i in ids),
                "mrr": mean(rows[e].mrr[i] for i in ids),
                "recall": mean(rows[e].recall[i] for i in ids),
            }
    baseline_file.write_text(json.dumps(baseline, indent=1) + "\n", encoding="utf-8")
    return record


def run_speed(shared: Path, rounds: int, out: Callable[[str], None]) -> dict[str, Any]:
    """``route`` against ``search`` on the same words, native, over all of ``../shared/corpora``.

    Each of the 150 dev requests is run ``rounds`` times through the API
    (``Index.route`` / ``Index.search``, top 10, arrays only); ``search`` gets
    the request's ranking words joined by spaces (what route ranks with), so
    both do the same lookups. p50 and p90 of the per-call wall times.
    """
    from specsearch import Index  # noqa: PLC0415

    queries = load_queries(shared)
    with Index.build([str(shared / "corpora")], backend="native") as index:
        words = [" ".join(index.route(q.text, 1).explain().words) for q in queries]
        times: dict[str, list[float]] = {"route": [], "search": []}
        for _ in range(rounds):
            for q, w in zip(queries, words, strict=True):
                start = time.perf_counter()
                index.route(q.text, K).doc_ids  # noqa: B018 - the arrays are the work
                times["route"].append(time.perf_counter() - start)
                start = time.perf_counter()
                index.search(w, K).doc_ids  # noqa: B018
                times["search"].append(time.perf_counter() - start)
        docs = len(index)
    record: dict[str, Any] = {"docs": docs, "requests": len(queries), "rounds": rounds}
    for name, values in times.items():
        ordered = sorted(values)
        record[name] = {
            "p50_ms": 1000 * statistics.median(ordered),
            "p90_ms": 1000 * ordered[int(0.9 * (len(ordered) - 1))],
        }
    record["ratio_p50"] = record["route"]["p50_ms"] / record["search"]["p50_ms"]
    out(
        f"speed over {docs} specs: route p50 {record['route']['p50_ms']:.3f} ms, "
        f"search p50 {record['search']['p50_ms']:.3f} ms (same words): "
        f"{record['ratio_p50']:.2f}x"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "speed.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return record


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m benches.relevance [--tune] [--tune-alpha] [--sweep-feedback] [--engines]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tune", action="store_true", help="choose route's parameters")
    parser.add_argument(
        "--speed", action="store_true", help="only time route against search (native)"
    )
    parser.add_argument(
        "--tune-alpha",
        action="store_true",
        help="choose route's fusion alpha (needs the model: specsearch model fetch)",
    )
    parser.add_argument(
        "--sweep-feedback",
        action="store_true",
        help="report route's feedback (tau, beta) grid and its nested LOCO (needs the model)",
    )
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the speed run")
    parser.add_argument(
        "--engines", default=",".join(ENGINE_NAMES), help="comma-separated engines for the table"
    )
    parser.add_argument(
        "--pair-engines",
        default="route/native,query/native,tantivy-py,bm25s",
        help="comma-separated engines for the example pairs ('' for none)",
    )
    args = parser.parse_args(argv)
    shared = shared_dir()
    if shared is None:
        print(
            "../shared (or $SPECSEARCH_SHARED) with relevance/ and corpora/ is absent",
            file=sys.stderr,
        )
        return 2

    def out(line: str) -> None:
        print(line, flush=True)

    if args.tune or args.tune_alpha or args.sweep_feedback:
        from specsearch.errors import ModelNotFoundError  # noqa: PLC0415
        from specsearch.model import resolve_model  # noqa: PLC0415

        if args.tune:
            run_tune(shared, out)
        try:
            model = resolve_model(None, os.environ)
        except ModelNotFoundError as error:
            out(f"fusion alpha not tuned: {error}")
            return 0
        if args.sweep_feedback:
            run_sweep_feedback(shared, model, out)
        if args.tune or args.tune_alpha:
            run_tune_alpha(shared, model, out)
        return 0
    if args.speed:
        run_speed(shared, args.rounds, out)
        return 0
    engines = [e for e in args.engines.split(",") if e]
    pair_engines = [e for e in args.pair_engines.split(",") if e]
    run_report(shared, engines, pair_engines, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
