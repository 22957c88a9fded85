"""Helpers for driving `specsearch mcp` with the MCP SDK's own stdio client."""

from __future__ import annotations

import json
import os
import sys
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from mcp.client.stdio import stdio_client
from mcp_types import CallToolResult, ErrorData, ListRootsResult, Root, TextContent
from pydantic import FileUrl

from mcp import ClientSession, StdioServerParameters

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Sequence

    from mcp.client.session import ClientRequestContext


def server_params(
    args: Sequence[str], cache: Path, cwd: Path | None = None
) -> StdioServerParameters:
    """`python -m specsearch mcp ARGS`, with its index cache under ``cache``.

    The backend is ``$SPECSEARCH_BACKEND``, else native.
    """
    env = {
        "XDG_CACHE_HOME": str(cache),
        "SPECSEARCH_BACKEND": os.environ.get("SPECSEARCH_BACKEND", "native"),
    }
    if "PYTHONPATH" in os.environ:
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "specsearch", "mcp", *args],
        env=env,
        cwd=str(cwd) if cwd is not None else None,
    )


@asynccontextmanager
async def connect(
    params: StdioServerParameters, errlog: TextIO, roots: Sequence[Path] | None = None
) -> AsyncIterator[ClientSession]:
    """An initialized client session; ``roots`` are offered as the client's roots."""

    async def list_roots(context: ClientRequestContext) -> ListRootsResult | ErrorData:
        del context
        return ListRootsResult(roots=[Root(uri=FileUrl(p.as_uri())) for p in roots or ()])

    async with (
        stdio_client(params, errlog=errlog) as (read, write),
        ClientSession(
            read, write, list_roots_callback=list_roots if roots is not None else None
        ) as session,
    ):
        await session.initialize()
        yield session


def text_of(result: CallToolResult) -> str:
    """The one text block of a tool result."""
    assert len(result.content) == 1
    block = result.content[0]
    assert isinstance(block, TextContent)
    return block.text


async def call(session: ClientSession, tool: str, **arguments: Any) -> Any:
    """A tool's JSON answer (fails the test on a tool error)."""
    result = await session.call_tool(tool, arguments)
    assert not result.is_error, text_of(result)
    return json.loads(text_of(result))


async def call_error(session: ClientSession, tool: str, **arguments: Any) -> str:
    """A tool error's message (fails the test when the call succeeds)."""
    result = await session.call_tool(tool, arguments)
    assert result.is_error, text_of(result)
    return text_of(result)


def rss_kib(pid: int) -> int:
    """The resident set size of process ``pid`` (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


def server_pid() -> int:
    """The pid of this process's one `specsearch mcp` child."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == os.getpid() and b"specsearch" in cmdline and b"mcp" in cmdline:
            found.append(int(entry.name))
    assert len(found) == 1, found
    return found[0]
