"""A small index whose reports have lists of what must improve: two reports of one authority (for
"was it fixed?") and others, with their points and themes made (the fake embedding model)."""

from __future__ import annotations

from pathlib import Path

from index.embed import HashingEmbedder
from index.report_index import ReportIndex
from tests.index.helpers import make_report
from tests.pdfgen import make_pdf

FINDINGS = "The experiences and progress of children who need help and protection"
RECS = "What needs to improve?"
# (authority, year, overall grade, finding, recommendations)
REPORTS = [
    ("Avonshire", 2017, "inadequate",
     "Return home interviews are rarely offered when children go missing, and supervision is irregular.",
     "• Return home interviews for children who go missing from home or care.\n"
     "• The regularity and quality of supervision and management oversight."),
    ("Avonshire", 2022, "good",
     "Return home interviews are now offered to every child who goes missing, and used to reduce risk. "
     "Supervision is regular and reflective.",
     "• Pathway plans and suitable accommodation for care leavers."),
    ("Wessex", 2019, "requires improvement",
     "Care leavers live in suitable accommodation and personal advisers keep in touch.",
     "• Management oversight and supervision of social workers' caseloads.\n"
     "• Suitable accommodation for care leavers."),
]


def build_recommendations_index(directory: Path) -> ReportIndex:
    """The index, with a PDF beside each report, opened read-only as `serve` opens it."""
    pdfs = directory / "pdfs"
    pdfs.mkdir(parents=True, exist_ok=True)
    writer = ReportIndex.load(directory / "index", embedder=HashingEmbedder(), create=True)
    for authority, year, grade, finding, recommendations in REPORTS:
        passages = [finding, recommendations]
        pdf = make_pdf(pdfs / f"{authority.lower()}_{year}.pdf", passages)
        report = make_report(authority, passages, year=year, overall=grade, sections=[FINDINGS, RECS])
        writer.upsert(report, path=str(pdf))
    writer.update_recommendations()
    writer.close()
    return ReportIndex.load(directory / "index", embedder=HashingEmbedder(), read_only=True)
