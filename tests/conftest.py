"""Shared fixtures: backends, the example specs, the real corpora."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "specs"

settings.register_profile("fast", max_examples=20, deadline=None)
settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "nightly", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))


def corpora_dir() -> Path | None:
    """``../shared/corpora`` beside the checkout (or $SPECSEARCH_CORPORA), if present."""
    configured = os.environ.get("SPECSEARCH_CORPORA")
    path = Path(configured) if configured else ROOT.parent / "shared" / "corpora"
    return path if path.is_dir() else None


@pytest.fixture(scope="session")
def corpora() -> Path:
    path = corpora_dir()
    if path is None:
        pytest.skip("the real corpora (../shared/corpora or $SPECSEARCH_CORPORA) are absent")
    return path


@pytest.fixture(scope="session")
def examples() -> Path:
    return EXAMPLES


@pytest.fixture(autouse=True)
def private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Keep default index folders out of the user's cache directory."""
    cache = tmp_path_factory.mktemp("xdg-cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    # Nor the user's CLI config or Claude Code folders (tests set them when they need them).
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-config")))
    monkeypatch.delenv("SPECSEARCH_CONFIG", raising=False)
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)
    return cache


@pytest.fixture(params=["native", "python"])
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name
