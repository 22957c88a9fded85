"""The small compound patterns of the analyzer cut every text as the full one does.

Tokenizing a query or a snippet line uses a pattern whose classes hold only
ASCII and the text's own non-ASCII characters (it compiles in microseconds,
the full one in a tenth of a second); on that text both must find the same
compounds at the same places.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hypothesis import example, given
from hypothesis import strategies as st

from specsearch.pure import analysis

if TYPE_CHECKING:
    import re

# Connectors, ASCII, Latin and other scripts, ideographs (BMP and astral), emoji, surrogates.
TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from("-_ .aZ09"),
        st.characters(max_codepoint=0x7F),
        st.characters(min_codepoint=0x80, max_codepoint=0x2FFF),
        st.characters(min_codepoint=0x3000, max_codepoint=0xFFFF),
        st.characters(min_codepoint=0x10000, max_codepoint=0x3134F),
    ),
    max_size=40,
)


def spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


@given(TEXT)
@example("snake_case v2.0 a--b \u65e5\u672c Stra\u00dfe \U0001d49cbc")
@example("\U0001f600x_y \u00c9COLE-\u00e9cole")
@example("\u01c5ungla-\u01c8_\u00b5m \u00aa \u02b0 \u3007 \u3005")
def test_the_own_pattern_cuts_as_the_full_one(text: str) -> None:
    full, bmp = analysis.compound_re()
    own = analysis._own_pattern(text)
    assert spans(own, text) == spans(full, text)
    # A pattern made for a longer text (a snippet's whole file) cuts its parts the same way.
    half = analysis._own_pattern(text + "\u00e9\u65e5\U0001f600")
    assert spans(half, text) == spans(full, text)
    if text.isascii():
        assert spans(analysis._ASCII_COMPOUND_RE, text) == spans(full, text)
    if not analysis._ASTRAL_CHAR_RE.search(text):
        assert spans(bmp, text) == spans(full, text)
