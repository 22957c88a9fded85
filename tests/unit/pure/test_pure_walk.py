"""The walk (SPEC.md §1)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from specsearch.pure.walk import _glob_regex, _GlobError, collect

if TYPE_CHECKING:
    from pathlib import Path


def write(path: Path, text: str = "---\nname: x\n---\n") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def paths(*roots: str) -> list[str]:
    files, problems = collect(list(roots), 1 << 20)
    assert problems == []
    return [f.path for f in files]


def rel(root: Path) -> list[str]:
    prefix = str(root) + "/"
    found = paths(str(root))
    assert all(p.startswith(prefix) for p in found)
    return [p[len(prefix) :] for p in found]


def test_gitignore_patterns_negation_and_dir_only(tmp_path: Path) -> None:
    for name in [
        "keep.md",
        "ignored.md",
        "a.tmp.md",
        "keep.tmp.md",
        "build/x.md",
        "docs/y.md",
        "sub/docs/z.md",
    ]:
        write(tmp_path / name)
    write(tmp_path / "docs2" / "docs")  # a file named docs: "docs/" must not match it
    (tmp_path / ".gitignore").write_text(
        "ignored.md\n*.tmp.md\n!keep.tmp.md\nbuild/\ndocs/\n# comment\n"
    )
    assert rel(tmp_path) == ["docs2/docs", "keep.md", "keep.tmp.md"]


def test_ignore_overrides_gitignore_in_the_same_folder(tmp_path: Path) -> None:
    write(tmp_path / "a.md")
    write(tmp_path / "b.md")
    (tmp_path / ".gitignore").write_text("a.md\nb.md\n")
    (tmp_path / ".ignore").write_text("!a.md\n")
    assert rel(tmp_path) == ["a.md"]


def test_ignore_file_alone_is_honoured(tmp_path: Path) -> None:
    write(tmp_path / "a.md")
    write(tmp_path / "b.md")
    (tmp_path / ".ignore").write_text("b.md\n")
    assert rel(tmp_path) == ["a.md"]


def test_deeper_rules_override_shallower_ones(tmp_path: Path) -> None:
    for name in ["top.md", "sub/x.md", "sub/y.md", "sub/deeper/x.md"]:
        write(tmp_path / name)
    (tmp_path / ".gitignore").write_text("*.md\n")
    (tmp_path / "sub" / ".gitignore").write_text("!x.md\n")
    assert rel(tmp_path) == ["sub/deeper/x.md", "sub/x.md"]


def test_patterns_are_relative_to_their_folder(tmp_path: Path) -> None:
    for name in ["a.md", "sub/a.md", "sub/b/a.md"]:
        write(tmp_path / name)
    (tmp_path / "sub" / ".gitignore").write_text("/a.md\n")
    assert rel(tmp_path) == ["a.md", "sub/b/a.md"]


def test_ignore_files_above_the_root_are_not_read(tmp_path: Path) -> None:
    write(tmp_path / "root" / "a.md")
    (tmp_path / ".gitignore").write_text("*.md\nroot/\n")
    assert rel(tmp_path / "root") == ["a.md"]


def test_hidden_entries_are_skipped_but_a_hidden_root_is_walked(tmp_path: Path) -> None:
    for name in [".hidden.md", ".dir/a.md", ".git/b.md", "visible.md"]:
        write(tmp_path / name)
    assert rel(tmp_path) == ["visible.md"]
    assert rel(tmp_path / ".dir") == ["a.md"]


def test_symlinks_are_not_followed(tmp_path: Path) -> None:
    write(tmp_path / "a.md")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "link.md").symlink_to(tmp_path / "a.md")
    (tmp_path / "dangling.md").symlink_to(tmp_path / "missing.md")
    files, problems = collect([str(tmp_path)], 1 << 20)
    assert [f.path for f in files] == [f"{tmp_path}/a.md"]
    # Reported, not followed (issue 15).
    assert [(p.path, p.message) for p in problems] == [
        (f"{tmp_path}/{name}", "symbolic link: not followed")
        for name in ("dangling.md", "link.md", "loop")
    ]


def test_fifos_are_skipped(tmp_path: Path) -> None:
    write(tmp_path / "a.md")
    os.mkfifo(tmp_path / "fifo.md")
    os.mkfifo(tmp_path / "FIFO")  # extension-less: must not be opened
    files, problems = collect([str(tmp_path)], 1 << 20)
    assert [f.path for f in files] == [f"{tmp_path}/a.md"]
    assert [(p.path, p.message) for p in problems] == [
        (f"{tmp_path}/{name}", "not a regular file: skipped") for name in ("FIFO", "fifo.md")
    ]


def test_spec_file_rule(tmp_path: Path) -> None:
    write(tmp_path / "README.MD", "x")
    write(tmp_path / "x.Markdown", "x")
    write(tmp_path / "y.mdx", "x")
    write(tmp_path / "notes.txt", "---\n")
    write(tmp_path / "AGENT", "---\nname: a\n---\n")
    write(tmp_path / "SPACED", " \t---\t \r\nname: a\n")
    (tmp_path / "BOMMED").write_bytes(b"\xef\xbb\xbf---\n")
    write(tmp_path / "ONLYFENCE", "---")
    write(tmp_path / "LICENSE", "MIT License\n---\n")
    write(tmp_path / "DASHES", "----\n")
    write(tmp_path / "LONG", "---" + " " * 20_000 + "x\n")
    write(tmp_path / "EMPTY", "")
    assert rel(tmp_path) == [
        "AGENT",
        "BOMMED",
        "ONLYFENCE",
        "README.MD",
        "SPACED",
        "x.Markdown",
        "y.mdx",
    ]


def test_order_is_by_utf8_bytes_of_the_relative_path(tmp_path: Path) -> None:
    for name in ["é.md", "a/b.md", "a.md", "B.md", "a-b.md", "z/a.md"]:
        write(tmp_path / name)
    assert rel(tmp_path) == ["B.md", "a-b.md", "a.md", "a/b.md", "z/a.md", "é.md"]


def test_roots_keep_their_order_and_a_file_root_is_taken_whatever_its_name(tmp_path: Path) -> None:
    write(tmp_path / "d1" / "a.md")
    write(tmp_path / "d2" / "b.md")
    write(tmp_path / "notes.txt", "plain")
    d1, d2, notes = str(tmp_path / "d1"), str(tmp_path / "d2"), str(tmp_path / "notes.txt")
    assert paths(d2, notes, d1 + "/") == [d2 + "/b.md", notes, d1 + "/a.md"]


def test_missing_root_raises(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="nope"):
        collect([missing], 1 << 20)


def test_no_root_means_current_folder_without_dot_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "a.md")
    write(tmp_path / "sub" / "b.md")
    monkeypatch.chdir(tmp_path)
    files, _ = collect([], 1 << 20)
    assert [(f.path, f.fs_path) for f in files] == [("a.md", "./a.md"), ("sub/b.md", "./sub/b.md")]
    assert paths(".") == ["./a.md", "./sub/b.md"]


def test_unreadable_folder_is_a_problem_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "a.md")
    write(tmp_path / "locked" / "b.md")
    real_scandir = os.scandir
    locked = str(tmp_path / "locked")

    def fake_scandir(path: str) -> object:
        if path == locked:
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr("specsearch.pure.walk.os.scandir", fake_scandir)
    files, problems = collect([str(tmp_path)], 1 << 20)
    assert [f.path for f in files] == [str(tmp_path / "a.md")]
    assert len(problems) == 1
    assert problems[0].path == locked
    assert "Permission denied" in problems[0].message


@pytest.mark.parametrize(
    ("glob", "regex"),
    [
        # globset's own expectations (glob.rs tests), with a literal separator.
        ("?", r"[^/]"),
        ("*", r"[^/]*"),
        ("**", r".*"),
        ("**/*", r"(?:/?|.*/)[^/]*"),
        ("**/**/b", r"(?:/?|.*/)b"),
        ("a/**", r"a/.*"),
        ("a/**/**/b", r"a(?:/|/.*/)b"),
        ("a**", r"a[^/]*[^/]*"),
        ("***", r"[^/]*[^/]*[^/]*"),
        ("[*]", r"[\*]"),
        ("+", r"\+"),
        ("☃", r"\xe2\x98\x83"),
        ("{a,{b,c}}", r"(?:a|(?:b|c))"),
        ("[abc", r"\[abc"),
        ("[!]", r"\[!\]"),
        ("{[abc],[xyz}", r"(?:[abc]|\[xyz)"),
        ("[!a]", r"[^/a]"),
        ("[/]", r"[^\s\S]"),
        ("[ -/]", r"[ -\.]"),
        ("[[:digit:]x]", r"[0-9x]"),
    ],
)
def test_glob_translation_follows_globset(glob: str, regex: str) -> None:
    assert _glob_regex(glob).pattern == regex.encode("ascii")


@pytest.mark.parametrize("glob", ["a\\", "{a", "a}", "[b-a]"])
def test_globs_globset_rejects(glob: str) -> None:
    with pytest.raises(_GlobError):
        _glob_regex(glob)
