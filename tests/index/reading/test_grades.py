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


@pytest.mark.parametrize("question", [
    "children's homes rated good near the border",
    "schools rated inadequate and exclusions",
    "good-rated schools and virtual heads",
    "foster carers rated outstanding by their children",
    "practice that is still good",
    "which councils are good at life story work",
])
def test_grades_of_other_things_are_not_councils_grades(question):
    assert find_grades(question, []).grades == []


@pytest.mark.parametrize(("question", "taken", "grades", "judgement"), [
    # a bare grade after a council's name (the span given as taken) or a judgement: favoured
    ("herefordshire inadequate 2018", [(0, 13)], ["inadequate"], "overall_effectiveness"),
    ("trafford help and protection inadequate", [(0, 8)], ["inadequate"], "help_and_protection"),
    ("is Slough still inadequate", [(3, 9)], ["inadequate"], "overall_effectiveness"),
])
def test_a_grade_said_without_a_grading_word_is_favoured(question, taken, grades, judgement):
    found = find_grades(question, taken)
    assert (found.grades, found.judgement, found.weak) == (grades, judgement, True)


@pytest.mark.parametrize(("question", "grades"), [
    ("the best-rated councils' approach to edge of care", ["outstanding"]),
    ("well rated councils and agency staff", ["outstanding", "good"]),
    ("councils in special measures", ["inadequate"]),
    ("which councils were downgraded to inadequate in 2023", ["inadequate"]),
    ("councils that improved from requires improvement to good", ["good"]),
    ("which councils are outstanding", ["outstanding"]),
    ("local authorities requiring improvement", ["requires improvement"]),
    ("high performing councils and their workforce", ["outstanding", "good"]),
])
def test_grades_said_in_other_words(question, grades):
    found = find_grades(question, [])
    assert found.grades == grades and not found.weak


@pytest.mark.parametrize(("question", "taken", "latest"), [
    ("what is Nottingham rated now", [(8, 18)], True),
    ("which councils are currently rated inadequate", [], True),
    ("how is sheffield doing now on child protection", [(7, 16)], True),
    ("what did Ofsted find when they last inspected Wigan", [(46, 51)], True),
    ("what grade did Surrey get last time", [(15, 21)], True),
    ("what is Devon rated?", [(8, 13)], True),
    ("what's the latest on Birmingham", [(21, 31)], True),
    ("what's the latest on family hubs", [], False),
    ("children last visited by their social worker", [], False),
    ("how are councils rated", [], False),
])
def test_latest_said_as_people_say_it(question, taken, latest):
    assert find_grades(question, taken).latest is latest


@pytest.mark.parametrize(("question", "judgement"), [
    ("children in care services rated requires improvement in the north west", "in_care"),
    ("care leaver services judged outstanding", "care_leavers"),
    ("worst performing councils for care leavers", "care_leavers"),
    ("an inadequate judgement for children in need of help and protection", "help_and_protection"),
])
def test_the_judgement_graded_in_other_words(question, judgement):
    assert find_grades(question, []).judgement == judgement


@pytest.mark.parametrize(("question", "grades", "judgement"), [
    ("councils whose most recent judgement was outstanding", ["outstanding"], "overall_effectiveness"),
    ("councils with inadequate judgements for children in care since 2015", ["inadequate"], "in_care"),
    ("manchester when it was inadequate", ["inadequate"], "overall_effectiveness"),
    ("leadership in good versus requires improvement reports", ["good", "requires improvement"],
     "overall_effectiveness"),
    ("which reports judged the experiences of children who need help and protection to be outstanding",
     ["outstanding"], "help_and_protection"),
    ("children in care judgement requires improvement - common weaknesses", ["requires improvement"], "in_care"),
    ("how did telford get outstanding in 2020", ["outstanding"], "overall_effectiveness"),
])
def test_grades_in_more_words(question, grades, judgement):
    found = find_grades(question, [])
    assert (found.grades, found.judgement) == (grades, judgement)


@pytest.mark.parametrize(("question", "latest"), [
    ("councils whose most recent judgement was outstanding", True),
    ("as of today what is the rating", True),
    ("what did ofsted say most recently about the front door", True),
    ("what's new in the latest ILACS framework", False),
    ("outstanding council tax debts for care leavers", False),
])
def test_latest_in_more_words(question, latest):
    assert find_grades(question, []).latest is latest


@pytest.mark.parametrize(("question", "grades", "judgement"), [
    ("authorities where the impact of leaders was outstanding", ["outstanding"], "impact_of_leaders"),
    ("care leavers RI - what are the usual gaps", ["requires improvement"], "care_leavers"),
    ("in care judgement outstanding, west midlands region", ["outstanding"], "in_care"),
    ("RI or worse: what do inspectors say about the front door", ["inadequate", "requires improvement"],
     "overall_effectiveness"),
    ("which councils got outstanding for experiences and progress of children in care since 2022", ["outstanding"],
     "in_care"),
])
def test_grades_in_yet_more_words(question, grades, judgement):
    found = find_grades(question, [])
    assert (sorted(found.grades), found.judgement) == (sorted(grades), judgement)


@pytest.mark.parametrize("question", [
    "who is rated outstanding right now in the north east",
    "what did ofsted find last time they went into calderdale",
    "what did the latest waltham forest inspection say about adolescents",
])
def test_latest_in_yet_more_words(question):
    assert find_grades(question, []).latest


@pytest.mark.parametrize("question", [
    "where is sandwell at now with ofsted",
    "has lambeth been inspected recently? what did the latest one say",
    "how does calderdale look now according to ofsted",
    "what's the latest from ofsted on bradford children's trust",
    "how many councils are failing right now?",
])
def test_latest_said_in_everyday_words(question):
    assert find_grades(question, [(6, 13)] if question.startswith("where") else []).latest


def test_two_judgements_with_different_grades_keep_the_first_pair():
    found = find_grades("reports where help and protection was judged good but children in care was RI", [])
    assert (found.grades, found.judgement) == (["good"], "help_and_protection")
    found = find_grades("councils judged inadequate overall but good for care leavers", [])
    assert (found.grades, found.judgement) == (["inadequate"], "overall_effectiveness")


@pytest.mark.parametrize(("question", "grades", "latest"), [
    ("councils whose most recent inspection found them inadequate", ["inadequate"], True),
    ("LAs currently RI for children in care", ["requires improvement"], True),
    ("which authorities got 'requires improvement to be good' overall in 2019", ["requires improvement"], False),
])
def test_grades_and_latest_in_other_phrasings(question, grades, latest):
    found = find_grades(question, [])
    assert (found.grades, found.latest) == (grades, latest)


@pytest.mark.parametrize(("question", "taken", "grades", "judgement"), [
    ("impact of leaders outstanding in london boroughs", [], ["outstanding"], "impact_of_leaders"),
    ("north lincolnshire outstanding rating", [(0, 18)], ["outstanding"], "overall_effectiveness"),
])
def test_bare_grades_beside_a_judgement_or_a_name(question, taken, grades, judgement):
    found = find_grades(question, taken)
    assert (found.grades, found.judgement) == (grades, judgement)


def test_the_current_overall_effectiveness_judgement_is_the_latest():
    assert find_grades("what is the current overall effectiveness judgement for somerset", []).latest


def test_good_or_better_after_a_grading_word():
    assert find_grades("councils rated good or better", []).grades == ["good", "outstanding"]


def test_a_judgement_then_where_then_its_grade():
    question = "care leavers in the north east rated outstanding since 2019"
    found = find_grades(question, [(13, 30), (49, 59)])  # the region and the period, read already
    assert (found.grades, found.judgement) == (["outstanding"], "care_leavers")


@pytest.mark.parametrize("question", [
    "parenting capacity judged inadequate by the social worker - how do reports handle threshold",
    "a care plan rated good by the court",
])
def test_what_others_judge_is_no_councils_grade(question):
    assert find_grades(question, []).grades == []


@pytest.mark.parametrize(("question", "council"), [
    ("whats the latest on wakefeild", "wakefeild"),
    ("lambeth's current ofsted position", "lambeth's"),
    ("what did ofsted say about wigan's leaving care team last year they were inspected", "wigan's"),
])
def test_latest_said_in_more_ways(question, council):
    start = question.index(council)
    assert find_grades(question, [(start, start + len(council))]).latest


@pytest.mark.parametrize("question", ["the quality of assessments was judged good in most cases",
                                      "supervision was rated inadequate by staff"])
def test_a_grade_said_of_practice_is_no_councils_grade(question):
    assert find_grades(question, []).grades == []


def test_a_grade_said_of_a_named_council_is_read():
    question = "why was middlesborough rated inadequate"
    start = question.index("middlesborough")
    assert find_grades(question, [(start, start + 14)]).grades == ["inadequate"]


@pytest.mark.parametrize(("question", "latest"), [
    ("the last two inspections of kent", False),  # two reports, not the newest alone
    ("the last 3 reports for hull", False),
    ("kent's last inspection", True),
])
def test_the_last_few_reports_are_not_the_latest(question, latest):
    assert find_grades(question, []).latest is latest


@pytest.mark.parametrize(("question", "latest"), [
    ("what did ofsted say in their last visit to kent", True),
    ("the recent kent inspection", True),
    ("the last inspection before covid in kent", False),  # a report of that time
    ("Cumbria's last inspection before it was split up", True),  # its newest: there is none after
])
def test_last_visits_and_the_last_report_before_something(question, latest):
    assert find_grades(question, []).latest is latest


@pytest.mark.parametrize("question", [
    "child protection plans judged inadequate", "management oversight judged inadequate", "care planning rated good",
    "political leaders rated good", "data protection rated inadequate",
])
def test_pieces_of_practice_and_other_leaders_graded_are_no_councils_grade(question):
    assert find_grades(question, []).grades == []


@pytest.mark.parametrize(("question", "grades", "judgement"), [
    ("reports where care leavers got an outstanding judgement", ["outstanding"], "care_leavers"),
    ("councils whose latest inspection was inadequate", ["inadequate"], "overall_effectiveness"),
    ("reports with a good LAC judgement", ["good"], "in_care"),
    ("inadequate or requires improvement authorities agency staff use", ["inadequate", "requires improvement"],
     "overall_effectiveness"),
    ("inadequate or RI councils", ["inadequate", "requires improvement"], "overall_effectiveness"),
])
def test_more_grades_with_their_judgements(question, grades, judgement):
    found = find_grades(question, [])
    assert (found.grades, found.judgement) == (grades, judgement)


def test_a_grade_said_of_councils_just_named():
    question = "similar LAs to medway that were inadequate"
    assert find_grades(question, [(0, 22)]).grades == ["inadequate"]
    assert find_grades("kent's placements that were good", [(0, 6)]).grades == []


def test_the_latest_version_of_a_framework_is_no_report():
    assert not find_grades("the latest version of the ILACS framework", []).latest


@pytest.mark.parametrize(("question", "grades", "judgement", "more"), [
    ("councils judged inadequate overall but good for care leavers", ["inadequate"], "overall_effectiveness",
     [("care_leavers", ["good"])]),
    ("which LAs got good for children in care but RI overall?", ["good"], "in_care",
     [("overall_effectiveness", ["requires improvement"])]),
    ("reports where help and protection was judged good but children in care was RI", ["good"],
     "help_and_protection", [("in_care", ["requires improvement"])]),
    ("leadership graded good despite RI overall", ["good"], "impact_of_leaders",
     [("overall_effectiveness", ["requires improvement"])]),
    ("councils rated good for care leavers", ["good"], "care_leavers", []),
])
def test_two_judgements_each_with_its_own_grade(question, grades, judgement, more):
    found = find_grades(question, [])
    assert (found.grades, found.judgement, found.more) == (grades, judgement, more)
