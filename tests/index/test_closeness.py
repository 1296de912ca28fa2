"""A search whose best passage does not answer closely is said so, with its closest few (index/closeness.py)."""

from __future__ import annotations

from index.closeness import with_close_answer
from index.search import Citation, SearchFilters, SearchResponse, SearchResult
from index.settings import SearchSettings

MODEL = "a-model"
SETTINGS = SearchSettings(answer_floors={MODEL: 0.25})


def _response(similarities: list[float | None], message: str | None = None) -> SearchResponse:
    citation = Citation(file="york_2025.pdf", local_authority="York", report_type="ilacs_standard",
                        report_type_label="ILACS standard inspection", published="2025-04-15",
                        inspection_start=None, inspection_end=None, page_start=1, page_end=1, paragraphs=[],
                        section="Summary", overall_grade="good")
    results = [SearchResult(rank=i, chunk_id=i, doc_id=1, text=f"Passage {i}.", highlights=[], score=0.1,
                            citation=citation, similarity=s) for i, s in enumerate(similarities, start=1)]
    return SearchResponse("what is the difference between SIF and ILACS?", results, SearchFilters(), message,
                          topic="difference between SIF and ILACS")


def test_a_search_whose_best_passage_is_under_the_floor_shows_its_closest_three_as_such():
    shown = with_close_answer(_response([0.17, 0.06, 0.22, 0.21, 0.19]), SETTINGS, MODEL)
    assert [r.rank for r in shown.results] == [1, 2, 3] and all(r.below_floor for r in shown.results)
    assert shown.message == ("no passage in these reports answers closely (difference, sif, ilacs); "
                             "the closest are shown below")


def test_a_close_best_passage_leaves_the_search_as_it_is():
    response = _response([0.17, 0.31, 0.2])
    assert with_close_answer(response, SETTINGS, MODEL) is response
    assert not any(r.below_floor for r in response.results)


def test_nothing_to_judge_leaves_the_search_as_it_is():
    said = _response([0.01], message="no passage in the index answers closely (x); the closest are shown below")
    for response, model in ((said, MODEL), (_response([None, None]), MODEL), (_response([]), MODEL),
                            (_response([0.01]), "another-model")):  # a floor belongs to one model
        assert with_close_answer(response, SETTINGS, model) is response
