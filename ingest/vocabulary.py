"""The words of Ofsted's reports, in one place: grades, judgements, report types, section headings,
months, and how authorities' names are normalised and aliased.

Cleaning, chunking and metadata (ingest/), the authority registry, the downloader (app/fetch.py), the
question reader (index/query.py) and the app read them here, so that a word is added once. Each
pattern a module needs is built from these words where it is used (e.g. `grade_pattern`), so a
module's own reading (its spacing, its extra words) stays its own.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# ---------------------------------------------------------------------------------------------
# Grades

# Grades, normalised to the manifest's spelling (the values stored and filtered on).
GRADES: tuple[str, ...] = ("outstanding", "good", "requires improvement", "inadequate")
GOOD_GRADES: tuple[str, ...] = ("outstanding", "good")
POOR_GRADES: tuple[str, ...] = ("requires improvement", "inadequate")


def grade_pattern(
    group: str | None = None,
    *,
    grades: tuple[str, ...] = GRADES,
    gap: str = r"\s+",
    to_be_good: bool = True,
    past: bool = False,
    adequate: bool = False,
    failing: bool = False,
) -> str:
    """A regular expression for grade words as reports and people write them.

    Args:
        group: name of the capturing group; None for a non-capturing one.
        grades: which of GRADES ("requires improvement" also reads "require improvement").
        gap: what separates the words of a grade: any white space, or " " for flattened text.
        to_be_good: "requires improvement to be good" (ILACS) reads as one grade.
        past: "required improvement" too.
        adequate: the 2013 framework's "adequate".
        failing: everyday "failing" (questions, not reports).
    """
    words = []
    for grade in grades:
        if grade == "requires improvement":
            requires = "(?:requires?|required)" if past else "requires?"
            words.append(f"{requires}{gap}improvement" + (f"(?:{gap}to{gap}be{gap}good)?" if to_be_good else ""))
        else:
            if grade == "inadequate" and adequate:
                words.append("adequate")
            words.append(grade)
    if failing:
        words.append("failing")
    body = "|".join(words)
    return f"(?P<{group}>{body})" if group else f"(?:{body})"


def normalise_grade(text: str | None) -> str | None:
    """'Requires improvement to be good' -> 'requires improvement', 'failing' -> 'inadequate'; None
    for anything that is not a grade of GRADES."""
    text = " ".join((text or "").lower().split())
    if text.startswith("require"):
        return "requires improvement"
    if text == "failing":
        return "inadequate"
    return text if text in GRADES else None


# ---------------------------------------------------------------------------------------------
# Judgements and report types

# Judgement keys, as stored. ILACS and SIF share the keys whose meaning matches.
JUDGEMENTS: dict[str, str] = {
    "overall_effectiveness": "Overall effectiveness",
    "impact_of_leaders": "The impact of leaders on social work practice with children and families",
    "help_and_protection": "Children who need help and protection",
    "in_care": "Children in care / children looked after",
    "care_leavers": "Care leavers",
    "adoption": "Adoption performance",
    "leadership": "Leadership, management and governance",
    "lscb": "Local Safeguarding Children Board",
    "capacity_to_improve": "Capacity to improve",
}

# The judgements as reports print them (regular expressions), by framework.
# ILACS table rows. "children in care and care leavers" (to 2023) must win over "children in care".
ILACS_JUDGEMENT_LABELS = {
    "impact_of_leaders": r"impact of leaders on (?:social work )?practice with children and families",
    "help_and_protection": r"experiences and progress of children who need help and protection",
    "in_care": r"experiences and progress of children in care(?: and care leavers)?",
    "care_leavers": r"experiences and progress of (?:children )?care leavers",
    "overall_effectiveness": r"overall effectiveness",
}
# SIF judgements, numbered 1 to 3 on the front page.
SIF_JUDGEMENT_LABELS = {
    "help_and_protection": r"children who need help and protection",
    "in_care": r"children looked after and achieving permanence",
    "adoption": r"adoption performance",
    "care_leavers": r"experiences and progress of care leavers",
    "leadership": r"leadership,? management and governance",
}
# The 2013 "Record of main findings". Its "adequate" grade has no place in GRADES and is left out.
LAC_JUDGEMENT_LABELS = {
    "overall_effectiveness": r"overall effectiveness",
    "capacity_to_improve": r"capacity to improve",
    "leadership": r"leadership and management",
}

# Report types, as stored in the index and accepted by the `--type` filter.
REPORT_TYPES: dict[str, str] = {
    "sif": "SIF inspection",
    "sif_reinspection": "SIF re-inspection",
    "ilacs_standard": "ILACS standard inspection",
    "ilacs_short": "ILACS short inspection",
    "ilacs_2026": "ILACS inspection (2026 framework)",
    "lac_2013": "Inspection of looked-after children services (2013)",
    "lscb_review": "LSCB review",
    # Letters Ofsted publishes besides its inspection reports (monitoring, focused and assurance visits,
    # joint targeted area inspections): no grades, and never a full inspection.
    "other_ofsted": "Other Ofsted publication",
    "unknown": "Unknown report type",
}
OTHER_PUBLICATION = "other_ofsted"  # the REPORT_TYPES key of Ofsted's letters

# ---------------------------------------------------------------------------------------------
# Section headings

# What a heading does to the section names of the passages under it (ingest.chunk):
AREA = "area"  # a judged area: the headings under it are parts of it
AREA_LABEL = "area label"  # only labels a part of the judged area above it: the area names the section
AREA_PART = "area part"  # a part of the judged area above it: "<area>: <heading>"
OTHER = "other"  # a section of its own

# Headings that Ofsted reports print, lower case, without grade (matched whole-line), and what each does.
HEADINGS: dict[str, str] = {
    # SIF (2013-2018)
    "executive summary": AREA_PART,
    "summary of findings": OTHER,
    "the local authority": OTHER,
    "the local authority - summary of findings": OTHER,
    "section 1: the local authority - summary of findings": OTHER,
    "section 1: the local authority": OTHER,
    "section 2: the effectiveness of the local safeguarding children board": AREA,
    "section 2: review of the effectiveness of the local safeguarding children board": AREA,
    "what does the local authority need to improve?": AREA,
    "what does the lscb need to improve?": AREA_PART,
    "the local authority's strengths": OTHER,
    "progress since the last inspection": OTHER,
    "priority and immediate action": AREA_PART,
    "areas for improvement": AREA_PART,
    "recommendations": AREA_PART,
    "summary for children and young people": OTHER,
    "information about this local authority area": OTHER,
    "children living in this area": OTHER,
    "child protection in this area": OTHER,
    "children looked after in this area": OTHER,
    "other ofsted inspections": OTHER,
    "other ofsted inspection": OTHER,
    "inspection judgements about the local authority": OTHER,
    "inspection judgements about the lscb": AREA,
    "the experiences and progress of children who need help and protection": AREA,
    "the experiences and progress of children looked after and achieving permanence": AREA,
    "children looked after and achieving permanence": AREA,
    "adoption performance": AREA,
    "experiences and progress of care leavers": AREA,
    "the experiences and progress of care leavers": AREA,
    "leadership, management and governance": AREA,
    "the local safeguarding children board (lscb)": AREA,
    "the local safeguarding children board": AREA,
    "local safeguarding children board": AREA,
    "review of the effectiveness of the local safeguarding children board": AREA,
    "the effectiveness of the local safeguarding children board": AREA,
    "inspection findings": AREA_LABEL,
    "inspection findings – the lscb": AREA_LABEL,
    "inspection findings – the local safeguarding children board": AREA_LABEL,
    "inspection judgement about the lscb": AREA,
    "summary": AREA_LABEL,
    "information about this inspection": OTHER,
    "information about this review": OTHER,
    "the inspection team": OTHER,
    "the lscb": OTHER,
    "what the inspection judgements mean: the local authority": OTHER,
    "what the inspection judgements mean: the lscb": OTHER,
    "what the inspection judgements mean": OTHER,
    "contents": OTHER,
    # ILACS (2018 on)
    "what needs to improve": OTHER,
    "what needs to improve?": OTHER,
    "what needs to improve in this local authority?": OTHER,
    "what needs to improve in this local authority": OTHER,
    "what needs to improve:": OTHER,  # some reports print it as a list's title, inside the summary
    "what needs to improve in this local authority:": OTHER,
    "areas for priority action": OTHER,
    "the impact of leaders on social work practice with children and families": AREA,
    "the experiences and progress of children in care and care leavers": AREA,
    "the experiences and progress of children in care": AREA,
    "overall effectiveness": AREA,
    # 2013 looked-after children inspections
    "about this inspection": OTHER,
    "the inspection judgements and what they mean": OTHER,
    "service information": OTHER,
    "overall effectiveness of services for looked after children and young people": AREA,
    "capacity to improve": AREA,
    "outcomes for looked after children and young people": AREA,
    "quality of provision": AREA,
    "leadership and management": AREA,
    "record of main findings": OTHER,
    "services for looked after children": OTHER,
}
KNOWN_HEADINGS = frozenset(HEADINGS)
AREA_HEADINGS = frozenset(h for h, role in HEADINGS.items() if role == AREA)
AREA_LABEL_HEADINGS = frozenset(h for h, role in HEADINGS.items() if role == AREA_LABEL)
AREA_PART_HEADINGS = frozenset(h for h, role in HEADINGS.items() if role == AREA_PART)
# Sections of generic text every report of a framework prints word for word (matched as beginnings).
GENERIC_SECTIONS = (
    "what the inspection judgements mean",
    "what the inspection judgments mean",
    "the inspection judgements and what they mean",
    "the inspection judgments and what they mean",
    "record of main findings",
)

# The headings of the lists of what must improve (lower case, without "?" or ":"; ingest.recommendations).
RECOMMENDATION_HEADINGS = frozenset(
    {
        "recommendations",
        "what needs to improve",
        "what needs to improve in this local authority",
        "what does the local authority need to improve",
        "what does the lscb need to improve",
        "areas for improvement",
        "areas for priority action",
        "priority and immediate action",
        "priority actions",
    }
)

# Headings that open a list of what must improve; the headings under them, up to the next graded
# judgement or the next heading of another part of the report, name topics of that list.
LIST_TITLES = frozenset(
    {
        "what needs to improve",
        "what needs to improve in this local authority",
        "what does the local authority need to improve",
        "what does the lscb need to improve",
    }
)

# ---------------------------------------------------------------------------------------------
# Months

MONTHS: tuple[str, ...] = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)

# ---------------------------------------------------------------------------------------------
# Authorities' names

# Council words around the place name, longest first so "Metropolitan Borough Council" goes whole.
COUNCIL_PREFIXES = re.compile(
    r"^(?:the\s+)?(?:council\s+of\s+the|london\s+borough\s+of|royal\s+borough\s+of|"
    r"metropolitan\s+borough\s+of|borough\s+of|county\s+of|city\s+and\s+county\s+of|"
    r"city\s+of(?!\s+london\b))\s+",
    re.I,
)
COUNCIL_SUFFIXES = re.compile(
    r"(?:,?\s+(?:metropolitan\s+borough\s+council|metropolitan\s+district\s+council|"
    r"district\s+metropolitan\s+council|metropolitan\s+council|metropolitan\s+borough|"
    r"metropolitan\s+district|borough\s+council|county\s+council|city\s+council|district\s+council|"
    r"unitary\s+authority|council|children\s+and\s+families\s+trust|children's\s+services\s+trust|"
    r"children's\s+trust|children's\s+services|borough|city|city\s+of|county\s+of))+$",
    re.I,
)
# Standard county abbreviations (the Royal Mail's and common usage), kept only where they name one authority.
COUNTY_ABBREVIATIONS = {
    "herts": "Hertfordshire", "notts": "Nottinghamshire", "lancs": "Lancashire", "bucks": "Buckinghamshire",
    "leics": "Leicestershire", "glos": "Gloucestershire", "oxon": "Oxfordshire", "worcs": "Worcestershire",
    "cambs": "Cambridgeshire", "staffs": "Staffordshire", "wilts": "Wiltshire", "hants": "Hampshire",
    "derbys": "Derbyshire", "lincs": "Lincolnshire", "warks": "Warwickshire", "shrops": "Shropshire",
    "northumbs": "Northumberland", "northants": "Northamptonshire",
}
# Names that are also everyday English words: recognised in free text only when capitalised.
EVERYDAY_WORDS = frozenset({"reading", "bury", "bath", "barking", "hull", "slough", "havering", "poole", "sutton",
                            "kingston", "halton", "derby", "wight"})

# Names no rule derives, by the registry's name of the authority they mean: the manifest's spellings,
# Ofsted's ("East Riding" in 2023, "Newcastle" in 2022) and common usage.
AUTHORITY_ALIASES: dict[str, tuple[str, ...]] = {
    "City of London": ("London Corporation", "Corporation of London", "City of London Corporation"),
    "Durham": ("County Durham",),
    "Kingston upon Hull": ("Hull",),
    "Bedford": ("Bedford Borough",),
    "Bournemouth, Christchurch and Poole": ("BCP",),
    "East Riding of Yorkshire": ("East Riding",),
    "Newcastle upon Tyne": ("Newcastle",),
}


def fold_to_ascii(text: str) -> str:
    """Accented letters without their accents; other characters outside ASCII dropped."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def strip_council_words(name: str) -> str | None:
    """'London Borough of Barking and Dagenham' -> 'Barking and Dagenham'; None if nothing is left."""
    name = " ".join(fold_to_ascii(name or "").replace("\u2019", "'").split()).strip(" ,.;:")
    name = re.sub(r"\d+$", "", name).strip()  # a footnote mark: "Bristol City Council1"
    name = re.sub(r"^the\s+", "", name, flags=re.I)
    for _ in range(2):  # "The Royal Borough of Windsor and Maidenhead Council"
        name = COUNCIL_SUFFIXES.sub("", COUNCIL_PREFIXES.sub("", name)).strip(" ,")
    if not re.search(r"[A-Za-z]", name):
        return None
    return "City of London" if name.lower() == "london" else name


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """Letters and digits of a name without council words; '&' reads 'and', 'St.' reads 'St'."""
    if not isinstance(name, str):
        return ""
    text = fold_to_ascii(name).lower().replace("&", " and ").replace("saint ", "st ")
    text = strip_council_words(text) or text
    return re.sub(r"[^a-z0-9]", "", text.lower())


def aliases_of(name: str) -> tuple[str, ...]:
    """The AUTHORITY_ALIASES of an authority, by any spelling of its registry name."""
    return _ALIASES_BY_KEY.get(name_key(name), ())


def alias_key(key: str) -> str:
    """The key of the authority an alias's key means (AUTHORITY_ALIASES), else the key itself."""
    return _ALIAS_KEYS.get(key, key)


_ALIASES_BY_KEY = {name_key(name): aliases for name, aliases in AUTHORITY_ALIASES.items()}
_ALIAS_KEYS = {name_key(alias): name_key(name) for name, aliases in AUTHORITY_ALIASES.items() for alias in aliases}
