"""Which report of an authority is its latest: the order `scope` narrows by and `CorpusView` caches.

Its own module because both read it, and the view sits below the stages (no stage is imported by it).
"""

from __future__ import annotations

from collections.abc import Sequence

from index.store import DocumentRow
from ingest.models import OTHER_PUBLICATION


def latest_of_each(docs: dict[int, DocumentRow], doc_ids: Sequence[int]) -> list[int]:
    """The newest report of each authority among these.

    An inspection report comes before any other Ofsted publication (a monitoring or focused visit
    letter, which has no grades): the latest report of an authority is its latest inspection, so
    `--latest --grade inadequate` stays "the councils inadequate now". An authority with letters
    only among these keeps its newest letter.
    """
    newest: dict[str, int] = {}

    def rank(doc: DocumentRow) -> tuple[bool, str]:
        return doc.report_type != OTHER_PUBLICATION, report_date(doc)

    for d in doc_ids:
        key = docs[d].authority_key or f"#{d}"
        if key not in newest or rank(docs[d]) > rank(docs[newest[key]]):
            newest[key] = d
    return sorted(newest.values())



def report_date(doc: DocumentRow) -> str:
    """The report's date for ordering: published, else when the inspection ended or began ("" if none)."""
    return doc.published or doc.inspection_end or doc.inspection_start or ""
