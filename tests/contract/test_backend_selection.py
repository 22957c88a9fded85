"""Backend selection is explicit; only the implicit default falls back."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import pytest

import specsearch
from specsearch import BackendUnavailableError, Index, SchemaError
from specsearch.select import ENV_VAR, resolve_backend

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def no_extension(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `import specsearch._native` fail, as on a machine without the build."""
    monkeypatch.setitem(sys.modules, "specsearch._native", None)
    monkeypatch.delitem(sys.modules, "specsearch.native", raising=False)
    # `from specsearch import _native` would otherwise find the loaded submodule.
    monkeypatch.delattr(specsearch, "_native", raising=False)
    monkeypatch.delattr(specsearch, "native", raising=False)


def test_argument_beats_environment() -> None:
    assert resolve_backend("python", {ENV_VAR: "native"}).name == "python"
    assert resolve_backend(None, {ENV_VAR: "python"}).name == "python"
    assert resolve_backend(None, {}).name == "native"
    assert resolve_backend(None, {ENV_VAR: ""}).name == "native"


def test_unknown_backend_is_a_schema_error() -> None:
    with pytest.raises(SchemaError, match="unknown backend 'lucene'"):
        resolve_backend("lucene", {})
    with pytest.raises(SchemaError):
        resolve_backend(None, {ENV_VAR: "lucene"})


@pytest.mark.usefixtures("no_extension")
def test_default_falls_back_with_one_notice(examples: Path) -> None:
    notices: list[str] = []
    with Index.build([examples], environ={}, notice=notices.append) as index:
        assert index.backend == "python"
        assert len(index.search("concurrency")) > 0
    assert len(notices) == 1
    assert "\n" not in notices[0]
    assert "python backend" in notices[0]


@pytest.mark.usefixtures("no_extension")
@pytest.mark.parametrize(("backend", "environ"), [("native", {}), (None, {ENV_VAR: "native"})])
def test_explicit_native_never_falls_back(
    examples: Path, backend: str | None, environ: dict[str, str]
) -> None:
    with pytest.raises(BackendUnavailableError, match="native backend is not available"):
        Index.build([examples], backend=backend, environ=environ)


def test_no_notice_when_native_is_there(examples: Path) -> None:
    notices: list[str] = []
    with Index.build([examples], environ={}, notice=notices.append) as index:
        assert index.backend == "native"
    assert notices == []


def test_a_single_path_string_is_rejected(examples: Path) -> None:
    with pytest.raises(SchemaError, match="sequence of paths"):
        Index.build(str(examples), backend="python")
