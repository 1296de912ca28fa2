"""Read a report's facts (authority, type, dates, inspector, judgements) from its own text.

Users bring their own PDFs, so nothing here looks at file names or the manifest: only at the
raw pypdf text of the pages (ingest.pipeline adds what the text leaves out). The front page carries
almost everything; the 2013 looked-after-children reports keep their grades on a "Record of main
findings" page near the end. Leading pages without text (an image cover) are skipped.

Authorities are named as the registry (corpus/la_lookup.csv, ingest.authorities) names them, so one
authority has one display name and key whatever the report prints; see `read_authority`.
A change here that would read a stored report differently needs ingest.models.METADATA_VERSION
bumped, so that existing indexes read their reports again.

Layouts seen in the corpus (2013-2026):
- 2013 looked-after children: a cover with "Inspection of looked after children services",
  "<X> Council", "Inspection dates: 8 - 12 July 2013", "Reporting inspector <name> HMI",
  "Published: ...".
- SIF (2013-18): "<X> Council" above "Inspection of services for children in need of help and
  protection ..." (or "Re-inspection of ..."), "Inspection date:", "Report published:", a
  one-line verdict, then numbered judgements with the grade at the end of the line.
- ILACS (2018 on): "<X>" above "Inspection of children's social care services" (2018-20) or
  "Inspection of <X> local authority children's services" (2020 on), "Inspection dates:",
  "Lead inspector:", then a Judgement / Grade table; no overall effectiveness row from April 2026.
  Nothing prints "short" or "standard": a short inspection is one week on site, a standard one two.
Not in the corpus, but published beside it and fetched by `ofsted-qa update`: Ofsted's letters on
monitoring, focused and assurance visits and joint targeted area inspections, read as "other_ofsted".
"""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta

from ingest.authorities import Authority, default_registry
from ingest.models import ReportMetadata
from ingest.vocabulary import (
    GRADES,
    ILACS_JUDGEMENT_LABELS,
    JUDGEMENTS,
    LAC_JUDGEMENT_LABELS,
    MONTHS,
    OTHER_PUBLICATION,
    REPORT_TYPES,
    SIF_JUDGEMENT_LABELS,
    grade_pattern,
    normalise_grade,
    strip_council_words,
)

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------
# Text normalisation
# ---------------------------------------------------------------------------

# pypdf gives curly quotes, several dashes and odd spaces; fold them so one regex fits all.
_CHAR_FOLDS = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u2500": "-",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\t": " ",
})
_SPACES = re.compile(r" +")
_WHITESPACE = re.compile(r"\s+")


def _normalise(text: str) -> str:
    """Fold quotes, dashes and spaces; trim each line; keep the line breaks."""
    text = text.translate(_CHAR_FOLDS)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def _flatten(text: str) -> str:
    """One line with single spaces: judgement names and grades wrap anywhere."""
    return _WHITESPACE.sub(" ", text).strip()


def _lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line]


def _clean_pages(raw_pages: object) -> list[str]:
    if not isinstance(raw_pages, (list, tuple)):
        return []
    return [_normalise(page) if isinstance(page, str) else "" for page in raw_pages]


def _head_text(pages: list[str]) -> str:
    """The front matter: page 1, plus page 2 when page 1 is a near-empty cover."""
    if not pages:
        return ""
    head = pages[0]
    if len(pages) > 1 and (len(head) < 1500 or not re.search(r"inspection dates?", head, re.I)):
        head += "\n" + pages[1]
    return head


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

_MONTHS = {month[:3]: number for number, month in enumerate(MONTHS, start=1)}  # "jan": 1, ...
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")

# One date as printed, whole or partial: "24 October 2016", "17 October", "17", "12/09/2016".
# A range leaves the month and year to its other end ("17 to 28 June 2019").
_DATE_TOKEN = re.compile(
    r"\b(?:(?P<nd>\d{1,2})/(?P<nm>\d{1,2})/(?P<ny>\d{4})"
    rf"|(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:\s+(?P<month>{_MONTH}))?(?:,?\s+(?P<year>\d{{4}}))?)\b",
    re.I,
)
_WORD_DATE = re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{_MONTH})\s+(?P<year>\d{{4}})\b",
                        re.I)
_NUMERIC_DATE = re.compile(r"\b(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})\b")

# "Inspection date(s):" and what follows, up to the next labelled line or a blank line.
_INSPECTION_DATES = re.compile(
    r"inspection dates?\s*:?\s*(?P<value>.+?)(?=\n(?:report published|published|lead inspector|"
    r"reporting inspector|judgement|the overall|children's services|age group)|\n\n|$)",
    re.I | re.S,
)
_PUBLISHED = re.compile(r"^(?:report )?published\s*:\s*(?P<value>[^\n]{6,30})", re.I | re.M)


def _safe_date(year: int, month: int | None, day: int) -> date | None:
    try:
        return date(year, month, day) if month else None
    except ValueError:
        return None


def parse_date(text: str) -> date | None:
    """'7 July 2014' or '25/11/2016' -> a date; None if no whole date is found."""
    text = text or ""
    match = _WORD_DATE.search(text)
    if match:
        return _safe_date(int(match["year"]), _MONTHS[match["month"][:3].lower()], int(match["day"]))
    match = _NUMERIC_DATE.search(text)
    if match:
        return _safe_date(int(match["year"]), int(match["month"]), int(match["day"]))
    return None


def parse_dates(text: str) -> list[date]:
    """Every date in a printed range or list of ranges, in order.

    Parts that leave out the month or year take them from the next date that has them, so
    "17 to 28 June 2019" gives 17 and 28 June 2019, and "30 December to 3 January 2020" gives
    30 December 2019 and 3 January 2020.
    """
    parts: list[tuple[int, int | None, int | None]] = []
    for match in _DATE_TOKEN.finditer(_flatten(text or "")):
        if match["nd"]:
            parts.append((int(match["nd"]), int(match["nm"]), int(match["ny"])))
        else:
            month = _MONTHS[match["month"][:3].lower()] if match["month"] else None
            parts.append((int(match["day"]), month, int(match["year"]) if match["year"] else None))
    dates: list[date] = []
    later: date | None = None
    for day, month, year in reversed(parts):
        if later is None and (month is None or year is None):
            continue  # a stray number after the last whole date (a page number, say)
        if later is not None:
            month = month or later.month
            if year is None:
                year = later.year if (month, day) <= (later.month, later.day) else later.year - 1
        found = _safe_date(year, month, day)
        if found:
            dates.append(found)
            later = found
    return dates[::-1]


def inspection_span(pages: list[str]) -> tuple[date | None, date | None, date | None]:
    """(first day, last day of the first stretch on site, last day of the inspection).

    Split inspections print two ranges ("30 September to 11 October 2024 and 13 to 16 January
    2025"): the inspection runs from the first date to the last, and the first stretch shows
    whether it was a one-week or a two-week inspection.
    """
    match = _INSPECTION_DATES.search(_head_text(pages))
    dates = parse_dates(match["value"]) if match else []
    if not dates:
        return None, None, None
    first_stretch_end = dates[1] if len(dates) > 1 else dates[0]
    return dates[0], first_stretch_end, max(dates)


# ---------------------------------------------------------------------------
# Authority names
# ---------------------------------------------------------------------------

def clean_authority_name(name: str) -> str | None:
    """'London Borough of Barking and Dagenham' -> 'Barking and Dagenham'; None if nothing is left."""
    return strip_council_words(_flatten(name or ""))


def authority_key(name: str) -> str:
    """The key that matches authority names everywhere in the product.

    Case, spaces, hyphens, punctuation and council words are ignored and "&" reads as "and", so
    "Stoke-on-Trent", "stoke on trent" and "Stoke-on-Trent City Council" share a key, as do
    "St. Helens" and "st helens", or "Bristol, City of" and "Bristol". An authority of the registry
    (corpus/la_lookup.csv) has one key whatever the spelling; any other name, its normalised letters
    (ingest.vocabulary.name_key).
    """
    if not isinstance(name, str):
        return ""
    return default_registry().canonical_key(name)


# Title lines printed below the authority's name (SIF, early ILACS) ...
_TITLE_BELOW_NAME = re.compile(
    r"^(?:re-?\s?)?inspection of (?:services for children|children's social care|"
    r"local authority children's services)",
    re.I,
)
# ... or above it (2013) ...
_LAC_TITLE = re.compile(r"inspection of (?:safeguarding and )?looked after children(?: services)?", re.I)
# ... or around it (ILACS from 2020): "Inspection of Barnet local authority children's services".
_TITLE_AROUND_NAME = re.compile(
    r"^inspection of\s+(?P<name>.+?)\s+(?:local authority children's (?:social care )?services|"
    r"children's services|(?=children and families trust)|(?=children's trust))",
    re.I,
)
# Running headers on later pages, for when page 1 says nothing usable.
_RUNNING_HEADER = re.compile(
    r"^(?:inspection of\s+(?P<ilacs>.+?)\s+(?:local authority )?children's services"
    r"|(?P<lac>.+?)\s+inspection of (?:safeguarding and )?looked after children)",
    re.I | re.M,
)
_PAGE_NUMBER = re.compile(r"^\d{1,3}$")


def _authority_from_head(head: str) -> str | None:
    letter = _letter_title([head])
    place = _LETTER_PLACE.match(letter["rest"]) if letter else None
    if place:  # "Monitoring visit to <X> children's services"
        return clean_authority_name(place["name"])
    lines = _lines(head)[:25]
    for i, line in enumerate(lines):
        if re.match(r"inspection of\s", line, re.I) and not _TITLE_BELOW_NAME.match(line):
            match = _TITLE_AROUND_NAME.match(" ".join(lines[i:i + 4]))  # the title wraps
            if match and not _LAC_TITLE.match(line):
                return clean_authority_name(match["name"])
    for i, line in enumerate(lines):
        if _TITLE_BELOW_NAME.match(line):
            above = [text for text in lines[:i] if not _PAGE_NUMBER.match(text)]
            return clean_authority_name(" ".join(above[-3:])) if above else None
        if _LAC_TITLE.match(" ".join(lines[i:i + 2])):
            below = [text for text in lines[i + 1:i + 4] if not re.fullmatch(r"services?", text, re.I)]
            return clean_authority_name(below[0]) if below else None
    return None


# Lines that name the authority on the first pages when the title does not: a line ending in
# "Council" ("Wigan Council", "Hartlepool Borough Council"), or one naming a board or an inspection.
_COUNCIL_LINE = re.compile(r"^[^\n]{2,80}?\bcouncil(?:'s)?$", re.I | re.M)
_NAMING_LINE = re.compile(r"^(?:[^\n]{0,80}\bsafeguarding children (?:board|partnership)|(?:re-?\s?)?inspection of\s)"
                          r"[^\n]{0,120}$", re.I | re.M)
# Words a title-like line may hold besides the authority's name: council words and the words of
# report titles. A registry name inside a line of only these words is that line's authority.
_TITLE_WORDS = frozenset(
    "the of and a metropolitan borough district city county council councils royal london unitary "
    "authority corporation inspection re-inspection reinspection review effectiveness local children's "
    "childrens children child young people social care services service safeguarding board partnership lscb "
    "trust families family report joint targeted area".split()
)
_FIRST_PAGES = 5  # the front matter and the first running headers
# The free-text fallback takes the authority the text names at least twice as often as any other;
# to overrule a printed title that names no authority of the registry (a misprint such as
# "Buckingham County Council") it must also be named this often.
_MENTIONS_LEAD = 2
_MENTIONS_TO_OVERRULE = 3
# A place followed by a postcode is an address (Ofsted's, in Manchester), not the report's subject.
_POSTCODE_AFTER = re.compile(r"[\s,]{0,4}[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b")


def recognise_authority(printed: str | None) -> Authority | None:
    """The registry authority a printed name or title-like line means, or None.

    The whole text may be a name in any spelling the registry knows ("wigan metropolitan
    borough", "City of York", "the Royal Borough of Windsor and Maidenhead"); otherwise the
    one registry name inside it counts when every other word is a council or report-title word
    ("Inspection of Wigan Council's children's services"). "Stoke-on-Marsh" is not Stoke-on-Trent:
    "Marsh" is neither.

    Args:
        printed: a name or one line of text, as printed.
    Returns:
        The authority, or None when the text names none of the registry's (or more than a name).
    """
    if not printed or not printed.strip():
        return None
    registry = default_registry()
    text = _flatten(_normalise(printed))
    found = registry.resolve(text)
    if found is not None:
        return found
    for authority, (start, end) in registry.find_in_text(text):
        if _only_title_words(text[:start] + " " + text[end:]):
            return authority
    return None


def _only_title_words(text: str) -> bool:
    """True for text naming no place: "local authority", "the Council's children's services"."""
    text = re.sub(r"'s\b|\d+", " ", text.lower())
    return all(word in _TITLE_WORDS for word in re.findall(r"[a-z][a-z'-]*", text))


def _named_lines(pages: list[str]) -> list[str]:
    """Title-like lines of the first pages that may name the authority, in page order."""
    out: list[str] = []
    for text in pages[:_FIRST_PAGES]:
        out.extend(match["ilacs"] or match["lac"] for match in _RUNNING_HEADER.finditer(text))
        for pattern in (_NAMING_LINE, _COUNCIL_LINE):
            out.extend(match.group(0) for match in pattern.finditer(text))
    return out


def _most_mentioned(pages: list[str], at_least: int = 1) -> Authority | None:
    """The authority the text names most, if it clearly leads and is named `at_least` times."""
    text = "\n".join(pages)
    counts: dict[str, int] = {}
    by_key: dict[str, Authority] = {}
    for authority, (start, end) in default_registry().find_in_text(text):
        if _POSTCODE_AFTER.match(text, end):
            continue
        if authority.key == "cityoflondon" and not re.search(r"city|corporation", text[start:end], re.I):
            continue  # "London", "the London Borough": the capital, not the City of London
        counts[authority.key] = counts.get(authority.key, 0) + 1
        by_key[authority.key] = authority
    ranked = sorted(counts.values(), reverse=True) + [0]
    best = max(counts, key=counts.__getitem__, default=None)
    if best is None or ranked[0] < max(at_least, _MENTIONS_LEAD * ranked[1]):
        return None
    return by_key[best]


def read_authority(pages: list[str]) -> str | None:
    """The report's authority from its text: the registry's canonical name whenever it resolves.

    Tries, in order: the title on page 1; title-like lines of the first pages (running headers,
    "<Name> Council", "Inspection of <Name> ..."); then the authority the text names most, when
    it clearly leads. A title naming no authority of the registry (a fixture, a council outside
    England) is kept as printed, cleaned of council words, unless the text names one often.

    Args:
        pages: normalised page texts, front matter first.
    Returns:
        The display name, or None when the text names no authority.
    """
    head = _head_text(pages)
    title = _authority_from_head(head)
    if title and _only_title_words(title):
        title = None  # a title read wrongly: "Inspection of local authority children's services"
    found = recognise_authority(title)
    if found is None:
        found = next(filter(None, map(recognise_authority, _named_lines(pages))), None)
    if found is None:
        # A printed title that names no authority of the registry stands unless the text
        # clearly says otherwise: a fixture's "Wessex" stays, a misprinted title does not.
        found = _most_mentioned(pages, at_least=_MENTIONS_TO_OVERRULE if title else 1)
    if found is not None:
        return found.name
    return title


# ---------------------------------------------------------------------------
# Other Ofsted publications: letters, not inspection reports
# ---------------------------------------------------------------------------

# Ofsted also publishes letters on an authority's children's services: monitoring visits (after an
# inadequate judgement), focused visits, assurance visits (2020-21) and joint targeted area
# inspections. They have no grades and no "Inspection dates:" line; their title opens a line near the
# top of page 1, capitalised ("Monitoring visit to <X> children's services"). Reports name such visits
# in their prose ("the focused visit in 2019"), never as a capitalised line opening: no report of the
# corpus has one on page 1.
_LETTER_TITLE = re.compile(
    r"^(?:(?:Monitoring|Focused|Focused assurance|Assurance) visit (?:to|of|on)|Joint targeted area inspection of)"
    r"\b(?P<rest>.*)$",
    re.M,
)
_LETTER_TITLE_LINES = 25  # the letterhead and the addressee come first
_LETTER_PLACE = re.compile(r"^\s*(?:the\s+)?(?P<name>.+?)\s+(?:local authority\s+)?children's services\b", re.I)
# When the visit took place: "... findings of the monitoring visit to <X> children's services on 3 and
# 4 March 2021", "Between 6 and 10 May 2019, Ofsted, the Care Quality Commission ...".
_LETTER_DATES = re.compile(
    r"(?:\b(?:visit|inspection)\b[^.]{0,200}?\bon|\bbetween)\s+(?P<value>[^.;]{3,60}?\b\d{4})\b", re.I
)


def _letter_title(pages: list[str]) -> re.Match[str] | None:
    """The title line of an Ofsted letter on page 1, or None for anything else."""
    return _LETTER_TITLE.search("\n".join(_lines(pages[0])[:_LETTER_TITLE_LINES])) if pages else None


def _letter_dates(pages: list[str]) -> tuple[date | None, date | None]:
    """(first, last) day of the visit a letter reports, or (None, None)."""
    match = _LETTER_DATES.search(_flatten(" ".join(pages[:2])))
    dates = parse_dates(match["value"]) if match else []
    return (min(dates), max(dates)) if dates else (None, None)


# ---------------------------------------------------------------------------
# Title and report type
# ---------------------------------------------------------------------------

_SIF_TITLE = re.compile(r"inspection of services for children in need of help and protection", re.I)
_SIF_REINSPECTION = re.compile(r"re-?\s?inspection of services for children in need", re.I)
_LSCB_ONLY = re.compile(r"review of the effectiveness of the local safeguarding children board", re.I)
_ILACS_TITLE = re.compile(r"inspection of .{0,120}?children's (?:social care )?services|impact of leaders on",
                          re.I)
_FAMILIES = (
    ("sif_reinspection", _SIF_REINSPECTION),
    ("sif", _SIF_TITLE),
    ("lac_2013", _LAC_TITLE),
    ("lscb_review", _LSCB_ONLY),
    ("ilacs", _ILACS_TITLE),
)
_TITLE_START = re.compile(r"(?:re-?\s?)?inspection of\s", re.I)
_TITLE_END = re.compile(r"inspection dates?\b|report published|lead inspector|\d{1,2}\s", re.I)
_FOOTNOTE_MARK = re.compile(r"(?<=[a-z])\d(?=\s|$)")  # "... care leavers1 and ... Board1"

_FRAMEWORK_2026_FROM = date(2026, 4, 1)
_COVER_MIN_LETTERS = 20  # fewer letters than this on a leading page: an image cover, or a logo's caption
_SHORT_INSPECTION_MAX = timedelta(days=6)  # one week on site (Mon-Fri); a standard one takes two


def _family(pages: list[str]) -> str:
    """The kind of report, from the title in the first lines of page 1.

    Only if those say nothing, the whole front matter: its prose can name other inspections
    ("the last inspection of services for children in need of help and protection").
    """
    if _letter_title(pages):
        return OTHER_PUBLICATION  # before the report titles: a letter's prose names inspections too
    first_lines = _flatten(" ".join(_lines(pages[0])[:12])) if pages else ""
    for text in (first_lines, _flatten(_head_text(pages))):
        for family, pattern in _FAMILIES:
            if pattern.search(text):
                return family
    return "unknown"


def _title(head: str, family: str) -> str | None:
    """The report's title as printed, without the authority's name standing above it."""
    if family == "lac_2013":
        lac = _LAC_TITLE.search(_flatten(head))
        return lac.group(0) if lac else None
    if family == OTHER_PUBLICATION:
        letter = _letter_title([head])
        return _flatten(letter.group(0)) if letter else None
    lines = _lines(head)[:30]
    for i, line in enumerate(lines):
        if not _TITLE_START.match(line):
            continue
        block = [line]
        for text in lines[i + 1:i + 8]:
            if _TITLE_END.match(text) or (_TITLE_START.match(text) and text in block[0]):
                break  # the dates follow the title; or the title repeats a running header
            block.append(text)
        return _FOOTNOTE_MARK.sub("", _flatten(" ".join(block))) or None
    return None


def _report_type(family: str, judgements: dict[str, str], start: date | None,
                 first_stretch_end: date | None) -> str:
    if family != "ilacs":
        return family
    # The framework in force from April 2026 gives no overall effectiveness grade.
    graded = any(key in judgements for key in ("impact_of_leaders", "help_and_protection", "in_care"))
    if (start and start >= _FRAMEWORK_2026_FROM) or (graded and "overall_effectiveness" not in judgements):
        return "ilacs_2026"
    if start and first_stretch_end:
        return "ilacs_short" if first_stretch_end - start <= _SHORT_INSPECTION_MAX else "ilacs_standard"
    return "unknown"  # an ILACS report, but nothing says whether it was short or standard


# ---------------------------------------------------------------------------
# Lead inspector
# ---------------------------------------------------------------------------

# "Lead inspector: <name>, His Majesty's Inspector", "Lead inspector: <name> HMI",
# "Lead inspector on site: <name>", "Reporting inspector <name> HMI" (2013); never the deputy.
_LEAD_INSPECTOR = re.compile(
    r"(?<!deputy )(?:lead|reporting) inspector(?: on site)?\s*:?\s*(?P<name>[^\n]*)", re.I
)
_INSPECTOR_TITLES = re.compile(
    r"[,\s(]*(?:(?:his|her|their)\s+majesty's\s+(?:senior\s+)?inspector|(?:senior\s+)?hmi|"
    r"ofsted inspector|social care regulatory inspector)\b.*$",
    re.I,
)
_PERSON = re.compile(r"[A-Z][\w'.-]*(?:\s+[\w'.-]+){1,4}")


def _lead_inspector(pages: list[str]) -> str | None:
    for text in pages:
        for match in _LEAD_INSPECTOR.finditer(text):
            name = _INSPECTOR_TITLES.sub("", match["name"]).strip(" ,.;:")
            if _PERSON.fullmatch(name):
                return name
    return None


# ---------------------------------------------------------------------------
# Judgements
# ---------------------------------------------------------------------------

# Single spaces: grades are read from flattened text, as the judgement labels are. Reports write
# "required improvement" too.
_GRADE = grade_pattern("grade", gap=" ", past=True)



def _rows(labels: dict[str, str], separator: str, prefix: str = "") -> re.Pattern[str]:
    alternatives = "|".join(f"(?P<{key}>{pattern})" for key, pattern in labels.items())
    return re.compile(rf"{prefix}(?:{alternatives}){separator}{_GRADE}\b", re.I)


_ILACS_ROWS = _rows(ILACS_JUDGEMENT_LABELS, r"\s*:?\s*")
_ILACS_HEADINGS = _rows(ILACS_JUDGEMENT_LABELS, r"\s*:\s*")  # in the body: "... help and protection: good"
# SIF rows are numbered ("2.1 Adoption performance Good"); the number keeps out prose above the
# list such as "Leadership, management and governance require improvement when ...". A footnote
# mark ("... require improvement.2") is not a row number.
_SIF_ROWS = _rows(SIF_JUDGEMENT_LABELS, r"\s*:?\s*", prefix=r"(?<![\w.])\d(?:\.\d)?\.?\s+")
_LAC_ROWS = _rows(LAC_JUDGEMENT_LABELS, r"\s*:?\s*(?:grade \d\s*)?\(?")

# The one-line SIF verdict, in its wordings over the years: "The overall judgement is
# requires improvement", "... is that children's services are inadequate", "Children's services
# in Knowsley require improvement to be good".
_SIF_VERDICT = re.compile(
    r"(?:the overall judgement is(?: that children's services?)?|children's services in .{1,60}?"
    r"|overall effectiveness(?: of children's services)?)\s*(?:are |is )?(?:judged to be )?" + _GRADE,
    re.I,
)
# The LSCB grade: on the front page of early SIF reports, else heading its section further on
# ("The Local Safeguarding Children Board is inadequate").
_LSCB_VERDICT = re.compile(
    r"(?:effectiveness of )?the (?:lscb|local safeguarding children'?s?(?: board)?(?: \(lscb\))?)\s+"
    r"(?:is )?(?:judged to be )?" + _GRADE,
    re.I,
)
# The 2013 section heading: "Overall effectiveness of services for looked after children and
# young people Grade 4 (Inadequate)".
_LAC_OVERALL = re.compile(
    r"overall effectiveness of services for looked after children and young people\s*grade \d\s*\("
    + _GRADE,
    re.I,
)


def _collect(pattern: re.Pattern[str], text: str, into: dict[str, str]) -> None:
    """Add the first grade found for each judgement not already known."""
    for match in pattern.finditer(text):
        key = next((k for k, v in match.groupdict().items() if v and k != "grade"), None)
        grade = normalise_grade(match["grade"])
        if key and grade and key not in into:
            into[key] = grade


def _first_grade(pattern: re.Pattern[str], *texts: str) -> str | None:
    for text in texts:
        match = pattern.search(text)
        if match:
            return normalise_grade(match["grade"])
    return None


def _ilacs_judgements(pages: list[str]) -> dict[str, str]:
    judgements: dict[str, str] = {}
    # The table sits on page 1; read on into page 2 only if its rows did not all parse there.
    for front in (pages[:1], pages[:2]):
        text = _flatten(" ".join(front))
        table = re.search(r"judgement\s+grade\b(?P<rows>.*)", text, re.I)
        _collect(_ILACS_ROWS, table["rows"] if table else text, judgements)
        if len(judgements) >= 3:
            break
    # Rows lost to the layout: the body's section headings repeat the grades, except overall
    # effectiveness, which only the table gives.
    headings: dict[str, str] = {}
    _collect(_ILACS_HEADINGS, _flatten(" ".join(pages[1:])), headings)
    headings.pop("overall_effectiveness", None)
    return headings | judgements


def _sif_judgements(pages: list[str]) -> dict[str, str]:
    front = _flatten(" ".join(pages[:2]))
    judgements: dict[str, str] = {}
    _collect(_SIF_ROWS, front, judgements)
    verdicts = {
        "overall_effectiveness": _first_grade(_SIF_VERDICT, front),
        "lscb": _first_grade(_LSCB_VERDICT, front, _flatten(" ".join(pages[2:]))),
    }
    judgements.update({key: grade for key, grade in verdicts.items() if grade})
    return judgements


def _lac_judgements(pages: list[str]) -> dict[str, str]:
    judgements: dict[str, str] = {}
    for text in reversed(pages):  # the record page is near the end
        if re.search(r"record of main findings", text, re.I) and re.search(_GRADE, text, re.I):
            _collect(_LAC_ROWS, _flatten(text), judgements)
            break
    overall = _first_grade(_LAC_OVERALL, _flatten(" ".join(pages)))
    if overall:
        judgements.setdefault("overall_effectiveness", overall)
    return judgements


def _judgements(family: str, pages: list[str]) -> dict[str, str]:
    if family in ("sif", "sif_reinspection"):
        found = _sif_judgements(pages)
    elif family == "lac_2013":
        found = _lac_judgements(pages)
    elif family == "ilacs":
        found = _ilacs_judgements(pages)
    else:
        found = {}
    # Dict order follows JUDGEMENTS; ungraded ("Not judged") and unknown judgements are left out.
    return {key: found[key] for key in JUDGEMENTS if found.get(key) in GRADES}


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def extract_metadata(raw_pages: list[str]) -> ReportMetadata:
    """Read what the report says about itself. Never raises: facts it cannot find stay None."""
    meta = ReportMetadata()
    try:
        _fill(meta, _clean_pages(raw_pages))
    except Exception:  # odd input must never stop an ingest run; keep what was found
        log.exception("metadata extraction stopped part way")
    if meta.report_type not in REPORT_TYPES:
        meta.report_type = "unknown"
    return meta


def _without_blank_covers(pages: list[str]) -> list[str]:
    """The pages from the first one with text: a cover that is only an image reads as blank."""
    for i, text in enumerate(pages):
        if len(re.findall(r"[A-Za-z]", text)) >= _COVER_MIN_LETTERS:
            return pages[i:]
    return pages


def _fill(meta: ReportMetadata, pages: list[str]) -> None:
    pages = _without_blank_covers(pages)
    head = _head_text(pages)
    if not head.strip():
        return
    family = _family(pages)
    meta.local_authority = read_authority(pages)
    meta.title = _title(head, family)
    start, first_stretch_end, end = inspection_span(pages)
    if family == OTHER_PUBLICATION and start is None:
        start, end = _letter_dates(pages)
    meta.inspection_start, meta.inspection_end = start, end
    published = _PUBLISHED.search(head)
    meta.published = parse_date(published["value"]) if published else None
    meta.lead_inspector = _lead_inspector(pages)
    meta.judgements = _judgements(family, pages)
    meta.report_type = _report_type(family, meta.judgements, start, first_stretch_end)
