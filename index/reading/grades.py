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
from collections.abc import Callable
from dataclasses import dataclass, field

from index.reading.lazy_pattern import lazy_re
from index.reading.spans import blanked
from ingest.vocabulary import POOR_GRADES, grade_pattern, normalise_grade

_YEAR = r"(?:199\d|20\d\d)"
_GRADE = grade_pattern("grade", failing=True)
_GRADE2 = grade_pattern("grade2", to_be_good=False, failing=True)
_RI = r"(?P<ri>\bRI\b)"  # "RI councils": requires improvement, in capitals only
_RI2 = r"(?P<ri2>\bRI\b)"
_GRADES = rf"(?:{_GRADE}|{_RI})(?:\s*(?:,|or|and|/|versus|vs\.?)\s*(?:{_GRADE2}|{_RI2}))?"
_NOUNS = (r"(?:councils?(?!\s+tax)|authorit(?:y|ies)|local\s+authorit(?:y|ies)|las|reports?|inspections?|ratings|"
          r"grades|boroughs|counties|trusts|areas\s+(?:of\s+the\s+country|in\s+england))")

# The judgements a grade can be of, by the words people use.
JUDGEMENT_WORDS: dict[str, str] = {
    "care_leavers": r"care[\s-]+leavers?|leaving\s+care|care[\s-]+experienced\s+young\s+people",
    "in_care": r"children\s+in\s+care|child\s+in\s+care|looked[\s-]+after\s+children|children\s+looked\s+after"
               r"|(?-i:\bLAC\b|\bCLA\b|\bCiC\b|\bCIC\b)"
               r"|in[\s-]care(?=\s+(?:judgements?|ratings?|grades?)\b)",
    "help_and_protection": r"(?:children\s+(?:who\s+need|in\s+need\s+of)\s+)?help\s+and\s+protection"
                           r"|child\s+protection",
    "impact_of_leaders": r"impact\s+of\s+leaders|leadership(?:,?\s+management\s+and\s+governance)?"
                         r"|(?<!team\s)(?<!political\s)leaders|management",
    "overall_effectiveness": r"overall(?:\s+effectiveness)?",
}
_JUDGEMENT = "|".join(f"(?P<{key}>{words})" for key, words in JUDGEMENT_WORDS.items())
_GRADING_VERB = r"(?:rated|judged|graded|found(?:\s+(?:them|it|the\s+council))?(?:\s+to\s+be)?|deemed|given)"
_GRADING = [
    # "children in care judged requires improvement", "leadership was rated inadequate"
    lazy_re(rf"\b(?:{_JUDGEMENT})\s+(?:(?:services?|provision|work|judgement)\s+)?"
               rf"(?:(?:was|were|is|are|been|being|has\s+been|have\s+been)\s+)?"
               rf"(?P<verb>{_GRADING_VERB})\s+(?:as\s+)?(?:an?\s+)?{_GRADES}", re.I),
    # "rated inadequate", "judged good", "was graded requires improvement", "given an inadequate rating"
    lazy_re(rf"\b{_GRADING_VERB}\s+(?:as\s+)?(?:an?\s+)?{_GRADES}(?:\s+(?:rating|grade|judgement))?", re.I),
    # "outstanding-rated councils", "good rated"
    lazy_re(rf"\b{_GRADES}[\s-]+rated\b", re.I),
    # "inadequate councils", "good or outstanding authorities", "RI councils'"
    lazy_re(rf"\b{_GRADES}['’\"]?\s+(?:(?:london|metropolitan|county|unitary|shire|inner|outer|northern|southern|"
               rf"english)\s+)?{_NOUNS}\b", re.I),
    # "was leadership inadequate in any council", "is help and protection good"
    lazy_re(rf"\b(?:was|were|is|are)\s+(?:the\s+)?(?:{_JUDGEMENT})\s+(?P<verb>){_GRADES}\b(?!\s+(?:practice|work)\b)",
               re.I),
    # "an inadequate rating", "its outstanding grade", "the 2019 inadequate judgement"
    lazy_re(rf"(?:\b(?:an?|its|their|the)\s+|['’]s?\s+|\b{_YEAR}\s+){_GRADES}\s+(?:rating|grade|judgement|verdict)\b",
               re.I),
    # "councils that got requires improvement in 2022", "how did Telford get outstanding", "achieved good"
    lazy_re(rf"\b(?:got|get|gets|getting|achieved?|achieving|received?|earned?|awarded|became|become|becoming|"
               rf"went|go|goes|going|moved|move)\s+(?:an?\s+)?['‘’\"]?{_GRADES}['’\"]?(?:\s+(?:rating|grade|judgement))?"
               rf"(?=\s*(?:[?.!,;]|$|\b(?:in|for|from|by|overall|and|or|since|after|before|at|last|{_YEAR})\b))", re.I),
    # "councils whose most recent judgement was outstanding", "its rating is good"
    lazy_re(rf"\b(?:judgement|rating|grade|verdict|inspection|report)\s+(?P<verb>was|is|were|has\s+been|had\s+been)\s+"
               rf"(?:(?:rated|judged|graded)\s+)?{_GRADES}\b(?!\s+(?:at|in|on|about|with)\b)",
               re.I),
    # "authorities where the impact of leaders was outstanding", "help and protection is good"
    lazy_re(rf"\b(?:{_JUDGEMENT})\s+(?:services?\s+)?(?P<verb>was|were|is|are|has\s+been|have\s+been)\s+{_GRADES}"
               rf"(?=\s*(?:[?.!,;:]|\s-\s|$|\b(?:but|and|or|since|overall|while|whereas|in\s+{_YEAR}|{_YEAR})\b))",
               re.I),
    # "which of wakefield's neighbours are outstanding"
    lazy_re(rf"\b(?:which|what)\s+of\s+.{{1,40}}?\b(?:neighbou?rs|comparators|councils|authorities)\s+"
               rf"(?P<verb>are|were|is|was)\s+(?:{_GRADING_VERB}\s+)?{_GRADES}", re.I),
    # "children in care judgement requires improvement"
    lazy_re(rf"\b(?:{_JUDGEMENT})\s+(?P<verb>judgement|rating|grade)\s+(?:(?:was|is|of)\s+)?{_GRADES}\b", re.I),
    # "councils with inadequate judgements for children in care"
    lazy_re(rf"\b(?:with|had|have|has|got|received|given)\s+(?:an?\s+)?{_GRADES}\s+(?:judgements?|ratings?|grades?)\b",
               re.I),
    # "manchester when it was inadequate"
    lazy_re(rf"\bwhen\s+(?:it|they|the\s+council)\s+(?:was|were)\s+(?:{_GRADING_VERB}\s+)?{_GRADES}\b", re.I),
    # "judged the experiences of children who need help and protection to be outstanding"
    lazy_re(rf"\b(?P<verb>{_GRADING_VERB})\s+(?:the\s+)?(?:(?:experiences?|progress)\s+(?:and\s+progress\s+)?of\s+)?"
               rf"(?:{_JUDGEMENT})\s+(?:to\s+be|as)\s+{_GRADES}", re.I),
    # "inadequate help and protection judgements", "good care leavers ratings"
    lazy_re(rf"\b{_GRADES}\s+(?:{_JUDGEMENT})\s+(?:judgements?|ratings?|grades?)\b", re.I),
    # "which councils are outstanding", "what authorities were judged inadequate"
    lazy_re(rf"\b(?:which|what)\s+(?:councils|authorities|local\s+authorities|las|boroughs)\s+(?:are|were|have\s+been|"
               rf"had\s+been)\s+(?:{_GRADING_VERB}\s+)?{_GRADES}(?!\s+(?:at|in|with|on|about|to)\b)", re.I),
    # "councils that are inadequate", "authorities which were rated good"
    lazy_re(rf"\b(?:councils|authorities|las|boroughs|ones)\s+(?:(?:that|which|who)\s+)?(?:(?:are|were|is|was|"
               rf"have\s+been|had\s+been)\s+(?:{_GRADING_VERB}\s+)?|(?:that|which)\s+){_GRADES}"
               rf"(?!\s+(?:at|with|about)\b)", re.I),
    # "inadequate for care leavers", "with inadequate help and protection"
    lazy_re(rf"\b{_GRADES}\s+for\s+(?:{_JUDGEMENT})", re.I),
    lazy_re(rf"\b(?:with|has|have|had)\s+(?:an?\s+)?{_GRADES}\s+(?:{_JUDGEMENT})"
               rf"(?!\s+(?:offers?|support|practice|work|teams?|provision|plans?))", re.I),
]
# A grade word with nothing after it but a year or the end, said just after a council's name, a year
# or a judgement ("herefordshire inadequate 2018", "trafford help and protection inadequate"), or
# "still / now / currently inadequate": a grade of reports, but said without a grading word, so favoured.
_BARE_GRADE = lazy_re(rf"\b{_GRADES}(?=\s*(?:[?.!,;:]|\s-\s|$|\b(?:(?:in|since|before|after|from)\s+)?{_YEAR}\b"
                         rf"|\b(?:rating|grade|judgement)\b))",
                         re.I)
_STATE_NOW = lazy_re(rf"\b(?:still|now|currently)\s+(?:(?:rated|judged|graded)\s+)?{_GRADES}"
                        rf"(?=\s*(?:[?.!,;]|$|\b{_YEAR}\b|\boverall\b|\bfor\s+(?:{_JUDGEMENT})))", re.I)
_COUNCILS_BEFORE = lazy_re(r"\b(?:councils?|authorit(?:y|ies)|las|boroughs|counties|it|they)\b", re.I)
_GRADE_THEN_JUDGEMENT = lazy_re(rf"\b{_GRADES}(?=\s+(?:{_JUDGEMENT})\s*[?.!]*\s*$)", re.I)
_AFTER_JUDGEMENT_GRADE = lazy_re(rf"\b{_GRADES}(?=\s+(?:in|across|for|among|within)\s)", re.I)
_JUDGEMENT_BEFORE = lazy_re(rf"(?:{_JUDGEMENT})\s*(?:[-:,]\s*)?$", re.I)
_AFTER_GRADE = lazy_re(rf"^\s*(?:ratings?|grades?|judgements?)?\s*(?:for|on|in)\s+(?:the\s+)?"
                          rf"(?:(?:experiences?|progress)\s+(?:and\s+progress\s+)?of\s+)?(?:{_JUDGEMENT})", re.I)
# "the best-rated councils", "top-rated", "worst-rated": grade preferences without naming a grade.
_BEST = lazy_re(r"\b(?:best|highest|top)[\s-]+(?:rated|graded)\b"
                   r"(?:\s+(?:councils?|authorities|las|reports?))?", re.I)
_WELL = lazy_re(r"\b(?:well|highly|high|best|top|strong)[\s-]+(?:rated|performing|graded)\b"
                   r"(?:\s+(?:councils?|authorities|las|reports?))?", re.I)
# "local authorities requiring improvement", "councils needing improvement"
_NEEDING = lazy_re(r"\b(?:councils?|authorit(?:y|ies)|las|boroughs|counties)\s+(?:requiring|needing|that\s+(?:need|"
                      r"require)s?)\s+improvement\b", re.I)
_SPECIAL_MEASURES = lazy_re(r"\b(?:in|under|into|placed\s+in|put\s+in)\s+special\s+measures\b", re.I)
_WORST = lazy_re(r"\b(?:worst|lowest|poorly|badly)[\s-]+(?:rated|performing|graded)\b"
                    r"(?:\s+(?:councils?|authorities|las|reports?))?", re.I)

# A poor grade told as where the authority was before, the question asking what came after.
_POOR = grade_pattern(grades=POOR_GRADES, to_be_good=False, failing=True)
_EARLIER_STATE = lazy_re(
    rf"\b(?:after|since|following)\s+(?:(?:it|they|its|their|the|an?|was|were|had|has|been|being|years\s+of|"
    rf"a\s+period\s+of|decades\s+of|an?\s+\w+\s+of)\s+){{0,3}}"
    rf"(?:(?:rated|judged|graded|found|deemed|declared|put\s+in)\s+(?:to\s+be\s+|as\s+)?)?(?:an?\s+)?{_POOR}"
    rf"|\b(?:came|come|comes|coming|climbed|climb|got|get|getting|moved|move|lifted)\s+out\s+of\s+{_POOR}"
    rf"|\bno\s+longer\s+{_POOR}|\byears\s+of\s+{_POOR}",
    re.I,
)
_CHANGE_SINCE = lazy_re(
    r"\b(?:improv\w*|turn(?:ed|ing|s)?\s+(?:\w+\s+){0,2}(?:round|around)|recover\w*|progress\w*|changed?|then|"
    r"better|fixed|since\s+then|now)\b",
    re.I,
)
_WAS_POOR = lazy_re(rf"\b(?:was|were|had\s+been|used\s+to\s+be)\s+(?:(?:rated|judged|graded)\s+)?"
                       rf"{_POOR}\b", re.I)

_RECENCY = lazy_re(
    r"\b(?:(?:in|at|from|of)\s+)?(?:(?:its|their|the|his|her|each\s+\w+['’]s)\s+)?"
    r"(?:latest|most\s+recent|newest|current|present|up[\s-]+to[\s-]+date|last|recent)\s+(?!(?:two|three|four|"
    r"five|six|few|several|couple|\d+)\b)"
    r"(?:ofsted\s+|ilacs\s+|full\s+|published\s+)?(?:overall\s+(?:effectiveness\s+)?)?"
    r"(?:inspections?|reports?|judgements?|grades?|ratings?|verdicts?|outcomes?|findings|results?|"
    r"(?<=ofsted\s)(?:position|standing|status)|"
    r"ofsted(?!\s+(?:framework|thinking|guidance|views?|approach|research|priorities|policy|position))|ilacs(?!\s+framework)|visits?\s+by\s+ofsted|"
    r"(?:monitoring|focused)\s+visits?)\b"
    r"|\b(?:the\s+)?last\s+time\s+(?:ofsted|inspectors|it\s+was\s+inspected|they\s+were\s+inspected)"
    r"|\bwhen\s+(?:ofsted|inspectors)\s+last\b|\b(?:most\s+)?recently\s+inspected\b|\bas\s+(?:it\s+)?stands\b"
    r"|\b(?:the\s+)?(?:latest|most\s+recent(?:ly)?|newest)\s*(?=[?.!]*\s*$)"
    # "what is Nottingham rated now", "how is Sheffield doing at the moment", "currently rated inadequate"
    r"|\b(?:rated|judged|graded|doing|performing|faring|getting\s+on|stands?|standing)\s+(?:now|currently|"
    r"at\s+present|at\s+the\s+moment|today|these\s+days|right\s+now)\b"
    r"|\b(?:currently|presently|now)(?=\s+(?:rated|judged|graded)\b)"
    # "when they last inspected Wigan", "what grade did Surrey get last time", "the latest on Birmingham"
    r"|\b(?:last|most\s+recently)\s+(?:inspected|rated|judged|graded)\b"
    r"|\b(?:ofsted|inspectors)\s+(?:last|most\s+recently)\s+(?:visited|went\s+(?:in|into))\b"
    r"|\blast\s+time(?:\s+round|\s+around)?(?=\s*[?.!]*\s*$)"
    r"|\bas\s+(?:of|at)\s+(?:today|now|the\s+moment)\b"
    r"|\b(?:said|found|say|find|wrote|write|thought)\s+last\s+time\b"
    r"|\bthe\s+last\s+time\s+(?=(?:[A-Za-z'’&-]+\s+){1,4}?(?:was|were)\s+inspected)"
    # "where is sandwell at now", "how does calderdale look now", "the latest from ofsted on", "inspected recently"
    r"|\bwhere\s+(?:is|are|does|do)\b.{0,40}?\b(?P<now2>now|currently|today)\b"
    r"|\b(?:look|looks|looking|going)\s+now\b|\bnow\s+according\s+to\s+ofsted\b"
    r"|\bthe\s+latest\s+(?:from|by)\s+ofsted\b|\b(?:inspected|visited)\s+recently\b|\bthe\s+latest\s+one\b"
    r"|\b(?:they|ofsted|inspectors)\s+last\s+(?:went|came|visited|visit|looked|inspected|inspect)\b"
    r"|\b(?:say|said|says|find|found|finds|write|wrote|report|reported|judge|judged|rate|rated)\s+most\s+recently\b"
    r"|\blast\s+time\s+(?:they|ofsted|inspectors)\s+(?:came|visited|inspected|looked|were\s+in|went\s+in(?:to)?)\b"
    # "the latest waltham forest inspection": the recency word, the name between
    r"|\b(?:latest|most\s+recent|newest|last|(?<=the\s)recent)(?!\s+(?:two|three|four|five|six|few|several|couple|"
    r"\d+|version|edition|update|iteration|revision)\b)"
    r"(?=\s+(?:[A-Za-z'’&-]+\s+){1,4}?(?:ofsted\s+)?(?:inspections?|reports?|"
    r"ilacs|judgements?|ratings?)\b)"
    r"|\b(?:right\s+now|at\s+the\s+moment|at\s+present|as\s+things\s+stand)(?=.{0,60}\b(?:rated|judged|graded)\b)"
    r"|\b(?:rated|judged|graded)\b.{0,40}?\b(?P<now>right\s+now|at\s+the\s+moment|at\s+present)\b"
    # "what is wiltshire's ofsted rating now", "where does swindon stand with ofsted today"
    r"|\b(?:rating|grade|judgement|stand|stands|rated|judged|graded)\s+(?:with\s+ofsted\s+|by\s+ofsted\s+)?"
    r"(?:now|today|currently|at\s+present|at\s+the\s+moment|these\s+days|right\s+now)\s*(?=[?.!]*\s*$)"
    r"|\bthe\s+latest\s+(?=(?:on|for|from|about|in)\s+(?:the\s+)?(?-i:[A-Z]))"
    r"|\blast\s+year\s+(?:they|it|the\s+council)\s+(?:was|were)\s+inspected\b"
    # "what did ofsted say in their last visit to kent"
    r"|\b(?:ofsted|inspectors)\b.{0,30}?\b(?:their|its|the)\s+(?:last|latest|most\s+recent)\s+visit\b",
    re.I,
)


# What else Ofsted grades: a grade said of these is not a council's ("children's homes rated good").
_OTHER_GRADED = (r"(?:children['’]?s\s+homes?|homes?|schools?|academ(?:y|ies)|nurser(?:y|ies)|providers?|provision|"
                 r"settings?|colleges?|hospitals?|prisons?|secure\s+(?:units?|homes?)|fostering\s+agenc(?:y|ies)|"
                 r"ifas?|agenc(?:y|ies)|foster\s+carers?|carers?|practice|practitioners?|social\s+workers?|"
                 # what social workers judge: "parenting capacity judged inadequate"
                 r"parenting(?:\s+capacity)?|parents?|home\s+conditions|housing|"
                 # pieces of practice, and leaders of other bodies: "management oversight judged inadequate"
                 r"plans?|planning|oversight|supervision|assessments?|recording|records|casework|decision[\s-]making|"
                 r"arrangements|audits?|meetings?|conferences?|interventions?|placements?|thresholds?|"
                 r"data\s+protection|(?:political|school|team|health|police|faith|community|youth)\s+leaders?)")
_OTHER_GRADED_BEFORE = lazy_re(rf"\b{_OTHER_GRADED}\s+(?:(?:that|which|who)\s+)?(?:(?:are|were|is|was|been|"
                                  rf"have\s+been|has\s+been)\s+)?$", re.I)
# "judged inadequate by the social worker", "rated good by the court": someone else's judgement
_OTHER_GRADED_AFTER = lazy_re(
    rf"^\s+{_OTHER_GRADED}\b|^\s+by\s+(?!(?:the\s+)?(?:ofsted|inspectors?|inspectorate|hmci)\b)", re.I)
# "downgraded to inadequate", "improved from requires improvement to good": the grade reached.
_REACHED = lazy_re(
    rf"\b(?:downgraded|upgraded|dropped|fell|slipped|moved|went|gone|going|rose|risen|improved|improving|climbed|"
    rf"jumped|returned|got|get|getting)\s+(?:back\s+|up\s+|down\s+|all\s+the\s+way\s+)?"
    rf"(?:from\s+(?P<earlier>{grade_pattern(to_be_good=False, failing=True)})\s+)?(?:to|into)\s+{_GRADES}\b", re.I)

# "the last inspection before covid" (not "before it was abolished": that is its newest)
_BEFORE_SOMETHING = lazy_re(r"\s+(?:before|prior\s+to|pre)\b(?!\s+(?:it|they|the\s+council)\b)", re.I)
_LATEST_ON = lazy_re(r"\bthe\s+latest\s+(?:on|for|from|about|in)\s+", re.I)
_NOW_THEN_RATING = lazy_re(r"\bnow(?=\s*[-:–]\s*(?:ofsted\s+)?(?:rating|grade|judgement|inspection|report))", re.I)
_NOW_AT_END = lazy_re(r"\b(?:right\s+now|now|currently|at\s+the\s+moment|at\s+present|today)(?=\s*[?.!]*\s*$)", re.I)
# "RI or worse", "good or better", "requires improvement or below"
_OR_WORSE = lazy_re(rf"\b(?:{_GRADE}|{_RI})\s+or\s+(?P<dir>worse|below|lower|better|above|higher)\b", re.I)

# "what is Devon rated", "how is Kent judged?": a council's grade now (the verb read; the name is a name).
_RATING_NOW = lazy_re(r"\b(?:rating|grade|judgement|rated|judged|graded|how\s+good|how\s+well|doing)\b.{0,60}?\b"
                         r"(?P<verb>now|today|currently|"
                         r"at\s+the\s+moment|at\s+present|these\s+days)\s*[?.!]*\s*$", re.I)
_RATED_NOW = lazy_re(r"\b(?:what|how)\s+(?:is|are)\b.{1,60}?\b(?P<verb>rated|judged|graded)\s*[?.!]*\s*$", re.I)


@dataclass
class Grades:
    """The grades a question reads as grades of reports, and whether it asks for the latest report."""

    grades: list[str] = field(default_factory=list)  # ingest.models.GRADES
    judgement: str = "overall_effectiveness"  # the judgement graded (filters.FILTER_JUDGEMENTS)
    earlier: list[str] = field(default_factory=list)  # where a council was before: not narrowing
    latest: bool = False
    weak: bool = False  # read only from a bare grade word ("herefordshire inadequate 2018"): favour, never narrow
    # another judgement's grades, to hold as well ("good for children in care but RI overall")
    more: list[tuple[str, list[str]]] = field(default_factory=list)
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
    _graded(question, taken, found, judgements, free)
    _graded_after_a_name(question, taken, found, free)
    _graded_in_other_words(question, found, judgements, free)
    if not found.grades:
        _weak_grades(question, taken, found, judgements, free)
    if judgements:
        found.judgement = judgements[0]
    if found.grades and not found.weak:
        _in_contrast(question, found, free)
    _grades_before(question, found)
    _latest(question, taken, found, free)
    return found


def _said_of_a_council(question: str, taken: list[tuple[int, int]], at: int) -> bool:
    """True when a council's name, or a word for councils, comes before `at` ("is Slough still
    inadequate", "councils now inadequate"; not "practice that is still good")."""
    return any(b <= at for _, b in taken) or bool(_COUNCILS_BEFORE.search(question[:at]))


def _grade_of(match: re.Match[str]) -> str | None:
    """The grade a match names ("RI" is requires improvement)."""
    return "requires improvement" if match.group("ri") else normalise_grade(match.group("grade"))


def _grade_start(match: re.Match[str]) -> int:
    return min(match.start(g) for g in ("grade", "ri") if match.group(g) is not None)


# "X was judged good" where X is neither a council (its name is read, so blank here), nor a word for
# councils, nor a judgement: something else graded ("the quality of assessments was judged good").
_SAID_OF_SOMETHING_ELSE = lazy_re(
    r"\b(?!(?:councils?|authorit(?:y|ies)|las?|boroughs?|count(?:y|ies)|it|they|which|that|who|overall|services?|"
    r"care|leavers|protection|leadership|leaders|management|effectiveness|governance|trusts?|areas?|ones|each|"
    r"all|both|none|these|those|ofsted|also|ever|previously|then|now|still|once|recently|last|first)\b)"
    r"[A-Za-z'’]+\s{1,2}(?:was|were|is|are|has\s+been|have\s+been|had\s+been)\s{1,2}$", re.I)
_ENDS_WITH_COUNCILS = lazy_re(rf"{_NOUNS}$", re.I)  # "RI authorities agency staff": the grade is the councils'
# "care leavers got an outstanding judgement", "where care leavers were given good": the judgement, then its grade
_JUDGEMENT_SAID_BEFORE = lazy_re(rf"(?:{_JUDGEMENT})\s+(?:(?:was|were|is|are|has|have|had)\s+)?"
                                    rf"(?:(?:got|get|gets|received?|achieved?|given|earned|awarded)\s+)?$", re.I)
_THAT_WERE = lazy_re(rf"\b(?:that|which|who)\s+(?:are|were|is|was|have\s+been|had\s+been)\s+"
                        rf"(?:(?:rated|judged|graded)\s+)?{_GRADES}\b(?!\s+(?:at|in|on|about|with|to)\b)", re.I)
_BUT = r"\b(?:but|despite|while|whilst|whereas|yet|though|although|and)\s+(?:(?:being|still|only)\s+)?"
_CONTRASTED = [
    # "... but children in care RI", "but help and protection requires improvement"
    lazy_re(rf"{_BUT}(?P<said>)(?:the\s+)?(?:{_JUDGEMENT})\s+(?:(?:was|were|is|are|judged|rated|graded|as)\s+)*"
               rf"{_GRADES}(?=\s*(?:[?.!,;:]|\s-\s|$|\b(?:in|since|overall|for|judgements?|ratings?)\b))", re.I),
    # "... but RI overall", "despite RI overall"
    lazy_re(rf"{_BUT}(?P<said>)(?:(?:rated|judged|graded|was|were)\s+)*{_GRADES}\s+(?P<overall_effectiveness>overall)"
               r"\b", re.I),
]
_JUDGEMENT_THEN_PLACE = lazy_re(rf"(?:{_JUDGEMENT})(?:\s+(?:in|across|from))?\s{{4,}}$", re.I)


def _graded(question: str, taken: list[tuple[int, int]], found: Grades, judgements: list[str],
            free: Callable[[tuple[int, int]], bool]) -> None:
    """Grades in a grading context (_GRADING), with the judgement each is said of."""
    for pattern in _GRADING:
        for match in pattern.finditer(question):
            # "looked after children service judged inadequate": the judgement's words stay in the topic
            span = (match.start("verb"), match.end()) if match.groupdict().get("verb") else match.span()
            if _OTHER_GRADED_BEFORE.search(question[:match.start()]) or (_OTHER_GRADED_AFTER.match(
                    question[match.end():]) and not _ENDS_WITH_COUNCILS.search(match.group(0))):
                continue  # "children's homes rated good", "good-rated schools": not a council's grade
            if pattern is _GRADING[1] and _SAID_OF_SOMETHING_ELSE.search(blanked(question[:match.start()], taken)):
                continue  # "the quality of assessments was judged good": practice, not a council
            if not free(span):  # "the 2019 inadequate judgement": the year was read as a year
                span = (_grade_start(match), match.end())
                if not free(span):
                    last = max(match.end(g) for g in ("grade", "ri", "grade2", "ri2") if match.group(g) is not None)
                    span = (span[0], last)  # "inadequate reports from 2019": "reports from 2019" is the period
                    if not free(span):
                        continue
            groups = match.groupdict()
            second = "requires improvement" if groups.get("ri2") else normalise_grade(groups.get("grade2"))
            grades = [g for g in (_grade_of(match), second) if g]
            if not grades:
                continue
            said = [key for key in JUDGEMENT_WORDS if groups.get(key)]
            if not said:
                after = _AFTER_GRADE.match(question[match.end():])
                said = [key for key in JUDGEMENT_WORDS if after and after.group(key)]
            if not said:
                just_before = _JUDGEMENT_SAID_BEFORE.search(question[:match.start()])
                said = [key for key in JUDGEMENT_WORDS if just_before and just_before.group(key)]
            if not said and pattern is _GRADING[1]:
                # "care leavers in the north east rated outstanding": the judgement, then where (read as a place)
                said_before = _JUDGEMENT_THEN_PLACE.search(blanked(question[:match.start()], taken))
                said = [key for key in JUDGEMENT_WORDS if said_before and said_before.group(key)]
            if not said and re.match(r"\s+overall\b", question[match.end():], re.I):
                said = ["overall_effectiveness"]  # "judged inadequate overall but good for care leavers"
            if judgements and said and said[0] != judgements[0]:
                # "help and protection judged good but leadership was RI": each judgement with its own grades
                _also(found, said[0], grades, span)
                continue
            judgements += said
            found.grades += [g for g in grades if g not in found.grades]
            found.spans.append(span)


def _also(found: Grades, judgement: str, grades: list[str], span: tuple[int, int]) -> None:
    """Another judgement's grades, read besides the first ("... but RI overall")."""
    if judgement == found.judgement or any(j == judgement for j, _ in found.more):
        return
    found.more.append((judgement, grades))
    found.spans.append(span)


def _in_contrast(question: str, found: Grades, free: Callable[[tuple[int, int]], bool]) -> None:
    """A second judgement's grade said in contrast with the first: "children in care RI", "RI overall",
    "good for care leavers" after "but", "despite", "while", "whereas", "yet" or "though"."""
    for pattern in _CONTRASTED:
        for match in pattern.finditer(question):
            span = (match.start("said"), match.end())
            grade = _grade_of(match)
            said = [key for key in JUDGEMENT_WORDS if match.groupdict().get(key)] or ["overall_effectiveness"]
            if grade and free(span) and said[0] != found.judgement:
                _also(found, said[0], [grade], span)


def _graded_after_a_name(question: str, taken: list[tuple[int, int]], found: Grades,
                         free: Callable[[tuple[int, int]], bool]) -> None:
    """ "similar LAs to medway that were inadequate": a grade said of councils just read (their name)."""
    for match in _THAT_WERE.finditer(question):
        grade = _grade_of(match)
        span = (match.start(), match.end())
        if grade and free(span) and any(b <= match.start() and not question[b:match.start()].strip() for _, b in taken):
            second = "requires improvement" if match.group("ri2") else normalise_grade(match.group("grade2"))
            found.grades += [g for g in (grade, second) if g and g not in found.grades]
            found.spans.append(span)


def _graded_in_other_words(question: str, found: Grades, judgements: list[str],
                           free: Callable[[tuple[int, int]], bool]) -> None:
    """Grades said without naming one ("best-rated", "in special measures"), reached ("downgraded to
    inadequate", "from RI to good") or bounded ("RI or worse")."""
    # "best-rated": the top grade; "well rated", "best performing": good or outstanding.
    for pattern, grades in ((_BEST, ["outstanding"]), (_WELL, ["outstanding", "good"]), (_WORST, ["inadequate"]),
                            (_SPECIAL_MEASURES, ["inadequate"]), (_NEEDING, ["requires improvement"])):
        for match in pattern.finditer(question):
            if free(match.span()):
                found.grades += [g for g in grades if g not in found.grades]
                found.spans.append(match.span())
                after = _AFTER_GRADE.match(question[match.end():])  # "worst performing councils for care leavers"
                judgements += [key for key in JUDGEMENT_WORDS if after and after.group(key)]
    for match in _REACHED.finditer(question):
        grade = _grade_of(match)
        if grade and free((_grade_start(match), match.end())):
            found.grades += [grade] if grade not in found.grades else []
            found.spans.append((_grade_start(match), match.end()))
            earlier = normalise_grade(match.group("earlier"))
            if earlier and earlier != grade:
                found.earlier.append(earlier)
    order = ["inadequate", "requires improvement", "good", "outstanding"]
    for match in _OR_WORSE.finditer(question):
        grade = _grade_of(match)
        said_before = not free((_grade_start(match), match.end()))  # "rated good or better": "good" read already
        if grade and free((match.start("dir") - 1, match.end())) and (not said_before or grade in found.grades):
            at = order.index(grade)
            worse = match.group("dir").lower() in ("worse", "below", "lower")
            found.grades += [g for g in (order[:at + 1] if worse else order[at:]) if g not in found.grades]
            found.spans.append((match.start("dir") - 1 if said_before else _grade_start(match), match.end()))


def _grades_before(question: str, found: Grades) -> None:
    """A grade told as where a council was, in a question of what came after, is not the grade wanted."""
    before = [_EARLIER_STATE.search(question)]
    unread = blanked(question, found.spans)
    if _CHANGE_SINCE.search(unread):  # "requires improvement" itself is no sign of change
        before.append(_WAS_POOR.search(question))
    told = [m for m in before if m is not None]
    if found.weak and _CHANGE_SINCE.search(unread):
        # "Devon inadequate in 2020 - has anything got better?": a bare grade in a question of change is where
        # the council was
        found.earlier, found.grades, found.weak = list(found.grades), [], False
        found.judgement = "overall_effectiveness"
        found.spans = []  # only weak readings were made: their words stay in the topic
    elif told:
        said = [normalise_grade(g) for m in told for g in re.findall(_POOR, m.group(0), re.I)]
        found.earlier = [g for g in dict.fromkeys(said + found.grades) if g in ("inadequate", "requires improvement")]
        found.grades = [g for g in found.grades if g not in found.earlier]
        if not found.grades:
            found.judgement = "overall_effectiveness"


def _latest(question: str, taken: list[tuple[int, int]], found: Grades,
            free: Callable[[tuple[int, int]], bool]) -> None:
    """Whether the question asks for each council's newest report, and the words that say so."""

    def read(span: tuple[int, int]) -> None:
        found.latest = True
        found.latest_spans.append(span)

    for state in _STATE_NOW.finditer(question):
        said_now = (state.start(), state.start() + len(state.group(0).split()[0]))  # "still", "now", "currently"
        if free(said_now) and _said_of_a_council(question, taken, state.start()):
            read(said_now)  # "LAs currently RI for children in care": their grade now
    now_then = _NOW_THEN_RATING.search(question)
    if now_then and free(now_then.span()):  # "surrey now - ofsted rating"
        read(now_then.span())
    now_at_end = _NOW_AT_END.search(question)
    if found.grades and now_at_end and free(now_at_end.span()):  # "how many councils are failing right now?"
        read(now_at_end.span())
    for pattern in (_RATED_NOW, _RATING_NOW):
        asked_now = pattern.search(question)
        # "what is Devon rated?", "what rating does haringey have at the moment": a council's grade now
        if asked_now and free(asked_now.span("verb")) and any(b <= asked_now.start("verb") for _, b in taken):
            read(asked_now.span("verb"))
    for match in _LATEST_ON.finditer(question):
        if any(a == match.end() for a, _ in taken) and free(match.span()):
            read(match.span())  # "whats the latest on wakefield": a council's name, in lower case
    for match in _RECENCY.finditer(question):
        if _BEFORE_SOMETHING.match(question[match.end():]):
            continue  # "the last inspection before covid": a report of that time, not the newest
        now = "now" if match.group("now") else "now2" if match.group("now2") else None
        span = match.span(now) if now else match.span()  # "rated outstanding right now": the time words
        if free(span):
            read(span)


def _weak_grades(question: str, taken: list[tuple[int, int]], found: Grades, judgements: list[str],
                 free: Callable[[tuple[int, int]], bool]) -> None:
    """Grades said without a grading word: a bare grade just after a council's name, a year or a judgement
    ("herefordshire inadequate 2018", "trafford help and protection inadequate"), or a state now
    ("is Slough still inadequate"). Read as favoured (found.weak)."""
    ends = {b for _, b in taken}
    # "is Slough still inadequate", "councils now inadequate": said of a council, not of practice.
    matches = [(m, None) for m in _STATE_NOW.finditer(question)
               if _said_of_a_council(question, taken, m.start())]
    for match in _BARE_GRADE.finditer(question):
        before = question[:match.start()].rstrip()
        said = _JUDGEMENT_BEFORE.search(before)
        # "middlesborough children's services inadequate 2019": the council's name, its services' words
        services = re.search(r"(?:children['’]?s\s+services|services|council|cc|report|inspection)$", before, re.I)
        if said or len(before) in ends or (services and any(b <= services.start() + 1 for _, b in taken)):
            matches.append((match, said))
    for match in _GRADE_THEN_JUDGEMENT.finditer(question):
        before = question[:match.start()].rstrip()
        if len(before) in ends and all(m.start() != match.start() for m, _ in matches):
            matches.append((match, re.match(rf"\s+(?:{_JUDGEMENT})", question[match.end():], re.I)))
    for match in _AFTER_JUDGEMENT_GRADE.finditer(question):
        said = _JUDGEMENT_BEFORE.search(question[:match.start()].rstrip())
        if said and all(m.start() != match.start() for m, _ in matches):
            matches.append((match, said))
    for match, said in matches:
        start = _grade_start(match)
        grade = _grade_of(match)
        if not grade or not free((start, match.end())):
            continue
        if said is not None:
            judgements += [key for key, value in said.groupdict().items() if value and key in JUDGEMENT_WORDS]
        if grade not in found.grades:
            found.grades.append(grade)
        found.spans.append((start, match.end()))
        found.weak = True
        if said is None and match.re is _STATE_NOW.compiled():
            found.latest = True  # "is Slough still inadequate": its grade now, so its latest report
