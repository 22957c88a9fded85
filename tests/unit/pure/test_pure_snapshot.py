"""The python cache's snapshot (``snapshot.bin``): same answers, versioned, never misread."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest

from specsearch.errors import IndexFormatError
from specsearch.pure import PureIndex, snapshot, store
from specsearch.pure.search import Positions
from specsearch.schema import FIELDS

MAX = 1 << 20
QUERIES = [
    "rust",
    "async rust code",
    '"task group"',
    "name:rev*",
    "model:opus",
    "concurency~1",
    "review AND -python",
    "headings:usage",
    "example*",
    "TaskGroup",
    "résumé",
]


def corpus(root: Path) -> str:
    files = {
        "a.md": "---\nname: rust-reviewer\ndescription: Reviews async Rust code\nmodel: opus\n"
        "---\n# Usage\nUse TaskGroup for concurrency.\n\n## Examples\n```\nexample run\n```\n",
        "b/c.md": "---\nname: python-reviewer\ndescription: Reviews python\n---\ntask and group\n",
        "b/d.md": "---\nname: writer\n---\nrésumé writer, concurrent code, rust\n",
        "e.md": "no frontmatter at all, review the rust",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return str(root)


def answers(index: PureIndex) -> list[tuple[list[int], list[float]]]:
    out = []
    for query in QUERIES:
        ids, scores = index.search(query, 10)
        out.append((ids.tolist(), scores.tolist()))
    return out


def from_snapshot(cache: str, root: str) -> PureIndex:
    """Open the cache, and check that the answer came from the snapshot."""
    index, info = store.open_or_update(cache, [root], max_file_bytes=MAX)
    assert not info.committed
    postings = index.field_index("body").postings
    assert type(postings).__name__ == "_LazyPostings"
    return index


def test_the_snapshot_answers_as_a_fresh_build(tmp_path: Path) -> None:
    root = corpus(tmp_path / "corpus")
    cache = str(tmp_path / "cache")
    built, info = store.open_or_update(cache, [root], max_file_bytes=MAX)
    assert info.committed
    assert not info.rebuilt  # a first build
    fresh = PureIndex.build([root], max_file_bytes=MAX)
    opened = from_snapshot(cache, root)
    assert answers(opened) == answers(built) == answers(fresh)
    assert opened.num_terms == fresh.num_terms
    ids = list(range(fresh.num_docs))
    assert opened.docs(ids) == fresh.docs(ids)
    assert opened.problems == fresh.problems
    for query in QUERIES:
        assert opened.snippets(ids, query) == fresh.snippets(ids, query), query
    for field in FIELDS:
        assert opened.doc_lengths(field).tolist() == fresh.doc_lengths(field).tolist()
        mine, theirs = opened.field_index(field), fresh.field_index(field)
        assert mine.sorted_terms == theirs.sorted_terms
        assert dict(mine.stems) == dict(theirs.stems)
        assert mine.avgdl == theirs.avgdl
        for term in theirs.sorted_terms:
            a, b = mine.postings[term], theirs.postings[term]
            assert a.doc_ids.tolist() == b.doc_ids.tolist(), (field, term)
            assert a.tfs.tolist() == b.tfs.tolist()
            assert list(a.positions) == list(b.positions)
        assert "\x00no such term" not in mine.postings


def test_the_snapshot_is_private_and_replaces_the_old_format(tmp_path: Path) -> None:
    root = corpus(tmp_path / "corpus")
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    old = cache / "snapshot.marshal"
    old.write_bytes(b"a version 1 snapshot")
    store.open_or_update(str(cache), [root], max_file_bytes=MAX)
    assert stat.S_IMODE((cache / snapshot.NAME).stat().st_mode) == 0o600
    assert not old.exists()
    assert sorted(p.name for p in cache.iterdir()) == ["LOCK", "docs.jsonl", snapshot.NAME]


@pytest.mark.parametrize(
    "damage",
    ["version", "magic", "head", "truncated", "empty", "garbage", "trailer"],
)
def test_a_snapshot_of_another_version_or_damaged_is_not_read(tmp_path: Path, damage: str) -> None:
    root = corpus(tmp_path / "corpus")
    cache = str(tmp_path / "cache")
    store.open_or_update(cache, [root], max_file_bytes=MAX)
    wanted = answers(PureIndex.build([root], max_file_bytes=MAX))
    path = tmp_path / "cache" / snapshot.NAME
    data = bytearray(path.read_bytes())
    magic_end = len(snapshot._MAGIC)
    if damage == "version":
        data[magic_end : magic_end + 4] = (snapshot.VERSION + 1).to_bytes(4, "little")
    elif damage == "magic":
        data[0] ^= 0xFF
    elif damage == "head":
        data[snapshot._PREFIX.size + 10] ^= 0xFF
    elif damage == "truncated":
        del data[-8:]
    elif damage == "empty":
        data = bytearray()
    elif damage == "garbage":
        data = bytearray(os.urandom(len(data)))
    else:
        # A snapshot of another docs.jsonl: its trailer line differs (still a valid cache).
        jsonl = tmp_path / "cache" / store.CACHE_NAME
        jsonl.write_bytes(jsonl.read_bytes().replace(b', "sha256"', b',  "sha256"'))
    if damage != "trailer":
        path.write_bytes(bytes(data))
    trailer = store._trailer(os.path.join(cache, store.CACHE_NAME))
    assert trailer is not None
    if damage in ("version", "trailer"):
        # Another version, or stale: not read, rebuilt without a word.
        assert snapshot.load(cache, trailer=trailer, max_file_bytes=MAX) is None
    else:
        with pytest.raises(IndexFormatError, match=snapshot.NAME):
            snapshot.load(cache, trailer=trailer, max_file_bytes=MAX)
    index, info = store.open_or_update(cache, [root], max_file_bytes=MAX)
    assert answers(index) == wanted
    if damage in ("version", "trailer"):
        assert info.damage is None
    else:
        assert info.damage is not None
        assert snapshot.NAME in info.damage
    # ... and it was written again, for the next query.
    assert answers(from_snapshot(cache, root)) == wanted


def test_postings_damaged_after_opening_are_an_index_format_error(tmp_path: Path) -> None:
    root = corpus(tmp_path / "corpus")
    cache = str(tmp_path / "cache")
    store.open_or_update(cache, [root], max_file_bytes=MAX)
    index = from_snapshot(cache, root)
    # Truncated in place (what the store never does: it renames a new file over it).
    os.truncate(os.path.join(cache, snapshot.NAME), snapshot._PREFIX.size)
    with pytest.raises(IndexFormatError, match="snapshot"):
        index.search("rust", 10)


def flip_postings_byte(cache: str) -> None:
    """XOR a byte in the middle of the snapshot's postings (past its head)."""
    path = os.path.join(cache, snapshot.NAME)
    data = bytearray(Path(path).read_bytes())
    at = len(snapshot._MAGIC) + 4
    head_length = int.from_bytes(data[at : at + 8], "little")
    base = snapshot._PREFIX.size + head_length
    data[(base + len(data)) // 2] ^= 0x04
    Path(path).write_bytes(bytes(data))


def test_a_flipped_postings_byte_is_found(tmp_path: Path) -> None:
    """Postings carry checksums: a flipped bit is an error, never a wrong answer."""
    root = corpus(tmp_path / "corpus")
    cache = str(tmp_path / "cache")
    store.open_or_update(cache, [root], max_file_bytes=MAX)
    wanted = answers(PureIndex.build([root], max_file_bytes=MAX))
    flip_postings_byte(cache)
    # A query that reads the damaged postings says so ...
    trailer = store._trailer(os.path.join(cache, store.CACHE_NAME))
    assert trailer is not None
    found = snapshot.load(cache, trailer=trailer, max_file_bytes=MAX)
    assert found is not None

    def read_every_term() -> None:
        for field in FIELDS:
            index = found.fields[field]
            for term in index.sorted_terms:
                index.postings[term]

    with pytest.raises(IndexFormatError, match="checksum mismatch"):
        read_every_term()
    # ... `verify` (what `specsearch index` asks for) finds it without a query ...
    with pytest.raises(IndexFormatError, match="checksum mismatch"):
        store.open_or_update(cache, [root], max_file_bytes=MAX, verify=True)
    # ... and a verified open of an intact cache passes.
    other = str(tmp_path / "other")
    store.open_or_update(other, [root], max_file_bytes=MAX)
    index, info = store.open_or_update(other, [root], max_file_bytes=MAX, verify=True)
    assert answers(index) == wanted
    assert info.damage is None


@pytest.mark.parametrize("where", [0.3, 0.6, 0.95])
def test_a_damaged_cache_is_rebuilt_and_named(tmp_path: Path, where: float) -> None:
    root = corpus(tmp_path / "corpus")
    cache = str(tmp_path / "cache")
    store.open_or_update(cache, [root], max_file_bytes=MAX)
    wanted = answers(PureIndex.build([root], max_file_bytes=MAX))
    jsonl = Path(cache) / store.CACHE_NAME
    data = bytearray(jsonl.read_bytes())
    data[int(len(data) * where)] ^= 0x01
    jsonl.write_bytes(bytes(data))
    with pytest.raises(IndexFormatError, match=store.CACHE_NAME):
        store.open_or_update(cache, [root], max_file_bytes=MAX, verify=True)
    with pytest.raises(IndexFormatError, match=store.CACHE_NAME):
        store.load_existing(cache)
    # A query answers from the intact snapshot without reading the cache;
    # once the snapshot must be built again, the cache is read, found
    # damaged, and rebuilt from the specs.
    os.unlink(os.path.join(cache, snapshot.NAME))
    index, info = store.open_or_update(cache, [root], max_file_bytes=MAX)
    assert answers(index) == wanted
    assert info.rebuilt
    assert info.damage is not None
    assert store.CACHE_NAME in info.damage
    _, again = store.open_or_update(cache, [root], max_file_bytes=MAX, verify=True)
    assert again.damage is None


def test_positions_are_decoded_per_doc_when_asked() -> None:
    """A term's positions stay one flat array until a doc's are read."""
    flat = np.array([3, 9, 1, 4, 5, 7], dtype=np.uint32)
    positions = Positions(flat, np.array([2, 0, 4], dtype=np.uint32))
    assert len(positions) == 3
    assert list(positions) == [[3, 9], [], [1, 4, 5, 7]]
    assert positions[-1] == [1, 4, 5, 7]
    assert positions[1:] == [[], [1, 4, 5, 7]]
    with pytest.raises(IndexError):
        positions[3]
