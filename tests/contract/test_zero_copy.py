"""Result arrays share the backend's memory: no copy."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest

from specsearch import Index

if TYPE_CHECKING:
    from pathlib import Path


def test_native_arrays_are_views_of_rust_buffers(examples: Path) -> None:
    from specsearch import _native  # noqa: PLC0415

    with Index.build([examples], backend="native") as index:
        hits = index.search("concurrency rust", k=5)
        ids, scores = hits.doc_ids, hits.scores
        assert ids.dtype == np.uint32
        assert scores.dtype == np.float32
        assert len(ids) == len(scores) == len(hits) > 0
        for array in (ids, scores):
            assert not array.flags.owndata
            assert isinstance(array.base, _native.TopDocs)
            assert not array.flags.writeable
        # Both arrays view the same Rust-side owner, and repeated access does not copy.
        assert ids.base is scores.base
        assert hits.doc_ids is ids
        assert ids.tolist() == [h.doc_id for h in hits]
        assert scores.tolist() == pytest.approx([h.score for h in hits])
        with pytest.raises(ValueError, match="read-only"):
            ids[0] = 7


def test_arrays_outlive_the_index(examples: Path) -> None:
    index = Index.build([examples], backend="native")
    hits = index.search("concurrency", k=3)
    ids = hits.doc_ids.copy()
    view = hits.doc_ids
    index.close()
    del hits
    assert view.tolist() == ids.tolist()


def test_python_arrays_are_views_too(examples: Path) -> None:
    with Index.build([examples], backend="python") as index:
        hits = index.search("concurrency", k=3)
        assert not hits.doc_ids.flags.owndata
        assert not hits.scores.flags.writeable


def test_on_disk_doc_lengths_are_read_only_views_of_the_mapped_file(
    examples: Path, tmp_path: Path
) -> None:
    from specsearch import _native  # noqa: PLC0415

    index = Index.open([examples], index_dir=tmp_path / "idx", backend="native")
    arrays = index.doc_lengths("body")
    assert len(arrays) == index.stats().segments >= 1
    for array in arrays:
        assert array.dtype == np.uint32
        assert not array.flags.owndata
        assert not array.flags.writeable
        assert isinstance(array.base, _native.IndexBuffers)
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 1
    totals = {f: sum(int(a.sum()) for a in index.doc_lengths(f)) for f in ("name", "body")}
    index.close()
    # The views keep the mapping alive after the index is closed.
    assert sum(int(a.sum()) for a in arrays) == totals["body"]
    with Index.build([examples], backend="python") as reference:
        for field, total in totals.items():
            assert total == sum(int(a.sum()) for a in reference.doc_lengths(field))


def test_unknown_field_is_a_schema_error(backend: str, examples: Path) -> None:
    from specsearch import SchemaError  # noqa: PLC0415

    with Index.build([examples], backend=backend) as index, pytest.raises(SchemaError):
        index.doc_lengths("nope")


def test_batch_arrays_are_views_of_rust_buffers(examples: Path, tmp_path: Path) -> None:
    from specsearch import _native  # noqa: PLC0415

    queries = ["concurrency", "kubernetes operator", "zzzz-nothing", "", "rust AND tokio"]
    with Index.open([examples], index_dir=tmp_path / "idx", backend="native") as index:
        batch = index.search_many(queries, k=4)
        ids, scores = batch.doc_ids, batch.scores
        assert ids.shape == scores.shape == (5, 4)
        assert ids.dtype == np.int64
        assert scores.dtype == np.float32
        for array in (ids, scores):
            assert not array.flags.owndata
            assert isinstance(array.base, _native.BatchTopDocs)
            assert not array.flags.writeable
        assert ids.base is scores.base
        # Padding: -1 ids and NaN scores past each row's hits; the empty query failed alone.
        assert batch.counts[2] == 0
        assert (ids[2] == -1).all()
        assert np.isnan(scores[2]).all()
        assert list(batch.errors) == [3]
        assert batch.errors[3].position == 0
        for row, query in enumerate(queries):
            if row in batch.errors:
                continue
            single = index.search(query, k=4)
            assert ids[row, : batch.counts[row]].tolist() == single.doc_ids.tolist()
            assert scores[row, : batch.counts[row]].tolist() == single.scores.tolist()
