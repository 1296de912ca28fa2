"""Present: the arranged passages become the `SearchResponse`: floor, then highlights and citations.

The relevance floor comes first, so a passage it hides is never highlighted: a passage is shown
when its cosine to the question clears the model's floor or it holds one of the question's
distinctive words; when none does, the closest few are shown as such, with a message. (The floor
reads only the passage text and its rounded cosine, so where it runs changes no result.)

Settings read: relevance_floors (through relevance_floor), distinctive_idf, closest_shown.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index.highlight import highlight_spans
from index.search.corpus import CorpusView
from index.search.response import SearchResponse, SearchResult, citation_of
from index.search.types import DENSE, LEXICAL, Arranged, Context, Kept, Question, RankedList, Retrieved, Scope
from index.tokenize import content_words, query_terms, stem, stems, words


def present(
    context: Context, question: Question, scope: Scope, retrieved: Retrieved, arranged: Arranged
) -> SearchResponse:
    """The response: the passages that clear the floor, highlighted and cited, with the notes.

    Args:
        context: this query's settings and index.
        question: the question (text, filters, topic).
        scope: how the question was read (its notes).
        retrieved: the question's embedding, the dense and lexical lists (each result's ranks
            there), and notes on how it was searched.
        arranged: the passages kept, in order.

    Returns:
        The SearchResponse; its message says when no passage answers closely.
    """
    corpus, topic = context.corpus, question.topic
    docs = corpus.documents()
    kept = list(arranged.kept)
    if any(item.row.doc_id not in docs for item in kept):  # added by an ingest running beside us
        corpus.forget_documents()
        docs = corpus.documents()
    kept = [item for item in kept if item.row.doc_id in docs]
    cosines = similarities(corpus, [item.row.id for item in kept], retrieved.vector)
    rows = [(item, None if cosine is None else round(cosine, 4)) for item, cosine in zip(kept, cosines, strict=True)]
    message, below = None, False
    floor = context.settings.relevance_floor(corpus.model)
    if floor is not None and retrieved.vector is not None:
        rows, message = apply_floor(context, rows, topic, floor)
        below = message is not None
    weights = corpus.term_weights(query_terms(topic))
    dense, lexical = retrieved.get(DENSE), retrieved.get(LEXICAL)
    results = []
    for item, similarity in rows:
        row = item.row
        results.append(SearchResult(
            rank=len(results) + 1, chunk_id=row.id, doc_id=row.doc_id, text=row.text,
            highlights=highlight_spans(row.text, weights), score=round(item.score, 6),
            citation=citation_of(docs[row.doc_id], row), duplicates=item.duplicates,
            dense_rank=_rank_in(dense, row.id), lexical_rank=_rank_in(lexical, row.id),
            similarity=similarity, below_floor=below,
        ))
    notes = scope.notes + retrieved.notes
    return SearchResponse(question.text, results, question.filters, message,
                          interpretation="; ".join(notes) or None, topic=topic,
                          reading=scope.readings + retrieved.readings)


def _rank_in(ranked: RankedList | None, chunk_id: int) -> int | None:
    found = ranked.positions.get(chunk_id) if ranked is not None else None
    return found[0] if found is not None else None


def similarities(corpus: CorpusView, chunk_ids: list[int], vector: np.ndarray | None) -> list[float | None]:
    """Cosine similarity of the question and each passage (None without a question embedding)."""
    if vector is None or not chunk_ids:
        return [None] * len(chunk_ids)
    return [float(v) for v in corpus.vectors_of(chunk_ids) @ vector]


Row = tuple[Kept, float | None]  # a passage and its cosine to the question, rounded as shown


def apply_floor(context: Context, rows: list[Row], topic: str, floor: float) -> tuple[list[Row], str | None]:
    """Hide passages that neither mean what the question asks (cosine under the floor) nor use
    its distinctive words; when none is left, keep the closest few and say so.

    Args:
        context: settings (distinctive_idf, closest_shown) and index (word counts).
        rows: the passages in order, with their rounded cosines.
        topic: the words searched.
        floor: the model's cosine floor.

    Returns:
        (the rows shown, None) or, when none clears the floor, (the closest few, the message).
    """
    distinctive = distinctive_terms(context, topic)  # once for the question, not per passage

    def answers(row: Row) -> bool:
        item, similarity = row
        return (similarity is not None and similarity >= floor) or holds_distinctive(item.row.text, distinctive)

    shown = [row for row in rows if answers(row)]
    if shown:
        return shown, None
    asked = ", ".join(content_words(topic)[:6]) or topic
    where = "these reports" if rows else "the index"
    message = f"no passage in {where} answers closely ({asked}); the closest are shown below"
    return rows[:context.settings.closest_shown], message


def distinctive_terms(context: Context, topic: str) -> list[str]:
    """The topic's distinctive terms (at least distinctive_idf rare; in a small index where none
    is, its rarest) as space-padded stem strings, ready to find in a passage."""
    weights = context.corpus.term_weights(query_terms(topic))
    chosen = [t for t, w in weights.items() if w >= context.settings.distinctive_idf]
    if not chosen and weights:
        chosen = [max(weights, key=weights.get)]
    return [" " + " ".join(stem(w) for w in t.split()) + " " for t in chosen]


def holds_distinctive(text: str, distinctive: Sequence[str]) -> bool:
    """True when the text holds one of these distinctive terms (distinctive_terms' strings)."""
    joined = " " + " ".join(stems(words(text))) + " "
    return any(term in joined for term in distinctive)
