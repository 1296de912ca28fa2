"""Exports of a search: CSV (Excel-safe, with a byte-order mark) and Markdown, kept a short while."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import tempfile
import time
import uuid
import weakref
from collections.abc import Sequence
from pathlib import Path

from app.links import LinkBase, ReportLinks, link_note, report_links
from app.ui.search import (
    EXPORT_MAX_AGE,
    VIEW_RANKED,
)

# -- export --------------------------------------------------------------------------------------

CSV_COLUMNS = ("rank", "authority", "report_type", "published", "inspection_start", "overall_grade", "pages",
               "paragraphs", "section", "file", "ofsted_url", "page_link", "page_link_works", "citation",
               "highlighted", "passage")


def _spreadsheet_safe(value: str) -> str:
    """Text that a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def request_base(request: object | None) -> str:
    """The address the browser reached the app at (`http://127.0.0.1:7860`), from the request's headers;
    "" when unknown."""
    headers = getattr(request, "headers", None) or {}
    host = headers.get("x-forwarded-host") or headers.get("host")
    if not host:
        return ""
    scheme = headers.get("x-forwarded-proto") or "http"
    return f"{scheme}://{host}"


def link_base(public: str | None, request: object | None) -> LinkBase | None:
    """The address an export's page links use: the public one (`serve --public-url`), else the one this
    request came to, which may work only on the machine serving the app; None when neither is known."""
    if public:
        return LinkBase(public, public=True)
    here = request_base(request)
    return LinkBase(here, public=False) if here else None


def result_links(result: dict, base: LinkBase | None) -> ReportLinks:
    """A search result's links (app/links.py): Ofsted's copy, and the app's page made absolute with `base`."""
    return report_links(result["citation"]["page_start"], result.get("ofsted_url"), result.get("pdf_link"), base)


def csv_text(results: list[dict], base: LinkBase | None = None) -> str:
    """The results as CSV, a row each; `base`: the app's address, for the page links (app/links.py)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in results:
        c, links = r["citation"], result_links(r, base)
        row = (
            r["rank"], c["local_authority"] or "", c["report_type_label"], c.get("published") or "",
            c.get("inspection_start") or "", c.get("overall_grade") or "", r["pages_label"],
            r["paragraphs_label"], c.get("section") or "", c["file"], links.ofsted or "", links.local or "",
            links.reach, r["citation_line"], " … ".join(r.get("highlighted_text") or []), r["text"],
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


def markdown_text(query: str, results: list[dict], view: str = VIEW_RANKED, base: LinkBase | None = None) -> str:
    """The results as Markdown: each passage quoted with its citation and links (app/links.py)."""
    lines = [f"# Ofsted report passages: {_md(query)}", "",
             f"{view}, exported {time.strftime('%Y-%m-%d %H:%M')} from ofsted-qa. Passages are quoted "
             "verbatim from the reports; **bold** marks the sentences that answer the question. " + link_note(base),
             ""]
    for r in results:
        c = r["citation"]
        lines.append(f"## {r['rank']}. {_md(c['local_authority'] or 'Unknown authority')}, "
                     f"{_md(c['report_type_label'])}")
        lines += ["", _md_passage(r["text"], r["highlights"]), ""]
        cite = f"Source: {_md(r['citation_line'])} (`{c['file'].replace('`', '')}`, page {c['page_start']})"
        cite += "".join(f" · [{_md(link.label)}](<{link.url}>)" for link in result_links(r, base).ordered())
        if r.get("duplicates"):
            cite += f"; also in {r['duplicates']} other report(s)"
        lines += [cite, ""]
    return "\n".join(lines)


EXPORTS_PREFIX = "ofsted-qa-exports-"


class ExportDir:
    """Per-process folder for export files; each export gets its own subfolder, old ones are removed.

    The folder goes with the object (or the process): a machine that starts the app many times, as the
    test suite does, is not left a folder per start. A process that could not remove its own (killed,
    or stopped by a signal its server re-raises) left the process id in the folder's name, and the next
    app removes it."""

    def __init__(self, parent: str | Path | None = None) -> None:
        parent = Path(parent or tempfile.gettempdir())
        remove_orphaned_exports(parent)
        self.root = Path(tempfile.mkdtemp(prefix=f"{EXPORTS_PREFIX}{os.getpid()}-", dir=parent))
        self._cleanup = weakref.finalize(self, shutil.rmtree, self.root, ignore_errors=True)

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


def remove_orphaned_exports(parent: Path) -> int:
    """Remove the export folders under `parent` whose process has ended; returns how many."""
    removed = 0
    for folder in parent.glob(f"{EXPORTS_PREFIX}*-*"):
        pid = folder.name[len(EXPORTS_PREFIX):].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or _alive(int(pid)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
