"""Arrange: the final ranking becomes the passages to present (`Arranged`), in order.

Three steps, as a reader wants the list: for a question naming several authorities, their passages
alternate at the top; else no report holds more than per_report of the top places (its further
passages move down); then the ranking is walked, folding passages that repeat one already kept
(boilerplate across reports) into it, until k are kept.

Settings read: per_report, candidates, near_duplicate.
"""

from __future__ import annotations

from index.search.corpus import CorpusView
from index.search.types import Arranged, Context, Kept, Question, Ranking, Scope
from index.tokenize import words

Pairs = list[tuple[int, float]]
INTERLEAVED = 400  # the top places whose authorities alternate


def arrange(context: Context, question: Question, scope: Scope, ranking: Ranking) -> Arranged:
    """At most k passages of the ranking, spread over reports and without near-duplicates.

    Args:
        context: this query's settings and index.
        question: the question (k, its plan's authorities, the authority filter).
        scope: the reports allowed.
        ranking: the final ranking.

    Returns:
        The passages kept, best first, each with its score and the near-duplicates folded into it.
    """
    settings, corpus, plan = context.settings, context.corpus, question.plan
    ranked = list(ranking.items)
    if len(plan.authorities) > 1 and plan.region is None and not question.filters.authorities:
        ranked = interleave_authorities(corpus, ranked)
    elif settings.per_report and (scope.allowed is None or len(scope.allowed) > 1):
        ranked = spread_reports(corpus, ranked, settings.per_report, settings.candidates)
    return Arranged(tuple(collapse(corpus, ranked, question.k, settings.near_duplicate)))


def interleave_authorities(corpus: CorpusView, ranked: Pairs) -> Pairs:
    """Alternate authorities at the top of the ranking, for questions that compare them."""
    head = ranked[:INTERLEAVED]
    docs = corpus.documents()
    queues: dict[str, Pairs] = {}
    for (cid, score), doc_id in zip(head, corpus.documents_of([cid for cid, _ in head]), strict=True):
        key = docs[doc_id].authority_key if doc_id in docs else None
        queues.setdefault(key or "", []).append((cid, score))
    out: Pairs = []
    while any(queues.values()):
        for queue in queues.values():
            if queue:
                out.append(queue.pop(0))
    return out + ranked[INTERLEAVED:]


def spread_reports(corpus: CorpusView, ranked: Pairs, cap: int, depth: int) -> Pairs:
    """Let no report hold more than `cap` of the top `depth` places; its further passages move down.

    A question across the corpus is best answered by several reports, not one report's
    neighbouring paragraphs (they stay reachable just below).
    """
    head = ranked[:depth]
    count: dict[int, int] = {}
    top, deferred = [], []
    for (cid, score), doc in zip(head, corpus.documents_of([cid for cid, _ in head]), strict=True):
        count[doc] = count.get(doc, 0) + 1
        (top if count[doc] <= cap else deferred).append((cid, score))
    return top + deferred + ranked[depth:]


def collapse(corpus: CorpusView, ranked: Pairs, k: int, near_duplicate: float) -> list[Kept]:
    """Walk the ranking, folding passages that repeat one already kept, until k are kept.

    Two passages are the same text when their embedded text is identical, or their word trigrams'
    Jaccard similarity is at least `near_duplicate`. A passage deleted since the ranking was made
    is skipped; passages are read in batches, a few times k at once.
    """
    kept: list[Kept] = []
    shingles: list[set[tuple[str, ...]]] = []
    hashes: dict[str, int] = {}
    position = 0
    batch = max(3 * k, 30)
    while len(kept) < k and position < len(ranked):
        part = ranked[position : position + batch]
        position += batch
        rows = corpus.chunks([cid for cid, _ in part])
        for cid, score in part:
            row = rows.get(cid)
            if row is None:  # deleted since the vector index was loaded
                continue
            same = hashes.get(row.embed_hash)
            if same is None:
                grams = trigrams(row.text)
                same = next((i for i, g in enumerate(shingles) if similar(grams, g, near_duplicate)), None)
            else:
                grams = set()
            if same is not None:
                first = kept[same]
                kept[same] = Kept(first.row, first.score, first.duplicates + 1)
                continue
            if len(kept) >= k:
                break
            hashes[row.embed_hash] = len(kept)
            shingles.append(grams)
            kept.append(Kept(row, score))
    return kept


def trigrams(text: str) -> set[tuple[str, ...]]:
    """The text's word trigrams."""
    tokens = words(text)
    return {tuple(tokens[i : i + 3]) for i in range(max(0, len(tokens) - 2))}


def similar(a: set, b: set, threshold: float) -> bool:
    """jaccard(a, b) >= threshold, without comparing sets whose sizes already rule it out (the
    Jaccard similarity is at most the smaller size over the larger: most pairs stop there)."""
    small, large = sorted((len(a), len(b)))
    if not small or small / large < threshold:  # divided as jaccard divides: the same rounding
        return False
    return jaccard(a, b) >= threshold


def jaccard(a: set, b: set) -> float:
    """|a & b| / |a | b| (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
