"""What a report says must improve: which sections hold its recommendations, and their single points.

Every framework ends its findings with a list of what must improve, under one of a few headings:
"What does the local authority need to improve?" with "Priority and immediate action" and "Areas for
improvement" (SIF and 2013), "Recommendations" (SIF, and the LSCB review's), "What needs to improve?"
(ILACS). The chunker names a sub-part "<area>: <heading>" ("The Local Safeguarding Children Board:
Recommendations"), so the last part of a section name decides.
"""

from __future__ import annotations

import re

from ingest.vocabulary import LIST_TITLES, RECOMMENDATION_HEADINGS

# Section kinds, as stored with each passage and accepted by the "recommendations only" filter.
SECTION_KINDS: dict[str, str] = {
    "findings": "Findings (every other section)",
    "recommendations": "Recommendations (what needs to improve)",
}


def is_list_title(heading: str) -> bool:
    """True for a heading that opens a list of what must improve ("What needs to improve?")."""
    return heading.strip().lower().rstrip("?:").strip() in LIST_TITLES


# One point of a list: a bullet, "12." / "12)" or "(a)" / "a)" at the start of a line. A number is
# the report's own paragraph number (SIF numbers every paragraph, its recommendations too).
_POINT_START = re.compile(r"^\s*(?:[•▪●◦‣∙·\-–]|\(?(?P<number>\d{1,3})[.)]|\(?[a-z][.)])\s+", re.MULTILINE)
_MIN_WORDS = 3  # shorter lines are list titles ("The local authority should:"), not points


def section_kind(section: str | None) -> str:
    """The kind of a section: "recommendations" when it, or the heading it is a part of, is a list of
    what must improve ("Areas for improvement", "What does the local authority need to improve?:
    Workforce development"), else "findings"."""
    if not section:
        return "findings"
    parts = (p.strip().lower().rstrip("?").strip() for p in section.split(":"))
    return "recommendations" if any(p in RECOMMENDATION_HEADINGS for p in parts) else "findings"


def split_points(text: str) -> list[tuple[str | None, str]]:
    """The single recommendations of a recommendations passage: (its printed paragraph number or None,
    its text verbatim without the bullet or number).

    A passage printed as a list gives one point per item (an item's wrapped lines joined); a passage
    without list marks gives one point per line. Lines under three words (a list's title) are left out.
    """
    starts = list(_POINT_START.finditer(text))
    if starts:
        pieces = [(m.group("number"), text[m.end(): (starts[i + 1].start() if i + 1 < len(starts) else len(text))])
                  for i, m in enumerate(starts)]
    else:
        pieces = [(None, line) for line in text.splitlines()]
    points = [(number, " ".join(piece.split())) for number, piece in pieces]
    return [(number, point) for number, point in points if len(point.split()) >= _MIN_WORDS]
