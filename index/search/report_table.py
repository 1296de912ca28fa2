"""`ReportTable`: the indexed reports as arrays, so the scope stage filters thousands of them at once.

The corpus holds about 460 reports, where a loop over them costs a fraction of a millisecond; an
index of a million passages holds about 17,000, where the same loops (each report's years, its
authority, its latest inspection) cost 5 to 25 ms a question. The table is built once per set of
reports (CorpusView.report_table) and answers with boolean masks over its rows, in the order of
CorpusView.documents(); each answer equals the per-report rule it replaces (scope.year_matches,
latest.latest_of_each), which tests/index/search/test_report_table.py checks on random reports.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

import numpy as np

from index import sorted_ids
from index.search.latest import report_date
from index.store import DocumentRow
from ingest.models import OTHER_PUBLICATION


class ReportTable:
    """The reports of one index as arrays, row i being the i-th of `docs` (in its order).

    Args:
        docs: the indexed reports by id (CorpusView.documents()).
    """

    def __init__(self, docs: dict[int, DocumentRow]) -> None:
        rows = list(docs.values())
        self._rows = rows
        self.ids = np.fromiter((d.id for d in rows), dtype=np.int64, count=len(rows))
        self._order = np.argsort(self.ids, kind="stable")
        self._sorted_ids = self.ids[self._order]
        # A report without an authority is its own group, as latest_of_each has it.
        keys = [d.authority_key or f"#{d.id}" for d in rows]
        codes: dict[str, int] = {}
        self.authority = np.fromiter((codes.setdefault(k, len(codes)) for k in keys), dtype=np.int64, count=len(rows))
        self._codes = codes
        self.years = np.array([[_year(d.published), _year(d.inspection_start), _year(d.inspection_end)]
                               for d in rows], dtype=np.int64).reshape(len(rows), 3)
        # latest_of_each's rank: an inspection before any other publication, then the later date (ISO
        # strings: their sorted order is the dates' order).
        self._inspection = np.fromiter((d.report_type != OTHER_PUBLICATION for d in rows), dtype=bool, count=len(rows))
        dates = np.asarray([report_date(d) for d in rows], dtype=str)
        self._date_rank = np.unique(dates, return_inverse=True)[1].reshape(-1).astype(np.int64)
        self.keys = {d.authority_key for d in rows if d.authority_key}  # the authorities with a report here
        self._columns: dict[str, list[Any]] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def rows_of(self, doc_ids: Sequence[int]) -> np.ndarray:
        """Row numbers of these report ids, in their order (ids not in the table are dropped)."""
        at, found = sorted_ids.find(self._sorted_ids, doc_ids)
        return self._order[at[found]]

    def mask_of(self, doc_ids: Sequence[int]) -> np.ndarray:
        """A row mask holding these reports."""
        mask = np.zeros(len(self.ids), dtype=bool)
        mask[self.rows_of(doc_ids)] = True
        return mask

    def ids_where(self, mask: np.ndarray) -> list[int]:
        """The ids of the masked rows, in the table's order."""
        return self.ids[mask].tolist()

    def of_authorities(self, keys: Collection[str]) -> np.ndarray:
        """Rows of reports whose authority key is one of these."""
        wanted = [code for key in keys if (code := self._codes.get(key)) is not None]
        return np.isin(self.authority, wanted)

    def in_years(self, first: int, last: int | None = None) -> np.ndarray:
        """Rows of reports published, or whose inspection began or ended, in first..last (scope.year_matches)."""
        last = first if last is None else last
        return ((self.years >= first) & (self.years <= last)).any(axis=1)

    def column(self, name: str, value: Callable[[DocumentRow], Any]) -> list[Any]:
        """`value` of each report, in row order, computed once per name (e.g. a judgement's grades)."""
        if name not in self._columns:
            self._columns[name] = [value(d) for d in self._rows]
        return self._columns[name]

    def where(self, name: str, value: Callable[[DocumentRow], Any], wanted: Collection[Any]) -> np.ndarray:
        """Rows whose `column(name, value)` is in `wanted`."""
        return np.fromiter((v in wanted for v in self.column(name, value)), dtype=bool, count=len(self.ids))

    def latest_of_each(self, mask: np.ndarray) -> list[int]:
        """Ids of the newest report of each authority among the masked rows, ascending: an inspection
        before any other publication, then the later date, then the first in the table's order, as
        latest.latest_of_each gives them for the same reports in the same order."""
        rows = np.flatnonzero(mask)
        if not len(rows):
            return []
        authority = self.authority[rows]
        # Primary: the authority; then the best rank first; then the earliest row.
        order = np.lexsort((rows, -self._date_rank[rows], ~self._inspection[rows], authority))
        firsts = order[np.concatenate(([True], authority[order][1:] != authority[order][:-1]))]
        return sorted(self.ids[rows[firsts]].tolist())


def _year(value: str | None) -> int:
    """The year of an ISO date (-1 when there is none: it matches no range)."""
    return int(value[:4]) if value else -1
