"""One schema: the Python definition agrees with the Rust core's, and every
engine rejects a bad weight the same way (``SchemaError``, ``weight.<field>``)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pytest

from specsearch import Index, SchemaError, _native
from specsearch.schema import (
    DEFAULT_WEIGHTS,
    FIELDS,
    K1,
    B,
    check_field,
    check_weights,
    field_weights,
    weight_map,
)

if TYPE_CHECKING:
    from pathlib import Path

    from specsearch.schema import Weights

BAD_WEIGHTS: list[tuple[Weights, str]] = [
    ((1.0, -1.0, 1.0, 1.0, 1.0, 1.0), "description"),
    ((1.0, 1.0, 1.0, 1.0, math.inf, 1.0), "body"),
    ((1.0, 1.0, 1.0, 1.0, 1.0, math.nan), "examples"),
    ((-0.5, 1.0, 1.0, 1.0, 1.0, 1.0), "name"),
]


def test_the_python_schema_is_the_rust_schema() -> None:
    assert _native.FIELDS == FIELDS
    assert tuple(DEFAULT_WEIGHTS[f] for f in FIELDS) == _native.DEFAULT_WEIGHTS
    assert tuple(DEFAULT_WEIGHTS) == FIELDS
    assert (_native.K1, _native.B) == (K1, B)


def test_check_weights() -> None:
    assert check_weights([1, 2, 3, 4, 5, 0]) == (1.0, 2.0, 3.0, 4.0, 5.0, 0.0)
    with pytest.raises(SchemaError, match="expected 6 weights") as caught:
        check_weights([1.0])
    assert caught.value.field == "weights"
    with pytest.raises(SchemaError) as caught:
        check_weights([1.0, 1.0, True, 1.0, 1.0, 1.0])
    assert caught.value.field == "weight.frontmatter"
    for bad, field in BAD_WEIGHTS:
        with pytest.raises(SchemaError) as caught:
            check_weights(bad)
        assert caught.value.field == f"weight.{field}"


def test_weight_map_and_overrides() -> None:
    assert weight_map(None) == dict(DEFAULT_WEIGHTS)
    assert weight_map((1, 1, 1, 1, 2, 1))["body"] == 2.0
    assert field_weights(None) is None
    assert field_weights({"body": 0.5}) == (3.0, 2.0, 1.0, 1.5, 0.5, 1.5)
    with pytest.raises(SchemaError, match="unknown field 'colour'") as caught:
        field_weights({"colour": 1.0})
    assert caught.value.field == "weights"
    with pytest.raises(SchemaError) as caught:
        field_weights({"headings": -2.0})
    assert caught.value.field == "weight.headings"
    assert check_field("body") == "body"
    with pytest.raises(SchemaError):
        check_field("colour")


@pytest.mark.parametrize(("bad", "field"), BAD_WEIGHTS)
def test_every_engine_names_the_bad_weight_alike(
    examples: Path, backend: str, bad: Weights, field: str
) -> None:
    """The facade, each backend behind it, and the extension itself."""
    with Index.build([examples], backend=backend) as index:
        overrides = dict(zip(FIELDS, bad, strict=True))
        with pytest.raises(SchemaError) as caught:
            index.search("rust", weights=overrides)
        assert caught.value.field == f"weight.{field}"
        with pytest.raises(SchemaError) as caught:
            index.search_many(["rust"], weights=overrides)
        assert caught.value.field == f"weight.{field}"
        raw = index._backend  # the backend itself, without the facade's check
        with pytest.raises(SchemaError) as caught:
            raw.search("rust", 3, weights=bad)
        assert caught.value.field == f"weight.{field}"
        with pytest.raises(SchemaError) as caught:
            raw.search_many(["rust"], 3, weights=bad)
        assert caught.value.field == f"weight.{field}"
