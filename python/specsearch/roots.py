"""Where specs live: the search roots, and where the config file is.

The roots searched when no PATH is given, and the user's folders, are
described in :mod:`specsearch.config`, which gives these names too. They are
here, apart from its :class:`~specsearch.config.Config` dataclass, because a
query starts its index's open before it loads ``dataclasses``
(:mod:`specsearch.cli_start`): from the command line alone when there is no
config file, with the config's defaults (:mod:`specsearch.defaults`).
"""

from __future__ import annotations

import os

#: ``typing.TYPE_CHECKING`` without importing ``typing`` (start-up cost); mypy reads it so.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = [
    "CONFIG_ENV",
    "SPEC_FOLDERS",
    "claude_home",
    "config_path",
    "project_roots",
    "search_roots",
    "user_roots",
]

CONFIG_ENV = "SPECSEARCH_CONFIG"
#: The folders of a ``.claude`` folder or of a plugin that hold specs.
SPEC_FOLDERS = ("agents", "skills", "commands")


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


def search_roots(
    paths: Sequence[str],
    environ: Mapping[str, str],
    *,
    hidden: bool,
    user: bool,
    extra: tuple[str, ...] = (),
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The roots to search: ``paths``, else the project's, plus the user's when ``user``.

    Returns each root canonicalised (absolute, links resolved; the engines
    are given these, so one folder has one index however it is spelled) and
    as it was spelled, a root named twice once.

    Raises:
        FileNotFoundError: a root does not exist (its ``filename`` is the root).
    """
    spelled = list(paths) if paths else project_roots(hidden=hidden, extra=extra)
    if user:
        spelled += user_roots(environ)
    roots: list[str] = []
    shown: list[str] = []
    for root in spelled:
        if not os.path.lexists(root):
            raise FileNotFoundError(2, "No such file or directory", root)
        canon = os.path.realpath(root)
        if canon not in roots:
            roots.append(canon)
            shown.append(root)
    return tuple(roots), tuple(shown)
