"""Walk parity: the pure-Python walk selects what the Rust ``ignore`` crate does.

SPEC.md §1. Hypothesis builds small trees (nested and hidden folders,
``.git`` folders, ``.gitignore`` / ``.ignore`` / ``.specsearchignore`` files
with tricky patterns) and both backends must list the same doc paths in the
same order, with the same problems. The example tests pin the expected file
list of each known edge case on both backends.
"""

from __future__ import annotations

import os
import tempfile
from typing import TYPE_CHECKING, TypedDict

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from specsearch.backend import BuildOptions
from specsearch.native import NativeBackend
from specsearch.pure.backend import PurePythonBackend

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from pathlib import Path

    from specsearch.protocols import Backend

    Build = Callable[[Sequence[str], BuildOptions], Backend]

IGNORE_FILES = (".gitignore", ".ignore", ".specsearchignore")

#: Folder names (".git" makes a nested repository).
DIRS = ["a", "b", "sub", "docs", "build", ".hidden", ".git", "é", "x y"]
#: File names: spec extensions, hidden, odd characters, extension-less.
FILES = [
    "a.md",
    "b.md",
    "keep.md",
    "README.MD",
    "x.wip.md",
    ".x.md",
    "é.md",
    "#c.md",
    "!d.md",
    "t.md ",
    "{a,b}.md",
    "[a].md",
    "ab.md",
    "docs",  # extension-less: a spec when it opens with ---
    "build",
    "notes.txt",
]
FENCED = {"docs", "build"}
MD = "a line of text\n"
FENCE = "---\nname: x\n---\n"  # an extension-less spec

#: Patterns covering the known differences between gitignore libraries.
FIXED_PATTERNS = [
    "*.md",
    "!*.md",
    "a.md",
    "!a.md",
    "/a.md",
    "!/a.md",
    "sub",
    "sub/",
    "!sub/",
    "/sub/",
    "docs",
    "docs/",
    "!docs",
    "build/",
    "sub/*",
    "sub/a.md",
    "sub/**",
    "sub/**/a.md",
    "**/a.md",
    "**/sub",
    "**/sub/",
    "**",
    "!**",
    "a/**/b.md",
    "**/*.wip.md",
    "*.wip.md",
    "?.md",
    "[ab].md",
    "[!a].md",
    "[^a]*.md",
    "[[:alpha:]].md",
    "[a-c]*",
    "[/]*",
    "{a,b}.md",
    "{a,}.md",
    "\\{a,b}.md",
    "\\[a].md",
    "[a",
    "a**",
    "**a.md",
    "***",
    "a\\",
    "\\",
    "\\#c.md",
    "#c.md",
    "\\!d.md",
    "!d.md",
    "t.md ",
    "t.md\\ ",
    "a.md  ",
    "a.md\\  ",
    "\\ ",
    "!",
    "/",
    "//",
    "!/",
    "# comment",
    "",
    ".*",
    "!.*",
    ".hidden",
    "!.hidden",
    "!.hidden/",
    "!.x.md",
    ".git",
    "!.git/",
    "é.md",
    "é",
    "?.md",
    "x y/",
    "x\\ y/",
    "*",
    "*/",
    "!*/",
    "/*",
    "!/*/",
    "*/*.md",
]

name = st.sampled_from(DIRS + FILES + ["*", "?", "**", "*.md"])
composed = st.builds(
    lambda bang, slash, parts, dir_only: (
        ("!" if bang else "") + ("/" if slash else "") + "/".join(parts) + ("/" if dir_only else "")
    ),
    st.booleans(),
    st.booleans(),
    st.lists(name, min_size=1, max_size=3),
    st.booleans(),
)
pattern = st.one_of(st.sampled_from(FIXED_PATTERNS), composed)
folder = st.lists(st.sampled_from(DIRS), max_size=3).map(tuple)


@st.composite
def ignore_text(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(pattern, min_size=1, max_size=5))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(lines) + draw(st.sampled_from(["", newline]))
    if draw(st.booleans()) and draw(st.booleans()):
        text = "\ufeff" + text
    return text.encode("utf-8")


class TreeSpec(TypedDict):
    """Files (folder, name), ignore files (folder, name, bytes), folders holding ``.git``."""

    files: list[tuple[tuple[str, ...], str]]
    ignores: list[tuple[tuple[str, ...], str, bytes]]
    gits: list[tuple[str, ...]]


tree = st.builds(
    TreeSpec,
    files=st.lists(st.tuples(folder, st.sampled_from(FILES)), min_size=1, max_size=12, unique=True),
    ignores=st.lists(st.tuples(folder, st.sampled_from(IGNORE_FILES), ignore_text()), max_size=5),
    gits=st.lists(folder, max_size=2),
)


def put(root: str, parts: Sequence[str], data: bytes) -> None:
    """Write a file, unless a file/folder clash makes it impossible."""
    path = os.path.join(root, *parts)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if os.path.isdir(path):
            return
        with open(path, "wb") as file:
            file.write(data)
    except (FileExistsError, NotADirectoryError):
        return


def content(file_name: str) -> bytes:
    return (FENCE if file_name in FENCED else MD).encode("utf-8")


def make_tree(root: str, spec: TreeSpec) -> None:
    for git_folder in spec["gits"]:
        put(root, (*git_folder, ".git", "HEAD"), b"ref: refs/heads/main\n")
    for where, kind, data in spec["ignores"]:
        put(root, (*where, kind), data)
    for where, file_name in spec["files"]:
        put(root, (*where, file_name), content(file_name))


def listing(backend: Backend) -> list[str]:
    return [d.path for d in backend.docs(range(backend.num_docs))]


def problems(backend: Backend) -> list[tuple[str, int | None]]:
    return [(p.path, p.line) for p in backend.problems]


def both(root: str, options: BuildOptions | None = None) -> tuple[Backend, Backend]:
    options = options or BuildOptions()
    return NativeBackend.build([root], options), PurePythonBackend.build([root], options)


@given(tree)
@example(
    {
        "files": [(("sub",), "keep.md")],
        "ignores": [((), ".ignore", b"!keep.md\n"), (("sub",), ".gitignore", b"keep.md\n")],
        "gits": [],
    }
)
@example(
    {
        "files": [((".hidden",), "a.md"), ((), ".x.md")],
        "ignores": [((), ".gitignore", b"!.hidden/\n!.x.md\n")],
        "gits": [],
    }
)
@example(
    {
        "files": [(("sub",), "a.md")],
        "ignores": [((), ".gitignore", b"*.md\n")],
        "gits": [("sub",)],
    }
)
def test_both_walks_list_the_same_docs(spec: TreeSpec) -> None:
    with tempfile.TemporaryDirectory() as root:
        make_tree(root, spec)
        native, python = both(root)
        with native, python:
            assert listing(native) == listing(python)
            assert problems(native) == problems(python)


@given(tree, st.booleans(), st.booleans())
def test_walk_options_select_the_same_docs(spec: TreeSpec, hidden: bool, no_ignore: bool) -> None:
    """``--hidden`` and ``--no-ignore`` (issue 12) walk alike in both engines."""
    with tempfile.TemporaryDirectory() as root:
        make_tree(root, spec)
        native, python = both(root, BuildOptions(hidden=hidden, no_ignore=no_ignore))
        with native, python:
            assert listing(native) == listing(python)
            assert problems(native) == problems(python)


#: Characters of glob syntax, for patterns made of arbitrary character soup.
GLOB_CHARS = "*?[]{}!,/\\-^: .ab#é"
SOUP_FILES = ["a.md", "ab.md", "a b.md", ".a.md", "[a].md", "{a,b}.md", "#.md", "!.md", "-.md"]
SOUP_FILES += [",.md", "é.md", "\\.md", "a\\b.md", "^.md", ":.md", "?.md"]
SOUP_DIRS: list[tuple[str, ...]] = [(), ("a",), (".a",), ("a b",), ("[a]",), ("a", "b")]


@given(
    st.lists(st.text(st.sampled_from(GLOB_CHARS), min_size=1, max_size=8), min_size=1, max_size=4),
    st.sampled_from(IGNORE_FILES),
    st.sampled_from([(), ("a",)]),
)
def test_random_glob_syntax_selects_the_same_docs(
    lines: list[str], kind: str, where: tuple[str, ...]
) -> None:
    with tempfile.TemporaryDirectory() as root:
        for folder_parts in SOUP_DIRS:
            for file_name in SOUP_FILES:
                put(root, (*folder_parts, file_name), MD.encode("utf-8"))
        put(root, (*where, kind), "\n".join(lines).encode("utf-8"))
        native, python = both(root)
        with native, python:
            assert listing(native) == listing(python)
            assert problems(native) == problems(python)


# --- Examples: each known edge case, with the expected list, on both engines.

ENGINES: dict[str, Build] = {
    "native": NativeBackend.build,
    "python": PurePythonBackend.build,
}


@pytest.fixture(params=sorted(ENGINES))
def engine(request: pytest.FixtureRequest) -> Build:
    chosen: str = request.param
    return ENGINES[chosen]


def walk(engine: Build, root: Path, files: Mapping[str, str]) -> list[str]:
    """Write ``files`` (relative path → text) under ``root``; the relative doc paths."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    with engine([str(root)], BuildOptions()) as backend:
        assert backend.problems == ()
        prefix = str(root) + "/"
        return [path.removeprefix(prefix) for path in listing(backend)]


def test_category_beats_depth(engine: Build, tmp_path: Path) -> None:
    # A shallow .ignore whitelist beats a deeper .gitignore; a shallow
    # .specsearchignore beats both; in one category the deepest match wins.
    files = {
        ".ignore": "!keep.md\n",
        "sub/.gitignore": "keep.md\ndrop.md\n",
        "sub/keep.md": MD,
        "sub/drop.md": MD,
        ".specsearchignore": "other.md\n",
        "sub/.ignore": "!other.md\n",
        "sub/other.md": MD,
        "sub/deep/.specsearchignore": "!other.md\n",
        "sub/deep/other.md": MD,
    }
    assert walk(engine, tmp_path, files) == ["sub/deep/other.md", "sub/keep.md"]


def test_ignore_whitelist_does_not_fall_through_to_gitignore(engine: Build, tmp_path: Path) -> None:
    files = {".ignore": "!*.md\n", ".gitignore": "a.md\n", "a.md": MD, "b.md": MD}
    assert walk(engine, tmp_path, files) == ["a.md", "b.md"]


def test_whitelisted_hidden_entries_are_walked(engine: Build, tmp_path: Path) -> None:
    files = {
        ".gitignore": "!.agents/\n!.x.md\n",
        ".agents/a.md": MD,
        ".agents/.y.md": MD,
        ".other/b.md": MD,
        ".x.md": MD,
        ".z.md": MD,
        "c.md": MD,
    }
    assert walk(engine, tmp_path, files) == [".agents/a.md", ".x.md", "c.md"]


def test_a_nested_git_repository_changes_nothing(engine: Build, tmp_path: Path) -> None:
    # With require_git(false) the crate never looks for `.git`: outer
    # .gitignore files still apply inside a nested repository.
    files = {
        ".gitignore": "*.wip.md\n",
        "repo/.git/HEAD": "ref: refs/heads/main\n",
        "repo/a.wip.md": MD,
        "repo/b.md": MD,
        "repo/.gitignore": "!keep.wip.md\n",
        "repo/keep.wip.md": MD,
    }
    assert walk(engine, tmp_path, files) == ["repo/b.md", "repo/keep.wip.md"]


def test_a_pattern_matches_the_path_not_its_descendants(engine: Build, tmp_path: Path) -> None:
    # `!sub` matches the folder `sub` only, so `*.md` still ignores
    # sub/a.md (a library that also matches descendants would keep it).
    files = {".gitignore": "*.md\n!sub\n", "sub/a.md": MD, "sub/b": FENCE}
    assert walk(engine, tmp_path, files) == ["sub/b"]
    files = {".ignore": "!data/\n", ".gitignore": "data/*\n", "data/a.md": MD}
    assert walk(engine, tmp_path / "two", files) == []


def test_pattern_without_slash_matches_at_any_depth(engine: Build, tmp_path: Path) -> None:
    files = {".gitignore": "a.md\n/b.md\n", "a.md": MD, "x/y/a.md": MD, "b.md": MD, "x/b.md": MD}
    assert walk(engine, tmp_path, files) == ["x/b.md"]


def test_dir_only_pattern_matches_only_folders(engine: Build, tmp_path: Path) -> None:
    files = {
        ".gitignore": "docs/\nbuild\\/\n",
        "docs/a.md": MD,
        "x/docs": FENCE,
        "build/b.md": MD,
        "y/build": FENCE,
    }
    assert walk(engine, tmp_path, files) == ["x/docs", "y/build"]


def test_double_star(engine: Build, tmp_path: Path) -> None:
    files = {
        ".gitignore": "a/**/b.md\nd/**\n**/e.md\n",
        "a/b.md": MD,
        "a/x/y/b.md": MD,
        "ab/b.md": MD,
        "d/x.md": MD,
        "dd/x.md": MD,
        "z/e.md": MD,
    }
    assert walk(engine, tmp_path, files) == ["ab/b.md", "dd/x.md"]


def test_trailing_spaces_and_escapes(engine: Build, tmp_path: Path) -> None:
    files = {
        ".gitignore": "a.md  \nt.md\\ \n\\#c.md\n\\!d.md\n# comment\n!\n",
        "a.md": MD,
        "t.md ": MD,
        "t.md": MD,
        "#c.md": MD,
        "!d.md": MD,
        "e.md": MD,
    }
    assert walk(engine, tmp_path, files) == ["e.md", "t.md"]


def test_glob_syntax_of_the_crate(engine: Build, tmp_path: Path) -> None:
    # globset's alternates, byte-wise `?`, POSIX classes, and invalid lines
    # (dropped on their own) are followed.
    files = {
        ".gitignore": "{ab,cd}.md\n?.md\n[[:digit:]]*.md\nz\\\n",
        "ab.md": MD,
        "cd.md": MD,
        "ce.md": MD,
        "c.md": MD,
        "é.md": MD,
        "1x.md": MD,
        "{ab,cd}.md": MD,
        "z\\": FENCE,
    }
    assert walk(engine, tmp_path, files) == ["ce.md", "z\\", "{ab,cd}.md", "é.md"]


def test_negation_inside_an_ignored_folder_is_not_reached(engine: Build, tmp_path: Path) -> None:
    files = {".gitignore": "sub/\n!sub/keep.md\n", "sub/keep.md": MD, "sub/.gitignore": "!*\n"}
    assert walk(engine, tmp_path, files) == []


def test_specsearchignore(engine: Build, tmp_path: Path) -> None:
    files = {
        ".specsearchignore": "drafts/\n!wip.md\n",
        ".gitignore": "wip.md\n",
        "drafts/a.md": MD,
        "wip.md": MD,
        "b.md": MD,
        "sub/.specsearchignore": "/b.md\n",
        "sub/b.md": MD,
        "sub/deeper/b.md": MD,
    }
    assert walk(engine, tmp_path, files) == ["b.md", "sub/deeper/b.md", "wip.md"]


def test_crlf_bom_and_invalid_utf8_lines(engine: Build, tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_bytes(b"\xef\xbb\xbfa.md\r\nb\xff.md\nc.md\r")
    files = {"a.md": MD, "b.md": MD, "c.md": MD, "c.md\r": MD}
    assert walk(engine, tmp_path, files) == ["b.md", "c.md"]
