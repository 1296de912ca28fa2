"""present.py alone: the relevance floor (before highlighting), ranks, citations and notes."""

from __future__ import annotations

import numpy as np

from index.search.present import present
from index.search.types import DENSE, LEXICAL, Arranged, Kept, RankedList, Retrieved, Scope
from tests.index.search.fakes import FakeCorpus, chunk, context, doc, question

SCOPE = Scope(allowed=None, favoured=None, kind=None, notes=("reports of Leeds",))
QUESTION_VECTOR = np.array([1.0, 0.0], dtype=np.float32)
PASSAGES = [
    chunk(1, 1, "Caseloads are manageable, so social workers know their children well."),
    chunk(2, 1, "The council offices moved to a new building in the city centre."),
    chunk(3, 1, "Independent reviewing officers challenge drift in plans for children."),
    chunk(4, 1, "Parks and libraries are open on weekdays and at weekends."),
]
# Cosines to the question: 0.6, 0.1, 0.05, 0.2.
VECTORS = {1: [0.6, 0.8], 2: [0.1, 0.995], 3: [0.05, 0.9987], 4: [0.2, 0.98]}


def corpus() -> FakeCorpus:
    filler = [chunk(100 + i, 1, f"filler passage {i} about something else") for i in range(40)]
    return FakeCorpus([doc(1, "Leeds")], PASSAGES + filler, VECTORS)


def retrieved(vector=QUESTION_VECTOR) -> Retrieved:
    return Retrieved(lists=(RankedList(DENSE, 1.0, ((4, 0.2), (1, 0.6))), RankedList(LEXICAL, 1.0, ((1, 3.0),))),
                     match='"caseloads"', vector=vector, notes=("also searched: workloads (for caseloads)",))


def arranged(*ids: int) -> Arranged:
    return Arranged(tuple(Kept(PASSAGES[i - 1], 1.0 / n, duplicates=i % 2) for n, i in enumerate(ids, start=1)))


def floored(**settings):
    return context(corpus(), relevance_floors={"fake-model": 0.5}, **settings)


def test_the_floor_hides_passages_neither_close_nor_holding_a_distinctive_word():
    asked = question("what about budgets for caseloads?")
    response = present(floored(distinctive_idf=1.0), asked, SCOPE, retrieved(), arranged(4, 1, 2))
    assert [(r.rank, r.chunk_id) for r in response.results] == [(1, 1)]  # close; and holds "caseloads"
    assert response.message is None and not response.results[0].below_floor
    assert (response.results[0].dense_rank, response.results[0].lexical_rank) == (2, 1)
    assert response.results[0].similarity == 0.6 and response.results[0].highlights
    assert response.interpretation == "reports of Leeds; also searched: workloads (for caseloads)"
    assert response.topic == asked.topic


def test_a_distinctive_word_keeps_a_passage_under_the_floor():
    response = present(floored(distinctive_idf=1.0), question("reviewing officers"), SCOPE, retrieved(),
                       arranged(2, 3))
    assert [r.chunk_id for r in response.results] == [3]


def test_when_nothing_clears_the_floor_the_closest_few_are_shown_as_such():
    response = present(floored(closest_shown=2), question("pets in foster homes"), SCOPE, retrieved(),
                       arranged(2, 3, 4))
    assert [(r.rank, r.chunk_id, r.below_floor) for r in response.results] == [(1, 2, True), (2, 3, True)]
    assert response.message == ("no passage in these reports answers closely (pets, foster, homes); "
                                "the closest are shown below")


def test_without_a_question_embedding_or_a_floor_every_passage_is_shown():
    lexical_only = present(floored(), question("pets"), SCOPE, retrieved(vector=None), arranged(2, 3))
    assert [r.similarity for r in lexical_only.results] == [None, None] and lexical_only.message is None
    no_floor = present(context(corpus()), question("pets"), SCOPE, retrieved(), arranged(2, 3))
    assert [r.chunk_id for r in no_floor.results] == [2, 3] and no_floor.results[0].similarity == 0.1


def test_a_passage_of_a_report_added_meanwhile_makes_the_reports_be_read_again():
    view = corpus()
    stray = Kept(chunk(7, 99, "a passage of a report added since"), 0.5)
    response = present(context(view), question("caseloads"), SCOPE, retrieved(),
                       Arranged((Kept(PASSAGES[0], 1.0), stray)))
    assert view.forgotten == 1 and [r.chunk_id for r in response.results] == [1]
    assert response.results[0].citation.local_authority == "Leeds" and response.results[0].citation.page_start == 1
