"""Fuse: the retrieval lists become one `Ranking`, by weighted reciprocal rank fusion (index/fusion.py).

Lists are fused in their order (types.LIST_NAMES), which breaks ties: the passage seen first
wins. A single retriever's lists (dense or lexical alone, no year lists) are not fused: that
list's own order and scores are the ranking.

Settings read: rrf_k.
"""

from __future__ import annotations

from collections.abc import Sequence

from index.fusion import reciprocal_rank_fusion
from index.search.types import DENSE, LEXICAL, Context, Question, RankedList, Ranking, Retrieved, Scope, Stop


def fuse(context: Context, question: Question, scope: Scope, retrieved: Retrieved) -> Ranking:
    """One ranking of every passage retrieved.

    Args:
        context: this query's settings.
        question: the question (its retriever).
        scope: the scope (whether the favoured reports' lists were retrieved).
        retrieved: the lists, in fusion order.

    Returns:
        The Ranking: fused when hybrid or with year lists, else the dense or lexical list as it came.

    Raises:
        Stop: nothing was retrieved.
    """
    if question.retriever == "hybrid" or scope.favoured is not None:
        ranking = fuse_lists(retrieved.lists, context.settings.rrf_k)
    else:
        dense, lexical = retrieved.get(DENSE), retrieved.get(LEXICAL)
        alone = dense.items if dense is not None and dense.items else lexical.items if lexical is not None else ()
        ranking = Ranking(items=alone, lists=retrieved.lists, fused=False)
    if not ranking.items:
        raise Stop("nothing matched; try other words or remove filters")
    return ranking


def fuse_lists(lists: Sequence[RankedList], rrf_k: int) -> Ranking:
    """The weighted reciprocal rank fusion of these lists, in this order (empty lists add nothing).

    Args:
        lists: the lists, in fusion order.
        rrf_k: the fusion constant (SearchSettings.rrf_k).

    Returns:
        A fused Ranking that keeps all of `lists`.
    """
    used = [ranked for ranked in lists if ranked.items]
    fused = reciprocal_rank_fusion([ranked.ids for ranked in used], k=rrf_k, weights=[r.weight for r in used])
    return Ranking(items=tuple(fused), lists=tuple(lists), fused=True)
