"""Frontmatter YAML to ``(key, value)`` entries, from PyYAML's events (SPEC.md §2).

Split from :mod:`specsearch.pure.spec` so that PyYAML is imported only when a
spec is parsed (building or updating an index), not by a query on a built one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["YamlError", "yaml_entries"]


#: Characters that end a YAML 1.2 anchor or alias name (ns-anchor-char is any
#: non-space character but the flow indicators), as saphyr-parser lexes them.
_ANCHOR_END = frozenset("\0\n\r\ufeff \t,[]{}")


class _SafeYaml12Loader(yaml.SafeLoader):
    """PyYAML's SafeLoader, with anchor and alias names lexed as in YAML 1.2.

    PyYAML (YAML 1.1) allows only ASCII letters, digits, ``-`` and ``_`` in
    them and fails on anything else (``*Σ``, ``**bold**``); YAML 1.2, and so
    the Rust engine's parser, takes any non-space character but ``,[]{}``.
    Only the lexing of names changes: this loader is used for its events, and
    nothing is ever constructed from them.
    """

    def scan_anchor(self, TokenClass: type[yaml.Token]) -> yaml.Token:
        start_mark = self.get_mark()
        self.forward()  # the '&' or '*' indicator
        length = 0
        while self.peek(length) not in _ANCHOR_END:
            length += 1
        if not length:
            raise yaml.scanner.ScannerError(
                "while scanning an anchor or alias",
                start_mark,
                "did not find expected alphabetic or numeric character",
                self.get_mark(),
            )
        value = self.prefix(length)
        self.forward(length)
        return TokenClass(value, start_mark, self.get_mark())  # type: ignore[call-arg]


class YamlError(Exception):
    """The frontmatter is not usable YAML; ``line`` is 0-based in the frontmatter."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _Frame:
    """An open YAML collection: its children's flattened texts."""

    __slots__ = ("is_scalar", "texts")

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.is_scalar: list[bool] = []


def _yaml_error_line(error: yaml.YAMLError, text: str) -> int:
    r"""The 0-based frontmatter line of a PyYAML error (0 when unknown).

    The line is counted from the error's character index, in ``\n`` breaks
    only, and clamped to the last line: PyYAML's own line count also breaks
    at a lone ``\r`` (and NEL, LS, PS), which the spec's lines do not, and
    puts an error at the very end on the line after the last.
    """
    index = 0
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        if mark is not None:
            index = mark.index
    elif isinstance(error, yaml.reader.ReaderError):
        index = error.position
    line = text.count("\n", 0, max(index, 0))
    return min(line, text.rstrip("\n").count("\n"))


def _yaml_error_message(error: yaml.YAMLError) -> str:
    if isinstance(error, yaml.MarkedYAMLError):
        parts = [part for part in (error.context, error.problem) if part]
        if parts:
            return "; ".join(parts)
    if isinstance(error, yaml.reader.ReaderError):
        character = error.character
        code = character if isinstance(character, int) else ord(character[:1] or "\0")
        return f"unacceptable character #x{code:04x}: {error.reason}"
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def yaml_entries(text: str, max_depth: int) -> list[tuple[str, str, bool]]:
    r"""The top-level entries of the first YAML document of ``text``.

    Args:
        text: The frontmatter lines joined by ``\n``.
        max_depth: The deepest nesting allowed.

    Returns:
        ``(key text, value text, value is a scalar)`` per top-level entry.

    Raises:
        YamlError: A parser error, nesting deeper than
            ``max_depth``, or a first document that is not a mapping.
    """
    try:
        root = _first_document_root(yaml.parse(text, Loader=_SafeYaml12Loader), max_depth)
    except yaml.YAMLError as error:
        raise YamlError(_yaml_error_line(error, text), _yaml_error_message(error)) from error
    except YamlError:
        raise
    except Exception as error:  # RecursionError or any parser bug: still a failure.
        raise YamlError(0, f"{type(error).__name__}: {error}") from error
    if root is None:
        return []
    keys, values = root.texts[0::2], root.texts[1::2]
    return list(zip(keys, values, root.is_scalar[1::2], strict=True))


def _first_document_root(events: Iterator[yaml.Event], max_depth: int) -> _Frame | None:
    """Consume a whole event stream; return the first document's root mapping.

    Nothing is constructed: scalars give their value, collections the texts of
    their children, aliases nothing. Later documents are only checked (depth,
    and the parser's own errors as the stream is consumed).

    Args:
        events: PyYAML parser events.
        max_depth: The deepest nesting allowed.

    Returns:
        The root mapping's children (keys and values alternate), or None when
        the stream holds no document.

    Raises:
        YamlError: Nesting deeper than ``max_depth``, or a first
            document whose root is not a mapping.
    """
    documents = 0
    depth = 0
    stack: list[_Frame] = []
    root: _Frame | None = None
    for event in events:
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            continue
        if not isinstance(event, yaml.NodeEvent | yaml.CollectionEndEvent):
            continue  # stream and document ends
        first = documents == 1
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > max_depth:
                raise YamlError(0, f"frontmatter nests deeper than {max_depth} levels")
            if first and not stack and not isinstance(event, yaml.MappingStartEvent):
                raise YamlError(0, "frontmatter is not a mapping")
            if first:
                stack.append(_Frame())
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
            if not first:
                continue
            frame = stack.pop()
            if not stack:
                root = frame
                continue
            node_text, node_is_scalar = "\n".join(frame.texts), False
        elif not first:
            continue
        elif isinstance(event, yaml.ScalarEvent):
            node_text, node_is_scalar = event.value, True
        else:  # AliasEvent: aliases contribute no text.
            node_text, node_is_scalar = "", False
        if not stack:
            raise YamlError(0, "frontmatter is not a mapping")
        stack[-1].texts.append(node_text)
        stack[-1].is_scalar.append(node_is_scalar)
    return root
