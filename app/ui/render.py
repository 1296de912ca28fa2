"""HTML of results: passages with highlights, cited cards, the views (ranked, compare, by report, contrast)."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

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


def search_status(payload: dict | None) -> str:
    """One line beside the Search button saying what the search found, so it is seen to have run even
    when the results are below the fold."""
    if not payload:
        return ""
    results = payload.get("results") or []
    if not payload.get("ok"):
        line, kind = "Not searched: see the message below.", "error"
    elif not results:
        line, kind = "Nothing matched: see below.", "warn"
    elif all(r.get("below_floor") for r in results):
        line, kind = f"None answers closely: the {len(results)} closest are below.", "warn"
    else:
        line, kind = f"{len(results)} passage{'s' if len(results) != 1 else ''} below.", "ok"
    return f'<p class="oq-status oq-status-{kind}">{html.escape(line)}</p>'


def _nothing_html(payload: dict) -> str:
    """What a view shows for a search without results: its message, as a warning or an error."""
    return notice_html(payload.get("message") or "Nothing matched.", "warn" if payload["ok"] else "error")


def render_ranked(payload: dict) -> str:
    if not payload["results"]:
        return _nothing_html(payload)
    cards = "".join(card_html(r) for r in payload["results"])
    return f'<div class="oq-results">{_summary_html(payload, "passage", "passages")}{cards}</div>'


def render_compare(payload: dict) -> str:
    if not payload["results"]:
        return _nothing_html(payload)
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
        return _nothing_html(payload)
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


