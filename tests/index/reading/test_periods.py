"""Years read as periods of reports only when they are."""

from __future__ import annotations

import pytest

from index.reading.periods import find_periods


@pytest.mark.parametrize("question", [
    "the Children and Social Work Act 2017 and corporate parenting",
    "working together 2018 safeguarding partnerships",
    "domestic abuse act 2021 children as victims",
    "the stable homes, built on love strategy from 2023",
    "data from the 2011 census on deprivation",
    "impact of the 2019-20 budget cuts on early help",
])
def test_a_year_that_dates_something_else_is_no_period(question):
    periods = find_periods(question, [])
    assert periods.years == [] and periods.year_from is None and periods.year_to is None and periods.kept


@pytest.mark.parametrize(("question", "years", "year_from", "year_to", "compares"), [
    ("caseloads since 2018", [], 2018, None, False),
    ("before 2017", [], None, 2016, False),
    ("reports from 2014 about CSE", [2014], None, None, False),
    ("between 2016 and 2019", [2016, 2017, 2018, 2019], None, None, True),
    ("2024 and 2025 inspections", [2024, 2025], None, None, True),
    ("the 2019-20 reports", [2019, 2020], None, None, False),  # one academic or financial year
    ("2016-19 reports", [2016, 2017, 2018, 2019], None, None, True),
    ("rotherham CSE 2014", [2014], None, None, False),
])
def test_periods(question, years, year_from, year_to, compares):
    periods = find_periods(question, [])
    assert (periods.years, periods.year_from, periods.year_to, periods.compares) == (years, year_from, year_to,
                                                                                     compares)


@pytest.mark.parametrize(("question", "year_from", "year_to"), [
    ("up to 2016 how were LSCBs reviewed", None, 2016),  # "up to", "until": that year kept
    ("until 2019 how were MASHs", None, 2019),
    ("before March 2020", None, 2019),  # "before": that year not kept
    ("reports after April 2019", 2019, None),
    ("since the 2014 inspection of Rotherham", 2014, None),  # that report on
    ("after Kent's 2017 report", 2017, None),
    ("care leavers after 2020", 2021, None),  # the years after it
    ("post-2015 reports", 2016, None),
])
def test_bounds_said_as_people_say_them(question, year_from, year_to):
    periods = find_periods(question, [])
    assert (periods.year_from, periods.year_to) == (year_from, year_to)


@pytest.mark.parametrize("question", [
    "how are services recovering after covid in 2020",
    "the MacAlister review 2022 recommendations on kinship care",
    "Kent's use of the 2014 public law outline guidance",
    "financial year 2021-22 early help spend",
    "children born in 2010",
])
def test_events_and_births_are_no_period(question):
    periods = find_periods(question, [])
    assert periods.years == [] and periods.year_from is None and periods.year_to is None


@pytest.mark.parametrize(("question", "years", "year_from"), [
    ("care leavers requires improvement 2023 onwards", [], 2023),
    ("reports from 2014 through 2016 on CSE", [2014, 2015, 2016], None),
    ("reports published in 2022 on the cost of living", [2022], None),  # "2022 on the ...": no "onwards"
])
def test_open_ends_and_through(question, years, year_from):
    periods = find_periods(question, [])
    assert (periods.years, periods.year_from) == (years, year_from)


def test_a_year_naming_another_bodys_report_is_no_period():
    periods = find_periods("what did ofsted say about rotherham after the 2014 jay report", [])
    assert periods.years == [] and periods.year_from is None
    assert find_periods("trafford's 2019 inadequate report", []).years == [2019]


@pytest.mark.parametrize(("question", "year_from", "year_to", "years"), [
    ("anything earlier than 2015 on missing children?", None, 2014, []),
    ("inspections no later than 2019 in yorkshire", None, 2019, []),
    ("walsall reports in or after 2021", 2021, None, []),
    ("staying put was introduced in 2014 - how do inspectors judge it", None, None, []),
    ("the 2018 ILACS framework - what changed compared with SIF", None, None, []),
])
def test_more_bounds_and_events(question, year_from, year_to, years):
    periods = find_periods(question, [])
    assert (periods.year_from, periods.year_to, periods.years) == (year_from, year_to, years)


@pytest.mark.parametrize(("question", "year_from", "year_to"), [
    ("solihull front door after 2021", 2022, None),
    ("reports since the start of 2021 on kinship care", 2021, None),
    ("care leavers findings in or before 2017 in lancashire", None, 2017),
])
def test_bounds_said_in_more_ways(question, year_from, year_to):
    periods = find_periods(question, [])
    assert (periods.year_from, periods.year_to) == (year_from, year_to)


@pytest.mark.parametrize(("question", "year_from", "years"), [
    ("reports no earlier than 2020 on kinship care", 2020, []),
    ("the 2008 financial crash and austerity effects on early help", None, []),
    ("the 2014 SEND reforms and EHCPs for children in care", None, []),
    ("R (G) v Southwark 2009 and homeless 16 and 17 year olds", None, []),
])
def test_no_earlier_than_and_more_events(question, year_from, years):
    periods = find_periods(question, [])
    assert (periods.year_from, periods.years) == (year_from, years)


def test_a_councils_report_of_a_year_is_a_period_another_bodys_is_not():
    assert find_periods("what does the 2020 Northumberland report say", [(19, 33)]).years == [2020]
    assert find_periods("Rotherham after the Jay report of 2014", []).years == []
    assert find_periods("what did reports up to and including 2018 say", []).year_to == 2018


@pytest.mark.parametrize(("question", "years"), [
    ("exploitation in reports from '19 to '22", [2019, 2020, 2021, 2022]),
    ("from 2014 through to 2017, how did hampshire describe adolescents", [2014, 2015, 2016, 2017]),
])
def test_ranges_said_with_short_years_or_through_to(question, years):
    assert find_periods(question, []).years == years


@pytest.mark.parametrize("question", [
    "kent has over 2000 children on CP plans - do inspectors comment on that",
    "a county with around 2000 children in care",
    "lord laming's 2003 report and its influence on front doors",
])
def test_counts_and_a_persons_report_are_no_period(question):
    periods = find_periods(question, [])
    assert periods.years == [] and periods.year_from is None and periods.year_to is None


def test_ofsteds_or_a_councils_report_of_a_year_is_a_period():
    assert find_periods("ofsted's 2019 report on kent", []).years == [2019]
    assert find_periods("kent's 2019 report", [(0, 6)]).years == [2019]


@pytest.mark.parametrize(("question", "years"), [
    ("unaccompanied children arriving in 2015 during the refugee crisis", []),
    ("the 2020 vision for early help", []),
    ("reports in 2018 under the new framework", [2018]),  # the reports' year; the framework is another matter
    ("kent in 2019 and the act", [2019]),
    ("the 2014 children and families act", []),
])
def test_what_follows_a_year_decides_what_it_dates(question, years):
    assert find_periods(question, []).years == years


@pytest.mark.parametrize("question", [
    "children born after 2010 in care", "young people who came into care in 2019",
    "care leavers who left care in 2018", "since the 2010 austerity cuts", "the 2012 rochdale grooming scandal",
    "the 2015 ofsted annual report", "the 2022 national panel report on star and arthur",
])
def test_a_childs_own_dates_and_events_are_no_period(question):
    periods = find_periods(question, [])
    assert periods.years == [] and periods.year_from is None and periods.year_to is None
