"""Rank: each `Ranker` takes the fused ranking and returns a ranking, in the Searcher's order.

A ranker sees everything the stages before it made: the question (its plan and topic), the scope
(the reports allowed), what was retrieved (every list, the question's embedding, the lexical
expression) and the ranking so far, whose every candidate carries its fused score and each
list's rank and own score (`Ranking.signals`). It returns a Ranking; arrange.py uses its order.

The Searcher's rankers are, in order, `FeedbackRanker`, `ConceptRanker` and the learned
`rerank.LearnedRanker` (its model read on first use).

FeedbackRanker reads: feedback_weight, feedback_passages, feedback_terms, feedback_max_share, rrf_k.
ConceptRanker reads: concepts, concept_weight, rrf_k.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

import numpy as np

from index.concepts import Concept
from index.search.fuse import fuse_lists
from index.search.types import CONCEPTS, FEEDBACK, Context, Question, RankedList, Ranking, Retrieved, Scope
from index.thesaurus import stem as porter  # FTS5's stemmer, each word's stem remembered
from index.tokenize import PASSAGES_REMEMBERED, STOPWORDS, fts_any, words


class Ranker(Protocol):
    """A step between fusion and arrangement that may re-order, re-score or re-fuse the candidates."""

    def rank(
        self, context: Context, question: Question, scope: Scope, retrieved: Retrieved, ranking: Ranking
    ) -> Ranking:
        """The ranking after this step.

        Args:
            context: this query's settings and index (passages by id: context.corpus.chunks).
            question: the question: text, plan, topic, k, retriever.
            scope: the reports allowed (None: all), the named years' reports, the section kind.
            retrieved: the retrieval lists, the question's embedding (`vector`) and lexical `match`.
            ranking: the ranking so far.

        Returns:
            A Ranking (the same one when this step changes nothing).
        """
        ...


class FeedbackRanker:
    """Pseudo-relevance feedback (RM3-like): one more lexical list, of the question's terms and the
    words the best passages share, fused in with the others.

    Users ask in everyday words; the passages that answer share the reports' own terms
    ("workloads", "caseloads"), which this finds from the first answers.
    """

    def rank(
        self, context: Context, question: Question, scope: Scope, retrieved: Retrieved, ranking: Ranking
    ) -> Ranking:
        """The ranking re-fused with the feedback list (unchanged without a lexical query, for the
        dense retriever, with feedback_weight 0, or when no word qualifies)."""
        settings = context.settings
        if not settings.feedback_weight or question.retriever == "dense" or retrieved.match is None:
            return ranking
        again = feedback_list(context, ranking.ids[:settings.feedback_passages], question.topic, retrieved.match,
                              scope.allowed, question.candidates, scope.kind)
        if not again:
            return ranking
        extra = RankedList(FEEDBACK, settings.feedback_weight, tuple(again))
        return fuse_lists((*ranking.lists, extra), settings.rrf_k)


def feedback_list(
    context: Context, top: Sequence[int], topic: str, match: str, allowed: Sequence[int] | None, n: int,
    kind: str | None = None,
) -> list[tuple[int, float]]:
    """A lexical ranking of the question's terms plus the words its best passages share.

    Each word of the top passages scores its share of each passage, weighted by the passage's
    rank and by the word's rarity; the best few that the question lacks join the question's own
    terms (`match`, as the first lexical list searched them, within its postings budget).

    Args:
        context: settings and index.
        top: the first ranking's best passage ids (feedback_passages of them), best first.
        topic: the words searched; their stems are not added again.
        match: the first lexical list's FTS5 expression.
        allowed: the reports allowed (None: all).
        n: passages to return.
        kind: a section kind to keep to.

    Returns:
        [(chunk id, -bm25)] best first; [] with fewer than 3 passages to learn from, or no new word.
    """
    settings, corpus = context.settings, context.corpus
    if len(top) < 3:
        return []
    rows = corpus.chunks(top)
    n_chunks = corpus.chunk_count()
    asked = {porter(w) for w in words(topic)}
    passages = [_feedback_words(rows[cid].text if cid in rows else "") for cid in top]
    vocabulary = corpus.stem_counts({root for _, _, roots in passages for root in roots.values()})
    scores: dict[str, float] = {}
    shown: dict[str, str] = {}
    for position, (length, counts, roots) in enumerate(passages):
        if not length:
            continue
        weight = 1.0 / (position + 1)
        for word, count in counts.items():  # in passage order: the same words, ties and results every run
            root = roots[word]
            df = vocabulary.get(root, 0)
            if root in asked or df < 2 or df > max(settings.feedback_max_share * n_chunks, 3):
                continue
            share = count / length
            scores[root] = scores.get(root, 0.0) + weight * share * np.log(n_chunks / df)
            shown.setdefault(root, word)
    best = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[: settings.feedback_terms]
    chosen = [shown[root] for root, _ in best]
    if not chosen:
        return []
    # The new words are each in a few passages only: about the cost of the first list again.
    return corpus.lexical_search(f"{match} OR {fts_any(chosen)}", n, allowed, kind)


@lru_cache(maxsize=PASSAGES_REMEMBERED)  # the same passages lead the rankings of many questions
def _feedback_words(text: str) -> tuple[int, dict[str, int], dict[str, str]]:
    """A passage's words that may be fed back (no stopwords, digits or words under 3 letters): how
    many, each one's count (in order of first use) and each one's Porter stem."""
    tokens = [w for w in words(text) if len(w) > 2 and not w.isdigit() and w not in STOPWORDS]
    counts = dict(Counter(tokens))
    return len(tokens), counts, {w: porter(w) for w in counts}


MAX_CONCEPT_TERMS = 24  # sector terms searched for the concepts of one question


def concepts_terms(concepts: Sequence[Concept]) -> list[str]:
    """The concepts' sector terms as the concepts' list searches them (lower case, words only), once each."""
    return [t for t in dict.fromkeys(" ".join(words(term)) for c in concepts for term in c.sector_terms) if t]


class ConceptRanker:
    """The reports' own terms for the concepts a question names in everyday words ("living with
    grandparents": kinship care, connected carers), as one more lexical list at `concept_weight`,
    below the question's own words; the question itself is never rewritten."""

    def rank(
        self, context: Context, question: Question, scope: Scope, retrieved: Retrieved, ranking: Ranking
    ) -> Ranking:
        """The ranking re-fused with the concepts' list (unchanged without named concepts, for a
        single retriever, or with concept_weight 0)."""
        settings = context.settings
        if not (settings.concepts and settings.concept_weight and retrieved.concepts and retrieved.match
                and question.retriever == "hybrid"):
            return ranking
        asked = " " + " ".join(words(question.topic)) + " "
        terms = [t for t in concepts_terms(retrieved.concepts) if f" {t} " not in asked][:MAX_CONCEPT_TERMS]
        if not terms:
            return ranking
        found = context.corpus.lexical_search(fts_any(terms), question.candidates, scope.allowed, scope.kind)
        if not found:
            return ranking
        return fuse_lists((*ranking.lists, RankedList(CONCEPTS, settings.concept_weight, tuple(found))), settings.rrf_k)
