"""The synthetic corpus generator: determinism, prefixes, and that it parses."""

from __future__ import annotations

import hashlib
import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import pytest
from benches import gen_corpus
from benches.gen_corpus import _rendered, _tasks, cached, generate, parse_size, profile

from specsearch.pure.spec import parse_spec

if TYPE_CHECKING:
    from pathlib import Path


def digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", 1_000_000, seed=7)
    second = generate(tmp_path / "b", 1_000_000, seed=7)
    assert first == second
    assert first.bytes >= 1_000_000
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert sum(len(v) > 0 for v in digest(tmp_path / "a")) == first.files


def test_other_seed_other_bytes(tmp_path: Path) -> None:
    generate(tmp_path / "a", 200_000, seed=0)
    generate(tmp_path / "b", 200_000, seed=1)
    assert digest(tmp_path / "a") != digest(tmp_path / "b")


def test_smaller_corpus_is_a_prefix(tmp_path: Path) -> None:
    small = generate(tmp_path / "s", 300_000, seed=3)
    generate(tmp_path / "l", 1_000_000, seed=3)
    large = digest(tmp_path / "l")
    for path, sha in digest(tmp_path / "s").items():
        assert large[path] == sha
    assert small.files < len(large)


def test_worker_processes_give_the_same_bytes() -> None:
    serial = [data for _, data in itertools.islice(_rendered(_tasks(5), 1), 300)]
    parallel_iter = _rendered(_tasks(5), 2)
    parallel = [data for _, data in itertools.islice(parallel_iter, 300)]
    parallel_iter.close()  # type: ignore[attr-defined]
    assert serial == parallel


def test_files_parse_and_show_the_oddities(tmp_path: Path) -> None:
    generate(tmp_path, 3_000_000, seed=0)
    stats = profile(tmp_path)
    share = stats["share"]
    assert stats["files"] > 200
    assert 0 < share["malformed"] < 0.05
    assert 0.01 < share["examples_in_description"] < 0.15
    assert 0.03 < share["cjk"] < 0.25
    assert share["frontmatter"] > 0.95
    assert 3000 < stats["median_size"] < 12000
    for path in tmp_path.rglob("*.md"):
        spec, _ = parse_spec(str(path), str(path), path.read_bytes())
        assert spec.name


@pytest.mark.parametrize(
    ("text", "size"), [("1MB", 10**6), ("100 MB", 10**8), ("5GB", 5 * 10**9), ("2MiB", 2**21)]
)
def test_parse_size(text: str, size: int) -> None:
    assert parse_size(text) == size


def test_parse_size_rejects() -> None:
    with pytest.raises(ValueError, match="not a size"):
        parse_size("big")


def test_a_cached_corpus_survives_a_second_run_that_dies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run A generates; run B starts meanwhile and is killed; A's corpus is whole.

    The old cache deleted a folder without its marker before generating into
    it: B deleted the files A had written, died, and A then marked the rest
    complete (this machine's "1 GB" corpus held 50,802 of 127,915 files).
    """
    size = 300_000
    real = gen_corpus.generate
    a_wrote, b_died = threading.Event(), threading.Event()

    def run_a_then_wait(out_dir: Path, target: int, seed: int = 0) -> gen_corpus.CorpusInfo:
        info = real(out_dir, target, seed)
        a_wrote.set()
        assert b_died.wait(30)
        return info

    def run_b_killed(out_dir: Path, target: int, seed: int = 0) -> gen_corpus.CorpusInfo:
        raise KeyboardInterrupt

    monkeypatch.setattr(gen_corpus, "generate", run_a_then_wait)
    with ThreadPoolExecutor(1) as pool:
        a = pool.submit(cached, tmp_path, size)
        assert a_wrote.wait(30)
        monkeypatch.setattr(gen_corpus, "generate", run_b_killed)
        with pytest.raises(KeyboardInterrupt):
            cached(tmp_path, size)
        b_died.set()
        folder, info = a.result()
    real(tmp_path / "fresh", size)
    got = {k: v for k, v in digest(folder).items() if not k.startswith(".")}
    assert got == digest(tmp_path / "fresh")
    assert info.files == len(got)
    # Nothing is left behind but the corpus (and the fresh copy).
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh", folder.name]


def test_cached_replaces_an_unfinished_folder(tmp_path: Path) -> None:
    size = 200_000
    stale = tmp_path / f"gen-{size}-s0"
    stale.mkdir()
    (stale / "half-written.md").write_text("---\nname: x\n", encoding="utf-8")
    folder, info = cached(tmp_path, size)
    assert folder == stale
    assert not (folder / "half-written.md").exists()
    assert info.files == len([p for p in folder.rglob("*") if p.is_file()]) - 1  # the marker
    again, info_again = cached(tmp_path, size)
    assert (again, info_again) == (folder, info)
