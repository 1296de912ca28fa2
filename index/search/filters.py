"""Which reports a search may answer from: `SearchFilters`, built from user-facing options and checked.

Filters are what a user chose (the app's fields, the CLI's options); what a question's own words
ask for is read by read.py and applied by scope.py, where no filter already chose. `QueryError`
lives here because the filters are the first thing to raise it; the other stages raise it too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.settings import YEAR_RANGE
from ingest.authorities import default_registry
from ingest.models import GRADES, REPORT_TYPES
from ingest.recommendations import SECTION_KINDS

# What a piece of the question's reading is about (types.Reading.kind); `ignore_reading` names these
# to undo them, or "all" for the question's text alone.
READING_KINDS = ("authority", "region", "neighbours", "year", "grade", "latest", "section", "spelling")


class QueryError(ValueError):
    """A query or filter that cannot be run; the message says what to change."""


@dataclass
class SearchFilters:
    """Which reports a search may answer from; every filter set narrows (they combine with AND)."""

    authorities: list[str] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    report_types: list[str] = field(default_factory=list)
    grades: list[str] = field(default_factory=list)  # overall effectiveness
    judgement_grades: dict[str, list[str]] = field(default_factory=dict)  # FILTER_JUDGEMENTS key -> grades
    latest_only: bool = False  # each authority's newest report only
    region: str | None = None
    neighbours_of: str | None = None  # this authority and its ten statistical neighbours
    section_kind: str | None = None  # ingest.recommendations.SECTION_KINDS: only passages of that kind
    # Kinds of the question's own reading not to apply (types.READING_KINDS, or "all": the text alone):
    # how a user undoes a narrowing the words caused (a chip removed, `ask --literal`).
    ignore_reading: frozenset[str] = frozenset()

    @classmethod
    def build(
        cls,
        authority: str | list[str] | None = None,
        year: int | str | None = None,
        years: str | tuple[int, int] | None = None,
        report_type: str | list[str] | None = None,
        grade: str | list[str] | None = None,
        judgement: dict[str, str | list[str]] | list[str] | str | None = None,
        latest_only: bool = False,
        region: str | None = None,
        neighbours_of: str | None = None,
        section_kind: str | None = None,
        ignore_reading: str | list[str] | None = None,
    ) -> SearchFilters:
        """Validate user-facing options into filters.

        Args:
            authority: one name or several (any name the authority goes by).
            year / years: a year, or a range "2016-2019" (not both).
            report_type: keys of REPORT_TYPES.
            grade: overall effectiveness grades.
            judgement: grades on one of the five judgements, as {"care_leavers": ["good"]} or
                "care_leavers=good" strings (repeat a judgement for several grades).
            latest_only: each authority's newest report only.
            region: a region of England ("North West").
            neighbours_of: an authority; it and its ten statistical neighbours (la_lookup.csv).
            section_kind: "recommendations" for the lists of what must improve only (SECTION_KINDS).
            ignore_reading: kinds of the question's own reading not to apply (READING_KINDS), or
                "all" to search the question's text alone.

        Returns:
            The filters.

        Raises:
            QueryError: a bad option; the message names the valid values (or close names).
        """
        filters = cls()
        if authority:
            names = [authority] if isinstance(authority, str) else list(authority)
            filters.authorities = [n for n in names if n and n.strip()]
        if year is not None and years is not None:
            raise QueryError("give either a year or a year range, not both")
        if year is not None and str(year).strip():
            filters.year_from = filters.year_to = _parse_year(year)
        if years is not None and (not isinstance(years, str) or years.strip()):
            filters.year_from, filters.year_to = _parse_year_range(years)
        if report_type:
            types = [report_type] if isinstance(report_type, str) else list(report_type)
            for t in types:
                if t not in REPORT_TYPES:
                    raise QueryError(f"unknown report type {t!r}; valid: {', '.join(REPORT_TYPES)}")
            filters.report_types = types
        if grade:
            grades = [grade] if isinstance(grade, str) else list(grade)
            for g in grades:
                if g.lower() not in GRADES:
                    raise QueryError(f"unknown grade {g!r}; valid: {', '.join(GRADES)}")
            filters.grades = [g.lower() for g in grades]
        filters.judgement_grades = _parse_judgements(judgement)
        filters.latest_only = bool(latest_only)
        registry = default_registry()
        if region and region.strip():
            wanted = region.strip().lower()
            regions = registry.regions()
            found = next((r for r in regions if r.lower() == wanted), None)
            if found is None:
                raise QueryError(f"unknown region {region!r}; valid: {', '.join(regions)}")
            filters.region = found
        if neighbours_of and neighbours_of.strip():
            authority = registry.resolve(neighbours_of)
            if authority is None:
                raise QueryError(f"{neighbours_of!r} is not a local authority; {registry.suggestion(neighbours_of)}")
            filters.neighbours_of = authority.name
        if section_kind and section_kind.strip():
            kind = section_kind.strip().lower()
            if kind not in SECTION_KINDS:
                raise QueryError(f"unknown section kind {section_kind!r}; valid: {', '.join(SECTION_KINDS)}")
            filters.section_kind = kind
        if ignore_reading:
            kinds = [ignore_reading] if isinstance(ignore_reading, str) else list(ignore_reading)
            kinds = [k.strip().lower() for k in kinds if k and k.strip()]
            for k in kinds:
                if k != "all" and k not in READING_KINDS:
                    raise QueryError(f"unknown reading {k!r}; valid: all, {', '.join(READING_KINDS)}")
            filters.ignore_reading = frozenset(kinds)
        return filters

    def is_empty(self) -> bool:
        """True when no filter is set: every report and every passage may answer."""
        return not (self.authorities or self.year_from or self.year_to or self.report_types or self.grades
                    or self.judgement_grades or self.latest_only or self.region or self.neighbours_of
                    or self.section_kind)


# The five judgements a user can filter on (ingest.models.JUDGEMENTS holds older frameworks' too).
FILTER_JUDGEMENTS: dict[str, str] = {
    "overall_effectiveness": "overall effectiveness",
    "impact_of_leaders": "impact of leaders",
    "help_and_protection": "help and protection",
    "in_care": "children in care",
    "care_leavers": "care leavers",
}


def _parse_judgements(value: dict[str, str | list[str]] | list[str] | str | None) -> dict[str, list[str]]:
    if not value:
        return {}
    pairs: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for key, grades in value.items():
            pairs += [(key, g) for g in ([grades] if isinstance(grades, str) else grades)]
    else:
        for item in [value] if isinstance(value, str) else value:
            key, sep, grade = str(item).partition("=")
            if not sep:
                raise QueryError(f"a judgement filter reads JUDGEMENT=GRADE, like care_leavers=good; got {item!r}")
            pairs.append((key, grade))
    out: dict[str, list[str]] = {}
    for key, grade in pairs:
        key = key.strip().lower().replace(" ", "_").replace("-", "_")
        grade = " ".join(grade.strip().lower().replace("_", " ").split())
        if key not in FILTER_JUDGEMENTS:
            raise QueryError(f"unknown judgement {key!r}; valid: {', '.join(FILTER_JUDGEMENTS)}")
        if grade not in GRADES:
            raise QueryError(f"unknown grade {grade!r}; valid: {', '.join(GRADES)}")
        if grade not in out.setdefault(key, []):
            out[key].append(grade)
    return out


def _parse_year(value: int | str) -> int:
    try:
        year = int(str(value).strip())
    except ValueError:
        raise QueryError(f"a year is four digits, like 2017; got {value!r}") from None
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise QueryError(f"year {year} is outside {YEAR_RANGE[0]}-{YEAR_RANGE[1]}")
    return year


def _parse_year_range(value: str | tuple[int, int]) -> tuple[int, int]:
    if isinstance(value, tuple):
        first, last = value
    else:
        parts = re.split(r"\s*(?:-|–|to|\.\.)\s*", value.strip())
        if len(parts) != 2:
            raise QueryError(f"a year range looks like 2016-2019; got {value!r}")
        first, last = parts
    a, b = _parse_year(first), _parse_year(last)
    if a > b:
        raise QueryError(f"the year range {a}-{b} is empty: the first year comes after the last")
    return a, b
