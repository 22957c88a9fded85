"""Issue 12, point 2: near-duplicate specs fold into one hit; `specsearch dups`."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from specsearch import dedup
from tests.ux.helpers import run, spec

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "dedup.json"
BODY = " ".join(f"Use helm charts to deploy service {i} with values and hooks." for i in range(40))


def load_vectors() -> dict[str, object]:
    doc: dict[str, object] = json.loads(VECTORS.read_text(encoding="utf-8"))
    return doc


def test_fingerprints_match_the_shared_vectors() -> None:
    doc = load_vectors()
    assert doc["bins"] == dedup.BINS
    assert doc["threshold"] == dedup.THRESHOLD
    cases = doc["cases"]
    assert isinstance(cases, list)
    prints = {}
    for case in cases:
        fp = dedup.fingerprint(case["text"].encode())
        expected = case["bins"]
        got = None if fp is None else {str(i): v for i, v in enumerate(fp) if v is not None}
        assert got == expected, case["name"]
        prints[case["name"]] = fp
    pairs = doc["pairs"]
    assert isinstance(pairs, list)
    assert {p["copies"] for p in pairs} == {True, False}  # both sides of the threshold
    for pair in pairs:
        a, b = prints[pair["a"]], prints[pair["b"]]
        assert a is not None
        assert b is not None
        assert dedup.similarity(a, b) == pytest.approx(pair["similarity"])


def _reference_similarity(a: dedup.Fingerprint, b: dedup.Fingerprint) -> float:
    """The estimate as first written: a loop over the bins."""
    both = either = 0
    for x, y in zip(a, b, strict=True):
        if x is None and y is None:
            continue
        either += 1
        both += x == y
    return both / either if either else 0.0


_BIN = st.one_of(st.none(), st.integers(min_value=0, max_value=3))


@given(st.lists(st.tuples(_BIN, _BIN), min_size=dedup.BINS, max_size=dedup.BINS))
def test_similarity_counts_as_the_loop_does(bins: list[tuple[int | None, int | None]]) -> None:
    a = tuple(x for x, _ in bins)
    b = tuple(y for _, y in bins)
    assert dedup.similarity(a, b) == _reference_similarity(a, b)
    assert dedup.similarity(a, a) == (1.0 if any(v is not None for v in a) else 0.0)


@given(
    st.lists(st.tuples(_BIN, _BIN), min_size=dedup.BINS, max_size=dedup.BINS),
    st.sampled_from([0.0, 0.25, 0.5, 0.75, 0.8, 0.9, 1.0]),
    st.integers(min_value=0, max_value=dedup.BINS),
)
def test_the_prefix_bound_keeps_every_decision(
    bins: list[tuple[int | None, int | None]], threshold: float, same: int
) -> None:
    """``_reaches`` (bins compared first, the rest only when the pair may be
    copies) gives exactly the similarity when it reaches ``threshold``, else
    None; ``same`` makes the first bins equal, so both sides are reached."""
    a = tuple(x for x, _ in bins)
    b = a[:same] + tuple(y for _, y in bins[same:])
    empty_a, empty_b = dedup._empty_bins(a), dedup._empty_bins(b)
    full = dedup._similarity(a, b, empty_a, empty_b)
    assert dedup._reaches(a, b, empty_a, empty_b, threshold) == (
        full if full >= threshold else None
    )


def test_one_shingle_is_a_crc32() -> None:
    fp = dedup.fingerprint(b"Async, RUST!")
    assert fp is not None
    h = zlib.crc32(b"async rust")
    assert fp[h % 128] == h // 128
    assert sum(v is not None for v in fp) == 1


def test_groups_never_chain() -> None:
    a = dedup.fingerprint(BODY.encode())
    assert a is not None
    # b is a copy of a, c of b, but c is not a copy of a: c starts its own group.
    b = tuple(None if i % 10 == 0 else v for i, v in enumerate(a))
    c = tuple(None if i % 10 in (0, 1) else v for i, v in enumerate(a))
    assert dedup.similarity(a, b) >= dedup.THRESHOLD
    groups = dedup.group([a, b, c], threshold=0.85)
    assert [g.members for g in groups] == [(0, 1), (2,)]


def copies(tmp_path: Path) -> Path:
    spec(tmp_path / "one" / "helm.md", "helm-chart-scaffolding", "Scaffold Helm charts", BODY)
    spec(tmp_path / "two" / "helm.md", "helm-chart-scaffolding", "Scaffold Helm charts", BODY)
    spec(tmp_path / "three" / "helm.md", "helm-expert", "Scaffold Helm charts", BODY + " Also.")
    spec(tmp_path / "other.md", "k8s", "Helm and kubernetes", "helm upgrade --install, once")
    return tmp_path


def test_copies_show_as_one_hit(tmp_path: Path, backend: str) -> None:
    root = copies(tmp_path)
    code, out, err = run("query", "helm", str(root), "--backend", backend)
    assert code == 0, err
    heads = [line for line in out.splitlines() if not line.startswith(" ")]
    assert len(heads) == 2
    assert heads[0].endswith("(+2 copies)")
    code, out, _ = run("query", "helm", str(root), "--backend", backend, "--json")
    hits = json.loads(out)["hits"]
    assert len(hits) == 2
    helm = {str(root / d / "helm.md") for d in ("one", "two", "three")}
    assert {c["path"] for c in hits[0]["copies"]} == helm - {hits[0]["path"]}
    assert all(c["similarity"] >= dedup.THRESHOLD for c in hits[0]["copies"])
    assert hits[1]["copies"] == []
    _, out, _ = run("query", "helm", str(root), "--backend", backend, "--all", "-l")
    assert len(out.splitlines()) == 4


def test_both_engines_give_the_same_groups(tmp_path: Path) -> None:
    root = copies(tmp_path)
    answers = [
        json.loads(run("dups", str(root), "--json", "--backend", b)[1])
        for b in ("native", "python")
    ]
    assert answers[0] == answers[1]


def test_dups_lists_groups_with_similarity(tmp_path: Path) -> None:
    root = copies(tmp_path)
    code, out, err = run("dups", str(root), "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["threshold"] == dedup.THRESHOLD
    (group,) = doc["groups"]
    assert [m["path"] for m in group] == [
        str(root / d / "helm.md") for d in ("one", "three", "two")
    ]
    assert group[0]["similarity"] == 1.0
    assert doc["files"] == 3
    code, out, err = run("dups", str(root))
    assert out.startswith("3 copies of helm-chart-scaffolding")
    assert "1 group(s) of near-duplicates, 3 files, among 4 specs" in err
    (root / "two" / "helm.md").unlink()
    (root / "three" / "helm.md").unlink()
    assert run("dups", str(root))[0] == 1


def test_same_name_and_description_is_the_same_spec(tmp_path: Path) -> None:
    """A spec republished with its body rewritten (translated, say) is one spec."""
    spec(tmp_path / "en" / "helm.md", "helm-chart", "Scaffold Helm charts", BODY)
    spec(tmp_path / "cn" / "helm.md", "helm-chart", "Scaffold  helm charts", "创建 Helm chart")
    spec(tmp_path / "other" / "helm.md", "helm-chart", "Something else with Helm", "helm")
    _, out, _ = run("query", "helm", str(tmp_path), "--json")
    hits = json.loads(out)["hits"]
    assert len(hits) == 2
    grouped = next(h for h in hits if h["copies"])
    (copy,) = grouped["copies"]
    assert {grouped["path"], copy["path"]} == {
        str(tmp_path / "en" / "helm.md"),
        str(tmp_path / "cn" / "helm.md"),
    }
    assert copy["similarity"] < dedup.THRESHOLD  # joined by identity, not by text


_SMALL_BIN = st.one_of(st.none(), st.integers(min_value=0, max_value=1))
_PRINT = st.one_of(st.none(), st.lists(_SMALL_BIN, min_size=dedup.BINS, max_size=dedup.BINS))
_KEY = st.one_of(st.none(), st.sampled_from([("a", "x"), ("b", "y"), ("c", "z")]))


@given(
    st.lists(st.tuples(_PRINT, _KEY), max_size=14),
    st.integers(min_value=0, max_value=6),
    st.booleans(),
    st.sampled_from([0.5, 0.8]),
)
def test_a_limit_gives_the_first_groups(
    specs: list[tuple[list[int | None] | None, tuple[str, str] | None]],
    limit: int,
    compare_all: bool,
    threshold: float,
) -> None:
    """``limit=n`` is ``[:n]`` of the whole grouping: members, order, similarity."""
    prints = [None if fp is None else tuple(fp) for fp, _ in specs]
    keys = [key for _, key in specs]
    whole = dedup.group(prints, keys=keys, threshold=threshold, compare_all=compare_all)
    first = dedup.group(
        prints, keys=keys, threshold=threshold, compare_all=compare_all, limit=limit
    )
    assert first == whole[:limit]


def test_a_limit_keeps_a_left_out_groups_name_and_description() -> None:
    """A copy of the first spec by its text that shares its name and description
    with a spec left out belongs with that spec, so it is left out too."""
    a = dedup.fingerprint(BODY.encode())
    other = dedup.fingerprint(b"kubernetes operators reconcile custom resources in loops")
    prints = [a, other, a]
    keys = [("helm", "charts"), ("k8s", "ops"), ("k8s", "ops")]
    whole = dedup.group(prints, keys=keys, compare_all=True)
    assert [g.members for g in whole] == [(0,), (1, 2)]
    assert dedup.group(prints, keys=keys, compare_all=True, limit=1) == whole[:1]
