"""The walk: which files are specs, and their doc-id order (ARCHITECTURE.md §1).

A directory root is walked like the Rust ``ignore`` crate's walker configured
for specsearch: hidden entries skipped, ``.gitignore`` and ``.ignore`` files
of the walked folders honoured (none above the root, no global or
``info/exclude`` files, no git repository needed), symbolic links never
followed, only regular files kept.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pathspec

from specsearch.types import Problem

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["SPEC_EXTENSIONS", "SpecFile", "collect", "display", "is_spec_name", "starts_with_fence"]

#: File extensions (ASCII case-insensitive, without the dot) of spec files.
SPEC_EXTENSIONS = frozenset({"md", "markdown", "mdx"})

#: Ignore files read in each walked folder, strongest first.
_IGNORE_FILES = (".ignore", ".gitignore")
_CHUNK = 8192
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True, kw_only=True)
class SpecFile:
    """One file to index.

    Attributes:
        path: Its path as the index shows it (root joined with the relative
            path by ``/``, or the relative path alone for the implicit root).
        fs_path: The path to open it with.
    """

    path: str
    fs_path: str


@dataclass(frozen=True, slots=True)
class _Rules:
    """The ignore rules of one folder: ``rel_dir`` is relative to the root."""

    rel_dir: str
    specs: tuple[pathspec.GitIgnoreSpec, ...]  # .ignore first, then .gitignore


def display(path: str) -> str:
    """A path as text: undecodable bytes of a file name become U+FFFD."""
    return os.fsencode(path).decode("utf-8", errors="replace")


def is_spec_name(name: str) -> bool | None:
    """Whether a file name makes a spec.

    Args:
        name: A file name (no folder).

    Returns:
        True for a spec extension, None when the name has no ``.`` (the
        first line decides), False otherwise.
    """
    if "." not in name:
        return None
    extension = name.rsplit(".", 1)[1]
    return extension.isascii() and extension.lower() in SPEC_EXTENSIONS


def starts_with_fence(fs_path: str) -> bool:
    r"""Whether a file's first line, stripped of spaces and tabs, is ``---``.

    Reads only as much of the file as needed. Lines are those of §2: a BOM is
    dropped, the line ends at ``\n`` and loses one trailing ``\r``.

    Args:
        fs_path: The file to read.

    Returns:
        Whether the file starts with a frontmatter fence.

    Raises:
        OSError: The file cannot be read.
    """
    head = b""
    with open(fs_path, "rb", buffering=0) as file:
        while True:
            chunk = file.read(_CHUNK)
            head += chunk
            newline = head.find(b"\n")
            if newline >= 0 or not chunk:
                line = head if newline < 0 else head[:newline]
                line = line.removeprefix(_BOM)
                line = line.removesuffix(b"\r")
                return line.strip(b" \t") == b"---"
            # Stop early once the line can no longer be "---".
            rest = head.removeprefix(_BOM).lstrip(b" \t")
            if len(head) >= len(_BOM) and not _may_become_fence(rest):
                return False


def _may_become_fence(rest: bytes) -> bool:
    """Whether an unfinished first line (leading blanks removed) may still be ``---``."""
    if len(rest) <= 3:
        return b"---".startswith(rest)
    if not rest.startswith(b"---"):
        return False
    tail = rest[3:].removesuffix(b"\r")
    return not tail.strip(b" \t")


def _read_rules(
    folder: str, rel_dir: str, names: set[str], problems: list[Problem]
) -> _Rules | None:
    specs: list[pathspec.GitIgnoreSpec] = []
    for name in _IGNORE_FILES:
        if name not in names:
            continue
        path = os.path.join(folder, name)
        try:
            with open(path, "rb") as file:
                data = file.read()
        except OSError as error:
            if error.errno in (errno.ENOENT, errno.EISDIR):
                continue
            problems.append(
                Problem(
                    path=display(path),
                    line=None,
                    message=f"cannot read ignore file: {error.strerror}",
                )
            )
            continue
        lines = [
            line.removesuffix("\r") for line in data.decode("utf-8", errors="replace").split("\n")
        ]
        specs.append(pathspec.GitIgnoreSpec.from_lines(lines))
    return _Rules(rel_dir, tuple(specs)) if specs else None


def _ignored(rel_path: str, is_dir: bool, rules: list[_Rules]) -> bool:
    """Whether the rules of the enclosing folders exclude a path.

    The deepest folder with a matching pattern decides; in one folder,
    ``.ignore`` decides before ``.gitignore``; in one file, the last matching
    pattern decides (``!`` re-includes).
    """
    for level in reversed(rules):
        sub = rel_path[len(level.rel_dir) + 1 :] if level.rel_dir else rel_path
        if is_dir:
            sub += "/"
        for spec in level.specs:
            include = spec.check_file(sub).include
            if include is not None:
                return include
    return False


def _walk_dir(root: str, prefix: str, problems: list[Problem]) -> list[tuple[bytes, SpecFile]]:
    """Every spec under a directory root, keyed by its relative path's bytes."""
    found: list[tuple[bytes, SpecFile]] = []
    pending: list[tuple[str, list[_Rules]]] = [("", [])]
    while pending:
        rel_dir, parent_rules = pending.pop()
        folder = os.path.join(root, rel_dir) if rel_dir else root
        try:
            with os.scandir(folder) as iterator:
                entries = list(iterator)
        except OSError as error:
            shown = prefix + rel_dir if rel_dir else (root if prefix else ".")
            problems.append(
                Problem(
                    path=display(shown),
                    line=None,
                    message=f"cannot read directory: {error.strerror}",
                )
            )
            continue
        rules = parent_rules
        own = _read_rules(folder, rel_dir, {entry.name for entry in entries}, problems)
        if own is not None:
            rules = [*parent_rules, own]
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                if entry.is_symlink():
                    continue
                if entry.is_dir(follow_symlinks=False):
                    if not _ignored(rel, True, rules):
                        pending.append((rel, rules))
                    continue
                if not entry.is_file(follow_symlinks=False):
                    continue  # FIFO, socket, device
            except OSError as error:
                problems.append(
                    Problem(
                        path=display(prefix + rel),
                        line=None,
                        message=f"cannot stat: {error.strerror}",
                    )
                )
                continue
            if _ignored(rel, False, rules):
                continue
            spec = is_spec_name(entry.name)
            if spec is None:
                try:
                    spec = starts_with_fence(entry.path)
                except OSError as error:
                    problems.append(
                        Problem(
                            path=display(prefix + rel),
                            line=None,
                            message=f"cannot read: {error.strerror}",
                        )
                    )
                    continue
            if spec:
                found.append(
                    (
                        os.fsencode(rel),
                        SpecFile(path=display(prefix + rel), fs_path=os.path.join(root, rel)),
                    )
                )
    found.sort(key=lambda item: item[0])
    return found


def collect(roots: Sequence[str], max_file_bytes: int) -> tuple[list[SpecFile], list[Problem]]:
    """List the spec files under the roots, in doc-id order.

    Args:
        roots: Files or folders; empty means the current folder, whose docs
            then have paths without a ``./`` prefix.
        max_file_bytes: The size cap; sizes are checked when files are read
            (a too-large spec is still listed, to be reported then).

    Returns:
        The spec files and the problems met (unreadable folders, ...).

    Raises:
        FileNotFoundError: A root does not exist.
    """
    del max_file_bytes  # checked at read time, see PureIndex.build
    implicit = not roots
    root_list = ["."] if implicit else list(roots)
    modes: list[int] = []
    problems: list[Problem] = []
    for root in root_list:
        try:
            modes.append(os.stat(root).st_mode)
        except FileNotFoundError:
            raise FileNotFoundError(
                errno.ENOENT, f"no such file or directory: {root}", root
            ) from None
        except OSError as error:
            problems.append(
                Problem(path=display(root), line=None, message=f"cannot read: {error.strerror}")
            )
            modes.append(0)
    files: list[SpecFile] = []
    for root, mode in zip(root_list, modes, strict=True):
        if stat.S_ISDIR(mode):
            prefix = "" if implicit else (root if root.endswith("/") else root + "/")
            files.extend(spec for _, spec in _walk_dir(root, prefix, problems))
        elif stat.S_ISREG(mode):
            files.append(SpecFile(path=display(root), fs_path=root))
        elif mode:
            problems.append(
                Problem(
                    path=display(root), line=None, message="not a regular file or folder: skipped"
                )
            )
    return files, problems
