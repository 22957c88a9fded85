"""The generated Unicode tables hold the same values in both engines.

``scripts/gen_unicode_tables.py`` and ``scripts/gen_wordpiece_tables.py`` each
write one table twice, as Rust (compiled in) and as Python. Regenerating only
one side, or editing one by hand, fails here, before any text reaches a
difference: each Rust static is read back from its source and compared with
the Python value, entry by entry.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from specsearch.pure import _tables as analysis
from specsearch.pure.embed import _tables as wordpiece

ROOT = Path(__file__).resolve().parents[2]
ANALYSIS_RS = ROOT / "rust" / "core" / "src" / "analysis" / "tables.rs"
WORDPIECE_RS = ROOT / "rust" / "core" / "src" / "embed" / "tables.rs"

_STATIC = r"pub\(crate\) static {name}: &\[[^\]]*\] = &\[(?P<body>.*?)\n\];"
_ENTRY = re.compile(r"\(([^()]*)\),")
_ESCAPE = re.compile(r"\\u\{([0-9a-fA-F]+)\}")


def _rust_entries(path: Path, name: str) -> list[list[str]]:
    """The entries of the static ``name`` in ``path``: each tuple's fields as source text."""
    found = re.search(_STATIC.format(name=name), path.read_text(encoding="utf-8"), re.DOTALL)
    assert found is not None, f"no static {name} in {path}"
    return [
        [field.strip() for field in entry.split(",")] for entry in _ENTRY.findall(found["body"])
    ]


def _int(text: str) -> int:
    return int(text, 0)


def _rust_str(text: str) -> str:
    assert text.startswith('"'), text
    assert text.endswith('"'), text
    inner = text[1:-1]
    assert _ESCAPE.sub("", inner) == "", f"only \\u{{...}} escapes expected: {text}"
    return "".join(chr(int(code, 16)) for code in _ESCAPE.findall(inner))


@pytest.mark.parametrize(
    ("path", "name", "python"),
    [
        (ANALYSIS_RS, "WORD_RANGES", analysis.WORD_RANGES),
        (ANALYSIS_RS, "FOLD_PAIRS", analysis.FOLD_PAIRS),
        (WORDPIECE_RS, "CLASS_RANGES", wordpiece.CLASS_RANGES),
    ],
)
def test_integer_tables_agree(path: Path, name: str, python: tuple[tuple[int, ...], ...]) -> None:
    rust = [tuple(_int(field) for field in entry) for entry in _rust_entries(path, name)]
    assert len(rust) == len(python) > 0
    assert rust == list(python)


def test_the_wordpiece_fold_agrees() -> None:
    rust = {_int(code): _rust_str(text) for code, text in _rust_entries(WORDPIECE_RS, "FOLD")}
    assert len(rust) == len(wordpiece.FOLD) > 0
    assert rust == wordpiece.FOLD


def test_both_analysis_tables_name_the_same_unicode_version() -> None:
    text = ANALYSIS_RS.read_text(encoding="utf-8")
    assert f'UNICODE_VERSION: &str = "{analysis.UNICODE_VERSION}";' in text
