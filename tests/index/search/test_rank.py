"""rank.py alone: feedback re-fuses with one more list; it stands aside when it cannot help."""

from __future__ import annotations

import pytest

from index.search.fuse import fuse_lists
from index.search.rank import FeedbackRanker
from index.search.types import DENSE, FEEDBACK, LEXICAL, RankedList, Retrieved, Scope
from tests.index.search.fakes import FakeCorpus, chunk, context, doc, question

SCOPE = Scope(allowed=None, favoured=None, kind=None, notes=())
PASSAGES = [
    chunk(1, 1, "Caseloads and workloads are high, so workloads stop social workers visiting children."),
    chunk(2, 1, "Caseloads are reducing; workloads are now manageable for most social workers."),
    chunk(3, 1, "Caseloads in the assessment team and workloads of team managers are monitored weekly."),
    chunk(4, 1, "Managers track workloads of staff closely in every team."),
    *[chunk(10 + i, 1, f"Topic number {i} concerns housing and related housing matters.") for i in range(100)],
]
LEXICAL_LIST = RankedList(LEXICAL, 1.0, ((1, 3.0), (2, 2.5), (3, 2.0)))
DENSE_LIST = RankedList(DENSE, 1.0, ((2, 0.7), (1, 0.6), (3, 0.5)))


def retrieved(match: str | None = '"caseloads"') -> Retrieved:
    return Retrieved(lists=(DENSE_LIST, LEXICAL_LIST), match=match, vector=None, notes=())


def test_feedback_adds_the_words_the_best_passages_share_as_one_more_list_fused_last():
    corpus = FakeCorpus([doc(1, "Kent")], PASSAGES)
    first = fuse_lists(retrieved().lists, rrf_k=10)
    after = FeedbackRanker().rank(context(corpus), question("caseloads"), SCOPE, retrieved(), first)
    assert [r.name for r in after.lists] == [DENSE, LEXICAL, FEEDBACK] and after.fused
    assert corpus.searched[0].startswith('"caseloads" OR ') and '"workloads"' in corpus.searched[0]
    assert 4 in after.ids  # never says "caseloads"
    assert after.signals(4)[FEEDBACK].rank >= 1 and set(after.signals(1)) == {DENSE, LEXICAL, FEEDBACK}


@pytest.mark.parametrize("retriever, match, weight", [("dense", '"caseloads"', 0.5), ("hybrid", None, 0.5),
                                                      ("hybrid", '"caseloads"', 0.0)])
def test_feedback_stands_aside_without_a_lexical_query_or_weight(retriever, match, weight):
    corpus = FakeCorpus([doc(1, "Kent")], PASSAGES)
    first = fuse_lists(retrieved().lists, rrf_k=10)
    after = FeedbackRanker().rank(context(corpus, feedback_weight=weight), question("caseloads", retriever=retriever),
                                  SCOPE, retrieved(match), first)
    assert after is first and corpus.searched == []


def test_feedback_needs_three_passages_to_learn_from():
    corpus = FakeCorpus([doc(1, "Kent")], PASSAGES)
    two = fuse_lists([RankedList(LEXICAL, 1.0, ((1, 3.0), (2, 2.5)))], rrf_k=10)
    assert FeedbackRanker().rank(context(corpus), question("caseloads"), SCOPE, retrieved(), two) is two
