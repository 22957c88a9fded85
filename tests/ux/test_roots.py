"""Issue 12, point 1: default roots that know where Claude Code keeps specs."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

import pytest

from tests.ux.helpers import run, spec

if TYPE_CHECKING:
    from pathlib import Path

EXAMPLES_AGENT = "async-rust-reviewer.md"


@pytest.fixture
def project(tmp_path: Path, examples: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The issue's reproduction: an agent in .claude/agents, run from the project."""
    root = tmp_path / "p"
    (root / ".claude" / "agents").mkdir(parents=True)
    text = (examples / EXAMPLES_AGENT).read_text(encoding="utf-8")
    (root / ".claude" / "agents" / EXAMPLES_AGENT).write_text(text, encoding="utf-8")
    spec(root / ".claude" / "skills" / "lint" / "SKILL.md", "lint", "Lint Rust crates", "clippy")
    spec(root / "docs" / "notes.md", "notes", "Project notes", "nothing about that language")
    monkeypatch.chdir(root)
    return root


def test_no_path_searches_the_project_claude_folder(project: Path, backend: str) -> None:
    code, out, err = run("query", "rust", "--backend", backend, "-l")
    assert code == 0, err
    assert out.splitlines() == [
        f".claude/agents/{EXAMPLES_AGENT}",
        ".claude/skills/lint/SKILL.md",
    ]


def test_an_explicit_path_is_searched_alone(project: Path) -> None:
    code, out, _ = run("query", "rust", "docs")
    assert (code, out) == (1, "")


def test_user_adds_home_claude_and_installed_plugins(
    project: Path, tmp_path: Path, backend: str
) -> None:
    home = tmp_path / "home"
    spec(home / ".claude" / "agents" / "mine.md", "mine", "My rust helper", "rust")
    plugin = home / ".claude" / "plugins" / "cache" / "mkt" / "rusty" / "1.0.0"
    spec(plugin / "commands" / "fix.md", "fix", "Fix rust", "rust")
    stray = home / ".claude" / "plugins" / "marketplaces" / "mkt" / "plugins" / "other"
    spec(stray / "agents" / "other.md", "other", "Not installed", "rust")
    listing = {
        "version": 2,
        "plugins": {"rusty@mkt": [{"scope": "user", "installPath": str(plugin)}]},
    }
    (home / ".claude" / "plugins" / "installed_plugins.json").write_text(
        json.dumps(listing), encoding="utf-8"
    )
    env = {"HOME": str(home)}
    code, out, _ = run("query", "rust", "-l", "--backend", backend, env=env)
    assert str(home) not in out
    code, out, err = run("query", "rust", "-l", "--user", "--backend", backend, env=env)
    assert code == 0, err
    found = set(out.splitlines())
    assert f"{home}/.claude/agents/mine.md" in found
    assert f"{plugin}/commands/fix.md" in found
    assert not any("other.md" in p for p in found)  # listed in no installed_plugins.json


def test_config_file_sets_defaults(project: Path, tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("k = 1\ncolor = 'never'\n", encoding="utf-8")
    code, out, _ = run("query", "rust", "-l", env={"SPECSEARCH_CONFIG": str(config)})
    assert code == 0
    assert len(out.splitlines()) == 1
    code, out, _ = run("query", "rust", "-l", "-k", "5", env={"SPECSEARCH_CONFIG": str(config)})
    assert len(out.splitlines()) == 2  # the option wins over the file


def test_default_config_location(project: Path, tmp_path: Path) -> None:
    folder = tmp_path / "xdg" / "specsearch"
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text("k = 1\n", encoding="utf-8")
    code, out, _ = run("query", "rust", "-l", env={"XDG_CONFIG_HOME": str(tmp_path / "xdg")})
    assert (code, len(out.splitlines())) == (0, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("k = 'ten'\n", "k must be a int"),
        ("colour = 'never'\n", "unknown key 'colour'"),
        ("k = \n", "not valid TOML"),
        ("backend = 'lucene'\n", "backend must be one of"),
    ],
)
def test_a_bad_config_is_one_line_naming_file_and_key(
    project: Path, tmp_path: Path, text: str, message: str
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(text, encoding="utf-8")
    code, out, err = run("query", "rust", env={"SPECSEARCH_CONFIG": str(config)})
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert str(config) in err
    assert message in err


def test_hidden_and_no_ignore(tmp_path: Path, backend: str) -> None:
    spec(tmp_path / ".hidden" / "a.md", "a", "hidden rust", "rust")
    spec(tmp_path / "ignored.md", "b", "ignored rust", "rust")
    spec(tmp_path / "seen.md", "c", "seen rust", "rust")
    (tmp_path / ".gitignore").write_text("ignored.md\n", encoding="utf-8")
    base = ["query", "rust", str(tmp_path), "-l", "--backend", backend]

    def found(*extra: str) -> list[str]:
        code, out, err = run(*base, *extra)
        assert code == 0, err
        return [os.path.relpath(p, tmp_path) for p in out.splitlines()]

    assert sorted(found()) == ["seen.md"]
    assert sorted(found("--hidden")) == [".hidden/a.md", "seen.md"]
    assert sorted(found("--no-ignore")) == ["ignored.md", "seen.md"]
    assert sorted(found("--hidden", "--no-ignore")) == [".hidden/a.md", "ignored.md", "seen.md"]
