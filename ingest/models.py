"""Plain dataclasses that the ingest stage hands to the index stage.

Nothing here knows about SQLite, FAISS or the model: they are the contract between stages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# The stored values' names (report types, grades, judgements) are the reports' vocabulary, kept in
# ingest.vocabulary; importing them from here still works.
from ingest.vocabulary import GRADES, JUDGEMENTS, OTHER_PUBLICATION, REPORT_TYPES

__all__ = ["GRADES", "JUDGEMENTS", "METADATA_VERSION", "OTHER_PUBLICATION", "REPORT_TYPES", "Chunk", "Page",
           "ParsedReport", "ReportMetadata"]

# The version of what ingest reads about a report (ingest.metadata, ingest.file_names and the
# outside sources in ingest.pipeline). Each index records, per document, the version that read it;
# `ofsted-qa ingest` reads again the files read by an older version, even when they are unchanged,
# and reuses their passages' embeddings. Bump it whenever a change to those modules would store
# different metadata for the same file.
#   1: the reader before versions were recorded.
#   2: authorities named as in the registry (corpus/la_lookup.csv), from title, first pages, text or
#      file name; publication dates from the manifest, the file name or an estimate.
#   3: the lists of what must improve kept as such when a report divides them by topic or prints their
#      heading as a list's title ("What needs to improve:"), for the recommendations section kind.
#      Also Ofsted's letters (monitoring, focused and assurance visits, joint targeted area inspections) read
#      as "other_ofsted", with the visit's dates, never as an inspection report.
METADATA_VERSION = 3


@dataclass
class Page:
    """One PDF page. `number` is 1-based, as printed in a `#page=N` link."""

    number: int
    raw_text: str
    text: str = ""  # cleaned text; chunk offsets point into this


@dataclass
class ReportMetadata:
    """Facts read from the report's own text (users bring their own PDFs)."""

    local_authority: str | None = None  # the registry's name ("Stoke-on-Trent") when it knows the authority
    report_type: str = "unknown"  # a key of REPORT_TYPES
    title: str | None = None
    inspection_start: date | None = None
    inspection_end: date | None = None
    published: date | None = None  # printed on SIF and 2013 reports only; the pipeline fills the rest
    lead_inspector: str | None = None
    judgements: dict[str, str] = field(default_factory=dict)  # JUDGEMENTS key -> grade in GRADES

    @property
    def overall_effectiveness(self) -> str | None:
        return self.judgements.get("overall_effectiveness")


@dataclass
class Chunk:
    """A passage: one or more whole sentences from one section of one report.

    Offsets are character offsets into the cleaned text of the pages: `char_start` into
    page `page_start`, `char_end` (exclusive) into page `page_end`.
    """

    ordinal: int  # position within the document, from 0
    text: str
    page_start: int
    page_end: int
    char_start: int
    char_end: int
    section: str | None = None
    paragraphs: list[str] = field(default_factory=list)  # printed paragraph numbers, e.g. ["26", "27"]


@dataclass
class ParsedReport:
    """Everything ingest produces for one PDF."""

    path: str
    sha256: str
    pages: list[Page]
    metadata: ReportMetadata
    chunks: list[Chunk]
    authority_key: str | None = None  # the matching key of metadata.local_authority
    # Where metadata.published came from: "report" (printed), "manifest" (by sha256), "file name",
    # "estimated" (the end of the inspection plus the median lag), or None (no date at all).
    published_source: str | None = None
    metadata_version: int = METADATA_VERSION  # of the reader that produced this
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, for `ofsted-qa bench`
