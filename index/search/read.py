"""Read: a search request becomes a `Question`, checked, with what its own words ask for (`QueryPlan`).

The question is read first (index/query.py): authorities, years, grades, recency words, a
judgement area or a comparison it names. scope.py acts on them; with strip_question_words the
names, years and grade words also leave the words searched (the topic). The kinds of reading a
user undid (SearchFilters.ignore_reading) are taken out of the plan here, their words back in the
topic; "all" reads nothing: the question's text is searched alone.

Settings read: candidates, strip_question_words.
"""

from __future__ import annotations

from index.query import QueryPlan, read_question
from index.search.corpus import CorpusView
from index.search.filters import QueryError
from index.search.types import RETRIEVERS, Context, Question, SearchRequest
from index.settings import MAX_K
from index.tokenize import clean_query, words


def read(context: Context, request: SearchRequest) -> Question:
    """Check a request and read its question.

    Args:
        context: this query's settings and index.
        request: the query as typed, filters, k and retriever.

    Returns:
        The Question: cleaned text, plan, topic, and the depth of each retrieval list.

    Raises:
        QueryError: an unknown retriever, k out of range, or no words to search for.
    """
    if request.retriever not in RETRIEVERS:
        raise QueryError(f"unknown retriever {request.retriever!r}; valid: {', '.join(RETRIEVERS)}")
    k = request.k
    if not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise QueryError(f"k must be a whole number from 1 to {MAX_K}; got {k!r}")
    text = clean_query(request.query or "")
    if not words(text):
        raise QueryError("type a question or some words to search for")
    settings = context.settings
    ignore = request.filters.ignore_reading
    if "all" in ignore:  # the question's text alone: nothing read from its words
        plan = QueryPlan(question=text, topic=text)
    else:
        plan = plan_question(context.corpus, text)
        if ignore:
            plan = plan.without(ignore)
    return Question(
        text=text, filters=request.filters, k=k, retriever=request.retriever, plan=plan,
        topic=plan.topic if settings.strip_question_words else text,
        candidates=max(settings.candidates, 4 * k),
    )


def plan_question(corpus: CorpusView, text: str) -> QueryPlan:
    """How this index reads a question: named authorities are matched against those it holds."""
    indexed, extra = corpus.plan_names()
    return read_question(text, indexed, corpus.registry, extra)
