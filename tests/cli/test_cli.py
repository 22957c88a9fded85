"""The CLI through click's runner and through the installed command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from specsearch.cli import cli


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_query_prints_ranked_hits(backend: str, examples: Path) -> None:
    code, out, err = run("query", "concurrency", str(examples), "--backend", backend)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("1. ")
    assert "async-rust-reviewer" in out or "python-concurrency-expert" in lines[0]
    # Then the best matching line, as ripgrep shows it: path:line:text.
    path, line, text = lines[1].strip().split(":", 2)
    assert path.startswith(f"{examples}/")
    assert line.isdigit()
    assert "concurren" in text.lower()
    assert "\x1b[" not in out  # not a TTY: no colour


def test_color_always_colours(examples: Path) -> None:
    code, out, _ = run("query", "concurrency", str(examples), "--color", "always")
    assert code == 0
    assert "\x1b[" in out


def test_json_output(backend: str, examples: Path) -> None:
    code, out, _ = run(
        "query",
        "structured concurrency tokio",
        str(examples),
        "--json",
        "-k",
        "2",
        "--backend",
        backend,
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["query"] == "structured concurrency tokio"
    assert doc["backend"] == backend
    assert [h["rank"] for h in doc["hits"]] == [1, 2]
    top = doc["hits"][0]
    assert top["name"] == "async-rust-reviewer"
    assert top["path"].endswith("async-rust-reviewer.md")
    assert isinstance(top["score"], float)
    assert isinstance(top["line"], int)
    assert "concurrency" in top["text"].lower()
    assert doc["problem_count"] == 0
    assert "problems" not in doc  # listed only with --problems (issue 12)


def test_no_hits_exits_1(examples: Path) -> None:
    code, out, _ = run("query", "zzzznothing", str(examples))
    assert (code, out) == (1, "")


def test_files_with_matches(examples: Path) -> None:
    code, out, _ = run("query", "kubernetes", str(examples), "-l")
    assert code == 0
    assert out.splitlines() == [f"{examples}/k8s-operator-engineer.md"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", ""], "no searchable terms"),
        (["query", "model:x OR nosuchkey:y"], "unknown field 'nosuchkey'"),
        (["query", "(a", "--strict"], "position 0"),
        (["query", "x", "--weight", "name"], "FIELD=NUMBER"),
        (["query", "x", "--weight", "nofield=1"], "unknown field"),
        (["query", "x", "--weight", "body=-1"], "finite number >= 0"),
        (["query", "x", "/definitely/not/here"], "/definitely/not/here"),
        (["query", "x", "--backend", "lucene"], "lucene"),
        (["query", "x", "-k", "-3"], "-3"),
    ],
)
def test_errors_exit_2_with_one_line(args: list[str], message: str, examples: Path) -> None:
    if args[1] != "x" or len(args) == 2:
        args = [*args, str(examples)]
    code, out, err = run(*args)
    assert code == 2
    assert out == ""
    assert message in err
    assert "Traceback" not in err


def test_problems_are_summarised_then_listed(tmp_path: Path) -> None:
    (tmp_path / "bad.md").write_text("---\ndescription: a: b: c\n---\nrust\n", encoding="utf-8")
    code, _, err = run("query", "rust", str(tmp_path))
    assert code == 0
    assert "1 problem(s) in 1 file(s)" in err
    code, _, err = run("query", "rust", str(tmp_path), "--problems")
    assert f"{tmp_path}/bad.md:2:" in err


def installed_command() -> str:
    found = shutil.which("specsearch", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("the `specsearch` entry point is not installed next to this Python")
    return found


def test_installed_command(examples: Path) -> None:
    proc = subprocess.run(
        [installed_command(), "query", "operator reconcile", str(examples), "--json"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["hits"][0]["name"] == "k8s-operator-engineer"
    proc = subprocess.run(
        [installed_command(), "query", "zzzznothing", str(examples)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (proc.returncode, proc.stdout) == (1, "")


def test_python_backend_runs_from_source_without_the_extension(
    tmp_path: Path, examples: Path
) -> None:
    """As on a machine without Rust: PYTHONPATH=python python -m specsearch."""
    source = Path(__file__).resolve().parents[2] / "python" / "specsearch"
    copy = tmp_path / "src" / "specsearch"
    shutil.copytree(
        source, copy, ignore=shutil.ignore_patterns("_native*.so", "_native*.pyd", "__pycache__")
    )
    env = {**os.environ, "PYTHONPATH": str(copy.parent)}
    env.pop("SPECSEARCH_BACKEND", None)

    def specsearch(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "specsearch", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )

    proc = specsearch("query", "concurrency", str(examples), "--backend", "python", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["backend"] == "python"
    proc = specsearch("query", "concurrency", str(examples))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("\n") == 1
    assert "using the python backend" in proc.stderr
    proc = specsearch("query", "concurrency", str(examples), "--backend", "native")
    assert proc.returncode == 2
    assert "native backend is not available" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_index_then_stats_then_query_uses_the_index(
    backend: str, examples: Path, tmp_path: Path
) -> None:
    index_dir = str(tmp_path / "idx")
    code, out, err = run("stats", str(examples), "--index", index_dir, "--backend", backend)
    assert code == 2
    assert "no index" in err
    code, out, err = run(
        "index", str(examples), "--index", index_dir, "--backend", backend, "--json"
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["update"]["added"] == 7
    assert report["stats"]["docs"] == 7
    code, out, _ = run("index", str(examples), "--index", index_dir, "--backend", backend)
    assert code == 0
    assert out.startswith("up to date: 7 specs (0 added, 0 changed, 0 deleted, 7 unchanged)")
    code, out, _ = run("stats", str(examples), "--index", index_dir, "--backend", backend, "--json")
    assert code == 0
    stats = json.loads(out)
    assert (stats["docs"], stats["backend"]) == (7, backend)
    assert stats["size_bytes"] > 0
    code, out, _ = run(
        "query", "kubernetes", str(examples), "--index", index_dir, "--backend", backend, "-l"
    )
    assert (code, out) == (0, f"{examples}/k8s-operator-engineer.md\n")


def test_default_index_lives_in_the_user_cache(examples: Path, private_cache: Path) -> None:
    code, out, _ = run("index", str(examples))
    assert code == 0
    assert f"index: {private_cache}/specsearch/" in out
    code, out, _ = run("stats", str(examples), "--json")
    assert json.loads(out)["docs"] == 7
