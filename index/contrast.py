"""'What good looks like': one question answered twice, from well-graded and from poorly graded reports.

The grade compared is that of the judgement the question is about (a question on care leavers
compares the care leavers judgement), or overall effectiveness when no judgement is clear. Both
sides are the same search (index/search/) under one more filter, so each card is cited as usual
and nothing is written that a report did not say.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from index.query import read_question
from index.search import FILTER_JUDGEMENTS, Searcher, SearchFilters, SearchResponse
from ingest.vocabulary import GOOD_GRADES, POOR_GRADES

# The judgement whose grade a question's judgement area is judged by (index/query.py's areas).
AREA_JUDGEMENT = {
    "care_leavers": "care_leavers",
    "in_care": "in_care",
    "help_and_protection": "help_and_protection",
    "leadership": "impact_of_leaders",
}


@dataclass
class Contrast:
    """The two sides of a contrast search, and the judgement whose grades split them."""

    question: str
    judgement: str  # a key of FILTER_JUDGEMENTS
    good: SearchResponse
    poor: SearchResponse

    @property
    def judgement_label(self) -> str:
        return FILTER_JUDGEMENTS[self.judgement]


def judgement_for(question: str) -> str:
    """The judgement a question is about ("overall_effectiveness" when none is clear)."""
    area = read_question(question).judgement_area
    return AREA_JUDGEMENT.get(area or "", "overall_effectiveness")


def contrast_search(searcher: Searcher, question: str, filters: SearchFilters | None = None, k: int = 5) -> Contrast:
    """Answer `question` from reports graded good or outstanding, and from reports graded requires
    improvement or inadequate, on the judgement it is about.

    Args:
        searcher: the index's searcher (`ReportIndex.searcher`).
        question: the user's question.
        filters: the user's other filters; a grade filter on the same judgement is replaced.
        k: passages per side.

    Returns:
        A Contrast; either side may be empty (its response's message says why).

    Raises:
        QueryError: as `Searcher.search` (an empty question, bad filters).
    """
    judgement = judgement_for(question)
    base = filters or SearchFilters()
    sides = []
    for grades in (GOOD_GRADES, POOR_GRADES):
        judged = {**base.judgement_grades, judgement: list(grades)}
        # Each column is graded by the contrast alone: a grade read from the question's words
        # ("inadequate councils") would narrow both columns to it, and one would come out empty.
        side = dataclasses.replace(base, judgement_grades=judged,
                                   grades=[] if judgement == "overall_effectiveness" else base.grades,
                                   ignore_reading=base.ignore_reading | {"grade"})
        sides.append(searcher.search(question, side, k))
    return Contrast(question, judgement, sides[0], sides[1])
