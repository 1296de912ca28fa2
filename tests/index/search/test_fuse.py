"""fuse.py alone: weighted reciprocal rank fusion of named lists, in order, with every list's signals."""

from __future__ import annotations

import pytest

from index.fusion import reciprocal_rank_fusion
from index.search.fuse import fuse, fuse_lists
from index.search.types import DENSE, LEXICAL, YEAR_DENSE, RankedList, Retrieved, Scope, Signal, Stop
from tests.index.search.fakes import FakeCorpus, context, question

SCOPE = Scope(allowed=None, favoured=None, kind=None, notes=())
DENSE_LIST = RankedList(DENSE, 1.0, ((1, 0.9), (2, 0.8), (3, 0.7)))
LEXICAL_LIST = RankedList(LEXICAL, 1.0, ((3, 12.5), (4, 9.0), (1, 2.0)))


def retrieved(*lists: RankedList) -> Retrieved:
    return Retrieved(lists=lists, match='"x"', vector=None, notes=())


def test_two_lists_fuse_as_reciprocal_rank_fusion_with_each_lists_rank_and_score():
    ranking = fuse(context(FakeCorpus([])), question("x"), SCOPE, retrieved(DENSE_LIST, LEXICAL_LIST))
    expected = reciprocal_rank_fusion([[1, 2, 3], [3, 4, 1]], k=10, weights=[1.0, 1.0])
    assert list(ranking.items) == expected and ranking.fused
    assert ranking.ids[:2] == [1, 3]  # 1/11 + 1/13 ties 1/13 + 1/11: the dense list's first comes first
    assert ranking.signals(3) == {DENSE: Signal(3, 0.7), LEXICAL: Signal(1, 12.5)}
    assert ranking.signals(4) == {LEXICAL: Signal(2, 9.0)}
    first = ranking.candidates[0]
    assert (first.id, first.score, set(first.signals)) == (1, expected[0][1], {DENSE, LEXICAL})


def test_list_order_breaks_ties_and_weights_count():
    swapped = fuse_lists([LEXICAL_LIST, DENSE_LIST], rrf_k=10)
    assert swapped.ids[:2] == [3, 1]
    heavier = fuse_lists([DENSE_LIST, RankedList(LEXICAL, 3.0, LEXICAL_LIST.items)], rrf_k=10)
    assert heavier.ids[0] == 3


def test_empty_lists_add_nothing_but_are_kept():
    empty = RankedList(YEAR_DENSE, 1.0, ())
    ranking = fuse_lists([DENSE_LIST, empty, LEXICAL_LIST], rrf_k=10)
    assert ranking.items == fuse_lists([DENSE_LIST, LEXICAL_LIST], rrf_k=10).items
    assert [r.name for r in ranking.lists] == [DENSE, YEAR_DENSE, LEXICAL]


def test_one_retriever_alone_keeps_its_own_order_and_scores():
    corpus = FakeCorpus([])
    only = fuse(context(corpus), question("x", retriever="lexical"), SCOPE,
                retrieved(RankedList(DENSE, 1.0, ()), LEXICAL_LIST))
    assert only.items == LEXICAL_LIST.items and not only.fused
    year = Scope(allowed=None, favoured=(1,), kind=None, notes=())
    with_years = fuse(context(corpus), question("x", retriever="dense"), year, retrieved(DENSE_LIST))
    assert with_years.fused  # the named years' lists are always fused in


def test_nothing_retrieved_stops_the_search():
    with pytest.raises(Stop, match="nothing matched"):
        fuse(context(FakeCorpus([])), question("x"), SCOPE, retrieved(RankedList(DENSE, 1.0, ())))
