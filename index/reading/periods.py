"""Years in a question, read as periods of reports only when they are: "since 2018", "in 2019",
"between 2016 and 2019", "before 2015". A year that dates something else is left in the topic: an
Act or guidance ("the Children and Social Work Act 2017", "Working Together 2018"), a census, a
strategy or a budget ("the 2019-20 budget cuts"). "2019-20" is one financial or academic year, not
a comparison of two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.reading.lazy_pattern import lazy_re
from index.reading.spans import blanked
from index.settings import YEAR_RANGE

_YEAR = r"(?:199\d|20\d\d)"
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
          r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")

# Year phrases, most specific first; each gives (first year, last year, how it is used).
_YEAR_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (lazy_re(rf"\bbetween\s+(?P<a>{_YEAR})\s+(?:and|&|-|to)\s+(?P<b>{_YEAR})\b", re.I), "span"),
    (lazy_re(rf"\bfrom\s+(?P<a>{_YEAR})\s+(?:(?:up\s+)?to|until|till|through(?:\s+to)?|thru|-)\s+(?P<b>{_YEAR})\b",
                re.I), "span"),
    (lazy_re(rf"\b(?P<a>{_YEAR})\s+(?:through|thru)(?:\s+to)?\s+(?P<b>{_YEAR})\b", re.I), "span"),
    # "from '19 to '22": years shortened, with their apostrophes
    (lazy_re(r"\b(?:from|between)\s+['’‘](?P<a>\d\d)\s+(?:to|and|until|till|-)\s+['’‘](?P<b>\d\d)\b", re.I),
     "span"),
    # "2023 onwards", "2019 and later"
    (lazy_re(rf"\b(?P<a>{_YEAR})\s+(?:onwards|on(?=\s*[?.!,;]*\s*$)|and\s+(?:later|after|since)|or\s+later)", re.I),
     "since"),
    (lazy_re(rf"\b(?P<a>{_YEAR})\s*(?:-|–|/)\s*(?P<b>\d\d)\b(?!\d)", re.I), "season"),
    (lazy_re(rf"\b(?P<a>{_YEAR})\s*(?:-|–|to)\s*(?P<b>{_YEAR})\b", re.I), "span"),
    (lazy_re(rf"\b(?P<a>{_YEAR})\s+(?:and|&)\s+(?P<b>{_YEAR})\b", re.I), "pair"),
    # "reports from 2014": published then, not since
    (lazy_re(rf"\b(?:reports?|inspections?|letters?|judgements?)\s+(?:published\s+)?from\s+(?P<a>{_YEAR})\b"
                rf"(?!\s*(?:-|–|to\b|until|onwards|on\b))", re.I), "year"),
    # "since the 2014 inspection", "after Kent's 2017 report": that report on
    (lazy_re(rf"\b(?:since|after|following)\s+(?:the|its|their|our|[A-Za-z]+['’]s?)\s+(?P<a>{_YEAR})\s+"
                rf"(?:ofsted\s+|ilacs\s+|full\s+)?(?:inspections?|reports?|judgements?|visits?|ratings?)\b", re.I),
     "since"),
    (lazy_re(rf"\b(?:since|from)\s+(?:the\s+(?:start|beginning)\s+of\s+|{_MONTH}\s+)?(?P<a>{_YEAR})\b", re.I),
     "since"),
    (lazy_re(rf"\bin\s+or\s+before\s+(?P<b>{_YEAR})\b", re.I), "until"),
    # "after 2020", "post-2015": the years after it ("after April 2019": that year is still in)
    (lazy_re(rf"\b(?<!\bin\sor\s)(?:after|post)[\s-]+(?P<month>{_MONTH}\s+)?(?P<a>{_YEAR})\b", re.I), "after"),
    (lazy_re(rf"\b(?:in\s+or\s+after)\s+(?P<a>{_YEAR})\b", re.I), "since"),
    (lazy_re(rf"\bno\s+earlier\s+than\s+(?P<a>{_YEAR})\b", re.I), "since"),
    (lazy_re(rf"\b(?:before|prior\s+to|pre|earlier\s+than)[\s-]+(?:{_MONTH}\s+)?(?P<b>{_YEAR})\b", re.I), "before"),
    # "up to 2016", "until 2016": that year is kept
    (lazy_re(rf"\b(?:up\s+(?:to|until|till)(?:\s+and\s+including)?|until(?:\s+and\s+including)?|till|through|"
                rf"to\s+the\s+end\s+of|no\s+later\s+than|to\s+and\s+including)\s+"
                rf"(?P<b>{_YEAR})\b", re.I),
     "until"),
    (lazy_re(rf"\b(?:in|during|of)\s+(?P<a>{_YEAR})\b", re.I), "year"),
    (lazy_re(rf"\b(?P<a>{_YEAR})(?:['’]s)?\b", re.I), "year"),
]

# What a year dates when it is not a period of reports: a law, guidance, a census, a strategy, money.
_DOCUMENT = (r"(?:act|acts|bill|regulations?|order|guidance|framework|"
             r"working\s+together(?:\s+to\s+safeguard\s+children)?|"
             r"census|strategy|annual\s+report|white\s+paper|green\s+paper|framework\s+for\s+action|code\s+of\s+practice|"
             r"review\s+of\s+children['’]s\s+social\s+care|(?:independent|care|macalister|national)\s+review|"
             r"public\s+law\s+outline|plo|plan|budgets?|spending\s+review|reforms?|statistics|"
             # events: "after covid in 2020", "the 2020 lockdowns"
             r"covid(?:-?19)?|coronavirus|pandemic|lockdowns?|(?:financial|academic|school)\s+year|born|birth|"
             r"stable\s+homes,?\s+built\s+on\s+love|keeping\s+children\s+safe\s+in\s+education|kcsie|review|"
             r"judgment|ruling)")
_DATES_A_DOCUMENT = [
    # "Act 2017", "Working Together 2018", "strategy from 2023", "the census of 2011"
    lazy_re(rf"\b{_DOCUMENT}\s*(?:\(|,)?\s*(?:from|of|in)?\s*(?:the\s+)?$", re.I),
    # "staying put was introduced in 2014", "the scheme launched in 2016", "the Peter Connelly case in 2007"
    lazy_re(r"\b(?:introduced|launched|brought\s+in|came\s+in(?:to\s+force)?|created|set\s+up|passed|enacted|"
               r"abolished|replaced|began|started|case|died|death|grenfell|fire|tragedy|disaster|attacks?|riots?|floods?|"
               r"bombings?)\s+(?:in\s+)?$", re.I),
    # a child's own dates: "born after 2010", "came into care in 2019", "left care in 2018", "were 16 in 2020"
    lazy_re(r"\b(?:born|(?:came|come|coming|entered|entering)\s+(?:into\s+)?care|left\s+care|leaving\s+care|"
               r"turned\s+\d+|aged\s+\d+|(?:was|were|is|are)\s+\d+)\s+(?:in|after|before|since|from|around|during)\s+$",
               re.I),
    # another body's named report: "after the Jay report of 2014"
    lazy_re(r"\b(?-i:[A-Z][a-z]+)\s+(?:report|review|inquiry)\s+(?:of|in|from)\s+$", re.I),
    # a number of things, not a year: "over 2000 children", "more than 2000 referrals"
    lazy_re(r"\b(?:over|more\s+than|fewer\s+than|less\s+than|nearly|almost|at\s+least|in\s+excess\s+of|"
               r"upwards\s+of)\s+$", re.I),
    # a law report's name: "R (G) v Southwark 2009"
    lazy_re(r"\bR\s*\([^)]*\)\s+v\.?\s+[A-Za-z][\w\s'’-]{0,40}?\s*$"),
]
_DOCUMENT_AFTER = lazy_re(
    rf"^\s*(?:-\s*\d\d\s+)?(?:(?!(?:ofsted|ilacs|inspections?|sif|full|monitoring|focused|jtai|published|short|"
    rf"standard|council|la|local|inadequate|good|outstanding|requires|ri|final|new|latest|first|second)\b)"
    rf"[A-Za-z'’-]+\s+(?:report|inquiry)\b|(?:(?!(?:the|under|with|after|before|since|following|during|when|while|but|"
    rf"or|in|on|about|for|to|by|an?|is|was|were|are)\b)[A-Za-z'’]+\s+){{0,4}}(?:act|guidance|regulations|code\s+of\s+practice|strategy|"
    rf"framework|judgment|ruling|review|convictions?|trials?|prosecutions?|olympics|games|jubilee|elections?|"
    rf"referendum|crash|recession|reforms?|scandal|austerity|cuts|annual\s+reports?|panel\s+reports?|case(?!\s+(?:files?|audits?|work|records?|notes?|loads?))|fire|disaster|attacks?|riots?|inquiry|tragedy|bombings?|floods?)\b|{_DOCUMENT}|cuts|funding|financial\s+year|academic\s+year|spending|allocations?|"
    r"settlement|data|figures|census|cohorts?|vision|crisis|survey)\b"
    # "arriving in 2015 during the refugee crisis": the year of an event
    r"|^\s*,?\s*(?:during|amid|amidst)\s+(?:the\s+)?(?:[A-Za-z'’-]+\s+){0,2}(?:crisis|pandemic|lockdowns?|war|"
    r"conflict|floods?|riots?)\b", re.I)


@dataclass
class Periods:
    """The years a question reads as periods of reports."""

    years: list[int] = field(default_factory=list)  # favoured: "in 2019", "between 2016 and 2019"
    year_from: int | None = None  # narrowing: "since 2018"
    year_to: int | None = None  # narrowing: "before 2015" (the last year kept)
    compares: bool = False  # two named years or a range: a comparison over time
    spans: list[tuple[int, int]] = field(default_factory=list)  # read: these leave the topic
    kept: list[tuple[int, int]] = field(default_factory=list)  # years that date something else: topic words


# "around 2000 children": a count when things counted follow
_COUNTED = lazy_re(r"^\s+(?:children|young\s+people|kids|families|cases|referrals|contacts|assessments|"
                      r"plans|placements|staff|social\s+workers|workers|carers|foster\s+carers|care\s+leavers|"
                      r"pupils|people|households)\b", re.I)
_ROUGHLY = lazy_re(r"\b(?:around|about|approximately|roughly|some|circa|c\.|has|have|had|with|of|"
                      r"supports?|supporting)\s+$", re.I)
# a person's report dated by its year: "lord laming's 2003 report", "professor munro's 2011 report"
_SOMEONES = lazy_re(r"\b(?:lord|lady|sir|dame|baroness|baron|professor|prof|dr|mr|mrs|ms|judge|justice)\s+"
                       r"[A-Za-z-]+['’]s\s+$", re.I)
_THEIR_REPORT = lazy_re(r"^\s+(?:report|review|inquiry|enquiry|recommendations)\b", re.I)


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

    # names already read are no document's name: "the 2020 Northumberland report" is the council's report
    unread = blanked(question, taken)
    for match in re.finditer(rf"\b{_YEAR}\b", question):
        before, after = question[:match.start()], unread[match.end():]
        if (any(p.search(before) for p in _DATES_A_DOCUMENT) or _DOCUMENT_AFTER.match(after)
                or (_COUNTED.match(after) and _ROUGHLY.search(before))
                or (_SOMEONES.search(before) and _THEIR_REPORT.match(after))):
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
            elif how == "after" and a:
                periods.year_from = a if match.group("month") else a + 1
            elif how in ("before", "until") and b:
                periods.year_to = b - 1 if how == "before" else b
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
    if len(value) == 2:  # "2016-19", "from '19 to '22"
        value = (str(century_from)[:2] if century_from else "20") + value
    year = int(value)
    return year if YEAR_RANGE[0] <= year <= YEAR_RANGE[1] else None
