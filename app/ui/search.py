"""Search for the page and the API: filters from the form, the one call into the index, payloads."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from app.ui.reading import parse_ignore, reading_data
from index.closeness import with_close_answer
from index.contrast import contrast_search
from index.report_index import ReportIndex
from index.search import FILTER_JUDGEMENTS, QueryError, SearchFilters, SearchResult
from index.settings import DEFAULT_K, MAX_K, YEAR_RANGE
from index.store import DocumentRow
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
COMPARE_CAPTION = f"Compare authorities: up to {PER_AUTHORITY} passages from each council, side by side"
MORE_FILTERS = ("judgement", "judgement_grades", "latest", "region", "neighbours_of", "recommendations")
# A question is cut to this many characters (and said so): a pasted page of text is no question, and the
# page address, which keeps the question, stays short enough to share.
QUESTION_MAX_CHARS = 500


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
    report_types: Any = None, grades: Any = None, more: dict | None = None, ignore_reading: Any = None,
) -> SearchFilters:
    """The UI's filter values as SearchFilters; QueryError (a readable message) when one is wrong.

    `more`: the judgement, latest-only, region, neighbours and recommendations-only filters, by the
    names of MORE_FILTERS. `ignore_reading`: kinds of the question's own reading not to apply
    (READING_KINDS, or "all"), as a list or the address's comma-separated text.
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
                               neighbours_of=more.get("neighbours_of") or None,
                               section_kind="recommendations" if more.get("recommendations") else None,
                               ignore_reading=parse_ignore(ignore_reading) or None)


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
    query: str, results: list[dict], message: str | None = None, ok: bool = True, interpretation: str | None = None,
    reading: list[dict] | None = None, ignore: list[str] | None = None,
) -> dict:
    """The JSON of a search. reading: what the question's words did (`reading_data`); ignore: the kinds of
    reading not applied, as asked."""
    return {"query": query, "ok": ok, "message": message, "results": results, "interpretation": interpretation,
            "reading": reading or [], "ignore": ignore or []}


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
    index_dir: Path | str | None = None, more: dict | None = None, ignore_reading: Any = None,
) -> dict:
    """Search and return JSON-able results; every user mistake becomes {"ok": False, "message": ...}.

    A question longer than QUESTION_MAX_CHARS is cut to that many characters, and the message says so.
    `ignore_reading`: kinds of the question's own reading not to apply (a removed chip); the payload's
    "reading" says what the question's words did, "ignore" what was not applied.
    """
    question = question if isinstance(question, str) else "" if question is None else str(question)
    question, cut = cut_question(question)
    if index is not None:
        index.reload_if_changed()
    if not _has_documents(index):
        where = index_dir or (index.directory if index is not None else None)
        return _payload(question, [], ingest_help(where), ok=False)
    try:
        filters = build_filters(authorities, year_from, year_to, report_types, grades, more, ignore_reading)
        response = with_close_answer(index.search(question, filters, k=_k(k)), index.searcher.settings,
                                     index.embedder.name)
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
    if cut:
        message = f"{cut} {message[:1].upper() + message[1:]}" if message else cut
    return _payload(response.query, results, message, interpretation=response.interpretation,
                    reading=reading_data(response.reading), ignore=parse_ignore(list(filters.ignore_reading)))


def cut_question(question: str) -> tuple[str, str | None]:
    """The question within QUESTION_MAX_CHARS, and a sentence saying so when it was cut (else None)."""
    if len(question) <= QUESTION_MAX_CHARS:
        return question, None
    return (question[:QUESTION_MAX_CHARS].rstrip(),
            f"The question had {len(question):,} characters: only its first {QUESTION_MAX_CHARS} were searched.")


def active_filters(authorities: Any = None, year_from: Any = None, year_to: Any = None, report_types: Any = None,
                   grades: Any = None, more: dict | None = None) -> int:
    """How many of the form's filters hold a value (the Filters header shows the count)."""
    more = more or {}
    values = (_as_list(authorities), _year_text(year_from), _year_text(year_to), _as_list(report_types),
              _as_list(grades), *(more.get(name) for name in MORE_FILTERS))
    return sum(1 for value in values if value)


def compare_search(
    index: ReportIndex | None, question: str, authorities: Any = None, year_from: Any = None,
    year_to: Any = None, report_types: Any = None, grades: Any = None,
    max_authorities: int = COMPARE_AUTHORITIES, more: dict | None = None, ignore_reading: Any = None,
) -> dict:
    """The best passages per authority (up to PER_AUTHORITY each): one wide search, grouped by
    authority in the order of each authority's best passage, ranks renumbered in that order.

    With an authority filter, a column per chosen authority (a narrow search fills any the wide one missed).
    """
    payload = run_search(index, question, authorities, year_from, year_to, report_types, grades, COMPARE_K,
                         more=more, ignore_reading=ignore_reading)
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
                                 PER_AUTHORITY, more=more, ignore_reading=ignore_reading)
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
    more: dict | None = None, ignore_reading: Any = None,
) -> dict:
    """The question from reports graded good or outstanding on the judgement it is about, beside
    reports graded requires improvement or inadequate (index/contrast.py), as one JSON-able payload:
    the good side's results in "results", the other side's in "poor", the judgement in "judgement"."""
    payload = run_search(index, question, authorities, year_from, year_to, report_types, grades, k, more=more,
                         ignore_reading=ignore_reading)
    if not payload["ok"]:
        return payload
    try:
        filters = build_filters(authorities, year_from, year_to, report_types, grades, more, ignore_reading)
        contrast = contrast_search(index.searcher, payload["query"], filters, _k(k))
    except QueryError as exc:
        return _payload(question, [], str(exc), ok=False)
    docs = index.searcher.documents()
    good = [result_dict(r, docs.get(r.doc_id)) for r in contrast.good.results]
    poor = [result_dict(r, docs.get(r.doc_id)) for r in contrast.poor.results]
    out = _payload(contrast.question, good, None, interpretation=contrast.good.interpretation,
                   reading=reading_data(contrast.good.reading), ignore=payload["ignore"])
    out.update(poor=poor, judgement=contrast.judgement_label,
               messages=[contrast.good.message, contrast.poor.message])
    return out


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.lower()).strip()


