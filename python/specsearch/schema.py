"""The index schema: fields, default weights and BM25 parameters (SPEC.md §2, §5).

This is the one Python definition; the Rust core's is ``specsearch_core::schema``,
and the test suite checks the two against the constants ``_native`` exports
(``FIELDS``, ``DEFAULT_WEIGHTS``, ``K1``, ``B``). Every engine validates weights
here (or, natively, with the same rule and the same error): a bad weight is a
:class:`~specsearch.errors.SchemaError` whose field is ``weight.<field>``.

It imports nothing but :mod:`specsearch.errors`, so the CLI's start-up path
and every backend may use it.

>>> FIELDS[0], DEFAULT_WEIGHTS["name"], K1, B
('name', 3.0, 1.2, 0.75)
>>> check_weights([1, 1, 1, 1, -1, 1])
Traceback (most recent call last):
...
specsearch.errors.SchemaError: weight.body: must be a finite number >= 0, got -1
"""

from __future__ import annotations

import math
import types

from specsearch.errors import SchemaError

#: ``typing.TYPE_CHECKING`` without importing ``typing`` (start-up cost); mypy reads it so.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = [
    "DEFAULT_WEIGHTS",
    "FIELDS",
    "K1",
    "B",
    "Weights",
    "check_field",
    "check_weights",
    "field_weights",
    "weight_map",
]

#: The indexed fields, in schema order (the order scores are summed in).
FIELDS: tuple[str, ...] = ("name", "description", "frontmatter", "headings", "body", "examples")

#: The default BM25F weight of each field.
DEFAULT_WEIGHTS: Mapping[str, float] = types.MappingProxyType(
    {
        "name": 3.0,
        "description": 2.0,
        "frontmatter": 1.0,
        "headings": 1.5,
        "body": 1.0,
        "examples": 1.5,
    }
)

#: BM25 term-frequency saturation.
K1 = 1.2
#: BM25 length normalisation.
B = 0.75

#: One weight per field of :data:`FIELDS`, in order.
Weights = tuple[float, float, float, float, float, float]


def check_weights(weights: Sequence[float]) -> Weights:
    """Validate one weight per field, in :data:`FIELDS` order.

    Returns:
        The weights as floats.

    Raises:
        SchemaError: not one weight per field (field ``weights``), or a weight
            that is not a finite number >= 0 (field ``weight.<field>``).
    """
    if len(weights) != len(FIELDS):
        raise SchemaError(
            "weights", f"expected {len(FIELDS)} weights ({', '.join(FIELDS)}), got {len(weights)}"
        )
    values: list[float] = []
    for field, value in zip(FIELDS, weights, strict=True):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SchemaError(f"weight.{field}", f"expected a number, got {value!r}")
        number = float(value)
        if not (math.isfinite(number) and number >= 0):
            raise SchemaError(f"weight.{field}", f"must be a finite number >= 0, got {value!r}")
        values.append(number)
    return (values[0], values[1], values[2], values[3], values[4], values[5])


def weight_map(weights: Sequence[float] | None) -> dict[str, float]:
    """The weight of each field: validated ``weights``, or the defaults when None.

    Raises:
        SchemaError: as for :func:`check_weights`.
    """
    if weights is None:
        return dict(DEFAULT_WEIGHTS)
    return dict(zip(FIELDS, check_weights(weights), strict=True))


def field_weights(overrides: Mapping[str, float] | None) -> Weights | None:
    """The six field weights with ``overrides`` applied (None: the defaults).

    >>> field_weights({"name": 5})
    (5.0, 2.0, 1.0, 1.5, 1.0, 1.5)

    Raises:
        SchemaError: an unknown field (field ``weights``), or a weight that is
            not a finite number >= 0 (field ``weight.<field>``).
    """
    if overrides is None:
        return None
    weights = dict(DEFAULT_WEIGHTS)
    for field, value in overrides.items():
        if field not in weights:
            raise SchemaError("weights", f"unknown field {field!r}; fields are {', '.join(FIELDS)}")
        weights[field] = value
    return check_weights([weights[f] for f in FIELDS])


def check_field(field: str) -> str:
    """``field`` when it is one of :data:`FIELDS`.

    Raises:
        SchemaError: it is not (field ``field``).
    """
    if field not in FIELDS:
        raise SchemaError("field", f"unknown field {field!r}; fields are {FIELDS}")
    return field
