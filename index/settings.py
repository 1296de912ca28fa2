"""Search settings, each in one place: how many results, and how the Searcher ranks (`SearchSettings`).

The values were set on the development questions (eval/questions.jsonl; eval/RESULTS.md has the
figures). A Searcher takes a `SearchSettings` (default: `SearchSettings()`); to try another value, as
`python -m eval.results --mechanisms` and the tests do, pass `dataclasses.replace(settings, ...)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from index.embed import MINILM_NAME

# The learned ranking stage's model (index/search/rerank.py), trained by eval/train_ranker.py on the dev set.
DEFAULT_RERANK_MODEL = str(Path(__file__).resolve().parent / "models" / "ranker.json")

# Results shown when the caller does not say: by `ofsted-qa ask`, the web app and its API.
DEFAULT_K = 8
MAX_K = 100  # the most results one search returns
YEAR_RANGE = (1990, 2100)  # years a filter or a question may name

# Cosine similarity of question and passage below which a passage that also holds none of the
# question's rarer words is not shown. A similarity scale belongs to one model, so the floor is
# per model (none for any other): set from the dev set with `python -m eval.floor` (eval/RESULTS.md).
RELEVANCE_FLOORS: Mapping[str, float] = MappingProxyType({MINILM_NAME: 0.125})
# The cosine the best passage shown must reach for a search to be said to answer at all (index/closeness.py;
# below it, the closest few are shown as such). The floor above keeps a passage that holds a question's
# rare words, so a question the reports do not answer ("what is the difference between SIF and ILACS?")
# still shows passages that name both, the best at 0.22. On the dev questions over the demo index, every
# question whose gold passage came back had a best passage of 0.317 or more: the floor sits below that.
ANSWER_FLOORS: Mapping[str, float] = MappingProxyType({MINILM_NAME: 0.25})


@dataclass(frozen=True)
class SearchSettings:
    """How the Searcher ranks; the defaults are the product's settings."""

    candidates: int = 100  # per retriever, before fusion
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    # A smaller k than the customary 60 lets each retriever's top ranks count for more; on the dev
    # questions k=10-20 beat 30-100 by 3-6 points of hit@5 (eval/RESULTS.md). (The baseline keeps 60:
    # eval/baseline.py.)
    rrf_k: int = 10
    # At most this many of the top places per report when a search spans several reports (0: no cap).
    per_report: int = 2
    common_share: float = 0.5  # words in more than this share of passages are not searched lexically
    # Rows a lexical query may score (see lexical_match in index/search/retrieve.py): about 100 ms of
    # FTS5 work. On the dev questions over 27k passages it changed nothing (hit@5 0.761, MRR@10 0.569
    # -> 0.573).
    postings_budget: int = 60_000
    # A question naming a year also gets lists restricted to that year's reports, read off first lists
    # deep enough to hold subset_margin times the passages needed at the year's share of the index.
    subset_margin: float = 2.0
    subset_depth: int = 5_000  # deeper than this, a second restricted search is cheaper
    # Questions that compare reports also rank the reports' summary passages: the judgement and its
    # reasons, as each report's first page states them. On the dev questions: compare hit@5 0.45 -> 0.82,
    # all 0.761 -> 0.795 (eval/RESULTS.md); both halves of the set gained alike.
    summary_weight: float = 1.0
    # A search within a few reports (one authority's) also ranks their summaries: what a report says
    # on page one is its own answer to most questions about that authority (0: never).
    summary_for_few: int = 6
    # A question about one judgement area ("care leavers") also ranks the passages of the report
    # sections on that area, as two more fusion lists (dense and lexical, restricted to those sections).
    area_weight: float = 0.5
    # A council named with no period favours its latest report (index/search/scope.py): the favoured
    # lists' weight, relative to the dense and lexical weights, when that default is all that favours
    # (a year or grade the question names favours at full weight). On the dev questions it touches
    # (22 with filters, 25 as text), MRR@10 summed 19.50/22.50 at 0 (no favouring), 19.03/22.03 at 0.25,
    # 18.25/21.25 at 0.5, 18.17/20.00 at 1: their gold is often an older report, so the default only
    # nudges (0.25: about 0.002 of MRR@10 over all 272 questions).
    latest_default_weight: float = 0.25
    area_with_summary: bool = True  # the area's lists include the reports' summaries
    # Pseudo-relevance feedback (RM3-like): the words that the first ranking's best passages share,
    # and the question lacks, searched again with the question's terms as one more lexical list.
    feedback_weight: float = 0.5
    feedback_passages: int = 8
    feedback_terms: int = 8
    feedback_max_share: float = 0.05  # words in more passages than this say little about one answer
    near_duplicate: float = 0.8  # word-trigram Jaccard above which two passages count as the same text
    # The corpus thesaurus (index/thesaurus.py): a question word held by at most `thesaurus_rare` of the
    # passages (10 of the 27,260 of the shared corpus) is also searched as the vocabulary words whose
    # embeddings are at least `thesaurus_similarity` close to its own (None: no thesaurus). A share, not a
    # count: in a small index most words are "rare", and there only a word no passage holds is bridged.
    # 0.82: the lowest cut at which what it proposes is right 4 times in 5 on 276 labelled pairs
    # (eval/thesaurus_labels.jsonl, `python -m eval.thesaurus_pairs score`; at 0.6 it was 0.23).
    thesaurus_similarity: float | None = 0.82
    thesaurus_rare: float = 0.0004
    strip_question_words: bool = True  # names, years and grade words read from a question leave its topic
    reverse_glossary: bool = True  # an acronym's expansion in a question also searches the acronym
    relevance_floors: Mapping[str, float] = field(default_factory=lambda: RELEVANCE_FLOORS)  # model -> cosine floor
    distinctive_idf: float = 3.0  # a question word this rare (in under ~5% of passages), found in a passage, keeps it
    closest_shown: int = 3  # passages shown, as the closest, when none clears the floor
    # The learned ranking stage re-orders the fused top `rerank_depth` with this model (None: fusion's
    # order). A hybrid search only: one retriever alone is what it says.
    rerank_model: str | None = DEFAULT_RERANK_MODEL
    rerank_depth: int = 50
    # The model learned its features' scale on the whole corpus (27,260 passages): in a much smaller
    # index (a handful of reports) relative scores and list ranks mean other things, so it stands aside.
    rerank_min_passages: int = 2_000
    # The concept vocabulary (corpus/concepts.csv): concepts the question names are said in the answer
    # and give the learned stage its concept features.
    concepts: bool = True
    concept_weight: float = 0.3  # their sector terms as one more lexical list, below the question's own
    answer_floors: Mapping[str, float] = field(default_factory=lambda: ANSWER_FLOORS)  # model -> best cosine

    def __post_init__(self) -> None:
        # A dict passed to replace() is copied read-only, so settings stay what they were made as.
        object.__setattr__(self, "relevance_floors", MappingProxyType(dict(self.relevance_floors)))
        object.__setattr__(self, "answer_floors", MappingProxyType(dict(self.answer_floors)))

    def relevance_floor(self, model: str) -> float | None:
        """The cosine floor for this model's similarities; None: no floor."""
        return self.relevance_floors.get(model)

    def answer_floor(self, model: str) -> float | None:
        """The cosine the best passage must reach for a search to answer at all; None: no such floor."""
        return self.answer_floors.get(model)
