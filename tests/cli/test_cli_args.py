"""The entry point's own parse of ``query``/``route`` lines against click's.

:func:`specsearch.cli_args.parse` must give exactly the parameters click
gives the command, or None (click's turn). Its table is checked against the
click commands' declarations, its parse against click's parser on generated
lines, and whole runs through :func:`specsearch.cli.main` against the same
lines through click, output and exit code.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specsearch import cli_args
from specsearch.cli import cli, main

if TYPE_CHECKING:
    from pathlib import Path

    from _pytest.capture import CaptureFixture


def _command(name: str) -> click.Command:
    command = cli.commands[name]
    assert isinstance(command, click.Command)
    return command


def _kind(param: click.Option, secondary: bool) -> tuple[str, Any]:
    """What :data:`specsearch.cli_args.COMMANDS` must say of one spelling of ``param``."""
    kind = param.type
    if param.is_flag:
        return "set", not secondary
    if param.multiple:
        return "many", None
    if isinstance(kind, click.IntRange):
        assert kind.min == 0
        assert kind.max is None
        return "count", param.callback is not None
    if isinstance(kind, click.Choice):
        assert kind.case_sensitive
        return "choice", tuple(kind.choices)
    if isinstance(kind, click.Path):
        assert not kind.file_okay
        assert not kind.exists
        return "dir", None
    assert param.name == "fields"
    assert param.callback is not None
    return "fields", None


@pytest.mark.parametrize("name", sorted(cli_args.COMMANDS))
def test_the_table_is_the_click_commands_options(name: str) -> None:
    positional, options, defaults = cli_args.COMMANDS[name]
    command = _command(name)
    spelled: dict[str, tuple[str, str, Any]] = {}
    for param in command.params:
        if isinstance(param, click.Argument):
            assert param.name in {positional, "paths"}
            continue
        assert isinstance(param, click.Option)
        assert param.name is not None
        for secondary, spellings in ((False, param.opts), (True, param.secondary_opts)):
            for spelling in spellings:
                kind, extra = _kind(param, secondary)
                spelled[spelling] = (param.name, kind, extra)
    assert options == spelled
    # The defaults are what click gives for a line of the positional alone.
    parsed = command.make_context(name, ["word"], parent=click.Context(cli)).params
    assert parsed == {**defaults, positional: "word"}


PLAIN = [
    ["query", "concurrency"],
    ["query", "async rust", "/nowhere", "-k", "3", "--json"],
    ["route", "review my async code", "--explain", "--color=never", "--no-user"],
    ["query", "x", "-C", "2", "--weight", "body=2", "--weight=name=1", "-l", "-0"],
    ["query", "x", "--fields", "name,path", "--hidden", "--no-hidden", "--all"],
    ["query", "x", "-k", "99999999999", "-C", "99999999999"],
]


@pytest.mark.parametrize("line", PLAIN)
def test_plain_lines_are_parsed_without_click(line: list[str]) -> None:
    parsed = cli_args.parse(line)
    assert parsed is not None
    name, params = parsed
    assert name == line[0]
    expected = _command(name).make_context(name, line[1:], parent=click.Context(cli)).params
    assert params == expected


@pytest.mark.parametrize(
    "line",
    [
        [],
        ["--help"],
        ["query", "--help"],
        ["query", "-h", "x"],
        ["query", "--", "-draft"],
        ["query", "x", "-lq"],
        ["query", "x", "-k5"],
        ["query", "x", "-k", "-1"],
        ["query", "x", "-k", "+3"],
        ["query", "x", "-k", "٣"],
        ["query", "x", "-k"],
        ["query", "x", "--json=1"],
        ["query", "x", "--color", "red"],
        ["query", "x", "--backend", "Native"],
        ["query", "x", "--fields", "name,nope"],
        ["query", "x", "--frobnicate"],
        ["query", "-"],
        ["query"],
        ["stats"],
        ["-V"],
        ["route", "x", "-C", "1"],
    ],
)
def test_click_parses_what_the_table_does_not_read(line: list[str]) -> None:
    assert cli_args.parse(line) is None


def test_a_file_given_as_index_is_clicks_error(tmp_path: Path) -> None:
    file = tmp_path / "f"
    file.write_text("", encoding="utf-8")
    assert cli_args.parse(["query", "x", "--index", str(file)]) is None
    assert cli_args.parse(["query", "x", str(file)]) is not None
    assert cli_args.parse(["query", "x", "--index", str(tmp_path)]) is not None


def _vocabulary(name: str, folder: str, file: str) -> list[str]:
    """Every spelling of the command's options and values click reads or rejects."""
    _, options, _ = cli_args.COMMANDS[name]
    spellings = [*options, "--help", "-h", "--", "-", "-lq", "-k5", "--nope", "-x"]
    values = ["0", "3", "007", "-1", "+2", " 4", "x", "", "auto", "never", "native", "python"]
    values += ["name,path", "nope", "body=2", folder, file, "/does/not/exist", "é ü", "a b"]
    values += ["99999999999", *(["word"] * 12)]  # plain words, often: most lines are plain
    joined = [f"{s}={v}" for s in list(options)[:6] for v in ("3", "never", folder, "")]
    return spellings + values + joined


@settings(
    max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_parse_agrees_with_click_on_generated_lines(tmp_path: Path, data: st.DataObject) -> None:
    file = tmp_path / "file.md"
    file.write_text("", encoding="utf-8")
    name = data.draw(st.sampled_from(sorted(cli_args.COMMANDS)))
    words = _vocabulary(name, str(tmp_path), str(file))
    line = data.draw(st.lists(st.sampled_from(words), max_size=8))
    parsed = cli_args.parse([name, *line])
    if parsed is None:
        return
    assert parsed[0] == name
    context = _command(name).make_context(name, list(line), parent=click.Context(cli))
    assert parsed[1] == context.params


def _through_main(capsys: CaptureFixture[str], line: list[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as stopped:
        main(line)
    out, err = capsys.readouterr()
    code = stopped.value.code
    assert isinstance(code, int)
    return code, out, err


LINES = [
    ["query", "concurrency"],
    ["query", "concurrency", "--color", "always", "-C", "1"],
    ["query", "async rust review", "--json", "-k", "3"],
    ["query", "async rust review", "--jsonl", "--problems"],
    ["query", "concurrency", "-l"],
    ["query", "rust", "--fields", "name,path,score", "--all"],
    ["query", "zzzzqqq"],
    ["query", "name:python*", "--weight", "body=0.5"],
    ["route", "can you review my async rust code", "--explain"],
    ["route", "can you review my async rust code", "--json", "-k", "2"],
    ["route", "help me write terraform", "--color", "always"],
]


@pytest.mark.parametrize("line", LINES)
def test_main_prints_what_click_prints(
    line: list[str],
    examples: Path,
    tmp_path: Path,
    capsys: CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SPECSEARCH_MODEL", raising=False)
    monkeypatch.delenv("SPECSEARCH_BACKEND", raising=False)
    full = [*line[:2], str(examples), "--index", str(tmp_path / "ix"), *line[2:]]
    assert cli_args.parse(full) is not None
    clicked = CliRunner().invoke(cli, full)
    assert clicked.exit_code in {0, 1}, clicked.stderr
    code, out, err = _through_main(capsys, full)
    assert (code, out, err) == (clicked.exit_code, clicked.stdout, clicked.stderr)


def test_main_reports_a_bad_config_as_click_does(
    examples: Path, tmp_path: Path, capsys: CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("k = 'many'\n", encoding="utf-8")
    monkeypatch.setenv("SPECSEARCH_CONFIG", str(config))
    line = ["query", "x", str(examples), "--index", str(tmp_path / "ix")]
    clicked = CliRunner().invoke(cli, line)
    code, out, err = _through_main(capsys, line)
    assert code == clicked.exit_code == 2
    assert (out, err) == (clicked.stdout, clicked.stderr)
    assert str(config) in err


def test_main_hands_other_lines_to_click(capsys: CaptureFixture[str]) -> None:
    code, out, _ = _through_main(capsys, ["query", "--help"])
    assert code == 0
    assert "QUERY syntax" in out
    code, _, err = _through_main(capsys, ["query", "x", "-k", "-1"])
    assert code == 2
    assert "-k" in err


def test_shell_completion_is_clicks(
    capsys: CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("_SPECSEARCH_COMPLETE", "bash_complete")
    monkeypatch.setenv("COMP_WORDS", "specsearch que")
    monkeypatch.setenv("COMP_CWORD", "1")
    code, out, _ = _through_main(capsys, [])
    assert code == 0
    assert "query" in out
    assert os.environ["_SPECSEARCH_COMPLETE"] == "bash_complete"


def test_an_option_before_the_double_dash_is_a_usage_error(capsys: CaptureFixture[str]) -> None:
    """``--index -- x``: the option takes ``--``'s slot; no traceback (a NUL byte once made one)."""
    code, out, err = _through_main(capsys, ["query", "--index", "--", "x"])
    assert code == 2
    assert out == ""
    assert err.startswith("specsearch: error: Missing argument 'QUERY'")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "line",
    [
        ["query", "concurrency", "{examples}", "--index", "{ix}"],
        ["query", "concurrency", "{examples}"],
        ["query", "rust", "{examples}", "--hidden", "--no-ignore", "--backend", "native"],
        ["route", "can you review my async rust code", "{examples}", "--index", "{ix}"],
        ["query", "rust", "--backend", "python", "{examples}"],
    ],
)
def test_a_query_starts_the_open_the_facade_makes(
    line: list[str],
    examples: Path,
    tmp_path: Path,
    capsys: CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The CLI starts its index's open before loading the facade; the facade
    must finish that open (not wait for it and make another: same folder,
    roots and options), or there is no start at all (the python backend)."""
    native = pytest.importorskip("specsearch.native", reason="the native extension is not built")
    monkeypatch.delenv("SPECSEARCH_MODEL", raising=False)
    monkeypatch.delenv("SPECSEARCH_BACKEND", raising=False)
    calls: list[str] = []
    finish, wait = native.StartedOpen.finish, native.StartedOpen.wait

    def spy_finish(self: Any, *args: Any) -> Any:
        calls.append("finish")
        return finish(self, *args)

    def spy_wait(self: Any) -> None:
        calls.append("wait" if self._pending else "done")
        wait(self)

    monkeypatch.setattr(native.StartedOpen, "finish", spy_finish)
    monkeypatch.setattr(native.StartedOpen, "wait", spy_wait)
    full = [arg.format(examples=examples, ix=tmp_path / "ix") for arg in line]
    code, out, err = _through_main(capsys, full)
    assert code == 0, err
    assert out
    assert calls == ([] if "python" in line else ["finish", "done"])


@pytest.mark.parametrize("early", [True, False])
def test_the_open_starts_from_the_line_unless_a_config_file_decides(
    early: bool,
    examples: Path,
    tmp_path: Path,
    capsys: CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without a config file the entry point starts the open from the line
    alone (``cli_start.start_early``); with one, whose values may change the
    roots and walk, the command starts it once the config is read. Either
    way the facade finishes that open."""
    native = pytest.importorskip("specsearch.native", reason="the native extension is not built")
    from specsearch import cli_start  # noqa: PLC0415

    monkeypatch.delenv("SPECSEARCH_BACKEND", raising=False)
    if not early:
        config = tmp_path / "config.toml"
        config.write_text("hidden = true\nno_ignore = true\n", encoding="utf-8")
        monkeypatch.setenv("SPECSEARCH_CONFIG", str(config))
    calls: list[str] = []
    start_early, finish = cli_start.start_early, native.StartedOpen.finish

    def spy_early(*args: Any) -> Any:
        started = start_early(*args)
        calls.append("early" if started is not None else "no early")
        return started

    def spy_finish(self: Any, *args: Any) -> Any:
        calls.append(f"finish hidden={self.options.hidden}")
        return finish(self, *args)

    monkeypatch.setattr(cli_start, "start_early", spy_early)
    monkeypatch.setattr(native.StartedOpen, "finish", spy_finish)
    line = ["query", "rust", str(examples), "--index", str(tmp_path / "ix")]
    code, out, err = _through_main(capsys, line)
    assert code == 0, err
    assert out
    want = "early" if early else "no early"
    assert calls == [want, f"finish hidden={not early}"]


def test_a_query_records_its_default_folders_use_once(
    examples: Path, capsys: CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Starting the open ahead does not record the folder's use a second time."""
    from specsearch import cache  # noqa: PLC0415

    monkeypatch.delenv("SPECSEARCH_BACKEND", raising=False)
    calls: list[str] = []
    record = cache.record_use

    def spy(folder: str, *args: Any) -> None:
        calls.append(folder)
        record(folder, *args)

    monkeypatch.setattr(cache, "record_use", spy)
    code, _, err = _through_main(capsys, ["query", "rust", str(examples)])
    assert code == 0, err
    assert len(calls) == 1
