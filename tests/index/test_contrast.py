"""'What good looks like': the same question from well and poorly graded reports, on the right judgement."""

from __future__ import annotations

import dataclasses

import pytest

from index.contrast import contrast_search, judgement_for
from index.embed import HashingEmbedder
from index.report_index import ReportIndex
from index.search import SearchFilters
from tests.index.helpers import make_report


def _report(authority: str, year: int, overall: str, care_leavers: str):
    report = make_report(authority, [f"In {authority} personal advisers keep in touch with care leavers."],
                         year=year, overall=overall)
    meta = dataclasses.replace(report.metadata, judgements={"overall_effectiveness": overall,
                                                            "care_leavers": care_leavers})
    return dataclasses.replace(report, metadata=meta)


@pytest.fixture
def index(tmp_path):
    idx = ReportIndex.load(tmp_path / "ix", embedder=HashingEmbedder(), create=True)
    idx.upsert(_report("Leeds", 2022, "good", "inadequate"))  # good overall, poor for care leavers
    idx.upsert(_report("Kent", 2021, "inadequate", "outstanding"))
    idx.upsert(_report("York", 2019, "requires improvement", "requires improvement"))
    yield idx
    idx.close()


@pytest.mark.parametrize(("question", "judgement"), [
    ("how do personal advisers keep in touch with care leavers?", "care_leavers"),
    ("management oversight of child protection plans", "help_and_protection"),
    ("what does good supervision look like?", "overall_effectiveness"),
])
def test_the_judgement_a_question_is_about(question, judgement):
    assert judgement_for(question) == judgement


def test_each_side_holds_only_reports_graded_so_on_that_judgement(index):
    contrast = contrast_search(index.searcher, "how do personal advisers keep in touch with care leavers?")
    assert contrast.judgement == "care_leavers" and contrast.judgement_label == "care leavers"
    assert {r.citation.local_authority for r in contrast.good.results} == {"Kent"}
    assert {r.citation.local_authority for r in contrast.poor.results} == {"Leeds", "York"}


def test_the_users_other_filters_still_apply(index):
    contrast = contrast_search(index.searcher, "how do personal advisers keep in touch with care leavers?",
                               SearchFilters.build(years="2020-2023"))
    assert {r.citation.local_authority for r in contrast.poor.results} == {"Leeds"}


def test_a_grade_in_the_question_grades_neither_column(index):
    # "inadequate councils" read from the words would narrow both columns to inadequate reports.
    contrast = contrast_search(index.searcher, "how do inadequate councils keep in touch with care leavers?")
    assert {r.citation.local_authority for r in contrast.good.results} == {"Kent"}
    assert {r.citation.local_authority for r in contrast.poor.results} == {"Leeds", "York"}
    assert any(r.kind == "grade" and r.effect == "ignored" for r in contrast.good.reading)
