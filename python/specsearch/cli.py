"""The ``specsearch`` command line: its entry point.

A plain ``query`` or ``route`` line (see :mod:`specsearch.cli_args`) runs
without importing click, which is most of a start-up: the line is parsed
here into the parameters click would give the command, and the command runs
(:mod:`specsearch.cli_run`). Every other line, ``--help`` and any mistake
included, goes to the click commands (:mod:`specsearch.cli_app`), so what
the user sees of those is click's. ``from specsearch.cli import cli`` gives
the click group, imported on first use.

Exit codes follow grep and ripgrep: 0 when something matched, 1 when nothing
did, 2 on an error, 130 when interrupted (Ctrl-C). Results go to stdout;
errors, notices, hints and file problems to stderr, each on one line.
"""

from __future__ import annotations

import gc
import os
import sys

#: ``typing.TYPE_CHECKING`` without importing ``typing`` (start-up cost); mypy reads it so.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Sequence

    from specsearch.cli_app import HIT_FIELDS, cli

__all__ = ["HIT_FIELDS", "cli", "main"]

#: Set by click's shell completion: that is click's to answer.
_COMPLETE_VAR = "_SPECSEARCH_COMPLETE"


def __getattr__(name: str) -> object:
    """``cli`` and ``HIT_FIELDS``, from :mod:`specsearch.cli_app` (it imports click)."""
    if name in {"cli", "HIT_FIELDS"}:
        from specsearch import cli_app  # noqa: PLC0415 (start-up cost: click)

        return getattr(cli_app, name)
    raise AttributeError(f"module 'specsearch.cli' has no attribute {name!r}")


def _run_fast(command: str, params: dict[str, object]) -> None:
    """Run a parsed ``query`` or ``route`` as the click command would, without click.

    The index's open is started first, from the line alone when it can be
    (:func:`specsearch.cli_start.start_early`), and checks the index while
    the rest of the command loads.
    """
    collecting = _pause_gc()
    from specsearch.cli_start import start_early  # noqa: PLC0415 (light: see its docstring)

    early = start_early(params, os.environ)
    _defer_import("inspect")
    from specsearch import cli_run  # noqa: PLC0415 (what a query needs, after parsing)
    from specsearch.config import ConfigError, load_config  # noqa: PLC0415

    _resume_gc(collecting)

    try:
        config = load_config(os.environ)
    except ConfigError as err:
        cli_run.fail(str(err))
    where, rest = cli_run.split_where(params)
    if command == "query":
        cli_run.run_query(config, where=where, early=early, **rest)
    else:
        cli_run.run_route(config, where=where, early=early, **rest)


def _defer_import(name: str) -> None:
    """Let ``import name`` bind a stand-in that imports the module on its first use.

    ``dataclasses`` imports ``inspect`` (with ``ast``, ``dis``, ``tokenize``
    and ``linecache``: about 8 ms of a 50 ms query) only to call
    ``inspect.signature`` for a class without a docstring, which the value
    types never are. The stand-in is an empty module whose ``__getattr__``
    (PEP 562) imports the real one, puts it in ``sys.modules`` and answers
    from it, so a module that does use it gets it whole. A new module's
    ``__spec__`` is None, so ``import name`` finds the stand-in ready without
    asking its ``__getattr__``; :class:`importlib.util.LazyLoader`'s modules
    load on that question, at the ``import``. Nothing is done when ``name``
    is already imported.
    """
    if name in sys.modules:
        return
    stand_in = type(sys)(name)

    def real(attr: str) -> object:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
        __import__(name)
        return getattr(sys.modules[name], attr)

    stand_in.__dict__["__getattr__"] = real
    sys.modules[name] = stand_in


def _pause_gc() -> bool:
    """Stop the cyclic garbage collector while modules load; whether it was running.

    Loading the query path's modules allocates thousands of objects that live
    as long as the process (functions, classes, constants) and makes next to
    no garbage; the collector would walk them over and over (18 passes, about
    2.5 ms of a 60 ms query on a 2-core machine, and as many once resumed).
    """
    running = gc.isenabled()
    gc.disable()
    return running


def _resume_gc(running: bool) -> None:
    """Start the collector again, if it was running, leaving out what is loaded so far.

    ``gc.freeze`` moves every object tracked so far into a generation no
    collection walks (see its documentation): the modules' objects stay for
    the process's life anyway.
    """
    if running:
        gc.freeze()
        gc.enable()


#: Set to see the traceback of an internal error instead of its one line.
_DEBUG_VAR = "SPECSEARCH_DEBUG"


def main(args: Sequence[str] | None = None) -> None:
    """Run the CLI (the ``specsearch`` entry point) on ``args`` (default: ``sys.argv[1:]``).

    What cannot be written to stdout in its encoding (``PYTHONIOENCODING=ascii``,
    a lone surrogate) is written as ``?``. An exception no command expected
    (a bug) is one line on stderr and exit 2, never a traceback, unless
    ``$SPECSEARCH_DEBUG`` is set.
    """
    argv = sys.argv[1:] if args is None else list(args)
    if getattr(sys.stdout, "errors", None) == "strict":
        reconfigure = getattr(sys.stdout, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    try:
        _main(argv)
    except BrokenPipeError:  # a reader that went away (`specsearch dups | head -1`)
        sys.stderr.close()
        sys.exit(0)
    except Exception as err:  # the last line of defence: see the docstring
        if os.environ.get(_DEBUG_VAR):
            raise
        sys.stderr.write(
            f"specsearch: error: internal error: {type(err).__name__}: {err}"
            f" (set {_DEBUG_VAR}=1 for the traceback)\n"
        )
        sys.exit(2)


def _main(argv: list[str]) -> None:
    if _COMPLETE_VAR not in os.environ:
        from specsearch.cli_args import parse  # noqa: PLC0415

        parsed = parse(argv)
        if parsed is not None:
            try:
                _run_fast(*parsed)
            except KeyboardInterrupt:
                sys.exit(130)  # cli_run.EXIT_INTERRUPTED, as click's group exits
    collecting = _pause_gc()
    from specsearch.cli_app import cli as app  # noqa: PLC0415 (start-up cost: click)

    _resume_gc(collecting)
    app(argv, prog_name="specsearch")
