"""Where specs live, and the CLI's defaults: the config file and the search roots.

Only the CLI calls this module, with the environment it was given; the
library reads no environment and no config of its own.

**Config file**: ``$SPECSEARCH_CONFIG`` when set (it must exist), else
``$XDG_CONFIG_HOME/specsearch/config.toml`` (``~/.config/...`` when the
variable is unset) when that file exists. Its keys, all optional::

    user = false        # also search ~/.claude (as --user)
    hidden = false      # search hidden files and folders (as --hidden)
    no_ignore = false   # do not honour ignore files (as --no-ignore)
    all = false         # show every near-duplicate copy (as --all)
    backend = "native"  # "native" or "python" (as --backend)
    color = "auto"      # "auto", "always" or "never" (as --color)
    k = 10              # hits to show (as -k)
    roots = []          # more folders searched when no PATH is given

A command-line option always wins over the file.

**Roots searched when no PATH is given**: the current folder, plus those of
``.claude/agents``, ``.claude/skills`` and ``.claude/commands`` that exist
(Claude Code's project folders; the walk skips hidden folders, so they are
added as roots of their own unless ``--hidden`` is on), plus the ``roots`` of
the config file. ``--user`` (or ``user = true``) adds the user's folders:
``~/.claude/agents``, ``~/.claude/skills``, ``~/.claude/commands`` (or under
``$CLAUDE_CONFIG_DIR``), and the ``agents``, ``skills`` and ``commands``
folders of every plugin listed in ``~/.claude/plugins/installed_plugins.json``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

from specsearch.defaults import DEFAULT_HIDDEN, DEFAULT_NO_IGNORE, DEFAULT_USER
from specsearch.errors import SpecsearchError
from specsearch.roots import (
    CONFIG_ENV,
    SPEC_FOLDERS,
    config_path,
    project_roots,
    user_roots,
)

#: ``typing.TYPE_CHECKING`` without importing ``typing`` (start-up cost); mypy reads it so.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

__all__ = [
    "CONFIG_ENV",
    "SPEC_FOLDERS",
    "Config",
    "ConfigError",
    "config_path",
    "load_config",
    "project_roots",
    "user_roots",
]

_CHOICES = {"backend": ("native", "python", "tantivy"), "color": ("auto", "always", "never")}


class ConfigError(SpecsearchError, ValueError):
    """The config file cannot be used: it names the file, the key and the problem."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """The CLI's defaults (see the module docstring for the keys)."""

    user: bool = DEFAULT_USER
    hidden: bool = DEFAULT_HIDDEN
    no_ignore: bool = DEFAULT_NO_IGNORE
    all: bool = False
    backend: str | None = None
    color: str = "auto"
    k: int = 10
    roots: tuple[str, ...] = ()
    source: str | None = None


def _check(path: str, key: str, value: Any) -> Any:
    expected: dict[str, type] = {
        "user": bool,
        "hidden": bool,
        "no_ignore": bool,
        "all": bool,
        "backend": str,
        "color": str,
        "k": int,
        "roots": list,
    }
    if key not in expected:
        known = ", ".join(sorted(expected))
        raise ConfigError(f"{path}: unknown key {key!r}; the keys are {known}")
    kind = expected[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(f"{path}: {key} must be a {kind.__name__}, got {value!r}")
    if key in _CHOICES and value not in _CHOICES[key]:
        raise ConfigError(f"{path}: {key} must be one of {', '.join(_CHOICES[key])}, got {value!r}")
    if key == "k" and isinstance(value, int) and value < 0:
        raise ConfigError(f"{path}: k must be >= 0, got {value}")
    if key == "roots" and isinstance(value, list):
        items: list[Any] = value
        if not all(isinstance(r, str) for r in items):
            raise ConfigError(f"{path}: roots must be a list of strings, got {value!r}")
        return tuple(os.path.expanduser(r) for r in items)
    return value


def load_config(environ: Mapping[str, str]) -> Config:
    """Read the config file of :func:`config_path` (the defaults when there is none).

    Raises:
        ConfigError: the file is not valid TOML, or a key is unknown or of
            the wrong type (the message names the file and the key).
    """
    path = config_path(environ)
    if path is None:
        return Config()
    import tomllib  # noqa: PLC0415 (only when a config file exists: start-up cost)

    try:
        with open(path, "rb") as f:
            raw = tomllib.load(f)
    except OSError as err:
        raise ConfigError(f"{path}: cannot read the config file: {err.strerror or err}") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from err
    values = {key: _check(path, key, value) for key, value in raw.items()}
    known = {f.name for f in fields(Config)}
    return Config(**{k: v for k, v in values.items() if k in known}, source=path)
