"""Grades and recency in a question, read only where the words grade or date reports.

A grade word narrows only in a grading context: "rated / judged / graded X", "X-rated", "X
councils", "councils that are X", "an X judgement", "X for care leavers", "with X help and
protection". "Good judgements by social workers", "good areas of practice", "inadequate services
for disabled children" and "inadequate management oversight" grade nothing. A grade is that of the
judgement it is said of ("children in care judged requires improvement": the children in care
judgement), else overall effectiveness. A grade told as where a council was before ("after years of
inadequate ratings", "came out of inadequate") is not the grade of the reports wanted.

"Latest", "most recent", "current", "last" mean each council's newest report only when said of
inspections, reports, grades or ratings ("Kent's current rating", "the last time Ofsted went in"),
not of visits to children or guidance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.vocabulary import POOR_GRADES, grade_pattern, normalise_grade

_YEAR = r"(?:199\d|20\d\d)"
_GRADE = grade_pattern("grade", failing=True)
_GRADE2 = grade_pattern("grade2", to_be_good=False, failing=True)
_RI = r"(?P<ri>\bRI\b)"  # "RI councils": requires improvement, in capitals only
_GRADES = rf"(?:{_GRADE}|{_RI})(?:\s*(?:,|or|and|/)\s*{_GRADE2})?"
_NOUNS = (r"(?:councils?|authorit(?:y|ies)|local\s+authorit(?:y|ies)|las|reports?|inspections?|ratings|grades|"
          r"boroughs|counties|trusts|areas\s+(?:of\s+the\s+country|in\s+england))")

# The judgements a grade can be of, by the words people use.
JUDGEMENT_WORDS: dict[str, str] = {
    "care_leavers": r"care[\s-]+leavers?|leaving\s+care|care[\s-]+experienced\s+young\s+people",
    "in_care": r"children\s+in\s+care|child\s+in\s+care|looked[\s-]+after\s+children|children\s+looked\s+after",
    "help_and_protection": r"(?:children\s+who\s+need\s+)?help\s+and\s+protection|child\s+protection",
    "impact_of_leaders": r"impact\s+of\s+leaders|leadership|(?<!team\s)(?<!political\s)leaders|management",
    "overall_effectiveness": r"overall(?:\s+effectiveness)?",
}
_JUDGEMENT = "|".join(f"(?P<{key}>{words})" for key, words in JUDGEMENT_WORDS.items())
_GRADING_VERB = r"(?:rated|judged|graded|found\s+to\s+be|deemed|given)"
_GRADING = [
    # "children in care judged requires improvement", "leadership was rated inadequate"
    re.compile(rf"\b(?:{_JUDGEMENT})\s+(?:(?:was|were|is|are|been|being|has\s+been|have\s+been)\s+)?"
               rf"{_GRADING_VERB}\s+(?:as\s+)?(?:an?\s+)?{_GRADES}", re.I),
    # "rated inadequate", "judged good", "was graded requires improvement", "given an inadequate rating"
    re.compile(rf"\b{_GRADING_VERB}\s+(?:as\s+)?(?:an?\s+)?{_GRADES}(?:\s+(?:rating|grade|judgement))?", re.I),
    # "outstanding-rated councils", "good rated"
    re.compile(rf"\b{_GRADES}[\s-]+rated\b", re.I),
    # "inadequate councils", "good or outstanding authorities", "RI councils'"
    re.compile(rf"\b{_GRADES}\s+{_NOUNS}\b", re.I),
    # "an inadequate rating", "its outstanding grade", "the 2019 inadequate judgement"
    re.compile(rf"(?:\b(?:an?|its|their|the)\s+|['’]s?\s+|\b{_YEAR}\s+){_GRADES}\s+(?:rating|grade|judgement|verdict)\b",
               re.I),
    # "councils that are inadequate", "authorities which were rated good"
    re.compile(rf"\b(?:councils|authorities|las|boroughs|ones)\s+(?:that|which|who)\s+(?:are|were|is|was|have\s+been|"
               rf"had\s+been)\s+(?:{_GRADING_VERB}\s+)?{_GRADES}", re.I),
    # "inadequate for care leavers", "with inadequate help and protection"
    re.compile(rf"\b{_GRADES}\s+for\s+(?:{_JUDGEMENT})", re.I),
    re.compile(rf"\b(?:with|has|have|had)\s+(?:an?\s+)?{_GRADES}\s+(?:{_JUDGEMENT})", re.I),
]
_AFTER_GRADE = re.compile(rf"^\s*(?:rating|grade|judgement)?\s*(?:for|on|in)\s+(?:the\s+)?(?:{_JUDGEMENT})", re.I)
# "the best-rated councils", "top-rated", "worst-rated": grade preferences without naming a grade.
_BEST = re.compile(r"\b(?:best|highest|top|well)[\s-]+(?:rated|performing|graded)\b"
                   r"(?:\s+(?:councils?|authorities|las|reports?))?", re.I)
_WORST = re.compile(r"\b(?:worst|lowest|poorly|badly)[\s-]+(?:rated|performing|graded)\b"
                    r"(?:\s+(?:councils?|authorities|las|reports?))?", re.I)

# A poor grade told as where the authority was before, the question asking what came after.
_POOR = grade_pattern(grades=POOR_GRADES, to_be_good=False, failing=True)
_EARLIER_STATE = re.compile(
    rf"\b(?:after|since|following)\s+(?:(?:it|they|its|their|the|an?|was|were|had|has|been|being|years\s+of|"
    rf"a\s+period\s+of|decades\s+of|an?\s+\w+\s+of)\s+){{0,3}}"
    rf"(?:(?:rated|judged|graded|found|deemed|declared|put\s+in)\s+(?:to\s+be\s+|as\s+)?)?(?:an?\s+)?{_POOR}"
    rf"|\b(?:came|come|comes|coming|climbed|climb|got|get|getting|moved|move|lifted)\s+out\s+of\s+{_POOR}"
    rf"|\bno\s+longer\s+{_POOR}|\byears\s+of\s+{_POOR}",
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
    r"\b(?:(?:in|at|from|of)\s+)?(?:(?:its|their|the|his|her|each\s+\w+['’]s)\s+)?"
    r"(?:latest|most\s+recent|newest|current|last|recent)\s+(?:ofsted\s+|ilacs\s+|full\s+|published\s+)?"
    r"(?:inspections?|reports?|judgements?|grades?|ratings?|verdicts?|ofsted)\b"
    r"|\b(?:the\s+)?last\s+time\s+(?:ofsted|inspectors|it\s+was\s+inspected|they\s+were\s+inspected)"
    r"|\bwhen\s+(?:ofsted|inspectors)\s+last\b|\b(?:most\s+)?recently\s+inspected\b|\bas\s+(?:it\s+)?stands\b"
    r"|\b(?:the\s+)?(?:latest|most\s+recent(?:ly)?|newest)\s*(?=[?.!]*\s*$)",
    re.I,
)


@dataclass
class Grades:
    """The grades a question reads as grades of reports, and whether it asks for the latest report."""

    grades: list[str] = field(default_factory=list)  # ingest.models.GRADES
    judgement: str = "overall_effectiveness"  # the judgement graded (filters.FILTER_JUDGEMENTS)
    earlier: list[str] = field(default_factory=list)  # where a council was before: not narrowing
    latest: bool = False
    spans: list[tuple[int, int]] = field(default_factory=list)  # read: these leave the topic
    latest_spans: list[tuple[int, int]] = field(default_factory=list)  # the recency words read


def find_grades(question: str, taken: list[tuple[int, int]]) -> Grades:
    """The grades (with the judgement they grade) and the recency a question asks for.

    Args:
        question: the question as typed.
        taken: spans already read as something else (names, years).

    Returns:
        Grades: what was read and the spans read.
    """
    found = Grades()

    def free(span: tuple[int, int]) -> bool:
        return not any(a < span[1] and span[0] < b for a, b in taken + found.spans + found.latest_spans)

    judgements: list[str] = []
    for pattern in _GRADING:
        for match in pattern.finditer(question):
            span = match.span()
            if not free(span):  # "the 2019 inadequate judgement": the year was read as a year
                start = min(match.start(g) for g in ("grade", "ri") if match.group(g) is not None)
                span = (start, match.end())
                if not free(span):
                    continue
            groups = match.groupdict()
            grades = ["requires improvement" if groups.get("ri") else normalise_grade(groups.get("grade") or "")]
            if groups.get("grade2"):
                grades.append(normalise_grade(groups["grade2"]))
            grades = [g for g in grades if g]
            if not grades:
                continue
            said = [key for key in JUDGEMENT_WORDS if groups.get(key)]
            if not said:
                after = _AFTER_GRADE.match(question[match.end():])
                said = [key for key in JUDGEMENT_WORDS if after and after.group(key)]
            judgements += said
            found.grades += [g for g in grades if g not in found.grades]
            found.spans.append(span)
    for pattern, grades in ((_BEST, ["outstanding", "good"]), (_WORST, ["inadequate"])):
        for match in pattern.finditer(question):
            if free(match.span()):
                found.grades += [g for g in grades if g not in found.grades]
                found.spans.append(match.span())
    if judgements:
        found.judgement = judgements[0]
    before = [_EARLIER_STATE.search(question)]
    if _CHANGE_SINCE.search(question):
        before.append(_WAS_POOR.search(question))
    told = [m for m in before if m is not None]
    if told:
        said = [normalise_grade(g) for m in told for g in re.findall(_POOR, m.group(0), re.I)]
        found.earlier = [g for g in dict.fromkeys(said + found.grades) if g in ("inadequate", "requires improvement")]
        found.grades = [g for g in found.grades if g not in found.earlier]
        if not found.grades:
            found.judgement = "overall_effectiveness"
    for match in _RECENCY.finditer(question):
        if free(match.span()):
            found.latest = True
            found.latest_spans.append(match.span())
    return found
