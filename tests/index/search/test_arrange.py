"""arrange.py alone: near-duplicates fold into the first, reports spread, authorities alternate."""

from __future__ import annotations

import random

from index.search.arrange import arrange, collapse, jaccard, similar, spread_reports
from index.search.filters import SearchFilters
from index.search.types import LEXICAL, RankedList, Ranking, Scope
from tests.index.search.fakes import FakeCorpus, chunk, context, doc, question

SCOPE = Scope(allowed=None, favoured=None, kind=None, notes=())
TEXT = ("Care leavers have personal advisers who keep in touch with them and help them to find suitable housing. "
        "Most young people are in education, employment or training, and their pathway plans are reviewed "
        "regularly with them by advisers who know them well and understand their needs.")


def ranking(*ids: int) -> Ranking:
    items = tuple((cid, 1.0 / (i + 1)) for i, cid in enumerate(ids))
    return Ranking(items=items, lists=(RankedList(LEXICAL, 1.0, items),), fused=True)


def test_near_duplicates_collapse_to_one_with_duplicates_counted():
    corpus = FakeCorpus([doc(1, "Leeds"), doc(2, "Kent")], [
        chunk(10, 1, TEXT),
        chunk(20, 2, TEXT.replace("suitable", "good")),  # near-identical: one word differs
        chunk(30, 2, "Return home interviews are offered to children who go missing, but many are late."),
    ])
    arranged = arrange(context(corpus), question("care leavers", k=5), SCOPE, ranking(10, 20, 30))
    assert [(k.row.id, k.duplicates) for k in arranged.kept] == [(10, 1), (30, 0)]
    assert arranged.kept[0].score == 1.0  # the first one's score


def test_identical_text_collapses_and_k_bounds_the_results():
    corpus = FakeCorpus([doc(1, "Leeds"), doc(2, "Kent")],
                        [chunk(i, 1 + i % 2, f"passage {i} says something else entirely, number {i}") for i in range(6)]
                        + [chunk(9, 2, "passage 0 says something else entirely, number 0")])
    kept = collapse(corpus, [(cid, 1.0) for cid in (0, 9, 1, 2, 3, 4, 5)], k=3, near_duplicate=0.8)
    assert [(k.row.id, k.duplicates) for k in kept] == [(0, 1), (1, 0), (2, 0)]


def test_deleted_passages_are_skipped():
    corpus = FakeCorpus([doc(1, "Leeds")], [chunk(1, 1, "one two three four"), chunk(3, 1, "five six seven eight")])
    assert [k.row.id for k in collapse(corpus, [(1, 1.0), (2, 0.9), (3, 0.8)], 5, 0.8)] == [1, 3]


def test_no_report_holds_more_than_its_share_of_the_top():
    corpus = FakeCorpus([doc(1, "Leeds"), doc(2, "Kent")],
                        [chunk(i, 1, f"a{i}") for i in range(1, 5)] + [chunk(9, 2, "b")])
    pairs = [(1, 0.9), (2, 0.8), (3, 0.7), (9, 0.6), (4, 0.5)]
    assert [cid for cid, _ in spread_reports(corpus, pairs, cap=2, depth=100)] == [1, 2, 9, 3, 4]


def test_authorities_named_in_the_question_alternate():
    corpus = FakeCorpus([doc(1, "Leeds"), doc(2, "Kent")],
                        [chunk(1, 1, "leeds one"), chunk(2, 1, "leeds two"), chunk(3, 2, "kent one"),
                         chunk(4, 2, "kent two")])
    asked = question("caseloads in Leeds and Kent", corpus, k=4)
    arranged = arrange(context(corpus), asked, SCOPE, ranking(1, 2, 3, 4))
    assert [k.row.id for k in arranged.kept] == [1, 3, 2, 4]
    filtered = question("caseloads in Leeds and Kent", corpus, SearchFilters(authorities=["Leeds", "Kent"]), k=4)
    spread = arrange(context(corpus, per_report=0), filtered, SCOPE, ranking(1, 2, 3, 4))
    assert [k.row.id for k in spread.kept] == [1, 2, 3, 4]  # a filter chose them: the ranking's order


def test_similar_answers_as_the_jaccard_threshold_does():
    """The size bound only skips pairs that could not reach the threshold (sizes at the bound too)."""
    rng = random.Random(3)
    pairs = [(set(range(4)), set(range(5))), (set(range(8)), set(range(10))), (set(), {1}), (set(), set())]
    for _ in range(3000):
        universe = rng.randint(1, 30)
        pairs.append(({x for x in range(universe) if rng.random() < 0.8},
                      {x for x in range(universe) if rng.random() < rng.random()}))
    for a, b in pairs:
        for threshold in (0.5, 0.8, 0.9):
            assert similar(a, b, threshold) == (jaccard(a, b) >= threshold), (a, b, threshold)
