"""``k`` through the API: any integer is answered alike by both engines; anything else is said."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from specsearch import Index
from specsearch.errors import SchemaError
from tests.robustness.helpers import python

if TYPE_CHECKING:
    from pathlib import Path

HUGE_BATCH = """
import json, resource, sys
# 3 GB of address space: what the arrays of k = 10**9 need is far more.
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
from specsearch import Index
with Index.build([sys.argv[1]], backend=sys.argv[2]) as index:
    batch = index.search_many(["tokio", "rust"], k=10**9)
    print(json.dumps([list(batch.doc_ids.shape), list(batch.counts), len(index)]))
"""


def test_a_huge_k_in_a_batch_asks_for_no_huge_arrays(backend: str, examples: Path) -> None:
    code = HUGE_BATCH.replace("sys.argv[1]", repr(str(examples))).replace(
        "sys.argv[2]", repr(backend)
    )
    done = python(code)
    assert done.returncode == 0, done.stderr[-2000:]
    shape, counts, docs = json.loads(done.stdout)
    assert shape == [2, docs]
    assert all(0 < c <= docs for c in counts)


def test_a_k_past_any_machine_integer_is_answered_alike(examples: Path) -> None:
    found = {}
    for backend in ("native", "python"):
        with Index.build([examples], backend=backend) as index:
            found[backend] = (
                list(index.search("tokio", k=10**30).doc_ids),
                [h.doc_id for h in index.route("tokio code", k=2**64)],
            )
    assert found["native"] == found["python"]
    assert found["native"][0]


@pytest.mark.parametrize("k", [2.5, "3", None, -1])
def test_a_k_that_is_no_count_is_a_schema_error(backend: str, examples: Path, k: object) -> None:
    with Index.build([examples], backend=backend) as index:
        for call in (index.search, index.route):
            with pytest.raises(SchemaError) as caught:
                call("tokio", k=k)  # type: ignore[arg-type]
            assert caught.value.field == "k"
        with pytest.raises(SchemaError):
            index.search_many(["tokio"], k=k)  # type: ignore[arg-type]
