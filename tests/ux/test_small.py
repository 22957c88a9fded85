"""Issue 12, points 3 and 10: snippets, help, version, `--`, usage errors, --jsonl."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import specsearch
from tests.ux.helpers import run, spec


def test_query_help_keeps_the_syntax_table() -> None:
    code, out, _ = run("query", "--help")
    assert code == 0
    lines = [line.strip() for line in out.splitlines()]
    assert '"exact phrase"        words next to each other, not stemmed' in lines
    assert "concurency~1          fuzzy, edit distance 0-2" in lines


def test_version() -> None:
    for flag in ("-V", "--version"):
        code, out, _ = run(flag)
        assert (code, out) == (0, f"specsearch {specsearch.__version__}\n")
    assert specsearch.__version__[0].isdigit()


def test_double_dash_guards_the_query_alone(examples: Path, backend: str) -> None:
    code, out, err = run("query", "--", "-draft", str(examples), "-k", "3", "--backend", backend)
    assert code == 0, err
    assert len([line for line in out.splitlines() if not line.startswith(" ")]) == 3


def test_usage_errors_are_one_line() -> None:
    for args in (["query"], ["query", "x", "--nope"], ["nosuchcommand"], ["query", "x", "-k", "y"]):
        code, out, err = run(*args)
        assert (code, out) == (2, ""), args
        assert err.count("\n") == 1, err
        assert err.startswith("specsearch: error: ")


def test_jsonl_is_one_object_per_hit_then_a_summary(examples: Path) -> None:
    code, out, _ = run("query", "concurrency", str(examples), "--jsonl", "-k", "2")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["type"] for r in rows] == ["hit", "hit", "summary"]
    assert [r["data"]["rank"] for r in rows[:2]] == [1, 2]
    assert rows[2]["data"]["hits"] == 2


def test_a_spec_unreadable_after_indexing_does_not_fail_the_query(
    tmp_path: Path, backend: str
) -> None:
    spec(tmp_path / "a.md", "a", "rust reviewer", "rust")
    spec(tmp_path / "b.md", "b", "rust writer", "rust")
    assert run("index", str(tmp_path), "--backend", backend)[0] == 0
    (tmp_path / "a.md").unlink()
    # Unreadable whoever runs the test (root reads a chmod 000 file): a link to itself.
    (tmp_path / "a.md").symlink_to("a.md")
    code, out, err = run("query", "rust", str(tmp_path), "--backend", backend)
    assert code == 0, err
    assert f"{tmp_path}/b.md" in out


def test_snippet_is_not_the_name_line(tmp_path: Path, backend: str) -> None:
    spec(tmp_path / "t.md", "terraform-expert", "Infrastructure as code", "Plan terraform modules.")
    _, out, _ = run("query", "terraform", str(tmp_path), "--json", "--backend", backend)
    (hit,) = json.loads(out)["hits"]
    assert hit["text"] == "Plan terraform modules."


def test_context_lines(tmp_path: Path) -> None:
    path = tmp_path / "t.md"
    path.write_text("# t\n\nbefore\nthe rust line\nafter\n", encoding="utf-8")
    code, out, _ = run("query", "rust", str(tmp_path), "-C", "1")
    assert code == 0
    assert out.splitlines()[1:] == [
        f"   {path}-3-before",
        f"   {path}:4:the rust line",
        f"   {path}-5-after",
    ]


def test_shell_completion_script() -> None:
    command = shutil.which("specsearch", path=str(Path(sys.executable).parent))
    assert command is not None
    proc = subprocess.run(
        [command],
        env={**os.environ, "_SPECSEARCH_COMPLETE": "bash_source"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0
    assert "complete -o nosort -F" in proc.stdout
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "_SPECSEARCH_COMPLETE=bash_source specsearch" in readme
