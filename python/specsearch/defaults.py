"""The defaults that decide a query's index open, without the dataclasses that hold them.

:class:`~specsearch.config.Config`'s for the roots and the walk (no config
file), :class:`~specsearch.backend.BuildOptions`' for the build. Both classes
take their defaults from here: a query starts its index's open from its
command line before it loads ``dataclasses`` (:mod:`specsearch.cli_start`),
and the open it starts must be the one the facade would make.
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_HIDDEN",
    "DEFAULT_MAX_FILE_BYTES",
    "DEFAULT_MEMORY_BUDGET",
    "DEFAULT_MERGE_THRESHOLD",
    "DEFAULT_NO_IGNORE",
    "DEFAULT_THREADS",
    "DEFAULT_USER",
]

#: Also search the user's folders (``Config.user``, ``--user``).
DEFAULT_USER = False
#: Walk hidden files and folders (``Config.hidden``, ``BuildOptions.hidden``).
DEFAULT_HIDDEN = False
#: Do not read ignore files (``Config.no_ignore``, ``BuildOptions.no_ignore``).
DEFAULT_NO_IGNORE = False

DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024
DEFAULT_THREADS = 0
DEFAULT_MEMORY_BUDGET = 256 * 1024 * 1024
DEFAULT_MERGE_THRESHOLD = 8
