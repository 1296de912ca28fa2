""""Was it fixed?": each recommendation of one report beside the closest passages of the authority's next.

For one authority, its reports in date order are taken in pairs (a report and the next). Each point
of the earlier report's recommendations (index/themes.py) is set beside the passages of the next
report closest to it in meaning, verbatim and cited, with their similarity. No verdict is given: the
reader judges whether the next inspection found it fixed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from index.highlight import highlight_spans
from index.search import QueryError, Searcher, SearchFilters, SearchResult, citation_of
from index.themes import ThemePoint, point_from_rows
from index.tokenize import query_terms

CLOSEST = 2  # passages of the next report shown beside each recommendation


@dataclass
class FollowedPoint:
    """One recommendation of the earlier report and the next report's closest passages to it."""

    point: ThemePoint
    closest: list[SearchResult] = field(default_factory=list)


@dataclass
class FollowUpPair:
    """A report and the authority's next report."""

    earlier: str  # "<type>, <date>" labels
    later: str
    earlier_doc: int
    later_doc: int
    points: list[FollowedPoint] = field(default_factory=list)


@dataclass
class FollowUp:
    authority: str
    pairs: list[FollowUpPair]
    message: str | None = None


def follow_up(searcher: Searcher, authority: str, closest: int = CLOSEST) -> FollowUp:
    """Each recommendation of each report of `authority` beside the closest passages of its next report.

    Args:
        searcher: the index's searcher (`ReportIndex.searcher`).
        authority: any name the authority goes by.
        closest: passages of the next report per recommendation.

    Returns:
        A FollowUp, pairs oldest first; its message says when there is nothing to pair.

    Raises:
        QueryError: an empty or unknown authority (with close names).
    """
    if not authority or not authority.strip():
        raise QueryError("choose an authority")
    doc_ids = searcher.documents_matching(SearchFilters.build(authority=authority)) or []
    docs = searcher.documents()
    name = next((docs[d].local_authority for d in doc_ids if docs[d].local_authority), authority)
    ordered = sorted(doc_ids, key=lambda d: (docs[d].published or docs[d].inspection_end or "", d))
    store = searcher.store
    pairs = []
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        rows = store.recommendations([earlier])
        pair = FollowUpPair(_label(docs[earlier]), _label(docs[later]), earlier, later)
        later_chunks = store.chunk_ids_for_documents([later])
        if rows and len(later_chunks):
            point_vectors = store.recommendation_vectors([r["id"] for r in rows], searcher.embedder.dim)
            passage_vectors = store.vectors_for_chunks(later_chunks, searcher.embedder.dim)
            similarity = point_vectors @ passage_vectors.T
            chunk_rows = store.chunks({r["chunk_id"] for r in rows} | set(later_chunks.tolist()))
            for i, row in enumerate(rows):
                followed = FollowedPoint(point_from_rows(row, docs[earlier], chunk_rows[row["chunk_id"]]))
                terms = query_terms(row["text"])
                weights = searcher.corpus.term_weights(terms)
                for j in np.argsort(-similarity[i], kind="stable")[:closest]:
                    passage = chunk_rows[int(later_chunks[j])]
                    followed.closest.append(SearchResult(
                        rank=len(followed.closest) + 1, chunk_id=passage.id, doc_id=later, text=passage.text,
                        highlights=highlight_spans(passage.text, weights), score=round(float(similarity[i, j]), 4),
                        citation=citation_of(docs[later], passage), similarity=round(float(similarity[i, j]), 4),
                    ))
                pair.points.append(followed)
        pairs.append(pair)
    message = None
    if len(ordered) < 2:
        message = f"{name} has {len(ordered)} report in this index: there is no next report to compare"
    elif not any(p.points for p in pairs):
        message = f"no recommendations of {name}'s reports are indexed yet (run ofsted-qa ingest again)"
    return FollowUp(name, pairs, message)


def _label(doc) -> str:
    return f"{doc.report_type_label}, {doc.published or doc.inspection_end or 'date unknown'}"
