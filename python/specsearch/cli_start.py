"""A query's index open, started before the rest of the command loads.

``query`` and ``route`` spend most of their start-up loading modules, the
value types' ``dataclasses`` first; on two cores the index's no-change check
can run meanwhile. :func:`start_early` starts it from the parsed command line
alone, before ``dataclasses`` is imported, when no config file exists (then
the defaults decide what the config would: :mod:`specsearch.defaults`).
With a config file the command starts it once the config is read
(``Where.start`` in :mod:`specsearch.cli_run`, through :func:`start_open`).

Either way the facade finishes the open only when it is the one it would
make (``Index.open``'s ``started``); any other is waited for, so a wrong
guess costs time, never a wrong answer. Everything here is light on purpose
(no ``dataclasses``, ``typing`` or ``re``): ``tests/unit/test_startup.py``
checks what it loads.
"""

from __future__ import annotations

import os

from specsearch.defaults import DEFAULT_HIDDEN, DEFAULT_NO_IGNORE, DEFAULT_USER
from specsearch.errors import SchemaError
from specsearch.pathargs import index_folder, roots_arg
from specsearch.roots import config_path, search_roots

#: ``typing.TYPE_CHECKING`` without importing ``typing`` (start-up cost); mypy reads it so.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

    from specsearch.native import StartedOpen

__all__ = ["start_early", "start_open"]


def start_open(
    roots: Sequence[str],
    environ: Mapping[str, str],
    *,
    index_dir: str | None,
    backend: str | None,
    hidden: bool,
    no_ignore: bool,
) -> StartedOpen | None:
    """The native open of ``roots``' index, started on a thread of its own.

    The index is the facade's ``native/`` folder under ``index_dir``, else
    under the roots' default folder, as ``Index.open`` would make it.

    None when another backend answers (``backend``, else
    ``$SPECSEARCH_BACKEND``), the extension is missing, the facade would
    refuse the paths (nothing is written first), or no thread can be made.
    """
    name = backend or environ.get("SPECSEARCH_BACKEND") or "native"
    if name != "native":
        return None
    try:
        from specsearch.native import NativeBackend  # noqa: PLC0415 (the extension, if built)
    except ImportError:
        return None
    try:
        if index_dir is None:
            from specsearch.cache import index_dir_for  # noqa: PLC0415 (no --index only)

            # The use of the folder is recorded once, when the command opens it.
            index_dir = index_dir_for(roots, environ, {"hidden": hidden, "no_ignore": no_ignore})
        folder = index_folder(index_dir)
        checked = roots_arg(roots)
    except SchemaError:
        return None
    try:
        return NativeBackend.start_walk(
            os.path.join(folder, name), checked, hidden=hidden, no_ignore=no_ignore
        )
    except OSError:
        return None


def start_early(params: Mapping[str, Any], environ: Mapping[str, str]) -> StartedOpen | None:
    """:func:`start_open` from a parsed ``query`` or ``route`` line (``cli_args.parse``).

    None when a config file exists (its values are not read here), or a
    root is missing (the command reports it), or :func:`start_open` gives None.
    """
    if config_path(environ) is not None:
        return None
    hidden = DEFAULT_HIDDEN if params["hidden"] is None else bool(params["hidden"])
    no_ignore = DEFAULT_NO_IGNORE if params["no_ignore"] is None else bool(params["no_ignore"])
    user = DEFAULT_USER if params["user"] is None else bool(params["user"])
    try:
        roots, _ = search_roots(params["paths"], environ, hidden=hidden, user=user)
    except FileNotFoundError:
        return None
    return start_open(
        roots,
        environ,
        index_dir=params["index_dir"],
        backend=params["backend"],
        hidden=hidden,
        no_ignore=no_ignore,
    )
