"""The learned ranking stage: re-order the fused candidates with a model trained on judged answers.

Fusion adds up ranks; it cannot tell that a passage whose one sentence holds every rare word of the
question answers it better than a passage that matches loosely in two lists. The stage computes, for
the fused top `rerank_depth` candidates, what each retriever said of them and how well their words
and sentences cover the question (index/rank_features.py), and orders them by a LambdaRank tree
ensemble (eval/train_ranker.py trains it; index/tree_model.py evaluates it with numpy). Candidates
below the depth keep their fused order after those above it.

Without its model file the stage is skipped with one log line, and fusion's order stands.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.concepts import Concept, ConceptVocabulary
from index.rank_features import CandidatePassage, QuestionFacts, features
from index.tree_model import ModelFileError, TreeEnsemble

log = logging.getLogger(__name__)

DEFAULT_MODEL = Path(__file__).resolve().parent / "models" / "ranker.json"


@dataclass(frozen=True)
class RerankInput:
    """What the stage needs of one search: the question's reading and the fused ranking."""

    question: QuestionFacts
    ranked: Sequence[tuple[int, float]]  # fused (chunk id, score), best first
    lists: Mapping[str, Sequence[tuple[int, float]]]  # each fused list by name (rank_features.LIST_NAMES)
    concepts: Sequence[Concept] = field(default_factory=tuple)


@dataclass(frozen=True)
class PassageFacts:
    """What the stage reads of one candidate passage from the index."""

    chunk_id: int
    doc_id: int
    text: str
    kind: str
    page: int
    cosine: float
    is_summary: bool
    in_area: bool
    report_year: int | None
    latest_of_authority: bool


class LearnedRanker:
    """Re-orders the top of a fused ranking with a tree ensemble; records candidates for training.

    Args:
        read_passages: chunk ids -> their PassageFacts (texts, cosines, report facts), in that order.
        vocabulary: the concept vocabulary, for the concept features (None: no concepts).
    """

    def __init__(self, read_passages: Callable[[list[int]], list[PassageFacts]],
                 vocabulary: ConceptVocabulary | None = None) -> None:
        self.read_passages = read_passages
        self.vocabulary = vocabulary
        # Training (eval/train_ranker.py) sets this: called with (candidates, feature rows) per search.
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

    def rerank(self, given: RerankInput, model_path: str | None, depth: int) -> list[tuple[int, float]]:
        """The ranking with its top `depth` candidates re-ordered by the model's scores.

        Returns the fused ranking unchanged when there is no model (and nothing records).
        """
        model = self.model(model_path)
        if (model is None and self.recorder is None) or not given.ranked:
            return list(given.ranked)
        head = list(given.ranked[:depth])
        facts = self.read_passages([cid for cid, _ in head])
        ranks = {name: {cid: r for r, (cid, _) in enumerate(items, start=1)} for name, items in given.lists.items()}
        scores = {name: dict(items) for name, items in given.lists.items()}
        candidates = []
        for position, ((cid, fused), fact) in enumerate(zip(head, facts, strict=True), start=1):
            concept_terms = 0
            if given.concepts and self.vocabulary is not None:
                concept_terms = self.vocabulary.sector_terms_in(list(given.concepts), _stems(fact.text))
            candidates.append(CandidatePassage(
                chunk_id=cid, doc_id=fact.doc_id, text=fact.text, fused_rank=position, fused_score=fused,
                list_ranks={n: r[cid] for n, r in ranks.items() if cid in r},
                list_scores={n: s[cid] for n, s in scores.items() if cid in s},
                cosine=fact.cosine, kind=fact.kind, is_summary=fact.is_summary, in_area=fact.in_area,
                page=fact.page, report_year=fact.report_year, latest_of_authority=fact.latest_of_authority,
                concept_terms=concept_terms,
            ))
        rows = features(given.question, candidates)
        if self.recorder is not None:
            self.recorder((candidates, rows))
        if model is None:
            return list(given.ranked)
        predicted = model.predict(rows)
        order = np.argsort(-predicted, kind="stable")  # ties keep fusion's order
        return [(head[i][0], float(predicted[i])) for i in order] + list(given.ranked[depth:])


def _stems(text: str) -> list[str]:
    from index.tokenize import stem, words

    return [stem(w) for w in words(text)]
