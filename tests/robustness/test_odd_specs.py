"""Odd spec files: both engines rank them alike, and nothing in them breaks the output.

The parsing itself is pinned by the shared vectors (``tests/vectors/spec.json``,
the ``yaml/`` cases); these tests run whole trees through the facade and the CLI.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from specsearch import Index
from tests.robustness.helpers import cli

if TYPE_CHECKING:
    from pathlib import Path

#: File name → bytes: one odd spec each, all of them with the word "word".
ODD_SPECS: dict[str, bytes] = {
    "empty.md": b"",
    "only-bom.md": b"\xef\xbb\xbf",
    "bom.md": b"\xef\xbb\xbf---\nname: bom\ndescription: word bom\n---\nword\n",
    "crlf.md": b"---\r\nname: crlf\r\ndescription: word crlf\r\n---\r\nword body\r\n",
    "cr-only.md": b"---\rname: cr\rdescription: word\r---\rword\r",
    "bomb.md": b"---\nname: bomb\na: &a [word, word]\nb: &b [*a, *a]\nc: [*b, *b]\n---\nword\n",
    "list.md": b"---\n- word\n- name\n---\nword list body\n",
    "scalar.md": b"---\nword scalar\n---\nbody word\n",
    "dupkeys.md": b"---\nname: first\nname: second\ndescription: one word\n---\nbody\n",
    "intname.md": b"---\nname: 123\ndescription: [word, x]\n---\nbody\n",
    "mapname.md": b"---\nname: {a: word}\ndescription: ok\n---\nbody\n",
    "unterminated.md": b"---\nname: unterm\ndescription: word\nbody without end\n",
    "badutf.md": b"---\nname: bad\xff\xfeutf\ndescription: word \xc3\n---\nword \xed\xa0\x80 x\n",
    "tags.md": b"---\nname: !!python/object:os.system word\ndescription: !custom word\n---\nword\n",
    "multi-doc.md": b"---\nname: md\n...\n---\nname: other\n---\nword\n",
    # Escapes that name no character: a YAML error in both engines.
    "surrogate.md": b'---\nname: "\\ud800 word"\ndescription: "\\U0010FFFF word"\n---\nword\n',
    "past-unicode.md": b'---\nname: past\ndescription: "\\U00110000 word"\n---\nword\n',
    # Characters PyYAML refused or broke lines at, and saphyr-parser takes.
    "control.md": b"---\nname: ctrl\x01\x1b[31m\ndescription: word\x7f\x0c\n---\nword\x0b body\n",
    "separators.md": "---\nname: ls\u2028word\ndescription: a\u2029word\x85next\n---\nw\n".encode(),
}

QUERIES = ["word", "name:word", "description:word", '"word word"', "word*", "wrd~1", "ctrl", "next"]


def odd_tree(root: Path) -> Path:
    root.mkdir()
    for name, data in ODD_SPECS.items():
        (root / name).write_bytes(data)
    return root


def test_both_engines_rank_odd_specs_alike(tmp_path: Path) -> None:
    root = odd_tree(tmp_path / "odd")
    seen: dict[str, object] = {}
    for backend in ("native", "python"):
        with Index.build([root], backend=backend) as index:
            answers = {
                query: [(h.path, h.name, h.score, h.description) for h in index.search(query, k=50)]
                for query in QUERIES
            }
            lines = [(p.path, p.line) for p in index.problems]
            seen[backend] = (len(index), answers, lines)
    assert seen["native"] == seen["python"]


def test_a_yaml_escape_that_names_no_character_never_breaks_the_cli(
    backend: str, tmp_path: Path
) -> None:
    root = odd_tree(tmp_path / "odd")
    where = ["--backend", backend, "--index", str(tmp_path / "index")]
    runs = {
        "query": cli("query", "word", str(root), *where),
        "json": cli("query", "word", str(root), "--json", "--problems", *where),
        "show": cli("show", str(root / "surrogate.md"), *where),
        "show-json": cli("show", str(root / "surrogate.md"), "--json", *where),
    }
    for what, done in runs.items():
        assert done.returncode == 0, (what, done.stderr.decode(errors="replace"))
        assert b"Traceback" not in done.stderr, what
        done.stdout.decode("utf-8")  # what is printed is UTF-8
    problems = json.loads(runs["json"].stdout)["problems"]
    lines = {(p["path"].rsplit("/", 1)[-1], p["line"]) for p in problems}
    assert {("surrogate.md", 2), ("past-unicode.md", 3)} <= lines
    shown = json.loads(runs["show-json"].stdout)
    assert shown["name"] == "\\ud800 word"  # the lenient fallback keeps the text as written
    assert [p["line"] for p in shown["problems"]] == [2]


@pytest.mark.parametrize("name", ["control.md", "separators.md"])
def test_characters_yaml_11_refused_are_read_as_yaml_12_reads_them(
    name: str, tmp_path: Path
) -> None:
    root = odd_tree(tmp_path / "odd")
    for backend in ("native", "python"):
        with Index.build([root / name], backend=backend) as index:
            assert index.problems == (), backend
