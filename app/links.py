"""Links the command line prints: a file:// link that opens a report's PDF at a page.

Its own module so that `app.cli` and `app.readiness_cli` both use it without importing each other.
"""

from __future__ import annotations

from pathlib import Path


def page_link(index, doc_id: int, page: int) -> str | None:
    """A file:// link that opens one report's PDF at a page.

    Args:
        index: an open ReportIndex.
        doc_id: the report's id.
        page: the page to open at (from 1).

    Returns:
        The link, or None when the index has no path for the report.
    """
    doc = index.searcher.documents().get(doc_id)
    if not doc or not doc.paths:
        return None
    return f"{Path(doc.paths[0]).as_uri()}#page={page}"
