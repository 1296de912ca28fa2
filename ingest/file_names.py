"""What a report's file name says about it: an authority, a publication date, or nothing.

The report's own text comes first (ingest.metadata); the pipeline asks the file name only for what
the text does not print. Names seen:
- the corpus's `<authority-slug>_<publication date>.pdf` ("st-helens_2023-09-04.pdf");
- Ofsted's download names, which carry the publication date and no authority
  ("children's services inspection - 09 may 2025.pdf");
- a user's own names, sometimes after the authority ("Wigan ILACS report.pdf").
A browser's copy mark ("... (1).pdf") is ignored.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from ingest.authorities import Authority, default_registry
from ingest.metadata import parse_date

_COPY_MARK = re.compile(r"\s*\(\d+\)$")
_ISO_DATE_AT_END = re.compile(r"(?:^|[\s_.-])(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})$")
# "09 may 2025", "9th_May_2025": checked as a date by parse_date, so "12 bogus 2025" is none.
_WORD_DATE_AT_END = re.compile(
    r"(?:^|[\s_.-])(?P<day>\d{1,2})(?:st|nd|rd|th)?[\s_-]+(?P<month>[A-Za-z]{3,9})[\s_-]+(?P<year>\d{4})$"
)


def _stem(path: str | Path) -> str:
    return _COPY_MARK.sub("", Path(path).stem.strip())


def _date_at_end(stem: str) -> tuple[date | None, str]:
    """(the date the name ends with, the name before it)."""
    match = _ISO_DATE_AT_END.search(stem)
    if match:
        try:
            found = date(int(match["year"]), int(match["month"]), int(match["day"]))
        except ValueError:
            found = None
        if found:
            return found, stem[: match.start()]
    match = _WORD_DATE_AT_END.search(stem)
    if match:
        found = parse_date(f"{match['day']} {match['month']} {match['year']}")
        if found:
            return found, stem[: match.start()]
    return None, stem


def date_from_file_name(path: str | Path) -> date | None:
    """The date a file name ends with: `<anything>_<YYYY-MM-DD>.pdf` or "... - 09 may 2025.pdf".

    Args:
        path: the file's path or name.
    Returns:
        The date, or None when the name does not end with a valid date.
    """
    return _date_at_end(_stem(path))[0]


def authority_from_file_name(path: str | Path) -> Authority | None:
    """The authority a file is named after ("barking-and-dagenham_2019-04-01.pdf", "Wigan ILACS.pdf").

    The name without its date must be an authority's name in a spelling the registry knows, or
    hold the name of exactly one authority; Ofsted's own names hold none.

    Args:
        path: the file's path or name.
    Returns:
        The registry's authority, or None.
    """
    _, rest = _date_at_end(_stem(path))
    words = " ".join(re.sub(r"[_\s]+", " ", rest).split()).strip(" -.,")
    if not words:
        return None
    registry = default_registry()
    found = registry.resolve(words.replace("-", " "))
    if found is not None:
        return found
    named = {authority.key: authority for authority, _span in registry.find_in_text(words.replace("-", " "))}
    return next(iter(named.values())) if len(named) == 1 else None
