"""Read a question the way a person means it, before anything is retrieved.

`read_question` turns "what did Brighton's latest inspection say about care leavers?" into a
`QueryPlan`: the topic words to search ("care leavers"), the authorities named (Brighton and Hove),
years and ranges, grades ("rated inadequate"), recency ("latest"), the judgement area the question
is about, and whether it compares reports. Names, years, grade and recency words leave the topic
text whatever filters are set, so a passage that merely names the authority cannot outrank the
answer. `QueryPlan.describe()` is the "question read as: ..." line shown to the user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.settings import YEAR_RANGE
from ingest.authorities import Authority, AuthorityRegistry, default_registry
from ingest.vocabulary import POOR_GRADES, grade_pattern, normalise_grade

_YEAR = r"(?:199\d|20\d\d)"

# Year phrases, most specific first; each gives (first year, last year, how it is used).
# "narrow": only reports of those years; "favour": those years first, the rest still searched.
_YEAR_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\bbetween\s+(?P<a>{_YEAR})\s+(?:and|&|-|to)\s+(?P<b>{_YEAR})\b", re.I), "span"),
    (re.compile(rf"\bfrom\s+(?P<a>{_YEAR})\s+(?:to|until|till|-)\s+(?P<b>{_YEAR})\b", re.I), "span"),
    (re.compile(rf"\b(?P<a>{_YEAR})\s*(?:-|–|to)\s*(?P<b>{_YEAR}|\d\d)\b", re.I), "span"),
    (re.compile(rf"\b(?:since|after|from|post)\s+(?P<a>{_YEAR})\b", re.I), "since"),
    (re.compile(rf"\b(?:in\s+or\s+after)\s+(?P<a>{_YEAR})\b", re.I), "since"),
    (re.compile(rf"\b(?:before|until|till|prior\s+to|pre)[\s-]+(?P<b>{_YEAR})\b", re.I), "before"),
    (re.compile(rf"\b(?:in|during|of)\s+(?P<a>{_YEAR})\b", re.I), "year"),
    (re.compile(rf"\b(?P<a>{_YEAR})(?:['’]s)?\b", re.I), "year"),
]

_GRADE_WORD = grade_pattern("grade", failing=True)  # outstanding|good|requires?\s+improvement...|failing
_GRADE_NOUNS = (r"(?:councils?|authorit(?:y|ies)|local\s+authorit(?:y|ies)|las|reports?|inspections?|ratings?|"
                r"grades?|judgements?|areas|boroughs|counties|services)")
_GRADE_PATTERNS: list[re.Pattern[str]] = [
    # "rated inadequate", "judged good", "was graded requires improvement", "found to be inadequate"
    re.compile(rf"\b(?:(?:was|were|is|are|been|being|when\s+it\s+was)\s+)?(?:rated|judged|graded|found\s+to\s+be|"
               rf"deemed|given)\s+(?:as\s+)?(?:an?\s+)?{_GRADE_WORD}(?:\s+(?:rating|grade|judgement))?", re.I),
    # "inadequate councils", "outstanding reports", "good or outstanding authorities"
    re.compile(rf"\b{_GRADE_WORD}(?:\s+(?:or|and)\s+{grade_pattern('grade2', to_be_good=False)})?"
               rf"\s+{_GRADE_NOUNS}\b", re.I),
    # "an inadequate rating", "its outstanding grade"
    re.compile(rf"\b(?:an?|its|their)\s+{_GRADE_WORD}\s+(?:rating|grade|judgement)\b", re.I),
]
# "the best-rated councils", "top-rated", "worst-rated": grade preferences without naming a grade.
_BEST = re.compile(r"\b(?:best|highest|top|well)[\s-]+(?:rated|performing|graded)\b"
                   r"(?:\s+(?:councils?|authorities|las|reports?))?", re.I)
_WORST = re.compile(r"\b(?:worst|lowest|poorly|badly)[\s-]+(?:rated|performing|graded)\b"
                    r"(?:\s+(?:councils?|authorities|las|reports?))?", re.I)

# A poor grade told as where the authority was before, the question asking what came after:
# "did Torbay improve after being rated inadequate?", "Bradford was inadequate in 2018 - has it turned
# things round?", "came out of inadequate". The answer is in the later report, so that grade does not
# narrow, and a year named with it becomes "that year or later".
_POOR = grade_pattern(grades=POOR_GRADES, to_be_good=False, failing=True)
_EARLIER_STATE = re.compile(
    rf"\b(?:after|since|following)\s+(?:(?:it|they|its|their|the|an?|was|were|had|has|been|being)\s+){{0,3}}"
    rf"(?:(?:rated|judged|graded|found|deemed|declared|put\s+in)\s+(?:to\s+be\s+|as\s+)?)?(?:an?\s+)?{_POOR}"
    rf"|\b(?:came|come|comes|coming|climbed|climb|got|get|getting|moved|move|lifted)\s+out\s+of\s+{_POOR}"
    rf"|\bno\s+longer\s+{_POOR}",
    re.I,
)
_CHANGE_SINCE = re.compile(
    r"\b(?:improv\w*|turn(?:ed|ing|s)?\s+(?:\w+\s+){0,2}(?:round|around)|recover\w*|progress\w*|"
    r"better|fixed|since\s+then|now)\b",
    re.I,
)
_WAS_POOR = re.compile(rf"\b(?:was|were|had\s+been|used\s+to\s+be)\s+(?:(?:rated|judged|graded)\s+)?"
                       rf"{_POOR}\b", re.I)

_RECENCY = re.compile(
    r"\b(?:(?:in|at|from|of)\s+)?(?:(?:its|their|the|his|her)\s+)?"
    r"(?:latest|most\s+recent|newest|current|recent|last)\s+"
    r"(?:ofsted\s+)?(?:inspections?|reports?|judgements?|grades?|ratings?|visits?)\b"
    r"|\b(?:the\s+)?(?:latest|most\s+recent|newest)\b",
    re.I,
)

# Judgement areas, and the words of the report sections that cover them (matched in section names).
JUDGEMENT_AREAS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # area: (question phrases, section name fragments)
    "care_leavers": (("care leavers", "care leaver", "leaving care", "left care", "care-experienced",
                      "care experienced"), ("care leaver",)),
    "in_care": (("children in care", "child in care", "looked after", "looked-after", "children we look after",
                 "kids in care", "in care"), ("children in care", "looked after", "permanence")),
    "help_and_protection": (("help and protection", "child protection", "children in need", "early help",
                             "front door", "protection"), ("help and protection",)),
    # Not "management oversight": inspectors judge it in every section, of practice with children.
    "leadership": (("leadership", "leaders", "senior managers", "governance", "impact of leaders"),
                   ("leaders", "leadership")),
    "adoption": (("adoption", "adopted", "adopters"), ("adoption",)),
}

_STRONG_COMPARISON = frozenset(
    "compare compared compares comparing comparison versus vs differ differed differs different difference "
    "differences".split()
)

_REGIONS = {
    "north west": "North West", "north-west": "North West", "northwest": "North West",
    "north east": "North East", "north-east": "North East", "northeast": "North East",
    "south east": "South East", "south-east": "South East", "southeast": "South East",
    "south west": "South West", "south-west": "South West", "southwest": "South West",
    "east midlands": "East Midlands", "west midlands": "West Midlands",
    "east of england": "East of England", "eastern region": "East of England",
    "yorkshire and the humber": "Yorkshire and the Humber", "yorkshire and humber": "Yorkshire and the Humber",
    "yorkshire": "Yorkshire and the Humber", "london": "London", "greater london": "London",
}
_REGION_PATTERN = re.compile(
    r"\b(?:(?:in|across|of|from)\s+)?(?:the\s+)?(?P<region>"
    + "|".join(sorted((re.escape(k) for k in _REGIONS), key=len, reverse=True))
    + r"|midlands)\b(?:\s+(?:region|councils?|authorities|boroughs|las))?",
    re.I,
)
# A region is read only when the question speaks of councils there, not of a place in a sentence.
_REGION_CONTEXT = re.compile(r"\b(?:councils?|authorit(?:y|ies)|boroughs?|las|region|areas?|reports?)\b", re.I)
# Words about the reports themselves, not the topic ("which councils ...", "local authority").
_GENERIC = re.compile(r"\b(?:councils?|council's|local\s+authorit(?:y|ies)|authorit(?:y|ies)|las|la's)\b", re.I)


@dataclass(frozen=True)
class Mention:
    """A piece of the question that was read as something other than topic words."""

    kind: str  # authority, region, year, grade, recency, generic
    text: str
    span: tuple[int, int]


@dataclass
class QueryPlan:
    """What a question asks for, read before retrieval. Built by `read_question`."""

    question: str
    topic: str
    authorities: list[Authority] = field(default_factory=list)  # named (or in a named region), indexed
    absent: list[Authority] = field(default_factory=list)  # named but not in this index
    region: str | None = None
    years: list[int] = field(default_factory=list)  # favoured: "in 2019", "between 2016 and 2019"
    year_from: int | None = None  # narrowing: "since 2018"
    year_to: int | None = None  # narrowing: "before 2015"
    grades: list[str] = field(default_factory=list)  # narrowing, on `grade_judgement`
    grade_judgement: str = "overall_effectiveness"
    earlier_grades: list[str] = field(default_factory=list)  # where it was before: not narrowing
    latest: bool = False
    judgement_area: str | None = None
    compares: bool = False
    topic_words: bool = True  # False when nothing but names, years and grades was asked
    mentions: list[Mention] = field(default_factory=list)

    def describe(self) -> list[str]:
        """The parts of "question read as: ...", in the user's terms."""
        parts = []
        if self.region:
            parts.append(f"councils in {self.region}")
        elif self.authorities:
            parts.append("reports of " + ", ".join(a.name for a in self.authorities))
        if self.latest:
            parts.append("latest report of each authority")
        if self.year_from is not None or self.year_to is not None:
            if self.year_from is not None and self.year_to is not None:
                parts.append(f"{self.year_from}-{self.year_to} only")
            elif self.year_from is not None:
                parts.append(f"{self.year_from} or later")
            else:
                parts.append(f"before {self.year_to + 1}")
        if self.years:
            years = sorted(self.years)
            label = f"{years[0]}-{years[-1]}" if len(years) > 2 and years == list(range(years[0], years[-1] + 1)) \
                else ", ".join(str(y) for y in years)
            parts.append("favouring " + label)
        if self.grades:
            area = "" if self.grade_judgement == "overall_effectiveness" else \
                f" for {self.grade_judgement.replace('_', ' ')}"
            parts.append("reports graded " + " or ".join(self.grades) + area)
        if self.earlier_grades:
            parts.append(" or ".join(self.earlier_grades)
                         + " read as the grade before (not narrowed)")
        return parts

    def area_label(self) -> str | None:
        """The judgement area in the user's terms ("care leavers"), if the question is about one."""
        return _AREA_LABELS.get(self.judgement_area or "")


_AREA_LABELS = {
    "care_leavers": "care leavers", "in_care": "children in care", "help_and_protection": "help and protection",
    "leadership": "leadership", "adoption": "adoption",
}


def read_question(
    question: str,
    indexed_keys: set[str] | None = None,
    registry: AuthorityRegistry | None = None,
    extra_names: dict[str, str] | None = None,
) -> QueryPlan:
    """Read a question into a QueryPlan.

    Args:
        question: the user's text (already cleaned of control characters).
        indexed_keys: canonical keys of the authorities the index holds; a named authority outside
            it goes to `absent`. None: every authority counts as indexed.
        registry: the authorities and their names (default: corpus/la_lookup.csv).
        extra_names: display name -> key of indexed authorities the registry does not know.

    Returns:
        The plan; `topic` is the question without names, years, grade and recency words (the whole
        question if nothing else is left).
    """
    registry = registry or default_registry()
    mentions: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def free(span: tuple[int, int]) -> bool:
        return not any(a < span[1] and span[0] < b for a, b in taken)

    def take(kind: str, match: re.Match[str]) -> None:
        taken.append(match.span())
        mentions.append(Mention(kind, match.group(0), match.span()))

    plan = QueryPlan(question=question, topic=question)

    # Authorities, longest names first ("North East Lincolnshire" before a region "North East").
    seen: set[str] = set()
    named: list[Authority] = []
    for authority, span in registry.find_in_text(question):
        taken.append(span)
        mentions.append(Mention("authority", question[span[0]:span[1]], span))
        if authority.key not in seen:
            seen.add(authority.key)
            named.append(authority)
    for name, key in (extra_names or {}).items():
        pattern = re.compile(rf"(?<![A-Za-z0-9]){re.escape(name)}(?:['’]s?)?(?![A-Za-z0-9])", re.I)
        for match in pattern.finditer(question):
            if free(match.span()):
                take("authority", match)
                if key not in seen:
                    seen.add(key)
                    named.append(Authority(key=key, name=name, la_code="", la_code_new="", urn="", region="",
                                           la_type=""))
    for authority in named:
        if indexed_keys is None or authority.key in indexed_keys:
            plan.authorities.append(authority)
        else:
            plan.absent.append(authority)

    # A region, when no authority is named and the question speaks of councils ("councils in the North West").
    if not named:
        for match in _REGION_PATTERN.finditer(question):
            if not free(match.span()):
                continue
            context = question[max(0, match.start() - 40): match.end() + 40]
            if not _REGION_CONTEXT.search(context):
                continue
            word = match.group("region").lower()
            regions = ["East Midlands", "West Midlands"] if word == "midlands" else [_REGIONS[word]]
            members = [a for r in regions for a in registry.in_region(r)]
            if not members:
                continue
            take("region", match)
            plan.region = " and ".join(regions)
            plan.authorities = [a for a in members if indexed_keys is None or a.key in indexed_keys]
            break

    # Years and ranges.
    for pattern, how in _YEAR_PATTERNS:
        for match in pattern.finditer(question):
            if not free(match.span()):
                continue
            a = _year(match, "a")
            b = _year(match, "b", century_from=a)
            if how == "span" and a and b and a <= b:
                plan.years += [y for y in range(a, b + 1) if y not in plan.years]
            elif how == "since" and a:
                plan.year_from = a
            elif how == "before" and b:
                plan.year_to = b - 1
            elif how == "year" and a:
                if a not in plan.years:
                    plan.years.append(a)
            else:
                continue
            take("year", match)

    # Grades.
    for pattern in _GRADE_PATTERNS:
        for match in pattern.finditer(question):
            if not free(match.span()):
                continue
            grades = [normalise_grade(match.group("grade"))]
            if "grade2" in match.groupdict() and match.group("grade2"):
                grades.append(normalise_grade(match.group("grade2")))
            plan.grades += [g for g in grades if g and g not in plan.grades]
            take("grade", match)
    for pattern, grades in ((_BEST, ["outstanding", "good"]), (_WORST, ["inadequate"])):
        for match in pattern.finditer(question):
            if free(match.span()):
                plan.grades += [g for g in grades if g not in plan.grades]
                take("grade", match)

    if _EARLIER_STATE.search(question) or (_WAS_POOR.search(question) and _CHANGE_SINCE.search(question)):
        plan.earlier_grades = [g for g in plan.grades if g in ("inadequate", "requires improvement")]
        plan.grades = [g for g in plan.grades if g not in plan.earlier_grades]
        if len(plan.years) == 1 and plan.year_from is None and plan.year_to is None:
            plan.year_from, plan.years = plan.years[0], []

    for match in _RECENCY.finditer(question):
        if free(match.span()):
            plan.latest = True
            take("recency", match)
    for match in _GENERIC.finditer(question):
        if free(match.span()):
            take("generic", match)

    lowered = " " + re.sub(r"[^a-z]+", " ", question.lower()) + " "
    for area, (phrases, _sections) in JUDGEMENT_AREAS.items():
        if any(f" {p.replace('-', ' ')} " in lowered for p in phrases):
            plan.judgement_area = area
            break
    if plan.grades and plan.judgement_area in ("care_leavers", "in_care", "help_and_protection"):
        # "rated inadequate for care leavers": the grade is that judgement's.
        grade_at = min(m.span[0] for m in mentions if m.kind == "grade")
        after = question[grade_at:].lower()
        if re.search(r"\bfor\b", after):
            plan.grade_judgement = plan.judgement_area

    words = set(re.findall(r"[a-z]+", question.lower()))
    plan.compares = (
        len(plan.authorities) + len(plan.absent) > 1 and plan.region is None
        or len(plan.years) > 1
        or bool(_STRONG_COMPARISON & words)
    )
    plan.mentions = sorted(mentions, key=lambda m: m.span)
    plan.topic = _without(question, [m.span for m in mentions])
    plan.topic_words = bool(set(re.findall(r"[a-z0-9]+", plan.topic.lower())) - _QUESTION_WORDS)
    if not plan.topic_words:
        # "Rotherham in 2014": what the report found overall, as its summary says.
        plan.topic = NO_TOPIC
    return plan


# Words that ask without naming a topic ("what did ... say?").
_QUESTION_WORDS = frozenset(
    "what whats how why when where which who did does do was were is are has have had the a an of in on at for "
    "to about say says said find found findings think thought inspection inspections inspectors inspector "
    "report reports ofsted tell me show us its their it they this that after before during from with and or "
    "happened happen going go went look like".split()
)
NO_TOPIC = "the overall judgement and the main findings of the inspection"


def _year(match: re.Match[str], group: str, century_from: int | None = None) -> int | None:
    value = match.groupdict().get(group)
    if not value:
        return None
    if len(value) == 2 and century_from:  # "2016-19"
        value = str(century_from)[:2] + value
    year = int(value)
    return year if YEAR_RANGE[0] <= year <= YEAR_RANGE[1] else None


def _without(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with these spans cut out; empty when no word is left."""
    for a, b in sorted(spans, reverse=True):
        text = text[:a] + " " + text[b:]
    cleaned = " ".join(text.split()).strip(" ,.;:-?")
    cleaned = re.sub(r"^(?:and|or|in|of|for|at|the)\s+|\s+(?:and|or|in|of|for|at|the|s)$", "", cleaned, flags=re.I)
    return cleaned if re.search(r"[A-Za-z0-9]{2,}", cleaned) else ""
