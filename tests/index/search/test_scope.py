"""scope.py alone: filters, then the question's own words, narrow the reports; each narrowing is said."""

from __future__ import annotations

import pytest

from index.search.filters import QueryError, SearchFilters
from index.search.latest import latest_of_each
from index.search.read import read
from index.search.scope import allowed_documents, scope
from index.search.types import SearchRequest, Stop
from tests.index.search.fakes import FakeCorpus, context, doc, question

DOCS = [
    doc(1, "Leeds", 2017, "inadequate", report_type="sif"),
    doc(2, "Leeds", 2022, "good"),
    doc(3, "Kent", 2019, "requires improvement"),
    doc(4, "Bradford", 2018, "inadequate"),
    doc(5, "Kent", 2023, None, report_type="other_ofsted"),
]


def scoped(text: str, filters: SearchFilters | None = None):
    corpus = FakeCorpus(DOCS)
    return scope(context(corpus), question(text, corpus, filters))


def test_no_filter_and_a_plain_question_allow_every_report():
    result = scoped("how are caseloads managed?")
    assert result.allowed is None and result.favoured is None and result.notes == ()


def test_filters_narrow_and_combine():
    corpus = FakeCorpus(DOCS)
    assert allowed_documents(corpus, SearchFilters.build(authority="leeds")) == [1, 2]
    assert allowed_documents(corpus, SearchFilters.build(authority="kent", year=2019)) == [3]
    assert allowed_documents(corpus, SearchFilters.build(grade="inadequate", latest_only=True)) == [4]
    assert allowed_documents(corpus, SearchFilters.build(section_kind="recommendations")) is None
    assert allowed_documents(corpus, SearchFilters.build(region="Yorkshire and the Humber")) == [1, 2, 4]


def test_an_unknown_authority_is_an_error_naming_close_ones():
    with pytest.raises(QueryError, match="did you mean Leeds"):
        allowed_documents(FakeCorpus(DOCS), SearchFilters(authorities=["Leedz"]))


def test_filters_matching_nothing_stop_the_search():
    with pytest.raises(Stop, match="no report in the index matches these filters"):
        scoped("caseloads", SearchFilters.build(authority="Leeds", year=2019))


def test_the_questions_words_narrow_where_no_filter_chose_and_say_so():
    result = scoped("caseloads in Leeds since 2020")
    assert result.allowed == (2,)
    assert result.notes == ("only Leeds", "2020 or later")
    filtered = scoped("caseloads in Leeds", SearchFilters.build(authority="Kent"))
    assert filtered.allowed == (3, 5)  # the filter chose the authority: the question's name does not narrow


def test_a_grade_or_latest_in_the_question_narrows():
    assert scoped("what do inadequate reports say about caseloads?").allowed == (1, 4)
    assert scoped("caseloads in each council's latest inspection").allowed == (2, 3, 4)


def test_nothing_left_once_the_question_narrowed_stops_with_its_reading():
    with pytest.raises(Stop, match=r"no report in the index is only Bradford; 2020 or later") as stop:
        scoped("caseloads in Bradford since 2020")
    assert stop.value.interpretation == "only Bradford; 2020 or later"


def test_an_authority_not_in_the_index_stops_naming_the_closest():
    with pytest.raises(Stop, match="Calderdale is not in this index; the closest in this index:") as stop:
        scoped("caseloads in Calderdale")
    assert stop.value.interpretation == "only Calderdale"


def test_named_years_favour_their_reports_unless_that_changes_nothing():
    result = scoped("caseloads in 2019")
    assert result.allowed is None and result.favoured == (3,) and result.notes == ("favouring 2019",)
    only = scoped("caseloads in Kent in 2019", SearchFilters.build(authority="Kent", report_type="ilacs_standard"))
    assert only.favoured is None and only.notes == ()  # the filter chose Kent; "favouring 2019" changes nothing


def test_recommendations_only_is_said():
    result = scoped("caseloads", SearchFilters.build(section_kind="recommendations"))
    assert result.kind == "recommendations" and result.notes == ("recommendations only",)


def test_an_inspection_outranks_a_later_letter_as_the_latest_report():
    docs = {d.id: d for d in DOCS}
    assert latest_of_each(docs, [3, 5]) == [3]
    assert latest_of_each(docs, [5]) == [5]


def readings(result) -> list[tuple[str, str, str]]:
    return [(r.kind, r.effect, r.label) for r in result.readings]


def test_every_narrowing_and_favouring_is_a_reading_and_the_notes_say_the_same():
    result = scoped("caseloads in Leeds")
    assert result.allowed == (1, 2) and result.favoured == (2,)  # its latest report favoured, none dropped
    assert readings(result) == [("authority", "narrowed", "only Leeds"),
                                ("latest", "favoured", "favouring the latest report")]
    assert result.notes == tuple(r.label for r in result.readings)


def test_a_grade_said_with_a_council_and_year_favours_and_never_drops_that_report():
    result = scoped("why was Leeds judged good in 2017?")  # Leeds 2017 was inadequate
    assert result.allowed == (1, 2) and result.favoured == (1,)
    # Favouring good reports as well would leave none of 2017's: that favouring is not applied, nor said.
    assert readings(result) == [("authority", "narrowed", "only Leeds"), ("year", "favoured", "favouring 2017")]


def test_ignore_reading_undoes_a_kind_and_says_so():
    corpus = FakeCorpus(DOCS)
    corpus.plan_names = lambda: ({d.authority_key for d in DOCS}, {})
    text = "caseloads in Leeds since 2020"
    q = read(context(corpus), SearchRequest(text, SearchFilters.build(ignore_reading=["authority"]), 5, "hybrid"))
    result = scope(context(corpus), q)
    assert result.allowed == (2, 5)  # 2020 or later still narrows; Leeds does not
    assert ("authority", "ignored", "only Leeds") in readings(result)
    assert "only Leeds" not in result.notes and "Leeds" in q.topic
    everything = read(context(corpus), SearchRequest(text, SearchFilters.build(ignore_reading="all"), 5, "hybrid"))
    alone = scope(context(corpus), everything)
    assert alone.allowed is None and alone.readings == () and everything.topic == text


def test_a_region_and_neighbours_narrow():
    result = scoped("caseloads in councils in Yorkshire and the Humber")
    assert result.allowed == (1, 2, 4) and readings(result)[0] == ("region", "narrowed",
                                                                  "councils in Yorkshire and the Humber")
    near = scoped("caseloads in councils like Bradford")
    assert ("neighbours", "narrowed", "Bradford's statistical neighbours") in readings(near)
    assert 4 in near.allowed


def test_what_needs_to_improve_favours_the_recommendations():
    result = scoped("what needs to improve on caseloads?")
    assert result.allowed is None and result.favoured_kind == "recommendations"
    assert ("section", "favoured", "favouring recommendations") in readings(result)
    chosen = scoped("what needs to improve on caseloads?", SearchFilters.build(section_kind="recommendations"))
    assert chosen.favoured_kind is None  # the filter already chose that kind


def test_a_misspelt_council_is_corrected_and_applied():
    result = scoped("caseloads in Bradfird")
    assert readings(result)[:2] == [("authority", "corrected", "Bradfird read as Bradford"),
                                    ("authority", "narrowed", "only Bradford")]
    assert result.allowed == (4,)


def test_two_judgements_with_their_own_grades_must_both_hold():
    docs = [doc(1, "Leeds", 2022, "requires improvement", in_care="good"),
            doc(2, "Kent", 2022, "good", in_care="good"),
            doc(3, "Bradford", 2022, "requires improvement", in_care="inadequate")]
    corpus = FakeCorpus(docs)
    result = scope(context(corpus), question("councils good for children in care but RI overall", corpus))
    assert result.allowed == (1,)
    assert result.notes == ("graded good for children in care and requires improvement overall",)
