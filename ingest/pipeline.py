"""PDF -> ParsedReport: pages, cleaned text, metadata, chunks. Runs in worker processes.

`parse_reports` parses in a process pool while the caller embeds, so PDF parsing hides behind the
model's cost on the other core.
"""

from __future__ import annotations

import csv
import logging
import os
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import date
from functools import lru_cache
from pathlib import Path

from ingest.chunk import chunk_pages
from ingest.clean import clean_pages
from ingest.metadata import authority_key, extract_metadata
from ingest.models import Page, ParsedReport
from ingest.pdf import PdfReadError, file_sha256, read_pages

log = logging.getLogger(__name__)

DEFAULT_MANIFEST = Path(__file__).resolve().parent.parent / "corpus" / "manifest.csv"


@lru_cache(maxsize=4)
def publication_dates(manifest: str | None = None) -> dict[str, date]:
    """sha256 -> publication date, from corpus/manifest.csv (ILACS reports print no publication date)."""
    path = Path(manifest or os.environ.get("OFSTED_QA_MANIFEST") or DEFAULT_MANIFEST)
    if not path.is_file():
        return {}
    dates: dict[str, date] = {}
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                try:
                    dates[row["sha256"].strip().lower()] = date.fromisoformat(row["published"].strip())
                except (KeyError, ValueError, AttributeError):
                    continue
    except (OSError, csv.Error) as exc:
        log.warning("could not read the manifest %s: %s", path, exc)
    return dates


def parse_report(path: str | Path, sha256: str | None = None) -> ParsedReport:
    """Read, clean, describe and chunk one PDF. Raises PdfReadError with the reason it can't."""
    path = Path(path)
    sha256 = sha256 or file_sha256(path)
    started = time.perf_counter()
    raw = read_pages(path)
    read = time.perf_counter()
    cleaned = clean_pages(raw)
    pages = [Page(number=i + 1, raw_text=r, text=c) for i, (r, c) in enumerate(zip(raw, cleaned, strict=True))]
    metadata = extract_metadata(raw)
    chunks = chunk_pages(pages)
    if not chunks:
        raise PdfReadError("no passages of report text found (is it an Ofsted report with a text layer?)")
    published_source = "report" if metadata.published else None
    if metadata.published is None:
        known = publication_dates().get(sha256)
        if known is not None:
            metadata.published = known
            published_source = "manifest"
    timings = {"pdf_text": read - started, "clean_chunk": time.perf_counter() - read}
    for page in pages:
        page.raw_text = ""  # the cleaned text is what we keep; don't ship raw text between processes
    return ParsedReport(
        path=str(path), sha256=sha256, pages=pages, metadata=metadata, chunks=chunks,
        authority_key=authority_key(metadata.local_authority) if metadata.local_authority else None,
        published_source=published_source, timings=timings,
    )


def _parse_or_error(path: str, sha256: str | None) -> ParsedReport | PdfReadError:
    try:
        return parse_report(path, sha256)
    except PdfReadError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop a batch
        log.debug("unexpected error parsing %s", path, exc_info=True)
        return PdfReadError(f"could not be read ({type(exc).__name__}: {exc})")


def parse_reports(
    items: Iterable[tuple[str, str | None]], workers: int = 1, prefetch: int = 4
) -> Iterator[tuple[str, ParsedReport | PdfReadError]]:
    """Parse (path, sha256) items in order; yield (path, report or error) as each is ready.

    With workers >= 1 parsing runs in that many processes, `prefetch` files ahead of the consumer.
    """
    items = list(items)
    if workers <= 0:
        for path, sha in items:
            yield path, _parse_or_error(path, sha)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: list[tuple[str, Future]] = []
        queue = iter(items)
        for path, sha in queue:
            pending.append((path, pool.submit(_parse_or_error, path, sha)))
            if len(pending) >= prefetch:
                break
        while pending:
            path, future = pending.pop(0)
            nxt = next(queue, None)
            if nxt is not None:
                pending.append((nxt[0], pool.submit(_parse_or_error, nxt[0], nxt[1])))
            try:
                yield path, future.result()
            except Exception as exc:  # noqa: BLE001 - a worker that died (e.g. out of memory)
                yield path, PdfReadError(f"the parser process failed ({type(exc).__name__}: {exc})")
