"""Issue 12, points 8 and 9: `show` and one index per root."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

from tests.ux.helpers import run, spec

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def same_names(tmp_path: Path) -> Path:
    spec(tmp_path / "a" / "reviewer.md", "code-reviewer", "Reviews code", "style")
    spec(tmp_path / "b" / "reviewer.md", "code-reviewer", "Reviews code reviewer code", "code")
    spec(tmp_path / "c" / "reviewer.md", "code-reviewer", "Reviews", "nothing")
    return tmp_path


def test_show_name_prints_the_best_and_lists_the_others(tmp_path: Path, backend: str) -> None:
    root = same_names(tmp_path)
    code, out, err = run("show", "code-reviewer", str(root), "--backend", backend)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"{root}/b/reviewer.md"  # "code" and "reviewer" most often: ranked first
    assert lines.count("name: code-reviewer") == 1
    tail = lines[lines.index("2 other specs share this name:") :]
    assert tail[1:] == [f"  {root}/a/reviewer.md", f"  {root}/c/reviewer.md"]


def test_show_all_prints_every_spec(tmp_path: Path) -> None:
    root = same_names(tmp_path)
    code, out, _ = run("show", "code-reviewer", str(root), "--all")
    assert code == 0
    assert out.splitlines().count("name: code-reviewer") == 3
    assert "share this name" not in out
    _, out, _ = run("show", "code-reviewer", str(root), "--all", "--json")
    assert json.loads(out)[0]["path"] == f"{root}/b/reviewer.md"


def test_show_json_frontmatter_is_an_object(examples: Path) -> None:
    code, out, _ = run("show", str(examples / "async-rust-reviewer.md"), "--json")
    assert code == 0
    doc = json.loads(out)
    assert isinstance(doc["frontmatter"], dict)
    assert doc["frontmatter"]["model"] == "sonnet"
    assert doc["others"] == []


def test_show_missing_file_says_it_does_not_exist(tmp_path: Path) -> None:
    code, out, err = run("show", str(tmp_path / "nonexistent.md"))
    assert (code, out) == (2, "")
    assert err == f"specsearch: error: {tmp_path}/nonexistent.md: the file does not exist\n"


def test_every_spelling_of_a_root_shares_one_index(
    tmp_path: Path, examples: Path, monkeypatch: pytest.MonkeyPatch, private_cache: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("async-rust-reviewer.md", "security-auditor.md"):
        (data / name).write_bytes((examples / name).read_bytes())
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("query", "rust", "data", "-l")
    assert (code, out) == (0, "data/async-rust-reviewer.md\n")
    for spelling in ("./data", "data/", str(data)):
        code, out, err = run("stats", spelling, "--json")
        assert code == 0, err
        assert json.loads(out)["docs"] == 2
    _, out, _ = run("query", "rust", "./data", "-l")
    assert out == "./data/async-rust-reviewer.md\n"  # shown as spelled
    _, out, _ = run("cache", "list", "--json")
    (entry,) = json.loads(out)
    assert entry["roots"] == [str(data.resolve())]
    assert entry["size_bytes"] > 0
    assert entry["path"].startswith(str(private_cache))


def test_cache_prune_and_clear(tmp_path: Path, examples: Path) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    (gone / "a.md").write_bytes((examples / "security-auditor.md").read_bytes())
    run("index", str(gone))
    run("index", str(examples))
    _, out, _ = run("cache", "list", "--json")
    assert len(json.loads(out)) == 2
    (gone / "a.md").unlink()
    gone.rmdir()
    code, out, _ = run("cache", "prune", "--dry-run")
    assert code == 0
    assert "would remove" in out
    assert len(json.loads(run("cache", "list", "--json")[1])) == 2
    code, out, _ = run("cache", "prune")
    assert out.splitlines()[-1].startswith("1 index folder(s)")
    (entry,) = json.loads(run("cache", "list", "--json")[1])
    assert entry["roots"] == [str(examples.resolve())]
    run("cache", "clear")
    assert json.loads(run("cache", "list", "--json")[1]) == []
    assert sorted(os.listdir(examples))  # the specs are untouched


def test_failures_never_write_into_the_spec_folder(tmp_path: Path) -> None:
    spec(tmp_path / "a.md", "a", "rust", "rust")
    before = sorted(os.listdir(tmp_path))
    assert run("query", "(", str(tmp_path), "--strict")[0] == 2
    assert run("query", "nosuchfield:x", str(tmp_path))[0] == 2
    assert run("stats", str(tmp_path / "a.md"))[0] == 2
    assert sorted(os.listdir(tmp_path)) == before
