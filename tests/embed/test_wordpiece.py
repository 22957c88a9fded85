"""Both tokenizers against the shared vectors and against the ``tokenizers`` library."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

from specsearch.pure.embed.wordpiece import WordPiece
from tests.embed.conftest import TINY, read_vectors

if TYPE_CHECKING:
    from pathlib import Path

    from specsearch.encoder import Encoder

SPECIAL = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


def oracle(vocab_file: Path, max_tokens: int) -> Tokenizer:
    """all-MiniLM-L6-v2's tokenizer pipeline over another vocabulary."""
    vocab = {t: i for i, t in enumerate(vocab_file.read_text(encoding="utf-8").splitlines())}
    tok = Tokenizer(models.WordPiece(vocab=vocab, unk_token="[UNK]", max_input_chars_per_word=100))
    tok.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True
    )
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])],
    )
    tok.add_special_tokens(list(SPECIAL))
    tok.enable_truncation(max_tokens)
    return tok


TINY_ORACLE = oracle(TINY / "vocab.txt", 48)
WORDS = st.sampled_from(
    [*TINY.joinpath("vocab.txt").read_text(encoding="utf-8").splitlines(), "Café", "ÉCOLE", "中文"]
)
# Characters assigned in this Python's Unicode database: the engines' tables are
# pinned to Unicode 14 and drop later assignments as unassigned, where the
# library, on a newer Unicode, keeps them (a known, documented difference).
CHARS = st.characters(exclude_categories=("Cn", "Cs"))
TEXT = st.one_of(
    st.text(CHARS, max_size=80),
    st.lists(st.one_of(WORDS, st.text(CHARS, max_size=6)), max_size=30).map(" ".join),
)


@functools.cache
def tables_agree_on(ch: str) -> bool:
    """Whether the library's Unicode tables treat ``ch`` as the engines' Unicode 14 ones do.

    Tested in a word (``a{ch}a``). The library's tables are of another
    Unicode version: it keeps 384 nonspacing marks that Unicode 14 strips
    (U+08CA ARABIC SMALL HIGH FARSI YEH becomes ``[UNK]``), and does not
    space out some CJK ideographs (U+2B820); those characters are the known
    difference (the module docs of ``rust/core/src/embed/wordpiece.rs``).
    """
    text = f"a{ch}a"
    return TINY_ORACLE.encode(text).ids == WordPiece.from_file(TINY / "vocab.txt").encode(text, 48)


@pytest.mark.parametrize("engine", ["native", "python"])
def test_shared_vectors(tiny_encoders: dict[str, Encoder], engine: str) -> None:
    cases = read_vectors("embed_tokens.json")["cases"]
    assert len(cases) >= 20
    for case in cases:
        got = tiny_encoders[engine].tokenize(case["text"], case.get("max_tokens"))
        assert got == case["ids"], case["text"]


@given(TEXT)
def test_engines_agree_with_the_tokenizers_library(text: str) -> None:
    assume(all(tables_agree_on(ch) for ch in text))
    want = TINY_ORACLE.encode(text).ids
    assert WordPiece.from_file(TINY / "vocab.txt").encode(text, 48) == want
    from specsearch.native import NativeEncoder  # noqa: PLC0415 - loaded once by Python

    assert NativeEncoder(str(TINY)).tokenize(text) == want


def test_a_vocab_without_special_tokens_is_refused() -> None:
    with pytest.raises(ValueError, match=r"\[CLS\]"):
        WordPiece("a\nb\n")


@pytest.mark.corpora
def test_real_vocab_on_real_specs(real_model: Path, corpora: Path) -> None:
    tok = Tokenizer.from_file(str(real_model / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(256)
    from specsearch.native import NativeEncoder  # noqa: PLC0415

    native = NativeEncoder(str(real_model))
    pure = WordPiece.from_file(real_model / "vocab.txt")
    files = sorted(corpora.rglob("*.md"))[::20]
    assert len(files) > 50
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        want = tok.encode(text).ids
        assert native.tokenize(text) == want, path
        assert pure.encode(text, 256) == want, path
