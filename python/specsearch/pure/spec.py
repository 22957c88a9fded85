"""Spec parsing: the bytes of one file to its fields (SPEC.md §2).

The YAML frontmatter is read as a PyYAML *event stream* only: nothing is ever
constructed from it, so tags cannot run code and aliases cost nothing.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import yaml

from specsearch.schema import FIELDS
from specsearch.types import Problem

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "MAX_YAML_DEPTH",
    "ParsedSpec",
    "decode_lines",
    "parse_spec",
    "spec_name",
]

#: Collections nested deeper than this make the YAML parse fail.
MAX_YAML_DEPTH = 32

_SPACES = " \t"
_LENIENT_ENTRY_RE = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_.-]*)[ \t]*:(.*)")
_HEADING_RE = re.compile(r" {0,3}#{1,6}([ \t].*)?")
_FENCE_OPEN_RE = re.compile(r" {0,3}(`{3,}|~{3,})")
_FENCE_CLOSE_RE = re.compile(r" {0,3}(`+|~+)[ \t]*")
_EXAMPLE_OPEN_RE = re.compile(r"<example>", re.ASCII | re.IGNORECASE)
_EXAMPLE_CLOSE_RE = re.compile(r"</example>", re.ASCII | re.IGNORECASE)
_USER_REQUEST_RE = re.compile(r"user[*_]*[ \t]*:(.*)", re.ASCII | re.IGNORECASE | re.DOTALL)
_REQUEST_LEAD = " \t>*_-"


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedSpec:
    r"""The fields of one spec.

    Attributes:
        name: The spec's name.
        description: Its description (``\`` ``n`` pairs made line feeds).
        frontmatter: The other frontmatter entries, ``(key, value)`` in order.
        headings: The heading texts, joined by line feeds.
        body: Every other body line, joined by line feeds.
        examples: The user requests of the ``<example>`` blocks, joined.
    """

    name: str
    description: str
    frontmatter: tuple[tuple[str, str], ...]
    headings: str
    body: str
    examples: str

    def field_text(self, field: str) -> str:
        """The text of one indexed field.

        Args:
            field: One of :data:`FIELDS`.

        Returns:
            The field's text.

        Raises:
            ValueError: ``field`` is not a field name.
        """
        if field == "frontmatter":
            return "\n".join(f"{key}\n{value}" for key, value in self.frontmatter)
        if field in FIELDS:
            text: str = getattr(self, field)
            return text
        raise ValueError(f"unknown field: {field!r}")


def strip(text: str) -> str:
    """Remove leading and trailing spaces and tabs (only U+0020 and U+0009)."""
    return text.strip(_SPACES)


def decode_lines(data: bytes) -> list[str]:
    r"""Decode a file lossily and split it into lines.

    Args:
        data: The file's bytes.

    Returns:
        Its lines (split on ``\n`` only, one trailing ``\r`` removed each),
        after a leading BOM is dropped. Line ``i`` (0-based) is file line ``i + 1``.
    """
    text = data.decode("utf-8", errors="replace")
    text = text.removeprefix("\ufeff")
    return [line.removesuffix("\r") for line in text.split("\n")]


def _stem(file_name: str) -> str:
    """The file name without its last extension (a leading dot is no extension)."""
    dot = file_name.rfind(".")
    return file_name[:dot] if dot > 0 else file_name


def spec_name(display_path: str, fs_path: str) -> str:
    """The name of a spec without a frontmatter name.

    Args:
        display_path: The doc's path as the index shows it.
        fs_path: The path to the file on disk.

    Returns:
        The file name without its last extension; when that is ``SKILL``
        (case-insensitively), the name of the folder holding the file.
    """
    stem = _stem(display_path.rsplit("/", 1)[-1])
    if stem.isascii() and stem.lower() == "skill":  # ASCII case-insensitive
        parent = os.path.basename(os.path.dirname(os.path.abspath(fs_path)))
        if parent:
            return os.fsencode(parent).decode("utf-8", errors="replace")
    return stem


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


class _YamlError(Exception):
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
    """The 0-based frontmatter line of a PyYAML error (0 when unknown)."""
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        if mark is not None:
            return max(mark.line, 0)
    if isinstance(error, yaml.reader.ReaderError):
        return text.count("\n", 0, max(error.position, 0))
    return 0


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


def _yaml_entries(text: str) -> list[tuple[str, str, bool]]:
    r"""The top-level entries of the first YAML document of ``text``.

    Args:
        text: The frontmatter lines joined by ``\n``.

    Returns:
        ``(key text, value text, value is a scalar)`` per top-level entry.

    Raises:
        _YamlError: A parser error, nesting deeper than
            :data:`MAX_YAML_DEPTH`, or a first document that is not a mapping.
    """
    try:
        root = _first_document_root(yaml.parse(text, Loader=_SafeYaml12Loader))
    except yaml.YAMLError as error:
        raise _YamlError(_yaml_error_line(error, text), _yaml_error_message(error)) from error
    except _YamlError:
        raise
    except Exception as error:  # RecursionError or any parser bug: still a failure.
        raise _YamlError(0, f"{type(error).__name__}: {error}") from error
    if root is None:
        return []
    keys, values = root.texts[0::2], root.texts[1::2]
    return list(zip(keys, values, root.is_scalar[1::2], strict=True))


def _first_document_root(events: Iterator[yaml.Event]) -> _Frame | None:
    """Consume a whole event stream; return the first document's root mapping.

    Nothing is constructed: scalars give their value, collections the texts of
    their children, aliases nothing. Later documents are only checked (depth,
    and the parser's own errors as the stream is consumed).

    Args:
        events: PyYAML parser events.

    Returns:
        The root mapping's children (keys and values alternate), or None when
        the stream holds no document.

    Raises:
        _YamlError: Nesting deeper than :data:`MAX_YAML_DEPTH`, or a first
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
            if depth > MAX_YAML_DEPTH:
                raise _YamlError(0, f"frontmatter nests deeper than {MAX_YAML_DEPTH} levels")
            if first and not stack and not isinstance(event, yaml.MappingStartEvent):
                raise _YamlError(0, "frontmatter is not a mapping")
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
            raise _YamlError(0, "frontmatter is not a mapping")
        stack[-1].texts.append(node_text)
        stack[-1].is_scalar.append(node_is_scalar)
    return root


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _lenient_entries(lines: list[str]) -> list[tuple[str, str, bool]]:
    """Scan frontmatter lines as ``key: value`` entries (the lenient fallback)."""
    entries: list[tuple[str, list[str]]] = []
    for line in lines:
        match = _LENIENT_ENTRY_RE.fullmatch(line)
        if match is not None:
            entries.append((match.group(1), [match.group(2)]))
        elif entries:
            entries[-1][1].append(line)
        else:
            entries.append(("", [line]))
    return [(key, _unquote(strip("\n".join(parts))), True) for key, parts in entries]


def _examples(text: str) -> list[str]:
    """The user requests of the ``<example>`` blocks of ``text``."""
    requests: list[str] = []
    pos = 0
    while (opening := _EXAMPLE_OPEN_RE.search(text, pos)) is not None:
        closing = _EXAMPLE_CLOSE_RE.search(text, opening.end())
        block_end = len(text) if closing is None else closing.start()
        for line in text[opening.end() : block_end].split("\n"):
            match = _USER_REQUEST_RE.match(line.lstrip(_REQUEST_LEAD))
            if match is not None:
                requests.append(strip(match.group(1)))
        if closing is None:
            break
        pos = closing.end()
    return requests


def _split_body(lines: list[str]) -> tuple[list[str], list[str]]:
    """Split body lines into (heading texts, other lines), minding code fences."""
    headings: list[str] = []
    others: list[str] = []
    fence: str | None = None
    for line in lines:
        if fence is not None:
            close = _FENCE_CLOSE_RE.fullmatch(line)
            if (
                close is not None
                and close.group(1)[0] == fence[0]
                and len(close.group(1)) >= len(fence)
            ):
                fence = None
            others.append(line)
            continue
        opening = _FENCE_OPEN_RE.match(line)
        if opening is not None:
            fence = opening.group(1)
            others.append(line)
            continue
        heading = _HEADING_RE.fullmatch(line)
        if heading is not None:
            headings.append(strip(heading.group(1) or ""))
        else:
            others.append(line)
    return headings, others


def parse_spec(display_path: str, fs_path: str, data: bytes) -> tuple[ParsedSpec, list[Problem]]:
    """Parse the bytes of one spec file into its fields.

    Args:
        display_path: The doc's path as the index shows it (used in problems
            and for the fallback name).
        fs_path: The path to the file on disk (for the ``SKILL`` name rule).
        data: The file's bytes.

    Returns:
        The parsed spec and the problems found (unclosed frontmatter, YAML
        errors); the spec is always as complete as the file allows.
    """
    problems: list[Problem] = []
    lines = decode_lines(data)
    front: list[str] | None = None
    first_front_line = 1  # 1-based file line of the first frontmatter line
    body = lines
    if strip(lines[0]) == "---":
        close = next((i for i in range(1, len(lines)) if strip(lines[i]) == "---"), None)
        if close is None:
            problems.append(
                Problem(
                    path=display_path,
                    line=1,
                    message="frontmatter opened at line 1 is never closed",
                )
            )
        else:
            front, body, first_front_line = lines[1:close], lines[close + 1 :], 2
    elif lines[0].startswith("name:"):
        blank = next((i for i in range(len(lines)) if not strip(lines[i])), len(lines))
        front, body = lines[:blank], lines[blank + 1 :]

    entries: list[tuple[str, str, bool]] = []
    if front is not None:
        # Each frontmatter line ends with a line break, the last one too, as in
        # the file: a block scalar at the end keeps its final line break.
        front_text = "".join(f"{line}\n" for line in front)
        try:
            entries = _yaml_entries(front_text)
        except _YamlError as failure:
            problems.append(
                Problem(
                    path=display_path, line=first_front_line + failure.line, message=failure.message
                )
            )
            entries = _lenient_entries(front)

    name: str | None = None
    description: str | None = None
    others: list[tuple[str, str]] = []
    for key, value, is_scalar in entries:
        if key == "name" and name is None and is_scalar and strip(value):
            name = strip(value)
        elif key == "description" and description is None:
            description = value.replace("\\n", "\n")
        else:
            others.append((key, value))

    headings, body_lines = _split_body(body)
    description = description or ""
    examples = _examples(description) + _examples("\n".join(body))
    spec = ParsedSpec(
        name=name if name is not None else spec_name(display_path, fs_path),
        description=description,
        frontmatter=tuple(others),
        headings="\n".join(headings),
        body="\n".join(body_lines),
        examples="\n".join(examples),
    )
    return spec, problems
