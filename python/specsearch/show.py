"""What `specsearch show` prints: one spec's fields and body, read from its file."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from specsearch.backend import DEFAULT_MAX_FILE_BYTES
from specsearch.pure.spec import decode_lines, parse_spec, strip
from specsearch.pure.walk import UnsafeFile, open_regular

if TYPE_CHECKING:
    from specsearch.types import Problem

__all__ = ["ShownSpec", "read_shown", "shown_json"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ShownSpec:
    """A spec as a reader wants to see it.

    Attributes:
        path: The doc path.
        name: The spec's name (SPEC.md §2).
        description: Its description.
        frontmatter: The other frontmatter entries, ``(key, flattened value)``.
        body: The text after the frontmatter, as in the file.
        problems: What was wrong with the file (YAML errors, ...).
    """

    path: str
    name: str
    description: str
    frontmatter: tuple[tuple[str, str], ...]
    body: str
    problems: tuple[Problem, ...]


def _body_start(lines: list[str]) -> int:
    """The index of the first body line.

    That is after a closed ``---`` frontmatter or a bare one (``name:``
    first, up to the first blank line), else 0.

    >>> _body_start(["---", "name: a", "---", "body"])
    3
    >>> _body_start(["name: a", "", "body"])
    2
    >>> _body_start(["---", "never closed"])
    0
    """
    if strip(lines[0]) == "---":
        close = next((i for i in range(1, len(lines)) if strip(lines[i]) == "---"), None)
        return 0 if close is None else close + 1
    if lines[0].startswith("name:"):
        blank = next((i for i in range(len(lines)) if not strip(lines[i])), len(lines))
        return blank + 1
    return 0


def _read_spec_file(fs_path: str, max_bytes: int) -> bytes:
    """The bytes of the regular file at ``fs_path``, at most ``max_bytes`` of them.

    Opened as the engines open a spec (:func:`~specsearch.pure.walk.open_regular`),
    once the links of its path are resolved (``show FILE`` follows a link it
    is given): a FIFO put in a spec's place is refused, not waited on.

    Raises:
        OSError: it cannot be read, is not a regular file, or is larger
            than ``max_bytes`` (the engines skip such a file too).
    """
    too_large = f"file is larger than max_file_bytes ({max_bytes} bytes)"
    try:
        opened, _ = open_regular(os.path.realpath(fs_path), max_bytes)
        with opened as f:
            data = f.read(max_bytes + 1)
    except UnsafeFile as refused:
        reason = refused.reason if refused.size is None else too_large
        raise OSError(errno.EINVAL, reason, fs_path) from None
    if len(data) > max_bytes:  # it grew since it was opened
        raise OSError(errno.EFBIG, too_large, fs_path)
    return data


def read_shown(
    display_path: str, fs_path: str, *, max_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> ShownSpec:
    """Read and parse the spec file at ``fs_path`` (shown as ``display_path``).

    Raises:
        OSError: the file cannot be read, is not a regular file, or is
            larger than ``max_bytes``.
    """
    data = _read_spec_file(fs_path, max_bytes)
    spec, problems = parse_spec(display_path, fs_path, data)
    lines = decode_lines(data)
    return ShownSpec(
        path=display_path,
        name=spec.name,
        description=spec.description,
        frontmatter=spec.frontmatter,
        body="\n".join(lines[_body_start(lines) :]),
        problems=tuple(problems),
    )


def shown_json(spec: ShownSpec) -> dict[str, Any]:
    """``spec`` for ``show --json``: the frontmatter as an object, problems as objects."""
    return {
        "path": spec.path,
        "name": spec.name,
        "description": spec.description,
        "frontmatter": dict(spec.frontmatter),
        "body": spec.body,
        "problems": [{"line": p.line, "message": p.message} for p in spec.problems],
    }
