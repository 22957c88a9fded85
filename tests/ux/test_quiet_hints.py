"""Issue 12, points 4 and 5: quiet by default; help on zero hits."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from tests.ux.helpers import run, spec

if TYPE_CHECKING:
    from pathlib import Path


def corpus_with_a_problem(tmp_path: Path) -> Path:
    spec(tmp_path / "good.md", "good", "Rust reviewer", "rust tokio")
    (tmp_path / "bad.md").write_text("---\ndescription: a: b: c\n---\nrust\n", encoding="utf-8")
    return tmp_path


def test_problems_are_reported_when_the_index_changes_only(tmp_path: Path, backend: str) -> None:
    root = str(corpus_with_a_problem(tmp_path))
    code, _, err = run("query", "rust", root, "--backend", backend)
    assert code == 0
    assert "1 problem(s) in 1 file(s)" in err
    code, _, err = run("query", "rust", root, "--backend", backend)
    assert (code, err) == (0, "")
    code, _, err = run("query", "rust", root, "--backend", backend, "--problems")
    assert f"{root}/bad.md:2:" in err
    (tmp_path / "new.md").write_text("# rust again\n", encoding="utf-8")
    code, _, err = run("query", "rust", root, "--backend", backend, "--no-messages")
    assert (code, err) == (0, "")


def test_quiet_prints_nothing_and_keeps_the_exit_code(tmp_path: Path) -> None:
    root = str(corpus_with_a_problem(tmp_path))
    assert run("query", "rust", root, "-q") == (0, "", "")
    assert run("query", "zzzz", root, "-q") == (1, "", "")


def test_json_counts_problems_and_lists_them_on_request(tmp_path: Path) -> None:
    root = str(corpus_with_a_problem(tmp_path))
    _, out, _ = run("query", "rust", root, "--json")
    doc = json.loads(out)
    assert doc["problem_count"] == 1
    assert "problems" not in doc
    _, out, _ = run("query", "rust", root, "--json", "--problems")
    (problem,) = json.loads(out)["problems"]
    assert (problem["path"], problem["line"]) == (f"{root}/bad.md", 2)


def test_a_typo_gets_a_suggestion(examples: Path, backend: str) -> None:
    code, out, err = run("query", "concurency", str(examples), "--backend", backend)
    assert (code, out) == (1, "")
    assert err == "specsearch: no hits for 'concurency'; did you mean: concurrency\n"
    code, out, _ = run("query", "concurency", str(examples), "--json", "--backend", backend)
    assert json.loads(out)["suggestion"] == "concurrency"


def test_no_suggestion_for_nonsense(examples: Path) -> None:
    assert run("query", "zzzzqqqq", str(examples)) == (1, "", "")


def test_a_folder_without_specs_says_so(tmp_path: Path, backend: str) -> None:
    (tmp_path / "notes.txt").write_text("rust\n", encoding="utf-8")
    code, out, err = run("query", "rust", str(tmp_path), "--backend", backend)
    assert (code, out) == (1, "")
    assert err.startswith(f"specsearch: no specs under {tmp_path} ")
    assert "--hidden" in err
