"""Query-time search as a pipeline of stages, one module each, in the order a question travels.

    read.py      SearchRequest -> Question        the question checked, and what its words ask for
    scope.py     Question -> Scope                the reports it may be answered from, and why
    retrieve.py  Question, Scope -> Retrieved     the retrieval lists (dense, lexical, years, area, summaries)
    fuse.py      Retrieved -> Ranking             weighted reciprocal rank fusion
    rank.py      Ranking -> Ranking               each Ranker in turn (FeedbackRanker by default)
    arrange.py   Ranking -> Arranged              authorities interleaved or reports spread; near-duplicates folded
    present.py   Arranged -> SearchResponse       the relevance floor, highlights, citations

Beside them: types.py (the hand-offs, frozen dataclasses, and the lists' names), filters.py
(SearchFilters, QueryError), response.py (SearchResponse, SearchResult, Citation), corpus.py
(CorpusView: the index's reads and caches) and searcher.py (Searcher, which runs the stages).

The layout is the one proposed for issue 18 (one module per stage as in bm25s, typed hand-offs as
in haystack, in a fixed sequence), with two departures. QueryError sits in filters.py, not
types.py: types.py names SearchFilters, so the two would import each other. The public output
types have their own module, response.py, not types.py: they are not frozen (callers build and
adjust them, index/followup.py) and the floor is applied before they are made.

Everything callers import from `index.search` is re-exported here.
"""

from index.search.corpus import SUMMARY_SECTIONS, WORD_VECTORS_KEPT, CorpusView
from index.search.filters import FILTER_JUDGEMENTS, READING_KINDS, QueryError, SearchFilters
from index.search.rank import ConceptRanker, FeedbackRanker, Ranker
from index.search.rerank import LearnedRanker
from index.search.response import Citation, SearchResponse, SearchResult, citation_of
from index.search.searcher import Searcher, Stages
from index.search.types import (
    LIST_NAMES,
    READING_EFFECTS,
    RETRIEVERS,
    Candidate,
    Context,
    Question,
    RankedList,
    Ranking,
    Reading,
    Retrieved,
    Scope,
    Signal,
)
from index.settings import DEFAULT_K, MAX_K, YEAR_RANGE

__all__ = [
    "DEFAULT_K", "FILTER_JUDGEMENTS", "LIST_NAMES", "MAX_K", "READING_EFFECTS", "READING_KINDS", "RETRIEVERS",
    "SUMMARY_SECTIONS", "WORD_VECTORS_KEPT", "YEAR_RANGE", "Candidate", "Citation", "ConceptRanker", "Context",
    "CorpusView", "FeedbackRanker", "LearnedRanker", "QueryError", "Question", "RankedList", "Ranker",
    "Ranking", "Reading", "Retrieved", "Scope", "SearchFilters", "SearchResponse", "SearchResult", "Searcher",
    "Signal", "Stages", "citation_of",
]
