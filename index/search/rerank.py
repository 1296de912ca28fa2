"""Rank, learned: re-order the fused candidates with a model trained on judged answers.

Fusion adds up ranks; it cannot tell that a passage whose one sentence holds every rare word of the
question answers it better than a passage that matches loosely in two lists. This ranker computes,
for the fused top `rerank_depth` candidates, what each list said of them and how well their words
and sentences cover the question (index/rank_features.py), and orders them by a LambdaRank tree
ensemble (eval/train_ranker.py trains it; index/tree_model.py evaluates it with numpy, no LightGBM
or torch at query time). Candidates below the depth keep their order after those above it.

A hybrid search only: a single retriever is what it says. Without its model file the step is
skipped with one log line, and fusion's order stands.

A small index (under `rerank_min_passages`) keeps fusion's order: the model learned what its features
mean over the whole corpus.

Settings read: rerank_model, rerank_depth, rerank_min_passages, area_with_summary.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import numpy as np

from index import sorted_ids
from index.concepts import Concept
from index.rank_features import CandidatePassage, QuestionFacts, features, passage_stems
from index.search.types import Context, Question, Ranking, Retrieved, Scope
from index.tokenize import query_terms
from index.tree_model import ModelFileError, TreeEnsemble

log = logging.getLogger(__name__)

# Words that ask for the reports' lists of what must improve (their section kind "recommendations").
ASKS_TO_IMPROVE = re.compile(
    r"\b(?:recommend\w*|improve(?:ments?)?|areas? for (?:improvement|development)|priority actions?"
    r"|what needs to|needs? to (?:do|change|get better)|told to|must (?:do|change)|actions? required)\b", re.I)


class LearnedRanker:
    """Re-orders the top of a fused ranking with a tree ensemble; records candidates for training.

    `recorder`, when set (eval/train_ranker.py), is called once per search with (candidates, feature
    rows), whether or not a model re-orders them.
    """

    def __init__(self) -> None:
        self.recorder: Callable[[tuple[list[CandidatePassage], np.ndarray]], None] | None = None
        self._models: dict[str, TreeEnsemble | None] = {}

    def model(self, path: str | None) -> TreeEnsemble | None:
        """The model at `path`, read once; None (and one log line) when it is missing or unreadable."""
        if path is None:
            return None
        if path not in self._models:
            try:
                self._models[path] = TreeEnsemble.load(path)
            except (OSError, ModelFileError) as error:
                log.warning("learned ranking stage off, fusion's order kept: %s", error)
                self._models[path] = None
        return self._models[path]

    def rank(
        self, context: Context, question: Question, scope: Scope, retrieved: Retrieved, ranking: Ranking
    ) -> Ranking:
        """The ranking with its top `rerank_depth` re-ordered by the model's scores (unchanged when
        there is no model, for a single retriever, or without the question's embedding)."""
        settings = context.settings
        model = self.model(settings.rerank_model)
        if (model is None and self.recorder is None) or question.retriever != "hybrid" \
                or retrieved.vector is None or not ranking.items \
                or context.corpus.chunk_count() < settings.rerank_min_passages:
            return ranking
        head = ranking.items[:settings.rerank_depth]
        candidates = self._candidates(context, question, retrieved, ranking, [cid for cid, _ in head])
        rows = features(self._question_facts(context, question, retrieved), candidates)
        if self.recorder is not None:
            self.recorder((candidates, rows))
        if model is None:
            return ranking
        predicted = model.predict(rows)
        order = np.argsort(-predicted, kind="stable")  # ties keep fusion's order
        items = tuple((head[i][0], float(predicted[i])) for i in order) + ranking.items[len(head):]
        return Ranking(items=items, lists=ranking.lists, fused=ranking.fused)

    @staticmethod
    def _question_facts(context: Context, question: Question, retrieved: Retrieved) -> QuestionFacts:
        plan, filters = question.plan, question.filters
        named = len(filters.authorities) or (len(plan.authorities) if plan.region is None else 0)
        years = tuple(plan.years) if filters.year_from is None else (filters.year_from,)
        return QuestionFacts(
            topic=question.topic, term_weights=context.corpus.term_weights(query_terms(question.topic)),
            years=years, authorities=named, compares=plan.compares, has_area=plan.judgement_area is not None,
            concepts=len(retrieved.concepts), asks_recommendations=bool(ASKS_TO_IMPROVE.search(question.topic)),
        )

    @staticmethod
    def _candidates(context: Context, question: Question, retrieved: Retrieved, ranking: Ranking,
                    ids: list[int]) -> list[CandidatePassage]:
        corpus, settings, plan = context.corpus, context.settings, question.plan
        rows = corpus.chunks(ids)
        docs = corpus.documents()
        cosines = corpus.vectors_of(ids) @ retrieved.vector if ids else np.zeros(0)
        _, is_summary = sorted_ids.find(corpus.summary_ids(), ids)  # ascending: each candidate looked up
        summaries = {cid for cid, found in zip(ids, is_summary.tolist(), strict=True) if found}
        area = plan.judgement_area if plan.judgement_area and not plan.compares else None
        in_area = corpus.area_chunks(area, settings.area_with_summary) if area else set()
        latest = corpus.latest_documents()
        concepts: tuple[Concept, ...] = retrieved.concepts
        vocabulary = corpus.concepts() if concepts else None
        split = corpus.sentences_of(ids)  # saved at ingest; else each passage is split here
        out = []
        for position, ((cid, fused), cosine) in enumerate(zip(ranking.items, cosines, strict=False), start=1):
            row = rows.get(cid)
            doc = docs.get(row.doc_id) if row else None
            date = (doc.published or doc.inspection_end or doc.inspection_start or "") if doc else ""
            text = row.text if row else ""
            signals = ranking.signals(cid)
            sentences = split.get(cid)
            out.append(CandidatePassage(
                chunk_id=cid, text=text, fused_rank=position, fused_score=fused,
                list_ranks={name: s.rank for name, s in signals.items()},
                list_scores={name: s.score for name, s in signals.items()},
                cosine=float(cosine), kind=row.kind if row else "findings", is_summary=cid in summaries,
                in_area=cid in in_area, page=row.page_start if row else 1,
                report_year=int(date[:4]) if date[:4].isdigit() else None,
                latest_of_authority=doc is not None and doc.id in latest,
                concept_terms=vocabulary.sector_terms_in(list(concepts), passage_stems(text, sentences))
                if vocabulary else 0,
                doc_id=row.doc_id if row else -1, sentences=sentences,
            ))
        return out
