"""`specsearch mcp` as a subprocess, driven by the MCP SDK's own stdio client."""

from __future__ import annotations

import os
import shutil
import statistics
import time
from typing import TYPE_CHECKING, Any, TextIO

import pytest
from mcp.shared.exceptions import MCPDeprecationWarning

from specsearch.mcp_server import MAX_K
from specsearch.mcp_tools import TOOL_NAMES
from tests.mcp.mcp_client import (
    call,
    call_error,
    connect,
    rss_kib,
    server_params,
    server_pid,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

pytestmark = pytest.mark.anyio

#: Calls in the default soak; SPECSEARCH_MCP_SOAK=N runs N (the report uses 2,000).
SOAK_CALLS = int(os.environ.get("SPECSEARCH_MCP_SOAK", "200"))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def errlog(tmp_path: Path) -> Iterator[TextIO]:
    """The server's stderr, kept for the test to read."""
    with (tmp_path / "server-stderr.txt").open("w+", encoding="utf-8") as f:
        yield f


def stderr_of(errlog: TextIO) -> str:
    errlog.flush()
    errlog.seek(0)
    return errlog.read()


async def test_tools_are_listed_with_schemas(specs: Path, tmp_path: Path, errlog: TextIO) -> None:
    async with connect(server_params([str(specs)], tmp_path / "cache"), errlog) as session:
        listed = {t.name: t for t in (await session.list_tools()).tools}
    assert set(listed) == set(TOOL_NAMES)
    route = listed["route_request"]
    assert route.description is not None
    assert route.input_schema["required"] == ["request"]
    props = route.input_schema["properties"]
    assert set(props) == {"request", "k"}  # the roots resolver is not an argument
    assert props["k"]["maximum"] == MAX_K
    assert props["k"]["default"] == 5
    assert listed["search_specs"].input_schema["required"] == ["query"]
    assert listed["show_spec"].input_schema["required"] == ["name_or_path"]
    assert "required" not in listed["list_specs"].input_schema
    kinds = str(listed["list_specs"].input_schema["properties"]["kind"])
    assert all(kind in kinds for kind in ("agent", "skill", "command"))
    for tool in listed.values():
        assert tool.annotations is not None
        assert tool.annotations.read_only_hint is True
        assert tool.description
        assert len(tool.description) > 80


async def test_each_tool_answers_good_input(specs: Path, tmp_path: Path, errlog: TextIO) -> None:
    async with connect(server_params([str(specs)], tmp_path / "cache"), errlog) as session:
        routed = await call(
            session, "route_request", request="review my tokio code for cancellation bugs", k=2
        )
        assert routed["results"][0]["name"] == "async-rust-reviewer"
        assert routed["results"][0]["why"]
        found = await call(session, "search_specs", query="name:python*")
        assert [r["name"] for r in found["results"]] == ["python-concurrency-expert"]
        assert "snippet" in found["results"][0]
        shown = await call(session, "show_spec", name_or_path="changelog-writer")
        assert shown["kind"] == "skill"
        assert shown["frontmatter"]["name"] == "changelog-writer"
        listed = await call(session, "list_specs", kind="skill")
        assert [s["name"] for s in listed["specs"]] == ["changelog-writer"]
        assert (await call(session, "list_specs"))["total"] == 7
    assert "Traceback" not in stderr_of(errlog)


@pytest.mark.parametrize(
    "case",
    [
        ("route_request", {"request": ""}, "request"),
        ("route_request", {"request": "   "}, "request is empty"),
        ("route_request", {"request": "tokio", "k": 10**9}, "less than or equal to 50"),
        ("route_request", {"request": "tokio", "k": 0}, "greater than or equal to 1"),
        ("route_request", {"request": "tokio", "k": "many"}, "k"),
        ("route_request", {"request": 42}, "request"),
        ("route_request", {}, "request"),
        ("search_specs", {"query": "nosuchfield:x"}, "nosuchfield"),
        ("search_specs", {"query": ["a", "list"]}, "query"),
        ("show_spec", {"name_or_path": "no-such-agent"}, "no spec named or at 'no-such-agent'"),
        ("show_spec", {"name_or_path": "/etc/passwd"}, "no spec named or at"),
        ("list_specs", {"kind": "plugin"}, "kind"),
        ("list_specs", {"limit": -1}, "limit"),
        ("no_such_tool", {}, "no_such_tool"),
    ],
)
async def test_bad_input_is_a_tool_error_and_the_server_lives_on(
    specs: Path,
    tmp_path: Path,
    errlog: TextIO,
    case: tuple[str, dict[str, object], str],
) -> None:
    tool, arguments, message = case
    async with connect(server_params([str(specs)], tmp_path / "cache"), errlog) as session:
        error = await call_error(session, tool, **arguments)
        assert message in error
        # Still serving.
        assert (await call(session, "list_specs", limit=1))["total"] == 7
    assert "Traceback" not in stderr_of(errlog)


async def test_an_edit_between_two_calls_is_seen(
    specs: Path, tmp_path: Path, errlog: TextIO
) -> None:
    async with connect(server_params([str(specs)], tmp_path / "cache"), errlog) as session:
        before = await call(session, "search_specs", query="zanzibarian")
        assert before["results"] == []
        spec = specs / "go-service-builder.md"
        old = spec.stat().st_mtime_ns
        spec.write_text(spec.read_text(encoding="utf-8") + "\nzanzibarian\n", encoding="utf-8")
        if spec.stat().st_mtime_ns == old:
            os.utime(spec, ns=(old + 10**9, old + 10**9))
        after = await call(session, "search_specs", query="zanzibarian")
        assert [r["name"] for r in after["results"]] == ["go-service-builder"]
        shown = await call(session, "show_spec", name_or_path="go-service-builder")
        assert "zanzibarian" in shown["body"]


async def test_client_roots_are_used_without_paths(
    specs: Path, tmp_path: Path, errlog: TextIO
) -> None:
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    params = server_params([], tmp_path / "cache", cwd=empty)
    async with connect(params, errlog, roots=[specs]) as session:
        listed = await call(session, "list_specs")
        assert listed["total"] == 7
        assert all(s["path"].startswith(str(specs)) for s in listed["specs"])


async def test_changed_client_roots_are_asked_for_again(
    specs: Path, examples: Path, tmp_path: Path, errlog: TextIO
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(examples / "security-auditor.md", other)
    roots = [specs]
    params = server_params([], tmp_path / "cache", cwd=other)
    async with connect(params, errlog, roots=roots) as session:
        assert (await call(session, "list_specs"))["total"] == 7
        roots[:] = [other]
        # Roots are deprecated by the 2026-07-28 revision; clients may still offer them.
        with pytest.warns(MCPDeprecationWarning, match="roots"):
            await session.send_roots_list_changed()
        listed = await call(session, "list_specs")
        assert [s["name"] for s in listed["specs"]] == ["security-auditor"]


async def test_without_paths_or_roots_the_folder_and_its_claude_folder_are_served(
    examples: Path, tmp_path: Path, errlog: TextIO
) -> None:
    project = tmp_path / "project"
    (project / ".claude" / "agents").mkdir(parents=True)
    shutil.copy(examples / "security-auditor.md", project / ".claude" / "agents")
    params = server_params([], tmp_path / "cache", cwd=project)
    async with connect(params, errlog) as session:
        routed = await call(session, "route_request", request="audit for security holes", k=1)
    assert routed["results"][0]["name"] == "security-auditor"
    assert "/.claude/agents/" in routed["results"][0]["path"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def test_soak_rss_stays_bounded(
    specs: Path, tmp_path: Path, errlog: TextIO, capsys: pytest.CaptureFixture[str]
) -> None:
    """Many calls in a row: RSS must level off. p50/p99 per tool are printed, not asserted."""
    requests: list[tuple[str, dict[str, Any]]] = [
        ("route_request", {"request": "review my async rust for cancellation bugs", "k": 5}),
        ("search_specs", {"query": "concurrency OR kubernetes", "k": 10}),
        ("show_spec", {"name_or_path": "sql-query-optimizer"}),
        ("list_specs", {"limit": 100}),
    ]
    timings: dict[str, list[float]] = {name: [] for name, _ in requests}
    async with connect(server_params([str(specs)], tmp_path / "cache"), errlog) as session:
        pid = server_pid()
        for name, arguments in requests:  # warm up: index, caches, first imports
            await call(session, name, **arguments)
        rss = [rss_kib(pid)]
        for i in range(SOAK_CALLS):
            name, arguments = requests[i % len(requests)]
            started = time.perf_counter()
            await call(session, name, **arguments)
            timings[name].append(time.perf_counter() - started)
            if (i + 1) % max(1, SOAK_CALLS // 4) == 0:
                rss.append(rss_kib(pid))
    # Bounded: the last quarter adds almost nothing over the first (no per-call leak).
    quarter_growth = rss[-1] - rss[-2]
    assert quarter_growth < 4096, rss
    assert rss[-1] - rss[0] < 16384, rss
    with capsys.disabled():
        print(f"\nmcp soak: {SOAK_CALLS} calls, RSS KiB {rss}")
        for name, values in timings.items():
            print(
                f"  {name:14} p50 {statistics.median(values) * 1000:6.2f} ms"
                f"  p99 {percentile(values, 0.99) * 1000:6.2f} ms  n={len(values)}"
            )
