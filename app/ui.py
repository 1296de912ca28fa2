"""The web app: a Gradio Blocks UI over one ReportIndex, mounted on FastAPI beside a PDF route.

Entry points:
    build_app(index)            the Gradio Blocks (callbacks only call `index.search` and format)
    create_app(index, auth)     a FastAPI app: `/pdf/{doc_id}` plus the Blocks mounted at `/`
    serve(index_dir, ...)       load the index once (read-only), build, run uvicorn until stopped

The search endpoint has the API name "search": (question, authorities, year_from, year_to,
report_types, grades, k) -> {"query", "ok", "message", "results": [...]}, as JSON. With gradio_client:

    Client("http://127.0.0.1:7860/").predict(
        "CSE screening", ["Barnet"], 2016, 2019, ["sif"], ["inadequate"], 5, api_name="/search")

A bad filter gives {"ok": false, "message": "..."} (never a traceback).

Authentication (`auth=(user, password)`): HTTP Basic, checked by an ASGI middleware in front of
*everything* the FastAPI app serves: the page, Gradio's config/queue/API/file routes and `/pdf/`.
Gradio's own login form is not used, because its cookie does not cover routes outside Gradio.
    - a browser shows its native login dialog once and resends the credentials on every request;
    - gradio_client: `Client(url, headers={"Authorization": basic_auth_header(user, password)})`
      (or `httpx_kwargs={"auth": (user, password)}`);
    - curl: `curl -u user:password http://host:port/pdf/3`.
Basic auth sends the password with each request: put the app behind HTTPS when it leaves the machine.

Nothing calls outside the machine: analytics are off (set before gradio is imported), the theme's
fonts are served by Gradio itself, and the grade chart is plain HTML/CSS.
"""

import os

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import base64
import binascii
import csv
import html
import io
import logging
import re
import secrets
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd
from fastapi import FastAPI
from fastapi.responses import FileResponse, PlainTextResponse, Response

from app.authority_page import authority_profile, render_authority, report_judgements
from app.packs_page import PacksPage
from index.contrast import contrast_search
from index.embed import load_embedder
from index.report_index import DB_NAME, IndexNotFoundError, ReportIndex
from index.search import FILTER_JUDGEMENTS, MAX_K, YEAR_RANGE, QueryError, SearchFilters, SearchResult
from index.store import DocumentRow, IndexMismatchError
from ingest.authorities import default_registry
from ingest.models import GRADES, REPORT_TYPES
from ingest.pipeline import known_published_addresses

log = logging.getLogger(__name__)

EXAMPLES: tuple[str, ...] = (
    "what did inspectors say about CSE screening?",
    "how is management oversight judged?",
    "what does good return home interview practice look like?",
    "LADO",
    "care leavers' accommodation",
)
VIEW_RANKED, VIEW_COMPARE, VIEW_BY_REPORT = "Best passages", "Compare authorities", "Group by report"
VIEW_CONTRAST = "What good looks like"
VIEWS = (VIEW_RANKED, VIEW_COMPARE, VIEW_BY_REPORT, VIEW_CONTRAST)
DEFAULT_K = 8
MAX_UI_K = 50
COMPARE_K = MAX_K  # one wide search, then the best passage per authority
COMPARE_AUTHORITIES = 6
CONCURRENCY = 16  # queued events run at once (at least 8 queries in parallel)
EXPORT_MAX_AGE = 3600  # seconds an export file is kept
INGEST_COMMAND = "ofsted-qa ingest PDF_DIR --index {dir}"
GRADE_COLOURS = {
    "outstanding": "#1a7f37", "good": "#2f6fb3", "requires improvement": "#b7791f",
    "inadequate": "#c0392b", "none": "#8a94a6",
}
REPORT_TYPE_CHOICES = [(label, key) for key, label in REPORT_TYPES.items() if key != "unknown"]
GRADE_CHOICES = [(g[0].upper() + g[1:], g) for g in GRADES]
JUDGEMENT_CHOICES = [(label[0].upper() + label[1:], key) for key, label in FILTER_JUDGEMENTS.items()]
REGION_CHOICES = default_registry().regions()
NEIGHBOUR_CHOICES = sorted(a.name for a in default_registry().authorities)  # any authority, indexed or not
PER_AUTHORITY = 3  # passages per council in the compare view
MORE_FILTERS = ("judgement", "judgement_grades", "latest", "region", "neighbours_of")


# -- search: the one call into the index ---------------------------------------------------------


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value if v is not None and str(v).strip()]


def _year_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def build_filters(
    authorities: Any = None, year_from: Any = None, year_to: Any = None,
    report_types: Any = None, grades: Any = None, more: dict | None = None,
) -> SearchFilters:
    """The UI's filter values as SearchFilters; QueryError (a readable message) when one is wrong.

    `more`: the judgement, latest-only, region and neighbours filters, by the names of MORE_FILTERS.
    """
    more = more or {}
    judgement = more.get("judgement") or None
    judged = _as_list(more.get("judgement_grades"))
    if judged and not judgement:
        raise QueryError("choose the judgement those grades are for (e.g. care leavers)")
    labels_j = {label: key for key, label in FILTER_JUDGEMENTS.items()}
    judgements = {labels_j.get(judgement, judgement): judged} if judgement and judged else None
    first, last = _year_text(year_from), _year_text(year_to)
    years = None
    if first or last:
        years = f"{first or YEAR_RANGE[0]}-{last or YEAR_RANGE[1]}"
    labels = {label.lower(): key for key, label in REPORT_TYPES.items()}
    types = [labels.get(t.lower(), t) for t in _as_list(report_types)]
    return SearchFilters.build(authority=_as_list(authorities) or None, years=years,
                               report_type=types or None, grade=_as_list(grades) or None, judgement=judgements,
                               latest_only=bool(more.get("latest")), region=more.get("region") or None,
                               neighbours_of=more.get("neighbours_of") or None)


def _k(value: Any) -> int:
    problem = QueryError(f"the number of results is a whole number from 1 to {MAX_K}; got {value!r}")
    try:
        k = float(value if value is not None else DEFAULT_K)
    except (TypeError, ValueError):
        raise problem from None
    if not k.is_integer():
        raise problem
    return int(k)


def ingest_help(index_dir: Path | str | None) -> str:
    where = str(index_dir) if index_dir else "DIR"
    return (f"The index at {where} holds no reports yet. Add Ofsted PDF reports with "
            f"`{INGEST_COMMAND.format(dir=where)}`, then start the app again.")


def _payload(
    query: str, results: list[dict], message: str | None = None, ok: bool = True, interpretation: str | None = None
) -> dict:
    return {"query": query, "ok": ok, "message": message, "results": results, "interpretation": interpretation}


def result_dict(result: SearchResult, doc: DocumentRow | None) -> dict:
    """A search result as JSON-able data, with its citation line and the link to the PDF page."""
    data = result.to_dict()
    data["highlights"] = [list(span) for span in result.highlights]
    data["citation_line"] = result.citation.line()
    data["pages_label"] = result.citation.pages_label()
    data["paragraphs_label"] = result.citation.paragraphs_label()
    has_file = doc is not None and bool(doc.paths)
    data["pdf_link"] = f"/pdf/{result.doc_id}#page={result.citation.page_start}" if has_file else None
    # Ofsted's own copy: the link that works for a colleague (the page link is this server's).
    data["ofsted_url"] = known_published_addresses().get(doc.sha256) if doc is not None else None
    return data


def _has_documents(index: ReportIndex | None) -> bool:
    return index is not None and bool(index.searcher.documents())


def run_search(
    index: ReportIndex | None, question: str, authorities: Any = None, year_from: Any = None,
    year_to: Any = None, report_types: Any = None, grades: Any = None, k: Any = DEFAULT_K,
    index_dir: Path | str | None = None, more: dict | None = None,
) -> dict:
    """Search and return JSON-able results; every user mistake becomes {"ok": False, "message": ...}."""
    question = question if isinstance(question, str) else "" if question is None else str(question)
    if index is not None:
        index.reload_if_changed()
    if not _has_documents(index):
        where = index_dir or (index.directory if index is not None else None)
        return _payload(question, [], ingest_help(where), ok=False)
    try:
        filters = build_filters(authorities, year_from, year_to, report_types, grades, more)
        response = index.search(question, filters, k=_k(k))
    except QueryError as exc:
        return _payload(question, [], str(exc), ok=False)
    except Exception:  # a bug, not the user's mistake: log it, show a sentence
        log.exception("search failed for %r", question)
        return _payload(question, [], "The search failed unexpectedly; the server log has the details.",
                        ok=False)
    docs = index.searcher.documents()
    results = [result_dict(r, docs.get(r.doc_id)) for r in response.results]
    message = response.message
    if not results and not message:
        message = "Nothing matched; try other words."
    if not results and not filters.is_empty() and "filter" not in message:
        message = f"{message.rstrip('.')}; try removing some filters."
    return _payload(response.query, results, message, interpretation=response.interpretation)


def compare_search(
    index: ReportIndex | None, question: str, authorities: Any = None, year_from: Any = None,
    year_to: Any = None, report_types: Any = None, grades: Any = None,
    max_authorities: int = COMPARE_AUTHORITIES, more: dict | None = None,
) -> dict:
    """The best passages per authority (up to PER_AUTHORITY each): one wide search, grouped by
    authority in the order of each authority's best passage, ranks renumbered in that order.

    With an authority filter, a column per chosen authority (a narrow search fills any the wide one missed).
    """
    payload = run_search(index, question, authorities, year_from, year_to, report_types, grades, COMPARE_K,
                         more=more)
    if not payload["ok"]:
        return payload
    groups: dict[str, list[dict]] = {}
    for result in payload["results"]:
        name = result["citation"]["local_authority"] or "Unknown authority"
        if len(groups.setdefault(name, [])) < PER_AUTHORITY:
            groups[name].append(result)
    chosen = _as_list(authorities)
    missing: list[str] = []
    if chosen:
        by_key = {_norm(name): group for name, group in groups.items()}
        picked: list[list[dict]] = []
        for name in chosen:
            group = by_key.get(_norm(name))
            if group is None:
                one = run_search(index, payload["query"], [name], year_from, year_to, report_types, grades,
                                 PER_AUTHORITY, more=more)
                group = one["results"] or None
            if group is None:
                missing.append(name)
            elif group not in picked:
                picked.append(group)
    else:
        picked = list(groups.values())[:max_authorities]
    results = [dict(r) for group in picked for r in group]
    for rank, result in enumerate(results, start=1):
        result["rank"] = rank
    payload["results"] = results
    payload["missing"] = missing
    return payload


def contrast_payload(
    index: ReportIndex | None, question: str, authorities: Any = None, year_from: Any = None,
    year_to: Any = None, report_types: Any = None, grades: Any = None, k: Any = DEFAULT_K,
    more: dict | None = None,
) -> dict:
    """The question from reports graded good or outstanding on the judgement it is about, beside
    reports graded requires improvement or inadequate (index/contrast.py), as one JSON-able payload:
    the good side's results in "results", the other side's in "poor", the judgement in "judgement"."""
    payload = run_search(index, question, authorities, year_from, year_to, report_types, grades, k, more=more)
    if not payload["ok"]:
        return payload
    try:
        filters = build_filters(authorities, year_from, year_to, report_types, grades, more)
        contrast = contrast_search(index.searcher, payload["query"], filters, _k(k))
    except QueryError as exc:
        return _payload(question, [], str(exc), ok=False)
    docs = index.searcher.documents()
    good = [result_dict(r, docs.get(r.doc_id)) for r in contrast.good.results]
    poor = [result_dict(r, docs.get(r.doc_id)) for r in contrast.poor.results]
    out = _payload(contrast.question, good, None, interpretation=contrast.good.interpretation)
    out.update(poor=poor, judgement=contrast.judgement_label,
               messages=[contrast.good.message, contrast.poor.message])
    return out


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.lower()).strip()


# -- HTML ----------------------------------------------------------------------------------------

_PARAGRAPH_START = re.compile(r"\s*(?:\d+\.\s|[•\-–]\s)")


def _plain_html(text: str, start: int, end: int) -> str:
    """Escape text[start:end]; a line break before a numbered paragraph or bullet stays a break."""
    out, position = [], start
    newline = text.find("\n", position, end)
    while newline != -1:
        out.append(html.escape(text[position:newline]))
        out.append("<br>" if _PARAGRAPH_START.match(text, newline + 1) else " ")
        position = newline + 1
        newline = text.find("\n", position, end)
    out.append(html.escape(text[position:end]))
    return "".join(out)


def passage_html(text: str, highlights: Sequence[Sequence[int]]) -> str:
    """The passage, HTML-escaped, with the answering sentences in <mark>."""
    out, position = [], 0
    for a, b in sorted((int(a), int(b)) for a, b in highlights):
        a, b = max(a, position), min(b, len(text))
        if a >= b:
            continue
        out.append(_plain_html(text, position, a))
        out.append(f"<mark>{_plain_html(text, a, b)}</mark>")
        position = b
    out.append(_plain_html(text, position, len(text)))
    return "".join(out)


def _grade_badge(grade: str | None) -> str:
    if not grade:
        return ""
    css = "oq-grade-" + re.sub(r"[^a-z]+", "-", grade.lower()).strip("-")
    return f'<span class="oq-grade {css}">Overall: {html.escape(grade.capitalize())}</span>'


def _citation_parts(result: dict) -> tuple[str, str]:
    authority = result["citation"]["local_authority"] or "Unknown authority"
    line = result["citation_line"]
    rest = line[len(authority) + 3:] if line.startswith(authority + " · ") else line
    return authority, rest


def _pdf_link_html(result: dict) -> str:
    link = result.get("pdf_link")
    if not link:
        return '<span class="oq-nolink">PDF not available on this server</span>'
    page = result["citation"]["page_start"]
    return (f'<a class="oq-pdf" href="{html.escape(link)}" target="_blank" rel="noopener">'
            f"open the report at page {page}</a>")


def _duplicates_html(result: dict) -> str:
    n = int(result.get("duplicates") or 0)
    if n <= 0:
        return ""
    return f'<span class="oq-dupes">also in {n} other report{"s" if n != 1 else ""}</span>'


def _location(result: dict) -> str:
    """Where in its report a passage is: pages, paragraphs, section."""
    c = result["citation"]
    parts = [result["pages_label"], result["paragraphs_label"], c.get("section") or ""]
    return " · ".join(p for p in parts if p)


def card_html(result: dict, *, show_rank: bool = True, heading: str = "full") -> str:
    """One passage as a card: citation, highlighted verbatim text, PDF link.

    heading "full": authority, the rest of the citation and the grade; "no-authority": the card sits under
    its authority's heading; "location": under its report's heading, so only pages, paragraphs and section.
    """
    authority, rest = _citation_parts(result)
    rank = f'<span class="oq-rank">{int(result["rank"])}</span>' if show_rank else ""
    if heading == "location":
        cite = f'<span class="oq-cite-rest">{html.escape(_location(result))}</span>'
    elif heading == "no-authority":
        cite = f'<span class="oq-cite-rest">{html.escape(rest)}</span>'
    else:
        cite = (f'<span class="oq-authority">{html.escape(authority)}</span>'
                f'<span class="oq-cite-rest">{html.escape(rest)}</span>')
    # Each card carries its own report's grade: under an authority's heading, its passages may come
    # from reports of different years and grades.
    grade = _grade_badge(result["citation"].get("overall_grade")) if heading in ("full", "no-authority") else ""
    return (
        '<article class="oq-card">'
        f'<header class="oq-card-head">{rank}<div class="oq-cite">{cite}</div>{grade}</header>'
        f'<blockquote class="oq-passage">{passage_html(result["text"], result["highlights"])}</blockquote>'
        f'<footer class="oq-card-foot">{_pdf_link_html(result)}'
        f'<span class="oq-file">{html.escape(result["citation"]["file"])}</span>'
        f"{_duplicates_html(result)}</footer></article>"
    )


def notice_html(message: str, kind: str = "info") -> str:
    """A message box; `code` spans (backticks) become <code>."""
    text = html.escape(message[:1].upper() + message[1:])
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    return f'<div class="oq-notice oq-notice-{kind}">{text}</div>'


def _summary_html(payload: dict, one: str, many: str, n: int | None = None) -> str:
    n = len(payload["results"]) if n is None else n
    # What the question's own words did (an authority it names, a year it favours), so a narrowed
    # search never looks like the whole corpus.
    read_as = payload.get("interpretation")
    read_as = f" Question read as: {html.escape(read_as)}." if read_as else ""
    results = payload["results"]
    # Claim answers only where there are some: highlighted sentences, and passages above the floor.
    if results and all(r.get("below_floor") for r in results):
        claim = "none answers closely; these are the closest"
    elif any(r.get("highlights") for r in results):
        claim = "highlighted sentences answer the question"
    else:
        claim = "no sentence uses the question's words, so none is highlighted"
    notice = ""
    if payload.get("message"):
        notice = notice_html(payload["message"], "warn")
    return (f'{notice}<p class="oq-summary">{n} {one if n == 1 else many} for '
            f"<q>{html.escape(payload['query'])}</q> — {claim}; "
            f"every passage is quoted verbatim from its report.{read_as}</p>")


def render_ranked(payload: dict) -> str:
    if not payload["results"]:
        return notice_html(payload.get("message") or "Nothing matched.", "warn" if payload["ok"] else "error")
    cards = "".join(card_html(r) for r in payload["results"])
    return f'<div class="oq-results">{_summary_html(payload, "passage", "passages")}{cards}</div>'


def render_compare(payload: dict) -> str:
    if not payload["results"]:
        return notice_html(payload.get("message") or "Nothing matched.", "warn" if payload["ok"] else "error")
    groups: dict[str, list[dict]] = {}
    for r in payload["results"]:
        groups.setdefault(_citation_parts(r)[0], []).append(r)
    columns = "".join(
        f'<div class="oq-column"><h3 class="oq-column-head"><span>{html.escape(name)}</span></h3>'
        + "".join(card_html(r, show_rank=False, heading="no-authority") for r in group) + "</div>"
        for name, group in groups.items()
    )
    missing = payload.get("missing") or []
    note = ""
    if missing:
        note = notice_html("No passage matched for " + ", ".join(missing) + " with these filters.", "warn")
    return (f'<div class="oq-results">{_summary_html(payload, "authority", "authorities", len(groups))}'
            f'<div class="oq-compare">{columns}</div>{note}</div>')


def render_contrast(payload: dict) -> str:
    if not payload["ok"]:
        return notice_html(payload.get("message") or "Nothing matched.", "error")
    judgement = payload.get("judgement", "overall effectiveness")
    columns = []
    for title, results, message in (
        ("Graded good or outstanding", payload["results"], (payload.get("messages") or [None, None])[0]),
        ("Graded requires improvement or inadequate", payload.get("poor", []),
         (payload.get("messages") or [None, None])[1]),
    ):
        body = "".join(card_html(r, show_rank=False) for r in results) or notice_html(
            message or "No report graded so matches this question and these filters.", "warn")
        columns.append(f'<div><h3 class="oq-contrast-head">{title} for {html.escape(judgement)}</h3>{body}</div>')
    read_as = payload.get("interpretation")
    read_as = f" Question read as: {html.escape(read_as)}." if read_as else ""
    summary = (f'<p class="oq-summary">What good looks like for <q>{html.escape(payload["query"])}</q>: '
               f"passages from reports graded well on {html.escape(judgement)}, beside passages from reports "
               f"graded less well; every passage is quoted verbatim from its report.{read_as}</p>")
    return f'<div class="oq-results">{summary}<div class="oq-contrast">{"".join(columns)}</div></div>'


def _report_heading(result: dict) -> str:
    c = result["citation"]
    date = f"published {c['published']}" if c.get("published") else (
        f"inspected {c['inspection_start']}" if c.get("inspection_start") else "date unknown")
    link = ""
    if result.get("pdf_link"):
        link = (f' <a class="oq-pdf" href="/pdf/{int(result["doc_id"])}" target="_blank" rel="noopener">'
                "open the report</a>")
    authority = c["local_authority"] or "Unknown authority"
    return (f'<h3 class="oq-group-head"><span>{html.escape(authority)}</span> '
            f'<span class="oq-group-meta">{html.escape(c["report_type_label"])} · {html.escape(date)}</span> '
            f"{_grade_badge(c.get('overall_grade'))}{link}</h3>")


def render_by_report(payload: dict) -> str:
    if not payload["results"]:
        return notice_html(payload.get("message") or "Nothing matched.", "warn" if payload["ok"] else "error")
    groups: dict[int, list[dict]] = {}
    for result in payload["results"]:
        groups.setdefault(int(result["doc_id"]), []).append(result)
    sections = "".join(
        f'<section class="oq-group">{_report_heading(items[0])}'
        + "".join(card_html(r, heading="location") for r in items) + "</section>"
        for items in groups.values()
    )
    n, plural = len(groups), "s" if len(groups) != 1 else ""
    head = (f'<p class="oq-summary">{len(payload["results"])} passages from {n} report{plural} '
            f"for <q>{html.escape(payload['query'])}</q>, grouped by report (best report first).</p>")
    return f'<div class="oq-results">{head}{sections}</div>'


# -- export --------------------------------------------------------------------------------------

CSV_COLUMNS = ("rank", "authority", "report_type", "published", "inspection_start", "overall_grade", "pages",
               "paragraphs", "section", "file", "page_link", "ofsted_url", "citation", "highlighted", "passage")


def _spreadsheet_safe(value: str) -> str:
    """Text that a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _absolute(link: str | None, base_url: str) -> str:
    if not link:
        return ""
    return base_url.rstrip("/") + link if base_url else link


def csv_text(results: list[dict], base_url: str = "") -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in results:
        c = r["citation"]
        row = (
            r["rank"], c["local_authority"] or "", c["report_type_label"], c.get("published") or "",
            c.get("inspection_start") or "", c.get("overall_grade") or "", r["pages_label"],
            r["paragraphs_label"], c.get("section") or "", c["file"], _absolute(r.get("pdf_link"), base_url),
            r.get("ofsted_url") or "", r["citation_line"], " … ".join(r.get("highlighted_text") or []), r["text"],
        )
        writer.writerow([_spreadsheet_safe(str(v)) for v in row])
    return out.getvalue()


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_passage(text: str, highlights: Sequence[Sequence[int]]) -> str:
    out, position = [], 0
    for a, b in sorted((int(a), int(b)) for a, b in highlights):
        a, b = max(a, position), min(b, len(text))
        if a >= b:
            continue
        out.append(_md(text[position:a]))
        out.append(f"**{_md(text[a:b]).strip()}**")
        position = b
    out.append(_md(text[position:]))
    return "\n".join("> " + line for line in "".join(out).split("\n"))


def markdown_text(query: str, results: list[dict], view: str = VIEW_RANKED, base_url: str = "") -> str:
    lines = [f"# Ofsted report passages: {_md(query)}", "",
             f"{view}, exported {time.strftime('%Y-%m-%d %H:%M')} from ofsted-qa. Passages are quoted "
             "verbatim from the reports; **bold** marks the sentences that answer the question.", ""]
    for r in results:
        c = r["citation"]
        lines.append(f"## {r['rank']}. {_md(c['local_authority'] or 'Unknown authority')}, "
                     f"{_md(c['report_type_label'])}")
        lines += ["", _md_passage(r["text"], r["highlights"]), ""]
        cite = f"Source: {_md(r['citation_line'])} (`{c['file'].replace('`', '')}`, page {c['page_start']})"
        link = _absolute(r.get("pdf_link"), base_url)
        if link:
            cite += f" [open the report at page {c['page_start']}]({link})"
        if r.get("ofsted_url"):
            cite += f" · [Ofsted's published copy]({r['ofsted_url']})"
        if r.get("duplicates"):
            cite += f"; also in {r['duplicates']} other report(s)"
        lines += [cite, ""]
    return "\n".join(lines)


class ExportDir:
    """Per-process folder for export files; each export gets its own subfolder, old ones are removed."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="ofsted-qa-exports-"))

    def write(self, name: str, text: str) -> str:
        self._prune()
        folder = self.root / uuid.uuid4().hex
        folder.mkdir()
        path = folder / name
        # A byte-order mark tells Excel the CSV is UTF-8 (else curly quotes and accents show garbled).
        path.write_text(text, encoding="utf-8-sig" if name.endswith(".csv") else "utf-8")
        return str(path)

    def _prune(self) -> None:
        cutoff = time.time() - EXPORT_MAX_AGE
        for folder in self.root.iterdir():
            try:
                if folder.stat().st_mtime < cutoff:
                    shutil.rmtree(folder, ignore_errors=True)
            except FileNotFoundError:
                continue


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
             "grade": d.overall_grade or "none", "date": d.published or d.inspection_start or "",
             "passages": passages[d.id]} for d in docs.values()]
    frame = pd.DataFrame(rows, columns=["authority", "year", "type", "grade", "date", "passages"])
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
        latest = group.sort_values("date").iloc[-1]
        rows.append([name, len(group), int(group["passages"].sum()), latest["date"],
                     latest["grade"].capitalize() if latest["grade"] != "none" else ""])
    return pd.DataFrame(rows, columns=columns).sort_values("Authority", key=lambda s: s.str.lower())


def grade_chart_html(grades: pd.DataFrame) -> str:
    """Stacked bars of overall grades per year, as plain HTML/CSS (no script, nothing fetched)."""
    if not len(grades):
        return notice_html("No reports yet, so no chart.", "info")
    order = [*GRADES, "none"]
    totals = grades.groupby("year")["reports"].sum()
    tallest = max(int(totals.max()), 1)
    bars = []
    for year in sorted(totals.index):
        part = grades[grades["year"] == year].set_index("grade")["reports"]
        total = int(totals[year])
        segments = "".join(
            f'<div class="oq-seg" style="flex:{int(part[g])};background:{GRADE_COLOURS[g]}" '
            f'title="{html.escape(year)}: {int(part[g])} {"no grade" if g == "none" else g}"></div>'
            for g in order if g in part.index
        )
        bars.append(f'<div class="oq-bar"><div class="oq-bar-total">{total}</div>'
                    f'<div class="oq-bar-stack" style="height:{160 * total / tallest:.0f}px">{segments}</div>'
                    f'<div class="oq-bar-label">{html.escape(year)}</div></div>')
    legend = "".join(
        f'<span><i style="background:{GRADE_COLOURS[g]}"></i>{"no grade" if g == "none" else g}</span>'
        for g in order)
    return (f'<figure class="oq-chart"><figcaption>Overall effectiveness of the reports in the index, '
            f'by year</figcaption><div class="oq-bars">{"".join(bars)}</div>'
            f'<div class="oq-legend">{legend}</div></figure>')


# -- the Blocks ----------------------------------------------------------------------------------

# The page's style sheet and scripts live beside this module (kept out of Python strings).
CSS = (Path(__file__).resolve().parent / "ui.css").read_text(encoding="utf-8")
PUSH_LINK_JS = (Path(__file__).resolve().parent / "ui_link.js").read_text(encoding="utf-8")
# The browser's Back button returns to the previous search: the page reloads from its address.
ON_LOAD_JS = "() => { window.addEventListener('popstate', () => window.location.reload()); }"
# Page-address parameters of a shared search: name -> whether it repeats.
LINK_PARAMETERS = {"q": False, "authority": True, "from": False, "to": False, "type": True, "grade": True,
                   "k": False, "judgement": False, "judged": True, "latest": False, "region": False,
                   "neighbours": False, "view": False}


def _theme() -> gr.themes.Base:
    """Gradio's default look with fonts Gradio serves itself, falling back to system fonts."""
    return gr.themes.Default(
        primary_hue="blue",
        font=(gr.themes.LocalFont("Source Sans Pro", weights=(400, 600, 700)), "ui-sans-serif", "system-ui",
              "sans-serif"),
        font_mono=(gr.themes.LocalFont("IBM Plex Mono"), "ui-monospace", "monospace"),
    )


def _header_markdown(summary: str) -> str:
    return ("# Ofsted children's services reports\n"
            "Ask a question about inspections of local authority children's services. Answers are passages "
            "quoted verbatim from the reports, each cited by authority, report, date, page and paragraph.  \n"
            f"Index: {summary}.")


def _choices(index: ReportIndex | None) -> tuple[list[str], list[str]]:
    if not _has_documents(index):
        return [], []
    years = sorted({_doc_year(d) for d in index.searcher.documents().values()} - {"unknown"})
    return index.searcher.authorities(), years


class _App:
    """The callbacks; they share one index (and so one model) across all sessions."""

    def __init__(self, index: ReportIndex | None, index_dir: Path | str | None) -> None:
        self.index = index
        self.index_dir = index_dir or (index.directory if index is not None else None)
        self.exports = ExportDir()
        self._corpus_lock = threading.Lock()
        self._corpus_key: tuple[int, ...] | None = None
        self._corpus: CorpusTables | None = None

    def search(self, question: str, authorities: list[str] | None, year_from: Any, year_to: Any,
               report_types: list[str] | None, grades: list[str] | None, k: Any, judgement: str | None = None,
               judgement_grades: list[str] | None = None, latest: bool = False, region: str | None = None,
               neighbours_of: str | None = None) -> dict:
        """Cited passages answering the question, as JSON (the `search` API endpoint).

        judgement / judgement_grades: grades on one of the five judgements; latest: each authority's
        newest report only; region; neighbours_of: an authority and its statistical neighbours.
        """
        more = dict(zip(MORE_FILTERS, (judgement, judgement_grades, latest, region, neighbours_of), strict=True))
        return run_search(self.index, question, authorities, year_from, year_to, report_types, grades, k,
                          index_dir=self.index_dir, more=more)

    def show(self, payload: dict | None, view: str, authorities: list[str] | None, year_from: Any,
             year_to: Any, report_types: list[str] | None, grades: list[str] | None, judgement: str | None = None,
             judgement_grades: list[str] | None = None, latest: bool = False, region: str | None = None,
             neighbours_of: str | None = None, request: gr.Request = None) -> tuple[str, Any, Any]:
        """Render the results in the chosen view and write the export files of what is shown."""
        if not payload:
            return "", _no_download("CSV"), _no_download("Markdown")
        more = dict(zip(MORE_FILTERS, (judgement, judgement_grades, latest, region, neighbours_of), strict=True))
        if view == VIEW_COMPARE and payload.get("ok"):
            payload = compare_search(self.index, payload["query"], authorities, year_from, year_to,
                                     report_types, grades, more=more)
        if view == VIEW_CONTRAST and payload.get("ok"):
            contrast = contrast_payload(self.index, payload["query"], authorities, year_from, year_to,
                                        report_types, grades, len(payload["results"]) or DEFAULT_K, more=more)
            page = render_contrast(contrast)
            # The exports hold both sides, the good side first.
            payload = {**contrast, "results": contrast["results"] + contrast.get("poor", [])}
        else:
            renderer = {VIEW_COMPARE: render_compare, VIEW_BY_REPORT: render_by_report}.get(view, render_ranked)
            page = renderer(payload)
        if not payload["results"]:
            return page, _no_download("CSV"), _no_download("Markdown")
        base = _base_url(request)
        csv_path = self.exports.write("ofsted-qa-results.csv", csv_text(payload["results"], base))
        md_path = self.exports.write("ofsted-qa-results.md",
                                     markdown_text(payload["query"], payload["results"], view, base))
        return (page, gr.DownloadButton("Download CSV", value=csv_path, interactive=True),
                gr.DownloadButton("Download Markdown", value=md_path, interactive=True))

    def search_api(self, question: str, authorities: list[str] | None = None, year_from: str | int | None = None,
                   year_to: str | int | None = None, report_types: list[str] | None = None,
                   grades: list[str] | None = None, k: int | str = DEFAULT_K) -> dict:
        """`/search`: cited passages answering the question, as JSON; every mistake is
        {"ok": false, "message": ...}. Filters: authorities, a year range, report types, overall grades."""
        return self.search(question, authorities, year_from, year_to, report_types, grades, k)

    def search_filtered_api(self, question: str, authorities: list[str] | None = None,
                            year_from: str | int | None = None, year_to: str | int | None = None,
                            report_types: list[str] | None = None, grades: list[str] | None = None,
                            k: int | str = DEFAULT_K, judgement: str | None = None,
                            judgement_grades: list[str] | None = None, latest: bool = False,
                            region: str | None = None, neighbours_of: str | None = None) -> dict:
        """`/search_filtered`: `/search` with the judgement, latest-only, region and neighbours filters."""
        return self.search(question, authorities, year_from, year_to, report_types, grades, k, judgement,
                           judgement_grades, latest, region, neighbours_of)

    def contrast_api(self, question: str, authorities: list[str] | None = None,
                     year_from: str | int | None = None, year_to: str | int | None = None,
                     report_types: list[str] | None = None, k: int | str = DEFAULT_K) -> dict:
        """`/contrast` ("what good looks like"): passages from reports graded good or outstanding on the
        judgement the question is about ("results"), and from reports graded requires improvement or
        inadequate ("poor"); "judgement" names it."""
        return contrast_payload(self.index, question, authorities, year_from, year_to, report_types, None, k)

    def from_link(self, request: gr.Request) -> tuple[Any, ...]:
        """The search kept in the page address (a shared link, or Back): the filter values to show,
        the view, and a note on any parameter not understood."""
        params = getattr(request, "query_params", None) if request is not None else None
        values: dict[str, list[str]] = {}
        unknown: list[str] = []
        for key, value in (params.multi_items() if params is not None else []):
            if key in LINK_PARAMETERS:
                values.setdefault(key, []).append(value)
            elif key not in ("__theme", "view_api"):
                unknown.append(key)

        if not values and not unknown:  # a plain visit: leave alone whatever the user has started typing
            return tuple(gr.skip() for _ in range(len(LINK_PARAMETERS) + 1))

        def one(key: str) -> str | None:
            return values[key][0] if values.get(key) else None

        view = one("view") if one("view") in VIEWS else VIEW_RANKED
        if one("view") and one("view") not in VIEWS:
            unknown.append(f"view={one('view')}")
        try:
            k = min(MAX_UI_K, max(1, int(one("k") or DEFAULT_K)))
        except ValueError:
            unknown.append(f"k={one('k')}")
            k = DEFAULT_K
        note = ""
        if unknown:
            note = notice_html("This link has parameters the app does not know, ignored: " + ", ".join(unknown),
                               "warn")
        return (one("q") or "", values.get("authority", []), one("from"), one("to"), values.get("type", []),
                values.get("grade", []), k, one("judgement"), values.get("judged", []),
                one("latest") in ("1", "true", "yes"), one("region"), one("neighbours"), view, note)

    def search_from_link(self, question: str, *rest: Any) -> Any:
        """The linked search, run as the Search button would; nothing when the link has no question."""
        if not (question or "").strip():
            return gr.skip()
        return self.search(question, *rest)

    def show_linked(self, payload: dict | None, view: str, authorities: list[str] | None, year_from: Any,
                    year_to: Any, report_types: list[str] | None, grades: list[str] | None,
                    judgement: str | None = None, judgement_grades: list[str] | None = None, latest: bool = False,
                    region: str | None = None, neighbours_of: str | None = None,
                    request: gr.Request = None) -> tuple[Any, ...]:
        """`show` for a linked search; nothing changes on a plain visit (no payload yet)."""
        if not payload:
            return gr.skip(), gr.skip(), gr.skip()
        return self.show(payload, view, authorities, year_from, year_to, report_types, grades, judgement,
                         judgement_grades, latest, region, neighbours_of, request=request)

    def authority(self, name: str | None) -> str:
        """One authority's page (app/authority_page.py), or a message."""
        if not name:
            return ""
        if not _has_documents(self.index):
            return notice_html(ingest_help(self.index_dir), "info")
        try:
            return render_authority(authority_profile(self.index, name))
        except ValueError as exc:
            return notice_html(str(exc), "error")

    def corpus(self) -> CorpusTables:
        docs = self.index.searcher.documents() if self.index is not None else {}
        key = tuple(sorted(docs))
        with self._corpus_lock:
            if self._corpus is None or key != self._corpus_key:
                self._corpus, self._corpus_key = corpus_tables(self.index), key
            return self._corpus

    def _summary(self, tables: CorpusTables) -> str:
        return tables.summary if _has_documents(self.index) else "no reports yet"

    def on_load(self) -> tuple[Any, ...]:
        """Fresh filter choices and corpus tables for each page load (the index may have grown)."""
        if self.index is not None:
            self.index.reload_if_changed()
        authorities, years = _choices(self.index)
        tables = self.corpus()
        return (gr.Dropdown(choices=authorities), gr.Dropdown(choices=years), gr.Dropdown(choices=years),
                _header_markdown(self._summary(tables)), tables.by_authority, tables.by_year,
                tables.by_type, grade_chart_html(tables.grades), f"**{tables.summary}.**", tables.reports)


def _no_download(what: str) -> Any:
    return gr.DownloadButton(f"Download {what}", value=None, interactive=False)


def _base_url(request: gr.Request | None) -> str:
    if request is None:
        return ""
    headers = getattr(request, "headers", None) or {}
    host = headers.get("x-forwarded-host") or headers.get("host")
    if not host:
        return ""
    scheme = headers.get("x-forwarded-proto") or "http"
    return f"{scheme}://{host}"


def build_app(index: ReportIndex | None, index_dir: Path | str | None = None) -> gr.Blocks:
    """The Gradio UI over `index` (None: no index yet, and the page says how to build one)."""
    app = _App(index, index_dir)
    authorities, years = _choices(index)
    empty = not _has_documents(index)
    with gr.Blocks(title="Ofsted reports search", analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
        header = gr.Markdown(_header_markdown(app._summary(app.corpus())), elem_id="oq-title")
        gr.HTML(notice_html(ingest_help(app.index_dir), "info") if empty else "", visible=empty,
                elem_id="oq-empty", js_on_load=None)
        with gr.Tab("Search", id="search"):
            with gr.Row(equal_height=True):
                question = gr.Textbox(label="Question", placeholder=EXAMPLES[0], scale=5, autofocus=True,
                                      elem_id="oq-question", submit_btn=False)
                search_btn = gr.Button("Search", variant="primary", scale=1, elem_id="oq-search-btn")
            examples = gr.Examples([[q] for q in EXAMPLES], inputs=[question], label="Example questions")
            with gr.Accordion("Filters", open=True):
                with gr.Row():
                    authority = gr.Dropdown(authorities, value=[], multiselect=True, filterable=True,
                                            allow_custom_value=True, label="Local authority",
                                            info="Type to search; pick one or more", scale=3,
                                            elem_id="oq-authority")
                    year_from = gr.Dropdown(years, value=None, allow_custom_value=True, label="From year",
                                            scale=1, elem_id="oq-year-from")
                    year_to = gr.Dropdown(years, value=None, allow_custom_value=True, label="To year",
                                          scale=1, elem_id="oq-year-to")
                with gr.Row():
                    report_type = gr.Dropdown(REPORT_TYPE_CHOICES, value=[], multiselect=True,
                                              allow_custom_value=True, label="Report type", scale=2,
                                              elem_id="oq-type")
                    grade = gr.Dropdown(GRADE_CHOICES, value=[], multiselect=True, allow_custom_value=True,
                                        label="Overall grade", info="e.g. only reports judged inadequate",
                                        scale=2, elem_id="oq-grade")
                    k = gr.Slider(1, MAX_UI_K, value=DEFAULT_K, step=1, label="Number of results", scale=1,
                                  elem_id="oq-k")
                with gr.Row():
                    judgement = gr.Dropdown(JUDGEMENT_CHOICES, value=None, label="Judgement",
                                            info="grade on one judgement", scale=2, elem_id="oq-judgement")
                    judgement_grades = gr.Dropdown(GRADE_CHOICES, value=[], multiselect=True,
                                                   label="graded", scale=2, elem_id="oq-judgement-grade")
                    latest = gr.Checkbox(False, label="Latest report of each authority only", scale=1,
                                         elem_id="oq-latest")
                with gr.Row():
                    region = gr.Dropdown(REGION_CHOICES, value=None, label="Region", scale=2,
                                         elem_id="oq-region")
                    neighbours_of = gr.Dropdown(NEIGHBOUR_CHOICES, value=None, filterable=True,
                                                label="Statistical neighbours of", scale=2,
                                                info="that authority and its ten neighbours", elem_id="oq-neighbours")
            with gr.Row(equal_height=False, elem_id="oq-toolbar"):
                view = gr.Radio(list(VIEWS), value=VIEW_RANKED, label="Show", scale=3, elem_id="oq-view",
                                info="Compare authorities: the best passage from each council, side by side")
                with gr.Column(scale=1, min_width=220, elem_id="oq-export"):
                    csv_btn = gr.DownloadButton("Download CSV", interactive=False, size="sm",
                                                elem_id="oq-csv")
                    md_btn = gr.DownloadButton("Download Markdown", interactive=False, size="sm",
                                               elem_id="oq-md")
            link_note = gr.HTML("", elem_id="oq-link-note", js_on_load=None)
            results = gr.HTML("", elem_id="oq-results", js_on_load=None, min_height=60)
            payload = gr.JSON(visible=False)
            packs = PacksPage(app.index_dir, app.exports.root)
            packs.build_pin(payload)
        packs.build_tab()
        with gr.Tab("Authority", id="authority", elem_id="oq-authority-tab"):
            authority_pick = gr.Dropdown(NEIGHBOUR_CHOICES, value=None, filterable=True, label="Local authority",
                                         info="every report on a timeline, and its statistical neighbours",
                                         elem_id="oq-authority-pick")
            authority_page = gr.HTML("", elem_id="oq-authority-page", js_on_load=None)
        with gr.Tab("Corpus", id="corpus", elem_id="oq-corpus"):
            corpus_summary = gr.Markdown("")
            chart = gr.HTML("", js_on_load=None, elem_id="oq-chart")
            with gr.Row():
                by_year = gr.Dataframe(label="Reports and passages per year", interactive=False,
                                       elem_classes="oq-table")
                by_type = gr.Dataframe(label="Reports and passages per report type", interactive=False,
                                       elem_classes="oq-table")
            by_authority = gr.Dataframe(label="Reports and passages per local authority", interactive=False,
                                        show_search="search", max_height=520, elem_classes="oq-table")
            report_list = gr.Dataframe(label="Every report (type to search; open it here or at Ofsted)",
                                       interactive=False, show_search="search", max_height=620,
                                       datatype=["str"] * 8 + ["markdown"], elem_classes="oq-table",
                                       elem_id="oq-report-list")

        filters = [authority, year_from, year_to, report_type, grade]
        more_filters = [judgement, judgement_grades, latest, region, neighbours_of]
        show_inputs = [payload, view, *filters, *more_filters]
        show_outputs = [results, csv_btn, md_btn]
        # preprocess=False: the raw values reach run_search, which validates them all with one kind of message
        search_inputs = [question, *filters, k, *more_filters]
        link_inputs = [question, authority, year_from, year_to, report_type, grade, k, *more_filters, view]
        # The page's own search is private; the API is two stable endpoints below (the first keeps the
        # seven parameters that clients written before the judgement filters send).
        gr.on([search_btn.click, question.submit], app.search, search_inputs, payload, api_name="page_search",
              api_visibility="private", show_progress_on=results, preprocess=False).then(
            app.show, show_inputs, show_outputs, api_visibility="private").then(
            None, link_inputs, None, js=PUSH_LINK_JS, api_visibility="private")
        examples.load_input_event.then(
            app.search, search_inputs, payload, api_name="example_search", api_visibility="private",
            show_progress_on=results,
            preprocess=False,
        ).then(app.show, show_inputs, show_outputs, api_visibility="private")
        view.change(app.show, show_inputs, show_outputs, api_visibility="private").then(
            None, link_inputs, None, js=PUSH_LINK_JS, api_visibility="private")
        demo.load(app.from_link, None, [*link_inputs, link_note], api_visibility="private").then(
            app.search_from_link, search_inputs, payload, api_visibility="private", show_progress_on=results,
            preprocess=False).then(app.show_linked, show_inputs, show_outputs, api_visibility="private")
        authority_pick.change(app.authority, authority_pick, authority_page, api_visibility="private")
        gr.api(app.search_api, api_name="search")
        gr.api(app.search_filtered_api, api_name="search_filtered")
        gr.api(app.contrast_api, api_name="contrast")
        demo.load(app.on_load, None, [authority, year_from, year_to, header, by_authority, by_year, by_type,
                                      chart, corpus_summary, report_list], api_visibility="private")
    demo.queue(default_concurrency_limit=CONCURRENCY)
    return demo


# -- the server ----------------------------------------------------------------------------------

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def basic_auth_header(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


class BasicAuthMiddleware:
    """HTTP Basic in front of every route (pure ASGI, so Gradio's streaming responses are untouched)."""

    def __init__(self, app: Any, user: str, password: str, realm: str = "ofsted-qa") -> None:
        self.app = app
        self.user = user.encode()
        self.password = password.encode()
        self.realm = realm

    def _allowed(self, scope: Scope) -> bool:
        header = dict(scope.get("headers") or []).get(b"authorization", b"")
        scheme, _, value = header.partition(b" ")
        if scheme.lower() != b"basic":
            return False
        try:
            user, _, password = base64.b64decode(value.strip(), validate=True).partition(b":")
        except (binascii.Error, ValueError):
            return False
        return secrets.compare_digest(user, self.user) & secrets.compare_digest(password, self.password)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self._allowed(scope):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        response = PlainTextResponse(
            "login required", status_code=401,
            headers={"WWW-Authenticate": f'Basic realm="{self.realm}", charset="UTF-8"'},
        )
        await response(scope, receive, send)


def _pdf_path(index: ReportIndex | None, doc_id: str) -> Path | None:
    """The file of an indexed document; the request only ever picks a document id, never a path."""
    # ASCII digits only: str.isdigit() also accepts "²" and "９", which int() then rejects or reads as 9.
    if index is None or not (doc_id.isascii() and doc_id.isdigit()) or len(doc_id) > 12:
        return None
    docs = index.searcher.documents()
    doc = docs.get(int(doc_id))
    if doc is None and index.reload_if_changed():
        doc = index.searcher.documents().get(int(doc_id))
    for path in (doc.paths if doc else []):
        candidate = Path(path)
        if candidate.is_file():
            return candidate
    return None


PDF_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"}


def create_app(index: ReportIndex | None, auth: tuple[str, str] | None = None,
               index_dir: Path | str | None = None) -> FastAPI:
    """FastAPI with `/pdf/{doc_id}` and the Gradio UI at `/`; with `auth`, HTTP Basic guards all of it."""
    api = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    not_found = PlainTextResponse("no such report", status_code=404)

    @api.get("/pdf/{doc_id}")
    def pdf(doc_id: str) -> Response:
        path = _pdf_path(index, doc_id)
        if path is None:
            return not_found
        return FileResponse(path, media_type="application/pdf", filename=path.name,
                            content_disposition_type="inline", headers=PDF_HEADERS)

    @api.get("/pdf/{anything:path}")
    def pdf_other(anything: str) -> Response:
        return not_found

    if auth is not None:
        api.add_middleware(BasicAuthMiddleware, user=auth[0], password=auth[1])
    demo = build_app(index, index_dir)
    return gr.mount_gradio_app(
        api, demo, path="/", footer_links=["api", "settings"], run_history=False, ssr_mode=False,
        mcp_server=False, show_error=True, theme=_theme(), css=CSS, js=ON_LOAD_JS,
    )


def load_index(index_dir: Path | str) -> ReportIndex | None:
    """The index, read-only, with its model loaded once; None when there is no index there yet."""
    directory = Path(index_dir)
    if not (directory / DB_NAME).exists():
        return None
    # The server only embeds questions: the numpy forward pass of the same model answers them as
    # fast as torch does, without torch's import time and memory (docs/PERFORMANCE.md).
    try:
        index = ReportIndex.load(directory, embedder=load_embedder(queries_only=True), read_only=True)
    except IndexNotFoundError:
        return None
    index.searcher.warm()
    return index


def serve(index_dir: Path | str, host: str = "127.0.0.1", port: int = 7860,
          auth: tuple[str, str] | None = None) -> int:
    """Load the index once, build the app and serve it with uvicorn until stopped (Ctrl-C)."""
    import uvicorn

    try:
        index = load_index(index_dir)
    except IndexMismatchError as exc:
        print(f"ofsted-qa: {exc}", file=sys.stderr)
        return 2
    if index is None:
        print(f"ofsted-qa: {ingest_help(index_dir).replace('`', '')}", file=sys.stderr)
    app = create_app(index, auth=auth, index_dir=index_dir)
    shown = f"[{host}]" if ":" in host else host
    print(f"ofsted-qa: serving on http://{shown}:{port}/" + (" (login required)" if auth else ""),
          file=sys.stderr)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        if index is not None:
            index.close()
    return 0
