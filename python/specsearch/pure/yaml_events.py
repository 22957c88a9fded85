"""Frontmatter YAML to ``(key, value)`` entries, from PyYAML's events (SPEC.md §2).

Split from :mod:`specsearch.pure.spec` so that PyYAML is imported only when a
spec is parsed (building or updating an index), not by a query on a built one.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["YamlError", "yaml_entries"]


#: Characters that end a YAML 1.2 anchor or alias name (ns-anchor-char is any
#: non-space character but the flow indicators), as saphyr-parser lexes them.
_ANCHOR_END = frozenset("\0\n\r\ufeff \t,[]{}")

#: What PyYAML (YAML 1.1) also takes for line breaks; YAML 1.2, and so
#: saphyr-parser, reads them as ordinary characters.
_YAML11_BREAKS = "\x85\u2028\u2029"

#: Where stand-ins for :data:`_YAML11_BREAKS` are looked for: the private-use
#: planes, characters PyYAML's scanner treats like any letter.
_STAND_IN_RANGES = (range(0xF0000, 0xFFFFE), range(0x100000, 0x10FFFE), range(0xE000, 0xF900))

#: A code point that is no character: the value of a ``\uD800``-style escape.
_SURROGATE = re.compile("[\ud800-\udfff]")

#: saphyr-parser's message for an escape that names no character.
_BAD_ESCAPE = "while parsing a quoted scalar, found invalid Unicode character escape code"


class _SafeYaml12Loader(yaml.SafeLoader):
    r"""PyYAML's SafeLoader, lexing as YAML 1.2 (and so the Rust engine's parser) does.

    - Anchor and alias names: PyYAML (YAML 1.1) allows only ASCII letters,
      digits, ``-`` and ``_`` in them and fails on anything else (``*Σ``,
      ``**bold**``); YAML 1.2 takes any non-space character but ``,[]{}``.
    - Characters: PyYAML refuses control characters (``\x01``, ``\x7f``...)
      anywhere in the text; saphyr-parser takes every character but NUL.
    - Escapes: ``"\ud800"`` (a surrogate) or ``"\U00110000"`` (past U+10FFFF)
      names no character: PyYAML yields a lone surrogate (which no output can
      encode) or fails without a line; saphyr-parser fails at the scalar.

    NEL, LS and PS, which PyYAML also reads as line breaks, are swapped for
    stand-ins before parsing (:func:`_stand_ins`). This loader is used for its
    events, and nothing is ever constructed from them.
    """

    #: Only NUL is refused (saphyr-parser: "found unprintable character").
    #: Final in the stubs, but PyYAML looks it up on the instance.
    NON_PRINTABLE = re.compile("\0")  # type: ignore[misc]

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

    def scan_flow_scalar(self, style: str) -> yaml.ScalarToken:
        start_mark = self.get_mark()
        try:
            token = super().scan_flow_scalar(style)
            valid = not _SURROGATE.search(token.value)
        except ValueError:  # chr() of an escape past U+10FFFF
            valid = False
        if not valid:
            raise yaml.scanner.ScannerError(None, None, _BAD_ESCAPE, start_mark)
        return token


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
    parsed, restore = _stand_ins(text)
    try:
        root = _first_document_root(
            yaml.parse(parsed, Loader=_SafeYaml12Loader), max_depth, restore
        )
    except yaml.YAMLError as error:
        message = restore(_yaml_error_message(error))
        raise YamlError(_yaml_error_line(error, text), message) from error
    except YamlError:
        raise
    except Exception as error:  # RecursionError or any parser bug: still a failure.
        raise YamlError(0, f"{type(error).__name__}: {error}") from error
    if root is None:
        return []
    keys, values = root.texts[0::2], root.texts[1::2]
    return list(zip(keys, values, root.is_scalar[1::2], strict=True))


def _stand_ins(text: str) -> tuple[str, Callable[[str], str]]:
    r"""``text`` with NEL, LS and PS swapped for unused characters, and how to swap them back.

    PyYAML breaks lines at them, YAML 1.2 does not; each stand-in is one
    code point, so error positions stay where they were.

    >>> parsed, restore = _stand_ins("a: b\u2028c\n")
    >>> "\u2028" in parsed, restore(parsed) == "a: b\u2028c\n"
    (False, True)
    """
    present = [c for c in _YAML11_BREAKS if c in text]
    if not present:
        return text, _same
    used = set(text)
    free = (chr(code) for codes in _STAND_IN_RANGES for code in codes if chr(code) not in used)
    swaps = dict(zip(present, free, strict=False))
    if len(swaps) < len(present):  # every stand-in taken: parse as it is
        return text, _same
    forward = str.maketrans(swaps)
    back = str.maketrans({v: k for k, v in swaps.items()})
    return text.translate(forward), lambda value: value.translate(back)


def _same(value: str) -> str:
    return value


def _first_document_root(
    events: Iterator[yaml.Event], max_depth: int, restore: Callable[[str], str] = _same
) -> _Frame | None:
    """Consume a whole event stream; return the first document's root mapping.

    Nothing is constructed: scalars give their value, collections the texts of
    their children, aliases nothing. Later documents are only checked (depth,
    and the parser's own errors as the stream is consumed).

    Args:
        events: PyYAML parser events.
        max_depth: The deepest nesting allowed.
        restore: Gives a scalar's text back its NEL, LS and PS (:func:`_stand_ins`).

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
            node_text, node_is_scalar = restore(event.value), True
        else:  # AliasEvent: aliases contribute no text.
            node_text, node_is_scalar = "", False
        if not stack:
            raise YamlError(0, "frontmatter is not a mapping")
        stack[-1].texts.append(node_text)
        stack[-1].is_scalar.append(node_is_scalar)
    return root
