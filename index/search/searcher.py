"""`Searcher`: hybrid search over one index, as a fixed sequence of stages.

    read -> scope -> retrieve -> fuse -> rank (each of `rankers`) -> arrange -> present

Each stage is a function of a `Context` (the settings, read once per query, and the `CorpusView`)
and the hand-offs before it (types.py). The Searcher owns the lock, the view and the list of
rankers, and runs the stages; a stage raising `Stop` ends the search with its message. The
stages are swappable as a whole (`Stages`), so the loop can be tested with stubs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from index.embed import Embedder
from index.query import JUDGEMENT_AREAS, QueryPlan
from index.search.arrange import arrange
from index.search.corpus import CorpusView
from index.search.filters import SearchFilters
from index.search.fuse import fuse
from index.search.present import distinctive_terms, holds_distinctive, present
from index.search.rank import ConceptRanker, FeedbackRanker, Ranker, concepts_terms
from index.search.read import plan_question, read
from index.search.rerank import LearnedRanker
from index.search.response import SearchResponse, SearchResult
from index.search.retrieve import retrieve
from index.search.scope import allowed_documents, scope
from index.search.types import Arranged, Context, Question, Ranking, Retrieved, Scope, SearchRequest, Stop
from index.settings import DEFAULT_K, SearchSettings
from index.store import ChunkStore, DocumentRow
from index.thesaurus import Thesaurus
from index.vectors import VectorIndex
from ingest.authorities import AuthorityRegistry
from ingest.recommendations import SECTION_KINDS


@dataclass(frozen=True)
class Stages:
    """The stage functions a Searcher runs, in order (the modules of this package by default)."""

    read: Callable[[Context, SearchRequest], Question] = read
    scope: Callable[[Context, Question], Scope] = scope
    retrieve: Callable[[Context, Question, Scope], Retrieved] = retrieve
    fuse: Callable[[Context, Question, Scope, Retrieved], Ranking] = fuse
    arrange: Callable[[Context, Question, Scope, Ranking], Arranged] = arrange
    present: Callable[[Context, Question, Scope, Retrieved, Arranged], SearchResponse] = present


class Searcher:
    """Hybrid search over one index. Thread-safe for concurrent queries.

    Attributes:
        settings: how it ranks. Replace it whole (dataclasses.replace) to try another value:
            eval.results turns mechanisms off one at a time this way to measure what each adds.
        rankers: the steps between fusion and arrangement, in order (default: feedback, the concepts'
                list, the learned ranking stage).
        corpus: the index as the stages read it, with its caches.
    """

    def __init__(
        self, store: ChunkStore, vectors: VectorIndex, embedder: Embedder, settings: SearchSettings | None = None,
        rankers: list[Ranker] | None = None, stages: Stages | None = None,
    ) -> None:
        self.corpus = CorpusView(store, vectors, embedder)
        self.settings = settings or SearchSettings()
        self.rankers: list[Ranker] = [FeedbackRanker(), ConceptRanker(), LearnedRanker()] if rankers is None \
            else rankers
        self.stages = stages or Stages()
        self._lock = threading.Lock()  # sqlite3 connections and the tokenizer are not re-entrant

    @property
    def store(self) -> ChunkStore:
        """The index's SQLite store (the corpus view's: one object, whoever reads it)."""
        return self.corpus.store

    @property
    def vectors(self) -> VectorIndex:
        """The index's FAISS vectors."""
        return self.corpus.vectors

    @property
    def embedder(self) -> Embedder:
        """The model that embeds questions."""
        return self.corpus.embedder

    @property
    def registry(self) -> AuthorityRegistry:
        """The authorities' names, regions and neighbours."""
        return self.corpus.registry

    def search(
        self, query: str, filters: SearchFilters | None = None, k: int = DEFAULT_K, retriever: str = "hybrid"
    ) -> SearchResponse:
        """The passages that best answer a question, each cited, with the answering sentences marked.

        The question is read first (index/query.py): authorities, years, grades and recency words it
        names narrow or favour reports where `filters` leave them open, and leave the searched text.

        Args:
            query: the question as typed (control characters and excess length are dropped).
            filters: which reports may answer (default: all); see SearchFilters.build.
            k: how many passages at most, 1 to MAX_K (index/settings.py).
            retriever: "hybrid" (dense and lexical, fused), "dense" or "lexical".

        Returns:
            The response: results best first (near-identical passages of other reports folded into
            the first), and a message when there is nothing to show or nothing answers closely.

        Raises:
            QueryError: an unknown retriever, k out of range, or no words to search for; or an
                authority filter that matches no indexed report (the message suggests close names).
        """
        request = SearchRequest(query, filters or SearchFilters(), k, retriever)
        with self._lock:
            return self.run(Context(self.settings, self.corpus), request)

    def run(self, context: Context, request: SearchRequest) -> SearchResponse:
        """Run the stages on one request (the caller holds the lock); a Stop becomes the response."""
        stages = self.stages
        question = stages.read(context, request)
        try:
            scoped = stages.scope(context, question)
            retrieved = stages.retrieve(context, question, scoped)
            ranking = stages.fuse(context, question, scoped, retrieved)
            for ranker in self.rankers:
                ranking = ranker.rank(context, question, scoped, retrieved, ranking)
            arranged = stages.arrange(context, question, scoped, ranking)
            return stages.present(context, question, scoped, retrieved, arranged)
        except Stop as stop:
            return SearchResponse(question.text, [], question.filters, stop.message, interpretation=stop.interpretation)

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold searches off while the caller changes what they read (ReportIndex swaps its vectors)."""
        with self._lock:
            yield

    def refresh(self) -> None:
        """Forget cached document metadata (after documents were added or removed)."""
        with self._lock:
            self.corpus.refresh()

    def warm(self) -> None:
        """Read now what searches would otherwise read on first need (the reports, the passage map,
        the summaries, each judgement area's and section kind's passages, the concepts' phrases, the
        corpus vocabulary, the passages' words): a server calls this at start so no user pays for it.
        On the corpus that is about 0.4 s; at a million passages about 8 s, where a judgement area's
        passages take 0.2 s to look up and the concepts' phrases 6 s to score."""
        with self._lock:
            self.corpus.documents()
            self.corpus.chunk_map()
            self.corpus.chunk_count()
            self.corpus.summary_ids()
            for area in JUDGEMENT_AREAS:
                self.corpus.area_chunks(area, self.settings.area_with_summary)
            for kind in SECTION_KINDS:
                self.corpus.allowed_chunks(None, kind)
            scorer = self.corpus.lexical_scorer()
            vocabulary = self.corpus.concepts() if self.settings.concepts else None
            if scorer is not None and vocabulary is not None:
                scorer.keep_phrases(concepts_terms(vocabulary.concepts))  # the concepts' list's phrases
            self.corpus.sentences_of([])  # the passages' saved words (their vocabulary is read now)
            if self.settings.thesaurus_similarity is not None:
                self.corpus.thesaurus()

    def close(self) -> None:
        """Stop the background lexical thread."""
        self.corpus.close()

    def documents(self) -> dict[int, DocumentRow]:
        """The indexed reports by id, each under its authority's canonical name and key."""
        return self.corpus.documents()

    def authorities(self) -> list[str]:
        """One display name per authority (reports print some names in several ways)."""
        return self.corpus.authorities()

    def documents_matching(self, filters: SearchFilters) -> list[int] | None:
        """Ids of the reports these filters allow (None: every report).

        Raises:
            QueryError: an authority filter that names no indexed report (with close names).
        """
        with self._lock:
            return allowed_documents(self.corpus, filters)

    def plan(self, text: str) -> QueryPlan:
        """How this index reads a question: named authorities are matched against those it holds."""
        return plan_question(self.corpus, text)

    def corpus_thesaurus(self) -> Thesaurus:
        """The corpus vocabulary with its embeddings, read from the index once until it changes."""
        return self.corpus.thesaurus()

    def floor_keeps(self, result: SearchResult, topic: str, distinctive: list[str] | None = None) -> bool:
        """True when a passage holds one of the question's distinctive words (the floor never hides it):
        its rare words, or in a small index where none is rare, its rarest. `distinctive`: those
        words' stems, when the caller already has them for this topic (present.distinctive_terms)."""
        if distinctive is None:
            distinctive = distinctive_terms(Context(self.settings, self.corpus), topic)
        return holds_distinctive(result.text, distinctive)
