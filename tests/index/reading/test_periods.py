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
