"""The hand-offs between the search stages, in the order a question travels; all frozen dataclasses.

    SearchRequest --read--> Question --scope--> Scope --retrieve--> Retrieved --fuse--> Ranking
    --rank (each Ranker)--> Ranking --arrange--> Arranged --present--> SearchResponse (response.py)

Every stage is a function of a `Context` (this query's settings and the CorpusView) and the
hand-offs before it; none keeps state between questions. A stage that finds there is nothing to
search or nothing found raises `Stop`, which the Searcher turns into a response with its message.

The retrieval lists are named (LIST_NAMES, in the order they are fused, which breaks ties), so a
ranker can read, for each candidate, each list's rank and own score as features (`Ranking.signals`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from index.concepts import Concept
from index.query import QueryPlan
from index.search.corpus import CorpusView
from index.search.filters import SearchFilters
from index.settings import SearchSettings
from index.store import ChunkRow

RETRIEVERS = ("hybrid", "dense", "lexical")

# The retrieval lists, by name. Dense scores are cosines; lexical ones are FTS5's bm25() negated
# (higher is better, as ChunkStore.lexical_search returns them).
DENSE = "dense"  # the question's embedding, over the reports allowed
LEXICAL = "lexical"  # the question's terms (FTS5 BM25), over the reports allowed
# The same two within the reports the question's words favour (its years, a council's latest report, a
# grade said with a council and year); named for the years, the first favouring, as the ranker's features are.
YEAR_DENSE = "year_dense"
YEAR_LEXICAL = "year_lexical"
# The first two restricted to the sections the question favours: those on its judgement area, and the
# section kind its words ask for (the recommendations: "what needs to improve").
AREA_DENSE = "area_dense"
AREA_LEXICAL = "area_lexical"
SUMMARIES = "summaries"  # the reports' own summaries, by embedding
FEEDBACK = "feedback"  # the question's terms and its best passages' shared words (rank.FeedbackRanker)
CONCEPTS = "concepts"  # the sector terms of the concepts the question names (rank.ConceptRanker)
LIST_NAMES = (DENSE, LEXICAL, YEAR_DENSE, YEAR_LEXICAL, AREA_DENSE, AREA_LEXICAL, SUMMARIES, FEEDBACK, CONCEPTS)


class Stop(Exception):  # a signal to answer now, not an error
    """Raised by a stage when nothing is left to search or nothing was found: the Searcher answers
    with no results, this message and this interpretation (no topic)."""

    def __init__(self, message: str, interpretation: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.interpretation = interpretation


@dataclass(frozen=True)
class Context:
    """What every stage may read besides its inputs: this query's settings (read once from the
    Searcher, so a caller may swap `Searcher.settings` between queries) and the index."""

    settings: SearchSettings
    corpus: CorpusView


@dataclass(frozen=True)
class SearchRequest:
    """A search as asked: the query as typed, the filters chosen, how many results, which retriever."""

    query: str
    filters: SearchFilters
    k: int
    retriever: str


@dataclass(frozen=True)
class Question:
    """The question as read (read.py): the cleaned text, what its words ask for, and the words searched."""

    text: str  # the query, control characters and excess length dropped
    filters: SearchFilters
    k: int  # results wanted
    retriever: str  # one of RETRIEVERS
    plan: QueryPlan  # names, years, grades, recency, judgement area, comparison (index/query.py)
    topic: str  # the words searched: the plan's topic, or the whole text without strip_question_words
    candidates: int  # passages each retriever returns, before fusion


# How a piece of the question's reading acted on the search (`Reading.effect`).
READING_EFFECTS = ("narrowed", "favoured", "corrected", "asked", "ignored")


@dataclass(frozen=True)
class Reading:
    """One thing the question's own words did to the search, as data: what, how, and in the user's terms.

    kind: filters.READING_KINDS ("authority", "grade", ...). effect: READING_EFFECTS: "narrowed" (only those
    reports searched), "favoured" (those ranked higher, the rest still searched), "corrected" (a
    misspelt word or name read as another: both searched), "asked" (a name too unsure to act on: "did
    you mean ...?"), "ignored" (read, but undone by `SearchFilters.ignore_reading`). label: the chip's
    words ("only Worcestershire", "favouring the latest report", "Worcestshire read as
    Worcestershire"). values: what was read (authority names, grades, years as text).
    """

    kind: str
    effect: str
    label: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scope:
    """The reports a question may be answered from (scope.py), and why, in the user's terms."""

    allowed: tuple[int, ...] | None  # report ids; None: every report
    favoured: tuple[int, ...] | None  # reports the question's words favour (years, latest), also searched alone
    kind: str | None  # a section kind (recommendations): only its passages
    notes: tuple[str, ...]  # how the question was read, for the response's interpretation
    readings: tuple[Reading, ...] = ()  # the same, as data: what each piece of the reading did (Reading)
    favoured_kind: str | None = None  # a section kind the question asks for ("recommendations"): favoured
    favour_weight: float = 1.0  # the favoured reports' lists' weight, relative to the first lists'


@dataclass(frozen=True)
class RankedList:
    """One retrieval list: its name (LIST_NAMES), its weight in fusion, and (chunk id, own score) best first."""

    name: str
    weight: float
    items: tuple[tuple[int, float], ...]

    @property
    def ids(self) -> list[int]:
        """The chunk ids, best first."""
        return [cid for cid, _ in self.items]

    @cached_property
    def positions(self) -> dict[int, tuple[int, float]]:
        """{chunk id: (rank from 1, own score)}."""
        return {cid: (rank, score) for rank, (cid, score) in enumerate(self.items, start=1)}


@dataclass(frozen=True, eq=False)
class Retrieved:
    """The retrieval lists of one question (retrieve.py), in fusion order, and what was searched."""

    lists: tuple[RankedList, ...]
    match: str | None  # the FTS5 expression searched lexically (None: no lexical list)
    vector: np.ndarray | None  # the question's embedding (None when only lexical retrieval ran)
    notes: tuple[str, ...]  # what the user should know of how it was searched
    concepts: tuple[Concept, ...] = ()  # concepts of the vocabulary the question names (index/concepts.py)
    readings: tuple[Reading, ...] = ()  # what retrieval read into the words (a misspelling corrected)

    def get(self, name: str) -> RankedList | None:
        """The list of this name, if it was retrieved."""
        return next((ranked for ranked in self.lists if ranked.name == name), None)


@dataclass(frozen=True)
class Signal:
    """A candidate's place in one retrieval list: its rank (from 1) and the list's own score for it."""

    rank: int
    score: float


@dataclass(frozen=True)
class Candidate:
    """One ranked passage with its ranking score and its Signal in each list that holds it."""

    id: int
    score: float
    signals: Mapping[str, Signal]


@dataclass(frozen=True)
class Ranking:
    """Passages best first, each with its score, and the lists the ranking was made from.

    `items` are (chunk id, score): the reciprocal rank fusion score of `lists` when fused; when
    one list ranks alone (retriever "dense" or "lexical", no year lists), that list's own score.
    `lists` are every list retrieved or added by a ranker, in fusion order (empty ones included:
    they fuse to nothing), so a ranker re-fusing with one more list keeps the order and ties.
    """

    items: tuple[tuple[int, float], ...]
    lists: tuple[RankedList, ...]
    fused: bool

    @property
    def ids(self) -> list[int]:
        """The chunk ids, best first."""
        return [cid for cid, _ in self.items]

    def signals(self, chunk_id: int) -> dict[str, Signal]:
        """{list name: Signal} for each list holding this passage (features for a re-ranker)."""
        out = {}
        for ranked in self.lists:
            found = ranked.positions.get(chunk_id)
            if found is not None:
                out[ranked.name] = Signal(*found)
        return out

    @cached_property
    def candidates(self) -> tuple[Candidate, ...]:
        """Every passage, best first, with its score and signals (computed on first use)."""
        return tuple(Candidate(cid, score, self.signals(cid)) for cid, score in self.items)


@dataclass(frozen=True)
class Kept:
    """A passage kept for the results: its row, its ranking score, and how many near-identical
    passages of other reports were folded into it."""

    row: ChunkRow
    score: float
    duplicates: int = 0


@dataclass(frozen=True)
class Arranged:
    """The passages to present, in order (arrange.py): at most k, spread over reports, de-duplicated."""

    kept: tuple[Kept, ...]
