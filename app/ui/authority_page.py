"""One authority's page: every report of it on a timeline with its five judgements, and its statistical
neighbours' latest grades beside it (neighbours from corpus/la_lookup.csv)."""

from __future__ import annotations

import dataclasses
import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import gradio as gr

from app.ui.address import LinkValues, keep_js
from app.ui.reading import authority_suggestions
from app.ui.render import notice_html
from app.ui.search import NEIGHBOUR_CHOICES, _has_documents, ingest_help
from index.report_index import ReportIndex
from index.search import FILTER_JUDGEMENTS
from index.store import DocumentRow
from ingest.authorities import default_registry
from ingest.models import OTHER_PUBLICATION
from ingest.pipeline import known_published_addresses

NO_OVERALL_2026 = "no overall grade (2026 framework)"


@dataclass
class ReportLine:
    """One report on the timeline."""

    doc_id: int
    date: str  # published, else the inspection's last day
    date_estimated: bool
    report_type: str
    judgements: dict[str, str]  # FILTER_JUDGEMENTS key -> grade, or NO_OVERALL_2026
    lead_inspector: str | None
    file: str
    pdf_link: str | None
    ofsted_url: str | None


@dataclass
class NeighbourLine:
    name: str
    latest_date: str | None  # None: not in this index
    latest_overall: str | None


@dataclass
class AuthorityProfile:
    name: str
    region: str
    reports: list[ReportLine] = field(default_factory=list)  # oldest first
    neighbours: list[NeighbourLine] = field(default_factory=list)  # closest first


def _date(doc: DocumentRow) -> str:
    return doc.published or doc.inspection_end or doc.inspection_start or ""


def report_judgements(doc: DocumentRow) -> dict[str, str]:
    """A report's grades on the five judgements (the 2026 framework's missing overall grade said so)."""
    found = {key: doc.judgements[key] for key in FILTER_JUDGEMENTS if doc.judgements.get(key)}
    if doc.overall_grade:
        found["overall_effectiveness"] = doc.overall_grade
    if doc.report_type == "ilacs_2026" and "overall_effectiveness" not in found:
        found["overall_effectiveness"] = NO_OVERALL_2026  # removed by the framework, not missing
    return found


def authority_profile(index: ReportIndex, name: str) -> AuthorityProfile:
    """Every indexed report of one authority, and its neighbours' latest reports.

    Args:
        index: the index.
        name: any name of the authority ("Telford", "Bristol, City of").

    Returns:
        The profile; `reports` may be empty when the index holds none of its reports.

    Raises:
        ValueError: the name is no local authority (the message suggests close names).
    """
    registry = default_registry()
    authority = registry.resolve(name)
    if authority is None:
        raise ValueError(f"{name!r} is not a local authority; {registry.suggestion(name)}")
    docs = index.searcher.documents()
    addresses = known_published_addresses()
    by_key: dict[str, list[DocumentRow]] = {}
    for doc in docs.values():
        if doc.authority_key:
            by_key.setdefault(doc.authority_key, []).append(doc)
    profile = AuthorityProfile(authority.name, authority.region)
    for doc in sorted(by_key.get(authority.key, []), key=_date):
        profile.reports.append(ReportLine(
            doc_id=doc.id, date=_date(doc), date_estimated=doc.published_estimated,
            report_type=doc.report_type_label, judgements=report_judgements(doc), lead_inspector=doc.lead_inspector,
            file=doc.file_name, pdf_link=f"/pdf/{doc.id}" if doc.paths else None,
            ofsted_url=addresses.get(doc.sha256),
        ))
    for neighbour in registry.neighbours(authority.name):
        theirs = sorted(by_key.get(neighbour.key, []), key=_date)
        # Their latest inspection: a later monitoring or focused visit letter has no grade to show.
        inspections = [doc for doc in theirs if doc.report_type != OTHER_PUBLICATION] or theirs
        latest = inspections[-1] if inspections else None
        profile.neighbours.append(NeighbourLine(
            neighbour.name, _date(latest) if latest else None,
            report_judgements(latest).get("overall_effectiveness") if latest else None,
        ))
    return profile


def _grade_cell(grade: str | None) -> str:
    if not grade:
        return '<td class="oq-judgement oq-judgement-none">-</td>'
    css = "oq-grade-" + re.sub(r"[^a-z0-9]+", "-", grade.lower()).strip("-")
    return f'<td class="oq-judgement {css}">{html.escape(grade[:1].upper() + grade[1:])}</td>'


def render_authority(profile: AuthorityProfile) -> str:
    """The profile as HTML: a timeline table of reports (a colour per grade) and the neighbours."""
    heads = "".join(f"<th>{html.escape(label[:1].upper() + label[1:])}</th>" for label in FILTER_JUDGEMENTS.values())
    rows = []
    for report in profile.reports:
        links = []
        if report.pdf_link:
            links.append(f'<a class="oq-pdf" href="{report.pdf_link}" target="_blank" rel="noopener">open</a>')
        if report.ofsted_url:
            links.append(f'<a href="{html.escape(report.ofsted_url)}" target="_blank" rel="noopener">Ofsted</a>')
        date = html.escape(report.date) + (" (estimated)" if report.date_estimated else "")
        cells = "".join(_grade_cell(report.judgements.get(key)) for key in FILTER_JUDGEMENTS)
        rows.append(f"<tr><td>{date}</td><td>{html.escape(report.report_type)}</td>{cells}"
                    f"<td>{html.escape(report.lead_inspector or '')}</td><td>{' · '.join(links)}</td></tr>")
    if rows:
        timeline = (f'<table class="oq-timeline"><thead><tr><th>Date</th><th>Report</th>{heads}'
                    f"<th>Lead inspector</th><th>Report</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")
    else:
        timeline = '<p class="oq-summary">This index holds no report of this authority.</p>'
    near = "".join(
        f"<tr><td>{html.escape(n.name)}</td><td>{html.escape(n.latest_date or 'not in this index')}</td>"
        f"{_grade_cell(n.latest_overall)}</tr>"
        for n in profile.neighbours
    )
    neighbours = (f'<h3>Statistical neighbours, closest first: latest report</h3><table class="oq-timeline">'
                  f"<thead><tr><th>Authority</th><th>Date</th><th>Overall</th></tr></thead><tbody>{near}</tbody>"
                  "</table>") if near else ""
    return (f'<div class="oq-authority-page"><h2>{html.escape(profile.name)}</h2>'
            f'<p class="oq-summary">{html.escape(profile.region)} · {len(profile.reports)} report(s)</p>'
            f"{timeline}{neighbours}</div>")


def _or_list(names: list[str]) -> str:
    """"A", "A or B", "A, B or C"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def unknown_authority_html(name: str, suggestions: list[str]) -> str:
    """What the page says for a name that is no authority (a typo): the closest names, each a link that
    opens that authority's page (ui_link.js keeps the address's other parameters)."""
    if not suggestions:
        return notice_html(f"No authority called “{name}”, nor one with a name close to it: pick one from the "
                           "list.", "warn")
    links = [f'<a href="?{html.escape(urlencode({"tab": "authority", "la": s}), quote=True)}" '
             f'data-authority="{html.escape(s, quote=True)}" class="oq-suggestion">{html.escape(s)}</a>'
             for s in suggestions]
    head = html.escape(f"No authority called “{name}”; did you mean ")
    return (f'<div class="oq-notice oq-notice-warn" role="alert">{head}{_or_list(links)}?</div>')


class AuthorityPage:
    """The Authority tab: `build` adds it to the page and registers its events, `register_api` its
    endpoint (`/authority`); the authority shown is kept in the page address (`la`)."""

    LINK_PARAMETERS = {"la": False}  # name -> whether it repeats

    def __init__(self, index: ReportIndex | None, index_dir: Path | str | None) -> None:
        self.index = index
        self.index_dir = index_dir
        self.pick: gr.Dropdown | None = None

    def show(self, name: str | None) -> str:
        """One authority's page, or a message."""
        if not name:
            return ""
        if not _has_documents(self.index):
            return notice_html(ingest_help(self.index_dir), "info")
        registry = default_registry()
        if registry.resolve(name) is None:
            return unknown_authority_html(name.strip(), authority_suggestions(registry, name))
        try:
            return render_authority(authority_profile(self.index, name))
        except ValueError as exc:
            return notice_html(str(exc), "error")

    def authority_api(self, name: str) -> dict:
        """`/authority`: every report of one authority (dates, type, the five judgements, lead inspector,
        PDF and Ofsted links) and its statistical neighbours' latest grades; {"ok": false, "message",
        "suggestions"} for a name that is no authority (the closest names, closest first)."""
        if self.index is None:
            return {"ok": False, "message": ingest_help(self.index_dir)}
        try:
            return {"ok": True, **dataclasses.asdict(authority_profile(self.index, name or ""))}
        except ValueError as exc:
            return {"ok": False, "message": str(exc),
                    "suggestions": authority_suggestions(default_registry(), name or "")}

    def from_link(self, request: gr.Request) -> Any:
        """The authority the page address names; left alone when it names none."""
        link = LinkValues(request, self.LINK_PARAMETERS)
        return link.one("la") if link else gr.skip()

    def build(self) -> None:
        """The tab; choosing an authority shows its page and keeps it in the address."""
        with gr.Tab("Authority", id="authority", elem_id="oq-authority-tab") as tab:
            # A typed name is taken too (Enter): one that is no authority gets the closest names as links.
            self.pick = gr.Dropdown(NEIGHBOUR_CHOICES, value=None, filterable=True, allow_custom_value=True,
                                    label="Local authority",
                                    info="every report on a timeline, and its statistical neighbours",
                                    elem_id="oq-authority-pick")
            page = gr.HTML("", elem_id="oq-authority-page", js_on_load=None)
        self.pick.change(self.show, self.pick, page, api_visibility="private")
        self.pick.input(None, self.pick, None, js=keep_js("authority", "la"), api_visibility="private")
        # Only the tab while the list is still empty: a link's `la=` is read into the list after the tab
        # opens, and keeping the empty list would take it out of the address.
        tab.select(None, self.pick, None, api_visibility="private",
                   js='(la) => window.ofstedQa.keep(la ? {"tab": "authority", "la": la} : {"tab": "authority"})')

    def register_load(self, demo: gr.Blocks) -> None:
        """Reopen the authority the address names (its page follows from the change)."""
        demo.load(self.from_link, None, self.pick, api_visibility="private")

    def register_api(self) -> None:
        gr.api(self.authority_api, api_name="authority")
