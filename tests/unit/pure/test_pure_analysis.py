"""The standard-v1 analyzer (ARCHITECTURE.md §3)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from specsearch.pure.analysis import (
    ANALYZER_NAME,
    MAX_TOKEN_CHARS,
    Token,
    fold,
    query_terms,
    terms,
    tokenize,
)

# Any code point but surrogates, with word characters, separators and the
# characters the analyzer treats specially made frequent.
_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),  # every code point but surrogates
        st.sampled_from("aZ9_ -.\n\tΣςßİK日本カ한é\u0301𐐀𠀀🚀\u0661"),
    ),
    max_size=200,
)


def texts(text: str) -> list[str]:
    return [token.text for token in tokenize(text)]


def test_constants() -> None:
    assert ANALYZER_NAME == "standard-v1"
    assert MAX_TOKEN_CHARS == 64


def test_ascii_separators_and_case() -> None:
    assert texts("Hello, World! snake_case v2.0 kebab-case") == [
        "hello",
        "world",
        "snake",
        "case",
        "v2",
        "0",
        "kebab",
        "case",
    ]


def test_sigma_forms_fold_to_small_sigma() -> None:
    assert texts("ΣΟΦΟΣ σοφος ΣΟΦΟς") == ["σοφοσ", "σοφοσ", "σοφοσ"]


def test_sharp_s_stays_and_is_not_expanded() -> None:
    assert texts("Straße STRASSE") == ["straße", "strasse"]


def test_kelvin_sign_folds_to_k() -> None:
    assert fold("\u212a") == "k"


def test_ideographs_and_kana_are_single_char_tokens() -> None:
    assert texts("日本語のテスト abc中文") == [
        "日",
        "本",
        "語",
        "の",
        "テ",
        "ス",
        "ト",
        "abc",
        "中",
        "文",
    ]


def test_hangul_is_not_ideographic() -> None:
    assert texts("한국어 텍스트") == ["한국어", "텍스트"]


def test_astral_characters() -> None:
    # Deseret capital folds; a CJK extension B ideograph is a token by itself;
    # an emoji separates.
    assert texts("x\U00010400y \U00020000\U00020001 a🚀b") == [
        "x\U00010428y",
        "\U00020000",
        "\U00020001",
        "a",
        "b",
    ]


def test_combining_marks_stay_inside_words_without_normalization() -> None:
    decomposed = "cafe\u0301 naïve"
    assert texts(decomposed) == ["cafe\u0301", "naïve"]
    assert texts("café") != texts("cafe\u0301")  # no NFC/NFKC


def test_non_ascii_digits_are_word_characters() -> None:
    assert texts("\u0661\u0662\u0663 x²") == ["\u0661\u0662\u0663", "x²"]


def test_length_limit_64_kept_65_dropped_positions_skip_it() -> None:
    text = "start " + "a" * 64 + " " + "b" * 65 + " end"
    tokens = tokenize(text)
    assert [t.text for t in tokens] == ["start", "a" * 64, "end"]
    assert [t.position for t in tokens] == [0, 1, 2]
    assert tokens[2].start == text.index("end")


def test_spans_are_character_offsets() -> None:
    text = "Ünïcode 日x"
    assert tokenize(text) == [
        Token("ünïcode", 0, 0, 7),
        Token("日", 1, 8, 9),
        Token("x", 2, 9, 10),
    ]


def test_query_terms_are_distinct_in_first_appearance_order() -> None:
    assert query_terms("Review the code, REVIEW the CODE now") == ["review", "the", "code", "now"]
    assert query_terms(" -- !! ") == []


@given(_TEXT)
def test_tokens_property(text: str) -> None:
    tokens = tokenize(text)
    assert [t.position for t in tokens] == list(range(len(tokens)))
    previous_end = 0
    for token in tokens:
        assert previous_end <= token.start < token.end
        previous_end = token.end
        assert fold(text[token.start : token.end]) == token.text
        assert len(token.text) <= MAX_TOKEN_CHARS
    # The fast path gives exactly the same terms.
    assert terms(text) == [t.text for t in tokens]
    # Folding is idempotent on the terms and keeps their length.
    assert all(fold(t.text) == t.text for t in tokens)
