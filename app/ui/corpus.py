"""What the index holds: the report list and counts by type, year, grade and authority."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from app.ui.authority_page import report_judgements
from app.ui.search import (
    GRADE_COLOURS,
)
from index.report_index import ReportIndex
from index.search import FILTER_JUDGEMENTS
from index.store import DocumentRow
from ingest.models import OTHER_PUBLICATION
from ingest.pipeline import known_published_addresses

# -- corpus statistics ---------------------------------------------------------------------------


def _doc_year(doc: DocumentRow) -> str:
    return (doc.published or doc.inspection_start or "")[:4] or "unknown"


@dataclass
class CorpusTables:
    summary: str
    by_authority: pd.DataFrame
    by_year: pd.DataFrame
    by_type: pd.DataFrame
    grades: pd.DataFrame  # year, grade, reports
    reports: pd.DataFrame  # every report: authority, date, type, five judgements, links (Markdown)


def corpus_tables(index: ReportIndex | None) -> CorpusTables:
    docs = index.searcher.documents() if index is not None else {}
    passages = {d: len(index.store.chunk_ids_for_documents([d])) for d in docs} if index is not None else {}
    rows = [{"authority": d.local_authority or "Unknown", "year": _doc_year(d), "type": d.report_type_label,
             "inspection": d.report_type != OTHER_PUBLICATION,
             "grade": d.overall_grade or "none", "date": d.published or d.inspection_start or "",
             "passages": passages[d.id]} for d in docs.values()]
    frame = pd.DataFrame(rows, columns=["authority", "year", "type", "inspection", "grade", "date", "passages"])
    by_authority = _by_authority(frame)
    by_year = _count(frame, "year", "Year")
    by_type = _count(frame, "type", "Report type")
    grades = (frame.groupby(["year", "grade"]).size().reset_index(name="reports")
              if len(frame) else pd.DataFrame(columns=["year", "grade", "reports"]))
    years = sorted(y for y in frame["year"] if y != "unknown")
    span = f", {years[0]}–{years[-1]}" if years else ""
    summary = (f"{len(frame)} reports from {frame['authority'].nunique()} local authorities{span}; "
               f"{int(frame['passages'].sum())} passages")
    return CorpusTables(summary, by_authority, by_year, by_type, grades, _report_list(docs))


def _report_list(docs: dict[int, DocumentRow]) -> pd.DataFrame:
    """Every report, newest first, with links to open it here and at Ofsted (Markdown cells)."""
    addresses = known_published_addresses()
    rows = []
    for d in sorted(docs.values(), key=lambda d: d.published or d.inspection_end or "", reverse=True):
        grades = report_judgements(d)
        links = f"[open](/pdf/{d.id})" if d.paths else ""
        if addresses.get(d.sha256):
            links += f" · [Ofsted]({addresses[d.sha256]})"
        rows.append([d.local_authority or "Unknown", d.published or d.inspection_end or "", d.report_type_label,
                     *(grades.get(key, "") for key in FILTER_JUDGEMENTS), links])
    headings = [label[:1].upper() + label[1:] for label in FILTER_JUDGEMENTS.values()]
    return pd.DataFrame(rows, columns=["Authority", "Date", "Report", *headings, "Open"])


def _count(frame: pd.DataFrame, key: str, title: str) -> pd.DataFrame:
    if not len(frame):
        return pd.DataFrame(columns=[title, "Reports", "Passages"])
    table = frame.groupby(key).agg(Reports=("passages", "size"), Passages=("passages", "sum")).reset_index()
    return table.rename(columns={key: title}).sort_values(title, key=lambda s: s.str.lower())


def _by_authority(frame: pd.DataFrame) -> pd.DataFrame:
    columns = ["Authority", "Reports", "Passages", "Latest report", "Latest overall grade"]
    if not len(frame):
        return pd.DataFrame(columns=columns)
    rows = []
    for name, group in frame.groupby("authority"):
        # The latest inspection: a later letter (a monitoring visit) carries no grade.
        inspections = group[group["inspection"]] if group["inspection"].any() else group
        latest = inspections.sort_values("date").iloc[-1]
        rows.append([name, len(group), int(group["passages"].sum()), latest["date"],
                     latest["grade"].capitalize() if latest["grade"] != "none" else ""])
    return pd.DataFrame(rows, columns=columns).sort_values("Authority", key=lambda s: s.str.lower())


def grade_chart_frame(grades: pd.DataFrame) -> pd.DataFrame:
    """Reports per year and overall grade, for the Corpus tab's stacked bar chart (gr.BarPlot)."""
    frame = grades.copy()
    frame["grade"] = frame["grade"].replace({"none": "no grade"})
    frame["reports"] = frame["reports"].astype(int)
    return frame[["year", "grade", "reports"]].sort_values(["year", "grade"]).reset_index(drop=True)


GRADE_CHART_COLOURS = {("no grade" if g == "none" else g): colour for g, colour in GRADE_COLOURS.items()}
