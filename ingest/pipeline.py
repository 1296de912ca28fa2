"""PDF -> ParsedReport: pages, cleaned text, metadata, chunks. Runs in worker processes.

`parse_reports` parses in a process pool while the caller embeds, so PDF parsing hides behind the
model's cost on the other core.

The report's own text says most about it (ingest.metadata). What it leaves out comes from outside,
in this order. Authority: the file name (ingest.file_names). Publication date (ILACS reports print
none): a manifest, by the file's sha256; the date a file name ends with; else an estimate, the last
day of the inspection plus the median lag to publication. `ParsedReport.published_source` says
which ("report", "manifest", "file name", "estimated").
"""

from __future__ import annotations

import csv
import ctypes
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import date, timedelta
from functools import lru_cache, partial
from pathlib import Path
from typing import TypeVar

from ingest.chunk import chunk_pages
from ingest.clean import clean_pages
from ingest.environment import environment
from ingest.file_names import authority_from_file_name, date_from_file_name
from ingest.metadata import authority_key, extract_metadata
from ingest.models import Page, ParsedReport, ReportMetadata
from ingest.pdf import PdfReadError, file_sha256, read_pages

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_MANIFEST = Path(__file__).resolve().parent.parent / "corpus" / "manifest.csv"
# From the last day of an ILACS inspection to publication: 42 days at the median over the 296 ILACS
# reports of the manifest (10% within 31 days, 90% within 66; extremes 18 and 214).
PUBLICATION_LAG = timedelta(days=42)
# A date in a file name is taken for the publication date only if it could be one: after the
# inspection ended and within a year of it (not the inspection's own dates, nor a download date).
_LONGEST_LAG = timedelta(days=365)


def _manifest_rows(manifest: str | None) -> list[dict[str, str]]:
    """The rows of a manifest (default: $OFSTED_QA_MANIFEST or corpus/manifest.csv); none if unreadable."""
    path = Path(manifest or environment().manifest or DEFAULT_MANIFEST)
    if not path.is_file():
        return []
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    except (OSError, csv.Error) as exc:
        log.warning("could not read the manifest %s: %s", path, exc)
        return []


@lru_cache(maxsize=4)
def publication_dates(manifest: str | None = None) -> dict[str, date]:
    """sha256 -> publication date, from corpus/manifest.csv (ILACS reports print no publication date)."""
    dates: dict[str, date] = {}
    for row in _manifest_rows(manifest):
        try:
            dates[row["sha256"].strip().lower()] = date.fromisoformat(row["published"].strip())
        except (KeyError, ValueError, AttributeError):
            continue
    return dates


@lru_cache(maxsize=4)
def published_addresses(manifest: str | None = None) -> dict[str, str]:
    """sha256 -> Ofsted's address of the published report (`ofsted_url`), from a manifest: a link a
    colleague can open, where a link to this server is of no use to them."""
    addresses: dict[str, str] = {}
    for row in _manifest_rows(manifest):
        url = (row.get("ofsted_url") or "").strip()
        sha = (row.get("sha256") or "").strip().lower()
        if sha and url.startswith(("https://", "http://")):
            addresses[sha] = url
    return addresses


@lru_cache(maxsize=4)
def known_published_addresses(extra_manifests: tuple[str, ...] = ()) -> Mapping[str, str]:
    """sha256 -> Ofsted's address, from the default manifest and any others (a later one wins)."""
    addresses = dict(published_addresses())
    for manifest in extra_manifests:
        addresses.update(published_addresses(manifest))
    return addresses


@lru_cache(maxsize=4)
def page_counts(manifest: str | None = None) -> dict[str, int]:
    """sha256 -> the report's number of pages, from a manifest's `pages` column."""
    counts: dict[str, int] = {}
    for row in _manifest_rows(manifest):
        try:
            counts[row["sha256"].strip().lower()] = int(row["pages"])
        except (KeyError, ValueError, AttributeError, TypeError):
            continue
    return counts


@lru_cache(maxsize=4)
def known_publication_dates(extra_manifests: tuple[str, ...] = ()) -> Mapping[str, date]:
    """sha256 -> publication date from the default manifest and any others (an index's own, say).

    Args:
        extra_manifests: more manifest.csv files (same columns); missing ones are skipped.
    Returns:
        The dates (shared: do not change them); a later manifest's date wins for a file both list.
    """
    dates = dict(publication_dates())
    for manifest in extra_manifests:
        dates.update(publication_dates(manifest))
    return dates


def fill_publication_date(
    metadata: ReportMetadata,
    sha256: str | None = None,
    path: str | Path | None = None,
    manifest_dates: Mapping[str, date] | None = None,
) -> str | None:
    """Fill `metadata.published` when the report prints none; return where the date came from.

    In order: the manifest (by sha256), the date the file name ends with, an estimate (the end
    of the inspection plus PUBLICATION_LAG). Leave out `sha256`/`manifest_dates` or `path` to skip
    those sources (the metadata accuracy measure reads the text alone).

    Args:
        metadata: what the report's text gave; changed in place.
        sha256: the file's hash, to look up in `manifest_dates`.
        path: the file's path, for a date in its name.
        manifest_dates: sha256 -> publication date.
    Returns:
        "report", "manifest", "file name", "estimated", or None when no date could be had.
    """
    if metadata.published is not None:
        return "report"
    known = (manifest_dates or {}).get(sha256 or "")
    if known is not None:
        metadata.published = known
        return "manifest"
    named = date_from_file_name(path) if path else None
    end = metadata.inspection_end
    if named is not None and (end is None or end < named <= end + _LONGEST_LAG):
        metadata.published = named
        return "file name"
    if end is not None:
        metadata.published = end + PUBLICATION_LAG
        return "estimated"
    return None


def fill_authority_from_file_name(metadata: ReportMetadata, path: str | Path) -> bool:
    """When the text names no authority, take the one the file is named after. True if it did."""
    if metadata.local_authority:
        return False
    found = authority_from_file_name(path)
    if found is not None:
        metadata.local_authority = found.name
    return found is not None


def parse_report(path: str | Path, sha256: str | None = None,
                 extra_manifests: tuple[str, ...] = ()) -> ParsedReport:
    """Read, clean, describe and chunk one PDF.

    Args:
        path: the PDF.
        sha256: its hash, if the caller has it already.
        extra_manifests: manifests to consult for the publication date besides the default one.
    Returns:
        The parsed report; its metadata filled from the file name and manifests where the text is silent.
    Raises:
        PdfReadError: with the reason the file cannot be ingested.
    """
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
    fill_authority_from_file_name(metadata, path)
    published_source = fill_publication_date(metadata, sha256, path, known_publication_dates(extra_manifests))
    timings = {"pdf_text": read - started, "clean_chunk": time.perf_counter() - read}
    for page in pages:
        page.raw_text = ""  # the cleaned text is what we keep; don't ship raw text between processes
    return ParsedReport(
        path=str(path), sha256=sha256, pages=pages, metadata=metadata, chunks=chunks,
        authority_key=authority_key(metadata.local_authority) if metadata.local_authority else None,
        published_source=published_source, timings=timings,
    )


def _parse_or_error(parse: Callable[[str, str | None], T], path: str, sha256: str | None) -> T | PdfReadError:
    try:
        return parse(path, sha256)
    except PdfReadError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop a batch
        log.debug("unexpected error parsing %s", path, exc_info=True)
        return PdfReadError(f"could not be read ({type(exc).__name__}: {exc})")


def parse_in_background(
    items: Iterable[tuple[str, str | None]], parse: Callable[[str, str | None], T], workers: int = 1,
    prefetch: int = 4,
) -> Iterator[tuple[str, T | PdfReadError]]:
    """Run `parse(path, sha256)` on each item in order; yield (path, its result or error) as each is ready.

    With workers >= 1 parsing runs in that many processes, `prefetch` files ahead of the consumer,
    so parsing overlaps what the consumer does (embedding). `parse` must be picklable (a module's
    function, or a functools.partial of one). Any error of one file is that file's PdfReadError.
    """
    items = list(items)
    if workers <= 0:
        for path, sha in items:
            yield path, _parse_or_error(parse, path, sha)
        return
    # Workers come from a fork server, not forked from this process: a forked worker would inherit every
    # descriptor open here, among them the index's write lock, and an orphaned worker (its ingest killed)
    # would hold that lock for ever. They also end themselves when the ingest that started them dies.
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver"),
                             initializer=_start_worker, initargs=(os.getpid(), dict(os.environ))) as pool:
        pending: list[tuple[str, Future]] = []
        queue = iter(items)
        for path, sha in queue:
            pending.append((path, pool.submit(_parse_or_error, parse, path, sha)))
            if len(pending) >= prefetch:
                break
        while pending:
            path, future = pending.pop(0)
            nxt = next(queue, None)
            if nxt is not None:
                pending.append((nxt[0], pool.submit(_parse_or_error, parse, nxt[0], nxt[1])))
            try:
                yield path, future.result()
            except Exception as exc:  # noqa: BLE001 - a worker that died (e.g. out of memory)
                yield path, PdfReadError(f"the parser process failed ({type(exc).__name__}: {exc})")


_PR_SET_PDEATHSIG = 1  # linux/prctl.h
WATCH_SECONDS = 0.5


def _start_worker(ingest_pid: int, environ: dict[str, str]) -> None:
    """A parse worker's first step: the ingest's environment as it is now (the fork server holds the one
    of when it started: a manifest named in $OFSTED_QA_MANIFEST since would be missed), then
    `_end_with_parent`."""
    os.environ.clear()
    os.environ.update(environ)
    _end_with_parent(ingest_pid)


def _end_with_parent(ingest_pid: int) -> None:
    """Die with the ingest that started this worker, whatever killed the ingest.

    The kernel signals the worker when its parent (the fork server) exits (Linux); a watch thread also
    ends it when the ingest's process is gone or the worker was handed to another parent, which covers
    other systems and a fork server that outlives the ingest."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the watch thread alone
        pass
    parent = os.getppid()
    threading.Thread(target=_watch_parent, args=(ingest_pid, parent), name="parent-watch", daemon=True).start()


def _watch_parent(ingest_pid: int, parent: int) -> None:
    while True:
        time.sleep(WATCH_SECONDS)
        if os.getppid() != parent or not process_alive(ingest_pid):
            os._exit(1)  # nothing to clean up: a worker only reads PDFs


def process_alive(pid: int) -> bool:
    """True when a process of this pid exists (a zombie, not yet reaped by its parent, counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True  # no /proc: os.kill said it exists


def parse_reports(
    items: Iterable[tuple[str, str | None]], workers: int = 1, prefetch: int = 4,
    extra_manifests: tuple[str, ...] = (),
) -> Iterator[tuple[str, ParsedReport | PdfReadError]]:
    """Parse (path, sha256) items into reports in order (parse_report); yield (path, report or error).

    `extra_manifests` are consulted for publication dates besides the default manifest.
    """
    return parse_in_background(items, partial(parse_report, extra_manifests=extra_manifests), workers, prefetch)


def find_pdfs(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files named, and PDFs found below folders named; plus (path, reason) for paths that aren't there."""
    found: list[Path] = []
    missing: list[tuple[str, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf"))
        elif path.is_file():
            found.append(path)
        else:
            missing.append((str(path), "no such file or folder"))
    seen: set[Path] = set()
    unique = []
    for p in found:
        resolved = p.resolve()
        if resolved not in seen:
            seen.add(resolved)
            unique.append(resolved)
    return unique, missing

