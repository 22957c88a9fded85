"""The tantivy bench adapter behind the Protocol.

It is not a product backend; it does equal work, translates the query tree, updates.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING, Any

import pytest

from specsearch import BACKEND_NAMES, Index
from specsearch.backend import BuildOptions
from specsearch.errors import BackendUnavailableError, QueryError, SchemaError
from specsearch.pure import parse_spec
from specsearch.select import load_backend, resolve_backend

if TYPE_CHECKING:
    from pathlib import Path

    from specsearch.protocols import Backend

pytest.importorskip("tantivy")

from benches import tantivy_backend

#: Words whose hits do not depend on stemming or code-aware splitting in the examples.
PLAIN_WORDS = ("tokio", "kubernetes", "sql", "security", "python", "rust", "asyncio", "operator")


@pytest.fixture(scope="module")
def tantivy_index(examples: Path) -> Backend:
    return tantivy_backend.load().build([str(examples)], BuildOptions())


def _ids(backend: Backend, query: str) -> list[int]:
    return sorted(backend.search(query, 1000).ids_list())


def test_not_a_product_backend_but_usable_behind_the_facade(examples: Path) -> None:
    assert "tantivy" not in BACKEND_NAMES
    with pytest.raises(SchemaError, match="unknown backend 'tantivy'"):
        resolve_backend(None, {"SPECSEARCH_BACKEND": "tantivy"})
    with Index(tantivy_backend.load().build([str(examples)], BuildOptions())) as index:
        hits = index.search("kubernetes", k=3)
        assert hits.backend == "tantivy"
        assert hits[0].name == "k8s-operator-engineer"
        assert hits[0].snippet is None


def test_missing_tantivy_is_backend_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tantivy_backend, "_MISSING", ImportError("No module named 'tantivy'"))
    with pytest.raises(BackendUnavailableError, match="tantivy"):
        tantivy_backend.load()


@pytest.mark.parametrize("reference", ["python", "native"])
def test_same_hits_as_specsearch(examples: Path, tantivy_index: Backend, reference: str) -> None:
    try:
        other = load_backend(reference).build([str(examples)], BuildOptions())
    except BackendUnavailableError as err:
        pytest.skip(str(err))
    with other:
        assert other.num_docs == tantivy_index.num_docs
        assert [d.path for d in other.docs(range(other.num_docs))] == [
            d.path for d in tantivy_index.docs(range(tantivy_index.num_docs))
        ]
        for word in PLAIN_WORDS:
            assert _ids(tantivy_index, word) == _ids(other, word), word


def test_query_tree_is_translated(tantivy_index: Backend) -> None:
    rust, tokio = set(_ids(tantivy_index, "rust")), set(_ids(tantivy_index, "tokio"))
    everything = set(range(tantivy_index.num_docs))
    assert set(_ids(tantivy_index, "rust tokio")) == rust | tokio
    assert set(_ids(tantivy_index, "rust AND tokio")) == rust & tokio
    assert set(_ids(tantivy_index, "-rust")) == everything - rust
    assert set(_ids(tantivy_index, "rust -tokio")) == rust - tokio
    phrase = set(_ids(tantivy_index, '"structured concurrency"'))
    assert phrase
    assert phrase <= set(_ids(tantivy_index, "structured AND concurrency"))
    assert set(_ids(tantivy_index, "name:reviewer")) <= set(_ids(tantivy_index, "reviewer"))
    assert _ids(tantivy_index, "kuber*") == _ids(tantivy_index, "kubernetes")
    assert _ids(tantivy_index, "kubernetis~1") == _ids(tantivy_index, "kubernetes")


def test_field_filters_and_errors(tantivy_index: Backend) -> None:
    opus = _ids(tantivy_index, "model:opus")
    assert opus
    assert all(d.name for d in tantivy_index.docs(opus))
    with pytest.raises(QueryError, match="unknown field 'nosuchkey'"):
        tantivy_index.search("nosuchkey:x", 5)
    with pytest.raises(QueryError, match="no searchable terms"):
        tantivy_index.search("!!!", 5)
    with pytest.raises(QueryError):
        tantivy_index.search("(rust", 5, strict=True)
    weighted = tantivy_index.search("rust", 5, weights=(0.0, 0.0, 0.0, 0.0, 1.0, 0.0))
    assert len(weighted) == len(tantivy_index.search("rust", 5))


def test_search_many(tantivy_index: Backend) -> None:
    batch = tantivy_index.search_many(["rust", "nosuchkey:x", "sql"], 3)
    assert batch.ids_array().shape == (3, 3)
    assert batch.counts_list()[1] == 0
    assert set(batch.errors) == {1}
    assert batch.ids_array()[0, 0] == tantivy_index.search("rust", 1).ids_list()[0]


def test_persistent_index_updates(examples: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "specs"
    shutil.copytree(examples, corpus)
    folder = str(tmp_path / "index")
    backend_class = tantivy_backend.load()
    first, info = backend_class.open(folder, [str(corpus)], BuildOptions(), None)
    assert info.rebuilt
    assert info.committed
    assert info.added == first.num_docs
    first.close()
    again, info = backend_class.open(folder, [str(corpus)], BuildOptions(), None)
    assert not info.committed
    assert info.unchanged == again.num_docs
    again.close()
    target = corpus / "sql-query-optimizer.md"
    target.write_text(target.read_text(encoding="utf-8") + "\nzanzibarish\n", encoding="utf-8")
    (corpus / "security-auditor.md").unlink()
    updated, info = backend_class.open(folder, [str(corpus)], BuildOptions(), None)
    assert (info.changed, info.deleted, info.committed) == (1, 1, True)
    with updated:
        assert [d.name for d in updated.docs(updated.search("zanzibarish", 5).ids_list())] == [
            "sql-query-optimizer"
        ]
        assert updated.search("auditor", 5).ids_list() == []
        assert updated.stats().size_bytes > 0
    with backend_class.open_existing(folder) as existing:
        assert existing.num_docs == 6


class _Recorder:
    """A tantivy writer that records when documents reach it."""

    def __init__(self, writer: Any, events: list[str]) -> None:
        self._writer = writer
        self._events = events

    def add_document(self, document: Any) -> None:
        self._events.append("add")
        self._writer.add_document(document)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._writer, name)


@pytest.mark.parametrize("streamed", [False, True])
def test_engine_time_starts_after_the_parse(
    examples: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streamed: bool
) -> None:
    """By default no document reaches tantivy before every file is parsed.

    Otherwise tantivy's indexing threads work during the parse, which
    ``index_seconds`` leaves out, and the engine looks faster than it is.
    """
    events: list[str] = []
    real_writer = tantivy_backend.TantivyBackend._writer

    def writer(index: Any, options: BuildOptions) -> _Recorder:
        return _Recorder(real_writer(index, options), events)

    def parse(*args: Any) -> Any:
        events.append("parse")
        return parse_spec(*args)

    monkeypatch.setattr(tantivy_backend.TantivyBackend, "_writer", staticmethod(writer))
    monkeypatch.setattr("benches.tantivy_backend.parse_spec", parse)
    backend, info = tantivy_backend.TantivyBackend.open(
        str(tmp_path / "ix"), [str(examples)], BuildOptions(), None, streamed=streamed
    )
    with backend:
        assert info.added == events.count("add") == events.count("parse") > 1
        assert backend.timings["index_seconds"] > 0.0
        assert backend.search("kubernetes", 1).ids_list()
    first_add, last_parse = events.index("add"), len(events) - 1 - events[::-1].index("parse")
    assert (first_add < last_parse) is streamed
