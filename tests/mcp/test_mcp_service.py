"""SpecService, the engine of `specsearch mcp`, called directly (no SDK, no subprocess)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from specsearch.config import Config
from specsearch.mcp_server import (
    BODY_CHARS,
    COPY_PATHS,
    DESCRIPTION_CHARS,
    MAX_K,
    SpecService,
    ToolInputError,
    _Freshness,
    _Inotify,
    cut,
    spec_kind,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture
def service(specs: Path, backend: str, tmp_path: Path) -> Iterator[SpecService]:
    svc = SpecService([str(specs)], backend=backend, index_dir=str(tmp_path / "index"))
    yield svc
    svc.close()


def touch_later(path: Path, text: str) -> None:
    """Rewrite ``path`` so that its stat changes even on a coarse-mtime file system."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    if path.stat().st_mtime_ns == before:
        os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))


def test_route_ranks_specs_for_a_request(service: SpecService) -> None:
    answer = service.route("I need an agent to review my tokio code for cancellation bugs", 3)
    results = answer["results"]
    assert 1 <= len(results) <= 3
    top = results[0]
    assert top["name"] == "async-rust-reviewer"
    assert set(top) >= {"name", "kind", "path", "description", "score", "why"}
    assert top["kind"] == "agent"
    assert "tokio" in top["why"]
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)


def test_route_without_words_is_an_empty_answer(service: SpecService) -> None:
    assert service.route("?!", 5)["results"] == []


def test_route_reads_syntax_as_words(service: SpecService) -> None:
    # Quotes, NOT, a field prefix and an unbalanced parenthesis are words in a request.
    answer = service.route('"tokio" NOT tools: (cancellation', 5)
    assert answer["results"][0]["name"] == "async-rust-reviewer"


def test_search_uses_the_query_language_with_snippets(service: SpecService) -> None:
    answer = service.search('name:"python-concurrency-expert"', 5)
    assert [r["name"] for r in answer["results"]] == ["python-concurrency-expert"]
    hit = service.search("cancellation", 2)["results"][0]
    assert isinstance(hit["line"], int)
    assert "cancellation" in hit["snippet"].lower()


def test_show_gives_frontmatter_object_and_body(service: SpecService, specs: Path) -> None:
    shown = service.show("async-rust-reviewer")
    assert shown["frontmatter"]["name"] == "async-rust-reviewer"
    assert shown["frontmatter"]["model"] == "sonnet"
    assert shown["frontmatter"]["tools"].startswith("Read")
    assert shown["body"].lstrip().startswith("# Async Rust reviewer")
    by_path = service.show(str(specs / "async-rust-reviewer.md"))
    assert by_path["frontmatter"] == shown["frontmatter"]


def test_show_refuses_files_outside_the_index(service: SpecService, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("---\nname: secret\n---\ntoken\n", encoding="utf-8")
    with pytest.raises(ToolInputError, match="no spec named or at"):
        service.show(str(secret))


def test_list_gives_kinds_and_one_line_descriptions(service: SpecService) -> None:
    everything = service.list()
    names = [s["name"] for s in everything["specs"]]
    assert names == sorted(names, key=str.casefold)
    assert everything["total"] == len(names) == 7
    skills = service.list("skill")["specs"]
    assert [s["name"] for s in skills] == ["changelog-writer"]
    assert all("\n" not in s["description"] for s in everything["specs"])
    page = service.list(None, 2, 2)
    assert [s["name"] for s in page["specs"]] == names[2:4]
    assert page["next_offset"] == 4


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: s.route("   "), "request is empty"),
        (lambda s: s.route("x" * 5000), "limit is"),
        (lambda s: s.route("tokio", MAX_K + 1), "between 1 and"),
        (lambda s: s.route("tokio", 10**12), "between 1 and"),
        (lambda s: s.route("tokio", True), "must be an integer"),
        (lambda s: s.route(42), "must be a string"),
        (lambda s: s.search("*"), "no searchable terms"),
        (lambda s: s.search("nosuchfield:x"), "query"),
        (lambda s: s.show("no-such-agent"), "no spec named"),
        (lambda s: s.list("plugin"), "kind must be one of"),
        (lambda s: s.list(None, 0), "limit"),
    ],
)
def test_bad_input_is_a_clear_error(service: SpecService, call: object, message: str) -> None:
    assert callable(call)
    with pytest.raises(ToolInputError, match=message):
        call(service)


def test_edit_between_calls_is_seen(service: SpecService, specs: Path) -> None:
    assert service.search("zanzibarian", 5)["results"] == []
    spec = specs / "sql-query-optimizer.md"
    touch_later(spec, spec.read_text(encoding="utf-8") + "\nAlso knows zanzibarian joins.\n")
    assert [r["name"] for r in service.search("zanzibarian", 5)["results"]] == [
        "sql-query-optimizer"
    ]
    new = specs / "agents" / "zanzibar.md"
    new.parent.mkdir()
    new.write_text("---\nname: zanzibar-guide\ndescription: zanzibarian\n---\n", encoding="utf-8")
    assert "zanzibar-guide" in [r["name"] for r in service.search("zanzibarian", 5)["results"]]
    spec.unlink()
    assert [r["name"] for r in service.search("zanzibarian", 5)["results"]] == ["zanzibar-guide"]


def test_unchanged_roots_keep_the_same_index(service: SpecService) -> None:
    first = service.index()
    service.route("tokio", 1)
    assert service.index() is first


def test_near_duplicate_copies_collapse(service: SpecService, specs: Path) -> None:
    original = specs / "async-rust-reviewer.md"
    for vendor in ("vendor-a", "vendor-b"):
        (specs / vendor).mkdir()
    same = specs / "vendor-a" / "async-rust-reviewer.md"
    shutil.copy(original, same)
    # One word changed, in the name: not the same bytes, nor the same name.
    fork = specs / "vendor-b" / "async-rust-auditor.md"
    text = original.read_text(encoding="utf-8")
    fork.write_text(text.replace("name: async-rust-reviewer", "name: async-rust-auditor"))
    copies = {str(original), str(same), str(fork)}
    for tool in (service.route("tokio cancellation", 5), service.search("tokio", 5)):
        results = [r for r in tool["results"] if r["path"] in copies]
        assert len(results) == 1, tool
        assert {results[0]["path"], *results[0]["copies"]} == copies
        assert "more_copies" not in results[0]
    listed = [s for s in service.list()["specs"] if s["path"] in copies]
    assert [s["copies"] for s in listed] == [2]


def test_many_copies_list_a_few_paths(service: SpecService, specs: Path) -> None:
    for n in range(5):
        (specs / f"vendor-{n}").mkdir()
        shutil.copy(specs / "async-rust-reviewer.md", specs / f"vendor-{n}")
    top = service.route("tokio cancellation", 1)["results"][0]
    assert top["name"] == "async-rust-reviewer"
    assert len(top["copies"]) == COPY_PATHS
    assert top["more_copies"] == 5 - COPY_PATHS


def test_roots_are_the_clis(tmp_path: Path, examples: Path) -> None:
    """No PATH: the folder, its .claude spec folders, the config's roots, the user's."""
    project, extra, user = tmp_path / "project", tmp_path / "extra", tmp_path / "user"
    agents = project / ".claude" / "agents"
    for folder in (agents, extra, user):
        folder.mkdir(parents=True)
    shutil.copy(examples / "async-rust-reviewer.md", agents)
    shutil.copy(examples / "security-auditor.md", extra)
    shutil.copy(examples / "security-auditor.md", user / "user-auditor.md")
    config = Config(roots=(str(extra), str(tmp_path / "missing")))
    svc = SpecService(
        cwd=str(project),
        index_dir=str(tmp_path / "index"),
        config=config,
        user_roots=[str(user)],
    )
    try:
        assert svc.roots() == [str(project), str(agents), str(extra), str(user)]
        assert svc.route("tokio", 1)["results"][0]["name"] == "async-rust-reviewer"
        assert {s["path"] for s in svc.list()["specs"]} >= {str(extra / "security-auditor.md")}
    finally:
        svc.close()
    plain = SpecService([str(extra)], config=config, user_roots=[str(user)])
    assert plain.roots() == [str(extra), str(user)]  # PATHs replace the project's, as in the CLI


def test_client_roots_replace_the_current_folder(tmp_path: Path, specs: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    svc = SpecService(cwd=str(empty), index_dir=str(tmp_path / "index"))
    try:
        assert svc.wants_client_roots
        assert svc.list()["total"] == 0
        svc.set_client_roots([specs.as_uri()])
        assert not svc.wants_client_roots
        assert svc.list()["total"] == 7
        svc.forget_client_roots()
        assert svc.wants_client_roots
    finally:
        svc.close()


def test_long_text_is_cut() -> None:
    long = "word " * 200
    assert len(cut(long)) <= DESCRIPTION_CHARS
    assert cut(long).endswith("…")
    assert BODY_CHARS >= 10_000


def test_long_body_is_cut(service: SpecService, specs: Path) -> None:
    spec = specs / "long.md"
    spec.write_text("---\nname: long-one\n---\n" + "x " * BODY_CHARS, encoding="utf-8")
    shown = service.show("long-one")
    assert len(shown["body"]) == BODY_CHARS
    assert shown["body_truncated_at"] == BODY_CHARS


def test_kinds() -> None:
    assert spec_kind("x/commands/deploy.md") == "command"
    assert spec_kind("x/agents/skills-coach.md") == "agent"


def test_cli_import_does_not_load_the_sdk() -> None:
    code = (
        "import json, sys, specsearch.cli; print(json.dumps(sorted(m for m in sys.modules"
        " if m.split('.')[0] in ('mcp', 'mcp_types', 'pydantic'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert json.loads(out) == []


@pytest.mark.parametrize("watch", ["inotify", "stat scan"])
def test_freshness_checks_see_edits_additions_and_removals(specs: Path, watch: str) -> None:
    def start() -> _Inotify | _Freshness:
        if watch == "stat scan":
            return _Freshness([str(specs)], [str(p) for p in specs.rglob("*.md")])
        started = _Inotify.start([str(specs)])
        if started is None:
            pytest.skip("inotify is not available here")
        return started

    spec = specs / "security-auditor.md"
    for change in (
        lambda: touch_later(spec, spec.read_text(encoding="utf-8") + "\nmore\n"),
        lambda: (specs / "skills" / "new.md").write_text("---\nname: n\n---\n", encoding="utf-8"),
        (specs / "skills" / "new.md").unlink,
    ):
        fresh = start()
        try:
            assert not fresh.changed()
            change()
            assert fresh.changed()
        finally:
            fresh.close()
