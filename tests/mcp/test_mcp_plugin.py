"""The Claude Code plugin in integrations/claude-code, checked against the documented layout.

Claude Code's plugin reference (plugins/manifest-reference): the manifest is
``.claude-plugin/plugin.json`` and is the only file in that folder; ``name`` is
required, kebab-case; component folders (``commands/``, ``agents/``,
``skills/<name>/SKILL.md``, ``hooks/``) and ``.mcp.json`` sit at the plugin root;
a component path given in the manifest is relative and starts with ``./``.
``.mcp.json`` maps server names under ``mcpServers`` to ``command``/``args``/``env``.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from specsearch.cli import cli
from specsearch.mcp_tools import TOOL_NAMES

PLUGIN = Path(__file__).resolve().parents[2] / "integrations" / "claude-code"
KEBAB = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
SEMVER = re.compile(r"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$")
# Claude Code keeps at most this many characters of a skill's listing entry.
ENTRY_BUDGET = 1536
COMPONENT_KEYS = ("commands", "agents", "skills", "hooks", "mcpServers", "outputStyles")


def load_json(path: Path) -> dict[str, Any]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(doc, dict), f"{path}: expected a JSON object"
    return doc


def frontmatter(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), f"{path}: no frontmatter"
    block = text.split("---\n", 2)[1]
    doc = yaml.safe_load(block)
    assert isinstance(doc, dict), f"{path}: frontmatter is not a mapping"
    return doc


def test_manifest_has_the_required_keys() -> None:
    folder = PLUGIN / ".claude-plugin"
    assert [p.name for p in folder.iterdir()] == ["plugin.json"]
    manifest = load_json(folder / "plugin.json")
    assert isinstance(manifest.get("name"), str)
    assert KEBAB.match(manifest["name"]), manifest["name"]
    assert isinstance(manifest.get("description"), str)
    if "version" in manifest:
        assert SEMVER.match(manifest["version"])
    if "author" in manifest:
        assert isinstance(manifest["author"], dict)
        assert isinstance(manifest["author"].get("name"), str)
    if "keywords" in manifest:
        assert all(isinstance(k, str) for k in manifest["keywords"])


def test_manifest_component_paths_exist() -> None:
    manifest = load_json(PLUGIN / ".claude-plugin" / "plugin.json")
    for key in COMPONENT_KEYS:
        value = manifest.get(key)
        paths = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        for path in paths:
            assert path.startswith("./"), f"{key}: {path!r} must start with ./"
            assert (PLUGIN / path).exists(), f"{key}: {path} does not exist"


def test_mcp_json_runs_specsearch_mcp() -> None:
    servers = load_json(PLUGIN / ".mcp.json")["mcpServers"]
    assert set(servers) == {"specsearch"}
    entry = servers["specsearch"]
    assert isinstance(entry["command"], str)
    assert all(isinstance(a, str) for a in entry.get("args", []))
    assert all(isinstance(v, str) for v in entry.get("env", {}).values())
    argv = [entry["command"], *entry.get("args", [])]
    assert argv[:2] == ["specsearch", "mcp"], shlex.join(argv)
    # ... and that command exists in this CLI.
    result = CliRunner().invoke(cli, ["mcp", "--help"])
    assert result.exit_code == 0
    assert "MCP" in result.stdout


def test_find_agent_command_tells_when_to_route() -> None:
    command = PLUGIN / "commands" / "find-agent.md"
    meta = frontmatter(command)
    assert isinstance(meta["description"], str)
    assert len(meta["description"]) <= ENTRY_BUDGET
    body = command.read_text(encoding="utf-8")
    assert "$ARGUMENTS" in body
    assert "route_request" in body


def test_skills_are_folders_with_a_skill_md() -> None:
    skills = sorted((PLUGIN / "skills").iterdir())
    assert skills
    for folder in skills:
        skill = folder / "SKILL.md"
        assert skill.is_file(), f"{folder}: no SKILL.md"
        meta = frontmatter(skill)
        assert meta["name"] == folder.name
        assert KEBAB.match(meta["name"])
        assert 0 < len(meta["description"]) <= ENTRY_BUDGET


def test_plugin_mentions_only_real_tools() -> None:
    mentioned: set[str] = set()
    for path in PLUGIN.rglob("*.md"):
        mentioned.update(re.findall(r"`([a-z]+_[a-z_]+)`", path.read_text(encoding="utf-8")))
    assert "route_request" in mentioned
    assert mentioned <= set(TOOL_NAMES), mentioned - set(TOOL_NAMES)


def test_component_folders_are_at_the_plugin_root() -> None:
    nested = [p for p in (PLUGIN / ".claude-plugin").rglob("*") if p.is_dir()]
    assert nested == []
    assert (PLUGIN / ".mcp.json").is_file()
