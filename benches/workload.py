"""The query sets every suite runs, the same for every engine.

The words come from the head of the generated corpora's vocabulary (the real
corpus's commonest words, ``benches/gen_corpus.py``), so each query has hits
at every size from 1 MB up, common and rarer words mixed.
"""

from __future__ import annotations

import itertools

__all__ = ["BATCH", "CLI_WORDS", "KINDS", "MIXED", "batch_queries", "distinct_batch_queries"]

#: (kind, query): single terms, 2-3 term OR, AND, phrases, field filters.
MIXED: tuple[tuple[str, str], ...] = (
    ("term", "concurrency"),
    ("term", "kubernetes"),
    ("term", "terraform"),
    ("term", "security"),
    ("term", "agent"),
    ("term", "accessibility"),
    ("term", "graphql"),
    ("term", "microservices"),
    ("or", "structured concurrency"),
    ("or", "code review"),
    ("or", "docker compose"),
    ("or", "database migration"),
    ("or", "prompt engineering"),
    ("or", "react hooks performance"),
    ("or", "sql injection prevention"),
    ("or", "rust ownership borrow"),
    ("or", "machine learning pipeline"),
    ("and", "python AND asyncio"),
    ("and", "kubernetes AND operator"),
    ("and", "test AND automation"),
    ("and", "security AND audit AND compliance"),
    ("phrase", '"code review"'),
    ("phrase", '"use this agent"'),
    ("phrase", '"need to"'),
    ("phrase", '"error handling"'),
    ("field", "model:opus"),
    ("field", "model:sonnet testing"),
    ("field", "name:reviewer"),
    ("field", "description:security"),
    ("field", "tools:bash"),
)

KINDS: tuple[str, ...] = ("term", "or", "and", "phrase", "field")

#: The batched set's distinct queries: bare words (OR), which every engine,
#: bm25s included, runs with the same meaning.
BATCH: tuple[str, ...] = tuple(q for kind, q in MIXED if kind in {"term", "or"})

#: Words for the CLI case (``specsearch query WORD`` against ``rg -il WORD``).
CLI_WORDS: tuple[str, ...] = ("concurrency", "kubernetes", "terraform")


def batch_queries(n: int) -> list[str]:
    """``n`` queries cycling through :data:`BATCH`.

    >>> batch_queries(3)
    ['concurrency', 'kubernetes', 'terraform']
    """
    return [BATCH[i % len(BATCH)] for i in range(n)]


def distinct_batch_queries(n: int) -> list[str]:
    """``n`` distinct OR queries: pairs, then triples, of the words of :data:`BATCH`.

    A batch of :func:`batch_queries` repeats a few queries, which an engine
    may answer once each; here no query repeats, so each is searched.

    >>> distinct_batch_queries(2)
    ['concurrency kubernetes', 'concurrency terraform']
    >>> len(set(distinct_batch_queries(1000)))
    1000
    """
    words = list(dict.fromkeys(w for q in BATCH for w in q.split()))
    combos = itertools.chain(itertools.combinations(words, 2), itertools.combinations(words, 3))
    out = [" ".join(c) for c in itertools.islice(combos, n)]
    if len(out) < n:
        raise ValueError(f"only {len(out)} distinct queries, {n} asked for")
    return out
