"""The facade's path arguments, checked: shared with the CLI, which starts an open ahead.

Light on purpose (no value types, no ``typing``): the CLI checks the folder
and roots of an open it starts before the facade is loaded
(``Where.start`` in :mod:`specsearch.cli_run`), and must refuse what the
facade refuses, before anything is written.
"""

from __future__ import annotations

import os

from specsearch.errors import SchemaError

#: ``typing.TYPE_CHECKING`` without importing ``typing`` (start-up cost); mypy reads it so.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["PathArg", "index_folder", "path_arg", "roots_arg"]

#: A path as the facade takes one.
PathArg = str | os.PathLike[str]


def roots_arg(paths: Sequence[PathArg]) -> list[str]:
    """``paths`` as strings (see :func:`path_arg`); a single path is a SchemaError."""
    if isinstance(paths, str | os.PathLike):
        raise SchemaError("paths", f"expected a sequence of paths, got the single path {paths!r}")
    return [path_arg(p, "paths") for p in paths]


def path_arg(path: PathArg, what: str) -> str:
    """``path`` as a string; one with a NUL byte, which no file has, is a SchemaError.

    (Else the native engine raises OSError and the python one ValueError.)
    """
    text = os.fspath(path)
    if "\0" in text:
        raise SchemaError(what, f"a path holds a NUL byte: {text!r}")
    return text


def index_folder(path: PathArg) -> str:
    """An ``index_dir`` as a string; an empty one is a SchemaError.

    It would put the index's folders in the current folder (``--index
    "$UNSET"``), which may be a folder of specs: those are never written to.
    """
    text = path_arg(path, "index_dir")
    if not text:
        raise SchemaError("index_dir", "an empty path; name a folder (or leave it out)")
    return text
