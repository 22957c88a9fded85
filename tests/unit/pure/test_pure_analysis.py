"""The standard-v2 analyzer (SPEC.md §3)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from specsearch.pure.analysis import (
    ANALYZER_NAME,
    MAX_TOKEN_CHARS,
    Token,
    field_terms,
    fold,
    frontmatter_terms,
    query_terms,
    stem_key,
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
    assert ANALYZER_NAME == "standard-v2"
    assert MAX_TOKEN_CHARS == 64


def test_ascii_separators_and_case() -> None:
    assert texts("Hello, World! v2.0 a.b") == ["hello", "world", "v2", "0", "a", "b"]


def test_use_taskgroup_now_parts_whole_and_positions() -> None:
    text = "use TaskGroup now"
    assert tokenize(text) == [
        Token("use", 0, 0, 3),
        Token("task", 1, 4, 8),
        Token("group", 2, 8, 13),
        Token("taskgroup", 1, 4, 13, whole=True),
        Token("now", 3, 14, 17),
    ]
    assert field_terms(text).length == 5


def test_case_boundaries() -> None:
    assert texts("HTTPServer") == ["http", "server", "httpserver"]
    assert texts("taskGroup") == ["task", "group", "taskgroup"]
    assert texts("XMLHttpRequest") == ["xml", "http", "request", "xmlhttprequest"]
    assert texts("HTTP") == ["http"]
    assert texts("Hello") == ["hello"]
    # Digits never split, and a digit is not a lower-case letter.
    assert texts("x86 http2server http2Server") == ["x86", "http2server", "http2server"]
    # Only ASCII letters make boundaries, seen before folding.
    assert texts("écoleNormale") == ["école", "normale", "écolenormale"]
    assert texts("éCOLE") == ["école"]
    assert texts("ÉCOLEs") == ["écol", "es", "écoles"]


def test_connectors() -> None:
    assert texts("snake_case") == ["snake", "case", "snake_case"]
    assert texts("kebab-case") == ["kebab", "case", "kebab-case"]
    assert texts("x86_64") == ["x86", "64", "x86_64"]
    assert texts("a-b_c") == ["a", "b", "c", "a-b_c"]
    # Two connectors, or a connector without a word character on each side,
    # do not join.
    assert texts("a--b") == ["a", "b"]
    assert texts("_a a_ -b") == ["a", "a", "b"]
    assert [(t.text, t.position) for t in tokenize("a__b c")] == [("a", 0), ("b", 1), ("c", 2)]
    # An ideographic word is a compound of its own.
    assert texts("日-a a_日") == ["日", "a", "a", "日"]


def test_snake_and_camel_together() -> None:
    tokens = tokenize("my_taskGroup!")
    assert [(t.text, t.position, t.start, t.end, t.whole) for t in tokens] == [
        ("my", 0, 0, 2, False),
        ("task", 1, 3, 7, False),
        ("group", 2, 7, 12, False),
        ("my_taskgroup", 0, 0, 12, True),
    ]


def test_length_limit_on_parts_and_whole() -> None:
    # Each part fits but the whole does not: the whole is dropped.
    long_whole = "a" * 40 + "_" + "b" * 30
    assert texts(long_whole) == ["a" * 40, "b" * 30]
    # A dropped part takes no position; the whole is dropped with it.
    tokens = tokenize("a" * 65 + "_bc z")
    assert [(t.text, t.position) for t in tokens] == [("bc", 0), ("z", 1)]


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


def test_stem_keys() -> None:
    assert {stem_key(t) for t in ("concurrent", "concurrency", "concurrently")} == {"concurr"}
    # The snowballstemmer 2.2.0 generation of the algorithm.
    assert stem_key("added") == "ad"
    assert stem_key("organization") == "organ"
    assert stem_key("running") == "run"
    # Only terms of ASCII a-z are stemmed.
    assert stem_key("x86") == "x86"
    assert stem_key("snake_case") == "snake_case"
    assert stem_key("caf\u00e9s") == "caf\u00e9s"
    # A keyed term keeps its key and stems its token.
    assert stem_key("tools\x1freading") == "tools\x1fread"
    assert stem_key("tools\x1fx86") == "tools\x1fx86"


def test_keyed_terms_positions_and_length() -> None:
    analyzed = frontmatter_terms([("Model", "opus"), ("allowed-tools", "Read, web_fetch")])
    assert analyzed.positions == {
        "model": [0],
        "opus": [1],
        "model\x1fopus": [1],
        "allowed": [2],
        "tools": [3],
        "allowed-tools": [2],
        "read": [4],
        "allowed-tools\x1fread": [4],
        "web": [5],
        "fetch": [6],
        "web_fetch": [5],
        "allowed-tools\x1fweb": [5],
        "allowed-tools\x1ffetch": [6],
        "allowed-tools\x1fweb_fetch": [5],
    }
    # Keyed terms are not counted: model, opus, allowed, tools, allowed-tools,
    # read, web, fetch, web_fetch.
    assert analyzed.length == 9
    # The same terms as analyzing the joined field text.
    joined = field_terms("Model\nopus\nallowed-tools\nRead, web_fetch")
    assert joined.length == analyzed.length
    assert {t: p for t, p in analyzed.positions.items() if "\x1f" not in t} == joined.positions


def test_keys_that_give_no_keyed_terms() -> None:
    # A key must match [A-Za-z_][A-Za-z0-9_.-]*.
    analyzed = frontmatter_terms([("1x", "a"), ("", "b"), ("my key", "c"), ("_k.v-2", "d")])
    assert sorted(t for t in analyzed.positions if "\x1f" in t) == ["_k.v-2\x1fd"]


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
    parts = [t for t in tokens if not t.whole]
    assert [t.position for t in parts] == list(range(len(parts)))
    previous_end = 0
    for token in tokens:
        assert fold(text[token.start : token.end]) == token.text
        assert len(token.text) <= MAX_TOKEN_CHARS
        assert "\x1f" not in token.text
        if token.whole:
            # A whole follows its parts and has the first one's position and start.
            first = next(t for t in parts if t.start == token.start)
            assert first.position == token.position
        else:
            assert previous_end <= token.start < token.end
            previous_end = token.end
    assert terms(text) == [t.text for t in tokens]
    analyzed = field_terms(text)
    assert analyzed.length == len(tokens)
    assert sum(len(p) for p in analyzed.positions.values()) == len(tokens)
    # Folding is idempotent on the terms and keeps their length.
    assert all(fold(t.text) == t.text for t in tokens)
