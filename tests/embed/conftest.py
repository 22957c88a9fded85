"""Fixtures: the committed tiny model, the real model when installed, both encoders."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from specsearch.encoder import Encoder, load_encoder
from specsearch.model import find_model

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
TINY = VECTORS / "embed_tiny_model"
# Found before the autouse fixture points XDG_CACHE_HOME at a temporary folder.
REAL_MODEL = find_model(None, os.environ)


def read_vectors(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def tiny_encoders() -> dict[str, Encoder]:
    return {name: load_encoder(TINY, name) for name in ("native", "python")}


@pytest.fixture(scope="session")
def real_model() -> Path:
    if REAL_MODEL is None:
        pytest.skip(
            "all-MiniLM-L6-v2 is not installed (specsearch model fetch, or SPECSEARCH_MODEL)"
        )
    return REAL_MODEL


@pytest.fixture
def two_row_commits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Embedding in batches of 2 rows, committed every 2: interruptions land between commits."""
    from specsearch import vectors  # noqa: PLC0415 - only the tests that commit rows need it

    monkeypatch.setattr(vectors, "BATCH", 2)
    monkeypatch.setattr(vectors, "COMMIT_EVERY", 2)
