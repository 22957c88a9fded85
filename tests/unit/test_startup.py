"""Start-up (issue 13): the CLI imports only what a command needs.

No timing is asserted here (the ``startup`` group of ``benches/`` measures
it); these tests fail when a heavy module comes back onto the path of
``import specsearch.cli`` or of a ``query``/``route`` run, and check that
the index-folder key, now built without ``json`` and ``hashlib``, is the
one those packages give.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from specsearch.cache import _key

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "specs"

#: Modules no query start-up may import: numpy and the model code (semantic
#: route only), json (``--json`` only), hashlib and its OpenSSL, shutil and
#: the compressors it pulls in, the resource/zip machinery (vectors only),
#: tomllib (only a config file that exists is parsed).
HEAVY = (
    "numpy",
    "json",
    "hashlib",
    "_hashlib",
    "shutil",
    "tempfile",
    "zipfile",
    "lzma",
    "bz2",
    "importlib.resources",
    "pathlib",
    "specsearch.vectors",
    "specsearch.model",
    "specsearch.model_cli",
    "specsearch.encoder",
    "tantivy",
    "tomllib",
)


def _reference_key(canonical: list[str], options: dict[str, bool]) -> str:
    """The key as first defined: ``json.dumps`` then ``hashlib.sha256``."""
    spec = json.dumps([list(canonical), dict(sorted(options.items()))], ensure_ascii=False)
    return hashlib.sha256(spec.encode("utf-8", "surrogateescape")).hexdigest()[:20]


@pytest.mark.parametrize(
    ("roots", "options"),
    [
        (["/a"], {}),
        (["/specs", "/b c"], {"hidden": True}),
        (["/é/ü", '/q"u\\o\tte', "/\udcff", "/\x01\u2028"], {"no_ignore": True, "hidden": True}),
        ([], {"z": True, "a": True}),
    ],
)
def test_index_dir_key_is_unchanged(roots: list[str], options: dict[str, bool]) -> None:
    assert _key(roots, options) == _reference_key(roots, options)


def _loaded_after(code: str, env: dict[str, str] | None = None) -> tuple[set[str], str]:
    """The modules loaded by running ``code`` in a fresh interpreter (even one
    that exits, as the CLI does), and its stdout. ``env`` is added to the
    environment."""
    body = "".join(f"    {line}\n" for line in code.splitlines())
    probe = (
        f"import sys\ntry:\n{body}finally:\n"
        "    print('\\n'.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    loaded = set(done.stderr.split())
    assert "specsearch.cli" in loaded, done.stderr[-2000:]
    return loaded, done.stdout


#: What ``import specsearch.cli`` (the entry point) must not load: click and
#: ``typing`` (most of a start-up), the facade and its value types
#: (``dataclasses`` pulls in ``inspect``), a backend.
ENTRY_MUST_NOT_LOAD = (
    "click",
    "typing",
    "dataclasses",
    "inspect",
    "specsearch.engine",
    "specsearch.cli_app",
    "specsearch.cli_run",
    "specsearch._native",
    "specsearch.pure.backend",
)


def test_cli_import_loads_neither_click_nor_the_facade() -> None:
    loaded, _ = _loaded_after("import specsearch.cli")
    heavy = [m for m in (*HEAVY, *ENTRY_MUST_NOT_LOAD) if m in loaded]
    assert heavy == []


def test_what_starts_a_query_open_loads_no_result_type() -> None:
    """A query starts its index's open once ``specsearch.native`` and
    ``BuildOptions`` are loaded: nothing made before then may wait for it
    (the reports and result types come later, where they are made)."""
    code = (
        "from specsearch.cli import _defer_import\n"
        "_defer_import('inspect')\n"
        "import specsearch.native\n"
        "from specsearch.backend import BuildOptions\n"
    )
    loaded, _ = _loaded_after(code)
    early = (
        "specsearch.reports",
        "specsearch.stats",
        "specsearch.types",
        "contextlib",
        "math",
        "typing",
    )
    assert [m for m in early if m in loaded] == []


def test_the_early_open_starts_before_dataclasses_load(tmp_path: Path) -> None:
    """``cli_start`` and what it imports define no dataclass, so a query's
    open starts before ``dataclasses`` (and ``re``, ``typing``) are loaded."""
    args = ["query", "rust", str(EXAMPLES), "--index", str(tmp_path / "ix"), "--backend", "native"]
    code = (
        "import sys\n"
        "from specsearch import cli_start\n"
        "start_early = cli_start.start_early\n"
        "def spy(*a):\n"
        "    started = start_early(*a)\n"
        "    early = ('dataclasses', 're', 'typing', 'contextlib')\n"
        "    print('loaded', [m for m in early if m in sys.modules], started is not None)\n"
        "    return started\n"
        "cli_start.start_early = spy\n"
        "from specsearch.cli import main\n"
        f"main({args!r})\n"
    )
    _, out = _loaded_after(code, {"SPECSEARCH_CONFIG": "", "XDG_CONFIG_HOME": str(tmp_path)})
    assert out.splitlines()[0] == "loaded [] True"


def test_the_reports_are_still_backend_and_package_names() -> None:
    import specsearch  # noqa: PLC0415
    from specsearch import backend, cache, reports, stats  # noqa: PLC0415

    assert backend.UpdateInfo is reports.UpdateInfo
    assert backend.IndexStats is stats.IndexStats
    assert specsearch.IndexStats is stats.IndexStats
    assert cache.CacheEntry is stats.CacheEntry
    with pytest.raises(AttributeError, match="Nope"):
        _ = backend.Nope


def test_every_public_name_resolves() -> None:
    """``__all__`` and the lazy table agree: each name imports on first use."""
    import specsearch  # noqa: PLC0415

    missing = [name for name in specsearch.__all__ if getattr(specsearch, name, None) is None]
    assert missing == []


def test_package_names_still_resolve_lazily() -> None:
    code = "import specsearch.cli\nprint(specsearch.Index.__module__, specsearch.Hit.__module__)"
    loaded, out = _loaded_after(code)
    assert out.split() == ["specsearch.engine", "specsearch.types"]
    assert "specsearch.engine" in loaded


#: What a plain ``query`` line must not load either: ``typing`` (the value
#: types and the facade need it only for the type checker), the Protocols
#: (defining one imports ``typing``), what ``inspect`` imports (``dataclasses``
#: imports it; the entry point gives it a stand-in), and the route-only
#: value types.
QUERY_MUST_NOT_LOAD = (
    "typing",
    "importlib",
    "specsearch.stats",
    "specsearch.protocols",
    "ast",
    "dis",
    "tokenize",
    "specsearch.route_types",
)


#: What ``route`` may add: it looks for the model (``specsearch.model``
#: reads the cache folder with ``pathlib``; ``shutil``, for fetching, is
#: imported by the fetch).
ROUTE_MAY_LOAD = {"specsearch.model", "pathlib"}


@pytest.mark.parametrize("entry", ["main", "click"])
@pytest.mark.parametrize("command", ["query", "route"])
def test_native_query_and_route_runs_load_no_heavy_module(
    tmp_path: Path, command: str, entry: str
) -> None:
    """A whole ``query`` or lexical ``route`` run (native backend, text output).

    ``main`` is the entry point, which parses a plain line itself: it never
    imports click. ``click`` is the click command, as ``--help`` or an
    unusual line reach it. The python backend is left out: its engine is
    built on numpy.
    """
    words = "review async rust" if command == "query" else "can you review my async rust code"
    args = [command, words, str(EXAMPLES), "--index", str(tmp_path / "ix"), "--backend", "native"]
    if entry == "main":
        code = f"from specsearch.cli import main\nmain({args!r})\n"
    else:
        code = (
            "from specsearch.cli import cli\n"
            f"cli.main({args!r}, prog_name='specsearch', standalone_mode=False)\n"
        )
    loaded, out = _loaded_after(code)
    assert "async-rust-reviewer" in out
    allowed = ROUTE_MAY_LOAD if command == "route" else set()
    assert [m for m in HEAVY if m in loaded and m not in allowed] == []
    assert ("click" in loaded) == (entry == "click")
    if entry == "main":
        assert [m for m in QUERY_MUST_NOT_LOAD if m in loaded] == []


def test_a_query_in_its_default_folder_loads_no_heavy_module(tmp_path: Path) -> None:
    """Without ``--index`` the folder comes from :mod:`specsearch.cache`
    (the README's first command): that path stays as light as ``--index``
    once the folder exists (its first use writes ``meta.json`` with ``json``)."""
    args = ["query", "review async rust", str(EXAMPLES), "--backend", "native"]
    code = f"from specsearch.cli import main\nmain({args!r})\n"
    _loaded_after(code, {"XDG_CACHE_HOME": str(tmp_path)})
    loaded, out = _loaded_after(code, {"XDG_CACHE_HOME": str(tmp_path)})
    assert "async-rust-reviewer" in out
    assert "specsearch.cache" in loaded
    assert [m for m in (*HEAVY, *QUERY_MUST_NOT_LOAD) if m in loaded] == []


@pytest.mark.parametrize("line", [["query", "review async rust"], ["stats"]])
def test_the_collector_runs_again_once_the_modules_are_loaded(
    tmp_path: Path, line: list[str]
) -> None:
    """Start-up pauses the cyclic collector while modules load, then leaves the
    loaded objects out of its walks (``gc.freeze``) and starts it again."""
    args = [*line, str(EXAMPLES), "--index", str(tmp_path / "ix"), "--backend", "native"]
    code = (
        "import gc\nfrom specsearch.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        "print('collector', gc.isenabled(), gc.get_freeze_count() > 1000)\n"
    )
    _, out = _loaded_after(code)
    assert out.splitlines()[-1] == "collector True True"


_DEFERRED_USE = """\
import sys
from specsearch.cli import _defer_import
_defer_import("inspect")
import dataclasses
@dataclasses.dataclass(frozen=True)
class Documented:
    "Has its own docstring."
    x: int
print("after-documented", "ast" in sys.modules)
@dataclasses.dataclass(frozen=True)
class Bare:
    x: int
print("doc", Bare.__doc__)
import inspect
print("real", type(sys.modules["inspect"].signature).__name__, "ast" in sys.modules)
print("same", inspect.signature(Bare) == sys.modules["inspect"].signature(Bare))
"""


def test_a_deferred_module_loads_whole_on_first_use() -> None:
    """``_defer_import``'s stand-in: ``import`` does not run the module; using
    it does, and then ``sys.modules`` holds the real one. ``dataclasses``
    reaches ``inspect`` through it for a class without a docstring."""
    _, out = _loaded_after(_DEFERRED_USE)
    assert out.splitlines() == [
        "after-documented False",
        "doc Bare(x: int)",
        "real function True",
        "same True",
    ]


def test_a_module_already_imported_is_not_deferred() -> None:
    code = (
        "import colorsys\n"
        "from specsearch.cli import _defer_import\n"
        "_defer_import('colorsys')\n"
        "print(sys.modules['colorsys'] is colorsys, hasattr(colorsys, 'rgb_to_hsv'))\n"
    )
    _, out = _loaded_after(code)
    assert out.split() == ["True", "True"]


def test_the_route_types_are_still_specsearch_types_names() -> None:
    """They live in ``specsearch.route_types`` (a query loads none) and are
    reached as before, by ``from specsearch.types import ...``."""
    from specsearch import route_types  # noqa: PLC0415
    from specsearch import types as value_types  # noqa: PLC0415
    from specsearch.types import FusedScore, RouteExplanation  # noqa: PLC0415

    assert FusedScore is route_types.FusedScore
    assert RouteExplanation is route_types.RouteExplanation
    assert value_types.Contribution is route_types.Contribution
    assert set(route_types.__all__) <= set(value_types.__all__)
    with pytest.raises(AttributeError, match="Nope"):
        _ = value_types.Nope
