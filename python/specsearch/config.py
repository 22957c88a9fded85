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

from specsearch.errors import SpecsearchError

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

CONFIG_ENV = "SPECSEARCH_CONFIG"
#: The folders of a ``.claude`` folder or of a plugin that hold specs.
SPEC_FOLDERS = ("agents", "skills", "commands")
_CHOICES = {"backend": ("native", "python", "tantivy"), "color": ("auto", "always", "never")}


class ConfigError(SpecsearchError, ValueError):
    """The config file cannot be used: it names the file, the key and the problem."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """The CLI's defaults (see the module docstring for the keys)."""

    user: bool = False
    hidden: bool = False
    no_ignore: bool = False
    all: bool = False
    backend: str | None = None
    color: str = "auto"
    k: int = 10
    roots: tuple[str, ...] = ()
    source: str | None = None


def _home(environ: Mapping[str, str]) -> str:
    return environ.get("HOME") or os.path.expanduser("~")


def config_path(environ: Mapping[str, str]) -> str | None:
    """The config file to read, or None when there is none.

    >>> config_path({"SPECSEARCH_CONFIG": "/etc/s.toml"})
    '/etc/s.toml'
    """
    explicit = environ.get(CONFIG_ENV)
    if explicit:
        return explicit
    base = environ.get("XDG_CONFIG_HOME") or os.path.join(_home(environ), ".config")
    path = os.path.join(base, "specsearch", "config.toml")
    return path if os.path.isfile(path) else None


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


def _existing(folder: str) -> list[str]:
    return [p for p in (os.path.join(folder, name) for name in SPEC_FOLDERS) if os.path.isdir(p)]


def project_roots(*, hidden: bool, extra: tuple[str, ...] = (), base: str = ".") -> list[str]:
    """The roots when no PATH is given: ``base``, its ``.claude`` spec folders, ``extra``.

    With ``hidden``, the walk of ``base`` already enters ``.claude``.
    """
    roots = [base]
    if not hidden:
        roots += _existing(".claude" if base == "." else os.path.join(base, ".claude"))
    return roots + [r for r in extra if os.path.exists(r)]


def claude_home(environ: Mapping[str, str]) -> str:
    """The user's Claude Code folder: ``$CLAUDE_CONFIG_DIR``, else ``~/.claude``."""
    return environ.get("CLAUDE_CONFIG_DIR") or os.path.join(_home(environ), ".claude")


def _plugin_paths(claude: str) -> list[str]:
    """The install folders of the plugins in ``plugins/installed_plugins.json``.

    Both layouts Claude Code has written are read: ``{"plugins": {"p@m":
    [{"installPath": ...}]}}`` (version 2) and ``{"p@m": {"installPath":
    ...}}`` (version 1). A path recorded under another home (a shared
    ``~/.claude``) is looked up under this one; a plugin whose install folder
    holds no spec folder is looked up in its marketplace's clone,
    ``plugins/marketplaces/<m>/plugins/<p>``.
    """
    listing = os.path.join(claude, "plugins", "installed_plugins.json")
    import json  # noqa: PLC0415 (start-up cost: only with a plugins listing)

    try:
        with open(listing, encoding="utf-8") as f:
            raw = json.load(f)
    except (OSError, ValueError):
        return []
    if not isinstance(raw, dict):
        return []
    table = raw.get("plugins", raw) if isinstance(raw.get("plugins"), dict) else raw
    out: list[str] = []
    for key, entries in sorted(table.items()):
        if not isinstance(key, str):
            continue
        items = entries if isinstance(entries, list) else [entries]
        for item in items:
            recorded = item.get("installPath") if isinstance(item, dict) else None
            candidates: list[str] = []
            if isinstance(recorded, str):
                candidates.append(recorded)
                _, marker, tail = recorded.partition("/.claude/")
                if marker:
                    candidates.append(os.path.join(claude, tail))
            plugin, _, market = key.partition("@")
            if market:
                candidates.append(
                    os.path.join(claude, "plugins", "marketplaces", market, "plugins", plugin)
                )
            found = next((c for c in candidates if _existing(c)), None)
            if found is not None and found not in out:
                out.append(found)
    return out


def user_roots(environ: Mapping[str, str]) -> list[str]:
    """The user's spec folders (see the module docstring), those that exist."""
    claude = claude_home(environ)
    roots = _existing(claude)
    for plugin in _plugin_paths(claude):
        roots += _existing(plugin)
    return roots
