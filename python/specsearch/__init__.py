"""specsearch: a search engine for AI agent specs.

>>> import specsearch
>>> sorted(specsearch.BACKEND_NAMES)
['native', 'python']
>>> from importlib import metadata
>>> specsearch.__version__ == metadata.version("specsearch")
True
"""

#: ``typing.TYPE_CHECKING`` without importing ``typing`` (start-up cost); mypy reads it so.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from specsearch.backend import BuildOptions, IndexStats, UpdateInfo
    from specsearch.engine import BatchHits, Hits, Index
    from specsearch.errors import (
        BackendUnavailableError,
        IndexFormatError,
        IndexLockedError,
        IndexStateError,
        QueryError,
        SchemaError,
        SpecsearchError,
    )
    from specsearch.select import BACKEND_NAMES
    from specsearch.types import DocInfo, Hit, Problem, Snippet

#: Where each public name lives. They are imported on first use, so that a
#: submodule (the CLI's entry point, say) can be imported without the facade
#: and its value types (``dataclasses`` pulls in ``inspect``): start-up cost.
_EXPORTS = {
    "BuildOptions": "backend",
    "IndexStats": "backend",
    "UpdateInfo": "backend",
    "BatchHits": "engine",
    "Hits": "engine",
    "Index": "engine",
    "BackendUnavailableError": "errors",
    "IndexFormatError": "errors",
    "IndexLockedError": "errors",
    "IndexStateError": "errors",
    "QueryError": "errors",
    "SchemaError": "errors",
    "SpecsearchError": "errors",
    "BACKEND_NAMES": "select",
    "DocInfo": "types",
    "Hit": "types",
    "Problem": "types",
    "Snippet": "types",
}

#: The package version (see ``__getattr__``).
__version__: str


def _source_tree_version() -> str:
    """The version in the workspace's Cargo.toml, when run from a source tree.

    As the README's "without Rust" command does (``PYTHONPATH=python``):
    there is no installed metadata then.
    """
    import os  # noqa: PLC0415
    import re  # noqa: PLC0415

    cargo = os.path.join(os.path.dirname(__file__), "..", "..", "Cargo.toml")
    try:
        with open(cargo, encoding="utf-8") as f:
            found = re.search(r'^version\s*=\s*"([^"]+)"', f.read(), re.MULTILINE)
    except OSError:
        found = None
    return found.group(1) if found else "0+unknown"


def __getattr__(name: str) -> object:
    """A public name (see ``_EXPORTS``), or ``__version__``, on first use.

    The version is defined once, in the workspace's ``Cargo.toml``; maturin
    writes it into the metadata. It is looked up lazily so that importing
    ``specsearch`` (the CLI's start-up) does not pay for the metadata scan.
    """
    where = _EXPORTS.get(name)
    if where is not None:
        from importlib import import_module  # noqa: PLC0415

        value = getattr(import_module(f"specsearch.{where}"), name)
        globals()[name] = value
        return value
    if name == "__version__":
        from importlib import metadata  # noqa: PLC0415

        try:
            return metadata.version("specsearch")
        except metadata.PackageNotFoundError:
            return _source_tree_version()
    raise AttributeError(f"module 'specsearch' has no attribute {name!r}")


__all__ = [
    "BACKEND_NAMES",
    "BackendUnavailableError",
    "BatchHits",
    "BuildOptions",
    "DocInfo",
    "Hit",
    "Hits",
    "Index",
    "IndexFormatError",
    "IndexLockedError",
    "IndexStateError",
    "IndexStats",
    "Problem",
    "QueryError",
    "SchemaError",
    "Snippet",
    "SpecsearchError",
    "UpdateInfo",
    "__version__",
]
