"""The part of a snippet line to show: cut around the matches to a width.

Shared by the CLI and the MCP server, so both show the same window.
"""

from __future__ import annotations

#: ``typing.TYPE_CHECKING`` without importing ``typing`` (start-up cost); mypy reads it so.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from specsearch.types import Snippet

__all__ = ["SNIPPET_WIDTH", "window"]

#: Snippet width when stdout is not a terminal (on one, its width).
SNIPPET_WIDTH = 160


def window(snippet: Snippet, width: int = SNIPPET_WIDTH) -> tuple[str, list[tuple[int, int]]]:
    """The part of a snippet line to show, with the spans moved into it.

    At most ``width`` characters, cut around the first match.

    >>> from specsearch.types import Snippet
    >>> window(Snippet(line=1, text="  use tokio", spans=((6, 11),)))
    ('use tokio', [(4, 9)])
    >>> window(Snippet(line=1, text="a " * 30 + "tokio" + " b" * 30, spans=((60, 65),)), 20)
    ('…a a a tokio b b b b…', [(7, 12)])
    """
    text = snippet.text
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    if end - start > width:
        first = snippet.spans[0][0] if snippet.spans else start
        last = snippet.spans[-1][1] if snippet.spans else start
        # Centre the matches (from the first) in the window.
        lead = max(0, (width - (min(last, first + width) - first)) // 2)
        start = max(start, min(first - lead, end - width))
        # Start at a word when one begins shortly after (never past the match).
        space = text.find(" ", start, min(first, start + 12))
        start = space + 1 if space >= 0 else start
        end = min(end, start + width)
    lead_mark = "…" if start > len(text) - len(text.lstrip()) else ""
    tail = "…" if end < len(text.rstrip()) else ""
    shift = start - len(lead_mark)
    spans = [
        (max(a, start) - shift, min(b, end) - shift)
        for a, b in snippet.spans
        if a < end and b > start
    ]
    shown = text[start:end].rstrip() if tail else text[start:end]
    return lead_mark + shown + tail, spans
