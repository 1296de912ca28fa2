"""Read a question the way a person means it, before anything is retrieved.

`read_question` turns "what did Brighton's latest inspection say about care leavers?" into a
`QueryPlan`: the topic words to search ("care leavers"), the authorities named (Brighton and Hove),
an area or region, statistical neighbours ("councils like Kent"), years and ranges, grades on the
judgement they grade ("children in care judged inadequate"), recency ("latest"), the judgement area
the question is about, and whether it compares reports. The pieces are read in index/reading/
(places.py, periods.py, grades.py), each only on clear evidence: a name used as a council, a year
that is a period of reports, a grade word in a grading context. Weaker evidence favours instead of
narrowing (`QueryPlan.parts()` says which, in the user's terms; scope.py acts on them). Names, years,
grade and recency words leave the topic text whatever filters are set, so a passage that merely
names the authority cannot outrank the answer. `QueryPlan.describe()` is the "question read as:
..." line shown to the user; `QueryPlan.without(kinds)` undoes kinds of the reading.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from index.reading.grades import find_grades
from index.reading.lazy_pattern import lazy_re
from index.reading.periods import find_periods
from index.reading.places import find_places
from ingest.authorities import Authority, AuthorityRegistry, default_registry

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

# Words about the reports themselves, not the topic ("which councils ...", "has any council", "the
# council's"), except where they make a topic word with the next ("council tax", "council housing").
_GENERIC = lazy_re(
    r"\b(?:(?:the|its|their)\s+)?(?:councils?(?:['’]s?)?|local\s+authorit(?:y|ies)(?:['’]s?)?|authorit(?:y|ies)|las|"
    r"la['’]s)\b(?!\s+(?:tax|housing|houses|homes?|tenan\w*|leaders?|leadership|meetings?|elections?|budgets?|"
    r"officers?|members?|estates?|chambers|cabinet|offices|services\s+for\s+adults))", re.I)
_GENERIC_AFTER_NAME = lazy_re(r"^\s*(?:county\s+|city\s+|borough\s+)?(?:council['’]?s?|local\s+authority['’]?s?|"
                                 r"la['’]?s?)\b", re.I)
# Phrases whose words would otherwise name a judgement area by accident.
_NOT_AN_AREA = lazy_re(r"\b(?:data\s+protection|team\s+leaders?|political\s+leaders?|practice\s+leaders?|"
                          r"(?:in\s+)?care\s+proceedings|council\s+leaders?|school\s+leaders?)\b", re.I)
# Asking for the lists of what must improve: the recommendations sections are favoured.
_RECOMMENDATIONS = lazy_re(
    r"\b(?:what\s+(?:needs?|has|have|had)\s+to\s+(?:improve|change)|what\s+must\s+improve|needs?\s+to\s+improve|"
    r"recommendations?|areas?\s+(?:for|of)\s+(?:improvement|development|priority\s+action)|priority\s+actions?|"
    r"areas?\s+to\s+improve|what\s+should\s+(?:they|it|the\s+council)\s+improve)\b", re.I)


@dataclass(frozen=True)
class Mention:
    """A piece of the question that was read as something other than topic words."""

    kind: str  # authority, region, neighbours, year, grade, recency, generic
    text: str
    span: tuple[int, int]


@dataclass
class QueryPlan:
    """What a question asks for, read before retrieval. Built by `read_question`.

    Each part narrows (only those reports) or favours (those ranked higher, the rest still
    searched); `parts()` lists them in the user's terms, and scope.py turns them into Readings.
    """

    question: str
    topic: str
    authorities: list[Authority] = field(default_factory=list)  # narrowed: named (or in a named area), indexed
    absent: list[Authority] = field(default_factory=list)  # named but not in this index
    favoured_authorities: list[Authority] = field(default_factory=list)  # weaker evidence: favoured only
    corrections: list[tuple[str, Authority]] = field(default_factory=list)  # misspelt names, as read
    asked: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # too unsure: "did you mean ...?"
    region: str | None = None  # a region or an area of corpus/areas.csv; `authorities` are its members
    area_kind: str | None = None  # "region" or "area"
    neighbours_of: Authority | None = None  # "councils like X": X and its statistical neighbours
    years: list[int] = field(default_factory=list)  # favoured: "in 2019", "between 2016 and 2019"
    year_from: int | None = None  # narrowing: "since 2018"
    year_to: int | None = None  # narrowing: "before 2015"
    grades: list[str] = field(default_factory=list)  # on `grade_judgement`
    grade_judgement: str = "overall_effectiveness"
    # other judgements' grades, all to hold too ("good for children in care but RI overall")
    more_grades: list[tuple[str, list[str]]] = field(default_factory=list)
    grades_favoured: bool = False  # a grade with a named council and year: favoured, not narrowing
    earlier_grades: list[str] = field(default_factory=list)  # where it was before: not narrowing
    latest: bool = False  # each council's latest report only
    latest_favoured: bool = False  # a council named with no period: its latest report favoured
    section: str | None = None  # "recommendations": that section kind favoured
    judgement_area: str | None = None
    compares: bool = False
    topic_words: bool = True  # False when nothing but names, years and grades was asked
    mentions: list[Mention] = field(default_factory=list)
    ignored: list[tuple[str, str, str, tuple[str, ...]]] = field(default_factory=list)  # parts undone (`without`)

    def without(self, kinds: frozenset[str] | set[str]) -> QueryPlan:
        """This plan with some kinds of its reading undone (SearchFilters.ignore_reading): those
        parts are not applied, come back in `ignored`, and their words return to the topic.

        Args:
            kinds: filters.READING_KINDS to undo ("authority", "year", ...).
        """
        ignored = [part for part in self.parts() if part[0] in kinds]
        plan = dataclasses.replace(self, ignored=self.ignored + ignored)
        if "authority" in kinds:
            if plan.region is None:
                plan.authorities, plan.absent = [], []
            plan.favoured_authorities, plan.corrections, plan.asked, plan.latest_favoured = [], [], [], False
        if "region" in kinds and plan.region is not None:
            plan.region, plan.area_kind, plan.authorities = None, None, []
        if "neighbours" in kinds:
            plan.neighbours_of = None
        if "year" in kinds:
            plan.years, plan.year_from, plan.year_to, plan.grades_favoured = [], None, None, False
        if "grade" in kinds:
            plan.grades, plan.grade_judgement, plan.grades_favoured = [], "overall_effectiveness", False
            plan.more_grades = []
        if "latest" in kinds:
            plan.latest = plan.latest_favoured = False
        if "section" in kinds:
            plan.section = None
        undone = {kind for kind, names in _MENTION_KINDS.items() if kinds & names}
        plan.mentions = [m for m in self.mentions if m.kind not in undone]
        plan.topic = _without(self.question, [m.span for m in plan.mentions])
        plan.topic_words = bool(set(re.findall(r"[a-z0-9]+", plan.topic.lower())) - _QUESTION_WORDS)
        if not plan.topic_words:
            plan.topic = NO_TOPIC
        return plan

    def parts(self) -> list[tuple[str, str, str, tuple[str, ...]]]:
        """What the question's words do, as (kind, effect, label, values): filters.READING_KINDS,
        types.READING_EFFECTS, the words of the chip, what was read."""
        out: list[tuple[str, str, str, tuple[str, ...]]] = []
        for typed, authority in self.corrections:
            out.append(("authority", "corrected", f"{typed} read as {authority.name}", (authority.name,)))
        for _typed, names in self.asked:
            out.append(("authority", "asked", f"did you mean {' or '.join(names)}?", names))
        if self.region:
            out.append(("region", "narrowed", f"councils in {self.region}", (self.region,)))
        elif self.authorities:
            names = tuple(a.name for a in self.authorities)
            out.append(("authority", "narrowed", "only " + _and(names), names))
        if self.favoured_authorities:
            names = tuple(a.name for a in self.favoured_authorities)
            out.append(("authority", "favoured", "favouring " + _and(names), names))
        if self.neighbours_of is not None:
            name = self.neighbours_of.name
            out.append(("neighbours", "narrowed", f"{name}'s statistical neighbours", (name,)))
        if self.year_from is not None or self.year_to is not None:
            if self.year_from is not None and self.year_to is not None:
                label = f"{self.year_from}-{self.year_to} only"
            elif self.year_from is not None:
                label = f"{self.year_from} or later"
            else:
                label = f"before {(self.year_to or 0) + 1}"
            values = tuple(str(y) for y in (self.year_from, self.year_to) if y is not None)
            out.append(("year", "narrowed", label, values))
        if self.years:
            years = sorted(self.years)
            label = f"{years[0]}-{years[-1]}" if len(years) > 2 and years == list(range(years[0], years[-1] + 1)) \
                else ", ".join(str(y) for y in years)
            out.append(("year", "favoured", "favouring " + label, tuple(str(y) for y in years)))
        if self.grades:
            graded = [(self.grade_judgement, self.grades), *self.more_grades]
            label = "graded " + " and ".join(" or ".join(grades) + _judgement_said(judgement, len(graded) > 1)
                                             for judgement, grades in graded)
            effect = "favoured" if self.grades_favoured else "narrowed"
            out.append(("grade", effect, "favouring reports " + label if self.grades_favoured else label,
                        tuple(dict.fromkeys(g for _, grades in graded for g in grades))))
        if self.latest:
            out.append(("latest", "narrowed", "latest report of each council", ()))
        elif self.latest_favoured:
            out.append(("latest", "favoured", "favouring the latest report", ()))
        if self.section:
            out.append(("section", "favoured", f"favouring {self.section}", (self.section,)))
        return out

    def describe(self) -> list[str]:
        """The parts of "question read as: ...", in the user's terms."""
        said = [label for _, effect, label, _ in self.parts() if effect != "asked"]
        if self.earlier_grades:
            said.append(" or ".join(self.earlier_grades) + " read as the grade before (not narrowed)")
        return said

    def area_label(self) -> str | None:
        """The judgement area in the user's terms ("care leavers"), if the question is about one."""
        return _AREA_LABELS.get(self.judgement_area or "")


# Which kinds of reading (filters.READING_KINDS) each kind of mention is read as.
_MENTION_KINDS = {"authority": {"authority"}, "region": {"region"}, "neighbours": {"neighbours"}, "year": {"year"},
                  "grade": {"grade"}, "recency": {"latest"}}


def _compares(plan: QueryPlan, years_compared: bool, question: str) -> bool:
    """True when the question compares reports: several councils named, several years, or a word of comparing."""
    words = set(re.findall(r"[a-z]+", question.lower()))
    return (len(plan.authorities) + len(plan.absent) > 1 and plan.region is None or years_compared
            or bool(_STRONG_COMPARISON & words))


def _and(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


_AREA_LABELS = {
    "care_leavers": "care leavers", "in_care": "children in care", "help_and_protection": "help and protection",
    "leadership": "leadership", "adoption": "adoption",
}
_JUDGEMENT_LABELS = {**_AREA_LABELS, "impact_of_leaders": "leadership"}


def _judgement_said(judgement: str, beside_another: bool = False) -> str:
    """ " for care leavers"; for overall effectiveness nothing, or " overall" beside another judgement
    (a chip's words)."""
    if judgement == "overall_effectiveness":
        return " overall" if beside_another else ""
    return f" for {_JUDGEMENT_LABELS.get(judgement, judgement.replace('_', ' '))}"


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

    def take(kind: str, span: tuple[int, int]) -> None:
        taken.append(span)
        mentions.append(Mention(kind, question[span[0]:span[1]], span))

    def indexed(authority: Authority) -> bool:
        return indexed_keys is None or authority.key in indexed_keys

    plan = QueryPlan(question=question, topic=question)
    places = find_places(question, registry)
    for span in places.spans:
        take(places.span_kinds.get(span, "authority"), span)
    named = list(places.authorities)
    for name, key in (extra_names or {}).items():
        pattern = re.compile(rf"(?<![A-Za-z0-9]){re.escape(name)}(?:['’]s?)?(?![A-Za-z0-9])", re.I)
        for match in pattern.finditer(question):
            if free(match.span()):
                take("authority", match.span())
                places.name_ends.add(match.end())
                if all(a.key != key for a in named):
                    named.append(Authority(key=key, name=name, la_code="", la_code_new="", urn="", region="",
                                           la_type=""))
    plan.corrections, plan.asked, plan.neighbours_of = places.corrections, places.asked, places.neighbours_of
    if places.area is not None:
        # An area or region named: its councils (a council also named is one of them, or read besides).
        plan.region, plan.area_kind = places.area, places.area_kind
        # "the north east and Cumbria": a council named beside an area is read too
        plan.authorities = [a for a in places.members + [n for n in named if n not in places.members] if indexed(a)]
    else:
        plan.authorities = [a for a in named if indexed(a)]
        plan.absent = [a for a in named if not indexed(a)]
    plan.favoured_authorities = [a for a in places.favoured if indexed(a) and a not in plan.authorities]

    periods = find_periods(question, taken)
    for span in periods.spans:
        take("year", span)
    plan.years, plan.year_from, plan.year_to = periods.years, periods.year_from, periods.year_to

    graded = find_grades(question, taken + periods.kept)  # an Act's year is no grade's
    for span in graded.spans:
        take("grade", span)
    for span in graded.latest_spans:
        take("recency", span)
    plan.grades, plan.grade_judgement, plan.earlier_grades = graded.grades, graded.judgement, graded.earlier
    plan.more_grades = graded.more if graded.grades else []
    plan.latest = graded.latest
    if plan.earlier_grades and len(plan.years) == 1 and plan.year_from is None and plan.year_to is None:
        plan.year_from, plan.years = plan.years[0], []  # "inadequate in 2018 - has it improved?": 2018 on

    named_council = bool(plan.authorities or plan.absent) and plan.region is None
    has_period = bool(plan.years) or plan.year_from is not None or plan.year_to is not None
    # A grade said with a council and a year describes that report: favouring it never drops it.
    plan.grades_favoured = bool(plan.grades) and (named_council and has_period or graded.weak)
    compares = _compares(plan, periods.compares, question)
    # A comparison's answer is in each report's summary, whichever report: no default.
    plan.latest_favoured = named_council and not has_period and not plan.latest and not compares
    if _RECOMMENDATIONS.search(question):
        plan.section = "recommendations"

    for match in _GENERIC.finditer(question):
        if free(match.span()):
            take("generic", match.span())
    for end in sorted(places.name_ends):
        match = _GENERIC_AFTER_NAME.match(question[end:])
        if match and free((end, end + match.end())):
            take("generic", (end, end + match.end()))

    lowered = " " + re.sub(r"[^a-z]+", " ", _NOT_AN_AREA.sub(" ", question).lower()) + " "
    for area, (phrases, _sections) in JUDGEMENT_AREAS.items():
        if any(f" {p.replace('-', ' ')} " in lowered for p in phrases):
            plan.judgement_area = area
            break

    plan.compares = compares
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
    "happened happen going go went look like still now currently rated judged graded grade grades rating "
    "ratings get got s".split()
)
NO_TOPIC = "the overall judgement and the main findings of the inspection"


def _without(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with these spans cut out; empty when no word is left."""
    for a, b in sorted(spans, reverse=True):
        text = text[:a] + " " + text[b:]
    cleaned = " ".join(text.split()).strip(" ,.;:-?'’")
    cleaned = re.sub(r"^(?:and|or|in|of|for|at|the)\s+|\s+(?:and|or|in|of|for|at|the|s)$", "", cleaned, flags=re.I)
    return cleaned if re.search(r"[A-Za-z0-9]{2,}", cleaned) else ""
