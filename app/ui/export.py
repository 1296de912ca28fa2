"""Exports of a search: CSV (Excel-safe, with a byte-order mark) and Markdown, kept a short while."""

from __future__ import annotations

import csv
import io
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.ui.search import (
    EXPORT_MAX_AGE,
    VIEW_RANKED,
)

# -- export --------------------------------------------------------------------------------------

CSV_COLUMNS = ("rank", "authority", "report_type", "published", "inspection_start", "overall_grade", "pages",
               "paragraphs", "section", "file", "page_link", "ofsted_url", "citation", "highlighted", "passage")


def _spreadsheet_safe(value: str) -> str:
    """Text that a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def base_url_of(request: Any) -> str:
    """The scheme and host a browser reached the app at ("" when unknown), from a gradio Request's
    headers (a proxy's X-Forwarded-* first): exported links are made absolute against it."""
    if request is None:
        return ""
    headers = getattr(request, "headers", None) or {}
    host = headers.get("x-forwarded-host") or headers.get("host")
    if not host:
        return ""
    scheme = headers.get("x-forwarded-proto") or "http"
    return f"{scheme}://{host}"


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


