"""Filters on the five judgements, each authority's latest report, regions and statistical neighbours."""

from __future__ import annotations

import dataclasses

import pytest

from index.embed import HashingEmbedder
from index.report_index import ReportIndex
from index.search import QueryError, SearchFilters
from ingest.authorities import default_registry
from tests.index.helpers import make_report


def text(where: str) -> list[str]:
    # Each report's own wording: identical passages would be shown once, as duplicates.
    return [f"In {where} care leavers are supported by personal advisers who keep in touch."]


def _with_judgements(report, **judgements):
    meta = dataclasses.replace(report.metadata, judgements={**report.metadata.judgements, **judgements})
    return dataclasses.replace(report, metadata=meta)


@pytest.fixture
def index(tmp_path):
    idx = ReportIndex.load(tmp_path / "ix", embedder=HashingEmbedder(), create=True)
    idx.upsert(_with_judgements(make_report("Leeds", text("Leeds 2015"), year=2015, overall="inadequate"),
                                care_leavers="inadequate"))
    idx.upsert(_with_judgements(make_report("Leeds", text("Leeds 2022"), year=2022, overall="outstanding", salt="b"),
                                care_leavers="outstanding"))
    idx.upsert(_with_judgements(make_report("Bradford", text("Bradford"), year=2019, overall="good"),
                                care_leavers="good"))
    idx.upsert(make_report("Kent", text("Kent"), year=2021, overall="good"))
    yield idx
    idx.close()


def _authorities(index, filters: SearchFilters) -> list[tuple[str, str]]:
    response = index.search("personal advisers for care leavers", filters, k=10)
    return sorted({(r.citation.local_authority, r.citation.published[:4] if r.citation.published else "")
                   for r in response.results})


def test_a_judgement_filter_reads_each_reports_own_grade(index):
    found = _authorities(index, SearchFilters.build(judgement=["care_leavers=outstanding", "care_leavers=good"]))
    assert [a for a, _ in found] == ["Bradford", "Leeds"]
    assert all(year != "2015" for _, year in found)
    assert _authorities(index, SearchFilters.build(judgement={"care_leavers": "inadequate"}))[0][0] == "Leeds"


def test_latest_report_of_each_authority_only(index):
    found = _authorities(index, SearchFilters.build(latest_only=True))
    assert sorted(a for a, _ in found) == ["Bradford", "Kent", "Leeds"]
    assert ("Leeds", "2015") not in found
    # "latest" is each authority's newest report, then the other filters: Leeds is not inadequate now.
    assert _authorities(index, SearchFilters.build(latest_only=True, grade="inadequate")) == []


def test_a_later_visit_letter_is_never_an_authoritys_latest_report(index):
    # Kent's monitoring visit letter (2024) is newer than its inspection (2021), and has no grade.
    index.upsert(make_report("Kent", text("Kent's monitoring visit"), year=2024, report_type="other_ofsted",
                             overall=None))
    found = _authorities(index, SearchFilters.build(latest_only=True, grade="good"))
    assert "Kent" in {a for a, _ in found}  # still good now: its latest inspection
    letters = index.search("personal advisers for care leavers", SearchFilters.build(report_type="other_ofsted"))
    assert [r.citation.report_type for r in letters.results] == ["other_ofsted"]
    assert letters.results[0].citation.report_type_label == "Other Ofsted publication"
    others = index.search("personal advisers for care leavers", SearchFilters.build(report_type="ilacs_standard"))
    assert "other_ofsted" not in {r.citation.report_type for r in others.results}


def test_region_and_statistical_neighbours(index):
    assert {a for a, _ in _authorities(index, SearchFilters.build(region="yorkshire and the humber"))} == {
        "Leeds", "Bradford"}
    near = {a.name for a in default_registry().neighbours("Bradford")}
    found = {a for a, _ in _authorities(index, SearchFilters.build(neighbours_of="Bradford"))}
    assert "Bradford" in found and "Kent" not in found and found <= near | {"Bradford"}


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"judgement": ["care_leavers=brilliant"]}, "valid: outstanding, good"),
    ({"judgement": ["leavers=good"]}, "valid: overall_effectiveness, impact_of_leaders"),
    ({"judgement": ["care_leavers"]}, "JUDGEMENT=GRADE"),
    ({"region": "Narnia"}, "valid: East Midlands"),
    ({"neighbours_of": "Worcestershir"}, "did you mean Worcestershire"),
])
def test_bad_filters_say_what_is_valid(kwargs, message):
    with pytest.raises(QueryError, match=message):
        SearchFilters.build(**kwargs)


def test_the_beginning_of_one_authoritys_name_is_that_authority(index):
    # "brad" + Enter in the authority box: the one authority whose name begins so.
    assert {a for a, _ in _authorities(index, SearchFilters.build(authority="brad"))} == {"Bradford"}
    assert {a for a, _ in _authorities(index, SearchFilters.build(authority="LEE"))} == {"Leeds"}


def test_an_authority_filter_that_matches_nothing_suggests_names(index):
    index.upsert(make_report("Kensington and Chelsea", text("Kensington"), year=2020))
    with pytest.raises(QueryError, match="did you mean"):
        index.search("care leavers", SearchFilters.build(authority="Narnia Bradfort"), k=3)
    with pytest.raises(QueryError, match="did you mean Kensington and Chelsea, Kent"):
        index.search("care leavers", SearchFilters.build(authority="ken"), k=3)  # two begin so: neither is taken
