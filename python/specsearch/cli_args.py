"""The ``query`` and ``route`` command lines, parsed without click.

Importing click is most of the CLI's start-up (issue 13), and a plain
``specsearch query WORDS [PATH...] [OPTIONS]`` or ``specsearch route ...``
is what people and agents run most. :func:`parse` reads such a command line
into exactly the parameters click would give the command, or answers None:
then :mod:`specsearch.cli` hands the whole line to click
(:mod:`specsearch.cli_app`), which parses it as it always did and reports any
mistake. So None is always safe, and :func:`parse` says None to anything it
does not read the way click does: ``--help``, ``--`` (see ``_QueryCommand``),
grouped short options (``-lq``), a value click would reject or convert, an
unknown option, a missing argument.

:data:`COMMANDS` is the one table of the options this module reads;
``tests/cli/test_cli_args.py`` checks it against the click commands'
parameters (names, spellings, kinds, choices, defaults), and checks
:func:`parse` against click's own parser on generated command lines.
"""

from __future__ import annotations

import os
import stat

#: ``typing.TYPE_CHECKING`` without importing ``typing`` (start-up cost); mypy reads it so.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, Final

#: The keys of a hit in ``--json`` output, which ``--fields`` chooses from.
HIT_FIELDS: Final = (
    "rank",
    "doc_id",
    "path",
    "name",
    "score",
    "description",
    "line",
    "text",
    "spans",
)

#: The largest ``-k``; a larger one is clamped (it asks for every hit anyway).
MAX_K: Final = 2**32 - 1


def parse_fields(value: str) -> tuple[str, ...]:
    """``--fields name,path`` as a tuple of hit keys.

    Raises:
        ValueError: an unknown key, or none at all (the message names them).
    """
    chosen = tuple(f.strip() for f in value.split(",") if f.strip())
    unknown = [f for f in chosen if f not in HIT_FIELDS]
    if unknown or not chosen:
        raise ValueError(f"{', '.join(unknown) or 'nothing'}: choose from {','.join(HIT_FIELDS)}")
    return chosen


# An option's kind, and what it reads:
#   ("set", VALUE)       a flag: sets its parameter to VALUE (True, or False
#                        for the second half of an ``--x/--no-x`` pair);
#   ("count", CLAMP)     a whole number >= 0 (click.IntRange(min=0)), at most
#                        MAX_K when CLAMP;
#   ("choice", NAMES)    one of NAMES (click.Choice, case-sensitive);
#   ("dir", None)        a path that is not a file (click.Path(file_okay=False));
#   ("many", None)       any text, repeatable (multiple=True): a tuple;
#   ("fields", None)     --fields: parse_fields().
_WHERE: Final[dict[str, tuple[str, str, Any]]] = {
    "--index": ("index_dir", "dir", None),
    "--backend": ("backend", "choice", ("native", "python")),
    "--no-ignore": ("no_ignore", "set", True),
    "--ignore": ("no_ignore", "set", False),
    "--hidden": ("hidden", "set", True),
    "--no-hidden": ("hidden", "set", False),
    "--user": ("user", "set", True),
    "--no-user": ("user", "set", False),
    "-k": ("k", "count", True),
    "--json": ("as_json", "set", True),
    "--all": ("all_copies", "set", True),
    "--collapse": ("all_copies", "set", False),
    "--no-messages": ("no_messages", "set", True),
    "--color": ("color", "choice", ("auto", "always", "never")),
    "--problems": ("show_problems", "set", True),
    "--fields": ("fields", "fields", None),
}
_WHERE_DEFAULTS: Final[dict[str, Any]] = {
    "paths": (),
    "user": None,
    "hidden": None,
    "no_ignore": None,
    "backend": None,
    "index_dir": None,
    "k": None,
    "as_json": False,
    "all_copies": None,
    "no_messages": False,
    "color": None,
    "show_problems": False,
    "fields": None,
}

#: command → (its positional parameter, its options by spelling, its defaults).
COMMANDS: Final[dict[str, tuple[str, dict[str, tuple[str, str, Any]], dict[str, Any]]]] = {
    "query": (
        "query",
        {
            **_WHERE,
            "--jsonl": ("jsonl", "set", True),
            "-l": ("paths_only", "set", True),
            "--files-with-matches": ("paths_only", "set", True),
            "-0": ("null", "set", True),
            "--null": ("null", "set", True),
            "-q": ("quiet", "set", True),
            "--quiet": ("quiet", "set", True),
            "-C": ("context", "count", False),
            "--context": ("context", "count", False),
            "--weight": ("weights", "many", None),
            "--strict": ("strict", "set", True),
        },
        {
            **_WHERE_DEFAULTS,
            "jsonl": False,
            "paths_only": False,
            "null": False,
            "quiet": False,
            "context": 0,
            "weights": (),
            "strict": False,
        },
    ),
    "route": (
        "request",
        {
            **_WHERE,
            "--explain": ("explain", "set", True),
            "--model": ("model_dir", "dir", None),
        },
        {**_WHERE_DEFAULTS, "explain": False, "model_dir": None},
    ),
}


def _count(text: str, *, clamp: bool) -> int | None:
    """A whole number >= 0 as click reads it, or None when click would differ or reject it."""
    if not (text.isascii() and text.isdigit()):
        return None
    n = int(text)
    return min(n, MAX_K) if clamp else n


def _path_ok(path: str, *, file_okay: bool) -> bool:
    """Whether click.Path (exists=False, readable) accepts ``path`` as it is."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return True  # a missing path is accepted as given
    if stat.S_ISREG(st.st_mode) and not file_okay:
        return False
    return os.access(path, os.R_OK)


def _value(kind: str, extra: Any, text: str) -> tuple[bool, Any]:
    """(read, value) of one option's text; read is False where click would differ."""
    if kind == "count":
        n = _count(text, clamp=bool(extra))
        return n is not None, n
    if kind == "choice":
        return text in extra, text
    if kind == "dir":
        return _path_ok(text, file_okay=False), text
    if kind == "fields":
        try:
            return True, parse_fields(text)
        except ValueError:
            return False, None
    return True, text  # "many": any text


def parse(args: Sequence[str]) -> tuple[str, dict[str, Any]] | None:
    """``(command, parameters)`` for a plain ``query``/``route`` line, else None (click's turn).

    ``args`` is the command line after the program name. The parameters are
    those click passes the command: every option's value or default, the
    positional one, and ``paths``.
    """
    if not args or args[0] not in COMMANDS or "--" in args:
        return None  # `--` is read before parsing (see cli_app._QueryCommand)
    name = args[0]
    positional, options, defaults = COMMANDS[name]
    params: dict[str, Any] = dict(defaults)
    words: list[str] = []
    many: dict[str, list[str]] = {}
    i = 1
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "-":
            return None  # click reads "-" as stdin for some paths: its call
        if not arg.startswith("-"):
            words.append(arg)
            continue
        spelling, eq, attached = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        found = options.get(spelling)
        if found is None:
            return None  # --help, --, -lq, -k5, an unknown option: click says what it is
        dest, kind, extra = found
        if kind == "set":
            if eq:
                return None  # a flag given a value: click's error
            params[dest] = extra
            continue
        if eq:
            text = attached
        elif i < len(args):
            text = args[i]
            i += 1
        else:
            return None  # the value is missing: click's error
        ok, value = _value(kind, extra, text)
        if not ok:
            return None
        if kind == "many":
            many.setdefault(dest, []).append(value)
        else:
            params[dest] = value
    if not words:
        return None  # the positional is missing: click's error
    for path in words[1:]:
        if not _path_ok(path, file_okay=True):
            return None
    params[positional] = words[0]
    params["paths"] = tuple(words[1:])
    for dest, values in many.items():
        params[dest] = tuple(values)
    return name, params
