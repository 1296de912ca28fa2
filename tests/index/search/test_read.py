"""read.py alone: a request is checked, and its question read into a plan and the words searched."""

from __future__ import annotations

import pytest

from index.search.filters import QueryError, SearchFilters
from index.search.read import read
from index.search.types import SearchRequest
from index.settings import MAX_K
from tests.index.search.fakes import FakeCorpus, context, doc


class _Corpus(FakeCorpus):
    def plan_names(self):
        return {d.authority_key for d in self.docs.values()}, {}


def request(query: str = "caseloads in Leeds", k: int = 5, retriever: str = "hybrid") -> SearchRequest:
    return SearchRequest(query, SearchFilters(), k, retriever)


def test_names_leave_the_words_searched_unless_settings_keep_them():
    corpus = _Corpus([doc(1, "Leeds")])
    question = read(context(corpus), request("caseloads in Leeds\x00"))
    assert question.text == "caseloads in Leeds" and [a.name for a in question.plan.authorities] == ["Leeds"]
    assert "Leeds" not in question.topic and question.candidates == 100
    kept = read(context(corpus, strip_question_words=False, candidates=10), request(k=30))
    assert kept.topic == "caseloads in Leeds" and kept.candidates == 120


@pytest.mark.parametrize("asked, error", [(request(retriever="bm25"), "unknown retriever"),
                                          (request(k=0), "k must be"), (request(k=MAX_K + 1), "k must be"),
                                          (request("?!?"), "type a question")])
def test_bad_requests_say_what_to_change(asked, error):
    with pytest.raises(QueryError, match=error):
        read(context(_Corpus([])), asked)
