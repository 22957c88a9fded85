"""Spec parsing: the bytes of one file to its fields (SPEC.md §2).

The YAML frontmatter is read as a PyYAML *event stream* only: nothing is ever
constructed from it, so tags cannot run code and aliases cost nothing.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from specsearch.schema import FIELDS
from specsearch.types import Problem

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
        # PyYAML is imported only here: a query on a built index parses no spec.
        from specsearch.pure.yaml_events import YamlError, yaml_entries  # noqa: PLC0415

        try:
            entries = yaml_entries(front_text, MAX_YAML_DEPTH)
        except YamlError as failure:
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
