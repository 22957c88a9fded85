"""The CLI side of the agent surface: `query --fields` and the `mcp` command."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from click.testing import CliRunner

from specsearch.cli import HIT_FIELDS, cli

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def test_fields_gives_compact_json_with_only_those_keys(examples: Path) -> None:
    result = CliRunner().invoke(
        cli, ["query", "tokio cancellation", str(examples), "-k", "2", "--fields", "name,path"]
    )
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.count("\n") == 1
    assert ", " not in out  # no spaces after separators
    doc = json.loads(out)
    assert list(doc) == ["hits"]
    assert [list(h) for h in doc["hits"]] == [["name", "path"], ["name", "path"]]
    assert doc["hits"][0]["name"] == "async-rust-reviewer"


def test_fields_is_smaller_than_json(examples: Path) -> None:
    args = ["query", "concurrency", str(examples)]
    full = CliRunner().invoke(cli, [*args, "--json"]).stdout
    compact = CliRunner().invoke(cli, [*args, "--fields", "name,score"]).stdout
    assert len(compact) < len(full) / 3


def test_fields_rejects_unknown_keys(examples: Path) -> None:
    result = CliRunner().invoke(cli, ["query", "x", str(examples), "--fields", "name,colour"])
    assert result.exit_code == 2
    assert "colour" in result.stderr
    assert ",".join(HIT_FIELDS) in result.stderr


def test_fields_no_hits_exits_1(examples: Path) -> None:
    result = CliRunner().invoke(cli, ["query", "zzzqqq", str(examples), "--fields", "name"])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"hits": []}


def test_mcp_without_the_sdk_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, examples: Path
) -> None:
    # As if the SDK were not installed (None in sys.modules makes an import fail).
    for name in [m for m in sys.modules if m.split(".")[0] in ("mcp", "mcp_types")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "mcp", None)
    monkeypatch.delitem(sys.modules, "specsearch.mcp_tools", raising=False)
    result = CliRunner().invoke(cli, ["mcp", str(examples)])
    assert result.exit_code == 2
    assert "pip install 'specsearch[mcp]'" in result.stderr
    assert "Traceback" not in result.stderr
