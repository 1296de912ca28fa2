"""The sample index (tests/app/ui/test_page.py) with a search that reads the question as the contract says
(index.search.types.Reading), for testing how the app and the CLI show and undo a reading before the
searcher produces readings itself: every search is narrowed to Wessex unless "authority" (or "all") is
ignored, and gives READ, each reading of an ignored kind turned "ignored"."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from index.report_index import ReportIndex
from index.search.types import Reading
from tests.app.ui.test_page import build_sample_index

QUESTION = "care leavers and personal advisers"  # names no council: the wrapper does the narrowing
READ = (Reading("authority", "narrowed", "only Wessex", ("Wessex",)),
        Reading("year", "favoured", "favouring 2015", ("2015",)),
        Reading("spelling", "corrected", "leavres read as leavers", ("leavers",)))


def reading_sample_index(directory: Path, seen: list | None = None) -> ReportIndex:
    """The sample index, opened read-only, its `search` reading as above; `index.seen` (or `seen`, when
    given) lists the filters of every search, in order."""
    index, _ = build_sample_index(directory)
    search = index.search
    seen = [] if seen is None else seen

    def reading_search(question, filters, **kwargs):
        seen.append(filters)
        ignored = filters.ignore_reading
        if "authority" not in ignored and "all" not in ignored and not filters.authorities:
            filters = dataclasses.replace(filters, authorities=["Wessex"])
        response = search(question, filters, **kwargs)
        reading = tuple(dataclasses.replace(r, effect="ignored") if r.kind in ignored or "all" in ignored else r
                        for r in READ)
        return dataclasses.replace(response, reading=reading, filters=seen[-1])

    index.search = reading_search
    index.seen = seen
    return index
