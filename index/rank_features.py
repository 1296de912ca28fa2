"""Features of fused candidates for the learned ranking stage: what the retrievers said of each
passage, and how well its words and sentences cover the question's.

Query-independent in the learning-to-rank sense: every feature is a number that means the same for
any question (a rank, a cosine, a share of the question's IDF weight), so one model serves all
questions. Cheap: no model call; the passages' texts are already read for the answer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain

import numpy as np

from index.passage_words import Sentences, sentence_words
from index.tokenize import PASSAGES_REMEMBERED, adjacent_pairs, holds_phrase, stem, stems, text_stems, words

# The fusion lists a candidate may come from (index/search: the retrieve and feedback stages name
# theirs so). A list the question did not run gives every candidate rank 0 ("not in it").
LIST_NAMES = ("dense", "lexical", "year_dense", "year_lexical", "area_dense", "area_lexical", "summaries",
              "feedback", "concepts")
# Lists whose own score is a feature beside the rank: the cosine and the BM25 value.
SCORED_LISTS = ("dense", "lexical", "feedback")


@dataclass(frozen=True)
class CandidatePassage:
    """One fused candidate, with what the stages before ranking know of it."""

    chunk_id: int
    text: str
    fused_rank: int  # 1-based
    fused_score: float
    list_ranks: Mapping[str, int]  # list name -> 1-based rank there (absent: not in that list)
    list_scores: Mapping[str, float]  # list name -> that list's own score (cosine, BM25)
    cosine: float  # question and passage embeddings
    kind: str = "findings"  # section kind: findings or recommendations
    is_summary: bool = False  # one of the report's summary passages
    in_area: bool = False  # in the sections on the judgement area the question is about
    page: int = 1
    report_year: int | None = None
    latest_of_authority: bool = False  # the newest inspection report of its authority
    concept_terms: int = 0  # sector terms of concepts the question names, found in the passage
    doc_id: int = -1  # its report (for labelling in training; not a feature)
    # Its stemmed words by sentence (passage_words.sentence_words), when the index has them saved.
    sentences: Sentences | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class QuestionFacts:
    """What the features need of the question: its terms with their IDF weights, and its reading."""

    topic: str
    term_weights: Mapping[str, float]  # query term (word or phrase) -> IDF weight
    years: Sequence[int] = field(default_factory=tuple)  # years it favours
    authorities: int = 0  # authorities it names
    compares: bool = False
    has_area: bool = False  # about one judgement area
    concepts: int = 0  # concepts of the vocabulary it names
    asks_recommendations: bool = False  # asks what must improve ("recommendations", "areas for improvement")


FEATURE_NAMES: tuple[str, ...] = (
    "fused_rank_inv", "fused_score_rel",
    *(f"rr_{name}" for name in LIST_NAMES),
    *(f"score_{name}_rel" for name in SCORED_LISTS),
    "cosine", "cosine_gap",
    "cover_idf", "cover_terms", "cover_best_sentence", "best_sentence_share", "pair_share",
    "is_recommendations", "is_summary", "in_area", "log_words", "log_page",
    "year_gap", "latest_of_authority",
    "q_terms", "q_authorities", "q_compares", "q_years", "q_area",
    "concept_terms", "q_concepts", "q_asks_recommendations",
)


def _term_stems(term: str) -> tuple[str, ...]:
    return tuple(stems(words(term)))


# For an index without its passages' words saved (index/passage_words.py), computed and remembered:
# the same passages are candidates of question after question. The stems are the shared strings of
# tokenize.stems, so remembered passages hold pointers, not copies.
_sentences = lru_cache(maxsize=PASSAGES_REMEMBERED)(sentence_words)


def passage_stems(text: str, sentences: Sentences | None = None) -> tuple[str, ...]:
    """The passage's stemmed words in order, as index.tokenize.text_stems reads them, joined from
    its sentences (given, or computed): the learned stage then tokenises each candidate once, not twice."""
    if len(text.lower()) != len(text):  # lowering moved the sentences' offsets: read it afresh
        return text_stems(text)
    return tuple(chain.from_iterable(_sentences(text) if sentences is None else sentences))


def features(question: QuestionFacts, candidates: Sequence[CandidatePassage]) -> np.ndarray:
    """The feature matrix, one row per candidate in the given order, columns as FEATURE_NAMES.

    Args:
        question: the question's terms and reading.
        candidates: the fused candidates (any order; ranks travel with them).

    Returns:
        A float32 array of shape (len(candidates), len(FEATURE_NAMES)); never NaN.
    """
    terms = [(s, w) for t, w in question.term_weights.items() if (s := _term_stems(t))]
    total = sum(w for _, w in terms) or 1.0
    pairs = [tuple(stem(w) for w in p.split()) for p in adjacent_pairs(question.topic)]
    firsts = {s[0] for s, _ in terms} | {p[0] for p in pairs}
    best_fused = max((c.fused_score for c in candidates), default=0.0) or 1.0
    best_cosine = max((c.cosine for c in candidates), default=0.0)
    best_list = {name: max((c.list_scores.get(name, 0.0) for c in candidates), default=0.0)
                 for name in SCORED_LISTS}
    rows = np.zeros((len(candidates), len(FEATURE_NAMES)), dtype=np.float32)
    for i, c in enumerate(candidates):
        sentences = _sentences(c.text) if c.sentences is None else c.sentences
        n_words = sum(len(t) for t in sentences)
        found: dict[tuple[str, ...], float] = {}
        pairs_found: set[int] = set()
        best_sentence, best_words = 0.0, 0
        for tokens in sentences:
            present = firsts.intersection(tokens)
            if not present:
                continue
            # A term is looked for only where its first word stands (a set lookup, not a scan).
            here = [(phrase, weight) for phrase, weight in terms
                    if phrase[0] in present and (len(phrase) == 1 or holds_phrase(tokens, phrase))]
            found.update(here)
            covered = sum(w for _, w in here)
            if covered > best_sentence:
                best_sentence, best_words = covered, len(tokens)
            # A phrase across a sentence end is no phrase: pairs are looked for within sentences too.
            pairs_found.update(j for j, p in enumerate(pairs)
                               if j not in pairs_found and p[0] in present and holds_phrase(tokens, p))
        pair_hits = len(pairs_found)
        if question.years and c.report_year is not None:
            year_gap = min(abs(c.report_year - y) for y in question.years)
        else:
            year_gap = -1.0
        rows[i] = [
            1.0 / c.fused_rank, c.fused_score / best_fused,
            *(1.0 / c.list_ranks[name] if name in c.list_ranks else 0.0 for name in LIST_NAMES),
            *(_relative(c.list_scores.get(name), best_list[name]) for name in SCORED_LISTS),
            c.cosine, c.cosine - best_cosine,
            sum(found.values()) / total, len(found) / max(1, len(terms)), best_sentence / total,
            best_words / max(1, n_words),
            pair_hits / len(pairs) if pairs else 0.0,
            float(c.kind == "recommendations"), float(c.is_summary), float(c.in_area),
            math.log1p(n_words), math.log(max(1, c.page)),
            year_gap, float(c.latest_of_authority),
            float(len(terms)), float(question.authorities), float(question.compares), float(len(question.years)),
            float(question.has_area),
            float(c.concept_terms), float(question.concepts), float(question.asks_recommendations),
        ]
    return rows


def _relative(score: float | None, best: float) -> float:
    """A list's score as a share of the best candidate's in that list (0 when not in it)."""
    if score is None or best <= 0:
        return 0.0
    return score / best
