"""The MCP server behind ``specsearch mcp``, on the official ``mcp`` SDK.

Only the ``mcp`` command imports this module (the SDK is the optional extra
``specsearch[mcp]``). Each tool is a thin async wrapper: it learns the client's
roots when the client offers them, runs :class:`~specsearch.mcp_server.SpecService`
on a worker thread, and answers compact JSON text, or a tool error with a clear
message for bad input. Nothing is written to stdout but the protocol.
"""

# No ``from __future__ import annotations``: the SDK reads these annotations at
# run time, and the roots resolver they name is local to build_server.

import functools
import json
import logging
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Literal

import anyio.to_thread
from mcp.server.mcpserver import Context, ListRoots, MCPServer, Resolve
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ListRootsResult, NotificationParams, ToolAnnotations
from pydantic import Field

from specsearch.config import Config
from specsearch.errors import SpecsearchError
from specsearch.mcp_server import (
    MAX_K,
    MAX_LIST,
    MAX_TEXT_CHARS,
    SpecService,
    ToolInputError,
)

__all__ = ["INSTRUCTIONS", "TOOL_NAMES", "build_server", "serve"]

log = logging.getLogger("specsearch.mcp")

TOOL_NAMES = ("route_request", "search_specs", "show_spec", "list_specs")

INSTRUCTIONS = (
    "specsearch indexes the user's agent specs (subagents, skills and slash commands: "
    "Markdown with YAML frontmatter). Before doing a task yourself, call route_request "
    "with the user's request in their own words to find the subagent or skill made for "
    "it; call show_spec to read one before you use it. search_specs takes the query "
    "language for exact look-ups; list_specs pages through everything."
)

_READ_ONLY = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)

Request = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_TEXT_CHARS,
        description="What the user wants done, in plain words (never parsed as query syntax).",
    ),
]
Query = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_TEXT_CHARS,
        description='Query language: bare words (ORed, ranked), "exact phrase", AND/OR/NOT, '
        "+must, -must_not, (groups), field:term (name, description, headings, body, "
        "examples, frontmatter, or a frontmatter key such as model or tools), prefix*, fuzzy~1.",
    ),
]


def _k(default: int) -> Any:
    return Field(default, ge=1, le=MAX_K, description=f"How many results, 1 to {MAX_K}.")


def _compact(answer: dict[str, Any]) -> str:
    return json.dumps(answer, ensure_ascii=False, separators=(",", ":"))


async def _answer(call: Callable[[], dict[str, Any]]) -> str:
    """Run ``call`` off the event loop; bad input and index failures become tool errors."""
    try:
        answer = await anyio.to_thread.run_sync(call)
    except ToolInputError as err:
        raise ToolError(str(err)) from None
    except OSError as err:
        where = f"{err.filename}: " if err.filename is not None else ""
        raise ToolError(f"{where}{err.strerror or err}") from None
    except SpecsearchError as err:
        raise ToolError(str(err)) from None
    return _compact(answer)


def build_server(service: SpecService) -> MCPServer[Any]:
    """An MCP server whose four tools answer from ``service``."""
    server: MCPServer[Any] = MCPServer("specsearch", instructions=INSTRUCTIONS, log_level="WARNING")

    def client_roots(ctx: Context) -> ListRoots | None:
        """Ask the client for its roots once, when it offers them and none were given."""
        capabilities = ctx.client_capabilities
        if not service.wants_client_roots or capabilities is None or capabilities.roots is None:
            return None
        return ListRoots()

    Roots = Annotated[ListRootsResult | None, Resolve(client_roots)]

    def learn(roots: ListRootsResult | None) -> None:
        if roots is not None:
            service.set_client_roots(str(root.uri) for root in roots.roots)

    @server.tool(annotations=_READ_ONLY, structured_output=False)
    async def route_request(request: Request, roots: Roots, k: int = _k(5)) -> str:
        """Find the user's subagents and skills that should handle a request, best first.

        Call this before doing a task yourself, with the request in the user's own
        words. Each result has name, kind (agent, skill or command), path, a
        description cut to 200 characters, score and a short `why` (the words that
        matched). Copies of one spec are collapsed (`copies`: some of their paths).
        """
        learn(roots)
        return await _answer(functools.partial(service.route, request, k))

    @server.tool(annotations=_READ_ONLY, structured_output=False)
    async def search_specs(query: Query, roots: Roots, k: int = _k(10)) -> str:
        """Search the specs with the query language, best first, with the best line of each.

        Use for exact look-ups (a name, a phrase, a frontmatter key such as
        tools:Bash); for "which agent should do this?" use route_request. Each
        result has name, kind, path, description, score, line and snippet.
        """
        learn(roots)
        return await _answer(functools.partial(service.search, query, k))

    @server.tool(annotations=_READ_ONLY, structured_output=False)
    async def show_spec(
        name_or_path: Annotated[
            str,
            Field(
                min_length=1,
                max_length=MAX_TEXT_CHARS,
                description="A spec's name (as route_request or list_specs give it) or its path.",
            ),
        ],
        roots: Roots,
    ) -> str:
        """Read one spec: its frontmatter as an object and its Markdown body.

        Only indexed specs can be shown. When several specs share the name, the
        first is shown and `same_name` lists the others' paths.
        """
        learn(roots)
        return await _answer(functools.partial(service.show, name_or_path))

    @server.tool(annotations=_READ_ONLY, structured_output=False)
    async def list_specs(
        roots: Roots,
        kind: Annotated[
            Literal["agent", "skill", "command"] | None,
            Field(description="Only this kind of spec; omit for all."),
        ] = None,
        limit: Annotated[
            int, Field(ge=1, le=MAX_LIST, description=f"Page size, 1 to {MAX_LIST}.")
        ] = 100,
        offset: Annotated[int, Field(ge=0, description="Where the page starts.")] = 0,
    ) -> str:
        """List the specs by name: name, kind, path and the first line of the description.

        Sorted by name, copies collapsed, one page at a time (`next_offset` when
        there is more). To pick a spec for a task, route_request is cheaper.
        """
        learn(roots)
        return await _answer(functools.partial(service.list, kind, limit, offset))

    async def roots_changed(_ctx: Any, _params: NotificationParams) -> None:
        service.forget_client_roots()

    # MCPServer has no public hook for this notification; its low-level server does.
    server._lowlevel_server.add_notification_handler(
        "notifications/roots/list_changed", NotificationParams, roots_changed
    )
    return server


def serve(
    paths: Sequence[str],
    *,
    index_dir: str | None = None,
    backend: str | None = None,
    environ: Mapping[str, str] | None = None,
    config: Config | None = None,
    user_roots: Sequence[str] = (),
) -> None:
    """Run the MCP server on stdin/stdout until the client hangs up (see :class:`SpecService`).

    Raises:
        ImportError: the MCP SDK is not installed (``pip install 'specsearch[mcp]'``).
    """
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="specsearch: %(message)s")
    service = SpecService(
        paths,
        index_dir=index_dir,
        backend=backend,
        environ=environ,
        config=config,
        user_roots=user_roots,
    )
    try:
        build_server(service).run("stdio")
    finally:
        service.close()
