"""The protocol every search engine implements, and how one is chosen.

The facade (:mod:`specsearch.engine`) only ever talks to a :class:`Backend`.
Two implementations exist: ``native`` (the Rust extension) and ``python``
(the pure-Python reference). Selection is explicit: a name given by the caller
wins, then the ``SPECSEARCH_BACKEND`` variable of the environment the caller
passes in, then ``native``; only that last, implicit choice may fall back to
``python`` when the extension is missing, and it says so.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, Self

from specsearch.errors import BackendUnavailableError, SchemaError

if TYPE_CHECKING:
    from types import TracebackType

    import numpy as np
    from numpy.typing import NDArray

    from specsearch.types import DocInfo, Problem, Snippet

__all__ = [
    "BACKEND_NAMES",
    "DEFAULT_MAX_FILE_BYTES",
    "ENV_VAR",
    "Backend",
    "BackendChoice",
    "BuildOptions",
    "TopDocs",
    "load_backend",
    "resolve_backend",
]

BACKEND_NAMES = ("native", "python")
ENV_VAR = "SPECSEARCH_BACKEND"
DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024


class TopDocs(Protocol):
    """Ranked doc ids and scores, as lists or as numpy arrays."""

    def __len__(self) -> int:
        """The number of hits."""
        ...

    def ids_list(self) -> list[int]:
        """Doc ids, best first."""
        ...

    def scores_list(self) -> list[float]:
        """Scores, best first."""
        ...

    def ids_array(self) -> NDArray[np.uint32]:
        """Doc ids as a numpy array that shares the backend's buffer."""
        ...

    def scores_array(self) -> NDArray[np.float32]:
        """Scores as a numpy array that shares the backend's buffer."""
        ...


class Backend(Protocol):
    """An index over a corpus of specs, built by a :data:`BackendFactory`."""

    @property
    def name(self) -> str:
        """The backend's name, as selected (``native``, ``python``)."""
        ...

    @property
    def num_docs(self) -> int:
        """How many specs are indexed."""
        ...

    @property
    def problems(self) -> tuple[Problem, ...]:
        """The per-file problems found while building."""
        ...

    def search(self, query: str, k: int) -> TopDocs:
        """The best ``k`` docs for ``query``."""
        ...

    def docs(self, ids: Sequence[int]) -> list[DocInfo]:
        """The stored fields of each doc id."""
        ...

    def snippets(self, ids: Sequence[int], query: str) -> list[Snippet | None]:
        """The first line of each doc that holds a term of ``query``."""
        ...

    def close(self) -> None:
        """Release the index; later calls raise ``IndexStateError``."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildOptions:
    """How to build an index.

    Attributes:
        max_file_bytes: Files larger than this are skipped and reported.
        threads: Worker threads for the native backend (0: all cores).
    """

    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    threads: int = 0

    def __post_init__(self) -> None:
        if self.max_file_bytes < 0:
            raise SchemaError("max_file_bytes", f"must be >= 0, got {self.max_file_bytes}")
        if self.threads < 0:
            raise SchemaError("threads", f"must be >= 0, got {self.threads}")


BackendFactory = Callable[[Sequence[str], BuildOptions], Backend]


@dataclass(frozen=True, slots=True, kw_only=True)
class BackendChoice:
    """The outcome of backend selection.

    Attributes:
        factory: Builds the chosen backend.
        name: The chosen backend's name.
        notice: A one-line message for the user when the choice fell back.
    """

    factory: BackendFactory
    name: str
    notice: str | None = None


def load_backend(name: str) -> BackendFactory:
    """Import the backend called ``name`` and return its factory.

    Raises:
        SchemaError: ``name`` is not a backend.
        BackendUnavailableError: it cannot be imported here.
    """
    if name == "native":
        try:
            native = importlib.import_module("specsearch.native")
        except ImportError as err:
            raise BackendUnavailableError(
                f"the native backend is not available ({err}); "
                "build it with `uv run` or `pip install .`, or use --backend python"
            ) from err
        factory: BackendFactory = native.NativeBackend.build
        return factory
    if name == "python":
        from specsearch.pure.backend import PurePythonBackend  # noqa: PLC0415

        return PurePythonBackend.build
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
        return BackendChoice(factory=load_backend(requested), name=requested)
    try:
        return BackendChoice(factory=load_backend("native"), name="native")
    except BackendUnavailableError as err:
        notice = f"specsearch: {err.__cause__ or err}: using the python backend"
        return BackendChoice(factory=load_backend("python"), name="python", notice=notice)
