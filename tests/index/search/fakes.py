"""A fake CorpusView: a few reports and passages in dicts, no SQLite, vectors or embedder.

The stages read the index only through the CorpusView methods; this fake has the ones the stages
tested alone use (scope, arrange, present), with the real view's authority naming.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import snowballstemmer

from index.highlight import term_weights
from index.query import QueryPlan, read_question
from index.search.corpus import CorpusView
from index.search.filters import SearchFilters
from index.search.report_table import ReportTable
from index.search.types import Context, Question
from index.settings import SearchSettings
from index.store import ChunkRow, DocumentRow
from index.tokenize import words
from ingest.authorities import default_registry
from ingest.metadata import authority_key


def doc(doc_id: int, authority: str, year: int = 2019, grade: str | None = "good",
        report_type: str = "ilacs_standard", **judgements: str) -> DocumentRow:
    """A report of `authority` inspected and published in `year`."""
    return DocumentRow(
        id=doc_id, sha256=f"{doc_id:064x}", local_authority=authority, authority_key=authority_key(authority),
        report_type=report_type, title=None, inspection_start=f"{year}-03-01", inspection_end=f"{year}-03-12",
        published=f"{year}-05-01", published_source="printed", lead_inspector=None, overall_grade=grade,
        judgements=dict(judgements), n_pages=10, paths=[f"/reports/{authority.lower()}_{year}.pdf"],
    )


def chunk(chunk_id: int, doc_id: int, text: str, page: int = 1) -> ChunkRow:
    """A passage of report `doc_id`; its embed hash is its text (identical texts share it)."""
    return ChunkRow(id=chunk_id, doc_id=doc_id, ordinal=chunk_id, text=text, embed_hash=text, page_start=page,
                    page_end=page, char_start=0, char_end=len(text), section=None, paragraphs=[str(page)])


class FakeCorpus:
    """Reports, passages and their vectors (unit vectors by passage id) held in dicts."""

    model = "fake-model"
    authorities = CorpusView.authorities
    authority_key = CorpusView.authority_key

    def __init__(self, docs: Sequence[DocumentRow], chunks: Sequence[ChunkRow] = (),
                 vectors: dict[int, Sequence[float]] | None = None) -> None:
        self.docs = {d.id: d for d in docs}
        self.rows = {c.id: c for c in chunks}
        self.vectors = {cid: np.asarray(v, dtype=np.float32) for cid, v in (vectors or {}).items()}
        self.registry = default_registry()
        self.forgotten = 0
        self.searched: list[str] = []
        self.summaries: set[int] = set()
        self.vocabulary = None  # a ConceptVocabulary, when a test gives one

    def documents(self) -> dict[int, DocumentRow]:
        return self.docs

    def forget_documents(self) -> None:
        self.forgotten += 1

    def report_table(self) -> ReportTable:
        return ReportTable(self.documents())

    def chunks(self, chunk_ids: Sequence[int]) -> dict[int, ChunkRow]:
        return {cid: self.rows[cid] for cid in chunk_ids if cid in self.rows}

    def chunk_count(self) -> int:
        return max(1, len(self.rows))

    def documents_of(self, chunk_ids: Sequence[int]) -> list[int]:
        return [self.rows[cid].doc_id if cid in self.rows else -1 for cid in chunk_ids]

    def doc_freqs(self, terms: Sequence[str]) -> dict[str, int]:
        single = {w for term in terms for w in term.split()}
        return {w: sum(w in words(row.text) for row in self.rows.values()) for w in single}

    def term_weights(self, terms: list[str]) -> dict[str, float]:
        return term_weights(terms, self.doc_freqs(terms), self.chunk_count())

    def vectors_of(self, chunk_ids: Sequence[int]) -> np.ndarray:
        return np.stack([self.vectors[cid] for cid in chunk_ids])

    def stem_counts(self, stems: set[str]) -> dict[str, int]:
        porter = snowballstemmer.stemmer("porter").stemWord  # as FTS5 stems
        held = [{porter(w) for w in words(row.text)} for row in self.rows.values()]
        return {s: sum(s in h for h in held) for s in stems}

    def summary_ids(self) -> np.ndarray:
        return np.asarray(sorted(self.summaries), dtype=np.int64)

    def area_chunks(self, area: str, with_summary: bool) -> set[int]:
        return set()

    def latest_documents(self) -> set[int]:
        from index.search.latest import latest_of_each

        return set(latest_of_each(self.docs, list(self.docs)))

    def concepts(self):
        return self.vocabulary

    def sentences_of(self, chunk_ids: Sequence[int]) -> dict:
        return {}  # no saved words: the ranking stage splits the passages itself

    def lexical_search(self, match: str, n: int, allowed_docs: Sequence[int] | None,
                       kind: str | None) -> list[tuple[int, float]]:
        """The passages holding any word of the MATCH expression, by how many they hold (recorded)."""
        self.searched.append(match)
        wanted = {w for w in words(match) if w != "or"}
        held = [(row.id, float(len(wanted & set(words(row.text))))) for row in self.rows.values()
                if allowed_docs is None or row.doc_id in allowed_docs]
        return sorted([pair for pair in held if pair[1]], key=lambda pair: -pair[1])[:n]


def context(corpus: FakeCorpus, **settings) -> Context:
    """A Context over the fake corpus, with these settings changed from the product's."""
    return Context(SearchSettings(**settings), corpus)  # type: ignore[arg-type]


def question(text: str, corpus: FakeCorpus | None = None, filters: SearchFilters | None = None, k: int = 5,
             retriever: str = "hybrid", plan: QueryPlan | None = None) -> Question:
    """A Question as read.py would make it (the plan read against the fake corpus's authorities)."""
    if plan is None:
        indexed = {d.authority_key for d in corpus.docs.values()} if corpus else None
        plan = read_question(text, indexed, default_registry())
    return Question(text=text, filters=filters or SearchFilters(), k=k, retriever=retriever, plan=plan,
                    topic=plan.topic, candidates=max(100, 4 * k))
