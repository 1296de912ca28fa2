"""Scope: the filters and the question's plan become the reports it may be answered from (`Scope`).

The filters narrow first; then what the question's own words ask for narrows the reports where
no filter already chose (authorities, a region or area, statistical neighbours, a year range,
grades, the latest report of each council), on clear evidence only (index/reading/). Weaker
evidence favours: named years, a council's latest report when no period is named, a grade said
with a council and a year. The reports every favouring keeps are searched again on their own
(retrieve.py) and fused in; "what needs to improve" favours the recommendations sections so. Each
part is said in the user's terms (the notes become the response's interpretation) and given as
data (`Reading`); a kind in SearchFilters.ignore_reading is not applied and comes back "ignored".

Settings read: latest_default_weight.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Collection

import numpy as np

from index.query import QueryPlan
from index.search.corpus import CorpusView
from index.search.filters import READING_KINDS, QueryError, SearchFilters
from index.search.report_table import ReportTable
from index.search.types import Context, Question, Reading, Scope, Stop
from index.settings import YEAR_RANGE
from index.store import DocumentRow


def scope(context: Context, question: Question) -> Scope:
    """The reports this question may be answered from, and what its words did, as notes and Readings.

    Args:
        context: this query's settings and index.
        question: the question as read (its filters and plan; a plan's `ignored` parts, undone by
            SearchFilters.ignore_reading, come back as Readings of effect "ignored").

    Returns:
        The Scope: allowed reports (None: all), the favoured reports (searched again alone), the
        section kind (and a favoured one), notes, and a Reading for each part of the question's
        reading that narrowed, favoured, corrected, asked or was ignored.

    Raises:
        QueryError: an authority filter that names no indexed report (with close names).
        Stop: no report matches the filters, or the question names authorities the index lacks,
            or nothing is left once the question's own words narrowed the reports.
    """
    corpus, filters, plan = context.corpus, question.filters, question.plan
    allowed = allowed_documents(corpus, filters)
    if allowed is not None and not allowed:
        raise Stop("no report in the index matches these filters; remove some")
    docs = corpus.documents()
    if plan.absent and not plan.authorities and not filters.authorities:
        names = ", ".join(a.name for a in plan.absent)
        close = close_indexed(corpus, plan.absent)
        hint = f"; the closest in this index: {', '.join(close)}" if close else ""
        verb = "is" if len(plan.absent) == 1 else "are"
        raise Stop(f"{names} {verb} not in this index{hint}", interpretation=f"only {names}")
    pool = allowed if allowed is not None else list(docs)
    readings: list[Reading] = []
    narrowed = pool
    favours: list[tuple[Reading, set[int]]] = []  # each favouring and the reports it favours
    place_chosen = bool(filters.authorities or filters.region or filters.neighbours_of)
    for kind, effect, label, values in plan.parts():
        reading = Reading(kind, effect, label, values)
        if effect in ("corrected", "asked"):
            readings.append(reading)
            continue
        keep = _reports_read(plan, kind, effect, narrowed if effect == "narrowed" else pool, corpus, filters,
                             place_chosen)
        if keep is None:  # a filter already chose this
            continue
        if effect == "narrowed":
            narrowed = [d for d in narrowed if d in keep]
        else:
            favours.append((reading, keep))
            continue
        readings.append(reading)
    if narrowed != pool:
        if not narrowed:
            said = [r.label for r in readings if r.effect == "narrowed"]
            raise Stop("no report in the index is " + "; ".join(said) + " (as the question reads)",
                       interpretation="; ".join(said) or None)
        allowed = narrowed
    favoured, kept = _favoured(allowed if allowed is not None else list(docs), favours)
    readings += kept
    readings += [Reading(kind, "ignored", label, values) for kind, _, label, values in plan.ignored]
    readings.sort(key=lambda r: _ORDER.index(r.kind))
    notes = [r.label for r in readings if r.effect != "ignored"]
    if plan.earlier_grades:
        notes.append(" or ".join(plan.earlier_grades) + " read as the grade before (not narrowed)")
    if plan.absent:
        notes.append(", ".join(a.name for a in plan.absent) + " not in this index")
    if filters.section_kind == "recommendations":
        notes.append("recommendations only")
    favoured_kind = next((r.values[0] for r in readings if r.kind == "section" and r.effect == "favoured"), None)
    # Favoured by default alone (the latest report, nothing the question said): a lighter hand.
    by_default = all(r.kind == "latest" for r in kept if r.kind != "section")
    return Scope(
        allowed=None if allowed is None else tuple(allowed),
        favoured=None if favoured is None else tuple(favoured),
        kind=filters.section_kind, notes=tuple(notes), readings=tuple(readings), favoured_kind=favoured_kind,
        favour_weight=context.settings.latest_default_weight if favoured is not None and by_default else 1.0,
    )


_ORDER = list(READING_KINDS)


def _reports_read(
    plan: QueryPlan, kind: str, effect: str, pool: list[int], corpus: CorpusView, filters: SearchFilters,
    place_chosen: bool,
) -> set[int] | None:
    """The reports of `pool` one part of the question's reading keeps (narrowed) or favours; None
    when the user's filters already chose that (their choice stands)."""
    table = corpus.report_table()

    def of_pool(mask: np.ndarray) -> set[int]:
        return set(table.ids_where(table.mask_of(pool) & mask))

    if kind == "authority":
        if place_chosen:
            return None
        keys = {a.key for a in (plan.authorities if effect == "narrowed" else plan.favoured_authorities)}
        return of_pool(table.of_authorities(keys))
    if kind == "region":
        if place_chosen:
            return None
        return of_pool(table.of_authorities({a.key for a in plan.authorities}))
    if kind == "neighbours":
        if place_chosen or plan.neighbours_of is None:
            return None
        home = plan.neighbours_of
        return of_pool(table.of_authorities({home.key, *(a.key for a in corpus.registry.neighbours(home.name))}))
    if kind == "year":
        if filters.year_from is not None:
            return None
        if effect == "narrowed":
            return of_pool(table.in_years(plan.year_from or YEAR_RANGE[0], plan.year_to or YEAR_RANGE[1]))
        return of_pool(np.logical_or.reduce([table.in_years(y) for y in plan.years], initial=False))
    if kind == "grade":
        if filters.grades or plan.grade_judgement in filters.judgement_grades:
            return None
        wanted = [(plan.grade_judgement, plan.grades), *((j, g) for j, g in plan.more_grades
                                                         if j not in filters.judgement_grades)]
        return of_pool(np.logical_and.reduce([_graded(table, j, grades) for j, grades in wanted], initial=True))
    if kind == "latest":
        if filters.latest_only:
            return None
        return set(table.latest_of_each(table.mask_of(pool)))
    if kind == "section":  # passages, not reports: retrieve.py favours the section kind
        return None if filters.section_kind else set(pool)
    return None


def _favoured(pool: list[int], favours: list[tuple[Reading, set[int]]]) -> tuple[list[int] | None, list[Reading]]:
    """The reports to search again alone and fuse in: those every favouring keeps, each applied in
    turn, and the favourings that changed something (one that would leave none, or keep every
    report, is not applied and not said)."""
    current = list(pool)
    kept: list[Reading] = []
    for reading, wanted in favours:
        if reading.kind == "section":
            kept.append(reading)
            continue
        narrower = [d for d in current if d in wanted]
        if narrower and len(narrower) < len(current):
            current = narrower
            kept.append(reading)
    return (current if len(current) < len(pool) else None), kept


def allowed_documents(corpus: CorpusView, filters: SearchFilters) -> list[int] | None:
    """Ids of the reports these filters allow (None: every report; a section kind narrows passages,
    not reports).

    Raises:
        QueryError: an authority filter that names no indexed report (with close names).
    """
    if dataclasses.replace(filters, section_kind=None).is_empty():
        return None
    table = corpus.report_table()
    known = table.keys if filters.authorities else set()
    typed = {a: authority_filter_key(corpus, a, known) for a in filters.authorities}
    keys = set(typed.values())
    if keys:
        unknown = [a for a, key in typed.items() if key not in known]
        if unknown and len(unknown) == len(filters.authorities):
            names = corpus.authorities()
            starting = [n for n in names if starts_a_word(n, unknown[0])]
            close = starting or difflib.get_close_matches(unknown[0], names, n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(close[:5])}?" if close else ""
            raise QueryError(f"no report in the index is from {unknown[0]!r}{hint}")
    places = place_keys(corpus, filters)
    allowed = np.ones(len(table), dtype=bool)
    if keys:
        allowed &= table.of_authorities(keys)
    if places is not None:
        allowed &= table.of_authorities(places)
    if filters.latest_only:
        allowed &= table.mask_of(list(corpus.latest_documents()))
    for judgement, grades in filters.judgement_grades.items():
        allowed &= _graded(table, judgement, grades)
    if filters.report_types:
        allowed &= table.where("report_type", lambda doc: doc.report_type, filters.report_types)
    if filters.grades:
        allowed &= table.where("overall_grade", lambda doc: doc.overall_grade or "", filters.grades)
    if filters.year_from is not None:
        allowed &= table.in_years(filters.year_from, filters.year_to)
    return table.ids_where(allowed)


def _graded(table: ReportTable, judgement: str, grades: Collection[str]) -> np.ndarray:
    """Rows of reports whose grade on this judgement is one of these (grade_of)."""
    return table.where(f"grade:{judgement}", lambda doc: grade_of(doc, judgement), grades)


def authority_filter_key(corpus: CorpusView, name: str, indexed: set[str]) -> str:
    """The key of an authority as typed in the filter: any of its names, or the beginning of one
    word of exactly one indexed authority's name ("worc" + Enter: Worcestershire). `indexed`: the
    index's authority keys."""
    key = corpus.authority_key(name)
    if key in indexed:
        return key
    starting = [n for n in corpus.authorities() if starts_a_word(n, name)]
    return corpus.authority_key(starting[0]) if len(starting) == 1 else key


def place_keys(corpus: CorpusView, filters: SearchFilters) -> set[str] | None:
    """Authority keys of the region and/or neighbourhood filters (None when neither is set)."""
    if filters.region is None and filters.neighbours_of is None:
        return None
    registry = corpus.registry
    keys: set[str] | None = None
    if filters.region is not None:
        keys = {a.key for a in registry.in_region(filters.region)}
    if filters.neighbours_of is not None:
        home = registry.resolve(filters.neighbours_of)
        near = {home.key, *(a.key for a in registry.neighbours(home.name))} if home else set()
        keys = near if keys is None else keys & near
    return keys


def close_indexed(corpus: CorpusView, absent: list) -> list[str]:
    """Indexed authorities with names like the absent ones', else their statistical neighbours."""
    names = corpus.authorities()
    close: list[str] = []
    for authority in absent:
        for name in difflib.get_close_matches(authority.name, names, n=3, cutoff=0.7):
            if name not in close:
                close.append(name)
    if not close:
        indexed = {d.authority_key for d in corpus.documents().values()}
        for authority in absent:
            for code in authority.neighbours:
                neighbour = corpus.registry.by_code(code)
                if neighbour is not None and neighbour.key in indexed and neighbour.name not in close:
                    close.append(neighbour.name)
        close = close[:3]
    return close


def grade_of(doc: DocumentRow, judgement: str) -> str | None:
    """The report's grade on one judgement (care leavers fall back to children in care, as older
    frameworks judged them together)."""
    if judgement == "overall_effectiveness":
        return doc.overall_grade or doc.judgements.get("overall_effectiveness")
    return doc.judgements.get(judgement) or (doc.judgements.get("in_care") if judgement == "care_leavers" else None)


def starts_a_word(name: str, typed: str) -> bool:
    """True when `typed` (three letters or more) begins one of the words of `name`, any case."""
    typed = " ".join(typed.lower().split())
    return len(typed) >= 3 and any(part.startswith(typed) for part in
                                   (name.lower()[m.start():] for m in re.finditer(r"\b\w", name)))


def year_matches(doc: DocumentRow, first: int, last: int | None) -> bool:
    """True when the report was published, or its inspection began or ended, in first..last."""
    last = first if last is None else last
    for value in (doc.published, doc.inspection_start, doc.inspection_end):
        if value and first <= int(value[:4]) <= last:
            return True
    return False
