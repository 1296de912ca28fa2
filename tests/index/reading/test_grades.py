"""Grades read only in a grading context, on the judgement they grade; recency only of reports."""

from __future__ import annotations

import pytest

from index.reading.grades import find_grades


@pytest.mark.parametrize("question", [
    "good judgements by social workers",
    "good areas of practice",
    "inadequate services for disabled children",
    "inadequate management oversight of plans",
    "outstanding actions from previous inspections",
    "practice that still requires improvement on return home interviews",
    "what does good supervision look like?",
])
def test_grade_words_that_grade_nothing(question):
    assert find_grades(question, []).grades == []


@pytest.mark.parametrize(("question", "grades", "judgement"), [
    ("what do outstanding-rated councils do differently?", ["outstanding"], "overall_effectiveness"),
    ("RI councils' plans for the workforce", ["requires improvement"], "overall_effectiveness"),
    ("failing councils and agency staff", ["inadequate"], "overall_effectiveness"),
    ("councils that are inadequate", ["inadequate"], "overall_effectiveness"),
    ("northants' 2019 inadequate judgement", ["inadequate"], "overall_effectiveness"),
    ("why were children in care judged requires improvement in Worcestershire in 2023?",
     ["requires improvement"], "in_care"),
    ("surrey care leavers judged inadequate", ["inadequate"], "care_leavers"),
    ("south east leadership judged inadequate", ["inadequate"], "impact_of_leaders"),
    ("reports rated good or outstanding for help and protection", ["good", "outstanding"], "help_and_protection"),
    ("councils in London with inadequate help and protection", ["inadequate"], "help_and_protection"),
    ("councils rated inadequate for care leavers", ["inadequate"], "care_leavers"),
])
def test_grades_in_a_grading_context_on_their_judgement(question, grades, judgement):
    found = find_grades(question, [])
    assert (found.grades, found.judgement) == (grades, judgement)


def test_a_grade_told_as_the_past_is_not_the_grade_wanted():
    found = find_grades("after years of inadequate ratings, how did Doncaster's trust change?", [])
    assert found.grades == [] and found.earlier == ["inadequate"]


@pytest.mark.parametrize(("question", "latest"), [
    ("recent visits to children in care", False),
    ("last visits before a placement move", False),
    ("latest guidance on return home interviews", False),
    ("current practice on staying put", False),
    ("Kent's current rating", True),
    ("Liverpool's most recent inspection on exploitation", True),
    ("last time ofsted went into croydon what did they find", True),
    ("the most recent report for each london borough", True),
])
def test_latest_only_of_reports(question, latest):
    assert find_grades(question, []).latest is latest
