"""The pure backend on the real corpora in ../shared/corpora (beside the checkout)."""

from __future__ import annotations

from pathlib import Path

import pytest

from specsearch.pure import PureIndex
from specsearch.pure.analysis import fold, terms
from specsearch.pure.spec import decode_lines, parse_spec
from specsearch.pure.walk import collect
from specsearch.schema import FIELDS

CORPORA = Path(__file__).resolve().parents[3].parent / "shared" / "corpora"

pytestmark = [
    pytest.mark.corpora,
    pytest.mark.skipif(not CORPORA.is_dir(), reason=f"the real corpora are not at {CORPORA}"),
]


def test_no_text_is_lost_on_the_real_corpus() -> None:
    # Every token of the raw file is in some field, except the keys "name" and
    # "description", and tokens that only exist because a backslash escape
    # (`\n` in double-quoted YAML or in a double-escaped description) glued a
    # letter to the next word: "\nContext" is "ncontext" raw, "context" parsed.
    files, _ = collect([str(CORPORA)], 64 << 20)
    assert len(files) > 3000
    lossy = []
    for spec_file in files:
        data = Path(spec_file.fs_path).read_bytes()
        spec, _ = parse_spec(spec_file.path, spec_file.fs_path, data)
        have = {term for field in FIELDS for term in terms(spec.field_text(field))}
        raw_text = "\n".join(decode_lines(data))
        folded = fold(raw_text)
        missing = {
            t
            for t in set(terms(raw_text)) - have - {"name", "description"}
            if "\\" + t not in folded
        }
        if missing:
            lossy.append((spec_file.path, sorted(missing)[:5]))
    assert lossy == []


def test_build_and_search_the_real_corpus() -> None:
    index = PureIndex.build([str(CORPORA)])
    assert index.num_docs > 3000
    ids, scores = index.search("code review", 10)
    assert len(ids) == 10
    assert all(scores[i] >= scores[i + 1] for i in range(9))
    names = [doc.name for doc in index.docs(ids.tolist())]
    assert any("review" in name for name in names)
    snippets = index.snippets(ids.tolist(), "code review")
    assert all(s is not None for s in snippets)
