"""Which backend an index uses (SPEC.md §9).

Two backends ship: ``native`` (the Rust extension) and ``python`` (the
pure-Python reference). Selection is explicit: a name given by the caller
wins, then the ``SPECSEARCH_BACKEND`` variable of the environment the caller
passes in, then ``native``; only that last, implicit choice may fall back to
``python`` when the extension is missing, and it says so.

Backends are imported here only when chosen, so nothing imports this module
back: the graph stays acyclic (``tests/test_import_graph.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from specsearch.errors import BackendUnavailableError, SchemaError

#: ``typing.TYPE_CHECKING`` without importing ``typing`` (start-up cost); mypy reads it so.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Mapping

    from specsearch.protocols import BackendClass

__all__ = ["BACKEND_NAMES", "ENV_VAR", "BackendChoice", "load_backend", "resolve_backend"]

BACKEND_NAMES = ("native", "python")
ENV_VAR = "SPECSEARCH_BACKEND"


@dataclass(frozen=True, slots=True, kw_only=True)
class BackendChoice:
    """The outcome of backend selection.

    Attributes:
        backend: The chosen backend's class.
        name: The chosen backend's name.
        notice: A one-line message for the user when the choice fell back.
    """

    backend: BackendClass
    name: str
    notice: str | None = None


def load_backend(name: str) -> BackendClass:
    """Import the backend called ``name`` and return its factory.

    Returns:
        The backend's class, which builds and opens indexes.

    Raises:
        SchemaError: ``name`` is not a backend.
        BackendUnavailableError: it cannot be imported here.
    """
    if name == "native":
        try:
            # Not importlib.import_module: importlib (with warnings) is
            # otherwise not on a query's path.
            from specsearch import native  # noqa: PLC0415 (the extension, if built)
        except ImportError as err:
            raise BackendUnavailableError(
                f"the native backend is not available ({err}); "
                "build it with `uv run` or `pip install .`, or use --backend python"
            ) from err
        backend: BackendClass = native.NativeBackend
        return backend
    if name == "python":
        from specsearch.pure.backend import PurePythonBackend  # noqa: PLC0415

        return PurePythonBackend
    raise SchemaError("backend", f"unknown backend {name!r}; choose one of {BACKEND_NAMES}")


def resolve_backend(explicit: str | None, environ: Mapping[str, str]) -> BackendChoice:
    """Choose a backend: ``explicit``, else ``environ[ENV_VAR]``, else native.

    Only the implicit default falls back (to ``python``, with a notice) when the
    extension is missing; a backend asked for by name is loaded or raises.

    >>> resolve_backend("python", {}).name
    'python'
    """
    requested = explicit if explicit is not None else environ.get(ENV_VAR) or None
    if requested is not None:
        return BackendChoice(backend=load_backend(requested), name=requested)
    try:
        return BackendChoice(backend=load_backend("native"), name="native")
    except BackendUnavailableError as err:
        notice = f"specsearch: {err.__cause__ or err}: using the python backend"
        return BackendChoice(backend=load_backend("python"), name="python", notice=notice)
