"""Build ParsedReport objects by hand, so index tests don't depend on PDF parsing."""

from __future__ import annotations

import hashlib
from datetime import date

from ingest.metadata import authority_key
from ingest.models import Chunk, Page, ParsedReport, ReportMetadata


def make_report(
    authority: str,
    passages: list[str],
    *,
    year: int = 2019,
    report_type: str = "ilacs_standard",
    overall: str | None = "good",
    section: str = "The experiences and progress of children who need help and protection",
    salt: str = "",
    sections: list[str] | None = None,
) -> ParsedReport:
    """A parsed report of one passage per page; `sections` names each passage's section (default `section`)."""
    pages = [Page(number=i + 1, raw_text=text, text=text) for i, text in enumerate(passages)]
    chunks = [
        Chunk(ordinal=i, text=text, page_start=i + 1, page_end=i + 1, char_start=0, char_end=len(text),
              section=sections[i] if sections else section, paragraphs=[str(i + 1)])
        for i, text in enumerate(passages)
    ]
    judgements = {"overall_effectiveness": overall} if overall else {}
    meta = ReportMetadata(
        local_authority=authority, report_type=report_type, inspection_start=date(year, 3, 1),
        inspection_end=date(year, 3, 12), judgements=judgements,
    )
    sha = hashlib.sha256(("|".join(passages) + authority + str(year) + salt).encode()).hexdigest()
    return ParsedReport(path=f"/reports/{authority.lower()}_{year}.pdf", sha256=sha, pages=pages,
                        metadata=meta, chunks=chunks, authority_key=authority_key(authority))
