"""Time hostile queries of at most 10,000 characters over the real corpora; report figures.

    uv run python -m benches.hostile [--corpus DIR] [--engines native,python] [--no-cli]

Each query of :func:`hostile_queries` (repeated fuzzy and prefix words, many
distinct ones under the expansion budget, long phrases, deep nesting, long
OR / AND lists of the corpus's most frequent words, field filters, and the
10,000-character worst case of each) is run through the API
(``Index.search`` top 10, then the snippets of those hits) and through the CLI
(``specsearch query ... -k 10``, a new process each time, its start-up
included), on an index built beforehand in a temporary folder. The CLI runs
the native engine only. Prints one line per query and engine: its length,
the outcome (hits, or the query error), the wall seconds and the CPU seconds
(the process's, or the CLI child's: a fairer figure on a loaded machine); the
slowest last.
Figures are reported, never asserted (SPEC.md §5, "Cost"; README, "Limits").
"""

from __future__ import annotations

import argparse
import collections
import itertools
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.conftest import corpora_dir

from specsearch.engine import Index
from specsearch.errors import QueryError

#: The longest query timed here, in characters.
MAX_CHARS = 10_000


def _fill(unit: str, limit: int = MAX_CHARS) -> str:
    """``unit`` repeated as often as fits in ``limit`` characters."""
    return (unit * (limit // len(unit))).rstrip()


def _join(words: list[str], limit: int = MAX_CHARS, sep: str = " ") -> str:
    """As many of ``words`` as fit in ``limit`` characters, joined by ``sep``."""
    out: list[str] = []
    size = 0
    for word in words:
        extra = len(word) + (len(sep) if out else 0)
        if size + extra > limit:
            break
        out.append(word)
        size += extra
    return sep.join(out)


def frequent_words(corpus: Path, n: int = 4000) -> list[str]:
    """The ``n`` most frequent lower-case words of 3+ letters in the corpus's Markdown files."""
    counts: collections.Counter[str] = collections.Counter()
    for path in sorted(corpus.rglob("*.md")):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        counts.update(re.findall(r"[a-z]{3,}", text.lower()))
    return [word for word, _ in counts.most_common(n)]


def hostile_queries(words: list[str]) -> list[tuple[str, str]]:
    """``(name, query)`` pairs, each of at most :data:`MAX_CHARS` characters."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    pairs = [a + b for a in letters for b in letters]
    triples = [a + b + c for a in "qxzjvk" for b in letters for c in letters]
    long_words = [w for w in words if len(w) >= 9]
    pairs_of = list(itertools.pairwise(words))
    nested = "(" * 32 + " ".join(words[:200]) + ")" * 32
    deep_units = " ".join(
        f"(({w} AND {v}) OR -{u})" for w, v, u in zip(words, words[1:], words[2:], strict=False)
    )
    queries = [
        ("baseline: one word", "concurrency"),
        ("fuzzy a~2 repeated", _fill("a~2 ")),
        ("prefix e* repeated", _fill("e* ")),
        ("fuzzy ~2 of distinct rare 3-letter words", _join([t + "~2" for t in triples])),
        ("fuzzy ~1 of distinct frequent words", _join([w + "~1" for w in words])),
        ("fuzzy ~2 of distinct frequent words", _join([w + "~2" for w in words])),
        ("16 fuzzy ~2 frequent words (the most)", _join([w + "~2" for w in words[:16]])),
        ("16 fuzzy ~2 long words (the most)", _join([w + "~2" for w in long_words[:16]])),
        ("512 prefixes of frequent words (the most)", _join([w + "*" for w in words[:512]])),
        ("64 two-word phrases (the most)", _join([f'"{w} {v}"' for w, v in pairs_of[:64]])),
        ("prefix of distinct 2-letter pairs", _join([p + "*" for p in pairs])),
        ("prefix of distinct rare 3-letter words", _join([t + "*" for t in triples])),
        ("prefix of distinct frequent words", _join([w + "*" for w in words])),
        ("OR of distinct frequent words", _join(words)),
        ("AND of distinct frequent words", _join(words, sep=" AND ")),
        ("must-not of frequent words", _join(["-" + w for w in words])),
        ("must of frequent words", _join(["+" + w for w in words])),
        ("phrase of frequent words", '"' + _join(words, MAX_CHARS - 2) + '"'),
        ("phrase of one word repeated", '"' + _fill("the ", MAX_CHARS - 2) + '"'),
        ("many 2-word phrases", _join([f'"{w} {v}"' for w, v in itertools.pairwise(words)])),
        ("nesting 32 deep", nested),
        ("nested AND/OR groups", _join(deep_units.split(") "), sep=") ")),
        ("field filters on frequent words", _join([f"description:{w}" for w in words])),
        ("frontmatter keys", _join([f"model:{w}" for w in words])),
        ("frontmatter key prefixes", _join([f"tools:{p}*" for p in pairs])),
        ("frontmatter key fuzzy", _join([f"name:{w}~2" for w in words])),
        ("unknown-looking keys repeated", _fill("model:opus ")),
    ]
    return [(name, q) for name, q in queries if len(q) <= MAX_CHARS]


def time_api(index: Index, query: str) -> tuple[str, float, float]:
    """The outcome, wall seconds and CPU seconds of a top-10 search plus its snippets."""
    started, cpu = time.perf_counter(), time.process_time()
    try:
        hits = list(index.search(query, k=10))  # the hits with their snippets
        outcome = f"{len(hits)} hits, {sum(h.snippet is not None for h in hits)} snippets"
    except QueryError as err:
        outcome = f"QueryError: {err}"
    return outcome, time.perf_counter() - started, time.process_time() - cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_cli(corpus: Path, index_dir: Path, query: str) -> tuple[str, float, float]:
    """The exit code, wall seconds and CPU seconds of ``specsearch query`` in a new process."""
    command = [sys.executable, "-m", "specsearch", "query", "-k", "10", "--index", str(index_dir)]
    command += ["--backend", "native", "--", query, str(corpus)]
    started, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run(command, capture_output=True, check=False)
    seconds, cpu = time.perf_counter() - started, _children_cpu() - cpu
    note = done.stderr.decode(errors="replace").strip().splitlines()
    return f"exit {done.returncode}" + (f" ({note[-1][:60]})" if note else ""), seconds, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=corpora_dir())
    parser.add_argument("--engines", default="native,python")
    parser.add_argument("--no-cli", action="store_true", help="time the API only")
    parser.add_argument("--only", default="", help="run the queries whose name holds this")
    args = parser.parse_args()
    if args.corpus is None or not args.corpus.is_dir():
        sys.exit("no corpus: give --corpus or put the corpora in ../shared/corpora")
    words = frequent_words(args.corpus)
    queries = [(n, q) for n, q in hostile_queries(words) if args.only in n]
    rows: list[tuple[float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for engine in args.engines.split(","):
            index_dir = Path(tmp) / engine
            with Index.open([str(args.corpus)], index_dir=str(index_dir), backend=engine) as index:
                index.search("warm up", k=10)
                for name, query in queries:
                    outcome, seconds, cpu = time_api(index, query)
                    line = (
                        f"{engine:6} api {seconds:7.3f} s (cpu {cpu:6.3f} s) {len(query):6} ch"
                        f"  {name}: {outcome}"
                    )
                    print(line, flush=True)
                    rows.append((seconds, line))
            if engine == "native" and not args.no_cli:
                os.environ.setdefault("NO_COLOR", "1")
                time_cli(
                    args.corpus, index_dir, "warm up"
                )  # the CLI's own roots: brought up to date
                for name, query in queries:
                    outcome, seconds, cpu = time_cli(args.corpus, index_dir, query)
                    line = (
                        f"{engine:6} cli {seconds:7.3f} s (cpu {cpu:6.3f} s) {len(query):6} ch"
                        f"  {name}: {outcome}"
                    )
                    print(line, flush=True)
                    rows.append((seconds, line))
    for engine in args.engines.split(","):
        mine = [row for row in rows if row[1].startswith(engine)]
        if mine:
            print(f"slowest ({engine}): {max(mine)[1]}")


if __name__ == "__main__":
    main()
