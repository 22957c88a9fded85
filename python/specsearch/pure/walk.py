"""The walk: which files are specs, and their doc-id order (SPEC.md §1).

A directory root is walked like the Rust ``ignore`` crate's walker configured
for specsearch: ``.specsearchignore``, ``.ignore`` and ``.gitignore`` files of
the walked folders honoured (none above the root, no global or
``info/exclude`` files, no git repository needed, a nested ``.git`` changes
nothing), hidden entries skipped unless a ``!`` pattern re-includes them,
symbolic links never followed, only regular files kept. The ignore-file
matcher below is a port of the crate's (``ignore``'s ``gitignore.rs`` and
``dir.rs``, ``globset``'s glob parser), not a general gitignore library, so
that both engines agree on every pattern.
"""

from __future__ import annotations

import enum
import errno
import io
import os
import re
import stat
from dataclasses import dataclass
from typing import TYPE_CHECKING

from specsearch.types import Problem

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "MAX_IGNORE_LINES",
    "SPEC_EXTENSIONS",
    "SpecFile",
    "UnsafeFile",
    "collect",
    "display",
    "is_spec_name",
    "open_regular",
    "starts_with_fence",
]

#: File extensions (ASCII case-insensitive, without the dot) of spec files.
SPEC_EXTENSIONS = frozenset({"md", "markdown", "mdx"})
#: An ignore file's lines beyond this many are not used (and reported).
MAX_IGNORE_LINES = 10_000
#: Never follow a symbolic link in the last component, never block on a FIFO.
_SAFE_OPEN = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC

_CHUNK = 8192
_SYMLINK = "symbolic link: not followed"
_NOT_REGULAR = "not a regular file: skipped"
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True, kw_only=True)
class SpecFile:
    """One file to index.

    Attributes:
        path: Its path as the index shows it (root joined with the relative
            path by ``/``, or the relative path alone for the implicit root).
        fs_path: The path to open it with.
        identity: Its device and inode when the walk saw it, to check that
            the file opened is that one.
        stamp: Its size and mtime (ns) when the walk saw it, so that a
            freshness check needs no second ``stat``.
    """

    path: str
    fs_path: str
    identity: tuple[int, int] | None = None
    stamp: tuple[int, int] | None = None


class UnsafeFile(Exception):
    """A file :func:`open_regular` refuses; ``reason`` says why, for a problem.

    ``size`` is the size of a file refused for being too large, else None.
    """

    def __init__(self, reason: str, size: int | None = None) -> None:
        """Refuse a file for ``reason`` (e.g. ``symbolic link``)."""
        super().__init__(reason)
        self.reason = reason
        self.size = size


def os_reason(error: OSError) -> str:
    """An OS error as the native engine words it: ``Permission denied (os error 13)``.

    >>> os_reason(PermissionError(13, "Permission denied", "a.md"))
    'Permission denied (os error 13)'
    """
    if error.errno is not None and error.strerror:
        return f"{error.strerror} (os error {error.errno})"
    return error.strerror or str(error)


def open_regular(
    fs_path: str, max_bytes: int | None = None, identity: tuple[int, int] | None = None
) -> tuple[io.FileIO, os.stat_result]:
    """Open a file to read it, only if it is a regular file (not through a link).

    The last path component is not followed when it is a symbolic link, a
    FIFO does not block the open, and ``fstat`` of the opened file decides:
    it must be a regular file, of at most ``max_bytes`` bytes, and (when
    ``identity`` is given) the ``(st_dev, st_ino)`` the walk saw.

    Raises:
        UnsafeFile: A link, not a regular file, replaced, or too large.
        OSError: The file cannot be opened.
    """
    try:
        fd = os.open(fs_path, _SAFE_OPEN)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise UnsafeFile("symbolic link") from None
        raise
    file = io.FileIO(fd, "rb", closefd=True)
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise UnsafeFile("not a regular file")
        if identity is not None and (status.st_dev, status.st_ino) != identity:
            raise UnsafeFile("replaced while being indexed")
        if max_bytes is not None and status.st_size > max_bytes:
            raise UnsafeFile(f"file is larger than {max_bytes} bytes", status.st_size)
    except BaseException:
        file.close()
        raise
    return file, status


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
    try:
        opened, _ = open_regular(fs_path)
    except UnsafeFile:
        return False
    with opened as file:
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


# ---------------------------------------------------------------------------
# Ignore files: a port of the `ignore` crate's gitignore matcher (0.4.x,
# `gitignore.rs`) and of the `globset` glob-to-regex translation it uses, so
# that both engines select exactly the same files. Patterns are compiled to
# byte regexes and matched against the UTF-8 (or raw OS) bytes of the path
# relative to the ignore file's folder, as the crate does.

#: Ignore-file categories, strongest first: the first category with a
#: matching rule (ignore or ``!`` whitelist) decides.
_IGNORE_FILES = (".specsearchignore", ".ignore", ".gitignore")
_BOM_CHAR = "\ufeff"
#: Characters ``regex_syntax::escape`` escapes (all safe to escape in ``re``).
_REGEX_META = frozenset("\\.+*?()|[]{}^$#&-~")
_MAX_ALTERNATES_DEPTH = 100
_POSIX_CLASSES: dict[str, tuple[tuple[str, str], ...]] = {
    "alnum": (("0", "9"), ("A", "Z"), ("a", "z")),
    "alpha": (("A", "Z"), ("a", "z")),
    "blank": (("\t", "\t"), (" ", " ")),
    "cntrl": (("\x00", "\x1f"), ("\x7f", "\x7f")),
    "digit": (("0", "9"),),
    "graph": (("!", "~"),),
    "lower": (("a", "z"),),
    "print": ((" ", "~"),),
    "punct": (("!", "/"), (":", "@"), ("[", "`"), ("{", "~")),
    "space": (("\t", "\r"), (" ", " ")),
    "upper": (("A", "Z"),),
    "xdigit": (("0", "9"), ("A", "F"), ("a", "f")),
}


class _GlobError(ValueError):
    """A pattern the crate rejects: its line is skipped."""


@dataclass(frozen=True, slots=True)
class _Literal:
    char: str


@dataclass(frozen=True, slots=True)
class _Class:
    negated: bool
    ranges: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class _Alternates:
    branches: tuple[tuple[_Token, ...], ...]


class _Special(enum.Enum):
    ANY = "[^/]"  # ?
    ZERO_OR_MORE = "[^/]*"  # *
    RECURSIVE_PREFIX = "(?:/?|.*/)"  # leading **/
    RECURSIVE_SUFFIX = "/.*"  # trailing /**
    RECURSIVE_ZERO_OR_MORE = "(?:/|/.*/)"  # inner /**/


_Token = _Literal | _Class | _Alternates | _Special


class _GlobParser:
    """``globset``'s glob parser, with the options gitignore patterns use.

    The options: a literal separator, backslash escapes, unclosed classes
    allowed, no empty alternates.
    """

    def __init__(self, glob: str) -> None:
        self.chars = glob
        self.pos = 0
        self.prev: str | None = None
        self.cur: str | None = None
        self.branches: list[list[_Token]] = [[]]
        self.alternates: list[int] = []
        self.found_unclosed_class = False

    def bump(self) -> str | None:
        self.prev = self.cur
        if self.pos < len(self.chars):
            self.cur = self.chars[self.pos]
            self.pos += 1
        else:
            self.cur = None
        return self.cur

    def peek(self) -> str | None:
        return self.chars[self.pos] if self.pos < len(self.chars) else None

    def save(self) -> tuple[int, str | None, str | None]:
        return self.pos, self.prev, self.cur

    def restore(self, state: tuple[int, str | None, str | None]) -> None:
        self.pos, self.prev, self.cur = state

    def push(self, token: _Token) -> None:
        self.branches[-1].append(token)

    def parse(self) -> tuple[_Token, ...]:
        while (char := self.bump()) is not None:
            if char == "?":
                self.push(_Special.ANY)
            elif char == "*":
                self.parse_star()
            elif char == "[" and not self.found_unclosed_class:
                self.parse_class()
            elif char == "{":
                if len(self.alternates) >= _MAX_ALTERNATES_DEPTH:
                    raise _GlobError("too many nested alternates")
                self.alternates.append(len(self.branches))
                self.branches.append([])
            elif char == "}":
                if not self.alternates:
                    raise _GlobError("unopened alternates")
                start = self.alternates.pop()
                branches = tuple(tuple(branch) for branch in self.branches[start:])
                del self.branches[start:]
                self.push(_Alternates(branches))
            elif char == ",":
                if self.alternates:
                    self.branches.append([])
                else:
                    self.push(_Literal(","))
            elif char == "\\":
                escaped = self.bump()
                if escaped is None:
                    raise _GlobError("dangling escape")
                self.push(_Literal(escaped))
            else:
                self.push(_Literal(char))
        if len(self.branches) > 1:
            raise _GlobError("unclosed alternates")
        return tuple(self.branches[0])

    def parse_star(self) -> None:
        prev = self.prev
        if self.peek() != "*":
            self.push(_Special.ZERO_OR_MORE)
            return
        self.bump()
        if not self.branches[-1]:
            following = self.peek()
            if following is not None and following != "/":
                self.push(_Special.ZERO_OR_MORE)
                self.push(_Special.ZERO_OR_MORE)
            else:
                self.push(_Special.RECURSIVE_PREFIX)
                self.bump()
            return
        if prev != "/" and (len(self.branches) <= 1 or prev not in (",", "{")):
            self.push(_Special.ZERO_OR_MORE)
            self.push(_Special.ZERO_OR_MORE)
            return
        following = self.peek()
        if following is None:
            self.bump()
            is_suffix = True
        elif following in (",", "}") and len(self.branches) >= 2:
            is_suffix = True
        elif following == "/":
            self.bump()
            is_suffix = False
        else:
            self.push(_Special.ZERO_OR_MORE)
            self.push(_Special.ZERO_OR_MORE)
            return
        last = self.branches[-1].pop()
        if last in (_Special.RECURSIVE_PREFIX, _Special.RECURSIVE_SUFFIX):
            self.push(last)
        elif is_suffix:
            self.push(_Special.RECURSIVE_SUFFIX)
        else:
            self.push(_Special.RECURSIVE_ZERO_OR_MORE)

    def parse_class(self) -> None:
        saved = self.save()
        ranges: list[tuple[str, str]] = []
        negated = self.peek() in ("!", "^")
        if negated:
            self.bump()
        first = True
        in_range = False
        while True:
            char = self.bump()
            if char is None:
                # An unclosed class: `[` is a literal, and so is every later `[`.
                self.restore(saved)
                self.found_unclosed_class = True
                self.push(_Literal("["))
                return
            if char == "]" and not first:
                break
            if char == "-" and not first:
                if in_range:
                    ranges[-1] = _extend_range(ranges[-1], "-")
                    in_range = False
                else:
                    in_range = True
            elif char == "[" and not in_range and self.peek() == ":":
                posix = self.parse_posix_class()
                ranges.extend(posix if posix is not None else [("[", "[")])
                in_range = False
            elif in_range:
                ranges[-1] = _extend_range(ranges[-1], char)
                in_range = False
            else:
                ranges.append((char, char))
            first = False
        if in_range:
            ranges.append(("-", "-"))
        self.push(_Class(negated, tuple(ranges)))

    def parse_posix_class(self) -> tuple[tuple[str, str], ...] | None:
        saved = self.save()
        self.bump()  # the ':'
        name = ""
        while True:
            char = self.bump()
            if char == ":" and self.peek() == "]":
                self.bump()
                # An unknown name is consumed all the same (as the crate does).
                return _POSIX_CLASSES.get(name)
            if char is not None and "a" <= char <= "z" and len(name) < 8:
                name += char
            else:
                self.restore(saved)
                return None


def _extend_range(last: tuple[str, str], end: str) -> tuple[str, str]:
    if end < last[0]:
        raise _GlobError(f"invalid range {last[0]}-{end}")
    return last[0], end


def _escape(char: str) -> str:
    r"""``globset``'s ``char_to_escaped_literal``: ASCII escaped, other bytes as ``\xNN``."""
    out = []
    for byte in char.encode("utf-8", errors="surrogateescape"):
        if byte > 0x7F:
            out.append(f"\\x{byte:02x}")
        elif chr(byte) in _REGEX_META:
            out.append("\\" + chr(byte))
        else:
            out.append(chr(byte))
    return "".join(out)


def _class_regex(token: _Class) -> str:
    ranges = token.ranges
    if not token.negated:
        # `/` is removed from the class (a separator is always literal).
        kept: list[tuple[str, str]] = []
        for start, end in ranges:
            if start > "/" or end < "/":
                kept.append((start, end))
            elif start == "/" and end == "/":
                pass
            elif start == "/":
                kept.append(("0", end))
            elif end == "/":
                kept.append((start, "."))
            else:
                kept.extend(((start, "."), ("0", end)))
        ranges = tuple(kept)
    if not ranges:
        return r"[^\s\S]"
    body = "".join(
        _escape(start) if start == end else f"{_escape(start)}-{_escape(end)}"
        for start, end in ranges
    )
    return f"[^/{body}]" if token.negated else f"[{body}]"


def _tokens_regex(tokens: Sequence[_Token]) -> str:
    out: list[str] = []
    for token in tokens:
        if isinstance(token, _Literal):
            out.append(_escape(token.char))
        elif isinstance(token, _Class):
            out.append(_class_regex(token))
        elif isinstance(token, _Alternates):
            parts = [part for part in map(_tokens_regex, token.branches) if part]
            if parts:
                out.append("(?:" + "|".join(parts) + ")")
        else:
            out.append(token.value)
    return "".join(out)


def _glob_regex(glob: str) -> re.Pattern[bytes]:
    """The regex ``globset`` builds for a gitignore glob, to be full-matched."""
    tokens = _GlobParser(glob).parse()
    if tokens == (_Special.RECURSIVE_PREFIX,):
        return re.compile(b".*")
    return re.compile(_tokens_regex(tokens).encode("ascii"))


@dataclass(frozen=True, slots=True)
class _Glob:
    """One pattern line: its regex, whether it is a ``!`` line, whether it ends in ``/``."""

    regex: re.Pattern[bytes]
    whitelist: bool
    only_dir: bool


def _trim_trailing_unescaped_spaces(line: str) -> str:
    last_space: int | None = None
    i = 0
    while i < len(line):
        char = line[i]
        if char == "\\":
            if i + 1 >= len(line):
                return line
            i += 2
            last_space = None
        else:
            if char != " ":
                last_space = None
            elif last_space is None:
                last_space = i
            i += 1
    return line if last_space is None else line[:last_space]


def _parse_line(line: str) -> _Glob | None:
    """One line of an ignore file as the crate reads it (None: no pattern)."""
    if line.startswith("#"):
        return None
    line = _trim_trailing_unescaped_spaces(line)
    if not line:
        return None
    whitelist = only_dir = anchored = False
    if line.startswith(("\\!", "\\#")):
        line = line[1:]
    else:
        if line.startswith("!"):
            whitelist = True
            line = line[1:]
        if line.startswith("/"):
            # Anchored: wildcards never match `/`, so no `**/` prefix below.
            line = line[1:]
            anchored = True
    if not line:
        return None  # a bare `!` or `/` is a no-op
    if line.endswith("/"):
        only_dir = True
        line = line[:-1]
        line = line.removesuffix("\\")
    glob = line
    if not anchored and "/" not in line and not (glob.startswith("**/") or glob == "**"):
        glob = "**/" + glob
    if glob.endswith("/**"):
        glob += "/*"
    try:
        regex = _glob_regex(glob)
    except _GlobError:
        return None  # the crate drops an invalid pattern (and keeps the others)
    return _Glob(regex, whitelist, only_dir)


def _read_ignore_file(
    path: str, shown: str, max_bytes: int, problems: list[Problem]
) -> tuple[_Glob, ...]:
    """The patterns of an ignore file; an unreadable file has none (as in the crate).

    A link, a FIFO or anything but a regular file is not read, nor is a file
    over ``max_bytes`` or one that cannot be read (gone since the listing:
    silently); lines after the first ``MAX_IGNORE_LINES`` are not used. Each
    of these is reported as a problem of ``shown``.
    """
    try:
        opened, _ = open_regular(path, max_bytes)
        with opened as file:
            data = file.read(max_bytes + 1)
    except UnsafeFile as refused:
        problems.append(Problem(path=shown, line=None, message=_ignore_refused(refused.reason)))
        return ()
    except FileNotFoundError:
        return ()
    except OSError as error:
        problems.append(Problem(path=shown, line=None, message=_ignore_refused(os_reason(error))))
        return ()
    if len(data) > max_bytes:
        message = _ignore_refused(f"file is larger than {max_bytes} bytes")
        problems.append(Problem(path=shown, line=None, message=message))
        return ()
    globs: list[_Glob] = []
    raw_lines = data.split(b"\n")
    last = len(raw_lines) - 1
    for number, raw in enumerate(raw_lines):
        if number == last and not raw:
            break  # the file ends with a line feed
        if number == MAX_IGNORE_LINES:
            message = f"ignore file has more than {MAX_IGNORE_LINES} lines: the rest are not used"
            problems.append(Problem(path=shown, line=number + 1, message=message))
            break
        # A line feed ends each line but the last, and a CR before it goes.
        content = raw if number == last else raw.removesuffix(b"\r")
        try:
            line = content.decode("utf-8")
        except UnicodeDecodeError:
            continue  # the crate skips a line that is not UTF-8
        if number == 0:
            line = line.lstrip(_BOM_CHAR)
        glob = _parse_line(line)
        if glob is not None:
            globs.append(glob)
    return tuple(globs)


def _ignore_refused(reason: str) -> str:
    return f"ignore file not read: {reason}"


def _match(globs: tuple[_Glob, ...], candidate: bytes, is_dir: bool) -> bool | None:
    """True: ignored, False: whitelisted, None: no pattern of the file matches."""
    for glob in reversed(globs):
        if (is_dir or not glob.only_dir) and glob.regex.fullmatch(candidate):
            return not glob.whitelist
    return None


@dataclass(frozen=True, slots=True)
class _Rules:
    """The ignore files of one folder (``rel_dir`` relative to the root), by category."""

    rel_dir: str
    categories: tuple[tuple[_Glob, ...], ...]  # in _IGNORE_FILES order


def _read_rules(
    folder: str,
    rel_dir: str,
    names: set[str],
    *,
    prefix: str,
    max_bytes: int,
    problems: list[Problem],
) -> _Rules | None:
    categories = tuple(
        _read_ignore_file(
            os.path.join(folder, name),
            display(prefix + (f"{rel_dir}/{name}" if rel_dir else name)),
            max_bytes,
            problems,
        )
        if name in names
        else ()
        for name in _IGNORE_FILES
    )
    return _Rules(rel_dir, categories) if any(categories) else None


def _ignored(rel_path: str, name: str, is_dir: bool, rules: list[_Rules], hidden: bool) -> bool:
    """Whether an entry is skipped, as the crate's ``Ignore::matched_dir_entry`` decides.

    For each category (``.specsearchignore``, then ``.ignore``, then
    ``.gitignore``), the deepest folder whose file has a matching pattern
    gives the category's answer (in one file, the last matching pattern);
    the first category with an answer decides. When none has one, hidden
    entries (name starting with ``.``) are skipped: a ``!`` pattern can
    therefore bring back a hidden entry. With ``hidden``, hidden entries are
    not skipped.
    """
    for category in range(len(_IGNORE_FILES)):
        for level in reversed(rules):
            globs = level.categories[category]
            if not globs:
                continue
            sub = rel_path[len(level.rel_dir) + 1 :] if level.rel_dir else rel_path
            decision = _match(globs, os.fsencode(sub), is_dir)
            if decision is not None:
                return decision
    return not hidden and name.startswith(".")


def _walk_dir(
    root: str,
    prefix: str,
    max_bytes: int,
    problems: list[Problem],
    *,
    hidden: bool,
    no_ignore: bool,
) -> list[tuple[bytes, SpecFile]]:
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
                    message=f"cannot read directory: {os_reason(error)}",
                )
            )
            continue
        rules = parent_rules
        names = {entry.name for entry in entries}
        own = (
            None
            if no_ignore
            else _read_rules(
                folder, rel_dir, names, prefix=prefix, max_bytes=max_bytes, problems=problems
            )
        )
        if own is not None:
            rules = [*parent_rules, own]
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if not _ignored(rel, entry.name, True, rules, hidden):
                        pending.append((rel, rules))
                    continue
                if not entry.is_file(follow_symlinks=False):
                    # A link (never followed), FIFO, socket or device: said, not read.
                    if not _ignored(rel, entry.name, False, rules, hidden):
                        what = _SYMLINK if entry.is_symlink() else _NOT_REGULAR
                        problems.append(
                            Problem(path=display(prefix + rel), line=None, message=what)
                        )
                    continue
                status = entry.stat(follow_symlinks=False)
            except OSError as error:
                problems.append(
                    Problem(
                        path=display(prefix + rel),
                        line=None,
                        message=f"cannot stat: {os_reason(error)}",
                    )
                )
                continue
            if _ignored(rel, entry.name, False, rules, hidden):
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
                            message=f"cannot read: {os_reason(error)}",
                        )
                    )
                    continue
            if spec:
                found.append(
                    (
                        os.fsencode(rel),
                        SpecFile(
                            path=display(prefix + rel),
                            fs_path=os.path.join(root, rel),
                            identity=(status.st_dev, status.st_ino),
                            stamp=(status.st_size, status.st_mtime_ns),
                        ),
                    )
                )
    found.sort(key=lambda item: item[0])
    return found


def collect(
    roots: Sequence[str], max_file_bytes: int, *, hidden: bool = False, no_ignore: bool = False
) -> tuple[list[SpecFile], list[Problem]]:
    """List the spec files under the roots, in doc-id order.

    Args:
        roots: Files or folders; empty means the current folder, whose docs
            then have paths without a ``./`` prefix.
        max_file_bytes: The size cap; a spec's size is checked when it is
            read (a too-large spec is still listed, to be reported then), an
            ignore file's when the walk reads it.
        hidden: Walk hidden files and folders too (as ``rg --hidden``).
        no_ignore: Read no ignore file (as ``rg --no-ignore``).

    Returns:
        The spec files and the problems met (unreadable folders, ...).

    Raises:
        FileNotFoundError: A root does not exist.
        OSError: A root cannot be inspected (a permission, say).
    """
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
    files: list[SpecFile] = []
    for root, mode in zip(root_list, modes, strict=True):
        if stat.S_ISDIR(mode):
            prefix = "" if implicit else (root if root.endswith("/") else root + "/")
            met: list[Problem] = []
            walked = _walk_dir(
                root, prefix, max_file_bytes, met, hidden=hidden, no_ignore=no_ignore
            )
            files.extend(spec for _, spec in walked)
            # In path order, as the (parallel) Rust walk reports them.
            met.sort(key=lambda p: p.path.encode("utf-8", "surrogateescape"))
            problems.extend(met)
        elif stat.S_ISREG(mode):
            files.append(SpecFile(path=display(root), fs_path=root))
        else:
            problems.append(
                Problem(path=display(root), line=None, message="not a regular file or directory")
            )
    return files, problems
