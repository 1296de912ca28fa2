"""The searcher acting on how a question reads: names out of the topic, grades, recency, absent
authorities, judgement areas, feedback, and the relevance floor (a question nothing answers)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from index.embed import HashingEmbedder
from index.report_index import ReportIndex
from index.search import Context, SearchFilters
from index.search.rank import feedback_list
from index.settings import SearchSettings
from tests.index.helpers import make_report


@pytest.fixture
def index(tmp_path):
    idx = ReportIndex.load(tmp_path / "ix", embedder=HashingEmbedder(), create=True)
    idx.upsert(make_report("Leeds", [
        "Leeds is a large city. Leeds council serves many families and Leeds has many partners.",
        "Social workers have manageable caseloads, which allows them to know their children well.",
        "Care leavers have personal advisers who keep in touch and help them find housing.",
    ], year=2017, report_type="sif", overall="inadequate"))
    idx.upsert(make_report("Leeds", [
        "Caseloads are high in the assessment teams, and some workers hold more than thirty children.",
        "Independent reviewing officers challenge drift in plans for children in care.",
    ], year=2022, overall="good", salt="second"))
    idx.upsert(make_report("Kent", [
        "Return home interviews are offered to children who go missing, but many are late.",
        "The IRO footprint on files is weak and IROs rarely escalate concerns.",
    ], year=2019, overall="requires improvement"))
    yield idx
    idx.close()


def test_names_in_the_question_leave_the_searched_words_even_with_a_filter(index):
    filters = SearchFilters.build(authority="leeds")
    response = index.search("what did Leeds say about caseloads?", filters, k=3)
    top = response.results[0].text
    assert "caseloads" in top.lower()
    assert not top.startswith("Leeds is a large city")


def test_grade_words_narrow_and_leave_the_topic(index):
    response = index.search("what do inadequate reports say about caseloads?", k=5)
    assert {r.citation.overall_grade for r in response.results} == {"inadequate"}
    assert "graded inadequate" in response.interpretation


def test_latest_report_of_an_authority(index):
    response = index.search("caseloads in Leeds' latest inspection", k=5)
    assert {r.citation.inspection_start[:4] for r in response.results} == {"2022"}
    assert "latest report" in response.interpretation


def test_a_year_range_narrows(index):
    response = index.search("caseloads since 2020", k=5)
    assert {r.citation.inspection_start[:4] for r in response.results} == {"2022"}


def test_an_authority_not_in_the_index_is_said(index):
    response = index.search("caseloads in Calderdale", k=5)
    assert response.results == []
    assert "Calderdale is not in this index" in response.message
    assert "closest in this index: Leeds" in response.message  # its statistical neighbour that is indexed


def test_an_authority_not_in_the_index_beside_one_that_is(index):
    response = index.search("caseloads in Bradford and Leeds", k=5)
    assert response.results
    assert "Bradford not in this index" in response.interpretation


def test_no_report_matches_what_the_question_asks(index):
    response = index.search("what did outstanding councils say about caseloads?", k=5)
    assert response.results == []
    assert "no report in the index is graded outstanding" in response.message


def test_reverse_acronym_finds_passages_that_print_only_the_acronym(index):
    response = index.search("how do reviewing officers escalate?", k=5, retriever="lexical")
    assert any("IROs rarely escalate" in r.text for r in response.results[:2])


def test_feedback_finds_passages_in_the_words_of_the_first_answers(tmp_path):
    idx = ReportIndex.load(tmp_path / "fb", embedder=HashingEmbedder(), create=True)
    topics = "housing health schools transport parks libraries roads waste".split()
    filler = [f"Topic number {i} concerns {topics[i % 8]} and related {topics[i % 8]} matters in the borough."
              for i in range(90)]
    idx.upsert(make_report("Kent", [
        "Caseloads and workloads are high, so workloads stop social workers visiting children.",
        "Caseloads are reducing; workloads are now manageable for most social workers.",
        "Caseloads in the assessment team and workloads of team managers are monitored weekly.",
        "Managers track workloads of staff closely in every team.",
        *filler,
    ]))
    try:
        searcher = idx.searcher
        first = searcher.store.lexical_search('"caseloads"', 10, None)
        context = Context(searcher.settings, searcher.corpus)
        top = [cid for cid, _ in first[:searcher.settings.feedback_passages]]
        again = feedback_list(context, top, "caseloads", '"caseloads"', None, 10)
        texts = [searcher.store.chunks([cid])[cid].text for cid, _ in again]
        assert texts[0].startswith("Caseloads")  # the question's own words still count
        assert any(t.startswith("Managers track workloads") for t in texts)  # never says "caseloads"
        assert not any(t.startswith("Topic number") for t in texts)
        searcher.settings = replace(searcher.settings, feedback_weight=0.0)
        plain = [r.text for r in idx.search("caseloads", k=10, retriever="lexical").results]
        assert not any(t.startswith("Managers track workloads") for t in plain)
    finally:
        idx.close()


def test_a_question_nothing_answers_gets_a_plain_message_not_padding(index, monkeypatch):
    monkeypatch.setattr(index.searcher, "settings", SearchSettings(relevance_floors={index.embedder.name: 0.5}))
    response = index.search("sleeping arrangements for foster carers' pets", k=8)
    assert len(response.results) <= 3
    assert all(r.below_floor for r in response.results)
    assert response.message.startswith("no passage in")


def test_passages_above_the_floor_are_shown_without_a_message(index, monkeypatch):
    monkeypatch.setattr(index.searcher, "settings", SearchSettings(relevance_floors={index.embedder.name: 0.5}))
    response = index.search("caseloads", k=8)
    assert response.results and response.message is None
    assert all("caseloads" in r.text.lower() for r in response.results)
    assert not any(r.below_floor for r in response.results)
