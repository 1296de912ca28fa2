"""Reading a question: authorities by every name, regions, years and ranges, grades, recency, areas."""

from __future__ import annotations

import pytest

from index.query import NO_TOPIC, read_question
from ingest.authorities import default_registry


def names(question: str, indexed: set[str] | None = None) -> list[str]:
    return [a.name for a in read_question(question, indexed).authorities]


@pytest.mark.parametrize("question, expected", [
    ("what did Brighton's inspection say about care leavers?", ["Brighton and Hove"]),
    ("Windsor and staying put", ["Windsor and Maidenhead"]),
    ("has Telford improved its front door?", ["Telford and Wrekin"]),
    ("the Wirral SEND and care leavers", ["Wirral"]),
    ("Devon's caseloads", ["Devon"]),
    ("Leeds' family group conferences", ["Leeds"]),
    ("BCP children in care", ["Bournemouth, Christchurch and Poole"]),
    ("hull care leavers", ["Kingston upon Hull"]),  # an everyday-word name, then what a council does
    ("the hull of the boat", []),  # an everyday word in lower case, no council context
    ("Hull care leavers", ["Kingston upon Hull"]),
    ("stoke on trent and STOKE-ON-TRENT", ["Stoke-on-Trent"]),
    ("Telford & Wrekin, Telford and Wrekin Council", ["Telford and Wrekin"]),
    ("St. Helens or saint helens", ["St Helens"]),
    ("County Durham adoption", ["Durham"]),
    ("Bristol City Council and the City of Bristol", ["Bristol"]),
    ("North East Lincolnshire care leavers", ["North East Lincolnshire"]),
    ("Herts and Notts compared", ["Hertfordshire", "Nottinghamshire"]),
    ("what did the report say about reading with children?", []),
    ("Kingston upon Thames", ["Kingston upon Thames"]),
    ("did Kingston's move to a trust work?", ["Kingston upon Thames"]),  # kingston.gov.uk
    ("North Northants and West Berks", ["North Northamptonshire", "West Berkshire"]),
])
def test_authorities_by_every_name_people_use(question, expected):
    assert names(question) == expected


def test_names_and_years_leave_the_topic():
    plan = read_question("what did Brighton's 2019 inspection say about care leavers?")
    assert "Brighton" not in plan.topic and "2019" not in plan.topic
    assert "care leavers" in plan.topic
    assert plan.years == [2019]


def test_an_authority_outside_the_index_is_reported_absent():
    indexed = {default_registry().resolve("Leeds").key}
    plan = read_question("Leeds versus Bradford on care leavers", indexed)
    assert [a.name for a in plan.authorities] == ["Leeds"]
    assert [a.name for a in plan.absent] == ["Bradford"]
    assert plan.compares


def test_a_region_becomes_its_authorities():
    plan = read_question("how do councils in the North West support care leavers?")
    assert plan.region == "North West"
    assert "Manchester" in [a.name for a in plan.authorities]
    assert "Kent" not in [a.name for a in plan.authorities]
    assert "North West" not in plan.topic and "councils" not in plan.topic
    assert "councils in North West" in plan.describe()


def test_a_place_in_a_sentence_is_not_a_region_without_councils():
    assert read_question("young people moved to the south east").region is None


def test_an_authority_name_wins_over_a_region_inside_it():
    plan = read_question("North East Lincolnshire councils")
    assert plan.region is None
    assert [a.name for a in plan.authorities] == ["North East Lincolnshire"]


@pytest.mark.parametrize("question, years, first, last", [
    ("care leavers in 2019", [2019], None, None),
    ("the 2023 inspection of Leeds", [2023], None, None),
    ("between 2016 and 2019", [2016, 2017, 2018, 2019], None, None),
    ("from 2015 to 2017", [2015, 2016, 2017], None, None),
    ("2016-19 changes", [2016, 2017, 2018, 2019], None, None),
    ("since 2018", [], 2018, None),
    ("after 2020", [], 2021, None),  # the years after it
    ("before 2015", [], None, 2014),
    ("prior to 2016", [], None, 2015),
])
def test_years_and_ranges(question, years, first, last):
    plan = read_question(question)
    assert (plan.years, plan.year_from, plan.year_to) == (years, first, last)
    assert not any(str(y) in plan.topic for y in range(1990, 2030))


@pytest.mark.parametrize("question, grades, judgement", [
    ("what do inadequate reports say about caseloads?", ["inadequate"], "overall_effectiveness"),
    ("when it was rated inadequate, what did Devon say about supervision?", ["inadequate"], "overall_effectiveness"),
    ("outstanding councils and care leavers", ["outstanding"], "overall_effectiveness"),
    ("councils judged good for care leavers", ["good"], "care_leavers"),
    ("authorities rated requires improvement to be good", ["requires improvement"], "overall_effectiveness"),
    ("good or outstanding councils", ["good", "outstanding"], "overall_effectiveness"),
    ("the best-rated councils on staying put", ["outstanding"], "overall_effectiveness"),
    ("the worst-rated councils", ["inadequate"], "overall_effectiveness"),
    ("failing councils and agency staff", ["inadequate"], "overall_effectiveness"),
])
def test_grade_words_are_read_as_grades(question, grades, judgement):
    plan = read_question(question)
    assert plan.grades == grades
    assert plan.grade_judgement == judgement
    for word in ("inadequate", "outstanding", "rated", "best-rated", "failing"):
        assert word not in plan.topic.lower().split()


@pytest.mark.parametrize("question, year_from", [
    ("did Torbay improve after being rated inadequate?", None),
    ("Bradford was rated inadequate in 2018; what improved by the next inspection?", 2018),
    ("Liverpool was failing in 2023 - has it turned things round?", 2023),
    ("which councils came out of inadequate?", None),
])
def test_a_poor_grade_told_as_the_past_does_not_narrow(question, year_from):
    plan = read_question(question)
    assert plan.grades == []
    assert plan.year_from == year_from and plan.years == []  # "in 2018" becomes "2018 or later"
    if plan.earlier_grades:
        assert "read as the grade before (not narrowed)" in " ".join(plan.describe())


def test_a_poor_grade_of_the_report_itself_still_narrows():
    assert read_question("why was Slough judged inadequate in 2014?").grades == ["inadequate"]
    assert read_question("what do failing councils get wrong about supervision?").grades == ["inadequate"]


def test_good_practice_is_not_a_grade():
    plan = read_question("what does good practice look like for return home interviews?")
    assert plan.grades == []
    assert "good practice" in plan.topic


@pytest.mark.parametrize("question, latest", [
    ("Kent's latest inspection on care leavers", True),
    ("in its most recent report, how is supervision?", True),
    ("the current inspection of Leeds", True),
    ("current caseloads in Kent", False),
    ("care leavers", False),
])
def test_recency(question, latest):
    assert read_question(question).latest is latest


@pytest.mark.parametrize("question, area", [
    ("how good is the care leavers service in Leeds?", "care_leavers"),
    ("children in care and their health assessments", "in_care"),
    ("help and protection at the front door", "help_and_protection"),
    ("how strong is leadership?", "leadership"),
    ("return home interviews", None),
])
def test_judgement_areas(question, area):
    assert read_question(question).judgement_area == area


def test_a_question_of_only_names_asks_for_the_findings():
    plan = read_question("Rotherham 2014")
    assert plan.topic == NO_TOPIC
    assert not plan.topic_words


@pytest.mark.parametrize("question, compares", [
    ("care leavers in Leeds and Bradford", True),
    ("care leavers in 2015 and 2019", True),
    ("how does the MASH compare?", True),
    ("Leeds versus Bradford", True),
    ("care leavers in Leeds in 2019", False),
    ("what did inspectors say about CSE screening?", False),
])
def test_which_questions_compare_reports(question, compares):
    assert read_question(question).compares is compares


def test_names_the_registry_does_not_know_come_from_the_index():
    plan = read_question("Wessex care leavers", {"wessex"}, extra_names={"Wessex": "wessex"})
    assert [a.key for a in plan.authorities] == ["wessex"]
    assert "Wessex" not in plan.topic


# Issue 19: each example of the problem reads as a person would.
@pytest.mark.parametrize("question", [
    "my sister lives in Sutton Coldfield, what do inspectors say about child protection?",
    "early help in Bury St Edmunds",
    "how does child protection in New York compare?",
    "young people placed in Newcastle-under-Lyme",
    "Durham University research on signs of safety",
    "social workers sent to Coventry by their managers",
    "Reading the reports, what do inspectors say about neglect?",
])
def test_place_words_that_are_not_the_council(question):
    plan = read_question(question)
    assert plan.authorities == [] and plan.favoured_authorities == [] and plan.region is None


def test_london_is_the_london_boroughs_and_areas_are_sets():
    for question in ("London boroughs rated good", "councils in London"):
        plan = read_question(question)
        assert plan.region == "London" and len(plan.authorities) == 33
    assert read_question("young people who moved to London").authorities == []
    manchester = read_question("Greater Manchester councils")
    assert manchester.region == "Greater Manchester" and len(manchester.authorities) == 10
    yorkshire = read_question("West Yorkshire councils")
    assert yorkshire.region == "West Yorkshire" and len(yorkshire.authorities) == 5
    assert [a.name for a in read_question("BANES early help").authorities] == ["Bath and North East Somerset"]
    assert [a.name for a in read_question("B&NES early help").authorities] == ["Bath and North East Somerset"]


@pytest.mark.parametrize("question", [
    "good judgements by social workers", "good areas of practice", "inadequate services for disabled children",
    "after years of inadequate ratings, how did Doncaster's trust change?",
])
def test_grade_words_that_are_not_grades(question):
    assert read_question(question).grades == []


def test_outstanding_rated_councils_are_a_grade():
    assert read_question("what do outstanding-rated councils do differently?").grades == ["outstanding"]


@pytest.mark.parametrize("question", ["recent visits to children in care", "last visits to children"])
def test_recent_visits_are_not_the_latest_report(question):
    assert read_question(question).latest is False


def test_words_stay_in_the_topic():
    assert read_question("council tax exemptions for care leavers").topic == "council tax exemptions for care leavers"
    assert read_question("the council's own children's home").topic == "own children's home"  # no stray "'s"
    assert read_question("has any council used a protection order?").topic == "has any used a protection order"
    assert read_question("Kent council's front door").topic == "front door"


def test_years_that_are_not_periods():
    budget = read_question("impact of the 2019-20 budget cuts on early help")
    assert budget.years == [] and not budget.compares
    act = read_question("the Children and Social Work Act 2017 and corporate parenting")
    assert act.years == [] and "2017" in act.topic


@pytest.mark.parametrize(("question", "area"), [
    ("data protection breaches", None), ("support for team leaders", None), ("delays in care proceedings", None),
])
def test_judgement_areas_not_named_by_accident(question, area):
    assert read_question(question).judgement_area == area


def test_a_grade_with_a_council_and_a_year_favours_on_its_judgement():
    plan = read_question("why were children in care judged requires improvement in Worcestershire in 2023?")
    assert [a.name for a in plan.authorities] == ["Worcestershire"] and plan.years == [2023]
    assert plan.grades == ["requires improvement"] and plan.grade_judgement == "in_care" and plan.grades_favoured
    assert ("grade", "favoured", "favouring reports graded requires improvement for children in care",
            ("requires improvement",)) in plan.parts()


def test_councils_like_x_are_its_neighbours():
    plan = read_question("councils like Worcestershire")
    assert plan.neighbours_of.name == "Worcestershire" and plan.authorities == []
    assert ("neighbours", "narrowed", "Worcestershire's statistical neighbours", ("Worcestershire",)) in plan.parts()


def test_a_misspelt_council_is_read_and_said():
    plan = read_question("care leavers in Worcestshire")
    assert [a.name for a in plan.authorities] == ["Worcestershire"]
    assert ("authority", "corrected", "Worcestshire read as Worcestershire", ("Worcestershire",)) in plan.parts()
    asked = read_question("care leavers in Herfordshire")
    assert asked.authorities == [] and asked.parts()[0][1] == "asked"


def test_defaults_favour_the_latest_report_and_the_recommendations():
    plan = read_question("what needs to improve in Leeds?")
    assert plan.latest_favoured and not plan.latest and plan.section == "recommendations"
    assert read_question("Leeds since 2019").latest_favoured is False  # a period named: no default


def test_undoing_a_kind_of_reading_puts_its_words_back():
    plan = read_question("caseloads in Leeds since 2019").without({"authority"})
    assert plan.authorities == [] and plan.year_from == 2019 and "Leeds" in plan.topic
    assert [part[0] for part in plan.ignored] == ["authority"]
