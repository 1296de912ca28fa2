"""Years in a question, read as periods of reports only when they are: "since 2018", "in 2019",
"between 2016 and 2019", "before 2015". A year that dates something else is left in the topic: an
Act or guidance ("the Children and Social Work Act 2017", "Working Together 2018"), a census, a
strategy or a budget ("the 2019-20 budget cuts"). "2019-20" is one financial or academic year, not
a comparison of two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.settings import YEAR_RANGE

_YEAR = r"(?:199\d|20\d\d)"

# Year phrases, most specific first; each gives (first year, last year, how it is used).
_YEAR_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\bbetween\s+(?P<a>{_YEAR})\s+(?:and|&|-|to)\s+(?P<b>{_YEAR})\b", re.I), "span"),
    (re.compile(rf"\bfrom\s+(?P<a>{_YEAR})\s+(?:to|until|till|-)\s+(?P<b>{_YEAR})\b", re.I), "span"),
    (re.compile(rf"\b(?P<a>{_YEAR})\s*(?:-|–|/)\s*(?P<b>\d\d)\b(?!\d)", re.I), "season"),
    (re.compile(rf"\b(?P<a>{_YEAR})\s*(?:-|–|to)\s*(?P<b>{_YEAR})\b", re.I), "span"),
    (re.compile(rf"\b(?P<a>{_YEAR})\s+(?:and|&)\s+(?P<b>{_YEAR})\b", re.I), "pair"),
    # "reports from 2014": published then, not since
    (re.compile(rf"\b(?:reports?|inspections?|letters?|judgements?)\s+(?:published\s+)?from\s+(?P<a>{_YEAR})\b"
                rf"(?!\s*(?:-|–|to\b|until|onwards|on\b))", re.I), "year"),
    (re.compile(rf"\b(?:since|after|from|post)\s+(?P<a>{_YEAR})\b", re.I), "since"),
    (re.compile(rf"\b(?:in\s+or\s+after)\s+(?P<a>{_YEAR})\b", re.I), "since"),
    (re.compile(rf"\b(?:before|until|till|prior\s+to|pre)[\s-]+(?P<b>{_YEAR})\b", re.I), "before"),
    (re.compile(rf"\b(?:in|during|of)\s+(?P<a>{_YEAR})\b", re.I), "year"),
    (re.compile(rf"\b(?P<a>{_YEAR})(?:['’]s)?\b", re.I), "year"),
]

# What a year dates when it is not a period of reports: a law, guidance, a census, a strategy, money.
_DOCUMENT = (r"(?:act|acts|bill|regulations?|order|guidance|working\s+together(?:\s+to\s+safeguard\s+children)?|"
             r"census|strategy|white\s+paper|green\s+paper|framework\s+for\s+action|code\s+of\s+practice|"
             r"review\s+of\s+children['’]s\s+social\s+care|plan|budgets?|spending\s+review|reforms?|statistics)")
_DATES_A_DOCUMENT = [
    # "Act 2017", "Working Together 2018", "strategy from 2023", "the census of 2011"
    re.compile(rf"\b{_DOCUMENT}\s*(?:\(|,)?\s*(?:from|of|in)?\s*(?:the\s+)?$", re.I),
]
_DOCUMENT_AFTER = re.compile(
    rf"^\s*(?:-\s*\d\d\s+)?(?:{_DOCUMENT}|cuts|funding|financial\s+year|academic\s+year|spending|allocations?|"
    r"settlement|data|figures|census)\b", re.I)


@dataclass
class Periods:
    """The years a question reads as periods of reports."""

    years: list[int] = field(default_factory=list)  # favoured: "in 2019", "between 2016 and 2019"
    year_from: int | None = None  # narrowing: "since 2018"
    year_to: int | None = None  # narrowing: "before 2015" (the last year kept)
    compares: bool = False  # two named years or a range: a comparison over time
    spans: list[tuple[int, int]] = field(default_factory=list)  # read: these leave the topic
    kept: list[tuple[int, int]] = field(default_factory=list)  # years that date something else: topic words


def find_periods(question: str, taken: list[tuple[int, int]]) -> Periods:
    """The periods a question names, outside spans already read (names).

    Args:
        question: the question as typed.
        taken: spans already read as something else.

    Returns:
        Periods, with the spans read and those left as topic words.
    """
    periods = Periods()

    def free(span: tuple[int, int]) -> bool:
        return not any(a < span[1] and span[0] < b for a, b in taken + periods.spans + periods.kept)

    for match in re.finditer(rf"\b{_YEAR}\b", question):
        before, after = question[:match.start()], question[match.end():]
        if any(p.search(before) for p in _DATES_A_DOCUMENT) or _DOCUMENT_AFTER.match(after):
            end = match.end()
            season = re.match(r"\s*(?:-|–|/)\s*\d\d\b", after)
            periods.kept.append((match.start(), end + (season.end() if season else 0)))
    for pattern, how in _YEAR_PATTERNS:
        for match in pattern.finditer(question):
            if not free(match.span()):
                continue
            a = _year(match, "a")
            b = _year(match, "b", century_from=a)
            if how in ("span", "pair") and a and b and a <= b:
                periods.years += [y for y in (range(a, b + 1) if how == "span" else (a, b)) if y not in periods.years]
                periods.compares = True
            elif how == "season" and a and b and a < b:
                periods.years += [y for y in range(a, b + 1) if y not in periods.years]
                periods.compares = periods.compares or b > a + 1  # "2019-20": one financial or academic year
            elif how == "since" and a:
                periods.year_from = a
            elif how == "before" and b:
                periods.year_to = b - 1
            elif how == "year" and a:
                if a not in periods.years:
                    periods.years.append(a)
                    periods.compares = periods.compares or len(periods.years) > 1
            else:
                continue
            periods.spans.append(match.span())
    return periods


def _year(match: re.Match[str], group: str, century_from: int | None = None) -> int | None:
    value = match.groupdict().get(group)
    if not value:
        return None
    if len(value) == 2 and century_from:  # "2016-19"
        value = str(century_from)[:2] + value
    year = int(value)
    return year if YEAR_RANGE[0] <= year <= YEAR_RANGE[1] else None
