"""What a search returns: `SearchResponse`, its `SearchResult`s and each one's `Citation`.

These are the package's public output (the app, the CLI, eval and packs read them), kept as they
were: plain dataclasses, not frozen, since callers build and adjust them (index/followup.py).
present.py makes them from the arranged passages.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from index.search.filters import SearchFilters
from index.search.types import Reading
from index.store import ChunkRow, DocumentRow


@dataclass
class Citation:
    """Where a passage is: its report (authority, type, dates, grade) and its pages, paragraphs, section."""

    file: str
    local_authority: str | None
    report_type: str
    report_type_label: str
    published: str | None
    inspection_start: str | None
    inspection_end: str | None
    page_start: int
    page_end: int
    paragraphs: list[str]
    section: str | None
    overall_grade: str | None
    published_estimated: bool = False  # the report prints no date: inspection end plus the usual lag

    def pages_label(self) -> str:
        if self.page_start == self.page_end:
            return f"p. {self.page_start}"
        return f"pp. {self.page_start}-{self.page_end}"

    def paragraphs_label(self) -> str:
        if not self.paragraphs:
            return ""
        if len(self.paragraphs) == 1:
            return f"para {self.paragraphs[0]}"
        return f"paras {self.paragraphs[0]}-{self.paragraphs[-1]}"

    def date_label(self) -> str:
        if self.published and self.published_estimated:
            return f"published about {self.published[:7]} (estimated)"
        if self.published:
            return f"published {self.published}"
        if self.inspection_start:
            return f"inspected {self.inspection_start}"
        return "date unknown"

    def line(self) -> str:
        parts = [self.local_authority or "Unknown authority", self.report_type_label, self.date_label(),
                 self.pages_label()]
        if self.paragraphs:
            parts.append(self.paragraphs_label())
        if self.section:
            parts.append(self.section)
        return " · ".join(parts)


@dataclass
class SearchResult:
    """One passage found: its text and highlights, its score and citation, and how it was found."""

    rank: int
    chunk_id: int
    doc_id: int
    text: str
    highlights: list[tuple[int, int]]  # character spans of `text` that answer the question
    score: float
    citation: Citation
    duplicates: int = 0  # near-identical passages in other reports, collapsed into this one
    dense_rank: int | None = None
    lexical_rank: int | None = None
    similarity: float | None = None  # cosine of question and passage embeddings
    below_floor: bool = False  # shown only as the closest of passages that do not answer

    def highlighted_text(self) -> list[str]:
        return [self.text[a:b] for a, b in self.highlights]

    def to_dict(self) -> dict:
        data = asdict(self)
        data["highlighted_text"] = self.highlighted_text()
        return data


@dataclass
class SearchResponse:
    """A search's results, best first, with the words searched and how the question was read."""

    query: str
    results: list[SearchResult]
    filters: SearchFilters
    message: str | None = None  # set when there is nothing to show, saying why
    interpretation: str | None = None  # how the question's own words narrowed the search
    topic: str | None = None  # the words searched, once names, years and grades were read off
    reading: tuple[Reading, ...] = ()  # what the question's words did to the search, as data (types.Reading)


def citation_of(doc: DocumentRow, row: ChunkRow) -> Citation:
    """The citation of one passage (`row`) of one report (`doc`): where a reader finds it."""
    return Citation(
        file=doc.file_name, local_authority=doc.local_authority, report_type=doc.report_type,
        report_type_label=doc.report_type_label, published=doc.published,
        inspection_start=doc.inspection_start, inspection_end=doc.inspection_end,
        page_start=row.page_start, page_end=row.page_end, paragraphs=row.paragraphs,
        section=row.section, overall_grade=doc.overall_grade, published_estimated=doc.published_estimated,
    )
