"""Spec parsing (SPEC.md §2)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from hypothesis import given, settings
from hypothesis import strategies as st

from specsearch.pure.analysis import terms
from specsearch.pure.spec import ParsedSpec, parse_spec
from specsearch.schema import DEFAULT_WEIGHTS, FIELDS
from specsearch.types import Problem

if TYPE_CHECKING:
    from pathlib import Path


def parse(data: bytes, path: str = "agents/my-agent.md") -> tuple[ParsedSpec, list[Problem]]:
    return parse_spec(path, "/nowhere/" + path, data)


def field_terms(spec: ParsedSpec) -> set[str]:
    found: set[str] = set()
    for field in FIELDS:
        found.update(terms(spec.field_text(field)))
    return found


def test_fields_and_weights() -> None:
    assert FIELDS == ("name", "description", "frontmatter", "headings", "body", "examples")
    assert dict(DEFAULT_WEIGHTS) == {
        "name": 3.0,
        "description": 2.0,
        "frontmatter": 1.0,
        "headings": 1.5,
        "body": 1.0,
        "examples": 1.5,
    }


def test_fenced_frontmatter_fields() -> None:
    spec, problems = parse(
        b"---\nname: reviewer\ndescription: Reviews code\ntools: Read, Grep\nmodel: opus\n---\n"
        b"# Role\nYou review.\n## Steps\nstep one\n"
    )
    assert problems == []
    assert spec.name == "reviewer"
    assert spec.description == "Reviews code"
    assert spec.frontmatter == (("tools", "Read, Grep"), ("model", "opus"))
    assert spec.field_text("frontmatter") == "tools\nRead, Grep\nmodel\nopus"
    assert spec.headings == "Role\nSteps"
    assert spec.body == "You review.\nstep one\n"


def test_crlf_lines() -> None:
    spec, problems = parse(
        b"---\r\nname: foo\r\ndescription: bar baz\r\n---\r\n# Title\r\nbody text\r\n"
    )
    assert problems == []
    assert (spec.name, spec.description, spec.headings) == ("foo", "bar baz", "Title")
    assert "\r" not in spec.body
    assert spec.body == "body text\n"


def test_only_one_trailing_cr_is_removed_and_lone_cr_is_not_a_line_break() -> None:
    spec, _ = parse(b"a\rb\r\r\n")
    assert spec.body == "a\rb\r\n"


def test_bom_is_removed_before_the_fence() -> None:
    spec, problems = parse(b"\xef\xbb\xbf---\nname: bommed\n---\nbody\n")
    assert problems == []
    assert spec.name == "bommed"


def test_invalid_utf8_becomes_replacement_characters() -> None:
    spec, problems = parse(b"---\nname: ab\xffcd\n---\nbody \xfe\xfe ok\n")
    assert problems == []
    assert spec.name == "ab\ufffdcd"
    assert terms(spec.body) == ["body", "ok"]


def test_bare_frontmatter() -> None:
    spec, problems = parse(b"name: bare-agent\ndescription: does things\n  \n# Heading\nbody\n")
    assert problems == []
    assert (spec.name, spec.description) == ("bare-agent", "does things")
    assert spec.headings == "Heading"
    assert spec.body == "body\n"


def test_bare_needs_name_at_column_0() -> None:
    spec, _ = parse(b" name: indented\nrest\n")
    assert spec.name == "my-agent"
    assert "indented" in spec.body


def test_unterminated_frontmatter_is_body() -> None:
    spec, problems = parse(b"---\nname: never\ndescription: closed\n")
    assert problems == [
        Problem(
            path="agents/my-agent.md",
            line=1,
            message="frontmatter opened at line 1 is never closed",
        )
    ]
    assert spec.name == "my-agent"
    assert spec.description == ""
    assert spec.body == "---\nname: never\ndescription: closed\n"


def test_malformed_yaml_is_reported_at_its_file_line_and_recovered() -> None:
    data = b"---\nname: helper\ndescription: Use this. Examples: foo\nmodel: sonnet\n---\nbody\n"
    spec, problems = parse(data)
    assert len(problems) == 1
    assert problems[0].line == 3  # the description line
    assert "mapping values are not allowed" in problems[0].message
    assert spec.name == "helper"
    assert spec.description == "Use this. Examples: foo"
    assert spec.frontmatter == (("model", "sonnet"),)


def test_malformed_bare_yaml_line_counts_from_line_1() -> None:
    _, problems = parse(b"name: x\ndescription: a: b\n\nbody")
    assert [p.line for p in problems] == [2]


def test_alias_in_description_fails_and_falls_back() -> None:
    spec, problems = parse(b"---\nname: a\ndescription: *foo bar\n---\n")
    assert len(problems) == 1
    assert problems[0].line == 3
    assert spec.description == "*foo bar"


def test_python_tag_never_runs_and_its_value_is_indexed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    data = (
        f'---\nname: evil\ncmd: !!python/object/apply:os.system ["touch {marker}"]\n---\n'.encode()
    )
    spec, problems = parse(data)
    assert problems == []
    assert not marker.exists()
    assert spec.frontmatter == (("cmd", f"touch {marker}"),)
    assert "touch" in terms(spec.field_text("frontmatter"))


def test_alias_bomb_is_cheap_and_aliases_are_empty() -> None:
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 10):
        previous = chr(ord("a") + level - 1)
        current = chr(ord("a") + level)
        lines.append(f"{current}: &{current} [" + ", ".join([f"*{previous}"] * 9) + "]")
    data = ("---\nname: bomb\n" + "\n".join(lines) + "\n---\n").encode()
    started = time.perf_counter()
    spec, problems = parse(data)
    assert time.perf_counter() - started < 1.0
    assert problems == []
    assert len(spec.field_text("frontmatter")) < 200
    assert spec.frontmatter[0] == ("a", "\n".join(["lol"] * 9))
    assert spec.frontmatter[1] == ("b", "\n" * 8)


def test_deep_nesting_fails_without_crashing() -> None:
    data = b"---\nname: deep\nkey: " + b"[" * 10_000 + b"]" * 10_000 + b"\n---\nbody\n"
    spec, problems = parse(data)
    assert len(problems) == 1
    assert problems[0].line == 2
    assert "deeper than 32" in problems[0].message
    assert spec.name == "deep"
    assert spec.frontmatter[0][0] == "key"


def test_nesting_32_deep_is_fine_33_is_not() -> None:
    ok, ok_problems = parse(b"---\nk: " + b"[" * 31 + b"x" + b"]" * 31 + b"\n---\n")
    assert ok_problems == []
    assert ok.frontmatter == (("k", "x"),)
    _, problems = parse(b"---\nk: " + b"[" * 32 + b"x" + b"]" * 32 + b"\n---\n")
    assert len(problems) == 1


def test_root_not_a_mapping() -> None:
    spec, problems = parse(b"---\n- a\n- b\n---\n")
    assert problems == [
        Problem(path="agents/my-agent.md", line=2, message="frontmatter is not a mapping")
    ]
    assert spec.frontmatter == (("", "- a\n- b"),)


def test_empty_frontmatter_is_fine() -> None:
    spec, problems = parse(b"---\n# only a comment\n---\nbody\n")
    assert problems == []
    assert spec.frontmatter == ()


def test_error_in_a_later_document_is_still_an_error() -> None:
    spec, problems = parse(b"name: a\n---\nbad: [unclosed\n\nbody\n")
    assert len(problems) == 1
    # The parser meets the end of the stream after the last frontmatter line's
    # break; the problem names that last line, not the one after it.
    assert problems[0].line == 3
    assert spec.frontmatter == (("bad", "[unclosed"),)


def test_scalars_are_not_type_resolved_and_repeated_keys_go_to_frontmatter() -> None:
    spec, problems = parse(
        b"---\nversion: 2.10\nflag: yes\nempty:\nname: [x]\nname: real\nname: again\n"
        b"description: first\ndescription: second\n---\n"
    )
    assert problems == []
    assert spec.name == "real"
    assert spec.description == "first"
    assert spec.frontmatter == (
        ("version", "2.10"),
        ("flag", "yes"),
        ("empty", ""),
        ("name", "x"),
        ("name", "again"),
        ("description", "second"),
    )


def test_nested_values_are_flattened_in_document_order() -> None:
    spec, _ = parse(b"---\nmeta:\n  tags: [a, b]\n  owner: {team: core}\n---\n")
    assert spec.frontmatter == (("meta", "tags\na\nb\nowner\nteam\ncore"),)


def test_literal_backslash_n_in_description_becomes_line_feed() -> None:
    spec, _ = parse(b"---\nname: x\ndescription: first\\nsecond\\n\\nthird\n---\n")
    assert spec.description == "first\nsecond\n\nthird"


def test_lenient_fallback_quotes_continuations_and_leading_lines() -> None:
    data = (
        b"---\n  stray text\nname: 'quoted name'\n"
        b'description: "half: quoted"\n  more text\nbad: [x\n---\n'
    )
    spec, problems = parse(data)
    assert len(problems) == 1
    assert spec.name == "quoted name"
    # The continuation line is part of the value, so its quotes no longer pair.
    assert spec.description == '"half: quoted"\n  more text'
    unquoted, _ = parse(b"---\nname: \"x\"\ndescription: ' padded '\nbad: [\n---\n")
    assert (unquoted.name, unquoted.description) == ("x", " padded ")
    assert spec.frontmatter == (("", "stray text"), ("bad", "[x"))


def test_headings_and_fences() -> None:
    body = (
        "# A\n"
        "```python\n# not a heading\n```\n"
        "## B\n"
        "~~~~\n# no\n~~~\n# still no\n~~~~~  \n"
        "    # indented code, not a heading\n"
        "####### seven\n"
        "#nospace\n"
        "   ### C ###\n"
    )
    spec, _ = parse(("---\nname: x\n---\n" + body).encode())
    assert spec.headings == "A\nB\nC ###"
    assert "# not a heading" in spec.body
    assert "# still no" in spec.body
    assert "####### seven" in spec.body


def test_unclosed_fence_runs_to_the_end() -> None:
    spec, _ = parse(b"```\n# inside\n")
    assert spec.headings == ""


def test_example_user_requests_in_description_and_body() -> None:
    data = (
        b"---\nname: x\n"
        b'description: "Use it.\\n<example>\\nContext: c\\nuser: \\"Please review my code\\"\\n'
        b'assistant: ok\\n</example>"\n'
        b"---\n"
        b"# Examples\n<EXAMPLE>\n> **User**: deploy it\n- user_ : second\n"
        b"assistant: no\n</Example>\n"
        b"user: outside\n<example>\nuser:last one"
    )
    spec, problems = parse(data)
    assert problems == []
    assert spec.examples == '"Please review my code"\ndeploy it\nsecond\nlast one'


def test_empty_file() -> None:
    spec, problems = parse(b"")
    assert problems == []
    assert spec == ParsedSpec(
        name="my-agent", description="", frontmatter=(), headings="", body="", examples=""
    )


def test_name_fallbacks(tmp_path: Path) -> None:
    assert parse(b"hello", "a/foo.tar.md")[0].name == "foo.tar"
    skill = tmp_path / "pdf-tool" / "SKILL.md"
    assert parse_spec("x/SKILL.md", str(skill), b"body")[0].name == "pdf-tool"
    assert (
        parse_spec("x/skill.MD", str(tmp_path / "other" / "skill.MD"), b"body")[0].name == "other"
    )
    # A blank frontmatter name does not count.
    assert parse(b"---\nname: '  '\n---\n", "a/b.md")[0].name == "b"


@st.composite
def _spec_texts(draw: st.DrawFn) -> str:
    word = st.text(alphabet=st.sampled_from("abcXYZ09éΣ日"), min_size=1, max_size=8)
    value = st.text(alphabet=st.sampled_from("abcXYZ09éΣ日 ,.:;()?-/'\"[]{}"), max_size=30)
    keys = draw(st.lists(word, max_size=5))
    front = [f"{key}: {draw(value)}" for key in keys]
    body = draw(
        st.lists(
            st.text(alphabet=st.sampled_from("ab Σ#`~<>_:-*user\texample/"), max_size=30),
            max_size=8,
        )
    )
    style = draw(st.sampled_from(["fenced", "bare", "none"]))
    if style == "fenced":
        return "\n".join(["---", *front, "---", *body])
    if style == "bare":
        return "\n".join([f"name: {draw(value)}", *front, "", *body])
    return "\n".join(body)


@given(_spec_texts())
@settings(max_examples=300)
def test_no_text_is_lost(text: str) -> None:
    spec, _ = parse(text.encode())
    missing = set(terms(text)) - field_terms(spec) - {"name", "description"}
    assert missing == set()
